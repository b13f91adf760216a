"""Which backend runs a classifier: the one place that decides.

``torch`` runs the dir's safetensors weights with transformers; ``onnx`` runs its ONNX
export (``newsdesk export DIR --onnx [--int8]``) with ONNX Runtime and the ``tokenizers``
library, and is all the light install (``pip install newsdesk``, no torch) can run. Asked
for nothing, a model runs on torch where torch and transformers are installed and no int8
copy is asked for, and on its ONNX export otherwise.
"""

from __future__ import annotations

from importlib.util import find_spec

from newsdesk.errors import ConfigError

BACKENDS = ("torch", "onnx")
#: What the light install leaves out, and the extra that adds it.
TORCH_PACKAGES = ("torch", "transformers")
TORCH_EXTRA = "pip install 'newsdesk[torch]'"


def torch_installed() -> bool:
    """Whether torch and transformers can be imported (the full install), without
    importing them."""
    try:
        return all(find_spec(name) is not None for name in TORCH_PACKAGES)
    except (ImportError, ValueError):  # a finder that refuses the name, a broken install
        return False


def require_torch(what: str) -> None:
    """A ConfigError naming the ``torch`` extra unless torch and transformers are installed:
    ``what`` (an abstractive summary, centroid sentence vectors, an export) needs them."""
    if not torch_installed():
        raise ConfigError(f"{what} needs torch and transformers, which the light install "
                          f"leaves out: {TORCH_EXTRA}")


def resolve_backend(backend: str | None, quantize: str | None = None) -> str:
    """The backend to load with: ``backend`` when given (checked), else ``"torch"`` on a
    full install unless ``quantize`` asks for an int8 copy, else ``"onnx"``.

    >>> resolve_backend("onnx"), resolve_backend(None, "int8")
    ('onnx', 'onnx')
    """
    if backend is None:
        return "torch" if quantize is None and torch_installed() else "onnx"
    if backend not in BACKENDS:
        raise ConfigError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if quantize is not None and backend != "onnx":
        raise ConfigError("quantize needs backend='onnx' (export with newsdesk export "
                          "--onnx --int8)")
    if backend == "torch":
        require_torch("the torch backend (serve the model dir's ONNX export with "
                      "backend='onnx' instead)")
    return backend

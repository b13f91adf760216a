"""Run a topic or stance model with ONNX Runtime on the CPU.

``newsdesk export DIR --onnx [--int8]`` (see ``newsdesk.onnx_export``) writes ``model.onnx``
and ``model.int8.onnx`` next to the weights and records them in the manifest under
``extras["onnx"]``. ``TopicClassifier.from_pretrained(DIR, backend="onnx")`` (the default
where torch is not installed: ``newsdesk.backends``) then swaps the torch model for an
``OnnxRunner`` and the transformers tokenizer for the dir's ``tokenizer.json`` run by
``tokenizers`` (``newsdesk.tokenizer``); windowing, length-sorted batching, dynamic padding
and aggregation stay the classifier's own.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from newsdesk.backends import TORCH_EXTRA, torch_installed
from newsdesk.errors import ConfigError, ModelError
from newsdesk.manifest import Manifest

MANIFEST_KEY = "onnx"
VARIANTS = {None: "fp32", "int8": "int8"}
FILE_NAMES = {"fp32": "model.onnx", "int8": "model.int8.onnx"}
TOKENS_PER_THREAD = 256
#: The model card (README.md) and its section on serving a dir without torch.
CARD_NAME = "README.md"
SERVING_HEADING = "## Serving without torch"
LIMITS_HEADING = "## Intended use and limits"


class OnnxRunner:
    """One ONNX Runtime session: a padded batch (int64 arrays by name) -> its first output
    as float32 (logits, or a frozen encoder's pooled embeddings).

    Inputs the graph does not take are dropped; ``token_type_ids`` the graph takes but the
    batch lacks are zeros.

    >>> runner = OnnxRunner("models/topic-bbc-minilm/model.onnx", threads=2)
    ... # doctest: +SKIP
    >>> runner({"input_ids": ids, "attention_mask": mask}).shape  # doctest: +SKIP
    (2, 5)
    """

    def __init__(self, path: str | Path, threads: int | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only
        if threads is not None:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        self.threads = threads or usable_cpus()  # ORT's default: every core
        self.path = Path(path)
        self.session = ort.InferenceSession(str(path), options,
                                            providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.output_name = self.session.get_outputs()[0].name

    @property
    def batch_tokens(self) -> int:
        """``TOKENS_PER_THREAD`` per thread (at least two threads' worth): with int8 weights,
        batches of 256-512 tokens a thread ran up to 1.5x faster than 2048 (cache)."""
        return TOKENS_PER_THREAD * max(2, self.threads)

    def __call__(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        feed = {name: batch[name] if name in batch else np.zeros_like(batch["input_ids"])
                for name in self.input_names}
        return np.asarray(self.session.run([self.output_name], feed)[0], dtype=np.float32)


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity where the OS tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def check_threads(threads: int | None) -> int | None:
    """``threads`` if it is None or a positive int, else a ConfigError.

    >>> check_threads(2), check_threads(None)
    (2, None)
    """
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int)
                                or threads < 1):
        raise ConfigError(f"threads must be a positive integer, not {threads!r}")
    return threads


def onnx_file(model_dir: Path, manifest: Manifest, quantize: str | None) -> Path:
    """The exported file for ``quantize`` (None: fp32, "int8"), or a ModelError saying how
    to make it."""
    if quantize not in VARIANTS:
        raise ConfigError(f"quantize must be None or 'int8', not {quantize!r}")
    variant = VARIANTS[quantize]
    path = exported_file(model_dir, manifest, variant)
    if path is None:
        flag = " --int8" if quantize else ""
        where = "" if torch_installed() else f" in a full install ({TORCH_EXTRA})"
        raise ModelError(f"{model_dir}: no {variant} ONNX export ({FILE_NAMES[variant]}), "
                         "which serving without torch needs; run `newsdesk export "
                         f"{model_dir} --onnx{flag}`{where} to make it servable")
    return path


def exported_file(model_dir: Path, manifest: Manifest | None, variant: str) -> Path | None:
    """The dir's ``variant`` ("fp32" or "int8") export as its manifest records it, or None
    when it has none."""
    recorded = (manifest.extras.get(MANIFEST_KEY, {}) if manifest else {}).get(variant, {})
    path = Path(model_dir) / recorded.get("file", FILE_NAMES[variant])
    return path if recorded and path.is_file() else None


def load_onnx_runner(model_dir: Path, manifest: Manifest, quantize: str | None,
                     threads: int | None) -> OnnxRunner:
    """The session for a model dir's export."""
    path = onnx_file(model_dir, manifest, quantize)
    threads = check_threads(threads)
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        raise ConfigError("the onnx backend needs onnxruntime (a dependency of newsdesk): "
                          "pip install onnxruntime") from None
    try:
        runner = OnnxRunner(path, threads)
    except Exception as error:  # onnxruntime raises its own error types
        raise ModelError(f"{path}: ONNX Runtime could not load it ({error})") from None
    return runner


def serving_lines(manifest: Manifest, name: str, directory: Path | None = None) -> list[str]:
    """The model card's section on the light install (``SERVING_HEADING``): whether the dir
    (``directory``, shown as ``name``) is servable without torch, that is holds its ONNX
    export, and how to make it so. ``newsdesk export`` rewrites it (``update_card``).

    >>> from newsdesk.manifest import Manifest
    >>> serving_lines(Manifest(task="topic"), "models/t")[2][:44]
    'Not servable by the light install (`pip inst'
    """
    from newsdesk.tasks import get_task

    fp32 = exported_file(directory, manifest, "fp32") if directory is not None else None
    int8 = exported_file(directory, manifest, "int8") if directory is not None else None
    if get_task(manifest.task).classifier_name(manifest) is None:
        body = ("Not servable by the light install (`pip install newsdesk`, no torch): this "
                "model writes text with transformers' generation, which has no ONNX export; "
                f"serve it with the full install ({TORCH_EXTRA}).")
    elif fp32 is not None:
        body = ("Servable by the light install (`pip install newsdesk`: ONNX Runtime and "
                "tokenizers, no torch, no transformers): this dir holds its ONNX export "
                f"(`{fp32.name}`"
                + (f", and `{int8.name}` for `quantize=\"int8\"`" if int8 else "")
                + "), which `from_pretrained` runs where torch is not installed (or with "
                "`backend=\"onnx\"`).")
    else:
        body = ("Not servable by the light install (`pip install newsdesk`, no torch) yet: "
                f"it needs its ONNX export. Run `newsdesk export {name} --onnx [--int8]` in a "
                f"full install ({TORCH_EXTRA}) to write it; the export rewrites this "
                "section.")
    return [SERVING_HEADING, "", body, ""]


def update_card(directory: Path, manifest: Manifest) -> Path | None:
    """Rewrite the serving section (``serving_lines``) of the dir's model card (README.md)
    in place, atomically; a dir without a card is left as it is (None)."""
    from newsdesk.atomic import write_text_atomically

    card = Path(directory) / CARD_NAME
    if not card.is_file():
        return None
    lines = card.read_text(encoding="utf-8").splitlines()
    section = serving_lines(manifest, str(directory), Path(directory))
    return write_text_atomically(card, "\n".join(replace_section(lines, section)) + "\n")


def replace_section(lines: list[str], section: list[str]) -> list[str]:
    """``lines`` (Markdown) with the section headed ``section[0]`` replaced by ``section``
    (up to the next ``## `` heading), or added before ``## Intended use and limits`` (else
    at the end) when there is none.

    >>> replace_section(["# T", "## A", "old", "## B"], ["## A", "new"])
    ['# T', '## A', 'new', '## B']
    >>> replace_section(["# T", "## Intended use and limits", "x"], ["## A", ""])
    ['# T', '## A', '', '## Intended use and limits', 'x']
    """
    heading = section[0]
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
        return lines[:start] + section + lines[end:]
    before = next((i for i, line in enumerate(lines) if line == LIMITS_HEADING), len(lines))
    return lines[:before] + section + lines[before:]

"""Safe opening of model directories: safetensors only, no remote code, clear errors."""

from __future__ import annotations

from pathlib import Path

from newsdesk.errors import ModelError

PICKLE_WEIGHTS = ("pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5")
SAFE_WEIGHTS = ("model.safetensors", "model.safetensors.index.json")


def check_model_dir(path: Path, *, allow_pickle: bool = False) -> None:
    """Refuse a local dir that is missing, has no config, or has only pickle weights."""
    if not path.is_dir():
        raise ModelError(f"{path}: no such model directory")
    if not (path / "config.json").is_file():
        raise ModelError(f"{path}: not a model directory (no config.json)")
    has_safe = any((path / name).is_file() for name in SAFE_WEIGHTS)
    has_pickle = any((path / name).is_file() for name in PICKLE_WEIGHTS)
    if not has_safe and has_pickle and not allow_pickle:
        raise ModelError(
            f"{path}: holds only pickle weights (pytorch_model.bin), which can run arbitrary "
            "code when loaded; convert them to safetensors, or pass allow_pickle=True if you "
            "trust the file")
    if not has_safe and not has_pickle:
        raise ModelError(f"{path}: no weights found (expected model.safetensors)")
    if has_safe:
        check_safetensors(path)


def check_safetensors(path: Path) -> None:
    """Open each safetensors file's header so truncation shows as one clear error."""
    from safetensors import safe_open

    for weights in sorted(path.glob("*.safetensors")):
        try:
            with safe_open(str(weights), framework="pt") as handle:
                keys = list(handle.keys())
                if keys:
                    handle.get_slice(keys[-1])
        except Exception as error:  # safetensors raises its own error types
            raise ModelError(f"{weights}: corrupt or truncated weights ({error})") from None
        expected = _expected_size(weights)
        if expected is not None and weights.stat().st_size < expected:
            raise ModelError(f"{weights}: truncated weights ({weights.stat().st_size} bytes, "
                             f"the header promises {expected})")


def _expected_size(weights: Path) -> int | None:
    import json
    import struct

    with weights.open("rb") as handle:
        head = handle.read(8)
        if len(head) < 8:
            return None
        (header_len,) = struct.unpack("<Q", head)
        try:
            header = json.loads(handle.read(header_len))
        except ValueError:
            return None
    ends = [v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"]
    return 8 + header_len + max(ends, default=0)

"""The one way newsdesk opens a model dir: safetensors only, no remote code, manifest
checked, clear errors.

``open_model_dir`` resolves an alias (``minilm-l6``), a local dir or a hub id, refuses what
must not be loaded (``check_model_dir``), reads ``newsdesk.json`` and checks its task; the
``ModelDir`` it returns loads the weights and the tokenizer under the same rules. Classifiers,
the abstractive summarizer, the sentence encoder, the ONNX export (through the classifier) and
training's staged and frozen models all open dirs here. ``load`` (``newsdesk.load``) opens a
dir as the model class its manifest's task names in the registry (``newsdesk.tasks``).

>>> open_model_dir("/no/such/model")
Traceback (most recent call last):
...
newsdesk.errors.ModelError: /no/such/model: no such model directory
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk.assets import resolve_model
from newsdesk.errors import ModelError
from newsdesk.jsonfile import one_line, read_json_object
from newsdesk.manifest import MANIFEST_NAME, Manifest
from newsdesk.tasks import DEFAULT_TASK, get_task

PICKLE_WEIGHTS = ("pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5")
SAFE_WEIGHTS = ("model.safetensors", "model.safetensors.index.json")
#: Why a model dir's ``config.json`` must be there (``read_json_object(..., missing=...)``).
CONFIG_NEEDED = "every model dir has one"


PICKLE_ADVICE = ", or pass allow_pickle=True if you trust the file"
TRAINING_PICKLE_ADVICE = " (newsdesk-train starts only from safetensors weights)"


def check_local_model(source: str, *, allow_pickle: bool = False,
                      pickle_advice: str = PICKLE_ADVICE) -> None:
    """``check_model_dir`` on ``source`` when it exists or can only be a path; a hub id
    ("name" or "owner/name") is left to the hub loader.

    >>> check_local_model("/no/such/model")
    Traceback (most recent call last):
    ...
    newsdesk.errors.ModelError: /no/such/model: no such model directory
    """
    if os.path.exists(source) or looks_like_path(source):
        check_model_dir(Path(source), allow_pickle=allow_pickle, pickle_advice=pickle_advice)


def looks_like_path(source: str) -> bool:
    """True for a name no hub id can be: absolute, ./ ../ ~, a trailing or a second slash.

    >>> looks_like_path("models/topic"), looks_like_path("runs/models/topic")
    (False, True)
    """
    return (os.path.isabs(source) or source.startswith((".", "~")) or source.endswith("/")
            or source.count("/") > 1 or "\\" in source)


def check_model_dir(path: Path, *, allow_pickle: bool = False,
                    pickle_advice: str = PICKLE_ADVICE) -> None:
    """Refuse a local dir that is missing, has no config, asks for custom code, or has only
    pickle weights; open safetensors headers so corrupt weights fail here, clearly.
    ``pickle_advice`` ends the pickle refusal: how the caller can get past it."""
    if not path.is_dir():
        raise ModelError(f"{path}: no such model directory")
    if not (path / "config.json").is_file():
        raise ModelError(f"{path}: not a model directory (no config.json)")
    check_no_custom_code(path)
    has_safe = any((path / name).is_file() for name in SAFE_WEIGHTS)
    has_pickle = any((path / name).is_file() for name in PICKLE_WEIGHTS)
    if not has_safe and has_pickle and not allow_pickle:
        raise ModelError(
            f"{path}: holds only pickle weights (pytorch_model.bin), which can run arbitrary "
            f"code when loaded; convert them to safetensors{pickle_advice}")
    if not has_safe and not has_pickle:
        raise ModelError(f"{path}: no weights found (expected model.safetensors)")
    if has_safe:
        check_safetensors(path)


def check_no_custom_code(path: Path) -> None:
    """Refuse a dir whose model type exists only as custom code in the dir (``auto_map``):
    newsdesk never runs code from a model dir (``trust_remote_code=False``). A built-in
    model type with an ``auto_map`` loads with the built-in class; the code is ignored.
    Without transformers (the light install) nothing in the dir is ever imported: its ONNX
    export and ``tokenizer.json`` are data, so there is no code to refuse."""
    try:
        from transformers import CONFIG_MAPPING
    except ImportError:
        return
    config = read_json_object(path / "config.json", missing=CONFIG_NEEDED)
    model_type = config.get("model_type")
    if config.get("auto_map") and model_type not in CONFIG_MAPPING:
        raise ModelError(
            f"{path}: model type {model_type!r} exists only as custom code in the model dir "
            "(config.json auto_map); newsdesk never runs code from a model dir "
            "(trust_remote_code=False)")


def check_safetensors(path: Path) -> None:
    """Open each safetensors file's header so truncation shows as one clear error (as
    numpy: nothing is read, and torch may not be installed)."""
    from safetensors import safe_open

    for weights in sorted(path.glob("*.safetensors")):
        try:
            with safe_open(str(weights), framework="numpy") as handle:
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


@dataclass(frozen=True)
class ModelDir:
    """An opened model dir (or a hub id): ``source`` is what transformers loads, ``manifest``
    the dir's ``newsdesk.json`` (for ``open_model_dir(..., task=...)``, that task's defaults
    when the dir has none; else None for a plain transformers dir or a hub id)."""

    source: str
    manifest: Manifest | None
    allow_pickle: bool = False

    @property
    def path(self) -> Path:
        """The local dir (a hub id read as a path names no dir)."""
        return Path(self.source)

    @property
    def name(self) -> str:
        """The dir's own name, or the hub id."""
        return self.path.name or self.source

    def load_model(self, auto_class: Any, *, what: str = "the model", **options: Any) -> Any:
        """``auto_class.from_pretrained`` of the dir: safetensors only unless ``allow_pickle``
        (then safetensors first), never remote code; ``options`` go to ``from_pretrained``
        (``attn_implementation``, ...). Any load failure is one ``ModelError`` line."""
        safetensors = None if self.allow_pickle else True
        try:
            return auto_class.from_pretrained(self.source, use_safetensors=safetensors,
                                              trust_remote_code=False, **options)
        except (OSError, ValueError) as error:
            raise ModelError(f"{self.source}: could not load {what} ({one_line(error)})"
                             ) from None

    def load_tokenizer(self) -> Any:
        """The dir's tokenizer (never remote code), or one ``ModelError`` line."""
        from transformers import AutoTokenizer

        try:
            return AutoTokenizer.from_pretrained(self.source, trust_remote_code=False)
        except (OSError, ValueError) as error:
            raise ModelError(f"{self.source}: could not load the tokenizer "
                             f"({one_line(error)})") from None


def open_model_dir(name_or_path: str | os.PathLike[str] | ModelDir, task: str | None = None, *,
                   allow_pickle: bool = False,
                   pickle_advice: str = PICKLE_ADVICE) -> ModelDir:
    """Open an alias, a local dir or a hub id: ``check_local_model``, then the manifest.

    With ``task``, a manifest for another task is a ModelError naming the class to use, and
    a dir without one (a plain transformers dir, a hub id) gets ``Manifest(task=task)``.
    A ``ModelDir`` already opened (a summarizer handing its dir to the scorer it loads) is
    not checked or read again: only its task is, and it keeps its own ``allow_pickle``.
    """
    if isinstance(name_or_path, ModelDir):
        opened = name_or_path
        return ModelDir(opened.source, for_task(opened.source, opened.manifest, task),
                        opened.allow_pickle)
    source = resolve_model(name_or_path)
    check_local_model(source, allow_pickle=allow_pickle, pickle_advice=pickle_advice)
    return ModelDir(source, for_task(source, read_manifest(Path(source)), task), allow_pickle)


def for_task(source: str, manifest: Manifest | None, task: str | None) -> Manifest | None:
    """``manifest`` checked against ``task`` (a ModelError naming the class to use), or
    ``Manifest(task=task)`` where the dir has none; unchanged without ``task``."""
    if task is None:
        return manifest
    if manifest is None:
        return Manifest(task=task)
    if manifest.task != task:
        raise ModelError(f"{source}: a {manifest.task} model, not a {task} model; load it "
                         f"with {get_task(manifest.task).model_class_name} (or "
                         "newsdesk.load)")
    return manifest


def load(name_or_path: str | os.PathLike[str], **options: Any) -> Any:
    """The model ``name_or_path`` (a dir, an alias or a hub id) was trained as: a
    ``TopicClassifier``, ``StanceClassifier`` or ``Summarizer``, whichever class its
    ``newsdesk.json`` task names in the registry (``newsdesk.tasks``); a dir without a
    manifest (plain transformers) or a hub id loads as a topic classifier. ``options`` go to
    that class's ``from_pretrained`` (``device``, ``backend``, ``allow_pickle``, ...).

    >>> import newsdesk
    >>> model = newsdesk.load("models/topic-bbc-minilm")                # doctest: +SKIP
    >>> type(model).__name__, model.predict(["Shares rose 5%."])[0].label  # doctest: +SKIP
    ('TopicClassifier', 'business')
    """
    opened = open_model_dir(name_or_path, allow_pickle=options.get("allow_pickle", False))
    task = get_task(opened.manifest.task) if opened.manifest else DEFAULT_TASK
    return task.model_class.from_pretrained(opened.source, **options)


def read_manifest(path: Path) -> Manifest | None:
    """The dir's ``newsdesk.json`` (checked: format, task, fields), or None without one."""
    return Manifest.load(path) if (path / MANIFEST_NAME).is_file() else None


def config_labels(model_dir: Path) -> list[str]:
    """Labels in id order from the dir's config.json (``id2label``)."""
    config = read_json_object(Path(model_dir) / "config.json", missing=CONFIG_NEEDED)
    id2label = config.get("id2label") or {}
    if not id2label:
        raise ModelError(f"{model_dir}/config.json: no id2label")
    return [str(id2label[str(i)]) for i in range(len(id2label))]

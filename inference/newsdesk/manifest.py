"""``newsdesk.json``: the task settings that travel with a model dir.

The label maps live in ``config.json`` (so plain transformers gives the same labels); the
rest (task, windowing, pair order, thresholds, temperature, training data, metrics,
versions) lives here.
"""

from __future__ import annotations

import json
import math
import platform
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from newsdesk import __version__
from newsdesk.atomic import write_text_atomically
from newsdesk.errors import ModelError
from newsdesk.jsonfile import read_json_object
from newsdesk.tasks import DEFAULT_TASK, UnknownTaskError, get_task

MANIFEST_NAME = "newsdesk.json"
FORMAT_VERSION = 1


@dataclass
class Windowing:
    """How long texts are cut into overlapping windows and the windows' scores combined.

    ``mode`` is ``"all"`` (every window) or ``"first"`` (truncate); ``stride`` is the overlap
    in tokens between neighbouring windows; ``aggregate`` is ``"mean"`` or ``"max"`` of the
    window probabilities; ``max_windows`` caps the windows per text (None: no cap).

    >>> Windowing(max_length=256).mode
    'all'
    """

    max_length: int = 256
    stride: int = 64
    mode: str = "all"
    aggregate: str = "mean"
    max_windows: int | None = None

    def __post_init__(self) -> None:
        if self.mode not in ("all", "first"):
            raise ValueError(f"windowing mode must be 'all' or 'first', not {self.mode!r}")
        if self.aggregate not in ("mean", "max"):
            raise ValueError(f"aggregate must be 'mean' or 'max', not {self.aggregate!r}")
        if not 0 <= self.stride < self.max_length // 2:
            raise ValueError(f"stride {self.stride} must be >= 0 and < max_length/2")


@dataclass
class Manifest:
    """Everything newsdesk needs to use a model dir beyond what transformers stores.

    ``temperature`` divides the transformer's logits before the softmax (temperature
    scaling, ``newsdesk.calibration``); 1.0, the default, leaves them as trained, so a
    manifest written before the field existed loads unchanged.
    """

    task: str
    labels: list[str] = field(default_factory=list)
    base_model: str = ""
    windowing: Windowing = field(default_factory=Windowing)
    multi_label: bool = False
    thresholds: dict[str, float] = field(default_factory=dict)
    pair_order: list[str] | None = None
    temperature: float = 1.0
    data: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=lambda: package_versions())
    format_version: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        """The task must be a registered one (``newsdesk.tasks``), and ``pair_order`` states
        what the code does, so it must say that: the task's own (``Task.pair_order``: a
        stance model reads the target as the tokenizer's first segment, the text as the
        second, so every window repeats the target; other tasks read one text). A stance
        manifest without one (written before it existed) gets it, and any other value is
        refused.

        >>> Manifest(task="stance").pair_order
        ['target', 'text']
        >>> Manifest(task="stance", pair_order=["text", "target"])
        Traceback (most recent call last):
        ...
        ValueError: pair_order ['text', 'target'] does not match the task: a stance model \
reads a (target, text) pair

        ``temperature`` must be a finite number above 0.
        """
        check_temperature(self.temperature)
        self.temperature = float(self.temperature)
        expected = get_task(self.task).pair_order
        if isinstance(self.pair_order, tuple):
            self.pair_order = list(self.pair_order)
        if self.pair_order is None:
            self.pair_order = expected
        if self.pair_order != expected:
            reads = f"a ({', '.join(expected)}) pair" if expected else "one text"
            raise ValueError(f"pair_order {self.pair_order!r} does not match the task: a "
                             f"{self.task} model reads {reads}")

    def save(self, directory: str | Path) -> Path:
        """Write ``newsdesk.json`` into ``directory``, atomically (a reader never sees half)."""
        return write_text_atomically(Path(directory) / MANIFEST_NAME,
                                     json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, directory: str | Path) -> Manifest:
        path = Path(directory) / MANIFEST_NAME
        raw = read_json_object(path, missing="a newsdesk model dir's manifest")
        return cls.from_dict(raw, where=str(path))

    @classmethod
    def from_dict(cls, raw: Any, *, where: str = MANIFEST_NAME) -> Manifest:
        if not isinstance(raw, dict):
            raise ModelError(f"{where}: the manifest must be a JSON object")
        version = raw.get("format_version")
        if version != FORMAT_VERSION:
            made_by = raw.get("versions", {}).get("newsdesk", "an unknown version")
            raise ModelError(
                f"{where}: manifest format {version!r} (written by newsdesk {made_by}) is not "
                f"format {FORMAT_VERSION}, which newsdesk {__version__} reads; re-export the "
                "model with a matching newsdesk version")
        try:
            get_task(raw.get("task"))
        except UnknownTaskError as error:
            raise ModelError(f"{where}: {error}") from None
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        try:
            values["windowing"] = Windowing(**raw.get("windowing", {}))
            return cls(**values)
        except (TypeError, ValueError) as error:
            raise ModelError(f"{where}: invalid manifest ({error})") from None


def check_temperature(value: Any) -> None:
    """A ValueError unless ``value`` is a finite number above 0 (a temperature).

    >>> check_temperature(0.0)
    Traceback (most recent call last):
    ...
    ValueError: temperature must be a finite number above 0, not 0.0
    """
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (number and math.isfinite(value) and value > 0):
        raise ValueError(f"temperature must be a finite number above 0, not {value!r}")


def dir_task(model: str | Path) -> str:
    """The task the model dir ``model`` was trained for, from its manifest; the registry's
    ``DEFAULT_TASK`` (topic) for a dir without one (plain transformers) or a hub id."""
    path = Path(model)
    if (path / MANIFEST_NAME).is_file():
        return Manifest.load(path).task
    return DEFAULT_TASK.name


def package_versions() -> dict[str, str]:
    """Versions of newsdesk, python, torch and transformers (those importable)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"newsdesk": __version__, "python": platform.python_version()}
    for name in ("torch", "transformers", "tokenizers"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found

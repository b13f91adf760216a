"""Files and folders that appear whole or not at all: the one way newsdesk writes them.

Each is written under a hidden temporary name beside its target (``.NAME.<random>.partial``,
same folder, so same file system) and renamed over the target with ``os.replace`` only
when the writing succeeded; if it fails, the temporary is removed and the target is left as
it was. The temporary is created the ordinary way (not by ``mkstemp``), so the result has
the usual permissions.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def temporary_sibling(target: Path) -> Path:
    """An unused hidden name in ``target``'s folder (nothing is created).

    >>> temporary_sibling(Path("out/report.json")).name.startswith(".report.json.")
    True
    """
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}.partial")


@contextmanager
def atomic_file(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; the file the block writes there replaces
    ``target`` when the block succeeds (the block creates it, any way it likes).

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "rows.jsonl"
    >>> with atomic_file(out) as tmp:
    ...     _ = tmp.write_text("{}\\n")
    >>> out.read_text(), [p.name for p in out.parent.iterdir()]
    ('{}\\n', ['rows.jsonl'])
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(target)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomically(target: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` through ``atomic_file``."""
    with atomic_file(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


@contextmanager
def atomic_directory(target: str | Path) -> Iterator[Path]:
    """Yield a new empty folder beside ``target``; on success it replaces ``target``.

    If the block raises, the temporary folder is removed and ``target`` is left as it was.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "report"
    >>> with atomic_directory(out) as tmp:
    ...     _ = (tmp / "a.txt").write_text("done")
    >>> (out / "a.txt").read_text()
    'done'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(target)
    tmp.mkdir()
    try:
        yield tmp
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)

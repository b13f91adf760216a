"""The one reader of a model dir's JSON files (``newsdesk.json``, ``config.json``, the
tokenizer files, ``tfidf_head.json``): one ``ModelError`` naming the file for each way it
can be wrong. It sits below ``manifest`` and ``modeldir`` so that both read through it.

>>> read_json_object(Path("/no/such/tokenizer_config.json"))
{}
>>> read_json_object(Path("/no/such/config.json"), missing="every model dir has one")
Traceback (most recent call last):
...
newsdesk.errors.ModelError: /no/such/config.json: missing (every model dir has one)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from newsdesk.errors import ModelError


def read_json_object(path: Path, *, missing: str | None = None) -> dict[str, Any]:
    """The JSON object ``path`` holds: a file that cannot be read or parsed, or that holds
    anything but a JSON object, is one ``ModelError`` naming it and saying what is wrong. A
    missing file reads as {} (an optional file) unless ``missing`` says why it must be
    there."""
    if not path.is_file():
        if missing is None:
            return {}
        raise ModelError(f"{path}: missing ({missing})")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ModelError(f"{path}: unreadable ({one_line(error)})") from None
    if not isinstance(raw, dict):
        raise ModelError(f"{path}: not a JSON object (it holds a {type(raw).__name__})")
    return raw


def one_line(error: BaseException) -> str:
    """An exception's message on one line (for error messages that quote it)."""
    return " ".join(str(error).split())

"""Where newsdesk keeps its cache (fetched wheels, extracted models, built data sets)."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "NEWSDESK_CACHE"


def cache_dir() -> Path:
    """The cache root: ``$NEWSDESK_CACHE`` if set, else ``~/.cache/newsdesk``."""
    configured = os.environ.get(CACHE_ENV)
    root = Path(configured).expanduser() if configured else Path.home() / ".cache" / "newsdesk"
    root.mkdir(parents=True, exist_ok=True)
    return root

"""Moved to ``newsdesk.metrics.bootstrap``. This alias stays only until
``benchmarks/topic_bbc.py`` (changed on another branch) imports from there; then delete it."""

from newsdesk.metrics.bootstrap import bootstrap_interval

__all__ = ["bootstrap_interval"]

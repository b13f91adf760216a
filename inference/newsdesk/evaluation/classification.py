"""Moved to ``newsdesk.metrics.classification``. This alias stays only until
``newsdesk_train/classification.py`` and ``benchmarks/topic_bbc.py`` (changed on another
branch) import from there; then delete it."""

from newsdesk.metrics.classification import classification_metrics

__all__ = ["classification_metrics"]

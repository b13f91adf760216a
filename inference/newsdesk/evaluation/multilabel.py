"""Moved to ``newsdesk.metrics.multilabel``. This alias stays only until
``newsdesk_train/classification.py`` (changed on another branch) imports from there; then
delete it."""

from newsdesk.metrics.multilabel import multilabel_metrics

__all__ = ["multilabel_metrics"]

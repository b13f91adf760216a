"""Moved to ``newsdesk.metrics.stance``. This alias stays only until
``newsdesk_train/classification.py`` (changed on another branch) imports from there; then
delete it."""

from newsdesk.metrics.stance import stance_metrics

__all__ = ["stance_metrics"]

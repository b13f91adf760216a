"""Metrics newsdesk reports, as pure functions over predictions and references.

``newsdesk.metrics.summary``: ROUGE-1/2/Lsum, length, novel bigrams, bootstrap intervals.
"""

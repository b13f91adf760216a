"""Metrics newsdesk reports, as pure functions over predictions and references.

They import nothing else from newsdesk (``tests/test_import_graph.py`` checks it);
``newsdesk.evaluation`` runs a model and composes them into a report.

- ``classification``: accuracy, macro-F1, per-class scores, confusion matrix;
- ``multilabel``: micro/macro/samples F1, subset accuracy, per-label scores;
- ``stance``: the FNC-1 score and SemEval-2016's F_avg;
- ``summary``: ROUGE-1/2/Lsum, length, novel bigrams;
- ``calibration``: expected calibration error of predicted-label confidences, and the
  negative log-likelihood temperature scaling minimises;
- ``bootstrap``: seeded bootstrap intervals for any of them;
- ``text``: words and sentences as the metrics (and the summarizers) count them.
"""

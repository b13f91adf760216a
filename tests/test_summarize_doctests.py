"""The docstring examples of the summarize and metrics modules run as tests (each module
has at least one that runs: ``summarize.encoder``'s need the real MiniLM and are skipped, so
it is not listed)."""

from __future__ import annotations

import doctest
from importlib import import_module

import pytest

MODULES = ["newsdesk.summarize", "newsdesk.summarize.clean", "newsdesk.summarize.sentences",
           "newsdesk.summarize.budget", "newsdesk.summarize.ranking",
           "newsdesk.summarize.extractive", "newsdesk.summarize.summarizer",
           "newsdesk.summarize.oracle", "newsdesk.summarize.scorer",
           "newsdesk.summarize.stop_words", "newsdesk.pooling",
           "newsdesk.metrics.summary", "newsdesk.metrics.text", "newsdesk.metrics.bootstrap",
           "newsdesk.metrics.stance", "newsdesk.metrics.classification",
           "newsdesk.metrics.multilabel"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(import_module(name))
    assert result.attempted > 0 and result.failed == 0

"""The docstring examples of the summarize and metrics modules run as tests."""

from __future__ import annotations

import doctest
from importlib import import_module

import pytest

MODULES = ["newsdesk.summarize", "newsdesk.summarize.clean", "newsdesk.summarize.sentences",
           "newsdesk.summarize.budget", "newsdesk.summarize.ranking",
           "newsdesk.summarize.extractive", "newsdesk.summarize.summarizer",
           "newsdesk.summarize.encoder", "newsdesk.metrics.summary"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(import_module(name))
    assert result.failed == 0

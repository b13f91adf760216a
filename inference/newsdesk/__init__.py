"""newsdesk: topic, stance and summaries for news, on a laptop CPU or a GPU.

Heavy parts (torch, transformers) load on first use, so ``import newsdesk`` and
``newsdesk --help`` stay fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

#: The public names loaded on first use, and the module each comes from (the import-graph
#: test reads it: a `from newsdesk import X` is an edge to that module).
LAZY_IMPORTS = {
    "TopicClassifier": "newsdesk.classifier",
    "StanceClassifier": "newsdesk.classifier",
    "Prediction": "newsdesk.prediction",
    "NewsDesk": "newsdesk.desk",
    "Analysis": "newsdesk.desk",
    "Summarizer": "newsdesk.summarize",
    # the cross-encoder of a fine-tuned extractive summary dir (newsdesk.tasks: its kind)
    "SentenceScorer": "newsdesk.summarize.scorer",
    # the one-pass sentence tagger of a fine-tuned extractive summary dir (BertSumExt)
    "SentenceTagger": "newsdesk.summarize.tagger",
    "Record": "newsdesk.data",
    "read_records": "newsdesk.data",
    # a model dir (or alias) as the class its manifest's task names: newsdesk.tasks
    "load": "newsdesk.modeldir",
}


def __getattr__(name: str) -> Any:
    if name in LAZY_IMPORTS:
        return getattr(import_module(LAZY_IMPORTS[name]), name)
    raise AttributeError(f"module 'newsdesk' has no attribute {name!r}")


__all__ = ["__version__", *LAZY_IMPORTS]

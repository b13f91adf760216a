"""Short summaries of news articles: extractive out of the box, one cleaned sentence stream.

>>> from newsdesk.summarize import Summarizer
>>> Summarizer.extractive("lead", k=1).summarize(
...     ["Islamabad, Pakistan - Pakistan closed two border crossings. Trade stopped."])
['Pakistan closed two border crossings.']

Modules: ``clean`` and ``patterns`` (what is not article prose), ``sentences`` (the
cleaned pysbd sentence stream), ``budget`` (``max_words``), ``ranking`` (TextRank and
centroid orders), ``encoder`` (MiniLM sentence vectors), ``extractive`` (the methods),
``scorer`` (the fine-tuned extractor: a sentence scorer dir), ``oracle`` (the sentences
that best match a known reference), ``summarizer`` (the public ``Summarizer``).
"""

from newsdesk.metrics.text import split_sentences
from newsdesk.summarize.sentences import article_sentences
from newsdesk.summarize.summarizer import DEFAULT_MAX_WORDS, Summarizer, SummaryBackend

__all__ = ["DEFAULT_MAX_WORDS", "Summarizer", "SummaryBackend", "article_sentences",
           "split_sentences"]

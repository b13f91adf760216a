"""Words and sentences as newsdesk counts them: in metrics, and in the summarizers' word
budget and sentence stream, which import them from here so the two never differ.

>>> count_words("Rates rose. Prices fell."), split_sentences("Rates rose. Prices fell.")
(4, ['Rates rose.', 'Prices fell.'])
"""

from __future__ import annotations

import functools
from typing import Any


def count_words(text: str) -> int:
    """Words as a reader counts them: runs of non-space characters.

    >>> count_words("  Two   words ")
    2
    """
    return len(text.split())


@functools.lru_cache(maxsize=1)
def _segmenter() -> Any:  # a pysbd.Segmenter; pysbd loads on first use
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """pysbd's sentences of ``text``, stripped; thread-safe (no shared segmenter state).

    >>> split_sentences("Sen. Warren spoke on Feb. 7. Then she left.")
    ['Sen. Warren spoke on Feb. 7.', 'Then she left.']
    """
    if not text.strip():
        return []
    # Segmenter.segment stores the text on the shared object; its processor does not.
    sentences = _segmenter().processor(text).process()
    return [s.strip() for s in sentences if s.strip()]

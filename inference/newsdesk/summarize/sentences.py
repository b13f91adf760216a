"""The one cleaned sentence stream every summarizer (and ROUGE-Lsum) reads.

Sentences are split with pysbd (``newsdesk.metrics.text.split_sentences``, the splitter
ROUGE-Lsum reads summaries with), which costs about 5 ms per 1,000 characters. Summaries
come from the top of an article, so :func:`article_sentences` cuts the cleaned text into
short chunks at safe boundaries and segments only as many chunks as the ``limit`` of
sentences needs: a long article costs no more than a short one.

>>> article_sentences("MOSCOW, March 7. /TASS/. Mr. Lavrov spoke. He left. Read more")
['Mr. Lavrov spoke.', 'He left.']
>>> article_sentences("One. Two is here. Three is here.", limit=1)
['Two is here.']
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from newsdesk.metrics.text import split_sentences
from newsdesk.summarize.clean import blocks, clean_text, keep_sentence

#: Characters per pysbd call when segmenting lazily (a few sentences).
CHUNK_CHARS = 600
#: Without a safe cut this far in, a chunk ends at a space (or here): pysbd's input and
#: the cost of an article stay bounded even for a megabyte without a full stop.
MAX_CHUNK_CHARS = 4 * CHUNK_CHARS
# A closing quote that pysbd put at the start of the next sentence.
_SPLIT_QUOTE = re.compile(r"[\"'”’](?:\s|$)")
# A safe place to cut before segmenting: after a lower-case word of 4+ letters (never an
# abbreviation like "Sen." or "Feb.") and its full stop, before a capital or a quote.
_SAFE_CUT = re.compile(r"(?<=[a-z]{4}[.!?])[\"'”’]?\s+(?=[\"'“‘]?[A-Z])")


def tidy(sentences: list[str]) -> list[str]:
    """Sentences with stray leading dashes gone and a split-off closing quote put back.

    pysbd sometimes cuts between a full stop and its closing quote (``said "no.`` +
    ``" Then``); the quote goes back to the sentence it closes.

    >>> tidy(['He said "no.', '" Then he left.', '- Later.'])
    ['He said "no."', 'Then he left.', 'Later.']
    """
    out: list[str] = []
    for sentence in sentences:
        if _SPLIT_QUOTE.match(sentence) and out:
            out[-1] += sentence[0]
            sentence = sentence[1:]
        sentence = sentence.lstrip(" -–—")
        if sentence:
            out.append(sentence)
    return out


def chunks(block: str, size: int = CHUNK_CHARS,
           longest: int = MAX_CHUNK_CHARS) -> Iterator[str]:
    """``block`` cut at safe sentence ends into pieces of about ``size`` characters.

    A piece that finds no safe end by ``longest`` characters ends at its last space.

    >>> list(chunks("Rain fell today. Wind rose later.", size=5))
    ['Rain fell today.', 'Wind rose later.']
    >>> list(chunks("aaa bbb ccc ddd", size=1, longest=8))
    ['aaa bbb', 'ccc ddd']
    >>> list(chunks("x" * 9, size=1, longest=4))
    ['xxxx', 'xxxx', 'x']
    """
    start = 0
    while len(block) - start > size:
        end, resume = _next_cut(block, start, size, longest)
        if end is None:
            break
        yield block[start:end].strip()
        start = resume
    if block[start:].strip():
        yield block[start:].strip()


def _next_cut(block: str, start: int, size: int, longest: int) -> tuple[int | None, int]:
    """(end of this piece, start of the next), or (None, start) for "the rest is one"."""
    cut = _SAFE_CUT.search(block, start + size, start + longest)
    if cut is not None:
        return cut.start() + len(cut.group().rstrip()), cut.end()
    if len(block) - start <= longest:
        return None, start
    space = block.rfind(" ", start + 1, start + longest)
    if space > start:
        return space, space + 1
    return start + longest, start + longest


def article_sentences(text: str, limit: int | None = None) -> list[str]:
    """The cleaned sentences of an article, in order; at most ``limit`` of them.

    Datelines, bylines, captions, links and promos are gone (see ``newsdesk.summarize.clean``).
    """
    kept: list[str] = []
    for block in blocks(clean_text(text)):
        for piece in chunks(block):
            kept.extend(s for s in tidy(split_sentences(piece)) if keep_sentence(s))
            if limit is not None and len(kept) >= limit:
                return kept[:limit]
    return kept

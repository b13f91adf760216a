"""Article cleaning: repair broken characters and strip what is not article prose.

Every summarizer reads the same cleaned text, so a dateline, a byline or a "Learn more"
promo never becomes a summary. Cleaning runs in two stages, both pure string functions:

- text level, before sentence splitting: :func:`clean_text` repairs the mojibake of the
  news-articles corpus (a run of spaces becomes a paragraph break), removes share bars,
  the opening dateline and trailing credits; :func:`blocks` cuts the text at paragraph
  breaks and after photo credits;
- sentence level, after splitting: :func:`keep_sentence` drops bylines, links, promos,
  captions and fragments without closing punctuation.

>>> clean_text('MOSCOW, February 7. /TASS/. Russia said so.-"It is fine,"?he said.')
'Russia said so. "It is fine," he said.'
>>> keep_sentence("ABC News' Jane Roe contributed to this report.")
False
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from newsdesk.summarize.patterns import (
    AGENCIES,
    BOILERPLATE,
    CAPTION_CREDIT,
    DATELINES,
    SHARE_BARS,
    TRAILERS,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_DASH_MOJIBAKE = re.compile(r'(?:\s+|-)"\?\s*')
_QUOTE_MOJIBAKE = re.compile(r'"\?|"')
_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\"(?=[a-z])")
_BROKEN_LETTER = re.compile(r"(?<=[A-Za-z\s(])\?(?=\w)")
_GLUED_DASH = re.compile(r"(?<=[.!?:;,\"')\]])-+(?=\s|[\"'A-Z(\[]|$)")
_SPACES = re.compile(r"[^\S\n]+")
_AGENCY_TAIL = re.compile(r"\s*(?P<initials>\b[a-z]{1,5}(?:/[a-z]{1,5}){1,3})?[\s-]{0,3}"
                          r"\((?P<names>[^()]{2,60})\)[\s.-]{0,5}$")
_INITIALS_TAIL = re.compile(r"\s+[a-z]{1,5}(?:/[a-z]{1,5}){1,3}[\s.-]{0,5}$")
#: Trailers are looked for in the last this many characters (a long text stays linear).
TAIL_CHARS = 2000
_SPACE_BREAK = re.compile(r"[^\S\n]{2,}(?![a-z])")
#: A line at least this long that ends mid-sentence is a wrapped line, not a heading.
UNWRAP_MIN_CHARS = 50
_TERMINAL = re.compile(r"[.!?…。！？؟।][\"'”’」』)\]]*$")
_WORD = re.compile(r"[^\W\d_]{2,}")  # a run of two or more letters, in any script
# Chinese and Japanese write no spaces between words: each character counts as one.
_IDEOGRAPH = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def repair_text(text: str) -> str:
    """Undo the corpus' broken characters; spaces normalised, newlines kept.

    In news-articles a curly quote or dash followed by a space became ``"?``, a
    non-breaking space after punctuation became ``-``, an apostrophe sometimes ``"`` and
    an accented letter ``?`` (now U+FFFD, so that it ends no sentence). An opening ``"``
    before a broken ``"?`` makes it a closing quote, otherwise it was an apostrophe.

    >>> repair_text('teachers"?unions said "no"?and left.-Then')
    'teachers\\' unions said "no" and left. Then'
    >>> repair_text('humans "?or at least')
    'humans — or at least'
    >>> repair_text("They left.   Night Hunters")   # a run of spaces ends a paragraph
    'They left.\\nNight Hunters'
    >>> repair_text('They don"t know. Bus ?ireann staff')
    "They don't know. Bus \\ufffdireann staff"
    """
    text = _CONTROL.sub("", unwrap_lines(text))
    text = _DASH_MOJIBAKE.sub(" — ", text)
    text = _APOSTROPHE.sub("'", text)
    text = _repair_quotes(text)
    text = _BROKEN_LETTER.sub("\ufffd", text.replace("RT? ", "RTÉ "))
    text = _GLUED_DASH.sub(" ", text)
    return _tidy_lines(_SPACE_BREAK.sub("\n", text))


def unwrap_lines(text: str) -> str:
    """Join hard-wrapped lines: a break inside a paragraph after a line that ends mid-sentence.

    A line is continued when it has no closing punctuation and is either long (a wrapped
    line, not a heading) or followed by a lower-case start; blank lines always separate.

    >>> unwrap_lines("Profits at the bank rose 5% in the three months to the end of\\nSeptember.")
    'Profits at the bank rose 5% in the three months to the end of September.'
    >>> unwrap_lines("Bank profits rise\\n\\nProfits rose.\\nShares fell.")
    'Bank profits rise\\n\\nProfits rose.\\nShares fell.'
    """
    out: list[str] = []
    for line in text.split("\n"):
        previous = out[-1].strip() if out else ""
        current = line.strip()
        if previous and current and not _TERMINAL.search(previous) and (
                len(previous) >= UNWRAP_MIN_CHARS or current[0].islower()):
            out[-1] = f"{out[-1].rstrip()} {current}"
        else:
            out.append(line)
    return "\n".join(out)


def _tidy_lines(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _repair_quotes(text: str) -> str:
    pieces, open_quote = [], False
    last = 0
    for match in _QUOTE_MOJIBAKE.finditer(text):
        pieces.append(text[last:match.start()])
        if match.group() == '"':
            open_quote = not open_quote
            pieces.append('"')
        else:
            pieces.append('" ' if open_quote else "' ")
            open_quote = False
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def strip_dateline(text: str) -> str:
    """The text without an opening dateline ("MOSCOW, March 7. /TASS/.", "Tehran - ").

    >>> strip_dateline("Islamabad, Pakistan - Pakistan has closed two crossings.")
    'Pakistan has closed two crossings.'
    >>> strip_dateline("The ban did not happen in one day - and it goes on.")
    'The ban did not happen in one day - and it goes on.'
    """
    for pattern in DATELINES:
        text = pattern.sub("", text, count=1)
    return text.lstrip(" -—–")


def strip_trailer(text: str) -> str:
    """The text without trailing credits and promos ("mb/jm (AFP, dpa)", "Learn more").

    >>> strip_trailer("The vote is on Monday. mb/jm (AFP, dpa) Source: Al Jazeera -")
    'The vote is on Monday.'
    """
    cut = max(0, len(text) - TAIL_CHARS)
    head, tail = text[:cut], text[cut:]
    previous = None
    while previous != tail:
        previous = tail
        for pattern in TRAILERS:
            tail = pattern.sub("", tail)
        tail = _strip_agency_tail(tail).rstrip(" -–—")
    return (head + tail).rstrip()


def _strip_agency_tail(text: str) -> str:
    match = _AGENCY_TAIL.search(text)
    if match:
        names = re.split(r"\s*(?:,|/|\band\b)\s*", match["names"].strip())
        if match["initials"] or all(name.lower() in AGENCIES for name in names if name):
            return text[:match.start()]
    return _INITIALS_TAIL.sub("", text)


def clean_text(text: str) -> str:
    """Repaired text without share bars, opening dateline and trailing credits."""
    text = repair_text(text)
    for pattern in SHARE_BARS:
        text = pattern.sub(" ", text)
    return strip_trailer(strip_dateline(_tidy_lines(text)))


def blocks(text: str) -> Iterator[str]:
    """Stretches of text no sentence crosses: lines, and a caption up to its photo credit.

    >>> list(blocks("Crowds gathered [Jo Bloggs/Al Jazeera] The army came.\\nPolice said so."))
    ['Crowds gathered [Jo Bloggs/Al Jazeera]', 'The army came.', 'Police said so.']
    """
    text = CAPTION_CREDIT.sub(lambda m: m.group() + "\n", text)
    for block in text.split("\n"):
        if block.strip():
            yield block.strip()


def is_fragment(sentence: str) -> bool:
    """True for a heading, link title or caption: no closing punctuation, or few words.

    >>> is_fragment("Путин прибыл в Анкару."), is_fragment("会谈于周一开始。")
    (False, False)
    """
    if not _TERMINAL.search(sentence):
        return True
    ideographs = len(_IDEOGRAPH.findall(sentence))
    words = len(_WORD.findall(_IDEOGRAPH.sub(" ", sentence)))
    return words + ideographs < 2


def keep_sentence(sentence: str) -> bool:
    """False for boilerplate (bylines, links, promos, captions) and fragments.

    >>> keep_sentence("The army said it had taken the town.")
    True
    >>> keep_sentence("READ MORE: Who produced the VX poison that killed Kim Jong-nam?")
    False
    """
    if is_fragment(sentence) or CAPTION_CREDIT.search(sentence):
        return False
    return not any(pattern.search(sentence) for pattern in BOILERPLATE)

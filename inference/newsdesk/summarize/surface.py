"""Readable text from an uncased word-piece decoder: spacing and capitals put back.

A BERT vocabulary such as MiniLM's is lower-cased and splits punctuation off, so decoding a
generated summary gives ``"the u. s. plan, " co - op " costs $ 3. 5bn"``. :func:`tidy_pieces`
rejoins what the tokenizer split (decimals, initials, brackets, quotes, hyphens that the
article spells joined) and :func:`restore_case` takes each word's capitals from the article
it summarises (the spelling used there most often), then capitalises sentence starts.
ROUGE and the novel-bigram share ignore case and punctuation, so neither changes a score.

>>> article = "The U.S. plan for the co-op costs $3.5bn, Ms. Lee said."
>>> readable('the u. s. plan, " co - op " costs $ 3. 5bn', article)
'The U.S. plan, "co-op" costs $3.5bn'
"""

from __future__ import annotations

import re
from collections import Counter

_NUMBER_GAP = re.compile(r"(?<=\d)([.,:]) (?=\d)")
_INITIALS = re.compile(r"\b([a-z])\. (?=[a-z]\.)")
_BEFORE_CLOSE = re.compile(r" (?=[.,;:!?%)\]}])")
_AFTER_OPEN = re.compile(r"(?<=[(\[{$£€]) ")
_HYPHEN = re.compile(r"(\w+) - (\w+)")
_WORD = re.compile(r"\w+")
#: Matches when a word at this point opens a sentence (text start or after . ! ?).
_OPENING = re.compile(r"(?:^|[.!?][\"'”’)\]]*\s+[\"'“‘(\[]*)\Z")
_FIRST_LETTER = re.compile(r"^([^A-Za-z]*)([a-z])")


def tidy_pieces(text: str, article: str = "") -> str:
    """``text`` with the spaces a word-piece decoder adds around punctuation removed.

    ``a - b`` becomes ``a-b`` when the article (any case) spells it so; quotes pair up.

    >>> tidy_pieces("it rose 1, 000 ( 3. 5 % ) in the u. s.")
    'it rose 1,000 (3.5%) in the u.s.'
    """
    text = " ".join(text.split())
    text = _NUMBER_GAP.sub(r"\1", text)
    text = _INITIALS.sub(r"\1.", text)
    text = _BEFORE_CLOSE.sub("", text)
    text = _AFTER_OPEN.sub("", text)
    lowered = article.lower()
    text = _HYPHEN.sub(lambda m: (f"{m[1]}-{m[2]}" if f"{m[1]}-{m[2]}".lower() in lowered
                                  else m[0]), text)
    return _pair_quotes(text)


def _pair_quotes(text: str) -> str:
    """``" a "`` -> ``"a"``: quotes open and close in turn, hugging what they quote."""
    segments = text.split('"')
    for k in range(len(segments) - 1):  # quote k sits between segments k and k + 1
        if k % 2 == 0:
            segments[k + 1] = segments[k + 1].lstrip()
        else:
            segments[k] = segments[k].rstrip()
    return '"'.join(segments)


def case_forms(article: str) -> dict[str, str]:
    """Lower-cased word -> its most frequent spelling in ``article`` (first seen on ties).

    A word's first letter after a full stop says nothing about its case, so sentence
    openings are not counted.

    >>> forms = case_forms("The EU met. NATO met. Nato said NATO and the EU would act.")
    >>> forms["nato"], forms["the"], forms["eu"]
    ('NATO', 'the', 'EU')
    """
    counts: Counter[str] = Counter()
    for match in _WORD.finditer(article):
        if not _OPENING.search(article, max(0, match.start() - 12), match.start()):
            counts[match[0]] += 1
    forms: dict[str, str] = {}
    for word, count in counts.items():  # Counter keeps first-seen order
        key = word.lower()
        if key not in forms or count > counts[forms[key]]:
            forms[key] = word
    return forms


def restore_case(text: str, article: str) -> str:
    """Each word spelt as the article spells it most often; sentences start capitalised.

    >>> restore_case("nato and the eu met in brussels. they agreed.",
    ...              "The EU and NATO met in Brussels on Monday.")
    'NATO and the EU met in Brussels. They agreed.'
    """
    from newsdesk.metrics.text import split_sentences

    forms = case_forms(article)
    text = _WORD.sub(lambda m: forms.get(m[0].lower(), m[0]), text)
    return " ".join(_capitalise(sentence) for sentence in split_sentences(text))


def _capitalise(sentence: str) -> str:
    return _FIRST_LETTER.sub(lambda m: m[1] + m[2].upper(), sentence, count=1)


def readable(text: str, article: str) -> str:
    """A decoded uncased summary made readable: :func:`tidy_pieces`, then case."""
    return restore_case(tidy_pieces(text, article), article)

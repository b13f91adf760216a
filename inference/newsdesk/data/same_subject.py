"""Other stories about the same subject: the hardest ``unrelated`` bodies for a headline.

A story's *same-subject partner* is another story of the same list that shares named
entities or many content words with it, but is not the same event told again. Cheap and
deterministic (no model, no network):

- **names**: runs of two or more capitalised words (``Kostas Kenteris``, ``House of
  Lords``), lower-cased, with leading stop words dropped (``But Theresa May`` -> ``theresa
  may``); a possessive ends a name (``Gordon Brown's Budget`` -> ``gordon brown``). A
  story's names come from its headline and its body's lead (the first ``LEAD_WORDS`` words:
  what a cross-encoder reads), a partner's from its lead. Names in the leads of more than
  ``COMMON_NAME_SHARE`` of the corpus (and of at least ``COMMON_NAME_MIN`` articles, so a
  small corpus keeps its names) do not count: they say little about a subject (``president
  donald trump``, ``white house``, ``tony blair``) or are the publisher's own (``al
  jazeera``, ``bbc sport``). DW's share bar inside its bodies (``Send Facebook Twitter
  Google+ ... Newsvine Permalink <url>``) is cut out first, for names and cosines alike;
- **content words**: the cosine of the two bodies' TF-IDF vectors (sublinear tf, English
  stop words, fit on the bodies of the whole corpus), rounded to 6 places so that a cut
  never depends on the last bit of a float sum.

Same subject: ``MIN_SHARED_NAMES`` shared names and a body cosine of ``MIN_COSINE`` (which
drops pairs that share only boilerplate such as share buttons), or one shared name and a
body cosine of ``NAMED_SUBJECT_COSINE``, or a body cosine of ``SUBJECT_COSINE``. The same
event (a copy from another publisher, a rewrite, the same story filed twice; these are *not*
unrelated, so they are never partners): a body cosine of ``COPY_COSINE`` or more, a
headline cosine of ``COPY_HEADLINE_COSINE`` or more, or, for dated stories, publication
within ``SAME_EVENT_DAYS`` days and a body cosine of ``SAME_EVENT_COSINE`` or more.
The candidates left are ranked by shared names, then body cosine (both highest first), then
id.

>>> sorted(names_in("But Theresa May met the House of Lords and Nicola Sturgeon's team."))
['house of lords', 'nicola sturgeon', 'theresa may']
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import numpy as np

WORD = r"[A-Z](?:[\w-]|['’](?!s\b))*"  # O'Callaghan; a possessive 's ends the name
NAME = re.compile(rf"{WORD}(?: (?:of )?{WORD})+")
SHARE_BAR = re.compile(r"Send Facebook Twitter Google\+.{0,200}?Newsvine Permalink \S*")
LEAD_WORDS = 130
COMMON_NAME_SHARE = 0.01
COMMON_NAME_MIN = 10
MIN_SHARED_NAMES = 2
MIN_COSINE = 0.1
NAMED_SUBJECT_COSINE = 0.2
SUBJECT_COSINE = 0.3
COPY_COSINE = 0.5
COPY_HEADLINE_COSINE = 0.5
SAME_EVENT_DAYS = 1
SAME_EVENT_COSINE = 0.2


class Story(Protocol):
    """What the search reads of an article; ``date`` is ISO (``2017-02-13``) or empty."""

    @property
    def id(self) -> str: ...
    @property
    def headline(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def date(self) -> str: ...


@dataclass(frozen=True)
class PlainStory:
    """A ``Story`` from plain strings (a training body, a test's article)."""

    id: str
    headline: str
    body: str
    date: str = ""


@dataclass(frozen=True)
class CorpusStatistics:
    """What the search knows of the whole corpus: its TF-IDF fit and its common names."""

    vectorizer: Any
    common_names: frozenset[str]


@dataclass(frozen=True)
class Partner:
    """A story's same-subject partner and why it was taken."""

    id: str
    shared_names: tuple[str, ...]
    body_cosine: float
    headline_cosine: float


def names_in(text: str) -> frozenset[str]:
    """Named entities as runs of capitalised words (see the module docstring).

    >>> sorted(names_in("In London, Gordon Brown's Budget met Jim O'Callaghan. Rates rose."))
    ['gordon brown', "jim o'callaghan"]
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    names = set()
    for match in NAME.finditer(text):
        words = match.group(0).lower().split()
        while words and words[0] in ENGLISH_STOP_WORDS:
            words.pop(0)
        if len(words) >= 2:
            names.add(" ".join(words))
    return frozenset(names)


def without_boilerplate(body: str) -> str:
    """``body`` less a share bar a publisher left in it.

    >>> without_boilerplate("Rates rose. Send Facebook Twitter Google+ Whatsapp Tumblr "
    ...                     "linkedin Newsvine Permalink http://dw.com/p/2W Banks fell.")
    'Rates rose.  Banks fell.'
    """
    return SHARE_BAR.sub("", body)


def lead(text: str, words: int = LEAD_WORDS) -> str:
    """The first ``words`` words of ``text``.

    >>> lead("one two three", 2)
    'one two'
    """
    return " ".join(text.split()[:words])


def corpus_statistics(bodies: Iterable[str]) -> CorpusStatistics:
    """The TF-IDF fit (in sorted order) and the common names of a corpus's bodies."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    distinct = sorted({without_boilerplate(body) for body in bodies})
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit(distinct)
    counts = Counter(name for body in distinct for name in names_in(lead(body)))
    common = frozenset(n for n, c in counts.items()
                       if c > COMMON_NAME_SHARE * len(distinct) and c >= COMMON_NAME_MIN)
    return CorpusStatistics(vectorizer, common)


def cosine_matrix(vectorizer: Any, texts: Sequence[str]) -> np.ndarray:
    """Pairwise cosines of ``texts`` (rows are L2-normalised), rounded to 6 places."""
    vectors = vectorizer.transform(list(texts))
    return np.round((vectors @ vectors.T).toarray(), 6)


def is_same_event(body_cosine: float, headline_cosine: float, days_apart: int | None,
                  same_event_cosine: float = SAME_EVENT_COSINE) -> bool:
    """A copy, rewrite or second filing of one story: never an unrelated partner.
    ``same_event_cosine`` is the body cosine that makes stories within a day one event
    (``news_sections`` groups stories with a stricter one: see there).

    >>> is_same_event(0.55, 0.0, None), is_same_event(0.25, 0.1, 1), is_same_event(0.25, 0.1, 9)
    (True, True, False)
    >>> is_same_event(0.25, 0.1, 1, same_event_cosine=0.3)
    False
    """
    return (body_cosine >= COPY_COSINE or headline_cosine >= COPY_HEADLINE_COSINE
            or (days_apart is not None and days_apart <= SAME_EVENT_DAYS
                and body_cosine >= same_event_cosine))


def is_same_subject(shared_names: int, body_cosine: float) -> bool:
    """Enough shared names, or enough shared content words (never under ``MIN_COSINE``).

    >>> is_same_subject(2, 0.1), is_same_subject(2, 0.05), is_same_subject(1, 0.2)
    (True, False, True)
    """
    return ((shared_names >= MIN_SHARED_NAMES and body_cosine >= MIN_COSINE)
            or (shared_names >= 1 and body_cosine >= NAMED_SUBJECT_COSINE)
            or body_cosine >= SUBJECT_COSINE)


@dataclass(frozen=True)
class StoryCosines:
    """What ``is_same_event`` reads of every pair of a list of stories: the TF-IDF cosines
    of their bodies (share bars cut out) and of their headlines (``cosine_matrix``), and
    their publication dates. The one way the same-entity slice and the training's mined
    negatives (``newsdesk_train.mining``) tell the same event told twice."""

    bodies: np.ndarray
    headlines: np.ndarray
    dates: tuple[date | None, ...]

    @classmethod
    def of(cls, stories: Sequence[Story], corpus: CorpusStatistics) -> StoryCosines:
        """The cosines of ``stories`` in their order (row ``i`` is ``stories[i]``)."""
        return cls(cosine_matrix(corpus.vectorizer,
                                 [without_boilerplate(s.body) for s in stories]),
                   cosine_matrix(corpus.vectorizer, [s.headline for s in stories]),
                   tuple(date.fromisoformat(s.date) if s.date else None for s in stories))

    def days_apart(self, i: int, j: int) -> int | None:
        """Days between stories ``i`` and ``j``; None unless both are dated."""
        first, second = self.dates[i], self.dates[j]
        return abs((first - second).days) if first and second else None

    def same_event(self, i: int, j: int) -> bool:
        """Whether stories ``i`` and ``j`` tell one event (``is_same_event``)."""
        return is_same_event(self.bodies[i, j], self.headlines[i, j], self.days_apart(i, j))


def same_subject_partners(stories: Sequence[Story], corpus: CorpusStatistics,
                          limit: int = 1) -> dict[str, list[Partner]]:
    """Each story's best ``limit`` partners among the other ``stories``, best first
    (stories without one are absent)."""
    ordered = sorted(stories, key=lambda s: s.id)
    texts = [without_boilerplate(s.body) for s in ordered]
    cosines = StoryCosines.of(ordered, corpus)
    own_names = [names_in(f"{s.headline}. {lead(text)}") - corpus.common_names
                 for s, text in zip(ordered, texts)]
    lead_names = [names_in(lead(text)) - corpus.common_names for text in texts]
    partners: dict[str, list[Partner]] = {}
    for i, story in enumerate(ordered):
        found = []
        for j in np.flatnonzero(cosines.bodies[i] >= MIN_COSINE):  # every route needs it
            shared = own_names[i] & lead_names[j]
            if (i != j and is_same_subject(len(shared), cosines.bodies[i, j])
                    and not cosines.same_event(i, j)):
                found.append(Partner(ordered[j].id, tuple(sorted(shared)),
                                     float(cosines.bodies[i, j]),
                                     float(cosines.headlines[i, j])))
        found.sort(key=lambda p: (-len(p.shared_names), -p.body_cosine, p.id))
        if found:
            partners[story.id] = found[:limit]
    return partners

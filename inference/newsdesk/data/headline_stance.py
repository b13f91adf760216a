"""``headline-stance``: FNC-1 style related/unrelated pairs from real headlines and bodies.

Each usable article of ``bbc-news`` and ``news-articles`` gives three pairs, all with its
headline as ``target``:

- its own body: ``related`` (kind ``related``);
- the body of another article of the same group (BBC: topic; news-articles: publisher):
  ``unrelated`` (kind ``hard``);
- the body of an article of another group in the same corpus: ``unrelated`` (kind ``easy``).

Version 2 adds, for each headline of the validation and test splits, the bodies of up to
two other stories of the same corpus and split about the same subject (shared names or
many shared content words, never the same event told again: ``newsdesk.data.same_subject``):
``unrelated``, kind ``same-entity``, with the evidence in ``meta`` (``shared_names``,
``body_cosine``). Version 1's pairs are kept as they were, ids included; the training split
is the same in both versions. ``load("headline-stance@1")`` reads version 1.

Negatives are drawn from the article's own split, so every body stays in the split its
article has in the source set: no body is in two splits. The draw uses ``random.Random``
seeded per corpus and split from a sha256 of the seed, over articles sorted by id, so it is
the same on every machine. An article is skipped (and counted) when its headline is empty or
shared with another article of its corpus, or its body has fewer than ``MIN_BODY_WORDS``
words (the CSV fragments of news-articles: ``-1``, ``View Comments``).

>>> pairs = build_pairs([Article("bbc-news", "a", "sport", "Reds win", "Body a.", "train"),
...                      Article("bbc-news", "b", "sport", "Blues lose", "Body b.", "train"),
...                      Article("bbc-news", "c", "tech", "Chips shrink", "Body c.", "train")])
>>> [(r.id, r.text) for r in pairs if r.meta["headline_id"] == "a"]
[('hs-a-related', 'Body a.'), ('hs-a-hard', 'Body b.'), ('hs-a-easy', 'Body c.')]
"""

from __future__ import annotations

import logging
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from newsdesk.data.records import Record
from newsdesk.data.splits import SPLITS, stable_hash

logger = logging.getLogger(__name__)

SEED = "headline-stance-v1"
MIN_BODY_WORDS = 20
KINDS = ("related", "hard", "easy")
SAME_ENTITY = "same-entity"
#: Splits that get same-entity pairs: an evaluation slice, so training data stay as in v1.
SAME_ENTITY_SPLITS = ("validation", "test")
SAME_ENTITY_PER_HEADLINE = 2
VERSION = 2


@dataclass(frozen=True)
class Article:
    """One article as the pairing sees it: ``group`` decides hard vs easy negatives.

    >>> Article("bbc-news", "bbc-tech-001", "tech", "Chips shrink", "Body.", "train").group
    'tech'
    """

    corpus: str
    id: str
    group: str
    headline: str
    body: str
    split: str
    date: str = ""


@dataclass
class PairReport:
    """Articles used and skipped per corpus, and negatives that found no candidate.

    >>> report = PairReport()
    >>> report.skipped[("bbc-news", "shared headline")] += 2
    >>> report.summary()
    'articles used: none; skipped: bbc-news shared headline 2'
    """

    used: Counter[str] = field(default_factory=Counter)
    skipped: Counter[tuple[str, str]] = field(default_factory=Counter)
    no_candidate: Counter[tuple[str, str]] = field(default_factory=Counter)

    def summary(self) -> str:
        skipped = ", ".join(f"{c} {reason} {n}" for (c, reason), n in sorted(self.skipped.items()))
        used = ", ".join(f"{c} {n}" for c, n in sorted(self.used.items()))
        return f"articles used: {used or 'none'}; skipped: {skipped or 'none'}"


def build(bbc_records: Iterable[Record], news_records: Iterable[Record],
          report: PairReport | None = None, *, version: int = VERSION) -> list[Record]:
    """All pairs of ``version`` from the records of the two built-in corpora (``bbc-news``
    and ``news-articles``, all splits), with their split in ``meta['split']``."""
    from newsdesk.data.bbc import body_of

    if version not in (1, 2):
        raise ValueError(f"headline-stance has versions 1 and 2, not {version}")
    report = report if report is not None else PairReport()
    bbc = [Article("bbc-news", r.id, str(r.label), r.title or "", body_of(r), r.meta["split"])
           for r in bbc_records]
    news = [Article("news-articles", r.id, r.meta["source"], r.title or "", r.text,
                    r.meta["split"], r.meta["publish_date"]) for r in news_records]
    articles = usable_articles(bbc, report) + usable_articles(news, report)
    pairs = build_pairs(articles, report)
    if version >= 2:
        pairs += same_entity_pairs(articles, report)
    logger.info("headline-stance v%d: %s", version, report.summary())
    return pairs


def usable_articles(articles: Iterable[Article], report: PairReport) -> list[Article]:
    """Articles with a headline of their own and a body of ``MIN_BODY_WORDS`` words.

    A headline shared by two or more articles of a corpus says nothing about one body (a
    story filed twice, or a column title such as 'Quotable'), so all of them are skipped.
    """
    ordered = sorted(articles, key=lambda a: a.id)
    uses = Counter(a.headline.lower() for a in ordered)
    kept: list[Article] = []
    for article in ordered:
        reason = ("no headline" if not article.headline.strip()
                  else "shared headline" if uses[article.headline.lower()] > 1
                  else "short body" if len(article.body.split()) < MIN_BODY_WORDS
                  else None)
        if reason:
            report.skipped[(article.corpus, reason)] += 1
        else:
            report.used[article.corpus] += 1
            kept.append(article)
    return kept


def build_pairs(articles: Iterable[Article], report: PairReport | None = None) -> list[Record]:
    """Related, hard and easy pairs for each article, drawn within corpus and split."""
    report = report if report is not None else PairReport()
    cells: dict[tuple[str, str], list[Article]] = defaultdict(list)
    for article in articles:
        cells[(article.corpus, article.split)].append(article)
    pairs: list[Record] = []
    for corpus, split in sorted(cells, key=lambda c: (c[0], SPLITS.index(c[1]))):
        members = sorted(cells[(corpus, split)], key=lambda a: a.id)
        rng = random.Random(int(stable_hash(f"{corpus}/{split}", SEED)[:16], 16))
        pairs.extend(_pairs_of_cell(members, rng, report))
    return pairs


def _pairs_of_cell(members: list[Article], rng: random.Random,
                   report: PairReport) -> list[Record]:
    by_group: dict[str, list[Article]] = defaultdict(list)
    for article in members:
        by_group[article.group].append(article)
    outside = {g: [a for a in members if a.group != g] for g in by_group}
    pairs: list[Record] = []
    for article in members:
        inside = [a for a in by_group[article.group] if a.id != article.id]
        partners = {"related": article,
                    "hard": rng.choice(inside) if inside else None,
                    "easy": rng.choice(outside[article.group]) if outside[article.group]
                    else None}
        for kind in KINDS:
            partner = partners[kind]
            if partner is None:
                report.no_candidate[(article.corpus, kind)] += 1
                continue
            pairs.append(_pair(article, partner, kind))
    return pairs


def same_entity_pairs(articles: Iterable[Article], report: PairReport | None = None
                      ) -> list[Record]:
    """Up to ``SAME_ENTITY_PER_HEADLINE`` ``same-entity`` pairs per headline of
    ``SAME_ENTITY_SPLITS``, with the same-subject partners found in its corpus and split
    (TF-IDF and common names are per corpus); ids ``hs-<article id>-same-entity-<rank>``."""
    from newsdesk.data.same_subject import corpus_statistics, same_subject_partners

    report = report if report is not None else PairReport()
    by_corpus: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_corpus[article.corpus].append(article)
    pairs: list[Record] = []
    for corpus in sorted(by_corpus):
        statistics = corpus_statistics(a.body for a in by_corpus[corpus])
        for split in SAME_ENTITY_SPLITS:
            members = sorted((a for a in by_corpus[corpus] if a.split == split),
                             key=lambda a: a.id)
            by_id = {a.id: a for a in members}
            partners = same_subject_partners(members, statistics, SAME_ENTITY_PER_HEADLINE)
            for article in members:
                if article.id not in partners:
                    report.no_candidate[(corpus, SAME_ENTITY)] += 1
                for rank, partner in enumerate(partners.get(article.id, []), 1):
                    pairs.append(_pair(article, by_id[partner.id], SAME_ENTITY,
                                       f"{SAME_ENTITY}-{rank}",
                                       shared_names=list(partner.shared_names),
                                       body_cosine=round(partner.body_cosine, 4)))
    return pairs


def _pair(headline: Article, body: Article, kind: str, suffix: str = "",
          **evidence: object) -> Record:
    return Record(
        id=f"hs-{headline.id}-{suffix or kind}", text=body.body, target=headline.headline,
        stance="related" if kind == "related" else "unrelated",
        meta={"split": headline.split, "kind": kind, "corpus": headline.corpus,
              "headline_id": headline.id, "body_id": body.id, **evidence})

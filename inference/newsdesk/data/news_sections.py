"""``news-sections``: news-articles labelled by the section each publisher filed them under.

Five of the nine publishers of ``news-articles`` put a section in the article's URL
(``tass.com/politics/929596``, ``abcnews.go.com/International/...``, ``cnn.com/2017/02/07/
politics/...``, ``rte.ie/news/world/...``, ``bbc.co.uk/news/world-europe-...``); Al Jazeera,
DW, HuffPost and China Daily put none (``/news/2017/02/...``, ``/en/<slug>``, ``/epaper/``).
``SECTIONS`` is the one table that turns a (publisher, section) into a topic of ``LABELS``,
or into None: too vague to say what an article is about (``US``, ``society``, ``opinions``,
a regional page), and left out. Every section found in the data has an entry (a section
without one stops the build), so nothing is dropped unseen; ``SectionReport`` counts what
was left out per publisher and table entry.

Labels are the publishers' choices, not annotations: CNN files Rex Tillerson's Asian trip
under ``politics``, RTE files US politics under ``world``. What each label covers, and how
often a reader agrees with it, is in ``datasets/README.md``.

Records: the articles of ``news-articles`` (same ids, text cleaned the same way), ``text`` =
headline + blank line + body (as ``bbc-news``), ``label`` from ``SECTIONS``; ``meta``:
``split``, ``source`` (publisher), ``publish_date``, ``section`` (as in the URL, lower
case) and ``story`` (the id of the first article of its story group, below).

Splits (70/10/20) are stratified by label and drawn per story: articles that tell one event
twice (``same_subject.is_same_event``: bodies with a TF-IDF cosine of 0.5 or more, headlines
of 0.5 or more, or published within a day with bodies of ``STORY_SAME_DAY_COSINE`` or more)
are joined into one group, transitively, and a group takes one split.

>>> section_of("tass.com", "http://tass.com/defense/929599")
'defense'
>>> section_of("cnn.com", "http://www.cnn.com/2017/02/07/politics/yemen-raid/index.html")
'politics'
>>> section_of("bbc.co.uk", "http://www.bbc.co.uk/news/world-us-canada-38897507")
'news/world-us-canada'
>>> section_of("dw.com", "http://www.dw.com/en/poland-wants-nuclear-weapons/a-37449773") is None
True
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from urllib.parse import urlparse

from newsdesk.data.bbc import HEADLINE_SEPARATOR
from newsdesk.data.records import Record
from newsdesk.data.splits import assign_group_splits
from newsdesk.errors import DataError

logger = logging.getLogger(__name__)

SEED = "news-sections-v1"
#: Body cosine that makes two stories published within a day one story. ``same_subject``'s
#: 0.2 (right for keeping a story's own retellings out of its negatives) chains TASS's daily
#: briefs, which share the agency's stock phrases, into groups of 40 unrelated stories; at
#: 0.3 the largest group is one storyline (17 articles on Tillerson's Asia trip).
STORY_SAME_DAY_COSINE = 0.3
WORLD, POLITICS, BUSINESS, SPORT = "world", "politics", "business", "sport"
HEALTH, SCIENCE_TECH, ENTERTAINMENT = "health", "science-tech", "entertainment"
LABELS = (WORLD, POLITICS, BUSINESS, SPORT, HEALTH, SCIENCE_TECH, ENTERTAINMENT)
LEFT_OUT = None
#: What each label covers (the model card of a model trained on ``news-sections`` or
#: ``news-topics`` prints it; the whole table of sections is in ``datasets/README.md``).
LABEL_MEANINGS: dict[str, str] = {
    WORLD: "foreign news: another country's politics, conflicts and diplomacy, as filed by a "
           "publisher's foreign desk (international, world, europe, asia, middle east, US "
           "from outside it)",
    POLITICS: "the publisher's own country's government, parliament, elections and armed "
              "forces (BBC News 2004-05: UK politics)",
    BUSINESS: "companies, markets and the economy",
    SPORT: "sport",
    HEALTH: "medicine, public health and health policy",
    SCIENCE_TECH: "science, technology and the environment (BBC News 2004-05: tech)",
    ENTERTAINMENT: "film, music, television, celebrities and the arts",
}

#: Where each publisher puts its section in the URL's path (lower-cased first).
SECTION_IN_PATH: dict[str, re.Pattern[str]] = {
    "tass.com": re.compile(r"/(?P<section>[a-z-]+)/\d+"),
    "abcnews.go.com": re.compile(r"/(?P<section>[a-z]+)/"),
    "cnn.com": re.compile(r"/\d{4}/\d{2}/\d{2}/(?P<section>[a-z-]+)/"),
    "rte.ie": re.compile(r"/(?P<section>[a-z-]+(?:/[a-z][a-z0-9-]*)?)/\d"),
    "bbc.co.uk": re.compile(r"/(?P<section>(?:news|sport|newsbeat)(?:/[a-z][a-z-]*[a-z])?)[/-]\d"),
}

#: (publisher, section pattern) -> label, or ``LEFT_OUT`` (too vague). Patterns are
#: ``fnmatch`` globs, tried in order; the first that matches decides. Rules beyond the names:
#: a foreign desk (CNN ``europe``, RTE ``us``, BBC ``world-us-canada``) is ``world``, even
#: where another publisher files the same news under politics; a defence desk (TASS
#: ``defense``: the home country's armed forces, drills, arms exports) is ``politics``, as
#: CNN files the Pentagon under politics; a parliament or election desk (BBC
#: ``uk-scotland-scotland-politics``, RTE ``brexit``, ``assembly-election-2017``) is
#: ``politics``; an arts desk is ``entertainment`` (BBC's own section is
#: ``entertainment-arts``).
SECTIONS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "tass.com": (
        ("world", WORLD), ("politics", POLITICS), ("defense", POLITICS),
        ("economy", BUSINESS), ("sport", SPORT), ("science", SCIENCE_TECH),
        ("society", LEFT_OUT),         # courts, crime, religion, culture, weather
        ("pressreview", LEFT_OUT),     # a round-up of other papers' front pages
        ("press-releases", LEFT_OUT),  # companies' own releases, not news
    ),
    "abcnews.go.com": (
        ("international", WORLD), ("politics", POLITICS), ("business", BUSINESS),
        ("sports", SPORT), ("health", HEALTH), ("technology", SCIENCE_TECH),
        ("entertainment", ENTERTAINMENT),
        ("us", LEFT_OUT),              # crime, weather, accidents, courts
        ("lifestyle", LEFT_OUT), ("weird", LEFT_OUT),
    ),
    "cnn.com": (
        ("politics", POLITICS),
        ("world", WORLD), ("africa", WORLD), ("americas", WORLD), ("asia", WORLD),
        ("china", WORLD), ("europe", WORLD), ("middleeast", WORLD),
        ("health", HEALTH), ("tech", SCIENCE_TECH),
        ("entertainment", ENTERTAINMENT), ("arts", ENTERTAINMENT),
        ("sport", SPORT), ("football", SPORT), ("golf", SPORT), ("motorsport", SPORT),
        ("tennis", SPORT),
        ("us", LEFT_OUT), ("opinions", LEFT_OUT),  # any subject
        ("travel", LEFT_OUT), ("design", LEFT_OUT),
    ),
    "rte.ie": (
        ("news/world", WORLD), ("news/europe", WORLD), ("news/asia", WORLD),
        ("news/us", WORLD),
        ("news/politics", POLITICS), ("news/brexit", POLITICS),
        ("news/assembly-election-2017", POLITICS),
        ("news/business", BUSINESS), ("news/health", HEALTH),
        ("news/technology", SCIENCE_TECH), ("entertainment", ENTERTAINMENT),
        ("sport/*", SPORT),
        ("news", LEFT_OUT),            # RTE's main news page: any subject
        ("news/ireland", LEFT_OUT), ("news/courts", LEFT_OUT), ("news/crime", LEFT_OUT),
        ("news/education", LEFT_OUT), ("news/analysis-and-comment", LEFT_OUT),
        ("news/special-reports", LEFT_OUT), ("news/video", LEFT_OUT),
        ("news/regional", LEFT_OUT), ("news/dublin", LEFT_OUT), ("news/leinster", LEFT_OUT),
        ("news/munster", LEFT_OUT), ("news/ulster", LEFT_OUT), ("news/connacht", LEFT_OUT),
    ),
    "bbc.co.uk": (
        ("news/world", WORLD), ("news/world-*", WORLD),
        ("news/uk-politics", POLITICS), ("news/uk-scotland-scotland-politics", POLITICS),
        ("news/election-northern-ireland", POLITICS),
        ("news/business", BUSINESS), ("news/health", HEALTH),
        ("news/technology", SCIENCE_TECH), ("news/science-environment", SCIENCE_TECH),
        ("news/entertainment-arts", ENTERTAINMENT),
        ("sport", SPORT), ("sport/*", SPORT),
        ("news", LEFT_OUT),            # no section, only an id
        ("news/uk", LEFT_OUT), ("news/uk-*", LEFT_OUT),  # home news and the regions
        ("news/education", LEFT_OUT), ("news/magazine", LEFT_OUT),
        ("news/in-pictures", LEFT_OUT), ("newsbeat/articles", LEFT_OUT),
    ),
}


#: bbc-news's topics on ``LABELS``: how ``news-topics`` relabels bbc-news, and how a model
#: trained on bbc-news is scored on news-sections (``benchmarks/topic_bbc.py --data``).
BBC_LABELS = {"business": BUSINESS, "entertainment": ENTERTAINMENT, "politics": POLITICS,
              "sport": SPORT, "tech": SCIENCE_TECH}


@dataclass
class SectionReport:
    """What ``build`` kept and left out (logged, quoted in the set's description).

    ``left_out`` counts by (publisher, table entry); ``no_section`` by publisher.

    >>> report = SectionReport(left_out=Counter({("cnn.com", "us"): 12}),
    ...                        no_section=Counter({"dw.com": 434}))
    >>> report.summary()
    'left out as too vague: cnn.com us 12; no section in the URL: dw.com 434'
    """

    kept: Counter[tuple[str, str]] = field(default_factory=Counter)
    left_out: Counter[tuple[str, str]] = field(default_factory=Counter)
    no_section: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        return (f"left out as too vague: {_by_publisher(self.left_out)}; no section in the "
                "URL: " + ", ".join(f"{p} {n}" for p, n in sorted(self.no_section.items())))


def _by_publisher(counts: Counter[tuple[str, str]]) -> str:
    publishers = sorted({p for p, _ in counts}, key=lambda p: -sum(
        n for (q, _), n in counts.items() if q == p))
    return "; ".join(
        f"{publisher} " + ", ".join(f"{section} {n}" for (p, section), n in
                                    sorted(counts.items(), key=lambda i: (-i[1], i[0]))
                                    if p == publisher)
        for publisher in publishers)


def section_of(publisher: str, url: str) -> str | None:
    """The section in ``url``'s path (lower case), or None where the publisher has none."""
    pattern = SECTION_IN_PATH.get(publisher)
    match = pattern.match(urlparse(url).path.lower()) if pattern else None
    return match["section"] if match else None


def table_entry(publisher: str, section: str) -> tuple[str, str | None]:
    """The ``SECTIONS`` entry (pattern, label or None) that decides ``section``.

    >>> table_entry("bbc.co.uk", "news/world-asia-china")
    ('news/world-*', 'world')
    """
    for pattern, label in SECTIONS.get(publisher, ()):
        if fnmatchcase(section, pattern):
            return pattern, label
    raise DataError(f"news-sections: no entry in SECTIONS for {publisher} section "
                    f"{section!r}; add one (a label, or LEFT_OUT)")


def build(news_records: Iterable[Record], urls: dict[str, str] | None = None,
          report: SectionReport | None = None) -> list[Record]:
    """The labelled articles of ``news_records`` (``news-articles``, all splits), each with
    its split; ``urls`` maps record ids to URLs (default: read from the pinned wheel)."""
    report = report if report is not None else SectionReport()
    urls = urls if urls is not None else article_urls()
    labelled: list[tuple[Record, str, str]] = []
    for record in sorted(news_records, key=lambda r: _article_number(r.id)):
        publisher = record.meta["source"]
        section = section_of(publisher, urls[record.id])
        if section is None:
            report.no_section[publisher] += 1
            continue
        pattern, label = table_entry(publisher, section)
        if label is None:
            report.left_out[(publisher, pattern)] += 1
            continue
        report.kept[(publisher, label)] += 1
        labelled.append((record, section, label))
    stories = story_groups([r for r, _, _ in labelled])
    splits = assign_group_splits([r.id for r, _, _ in labelled], stories,
                                 [label for _, _, label in labelled], seed=SEED)
    logger.info("news-sections: %s", report.summary())
    return [_record(record, section, label, story, split) for (record, section, label), story,
            split in zip(labelled, stories, splits)]


def _article_number(ident: str) -> int:
    return int(ident.rpartition("-")[2])


def article_urls() -> dict[str, str]:
    """``na-<article_id>`` -> the article's URL, from the pinned NewsArticles.csv."""
    from newsdesk.data.news_articles import read_articles

    return {f"na-{a.article_id}": a.url for a in read_articles()}


def _record(record: Record, section: str, label: str, story: str, split: str) -> Record:
    text = f"{record.title}{HEADLINE_SEPARATOR}{record.text}" if record.title else record.text
    return Record(id=record.id, text=text, title=record.title, label=label,
                  meta={"split": split, "source": record.meta["source"],
                        "publish_date": record.meta["publish_date"], "section": section,
                        "story": story})


def story_groups(records: Sequence[Record]) -> list[str]:
    """For each record, the id of the first record (in the given order) of its story: the
    connected groups of pairs that ``same_subject.is_same_event`` calls one event, with
    ``STORY_SAME_DAY_COSINE`` for stories within a day."""
    from datetime import date

    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from newsdesk.data.same_subject import (
        COPY_HEADLINE_COSINE,
        corpus_statistics,
        cosine_matrix,
        is_same_event,
        without_boilerplate,
    )

    bodies = [without_boilerplate(r.text) for r in records]
    vectorizer = corpus_statistics(bodies).vectorizer
    body_cos = cosine_matrix(vectorizer, bodies)
    headline_cos = cosine_matrix(vectorizer, [r.title or "" for r in records])
    days = np.array([date.fromisoformat(r.meta["publish_date"]).toordinal() for r in records])
    candidates = (body_cos >= STORY_SAME_DAY_COSINE) | (headline_cos >= COPY_HEADLINE_COSINE)
    pairs = [(i, j) for i, j in zip(*candidates.nonzero()) if i < j and is_same_event(
        body_cos[i, j], headline_cos[i, j], int(abs(days[i] - days[j])),
        same_event_cosine=STORY_SAME_DAY_COSINE)]
    rows, cols = zip(*pairs) if pairs else ((), ())
    graph = coo_matrix((np.ones(len(pairs)), (rows, cols)), shape=(len(records),) * 2)
    _, component = connected_components(graph, directed=False)
    first: dict[int, str] = {}
    for record, group in zip(records, component):
        first.setdefault(int(group), record.id)
    return [first[int(group)] for group in component]


def combine(bbc_records: Iterable[Record], section_records: Iterable[Record]) -> list[Record]:
    """``news-topics``: bbc-news relabelled by ``BBC_LABELS`` (its own topic kept in
    ``meta['bbc_label']``), then news-sections; each record keeps its split, and
    ``meta['corpus']`` names the set it came from.

    >>> bbc = Record(id="b", text="Chips shrink.", label="tech", meta={"split": "test"})
    >>> [(r.label, r.meta["corpus"]) for r in combine([bbc], [])]
    [('science-tech', 'bbc-news')]
    """
    relabelled = [replace(r, label=BBC_LABELS[str(r.label)],
                          meta={**r.meta, "corpus": "bbc-news", "bbc_label": r.label})
                  for r in bbc_records]
    return relabelled + [replace(r, meta={**r.meta, "corpus": "news-sections"})
                         for r in section_records]

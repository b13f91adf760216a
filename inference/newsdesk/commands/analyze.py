"""``newsdesk analyze FILE``: topic, stances and summary of one article."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXTRACTIVE = ("lead", "textrank", "centroid")


def register(commands: Any) -> None:
    parser = commands.add_parser("analyze", help="topic, stances and summary of an article")
    parser.add_argument("file", help="a UTF-8 text file holding one article, or - for stdin")
    parser.add_argument("--topic", help="a topic model dir")
    parser.add_argument("--stance", help="a stance model dir")
    parser.add_argument("--target", action="append", default=[],
                        help="a claim or headline to judge the article's stance toward")
    parser.add_argument("--summary", default="lead",
                        help="lead, textrank, centroid, or a summary model dir: a fine-tuned "
                             "extractor (newsdesk-train training/configs/"
                             "summary-news-extractive.yaml) or an abstractive model "
                             "(default: lead, up to 3 sentences within the word budget: the "
                             "best unsupervised method on the standfirst validation split)")
    parser.add_argument("--max-words", type=int, default=None)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def read_article(name: str) -> str:
    from newsdesk.errors import DataError

    if name == "-":
        return sys.stdin.read()
    path = Path(name)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError("no such file", path=path) from None
    except UnicodeDecodeError as error:
        raise DataError(f"not UTF-8 text (byte {error.start})", path=path) from None


def run(args: argparse.Namespace) -> int:
    from newsdesk.classifier import StanceClassifier, TopicClassifier
    from newsdesk.desk import NewsDesk
    from newsdesk.summarize import Summarizer

    summary = (Summarizer.extractive(args.summary) if args.summary in EXTRACTIVE
               else Summarizer.from_pretrained(args.summary))
    desk = NewsDesk(
        topic=TopicClassifier.from_pretrained(args.topic) if args.topic else None,
        stance=StanceClassifier.from_pretrained(args.stance) if args.stance else None,
        summary=summary)
    analysis = desk.analyze(read_article(args.file), targets=args.target,
                            max_words=args.max_words)
    print(json.dumps(analysis.to_dict(), indent=2) if args.json else analysis.format())
    return 0

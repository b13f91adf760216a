"""Mined negatives for stance training (a recipe's ``data.mined_negatives``).

The headline-stance training pairs give each headline one hard negative (a body of the
same topic or publisher) and one easy one, both drawn at random; most are far from the
headline's story. Mining finds the bodies a model is most likely to take for related: for
each headline of a ``related`` pair, the other training bodies whose lead is closest to
the headline by a sentence encoder's cosine (``newsdesk.summarize.encoder``: mean-pooled
unit vectors of the headline and of the body's first word pieces; all-MiniLM-L6-v2 was
trained to put a title and its text close together). Each distinct headline and body is
encoded once, and the cosines are one headlines x bodies matrix product
(``DistinctVectors.cosine_table``). Never taken:

- the headline's own body, and the bodies it is paired with already (in any kind, also the
  ones ``replaces`` drops);
- another telling of its own story (a copy, a rewrite, another publisher's report of the
  same event): that body is not unrelated. ``same_subject.StoryCosines.same_event``
  decides, as for the evaluation's same-entity slice: TF-IDF statistics per corpus (each
  body's ``meta['corpus']``), each body's story the article whose ``related`` pair it is in
  (its headline), dated by ``body_dates``. Bodies of two corpora are never
  one event (the built-in corpora are twelve years apart).

A mined pair is ``unrelated``, kind ``mined``, id ``hs-<headline_id>-mined-<rank>``, with
the cosine in ``meta['bi_encoder_cosine']``. Candidates are ranked by cosine, then by body
id, so the pairs depend on the records and the encoder only.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from newsdesk.data.records import Record
from newsdesk.data.same_subject import PlainStory, Story, StoryCosines, corpus_statistics
from newsdesk.errors import ConfigError
from newsdesk_train.config import MinedNegativesConfig

logger = logging.getLogger(__name__)

MINED = "mined"
RELATED = "related"
UNRELATED = "unrelated"
KEY = "data.mined_negatives"


@dataclass
class Mining:
    """The training pool after mining, and what mining did."""

    records: list[Record]
    mined: int
    replaced: int
    skipped_same_event: int
    headlines: int
    bodies: int
    seconds: float

    def facts(self, settings: MinedNegativesConfig) -> dict[str, Any]:
        """The section and the counts, for the manifest's ``data``."""
        return {**asdict(settings), "mined": self.mined, "replaced": self.replaced,
                "skipped_same_event": self.skipped_same_event, "headlines": self.headlines,
                "bodies": self.bodies, "seconds": round(self.seconds, 1)}


class SameEventCheck:
    """Whether two training bodies tell one event: ``StoryCosines`` per corpus."""

    def __init__(self, stories: dict[str, Story], corpus_of: dict[str, str]) -> None:
        by_corpus: dict[str, list[Story]] = defaultdict(list)
        for body_id in sorted(stories):
            by_corpus[corpus_of.get(body_id, "")].append(stories[body_id])
        self.corpus_of = corpus_of
        self.index = {s.id: i for members in by_corpus.values() for i, s in enumerate(members)}
        self.cosines = {corpus: StoryCosines.of(members, corpus_statistics(
            s.body for s in members)) for corpus, members in by_corpus.items()}

    def __call__(self, body_id: str, other_id: str) -> bool:
        corpus = self.corpus_of.get(body_id, "")
        if self.corpus_of.get(other_id, "") != corpus:
            return False
        return self.cosines[corpus].same_event(self.index[body_id], self.index[other_id])


def related_pairs(records: Sequence[Record]) -> list[Record]:
    """The ``related`` pairs that name their headline and body, by headline id (none is a
    ConfigError naming the recipe key)."""
    related = [r for r in records if r.meta.get("kind") == RELATED and r.target
               and r.meta.get("headline_id") and r.meta.get("body_id")]
    if not related:
        raise ConfigError(f"{KEY}: no training pair of kind 'related' with a target and "
                          "meta headline_id and body_id (the headline-stance format) to mine "
                          "negatives for")
    return sorted(related, key=lambda r: str(r.meta["headline_id"]))


def without_kind(records: Sequence[Record], kind: str | None) -> list[Record]:
    """``records`` less those of ``kind`` (None: all kept); a kind no record has is a
    ConfigError (a typo would replace nothing)."""
    if kind is None:
        return list(records)
    kept = [r for r in records if r.meta.get("kind") != kind]
    if len(kept) == len(records):
        kinds = sorted({str(r.meta.get("kind")) for r in records})
        raise ConfigError(f"{KEY}.replaces: no training pair is of kind {kind!r} (kinds: "
                          f"{', '.join(kinds)})")
    return kept


#: Fields of a pair that may hold its body's publication date (ISO), in a user's file.
DATE_FIELDS = ("publish_date", "date")
#: The built-in corpus whose bodies headline-stance pairs leave undated.
DATED_CORPUS = "news-articles"


def body_dates(pairs: Sequence[Record]) -> dict[str, str]:
    """The publication date of each pair's body (``meta['body_id']``) that has one: the
    pair's own ``publish_date`` or ``date`` where a file gives it, else, for a body of
    ``news-articles`` (``meta['corpus']``), its date in that built-in set (headline-stance
    pairs do not repeat it; BBC bodies are undated).

    >>> body_dates([Record(id="p", text="t", meta={"body_id": "x", "date": "2017-02-13"})])
    {'x': '2017-02-13'}
    """
    dates: dict[str, str] = {}
    wanted: set[str] = set()
    for pair in pairs:
        body_id = pair.meta.get("body_id")
        given = next((pair.meta[k] for k in DATE_FIELDS if pair.meta.get(k)), None)
        if body_id is not None and given:
            dates[str(body_id)] = str(given)
        elif body_id is not None and pair.meta.get("corpus") == DATED_CORPUS:
            wanted.add(str(body_id))
    wanted -= set(dates)
    if wanted:
        from newsdesk.data import load

        dates |= {r.id: str(r.meta["publish_date"]) for r in load(DATED_CORPUS)
                  if r.id in wanted}
    return dates


def training_stories(records: Sequence[Record], related: Sequence[Record]
                     ) -> tuple[dict[str, Story], dict[str, str]]:
    """Every training body as a story (its article's headline where a related pair gives
    it, its date where ``body_dates`` knows it), and each body's corpus."""
    headline_of = {str(r.meta["body_id"]): str(r.target) for r in related}
    dates = body_dates(records)
    stories: dict[str, Story] = {}
    corpus_of: dict[str, str] = {}
    for record in records:
        body_id = record.meta.get("body_id")
        if body_id is None or str(body_id) in stories:
            continue
        body_id = str(body_id)
        stories[body_id] = PlainStory(body_id, headline_of.get(body_id, ""), record.text,
                                      dates.get(body_id, ""))
        corpus_of[body_id] = str(record.meta.get("corpus", ""))
    return stories, corpus_of


def mined_pair(related: Record, body: Story, rank: int, cosine: float) -> Record:
    """An ``unrelated`` pair of ``related``'s headline with ``body``."""
    headline_id = str(related.meta["headline_id"])
    meta = {key: related.meta[key] for key in ("split", "corpus") if key in related.meta}
    return Record(id=f"hs-{headline_id}-{MINED}-{rank}", text=body.body,
                  target=related.target, stance=UNRELATED,
                  meta={**meta, "kind": MINED, "headline_id": headline_id,
                        "body_id": body.id, "bi_encoder_cosine": round(cosine, 4)})


def paired_bodies(records: Sequence[Record]) -> dict[str, set[str]]:
    """The bodies each headline is paired with (its own among them), by headline id."""
    paired: dict[str, set[str]] = defaultdict(set)
    for record in records:
        if "headline_id" in record.meta and "body_id" in record.meta:
            paired[str(record.meta["headline_id"])].add(str(record.meta["body_id"]))
    return paired


def allowed_bodies(ranked: Iterable[str], own: str, paired: set[str],
                   same_event: SameEventCheck, limit: int) -> tuple[list[str], int]:
    """The first ``limit`` of the ``ranked`` bodies (best first, read as far as needed)
    that are neither ``paired`` nor the same event as the ``own`` body, and how many
    same-event bodies were passed over."""
    taken: list[str] = []
    skipped = 0
    for body_id in ranked:
        if body_id in paired:
            continue
        if same_event(own, body_id):
            skipped += 1
            continue
        taken.append(body_id)
        if len(taken) == limit:
            break
    return taken, skipped


def mine_negatives(records: Sequence[Record], settings: MinedNegativesConfig,
                   encoder: Any = None) -> Mining:
    """The training ``records`` less the kind ``settings.replaces`` names, plus
    ``settings.per_headline`` mined pairs per related headline (module docstring).
    ``encoder``: a loaded sentence encoder (default: ``settings.encoder`` loaded by
    ``load_sentence_encoder``)."""
    started = time.perf_counter()
    related = related_pairs(records)
    kept = without_kind(records, settings.replaces)
    stories, corpus_of = training_stories(records, related)
    same_event, paired = SameEventCheck(stories, corpus_of), paired_bodies(records)
    from newsdesk.summarize.encoder import DistinctVectors, load_sentence_encoder

    if encoder is None:
        encoder = load_sentence_encoder(settings.encoder)
    body_ids = sorted(stories)
    headlines, bodies = [str(r.target) for r in related], [stories[b].body for b in body_ids]
    cosines = DistinctVectors.encode(encoder, headlines, bodies).cosine_table(headlines, bodies)
    column = {body_id: i for i, body_id in enumerate(body_ids)}
    mined: list[Record] = []
    skipped = 0
    for row, record in enumerate(related):
        ranked = (body_ids[i] for i in np.argsort(-cosines[row], kind="stable"))
        taken, passed = allowed_bodies(ranked, str(record.meta["body_id"]),
                                       paired[str(record.meta["headline_id"])], same_event,
                                       settings.per_headline)
        skipped += passed
        mined += [mined_pair(record, stories[b], rank, float(cosines[row, column[b]]))
                  for rank, b in enumerate(taken, 1)]
    result = Mining(kept + mined, len(mined), len(records) - len(kept), skipped, len(related),
                    len(body_ids), time.perf_counter() - started)
    logger.info("%s (%s, %d per headline): %d mined for %d headlines, %d %s pairs replaced, "
                "%d same-event bodies skipped, %.1f s", KEY, settings.encoder,
                settings.per_headline, result.mined, result.headlines, result.replaced,
                settings.replaces or "(none)", skipped, result.seconds)
    return result

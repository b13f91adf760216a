"""Built-in data sets: exact counts, disjoint and stable splits, the standfirst rule, and the
import hygiene of the data layer (no shadowing of Hugging Face ``datasets``)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import pytest

from newsdesk.data import Record, builtin_records, load
from newsdesk.data import headline_stance as hs
from newsdesk.data import news_articles as na
from newsdesk.data import same_subject as ss
from newsdesk.data.bbc import body_of
from newsdesk.data.describe import describe
from newsdesk.data.sources import BUILTIN
from newsdesk.data.splits import assign_group_splits, assign_splits
from newsdesk.errors import DataError


def digest(records: Iterable[Record], *fields: str) -> str:
    """sha256 of the sorted (id, split, *meta fields) lines: any change of split shows."""
    lines = sorted("\t".join([r.id, r.meta["split"], *(r.meta[f] for f in fields)])
                   for r in records)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def split_counts(records: Iterable[Record]) -> dict[str, int]:
    return dict(Counter(r.meta["split"] for r in records))


@pytest.fixture(scope="module")
def bbc() -> list[Record]:
    return load("bbc-news")


@pytest.fixture(scope="module")
def news() -> list[Record]:
    return load("news-articles")


@pytest.fixture(scope="module")
def news_build() -> tuple[list[Record], na.BuildReport]:
    report = na.BuildReport()
    return na.build(report), report


@pytest.fixture(scope="module")
def pairs() -> list[Record]:
    """headline-stance version 1: related, hard and easy pairs."""
    return load("headline-stance@1")


@pytest.fixture(scope="module")
def pairs_v2() -> list[Record]:
    return load("headline-stance")


@pytest.fixture(scope="module")
def same_entity(pairs_v2: list[Record]) -> list[Record]:
    return [r for r in pairs_v2 if r.meta["kind"] == hs.SAME_ENTITY]


# --- splits -------------------------------------------------------------------------------

def test_assign_splits_is_seeded_stratified_and_70_10_20() -> None:
    keys = [f"k{i}" for i in range(100)]
    strata = ["a" if i % 2 else "b" for i in range(100)]
    splits = assign_splits(keys, strata, seed="s")
    assert Counter(splits) == {"train": 70, "validation": 10, "test": 20}
    assert Counter(s for s, g in zip(splits, strata) if g == "a")["test"] == 10
    assert assign_splits(keys, strata, seed="s") == splits != assign_splits(keys, strata,
                                                                            seed="t")
    with pytest.raises(ValueError, match="unique"):
        assign_splits(["a", "a"], seed="s")


def test_group_splits_keep_a_group_together() -> None:
    keys = [f"k{i}" for i in range(50)]
    groups = [f"g{i // 2}" for i in range(50)]
    splits = assign_group_splits(keys, groups, seed="s")
    assert all(splits[i] == splits[i + 1] for i in range(0, 50, 2))


# --- bbc-news -----------------------------------------------------------------------------

def test_bbc_news_counts(bbc: list[Record]) -> None:
    assert len(bbc) == 2092 == len({r.id for r in bbc}) == len({body_of(r) for r in bbc})
    assert split_counts(bbc) == {"train": 1463, "validation": 211, "test": 418}
    assert Counter(r.label for r in bbc) == {"business": 500, "sport": 494, "politics": 395,
                                            "entertainment": 366, "tech": 337}
    assert Counter(r.meta["encoding"] for r in bbc)["latin-1"] == 1


def test_bbc_news_split_is_stable(bbc: list[Record]) -> None:
    split = {r.id: r.meta["split"] for r in bbc}
    assert [split[i] for i in ("bbc-business-001", "bbc-politics-411", "bbc-tech-400")] == \
        ["train", "validation", "train"]
    assert digest(bbc) == "66b99cf3e0df4aa500114d9884166496db938c720de942d4dde05d79c012be0c"


def test_bbc_near_duplicates_share_a_split(bbc: list[Record]) -> None:
    by_headline: dict[str, set[str]] = defaultdict(set)
    for record in bbc:
        by_headline[str(record.title).lower()].add(record.meta["split"])
    shared = [h for h in by_headline if sum(str(r.title).lower() == h for r in bbc) > 1]
    assert len(shared) == 31
    assert all(len(by_headline[h]) == 1 for h in shared)


def test_bbc_text_is_headline_then_body(bbc: list[Record]) -> None:
    record = bbc[0]
    assert record.text == f"{record.title}\n\n{body_of(record)}"


# --- news-articles ------------------------------------------------------------------------

def test_news_articles_counts_and_skips(news_build: tuple[list[Record], na.BuildReport]
                                        ) -> None:
    records, report = news_build
    assert (report.rows, len(report.empty_body), len(report.duplicate_body)) == (3824, 36, 7)
    assert report.duplicate_body[2825] == 2823
    assert len(records) == 3781 == len({r.text for r in records})
    assert report.qualifying_sources == ("aljazeera.com", "dw.com", "huffingtonpost.com",
                                         "tass.com")
    assert report.standfirsts == {"aljazeera.com": 473, "tass.com": 429, "dw.com": 432,
                                  "huffingtonpost.com": 387}


def test_news_articles_cache_matches_a_fresh_build(
        news: list[Record], news_build: tuple[list[Record], na.BuildReport]) -> None:
    assert [r.to_dict() for r in news] == [r.to_dict() for r in news_build[0]]


def test_news_articles_split_by_source(news: list[Record]) -> None:
    assert split_counts(news) == {"train": 2645, "validation": 379, "test": 757}
    for source, count in Counter(r.meta["source"] for r in news).items():
        test = sum(r.meta["split"] == "test" and r.meta["source"] == source for r in news)
        assert abs(test - 0.2 * count) <= 1, source


def test_news_articles_split_is_stable(news: list[Record]) -> None:
    split = {r.id: r.meta["split"] for r in news}
    assert [split[i] for i in ("na-1", "na-999", "na-1686", "na-3066")] == \
        ["train", "validation", "test", "test"]
    assert digest(news) == "9ec4b696104336994129504adfd27598a1bf1002295c80d1387b8804417352e1"


def test_news_articles_record_fields(news: list[Record]) -> None:
    by_id = {r.id: r for r in news}
    first = by_id["na-1"]
    assert first.title == ("Betsy DeVos Confirmed as Education Secretary, With Pence Casting "
                           "Historic Tie-Breaking Vote")
    assert first.text.startswith("Michigan billionaire education activist Betsy DeVos")
    assert first.meta["source"] == "abcnews.go.com" and first.summary is None
    assert first.meta["publish_date"] == "2017-02-07"
    assert "na-327" not in by_id and "na-2825" not in by_id       # empty body, duplicate
    with_summary = [r for r in news if r.summary]
    assert len(with_summary) == 1721
    assert all(r.summary == " ".join(r.meta["subtitle"].split()) for r in with_summary)
    assert all(len(r.summary.split()) < len(r.text.split()) for r in with_summary)


@pytest.mark.parametrize(("subtitle", "body", "verdict"), [
    ("", "Body.", "none"),
    ("A standfirst.", "", "no body"),
    ("Ex-England footballer Adam Johnson has lost a Court of Appeal challenge.",
     "Ex-England footballer Adam Johnson has lost a Court of Appeal challenge against it.",
     "repeat"),
    ("Washington (CNN)The White House has apologized.", "It said so on Friday at length.",
     "dateline"),
    ("MOSCOW, March 3. /TASS/. The Kremlin shrugged off claims.", "-1 and more words here",
     "dateline"),
    (" vice president casts historic tie-breaking vote", "Pence cast the vote today in a room.",
     "fragment"),
    ("Letter hand delivered to the European Union.", "Producer/Host", "not shorter"),
    ("Rep. Sean Duffy (R-Wis.) also pointed to the good things.",
     "Rep. Sean Duffy (R-Wis.) vehemently defended the president on Sunday, his office "
     "said in a statement after the interview.", "standfirst"),
])
def test_check_subtitle(subtitle: str, body: str, verdict: str) -> None:
    assert na.check_subtitle(subtitle, body) == verdict


# --- headline-stance ----------------------------------------------------------------------

def test_headline_stance_counts(pairs: list[Record]) -> None:
    assert len(pairs) == 17058 == len({r.id for r in pairs})
    counts = Counter((r.meta["split"], r.meta["kind"]) for r in pairs)
    for split, n in {"train": 3969, "validation": 569, "test": 1148}.items():
        assert [counts[(split, k)] for k in hs.KINDS] == [n, n, n]
    assert Counter(r.stance for r in pairs) == {"related": 5686, "unrelated": 11372}
    assert Counter(r.meta["corpus"] for r in pairs if r.meta["kind"] == "related") == \
        {"bbc-news": 2030, "news-articles": 3656}


def test_no_body_in_two_splits(pairs: list[Record]) -> None:
    splits_of_body: dict[str, set[str]] = defaultdict(set)
    for record in pairs:
        splits_of_body[record.meta["body_id"]].add(record.meta["split"])
        splits_of_body[record.text].add(record.meta["split"])
    assert all(len(s) == 1 for s in splits_of_body.values())


def test_pairs_are_what_their_kind_says(pairs: list[Record], bbc: list[Record],
                                        news: list[Record]) -> None:
    group = {r.id: str(r.label) for r in bbc} | {r.id: r.meta["source"] for r in news}
    split = {r.id: r.meta["split"] for r in [*bbc, *news]}
    for record in pairs:
        head, body = record.meta["headline_id"], record.meta["body_id"]
        assert record.meta["split"] == split[head] == split[body]
        assert (head == body) == (record.meta["kind"] == "related")
        assert (group[head] == group[body]) == (record.meta["kind"] != "easy")
        assert record.stance == ("related" if head == body else "unrelated")


def test_headline_stance_is_stable(pairs: list[Record]) -> None:
    body = {r.id: r.meta["body_id"] for r in pairs}
    assert body["hs-bbc-business-001-hard"] == "bbc-business-149"
    assert body["hs-na-999-easy"] == "na-1176"
    assert digest(pairs, "body_id") == \
        "88fa3536036d4f739be0b3425549e1d1553ae100fd38c3536fa82e3ef70a5862"


def test_headline_stance_cache_matches_a_fresh_build(pairs: list[Record]) -> None:
    report = hs.PairReport()
    fresh = hs.build(builtin_records("bbc-news"), builtin_records("news-articles"), report,
                     version=1)
    assert [r.to_dict() for r in fresh] == [r.to_dict() for r in pairs]
    assert report.skipped == {("bbc-news", "shared headline"): 62,
                              ("news-articles", "no headline"): 59,
                              ("news-articles", "shared headline"): 39,
                              ("news-articles", "short body"): 27}


# --- headline-stance v2: the same-entity slice --------------------------------------------

def test_version_2_keeps_every_version_1_pair(pairs: list[Record],
                                              pairs_v2: list[Record]) -> None:
    old = [r for r in pairs_v2 if r.meta["kind"] in hs.KINDS]
    assert [r.to_dict() for r in old] == [r.to_dict() for r in pairs]
    assert pairs_v2[:len(pairs)] == pairs  # same order too: old slices' figures reproduce


def test_same_entity_counts_and_stability(same_entity: list[Record]) -> None:
    counts = Counter((r.meta["split"], r.meta["corpus"]) for r in same_entity)
    assert counts == {("validation", "bbc-news"): 46, ("validation", "news-articles"): 68,
                      ("test", "bbc-news"): 134, ("test", "news-articles"): 238}
    body = {r.id: r.meta["body_id"] for r in same_entity}
    assert body["hs-bbc-sport-039-same-entity-1"] == "bbc-sport-049"  # Jones sues Conte
    assert digest(same_entity, "body_id") == \
        "9c67a3b75894837a61204f57a5b23daca454f49e155b439cee1274ead58d9c21"


def test_same_entity_pairs_are_unrelated_stories_of_the_same_split(
        same_entity: list[Record]) -> None:
    per_headline = Counter(r.meta["headline_id"] for r in same_entity)
    assert max(per_headline.values()) == hs.SAME_ENTITY_PER_HEADLINE
    for record in same_entity:
        head, body = record.meta["headline_id"], record.meta["body_id"]
        assert record.meta["split"] in hs.SAME_ENTITY_SPLITS and record.stance == "unrelated"
        assert head != body and record.id.startswith(f"hs-{head}-same-entity-")
    assert len({(r.meta["headline_id"], r.meta["body_id"]) for r in same_entity}) == \
        len(same_entity)


def test_same_entity_cache_matches_a_fresh_build(pairs_v2: list[Record]) -> None:
    fresh = hs.build(builtin_records("bbc-news"), builtin_records("news-articles"))
    assert [r.to_dict() for r in fresh] == [r.to_dict() for r in pairs_v2]


def test_same_event_copies_are_never_same_entity_pairs(pairs: list[Record],
                                                       same_entity: list[Record]) -> None:
    """Recompute the body cosines of every test pair of articles: the copies (cosine >=
    COPY_COSINE) exist, and none of them was taken as an unrelated partner."""
    taken = {(r.meta["headline_id"], r.meta["body_id"]): r for r in same_entity}
    used = {r.meta["headline_id"] for r in pairs}
    copies = 0
    for corpus, records in (("bbc-news", load("bbc-news")),
                            ("news-articles", load("news-articles"))):
        bodies = {r.id: body_of(r) if corpus == "bbc-news" else r.text for r in records
                  if r.id in used}
        statistics = ss.corpus_statistics(bodies.values())
        test_ids = sorted(r.id for r in records if r.meta["split"] == "test" and r.id in used)
        texts = [ss.without_boilerplate(bodies[i]) for i in test_ids]
        cosines = ss.cosine_matrix(statistics.vectorizer, texts)
        for i, j in zip(*(cosines >= ss.COPY_COSINE).nonzero()):
            if i < j:
                copies += 1
            if i != j:
                assert (test_ids[i], test_ids[j]) not in taken
        for (head, body), record in taken.items():
            if head in test_ids and body in test_ids:
                cosine = cosines[test_ids.index(head), test_ids.index(body)]
                assert cosine == pytest.approx(record.meta["body_cosine"], abs=1e-4)
                assert cosine < ss.COPY_COSINE
    assert copies == 18  # bbc-news 7, news-articles 11


def test_pairing_skips_unusable_articles() -> None:
    def art(ident: str, group: str, headline: str, words: int = 25) -> hs.Article:
        return hs.Article("c", ident, group, headline, " ".join(["w"] * words), "train")

    report = hs.PairReport()
    kept = hs.usable_articles([art("a", "x", "One"), art("b", "x", ""), art("c", "y", "Two"),
                               art("d", "y", "two"), art("e", "y", "Three", words=3)], report)
    assert [a.id for a in kept] == ["a"]
    assert report.skipped == {("c", "no headline"): 1, ("c", "shared headline"): 2,
                              ("c", "short body"): 1}
    assert [r.meta["kind"] for r in hs.build_pairs(kept, report)] == ["related"]
    assert report.no_candidate == {("c", "hard"): 1, ("c", "easy"): 1}


# --- load() and import hygiene ------------------------------------------------------------

def test_load_picks_a_split(bbc: list[Record]) -> None:
    test = load("bbc-news", split="test")
    assert len(test) == 418 and {r.meta["split"] for r in test} == {"test"}


def test_an_earlier_version_loads_by_name_at_version(pairs: list[Record]) -> None:
    assert BUILTIN["headline-stance"].at_version(1).cache_file().name == \
        "headline-stance-v1+bbc-news-v2+news-articles-v2.jsonl"
    assert load("headline-stance@2", split="test") == load("headline-stance", split="test")
    assert {r.meta["kind"] for r in pairs} == set(hs.KINDS)
    assert "no same-entity slice" in describe("headline-stance@1").description
    with pytest.raises(DataError, match="headline-stance has no version 3; use "
                                        "headline-stance@1, headline-stance@2"):
        load("headline-stance@3")
    with pytest.raises(DataError, match="bbc-news has no version 1; use bbc-news@2"):
        load("bbc-news@1")


def test_builtin_cache_files_are_versioned_jsonl() -> None:
    path = BUILTIN["bbc-news"].cache_file()
    assert path.name == "bbc-news-v2.jsonl"
    first = json.loads(path.read_text(encoding="utf-8").split("\n", 1)[0])
    assert set(first) >= {"id", "text", "title", "label", "split"}


def run_python(code: str, cwd: Path) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                            text=True, check=True)
    return result.stdout.strip()


def test_import_datasets_from_the_repo_root_is_hugging_face(repo_root: Path) -> None:
    out = run_python("import datasets; print(datasets.__file__, hasattr(datasets, "
                     "'load_dataset'))", repo_root)
    path, has_loader = out.rsplit(" ", 1)
    assert "site-packages" in path and has_loader == "True"
    assert not (repo_root / "datasets" / "__init__.py").exists()


def test_import_newsdesk_pulls_in_no_training_stack(repo_root: Path) -> None:
    out = run_python("import sys, newsdesk, newsdesk.data, newsdesk.cli; "
                     "print(sorted({'datasets', 'accelerate'} & set(sys.modules)))", repo_root)
    assert out == "[]"

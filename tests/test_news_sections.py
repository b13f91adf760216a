"""news-sections (publishers' URL sections as topic labels) and news-topics (with bbc-news
under the same labels): the mapping table, what is left out, story-grouped and stable
splits, ``newsdesk data show``, the general recipes, and the diplomacy fixtures."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from tiny_data import topic_rows, write_jsonl
from tiny_models import make_tiny_base

from newsdesk.cli import main
from newsdesk.data import Record, builtin_records, load, read_records
from newsdesk.data import news_sections as ns
from newsdesk.data.same_subject import corpus_statistics, cosine_matrix, without_boilerplate
from newsdesk.data.sources import SECTIONS_LEFT_OUT
from newsdesk.errors import DataError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fresh() -> tuple[list[Record], ns.SectionReport]:
    """news-sections built now from news-articles, with its report."""
    report = ns.SectionReport()
    return ns.build(builtin_records("news-articles"), report=report), report


@pytest.fixture(scope="module")
def sections() -> list[Record]:
    return load("news-sections")


@pytest.fixture(scope="module")
def topics() -> list[Record]:
    return load("news-topics")


# --- the mapping table ----------------------------------------------------------------------

def test_every_kept_record_has_the_label_its_table_entry_gives(sections: list[Record]) -> None:
    for record in sections:
        _, label = ns.table_entry(record.meta["source"], record.meta["section"])
        assert label == record.label, record.id
    assert {r.label for r in sections} == set(ns.LABELS)
    assert all(label in ns.LABELS or label is ns.LEFT_OUT
               for entries in ns.SECTIONS.values() for _, label in entries)


def test_a_section_without_an_entry_stops_the_build() -> None:
    with pytest.raises(DataError, match=r"no entry in SECTIONS for cnn.com section 'style'"):
        ns.table_entry("cnn.com", "style")


@pytest.mark.parametrize(("publisher", "url", "section", "label"), [
    ("tass.com", "http://tass.com/defense/929599", "defense", "politics"),
    ("abcnews.go.com", "http://abcnews.go.com/International/wireStory/x-45322081",
     "international", "world"),
    ("cnn.com", "http://www.cnn.com/2017/03/15/asia/kim-jong-nam-dna/index.html", "asia",
     "world"),
    ("rte.ie", "http://www.rte.ie/news/assembly-election-2017/2017/0228/855772-five/",
     "news/assembly-election-2017", "politics"),
    ("rte.ie", "http://www.rte.ie/news/2017/0207/850712-waiting-lists-reaction/", "news", None),
    ("bbc.co.uk", "http://www.bbc.co.uk/news/world-asia-china-38901234",
     "news/world-asia-china", "world"),
    ("bbc.co.uk", "http://www.bbc.co.uk/news/uk-england-kent-38901234", "news/uk-england-kent",
     None),
    ("bbc.co.uk", "http://www.bbc.co.uk/sport/football/38884801", "sport/football", "sport"),
])
def test_section_and_label_from_a_url(publisher: str, url: str, section: str,
                                      label: str | None) -> None:
    assert ns.section_of(publisher, url) == section
    assert ns.table_entry(publisher, section)[1] == label


# --- what is kept and what is left out ------------------------------------------------------

def test_left_out_sections_are_counted_and_described(
        fresh: tuple[list[Record], ns.SectionReport]) -> None:
    records, report = fresh
    assert report.summary() == SECTIONS_LEFT_OUT   # the set's description quotes it
    assert report.left_out[("abcnews.go.com", "us")] == 121
    assert report.left_out[("tass.com", "society")] == 34
    assert report.left_out[("cnn.com", "opinions")] == 19
    assert sum(report.kept.values()) == len(records) == 1341
    assert (sum(report.kept.values()) + sum(report.left_out.values())
            + sum(report.no_section.values())) == 3781    # every news-articles article


def test_counts_per_publisher_and_label(sections: list[Record]) -> None:
    counts = Counter((r.meta["source"], r.label) for r in sections)
    assert counts[("tass.com", "politics")] == 179     # politics 144 + defense 35
    assert counts[("tass.com", "world")] == 114
    assert counts[("cnn.com", "world")] == 94          # europe, asia, middleeast, ...
    assert counts[("abcnews.go.com", "politics")] == 221
    assert Counter(r.label for r in sections) == {
        "politics": 587, "world": 405, "business": 147, "sport": 79, "health": 47,
        "entertainment": 44, "science-tech": 32}


def test_records_keep_publisher_date_and_headline(sections: list[Record]) -> None:
    record = next(r for r in sections if r.id == "na-1")
    assert record.meta["source"] == "abcnews.go.com"
    assert record.meta["publish_date"] == "2017-02-07"
    assert record.meta["section"] == "politics" and record.label == "politics"
    assert record.text.startswith(f"{record.title}\n\nMichigan billionaire")


# --- splits ---------------------------------------------------------------------------------

def test_the_same_story_never_lands_in_two_splits(sections: list[Record]) -> None:
    split_of_story: dict[str, set[str]] = defaultdict(set)
    for record in sections:
        split_of_story[record.meta["story"]].add(record.meta["split"])
    assert all(len(splits) == 1 for splits in split_of_story.values())
    # and, checked directly: bodies that are copies or rewrites (TF-IDF cosine >= 0.5)
    bodies = [without_boilerplate(r.text) for r in sections]
    cosines = cosine_matrix(corpus_statistics(bodies).vectorizer, bodies)
    copies = [(i, j) for i, j in zip(*np.nonzero(cosines >= 0.5)) if i < j]
    assert len(copies) > 50
    assert all(sections[i].meta["split"] == sections[j].meta["split"] for i, j in copies)


def test_story_groups_join_retellings_transitively() -> None:
    def story(ident: str, body: str, day: str) -> Record:
        return Record(id=ident, text=body, title=ident, meta={"publish_date": day})

    tale = "the harbour bridge closed after a ship struck a pillar near the old fish market"
    records = [story("a", f"{tale} on monday morning", "2017-03-01"),
               story("b", f"{tale} said the port", "2017-03-01"),
               story("c", "parliament passed the budget after a long night of votes", "2017-03-01"),
               story("d", f"{tale} investigators say", "2017-03-09")]
    assert ns.story_groups(records) == ["a", "a", "c", "a"]


def test_splits_are_deterministic_and_pinned(
        sections: list[Record], fresh: tuple[list[Record], ns.SectionReport]) -> None:
    assert [r.to_dict() for r in fresh[0]] == [r.to_dict() for r in sections]
    lines = sorted("\t".join([r.id, r.meta["split"], str(r.label), r.meta["story"]])
                   for r in sections)
    assert hashlib.sha256("\n".join(lines).encode()).hexdigest() == \
        "053d61b07a3bfc4c5f77dc4992d0b219d9e0b54a66f8b16adf489bdd0ef8021e"
    assert Counter(r.meta["split"] for r in sections) == {
        "train": 916, "validation": 138, "test": 287}


def test_every_label_is_in_train_and_test(sections: list[Record]) -> None:
    for split in ("train", "test"):
        assert {r.label for r in sections if r.meta["split"] == split} == set(ns.LABELS)


# --- news-topics: bbc-news under the same labels --------------------------------------------

def test_bbc_labels_map_onto_the_general_set(topics: list[Record]) -> None:
    bbc = [r for r in topics if r.meta["corpus"] == "bbc-news"]
    assert len(bbc) == 2092 and len(topics) == 2092 + 1341
    assert all(r.label == ns.BBC_LABELS[r.meta["bbc_label"]] for r in bbc)
    assert Counter(r.label for r in bbc)["science-tech"] == 337       # bbc-news tech
    assert not {"world", "health"} & {r.label for r in bbc}
    assert set(ns.BBC_LABELS.values()) <= set(ns.LABELS)
    originals = {r.id: r.meta["split"] for r in load("bbc-news")}
    assert all(r.meta["split"] == originals[r.id] for r in bbc)


def test_story_key_groups_news_sections_by_story(topics: list[Record]) -> None:
    from newsdesk.linear import story_key

    by_id = {r.id: r for r in topics}
    assert story_key(by_id["na-2723"]) == by_id["na-2723"].meta["story"]
    assert story_key(by_id["bbc-business-001"]) == story_key(
        Record(id="x", text="", title=by_id["bbc-business-001"].title))


def test_inner_cv_by_publisher_on_news_topics_train_rotates_five_and_always_trains_on_bbc(
        topics: list[Record]) -> None:
    """The figures docs/topics.md and topic-news-mpnet-frozen-xpub.yaml quote."""
    from newsdesk_train.tfidf_head import inner_split

    split = inner_split([r for r in topics if r.meta["split"] == "train"], "publisher")
    entry = split.record()
    assert entry["group_sizes"] == {"abcnews.go.com": 242, "bbc-news": 1463, "bbc.co.uk": 164,
                                    "cnn.com": 166, "rte.ie": 49, "tass.com": 295}
    assert entry["stories_across_publishers"] == {"stories": 56, "articles": 213}
    assert split.folds == 3
    assert entry["rotated_publishers"] == ["abcnews.go.com", "bbc.co.uk", "cnn.com", "rte.ie",
                                           "tass.com"]
    assert entry["always_trained_on"] == ["bbc-news"]
    bbc = {i for i, p in enumerate(split.groups) if p == "bbc-news"}
    for train, test in split.splitter.split():
        assert bbc <= set(train) and not bbc & set(test)  # the BBC of 2004-05 never scored


# --- the command and the recipes ------------------------------------------------------------

def test_data_show_news_sections_runs_offline(capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.setenv(name, "1")
    assert main(["data", "show", "news-sections"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("news-sections: 1,341 records\n")
    assert "of 50 read by hand, 41 agree" in out and "abcnews.go.com us 121" in out
    assert "splits: train 916, validation 138, test 287" in out
    assert "source: tass.com 435, abcnews.go.com 347, cnn.com 239, bbc.co.uk 233, rte.ie 87" \
        in out


@pytest.mark.parametrize("recipe", ["topic-news-minilm", "topic-news-mpnet-frozen",
                                    "topic-news-mpnet-frozen-xpub"])
def test_general_recipes_load_and_read_news_topics(recipe: str) -> None:
    from newsdesk_train.config import load_config

    config = load_config(REPO / "training" / "configs" / f"{recipe}.yaml")
    assert config.task == "topic" and config.data.source == "news-topics"
    assert (config.frozen is not None) == ("frozen" in recipe)


# --- benchmarks/topic_bbc.py --data (its --lopo: tests/test_crossval.py) ---------------------

@pytest.fixture(scope="module")
def bench():
    from importlib import import_module

    return import_module("topic_bbc")


def few(records: list[Record], per_label_and_split: int) -> list[Record]:
    """The first records of each (split, label, corpus): a small set that keeps every kind."""
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for record in records:
        key = (record.meta["split"], str(record.label), record.meta.get("corpus", ""))
        seen[key] += 1
        if seen[key] <= per_label_and_split:
            out.append(record)
    return out


def test_a_bbc_model_is_scored_on_news_sections_through_the_label_map(
        bench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        sections: list[Record]) -> None:
    from newsdesk_train.cli import main as train_main

    base = make_tiny_base(tmp_path / "base")
    data = write_jsonl(tmp_path / "bbc.jsonl", topic_rows({"train": 40, "validation": 10,
                                                           "test": 10}))
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"name: tiny\ntask: topic\ndata:\n  source: {data}\nmodel:\n  base: "
                      f"{base}\n  max_length: 64\ntraining:\n  seed: 7\noutput_dir: "
                      f"{tmp_path / 'model'}\nfrozen:\n  C: [1.0]\n  min_df: 1\n",
                      encoding="utf-8")
    assert train_main([str(recipe)]) == 0
    small = few(sections, 4)
    monkeypatch.setattr(bench, "load", lambda name, split: [
        r for r in small if r.meta["split"] == split])
    report = bench.test_split_rows([tmp_path / "model"], "news-sections")
    baseline, model = report["rows"]
    test = [r for r in small if r.meta["split"] == "test"]
    assert baseline["scored"] == len(test)
    assert model["scored"] == sum(r.label not in ("world", "health") for r in test)
    assert set(model["confusion"]["predicted"]) <= set(ns.BBC_LABELS.values())
    assert "world" in model["confusion"]["gold"] and "tech" not in model["confusion"]["gold"]
    assert {"all", "tass.com", "cnn.com"} <= set(model["slices"])
    assert "diff_macro_f1_95" in model["slices"]["all"]
    lines = "\n".join(bench.render_test(report))
    assert "| gold | " in lines and "| newsdesk model | tass.com |" in lines


def test_onto_labels_maps_bbc_topics_and_refuses_unknown_ones(bench) -> None:
    assert bench.onto_labels(["business", "tech"], list(ns.LABELS)) == {
        "business": "business", "tech": "science-tech"}
    with pytest.raises(SystemExit, match="favor"):
        bench.onto_labels(["favor"], list(ns.LABELS))


def test_macro_f1_of_codes_is_scikit_learns_over_the_gold_labels_present() -> None:
    from newsdesk.metrics.classification import labels_in, macro_f1, macro_f1_codes

    rng = np.random.default_rng(3)
    for _ in range(20):
        gold, predicted = rng.integers(0, 5, 40), rng.integers(0, 6, 40)
        names = [str(k) for k in range(6)]
        expected = macro_f1(gold.astype(str), predicted.astype(str),
                            labels_in(gold.astype(str).tolist(), names))
        assert macro_f1_codes(gold, predicted, 6) == pytest.approx(expected)


# --- fixtures for the trained general model -------------------------------------------------

def test_diplomacy_fixtures_are_six_records_of_world_news() -> None:
    """tests/fixtures/diplomacy.jsonl (a summit, a state visit, a treaty, a recalled
    ambassador, a UN Security Council vote, ceasefire talks), written for the project: a
    slow test (tests/test_slow.py, ``-m slow``) trains the general recipe (or loads
    ``$NEWSDESK_TOPIC_NEWS_MODEL``), predicts each record's ``text`` and asserts every
    label is in its ``meta['acceptable']``."""
    records = read_records(REPO / "tests" / "fixtures" / "diplomacy.jsonl")
    assert len(records) == 6 == len({r.meta["kind"] for r in records})
    assert all(r.meta["acceptable"] == ["world", "politics"] for r in records)
    assert all(r.title and r.text.startswith(f"{r.title}\n\n") for r in records)
    assert all(len(r.text.split()) > 100 for r in records)
    assert json.loads((REPO / "tests" / "fixtures" / "diplomacy.jsonl").read_text(
        encoding="utf-8").splitlines()[0])["kind"] == "summit"


def test_every_label_has_a_written_meaning() -> None:
    from newsdesk.data.news_sections import LABEL_MEANINGS, LABELS
    assert set(LABEL_MEANINGS) == set(LABELS) and all(LABEL_MEANINGS.values())

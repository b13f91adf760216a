"""Mined negatives for stance training (``data.mined_negatives``, ``newsdesk_train.mining``):
the most similar other body by a sentence encoder (a tiny random BERT here), never the
headline's own body, a body it is paired with or a same-event copy; ``replaces``; the
same pool every run; recipe key errors; the section and counts in the manifest and card."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tiny_data import small_split, write_jsonl
from tiny_models import make_tiny_base

from newsdesk.data import same_subject as ss
from newsdesk.data.records import Record
from newsdesk.errors import ConfigError
from newsdesk.manifest import Manifest
from newsdesk_train.cli import main as train_main
from newsdesk_train.config import DataConfig, MinedNegativesConfig, load_config
from newsdesk_train.mining import MINED, Mining, body_dates, mine_negatives
from newsdesk_train.recipe_data import MINED_NEGATIVES, load_recipe_data

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

CONFIGS = Path(__file__).resolve().parents[1] / "training" / "configs"
MINED_RECIPE = CONFIGS / "stance-headlines-minilm-mined.yaml"

HEARING = ("Greek sprinters Kostas Kenteris and Katerina Thanou face a disciplinary hearing "
           "in Athens on Monday over missed drugs tests before the Olympic Games, the "
           "International Association of Athletics Federations said. The pair deny wrongdoing.")
CRASH = ("Kostas Kenteris has denied faking a motorbike crash to avoid a drugs test. Kenteris "
         "and Katerina Thanou were taken to hospital in Athens after the crash on the eve of "
         "the Olympic Games, police in Athens said at the time.")
RATES = ("The Bank of England held interest rates at 4.75% on Thursday, as economists had "
         "expected, citing slowing house prices and weak retail sales over the winter months.")
STAMPS = ("Shares in the Royal Mail rose after the regulator Postcomm approved higher stamp "
          "prices, the first rise in three years, while unions warned of job cuts at depots.")
CHIPS = ("A new generation of mobile phone chips unveiled in Taipei on Tuesday uses half the "
         "power of its predecessor, the maker said, and will reach shops before the summer.")
FILM = ("The low-budget war film took three of the top awards at the Berlin festival on "
        "Saturday night, including best director, in a year of few studio releases there.")


def pair(headline_id: str, body_id: str, headline: str, body: str, kind: str,
         corpus: str = "bbc-news", **meta: str) -> Record:
    return Record(id=f"hs-{headline_id}-{kind}", text=body, target=headline,
                  stance="related" if kind == "related" else "unrelated",
                  meta={"split": "train", "kind": kind, "corpus": corpus,
                        "headline_id": headline_id, "body_id": body_id, **meta})


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_base(tmp_path_factory.mktemp("mining-base"))


@pytest.fixture(scope="module")
def encoder(base: Path) -> Any:
    from newsdesk.summarize.encoder import SentenceEncoder

    return SentenceEncoder.load(base)


def cosine(encoder: Any, first: str, second: str) -> float:
    vectors = encoder.encode([first, second])
    return float(vectors[0] @ vectors[1])


def copy_and_paired_records() -> list[Record]:
    """Headline a is the text of b's body (a body it is paired with); headline a2 is the
    text of its own body, which is a's body too (one story filed twice)."""
    return [pair("a", "a", RATES, HEARING, "related"),
            pair("a", "b", RATES, RATES, "hard"),
            pair("a", "c", RATES, STAMPS, "easy"),
            pair("a2", "a2", HEARING, HEARING, "related"),
            pair("b", "b", "Rates held at 4.75%", RATES, "related"),
            pair("c", "c", "Stamp prices to rise", STAMPS, "related"),
            pair("d", "d", "Phone chips halve power use", CHIPS, "related"),
            pair("e", "e", "War film wins in Berlin", FILM, "related")]


BODIES = {"a": HEARING, "a2": HEARING, "b": RATES, "c": STAMPS, "d": CHIPS, "e": FILM}


def test_the_most_similar_other_body_never_the_own_a_paired_one_or_a_copy(
        encoder: Any) -> None:
    records = copy_and_paired_records()
    for_a = {body: cosine(encoder, RATES, text) for body, text in BODIES.items()}
    for_a2 = {body: cosine(encoder, HEARING, text) for body, text in BODIES.items()}
    # without the rules: b (paired with a) would be a's negative, and a2's own body or its
    # copy (a's body) a2's
    assert max(for_a, key=for_a.get) == "b" and for_a["b"] == pytest.approx(1.0)
    assert for_a2["a"] == for_a2["a2"] == pytest.approx(1.0)
    mining = mine_negatives(records, MinedNegativesConfig(), encoder)
    mined = {r.meta["headline_id"]: r for r in mining.records if r.meta["kind"] == MINED}
    assert set(mined) == {"a", "a2", "b", "c", "d", "e"} and mining.mined == 6
    # a: not b, c (paired), a (own) or a2 (a copy of its own story)
    expected = max(("d", "e"), key=for_a.get)
    assert mined["a"].meta["body_id"] == expected
    assert mined["a"].meta["bi_encoder_cosine"] == pytest.approx(for_a[expected], abs=1e-4)
    assert mined["a"].id == "hs-a-mined-1" and mined["a"].stance == "unrelated"
    assert mined["a"].target == RATES and mined["a"].text == BODIES[expected]
    # a2: the most similar of the bodies that are neither its own nor its copy
    assert mined["a2"].meta["body_id"] == max(("b", "c", "d", "e"), key=for_a2.get)
    assert all(r.meta["body_id"] != r.meta["headline_id"] for r in mined.values())
    assert mining.skipped_same_event >= 1  # a's body for a2
    assert mining.replaced == 0 and len(mining.records) == len(records) + 6


def dated_records(days_apart: int) -> list[Record]:
    """Headline p is the text of q's body, so q's body comes first for it; q is another
    story about the same people (the road crash, not the hearing), ``days_apart`` later."""
    def dated(headline_id: str, headline: str, body: str, day: int) -> Record:
        return pair(headline_id, headline_id, headline, body, "related", corpus="wire",
                    publish_date=f"2004-12-{day:02d}")
    return [dated("p", CRASH, HEARING, 1), dated("q", "Sprinter's account questioned",
                                                 CRASH, 1 + days_apart),
            dated("r", "Rates held at 4.75%", RATES, 25),
            dated("s", "Stamp prices to rise", STAMPS, 28)]


def test_a_same_day_story_sharing_words_is_the_same_event_a_later_one_is_mined(
        encoder: Any) -> None:
    near = dated_records(1)
    assert body_dates(near)["q"] == "2004-12-02"
    statistics = ss.corpus_statistics(r.text for r in near)
    cosines = ss.StoryCosines.of([_story(r) for r in near], statistics)
    assert ss.SAME_EVENT_COSINE <= cosines.bodies[0, 1] < ss.COPY_COSINE
    assert cosines.headlines[0, 1] < ss.COPY_HEADLINE_COSINE
    same_day = mine_negatives(near, MinedNegativesConfig(), encoder)
    later = mine_negatives(dated_records(20), MinedNegativesConfig(), encoder)
    assert _mined_for(same_day, "p") != "q" and same_day.skipped_same_event >= 1
    assert _mined_for(later, "p") == "q"


def _story(record: Record) -> ss.PlainStory:
    return ss.PlainStory(record.meta["body_id"], record.target or "", record.text,
                 record.meta["publish_date"])


def _mined_for(mining: Mining, headline_id: str) -> str:
    return next(r.meta["body_id"] for r in mining.records
                if r.meta["kind"] == MINED and r.meta["headline_id"] == headline_id)


@pytest.fixture(scope="module")
def real_pairs() -> list[Record]:
    """The first 30 headline-stance training pairs: 10 headlines, each related, hard, easy."""
    return small_split("headline-stance", {"train": 30})


def test_replaces_easy_drops_the_easy_pairs_and_keeps_the_rest(real_pairs: list[Record],
                                                               encoder: Any) -> None:
    kinds = [r.meta["kind"] for r in real_pairs]
    assert kinds.count("related") == kinds.count("easy") == 10
    mining = mine_negatives(real_pairs, MinedNegativesConfig(replaces="easy"), encoder)
    left = [r.meta["kind"] for r in mining.records]
    assert "easy" not in left and left.count("hard") == kinds.count("hard")
    assert left.count("related") == 10 and left.count(MINED) == 10 == mining.mined
    assert mining.replaced == 10 and len(mining.records) == 30
    easy_bodies = {(r.meta["headline_id"], r.meta["body_id"]) for r in real_pairs
                   if r.meta["kind"] == "easy"}
    for record in mining.records:
        if record.meta["kind"] == MINED:  # never a body the headline was paired with
            assert (record.meta["headline_id"], record.meta["body_id"]) not in easy_bodies
            assert record.meta["body_id"] != record.meta["headline_id"]
    added = mine_negatives(real_pairs, MinedNegativesConfig(per_headline=2), encoder)
    assert added.replaced == 0 and len(added.records) == 30 + 20
    two = [r for r in added.records if r.meta["headline_id"] == real_pairs[0].meta[
        "headline_id"] and r.meta["kind"] == MINED]
    assert [r.id.rsplit("-", 1)[1] for r in two] == ["1", "2"]
    assert two[0].meta["bi_encoder_cosine"] >= two[1].meta["bi_encoder_cosine"]
    assert two[0].meta["body_id"] != two[1].meta["body_id"]


def test_mining_is_the_same_every_run_and_in_any_order(real_pairs: list[Record],
                                                       encoder: Any) -> None:
    settings = MinedNegativesConfig(replaces="easy")
    first = mine_negatives(real_pairs, settings, encoder)
    shuffled = list(real_pairs)
    random.Random(3).shuffle(shuffled)
    second = mine_negatives(shuffled, settings, encoder)

    def mined(mining: Mining) -> list[tuple]:
        return sorted((r.id, r.meta["body_id"], r.meta["bi_encoder_cosine"])
                      for r in mining.records if r.meta["kind"] == MINED)
    assert mined(first) == mined(second) and len(mined(first)) == 10
    assert sorted(r.id for r in first.records) == sorted(r.id for r in second.records)


def test_news_articles_bodies_are_dated_from_the_built_in_set() -> None:
    from newsdesk.data import load

    pairs = [r for r in load("headline-stance", split="train")
             if r.meta["corpus"] == "news-articles"][:3]
    articles = {r.id: r for r in load("news-articles")}
    assert body_dates(pairs) == {r.meta["body_id"]: articles[r.meta["body_id"]].meta[
        "publish_date"] for r in pairs}


def test_recipe_data_mines_before_max_train_examples(real_pairs: list[Record], base: Path,
                                                     tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "pairs.jsonl", [r.to_dict() for r in real_pairs])
    settings = MinedNegativesConfig(encoder=str(base), replaces="easy")
    config = DataConfig(source=str(source), validation_split=None, test_split=None,
                        max_train_examples=12, mined_negatives=settings)
    data = load_recipe_data(config)
    again = load_recipe_data(config)
    assert len(data.train) == 12 and [r.id for r in data.train] == [r.id for r in again.train]
    in_training = sum(r.meta["kind"] == MINED for r in data.train)
    assert data.mining is not None and data.mining["in_training"] == in_training
    assert data.mining["mined"] == 10 and data.mining["replaced"] == 10
    assert data.mining["replaces"] == "easy" and data.mining["encoder"] == str(base)
    assert "easy" not in {r.meta["kind"] for r in data.train}
    plain = load_recipe_data(DataConfig(source=str(source), validation_split=None,
                                        test_split=None, max_train_examples=12))
    assert plain.mining is None and "easy" in {r.meta["kind"] for r in real_pairs}


@pytest.mark.parametrize(("override", "message"), [
    ("data.mined_negatives.per_headlin=2", "'data.mined_negatives.per_headlin'; did you mean "
     "'data.mined_negatives.per_headline'"),
    ("data.mined_negatives.replaces=related", "data.mined_negatives.replaces must be one of "
     "hard, easy"),
    ("data.mined_negatives.per_headline=0", "data.mined_negatives.per_headline must be at "
     "least 1"),
    ("data.mined_negatives.encoder=3", "data.mined_negatives.encoder must be str"),
    ("task=topic", "data.mined_negatives: mined negatives are unrelated headline/body pairs "
     "for stance recipes, not for a topic recipe"),
])
def test_recipe_key_errors_name_the_key(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(MINED_RECIPE, [override])


def test_shipped_mined_recipe_is_the_minilm_recipe_plus_mining_and_fast_settings() -> None:
    mined, shipped = load_config(MINED_RECIPE), load_config(CONFIGS /
                                                            "stance-headlines-minilm.yaml")
    assert mined.data.mined_negatives == MinedNegativesConfig(encoder="minilm-l6",
                                                              per_headline=1, replaces="easy")
    assert mined.model.attention_dropout == 0.0 and mined.training.precision == "bf16"
    assert shipped.data.mined_negatives is None
    for section in ("model", "training"):
        ours, theirs = vars(getattr(mined, section)), vars(getattr(shipped, section))
        changed = {k for k in ours if ours[k] != theirs[k]}
        assert changed == ({"attention_dropout"} if section == "model" else {"precision"})
    assert mined.data.max_train_examples == shipped.data.max_train_examples == 6000
    assert mined.calibration == shipped.calibration == "temperature"


def test_a_kind_no_pair_has_and_data_without_related_pairs_are_config_errors(
        real_pairs: list[Record], encoder: Any) -> None:
    without_easy = [r for r in real_pairs if r.meta["kind"] != "easy"]
    with pytest.raises(ConfigError, match="data.mined_negatives.replaces: no training pair "
                       "is of kind 'easy'"):
        mine_negatives(without_easy, MinedNegativesConfig(replaces="easy"), encoder)
    topic_like = [Record(id="x", text=HEARING, target="Hearing", stance="unrelated")]
    with pytest.raises(ConfigError, match="data.mined_negatives: no training pair of kind "
                       "'related'"):
        mine_negatives(topic_like, MinedNegativesConfig(), encoder)


def test_the_mined_recipe_trains_and_records_the_mining(real_pairs: list[Record], base: Path,
                                                         tmp_path: Path) -> None:
    rows = [r.to_dict() for r in real_pairs[:24]]
    rows += [r.to_dict() for r in small_split("headline-stance",
                                              {"validation": 6, "test": 6})]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    overrides = [f"data.source={data}", f"model.base={base}",
                 f"data.mined_negatives.encoder={base}", "data.max_train_examples=16",
                 "training.batch_size=8"]
    args = [str(MINED_RECIPE), *[a for o in overrides for a in ("--set", o)],
            "--max-steps", "2", "--output-dir", str(tmp_path / "model")]
    assert train_main(args) == 0
    manifest = Manifest.load(tmp_path / "model")
    entry = manifest.data[MINED_NEGATIVES]
    assert entry["mined"] == 8 and entry["replaced"] == 8 and entry["headlines"] == 8
    assert entry["per_headline"] == 1 and entry["replaces"] == "easy"
    assert entry["seconds"] >= 0 and entry["skipped_same_event"] >= 0
    expected = load_recipe_data(load_config(MINED_RECIPE, overrides).data)
    assert entry["in_training"] == sum(r.meta["kind"] == MINED for r in expected.train)
    assert manifest.data["splits"]["train"] == 16
    card = (tmp_path / "model" / "README.md").read_text()
    assert "## Mined negatives" in card and "they replace the 8 `easy` pairs" in card
    assert np.isfinite(manifest.metrics["test"]["accuracy"])


def test_docstring_examples_run() -> None:
    import doctest

    import newsdesk_train.mining

    result = doctest.testmod(newsdesk_train.mining)
    assert result.attempted >= 1 and result.failed == 0

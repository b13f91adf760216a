"""The fine-tuned extractor end to end on a tiny random BERT and a few real news-articles
records: the greedy ROUGE oracle; a recipe trains a sentence scorer in a few steps into a
summary dir that ``Summarizer.from_pretrained`` and ``newsdesk.load`` open; summaries keep to
``max_words`` (a budget below every sentence cuts the best-scored one); torch and ONNX choose
the same sentences; ``newsdesk analyze --summary DIR``; leave-one-publisher-out data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from test_light import BLOCKER
from tiny_data import extractive_recipe
from tiny_models import (
    edit_json,
    evaluated_like_training,
    light_install_summaries,
    make_tiny_summarizer,
    summaries_off_the_rule,
)

import newsdesk
from newsdesk import Summarizer
from newsdesk.cli import main as cli_main
from newsdesk.data import load
from newsdesk.errors import ConfigError, ModelError
from newsdesk.manifest import MANIFEST_NAME, Manifest
from newsdesk.metrics.summary import rouge_scores
from newsdesk.metrics.text import count_words
from newsdesk.summarize.abstractive import AbstractiveSummarizer
from newsdesk.summarize.budget import truncate_words
from newsdesk.summarize.oracle import oracle_indices
from newsdesk.summarize.scorer import (
    ScorerSettings,
    ScorerSummarizer,
    SentenceScorer,
    choose_summary,
    ranked_sentences,
)
from newsdesk.summarize.sentences import article_sentences
from newsdesk_train.cli import main as train_main
from newsdesk_train.config import load_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

CONFIGS = Path(__file__).resolve().parents[1] / "training" / "configs"


def mean_rouge12(sentences: list[str], chosen: list[int], reference: str) -> float:
    """The oracle's objective, by the project's ROUGE (rouge-score on the joined text)."""
    if not chosen:
        return 0.0
    scores = rouge_scores([" ".join(sentences[i] for i in sorted(chosen))], [reference])[0]
    return (scores["rouge1"] + scores["rouge2"]) / 2


@pytest.fixture(scope="module")
def articles() -> list[tuple[list[str], str]]:
    """(first 10 cleaned sentences, standfirst) of a few real news-articles records."""
    records = [r for r in load("news-articles", split="train")[:80] if r.summary][:6]
    return [(article_sentences(r.text, limit=10), str(r.summary)) for r in records]


def test_oracle_adds_sentences_while_rouge_rises_then_stops(
        articles: list[tuple[list[str], str]]) -> None:
    for sentences, reference in articles:
        chosen = oracle_indices(sentences, reference, max_sentences=len(sentences))
        assert chosen == sorted(chosen) and chosen
        # rebuild the greedy order: each step is the best addition, and it raised ROUGE
        steps: list[int] = []
        for _ in chosen:
            left = [i for i in chosen if i not in steps]
            best = max(left, key=lambda i: mean_rouge12(sentences, [*steps, i], reference))
            assert (mean_rouge12(sentences, [*steps, best], reference)
                    > mean_rouge12(sentences, steps, reference))
            steps.append(best)
        # it stopped because no other sentence raises the score
        final = mean_rouge12(sentences, chosen, reference)
        for other in set(range(len(sentences))) - set(chosen):
            assert mean_rouge12(sentences, [*chosen, other], reference) <= final + 1e-12


def test_oracle_caps_sentences_and_words_and_finds_nothing_in_unrelated_text(
        articles: list[tuple[list[str], str]]) -> None:
    sentences, reference = articles[0]
    assert len(oracle_indices(sentences, reference, max_sentences=1)) == 1
    for budget in (10, 25, 40):
        chosen = oracle_indices(sentences, reference, max_words=budget)
        assert sum(count_words(sentences[i]) for i in chosen) <= budget
    assert oracle_indices(["Zebras graze quietly."], "Parliament passed the budget.") == []


def test_ranking_passes_over_a_repeat_of_a_better_sentence() -> None:
    sentences = ["Parliament passed the budget on Monday.", "Rain fell in the north.",
                 "On Monday parliament passed the budget."]
    assert ranked_sentences(sentences, [0.9, 0.1, 0.8], redundancy=0.5) == [0, 1, 2]
    assert ranked_sentences(sentences, [0.9, 0.1, 0.8], redundancy=1.0) == [0, 2, 1]
    summary = choose_summary(sentences, [0.9, 0.1, 0.8], ScorerSettings(k=2), max_words=20)
    assert summary == "Parliament passed the budget on Monday. Rain fell in the north."


@pytest.fixture(scope="module")
def data_file(summary_data_file: Path) -> Path:
    return summary_data_file


@pytest.fixture(scope="module")
def base(tiny_base: Path) -> Path:
    return tiny_base


def test_training_pairs_keep_the_oracle_and_sample_negatives_reproducibly(
        data_file: Path, base: Path, tmp_path: Path) -> None:
    from newsdesk_train.extractive import HEADLINE, label_article, training_examples

    recipe = extractive_recipe(tmp_path / "recipe.yaml", source=data_file, base=base,
                               output=tmp_path / "model")
    config = load_config(recipe)
    records = load(str(data_file), split="train")
    examples = training_examples(records, config)
    assert examples == training_examples(records, config)  # the recipe's seed decides
    labelled = [label_article(r, "summary", config.extractive) for r in records]
    articles = [a for a in labelled if a is not None]
    assert len(articles) == 12  # the records with a standfirst
    assert sum(e.label for e in examples) == sum(len(a.positives) for a in articles)
    assert len(examples) == sum(len(a.positives) + min(2, len(a.sentences) - len(a.positives))
                                for a in articles)  # negatives_per_article: 2
    assert all(e.marked.startswith("[") and e.context for e in examples)
    # headlines: an article without a standfirst gives its one best sentence for its title
    bare = next(r for r in records if not r.summary)
    assert label_article(bare, "summary", config.extractive) is None
    headline = label_article(bare, "summary", config.extractive, headlines=True)
    assert headline is not None and headline.kind == HEADLINE
    assert len(headline.positives) <= 1
    with_headlines = load_config(recipe, ["extractive.headlines=true"])
    assert len(training_examples(records, with_headlines)) > len(examples)


@pytest.fixture(scope="module")
def model(base: Path, data_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("extractive-model")
    recipe = extractive_recipe(root / "recipe.yaml", source=data_file, base=base,
                               output=root / "model")
    assert train_main([str(recipe)]) == 0
    return root / "model"


@pytest.fixture(scope="module")
def news(data_file: Path) -> list[str]:
    return [json.loads(line)["text"] for line in data_file.read_text().splitlines()][:8]


def test_the_recipe_writes_an_ordinary_summary_dir_of_the_scorer_kind(model: Path) -> None:
    names = {p.name for p in model.iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", MANIFEST_NAME,
            "README.md"} <= names and "training_args.bin" not in names
    config = json.loads((model / "config.json").read_text())
    assert config["id2label"] == {"0": "not_in_summary", "1": "in_summary"}
    manifest = Manifest.load(model)
    assert manifest.task == "summary" and manifest.pair_order is None
    assert manifest.extras["summary_kind"] == "extractive-scorer"
    assert manifest.extras["scorer"] == {"window": 6, "context_sentences": 1, "k": 3,
                                         "redundancy": 0.5}
    assert manifest.extras["target"] == "summary"
    assert manifest.windowing.max_length == 64 and manifest.windowing.mode == "first"
    assert manifest.training["global_steps"] == 4
    assert manifest.training["checkpoint"] == "best validation rougeLsum"
    pairs = manifest.data["training_pairs"]
    assert 0 < pairs["in_summary"] < pairs["all"] <= 12 * 6
    assert manifest.metrics["validation"]["n"] == manifest.metrics["test"]["n"] == 4
    card = (model / "README.md").read_text()
    assert "How summaries are made" in card and "extractive" in card


def test_summarizer_and_load_open_the_dir(model: Path, news: list[str]) -> None:
    summarizer = Summarizer.from_pretrained(model)
    assert isinstance(summarizer.backend, ScorerSummarizer)
    assert summarizer.method == "model"
    loaded = newsdesk.load(model)
    assert isinstance(loaded, Summarizer) and isinstance(loaded.backend, ScorerSummarizer)
    assert loaded.summarize(news) == summarizer.summarize(news)
    assert summarizer.summarize(["  ", news[0]])[0] == ""


def test_summaries_are_the_best_scored_sentences_within_max_words(model: Path,
                                                                  news: list[str]) -> None:
    summarizer = Summarizer.from_pretrained(model)
    backend = summarizer.backend
    articles = backend.sentences(news)
    assert summaries_off_the_rule(summarizer, news, (5, 12, 25, 40, 80)) == []
    for budget in (5, 12, 25, 40, 80):
        for summary, sentences in zip(summarizer.summarize(news, max_words=budget), articles):
            if min(count_words(s) for s in sentences) <= budget:  # whole sentences fit:
                picked = [s for s in sentences if s in summary]  # in article order
                assert summary == " ".join(picked) and len(picked) <= backend.settings.k


def test_a_budget_below_every_sentence_cuts_the_best_scored_one(model: Path,
                                                                news: list[str]) -> None:
    """No sentence fits in 3 words: the summary is the top-scored (non-redundant first)
    sentence's first 3 words, never empty and never longer."""
    summarizer = Summarizer.from_pretrained(model)
    backend = summarizer.backend
    articles = backend.sentences(news)
    for text, sentences, scores in zip(news, articles, backend.sentence_scores(articles)):
        shortest = min(count_words(s) for s in sentences)
        budget = min(3, shortest - 1) if shortest > 1 else 1
        best = sentences[int(np.argmax(scores))]
        summary = summarizer.summarize([text], max_words=budget)[0]
        assert summary == truncate_words(best, budget) and count_words(summary) == budget


def test_settings_can_be_overridden_at_load(model: Path, news: list[str]) -> None:
    one = Summarizer.from_pretrained(model, k=1)
    assert one.backend.settings.k == 1
    backend = one.backend
    for summary, sentences in zip(one.summarize(news, max_words=200),
                                  backend.sentences(news)):
        assert summary in sentences
    with pytest.raises(ConfigError, match="no option beams"):
        Summarizer.from_pretrained(model, beams=2)


def test_torch_and_onnx_choose_the_same_sentences(model: Path, news: list[str],
                                                  tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("onnxruntime")
    import shutil

    directory = Path(shutil.copytree(model, tmp_path / "model"))
    assert cli_main(["export", str(directory), "--onnx", "--int8"]) == 0
    assert "wrote" in capsys.readouterr().out
    torch_summ = Summarizer.from_pretrained(directory)
    onnx_summ = Summarizer.from_pretrained(directory, backend="onnx", threads=1)
    articles = torch_summ.backend.sentences(news)
    torch_scores = torch_summ.backend.sentence_scores(articles)
    onnx_scores = onnx_summ.backend.sentence_scores(articles)
    for a, b in zip(torch_scores, onnx_scores):
        np.testing.assert_allclose(a, b, atol=1e-4)
    for budget in (12, 40):
        assert (onnx_summ.summarize(news, max_words=budget)
                == torch_summ.summarize(news, max_words=budget))
    int8 = Summarizer.from_pretrained(directory, backend="onnx", quantize="int8")
    assert all(count_words(s) <= 40 for s in int8.summarize(news, max_words=40))
    # the light install (no torch, transformers, scikit-learn...) runs the export by itself
    scorer, runner, light = light_install_summaries(BLOCKER, directory, news)
    assert (scorer, runner) == ("SentenceScorer", "OnnxRunner")
    assert light == torch_summ.summarize(news, max_words=40)


def test_analyze_uses_the_fine_tuned_extractor(model: Path, news: list[str], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "article.txt"
    article.write_text(news[0], encoding="utf-8")
    assert cli_main(["analyze", str(article), "--summary", str(model), "--json",
                     "--max-words", "30"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary == Summarizer.from_pretrained(model).summarize([news[0]], max_words=30)[0]
    assert 0 < count_words(summary) <= 30


def test_evaluate_scores_the_extractor_as_training_did(model: Path, data_file: Path,
                                                       tmp_path: Path) -> None:
    assert evaluated_like_training(model, data_file, tmp_path / "report") == []


def test_old_summary_dirs_load_as_abstractive_and_unknown_kinds_are_refused(
        tmp_path: Path) -> None:
    old = make_tiny_summarizer(tmp_path / "old")
    assert "summary_kind" not in Manifest.load(old).extras
    assert isinstance(Summarizer.from_pretrained(old).backend, AbstractiveSummarizer)
    with pytest.raises(ModelError, match="abstractive summary model, not an extractive-scorer one"):
        SentenceScorer.from_pretrained(old)
    manifest = json.loads((old / MANIFEST_NAME).read_text())
    edit_json(old / MANIFEST_NAME, extras={**manifest["extras"], "summary_kind": "bullets"})
    with pytest.raises(ModelError, match="unknown summary_kind 'bullets'"):
        Summarizer.from_pretrained(old)


def test_leave_one_publisher_out_drops_its_training_articles(base: Path, data_file: Path,
                                                             tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    rows = [json.loads(line) for line in data_file.read_text().splitlines()]
    counts = Counter(r["source"] for r in rows if r["split"] == "train" and r.get("summary"))
    left_out = counts.most_common(1)[0][0]
    recipe = extractive_recipe(tmp_path / "recipe.yaml", source=data_file, base=base,
                               output=tmp_path / "model", max_steps=1)
    assert train_main([str(recipe), "--set", f"data.exclude_sources=[{left_out}]",
                       "--set", "training.precision=bf16"]) == 0  # the recipe's precision
    manifest = Manifest.load(tmp_path / "model")
    assert manifest.data["exclude_sources"] == [left_out]
    assert manifest.data["splits"]["train"] == 12 - counts[left_out]
    assert manifest.metrics["test"]["n"] == 4  # the test split stays whole
    assert train_main([str(recipe), "--set", "data.exclude_sources=[nowhere.example]",
                       "--output-dir", str(tmp_path / "other")]) == 2
    assert "no training record comes from nowhere.example" in capsys.readouterr().err


@pytest.mark.parametrize(("override", "message"), [
    ("task=topic", "a sentence scorer is a summary model"),
    ("generation.num_beams=2", "generation has no effect"),
    ("model.stride=8", "model.stride must be 0"),
    ("extractive.k=0", "extractive k must be a whole number >= 1"),
    ("extractive.negatives_per_article=-1", "negatives_per_article must be at least 0"),
])
def test_bad_extractive_recipes_are_refused(data_file: Path, base: Path, tmp_path: Path,
                                            override: str, message: str) -> None:
    recipe = extractive_recipe(tmp_path / "recipe.yaml", source=data_file, base=base,
                               output=tmp_path / "model")
    with pytest.raises(ConfigError, match=message):
        load_config(recipe, [override])


def test_the_shipped_recipe_parses_with_trainer_arguments() -> None:
    from transformers import TrainingArguments

    from newsdesk_train.config import trainer_arguments_class

    config = load_config(CONFIGS / "summary-news-extractive.yaml")
    assert config.task == "summary" and config.extractive is not None
    assert config.model.attention_dropout == 0.0 and config.training.precision == "bf16"
    assert config.training.argument("epochs") == 1
    assert trainer_arguments_class(config.task, extractive=True) is TrainingArguments


def test_the_benchmark_adds_the_extractor_and_the_oracle(model: Path, tmp_path: Path) -> None:
    import summary_news as bench

    assert bench.main(["--limit", "5", "--methods", "lead", "--repeats", "1",
                       "--extractor", str(model), "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "summary_news.json").read_text())
    rows = {row["label"]: row for row in result["rows"]}
    extractor, oracle = rows["extractor, model"], rows[
        "oracle (reads the standfirst: upper bound)"]
    assert result["best_unsupervised"] == "lead, tuned"
    assert extractor["lsum_minus_best_unsupervised"]["against"] == "lead, tuned"
    assert rows["lead, tuned"]["lsum_minus_best_unsupervised"]["mean"] == 0.0
    for label in (extractor["label"], oracle["label"]):  # the same budget rule as the rest
        tuning = result["tuning"][label]
        assert sorted({t["max_words"] for t in tuning["grid"]}) == list(bench.BUDGETS)
        best = max(tuning["grid"], key=lambda t: t["rougeLsum"])
        assert (tuning["max_words"], tuning["options"]) == (best["max_words"],
                                                            best["options"])
        assert rows[label]["within_budget"] and rows[label]["max_words"] == best["max_words"]
    every_setting = 1
    for values in bench.EXTRACTOR_GRID.values():  # k, redundancy and window
        every_setting *= len(values)
    assert len(result["tuning"][extractor["label"]]["grid"]) == every_setting * len(bench.BUDGETS)
    assert {t["options"]["window"] for t in result["tuning"][extractor["label"]]["grid"]} == set(
        bench.EXTRACTOR_GRID["window"])
    assert extractor["options"]["k"] == result["tuning"][extractor["label"]]["options"]["k"]
    assert (result["tuning"][oracle["label"]]["validation_rougeLsum"]
            > result["tuning"]["lead, tuned"]["validation_rougeLsum"])
    assert set(extractor["by_source"]) == set(rows["lead, tuned"]["by_source"])
    markdown = (tmp_path / "summary_news.md").read_text()
    assert "| extractor, model |" in markdown and "over lead, tuned (paired)" in markdown
    from quotes import quoted  # docs/summaries.md quotes the results file's own table

    table = quoted(markdown, "table")
    assert "\n".join(bench.results_table(result)) in table and "| extractor, model |" in table

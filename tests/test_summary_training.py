"""Abstractive summaries end to end on a tiny random bert2bert (two tiny BERTs): a recipe
trains a few Seq2SeqTrainer steps and writes a loadable dir whose generation config is the
recipe's; it reloads in a new process with the same output; max_words, map-reduce, the
headline target with extra pairs, evaluate and analyze; the shipped recipes parse."""

from __future__ import annotations

import doctest
import json
from importlib import import_module
from pathlib import Path

import pytest
from tiny_data import SUMMARY_MAX_NEW_TOKENS as MAX_NEW_TOKENS
from tiny_data import summary_recipe as write_recipe
from tiny_data import summary_rows, write_jsonl
from tiny_models import json_from_new_process, make_tiny_base

from newsdesk import NewsDesk, Summarizer
from newsdesk.cli import main as cli_main
from newsdesk.manifest import Manifest
from newsdesk.summarize.abstractive import SourceSettings, check_generation, pack_windows
from newsdesk_train.cli import main as train_main
from newsdesk_train.config import load_config
from newsdesk_train.summarization import label_ids, principal_sentence

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

CONFIGS = Path(__file__).resolve().parents[1] / "training" / "configs"
RECIPES = ("summary-news-bert2bert", "summary-headlines-bert2bert", "summary-t5-small")
LONG_ARTICLE = " ".join(f"The harbour authority said repairs to pier {i} will last until "
                        "spring, and visitors can still use the old lighthouse." for i in
                        range(40))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_base(tmp_path_factory.mktemp("summary-base"))


@pytest.fixture(scope="module")
def data_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = summary_rows({"train": 12, "validation": 4, "test": 4})
    return write_jsonl(tmp_path_factory.mktemp("summary-data") / "news.jsonl", rows)


@pytest.fixture(scope="module")
def model(base: Path, data_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("summary-model")
    recipe = write_recipe(root / "recipe.yaml", source=data_file, base=base,
                          output=root / "model")
    assert train_main([str(recipe)]) == 0
    return root / "model"


def test_model_dir_holds_weights_tokenizer_generation_config_and_manifest(model: Path) -> None:
    names = {p.name for p in model.iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", "generation_config.json",
            "newsdesk.json", "README.md"} <= names
    assert not names & {"pytorch_model.bin", "training_args.bin"}
    generation = json.loads((model / "generation_config.json").read_text())
    assert generation["max_new_tokens"] == MAX_NEW_TOKENS and generation["num_beams"] == 2
    assert generation["decoder_start_token_id"] == 101 and generation["eos_token_id"] == 102
    manifest = Manifest.load(model)
    assert manifest.task == "summary" and manifest.windowing.mode == "first"
    assert manifest.extras["source"]["max_length"] == 64
    assert manifest.extras["source"]["long_articles"] == "truncate"
    assert manifest.extras["target"] == "summary" and manifest.extras["max_target_length"] == 16
    assert manifest.extras["generation"]["max_new_tokens"] == MAX_NEW_TOKENS
    assert manifest.data["splits"] == {"train": 12, "validation": 4, "test": 4}
    assert manifest.training["checkpoint"] == "best validation rougeLsum"
    assert manifest.data["records_without_target"]["train"] == 3
    assert manifest.metrics["validation"]["n"] == manifest.metrics["test"]["n"] == 4
    card = (model / "README.md").read_text()
    assert "rougeLsum" in card and "truncated" in card and "max_new_tokens" in card


def test_reload_in_a_new_process_generates_the_same_strings(model: Path) -> None:
    texts = [LONG_ARTICLE, "MOSCOW, March 7. /TASS/. Talks on the treaty began on Monday. "
             "Both sides called them useful."]
    here = Summarizer.from_pretrained(model).summarize(texts)
    script = ("import json; from newsdesk import Summarizer; "
              f"s = Summarizer.from_pretrained({str(model)!r}).summarize({texts!r}); "
              "print(json.dumps(s))")
    assert json_from_new_process(script) == here
    assert all(isinstance(s, str) and s for s in here)


def test_max_words_is_honoured_and_empty_articles_get_empty_summaries(model: Path) -> None:
    summarizer = Summarizer.from_pretrained(model, max_words=4)
    out = summarizer.summarize([LONG_ARTICLE, "  ", "Rates rose on Monday. Markets fell."])
    assert out[1] == "" and all(len(s.split()) <= 4 for s in out)
    assert all(len(s.split()) <= 2 for s in summarizer.summarize([LONG_ARTICLE], max_words=2))
    assert summarizer.method == "model"


def test_map_reduce_summarises_windows_then_their_summaries(model: Path) -> None:
    summarizer = Summarizer.from_pretrained(model, long_articles="map-reduce")
    backend = summarizer.backend
    windows = backend.windows(LONG_ARTICLE)
    assert 1 < len(windows) <= 8
    lengths = [len(backend.tokenizer(w)["input_ids"]) for w in windows]
    assert max(lengths) <= 64
    calls: list[int] = []
    generate = backend.generate
    backend.generate = lambda sources, cap=None: calls.append(len(sources)) or generate(
        sources, cap)
    out = summarizer.summarize([LONG_ARTICLE, "Rates rose on Monday. Markets fell."])
    assert calls == [len(windows) + 1, 1]  # map: every window; reduce: the long article only
    assert all(isinstance(s, str) and s for s in out)


def test_pack_windows_and_source_settings() -> None:
    assert pack_windows([3, 3, 3], budget=6, max_windows=None) == [range(0, 2), range(2, 3)]
    assert pack_windows([], budget=6, max_windows=None) == []
    assert SourceSettings(long_articles="map-reduce").windowing().mode == "all"
    from newsdesk.errors import ConfigError

    with pytest.raises(ConfigError, match="long_articles"):
        SourceSettings(long_articles="chunks")


def test_labels_drop_the_start_token_and_keep_the_end() -> None:
    assert label_ids([101, 5, 6, 102], 101, max_target=8) == [5, 6, 102]
    assert label_ids([101, 5, 6, 7, 8, 102], 101, max_target=3) == [5, 6, 102]
    assert principal_sentence(["A cat.", "Dogs bark at cats.", "The dogs bark."]) == 1


def test_headline_target_with_extra_gap_sentence_pairs(base: Path, data_file: Path,
                                                       tmp_path: Path) -> None:
    recipe = write_recipe(tmp_path / "recipe.yaml", source=data_file, base=base,
                          output=tmp_path / "model", max_steps=2,
                          summary="  target: title\n  prefix: 'headline: '\n"
                                  "  extra_pairs: [gap-sentence]")
    assert train_main([str(recipe)]) == 0
    manifest = Manifest.load(tmp_path / "model")
    assert manifest.extras["target"] == "title" and manifest.extras["source"]["prefix"]
    assert manifest.data["pairs"]["title"] == 15 and manifest.data["pairs"]["gap-sentence"] > 0
    assert manifest.metrics["test"]["n"] == 4


def test_a_null_validation_split_trains_without_validation(base: Path, data_file: Path,
                                                           tmp_path: Path) -> None:
    recipe = write_recipe(tmp_path / "recipe.yaml", source=data_file, base=base,
                          output=tmp_path / "model", max_steps=2)
    assert train_main([str(recipe), "--set", "data.validation_split=",
                       "--set", "training.early_stopping_patience=1"]) == 0
    manifest = Manifest.load(tmp_path / "model")
    assert set(manifest.metrics) == {"test"} and manifest.metrics["test"]["n"] == 4
    assert manifest.data["validation"] is None and manifest.data["splits"]["validation"] == 0
    assert manifest.training["checkpoint"] == "last (no validation set)"
    assert manifest.training["global_steps"] == 2


def test_extra_pairs_need_a_prefix(base: Path, data_file: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    recipe = write_recipe(tmp_path / "recipe.yaml", source=data_file, base=base,
                          output=tmp_path / "model", summary="  extra_pairs: [headline]")
    assert train_main([str(recipe)]) == 2
    assert "summary.prefix" in capsys.readouterr().err


def test_an_unknown_generation_setting_is_refused(base: Path, data_file: Path,
                                                  tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    recipe = write_recipe(tmp_path / "recipe.yaml", source=data_file, base=base,
                          output=tmp_path / "model")
    assert train_main([str(recipe), "--set", "generation.num_beam=4"]) == 2
    assert "num_beam" in capsys.readouterr().err and not (tmp_path / "model").exists()


def test_evaluate_writes_a_summary_report(model: Path, data_file: Path,
                                          tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert cli_main(["evaluate", str(model), "--data", str(data_file), "--split", "test",
                     "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    metrics = report["metrics"]
    assert report["task"] == "summary" and metrics["n"] == 4
    trained = Manifest.load(model).metrics["test"]  # scored at training, the same way
    for name in ("rouge1", "rouge2", "rougeLsum", "words"):
        assert metrics[name] == pytest.approx(trained[name]), name
    assert metrics["reference"] == "summary" and metrics["skipped_without_reference"] == 0
    assert set(metrics["intervals"]) >= {"rouge1", "rouge2", "rougeLsum", "words"}
    assert len(report["examples"]["best"]) == 4
    markdown = (out / "report.md").read_text()
    assert "ROUGE-Lsum" in markdown and "Worst examples" in markdown


def test_analyze_with_a_summary_model_dir(model: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Rates rose on Monday. Markets fell as traders sold shares.\n",
                       encoding="utf-8")
    assert cli_main(["analyze", str(article), "--summary", str(model), "--json",
                     "--max-words", "5"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert isinstance(summary, str) and 0 < len(summary.split()) <= 5
    desk = NewsDesk(summary=Summarizer.from_pretrained(model))
    assert desk.analyze(article.read_text()).summary


@pytest.mark.parametrize("name", RECIPES)
def test_shipped_summary_recipes_parse(name: str) -> None:
    config = load_config(CONFIGS / f"{name}.yaml")
    assert config.task == "summary" and config.output_dir == f"models/{name}"
    check_generation(config.generation)
    assert config.generation["max_new_tokens"] >= config.summary.max_target_length - 8


@pytest.mark.parametrize("name", ["newsdesk.summarize.abstractive", "newsdesk.summarize.surface",
                                  "newsdesk.evaluation.summary_eval",
                                  "newsdesk_train.summarization"])
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(import_module(name))
    assert result.failed == 0 and result.attempted > 0

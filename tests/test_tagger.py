"""The one-pass sentence tagger (``extractive.kind: tagger``, BertSumExt) on a tiny random
BERT and a few real news-articles records: what it reads (each sentence after its own
[CLS], segments alternating, every sentence fitting ``max_length``); training labels only
the sentences' first tokens; the recipe writes a summary dir of the tagger kind that
``Summarizer.from_pretrained`` and ``newsdesk.load`` open; summaries are the best-scored
sentences within ``max_words``; torch, ONNX, int8 and the light install agree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from test_light import BLOCKER
from tiny_data import extractive_recipe
from tiny_models import (
    evaluated_like_training,
    light_install_summaries,
    minilm_tokenizer,
    summaries_off_the_rule,
)

import newsdesk
from newsdesk import Summarizer
from newsdesk.cli import main as cli_main
from newsdesk.data import load
from newsdesk.errors import ConfigError, ModelError
from newsdesk.manifest import Manifest
from newsdesk.metrics.text import count_words
from newsdesk.summarize.scorer import ScorerSummarizer, SentenceScorer
from newsdesk.summarize.tagger import (
    SentenceTagger,
    check_sentence_marker,
    sentence_token_share,
    tagger_features,
)
from newsdesk.tokenizer import LightTokenizer
from newsdesk_train.cli import main as train_main
from newsdesk_train.config import load_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

TAGGER = "  kind: tagger"
SENTENCES = ["Ministers met the unions on Monday.", "Talks went on late into the night.",
             "A deal was signed at dawn. " * 40]


def test_each_sentence_follows_its_own_cls_and_all_of_them_fit() -> None:
    tokenizer = minilm_tokenizer()
    read = tagger_features(tokenizer, SENTENCES, max_length=96)
    ids, types = read.features["input_ids"], read.features["token_type_ids"]
    assert len(ids) <= 96 and len(read.markers) == len(SENTENCES)
    assert all(ids[m] == tokenizer.cls_token_id for m in read.markers)
    ends = [*read.markers[1:], len(ids)]
    for index, (start, stop) in enumerate(zip(read.markers, ends)):
        assert ids[stop - 1] == tokenizer.sep_token_id  # framed: [CLS] ... [SEP]
        assert set(types[start:stop]) == {index % 2}  # interval segments
        assert stop - start <= sentence_token_share(96, len(SENTENCES))
    assert len(ids) - read.markers[2] == sentence_token_share(96, 3)  # the long one is cut
    whole = tokenizer(SENTENCES[0])["input_ids"]  # a short sentence is kept whole
    assert ids[:len(whole)] == whole
    # the light tokenizer (tokenizer.json alone) reads the same sequence
    light = LightTokenizer.from_dir(tokenizer_dir(tokenizer))
    assert tagger_features(light, SENTENCES, max_length=96) == read


def test_a_base_without_a_leading_special_token_is_refused() -> None:
    """A tagger reads each sentence's score at its first token; a tokenizer that puts
    nothing in front of a sentence (T5-, XLNet-, GPT-2-style) would have it read a word."""
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace
    from transformers import PreTrainedTokenizerFast

    words = {"[UNK]": 0, "[PAD]": 1, "Talks": 2, "began": 3, "Rain": 4, "fell": 5, ".": 6}
    bare = Tokenizer(WordLevel(words, unk_token="[UNK]"))
    bare.pre_tokenizer = Whitespace()
    plain = PreTrainedTokenizerFast(tokenizer_object=bare, unk_token="[UNK]", pad_token="[PAD]")
    with pytest.raises(ConfigError, match="bare-base's tokenizer does not"):
        check_sentence_marker(plain, "bare-base")
    check_sentence_marker(minilm_tokenizer(), "minilm-l6")  # [CLS] in front: accepted


def tokenizer_dir(tokenizer: object) -> Path:
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="tagger-tokenizer-"))
    tokenizer.save_pretrained(directory)  # type: ignore[attr-defined]
    return directory


def test_too_many_sentences_for_the_length_are_refused(summary_data_file: Path, tiny_base: Path,
                                                      tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot share 8 tokens"):
        sentence_token_share(8, 4)
    recipe = extractive_recipe(tmp_path / "recipe.yaml", source=summary_data_file, base=tiny_base,
                               output=tmp_path / "model", extractive=TAGGER)
    with pytest.raises(ConfigError, match="extractive.window 6 with model.max_length 12"):
        load_config(recipe, ["model.max_length=12"])
    with pytest.raises(ConfigError, match="extractive.kind must be one of scorer, tagger"):
        load_config(recipe, ["extractive.kind=bullets"])


def test_training_labels_the_oracle_at_each_sentences_first_token(
        summary_data_file: Path, tiny_base: Path, tmp_path: Path) -> None:
    from newsdesk_train.extractive import IGNORED, encode_tagged, labelled_articles

    recipe = extractive_recipe(tmp_path / "recipe.yaml", source=summary_data_file, base=tiny_base,
                               output=tmp_path / "model", extractive=TAGGER)
    config = load_config(recipe)
    articles = labelled_articles(load(str(summary_data_file), split="train"), config)
    tokenizer = minilm_tokenizer()
    dataset = encode_tagged(tokenizer, articles, config.model.max_length)
    assert len(dataset) == len(articles) == 12  # one example per article, nothing sampled
    for article, example in zip(articles, dataset):
        read = tagger_features(tokenizer, article.sentences, config.model.max_length)
        assert example["input_ids"] == read.features["input_ids"]
        labelled = [i for i, label in enumerate(example["labels"]) if label != IGNORED]
        assert labelled == read.markers
        assert [i for i, m in enumerate(read.markers) if example["labels"][m] == 1] == \
            article.positives


@pytest.fixture(scope="module")
def model(tiny_base: Path, summary_data_file: Path,
          tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tagger-model")
    recipe = extractive_recipe(root / "recipe.yaml", source=summary_data_file, base=tiny_base,
                               output=root / "model", extractive=TAGGER)
    # one validation article per eval batch: the Trainer pads the batches' logits with -100
    assert train_main([str(recipe), "--set", "training.eval_batch_size=1"]) == 0
    return root / "model"


@pytest.fixture(scope="module")
def news(summary_data_file: Path) -> list[str]:
    return [json.loads(line)["text"] for line in summary_data_file.read_text().splitlines()][:8]


def test_the_recipe_writes_a_summary_dir_of_the_tagger_kind(model: Path) -> None:
    config = json.loads((model / "config.json").read_text())
    assert config["architectures"] == ["BertForTokenClassification"]
    assert config["id2label"] == {"0": "not_in_summary", "1": "in_summary"}
    manifest = Manifest.load(model)
    assert manifest.extras["summary_kind"] == "extractive-tagger"
    labels = manifest.extras["labels"]  # nothing sampled or capped
    assert labels["negatives_per_article"] is None and labels["max_train_pairs"] is None
    seen = manifest.data["training_articles"]
    assert seen["articles"] == 12 and 0 < seen["in_summary"] < seen["sentences"]
    assert manifest.training["checkpoint"] == "best validation rougeLsum"
    assert manifest.metrics["validation"]["n"] == manifest.metrics["test"]["n"] == 4
    card = (model / "README.md").read_text()
    assert "read in one pass, each after its own [CLS] token" in card


def test_summarizer_and_load_open_the_tagger(model: Path, news: list[str]) -> None:
    summarizer = Summarizer.from_pretrained(model)
    assert isinstance(summarizer.backend, ScorerSummarizer)
    assert isinstance(summarizer.backend.scorer, SentenceTagger)
    loaded = newsdesk.load(model)
    assert isinstance(loaded, Summarizer) and loaded.summarize(news) == summarizer.summarize(news)
    with pytest.raises(ModelError, match="an extractive-tagger summary model, not an "
                                         "extractive-scorer one"):
        SentenceScorer.from_pretrained(model)
    with pytest.raises(ConfigError, match="window 40: this tagger reads at most 21 sentences"):
        Summarizer.from_pretrained(model, window=40)  # 64 tokens: at most 21 of 3


def test_a_summary_dir_is_checked_and_read_once(model: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Summarizer -> ScorerSummarizer -> SentenceTagger -> SequenceClassifier hand the
    opened dir down instead of opening it again at each step."""
    import newsdesk.modeldir as modeldir

    checked: list[str] = []
    check = modeldir.check_local_model
    monkeypatch.setattr(modeldir, "check_local_model",
                        lambda source, **kw: checked.append(source) or check(source, **kw))
    read = modeldir.read_manifest
    monkeypatch.setattr(modeldir, "read_manifest", lambda path: checked.append(path) or read(path))
    Summarizer.from_pretrained(model)
    assert checked == [str(model), model]
    opened = modeldir.open_model_dir(model, "summary")
    with pytest.raises(ModelError, match="a summary model, not a topic model"):
        modeldir.open_model_dir(opened, "topic")  # an opened dir is still checked for its task


def test_summaries_are_the_best_scored_sentences_within_max_words(model: Path,
                                                                  news: list[str]) -> None:
    summarizer = Summarizer.from_pretrained(model)
    articles = summarizer.backend.sentences(news)
    scores = summarizer.backend.sentence_scores(articles)
    assert [len(s) for s in scores] == [len(a) for a in articles]
    assert all(((s >= 0) & (s <= 1)).all() for s in scores)
    assert summaries_off_the_rule(summarizer, news, (3, 12, 40, 80)) == []
    assert all(count_words(s) > 0 for s in summarizer.summarize(news, max_words=3))


def test_a_sentence_is_scored_in_the_company_of_the_others(model: Path,
                                                           news: list[str]) -> None:
    """One pass reads every candidate: the same sentence scores differently beside other
    sentences (the pair scorer would score it alike), and batching changes nothing."""
    backend = Summarizer.from_pretrained(model).backend
    articles = backend.sentences(news[:3])
    alone = [backend.scorer.score_articles([a], batch_size=1)[0] for a in articles]
    together = backend.scorer.score_articles(articles, batch_size=8)
    for a, b in zip(alone, together):
        np.testing.assert_allclose(a, b, atol=1e-5)
    first = articles[0]
    swapped = backend.scorer.score_articles([[first[0], *reversed(first[1:])]])[0]
    assert swapped[0] != alone[0][0]  # same first sentence, other company (a tiny random
    # model moves it little, but a pair scorer would give the very same number)


def test_torch_onnx_int8_and_the_light_install_agree(model: Path, news: list[str],
                                                     tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    from newsdesk.onnx_export import probe_batch

    directory = Path(shutil.copytree(model, tmp_path / "model"))
    # the export checks the graph on what the tagger reads: several [CLS] a row, both segments
    tagger = Summarizer.from_pretrained(directory).backend.scorer
    probe = probe_batch(tagger)
    cls_id = tagger.tokenizer.cls_token_id
    assert ((probe["input_ids"] == cls_id).sum(axis=1) > 1).any()
    assert probe["token_type_ids"].max() == 1
    assert cli_main(["export", str(directory), "--onnx", "--int8"]) == 0
    assert Manifest.load(directory).extras["onnx"]["int8"]["reduce_range"] is True  # 7-bit
    torch_summ = Summarizer.from_pretrained(directory)
    onnx_summ = Summarizer.from_pretrained(directory, backend="onnx", threads=1)
    articles = torch_summ.backend.sentences(news)
    for a, b in zip(torch_summ.backend.sentence_scores(articles),
                    onnx_summ.backend.sentence_scores(articles)):
        np.testing.assert_allclose(a, b, atol=1e-4)
    assert onnx_summ.summarize(news, max_words=40) == torch_summ.summarize(news, max_words=40)
    int8 = Summarizer.from_pretrained(directory, backend="onnx", quantize="int8")
    assert all(0 < count_words(s) <= 40 for s in int8.summarize(news, max_words=40))
    scorer, runner, light = light_install_summaries(BLOCKER, directory, news)
    assert (scorer, runner) == ("SentenceTagger", "OnnxRunner")
    assert light == torch_summ.summarize(news, max_words=40)


def test_evaluate_scores_the_tagger_as_training_did(model: Path, summary_data_file: Path,
                                                    tmp_path: Path) -> None:
    assert evaluated_like_training(model, summary_data_file, tmp_path / "report") == []


def test_the_int8_probe_compares_labels_token_by_token() -> None:
    """A token classifier's probe logits are (windows, tokens, labels): the int8 check's
    label agreement is over each token's label, not an argmax across tokens."""
    from types import SimpleNamespace

    from newsdesk.onnx_export import probe_labels

    logits = np.array([[[0.0, 1.0], [2.0, 0.0], [0.0, 3.0]]])
    labels = probe_labels(SimpleNamespace(frozen=False), logits)
    assert labels.tolist() == [[1, 0, 1]]


@pytest.mark.parametrize("kind", ["scorer", "tagger"])
def test_an_extractor_trains_without_a_validation_set(summary_data_file: Path, tiny_base: Path,
                                                      tmp_path: Path, kind: str) -> None:
    """No validation data: nothing is evaluated during training, the last step is kept."""
    recipe = extractive_recipe(tmp_path / "recipe.yaml", source=summary_data_file,
                               base=tiny_base, output=tmp_path / "model",
                               extractive=f"  kind: {kind}", max_steps=2)
    assert train_main([str(recipe), "--set", "data.validation_split=null"]) == 0
    manifest = Manifest.load(tmp_path / "model")
    assert manifest.data["splits"]["validation"] == 0
    assert "validation" not in manifest.metrics and manifest.metrics["test"]["n"] == 4

"""The light install's path (``pip install newsdesk``: no torch, no transformers): an
exported model served in a process where torch, transformers, scikit-learn, scipy, networkx
and pyarrow cannot be imported, with the torch path's labels; the ``tokenizer.json``
tokenizer against transformers'; TextRank in numpy against scikit-learn + networkx; centroid
summaries from a plain encoder's ONNX export against the torch encoder's; the model card's
serving section. ``tests/test_light_install.py`` checks a real bare venv."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from tiny_models import make_tiny_base, make_tiny_classifier, minilm_tokenizer

from newsdesk import StanceClassifier, Summarizer, TopicClassifier
from newsdesk.batching import pad_batch
from newsdesk.cli import main as cli_main
from newsdesk.errors import ConfigError, ModelError
from newsdesk.manifest import Manifest, Windowing
from newsdesk.onnx_backend import SERVING_HEADING, update_card
from newsdesk.onnx_export import ExportOptions, export_onnx
from newsdesk.summarize import ranking
from newsdesk.summarize.encoder import SentenceEncoder
from newsdesk.summarize.sentences import article_sentences
from newsdesk.tokenizer import LightTokenizer
from newsdesk.windowing import encode_windows

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

#: What the light install does not have; the light path must not import any of it.
BLOCKED = ("torch", "transformers", "sklearn", "scipy", "networkx", "pyarrow")
BLOCKER = f"""
import importlib.abc, sys

BLOCKED = {BLOCKED!r}

class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ImportError(name + " is blocked: the light install has no such package")
        return None

sys.meta_path.insert(0, Blocked())
"""
SENTENCE = "The minister said the budget would cut taxes for small firms next spring. "
TEXTS = ["Rates rise.", "Shares in the bank fell sharply on Monday.", SENTENCE * 3,
         SENTENCE * 12, SENTENCE * 40, "Goal! The striker scored twice in the final.",
         "Ünïcödé café: a new phone chip was unveiled in Taipei 台北 😀"]
PAIRS = [["Taxes cut", TEXTS[2]], ["Bank shares fall", TEXTS[1]],
         ["Bank shares fall after a long and winding headline " * 4, TEXTS[3]],
         ["Taxes cut", TEXTS[4]]]
SENTENCES = [*TEXTS[:3], TEXTS[5], TEXTS[6], SENTENCE * 40]
ARTICLES = ["Islamabad, Pakistan - Pakistan closed two border crossings on Monday. Trade "
            "stopped at once. Traders said the closure would cost millions. The army said the "
            "crossings would reopen when the border was safe. Trade resumed in the north.",
            "Rates rose today. Rates rose again sharply. A cat slept on a mat."]
LIGHT_SCRIPT = BLOCKER + """
import json, sys

import newsdesk
from newsdesk import StanceClassifier, Summarizer, TopicClassifier
from newsdesk.batch import predict_file
from newsdesk.cli import main
from newsdesk.onnx_export import export_onnx
from newsdesk.summarize.encoder import load_sentence_encoder

args = json.loads(sys.argv[1])
encoder = load_sentence_encoder(args["encoder"])
topic = newsdesk.load(args["topic"])
stance = StanceClassifier.from_pretrained(args["stance"])
int8 = TopicClassifier.from_pretrained(args["topic"], quantize="int8")
out = {
    "kinds": [type(m.runner).__name__ + "/" + type(m.tokenizer).__name__
              for m in (topic, stance)],
    "topic": [[p.label, p.score] for p in topic.predict(args["texts"])],
    "topic_int8": [p.label for p in int8.predict(args["texts"])],
    "stance": [[p.label, p.score] for p in stance.predict([tuple(p) for p in args["pairs"]])],
    "cli": [main(["predict", args[task], "--input", args["in_" + task], "--output",
                  args["out_" + task], "--no-progress"]) for task in ("topic", "stance")],
    "lead": Summarizer.extractive("lead").summarize(args["articles"]),
    "textrank": Summarizer.extractive("textrank").summarize(args["articles"]),
    "encoder": type(encoder).__name__,
    "embeddings": encoder.encode(args["sentences"]).tolist(),
    "centroid": Summarizer.extractive("centroid", encoder=args["encoder"]).summarize(
        args["articles"]),
}
calls = {
    "no_export": lambda: TopicClassifier.from_pretrained(args["plain"]),
    "torch": lambda: TopicClassifier.from_pretrained(args["topic"], backend="torch"),
    "parquet": lambda: predict_file(topic, args["in_topic"], args["out_parquet"]),
    "export": lambda: export_onnx(args["plain"]),
    "centroid": lambda: Summarizer.extractive("centroid", encoder=args["plain_encoder"]
                                              ).summarize(args["articles"]),
}
out["errors"] = {}
for name, call in calls.items():
    try:
        call()
        out["errors"][name] = None
    except Exception as error:
        out["errors"][name] = type(error).__name__ + ": " + str(error)
out["loaded"] = sorted({m.partition(".")[0] for m in sys.modules} & set(BLOCKED))
print(json.dumps(out))
"""


def write_records(path: Path, texts: list[str], targets: list[str] | None = None) -> Path:
    rows = [{"id": str(i), "text": t} | ({"target": targets[i]} if targets else {})
            for i, t in enumerate(texts)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def exported_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain tiny encoder dir (no newsdesk.json) exported by ``newsdesk export DIR --onnx``:
    the centroid summarizer's encoder for the light install."""
    directory = make_tiny_base(tmp_path_factory.mktemp("encoder") / "encoder")
    assert cli_main(["export", str(directory), "--onnx"]) == 0
    return directory


@pytest.fixture(scope="module")
def light_run(exported_dirs: dict[str, Path], exported_encoder: Path,
              tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What ``LIGHT_SCRIPT`` saw, run once in a fresh interpreter with ``BLOCKED``
    unimportable; ``paths`` holds the files it wrote."""
    work = tmp_path_factory.mktemp("light")
    args = {"encoder": str(exported_encoder),
            "plain_encoder": str(make_tiny_base(work / "plain-encoder")),
            "sentences": SENTENCES, "topic": str(exported_dirs["topic"]),
            "stance": str(exported_dirs["stance"]),
            "plain": str(make_tiny_classifier(work / "plain")), "texts": TEXTS,
            "pairs": PAIRS, "articles": ARTICLES,
            "in_topic": str(write_records(work / "topic.jsonl", TEXTS)),
            "in_stance": str(write_records(work / "stance.jsonl", [t for _, t in PAIRS],
                                           [t for t, _ in PAIRS])),
            "out_topic": str(work / "topic-out.jsonl"),
            "out_stance": str(work / "stance-out.jsonl"),
            "out_parquet": str(work / "topic-out.parquet")}
    done = subprocess.run([sys.executable, "-c", LIGHT_SCRIPT, json.dumps(args)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]) | {"paths": args}


def output_labels(path: str) -> list[str]:
    return [json.loads(line)["label"] for line in Path(path).read_text().splitlines()]


def test_light_path_imports_nothing_the_light_install_lacks(light_run: dict) -> None:
    assert light_run["loaded"] == []
    assert light_run["kinds"] == ["OnnxRunner/LightTokenizer"] * 2


def test_light_path_gives_the_torch_paths_labels(light_run: dict,
                                                 exported_dirs: dict[str, Path]) -> None:
    topic = TopicClassifier.from_pretrained(exported_dirs["topic"], backend="torch")
    stance = StanceClassifier.from_pretrained(exported_dirs["stance"], backend="torch")
    expected_topic = topic.predict(TEXTS)
    expected_stance = stance.predict([tuple(p) for p in PAIRS])
    # the comparisons can fail: labels and scores vary
    assert len({p.label for p in expected_topic}) > 1
    assert len({p.label for p in expected_stance}) > 1
    assert [label for label, _ in light_run["topic"]] == [p.label for p in expected_topic]
    assert [s for _, s in light_run["topic"]] == pytest.approx(
        [p.score for p in expected_topic], abs=1e-5)
    assert [label for label, _ in light_run["stance"]] == [p.label for p in expected_stance]
    assert [s for _, s in light_run["stance"]] == pytest.approx(
        [p.score for p in expected_stance], abs=1e-5)
    assert light_run["cli"] == [0, 0]
    paths = light_run["paths"]
    assert output_labels(paths["out_topic"]) == [p.label for p in expected_topic]
    assert output_labels(paths["out_stance"]) == [p.label for p in expected_stance]


def test_light_int8_and_summaries_match_the_full_install(light_run: dict,
                                                         exported_dirs: dict[str, Path]
                                                         ) -> None:
    int8 = TopicClassifier.from_pretrained(exported_dirs["topic"], quantize="int8")
    assert light_run["topic_int8"] == [p.label for p in int8.predict(TEXTS)]
    for method in ("lead", "textrank"):
        expected = Summarizer.extractive(method).summarize(ARTICLES)
        assert light_run[method] == expected and all(expected)


def test_light_path_errors_say_what_to_install_or_run(light_run: dict) -> None:
    errors, plain = light_run["errors"], light_run["paths"]["plain"]
    assert errors["no_export"] == (
        f"ModelError: {plain}: no fp32 ONNX export (model.onnx), which serving without torch "
        f"needs; run `newsdesk export {plain} --onnx` in a full install (pip install "
        "'newsdesk[torch]') to make it servable")
    encoder = light_run["paths"]["plain_encoder"]
    assert errors["centroid"] == (
        f"ModelError: {encoder}: no ONNX export of this sentence encoder (model.onnx), which "
        f"centroid summaries without torch need; run `newsdesk export {encoder} --onnx` in a "
        "full install (pip install 'newsdesk[torch]') to write it")
    for name, what in (("torch", "the torch backend"), ("export", "newsdesk export")):
        assert errors[name].startswith(f"ConfigError: {what}"), errors[name]
        assert errors[name].endswith("needs torch and transformers, which the light install "
                                     "leaves out: pip install 'newsdesk[torch]'")
    assert errors["parquet"] == ("ConfigError: Parquet needs pyarrow, which the bare install "
                                 "leaves out: pip install 'newsdesk[parquet]'")


def test_light_centroid_uses_the_encoders_onnx_export_with_the_torch_vectors(
        light_run: dict, exported_encoder: Path) -> None:
    torch_encoder = SentenceEncoder.load(exported_encoder)
    expected = torch_encoder.encode(SENTENCES)
    light = np.asarray(light_run["embeddings"])
    assert light_run["encoder"] == "OnnxSentenceEncoder"
    assert light.shape == expected.shape
    assert np.linalg.norm(light, axis=1) == pytest.approx(1.0, abs=1e-5)
    assert (light * expected).sum(axis=1).min() > 0.9999
    # the check can fail: the sentences' vectors differ from one another
    assert (expected @ expected.T)[np.triu_indices(len(SENTENCES), 1)].min() < 0.9999
    summaries = Summarizer.extractive("centroid", encoder=torch_encoder).summarize(ARTICLES)
    assert light_run["centroid"] == summaries and all(summaries)


def test_a_plain_encoder_exports_fp32_only_and_writes_no_manifest(
        exported_encoder: Path) -> None:
    assert (exported_encoder / "model.onnx").is_file()
    assert not (exported_encoder / "newsdesk.json").exists()
    with pytest.raises(ConfigError, match="a plain sentence encoder exports fp32 only"):
        export_onnx(exported_encoder, ExportOptions(int8=True))


def test_a_classifiers_export_is_no_sentence_encoder(exported_dirs: dict[str, Path]) -> None:
    with pytest.raises(ModelError, match="the export of a classifier, not of a sentence"):
        Summarizer.extractive("centroid", encoder=exported_dirs["topic"],
                              backend="onnx").summarize(ARTICLES)


def window_arrays(tokenizer: object, texts: list[str], windowing: Windowing,
                  targets: list[str] | None = None) -> tuple[list[int], dict]:
    windows = encode_windows(tokenizer, texts, windowing, targets)
    return windows.owners, pad_batch(tokenizer, windows.features)


@pytest.mark.parametrize("windowing", [Windowing(max_length=64, stride=16),
                                       Windowing(max_length=32, stride=8, max_windows=2),
                                       Windowing(max_length=128, stride=0, mode="first")])
@pytest.mark.parametrize("paired", [False, True])
def test_light_tokenizer_gives_the_transformers_windows_and_padding(
        exported_dirs: dict[str, Path], windowing: Windowing, paired: bool) -> None:
    """Same windows (pair truncation, stride, fitted targets, window cap) and the same
    padded arrays, token type ids included."""
    directory = exported_dirs["stance" if paired else "topic"]
    texts = [*TEXTS, "a" * 3000, "tab\tand\u00a0odd\u200bspaces " * 20]
    targets = ([p[0] for p in PAIRS] * 3)[:len(texts)] if paired else None
    owners, arrays = window_arrays(minilm_tokenizer(), texts, windowing, targets)
    light_owners, light_arrays = window_arrays(LightTokenizer.from_dir(directory), texts,
                                               windowing, targets)
    assert light_owners == owners and len(set(owners)) == len(texts)
    assert sorted(light_arrays) == sorted(arrays) == [
        "attention_mask", "input_ids", "token_type_ids"]
    for name, array in arrays.items():
        assert np.array_equal(light_arrays[name], array), name
    assert arrays["attention_mask"].min() == 0  # padding happened
    assert not paired or arrays["token_type_ids"].any()


def test_light_tokenizer_follows_the_configs_padding_side(exported_dirs: dict[str, Path],
                                                          tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    directory = Path(shutil.copytree(exported_dirs["topic"], tmp_path / "left"))
    config = directory / "tokenizer_config.json"
    config.write_text(json.dumps(json.loads(config.read_text()) | {"padding_side": "left"}))
    _, arrays = window_arrays(AutoTokenizer.from_pretrained(directory), TEXTS[:3],
                              Windowing(max_length=64, stride=16))
    _, light = window_arrays(LightTokenizer.from_dir(directory), TEXTS[:3],
                             Windowing(max_length=64, stride=16))
    assert arrays["attention_mask"][:, 0].min() == 0  # padded on the left
    assert all(np.array_equal(light[name], arrays[name]) for name in arrays)


def test_a_dir_without_tokenizer_json_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"no tokenizer\.json, which serving without "
                                         "transformers needs"):
        LightTokenizer.from_dir(tmp_path)


def test_export_refuses_a_tokenizer_json_that_gives_other_windows(
        exported_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsdesk import tokenizer
    from newsdesk.onnx_export import export_onnx

    directory = Path(shutil.copytree(exported_dirs["topic"], tmp_path / "skewed"))
    before = (directory / "newsdesk.json").read_text()
    real = tokenizer.LightTokenizer.from_dir

    def left_padded(path: Path) -> LightTokenizer:
        light = real(path)
        light.padding_side = "left"
        return light

    monkeypatch.setattr(tokenizer.LightTokenizer, "from_dir", left_padded)
    with pytest.raises(ModelError, match=r"gives other input_ids than its transformers "
                                         r"tokenizer .* nothing was written"):
        export_onnx(directory)
    assert (directory / "newsdesk.json").read_text() == before


def test_stop_words_are_scikit_learns() -> None:
    text = pytest.importorskip("sklearn.feature_extraction.text")
    from newsdesk.summarize.stop_words import ENGLISH_STOP_WORDS

    assert ENGLISH_STOP_WORDS == text.ENGLISH_STOP_WORDS


def test_textrank_is_scikit_learns_tfidf_and_networkx_pagerank() -> None:
    """On real articles: the same cosine graph as ``TfidfVectorizer`` (to 1e-12) and the
    same order as networkx's PageRank scores ranked by ``textrank_order``'s tie rule."""
    text = pytest.importorskip("sklearn.feature_extraction.text")
    nx = pytest.importorskip("networkx")
    from newsdesk.data import load

    articles = [r.text for r in load("bbc-news", "test")[:40]] + ARTICLES
    compared = 0
    for article in articles:
        sentences = article_sentences(article, limit=15)
        if len(sentences) < 2:
            continue
        vectors = text.TfidfVectorizer(stop_words="english", sublinear_tf=True
                                       ).fit_transform(sentences)
        reference = (vectors @ vectors.T).toarray()
        np.fill_diagonal(reference, 0.0)
        assert np.abs(ranking.tfidf_similarity(sentences) - reference).max() < 1e-12
        for bias in (0.0, 2.0):
            prior = ranking.position_prior(len(sentences), bias)
            scores = nx.pagerank(nx.from_numpy_array(reference), alpha=0.85, weight="weight",
                                 personalization=dict(enumerate(prior.tolist())))
            expected = sorted(range(len(sentences)),
                              key=lambda i: -round(scores[i], ranking.TIE_DECIMALS))
            assert ranking.textrank_order(sentences, position_bias=bias) == expected
            compared += 1
    assert compared >= 80


def test_the_card_says_whether_the_dir_is_servable_without_torch(
        exported_dirs: dict[str, Path], tmp_path: Path) -> None:
    """The training card says how to make a dir servable; ``newsdesk export`` rewrites that
    section (``update_card``) and nothing else."""
    from huggingface_hub import metadata_load

    from newsdesk.onnx_export import ExportOptions, export_onnx
    from newsdesk_train.config import RecipeConfig
    from newsdesk_train.modelcard import write_model_card

    directory = make_tiny_classifier(tmp_path / "topic")
    card = write_model_card(directory, RecipeConfig(name="topic-tiny", task="topic"),
                            Manifest.load(directory))
    trained = card.read_text()
    section = trained[trained.index(SERVING_HEADING):].split("\n## ")[0]
    assert "Not servable by the light install" in section
    assert "newsdesk export models/topic-tiny --onnx [--int8]" in section
    export_onnx(directory, ExportOptions(optimize=False))
    exported = card.read_text()
    assert "Servable by the light install" in exported and "Not servable" not in exported
    assert "`model.onnx`" in exported and "model.int8.onnx" not in exported
    assert exported.replace(exported[exported.index(SERVING_HEADING):].split("\n## ")[0],
                            section) == trained
    assert metadata_load(card)["library_name"] == "newsdesk"
    with_int8 = Path(shutil.copytree(exported_dirs["topic"], tmp_path / "int8"))
    (with_int8 / "README.md").write_text(trained)
    update_card(with_int8, Manifest.load(with_int8))
    assert "`model.int8.onnx` for `quantize=\"int8\"`" in (with_int8 / "README.md").read_text()

"""Export a topic, stance or extractive summary scorer (or tagger) dir to ONNX (fp32, and
int8), checked against torch.

The graph comes from the dynamo exporter (``torch.onnx.export(..., dynamo=True)``) at opset
17 with dynamic batch and sequence axes; the legacy TorchScript exporter gave wrong logits
for this BERT. Right after export the fp32 logits are compared with torch's on a probe batch
(windows of texts of varied lengths, pairs for stance and sentence scorers, articles of
sentences for a sentence tagger, built by the classifier's own windowing and padding): a
gap over ``tolerance`` (1e-4) writes nothing and is a ModelError.

For BERT models the graph is then rewritten into the shape ONNX Runtime's transformer
optimizer recognises (an additive attention mask, the attention scale as a division) and
fused (Attention, SkipLayerNormalization, BiasGelu); the fused graph must pass the same check
or the plain one is kept. A frozen-encoder model exports its plain encoder with the mean
pooling and L2 normalisation inside the graph (``newsdesk.pooling.mean_pooled``), so its
output, checked the same way, is the embedding its linear head reads. A plain encoder dir
(no ``newsdesk.json``, no ``*ForSequenceClassification`` in its config.json ``architectures``,
e.g. ``minilm-l6``) exports the same pooled graph, truncating at ``MAX_TOKENS`` as
``SentenceEncoder`` does: the sentence encoder centroid summaries run without torch
(``newsdesk.summarize.encoder.OnnxSentenceEncoder``); fp32 only, and no manifest is written.

``int8`` quantizes the weights of every MatMul and Attention (dynamic quantization:
activations are quantized per batch at run time), per output channel by default.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from newsdesk.atomic import atomic_file
from newsdesk.backends import require_torch
from newsdesk.batching import pad_batch
from newsdesk.errors import ConfigError, ModelError
from newsdesk.jsonfile import read_json_object
from newsdesk.manifest import Manifest, Windowing
from newsdesk.modeldir import read_manifest
from newsdesk.onnx_backend import FILE_NAMES, MANIFEST_KEY, OnnxRunner, update_card
from newsdesk.tasks import DEFAULT_TASK, get_task

log = logging.getLogger(__name__)

OPSET = 17
TOLERANCE = 1e-4
MASK_FILL = -10000.0  # the additive mask value ONNX Runtime's Attention op uses
FUSABLE_TYPES = ("bert",)
PROBE_TEXTS = (
    "Shares rose.",
    "The central bank held interest rates at 5% on Thursday, citing slowing inflation.",
    "The striker scored twice in the second half as the champions came from behind to win "
    "3-2 away, their fourth straight league victory.",
    " ".join(["Ministers met unions again on Monday to discuss the pay offer for nurses, "
              "which the health secretary said was final."] * 30),
)
PROBE_TARGETS = ("Bank holds rates", "Nurses strike", "Champions lose", "Pay offer final")


@dataclass
class ExportOptions:
    """What ``export_onnx`` writes and how.

    >>> ExportOptions(int8=True).per_channel
    True
    """

    int8: bool = False
    optimize: bool = True
    per_channel: bool = True
    #: 7-bit int8 weights; None: the model class's ``int8_reduce_range`` (a sentence
    #: tagger's int8 needs them, see ``SentenceTagger``; the classifiers' does not).
    reduce_range: bool | None = None
    opset: int = OPSET
    tolerance: float = TOLERANCE

    def __post_init__(self) -> None:
        if self.opset < 14:
            raise ConfigError(f"opset {self.opset} is too old for the dynamo exporter (>= 14)")
        if not 0 < self.tolerance < 1:
            raise ConfigError(f"tolerance must be in (0, 1), not {self.tolerance}")


@dataclass
class ExportResult:
    """What was written, with the parity figures on the probe batch."""

    fp32: Path
    fp32_max_abs_diff: float
    fused: dict[str, int] = field(default_factory=dict)
    int8: Path | None = None
    int8_max_abs_diff: float | None = None
    int8_label_agreement: float | None = None
    #: A plain sentence encoder's pooled export (no manifest, no int8).
    encoder: bool = False


def export_onnx(model_dir: str | Path, options: ExportOptions | None = None) -> ExportResult:
    """Write ``model.onnx`` (and ``model.int8.onnx``) into ``model_dir``; record them in
    its manifest.

    >>> export_onnx("models/topic-bbc-minilm", ExportOptions(int8=True))  # doctest: +SKIP
    ExportResult(fp32=PosixPath('models/topic-bbc-minilm/model.onnx'), ...)
    """
    options = options or ExportOptions()
    directory = Path(model_dir)
    require_torch("newsdesk export (it exports the torch model)")
    classifier = _torch_classifier(directory)
    encoder = classifier.manifest is None
    if encoder and options.int8:
        raise ConfigError(f"{directory}: a plain sentence encoder exports fp32 only (drop "
                          "--int8)")
    check_light_tokenizer(directory, classifier)
    if options.reduce_range is None:
        options = replace(options, reduce_range=getattr(classifier, "int8_reduce_range", False))
    probe = probe_batch(classifier)
    reference = classifier.runner(probe)
    with tempfile.TemporaryDirectory(prefix=".onnx-export-", dir=directory) as tmp:
        fp32, diff, fused = _export_fp32(directory, classifier, probe, reference, options,
                                         Path(tmp))
        result = ExportResult(fp32=directory / FILE_NAMES["fp32"], fp32_max_abs_diff=diff,
                              fused=fused, encoder=encoder)
        if options.int8:
            result.int8 = directory / FILE_NAMES["int8"]
            with atomic_file(result.int8) as int8:
                _quantize(fp32, int8, options)
                result.int8_max_abs_diff, result.int8_label_agreement = _int8_check(
                    int8, probe, reference, classifier)
        with atomic_file(result.fp32) as final:
            shutil.copyfile(fp32, final)
    if not encoder:
        _record(directory, classifier.manifest, result, options)
    return result


def _torch_classifier(directory: Path) -> Any:
    """The dir's sequence classifier (topic, stance, or a fine-tuned extractor's sentence
    scorer: ``Task.classifier_class``) on the CPU with eager attention (its graph runs
    faster in ONNX Runtime than the SDPA one); its weights are the ones exported."""
    if not (directory / "config.json").is_file():
        raise ModelError(f"{directory}: not a model directory (no config.json)")
    manifest = read_manifest(directory)
    if manifest is None and is_plain_encoder(directory):
        return EncoderForExport.load(directory)
    task = get_task(manifest.task) if manifest else DEFAULT_TASK
    classifier_class = task.classifier_class(manifest)
    if classifier_class is None:
        raise ModelError(f"{directory}: a {task.name} model that writes text; only "
                         "classifiers (topic and stance models, and fine-tuned extractive "
                         "summary scorers) export to ONNX")
    classifier = classifier_class.from_pretrained(directory, device="cpu", backend="torch")
    classifier.model.set_attn_implementation("eager")
    return classifier


def is_plain_encoder(directory: Path) -> bool:
    """Whether a dir without a manifest holds a plain encoder: its config.json names no
    ``*ForSequenceClassification`` architecture (a bare ``BertModel``, ``MPNetModel``...)."""
    architectures = read_json_object(directory / "config.json").get("architectures") or []
    return not any(str(a).endswith("ForSequenceClassification") for a in architectures)


@dataclass
class EncoderForExport:
    """A plain encoder dir dressed as the export needs a classifier: its model (eager
    attention), tokenizer, a pooling ``TorchRunner`` (the one pooling) and the windowing of
    ``SentenceEncoder`` (the first ``MAX_TOKENS`` word pieces); no manifest."""

    model: Any
    tokenizer: Any
    runner: Any
    windowing: Windowing
    manifest: None = None
    frozen: ClassVar[bool] = True
    paired: ClassVar[bool] = False

    @classmethod
    def load(cls, directory: Path) -> EncoderForExport:
        from transformers import AutoModel

        from newsdesk.classifier import TorchRunner
        from newsdesk.modeldir import open_model_dir
        from newsdesk.summarize.encoder import MAX_TOKENS

        opened = open_model_dir(directory)
        model = opened.load_model(AutoModel, what="a sentence encoder")
        model.set_attn_implementation("eager")
        length = min(MAX_TOKENS, model.config.max_position_embeddings)
        return cls(model, opened.load_tokenizer(), TorchRunner(model, "cpu", pooled=True),
                   Windowing(max_length=length, stride=0, mode="first"))


def probe_batch(classifier: Any, tokenizer: Any = None, size: int | None = 8
                ) -> dict[str, np.ndarray]:
    """Padded windows of ``PROBE_TEXTS`` (as pairs with ``PROBE_TARGETS`` for stance; read
    as articles of sentences by a sentence tagger's ``probe_features``), made by the
    classifier's own windowing and padding (with ``tokenizer`` in place of its
    own, when given): lengths from a few tokens to full windows, so padding and masking are
    exercised; the first ``size`` windows (None: all)."""
    from newsdesk.windowing import encode_windows

    tokenizer = tokenizer or classifier.tokenizer
    reads_articles = getattr(classifier, "probe_features", None)  # a sentence tagger
    if reads_articles is not None:
        return pad_batch(tokenizer, reads_articles(tokenizer, list(PROBE_TEXTS))[:size])
    targets = list(PROBE_TARGETS) if classifier.paired else None
    windows = encode_windows(tokenizer, list(PROBE_TEXTS), classifier.windowing, targets)
    return pad_batch(tokenizer, windows.features[:size])


def check_light_tokenizer(directory: Path, classifier: Any) -> None:
    """The ONNX backend tokenizes with the dir's ``tokenizer.json`` alone
    (``newsdesk.tokenizer.LightTokenizer``, as the light install must): refuse to export a
    dir where that gives other windows or padding than the transformers tokenizer on the
    probe texts."""
    from newsdesk.tokenizer import LightTokenizer

    expected = probe_batch(classifier, size=None)
    light = probe_batch(classifier, LightTokenizer.from_dir(directory), size=None)
    for name, array in expected.items():
        if name not in light or not np.array_equal(light[name], array):
            raise ModelError(
                f"{directory}: its tokenizer.json run by the tokenizers library gives other "
                f"{name} than its transformers tokenizer ({type(classifier.tokenizer).__name__}"
                ") on the probe texts, so its ONNX export could not be served without "
                "transformers; nothing was written")


def _export_fp32(directory: Path, classifier: Any, probe: dict[str, np.ndarray],
                 reference: np.ndarray, options: ExportOptions,
                 work: Path) -> tuple[Path, float, dict[str, int]]:
    config = classifier.model.config
    fusable = options.optimize and config.model_type in FUSABLE_TYPES
    plain = work / "plain.onnx"
    _export_graph(classifier.model, probe, plain, options.opset, additive_mask=fusable,
                  pooled=classifier.frozen)
    diff = max_abs_diff(OnnxRunner(plain)(probe), reference)
    if diff > options.tolerance:
        raise ModelError(
            f"{directory}: the ONNX export's logits differ from torch's by {diff:.2g} "
            f"(more than {options.tolerance:g}) on the probe batch; nothing was written. "
            "Try another --opset, or report the torch/onnx versions")
    if not fusable:
        return plain, diff, {}
    fused_path = work / "fused.onnx"
    fused = _fuse(plain, fused_path, config)
    fused_diff = max_abs_diff(OnnxRunner(fused_path)(probe), reference)
    if fused_diff > options.tolerance:
        log.warning("fused graph differs from torch by %.2g; keeping the plain one", fused_diff)
        return plain, diff, {}
    return fused_path, fused_diff, fused


def _export_graph(model: Any, probe: dict[str, np.ndarray], path: Path, opset: int,
                  *, additive_mask: bool, pooled: bool = False) -> None:
    """The dynamo export of ``model``'s logits (with ``pooled``: of a plain encoder's pooled
    embeddings) with dynamic batch and sequence axes."""
    import torch

    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in probe]
    batch = torch.export.Dim("batch")
    sequence = torch.export.Dim("sequence", max=model.config.max_position_embeddings)
    with _quiet():
        program = torch.onnx.export(
            _output_module(model, additive_mask, pooled), (),
            kwargs={n: torch.from_numpy(probe[n]) for n in names}, dynamo=True,
            opset_version=opset, input_names=names,
            output_names=["sentence_embedding" if pooled else "logits"],
            dynamic_shapes={n: {0: batch, 1: sequence} for n in names}, verbose=False,
            external_data=False)
    program.save(str(path), external_data=False)
    if additive_mask:
        _prepare_for_fusion(path)


def _output_module(model: Any, additive_mask: bool, pooled: bool) -> Any:
    """A module returning only the logits, or with ``pooled`` the mean-pooled, normalised
    last hidden state (over the 0/1 mask); with ``additive_mask`` the mask the model sees
    is made additive the classic BERT way, the pattern ONNX Runtime's attention fusion
    looks for."""
    import torch

    from newsdesk.pooling import mean_pooled

    class OutputOnly(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any,
                    token_type_ids: Any = None) -> Any:
            mask = attention_mask
            if additive_mask:
                mask = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * MASK_FILL
            extra = {} if token_type_ids is None else {"token_type_ids": token_type_ids}
            output = self.model(input_ids=input_ids, attention_mask=mask, **extra)
            if pooled:
                return mean_pooled(output.last_hidden_state, attention_mask)
            return output.logits

    return OutputOnly()


def _prepare_for_fusion(path: Path) -> None:
    """Rewrite two spots of the dynamo graph into the legacy exporter's shapes, which ONNX
    Runtime's BERT attention fusion matches: the mask's Unsqueeze(axes=[1, 2]) as two
    Unsqueezes, and ``scores * scale`` after the Q.K MatMul as ``scores / (1 / scale)``."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    constants = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    producers = {out: node for node in graph.node for out in node.output}
    replaced: list[tuple[Any, list[Any]]] = []
    for node in graph.node:
        if (node.op_type == "Unsqueeze" and node.input[0] == "attention_mask"
                and constants.get(node.input[1], np.array([])).tolist() == [1, 2]):
            graph.initializer.append(numpy_helper.from_array(np.array([1], np.int64),
                                                             "newsdesk_axis_1"))
            replaced.append((node, [
                helper.make_node("Unsqueeze", [node.input[0], "newsdesk_axis_1"],
                                 ["newsdesk_mask_1"], name="newsdesk_mask_unsqueeze_1"),
                helper.make_node("Unsqueeze", ["newsdesk_mask_1", "newsdesk_axis_1"],
                                 list(node.output), name="newsdesk_mask_unsqueeze_2")]))
        elif (node.op_type == "Mul" and node.input[0] in producers
              and producers[node.input[0]].op_type == "MatMul"
              and constants.get(node.input[1], np.zeros(2)).size == 1):
            inverse = f"{node.input[1]}_inverse"
            if inverse not in constants:
                value = 1.0 / float(constants[node.input[1]].reshape(-1)[0])
                graph.initializer.append(numpy_helper.from_array(
                    np.array(value, dtype=constants[node.input[1]].dtype), inverse))
                constants[inverse] = np.array(value)
            replaced.append((node, [helper.make_node("Div", [node.input[0], inverse],
                                                     list(node.output), name=f"{node.name}_div")]))
    for old, new in replaced:
        index = list(graph.node).index(old)
        graph.node.remove(old)
        for offset, node in enumerate(new):
            graph.node.insert(index + offset, node)
    used = {name for node in graph.node for name in node.input}
    for initializer in [i for i in graph.initializer if i.name not in used]:
        graph.initializer.remove(initializer)
    onnx.save(model, str(path))


def _fuse(plain: Path, out: Path, config: Any) -> dict[str, int]:
    """ONNX Runtime's offline BERT fusions (hardware-independent: opt_level 0)."""
    from onnxruntime.transformers.optimizer import optimize_model

    with _quiet():
        optimized = optimize_model(str(plain), model_type="bert", opt_level=0,
                                   num_heads=config.num_attention_heads,
                                   hidden_size=config.hidden_size)
    optimized.save_model_to_file(str(out))
    return {k: int(v) for k, v in optimized.get_fused_operator_statistics().items() if v}


def _quantize(source: Path, out: Path, options: ExportOptions) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _quiet():
        quantize_dynamic(str(source), str(out), per_channel=options.per_channel,
                         reduce_range=options.reduce_range, weight_type=QuantType.QInt8)


def _int8_check(path: Path, probe: dict[str, np.ndarray], reference: np.ndarray,
                classifier: Any) -> tuple[float, float]:
    logits = OnnxRunner(path)(probe)
    if not np.isfinite(logits).all():
        raise ModelError(f"{path.name}: the int8 model gives non-finite logits on the probe")
    same = probe_labels(classifier, logits) == probe_labels(classifier, reference)
    if same.ndim == 2:  # a token classifier's labels: its real tokens count, not padding
        same = same[probe["attention_mask"] == 1]
    return max_abs_diff(logits, reference), float(same.mean())


def probe_labels(classifier: Any, rows: np.ndarray) -> np.ndarray:
    """The label index of each probe row (of each token, for a token classifier such as
    the sentence tagger): the argmax of logits over the labels; for a frozen model (one
    first window per probe text) the argmax of its head over the text and the embedding."""
    if classifier.frozen:
        return classifier.head.scores(list(PROBE_TEXTS[:len(rows)]), rows).argmax(axis=1)
    return rows.argmax(axis=-1)


def max_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    """The largest absolute gap between two logit arrays of one shape.

    >>> max_abs_diff(np.array([[1.0, 2.0]]), np.array([[1.5, 2.0]]))
    0.5
    """
    if a.shape != b.shape:
        raise ModelError(f"ONNX logits have shape {a.shape}, torch's {b.shape}")
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max())


def _record(directory: Path, manifest: Manifest, result: ExportResult,
            options: ExportOptions) -> None:
    """Write the exports into ``newsdesk.json`` under ``extras["onnx"]``; an int8 file made
    from other weights than today's is removed. The model card's serving section then says
    the dir is servable by the light install."""
    weights = weights_sha256(directory)
    entry: dict[str, Any] = dict(manifest.extras.get(MANIFEST_KEY, {}))
    entry["fp32"] = {"file": result.fp32.name, "opset": options.opset,
                     "max_abs_logit_diff_vs_torch": result.fp32_max_abs_diff,
                     "fused": result.fused, "weights_sha256": weights}
    if result.int8 is not None:
        entry["int8"] = {"file": result.int8.name, "quantization": "dynamic",
                         "weight_type": "int8", "per_channel": options.per_channel,
                         "reduce_range": options.reduce_range,
                         "probe_max_abs_logit_diff": result.int8_max_abs_diff,
                         "probe_label_agreement": result.int8_label_agreement,
                         "weights_sha256": weights}
    elif entry.get("int8", {}).get("weights_sha256") != weights:
        (directory / FILE_NAMES["int8"]).unlink(missing_ok=True)
        entry.pop("int8", None)
    entry["versions"] = _versions()
    manifest.extras[MANIFEST_KEY] = entry
    manifest.save(directory)
    update_card(directory, manifest)


def weights_sha256(directory: Path) -> str:
    """sha256 of the dir's safetensors weights (several files: of their hashes in order)."""
    digests = []
    for path in sorted(directory.glob("*.safetensors")):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digests.append(digest.hexdigest())
    return digests[0] if len(digests) == 1 else hashlib.sha256(
        "".join(digests).encode()).hexdigest()


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("torch", "onnx", "onnxscript", "onnxruntime"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


class _quiet:  # noqa: N801 (used as a context manager)
    """Silence the exporter's and quantizer's progress chatter (warnings and INFO logs)."""

    def __enter__(self) -> None:
        import warnings

        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("ignore")
        self._level = logging.root.manager.disable
        logging.disable(logging.WARNING)

    def __exit__(self, *exc: object) -> None:
        logging.disable(self._level)
        self._warnings.__exit__(*exc)

"""Fine-tune a summarizer with the transformers Seq2SeqTrainer.

Offline, the model is an encoder-decoder warm-started from the recipe's BERT-style base
on both sides (``EncoderDecoderModel.from_encoder_decoder_pretrained``: the decoder gets
causal self-attention and fresh cross-attention layers; [CLS] starts and [SEP] ends a
summary). A base that is already a seq2seq model (``t5-small``, ``facebook/bart-base``,
online) is fine-tuned as it is (``AutoModelForSeq2SeqLM``).

A training pair is (model input, target): the model input is what inference feeds the
model (``newsdesk.summarize.abstractive.model_input``: the cleaned sentence stream after
the prefix); the target is the record's ``summary`` or ``title`` with the corpus' broken
characters repaired (``repair_text``). ``summary.extra_pairs`` mixes in headline and
PEGASUS-style gap-sentence pairs, each source marked by its own prefix.
"""

from __future__ import annotations

import copy
import logging
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from newsdesk.assets import resolve_model
from newsdesk.data.records import Record
from newsdesk.errors import DataError
from newsdesk.manifest import Manifest
from newsdesk.metrics.summary import ROUGE_TYPES, rouge_scores, tokens
from newsdesk.summarize.abstractive import (
    AbstractiveSummarizer,
    SourceSettings,
    check_generation,
    decode,
    model_input,
)
from newsdesk.summarize.clean import repair_text
from newsdesk.summarize.sentences import article_sentences
from newsdesk.tasks import SUMMARY
from newsdesk_train.base_model import attention_dropout_kwargs
from newsdesk_train.config import RecipeConfig, SummaryConfig
from newsdesk_train.recipe_data import RecipeData, data_sources, load_recipe_data
from newsdesk_train.staging import TrainedRun
from newsdesk_train.workdir import WorkDirs

if TYPE_CHECKING:
    from newsdesk_train.resume import TrainerRun

logger = logging.getLogger(__name__)
#: Source prefixes of the extra pairs (the main pairs use ``summary.prefix``).
PAIR_PREFIXES = {"headline": "headline: ", "gap-sentence": "gap sentence: "}
#: Gap-sentence pairs pick their target among this many opening sentences.
LEAD_SENTENCES = 5
#: The validation figure that picks the kept checkpoint (unless the recipe says loss).
SUMMARY_METRIC = SUMMARY.checkpoint_metric()


@dataclass(frozen=True)
class Pair:
    """One training example: the model input, the text to write, and its kind."""

    source: str
    target: str
    kind: str


def settings_for(config: RecipeConfig) -> SourceSettings:
    """The source settings a recipe gives its model (saved in ``newsdesk.json``)."""
    summary = config.summary
    return SourceSettings(max_length=config.model.max_length,
                          long_articles=summary.long_articles,
                          max_windows=summary.max_windows, prefix=summary.prefix)


def target_text(record: Record, field: str) -> str | None:
    """The record's ``summary`` or ``title``, repaired and on one line (None if absent).

    >>> target_text(Record(id="a", text="x", summary='Talks "?again.'), "summary")
    'Talks — again.'
    """
    value = getattr(record, field)
    if not value:
        return None
    return " ".join(repair_text(value).split()) or None


def summary_pairs(records: Sequence[Record], config: SummaryConfig,
                  settings: SourceSettings) -> list[Pair]:
    """(cleaned article -> target) for every record that has the target field."""
    training = SourceSettings(**{**asdict(settings), "long_articles": "truncate"})
    pairs = []
    for record in records:
        target = target_text(record, config.target)
        if target:
            pairs.append(Pair(model_input(record.text, training), target, config.target))
    return pairs


def extra_pairs(records: Sequence[Record], kinds: Sequence[str], settings: SourceSettings,
                mask: str) -> list[Pair]:
    """Headline and gap-sentence pairs from ``records`` (those a record can give)."""
    pairs: list[Pair] = []
    for kind in kinds:
        own = SourceSettings(**{**asdict(settings), "long_articles": "truncate",
                                "prefix": PAIR_PREFIXES[kind]})
        for record in records:
            pair = (headline_pair(record, own) if kind == "headline"
                    else gap_sentence_pair(record, own, mask))
            if pair is not None:
                pairs.append(pair)
    return pairs


def headline_pair(record: Record, settings: SourceSettings) -> Pair | None:
    title = target_text(record, "title")
    return Pair(model_input(record.text, settings), title, "headline") if title else None


def gap_sentence_pair(record: Record, settings: SourceSettings, mask: str) -> Pair | None:
    """The article with its principal lead sentence masked -> that sentence (PEGASUS)."""
    sentences = article_sentences(record.text, limit=settings.max_length // 4)
    if len(sentences) < 3:
        return None
    index = principal_sentence(sentences[:LEAD_SENTENCES])
    rest = sentences[:index] + [mask] + sentences[index + 1:]
    return Pair(settings.prefix + " ".join(rest), sentences[index], "gap-sentence")


def principal_sentence(sentences: Sequence[str]) -> int:
    """The sentence whose words best cover the others' (unigram F1; first on ties).

    >>> principal_sentence(["Rain fell.", "Storm hits the coast.", "The coast storm grew."])
    1
    """
    bags = [set(tokens(s)) for s in sentences]
    best, best_score = 0, -1.0
    for index, bag in enumerate(bags):
        rest = set().union(*(b for j, b in enumerate(bags) if j != index))
        overlap = len(bag & rest)
        score = 2 * overlap / (len(bag) + len(rest)) if bag and rest else 0.0
        if score > best_score:
            best, best_score = index, score
    return best


def build_model(base: str, tokenizer: Any, attention_dropout: float | None = None) -> Any:
    """A seq2seq model: the base itself if it is one, else a bert2bert warm start;
    ``attention_dropout`` (None: the base's own) is set on every attention stack."""
    from transformers import AutoConfig, AutoModelForSeq2SeqLM, EncoderDecoderModel

    base_config = AutoConfig.from_pretrained(base)
    dropout = attention_dropout_kwargs(base_config, attention_dropout)
    if getattr(base_config, "is_encoder_decoder", False):
        return AutoModelForSeq2SeqLM.from_pretrained(base, use_safetensors=True,
                                                     trust_remote_code=False, **dropout)
    sides = {f"{side}_{key}": value for side in ("encoder", "decoder")
             for key, value in dropout.items()}
    model = EncoderDecoderModel.from_encoder_decoder_pretrained(
        base, base, encoder_use_safetensors=True, decoder_use_safetensors=True, **sides)
    model.config.decoder_start_token_id = tokenizer.cls_token_id
    model.config.eos_token_id = tokenizer.sep_token_id
    model.config.pad_token_id = tokenizer.pad_token_id
    model.config.vocab_size = model.config.decoder.vocab_size
    return model


def generation_config(options: dict[str, Any], model: Any) -> Any:
    """The model's own generation defaults (a hub model's forced tokens, say), its special
    token ids and the recipe's ``generation`` settings, in rising priority."""
    from transformers import GenerationConfig

    config = model.config
    start = config.decoder_start_token_id
    ids = {"decoder_start_token_id": start, "eos_token_id": config.eos_token_id,
           "pad_token_id": config.pad_token_id}
    if getattr(config, "bos_token_id", None) is None and start is not None:
        ids["bos_token_id"] = start
    own = {k: v for k, v in model.generation_config.to_diff_dict().items()
           if not k.startswith("_") and k != "transformers_version"}
    generation = GenerationConfig(**{**own, **ids, **check_generation(options)})
    generation._from_model_config = False
    return generation


def encode_pairs(tokenizer: Any, pairs: Sequence[Pair], max_source: int, max_target: int,
                 decoder_start: int | None) -> Any:
    """A ``datasets.Dataset`` of input_ids / attention_mask / labels (no padding yet).

    Labels hold the summary and the end token; a leading start token the tokenizer adds
    ([CLS] for BERT) is dropped, since the decoder is fed it as its first input.
    """
    from datasets import Dataset

    sources = tokenizer([p.source for p in pairs], truncation=True, max_length=max_source)
    targets = tokenizer(text_target=[p.target for p in pairs], truncation=True,
                        max_length=max_target + 1)["input_ids"]
    labels = [label_ids(ids, decoder_start, max_target) for ids in targets]
    return Dataset.from_dict({"input_ids": sources["input_ids"],
                              "attention_mask": sources["attention_mask"], "labels": labels})


def label_ids(ids: list[int], decoder_start: int | None, max_target: int) -> list[int]:
    """Target ids without a leading start token, at most ``max_target``, end token kept.

    >>> label_ids([101, 7, 8, 9, 102], decoder_start=101, max_target=3)
    [7, 8, 102]
    >>> label_ids([7, 8, 9, 1], decoder_start=0, max_target=3)
    [7, 8, 1]
    """
    if ids and ids[0] == decoder_start:
        ids = ids[1:]
    return ids[:max_target - 1] + ids[-1:] if len(ids) > max_target else list(ids)


def rouge_metric(tokenizer: Any) -> Any:
    """compute_metrics for the Seq2SeqTrainer: mean ROUGE F1 of the generated summaries."""
    pad = tokenizer.pad_token_id

    def compute(prediction: Any) -> dict[str, float]:
        generated = np.where(prediction.predictions < 0, pad, prediction.predictions)
        gold = np.where(prediction.label_ids < 0, pad, prediction.label_ids)
        scores = rouge_scores([decode(tokenizer, g) for g in generated],
                              [decode(tokenizer, g) for g in gold])
        return {name: float(np.mean([s[name] for s in scores])) for name in ROUGE_TYPES}
    return compute


def train_summarizer(config: RecipeConfig, work: WorkDirs, *, resume: bool) -> TrainedRun:
    """Train on every rank; ``staging.stage`` then saves, evaluates and stages the model."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from newsdesk_train.resume import run_trainer

    check_generation(config.generation, where=f"{config.name}: generation")
    settings = settings_for(config)
    data = load_recipe_data(config.data)
    base = resolve_model(config.model.base)
    tokenizer = AutoTokenizer.from_pretrained(base)
    pairs = training_pairs(data, config, settings, tokenizer.mask_token or "")
    validation = summary_pairs(data.validation, config.summary, settings)
    _check_pairs(pairs, validation if data.has_validation else None, config.summary.target)
    model = build_model(base, tokenizer, config.model.attention_dropout)
    generation = generation_config(config.generation, model)
    model.generation_config = copy.deepcopy(generation)
    trainer = make_trainer(config, work, model, tokenizer, pairs, validation)
    with warnings.catch_warnings():  # EncoderDecoderModel warns on every step with labels
        warnings.filterwarnings("ignore", message="Version v4.12.0", category=FutureWarning)
        run = run_trainer(trainer, work, resume=resume)
    # Evaluation fills the model's generation config with every default (max_length=20
    # among them); the saved one holds only the recipe's settings and the token ids.
    trainer.model.generation_config = generation
    manifest = summary_manifest(config, data, pairs, validation, run)
    manifest.extras["generation"] = {**config.generation, "decoder_start_token_id":
                                     generation.decoder_start_token_id,
                                     "eos_token_id": generation.eos_token_id}
    evaluate = partial(evaluate_summarizer, tokenizer=tokenizer, manifest=manifest,
                       device=trainer.args.device, data=data, config=config)
    return TrainedRun(trainer, tokenizer, manifest, AutoModelForSeq2SeqLM, evaluate)


def evaluate_summarizer(model: Any, tokenizer: Any, manifest: Manifest, device: Any,
                        data: RecipeData, config: RecipeConfig) -> None:
    """Fill the manifest's metrics from the trained model, through the inference code."""
    backend = AbstractiveSummarizer(model, tokenizer, settings_for(config), device=device,
                                    name=config.name)
    manifest.metrics = evaluate_splits(backend, data, config.summary.target)


def make_trainer(config: RecipeConfig, work: WorkDirs, model: Any, tokenizer: Any,
                 pairs: Sequence[Pair], validation: Sequence[Pair]) -> Any:
    """A Seq2SeqTrainer that generates on validation and keeps the best ROUGE-Lsum (with
    no ``validation`` pairs: no evaluation, the last checkpoint kept)."""
    from transformers import DataCollatorForSeq2Seq, Seq2SeqTrainer

    from newsdesk_train.trainer_args import early_stopping, training_arguments

    start = model.generation_config.decoder_start_token_id

    def encode(examples: Sequence[Pair]) -> Any:
        return encode_pairs(tokenizer, examples, config.model.max_length,
                            config.summary.max_target_length, start)

    evaluate = bool(validation)
    return Seq2SeqTrainer(
        model=model, args=training_arguments(config, work, metric=SUMMARY_METRIC,
                                             validation=evaluate,
                                             predict_with_generate=True),
        train_dataset=encode(pairs), eval_dataset=encode(validation) if evaluate else None,
        processing_class=tokenizer, data_collator=DataCollatorForSeq2Seq(tokenizer, model),
        compute_metrics=rouge_metric(tokenizer),
        callbacks=early_stopping(config, validation=evaluate))


def summary_manifest(config: RecipeConfig, data: RecipeData, pairs: Sequence[Pair],
                     validation: Sequence[Pair], run: TrainerRun) -> Manifest:
    """The manifest of a summary model: source settings, target, data, training run."""
    from newsdesk_train.trainer_args import kept_checkpoint

    settings, summary = settings_for(config), config.summary
    return Manifest(
        task=SUMMARY.name, base_model=config.model.base, windowing=settings.windowing(),
        data=_data_summary(config, data, pairs, validation),
        training={"recipe": config.name, **run.facts(),
            **{name: config.training.argument(name)
               for name in ("epochs", "max_steps", "batch_size", "learning_rate")},
            "seed": config.training.seed,
            "checkpoint": kept_checkpoint(config, SUMMARY_METRIC,
                                          validation=bool(validation))},
        extras={**settings.to_extras(), "target": summary.target,
                "max_target_length": summary.max_target_length,
                "extra_pairs": list(summary.extra_pairs)})


def training_pairs(data: RecipeData, config: RecipeConfig, settings: SourceSettings,
                   mask: str) -> list[Pair]:
    """The recipe's target pairs, then its extra pairs, from the training records."""
    pairs = summary_pairs(data.train, config.summary, settings)
    pairs += extra_pairs(data.train, config.summary.extra_pairs, settings, mask)
    counts = {kind: sum(p.kind == kind for p in pairs) for kind in {p.kind for p in pairs}}
    logger.info("training pairs: %s", counts)
    return pairs


def _check_pairs(train: Sequence[Pair], validation: Sequence[Pair] | None,
                 target: str) -> None:
    """Both sets hold pairs of the target kind (``validation`` None: the recipe has none)."""
    for name, pairs in (("training", train), ("validation", validation)):
        if pairs is not None and not any(p.kind == target for p in pairs):
            raise DataError(f"no {name} record has a {target!r}, which this summary recipe "
                            "learns to write", field=target)


def evaluate_splits(backend: Any, data: RecipeData, target: str) -> dict[str, Any]:
    """ROUGE, length and novel bigrams on validation and test, with the inference code
    (``backend``: a ``SummaryBackend``, seq2seq or sentence scorer, in a ``Summarizer``)."""
    from newsdesk.evaluation.summary_eval import score_records, summary_metrics
    from newsdesk.summarize import Summarizer

    summarizer = Summarizer(backend)
    out: dict[str, Any] = {}
    for split, records in (("validation", data.validation), ("test", data.test)):
        scored = [r for r in records if getattr(r, target)]
        if scored:
            metrics = summary_metrics(score_records(summarizer, scored, target)[1])
            out[split] = {k: v for k, v in metrics.items() if k != "intervals"}
    return out


def _data_summary(config: RecipeConfig, data: RecipeData, pairs: Sequence[Pair],
                  validation: Sequence[Pair]) -> dict[str, Any]:
    kinds = sorted({p.kind for p in pairs})
    target = config.summary.target
    return {**data_sources(config.data), "target": target,
            "pairs": {kind: sum(p.kind == kind for p in pairs) for kind in kinds},
            "splits": {"train": sum(p.kind == target for p in pairs),
                       "validation": len(validation),
                       "test": sum(1 for r in data.test if getattr(r, target))},
            "records_without_target": {
                "train": sum(1 for r in data.train if not getattr(r, target)),
                "validation": sum(1 for r in data.validation if not getattr(r, target)),
                "test": sum(1 for r in data.test if not getattr(r, target))}}

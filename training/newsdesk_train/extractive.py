"""Fine-tune the extractive summarizer's sentence scorer with the transformers Trainer.

A recipe with an ``extractive:`` section (task ``summary``) trains a 2-label sequence
classifier (``not_in_summary`` / ``in_summary``) from ``model.base``. Each training article's
candidates are its first ``window`` cleaned sentences (``article_sentences``, as inference
reads them); the greedy ROUGE oracle (``newsdesk.summarize.oracle``) against the article's
reference (``summary.target``, repaired as the seq2seq recipes repair it) marks the
positives, and ``negatives_per_article`` of the other candidates, drawn with the recipe's
seed, are the negatives (the class imbalance is handled by this sampling;
``training.class_weights`` adds inverse-frequency weights on top). An example is the pair
inference reads (``scorer.scorer_pairs``: the marked sentence, then the opening), windowed
by ``newsdesk.windowing`` into one window.

With ``extractive.kind: tagger`` the model is a token classifier instead
(``newsdesk.summarize.tagger``): one example per training article, its candidates read in
one sequence (``tagger_features``, as inference builds it), each sentence's [CLS] token
labelled 1 when the oracle picked it and 0 otherwise, every other token -100 (no loss);
no negatives are sampled.

On validation every candidate of every article with a reference is scored, and the Trainer
keeps the checkpoint whose choices (``scorer.choose_summary`` at ``DEFAULT_MAX_WORDS``, the
inference code) give the best mean ROUGE-Lsum. ``staging.stage`` then saves the model; its
validation and test figures come from the inference code (``Summarizer`` over a
``ScorerSummarizer``), as for the seq2seq summarizers.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from newsdesk.data.records import Record
from newsdesk.errors import DataError
from newsdesk.manifest import Manifest, Windowing
from newsdesk.metrics.summary import rouge_scores
from newsdesk.summarize import DEFAULT_MAX_WORDS
from newsdesk.summarize.oracle import oracle_indices
from newsdesk.summarize.scorer import (
    IN_SUMMARY,
    SCORER_LABELS,
    ScorerSettings,
    ScorerSummarizer,
    choose_summary,
    extractive_scorer_class,
    scorer_pairs,
)
from newsdesk.summarize.sentences import article_sentences
from newsdesk.summarize.tagger import check_sentence_marker, tagger_features
from newsdesk.tasks import EXTRACTIVE_TAGGER, SUMMARY
from newsdesk_train.base_model import base_classifier
from newsdesk_train.classification import class_weighted_loss
from newsdesk_train.config import ExtractiveConfig, RecipeConfig
from newsdesk_train.recipe_data import RecipeData, data_sources, load_recipe_data
from newsdesk_train.staging import TrainedRun
from newsdesk_train.summarization import evaluate_splits, target_text
from newsdesk_train.workdir import WorkDirs

if TYPE_CHECKING:
    from newsdesk_train.resume import TrainerRun

logger = logging.getLogger(__name__)
SUMMARY_METRIC = SUMMARY.checkpoint_metric()
#: The label of a token a tagger is not trained on (the loss ignores it).
IGNORED = -100
#: What the oracle maximises, as the manifest records it.
ORACLE_OBJECTIVE = "mean of ROUGE-1 and ROUGE-2 F1 (rouge-score tokens, Porter stemming)"
HEADLINE = "headline"


@dataclass(frozen=True)
class LabelledArticle:
    """An article's candidate sentences, the oracle's picks among them, and what the oracle
    matched (the recipe's target field, or ``headline``)."""

    sentences: list[str]
    positives: list[int]
    kind: str


@dataclass(frozen=True)
class Example:
    """One training or validation pair: the marked sentence, its context, 1 = in summary."""

    marked: str
    context: str
    label: int


def label_article(record: Record, target: str, config: ExtractiveConfig, *,
                  headlines: bool = False) -> LabelledArticle | None:
    """The record's candidates with the oracle's picks against its ``target`` field; with
    ``headlines``, a record without one gets the single sentence best matching its title.
    None when the record has neither, or no sentence survives cleaning."""
    reference, kind, most = target_text(record, target), target, config.oracle_max_sentences
    if reference is None and headlines:
        reference, kind, most = target_text(record, "title"), HEADLINE, 1
    if reference is None:
        return None
    sentences = article_sentences(record.text, limit=config.window)
    if not sentences:
        return None
    return LabelledArticle(sentences, oracle_indices(sentences, reference, max_sentences=most),
                           kind)


def article_examples(article: LabelledArticle, config: ExtractiveConfig,
                     rng: random.Random | None = None) -> list[Example]:
    """The article's pairs: every candidate, or with ``rng`` the positives and
    ``negatives_per_article`` negatives drawn by it (in article order either way)."""
    marked, contexts = scorer_pairs(article.sentences, config.context_sentences)
    negatives = [i for i in range(len(marked)) if i not in article.positives]
    wanted = config.negatives_per_article
    if rng is not None and wanted is not None and len(negatives) > wanted:
        negatives = rng.sample(negatives, wanted)
    return [Example(marked[i], contexts[i], int(i in article.positives))
            for i in sorted([*article.positives, *negatives])]


def training_examples(records: Sequence[Record], config: RecipeConfig) -> list[Example]:
    """Labelled pairs of the training records (negatives sampled, capped at
    ``max_train_pairs``), reproducible from the recipe's seed."""
    extractive = _extractive(config)
    rng = random.Random(config.training.seed)
    articles = labelled_articles(records, config)
    examples = [e for a in articles for e in article_examples(a, extractive, rng)]
    cap = extractive.max_train_pairs
    if cap is not None and len(examples) > cap:
        examples = rng.sample(examples, cap)
    positives = sum(e.label for e in examples)
    logger.info("extractive: %d training pairs (%d in the oracle summary) from %d articles "
                "(%d matched to a headline)", len(examples), positives, len(articles),
                sum(a.kind == HEADLINE for a in articles))
    return examples


def scorer_windowing(config: RecipeConfig) -> Windowing:
    """One window per pair, ``model.max_length`` tokens at most."""
    return Windowing(max_length=config.model.max_length, stride=0, mode="first")


def encode_examples(tokenizer: Any, examples: Sequence[Example], windowing: Windowing) -> Any:
    """A ``datasets.Dataset`` of the pairs' windows (inference's windowing) with labels."""
    from datasets import Dataset
    from newsdesk.windowing import encode_windows

    windows = encode_windows(tokenizer, [e.context for e in examples], windowing,
                             [e.marked for e in examples])
    columns = {key: [f[key] for f in windows.features] for key in windows.features[0]}
    return Dataset.from_dict({**columns, "labels": [examples[o].label for o in windows.owners]})


def labelled_articles(records: Sequence[Record], config: RecipeConfig) -> list[LabelledArticle]:
    """The training records' candidates and oracle picks (headline matches with
    ``extractive.headlines``); a DataError when no record has the recipe's target."""
    extractive = _extractive(config)
    articles = [a for a in (label_article(r, config.summary.target, extractive,
                                          headlines=extractive.headlines) for r in records)
                if a is not None]
    if not any(a.kind == config.summary.target for a in articles):
        raise DataError(f"no training record has a {config.summary.target!r}, which this "
                        "extractive recipe labels sentences against",
                        field=config.summary.target)
    return articles


def encode_tagged(tokenizer: Any, articles: Sequence[LabelledArticle], max_length: int) -> Any:
    """A ``datasets.Dataset`` of the tagger's examples: one per article, the sequence
    inference reads (``tagger_features``) with 1 / 0 at each sentence's first token (in the
    oracle's pick or not) and ``IGNORED`` elsewhere."""
    from datasets import Dataset

    columns: dict[str, list[list[int]]] = {}
    for article in articles:
        tagged = tagger_features(tokenizer, article.sentences, max_length)
        labels = [IGNORED] * len(tagged.features["input_ids"])
        for index, marker in enumerate(tagged.markers):
            labels[marker] = int(index in article.positives)
        for key, values in {**tagged.features, "labels": labels}.items():
            columns.setdefault(key, []).append(values)
    return Dataset.from_dict(columns)


def sentence_logit_margins(prediction: Any) -> list[np.ndarray]:
    """Per eval example of a tagger, in_summary minus not_in_summary logit at each labelled
    token (the sentences' first tokens, in order): the ranking P(in_summary) gives."""
    logits = np.asarray(prediction.predictions, dtype=np.float64)
    gold = np.asarray(prediction.label_ids)
    column = SCORER_LABELS.index(IN_SUMMARY)
    return [row[mask, column] - row[mask, 1 - column]
            for row, mask in zip(logits, gold != IGNORED)]


def pair_logit_margins(prediction: Any, articles: Sequence[LabelledArticle]
                       ) -> list[np.ndarray]:
    """Per article, the pair scorer's in_summary minus not_in_summary logit of each
    candidate (the eval set holds every candidate of ``articles``, in order)."""
    logits = np.asarray(prediction.predictions, dtype=np.float64)
    column = SCORER_LABELS.index(IN_SUMMARY)
    margins = logits[:, column] - logits[:, 1 - column]
    bounds = np.cumsum([0, *(len(a.sentences) for a in articles)])
    return [margins[start:stop] for start, stop in zip(bounds[:-1], bounds[1:])]


def summary_rouge(articles: Sequence[LabelledArticle], references: Sequence[str],
                  settings: ScorerSettings, tagger: bool = False) -> Any:
    """compute_metrics for the Trainer: mean ROUGE-Lsum of the summaries the validation
    logits choose (``choose_summary`` at ``DEFAULT_MAX_WORDS``; the eval set holds every
    candidate of ``articles``, in order: one pair each, or with ``tagger`` one sequence per
    article)."""

    def compute(prediction: Any) -> dict[str, float]:
        margins = (sentence_logit_margins(prediction) if tagger
                   else pair_logit_margins(prediction, articles))
        summaries = [choose_summary(a.sentences, scores.tolist(), settings, DEFAULT_MAX_WORDS)
                     for a, scores in zip(articles, margins, strict=True)]
        lsum = [s[SUMMARY_METRIC] for s in rouge_scores(summaries, list(references))]
        return {SUMMARY_METRIC: float(np.mean(lsum))}
    return compute


def validation_set(records: Sequence[Record], config: RecipeConfig
                   ) -> tuple[list[LabelledArticle], list[str]]:
    """The validation articles with a reference (every candidate labelled) and their
    references."""
    extractive, target = _extractive(config), config.summary.target
    articles, references = [], []
    for record in records:
        article = label_article(record, target, extractive)
        if article is not None:
            articles.append(article)
            references.append(str(target_text(record, target)))
    return articles, references


def train_extractor(config: RecipeConfig, work: WorkDirs, *, resume: bool) -> TrainedRun:
    """Train on every rank; ``staging.stage`` then saves, evaluates and stages the model."""
    import transformers
    from transformers import Trainer

    from newsdesk_train.resume import run_trainer
    from newsdesk_train.trainer_args import early_stopping, kept_checkpoint, training_arguments

    extractive = _extractive(config)
    tagger = extractive.summary_kind == EXTRACTIVE_TAGGER
    model_class = extractive_scorer_class(extractive.summary_kind).auto_model_name
    data = load_recipe_data(config.data)
    tokenizer, model = base_classifier(config.model.base, SCORER_LABELS,
                                       attention_dropout=config.model.attention_dropout,
                                       auto_model_name=model_class)
    articles, references = validation_set(data.validation, config)
    validation = bool(articles)  # every article has at least one candidate sentence
    if tagger:
        check_sentence_marker(tokenizer, config.model.base)
        training = labelled_articles(data.train, config)
        train_set = encode_tagged(tokenizer, training, config.model.max_length)
        eval_set = (encode_tagged(tokenizer, articles, config.model.max_length)
                    if validation else None)
        counts = [sum(len(a.sentences) - len(a.positives) for a in training),
                  sum(len(a.positives) for a in training)]
        collator = transformers.DataCollatorForTokenClassification(tokenizer)
        examples_seen = {"training_articles": {"articles": len(training),
                                               "sentences": sum(counts),
                                               "in_summary": counts[1]}}
    else:
        windowing = scorer_windowing(config)
        examples = training_examples(data.train, config)
        train_set = encode_examples(tokenizer, examples, windowing)
        eval_set = (encode_examples(tokenizer, [e for a in articles
                                                for e in article_examples(a, extractive)],
                                    windowing) if validation else None)
        counts = [sum(e.label == i for e in examples) for i in range(len(SCORER_LABELS))]
        collator = transformers.DataCollatorWithPadding(tokenizer)
        examples_seen = {"training_pairs": {"all": len(examples), "in_summary": counts[1]}}
    trainer = Trainer(
        model=model, args=training_arguments(config, work, metric=SUMMARY_METRIC,
                                             validation=validation,
                                             average_tokens_across_devices=False,
                                             ddp_find_unused_parameters=False),
        train_dataset=train_set, eval_dataset=eval_set,
        processing_class=tokenizer, data_collator=collator,
        compute_metrics=summary_rouge(articles, references, extractive.settings(), tagger),
        callbacks=early_stopping(config, validation=validation),
        compute_loss_func=class_weighted_loss(counts) if config.training.class_weights else None)
    run = run_trainer(trainer, work, resume=resume)
    manifest = extractor_manifest(config, data, examples_seen, len(articles), run,
                                  kept_checkpoint(config, SUMMARY_METRIC, validation=validation))
    evaluate = partial(evaluate_extractor, tokenizer=tokenizer, manifest=manifest,
                       device=trainer.args.device, data=data, config=config)
    return TrainedRun(trainer, tokenizer, manifest, getattr(transformers, model_class),
                      evaluate)


def evaluate_extractor(model: Any, tokenizer: Any, manifest: Manifest, device: Any,
                       data: RecipeData, config: RecipeConfig) -> None:
    """Fill the manifest's metrics from the trained model, through the inference code."""
    extractive = _extractive(config)
    scorer_class = extractive_scorer_class(extractive.summary_kind)
    backend = ScorerSummarizer(scorer_class(model, tokenizer, manifest, device),
                               extractive.settings(), name=config.name)
    manifest.metrics = evaluate_splits(backend, data, config.summary.target)


def extractor_manifest(config: RecipeConfig, data: RecipeData,
                       examples: dict[str, dict[str, int]],
                       validation_articles: int, run: TrainerRun, checkpoint: str) -> Manifest:
    """The manifest of a sentence scorer or tagger dir: its kind and settings, the oracle,
    the data (``examples``: what it was trained on, counted: ``training_pairs`` of a
    scorer, ``training_articles`` of a tagger) and the training run."""
    extractive, target = _extractive(config), config.summary.target
    tagger = extractive.summary_kind == EXTRACTIVE_TAGGER
    return Manifest(
        task=SUMMARY.name, labels=list(SCORER_LABELS), base_model=config.model.base,
        windowing=scorer_windowing(config),
        data={**data_sources(config.data), "target": target,
              "splits": {"train": sum(1 for r in data.train if getattr(r, target)),
                         "validation": validation_articles,
                         "test": sum(1 for r in data.test if getattr(r, target))},
              **examples},
        training={"recipe": config.name, **run.facts(),
            **{name: config.training.argument(name)
               for name in ("epochs", "max_steps", "batch_size", "learning_rate")},
            "seed": config.training.seed, "class_weights": config.training.class_weights,
            "checkpoint": checkpoint},
        extras={**extractive.settings().to_extras(extractive.summary_kind), "target": target,
                "labels": {"oracle": ORACLE_OBJECTIVE,
                           "oracle_max_sentences": extractive.oracle_max_sentences,
                           # a tagger trains on every candidate: nothing sampled or capped
                           "negatives_per_article": None if tagger else
                           extractive.negatives_per_article,
                           "max_train_pairs": None if tagger else extractive.max_train_pairs,
                           "headlines": extractive.headlines}})


def _extractive(config: RecipeConfig) -> ExtractiveConfig:
    if config.extractive is None:
        raise ValueError(f"{config.name} has no extractive section")
    return config.extractive

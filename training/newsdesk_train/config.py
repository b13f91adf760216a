"""Training recipes: YAML files read into typed dataclasses, strictly.

An unknown key, a value of the wrong type or an impossible setting is a ``ConfigError``
that names the key (``training.learning_rate``), with the closest known key suggested.
``--set key=value`` overrides use the same dotted names and the same checks. The
``training:`` section's Trainer options are not copied here: any
``transformers.TrainingArguments`` field passes through, typed by ``HfArgumentParser``
(``TrainingConfig``, ``trainer_options``).
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from newsdesk.data.headline_stance import KINDS
from newsdesk.errors import ConfigError
from newsdesk.manifest import Windowing
from newsdesk.summarize.scorer import ScorerSettings
from newsdesk.tasks import (
    EXTRACTIVE_SCORER,
    EXTRACTIVE_TAGGER,
    STANCE,
    SUMMARY,
    TASKS,
    TOPIC,
    get_task,
)

#: headline-stance kinds of training pair that mined negatives may replace (``related``
#: pairs are the headlines mined for; ``same-entity`` pairs are never in training).
REPLACEABLE_KINDS = tuple(kind for kind in KINDS if kind != "related")


@dataclass
class MinedNegativesConfig:
    """``data.mined_negatives`` (stance recipes, training split only): harder ``unrelated``
    training pairs mined by a sentence encoder (``newsdesk_train.mining``).

    For each headline of a ``related`` training pair (``meta`` ``headline_id`` and
    ``body_id``: the headline-stance format), its ``per_headline`` most similar other
    training bodies by the cosine of ``encoder``'s vectors (headline vs the body's lead),
    never its own body, a body it is paired with already, or a copy of its own story
    (``same_subject.StoryCosines.same_event``). ``replaces``: a kind of training pair
    (``hard`` or ``easy``) dropped for them; null adds them. ``data.max_train_examples``
    then applies to the whole pool.
    """

    encoder: str = "minilm-l6"
    per_headline: int = 1
    replaces: str | None = None

    def __post_init__(self) -> None:
        if self.per_headline < 1:
            raise ConfigError(f"data.mined_negatives.per_headline must be at least 1, got "
                              f"{self.per_headline}")
        if self.replaces is not None and self.replaces not in REPLACEABLE_KINDS:
            raise ConfigError(f"data.mined_negatives.replaces must be one of "
                              f"{', '.join(REPLACEABLE_KINDS)} or null (add), not "
                              f"{self.replaces!r}")


@dataclass
class DataConfig:
    """Where the examples come from: a built-in name, a local file, fnc1:/semeval:, hf:<id>,
    disk:<path>.

    ``validation`` and ``test`` default to the same source's validation and test splits;
    give a path to use a separate file instead (with its split, or ``null`` for the whole
    file). ``validation_split: null`` without a ``validation`` file means no validation set:
    no evaluation during training, no early stopping, and the last checkpoint is kept.
    ``text_column`` / ``label_column`` name the columns of hf:/disk: data sets that hold the
    text and the label (as ``hf:<id>?text=COLUMN&label=COLUMN`` does).
    ``exclude_sources`` drops the training and validation records whose ``source`` (a
    built-in set's publisher, e.g. ``tass.com`` in news-articles; a ``source`` column of a
    file) is listed; the test split stays whole, so a model trained without a publisher is
    scored on it (leave-one-publisher-out). ``mined_negatives`` (stance only) adds mined
    ``unrelated`` training pairs (``MinedNegativesConfig``) before ``max_train_examples``.
    """

    source: str = "bbc-news"
    train_split: str | None = "train"
    validation: str | None = None
    validation_split: str | None = "validation"
    test: str | None = None
    test_split: str | None = "test"
    max_train_examples: int | None = None
    text_column: str | None = None
    label_column: str | None = None
    exclude_sources: list[str] = field(default_factory=list)
    mined_negatives: MinedNegativesConfig | None = None

    def spec(self, name: str) -> str:
        """The data set ``name`` with this section's column mapping (hf:/disk: only)."""
        from newsdesk.data.hub import with_columns

        return with_columns(name, {"text": self.text_column, "label": self.label_column})


@dataclass
class ModelConfig:
    """The base encoder and how texts are cut into windows."""

    base: str = "minilm-l6"
    max_length: int = 256
    stride: int = 64
    train_windows: str = "first"
    inference_windows: str = "all"
    aggregate: str = "mean"
    max_windows: int | None = None
    multi_label: bool = False
    # Dropout on attention probabilities (null: the base's own, 0.1 for BERTs). 0.0 trains
    # MiniLM 3x faster per 512-token step on a 2-core Xeon: the fused kernel cannot drop.
    attention_dropout: float | None = None

    def __post_init__(self) -> None:
        if self.attention_dropout is not None and not 0.0 <= self.attention_dropout < 1.0:
            raise ConfigError("model.attention_dropout must be in [0, 1)")
        if self.train_windows not in ("first", "all"):
            raise ConfigError("model.train_windows must be 'first' or 'all'")
        if self.inference_windows not in ("first", "all"):
            raise ConfigError("model.inference_windows must be 'first' or 'all'")
        try:
            Windowing(max_length=self.max_length, stride=self.stride,
                      aggregate=self.aggregate, max_windows=self.max_windows)
        except ValueError as error:
            raise ConfigError(f"model: {error}") from None


#: newsdesk's short names for Trainer options (``transformers.TrainingArguments`` fields),
#: which recipes have always used. ``warmup_ratio`` is a fraction of the training steps,
#: which transformers 5 reads from ``warmup_steps`` below 1.
TRAINER_ALIASES = {"epochs": "num_train_epochs", "batch_size": "per_device_train_batch_size",
                   "eval_batch_size": "per_device_eval_batch_size",
                   "lr_scheduler": "lr_scheduler_type", "warmup_ratio": "warmup_steps"}
#: newsdesk's defaults for the Trainer options where they differ from TrainingArguments'.
TRAINER_DEFAULTS: dict[str, Any] = {
    "per_device_train_batch_size": 16, "per_device_eval_batch_size": 64, "weight_decay": 0.01,
    "warmup_steps": 0.1, "logging_steps": 20, "save_total_limit": 2,
    "report_to": ["tensorboard"],
    # --resume continues the early-stopping patience count (and every other callback
    # state a checkpoint keeps) instead of starting it again at 0
    "restore_callback_states_from_checkpoint": True}
#: TrainingArguments fields newsdesk sets itself, and the recipe key that decides each.
TRAINER_MANAGED = {
    "output_dir": "output_dir (checkpoints go to <output_dir>.work/checkpoints)",
    "eval_strategy": "training.eval_steps (none: every epoch)",
    "save_strategy": "training.eval_steps (none: every epoch)",
    "save_steps": "training.eval_steps",
    "load_best_model_at_end": "the validation data (data.validation_split)",
    "metric_for_best_model": "training.best_model_metric",
    "greater_is_better": "training.best_model_metric",
    "use_cpu": "training.device", "bf16": "training.precision",
    "fp16": "training.precision"}


@dataclass
class TrainingConfig:
    """The recipe's ``training:`` section.

    newsdesk's own keys are the fields below (they are not Trainer options: ``precision``
    becomes ``bf16``/``fp16``, ``device`` ``use_cpu``, ``best_model_metric`` the metric that
    picks the kept checkpoint). Every other key is a Trainer option: a field of
    ``transformers.TrainingArguments`` (``Seq2SeqTrainingArguments`` for summary recipes)
    under its own name or a short name of ``TRAINER_ALIASES``, typed as
    ``HfArgumentParser`` types a command line (``trainer_options``) and kept in
    ``arguments`` by field name; ``trainer_args.training_arguments`` hands them on.
    """

    class_weights: bool = False
    early_stopping_patience: int | None = 2
    # Which validation figure picks the checkpoint kept (and drives early stopping): auto is
    # the task's own (accuracy, micro-F1 for multi-label, ROUGE-Lsum for summaries); loss
    # still ranks checkpoints when a small validation split is saturated at 99-100%.
    best_model_metric: str = "auto"
    device: str | None = None
    precision: str = "auto"
    threads: int | None = None
    #: The recipe's Trainer options by TrainingArguments field name (see the class doc).
    arguments: dict[str, Any] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        if self.best_model_metric not in ("auto", "loss"):
            raise ConfigError("training.best_model_metric must be auto or loss")
        if self.precision not in ("auto", "fp32", "fp16", "bf16"):
            raise ConfigError("training.precision must be auto, fp32, fp16 or bf16")

    @classmethod
    def from_section(cls, raw: dict[str, Any], prefix: str) -> TrainingConfig:
        """newsdesk's keys of ``raw`` checked into the fields; the others kept, as written,
        in ``arguments`` for ``trainer_options`` (which needs the recipe's task)."""
        own = {f.name for f in dataclasses.fields(cls) if f.init}
        config = build(cls, {k: v for k, v in raw.items() if k in own}, prefix)
        config.arguments = {k: v for k, v in raw.items() if k not in own}
        return config

    def argument(self, name: str) -> Any:
        """The value of Trainer option ``name`` (a TrainingArguments field or a short
        name) this recipe trains with: its own, newsdesk's default or transformers'."""
        name = TRAINER_ALIASES.get(name, name)
        if name in self.arguments:
            return self.arguments[name]
        if name in TRAINER_DEFAULTS:
            return TRAINER_DEFAULTS[name]
        from transformers import Seq2SeqTrainingArguments

        default = {f.name: f for f in dataclasses.fields(Seq2SeqTrainingArguments)}[name]
        if default.default_factory is not dataclasses.MISSING:
            return default.default_factory()
        return default.default

    @property
    def seed(self) -> int:
        """The training seed (``seed``; ``data_seed`` follows it unless the recipe sets it)."""
        return int(self.argument("seed"))


def trainer_arguments_class(task: str, extractive: bool = False) -> type:
    """The Trainer's arguments class for ``task``: ``Seq2SeqTrainingArguments`` for a task
    that writes text (it trains with the Seq2SeqTrainer), else ``TrainingArguments`` (also
    for an ``extractive`` summary recipe: a sentence classifier, trained by the Trainer)."""
    from transformers import Seq2SeqTrainingArguments, TrainingArguments

    writes = not get_task(task).classifies and not extractive
    return Seq2SeqTrainingArguments if writes else TrainingArguments


def trainer_options(values: dict[str, Any], args_class: type,
                    prefix: str = "training.") -> dict[str, Any]:
    """``values`` (Trainer options as a recipe writes them) by field name, each typed and
    checked by ``transformers.HfArgumentParser`` as on a command line: an int, a float, a
    boolean, one of an option's choices. Lists and mappings (``report_to``,
    ``lr_scheduler_kwargs``) go to TrainingArguments as they are, which checks them.

    An unknown key, a key newsdesk sets itself and a mistyped value are ConfigErrors naming
    the key as the recipe wrote it. (``HfArgumentParser.parse_dict(allow_extra_keys=False)``
    refuses unknown keys too, but names neither the recipe nor a close match.)
    """
    if not values:
        return {}
    from transformers import HfArgumentParser

    fields = {f.name: f for f in dataclasses.fields(args_class) if f.init}
    hints = typing.get_type_hints(args_class)
    parser = HfArgumentParser(args_class, exit_on_error=False)
    typed: dict[str, Any] = {}
    for key, value in values.items():
        name = trainer_field(str(key), fields, args_class, prefix)
        if name in typed:
            raise ConfigError(f"{prefix}{key}: {prefix}{name} is given twice (once by its "
                              "short name); keep one")
        typed[name] = _typed_option(parser, name, value, f"{prefix}{key}",
                                    fields[name].default is None or _accepts_none(hints[name]))
        if key == "warmup_ratio" and not 0 <= (typed[name] or 0) < 1:
            raise ConfigError(f"{prefix}warmup_ratio must be in [0, 1) (a fraction of the "
                              f"steps); give {prefix}warmup_steps for a number of steps")
        check_positive(name, typed[name], f"{prefix}{key}")
    return typed


#: Trainer options that must be above 0 (TrainingArguments accepts a negative learning rate
#: or a zero batch size and fails, or trains wrongly, much later).
POSITIVE_OPTIONS = ("learning_rate", "num_train_epochs", "per_device_train_batch_size",
                    "per_device_eval_batch_size", "gradient_accumulation_steps")


def check_positive(name: str, value: Any, where: str) -> None:
    """A ConfigError naming ``where`` if option ``name`` must be above 0 and is not."""
    if name in POSITIVE_OPTIONS and isinstance(value, (int, float)) and not value > 0:
        raise ConfigError(f"{where} must be above 0, not {value!r}")


def trainer_field(key: str, fields: dict[str, Any], args_class: type, prefix: str) -> str:
    """The TrainingArguments field a recipe's ``training`` key names, or a ConfigError."""
    name = TRAINER_ALIASES.get(key, key)
    if name in TRAINER_MANAGED:
        raise ConfigError(f"{prefix}{key} is set by newsdesk from {TRAINER_MANAGED[name]}; "
                          "remove it")
    if name in fields:
        return name
    own = [f.name for f in dataclasses.fields(TrainingConfig) if f.init]
    close = difflib.get_close_matches(key, [*own, *TRAINER_ALIASES, *fields], n=1)
    hint = f"; did you mean '{prefix}{close[0]}'?" if close else ""
    raise ConfigError(f"unknown key '{prefix}{key}'{hint} (a training key is newsdesk's own: "
                      f"{', '.join(own)}; a short name: {', '.join(TRAINER_ALIASES)}; or a "
                      f"field of transformers.{args_class.__name__})")


def _typed_option(parser: Any, name: str, value: Any, key: str, nullable: bool) -> Any:
    import argparse

    if value is None:
        if not nullable:
            raise ConfigError(f"{key} must not be empty")
        return None
    if isinstance(value, (list, dict)):
        return value
    token = ("true" if value else "false") if isinstance(value, bool) else str(value)
    try:
        namespace, _ = parser.parse_known_args([f"--{name}", token])
    except argparse.ArgumentError as error:
        raise ConfigError(f"{key}: {error.message}") from None
    return getattr(namespace, name)


def _accepts_none(hint: Any) -> bool:
    return _is_union(hint) and type(None) in typing.get_args(hint)


SUMMARY_TARGETS = SUMMARY.reference_choices
EXTRA_PAIRS = ("headline", "gap-sentence")


@dataclass
class SummaryConfig:
    """Summary recipes only: what the model learns to write, and how it reads articles.

    ``target`` is the record field written (``summary``: standfirsts, ``title``:
    headlines), cut to ``max_target_length`` tokens for training; ``model.max_length`` is
    the source length. ``long_articles`` (``truncate`` | ``map-reduce``) and ``max_windows``
    apply at inference; ``prefix`` starts every source (T5: ``"summarize: "``).
    ``extra_pairs`` mixes in more training pairs from the training articles, each source
    marked by its own prefix: ``headline`` (article -> title) and ``gap-sentence``
    (PEGASUS-style: the article without its most central lead sentence -> that sentence).
    """

    target: str = SUMMARY.reference
    max_target_length: int = 64
    long_articles: str = "truncate"
    max_windows: int | None = 8
    prefix: str = ""
    extra_pairs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.target not in SUMMARY_TARGETS:
            raise ConfigError(f"summary.target must be one of {', '.join(SUMMARY_TARGETS)}")
        if self.max_target_length < 2:
            raise ConfigError("summary.max_target_length must be at least 2")
        bad = [p for p in self.extra_pairs if p not in EXTRA_PAIRS]
        if bad:
            raise ConfigError(f"summary.extra_pairs: unknown {bad}; use {list(EXTRA_PAIRS)}")
        if self.extra_pairs and not self.prefix:
            raise ConfigError("summary.extra_pairs needs summary.prefix (e.g. 'summarize: ') "
                              "so that the model can tell its tasks apart")
        if self.target == "title" and "headline" in self.extra_pairs:
            raise ConfigError("summary.extra_pairs: 'headline' pairs are the target already")
        from newsdesk.summarize.abstractive import SourceSettings

        SourceSettings(long_articles=self.long_articles, max_windows=self.max_windows)


#: An extractive recipe's ``kind`` -> the summary kind of the dir it writes.
EXTRACTIVE_MODELS = {"scorer": EXTRACTIVE_SCORER, "tagger": EXTRACTIVE_TAGGER}


@dataclass
class ExtractiveConfig(ScorerSettings):
    """Summary recipes only: train a sentence scorer, the fine-tuned extractor
    (``newsdesk.summarize.scorer``), instead of a seq2seq model.

    The inference settings (``window``, ``context_sentences``, ``k``, ``redundancy``) are
    ``ScorerSettings``' and are saved in the model dir. Training labels: the greedy ROUGE
    oracle (``newsdesk.summarize.oracle``, at most ``oracle_max_sentences``) of each
    training article's ``window`` candidate sentences against its ``summary.target``;
    the oracle's sentences are positives, and ``negatives_per_article`` of the others
    (drawn at random, seeded; null: all) negatives, the whole capped at ``max_train_pairs``
    (null: no cap). ``headlines``: training articles without the target add the one
    sentence that best matches their headline as a positive (a weaker target).

    ``kind``: ``scorer`` (a cross-encoder reading each (sentence, opening) pair, one pass
    per sentence) or ``tagger`` (a token classifier reading the article's candidates in one
    pass and scoring each at its [CLS] token, BertSumExt: ``newsdesk.summarize.tagger``;
    every candidate of a training article is an example, so ``negatives_per_article`` and
    ``max_train_pairs`` do not apply, and ``context_sentences`` is unused).
    """

    oracle_max_sentences: int = 3
    negatives_per_article: int | None = 4
    max_train_pairs: int | None = None
    headlines: bool = False
    kind: str = "scorer"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.kind not in EXTRACTIVE_MODELS:
            raise ConfigError(f"extractive.kind must be one of {', '.join(EXTRACTIVE_MODELS)}, "
                              f"got {self.kind!r}")
        for key in ("oracle_max_sentences", "negatives_per_article", "max_train_pairs"):
            value = getattr(self, key)
            if value is not None and value < (0 if key == "negatives_per_article" else 1):
                raise ConfigError(f"extractive.{key} must be at least "
                                  f"{0 if key == 'negatives_per_article' else 1}, got {value}")

    @property
    def summary_kind(self) -> str:
        """The summary kind (``newsdesk.tasks``) of the dir this recipe writes."""
        return EXTRACTIVE_MODELS[self.kind]

    def settings(self) -> ScorerSettings:
        """The inference settings the model dir keeps."""
        return ScorerSettings(**{f.name: getattr(self, f.name)
                                 for f in dataclasses.fields(ScorerSettings)})


@dataclass
class HybridConfig:
    """Topic recipes only: a TF-IDF logistic regression over each training article's whole
    text, fitted after fine-tuning, whose log-probabilities are fused with the
    transformer's: ``(1 - tfidf_weight) * log p_model + tfidf_weight * log p_tfidf``.
    ``C`` is the regression's inverse regularisation; words and n-grams up to ``ngram_max``
    words seen in at least ``min_df`` training articles are its features.
    """

    tfidf_weight: float = 0.5
    C: float = 10.0
    ngram_max: int = 2
    min_df: int = 2

    def __post_init__(self) -> None:
        if not 0.0 <= self.tfidf_weight <= 1.0:
            raise ConfigError("hybrid.tfidf_weight must be in [0, 1]")
        if self.C <= 0:
            raise ConfigError("hybrid.C must be positive")
        if self.ngram_max < 1:
            raise ConfigError("hybrid.ngram_max must be at least 1")
        if self.min_df < 1:
            raise ConfigError("hybrid.min_df must be at least 1")


FROZEN_CLASSIFIERS = ("linear_svm", "logistic")
#: What keeps inner-CV folds apart (``frozen.inner_cv_groups``; ``tfidf_head.inner_split``).
INNER_CV_GROUPS = ("story", "publisher")
#: The only recipe keys a frozen recipe reads outside ``data`` and ``frozen``.
FROZEN_MODEL_KEYS = ("base", "max_length", "multi_label")  # multi_label: refused below
FROZEN_TRAINING_KEYS = ("seed", "threads")


@dataclass
class FrozenConfig:
    """Topic recipes only: keep ``model.base`` frozen (nothing is trained by gradient) and fit
    a linear model over [the mean-pooled, L2-normalised embedding of each article's first
    ``model.max_length`` tokens ; TF-IDF features of the whole article].

    ``classifier`` is ``linear_svm`` (LinearSVC; probabilities are the softmax of its
    decision scores) or ``logistic`` (multinomial LogisticRegression, its own
    probabilities). ``C``: one value, or a grid chosen from by inner grouped CV on the
    training records (3 folds, fewer with fewer URL publishers; groups: ``inner_cv_groups``).
    ``embedding_weight``: the factor on the embedding's columns beside the unit-length
    TF-IDF vector (how much the encoder counts against the words), one value or a grid
    chosen jointly with C by the same inner CV. TF-IDF: words and n-grams up to
    ``ngram_max`` words seen in at least ``min_df`` training articles, sublinear tf, l2.
    ``inner_cv_groups`` is what that inner CV keeps in one fold: ``story`` (the default: one
    story told twice, ``newsdesk.linear.story_key``) or ``publisher`` (the folds rotate over the
    publishers named by URL, ``tfidf_head.publisher_key``, each publisher's articles in one
    fold; bbc-news, with no URL, is always trained on and never scored, as in the
    leave-one-publisher-out benchmark: C and the weight are then the ones that score best
    on URL publishers the inner training folds never saw).
    """

    classifier: str = "linear_svm"
    C: list[float] | float = field(default_factory=lambda: [0.1, 0.3, 1.0, 3.0, 10.0])
    embedding_weight: list[float] | float = 1.0
    ngram_max: int = 2
    min_df: int = 2
    inner_cv_groups: str = "story"

    def __post_init__(self) -> None:
        if self.classifier not in FROZEN_CLASSIFIERS:
            raise ConfigError(f"frozen.classifier must be one of "
                              f"{', '.join(FROZEN_CLASSIFIERS)}, not {self.classifier!r}")
        self.C = _positive_grid("frozen.C", self.C)
        self.embedding_weight = _positive_grid("frozen.embedding_weight",
                                               self.embedding_weight)
        if self.ngram_max < 1:
            raise ConfigError("frozen.ngram_max must be at least 1")
        if self.min_df < 1:
            raise ConfigError("frozen.min_df must be at least 1")
        if self.inner_cv_groups not in INNER_CV_GROUPS:
            raise ConfigError(f"frozen.inner_cv_groups must be one of "
                              f"{', '.join(INNER_CV_GROUPS)}, not {self.inner_cv_groups!r}")


def _positive_grid(key: str, value: Any) -> list[float]:
    """One positive number or a non-empty list of them, as a sorted list without repeats."""
    grid = [_coerce_scalar(float, v) for v in (value if isinstance(value, list) else [value])]
    if not grid or any(v is _NO or v <= 0 for v in grid):
        raise ConfigError(f"{key} must be a positive number or a non-empty list of them, "
                          f"not {value!r}")
    return sorted(set(grid))


@dataclass
class SelectionConfig:
    """How a recipe's settings were chosen, and where its cross-validation figures are.

    ``results`` is a benchmark results JSON (relative to the working directory or to the
    recipe's repository root) with a row named ``method`` and one named ``baseline``; the
    trained model's manifest, card and evaluation reports then show those figures beside
    the test split's.
    """

    how: str
    results: str | None = None
    method: str | None = None
    baseline: str = "tfidf-svm"

    def __post_init__(self) -> None:
        if not self.how.strip():
            raise ConfigError("selection.how must say how the settings were chosen")
        if (self.results is None) != (self.method is None):
            raise ConfigError("selection.results and selection.method go together")


@dataclass
class RecipeConfig:
    """One training recipe: task, data, model, training, output.

    >>> RecipeConfig(name="demo", task="topic").model.base
    'minilm-l6'
    """

    name: str
    task: str
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    output_dir: str = ""
    description: str = ""
    generation: dict[str, Any] = field(default_factory=dict)
    summary: SummaryConfig = field(default_factory=SummaryConfig)
    hybrid: HybridConfig | None = None
    frozen: FrozenConfig | None = None
    extractive: ExtractiveConfig | None = None
    selection: SelectionConfig | None = None
    #: ``temperature``: after training, fit a temperature on the validation split
    #: (``newsdesk.calibration``); null: the probabilities stay as trained.
    calibration: str | None = None
    #: The YAML file read (set by ``load_config``; not a recipe key).
    recipe_path: str = field(default="", init=False)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ConfigError(f"task must be one of {', '.join(TASKS)}, not {self.task!r}")
        self.training.arguments = trainer_options(
            self.training.arguments,
            trainer_arguments_class(self.task, extractive=self.extractive is not None))
        if self.hybrid is not None and self.task != TOPIC.name:
            raise ConfigError(f"hybrid: a TF-IDF head is fused with topic models only, not "
                              f"with a {self.task} model; remove the hybrid section")
        if self.hybrid is not None and self.model.multi_label:
            raise ConfigError("hybrid: a TF-IDF head is fused with single-label topic models "
                              "only; remove the hybrid section or model.multi_label")
        if self.frozen is not None:
            check_frozen(self)
        if self.extractive is not None:
            check_extractive(self)
        if self.calibration is not None:
            check_calibration(self)
        if self.data.mined_negatives is not None and self.task != STANCE.name:
            raise ConfigError(f"data.mined_negatives: mined negatives are unrelated "
                              f"headline/body pairs for stance recipes, not for a {self.task} "
                              "recipe; remove the section")
        if not self.output_dir:
            self.output_dir = f"models/{self.name}"


def check_frozen(config: RecipeConfig) -> None:
    """A frozen encoder + linear head is a single-label topic model, never also a hybrid."""
    if config.task != TOPIC.name:
        raise ConfigError(f"frozen: a frozen encoder + linear head is built for topic models "
                          f"only, not for a {config.task} model; remove the frozen section")
    if config.model.multi_label:
        raise ConfigError("frozen: a frozen encoder + linear head gives one label per article; "
                          "remove the frozen section or model.multi_label")
    if config.hybrid is not None:
        raise ConfigError("frozen and hybrid exclude each other: a frozen model's head reads "
                          "TF-IDF features already; remove the hybrid section")


def check_extractive(config: RecipeConfig) -> None:
    """A sentence scorer is a summary model that generates nothing and reads one window
    per (sentence, context) pair."""
    if config.task != SUMMARY.name:
        raise ConfigError(f"extractive: a sentence scorer is a summary model, not a "
                          f"{config.task} model; remove the extractive section")
    if config.generation:
        raise ConfigError("generation has no effect in an extractive recipe (a sentence "
                          "scorer writes nothing); remove it")
    if config.summary.extra_pairs:
        raise ConfigError("summary.extra_pairs are seq2seq training pairs; an extractive "
                          "recipe takes extractive.headlines instead")
    if config.model.stride:
        raise ConfigError("model.stride must be 0 in an extractive recipe: each (sentence, "
                          "context) pair, or each article's candidates, is one window")
    if config.extractive is not None and config.extractive.summary_kind == EXTRACTIVE_TAGGER:
        from newsdesk.summarize.tagger import sentence_token_share

        try:
            sentence_token_share(config.model.max_length, config.extractive.window)
        except ValueError as error:
            raise ConfigError(f"extractive.window {config.extractive.window} with "
                              f"model.max_length {config.model.max_length}: {error}") from None


CALIBRATIONS = ("temperature",)


def check_calibration(config: RecipeConfig) -> None:
    """Temperature scaling needs a single-label classifier whose probabilities are the
    transformer's own, and a validation set to fit on."""
    if config.calibration not in CALIBRATIONS:
        raise ConfigError(f"calibration must be one of {', '.join(CALIBRATIONS)} or null, not "
                          f"{config.calibration!r}")
    if config.task == "summary" or config.model.multi_label:
        raise ConfigError("calibration: temperature scaling is for single-label topic and "
                          "stance models; remove the calibration key")
    if config.hybrid is not None or config.frozen is not None:
        raise ConfigError("calibration: temperature scaling divides the transformer's logits, "
                          "but a hybrid or frozen model's probabilities come from its linear "
                          "head; remove the calibration key")
    if config.data.validation is None and config.data.validation_split is None:
        raise ConfigError("calibration: the temperature is fitted on the validation set, and "
                          "this recipe has none (data.validation_split is null)")


def prepare_frozen(raw: dict[str, Any]) -> None:
    """In a frozen recipe, a ``model`` or ``training`` key it would ignore is an error, and
    ``model.stride`` is 0 (it reads one window per article, so a short ``max_length`` is
    never refused for the default stride)."""
    if raw.get("frozen") is None:
        return
    for section, used in (("model", FROZEN_MODEL_KEYS), ("training", FROZEN_TRAINING_KEYS)):
        values = raw.get(section) or {}
        unused = [key for key in values if key not in used] if isinstance(values, dict) else []
        if unused:
            raise ConfigError(
                f"{section}.{unused[0]} has no effect in a frozen recipe, which reads only "
                f"{', '.join(f'{section}.{k}' for k in used)} there; remove it")
    if isinstance(raw.get("model"), dict):
        raw["model"]["stride"] = 0
    elif raw.get("model") is None:
        raw["model"] = {"stride": 0}


def load_config(path: str | Path, overrides: list[str] | None = None) -> RecipeConfig:
    """Read a YAML recipe, apply ``key=value`` overrides, and check every key and type."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the recipe ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a recipe must be a mapping of keys to values")
    for item in overrides or []:
        apply_override(raw, item)
    try:
        prepare_frozen(raw)
        config = build(RecipeConfig, raw, prefix="")
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None
    config.recipe_path = str(path)
    return config


def apply_override(raw: dict[str, Any], item: str) -> None:
    """Apply one ``dotted.key=value`` override (the value parsed as YAML) to ``raw``."""
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise ConfigError(f"--set {item!r}: expected key=value, e.g. training.epochs=2")
    parts = key.strip().split(".")
    node = raw
    for part in parts[:-1]:
        if node.get(part) is None:  # absent or null (e.g. "hybrid: null"): a new section
            node[part] = {}
        node = node[part]
        if not isinstance(node, dict):
            raise ConfigError(f"--set {item!r}: {part!r} is not a section")
    node[parts[-1]] = yaml.safe_load(value) if value.strip() else None


def build(cls: type, raw: dict[str, Any], prefix: str) -> Any:
    """Construct dataclass ``cls`` from ``raw``, checking keys and types recursively."""
    known = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for key in raw:
        if key not in known:
            close = difflib.get_close_matches(str(key), list(known), n=1)
            hint = f"; did you mean '{prefix}{close[0]}'?" if close else ""
            raise ConfigError(f"unknown key '{prefix}{key}'{hint} (known: {', '.join(known)})")
    hints = typing.get_type_hints(cls)
    values = {key: _coerce(hints[key], value, f"{prefix}{key}") for key, value in raw.items()}
    missing = [name for name, f in known.items() if name not in values
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"missing key '{prefix}{missing[0]}'")
    try:
        return cls(**values)
    except (TypeError, ValueError) as error:
        raise ConfigError(str(error)) from None


def _coerce(hint: Any, value: Any, key: str) -> Any:
    options = typing.get_args(hint) if _is_union(hint) else (hint,)
    if value is None:
        if type(None) in options:
            return None
        raise ConfigError(f"{key} must not be empty")
    for option in options:
        if option is type(None):
            continue
        if dataclasses.is_dataclass(option):  # a section (optional: "section | None")
            if not isinstance(value, dict):
                raise ConfigError(f"{key} must be a section (a mapping), got {value!r}")
            builder = getattr(option, "from_section", None)  # a section with its own reader
            return (builder or partial(build, option))(value, prefix=f"{key}.")
        coerced = _coerce_scalar(option, value)
        if coerced is not _NO:
            return coerced
    wanted = " or ".join(getattr(o, "__name__", str(o)) for o in options if o is not type(None))
    raise ConfigError(f"{key} must be {wanted}, got {type(value).__name__} {value!r}")


_NO = object()


def _coerce_scalar(option: Any, value: Any) -> Any:
    origin = typing.get_origin(option)
    if origin is dict:
        return value if isinstance(value, dict) else _NO
    if origin is list:
        return value if isinstance(value, list) else _NO
    if option is bool:
        return value if isinstance(value, bool) else _NO
    if option is int:
        return value if isinstance(value, int) and not isinstance(value, bool) else _NO
    if option is float:
        if isinstance(value, str):  # PyYAML reads 1e-4 (no dot) as a string
            try:
                return float(value)
            except ValueError:
                return _NO
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return float(value) if ok else _NO
    if option is str:
        return value if isinstance(value, str) else _NO
    return value if isinstance(value, option) else _NO


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)

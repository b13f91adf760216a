"""The one ``Trainer.train`` call of every task trained by gradient (topic, stance, both
summary kinds), and what ``newsdesk.json`` records of it (``training``), a run continued
with ``newsdesk-train --resume`` included.

The Trainer's ``train_runtime`` times one ``train()`` call, so a run stopped and continued
from a checkpoint would record its last piece only. Every run therefore carries a
``TrainRuntime`` callback, an ``ExportableState``, whose state each checkpoint keeps in its
``trainer_state.json`` (``stateful_callbacks``): the train runtime up to that checkpoint,
every earlier piece up to the checkpoint the next one resumed from, plus this piece's
seconds so far. A resumed run reads it from the checkpoint it resumes from and adds its own
``train_runtime``. The work a stopped piece did after its last checkpoint is done again by
the next piece, and counted once, there.

What the manifest's ``training`` gets (``TrainerRun.facts``):

- ``train_runtime_s``: the train runtime of the whole run in seconds (a run in one piece:
  the Trainer's ``train_runtime``, as before). Absent where it cannot be known: a run
  resumed from a checkpoint that holds no runtime (saved before newsdesk recorded one, or
  itself written by such a run); nothing is guessed;
- ``resumed_from``: the checkpoint dir a resumed run continued from (``checkpoint-N``);
- ``train_runtime_s_last_piece``: a resumed run's last piece alone;
- ``global_steps``: the optimizer steps of the whole run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers import TrainerCallback
from transformers.trainer import TRAINER_STATE_NAME
from transformers.trainer_callback import ExportableState

from newsdesk.jsonfile import read_json_object
from newsdesk_train.workdir import WorkDirs


class TrainRuntime(TrainerCallback, ExportableState):
    """The train runtime so far, across pieces: ``seconds_before`` (the pieces before this
    one; None: not known) plus the seconds since this piece's training began."""

    def __init__(self, seconds_before: float | None = 0.0) -> None:
        self.seconds_before = seconds_before
        self.began: float | None = None

    def seconds(self) -> float | None:
        if self.seconds_before is None:
            return None
        return self.seconds_before + (0.0 if self.began is None else time.time() - self.began)

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.began = time.time()
        # A checkpoint saved without this callback holds no entry for it, and the Trainer
        # saves a checkpoint's callback states into the entries the state already has.
        state.stateful_callbacks.setdefault(type(self).__name__, self.state())

    def state(self) -> dict[str, Any]:
        """What a checkpoint keeps: the runtime up to it, as the ``seconds_before`` of the
        piece that resumes from it (the Trainer's own restore, where a recipe turns on
        ``restore_callback_states_from_checkpoint``, builds the callback from it too)."""
        seconds = self.seconds()
        return {"args": {"seconds_before": None if seconds is None else round(seconds, 3)},
                "attributes": {}}


def runtime_at(checkpoint: str | Path) -> float | None:
    """The train runtime a checkpoint recorded (``TrainRuntime``); None where it holds none."""
    state = read_json_object(Path(checkpoint) / TRAINER_STATE_NAME)
    stored = (state.get("stateful_callbacks") or {}).get(TrainRuntime.__name__)
    if not isinstance(stored, dict):
        return None
    seconds = (stored.get("args") or {}).get("seconds_before")
    return float(seconds) if isinstance(seconds, int | float) else None


@dataclass(frozen=True)
class TrainerRun:
    """One ``newsdesk-train`` run by the Trainer: its last piece's ``train_runtime``, its
    steps, and for a resumed run the checkpoint it continued from and the runtime of the
    pieces before (None: not known)."""

    last_piece_s: float
    global_steps: int
    resumed_from: str | None = None
    seconds_before: float | None = 0.0

    def facts(self) -> dict[str, Any]:
        """The manifest's ``training`` fields (module docstring).

        >>> TrainerRun(61.23, 40).facts()
        {'train_runtime_s': 61.2, 'global_steps': 40}
        >>> TrainerRun(30.0, 40, "checkpoint-10", 12.5).facts()
        {'train_runtime_s': 42.5, 'resumed_from': 'checkpoint-10', \
'train_runtime_s_last_piece': 30.0, 'global_steps': 40}
        >>> TrainerRun(30.0, 40, "checkpoint-10", None).facts()
        {'resumed_from': 'checkpoint-10', 'train_runtime_s_last_piece': 30.0, 'global_steps': 40}
        """
        facts: dict[str, Any] = {}
        if self.seconds_before is not None:
            facts["train_runtime_s"] = round(self.seconds_before + self.last_piece_s, 1)
        if self.resumed_from is not None:
            facts |= {"resumed_from": self.resumed_from,
                      "train_runtime_s_last_piece": round(self.last_piece_s, 1)}
        return {**facts, "global_steps": self.global_steps}


def run_trainer(trainer: Any, work: WorkDirs, *, resume: bool) -> TrainerRun:
    """``trainer.train()``: from the newest checkpoint in ``work`` with ``resume``, else
    from the start, timed across pieces by a ``TrainRuntime`` callback."""
    checkpoint = work.last_checkpoint() if resume else None
    before = 0.0 if checkpoint is None else runtime_at(checkpoint)
    trainer.add_callback(TrainRuntime(before))
    output = trainer.train(resume_from_checkpoint=checkpoint)
    return TrainerRun(last_piece_s=float(output.metrics.get("train_runtime", 0.0)),
                      global_steps=int(output.global_step),
                      resumed_from=None if checkpoint is None else Path(checkpoint).name,
                      seconds_before=before)

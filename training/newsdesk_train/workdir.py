"""The working folder of a run, and the atomic publication of the finished model.

``models/NAME`` only ever appears complete: the model is written to a staging folder
inside ``models/NAME.work/`` and renamed into place at the end. Checkpoints (for
``--resume``) and TensorBoard logs stay in the work folder.

Under a multi-process launch (``torchrun``, ``accelerate launch``) every process runs the
recipe, but only global rank 0 prepares and publishes; the other ranks never delete here.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

#: What the Trainer writes into a checkpoint folder (``transformers.trainer``'s
#: ``TRAINER_STATE_NAME``): a folder without it is one whose saving was cut short.
TRAINER_STATE_FILE = "trainer_state.json"


@dataclass(frozen=True)
class WorkDirs:
    """Paths of one run: the output dir and its sibling work dir.

    >>> WorkDirs.for_output("models/topic").checkpoints.as_posix()
    'models/topic.work/checkpoints'
    """

    output: Path
    root: Path

    @classmethod
    def for_output(cls, output: str | Path) -> WorkDirs:
        output = Path(output)
        return cls(output=output, root=output.with_name(output.name + ".work"))

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def staging(self) -> Path:
        return self.root / "staging"

    def prepare(self, *, resume: bool) -> None:
        """Create the folders; without ``resume``, old checkpoints are cleared.

        Only launch rank 0 does this: other ranks return at once (the Trainer creates what
        they write, and they cannot start training before rank 0 has joined the process group,
        which it does after this).
        """
        if launch_rank() != 0:
            return
        if not resume and self.checkpoints.exists():
            shutil.rmtree(self.checkpoints)
        if self.staging.exists():
            shutil.rmtree(self.staging)
        for folder in (self.checkpoints, self.logs, self.staging):
            folder.mkdir(parents=True, exist_ok=True)

    def last_checkpoint(self) -> str | None:
        """The newest complete ``checkpoint-N`` folder, if any: one the Trainer finished
        writing (its ``trainer_state.json`` is there), so that a run killed while saving
        resumes from the checkpoint before."""
        found = [p for p in self.checkpoints.glob("checkpoint-*")
                 if p.name[11:].isdigit() and (p / TRAINER_STATE_FILE).is_file()]
        return str(max(found, key=lambda p: int(p.name[11:]))) if found else None

    def publish(self, *, keep_checkpoints: bool = False) -> Path:
        """Rename the staged model to the output path (replacing an older model there)."""
        self.output.parent.mkdir(parents=True, exist_ok=True)
        old = self.root / "previous"
        if old.exists():
            shutil.rmtree(old)
        if self.output.exists():
            os.replace(self.output, old)
        os.replace(self.staging, self.output)
        if old.exists():
            shutil.rmtree(old)
        if not keep_checkpoints and self.checkpoints.exists():
            shutil.rmtree(self.checkpoints)
        return self.output


def launch_rank() -> int:
    """This process's global rank as set by the launcher (``RANK``), before
    ``torch.distributed`` starts; 0 in a plain single-process run.

    >>> launch_rank() >= 0
    True
    """
    return int(os.environ.get("RANK", "0") or 0)


def is_main_process() -> bool:
    """True on global rank 0 of a started process group, and in a single-process run:
    the one process that evaluates, writes the manifest and card, and publishes.

    >>> is_main_process()
    True
    """
    import torch.distributed as dist

    return not (dist.is_available() and dist.is_initialized()) or dist.get_rank() == 0

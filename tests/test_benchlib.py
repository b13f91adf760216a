"""benchmarks/benchlib.py: a run counts as busy by the CPU other processes used while it ran,
not by a load average its own threads raise."""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def benchlib() -> Iterator[ModuleType]:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(ROOT / "benchmarks"))
        yield importlib.import_module("benchlib")


def spin(cpu_seconds: float) -> None:
    """Busy-loop until this process has used ``cpu_seconds`` more CPU time."""
    end = time.process_time() + cpu_seconds
    while time.process_time() < end:
        pass


def test_own_work_is_counted_as_own(benchlib: ModuleType) -> None:
    before = benchlib.cpu_seconds()
    spin(1.0)
    after = benchlib.cpu_seconds()
    assert after[1] - before[1] >= 0.95  # this process's CPU time: subtracted, not "other"
    assert after[0] - before[0] >= 0.9  # and part of the machine's (clock-tick granularity)
    data = benchlib.start_run(["benchmarks/x.py"]).finish()
    assert "_cpu0" not in data and "_t0" not in data and "_steal0" not in data
    assert "other_cpu_cores" in data and "steal_cores" in data


def test_another_process_spinning_during_the_run_is_counted(benchlib: ModuleType) -> None:
    run = benchlib.start_run(["benchmarks/x.py"])
    busy_loop = "import time\nend = time.time() + 1.5\nwhile time.time() < end: pass"
    other = subprocess.Popen([sys.executable, "-c", busy_loop], start_new_session=True)
    time.sleep(1.6)
    data = run.finish()  # the child is not waited for yet: its CPU is another process's
    other.wait()
    assert data["other_cpu_cores"] > benchlib.BUSY_OTHER_CORES
    assert data["busy"] is True


def test_other_cores_from_two_readings(benchlib: ModuleType) -> None:
    # the machine used 30 CPU s in 10 s, this process 10 of them: 2 other cores on average
    assert benchlib.other_cores((100.0, 5.0), (130.0, 15.0), 10.0) == 2.0
    assert benchlib.other_cores((100.0, 5.0), (104.0, 15.0), 10.0) == 0.0  # clamped
    assert benchlib.other_cores((float("nan"), 5.0), (float("nan"), 15.0), 10.0) is None


def test_busy_header_says_why(benchlib: ModuleType) -> None:
    run = {"busy": True, "other_cpu_cores": 1.3, "steal_cores": 0.0, "load_before": [3.0, 2.0, 1.0],
           "load_after": [2.0, 2.0, 1.0], "cpu": {"model": "Test CPU", "cores": 2,
                                                  "isa": ["avx2"]},
           "libraries": {}, "command": "x", "commit": "0" * 40, "dirty": False,
           "started": "t", "wall_s": 1.0, "python": "3.11"}
    header = " ".join(benchlib.provenance_markdown(run))
    assert "other processes used 1.3 cores and the hypervisor took 0.0 cores" in header
    assert "not to be quoted" in header

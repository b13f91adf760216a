"""What every benchmark shares: the run's provenance, repeat statistics, memory, results files.

A script calls ``start_run()`` before any work and ``write_results(name, run, report, render,
title)`` at the end: the JSON gets a ``run`` block (the command as run, git commit and
dirtiness, CPU model, cores and ISA flags, library versions, load before and after, and the
cores other processes and the hypervisor took while it ran: above ``BUSY_OTHER_CORES`` the
run is flagged busy, its timings not to be quoted), and the Markdown is the title, that
provenance and ``render(report, name)`` (docs/architecture.md, "How recipes are chosen and
measured").

The body may hold the sections README.md and docs/*.md quote (``quotes.py``). ``python
benchmarks/benchlib.py [NAME ...]`` renders the results Markdown again from the JSON, its
header as written, running no benchmark.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType
from typing import Any

from newsdesk_train.crossval import markdown_table as table  # noqa: F401 (re-exported)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
ISA_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_tile",
             "amx_int8", "amx_bf16")
LIBRARIES = ("torch", "transformers", "onnxruntime", "scikit-learn", "numpy", "tokenizers",
             "datasets", "rouge-score", "optimum", "optimum-onnx")
#: Other processes' mean CPU use during a run (cores) above which its timings are not quoted.
BUSY_OTHER_CORES = 0.25
Data = dict[str, Any]


@dataclass
class Run:
    """Provenance of one benchmark run; ``finish()`` adds the end time and load."""

    command: str
    commit: str
    dirty: bool
    cpu: dict[str, Any]
    libraries: dict[str, str]
    python: str
    started: str
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] | None = None
    finished: str | None = None
    wall_s: float | None = None
    other_cpu_cores: float | None = None
    steal_cores: float | None = None
    busy: bool = False
    _t0: float = field(default_factory=time.perf_counter, repr=False)
    _cpu0: tuple[float, float] = field(default_factory=lambda: cpu_seconds(), repr=False)
    _steal0: float = field(default_factory=lambda: steal_seconds(), repr=False)

    def finish(self) -> dict[str, Any]:
        self.load_after = load_average()
        self.finished = _now()
        wall = time.perf_counter() - self._t0
        self.wall_s = round(wall, 1)
        self.other_cpu_cores = other_cores(self._cpu0, cpu_seconds(), wall)
        stolen = (steal_seconds() - self._steal0) / wall if wall > 0 else float("nan")
        self.steal_cores = round(stolen, 2) if stolen == stolen else None
        self.busy = any(value is not None and value > BUSY_OTHER_CORES
                        for value in (self.other_cpu_cores, self.steal_cores))
        data = asdict(self)
        for private in ("_t0", "_cpu0", "_steal0"):
            data.pop(private)
        return data


def cpu_seconds() -> tuple[float, float]:
    """(CPU seconds every process on the machine has used since boot, from /proc/stat; CPU
    seconds this process and its waited-for children have used). NaN for the first where
    /proc/stat cannot be read."""
    import resource

    own = sum(getattr(resource.getrusage(who), field_name)
              for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for field_name in ("ru_utime", "ru_stime"))
    ticks = proc_stat_ticks()
    if ticks is None:
        return float("nan"), own
    # user nice system idle iowait irq softirq steal: this VM's busy time is all but idle,
    # iowait and steal (time the hypervisor gave to other VMs: ``steal_seconds``)
    busy_ticks = sum(ticks) - ticks[3] - ticks[4] - ticks[7]
    return busy_ticks / os.sysconf("SC_CLK_TCK"), own


def steal_seconds() -> float:
    """CPU seconds the hypervisor has given to other virtual machines while this one wanted
    to run (``steal`` in /proc/stat) since boot; NaN where it cannot be read."""
    ticks = proc_stat_ticks()
    return float("nan") if ticks is None else ticks[7] / os.sysconf("SC_CLK_TCK")


def proc_stat_ticks() -> list[int] | None:
    """The machine-wide ``cpu`` line of /proc/stat: user, nice, system, idle, iowait, irq,
    softirq, steal, in clock ticks since boot (None where it cannot be read)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
        return [int(v) for v in fields[1:9]]
    except (OSError, IndexError, ValueError):
        return None


def other_cores(before: tuple[float, float], after: tuple[float, float],
                wall_s: float) -> float | None:
    """Mean number of cores other processes kept busy between two ``cpu_seconds()``
    readings ``wall_s`` apart (None where /proc/stat was unreadable)."""
    machine = after[0] - before[0]
    if machine != machine or wall_s <= 0:  # NaN: no /proc/stat
        return None
    return round(max(0.0, machine - (after[1] - before[1])) / wall_s, 2)


def start_run(argv: list[str] | None = None) -> Run:
    """Record the command as run and the machine's state before any work starts."""
    argv = sys.argv if argv is None else argv
    script = Path(argv[0])
    with_root = script.resolve().relative_to(ROOT) if script.resolve().is_relative_to(
        ROOT) else script
    command = " ".join([_python_name(), str(with_root), *argv[1:]])
    commit, dirty = git_state()
    return Run(command=command, commit=commit, dirty=dirty, cpu=cpu_facts(),
               libraries=library_versions(), python=platform.python_version(),
               started=_now(), load_before=load_average())


def _python_name() -> str:
    exe = Path(sys.executable)
    try:
        return str(exe.relative_to(ROOT))
    except ValueError:
        return ".venv/bin/python" if (ROOT / ".venv") in exe.parents else exe.name


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def git_state() -> tuple[str, bool]:
    """The HEAD commit and whether tracked files differ from it (results files excluded)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown", True
    changed = [line for line in status.splitlines()
               if not line[3:].startswith("benchmarks/results/")]
    return commit, bool(changed)


def cpu_facts() -> dict[str, Any]:
    """CPU model, usable cores and the ISA flags that decide CPU speed (by
    ``newsdesk.device``, the one reader of /proc/cpuinfo)."""
    from newsdesk.device import cpu_flags, cpu_model

    model = cpu_model()
    flags = cpu_flags()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"model": model, "cores": cores, "machine": platform.machine(),
            "isa": [f for f in ISA_FLAGS if f in flags]}


def cpu_line(cpu: dict[str, Any]) -> str:
    """``Intel(R) Xeon(R) Processor, 2 cores, avx2 avx512f amx_int8``: for Markdown."""
    return f"{cpu['model']}, {cpu['cores']} cores, ISA: {' '.join(cpu['isa']) or 'baseline'}"


def library_versions(names: tuple[str, ...] = LIBRARIES) -> dict[str, str]:
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def load_average() -> tuple[float, float, float]:
    one, five, fifteen = os.getloadavg()
    return round(one, 2), round(five, 2), round(fifteen, 2)


def repeat_stats(values: list[float]) -> dict[str, Any]:
    """min / median / max of a list of timings (seconds or rates), and the values."""
    return {"n": len(values), "min": round(min(values), 4),
            "median": round(statistics.median(values), 4), "max": round(max(values), 4),
            "values": [round(v, 4) for v in values]}


def spread(stats: dict[str, Any], digits: int = 1) -> str:
    """``median [min, max]`` of ``repeat_stats``, for Markdown.

    >>> spread({"median": 2.0, "min": 1.5, "max": 3.25}, 2)
    '2.00 [1.50, 3.25]'
    """
    return f"{stats['median']:.{digits}f} [{stats['min']:.{digits}f}, {stats['max']:.{digits}f}]"


def timed_repeats(run: Callable[[], Any], repeats: int, warmup: int = 1
                  ) -> tuple[Any, dict[str, Any]]:
    """Call ``run`` ``warmup`` times untimed, then ``repeats`` times timed: last result, stats
    of the wall seconds."""
    result = None
    for _ in range(warmup):
        result = run()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - start)
    return result, repeat_stats(seconds)


def rss_mib() -> float:
    """This process's resident set size in MiB (Linux /proc; elsewhere the lifetime peak)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


class RssSampler:
    """Samples this process's RSS every ``interval`` s in a thread while the block runs:
    ``.peak`` in MiB; with ``count``, ``.samples`` holds (``count()``, RSS) pairs, the first
    taken on entry and the last on exit."""

    def __init__(self, interval: float = 0.005, count: Callable[[], int] | None = None) -> None:
        self.interval, self.count = interval, count
        self.peak, self.samples = 0.0, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _take(self) -> None:
        rss = rss_mib()
        self.peak = max(self.peak, rss)
        if self.count is not None:
            self.samples.append((self.count(), rss))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._take()

    def __enter__(self) -> RssSampler:
        self._take()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._take()


def provenance_markdown(run: dict[str, Any]) -> list[str]:
    """The header every results Markdown starts with, rendered from the JSON's run block."""
    lines = []
    if run["busy"]:
        lines += [f"**Busy machine: other processes used {run.get('other_cpu_cores')} cores and "
                  f"the hypervisor took {run.get('steal_cores')} cores (steal) on average "
                  f"during the run (either above {BUSY_OTHER_CORES} counts). Timings from this "
                  "run are not to be quoted.**", ""]
    libraries = ", ".join(f"{k} {v}" for k, v in run["libraries"].items())
    lines += [f"- command: `{run['command']}`",
              f"- commit: `{run['commit'][:12]}`" + (" (tree dirty)" if run["dirty"] else ""),
              f"- CPU: {cpu_line(run['cpu'])}",
              f"- load average (1/5/15 min): before {run['load_before']}, after "
              f"{run['load_after']}; other processes used {run.get('other_cpu_cores')} "
              f"cores, steal {run.get('steal_cores')} cores, on average during the run",
              f"- started {run['started']}, wall {run['wall_s']} s; Python {run['python']}; "
              f"{libraries}", ""]
    return lines


def write_results(name: str, run: Run, report: Data, render: Callable[[Data, str], list[str]],
                  title: str, folder: Path = RESULTS) -> Data:
    """Write ``folder/name.json`` (report + run block) and ``name.md`` rendered from it."""
    data = {"run": run.finish(), **report}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    markdown = [f"# {title}", "", *provenance_markdown(data["run"]), *render(data, name)]
    (folder / f"{name}.md").write_text("\n".join(markdown) + "\n", encoding="utf-8")
    return data


# --- rendering the results Markdown again from its JSON -------------------------------------

def script_of(data: Data) -> ModuleType:
    """The benchmark module that wrote ``data`` (the ``benchmarks/X.py`` of its command)."""
    name = next(Path(word).stem for word in data["run"]["command"].split()
                if word.startswith("benchmarks/") and word.endswith(".py"))
    return importlib.import_module(name)


def split_markdown(markdown: str) -> tuple[str, str]:
    """(heading and provenance header, body) of a results Markdown file."""
    lines = markdown.split("\n")
    end = next(i for i, line in enumerate(lines) if line.startswith("- started ")) + 2
    return "\n".join(lines[:end]), "\n".join(lines[end:])


def rendered_body(path: Path) -> str:
    """The body of ``path``'s Markdown (``NAME.json`` -> ``NAME.md``) as its script renders
    it today from the JSON."""
    data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return "\n".join(script_of(data).render(data, path.stem)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render benchmarks/results/NAME.md again "
                                     "from NAME.json (its header as written; no benchmark runs)")
    parser.add_argument("names", nargs="*", help="results names (default: every one)")
    args = parser.parse_args(argv)
    paths = [RESULTS / f"{n}.json" for n in args.names] or sorted(RESULTS.glob("*.json"))
    for path in paths:
        markdown = path.with_suffix(".md")
        head = split_markdown(markdown.read_text(encoding="utf-8"))[0]
        markdown.write_text(f"{head}\n{rendered_body(path)}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

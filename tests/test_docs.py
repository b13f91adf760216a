"""The docs say what the code does and where figures come from: architecture.md names every
command and extra, the limits in reliability.md hold, scaling.md says what is untested, and
the README names the CPU its figures were measured on (from a results file)."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def read(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8")


def test_architecture_names_every_command_and_extra() -> None:
    from newsdesk.cli import COMMAND_MODULES

    doc = read("docs/architecture.md")
    listed = re.search(r"`newsdesk` \(([^)]*)\)", doc)
    assert listed, "architecture.md lists the newsdesk commands as `newsdesk` (a, b, ...)"
    assert set(re.split(r",\s*", listed.group(1))) == set(COMMAND_MODULES)
    extras = tomllib.loads(read("pyproject.toml"))["project"]["optional-dependencies"]
    entry = doc[doc.index("\npyproject.toml"):doc.index("\nscripts/")]  # the layout's entry
    assert all(re.search(rf"\b{name}\b", entry) for name in extras), (entry, sorted(extras))


def test_the_summary_limits_hold_for_other_scripts() -> None:
    from newsdesk import Summarizer

    lead = Summarizer.extractive("lead")
    russian = "Правительство объявило новые меры. Экономисты недовольны."
    thai = "รัฐบาลประกาศมาตรการใหม่ในวันจันทร์ นักเศรษฐศาสตร์กล่าวว่ายังไม่พอ"
    assert lead.summarize([russian, thai], max_words=40) == [russian, ""]
    doc = read("docs/reliability.md")
    assert "Latin-script" not in doc and "any script" in doc and "(Thai, for one)" in doc


def test_scaling_says_deepspeed_and_fsdp_are_untested() -> None:
    doc = read("docs/scaling.md")
    assert "### DeepSpeed and FSDP (GPU users; untested)" in doc
    assert "the only training path\na test runs is 2 CPU processes with gloo DDP" in doc


def test_readme_names_the_measured_cpu_and_no_laptop() -> None:
    readme = read("README.md")
    assert "laptop CPU" not in readme
    assert all("not" in line or "none" in line
               for line in readme.splitlines() if "laptop" in line)
    assert "2-core cloud VM" in readme
    assert re.search(r"Each results file written through\s+`benchmarks/benchlib.py` names its "
                     r"CPU, ISA flags and load", readme)

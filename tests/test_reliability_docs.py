"""docs/reliability.md matches the tests: every test it names exists, and every test of the
reliability test files is named in it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reliability.md"
OWN_FILES = ("tests/test_reliability_inputs.py", "tests/test_reliability_models.py",
             "tests/test_reliability_cli.py", "tests/test_windowing_properties.py",
             "tests/test_concurrency.py")
REFERENCE = re.compile(r"`(tests/[\w/]+\.py::\w+(?:\[[^\]`]+\])?)`")


def table_references() -> set[str]:
    rows = [line for line in DOC.read_text(encoding="utf-8").splitlines()
            if line.startswith("|")]
    return {ref for row in rows for ref in REFERENCE.findall(row)}


def collected(files: set[str]) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         *sorted(files)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    return {line for line in result.stdout.splitlines() if "::" in line}


def test_the_reliability_table_matches_the_tests() -> None:
    references = table_references()
    files = {ref.split("::")[0] for ref in references} | set(OWN_FILES)
    nodes = collected(files)
    functions = {node.split("[")[0] for node in nodes}
    unknown = sorted(ref for ref in references if ref not in nodes | functions)
    assert not unknown, f"docs/reliability.md names tests that do not exist: {unknown}"
    missing = sorted(node for node in nodes if node.split("::")[0] in OWN_FILES
                     and node not in references and node.split("[")[0] not in references)
    assert not missing, f"tests not in docs/reliability.md: {missing}"

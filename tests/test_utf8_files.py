"""Files newsdesk writes (the manifest, evaluation reports) are UTF-8 whatever the locale:
they are read back as UTF-8, so a label like "économie" must survive an ASCII locale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LABEL = "économie"
WRITE_BOTH = """
import sys
from pathlib import Path
from newsdesk.evaluation.report import write_report
from newsdesk.evaluation.run import Evaluation
from newsdesk.manifest import Manifest

out = Path(sys.argv[1])
Manifest(task="topic", labels=[{label!a}, "sport"]).save(out)
assert Manifest.load(out).labels[0] == {label!a}
write_report(Evaluation(model="m", task="topic", data="d.jsonl", split=None,
                        metrics={{"n": 1, "accuracy": 1.0}}, labels=[{label!a}, "sport"]),
             out / "report")
"""


def test_manifest_and_report_are_utf8_under_an_ascii_locale(tmp_path: Path) -> None:
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
           "PYTHONIOENCODING": "utf-8"}
    script = WRITE_BOTH.format(label=LABEL)  # !a: an ASCII command line (\xe9 escapes)
    encoding = subprocess.run(
        [sys.executable, "-c", "import locale; print(locale.getpreferredencoding(False))"],
        env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert encoding.lower() in ("ansi_x3.4-1968", "ascii", "us-ascii"), encoding
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "newsdesk.json").read_text(encoding="utf-8"))
    report = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    assert manifest["labels"] == [LABEL, "sport"]
    assert report["labels"] == [LABEL, "sport"]

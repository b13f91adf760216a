"""A recipe's ``selection`` section -> the manifest's record of how the recipe was chosen.

The cross-validation figures are read from the benchmark results file the recipe names
(never typed into the recipe), so the card and reports cannot drift from the benchmark.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from newsdesk_train.config import RecipeConfig

logger = logging.getLogger(__name__)


def selection_record(config: RecipeConfig) -> dict[str, Any] | None:
    """``{"how", "cv"?}`` for the manifest; ``cv`` holds the recipe's and the baseline's
    cross-validation rows when the results file and both rows are found."""
    selection = config.selection
    if selection is None:
        return None
    record: dict[str, Any] = {"how": selection.how.strip()}
    if selection.results is None:
        return record
    path = _find_results(selection.results, config.recipe_path)
    if path is None:
        logger.warning("selection.results %s not found: the card shows no CV figures",
                       selection.results)
        record["cv_missing"] = f"{selection.results} not found when this model was trained"
        return record
    results = json.loads(path.read_text(encoding="utf-8"))
    rows = {row["method"]: row for row in results.get("rows", [])}
    if selection.method not in rows or selection.baseline not in rows:
        record["cv_missing"] = (f"{selection.results} has no row {selection.method!r} and "
                                f"{selection.baseline!r}")
        return record
    run = results.get("run", {})
    record["cv"] = {
        "results": selection.results, "protocol": results.get("protocol"),
        "n": results.get("n"), "commit": run.get("commit"),
        "cpu": run.get("cpu", {}).get("model"),
        "method": _cv_figures(rows[selection.method], selection.method),
        "baseline": _cv_figures(rows[selection.baseline], selection.baseline)}
    return record


def _cv_figures(row: dict[str, Any], name: str) -> dict[str, Any]:
    keep = ("accuracy", "macro_f1", "errors", "diff_vs_baseline", "diff_95",
            "train_seconds_per_fold")
    return {"name": name, **{k: row[k] for k in keep if k in row}}


def _find_results(name: str, recipe_path: str) -> Path | None:
    candidates = [Path(name)]
    if recipe_path:
        candidates += [parent / name for parent in Path(recipe_path).resolve().parents]
    return next((path for path in candidates if path.is_file()), None)

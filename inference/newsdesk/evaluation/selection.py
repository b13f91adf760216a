"""How a model's recipe was chosen, as Markdown: for the model card and evaluation reports."""

from __future__ import annotations

from typing import Any


def selection_lines(selection: dict[str, Any] | None,
                    test_metrics: dict[str, Any] | None = None) -> list[str]:
    """A Markdown section from the manifest's ``extras["selection"]`` (empty without one):
    the cross-validation figure beside the baseline's, the test figure, and how."""
    if not selection:
        return []
    lines = ["## How this recipe was chosen", "", selection["how"], ""]
    cv = selection.get("cv")
    if cv:
        method, baseline = cv["method"], cv["baseline"]
        low, high = method.get("diff_95", (float("nan"), float("nan")))
        lines += [f"{cv['protocol']} over {cv['n']} articles (`{cv['results']}`, commit "
                  f"`{str(cv['commit'])[:12]}`, {cv['cpu']}):", "",
                  "| | accuracy | macro-F1 |", "|---|---|---|",
                  f"| this recipe (`{method['name']}`) | {100 * method['accuracy']:.2f} | "
                  f"{100 * method['macro_f1']:.2f} |",
                  f"| baseline (`{baseline['name']}`) | {100 * baseline['accuracy']:.2f} | "
                  f"{100 * baseline['macro_f1']:.2f} |", "",
                  f"Accuracy difference {100 * method.get('diff_vs_baseline', 0.0):+.2f} points, "
                  f"paired bootstrap 95% interval ({100 * low:+.2f}, {100 * high:+.2f}).", ""]
    elif selection.get("cv_missing"):
        lines += [f"No cross-validation figures: {selection['cv_missing']}.", ""]
    if test_metrics and "accuracy" in test_metrics:
        lines += [f"Test split (read once): accuracy {100 * test_metrics['accuracy']:.2f}, "
                  f"macro-F1 {100 * test_metrics.get('macro_f1', float('nan')):.2f} "
                  f"(n={test_metrics.get('n', '?')}).", ""]
    return lines

"""The packages' import graph: no cycles, ``metrics/`` a leaf, every module importable alone.

What counts as an edge (read from the source with ``ast``, nothing is imported):

- every ``import`` / ``from ... import`` statement anywhere in a module: at module level,
  inside functions (lazy imports) and under ``if TYPE_CHECKING:``. A lazy import only
  delays a cycle; it is still one module needing the other.
- ``from a.b import c`` is an edge to ``a.b.c`` when that is a module, else to ``a.b``.
- importing ``a.b.c`` also runs the ``__init__`` of ``a`` and ``a.b``, so those are edges
  too, except the importer's own packages (they are already running when it is imported).
- a name of the lazy facade ``newsdesk.__init__`` (``from newsdesk import TopicClassifier``)
  is an edge to the module the facade loads it from. Other imports by computed name
  (``importlib.import_module``: the CLI's command modules) are not edges, nor is the task
  registry's ``Task.model_class``, a facade name looked up when a model is loaded:
  ``newsdesk.tasks`` sits below the manifest that the model classes import, and imports
  none of them.
"""

from __future__ import annotations

import ast
import graphlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import newsdesk
import newsdesk_train

PACKAGES = {"newsdesk": Path(newsdesk.__path__[0]),
            "newsdesk_train": Path(newsdesk_train.__path__[0])}
#: The facade's lazy names: ``from newsdesk import X`` loads ``FACADE[X]``.
FACADE: dict[str, str] = dict(newsdesk.LAZY_IMPORTS)

Edges = dict[str, dict[str, int]]  # importer -> {imported module: first line}


def module_files() -> dict[str, Path]:
    """Every module of both packages by dotted name (``a/__init__.py`` is ``a``)."""
    modules = {}
    for package, root in PACKAGES.items():
        for path in sorted(root.rglob("*.py")):
            parts = [package, *path.relative_to(root).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imported_names(node: ast.Import | ast.ImportFrom, module: str,
                   is_package: bool) -> Iterator[str]:
    """The dotted names one import statement asks for (relative imports resolved)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        anchor = module.split(".")[:len(module.split(".")) - node.level + is_package]
        base = ".".join([*anchor, *([node.module] if node.module else [])])
    for alias in node.names:
        if base == "newsdesk" and alias.name in FACADE:
            yield FACADE[alias.name]
        else:
            yield f"{base}.{alias.name}"


def import_graph() -> Edges:
    """Each module's edges to the package modules it imports (see the module docstring)."""
    modules = module_files()
    graph: Edges = {}
    for module, path in modules.items():
        edges: dict[str, int] = {}
        own_packages = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 2)}
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for name in imported_names(node, module, path.name == "__init__.py"):
                while name and name not in modules:  # a name inside a module: the module
                    name = name.rpartition(".")[0]
                parts = name.split(".") if name else []
                for i in range(1, len(parts) + 1):  # the module and the packages it runs
                    target = ".".join(parts[:i])
                    if target not in own_packages:
                        edges.setdefault(target, node.lineno)
        graph[module] = edges
    return graph


def describe_cycle(cycle: list[str], graph: Edges, files: dict[str, Path]) -> str:
    """``a (a.py:12) -> b (b.py:30) -> a``: each step with the line of its import."""
    steps = [f"{a} ({files[a].name}:{graph[a][b]})" for a, b in zip(cycle, cycle[1:])]
    return " -> ".join([*steps, cycle[-1]])


def find_cycle(graph: Edges) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]`` (a imports b ...), or None."""
    try:  # graphlib reads the edges as "depends on": a cycle it reports runs backwards
        graphlib.TopologicalSorter({m: set(e) for m, e in graph.items()}).prepare()
    except graphlib.CycleError as error:
        return list(reversed(error.args[1]))
    return None


def test_no_import_cycles() -> None:
    graph = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + describe_cycle(cycle, graph, module_files())


def test_find_cycle_names_a_lazy_cycle() -> None:
    graph: Edges = {"p.a": {"p.b": 3}, "p.b": {"p.c": 9}, "p.c": {"p.a": 40}}
    cycle = find_cycle(graph)
    assert cycle is not None and len(cycle) == 4 and cycle[0] == cycle[-1]
    assert all(b in graph[a] for a, b in zip(cycle, cycle[1:]))
    assert find_cycle({"p.a": {"p.b": 3}, "p.b": {}}) is None


def test_edges_count_lazy_imports_and_the_packages_they_run() -> None:
    graph = import_graph()
    # a function-level import and the package __init__ it runs first
    assert "newsdesk.manifest" in graph["newsdesk.batch"]  # in load_classifier
    assert "newsdesk.data" in graph["newsdesk.batch"]  # via newsdesk.data.readers
    # a module's own packages are not edges (they are running already)
    assert "newsdesk.data" not in graph["newsdesk.data.sources"]


def test_metrics_import_nothing_else_from_the_package() -> None:
    graph = import_graph()
    metrics = {m: e for m, e in graph.items() if m.startswith("newsdesk.metrics")}
    assert "newsdesk.metrics.summary" in metrics
    outside = {f"{m} -> {t} (line {line})" for m, e in metrics.items() for t, line in e.items()
               if not t.startswith("newsdesk.metrics")}
    assert not outside, "metrics/ must depend on nothing else in newsdesk: " + \
        ", ".join(sorted(outside))


def test_inference_package_never_imports_training() -> None:
    graph = import_graph()
    found = {f"{m} -> {t}" for m, e in graph.items() if m.startswith("newsdesk.")
             for t in e if t.startswith("newsdesk_train")}
    assert not found, ", ".join(sorted(found))


def reachable(graph: Edges, start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_runtime_does_not_depend_on_evaluation() -> None:
    graph = import_graph()
    runtime = ("newsdesk.batch", "newsdesk.ray_engine", "newsdesk.classifier",
               "newsdesk.desk", "newsdesk.summarize")
    found = {f"{m} -> {t}" for m in runtime for t in reachable(graph, m)
             if t.startswith("newsdesk.evaluation")}
    assert not found, ", ".join(sorted(found))


#: Run in one fresh interpreter: import each module with no newsdesk module loaded before
#: it (third-party libraries stay loaded, which is what keeps this to seconds).
IMPORT_EACH = """
import importlib, json, sys
failed = {}
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.split(".")[0] in ("newsdesk", "newsdesk_train")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as error:
        failed[name] = f"{type(error).__name__}: {error}"
print(json.dumps(failed))
"""


def test_each_module_imports_alone() -> None:
    modules = sorted(module_files())
    out = subprocess.run([sys.executable, "-c", IMPORT_EACH, *modules], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    failed = json.loads(out.stdout.strip().splitlines()[-1])
    assert not failed, "\n".join(f"{name}: {why}" for name, why in failed.items())

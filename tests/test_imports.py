"""The modules of polls import each other one way only: no import cycles.

The graph is read from the source with ``ast``: every ``import polls...`` and
``from polls... import ...`` (also relative ones), at module level and inside functions and
methods alike, since a function-level import between two polls modules still ties them together.
Imports under ``if TYPE_CHECKING:`` never run and are left out. Imports of other libraries
(deferred to keep ``import polls`` light) are no concern here.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: Edges that close a cycle and are kept on purpose: (importer, imported) -> the reason.
#: Each is a function-level import; remove an entry when its import goes.
KNOWN_CYCLES: dict[tuple[str, str], str] = {
    ("polls.datasets", "polls"): (
        "DatasetInfo.citation() reads polls.__version__; the root package is always loaded "
        "before any of its modules runs"
    ),
    ("polls.report", "polls"): (
        "build_report() reads polls.__version__ and the kernel path from polls.__file__ (the "
        "root package, loaded before any of its modules)"
    ),
    ("polls.datasets._user", "polls.datasets"): (
        "save_dataset() checks a name against the catalogue of its own package"
    ),
    ("polls.design.replicate", "polls.design._taylor"): (
        "a replicate design reads its full-sample weights by SurveyDesign's rule "
        "(_read_weights), while SurveyDesign.to_replicate() builds a replicate design"
    ),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(SRC.glob("polls/**/*.py"))}


def _owner(name: str) -> str:
    """The module a dotted name lives in: ``polls.change.lead`` -> ``polls.change``."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _type_checking_only(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    return skipped


def _targets(node: ast.AST, package: str) -> list[str]:
    """The polls modules one import statement loads."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            parts = package.split(".")
            root = ".".join(parts[: len(parts) - node.level + 1] + [node.module or ""]).rstrip(".")
        else:
            root = node.module or ""
        names = [f"{root}.{a.name}" if f"{root}.{a.name}" in MODULES else root
                 for a in node.names]
    else:
        return []
    return [_owner(name) for name in names if name.split(".")[0] == "polls"]


def import_edges() -> dict[str, dict[str, int]]:
    """importer -> {imported: line of the first such import} (a fresh copy each call)."""
    return {name: dict(targets) for name, targets in _read_edges().items()}


@functools.cache
def _read_edges() -> dict[str, dict[str, int]]:
    edges: dict[str, dict[str, int]] = {name: {} for name in MODULES}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        skipped = _type_checking_only(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            for target in _targets(node, package):
                if target != name:
                    edges[name].setdefault(target, node.lineno)
    return edges


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_module_and_function_level_imports():
    edges = import_edges()
    assert "polls.intervals" in edges["polls"]  # module level, in the package's __init__
    assert "polls._summaries" in edges["polls.results"]  # inside a method
    assert "polls.design._util" in edges["polls.design._taylor"]  # module level, in a subpackage


@pytest.mark.parametrize(("statement", "targets"), [
    ("from ._util import codes", ["polls.design._util"]),
    ("from . import replicate", ["polls.design.replicate"]),
    ("from .. import change", ["polls.change"]),
    ("from ..intervals import proportion_ci", ["polls.intervals"]),
    ("import polls.change as change", ["polls.change"]),
    ("from polls import proportion_ci", ["polls"]),
    ("import numpy", []),
])
def test_relative_and_aliased_imports_are_resolved(statement, targets):
    assert _targets(ast.parse(statement).body[0], "polls.design") == targets


def test_a_cycle_is_found():
    edges = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert cycles(edges) == [["a", "b", "c"]]
    assert cycles({"a": {"b": 1}, "b": {}}) == []


def test_polls_modules_import_each_other_without_cycles():
    edges = import_edges()
    for importer, imported in KNOWN_CYCLES:
        edges[importer].pop(imported, None)
    found = cycles(edges)
    described = [
        " ; ".join(f"{a} (line {edges[a][b]}) -> {b}" for a in comp for b in edges[a] if b in comp)
        for comp in found
    ]
    assert found == [], "import cycles: " + " | ".join(described)


@pytest.mark.parametrize(("importer", "imported"), sorted(KNOWN_CYCLES))
def test_each_known_cycle_still_exists_and_closes_a_cycle(importer, imported):
    edges = import_edges()
    assert imported in edges[importer], f"{importer} no longer imports {imported}: drop the entry"
    others = {k: {t: n for t, n in v.items() if (k, t) not in KNOWN_CYCLES}
              for k, v in edges.items()}
    others[importer][imported] = edges[importer][imported]
    assert any(importer in comp and imported in comp for comp in cycles(others)), (
        f"{importer} -> {imported} closes no cycle: drop the entry"
    )

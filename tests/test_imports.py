"""Every module imports on its own, and the import graph has no cycle (walked over the source with ast)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reportgen"


def _modules() -> dict[str, tuple[Path, bool]]:
    """``{dotted name: (file, is a package)}`` for every module of reportgen."""
    out: dict[str, tuple[Path, bool]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return out


MODULES = _modules()


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The reportgen modules an import statement loads (the nearest module for ``from x import name``)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = module.split(".") if is_package else module.split(".")[:-1]
        if node.level:
            base = base[: len(base) - node.level + 1]
        else:
            base = []
        stem = ".".join(base + ([node.module] if node.module else []))
        names = [f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in MODULES else stem for alias in node.names]
    out = []
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name and name != module:
            out.append(name)
    return out


def _runtime_imports(module: str) -> set[str]:
    """What ``module`` imports when it runs, at the top or inside a function; ``if TYPE_CHECKING`` never runs."""
    path, is_package = MODULES[module]
    found: set[str] = set()

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    walk_one(other)
                continue
            walk_one(child)

    def walk_one(node: ast.AST) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.update(_targets(module, is_package, node))
        else:
            walk(node)

    walk(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(frozenset(group))

    for v in graph:
        if v not in index:
            visit(v)
    return groups


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "reportgen.__main__"))  # __main__ runs the CLI
def test_every_module_imports(module: str) -> None:
    importlib.import_module(module)


def test_no_import_cycle_at_module_level() -> None:
    graph = {m: set() for m in MODULES}
    for module, (path, is_package) in MODULES.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                graph[module].update(_targets(module, is_package, node))
    assert _cycles(graph) == []


def test_no_import_cycle_at_all() -> None:
    """Not even through an import inside a function: a lazy import that closes a cycle hides a layering
    mistake (the stage below reaching up), so it is fixed by moving the shared piece down or passing it in."""
    assert _cycles({m: _runtime_imports(m) for m in MODULES}) == []


def test_the_cycle_finder_finds_a_lazy_cycle() -> None:
    """The walk sees an import inside a function (and skips ``if TYPE_CHECKING``), so the test above can fail."""
    graph = {m: _runtime_imports(m) for m in MODULES}
    assert "reportgen.batch.cluster" in graph["reportgen.batch.run"]  # imported inside a function only
    assert "reportgen.batch.run" not in graph["reportgen.batch.index"]  # imported for type checking only
    graph["reportgen.batch.worker"] = graph["reportgen.batch.worker"] | {"reportgen.batch.run"}
    assert {"reportgen.batch.run", "reportgen.batch.worker"} <= set().union(*_cycles(graph))

"""The modules of ``clas_bilan`` import one another without a circle, deferred imports included.

Every ``import`` of a ``clas_bilan`` module counts, wherever it stands in the file: at the top,
inside a function (a deferred import that dodges an import-time circle is still a circle: the
module needs the other one to work), inside ``try``. An import names the deepest module it
reaches (``from clas_bilan import form`` is ``clas_bilan.form``); the packages Python runs on
the way (``clas_bilan.campaigns`` for ``clas_bilan.campaigns.campaign``) are not counted, a
package's ``__init__`` importing its own modules being how it shows them.

The campaign registry imports its ``bilan_*`` modules by a computed name (``importlib``): those
count as imports of every such module of the package.

Imports under ``if TYPE_CHECKING:`` are left out: they never run, and they are how a lower
layer names the type of a value a higher layer hands it (the models take a campaign to
describe themselves for it; the campaign, made of the form's blocks and an answers model,
sits above both).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

import clas_bilan

PACKAGE = Path(clas_bilan.__file__).parent


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["clas_bilan", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()
REGISTRY = "clas_bilan.campaigns"
FOUND_BY_NAME = {REGISTRY: [name for name in MODULES if name.startswith(f"{REGISTRY}.bilan_")]}
"""The modules a module imports by a computed name: the registry, its campaigns."""


def _type_checking_only(tree: ast.Module) -> set[ast.AST]:
    """The nodes under an ``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``)."""
    hidden: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for child in node.body:
                hidden.update(ast.walk(child))
    return hidden


def _deepest(name: str) -> str | None:
    """The deepest module of the package a dotted name reaches, None outside it."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported(module: str, source: str, *, package: bool = False) -> Iterator[tuple[str, int]]:
    """Each package module ``module`` imports, anywhere in its source, with the line."""
    tree = ast.parse(source)
    hidden = _type_checking_only(tree)
    anchor = module if package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if node in hidden:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = anchor.rsplit(".", node.level - 1)[0] if node.level > 1 else anchor
                base = f"{parent}.{base}" if base else parent
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            target = _deepest(name)
            if target is not None and target != module:
                yield target, node.lineno


def _graph() -> dict[str, dict[str, int]]:
    """Each module's imports of package modules, with the line of the first."""
    graph: dict[str, dict[str, int]] = {}
    for module, path in MODULES.items():
        edges = graph.setdefault(module, {})
        source = path.read_text(encoding="utf-8")
        for target, line in _imported(module, source, package=path.name == "__init__.py"):
            edges.setdefault(target, line)
        for target in FOUND_BY_NAME.get(module, ()):
            edges.setdefault(target, source[: source.index("import_module(")].count("\n") + 1)
    return graph


def _circles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Each group of modules that reach one another through imports (Tarjan's SCCs)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return groups


def _circle_in(group: list[str], graph: dict[str, dict[str, int]]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = group[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        module = queue.pop(0)
        for target in sorted(graph[module]):
            if target == start:
                return [*paths[module], start]
            if target in group and target not in paths:
                paths[target] = [*paths[module], target]
                queue.append(target)
    raise AssertionError(group)


def _shown(circle: list[str], graph: dict[str, dict[str, int]]) -> str:
    steps = [
        f"{module} (line {graph[module][target]}) -> {target}"
        for module, target in itertools.pairwise(circle)
    ]
    return "\n  ".join(steps)


def test_the_package_modules_import_one_another_without_a_circle() -> None:
    graph = _graph()
    circles = _circles(graph)
    assert not circles, "import circles:\n  " + "\n\n  ".join(
        f"{', '.join(group)}; one way round:\n  {_shown(_circle_in(group, graph), graph)}"
        for group in circles
    )


def test_the_checker_sees_deferred_imports_and_finds_a_circle() -> None:
    """The checker: a function-level import closing a loop is a circle, a typing one is not."""
    deferred = "import os\n\ndef f():\n    from clas_bilan import form, models\n"
    assert sorted(_imported("clas_bilan.keys", deferred)) == [
        ("clas_bilan.form", 4),
        ("clas_bilan.models", 4),
    ]
    relative = "from . import fields\nfrom ..form import Block\n"
    assert sorted(_imported("clas_bilan.docx", relative, package=True)) == [
        ("clas_bilan.docx.fields", 1),
        ("clas_bilan.form", 2),
    ]
    assert list(_imported("clas_bilan.docx.fill", "from ..form import Block\n")) == [
        ("clas_bilan.form", 1)
    ]
    typed = "import typing\nif typing.TYPE_CHECKING:\n    from clas_bilan.models import Reponses\n"
    assert list(_imported("clas_bilan.keys", typed)) == []
    graph = {"a": {"b": 1}, "b": {"c": 3}, "c": {"a": 12}, "d": {"a": 2}}
    assert _circles(graph) == [["a", "b", "c"]]
    assert _circle_in(["a", "b", "c"], graph) == ["a", "b", "c", "a"]
    assert _circles({"a": {"b": 1}, "b": {}}) == []

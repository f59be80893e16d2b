"""The package's layering, read from the source: no import cycles, Kafka only under the runtime.

Imports are read with `ast`, including those inside functions (a lazy import still couples two
modules: it only hides the cycle from the interpreter until the function runs).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("streams", "schemas")
KAFKA = ("faust", "mode", "aiokafka")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _imported(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """(module named, line) of every import statement in a module, at any depth."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # `from package import module` imports the submodule (the package's `__init__` runs
            # first, as for any submodule import; that alone is not a dependency on the package).
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                yield (submodule if submodule in _modules() else module), node.lineno


@cache
def _graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (a package's `__init__` stands for the package)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for imported, _ in _imported(name, path):
            if imported in modules and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = _pop_component(node, stack, on_stack)
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _pop_component(root: str, stack: list[str], on_stack: set[str]) -> list[str]:
    """Pop a strongly connected component off Tarjan's stack: the nodes down to its root."""
    component: list[str] = []
    while True:
        top = stack.pop()
        on_stack.discard(top)
        component.append(top)
        if top == root:
            return component


def _is_package_of(package: str, module: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_import_reader_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text(
        "import faust.web\n"
        "def f():\n"
        "    from streams.cli import main, ops\n"
        "    from . import common\n"
        "    from ..core.ids import article_id\n"
    )
    assert list(_imported("streams.cli.mod", path)) == [
        ("faust.web", 1),
        ("streams.cli", 3),
        ("streams.cli.ops", 3),
        ("streams.cli.common", 4),
        ("streams.core.ids", 5),
    ]
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_two_modules_import_each_other() -> None:
    graph = _graph()
    pairs = sorted(
        (a, b) for a, targets in graph.items() for b in targets if a < b and a in graph.get(b, ())
    )
    assert not pairs, f"modules importing each other: {pairs}"


def test_no_import_cycles() -> None:
    # A package's `__init__` importing its own submodules (to re-export them) is not a cycle
    # unless a submodule imports the package back, which the graph sees as `pkg` <-> `pkg.mod`.
    assert not _cycles(_graph()), "import cycles (each list is one strongly connected set)"


def test_only_the_runtime_imports_kafka() -> None:
    offenders = [
        f"{name}:{line} imports {imported}"
        for name, path in _modules().items()
        if not _is_package_of("streams.runtime", name)
        for imported, line in _imported(name, path)
        if imported.split(".")[0] in KAFKA
    ]
    assert not offenders


def test_pure_code_never_imports_the_runtime_or_the_cli() -> None:
    pure = ("streams.core", "streams.stages", "schemas")
    forbidden = ("streams.runtime", "streams.cli")
    offenders = [
        f"{name}:{line} imports {imported}"
        for name, path in _modules().items()
        if any(_is_package_of(p, name) for p in pure)
        for imported, line in _imported(name, path)
        if any(_is_package_of(f, imported) for f in forbidden)
    ]
    assert not offenders

"""The shape of the house, read from the source: no import circles, no private names across
packages, and a top level that holds only wiring and the stage packages (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
TOP_LEVEL = {"__init__", "__main__", "app", "cli", "clock", "config", "errors", "resources", "datafiles",
             "logs", "signals", "loop",
             "commands", "device", "dialog", "nlu", "speech", "store"}
"""Wiring (cli, app, config, clock, the voice loop and the small shared helpers) and the packages."""


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import in the file, TYPE_CHECKING ones too."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append((submodule, []) if submodule in known else (base, [alias.name]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
    return [(module, names) for module, names in found if module in known and module != name]


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {module for module, _ in imports(name, path, known)} for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_the_cycle_finder_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_of_assistant_has_no_circle() -> None:
    edges = graph()
    assert len(edges) > 60 and sum(map(len, edges.values())) > 150, "the import scan found too little"
    assert cycles(edges) == []


def test_no_module_imports_a_private_name_of_another_package() -> None:
    known = modules()
    offending = []
    for name, path in known.items():
        own = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for module, names in imports(name, path, known):
            other = module if known[module].name == "__init__.py" else module.rpartition(".")[0]
            private = [n for n in names if n.startswith("_")]
            if private and other != own:
                offending.append(f"{name} imports {private} from {module}")
            if module.rpartition(".")[2].startswith("_") and other != own:
                offending.append(f"{name} imports the private module {module}")
    assert offending == []


def test_the_top_level_holds_only_wiring_and_the_stage_packages() -> None:
    entries = {p.stem for p in PACKAGE.iterdir() if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))}
    assert entries == TOP_LEVEL

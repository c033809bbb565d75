"""The shape of genenorm_edu.grading: small modules, no cycles, no upward imports, judging without nbgrader."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "genenorm_edu"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (imports inside functions count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


GRADING = sorted((PACKAGE / "grading").rglob("*.py"))


@pytest.mark.parametrize("path", GRADING, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_grading_module_is_over_400_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400


@pytest.mark.parametrize("path", sorted((PACKAGE / "exercises").glob("*.py")) + [PACKAGE / "feedback.py"])
def test_exercises_and_feedback_never_import_the_grader(path):
    assert not [name for name in _imports(path) if name.startswith("genenorm_edu.grading")]


@pytest.mark.parametrize(
    "name", ["judging", "plan", "calls", "codec", "channel", "policy", "cells", "sandbox", "hidden"]
)
def test_grading_logic_does_not_import_nbgrader(name):
    imported = _imports(PACKAGE / "grading" / f"{name}.py")
    assert not [module for module in imported if module.split(".")[0] == "nbgrader"]


def _in_cycles(graph: dict[str, set[str]]) -> list[str]:
    """Modules on an import cycle (a package importing its own submodules is no cycle)."""

    def related(a: str, b: str) -> bool:
        return a.startswith(b + ".") or b.startswith(a + ".")

    def reaches(start: str, node: str, seen: set[str]) -> bool:
        for nxt in graph.get(node, ()):
            if nxt == start:
                return True
            if nxt not in seen and not related(start, nxt):
                seen.add(nxt)
                if reaches(start, nxt, seen):
                    return True
        return False

    return sorted(name for name in graph if reaches(name, name, set()))


def test_the_cycle_finder_finds_cycles():
    assert _in_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c"]
    assert _in_cycles({"p": {"p.x"}, "p.x": {"p"}}) == []


def test_grading_modules_import_each_other_without_cycles():
    graph = {}
    for path in GRADING:
        name = _module_name(path)
        graph[name] = {other for other in _imports(path) if other.startswith("genenorm_edu.grading")}
    known = set(graph)
    graph = {
        name: {dep if dep in known else dep.rsplit(".", 1)[0] for dep in deps} & known - {name}
        for name, deps in graph.items()
    }
    assert _in_cycles(graph) == []

"""The shape of genenorm_edu: small modules, no cycles, no upward imports, judging without nbgrader."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from genenorm_edu.grading.policy import SECRET_PATHS

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


MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 400


def _relative(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


def test_the_package_has_the_modules_it_is_known_by():
    names = {_module_name(path) for path in MODULES}
    assert {"genenorm_edu.grading.sandbox", "genenorm_edu.feedback", "genenorm_edu.reference"} <= names
    assert {"genenorm_edu.exercises.lesson2", "genenorm_edu.medians.workflow", "genenorm_edu.data.load"} <= names


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_no_module_is_over_400_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


@pytest.mark.parametrize(
    "path",
    sorted((PACKAGE / "exercises").rglob("*.py")) + sorted((PACKAGE / "feedback").rglob("*.py")),
    ids=_relative,
)
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


def _import_graph(paths: list[Path], prefix: str) -> dict[str, set[str]]:
    """Module -> the modules under ``prefix`` it imports (``from m import f`` counts as m)."""
    graph = {_module_name(path): {other for other in _imports(path) if other.startswith(prefix)} for path in paths}
    known = set(graph)
    return {
        name: {dep if dep in known else dep.rsplit(".", 1)[0] for dep in deps} & known - {name}
        for name, deps in graph.items()
    }


def test_package_modules_import_each_other_without_cycles():
    """grading/, exercises/, feedback/, medians/... and across them."""
    graph = _import_graph(MODULES, "genenorm_edu")
    assert {"genenorm_edu.feedback", "genenorm_edu.exercises.spec"} <= graph["genenorm_edu.exercises.lesson3.ranks"]
    assert _in_cycles(graph) == []


def _upward_imports(name: str, source: str, known: set[str]) -> list[str]:
    """What module ``name`` takes from the ``__init__`` of a package above it (its submodules aside)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and name.startswith(node.module + "."):
            found += [f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" not in known]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if name.startswith(alias.name + ".")]
    return found


KNOWN = {_module_name(path) for path in MODULES}


def test_the_upward_import_finder_finds_them():
    name = "genenorm_edu.exercises.lesson3.ranks"
    assert _upward_imports(name, "from genenorm_edu.exercises import lesson1, spec\n", KNOWN) == []
    assert _upward_imports(name, "from genenorm_edu.exercises.lesson3 import provided\n", KNOWN) == []
    above = "from genenorm_edu.exercises import EXERCISES\ndef f():\n    from genenorm_edu.exercises.lesson3 import QNORM\n"
    assert _upward_imports(name, above, KNOWN) == [
        "genenorm_edu.exercises.EXERCISES",
        "genenorm_edu.exercises.lesson3.QNORM",
    ]
    assert _upward_imports(name, "import genenorm_edu.exercises\n", KNOWN) == ["genenorm_edu.exercises"]


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_no_module_imports_from_a_package_above_it(path):
    assert _upward_imports(_module_name(path), path.read_text(encoding="utf-8"), KNOWN) == []


def test_every_secret_module_and_its_compiled_copy_lie_in_a_hidden_folder():
    """The sandbox hides SECRET_PATHS; a hidden file would leave its ``__pycache__`` copy readable beside it."""
    secret_modules = [path for secret in SECRET_PATHS for path in ([secret] if secret.is_file() else secret.rglob("*.py"))]
    assert {"lesson3.py", "hidden.py"} <= {path.name for path in secret_modules}
    for path in secret_modules:
        compiled = Path(importlib.util.cache_from_source(str(path)))
        assert any(secret in compiled.parents for secret in SECRET_PATHS), path


def test_imports_are_absolute():
    """The checks above read absolute imports: a relative one would slip past them."""
    relative = [
        f"{_relative(path)}:{node.lineno}"
        for path in MODULES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.level
    ]
    assert relative == []

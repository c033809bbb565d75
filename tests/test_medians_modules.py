"""medians/ stays changeable: small modules, imports in one direction, a cheap command module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import genenorm_edu.medians

PACKAGE = Path(genenorm_edu.medians.__file__).parent
MAX_LINES = 400


def _imports(path: Path) -> set[str]:
    """The medians modules ``path`` imports (at any level of the file)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("genenorm_edu.medians"):
            parts = node.module.split(".")
            found.update([parts[2]] if len(parts) > 2 else [alias.name for alias in node.names])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[2] for a in node.names if a.name.startswith("genenorm_edu.medians."))
    return found - {path.stem}


def test_no_module_is_longer_than_a_newcomer_can_read():
    lengths = {path.name: len(path.read_text().splitlines()) for path in PACKAGE.glob("*.py")}
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}


def test_modules_import_each_other_without_cycles():
    graph = {path.stem: _imports(path) for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    assert graph["workflow"] >= {"tasks", "executors", "discovery"}  # the walk below sees real edges
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in done or module not in graph:
            return
        for imported in sorted(graph[module]):
            visit(imported, (*path, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())


def test_the_driver_never_looks_at_file_name_endings():
    """Only the registry of readers (formats) maps a file name to a reader."""
    for path in PACKAGE.glob("*.py"):
        if path.stem in ("formats", "corpus"):  # the registry; the generator names what it writes
            continue
        text = path.read_text()
        assert '".loom"' not in text and '".h5ad"' not in text and ".suffix" not in text, path.name


def test_the_command_module_imports_no_numerical_library():
    code = (
        "import sys, genenorm_edu.medians.command\n"
        "heavy = [m for m in ('numpy', 'h5py', 'crick', 'distributed', 'anndata') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""

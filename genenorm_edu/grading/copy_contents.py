"""What the students' copy of the course holds: library files, notebooks, the corpus writer.

The copy leaves out the grader and the reference solutions
(:data:`~genenorm_edu.grading.kernel.SECRET_PATHS`), the production code that
computes graded exercises' answers (:data:`ANSWERING_PATHS`), the median
workflow but for the synthetic corpus lesson 4 reads
(:data:`STUDENT_MEDIANS_MODULES`), and the notebook cells tagged
:data:`FULL_CHECKOUT_TAG`. :mod:`genenorm_edu.grading.bundle` writes the copy.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import TYPE_CHECKING

from genenorm_edu.grading.kernel import PACKAGE_DIR, SECRET_PATHS

if TYPE_CHECKING:
    import nbformat

__all__ = [
    "ANSWERING_PATHS",
    "FULL_CHECKOUT_TAG",
    "MEDIANS_DIR",
    "STUDENT_MEDIANS_MODULES",
    "student_library_files",
    "student_medians_init",
    "student_notebook",
]

#: Production code that computes graded exercises' answers (``rpkm``, ``qnorm``):
#: the course repository keeps it, the student copy leaves it out.
ANSWERING_PATHS = (PACKAGE_DIR / "normalization.py",)

#: The median workflow: researcher tooling, whose per-file step computes lesson
#: 4's ``nonzero_normalized``. The student copy leaves it out...
MEDIANS_DIR = PACKAGE_DIR / "medians"

#: ...but for these modules (and the medians modules they import at module
#: level): the synthetic corpus lesson 4 reads.
STUDENT_MEDIANS_MODULES = ("corpus",)

#: Notebook cells tagged so use what the student copy leaves out (the library's
#: own per-file step, the whole workflow): the copy's notebooks do not have them.
FULL_CHECKOUT_TAG = "full-checkout-only"


def _medians_imports(module: Path) -> set[str]:
    """The ``genenorm_edu.medians`` modules that ``module`` imports at module level."""
    prefix = f"{PACKAGE_DIR.name}.{MEDIANS_DIR.name}."
    found = set()
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(prefix):
            found.add(node.module[len(prefix):].split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module == prefix[:-1]:  # from ...medians import corpus
            found |= {alias.name for alias in node.names if (MEDIANS_DIR / f"{alias.name}.py").is_file()}
        elif isinstance(node, ast.Import):
            found |= {alias.name[len(prefix):].split(".")[0] for alias in node.names if alias.name.startswith(prefix)}
    return found


def _student_medians_modules(medians_dir: Path = MEDIANS_DIR) -> list[str]:
    """:data:`STUDENT_MEDIANS_MODULES` and the medians modules they need, sorted."""
    wanted, todo = set(), list(STUDENT_MEDIANS_MODULES)
    while todo:
        name = todo.pop()
        if name not in wanted and (medians_dir / f"{name}.py").is_file():
            wanted.add(name)
            todo += sorted(_medians_imports(medians_dir / f"{name}.py"))
    return sorted(wanted)


def student_library_files(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The files of the library that the student copy holds, relative to ``package_dir``.

    Everything but the grader and the reference solutions
    (:data:`~genenorm_edu.grading.kernel.SECRET_PATHS`), the code that computes
    answers (:data:`ANSWERING_PATHS`), the median workflow (but for
    :data:`STUDENT_MEDIANS_MODULES`; the copy's ``medians/__init__.py`` is
    :func:`student_medians_init`'s) and caches.

    Examples
    --------
    >>> files = {path.as_posix() for path in student_library_files()}
    >>> "exercises/lesson1.py" in files, "medians/corpus.py" in files
    (True, True)
    >>> [name for name in ("normalization.py", "medians/digest.py") if name in files]
    []
    >>> any(name.startswith(("grading/", "reference/")) for name in files)
    False
    """
    package_dir = Path(package_dir).resolve()
    left_out = {path.resolve() for path in (*SECRET_PATHS, *ANSWERING_PATHS)}
    medians = package_dir / MEDIANS_DIR.name
    medians_kept = {medians / f"{name}.py" for name in _student_medians_modules(medians)}
    files = []
    for path in sorted(package_dir.rglob("*")):
        if not path.is_file() or any(part in ("__pycache__", ".ipynb_checkpoints") for part in path.parts):
            continue
        if path.name.endswith((".pyc", ".egg-info")) or ".egg-info" in str(path):
            continue
        if path in left_out or any(parent in left_out for parent in path.parents):
            continue
        if medians in path.parents and path not in medians_kept:
            continue
        files.append(path.relative_to(package_dir))
    return files


def _medians_exports(init: Path) -> dict[str, str]:
    """The course's ``medians/__init__.py`` table of public name -> defining module (``_EXPORTS``)."""
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "_EXPORTS" for target in node.targets):
            return ast.literal_eval(node.value)
    raise ValueError(f"{init} has no _EXPORTS table of the names it exports")


def student_medians_init(medians_dir: Path = MEDIANS_DIR) -> str:
    """The student copy's ``genenorm_edu/medians/__init__.py``: the corpus writer's names only.

    It re-exports the names that the course's ``medians/__init__.py`` takes
    from the modules the copy keeps.
    """
    kept = set(_student_medians_modules(medians_dir))
    exports = _medians_exports(medians_dir / "__init__.py")
    by_module: dict[str, list[str]] = {}
    for name, module in sorted(exports.items()):
        if module in kept:
            by_module.setdefault(module, []).append(name)
    prefix = f"{PACKAGE_DIR.name}.{MEDIANS_DIR.name}."
    lines = [f"from {prefix}{module} import {', '.join(names)}" for module, names in sorted(by_module.items())]
    names = [name for module_names in by_module.values() for name in module_names]
    exported = "".join(f"    {json.dumps(name)},\n" for name in sorted(names))
    return (
        '"""Synthetic single-cell ``.loom`` files: the corpus of lesson 4.\n\n'
        "This is the student copy of the course: the non-zero median workflow itself\n"
        "(digests, merge, the ``genenorm-edu medians`` command) is researcher tooling\n"
        "that comes with the course repository, not with this copy. Lesson 4 builds\n"
        'its own per-file step from your functions.\n"""\n\n'
        + "\n".join(lines)
        + f"\n\n__all__ = [\n{exported}]\n"
    )


def student_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A released notebook as the student copy holds it: without its :data:`FULL_CHECKOUT_TAG` cells."""
    import nbformat  # here, not at the top: `genenorm-edu student-bundle --help` stays fast

    kept = [cell for cell in notebook.cells if FULL_CHECKOUT_TAG not in cell.metadata.get("tags", [])]
    return nbformat.from_dict({**notebook, "cells": kept})

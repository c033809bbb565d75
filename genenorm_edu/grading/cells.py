"""Which cell of a course notebook is what: answer cells and test cells of exercises.

Course notebooks follow one naming rule: the answer cell of exercise
``name`` has grade id ``name``; its test cells have grade ids
``test_<name>_visible`` and ``test_<name>_hidden``. Students' notebooks do
not always keep the metadata (cells get duplicated, metadata edited), so
:func:`answer_sources` also finds an answer by its cell id and, last, by the
function it defines.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import nbformat

from genenorm_edu.exercises import EXERCISES

__all__ = ["GradedTest", "answer_sources", "graded_test", "nbgrader_metadata"]


@dataclass(frozen=True)
class GradedTest:
    """A test cell of an exercise.

    Attributes
    ----------
    exercise : str
        The exercise's name.
    hidden : bool
        Hidden tests (True) or visible tests (False).
    """

    exercise: str
    hidden: bool


_TEST_ID = re.compile(r"test_(?P<exercise>\w+)_(?P<kind>visible|hidden)")


def graded_test(grade_id: str | None) -> GradedTest | None:
    """The exercise test a grade id names, if any.

    Examples
    --------
    >>> graded_test("test_rpkm_hidden")
    GradedTest(exercise='rpkm', hidden=True)
    >>> graded_test("test_unknown_visible") is None, graded_test(None) is None
    (True, True)
    """
    match = _TEST_ID.fullmatch(grade_id or "")
    if match is None or match["exercise"] not in EXERCISES:
        return None
    return GradedTest(match["exercise"], match["kind"] == "hidden")


def nbgrader_metadata(cell: nbformat.NotebookNode) -> dict:
    """A cell's nbgrader metadata ({} when it has none, or none that is a dict)."""
    metadata = cell.get("metadata", {}).get("nbgrader", {})
    return metadata if isinstance(metadata, dict) else {}


def _defines(source: str, name: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:  # the cell is still the answer if it tries to define it
        return re.search(rf"^def\s+{re.escape(name)}\s*\(", source, re.MULTILINE) is not None
    return any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name
        for node in tree.body
    )


def answer_sources(notebook: nbformat.NotebookNode, name: str) -> list[str]:
    """The source of the answer cell(s) of exercise ``name``, in notebook order.

    In order of preference: the code cells whose nbgrader grade id is
    ``name`` (several when the student duplicated the cell: all of them, so
    that the last definition wins, as in the kernel); else the code cells
    whose cell id is ``name`` (metadata edited away); else the last code
    cell that defines a function ``name``.

    Examples
    --------
    >>> cell = nbformat.v4.new_code_cell("def rpkm(counts, gene_lengths):\\n    return 1")
    >>> answer_sources(nbformat.v4.new_notebook(cells=[cell]), "rpkm")
    ['def rpkm(counts, gene_lengths):\\n    return 1']
    """
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    by_grade_id = [cell.source for cell in code_cells if nbgrader_metadata(cell).get("grade_id") == name]
    if by_grade_id:
        return by_grade_id
    by_cell_id = [cell.source for cell in code_cells if cell.get("id") == name]
    if by_cell_id:
        return by_cell_id
    defining = [cell.source for cell in code_cells if _defines(cell.source, name)]
    return defining[-1:]


def exercises_in(notebook: nbformat.NotebookNode) -> list[str]:
    """Names of the exercises whose test cells the notebook holds, in order."""
    names: list[str] = []
    for cell in notebook.cells:
        test = graded_test(nbgrader_metadata(cell).get("grade_id"))
        if test is not None and test.exercise not in names:
            names.append(test.exercise)
    return names

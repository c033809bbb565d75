"""Which cell of a course notebook is what: answer cells and test cells of exercises.

Course notebooks follow one naming rule: the answer cell of exercise
``name`` has grade id ``name``; its test cells have grade ids
``test_<name>_visible`` and ``test_<name>_hidden``. Students' notebooks do
not always keep the metadata (cells get duplicated, metadata edited, the
function written in a new cell), so :func:`answer_sources` finds the answer
as the kernel does: the definition in effect when the test cells run.

A lesson's timings, memory pictures and plots are tagged
``demonstration`` (:func:`is_demonstration`): they earn no points, and the
grader does not run them.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import nbformat

from genenorm_edu.exercises import EXERCISES

__all__ = [
    "DEMONSTRATION_TAG",
    "GradedTest",
    "answer_sources",
    "graded_test",
    "is_demonstration",
    "nbgrader_metadata",
]

#: The cell tag of a lesson's demonstrations (timings, pictures, plots).
DEMONSTRATION_TAG = "demonstration"


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


def is_demonstration(cell: nbformat.NotebookNode) -> bool:
    """Whether ``cell`` is a code cell tagged as a demonstration, and no nbgrader cell.

    An nbgrader cell (answer or test) is never a demonstration, whatever
    its tags say.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell
    >>> is_demonstration(new_code_cell("plt.plot(x)", metadata={"tags": ["demonstration"]}))
    True
    >>> tagged_test = new_code_cell("check_exercise('rpkm', rpkm)", metadata={
    ...     "tags": ["demonstration"], "nbgrader": {"grade": True, "grade_id": "test_rpkm_visible"}})
    >>> is_demonstration(tagged_test), is_demonstration(new_code_cell("x = 1"))
    (False, False)
    """
    grading = nbgrader_metadata(cell)
    if cell.cell_type != "code" or grading.get("grade") or grading.get("solution"):
        return False
    tags = cell.get("metadata", {}).get("tags", [])
    return isinstance(tags, list) and DEMONSTRATION_TAG in tags


def _binds(node: ast.stmt, name: str) -> bool:
    """Whether a top-level statement binds ``name``: ``def name``, ``name = ...`` (a lambda...)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == name
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        targets = [node.target]
    else:
        return False
    return any(
        isinstance(target, ast.Name) and target.id == name
        for each in targets
        for target in ast.walk(each)
    )


def _defines(source: str, name: str) -> bool:
    """Whether a cell defines ``name`` at top level (``def``, or an assignment such as a lambda).

    Examples
    --------
    >>> _defines("rpkm = lambda counts, gene_lengths: counts", "rpkm"), _defines("x = rpkm(1)", "rpkm")
    (True, False)
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:  # the cell is still the answer if it tries to define it
        pattern = rf"^(def\s+{re.escape(name)}\s*\(|{re.escape(name)}\s*=[^=])"
        return re.search(pattern, source, re.MULTILINE) is not None
    return any(_binds(node, name) for node in tree.body)


def _first_test_position(notebook: nbformat.NotebookNode, name: str) -> int:
    """Index of the first test cell of exercise ``name`` (the notebook's length if none)."""
    for index, cell in enumerate(notebook.cells):
        test = graded_test(nbgrader_metadata(cell).get("grade_id"))
        if test is not None and test.exercise == name:
            return index
    return len(notebook.cells)


def answer_sources(notebook: nbformat.NotebookNode, name: str) -> list[str]:
    """The answer to exercise ``name``: the cell whose definition the test cells see.

    Run top to bottom, a notebook's test cells call the function defined by
    the last cell above them that defines it at top level. That cell is the
    answer, whatever its metadata says: the answer cell itself, the second
    copy of a duplicated answer cell, or a new cell where the student wrote
    the function (the test cells' position is found by their grade ids;
    without test cells, the whole notebook counts). A cell with a syntax
    error that tries to define the function counts too, so that the
    student is told about the error.

    Returns
    -------
    list of str
        The source of that cell, or an empty list if no cell defines it.

    Examples
    --------
    >>> stub = nbformat.v4.new_code_cell("def rpkm(counts, gene_lengths):\\n    raise NotImplementedError()")
    >>> mine = nbformat.v4.new_code_cell("def rpkm(counts, gene_lengths):\\n    return 1")
    >>> answer_sources(nbformat.v4.new_notebook(cells=[stub, mine]), "rpkm")
    ['def rpkm(counts, gene_lengths):\\n    return 1']
    """
    before_tests = notebook.cells[: _first_test_position(notebook, name)]
    defining = [
        cell.source
        for cell in before_tests
        if cell.cell_type == "code" and _defines(cell.source, name)
    ]
    return defining[-1:]


def exercises_in(notebook: nbformat.NotebookNode) -> list[str]:
    """Names of the exercises whose test cells the notebook holds, in order."""
    names: list[str] = []
    for cell in notebook.cells:
        test = graded_test(nbgrader_metadata(cell).get("grade_id"))
        if test is not None and test.exercise not in names:
            names.append(test.exercise)
    return names

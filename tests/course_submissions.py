"""Student submissions for the autograde tests of the course.

Each case starts from the released (student) notebook of an assignment and
edits it the way a student would: answer cells filled with the reference
solution, left untouched, filled with a typical mistake, or the test cells
tampered with. ``SUBMISSIONS[assignment][student_id]`` is a function that
edits a notebook in place.

Mistakes of different exercises of one assignment share a submission: each
exercise is scored by its own test cells, so one notebook can carry one
mistake per exercise, which keeps the number of (slow) notebook executions
down.
"""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Callable

import nbformat

Edit = Callable[[nbformat.NotebookNode], None]


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def answer_cells(notebook) -> dict[str, nbformat.NotebookNode]:
    """The autograded answer cells of a notebook, by grade id."""
    return {
        _nbgrader(cell)["grade_id"]: cell
        for cell in notebook.cells
        if _nbgrader(cell).get("solution") and not _nbgrader(cell).get("grade")
    }


def graded_cells(notebook) -> list[nbformat.NotebookNode]:
    """The autograded test cells of a notebook."""
    return [cell for cell in notebook.cells if _nbgrader(cell).get("grade")]


def answers(**sources: str) -> Edit:
    """An edit replacing the answer cell ``grade_id`` by ``source``."""

    def edit(notebook) -> None:
        cells = answer_cells(notebook)
        for grade_id, source in sources.items():
            cells[grade_id].source = textwrap.dedent(source).strip("\n")

    return edit


def with_solutions(solution_notebook) -> Edit:
    """An edit copying every answer cell of the instructor notebook."""
    solved = {grade_id: cell.source for grade_id, cell in answer_cells(solution_notebook).items()}
    return answers(**solved)


def edit_tests(notebook) -> None:
    """Replace every test cell by ``pass`` (the cells are locked: a cheat)."""
    for cell in graded_cells(notebook):
        cell.source = "pass"


def delete_tests(notebook) -> None:
    """Delete every test cell."""
    notebook.cells = [cell for cell in notebook.cells if not _nbgrader(cell).get("grade")]


def strip_metadata(notebook) -> None:
    """Blank the test cells, then remove all nbgrader metadata and locks."""
    for cell in notebook.cells:
        if _nbgrader(cell).get("grade"):
            cell.source = "pass"
        for key in ("nbgrader", "editable", "deletable"):
            cell.metadata.pop(key, None)


def chain(*edits: Edit) -> Edit:
    """One edit applying several in order."""

    def edit(notebook) -> None:
        for step in edits:
            step(notebook)

    return edit


# --- Lesson 1 -----------------------------------------------------------------

C_STRIDES_FORTRAN_ORDER = """
def c_strides(shape, itemsize):
    strides = []
    step = itemsize
    for length in shape:
        strides.append(step)
        step *= length
    return tuple(strides)
"""

C_STRIDES_IN_ELEMENTS = """
def c_strides(shape, itemsize):
    strides = []
    step = 1
    for length in reversed(shape):
        strides.append(step)
        step *= length
    return tuple(reversed(strides))
"""

C_STRIDES_MEMORIZED = """
def c_strides(shape, itemsize):
    known = {((3, 4), 8): (32, 8), ((2, 3, 4), 4): (48, 16, 4), ((5, 2), 2): (4, 2), ((), 8): ()}
    return known[(tuple(shape), itemsize)]
"""

C_STRIDES_INFINITE_LOOP = """
def c_strides(shape, itemsize):
    while True:
        pass
"""

SWALLOWS_KEYBOARD_INTERRUPT = """
import time

def c_strides(shape, itemsize):
    return tuple(itemsize * n for n in shape)

while True:
    try:
        time.sleep(0.05)
    except KeyboardInterrupt:
        pass
"""

# --- Lesson 2 -----------------------------------------------------------------

CLOSEST_TO_RETURNS_INDEX = """
def closest_to(x, value):
    return np.argmin(np.abs(x - value), axis=1)
"""

CLOSEST_TO_ARGMAX = """
def closest_to(x, value):
    column = np.argmax(np.abs(x - value), axis=1)
    return x[np.arange(x.shape[0]), column]
"""

RPKM_GENE_SUMS = """
def rpkm(counts, gene_lengths):
    totals = counts.sum(axis=1)
    return 1e9 * counts / (gene_lengths[:, np.newaxis] * totals[:, np.newaxis])
"""

RPKM_WITHOUT_1E9 = """
def rpkm(counts, gene_lengths):
    totals = counts.sum(axis=0)
    return 1e6 * counts / (gene_lengths[:, np.newaxis] * totals[np.newaxis, :])
"""

RPKM_INTEGER_OVERFLOW = """
def rpkm(counts, gene_lengths):
    totals = counts.sum(axis=0)
    return counts * 10**9 / (gene_lengths[:, np.newaxis] * totals[np.newaxis, :])
"""

RPKM_REEXPORTED = """
from genenorm_edu.reference import rpkm
"""

OUTER_SUM_AXES_SWAPPED = """
def outer_sum(x, y):
    x, y = np.asarray(x), np.asarray(y)
    return y.reshape(y.shape + (1,) * x.ndim) + x
"""

OUTER_SUM_ONLY_2D_1D = """
def outer_sum(x, y):
    return x[:, :, np.newaxis] + y
"""

OUTER_SUM_WRAPS_REFERENCE = """
import genenorm_edu.reference as ref

def outer_sum(x, y):
    return ref.outer_sum(x, y)
"""

CLOSEST_TO_IMPORTS_INSIDE = """
def closest_to(x, value):
    from genenorm_edu.reference import closest_to as solved
    return solved(x, value)
"""

# --- Lesson 3 -----------------------------------------------------------------

QNORM_TRUNCATED_RANKS = """
def qnorm(x):
    x = np.asarray(x, dtype=np.float64)
    target = np.sort(x, axis=0).mean(axis=1)
    position = (stats.rankdata(x, axis=0) - 1).astype(int)
    return target[position]
"""

QNORM_IGNORES_TIES = """
def qnorm(x):
    x = np.asarray(x, dtype=np.float64)
    target = np.sort(x, axis=0).mean(axis=1)
    ranks = np.argsort(np.argsort(x, axis=0), axis=0)
    return target[ranks]
"""

QNORM_PATCHES_CHECKS = QNORM_IGNORES_TIES + """
np.allclose = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
check_array = lambda *args, **kwargs: None
check_written_here = lambda *args, **kwargs: None
"""

QNORM_WRAPS_REFERENCE = """
from genenorm_edu import reference

def qnorm(x):
    return reference.qnorm(x)
"""

# --- Lesson 4 -----------------------------------------------------------------

NONZERO_KEEPS_ZEROS = """
def nonzero_normalized(counts_block, n_counts):
    return list(counts_block / n_counts[np.newaxis, :] * 10_000)
"""

NONZERO_GENE_TOTALS = """
def nonzero_normalized(counts_block, n_counts):
    normalized = counts_block / counts_block.sum(axis=1)[:, np.newaxis] * 10_000
    return [row[row != 0] for row in normalized]
"""

NONZERO_LIBRARY_WRAPPER = """
from genenorm_edu.medians import normalize_nonzero

def nonzero_normalized(counts_block, n_counts):
    values, offsets = normalize_nonzero(counts_block, n_counts)
    return [values[start:stop] for start, stop in zip(offsets[:-1], offsets[1:])]
"""


def submissions(assignment: str, solution_notebook) -> dict[str, Edit]:
    """The submission cases of one assignment: ``{student_id: edit}``."""
    reference = with_solutions(solution_notebook)
    untouched: Edit = lambda notebook: None  # noqa: E731
    cases = {
        "01-ndarray-internals": {
            "reference": reference,
            "untouched": untouched,
            "fortran-order": answers(c_strides=C_STRIDES_FORTRAN_ORDER),
            "strides-in-elements": answers(c_strides=C_STRIDES_IN_ELEMENTS),
            "memorized-visible": answers(c_strides=C_STRIDES_MEMORIZED),
            "infinite-loop": answers(c_strides=C_STRIDES_INFINITE_LOOP),
            "ignores-interrupt": answers(c_strides=SWALLOWS_KEYBOARD_INTERRUPT),
            "edited-tests": edit_tests,
            "deleted-tests": delete_tests,
            "stripped-metadata": strip_metadata,
            "solved-then-deleted-tests": chain(reference, delete_tests),
        },
        "02-axes-and-broadcasting": {
            "reference": reference,
            "untouched": untouched,
            "mistakes-a": answers(
                closest_to=CLOSEST_TO_RETURNS_INDEX,
                rpkm=RPKM_GENE_SUMS,
                outer_sum=OUTER_SUM_AXES_SWAPPED,
            ),
            "mistakes-b": answers(
                closest_to=CLOSEST_TO_ARGMAX,
                rpkm=RPKM_WITHOUT_1E9,
                outer_sum=OUTER_SUM_ONLY_2D_1D,
            ),
            "reuses-reference": answers(
                closest_to=CLOSEST_TO_IMPORTS_INSIDE,
                rpkm=RPKM_REEXPORTED,
                outer_sum=OUTER_SUM_WRAPS_REFERENCE,
            ),
            "rpkm-overflow": chain(reference, answers(rpkm=RPKM_INTEGER_OVERFLOW)),
        },
        "03-fancy-indexing": {
            "reference": reference,
            "untouched": untouched,
            "truncated-ranks": answers(qnorm=QNORM_TRUNCATED_RANKS),
            "ignores-ties": answers(qnorm=QNORM_IGNORES_TIES),
            "patches-checks": answers(qnorm=QNORM_PATCHES_CHECKS),
            "wraps-reference": answers(qnorm=QNORM_WRAPS_REFERENCE),
        },
        "04-nonzero-medians": {
            "reference": reference,
            "untouched": untouched,
            "keeps-zeros": answers(nonzero_normalized=NONZERO_KEEPS_ZEROS),
            "gene-totals": answers(nonzero_normalized=NONZERO_GENE_TOTALS),
            "wraps-library": answers(nonzero_normalized=NONZERO_LIBRARY_WRAPPER),
        },
    }
    return cases[assignment]


def build_submission(release_notebook, edit: Edit) -> nbformat.NotebookNode:
    """A copy of the released notebook with ``edit`` applied."""
    notebook = copy.deepcopy(release_notebook)
    edit(notebook)
    return notebook

"""What one submission holds for grading, found once: its plan.

:func:`plan_submission` reads a notebook once and returns a
:class:`SubmissionPlan`: which exercises it tests, the answer to each (the
cells recorded when the submission was sanitized, see
:class:`~genenorm_edu.grading.preprocessors.RecordAnswers`), which cell is
which exercise's visible or hidden test, and which cells are the lesson's
demonstrations. The grading steps take the plan as it is (no step scans the
notebook for these again). No nbgrader here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import nbformat

from genenorm_edu.grading.cells import (
    GradedTest,
    answer_sources,
    exercises_in,
    graded_test,
    is_demonstration,
    nbgrader_metadata,
)

__all__ = ["SubmissionPlan", "plan_submission"]


@dataclass(frozen=True)
class SubmissionPlan:
    """One submission, as the grader sees it.

    Attributes
    ----------
    exercises : tuple of str
        The exercises whose test cells the notebook holds, in order.
    answers : mapping of str to tuple of str
        Each exercise's answer-cell sources (empty: no answer).
    tests : mapping of int to GradedTest
        Graded test cells of exercises, by cell index.
    demonstrations : frozenset of int
        Indices of the cells tagged as demonstrations.
    hidden_cells : frozenset of int
        Indices of the cells whose grade id names a hidden test: never sent
        to the student's kernel.
    other_graded : tuple of str
        Grade ids of graded code cells that are no exercise test (graded in
        the student's kernel, as nbgrader does).
    recorded : bool
        Whether the answers were recorded when the submission was sanitized
        (otherwise they were taken from the notebook as it is now).
    """

    exercises: tuple[str, ...]
    answers: Mapping[str, tuple[str, ...]]
    tests: Mapping[int, GradedTest] = field(default_factory=dict)
    demonstrations: frozenset[int] = frozenset()
    hidden_cells: frozenset[int] = frozenset()
    other_graded: tuple[str, ...] = ()
    recorded: bool = True


def plan_submission(
    notebook: nbformat.NotebookNode, recorded_answers: Mapping[str, list[str]] | None
) -> SubmissionPlan:
    """The plan of ``notebook``, with the answers recorded at sanitizing (if any).

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> answer = new_code_cell("def rpkm(counts, gene_lengths):\\n    return counts")
    >>> test = new_code_cell("check_exercise('rpkm', rpkm)", metadata={
    ...     "nbgrader": {"grade": True, "grade_id": "test_rpkm_visible", "points": 1}})
    >>> plan = plan_submission(new_notebook(cells=[answer, test]), None)
    >>> plan.exercises, plan.tests[1].hidden, plan.recorded
    (('rpkm',), False, False)
    """
    exercises = tuple(exercises_in(notebook))
    if recorded_answers is None:
        answers = {name: tuple(answer_sources(notebook, name)) for name in exercises}
    else:
        answers = {name: tuple(recorded_answers.get(name, ())) for name in exercises}
    tests: dict[int, GradedTest] = {}
    demonstrations, hidden_cells = set(), set()
    other = []
    for index, cell in enumerate(notebook.cells):
        metadata = nbgrader_metadata(cell)
        test = graded_test(metadata.get("grade_id"))
        if test is not None and test.hidden:
            hidden_cells.add(index)
        if test is not None and metadata.get("grade"):
            tests[index] = test
        elif metadata.get("grade") and cell.cell_type == "code":
            other.append(str(metadata.get("grade_id")))
        if is_demonstration(cell):
            demonstrations.add(index)
    return SubmissionPlan(
        exercises=exercises,
        answers=answers,
        tests=tests,
        demonstrations=frozenset(demonstrations),
        hidden_cells=frozenset(hidden_cells),
        other_graded=tuple(other),
        recorded=recorded_answers is not None,
    )

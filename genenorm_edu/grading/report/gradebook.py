"""An assignment's scores per student, notebook and exercise, read from nbgrader's gradebook."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from genenorm_edu.grading.cells import graded_test

__all__ = ["AssignmentScores", "NotebookScores", "UnknownAssignment", "assignment_names", "read_scores"]


class UnknownAssignment(LookupError):
    """The gradebook has no such assignment."""


@dataclass(frozen=True)
class NotebookScores:
    """One student's graded notebook, as the gradebook scores it (manual grades included).

    ``exercises`` maps each exercise to ``(score, max score)`` over its test
    cells; ``score`` and ``max_score`` are the notebook's.
    """

    student: str
    notebook: str
    score: float
    max_score: float
    exercises: Mapping[str, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class AssignmentScores:
    """What the gradebook knows of one assignment.

    Attributes
    ----------
    assignment : str
    notebooks : tuple of str
        The assignment's notebooks.
    exercise_max : mapping of str to float
        Points of each exercise (its test cells), from the assignment itself.
    students : tuple of str
        Every student of the course (in the gradebook).
    graded : mapping of (str, str) to NotebookScores
        The autograded notebooks, by (student, notebook).
    submitted : frozenset of str
        Students with a collected submission (``submitted/<student>/<assignment>``).
    """

    assignment: str
    notebooks: tuple[str, ...]
    exercise_max: Mapping[str, float]
    students: tuple[str, ...]
    graded: Mapping[tuple[str, str], NotebookScores]
    submitted: frozenset[str] = frozenset()


def _exercise_points(cells) -> dict[str, tuple[float, float]]:
    points: dict[str, tuple[float, float]] = {}
    for name, score, maximum in cells:
        test = graded_test(name)
        if test is None:
            continue
        old_score, old_max = points.get(test.exercise, (0.0, 0.0))
        points[test.exercise] = (old_score + float(score or 0.0), old_max + float(maximum or 0.0))
    return points


def assignment_names(gradebook_url: str) -> list[str]:
    """The assignments of the gradebook, by name."""
    from nbgrader.api import Gradebook

    with Gradebook(gradebook_url) as gradebook:
        return sorted(assignment.name for assignment in gradebook.assignments)


def read_scores(gradebook_url: str, assignment: str, root: str | Path) -> AssignmentScores:
    """Read ``assignment`` from the gradebook; ``root`` is the course (for ``submitted/``)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(gradebook_url) as gradebook:
        try:
            found = gradebook.find_assignment(assignment)
        except MissingEntry:
            raise UnknownAssignment(assignment) from None
        notebooks = tuple(sorted(notebook.name for notebook in found.notebooks))
        cells = [
            (cell.name, 0.0, cell.max_score)
            for notebook in found.notebooks
            for cell in notebook.grade_cells
        ]
        exercise_max = {name: maximum for name, (_, maximum) in _exercise_points(cells).items()}
        students = tuple(sorted(student.id for student in gradebook.students))
        graded = {}
        for submission in gradebook.assignment_submissions(assignment):
            for notebook in submission.notebooks:
                grades = [(grade.name, grade.score, grade.max_score) for grade in notebook.grades]
                graded[(submission.student_id, notebook.name)] = NotebookScores(
                    student=submission.student_id,
                    notebook=notebook.name,
                    score=float(notebook.score or 0.0),
                    max_score=float(notebook.max_score or 0.0),
                    exercises=_exercise_points(grades),
                )
    folder = Path(root) / "submitted"
    submitted = frozenset(
        path.name for path in folder.glob("*") if (path / assignment).is_dir()
    ) if folder.is_dir() else frozenset()
    return AssignmentScores(
        assignment=assignment,
        notebooks=notebooks,
        exercise_max=exercise_max,
        students=students,
        graded=graded,
        submitted=submitted,
    )

"""Write the class-report record of a graded notebook (called by :class:`LogScore`).

The record (:mod:`genenorm_edu.grading.class_record`) takes each exercise's
score from its graded test cells, as nbgrader scores them, and the cases,
recognized mistakes and flags from the notebook's :class:`NotebookGrading`.
A record that cannot be written is logged, never a reason to fail grading.
"""

from __future__ import annotations

import time
from pathlib import Path

from nbgrader import utils as nbgrader_utils

from genenorm_edu.grading.class_record import (
    KERNEL_RESTARTED,
    TIME_LIMIT,
    exercise_record,
    notebook_record,
    verdict_flags,
    write_record,
)
from genenorm_edu.grading.hidden import HIDDEN_CASES
from genenorm_edu.grading.preprocessors.state import NotebookGrading

__all__ = ["course_root", "write_class_record"]


def course_root(preprocessor) -> Path | None:
    """The course root of the nbgrader run ``preprocessor`` belongs to (None outside one)."""
    owner = preprocessor
    while owner is not None:
        coursedir = getattr(owner, "coursedir", None)
        if coursedir is not None:
            return Path(coursedir.root)
        owner = getattr(owner, "parent", None)
    return None


def _exercise_scores(nb, grading: NotebookGrading) -> dict[str, tuple[float, float]]:
    scores: dict[str, tuple[float, float]] = {}
    for index, test in grading.plan.tests.items():
        cell = nb.cells[index]
        if not nbgrader_utils.is_grade(cell):
            continue
        points, max_points = nbgrader_utils.determine_grade(cell)
        score, maximum = scores.get(test.exercise, (0.0, 0.0))
        scores[test.exercise] = (score + (points or 0.0), maximum + (max_points or 0.0))
    return scores


def _record(nb, resources, grading: NotebookGrading, score: float, maximum: float) -> dict:
    info = resources.get("nbgrader", {})
    verdicts = grading.verdicts or {}
    scores = _exercise_scores(nb, grading)
    exercises = {}
    for name in grading.plan.exercises:
        graded = verdicts.get(name)
        if graded is None:
            continue
        labels = frozenset(case.label for case in HIDDEN_CASES.get(name, ()))
        points, max_points = scores.get(name, (0.0, 0.0))
        exercises[name] = exercise_record(name, graded.visible, graded.hidden, labels, points, max_points)
    flags = verdict_flags({name: (*v.visible, *v.hidden) for name, v in verdicts.items()})
    if grading.kernel_restarted:
        flags.add(KERNEL_RESTARTED)
    if grading.time_limit_hit:
        flags.add(TIME_LIMIT)
    return notebook_record(
        assignment=str(info["assignment"]),
        student=str(info["student"]),
        notebook=str(info["notebook"]),
        seconds=time.monotonic() - grading.started,
        score=score,
        max_score=maximum,
        flags=flags,
        exercises=exercises,
    )


def write_class_record(
    preprocessor, nb, resources, grading: NotebookGrading, score: float, maximum: float
) -> None:
    """Write the record of the notebook ``nb`` just graded (logged, not raised, on failure)."""
    root = course_root(preprocessor)
    if root is None:  # not run by an nbgrader converter: no course to record into
        return
    try:
        write_record(root, _record(nb, resources, grading, score, maximum))
    except Exception as error:  # noqa: BLE001 -- a missing record never costs a grade
        preprocessor.log.warning(
            "No class-report record for this notebook (%s: %s)", type(error).__name__, error
        )

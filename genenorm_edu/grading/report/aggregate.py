"""The class report of one assignment, from the gradebook's scores and autograde's records.

No nbgrader and no plotting here: :func:`class_report` takes an
:class:`~genenorm_edu.grading.report.gradebook.AssignmentScores` and the
:class:`~genenorm_edu.grading.report.records.NotebookRecord` list and returns
a :class:`ClassReport` that the page and the CSV only lay out.

Scores come from the gradebook (they include an instructor's manual
grades); cases, recognized mistakes, flags and timings from the records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from genenorm_edu.exercises import EXERCISES
from genenorm_edu.grading.class_record import FLAGS, UNGRADED
from genenorm_edu.grading.report.gradebook import AssignmentScores
from genenorm_edu.grading.report.records import NotebookRecord

__all__ = [
    "GRADED",
    "MISSING",
    "NOT_GRADED",
    "PARTLY_GRADED",
    "SUBMITTED",
    "CaseFailures",
    "ClassReport",
    "ExerciseSummary",
    "MistakeCount",
    "StudentRow",
    "class_report",
]

#: States of a student (and of the assignment, for the first three).
GRADED = "graded"
PARTLY_GRADED = "partly graded"
NOT_GRADED = "not yet graded"
SUBMITTED = "submitted, not graded"
MISSING = "no submission"


@dataclass(frozen=True)
class CaseFailures:
    """How often one case failed: among ``run`` graded students, ``failed`` failed it."""

    label: str
    hidden: bool
    failed: int
    run: int

    @property
    def rate(self) -> float:
        """The share of students who failed the case (0 if none ran it)."""
        return self.failed / self.run if self.run else 0.0


@dataclass(frozen=True)
class MistakeCount:
    """A recognized mistake and the number of students whose answer made it."""

    id: str
    explanation: str
    students: int


@dataclass(frozen=True)
class ExerciseSummary:
    """One exercise across the class.

    Attributes
    ----------
    scores : tuple of float
        The score of each graded student.
    full_marks : int
        How many of them have all points.
    cases : tuple of CaseFailures
        Visible and hidden cases, most often failed first.
    mistakes : tuple of MistakeCount
        Recognized mistakes, most frequent first.
    """

    name: str
    max_score: float
    scores: tuple[float, ...]
    full_marks: int
    cases: tuple[CaseFailures, ...] = ()
    mistakes: tuple[MistakeCount, ...] = ()

    @property
    def full_marks_share(self) -> float:
        """The share of graded students with all points (0 if none is graded)."""
        return self.full_marks / len(self.scores) if self.scores else 0.0


@dataclass(frozen=True)
class StudentRow:
    """One student: state, score per exercise (None: not graded), total, flags."""

    student: str
    state: str
    scores: Mapping[str, float | None]
    total: float | None
    max_total: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassReport:
    """The report of one assignment.

    Attributes
    ----------
    state : str
        :data:`GRADED`, :data:`PARTLY_GRADED` or :data:`NOT_GRADED`.
    seconds : tuple of float
        Grading time of each recorded notebook.
    unrecorded : tuple of str
        Graded students whose notebooks have no record (graded before
        records existed, or the record could not be written).
    """

    assignment: str
    state: str
    exercises: tuple[ExerciseSummary, ...]
    students: tuple[StudentRow, ...]
    seconds: tuple[float, ...] = ()
    unrecorded: tuple[str, ...] = ()
    notebooks: tuple[str, ...] = field(default=())

    def students_in(self, state: str) -> tuple[str, ...]:
        """The students in ``state``."""
        return tuple(row.student for row in self.students if row.state == state)


def _in_course_order(names) -> list[str]:
    """Exercise names in the order the lessons teach them (unknown names last, by name)."""
    order = {name: index for index, name in enumerate(EXERCISES)}
    return sorted(names, key=lambda name: (order.get(name, len(order)), name))


def _student_row(scores: AssignmentScores, student: str, records: Mapping) -> StudentRow:
    names = _in_course_order(scores.exercise_max)
    graded = [scores.graded[(student, nb)] for nb in scores.notebooks if (student, nb) in scores.graded]
    flags: set[str] = set()
    for notebook in scores.notebooks:
        record = records.get((student, notebook))
        if record is not None:
            flags.update(record.flags)
    max_total = float(sum(scores.exercise_max.values()))
    if not graded:
        state = SUBMITTED if student in scores.submitted else MISSING
        if state == SUBMITTED:
            flags.add(UNGRADED)
        return StudentRow(student, state, {name: None for name in names}, None, max_total, _ordered(flags))
    per_exercise: dict[str, float | None] = {name: None for name in names}
    for notebook in graded:
        for name, (points, _) in notebook.exercises.items():
            per_exercise[name] = (per_exercise.get(name) or 0.0) + points
    state = GRADED if len(graded) == len(scores.notebooks) else PARTLY_GRADED
    if state != GRADED:
        flags.add(UNGRADED)
    total = sum(value for value in per_exercise.values() if value is not None)
    return StudentRow(student, state, per_exercise, total, max_total, _ordered(flags))


def _ordered(flags: set[str]) -> tuple[str, ...]:
    return tuple(flag for flag in FLAGS if flag in flags)


def _exercise_summary(name: str, maximum: float, rows: Sequence[StudentRow], records: Sequence[NotebookRecord]) -> ExerciseSummary:
    scores = tuple(row.scores[name] for row in rows if row.scores.get(name) is not None)
    full = sum(1 for score in scores if maximum > 0 and score >= maximum - 1e-9)
    failed: Counter = Counter()
    run: Counter = Counter()
    mistakes: Counter = Counter()
    explanations: dict[str, str] = {}
    for record in records:
        result = record.exercises.get(name)
        if result is None:
            continue
        seen = set()
        for hidden, cases in ((False, result.visible), (True, result.hidden)):
            for case in cases:
                key = (case.label, hidden)
                if key in seen:
                    continue  # one count per student and case
                seen.add(key)
                run[key] += 1
                failed[key] += 0 if case.passed else 1
        found = {case.mistake for case in (*result.visible, *result.hidden) if case.mistake}
        for mistake in found:
            mistakes[mistake] += 1
            explanations.setdefault(mistake, result.mistakes.get(mistake, ""))
    cases = sorted(
        (CaseFailures(label, hidden, failed[(label, hidden)], run[(label, hidden)]) for label, hidden in run),
        key=lambda case: (-case.rate, -case.failed, case.hidden, case.label),
    )
    counted = sorted(
        (MistakeCount(mistake, explanations[mistake], count) for mistake, count in mistakes.items()),
        key=lambda item: (-item.students, item.id),
    )
    return ExerciseSummary(name, maximum, scores, full, tuple(cases), tuple(counted))


def class_report(scores: AssignmentScores, records: Sequence[NotebookRecord]) -> ClassReport:
    """The class report of ``scores.assignment``.

    Only the records of notebooks the gradebook has graded count (a record
    left from a student since removed from the gradebook does not).

    Examples
    --------
    >>> from genenorm_edu.grading.report.gradebook import NotebookScores
    >>> scores = AssignmentScores("a", ("a",), {"rpkm": 2.0}, ("ada", "bob", "cy"),
    ...     {("ada", "a"): NotebookScores("ada", "a", 2.0, 2.0, {"rpkm": (2.0, 2.0)})},
    ...     submitted=frozenset({"ada", "bob"}))
    >>> report = class_report(scores, [])
    >>> report.state, report.exercises[0].full_marks_share, report.students_in(MISSING)
    ('partly graded', 1.0, ('cy',))
    """
    by_place = {(record.student, record.notebook): record for record in records}
    by_place = {place: record for place, record in by_place.items() if place in scores.graded}
    students = sorted(set(scores.students) | scores.submitted | {s for s, _ in scores.graded})
    rows = tuple(_student_row(scores, student, by_place) for student in students)
    kept = [by_place[place] for place in sorted(by_place)]
    exercises = tuple(
        _exercise_summary(name, scores.exercise_max[name], rows, kept)
        for name in _in_course_order(scores.exercise_max)
    )
    graded_rows = [row for row in rows if row.state in (GRADED, PARTLY_GRADED)]
    if not graded_rows:
        state = NOT_GRADED
    elif any(row.state in (PARTLY_GRADED, SUBMITTED) for row in rows):
        state = PARTLY_GRADED
    else:
        state = GRADED
    unrecorded = sorted({student for student, notebook in scores.graded if (student, notebook) not in by_place})
    return ClassReport(
        assignment=scores.assignment,
        state=state,
        exercises=exercises,
        students=rows,
        seconds=tuple(record.seconds for record in kept),
        unrecorded=tuple(unrecorded),
        notebooks=scores.notebooks,
    )

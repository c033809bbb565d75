"""What autograde records of each graded notebook for the class report.

One JSON file per student and notebook, in the course's own folder, not in
``autograded/`` (nbgrader deletes a student's ``autograded/<student>/<assignment>``
on every forced regrade, and after a failed one)::

    class_report/records/<assignment>/<student>/<notebook>.json

A regrade of the notebook replaces its file (written with
:func:`~genenorm_edu.atomic.atomic_write`: readers see the old record or the
new one). ``genenorm-edu autograde --jobs N`` needs no merge step: each
worker grades whole students and writes only their files.

Only fixed text is recorded: exercise names, case labels from the exercise
specs and the hidden cases, recognized mistakes as an id and the spec's
explanation, and the flag names of :data:`FLAGS`. Nothing the student's code
printed, returned or raised is kept. No nbgrader here.

Format (``"format": RECORD_FORMAT``, ``"version": 1``)::

    {"format": ..., "version": 1, "assignment": "03-fancy-indexing",
     "student": "ada", "notebook": "03-fancy-indexing", "seconds": 4.2,
     "score": 9.0, "max_score": 14.0, "flags": ["kernel restarted"],
     "exercises": {"qnorm": {"score": 0.0, "max_score": 5.0,
         "visible": [{"label": "...", "passed": false, "mistake": "qnorm/3"}],
         "hidden": [{"label": "...", "passed": true}],
         "mistakes": {"qnorm/3": "you returned the sorted columns: ..."}}}}

``mistake`` (on a failed case, when the grader recognized one) is
``<exercise>/<n>``: the n-th :class:`~genenorm_edu.exercises.spec.Mistake`
of the exercise's spec, whose explanation ``mistakes`` repeats. ``flags``
are among :data:`FLAGS` (never ``ungraded``: that one the report finds).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from genenorm_edu.atomic import atomic_write
from genenorm_edu.exercises import exercise
from genenorm_edu.exercises.spec import CaseVerdict

__all__ = [
    "FLAGS",
    "KERNEL_RESTARTED",
    "RECORD_FORMAT",
    "RECORDS_FOLDER",
    "SANDBOX_REFUSAL",
    "TIME_LIMIT",
    "UNGRADED",
    "exercise_record",
    "mistake_id",
    "notebook_record",
    "record_path",
    "write_record",
]

#: Where the records live, relative to the course root.
RECORDS_FOLDER = Path("class_report") / "records"
#: The ``format`` field of every record.
RECORD_FORMAT = "genenorm-edu grading record"

#: The kernel died or hung and was restarted while the notebook ran.
KERNEL_RESTARTED = "kernel restarted"
#: A cell, the notebook, or a call of an exercise's function ran out of time.
TIME_LIMIT = "time limit hit"
#: The sandbox stopped a call of the student's function (memory, CPU or
#: process limits, a result too large or not plain data).
SANDBOX_REFUSAL = "sandbox refusal"
#: Not autograded (no record or no autograded submission in the gradebook).
UNGRADED = "ungraded"
#: Every flag, in the order the report shows them.
FLAGS = (UNGRADED, KERNEL_RESTARTED, TIME_LIMIT, SANDBOX_REFUSAL)

#: How a verdict written by :func:`~genenorm_edu.exercises.spec.judge` starts
#: when the sandbox stopped the call (the problem texts of
#: :mod:`genenorm_edu.grading.calls`; a test keeps them in step).
SANDBOX_STOPS = (
    "the Python process running the function ended",
    "the function's result is too large",
    "the function's result could not be read back",
)
_TIMED_OUT = "did not return within its time limit"


def mistake_id(exercise_name: str, index: int) -> str:
    """The fixed id of an exercise's ``index``-th recognized mistake (from 1).

    >>> mistake_id("qnorm", 2)
    'qnorm/2'
    """
    return f"{exercise_name}/{index}"


def _recognized(exercise_name: str, verdict: CaseVerdict) -> str | None:
    """The id of the spec mistake a failing verdict names as its likely cause."""
    if verdict.passed:
        return None
    for index, mistake in enumerate(exercise(exercise_name).mistakes, start=1):
        if verdict.summary.endswith(f"Likely cause: {mistake.explanation}."):
            return mistake_id(exercise_name, index)
    return None


def _case(exercise_name: str, verdict: CaseVerdict, labels: frozenset[str]) -> dict:
    label = verdict.label if verdict.label in labels else "(a case not in the spec)"
    entry: dict = {"label": label, "passed": bool(verdict.passed)}
    mistake = _recognized(exercise_name, verdict)
    if mistake is not None:
        entry["mistake"] = mistake
    return entry


def exercise_record(
    name: str,
    visible: tuple[CaseVerdict, ...],
    hidden: tuple[CaseVerdict, ...],
    hidden_labels: frozenset[str],
    score: float,
    max_score: float,
) -> dict:
    """One exercise's part of a record: its score, each case and the mistakes recognized.

    Labels are kept only when they are the spec's own (``hidden_labels`` for
    the hidden cases).
    """
    item = exercise(name)
    visible_labels = frozenset(case.label for case in item.visible)
    cases_visible = [_case(name, verdict, visible_labels) for verdict in visible]
    cases_hidden = [_case(name, verdict, hidden_labels) for verdict in hidden]
    found = {case["mistake"] for case in (*cases_visible, *cases_hidden) if "mistake" in case}
    mistakes = {
        mistake_id(name, index): mistake.explanation
        for index, mistake in enumerate(item.mistakes, start=1)
        if mistake_id(name, index) in found
    }
    return {
        "score": float(score),
        "max_score": float(max_score),
        "visible": cases_visible,
        "hidden": cases_hidden,
        "mistakes": mistakes,
    }


def verdict_flags(verdicts: Mapping[str, tuple[CaseVerdict, ...]]) -> set[str]:
    """Flags the verdicts show: a call out of time, a call the sandbox stopped."""
    flags = set()
    for name, cases in verdicts.items():
        for verdict in cases:
            if verdict.passed:
                continue
            if verdict.summary.startswith(f"{name} {_TIMED_OUT}"):
                flags.add(TIME_LIMIT)
            if verdict.summary.startswith(SANDBOX_STOPS):
                flags.add(SANDBOX_REFUSAL)
    return flags


def notebook_record(
    *,
    assignment: str,
    student: str,
    notebook: str,
    seconds: float,
    score: float,
    max_score: float,
    flags: set[str],
    exercises: Mapping[str, dict],
) -> dict:
    """The whole record of one graded notebook (see the module docstring)."""
    unknown = set(flags) - set(FLAGS)
    if unknown:
        raise ValueError(f"unknown flags {sorted(unknown)}")
    return {
        "format": RECORD_FORMAT,
        "version": 1,
        "assignment": assignment,
        "student": student,
        "notebook": notebook,
        "seconds": round(float(seconds), 3),
        "score": float(score),
        "max_score": float(max_score),
        "flags": [flag for flag in FLAGS if flag in flags],
        "exercises": dict(exercises),
    }


def record_path(root: str | Path, assignment: str, student: str, notebook: str) -> Path:
    """Where the record of ``student``'s ``notebook`` of ``assignment`` lives.

    >>> record_path("/course", "lesson1", "ada", "lesson1").as_posix()
    '/course/class_report/records/lesson1/ada/lesson1.json'
    """
    for part in (assignment, student, notebook):
        if not part or part in {".", ".."} or "/" in part or "\\" in part:
            raise ValueError(f"not a plain name: {part!r}")
    return Path(root) / RECORDS_FOLDER / assignment / student / f"{notebook}.json"


def write_record(root: str | Path, record: Mapping) -> Path:
    """Write ``record`` to its place under ``root``, replacing the previous one atomically."""
    path = record_path(root, record["assignment"], record["student"], record["notebook"])
    with atomic_write(path) as file:
        file.write((json.dumps(record, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return path

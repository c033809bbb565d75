"""Read the autograde records of an assignment, checking each before it is used (no nbgrader).

A record is a JSON file written by :mod:`genenorm_edu.grading.class_record`;
:func:`read_records` turns each into a :class:`NotebookRecord` and raises
:class:`RecordError` naming the file when one is not a valid record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from genenorm_edu.grading.class_record import FLAGS, RECORD_FORMAT, RECORDS_FOLDER

__all__ = ["CaseResult", "ExerciseResult", "NotebookRecord", "RecordError", "parse_record", "read_records"]


class RecordError(ValueError):
    """A record file that is not a valid record (its message names the file)."""


@dataclass(frozen=True)
class CaseResult:
    """One visible or hidden case of an exercise: its label, whether it passed, the mistake seen."""

    label: str
    passed: bool
    mistake: str | None = None


@dataclass(frozen=True)
class ExerciseResult:
    """One exercise of a graded notebook."""

    score: float
    max_score: float
    visible: tuple[CaseResult, ...] = ()
    hidden: tuple[CaseResult, ...] = ()
    mistakes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NotebookRecord:
    """What autograde recorded of one student's notebook."""

    assignment: str
    student: str
    notebook: str
    seconds: float
    score: float
    max_score: float
    flags: tuple[str, ...] = ()
    exercises: Mapping[str, ExerciseResult] = field(default_factory=dict)


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ValueError(f"{what} is not a number")
    return float(value)


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} is not text")
    return value


def _cases(items, what: str) -> tuple[CaseResult, ...]:
    if not isinstance(items, list):
        raise ValueError(f"{what} is not a list")
    cases = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("passed"), bool):
            raise ValueError(f"a case of {what} has no 'passed'")
        mistake = item.get("mistake")
        cases.append(
            CaseResult(
                label=_text(item.get("label"), f"a label of {what}"),
                passed=item["passed"],
                mistake=None if mistake is None else _text(mistake, f"a mistake of {what}"),
            )
        )
    return tuple(cases)


def _exercise(name: str, data) -> ExerciseResult:
    if not isinstance(data, dict):
        raise ValueError(f"exercise {name} is not an object")
    mistakes = data.get("mistakes", {})
    if not isinstance(mistakes, dict) or not all(isinstance(v, str) for v in mistakes.values()):
        raise ValueError(f"the mistakes of {name} are not a table of explanations")
    return ExerciseResult(
        score=_number(data.get("score"), f"the score of {name}"),
        max_score=_number(data.get("max_score"), f"the max score of {name}"),
        visible=_cases(data.get("visible", []), f"{name}'s visible cases"),
        hidden=_cases(data.get("hidden", []), f"{name}'s hidden cases"),
        mistakes=dict(mistakes),
    )


def parse_record(data) -> NotebookRecord:
    """The record in ``data`` (a record file's JSON); ValueError saying what is wrong.

    Examples
    --------
    >>> record = parse_record({"format": RECORD_FORMAT, "version": 1, "assignment": "a",
    ...     "student": "ada", "notebook": "a", "seconds": 2.5, "score": 1, "max_score": 2,
    ...     "flags": ["time limit hit"], "exercises": {"rpkm": {"score": 1, "max_score": 2,
    ...     "visible": [{"label": "a small matrix", "passed": True}]}}})
    >>> record.student, record.flags, record.exercises["rpkm"].visible[0].passed
    ('ada', ('time limit hit',), True)
    """
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT:
        raise ValueError("not a genenorm-edu grading record")
    if data.get("version") != 1:
        raise ValueError(f"record version {data.get('version')!r} is not 1")
    flags = data.get("flags", [])
    if not isinstance(flags, list) or not set(flags) <= set(FLAGS):
        raise ValueError("unknown flags")
    exercises = data.get("exercises", {})
    if not isinstance(exercises, dict):
        raise ValueError("'exercises' is not an object")
    return NotebookRecord(
        assignment=_text(data.get("assignment"), "assignment"),
        student=_text(data.get("student"), "student"),
        notebook=_text(data.get("notebook"), "notebook"),
        seconds=_number(data.get("seconds"), "seconds"),
        score=_number(data.get("score"), "score"),
        max_score=_number(data.get("max_score"), "max_score"),
        flags=tuple(flags),
        exercises={name: _exercise(name, item) for name, item in exercises.items()},
    )


def read_records(root: str | Path, assignment: str) -> list[NotebookRecord]:
    """Every record of ``assignment`` under the course ``root``, by student then notebook.

    Raises
    ------
    RecordError
        A file is not valid JSON or not a valid record, or does not belong
        where it lies (its message names the file).
    """
    folder = Path(root) / RECORDS_FOLDER / assignment
    records = []
    for path in sorted(folder.glob("*/*.json")):
        try:
            record = parse_record(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
            raise RecordError(f"{path}: {error}") from None
        where = (assignment, path.parent.name, path.stem)
        if (record.assignment, record.student, record.notebook) != where:
            raise RecordError(f"{path}: the record is of {record.student}'s {record.notebook}, not this place")
        records.append(record)
    return records

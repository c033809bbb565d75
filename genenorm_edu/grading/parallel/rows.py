"""The gradebook rows of one student's submission: read from a worker's gradebook, written to the real one."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


# --- the gradebook rows of one student's submission ------------------------------


@dataclass(frozen=True)
class GradeRow:
    """The automatic part of one grade: what ``nbgrader autograde`` writes.

    Attributes
    ----------
    notebook, cell : str
        Notebook name and grade id of the graded cell.
    auto_score : float or None
    needs_manual_grade : bool
    """

    notebook: str
    cell: str
    auto_score: float | None
    needs_manual_grade: bool


@dataclass(frozen=True)
class CommentRow:
    """The automatic comment on one answer cell ("No response." when left unchanged)."""

    notebook: str
    cell: str
    auto_comment: str | None


@dataclass(frozen=True)
class SubmissionRows:
    """Everything ``nbgrader autograde`` records about one student's submission.

    Attributes
    ----------
    assignment, student : str
    timestamp : datetime or None
        When it was submitted (from ``timestamp.txt``).
    late_penalties : dict of str to float or None
        Late-submission penalty of each notebook.
    grades : tuple of GradeRow
    comments : tuple of CommentRow
    """

    assignment: str
    student: str
    timestamp: datetime | None
    late_penalties: dict[str, float | None]
    grades: tuple[GradeRow, ...]
    comments: tuple[CommentRow, ...]


def read_submission_rows(gradebook, assignment: str, student: str) -> SubmissionRows | None:
    """The rows ``nbgrader autograde`` wrote for ``student``, or None if it wrote none.

    Parameters
    ----------
    gradebook : nbgrader.api.Gradebook
        An open gradebook (a worker's copy).
    """
    from nbgrader.api import MissingEntry

    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return None
    grades, comments, penalties = [], [], {}
    for notebook in submission.notebooks:
        penalties[notebook.name] = notebook.late_submission_penalty
        grades += [
            GradeRow(notebook.name, grade.name, grade.auto_score, bool(grade.needs_manual_grade))
            for grade in notebook.grades
        ]
        comments += [CommentRow(notebook.name, comment.name, comment.auto_comment) for comment in notebook.comments]
    return SubmissionRows(
        assignment=assignment,
        student=student,
        timestamp=submission.timestamp,
        late_penalties=penalties,
        grades=tuple(grades),
        comments=tuple(comments),
    )


def write_submission_rows(gradebook, rows: SubmissionRows) -> None:
    """Record ``rows`` in ``gradebook`` as ``nbgrader autograde`` would have.

    The student and the submission are created if missing (as autograde
    does); only the fields autograde writes are set, so manual scores and
    comments in the gradebook stay as they are.
    """
    gradebook.update_or_create_student(rows.student)
    details = {"timestamp": rows.timestamp} if rows.timestamp is not None else {}
    gradebook.update_or_create_submission(rows.assignment, rows.student, **details)
    for notebook, penalty in rows.late_penalties.items():
        gradebook.find_submission_notebook(notebook, rows.assignment, rows.student).late_submission_penalty = penalty
    for row in rows.grades:
        grade = gradebook.find_grade(row.cell, row.notebook, rows.assignment, rows.student)
        grade.auto_score = row.auto_score
        grade.needs_manual_grade = row.needs_manual_grade
    for row in rows.comments:
        comment = gradebook.find_comment(row.cell, row.notebook, rows.assignment, rows.student)
        comment.auto_comment = row.auto_comment
    gradebook.db.commit()


def snapshot_gradebook(source: Path, target: Path) -> None:
    """Copy the sqlite gradebook ``source`` to ``target``, consistently, without writing to it."""
    with contextlib.closing(sqlite3.connect(f"{Path(source).resolve().as_uri()}?mode=ro", uri=True)) as reader:
        with contextlib.closing(sqlite3.connect(target)) as writer:
            reader.backup(writer)


def sqlite_path(db_url: str) -> Path:
    """The file of a ``sqlite:///...`` gradebook URL.

    Raises
    ------
    ValueError
        For a gradebook that is not a sqlite file (a database server takes
        concurrent writers itself: use ``nbgrader autograde`` there).

    Examples
    --------
    >>> sqlite_path("sqlite:////srv/course/gradebook.db").as_posix()
    '/srv/course/gradebook.db'
    """
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise ValueError(f"the gradebook {db_url!r} is not a sqlite file; --jobs needs one")
    return Path(url.database)



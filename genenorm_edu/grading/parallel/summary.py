"""The table printed at the end of a run: one line per student, with scores."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from pathlib import Path

from genenorm_edu.grading.parallel.outcome import StudentOutcome


def gradebook_scores(gradebook: Path, assignment: str, students: Iterable[str]) -> dict[str, tuple[float, float]]:
    from nbgrader.api import Gradebook, MissingEntry

    scores = {}
    with Gradebook(f"sqlite:///{gradebook}") as real:
        for student in students:
            try:
                submission = real.find_submission(assignment, student)
            except MissingEntry:
                continue
            scores[student] = (submission.score, submission.max_score)
    return scores


def summary_table(outcomes: Sequence[StudentOutcome], scores: dict[str, tuple[float, float]] | None = None) -> str:
    """A table of the outcomes, one line per student, and a line of totals.

    Examples
    --------
    >>> table = summary_table(
    ...     [StudentOutcome("ada", "done", 4.0), StudentOutcome("bob", "failed", 1.0, error="x")],
    ...     {"ada": (3.0, 9.0)},
    ... )
    >>> print(table)  # doctest: +NORMALIZE_WHITESPACE
    student  result  score  seconds
    ada      done    3 / 9      4.0
    bob      FAILED  -          1.0
    2 students: 1 done, 0 skipped, 1 FAILED
    """
    scores = scores or {}
    rows = [("student", "result", "score", "seconds")]
    for outcome in outcomes:
        score = scores.get(outcome.student)
        shown = f"{score[0]:g} / {score[1]:g}" if score else "-"
        status = "FAILED" if outcome.status == "failed" else outcome.status
        rows.append((outcome.student, status, shown, f"{outcome.seconds:.1f}"))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]:>{widths[3]}}"
        for row in rows
    ]
    counts = {status: sum(outcome.status == status for outcome in outcomes) for status in ("done", "skipped", "failed")}
    lines.append(
        f"{len(outcomes)} students: {counts['done']} done, {counts['skipped']} skipped, {counts['failed']} FAILED"
    )
    return "\n".join(lines)



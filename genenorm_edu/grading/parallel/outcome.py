"""What happened to one student: status, time, nbgrader's log parsed into warnings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from genenorm_edu.grading.parallel.rows import SubmissionRows


# --- what happened to one student ------------------------------------------------


@dataclass(frozen=True)
class StudentOutcome:
    """One student's run of an nbgrader step.

    Attributes
    ----------
    student : str
    status : str
        ``"done"``, ``"skipped"`` (already done; ``--force`` redoes it) or
        ``"failed"``.
    seconds : float
        Wall time of the step for this student.
    log : str
        nbgrader's log of this student.
    error : str
        Why it failed (traceback, or what ended the worker), if it did.
    rows : SubmissionRows or None
        What autograde recorded, to be written into the real gradebook.
    """

    student: str
    status: str
    seconds: float
    log: str = ""
    error: str = ""
    rows: SubmissionRows | None = None


_LOG_LINE = re.compile(r"^\[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\] ", re.MULTILINE)


def parse_log(log: str) -> list[tuple[str, str]]:
    """Split a log captured by nbgrader (``[LEVEL] message`` lines) into ``(level, message)``.

    A message's continuation lines stay with it.

    Examples
    --------
    >>> parse_log("[INFO] start\\n[WARNING] two\\nlines\\n[ERROR] bad\\n")
    [('INFO', 'start'), ('WARNING', 'two\\nlines'), ('ERROR', 'bad')]
    """
    starts = list(_LOG_LINE.finditer(log))
    messages = []
    for match, following in zip(starts, [*starts[1:], None]):
        end = following.start() if following is not None else len(log)
        messages.append((match.group(1), log[match.end() : end].rstrip("\n")))
    return messages



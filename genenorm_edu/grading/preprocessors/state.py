"""What the grading steps of one notebook share: its plan, the grading under way, the start time.

nbgrader runs the autograde preprocessors one after another on the same
notebook and ``resources``; :class:`NotebookGrading` is the one object they
pass on, under :data:`GRADING_KEY`. :class:`GradingExecute` makes it (the
plan, and the out-of-reach grading started so that it overlaps with the
kernel); :class:`OutOfReachGrades` takes it and writes the verdicts;
:class:`LogScore` reads the start time. Between the two passes of nbgrader
(sanitizing, then grading) only the notebook file survives: the answers
recorded when sanitizing travel in its metadata (:data:`ANSWERS_KEY`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from genenorm_edu.grading.judging import ExerciseVerdicts, PendingVerdicts
from genenorm_edu.grading.plan import SubmissionPlan, plan_submission

__all__ = ["ANSWERS_KEY", "GRADING_KEY", "NotebookGrading", "plan_of"]

#: Where the grading of the notebook in progress waits in ``resources``.
GRADING_KEY = "genenorm_edu_grading"

#: Notebook metadata key of the answers recorded when the submission was sanitized.
ANSWERS_KEY = "genenorm_edu_answers"


@dataclass
class NotebookGrading:
    """The grading of one notebook, from the kernel's run to the score.

    Attributes
    ----------
    plan : SubmissionPlan
        What the submission holds.
    started : float
        ``time.monotonic()`` when its grading started.
    pending : PendingVerdicts or None
        The out-of-reach grading under way, until its verdicts are written.
    verdicts : mapping of str to ExerciseVerdicts or None
        Each exercise's verdicts, once written (for the class record).
    kernel_restarted, time_limit_hit : bool
        Whether the kernel was restarted, or a cell or the notebook ran out
        of time, while the notebook ran (for the class record).
    """

    plan: SubmissionPlan
    started: float
    pending: PendingVerdicts | None = None
    verdicts: Mapping[str, ExerciseVerdicts] | None = None
    kernel_restarted: bool = False
    time_limit_hit: bool = False


def plan_of(nb) -> SubmissionPlan:
    """The plan of ``nb``, with the answers recorded when it was sanitized (then dropped)."""
    return plan_submission(nb, nb.metadata.pop(ANSWERS_KEY, None))

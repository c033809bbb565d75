"""Autograde (and generate feedback for) every student of an assignment at once.

``nbgrader autograde`` grades one notebook after another in one process, and
nbgrader's sqlite gradebook does not take concurrent writers ("database is
locked"). ``genenorm-edu autograde ASSIGNMENT --jobs N`` grades N students
at a time:

- each worker process runs nbgrader's own ``Autograde`` converter, with the
  course's ``nbgrader_config.py`` loaded as ``nbgrader autograde`` loads it,
  on one student at a time (as ``nbgrader autograde ASSIGNMENT --student
  ID`` would), writing the autograded notebook where nbgrader writes it;
- each worker writes into **its own copy of the gradebook**, made when the
  worker starts; after each student, the worker reads that student's rows
  back (:class:`SubmissionRows`: submission time, late penalties, automatic
  scores and comments) and the parent process writes them into the real
  gradebook with nbgrader's :class:`~nbgrader.api.Gradebook` API, one
  student at a time. Only the parent ever writes the real gradebook, so
  there is nothing to lock, and a student's grades are saved as soon as that
  student is done: stopping the run loses nothing already graded.

``genenorm-edu generate-feedback ASSIGNMENT --jobs N`` runs nbgrader's
``GenerateFeedback`` the same way (it only reads the gradebook).

The run shows a progress bar with an estimate of the time left, the
warnings of each student's grading as they come, and a table at the end. The
exit status is 1 only when some student could not be graded (or fed back).

Modules
-------
rows
    The gradebook rows of one student's submission, copied from a worker's
    gradebook into the real one.
outcome
    What happened to one student, and nbgrader's log parsed into warnings.
pool
    The worker processes and the parent process that feeds them.
summary
    The table at the end of a run.
command
    The ``autograde`` and ``generate-feedback`` subcommands
    (:func:`register_commands`).
"""

from genenorm_edu.grading.parallel.command import register_commands
from genenorm_edu.grading.parallel.outcome import StudentOutcome, parse_log
from genenorm_edu.grading.parallel.pool import StepRun, run_students
from genenorm_edu.grading.parallel.rows import (
    CommentRow,
    GradeRow,
    SubmissionRows,
    read_submission_rows,
    snapshot_gradebook,
    write_submission_rows,
)
from genenorm_edu.grading.parallel.summary import summary_table

__all__ = [
    "CommentRow",
    "GradeRow",
    "StepRun",
    "StudentOutcome",
    "SubmissionRows",
    "parse_log",
    "read_submission_rows",
    "register_commands",
    "run_students",
    "snapshot_gradebook",
    "summary_table",
    "write_submission_rows",
]

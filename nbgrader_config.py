"""nbgrader configuration of the genenorm-edu course.

Run every ``nbgrader`` command from the repository root so that this file is
read. The course layout is nbgrader's own, renamed:

- ``solutions/<assignment>/<assignment>.ipynb``: instructor notebooks with the
  solutions and the hidden tests (nbgrader's *source* directory);
- ``notebooks/<assignment>/<assignment>.ipynb``: the student notebooks made
  by ``nbgrader generate_assignment`` (nbgrader's *release* directory; the
  repository keeps them stripped of outputs, see ``genenorm-edu release``);
- ``submitted/``, ``autograded/``, ``feedback/`` and ``gradebook.db``: created
  by collecting and grading; git-ignored.

Every option below is one that instructors otherwise discover the hard way,
usually in the middle of grading a class.
"""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from genenorm_edu.grading.environment import ensure_alembic_on_path
from genenorm_edu.grading.submission_file import TolerantNotebookExporter
from genenorm_edu.grading.preprocessors import (
    FeedbackWithoutHiddenTests,
    GradingExecute,
    LogScore,
    OutOfReachGrades,
    RecordAnswers,
    RepairCellMetadata,
    RestoreMissingCells,
)

# A new gradebook is made by running the `alembic` command found on PATH; a
# server or command started as .venv/bin/... without an activated venv would
# not find it, fail, and leave a half-made gradebook.db behind.
ensure_alembic_on_path()

c = get_config()  # noqa: F821 -- injected by traitlets when it loads this file

c.CourseDirectory.course_id = "genenorm-edu"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"

# The exchange (where `nbgrader release_assignment` puts assignments and
# `nbgrader collect` finds submissions) defaults to /usr/local/share, which a
# normal user cannot create. Keep it beside the course (git-ignored); on a
# JupyterHub, point it at a directory every user can reach instead.
exchange_root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exchange")
os.makedirs(exchange_root, exist_ok=True)
c.Exchange.root = exchange_root

# --- How a submission is graded --------------------------------------------------
# Points never depend on the student's kernel. Each exercise's test cells are
# decided by OutOfReachGrades: the answer cell, as submitted, runs in a fresh
# sandboxed interpreter that has only the lesson's modules (numpy, ...), the
# function is called on the visible and the hidden cases, and only plain data
# (arrays, numbers, tuples) comes back to be judged in this process. The
# notebook still runs in a kernel (sandboxed too: GradingExecute), so that the
# feedback shows the student's outputs and visible-test messages; hidden-test
# cells never reach that kernel. See README.md, "How grading works".

# Each cell may run this many seconds. The lessons' cells take well under a
# few seconds each, so a cell still running after a minute is an infinite loop
# or a runaway. On timeout the kernel is interrupted, and restarted if it does
# not stop (a loop that catches KeyboardInterrupt), so that later cells do not
# each wait for their own timeout.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
# A kernel that stays busy after the interrupt is handled by GradingExecute;
# nbclient must not abort the whole notebook meanwhile.
c.Execute.raise_on_iopub_timeout = False
# A call of a student's function on one test case: a second at most for the
# course's inputs; 10 s is an endless loop.
c.OutOfReachGrades.seconds_per_case = 10.0
# Resource limits of the process that calls a student's function (per exercise).
c.OutOfReachGrades.runner_memory_mib = 3072
c.OutOfReachGrades.runner_cpu_seconds = 300
# The kernel may spend this long on one notebook in all; the cells left after
# that are not run (the exercises are still graded, out of reach).
c.GradingExecute.notebook_seconds = 600
# Resource limits of the sandboxed kernel (per student notebook).
c.SandboxedKernelManager.memory_mib = 4096
c.SandboxedKernelManager.cpu_seconds = 900

# --- Sanitizing submissions ----------------------------------------------------
# A damaged notebook file (invalid JSON, a cell without source...) would stop
# nbgrader with no grade for that student: it is repaired where possible, or
# graded as an empty notebook, and the feedback says which.
c.Autograde.exporter_class = TolerantNotebookExporter
# RecordAnswers keeps the answer cells as submitted (duplicated or with edited
# metadata too). RepairCellMetadata resets every cell's nbgrader metadata to
# the gradebook's (edited points, flags or ids; duplicated cells keep the last),
# and RestoreMissingCells puts deleted test cells back (a deleted failing test
# must not turn a 0 into "needs manual grading" forever, nbgrader #1682).
c.OverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    RecordAnswers,
    RepairCellMetadata,
    OverwriteKernelspec,
    RestoreMissingCells,
    CheckCellMetadata,
]
c.Autograde.autograde_preprocessors = [
    GradingExecute,
    OutOfReachGrades,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
    LogScore,
]

# --- Feedback ------------------------------------------------------------------
# nbgrader puts hidden tests back into the autograded notebooks and, by
# design, shows them in the feedback HTML (nbgrader issues #917, #1363).
# FeedbackWithoutHiddenTests removes them (and tracebacks quoting them), and
# any output that quotes the grader's hidden cases.
c.GenerateFeedback.preprocessors = [
    GetGrades,
    FeedbackWithoutHiddenTests,
    CSSHTMLHeaderPreprocessor,
]

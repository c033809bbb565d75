"""nbgrader configuration of the genenorm-edu course.

Run every ``nbgrader`` command from the repository root so that this file is
read. The course layout is nbgrader's own, renamed:

- ``solutions/<assignment>/<assignment>.ipynb``: instructor notebooks with the
  solutions and the hidden tests (nbgrader's *source* directory);
- ``notebooks/<assignment>/<assignment>.ipynb``: the student notebooks made
  by ``nbgrader generate_assignment`` (nbgrader's *release* directory; the
  repository keeps them stripped of outputs, see ``python -m
  genenorm_edu.course release``);
- ``submitted/``, ``autograded/``, ``feedback/`` and ``gradebook.db``: created
  by collecting and grading; git-ignored.

Every option below is one that instructors otherwise discover the hard way,
usually in the middle of grading a class.
"""

import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    OverwriteKernelspec,
)

from genenorm_edu.course import (
    ClearHiddenTestsAndTracebacks,
    RestoreMissingCells,
    ensure_alembic_on_path,
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

# --- Executing student notebooks (autograde and validate) -------------------
# Each cell may run this many seconds. The lessons' cells take well under a
# few seconds each (lessons 2 and 3 load the cached data set in about one),
# so a cell still running after a minute is an infinite loop or a runaway.
c.Execute.timeout = 60
# On timeout, interrupt the kernel (KeyboardInterrupt in the cell), record a
# CellTimeoutError in the cell, and go on with the next cell.
c.Execute.interrupt_on_timeout = True
# A student loop that catches KeyboardInterrupt (``except:`` or ``except
# BaseException:``) keeps the kernel busy after the interrupt, so the kernel
# never reports "idle". nbgrader's default (True) then raises and aborts the
# whole notebook, which autograde reports as a failure for that student and
# leaves without grades. With False, nbclient logs a warning and carries on:
# the looping cell and every cell after it time out and score 0, and the
# autograde run finishes normally.
c.Execute.raise_on_iopub_timeout = False

# --- Sanitizing submissions ----------------------------------------------------
# Students delete cells, even locked ones. Restore deleted test cells from
# the gradebook, so that deleting a failing test cannot turn a 0 into a
# missing grade ("needs manual grading" forever, nbgrader issue #1682).
c.OverwriteCells.add_missing_cells = True
# nbgrader's own restore step crashes (KeyError, no grade) when the cell
# before a deleted test cell lost its metadata too; RestoreMissingCells is
# OverwriteCells with a sturdier way of finding where the cell goes.
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    RestoreMissingCells,
    CheckCellMetadata,
]

# --- Feedback ------------------------------------------------------------------
# nbgrader puts hidden tests back into the autograded notebooks and, by
# design, shows them in the feedback HTML (nbgrader issues #917, #1363).
# Hidden tests are hidden so that next year's students cannot see them:
# remove them from the feedback, together with the traceback lines of
# failing hidden tests (which quote the failing line of test code). The
# error message itself stays, so students still learn what failed.
c.GenerateFeedback.preprocessors = [
    GetGrades,
    ClearHiddenTestsAndTracebacks,
    CSSHTMLHeaderPreprocessor,
]

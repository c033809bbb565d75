"""Where the course is: its assignments and the folders of a source checkout.

The instructor notebooks (solutions and hidden-test cells) live in
``solutions/<assignment>/<assignment>.ipynb`` (nbgrader's *source*
directory); the student notebooks made from them, in
``notebooks/<assignment>/<assignment>.ipynb`` (nbgrader's *release*
directory). Grading tooling is in :mod:`genenorm_edu.grading`.

While the grader runs a notebook, the environment variable
``GENENORM_EDU_GRADING`` is ``1`` (:func:`under_grading`): timings of the
lessons then do the least work that still runs every line, since the grader
runs every notebook once per student.
"""

from __future__ import annotations

import os
from pathlib import Path

from genenorm_edu.exercises import LESSONS

__all__ = [
    "ASSIGNMENTS",
    "GRADING_ENV",
    "RELEASE_DIRECTORY",
    "REPO_ROOT",
    "SOURCE_DIRECTORY",
    "under_grading",
]

#: The course's assignments, in teaching order; each holds one notebook of
#: the same name.
ASSIGNMENTS: tuple[str, ...] = tuple(LESSONS)

#: The repository root of a source checkout (where ``nbgrader_config.py`` is).
REPO_ROOT = Path(__file__).resolve().parent.parent

#: nbgrader's source and release directories, relative to the course root.
SOURCE_DIRECTORY = "solutions"
RELEASE_DIRECTORY = "notebooks"

#: Set to ``1`` in the kernel that runs a notebook for grading.
GRADING_ENV = "GENENORM_EDU_GRADING"


def under_grading() -> bool:
    """Whether this process runs a notebook for the grader.

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {GRADING_ENV: "1"}):
    ...     under_grading()
    True
    >>> with mock.patch.dict(os.environ, {GRADING_ENV: "0"}):
    ...     under_grading()
    False
    """
    return os.environ.get(GRADING_ENV, "") == "1"

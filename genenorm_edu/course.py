"""Where the course is: its assignments and the folders of a source checkout.

The instructor notebooks (solutions and hidden-test cells) live in
``solutions/<assignment>/<assignment>.ipynb`` (nbgrader's *source*
directory); the student notebooks made from them, in
``notebooks/<assignment>/<assignment>.ipynb`` (nbgrader's *release*
directory). Grading tooling is in :mod:`genenorm_edu.grading`.
"""

from __future__ import annotations

from pathlib import Path

from genenorm_edu.exercises import LESSONS

__all__ = ["ASSIGNMENTS", "RELEASE_DIRECTORY", "REPO_ROOT", "SOURCE_DIRECTORY"]

#: The course's assignments, in teaching order; each holds one notebook of
#: the same name.
ASSIGNMENTS: tuple[str, ...] = tuple(LESSONS)

#: The repository root of a source checkout (where ``nbgrader_config.py`` is).
REPO_ROOT = Path(__file__).resolve().parent.parent

#: nbgrader's source and release directories, relative to the course root.
SOURCE_DIRECTORY = "solutions"
RELEASE_DIRECTORY = "notebooks"

"""What nbgrader needs from the process environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["ensure_alembic_on_path"]


def ensure_alembic_on_path() -> None:
    """Put this interpreter's ``bin`` directory on ``PATH`` if it is missing.

    When nbgrader creates a new gradebook it runs the ``alembic`` command
    found on ``PATH``. Without an activated virtualenv that command is not
    found, the gradebook is left half-made, and the command fails. (Running
    ``.venv/bin/nbgrader`` or ``.venv/bin/genenorm-edu`` does not activate
    anything.)
    """
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if bin_dir not in path.split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + path

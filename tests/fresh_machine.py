"""What a fresh machine lacks, for tests that run the README's commands.

:func:`path_without` makes a ``PATH`` folder that has every program of this
machine's ``PATH`` but the ones named: a student's machine without
bubblewrap, Chromium, ``sudo`` or ``apt-get``. :func:`scratch_folder` makes
a folder that the user ``nobody`` can use (pytest's ``tmp_path`` is root's only).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

#: Programs a student's machine does not have (or that a student must never be sent to).
NOT_ON_A_STUDENTS_MACHINE = ("bwrap", "sudo", "apt-get", "apt", "chromium", "chromium-browser", "chromedriver")


def path_without(folder: Path, programs: Iterable[str] = NOT_ON_A_STUDENTS_MACHINE) -> str:
    """Fill the new ``folder`` with links to every program on ``PATH`` but ``programs``; return it."""
    hidden = set(programs)
    folder.mkdir()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or not Path(directory).is_dir():
            continue
        for program in Path(directory).iterdir():
            target = folder / program.name
            if program.name in hidden or target.exists() or target.is_symlink():
                continue
            if program.is_file() and os.access(program, os.X_OK):
                target.symlink_to(program.resolve())
    return str(folder)


@contextlib.contextmanager
def scratch_folder(prefix: str, mode: int) -> Iterator[Path]:
    """A new folder with permissions ``mode`` (e.g. 0o755: ``nobody`` reads it), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(mode)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)

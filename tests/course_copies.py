"""Copies of the course for tests that run it as an instructor or a student would.

- :func:`instructor_course` copies what an instructor's clone holds and links
  the repository's ``.venv`` into it (``make setup`` there is then a no-op);
- :func:`make_student_bundle` writes a student copy as the instructor does;
- :func:`student_environment` gives a student copy (``genenorm-edu
  student-bundle``) its ``.venv`` in a second: a virtualenv that imports the
  student copy's library and, for the third-party packages, this test run's
  site-packages. ``make setup`` would pip-install the same packages;
  everything else runs as the student copy's README says;
- :func:`readme_blocks` reads the ``<!-- round-trip: NAME -->`` code blocks of
  a README, the commands the guides tell people to run;
- :func:`shell_environment` is the environment of a fresh terminal: no
  virtualenv on ``PATH``, its own ``HOME``;
- :func:`grade_cell_points` gives the points of a lesson's test cells.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def grade_cell_points(solution) -> dict[str, float]:
    """The points of each test cell (by grade id) of an instructor notebook."""
    points = {}
    for cell in solution.cells:
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("grade"):
            points[grading["grade_id"]] = float(grading["points"])
    return points

#: What an instructor's clone holds, as far as the course needs.
COURSE_FILES = ("Makefile", ".ci", "pyproject.toml", "README.md", "nbgrader_config.py", "solutions", "notebooks")

_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)<!-- round-trip: (?P<name>[\w-]+) -->\n"
    r"(?P=indent)```bash\n(?P<body>.*?)\n(?P=indent)```",
    re.MULTILINE | re.DOTALL,
)


def readme_blocks(readme: Path) -> dict[str, str]:
    """The marked code blocks of ``readme``: ``{name: commands}``.

    Examples
    --------
    >>> import tempfile
    >>> text = "1. Do:\\n\\n   <!-- round-trip: step -->\\n   ```bash\\n   make x\\n   ```\\n"
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "README.md").write_text(text)
    ...     readme_blocks(Path(folder) / "README.md")
    {'step': 'make x'}
    """
    text = Path(readme).read_text(encoding="utf-8")
    return {match["name"]: textwrap.dedent(match["body"]).strip() for match in _BLOCK.finditer(text)}


def shell_environment(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a new terminal of a user whose home is ``home``.

    The test run's virtualenv is taken off ``PATH`` (the guides' commands must
    find their tools themselves), ``make``'s variables are dropped, and the
    course data comes from the tests' cache. ``PYTHON=false`` makes a
    ``make setup`` that would rebuild a (linked) virtualenv fail instead.
    """
    from genenorm_edu.data import DATA_DIR_ENV, data_dir

    environment = dict(os.environ)
    venv_bin = Path(sys.executable).parent.resolve()
    environment["PATH"] = os.pathsep.join(
        entry for entry in environment.get("PATH", "").split(os.pathsep) if entry and Path(entry).resolve() != venv_bin
    )
    for name in ("VIRTUAL_ENV", "MAKEFLAGS", "MAKELEVEL", "MFLAGS", "JUPYTER_CONFIG_PATH", "MPLBACKEND"):
        environment.pop(name, None)
    environment.update(HOME=str(home), PYTHON="false", **{DATA_DIR_ENV: str(data_dir())}, **extra)
    return environment


def instructor_course(target: Path) -> Path:
    """A copy of the course as an instructor's clone has it, with ``.venv`` linked in."""
    stamp = REPO_ROOT / ".venv" / ".installed"
    if not stamp.is_file() or stamp.stat().st_mtime < (REPO_ROOT / "pyproject.toml").stat().st_mtime:
        raise RuntimeError("run `make setup` first: the course copy links the repository's .venv")
    target.mkdir(parents=True)
    for name in COURSE_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        else:
            shutil.copy2(source, target / name)  # keeps mtimes: make setup stays a no-op
    (target / ".venv").symlink_to(REPO_ROOT / ".venv")
    return target


def make_student_bundle(folder: Path) -> Path:
    """Write a student copy with the command line, from a course root made in ``folder``.

    Returns the student copy (``folder/genenorm-edu-student``).
    """
    root = folder / "course-root"
    root.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", root)
    shutil.copytree(REPO_ROOT / "notebooks", root / "notebooks")
    target = folder / "genenorm-edu-student"
    done = subprocess.run(
        [sys.executable, "-m", "genenorm_edu.cli", "student-bundle", str(target)],
        cwd=root, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return target


def student_environment(bundle: Path) -> Path:
    """Give the student copy ``bundle`` a ``.venv`` without pip-installing anything.

    Returns the virtualenv's Python.
    """
    venv = bundle / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    # The student copy's library first, then this run's third-party packages.
    # (.pth files of that site-packages, such as the editable install of this
    # repository, are not processed: only the course copy's library is seen.)
    Path(purelib, "course-environment.pth").write_text(
        f"{bundle.resolve()}\n{sysconfig.get_paths()['purelib']}\n", encoding="utf-8"
    )
    # The data files pip installs with the packages: Jupyter's settings that
    # enable server extensions, and the JupyterLab extensions.
    for data in ("etc/jupyter", "share/jupyter"):
        (venv / data).parent.mkdir(parents=True, exist_ok=True)
        (venv / data).symlink_to(Path(sys.prefix) / data)
    pyproject = bundle / "pyproject.toml"
    os.utime(pyproject, (pyproject.stat().st_atime, pyproject.stat().st_mtime - 60))
    (venv / ".installed").touch()  # what `make setup` leaves when done
    return python


def run_block(commands: str, cwd: Path, environment: dict[str, str], timeout: float = 900) -> str:
    """Run a README block in bash, stopping at the first failing command; return its output.

    Raises
    ------
    AssertionError
        If a command fails, with the output so far.
    """
    done = subprocess.run(
        ["bash", "-c", f"set -e -o pipefail\n{commands}"],
        cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"in {cwd}:\n{commands}\nfailed ({done.returncode}):\n{output[-6000:]}"
    return output

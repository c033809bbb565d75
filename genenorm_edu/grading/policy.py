"""What sandboxed student code may see and use while it is graded: one policy, two commands.

Student code runs in two places during grading: the notebook's kernel
(:mod:`genenorm_edu.grading.kernel`) and the out-of-reach runner that calls
the student's functions on the visible and hidden cases
(:mod:`genenorm_edu.grading.calls`). Both commands are made here, from the
same rules, with :func:`~genenorm_edu.grading.sandbox.sandboxed_command`:

- neither sees the course directory nor the repository (:func:`keep_out`),
  whether the library is imported from a source checkout (an editable
  install) or installed in ``site-packages`` (:func:`source_checkout`);
- the kernel sees the course library without its secrets
  (:data:`SECRET_PATHS`: reference solutions, the grader and its hidden
  cases; nor :data:`BYTECODE_DIR`, which holds the reference solutions
  compiled), the course data read-only, and a private scratch folder;
- the runner sees no part of the course library, only its own two files
  (``_runner.py``, ``codec.py``) and ``exercises/answer_cell.py``, and no folder of the grader's: its input
  and output are pipes (:mod:`genenorm_edu.grading.channel`);
- neither has a network.

Limits: :data:`RUNNER_LIMITS` by default for the runner (configurable as
``c.OutOfReachGrades.runner_*``), the kernel's in
``c.SandboxedKernelManager.*``.
"""

from __future__ import annotations

import functools
import importlib.metadata
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from genenorm_edu.grading.sandbox import Limits, Mounts, python_paths, sandbox_support, sandboxed_command

__all__ = [
    "BYTECODE_DIR",
    "PACKAGE_DIR",
    "RUNNER_LIMITS",
    "SECRET_PATHS",
    "keep_out",
    "kernel_command",
    "runner_command",
    "source_checkout",
]

#: The installed ``genenorm_edu`` package.
PACKAGE_DIR = Path(__file__).resolve().parent.parent

#: Parts of the package a student's code must not read: reference solutions
#: and the grader (hidden tests among it). Folders, so that hiding one hides
#: every module in it and their compiled copies (``__pycache__``) too.
SECRET_PATHS = (PACKAGE_DIR / "reference", PACKAGE_DIR / "grading")

#: Compiled copies of the package's top-level modules (pip writes them when it
#: installs; Python when it first imports one). Hidden too: a checkout or install
#: of the layout before ``reference/`` may still hold ``reference.py``'s bytecode here.
BYTECODE_DIR = PACKAGE_DIR / "__pycache__"

RUNNER = Path(__file__).with_name("_runner.py")
CODEC = Path(__file__).with_name("codec.py")
ANSWER_CELL = PACKAGE_DIR / "exercises" / "answer_cell.py"

#: Default limits of the process running a student's function on the cases.
RUNNER_LIMITS = Limits(memory_bytes=3 * 2**30, cpu_seconds=300, processes=64)


@functools.cache
def source_checkout(
    package_dir: Path = PACKAGE_DIR, distribution: str = "genenorm-edu"
) -> Path | None:
    """The source checkout the library is imported from, or None if it is installed.

    A regular install (``pip install .``, conda) copies the package into a
    folder of installed packages, next to its ``.dist-info`` record (whose
    ``RECORD`` lists the package's files): that
    folder is ``site-packages``, which every sandbox must see (the
    third-party packages are there). Anywhere else (an editable install, a
    checkout on ``sys.path``) the folder above the package is the
    repository, with the solutions and the course: no sandbox shows it.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     package = Path(folder, "genenorm_edu")
    ...     source_checkout(package, "no-such-distribution") == Path(folder)
    True
    """
    init = Path(package_dir.name, "__init__.py")
    for installed in importlib.metadata.distributions(name=distribution):
        # RECORD: written by installers only (a checkout's .egg-info has none).
        if installed.read_text("RECORD") is None:
            continue
        recorded = any(Path(str(entry)) == init for entry in installed.files or ())
        place = Path(installed.locate_file(init)).resolve()
        if recorded and place == (package_dir / "__init__.py").resolve():
            return None
    return package_dir.parent


def keep_out() -> tuple[Path, ...]:
    """Directories no sandbox shows, even where Python's paths lie below them.

    The working directory (the course) and, unless the library is installed,
    its source checkout (:func:`source_checkout`).
    """
    checkout = source_checkout()
    return (Path.cwd(), *([checkout] if checkout is not None else []))


def runner_command(reply_fd: int, *, limits: Limits, cgroup: Path | None) -> list[str]:
    """The sandboxed command of the out-of-reach runner, replying on descriptor ``reply_fd``.

    Its working directory and home are the sandbox's private ``/tmp``
    (without bubblewrap: the caller's working directory).
    """
    # A package installed in site-packages would be importable: hide it (its
    # three files above are mounted inside it, after it: they stay visible).
    bound = python_paths(keep_out=keep_out())
    hidden = tuple(PACKAGE_DIR for path in bound if path in PACKAGE_DIR.parents)[:1]
    return sandboxed_command(
        [sys.executable, "-I", "-B", str(RUNNER), str(reply_fd), str(ANSWER_CELL)],
        mounts=Mounts(read_only=(RUNNER, CODEC, ANSWER_CELL), hidden=hidden),
        limits=limits,
        chdir=Path("/tmp"),
        environment={"HOME": "/tmp", "TMPDIR": "/tmp", "MPLBACKEND": "Agg"},
        keep_out=keep_out(),
        network=False,
        cgroup=cgroup,
        support=sandbox_support(),
    )


def kernel_command(
    command: Sequence[str],
    *,
    scratch: Path,
    connection_file: Path,
    data_dir: Path | None,
    environment: Mapping[str, str],
    limits: Limits,
    cgroup: Path | None,
) -> list[str]:
    """The sandboxed command of a grading kernel (``command``: the ipykernel command line)."""
    mounts = Mounts(
        read_only=(connection_file, PACKAGE_DIR, *([data_dir] if data_dir is not None else [])),
        writable=(scratch,),
        hidden=(*SECRET_PATHS, BYTECODE_DIR),
    )
    return sandboxed_command(
        command,
        mounts=mounts,
        limits=limits,
        chdir=scratch,
        environment=environment,
        keep_out=keep_out(),
        network=False,
        cgroup=cgroup,
        support=sandbox_support(),
    )

"""Run student code where it can read and write only what it needs, within limits.

During grading, student code runs in two places: the notebook's kernel, and
the processes that call the student's functions on hidden inputs. Both are
started through :func:`sandboxed_command`, which puts together

- a **bubblewrap** sandbox (``bwrap``, Debian package ``bubblewrap``): a
  new, empty file system where only the Python installation, the system
  libraries and the paths the caller names are visible (read-only unless
  named writable), a private ``/tmp``, its own process and network
  namespaces (no network at all for the hidden-test runner), and no view of
  the course directory, the gradebook, the exchange, the solutions or other
  students' files;
- **resource limits** (:class:`Limits`, applied by ``_launch.py``): memory,
  CPU time, file size, and a cap on processes (a ``pids`` cgroup where the
  machine allows one, ``RLIMIT_NPROC`` otherwise) so that a huge allocation
  or a fork bomb fails that student, not the grading run.

Where bubblewrap is missing or cannot create namespaces, commands run with
the limits only, and :func:`sandbox_support` says why: the grader logs it
loudly and goes on grading (students' code can then read the course files).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from genenorm_edu.grading.process_group import ProcessGroupLimit, pids_cgroup_root

__all__ = [
    "Limits",
    "Mounts",
    "SandboxSupport",
    "ProcessGroupLimit",
    "sandbox_support",
    "sandboxed_command",
    "python_paths",
]

LAUNCHER = Path(__file__).with_name("_launch.py")

#: System directories every sandbox sees, read-only.
SYSTEM_PATHS = ("/usr", "/bin", "/lib", "/lib64", "/sbin")
#: Files of /etc a Python process may read (dynamic linker, time zone, users).
ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/hosts",
)


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed process tree.

    Attributes
    ----------
    memory_bytes : int
        Address space of each process.
    cpu_seconds : int
        CPU time of each process.
    file_bytes : int
        Largest file a process may write.
    open_files : int
        Open file descriptors per process.
    processes : int
        Processes and threads of the whole tree.
    """

    memory_bytes: int = 4 * 2**30
    cpu_seconds: int = 900
    file_bytes: int = 256 * 2**20
    open_files: int = 1024
    processes: int = 256


@dataclass(frozen=True)
class Mounts:
    """What a sandboxed process sees of the file system, beyond Python and the system.

    Attributes
    ----------
    read_only : tuple of Path
        Files and directories visible read-only, at their own paths.
    writable : tuple of Path
        Directories visible read-write, at their own paths.
    hidden : tuple of Path
        Paths inside the above that are masked: a directory shows empty, a
        file shows empty.
    """

    read_only: tuple[Path, ...] = ()
    writable: tuple[Path, ...] = ()
    hidden: tuple[Path, ...] = ()


@dataclass(frozen=True)
class SandboxSupport:
    """What isolation this machine offers.

    Attributes
    ----------
    bwrap : str or None
        Path of a working ``bwrap``, or None.
    cgroup_root : Path or None
        A ``pids`` cgroup directory where per-sandbox cgroups can be made.
    problems : tuple of str
        Why something is missing, in words for the instructor.
    """

    bwrap: str | None
    cgroup_root: Path | None
    problems: tuple[str, ...] = field(default=())

    @property
    def isolated(self) -> bool:
        """True if student code runs in a bubblewrap sandbox."""
        return self.bwrap is not None


def _working_bwrap() -> tuple[str | None, str]:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None, "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    try:
        done = subprocess.run(
            [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"bubblewrap does not start: {error}"
    if done.returncode != 0:
        return None, f"bubblewrap cannot create namespaces here: {done.stderr.strip()}"
    return bwrap, ""


@functools.cache
def sandbox_support() -> SandboxSupport:
    """Find out, once per process, which isolation this machine offers.

    Set ``GENENORM_EDU_NO_SANDBOX=1`` to grade without bubblewrap on purpose.
    """
    problems = []
    if os.environ.get("GENENORM_EDU_NO_SANDBOX") == "1":
        bwrap, why = None, "GENENORM_EDU_NO_SANDBOX=1 turned the sandbox off"
    else:
        bwrap, why = _working_bwrap()
    if why:
        problems.append(why)
    cgroup_root, why = pids_cgroup_root()
    if why:
        problems.append(why)
    return SandboxSupport(bwrap=bwrap, cgroup_root=cgroup_root, problems=tuple(problems))


def _is_at_or_above(path: Path, others: Iterable[Path]) -> bool:
    return any(other == path or path in other.parents for other in others)


def python_paths(keep_out: Sequence[Path] = ()) -> tuple[Path, ...]:
    """Directories the Python interpreter needs: its installation, its virtualenv, ``sys.path``.

    Entries that are, or contain, a path of ``keep_out`` (the course
    directory, the repository) are left out: binding a parent would show
    everything below it. Relative entries count from the working directory.
    """
    keep_out = [Path(path).resolve() for path in keep_out]
    candidates = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix)}
    candidates |= {Path(entry).absolute() for entry in sys.path if entry}
    found = set()
    for candidate in candidates:
        for path in (candidate.absolute(), candidate.resolve()):
            if path.is_dir() and not _is_at_or_above(path, keep_out):
                found.add(path)
    executable = Path(sys.executable).resolve()
    if not _is_at_or_above(executable.parent, keep_out):
        found.add(executable.parent)
    return tuple(sorted(found))


@functools.cache
def _empty_file() -> str:
    """An empty, read-only regular file to show in place of a hidden file."""
    handle, path = tempfile.mkstemp(prefix="genenorm-edu-hidden-")
    os.close(handle)
    os.chmod(path, 0o444)
    atexit.register(os.unlink, path)
    return path


def _bind_system(arguments: list[str]) -> None:
    for name in SYSTEM_PATHS:
        path = Path(name)
        if path.is_symlink():
            arguments += ["--symlink", os.readlink(path), name]
        elif path.exists():
            arguments += ["--ro-bind", name, name]
    for name in ETC_FILES:
        if os.path.exists(name):
            arguments += ["--ro-bind", name, name]


def _mount_arguments(mounts: Mounts) -> list[str]:
    """bwrap's arguments for ``mounts``, outer paths first.

    A path inside another (a runner's file in a hidden package, a hidden
    folder in a read-only one) is mounted after it, so that it is the one
    seen; at equal depth, hiding wins. A hidden folder is an empty tmpfs,
    made read-only once the paths inside it are mounted.

    Examples
    --------
    >>> package = Path(tempfile.mkdtemp())
    >>> runner = package / "run.py"
    >>> mounts = Mounts(read_only=(runner,), hidden=(package,))
    >>> [str(part).replace(str(package), "PACKAGE") for part in _mount_arguments(mounts)]
    ['--tmpfs', 'PACKAGE', '--ro-bind', 'PACKAGE/run.py', 'PACKAGE/run.py', '--remount-ro', 'PACKAGE']
    >>> package.rmdir()
    """
    kinds = [
        *((path, "--ro-bind") for path in mounts.read_only),
        *((path, "--bind") for path in mounts.writable),
        *((path, "hidden") for path in mounts.hidden),
    ]
    order = {"--ro-bind": 0, "--bind": 1, "hidden": 2}
    arguments: list[str] = []
    remount = []
    for path, kind in sorted(kinds, key=lambda item: (len(Path(item[0]).parts), order[item[1]])):
        if kind != "hidden":
            arguments += [kind, str(path), str(path)]
        elif Path(path).is_dir():
            arguments += ["--tmpfs", str(path)]
            remount.append(str(path))
        elif Path(path).exists():
            arguments += ["--ro-bind", _empty_file(), str(path)]
    for path in reversed(remount):  # inner folders first: the outer ones are still writable
        arguments += ["--remount-ro", path]
    return arguments


def _bwrap_arguments(
    bwrap: str,
    mounts: Mounts,
    *,
    keep_out: Sequence[Path],
    chdir: Path,
    environment: Mapping[str, str],
    network: bool,
) -> list[str]:
    # No --new-session: the callers start the launcher in a new session already
    # (no controlling terminal), and the kernel must stay in the launcher's
    # process group, which is where interrupts (SIGINT) are sent.
    arguments = [bwrap, "--unshare-all", "--die-with-parent"]
    if network:
        arguments.append("--share-net")
    # Later mounts hide what lies under them: /tmp first (Python may live
    # below it), then the system and Python, then the caller's mounts.
    arguments += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    _bind_system(arguments)
    for path in python_paths(keep_out):
        arguments += ["--ro-bind", str(path), str(path)]
    arguments += _mount_arguments(mounts)
    arguments += ["--clearenv"]
    for name, value in environment.items():
        arguments += ["--setenv", name, value]
    arguments += ["--chdir", str(chdir)]
    return arguments


#: Environment of every sandboxed process (one thread per numerical library).
BASE_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def sandboxed_command(
    command: Sequence[str],
    *,
    mounts: Mounts,
    limits: Limits,
    chdir: Path,
    environment: Mapping[str, str],
    keep_out: Sequence[Path] = (),
    network: bool = False,
    cgroup: Path | None = None,
    support: SandboxSupport | None = None,
) -> list[str]:
    """The command line that runs ``command`` sandboxed and limited.

    Parameters
    ----------
    command : sequence of str
        The program and its arguments (paths as seen inside the sandbox,
        which are the host's paths).
    mounts : Mounts
        What the program may see besides Python and the system.
    limits : Limits
        Resource limits.
    chdir : Path
        Working directory (must be visible).
    environment : mapping
        Environment variables, on top of :data:`BASE_ENVIRONMENT`.
    keep_out : sequence of Path
        Directories that must stay invisible even if Python's paths lie
        below them (the course directory, the repository).
    network : bool
        Keep the host's network (loopback included). Off: no network.
    cgroup : Path, optional
        A :class:`ProcessGroupLimit` path the process tree joins.
    support : SandboxSupport, optional
        Default: :func:`sandbox_support`.

    Returns
    -------
    list of str
        ``python -I -S _launch.py <limits> -- bwrap ... command`` (without
        ``bwrap`` where the machine has no working bubblewrap).
    """
    support = support or sandbox_support()
    environment = {**BASE_ENVIRONMENT, **environment}
    launch = [
        sys.executable, "-I", "-S", str(LAUNCHER),
        "--memory", str(limits.memory_bytes),
        "--cpu", str(limits.cpu_seconds),
        "--file-size", str(limits.file_bytes),
        "--open-files", str(limits.open_files),
        "--processes", str(limits.processes),
    ]  # fmt: skip
    if cgroup is not None:
        launch += ["--cgroup", str(cgroup)]
    if support.bwrap is None:
        environment_command = [
            "env",
            "-i",
            *(f"{key}={value}" for key, value in environment.items()),
        ]
        return [*launch, "--", *environment_command, *command]
    bwrap = _bwrap_arguments(
        support.bwrap,
        mounts,
        keep_out=keep_out,
        chdir=chdir,
        environment=environment,
        network=network,
    )
    return [*launch, "--", *bwrap, *command]

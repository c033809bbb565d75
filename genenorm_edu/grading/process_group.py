"""A cap on the processes of one sandbox: a ``pids`` cgroup (cgroup v1), where the machine allows one.

:func:`pids_cgroup_root` finds out whether this process may make such
cgroups; :class:`ProcessGroupLimit` makes one per sandbox and kills what is
left in it when closed. Where there is none, the sandbox's launcher falls
back on ``RLIMIT_NPROC`` (:mod:`genenorm_edu.grading.sandbox`).
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

__all__ = ["ProcessGroupLimit", "pids_cgroup_root"]


def pids_cgroup_root() -> tuple[Path | None, str]:
    """A directory for per-sandbox ``pids`` cgroups (cgroup v1), if this process may make them."""
    hierarchy = Path("/sys/fs/cgroup/pids")
    root = hierarchy / "genenorm-edu"
    try:
        root.mkdir(exist_ok=True)
        probe = root / f"probe-{uuid.uuid4().hex}"
        probe.mkdir()
        (probe / "pids.max").write_text("1\n")
        probe.rmdir()
    except OSError:
        return None, (
            "no writable pids cgroup: the process limit is RLIMIT_NPROC, which does not "
            "apply to root"
        )
    return root, ""


class ProcessGroupLimit:
    """A ``pids`` cgroup capping the processes of one sandbox; removed on close.

    Examples
    --------
    >>> with ProcessGroupLimit(None, 10) as limit:  # no cgroup support: a no-op
    ...     print(limit.path)
    None
    """

    def __init__(self, root: Path | None, processes: int) -> None:
        self.path: Path | None = None
        if root is None:
            return
        path = root / uuid.uuid4().hex
        try:
            path.mkdir()
            (path / "pids.max").write_text(f"{processes}\n")
        except OSError:
            return
        self.path = path

    def close(self) -> None:
        """Kill what is left in the cgroup, then remove it (waiting up to a second)."""
        if self.path is None:
            return
        for _ in range(50):
            try:
                for pid in (self.path / "cgroup.procs").read_text().split():
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except OSError:  # already gone
                        pass
                self.path.rmdir()
                break
            except OSError:  # processes still exiting
                time.sleep(0.02)
        self.path = None

    def __enter__(self) -> ProcessGroupLimit:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

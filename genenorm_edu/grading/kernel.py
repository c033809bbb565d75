"""The kernel that runs a student's notebook during grading, sandboxed.

:class:`SandboxedKernelManager` starts the usual ``ipykernel`` through
:func:`~genenorm_edu.grading.sandbox.sandboxed_command`: the kernel sees the
Python installation, the course library without its reference solutions and
grading code, the course data (read-only) and a private scratch directory
that is its home and working directory; it has no network (the grader talks
to it over Unix sockets in the scratch directory) and runs within
:class:`~genenorm_edu.grading.sandbox.Limits`. Each kernel gets its own
scratch directory and process cgroup, removed when the kernel shuts down.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer

from genenorm_edu.course import GRADING_ENV
from genenorm_edu.grading.policy import PACKAGE_DIR, SECRET_PATHS, kernel_command
from genenorm_edu.grading.sandbox import Limits, ProcessGroupLimit, sandbox_support

__all__ = ["SandboxedKernelManager", "PACKAGE_DIR", "SECRET_PATHS"]


def _matplotlib_font_cache() -> list[Path]:
    """Matplotlib's font list files on this machine (without importing matplotlib)."""
    folder = os.environ.get("MPLCONFIGDIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "matplotlib"
    )
    return sorted(Path(folder).glob("fontlist-v*.json"))


@functools.cache
def _course_data_dir() -> Path:
    """The course data folder, with the data generated (once per process).

    The sandboxed kernel sees it read-only, so the cache must exist before
    the first kernel starts.
    """
    from genenorm_edu.data import data_dir, load_counts, load_gene_lengths

    load_gene_lengths()
    load_counts()
    return data_dir()


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run sandboxed, with resource limits.

    The limits are configurable (``c.SandboxedKernelManager.memory_mib``...)
    in ``nbgrader_config.py``.
    """

    memory_mib = Integer(4096, help="Address space of the kernel process (MiB).").tag(config=True)
    cpu_seconds = Integer(900, help="CPU seconds the kernel may use in all.").tag(config=True)
    max_processes = Integer(256, help="Processes and threads of the kernel's tree.").tag(
        config=True
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._scratch = Path(tempfile.mkdtemp(prefix="genenorm-edu-kernel-"))
        self.transport = "ipc"
        self.ip = str(self._scratch / "kernel")
        self._process_limit: ProcessGroupLimit | None = None

    @property
    def kernel_spec(self):
        """The kernel's spec, interrupted by message: signals do not cross the sandbox."""
        spec = super().kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec

    @property
    def limits(self) -> Limits:
        """The :class:`Limits` of this kernel."""
        return Limits(
            memory_bytes=self.memory_mib * 2**20,
            cpu_seconds=self.cpu_seconds,
            processes=self.max_processes,
        )

    def _prepare_scratch(self) -> dict[str, str]:
        """Make the scratch home; return the kernel's environment."""
        matplotlib_dir = self._scratch / "matplotlib"
        matplotlib_dir.mkdir(exist_ok=True)
        for font_list in _matplotlib_font_cache():
            shutil.copy(font_list, matplotlib_dir / font_list.name)
        from genenorm_edu.data import DATA_DIR_ENV

        environment = {
            "HOME": str(self._scratch),
            "TMPDIR": "/tmp",
            "MPLCONFIGDIR": str(matplotlib_dir),
            "IPYTHONDIR": str(self._scratch / "ipython"),
            GRADING_ENV: "1",
            # The kernel's parent is outside its process namespace: no parent polling
            # (the sandbox ends with the grader anyway), and no "Ctrl-C" banner.
            "JPY_PARENT_PID": "1",
            DATA_DIR_ENV: str(_course_data_dir()),
        }
        return environment

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The ipykernel command, wrapped in the sandbox and the limits."""
        command = super().format_kernel_cmd(extra_arguments)
        environment = self._prepare_scratch()
        support = sandbox_support()
        if self._process_limit is None:
            self._process_limit = ProcessGroupLimit(support.cgroup_root, self.limits.processes)
        data = Path(environment["GENENORM_EDU_DATA_DIR"])
        return kernel_command(
            command,
            scratch=self._scratch,
            connection_file=Path(self.connection_file).resolve(),
            data_dir=data if data.is_dir() else None,
            environment=environment,
            limits=self.limits,
            cgroup=self._process_limit.path,
        )

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        kw["cwd"] = str(self._scratch)  # without bubblewrap, the working directory
        await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if restart:
            return
        if self._process_limit is not None:
            self._process_limit.close()
            self._process_limit = None
        shutil.rmtree(self._scratch, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources

"""Cluster set-up: a Dask ``LocalCluster`` tuned for digesting files, or a connection to one."""

from __future__ import annotations

import logging
import socket
from urllib.parse import urlsplit

from genenorm_edu.cores import usable_cores
from genenorm_edu.medians.errors import WorkflowAborted

__all__ = ["LOCAL_CLUSTER_CONFIG", "WORKER_PRELOAD", "connect_to_scheduler", "local_cluster"]


#: Dask settings for the workers of :func:`local_cluster`. Dask's statistical
#: profiler samples each worker thread's stack every 10 ms while holding the
#: GIL, and the nanny's default ``MALLOC_TRIM_THRESHOLD_=65536`` makes glibc
#: hand every freed tile back to the OS, so the next tile page-faults again.
#: Each costs about a tenth of a file's digest time (measured: 1.18 s per
#: benchmark file in a default worker, 0.96 s with both off, 0.93 s in-process).
#: The event-loop tick monitor (every 20 ms), the memory monitors (every
#: 100 ms) and the system monitor (every 0.5 s) of the scheduler, nannies
#: and workers are slowed down: with Dask's defaults an idle 2-worker
#: cluster used 38 ms of CPU per second in this process, with these 12 ms
#: (a core shared with the workers on a small machine). Memory use is
#: bounded by the tile size, so a memory check every second is enough.
#: Worker processes are forked from a server process that has already
#: imported the modules the tasks need (see :data:`WORKER_PRELOAD`), instead
#: of each starting a fresh interpreter and importing them again.
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.multiprocessing-method": "forkserver",
    "distributed.admin.tick.interval": "100ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}

#: Modules imported once by the fork server, before any worker starts.
WORKER_PRELOAD = ("distributed", "genenorm_edu.medians.tasks")


def _preload_fork_server() -> None:
    """Have the multiprocessing fork server import only what the workers need.

    Dask's own list also imports pandas and more (in the fork server and,
    to check them, in this process): about a second of the cluster's start.
    Has an effect only before the fork server starts (the first local
    cluster of a process).
    """
    import multiprocessing
    import multiprocessing.forkserver

    import distributed.utils

    server = multiprocessing.forkserver._forkserver
    if getattr(server, "_forkserver_pid", None) is not None:
        return
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(WORKER_PRELOAD))
    if hasattr(distributed.utils, "_forkserver_preload_set"):
        distributed.utils._forkserver_preload_set = True  # keep Dask from replacing the list


def local_cluster(workers: int | None = None):
    """Start a ``distributed.LocalCluster`` tuned for digesting files.

    One single-threaded worker process per core (``workers``: how many;
    default :func:`~genenorm_edu.cores.usable_cores`), no dashboard, and
    :data:`LOCAL_CLUSTER_CONFIG`. Use it as a context manager; pass it to
    ``distributed.Client``.

    Examples
    --------
    >>> from distributed import Client
    >>> with local_cluster(1) as cluster, Client(cluster) as client:  # doctest: +SKIP
    ...     result = run_workflow(["corpus/"], "results/", client=client)
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        _preload_fork_server()
        return LocalCluster(
            n_workers=workers or usable_cores(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )


def connect_to_scheduler(address: str, timeout: float = 10.0):
    """Connect a ``distributed.Client`` to ``address``, or fail within ``timeout`` seconds.

    A TCP address is probed first, so that a scheduler that is not there
    gives a one-line error at once instead of Dask's retries.

    Raises
    ------
    WorkflowAborted
        If the scheduler cannot be reached.
    """
    from distributed import Client

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme in ("tcp", "tls") and parts.hostname and parts.port:
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=timeout):
                pass
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise WorkflowAborted(f"cannot reach the Dask scheduler at {address}: {reason}") from None
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError) as error:
        raise WorkflowAborted(f"cannot connect to the Dask scheduler at {address}: {error}") from None


def _close_quietly(resource) -> None:
    try:
        resource.close(timeout=5)
    except TypeError:
        resource.close()
    except Exception:  # a lost scheduler: nothing left to close
        pass


class _Closing:
    def __init__(self, resource) -> None:
        self.resource = resource

    def close(self) -> None:
        _close_quietly(self.resource)


def open_executor(workers: int | None = None, scheduler: str | None = None, client=None):
    """The :class:`~genenorm_edu.medians.executors.Executor` of a run; close it when done.

    ``client`` (a connected ``distributed.Client``) wins; else ``scheduler``
    (an address: connected here, closed by the executor); else ``workers``
    local processes (default: all usable cores), or this process alone for
    ``workers=1``.

    Raises
    ------
    WorkflowAborted
        If the scheduler cannot be reached.
    ValueError
        If ``workers`` is less than 1.
    """
    from genenorm_edu.medians.executors import DaskExecutor, InProcess, LocalProcesses

    if client is not None:
        return DaskExecutor(client)
    if scheduler is not None:
        connected = connect_to_scheduler(scheduler)
        return DaskExecutor(connected, owns=[_Closing(connected)])
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    count = workers or usable_cores()
    return InProcess() if count == 1 else LocalProcesses(count)

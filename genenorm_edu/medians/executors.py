"""Where tasks run: one interface for this process, local worker processes and a Dask cluster.

An executor takes tasks (module-level functions and their arguments) and
returns futures; an argument may be a future of the same executor, and the
task then runs on its result. :class:`Completions` yields futures as they
finish, in any order, and takes new ones while it runs. The workflow has one
loop over completions, whatever runs the tasks:

* :class:`InProcess`: each task runs in this process when the loop asks for
  the next completion, one after the other in submission order (no
  processes, no pickling: ``workers=1``);
* :class:`LocalProcesses`: a pool of worker processes forked from this one
  (``concurrent.futures``): starts in milliseconds, which is what a run on
  a few local cores needs;
* :class:`DaskExecutor`: a ``distributed.Client`` (a cluster given by
  address or client, or :func:`~genenorm_edu.medians.cluster.local_cluster`);
  futures passed as arguments stay on the workers.
"""

from __future__ import annotations

import multiprocessing
import queue
import sys
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["Completions", "DaskExecutor", "Executor", "InProcess", "LocalProcesses"]


class Executor:
    """Runs tasks; see the module docstring. Subclasses set :attr:`n_workers`."""

    #: How many tasks run at the same time.
    n_workers: int = 1

    def submit(self, function, *arguments):
        """Run ``function(*arguments)`` (futures among them replaced by their results); return a future."""
        raise NotImplementedError

    def share(self, value):
        """``value`` as an argument for many tasks (Dask sends it to each worker once)."""
        return value

    def run_one(self) -> bool:
        """Run one waiting task in this process if the executor does that (see :class:`InProcess`)."""
        return False

    def close(self, wait: bool = True) -> None:
        """Stop the workers started for this executor (nothing for a cluster given by the caller).

        ``wait=False`` (on an error or an interrupt) does not wait for running tasks.
        """

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_) -> None:
        self.close(wait=exc_type is None)


class InProcess(Executor):
    """Tasks run in this process, one at a time, in submission order, when results are wanted.

    Examples
    --------
    >>> executor = InProcess()
    >>> done = Completions(executor)
    >>> done.add(executor.submit(pow, 2, 10), "power")
    >>> [(future.result(), tag) for future, tag in done]
    [(1024, 'power')]
    """

    n_workers = 1

    def __init__(self) -> None:
        self._waiting: deque = deque()

    def submit(self, function, *arguments) -> Future:
        future: Future = Future()
        self._waiting.append((future, function, arguments))
        return future

    def run_one(self) -> bool:
        if not self._waiting:
            return False
        future, function, arguments = self._waiting.popleft()
        if not future.set_running_or_notify_cancel():
            return True
        try:
            values = [_resolved(self, argument) for argument in arguments]
            future.set_result(function(*values))
        except Exception as error:  # the task's failure is its future's
            future.set_exception(error)
        return True


def _resolved(executor: Executor, argument):
    """The value of ``argument``: a future's result (running waiting tasks until it is done)."""
    if not isinstance(argument, Future):
        return argument
    while not argument.done() and executor.run_one():
        pass
    return argument.result()


class LocalProcesses(Executor):
    """A pool of ``workers`` processes on this machine (``concurrent.futures``).

    Workers are forked from this process (they start with its modules
    imported, in milliseconds), as Python does by default on Linux; from
    Python 3.12 on, where forking a process that runs threads is
    deprecated, such a process uses a fork server that imports the task
    module once (a script must then guard its top level with ``if __name__
    == "__main__":``, as for Dask). A task whose arguments include futures
    is sent when they are done, with their results.
    """

    def __init__(self, workers: int, preload: tuple[str, ...] = ("genenorm_edu.medians.tasks",)) -> None:
        self.n_workers = int(workers)
        methods = multiprocessing.get_all_start_methods()
        if "fork" in methods and (threading.active_count() == 1 or sys.version_info < (3, 12)):
            context = multiprocessing.get_context("fork")
        elif "forkserver" in methods:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(list(preload))
        else:
            context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=self.n_workers, mp_context=context)

    def submit(self, function, *arguments) -> Future:
        waiting_for = [argument for argument in arguments if isinstance(argument, Future)]
        if not waiting_for:
            return self._pool.submit(function, *arguments)
        outer: Future = Future()
        remaining = [len(waiting_for)]
        lock = threading.Lock()

        def one_done(_) -> None:
            with lock:
                remaining[0] -= 1
                if remaining[0]:
                    return
            try:
                values = [argument.result() if isinstance(argument, Future) else argument for argument in arguments]
                inner = self._pool.submit(function, *values)
            except BaseException as error:  # a failed dependency, or a pool shut down
                if outer.set_running_or_notify_cancel():
                    outer.set_exception(error)
                return
            inner.add_done_callback(lambda done: _copy_outcome(done, outer))

        for argument in waiting_for:
            argument.add_done_callback(one_done)
        return outer

    def close(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=True)


def _copy_outcome(source: Future, target: Future) -> None:
    if not target.set_running_or_notify_cancel():
        return
    if source.cancelled():
        target.cancel()
    elif source.exception() is not None:
        target.set_exception(source.exception())
    else:
        target.set_result(source.result())


class DaskExecutor(Executor):
    """Tasks on a Dask cluster through ``client`` (closed here only if ``owns`` says so)."""

    def __init__(self, client, owns=()) -> None:
        self.client = client
        self._owned = list(owns)  # the client and cluster started for the run, closed in reverse
        self.n_workers = max(1, sum(client.nthreads().values()))

    def submit(self, function, *arguments):
        return self.client.submit(function, *arguments, pure=False)

    def share(self, value):
        [future] = self.client.scatter([value], broadcast=True)
        return future

    def close(self, wait: bool = True) -> None:
        while self._owned:
            self._owned.pop().close()


class Completions:
    """Futures of an executor as they finish, each with the tag it was added with.

    Futures can be added while iterating; iteration ends when every added
    future has been yielded.
    """

    def __init__(self, executor: Executor) -> None:
        self._executor = executor
        self._finished: queue.SimpleQueue = queue.SimpleQueue()
        self._pending: dict = {}

    def add(self, future, tag=None) -> None:
        self._pending[id(future)] = (future, tag)
        future.add_done_callback(lambda done: self._finished.put(id(done)))

    def cancel_all(self) -> None:
        """Cancel every future not yielded yet."""
        for future, _ in self._pending.values():
            future.cancel()

    def __len__(self) -> int:
        return len(self._pending)

    def __iter__(self):
        return self

    def __next__(self):
        if not self._pending:
            raise StopIteration
        while True:
            try:
                key = self._finished.get_nowait()
            except queue.Empty:
                if self._executor.run_one():
                    continue
                key = self._finished.get()
            if key in self._pending:
                return self._pending.pop(key)

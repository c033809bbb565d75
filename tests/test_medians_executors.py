"""The executors: the same tasks and dependencies in this process, local processes and Dask."""

from __future__ import annotations

import os

import pytest

from genenorm_edu.medians.cluster import open_executor
from genenorm_edu.medians.executors import Completions, InProcess, LocalProcesses


def add(a, b):
    return a + b


def pid_of(_):
    return os.getpid()


def fail(message):
    raise ValueError(message)


def run_graph(executor):
    """A small graph with dependencies; returns {tag: result or exception text}."""
    done = Completions(executor)
    one = executor.submit(add, 1, 2)
    two = executor.submit(add, one, 10)  # depends on a future
    three = executor.submit(add, two, one)
    broken = executor.submit(fail, "bad input")
    after_broken = executor.submit(add, broken, 1)
    for tag, future in {"one": one, "two": two, "three": three, "broken": broken, "after": after_broken}.items():
        done.add(future, tag)
    results = {}
    for future, tag in done:
        try:
            results[tag] = future.result()
        except ValueError as error:
            results[tag] = f"error: {error}"
    return results


EXPECTED = {"one": 3, "two": 13, "three": 16, "broken": "error: bad input", "after": "error: bad input"}


def test_in_process_runs_tasks_in_order_when_asked():
    executor = InProcess()
    ran = []
    first = executor.submit(ran.append, "first")
    executor.submit(ran.append, "second")
    assert ran == [] and not first.done()  # nothing runs at submission
    assert run_graph(executor) == EXPECTED
    assert ran == ["first", "second"]


def test_local_processes_give_the_same_results_in_other_processes():
    with LocalProcesses(2) as executor:
        assert run_graph(executor) == EXPECTED
        pids = {executor.submit(pid_of, index).result() for index in range(8)}
    assert os.getpid() not in pids


def test_open_executor_picks_by_worker_count():
    with open_executor(1) as executor:
        assert isinstance(executor, InProcess)
    with open_executor(2) as executor:
        assert isinstance(executor, LocalProcesses) and executor.n_workers == 2
    with pytest.raises(ValueError, match="at least 1"):
        open_executor(0)


@pytest.mark.slow
def test_dask_executor_gives_the_same_results():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        with Client(cluster) as client, open_executor(client=client) as executor:
            assert executor.n_workers == 2
            assert run_graph(executor) == EXPECTED

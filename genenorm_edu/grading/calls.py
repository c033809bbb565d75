"""Call a student's function on test cases in a fresh, sandboxed interpreter.

:func:`call_in_sandbox` writes the cases' arguments to a job folder, starts
``_runner.py`` in the sandbox (:mod:`genenorm_edu.grading.sandbox`: no
network, no course files, no course library, resource limits), watches it
case by case with a time limit per case, and reads back what each call did
as plain data (:mod:`genenorm_edu.grading.codec`). The results are judged in
the calling process by :func:`genenorm_edu.exercises.spec.judge`, where the
student's code cannot reach.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from genenorm_edu.exercises.answer_cell import definitions
from genenorm_edu.exercises.spec import Call, Case, Exercise
from genenorm_edu.grading.codec import DecodeError, decode, encode
from genenorm_edu.grading.kernel import PACKAGE_DIR
from genenorm_edu.grading.sandbox import (
    Limits,
    Mounts,
    ProcessGroupLimit,
    python_paths,
    sandbox_support,
    sandboxed_command,
)

__all__ = ["CallBudget", "call_in_sandbox"]

RUNNER = Path(__file__).with_name("_runner.py")
CODEC = Path(__file__).with_name("codec.py")

#: Limits of the process running a student's function on hidden inputs.
RUNNER_LIMITS = Limits(memory_bytes=3 * 2**30, cpu_seconds=300, processes=64)


@dataclass(frozen=True)
class CallBudget:
    """Time limits of one sandboxed run.

    Attributes
    ----------
    startup_seconds : float
        To start Python, import the lesson's modules and run the answer cells.
    seconds_per_case : float
        For each call of the student's function.
    """

    startup_seconds: float = 30.0
    seconds_per_case: float = 10.0


_PROCESS_ENDED = (
    "the Python process running the function ended during this call (os._exit or "
    "sys.exit in the function, a crash, or the memory or CPU limit)."
)
_NOT_RUN = "not run: an earlier call of the function did not finish"


def _write_job(
    job_dir: Path, exercise: Exercise, sources: Sequence[str], cases: Sequence[Case]
) -> None:
    job = {
        "function": exercise.name,
        "modules": dict(exercise.modules),
        "sources": [definitions(source) for source in sources],
        "cases": [
            encode(case.args, job_dir, f"case{index}-args") for index, case in enumerate(cases)
        ],
    }
    (job_dir / "job.json").write_text(json.dumps(job), encoding="utf-8")


def _runner_command(job_dir: Path, out_dir: Path, cgroup: Path | None) -> list[str]:
    support = sandbox_support()
    # A copy of the package installed in site-packages would be importable: hide it.
    bound = python_paths(keep_out=(Path.cwd(), PACKAGE_DIR.parent))
    hidden = tuple(PACKAGE_DIR for path in bound if path in PACKAGE_DIR.parents)[:1]
    mounts = Mounts(read_only=(job_dir, RUNNER, CODEC), writable=(out_dir,), hidden=hidden)
    return sandboxed_command(
        [sys.executable, "-I", "-B", str(RUNNER), str(job_dir), str(out_dir)],
        mounts=mounts,
        limits=RUNNER_LIMITS,
        chdir=out_dir,
        environment={"HOME": str(out_dir), "MPLBACKEND": "Agg"},
        keep_out=(Path.cwd(), PACKAGE_DIR.parent),
        network=False,
        cgroup=cgroup,
        support=support,
    )


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass
    process.wait()


def _watch(
    process: subprocess.Popen, out_dir: Path, n_cases: int, budget: CallBudget
) -> int | None:
    """Wait for the runner; return the index of the case that ran out of time, if any.

    The runner has ``budget.startup_seconds`` to write ``ready``, then
    ``budget.seconds_per_case`` for each case file, counted from the
    previous one.
    """
    deadline = time.monotonic() + budget.startup_seconds
    started = False
    finished = 0  # number of case files written
    while True:
        try:
            process.wait(timeout=0.02)
            return None
        except subprocess.TimeoutExpired:
            pass
        progressed = False
        if not started and (out_dir / "ready").exists():
            started = progressed = True
        while started and finished < n_cases and (out_dir / f"case-{finished}.json").exists():
            finished += 1
            progressed = True
        if finished == n_cases:
            try:
                process.wait(timeout=budget.seconds_per_case)
            except subprocess.TimeoutExpired:
                _kill(process)
            return None
        if progressed:
            deadline = time.monotonic() + budget.seconds_per_case
        elif time.monotonic() > deadline:
            _kill(process)
            return finished


def _read_call(out_dir: Path, index: int) -> Call | None:
    path = out_dir / f"case-{index}.json"
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        arguments = record.get("arguments_after")
        return Call(
            result=decode(record["result"], out_dir) if "result" in record else None,
            error_type=str(record["error_type"]) if record.get("error_type") else None,
            error_message=str(record.get("error_message", ""))[:2000],
            arguments_after=tuple(decode(arguments, out_dir)) if arguments is not None else None,
            seconds=float(record.get("seconds", 0.0)),
        )
    except (OSError, ValueError, KeyError, TypeError, DecodeError) as error:
        return Call(problem=f"the function's result could not be read back ({error}).")


def call_in_sandbox(
    exercise: Exercise,
    sources: Sequence[str],
    cases: Sequence[Case],
    *,
    budget: CallBudget = CallBudget(),
) -> tuple[Call, ...]:
    """Run the answer cells ``sources`` in a sandboxed interpreter and call the function on ``cases``.

    Parameters
    ----------
    exercise : Exercise
        Which function to call, and the modules its lesson provides.
    sources : sequence of str
        The answer cell(s) defining the function; their definitions
        (:func:`~genenorm_edu.exercises.answer_cell.definitions`) run in order.
    cases : sequence of Case
        The calls to make, in order.
    budget : CallBudget
        Time limits.

    Returns
    -------
    tuple of Call
        One per case: result or exception, the arguments after the call;
        or why there is none (time limit, process ended).
    """
    if not cases:
        return ()
    with tempfile.TemporaryDirectory(prefix="genenorm-edu-call-") as folder:
        job_dir, out_dir = Path(folder) / "job", Path(folder) / "out"
        job_dir.mkdir()
        out_dir.mkdir()
        _write_job(job_dir, exercise, sources, cases)
        with ProcessGroupLimit(sandbox_support().cgroup_root, RUNNER_LIMITS.processes) as limit:
            process = subprocess.Popen(
                _runner_command(job_dir, out_dir, limit.path),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=out_dir,
                start_new_session=True,
            )
            try:
                timed_out_at = _watch(process, out_dir, len(cases), budget)
            finally:
                if process.poll() is None:
                    _kill(process)
        calls: list[Call] = []
        stopped = ""  # why the runner stopped, once a case has no result
        for index in range(len(cases)):
            call = _read_call(out_dir, index)
            if call is None and stopped:
                call = Call(problem=f"{_NOT_RUN} ({stopped}).")
            elif call is None and timed_out_at == index:
                call, stopped = Call(timed_out=True), "it ran out of time"
            elif call is None:
                call, stopped = Call(problem=_PROCESS_ENDED), "the process running it ended"
            calls.append(call)
        return tuple(calls)

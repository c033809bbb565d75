"""Call a student's function on test cases in a fresh, sandboxed interpreter.

:func:`call_in_sandbox` starts ``_runner.py`` in the sandbox
(:mod:`genenorm_edu.grading.sandbox`: no network, no course files, no course
library, resource limits) and talks to it over two pipes it made before the
start (:mod:`genenorm_edu.grading.channel`): the job (answer-cell sources)
goes in first, then one case's arguments at a time, each sent only once the
previous case replied. No file holds a case's inputs, and the runner's
folder is not shared with the grader: nothing the student's code creates
or changes can make the grader wait. Every step has a deadline
(:class:`CallBudget`); past it, the runner's whole process group (and its
process cgroup) is killed. The replies are plain data
(:mod:`genenorm_edu.grading.codec`), judged in the calling process by
:func:`genenorm_edu.exercises.spec.judge`, where the student's code cannot
reach.
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

from genenorm_edu.exercises.spec import Call, Case, Exercise
from genenorm_edu.grading.channel import ChannelClosed, ChannelError, ChannelTimeout, receive, send
from genenorm_edu.grading.codec import DecodeError, decode, pack
from genenorm_edu.grading.policy import RUNNER_LIMITS, runner_command
from genenorm_edu.grading.sandbox import Limits, ProcessGroupLimit, sandbox_support

__all__ = ["CallBudget", "call_in_sandbox"]

#: Largest reply the grader reads (bytes); a larger one is refused unread.
MAX_REPLY_BYTES = 512 * 2**20


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
_UNREADABLE = "the function's result could not be read back: it is not plain data the grader reads."
_NOT_RUN = "not run: an earlier call of the function did not finish"


class _Stopped(Exception):
    """The run cannot go on: ``call`` is the current case's, ``why`` the later ones'."""

    def __init__(self, call: Call, why: str) -> None:
        super().__init__(why)
        self.call = call
        self.why = why


def _job(exercise: Exercise, sources: Sequence[str]) -> bytes:
    job = {
        "function": exercise.name,
        "modules": dict(exercise.modules),
        "sources": list(sources),
    }
    return json.dumps(job).encode("utf-8")


def _reply(fd: int, seconds: float) -> dict:
    """The runner's next reply, as a dict; :class:`_Stopped` if there is none in time."""
    try:
        message = receive(fd, deadline=time.monotonic() + seconds, max_bytes=MAX_REPLY_BYTES)
    except ChannelTimeout:
        raise _Stopped(Call(timed_out=True), "it ran out of time") from None
    except ChannelClosed:
        raise _Stopped(Call(problem=_PROCESS_ENDED), "the process running it ended") from None
    except ChannelError:
        raise _Stopped(
            Call(problem="the function's result is too large to read back."),
            "its result was too large",
        ) from None
    try:
        record = json.loads(message.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        record = None
    if not isinstance(record, dict):
        raise _Stopped(Call(problem=_UNREADABLE), "its result could not be read")
    return record


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _call_from(record: dict) -> Call:
    """The :class:`Call` a runner's reply describes."""
    try:
        arguments = record.get("arguments_after")
        after = decode(arguments) if arguments is not None else None
        return Call(
            result=decode(record["result"]) if "result" in record else None,
            error_type=_text(record.get("error_type"), 200) or None,
            error_message=_text(record.get("error_message"), 2000),
            arguments_after=tuple(after) if isinstance(after, (tuple, list)) else None,
            seconds=float(record.get("seconds", 0.0)),
        )
    except (DecodeError, KeyError, TypeError, ValueError):
        return Call(problem=_UNREADABLE)


def _converse(
    to_runner: int, from_runner: int, job: bytes, cases: Sequence[Case], budget: CallBudget
) -> list[Call]:
    """Send the job and the cases one by one; collect a :class:`Call` per case."""
    calls: list[Call] = []
    try:
        send(to_runner, job, deadline=time.monotonic() + budget.startup_seconds)
        ready = _reply(from_runner, budget.startup_seconds)
        setup_error = ready.get("setup_error")
        if setup_error is not None:
            if not (isinstance(setup_error, list) and len(setup_error) == 2):
                raise _Stopped(Call(problem=_UNREADABLE), "its answer cell could not be read")
            error = Call(
                error_type=_text(setup_error[0], 200) or "Exception",
                error_message=_text(setup_error[1], 2000),
            )
            return [error] * len(cases)
        for case in cases:
            send(to_runner, pack(case.args, keep_layout=True), deadline=time.monotonic() + budget.seconds_per_case)
            calls.append(_call_from(_reply(from_runner, budget.seconds_per_case)))
    except ChannelTimeout:  # the runner does not read its input: it is stuck
        calls.append(Call(timed_out=True))
        why = "it ran out of time"
    except ChannelClosed:
        calls.append(Call(problem=_PROCESS_ENDED))
        why = "the process running it ended"
    except _Stopped as stopped:
        calls.append(stopped.call)
        why = stopped.why
    else:
        return calls
    calls = calls[: len(cases)]
    return calls + [Call(problem=f"{_NOT_RUN} ({why}).")] * (len(cases) - len(calls))


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # unkillable (uninterruptible I/O): leave it
        pass


def call_in_sandbox(
    exercise: Exercise,
    sources: Sequence[str],
    cases: Sequence[Case],
    *,
    budget: CallBudget = CallBudget(),
    limits: Limits = RUNNER_LIMITS,
) -> tuple[Call, ...]:
    """Run the answer cells ``sources`` in a sandboxed interpreter and call the function on ``cases``.

    Parameters
    ----------
    exercise : Exercise
        Which function to call, and the modules its lesson provides.
    sources : sequence of str
        The answer cell(s) defining the function; they run as
        :func:`~genenorm_edu.exercises.answer_cell.run_alone` runs them.
    cases : sequence of Case
        The calls to make, in order.
    budget : CallBudget
        Time limits.
    limits : Limits
        Resource limits of the sandboxed process tree.

    Returns
    -------
    tuple of Call
        One per case: result or exception, the arguments after the call;
        or why there is none (time limit, process ended, unreadable result).
    """
    if not cases:
        return ()
    with tempfile.TemporaryDirectory(prefix="genenorm-edu-call-") as scratch:
        with ProcessGroupLimit(sandbox_support().cgroup_root, limits.processes) as group:
            request_read, request_write = os.pipe()
            reply_read, reply_write = os.pipe()
            try:
                process = subprocess.Popen(
                    runner_command(reply_write, limits=limits, cgroup=group.path),
                    stdin=request_read,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    pass_fds=(reply_write,),
                    cwd=scratch,
                    start_new_session=True,
                )
            finally:
                os.close(request_read)
                os.close(reply_write)
            try:
                calls = _converse(
                    request_write, reply_read, _job(exercise, sources), cases, budget
                )
                try:  # an empty request ends the runner
                    send(request_write, b"", deadline=time.monotonic() + 0.5)
                except ChannelError:
                    pass
            finally:
                os.close(request_write)
                os.close(reply_read)
                _kill(process)
    return tuple(calls)

"""Calling a student's function out of reach: what comes back in every situation."""

from __future__ import annotations

import time

import pytest

from genenorm_edu.exercises import exercise
from genenorm_edu.exercises.spec import Case
from genenorm_edu.grading.calls import CallBudget, call_in_sandbox

pytestmark = pytest.mark.slow

C_STRIDES = exercise("c_strides")
CASES = (Case("first", ((3, 4), 8)), Case("second", ((2, 5), 4)), Case("third", ((7,), 1)))
FAST = CallBudget(startup_seconds=20, seconds_per_case=2)


def calls_of(source: str, cases=CASES, budget=FAST):
    return call_in_sandbox(C_STRIDES, [source], cases, budget=budget)


def test_results_arguments_and_times_come_back():
    calls = calls_of(
        "def c_strides(shape, itemsize):\n    return tuple(s * itemsize for s in shape)"
    )
    assert [call.result for call in calls] == [(24, 32), (8, 20), (7,)]
    assert [call.arguments_after for call in calls] == [case.args for case in CASES]
    assert all(call.seconds >= 0 and not call.problem for call in calls)


def test_exceptions_come_back_by_name_and_message():
    calls = calls_of("def c_strides(shape, itemsize):\n    raise ValueError(f'bad {shape}')")
    assert {(call.error_type, call.error_message) for call in calls[:1]} == {
        ("ValueError", "bad (3, 4)")
    }


def test_a_loop_times_out_and_the_later_cases_are_not_run():
    source = "def c_strides(shape, itemsize):\n    while len(shape) == 2 and shape[0] == 2:\n        pass\n    return ()"
    first, second, third = calls_of(source)
    assert not first.timed_out and second.timed_out
    assert "not run" in third.problem


def test_the_process_ending_is_reported_not_blamed_on_a_timeout():
    first, second, _ = calls_of("import os\ndef c_strides(shape, itemsize):\n    os._exit(3)")
    assert "process running the function ended" in first.problem and "not run" in second.problem


def test_an_answer_cell_that_fails_reports_why_for_every_case():
    calls = calls_of("import no_such_module\ndef c_strides(shape, itemsize):\n    return ()")
    assert {call.error_type for call in calls} == {"ModuleNotFoundError"}
    assert "while running the answer cell" in calls[0].error_message


def test_a_missing_function_is_named():
    (call,) = calls_of("def strides(shape, itemsize):\n    return ()", cases=CASES[:1])
    assert call.error_type == "NameError" and "'c_strides'" in call.error_message


def test_the_course_library_cannot_be_imported():
    (call,) = calls_of(
        "import importlib\ndef c_strides(shape, itemsize):\n    importlib.import_module('genenorm_edu.reference')",
        cases=CASES[:1],
    )
    assert call.error_type == "ModuleNotFoundError"


def test_forked_children_do_not_report_results():
    source = "import os\ndef c_strides(shape, itemsize):\n    os.fork()\n    return (len(shape),)"
    assert [call.result for call in calls_of(source)] == [(2,), (2,), (1,)]


def test_an_answer_cell_that_never_finishes_runs_out_of_startup_time():
    calls = calls_of(
        # Only definitions run when graded: an assignment that never finishes.
        "import itertools\nforever = sum(itertools.count())\ndef c_strides(shape, itemsize):\n    return ()",
        cases=CASES[:2],
        budget=CallBudget(startup_seconds=2, seconds_per_case=2),
    )
    assert calls[0].timed_out and "not run" in calls[1].problem


def test_printing_a_lot_changes_nothing():
    source = "def c_strides(shape, itemsize):\n    print('x' * 10_000_000)\n    return ()"
    assert [call.result for call in calls_of(source, cases=CASES[:1])] == [()]


# --- Hostile runners: nothing the student's code does makes the grader wait -----------

REPLY_FD = "int(__import__('sys').argv[1])"


def timed_calls(source, cases=CASES, budget=FAST):
    started = time.monotonic()
    calls = calls_of(source, cases, budget)
    return calls, time.monotonic() - started


def test_reading_the_request_pipe_finds_no_other_case_and_times_out():
    """A case's arguments are sent once the previous case replied: stdin holds nothing else."""
    source = (
        "import os, select\n"
        "def c_strides(shape, itemsize):\n"
        "    if select.select([0], [], [], 0.3)[0]:\n"
        "        return ('leaked', os.read(0, 1 << 16).hex())\n"
        "    return ()\n"
    )
    calls, _ = timed_calls(source)
    assert [call.result for call in calls] == [(), (), ()]
    calls, seconds = timed_calls(
        "import os\ndef c_strides(shape, itemsize):\n    return os.read(0, 100)\n", CASES[:2]
    )
    assert calls[0].timed_out and "not run" in calls[1].problem
    assert seconds < FAST.seconds_per_case + 10


def test_garbage_on_the_reply_pipe_is_an_unreadable_result_not_a_hang():
    source = f"import os\ndef c_strides(shape, itemsize):\n    os.write({REPLY_FD}, b'\\xff' * 8)\n    return ()\n"
    calls, seconds = timed_calls(source)
    assert "too large" in calls[0].problem and "not run" in calls[1].problem
    assert seconds < 15


def test_a_half_written_reply_times_out():
    source = (
        "import os, time\n"
        "def c_strides(shape, itemsize):\n"
        f"    os.write({REPLY_FD}, (100).to_bytes(8, 'big') + b'{{')\n"
        "    time.sleep(600)\n"
    )
    calls, seconds = timed_calls(source)
    assert calls[0].timed_out and "not run" in calls[2].problem
    assert seconds < FAST.seconds_per_case + 10


def test_a_forged_reply_is_judged_like_a_returned_value():
    source = (
        "import os\n"
        "def c_strides(shape, itemsize):\n"
        "    message = b'{\"result\": {\"t\": \"mystery\", \"v\": \"SECRET-NAME\"}}'\n"
        f"    os.write({REPLY_FD}, len(message).to_bytes(8, 'big') + message)\n"
        "    return ()\n"
    )
    calls, _ = timed_calls(source, CASES[:1])
    assert "could not be read back" in calls[0].problem and "SECRET" not in calls[0].problem


def test_closing_the_pipes_ends_the_run_without_waiting():
    source = f"import os\ndef c_strides(shape, itemsize):\n    os.close({REPLY_FD})\n    os.close(0)\n    return ()\n"
    calls, seconds = timed_calls(source)
    assert "process running the function ended" in calls[0].problem
    assert seconds < 15


def test_a_detached_child_holding_the_pipes_does_not_keep_the_grader():
    source = (
        "import os, time\n"
        "def c_strides(shape, itemsize):\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()\n"
        "        time.sleep(600)\n"
        "    return (len(shape),)\n"
    )
    calls, seconds = timed_calls(source, CASES[:1])
    assert [call.result for call in calls] == [(2,)]
    assert seconds < 15


def test_the_runner_sees_no_folder_of_the_grader():
    source = (
        "import os\n"
        "def c_strides(shape, itemsize):\n"
        "    return tuple(sorted(os.listdir('.')))\n"
    )
    (call,) = calls_of(source, CASES[:1])
    assert call.result == ()

"""genenorm_edu.exercises.spec.judge and check_exercise: every way a call can go wrong."""

from __future__ import annotations

import linecache

import numpy as np
import pytest

from genenorm_edu.exercises import check_exercise, exercise, run_case
from genenorm_edu.exercises.spec import Call, Case, judge

QNORM = exercise("qnorm")
CASE = QNORM.visible[0]


def test_a_right_result_passes():
    assert judge(
        QNORM, CASE, Call(result=CASE.expected.copy(), arguments_after=CASE.args), CASE.expected
    ).passed


@pytest.mark.parametrize(
    ("call", "told"),
    [
        (Call(timed_out=True), "did not return within its time limit"),
        (Call(problem="the process ended."), "the process ended."),
        (Call(error_type="NotImplementedError"), "not written yet"),
        (
            Call(error_type="IndexError", error_message="index 9 is out of bounds"),
            "raised IndexError",
        ),
    ],
)
def test_calls_without_a_result_fail_with_a_reason(call, told):
    verdict = judge(QNORM, CASE, call, CASE.expected)
    assert not verdict.passed and told in verdict.message and told in verdict.summary


def test_the_summary_of_an_exception_leaves_its_message_out():
    verdict = judge(
        QNORM, CASE, Call(error_type="KeyError", error_message="((7, 1, 3), 2)"), CASE.expected
    )
    assert "(7, 1, 3)" in verdict.message and "(7, 1, 3)" not in verdict.summary


def test_a_changed_argument_fails_even_with_a_right_result():
    changed = (np.sort(CASE.args[0], axis=0),)
    verdict = judge(QNORM, CASE, Call(result=CASE.expected, arguments_after=changed), CASE.expected)
    assert "changed its argument `x`" in verdict.message


def test_nan_in_an_unchanged_argument_is_not_a_change():
    x = np.array([[np.nan, 1.0], [2.0, 3.0]])
    case = Case("with NaN", (x,))
    verdict = judge(QNORM, case, Call(result=None, arguments_after=(x.copy(),)), np.zeros((2, 2)))
    assert "changed its argument" not in verdict.message


def test_a_result_the_check_cannot_handle_fails_cleanly():
    class Strange(np.ndarray):
        @property
        def dtype(self):
            raise RuntimeError("no dtype")

    verdict = judge(
        QNORM,
        CASE,
        Call(result=np.zeros((3, 2)).view(Strange), arguments_after=CASE.args),
        CASE.expected,
    )
    assert not verdict.passed and "could not be checked" in verdict.message


def test_run_case_reports_exceptions_and_leaves_the_case_untouched():
    def sorts_in_place(x):
        x.sort(axis=0)
        raise ValueError("oops")

    before = CASE.args[0].copy()
    call = run_case(sorts_in_place, CASE)
    assert (call.error_type, call.error_message) == ("ValueError", "oops")
    assert np.array_equal(CASE.args[0], before) and not np.array_equal(
        call.arguments_after[0], before
    )


def notebook_function(source: str, name: str):
    namespace = {"__name__": "__main__", "np": np}
    exec(source, namespace)  # noqa: S102 -- fixed test source
    return namespace[name]


def test_check_exercise_prints_each_case_and_what_is_graded(capsys):
    function = notebook_function("def outer_sum(x, y):\n    return np.add.outer(x, y)", "outer_sum")
    check_exercise("outer_sum", function)
    printed = capsys.readouterr().out
    assert printed.count("✓") == len(exercise("outer_sum").visible)
    for requirement in exercise("outer_sum").requirements:
        assert requirement in printed


def test_check_exercise_raises_with_the_first_failing_case(capsys):
    function = notebook_function("def outer_sum(x, y):\n    return np.add.outer(y, x)", "outer_sum")
    with pytest.raises(AssertionError, match="the axes of y come first"):
        check_exercise("outer_sum", function)
    assert "✗" in capsys.readouterr().out


def test_check_exercise_refuses_the_library_function():
    from genenorm_edu import reference

    with pytest.raises(AssertionError, match="comes from genenorm_edu.reference"):
        check_exercise("qnorm", reference.qnorm)


def test_check_exercise_names_unknown_exercises():
    with pytest.raises(KeyError, match="no exercise 'nope'"):
        check_exercise("nope", print)


def in_a_notebook_cell(source: str, name: str, namespace: dict):
    """Define ``name`` as an IPython cell does: compiled from a file linecache knows."""
    filename = f"/tmp/ipykernel_0/{abs(hash(source))}.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 -- fixed test source
    return namespace[name]


def test_a_helper_from_another_cell_is_reported_before_grading(capsys):
    namespace = {"__name__": "__main__", "np": np}
    in_a_notebook_cell("def helper(x, y):\n    return np.add.outer(x, y)\n", "helper", namespace)
    function = in_a_notebook_cell(
        "def outer_sum(x, y):\n    return helper(x, y)\n", "outer_sum", namespace
    )
    assert function(np.ones(2), np.ones(3)).shape == (2, 3)  # works in the kernel...
    with pytest.raises(
        AssertionError, match="uses `helper`, which its answer cell neither imports nor defines"
    ):
        check_exercise("outer_sum", function)  # ...but not when its cell runs alone


def test_a_cell_that_does_not_run_alone_is_reported(capsys):
    namespace = {"__name__": "__main__", "np": np, "shift": 0}
    source = "offset = shift + 0\ndef outer_sum(x, y):\n    return np.add.outer(x, y) + offset\n"
    function = in_a_notebook_cell(source, "outer_sum", namespace)
    with pytest.raises(AssertionError, match="does not run on its own: NameError"):
        check_exercise("outer_sum", function)


def test_a_self_contained_cell_passes_with_its_own_imports(capsys):
    source = "import numpy\ndef outer_sum(x, y):\n    return numpy.add.outer(x, y)\n"
    check_exercise("outer_sum", in_a_notebook_cell(source, "outer_sum", {"__name__": "__main__"}))


def test_only_the_cells_definitions_run_again(capsys):
    source = (
        "import numpy\n"
        "print('tried it out')\n"
        "def outer_sum(x, y):\n"
        "    return numpy.add.outer(x, y)\n"
        "check_exercise('outer_sum', outer_sum)\n"
    )
    namespace = {"__name__": "__main__", "check_exercise": check_exercise}
    filename = f"/tmp/ipykernel_0/{abs(hash(source))}.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)  # the cell itself calls the check: no recursion
    assert capsys.readouterr().out.count("tried it out") == 1

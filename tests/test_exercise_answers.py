"""Every exercise judged on the answer catalog: correct styles pass, mistakes are named.

In-process for breadth (every answer, every case); through the grader's
sandbox for one correct and one wrong answer per exercise, which must get
the same verdicts.
"""

from __future__ import annotations

import copy
import importlib
import textwrap

import numpy as np

import pytest
from catalog.answers import CORRECT, WRONG

from genenorm_edu.exercises import EXERCISES, exercise
from genenorm_edu.exercises.spec import Call, judge
from genenorm_edu.grading.calls import call_in_sandbox
from genenorm_edu.grading.hidden import hidden_cases


def _function(name: str, source: str):
    """Define the answer cell's function as the grader's runner does."""
    namespace = {"__name__": "__main__"}
    for alias, module in exercise(name).modules.items():
        namespace[alias] = importlib.import_module(module)
    exec(compile(textwrap.dedent(source), f"<answer {name}>", "exec"), namespace)  # noqa: S102
    return namespace[name]


def _copy(value):
    """A copy of an argument; a strided view stays a view with the same strides.

    (``copy.deepcopy``, which :func:`run_case` uses, makes views contiguous,
    and the hidden cases hold strided views on purpose.)
    """
    if not isinstance(value, np.ndarray) or value.flags.c_contiguous or value.flags.f_contiguous:
        return copy.deepcopy(value)
    root = value
    while isinstance(root.base, np.ndarray):
        root = root.base
    twin = root.copy(order="K")
    offset = value.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return np.ndarray(value.shape, value.dtype, buffer=twin, offset=offset, strides=value.strides)


def _run(function, case) -> Call:
    """:func:`run_case`, on copies that keep the arguments' memory layout."""
    arguments = tuple(_copy(arg) for arg in case.args)
    try:
        result = function(*arguments)
    except Exception as error:  # reported as the case's verdict
        return Call(error_type=type(error).__name__, error_message=str(error), arguments_after=arguments)
    return Call(result=result, arguments_after=arguments)


def _all_cases(name: str):
    return (*exercise(name).visible, *hidden_cases(name))


def _verdicts(name: str, source: str):
    function = _function(name, source)
    return [judge(exercise(name), case, _run(function, case), case.expected) for case in _all_cases(name)]


def _told(verdict) -> str:
    return verdict.message + "\n" + verdict.summary


CORRECT_ANSWERS = [(name, style) for name, styles in CORRECT.items() for style in styles]
WRONG_ANSWERS = [(name, mistake) for name, mistakes in WRONG.items() for mistake in mistakes]


def test_every_exercise_has_correct_and_wrong_answers_in_the_catalog():
    for name in EXERCISES:
        assert len(CORRECT.get(name, {})) >= 2, f"{name}: fewer than 2 correct styles"
        assert len(WRONG.get(name, {})) >= 2, f"{name}: fewer than 2 wrong answers"


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_every_recognized_mistake_is_caught_by_a_catalog_answer(name):
    expected = [text for _, text in WRONG.get(name, {}).values()]
    for mistake in exercise(name).mistakes:
        assert any(text and text in mistake.explanation for text in expected), (
            f"{name}: no wrong answer in the catalog is explained by {mistake.explanation!r}"
        )


@pytest.mark.parametrize(("name", "style"), CORRECT_ANSWERS)
def test_a_correct_answer_passes_every_case(name, style):
    failed = [verdict for verdict in _verdicts(name, CORRECT[name][style]) if not verdict.passed]
    assert failed == []


@pytest.mark.parametrize(("name", "mistake"), WRONG_ANSWERS)
def test_a_wrong_answer_fails_and_the_student_is_told_why(name, mistake):
    source, text = WRONG[name][mistake]
    failed = [verdict for verdict in _verdicts(name, source) if not verdict.passed]
    assert failed, "a wrong answer passed every case"
    assert text in _told(failed[0])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_the_sandboxed_run_gives_the_same_verdicts(name):
    item = exercise(name)
    cases = _all_cases(name)
    correct = next(iter(CORRECT[name].values()))
    wrong, _ = next(iter(WRONG[name].values()))
    for source in (correct, wrong):
        calls = call_in_sandbox(item, [textwrap.dedent(source)], cases)
        in_sandbox = [judge(item, case, call, case.expected) for case, call in zip(cases, calls)]
        assert [v.passed for v in in_sandbox] == [v.passed for v in _verdicts(name, source)]
        assert [v.summary for v in in_sandbox] == [v.summary for v in _verdicts(name, source)]

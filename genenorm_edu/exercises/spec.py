"""What an exercise is, and how one call of a student's function is judged.

An :class:`Exercise` describes a function the student writes: its signature,
what is graded (in words, :attr:`Exercise.requirements`), the check of a
result, the common mistakes it recognizes, the visible test cases and the
hints. The same :func:`judge` turns one :class:`Call` (what happened when
the function ran on one :class:`Case`) into a :class:`CaseVerdict` in both
places a function is tested:

- in the student's notebook, where the visible test cell calls the function
  directly (:func:`genenorm_edu.exercises.check_exercise`);
- in the grader, where the function ran in a separate, sandboxed process and
  only plain data (arrays, numbers, tuples) came back
  (:mod:`genenorm_edu.grading`); nothing the student's code does can reach
  the judgement there.

Messages come in two forms: ``message`` names the values involved (visible
tests), ``summary`` names none (hidden tests: their inputs and expected
results never reach the student). A summary is fixed text and facts the
grader computes (shape, dtype kind, which kind of value): never a string the
student's code chose (a type name, an exception's name or message, a
structured dtype's field names).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from genenorm_edu.exercises.answer_cell import RUNS_ALONE, provided_names
from genenorm_edu.feedback import Mismatch

__all__ = ["Call", "Case", "CaseVerdict", "ErrorCause", "Exercise", "Mistake", "judge", "NOT_GIVEN"]


class _NotGiven:
    """The type of :data:`NOT_GIVEN`."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: Marks a case whose expected result is computed by the reference solution.
NOT_GIVEN = _NotGiven()


@dataclass(frozen=True)
class Case:
    """One call of the student's function and the result it should give.

    Attributes
    ----------
    label : str
        What the case tries, in words (``"an int32 matrix, target 6"``). For
        hidden cases it is all the student learns about the inputs, so it
        names no value.
    args : tuple
        Positional arguments: arrays, numbers, tuples of numbers.
    expected : object
        The right result, or :data:`NOT_GIVEN` when the grader computes it
        with the reference solution.
    """

    label: str
    args: tuple[Any, ...]
    expected: Any = NOT_GIVEN


@dataclass(frozen=True)
class Mistake:
    """A common wrong answer, recognized from the result it gives.

    Attributes
    ----------
    explanation : str
        What the student did, in the student's terms (``"you returned
        positions, not values: index x with them"``). Names no input value.
    matches : callable
        ``matches(result, *args) -> bool``: whether a failing ``result`` on
        ``args`` is what this mistake gives. It may raise; that counts as no.
    """

    explanation: str
    matches: Callable[..., bool]


@dataclass(frozen=True)
class ErrorCause:
    """A common mistake, recognized from the exception it raises.

    Attributes
    ----------
    explanation : str
        What the student did, in the student's terms. Names no input value.
    error_type : str
        The name of the exception (``"ValueError"``).
    message_contains : str
        Text the exception's message holds (``"broadcast"``); empty: any.
    """

    explanation: str
    error_type: str
    message_contains: str = ""

    def applies(self, call: Call) -> bool:
        """Whether ``call`` raised this kind of error."""
        return call.error_type == self.error_type and self.message_contains in call.error_message


@dataclass(frozen=True)
class Exercise:
    """A function the student writes, and how it is tested.

    Attributes
    ----------
    name : str
        The function's name; also the grade id of its answer cell.
    parameters : tuple of str
        The function's parameter names, in order.
    requirements : tuple of str
        Everything that is graded, one sentence each. The visible test
        prints them, so that passing it means knowing each of them.
    check : callable
        ``check(result, expected, args)``: raises
        :class:`~genenorm_edu.feedback.Mismatch` unless ``result`` is right.
    visible : tuple of Case
        The cases of the visible test cell (each with its ``expected``).
    mistakes : tuple of Mistake
        Recognized wrong answers, tried in order on a failing result.
    modules : mapping of str to str
        Names the answer cell may use without importing them, as the lesson
        imported them (``{"np": "numpy"}``); the grader provides exactly these.
    may_modify_inputs : bool
        Whether the function may change its array arguments in place.
    hints : tuple of str
        Progressive hints, from a nudge to nearly the answer (Markdown).
    error_causes : tuple of ErrorCause
        Recognized mistakes that raise instead of returning a wrong result.
    """

    name: str
    parameters: tuple[str, ...]
    requirements: tuple[str, ...]
    check: Callable[[Any, Any, tuple[Any, ...]], None]
    visible: tuple[Case, ...]
    mistakes: tuple[Mistake, ...] = ()
    modules: Mapping[str, str] = field(default_factory=lambda: {"np": "numpy"})
    may_modify_inputs: bool = False
    hints: tuple[str, ...] = ()
    error_causes: tuple[ErrorCause, ...] = ()

    @property
    def signature(self) -> str:
        """``name(param, ...)``, for messages."""
        return f"{self.name}({', '.join(self.parameters)})"


@dataclass(frozen=True)
class Call:
    """What happened when the student's function ran on one case.

    Attributes
    ----------
    result : object
        The returned value (``None`` if the call raised or did not return).
    error_type : str or None
        The name of the exception the call raised, if any.
    error_message : str
        Its message.
    arguments_after : tuple or None
        The arguments as they were after the call (to see whether the
        function changed them); ``None`` if unknown.
    timed_out : bool
        The call did not return in its time limit.
    problem : str
        Another reason the call gave no result, in words (the process
        running it ended, the result could not be read back...).
    seconds : float
        How long the call took.
    """

    result: Any = None
    error_type: str | None = None
    error_message: str = ""
    arguments_after: tuple[Any, ...] | None = None
    timed_out: bool = False
    problem: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class CaseVerdict:
    """The judgement of one call.

    Attributes
    ----------
    label : str
        The case's label.
    passed : bool
        Whether the result is right.
    message : str
        What is wrong, with values (for visible cases); empty if passed.
    summary : str
        What is wrong, without any value (for hidden cases); empty if passed.
    """

    label: str
    passed: bool
    message: str = ""
    summary: str = ""


def _same_array(before: np.ndarray, after: Any) -> bool:
    return (
        isinstance(after, np.ndarray)
        and after.shape == before.shape
        and after.dtype == before.dtype
        and bool(np.array_equal(after, before, equal_nan=before.dtype.kind in "fc"))
    )


def _changed_argument(exercise: Exercise, case: Case, call: Call) -> str | None:
    """The name of the first array argument the call changed, if any."""
    if exercise.may_modify_inputs or call.arguments_after is None:
        return None
    for name, before, after in zip(exercise.parameters, case.args, call.arguments_after):
        if isinstance(before, np.ndarray) and not _same_array(before, after):
            return name
    return None


def _likely_mistake(exercise: Exercise, result: Any, args: tuple[Any, ...]) -> str:
    for mistake in exercise.mistakes:
        try:
            with np.errstate(all="ignore"):
                if mistake.matches(result, *args):
                    return mistake.explanation
        except Exception:  # a matcher that cannot apply is no match
            continue
    return ""


#: Exception names a hidden-case summary may quote: Python's own. Any other
#: name (a class the student named after the inputs) reads "an exception".
BUILTIN_EXCEPTIONS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)


def _error_verdict(exercise: Exercise, case: Case, call: Call) -> CaseVerdict:
    if call.error_type == "NotImplementedError":
        text = (
            f"{exercise.name} is not written yet: replace `raise NotImplementedError()` "
            "in its answer cell with your code, and run that cell."
        )
        return CaseVerdict(case.label, False, text, text)
    raised = f"{exercise.name} raised {call.error_type}"
    known = call.error_type in BUILTIN_EXCEPTIONS
    summary = f"{exercise.name} raised {call.error_type if known else 'an exception'}"
    detail = f": {call.error_message}" if call.error_message else ""
    advice = ""
    if call.error_type == "NameError":
        advice = " " + RUNS_ALONE.format(
            name=exercise.name, provided=provided_names(exercise.modules)
        )
    cause = next((cause.explanation for cause in exercise.error_causes if cause.applies(call)), "")
    if cause:
        advice += f"\nLikely cause: {cause}."
    return CaseVerdict(case.label, False, f"{raised}{detail}.{advice}", f"{summary}.{advice}")


def judge(exercise: Exercise, case: Case, call: Call, expected: Any) -> CaseVerdict:
    """Judge one call of the student's function.

    Parameters
    ----------
    exercise : Exercise
        The exercise.
    case : Case
        The case that was run (its arguments as they were before the call).
    call : Call
        What happened.
    expected : object
        The right result (``case.expected``, or the reference's result).

    Returns
    -------
    CaseVerdict

    Examples
    --------
    >>> from genenorm_edu.feedback import check_equal
    >>> double = Exercise(
    ...     name="double", parameters=("n",), requirements=("returns 2 * n",),
    ...     check=lambda result, expected, args: check_equal(result, expected, name="double(n)"),
    ...     visible=(), mistakes=(Mistake("you returned n squared", lambda r, n: r == n * n),))
    >>> case = Case("a small number", (3,))
    >>> judge(double, case, Call(result=6), expected=6).passed
    True
    >>> verdict = judge(double, case, Call(result=9), expected=6)
    >>> print(verdict.message)
    double(n) is 9, expected 6.
    Likely cause: you returned n squared.
    >>> print(verdict.summary)
    the result has the wrong value.
    Likely cause: you returned n squared.
    """
    if call.timed_out:
        text = (
            f"{exercise.name} did not return within its time limit "
            "(an endless loop, or a loop over every element of a large array?)."
        )
        return CaseVerdict(case.label, False, text, text)
    if call.problem:
        return CaseVerdict(case.label, False, call.problem, call.problem)
    if call.error_type is not None:
        return _error_verdict(exercise, case, call)
    changed = _changed_argument(exercise, case, call)
    if changed is not None:
        text = (
            f"{exercise.name} changed its argument `{changed}`: it sorted or rewrote the "
            "caller's array in place. Work on a copy (np.sort(x) rather than x.sort(), "
            "x.copy() before assigning into it, out= only on arrays you created)."
        )
        return CaseVerdict(case.label, False, text, text)
    try:
        exercise.check(call.result, expected, case.args)
    except Mismatch as mismatch:
        message, summary = mismatch.message, mismatch.summary
    except Exception as error:  # a result so odd that the check itself failed
        message = summary = (
            f"{exercise.name} returned a result that could not be checked "
            f"({type(error).__name__} while checking it)."
        )
    else:
        return CaseVerdict(case.label, True)
    cause = _likely_mistake(exercise, call.result, case.args)
    suffix = f"\nLikely cause: {cause}." if cause else ""
    return CaseVerdict(case.label, False, message + suffix, summary + suffix)

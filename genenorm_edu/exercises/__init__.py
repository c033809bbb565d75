"""The course's exercises: what each asks, and the visible tests students run.

Each graded exercise is a function the student writes in an answer cell. Its
:class:`~genenorm_edu.exercises.spec.Exercise` (in ``lesson1`` ... ``lesson4``)
says what is graded, how a result is checked, which mistakes are recognized
and which cases the visible test runs. A visible test cell is one line::

    check_exercise("rpkm", rpkm)

It runs the visible cases on the student's function, prints a line per case
and the list of everything the grader checks, and raises with a message
naming the first problem. When grading, the grader runs the same cases, and
hidden ones, out of the student's reach (see :mod:`genenorm_edu.grading`).

A student who is stuck calls ``hint("rpkm")``: each call shows the next of
the exercise's progressive hints, from a nudge to nearly the answer.

Examples
--------
A first try that hard-codes the strides of a Fortran-ordered (3, 4) array of
int64 (the docs of this package never show working code for an exercise):

>>> def c_strides(shape, itemsize):
...     return (8, 24)
>>> c_strides.__module__ = "__main__"  # as if written in a notebook
>>> check_exercise("c_strides", c_strides)
Traceback (most recent call last):
...
genenorm_edu.feedback.Mismatch: a (3, 4) array of int64: c_strides((3, 4), 8) is (8, 24), expected (32, 8).
Likely cause: these are Fortran-order strides (first axis fastest); in C order the last axis moves one element at a time.
Stuck? Run hint("c_strides") in a new cell.
"""

from __future__ import annotations

import copy
import linecache
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from genenorm_edu.exercises import lesson1, lesson2, lesson3, lesson4
from genenorm_edu.exercises.answer_cell import RUNS_ALONE, provided_names, run_alone
from genenorm_edu.exercises.spec import Call, Case, CaseVerdict, Exercise, judge
from genenorm_edu.feedback import Mismatch, check_self_contained, check_written_here

__all__ = ["EXERCISES", "LESSONS", "Hint", "check_exercise", "exercise", "hint", "run_case"]

#: Exercise names per assignment, in notebook order.
LESSONS: dict[str, tuple[str, ...]] = {
    assignment: tuple(item.name for item in module.EXERCISES)
    for assignment, module in [
        ("01-ndarray-internals", lesson1),
        ("02-axes-and-broadcasting", lesson2),
        ("03-fancy-indexing", lesson3),
        ("04-nonzero-medians", lesson4),
    ]
}

#: Every exercise of the course, by name.
EXERCISES: dict[str, Exercise] = {
    item.name: item for module in (lesson1, lesson2, lesson3, lesson4) for item in module.EXERCISES
}


def exercise(name: str) -> Exercise:
    """The exercise called ``name``.

    Raises
    ------
    KeyError
        With the list of known exercise names.

    Examples
    --------
    >>> exercise("rpkm").parameters
    ('counts', 'gene_lengths')
    """
    try:
        return EXERCISES[name]
    except KeyError:
        raise KeyError(f"no exercise {name!r}; the exercises are {sorted(EXERCISES)}") from None


def run_case(function: Callable, case: Case) -> Call:
    """Call ``function`` on a copy of the case's arguments, in this process.

    Returns
    -------
    Call
        The result or the exception, and the arguments as the call left them.
    """
    arguments = copy.deepcopy(case.args)
    start = time.perf_counter()
    try:
        result = function(*arguments)
    except Exception as error:  # reported as the case's verdict
        return Call(
            error_type=type(error).__name__,
            error_message=str(error),
            arguments_after=arguments,
            seconds=time.perf_counter() - start,
        )
    return Call(result=result, arguments_after=arguments, seconds=time.perf_counter() - start)


#: The entry-point group where the grader plugs in the hidden cases (pyproject.toml).
HIDDEN_CASES_GROUP = "genenorm_edu.hidden_cases"


def _hidden_cases(name: str) -> tuple[Case, ...]:
    """The hidden cases of ``name``, from the grader installed beside this package.

    The grader registers them as an entry point (``genenorm_edu.hidden_cases``),
    so that this package never imports ``genenorm_edu.grading``; the students'
    copy of the course has no grader, hence no hidden cases.
    """
    from importlib.metadata import entry_points

    for entry in entry_points(group=HIDDEN_CASES_GROUP):
        try:
            return tuple(entry.load()(name))
        except ImportError:  # the entry point names a module this copy does not have
            continue
    raise RuntimeError(
        "hidden tests run only with the grader installed (instructors' copy of the course)"
    )


def _as_graded(item: Exercise, function: Any) -> Any:
    """The function as the grader sees it: its cell's definitions run alone, with the lesson's modules.

    When grading, the definitions of the cell that defines the function
    (:func:`~genenorm_edu.exercises.answer_cell.definitions`) run in a fresh
    Python with nothing but the modules the lesson provides
    (``item.modules``). So that the visible tests say what grading will
    find, they test the function defined that way. Functions whose source is
    not known (not defined in a notebook cell) are tested as they are.
    """
    __tracebackhide__ = True
    code = getattr(function, "__code__", None)
    source = "".join(linecache.getlines(code.co_filename)) if code is not None else ""
    if not source:
        return function
    redefined, error = run_alone([source], item.name, item.modules)
    if error is not None and error[1].startswith("while running"):
        raise Mismatch(
            f"the cell that defines {item.name} does not run on its own: {error[0]}: "
            f"{error[1].removeprefix('while running the answer cell: ')}. "
            + RUNS_ALONE.format(name=item.name, provided=provided_names(item.modules))
        ) from None
    return redefined if callable(redefined) else function


def _report(name: str, verdicts: Iterable[CaseVerdict], hidden: bool) -> None:
    __tracebackhide__ = True
    for verdict in verdicts:
        if verdict.passed:
            print(f"  ✓ {verdict.label}")
            continue
        print(f"  ✗ {verdict.label}")
        text = verdict.summary if hidden else verdict.message
        stuck = "" if hidden else f'\nStuck? Run hint("{name}") in a new cell.'
        raise Mismatch(
            f"{verdict.label}: {text}{stuck}", summary=f"{verdict.label}: {verdict.summary}"
        )


def check_exercise(name: str, function: Any, *, hidden: bool = False) -> None:
    """Run an exercise's tests on the student's function and explain the result.

    Parameters
    ----------
    name : str
        The exercise (and function) name, e.g. ``"rpkm"``.
    function : callable
        The student's function.
    hidden : bool
        Run the hidden cases instead (instructors only: they are not
        installed with the student's copy of the course).

    Raises
    ------
    AssertionError
        If the function was not written in the notebook, needs a name its
        answer cell does not provide (the grader runs that cell alone), or
        with the first failing case and what is wrong with it.
    """
    __tracebackhide__ = True
    item = exercise(name)
    check_written_here(function, name)
    check_self_contained(function, name, item.modules)  # names what the cell lacks
    function = _as_graded(item, function)  # and test the function as the grader defines it
    if hidden:
        cases = _hidden_cases(name)
    else:
        cases = item.visible
    kind = "hidden" if hidden else "visible"
    print(f"{name}: {kind} tests")
    _report(
        name,
        (judge(item, case, run_case(function, case), case.expected) for case in cases),
        hidden,
    )
    graded = "\n".join(f"  - {requirement}" for requirement in item.requirements)
    passed = f"The {kind} test passed" if len(cases) == 1 else f"All {len(cases)} {kind} tests passed"
    print(
        f"{passed}. When grading, these run again, with hidden tests on other inputs. "
        f"Graded:\n{graded}"
    )


@dataclass(frozen=True)
class Hint:
    """One hint of an exercise, shown as Markdown in Jupyter.

    Attributes
    ----------
    name : str
        The exercise.
    level : int
        Which hint, from 1 (a nudge) to ``total`` (nearly the answer).
    total : int
        How many hints the exercise has.
    text : str
        The hint (Markdown).
    """

    name: str
    level: int
    total: int
    text: str

    def _heading(self) -> str:
        return f"Hint {self.level} of {self.total} for {self.name}"

    def _repr_markdown_(self) -> str:
        last = "" if self.level < self.total else "\n\n*That was the last hint.*"
        return f"**{self._heading()}.** {self.text}{last}"

    def __repr__(self) -> str:
        return f"{self._heading()}: {self.text}"


#: How many hints of each exercise this kernel has shown.
_HINTS_SHOWN: dict[str, int] = {}


def hint(name: str, level: int | None = None) -> Hint:
    """The next hint of exercise ``name``: each call goes one level further.

    Parameters
    ----------
    name : str
        The exercise, e.g. ``"rpkm"``.
    level : int, optional
        Show this hint (1 = the first) instead of the next one.

    Returns
    -------
    Hint
        Displayed as Markdown when it is the last line of a cell.

    Examples
    --------
    >>> hint("c_strides", 1).level
    1
    >>> hint("c_strides").level   # the next one
    2
    """
    hints = exercise(name).hints
    if not hints:
        raise ValueError(f"{name} has no hints")
    if level is None:
        level = _HINTS_SHOWN.get(name, 0) + 1
    if not 1 <= level:
        raise ValueError(f"hint levels start at 1, got {level}")
    level = min(level, len(hints))
    _HINTS_SHOWN[name] = level
    return Hint(name, level, len(hints), hints[level - 1])

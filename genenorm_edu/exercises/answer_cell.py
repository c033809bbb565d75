"""What of an answer cell counts when it is graded: its definitions.

When grading, an exercise's answer cell runs on its own, in a fresh Python
(see :mod:`genenorm_edu.grading`). Only its top-level *definitions* run:
imports, functions, classes and assignments. Everything else at top level
(a call such as ``check_exercise(...)`` or ``print(...)``, a loop, an
``if``) is what a student tries out in the cell, not part of the answer: it
is left out, so that it can neither fail the answer nor stall the grader.
The visible tests in the student's notebook define the function the same
way (:func:`run_alone`, the one implementation of both), so that they test
what will be graded.

Standard library only: the grader's sandboxed runner loads this file on its
own, without the course library.
"""

from __future__ import annotations

import ast
import builtins
import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["DEFINITIONS", "RUNS_ALONE", "definitions", "provided_names", "run_alone"]

#: Top-level statements that run when an answer cell is graded.
DEFINITIONS = (
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
)


def definitions(source: str) -> str:
    """The top-level definitions of a cell's source, as source text.

    A cell that does not parse is returned whole, so that running it
    reports the syntax error.

    Examples
    --------
    >>> cell = '''import numpy as np
    ... SCALE = 2
    ... def double(x):
    ...     return SCALE * x
    ... print(double(3))
    ... check_exercise("double", double)'''
    >>> print(definitions(cell))
    import numpy as np
    SCALE = 2
    def double(x):
        return SCALE * x
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines()
    kept = []
    for node in tree.body:
        if not isinstance(node, DEFINITIONS):
            continue
        first = min([node.lineno, *(decorator.lineno for decorator in getattr(node, "decorator_list", []))])
        kept.extend(lines[first - 1 : node.end_lineno])
    return "\n".join(kept)


#: Why a cell that does not run on its own fails when graded (both places say it so).
RUNS_ALONE = (
    "When grading, the cell that defines {name} runs alone, with only {provided} and "
    "Python's builtins: define or import everything {name} needs in that cell."
)


def provided_names(modules: Mapping[str, str]) -> str:
    """The names a lesson provides, for messages: ``"np (numpy), stats (scipy.stats)"``.

    Examples
    --------
    >>> provided_names({"np": "numpy"})
    'np (numpy)'
    """
    return ", ".join(f"{alias} ({module})" for alias, module in modules.items()) or "nothing"


def run_alone(
    sources: Sequence[str],
    name: str,
    modules: Mapping[str, str],
    *,
    import_module: Callable[[str], Any] = importlib.import_module,
    catch: type[BaseException] = Exception,
) -> tuple[Any, tuple[str, str] | None]:
    """Run answer cells as grading runs them: their definitions alone, with the lesson's modules.

    The one implementation of "the answer cell runs alone": the grader's
    sandboxed runner (``grading/_runner.py``, which loads this file on its
    own) and the visible tests in the student's notebook
    (:func:`genenorm_edu.exercises.check_exercise`) both call it.

    Parameters
    ----------
    sources : sequence of str
        The cells' sources; their :func:`definitions` run in order, in one namespace.
    name : str
        The function to take from that namespace.
    modules : mapping of str to str
        ``{alias: module}`` the cells may use without importing them.
    import_module : callable
        How a module is imported (the runner imports them lazily).
    catch : exception type
        What a failing cell may raise and still be reported (the runner:
        ``BaseException``, so that ``sys.exit`` in a cell is reported too).

    Returns
    -------
    (function, None) or (None, (error type name, message))

    Examples
    --------
    >>> function, error = run_alone(["def double(x):\\n    return 2 * x\\nprint(double(3))"], "double", {})
    >>> function(4), error
    (8, None)
    >>> run_alone(["def double(x):\\n    return y * x\\nhelper = y"], "double", {"np": "numpy"})[1]
    ('NameError', "while running the answer cell: name 'y' is not defined")
    >>> run_alone(["def twice(x):\\n    return 2 * x"], "double", {})[1]
    ('NameError', "the answer cell does not define a function named 'double'")
    """
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    for alias, module in modules.items():
        namespace[alias] = import_module(module)
    for number, source in enumerate(sources):
        try:
            exec(compile(definitions(source), f"<answer cell {number + 1}>", "exec"), namespace)  # noqa: S102
        except catch as error:  # the student's own cell
            return None, (_name_of(error), f"while running the answer cell: {_message_of(error)}")
    function = namespace.get(name)
    if not callable(function):
        return None, ("NameError", f"the answer cell does not define a function named {name!r}")
    return function, None


def _name_of(error: BaseException) -> str:
    try:
        return str(type(error).__name__)
    except BaseException:  # noqa: BLE001 -- a student's exception class may do anything
        return "an exception"


def _message_of(error: BaseException) -> str:
    try:
        return str(error)[:2000]
    except BaseException:  # noqa: BLE001
        return "(its message could not be read)"

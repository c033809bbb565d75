"""Where an exercise function and the names it uses come from.

A function that borrows the course library's code (:func:`check_written_here`)
or needs a name from another cell of the notebook (:func:`check_self_contained`)
is not an answer the grader can accept: both checks say so before grading does.
"""

from __future__ import annotations

import ast
import builtins
import dis
import linecache
import types
from collections.abc import Callable, Iterable
from typing import Any

from genenorm_edu.feedback.mismatch import Mismatch

__all__ = ["check_self_contained", "check_written_here"]


def _code_names(function: types.FunctionType) -> set[str]:
    """Global, attribute and imported names used by a function and its nested code."""
    code_objects = [function.__code__]
    names: set[str] = set()
    while code_objects:
        code = code_objects.pop()
        names.update(code.co_names)
        code_objects.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return names


def _referenced_objects(function: types.FunctionType) -> list[tuple[str, Any]]:
    """Names and objects a function's code reads from globals, builtins or closures."""
    names = _code_names(function)
    builtins = function.__globals__.get("__builtins__", {})
    if isinstance(builtins, types.ModuleType):
        builtins = vars(builtins)
    found = [
        (name, function.__globals__.get(name, builtins.get(name)))
        for name in sorted(names)
        if name in function.__globals__ or name in builtins
    ]
    for name, cell in zip(function.__code__.co_freevars, function.__closure__ or ()):
        try:
            found.append((name, cell.cell_contents))
        except ValueError:  # an empty cell: the variable was never assigned
            pass
    return found


def _is_from_course_library(obj: Any) -> bool:
    if isinstance(obj, types.ModuleType):
        return obj.__name__.startswith("genenorm_edu")
    try:
        owner = getattr(obj, "__module__", None)
    except Exception:  # objects with odd attribute access are not ours
        return False
    return isinstance(owner, str) and owner.startswith("genenorm_edu")


def check_written_here(function: Callable, name: str) -> None:
    """Check that ``function`` was written in the notebook, not borrowed.

    The course's exercises have reference solutions in
    :mod:`genenorm_edu.reference` (and :mod:`genenorm_edu.medians`).
    Importing one of them, or writing a function that calls anything from
    ``genenorm_edu``, does not count as solving the exercise: exercise
    functions use NumPy only.

    Parameters
    ----------
    function : callable
        The student's function.
    name : str
        The exercise's function name, for messages.

    Raises
    ------
    Mismatch
        (an ``AssertionError``) If ``function`` is not a plain Python
        function defined in the notebook (module ``__main__``), or if its
        code refers to a module or function of ``genenorm_edu``.

    Examples
    --------
    >>> from genenorm_edu.reference import qnorm
    >>> check_written_here(qnorm, "qnorm")
    Traceback (most recent call last):
    ...
    genenorm_edu.feedback.Mismatch: qnorm comes from genenorm_edu.reference.lesson3, not from this notebook: write it yourself in the answer cell.
    """
    if not isinstance(function, types.FunctionType):
        raise Mismatch(
            f"{name} should be a function defined with 'def {name}(...)', "
            f"got a {type(function).__name__}."
        )
    if function.__module__ != "__main__":
        raise Mismatch(
            f"{name} comes from {function.__module__}, not from this notebook: "
            "write it yourself in the answer cell."
        )
    imported = sorted(n for n in _code_names(function) if n.startswith("genenorm_edu"))
    if imported:
        raise Mismatch(
            f"{name} imports {imported[0]}: the exercise is to write it yourself with NumPy."
        )
    for used_name, obj in _referenced_objects(function):
        if _is_from_course_library(obj):
            raise Mismatch(
                f"{name} uses {used_name!r} from the genenorm_edu library: "
                "the exercise is to write it yourself with NumPy."
            )


def _global_names_used(function: types.FunctionType) -> set[str]:
    """Names a function (and the code nested in it) looks up as globals."""
    names: set[str] = set()
    code_objects = [function.__code__]
    while code_objects:
        code = code_objects.pop()
        names.update(
            instruction.argval
            for instruction in dis.get_instructions(code)
            if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME")
        )
        code_objects.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return names


def _names_bound_by(tree: ast.Module) -> set[str]:
    """Names a cell binds at its top level: imports, definitions, assignments."""
    bound: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        else:
            bound.update(
                target.id for target in ast.walk(node)
                if isinstance(target, ast.Name) and isinstance(target.ctx, ast.Store)
            )
    return bound


def check_self_contained(function: Callable, name: str, modules: Iterable[str]) -> None:
    """Check that ``function`` needs nothing from the notebook outside its own cell.

    When grading, the answer cell runs on its own, with only the lesson's
    ``modules`` (``np``...) and Python's builtins: a function that uses a
    name imported or defined in another cell of the notebook passes its
    visible tests in the student's kernel, then fails every graded test. This
    check finds such names from the cell's source (which IPython keeps in
    :mod:`linecache`); when the source is not available, it checks nothing.

    Parameters
    ----------
    function : callable
        The student's function (already known to be a plain function).
    name : str
        The exercise's function name, for messages.
    modules : iterable of str
        The names the grader provides (``exercise.modules``).

    Raises
    ------
    Mismatch
        Naming the first such name and what to do about it.
    """
    lines = linecache.getlines(function.__code__.co_filename)
    if not lines:
        return
    try:
        cell = ast.parse("".join(lines))
    except SyntaxError:
        return
    provided = set(modules)
    available = _names_bound_by(cell) | provided | set(dir(builtins))
    from_elsewhere = sorted(
        used for used in _global_names_used(function)
        if used not in available and used in function.__globals__
    )
    if from_elsewhere:
        listed = ", ".join(f"`{module}`" for module in sorted(provided)) or "nothing"
        raise Mismatch(
            f"{name} uses `{from_elsewhere[0]}`, which its answer cell neither imports nor "
            f"defines. When grading, the answer cell runs on its own, with only {listed} and "
            f"Python's builtins: import or define `{from_elsewhere[0]}` in the answer cell."
        )


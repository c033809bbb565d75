"""Checks of a student's result, with messages a student can act on.

A bare ``assert np.allclose(result, expected)`` tells a student only that
something is wrong. The checks here say *what*: the result is not an array,
has the wrong shape or dtype, or which entries (row and column) differ and by
how much. The exercises (:mod:`genenorm_edu.exercises`) use them, in the
student's notebook and in the grader alike.

Every failed check raises :class:`Mismatch`, an ``AssertionError`` carrying
two texts: the full message (with the values involved, for visible tests)
and a summary without any value (for hidden tests, whose inputs and expected
results must not reach the student).

Examples
--------
>>> check_array(np.array([1.0, 2.5]), np.array([1.0, 2.0]), name="rpkm(...)")
Traceback (most recent call last):
...
genenorm_edu.feedback.Mismatch: rpkm(...) has wrong values in 1 of 2 entries. First at index 1: got 2.5, expected 2.0.
"""

from __future__ import annotations

import ast
import builtins
import dis
import linecache
import types
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

__all__ = [
    "Mismatch",
    "check_array",
    "check_dtype",
    "check_equal",
    "check_pair",
    "check_self_contained",
    "check_written_here",
    "type_name",
    "value_kind",
    "dtype_text",
]


class Mismatch(AssertionError):
    """A result that is not what the exercise asks for.

    Parameters
    ----------
    message : str
        What is wrong, with the values involved (shown for visible tests).
    summary : str, optional
        The same without any value of the inputs or of the expected result
        (shown for hidden tests). Default: ``message``.

    Examples
    --------
    >>> error = Mismatch("x has shape (3,), expected shape (4,).", summary="wrong shape")
    >>> str(error), error.summary
    ('x has shape (3,), expected shape (4,).', 'wrong shape')
    """

    def __init__(self, message: str, summary: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.summary = message if summary is None else summary

    def _render_traceback_(self) -> list[str]:
        """What IPython shows in place of a traceback: the message alone.

        The frames of a failed check are the course library's, not the
        student's; the message says what to change, so it comes first and
        alone (IPython shows the last frame even with ``__tracebackhide__``).
        """
        first, *rest = self.message.splitlines() or [""]
        return [f"\x1b[1;31mTest failed:\x1b[0m {first}", *rest]

_KIND_NAMES = {
    "b": "boolean",
    "i": "signed integer",
    "u": "unsigned integer",
    "f": "floating-point",
    "c": "complex",
    "O": "object",
    "U": "string",
}


_PLAIN_TYPES = (bool, int, float, complex, str, tuple, list, dict)


def value_kind(value: Any) -> str:
    """What kind of value ``value`` is, in fixed words (for hidden-case summaries).

    Never a name the value's code chose: a class of the student's is "a
    value of another type", whatever it is called.

    Examples
    --------
    >>> value_kind([1]), value_kind(np.float32(1)), value_kind(None)
    ('list', 'NumPy floating-point scalar', 'None')
    >>> class Secret_3_4: pass
    >>> value_kind(Secret_3_4())
    'value of another type'
    """
    if value is None:
        return "None"
    if type(value) is np.ndarray:
        return "NumPy array"
    if isinstance(value, np.generic):
        return f"NumPy {_KIND_NAMES.get(value.dtype.kind, 'other')} scalar"
    for plain in _PLAIN_TYPES:
        if type(value) is plain:
            return plain.__name__
    return "value of another type"


def dtype_text(dtype: np.dtype) -> str:
    """A dtype in fixed words: NumPy's name of a built-in dtype, else its kind.

    A structured dtype's field names, chosen by the code that made it, are
    never quoted.

    Examples
    --------
    >>> dtype_text(np.dtype(np.int32)), dtype_text(np.dtype([("secret", "f8")]))
    ('int32', 'a structured dtype')
    """
    if dtype.names is not None or dtype.subdtype is not None:
        return "a structured dtype"
    if dtype.isbuiltin and dtype.metadata is None:
        return str(dtype)
    return f"a {_KIND_NAMES.get(dtype.kind, 'other')} dtype"


def _describe_index(index: tuple[int, ...]) -> str:
    if len(index) == 1:
        return f"index {index[0]}"
    if len(index) == 2:
        return f"row {index[0]}, column {index[1]}"
    return f"index {index}"


def check_array(
    actual: Any,
    expected: Any,
    *,
    name: str = "the result",
    dtype_kind: str | None = None,
    rtol: float = 1e-7,
    atol: float = 0.0,
) -> None:
    """Check that ``actual`` is an ndarray equal to ``expected``; explain if not.

    Checks, in this order, that ``actual`` is a NumPy array, has the shape of
    ``expected``, has a dtype of the wanted kind, and holds the expected
    values (``|actual - expected| <= atol + rtol * |expected|``, NaN equal to
    NaN). The first failed check raises.

    Parameters
    ----------
    actual : object
        What the student's code returned.
    expected : array_like
        The right answer.
    name : str
        How to call ``actual`` in messages, e.g. ``"rpkm(counts, lengths)"``.
    dtype_kind : str, optional
        Required dtype kinds as ``numpy.dtype.kind`` letters: ``"f"`` for
        floating point, ``"iu"`` for any integer. By default, the kind of
        ``expected``'s dtype (integers of either sign count as one kind).
    rtol, atol : float
        Relative and absolute tolerance of the value comparison.

    Raises
    ------
    Mismatch
        With a message naming the first problem found.

    Examples
    --------
    >>> check_array(np.zeros(3), np.zeros((3, 1)), name="closest_to(x, 0.75)")
    Traceback (most recent call last):
    ...
    genenorm_edu.feedback.Mismatch: closest_to(x, 0.75) has shape (3,), expected shape (3, 1).
    >>> check_array(np.array([1, 2]), np.array([1.0, 2.0]), name="qnorm(x)")
    Traceback (most recent call last):
    ...
    genenorm_edu.feedback.Mismatch: qnorm(x) has dtype int64 (signed integer), expected a floating-point dtype.
    >>> x = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> check_array(x, x)  # silent when right
    """
    expected = np.asarray(expected)
    if not isinstance(actual, np.ndarray):
        hint = " Did you forget a return statement?" if actual is None else ""
        raise Mismatch(
            f"{name} is a {type_name(actual)}, expected a NumPy array of shape {expected.shape}.{hint}",
            summary=f"the result is a {value_kind(actual)}, not a NumPy array.{hint}",
        )
    if actual.shape != expected.shape:
        raise Mismatch(
            f"{name} has shape {actual.shape}, expected shape {expected.shape}.",
            summary=f"the result has the wrong shape ({actual.ndim}-D, expected {expected.ndim}-D)"
            if actual.ndim != expected.ndim
            else "the result has the wrong shape.",
        )
    if dtype_kind is None:
        dtype_kind = "iu" if expected.dtype.kind in "iu" else expected.dtype.kind
    if actual.dtype.kind not in dtype_kind:
        wanted = " or ".join(_KIND_NAMES.get(kind, kind) for kind in dtype_kind)
        actual_kind = _KIND_NAMES.get(actual.dtype.kind, actual.dtype.kind)
        raise Mismatch(
            f"{name} has dtype {actual.dtype} ({actual_kind}), expected a {wanted} dtype.",
            summary=f"the result has dtype {dtype_text(actual.dtype)} ({actual_kind}), "
            f"expected a {wanted} dtype.",
        )
    if actual.dtype.kind not in "biufc":
        raise Mismatch(
            f"{name} has dtype {actual.dtype}: cannot compare its values.",
            summary=f"the result has dtype {dtype_text(actual.dtype)}: cannot compare its values.",
        )

    actual_values = actual.astype(np.float64, copy=False)
    expected_values = expected.astype(np.float64, copy=False)
    with np.errstate(invalid="ignore"):
        close = np.abs(actual_values - expected_values) <= atol + rtol * np.abs(expected_values)
    close |= np.isnan(actual_values) & np.isnan(expected_values)
    if close.all():
        return
    wrong = np.argwhere(~close)
    first = tuple(int(i) for i in wrong[0])
    message = (
        f"{name} has wrong values in {len(wrong)} of {actual.size} entries. "
        f"First at {_describe_index(first)}: got {actual[first].item()!r}, "
        f"expected {expected[first].item()!r}."
    )
    if actual.ndim == 2 and actual.shape[1] <= 8:
        row = first[0]
        message += f"\n  row {row} is     {actual[row]}\n  row {row} should be {expected[row]}"
    raise Mismatch(message, summary="the result has wrong values.")


def check_dtype(actual: np.ndarray, expected: np.dtype | str, *, name: str, because: str) -> None:
    """Check that an array has exactly the dtype ``expected``.

    Parameters
    ----------
    actual : ndarray
        The student's result (already known to be an array).
    expected : dtype or str
        The required dtype.
    name : str
        How to call ``actual`` in messages.
    because : str
        Why this dtype, in the exercise's terms (``"the same dtype as x"``).

    Raises
    ------
    Mismatch
        If the dtypes differ.

    Examples
    --------
    >>> check_dtype(np.zeros(2, np.float32), np.int32, name="closest_to(x, 6)",
    ...             because="the elements of x, so the dtype of x")
    Traceback (most recent call last):
    ...
    genenorm_edu.feedback.Mismatch: closest_to(x, 6) has dtype float32, expected int32: the elements of x, so the dtype of x.
    """
    expected = np.dtype(expected)
    if actual.dtype != expected:
        raise Mismatch(
            f"{name} has dtype {actual.dtype}, expected {expected}: {because}.",
            summary=f"the result has dtype {dtype_text(actual.dtype)}, expected {expected}: {because}.",
        )


def check_pair(actual: Any, *, name: str, parts: str) -> None:
    """Check that a result is a tuple of two things, as in ``return rows, values``.

    Parameters
    ----------
    actual : object
        What the student's code returned.
    name : str
        How to call ``actual`` in messages.
    parts : str
        What the two things are, for messages: ``"(rows, values)"``.

    Raises
    ------
    Mismatch
        If ``actual`` is not a tuple of length 2.

    Examples
    --------
    >>> check_pair([1, 2, 3], name="tie_blocks(column)", parts="(values, counts)")
    Traceback (most recent call last):
    ...
    genenorm_edu.feedback.Mismatch: tie_blocks(column) is a list: return a pair (values, counts).
    """
    if not isinstance(actual, tuple) or len(actual) != 2:
        raise Mismatch(
            f"{name} is a {type_name(actual)}: return a pair {parts}.",
            summary=f"the result is a {value_kind(actual)}, not a pair {parts}.",
        )


def type_name(value: Any) -> str:
    """The name of a value's type, for messages.

    Values that could not cross from the grader's sandbox as plain data
    (``genenorm_edu.grading.codec.Opaque``) carry a fixed description of
    their kind, never the name of the student's type. Hidden-case summaries
    use :func:`value_kind`, which names only the grader's own types.

    Examples
    --------
    >>> type_name([1, 2]), type_name(np.zeros(2))
    ('list', 'ndarray')
    """
    return getattr(value, "type_name", None) or type(value).__name__


def _code_names(function: types.FunctionType) -> set[str]:
    """Global, attribute and imported names used by a function and its nested code."""
    code_objects = [function.__code__]
    names: set[str] = set()
    while code_objects:
        code = code_objects.pop()
        names.update(code.co_names)
        code_objects.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return names


def check_equal(actual: Any, expected: Any, *, name: str = "the result", hint: str = "") -> None:
    """Check that a plain Python value (tuple, int, list...) equals ``expected``.

    Parameters
    ----------
    actual, expected : object
        What the student's code returned, and the right answer.
    name : str
        How to call ``actual`` in messages.
    hint : str
        A sentence added to the message on failure.

    Raises
    ------
    Mismatch
        If the types or the values differ.

    Examples
    --------
    >>> check_equal([32, 8], (32, 8), name="c_strides((3, 4), 8)")
    Traceback (most recent call last):
    ...
    genenorm_edu.feedback.Mismatch: c_strides((3, 4), 8) is a list, expected a tuple like (32, 8).
    >>> check_equal((8, 32), (32, 8), name="c_strides((3, 4), 8)", hint="Check the order.")
    Traceback (most recent call last):
    ...
    genenorm_edu.feedback.Mismatch: c_strides((3, 4), 8) is (8, 32), expected (32, 8). Check the order.
    """
    if type(actual) is not type(expected):
        wanted = type(expected).__name__
        raise Mismatch(
            f"{name} is a {type_name(actual)}, expected a {wanted} like {expected!r}.",
            summary=f"the result is a {value_kind(actual)}, expected a {wanted}.",
        )
    if actual != expected:
        suffix = f" {hint}" if hint else ""
        raise Mismatch(
            f"{name} is {actual!r}, expected {expected!r}.{suffix}",
            summary=f"the result has the wrong value.{suffix}",
        )


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
    genenorm_edu.feedback.Mismatch: qnorm comes from genenorm_edu.reference, not from this notebook: write it yourself in the answer cell.
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

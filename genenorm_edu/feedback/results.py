"""Checks of a student's result: its type, shape, dtype and values, with messages a student can act on."""

from __future__ import annotations

from typing import Any

import numpy as np

from genenorm_edu.feedback.mismatch import KIND_NAMES, Mismatch, dtype_text, type_name, value_kind

__all__ = ["check_array", "check_dtype", "check_equal", "check_pair"]


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
        wanted = " or ".join(KIND_NAMES.get(kind, kind) for kind in dtype_kind)
        actual_kind = KIND_NAMES.get(actual.dtype.kind, actual.dtype.kind)
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


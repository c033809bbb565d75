"""Input validation shared by the public functions.

Each check raises a ``TypeError`` or ``ValueError`` whose message names the
argument and the problem, so that a student (or a pipeline) reads what is
wrong instead of a traceback from deep inside NumPy.
"""

from __future__ import annotations

import numpy as np

_NUMERIC_KINDS = "iuf"  # signed int, unsigned int, float
_INT64_MAX = int(np.iinfo(np.int64).max)


def as_numeric_array(values, name: str) -> np.ndarray:
    """Return ``values`` as an ndarray of a real numeric dtype.

    Parameters
    ----------
    values : array_like
        The input.
    name : str
        The argument's name, used in error messages.

    Raises
    ------
    TypeError
        If the dtype is not integer or floating point (booleans, complex
        numbers, strings and objects are refused).

    Examples
    --------
    >>> as_numeric_array([1, 2, 3], "counts").dtype.kind
    'i'
    >>> as_numeric_array(["a"], "counts")
    Traceback (most recent call last):
    ...
    TypeError: counts must hold real numbers (integer or float), got dtype <U1
    """
    array = np.asarray(values)
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"{name} must hold real numbers (integer or float), got dtype {array.dtype}"
        )
    return array


def as_int64_array(values, name: str) -> np.ndarray:
    """Return ``values`` (of any integer dtype) as an int64 ndarray.

    Parameters
    ----------
    values : array_like
        The input; its dtype must be a signed or unsigned integer.
    name : str
        The argument's name, used in error messages.

    Raises
    ------
    TypeError
        If the dtype is not an integer dtype (floats, booleans, strings...).
    ValueError
        If an unsigned value is too large for int64 (2**63 or more).

    Examples
    --------
    >>> as_int64_array(np.array([1, 2], dtype=np.uint8), "sizes").dtype
    dtype('int64')
    >>> as_int64_array(np.array([2**63], dtype=np.uint64), "sizes")
    Traceback (most recent call last):
    ...
    ValueError: sizes holds values too large for int64: largest 9223372036854775808
    """
    array = np.asarray(values)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {array.dtype}")
    # Compare as Python ints: NumPy 1.x compares uint64 with an int64 bound
    # in float64, where 2**63 - 1 and 2**63 are the same number.
    if array.dtype.kind == "u" and array.size and int(array.max()) > _INT64_MAX:
        raise ValueError(
            f"{name} holds values too large for int64: largest {int(array.max())}"
        )
    return array.astype(np.int64)


def check_ndim(array: np.ndarray, ndim: int, name: str, layout: str = "") -> None:
    """Raise ``ValueError`` unless ``array`` has ``ndim`` dimensions.

    Examples
    --------
    >>> check_ndim(np.zeros(3), 2, "counts", "(genes, samples)")
    Traceback (most recent call last):
    ...
    ValueError: counts must be a 2-D array (genes, samples), got 1-D array of shape (3,)
    """
    if array.ndim != ndim:
        described = f" {layout}" if layout else ""
        raise ValueError(
            f"{name} must be a {ndim}-D array{described}, "
            f"got {array.ndim}-D array of shape {array.shape}"
        )


def check_not_empty(array: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` if ``array`` has no elements.

    Examples
    --------
    >>> check_not_empty(np.zeros((0, 3)), "x")
    Traceback (most recent call last):
    ...
    ValueError: x is empty (shape (0, 3))
    """
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")


def check_finite(array: np.ndarray, name: str, hint: str = "") -> None:
    """Raise ``ValueError`` if ``array`` holds NaN or infinite values.

    Integer arrays are always finite and cost nothing to check.

    Examples
    --------
    >>> check_finite(np.array([1.0, np.nan]), "x")
    Traceback (most recent call last):
    ...
    ValueError: x contains NaN (1 value(s), first at index (1,))
    """
    if array.dtype.kind != "f":
        return
    not_finite = ~np.isfinite(array)
    if not not_finite.any():
        return
    nan = np.isnan(array)
    kind = "NaN" if nan.any() else "infinite values"
    bad = nan if nan.any() else not_finite
    first = tuple(int(i) for i in np.unravel_index(np.argmax(bad), array.shape))
    suffix = f"; {hint}" if hint else ""
    raise ValueError(
        f"{name} contains {kind} ({int(bad.sum())} value(s), first at index {first}){suffix}"
    )


def check_nonnegative(array: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` if ``array`` holds a negative value.

    Unsigned integer arrays are skipped: they cannot be negative.

    Examples
    --------
    >>> check_nonnegative(np.array([[1, -2]]), "counts")
    Traceback (most recent call last):
    ...
    ValueError: counts must not be negative: found -2 at index (0, 1)
    """
    if array.dtype.kind == "u" or array.size == 0:
        return
    position = np.argmin(array)
    smallest = array.flat[position]
    if smallest < 0:
        index = tuple(int(i) for i in np.unravel_index(position, array.shape))
        raise ValueError(f"{name} must not be negative: found {smallest} at index {index}")


def check_positive(array: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` if ``array`` holds a value that is zero or negative.

    Examples
    --------
    >>> check_positive(np.array([100, 0, 20]), "gene_lengths")
    Traceback (most recent call last):
    ...
    ValueError: gene_lengths must be positive, found 0 at index 1
    >>> check_positive(np.array([[1, 2], [3, -4]]), "x")
    Traceback (most recent call last):
    ...
    ValueError: x must be positive, found -4 at index (1, 1)
    """
    if array.size == 0:
        return
    position = np.argmin(array)
    smallest = array.flat[position]
    if smallest <= 0:
        index = _index_text(position, array.shape)
        raise ValueError(f"{name} must be positive, found {smallest} at index {index}")


def check_at_most(array: np.ndarray, largest: int, name: str, reason: str = "") -> None:
    """Raise ``ValueError`` if ``array`` holds a value above ``largest``.

    Examples
    --------
    >>> check_at_most(np.array([3, 300]), 255, "levels", "to fit in uint8")
    Traceback (most recent call last):
    ...
    ValueError: levels must be at most 255 to fit in uint8, found 300 at index 1
    """
    if array.size == 0:
        return
    position = np.argmax(array)
    biggest = array.flat[position]
    if biggest > largest:
        because = f" {reason}" if reason else ""
        index = _index_text(position, array.shape)
        raise ValueError(
            f"{name} must be at most {largest}{because}, found {biggest} at index {index}"
        )


def _index_text(flat_position: int, shape: tuple[int, ...]) -> str:
    """An element's index for messages: ``1`` in a vector, ``(0, 1)`` in a matrix."""
    index = tuple(int(i) for i in np.unravel_index(flat_position, shape))
    return str(index[0]) if len(index) == 1 else str(index)

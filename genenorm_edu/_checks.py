"""Input validation shared by the public functions.

Each check raises a ``TypeError`` or ``ValueError`` whose message names the
argument and the problem, so that a student (or a pipeline) reads what is
wrong instead of a traceback from deep inside NumPy.
"""

from __future__ import annotations

import numpy as np

_NUMERIC_KINDS = "iuf"  # signed int, unsigned int, float


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

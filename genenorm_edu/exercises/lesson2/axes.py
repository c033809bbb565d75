"""Lesson 2 exercises on axes: one result per row, reductions along an axis, sliding windows."""

from __future__ import annotations

import numpy as np

from genenorm_edu.exercises.spec import Case, Exercise, Mistake
from genenorm_edu.feedback import Mismatch, check_array, check_dtype


# --- closest_to -------------------------------------------------------------


def _check_closest_to(result, expected, args) -> None:
    x, value = args
    name = f"closest_to(x, {value!r})"
    check_array(result, expected, name=name, dtype_kind="biuf")
    check_dtype(result, x.dtype, name=name, because="it holds elements of x, so it has the dtype of x")
    in_row = (x == result[:, np.newaxis]).any(axis=1)
    distance = np.abs(result.astype(np.float64) - value)
    best = np.abs(x.astype(np.float64) - value).min(axis=1)
    wrong = np.flatnonzero(~in_row | (distance > best))
    if len(wrong):
        row = int(wrong[0])
        raise Mismatch(
            f"{name} is wrong in {len(wrong)} of {len(result)} rows. Row {row}: got "
            f"{result[row]!r}, but the element of that row closest to {value!r} is "
            f"{expected[row]!r}.",
            summary="the result has wrong values: not the element of each row closest to the target.",
        )


def _are_positions_of_closest(result, x, value) -> bool:
    """Whether ``result`` holds column numbers pointing at each row's closest element (verifies only)."""
    columns = np.asarray(result)
    if columns.shape != (len(x),) or columns.dtype.kind not in "iu":
        return False
    if columns.min(initial=0) < 0 or columns.max(initial=0) >= x.shape[1]:
        return False
    picked = np.abs(x[np.arange(len(x)), columns].astype(np.float64) - value)
    return bool(np.all(picked <= np.abs(x.astype(np.float64) - value).min(axis=1)))


def _closest_per_column(result, x, value) -> bool:
    """Whether ``result`` holds each column's closest element (not each row's; verifies only)."""
    values = np.asarray(result)
    if values.shape != (x.shape[1],) or not (x == values[np.newaxis, :]).any(axis=0).all():
        return False
    distance = np.abs(values.astype(np.float64) - value)
    return bool(np.all(distance <= np.abs(x.astype(np.float64) - value).min(axis=0)))


CLOSEST_TO = Exercise(
    name="closest_to",
    parameters=("x", "value"),
    requirements=(
        "returns a 1-D NumPy array with one element per row of x",
        "each element is taken from its row of x: the one closest to value (any of them on a tie)",
        "the result has the dtype of x (int32 in, int32 out)",
        "x is not modified",
    ),
    check=_check_closest_to,
    visible=(
        Case(
            "the example above",
            (np.array([[0.1, 0.7, 0.9], [0.8, 0.2, 0.74]]), 0.75),
            np.array([0.7, 0.74]),
        ),
        Case(
            "an int32 matrix, target 6",
            (np.array([[3, -1, 8, 5], [10, 20, 30, 40]], dtype=np.int32), 6),
            np.array([5, 10], dtype=np.int32),
        ),
    ),
    mistakes=(
        Mistake(
            "you returned positions (column numbers), not values: index x with them",
            _are_positions_of_closest,
        ),
        Mistake(
            "you picked the element farthest from the target (argmax instead of argmin)",
            lambda result, x, value: np.array_equal(
                result, x[np.arange(len(x)), np.argmax(np.abs(x - value), axis=1)]
            ),
        ),
        Mistake(
            "you returned the distances, not the elements",
            lambda result, x, value: np.allclose(result, np.abs(x - value).min(axis=1)),
        ),
        Mistake(
            "you took the minimum along the wrong axis (one value per column, not per row)",
            _closest_per_column,
        ),
    ),
    hints=(
        "Two steps: first find *where* the closest element of each row is, then fetch "
        "the elements at those places.",
        "`np.abs(x - value)` is the distance of every element; `np.argmin(..., axis=1)` "
        "gives, for each row, the column of the smallest distance.",
        "Index with one row number and one column number per result: "
        "`x[np.arange(len(x)), columns]`.",
    ),
)


# --- gene_zscores ------------------------------------------------------------------


def _standardized(result, x, axis: int, ddof: int = 0) -> bool:
    """Whether ``result``'s lines along ``axis`` have mean 0 and standard deviation 1 where x varies.

    It verifies a given result (``ddof`` as np.std's) and computes no z-scores.
    """
    result = np.asarray(result, dtype=np.float64)
    if result.shape != np.shape(x) or result.ndim != 2:
        return False
    varies = np.ptp(x, axis=axis) != 0
    lines = result[:, varies] if axis == 0 else result[varies, :]
    return bool(varies.any()) and (
        np.allclose(lines.mean(axis=axis), 0.0, atol=1e-9)
        and np.allclose(lines.std(axis=axis, ddof=ddof), 1.0)
    )


def _check_gene_zscores(result, expected, args) -> None:
    (x,) = args
    name = f"gene_zscores(x) for a {x.shape[0]} x {x.shape[1]} {x.dtype} matrix"
    if isinstance(result, np.ndarray) and result.shape == expected.shape and np.isnan(result).any():
        row = int(np.argwhere(np.isnan(result))[0][0])
        raise Mismatch(
            f"{name} holds NaN (first in row {row}): a gene whose values are all equal "
            "has no spread; give it z-scores of 0.",
            summary="the result holds NaN: a gene whose values are all equal must get z-scores of 0.",
        )
    check_array(result, expected, name=name, dtype_kind="f", rtol=1e-9, atol=1e-9)
    check_dtype(result, np.float64, name=name, because="z-scores are float64")


def _only_constant_rows_differ(result, x) -> bool:
    """The genes that vary are right, so the wrong ones are the constant genes (verifies only)."""
    return bool((np.ptp(x, axis=1) == 0).any()) and _standardized(result, x, axis=1)


_SMALL_EXPRESSION = np.array([[1.0, 2.0, 3.0, 6.0], [10.0, 10.0, 10.0, 30.0], [0.0, 4.0, 0.0, 4.0]])
_WITH_SILENT_GENE = np.array([[0, 5, 10, 5], [0, 0, 0, 0], [3, 3, 6, 0]], dtype=np.uint32)

GENE_ZSCORES = Exercise(
    name="gene_zscores",
    parameters=("x",),
    requirements=(
        "returns a float64 array of the shape of x (genes x samples)",
        "each row (gene) minus its mean, divided by its standard deviation (np.std's "
        "default, ddof=0), both taken across the samples",
        "a gene whose values are all equal gets zeros, not NaN",
        "x is not modified",
    ),
    check=_check_gene_zscores,
    visible=(
        Case(
            "3 genes x 4 samples",
            (_SMALL_EXPRESSION,),
            np.array(
                [
                    np.array([-2.0, -1.0, 0.0, 3.0]) / np.sqrt(3.5),  # mean 3, variance 14 / 4
                    np.array([-5.0, -5.0, -5.0, 15.0]) / np.sqrt(75.0),  # mean 15, variance 300 / 4
                    [-1.0, 1.0, -1.0, 1.0],  # mean 2, standard deviation 2
                ]
            ),
        ),
        Case(
            "uint32 counts with a gene never detected (all zeros)",
            (_WITH_SILENT_GENE,),
            np.array(
                [
                    np.array([-5.0, 0.0, 5.0, 0.0]) / np.sqrt(12.5),  # mean 5, variance 50 / 4
                    [0.0, 0.0, 0.0, 0.0],  # all equal: zeros
                    np.array([0.0, 0.0, 3.0, -3.0]) / np.sqrt(4.5),  # mean 3, variance 18 / 4
                ]
            ),
        ),
    ),
    mistakes=(
        Mistake(
            "you standardized each sample (column), not each gene (row): take the mean and "
            "standard deviation along axis 1, and keep that axis (keepdims=True) so they "
            "broadcast against the rows",
            lambda result, x: _standardized(result, x, axis=0),
        ),
        Mistake(
            "you divided by the sample standard deviation (ddof=1, dividing by n - 1); use "
            "np.std's default, ddof=0",
            lambda result, x: _standardized(result, x, axis=1, ddof=1),
        ),
        Mistake(
            "the genes whose values are all equal are wrong: their standard deviation is 0, "
            "and their z-scores must be 0",
            _only_constant_rows_differ,
        ),
    ),
    hints=(
        "Each gene needs its own mean and its own standard deviation, computed across the "
        "samples. Along which axis is that, and what shape do the results need to "
        "subtract from a (genes, samples) matrix?",
        "`x.mean(axis=1, keepdims=True)` has shape `(genes, 1)`, which broadcasts against "
        "`(genes, samples)`. Same for `x.std(...)`.",
        "A gene whose values are all equal must get zeros, but do not test its standard "
        "deviation against 0: for equal non-integer floats (0.1 seven times) `np.std` gives "
        "rounding noise such as 1e-17, and dividing by it gives ±1. Test the values "
        "themselves: `np.ptp(x, axis=1, keepdims=True) == 0` finds the constant genes; "
        "divide the others and put 0 in those (`np.where`).",
    ),
)


# --- rolling_mean --------------------------------------------------------------------


def _are_window_sums(result, values, window) -> bool:
    """Whether ``result`` holds the sums of the windows, not their means (verifies only).

    Neighbouring window sums differ by the value that enters minus the one that leaves.
    """
    result = np.asarray(result, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    if result.shape != (len(values) - window + 1,):
        return False
    return bool(np.isclose(result[0], values[:window].sum())) and np.allclose(
        np.diff(result), values[window:] - values[:-window]
    )


def _check_rolling_mean(result, expected, args) -> None:
    values, window = args
    name = f"rolling_mean(values, {window}) for {len(values)} {values.dtype} values"
    single_precision = values.dtype == np.float32  # a float32 mean is exact to about 1e-7
    check_array(result, expected, name=name, dtype_kind="f", rtol=1e-5 if single_precision else 1e-9, atol=1e-12)


ROLLING_MEAN = Exercise(
    name="rolling_mean",
    parameters=("values", "window"),
    requirements=(
        "returns a 1-D float array of len(values) - window + 1 means, one per window",
        "window i is values[i : i + window]: every run of window consecutive values, in order",
        "right for integer values and for window = 1 or window = len(values)",
        "values is not modified",
    ),
    check=_check_rolling_mean,
    visible=(
        Case("five values, windows of 2", (np.array([1, 2, 3, 4, 10]), 2), np.array([1.5, 2.5, 3.5, 7.0])),
        Case(
            "floats, windows of 3",
            (np.array([0.0, 3.0, 6.0, 3.0, 0.0, 3.0]), 3),
            np.array([3.0, 4.0, 3.0, 2.0]),
        ),
        Case("one window over everything", (np.array([2.0, 4.0, 9.0]), 3), np.array([5.0])),
    ),
    mistakes=(
        Mistake(
            "you returned the windows themselves: average each window (along axis 1)",
            lambda result, values, window: np.shape(result) == (len(values) - window + 1, window),
        ),
        Mistake(
            "you summed each window instead of averaging it: divide by window, or use .mean",
            lambda result, values, window: window > 1 and _are_window_sums(result, values, window),
        ),
        Mistake(
            "you returned one value per input value (like np.convolve's mode 'same'); only "
            "the len(values) - window + 1 full windows count",
            lambda result, values, window: window > 1 and np.shape(result) == np.shape(values),
        ),
    ),
    hints=(
        "Picture the windows as the rows of a 2-D array: row i holds the window that starts "
        "at value i. How many rows are there, and which reduction turns each row into one "
        "number?",
        "`sliding_window_view(values, window)` has shape `(len(values) - window + 1, window)`: "
        "one row per window. Reduce each row.",
    ),
)


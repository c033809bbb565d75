"""Lesson 2 exercises: axes and broadcasting."""

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


def _positions(x, value):
    return np.argmin(np.abs(x - value), axis=1)


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
            (np.array([[0.1, 0.7, 0.9], [0.8, 0.2, 0.74], [0.75, 0.0, 1.0]]), 0.75),
            np.array([0.7, 0.74, 0.75]),
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
            lambda result, x, value: np.array_equal(result, _positions(x, value)),
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
            lambda result, x, value: np.array_equal(
                result, x[np.argmin(np.abs(x - value), axis=0), np.arange(x.shape[1])]
            ),
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

# --- rpkm ---------------------------------------------------------------------


def _rpkm_without_overflow_guard(counts, gene_lengths):
    """What ``counts * 10**9 / ...`` gives when the product wraps around in uint32."""
    with np.errstate(over="ignore"):
        scaled = counts * counts.dtype.type(10**9)
    totals = counts.sum(axis=0)
    return scaled / (gene_lengths[:, np.newaxis] * totals[np.newaxis, :])


def _check_rpkm(result, expected, args) -> None:
    counts, gene_lengths = args
    name = f"rpkm(counts, gene_lengths) on {counts.dtype} counts of shape {counts.shape}"
    check_array(result, expected, name=name, dtype_kind="f", rtol=1e-10)
    check_dtype(result, np.float64, name=name, because="RPKM values are float64")


def _is_constant_multiple(result, counts, gene_lengths) -> bool:
    """Whether ``result`` is RPKM times one factor other than 1."""
    totals = counts.sum(axis=0).astype(np.float64)
    right = 1e9 * counts / (gene_lengths[:, np.newaxis].astype(np.float64) * totals)
    nonzero = right != 0
    factors = np.unique(np.round(result[nonzero] / right[nonzero], 6))
    return len(factors) == 1 and factors[0] != 1


RPKM = Exercise(
    name="rpkm",
    parameters=("counts", "gene_lengths"),
    requirements=(
        "returns a float64 array of the shape of counts",
        "each count is divided by its gene's length (rows) and its sample's library size "
        "(column sums), times 1e9",
        "right for uint32 counts too, where integer arithmetic would overflow",
        "counts and gene_lengths are not modified",
    ),
    check=_check_rpkm,
    visible=(
        Case(
            "the 2 x 2 example (library sizes 40 and 20)",
            (np.array([[10, 20], [30, 0]], dtype=np.uint32), np.array([1000, 3000])),
            np.array([[250000.0, 1000000.0], [250000.0, 0.0]]),
        ),
    ),
    mistakes=(
        Mistake(
            "these values overflowed: counts * 1e9 in integer arithmetic wraps around "
            "(uint32 holds at most 4,294,967,295); convert to float64 first, or multiply by "
            "the float 1e9",
            lambda result, counts, lengths: counts.dtype.kind in "iu"
            and np.allclose(result, _rpkm_without_overflow_guard(counts, lengths)),
        ),
        Mistake(
            "you divided by the gene totals (row sums) instead of the library sizes (column sums)",
            lambda result, counts, lengths: np.allclose(
                result,
                1e9 * counts / (lengths[:, np.newaxis] * counts.sum(axis=1)[:, np.newaxis]),
            ),
        ),
        Mistake(
            "a constant factor is missing: RPKM multiplies by 1e9 (1e3 for kilobases times "
            "1e6 for millions of reads)",
            lambda result, counts, lengths: _is_constant_multiple(result, counts, lengths),
        ),
    ),
    hints=(
        "You need two vectors: one number per gene (its length) and one per sample (its "
        "library size, a sum along an axis). Which axis of `counts` does each belong to?",
        "Line them up with `np.newaxis`: `gene_lengths[:, np.newaxis]` has shape "
        "`(genes, 1)`, `library_size[np.newaxis, :]` has shape `(1, samples)`.",
        "Convert to float64 *before* multiplying by 1e9 (`counts * 1e9` with a float is "
        "safe, `counts * 10**9` in uint32 wraps around), then divide by both vectors.",
    ),
)

# --- outer_sum -----------------------------------------------------------------


def outer_sum_by_loops(x, y) -> np.ndarray:
    """Every element of ``x`` plus every element of ``y``, one at a time (the definition)."""
    x, y = np.asarray(x), np.asarray(y)
    result = np.empty(x.shape + y.shape, dtype=np.result_type(x, y))
    for i in np.ndindex(x.shape):
        for j in np.ndindex(y.shape):
            result[i + j] = x[i] + y[j]
    return result


def _check_outer_sum(result, expected, args) -> None:
    x, y = args
    name = f"outer_sum(x, y) for x of shape {np.shape(x)} and y of shape {np.shape(y)}"
    # The requirements state no dtype: any integer or floating-point one holding the
    # right values passes (float64 for integer inputs too).
    check_array(result, expected, name=name, dtype_kind="iuf", rtol=1e-12)


_FLOATS_3X5 = np.random.default_rng(1).random((3, 5))
_INTEGERS_8 = np.random.default_rng(2).integers(10, size=8)
_VECTOR = np.array([1, 2, 3])
_MATRIX = np.array([[10, 20], [30, 40]])

OUTER_SUM = Exercise(
    name="outer_sum",
    parameters=("x", "y"),
    requirements=(
        "returns an array of shape x.shape + y.shape",
        "z[i..., j...] == x[i...] + y[j...] for any numbers of dimensions of x and y",
        "x and y are not modified",
    ),
    check=_check_outer_sum,
    visible=(
        Case(
            "a (3, 5) float matrix and 8 integers",
            (_FLOATS_3X5, _INTEGERS_8),
            outer_sum_by_loops(_FLOATS_3X5, _INTEGERS_8),
        ),
        Case("a 1-D x and a 2-D y", (_VECTOR, _MATRIX), outer_sum_by_loops(_VECTOR, _MATRIX)),
    ),
    mistakes=(
        Mistake(
            "the axes of y come first: the result must have shape x.shape + y.shape",
            lambda result, x, y: np.shape(result) == np.shape(y) + np.shape(x)
            and np.shape(x) != np.shape(y),
        ),
    ),
    hints=(
        "Broadcasting pairs axes from the right. If `x` had extra axes of length 1 at "
        "its end, one per axis of `y`, what would `x + y` compute?",
        "`x.reshape(x.shape + (1,) * y.ndim)` adds those axes (so does indexing with "
        "`np.newaxis` once per axis of `y`); then add `y`.",
    ),
)

# --- gene_zscores ------------------------------------------------------------------


def _zscores_along(x, axis: int, ddof: int = 0) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    spread = x.std(axis=axis, keepdims=True, ddof=ddof)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x - x.mean(axis=axis, keepdims=True)) / spread


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
    constant = np.ptp(x, axis=1) == 0
    expected = _zscores_along(x, axis=1)
    return bool(constant.any()) and np.allclose(result[~constant], expected[~constant])


_SMALL_EXPRESSION = np.array([[1.0, 2.0, 3.0, 6.0], [10.0, 10.0, 10.0, 30.0], [0.0, 4.0, 0.0, 4.0]])
_WITH_SILENT_GENE = np.array([[0, 5, 10], [0, 0, 0], [3, 3, 6]], dtype=np.uint32)

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
        Case("3 genes x 4 samples", (_SMALL_EXPRESSION,), _zscores_along(_SMALL_EXPRESSION, axis=1)),
        Case(
            "uint32 counts with a gene never detected (all zeros)",
            (_WITH_SILENT_GENE,),
            np.nan_to_num(_zscores_along(_WITH_SILENT_GENE, axis=1)),
        ),
    ),
    mistakes=(
        Mistake(
            "you standardized each sample (column), not each gene (row): take the mean and "
            "standard deviation along axis 1, and keep that axis (keepdims=True) so they "
            "broadcast against the rows",
            lambda result, x: np.allclose(result, np.nan_to_num(_zscores_along(x, axis=0))),
        ),
        Mistake(
            "you divided by the sample standard deviation (ddof=1, dividing by n - 1); use "
            "np.std's default, ddof=0",
            lambda result, x: np.allclose(result, np.nan_to_num(_zscores_along(x, axis=1, ddof=1))),
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


def _window_sums(values, window) -> np.ndarray:
    return np.lib.stride_tricks.sliding_window_view(np.asarray(values, dtype=np.float64), window).sum(axis=1)


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
            lambda result, values, window: window > 1 and np.allclose(result, _window_sums(values, window)),
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

EXERCISES = (CLOSEST_TO, RPKM, GENE_ZSCORES, OUTER_SUM, ROLLING_MEAN)

"""Lesson 2 exercises: axes and broadcasting."""

from __future__ import annotations

import numpy as np

from genenorm_edu.exercises.spec import Case, ErrorCause, Exercise, Mistake
from genenorm_edu.feedback import Mismatch, check_array, check_dtype, type_name, value_kind

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

# --- rpkm ---------------------------------------------------------------------


def _overflowed(result, counts, gene_lengths) -> bool:
    """Whether ``result`` is what ``counts * 10**9 / ...`` gives when the product wraps around.

    Only for integer counts where ``counts * 10**9`` does not fit the dtype;
    it verifies a given result and computes no RPKM.
    """
    if counts.dtype.kind not in "iu":
        return False
    if not any(int(count) * 10**9 > np.iinfo(counts.dtype).max for count in counts.flat):
        return False  # nothing wrapped around
    with np.errstate(over="ignore"):
        wrapped = counts * counts.dtype.type(10**9)
    totals = counts.sum(axis=0)
    denominators = gene_lengths[:, np.newaxis] * totals[np.newaxis, :]
    return np.allclose(np.asarray(result, dtype=np.float64) * denominators, wrapped, rtol=1e-9)


def _check_rpkm(result, expected, args) -> None:
    counts, gene_lengths = args
    name = f"rpkm(counts, gene_lengths) on {counts.dtype} counts of shape {counts.shape}"
    check_array(result, expected, name=name, dtype_kind="f", rtol=1e-10)
    check_dtype(result, np.float64, name=name, because="RPKM values are float64")


def _is_constant_multiple(result, counts, gene_lengths) -> bool:
    """Whether ``result`` is counts / (gene length x library size) times one factor other than 1e9.

    It verifies a given result (the factor each value implies) and computes no RPKM.
    """
    totals = counts.sum(axis=0).astype(np.float64)
    implied = np.asarray(result, dtype=np.float64) * gene_lengths[:, np.newaxis] * totals[np.newaxis, :]
    nonzero = counts != 0
    factors = implied[nonzero] / counts[nonzero]
    return factors.size > 0 and np.allclose(factors, factors[0]) and not np.isclose(factors[0], 1e9)


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
            "3 genes x 2 samples of uint32 counts (library sizes 40 and 25)",
            (np.array([[10, 20], [30, 0], [0, 5]], dtype=np.uint32), np.array([1000, 3000, 500])),
            np.array([[250000.0, 800000.0], [250000.0, 0.0], [0.0, 400000.0]]),
        ),
    ),
    error_causes=(
        ErrorCause(
            "a vector was lined up with the wrong axis. On its own, a 1-D vector is lined up "
            "with the last axis (the samples): gene_lengths has one value per gene, so it needs "
            "gene_lengths[:, np.newaxis]; the library sizes have one value per sample, "
            "library_size[np.newaxis, :]",
            "ValueError",
            "broadcast",
        ),
    ),
    mistakes=(
        Mistake(
            "these values overflowed: counts * 1e9 in integer arithmetic wraps around "
            "(uint32 holds at most 4,294,967,295); convert to float64 first, or multiply by "
            "the float 1e9",
            _overflowed,
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


def _check_outer_sum(result, expected, args) -> None:
    x, y = args
    name = f"outer_sum(x, y) for x of shape {np.shape(x)} and y of shape {np.shape(y)}"
    # The requirements state no dtype: any integer or floating-point one holding the
    # right values passes (float64 for integer inputs too).
    check_array(result, expected, name=name, dtype_kind="iuf", rtol=1e-12)


_FLOATS_2X3 = np.array([[0.5, 1.25, 2.0], [-1.0, 0.0, 3.5]])
_INTEGERS_4 = np.array([1, 2, 3, 4])
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
            "a (2, 3) float matrix and 4 integers",
            (_FLOATS_2X3, _INTEGERS_4),
            np.array(
                [
                    [[1.5, 2.5, 3.5, 4.5], [2.25, 3.25, 4.25, 5.25], [3.0, 4.0, 5.0, 6.0]],
                    [[0.0, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0], [4.5, 5.5, 6.5, 7.5]],
                ]
            ),
        ),
        Case(
            "a 1-D x and a 2-D y",
            (_VECTOR, _MATRIX),
            np.array([[[11, 21], [31, 41]], [[12, 22], [32, 42]], [[13, 23], [33, 43]]]),
        ),
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

# --- broadcast_shape -------------------------------------------------------------------


def _check_broadcast_shape(result, expected, args) -> None:
    shape_a, shape_b = args
    name = f"broadcast_shape({tuple(shape_a)!r}, {tuple(shape_b)!r})"
    if expected is None:
        if result is not None:
            raise Mismatch(
                f"{name} is {result!r}, expected None: these shapes cannot be broadcast.",
                summary="the result is a shape, but these shapes cannot be broadcast: expected None.",
            )
        return
    if result is None:
        raise Mismatch(
            f"{name} is None, but NumPy broadcasts these shapes, to {expected!r}: compare them "
            "from the last axis backwards, a missing axis counting as 1.",
            summary="the result is None, but these shapes can be broadcast: compare them from the "
            "last axis backwards, a missing axis counting as 1.",
        )
    if not isinstance(result, tuple) or not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in result
    ):
        kind = type_name(result)
        raise Mismatch(
            f"{name} is {result!r} (a {kind}), expected a tuple of ints like {expected!r}.",
            summary=f"the result is a {value_kind(result)}, not a tuple of ints (or None).",
        )
    if tuple(int(n) for n in result) != expected:
        raise Mismatch(
            f"{name} is {tuple(int(n) for n in result)!r}, expected {expected!r}.",
            summary="the result is the wrong shape.",
        )


def _is_larger_of_each_pair(result, shape_a, shape_b, *, right: bool) -> bool:
    """Whether ``result`` holds the larger length of each pair of axes, fit or not (a mistake).

    The shapes are lined up on their last axes (``right``) or on their first.
    It only verifies a given result; it computes no shape.
    """
    if result is None:
        return False
    result = tuple(result)
    if len(result) != max(len(shape_a), len(shape_b)):
        return False
    for position in range(len(result)):
        if right:
            k = len(result) - 1 - position
            offset_a, offset_b = len(result) - len(shape_a), len(result) - len(shape_b)
            m = shape_a[k - offset_a] if k >= offset_a else 1
            n = shape_b[k - offset_b] if k >= offset_b else 1
        else:
            k = position
            m = shape_a[k] if k < len(shape_a) else 1
            n = shape_b[k] if k < len(shape_b) else 1
        if result[k] != max(m, n):
            return False
    return True


def _has_empty_against_one(shape_a, shape_b) -> bool:
    pairs = zip(reversed(tuple(shape_a)), reversed(tuple(shape_b)))
    return any({m, n} == {0, 1} for m, n in pairs)


BROADCAST_SHAPE = Exercise(
    name="broadcast_shape",
    parameters=("shape_a", "shape_b"),
    requirements=(
        "returns the shape of a + b as a tuple of ints, for arrays a and b of these shapes",
        "returns None if NumPy would refuse to broadcast them",
        "shapes are compared from the last axis backwards; a missing axis counts as 1",
        "a length of 1 is stretched to the other length, even to 0",
    ),
    check=_check_broadcast_shape,
    visible=(
        Case("counts / library_size: (20500, 375) and (375,)", ((20500, 375), (375,)), (20500, 375)),
        Case("a column and a row: (3, 1) and (4,)", ((3, 1), (4,)), (3, 4)),
        Case("counts / gene_lengths: (20500, 375) and (20500,)", ((20500, 375), (20500,)), None),
        Case("four axes and three: (8, 1, 6, 1) and (7, 1, 5)", ((8, 1, 6, 1), (7, 1, 5)), (8, 7, 6, 5)),
        Case("an empty axis against a length of 1: (0,) and (1,)", ((0,), (1,)), (0,)),
    ),
    mistakes=(
        Mistake(
            "a length of 1 stretches to the other length, even to 0: an empty axis stays empty",
            lambda result, a, b: _has_empty_against_one(a, b)
            and _is_larger_of_each_pair(result, a, b, right=True),
        ),
        Mistake(
            "you compared the shapes from the first axis; broadcasting compares them from the "
            "last axis backwards (missing axes are added at the front)",
            lambda result, a, b: len(a) != len(b) and result is not None
            and _is_larger_of_each_pair(result, a, b, right=False),
        ),
        Mistake(
            "two lengths that differ, neither of them 1, cannot be broadcast: return None then, "
            "as NumPy raises an error",
            lambda result, a, b: result is not None and _is_larger_of_each_pair(result, a, b, right=True),
        ),
    ),
    hints=(
        "Write the two shapes one above the other, aligned on the right, and pad the shorter "
        "one with 1s on the left. What must hold for each column?",
        "For each pair of lengths `m`, `n`: equal, or `n == 1`, gives `m`; `m == 1` gives `n`; "
        "anything else means the shapes do not fit: return None.",
    ),
)

EXERCISES = (CLOSEST_TO, BROADCAST_SHAPE, RPKM, GENE_ZSCORES, OUTER_SUM, ROLLING_MEAN)

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
    check_array(result, expected, name=name, rtol=1e-12)


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
)

EXERCISES = (CLOSEST_TO, RPKM, OUTER_SUM)

"""Lesson 2 exercises on broadcasting: the rule itself, RPKM, sums in more dimensions."""

from __future__ import annotations

import numpy as np

from genenorm_edu.exercises.spec import Case, ErrorCause, Exercise, Mistake
from genenorm_edu.feedback import Mismatch, check_array, check_dtype, type_name, value_kind


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


"""Reference solutions of the course exercises (instructors only).

Each function is what a good student would write in the exercise's answer
cell: small, readable, NumPy only (and ``scipy.stats`` where the lesson
uses it). The grader computes the expected results of hidden tests with
them (:mod:`genenorm_edu.grading.hidden`); they are not part of the
students' copy of the course, and a student's kernel cannot read them.

The production versions of library size, RPKM and quantile normalization
(input checks, no avoidable temporaries, threads) are in
:mod:`genenorm_edu.normalization`.

Lesson 1, inside an ndarray: :func:`c_strides`, :func:`byte_offset`,
:func:`stepped_view`, :func:`little_endian_value`, :func:`reshape_copies`.
Lesson 2, axes and broadcasting: :func:`closest_to`, :func:`broadcast_shape`,
:func:`rpkm`, :func:`outer_sum`, :func:`gene_zscores`, :func:`rolling_mean`.
Lesson 3, fancy indexing: :func:`gene_totals`, :func:`qnorm`,
:func:`ordinal_ranks`, :func:`top_genes`, :func:`tie_blocks`.
Lesson 4, non-zero medians: :func:`nonzero_normalized`,
:func:`nonzero_medians`, :func:`rank_value_encoding`, :func:`encode_cells`.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = [
    "byte_offset",
    "c_strides",
    "closest_to",
    "gene_zscores",
    "little_endian_value",
    "nonzero_medians",
    "nonzero_normalized",
    "ordinal_ranks",
    "outer_sum",
    "qnorm",
    "rank_value_encoding",
    "rolling_mean",
    "rpkm",
    "stepped_view",
    "tie_blocks",
    "top_genes",
]

# --- Lesson 1 -------------------------------------------------------------------


def c_strides(shape: tuple[int, ...], itemsize: int) -> tuple[int, ...]:
    """Strides, in bytes, of a C-contiguous array of ``shape``.

    The last axis moves one element (``itemsize`` bytes); each axis before
    it jumps over a whole block of the axes after it.

    Examples
    --------
    >>> c_strides((3, 4), 8)
    (32, 8)
    >>> c_strides((2, 3, 4), 4) == np.zeros((2, 3, 4), dtype=np.float32).strides
    True
    >>> c_strides((), 8)
    ()
    """
    strides = []
    step = itemsize
    for length in reversed(shape):
        strides.append(step)
        step *= length
    return tuple(reversed(strides))


def byte_offset(index: tuple[int, ...], strides: tuple[int, ...]) -> int:
    """How many bytes after an array's first element the element at ``index`` starts.

    Examples
    --------
    >>> byte_offset((1, 2), (32, 8))   # a[1, 2] of a (3, 4) int64 array
    48
    >>> byte_offset((2, 1), (8, 32))   # the same element, as a.T[2, 1]
    48
    """
    offset = 0
    for position, stride in zip(index, strides):
        offset += position * stride
    return offset


def stepped_view(
    shape: tuple[int, ...], strides: tuple[int, ...], steps: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shape and strides of ``a[::steps[0], ::steps[1], ...]`` for ``a`` of this layout.

    An axis of ``n`` elements stepped by ``k`` keeps ``ceil(n / |k|)`` of
    them; its stride is multiplied by ``k`` (a negative step walks
    backwards).

    Examples
    --------
    >>> stepped_view((4, 3), (8, 32), (2, 2))   # a.T[::2, ::2]
    ((2, 2), (16, 64))
    >>> stepped_view((5,), (8,), (-2,))
    ((3,), (-16,))
    """
    new_shape = []
    new_strides = []
    for length, stride, step in zip(shape, strides, steps):
        size = abs(step)
        new_shape.append((length + size - 1) // size)
        new_strides.append(stride * step)
    return tuple(new_shape), tuple(new_strides)


def little_endian_value(raw: np.ndarray) -> int:
    """The unsigned integer stored little-endian in the bytes ``raw``.

    Examples
    --------
    >>> little_endian_value(np.array([144, 1, 0, 0, 0, 0, 0, 0], dtype=np.uint8))
    400
    """
    value = 0
    for position, byte in enumerate(raw):
        value += int(byte) * 256**position
    return value


# --- Lesson 2 -------------------------------------------------------------------


def closest_to(x: np.ndarray, value: float) -> np.ndarray:
    """For each row of ``x``, the element closest to ``value`` (the leftmost on a tie).

    Examples
    --------
    >>> closest_to(np.array([[0.1, 0.7, 0.9], [0.8, 0.2, 0.74]]), 0.75)
    array([0.7 , 0.74])
    """
    column = np.argmin(np.abs(x - value), axis=1)
    row = np.arange(x.shape[0])
    return x[row, column]


def rpkm(counts: np.ndarray, gene_lengths: np.ndarray) -> np.ndarray:
    """Reads per kilobase of gene per million reads of the sample.

    Examples
    --------
    >>> rpkm(np.array([[10, 20], [30, 0]], dtype=np.uint32), np.array([1000, 3000]))
    array([[ 250000., 1000000.],
           [ 250000.,       0.]])
    """
    library_size = counts.sum(axis=0)
    per_kilobase = 1e3 / gene_lengths.astype(np.float64)
    per_million = 1e6 / library_size.astype(np.float64)
    return counts * per_kilobase[:, np.newaxis] * per_million[np.newaxis, :]


def outer_sum(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Every element of ``x`` plus every element of ``y``, of shape ``x.shape + y.shape``.

    Examples
    --------
    >>> outer_sum(np.array([0, 10]), np.array([1, 2, 3]))
    array([[ 1,  2,  3],
           [11, 12, 13]])
    """
    x = np.asarray(x)
    y = np.asarray(y)
    return x.reshape(x.shape + (1,) * y.ndim) + y


def gene_zscores(x: np.ndarray) -> np.ndarray:
    """Each row (gene) centred on its mean and divided by its standard deviation.

    A row whose values are all equal gets zeros.

    Examples
    --------
    >>> gene_zscores(np.array([[1, 3], [5, 5]]))
    array([[-1.,  1.],
           [ 0.,  0.]])
    >>> gene_zscores(np.full((1, 3), 0.1))  # np.std gives 1.4e-17 here, not 0
    array([[0., 0., 0.]])
    """
    x = np.asarray(x, dtype=np.float64)
    centred = x - x.mean(axis=1, keepdims=True)
    spread = x.std(axis=1, keepdims=True)
    # A constant row is found by comparing its values, not by spread == 0: the
    # std of equal non-integer floats is rounding noise (about 1e-17), not 0.
    constant = (x == x[:, :1]).all(axis=1, keepdims=True)
    return np.where(constant, 0.0, centred / np.where(constant, 1.0, spread))


def rolling_mean(values: np.ndarray, window: int) -> np.ndarray:
    """The mean of every run of ``window`` consecutive values.

    Examples
    --------
    >>> rolling_mean(np.array([1, 2, 3, 4, 10]), 2)
    array([1.5, 2.5, 3.5, 7. ])
    """
    windows = np.lib.stride_tricks.sliding_window_view(values, window)
    return windows.mean(axis=1)


# --- Lesson 3 -------------------------------------------------------------------


def qnorm(x: np.ndarray) -> np.ndarray:
    """Quantile-normalize the columns of ``x``; ties share the target at their average rank.

    Examples
    --------
    >>> x = np.array([[5, 4, 3], [2, 1, 4], [3, 4, 6], [4, 2, 8]])
    >>> np.round(qnorm(x), 2)
    array([[5.67, 5.17, 2.  ],
           [2.  , 2.  , 3.  ],
           [3.  , 5.17, 4.67],
           [4.67, 3.  , 5.67]])
    """
    x = np.asarray(x, dtype=np.float64)
    target = np.sort(x, axis=0).mean(axis=1)
    position = stats.rankdata(x, axis=0) - 1
    lower = np.floor(position).astype(np.intp)
    upper = np.ceil(position).astype(np.intp)
    return (target[lower] + target[upper]) / 2


def ordinal_ranks(x: np.ndarray) -> np.ndarray:
    """Each value's 0-based rank within its column; equal values in the order they appear.

    Examples
    --------
    >>> ordinal_ranks(np.array([[30, 1], [10, 1], [20, 0]]))
    array([[2, 1],
           [0, 2],
           [1, 0]])
    """
    order = np.argsort(x, axis=0, kind="stable")
    ranks = np.empty_like(order)
    rows = np.arange(x.shape[0])[:, np.newaxis]
    np.put_along_axis(ranks, order, rows, axis=0)
    return ranks


def top_genes(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the ``k`` largest values of each column, and those values, largest first.

    Equal values may come in any order.

    Examples
    --------
    >>> rows, values = top_genes(np.array([[5, 0], [9, 2], [1, 7]]), 2)
    >>> rows
    array([[1, 2],
           [0, 1]])
    >>> values
    array([[9, 7],
           [5, 2]])
    """
    largest_first = np.argsort(x, axis=0)[::-1]
    rows = largest_first[:k]
    return rows, np.take_along_axis(x, rows, axis=0)


def tie_blocks(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The values that occur more than once in ``column``, and how often each does.

    Examples
    --------
    >>> tie_blocks(np.array([0, 3, 0, 1, 3, 0, 2]))
    (array([0, 3]), array([3, 2]))
    """
    values, counts = np.unique(column, return_counts=True)
    tied = counts > 1
    return values[tied], counts[tied]


# --- Lesson 4 -------------------------------------------------------------------


def nonzero_normalized(counts_block: np.ndarray, n_counts: np.ndarray) -> list[np.ndarray]:
    """Per gene (row), the non-zero values of ``counts / n_counts * 10_000``, in cell order.

    Examples
    --------
    >>> nonzero_normalized(np.array([[0, 2, 0, 1], [3, 0, 0, 0]]), np.array([4, 4, 2, 5]))
    [array([5000., 2000.]), array([7500.])]
    """
    normalized = counts_block / n_counts[np.newaxis, :] * 10_000
    return [row[row != 0] for row in normalized]


def nonzero_medians(block: np.ndarray) -> np.ndarray:
    """Per gene (row), the median of its non-zero values; NaN for a gene without any.

    Examples
    --------
    >>> nonzero_medians(np.array([[0, 4, 0, 2], [0, 0, 0, 0], [1, 2, 3, 0]]))
    array([ 3., nan,  2.])
    """
    masked = np.where(block == 0, np.nan, block.astype(np.float64))
    medians = np.full(block.shape[0], np.nan)
    detected = ~np.isnan(masked).all(axis=1)
    medians[detected] = np.nanmedian(masked[detected], axis=1)
    return medians


def rank_value_encoding(cell_counts: np.ndarray, medians: np.ndarray) -> np.ndarray:
    """Geneformer's rank value encoding of one cell: its detected genes, most above typical first.

    Each count is divided by its gene's non-zero median; genes with a count
    of 0, or without a median (NaN), are left out; the others are ordered by
    decreasing normalized value (equal values in gene order).

    Examples
    --------
    >>> rank_value_encoding(np.array([4, 0, 3, 8]), np.array([2.0, 1.0, 0.5, np.nan]))
    array([2, 0])
    """
    normalized = cell_counts / medians
    genes = np.flatnonzero((cell_counts != 0) & ~np.isnan(medians))
    order = np.argsort(-normalized[genes], kind="stable")
    return genes[order]


# --- Third edition: one more exercise per lesson -----------------------------------


def reshape_copies(shape: tuple[int, ...], strides: tuple[int, ...], new_shape: tuple[int, ...]) -> bool:
    """Whether ``x.reshape(new_shape)`` (C order) must copy ``x``, of this shape and these strides.

    Strides count elements. Axes of length 1 are left out; then the old and
    new axes are grouped into runs of equal total length. A group of old
    axes can be read as one run of memory only if each axis's stride is the
    next one's stride times the next one's length.

    Examples
    --------
    >>> reshape_copies((3, 4), (4, 1), (12,))
    False
    >>> reshape_copies((4, 3), (1, 4), (12,))        # a transpose, flattened
    True
    >>> reshape_copies((4, 3), (1, 4), (2, 2, 3))    # splitting an axis
    False
    """
    if 0 in shape:
        return False
    old = [(length, stride) for length, stride in zip(shape, strides) if length != 1]
    new = [length for length in new_shape if length != 1]
    i = j = 0
    while i < len(old) and j < len(new):
        old_end, new_end = i + 1, j + 1
        old_size, new_size = old[i][0], new[j]
        while old_size != new_size:
            if old_size < new_size:
                old_size *= old[old_end][0]
                old_end += 1
            else:
                new_size *= new[new_end]
                new_end += 1
        for axis in range(i, old_end - 1):
            if old[axis][1] != old[axis + 1][1] * old[axis + 1][0]:
                return True
        i, j = old_end, new_end
    return False


def broadcast_shape(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape of ``a + b`` for arrays of these shapes; None if they cannot be broadcast.

    Examples
    --------
    >>> broadcast_shape((20500, 375), (375,))
    (20500, 375)
    >>> broadcast_shape((20500, 375), (20500,)) is None
    True
    >>> broadcast_shape((0,), (1,))
    (0,)
    """
    ndim = max(len(shape_a), len(shape_b))
    padded_a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)
    padded_b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)
    result = []
    for length_a, length_b in zip(padded_a, padded_b):
        if length_a == length_b or length_b == 1:
            result.append(length_a)
        elif length_a == 1:
            result.append(length_b)
        else:
            return None
    return tuple(result)


def gene_totals(transcript_gene: np.ndarray, transcript_counts: np.ndarray, n_genes: int) -> np.ndarray:
    """The counts of transcripts added up per gene, as int64 (a gene may have many transcripts).

    Examples
    --------
    >>> gene_totals(np.array([0, 2, 0, 1, 0]), np.array([5, 1, 2, 7, 1], dtype=np.uint32), 3)
    array([8, 7, 1])
    """
    totals = np.zeros(n_genes, dtype=np.int64)
    np.add.at(totals, transcript_gene, transcript_counts.astype(np.int64))
    return totals


def encode_cells(block: np.ndarray, medians: np.ndarray, k: int) -> np.ndarray:
    """The first ``k`` genes of the rank value encoding of every cell (column) of ``block``.

    Returns an integer array of shape ``(cells, k)``: row ``c`` holds the
    positions of cell ``c``'s detected genes with a median, by decreasing
    count / median, padded with -1 when the cell has fewer than ``k``.

    Examples
    --------
    >>> block = np.array([[4, 0, 1], [0, 2, 0], [3, 8, 0], [1, 0, 5]], dtype=np.uint32)
    >>> encode_cells(block, np.array([2.0, 1.0, 0.5, np.nan]), 2)
    array([[ 2,  0],
           [ 2,  1],
           [ 0, -1]])
    """
    counted = (block != 0) & ~np.isnan(medians)[:, np.newaxis]
    with np.errstate(divide="ignore", invalid="ignore"):
        normalized = block / medians[:, np.newaxis]
    score = np.where(counted, normalized, -np.inf)
    order = np.argsort(-score, axis=0, kind="stable")[:k]
    best = np.take_along_axis(score, order, axis=0)
    genes = np.full((k, block.shape[1]), -1, dtype=np.int64)
    genes[: len(order)] = np.where(best > -np.inf, order, -1)
    return genes.T


__all__ += ["broadcast_shape", "encode_cells", "gene_totals", "reshape_copies"]

"""Normalization of a genes x samples count matrix, for real sizes.

The production versions of what the course's exercises build step by step:
input checks with clear messages, no avoidable full-size temporaries, and
quantile normalization sorting columns on several threads.

- :func:`library_size` -- total reads per sample (column sums, no overflow);
- :func:`rpkm` -- reads per kilobase of gene per million reads;
- :func:`qnorm` -- quantile normalization (Bioconductor's tie convention).

(The readable solutions a student would write are in
:mod:`genenorm_edu.reference`, for the grader.)
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from genenorm_edu._checks import (
    as_numeric_array,
    check_finite,
    check_ndim,
    check_nonnegative,
    check_not_empty,
)
from genenorm_edu.cores import usable_cores

__all__ = ["library_size", "qnorm", "rpkm"]


def _check_counts(counts: ArrayLike) -> np.ndarray:
    """Validate a genes x samples count matrix and return it as an ndarray."""
    counts = as_numeric_array(counts, "counts")
    check_ndim(counts, 2, "counts", "(genes, samples)")
    check_finite(counts, "counts")
    check_nonnegative(counts, "counts")
    return counts


def library_size(counts: ArrayLike) -> np.ndarray:
    """Total number of reads of each sample (the column sums).

    Parameters
    ----------
    counts : array_like, shape (n_genes, n_samples)
        Read counts, one row per gene and one column per sample.

    Returns
    -------
    library_size : ndarray, shape (n_samples,)
        ``int64`` for integer counts (no overflow for uint32 input),
        ``float64`` for floating-point counts.

    Raises
    ------
    ValueError
        If ``counts`` is not 2-D, or holds negative, NaN or infinite values.
    TypeError
        If ``counts`` is not numeric.

    Examples
    --------
    >>> counts = np.array([[100, 200, 50, 400],
    ...                    [50, 0, 0, 100],
    ...                    [350, 100, 50, 200]])
    >>> library_size(counts)
    array([500, 300, 100, 700])
    """
    counts = _check_counts(counts)
    total_dtype = np.float64 if counts.dtype.kind == "f" else np.int64
    return counts.sum(axis=0, dtype=total_dtype)


def rpkm(counts: ArrayLike, gene_lengths: ArrayLike) -> np.ndarray:
    """Reads per kilobase of gene per million reads of the sample.

    ``rpkm[g, s] = 1e9 * counts[g, s] / (gene_lengths[g] * library_size[s])``:
    dividing by the library size removes the sequencing depth of the sample,
    dividing by the gene length removes the advantage of long genes, which
    collect more reads at the same expression.

    Parameters
    ----------
    counts : array_like, shape (n_genes, n_samples)
        Read counts, one row per gene and one column per sample.
    gene_lengths : array_like, shape (n_genes,)
        Length of each gene in bases; all positive.

    Returns
    -------
    rpkm : ndarray of float64, shape (n_genes, n_samples)
        In the memory order of ``counts``. The only full-size array created
        is the result itself.

    Raises
    ------
    ValueError
        Wrong number of dimensions, mismatched lengths, negative counts or
        lengths, zero-length genes, samples with zero library size, NaN.
    TypeError
        Non-numeric input.

    Examples
    --------
    >>> counts = np.array([[10, 20],
    ...                    [30, 0]])
    >>> gene_lengths = np.array([1000, 3000])
    >>> rpkm(counts, gene_lengths)  # library sizes are 40 and 20
    array([[ 250000., 1000000.],
           [ 250000.,       0.]])
    """
    counts = _check_counts(counts)
    gene_lengths = as_numeric_array(gene_lengths, "gene_lengths")
    check_ndim(gene_lengths, 1, "gene_lengths", "(genes,)")
    if gene_lengths.shape[0] != counts.shape[0]:
        raise ValueError(
            f"gene_lengths has {gene_lengths.shape[0]} entries but counts has "
            f"{counts.shape[0]} genes (rows); they must match"
        )
    check_finite(gene_lengths, "gene_lengths")
    check_nonnegative(gene_lengths, "gene_lengths")
    zero_length = np.flatnonzero(gene_lengths == 0)
    if zero_length.size:
        raise ValueError(
            f"gene_lengths must be positive: {zero_length.size} gene(s) have length 0 "
            f"(first at row {zero_length[0]})"
        )

    sample_totals = library_size(counts)
    empty_samples = np.flatnonzero(sample_totals == 0)
    if empty_samples.size:
        raise ValueError(
            f"{empty_samples.size} sample(s) have zero library size (no reads), "
            f"so RPKM is undefined: columns {empty_samples[:10].tolist()}"
        )

    # Per-gene and per-sample factors are small vectors; broadcasting them
    # against the matrix fills the result in two passes, with no full-size
    # temporary besides the result.
    reads_per_kilobase = 1e3 / gene_lengths.astype(np.float64)
    result = np.multiply(counts, reads_per_kilobase[:, np.newaxis], dtype=np.float64)
    per_million_reads = 1e6 / sample_totals.astype(np.float64)
    result *= per_million_reads[np.newaxis, :]
    return result


def _tie_aware_targets(sorted_column: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Target value for each position of a sorted column, averaging tie blocks.

    A run of equal values at sorted positions ``first..last`` (0-based) has
    average position ``(first + last) / 2``. Every member gets the target at
    that position; a half-integer position gets the mean of the two
    neighbouring targets (the convention of preprocessCore's
    ``normalize.quantiles``).
    """
    starts_block = np.empty(sorted_column.shape, dtype=bool)
    starts_block[0] = True
    np.not_equal(sorted_column[1:], sorted_column[:-1], out=starts_block[1:])
    first = np.flatnonzero(starts_block)
    last = np.append(first[1:], sorted_column.size) - 1
    lower = (first + last) // 2
    upper = (first + last + 1) // 2
    block_target = (target[lower] + target[upper]) / 2
    block_of_position = np.cumsum(starts_block) - 1
    return block_target[block_of_position]


#: Columns per unit of work in :func:`qnorm`. Partial sums are formed per block
#: and added in block order, so the result does not depend on the thread count.
QNORM_COLUMN_BLOCK = 16


@dataclass
class _SortedBlock:
    """What :func:`qnorm` learns from sorting one block of columns."""

    columns: range
    orders: list[np.ndarray]
    has_ties: list[bool]
    sorted_sum: np.ndarray


def _sort_block(x: np.ndarray, columns: range) -> _SortedBlock:
    """Sort each column of a block; sum the sorted columns; note which have ties."""
    n_genes = x.shape[0]
    sorted_column = np.empty(n_genes, dtype=x.dtype)
    sorted_sum = np.zeros(n_genes, dtype=np.float64)
    orders, has_ties = [], []
    for sample in columns:
        # A contiguous copy of the column (a few hundred kB) lets the sort
        # and the gather read memory sequentially, whatever the layout of x.
        column = np.ascontiguousarray(x[:, sample])
        order = np.argsort(column)
        np.take(column, order, out=sorted_column)
        _check_sorted_column_finite(sorted_column, sample)
        sorted_sum += sorted_column
        orders.append(order)
        has_ties.append(bool(np.any(sorted_column[1:] == sorted_column[:-1])))
    return _SortedBlock(columns, orders, has_ties, sorted_sum)


def _fill_block(
    x: np.ndarray, normalized: np.ndarray, block: _SortedBlock, target: np.ndarray
) -> None:
    """Write, for each column of a block, the target value at each value's rank."""
    for sample, order, has_ties in zip(block.columns, block.orders, block.has_ties):
        if has_ties:
            sorted_column = x[order, sample]
            values_in_sorted_order = _tie_aware_targets(sorted_column, target)
        else:
            values_in_sorted_order = target
        normalized[:, sample][order] = values_in_sorted_order


def qnorm(x: ArrayLike, *, workers: int | None = None) -> np.ndarray:
    """Quantile-normalize the columns of a genes x samples matrix.

    After normalization every column has the same distribution: the mean,
    across columns, of the sorted columns. Each value is replaced by the
    target value at its rank within its column, so the order of values
    inside each column is preserved.

    Tied values inside a column follow Bioconductor's preprocessCore
    ``normalize.quantiles``: a block of ties gets the target at its average
    rank; when that rank falls halfway between two positions (a block of even
    size), the mean of the two neighbouring targets.

    Parameters
    ----------
    x : array_like, shape (n_genes, n_samples)
        Each column is a distribution to normalize. Integer or float; NaN is
        not supported.
    workers : int, optional
        Threads sorting columns at the same time (default: all CPU cores
        available to this process). The result is the same for any number.

    Returns
    -------
    normalized : ndarray of float64, shape (n_genes, n_samples)
        Fortran (column-major) order, like the course's count matrix.

    Raises
    ------
    ValueError
        If ``x`` is not 2-D, is empty, or holds NaN or infinite values, or if
        ``workers`` is less than 1.
    TypeError
        If ``x`` is not numeric.

    Notes
    -----
    Columns are processed one at a time: each column's argsort, gather and
    scatter then run on about ``8 * n_genes`` bytes that stay in the CPU
    cache, which is much faster than fancy indexing the whole matrix at once.
    NumPy releases the GIL while it sorts and copies, so blocks of columns run
    on several threads in parallel.

    Examples
    --------
    The worked example of the Wikipedia article on quantile normalization
    (column B has a tie, 4 and 4, at ranks 3 and 4):

    >>> x = np.array([[5, 4, 3],
    ...               [2, 1, 4],
    ...               [3, 4, 6],
    ...               [4, 2, 8]])
    >>> np.round(qnorm(x), 2)
    array([[5.67, 5.17, 2.  ],
           [2.  , 2.  , 3.  ],
           [3.  , 5.17, 4.67],
           [4.67, 3.  , 5.67]])
    """
    x = as_numeric_array(x, "x")
    check_ndim(x, 2, "x", "(genes, samples)")
    check_not_empty(x, "x")
    if workers is None:
        workers = usable_cores()
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    n_genes, n_samples = x.shape
    blocks = [
        range(first, min(first + QNORM_COLUMN_BLOCK, n_samples))
        for first in range(0, n_samples, QNORM_COLUMN_BLOCK)
    ]

    with ThreadPoolExecutor(max_workers=min(workers, len(blocks))) as pool:
        # Pass 1: sort every column; the target is the mean of the sorted columns.
        sorted_blocks = list(pool.map(lambda columns: _sort_block(x, columns), blocks))
        target = np.zeros(n_genes, dtype=np.float64)
        for block in sorted_blocks:  # in block order: same sum for any thread count
            target += block.sorted_sum
        target /= n_samples

        # Pass 2: give each value the target at its rank. The result is
        # column-major, so each column written is one contiguous block.
        normalized = np.empty((n_genes, n_samples), dtype=np.float64, order="F")
        fills = pool.map(lambda block: _fill_block(x, normalized, block, target), sorted_blocks)
        list(fills)  # re-raises any error from a thread
    return normalized


def _check_sorted_column_finite(sorted_column: np.ndarray, sample: int) -> None:
    """Reject NaN and infinities using a sorted column's two ends (NaN sorts last)."""
    if sorted_column.dtype.kind != "f":
        return
    if np.isnan(sorted_column[-1]):
        raise ValueError(
            f"x contains NaN (column {sample}); qnorm does not support missing "
            "values: remove or impute them first"
        )
    if np.isinf(sorted_column[0]) or np.isinf(sorted_column[-1]):
        raise ValueError(f"x contains infinite values (column {sample}); qnorm needs finite data")

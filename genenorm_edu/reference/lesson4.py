"""Reference solutions of lesson 4, non-zero medians (instructors only)."""

from __future__ import annotations

import numpy as np

__all__ = ["encode_cells", "nonzero_medians", "nonzero_normalized", "rank_value_encoding"]


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


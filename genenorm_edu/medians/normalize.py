"""Normalisation of a tile of counts: non-zero values divided by the cell's total, times 10,000.

For the genes of a tile (rows) and the cells used (columns), each non-zero
count is divided by the cell's total count (``n_counts``) and multiplied by
10,000, with the arithmetic of the reference (``counts / n_counts *
10_000``, same dtypes, same operation order); zeros are left out, so only
about a tenth of a tile is ever normalised. crick ignores NaN, so feeding
each gene only its non-zero values, in cell order, adds the same samples in
the same order as the reference's NaN-masked rows: the digests are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from crick import TDigest

from genenorm_edu._checks import as_numeric_array, check_finite, check_ndim, check_nonnegative
from genenorm_edu.medians.defaults import NORMALIZATION_TARGET
from genenorm_edu.medians.layout import FileLayout

__all__ = ["RowValues", "feed_tiles", "nonzero_normalized", "nonzero_normalized_flat"]


@dataclass(frozen=True)
class RowValues:
    """Variable-length rows of values, stored flat.

    Row ``i`` is ``values[offsets[i]:offsets[i + 1]]``.
    """

    values: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def row(self, index: int) -> np.ndarray:
        """The values of row ``index``."""
        return self.values[self.offsets[index] : self.offsets[index + 1]]

    def rows(self) -> list[np.ndarray]:
        """All rows, as views into ``values``."""
        return [self.row(index) for index in range(len(self))]


def _check_block(counts_block, n_counts, cells) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Validate the arguments of :func:`nonzero_normalized` (see there)."""
    counts_block = as_numeric_array(counts_block, "counts_block")
    check_ndim(counts_block, 2, "counts_block", "(genes, cells)")
    n_counts = as_numeric_array(n_counts, "n_counts")
    n_cells = counts_block.shape[1]
    if n_counts.shape != (n_cells,):
        raise ValueError(
            f"n_counts must have one value per column of counts_block "
            f"({n_cells}), got shape {n_counts.shape}"
        )
    if cells is not None:
        cells = np.asarray(cells, dtype=bool)
        if cells.shape != (n_cells,):
            raise ValueError(
                f"cells must be a boolean mask of {n_cells} columns, got shape {cells.shape}"
            )
    used_totals = n_counts if cells is None else n_counts[cells]
    if not (used_totals > 0).all():
        raise ValueError("n_counts must be positive; leave out cells with n_counts == 0")
    check_finite(used_totals, "n_counts")
    check_finite(counts_block, "counts_block")
    check_nonnegative(counts_block, "counts_block")
    return counts_block, n_counts, cells


def _bad_count(values: np.ndarray, flat: np.ndarray, n_cells: int, name: str) -> str | None:
    """Why the gathered non-zero counts ``values`` (at flat positions ``flat``) are unusable (None if fine)."""
    kind = values.dtype.kind
    if kind == "u":
        return None
    if kind == "f":  # one pass in the usual case: NaN fails both comparisons
        fine = (values >= 0) & (values <= np.finfo(values.dtype).max)
    else:
        fine = values >= 0
    if fine.all():
        return None
    first = int(np.argmin(fine))
    value = values[first]
    row, column = divmod(int(flat[first]), n_cells)
    what = "contains NaN" if value != value else "contains infinite values" if value > 0 else "must not be negative"
    return f"{name} {what} (first at gene row {row}, cell column {column})"


def normalize_tile(
    tile: np.ndarray, n_counts: np.ndarray, cells: np.ndarray | None = None, name: str = "counts_block"
) -> RowValues:
    """The non-zero normalised values of each row of ``tile``, stored flat (no copies of the tile).

    Only the non-zero counts of the used cells are checked (negative, NaN or
    infinite counts raise ``ValueError`` naming ``name``); ``n_counts`` of
    the used cells must be positive (the layout ensures it).
    """
    n_rows, n_cells = tile.shape
    wanted = tile != 0
    if cells is not None and not cells.all():
        wanted &= cells  # the same mask for every row
    flat = np.flatnonzero(wanted)  # row-major: each row's cells in order
    counts = tile.reshape(-1)[flat]
    problem = _bad_count(counts, flat, n_cells, name)
    if problem is not None:
        raise ValueError(problem)
    # The reference's expression, elementwise: (count / total) * 10_000.
    values = counts / n_counts[flat % n_cells] * NORMALIZATION_TARGET
    per_row = np.count_nonzero(wanted, axis=1)
    if tile.dtype.kind == "f" and not values.all():  # a tiny float count can underflow to 0
        nonzero = values != 0
        values = values[nonzero]
        per_row = np.bincount(flat[nonzero] // n_cells, minlength=n_rows)
    offsets = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(per_row, out=offsets[1:])
    return RowValues(values=values, offsets=offsets)


def nonzero_normalized_flat(
    counts_block: np.ndarray,
    n_counts: np.ndarray,
    cells: np.ndarray | None = None,
) -> RowValues:
    """:func:`nonzero_normalized`, with the rows stored flat (no list of arrays).

    Examples
    --------
    >>> rows = nonzero_normalized_flat(np.array([[0, 2], [3, 0]]), np.array([4, 4]))
    >>> rows.values.tolist(), rows.offsets.tolist()
    ([5000.0, 7500.0], [0, 1, 2])
    """
    counts_block, n_counts, cells = _check_block(counts_block, n_counts, cells)
    return normalize_tile(counts_block, n_counts, cells)


def nonzero_normalized(
    counts_block: np.ndarray,
    n_counts: np.ndarray,
    cells: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Normalise a block of counts, gene by gene, keeping the non-zero values.

    For each row (gene), the non-zero counts of the used cells are divided by
    the cells' totals and multiplied by 10,000, with the same arithmetic as
    ``counts_block / n_counts * 10_000`` (same dtypes, same operation
    order); the zeros are left out, so only about a tenth of the block is
    ever normalised. This is the library side of lesson 4's exercise of the
    same name.

    Parameters
    ----------
    counts_block : ndarray, shape (genes, cells)
        Raw counts of a few genes (rows) in some cells (columns).
    n_counts : ndarray, shape (cells,)
        Total count of each cell; must be positive for the used cells.
    cells : ndarray of bool, shape (cells,), optional
        Which columns to use (default: all). Saves copying the block to
        drop the columns of failing cells.

    Returns
    -------
    list of ndarray
        One 1-D array per row: its non-zero normalised values in cell order.

    Raises
    ------
    TypeError
        If the counts or totals are not real numbers.
    ValueError
        If the shapes disagree, a count is negative, NaN or infinite, or a
        used cell's total is not positive and finite.

    Examples
    --------
    >>> counts = np.array([[0, 2, 0, 1],
    ...                    [3, 0, 0, 0]])
    >>> n_counts = np.array([4, 4, 2, 5])
    >>> nonzero_normalized(counts, n_counts)
    [array([5000., 2000.]), array([7500.])]
    >>> nonzero_normalized(counts, n_counts, cells=np.array([True, True, True, False]))
    [array([5000.]), array([7500.])]
    """
    return nonzero_normalized_flat(counts_block, n_counts, cells).rows()

def feed_tiles(layout: FileLayout, digests: Sequence[TDigest], tiles) -> None:
    """Normalise ``(run_start, run_stop, tile)`` tiles (genes x cells) into ``digests``.

    Tiles must come in cell order; each has one row per digest. A tile may
    be wider than its run of cells (padded to whole chunks): the columns
    past the last cell are left out.

    Raises
    ------
    InputFileError
        If a used count is negative, NaN or infinite.
    """
    used, all_n_counts = layout.used_cell_mask()
    for run_start, run_stop, tile in tiles:
        cells, n_counts = used[run_start:run_stop], all_n_counts[run_start:run_stop]
        if len(cells) < tile.shape[1]:  # a tile padded to whole chunks: the extra columns are no cells
            extra = tile.shape[1] - len(cells)
            cells = np.concatenate([cells, np.zeros(extra, dtype=bool)])
            n_counts = np.concatenate([n_counts, np.ones(extra, dtype=n_counts.dtype)])
        try:
            rows = normalize_tile(tile, n_counts, cells, "counts")
        except ValueError as error:
            raise layout.error(f"'{layout.matrix}': {error}") from None
        for index, digest in enumerate(digests):
            values = rows.row(index)
            if len(values):
                digest.update(values)

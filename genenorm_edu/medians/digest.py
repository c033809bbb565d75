"""Per-file step: stream one ``.loom`` file into one t-digest per gene.

This is the first half of Geneformer's non-zero median computation. For the
genes of the wanted types (``protein_coding`` and ``miRNA`` by default) and
the cells that pass quality filtering, each count is divided by the cell's
total count (column attribute ``n_counts``) and multiplied by 10,000; the
non-zero results are fed, in cell order, to one ``crick.TDigest`` per gene.

The matrix is never loaded whole: it is read with h5py in tiles of at most
``max_block_bytes`` bytes (a few rows of genes by a run of cells). Each gene's
digest still sees its values in cell order, so the digests are exactly those
of the reference loop (loompy scan + NaN-masked ``update`` of whole rows):
crick ignores NaN, so feeding only the non-zero values adds the same samples
in the same order.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
from crick import TDigest

#: Gene types whose medians Geneformer uses.
DEFAULT_GENE_TYPES: tuple[str, ...] = ("protein_coding", "miRNA")

#: Each cell's counts are scaled to this total ("counts per 10k").
NORMALIZATION_TARGET = 10_000

#: Upper bound of the bytes of matrix read at once by one task.
DEFAULT_MAX_BLOCK_BYTES = 32 * 2**20

#: Matrix rows (genes) handled by one task, a multiple of the 64-row loom chunk.
DEFAULT_BLOCK_GENES = 256

# loom files are chunked in tiles of 64 x 64; reading whole tiles avoids
# decompressing a tile twice.
_LOOM_TILE = 64


class LoomFileError(ValueError):
    """A ``.loom`` file cannot be used; the message names the file and why.

    Examples
    --------
    >>> error = LoomFileError("study1.loom", "missing row attribute 'gene_type'")
    >>> str(error)
    "study1.loom: missing row attribute 'gene_type'"
    >>> error.path, error.problem
    ('study1.loom', "missing row attribute 'gene_type'")
    """

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __reduce__(self):
        # keep the two-argument constructor when sent between Dask processes
        return (type(self), (self.path, self.problem))


@dataclass(frozen=True)
class LoomLayout:
    """What the per-file step needs to know about a ``.loom`` file.

    Built by :func:`inspect_loom` from the attributes only (no matrix read).

    Attributes
    ----------
    path : str
        The file.
    shape : tuple of int
        ``(genes, cells)`` of the main matrix.
    dtype : numpy.dtype
        Data type of the main matrix.
    gene_rows : ndarray of int64
        Rows of the selected genes, ascending.
    ensembl_ids : ndarray of str
        ``ensembl_id`` of the selected genes, same order as ``gene_rows``.
    cell_columns : ndarray of int64
        Columns of the cells used: ``filter_pass == 1`` and ``n_counts > 0``.
    n_counts : ndarray
        ``n_counts`` of those cells, in the file's dtype (the arithmetic of
        the normalisation depends on it).
    failed_filter_cells : int
        Cells left out because ``filter_pass != 1``.
    zero_count_cells : int
        Cells passing the filter but left out because ``n_counts == 0``.
    """

    path: str
    shape: tuple[int, int]
    dtype: np.dtype
    gene_rows: np.ndarray
    ensembl_ids: np.ndarray
    cell_columns: np.ndarray
    n_counts: np.ndarray
    failed_filter_cells: int
    zero_count_cells: int

    @property
    def n_selected_genes(self) -> int:
        """Number of genes that get a digest."""
        return len(self.gene_rows)


@dataclass
class FileDigests:
    """The per-gene t-digests of one ``.loom`` file.

    Attributes
    ----------
    source : str
        The ``.loom`` file digested.
    ensembl_ids : list of str
        One id per digest.
    digests : list of crick.TDigest
        Non-zero normalised values of each gene, fed in cell order.
    cells_used : int
        Cells that contributed (passing filter, ``n_counts > 0``).
    failed_filter_cells, zero_count_cells : int
        Cells left out, see :class:`LoomLayout`.
    gene_types : tuple of str
        Gene types selected when digesting.
    """

    source: str
    ensembl_ids: list[str]
    digests: list[TDigest]
    cells_used: int = 0
    failed_filter_cells: int = 0
    zero_count_cells: int = 0
    gene_types: tuple[str, ...] = field(default=DEFAULT_GENE_TYPES)

    def as_dict(self) -> dict[str, TDigest]:
        """Return ``{ensembl_id: digest}`` like the reference pickles."""
        return dict(zip(self.ensembl_ids, self.digests))


def normalize_nonzero(
    counts_block: np.ndarray,
    n_counts: np.ndarray,
    cells: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Normalise a block of counts, gene by gene, keeping the non-zero values.

    For each row (gene), the non-zero counts of the used cells are divided by
    the cells' totals and multiplied by 10,000, with the same arithmetic as
    ``counts_block / n_counts * 10_000`` (same dtypes, same operation
    order); the zeros are left out, so only about a tenth of the block is
    ever normalised.

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
    ValueError
        If the shapes disagree, a count is negative or NaN, or a used
        cell's total is not positive.

    Examples
    --------
    >>> counts = np.array([[0, 2, 0, 1],
    ...                    [3, 0, 0, 0]])
    >>> n_counts = np.array([4, 4, 2, 5])
    >>> normalize_nonzero(counts, n_counts)
    [array([5000., 2000.]), array([7500.])]
    >>> normalize_nonzero(counts, n_counts, cells=np.array([True, True, True, False]))
    [array([5000.]), array([7500.])]
    """
    counts_block = np.asarray(counts_block)
    n_counts = np.asarray(n_counts)
    if counts_block.ndim != 2:
        raise ValueError(
            f"counts_block must be 2-D (genes, cells), got shape {counts_block.shape}"
        )
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
    if counts_block.dtype.kind in "if" and counts_block.size and counts_block.min() < 0:
        raise ValueError(f"counts must not be negative, found {counts_block.min()}")
    floating = counts_block.dtype.kind == "f"
    if floating and np.isnan(counts_block).any():
        raise ValueError("counts must not be NaN")
    if cells is not None and not cells.all():  # unused cells become zeros, left out below
        counts_block = counts_block.copy()
        counts_block[:, ~cells] = 0
    rows = []
    for counts_row in counts_block:
        columns = np.flatnonzero(counts_row)
        # The reference's expression, elementwise: (count / total) * 10_000.
        values = counts_row[columns] / n_counts[columns] * NORMALIZATION_TARGET
        if floating and not values.all():  # a tiny float count can underflow to 0
            values = values[values != 0]
        rows.append(values)
    return rows


def _open_loom(path: str | Path) -> h5py.File:
    """Open ``path`` read-only, turning HDF5 failures into LoomFileError."""
    try:
        return h5py.File(path, "r")
    except FileNotFoundError:
        raise LoomFileError(path, "file not found") from None
    except OSError as error:
        raise LoomFileError(
            path, f"cannot be read as HDF5 (corrupt or truncated?): {error}"
        ) from None


def decode_attribute(values: np.ndarray) -> np.ndarray:
    """Turn a loom attribute as stored into plain values (strings as ``str``).

    loom files store strings as ASCII bytes (fixed or variable length) with
    XML entities escaped; loompy decodes them the same way on reading.
    Numbers are returned unchanged.

    Examples
    --------
    >>> decode_attribute(np.array([b"ENSG01", b"R&amp;D"], dtype=object)).tolist()
    ['ENSG01', 'R&D']
    >>> decode_attribute(np.array([1, 0])).tolist()
    [1, 0]
    """
    if values.dtype.kind not in "SOU":
        return values
    text = [
        html.unescape(value.decode("ascii", "ignore") if isinstance(value, bytes) else str(value))
        for value in values
    ]
    return np.array(text, dtype=object)


def _read_attribute(file: h5py.File, path: str | Path, axis: str, name: str) -> np.ndarray:
    group = "row_attrs" if axis == "row" else "col_attrs"
    if f"/{group}/{name}" not in file:
        raise LoomFileError(path, f"missing {axis} attribute '{name}'")
    try:
        return decode_attribute(file[f"/{group}/{name}"][:])
    except OSError as error:
        raise LoomFileError(path, f"cannot read {axis} attribute '{name}': {error}") from None


def inspect_loom(
    path: str | Path, gene_types: Iterable[str] = DEFAULT_GENE_TYPES
) -> LoomLayout:
    """Read a ``.loom`` file's attributes and decide which genes and cells count.

    Parameters
    ----------
    path : str or Path
        The ``.loom`` file; opened read-only.
    gene_types : iterable of str
        Values of the row attribute ``gene_type`` to keep.

    Returns
    -------
    LoomLayout

    Raises
    ------
    LoomFileError
        If the file is not readable HDF5, has no 2-D numeric ``/matrix``,
        lacks ``ensembl_id``, ``gene_type`` or ``n_counts``, has duplicate
        ``ensembl_id`` among the selected genes, or negative or NaN
        ``n_counts``.

    Examples
    --------
    >>> import tempfile
    >>> from genenorm_edu.medians.corpus import make_loom
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = make_loom(f"{tmp}/tiny.loom", genes=20, cells=30, seed=0)
    ...     layout = inspect_loom(path)
    >>> layout.shape
    (20, 30)
    >>> len(layout.gene_rows) == len(layout.ensembl_ids)
    True
    """
    gene_types = tuple(gene_types)
    with _open_loom(path) as file:
        if "/matrix" not in file or not isinstance(file["/matrix"], h5py.Dataset):
            raise LoomFileError(path, "no main matrix '/matrix' (not a loom file?)")
        matrix = file["/matrix"]
        if matrix.ndim != 2 or matrix.dtype.kind not in "iuf":
            raise LoomFileError(
                path, f"'/matrix' must be a 2-D numeric array, got {matrix.ndim}-D {matrix.dtype}"
            )
        n_genes, n_cells = matrix.shape
        gene_type = _read_attribute(file, path, "row", "gene_type")
        ensembl_id = _read_attribute(file, path, "row", "ensembl_id")
        n_counts = _read_attribute(file, path, "column", "n_counts")
        if "/col_attrs/filter_pass" in file:
            passing = _read_attribute(file, path, "column", "filter_pass") == 1
        else:  # like Geneformer's tokenizer: no attribute, all cells pass
            passing = np.ones(n_cells, dtype=bool)
        dtype = matrix.dtype

    for name, values, length in [
        ("row attribute 'gene_type'", gene_type, n_genes),
        ("row attribute 'ensembl_id'", ensembl_id, n_genes),
        ("column attribute 'n_counts'", n_counts, n_cells),
    ]:
        if len(values) != length:
            raise LoomFileError(path, f"{name} has {len(values)} values, expected {length}")
    if n_counts.dtype.kind not in "iuf":
        raise LoomFileError(path, f"column attribute 'n_counts' must be numeric, got {n_counts.dtype}")

    gene_rows = np.flatnonzero(np.isin(gene_type, gene_types)).astype(np.int64)
    ensembl_ids = np.asarray(ensembl_id[gene_rows], dtype=str)
    unique_ids, id_counts = np.unique(ensembl_ids, return_counts=True)
    if (id_counts > 1).any():
        duplicated = unique_ids[id_counts > 1][:3].tolist()
        raise LoomFileError(path, f"duplicate ensembl_id among selected genes: {duplicated}")

    passing_counts = n_counts[passing]
    if np.isnan(passing_counts).any() if passing_counts.dtype.kind == "f" else False:
        raise LoomFileError(path, "column attribute 'n_counts' contains NaN")
    if (passing_counts < 0).any():
        raise LoomFileError(path, "column attribute 'n_counts' contains negative values")
    used = passing & (n_counts > 0)
    cell_columns = np.flatnonzero(used).astype(np.int64)
    return LoomLayout(
        path=str(path),
        shape=(int(n_genes), int(n_cells)),
        dtype=dtype,
        gene_rows=gene_rows,
        ensembl_ids=ensembl_ids,
        cell_columns=cell_columns,
        n_counts=np.asarray(n_counts[cell_columns]),
        failed_filter_cells=int((~passing).sum()),
        zero_count_cells=int((passing & (n_counts == 0)).sum()),
    )


def gene_blocks(gene_rows: np.ndarray, block_genes: int = DEFAULT_BLOCK_GENES) -> list[tuple[int, int]]:
    """Group the selected genes into tasks of ``block_genes`` matrix rows.

    The matrix rows are cut into ranges of ``block_genes`` rows (rounded up
    to whole 64-row loom chunks, so no chunk is decompressed by two tasks);
    each non-empty range gives one ``(start, stop)`` pair of positions in
    ``gene_rows``.

    Examples
    --------
    >>> gene_blocks(np.array([0, 5, 63, 64, 200]), block_genes=64)
    [(0, 3), (3, 4), (4, 5)]
    >>> gene_blocks(np.array([], dtype=int))
    []
    """
    if block_genes < 1:
        raise ValueError(f"block_genes must be at least 1, got {block_genes}")
    gene_rows = np.asarray(gene_rows)
    if len(gene_rows) == 0:
        return []
    rows_per_block = -(-block_genes // _LOOM_TILE) * _LOOM_TILE
    block_of_gene = gene_rows // rows_per_block
    starts = np.flatnonzero(np.diff(block_of_gene)) + 1
    bounds = [0, *starts.tolist(), len(gene_rows)]
    return list(zip(bounds[:-1], bounds[1:]))


def cell_runs(n_cells: int, n_rows: int, itemsize: int, max_block_bytes: int) -> list[tuple[int, int]]:
    """Split the columns into runs so that a tile of ``n_rows`` rows fits the budget.

    A tile of ``n_rows`` x run columns x ``itemsize`` bytes stays below
    ``max_block_bytes``, except that a run is never narrower than one 64-column
    loom chunk. Memory therefore depends on the block size, not on the number
    of cells.

    Examples
    --------
    >>> cell_runs(300, n_rows=2, itemsize=4, max_block_bytes=1024)
    [(0, 128), (128, 256), (256, 300)]
    """
    columns = max_block_bytes // max(1, n_rows * itemsize)
    columns = max(_LOOM_TILE, columns // _LOOM_TILE * _LOOM_TILE)
    return [(start, min(start + columns, n_cells)) for start in range(0, n_cells, columns)]


def digest_gene_block(
    layout: LoomLayout,
    start: int,
    stop: int,
    *,
    max_block_bytes: int = DEFAULT_MAX_BLOCK_BYTES,
) -> list[TDigest]:
    """Digest the selected genes ``start:stop`` of a file (one parallel task).

    The genes' rows are read in tiles of consecutive cells, left to right,
    so every digest is fed in cell order and memory stays below about
    ``max_block_bytes`` whatever the number of cells.

    Parameters
    ----------
    layout : LoomLayout
        From :func:`inspect_loom`.
    start, stop : int
        Positions in ``layout.gene_rows`` (not matrix rows).
    max_block_bytes : int
        Upper bound for one tile read from the file.

    Returns
    -------
    list of crick.TDigest
        One digest per selected gene ``start:stop``.

    Raises
    ------
    LoomFileError
        If the matrix holds negative or NaN counts, or cannot be read.
    """
    rows = layout.gene_rows[start:stop]
    digests = [TDigest() for _ in range(len(rows))]
    if len(rows) == 0 or len(layout.cell_columns) == 0:
        return digests
    first_row, last_row = int(rows[0]), int(rows[-1]) + 1
    local_rows = rows - first_row
    # n_counts and "used" flag for every column; unused columns are masked out
    n_cells = layout.shape[1]
    used = np.zeros(n_cells, dtype=bool)
    used[layout.cell_columns] = True
    all_n_counts = np.ones(n_cells, dtype=layout.n_counts.dtype)
    all_n_counts[layout.cell_columns] = layout.n_counts
    runs = cell_runs(n_cells, last_row - first_row, layout.dtype.itemsize, max_block_bytes)
    with _open_loom(layout.path) as file:
        matrix = file["/matrix"]
        for run_start, run_stop in runs:
            run_used = used[run_start:run_stop]
            if not run_used.any():
                continue
            try:
                tile = matrix[first_row:last_row, run_start:run_stop]
            except OSError as error:
                raise LoomFileError(layout.path, f"cannot read '/matrix': {error}") from None
            try:
                per_gene = normalize_nonzero(
                    tile[local_rows] if len(local_rows) < len(tile) else tile,
                    all_n_counts[run_start:run_stop],
                    cells=run_used,
                )
            except ValueError as error:
                raise LoomFileError(layout.path, f"'/matrix' {error}") from None
            for digest, values in zip(digests, per_gene):
                if len(values):
                    digest.update(values)
    return digests


def digest_loom(
    path: str | Path,
    gene_types: Iterable[str] = DEFAULT_GENE_TYPES,
    *,
    block_genes: int = DEFAULT_BLOCK_GENES,
    max_block_bytes: int = DEFAULT_MAX_BLOCK_BYTES,
) -> FileDigests:
    """Digest one ``.loom`` file in this process (the serial per-file step).

    Parameters
    ----------
    path : str or Path
        The ``.loom`` file, opened read-only.
    gene_types : iterable of str
        Values of the row attribute ``gene_type`` to keep.
    block_genes : int
        Matrix rows per task (see :func:`gene_blocks`).
    max_block_bytes : int
        Upper bound of the bytes of matrix read at once.

    The digests do not depend on ``block_genes`` or ``max_block_bytes``.

    Returns
    -------
    FileDigests

    Examples
    --------
    >>> import tempfile
    >>> from genenorm_edu.medians.corpus import make_loom
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = make_loom(f"{tmp}/tiny.loom", genes=20, cells=30, seed=0)
    ...     result = digest_loom(path)
    >>> len(result.ensembl_ids) == len(result.digests)
    True
    >>> digest = result.digests[0]
    >>> bool(digest.size() == 0 or digest.quantile(0.5) > 0)
    True
    """
    gene_types = tuple(gene_types)
    layout = inspect_loom(path, gene_types)
    digests: list[TDigest] = []
    for start, stop in gene_blocks(layout.gene_rows, block_genes):
        digests.extend(digest_gene_block(layout, start, stop, max_block_bytes=max_block_bytes))
    return assemble_file_digests(layout, digests, gene_types)


def assemble_file_digests(
    layout: LoomLayout, digests: Sequence[TDigest], gene_types: Iterable[str]
) -> FileDigests:
    """Pair the digests of all gene blocks of a file with their gene ids."""
    if len(digests) != layout.n_selected_genes:
        raise ValueError(
            f"{layout.path}: got {len(digests)} digests for {layout.n_selected_genes} genes"
        )
    return FileDigests(
        source=layout.path,
        ensembl_ids=layout.ensembl_ids.tolist(),
        digests=list(digests),
        cells_used=len(layout.cell_columns),
        failed_filter_cells=layout.failed_filter_cells,
        zero_count_cells=layout.zero_count_cells,
        gene_types=tuple(gene_types),
    )


"""Per-file step: stream one input file into one t-digest per gene.

This is the first half of Geneformer's non-zero median computation. For the
genes of the wanted types (``protein_coding`` and ``miRNA`` by default) and
the cells that pass quality filtering, each count is divided by the cell's
total count (``n_counts``) and multiplied by 10,000; the non-zero results
are fed, in cell order, to one ``crick.TDigest`` per gene.

This module holds what every input format shares (the normalisation, the
file layout, the gene blocks, the per-file driver) and the ``.loom`` reader;
``h5ad`` holds the AnnData reader.

The matrix is never loaded whole: a ``.loom`` matrix is read with h5py in
tiles of at most ``max_block_bytes`` bytes (a few rows of genes by a run of
cells). Each gene's digest still sees its values in cell order, so the
digests are exactly those of the reference loop (loompy scan + NaN-masked
``update`` of whole rows): crick ignores NaN, so feeding only the non-zero
values adds the same samples in the same order.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
from crick import TDigest

from genenorm_edu._checks import as_numeric_array, check_finite, check_ndim, check_nonnegative
from genenorm_edu.medians.errors import H5adFileError, InputFileError, LoomFileError

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

#: Most genes in one task of a cell-major (dense or CSR ``.h5ad``) file.
_CELL_MAJOR_BLOCK_GENES = 8_192


@dataclass(frozen=True)
class SourceSignature:
    """Identity of an input file's contents as the file system sees them.

    Taken before a file is read and compared after: a digest is only kept
    if the file did not change (size, modification time, inode) meanwhile.
    """

    size: int
    mtime_ns: int
    inode: int


def source_signature(path: str | Path) -> SourceSignature:
    """Return the :class:`SourceSignature` of ``path`` now.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile() as file:
    ...     _ = file.write(b"abc"); file.flush()
    ...     source_signature(file.name).size
    3
    """
    status = os.stat(path)
    return SourceSignature(size=status.st_size, mtime_ns=status.st_mtime_ns, inode=status.st_ino)


@dataclass(frozen=True)
class FileLayout:
    """What the per-file step needs to know about an input file.

    Built by :func:`inspect_loom` (or ``h5ad.inspect_h5ad``) from the
    attributes only (no matrix read).

    Attributes
    ----------
    path : str
        The file.
    storage : str
        How the counts are stored: ``"loom"`` (dense, genes x cells),
        ``"dense"`` (dense, cells x genes), ``"csr"`` or ``"csc"``
        (sparse, cells x genes, as AnnData writes them).
    matrix : str
        HDF5 path of the counts (``/matrix``, ``X``, ``layers/counts``).
    shape : tuple of int
        ``(genes, cells)``, whatever the storage.
    dtype : numpy.dtype
        Data type of the counts.
    gene_rows : ndarray of int64
        Genes selected (positions along the gene axis), ascending.
    ensembl_ids : ndarray of str
        ``ensembl_id`` of the selected genes, same order as ``gene_rows``.
    cell_columns : ndarray of int64
        Cells used: ``filter_pass == 1`` and ``n_counts > 0``.
    n_counts : ndarray
        ``n_counts`` of those cells, in the file's dtype (the arithmetic of
        the normalisation depends on it).
    failed_filter_cells : int
        Cells left out because ``filter_pass != 1``.
    zero_count_cells : int
        Cells passing the filter but left out because ``n_counts == 0``.
    signature : SourceSignature
        The file's signature taken before anything was read.
    notes : tuple of str
        Facts worth telling the user (e.g. where the gene ids came from).
    """

    path: str
    storage: str
    matrix: str
    shape: tuple[int, int]
    dtype: np.dtype
    gene_rows: np.ndarray
    ensembl_ids: np.ndarray
    cell_columns: np.ndarray
    n_counts: np.ndarray
    failed_filter_cells: int
    zero_count_cells: int
    signature: SourceSignature
    notes: tuple[str, ...] = ()

    @property
    def n_selected_genes(self) -> int:
        """Number of genes that get a digest."""
        return len(self.gene_rows)

    def error(self, problem: str) -> InputFileError:
        """The exception naming this file and ``problem``."""
        error_type = LoomFileError if self.storage == "loom" else H5adFileError
        return error_type(self.path, problem)


@dataclass
class FileDigests:
    """The per-gene t-digests of one input file.

    Attributes
    ----------
    source : str
        The file digested.
    ensembl_ids : list of str
        One id per digest.
    digests : list of crick.TDigest
        Non-zero normalised values of each gene, fed in cell order.
    cells_used : int
        Cells that contributed (passing filter, ``n_counts > 0``).
    failed_filter_cells, zero_count_cells : int
        Cells left out, see :class:`FileLayout`.
    gene_types : tuple of str
        Gene types selected when digesting.
    signature : SourceSignature, optional
        The source's signature before it was read.
    """

    source: str
    ensembl_ids: list[str]
    digests: list[TDigest]
    cells_used: int = 0
    failed_filter_cells: int = 0
    zero_count_cells: int = 0
    gene_types: tuple[str, ...] = field(default=DEFAULT_GENE_TYPES)
    signature: SourceSignature | None = None

    def as_dict(self) -> dict[str, TDigest]:
        """Return ``{ensembl_id: digest}`` like the reference pickles."""
        return dict(zip(self.ensembl_ids, self.digests))


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
    n_rows, n_cells = counts_block.shape
    flat = np.flatnonzero(counts_block)  # row-major: each row's cells in order
    rows, columns = np.divmod(flat, n_cells)
    if cells is not None and not cells.all():
        kept = cells[columns]
        flat, rows, columns = flat[kept], rows[kept], columns[kept]
    # The reference's expression, elementwise: (count / total) * 10_000.
    values = counts_block.reshape(-1)[flat] / n_counts[columns] * NORMALIZATION_TARGET
    if counts_block.dtype.kind == "f" and not values.all():  # a tiny float count can underflow to 0
        nonzero = values != 0
        values, rows = values[nonzero], rows[nonzero]
    offsets = np.searchsorted(rows, np.arange(n_rows + 1)).astype(np.int64)
    return RowValues(values=values, offsets=offsets)


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


# ---------------------------------------------------------------- loom files


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
    node = file.get(f"/{group}/{name}")
    if node is None:
        raise LoomFileError(path, f"missing {axis} attribute '{name}'")
    if not isinstance(node, h5py.Dataset) or node.ndim != 1:
        raise LoomFileError(path, f"{axis} attribute '{name}' is not a 1-D array")
    try:
        return decode_attribute(node[:])
    except (OSError, TypeError, ValueError) as error:
        raise LoomFileError(path, f"cannot read {axis} attribute '{name}': {error}") from None


@dataclass(frozen=True)
class CellSelection:
    """Which cells count, from ``n_counts`` and ``filter_pass``."""

    cell_columns: np.ndarray
    n_counts: np.ndarray
    failed_filter_cells: int
    zero_count_cells: int


def select_cells(n_counts: np.ndarray, passing: np.ndarray, describe: str) -> CellSelection:
    """Check ``n_counts`` of the passing cells and pick the cells used.

    ``describe`` names the field in messages (e.g. "column attribute
    'n_counts'"). Cells failing the filter are not checked (the reference
    never reads them).

    Raises
    ------
    ValueError
        If ``n_counts`` is not numeric, or negative, NaN or infinite for a
        passing cell.

    Examples
    --------
    >>> chosen = select_cells(np.array([3, 0, 5]), np.array([True, True, False]), "n_counts")
    >>> chosen.cell_columns.tolist(), chosen.zero_count_cells, chosen.failed_filter_cells
    ([0], 1, 1)
    >>> select_cells(np.array([3.0, np.inf]), np.array([True, True]), "n_counts")
    Traceback (most recent call last):
    ...
    ValueError: n_counts contains infinite values (1 value(s), first at index (1,))
    """
    if n_counts.dtype.kind not in "iuf":
        raise ValueError(f"{describe} must be numeric, got {n_counts.dtype}")
    passing_counts = np.where(passing, n_counts, 0)
    check_finite(passing_counts, describe)
    check_nonnegative(passing_counts, describe)
    used = passing & (n_counts > 0)
    cell_columns = np.flatnonzero(used).astype(np.int64)
    return CellSelection(
        cell_columns=cell_columns,
        n_counts=np.asarray(n_counts[cell_columns]),
        failed_filter_cells=int((~passing).sum()),
        zero_count_cells=int((passing & (n_counts == 0)).sum()),
    )


def select_genes(gene_type: np.ndarray, ensembl_id: np.ndarray, gene_types: Sequence[str]):
    """Positions and ids of the genes of the wanted types; ids must be unique.

    Raises
    ------
    ValueError
        If an ``ensembl_id`` occurs twice among the selected genes.

    Examples
    --------
    >>> rows, ids = select_genes(np.array(["miRNA", "lncRNA"]), np.array(["A", "B"]), ["miRNA"])
    >>> rows.tolist(), ids.tolist()
    ([0], ['A'])
    """
    gene_rows = np.flatnonzero(np.isin(gene_type, list(gene_types))).astype(np.int64)
    ensembl_ids = np.asarray(ensembl_id[gene_rows], dtype=str)
    unique_ids, id_counts = np.unique(ensembl_ids, return_counts=True)
    if (id_counts > 1).any():
        duplicated = unique_ids[id_counts > 1][:3].tolist()
        raise ValueError(f"duplicate ensembl_id among selected genes: {duplicated}")
    return gene_rows, ensembl_ids


def inspect_loom(
    path: str | Path, gene_types: Iterable[str] = DEFAULT_GENE_TYPES
) -> FileLayout:
    """Read a ``.loom`` file's attributes and decide which genes and cells count.

    Parameters
    ----------
    path : str or Path
        The ``.loom`` file; opened read-only.
    gene_types : iterable of str
        Values of the row attribute ``gene_type`` to keep.

    Returns
    -------
    FileLayout

    Raises
    ------
    LoomFileError
        If the file is not readable HDF5, has no 2-D numeric ``/matrix``,
        lacks ``ensembl_id``, ``gene_type`` or ``n_counts``, has duplicate
        ``ensembl_id`` among the selected genes, or negative, NaN or
        infinite ``n_counts``.

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
    try:
        signature = source_signature(path)
    except FileNotFoundError:
        raise LoomFileError(path, "file not found") from None
    except OSError as error:
        raise LoomFileError(path, f"cannot be read: {error}") from None
    with _open_loom(path) as file:
        matrix = file.get("/matrix")
        if not isinstance(matrix, h5py.Dataset):
            raise LoomFileError(path, "no main matrix '/matrix' (not a loom file?)")
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

    fields = FileFields(
        gene_type=gene_type, ensembl_id=ensembl_id, n_counts=n_counts, passing=passing,
        names=("row attribute 'gene_type'", "row attribute 'ensembl_id'",
               "column attribute 'n_counts'", "column attribute 'filter_pass'"),
    )
    return build_layout(
        path, "loom", "/matrix", (int(n_genes), int(n_cells)), dtype, fields, gene_types, signature
    )


@dataclass(frozen=True)
class FileFields:
    """The per-gene and per-cell fields of a file, as read, before any check.

    ``names`` says what each is called in the file (for messages), in the
    order ``gene_type``, ``ensembl_id``, ``n_counts``, ``filter_pass``.
    """

    gene_type: np.ndarray
    ensembl_id: np.ndarray
    n_counts: np.ndarray
    passing: np.ndarray
    names: tuple[str, str, str, str]


def build_layout(
    path: str | Path,
    storage: str,
    matrix: str,
    shape: tuple[int, int],
    dtype: np.dtype,
    fields: FileFields,
    gene_types: Sequence[str],
    signature: SourceSignature,
    notes: tuple[str, ...] = (),
) -> FileLayout:
    """Check the fields against the matrix ``shape`` (genes, cells) and choose genes and cells.

    Raises
    ------
    InputFileError
        (``LoomFileError`` or ``H5adFileError`` by ``storage``) if a field
        has the wrong length, ids repeat, or ``n_counts`` is bad.
    """
    error_type = LoomFileError if storage == "loom" else H5adFileError
    n_genes, n_cells = shape
    values = (fields.gene_type, fields.ensembl_id, fields.n_counts, fields.passing)
    for name, field_values, length in zip(fields.names, values, (n_genes, n_genes, n_cells, n_cells)):
        if len(field_values) != length:
            raise error_type(path, f"{name} has {len(field_values)} values, expected {length}")
    try:
        gene_rows, ensembl_ids = select_genes(np.asarray(fields.gene_type).astype(str), fields.ensembl_id, gene_types)
        cells = select_cells(fields.n_counts, fields.passing, fields.names[2])
    except ValueError as error:
        raise error_type(path, str(error)) from None
    return FileLayout(
        path=str(path),
        storage=storage,
        matrix=matrix,
        shape=(int(n_genes), int(n_cells)),
        dtype=np.dtype(dtype),
        gene_rows=gene_rows,
        ensembl_ids=ensembl_ids,
        cell_columns=cells.cell_columns,
        n_counts=cells.n_counts,
        failed_filter_cells=cells.failed_filter_cells,
        zero_count_cells=cells.zero_count_cells,
        signature=signature,
        notes=tuple(notes),
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


def used_cell_mask(layout: FileLayout) -> tuple[np.ndarray, np.ndarray]:
    """Per cell of the file: is it used, and its ``n_counts`` (1 where unused)."""
    n_cells = layout.shape[1]
    used = np.zeros(n_cells, dtype=bool)
    used[layout.cell_columns] = True
    all_n_counts = np.ones(n_cells, dtype=layout.n_counts.dtype)
    all_n_counts[layout.cell_columns] = layout.n_counts
    return used, all_n_counts


def feed_tiles(layout: FileLayout, digests: Sequence[TDigest], tiles) -> None:
    """Normalise ``(run_start, run_stop, tile)`` tiles (genes x cells) into ``digests``.

    Tiles must come in cell order; each has one row per digest.
    """
    used, all_n_counts = used_cell_mask(layout)
    for run_start, run_stop, tile in tiles:
        try:
            rows = nonzero_normalized_flat(
                tile, all_n_counts[run_start:run_stop], cells=used[run_start:run_stop]
            )
        except (TypeError, ValueError) as error:
            raise layout.error(f"'{layout.matrix}': {error}") from None
        for index, digest in enumerate(digests):
            values = rows.row(index)
            if len(values):
                digest.update(values)


def _loom_tiles(layout: FileLayout, rows: np.ndarray, max_block_bytes: int):
    """Yield ``(run_start, run_stop, tile)`` of the matrix rows ``rows``, left to right."""
    first_row, last_row = int(rows[0]), int(rows[-1]) + 1
    local_rows = rows - first_row
    used, _ = used_cell_mask(layout)
    runs = cell_runs(layout.shape[1], last_row - first_row, layout.dtype.itemsize, max_block_bytes)
    from genenorm_edu.medians.chunks import ChunkReader, read_tile

    with _open_loom(layout.path) as file:
        matrix = file["/matrix"]
        reader = ChunkReader.for_dataset(matrix)
        for run_start, run_stop in runs:
            if not used[run_start:run_stop].any():
                continue
            try:
                tile = read_tile(matrix, reader, slice(first_row, last_row), slice(run_start, run_stop))
            except OSError as error:
                raise LoomFileError(layout.path, f"cannot read '/matrix': {error}") from None
            yield run_start, run_stop, tile[local_rows] if len(local_rows) < len(tile) else tile


def digest_gene_block(
    layout: FileLayout,
    start: int,
    stop: int,
    *,
    max_block_bytes: int = DEFAULT_MAX_BLOCK_BYTES,
) -> list[TDigest]:
    """Digest the selected genes ``start:stop`` of a file (one parallel task).

    The genes' counts are read in tiles of consecutive cells, left to right,
    so every digest is fed in cell order and memory stays below about
    ``max_block_bytes`` whatever the number of cells.

    Parameters
    ----------
    layout : FileLayout
        From :func:`inspect_loom` or ``h5ad.inspect_h5ad``.
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
    InputFileError
        If the counts are negative, NaN or infinite, or cannot be read.
    """
    rows = layout.gene_rows[start:stop]
    digests = [TDigest() for _ in range(len(rows))]
    if len(rows) == 0 or len(layout.cell_columns) == 0:
        return digests
    if layout.storage == "loom":
        feed_tiles(layout, digests, _loom_tiles(layout, rows, max_block_bytes))
    else:
        from genenorm_edu.medians import h5ad

        h5ad.digest_h5ad_genes(layout, rows, digests, max_block_bytes)
    return digests


def inspect_file(path: str | Path, gene_types: Iterable[str] = DEFAULT_GENE_TYPES, **options) -> FileLayout:
    """Inspect a ``.loom`` or ``.h5ad`` file (chosen by its suffix).

    ``options`` go to the ``.h5ad`` reader (``layer``, ``compute_n_counts``).
    """
    if Path(path).suffix == ".h5ad":
        from genenorm_edu.medians import h5ad

        return h5ad.inspect_h5ad(path, gene_types, **options)
    return inspect_loom(path, gene_types)


def digest_file(
    path: str | Path,
    gene_types: Iterable[str] = DEFAULT_GENE_TYPES,
    *,
    block_genes: int = DEFAULT_BLOCK_GENES,
    max_block_bytes: int = DEFAULT_MAX_BLOCK_BYTES,
    **options,
) -> FileDigests:
    """Digest one ``.loom`` or ``.h5ad`` file in this process (the serial per-file step).

    Parameters
    ----------
    path : str or Path
        The file, opened read-only.
    gene_types : iterable of str
        Gene types to keep.
    block_genes : int
        Genes per task (see :func:`gene_blocks`).
    max_block_bytes : int
        Upper bound of the bytes of matrix read at once.
    **options
        For ``.h5ad`` files: ``layer``, ``compute_n_counts``.

    The digests do not depend on ``block_genes`` or ``max_block_bytes``.

    Returns
    -------
    FileDigests

    Raises
    ------
    InputFileError
        If the file cannot be used, or changed while it was read.
    """
    gene_types = tuple(gene_types)
    layout = inspect_file(path, gene_types, **options)
    digests: list[TDigest] = []
    for start, stop in plan_blocks(layout, block_genes):
        digests.extend(digest_gene_block(layout, start, stop, max_block_bytes=max_block_bytes))
    check_unchanged(layout)
    return assemble_file_digests(layout, digests, gene_types)


def digest_loom(
    path: str | Path,
    gene_types: Iterable[str] = DEFAULT_GENE_TYPES,
    *,
    block_genes: int = DEFAULT_BLOCK_GENES,
    max_block_bytes: int = DEFAULT_MAX_BLOCK_BYTES,
) -> FileDigests:
    """Digest one ``.loom`` file in this process (see :func:`digest_file`).

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
    return digest_file(
        path, gene_types, block_genes=block_genes, max_block_bytes=max_block_bytes
    )


def plan_blocks(layout: FileLayout, block_genes: int = DEFAULT_BLOCK_GENES) -> list[tuple[int, int]]:
    """The gene blocks of a file: one parallel task each.

    Gene-major storage (loom, CSC) is split into blocks of ``block_genes``
    genes (:func:`gene_blocks`). Cell-major storage (dense or CSR ``.h5ad``)
    must be read whole by every task, so it is split into few blocks: at
    most one per 8,192 selected genes. Either way every gene is digested by
    exactly one task, in cell order, so the digests never depend on the
    split.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> plan_blocks(SimpleNamespace(storage="csr", gene_rows=np.arange(10_000)))
    [(0, 5000), (5000, 10000)]
    """
    if layout.storage in ("loom", "csc"):
        return gene_blocks(layout.gene_rows, block_genes)
    n_genes = len(layout.gene_rows)
    n_blocks = -(-n_genes // _CELL_MAJOR_BLOCK_GENES)
    bounds = np.linspace(0, n_genes, n_blocks + 1).round().astype(int).tolist()
    return list(zip(bounds[:-1], bounds[1:]))


def check_unchanged(layout: FileLayout) -> None:
    """Raise if the file changed since ``layout`` was taken (size, mtime, inode).

    Raises
    ------
    InputFileError
        If the file is gone or its signature differs: its digests would mix
        two versions of the file.
    """
    try:
        now = source_signature(layout.path)
    except OSError as error:
        raise layout.error(f"disappeared while being digested: {error}") from None
    if now != layout.signature:
        raise layout.error(
            "changed while being digested (size, modification time or inode differ); "
            "its digests were not kept: rerun to digest the new version"
        )


def assemble_file_digests(
    layout: FileLayout, digests: Sequence[TDigest], gene_types: Iterable[str]
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
        signature=layout.signature,
    )

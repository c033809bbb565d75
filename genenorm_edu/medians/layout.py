"""The layout of one input file: which genes and cells count, and how the counts are stored.

A reader (``loom``, ``h5ad``) reads a file's attributes only (no matrix)
into :class:`FileFields`; :func:`build_layout` checks them and chooses the
genes of the wanted types and the cells passing quality filtering, giving a
:class:`FileLayout`: everything the per-file step needs, including the
:class:`ReadOptions` of the run (gene types, ``.h5ad`` layer, memory
budget), so that they travel with the file rather than beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from genenorm_edu._checks import check_finite, check_nonnegative
from genenorm_edu.medians.defaults import DEFAULT_BLOCK_GENES, DEFAULT_GENE_TYPES, DEFAULT_MAX_BLOCK_BYTES
from genenorm_edu.medians.errors import H5adFileError, InputFileError, LoomFileError
from genenorm_edu.medians.records import CellCounts, FileRecord, SourceSignature

__all__ = ["FileFields", "FileLayout", "ReadOptions", "build_layout", "select_cells", "select_genes"]


@dataclass(frozen=True)
class ReadOptions:
    """How input files are read and split (the same for every file of a run).

    Attributes
    ----------
    gene_types : tuple of str
        Gene types to digest.
    block_genes : int
        Genes per task of gene-major storage (rounded up to 64-row chunks).
    max_block_bytes : int
        Upper bound of the matrix bytes read at once (tiles, sparse runs,
        the ``n_counts`` sums of ``.h5ad`` files).
    layer : str or None
        ``.h5ad`` files: read the counts from this layer instead of ``X``.
    compute_n_counts : bool
        ``.h5ad`` files: without an ``obs`` column ``n_counts``, use the
        row sums of the counts.
    tasks_per_file : int
        How many tasks share the reading of one file (1: each file is read
        whole by one task). A ``.loom`` file read whole is read through
        HDF5's index of its chunks, which pays only for a whole file.
    """

    gene_types: tuple[str, ...] = DEFAULT_GENE_TYPES
    block_genes: int = DEFAULT_BLOCK_GENES
    max_block_bytes: int = DEFAULT_MAX_BLOCK_BYTES
    layer: str | None = None
    compute_n_counts: bool = False
    tasks_per_file: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "gene_types", tuple(self.gene_types))
        for name in ("block_genes", "max_block_bytes", "tasks_per_file"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")


_ERROR_OF_FORMAT = {"loom": LoomFileError, "h5ad": H5adFileError}


def error_type(file_format: str) -> type[InputFileError]:
    """The exception class of a format's input errors."""
    return _ERROR_OF_FORMAT.get(file_format, InputFileError)


@dataclass(frozen=True)
class FileLayout:
    """What the per-file step needs to know about an input file.

    Built by a reader from the attributes only (no matrix read).

    Attributes
    ----------
    path : str
        The file.
    format : str
        The reader that made it (``"loom"``, ``"h5ad"``): reads the matrix too.
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
    cells : CellCounts
        Cells used and left out.
    signature : SourceSignature
        The file's signature taken before anything was read.
    options : ReadOptions
        How the run reads files.
    notes : tuple of str
        Facts worth telling the user (e.g. where the gene ids came from).
    """

    path: str
    format: str
    storage: str
    matrix: str
    shape: tuple[int, int]
    dtype: np.dtype
    gene_rows: np.ndarray
    ensembl_ids: np.ndarray
    cell_columns: np.ndarray
    n_counts: np.ndarray
    cells: CellCounts
    signature: SourceSignature
    options: ReadOptions = field(default_factory=ReadOptions)
    notes: tuple[str, ...] = ()

    @property
    def n_selected_genes(self) -> int:
        """Number of genes that get a digest."""
        return len(self.gene_rows)

    @property
    def failed_filter_cells(self) -> int:
        return self.cells.failed_filter

    @property
    def zero_count_cells(self) -> int:
        return self.cells.zero_count

    def record(self) -> FileRecord:
        """The :class:`FileRecord` of this file's digests."""
        return FileRecord(self.path, self.signature, self.options.gene_types, self.cells, self.notes)

    def error(self, problem: str) -> InputFileError:
        """The exception naming this file and ``problem``."""
        return error_type(self.format)(self.path, problem)

    def used_cell_mask(self) -> tuple[np.ndarray, np.ndarray]:
        """Per cell of the file: is it used, and its ``n_counts`` (1 where unused)."""
        n_cells = self.shape[1]
        used = np.zeros(n_cells, dtype=bool)
        used[self.cell_columns] = True
        all_n_counts = np.ones(n_cells, dtype=self.n_counts.dtype)
        all_n_counts[self.cell_columns] = self.n_counts
        return used, all_n_counts


@dataclass(frozen=True)
class CellSelection:
    """Which cells count, from ``n_counts`` and ``filter_pass``."""

    cell_columns: np.ndarray
    n_counts: np.ndarray
    cells: CellCounts


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
    >>> chosen.cell_columns.tolist(), chosen.cells
    ([0], CellCounts(used=1, failed_filter=1, zero_count=1))
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
        cells=CellCounts(
            used=len(cell_columns),
            failed_filter=int((~passing).sum()),
            zero_count=int((passing & (n_counts == 0)).sum()),
        ),
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
    file_format: str,
    storage: str,
    matrix: str,
    shape: tuple[int, int],
    dtype: np.dtype,
    fields: FileFields,
    options: ReadOptions,
    signature: SourceSignature,
    notes: tuple[str, ...] = (),
) -> FileLayout:
    """Check the fields against the matrix ``shape`` (genes, cells) and choose genes and cells.

    Raises
    ------
    InputFileError
        (``LoomFileError`` or ``H5adFileError`` by ``file_format``) if a
        field has the wrong length, ids repeat, or ``n_counts`` is bad.
    """
    error = error_type(file_format)
    n_genes, n_cells = shape
    values = (fields.gene_type, fields.ensembl_id, fields.n_counts, fields.passing)
    for name, field_values, length in zip(fields.names, values, (n_genes, n_genes, n_cells, n_cells)):
        if len(field_values) != length:
            raise error(path, f"{name} has {len(field_values)} values, expected {length}")
    try:
        gene_rows, ensembl_ids = select_genes(np.asarray(fields.gene_type).astype(str), fields.ensembl_id, options.gene_types)
        cells = select_cells(fields.n_counts, fields.passing, fields.names[2])
    except ValueError as problem:
        raise error(path, str(problem)) from None
    return FileLayout(
        path=str(path),
        format=file_format,
        storage=storage,
        matrix=matrix,
        shape=(int(n_genes), int(n_cells)),
        dtype=np.dtype(dtype),
        gene_rows=gene_rows,
        ensembl_ids=ensembl_ids,
        cell_columns=cells.cell_columns,
        n_counts=cells.n_counts,
        cells=cells.cells,
        signature=signature,
        options=options,
        notes=tuple(notes),
    )

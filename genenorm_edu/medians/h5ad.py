"""AnnData ``.h5ad`` input: the same digests as for ``.loom``, read with h5py.

Where the fields are (AnnData stores cells x genes):

* genes: ``var`` column ``ensembl_id``, or the ``var`` index when that
  column is absent (the layout's notes say which); ``gene_type`` from
  ``var``;
* cells: ``n_counts`` from ``obs`` (required, as by Geneformer's
  tokenizer; ``compute_n_counts=True`` uses the row sums of the counts
  instead), ``filter_pass`` from ``obs`` if present (else all cells pass);
* counts: ``X``, or ``layers/<layer>``; dense, CSR or CSC.

``obs``/``var`` columns are decoded by ``anndata.io.read_elem`` (strings,
categoricals, nullable columns), one column at a time; the matrix is read
with h5py directly, in pieces of at most ``max_block_bytes``, so memory
does not grow with the number of cells:

* dense: tiles of a run of cells x the task's genes;
* CSR (cell-major): runs of cells whose stored entries fit the budget;
  each task reads every run but keeps only its genes, so cell-major files
  are split into few tasks (``planning.plan_blocks``);
* CSC (gene-major): whole gene columns, several at a time up to the budget
  (one gene column at least), sorted by cell if needed.

Either way each gene's non-zero values reach its digest in cell order, with
the arithmetic of the loom path, so the same data gives the same digests
whatever the format or the number of workers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import h5py
import numpy as np
from crick import TDigest

from genenorm_edu._checks import check_finite, check_nonnegative
from genenorm_edu.medians.defaults import DEFAULT_GENE_TYPES, DEFAULT_MAX_BLOCK_BYTES, NORMALIZATION_TARGET
from genenorm_edu.medians.errors import H5adFileError
from genenorm_edu.medians.h5ad_columns import read_column as _read_column
from genenorm_edu.medians.h5ad_columns import read_index as _read_index
from genenorm_edu.medians.hdf5 import open_input
from genenorm_edu.medians.layout import FileFields, FileLayout, ReadOptions, build_layout
from genenorm_edu.medians.normalize import feed_tiles
from genenorm_edu.medians.planning import cell_runs
from genenorm_edu.medians.records import source_signature

__all__ = ["H5adFileError", "feed_genes", "inspect", "inspect_h5ad"]

FORMAT = "h5ad"


def _matrix(file: h5py.File, path, layer: str | None):
    """``(hdf5 path, storage, (cells, genes), dtype)`` of the counts."""
    if layer is None:
        where = "X"
    else:
        layers = file.get("layers")
        names = sorted(layers) if isinstance(layers, h5py.Group) else []
        if layer not in names:
            raise H5adFileError(path, f"no layer '{layer}' (layers: {', '.join(names) or 'none'})")
        where = f"layers/{layer}"
    node = file.get(where)
    if node is None:
        raise H5adFileError(path, f"no count matrix '{where}'")
    if isinstance(node, h5py.Dataset):
        if node.ndim != 2 or node.dtype.kind not in "iuf":
            raise H5adFileError(path, f"'{where}' must be a 2-D numeric array, got {node.ndim}-D {node.dtype}")
        return where, "dense", tuple(int(n) for n in node.shape), node.dtype
    encoding = node.attrs.get("encoding-type", "")
    if encoding not in ("csr_matrix", "csc_matrix"):
        raise H5adFileError(path, f"'{where}' is stored as '{encoding}', not a dense, CSR or CSC matrix")
    parts = {name: node.get(name) for name in ("data", "indices", "indptr")}
    if not all(isinstance(part, h5py.Dataset) and part.ndim == 1 for part in parts.values()):
        raise H5adFileError(path, f"'{where}' lacks its data, indices or indptr array")
    shape = tuple(int(n) for n in node.attrs.get("shape", ()))
    if len(shape) != 2:
        raise H5adFileError(path, f"'{where}' has no 2-D shape")
    storage = "csr" if encoding == "csr_matrix" else "csc"
    major = shape[0] if storage == "csr" else shape[1]
    data, indices, indptr = parts["data"], parts["indices"], parts["indptr"]
    if data.dtype.kind not in "iuf" or indices.dtype.kind not in "iu" or indptr.dtype.kind not in "iu":
        raise H5adFileError(path, f"'{where}' has non-numeric data or indices")
    if indptr.shape != (major + 1,) or data.shape != indices.shape:
        raise H5adFileError(
            path, f"'{where}': indptr has {indptr.shape[0]} values for {major} "
            f"{'cells' if storage == 'csr' else 'genes'}, data {data.shape[0]}, indices {indices.shape[0]}"
        )
    ends = indptr[[0, -1]]
    if ends[0] != 0 or ends[1] != data.shape[0]:
        raise H5adFileError(path, f"'{where}': indptr does not span the {data.shape[0]} stored values")
    return where, storage, shape, data.dtype


def inspect_h5ad(
    path: str | Path,
    gene_types: Iterable[str] = DEFAULT_GENE_TYPES,
    *,
    layer: str | None = None,
    compute_n_counts: bool = False,
    max_block_bytes: int = DEFAULT_MAX_BLOCK_BYTES,
) -> FileLayout:
    """:func:`inspect` with the options as keyword arguments."""
    options = ReadOptions(
        gene_types=tuple(gene_types), layer=layer, compute_n_counts=compute_n_counts, max_block_bytes=max_block_bytes
    )
    return inspect(path, options)


def inspect(path: str | Path, options: ReadOptions = ReadOptions()) -> FileLayout:
    """Read an ``.h5ad`` file's ``obs``/``var`` fields and decide which genes and cells count.

    Parameters
    ----------
    path : str or Path
        The ``.h5ad`` file; opened read-only.
    options : ReadOptions
        ``gene_types``: values of the ``var`` column ``gene_type`` to keep;
        ``layer``: read the counts from ``layers/<layer>`` instead of ``X``;
        ``compute_n_counts``: if ``obs`` has no ``n_counts``, use each
        cell's sum of the counts (read in pieces of at most
        ``max_block_bytes``) instead of refusing the file.

    Returns
    -------
    FileLayout
        ``storage`` is ``"dense"``, ``"csr"`` or ``"csc"``; ``notes`` say
        where the gene ids (and ``n_counts``) came from when not the usual
        columns.

    Raises
    ------
    H5adFileError
        If the file is not readable HDF5, the matrix or a required column
        is missing, shapes disagree, ids repeat, or ``n_counts`` is negative,
        NaN or infinite for a passing cell.

    Examples
    --------
    >>> import tempfile
    >>> from genenorm_edu.medians.corpus import make_h5ad
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     layout = inspect_h5ad(make_h5ad(f"{tmp}/tiny.h5ad", genes=20, cells=30))
    >>> layout.storage, layout.shape
    ('csr', (20, 30))
    """
    try:
        signature = source_signature(path)
    except OSError as error:
        raise H5adFileError(path, f"cannot be read: {error.strerror or error}") from None
    notes = []
    with open_input(path, H5adFileError) as file:
        where, storage, (n_cells, n_genes), dtype = _matrix(file, path, options.layer)
        gene_type = _read_column(file, path, "var", "gene_type")
        if gene_type is None:
            raise H5adFileError(path, "missing var column 'gene_type'")
        ensembl_id = _read_column(file, path, "var", "ensembl_id")
        if ensembl_id is None:
            ensembl_id = _read_index(file, path, "var")
            notes.append("gene ids taken from the var index (no var column 'ensembl_id')")
        n_counts = _read_column(file, path, "obs", "n_counts")
        filter_pass = _read_column(file, path, "obs", "filter_pass")
        if n_counts is None:
            if not options.compute_n_counts:
                raise H5adFileError(
                    path, "missing obs column 'n_counts' (Geneformer's tokenizer needs it; "
                    "--compute-n-counts uses each cell's sum of the raw counts)"
                )
            n_counts = _row_sums(file[where], storage, (n_cells, n_genes), dtype, options.max_block_bytes)
            notes.append(f"n_counts computed as each cell's sum of '{where}'")
    passing = np.ones(n_cells, dtype=bool) if filter_pass is None else filter_pass == 1
    fields = FileFields(
        gene_type=gene_type, ensembl_id=ensembl_id, n_counts=n_counts, passing=passing,
        names=("var column 'gene_type'", "var ids", "obs column 'n_counts'", "obs column 'filter_pass'"),
    )
    return build_layout(
        path, FORMAT, storage, where, (n_genes, n_cells), dtype, fields, options, signature, tuple(notes)
    )


def _sum_dtype(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.float64 if np.dtype(dtype).kind == "f" else np.int64)


def _row_sums(node, storage: str, shape: tuple[int, int], dtype, max_block_bytes: int) -> np.ndarray:
    """Each cell's total count, read in pieces of at most ``max_block_bytes``."""
    n_cells, n_genes = shape
    sums = np.zeros(n_cells, dtype=_sum_dtype(dtype))
    if storage == "dense":
        for start, stop in cell_runs(n_cells, n_genes, np.dtype(dtype).itemsize, max_block_bytes):
            sums[start:stop] = node[start:stop].sum(axis=1, dtype=sums.dtype)
        return sums
    data, indices = node["data"], node["indices"]
    step = max(1, max_block_bytes // 16)
    if storage == "csr":
        cells = np.repeat(np.arange(n_cells), np.diff(node["indptr"][:]))
        for start in range(0, data.shape[0], step):
            np.add.at(sums, cells[start : start + step], data[start : start + step].astype(sums.dtype))
        return sums
    for start in range(0, data.shape[0], step):
        rows = indices[start : start + step]
        if len(rows) and (rows.min() < 0 or rows.max() >= n_cells):
            raise ValueError("cell index out of range")
        np.add.at(sums, rows, data[start : start + step].astype(sums.dtype))
    return sums


def _check_counts(layout: FileLayout, counts: np.ndarray) -> None:
    try:
        check_finite(counts, f"'{layout.matrix}'")
        check_nonnegative(counts, f"'{layout.matrix}'")
    except ValueError as error:
        raise H5adFileError(layout.path, str(error)) from None


def _gene_then_cell_order(local_gene: np.ndarray, cell: np.ndarray, n_genes: int) -> np.ndarray | None:
    """The permutation sorting entries by gene, then cell (None if already sorted).

    CSC entries usually come sorted; CSR entries come by cell, so a stable
    sort by gene is enough (a radix sort for small gene numbers).

    Examples
    --------
    >>> _gene_then_cell_order(np.array([1, 0, 1]), np.array([0, 1, 2]), 2).tolist()
    [1, 0, 2]
    >>> _gene_then_cell_order(np.array([0, 0, 1]), np.array([3, 5, 0]), 2) is None
    True
    """
    gene_steps, cell_steps = np.diff(local_gene), np.diff(cell)
    if ((gene_steps > 0) | ((gene_steps == 0) & (cell_steps > 0))).all():
        return None
    if (cell_steps >= 0).all():
        keys = local_gene.astype(np.int16 if n_genes < 2**15 else np.int64)
        return np.argsort(keys, kind="stable")
    return np.lexsort((cell, local_gene))


def _feed_entries(layout, digests, local_gene, cell, counts, n_counts_of_cell) -> None:
    """Normalise sparse entries (gene, cell, count) and feed each gene's values in cell order."""
    _check_counts(layout, counts)
    nonzero = counts != 0
    if not nonzero.all():  # explicitly stored zeros
        local_gene, cell, counts = local_gene[nonzero], cell[nonzero], counts[nonzero]
    order = _gene_then_cell_order(local_gene, cell, len(digests))
    if order is not None:
        local_gene, cell, counts = local_gene[order], cell[order], counts[order]
    repeated = (np.diff(local_gene) == 0) & (np.diff(cell) == 0)
    if repeated.any():
        raise H5adFileError(layout.path, f"'{layout.matrix}' stores a cell twice for one gene")
    # the loom path's expression, elementwise: (count / total) * 10_000
    values = counts / n_counts_of_cell[cell] * NORMALIZATION_TARGET
    if counts.dtype.kind == "f" and not values.all():  # a tiny float count can underflow to 0
        kept = values != 0
        values, local_gene = values[kept], local_gene[kept]
    bounds = np.searchsorted(local_gene, np.arange(len(digests) + 1))
    for index, digest in enumerate(digests):
        if bounds[index + 1] > bounds[index]:
            digest.update(values[bounds[index] : bounds[index + 1]])


def _dense_tiles(layout: FileLayout, rows: np.ndarray, max_block_bytes: int):
    """``(run_start, run_stop, tile)`` of genes ``rows`` (genes x cells), left to right."""
    first, last = int(rows[0]), int(rows[-1]) + 1
    used, _ = layout.used_cell_mask()
    with open_input(layout.path, H5adFileError) as file:
        matrix = file[layout.matrix]
        for start, stop in cell_runs(layout.shape[1], last - first, layout.dtype.itemsize, max_block_bytes):
            if not used[start:stop].any():
                continue
            try:
                tile = matrix[start:stop, first:last]
            except OSError as error:
                raise H5adFileError(layout.path, f"cannot read '{layout.matrix}': {error}") from None
            yield start, stop, np.ascontiguousarray(tile.T[rows - first])


def _read_entries(layout: FileLayout, group: h5py.Group, low: int, high: int, bound: int, what: str):
    """Stored entries ``low:high``: (indices as int64, counts); indices checked below ``bound``."""
    try:
        indices = group["indices"][low:high].astype(np.int64)
        counts = group["data"][low:high]
    except OSError as error:
        raise H5adFileError(layout.path, f"cannot read '{layout.matrix}': {error}") from None
    if len(indices) and (indices.min() < 0 or indices.max() >= bound):
        raise H5adFileError(layout.path, f"'{layout.matrix}' has a {what} index out of range")
    return indices, counts


def _read_indptr(layout: FileLayout, group: h5py.Group) -> np.ndarray:
    indptr = group["indptr"][:].astype(np.int64)
    if (np.diff(indptr) < 0).any():
        raise H5adFileError(layout.path, f"'{layout.matrix}' indptr decreases")
    return indptr


def _digest_csr(layout, rows, digests, max_block_bytes) -> None:
    used, all_n_counts = layout.used_cell_mask()
    n_cells, n_genes = layout.shape[1], layout.shape[0]
    local_of_gene = np.full(n_genes, -1, dtype=np.int64)
    local_of_gene[rows] = np.arange(len(rows))
    entry_bytes = layout.dtype.itemsize + 32
    budget = max(1, max_block_bytes // entry_bytes)
    with open_input(layout.path, H5adFileError) as file:
        group = file[layout.matrix]
        indptr = _read_indptr(layout, group)
        start = 0
        while start < n_cells:
            # as many cells as fit the budget (at least one)
            stop = int(np.searchsorted(indptr, indptr[start] + budget, side="right")) - 1
            stop = min(max(stop, start + 1), n_cells)
            genes, counts = _read_entries(layout, group, int(indptr[start]), int(indptr[stop]), n_genes, "gene")
            cell = np.repeat(np.arange(start, stop), np.diff(indptr[start : stop + 1]))
            local = local_of_gene[genes]
            kept = (local >= 0) & used[cell]
            _feed_entries(layout, digests, local[kept], cell[kept], counts[kept], all_n_counts)
            start = stop


def _digest_csc(layout, rows, digests, max_block_bytes) -> None:
    used, all_n_counts = layout.used_cell_mask()
    n_cells = layout.shape[1]
    budget = max(1, max_block_bytes // (layout.dtype.itemsize + 32))
    with open_input(layout.path, H5adFileError) as file:
        group = file[layout.matrix]
        indptr = _read_indptr(layout, group)
        position = 0
        while position < len(rows):
            # consecutive selected genes whose columns fit the budget (at least one)
            end = position + 1
            while end < len(rows) and indptr[rows[end] + 1] - indptr[rows[position]] <= budget:
                end += 1
            group_rows = rows[position:end]
            low, high = int(indptr[group_rows[0]]), int(indptr[group_rows[-1] + 1])
            cells, counts = _read_entries(layout, group, low, high, n_cells, "cell")
            column_of_entry = np.repeat(np.arange(group_rows[0], group_rows[-1] + 1), np.diff(indptr[group_rows[0] : group_rows[-1] + 2]))
            local_of_column = np.full(group_rows[-1] + 1 - group_rows[0], -1, dtype=np.int64)
            local_of_column[group_rows - group_rows[0]] = np.arange(len(group_rows))
            local = local_of_column[column_of_entry - group_rows[0]]
            kept = (local >= 0) & used[cells]
            _feed_entries(layout, digests[position:end], local[kept], cells[kept], counts[kept], all_n_counts)
            position = end


def feed_genes(layout: FileLayout, rows: np.ndarray, digests: Sequence[TDigest]) -> None:
    """Feed the genes ``rows`` (positions in ``var``, ascending) of an ``.h5ad`` file into ``digests``.

    Raises
    ------
    H5adFileError
        If counts are negative, NaN or infinite, indices are out of range,
        a cell is stored twice for a gene, or the matrix cannot be read.
    """
    max_block_bytes = layout.options.max_block_bytes
    if layout.storage == "dense":
        feed_tiles(layout, digests, _dense_tiles(layout, rows, max_block_bytes))
    elif layout.storage == "csr":
        _digest_csr(layout, rows, digests, max_block_bytes)
    elif layout.storage == "csc":
        _digest_csc(layout, rows, digests, max_block_bytes)
    else:
        raise ValueError(f"unknown storage {layout.storage!r}")

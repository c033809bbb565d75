"""The ``.loom`` reader: attributes into a :class:`FileLayout`, the matrix in tiles.

loom files (as loompy writes them) hold the counts in ``/matrix``, genes x
cells, chunked in 64 x 64 tiles compressed with gzip; the gene attributes
in ``/row_attrs`` (``ensembl_id``, ``gene_type``) and the cell attributes in
``/col_attrs`` (``n_counts``, ``filter_pass``). The matrix is read in tiles
of whole chunks: a task's rows by a run of cells of at most
``max_block_bytes`` bytes, left to right, so memory does not grow with the
number of cells.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Sequence
from pathlib import Path

import h5py
import numpy as np
from crick import TDigest

from genenorm_edu.medians.errors import LoomFileError
from genenorm_edu.medians.hdf5 import open_input
from genenorm_edu.medians.layout import FileFields, FileLayout, ReadOptions, build_layout
from genenorm_edu.medians.normalize import feed_tiles
from genenorm_edu.medians.planning import cell_runs
from genenorm_edu.medians.records import source_signature

__all__ = ["decode_attribute", "feed_genes", "inspect"]

FORMAT = "loom"


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


def inspect(path: str | Path, options: ReadOptions = ReadOptions()) -> FileLayout:
    """Read a ``.loom`` file's attributes and decide which genes and cells count.

    Parameters
    ----------
    path : str or Path
        The ``.loom`` file; opened read-only.
    options : ReadOptions
        The gene types to keep (row attribute ``gene_type``), ...

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
    ...     layout = inspect(make_loom(f"{tmp}/tiny.loom", genes=20, cells=30, seed=0))
    >>> layout.shape, layout.format, len(layout.gene_rows) == len(layout.ensembl_ids)
    ((20, 30), 'loom', True)
    """
    try:
        signature = source_signature(path)
    except FileNotFoundError:
        raise LoomFileError(path, "file not found") from None
    except OSError as error:
        raise LoomFileError(path, f"cannot be read: {error}") from None
    with open_input(path, LoomFileError) as file:
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
        path, FORMAT, "loom", "/matrix", (int(n_genes), int(n_cells)), dtype, fields, options, signature
    )


def _tiles(layout: FileLayout, rows: np.ndarray):
    """Yield ``(run_start, run_stop, tile)`` of the matrix rows ``rows``, left to right.

    gzip-chunked matrices (what loompy writes) are read chunk by chunk
    (:class:`~genenorm_edu.medians.chunks.ChunkReader`), only the chosen
    rows copied, the tile padded to whole chunks of columns (``run_stop``
    may then pass the last cell: those columns are no cells); anything else
    is read by h5py.
    """
    from genenorm_edu.medians.chunks import ChunkReader

    first_row, last_row = int(rows[0]), int(rows[-1]) + 1
    used, _ = layout.used_cell_mask()
    runs = cell_runs(layout.shape[1], last_row - first_row, layout.dtype.itemsize, layout.options.max_block_bytes)
    with open_input(layout.path, LoomFileError) as file, contextlib.ExitStack() as stack:
        matrix = file["/matrix"]
        try:
            reader = ChunkReader.for_dataset(matrix, chunk_index=layout.options.tasks_per_file == 1)
        except OSError as error:
            raise LoomFileError(layout.path, f"cannot read '/matrix': {error}") from None
        if reader is not None:
            stack.enter_context(reader)
        for run_start, run_stop in runs:
            if not used[run_start:run_stop].any():
                continue
            try:
                if reader is not None and run_start % reader.chunk_shape[1] == 0:
                    tile = reader.read_rows(rows, run_start, run_stop)
                else:
                    tile = matrix[first_row:last_row, run_start:run_stop]
                    tile = tile[rows - first_row] if len(rows) < len(tile) else tile
            except OSError as error:
                raise LoomFileError(layout.path, f"cannot read '/matrix': {error}") from None
            yield run_start, run_start + tile.shape[1], tile


def feed_genes(layout: FileLayout, rows: np.ndarray, digests: Sequence[TDigest]) -> None:
    """Feed the matrix rows ``rows`` (ascending) into ``digests``, each in cell order.

    Raises
    ------
    LoomFileError
        If a count is negative, NaN or infinite, or the matrix cannot be read.
    """
    feed_tiles(layout, digests, _tiles(layout, rows))

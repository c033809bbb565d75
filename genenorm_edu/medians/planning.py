"""Block planning: how a file's genes and cells are cut into tasks and tiles.

Every gene is digested by exactly one task, reading its cells in order, so
the digests never depend on the plan: only memory and parallelism do.
"""

from __future__ import annotations

import numpy as np

from genenorm_edu.medians.defaults import DEFAULT_BLOCK_GENES

__all__ = ["cell_runs", "gene_blocks", "group_blocks", "plan_blocks", "tasks_per_file"]

# loom files are chunked in tiles of 64 x 64; reading whole tiles avoids
# decompressing a tile twice.
_LOOM_TILE = 64

#: Most genes in one task of a cell-major (dense or CSR ``.h5ad``) file.
_CELL_MAJOR_BLOCK_GENES = 8_192


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


def plan_blocks(layout, block_genes: int = DEFAULT_BLOCK_GENES) -> list[tuple[int, int]]:
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


def group_blocks(blocks: list[tuple[int, int]], n_tasks: int) -> list[list[tuple[int, int]]]:
    """Group a file's gene blocks into at most ``n_tasks`` runs of consecutive blocks.

    Examples
    --------
    >>> group_blocks([(0, 64), (64, 128), (128, 192), (192, 256), (256, 300)], 2)
    [[(0, 64), (64, 128)], [(128, 192), (192, 256), (256, 300)]]
    """
    n_tasks = max(1, min(n_tasks, len(blocks)))
    bounds = np.linspace(0, len(blocks), n_tasks + 1).round().astype(int)
    return [blocks[start:stop] for start, stop in zip(bounds[:-1], bounds[1:]) if stop > start]


def tasks_per_file(n_files: int, n_workers: int) -> int:
    """How many tasks to split each file into: enough to keep every worker busy.

    With at least twice as many files as workers, one task per file (no
    data moves between workers); with fewer, each file is split so that
    there are about two tasks per worker.

    Examples
    --------
    >>> tasks_per_file(16, 4), tasks_per_file(8, 16), tasks_per_file(1, 16)
    (1, 4, 32)
    """
    return max(1, -(-2 * n_workers // max(1, n_files)))

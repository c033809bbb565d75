"""The per-file step: stream one input file into one t-digest per gene.

This is the first half of Geneformer's non-zero median computation. For the
genes of the wanted types (``protein_coding`` and ``miRNA`` by default) and
the cells that pass quality filtering, each count is divided by the cell's
total count (``n_counts``) and multiplied by 10,000; the non-zero results
are fed, in cell order, to one ``crick.TDigest`` per gene.

The driver here does not know file formats: the reader chosen by
:mod:`~genenorm_edu.medians.formats` reads the attributes
(:func:`inspect_file`) and feeds the genes of one block
(:func:`digest_gene_block`); :func:`digest_file` does a whole file in this
process. The matrix is never loaded whole, and each gene's digest sees its
values in cell order, so the digests are exactly those of the reference
loop whatever the blocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from crick import TDigest

from genenorm_edu.medians.defaults import DEFAULT_BLOCK_GENES, DEFAULT_GENE_TYPES, DEFAULT_MAX_BLOCK_BYTES
from genenorm_edu.medians.formats import reader_for_layout, reader_for_path
from genenorm_edu.medians.layout import FileLayout, ReadOptions
from genenorm_edu.medians.planning import plan_blocks
from genenorm_edu.medians.records import FileDigests, source_signature

__all__ = [
    "check_unchanged",
    "digest_file",
    "digest_gene_block",
    "digest_loom",
    "file_digests",
    "inspect_file",
    "inspect_loom",
]


def inspect_file(
    path: str | Path, gene_types: Iterable[str] = DEFAULT_GENE_TYPES, *, options: ReadOptions | None = None, **keywords
) -> FileLayout:
    """Read a file's attributes with the reader of its format.

    ``options`` (a :class:`ReadOptions`) wins over ``gene_types`` and the
    ``keywords`` (``layer``, ``compute_n_counts``, ``max_block_bytes``,
    ``block_genes``), which build one otherwise.

    Raises
    ------
    InputFileError
        If the file cannot be used (see the readers).
    """
    if options is None:
        options = ReadOptions(gene_types=tuple(gene_types), **keywords)
    return reader_for_path(path).inspect(path, options)


def inspect_loom(path: str | Path, gene_types: Iterable[str] = DEFAULT_GENE_TYPES) -> FileLayout:
    """Read a ``.loom`` file's attributes and decide which genes and cells count.

    Examples
    --------
    >>> import tempfile
    >>> from genenorm_edu.medians.corpus import make_loom
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     layout = inspect_loom(make_loom(f"{tmp}/tiny.loom", genes=20, cells=30, seed=0))
    >>> layout.shape
    (20, 30)
    """
    from genenorm_edu.medians import loom

    return loom.inspect(path, ReadOptions(gene_types=tuple(gene_types)))


def digest_gene_block(layout: FileLayout, start: int, stop: int) -> list[TDigest]:
    """Digest the selected genes ``start:stop`` of a file (one parallel task).

    The genes' counts are read in tiles of consecutive cells, left to right,
    so every digest is fed in cell order and memory stays below about
    ``layout.options.max_block_bytes`` whatever the number of cells.

    Parameters
    ----------
    layout : FileLayout
        From :func:`inspect_file`.
    start, stop : int
        Positions in ``layout.gene_rows`` (not matrix rows).

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
    if len(rows) and len(layout.cell_columns):
        reader_for_layout(layout).feed_genes(layout, rows, digests)
    return digests


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


def file_digests(layout: FileLayout, digests: Sequence[TDigest]) -> FileDigests:
    """Pair the digests of all gene blocks of a file with their gene ids and the file's record."""
    if len(digests) != layout.n_selected_genes:
        raise ValueError(f"{layout.path}: got {len(digests)} digests for {layout.n_selected_genes} genes")
    return FileDigests.from_digests(layout.record(), layout.ensembl_ids.tolist(), digests)


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
        Genes per block (see :func:`~genenorm_edu.medians.planning.gene_blocks`).
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
    layout = inspect_file(path, gene_types, block_genes=block_genes, max_block_bytes=max_block_bytes, **options)
    digests: list[TDigest] = []
    for start, stop in plan_blocks(layout, block_genes):
        digests.extend(digest_gene_block(layout, start, stop))
    check_unchanged(layout)
    return file_digests(layout, digests)


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
    return digest_file(path, gene_types, block_genes=block_genes, max_block_bytes=max_block_bytes)

"""AnnData ``.h5ad`` input (work in progress)."""

from __future__ import annotations

from genenorm_edu.medians.digest import InputFileError


class H5adFileError(InputFileError):
    """An ``.h5ad`` file cannot be used (see :class:`InputFileError`)."""


def inspect_h5ad(path, gene_types, *, layer=None, compute_n_counts=False):
    raise H5adFileError(path, ".h5ad input is not supported yet")


def digest_h5ad_genes(layout, rows, digests, max_block_bytes):
    raise H5adFileError(layout.path, ".h5ad input is not supported yet")

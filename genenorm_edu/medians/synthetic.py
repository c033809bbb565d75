"""The contents of synthetic single-cell files: genes, their roles, counts and cell attributes.

Shaped like Geneformer's pretraining data: row attributes ``ensembl_id`` and
``gene_type`` (a mix of ``protein_coding``, ``miRNA``, ``lncRNA``, ...), column
attributes ``n_counts`` (the column sums over all genes) and ``filter_pass``
(about one cell in ten fails). About 85% of the counts are zero, and a few
genes are never detected. Genes have roles shared by every file
(:func:`gene_roles`): housekeeping genes are high in every cell, markers are
low except in the cells of their own state, where they are high. Everything
is drawn from a seeded generator, so the same arguments give the same
contents. :mod:`genenorm_edu.medians.corpus` writes them to ``.loom`` and
``.h5ad`` files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Gene types of the synthetic genes and how often each occurs.
GENE_TYPE_FREQUENCIES: dict[str, float] = {
    "protein_coding": 0.6,
    "miRNA": 0.1,
    "lncRNA": 0.2,
    "processed_pseudogene": 0.1,
}


def gene_table(genes: int, seed: int = 0):
    """Return the synthetic gene list: ``ensembl_id`` and ``gene_type``.

    Examples
    --------
    >>> table = gene_table(4, seed=0)
    >>> list(table.columns)
    ['ensembl_id', 'gene_type']
    >>> table["ensembl_id"].tolist()
    ['ENSG00000000000', 'ENSG00000000001', 'ENSG00000000002', 'ENSG00000000003']
    """
    import pandas as pd  # only here: worker processes never need it

    if genes < 1:
        raise ValueError(f"genes must be at least 1, got {genes}")
    rng = np.random.default_rng([seed, 0])
    types = list(GENE_TYPE_FREQUENCIES)
    probabilities = np.array(list(GENE_TYPE_FREQUENCIES.values()))
    gene_type = rng.choice(types, size=genes, p=probabilities / probabilities.sum())
    ensembl_id = [f"ENSG{number:011d}" for number in range(genes)]
    return pd.DataFrame({"ensembl_id": ensembl_id, "gene_type": gene_type})


def synthetic_counts(
    genes: int,
    cells: int,
    rng: np.random.Generator,
    *,
    zero_fraction: float = 0.9,
    dtype: str | np.dtype = "int32",
    undetected: np.ndarray | None = None,
    gene_level: np.ndarray | None = None,
) -> np.ndarray:
    """Draw a sparse (genes, cells) count matrix with about ``zero_fraction`` zeros.

    Each gene has its own detection rate (mean ``1 - zero_fraction``, some
    genes never detected) and its own expression level (``gene_level`` if
    given, else drawn); each cell has its own sequencing depth. Rows flagged
    in ``undetected`` (boolean mask) stay all zero.

    Examples
    --------
    >>> counts = synthetic_counts(200, 300, np.random.default_rng(0))
    >>> counts.shape, counts.dtype
    ((200, 300), dtype('int32'))
    >>> 0.85 < float((counts == 0).mean()) < 0.95
    True
    """
    if not 0 < zero_fraction < 1:
        raise ValueError(f"zero_fraction must be between 0 and 1, got {zero_fraction}")
    detection_rate = rng.beta(1.0, 1.0 / (1 - zero_fraction) - 1.0, size=genes)
    detection_rate[rng.random(genes) < 0.03] = 0.0  # a few genes not detected here
    if undetected is not None:
        detection_rate[np.asarray(undetected, dtype=bool)] = 0.0
    drawn_level = rng.lognormal(mean=0.5, sigma=1.0, size=genes)
    gene_level = drawn_level if gene_level is None else np.asarray(gene_level, dtype=np.float64)
    cell_depth = rng.lognormal(mean=0.0, sigma=0.5, size=cells)
    detected = rng.random((genes, cells)) < detection_rate[:, np.newaxis]
    expected = gene_level[:, np.newaxis] * cell_depth[np.newaxis, :]
    counts = np.where(detected, 1 + rng.poisson(expected), 0)
    return counts.astype(dtype)


@dataclass(frozen=True)
class SyntheticFile:
    """The contents of one synthetic file (counts are genes x cells)."""

    counts: np.ndarray
    ensembl_ids: np.ndarray
    gene_types: np.ndarray
    filter_pass: np.ndarray


def synthetic_file(
    *,
    genes: int = 200,
    cells: int = 300,
    seed: int = 0,
    zero_fraction: float = 0.9,
    failing_fraction: float = 0.1,
    dtype: str | np.dtype = "int32",
    gene_fraction: float = 1.0,
) -> SyntheticFile:
    """Draw the contents of one synthetic file.

    Parameters
    ----------
    genes, cells : int
        Size of the gene universe and number of cells.
    seed : int
        Seed of the random generator; same arguments, same contents.
    zero_fraction : float
        Expected fraction of zero counts.
    failing_fraction : float
        Expected fraction of cells with ``filter_pass == 0``.
    dtype : dtype
        Data type of the counts (``int32``, ``uint16``, ``float32``...).
    gene_fraction : float
        Fraction of the gene universe present in the file; the genes are
        shuffled so that files of a corpus list genes in different orders.
        Genes number 7, 47, 87, ... of the universe are never detected.

    Examples
    --------
    >>> contents = synthetic_file(genes=30, cells=40, gene_fraction=0.5)
    >>> contents.counts.shape, len(contents.ensembl_ids), len(contents.filter_pass)
    ((15, 40), 15, 40)
    """
    genes_table = gene_table(genes, seed=0)
    rng = np.random.default_rng([seed, 1])
    if gene_fraction < 1:
        n_present = max(1, round(gene_fraction * genes))
        present = np.sort(rng.choice(genes, size=n_present, replace=False))
    else:
        present = np.arange(genes)
    present = rng.permutation(present)
    # one gene in 40 of the universe is never detected, in any file
    never_detected = present % 40 == 7
    # a gene's typical level is a property of the gene, the same in every file
    level = np.random.default_rng([0, 3]).lognormal(mean=0.5, sigma=1.0, size=genes)[present]
    counts = synthetic_counts(
        len(present), cells, rng, zero_fraction=zero_fraction, dtype=dtype, undetected=never_detected,
        gene_level=level,
    )
    role, state = gene_roles(genes)
    _add_cell_states(counts, role[present], state[present], rng, never_detected)
    filter_pass = (rng.random(cells) >= failing_fraction).astype(np.int64)
    return SyntheticFile(
        counts=counts,
        ensembl_ids=genes_table["ensembl_id"].to_numpy()[present],
        gene_types=genes_table["gene_type"].to_numpy()[present],
        filter_pass=filter_pass,
    )


#: Cell states of the synthetic cells; each switches on its own marker genes.
CELL_STATES = 4


def gene_roles(genes: int) -> tuple[np.ndarray, np.ndarray]:
    """The role of each gene of the universe, the same in every file.

    About 5% of the genes are *housekeeping* genes, high in every cell; about
    12% are *markers* of one of :data:`CELL_STATES` cell states: low, and
    detected in some cells of every state, but high in the cells of their
    own state. The others keep the levels :func:`synthetic_counts` draws.

    Returns
    -------
    role : ndarray of str
        ``"housekeeping"``, ``"marker"`` or ``"other"``, per gene.
    state : ndarray of int
        The state a marker belongs to; -1 for the other genes.

    Examples
    --------
    >>> role, state = gene_roles(300)
    >>> sorted(set(role.tolist()))
    ['housekeeping', 'marker', 'other']
    >>> bool(((state >= 0) == (role == "marker")).all())
    True
    """
    draw = np.random.default_rng([0, 2]).random(genes)
    role = np.where(draw < 0.05, "housekeeping", np.where(draw < 0.17, "marker", "other"))
    state = np.where(role == "marker", np.arange(genes) % CELL_STATES, -1)
    return role, state


def _add_cell_states(counts: np.ndarray, role: np.ndarray, state: np.ndarray,
                     rng: np.random.Generator, never_detected: np.ndarray) -> None:
    """Overwrite the rows of housekeeping and marker genes (see :func:`gene_roles`), in place."""
    cells = counts.shape[1]
    cell_state = rng.integers(0, CELL_STATES, size=cells)
    depth = rng.lognormal(mean=0.0, sigma=0.3, size=cells)
    housekeeping = (role == "housekeeping") & ~never_detected
    expected = rng.uniform(60, 150, size=(int(housekeeping.sum()), 1)) * depth
    on = rng.random(expected.shape) < 0.9
    counts[housekeeping] = np.where(on, 1 + rng.poisson(expected), 0).astype(counts.dtype)
    markers = (role == "marker") & ~never_detected
    own = state[markers][:, np.newaxis] == cell_state[np.newaxis, :]
    level = np.where(own, 25.0, 0.5) * depth
    on = rng.random(own.shape) < np.where(own, 0.5, 0.2)
    counts[markers] = np.where(on, 1 + rng.poisson(level), 0).astype(counts.dtype)

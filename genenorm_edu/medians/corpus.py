"""Synthetic ``.loom`` and ``.h5ad`` corpora shaped like Geneformer's pretraining data.

A corpus is a directory of "databases" (subdirectories), each holding a few
``.loom`` (or AnnData ``.h5ad``) files ("studies"). Every file has the attributes the median
workflow reads: row attributes ``ensembl_id`` and ``gene_type`` (a mix of
``protein_coding``, ``miRNA``, ``lncRNA``, ...), column attributes
``n_counts`` (the column sums over all genes) and ``filter_pass`` (about one
cell in ten fails). About 85% of the counts are zero, and a few genes are
never detected. Genes have roles shared by every file (:func:`gene_roles`):
housekeeping genes are high in every cell, markers are low except in the
cells of their own state, where they are high. Everything is drawn from a
seeded generator, so the same arguments give the same files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


def write_loom(
    path: str | Path,
    counts: np.ndarray,
    ensembl_ids,
    gene_types,
    *,
    n_counts: np.ndarray | None = None,
    filter_pass: np.ndarray | None = None,
    writer: str = "h5py",
) -> Path:
    """Write a ``.loom`` file with the attributes the median workflow reads.

    The file follows the Loom 3.0 layout (``/matrix``, ``/row_attrs``,
    ``/col_attrs``, ``/layers``, ``/row_graphs``, ``/col_graphs``, ``/attrs``),
    written with h5py by default; ``writer="loompy"`` writes it with
    ``loompy.create`` instead (importing loompy costs about 3 s).

    Parameters
    ----------
    path : str or Path
        Output file (overwritten).
    counts : ndarray, shape (genes, cells)
        Main matrix.
    ensembl_ids, gene_types : sequence of str
        Row attributes.
    n_counts : ndarray, optional
        Column attribute; default: the column sums of ``counts``.
    filter_pass : ndarray, optional
        Column attribute (1 = cell passes); left out of the file if None.

    Returns
    -------
    Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if n_counts is None:
        n_counts = counts.sum(axis=0)
    col_attrs = {
        "cell_id": np.array([f"cell{number}" for number in range(counts.shape[1])]),
        "n_counts": np.asarray(n_counts),
    }
    if filter_pass is not None:
        col_attrs["filter_pass"] = np.asarray(filter_pass)
    row_attrs = {
        "ensembl_id": np.asarray(ensembl_ids, dtype=str),
        "gene_type": np.asarray(gene_types, dtype=str),
    }
    if writer == "loompy":
        import loompy  # slow to import (about 3 s)

        loompy.create(str(path), counts, row_attrs, col_attrs)
    elif writer == "h5py":
        _write_loom_layout(path, np.asarray(counts), row_attrs, col_attrs)
    else:
        raise ValueError(f"writer must be 'h5py' or 'loompy', got {writer!r}")
    return path


def _write_loom_layout(path: Path, counts: np.ndarray, row_attrs: dict, col_attrs: dict) -> None:
    """Write a Loom 3.0 file as ``loompy.create`` lays it out (chunks of 64 x 64, gzip level 2)."""
    import datetime

    import h5py

    genes, cells = counts.shape
    options = {"compression": "gzip", "compression_opts": 2, "shuffle": False, "fletcher32": False}
    with h5py.File(path, "w") as file:
        for group in ("attrs", "layers", "row_attrs", "col_attrs", "row_graphs", "col_graphs"):
            file.create_group(group)
        file["attrs"]["LOOM_SPEC_VERSION"] = "3.0.0"
        file["attrs"]["CreationDate"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        file.create_dataset("matrix", data=counts, chunks=(min(64, genes), min(64, cells)),
                            maxshape=(genes, None), **options)
        for group, attributes in (("row_attrs", row_attrs), ("col_attrs", col_attrs)):
            for name, values in attributes.items():
                values = np.asarray(values)
                if values.dtype.kind == "U":
                    file[group].create_dataset(name, data=values.astype(object), dtype=h5py.string_dtype(),
                                               maxshape=values.shape, **options)
                else:
                    file[group].create_dataset(name, data=values, maxshape=values.shape, **options)


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


def make_loom(path: str | Path, *, writer: str = "h5py", **options) -> Path:
    """Write one synthetic ``.loom`` file and return its path.

    ``options`` are those of :func:`synthetic_file` (``genes``, ``cells``,
    ``seed``, ``zero_fraction``, ``failing_fraction``, ``dtype``,
    ``gene_fraction``); ``writer`` is that of :func:`write_loom`. The file is
    overwritten.

    Examples
    --------
    >>> import tempfile, loompy
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = make_loom(f"{tmp}/a.loom", genes=30, cells=40, seed=1)
    ...     with loompy.connect(path, "r") as data:
    ...         print(data.shape, sorted(data.ca.keys()), sorted(data.ra.keys()))
    (30, 40) ['cell_id', 'filter_pass', 'n_counts'] ['ensembl_id', 'gene_type']
    """
    contents = synthetic_file(**options)
    return write_loom(
        path, contents.counts, contents.ensembl_ids, contents.gene_types, filter_pass=contents.filter_pass,
        writer=writer,
    )


#: How ``write_h5ad`` can store the counts.
H5AD_STORAGES = ("csr", "csc", "dense")


def write_h5ad(
    path: str | Path,
    counts: np.ndarray,
    ensembl_ids,
    gene_types,
    *,
    n_counts: np.ndarray | None = None,
    filter_pass: np.ndarray | None = None,
    storage: str = "csr",
    layer: str | None = None,
) -> Path:
    """Write an AnnData ``.h5ad`` file (with ``anndata``) holding ``counts`` (genes x cells).

    AnnData stores cells x genes: ``X`` is ``counts.T``, as a CSR, CSC or
    dense matrix (``storage``); with ``layer``, the counts go to
    ``layers[layer]`` and ``X`` holds them normalised to 10,000 per cell
    (as in a typical processed file). ``var`` holds ``ensembl_id`` and
    ``gene_type``; ``obs`` holds ``n_counts`` (default: the column sums of
    ``counts``) and ``filter_pass`` unless it is None.

    Examples
    --------
    >>> import tempfile, anndata
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_h5ad(f"{tmp}/a.h5ad", np.array([[0, 2], [3, 0]]), ["E1", "E2"],
    ...                       ["miRNA", "lncRNA"], filter_pass=np.array([1, 0]))
    ...     data = anndata.read_h5ad(path)
    >>> data.shape, list(data.var.columns), list(data.obs.columns)
    ((2, 2), ['ensembl_id', 'gene_type'], ['n_counts', 'filter_pass'])
    """
    import anndata
    import pandas as pd
    import scipy.sparse

    if storage not in H5AD_STORAGES:
        raise ValueError(f"storage must be one of {H5AD_STORAGES}, got {storage!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = np.asarray(counts)
    if n_counts is None:
        n_counts = counts.sum(axis=0)
    obs = {"n_counts": np.asarray(n_counts)}
    if filter_pass is not None:
        obs["filter_pass"] = np.asarray(filter_pass)
    cells = pd.DataFrame(obs, index=[f"cell{number}" for number in range(counts.shape[1])])
    genes = pd.DataFrame(
        {"ensembl_id": np.asarray(ensembl_ids, dtype=str), "gene_type": np.asarray(gene_types, dtype=str)},
        index=[f"gene{number}" for number in range(counts.shape[0])],
    )

    def stored(matrix):
        if storage == "csr":
            return scipy.sparse.csr_matrix(matrix)
        if storage == "csc":
            return scipy.sparse.csc_matrix(matrix)
        return np.ascontiguousarray(matrix)

    cells_by_genes = counts.T
    if layer is None:
        data = anndata.AnnData(X=stored(cells_by_genes), obs=cells, var=genes)
    else:
        totals = np.where(cells_by_genes.sum(axis=1) > 0, cells_by_genes.sum(axis=1), 1)
        normalised = (cells_by_genes / totals[:, np.newaxis] * 10_000).astype(np.float32)
        data = anndata.AnnData(X=stored(normalised), obs=cells, var=genes, layers={layer: stored(cells_by_genes)})
    data.write_h5ad(path)
    return path


def make_h5ad(path: str | Path, *, storage: str = "csr", **options) -> Path:
    """Write one synthetic ``.h5ad`` file: :func:`make_loom`'s contents, stored by AnnData.

    The same ``options`` (those of :func:`synthetic_file`) give the same
    data as :func:`make_loom`, so a loom and an h5ad file made alike have
    equal medians. ``storage``: ``csr``, ``csc`` or ``dense``.
    """
    contents = synthetic_file(**options)
    return write_h5ad(
        path, contents.counts, contents.ensembl_ids, contents.gene_types,
        filter_pass=contents.filter_pass, storage=storage,
    )


def loom_to_h5ad(loom: str | Path, h5ad: str | Path, *, storage: str = "csr") -> Path:
    """Copy a loom file's counts and attributes into an ``.h5ad`` file (for comparisons)."""
    import h5py

    from genenorm_edu.medians.loom import decode_attribute

    with h5py.File(loom, "r") as file:
        counts = file["/matrix"][:]
        attributes = {
            name: decode_attribute(file[f"/{group}/{name}"][:])
            for group, names in [("row_attrs", ["ensembl_id", "gene_type"]), ("col_attrs", ["n_counts"])]
            for name in names
        }
        filter_pass = file["/col_attrs/filter_pass"][:] if "/col_attrs/filter_pass" in file else None
    return write_h5ad(
        h5ad, counts, attributes["ensembl_id"], attributes["gene_type"],
        n_counts=attributes["n_counts"], filter_pass=filter_pass, storage=storage,
    )


def make_corpus(
    out_dir: str | Path,
    *,
    databases: int = 3,
    files_per_database: int = 2,
    genes: int = 300,
    cells: int = 400,
    seed: int = 0,
    file_format: str = "loom",
    storage: str = "csr",
) -> list[Path]:
    """Write a synthetic corpus of ``.loom`` (or ``.h5ad``) files plus its ``gene_info.csv``.

    The layout is ``out_dir/database1/study1.loom``, ...; each file holds a
    shuffled 90% of a common gene universe of ``genes`` genes, ``cells``
    cells. ``out_dir/gene_info.csv`` lists the universe (``ensembl_id``,
    ``gene_type``), usable as ``--gene-info``.

    With ``file_format="h5ad"`` the files are ``study1.h5ad``, ... with the
    same data, the counts stored as ``storage`` (``csr``, ``csc``, ``dense``).

    Returns
    -------
    list of Path
        The files, sorted.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = make_corpus(tmp, databases=2, files_per_database=1, genes=20, cells=30)
    ...     print([path.relative_to(tmp).as_posix() for path in paths])
    ['database1/study1.loom', 'database2/study1.loom']
    """
    for name, value in [("databases", databases), ("files_per_database", files_per_database)]:
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    if file_format not in ("loom", "h5ad"):
        raise ValueError(f"file_format must be 'loom' or 'h5ad', got {file_format!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    gene_table(genes, seed=0).to_csv(out_dir / "gene_info.csv", index=False)
    paths = []
    for database in range(1, databases + 1):
        for study in range(1, files_per_database + 1):
            file_seed = seed * 1_000_003 + database * 1_000 + study
            path = out_dir / f"database{database}" / f"study{study}.{file_format}"
            if file_format == "loom":
                make_loom(path, genes=genes, cells=cells, seed=file_seed, gene_fraction=0.9)
            else:
                make_h5ad(path, genes=genes, cells=cells, seed=file_seed, gene_fraction=0.9, storage=storage)
            paths.append(path)
    return sorted(paths)

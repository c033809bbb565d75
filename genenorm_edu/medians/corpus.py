"""Synthetic ``.loom`` and ``.h5ad`` corpora shaped like Geneformer's pretraining data.

A corpus is a directory of "databases" (subdirectories), each holding a few
``.loom`` (or AnnData ``.h5ad``) files ("studies"). Every file has the attributes the median
workflow reads: row attributes ``ensembl_id`` and ``gene_type`` (a mix of
``protein_coding``, ``miRNA``, ``lncRNA``, ...), column attributes
``n_counts`` (the column sums over all genes) and ``filter_pass``. The
contents come from :mod:`genenorm_edu.medians.synthetic` (genes with roles
shared by every file, seeded, so the same arguments give the same files);
this module writes them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from genenorm_edu.medians.synthetic import gene_table, synthetic_file


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

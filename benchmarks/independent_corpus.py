"""Corpora written by other tools (loompy, anndata), not by the project's own writer.

The project's generator (``genenorm_edu.medians.corpus``) writes genes in
one order, int32 counts and ``n_counts`` as the column sums; a benchmark
only on those files could flatter the readers tuned for them. These
corpora are written straight with ``loompy.create`` and
``anndata.AnnData.write_h5ad`` with what real corpora vary in:

* the gene order is permuted per file (the wanted genes are scattered
  among the others, and every file lists them differently);
* the counts dtype (``int32``, ``float32``, ``uint16``), with ``n_counts``
  as float32 (what scanpy's ``obs['n_counts']`` holds) or int64;
* the density (fraction of non-zero counts);
* the fraction of genes whose type is wanted (protein_coding, miRNA).

Every file also has cells failing the filter and a few cells with zero
counts.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

#: Gene types of the independent corpora: about 55% wanted, like GENCODE.
_TYPES = ("protein_coding", "miRNA", "lncRNA", "snRNA", "processed_pseudogene")
_TYPE_P = (0.50, 0.05, 0.30, 0.05, 0.10)


@dataclass(frozen=True)
class CorpusSpec:
    """One independent corpus: what to write, and how."""

    name: str
    writer: str  # "loompy", "anndata", or "project" (the project's own generator, for comparison)
    dtype: str
    density: float
    files: int
    genes: int
    cells: int
    n_counts_dtype: str = "float32"
    seed: int = 7

    def label(self) -> str:
        if self.writer == "project":
            return f"{self.name}: the project's own make_loom, {self.dtype}, about 10% non-zero, genes in order"
        return f"{self.name}: {self.writer} {self.dtype}, {self.density:.0%} non-zero, genes permuted"


def _counts(rng: np.random.Generator, genes: int, cells: int, dtype: str, density: float) -> np.ndarray:
    """genes x cells counts, about ``density`` non-zero, heavy-tailed like UMI counts."""
    rate = rng.gamma(0.6, density / 0.6, size=genes).clip(0, 0.95)[:, None]
    depth = rng.lognormal(0.0, 0.5, size=cells)[None, :]
    present = rng.random((genes, cells)) < rate
    values = rng.geometric(1.0 / (1.0 + 2.0 * depth), size=(genes, cells))
    counts = np.where(present, values, 0)
    if np.dtype(dtype).kind == "f":
        counts = counts.astype(dtype)
        counts[present] *= rng.uniform(0.5, 1.5, size=int(present.sum())).astype(dtype)
    return counts.astype(dtype)


def write_file(spec: CorpusSpec, index: int, path: Path) -> Path:
    """Write file ``index`` of ``spec`` at ``path`` with loompy or anndata (or the project's generator)."""
    if spec.writer == "project":
        from genenorm_edu.medians import make_loom

        return make_loom(path, genes=spec.genes, cells=spec.cells, seed=100 + index, gene_fraction=0.9)
    rng = np.random.default_rng([spec.seed, index])
    counts = _counts(rng, spec.genes, spec.cells, spec.dtype, spec.density)
    gene_ids = np.array([f"ENSG{number:011d}" for number in range(spec.genes)])
    type_rng = np.random.default_rng([spec.seed, 10_000])  # the same type per gene in every file
    gene_types = type_rng.choice(_TYPES, size=spec.genes, p=_TYPE_P)
    order = rng.permutation(spec.genes)  # this file's gene order
    counts, gene_ids, gene_types = counts[order], gene_ids[order], gene_types[order]
    counts[:, rng.random(spec.cells) < 0.002] = 0  # a few empty cells
    n_counts = counts.sum(axis=0, dtype=np.float64).astype(spec.n_counts_dtype)
    filter_pass = (rng.random(spec.cells) > 0.1).astype(np.int64)
    path.parent.mkdir(parents=True, exist_ok=True)
    if spec.writer == "loompy":
        import loompy

        loompy.create(
            str(path), counts,
            {"ensembl_id": gene_ids, "gene_type": gene_types},
            {"n_counts": n_counts, "filter_pass": filter_pass,
             "cell_id": np.array([f"c{number}" for number in range(spec.cells)])},
        )
    else:
        import anndata
        import pandas as pd
        import scipy.sparse

        obs = pd.DataFrame({"n_counts": n_counts, "filter_pass": filter_pass},
                           index=[f"c{number}" for number in range(spec.cells)])
        var = pd.DataFrame({"ensembl_id": gene_ids, "gene_type": gene_types}, index=gene_ids)
        adata = anndata.AnnData(X=scipy.sparse.csr_matrix(counts.T), obs=obs, var=var)
        adata.write_h5ad(path)
    return path


def write_corpus(spec: CorpusSpec, directory: Path) -> list[Path]:
    """The files of ``spec`` under ``directory / spec.name`` (kept when already written)."""
    folder = directory / spec.name
    suffix = ".h5ad" if spec.writer == "anndata" else ".loom"
    stamp = folder / "spec.json"
    paths = [folder / f"file{index}{suffix}" for index in range(spec.files)]
    if stamp.exists() and json.loads(stamp.read_text()) == asdict(spec) and all(p.exists() for p in paths):
        return paths
    for index, path in enumerate(paths):
        write_file(spec, index, path)
    stamp.write_text(json.dumps(asdict(spec)))
    return paths


def standard_specs(files: int, genes: int, cells: int) -> list[CorpusSpec]:
    """The independent corpora of the benchmark."""
    return [
        CorpusSpec("project-make_loom", "project", "int32", 0.10, files, genes, cells),
        CorpusSpec("loompy-int32-9pct", "loompy", "int32", 0.09, files, genes, cells),
        CorpusSpec("loompy-float32-9pct", "loompy", "float32", 0.09, files, genes, cells),
        CorpusSpec("loompy-uint16-3pct", "loompy", "uint16", 0.03, files, genes, cells, n_counts_dtype="int64"),
        CorpusSpec("loompy-int32-25pct", "loompy", "int32", 0.25, files, genes, cells),
        CorpusSpec("anndata-csr-float32-9pct", "anndata", "float32", 0.09, files, genes, cells),
    ]

"""The reference algorithm: Geneformer's non-zero median notebook, re-stated.

This is the baseline of ``bench_medians.py`` and the oracle of
``tests/test_medians_seed_equality.py`` (both load this one file). It keeps
the original's steps and arithmetic: a loompy scan over the protein-coding
and miRNA rows, cells with ``filter_pass == 1``, ``counts / n_counts *
10_000``, a float32 cast for integer results, zeros masked and filled with
NaN, and one ``crick.TDigest.update`` per gene row; then a merge of the
per-file digests into empty digests in the given file order and
``quantile(0.5)``. Only the file handling differs: the per-file dicts are
returned instead of pickled, and the file is opened read-only.
"""

from __future__ import annotations

import math

import crick
import loompy
import numpy as np


def seed_file_digests(loom_path) -> dict:
    """Per-file step of the reference: ``{ensembl_id: TDigest}``."""
    with loompy.connect(str(loom_path), "r") as data:
        coding_mirna_loc = np.where(
            (data.ra.gene_type == "protein_coding") | (data.ra.gene_type == "miRNA")
        )[0]
        coding_mirna_genes = data.ra["ensembl_id"][coding_mirna_loc]
        median_digests = [crick.tdigest.TDigest() for _ in range(len(coding_mirna_loc))]
        last_view_row = 0
        for _, _, view in data.scan(items=coding_mirna_loc, axis=0):
            filter_passed_loc = np.where(view.ca.filter_pass == 1)[0]
            subview = view.view[:, filter_passed_loc]
            subview_norm_array = subview[:, :] / subview.ca.n_counts * 10_000
            if np.issubdtype(subview_norm_array.dtype, np.integer):
                subview_norm_array = subview_norm_array.astype(np.float32)
            nonzero_data = np.ma.masked_equal(subview_norm_array, 0.0).filled(np.nan)
            for row in range(nonzero_data.shape[0]):
                median_digests[row + last_view_row].update(nonzero_data[row, :])
            last_view_row = last_view_row + view.shape[0]
    return dict(zip(coding_mirna_genes, median_digests))


def seed_merge(file_digest_dicts, gene_list) -> dict:
    """Merge step of the reference: empty digests, then each file in order."""
    total = {gene: crick.tdigest.TDigest() for gene in gene_list}
    for file_digests in file_digest_dicts:
        for gene, digest in total.items():
            other = file_digests.get(gene)
            if other is not None:
                digest.merge(other)
    return total


def seed_medians(loom_paths, gene_list=None) -> tuple[dict, dict, dict]:
    """Whole reference run on ``loom_paths`` (in the given order).

    Returns ``(total_median_dict, detected_median_dict, detection_counts)``.
    Without ``gene_list``, the sorted union of the genes digested.
    """
    per_file = [seed_file_digests(path) for path in loom_paths]
    if gene_list is None:
        gene_list = sorted(set().union(*per_file))
    total_tdigest_dict = seed_merge(per_file, gene_list)
    total_median_dict = {k: v.quantile(0.5) for k, v in total_tdigest_dict.items()}
    detected_median_dict = {k: v for k, v in total_median_dict.items() if not math.isnan(v)}
    detection_counts = {k: v.size() for k, v in total_tdigest_dict.items()}
    return total_median_dict, detected_median_dict, detection_counts

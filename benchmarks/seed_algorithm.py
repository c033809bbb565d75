"""The reference algorithm: Geneformer's non-zero median notebook, re-stated.

This is the baseline of ``bench_medians.py`` and the oracle of
``tests/test_medians_seed_equality.py`` (both load this one file, and both
compare results with :func:`median_differences`). It keeps
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
            with np.errstate(divide="ignore", invalid="ignore"):  # cells with n_counts == 0 give NaN, as in the seed
                subview_norm_array = subview[:, :] / subview.ca.n_counts * 10_000
            if np.issubdtype(subview_norm_array.dtype, np.integer):
                subview_norm_array = subview_norm_array.astype(np.float32)
            nonzero_data = np.ma.masked_equal(subview_norm_array, 0.0).filled(np.nan)
            for row in range(nonzero_data.shape[0]):
                median_digests[row + last_view_row].update(nonzero_data[row, :])
            last_view_row = last_view_row + view.shape[0]
    return dict(zip(coding_mirna_genes, median_digests))


def seed_file_to_pickle(loom_path, pickle_path) -> None:
    """The seed's per-file script: digest one file and pickle its dict (as the notebook does)."""
    import pickle

    median_digest_dict = seed_file_digests(loom_path)
    with open(pickle_path, "wb") as fp:
        pickle.dump(median_digest_dict, fp)


def seed_merge_pickles(pickle_paths, gene_list) -> dict:
    """The seed's merge cell: load each pickled dict in turn and merge it (``{gene: TDigest}``)."""
    import pickle

    total = {gene: crick.tdigest.TDigest() for gene in gene_list}
    for path in pickle_paths:
        with open(path, "rb") as fp:
            tdigest_dict = pickle.load(fp)
        _merge_into(total, tdigest_dict)
    return total


def _merge_into(total: dict, file_digests: dict) -> dict:
    for gene, digest in total.items():
        other = file_digests.get(gene)
        if other is not None:
            digest.merge(other)
    return total


def median_differences(expected: dict, actual: dict, rel_tol: float = 1e-9) -> list[str]:
    """Genes whose medians differ (beyond ``rel_tol``; NaN equals NaN), or the key mismatch.

    An empty list means the two results agree, gene for gene, in the same order.
    """
    if list(actual) != list(expected):
        return [f"different genes or order: {len(expected)} expected, {len(actual)} found"]
    different = []
    for gene, value in expected.items():
        other = actual[gene]
        if math.isnan(value) and math.isnan(other):
            continue
        if not math.isclose(other, value, rel_tol=rel_tol, abs_tol=0.0):
            different.append(f"{gene}: expected {value!r}, found {other!r}")
    return different


def seed_merge(file_digest_dicts, gene_list) -> dict:
    """Merge step of the reference: empty digests, then each file in order."""
    total = {gene: crick.tdigest.TDigest() for gene in gene_list}
    for file_digests in file_digest_dicts:
        _merge_into(total, file_digests)
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

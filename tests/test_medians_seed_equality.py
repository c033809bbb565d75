"""The workflow reproduces Geneformer's own algorithm (re-stated in benchmarks/).

``benchmarks/seed_algorithm.py`` keeps the reference notebook's loop (loompy
scan, masked-array NaN fill, one ``update`` per row) and its merge step; it is
also the baseline of ``benchmarks/bench_medians.py``.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from genenorm_edu.medians import digest_loom, make_corpus, make_loom, read_gene_list, run_workflow

SEED_ALGORITHM = Path(__file__).resolve().parents[1] / "benchmarks" / "seed_algorithm.py"


@pytest.fixture(scope="module")
def seed():
    spec = importlib.util.spec_from_file_location("seed_algorithm", SEED_ALGORITHM)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def assert_same_medians(seed):
    def check(expected: dict, actual: dict) -> None:
        assert seed.median_differences(expected, actual) == []

    return check


@pytest.mark.parametrize("dtype", ["int32", "uint16", "float32", "float64"])
def test_single_file_digests_equal_the_reference(tmp_path, seed, dtype):
    """uint16 / float32 data normalise in float32, int32 in float64: both match."""
    path = make_loom(tmp_path / f"{dtype}.loom", genes=120, cells=900, seed=11, dtype=dtype)
    expected = seed.seed_file_digests(path)
    actual = digest_loom(path, block_genes=64, max_block_bytes=20_000).as_dict()
    assert list(actual) == list(expected)
    for gene, reference_digest in expected.items():
        digest = actual[gene]
        np.testing.assert_array_equal(digest.centroids(), reference_digest.centroids())
        assert digest.size() == reference_digest.size()
        both = np.array([digest.quantile(0.5), reference_digest.quantile(0.5)])
        assert np.isnan(both).all() or both[0] == both[1]


def test_single_file_workflow_medians_equal_the_reference(tmp_path, seed, assert_same_medians):
    path = make_loom(tmp_path / "study.loom", genes=200, cells=700, seed=5)
    total, detected, counts = seed.seed_medians([path])
    result = run_workflow([path], tmp_path / "out", workers=1, quiet=True)
    assert_same_medians(total, result.medians)
    assert result.detection_counts == {gene: int(count) for gene, count in counts.items()}
    assert any(math.isnan(value) for value in total.values()), "corpus should have undetected genes"
    assert len(detected) < len(total)


def test_corpus_medians_equal_the_reference_merged_in_sorted_order(tmp_path, seed, assert_same_medians):
    corpus = tmp_path / "corpus"
    paths = make_corpus(corpus, databases=2, files_per_database=2, genes=150, cells=300, seed=3)
    gene_list = read_gene_list(corpus / "gene_info.csv")
    total, _, counts = seed.seed_medians(sorted(paths), gene_list)
    result = run_workflow(
        [corpus], tmp_path / "out", gene_info=corpus / "gene_info.csv", workers=1, quiet=True
    )
    assert_same_medians(total, result.medians)
    assert result.detection_counts == {gene: int(count) for gene, count in counts.items()}

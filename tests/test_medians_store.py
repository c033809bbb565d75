"""Digest files without pickle, merge order, result files."""

from __future__ import annotations

import math
import os
import pickle

import h5py
import numpy as np
import pytest
from crick import TDigest
from hypothesis import given, settings
from hypothesis import strategies as st

from genenorm_edu.medians import (
    detection_counts,
    digest_from_state,
    digest_state,
    load_digests,
    make_loom,
    medians_from_digests,
    merge_digests,
    digest_loom,
    read_gene_list,
    save_digests,
    write_median_results,
)
from genenorm_edu.medians.digestfile import check_digest_file
from genenorm_edu.medians.results import read_gene_medians_tsv

values_strategy = st.lists(
    st.floats(min_value=1e-3, max_value=1e6, allow_nan=False), min_size=0, max_size=3000
)


@settings(max_examples=40, deadline=None)
@given(values=values_strategy, more=values_strategy)
def test_rebuilt_digest_behaves_exactly_like_the_original(values, more):
    original = TDigest()
    original.update(np.array(values, dtype=float))
    centroids, total, low, high = digest_state(original)
    rebuilt = digest_from_state(centroids["mean"], centroids["weight"], total, low, high)
    quantiles = np.linspace(0, 1, 11)
    np.testing.assert_array_equal(rebuilt.quantile(quantiles), original.quantile(quantiles))
    assert rebuilt.size() == original.size()
    # merging either into the same digest gives the same state
    merged_original, merged_rebuilt = TDigest(), TDigest()
    merged_original.update(np.array(more, dtype=float))
    merged_rebuilt.update(np.array(more, dtype=float))
    merged_original.merge(original)
    merged_rebuilt.merge(rebuilt)
    np.testing.assert_array_equal(merged_rebuilt.centroids(), merged_original.centroids())
    np.testing.assert_array_equal(merged_rebuilt.quantile(quantiles), merged_original.quantile(quantiles))


@pytest.fixture(scope="module")
def loom_path(tmp_path_factory):
    return make_loom(tmp_path_factory.mktemp("store") / "a.loom", genes=80, cells=300, seed=2)


def test_save_load_round_trip_without_pickle(tmp_path, loom_path):
    computed = digest_loom(loom_path)
    path = save_digests(computed, tmp_path / "a.digest.h5")
    with h5py.File(path, "r") as stored:  # plain arrays only: nothing to unpickle
        assert all(stored[name].dtype.kind in "SfiU" for name in stored)
    loaded = load_digests(path)
    assert loaded.ensembl_ids == computed.ensembl_ids
    assert loaded.cells_used == computed.cells_used
    for before, after in zip(computed.digests, loaded.digests):
        np.testing.assert_array_equal(after.centroids(), before.centroids())
        assert np.array_equal(after.quantile([0.1, 0.5, 0.9]), before.quantile([0.1, 0.5, 0.9]), equal_nan=True)
    assert [p.name for p in tmp_path.iterdir()] == ["a.digest.h5"]  # no temp file left


def test_digest_file_goes_stale_when_source_changes(tmp_path, loom_path):
    source = tmp_path / "copy.loom"
    source.write_bytes(loom_path.read_bytes())
    path = save_digests(digest_loom(source), tmp_path / "copy.digest.h5")
    assert check_digest_file(path, source, ("protein_coding", "miRNA")).status == "current"
    assert check_digest_file(path, source, ("protein_coding",)).status == "stale"
    status = source.stat()
    os.utime(source, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000))
    assert check_digest_file(path, source, ("protein_coding", "miRNA")).status == "stale"
    path.write_bytes(b"garbage")
    assert check_digest_file(path, source, ("protein_coding", "miRNA")).status == "invalid"


def digest_of(values):
    digest = TDigest()
    digest.update(np.asarray(values, dtype=float))
    return digest


def test_merge_starts_from_empty_digests_in_given_order():
    first = {"A": digest_of([1, 2, 3]), "B": digest_of([5])}
    second = {"A": digest_of([10, 20])}
    merged = merge_digests([first, second], gene_list=["B", "A", "C"])
    assert list(merged) == ["B", "A", "C"]
    assert detection_counts(merged) == {"B": 1, "A": 5, "C": 0}
    medians = medians_from_digests(merged)
    assert medians["B"] == 5.0 and math.isnan(medians["C"])
    # same as merging by hand into an empty digest, in the same order
    by_hand = TDigest()
    by_hand.merge(first["A"])
    by_hand.merge(second["A"])
    assert medians["A"] == by_hand.quantile(0.5)
    # inputs untouched
    assert first["A"].size() == 3
    # without a gene list: sorted union
    assert list(merge_digests([second, first])) == ["A", "B"]


def test_result_files_are_plain_dicts_and_tsv(tmp_path):
    medians = {"ENSG2": 12.5, "ENSG1": float("nan")}
    counts = {"ENSG2": 4, "ENSG1": 0}
    paths = write_median_results(tmp_path, medians, counts)
    with open(paths["total"], "rb") as file:
        total = pickle.load(file)
    with open(paths["detected"], "rb") as file:
        detected = pickle.load(file)
    assert type(total) is dict and list(total) == ["ENSG2", "ENSG1"]
    assert all(type(key) is str and type(value) is float for key, value in total.items())
    assert math.isnan(total["ENSG1"])
    assert detected == {"ENSG2": 12.5}
    table = read_gene_medians_tsv(paths["tsv"])
    assert table["ENSG2"] == (12.5, 4)
    assert math.isnan(table["ENSG1"][0]) and table["ENSG1"][1] == 0
    assert paths["tsv"].read_text().splitlines()[0] == "ensembl_id\tmedian\tdetection_count"


def test_gene_list_from_csv_with_index_column(tmp_path):
    path = tmp_path / "gene_info.csv"
    path.write_text(",ensembl_id,gene_type\n0,ENSG1,miRNA\n1,ENSG2,lncRNA\n2,ENSG3,protein_coding\n")
    assert read_gene_list(path) == ["ENSG1", "ENSG3"]
    assert read_gene_list(path, gene_types=["lncRNA"]) == ["ENSG2"]
    bad = tmp_path / "bad.csv"
    bad.write_text("ensembl_id,type\nENSG1,miRNA\n")
    with pytest.raises(ValueError, match=r"bad\.csv: missing column.*gene_type"):
        read_gene_list(bad)

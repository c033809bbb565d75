"""Per-file step: normalisation of blocks, loom inspection, streamed digests."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from genenorm_edu.medians import (
    LoomFileError,
    digest_loom,
    inspect_loom,
    make_loom,
    nonzero_normalized,
    write_loom,
)
from genenorm_edu.medians.planning import cell_runs, gene_blocks


def digest_states(file_digests):
    """Comparable exact state of every digest of a file."""
    return [
        (digest.centroids().tobytes(), digest.size(), digest.min().hex(), digest.max().hex())
        for digest in file_digests.digests
    ]


# ---------------------------------------------------------------- nonzero_normalized


def test_nonzero_normalized_worked_example():
    counts = np.array([[0, 3, 1], [0, 0, 0], [2, 0, 4]])
    n_counts = np.array([8, 6, 5])
    rows = nonzero_normalized(counts, n_counts)
    # by hand: 3/6*1e4, 1/5*1e4 ; nothing ; 2/8*1e4, 4/5*1e4
    assert [row.tolist() for row in rows] == [[5000.0, 2000.0], [], [2500.0, 8000.0]]


@settings(max_examples=60, deadline=None)
@given(
    counts=hnp.arrays(
        dtype=st.sampled_from([np.int32, np.uint16, np.float32, np.int64]),
        shape=st.tuples(st.integers(1, 6), st.integers(1, 12)),
        elements=st.integers(0, 50),
    ),
    data=st.data(),
)
def test_nonzero_normalized_matches_reference_expression(counts, data):
    """Same values, dtype and order as the seed's whole-block expression."""
    n_cells = counts.shape[1]
    n_counts = data.draw(
        hnp.arrays(
            dtype=st.sampled_from([np.int64, np.float32, np.int32]),
            shape=n_cells,
            elements=st.integers(1, 10_000),
        )
    )
    cells = data.draw(hnp.arrays(dtype=bool, shape=n_cells))
    expected_block = counts[:, cells] / n_counts[cells] * 10_000
    rows = nonzero_normalized(counts, n_counts, cells=cells)
    assert len(rows) == counts.shape[0]
    for row, expected_row in zip(rows, expected_block):
        expected = expected_row[expected_row != 0]
        assert row.dtype == expected.dtype
        np.testing.assert_array_equal(row, expected)


@pytest.mark.parametrize(
    ("counts", "n_counts", "message"),
    [
        (np.array([1, 2]), np.array([1, 1]), "2-D"),
        (np.ones((2, 3)), np.ones(2), "one value per column"),
        (np.array([[1, -2]]), np.array([3, 3]), "negative"),
        (np.array([[1.0, np.nan]]), np.array([3, 3]), "NaN"),
        (np.array([[1, 2]]), np.array([3, 0]), "n_counts must be positive"),
    ],
)
def test_nonzero_normalized_refuses_bad_input(counts, n_counts, message):
    with pytest.raises(ValueError, match=message):
        nonzero_normalized(counts, n_counts)


def test_nonzero_normalized_ignores_zero_totals_of_unused_cells():
    rows = nonzero_normalized(np.array([[1, 5]]), np.array([2, 0]), cells=np.array([True, False]))
    assert rows[0].tolist() == [5000.0]


# ---------------------------------------------------------------- gene blocks


@given(
    rows=st.lists(st.integers(0, 1000), unique=True, max_size=60).map(sorted),
    block_genes=st.integers(1, 300),
)
def test_gene_blocks_cover_genes_once_within_aligned_row_ranges(rows, block_genes):
    gene_rows = np.array(rows, dtype=np.int64)
    blocks = gene_blocks(gene_rows, block_genes)
    covered = [position for start, stop in blocks for position in range(start, stop)]
    assert covered == list(range(len(rows)))
    rows_per_block = -(-block_genes // 64) * 64
    for start, stop in blocks:
        assert stop > start
        assert len({row // rows_per_block for row in rows[start:stop]}) == 1


# ---------------------------------------------------------------- loom files


@pytest.fixture(scope="module")
def loom_path(tmp_path_factory):
    directory = tmp_path_factory.mktemp("digest")
    return make_loom(directory / "study.loom", genes=150, cells=500, seed=7)


def test_inspect_loom_selects_gene_types_and_passing_cells(loom_path):
    layout = inspect_loom(loom_path, gene_types=["miRNA"])
    with h5py.File(loom_path, "r") as file:
        gene_type = file["/row_attrs/gene_type"].asstr()[:]
        filter_pass = file["/col_attrs/filter_pass"][:]
    np.testing.assert_array_equal(layout.gene_rows, np.flatnonzero(gene_type == "miRNA"))
    np.testing.assert_array_equal(layout.cell_columns, np.flatnonzero(filter_pass == 1))
    assert layout.failed_filter_cells == int((filter_pass != 1).sum()) > 0
    assert layout.zero_count_cells == 0


def test_digests_do_not_depend_on_block_sizes(loom_path):
    reference = digest_loom(loom_path, block_genes=10_000, max_block_bytes=2**30)
    for block_genes, max_block_bytes in [(1, 1), (64, 5_000), (100, 100_000)]:
        other = digest_loom(loom_path, block_genes=block_genes, max_block_bytes=max_block_bytes)
        assert other.ensembl_ids == reference.ensembl_ids
        assert digest_states(other) == digest_states(reference)


def test_digest_sizes_count_nonzero_values_of_used_cells(loom_path):
    result = digest_loom(loom_path)
    layout = inspect_loom(loom_path)
    with h5py.File(loom_path, "r") as file:
        matrix = file["/matrix"][:]
    used = matrix[layout.gene_rows][:, layout.cell_columns]
    assert [digest.size() for digest in result.digests] == (used != 0).sum(axis=1).tolist()
    assert result.cells_used == len(layout.cell_columns)


def small_loom(path, counts, **overrides):
    genes = counts.shape[0]
    arguments = dict(
        ensembl_ids=[f"ENSG{i}" for i in range(genes)],
        gene_types=["protein_coding"] * genes,
        filter_pass=np.ones(counts.shape[1], dtype=int),
    )
    arguments.update(overrides)
    return write_loom(path, counts, **arguments)


def test_cells_with_zero_total_are_skipped_and_counted(tmp_path):
    counts = np.array([[2, 0, 1], [1, 0, 0]], dtype=np.int32)
    path = small_loom(tmp_path / "a.loom", counts)
    result = digest_loom(path)
    assert result.zero_count_cells == 1
    assert result.cells_used == 2
    assert [digest.size() for digest in result.digests] == [2.0, 1.0]
    assert result.digests[0].min() == pytest.approx(2 / 3 * 10_000)  # totals 3, 0, 1


def test_without_filter_pass_all_cells_are_used(tmp_path):
    counts = np.array([[1, 1, 1, 1]], dtype=np.int32)
    path = small_loom(tmp_path / "a.loom", counts, filter_pass=None)
    assert digest_loom(path).digests[0].size() == 4


def test_negative_counts_name_the_file(tmp_path):
    counts = np.array([[3, -1], [1, 1]], dtype=np.int32)
    path = small_loom(tmp_path / "negative.loom", counts, n_counts=np.array([4, 4]))
    with pytest.raises(LoomFileError, match=r"negative\.loom.*negative"):
        digest_loom(path)


@pytest.mark.parametrize(
    ("attribute", "axis"),
    [("ensembl_id", "row_attrs"), ("gene_type", "row_attrs"), ("n_counts", "col_attrs")],
)
def test_missing_attribute_names_file_and_attribute(tmp_path, loom_path, attribute, axis):
    path = tmp_path / f"no-{attribute}.loom"
    path.write_bytes(loom_path.read_bytes())
    with h5py.File(path, "r+") as file:
        del file[f"/{axis}/{attribute}"]
    with pytest.raises(LoomFileError, match=rf"no-{attribute}\.loom: missing .*'{attribute}'"):
        inspect_loom(path)


def test_truncated_file_is_reported_as_corrupt(tmp_path, loom_path):
    path = tmp_path / "truncated.loom"
    path.write_bytes(loom_path.read_bytes()[: loom_path.stat().st_size // 2])
    with pytest.raises(LoomFileError, match=r"truncated\.loom: .*HDF5"):
        digest_loom(path)


def test_files_are_opened_read_only(tmp_path, loom_path):
    path = tmp_path / "read-only.loom"
    path.write_bytes(loom_path.read_bytes())
    path.chmod(0o444)
    try:
        assert len(digest_loom(path).digests) > 0
    finally:
        path.chmod(0o644)


def test_duplicate_ensembl_ids_are_refused(tmp_path):
    counts = np.ones((2, 3), dtype=np.int32)
    path = small_loom(tmp_path / "dup.loom", counts, ensembl_ids=["ENSG1", "ENSG1"])
    with pytest.raises(LoomFileError, match="duplicate ensembl_id"):
        inspect_loom(path)


@given(
    n_cells=st.integers(1, 100_000),
    n_rows=st.integers(1, 512),
    itemsize=st.sampled_from([2, 4, 8]),
    max_block_bytes=st.integers(1, 2**26),
)
def test_tiles_cover_cells_in_order_within_the_memory_bound(n_cells, n_rows, itemsize, max_block_bytes):
    """Tile size is bounded by max_block_bytes (or one 64-column chunk), not by the cell count."""
    runs = cell_runs(n_cells, n_rows, itemsize, max_block_bytes)
    assert runs[0][0] == 0 and runs[-1][1] == n_cells
    assert all(stop == next_start for (_, stop), (next_start, _) in zip(runs, runs[1:]))
    widest = max(stop - start for start, stop in runs)
    assert n_rows * widest * itemsize <= max(max_block_bytes, n_rows * 64 * itemsize)


@pytest.mark.parametrize(
    ("bad", "message"),
    [(np.nan, "contains NaN"), (np.inf, "contains infinite values"), (-2.0, "must not be negative")],
)
def test_tile_checks_the_used_cells_only(bad, message):
    """A bad count of a used cell is refused with its place; one of a cell left out is never read."""
    from genenorm_edu.medians.normalize import normalize_tile

    tile = np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]], dtype=np.float32)
    n_counts = np.array([4.0, 4.0, 4.0], dtype=np.float32)
    used = np.array([True, True, False])
    tile[0, 2] = bad  # a cell left out (failing the filter)
    rows = normalize_tile(tile, n_counts, used)
    assert rows.values.tolist() == [2500.0, 7500.0] and rows.offsets.tolist() == [0, 1, 2]
    tile[1, 1] = bad  # a used cell
    with pytest.raises(ValueError, match=rf"counts_block {message} \(first at gene row 1, cell column 1\)"):
        normalize_tile(tile, n_counts, used)

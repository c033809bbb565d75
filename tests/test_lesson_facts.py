"""The facts about NumPy, crick and loompy that the lessons state in words.

Numbers the lessons show are printed by their own cells; these tests hold
the behaviour the prose relies on, so that a new version of a library that
changes it fails here rather than leaving a wrong sentence in a lesson.
"""

from __future__ import annotations

import numpy as np
import pytest
from crick import TDigest
from numpy.lib.stride_tricks import sliding_window_view

from genenorm_edu import data


def test_boolean_masks_select_in_row_major_order_whatever_the_layout():
    """Lesson 3: not in memory order."""
    c_order = np.arange(12).reshape(3, 4)
    fortran = np.asfortranarray(c_order)
    assert not np.array_equal(fortran.ravel(order="K"), c_order.ravel())  # memory orders differ
    assert np.array_equal(fortran[fortran > 6], c_order[c_order > 6])
    assert np.array_equal(fortran[fortran >= 0], c_order.ravel())


def test_chained_fancy_indexing_writes_into_a_lost_copy():
    """Lesson 3: m[[0, 1]][0, 0] = ... leaves m unchanged; m[:2][0, 0] = ... does not."""
    m = np.arange(12).reshape(3, 4)
    m[[0, 1]][0, 0] = -1
    assert m[0, 0] == 0
    m[:2][0, 0] = -1
    assert m[0, 0] == -1


def test_uint32_sums_accumulate_in_64_bits_and_only_the_matrix_total_needs_them(synthetic_data_dir):
    """Lesson 2: library sizes fit in uint32; the total of the matrix does not."""
    counts = data.load_counts("synthetic", directory=synthetic_data_dir)
    library_size = counts.sum(axis=0)
    assert library_size.dtype == np.uint64
    assert int(library_size.max()) < 2**32 <= int(counts.sum())
    assert int(counts.sum(dtype=np.uint32)) != int(counts.sum())  # a 32-bit accumulator wraps


def test_loaded_counts_are_a_fortran_view_of_one_buffer(synthetic_data_dir):
    """Lesson 2: OWNDATA False on counts read from the cache; NumPy 2 reads a 1-D base."""
    counts = data.load_counts("synthetic", directory=synthetic_data_dir)
    assert counts.flags.f_contiguous and not counts.flags.owndata
    assert counts.base.flags.owndata and np.shares_memory(counts, counts.base)
    numpy_2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"
    assert counts.base.shape == ((counts.size,) if numpy_2 else counts.shape[::-1])


def test_numpy_integers_cannot_weigh_the_top_byte():
    """Lesson 1's hint: sum Python ints; NumPy 2 refuses the product, NumPy 1 wraps it."""
    top_byte = np.array([255], dtype=np.uint8)[0]
    try:
        with np.errstate(over="ignore"):
            product = top_byte * 256**7
    except OverflowError:
        assert np.lib.NumpyVersion(np.__version__) >= "2.0.0"
    else:
        assert int(product) != 255 * 256**7


def test_sliding_windows_are_read_only_views():
    """Lesson 2: sliding_window_view is safe where as_strided is not."""
    x = np.arange(6)
    windows = sliding_window_view(x, 3)
    assert np.shares_memory(windows, x) and not windows.flags.writeable
    assert windows.strides == (x.itemsize, x.itemsize)


def test_a_t_digest_skips_nan_and_is_exact_up_to_127_values():
    """Lesson 4: why zeros are masked with NaN; a digest is exact for few values, not for many."""
    digest = TDigest()
    digest.update(np.array([np.nan, 2.0, np.nan, 5.0, 3.0]))
    assert digest.size() == 3 and digest.quantile(0.5) == 3.0
    values = np.random.default_rng(0).lognormal(size=200)
    for n, exact in [(127, True), (128, False)]:
        digest = TDigest()
        digest.update(values[:n])
        assert (len(digest.centroids()) == n) is exact


def test_masked_equal_cannot_fill_an_integer_block_with_nan():
    """Lesson 4: NaN needs floats."""
    with pytest.raises((TypeError, ValueError)):
        np.ma.masked_equal(np.array([0, 3], dtype=np.uint32), 0).filled(np.nan)


def test_loompy_scan_reads_batch_size_rows_and_keeps_the_wanted_ones(tmp_path):
    """Lesson 4: blocks of 47, 37, ... genes with batch_size=64."""
    import loompy

    from genenorm_edu.medians import make_loom

    path = make_loom(tmp_path / "file.loom", genes=200, cells=20, seed=1)
    with loompy.connect(str(path), mode="r") as connection:
        wanted = np.flatnonzero(np.isin(connection.ra.gene_type, ["protein_coding", "miRNA"]))
        blocks = [(index, view.shape[0]) for index, _, view in
                  connection.scan(items=wanted, axis=0, layers=[""], batch_size=64)]
    for index, size in blocks:
        assert index % 64 == 0
        assert size == np.count_nonzero((wanted >= index) & (wanted < index + 64))
    assert sum(size for _, size in blocks) == len(wanted)


def test_python_shares_small_int_objects():
    """Lesson 1: small counts in a list of lists cost only their pointer."""
    assert int("256") is int("256")
    assert int("257") is not int("257")


# --- the density figures of lessons 2 and 3 (every sample) --------------------------


@pytest.fixture(scope="module")
def course_log_matrices(synthetic_data_dir):
    """log(count + 1) and log(RPKM + 1) of the synthetic course data, as the lessons make them."""
    from genenorm_edu.normalization import rpkm

    counts = data.load_counts("synthetic", directory=synthetic_data_dir)
    gene_lengths = data.load_gene_lengths("synthetic", directory=synthetic_data_dir)
    return np.log(counts + 1.0), np.log(rpkm(counts, gene_lengths) + 1.0)


def _spread_between_samples(densities: np.ndarray) -> float:
    """Median over samples of the largest gap to the median curve, over the sample's peak."""
    gap = np.abs(densities - np.median(densities, axis=0)).max(axis=1)
    return float(np.median(gap / densities.max(axis=1)))


def test_every_log_count_density_has_a_peak_at_zero_and_shifted_bodies(course_log_matrices):
    """Lesson 2: a peak at 0, a body; bodies shifted from sample to sample."""
    from genenorm_edu.density import column_densities

    log_counts, _ = course_log_matrices
    estimate = column_densities(log_counts, 200)
    body = estimate.points > 1.0
    body_peak = np.argmax(np.where(body, estimate.densities, -1.0), axis=1)
    for row, peak in zip(estimate.densities, body_peak):
        assert row[0] > row[1:peak].min()  # falls after 0, rises again: a peak at 0
    body_position = estimate.points[body_peak]
    assert np.ptp(body_position) > 1.0


def test_the_farthest_sample_stands_out(course_log_matrices):
    """Lesson 2: the sample the cell prints is far from the others, not one of many."""
    from genenorm_edu.density import column_densities

    log_counts, _ = course_log_matrices
    densities = column_densities(log_counts, 200).densities
    distance = np.sort(np.abs(densities - np.median(densities, axis=0)).max(axis=1))
    assert distance[-1] > 1.5 * distance[-2] and distance[-1] > 3 * np.median(distance)


def test_log_rpkm_piles_up_near_zero_and_differs_about_as_much(course_log_matrices):
    """Lesson 2: most values small, a long tail; samples differ about as much as before RPKM."""
    from genenorm_edu.density import column_densities

    log_counts, log_rpkm = course_log_matrices
    estimate = column_densities(log_rpkm, 200)
    modes = estimate.points[np.argmax(estimate.densities, axis=1)]
    assert modes.max() < 2.0 and log_rpkm.max(axis=0).min() > 3 * modes.max()
    ratio = _spread_between_samples(estimate.densities) / _spread_between_samples(
        column_densities(log_counts, 200).densities)
    assert 0.5 < ratio < 2


@pytest.mark.parametrize("which", ["log counts", "log RPKM"])
def test_after_quantile_normalization_every_density_is_the_target(course_log_matrices, which):
    """Lesson 3: curves on the dashed target, identical rows; log counts: except at the smallest values."""
    from genenorm_edu.density import column_densities
    from genenorm_edu.normalization import qnorm

    matrix = dict(zip(["log counts", "log RPKM"], course_log_matrices))[which]
    points = np.linspace(0.0, matrix.max(), 200)
    target = column_densities(np.sort(matrix, axis=0).mean(axis=1)[:, np.newaxis], points).densities[0]

    def gap(m: np.ndarray) -> np.ndarray:
        """Largest gap of any sample's density to the target's, at each point, over the target's peak."""
        return np.abs(column_densities(m, points).densities - target).max(axis=0) / target.max()

    before, after = gap(matrix), gap(qnorm(matrix))
    assert before.max() > 0.1  # before: spread out
    if which == "log RPKM":
        assert after.max() < 0.05
    else:
        small = points < np.log(21.0)  # counts up to 20: the large tie blocks
        assert after[~small].max() < 0.02 and after[small].max() > 0.1
        assert before[~small].max() > 0.1

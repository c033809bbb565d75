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

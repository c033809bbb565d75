"""Tests of the reference solutions: each passes its exercise and agrees with an independent oracle.

The grader computes the expected results of hidden tests with these
functions, so each is checked against something computed another way:
NumPy's own layout, Python's integers, SciPy, the production versions in
:mod:`genenorm_edu.normalization`, or a plain loop.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from genenorm_edu import normalization, reference
from genenorm_edu.exercises import EXERCISES, run_case
from genenorm_edu.exercises.spec import judge

small_shapes = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12)
shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=6)  # NumPy zeroes the strides of empty arrays


def _address(array: np.ndarray) -> int:
    return array.__array_interface__["data"][0]


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_the_reference_passes_the_visible_cases(name):
    """The visible cases' literal expectations and the reference agree."""
    item = EXERCISES[name]
    solve = getattr(reference, name)
    for case in item.visible:
        verdict = judge(item, case, run_case(solve, case), case.expected)
        assert verdict.passed, verdict.message


# --- lesson 1 --------------------------------------------------------------------------


@given(shapes, st.sampled_from([1, 2, 4, 8, 16]))
def test_c_strides_are_numpys(shape, itemsize):
    assert reference.c_strides(shape, itemsize) == np.empty(shape, dtype=f"V{itemsize}").strides


@given(st.data())
def test_byte_offset_is_the_distance_between_addresses(data):
    base = np.zeros((4, 5, 6), dtype=np.int32)
    steps = data.draw(st.tuples(*[st.sampled_from([1, 2, -1, -3])] * 3))
    view = base[tuple(slice(None, None, step) for step in steps)]
    index = tuple(data.draw(st.integers(0, length - 1)) for length in view.shape)
    element = view[tuple(slice(i, i + 1) for i in index)]
    assert reference.byte_offset(index, view.strides) == _address(element) - _address(view)


@given(st.data())
def test_stepped_view_is_numpys_view(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=9))
    base = np.zeros(shape, dtype=np.float32, order=data.draw(st.sampled_from("CF")))
    steps = tuple(data.draw(st.integers(-4, 4).filter(bool)) for _ in shape)
    view = base[tuple(slice(None, None, step) for step in steps)]
    assert reference.stepped_view(base.shape, base.strides, steps) == (view.shape, view.strides)


@given(hnp.arrays(np.uint8, st.integers(1, 8)))
def test_little_endian_value_is_int_from_bytes(raw):
    assert reference.little_endian_value(raw) == int.from_bytes(raw.tobytes(), "little")


# --- lesson 2 --------------------------------------------------------------------------


def test_closest_to_worked_example():
    x = np.array([[0.1, 0.7, 0.9], [0.8, 0.2, 0.74]])
    assert reference.closest_to(x, 0.75).tolist() == [0.7, 0.74]


@given(
    hnp.arrays(np.float64, small_shapes, elements=st.floats(-1e6, 1e6, allow_nan=False)),
    st.floats(-1e6, 1e6),
)
def test_closest_to_returns_a_row_element_at_minimal_distance(x, value):
    result = reference.closest_to(x, value)
    assert result.shape == (x.shape[0],)
    for row, chosen in zip(x, result):
        assert chosen in row
        assert abs(chosen - value) == np.min(np.abs(row - value))


def test_closest_to_keeps_integer_dtype_and_prefers_the_leftmost():
    assert reference.closest_to(np.array([[0.5, 1.0]]), 0.75).tolist() == [0.5]
    result = reference.closest_to(np.array([[1, 5, 9]], dtype=np.int32), 6)
    assert result.dtype == np.int32 and result.tolist() == [5]


@settings(max_examples=60)
@given(
    counts=hnp.arrays(np.uint32, small_shapes, elements=st.integers(0, 2**32 - 1)).filter(
        lambda c: (c.sum(axis=0, dtype=np.uint64) > 0).all()
    ),
    data=st.data(),
)
def test_rpkm_equals_the_production_version(counts, data):
    lengths = data.draw(hnp.arrays(np.int64, counts.shape[0], elements=st.integers(1, 200_000)))
    np.testing.assert_allclose(reference.rpkm(counts, lengths), normalization.rpkm(counts, lengths), rtol=1e-12)


@given(
    hnp.arrays(np.int64, hnp.array_shapes(max_dims=3, max_side=4), elements=st.integers(-99, 99)),
    hnp.arrays(np.int64, hnp.array_shapes(max_dims=2, max_side=4), elements=st.integers(-99, 99)),
)
def test_outer_sum_pairs_every_element(x, y):
    total = reference.outer_sum(x, y)
    assert total.shape == x.shape + y.shape
    for i in np.ndindex(x.shape):
        for j in np.ndindex(y.shape):
            assert total[i + j] == x[i] + y[j]


@pytest.mark.filterwarnings("ignore:Precision loss:RuntimeWarning")  # scipy, on constant rows
@given(hnp.arrays(np.int64, small_shapes, elements=st.integers(0, 5)))
def test_gene_zscores_equal_scipys_zscore_with_constant_rows_at_zero(x):
    expected = np.nan_to_num(stats.zscore(x.astype(np.float64), axis=1))
    np.testing.assert_allclose(reference.gene_zscores(x), expected, atol=1e-12)


@given(st.data())
def test_rolling_mean_equals_a_convolution(data):
    values = data.draw(hnp.arrays(np.int64, st.integers(1, 40), elements=st.integers(-1000, 1000)))
    window = data.draw(st.integers(1, len(values)))
    expected = np.convolve(values, np.ones(window), mode="valid") / window
    np.testing.assert_allclose(reference.rolling_mean(values, window), expected, rtol=1e-12, atol=1e-9)


# --- lesson 3 --------------------------------------------------------------------------


def test_qnorm_reproduces_wikipedia_worked_example():
    x = np.array([[5, 4, 3], [2, 1, 4], [3, 4, 6], [4, 2, 8]])
    expected = np.array([[17 / 3, 31 / 6, 2], [2, 2, 3], [3, 31 / 6, 14 / 3], [14 / 3, 3, 17 / 3]])
    np.testing.assert_allclose(reference.qnorm(x), expected, rtol=1e-15)


@settings(max_examples=80, deadline=None)
@given(hnp.arrays(np.int8, small_shapes, elements=st.integers(-3, 3)))
def test_qnorm_equals_the_production_version_with_many_ties(x):
    np.testing.assert_allclose(reference.qnorm(x), normalization.qnorm(x), rtol=1e-12, atol=1e-12)


@given(hnp.arrays(np.int64, small_shapes, elements=st.integers(0, 3)))
def test_ordinal_ranks_equal_scipys_ordinal_ranks(x):
    expected = stats.rankdata(x, method="ordinal", axis=0) - 1
    assert np.array_equal(reference.ordinal_ranks(x), expected)


@given(hnp.arrays(np.uint32, small_shapes, elements=st.integers(0, 4)), st.data())
def test_top_genes_are_the_largest_values_and_point_at_them(x, data):
    k = data.draw(st.integers(1, x.shape[0]))
    rows, values = reference.top_genes(x, k)
    assert np.array_equal(values, np.sort(x, axis=0)[::-1][:k])
    assert np.array_equal(np.take_along_axis(x, rows, axis=0), values)
    assert all(len(set(column)) == k for column in rows.T.tolist())


@given(hnp.arrays(np.int64, st.integers(1, 50), elements=st.integers(-3, 3)))
def test_tie_blocks_count_like_a_counter(column):
    counter = Counter(column.tolist())
    tied = sorted(value for value, count in counter.items() if count > 1)
    values, counts = reference.tie_blocks(column)
    assert values.tolist() == tied
    assert counts.tolist() == [counter[value] for value in tied]


# --- lesson 4 --------------------------------------------------------------------------


@given(hnp.arrays(np.uint16, small_shapes, elements=st.integers(0, 3)))
def test_nonzero_medians_equal_a_loop_over_genes(block):
    expected = [np.median(row[row != 0]) if (row != 0).any() else np.nan for row in block]
    np.testing.assert_array_equal(reference.nonzero_medians(block), np.array(expected))


def test_nonzero_normalized_worked_example():
    result = reference.nonzero_normalized(np.array([[0, 2, 0, 1], [3, 0, 0, 0]]), np.array([4, 4, 2, 5]))
    assert [values.tolist() for values in result] == [[5000.0, 2000.0], [7500.0]]


@given(
    hnp.arrays(np.uint32, st.integers(1, 30), elements=st.integers(0, 5)),
    st.data(),
)
def test_rank_value_encoding_ranks_detected_genes_with_medians(cell_counts, data):
    medians = data.draw(
        hnp.arrays(np.float64, len(cell_counts), elements=st.sampled_from([np.nan, 0.5, 1.0, 3.0]))
    )
    genes = reference.rank_value_encoding(cell_counts, medians)
    wanted = {g for g in range(len(cell_counts)) if cell_counts[g] != 0 and not np.isnan(medians[g])}
    assert sorted(genes.tolist()) == sorted(wanted)
    normalized = cell_counts[genes] / medians[genes]
    assert (np.diff(normalized) <= 0).all()

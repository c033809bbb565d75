"""Tests of the production normalization: worked examples, properties, bad input."""

from fractions import Fraction
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.stats import rankdata

from genenorm_edu.normalization import library_size, qnorm, rpkm

small_shapes = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12)
count_matrices = hnp.arrays(
    np.uint32, small_shapes, elements=st.integers(min_value=0, max_value=2**32 - 1)
)


# --- library_size ---------------------------------------------------------------------


def test_library_size_sums_each_column():
    counts = np.array([[100, 200, 50, 400], [50, 0, 0, 100], [350, 100, 50, 200]])
    assert library_size(counts).tolist() == [500, 300, 100, 700]


def test_library_size_does_not_overflow_uint32():
    counts = np.full((5, 2), 2**32 - 1, dtype=np.uint32)
    totals = library_size(counts)
    assert totals.dtype == np.int64
    assert totals.tolist() == [5 * (2**32 - 1)] * 2


@given(count_matrices)
def test_library_size_matches_python_sums(counts):
    expected = [sum(int(v) for v in counts[:, j]) for j in range(counts.shape[1])]
    assert library_size(counts).tolist() == expected


def test_library_size_of_floats_is_float():
    assert library_size(np.array([[0.5], [0.25]])).tolist() == [0.75]


# --- rpkm -------------------------------------------------------------------------------


def rpkm_exact(counts, gene_lengths):
    """RPKM in exact rational arithmetic, straight from the definition."""
    totals = [sum(int(v) for v in counts[:, j]) for j in range(counts.shape[1])]
    return np.array(
        [
            [
                float(Fraction(10**9 * int(counts[g, s]), int(gene_lengths[g]) * totals[s]))
                for s in range(counts.shape[1])
            ]
            for g in range(counts.shape[0])
        ]
    )


@settings(max_examples=60)
@given(
    counts=count_matrices.filter(lambda c: (c.sum(axis=0, dtype=np.uint64) > 0).all()),
    data=st.data(),
)
def test_rpkm_matches_exact_definition(counts, data):
    gene_lengths = data.draw(
        hnp.arrays(np.int64, counts.shape[0], elements=st.integers(1, 200_000))
    )
    result = rpkm(counts, gene_lengths)
    assert result.dtype == np.float64
    assert result.shape == counts.shape
    np.testing.assert_allclose(result, rpkm_exact(counts, gene_lengths), rtol=1e-12)


def test_rpkm_worked_example():
    counts = np.array([[10, 20], [30, 0]])
    result = rpkm(counts, np.array([1000, 3000]))
    # library sizes 40 and 20; 1e9 * 10 / (1000 * 40) = 250,000
    np.testing.assert_allclose(result, [[250_000, 1_000_000], [250_000, 0]])


def test_rpkm_keeps_fortran_order_and_allocates_only_the_result():
    rng = np.random.default_rng(1)
    counts = np.asfortranarray(rng.integers(0, 1000, size=(4000, 200)).astype(np.uint32))
    gene_lengths = rng.integers(100, 10_000, size=4000)
    tracemalloc.start()
    try:
        result = rpkm(counts, gene_lengths)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.flags.f_contiguous
    # one float64 output (6.4 MB) plus small vectors and NumPy's fixed-size
    # casting buffers; any full-size temporary would add at least 3.2 MB
    assert peak <= result.nbytes + 512 * 1024


@pytest.mark.parametrize(
    ("counts", "gene_lengths", "error", "message"),
    [
        (np.ones(3), np.ones(3), ValueError, "counts must be a 2-D array"),
        (np.ones((3, 2)), np.ones((3, 1)), ValueError, "gene_lengths must be a 1-D array"),
        (np.ones((3, 2)), np.ones(4), ValueError, "gene_lengths has 4 entries but counts has 3"),
        (-np.ones((3, 2)), np.ones(3), ValueError, "counts must not be negative"),
        (np.ones((3, 2)), -np.ones(3), ValueError, "gene_lengths must not be negative"),
        (np.ones((3, 2)), np.array([1, 0, 2]), ValueError, "have length 0"),
        (np.array([[1, 0], [2, 0]]), np.ones(2), ValueError, "zero library size"),
        (np.array([[1.0, np.nan], [2, 1]]), np.ones(2), ValueError, "counts contains NaN"),
        (np.ones((2, 2)), np.array([1.0, np.nan]), ValueError, "gene_lengths contains NaN"),
        (np.array([["a"]]), np.ones(1), TypeError, "counts must hold real numbers"),
        (np.ones((2, 2)), np.array(["a", "b"]), TypeError, "gene_lengths must hold real"),
    ],
)
def test_rpkm_rejects_bad_input(counts, gene_lengths, error, message):
    with pytest.raises(error, match=message):
        rpkm(counts, gene_lengths)


def test_zero_library_size_error_names_the_sample():
    counts = np.array([[1, 0, 3], [2, 0, 1]])
    with pytest.raises(ValueError, match=r"columns \[1\]"):
        rpkm(counts, np.ones(2))


# --- qnorm ------------------------------------------------------------------------------


def qnorm_oracle(x):
    """Slow, literal preprocessCore convention: average ranks, half ranks averaged."""
    x = np.asarray(x, dtype=np.float64)
    target = np.sort(x, axis=0).mean(axis=1)
    result = np.empty_like(x)
    for j in range(x.shape[1]):
        for i, rank in enumerate(rankdata(x[:, j], method="average")):
            lower, upper = int(np.floor(rank)) - 1, int(np.ceil(rank)) - 1
            result[i, j] = (target[lower] + target[upper]) / 2
    return result


def test_qnorm_reproduces_wikipedia_worked_example():
    x = np.array([[5, 4, 3], [2, 1, 4], [3, 4, 6], [4, 2, 8]])
    # Targets: mean of sorted columns = 2, 3, 14/3, 17/3; column B ties (4, 4)
    # at ranks 3 and 4 get (14/3 + 17/3) / 2 = 31/6 (5.17 in the article).
    expected = np.array(
        [[17 / 3, 31 / 6, 2], [2, 2, 3], [3, 31 / 6, 14 / 3], [14 / 3, 3, 17 / 3]]
    )
    np.testing.assert_allclose(qnorm(x), expected, rtol=1e-15)
    published = [[5.67, 5.17, 2.00], [2.00, 2.00, 3.00], [3.00, 5.17, 4.67], [4.67, 3.00, 5.67]]
    assert np.round(qnorm(x), 2).tolist() == published


def test_qnorm_does_not_truncate_even_tie_blocks():
    # a tie block of two at ranks 1 and 2: the average rank 1.5 must give the
    # mean of the first two targets, not the first one
    x = np.array([[1, 1], [1, 2], [3, 3]])
    target = np.array([1.0, 1.5, 3.0])
    assert qnorm(x)[:, 0].tolist() == [(target[0] + target[1]) / 2] * 2 + [3.0]


@settings(max_examples=80, deadline=None)
@given(hnp.arrays(np.int8, small_shapes, elements=st.integers(-3, 3)))
def test_qnorm_matches_the_literal_convention_with_many_ties(x):
    np.testing.assert_allclose(qnorm(x), qnorm_oracle(x), rtol=1e-12, atol=1e-12)


distinct_columns = hnp.arrays(
    np.float64,
    small_shapes,
    elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
    unique=True,
)


@given(distinct_columns)
def test_qnorm_without_ties_gives_columns_one_distribution(x):
    result = qnorm(x)
    sorted_result = np.sort(result, axis=0)
    expected_target = np.sort(x, axis=0).mean(axis=1)
    for column in sorted_result.T:
        np.testing.assert_allclose(column, expected_target, rtol=1e-12, atol=1e-9)


@given(distinct_columns)
def test_qnorm_preserves_order_within_columns(x):
    result = qnorm(x)
    for j in range(x.shape[1]):
        assert np.argsort(result[:, j], kind="stable").tolist() == np.argsort(
            x[:, j], kind="stable"
        ).tolist()


@given(hnp.arrays(np.float64, small_shapes, elements=st.sampled_from([0.0, 0.5, 1.5, 7.0])))
def test_qnorm_maps_equal_values_in_a_column_to_equal_values(x):
    result = qnorm(x)
    for j in range(x.shape[1]):
        for value in np.unique(x[:, j]):
            assert np.unique(result[x[:, j] == value, j]).size == 1


def test_qnorm_agrees_with_the_qnorm_package_without_ties():
    peer = pytest.importorskip("qnorm")
    x = np.random.default_rng(3).random((300, 7))
    np.testing.assert_allclose(qnorm(x), peer.quantile_normalize(x, axis=1), rtol=1e-12)


def test_qnorm_accepts_c_and_fortran_order_alike():
    x = np.random.default_rng(4).integers(0, 5, size=(50, 6))
    np.testing.assert_array_equal(qnorm(x), qnorm(np.asfortranarray(x)))
    assert qnorm(x).dtype == np.float64


@pytest.mark.parametrize(
    ("x", "error", "message"),
    [
        (np.ones(3), ValueError, "x must be a 2-D array"),
        (np.ones((0, 3)), ValueError, "x is empty"),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), ValueError, "NaN.*does not support"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), ValueError, "infinite"),
        (np.array([[1.0, -np.inf], [2.0, 3.0]]), ValueError, "infinite"),
        (np.array([["a", "b"]]), TypeError, "must hold real numbers"),
        (np.ones((2, 2), dtype=bool), TypeError, "must hold real numbers"),
        (np.ones((2, 2), dtype=complex), TypeError, "must hold real numbers"),
    ],
)
def test_qnorm_rejects_bad_input(x, error, message):
    with pytest.raises(error, match=message):
        qnorm(x)


def test_qnorm_gives_identical_results_for_any_number_of_threads():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 30, size=(400, 70)).astype(np.float64)  # many ties, several blocks
    x[:, 3] = rng.random(400)  # and a column without ties
    one_thread = qnorm(x, workers=1)
    np.testing.assert_array_equal(one_thread, qnorm(x, workers=2))
    np.testing.assert_array_equal(one_thread, qnorm(x, workers=7))
    np.testing.assert_allclose(one_thread, qnorm_oracle(x), rtol=1e-12)


def test_qnorm_reports_nan_found_by_a_worker_thread():
    x = np.random.default_rng(6).random((30, 50))
    x[7, 41] = np.nan
    with pytest.raises(ValueError, match=r"NaN \(column 41\)"):
        qnorm(x, workers=2)


def test_qnorm_rejects_zero_workers():
    with pytest.raises(ValueError, match="workers must be at least 1"):
        qnorm(np.ones((2, 2)), workers=0)

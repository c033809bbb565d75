"""Tests of genenorm_edu.density: the binned KDE agrees with scipy's gaussian_kde."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from genenorm_edu import binned_kde, density
from genenorm_edu.density import ColumnDensities, bandwidth_factor, column_densities

#: The promise: within this fraction of each curve's peak of scipy's curve.
TOLERANCE = 0.01
#: What the method gives (about a thousandth, by construction): tested too, so that a
#: coarser grid that still passes the promise does not slip in unnoticed.
METHOD_TOLERANCE = 0.002

N = 4000


class _Exact(np.ndarray):
    """scipy's curves, one row per column, carrying each column's peak density."""

    peaks: np.ndarray


def _scipy_curves(data: np.ndarray, points: np.ndarray, bw_method="scott") -> _Exact:
    """scipy's curves at ``points``; ``.peaks``: each density's height at its highest value point.

    The peak is read at the points and at the column's own values (a density
    peaks at or near its data), so that points that miss a narrow peak do not
    shrink the yardstick to a tail value.
    """
    kdes = [stats.gaussian_kde(column, bw_method=bw_method) for column in np.asarray(data).T]
    curves = np.array([kde(points) for kde in kdes]).view(_Exact)
    curves.peaks = np.array([max(kde(points).max(), kde(column).max())
                             for kde, column in zip(kdes, np.asarray(data, dtype=np.float64).T)])
    return curves


def _worst_error(estimate: np.ndarray, exact: _Exact) -> float:
    """Largest |difference| of each curve, as a fraction of that column's peak; worst curve."""
    return float((np.abs(estimate - exact).max(axis=1) / exact.peaks).max())


def _distributions() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20)
    counts = rng.poisson(rng.gamma(0.6, 30, size=(N, 1)), size=(N, 3))
    return {
        "normal": rng.normal(size=(N, 3)),
        "skewed (lognormal)": rng.lognormal(sigma=1.0, size=(N, 3)),
        "bimodal": np.concatenate([rng.normal(0, 1, (N // 2, 3)), rng.normal(7, 0.4, (N // 2, 3))]),
        "many ties (5 integers)": rng.integers(0, 5, size=(N, 3)).astype(float),
        "integer-valued log counts": np.log(counts + 1.0),
        "raw counts": counts.astype(float),
        "heavy tail (Cauchy)": rng.standard_cauchy(size=(N, 3)),
        "few values": rng.normal(size=(7, 3)),
    }


DISTRIBUTIONS = _distributions()


@pytest.mark.parametrize("name", list(DISTRIBUTIONS))
@pytest.mark.parametrize("bw_method", ["scott", "silverman", 0.05, 0.6])
def test_curves_match_scipy_within_a_percent_of_the_peak(name, bw_method):
    data = DISTRIBUTIONS[name]
    points = np.linspace(data.min() - 1, data.max() + 1, 150)
    estimate = column_densities(data, points, bw_method)
    exact = _scipy_curves(data, points, bw_method)
    error = _worst_error(estimate.densities, exact)
    assert error < TOLERANCE
    assert error < METHOD_TOLERANCE


@pytest.mark.parametrize("bw_method", ["scott", "silverman", 0.3])
def test_bandwidths_are_scipys(bw_method):
    data = DISTRIBUTIONS["skewed (lognormal)"]
    estimate = column_densities(data, 10, bw_method)
    for column, bandwidth in zip(data.T, estimate.bandwidths):
        kde = stats.gaussian_kde(column, bw_method=bw_method)
        assert bandwidth == pytest.approx(float(np.sqrt(kde.covariance[0, 0])), rel=1e-9)


def test_the_bandwidth_changes_the_curve():
    """A wrong bandwidth would be caught: Scott's and a narrow one differ by more than the tolerance."""
    data = DISTRIBUTIONS["bimodal"]
    points = np.linspace(-4, 10, 100)
    scott = column_densities(data, points).densities
    narrow = _scipy_curves(data, points, 0.05)
    assert _worst_error(scott, narrow) > 10 * TOLERANCE


@pytest.mark.parametrize(
    "layout",
    ["fortran", "c", "every other row and third column", "reversed columns", "float32", "uint32", "int16"],
)
def test_any_layout_and_dtype_gives_scipys_curves(layout):
    rng = np.random.default_rng(3)
    counts = rng.poisson(rng.gamma(0.8, 20, size=(3000, 1)), size=(3000, 12))
    base = np.log(counts + 1.0)
    data = {
        "fortran": np.asfortranarray(base),
        "c": np.ascontiguousarray(base),
        "every other row and third column": np.asfortranarray(base)[::2, ::3],
        "reversed columns": base[:, ::-1],
        "float32": base.astype(np.float32),
        "uint32": counts.astype(np.uint32),
        "int16": counts.astype(np.int16),
    }[layout]
    points = np.linspace(float(data.min()), float(data.max()), 80)
    estimate = column_densities(data, points)
    exact = _scipy_curves(np.asarray(data, dtype=np.float64), points)
    assert _worst_error(estimate.densities, exact) < METHOD_TOLERANCE


def test_blocks_and_workers_do_not_change_the_result(monkeypatch):
    rng = np.random.default_rng(5)
    data = rng.gamma(rng.uniform(0.5, 5, size=23), size=(500, 23))
    points = np.linspace(0, 20, 60)
    whole = column_densities(data, points, workers=1)
    monkeypatch.setattr(density, "BLOCK_VALUES", 1200)  # blocks of 2 columns
    for workers in (1, 3, 16):
        blocks = column_densities(data, points, workers=workers)
        # The same up to FFT round-off (a group's grid length depends on its columns).
        np.testing.assert_allclose(blocks.densities, whole.densities, rtol=0, atol=1e-10)
        np.testing.assert_array_equal(blocks.bandwidths, whole.bandwidths)


def test_a_column_too_narrow_for_a_grid_is_summed_exactly(monkeypatch):
    data = DISTRIBUTIONS["bimodal"]
    points = np.linspace(-4, 10, 100)
    monkeypatch.setattr(binned_kde, "MAX_BINS", 100)  # every column is "too wide" now
    estimate = column_densities(data, points)
    np.testing.assert_allclose(estimate.densities, np.asarray(_scipy_curves(data, points)),
                               rtol=1e-9, atol=1e-12)


def test_small_groups_of_long_grids(monkeypatch):
    """Columns whose grids do not fit together are smoothed in smaller groups, same curves."""
    data = DISTRIBUTIONS["heavy tail (Cauchy)"]
    points = np.linspace(-20, 20, 90)
    monkeypatch.setattr(binned_kde, "MAX_BLOCK_BINS", 1)
    estimate = column_densities(data, points)
    assert _worst_error(estimate.densities, _scipy_curves(data, points)) < METHOD_TOLERANCE


def test_points_far_from_the_data_have_density_zero_and_curves_integrate_to_one():
    data = DISTRIBUTIONS["normal"]
    far = column_densities(data, np.array([-1e6, 50.0, 1e6])).densities
    assert (far == 0).all()
    points = np.linspace(-8, 8, 2001)
    curves = column_densities(data, points).densities
    np.testing.assert_allclose(np.trapezoid(curves, points, axis=1) if hasattr(np, "trapezoid")
                               else np.trapz(curves, points, axis=1), 1.0, atol=1e-3)


def test_a_number_of_points_spans_the_data():
    data = DISTRIBUTIONS["raw counts"]
    estimate = column_densities(data, 7)
    assert isinstance(estimate, ColumnDensities)
    np.testing.assert_array_equal(estimate.points, np.linspace(data.min(), data.max(), 7))
    assert estimate.densities.shape == (3, 7)


def test_bandwidth_factor_rules():
    assert bandwidth_factor(100) == pytest.approx(100 ** -0.2)
    assert bandwidth_factor(100, "silverman") == pytest.approx(75 ** -0.2)
    kde = stats.gaussian_kde(np.arange(100.0), bw_method="silverman")
    assert bandwidth_factor(100, "silverman") == pytest.approx(kde.factor)
    assert bandwidth_factor(100, 2) == 2.0


@settings(max_examples=30, deadline=None)
@given(
    data=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=12),
        elements=st.integers(-10**6, 10**6).map(lambda value: value / 1000),
        unique=True,
    ),
    bw_method=st.sampled_from(["scott", "silverman", 0.2, 1.0]),
)
def test_any_matrix_of_distinct_values_matches_scipy(data, bw_method):
    points = np.linspace(data.min(), data.max(), 40)
    estimate = column_densities(data, points, bw_method)
    assert _worst_error(estimate.densities, _scipy_curves(data, points, bw_method)) < METHOD_TOLERANCE


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (np.arange(10.0), ValueError, "data must be a 2-D array .* got 1-D"),
        (np.zeros((0, 3)), ValueError, "data is empty"),
        (np.array([[1.0, 2.0, 3.0]]), ValueError, "at least 2 rows"),
        (np.array([["a", "b"], ["c", "d"]]), TypeError, "data must hold real numbers"),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), ValueError, r"data contains NaN \(1 value\(s\), first at index \(0, 1\)\)"),
        (np.array([[-np.inf, 0.0], [0.7, 1.1]]), ValueError, r"infinite values.*np.log\(counts \+ 1\)"),
        (np.array([[1.0, 5.0], [1.0, 6.0]]), ValueError, r"1 column\(s\) with a single repeated value \(columns 0\)"),
        (np.array([[0.0, 1.0], [1e-300, 2.0], [0.0, 3.0]]), ValueError, "column 0: its spread is too small"),
        (np.array([[1.0, -1e200], [2.0, 1e200]]), ValueError, "column 1: its values are too large"),
    ],
)
def test_bad_data_is_refused_with_a_clear_message(data, error, message):
    with pytest.raises(error, match=message):
        column_densities(data, 10)


def test_the_first_bad_column_is_named_whatever_the_blocks(monkeypatch):
    data = np.random.default_rng(0).normal(size=(50, 40))
    data[0, 37] = np.nan
    data[:, 38] = 1.0
    monkeypatch.setattr(density, "BLOCK_VALUES", 100)
    with pytest.raises(ValueError, match=r"NaN \(1 value\(s\), first at index \(0, 37\)\)"):
        column_densities(data, 10, workers=4)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"bw_method": "sheather"}, ValueError, "bw_method must be 'scott', 'silverman' or a positive number"),
        ({"bw_method": 0.0}, ValueError, "positive number, got 0.0"),
        ({"bw_method": -1}, ValueError, "positive number, got -1"),
        ({"bw_method": np.inf}, ValueError, "positive number"),
        ({"bw_method": True}, TypeError, "got bool"),
        ({"bw_method": [0.1]}, TypeError, "got list"),
        ({"bw_method": 1e-320}, ValueError, "bandwidth .* is too small to compute with"),
        ({"points": np.array([[0.0, 1.0]])}, ValueError, "points must be a 1-D array"),
        ({"points": np.array([0.0, np.nan])}, ValueError, "points contains NaN"),
        ({"points": np.array([])}, ValueError, "points is empty"),
        ({"points": ["a"]}, TypeError, "points must hold real numbers"),
        ({"points": 1}, ValueError, "points must be at least 2"),
        ({"workers": 0}, ValueError, "workers must be at least 1"),
        ({"workers": 2.5}, TypeError, "workers must be an integer, got float"),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, message):
    data = DISTRIBUTIONS["normal"]
    arguments = {"points": np.linspace(-3, 3, 5), **kwargs}
    with pytest.raises(error, match=message):
        column_densities(data, **arguments)

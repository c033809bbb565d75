"""Tests of genenorm_edu.plotting: plot_col_density and plot_density_heatmap."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from matplotlib.axes import Axes
import scipy.stats
from matplotlib.collections import LineCollection
from scipy.integrate import trapezoid

from genenorm_edu.plotting import plot_col_density, plot_density_heatmap


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def two_normal_columns() -> np.ndarray:
    rng = np.random.default_rng(42)
    return rng.normal(loc=[0.0, 6.0], scale=1.0, size=(2000, 2))


def _curves(ax: Axes) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (x, y) of each curve plot_col_density drew last on ``ax``."""
    collection = ax.collections[-1]
    assert isinstance(collection, LineCollection)
    return [(segment[:, 0], segment[:, 1]) for segment in collection.get_segments()]


def test_returns_a_new_axes_with_one_curve_per_column():
    data = np.random.default_rng(0).gamma(2.0, size=(300, 7))
    ax = plot_col_density(data)
    assert isinstance(ax, Axes)
    assert len(_curves(ax)) == 7
    assert ax.get_xlabel() == "log-counts"
    assert ax.get_ylabel() == "density"


def test_draws_on_the_given_axes_and_keeps_what_is_there():
    fig, (left, right) = plt.subplots(1, 2)
    left.plot([0, 1], [0, 1])
    data = np.random.default_rng(1).normal(size=(100, 3))
    returned = plot_col_density(data, ax=left)
    assert returned is left
    assert len(left.get_lines()) == 1 and len(_curves(left)) == 3
    assert len(right.get_lines()) == 0 and len(right.collections) == 0
    assert len(fig.axes) == 2


def test_grid_spans_the_data_by_default(two_normal_columns):
    ax = plot_col_density(two_normal_columns)
    for x, _ in _curves(ax):
        assert len(x) == 100
        assert x[0] == two_normal_columns.min()
        assert x[-1] == two_normal_columns.max()
        np.testing.assert_allclose(np.diff(x), np.diff(x)[0])
    # The axes show the curves (a collection does not set the limits by itself).
    low, high = ax.get_xlim()
    assert low <= two_normal_columns.min() and high >= two_normal_columns.max()
    assert ax.get_ylim()[1] >= max(y.max() for _, y in _curves(ax))


def test_xlim_sets_the_grid_and_the_axis(two_normal_columns):
    ax = plot_col_density(two_normal_columns, xlim=(-2, 3))
    assert ax.get_xlim() == (-2.0, 3.0)
    for x, _ in _curves(ax):
        assert (x[0], x[-1], len(x)) == (-2.0, 3.0, 100)


@pytest.mark.parametrize("bw_method", ["scott", "silverman", 0.1])
def test_curves_are_scipys_gaussian_kde(bw_method):
    rng = np.random.default_rng(8)
    data = np.log(rng.poisson(rng.gamma(0.7, 25, size=(3000, 1)), size=(3000, 5)) + 1.0)
    ax = plot_col_density(data, bw_method=bw_method)
    for (x, y), column in zip(_curves(ax), data.T):
        exact = scipy.stats.gaussian_kde(column, bw_method=bw_method)(x)
        assert np.abs(y - exact).max() < 0.01 * exact.max()


def test_curves_are_densities_peaking_at_each_column_centre(two_normal_columns):
    ax = plot_col_density(two_normal_columns, xlim=(-8, 14))
    for (x, y), centre in zip(_curves(ax), [0.0, 6.0]):
        assert (y >= 0).all()
        # A density integrates to 1 over a range holding all the mass.
        assert trapezoid(y, x) == pytest.approx(1.0, abs=0.01)
        assert abs(x[np.argmax(y)] - centre) < 0.5
        # Normal(centre, 1) has peak density 1/sqrt(2 pi) ~ 0.399.
        assert y.max() == pytest.approx(1 / np.sqrt(2 * np.pi), rel=0.15)


def test_labels_and_line_style_are_configurable(two_normal_columns):
    ax = plot_col_density(
        two_normal_columns, xlabel="log RPKM", ylabel="frequency", color="red", linewidth=3
    )
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("log RPKM", "frequency")
    curves = ax.collections[-1]
    np.testing.assert_array_equal(curves.get_colors(), [matplotlib.colors.to_rgba("red")])
    assert list(curves.get_linewidths()) == [3]


def test_without_a_colour_curves_take_the_colour_cycle_in_turn():
    data = np.random.default_rng(4).normal(size=(200, 12))
    colors = plot_col_density(data).collections[-1].get_colors()
    cycle = [matplotlib.colors.to_rgba(color) for color in plt.rcParams["axes.prop_cycle"].by_key()["color"]]
    assert len(colors) == 12
    for column, color in enumerate(colors):
        assert tuple(color) == cycle[column % len(cycle)]


def test_groups_colour_the_curves_and_are_named_in_a_legend():
    data = np.random.default_rng(6).normal(size=(200, 5))
    groups = ["tumour", "normal", "tumour", "normal", "metastasis"]
    ax = plot_col_density(data, groups=groups)
    colors = [tuple(color) for color in ax.collections[-1].get_colors()]
    assert colors[0] == colors[2] and colors[1] == colors[3]
    assert len({colors[0], colors[1], colors[4]}) == 3
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["tumour", "normal", "metastasis"]


def test_hundreds_of_columns_are_one_artist():
    data = np.random.default_rng(7).normal(size=(300, 375))
    ax = plot_col_density(data)
    assert len(ax.collections) == 1 and len(ax.get_lines()) == 0
    assert len(_curves(ax)) == 375


def test_integer_counts_are_accepted():
    counts = np.random.default_rng(3).poisson(20, size=(500, 4)).astype(np.uint32)
    ax = plot_col_density(np.log(counts + 1))
    assert len(_curves(ax)) == 4
    ax = plot_col_density(counts)
    assert len(_curves(ax)) == 4


def test_does_not_show_the_figure(monkeypatch, two_normal_columns):
    def refuse_show(*args, **kwargs):
        raise AssertionError("plot_col_density must not call plt.show()")

    monkeypatch.setattr(plt, "show", refuse_show)
    plot_col_density(two_normal_columns)


def _non_background_fraction(path) -> float:
    image = matplotlib.image.imread(path)[..., :3]
    background = image[0, 0]
    return float(np.mean(np.any(np.abs(image - background) > 0.05, axis=-1)))


def test_rendered_png_is_not_blank(tmp_path, two_normal_columns):
    ax = plot_col_density(two_normal_columns, xlim=(-4, 10))
    drawn = tmp_path / "density.png"
    ax.figure.savefig(drawn, dpi=60)

    empty_fig, empty_ax = plt.subplots()
    empty_ax.set_xlim(-4, 10)
    empty_ax.set_xlabel("log-counts")
    empty_ax.set_ylabel("density")
    empty = tmp_path / "empty.png"
    empty_fig.savefig(empty, dpi=60)

    image = matplotlib.image.imread(drawn)
    assert image.std() > 0.01
    # The curves add visible pixels over the same, empty axes.
    assert _non_background_fraction(drawn) > _non_background_fraction(empty) + 0.005
    # Line colours (not only black/grey axes) are present.
    rgb = image[..., :3]
    assert np.any(np.ptp(rgb, axis=-1) > 0.3)


def test_works_headless_in_a_fresh_process(tmp_path):
    script = textwrap.dedent(
        f"""
        import matplotlib
        import numpy as np
        from genenorm_edu.plotting import plot_col_density
        ax = plot_col_density(np.random.default_rng(0).normal(size=(50, 2)))
        ax.figure.savefig({str(tmp_path / "headless.png")!r})
        print(matplotlib.get_backend().lower())
        """
    )
    environment = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    environment.pop("DISPLAY", None)
    environment.pop("WAYLAND_DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "agg"
    assert (tmp_path / "headless.png").stat().st_size > 1000


def test_shows_inline_in_a_jupyter_kernel():
    """What a student sees: the figure appears under the cell, with no error.

    Matplotlib < 3.9 imports ``IPython.core.pylabtools.backend2gui``, which
    IPython 9 removed: in a kernel the plot is then silently missing (or
    raises ImportError under nbgrader).
    """
    import nbclient
    import nbformat

    cell = nbformat.v4.new_code_cell(
        "import numpy as np\n"
        "from genenorm_edu.plotting import plot_col_density\n"
        "ax = plot_col_density(np.random.default_rng(0).normal(size=(50, 2)))"
    )
    notebook = nbformat.v4.new_notebook(cells=[cell])
    client = nbclient.NotebookClient(
        notebook, kernel_name="python3", timeout=120, allow_errors=True
    )
    client.execute()
    outputs = notebook.cells[0].outputs
    assert [output for output in outputs if output.output_type == "error"] == []
    assert any("image/png" in output.get("data", {}) for output in outputs)


@settings(max_examples=25, deadline=None)
@given(
    data=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=12),
        # distinct values at least 1e-3 apart: a column like [0, 4e-190] is
        # "distinct" but has a variance that underflows, which is the
        # nearly-constant error case tested below, not a drawable density
        elements=st.integers(-10**6, 10**6).map(lambda value: value / 1000),
        unique=True,
    )
)
def test_any_matrix_of_distinct_values_gives_one_finite_curve_per_column(data):
    ax = plot_col_density(data)
    curves = _curves(ax)
    assert len(curves) == data.shape[1]
    for _, y in curves:
        assert np.isfinite(y).all() and (y >= 0).all()
    plt.close(ax.figure)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (np.arange(10.0), ValueError, "data must be a 2-D array .* got 1-D"),
        (np.zeros((2, 3, 4)), ValueError, "data must be a 2-D array .* got 3-D"),
        (np.zeros((0, 3)), ValueError, "data is empty"),
        (np.array([[1.0, 2.0, 3.0]]), ValueError, "at least 2 rows"),
        (np.array([["a", "b"], ["c", "d"]]), TypeError, "data must hold real numbers"),
        (np.array([[True, False], [False, True]]), TypeError, "data must hold real numbers"),
        (np.array([[1 + 1j, 2], [3, 4]]), TypeError, "data must hold real numbers"),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), ValueError, "data contains NaN"),
        (
            np.array([[-np.inf, 0.0], [0.7, 1.1]]),  # np.log of a zero count
            ValueError,
            r"data contains infinite values.*np.log\(counts \+ 1\)",
        ),
    ],
)
def test_bad_data_is_refused_with_a_clear_message(data, error, message):
    with pytest.raises(error, match=message):
        plot_col_density(data)


def test_constant_columns_are_named():
    data = np.random.default_rng(0).normal(size=(50, 4))
    data[:, 1] = 3.0
    data[:, 3] = 0.0
    expected = r"2 column\(s\) with a single repeated value \(columns 1, 3\)"
    with pytest.raises(ValueError, match=expected):
        plot_col_density(data)


def test_a_column_with_vanishing_spread_gives_a_clear_error():
    data = np.array([[0.0, 1.0], [1e-300, 2.0], [0.0, 3.0]])
    with pytest.raises(ValueError, match="cannot estimate the density of column 0"):
        plot_col_density(data)


def test_no_figure_is_left_behind_by_bad_input():
    before = plt.get_fignums()
    with pytest.raises(ValueError):
        plot_col_density(np.ones((5, 2)))
    assert plt.get_fignums() == before


@pytest.mark.parametrize(
    ("xlim", "error", "message"),
    [
        ((0, 1, 2), ValueError, "xlim must be two numbers"),
        ((5,), ValueError, "xlim must be two numbers"),
        (("a", "b"), TypeError, "xlim must be two numbers"),
        ((3, 3), ValueError, "low < high"),
        ((4, 1), ValueError, "low < high"),
        ((0, np.inf), ValueError, "xlim must be finite"),
        ((np.nan, 1), ValueError, "xlim must be finite"),
    ],
)
def test_bad_xlim_is_refused(xlim, error, message, two_normal_columns):
    with pytest.raises(error, match=message):
        plot_col_density(two_normal_columns, xlim=xlim)


def test_ax_must_be_an_axes(two_normal_columns):
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes, got Figure"):
        plot_col_density(two_normal_columns, ax=plt.figure())


def test_no_figure_is_left_behind_when_estimation_fails():
    before = plt.get_fignums()
    with pytest.raises(ValueError, match="cannot estimate"):
        plot_col_density(np.array([[0.0, 1.0], [1e-300, 2.0], [0.0, 3.0]]))
    assert plt.get_fignums() == before


def test_a_column_whose_spread_underflows_gets_a_clear_error():
    # found by hypothesis: distinct values, but a variance that underflows to 0
    data = np.array([[0.0, 1.0], [4.15e-190, 2.0]])
    with pytest.raises(ValueError, match="column 0: its spread is too small"):
        plot_col_density(data)


def test_tick_labels_are_readable(two_normal_columns):
    ax = plot_col_density(two_normal_columns)
    assert all(label.get_fontsize() >= 10 for label in ax.get_xticklabels() + ax.get_yticklabels())


def test_under_the_grader_the_curves_are_the_same_densities(monkeypatch, two_normal_columns):
    """No grading-mode shortcut: the densities are cheap enough to be the real ones."""
    usual = [y for _, y in _curves(plot_col_density(two_normal_columns))]
    monkeypatch.setenv("GENENORM_EDU_GRADING", "1")
    graded = plot_col_density(two_normal_columns)
    for (_, y), expected in zip(_curves(graded), usual):
        np.testing.assert_array_equal(y, expected)
    assert len(graded.texts) == 0


def test_bad_groups_are_refused(two_normal_columns):
    with pytest.raises(ValueError, match=r"groups must give one label per column of data \(2\)"):
        plot_col_density(two_normal_columns, groups=["a", "b", "c"])
    with pytest.raises(ValueError, match="one label per column"):
        plot_density_heatmap(two_normal_columns, groups="ab")


# --------------------------------------------------------------------------
# The heat map
# --------------------------------------------------------------------------


@pytest.fixture
def shifted_columns() -> np.ndarray:
    """30 columns whose centres rise from 0 to 6, column after column."""
    rng = np.random.default_rng(9)
    return rng.normal(loc=np.linspace(0.0, 6.0, 30), size=(1500, 30))


def test_heatmap_rows_are_the_columns_densities(shifted_columns):
    ax = plot_density_heatmap(shifted_columns, xlim=(-4, 10))
    image = ax.images[0]
    rows = np.asarray(image.get_array())
    assert rows.shape == (30, 200)
    points = np.linspace(-4, 10, 200)
    for row, column in zip(rows, shifted_columns.T):
        exact = scipy.stats.gaussian_kde(column)(points)
        assert np.abs(row - exact).max() < 0.01 * exact.max()
    # Each row is bright where its column is: the brightest point moves right row by row.
    peaks = points[np.argmax(rows, axis=1)]
    assert np.all(np.abs(peaks - np.linspace(0.0, 6.0, 30)) < 0.6)
    # Row 0 at the top, values along x, with the axis labels and a colour bar.
    assert image.get_extent() == [-4.0, 10.0, 29.5, -0.5]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("log-counts", "sample")
    assert len(ax.figure.axes) == 2 and ax.figure.axes[1].get_ylabel() == "density"


def test_heatmap_groups_sort_the_rows_and_show_a_strip_and_a_legend(shifted_columns):
    groups = np.where(np.arange(30) % 3 == 0, "normal", "tumour")
    ax = plot_density_heatmap(shifted_columns, groups=groups, xlabel="value")
    rows = np.asarray(ax.images[0].get_array())
    usual = np.asarray(plot_density_heatmap(shifted_columns).images[0].get_array())
    order = np.r_[np.flatnonzero(groups == "normal"), np.flatnonzero(groups == "tumour")]
    np.testing.assert_array_equal(rows, usual[order])
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["normal", "tumour"]
    strip = ax.child_axes[0]
    colors = np.asarray(strip.images[0].get_array())[:, 0, :]
    assert len({tuple(color) for color in colors[:10]}) == 1
    assert tuple(colors[0]) != tuple(colors[10])
    assert [line.get_ydata()[0] for line in ax.get_lines()] == [9.5]  # one separator


def test_heatmap_vmax_and_options(shifted_columns):
    fig, ax = plt.subplots()
    returned = plot_density_heatmap(shifted_columns, ax=ax, vmax=0.2, cmap="magma", colorbar=False)
    assert returned is ax
    assert ax.images[0].get_clim() == (0.0, 0.2)
    assert ax.images[0].get_cmap().name == "magma"
    assert len(fig.axes) == 1
    for bad in (0, -1.0, np.nan, "high"):
        with pytest.raises(ValueError, match="vmax must be a positive number"):
            plot_density_heatmap(shifted_columns, vmax=bad)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (np.arange(10.0), "2-D"),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), "NaN"),
        (np.ones((5, 2)), "single repeated value"),
    ],
)
def test_heatmap_bad_data_is_refused_and_leaves_no_figure(data, message):
    before = plt.get_fignums()
    with pytest.raises(ValueError, match=message):
        plot_density_heatmap(data)
    assert plt.get_fignums() == before


def test_heatmap_renders(tmp_path, shifted_columns):
    ax = plot_density_heatmap(shifted_columns, groups=["a"] * 15 + ["b"] * 15)
    path = tmp_path / "heatmap.png"
    ax.figure.savefig(path, dpi=60)
    image = matplotlib.image.imread(path)[..., :3]
    assert np.ptp(image.reshape(-1, 3), axis=0).max() > 0.5

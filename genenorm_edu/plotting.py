"""Plots used by the lessons.

- :func:`plot_col_density` -- one smoothed density curve per column of a
  matrix, to compare the distributions of samples before and after
  normalization;
- :func:`readable_log_ticks` -- plain numbers (200, 500, 1,000) on a
  logarithmic axis, instead of crowded powers of ten.

Under the grader (:func:`genenorm_edu.course.under_grading`), which runs
each notebook once per student and looks at no figure, the curves are
histograms instead of kernel density estimates (a hundredth of the time),
and the plot says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from numpy.typing import ArrayLike

from genenorm_edu._checks import as_numeric_array, check_finite, check_ndim, check_not_empty
from genenorm_edu.course import under_grading

__all__ = ["plot_col_density", "readable_log_ticks"]

#: Number of points at which each density curve is evaluated.
N_GRID_POINTS = 100
#: Bins of the histograms drawn in place of the curves under the grader.
N_GRADING_BINS = 30
#: Size of tick labels, readable on a projector.
TICK_LABEL_SIZE = 11


def _check_xlim(xlim: Sequence[float]) -> tuple[float, float]:
    """Return ``xlim`` as two finite floats ``(low, high)`` with ``low < high``."""
    limits = np.asarray(xlim)
    if limits.dtype.kind not in "iuf":
        raise TypeError(f"xlim must be two numbers (low, high), got {xlim!r}")
    if limits.shape != (2,):
        raise ValueError(f"xlim must be two numbers (low, high), got {xlim!r}")
    low, high = float(limits[0]), float(limits[1])
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"xlim must be finite, got {xlim!r}")
    if low >= high:
        raise ValueError(f"xlim must satisfy low < high, got {xlim!r}")
    return low, high


def _check_columns(data: ArrayLike) -> np.ndarray:
    """Validate a 2-D matrix whose columns each get a density estimate."""
    data = as_numeric_array(data, "data")
    check_ndim(data, 2, "data", "(observations, columns)")
    check_not_empty(data, "data")
    check_finite(
        data,
        "data",
        hint="for counts, plot np.log(counts + 1): log(0) is -inf",
    )
    if data.shape[0] < 2:
        raise ValueError(
            f"data needs at least 2 rows to estimate a density, got shape {data.shape}"
        )
    constant = np.flatnonzero(np.ptp(data, axis=0) == 0)
    if constant.size:
        shown = ", ".join(str(int(column)) for column in constant[:10])
        more = ", ..." if constant.size > 10 else ""
        raise ValueError(
            f"data has {constant.size} column(s) with a single repeated value "
            f"(columns {shown}{more}); a density cannot be estimated for a constant "
            "column -- drop those columns first"
        )
    return data


def _density_curve(column: np.ndarray, grid: np.ndarray, index: int) -> np.ndarray:
    """Gaussian kernel density estimate of ``column`` evaluated on ``grid``."""
    try:
        from scipy import stats  # seconds to import: only where a density is estimated

        density = stats.gaussian_kde(column)
    except np.linalg.LinAlgError as error:
        raise ValueError(
            f"cannot estimate the density of column {index}: its spread is too "
            f"small (standard deviation {column.std():.3g})"
        ) from error
    return density(grid)


def _histogram_curve(column: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """A histogram of ``column`` (as a density) read off at the points of ``grid``."""
    heights, edges = np.histogram(column, bins=N_GRADING_BINS, range=(grid[0], grid[-1]), density=True)
    bin_of_point = np.clip(np.searchsorted(edges, grid, side="right") - 1, 0, N_GRADING_BINS - 1)
    return heights[bin_of_point]


def plot_col_density(
    data: ArrayLike,
    xlim: Sequence[float] | None = None,
    ax: Axes | None = None,
    *,
    xlabel: str = "log-counts",
    ylabel: str = "density",
    **kwargs,
) -> Axes:
    """Plot one Gaussian kernel density estimate per column of ``data``.

    Each column is smoothed with :class:`scipy.stats.gaussian_kde` (Scott's
    bandwidth) and drawn as a line over 100 evenly spaced points between the
    limits. Nothing is shown: display or save the returned Axes' figure, or
    let Jupyter display it. Under the grader, each line is a histogram of
    the column instead (30 bins), and a note in the corner says so.

    Parameters
    ----------
    data : array_like, shape (n_observations, n_columns)
        Finite real numbers, e.g. ``np.log(counts + 1)`` with one column per
        sample. Every column needs at least two distinct values.
    xlim : (float, float), optional
        Range of the curves and of the x axis. Default: the smallest and
        largest value of ``data``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. Default: a new figure (``plt.subplots()``).
    xlabel, ylabel : str
        Axis labels.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for every curve
        (``color``, ``alpha``, ``linewidth``, ...).

    Returns
    -------
    ax : matplotlib.axes.Axes
        The Axes holding one line per column, in column order.

    Raises
    ------
    TypeError
        If ``data`` is not numeric, ``xlim`` is not numeric, or ``ax`` is not
        a matplotlib Axes.
    ValueError
        If ``data`` is not 2-D, is empty, has fewer than 2 rows, holds NaN or
        infinite values, or has a constant column; if ``xlim`` is not two
        finite numbers with ``low < high``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> samples = rng.normal(loc=[0.0, 1.0, 2.0], size=(200, 3))
    >>> ax = plot_col_density(samples, xlim=(-4, 6), alpha=0.8)
    >>> len(ax.get_lines())
    3
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('log-counts', 'density')
    >>> plt.close(ax.figure)
    """
    data = _check_columns(data)
    if xlim is None:
        low, high = float(data.min()), float(data.max())
    else:
        low, high = _check_xlim(xlim)
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")

    # Estimate every density before drawing, so that bad input leaves no
    # half-drawn figure behind.
    grid = np.linspace(low, high, N_GRID_POINTS)
    quick = under_grading()
    if quick:
        curves = [_histogram_curve(column, grid) for column in data.T]
    else:
        curves = [_density_curve(column, grid, index) for index, column in enumerate(data.T)]

    if ax is None:
        _, ax = plt.subplots()
    for curve in curves:
        ax.plot(grid, curve, **kwargs)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.tick_params(labelsize=TICK_LABEL_SIZE)
    if quick:
        ax.text(0.99, 0.98, "grading run: histograms, not smoothed densities",
                transform=ax.transAxes, ha="right", va="top", fontsize=8, color="#555555")
    if xlim is not None:
        ax.set_xlim(low, high)
    return ax


def _plain_number(value: float, _position: int | None = None) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def readable_log_ticks(axis: Axis) -> None:
    """Label a logarithmic axis with plain numbers at 1, 2 and 5 times powers of ten.

    Matplotlib labels a log axis spanning less than a decade or two with
    powers of ten on its minor ticks too (``2 x 10^2``, ``3 x 10^2``...),
    which overlap; this keeps a few labels, written as ordinary numbers.

    Parameters
    ----------
    axis : matplotlib.axis.Axis
        ``ax.xaxis`` or ``ax.yaxis`` of an Axes with a log scale on it.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> ax.loglog([150, 1500], [150, 1500])  # doctest: +ELLIPSIS
    [...]
    >>> readable_log_ticks(ax.xaxis)
    >>> ax.xaxis.get_major_formatter()(2000, 0), ax.xaxis.get_minor_formatter()(300, 0)
    ('2,000', '')
    >>> plt.close(fig)
    """
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(_plain_number))
    axis.set_minor_formatter(NullFormatter())

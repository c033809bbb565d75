"""Plots used by the lessons.

- :func:`plot_col_density` -- one smoothed density curve per column of a
  matrix, to compare the distributions of samples before and after
  normalization.

Grading does not look at plots: while a notebook is being autograded (the
grading kernel sets ``GENENORM_EDU_GRADING=1``, see
:mod:`genenorm_edu.grading.kernel`), the densities are not estimated and
nothing is drawn, which saves about a second per lesson notebook.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from genenorm_edu._checks import as_numeric_array, check_finite, check_ndim, check_not_empty

__all__ = ["plot_col_density"]

#: Number of points at which each density curve is evaluated.
N_GRID_POINTS = 100

#: Set to "1" in the kernel that runs a notebook for grading.
GRADING_ENV = "GENENORM_EDU_GRADING"


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
    from scipy import stats  # here: importing scipy.stats costs a kernel about a second

    try:
        density = stats.gaussian_kde(column)
    except np.linalg.LinAlgError as error:
        raise ValueError(
            f"cannot estimate the density of column {index}: its spread is too "
            f"small (standard deviation {column.std():.3g})"
        ) from error
    return density(grid)


def _labelled(ax: Axes, xlabel: str, ylabel: str) -> Axes:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


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
    let Jupyter display it.

    While a notebook is being graded (``GENENORM_EDU_GRADING=1``), the input
    is checked as always but no density is estimated and no line drawn: the
    Axes comes back with its labels only, on a new figure that is never
    displayed when ``ax`` is not given.

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

    if os.environ.get(GRADING_ENV) == "1":
        return _labelled(ax if ax is not None else Figure().add_subplot(), xlabel, ylabel)

    # Estimate every density before drawing, so that bad input leaves no
    # half-drawn figure behind.
    grid = np.linspace(low, high, N_GRID_POINTS)
    curves = [_density_curve(column, grid, index) for index, column in enumerate(data.T)]

    if ax is None:
        _, ax = plt.subplots()
    for curve in curves:
        ax.plot(grid, curve, **kwargs)
    _labelled(ax, xlabel, ylabel)
    if xlim is not None:
        ax.set_xlim(low, high)
    return ax

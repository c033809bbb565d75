"""Plots used by the lessons.

- :func:`plot_col_density` -- one smoothed density curve per column of a
  matrix, to compare the distributions of samples before and after
  normalization;
- :func:`plot_density_heatmap` -- the same densities as a samples x values
  heat map, one row per column: readable with hundreds of samples, where
  hundreds of curves become a tangle;
- :func:`readable_log_ticks` -- plain numbers (200, 500, 1,000) on a
  logarithmic axis, instead of crowded powers of ten.

The densities are Gaussian kernel density estimates computed for all the
columns at once (:mod:`genenorm_edu.density`): every sample of a 20,500 x 375
matrix in a fraction of a second, the same curves as
:class:`scipy.stats.gaussian_kde` to within about a thousandth of their peaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from numpy.typing import ArrayLike

from genenorm_edu.density import ColumnDensities, check_columns, column_densities

__all__ = ["plot_col_density", "plot_density_heatmap", "readable_log_ticks"]

#: Number of points at which each density curve is evaluated.
N_GRID_POINTS = 100
#: Number of points along the value axis of a heat map.
N_HEATMAP_POINTS = 200
#: Size of tick labels, readable on a projector.
TICK_LABEL_SIZE = 11
#: Colours of sample groups (seaborn's palette readable with colour blindness).
GROUP_PALETTE = "colorblind"
#: Width of the strip of group colours left of a heat map, in Axes widths.
GROUP_STRIP_WIDTH = 0.035


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


@dataclass(frozen=True)
class SampleGroups:
    """Which group each column belongs to, and the group's colour.

    Attributes
    ----------
    labels : list of str
        The distinct groups, in order of first appearance.
    codes : ndarray of int, shape (n_columns,)
        ``labels[codes[j]]`` is the group of column ``j``.
    colors : list of RGB tuples
        ``colors[i]`` is the colour of ``labels[i]``.
    """

    labels: list[str]
    codes: np.ndarray
    colors: list[tuple[float, float, float]]


def _sample_groups(groups: ArrayLike, n_columns: int) -> SampleGroups:
    values = np.asarray(groups, dtype=object)
    if values.shape != (n_columns,):
        raise ValueError(
            f"groups must give one label per column of data ({n_columns}), got shape {values.shape}"
        )
    texts = [str(value) for value in values]
    labels = list(dict.fromkeys(texts))
    codes = np.array([labels.index(text) for text in texts]) if n_columns else np.zeros(0, int)
    import seaborn as sns  # a second to import: only where groups are coloured

    colors = [tuple(color) for color in sns.color_palette(GROUP_PALETTE, len(labels))]
    return SampleGroups(labels=labels, codes=codes, colors=colors)


def _estimate(data: ArrayLike, xlim: Sequence[float] | None, n_points: int,
              bw_method: str | float) -> ColumnDensities:
    """Validate, then estimate every density (before anything is drawn)."""
    data = check_columns(data, read_values=False)  # column_densities reads them
    points = n_points if xlim is None else np.linspace(*_check_xlim(xlim), n_points)
    return column_densities(data, points, bw_method)


def _check_ax(ax: Axes | None) -> None:
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")


def plot_col_density(
    data: ArrayLike,
    xlim: Sequence[float] | None = None,
    ax: Axes | None = None,
    *,
    bw_method: str | float = "scott",
    groups: ArrayLike | None = None,
    xlabel: str = "log-counts",
    ylabel: str = "density",
    **kwargs,
) -> Axes:
    """Plot one Gaussian kernel density estimate per column of ``data``.

    Each column is smoothed with a Gaussian kernel, the curves of
    :class:`scipy.stats.gaussian_kde` (:func:`genenorm_edu.density.column_densities`),
    and drawn over 100 evenly spaced points between the limits. All the curves
    are one :class:`~matplotlib.collections.LineCollection` (the last of
    ``ax.collections``), so hundreds of samples draw in a blink. Nothing is
    shown: display or save the returned Axes' figure, or let Jupyter display it.

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
    bw_method : {"scott", "silverman"} or float
        Bandwidth rule, as in :class:`scipy.stats.gaussian_kde`.
    groups : array_like of labels, shape (n_columns,), optional
        A group per column (tissue, batch...): curves are coloured by group
        and a legend names the groups.
    xlabel, ylabel : str
        Axis labels.
    **kwargs
        Passed to the :class:`~matplotlib.collections.LineCollection`
        (``color``, ``alpha``, ``linewidth``, ``linestyle``, ``label``...).
        Without ``color`` (or ``groups``), the curves take the colours of the
        Axes' colour cycle in turn, as ``plt.plot`` would.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The Axes; ``ax.collections[-1]`` holds one curve per column, in column order.

    Raises
    ------
    TypeError
        If ``data`` is not numeric, ``xlim`` is not numeric, or ``ax`` is not
        a matplotlib Axes.
    ValueError
        If ``data`` is not 2-D, is empty, has fewer than 2 rows, holds NaN or
        infinite values, or has a constant column; if ``xlim`` is not two
        finite numbers with ``low < high``; if ``groups`` does not have one
        label per column.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> samples = rng.normal(loc=[0.0, 1.0, 2.0], size=(200, 3))
    >>> ax = plot_col_density(samples, xlim=(-4, 6), alpha=0.8)
    >>> curves = ax.collections[-1]
    >>> len(curves.get_segments())
    3
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('log-counts', 'density')
    >>> plt.close(ax.figure)
    """
    _check_ax(ax)
    estimate = _estimate(data, xlim, N_GRID_POINTS, bw_method)
    n_columns = estimate.densities.shape[0]
    sample_groups = None if groups is None else _sample_groups(groups, n_columns)

    if ax is None:
        _, ax = plt.subplots()
    x = np.broadcast_to(estimate.points, estimate.densities.shape)
    curves = LineCollection(np.stack([x, estimate.densities], axis=-1), **kwargs)
    if sample_groups is not None:
        curves.set_color([sample_groups.colors[code] for code in sample_groups.codes])
    elif not {"color", "colors", "c"} & kwargs.keys():
        cycle = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
        curves.set_color([cycle[column % len(cycle)] for column in range(n_columns)])
    ax.add_collection(curves)
    ax.autoscale_view()
    if sample_groups is not None:
        handles = [Line2D([], [], color=color, label=label)
                   for label, color in zip(sample_groups.labels, sample_groups.colors)]
        ax.legend(handles=handles, title="group", fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.tick_params(labelsize=TICK_LABEL_SIZE)
    if xlim is not None:
        ax.set_xlim(estimate.points[0], estimate.points[-1])
    return ax


def plot_density_heatmap(
    data: ArrayLike,
    xlim: Sequence[float] | None = None,
    ax: Axes | None = None,
    *,
    bw_method: str | float = "scott",
    groups: ArrayLike | None = None,
    vmax: float | None = None,
    cmap: str = "viridis",
    colorbar: bool = True,
    xlabel: str = "log-counts",
    ylabel: str = "sample",
) -> Axes:
    """Draw the density of every column of ``data`` as one row of a heat map.

    Row ``j`` is the Gaussian kernel density estimate of column ``j`` (as in
    :func:`plot_col_density`), its height shown as a colour along the value
    axis: a bright band is where a sample has many values. Samples with the
    same distribution have the same row, so hundreds of samples stay
    readable: shifts, spikes and outliers show as steps, stripes and odd rows.

    Parameters
    ----------
    data : array_like, shape (n_observations, n_columns)
        Finite real numbers, one column per sample; every column needs at
        least two distinct values.
    xlim : (float, float), optional
        Range of the value axis. Default: the smallest and largest value.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. Default: a new figure (``plt.subplots()``).
    bw_method : {"scott", "silverman"} or float
        Bandwidth rule, as in :class:`scipy.stats.gaussian_kde`.
    groups : array_like of labels, shape (n_columns,), optional
        A group per column: rows are sorted by group (keeping the column
        order within a group), a strip left of the heat map shows each row's
        group colour, a legend names the groups and lines separate them.
    vmax : float, optional
        Density shown in the brightest colour (default: the largest one);
        give two heat maps the same ``vmax`` to compare them.
    cmap : str
        Matplotlib colour map.
    colorbar : bool
        Whether to add a colour bar labelled "density".
    xlabel, ylabel : str
        Axis labels.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The heat map's Axes; ``ax.images[0]`` is the image, one row per column
        of ``data`` (in group order when ``groups`` is given).

    Raises
    ------
    TypeError
        If ``data`` or ``xlim`` is not numeric, or ``ax`` is not an Axes.
    ValueError
        For the bad ``data`` and ``xlim`` of :func:`plot_col_density`; if
        ``groups`` does not have one label per column; if ``vmax`` is not a
        positive number.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> samples = rng.normal(loc=np.linspace(0, 3, 40), size=(500, 40))
    >>> ax = plot_density_heatmap(samples, groups=["a"] * 20 + ["b"] * 20)
    >>> ax.images[0].get_array().shape
    (40, 200)
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['a', 'b']
    >>> plt.close(ax.figure)
    """
    _check_ax(ax)
    if vmax is not None and not (isinstance(vmax, Real) and not isinstance(vmax, bool)
                                 and np.isfinite(vmax) and vmax > 0):
        raise ValueError(f"vmax must be a positive number, got {vmax!r}")
    estimate = _estimate(data, xlim, N_HEATMAP_POINTS, bw_method)
    n_columns = estimate.densities.shape[0]
    sample_groups = None if groups is None else _sample_groups(groups, n_columns)
    order = (np.arange(n_columns) if sample_groups is None
             else np.argsort(sample_groups.codes, kind="stable"))

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5))
    low, high = float(estimate.points[0]), float(estimate.points[-1])
    image = ax.imshow(estimate.densities[order], aspect="auto", interpolation="nearest",
                      cmap=cmap, vmin=0.0, vmax=vmax,
                      extent=(low, high, n_columns - 0.5, -0.5))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.tick_params(labelsize=TICK_LABEL_SIZE)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="density", pad=0.02)
    if sample_groups is not None:
        _draw_group_strip(ax, sample_groups, order)
    return ax


def _draw_group_strip(ax: Axes, sample_groups: SampleGroups, order: np.ndarray) -> None:
    """A column of group colours left of the heat map, separators and a legend."""
    codes = sample_groups.codes[order]
    strip = ax.inset_axes((-GROUP_STRIP_WIDTH, 0.0, GROUP_STRIP_WIDTH * 0.8, 1.0), sharey=ax)
    colors = np.array(sample_groups.colors)[codes][:, np.newaxis, :]
    strip.imshow(colors, aspect="auto", interpolation="nearest",
                 extent=(0, 1, codes.size - 0.5, -0.5))
    strip.set_axis_off()
    # Tick labels move left of the strip.
    width_points = ax.get_position().width * ax.figure.get_figwidth() * 72
    ax.tick_params(axis="y", pad=GROUP_STRIP_WIDTH * width_points + 3.5)
    for boundary in np.flatnonzero(np.diff(codes)) + 0.5:
        ax.axhline(boundary, color="white", linewidth=1)
    handles = [Line2D([], [], color=color, linewidth=6, label=label)
               for label, color in zip(sample_groups.labels, sample_groups.colors)]
    ax.legend(handles=handles, title="group", fontsize=9, loc="upper right")


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

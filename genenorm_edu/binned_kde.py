"""The binned Gaussian kernel density estimate of the rows of a block, through the FFT.

The method behind :func:`genenorm_edu.density.column_densities` (R's
``density()``, statsmodels' FFT KDE and KDEpy's ``FFTKDE`` do the same for one
sample; here all the rows of a block at once):

1. each row gets its own evenly spaced grid, :data:`BINS_PER_BANDWIDTH`
   nodes per bandwidth, from :data:`TAIL_BANDWIDTHS` bandwidths below its
   smallest value to as far above its largest, and its values are *linearly
   binned*: a value shares its weight between the two nodes around it, in
   proportion to how close it is to each (two ``np.bincount`` for the whole
   block), which keeps every value's mean position, ties included;
2. the binned weights are smoothed by the Gaussian kernel through the FFT: a
   product with the kernel's Fourier transform, known exactly, which is the
   same width in nodes for every row; the tails keep the circular
   convolution from wrapping around;
3. the smooth curve is interpolated at the points asked for.

Binning and interpolation each move a curve by about (node spacing /
bandwidth)**2 / 8 of its peak: with 16 nodes per bandwidth, a curve is
within about a thousandth of its peak of the exact sum, for continuous values
and for integer values with many ties alike. A row whose bandwidth is tiny
next to its range (a grid of more than :data:`MAX_BINS` nodes) is summed
exactly instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["BINS_PER_BANDWIDTH", "MAX_BINS", "MAX_BLOCK_BINS", "TAIL_BANDWIDTHS",
           "Workspace", "row_densities"]

#: Grid nodes per kernel standard deviation (the binning's resolution).
BINS_PER_BANDWIDTH = 16
#: The kernel is taken to vanish beyond this many standard deviations
#: (``exp(-7**2 / 2)`` is about 2e-11).
TAIL_BANDWIDTHS = 7
#: Most grid nodes of one row; a row needing more is summed exactly.
MAX_BINS = 2**22
#: Most grid nodes of the rows smoothed at once.
MAX_BLOCK_BINS = 2**20

_SQRT_2PI = math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class Workspace:
    """Work arrays for blocks of up to ``rows`` rows, allocated once, reused block after block.

    Allocating and freeing megabytes per block costs more than the arithmetic
    (fresh pages from the kernel each time).
    """

    scaled: np.ndarray  # float64: position of each value on its row's grid
    nodes: np.ndarray  # intp: the grid node at or below each value

    @classmethod
    def for_rows(cls, rows: int, n_observations: int) -> Workspace:
        shape = (rows, n_observations)
        return cls(np.empty(shape), np.empty(shape, dtype=np.intp))


def _grid_nodes(low: np.ndarray, high: np.ndarray, bandwidths: np.ndarray) -> np.ndarray:
    """Nodes each row's grid needs: its range plus a kernel tail on either side."""
    span = (high - low) / bandwidths + 2 * TAIL_BANDWIDTHS
    return np.ceil(span * BINS_PER_BANDWIDTH).astype(np.int64) + 2


def _binned(values: np.ndarray, low: np.ndarray, bandwidths: np.ndarray,
            n_bins: int, points: np.ndarray, work: Workspace) -> np.ndarray:
    """Densities of the rows of ``values`` at ``points``, each on a grid of ``n_bins`` nodes."""
    from scipy import fft  # imported where densities are estimated, not with the plots

    n_rows, n = values.shape
    step = bandwidths / BINS_PER_BANDWIDTH
    origin = low - TAIL_BANDWIDTHS * bandwidths  # node 0 of each row's grid

    # Linear binning of all rows at once: node index + row * n_bins; a value at
    # node + upper gives 1 - upper to its node and upper to the next one.
    offset = np.arange(n_rows) * n_bins - origin / step
    scaled = np.multiply(values, (1.0 / step)[:, np.newaxis], out=work.scaled[:n_rows])
    scaled += offset[:, np.newaxis]
    node = work.nodes[:n_rows]
    np.copyto(node, scaled, casting="unsafe")
    upper = np.subtract(scaled, node, out=scaled).ravel()
    node = node.ravel()
    total = n_rows * n_bins
    above = np.bincount(node, weights=upper, minlength=total)
    counts = np.bincount(node, minlength=total) - above
    counts[1:] += above[:-1]
    counts = counts.reshape(n_rows, n_bins)

    # Gaussian smoothing: the kernel's Fourier transform is exp(-2 pi^2 sigma^2 f^2),
    # sigma = BINS_PER_BANDWIDTH nodes for every row. The tails keep it from wrapping.
    spectrum = fft.rfft(counts, axis=1)
    spectrum *= np.exp(-2.0 * (np.pi * BINS_PER_BANDWIDTH * np.fft.rfftfreq(n_bins)) ** 2)
    smooth = fft.irfft(spectrum, n=n_bins, axis=1)
    smooth /= (n * step)[:, np.newaxis]

    # Linear interpolation at the points; zero off each row's grid.
    at = (points[np.newaxis, :] - origin[:, np.newaxis]) / step[:, np.newaxis]
    outside = (at < 0) | (at > n_bins - 1)
    at = np.clip(at, 0, n_bins - 1)
    left = np.minimum(at.astype(np.intp), n_bins - 2)
    share = at - left
    densities = (np.take_along_axis(smooth, left, axis=1) * (1.0 - share)
                 + np.take_along_axis(smooth, left + 1, axis=1) * share)
    densities[outside] = 0.0
    return np.maximum(densities, 0.0)  # FFT round-off leaves -1e-17 where the density is 0


def _exact(values: np.ndarray, bandwidth: float, points: np.ndarray) -> np.ndarray:
    """The Gaussian kernel sum of one row at ``points``, a chunk of values at a time."""
    total = np.zeros(points.size)
    chunk = max(1, 2**20 // points.size)
    for start in range(0, values.size, chunk):
        z = (points[np.newaxis, :] - values[start:start + chunk, np.newaxis]) / bandwidth
        total += np.exp(-0.5 * z * z).sum(axis=0)
    return total / (values.size * bandwidth * _SQRT_2PI)


def _is_run(rows: np.ndarray) -> bool:
    """Whether ``rows`` are consecutive, so that they can be sliced without a copy."""
    return bool(rows[-1] - rows[0] == rows.size - 1 and (np.diff(rows) == 1).all())


def row_densities(values: np.ndarray, low: np.ndarray, high: np.ndarray, bandwidths: np.ndarray,
                  points: np.ndarray, work: Workspace) -> np.ndarray:
    """Gaussian kernel density estimate of every row of ``values`` at ``points``.

    Parameters
    ----------
    values : ndarray of float64, shape (n_rows, n_observations)
        One sample per row (C-contiguous is fastest).
    low, high : ndarray of float64, shape (n_rows,)
        Smallest and largest value of each row.
    bandwidths : ndarray of float64, shape (n_rows,)
        Standard deviation of each row's Gaussian kernel (positive).
    points : ndarray of float64, shape (n_points,)
        Where to evaluate the densities.
    work : Workspace
        Work arrays with room for ``n_rows`` rows.

    Returns
    -------
    ndarray, shape (n_rows, n_points)

    Examples
    --------
    >>> values = np.array([[0.0, 1.0, 1.0, 3.0]])
    >>> points = np.array([1.0, 2.5, 10.0])
    >>> density = row_densities(values, np.array([0.0]), np.array([3.0]), np.array([0.5]),
    ...                         points, Workspace.for_rows(1, 4))
    >>> z = (points[:, np.newaxis] - values[0]) / 0.5
    >>> exact = np.exp(-z**2 / 2).sum(axis=1) / (4 * 0.5 * np.sqrt(2 * np.pi))
    >>> bool(np.abs(density[0] - exact).max() < 1e-3 * exact.max())
    True
    """
    from scipy import fft

    nodes = _grid_nodes(low, high, bandwidths)
    densities = np.empty((values.shape[0], points.size))
    exact = nodes > MAX_BINS
    for row in np.flatnonzero(exact):
        densities[row] = _exact(values[row], float(bandwidths[row]), points)
    # Rows in groups whose grids (each as long as the group's longest) fit in
    # MAX_BLOCK_BINS nodes; sorted by length, so that a wide one has few companions.
    rows = np.flatnonzero(~exact)
    rows = rows[np.argsort(nodes[rows], kind="stable")]
    while rows.size:
        fits = np.arange(1, rows.size + 1) * nodes[rows] <= MAX_BLOCK_BINS
        group = rows[:max(1, int(np.count_nonzero(fits)))]
        n_bins = fft.next_fast_len(int(nodes[group[-1]]), real=True)
        rows_of_group = values[group[0]:group[-1] + 1] if _is_run(group) else values[group]
        densities[group] = _binned(rows_of_group, low[group], bandwidths[group], n_bins, points, work)
        rows = rows[group.size:]
    return densities

"""Gaussian kernel density estimates of every column of a matrix, fast.

:func:`column_densities` gives the curves of one
:class:`scipy.stats.gaussian_kde` per column (same kernel, same bandwidth
rules) at a small fraction of the cost, so that density plots can show every
sample of a matrix instead of a few.

How: linear binning on a fine grid per column, Gaussian smoothing through
the FFT and interpolation at the points (:mod:`genenorm_edu.binned_kde`), a
curve within about a thousandth of its peak of scipy's.

Memory stays bounded on wide matrices: columns are handled a few at a time,
in blocks of about :data:`BLOCK_VALUES` values (small enough to stay in the
processor's cache, or one column when columns are longer), each thread
with work arrays the size of one block.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike

from genenorm_edu._checks import as_numeric_array, check_finite, check_ndim, check_not_empty
from genenorm_edu.binned_kde import BINS_PER_BANDWIDTH, Workspace, row_densities
from genenorm_edu.cores import usable_cores

__all__ = [
    "BANDWIDTH_RULES",
    "ColumnDensities",
    "bandwidth_factor",
    "check_columns",
    "column_densities",
]

#: Named bandwidth rules, as in :class:`scipy.stats.gaussian_kde`.
BANDWIDTH_RULES = ("scott", "silverman")
#: Values per block of columns (2 MiB of float64: fits in a cache).
BLOCK_VALUES = 2**18

#: Above this ratio of sum(x**2) to (n - 1) var(x), var = (sum(x**2) - n mean**2) / (n - 1)
#: loses more than about 1e-8 to cancellation, and the variance is computed in two passes.
_CANCELLATION_RATIO = 1e8


@dataclass(frozen=True)
class ColumnDensities:
    """Density estimates of the columns of a matrix at common points.

    Attributes
    ----------
    points : ndarray, shape (n_points,)
        Where the densities are evaluated.
    densities : ndarray, shape (n_columns, n_points)
        ``densities[j, k]``: the density of column ``j`` at ``points[k]``
        (one row per column: a samples x values picture).
    bandwidths : ndarray, shape (n_columns,)
        The standard deviation of each column's Gaussian kernel, in data
        units (scipy's ``kde.factor * sqrt(kde.covariance)``).
    """

    points: np.ndarray
    densities: np.ndarray
    bandwidths: np.ndarray


def bandwidth_factor(n_observations: int, bw_method: str | float = "scott") -> float:
    """The factor that multiplies a column's standard deviation to give its bandwidth.

    The rules of :class:`scipy.stats.gaussian_kde` in one dimension:
    ``"scott"`` is ``n ** (-1/5)``, ``"silverman"`` is ``(3 n / 4) ** (-1/5)``,
    and a positive number is the factor itself.

    Parameters
    ----------
    n_observations : int
        Values per column.
    bw_method : {"scott", "silverman"} or float
        The rule, or the factor.

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        If ``bw_method`` is neither a known rule nor a positive finite number.

    Examples
    --------
    >>> round(bandwidth_factor(32), 6), round(bandwidth_factor(32, "silverman"), 6)
    (0.5, 0.529612)
    >>> bandwidth_factor(32, 0.3)
    0.3
    >>> bandwidth_factor(32, "sheather")
    Traceback (most recent call last):
    ...
    ValueError: bw_method must be 'scott', 'silverman' or a positive number, got 'sheather'
    """
    if isinstance(bw_method, str):
        if bw_method == "scott":
            return float(n_observations) ** -0.2
        if bw_method == "silverman":
            return (n_observations * 3.0 / 4.0) ** -0.2
        raise ValueError(
            f"bw_method must be 'scott', 'silverman' or a positive number, got {bw_method!r}"
        )
    if isinstance(bw_method, (bool, np.bool_)) or not isinstance(bw_method, Real):
        raise TypeError(
            "bw_method must be 'scott', 'silverman' or a positive number, "
            f"got {type(bw_method).__name__}"
        )
    factor = float(bw_method)
    if not (math.isfinite(factor) and factor > 0):
        raise ValueError(
            f"bw_method must be 'scott', 'silverman' or a positive number, got {bw_method!r}"
        )
    return factor


def _check_shape(data: ArrayLike, name: str) -> np.ndarray:
    """The checks that cost nothing: dtype, dimensions, size."""
    data = as_numeric_array(data, name)
    check_ndim(data, 2, name, "(observations, columns)")
    check_not_empty(data, name)
    if data.shape[0] < 2:
        raise ValueError(
            f"{name} needs at least 2 rows to estimate a density, got shape {data.shape}"
        )
    return data


def _check_values(data: np.ndarray, name: str) -> None:
    """The checks that read every value: finite, no constant column."""
    check_finite(data, name, hint="for counts, plot np.log(counts + 1): log(0) is -inf")
    constant = np.flatnonzero(data.max(axis=0) == data.min(axis=0))
    if constant.size:
        shown = ", ".join(str(int(column)) for column in constant[:10])
        more = ", ..." if constant.size > 10 else ""
        raise ValueError(
            f"{name} has {constant.size} column(s) with a single repeated value "
            f"(columns {shown}{more}); a density cannot be estimated for a constant "
            "column -- drop those columns first"
        )


def check_columns(data: ArrayLike, name: str = "data", *, read_values: bool = True) -> np.ndarray:
    """Validate a 2-D matrix whose columns each get a density estimate.

    Returns ``data`` as an ndarray (not copied when it already is one). With
    ``read_values=False``, only the checks that do not read the values
    (dtype, dimensions, size): :func:`column_densities` checks the values as
    it reads them.

    Raises
    ------
    TypeError
        If ``data`` does not hold real numbers.
    ValueError
        If ``data`` is not 2-D, is empty, has fewer than 2 rows, holds NaN or
        infinite values, or has a column with a single repeated value.

    Examples
    --------
    >>> check_columns([[1.0, 2.0], [1.0, 3.0]])
    Traceback (most recent call last):
    ...
    ValueError: data has 1 column(s) with a single repeated value (columns 0); a density cannot be estimated for a constant column -- drop those columns first
    """
    data = _check_shape(data, name)
    if read_values:
        _check_values(data, name)
    return data


def _check_points(points: ArrayLike) -> np.ndarray:
    values = as_numeric_array(points, "points")
    check_ndim(values, 1, "points")
    check_not_empty(values, "points")
    check_finite(values, "points")
    return values.astype(np.float64)


def _spread(values: np.ndarray, first_column: int) -> np.ndarray:
    """Sample standard deviations (``ddof=1``) of the rows of ``values``."""
    n = values.shape[1]
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        squares = np.einsum("ij,ij->i", values, values)
        mean = values.sum(axis=1) / n
        variance = (squares - n * mean * mean) / (n - 1)
        # One pass is exact enough unless the mean dwarfs the spread.
        redo = ~(np.isfinite(variance) & (variance > 0)
                 & (squares <= _CANCELLATION_RATIO * (n - 1) * variance))
        for row in np.flatnonzero(redo):
            variance[row] = values[row].var(ddof=1)
        spread = np.sqrt(variance)
    for row in np.flatnonzero(~np.isfinite(variance)):
        raise ValueError(
            f"cannot estimate the density of column {first_column + row}: its values are "
            "too large (their variance overflows); rescale the data, e.g. np.log(x + 1)"
        )
    for row in np.flatnonzero(variance == 0):
        raise ValueError(
            f"cannot estimate the density of column {first_column + row}: its spread is "
            f"too small (standard deviation {spread[row]:.3g})"
        )
    return spread


def _read_block(data: np.ndarray, start: int, stop: int, buffer: np.ndarray) -> np.ndarray:
    """Columns ``start:stop`` as the rows of a C-contiguous float64 array (a copy into
    ``buffer`` unless the data already is float64 columns)."""
    values = data[:, start:stop].T
    if not (values.dtype == np.float64 and values.flags.c_contiguous):
        values = buffer[:stop - start]
        np.copyto(values, data[:, start:stop].T, casting="unsafe")  # any real dtype, any layout
    return values


def _bandwidths(values: np.ndarray, factor: float, start: int) -> np.ndarray:
    """Kernel standard deviations of the rows of ``values`` (columns ``start``, ...)."""
    bandwidths = _spread(values, start) * factor
    with np.errstate(divide="ignore", over="ignore"):
        unusable = ~np.isfinite(BINS_PER_BANDWIDTH / bandwidths)
    for row in np.flatnonzero(unusable):
        raise ValueError(
            f"cannot estimate the density of column {start + row}: the bandwidth "
            f"{bandwidths[row]:.3g} is too small to compute with"
        )
    return bandwidths


@dataclass(frozen=True)
class _Range:
    """Smallest and largest value of every column (float64)."""

    low: np.ndarray
    high: np.ndarray

    @classmethod
    def of(cls, data: np.ndarray) -> _Range:
        """Read the range of every column, and refuse NaN, infinities and constant columns."""
        low = data.min(axis=0).astype(np.float64)
        high = data.max(axis=0).astype(np.float64)
        if not (np.isfinite(low).all() and np.isfinite(high).all() and (low < high).all()):
            _check_values(data, "data")  # names the problem
        return cls(low, high)


def column_densities(
    data: ArrayLike,
    points: ArrayLike | int = 100,
    bw_method: str | float = "scott",
    *,
    workers: int | None = None,
) -> ColumnDensities:
    """Gaussian kernel density estimate of every column of ``data`` at ``points``.

    The curves of :class:`scipy.stats.gaussian_kde`, ``gaussian_kde(column,
    bw_method)(points)`` for each column, computed by binning and FFT
    convolution: within about a thousandth of each curve's peak, for all the
    columns of a genes x samples matrix in a blink.

    Parameters
    ----------
    data : array_like, shape (n_observations, n_columns)
        Finite real numbers, any memory layout; every column needs at least
        two distinct values.
    points : array_like, shape (n_points,), or int
        Where to evaluate the densities (any finite values; far from a
        column's values its density is 0), or how many evenly spaced points
        from the smallest to the largest value of ``data`` (default 100).
    bw_method : {"scott", "silverman"} or float
        Bandwidth rule, as in scipy: each column's kernel standard deviation
        is its sample standard deviation (``ddof=1``) times
        :func:`bandwidth_factor`.
    workers : int, optional
        Threads that estimate blocks of columns at the same time. Default:
        the cores this process may use.

    Returns
    -------
    ColumnDensities
        ``densities`` has one row per column of ``data``.

    Raises
    ------
    TypeError
        If ``data`` or ``points`` does not hold real numbers, ``bw_method``
        is neither a rule nor a number, or ``workers`` is not an integer.
    ValueError
        If ``data`` is not 2-D, is empty, has fewer than 2 rows, holds NaN or
        infinite values or has a constant column; if a column's spread is too
        small (or too large) to compute with; if ``points`` is not a finite,
        non-empty 1-D array, or is a number below 2; if ``bw_method`` is not a
        known rule or a positive number; if ``workers`` is below 1.

    Examples
    --------
    >>> from scipy import stats
    >>> rng = np.random.default_rng(0)
    >>> data = rng.normal(loc=[0.0, 3.0], size=(1000, 2))
    >>> points = np.linspace(-4, 7, 50)
    >>> estimate = column_densities(data, points)
    >>> estimate.densities.shape
    (2, 50)
    >>> exact = stats.gaussian_kde(data[:, 1])(points)
    >>> bool(np.abs(estimate.densities[1] - exact).max() < 0.002 * exact.max())
    True
    """
    data = _check_shape(data, "data")
    range_ = _Range.of(data)
    if isinstance(points, (int, np.integer)) and not isinstance(points, (bool, np.bool_)):
        if points < 2:
            raise ValueError(f"points must be at least 2 when a number, got {points}")
        points = np.linspace(range_.low.min(), range_.high.max(), int(points))
    else:
        points = _check_points(points)
    n_observations, n_columns = data.shape
    factor = bandwidth_factor(n_observations, bw_method)

    densities = np.empty((n_columns, points.size))
    bandwidths = np.empty(n_columns)
    if workers is None:
        workers = usable_cores()
    if isinstance(workers, (bool, np.bool_)) or not isinstance(workers, (int, np.integer)):
        raise TypeError(f"workers must be an integer, got {type(workers).__name__}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    # Each worker takes a run of whole blocks, with its own work space (NumPy
    # releases the GIL in its array arithmetic and scipy in the FFT).
    block_columns = min(n_columns, max(1, BLOCK_VALUES // n_observations))
    n_blocks = -(-n_columns // block_columns)
    workers = min(workers, n_blocks)
    edges = [block_columns * (n_blocks * part // workers) for part in range(workers)] + [n_columns]

    def estimate(start: int, stop: int) -> None:
        work = Workspace.for_rows(block_columns, n_observations)
        buffer = np.empty((block_columns, n_observations))
        for first in range(start, stop, block_columns):
            last = min(first + block_columns, stop)
            values = _read_block(data, first, last, buffer)
            bandwidths[first:last] = _bandwidths(values, factor, first)
            densities[first:last] = row_densities(
                values, range_.low[first:last], range_.high[first:last],
                bandwidths[first:last], points, work)

    if workers == 1:
        estimate(0, n_columns)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            runs = [pool.submit(estimate, start, stop) for start, stop in zip(edges, edges[1:])]
            for run in runs:  # in column order: the first bad column is the one reported
                run.result()
    return ColumnDensities(points=points, densities=densities, bandwidths=bandwidths)

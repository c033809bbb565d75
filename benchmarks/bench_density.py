"""Density plots of every sample: time against scipy's gaussian_kde, and accuracy.

The lessons' tutorial smoothed 20 samples with one ``scipy.stats.gaussian_kde``
per column; ``plot_col_density`` now draws every sample. Both are measured in
this one run on this machine (best of a few calls), so the ratio holds on a
busy shared machine where absolute times do not. Run with ``make benchmark``
or ``python benchmarks/bench_density.py``.

Targets (issue #20), on 20,500 x 375 matrices like the course's:

- ``plot_col_density`` on all 375 columns (new figure included)
  / ``gaussian_kde`` on 20 columns, same 100 points         <= 0.1
- largest |difference| from ``gaussian_kde``'s curve, as a fraction of the
  column's peak, on those 20 columns, same bandwidth       <= 0.01

Matrices: the course's log counts (integer-valued, many ties), its log RPKM
(continuous, a spike at 0), and lognormal values (skewed, no ties).
``--wide`` adds a researcher's 60,000 x 1,000 matrix: time, and the memory the
estimate allocates beyond its input (columns are estimated in blocks).
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from genenorm_edu.data import load_counts, load_gene_lengths
from genenorm_edu.density import column_densities
from genenorm_edu.measure import peak_memory, time_call
from genenorm_edu.normalization import rpkm
from genenorm_edu.plotting import N_GRID_POINTS, plot_col_density

BASELINE_COLUMNS = 20
RATIO_TARGET = 0.1
ACCURACY_TARGET = 0.01


def row(name: str, value: float, target: str) -> None:
    print(f"{name:<52} {value:9.4f}   (target {target})")


def plot_every_column(matrix: np.ndarray) -> None:
    ax = plot_col_density(matrix, linewidth=0.5, alpha=0.3)
    plt.close(ax.figure)


def bench_matrix(name: str, matrix: np.ndarray, repeats: int) -> None:
    points = np.linspace(matrix.min(), matrix.max(), N_GRID_POINTS)
    # The tutorial's 20 samples, here spread over the whole matrix.
    chosen = np.linspace(0, matrix.shape[1] - 1, BASELINE_COLUMNS).astype(int)

    def scipy_columns() -> list[np.ndarray]:
        return [stats.gaussian_kde(matrix[:, column])(points) for column in chosen]

    plot_every_column(matrix)  # imports and first-call costs out of the timing
    baseline = time_call(scipy_columns, calls=max(1, repeats // 3)).seconds
    ours = time_call(lambda: plot_every_column(matrix), calls=repeats).seconds
    print(f"{name}, {matrix.shape[0]} x {matrix.shape[1]}: gaussian_kde on {BASELINE_COLUMNS} "
          f"columns {baseline:.3f} s, plot_col_density on all {matrix.shape[1]} {ours:.3f} s")
    row(f"  plot_col_density (all) / gaussian_kde ({BASELINE_COLUMNS})", ours / baseline,
        f"<= {RATIO_TARGET}")

    exact = np.array(scipy_columns())
    estimate = column_densities(matrix[:, chosen], points).densities
    error = np.abs(estimate - exact).max(axis=1) / exact.max(axis=1)
    row("  largest error / column's peak, Scott's bandwidth", float(error.max()),
        f"<= {ACCURACY_TARGET}")
    for bw_method in ("silverman", 0.1):
        exact = np.array([stats.gaussian_kde(matrix[:, column], bw_method=bw_method)(points)
                          for column in chosen[:5]])
        estimate = column_densities(matrix[:, chosen[:5]], points, bw_method).densities
        error = np.abs(estimate - exact).max(axis=1) / exact.max(axis=1)
        row(f"  largest error / column's peak, bw_method={bw_method!r}", float(error.max()),
            f"<= {ACCURACY_TARGET}")


def bench_wide(repeats: int) -> None:
    rng = np.random.default_rng(2)
    matrix = np.asfortranarray(np.log1p(rng.lognormal(1.0, 1.5, size=(60_000, 1_000))))
    seconds = time_call(lambda: plot_every_column(matrix), calls=max(1, repeats // 3)).seconds
    extra = peak_memory(lambda: column_densities(matrix, N_GRID_POINTS))
    print(f"researcher's matrix, 60000 x 1000: plot_col_density {seconds:.2f} s")
    row("  memory allocated by the estimate / input size", extra / matrix.nbytes, "info")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--wide", action="store_true", help="add a 60,000 x 1,000 matrix")
    args = parser.parse_args()
    counts = load_counts()
    bench_matrix("course log counts", np.log(counts + 1.0), args.repeats)
    bench_matrix("course log RPKM", np.log(rpkm(counts, load_gene_lengths()) + 1.0), args.repeats)
    lognormal = np.random.default_rng(1).lognormal(1.0, 1.0, size=counts.shape)
    bench_matrix("lognormal values", np.asfortranarray(lognormal), args.repeats)
    if args.wide:
        bench_wide(args.repeats)


if __name__ == "__main__":
    main()

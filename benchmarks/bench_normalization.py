"""Speed and memory of the production normalization, as ratios against baselines.

Every time is the best of several repeats, measured in this one run on this
machine, so the ratios hold even on a busy shared machine where absolute
times do not. Run with ``make benchmark`` or ``python benchmarks/bench_normalization.py``.

Targets (issue #2), on a 20500 x 375 matrix like the course's:

- ``qnorm`` / ``np.argsort(X, axis=0)``            <= 1.2
- ``qnorm`` / the ``qnorm`` PyPI package            <  1

``qnorm`` sorts blocks of columns on all cores by default (NumPy releases the
GIL while sorting); the single-thread ratio is printed too.
- ``rpkm`` / ``counts * 2.0``                       <= 2.5
- ``rpkm`` peak extra memory / output size          <= 1
"""

from __future__ import annotations

import argparse
import numpy as np

from genenorm_edu.measure import peak_memory, time_call
from genenorm_edu.normalization import qnorm, rpkm

N_GENES, N_SAMPLES = 20500, 375


def row(name: str, value: float, target: str) -> None:
    print(f"{name:<46} {value:8.2f}   (target {target})")


def bench_qnorm(repeats: int) -> None:
    import qnorm as qnorm_package

    rng = np.random.default_rng(0)
    for order in ("F", "C"):
        matrix = np.asarray(rng.random((N_GENES, N_SAMPLES)), order=order)
        argsort_time = time_call(lambda: np.argsort(matrix, axis=0), calls=repeats).seconds
        ours = time_call(lambda: qnorm(matrix), calls=repeats).seconds
        one_thread = time_call(lambda: qnorm(matrix, workers=1), calls=repeats).seconds
        peer = time_call(lambda: qnorm_package.quantile_normalize(matrix, axis=1), calls=repeats).seconds
        print(f"qnorm on float64 {N_GENES} x {N_SAMPLES}, {order}-order: "
              f"argsort {argsort_time:.3f} s, qnorm {ours:.3f} s, qnorm package {peer:.3f} s")
        row(f"  qnorm / argsort(axis=0) [{order}]", ours / argsort_time, "<= 1.2")
        row(f"  qnorm / qnorm package [{order}]", ours / peer, "< 1")
        row(f"  qnorm(workers=1) / argsort(axis=0) [{order}]", one_thread / argsort_time, "info")

    counts_like = np.asfortranarray(np.log1p(rng.poisson(3.0, (N_GENES, N_SAMPLES))))
    tied_time = time_call(lambda: qnorm(counts_like), calls=repeats).seconds
    argsort_time = time_call(lambda: np.argsort(counts_like, axis=0), calls=repeats).seconds
    row("  qnorm / argsort, log counts with many ties", tied_time / argsort_time, "info")


def bench_rpkm(repeats: int) -> None:
    rng = np.random.default_rng(1)
    counts = np.asfortranarray(rng.integers(0, 5000, (N_GENES, N_SAMPLES)).astype(np.uint32))
    gene_lengths = rng.integers(33, 115_549, N_GENES)
    baseline = time_call(lambda: counts * 2.0, calls=repeats).seconds
    ours = time_call(lambda: rpkm(counts, gene_lengths), calls=repeats).seconds
    print(f"rpkm on uint32 {N_GENES} x {N_SAMPLES}: counts * 2.0 {baseline:.4f} s, "
          f"rpkm {ours:.4f} s")
    row("  rpkm / (counts * 2.0)", ours / baseline, "<= 2.5")
    output_bytes = N_GENES * N_SAMPLES * 8
    extra = peak_memory(lambda: rpkm(counts, gene_lengths)) - output_bytes
    row("  rpkm peak memory beyond its output / output", extra / output_bytes, "<= 1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    bench_qnorm(args.repeats)
    bench_rpkm(args.repeats)


if __name__ == "__main__":
    main()

"""Synthetic course data: a count matrix and gene lengths like the tutorial's.

The tutorial's real count matrix (TCGA skin melanoma RNA-seq) has 20,500
genes x 375 samples. The generator here makes gene lengths with the real
length distribution and a ``uint32`` count matrix whose 375 column sums are
exactly the real library sizes (they ship with the package), whose log counts
look like RNA-seq (a spike of zeros, a broad body) and whose samples'
distributions differ before normalization. It is deterministic for a seed.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
from numpy.typing import ArrayLike

from genenorm_edu._checks import (
    as_int64_array,
    check_at_most,
    check_ndim,
    check_nonnegative,
    check_not_empty,
    check_positive,
)

__all__ = [
    "N_GENES",
    "N_SAMPLES",
    "MIN_GENE_LENGTH",
    "MAX_GENE_LENGTH",
    "SYNTHETIC_SEED",
    "GENERATOR_VERSION",
    "real_library_sizes",
    "generate_gene_lengths",
    "generate_counts",
    "synthetic_gene_lengths",
    "synthetic_counts",
]

#: Genes (rows) and samples (columns) of the tutorial's count matrix.
N_GENES = 20_500
N_SAMPLES = 375

#: Observed range of the real gene lengths (bases).
MIN_GENE_LENGTH = 33
MAX_GENE_LENGTH = 115_549

#: Seed of the synthetic data the course uses.
SYNTHETIC_SEED = 2015
#: Bumped whenever the generator changes, so old caches are not reused.
GENERATOR_VERSION = 1

# The largest value a uint32 count can hold.
_UINT32_MAX = int(np.iinfo(np.uint32).max)

# Log gene lengths of the real data are skewed to the left (a long tail of
# short genes): mean 7.912, sd 0.848, median 2986.5 bases. A skew-normal in
# log space fitted to them reproduces mean, sd, median and lower percentiles.
_LOG_LENGTH_SKEW = -2.6
_LOG_LENGTH_LOC = 8.82
_LOG_LENGTH_SCALE = 1.25

# Expression model, per 1 kb of gene (log scale):
_FRACTION_SILENT_GENES = 0.12  # genes barely expressed anywhere -> mostly zeros
_EXPRESSED_LOG_MEAN, _EXPRESSED_LOG_SD = 0.0, 1.6
_SILENT_LOG_MEAN, _SILENT_LOG_SD = -6.5, 1.5
# Per sample: how strongly gene levels are spread out (changes the width and
# the zero fraction of each sample's distribution) ...
_SAMPLE_SPREAD_SD = 0.08
# ... and how overdispersed the counts are (gamma-Poisson noise, i.e. the
# counts are negative binomial before the multinomial draw fixes the totals).
_SAMPLE_DISPERSION_RANGE = (0.05, 0.5)


def real_library_sizes() -> np.ndarray:
    """The 375 library sizes (column sums) of the tutorial's real count matrix.

    They ship with the package, so the synthetic matrix can have exactly the
    same column sums as the real one.

    Returns
    -------
    library_sizes : ndarray of int64, shape (375,)

    Examples
    --------
    >>> sizes = real_library_sizes()
    >>> sizes.shape, sizes.dtype
    ((375,), dtype('int64'))
    >>> int(sizes.sum())
    19873220752
    """
    text = resources.files("genenorm_edu").joinpath("tcga_skcm_library_sizes.txt").read_text()
    return np.loadtxt(text.splitlines(), dtype=np.int64, comments="#")


def _random_generator(seed: int, stream: int) -> np.random.Generator:
    """An independent random stream per quantity, all derived from ``seed``."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(f"seed must be a non-negative integer, got {seed!r}")
    return np.random.default_rng([int(seed), stream])


def _skew_normal(
    rng: np.random.Generator, shape: float, loc: float, scale: float, size: int
) -> np.ndarray:
    """Draw from a skew-normal distribution (as ``scipy.stats.skewnorm``).

    Uses the representation ``delta * |Z0| + sqrt(1 - delta**2) * Z1`` with
    independent standard normals ``Z0, Z1`` and ``delta = a / sqrt(1 + a**2)``,
    which avoids importing ``scipy.stats`` (slow) just to load the data.
    """
    delta = shape / np.sqrt(1.0 + shape**2)
    folded = np.abs(rng.standard_normal(size))
    independent = rng.standard_normal(size)
    standard = delta * folded + np.sqrt(1.0 - delta**2) * independent
    return loc + scale * standard


def generate_gene_lengths(n_genes: int = N_GENES, *, seed: int = SYNTHETIC_SEED) -> np.ndarray:
    """Synthetic gene lengths distributed like the real ones.

    The log lengths follow a skew-normal distribution fitted to the real gene
    lengths (mean 7.91, sd 0.85, median length about 3,000 bases); lengths are
    rounded and clipped to the real range [33, 115549].

    Parameters
    ----------
    n_genes : int
        Number of genes.
    seed : int
        Random seed; the same seed always gives the same lengths.

    Returns
    -------
    gene_lengths : ndarray of int64, shape (n_genes,)

    Raises
    ------
    ValueError
        If ``n_genes`` is not positive.
    TypeError
        If ``n_genes`` or ``seed`` is not an integer.

    Examples
    --------
    >>> lengths = generate_gene_lengths(1000, seed=0)
    >>> lengths.dtype, lengths.shape
    (dtype('int64'), (1000,))
    >>> bool(lengths.min() >= 33 and lengths.max() <= 115549)
    True
    >>> np.array_equal(lengths, generate_gene_lengths(1000, seed=0))
    True
    """
    if isinstance(n_genes, bool) or not isinstance(n_genes, (int, np.integer)):
        raise TypeError(f"n_genes must be an integer, got {n_genes!r}")
    if n_genes < 1:
        raise ValueError(f"n_genes must be positive, got {n_genes}")
    rng = _random_generator(seed, stream=0)
    log_lengths = _skew_normal(
        rng, _LOG_LENGTH_SKEW, _LOG_LENGTH_LOC, _LOG_LENGTH_SCALE, size=int(n_genes)
    )
    lengths = np.rint(np.exp(log_lengths))
    np.clip(lengths, MIN_GENE_LENGTH, MAX_GENE_LENGTH, out=lengths)
    return lengths.astype(np.int64)


def _as_integer_vector(values: ArrayLike, name: str) -> np.ndarray:
    """Return ``values`` as a non-empty 1-D int64 array or raise."""
    array = as_int64_array(values, name)
    check_ndim(array, 1, name)
    check_not_empty(array, name)
    return array


def generate_counts(
    gene_lengths: ArrayLike,
    library_sizes: ArrayLike,
    *,
    seed: int = SYNTHETIC_SEED,
) -> np.ndarray:
    """Synthetic RNA-seq read counts with given gene lengths and library sizes.

    The model, per gene ``g`` and sample ``s``:

    1. every gene has an expression level per kilobase shared by all
       samples (log-normal; about 12% of genes are nearly silent, which gives
       the spike of zeros of real data);
    2. each sample raises those levels to its own power close to 1, so the
       samples' distributions differ in width and in their number of zeros
       (what quantile normalization removes);
    3. the expected share of reads is proportional to level x gene length
       (longer genes catch more reads), times gamma noise with a per-sample
       dispersion (overdispersion, as in a negative binomial);
    4. the reads of each sample are drawn from a multinomial distribution
       with the sample's library size as number of trials, so every column
       sums *exactly* to its library size.

    Parameters
    ----------
    gene_lengths : array_like of int, shape (n_genes,)
        Positive gene lengths in bases.
    library_sizes : array_like of int, shape (n_samples,)
        Total reads of each sample; non-negative and at most 2**32 - 1.
    seed : int
        Random seed; the same inputs and seed always give the same counts.

    Returns
    -------
    counts : ndarray of uint32, shape (n_genes, n_samples), Fortran order
        One row per gene, one column per sample.

    Raises
    ------
    TypeError
        If the inputs do not hold integers, or ``seed`` is not an integer.
    ValueError
        If an input is not 1-D or is empty, a gene length is not positive,
        or a library size is negative or does not fit in uint32.

    Examples
    --------
    >>> counts = generate_counts([1000, 2000, 500, 30000], [10, 20, 0], seed=0)
    >>> counts.shape, counts.dtype, counts.flags.f_contiguous
    ((4, 3), dtype('uint32'), True)
    >>> counts.sum(axis=0).tolist()
    [10, 20, 0]
    """
    gene_lengths = _as_integer_vector(gene_lengths, "gene_lengths")
    library_sizes = _as_integer_vector(library_sizes, "library_sizes")
    check_positive(gene_lengths, "gene_lengths")
    check_nonnegative(library_sizes, "library_sizes")
    check_at_most(library_sizes, _UINT32_MAX, "library_sizes", "so that counts fit in uint32")
    n_genes, n_samples = gene_lengths.size, library_sizes.size
    rng = _random_generator(seed, stream=1)

    silent = rng.random(n_genes) < _FRACTION_SILENT_GENES
    log_level = np.where(
        silent,
        rng.normal(_SILENT_LOG_MEAN, _SILENT_LOG_SD, n_genes),
        rng.normal(_EXPRESSED_LOG_MEAN, _EXPRESSED_LOG_SD, n_genes),
    )
    sample_spread = rng.normal(1.0, _SAMPLE_SPREAD_SD, n_samples)
    dispersion = rng.uniform(*_SAMPLE_DISPERSION_RANGE, n_samples)

    # Relative read rates, genes x samples (computed in place to keep one
    # float64 matrix alive at a time).
    rates = np.multiply.outer(log_level, sample_spread)
    rates += np.log(gene_lengths)[:, np.newaxis]
    rates -= rates.max(axis=0)  # avoid overflow in exp; rescaled below anyway
    np.exp(rates, out=rates)
    rates *= rng.gamma(1.0 / dispersion, dispersion, size=(n_genes, n_samples))
    rates /= rates.sum(axis=0)

    # One multinomial draw per sample: rows of the result are samples.
    draws = rng.multinomial(library_sizes, rates.T)
    return draws.T.astype(np.uint32, order="F")


def synthetic_gene_lengths() -> np.ndarray:
    """The course's synthetic gene lengths: :func:`generate_gene_lengths` with the defaults.

    Examples
    --------
    >>> synthetic_gene_lengths().shape
    (20500,)
    """
    return generate_gene_lengths()


def synthetic_counts() -> np.ndarray:
    """The course's synthetic count matrix, 20,500 genes x 375 samples.

    Gene lengths from :func:`synthetic_gene_lengths`, the real library sizes,
    seed :data:`SYNTHETIC_SEED`; takes about a second.

    Examples
    --------
    >>> counts = synthetic_counts()
    >>> counts.shape, counts.dtype
    ((20500, 375), dtype('uint32'))
    """
    return generate_counts(synthetic_gene_lengths(), real_library_sizes())

"""The course data: a count matrix and gene lengths, synthetic or real.

The lessons use the count matrix of the Advanced NumPy tutorial (TCGA skin
cutaneous melanoma RNA-seq: ``uint32``, 20,500 genes x 375 samples, Fortran
order) and the length of each gene (``int64``, 20,500 values).

The real files live in the public repository scikit-image/skimage-tutorials.
Machines without network access cannot fetch them, so this module also
generates a synthetic count matrix with the same shape, dtype, memory order
and the same 375 library sizes (column sums), and gene lengths with the same
distribution. Its log counts look like RNA-seq: a spike of zeros and a broad
body, and the samples' distributions differ before normalization.

- :func:`data_dir` -- where the cache lives (``GENENORM_EDU_DATA_DIR``);
- :func:`load_counts`, :func:`load_gene_lengths` -- the loaders the
  notebooks use; they generate (or verify) the cache on first use;
- :func:`generate_counts`, :func:`generate_gene_lengths` -- the synthetic
  generator, deterministic for a given seed;
- :func:`fetch_real_file`, :func:`verify_real_file`, :func:`git_blob_id` --
  download of the real files with pooch, checked against their git blob ids;
- :func:`register_command` -- the ``genenorm-edu data`` subcommand.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from genenorm_edu._checks import check_ndim, check_not_empty
from genenorm_edu.atomic import atomic_write

__all__ = [
    "N_GENES",
    "N_SAMPLES",
    "DATA_DIR_ENV",
    "SYNTHETIC_SEED",
    "RealFile",
    "REAL_COUNTS",
    "REAL_GENE_LENGTHS",
    "data_dir",
    "real_library_sizes",
    "generate_gene_lengths",
    "generate_counts",
    "git_blob_id",
    "verify_real_file",
    "fetch_real_file",
    "load_counts",
    "load_gene_lengths",
    "register_command",
]

N_GENES = 20_500
N_SAMPLES = 375
DATA_DIR_ENV = "GENENORM_EDU_DATA_DIR"

#: Seed of the synthetic data the course uses.
SYNTHETIC_SEED = 2015
#: Bumped whenever the generator changes, so old caches are not reused.
GENERATOR_VERSION = 1
SYNTHETIC_COUNTS_FILE = f"counts-synthetic-v{GENERATOR_VERSION}.npy"
SYNTHETIC_GENE_LENGTHS_FILE = f"gene-lengths-synthetic-v{GENERATOR_VERSION}.npy"

# Observed range of the real gene lengths (bases).
MIN_GENE_LENGTH = 33
MAX_GENE_LENGTH = 115_549

# The largest value a uint32 count can hold.
_UINT32_MAX = int(np.iinfo(np.uint32).max)

Source = Literal["auto", "synthetic", "real"]
_SOURCES = ("auto", "synthetic", "real")

REAL_DATA_REPOSITORY = "scikit-image/skimage-tutorials"
REAL_DATA_COMMIT = "28cf4d9b9e94caace953541d7f830291ee59b3a0"
REAL_DATA_BASE_URL = (
    f"https://raw.githubusercontent.com/{REAL_DATA_REPOSITORY}/{REAL_DATA_COMMIT}/data/"
)


@dataclass(frozen=True)
class RealFile:
    """A file of the tutorial's repository and what it must hash to.

    Attributes
    ----------
    name : str
        File name, both in the repository's ``data/`` folder and in the cache.
    git_blob_id : str
        SHA-1 of ``b"blob <size>\\0" + content``, as ``git hash-object`` prints.
    sha256 : str or None
        SHA-256 of the content, when published; pooch checks it on download.
    """

    name: str
    git_blob_id: str
    sha256: str | None = None

    @property
    def url(self) -> str:
        """Download address of the file at the pinned commit."""
        return REAL_DATA_BASE_URL + self.name


REAL_COUNTS = RealFile("expr.npy", git_blob_id="5025bc10fe8051bf5d4c0ede9cf867424e2ad42f")
# The git blob id of gene-lens.npy is the one ``git hash-object`` gives for
# the file whose SHA-256 is the published one. (The project's data notes list
# 4d41aaff...b028, the same digits shifted by one place: a transcription slip.)
REAL_GENE_LENGTHS = RealFile(
    "gene-lens.npy",
    git_blob_id="d41aaff78b8fef892df2cc096ea46bf72bfb0282",
    sha256="15de134607f77b2c8ebacf7470735df5fe1fe19762c07de3e9e11eca292ba623",
)


# --------------------------------------------------------------------------
# Where the data lives
# --------------------------------------------------------------------------


def _source_checkout_root() -> Path | None:
    """The repository root if the package runs from a source checkout."""
    root = Path(__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and 'name = "genenorm-edu"' in pyproject.read_text():
        return root
    return None


def data_dir() -> Path:
    """Directory holding the cached data files.

    In order of preference: the directory named by the environment variable
    ``GENENORM_EDU_DATA_DIR``; ``data/`` at the repository root when the
    package runs from a source checkout; otherwise a per-user cache directory
    (``pooch.os_cache("genenorm-edu")``, e.g. ``~/.cache/genenorm-edu``).
    The directory is not created here; the loaders create it when they write.

    Returns
    -------
    path : pathlib.Path

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"GENENORM_EDU_DATA_DIR": "/tmp/course-data"}):
    ...     print(data_dir().as_posix())
    /tmp/course-data
    """
    configured = os.environ.get(DATA_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    root = _source_checkout_root()
    if root is not None:
        return root / "data"
    import pooch

    return Path(pooch.os_cache("genenorm-edu"))


def _resolve_directory(directory: str | os.PathLike | None) -> Path:
    return data_dir() if directory is None else Path(directory).expanduser()


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
    sizes = np.loadtxt(text.splitlines(), dtype=np.int64, comments="#")
    return sizes


# --------------------------------------------------------------------------
# Synthetic generator
# --------------------------------------------------------------------------

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


def _check_integer_vector(values: ArrayLike, name: str) -> np.ndarray:
    """Return ``values`` as a non-empty 1-D int64 array or raise."""
    array = np.asarray(values)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {array.dtype}")
    check_ndim(array, 1, name)
    check_not_empty(array, name)
    if array.dtype == np.uint64 and array.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{name} holds values too large for int64")
    return array.astype(np.int64)


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
    gene_lengths = _check_integer_vector(gene_lengths, "gene_lengths")
    library_sizes = _check_integer_vector(library_sizes, "library_sizes")
    if gene_lengths.min() < 1:
        raise ValueError(
            f"gene_lengths must be positive, found {gene_lengths.min()} "
            f"at index {int(np.argmin(gene_lengths))}"
        )
    if library_sizes.min() < 0:
        raise ValueError(
            f"library_sizes must not be negative, found {library_sizes.min()} "
            f"at index {int(np.argmin(library_sizes))}"
        )
    if library_sizes.max() > _UINT32_MAX:
        raise ValueError(
            f"library_sizes must be at most {_UINT32_MAX} so that counts fit in uint32, "
            f"found {library_sizes.max()}"
        )
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
    counts = draws.T.astype(np.uint32, order="F")
    return counts


# --------------------------------------------------------------------------
# Reading, checking and writing .npy files
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _NpyHeader:
    shape: tuple[int, ...]
    fortran_order: bool
    dtype: np.dtype
    data_offset: int
    file_size: int

    @property
    def data_bytes_expected(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize


def _read_npy_header(path: Path) -> _NpyHeader:
    """Read the header of a ``.npy`` file, or raise a clear ``ValueError``."""
    try:
        with open(path, "rb") as file:
            version = np.lib.format.read_magic(file)
            if version == (1, 0):
                shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(file)
            else:
                shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(file)
            data_offset = file.tell()
    except (ValueError, OSError, EOFError, SyntaxError) as error:
        raise ValueError(f"{path} is not a readable .npy file ({error})") from error
    return _NpyHeader(shape, fortran_order, dtype, data_offset, path.stat().st_size)


def _load_npy(
    path: Path,
    *,
    shape: tuple[int, ...],
    dtype: np.dtype,
    fortran_order: bool | None,
) -> np.ndarray:
    """Load a ``.npy`` file after checking its header and size.

    Raises ``ValueError`` naming the problem: not a .npy file, wrong shape,
    dtype or memory order, or truncated / padded data.
    """
    header = _read_npy_header(path)
    if header.shape != shape:
        raise ValueError(f"{path} holds an array of shape {header.shape}, expected {shape}")
    if header.dtype != dtype:
        raise ValueError(f"{path} holds dtype {header.dtype}, expected {np.dtype(dtype)}")
    if fortran_order is not None and header.fortran_order != fortran_order:
        expected = "Fortran" if fortran_order else "C"
        raise ValueError(f"{path} is not stored in {expected} order")
    data_bytes = header.file_size - header.data_offset
    if data_bytes != header.data_bytes_expected:
        problem = "truncated" if data_bytes < header.data_bytes_expected else "too long"
        raise ValueError(
            f"{path} is {problem}: its header announces {header.data_bytes_expected} bytes "
            f"of data but the file holds {data_bytes}"
        )
    return np.load(path, allow_pickle=False)


def _check_counts_array(counts: np.ndarray, origin: str) -> None:
    """The count matrix must have the real library sizes as column sums."""
    column_sums = counts.sum(axis=0, dtype=np.int64)
    expected = real_library_sizes()
    mismatched = np.flatnonzero(column_sums != expected)
    if mismatched.size:
        first = int(mismatched[0])
        raise ValueError(
            f"{origin}: library sizes differ from the tutorial's in {mismatched.size} "
            f"sample(s); sample {first} sums to {column_sums[first]}, "
            f"expected {expected[first]}"
        )


def _check_gene_lengths_array(gene_lengths: np.ndarray, origin: str) -> None:
    if gene_lengths.min() < 1:
        raise ValueError(
            f"{origin}: gene lengths must be positive, found {gene_lengths.min()} "
            f"at index {int(np.argmin(gene_lengths))}"
        )


def _read_counts(path: Path) -> np.ndarray:
    counts = _load_npy(
        path, shape=(N_GENES, N_SAMPLES), dtype=np.dtype(np.uint32), fortran_order=True
    )
    _check_counts_array(counts, str(path))
    return counts


def _read_gene_lengths(path: Path) -> np.ndarray:
    gene_lengths = _load_npy(
        path, shape=(N_GENES,), dtype=np.dtype(np.int64), fortran_order=None
    )
    _check_gene_lengths_array(gene_lengths, str(path))
    return gene_lengths


def _save_atomically(path: Path, array: np.ndarray) -> None:
    """Write ``array`` to ``path`` as ``.npy`` so that readers never see a partial file."""
    with atomic_write(path) as file:
        np.save(file, array, allow_pickle=False)


# --------------------------------------------------------------------------
# Real files: git blob ids and download
# --------------------------------------------------------------------------


def git_blob_id(path: str | os.PathLike) -> str:
    """The git blob id of a file, as ``git hash-object`` computes it.

    That is the SHA-1 of ``b"blob <size>\\0"`` followed by the file's bytes.
    It identifies a file in a git repository at any commit.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    blob_id : str
        40 hexadecimal digits.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "hello.txt"
    ...     _ = path.write_bytes(b"hello\\n")
    ...     git_blob_id(path)
    'ce013625030ba8dba906f756967f9e9ca394464a'
    """
    path = Path(path)
    size = path.stat().st_size
    digest = hashlib.sha1(b"blob %d\0" % size, usedforsecurity=False)
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_real_file(path: str | os.PathLike, real_file: RealFile) -> None:
    """Check that ``path`` is exactly the published ``real_file``.

    Compares the file's git blob id (and SHA-256 when one is published) with
    the pinned values.

    Parameters
    ----------
    path : str or path-like
        The local copy.
    real_file : RealFile
        :data:`REAL_COUNTS` or :data:`REAL_GENE_LENGTHS`.

    Raises
    ------
    ValueError
        If the file differs from the published one; the message says whether
        it is truncated when that can be told from its ``.npy`` header.
    FileNotFoundError
        If there is no file at ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "gene-lens.npy"
    ...     np.save(path, np.arange(1, 20501))
    ...     verify_real_file(path, REAL_GENE_LENGTHS)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: .../gene-lens.npy is not the published gene-lens.npy: ...
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path}")
    actual = git_blob_id(path)
    if actual == real_file.git_blob_id:
        if real_file.sha256 is not None:
            actual_sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
            if actual_sha256 != real_file.sha256:  # pragma: no cover - SHA-1 collision
                raise ValueError(
                    f"{path}: git blob id matches but SHA-256 {actual_sha256} "
                    f"differs from the published {real_file.sha256}"
                )
        return
    detail = ""
    try:
        header = _read_npy_header(path)
    except ValueError:
        detail = " It is not even a readable .npy file."
    else:
        data_bytes = header.file_size - header.data_offset
        if data_bytes < header.data_bytes_expected:
            detail = (
                f" It is truncated: {data_bytes} of {header.data_bytes_expected} "
                "data bytes are present."
            )
        elif _passes_content_checks(path, real_file):
            detail = (
                " Its shape, dtype and values pass the content checks, so either it is "
                "another matrix of the same layout (such as the synthetic one) or the "
                "pinned blob id is out of date -- please report it if you downloaded it "
                "from the pinned URL."
            )
    raise ValueError(
        f"{path} is not the published {real_file.name}: its git blob id is {actual}, "
        f"expected {real_file.git_blob_id} ({path.stat().st_size} bytes).{detail} "
        f"Delete it and run `genenorm-edu data --real` to download it again."
    )


def _passes_content_checks(path: Path, real_file: RealFile) -> bool:
    """Whether ``path`` has the layout (and, for counts, the library sizes) of ``real_file``."""
    read = _read_counts if real_file.name == REAL_COUNTS.name else _read_gene_lengths
    try:
        read(path)
    except ValueError:
        return False
    return True


class _VerifyAfterDownload:
    """A pooch processor: verify the file, delete a bad download, return its path."""

    def __init__(self, real_file: RealFile):
        self.real_file = real_file

    def __call__(self, fname: str, action: str, pooch_instance: object) -> str:
        try:
            verify_real_file(fname, self.real_file)
        except ValueError:
            if action in ("download", "update"):
                Path(fname).unlink(missing_ok=True)
            raise
        return fname


def fetch_real_file(
    real_file: RealFile,
    *,
    directory: str | os.PathLike | None = None,
    downloader: Callable | None = None,
) -> Path:
    """Return the path of a verified copy of one of the tutorial's real files.

    A copy already in ``directory`` is verified and used (an existing file
    that does not verify raises, it is never silently replaced); otherwise
    the file is downloaded with pooch from the pinned commit of
    scikit-image/skimage-tutorials, verified, and deleted again if it does
    not match.

    Parameters
    ----------
    real_file : RealFile
        :data:`REAL_COUNTS` or :data:`REAL_GENE_LENGTHS`.
    directory : str or path-like, optional
        Where to keep the file; default :func:`data_dir`.
    downloader : callable, optional
        A pooch downloader (``downloader(url, output_file, pooch)``); the
        default picks HTTP from the URL.

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    ValueError
        If the local or downloaded file is not the published one.
    OSError
        If the download fails (``requests`` errors are ``OSError``).

    Examples
    --------
    The files come from a pinned commit:

    >>> print(REAL_GENE_LENGTHS.url)
    https://raw.githubusercontent.com/scikit-image/skimage-tutorials/28cf4d9b9e94caace953541d7f830291ee59b3a0/data/gene-lens.npy

    Fetching needs the network the first time (later calls only verify):

    >>> path = fetch_real_file(REAL_GENE_LENGTHS)  # doctest: +SKIP
    >>> path.name  # doctest: +SKIP
    'gene-lens.npy'
    """
    import pooch

    folder = _resolve_directory(directory)
    local = folder / real_file.name
    if local.exists():
        verify_real_file(local, real_file)
        return local
    folder.mkdir(parents=True, exist_ok=True)
    known_hash = None if real_file.sha256 is None else f"sha256:{real_file.sha256}"
    try:
        fetched = pooch.retrieve(
            real_file.url,
            known_hash=known_hash,
            fname=real_file.name,
            path=folder,
            processor=_VerifyAfterDownload(real_file),
            downloader=downloader,
            progressbar=False,
        )
    except OSError as error:  # requests' exceptions are OSErrors too
        raise OSError(
            f"could not download {real_file.name} from {real_file.url} "
            f"(is the network reachable?): {error}"
        ) from error
    return Path(fetched)


def _real_files_present(folder: Path) -> bool:
    return all((folder / real.name).exists() for real in (REAL_COUNTS, REAL_GENE_LENGTHS))


def _real_counts(folder: Path, downloader: Callable | None = None) -> np.ndarray:
    path = fetch_real_file(REAL_COUNTS, directory=folder, downloader=downloader)
    return _read_counts(path)


def _real_gene_lengths(folder: Path, downloader: Callable | None = None) -> np.ndarray:
    path = fetch_real_file(REAL_GENE_LENGTHS, directory=folder, downloader=downloader)
    return _read_gene_lengths(path)


# --------------------------------------------------------------------------
# Synthetic cache
# --------------------------------------------------------------------------


def _cached_or_regenerated(
    path: Path,
    read: Callable[[Path], np.ndarray],
    generate: Callable[[], np.ndarray],
) -> np.ndarray:
    """Read a synthetic cache file; (re)generate it if missing or corrupt."""
    if path.exists():
        try:
            return read(path)
        except ValueError as problem:
            warnings.warn(
                f"regenerating the synthetic data cache: {problem}",
                RuntimeWarning,
                stacklevel=4,
            )
    array = generate()
    _save_atomically(path, array)
    return array


def _synthetic_gene_lengths(folder: Path) -> np.ndarray:
    return _cached_or_regenerated(
        folder / SYNTHETIC_GENE_LENGTHS_FILE, _read_gene_lengths, generate_gene_lengths
    )


def _synthetic_counts(folder: Path) -> np.ndarray:
    def generate() -> np.ndarray:
        return generate_counts(generate_gene_lengths(), real_library_sizes())

    return _cached_or_regenerated(folder / SYNTHETIC_COUNTS_FILE, _read_counts, generate)


def _choose_source(source: str, folder: Path) -> str:
    if source not in _SOURCES:
        raise ValueError(f"source must be one of {', '.join(map(repr, _SOURCES))}, got {source!r}")
    if source == "auto":
        return "real" if _real_files_present(folder) else "synthetic"
    return source


# --------------------------------------------------------------------------
# Loaders
# --------------------------------------------------------------------------


def load_counts(
    source: Source = "auto", *, directory: str | os.PathLike | None = None
) -> np.ndarray:
    """The course's count matrix: 20,500 genes x 375 samples.

    Parameters
    ----------
    source : {'auto', 'synthetic', 'real'}
        ``'synthetic'``: the generated matrix, created and cached on first
        use (about a second), regenerated with a warning if the cached file
        is corrupt. ``'real'``: the tutorial's ``expr.npy``, downloaded on
        first use and verified against its git blob id every time.
        ``'auto'`` (default): the real file if both real files are in the
        data directory (see ``genenorm-edu data --real``), else synthetic.
    directory : str or path-like, optional
        Data directory; default :func:`data_dir`.

    Returns
    -------
    counts : ndarray of uint32, shape (20500, 375), Fortran order
        Read counts, one row per gene, one column per sample; the column
        sums are the real library sizes (:func:`real_library_sizes`).

    Raises
    ------
    ValueError
        For an unknown ``source``, or a real file that fails verification.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     counts = load_counts("synthetic", directory=folder)
    >>> counts.shape, counts.dtype, counts.flags.f_contiguous
    ((20500, 375), dtype('uint32'), True)
    >>> np.array_equal(counts.sum(axis=0), real_library_sizes())
    True
    """
    folder = _resolve_directory(directory)
    if _choose_source(source, folder) == "real":
        return _real_counts(folder)
    return _synthetic_counts(folder)


def load_gene_lengths(
    source: Source = "auto", *, directory: str | os.PathLike | None = None
) -> np.ndarray:
    """The length in bases of each of the 20,500 genes.

    Parameters
    ----------
    source : {'auto', 'synthetic', 'real'}
        As in :func:`load_counts`; use the same ``source`` for both so that
        lengths and counts belong together.
    directory : str or path-like, optional
        Data directory; default :func:`data_dir`.

    Returns
    -------
    gene_lengths : ndarray of int64, shape (20500,)

    Raises
    ------
    ValueError
        For an unknown ``source``, or a real file that fails verification.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     gene_lengths = load_gene_lengths("synthetic", directory=folder)
    >>> gene_lengths.shape, gene_lengths.dtype
    ((20500,), dtype('int64'))
    >>> bool(2000 < np.median(gene_lengths) < 4000)
    True
    """
    folder = _resolve_directory(directory)
    if _choose_source(source, folder) == "real":
        return _real_gene_lengths(folder)
    return _synthetic_gene_lengths(folder)


# --------------------------------------------------------------------------
# Command line: genenorm-edu data
# --------------------------------------------------------------------------


def _summary(counts: np.ndarray, gene_lengths: np.ndarray) -> list[str]:
    order = "Fortran" if counts.flags.f_contiguous else "C"
    zero_fraction = float(np.count_nonzero(counts == 0)) / counts.size
    return [
        f"  counts:       {counts.dtype} {counts.shape}, {order} order, "
        f"{int(counts.sum(dtype=np.int64)):,} reads, {zero_fraction:.1%} zeros",
        f"  gene lengths: {gene_lengths.dtype} {gene_lengths.shape}, "
        f"{int(gene_lengths.min()):,} to {int(gene_lengths.max()):,} bases "
        f"(median {float(np.median(gene_lengths)):,.0f})",
    ]


def _run_data_command(args: argparse.Namespace) -> int:
    folder = _resolve_directory(args.data_dir)
    try:
        if args.real:
            counts = _real_counts(folder)
            gene_lengths = _real_gene_lengths(folder)
            files = (REAL_COUNTS.name, REAL_GENE_LENGTHS.name)
            label = "real data (verified against the published git blob ids)"
        else:
            counts = _synthetic_counts(folder)
            gene_lengths = _synthetic_gene_lengths(folder)
            files = (SYNTHETIC_COUNTS_FILE, SYNTHETIC_GENE_LENGTHS_FILE)
            label = f"synthetic data (seed {SYNTHETIC_SEED})"
    except (ValueError, OSError) as error:
        print(f"genenorm-edu data: error: {error}", file=sys.stderr)
        return 1
    print(f"data directory: {folder}")
    print(f"{label}: {files[0]}, {files[1]}")
    for line in _summary(counts, gene_lengths):
        print(line)
    if _real_files_present(folder):
        print("load_counts() and load_gene_lengths() use the real files (they are present).")
    else:
        print(
            "load_counts() and load_gene_lengths() use the synthetic files; "
            "`genenorm-edu data --real` downloads the real ones."
        )
    return 0


def register_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``data`` subcommand to the ``genenorm-edu`` command line.

    ``genenorm-edu data`` generates the synthetic data cache (or, with
    ``--real``, downloads and verifies the real files) and prints where it
    is with a short summary. The subparser's ``func`` returns the exit
    status: 0 on success, 1 if a file fails verification or cannot be
    downloaded.

    Parameters
    ----------
    subparsers
        The object returned by ``ArgumentParser.add_subparsers()``.

    Returns
    -------
    parser : argparse.ArgumentParser
        The new subparser.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="genenorm-edu")
    >>> _ = register_command(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["data", "--data-dir", "/tmp/course-data", "--real"])
    >>> args.data_dir, args.real
    ('/tmp/course-data', True)
    """
    parser = subparsers.add_parser(
        "data",
        help="generate (or download with --real) and verify the course data",
        description=(
            "Generate the synthetic count matrix and gene lengths into the data "
            f"directory (${DATA_DIR_ENV}, or data/ in a source checkout), or with "
            "--real download the tutorial's real files and verify them; print "
            "where they are and a summary."
        ),
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=None,
        help=f"data directory (default: ${DATA_DIR_ENV}, else data/ in a source checkout, "
        "else a per-user cache directory)",
    )
    parser.add_argument(
        "--real",
        action="store_true",
        help="download the real TCGA files from scikit-image/skimage-tutorials and verify them",
    )
    parser.set_defaults(func=_run_data_command)
    return parser

"""The course's two data files: what each must hold, where it is published, where it lives.

One :class:`DataFile` record per file (:data:`COUNTS`, :data:`GENE_LENGTHS`)
says everything the loaders, the downloader and the command line need: the
array's shape, dtype and memory order, a check of its values, the synthetic
generator and the cache file name, and the published real file
(:class:`PublishedFile`: repository, commit, git blob id, SHA-256).
:func:`data_dir` says where the files are kept.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genenorm_edu._checks import check_positive
from genenorm_edu.data.generate import (
    GENERATOR_VERSION,
    N_GENES,
    N_SAMPLES,
    real_library_sizes,
    synthetic_counts,
    synthetic_gene_lengths,
)
from genenorm_edu.data.npy import load_npy

__all__ = [
    "DATA_DIR_ENV",
    "REAL_DATA_REPOSITORY",
    "REAL_DATA_COMMIT",
    "PublishedFile",
    "DataFile",
    "REAL_COUNTS",
    "REAL_GENE_LENGTHS",
    "COUNTS",
    "GENE_LENGTHS",
    "DATA_FILES",
    "data_dir",
    "resolve_data_dir",
]

DATA_DIR_ENV = "GENENORM_EDU_DATA_DIR"

REAL_DATA_REPOSITORY = "scikit-image/skimage-tutorials"
REAL_DATA_COMMIT = "28cf4d9b9e94caace953541d7f830291ee59b3a0"


@dataclass(frozen=True)
class PublishedFile:
    """A file of the tutorial's repository and what it must hash to.

    Attributes
    ----------
    name : str
        File name, both in the repository's ``data/`` folder and in the cache.
    git_blob_id : str
        SHA-1 of ``b"blob <size>\\0" + content``, as ``git hash-object`` prints.
    sha256 : str or None
        SHA-256 of the content, when published; pooch checks it on download.
    repository : str
        GitHub ``owner/name`` of the repository.
    commit : str
        The pinned commit the file is downloaded from.

    Examples
    --------
    >>> print(REAL_GENE_LENGTHS.url)
    https://raw.githubusercontent.com/scikit-image/skimage-tutorials/28cf4d9b9e94caace953541d7f830291ee59b3a0/data/gene-lens.npy
    """

    name: str
    git_blob_id: str
    sha256: str | None = None
    repository: str = REAL_DATA_REPOSITORY
    commit: str = REAL_DATA_COMMIT

    @property
    def url(self) -> str:
        """Download address of the file at the pinned commit."""
        repository_at_commit = f"{self.repository}/{self.commit}"
        return f"https://raw.githubusercontent.com/{repository_at_commit}/data/{self.name}"


@dataclass(frozen=True)
class DataFile:
    """One of the course's data files: layout, content check and both sources.

    Attributes
    ----------
    description : str
        What the file holds, for messages (``"count matrix"``).
    shape : tuple of int
        Shape of the array.
    dtype : numpy.dtype
        Its dtype.
    fortran_order : bool or None
        The memory order the file must be stored in (``None``: either).
    check_content : callable
        ``check_content(array)`` raises ``ValueError`` saying what is wrong
        with the values (the file's name is added by :meth:`read`).
    generate : callable
        ``generate()`` returns the synthetic array (deterministic).
    synthetic_name : str
        File name of the synthetic array in the cache; it carries the
        generator's version, so a new generator never reads an old cache.
    published : PublishedFile
        The real file of the tutorial.
    """

    description: str
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool | None
    check_content: Callable[[np.ndarray], None]
    generate: Callable[[], np.ndarray]
    synthetic_name: str
    published: PublishedFile

    def read(self, path: str | os.PathLike) -> np.ndarray:
        """Load the file at ``path`` after checking its layout and values.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        array : ndarray

        Raises
        ------
        ValueError
            Naming the file and the problem: not a ``.npy`` file, wrong
            shape, dtype or memory order, truncated, or values that fail
            :attr:`check_content`.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "lengths.npy"
        ...     np.save(path, np.zeros(20_500, dtype=np.int64))
        ...     GENE_LENGTHS.read(path)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: .../lengths.npy: gene lengths must be positive, found 0 at index 0
        """
        path = Path(path)
        array = load_npy(
            path, shape=self.shape, dtype=self.dtype, fortran_order=self.fortran_order
        )
        try:
            self.check_content(array)
        except ValueError as problem:
            raise ValueError(f"{path}: {problem}") from None
        return array


def _check_library_sizes(counts: np.ndarray) -> None:
    """The count matrix must have the real library sizes as column sums."""
    column_sums = counts.sum(axis=0, dtype=np.int64)
    expected = real_library_sizes()
    mismatched = np.flatnonzero(column_sums != expected)
    if mismatched.size:
        first = int(mismatched[0])
        raise ValueError(
            f"library sizes differ from the tutorial's in {mismatched.size} "
            f"sample(s); sample {first} sums to {column_sums[first]}, "
            f"expected {expected[first]}"
        )


def _check_gene_lengths(gene_lengths: np.ndarray) -> None:
    check_positive(gene_lengths, "gene lengths")


REAL_COUNTS = PublishedFile("expr.npy", git_blob_id="5025bc10fe8051bf5d4c0ede9cf867424e2ad42f")
# The git blob id of gene-lens.npy is the one ``git hash-object`` gives for
# the file whose SHA-256 is the published one. (The project's data notes list
# 4d41aaff...b028, the same digits shifted by one place: a transcription slip.)
REAL_GENE_LENGTHS = PublishedFile(
    "gene-lens.npy",
    git_blob_id="d41aaff78b8fef892df2cc096ea46bf72bfb0282",
    sha256="15de134607f77b2c8ebacf7470735df5fe1fe19762c07de3e9e11eca292ba623",
)

#: The count matrix: uint32 reads, genes x samples, Fortran order.
COUNTS = DataFile(
    description="count matrix",
    shape=(N_GENES, N_SAMPLES),
    dtype=np.dtype(np.uint32),
    fortran_order=True,
    check_content=_check_library_sizes,
    generate=synthetic_counts,
    synthetic_name=f"counts-synthetic-v{GENERATOR_VERSION}.npy",
    published=REAL_COUNTS,
)

#: The length of each gene in bases (int64).
GENE_LENGTHS = DataFile(
    description="gene lengths",
    shape=(N_GENES,),
    dtype=np.dtype(np.int64),
    fortran_order=None,
    check_content=_check_gene_lengths,
    generate=synthetic_gene_lengths,
    synthetic_name=f"gene-lengths-synthetic-v{GENERATOR_VERSION}.npy",
    published=REAL_GENE_LENGTHS,
)

#: Every data file of the course, in the order the command line reports them.
DATA_FILES = (COUNTS, GENE_LENGTHS)


def _source_checkout_root() -> Path | None:
    """The repository root if the package runs from a source checkout."""
    root = Path(__file__).resolve().parents[2]
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


def resolve_data_dir(directory: str | os.PathLike | None) -> Path:
    """``directory`` as a path, or :func:`data_dir` when it is ``None``.

    Examples
    --------
    >>> resolve_data_dir("~/course").name
    'course'
    """
    return data_dir() if directory is None else Path(directory).expanduser()

"""Load a course data file: the real one if present, else the synthetic cache.

One loader, :func:`load_file`, serves every :class:`~genenorm_edu.data.files.DataFile`;
:func:`load_counts` and :func:`load_gene_lengths` are what the notebooks call.
The synthetic arrays are generated on first use and cached (written
atomically); a corrupt cache is regenerated with a warning. A real file is
verified against its git blob id on every load, and an error if it fails.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Literal

import numpy as np

from genenorm_edu.atomic import atomic_write
from genenorm_edu.data import download
from genenorm_edu.data.files import COUNTS, DATA_FILES, GENE_LENGTHS, DataFile, resolve_data_dir

__all__ = [
    "Source",
    "SOURCES",
    "real_files_present",
    "load_file",
    "load_counts",
    "load_gene_lengths",
]

Source = Literal["auto", "synthetic", "real"]
SOURCES: tuple[Source, ...] = ("auto", "synthetic", "real")


def real_files_present(folder: Path) -> bool:
    """Whether every real data file is in ``folder`` (then ``"auto"`` means real).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     real_files_present(Path(folder))
    False
    """
    return all((folder / data_file.published.name).exists() for data_file in DATA_FILES)


def _choose_source(source: str, folder: Path) -> Literal["synthetic", "real"]:
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(map(repr, SOURCES))}, got {source!r}")
    if source == "auto":
        return "real" if real_files_present(folder) else "synthetic"
    return source


def _save_npy(path: Path, array: np.ndarray) -> None:
    """Write ``array`` to ``path`` as ``.npy`` so that readers never see a partial file."""
    with atomic_write(path) as file:
        np.save(file, array, allow_pickle=False)


def _cached_or_generated(data_file: DataFile, folder: Path) -> np.ndarray:
    """Read the synthetic cache of ``data_file``; (re)generate it if missing or corrupt."""
    path = folder / data_file.synthetic_name
    if path.exists():
        try:
            return data_file.read(path)
        except ValueError as problem:
            warnings.warn(
                f"regenerating the synthetic data cache: {problem}",
                RuntimeWarning,
                stacklevel=4,  # the code that called load_counts / load_gene_lengths
            )
    array = data_file.generate()
    _save_npy(path, array)
    return array


def load_file(
    data_file: DataFile,
    source: Source = "auto",
    *,
    directory: str | os.PathLike | None = None,
) -> np.ndarray:
    """Load one of the course's data files.

    Parameters
    ----------
    data_file : DataFile
        :data:`~genenorm_edu.data.COUNTS` or :data:`~genenorm_edu.data.GENE_LENGTHS`.
    source : {'auto', 'synthetic', 'real'}
        As in :func:`load_counts`.
    directory : str or path-like, optional
        Data directory; default :func:`~genenorm_edu.data.data_dir`.

    Returns
    -------
    array : ndarray
        Checked against ``data_file``'s shape, dtype, memory order and
        content check.

    Raises
    ------
    ValueError
        For an unknown ``source``, or a real file that fails verification.
    OSError
        If a real file has to be downloaded and cannot be.

    Examples
    --------
    >>> import tempfile
    >>> from genenorm_edu.data import GENE_LENGTHS
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     gene_lengths = load_file(GENE_LENGTHS, "synthetic", directory=folder)
    >>> gene_lengths.shape == GENE_LENGTHS.shape
    True
    """
    folder = resolve_data_dir(directory)
    if _choose_source(source, folder) == "real":
        path = download.fetch_real_file(data_file.published, directory=folder)
        return data_file.read(path)
    return _cached_or_generated(data_file, folder)


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
        Data directory; default :func:`~genenorm_edu.data.data_dir`.

    Returns
    -------
    counts : ndarray of uint32, shape (20500, 375), Fortran order
        Read counts, one row per gene, one column per sample; the column
        sums are the real library sizes
        (:func:`~genenorm_edu.data.real_library_sizes`).

    Raises
    ------
    ValueError
        For an unknown ``source``, or a real file that fails verification.

    Examples
    --------
    >>> import tempfile
    >>> from genenorm_edu.data import real_library_sizes
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     counts = load_counts("synthetic", directory=folder)
    >>> counts.shape, counts.dtype, counts.flags.f_contiguous
    ((20500, 375), dtype('uint32'), True)
    >>> np.array_equal(counts.sum(axis=0), real_library_sizes())
    True
    """
    return load_file(COUNTS, source, directory=directory)


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
        Data directory; default :func:`~genenorm_edu.data.data_dir`.

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
    return load_file(GENE_LENGTHS, source, directory=directory)

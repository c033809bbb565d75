"""The tutorial's real data files: download with pooch, verified by git blob id.

Only ``gene-lens.npy`` has a published SHA-256; both files have a git blob id
(what ``git hash-object`` prints), which identifies the file at the pinned
commit. :func:`verify_real_file` checks both, and :func:`fetch_real_file`
downloads a missing file and deletes a download that does not verify.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from genenorm_edu.data.files import DATA_FILES, PublishedFile, resolve_data_dir
from genenorm_edu.data.npy import read_npy_header

__all__ = ["git_blob_id", "verify_real_file", "fetch_real_file"]


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


def verify_real_file(path: str | os.PathLike, real_file: PublishedFile) -> None:
    """Check that ``path`` is exactly the published ``real_file``.

    Compares the file's git blob id (and SHA-256 when one is published) with
    the pinned values.

    Parameters
    ----------
    path : str or path-like
        The local copy.
    real_file : PublishedFile
        :data:`~genenorm_edu.data.REAL_COUNTS` or
        :data:`~genenorm_edu.data.REAL_GENE_LENGTHS`.

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
    >>> import numpy as np
    >>> from genenorm_edu.data import REAL_GENE_LENGTHS
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
    raise ValueError(
        f"{path} is not the published {real_file.name}: its git blob id is {actual}, "
        f"expected {real_file.git_blob_id} ({path.stat().st_size} bytes)."
        f"{_what_it_is_instead(path, real_file)} "
        f"Delete it and run `genenorm-edu data --real` to download it again."
    )


def _what_it_is_instead(path: Path, real_file: PublishedFile) -> str:
    """A sentence (with a leading space) on what a file that failed verification holds."""
    try:
        header = read_npy_header(path)
    except ValueError:
        return " It is not even a readable .npy file."
    if header.data_bytes_present < header.data_bytes_expected:
        return (
            f" It is truncated: {header.data_bytes_present} of {header.data_bytes_expected} "
            "data bytes are present."
        )
    if _passes_content_checks(path, real_file):
        return (
            " Its shape, dtype and values pass the content checks, so either it is "
            "another matrix of the same layout (such as the synthetic one) or the "
            "pinned blob id is out of date -- please report it if you downloaded it "
            "from the pinned URL."
        )
    return ""


def _passes_content_checks(path: Path, real_file: PublishedFile) -> bool:
    """Whether ``path`` passes the checks of the data file published as ``real_file``."""
    for data_file in DATA_FILES:
        if data_file.published == real_file:
            try:
                data_file.read(path)
            except ValueError:
                return False
            return True
    return False


class _VerifyAfterDownload:
    """A pooch processor: verify the file, delete a bad download, return its path."""

    def __init__(self, real_file: PublishedFile):
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
    real_file: PublishedFile,
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
    real_file : PublishedFile
        :data:`~genenorm_edu.data.REAL_COUNTS` or
        :data:`~genenorm_edu.data.REAL_GENE_LENGTHS`.
    directory : str or path-like, optional
        Where to keep the file; default :func:`~genenorm_edu.data.data_dir`.
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
    Fetching needs the network the first time (later calls only verify):

    >>> from genenorm_edu.data import REAL_GENE_LENGTHS
    >>> path = fetch_real_file(REAL_GENE_LENGTHS)  # doctest: +SKIP
    >>> path.name  # doctest: +SKIP
    'gene-lens.npy'
    """
    import pooch

    folder = resolve_data_dir(directory)
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

"""Read a ``.npy`` file only after its header and size say it is what we expect.

``np.load`` trusts the file: a truncated file raises a low-level error, an
array of another shape or dtype loads silently. :func:`load_npy` reads the
header first and names the problem (not a ``.npy`` file, wrong shape, dtype
or memory order, truncated or too long) together with the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["NpyHeader", "read_npy_header", "load_npy"]


@dataclass(frozen=True)
class NpyHeader:
    """What the header of a ``.npy`` file announces, and the file's size.

    Attributes
    ----------
    shape : tuple of int
    fortran_order : bool
    dtype : numpy.dtype
    data_offset : int
        Where the array's bytes start.
    file_size : int
        Size of the whole file in bytes.
    """

    shape: tuple[int, ...]
    fortran_order: bool
    dtype: np.dtype
    data_offset: int
    file_size: int

    @property
    def data_bytes_expected(self) -> int:
        """How many bytes of data the header announces."""
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize

    @property
    def data_bytes_present(self) -> int:
        """How many bytes follow the header."""
        return self.file_size - self.data_offset


def read_npy_header(path: Path) -> NpyHeader:
    """Read the header of a ``.npy`` file.

    Parameters
    ----------
    path : pathlib.Path

    Returns
    -------
    header : NpyHeader

    Raises
    ------
    ValueError
        If ``path`` is not a readable ``.npy`` file.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "a.npy"
    ...     np.save(path, np.zeros((2, 3), dtype=np.uint32))
    ...     header = read_npy_header(path)
    >>> header.shape, header.dtype, header.data_bytes_expected
    ((2, 3), dtype('uint32'), 24)
    """
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
    return NpyHeader(shape, fortran_order, dtype, data_offset, path.stat().st_size)


def load_npy(
    path: Path,
    *,
    shape: tuple[int, ...],
    dtype: np.dtype,
    fortran_order: bool | None,
) -> np.ndarray:
    """Load a ``.npy`` file after checking its header and size.

    Parameters
    ----------
    path : pathlib.Path
    shape : tuple of int
        The shape the array must have.
    dtype : numpy.dtype
        The dtype it must have (byte order included).
    fortran_order : bool or None
        The memory order it must be stored in; ``None`` accepts either.

    Returns
    -------
    array : ndarray

    Raises
    ------
    ValueError
        Naming the problem: not a ``.npy`` file, wrong shape, dtype or memory
        order, or truncated / padded data.

    Examples
    --------
    >>> import tempfile
    >>> int64 = np.dtype(np.int64)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "a.npy"
    ...     np.save(path, np.arange(4, dtype=int64))
    ...     load_npy(path, shape=(5,), dtype=int64, fortran_order=None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: .../a.npy holds an array of shape (4,), expected (5,)
    """
    header = read_npy_header(path)
    if header.shape != shape:
        raise ValueError(f"{path} holds an array of shape {header.shape}, expected {shape}")
    if header.dtype != dtype:
        raise ValueError(f"{path} holds dtype {header.dtype}, expected {np.dtype(dtype)}")
    if fortran_order is not None and header.fortran_order != fortran_order:
        expected = "Fortran" if fortran_order else "C"
        raise ValueError(f"{path} is not stored in {expected} order")
    if header.data_bytes_present != header.data_bytes_expected:
        problem = (
            "truncated" if header.data_bytes_present < header.data_bytes_expected else "too long"
        )
        raise ValueError(
            f"{path} is {problem}: its header announces {header.data_bytes_expected} bytes "
            f"of data but the file holds {header.data_bytes_present}"
        )
    return np.load(path, allow_pickle=False)

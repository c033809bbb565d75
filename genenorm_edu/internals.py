"""Look inside an ndarray: its shape, dtype, strides, flags and raw bytes.

An ndarray is a block of memory (the *buffer*) plus the information needed to
read it as an n-dimensional table: the element type (``dtype``), the
``shape``, and the ``strides`` -- how many bytes to step in memory to move one
position along each axis. These helpers print or return that information so a
lesson can show it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The flags of ``ndarray.flags`` shown by :func:`print_info`, in display order.
#: (``UPDATEIFCOPY`` no longer exists; ``WRITEBACKIFCOPY`` replaced it.)
FLAG_NAMES = (
    "C_CONTIGUOUS",
    "F_CONTIGUOUS",
    "OWNDATA",
    "WRITEABLE",
    "ALIGNED",
    "WRITEBACKIFCOPY",
)


def array_info(a: np.ndarray) -> dict[str, Any]:
    """Return the layout of an array as a plain dictionary.

    Parameters
    ----------
    a : ndarray
        The array to describe.

    Returns
    -------
    info : dict
        Keys ``size``, ``ndim``, ``shape``, ``dtype`` (a string), ``itemsize``,
        ``nbytes``, ``strides`` and ``flags`` (a dict of the names in
        :data:`FLAG_NAMES` to bools).

    Examples
    --------
    >>> a = np.arange(12, dtype=np.int64).reshape(3, 4)
    >>> info = array_info(a)
    >>> info["shape"], info["strides"]
    ((3, 4), (32, 8))
    >>> array_info(a.T)["strides"]
    (8, 32)
    >>> array_info(a.T)["flags"]["F_CONTIGUOUS"]
    True
    """
    if not isinstance(a, np.ndarray):
        raise TypeError(f"array_info expects a NumPy ndarray, got {type(a).__name__}")
    return {
        "size": a.size,
        "ndim": a.ndim,
        "shape": a.shape,
        "dtype": str(a.dtype),
        "itemsize": a.itemsize,
        "nbytes": a.nbytes,
        "strides": a.strides,
        "flags": {flag: bool(a.flags[flag]) for flag in FLAG_NAMES},
    }


def print_info(a: np.ndarray) -> None:
    """Print an array's size, dimensions, shape, dtype, strides and flags.

    Parameters
    ----------
    a : ndarray
        The array to describe.

    Examples
    --------
    >>> print_info(np.zeros((2, 3), dtype=np.int64))
    number of elements: 6
    number of dimensions: 2
    shape: (2, 3)
    data type: int64
    strides: (24, 8)
    flags:
      C_CONTIGUOUS: True
      F_CONTIGUOUS: False
      OWNDATA: True
      WRITEABLE: True
      ALIGNED: True
      WRITEBACKIFCOPY: False
    """
    info = array_info(a)
    print("number of elements:", info["size"])
    print("number of dimensions:", info["ndim"])
    print("shape:", info["shape"])
    print("data type:", info["dtype"])
    print("strides:", info["strides"])
    print("flags:")
    for flag, value in info["flags"].items():
        print(f"  {flag}: {value}")


def byte_view(a: np.ndarray) -> np.ndarray:
    """Return the raw bytes of a contiguous array as a 1-D ``uint8`` view.

    The result shares memory with ``a`` (no copy): changing a byte changes
    the array. Bytes come in memory order, so a Fortran-ordered array shows
    its columns one after another.

    Parameters
    ----------
    a : ndarray
        A C- or Fortran-contiguous array.

    Returns
    -------
    bytes_view : ndarray of uint8, shape (a.nbytes,)

    Raises
    ------
    ValueError
        If ``a`` is not contiguous (for example ``a[:, ::2]``): such an array
        is a window with gaps onto someone else's buffer, and its elements are
        not one run of bytes. Look at ``byte_view(a.base)`` or
        ``byte_view(a.copy())`` instead.

    Examples
    --------
    On a little-endian machine, the first eight bytes of an int64 holding
    100 are 100 followed by seven zeros:

    >>> a = np.array([[100, 200], [50, 0]], dtype="<i8")
    >>> byte_view(a)[:8]
    array([100,   0,   0,   0,   0,   0,   0,   0], dtype=uint8)
    >>> np.shares_memory(byte_view(a), a)
    True
    """
    if not isinstance(a, np.ndarray):
        raise TypeError(f"byte_view expects a NumPy ndarray, got {type(a).__name__}")
    if not (a.flags.c_contiguous or a.flags.f_contiguous):
        raise ValueError(
            f"byte_view needs a contiguous array; this one (shape {a.shape}, strides "
            f"{a.strides}) skips over memory. Use byte_view(a.base) or byte_view(a.copy())."
        )
    memory_order = a.ravel(order="K")  # a view, because a is contiguous
    return memory_order.view(np.uint8)

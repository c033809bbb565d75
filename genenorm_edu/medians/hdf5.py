"""Opening HDF5 input files: one place that turns HDF5 failures into input errors."""

from __future__ import annotations

from pathlib import Path

import h5py

from genenorm_edu.medians.errors import InputFileError


def open_input(path: str | Path, error_type: type[InputFileError] = InputFileError) -> h5py.File:
    """Open ``path`` read-only; a missing or unreadable file raises ``error_type``.

    Examples
    --------
    >>> from genenorm_edu.medians.errors import LoomFileError
    >>> open_input("/nonexistent.loom", LoomFileError)
    Traceback (most recent call last):
    ...
    genenorm_edu.medians.errors.LoomFileError: /nonexistent.loom: file not found
    """
    try:
        return h5py.File(path, "r")
    except FileNotFoundError:
        raise error_type(path, "file not found") from None
    except OSError as error:
        raise error_type(path, f"cannot be read as HDF5 (corrupt or truncated?): {error}") from None

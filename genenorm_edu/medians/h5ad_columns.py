"""The ``obs``/``var`` columns of an AnnData ``.h5ad`` file, decoded as anndata decodes them.

The common encodings (``array``, ``string-array``, ``categorical``,
``nullable-integer``, ``nullable-boolean``) are read with h5py directly:
importing anndata costs a second or more in every worker process. Any
other encoding is left to ``anndata.io.read_elem``.
"""

from __future__ import annotations

import h5py
import numpy as np

from genenorm_edu.medians.errors import H5adFileError

__all__ = ["read_column", "read_index"]


def _plain(values) -> np.ndarray:
    """An ``obs``/``var`` column as read by anndata, as a NumPy array."""
    if hasattr(values, "to_numpy"):  # pandas Categorical or nullable array
        if getattr(values.dtype, "kind", "O") in "iufb" and hasattr(values, "isna") and values.isna().any():
            return values.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.asarray(values.to_numpy())
    return np.asarray(values)


def _decoded(element) -> np.ndarray | None:
    """A column in one of AnnData's common encodings, read with h5py (None: leave it to anndata).

    ``array``, ``string-array``, ``categorical`` (missing values: NaN) and
    ``nullable-integer``/``-boolean`` (missing: NaN) are read as anndata
    reads them, without importing anndata (a second or more per process).
    """
    encoding = element.attrs.get("encoding-type", "")
    if isinstance(element, h5py.Dataset):
        if encoding == "array" and element.ndim == 1 and element.dtype.kind in "iufb":
            return element[:]
        if encoding == "string-array" and element.ndim == 1 and h5py.check_string_dtype(element.dtype):
            return np.array(element.asstr()[:], dtype=object)
        return None
    if encoding == "categorical" and set(element) == {"codes", "categories"}:
        categories = _decoded(element["categories"])
        codes = element["codes"]
        if categories is None or codes.ndim != 1 or codes.dtype.kind not in "iu":
            return None
        codes = codes[:].astype(np.int64)
        if len(codes) and (codes.min() < -1 or codes.max() >= len(categories)):
            raise ValueError(f"category codes outside -1..{len(categories) - 1}")
        values = np.empty(len(codes), dtype=object)
        values[:] = np.asarray(categories, dtype=object)[np.maximum(codes, 0)] if len(categories) else np.nan
        values[codes < 0] = np.nan
        return values
    if encoding in ("nullable-integer", "nullable-boolean") and set(element) == {"values", "mask"}:
        values, mask = element["values"][:], element["mask"][:]
        if values.ndim != 1 or mask.shape != values.shape:
            return None
        if not mask.any():
            return values
        return np.where(mask.astype(bool), np.nan, values.astype(np.float64))
    return None


def read_column(file: h5py.File, path, frame: str, name: str) -> np.ndarray | None:
    """Column ``name`` of ``obs``/``var`` (None if absent), decoded as anndata does."""
    group = file.get(frame)
    if not isinstance(group, h5py.Group):
        raise H5adFileError(path, f"no '{frame}' dataframe (not an AnnData file?)")
    element = group.get(name)
    if element is None:
        return None
    try:
        values = _decoded(element)
        if values is None:
            from anndata.io import read_elem  # other encodings: anndata's own reader

            values = _plain(read_elem(element))
        return values
    except Exception as error:  # anndata raises various types on malformed elements
        raise H5adFileError(path, f"cannot read {frame} column '{name}': {error}") from None


def read_index(file: h5py.File, path, frame: str) -> np.ndarray:
    group = file.get(frame)
    name = group.attrs.get("_index", "_index") if isinstance(group, h5py.Group) else "_index"
    values = read_column(file, path, frame, str(name))
    if values is None:
        raise H5adFileError(path, f"'{frame}' has no index")
    return values

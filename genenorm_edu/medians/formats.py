"""The input formats: one reader module per format, chosen here and nowhere else.

A reader module (``loom``, ``h5ad``) provides

* ``inspect(path, options) -> FileLayout``: the file's attributes, no matrix;
* ``feed_genes(layout, rows, digests)``: the counts of the matrix rows
  ``rows`` (ascending gene positions), normalised, into ``digests``, each
  in cell order.

Readers are imported when first used (``.h5ad`` needs anndata, slow to
import). Adding a format is adding a module and a line to :data:`READERS`.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from genenorm_edu.medians.errors import InputFileError

__all__ = ["READERS", "input_suffixes", "reader_for_layout", "reader_for_path"]

#: File name ending -> (format name, reader module).
READERS: dict[str, tuple[str, str]] = {
    ".loom": ("loom", "genenorm_edu.medians.loom"),
    ".h5ad": ("h5ad", "genenorm_edu.medians.h5ad"),
}


def input_suffixes() -> tuple[str, ...]:
    """The file name endings the workflow reads.

    Examples
    --------
    >>> input_suffixes()
    ('.loom', '.h5ad')
    """
    return tuple(READERS)


def reader_for_path(path: str | Path) -> ModuleType:
    """The reader module for ``path``, by its name's ending (``.loom`` when unknown, as loompy does).

    Examples
    --------
    >>> reader_for_path("a/b.h5ad").FORMAT, reader_for_path("a/b.loom").FORMAT
    ('h5ad', 'loom')
    """
    _, module = READERS.get(Path(path).suffix, READERS[".loom"])
    return importlib.import_module(module)


def reader_for_layout(layout) -> ModuleType:
    """The reader module that made ``layout`` (its ``format``)."""
    for name, module in READERS.values():
        if name == layout.format:
            return importlib.import_module(module)
    raise InputFileError(layout.path, f"no reader for format {layout.format!r}")

"""Geneformer's non-zero median expression of each gene over many ``.loom`` and ``.h5ad`` files.

For every gene of the wanted types (``protein_coding`` and ``miRNA`` by
default), the median of its non-zero normalised expression over all cells
passing quality filtering: each count divided by the cell's total count
(``n_counts``) and multiplied by 10,000. The values are streamed into one
t-digest per gene and file (``crick.TDigest``), the digests merged across
files, and the median read off with ``quantile(0.5)``.

One module per idea, each importing only those above it:

``defaults``, ``errors``
    The defaults (gene types, 10,000, block sizes); the exceptions, by whose
    fault a failure is (input, digest file, output).
``state``, ``records``
    The exact crick state of many digests (:class:`PackedDigests`); the
    records every step shares: :class:`SourceSignature`, :class:`CellCounts`,
    :class:`FileRecord` and one file's digests, :class:`FileDigests`.
``layout``
    A file's layout (:class:`FileLayout`: genes, cells, storage and the
    run's :class:`ReadOptions`), built from its attributes.
``normalize``, ``planning``
    A tile of counts to non-zero normalised values (:func:`nonzero_normalized`);
    how genes and cells are cut into tasks and tiles.
``hdf5``, ``chunks``, ``loom``, ``h5ad``, ``formats``
    Opening HDF5 inputs; fast reads of loom's gzip chunks; one reader per
    format (``inspect``, ``feed_genes``); the registry that picks one.
``digest``
    The per-file driver: :func:`inspect_file`, :func:`digest_gene_block`,
    :func:`digest_file`, :func:`digest_loom`.
``digestfile``, ``merge``, ``results``
    Digest files (:func:`save_digests`, :func:`load_digests`: HDF5,
    validated on reading, no pickle); merging (:func:`merge_digests`,
    :func:`merge_digest_files`, :func:`medians_from_digests`); result files.
``discovery``, ``cluster``, ``executors``, ``tasks``, ``workflow``
    Input discovery (:func:`find_input_files`); cluster set-up
    (:func:`local_cluster`); where tasks run (this process, local
    processes, Dask); the tasks; :func:`run_workflow`, resumable.
``corpus``, ``command``
    Synthetic ``.loom``/``.h5ad`` files (:func:`make_corpus`); the
    ``genenorm-edu medians`` and ``make-corpus`` commands.

Names are imported from their modules when first used, so that importing
the package (e.g. for the command line) costs almost nothing.

Examples
--------
>>> import tempfile
>>> import numpy as np
>>> from genenorm_edu.medians import make_loom, digest_loom, merge_digests
>>> from genenorm_edu.medians import medians_from_digests
>>> with tempfile.TemporaryDirectory() as tmp:
...     paths = [make_loom(f"{tmp}/{name}.loom", genes=30, cells=50, seed=seed)
...              for seed, name in enumerate(["a", "b"])]
...     per_file = [digest_loom(path).as_dict() for path in paths]
>>> medians = medians_from_digests(merge_digests(per_file))
>>> all(np.isnan(value) or value > 0 for value in medians.values())
True
"""

import importlib

#: Public name -> module that defines it.
_EXPORTS = {
    "DEFAULT_GENE_TYPES": "defaults",
    "NORMALIZATION_TARGET": "defaults",
    "DigestFileError": "errors",
    "H5adFileError": "errors",
    "InputFileError": "errors",
    "LoomFileError": "errors",
    "OutputError": "errors",
    "WorkflowAborted": "errors",
    "PackedDigests": "state",
    "digest_from_state": "state",
    "digest_state": "state",
    "CellCounts": "records",
    "FileDigests": "records",
    "FileRecord": "records",
    "FileLayout": "layout",
    "ReadOptions": "layout",
    "nonzero_normalized": "normalize",
    "inspect_h5ad": "h5ad",
    "digest_file": "digest",
    "digest_gene_block": "digest",
    "digest_loom": "digest",
    "inspect_file": "digest",
    "inspect_loom": "digest",
    "load_digests": "digestfile",
    "save_digests": "digestfile",
    "detection_counts": "merge",
    "medians_from_digests": "merge",
    "merge_digest_files": "merge",
    "merge_digests": "merge",
    "read_gene_list": "merge",
    "write_median_results": "results",
    "find_input_files": "discovery",
    "local_cluster": "cluster",
    "WorkflowResult": "workflow",
    "run_workflow": "workflow",
    "make_corpus": "corpus",
    "make_h5ad": "corpus",
    "make_loom": "corpus",
    "write_h5ad": "corpus",
    "write_loom": "corpus",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))

"""Geneformer's non-zero median expression of each gene over many ``.loom`` and ``.h5ad`` files.

For every gene of the wanted types (``protein_coding`` and ``miRNA`` by
default), the median of its non-zero normalised expression over all cells
passing quality filtering: each count divided by the cell's total count
(``n_counts``) and multiplied by 10,000. The values are streamed into one
t-digest per gene and file (``crick.TDigest``), the digests merged across
files, and the median read off with ``quantile(0.5)``.

The steps, one module each:

``corpus``
    :func:`make_corpus`, :func:`make_loom`: synthetic ``.loom`` (and
    ``.h5ad``) files.
``digest``
    :func:`nonzero_normalized` (one block of counts to non-zero normalised
    values), :func:`inspect_loom` and :func:`digest_gene_block` (one task),
    :func:`digest_file` / :func:`digest_loom` (one file, serially).
``errors``
    The exceptions, by whose fault a failure is (input, digest file, output).
``chunks``
    Fast reads of loom's gzip chunks (libdeflate).
``h5ad``
    :func:`inspect_h5ad`: AnnData files (dense, CSR or CSC), read with h5py.
``store``
    :func:`save_digests` / :func:`load_digests` (HDF5 digest files,
    validated on reading, no pickle), :func:`write_median_results`.
``merge``
    :func:`merge_digests`, :func:`merge_digest_files` (one parallel merge
    task), :func:`medians_from_digests`, :func:`detection_counts`,
    :func:`read_gene_list`.
``workflow``
    :func:`find_input_files`, :func:`run_workflow`, :func:`local_cluster`:
    everything, resumable, on Dask.
``command``
    The ``genenorm-edu medians`` and ``genenorm-edu make-corpus`` commands.

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

from genenorm_edu.medians.corpus import make_corpus, make_h5ad, make_loom, write_h5ad, write_loom
from genenorm_edu.medians.digest import (
    DEFAULT_GENE_TYPES,
    NORMALIZATION_TARGET,
    FileDigests,
    FileLayout,
    digest_file,
    digest_gene_block,
    digest_loom,
    inspect_loom,
    nonzero_normalized,
)
from genenorm_edu.medians.errors import (
    DigestFileError,
    H5adFileError,
    InputFileError,
    LoomFileError,
    OutputError,
    WorkflowAborted,
)
from genenorm_edu.medians.h5ad import inspect_h5ad
from genenorm_edu.medians.merge import (
    detection_counts,
    medians_from_digests,
    merge_digest_files,
    merge_digests,
    read_gene_list,
)
from genenorm_edu.medians.store import (
    digest_from_state,
    digest_state,
    load_digests,
    save_digests,
    write_median_results,
)
from genenorm_edu.medians.workflow import (
    WorkflowResult,
    find_input_files,
    local_cluster,
    run_workflow,
)

__all__ = [
    "DEFAULT_GENE_TYPES",
    "NORMALIZATION_TARGET",
    "DigestFileError",
    "FileDigests",
    "FileLayout",
    "H5adFileError",
    "InputFileError",
    "LoomFileError",
    "OutputError",
    "WorkflowAborted",
    "WorkflowResult",
    "detection_counts",
    "digest_file",
    "digest_from_state",
    "digest_gene_block",
    "digest_loom",
    "digest_state",
    "find_input_files",
    "inspect_h5ad",
    "inspect_loom",
    "load_digests",
    "local_cluster",
    "make_corpus",
    "make_h5ad",
    "make_loom",
    "medians_from_digests",
    "merge_digest_files",
    "merge_digests",
    "nonzero_normalized",
    "read_gene_list",
    "run_workflow",
    "save_digests",
    "write_h5ad",
    "write_loom",
    "write_median_results",
]

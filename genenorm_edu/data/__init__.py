"""The course data: a count matrix and gene lengths, synthetic or real.

The lessons use the count matrix of the Advanced NumPy tutorial (TCGA skin
cutaneous melanoma RNA-seq: ``uint32``, 20,500 genes x 375 samples, Fortran
order) and the length of each gene (``int64``, 20,500 values).

The real files live in the public repository scikit-image/skimage-tutorials.
Machines without network access cannot fetch them, so the package also
generates a synthetic count matrix with the same shape, dtype, memory order
and the same 375 library sizes (column sums), and gene lengths with the same
distribution.

Modules
-------
generate
    The synthetic generator (:func:`generate_counts`,
    :func:`generate_gene_lengths`), deterministic for a seed, and the real
    library sizes it reproduces (:func:`real_library_sizes`).
files
    One :class:`DataFile` record per file (:data:`COUNTS`,
    :data:`GENE_LENGTHS`): shape, dtype, memory order, content check,
    generator, cache name and the published real file
    (:class:`PublishedFile`: :data:`REAL_COUNTS`, :data:`REAL_GENE_LENGTHS`);
    :func:`data_dir`, where the files live (``GENENORM_EDU_DATA_DIR``).
npy
    Reading a ``.npy`` file only after its header says it is the expected array.
download
    :func:`fetch_real_file`, :func:`verify_real_file`, :func:`git_blob_id`:
    download of the real files with pooch, checked against their git blob ids.
load
    :func:`load_counts`, :func:`load_gene_lengths` (the loaders the
    notebooks use) and :func:`load_file`, the one loader behind them: real files
    when present, else the synthetic cache, generated on first use.
command
    :func:`register_command`: the ``genenorm-edu data`` subcommand.
"""

from genenorm_edu.data.command import register_command
from genenorm_edu.data.download import fetch_real_file, git_blob_id, verify_real_file
from genenorm_edu.data.files import (
    COUNTS,
    DATA_DIR_ENV,
    DATA_FILES,
    GENE_LENGTHS,
    REAL_COUNTS,
    REAL_GENE_LENGTHS,
    DataFile,
    PublishedFile,
    data_dir,
)
from genenorm_edu.data.generate import (
    N_GENES,
    N_SAMPLES,
    SYNTHETIC_SEED,
    generate_counts,
    generate_gene_lengths,
    real_library_sizes,
)
from genenorm_edu.data.load import Source, load_counts, load_file, load_gene_lengths

__all__ = [
    "N_GENES",
    "N_SAMPLES",
    "DATA_DIR_ENV",
    "SYNTHETIC_SEED",
    "Source",
    "PublishedFile",
    "DataFile",
    "REAL_COUNTS",
    "REAL_GENE_LENGTHS",
    "COUNTS",
    "GENE_LENGTHS",
    "DATA_FILES",
    "data_dir",
    "real_library_sizes",
    "generate_gene_lengths",
    "generate_counts",
    "git_blob_id",
    "verify_real_file",
    "fetch_real_file",
    "load_file",
    "load_counts",
    "load_gene_lengths",
    "register_command",
]

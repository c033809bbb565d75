"""genenorm-edu: advanced NumPy on gene-expression data.

Modules
-------
internals
    Inspect an ndarray's memory layout (shape, strides, flags, raw bytes).
memory_picture
    Draw a buffer as a row of cells and mark the cells a view reads.
measure
    Time a call and measure the memory it allocates.
normalization
    Library size, RPKM and quantile normalization for real sizes.
exercises
    The graded exercises, their visible tests and hints.
reference
    Readable reference solutions of the exercises (instructors only).
data
    The course's count matrix and gene lengths: synthetic generator, cache,
    verified download of the real files.
plotting
    Per-column density plots.
medians
    Geneformer's per-gene non-zero median expression over many ``.loom``
    files, streamed through t-digests.

Submodules are not imported here, so ``import genenorm_edu`` stays cheap.
"""

__version__ = "0.1.0"

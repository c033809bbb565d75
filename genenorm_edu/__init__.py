"""genenorm-edu: advanced NumPy on gene-expression data.

Modules
-------
internals
    Inspect an ndarray's memory layout (shape, strides, flags, raw bytes).
reference
    Reference solutions of the course exercises (library size, RPKM,
    closest-to-value, 3-D broadcasting, quantile normalization). Not in the
    students' copy of the course (``genenorm-edu student-bundle``), nor is
    ``grading`` (the grader and its hidden tests).
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

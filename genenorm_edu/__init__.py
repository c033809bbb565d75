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
    Library size, RPKM and quantile normalization for real sizes (not in the
    students' copy of the course: it would answer lessons 2 and 3).
exercises
    The graded exercises: what each asks, how a result is judged, the
    mistakes it recognizes, the visible tests (``check_exercise``), hints.
reference
    Readable reference solutions of the exercises, one module per lesson
    (instructors only: not in the students' copy of the course,
    ``genenorm-edu student-bundle``, nor is ``grading``; hidden while grading).
data
    The course's count matrix and gene lengths (a package): synthetic
    generator (``data.generate``), one record per data file (``data.files``),
    checked ``.npy`` reading (``data.npy``), verified download of the real
    files (``data.download``), the loaders and their cache (``data.load``)
    and the ``genenorm-edu data`` command (``data.command``).
density
    Gaussian kernel density estimates of every column of a matrix (scipy's
    curves, binned and smoothed through the FFT in ``binned_kde``).
plotting
    Per-column density plots: curves, and a samples x values heat map.
feedback
    Checks of a student's result, with messages a student can act on
    (``check_array``, ``check_dtype``, ``check_equal``, ``check_written_here``;
    a package: the error and its words, checks of a result, of its origin).
course
    The course's assignments and folders.
grading
    Instructor tooling: grading with nbgrader out of the students' reach
    (sandbox, hidden tests, preprocessors, release of the student notebooks).
medians
    Geneformer's per-gene non-zero median expression over many ``.loom``
    and ``.h5ad`` files, streamed through t-digests (the students' copy keeps
    only ``medians.corpus``, the synthetic files of lesson 4).
atomic
    ``atomic_write``: every result file is written whole or not at all.
cores
    ``usable_cores``: the default number of workers and threads.
cli
    The ``genenorm-edu`` command line (``data``, ``medians``, ``make-corpus``;
    for instructors ``release``, ``student-bundle``, ``autograde``,
    ``generate-feedback``).
command_error
    How a subcommand reports an error (``CommandError``: usage or
    environment, exit status 2; ``BadInputError``: exit status 1).

Input checks shared by the public functions live in the private ``_checks``.
Submodules are not imported here, so ``import genenorm_edu`` stays cheap.
"""

__version__ = "0.1.0"

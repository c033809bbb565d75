"""Reference solutions of the course exercises (instructors only).

Each function is what a good student would write in the exercise's answer
cell: small, readable, NumPy only (and ``scipy.stats`` where the lesson
uses it). The grader computes the expected results of hidden tests with
them (:mod:`genenorm_edu.grading.hidden`); they are not part of the
students' copy of the course, and a student's kernel cannot read them (the
whole ``reference/`` folder is in
:data:`~genenorm_edu.grading.policy.SECRET_PATHS`).

The production versions of library size, RPKM and quantile normalization
(input checks, no avoidable temporaries, threads) are in
:mod:`genenorm_edu.normalization`.

One module per lesson, all names importable from here:

- :mod:`~genenorm_edu.reference.lesson1`, inside an ndarray: :func:`c_strides`,
  :func:`byte_offset`, :func:`stepped_view`, :func:`little_endian_value`,
  :func:`reshape_copies`.
- :mod:`~genenorm_edu.reference.lesson2`, axes and broadcasting:
  :func:`closest_to`, :func:`broadcast_shape`, :func:`rpkm`, :func:`outer_sum`,
  :func:`gene_zscores`, :func:`rolling_mean`.
- :mod:`~genenorm_edu.reference.lesson3`, fancy indexing: :func:`gene_totals`,
  :func:`qnorm`, :func:`ordinal_ranks`, :func:`top_genes`, :func:`tie_blocks`.
- :mod:`~genenorm_edu.reference.lesson4`, non-zero medians:
  :func:`nonzero_normalized`, :func:`nonzero_medians`,
  :func:`rank_value_encoding`, :func:`encode_cells`.
"""

from __future__ import annotations

from genenorm_edu.reference.lesson1 import byte_offset, c_strides, little_endian_value, reshape_copies, stepped_view
from genenorm_edu.reference.lesson2 import broadcast_shape, closest_to, gene_zscores, outer_sum, rolling_mean, rpkm
from genenorm_edu.reference.lesson3 import gene_totals, ordinal_ranks, qnorm, tie_blocks, top_genes
from genenorm_edu.reference.lesson4 import encode_cells, nonzero_medians, nonzero_normalized, rank_value_encoding

__all__ = [
    "broadcast_shape",
    "byte_offset",
    "c_strides",
    "closest_to",
    "encode_cells",
    "gene_totals",
    "gene_zscores",
    "little_endian_value",
    "nonzero_medians",
    "nonzero_normalized",
    "ordinal_ranks",
    "outer_sum",
    "qnorm",
    "rank_value_encoding",
    "reshape_copies",
    "rolling_mean",
    "rpkm",
    "stepped_view",
    "tie_blocks",
    "top_genes",
]

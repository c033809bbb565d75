"""Lesson 4 exercises: non-zero medians over a corpus.

Two parts: :mod:`~genenorm_edu.exercises.lesson4.per_gene` (a block's
non-zero normalized values and non-zero medians, per gene) and
:mod:`~genenorm_edu.exercises.lesson4.encoding` (Geneformer's rank value
encoding, of one cell and of a batch).
"""

from __future__ import annotations

from genenorm_edu.exercises.lesson4.encoding import ENCODE_CELLS, RANK_VALUE_ENCODING
from genenorm_edu.exercises.lesson4.per_gene import NONZERO_MEDIANS, NONZERO_NORMALIZED

__all__ = ["ENCODE_CELLS", "EXERCISES", "NONZERO_MEDIANS", "NONZERO_NORMALIZED", "RANK_VALUE_ENCODING"]

#: The lesson's exercises, in notebook order.
EXERCISES = (NONZERO_NORMALIZED, NONZERO_MEDIANS, RANK_VALUE_ENCODING, ENCODE_CELLS)

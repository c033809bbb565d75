"""Lesson 3 exercises: fancy indexing and quantile normalization.

Two parts: :mod:`~genenorm_edu.exercises.lesson3.counting` (totals over
repeated indices, tie blocks) and :mod:`~genenorm_edu.exercises.lesson3.ranks`
(ordinal ranks, the top genes, quantile normalization). Every answer cell of
the lesson may use :data:`~genenorm_edu.exercises.lesson3.provided.LESSON_MODULES`.
"""

from __future__ import annotations

from genenorm_edu.exercises.lesson3.counting import GENE_TOTALS, TIE_BLOCKS
from genenorm_edu.exercises.lesson3.ranks import ORDINAL_RANKS, QNORM, TOP_GENES

__all__ = ["EXERCISES", "GENE_TOTALS", "ORDINAL_RANKS", "QNORM", "TIE_BLOCKS", "TOP_GENES"]

#: The lesson's exercises, in notebook order.
EXERCISES = (GENE_TOTALS, ORDINAL_RANKS, TIE_BLOCKS, TOP_GENES, QNORM)

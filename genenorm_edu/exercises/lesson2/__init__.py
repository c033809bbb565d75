"""Lesson 2 exercises: axes and broadcasting.

Two parts, as in the notebook: :mod:`~genenorm_edu.exercises.lesson2.axes`
(one result per row, reductions along an axis, sliding windows) and
:mod:`~genenorm_edu.exercises.lesson2.broadcasting` (the broadcasting rule,
RPKM, sums in more dimensions).
"""

from __future__ import annotations

from genenorm_edu.exercises.lesson2.axes import CLOSEST_TO, GENE_ZSCORES, ROLLING_MEAN
from genenorm_edu.exercises.lesson2.broadcasting import BROADCAST_SHAPE, OUTER_SUM, RPKM

__all__ = ["BROADCAST_SHAPE", "CLOSEST_TO", "EXERCISES", "GENE_ZSCORES", "OUTER_SUM", "ROLLING_MEAN", "RPKM"]

#: The lesson's exercises, in notebook order.
EXERCISES = (CLOSEST_TO, BROADCAST_SHAPE, RPKM, GENE_ZSCORES, OUTER_SUM, ROLLING_MEAN)

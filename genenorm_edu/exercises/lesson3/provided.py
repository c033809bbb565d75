"""What the answer cells of lesson 3 may use without importing it."""

from __future__ import annotations

__all__ = ["LESSON_MODULES"]

#: What every answer cell of lesson 3 may use without importing it.
LESSON_MODULES = {"np": "numpy", "stats": "scipy.stats"}

"""Checks of a student's result, with messages a student can act on.

A bare ``assert np.allclose(result, expected)`` tells a student only that
something is wrong. The checks here say *what*: the result is not an array,
has the wrong shape or dtype, or which entries (row and column) differ and by
how much. The exercises (:mod:`genenorm_edu.exercises`) use them, in the
student's notebook and in the grader alike.

Every failed check raises :class:`Mismatch`, an ``AssertionError`` carrying
two texts: the full message (with the values involved, for visible tests)
and a summary without any value (for hidden tests, whose inputs and expected
results must not reach the student).

Three modules, all names importable from here:

- :mod:`~genenorm_edu.feedback.mismatch`: :class:`Mismatch` and the fixed
  words that describe a student's value (:func:`value_kind`,
  :func:`dtype_text`, :func:`type_name`);
- :mod:`~genenorm_edu.feedback.results`: checks of a result
  (:func:`check_array`, :func:`check_dtype`, :func:`check_pair`,
  :func:`check_equal`);
- :mod:`~genenorm_edu.feedback.provenance`: checks of where the function and
  the names it uses come from (:func:`check_written_here`,
  :func:`check_self_contained`).

Examples
--------
>>> import numpy as np
>>> check_array(np.array([1.0, 2.5]), np.array([1.0, 2.0]), name="rpkm(...)")
Traceback (most recent call last):
...
genenorm_edu.feedback.Mismatch: rpkm(...) has wrong values in 1 of 2 entries. First at index 1: got 2.5, expected 2.0.
"""

from __future__ import annotations

from genenorm_edu.feedback.mismatch import Mismatch, dtype_text, type_name, value_kind
from genenorm_edu.feedback.provenance import check_self_contained, check_written_here
from genenorm_edu.feedback.results import check_array, check_dtype, check_equal, check_pair

__all__ = [
    "Mismatch",
    "check_array",
    "check_dtype",
    "check_equal",
    "check_pair",
    "check_self_contained",
    "check_written_here",
    "type_name",
    "value_kind",
    "dtype_text",
]

# Students meet the error in tracebacks and in doctests as
# genenorm_edu.feedback.Mismatch, whichever module defines it.
Mismatch.__module__ = __name__

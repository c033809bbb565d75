"""What a computation costs: its time and the memory it allocates.

The lessons compare ways of computing the same thing (a Python loop and a
NumPy expression, one memory order and another, a chain of temporaries and
an in-place update). Two measurements serve them all, and the benchmarks:

- :func:`time_call` -- the best wall-clock time of a few calls
  (:mod:`timeit` underneath), as a :class:`Timing`;
- :func:`peak_memory` -- the most memory a call held at once beyond what
  existed before it (:mod:`tracemalloc`, to which NumPy reports its
  allocations).

Under the grader (:func:`genenorm_edu.course.under_grading`) a timing calls
the function once: the grader runs every notebook once per student and needs
the lines to run, not good numbers.
"""

from __future__ import annotations

import timeit
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

from genenorm_edu.course import under_grading

__all__ = ["Timing", "format_seconds", "peak_memory", "time_call"]


@dataclass(frozen=True)
class Timing:
    """The best time of a few calls of one function.

    Attributes
    ----------
    label : str
        What was timed, in words.
    seconds : float
        The shortest of the calls (the least disturbed by other programs).
    calls : int
        How many calls were timed.
    """

    label: str
    seconds: float
    calls: int

    def __str__(self) -> str:
        return f"{self.label}: {format_seconds(self.seconds)} (best of {self.calls})"

    def times(self, other: Timing) -> float:
        """How many times longer this took than ``other``.

        Examples
        --------
        >>> Timing("loop", 0.5, 3).times(Timing("NumPy", 0.01, 3))
        50.0
        """
        return self.seconds / other.seconds


def format_seconds(seconds: float) -> str:
    """A duration with a unit that keeps 3 significant digits.

    Examples
    --------
    >>> format_seconds(1.234), format_seconds(0.0123), format_seconds(4.5e-5)
    ('1.23 s', '12.3 ms', '45 µs')
    """
    if seconds >= 1:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def time_call(function: Callable[[], object], label: str = "", *, calls: int = 5) -> Timing:
    """Time ``function()``: the best of ``calls`` calls (one under the grader).

    Parameters
    ----------
    function : callable
        Called without arguments (wrap an expression in a ``lambda``).
    label : str
        What is timed, for printing.
    calls : int
        How many calls to time (at least 1).

    Returns
    -------
    Timing

    Examples
    --------
    >>> timing = time_call(lambda: sum(range(1000)), "sum of 1000 ints", calls=3)
    >>> timing.label, timing.seconds > 0
    ('sum of 1000 ints', True)
    """
    if calls < 1:
        raise ValueError(f"calls must be at least 1, got {calls}")
    if under_grading():
        calls = 1
    seconds = min(timeit.repeat(function, number=1, repeat=calls))
    return Timing(label, seconds, calls)


def peak_memory(function: Callable[[], object]) -> int:
    """The most bytes ``function()`` held allocated at once, beyond what existed before.

    Counts the memory allocated with Python's and NumPy's allocators
    (NumPy reports its array buffers to :mod:`tracemalloc`), including the
    result while the call runs.

    Examples
    --------
    >>> import numpy as np
    >>> peak_memory(lambda: np.ones(1_000_000)) >= 8_000_000
    True
    """
    already_tracing = tracemalloc.is_tracing()
    if not already_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    start, _ = tracemalloc.get_traced_memory()
    try:
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not already_tracing:
            tracemalloc.stop()
    return peak - start

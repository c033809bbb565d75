"""How many CPU cores this process may use.

``os.cpu_count()`` counts the machine's cores, including those a container,
a batch scheduler or ``taskset`` keeps this process off. Every default
number of threads, processes or workers in the package comes from
:func:`usable_cores` instead, so that a job never starts more workers than
it can run at once.
"""

from __future__ import annotations

import os

__all__ = ["usable_cores"]


def usable_cores() -> int:
    """The number of CPU cores this process may run on (at least 1).

    Examples
    --------
    >>> usable_cores() >= 1
    True
    """
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1

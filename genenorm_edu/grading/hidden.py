"""The hidden test cases of every exercise (instructors only).

Hidden cases run only in the grader, out of the student's reach: their
inputs never enter the student's kernel, and the feedback names a failing
case by its label alone (no input values, no expected values). Their
expected results come from the reference solutions
(:mod:`genenorm_edu.reference`). Neither module is in the students' copy of
the course (``genenorm-edu student-bundle``).

To change what a hidden test tries, edit its cases here; labels say what a
case is about without giving its values away.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from genenorm_edu import reference
from genenorm_edu.exercises.spec import NOT_GIVEN, Case

__all__ = ["HIDDEN_CASES", "SOLUTIONS", "hidden_cases"]

#: The reference solution of each exercise: computes a hidden case's expected result.
SOLUTIONS: dict[str, Callable] = {
    "c_strides": reference.c_strides,
    "closest_to": reference.closest_to,
    "rpkm": reference.rpkm,
    "outer_sum": reference.outer_sum,
    "qnorm": reference.qnorm,
    "nonzero_normalized": reference.nonzero_normalized,
}


def _random_shapes() -> list[tuple[int, ...]]:
    return [
        tuple(int(n) for n in np.random.default_rng(seed).integers(1, 9, size=seed % 4 + 1))
        for seed in range(5)
    ]


def _sparse_block(seed: int, shape: tuple[int, int], dtype) -> np.ndarray:
    rng = np.random.default_rng(seed)
    detected = rng.random(shape) < 0.2
    return (detected * rng.integers(1, 50, size=shape)).astype(dtype)


#: The hidden cases of each exercise; expected results are filled in by :func:`hidden_cases`.
HIDDEN_CASES: dict[str, tuple[Case, ...]] = {
    "c_strides": (
        Case("a 1-D shape", ((7,), 8)),
        Case("a 0-d array", ((), 8)),
        Case("an axis of length 1 in the middle", ((7, 1, 3), 2)),
        Case("4 axes, itemsize 1", ((2, 3, 4, 5), 1)),
        Case("a large 2-D array of complex128", ((1_000_000, 3), 16)),
        *(Case(f"random shape of {len(shape)} axes, itemsize 16", (shape, 16)) for shape in _random_shapes()),
    ),
    "closest_to": (
        Case("an int32 matrix, integer target", (np.array([[3, -1, 8, 5], [10, 20, 30, 40], [7, 7, 6, 0]], dtype=np.int32), 6)),
        Case("a random 50 x 7 float matrix", (np.random.default_rng(42).random((50, 7)), 0.3)),
        Case("a float32 matrix with a negative target", (np.random.default_rng(8).normal(size=(9, 4)).astype(np.float32), -0.5)),
        Case("a single column", (np.array([[1.5], [-2.0], [9.0]]), 0.0)),
        Case("a uint8 matrix, a fractional target", (np.array([[1, 200, 30], [0, 3, 7]], dtype=np.uint8), 2.5)),
    ),
    "rpkm": (
        Case(
            "a uint32 3 x 3 matrix",
            (np.array([[5, 100, 7], [0, 300, 1], [1000, 600, 2]], dtype=np.uint32), np.array([500, 2000, 10000], dtype=np.int64)),
        ),
        Case(
            "random uint32 counts, 40 genes x 6 samples",
            (
                np.random.default_rng(7).integers(0, 4_000_000, size=(40, 6)).astype(np.uint32),
                np.random.default_rng(17).integers(100, 100_000, size=40),
            ),
        ),
        Case(
            "float64 counts in Fortran order",
            (
                np.asfortranarray(np.random.default_rng(3).random((12, 5)) * 1000),
                np.random.default_rng(4).integers(300, 5000, size=12),
            ),
        ),
        Case(
            "int64 counts, a single sample",
            (np.array([[7], [0], [13]], dtype=np.int64), np.array([1500, 200, 4000])),
        ),
    ),
    "outer_sum": (
        Case("a 1-D x and a 2-D y", (np.array([1, 2, 3, 4]), np.array([[10, 20, 30], [40, 50, 60]]))),
        Case("a 3-D x and a 1-D y", (np.random.default_rng(3).random((2, 3, 4)), np.array([0.5, -1.0]))),
        Case("shapes (2, 1) and (1, 2)", (np.array([[1.0], [2.0]]), np.array([[5.0, 6.0]]))),
        Case("a 0-d x", (np.array(2.5), np.array([1.0, 2.0, 3.0]))),
        Case("two 2-D integer arrays", (np.arange(6).reshape(2, 3), np.arange(4).reshape(2, 2) * 10)),
    ),
    "qnorm": (
        Case(
            "tie blocks of 4 and 3 equal values",
            (np.array([[1, 7, 2], [2, 7, 2], [3, 7, 2], [4, 7, 1], [5, 1, 3], [6, 2, 4]], dtype=np.int64),),
        ),
        Case("random float32 data without ties, 60 x 5", (np.random.default_rng(11).normal(size=(60, 5)).astype(np.float32),)),
        Case("random integers with many ties, 40 x 6", (np.random.default_rng(12).integers(0, 5, size=(40, 6)),)),
        Case("a single sample", (np.array([[3.0], [1.0], [2.0]]),)),
        Case("Fortran-ordered float64", (np.asfortranarray(np.random.default_rng(13).random((25, 4))),)),
    ),
    "nonzero_normalized": (
        Case(
            "a uint16 block with an empty gene",
            (np.array([[0, 0, 0], [1, 0, 5], [0, 8, 0]], dtype=np.uint16), np.array([10, 20, 40])),
        ),
        Case(
            "a random float32 block, 25 genes x 40 cells",
            (_sparse_block(5, (25, 40), np.float32), np.random.default_rng(6).integers(100, 5000, size=40)),
        ),
        Case(
            "an int64 block, one gene",
            (np.array([[0, 3, 0, 0, 9]], dtype=np.int64), np.array([30, 30, 60, 10, 90])),
        ),
    ),
}


def hidden_cases(name: str) -> tuple[Case, ...]:
    """The hidden cases of exercise ``name``, each with its expected result.

    Examples
    --------
    >>> case = hidden_cases("c_strides")[0]
    >>> case.label, case.expected
    ('a 1-D shape', (8,))
    """
    solve = SOLUTIONS[name]
    return tuple(
        case if case.expected is not NOT_GIVEN else Case(case.label, case.args, solve(*case.args))
        for case in HIDDEN_CASES[name]
    )

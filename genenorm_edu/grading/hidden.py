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
from genenorm_edu.grading.hidden_inputs import (
    cells_block,
    constant_float_rows,
    counts_with_runs,
    medians_with_gaps,
    random_bytes,
    random_shapes,
    sparse_block,
    strided_bytes,
    gene_transcripts,
)

__all__ = ["HIDDEN_CASES", "SOLUTIONS", "hidden_cases"]

#: The reference solution of each exercise: computes a hidden case's expected result.
SOLUTIONS: dict[str, Callable] = {
    name: getattr(reference, name)
    for name in (
        "c_strides",
        "byte_offset",
        "stepped_view",
        "little_endian_value",
        "closest_to",
        "rpkm",
        "outer_sum",
        "gene_zscores",
        "rolling_mean",
        "qnorm",
        "ordinal_ranks",
        "top_genes",
        "tie_blocks",
        "nonzero_normalized",
        "nonzero_medians",
        "rank_value_encoding",
    )
}


#: The hidden cases of each exercise; expected results are filled in by :func:`hidden_cases`.
HIDDEN_CASES: dict[str, tuple[Case, ...]] = {
    "c_strides": (
        Case("a 1-D shape", ((7,), 8)),
        Case("a 0-d array", ((), 8)),
        Case("an axis of length 1 in the middle", ((7, 1, 3), 2)),
        Case("4 axes, itemsize 1", ((2, 3, 4, 5), 1)),
        Case("a large 2-D array of complex128", ((1_000_000, 3), 16)),
        *(Case(f"random shape of {len(shape)} axes, itemsize 16", (shape, 16)) for shape in random_shapes()),
        # Strides past 32 bits: NumPy int32 arithmetic (np.cumprod of an int32 shape) wraps.
        Case("a first stride past 2**31 bytes", ((2, 50_000, 50_000), 8)),
        Case("strides past 2**32 bytes, itemsize 1", ((3, 70_000, 70_000), 1)),
    ),
    "byte_offset": (
        Case("a 1-D array", ((7,), (8,))),
        Case("a negative stride (a reversed view)", ((2, 1), (-32, 8))),
        Case("a stride of 0 (a broadcast axis)", ((5, 3), (0, 8))),
        Case("4 axes of a uint8 array", ((1, 2, 0, 3), (60, 20, 5, 1))),
        Case("a large index in a Fortran-ordered matrix", ((20_499, 374), (4, 82_000))),
        Case("a 0-d array", ((), ())),
        # Offsets past 32 bits: int32 arithmetic wraps.
        Case("an offset past 2**31 bytes", ((27_000, 5), (80_000, 8))),
        Case("an offset past 2**32 bytes along one axis", ((600_000_000,), (8,))),
        Case("a negative offset beyond -2**31 bytes", ((40_000, 3), (-80_000, 8))),
    ),
    "stepped_view": (
        Case("a step larger than the axis", ((3,), (4,), (5,))),
        Case("an empty axis", ((0, 4), (32, 8), (2, 1))),
        Case("a negative step of 2 on an odd length", ((7,), (8,), (-2,))),
        Case("3 axes of float32, mixed steps", ((6, 5, 4), (80, 16, 4), (4, -3, 1))),
        Case("the course's count matrix, every 5th gene", ((20_500, 375), (4, 82_000), (5, 1))),
        Case("a transposed view with steps", ((375, 20_500), (82_000, 4), (-2, 10))),
        # Strides times steps past 32 bits: int32 arithmetic wraps.
        Case("a stride times a step past 2**31 bytes", ((1_000_000, 3_000), (24_000, 8), (100_000, 1))),
        Case("a negative step times a large stride", ((50_000, 40_000), (320_000, 8), (-10_000, 3))),
    ),
    "little_endian_value": (
        Case("the largest 8-byte value", (np.full(8, 255, dtype=np.uint8),)),
        Case("8 random bytes, the last one above 127", (random_bytes(1, 8, top=200),)),
        Case("2 bytes", (np.array([1, 2], dtype=np.uint8),)),
        Case("all zeros", (np.zeros(8, dtype=np.uint8),)),
        Case("only the last of 8 bytes set", (np.array([0, 0, 0, 0, 0, 0, 0, 1], dtype=np.uint8),)),
        Case("5 random bytes", (random_bytes(2, 5),)),
        Case("8 bytes of a strided view (every other byte)", (strided_bytes(3),)),
        Case("8 bytes of a reversed view", (random_bytes(4, 8, top=250)[::-1],)),
    ),
    "closest_to": (
        Case("an int32 matrix, integer target", (np.array([[3, -1, 8, 5], [10, 20, 30, 40], [7, 7, 6, 0]], dtype=np.int32), 6)),
        Case("a random 50 x 7 float matrix", (np.random.default_rng(42).random((50, 7)), 0.3)),
        Case("a float32 matrix with a negative target", (np.random.default_rng(8).normal(size=(9, 4)).astype(np.float32), -0.5)),
        Case("a single column", (np.array([[1.5], [-2.0], [9.0]]), 0.0)),
        Case("a uint8 matrix, a fractional target", (np.array([[1, 200, 30], [0, 3, 7]], dtype=np.uint8), 2.5)),
        Case("a strided view of a float matrix", (np.random.default_rng(9).normal(size=(12, 10))[::3, ::2], 0.1)),
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
        Case("uint16 counts", (np.random.default_rng(18).integers(0, 65_000, size=(6, 4)).astype(np.uint16),
                               np.random.default_rng(19).integers(500, 9000, size=6))),
        Case("uint8 counts", (np.random.default_rng(20).integers(0, 256, size=(5, 3)).astype(np.uint8),
                              np.array([1000, 250, 7000, 3000, 40], dtype=np.int32))),
        Case("a strided view of uint32 counts",
             (np.random.default_rng(24).integers(0, 4_000_000, size=(16, 9)).astype(np.uint32)[::2, ::3],
              np.random.default_rng(25).integers(100, 100_000, size=8))),
    ),
    "outer_sum": (
        Case("a 1-D x and a 2-D y", (np.array([1, 2, 3, 4]), np.array([[10, 20, 30], [40, 50, 60]]))),
        Case("a 3-D x and a 1-D y", (np.random.default_rng(3).random((2, 3, 4)), np.array([0.5, -1.0]))),
        Case("shapes (2, 1) and (1, 2)", (np.array([[1.0], [2.0]]), np.array([[5.0, 6.0]]))),
        Case("a 0-d x", (np.array(2.5), np.array([1.0, 2.0, 3.0]))),
        Case("two 2-D integer arrays", (np.arange(6).reshape(2, 3), np.arange(4).reshape(2, 2) * 10)),
        # The result's dtype is not graded; its values are: a result made in x's dtype truncates.
        Case("integers x and fractional floats y", (np.array([1, 2, 3]), np.array([0.25, -0.5]))),
        Case("uint8 x and negative int16 y", (np.array([200, 7], dtype=np.uint8), np.array([[-300, 100]], dtype=np.int16))),
        Case("a strided x and a transposed y", (np.arange(20.0).reshape(4, 5)[::2, ::2], np.arange(6).reshape(2, 3).T)),
    ),
    "gene_zscores": (
        Case("random uint32 counts, 30 genes x 8 samples, silent genes",
             (sparse_block(21, (30, 8), np.uint32, detected=0.5),)),
        Case("float32 log expression", (np.random.default_rng(22).normal(3, 2, (12, 6)).astype(np.float32),)),
        Case("a single gene", (np.array([[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]]),)),
        Case("a square matrix", (np.arange(16, dtype=np.float64).reshape(4, 4) ** 2,)),
        Case("Fortran-ordered int64", (np.asfortranarray(np.random.default_rng(23).integers(0, 9, (10, 5))),)),
        # Equal non-integer floats: np.std gives about 1e-17, not 0; their z-scores are 0.
        Case("constant non-zero float rows", (constant_float_rows(),)),
        # Squares of int16 values wrap in int16 (a variance computed as mean(x**2) - mean**2).
        Case("int16 values up to 30,000", (np.random.default_rng(26).integers(-30_000, 30_000, (5, 6)).astype(np.int16),)),
        Case("a strided view", (np.random.default_rng(27).normal(5, 3, (12, 15))[::2, ::3],)),
    ),
    "rolling_mean": (
        Case("uint32 counts, windows of 7", (counts_with_runs(31, 60), 7)),
        Case("windows of 1", (np.array([3.0, -1.0, 2.5]), 1)),
        Case("one window over all values", (np.arange(10, dtype=np.int64), 10)),
        Case("float32 values, windows of 4", (np.random.default_rng(32).normal(size=25).astype(np.float32), 4)),
        Case("large counts near the top of uint32", (np.full(6, 4_000_000_000, dtype=np.uint32), 3)),
        # Sums in the input's small dtype wrap around (uint8: 250 + 255 is 249).
        Case("uint8 values near 255, windows of 2", (np.array([250, 255, 251, 3, 254, 200], dtype=np.uint8), 2)),
        Case("int16 values near the limits, windows of 3",
             (np.array([32_000, 32_700, -32_000, 30_000, 31_000, -32_500], dtype=np.int16), 3)),
        Case("a strided view, windows of 3", (np.linspace(-5.0, 40.0, 37)[::-3], 3)),
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
        Case("uint8 values with ties", (np.random.default_rng(14).integers(200, 256, size=(20, 4)).astype(np.uint8),)),
        Case("a strided view with ties", (np.random.default_rng(15).integers(0, 6, size=(30, 8))[::2, ::2],)),
        Case("negative floats with ties", (np.array([[-1.5, 2.0], [-1.5, -3.0], [0.5, 2.0], [-2.5, 2.0]]),)),
    ),
    "ordinal_ranks": (
        Case("integers with many ties, 40 x 5", (np.random.default_rng(41).integers(0, 4, (40, 5)),)),
        Case("uint32 counts, 60 genes x 3 samples", (sparse_block(42, (60, 3), np.uint32, detected=0.6),)),
        Case("float64 without ties", (np.random.default_rng(43).random((15, 4)),)),
        Case("a single gene", (np.array([[3.0, 1.0]]),)),
        Case("a Fortran-ordered square matrix", (np.asfortranarray(np.random.default_rng(44).integers(0, 3, (6, 6))),)),
        Case("uint8 values with ties", (np.random.default_rng(45).integers(250, 256, (12, 3)).astype(np.uint8),)),
        Case("a strided view with ties", (np.random.default_rng(46).integers(0, 4, (20, 9))[::2, ::3],)),
        Case("negative floats with ties", (np.array([[-0.5, 2.0], [-2.5, -1.0], [-0.5, 2.0], [1.0, -1.0]]),)),
    ),
    "top_genes": (
        Case("uint32 counts with zeros, k = 3", (sparse_block(51, (30, 6), np.uint32, detected=0.5), 3)),
        Case("k equal to the number of genes", (np.random.default_rng(52).random((5, 3)), 5)),
        Case("float32 with ties", (np.random.default_rng(53).integers(0, 3, (12, 4)).astype(np.float32), 4)),
        Case("negative values, k = 1", (np.random.default_rng(54).normal(-5, 1, (8, 5)), 1)),
        Case("a single sample", (np.array([[2], [9], [4], [7]], dtype=np.int64), 2)),
        Case("uint8 counts with zeros and 255, k = 2", (np.array([[0, 255], [255, 3], [7, 0], [255, 255]], dtype=np.uint8), 2)),
        Case("a strided view, k = 3", (np.random.default_rng(55).integers(0, 100, (14, 10)).astype(np.uint32)[::2, 1::2], 3)),
        Case("int16 values of both signs, k = 2", (np.array([[-32_000, 5], [32_000, -5], [0, 0]], dtype=np.int16), 2)),
    ),
    "tie_blocks": (
        Case("uint32 counts with many zeros", (sparse_block(61, (1, 200), np.uint32, detected=0.3)[0],)),
        Case("float log counts", (np.log1p(np.random.default_rng(62).poisson(2.0, 50).astype(np.float64)),)),
        Case("one value repeated", (np.full(9, 4, dtype=np.int64),)),
        Case("a single value", (np.array([1.5]),)),
        Case("negative integers, unsorted", (np.array([-3, 7, -3, 0, 7, 7, -1]),)),
        Case("uint8 values with ties", (np.array([255, 0, 255, 7, 0, 255], dtype=np.uint8),)),
        Case("a strided view with ties", (np.array([5, 9, 2, 9, 5, 1, 2, 3, 5, 0])[::2],)),
        Case("negative floats with ties", (np.array([-0.5, 2.25, -0.5, -1.75, 2.25]),)),
    ),
    "nonzero_normalized": (
        Case(
            "a uint16 block with an empty gene",
            (np.array([[0, 0, 0], [1, 0, 5], [0, 8, 0]], dtype=np.uint16), np.array([10, 20, 40])),
        ),
        Case(
            "a random float32 block, 25 genes x 40 cells",
            (sparse_block(5, (25, 40), np.float32), np.random.default_rng(6).integers(100, 5000, size=40)),
        ),
        Case(
            "an int64 block, one gene",
            (np.array([[0, 3, 0, 0, 9]], dtype=np.int64), np.array([30, 30, 60, 10, 90])),
        ),
        # counts * 10_000 in uint16 wraps around before the division.
        Case("uint16 counts that overflow when multiplied first",
             (np.array([[0, 60_000, 7], [9, 0, 0]], dtype=np.uint16), np.array([100, 70_000, 20]))),
        Case("a uint8 block", (np.array([[0, 255, 3], [200, 0, 0]], dtype=np.uint8), np.array([1000, 300, 12], dtype=np.int32))),
        Case("a strided view of a block", (sparse_block(7, (10, 12), np.uint32)[::2, ::3], np.arange(100, 400, 25)[::3])),
    ),
    "nonzero_medians": (
        Case("a random float32 block, 25 genes x 40 cells", (sparse_block(71, (25, 40), np.float32),)),
        Case("an int64 gene with an even number of non-zero values", (np.array([[0, 8, 2, 0, 5, 1]], dtype=np.int64),)),
        Case("every value detected", (np.random.default_rng(72).lognormal(size=(4, 7)),)),
        Case("a square uint16 block with empty genes", (np.array([[0, 0, 0], [0, 3, 1], [0, 0, 0]], dtype=np.uint16),)),
        Case("a single cell", (np.array([[0.0], [2.5], [1.0]]),)),
        # "Non-zero" includes negative values (log-scale data).
        Case("negative non-zero values", (np.array([[0.0, -1.5, 2.0, -0.5, 0.0], [-3.0, 0.0, 0.0, 0.0, 0.0]]),)),
        # The midpoint of two large uint8 values wraps if summed in uint8.
        Case("a uint8 block with even counts of large values", (np.array([[0, 250, 0, 254], [7, 0, 255, 253]], dtype=np.uint8),)),
        Case("an int16 block with large values", (np.array([[30_000, 0, 32_000], [-32_000, -30_000, 0]], dtype=np.int16),)),
        Case("a strided view", (sparse_block(73, (8, 30), np.float64, detected=0.5)[::2, ::3],)),
    ),
    "rank_value_encoding": (
        Case(
            "a sparse uint32 cell of 300 genes, some without a median",
            (sparse_block(81, (1, 300), np.uint32, detected=0.3)[0], medians_with_gaps(82, 300)),
        ),
        Case("a cell with a single detected gene", (np.array([0, 0, 5, 0], dtype=np.uint32), np.array([1.0, 2.0, 4.0, 1.5]))),
        Case(
            "float normalized values, every gene detected",
            (np.random.default_rng(83).random(20) + 0.1, np.random.default_rng(84).lognormal(size=20)),
        ),
        Case(
            "a detected gene without a median",
            (np.array([3, 9, 1], dtype=np.int64), np.array([1.0, np.nan, 0.5])),
        ),
        Case(
            "int64 counts where the raw order and the normalized order differ",
            (np.array([100, 10, 50, 1], dtype=np.int64), np.array([100.0, 1.0, 10.0, 0.01])),
        ),
        Case("a strided view of counts and medians",
             (sparse_block(85, (1, 80), np.uint32, detected=0.5)[0][::2], medians_with_gaps(86, 80)[::2])),
        Case("uint8 counts", (np.array([0, 255, 3, 200, 1], dtype=np.uint8), np.array([1.0, 255.0, 0.5, 2.0, 1.0]))),
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


# --- Third edition: one more exercise per lesson -------------------------------------------

SOLUTIONS.update({name: getattr(reference, name) for name in (
    "reshape_copies", "broadcast_shape", "gene_totals", "encode_cells",
)})


HIDDEN_CASES.update({
    "reshape_copies": (
        Case("an empty array", ((0, 4), (4, 1), (4, 0))),
        Case("axes of length 1 with any stride", ((3, 1, 4), (4, 999, 1), (12,))),
        Case("a 0-d array to (1, 1)", ((), (), (1, 1))),
        Case("a reversed view, flattened", ((3, 4), (-4, 1), (12,))),
        Case("a reversed view, its last axis split", ((3, 4), (-4, 1), (3, 2, 2))),
        Case("a broadcast axis (stride 0), flattened", ((3, 4), (0, 1), (12,))),
        Case("a broadcast axis (stride 0), another axis split", ((3, 4), (0, 1), (3, 2, 2))),
        Case("a negative step, split", ((6,), (-2,), (2, 3))),
        Case("the course's Fortran-ordered counts, flattened", ((20_500, 375), (1, 20_500), (7_687_500,))),
        Case("the course's counts, genes split in blocks", ((20_500, 375), (1, 20_500), (4_100, 5, 375))),
        Case("three axes merged into two", ((2, 3, 4), (24, 8, 2), (6, 4))),
        Case("three axes, the wrong two merged", ((2, 3, 4), (12, 1, 3), (6, 4))),
        Case("merging and splitting at once", ((4, 6), (6, 1), (2, 12))),
        Case("merging and splitting a transposed view", ((4, 6), (1, 4), (2, 12))),
        Case("every other row, flattened", ((2, 3), (6, 1), (6,))),
        Case("a Fortran-ordered 3-D array, its first two axes merged", ((2, 3, 4), (1, 2, 6), (6, 4))),
        Case("a Fortran-ordered 3-D array, its last two axes merged", ((2, 3, 4), (1, 2, 6), (2, 12))),
        Case("a reversed last axis, flattened", ((3, 4), (4, -1), (12,))),
        Case("a sliding window view (overlapping rows), flattened", ((3, 4), (1, 1), (12,))),
    ),
    "broadcast_shape": (
        Case("two empty shapes (scalars)", ((), ())),
        Case("a scalar and a matrix", ((), (3, 4))),
        Case("a length of 1 against an empty axis, the other way round", ((1, 3), (0, 1))),
        Case("an empty axis against a length of 3", ((0,), (3,))),
        Case("lengths that differ in the middle", ((2, 3, 4), (2, 5, 4))),
        Case("the longer shape second", ((5,), (4, 1, 5))),
        Case("a row of genes against the counts, wrongly", ((375, 1), (20_500, 375))),
        Case("many axes of 1", ((1, 1, 1, 7), (6, 1, 1))),
        Case("equal shapes", ((3, 2), (3, 2))),
    ),
    "gene_totals": (
        Case("many transcripts per gene, uint32 counts", (*gene_transcripts(91, 500, 40, np.uint32), 40)),
        Case("uint8 counts whose totals pass 255", (*gene_transcripts(92, 300, 3, np.uint8, top=250), 3)),
        Case("uint16 gene numbers", (np.array([2, 0, 2, 2], dtype=np.uint16), np.array([1, 2, 3, 4]), 4)),
        Case("no transcripts at all", (np.array([], dtype=np.int64), np.array([], dtype=np.uint32), 3)),
        Case("every other transcript of a larger table (a strided view)",
             (gene_transcripts(93, 400, 25, np.uint32)[0][::2], gene_transcripts(93, 400, 25, np.uint32)[1][::2], 30)),
        Case("counts of exactly 0", (np.array([0, 1, 0]), np.zeros(3, dtype=np.uint32), 2)),
        Case("uint32 counts at the top of their range, one gene",
             (np.zeros(6, dtype=np.int64), np.full(6, 4_294_967_295, dtype=np.uint32), 1)),
    ),
    "encode_cells": (
        Case("uint32 counts, 60 genes x 25 cells, k = 10", (*cells_block(101, (60, 25), np.uint32), 10)),
        Case("float32 normalized values, 30 genes x 7 cells, k = 3", (*cells_block(103, (30, 7), np.float32), 3)),
        Case("a cell with no detected gene", (np.array([[0, 4], [0, 1], [0, 0]], dtype=np.uint16),
                                              np.array([1.0, 0.5, 2.0]), 2)),
        Case("ties within a cell", (np.array([[2, 1], [4, 1], [6, 0]], dtype=np.int64), np.array([1.0, 2.0, 3.0]), 3)),
        Case("a Fortran-ordered block, k = 1", (np.asfortranarray(cells_block(105, (12, 5), np.int64)[0]),
                                                cells_block(105, (12, 5), np.int64)[1], 1)),
        Case("every other cell of a block (a strided view)", (cells_block(107, (20, 16), np.uint32)[0][:, ::2],
                                                              cells_block(107, (20, 16), np.uint32)[1], 4)),
        Case("a square block", (*cells_block(109, (6, 6), np.uint32, detected=0.6), 6)),
        Case("k larger than the number of genes", (*cells_block(111, (4, 9), np.uint32, detected=0.7), 6)),
    ),
})

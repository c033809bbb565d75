"""Lesson 4 exercises on a block of counts, per gene: its non-zero normalized values, its non-zero median."""

from __future__ import annotations

import numpy as np

from genenorm_edu.exercises.spec import Case, ErrorCause, Exercise, Mistake
from genenorm_edu.feedback import Mismatch, check_array, type_name, value_kind


# --- nonzero_normalized ------------------------------------------------------------


def _check_nonzero_normalized(result, expected, args) -> None:
    counts_block, n_counts = args
    name = f"nonzero_normalized(counts_block, n_counts) for a {counts_block.shape} block"
    if type(result) is not list:
        kind = type_name(result)
        raise Mismatch(
            f"{name} is a {kind}, expected a list of 1-D arrays, one per gene (row).",
            summary=f"the result is a {value_kind(result)}, expected a list of 1-D arrays, one per gene (row).",
        )
    if len(result) != len(expected):
        raise Mismatch(
            f"{name} holds {len(result)} arrays, expected one per gene (row): {len(expected)}.",
            summary="the list does not hold one array per gene (row).",
        )
    for gene, (values, wanted) in enumerate(zip(result, expected)):
        check_array(values, wanted, name=f"{name}[{gene}] (gene {gene})", dtype_kind="f", rtol=1e-6)


def _keeps_zeros(result, counts_block, n_counts) -> bool:
    """Whether each array holds all of its gene's values, zeros included (verifies only).

    It scales the result back to counts and compares; it normalizes nothing.
    """
    return len(result) == len(counts_block) and all(
        np.shape(values) == np.shape(row) and np.allclose(np.asarray(values) * n_counts / 10_000, row)
        for values, row in zip(result, counts_block)
    )


def _divided_by_gene_totals(result, counts_block, n_counts) -> bool:
    normalized = counts_block / counts_block.sum(axis=1, keepdims=True) * 10_000
    return all(np.allclose(values, row[row != 0]) for values, row in zip(result, normalized))


_EXAMPLE_BLOCK = np.array([[0, 2, 0, 1], [3, 0, 0, 0]])
_EXAMPLE_TOTALS = np.array([4, 4, 2, 5])
_UINT16_BLOCK = np.array([[0, 0, 0], [1, 0, 5]], dtype=np.uint16)
_UINT16_TOTALS = np.array([10, 20, 40])

NONZERO_NORMALIZED = Exercise(
    name="nonzero_normalized",
    parameters=("counts_block", "n_counts"),
    requirements=(
        "returns a list with one 1-D float array per gene (row), in row order",
        "each array holds the gene's non-zero values of counts / n_counts * 10,000, in cell order",
        "a gene without reads gets an empty array",
        "counts_block and n_counts are not modified",
    ),
    check=_check_nonzero_normalized,
    visible=(
        Case(
            "the example above",
            (_EXAMPLE_BLOCK, _EXAMPLE_TOTALS),
            [np.array([5000.0, 2000.0]), np.array([7500.0])],
        ),
        Case(
            "a uint16 block with a gene that has no reads",
            (_UINT16_BLOCK, _UINT16_TOTALS),
            [np.array([]), np.array([1000.0, 1250.0])],
        ),
    ),
    mistakes=(
        Mistake(
            "zeros are still in the result: keep only the non-zero values of each gene",
            _keeps_zeros,
        ),
        Mistake(
            "you divided by each gene's total (row sums), not by each cell's n_counts",
            _divided_by_gene_totals,
        ),
    ),
    error_causes=(
        ErrorCause(
            "n_counts was lined up with the genes (rows): it has one value per cell, that is "
            "per column, so it must be lined up with the columns: n_counts[np.newaxis, :]",
            "ValueError",
            "broadcast",
        ),
    ),
    hints=(
        "Two steps: normalize the whole block at once (broadcasting), then go through it "
        "gene by gene and keep what is not zero.",
        "`n_counts` has one value per cell, that is per *column*: "
        "`counts_block / n_counts[np.newaxis, :] * 10_000`. Then, for each `row` of the "
        "result, the boolean mask `row != 0` selects its non-zero values.",
    ),
)


# --- nonzero_medians ----------------------------------------------------------------


def _zero_for_genes_without_reads(result, block) -> bool:
    """Whether a gene without any non-zero value got 0 instead of NaN (verifies only)."""
    result = np.asarray(result, dtype=np.float64)
    silent = ~np.any(np.asarray(block) != 0, axis=1)
    return result.shape == (len(block),) and bool(silent.any()) and bool(np.all(result[silent] == 0))


def _one_per_cell(result, block) -> bool:
    """Whether ``result`` has one value per cell (column), not per gene (row; verifies only)."""
    return block.shape[0] != block.shape[1] and np.shape(result) == (block.shape[1],)


def _check_nonzero_medians(result, expected, args) -> None:
    (block,) = args
    name = f"nonzero_medians(block) for a {block.shape} {block.dtype} block"
    check_array(result, expected, name=name, dtype_kind="f", rtol=1e-12)


_MEDIANS_BLOCK = np.array([[0, 4, 0, 2], [0, 0, 0, 0], [1, 2, 3, 0]], dtype=np.uint32)
_NORMALIZED_BLOCK = np.array([[0.0, 2.5, 0.0, 1.5, 4.0], [7.0, 0.0, 0.0, 0.0, 0.0]])

NONZERO_MEDIANS = Exercise(
    name="nonzero_medians",
    parameters=("block",),
    requirements=(
        "returns a 1-D float array with one median per gene (row) of block",
        "each gene's median over its non-zero values only (zeros are left out)",
        "a gene with no non-zero value gets NaN (it has no median)",
        "block is not modified (it may be an integer array)",
    ),
    check=_check_nonzero_medians,
    visible=(
        Case("uint32 counts with a gene never detected", (_MEDIANS_BLOCK,), np.array([3.0, np.nan, 2.0])),
        Case("normalized values, an odd and a single non-zero value", (_NORMALIZED_BLOCK,),
             np.array([2.5, 7.0])),
    ),
    mistakes=(
        Mistake(
            "zeros are still in the result: the medians counted the zero values. Mask them "
            "(np.nan in a float copy, then np.nanmedian) or keep only the non-zero values",
            lambda result, block: np.allclose(result, np.median(block, axis=1)),
        ),
        Mistake(
            "a gene without any non-zero value must get NaN, not 0: it has no median",
            _zero_for_genes_without_reads,
        ),
        Mistake(
            "you took one median per cell (column), not per gene (row): use axis=1",
            _one_per_cell,
        ),
    ),
    hints=(
        "NumPy has a median that skips NaN. How could you turn the zeros into something "
        "it skips? (Integers cannot hold NaN.)",
        "`np.where(block == 0, np.nan, block)` gives a float copy with the zeros masked; "
        "`np.nanmedian(..., axis=1)` then takes one median per gene, NaN for a gene with "
        "no value left (NumPy warns about those; the warning is harmless here).",
    ),
)


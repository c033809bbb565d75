"""Lesson 4 exercises: non-zero medians over a corpus."""

from __future__ import annotations

import numpy as np

from genenorm_edu.exercises.spec import Case, Exercise, Mistake
from genenorm_edu.feedback import Mismatch, type_name, check_array


def _check_nonzero_normalized(result, expected, args) -> None:
    counts_block, n_counts = args
    name = f"nonzero_normalized(counts_block, n_counts) for a {counts_block.shape} block"
    if type(result) is not list:
        kind = type_name(result)
        raise Mismatch(
            f"{name} is a {kind}, expected a list of 1-D arrays, one per gene (row).",
            summary=f"the result is a {kind}, expected a list of 1-D arrays, one per gene (row).",
        )
    if len(result) != len(expected):
        raise Mismatch(
            f"{name} holds {len(result)} arrays, expected one per gene (row): {len(expected)}.",
            summary="the list does not hold one array per gene (row).",
        )
    for gene, (values, wanted) in enumerate(zip(result, expected)):
        check_array(values, wanted, name=f"{name}[{gene}] (gene {gene})", dtype_kind="f", rtol=1e-6)


def _normalized_keeping_zeros(counts_block, n_counts):
    return list(counts_block / n_counts[np.newaxis, :] * 10_000)


def _keeps_zeros(result, counts_block, n_counts) -> bool:
    return all(
        np.allclose(values, row) for values, row in zip(result, _normalized_keeping_zeros(counts_block, n_counts))
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
)

EXERCISES = (NONZERO_NORMALIZED,)

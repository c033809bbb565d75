"""Lesson 4 exercises: non-zero medians over a corpus."""

from __future__ import annotations

import warnings

import numpy as np

from genenorm_edu.exercises.spec import Case, Exercise, Mistake
from genenorm_edu.feedback import Mismatch, check_array, dtype_text, type_name, value_kind


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
    hints=(
        "Two steps: normalize the whole block at once (broadcasting), then go through it "
        "gene by gene and keep what is not zero.",
        "`n_counts` has one value per cell, that is per *column*: "
        "`counts_block / n_counts[np.newaxis, :] * 10_000`. Then, for each `row` of the "
        "result, the boolean mask `row != 0` selects its non-zero values.",
    ),
)

# --- nonzero_medians ----------------------------------------------------------------


def _masked_medians(block, axis: int) -> np.ndarray:
    masked = np.where(block == 0, np.nan, np.asarray(block, dtype=np.float64))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows give NaN
        return np.nanmedian(masked, axis=axis)


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
            lambda result, block: np.array_equal(
                np.asarray(result), np.nan_to_num(_masked_medians(block, axis=1))
            ) and np.isnan(_masked_medians(block, axis=1)).any(),
        ),
        Mistake(
            "you took one median per cell (column), not per gene (row): use axis=1",
            lambda result, block: np.allclose(result, _masked_medians(block, axis=0), equal_nan=True),
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

# --- rank_value_encoding ----------------------------------------------------------------


def _check_rank_value_encoding(result, expected, args) -> None:
    cell_counts, medians = args
    name = f"rank_value_encoding(cell_counts, medians) for a cell of {len(cell_counts)} genes"
    if not isinstance(result, np.ndarray) or result.ndim != 1 or result.dtype.kind not in "iu":
        described = (f"an array of shape {result.shape} and dtype {result.dtype}"
                     if isinstance(result, np.ndarray) else f"a {type_name(result)}")
        summarized = (f"an array of shape {result.shape} and dtype {dtype_text(result.dtype)}"
                      if isinstance(result, np.ndarray) else f"a {value_kind(result)}")
        raise Mismatch(
            f"{name} is {described}: expected a 1-D integer array of gene positions.",
            summary=f"the result is {summarized}, not a 1-D integer array of gene positions.",
        )
    wanted = set(expected.tolist())
    genes = result.tolist()
    _check_same_genes(genes, wanted, cell_counts, medians, name)
    with np.errstate(divide="ignore", invalid="ignore"):
        normalized = cell_counts / medians
    values = normalized[result]
    rising = np.flatnonzero(values[1:] > values[:-1])
    if rising.size:
        place = int(rising[0]) + 1
        raise Mismatch(
            f"{name}: the gene at place {place} (gene {genes[place]}, counts / median = "
            f"{values[place]:.4g}) is higher than the gene before it ({values[place - 1]:.4g}): "
            "order the genes by decreasing counts / medians.",
            summary="the genes are not in decreasing order of counts / medians.",
        )


def _check_same_genes(genes, wanted, cell_counts, medians, name: str) -> None:
    """The result holds each detected gene with a median exactly once, and nothing else."""
    if len(set(genes)) != len(genes):
        raise Mismatch(f"{name} lists a gene more than once.", summary="a gene is listed more than once.")
    for gene in genes:
        if gene in wanted:
            continue
        if not 0 <= gene < len(cell_counts):
            problem = f"{gene} is not a gene position (0 to {len(cell_counts) - 1})"
            summary = "a value of the result is not a gene position."
        elif cell_counts[gene] == 0:
            problem = f"gene {gene} has a count of 0 in this cell: only detected genes get a rank"
            summary = "a gene with a count of 0 is in the result: only detected genes get a rank."
        else:
            problem = f"gene {gene} has no median (NaN): only genes with a median get a rank"
            summary = "a gene without a median (NaN) is in the result."
        raise Mismatch(f"{name}: {problem}.", summary=summary)
    missing = sorted(wanted - set(genes))
    if missing:
        raise Mismatch(
            f"{name} leaves out {len(missing)} detected gene(s) with a median, first gene "
            f"{missing[0]} (count {cell_counts[missing[0]]}, median {medians[missing[0]]}).",
            summary="detected genes with a median are missing from the result.",
        )


def _detected_with_median(cell_counts, medians) -> np.ndarray:
    return np.flatnonzero((cell_counts != 0) & ~np.isnan(medians))


def _ranked_by(values, genes) -> np.ndarray:
    return genes[np.argsort(-values[genes], kind="stable")]


_CELL = np.array([4, 0, 3, 8, 1], dtype=np.uint32)
_CELL_MEDIANS = np.array([2.0, 1.0, 0.5, np.nan, 4.0])
_CELL_6 = np.array([12, 1, 0, 30, 6, 2], dtype=np.uint32)
_MEDIANS_6 = np.array([3.0, 0.5, 2.0, 10.0, 6.0, 0.25])

RANK_VALUE_ENCODING = Exercise(
    name="rank_value_encoding",
    parameters=("cell_counts", "medians"),
    requirements=(
        "returns a 1-D integer array of gene positions (indices into cell_counts)",
        "it holds exactly the genes detected in the cell (count not 0) that have a median "
        "(not NaN)",
        "they are ordered by decreasing cell_counts / medians: the gene furthest above its "
        "typical level first (equal values in any order)",
        "cell_counts and medians are not modified",
    ),
    check=_check_rank_value_encoding,
    visible=(
        Case("5 genes: one not detected, one without a median", (_CELL, _CELL_MEDIANS), np.array([2, 0, 4])),
        Case("6 genes with their medians", (_CELL_6, _MEDIANS_6), np.array([5, 0, 3, 1, 4])),
    ),
    mistakes=(
        Mistake(
            "you ranked in increasing order: the gene furthest above its typical level "
            "comes first",
            lambda result, counts, medians: len(result) > 1 and np.array_equal(
                result, _ranked_by(counts / medians, _detected_with_median(counts, medians))[::-1]),
        ),
        Mistake(
            "you ranked the raw counts: divide each count by its gene's non-zero median first",
            lambda result, counts, medians: np.array_equal(
                result, _ranked_by(counts.astype(np.float64), _detected_with_median(counts, medians))),
        ),
        Mistake(
            "zeros are still in the result: genes with a count of 0 are not detected in this "
            "cell and get no rank",
            lambda result, counts, medians: bool(np.any(counts[np.asarray(result, dtype=np.intp)] == 0)),
        ),
        Mistake(
            "genes without a median (NaN) are in the result: Geneformer only ranks genes that "
            "have a median",
            lambda result, counts, medians: bool(np.any(np.isnan(medians[np.asarray(result, dtype=np.intp)]))),
        ),
        Mistake(
            "you returned the normalized values, not the genes: return their positions",
            lambda result, counts, medians: np.asarray(result).dtype.kind == "f",
        ),
    ),
    hints=(
        "Three steps: normalize (divide by the medians), choose the genes that count, "
        "order them. Which genes count, as a boolean mask?",
        "`genes = np.flatnonzero((cell_counts != 0) & ~np.isnan(medians))` are the "
        "positions of the genes to rank; `normalized = cell_counts / medians`.",
        "`np.argsort(-normalized[genes])` orders those genes from the highest value down; "
        "use it to index `genes` (positions, not values).",
    ),
)

EXERCISES = (NONZERO_NORMALIZED, NONZERO_MEDIANS, RANK_VALUE_ENCODING)

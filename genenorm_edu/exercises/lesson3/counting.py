"""Lesson 3 exercises on counting with indices: totals over repeated indices, tie blocks."""

from __future__ import annotations

import numpy as np

from genenorm_edu.exercises.lesson3.provided import LESSON_MODULES
from genenorm_edu.exercises.spec import Case, Exercise, Mistake
from genenorm_edu.feedback import Mismatch, check_array, check_pair, dtype_text


# --- gene_totals -------------------------------------------------------------------------


def _check_gene_totals(result, expected, args) -> None:
    transcript_gene, transcript_counts, n_genes = args
    name = (f"gene_totals(transcript_gene, transcript_counts, {n_genes}) for {len(transcript_gene)} "
            f"{transcript_counts.dtype} counts")
    check_array(result, expected, name=name, dtype_kind="iu", rtol=0.0)
    if result.dtype.itemsize < 8:
        raise Mismatch(
            f"{name} has dtype {result.dtype}: totals can pass the range of the counts' dtype, "
            "so return int64.",
            summary=f"the result has dtype {dtype_text(result.dtype)}: return int64 totals.",
        )


def _one_transcript_per_gene(result, transcript_gene, transcript_counts, n_genes) -> bool:
    """What ``totals[transcript_gene] += transcript_counts`` gives: the last transcript of each gene."""
    buffered = np.zeros(n_genes, dtype=np.int64)
    buffered[transcript_gene] += transcript_counts.astype(np.int64)
    return len(np.unique(transcript_gene)) < len(transcript_gene) and np.array_equal(result, buffered)


GENE_TOTALS = Exercise(
    name="gene_totals",
    parameters=("transcript_gene", "transcript_counts", "n_genes"),
    requirements=(
        "returns a 1-D int64 array of n_genes totals",
        "total g is the sum of transcript_counts over the transcripts whose transcript_gene is g "
        "(a gene may have many transcripts, or none: then 0)",
        "exact, also where totals pass the range of the counts' dtype (uint32, uint8...)",
        "transcript_gene and transcript_counts are not modified",
    ),
    check=_check_gene_totals,
    modules=LESSON_MODULES,
    visible=(
        Case("5 transcripts of 3 genes",
             (np.array([0, 2, 0, 1, 0]), np.array([5, 1, 2, 7, 1], dtype=np.uint32), 3),
             np.array([8, 7, 1])),
        Case("genes without transcripts, the last one too",
             (np.array([3, 3, 0]), np.array([4, 6, 1], dtype=np.uint32), 5),
             np.array([1, 0, 0, 10, 0])),
        Case("uint32 counts whose total passes 2**32",
             (np.array([1, 1]), np.array([4_000_000_000, 4_000_000_000], dtype=np.uint32), 2),
             np.array([0, 8_000_000_000])),
    ),
    mistakes=(
        Mistake(
            "with repeated indices, totals[genes] += counts adds only one transcript per gene "
            "(each index is written once, the last write wins): use np.add.at, or np.bincount "
            "with weights",
            _one_transcript_per_gene,
        ),
        Mistake(
            "the genes after the largest index in transcript_gene are missing: np.bincount "
            "stops there unless you pass minlength=n_genes",
            lambda result, genes, counts, n_genes: len(result) < n_genes,
        ),
        Mistake(
            "np.bincount with weights returns floats: convert the totals with .astype(np.int64)",
            lambda result, genes, counts, n_genes: np.asarray(result).dtype.kind == "f",
        ),
        Mistake(
            "the totals were added up in a dtype too small for them (uint32 stops at "
            "4,294,967,295 and wraps around): accumulate in int64",
            lambda result, genes, counts, n_genes: np.asarray(result).dtype.kind in "iu"
            and np.asarray(result).dtype.itemsize < 8,
        ),
    ),
    hints=(
        "Each transcript adds its count to one gene's total, and many transcripts share a "
        "gene. Why does `totals[transcript_gene] += transcript_counts` not do that?",
        "`np.add.at(totals, transcript_gene, transcript_counts)` adds once per index, "
        "repeats included; so does `np.bincount(transcript_gene, weights=..., "
        "minlength=n_genes)`, which returns floats.",
        "Start from `np.zeros(n_genes, dtype=np.int64)` and convert the counts to int64 "
        "before adding, so that nothing wraps around.",
    ),
)


# --- tie_blocks ------------------------------------------------------------------------


def _are_swapped(result, column) -> bool:
    """Whether ``result`` is (counts, values): each second element occurs first-element times (verifies only)."""
    counts, values = (np.asarray(part) for part in result)
    return (
        counts.shape == values.shape == (len(counts),)
        and len(counts) > 0
        and all(count > 1 and np.count_nonzero(column == value) == count for count, value in zip(counts, values))
    )


def _check_tie_blocks(result, expected, args) -> None:
    (column,) = args
    name = f"tie_blocks(column) for {len(column)} {column.dtype} values"
    check_pair(result, name=name, parts="(values, counts)")
    check_array(result[0], expected[0], name=f"the values of {name}")
    check_array(result[1], expected[1], name=f"the counts of {name}", dtype_kind="iu")


TIE_BLOCKS = Exercise(
    name="tie_blocks",
    parameters=("column",),
    requirements=(
        "returns a pair (values, counts) of 1-D arrays",
        "values: each value that occurs more than once, in increasing order (dtype of column)",
        "counts: how many times each of them occurs (integers)",
        "a column without ties gives two empty arrays",
        "column is not modified",
    ),
    check=_check_tie_blocks,
    modules=LESSON_MODULES,
    visible=(
        Case("integers with two tie blocks", (np.array([0, 3, 0, 1, 3, 0, 2]),),
             (np.array([0, 3]), np.array([3, 2]))),
        Case("log counts: ties at log(1) = 0", (np.log(np.array([1.0, 3.0, 1.0, 1.0, 7.0])),),
             (np.array([0.0]), np.array([3]))),
        Case("no ties at all", (np.array([5, 1, 2]),), (np.array([], dtype=np.int64), np.array([], dtype=np.int64))),
    ),
    mistakes=(
        Mistake(
            "you kept the values that occur only once: keep those whose count is more than 1",
            lambda result, column: np.array_equal(result[0], np.unique(column)),
        ),
        Mistake(
            "values and counts are swapped: return (values, counts)",
            _are_swapped,
        ),
    ),
    hints=(
        "The function that lists the distinct values of an array (seen just above) can "
        "also say how often each occurs. Then keep only the values seen more than once.",
        "`values, counts = np.unique(column, return_counts=True)`; a boolean mask "
        "`counts > 1` then selects the tied ones, from both arrays.",
    ),
)


"""Lesson 4 exercises on Geneformer's rank value encoding: of one cell, of a batch of cells."""

from __future__ import annotations

import numpy as np

from genenorm_edu.exercises.spec import Case, ErrorCause, Exercise, Mistake
from genenorm_edu.feedback import Mismatch, dtype_text, type_name, value_kind


# --- rank_value_encoding ----------------------------------------------------------------


def _what_it_is(result) -> tuple[str, str]:
    """What ``result`` is, for the message (its dtype as NumPy writes it) and for a hidden
    case's summary (only facts the grader computes: no name the student's code chose)."""
    if isinstance(result, np.ndarray):
        return (f"an array of shape {result.shape} and dtype {result.dtype}",
                f"an array of shape {result.shape} and dtype {dtype_text(result.dtype)}")
    return f"a {type_name(result)}", f"a {value_kind(result)}"


def _check_rank_value_encoding(result, expected, args) -> None:
    cell_counts, medians = args
    name = f"rank_value_encoding(cell_counts, medians) for a cell of {len(cell_counts)} genes"
    if not isinstance(result, np.ndarray) or result.ndim != 1 or result.dtype.kind not in "iu":
        described, summarized = _what_it_is(result)
        raise Mismatch(
            f"{name} is {described}: expected a 1-D integer array of gene positions.",
            summary=f"the result is {summarized}, not a 1-D integer array of gene positions.",
        )
    wanted = set(expected.tolist())
    genes = result.tolist()
    _check_same_genes(genes, wanted, cell_counts, medians, name)
    with np.errstate(all="ignore"):
        levels = cell_counts / medians  # to verify the order of the result's genes
    values = levels[result]
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


def _ordered_by(result, values, *, increasing: bool) -> bool:
    """Whether the genes of ``result`` are ordered by ``values`` (and not all equal; verifies only).

    It looks at the values at the result's genes; it selects and ranks no gene.
    """
    genes = np.asarray(result)
    if genes.ndim != 1 or len(genes) < 2 or genes.dtype.kind not in "iu":
        return False
    if genes.min() < 0 or genes.max() >= len(values):
        return False
    with np.errstate(all="ignore"):
        steps = np.diff(np.asarray(values, dtype=np.float64)[genes])
    ordered = steps >= 0 if increasing else steps <= 0
    return bool(np.all(ordered) and np.any(steps != 0))


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
            lambda result, counts, medians: _ordered_by(result, counts / medians, increasing=True),
        ),
        Mistake(
            "you ranked the raw counts: divide each count by its gene's non-zero median first",
            lambda result, counts, medians: _ordered_by(result, counts, increasing=False)
            and not _ordered_by(result, counts / medians, increasing=False),
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


# --- encode_cells --------------------------------------------------------------------------


def _check_encode_cells(result, expected, args) -> None:
    block, medians, k = args
    cells = block.shape[1]
    name = f"encode_cells(block, medians, {k}) for a {block.shape} {block.dtype} block"
    if not isinstance(result, np.ndarray) or result.shape != (cells, k) or result.dtype.kind not in "iu":
        described, summarized = _what_it_is(result)
        raise Mismatch(
            f"{name} is {described}: expected an integer array of shape {(cells, k)}, one row per cell.",
            summary=f"the result is {summarized}, not an integer array of shape (cells, k).",
        )
    with np.errstate(all="ignore"):
        normalized = block / np.expand_dims(medians, axis=1)  # to verify the rows
    for cell in range(cells):
        _check_one_cell(result[cell], expected[cell], block[:, cell], medians, normalized[:, cell], cell, name)


def _check_one_cell(row, wanted, counts, medians, normalized, cell: int, name: str) -> None:
    """One row of the result: the cell's first genes (any order among equal values), then -1."""
    ranked = int(np.count_nonzero(wanted >= 0))
    where = f"{name}, row {cell} (cell {cell})"
    genes = row[:ranked]
    if np.any(row[ranked:] != -1) or np.any(genes < 0):
        raise Mismatch(
            f"{where} is {row.tolist()}: this cell has {ranked} gene(s) to rank among the first "
            f"{len(row)}, so the row should hold {ranked} gene(s), then -1.",
            summary="a row does not hold the right number of genes before its -1 padding.",
        )
    if np.any(genes >= len(counts)):
        raise Mismatch(f"{where} holds values that are not gene positions.",
                       summary="a row holds values that are not gene positions.")
    if len(set(genes.tolist())) != len(genes):
        raise Mismatch(f"{where} lists a gene more than once.", summary="a row lists a gene more than once.")
    if np.any(counts[genes] == 0) or np.any(np.isnan(medians[genes])):
        raise Mismatch(
            f"{where} holds a gene with a count of 0 in this cell or without a median: only "
            "detected genes with a median are ranked.",
            summary="a row holds a gene that is not detected in its cell, or has no median.",
        )
    if not np.allclose(np.sort(normalized[genes]), np.sort(normalized[wanted[:ranked]]), rtol=1e-12):
        raise Mismatch(
            f"{where} is {row.tolist()}, expected {wanted.tolist()} (genes by decreasing "
            "count / median; equal values in any order).",
            summary="a row does not hold the cell's genes of highest count / median.",
        )
    values = normalized[genes]
    if np.any(values[1:] > values[:-1]):
        raise Mismatch(
            f"{where} is {row.tolist()}: the genes are not in decreasing order of count / median "
            f"(expected {wanted.tolist()}).",
            summary="a row is not in decreasing order of count / median.",
        )


def _keeps_unranked_genes(result, block, medians, k) -> bool:
    rows = np.asarray(result)
    for cell, row in enumerate(rows):
        genes = row[row >= 0].astype(np.intp)
        if np.any(block[genes, cell] == 0) or np.any(np.isnan(medians[genes])):
            return True
    return False


_BATCH = np.array([[4, 0, 1], [0, 2, 0], [3, 8, 0], [1, 0, 5]], dtype=np.uint32)
_BATCH_MEDIANS = np.array([2.0, 1.0, 0.5, np.nan])
_SHORT_CELLS = np.array([[2, 0], [0, 0], [6, 3]], dtype=np.uint32)
_SHORT_MEDIANS = np.array([1.0, 4.0, 2.0])

ENCODE_CELLS = Exercise(
    name="encode_cells",
    parameters=("block", "medians", "k"),
    requirements=(
        "returns an integer array of shape (cells, k): one row per cell (column of block)",
        "row c holds the first k genes of cell c's rank value encoding: its detected genes "
        "(count not 0) with a median (not NaN), by decreasing count / median; equal values "
        "in any order",
        "a cell with fewer than k such genes gets -1 in the places left",
        "no Python loop over cells is needed; block and medians are not modified",
    ),
    check=_check_encode_cells,
    visible=(
        Case("4 genes x 3 cells, a gene without a median, k = 2", (_BATCH, _BATCH_MEDIANS, 2),
             np.array([[2, 0], [2, 1], [0, -1]])),
        Case("3 genes x 2 cells, k larger than any cell's genes", (_SHORT_CELLS, _SHORT_MEDIANS, 4),
             np.array([[2, 0, -1, -1], [2, -1, -1, -1]])),
    ),
    mistakes=(
        Mistake(
            "you returned one column per cell, shape (k, cells): the result has one row per "
            "cell (transpose it)",
            lambda result, block, medians, k: np.shape(result) == (k, block.shape[1]) and k != block.shape[1],
        ),
        Mistake(
            "genes with a count of 0, or without a median, were ranked: give them the lowest "
            "possible score (-np.inf) before sorting, and write -1 where such a gene would come",
            _keeps_unranked_genes,
        ),
    ),
    error_causes=(
        ErrorCause(
            "medians has one value per gene, that is per row of block: line it up with the "
            "rows, medians[:, np.newaxis]",
            "ValueError",
            "broadcast",
        ),
    ),
    hints=(
        "Do for the whole block what rank_value_encoding does for one cell: normalize, set "
        "apart the genes that do not count, sort. Along which axis does each step work?",
        "`block / medians[:, np.newaxis]` normalizes every cell at once. With `np.where`, "
        "give the genes that do not count a score of `-np.inf`; then `np.argsort(-score, "
        "axis=0)[:k]` gives, per column, the first k genes.",
        "Use `np.take_along_axis` to read the scores of those genes, write -1 where the score "
        "is `-np.inf`, and transpose to one row per cell. Mind k larger than the number of "
        "genes.",
    ),
)


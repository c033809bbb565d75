"""Lesson 3 exercises on sorting and ranks: ordinal ranks, the top genes, quantile normalization."""

from __future__ import annotations

import numpy as np

from genenorm_edu.exercises.lesson3.provided import LESSON_MODULES
from genenorm_edu.exercises.spec import Case, Exercise, Mistake
from genenorm_edu.feedback import Mismatch, check_array, check_dtype, check_pair, type_name


# --- ordinal_ranks ---------------------------------------------------------------------


def _ranks_columns(result, x, *, stable: bool | None = None) -> bool:
    """Whether each column of ``result`` ranks the column of x from 0 (verifies only).

    ``stable``: True for ties ranked in their order of appearance, False for
    any other order of a tie, None for either. It computes no ranks: it puts
    the values of x in the order the result gives and looks at them.
    """
    result, x = np.asarray(result), np.asarray(x)
    if result.shape != x.shape or result.ndim != 2 or result.dtype.kind not in "iu":
        return False
    in_order = True
    for column, ranks in zip(x.T, result.T):
        if sorted(ranks.tolist()) != list(range(len(column))):
            return False
        rows_in_rank_order = np.empty(len(column), dtype=np.intp)
        rows_in_rank_order[ranks] = np.arange(len(column))
        values = column[rows_in_rank_order]
        if np.any(values[1:] < values[:-1]):
            return False
        ties = values[1:] == values[:-1]
        in_order &= bool(np.all(rows_in_rank_order[1:][ties] > rows_in_rank_order[:-1][ties]))
    return stable is None or in_order == stable


def _is_ranking_with_other_tie_order(result, x) -> bool:
    """Each column of ``result`` puts x in non-decreasing order, but not the stable way."""
    return _ranks_columns(result, x, stable=False)


def _check_ordinal_ranks(result, expected, args) -> None:
    (x,) = args
    name = f"ordinal_ranks(x) for a {x.shape[0]} x {x.shape[1]} {x.dtype} matrix"
    check_array(result, expected, name=name, dtype_kind="iu")


_NO_TIES_COLUMN = np.array([[0.5], [-1.0], [3.0], [2.0], [0.0]])
_TIED = np.array([[30, 1], [10, 1], [20, 0]])

ORDINAL_RANKS = Exercise(
    name="ordinal_ranks",
    parameters=("x",),
    requirements=(
        "returns an integer array of the shape of x",
        "each value's rank within its column, from 0 (the smallest) to n - 1 (the largest)",
        "equal values get different ranks, in the order they appear in the column",
        "x is not modified",
    ),
    check=_check_ordinal_ranks,
    modules=LESSON_MODULES,
    visible=(
        Case("one column without ties", (_NO_TIES_COLUMN,), np.array([[2], [0], [4], [3], [1]])),
        Case("two columns, a tie in the second", (_TIED,), np.array([[2, 1], [0, 2], [1, 0]])),
    ),
    mistakes=(
        Mistake(
            "you returned the order that sorts each column (argsort): those are positions of "
            "values, not the rank of each value. The ranks are the inverse: argsort that "
            "order again, or write np.arange(n) at those positions",
            lambda result, x: np.array_equal(result, np.argsort(x, axis=0, kind="stable")),
        ),
        Mistake(
            "these ranks start at 1; here the smallest value has rank 0 (its position in the "
            "sorted column)",
            lambda result, x: _ranks_columns(np.asarray(result) - 1, x, stable=True),
        ),
        Mistake(
            "you ranked the values within each row, not within each column (axis=0)",
            lambda result, x: x.shape[0] > 1 and _ranks_columns(np.asarray(result).T, np.asarray(x).T),
        ),
        Mistake(
            "equal values got ranks in another order than they appear: sort with "
            "kind='stable' so that ties keep their order",
            _is_ranking_with_other_tie_order,
        ),
    ),
    hints=(
        "`np.argsort(column)` answers \"which value comes first, second, ...\"; the rank "
        "answers the opposite question, \"where does each value come?\". How do you invert "
        "a permutation?",
        "If `order = np.argsort(x, axis=0, kind='stable')`, then the value at row "
        "`order[i]` has rank `i`. Either argsort `order` again (stable too), or create an "
        "empty integer array and scatter `np.arange(n)` into it at the positions `order` "
        "(`np.put_along_axis` does it for every column).",
    ),
)


# --- top_genes ----------------------------------------------------------------------


def _top_by_negation(x, k):
    """What ``np.argsort(-x)`` gives: for unsigned x, -x wraps around (unsigned x only)."""
    if x.dtype.kind != "u":
        raise ValueError("only unsigned integers wrap around when negated")
    with np.errstate(over="ignore"):
        negated = -x
    return np.take_along_axis(x, np.argsort(negated, axis=0, kind="stable")[:k], axis=0)


def _check_row_numbers(rows, shape: tuple[int, ...], n_rows: int, name: str) -> None:
    """``rows`` is an integer array of ``shape`` holding row numbers of x."""
    if not isinstance(rows, np.ndarray) or rows.shape != shape or rows.dtype.kind not in "iu":
        described = f"shape {rows.shape}, dtype {rows.dtype}" if isinstance(rows, np.ndarray) else type_name(rows)
        raise Mismatch(
            f"the rows of {name} ({described}) should be an integer array of shape {shape}.",
            summary="the rows are not an integer array of shape (k, number of columns).",
        )
    if rows.min(initial=0) < 0 or rows.max(initial=0) >= n_rows:
        raise Mismatch(f"the rows of {name} are not all row numbers of x.",
                       summary="some rows are not row numbers of x.")


def _check_top_genes(result, expected, args) -> None:
    x, k = args
    name = f"top_genes(x, {k}) for a {x.shape[0]} x {x.shape[1]} {x.dtype} matrix"
    expected_rows, expected_values = expected
    check_pair(result, name=name, parts="(rows, values)")
    rows, values = result
    check_array(values, expected_values, name=f"the values of {name}")
    _check_row_numbers(rows, expected_rows.shape, x.shape[0], name)
    at_rows = np.take_along_axis(x, rows, axis=0)
    distinct = all(len(set(column.tolist())) == len(column) for column in rows.T)
    if not np.array_equal(at_rows, values) or not distinct:
        raise Mismatch(
            f"the rows of {name} do not point at the values: x at those rows "
            f"(np.take_along_axis(x, rows, axis=0)) is\n{at_rows}",
            summary="the rows do not point at the values (each column's rows must be distinct, "
            "and x at those rows must give the values).",
        )


_SMALL_TOP = np.array([[5, 0], [9, 2], [1, 7]])
_FLOAT_TOP = np.array([[0.5, 2.0, -1.0], [3.5, 1.0, -2.0], [1.5, 0.0, -0.5], [2.5, 4.0, -3.0]])

TOP_GENES = Exercise(
    name="top_genes",
    parameters=("x", "k"),
    requirements=(
        "returns a pair (rows, values) of arrays of shape (k, number of columns)",
        "values holds each column's k largest values, the largest first (dtype of x)",
        "rows holds the row numbers of those values: x at rows (np.take_along_axis) "
        "gives values; equal values in any order",
        "right for unsigned integer counts too, and for k up to the number of rows",
        "x is not modified",
    ),
    check=_check_top_genes,
    modules=LESSON_MODULES,
    visible=(
        Case("3 genes x 2 samples, k = 2", (_SMALL_TOP, 2),
             (np.array([[1, 2], [0, 1]]), np.array([[9, 7], [5, 2]]))),
        Case("4 genes x 3 samples, k = 1", (_FLOAT_TOP, 1),
             (np.array([[1, 3, 2]]), np.array([[3.5, 4.0, -0.5]]))),
        Case("uint32 counts with zeros, k = 2", (np.array([[0, 5], [3, 0], [7, 1]], dtype=np.uint32), 2),
             (np.array([[2, 0], [1, 2]]), np.array([[7, 5], [3, 1]], dtype=np.uint32))),
    ),
    mistakes=(
        Mistake(
            "you returned positions, not values, as the values: pick the values at those "
            "rows with np.take_along_axis(x, rows, axis=0)",
            lambda result, x, k: np.array_equal(result[1], result[0]),
        ),
        Mistake(
            "-x on unsigned integers wraps around (uint32 has no negative numbers, so -1 "
            "becomes 4294967295): sort x itself and reverse the order instead",
            lambda result, x, k: x.dtype.kind == "u" and np.array_equal(result[1], _top_by_negation(x, k)),
        ),
        Mistake(
            "the smallest values came first: the largest value comes first (reverse the "
            "ascending argsort with [::-1] before taking k rows)",
            lambda result, x, k: np.array_equal(result[1], np.sort(x, axis=0)[:k])
            or np.array_equal(result[1], np.sort(x, axis=0)[-k:]),
        ),
    ),
    hints=(
        "Sort the *positions*, not the values: one NumPy function gives, for each column, "
        "the rows ordered from the smallest value to the largest. How do you then get the "
        "largest first?",
        "Reverse along the rows (`[::-1]`) and keep the first `k`: that is `rows`. "
        "`np.take_along_axis(x, rows, axis=0)` then picks, column by column, the values at "
        "those rows.",
    ),
)


# --- qnorm -------------------------------------------------------------------------------


def _targets(x):
    return np.sort(np.asarray(x, dtype=np.float64), axis=0).mean(axis=1)


def _qnorm_ranks_rounded_down(x):
    """Quantile normalization where each tie block takes the target at its floored average rank.

    Only for an x where that differs from quantile normalization (a tie block
    whose average rank falls halfway): it computes the mistake, never the answer.
    """
    from scipy import stats  # imported when needed: scipy.stats takes seconds to import

    ranks = stats.rankdata(x, axis=0)
    if not np.any(ranks != np.floor(ranks)):
        raise ValueError("no tie block at a half rank: rounding it down cannot show")
    return _targets(x)[(ranks - 1).astype(np.intp)]


def _ignores_ties(result, x) -> bool:
    """Whether tied values of x got distinct targets: every column of ``result`` is the whole target.

    It verifies a given result: with ties, a right result never holds every
    target value, since a tie block shares one. It computes no normalized values.
    """
    result = np.asarray(result, dtype=np.float64)
    has_ties = any(len(np.unique(column)) < len(column) for column in np.asarray(x).T)
    return (
        has_ties
        and result.shape == np.shape(x)
        and np.allclose(np.sort(result, axis=0), _targets(x)[:, np.newaxis])
        and all(len(np.unique(r[c == v])) > 1 for r, c in zip(result.T, np.asarray(x).T) for v in np.unique(c)
                if np.count_nonzero(c == v) > 1)
    )


def _check_qnorm(result, expected, args) -> None:
    (x,) = args
    name = f"qnorm(x) for a {x.shape[0]} x {x.shape[1]} {x.dtype} matrix"
    # The result must be float64; the arithmetic need not be: computed in the
    # input's float32 (then converted), the values are right to float32 precision.
    single = x.dtype.kind == "f" and x.dtype.itemsize < 8
    tolerance = 1e-5 if single else 1e-12
    check_array(result, expected, name=name, dtype_kind="f", rtol=tolerance, atol=tolerance)
    check_dtype(result, np.float64, name=name, because="normalized values are float64")


_NO_TIES = np.array([[1.0, 30.0], [3.0, 10.0], [2.0, 20.0]])
_WIKIPEDIA = np.array([[5, 4, 3], [2, 1, 4], [3, 4, 6], [4, 2, 8]])

QNORM = Exercise(
    name="qnorm",
    parameters=("x",),
    requirements=(
        "returns a float64 array of the shape of x, for integer or float input",
        "every column gets the target distribution (the mean of the sorted columns), "
        "in the order of its own values",
        "tied values share the target at their average rank (the mean of two targets "
        "when that rank falls halfway)",
        "x is not modified (sort a copy, not x itself)",
    ),
    check=_check_qnorm,
    visible=(
        Case(
            "3 genes x 2 samples without ties (targets 5.5, 11, 16.5)",
            (_NO_TIES,),
            np.array([[5.5, 16.5], [16.5, 5.5], [11.0, 11.0]]),
        ),
        Case(
            "the Wikipedia example, integers with a tie in sample B",
            (_WIKIPEDIA,),
            np.array(
                [
                    [17 / 3, 31 / 6, 2.0],
                    [2.0, 2.0, 3.0],
                    [3.0, 31 / 6, 14 / 3],
                    [14 / 3, 3.0, 17 / 3],
                ]
            ),
        ),
    ),
    mistakes=(
        Mistake(
            "tied values got the target at their average rank rounded down; when the "
            "average rank ends in .5, use the mean of the two targets around it",
            lambda result, x: np.allclose(result, _qnorm_ranks_rounded_down(x)),
        ),
        Mistake(
            "tied values got different targets (ranks from argsort); equal inputs must "
            "stay equal: use average ranks (scipy.stats.rankdata)",
            _ignores_ties,
        ),
        Mistake(
            "you returned the sorted columns: put each target value back at the rank of "
            "the value it replaces",
            lambda result, x: np.allclose(result, np.sort(x, axis=0))
            or np.allclose(result, np.repeat(_targets(x)[:, np.newaxis], x.shape[1], axis=1)),
        ),
    ),
    modules=LESSON_MODULES,
    hints=(
        "Follow the recipe in three lines: the target (sort each column, average across "
        "columns), each value's rank in its column, then a lookup of the target at that "
        "rank. Which of these does fancy indexing do?",
        "`stats.rankdata(x, axis=0)` gives average ranks from 1 (ties end in .5). Subtract "
        "1 to get positions in the target; a whole-matrix array of positions indexes the "
        "target in one go: `target[positions]`.",
        "A position like 2.5 lies between two targets: take `np.floor` and `np.ceil` of the "
        "positions (as integers) and average the two lookups. For whole positions both "
        "are the same, so one formula serves all.",
    ),
)


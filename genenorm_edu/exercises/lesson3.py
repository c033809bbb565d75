"""Lesson 3 exercises: fancy indexing and quantile normalization."""

from __future__ import annotations

import numpy as np

from genenorm_edu.exercises.spec import Case, Exercise, Mistake
from genenorm_edu.feedback import check_array, check_dtype


def _targets(x):
    return np.sort(np.asarray(x, dtype=np.float64), axis=0).mean(axis=1)


def _qnorm_ranks_rounded_down(x):
    """Quantile normalization where each tie block takes the target at its floored average rank."""
    from scipy import stats  # slow to import: only when a mistake is looked for

    position = (stats.rankdata(x, axis=0) - 1).astype(np.intp)
    return _targets(x)[position]


def _qnorm_ignoring_ties(x):
    """Quantile normalization where tied values get distinct targets."""
    return _targets(x)[np.argsort(np.argsort(x, axis=0, kind="stable"), axis=0)]


def _check_qnorm(result, expected, args) -> None:
    (x,) = args
    name = f"qnorm(x) for a {x.shape[0]} x {x.shape[1]} {x.dtype} matrix"
    check_array(result, expected, name=name, dtype_kind="f", rtol=1e-12, atol=1e-12)
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
            lambda result, x: np.allclose(result, _qnorm_ignoring_ties(x)),
        ),
        Mistake(
            "you returned the sorted columns: put each target value back at the rank of "
            "the value it replaces",
            lambda result, x: np.allclose(result, np.sort(x, axis=0))
            or np.allclose(result, np.repeat(_targets(x)[:, np.newaxis], x.shape[1], axis=1)),
        ),
    ),
    modules={"np": "numpy", "stats": "scipy.stats"},
)

EXERCISES = (QNORM,)

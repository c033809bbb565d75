"""The visible tests catch what the lessons warn about.

Every mistake the task text or a hint warns about fails a *visible* case,
with a message naming it (not only at grading, where the student loses the
points); and no visible case is square where the axis matters, so that a
reduction or a vector lined up with the wrong axis cannot pass unnoticed.
"""

from __future__ import annotations

import numpy as np
import pytest
from catalog.answers import WRONG
from test_exercise_answers import _function

from genenorm_edu.exercises import EXERCISES, exercise, run_case
from genenorm_edu.exercises.spec import judge

#: For each exercise, the catalog's wrong answers that its text or hints warn about.
WARNED: dict[str, tuple[str, ...]] = {
    "byte_offset": ("strides paired in reverse",),
    "little_endian_value": ("big-endian", "int64 overflow", "numpy bytes times their weights"),
    "stepped_view": ("floor division", "strides unchanged", "negative lengths"),
    "c_strides": ("Fortran order", "counts elements", "floats (8.0 for 8)"),
    "closest_to": ("positions", "float result for integer input", "wrong axis"),
    "rpkm": ("uint32 overflow", "gene lengths on the samples' axis", "library sizes on the genes' axis"),
    "outer_sum": ("axes swapped",),
    "gene_zscores": ("per sample", "ddof=1", "NaN for constant genes"),
    "rolling_mean": ("the windows", "sums"),
    "ordinal_ranks": ("argsort once", "ranks from 1", "along rows", "ties in reverse"),
    "top_genes": ("minus on unsigned", "smallest first", "positions as values"),
    "tie_blocks": ("keeps singletons",),
    "qnorm": ("ranks rounded down", "ignores ties", "sorts the caller's array"),
    "nonzero_normalized": ("keeps zeros", "n_counts on the genes' axis"),
    "nonzero_medians": ("zeros counted", "zero for undetected genes"),
    "rank_value_encoding": ("increasing", "raw counts", "keeps undetected genes", "keeps genes without a median"),
}

#: Exercises whose result depends on which axis is which: their visible 2-D inputs are not square.
AXIS_MATTERS = (
    "closest_to", "rpkm", "gene_zscores", "ordinal_ranks", "top_genes", "qnorm",
    "nonzero_normalized", "nonzero_medians",
)


def _first_visible_failure(name: str, source: str):
    function = _function(name, source)
    item = exercise(name)
    for case in item.visible:
        verdict = judge(item, case, run_case(function, case), case.expected)
        if not verdict.passed:
            return verdict
    return None


WARNED_ANSWERS = [(name, key) for name, keys in WARNED.items() for key in keys]


@pytest.mark.parametrize(("name", "key"), WARNED_ANSWERS)
def test_a_warned_mistake_fails_a_visible_case_naming_it(name, key):
    source, text = WRONG[name][key]
    verdict = _first_visible_failure(name, source)
    assert verdict is not None, f"{name}: {key} passes every visible case"
    assert text and text in verdict.message


def test_every_warned_mistake_names_a_catalog_answer():
    for name, keys in WARNED.items():
        assert name in EXERCISES and all(key in WRONG[name] for key in keys), name


@pytest.mark.parametrize("name", AXIS_MATTERS)
def test_no_visible_case_is_square_where_the_axis_matters(name):
    for case in exercise(name).visible:
        for argument in case.args:
            if isinstance(argument, np.ndarray) and argument.ndim == 2:
                assert argument.shape[0] != argument.shape[1], (name, case.label)

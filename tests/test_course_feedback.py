"""The messages of genenorm_edu.feedback, which the notebooks' visible tests show."""

from __future__ import annotations

import re

import numpy as np
import pytest

from genenorm_edu.feedback import check_array, check_equal, check_written_here


def _message(check, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as raised:
        check(*args, **kwargs)
    return str(raised.value)


def test_check_array_passes_equal_arrays_within_tolerance():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    check_array(expected * (1 + 1e-9), expected)
    check_array(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]))


def test_check_array_names_a_missing_return():
    message = _message(check_array, None, np.zeros(3), name="rpkm(c, l)")
    assert "rpkm(c, l) is a NoneType" in message and "return statement" in message


def test_check_array_names_a_list_instead_of_an_array():
    assert "is a list, expected a NumPy array of shape (2,)" in _message(
        check_array, [1.0, 2.0], np.array([1.0, 2.0])
    )


def test_check_array_reports_both_shapes():
    message = _message(check_array, np.zeros((3, 2)), np.zeros((2, 3)), name="x")
    assert message == "x has shape (3, 2), expected shape (2, 3)."


def test_check_array_reports_integer_result_where_floats_are_needed():
    message = _message(check_array, np.array([1, 2]), np.array([1.0, 2.0]), name="qnorm(x)")
    assert "dtype int64" in message and "floating-point" in message


def test_check_array_accepts_any_integer_kind_for_integer_expectations():
    check_array(np.array([1, 2], dtype=np.uint8), np.array([1, 2], dtype=np.int64))


def test_check_array_points_at_the_first_wrong_row_and_column():
    expected = np.arange(12.0).reshape(3, 4)
    actual = expected.copy()
    actual[2, 1] = -5.0
    actual[2, 3] = -7.0
    message = _message(check_array, actual, expected, name="result")
    assert "wrong values in 2 of 12 entries" in message
    assert "row 2, column 1: got -5.0, expected 9.0" in message
    assert re.search(r"row 2 should be \[ *8\. +9\. +10\. +11\.\]", message)


def test_check_equal_compares_types_then_values():
    check_equal((32, 8), (32, 8))
    assert "is a list" in _message(check_equal, [32, 8], (32, 8))
    assert "Hint." in _message(check_equal, (8, 32), (32, 8), hint="Hint.")


def _defined_here(source: str, namespace: dict | None = None):
    """Define a function as a notebook cell does (module ``__main__``)."""
    namespace = {"__name__": "__main__", **(namespace or {})}
    exec(source, namespace)  # noqa: S102 -- test fixture, fixed source
    return namespace


def test_check_written_here_accepts_a_notebook_function_using_numpy():
    namespace = _defined_here("def qnorm(x):\n    return np.sort(x, axis=0)\n", {"np": np})
    check_written_here(namespace["qnorm"], "qnorm")


def test_check_written_here_refuses_the_reference_function_itself():
    from genenorm_edu.reference import qnorm

    assert "comes from genenorm_edu.reference" in _message(check_written_here, qnorm, "qnorm")


@pytest.mark.parametrize(
    "source",
    [
        "import genenorm_edu.reference as ref\ndef qnorm(x):\n    return ref.qnorm(x)\n",
        "from genenorm_edu.reference import qnorm as q\ndef qnorm(x):\n    return q(x)\n",
        "import genenorm_edu.reference\ndef qnorm(x):\n    return genenorm_edu.reference.qnorm(x)\n",
        "def qnorm(x):\n    from genenorm_edu.reference import qnorm as q\n    return q(x)\n",
        "def qnorm(x):\n    def inner():\n        from genenorm_edu import medians\n    return inner\n",
    ],
)
def test_check_written_here_refuses_wrappers_of_the_library(source):
    namespace = _defined_here(source)
    message = _message(check_written_here, namespace["qnorm"], "qnorm")
    assert "genenorm_edu" in message


def test_check_written_here_refuses_closures_over_the_library():
    from genenorm_edu import reference

    def make():
        solved = reference.qnorm

        def qnorm(x):
            return solved(x)

        return qnorm

    wrapper = make()
    wrapper.__module__ = "__main__"
    assert "'solved'" in _message(check_written_here, wrapper, "qnorm")


def test_check_written_here_refuses_non_functions():
    # A ufunc is not a Python function on any NumPy version (np.sort is one on 1.x).
    assert "should be a function" in _message(check_written_here, np.add, "qnorm")


def _cell(source: str, filename: str, namespace: dict):
    """Run ``source`` as IPython runs a cell: compiled under a file name linecache knows."""
    import linecache

    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 -- fixed test source
    return namespace


def test_check_self_contained_finds_a_name_from_another_cell():
    from genenorm_edu.feedback import check_self_contained

    namespace = {"__name__": "__main__", "np": np}
    _cell("from numpy.lib.stride_tricks import sliding_window_view\n", "<cell-1>", namespace)
    _cell(
        "def rolling_mean(values, window):\n"
        "    return sliding_window_view(values, window).mean(axis=1)\n",
        "<cell-2>",
        namespace,
    )
    message = _message(check_self_contained, namespace["rolling_mean"], "rolling_mean", {"np": "numpy"})
    assert message.startswith("rolling_mean uses `sliding_window_view`, which its answer cell neither")
    assert "with only `np` and Python's builtins" in message


def test_check_self_contained_accepts_what_the_cell_provides():
    from genenorm_edu.feedback import check_self_contained

    namespace = {"__name__": "__main__", "np": np}
    _cell(
        "import math\n"
        "from numpy.lib.stride_tricks import sliding_window_view as windows\n"
        "SCALE = 2\n"
        "def _helper(x):\n    return x * SCALE\n"
        "def rolling_mean(values, window):\n"
        "    means = [math.fsum(w) / window for w in windows(values, window)]\n"
        "    return _helper(np.array(means)) / 2 + len(values) * 0\n",
        "<cell-3>",
        namespace,
    )
    check_self_contained(namespace["rolling_mean"], "rolling_mean", {"np": "numpy"})


def test_check_self_contained_checks_nothing_without_the_cells_source():
    from genenorm_edu.feedback import check_self_contained

    namespace = _defined_here("def qnorm(x):\n    return outside(x)\n", {"outside": abs})
    check_self_contained(namespace["qnorm"], "qnorm", {"np": "numpy"})

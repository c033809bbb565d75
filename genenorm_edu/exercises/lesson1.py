"""Lesson 1 exercises: inside an ndarray."""

from __future__ import annotations

import numbers

from genenorm_edu.exercises.spec import Case, Exercise, Mistake
from genenorm_edu.feedback import Mismatch, check_equal


def fortran_strides(shape, itemsize) -> tuple[int, ...]:
    """Strides of a Fortran-ordered array: the first axis moves fastest."""
    strides, step = [], itemsize
    for length in shape:
        strides.append(step)
        step *= length
    return tuple(strides)


def _is_whole_number(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_c_strides(result, expected, args) -> None:
    shape, itemsize = args
    name = f"c_strides({tuple(shape)!r}, {itemsize})"
    if not isinstance(result, tuple):
        check_equal(result, expected, name=name)  # names the type
    if len(result) != len(expected):
        raise Mismatch(
            f"{name} has {len(result)} strides, expected one per axis: {len(expected)}.",
            summary=f"the result has {len(result)} strides for {len(expected)} axes: "
            "give one stride per axis.",
        )
    for axis, stride in enumerate(result):
        if not _is_whole_number(stride):
            raise Mismatch(
                f"{name}[{axis}] is {stride!r} ({type(stride).__name__}): strides are whole "
                "numbers of bytes, so return integers (8, not 8.0).",
                summary=f"a stride is a {type(stride).__name__}: strides are whole numbers "
                "of bytes, so return integers (8, not 8.0).",
            )
    check_equal(tuple(int(stride) for stride in result), expected, name=name)


C_STRIDES = Exercise(
    name="c_strides",
    parameters=("shape", "itemsize"),
    requirements=(
        "returns a tuple with one stride per axis (an empty tuple for shape ())",
        "each stride is an integer number of bytes (8, not 8.0)",
        "right for any number of axes and any itemsize",
    ),
    check=_check_c_strides,
    visible=(
        Case("a (3, 4) array of int64", ((3, 4), 8), (32, 8)),
        Case("a (2, 3, 4) array of float32", ((2, 3, 4), 4), (48, 16, 4)),
        Case("a (5, 2) array of int16, as NumPy computes it", ((5, 2), 2), (4, 2)),
        Case("a 0-d array: no axes, no strides", ((), 8), ()),
    ),
    mistakes=(
        Mistake(
            "these are Fortran-order strides (first axis fastest); in C order the last "
            "axis moves one element at a time",
            lambda result, shape, itemsize: tuple(result) == fortran_strides(shape, itemsize)
            and len(shape) > 1,
        ),
        Mistake(
            "these strides count elements, not bytes: multiply by itemsize",
            lambda result, shape, itemsize: itemsize > 1
            and tuple(s * itemsize for s in result)
            == tuple(reversed(fortran_strides(tuple(reversed(shape)), itemsize))),
        ),
    ),
    modules={"np": "numpy"},
)

EXERCISES = (C_STRIDES,)

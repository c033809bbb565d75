"""Lesson 1 exercises: inside an ndarray."""

from __future__ import annotations

import numbers

import numpy as np

from genenorm_edu.exercises.spec import Case, Exercise, Mistake
from genenorm_edu.feedback import Mismatch, check_equal, check_pair, type_name, value_kind


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
                summary=f"a stride is a {value_kind(stride)}: strides are whole numbers "
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
    hints=(
        "Start from the last axis: moving one step along it moves to the very next "
        "element in memory. How many bytes is that?",
        "Going one step along an axis jumps over a whole block made of the axes after "
        "it, so each stride is the next axis's stride times the next axis's length.",
        "Keep a running product: `step = itemsize`, then for each `length` in "
        "`reversed(shape)` append `step` and multiply `step` by `length`; reverse the "
        "list at the end and make it a tuple.",
    ),
)


# --- byte_offset ----------------------------------------------------------------


def _check_whole_number(result, expected, name: str, what: str) -> None:
    """``result`` is an integer (Python or NumPy) equal to ``expected``."""
    if not _is_whole_number(result):
        kind = type_name(result)
        raise Mismatch(
            f"{name} is {result!r} (a {kind}): {what} is a whole number, so return an int.",
            summary=f"the result is a {value_kind(result)}: {what} is a whole number, so return an int.",
        )
    check_equal(int(result), expected, name=name)


def _check_byte_offset(result, expected, args) -> None:
    index, strides = args
    _check_whole_number(
        result, expected, f"byte_offset({tuple(index)!r}, {tuple(strides)!r})", "an offset in bytes"
    )


def _offsets_per_axis(result, index, strides) -> bool:
    products = [i * s for i, s in zip(index, strides)]
    return len(index) > 1 and [int(r) for r in result] == products


BYTE_OFFSET = Exercise(
    name="byte_offset",
    parameters=("index", "strides"),
    requirements=(
        "returns one integer: the element's distance in bytes from the array's first element",
        "right for any number of axes (0 for a 0-d array's only element)",
        "right for negative strides (the offset is then negative) and strides of 0",
    ),
    check=_check_byte_offset,
    visible=(
        Case("a[1, 2] of the (3, 4) int64 array a", ((1, 2), (32, 8)), 48),
        Case("the same element, as a.T[2, 1]", ((2, 1), (8, 32)), 48),
        Case("element [1, 2, 3] of a (2, 3, 4) float32 array", ((1, 2, 3), (48, 16, 4)), 92),
        Case("the only element of a 0-d array", ((), ()), 0),
    ),
    mistakes=(
        Mistake(
            "you paired each index with another axis's stride (the strides in reverse "
            "order): index k goes with strides[k]",
            lambda result, index, strides: len(index) > 1
            and int(result) == sum(i * s for i, s in zip(index, reversed(strides))),
        ),
        Mistake(
            "you returned one offset per axis: add them up into one number",
            _offsets_per_axis,
        ),
    ),
    hints=(
        "A stride says how many bytes one step along its axis moves. How many steps "
        "along axis 0 does `index` take, and along axis 1?",
        "Each axis contributes `index[k] * strides[k]` bytes, whatever the other axes "
        "do: add up these contributions (`zip` pairs them).",
    ),
)

# --- stepped_view ----------------------------------------------------------------


def _floored_lengths(shape, steps) -> tuple[int, ...]:
    return tuple(n // abs(k) for n, k in zip(shape, steps))


def _check_int_tuple(part, wanted, name: str, what: str) -> None:
    if not isinstance(part, tuple) or not all(_is_whole_number(n) for n in part):
        kind = type_name(part)
        raise Mismatch(
            f"{name}: the {what} is {part!r} (a {kind}), expected a tuple of ints like {wanted!r}.",
            summary=f"the {what} is not a tuple of ints.",
        )
    got = tuple(int(n) for n in part)
    if got != wanted:
        raise Mismatch(
            f"{name}: the {what} is {got!r}, expected {wanted!r}.",
            summary=f"the result has the wrong {what}.",
        )


def _check_stepped_view(result, expected, args) -> None:
    shape, strides, steps = args
    name = f"stepped_view({tuple(shape)!r}, {tuple(strides)!r}, {tuple(steps)!r})"
    check_pair(result, name=name, parts="(shape, strides)")
    _check_int_tuple(result[0], expected[0], name, "shape")
    _check_int_tuple(result[1], expected[1], name, "strides")


STEPPED_VIEW = Exercise(
    name="stepped_view",
    parameters=("shape", "strides", "steps"),
    requirements=(
        "returns a pair (shape, strides), each a tuple of ints with one entry per axis",
        "an axis of n elements stepped by k keeps ceil(n / |k|) of them (5 by 2: elements 0, 2, 4)",
        "each stride is multiplied by its step; a negative step gives a negative stride",
        "right for any number of axes, steps larger than the axis, and empty axes",
    ),
    check=_check_stepped_view,
    visible=(
        Case("a.T[::2, ::2], where a.T has shape (4, 3) and strides (8, 32)",
             ((4, 3), (8, 32), (2, 2)), ((2, 2), (16, 64))),
        Case("a[:, ::3] for the (3, 4) int64 array a", ((3, 4), (32, 8), (1, 3)), ((3, 2), (32, 24))),
        Case("a[::-1]: a negative step", ((3, 4), (32, 8), (-1, 1)), ((3, 4), (-32, 8))),
        Case("every other element of 5", ((5,), (8,), (2,)), ((3,), (16,))),
    ),
    mistakes=(
        Mistake(
            "a stepped axis keeps ceil(n / k) elements, not n // k: stepping 5 elements by 2 "
            "keeps elements 0, 2 and 4",
            lambda result, shape, strides, steps: tuple(result[0]) == _floored_lengths(shape, steps)
            and _floored_lengths(shape, steps) != tuple(-(-n // abs(k)) for n, k in zip(shape, steps)),
        ),
        Mistake(
            "you kept the old strides: stepping by k multiplies an axis's stride by k",
            lambda result, shape, strides, steps: tuple(result[1]) == tuple(strides)
            and any(k != 1 for k in steps),
        ),
        Mistake(
            "a length came out negative: how many elements remain depends on the size of the "
            "step, abs(step), not on its sign",
            lambda result, shape, strides, steps: any(n < 0 for n in result[0]),
        ),
    ),
    hints=(
        "Treat each axis on its own: what does `[::k]` do to the number of elements "
        "along that axis, and to the distance in memory between neighbours?",
        "Neighbours of the stepped view are `k` old neighbours apart, so the stride "
        "becomes `stride * k` (negative `k`: negative stride). Count the kept elements "
        "on paper for 5 elements and `k = 2`: it is the ceiling of `5 / 2`.",
        "With integers only, the ceiling of `n / m` is `(n + m - 1) // m`; use "
        "`m = abs(k)`. Build both tuples in one loop over `zip(shape, strides, steps)`.",
    ),
)

# --- little_endian_value -------------------------------------------------------------


def _big_endian(raw) -> int:
    return sum(int(byte) * 256**position for position, byte in enumerate(reversed(raw)))


def _check_little_endian_value(result, expected, args) -> None:
    (raw,) = args
    name = f"little_endian_value({list(int(b) for b in raw)})"
    _check_whole_number(result, expected, name, "the stored value")


LITTLE_ENDIAN_VALUE = Exercise(
    name="little_endian_value",
    parameters=("raw",),
    requirements=(
        "returns the unsigned integer (a whole number, never negative) stored in the bytes of raw",
        "the first byte is the least significant: byte k is worth 256**k",
        "right for 1 to 8 bytes, up to 2**64 - 1 (no overflow)",
        "raw is not modified",
    ),
    check=_check_little_endian_value,
    visible=(
        Case("the bytes of 400 from the lesson", (np.array([144, 1, 0, 0, 0, 0, 0, 0], dtype=np.uint8),), 400),
        Case("a single byte", (np.array([7], dtype=np.uint8),), 7),
        Case("the 4 bytes of a uint32", (np.array([0, 0, 0, 1], dtype=np.uint8),), 2**24),
    ),
    mistakes=(
        Mistake(
            "you read the bytes most significant first (big-endian); in little-endian order "
            "the first byte is the least significant: byte k is worth 256**k",
            lambda result, raw: len(raw) > 1 and int(result) == _big_endian(raw),
        ),
        Mistake(
            "the value overflowed int64, which holds at most 2**63 - 1: compute with Python "
            "ints (int(byte) * 256**k) or with np.uint64",
            lambda result, raw: int(result) < 0 or int(result) == sum(
                int(b) * 256**k for k, b in enumerate(raw)) - 2**64,
        ),
        Mistake(
            "you added the bytes without their weights: byte k is worth 256**k",
            lambda result, raw: len(raw) > 1 and int(result) == sum(int(b) for b in raw),
        ),
    ),
    hints=(
        "Think of the bytes as the digits of a number written in base 256, "
        "smallest digit first (the lesson's 400 is `144 + 1 * 256`).",
        "Byte `k` is worth `raw[k] * 256**k`; the value is the sum over all bytes.",
        "NumPy integers stop at 2**63 - 1 (int64) and wrap around silently. Sum Python "
        "ints instead: `int(byte) * 256**k` in a loop over `enumerate(raw)`.",
    ),
)

EXERCISES = (BYTE_OFFSET, LITTLE_ENDIAN_VALUE, STEPPED_VIEW, C_STRIDES)

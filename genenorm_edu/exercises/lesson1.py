"""Lesson 1 exercises: inside an ndarray."""

from __future__ import annotations

import numbers

import numpy as np

from genenorm_edu.exercises.spec import Case, ErrorCause, Exercise, Mistake
from genenorm_edu.feedback import Mismatch, check_equal, check_pair, type_name, value_kind


def _grows_from_first_axis(strides, shape, first) -> bool:
    """Whether ``strides`` start at ``first`` on axis 0 and grow by each axis's length.

    It recognizes Fortran-order strides (``first`` = itemsize): the first axis
    moves fastest. It only verifies a given result; it computes no strides.
    """
    strides, shape = tuple(int(s) for s in strides), tuple(shape)
    if len(strides) != len(shape) or not strides or strides[0] != first:
        return False
    return all(strides[k + 1] == strides[k] * shape[k] for k in range(len(shape) - 1))


def _counts_elements(strides, shape) -> bool:
    """Whether ``strides`` are C-order strides counted in elements: 1 on the last axis.

    It only verifies a given result; it computes no strides.
    """
    strides, shape = tuple(int(s) for s in strides), tuple(shape)
    if len(strides) != len(shape) or not strides or strides[-1] != 1:
        return False
    return all(strides[k] == strides[k + 1] * shape[k + 1] for k in range(len(shape) - 1))


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
            lambda result, shape, itemsize: len(shape) > 1
            and _grows_from_first_axis(result, shape, itemsize),
        ),
        Mistake(
            "these strides count elements, not bytes: multiply by itemsize",
            lambda result, shape, itemsize: itemsize > 1 and _counts_elements(result, shape),
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
        Case("a[::-1][1, 2]: a negative stride, a negative offset", ((1, 2), (-32, 8)), -16),
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
            and any(n % abs(k) for n, k in zip(shape, steps)),
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


def _reads_big_endian(value, raw) -> bool:
    """Whether ``value``, written most significant byte first, gives the bytes ``raw``.

    It only verifies a given result; it reads no value from ``raw``.
    """
    value = int(value)
    return 0 <= value < 256 ** len(raw) and value.to_bytes(len(raw), "big") == bytes(int(b) for b in raw)


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
        Case("2**63: too large for int64", (np.array([0, 0, 0, 0, 0, 0, 0, 128], dtype=np.uint8),), 2**63),
    ),
    error_causes=(
        ErrorCause(
            "a NumPy integer (a byte of raw is a uint8) cannot hold the weighted byte: compute "
            "with Python ints, int(byte) * 256**k",
            "OverflowError",
        ),
    ),
    mistakes=(
        Mistake(
            "you read the bytes most significant first (big-endian); in little-endian order "
            "the first byte is the least significant: byte k is worth 256**k",
            lambda result, raw: len(raw) > 1 and _reads_big_endian(result, raw),
        ),
        Mistake(
            "the value overflowed int64, which holds at most 2**63 - 1: compute with Python "
            "ints (int(byte) * 256**k) or with np.uint64",
            lambda result, raw: int(result) < 0,  # a wrapped-around int64 is negative
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

# --- reshape_copies ------------------------------------------------------------------


def _is_truth_value(value) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return True
    return isinstance(value, np.ndarray) and value.shape == () and value.dtype == np.bool_


def _check_reshape_copies(result, expected, args) -> None:
    shape, strides, new_shape = args
    name = f"reshape_copies({tuple(shape)!r}, {tuple(strides)!r}, {tuple(new_shape)!r})"
    if not _is_truth_value(result):
        kind = type_name(result)
        raise Mismatch(
            f"{name} is {result!r} (a {kind}): answer True (reshape must copy) or False (a view).",
            summary=f"the result is a {value_kind(result)}, not True or False.",
        )
    if bool(result) != expected:
        answer = "must copy" if expected else "can be a view, without copying"
        raise Mismatch(
            f"{name} is {bool(result)}, expected {expected}: this reshape {answer}.",
            summary="the result is the wrong answer (True for a view, or False for a copy).",
        )


def _c_contiguous(shape, strides) -> bool:
    """Whether the layout is C-contiguous (axes of length 1 ignored), by its strides alone."""
    step = 1
    for length, stride in zip(reversed(shape), reversed(strides)):
        if length != 1 and stride != step:
            return False
        step *= length
    return True


RESHAPE_COPIES = Exercise(
    name="reshape_copies",
    parameters=("shape", "strides", "new_shape"),
    requirements=(
        "returns True if x.reshape(new_shape) must copy the data of an array x with this shape "
        "and these strides (in units of one element), False if it can be a view",
        "axes merged into one must be evenly spaced: each one's stride is the next one's stride "
        "times the next one's length",
        "splitting an axis never copies; axes of length 1 and empty arrays never force a copy",
        "right for any number of axes, negative strides and strides of 0",
    ),
    check=_check_reshape_copies,
    visible=(
        Case("a (3, 4) C-ordered array, flattened", ((3, 4), (4, 1), (12,)), False),
        Case("its transpose, flattened", ((4, 3), (1, 4), (12,)), True),
        Case("a[:, ::2] of the (3, 4) array, flattened: evenly spaced", ((3, 2), (4, 2), (6,)), False),
        Case("a[:, :2] of the (3, 4) array, flattened", ((3, 2), (4, 1), (6,)), True),
        Case("the transpose, its first axis split in two", ((4, 3), (1, 4), (2, 2, 3)), False),
    ),
    mistakes=(
        Mistake(
            "you answered whether the array is C-contiguous; a view is possible for more "
            "layouts than that: the axes that are merged only need to be evenly spaced, and "
            "splitting an axis never copies",
            lambda result, shape, strides, new_shape: bool(result) == (not _c_contiguous(shape, strides)),
        ),
    ),
    hints=(
        "Reshaping (in C order) keeps the elements in the order `ravel` lists them. Which "
        "axes of `shape` end up in the same axis of `new_shape`, and which are split?",
        "Group the axes: walk along `shape` and `new_shape` together, multiplying lengths "
        "until both products are equal; each group of old axes becomes a group of new ones. "
        "Skip axes of length 1 first, and answer False for an empty array.",
        "A group of old axes can become one run of memory without a copy only if, inside "
        "it, `strides[i] == strides[i + 1] * shape[i + 1]` for each neighbouring pair.",
    ),
)

EXERCISES = (BYTE_OFFSET, LITTLE_ENDIAN_VALUE, STEPPED_VIEW, C_STRIDES, RESHAPE_COPIES)

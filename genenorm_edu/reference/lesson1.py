"""Reference solutions of lesson 1, inside an ndarray (instructors only)."""

from __future__ import annotations

import numpy as np

__all__ = ["byte_offset", "c_strides", "little_endian_value", "reshape_copies", "stepped_view"]


def c_strides(shape: tuple[int, ...], itemsize: int) -> tuple[int, ...]:
    """Strides, in bytes, of a C-contiguous array of ``shape``.

    The last axis moves one element (``itemsize`` bytes); each axis before
    it jumps over a whole block of the axes after it.

    Examples
    --------
    >>> c_strides((3, 4), 8)
    (32, 8)
    >>> c_strides((2, 3, 4), 4) == np.zeros((2, 3, 4), dtype=np.float32).strides
    True
    >>> c_strides((), 8)
    ()
    """
    strides = []
    step = itemsize
    for length in reversed(shape):
        strides.append(step)
        step *= length
    return tuple(reversed(strides))


def byte_offset(index: tuple[int, ...], strides: tuple[int, ...]) -> int:
    """How many bytes after an array's first element the element at ``index`` starts.

    Examples
    --------
    >>> byte_offset((1, 2), (32, 8))   # a[1, 2] of a (3, 4) int64 array
    48
    >>> byte_offset((2, 1), (8, 32))   # the same element, as a.T[2, 1]
    48
    """
    offset = 0
    for position, stride in zip(index, strides):
        offset += position * stride
    return offset


def stepped_view(
    shape: tuple[int, ...], strides: tuple[int, ...], steps: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shape and strides of ``a[::steps[0], ::steps[1], ...]`` for ``a`` of this layout.

    An axis of ``n`` elements stepped by ``k`` keeps ``ceil(n / |k|)`` of
    them; its stride is multiplied by ``k`` (a negative step walks
    backwards).

    Examples
    --------
    >>> stepped_view((4, 3), (8, 32), (2, 2))   # a.T[::2, ::2]
    ((2, 2), (16, 64))
    >>> stepped_view((5,), (8,), (-2,))
    ((3,), (-16,))
    """
    new_shape = []
    new_strides = []
    for length, stride, step in zip(shape, strides, steps):
        size = abs(step)
        new_shape.append((length + size - 1) // size)
        new_strides.append(stride * step)
    return tuple(new_shape), tuple(new_strides)


def little_endian_value(raw: np.ndarray) -> int:
    """The unsigned integer stored little-endian in the bytes ``raw``.

    Examples
    --------
    >>> little_endian_value(np.array([144, 1, 0, 0, 0, 0, 0, 0], dtype=np.uint8))
    400
    """
    value = 0
    for position, byte in enumerate(raw):
        value += int(byte) * 256**position
    return value


def reshape_copies(shape: tuple[int, ...], strides: tuple[int, ...], new_shape: tuple[int, ...]) -> bool:
    """Whether ``x.reshape(new_shape)`` (C order) must copy ``x``, of this shape and these strides.

    Strides count elements. Axes of length 1 are left out; then the old and
    new axes are grouped into runs of equal total length. A group of old
    axes can be read as one run of memory only if each axis's stride is the
    next one's stride times the next one's length.

    Examples
    --------
    >>> reshape_copies((3, 4), (4, 1), (12,))
    False
    >>> reshape_copies((4, 3), (1, 4), (12,))        # a transpose, flattened
    True
    >>> reshape_copies((4, 3), (1, 4), (2, 2, 3))    # splitting an axis
    False
    """
    if 0 in shape:
        return False
    old = [(length, stride) for length, stride in zip(shape, strides) if length != 1]
    new = [length for length in new_shape if length != 1]
    i = j = 0
    while i < len(old) and j < len(new):
        old_end, new_end = i + 1, j + 1
        old_size, new_size = old[i][0], new[j]
        while old_size != new_size:
            if old_size < new_size:
                old_size *= old[old_end][0]
                old_end += 1
            else:
                new_size *= new[new_end]
                new_end += 1
        for axis in range(i, old_end - 1):
            if old[axis][1] != old[axis + 1][1] * old[axis + 1][0]:
                return True
        i, j = old_end, new_end
    return False


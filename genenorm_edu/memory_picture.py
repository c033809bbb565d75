"""Pictures of memory: which cells of a buffer a view reads, and in which order.

An ndarray view is a pattern over someone else's buffer: a start, a shape
and strides. :func:`draw_memory` draws the buffer as one row of cells, in
memory order, and marks the cells the view reads, each with the place(s) it
takes in the view (counting the view's elements in row-major order), with
one arrow per axis showing its stride. The picture makes visible what the
numbers say: a transpose reads the same cells in another order, a step skips
cells, a negative stride walks backwards, a broadcast (stride 0) reads one
cell many times, and a sliding window reads the same cells in overlapping
runs.

- :func:`buffer_positions` -- for each element of a view, the cell of the
  buffer it reads (the numbers behind the picture);
- :func:`draw_memory` -- the picture, with a text description
  (:class:`MemoryPicture`) that serves as its alternative text.

Examples
--------
>>> a = np.arange(12).reshape(3, 4)
>>> buffer_positions(a.T[::2, ::2], a)
array([[ 0,  8],
       [ 2, 10]])
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, Rectangle

__all__ = ["MAX_CELLS", "MemoryPicture", "buffer_positions", "describe_memory", "draw_memory"]

#: The most buffer elements a picture draws (beyond that, cells are unreadable).
MAX_CELLS = 48

#: Colours of the picture (colour-blind safe: blue marks, grey background).
SELECTED_COLOUR = "#4c8dd6"
UNSELECTED_COLOUR = "#eeeeee"
ARROW_COLOURS = ("#d95f02", "#1b9e77", "#7570b3", "#e7298a")


@dataclass(frozen=True)
class MemoryPicture:
    """A drawn picture of memory and its description in words.

    Attributes
    ----------
    axes : matplotlib.axes.Axes
        The Axes holding the picture.
    positions : ndarray of int
        For each element of the view, the buffer cell it reads
        (:func:`buffer_positions`).
    description : str
        What the picture shows, in words: its alternative text. Jupyter
        shows it under the picture (it is the object's ``repr``).
    """

    axes: Axes
    positions: np.ndarray
    description: str

    def __repr__(self) -> str:
        return self.description


def _memory_order_values(base: np.ndarray) -> np.ndarray:
    """The elements of a contiguous array in the order they lie in memory."""
    return base.ravel(order="K")


def _check_base(base: np.ndarray) -> None:
    if not isinstance(base, np.ndarray):
        raise TypeError(f"base must be a NumPy array, got {type(base).__name__}")
    if not (base.flags.c_contiguous or base.flags.f_contiguous):
        raise ValueError(
            f"base must be a contiguous array (the owner of the buffer), got one with shape "
            f"{base.shape} and strides {base.strides}; pass the array the view was made from"
        )


def buffer_positions(view: np.ndarray, base: np.ndarray | None = None) -> np.ndarray:
    """For each element of ``view``, the index of the buffer cell it reads.

    The buffer is ``base``'s memory, counted in elements (cell ``k`` starts
    ``k * itemsize`` bytes into it). Positions come from the view's real
    address and strides, so any view works: slices, transposes, negative
    steps, broadcasts, sliding windows.

    Parameters
    ----------
    view : ndarray
        An array reading (part of) ``base``'s memory, with the same itemsize.
    base : ndarray, optional
        The contiguous array owning the buffer. Default: ``view`` itself
        (then ``view`` must be contiguous).

    Returns
    -------
    positions : ndarray of intp, shape ``view.shape``

    Raises
    ------
    TypeError
        If ``view`` or ``base`` is not an ndarray.
    ValueError
        If ``base`` is not contiguous, the itemsizes differ, or the view
        reads outside ``base``'s buffer (it is not a view of ``base``).

    Examples
    --------
    >>> a = np.arange(12, dtype=np.int64).reshape(3, 4)
    >>> buffer_positions(a[::-1], a)[0]   # the first row of a[::-1] is the last of a
    array([ 8,  9, 10, 11])
    >>> buffer_positions(np.broadcast_to(a[0], (2, 4)), a)  # stride 0: row 0 twice
    array([[0, 1, 2, 3],
           [0, 1, 2, 3]])
    """
    if not isinstance(view, np.ndarray):
        raise TypeError(f"view must be a NumPy array, got {type(view).__name__}")
    base = view if base is None else base
    _check_base(base)
    itemsize = base.itemsize
    if view.itemsize != itemsize:
        raise ValueError(
            f"view and base must have the same itemsize, got {view.itemsize} and {itemsize} bytes"
        )
    first_byte = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    byte_offsets = np.full(view.shape, first_byte, dtype=np.intp)
    for axis, stride in enumerate(view.strides):
        steps = np.arange(view.shape[axis], dtype=np.intp) * stride
        byte_offsets += steps.reshape((-1,) + (1,) * (view.ndim - axis - 1))
    if view.size and (np.any(byte_offsets % itemsize) or byte_offsets.min() < 0
                      or byte_offsets.max() >= base.nbytes):
        raise ValueError(
            f"the view (shape {view.shape}, strides {view.strides}) reads outside the buffer "
            f"of base (shape {base.shape}): it is not a view of base"
        )
    return byte_offsets // itemsize


def _visit_label(visits: list[int]) -> str:
    """The places a cell takes in the view: ``"3"``, ``"0,4"`` or ``"×5"``."""
    if len(visits) <= 2:
        return ",".join(str(v) for v in visits)
    return f"×{len(visits)}"


def describe_memory(view: np.ndarray, base: np.ndarray | None = None, *, title: str = "view") -> str:
    """A text description of :func:`draw_memory`'s picture (its alternative text).

    Examples
    --------
    >>> a = np.arange(6, dtype=np.int64).reshape(2, 3)
    >>> print(describe_memory(a.T, a, title="a.T"))
    a.T: shape (3, 2), strides (8, 24) bytes, over a buffer of 6 int64 cells (8 bytes each).
    It reads cells 0, 3, 1, 4, 2, 5 (in the order of its elements), 6 distinct cells.
    Along axis 0 it steps +8 bytes (+1 cell); along axis 1, +24 bytes (+3 cells).
    """
    base = view if base is None else base
    positions = buffer_positions(view, base)
    order = positions.ravel()
    listed = ", ".join(str(int(p)) for p in order[:24]) + (", ..." if order.size > 24 else "")
    distinct = np.unique(order).size
    repeats = " (some more than once)" if distinct < order.size else ""
    steps = []
    for axis, stride in enumerate(view.strides):
        cells = stride // base.itemsize
        prefix = f"along axis {axis} it steps " if axis == 0 else f"along axis {axis}, "
        if stride == 0:
            steps.append(f"{prefix}0 bytes (the same cell again)")
        else:
            steps.append(f"{prefix}{stride:+d} bytes ({cells:+d} cell{'s' if abs(cells) != 1 else ''})")
    stride_text = "; ".join(steps)
    stride_text = stride_text[0].upper() + stride_text[1:] + "." if steps else "It has no axes."
    return (
        f"{title}: shape {view.shape}, strides {view.strides} bytes, over a buffer of "
        f"{base.size} {base.dtype} cells ({base.itemsize} bytes each).\n"
        f"It reads cells {listed} (in the order of its elements), {distinct} distinct "
        f"cells{repeats}.\n{stride_text}"
    )


def _stride_label(stride: int, itemsize: int) -> str:
    cells = stride // itemsize
    if stride == 0:
        return "stride 0 bytes: the same cell again"
    return f"stride {stride:+d} bytes = {cells:+d} cell{'s' if abs(cells) != 1 else ''}"


def _arrows(view: np.ndarray, itemsize: int) -> list[tuple[int, int]]:
    """(axis, stride in cells) of each axis along which the view has a next element."""
    if view.size == 0:
        return []
    return [(axis, view.strides[axis] // itemsize) for axis, length in enumerate(view.shape) if length > 1]


def _bend(level: int) -> float:
    """How much the arrow of the ``level``-th axis bends: later axes rise higher."""
    return 0.3 + 0.35 * level


def _arc_height(level: int, cells: int) -> float:
    """How high the arrow of a stride of ``cells`` rises above the cells."""
    return 0.6 if cells == 0 else _bend(level) * abs(cells) / 2


def _shift(level: int, count: int) -> float:
    """Where in its cells the ``level``-th of ``count`` arrows starts and ends, from the centre.

    Arrows of equal strides (the two +1-cell axes of a sliding window) would
    otherwise share both ends; each starts and ends at its own point.
    """
    return 0.0 if count < 2 else 0.4 * (level / (count - 1) - 0.5)


def _draw_cells(ax: Axes, base: np.ndarray, positions: np.ndarray) -> None:
    """The buffer's cells with their values and byte offsets; read cells coloured."""
    values = _memory_order_values(base)
    visits: dict[int, list[int]] = {}
    for place, cell in enumerate(positions.ravel().tolist()):
        visits.setdefault(cell, []).append(place)
    for cell in range(base.size):
        chosen = cell in visits
        ax.add_patch(
            Rectangle((cell, 0), 1, 1, facecolor=SELECTED_COLOUR if chosen else UNSELECTED_COLOUR,
                      edgecolor="#333333", linewidth=1.0)
        )
        ax.text(cell + 0.5, 0.42, f"{values[cell]}", ha="center", va="center", fontsize=10,
                color="white" if chosen else "#555555", fontweight="bold" if chosen else "normal")
        if chosen:
            ax.text(cell + 0.5, 0.8, _visit_label(visits[cell]), ha="center", va="center",
                    fontsize=8, color="white")
        ax.text(cell + 0.5, -0.25, str(cell * base.itemsize), ha="center", va="center",
                fontsize=8, color="#555555")
    ax.text(-0.1, -0.25, "byte", ha="right", va="center", fontsize=8, color="#555555")


def _stride_arrow(ax: Axes, start: int, stride_cells: int, colour: str, level: int, shift: float = 0.0) -> None:
    """An arc above the cells from the view's first element to its neighbour along one axis."""
    if stride_cells == 0:
        ends = (start + 0.3, 1.0), (start + 0.7, 1.0)
        style = "arc3,rad=-2.2"
    else:
        ends = (start + 0.5 + shift, 1.0), (start + stride_cells + 0.5 + shift, 1.0)
        bend = _bend(level)
        style = f"arc3,rad={-bend if stride_cells > 0 else bend}"
    ax.add_patch(
        FancyArrowPatch(*ends, connectionstyle=style, arrowstyle="-|>", mutation_scale=12,
                        color=colour, linewidth=1.6)
    )


def draw_memory(
    view: np.ndarray,
    base: np.ndarray | None = None,
    *,
    title: str = "view",
    ax: Axes | None = None,
) -> MemoryPicture:
    """Draw ``base``'s buffer as a row of cells and mark the cells ``view`` reads.

    Each cell shows the element's value, and under it its byte offset in
    the buffer. Cells the view reads are coloured and carry, above the
    value, their place(s) in the view (its elements counted in row-major
    order; ``×n`` for a cell read ``n`` times). An arrow per axis of length
    greater than 1 goes from the view's first element to the next one along
    that axis: its stride, in cells.

    Parameters
    ----------
    view : ndarray
        A view of ``base`` (same itemsize).
    base : ndarray, optional
        The contiguous array owning the buffer; default ``view`` itself.
        At most :data:`MAX_CELLS` elements.
    title : str
        How to name the view, e.g. ``"a.T[::2, ::2]"``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure sized to the buffer.

    Returns
    -------
    MemoryPicture
        The Axes, the positions and a description in words (shown as the
        picture's text in Jupyter).

    Raises
    ------
    ValueError
        As :func:`buffer_positions`, or if the buffer has more than
        :data:`MAX_CELLS` elements.

    Examples
    --------
    >>> a = np.arange(12, dtype=np.int64).reshape(3, 4)
    >>> picture = draw_memory(a.T[::2, ::2], a, title="a.T[::2, ::2]")
    >>> sorted(int(p) for p in picture.positions.ravel())
    [0, 2, 8, 10]
    >>> plt.close(picture.axes.figure)
    """
    base = view if base is None else base
    positions = buffer_positions(view, base)
    if base.size > MAX_CELLS:
        raise ValueError(
            f"the buffer has {base.size} elements; a picture shows at most {MAX_CELLS}: "
            "draw a view of a smaller array"
        )
    arrows = _arrows(view, base.itemsize)
    highest_arc = max([0.6] + [_arc_height(level, cells) for level, (_, cells) in enumerate(arrows)])
    top = 1.3 + highest_arc + 0.45 * len(arrows)
    if ax is None:
        scale = min(0.6, 15.0 / (base.size + 0.8))
        _, ax = plt.subplots(figsize=(scale * (base.size + 0.8), scale * (top + 1.4)))
    _draw_cells(ax, base, positions)
    for level, (axis, cells) in enumerate(arrows):
        colour = ARROW_COLOURS[axis % len(ARROW_COLOURS)]
        _stride_arrow(ax, int(positions.ravel()[0]), cells, colour, level, _shift(level, len(arrows)))
        label = f"axis {axis}: {_stride_label(view.strides[axis], base.itemsize)}"
        ax.text(-0.5, top - 0.45 * level, label, ha="left", va="top", color=colour, fontsize=10)
    ax.set_xlim(-0.6, base.size + 0.2)
    ax.set_ylim(-0.6, top + 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{title}: shape {view.shape}, strides {view.strides}", fontsize=11, loc="left")
    description = describe_memory(view, base, title=title)
    return MemoryPicture(axes=ax, positions=positions, description=description)

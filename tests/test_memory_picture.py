"""Tests of genenorm_edu.memory_picture: the right cells, a real picture, clear refusals."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.colors import to_rgba
from matplotlib.patches import FancyArrowPatch, Rectangle
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from genenorm_edu.memory_picture import (
    MAX_CELLS,
    SELECTED_COLOUR,
    buffer_positions,
    describe_memory,
    draw_memory,
)

A = np.array([[100, 200, 50, 400], [50, 0, 0, 100], [350, 100, 50, 200]], dtype=np.int64)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# The views of the lessons, and the buffer cells each reads (worked out by hand).
LESSON_VIEWS = {
    "transpose": (lambda a: a.T, [[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]),
    "a.T[::2, ::2]": (lambda a: a.T[::2, ::2], [[0, 8], [2, 10]]),
    "negative stride": (lambda a: a[::-1, 1], [9, 5, 1]),
    "broadcast": (lambda a: np.broadcast_to(a[1], (2, 4)), [[4, 5, 6, 7], [4, 5, 6, 7]]),
    "sliding window": (lambda a: sliding_window_view(a[0], 3), [[0, 1, 2], [1, 2, 3]]),
}


@pytest.mark.parametrize("name", sorted(LESSON_VIEWS))
def test_buffer_positions_of_the_lesson_views(name):
    make, expected = LESSON_VIEWS[name]
    assert buffer_positions(make(A), A).tolist() == expected


@given(st.data())
def test_buffer_positions_of_any_sliced_view_follow_the_slices(data):
    base = np.zeros((4, 5), dtype=np.float32)
    slices = tuple(
        slice(data.draw(st.integers(-5, 5)), data.draw(st.integers(-5, 5)), data.draw(st.sampled_from([1, 2, 3, -1, -2])))
        for _ in range(2)
    )
    view = base[slices]
    cell_numbers = np.arange(base.size).reshape(base.shape)
    assert np.array_equal(buffer_positions(view, base), cell_numbers[slices])


def test_a_fortran_base_is_counted_in_memory_order():
    fortran = np.asfortranarray(A)
    # element (0, 1) of a Fortran array lies one column (3 cells) into memory
    assert buffer_positions(fortran[0, 1:2], fortran).tolist() == [3]
    assert buffer_positions(fortran, fortran).ravel().tolist() == [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]


def test_a_view_reading_outside_the_buffer_is_refused_without_reading_it():
    x = np.arange(6, dtype=np.int64)
    too_long = as_strided(x, shape=(6, 3), strides=(8, 8))
    with pytest.raises(ValueError, match="reads outside the buffer"):
        buffer_positions(too_long, x)


@pytest.mark.parametrize(
    ("view", "base", "error", "message"),
    [
        (A[:, ::2], A[:, ::2], ValueError, "base must be a contiguous array"),
        (A.astype(np.int32), A, ValueError, "same itemsize"),
        (A[::2], A.copy(), ValueError, "not a view of base"),
        ([1, 2], A, TypeError, "view must be a NumPy array"),
        (A, [1, 2], TypeError, "base must be a NumPy array"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(view, base, error, message):
    with pytest.raises(error, match=message):
        buffer_positions(view, base)


def _cells(ax) -> list[Rectangle]:
    return sorted((p for p in ax.patches if isinstance(p, Rectangle)), key=lambda r: r.get_x())


@pytest.mark.parametrize("name", sorted(LESSON_VIEWS))
def test_the_picture_colours_exactly_the_cells_the_view_reads(name):
    make, expected = LESSON_VIEWS[name]
    picture = draw_memory(make(A), A, title=name)
    cells = _cells(picture.axes)
    assert len(cells) == A.size
    coloured = [int(cell.get_x()) for cell in cells if cell.get_facecolor() == to_rgba(SELECTED_COLOUR)]
    assert coloured == sorted(set(np.ravel(expected).tolist()))


def test_the_picture_labels_values_places_offsets_and_strides():
    picture = draw_memory(A.T[::2, ::2], A, title="a.T[::2, ::2]")
    texts = [text.get_text() for text in picture.axes.texts]
    for value in ("100", "350", "400"):  # every value of the buffer is written in its cell
        assert value in texts
    for offset in ("0", "8", "88"):  # byte offsets under the cells
        assert offset in texts
    assert {"0", "1", "2", "3"} <= set(texts)  # places of the four elements in the view
    assert any("stride +16 bytes = +2 cells" in text for text in texts)
    assert any("stride +64 bytes = +8 cells" in text for text in texts)
    arrows = [p for p in picture.axes.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 2
    assert "shape (2, 2), strides (16, 64)" in picture.axes.get_title(loc="left")


def test_a_cell_read_many_times_says_so():
    picture = draw_memory(np.broadcast_to(A[0], (3, 4)), A, title="broadcast")
    texts = [text.get_text() for text in picture.axes.texts]
    assert texts.count("×3") == 4
    assert any("stride 0 bytes: the same cell again" in text for text in texts)


def test_the_picture_renders_and_is_not_blank(tmp_path):
    picture = draw_memory(A[::-1], A, title="a[::-1]")
    path = tmp_path / "memory.png"
    picture.axes.figure.savefig(path)
    pixels = matplotlib.image.imread(path)[..., :3]
    assert pixels.shape[0] > 50 and pixels.shape[1] > 200
    assert pixels.std() > 0.1
    # some pixels carry the colour of the read cells
    selected = np.array(to_rgba(SELECTED_COLOUR)[:3])
    assert (np.abs(pixels - selected).max(axis=-1) < 0.02).mean() > 0.01


def test_the_description_is_the_pictures_text():
    picture = draw_memory(A.T, A, title="a.T")
    assert repr(picture) == picture.description == describe_memory(A.T, A, title="a.T")
    assert "It reads cells 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11" in picture.description
    assert "+32 bytes (+4 cells)" in picture.description


def test_too_big_a_buffer_is_refused_before_drawing():
    big = np.zeros(MAX_CELLS + 1)
    with pytest.raises(ValueError, match="at most"):
        draw_memory(big[::2], big)
    assert plt.get_fignums() == []


def test_draws_on_a_given_axes():
    fig, ax = plt.subplots()
    picture = draw_memory(A[1], A, ax=ax)
    assert picture.axes is ax
    assert len(fig.axes) == 1


def test_the_two_arrows_of_a_sliding_window_are_drawn_apart():
    """Both axes of a sliding window step one cell: their arrows must not lie on each other."""
    x = np.arange(6, dtype=np.int64) * 10
    picture = draw_memory(sliding_window_view(x, 3), x, title="windows")
    picture.axes.figure.canvas.draw()
    arrows = [patch for patch in picture.axes.patches if isinstance(patch, FancyArrowPatch)]
    assert len(arrows) == 2
    first, second = (arrow.get_path().get_extents() for arrow in arrows)  # in cells (data units)
    assert abs(first.x0 - second.x0) > 0.2  # they start at different points of the cell
    assert abs(first.y1 - second.y1) > 0.1  # and rise to different heights

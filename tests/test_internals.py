"""Tests of the ndarray inspection helpers."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis.extra import numpy as hnp

from genenorm_edu.internals import FLAG_NAMES, array_info, byte_view, print_info


@pytest.fixture
def matrix():
    return np.array([[100, 200, 50, 400], [50, 0, 0, 100], [350, 100, 50, 200]], dtype=np.int64)


def test_array_info_of_a_small_int64_matrix(matrix):
    info = array_info(matrix)
    assert info["size"] == 12
    assert info["ndim"] == 2
    assert info["shape"] == (3, 4)
    assert info["dtype"] == "int64"
    assert info["strides"] == (32, 8)
    assert info["flags"]["C_CONTIGUOUS"] and not info["flags"]["F_CONTIGUOUS"]
    assert info["flags"]["OWNDATA"]


def test_transpose_swaps_strides_and_owns_nothing(matrix):
    info = array_info(matrix.T)
    assert info["strides"] == (8, 32)
    assert info["flags"]["F_CONTIGUOUS"] and not info["flags"]["OWNDATA"]


def test_strided_slice_of_transpose(matrix):
    info = array_info(matrix.T[::2, ::2])
    assert info["shape"] == (2, 2)
    assert info["strides"] == (16, 64)
    assert not info["flags"]["C_CONTIGUOUS"] and not info["flags"]["F_CONTIGUOUS"]


def test_flags_are_todays_flags():
    assert "UPDATEIFCOPY" not in FLAG_NAMES
    assert set(array_info(np.zeros(2))["flags"]) == set(FLAG_NAMES)


def test_print_info_prints_every_field(matrix, capsys):
    print_info(matrix.T)
    out = capsys.readouterr().out
    assert "number of elements: 12" in out
    assert "strides: (8, 32)" in out
    assert "F_CONTIGUOUS: True" in out
    assert "UPDATEIFCOPY" not in out


def test_byte_view_shows_little_endian_bytes_and_shares_memory():
    a = np.array([[100, 200], [50, 0]], dtype="<i8")
    raw = byte_view(a)
    assert raw.dtype == np.uint8 and raw.shape == (32,)
    assert raw[:8].tolist() == [100, 0, 0, 0, 0, 0, 0, 0]
    assert raw[8:16].tolist() == [200, 0, 0, 0, 0, 0, 0, 0]
    raw[0] = 5
    assert a[0, 0] == 5


def test_byte_view_of_fortran_array_is_in_memory_order():
    a = np.asfortranarray(np.array([[1, 2], [3, 4]], dtype="<i2"))
    assert byte_view(a)[::2].tolist() == [1, 3, 2, 4]


@given(hnp.arrays(hnp.scalar_dtypes(), hnp.array_shapes(max_dims=3, max_side=5)))
def test_byte_view_round_trips(a):
    if not (a.flags.c_contiguous or a.flags.f_contiguous):
        return
    raw = byte_view(a)
    assert raw.nbytes == a.nbytes
    assert raw.tobytes() == a.tobytes(order="A")


def test_byte_view_refuses_a_strided_window(matrix):
    with pytest.raises(ValueError, match="contiguous"):
        byte_view(matrix[:, ::2])


def test_helpers_refuse_non_arrays():
    with pytest.raises(TypeError, match="ndarray"):
        array_info([[1, 2]])
    with pytest.raises(TypeError, match="ndarray"):
        byte_view([1, 2])

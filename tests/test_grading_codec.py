"""genenorm_edu.grading.codec: only plain data crosses, with its exact types."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from genenorm_edu.grading import codec
from genenorm_edu.grading.codec import DecodeError, Opaque, decode, encode


def roundtrip(value, folder):
    encoded = json.loads(json.dumps(encode(value, folder, "value")))
    return decode(encoded, folder)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -7,
        2**100,
        8.0,
        -0.0,
        math.inf,
        1e-310,
        3 + 4j,
        "text",
        "",
        (),
        [],
        (1, (2.5, [None])),
    ],
)
def test_plain_python_values_come_back_with_their_exact_type(value, tmp_path):
    back = roundtrip(value, tmp_path)
    assert type(back) is type(value) and back == value
    if isinstance(value, float):
        assert math.copysign(1, back) == math.copysign(1, value)


def test_nan_comes_back_as_nan(tmp_path):
    assert math.isnan(roundtrip(math.nan, tmp_path))


@pytest.mark.parametrize(
    "array",
    [
        np.arange(6, dtype=np.uint32).reshape(2, 3),
        np.asfortranarray(np.random.default_rng(0).random((3, 4))),
        np.array(["a", "bc"]),
        np.zeros((0, 3), dtype=np.float32),
        np.array([1 + 2j]),
        np.zeros(3, dtype=[("mean", "f8"), ("weight", "f8")]),
    ],
)
def test_arrays_come_back_equal_with_dtype_and_order(array, tmp_path):
    back = roundtrip(array, tmp_path)
    assert type(back) is np.ndarray and back.dtype == array.dtype and back.shape == array.shape
    assert np.array_equal(back, array)
    assert back.flags.f_contiguous == array.flags.f_contiguous


@pytest.mark.parametrize("scalar", [np.int64(8), np.float32(8.0), np.bool_(True), np.uint8(255)])
def test_numpy_scalars_keep_their_type(scalar, tmp_path):
    back = roundtrip(scalar, tmp_path)
    assert type(back) is type(scalar) and back == scalar


def test_dicts_with_string_keys_cross(tmp_path):
    assert roundtrip({"a": [1, 2], "b": np.arange(2)}, tmp_path)["a"] == [1, 2]


class EqualsEverything:
    def __eq__(self, other):
        return True


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        (EqualsEverything(), "EqualsEverything"),
        (np.array([object()], dtype=object), "object dtype"),
        (np.ma.masked_array([1, 2]), "MaskedArray"),
        (iter([1]), "iterator"),
        ({1: "not a string key"}, "non-string keys"),
    ],
)
def test_anything_else_arrives_as_an_opaque_marker_that_equals_nothing(value, type_name, tmp_path):
    back = roundtrip(value, tmp_path)
    assert isinstance(back, Opaque) and type_name in back.type_name
    assert back != back and back != value


def test_deep_nesting_is_cut_off(tmp_path):
    value = []
    for _ in range(50):
        value = [value]
    back = roundtrip(value, tmp_path)
    while isinstance(back, list):
        back = back[0]
    assert isinstance(back, Opaque)


def test_encoding_ignores_rebound_builtins(tmp_path):
    """Student code in the runner may rebind type() and isinstance(); the encoding stays true."""
    script = f"""
import builtins, json, sys
sys.path.insert(0, {str(Path(codec.__file__).parent)!r})
import codec
builtins.type = lambda *args: tuple
builtins.isinstance = lambda *args: True
print(codec.dumps(codec.encode((8.0, 8), {str(tmp_path)!r}, "value")))
"""
    done = subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, check=True
    )
    back = decode(json.loads(done.stdout), tmp_path)
    assert [type(item) for item in back] == [float, int]


def test_a_pickled_array_file_is_refused(tmp_path):
    np.save(tmp_path / "value-0.npy", np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(DecodeError, match="cannot be read"):
        decode({"t": "ndarray", "file": "value-0.npy"}, tmp_path)


@pytest.mark.parametrize(
    "data",
    [
        {"t": "ndarray", "file": "../escape.npy"},
        {"t": "ndarray", "file": "missing.npy"},
        {"t": "ndarray", "file": 5},
        {"t": "scalar", "file": "matrix.npy"},
        {"t": "int", "v": "9" * 20_000},
        {"t": "unknown"},
        {"items": []},
        "not even a dict",
        {"t": "tuple", "items": 5},
    ],
)
def test_malformed_data_raises_decode_error(data, tmp_path):
    np.save(tmp_path / "matrix.npy", np.zeros((2, 2)))
    with pytest.raises(DecodeError):
        decode(data, tmp_path)

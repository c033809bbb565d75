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
from genenorm_edu.grading.codec import DecodeError, Opaque, decode, encode, pack, unpack


def roundtrip(value, folder=None):
    return unpack(json.dumps(json.loads(pack(value))).encode())


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
    ],
)
def test_arrays_come_back_equal_with_dtype_and_order(array, tmp_path):
    back = roundtrip(array, tmp_path)
    assert type(back) is np.ndarray and back.dtype == array.dtype and back.shape == array.shape
    assert np.array_equal(back, array)
    assert back.flags.f_contiguous == array.flags.f_contiguous


@pytest.mark.parametrize(
    "view",
    [
        np.arange(24, dtype=np.uint8).reshape(4, 6)[::2, 1::3],
        np.arange(40, dtype=np.int16).reshape(5, 8)[::-2, ::3],
        np.asfortranarray(np.arange(30.0).reshape(5, 6))[:, ::2],
        np.arange(10, dtype=np.int32)[::-1],
        np.broadcast_to(np.arange(3.0), (4, 3)),
    ],
)
def test_strided_inputs_arrive_as_views_with_the_same_strides(view):
    back = unpack(pack(view, keep_layout=True), allow_strided=True)
    assert np.array_equal(back, view) and back.dtype == view.dtype
    assert back.strides == view.strides
    plain = unpack(pack(view))  # results cross as copies
    assert np.array_equal(plain, view) and (plain.flags.c_contiguous or plain.flags.f_contiguous)


def test_the_grader_refuses_strided_replies_and_views_past_their_data():
    data = encode(np.arange(10)[::2], keep_layout=True)
    with pytest.raises(DecodeError):
        decode(data)
    data["strides"] = [800]
    with pytest.raises(DecodeError, match="past its data"):
        decode(data, allow_strided=True)


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
        (EqualsEverything(), "not plain data"),
        (np.array([object()], dtype=object), "object dtype"),
        (np.ma.masked_array([1, 2]), "not plain data"),
        (iter([1]), "not plain data"),
        ({1: "not a string key"}, "non-string keys"),
        (np.zeros(3, dtype=[("mean", "f8"), ("weight", "f8")]), "structured array"),
        (np.zeros(1, dtype=[("x", "i4")])[0], "structured array"),
    ],
)
def test_anything_else_arrives_as_an_opaque_marker_that_equals_nothing(value, type_name, tmp_path):
    back = roundtrip(value, tmp_path)
    assert isinstance(back, Opaque) and type_name in back.type_name
    assert back != back and back != value


def test_no_string_the_student_chose_comes_back_in_a_marker():
    """Class names, field names, forged marker texts: only the fixed kinds come back."""
    secret = "SECRET_12_34"
    named = type(secret, (), {})()
    fields = np.zeros(2, dtype=[(secret, "f8")])
    forged = {"t": "opaque", "kind": secret}
    for back in (roundtrip(named), roundtrip(fields), decode(forged)):
        assert isinstance(back, Opaque) and back.type_name in codec.OPAQUE_KINDS
        assert secret not in back.type_name and secret not in repr(back)
    structured_file = encode(np.zeros(1))  # a structured array sent as a plain one
    structured_file["npy"] = encode.__globals__["_Encoder"]._npy(fields)
    assert isinstance(decode(structured_file), Opaque)


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
print(codec.dumps(codec.encode((8.0, 8))))
"""
    done = subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, check=True
    )
    back = decode(json.loads(done.stdout))
    assert [type(item) for item in back] == [float, int]


def _npy(array, allow_pickle=False) -> str:
    import base64
    import io

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return base64.b64encode(buffer.getvalue()).decode()


def test_a_pickled_array_is_refused():
    data = {"t": "ndarray", "npy": _npy(np.array([object()], dtype=object), allow_pickle=True)}
    with pytest.raises(DecodeError, match="cannot be read"):
        decode(data)


@pytest.mark.parametrize(
    "data",
    [
        {"t": "ndarray", "npy": "not base64!"},
        {"t": "ndarray", "npy": 5},
        {"t": "scalar", "npy": _npy(np.zeros((2, 2)))},
        {"t": "int", "v": "9" * 20_000},
        {"t": "unknown"},
        {"items": []},
        "not even a dict",
        {"t": "tuple", "items": 5},
    ],
)
def test_malformed_data_raises_decode_error_quoting_nothing(data):
    with pytest.raises(DecodeError) as raised:
        decode(data)
    assert "9999" not in str(raised.value) and "base64!" not in str(raised.value)


def test_a_message_that_is_not_json_raises_decode_error():
    with pytest.raises(DecodeError):
        unpack(b"\xff{")

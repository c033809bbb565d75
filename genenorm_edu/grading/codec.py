"""Plain data across a process boundary, as one self-contained JSON message.

The grader sends a case's arguments to the sandboxed process that runs the
student's function, and gets back its result, over pipes (see
:mod:`genenorm_edu.grading.calls`). Both directions use this encoding, which
carries only plain values: ``None``, ``bool``, ``int``, ``float``,
``complex``, ``str``, tuples, lists, dicts with string keys, NumPy scalars
and ndarrays (inline ``.npy`` bytes, read back with ``allow_pickle=False``,
so an object array or a pickle cannot cross). Anything else is encoded as an
:class:`Opaque` marker. A marker says only which *kind* of value could not
cross, from a fixed list (:data:`OPAQUE_KINDS`): the name of the student's
class, a structured dtype's field names or any other string the student's
code chose never comes back through it. An object that "equals everything"
arrives as an ``Opaque`` that equals nothing.

This module is also run inside the sandbox, from its file alone: it imports
only the standard library and NumPy.

Examples
--------
>>> import numpy as np
>>> decoded = decode(json.loads(json.dumps(encode((np.arange(3), 8, 8.0, [np.float32(1.5)])))))
>>> decoded[0], type(decoded[1]).__name__, type(decoded[2]).__name__, type(decoded[3][0]).__name__
(array([0, 1, 2]), 'int', 'float', 'float32')
>>> class Named_after_the_inputs: pass
>>> decode(encode(Named_after_the_inputs())).type_name
'object that is not plain data'
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import numpy as np

__all__ = ["DecodeError", "OPAQUE_KINDS", "Opaque", "decode", "dumps", "encode", "pack", "unpack"]

#: Nesting depth and number of values beyond which a value is not encoded.
MAX_DEPTH = 20
MAX_ITEMS = 100_000
#: Largest array the grader reads back (bytes of its ``.npy`` form).
MAX_ARRAY_BYTES = 1 << 30
#: Longest string kept (characters).
MAX_STRING = 100_000

#: What an :class:`Opaque` marker may say; anything else reads as the first.
OPAQUE_KINDS = (
    "object that is not plain data",
    "value nested too deep or too large",
    "dict with non-string keys",
    "array of object dtype",
    "structured array",
    "value that could not be sent",
)
_OTHER, _TOO_DEEP, _BAD_KEYS, _OBJECT_ARRAY, _STRUCTURED, _UNSENDABLE = OPAQUE_KINDS

# Bound before any other code runs in the process (the student's code may
# rebind the builtins later; these names keep the originals).
_type = type
_isinstance = isinstance
_ndarray = np.ndarray
_generic = np.generic
_save = np.save
_BytesIO = io.BytesIO
_b64encode = base64.b64encode
_float_hex = float.hex
# json.dumps() calls isinstance(); the C encoder behind iterencode does not.
_json_chunks = json.JSONEncoder().iterencode


class DecodeError(ValueError):
    """Encoded data that is malformed or too large."""


class Opaque:
    """A value that could not cross as plain data; says only which kind of value it was.

    It equals nothing, not even another ``Opaque`` of the same kind.

    Examples
    --------
    >>> Opaque("dict with non-string keys") == Opaque("dict with non-string keys")
    False
    >>> Opaque("a class named after the inputs").type_name   # not a kind: not repeated
    'object that is not plain data'
    """

    __hash__ = None

    def __init__(self, kind: str) -> None:
        self.type_name = kind if kind in OPAQUE_KINDS else _OTHER

    def __eq__(self, other: object) -> bool:
        return False

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


def _layout(array: np.ndarray) -> dict | None:
    """How to rebuild a non-contiguous view (a strided input): its memory span and strides.

    ``None`` for contiguous arrays and for views whose strides are not
    multiples of the item size (sent as contiguous copies).
    """
    if array.flags.c_contiguous or array.flags.f_contiguous or array.size == 0:
        return None
    itemsize = array.dtype.itemsize
    if itemsize == 0 or any(stride % itemsize for stride in array.strides):
        return None
    flips = [stride < 0 for stride in array.strides]
    forward = array[tuple(slice(None, None, -1) if flip else slice(None) for flip in flips)]
    span = sum((length - 1) * stride for length, stride in zip(forward.shape, forward.strides)) // itemsize + 1
    flat = np.lib.stride_tricks.as_strided(forward, shape=(span,), strides=(itemsize,)).copy()
    return {
        "flat": flat,
        "shape": [int(length) for length in array.shape],
        "strides": [int(stride) for stride in forward.strides],
        "flip": flips,
    }


class _Encoder:
    def __init__(self, keep_layout: bool = False) -> None:
        self.items = 0
        self.keep_layout = keep_layout

    @staticmethod
    def _npy(array: Any) -> str:
        buffer = _BytesIO()
        _save(buffer, array, allow_pickle=False)
        return _b64encode(buffer.getvalue()).decode("ascii")

    def encode(self, value: Any, depth: int = 0) -> dict:
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            return {"t": "opaque", "kind": _TOO_DEEP}
        kind = _type(value)
        if value is None:
            return {"t": "none"}
        if kind is bool:
            return {"t": "bool", "v": value}
        if kind is int:
            return {"t": "int", "v": str(value)}
        if kind is float:
            return {"t": "float", "v": _float_hex(value)}
        if kind is complex:
            return {"t": "complex", "re": _float_hex(value.real), "im": _float_hex(value.imag)}
        if kind is str:
            return {"t": "str", "v": value[:MAX_STRING]}
        if kind is tuple or kind is list:
            return {
                "t": "tuple" if kind is tuple else "list",
                "items": [self.encode(item, depth + 1) for item in value],
            }
        if kind is dict:
            if not all(_type(key) is str for key in value):
                return {"t": "opaque", "kind": _BAD_KEYS}
            return {
                "t": "dict",
                "items": [[key, self.encode(item, depth + 1)] for key, item in value.items()],
            }
        if kind is _ndarray or _isinstance(value, _generic):
            if value.dtype.hasobject:
                return {"t": "opaque", "kind": _OBJECT_ARRAY}
            if value.dtype.names is not None or value.dtype.subdtype is not None:
                return {"t": "opaque", "kind": _STRUCTURED}
            layout = _layout(value) if self.keep_layout and kind is _ndarray else None
            if layout is not None:
                return {
                    "t": "strided",
                    "npy": self._npy(layout.pop("flat")),
                    **layout,
                }
            return {"t": "ndarray" if kind is _ndarray else "scalar", "npy": self._npy(value)}
        return {"t": "opaque", "kind": _OTHER}


def encode(value: Any, *, keep_layout: bool = False) -> dict:
    """Encode ``value`` as JSON-ready data (arrays inline, as base64 ``.npy`` bytes).

    With ``keep_layout`` (the grader's inputs), a non-contiguous array (a
    strided view) arrives as a view with the same strides, not as a copy.
    """
    try:
        return _Encoder(keep_layout).encode(value)
    except Exception:  # noqa: BLE001 -- e.g. an array too large to copy
        return {"t": "opaque", "kind": _UNSENDABLE}


def dumps(data: dict) -> str:
    """``json.dumps(data)``, unaffected by rebound builtins (for the sandboxed runner).

    Examples
    --------
    >>> dumps({"t": "int", "v": "8"})
    '{"t": "int", "v": "8"}'
    """
    return "".join(_json_chunks(data, _one_shot=True))


def pack(value: Any, *, keep_layout: bool = False) -> bytes:
    """``value`` encoded as one UTF-8 JSON message."""
    return dumps(encode(value, keep_layout=keep_layout)).encode("utf-8")


class _Decoder:
    def __init__(self, allow_strided: bool = False) -> None:
        self.items = 0
        self.allow_strided = allow_strided

    def _strided(self, data: dict) -> np.ndarray:
        """A view of the sent memory span with the sent strides (checked to stay inside it)."""
        flat = self._load_array(data["npy"])
        if not isinstance(flat, np.ndarray) or flat.ndim != 1:
            raise DecodeError("malformed strided array")
        shape, strides, flips = data["shape"], data["strides"], data["flip"]
        if not (
            isinstance(shape, list) and isinstance(strides, list) and isinstance(flips, list)
            and len(shape) == len(strides) == len(flips) <= 32
            and all(type(n) is int and n >= 1 for n in shape)
            and all(type(s) is int and s >= 0 and s % flat.itemsize == 0 for s in strides)
        ):
            raise DecodeError("malformed strided array")
        last = sum((n - 1) * s for n, s in zip(shape, strides)) + flat.itemsize
        if last > flat.nbytes:
            raise DecodeError("a strided array reaching past its data")
        view = np.lib.stride_tricks.as_strided(flat, shape=tuple(shape), strides=tuple(strides))
        return view[tuple(slice(None, None, -1) if flip else slice(None) for flip in flips)]

    @staticmethod
    def _load_array(text: Any) -> np.ndarray:
        if not isinstance(text, str) or len(text) > MAX_ARRAY_BYTES * 4 // 3 + 4:
            raise DecodeError("bad or too large array data")
        try:
            raw = base64.b64decode(text.encode("ascii"), validate=True)
            array = np.load(io.BytesIO(raw), allow_pickle=False)
        except (ValueError, EOFError, OSError, UnicodeError):
            raise DecodeError("array data cannot be read") from None
        if not isinstance(array, np.ndarray):
            raise DecodeError("array data holds no array")
        if array.dtype.names is not None or array.dtype.subdtype is not None:
            return Opaque(_STRUCTURED)
        return array

    def decode(self, data: Any, depth: int = 0) -> Any:
        self.items += 1
        # one level more than the encoder writes: its marker of a value cut off
        if depth > MAX_DEPTH + 1 or self.items > MAX_ITEMS + 1:
            raise DecodeError("value nested too deep or too large")
        if not isinstance(data, dict) or not isinstance(data.get("t"), str):
            raise DecodeError("malformed value")
        tag = data["t"]
        if tag == "none":
            return None
        if tag == "bool":
            return bool(data["v"])
        if tag == "int":
            text = str(data["v"])
            if len(text) > 10_000:
                raise DecodeError("integer too long")
            return int(text)
        if tag == "float":
            return float.fromhex(str(data["v"]))
        if tag == "complex":
            return complex(float.fromhex(str(data["re"])), float.fromhex(str(data["im"])))
        if tag == "str":
            return str(data["v"])[:MAX_STRING]
        if tag in ("tuple", "list"):
            if not isinstance(data["items"], list):
                raise DecodeError("malformed sequence")
            items = [self.decode(item, depth + 1) for item in data["items"]]
            return tuple(items) if tag == "tuple" else items
        if tag == "dict":
            return {str(key): self.decode(item, depth + 1) for key, item in data["items"]}
        if tag == "ndarray":
            return self._load_array(data["npy"])
        if tag == "scalar":
            array = self._load_array(data["npy"])
            if isinstance(array, Opaque):
                return array
            if array.shape != ():
                raise DecodeError("a NumPy scalar must be stored as a 0-d array")
            return array[()]
        if tag == "strided" and self.allow_strided:
            return self._strided(data)
        if tag == "opaque":
            return Opaque(str(data.get("kind", "")))
        raise DecodeError("unknown value tag")


def decode(data: Any, *, allow_strided: bool = False) -> Any:
    """Rebuild a value encoded by :func:`encode`.

    Strided views (``encode(..., keep_layout=True)``) are rebuilt only with
    ``allow_strided`` (the runner, reading the grader's inputs); the grader
    reads the runner's replies without it.

    Raises
    ------
    DecodeError
        If the data is malformed or too large. Its message quotes nothing of
        the data.
    """
    try:
        return _Decoder(allow_strided).decode(data)
    except (KeyError, TypeError, ValueError, OverflowError, RecursionError) as error:
        if isinstance(error, DecodeError):
            raise
        raise DecodeError(f"malformed value ({type(error).__name__})") from None


def unpack(message: bytes, *, allow_strided: bool = False) -> Any:
    """Rebuild a value from :func:`pack`'s message.

    Raises
    ------
    DecodeError
        If the message is not a valid encoding.
    """
    try:
        data = json.loads(message.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise DecodeError("the message is not valid JSON") from None
    return decode(data, allow_strided=allow_strided)

"""Plain data across a process boundary: JSON for structure, ``.npy`` for arrays.

The grader sends a hidden case's arguments to the sandboxed process that
runs the student's function, and gets back its result. Both directions use
this encoding, which carries only plain values: ``None``, ``bool``, ``int``,
``float``, ``complex``, ``str``, tuples, lists, dicts with string keys, NumPy
scalars and ndarrays (read back with ``allow_pickle=False``, so an object
array or a pickle cannot cross). Anything else is encoded as an
:class:`Opaque` marker that only remembers its type's name: an object that
"equals everything" arrives as an ``Opaque`` that equals nothing.

This module is also run inside the sandbox, from its file alone: it imports
only the standard library and NumPy.

Examples
--------
>>> import tempfile
>>> import numpy as np
>>> with tempfile.TemporaryDirectory() as folder:
...     encoded = encode((np.arange(3), 8, 8.0, [np.float32(1.5)]), folder, "result")
...     decoded = decode(json.loads(json.dumps(encoded)), folder)
>>> decoded[0], type(decoded[1]).__name__, type(decoded[2]).__name__, type(decoded[3][0]).__name__
(array([0, 1, 2]), 'int', 'float', 'float32')
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DecodeError", "Opaque", "decode", "dumps", "encode"]

#: Nesting depth and number of values beyond which a value is not encoded.
MAX_DEPTH = 20
MAX_ITEMS = 100_000
#: Largest array file the grader reads back (bytes).
MAX_ARRAY_BYTES = 1 << 30
#: Longest string kept (characters).
MAX_STRING = 100_000

# Bound before any other code runs in the process (the student's code may
# rebind the builtins later; these names keep the originals).
_type = type
_isinstance = isinstance
_ndarray = np.ndarray
_generic = np.generic
_save = np.save
_join = os.path.join
# json.dumps() calls isinstance(); the C encoder behind iterencode does not.
_json_chunks = json.JSONEncoder().iterencode


class DecodeError(ValueError):
    """Encoded data that is malformed or too large."""


class Opaque:
    """A value that could not cross as plain data; remembers only its type's name.

    It equals nothing, not even another ``Opaque`` of the same type.

    Examples
    --------
    >>> Opaque("pandas.core.series.Series") == Opaque("pandas.core.series.Series")
    False
    >>> Opaque("Series").type_name
    'Series'
    """

    __hash__ = None

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __eq__(self, other: object) -> bool:
        return False

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


class _Encoder:
    # Plain strings and os.path, not pathlib: pathlib calls type() and
    # isinstance(), which the student's code may have rebound.
    def __init__(self, folder: str | os.PathLike, prefix: str) -> None:
        self.folder = os.fspath(folder)
        self.prefix = prefix
        self.arrays = 0
        self.items = 0

    def _save_array(self, array: Any) -> str:
        name = f"{self.prefix}-{self.arrays}.npy"
        self.arrays += 1
        _save(_join(self.folder, name), array, allow_pickle=False)
        return name

    def encode(self, value: Any, depth: int = 0) -> dict:
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            return {"t": "opaque", "type": "a value nested too deep or too large"}
        kind = _type(value)
        if value is None:
            return {"t": "none"}
        if kind is bool:
            return {"t": "bool", "v": value}
        if kind is int:
            return {"t": "int", "v": str(value)}
        if kind is float:
            return {"t": "float", "v": float.hex(value)}
        if kind is complex:
            return {"t": "complex", "re": float.hex(value.real), "im": float.hex(value.imag)}
        if kind is str:
            return {"t": "str", "v": value[:MAX_STRING]}
        if kind is tuple or kind is list:
            return {
                "t": "tuple" if kind is tuple else "list",
                "items": [self.encode(item, depth + 1) for item in value],
            }
        if kind is dict:
            if not all(_type(key) is str for key in value):
                return {"t": "opaque", "type": "dict with non-string keys"}
            return {
                "t": "dict",
                "items": [[key, self.encode(item, depth + 1)] for key, item in value.items()],
            }
        if kind is _ndarray or _isinstance(value, _generic):
            if value.dtype.hasobject:
                return {"t": "opaque", "type": f"{kind.__name__} of object dtype"}
            return {
                "t": "ndarray" if kind is _ndarray else "scalar",
                "file": self._save_array(value),
            }
        return {
            "t": "opaque",
            "type": f"{getattr(kind, '__module__', '?')}.{getattr(kind, '__qualname__', '?')}",
        }


def encode(value: Any, folder: str | os.PathLike, prefix: str) -> dict:
    """Encode ``value`` as JSON-ready data; arrays go to ``folder/prefix-N.npy``.

    Parameters
    ----------
    value : object
        The value to send.
    folder : path
        Where array files are written.
    prefix : str
        File name prefix of its arrays (unique per value in ``folder``).

    Returns
    -------
    dict
        Pass it to ``json.dumps``.
    """
    return _Encoder(folder, prefix).encode(value)


def dumps(data: dict) -> str:
    """``json.dumps(data)``, unaffected by rebound builtins (for the sandboxed runner).

    Examples
    --------
    >>> dumps({"t": "int", "v": "8"})
    '{"t": "int", "v": "8"}'
    """
    return "".join(_json_chunks(data, _one_shot=True))


class _Decoder:
    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self.items = 0

    def _load_array(self, name: Any) -> np.ndarray:
        if (
            not isinstance(name, str)
            or "/" in name
            or name.startswith(".")
            or not name.endswith(".npy")
        ):
            raise DecodeError(f"bad array file name {name!r}")
        path = self.folder / name
        if path.stat().st_size > MAX_ARRAY_BYTES:
            raise DecodeError(f"array file {name} is larger than {MAX_ARRAY_BYTES} bytes")
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as error:
            raise DecodeError(f"array file {name} cannot be read: {error}") from None

    def decode(self, data: Any, depth: int = 0) -> Any:
        self.items += 1
        # one level more than the encoder writes: its marker of a value cut off
        if depth > MAX_DEPTH + 1 or self.items > MAX_ITEMS + 1:
            raise DecodeError("value nested too deep or too large")
        if not isinstance(data, dict) or not isinstance(data.get("t"), str):
            raise DecodeError(f"malformed value {str(data)[:80]!r}")
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
            items = [self.decode(item, depth + 1) for item in data["items"]]
            return tuple(items) if tag == "tuple" else items
        if tag == "dict":
            return {str(key): self.decode(item, depth + 1) for key, item in data["items"]}
        if tag == "ndarray":
            return self._load_array(data["file"])
        if tag == "scalar":
            array = self._load_array(data["file"])
            if array.shape != ():
                raise DecodeError("a NumPy scalar must be stored as a 0-d array")
            return array[()]
        if tag == "opaque":
            return Opaque(str(data.get("type", "?"))[:200])
        raise DecodeError(f"unknown value tag {tag!r}")


def decode(data: Any, folder: str | os.PathLike) -> Any:
    """Rebuild a value encoded by :func:`encode` (its arrays read from ``folder``).

    Raises
    ------
    DecodeError
        If the data is malformed, refers to a missing or bad array file, or
        is too large.
    """
    try:
        return _Decoder(folder).decode(data)
    except (KeyError, TypeError, OverflowError, OSError) as error:
        raise DecodeError(f"malformed value: {type(error).__name__}: {error}") from None

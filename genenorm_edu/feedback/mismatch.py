"""A failed check, :class:`Mismatch`, and the fixed words that describe a student's value.

A :class:`Mismatch` carries two texts: the full message (with the values
involved, for visible tests) and a summary without any value (for hidden
tests). Summaries describe the student's value with :func:`value_kind` and
:func:`dtype_text`, which never quote a name the student's code chose.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["KIND_NAMES", "Mismatch", "dtype_text", "type_name", "value_kind"]


class Mismatch(AssertionError):
    """A result that is not what the exercise asks for.

    Parameters
    ----------
    message : str
        What is wrong, with the values involved (shown for visible tests).
    summary : str, optional
        The same without any value of the inputs or of the expected result
        (shown for hidden tests). Default: ``message``.

    Examples
    --------
    >>> error = Mismatch("x has shape (3,), expected shape (4,).", summary="wrong shape")
    >>> str(error), error.summary
    ('x has shape (3,), expected shape (4,).', 'wrong shape')
    """

    def __init__(self, message: str, summary: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.summary = message if summary is None else summary

    def _render_traceback_(self) -> list[str]:
        """What IPython shows in place of a traceback: the message alone.

        The frames of a failed check are the course library's, not the
        student's; the message says what to change, so it comes first and
        alone (IPython shows the last frame even with ``__tracebackhide__``).
        """
        first, *rest = self.message.splitlines() or [""]
        return [f"\x1b[1;31mTest failed:\x1b[0m {first}", *rest]


#: The kinds of NumPy dtypes (``dtype.kind``) in words.
KIND_NAMES = {
    "b": "boolean",
    "i": "signed integer",
    "u": "unsigned integer",
    "f": "floating-point",
    "c": "complex",
    "O": "object",
    "U": "string",
}


_PLAIN_TYPES = (bool, int, float, complex, str, tuple, list, dict)


def value_kind(value: Any) -> str:
    """What kind of value ``value`` is, in fixed words (for hidden-case summaries).

    Never a name the value's code chose: a class of the student's is "a
    value of another type", whatever it is called.

    Examples
    --------
    >>> value_kind([1]), value_kind(np.float32(1)), value_kind(None)
    ('list', 'NumPy floating-point scalar', 'None')
    >>> class Secret_3_4: pass
    >>> value_kind(Secret_3_4())
    'value of another type'
    """
    if value is None:
        return "None"
    if type(value) is np.ndarray:
        return "NumPy array"
    if isinstance(value, np.generic):
        return f"NumPy {KIND_NAMES.get(value.dtype.kind, 'other')} scalar"
    for plain in _PLAIN_TYPES:
        if type(value) is plain:
            return plain.__name__
    return "value of another type"


def dtype_text(dtype: np.dtype) -> str:
    """A dtype in fixed words: NumPy's name of a built-in dtype, else its kind.

    A structured dtype's field names, chosen by the code that made it, are
    never quoted.

    Examples
    --------
    >>> dtype_text(np.dtype(np.int32)), dtype_text(np.dtype([("secret", "f8")]))
    ('int32', 'a structured dtype')
    """
    if dtype.names is not None or dtype.subdtype is not None:
        return "a structured dtype"
    if dtype.isbuiltin and dtype.metadata is None:
        return str(dtype)
    return f"a {KIND_NAMES.get(dtype.kind, 'other')} dtype"


def type_name(value: Any) -> str:
    """The name of a value's type, for messages.

    Values that could not cross from the grader's sandbox as plain data
    (``genenorm_edu.grading.codec.Opaque``) carry a fixed description of
    their kind, never the name of the student's type. Hidden-case summaries
    use :func:`value_kind`, which names only the grader's own types.

    Examples
    --------
    >>> type_name([1, 2]), type_name(np.zeros(2))
    ('list', 'ndarray')
    """
    return getattr(value, "type_name", None) or type(value).__name__


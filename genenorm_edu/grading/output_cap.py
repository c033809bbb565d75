"""How much of a cell's output the grader keeps: one cap, in bytes and in lines.

A cell that prints in a loop would fill the grader's memory (and the
feedback page) with gigabytes of text. :class:`OutputCap` keeps a cell's
outputs while they fit, cuts the message that crosses the limit to what
fits, and tells the caller to add one note saying that more was dropped.

The line limit is nbgrader's own (``LimitOutput.max_lines``, applied to the
autograded notebook after grading): nbgrader drops, without a word, every
stream output past that many lines, the grader's notes included. Kept to
:data:`NOTE_LINES` fewer lines, a cell's output always leaves room for them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NOTE_LINES", "CapVerdict", "OutputCap"]

#: Lines kept free below the line limit for the grader's notes on a cell
#: (each counts two in nbgrader's count: its text and the final newline).
NOTE_LINES = 8


def _lines(text: str) -> int:
    """Lines of a stream output as nbgrader's ``LimitOutput`` counts them."""
    return len(text.split("\n"))


@dataclass(frozen=True)
class CapVerdict:
    """What to do with one output message.

    Attributes
    ----------
    content : dict or None
        The message's content to show (a stream's text may be cut), or None.
    note : bool
        Whether the note that more output was dropped is due now (once per cell).
    """

    content: dict | None
    note: bool = False


@dataclass
class OutputCap:
    """The output kept so far of one cell, within ``max_bytes`` and ``max_lines``.

    Sizes count characters of the message's content; lines count stream
    text as nbgrader does (``max_lines`` of None or below 0: no line limit).

    Examples
    --------
    >>> cap = OutputCap(max_bytes=1_000, max_lines=20)
    >>> cap.take("stream", {"name": "stdout", "text": "a\\n" * 5}).content["text"].count("a")
    5
    >>> verdict = cap.take("stream", {"name": "stdout", "text": "b\\n" * 50})
    >>> verdict.content["text"].count("b"), verdict.note
    (5, True)
    >>> cap.take("stream", {"name": "stdout", "text": "c\\n"})
    CapVerdict(content=None, note=False)
    """

    max_bytes: int
    max_lines: int | None = None
    bytes_used: int = 0
    lines_used: int = 0
    dropped: bool = False

    @property
    def _line_room(self) -> float:
        if self.max_lines is None or self.max_lines < 0:
            return float("inf")
        return self.max_lines - NOTE_LINES - self.lines_used

    def take(self, msg_type: str, content: dict) -> CapVerdict:
        """Count one output message; return what of it to show, and whether to note the rest."""
        if self.dropped:
            return CapVerdict(None)
        size = sum(len(str(value)) for value in content.values())
        text = content.get("text") if msg_type == "stream" else None
        lines = _lines(text) if isinstance(text, str) else 0
        if self.bytes_used + size <= self.max_bytes and lines <= self._line_room:
            self.bytes_used += size
            self.lines_used += lines
            return CapVerdict(content)
        self.dropped = True
        if not isinstance(text, str):
            return CapVerdict(None, note=True)
        room_bytes = max(0, self.max_bytes - self.bytes_used - (size - len(text)))
        room_lines = self._line_room
        pieces = text[:room_bytes].split("\n")
        if pieces[-1] == "":
            pieces.pop()
        # n lines ending in a newline count n + 1
        kept = "".join(piece + "\n" for piece in pieces[: max(0, int(min(room_lines - 1, len(pieces))))])
        if not kept:
            return CapVerdict(None, note=True)
        self.bytes_used += len(kept)
        self.lines_used += _lines(kept)
        return CapVerdict({**content, "text": kept}, note=True)

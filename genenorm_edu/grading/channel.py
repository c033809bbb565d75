"""Length-prefixed messages over a pipe, read and written with a deadline.

The grader talks to the sandboxed runner (``_runner.py``) over two pipes it
creates before the runner starts: the runner reads each request from its
standard input and writes each reply to an inherited descriptor. Student
code can neither replace these pipes (the grader holds its own ends) nor
make the grader wait past a deadline: every read and write here is
non-blocking under :func:`select.select`, and a message longer than the
caller's cap is refused before it is read.

A message is an 8-byte big-endian length followed by that many bytes.

Examples
--------
>>> import os, time
>>> read_end, write_end = os.pipe()
>>> send(write_end, b"hello", deadline=time.monotonic() + 1)
>>> receive(read_end, deadline=time.monotonic() + 1, max_bytes=100)
b'hello'
>>> receive(read_end, deadline=time.monotonic() + 0.01, max_bytes=100)
Traceback (most recent call last):
...
genenorm_edu.grading.channel.ChannelTimeout: no message before the deadline
"""

from __future__ import annotations

import os
import select
import time

__all__ = ["ChannelClosed", "ChannelError", "ChannelTimeout", "HEADER_BYTES", "receive", "send"]

HEADER_BYTES = 8


class ChannelError(Exception):
    """The other end sent something that is not a message."""


class ChannelTimeout(ChannelError):
    """The deadline passed."""


class ChannelClosed(ChannelError):
    """The other end closed the pipe (the process ended)."""


def _read_exactly(fd: int, size: int, deadline: float) -> bytes:
    os.set_blocking(fd, False)
    chunks: list[bytes] = []
    missing = size
    while missing:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ChannelTimeout("no message before the deadline")
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        try:
            chunk = os.read(fd, min(missing, 1 << 20))
        except BlockingIOError:
            continue
        if not chunk:
            raise ChannelClosed("the pipe was closed")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def receive(fd: int, *, deadline: float, max_bytes: int) -> bytes:
    """The next message from ``fd``, read before ``deadline`` (``time.monotonic()``).

    Raises
    ------
    ChannelTimeout
        If the message is not complete by the deadline.
    ChannelClosed
        If the pipe closes first.
    ChannelError
        If the message announces more than ``max_bytes``.
    """
    size = int.from_bytes(_read_exactly(fd, HEADER_BYTES, deadline), "big")
    if size > max_bytes:
        raise ChannelError(f"a message of {size} bytes, more than the {max_bytes} allowed")
    return _read_exactly(fd, size, deadline)


def send(fd: int, message: bytes, *, deadline: float) -> None:
    """Write ``message`` to ``fd`` before ``deadline``.

    Raises
    ------
    ChannelTimeout
        If the other end does not read it all in time.
    ChannelClosed
        If the other end closed the pipe.
    """
    os.set_blocking(fd, False)
    data = memoryview(len(message).to_bytes(HEADER_BYTES, "big") + message)
    while data:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ChannelTimeout("the message was not taken before the deadline")
        _, ready, _ = select.select([], [fd], [], remaining)
        if not ready:
            continue
        try:
            written = os.write(fd, data[: 1 << 16])
        except BlockingIOError:
            continue
        except BrokenPipeError:
            raise ChannelClosed("the pipe was closed") from None
        data = data[written:]

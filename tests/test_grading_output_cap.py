"""The cap on a cell's output, and its note, through nbgrader's own LimitOutput.

The note that more output was dropped once went missing under load: the
kernel cut a flood into more, smaller messages, the kept ones reached
nbgrader's line limit, and LimitOutput dropped every stream output past it,
the note included. These tests cut the same flood every way the kernel might.
"""

from __future__ import annotations

import random

import nbformat
import pytest
from nbgrader.preprocessors import LimitOutput

from genenorm_edu.grading.output_cap import NOTE_LINES, OutputCap
from genenorm_edu.grading.preprocessors.execute import _note

LINE = "all work and no play makes Jack a dull boy " * 20 + "\n"
NOTE = "more output was dropped"


def _graded_cell(messages: list[tuple[str, str]], max_bytes: int, max_lines: int) -> nbformat.NotebookNode:
    """A cell's outputs as GradingExecute keeps them, then through LimitOutput."""
    cap = OutputCap(max_bytes=max_bytes, max_lines=max_lines)
    outputs = []
    for name, text in messages:
        verdict = cap.take("stream", {"name": name, "text": text})
        if verdict.content is not None:
            outputs.append(nbformat.v4.new_output("stream", **verdict.content))
        if verdict.note:
            outputs.append(_note(NOTE))
    outputs.append(nbformat.v4.new_output("error", ename="CellTimeoutError", evalue="", traceback=[]))
    cell = nbformat.v4.new_code_cell("flood()", outputs=outputs)
    limited, _ = LimitOutput(max_lines=max_lines).preprocess_cell(cell, {}, 0)
    return limited


def _streams(cell) -> list[str]:
    return [output.text for output in cell.outputs if output.output_type == "stream"]


@pytest.mark.parametrize("seed", range(40))
def test_the_note_survives_nbgraders_line_limit_however_the_flood_is_cut(seed):
    chooser = random.Random(seed)
    messages, total = [], 0
    while total < 3_000_000:
        lines = chooser.choice([1, 7, 50, 200, 300, 865, 2000])
        messages.append((chooser.choice(["stdout", "stderr"]), LINE * lines))
        total += len(LINE) * lines
    cell = _graded_cell(messages, max_bytes=1_000_000, max_lines=1000)
    streams = _streams(cell)
    assert sum(NOTE in text for text in streams) == 1
    assert not any("Output truncated" in text for text in streams)  # the cap, not nbgrader, cut it
    assert sum(len(text) for text in streams) <= 1_000_000 + 1_000
    assert cell.outputs[-1].output_type == "error"


def test_output_that_fits_is_kept_whole_and_without_a_note():
    messages = [("stdout", LINE * 100), ("stderr", "warning\n"), ("stdout", LINE * 100)]
    streams = _streams(_graded_cell(messages, max_bytes=1_000_000, max_lines=1000))
    assert streams == [text for _, text in messages]


def test_many_short_lines_are_capped_by_lines_with_room_for_the_notes():
    cap = OutputCap(max_bytes=1_000_000, max_lines=1000)
    verdict = cap.take("stream", {"name": "stdout", "text": "x\n" * 5000})
    assert verdict.note and verdict.content["text"] == "x\n" * (1000 - NOTE_LINES - 1)
    assert cap.take("stream", {"name": "stdout", "text": "y\n"}).content is None


def test_a_message_past_the_byte_limit_is_cut_and_noted_once():
    cap = OutputCap(max_bytes=100, max_lines=None)
    first = cap.take("stream", {"name": "stdout", "text": "a" * 54 + "\n"})  # 61 with the name
    second = cap.take("stream", {"name": "stdout", "text": "b" * 30 + "\n" + "c" * 60 + "\n"})
    third = cap.take("display_data", {"data": {"text/plain": "d"}, "metadata": {}})
    assert first.content is not None and not first.note
    assert second.note and second.content["text"] == "b" * 30 + "\ncc\n"  # the 33 that fit, line ended
    assert third.content is None and not third.note


def test_a_large_picture_is_dropped_with_the_note():
    cap = OutputCap(max_bytes=1_000, max_lines=1000)
    verdict = cap.take("display_data", {"data": {"image/png": "A" * 5_000}, "metadata": {}})
    assert verdict.content is None and verdict.note


def _stream(text: str, name: str = "stdout") -> dict:
    return {
        "msg_type": "stream",
        "header": {"msg_type": "stream"},
        "parent_header": {"msg_id": "cell"},
        "content": {"name": name, "text": text},
    }


def test_a_line_printed_in_pieces_is_one_output_as_in_jupyter():
    """Under load the kernel flushed `print("no gradebook:", name)` between its words."""
    from genenorm_edu.grading.preprocessors.execute import GradingExecute

    execute = GradingExecute()
    execute._output_caps = {}  # as preprocess leaves them
    execute.clear_before_next_output = False  # as nbclient leaves it at each cell's start
    outs = []
    for message in (_stream("no gradebook:"), _stream(" "), _stream("OperationalError\n"),
                    _stream("careful\n", "stderr"), _stream("done\n")):  # fmt: skip
        execute.output(outs, message, None, 0)
    assert [(out.name, out.text) for out in outs] == [
        ("stdout", "no gradebook: OperationalError\n"),
        ("stderr", "careful\n"),
        ("stdout", "done\n"),
    ]

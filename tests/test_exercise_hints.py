"""Every exercise is complete (requirements, cases, mistakes, hints); hints and messages reach the student.

- hints: at least two levels, shown one more per call, the first never
  giving the answer away;
- a failed test in IPython shows the message first, without the course
  library's frames.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import nbformat
import pytest

from genenorm_edu import exercises
from genenorm_edu.course import ASSIGNMENTS, REPO_ROOT
from genenorm_edu.exercises import EXERCISES, LESSONS, check_exercise, hint
from genenorm_edu.feedback import Mismatch
from genenorm_edu.grading.hidden import HIDDEN_CASES


@pytest.fixture(autouse=True)
def fresh_hint_counters(monkeypatch):
    monkeypatch.setattr(exercises, "_HINTS_SHOWN", {})


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_every_exercise_is_complete(name):
    item = EXERCISES[name]
    assert len(item.requirements) >= 2
    assert item.visible, "no visible case"
    assert len(HIDDEN_CASES[name]) >= 3, "fewer than 3 hidden cases"
    assert item.mistakes, "no recognized mistake"
    assert len(item.hints) >= 2, "fewer than 2 hint levels"


def test_the_course_has_at_least_16_exercises_and_3_per_lesson():
    assert len(EXERCISES) >= 16
    assert all(len(names) >= 3 for names in LESSONS.values())


def test_each_call_shows_the_next_hint_and_stays_at_the_last():
    total = len(EXERCISES["rpkm"].hints)
    levels = [hint("rpkm").level for _ in range(total + 2)]
    assert levels == [*range(1, total + 1), total, total]
    assert hint("closest_to").level == 1  # each exercise counts on its own


def test_a_hint_is_markdown_naming_its_level():
    first = hint("qnorm")
    markdown = first._repr_markdown_()
    assert markdown.startswith(f"**Hint 1 of {first.total} for qnorm.**")
    assert first.text in markdown and "last hint" not in markdown
    last = hint("qnorm", first.total)
    assert "That was the last hint." in last._repr_markdown_()
    assert repr(last).startswith(f"Hint {first.total} of {first.total} for qnorm:")


def test_hint_asks_for_a_known_exercise_and_level():
    with pytest.raises(KeyError, match="no exercise 'rpkn'"):
        hint("rpkn")
    with pytest.raises(ValueError, match="start at 1"):
        hint("rpkm", 0)


def _answer_lines(assignment: str) -> dict[str, list[str]]:
    """The solution lines of each answer cell of an instructor notebook."""
    path = REPO_ROOT / "solutions" / assignment / f"{assignment}.ipynb"
    answers = {}
    for cell in nbformat.read(path, as_version=4).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in EXERCISES:
            solution = cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            answers[grade_id] = [line.strip() for line in solution.splitlines() if len(line.strip()) > 12]
    return answers


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_first_hint_does_not_give_the_answer(assignment):
    for name, lines in _answer_lines(assignment).items():
        first = EXERCISES[name].hints[0]
        assert not any(line in first for line in lines), name
        quoted = re.findall(r"`([^`]+)`", first)
        assert not any(len(code) > 12 and code in line for code in quoted for line in lines), (name, quoted)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_exercise_tells_where_its_hints_are(assignment):
    path = REPO_ROOT / "solutions" / assignment / f"{assignment}.ipynb"
    text = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "markdown")
    for name in LESSONS[assignment]:
        assert f'hint("{name}")' in text, name


def _defined_here(source: str, name: str):
    namespace = {"__name__": "__main__"}
    exec(textwrap.dedent(source), namespace)  # noqa: S102 -- fixed test source
    return namespace[name]


def test_a_failed_visible_test_points_to_the_hints(capsys):
    wrong = _defined_here("def c_strides(shape, itemsize):\n    return (8,) * len(shape)\n", "c_strides")
    with pytest.raises(Mismatch) as raised:
        check_exercise("c_strides", wrong)
    assert 'Stuck? Run hint("c_strides") in a new cell.' in str(raised.value)
    assert "hint(" not in raised.value.summary  # the grader's summary stays short


def test_ipython_shows_the_message_first_without_library_frames():
    """What a student sees in Jupyter when a test fails: the message, not our code."""
    cell = textwrap.dedent(
        """
        import numpy as np
        from genenorm_edu.exercises import check_exercise
        def rpkm(counts, gene_lengths):
            return counts * 1.0
        check_exercise("rpkm", rpkm)
        """
    )
    done = subprocess.run(
        [sys.executable, "-m", "IPython", "--colors=nocolor", "--no-banner", "-c", cell],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
    )
    shown = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
    after_results = shown.split("✗ 3 genes x 2 samples of uint32 counts (library sizes 40 and 25)")[1]
    assert after_results.lstrip().startswith("Test failed: 3 genes x 2 samples")
    assert "has wrong values" in after_results
    assert "genenorm_edu" not in after_results and "Traceback" not in after_results

"""Hidden-case feedback is fixed text and grader-computed facts: no string the student chose.

Each hostile answer below puts the hidden inputs into a string the grader
could be tempted to quote: the name of the result's class, the field names
of a structured dtype, the name and message of an exception. The visible
cases show the channel works (the student's own strings reach the visible
feedback, where the inputs are known anyway); no hidden summary carries them.
"""

from __future__ import annotations

import pytest

from genenorm_edu.grading.calls import CallBudget
from genenorm_edu.grading.judging import grade_exercise, verdict_outputs

pytestmark = pytest.mark.slow

BUDGET = CallBudget(startup_seconds=20, seconds_per_case=5)

#: Turns the call's arguments into an identifier-like string that starts with LEAK.
SECRET = "import numpy as np\ndef _secret(*args):\n    return 'LEAK_' + ''.join(c if c.isalnum() else '_' for c in repr(args))[:60]\n"

HOSTILE = {
    "class named after the inputs": "return type(_secret({args}), (), {{}})()",
    "structured dtype with the inputs as field names": "return np.zeros(2, dtype=[(_secret({args}), 'f8')])",
    "structured scalar with the inputs as field names": "return np.zeros(1, dtype=[(_secret({args}), 'i8')])[0]",
    "exception class named after the inputs": "raise type(_secret({args}), (Exception,), {{}})(_secret({args}))",
    "built-in exception quoting the inputs": "raise ValueError(_secret({args}))",
    "exception whose str() quotes the inputs": "raise type('E', (Exception,), {{'__str__': lambda self: _secret({args})}})()",
    "a list holding a named class": "return [type(_secret({args}), (), {{}})()]",
    "a pair of named classes": "return (type(_secret({args}), (), {{}})(), 1)",
}

EXERCISES = {
    "c_strides": ("shape", "itemsize"),
    "closest_to": ("x", "value"),
    "tie_blocks": ("column",),
    "rank_value_encoding": ("cell_counts", "medians"),
}


def _answer(name: str, parameters: tuple[str, ...], body: str) -> str:
    args = ", ".join(parameters)
    return f"{SECRET}def {name}({args}):\n    {body.format(args=args)}\n"


@pytest.mark.parametrize("name", sorted(EXERCISES))
@pytest.mark.parametrize("attack", sorted(HOSTILE))
def test_no_hidden_summary_quotes_a_string_the_student_chose(name, attack):
    verdicts = grade_exercise(name, [_answer(name, EXERCISES[name], HOSTILE[attack])], BUDGET)
    assert verdicts.hidden and not any(verdict.passed for verdict in verdicts.hidden)
    hidden_text = "\n".join(
        output.get("text", "") + output.get("evalue", "")
        for output in verdict_outputs(name, verdicts.hidden, hidden=True)
    )
    summaries = "\n".join(verdict.summary for verdict in verdicts.hidden)
    assert "LEAK" not in hidden_text and "LEAK" not in summaries, summaries
    assert all(verdict.summary for verdict in verdicts.hidden)


def test_the_visible_feedback_does_show_the_students_own_strings():
    """The check above can fail: the same strings do cross, into visible feedback."""
    verdicts = grade_exercise(
        "c_strides", [_answer("c_strides", EXERCISES["c_strides"], HOSTILE["built-in exception quoting the inputs"])], BUDGET
    )
    assert any("LEAK" in verdict.message for verdict in verdicts.visible)
    assert any("LEAK" in verdict.message for verdict in verdicts.hidden)  # kept for the instructor
    assert "raised ValueError" in verdicts.hidden[0].summary

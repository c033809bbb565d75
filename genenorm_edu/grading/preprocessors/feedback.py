"""Feedback pages without hidden tests, whatever the student's notebook holds."""

from __future__ import annotations

from pathlib import Path

from nbformat.v4 import new_output
from nbgrader import utils as nbgrader_utils
from nbgrader.preprocessors import ClearHiddenTests
from traitlets import List

__all__ = ["FeedbackWithoutHiddenTests"]

#: Where the hidden cases are written; no line of it may appear in feedback.
HIDDEN_TESTS_SOURCE = Path(__file__).resolve().parent.parent / "hidden.py"


def _hidden_test_lines() -> set[str]:
    """The lines of the hidden cases that hold their inputs."""
    lines = HIDDEN_TESTS_SOURCE.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if "Case(" in line and len(line.strip()) >= 25}


def _output_text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return "\n".join([output.get("evalue", ""), *output.get("traceback", [])])
    data = output.get("data", {})
    return "\n".join(str(value) for value in data.values())


class FeedbackWithoutHiddenTests(ClearHiddenTests):
    """Remove hidden tests from feedback: their source, and any output quoting them.

    - The ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` region of
      each test cell is removed (nbgrader shows it in feedback by design,
      issues #917 and #1363); the traceback of a failing hidden test is cut
      to its error's name and message.
    - Only test cells are searched for the markers: a student's string that
      contains them is left alone (nbgrader's own preprocessor stops there,
      and the student gets no feedback at all).
    - An output that quotes a line of the grader's hidden tests (which a
      student's code could only print where grading ran without a sandbox)
      is replaced by a note.
    """

    # nbconvert's HTML exporter configures ``display_data_priority`` on every
    # preprocessor of the feedback pipeline; nbgrader's base class has the
    # trait but does not mark it configurable (GetGrades does), which makes
    # traitlets warn "Config option `display_data_priority` not recognized".
    display_data_priority = List(
        ["text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png"]
        + ["image/jpeg", "text/plain"]
    ).tag(config=True)

    def preprocess(self, nb, resources):
        """Clean every cell of ``nb``."""
        self._secret_lines = _hidden_test_lines()
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        """Clear a test cell's hidden region and tracebacks; drop outputs quoting hidden tests."""
        is_test = nbgrader_utils.is_grade(cell) and not nbgrader_utils.is_solution(cell)
        if is_test and self.begin_test_delimeter in cell.source:
            self._remove_hidden_test_region(cell)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output['ename']}: {output['evalue']}"]
        if cell.cell_type == "code":
            cell.outputs = [self._without_secrets(output) for output in cell.outputs]
        return cell, resources

    def _without_secrets(self, output):
        text = _output_text(output)
        if not any(line in text for line in self._secret_lines):
            return output
        self.log.warning("An output quoted the hidden tests; removed from the feedback")
        return new_output(
            "stream",
            name="stdout",
            text="[grader] output removed: it quoted the grader's hidden tests.\n",
        )

"""Each preprocessor of the grading pipeline on its own, on small notebooks (no nbgrader run)."""

from __future__ import annotations

import logging
import math
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from genenorm_edu.grading.plan import plan_submission
from genenorm_edu.grading.preprocessors import (
    FeedbackWithoutHiddenTests,
    GradingExecute,
    LogScore,
    OutOfReachGrades,
    RecordAnswers,
    RepairCellMetadata,
)
from genenorm_edu.grading.preprocessors.state import ANSWERS_KEY, GRADING_KEY, NotebookGrading

ASSIGNMENT, NOTEBOOK = "01-ndarray-internals", "01-ndarray-internals"

RIGHT = (
    "def c_strides(shape, itemsize):\n"
    "    strides, step = [], itemsize\n"
    "    for length in reversed(shape):\n"
    "        strides.append(step)\n"
    "        step *= length\n"
    "    return tuple(reversed(strides))\n"
)
STUB = "def c_strides(shape, itemsize):\n    raise NotImplementedError()\n"


def _graded(source: str, grade_id: str, points: float = 1.0, **extra) -> nbformat.NotebookNode:
    metadata = {"grade": True, "grade_id": grade_id, "locked": True, "points": points,
                "schema_version": 3, "solution": False, "task": False, **extra}  # fmt: skip
    return new_code_cell(source, metadata={"nbgrader": metadata})


def _answer(source: str) -> nbformat.NotebookNode:
    metadata = {"grade": False, "grade_id": "c_strides", "locked": False,
                "schema_version": 3, "solution": True, "task": False}  # fmt: skip
    return new_code_cell(source, metadata={"nbgrader": metadata})


def _lesson(answer_source: str = RIGHT) -> nbformat.NotebookNode:
    return new_notebook(
        cells=[
            new_markdown_cell("# Strides"),
            _answer(answer_source),
            _graded('check_exercise("c_strides", c_strides)', "test_c_strides_visible", 2.0),
            _graded(
                '### BEGIN HIDDEN TESTS\ncheck_exercise("c_strides", c_strides, hidden=True)\n### END HIDDEN TESTS',
                "test_c_strides_hidden",
                3.0,
            ),
            new_code_cell("plt.plot(x)", metadata={"tags": ["demonstration"]}),
        ]
    )


# --- RecordAnswers --------------------------------------------------------------------------


def test_record_answers_keeps_the_answer_the_tests_see_and_replaces_a_forged_record():
    notebook = _lesson(STUB)
    notebook.cells.insert(2, new_code_cell(RIGHT))  # the student's own cell, after the stub
    notebook.metadata[ANSWERS_KEY] = {"c_strides": ["def c_strides(s, i): return ()"]}
    RecordAnswers().preprocess(notebook, {"nbgrader": {"assignment": ASSIGNMENT}})
    recorded = notebook.metadata[ANSWERS_KEY]
    assert recorded["c_strides"] == [RIGHT]
    assert recorded["byte_offset"] == []  # every exercise of the lesson has an entry


# --- RepairCellMetadata ----------------------------------------------------------------------


@pytest.fixture()
def gradebook(tmp_path):
    from nbgrader.api import Gradebook

    from genenorm_edu.grading.environment import ensure_alembic_on_path

    ensure_alembic_on_path()
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    from nbgrader.utils import compute_checksum

    cells = {cell.metadata["nbgrader"]["grade_id"]: cell for cell in _lesson().cells if "nbgrader" in cell.metadata}
    with Gradebook(url) as book:
        book.add_assignment(ASSIGNMENT)
        book.add_notebook(NOTEBOOK, ASSIGNMENT)
        book.add_solution_cell("c_strides", NOTEBOOK, ASSIGNMENT)
        for name, points in [("test_c_strides_visible", 2.0), ("test_c_strides_hidden", 3.0)]:
            book.add_grade_cell(name, NOTEBOOK, ASSIGNMENT, max_score=points, cell_type="code")
        for name, cell in cells.items():
            book.add_source_cell(name, NOTEBOOK, ASSIGNMENT, cell_type="code", locked=name != "c_strides",
                                 source=cell.source, checksum=compute_checksum(cell))  # fmt: skip
    return url


def test_repair_metadata_restores_points_and_drops_duplicates_and_unknown_ids(gradebook):
    notebook = _lesson()
    notebook.cells[2].metadata["nbgrader"]["points"] = 100.0
    notebook.cells.insert(3, nbformat.from_dict(notebook.cells[2]))  # a duplicated test cell
    notebook.cells[0].metadata["nbgrader"] = {"grade": True, "grade_id": "mine", "points": 50}
    resources = {"nbgrader": {"db_url": gradebook, "notebook": NOTEBOOK, "assignment": ASSIGNMENT}}
    RepairCellMetadata().preprocess(notebook, resources)
    assert "nbgrader" not in notebook.cells[0].metadata
    assert "nbgrader" not in notebook.cells[2].metadata  # the first copy
    assert notebook.cells[3].metadata["nbgrader"]["points"] == 2.0  # the last copy, repaired
    assert notebook.cells[4].metadata["nbgrader"]["points"] == 3.0


# --- GradingExecute (the parts that need no kernel) ------------------------------------------


def _executor(notebook, seconds_left: float) -> GradingExecute:
    executor = GradingExecute()
    executor._plan = plan_submission(notebook, None)
    executor._notebook_deadline = time.monotonic() + seconds_left
    return executor


def test_hidden_tests_and_demonstrations_never_reach_the_kernel():
    notebook = _lesson()
    executor = _executor(notebook, 600)
    hidden, _ = executor.preprocess_cell(notebook.cells[3], {}, 3)
    assert hidden.outputs == [] and hidden.execution_count is None
    demonstration, _ = executor.preprocess_cell(notebook.cells[4], {}, 4)
    assert "Not run when graded" in demonstration.outputs[0]["text"]


def test_cells_after_the_notebook_time_limit_are_not_run_and_say_so():
    notebook = _lesson()
    executor = _executor(notebook, -1)
    cell, _ = executor.preprocess_cell(notebook.cells[1], {}, 1)
    assert "used up its time limit" in cell.outputs[0]["text"] and cell.execution_count is None


def test_a_cell_time_limit_is_cut_to_what_is_left_of_the_notebook():
    notebook = _lesson()
    executor = _executor(notebook, 5.2)
    executor.timeout = 60
    assert 1 <= executor._get_timeout(notebook.cells[1]) <= math.ceil(5.2)
    executor = _executor(notebook, 600)
    executor.timeout = 60
    assert executor._get_timeout(notebook.cells[1]) == 60


# --- OutOfReachGrades ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("answer", "passes"), [(RIGHT, True), (STUB, False)])
def test_out_of_reach_grades_write_a_verdict_into_each_test_cell(answer, passes):
    notebook = _lesson(answer)
    notebook.metadata[ANSWERS_KEY] = {"c_strides": [answer]}
    notebook.cells[2].outputs = [new_output("stream", name="stderr", text="from the kernel\n"),
                                 new_output("execute_result", data={"text/plain": "1.0"})]  # fmt: skip
    grader = OutOfReachGrades(seconds_per_case=5, startup_seconds=20)
    notebook, resources = grader.preprocess(notebook, {})
    visible, hidden = notebook.cells[2].outputs, notebook.cells[3].outputs
    assert ANSWERS_KEY not in notebook.metadata
    assert visible[0] == new_output("stream", name="stdout", text="from the kernel\n")
    assert all(output["output_type"] != "execute_result" for output in visible)
    if passes:
        assert "all" in visible[-1]["text"] and "passed" in hidden[-1]["text"]
    else:
        assert visible[-1]["ename"] == hidden[-1]["ename"] == "TestFailed"
        assert "not written yet" in hidden[-1]["evalue"]
    assert isinstance(resources[GRADING_KEY], NotebookGrading)


# --- LogScore ---------------------------------------------------------------------------------


def test_log_score_logs_score_and_time_once(caplog):
    notebook = _lesson()
    notebook.cells[2].outputs = [new_output("stream", name="stdout", text="ok\n")]
    notebook.cells[3].outputs = [new_output("error", ename="TestFailed", evalue="no", traceback=[])]
    logger = logging.getLogger("test-log-score")
    step = LogScore()
    step.log = logger
    grading = NotebookGrading(plan=plan_submission(notebook, None), started=time.monotonic() - 2)
    resources = {"nbgrader": {"student": "ada", "notebook": NOTEBOOK}, GRADING_KEY: grading}
    with caplog.at_level(logging.INFO, logger="test-log-score"):
        step.preprocess(notebook, resources)
    (line,) = [record.getMessage() for record in caplog.records]
    assert line.startswith(f"Graded ada / {NOTEBOOK}: 2 of 5 points in 2.")


# --- FeedbackWithoutHiddenTests -------------------------------------------------------------


def test_feedback_removes_hidden_regions_tracebacks_and_quotes_of_hidden_cases():
    from genenorm_edu.grading.preprocessors.feedback import _hidden_test_lines

    notebook = _lesson()
    notebook.cells[3].outputs = [
        new_output("error", ename="TestFailed", evalue="1 of 9 failed", traceback=["frame 1", "frame 2"])
    ]
    secret = sorted(_hidden_test_lines())[0]
    notebook.cells[1].outputs = [new_output("stream", name="stdout", text=f"look: {secret}\n")]
    notebook.cells[4].source = "note = '### BEGIN HIDDEN TESTS'"  # a student's string is left alone
    FeedbackWithoutHiddenTests().preprocess(notebook, {})
    assert "HIDDEN" not in notebook.cells[3].source and "hidden=True" not in notebook.cells[3].source
    assert notebook.cells[3].outputs[0]["traceback"] == ["TestFailed: 1 of 9 failed"]
    assert secret not in notebook.cells[1].outputs[0]["text"]
    assert "quoted the grader's hidden tests" in notebook.cells[1].outputs[0]["text"]
    assert "BEGIN HIDDEN TESTS" in notebook.cells[4].source


def test_a_kernel_that_cannot_be_restarted_stops_the_kernel_not_the_grading():
    notebook = _lesson()
    executor = _executor(notebook, 600)

    class Broken:
        def restart_kernel(self, now=True):
            raise RuntimeError("the sockets are gone")

    executor.km = Broken()
    executor._restart_kernel()
    cell, _ = executor.preprocess_cell(notebook.cells[1], {}, 1)
    assert "could not be restarted" in cell.outputs[0]["text"]


# --- RestoreMissingCells -------------------------------------------------------------------


def test_restore_missing_cells_puts_a_deleted_test_back_after_its_answer(gradebook):
    from genenorm_edu.grading.preprocessors import RestoreMissingCells

    notebook = _lesson()
    del notebook.cells[2]  # the visible test cell
    resources = {"nbgrader": {"db_url": gradebook, "notebook": NOTEBOOK, "assignment": ASSIGNMENT}}
    step = RestoreMissingCells(add_missing_cells=True)
    notebook, _ = step.preprocess(notebook, resources)
    ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in notebook.cells]
    assert ids[1:4] == ["c_strides", "test_c_strides_visible", "test_c_strides_hidden"]
    assert notebook.cells[2].source.endswith(_lesson().cells[2].source)  # the gradebook's source

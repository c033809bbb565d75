"""The course graded end to end by real nbgrader, through the course's nbgrader_config.py.

For each assignment, a temporary course directory gets ``nbgrader_config.py``
and the instructor notebook; nbgrader generates the student version; every
submission of the catalog (``catalog/submissions.py``: correct, wrong and
hostile work, with the score each test cell must get) is autograded in ONE
``nbgrader autograde`` run per assignment, and feedback is generated. The
assignments run in separate course directories, two at a time.

Lesson 1 holds the slow cases (loops, kernel deaths, fork bomb, memory hog),
graded with short time limits: its cells run in milliseconds.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from catalog.submissions import FULL, SUBMISSIONS, VISIBLE, Context, build
from course_copies import grade_cell_points

from genenorm_edu.course import ASSIGNMENTS, REPO_ROOT
from genenorm_edu.exercises import LESSONS, exercise
from genenorm_edu.grading.cells import is_demonstration
from genenorm_edu.grading.hidden import HIDDEN_CASES

pytestmark = pytest.mark.slow

#: Short limits for lesson 1 (its cells run in milliseconds), which has the loop cases.
SHORT_LIMITS = (
    "--Execute.timeout=8",
    "--Execute.iopub_timeout=1",
    "--GradingExecute.stuck_kernel_seconds=1",
    "--OutOfReachGrades.seconds_per_case=2",
    "--OutOfReachGrades.startup_seconds=15",
    "--SandboxedKernelManager.memory_mib=2048",
)


def _environment() -> dict[str, str]:
    from genenorm_edu.data import DATA_DIR_ENV, data_dir

    env = dict(os.environ)
    # nbgrader runs the `alembic` command found on PATH to create a gradebook.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env[DATA_DIR_ENV] = str(data_dir())  # reuse the cached course data
    env["MPLBACKEND"] = "Agg"
    return env


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "nbgrader", *args]
    done = subprocess.run(
        command, cwd=course, env=_environment(), capture_output=True, text=True, timeout=1200
    )
    (course / "logs").mkdir(exist_ok=True)
    (course / "logs" / f"{args[0]}.log").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stderr[-4000:]}"
    return done


def _expected_cells(
    assignment: str, category: dict[str, str], points: dict[str, float]
) -> dict[str, float]:
    expected = {}
    for name in LESSONS[assignment]:
        visible, hidden = f"test_{name}_visible", f"test_{name}_hidden"
        expected[visible] = points[visible] if category[name] in (FULL, VISIBLE) else 0.0
        expected[hidden] = points[hidden] if category[name] == FULL else 0.0
    return expected


def _grade_assignment(root: Path, assignment: str) -> dict:
    """Release, submit every catalog case, autograde, generate feedback; return the facts."""
    course = root / assignment
    (course / "solutions").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", course)
    shutil.copytree(REPO_ROOT / "solutions" / assignment, course / "solutions" / assignment)
    _nbgrader(course, "generate_assignment", assignment, "--force")

    notebook_name = f"{assignment}.ipynb"
    release = nbformat.read(course / "notebooks" / assignment / notebook_name, as_version=4)
    solution = nbformat.read(course / "solutions" / assignment / notebook_name, as_version=4)
    context = Context(course=course, assignment=assignment, solution=solution)
    for submission in SUBMISSIONS[assignment]:
        target = course / "submitted" / submission.student / assignment / notebook_name
        target.parent.mkdir(parents=True)
        target.write_text(submission.file_text(build(release, submission, context)), encoding="utf-8")

    options = SHORT_LIMITS if assignment == "01-ndarray-internals" else ()
    started = time.monotonic()
    autograde = _nbgrader(course, "autograde", assignment, "--force", *options)
    autograde_seconds = time.monotonic() - started
    _nbgrader(course, "generate_feedback", assignment, "--force")
    return {
        "course": course,
        "points": grade_cell_points(solution),
        "scores": _read_scores(course, assignment),
        "autograde_seconds": autograde_seconds,
        "log": autograde.stdout + autograde.stderr,
    }


def _read_scores(course: Path, assignment: str) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            (notebook,) = submission.notebooks
            scores[submission.student_id] = {grade.name: grade.score for grade in notebook.grades}
    return scores


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    """Every assignment released, submitted, autograded and fed back."""
    root = tmp_path_factory.mktemp("course")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {a: pool.submit(_grade_assignment, root, a) for a in ASSIGNMENTS}
        results = {assignment: future.result() for assignment, future in futures.items()}
    table = ["assignment / student (class): score per test cell"]
    for assignment, result in results.items():
        table.append(f"{assignment} (autograde {result['autograde_seconds']:.0f} s)")
        for submission in SUBMISSIONS[assignment]:
            cells = result["scores"].get(submission.student)
            table.append(f"  {submission.student:28s} {submission.kind:32s} {cells}")
    print("\n".join(table))
    return results


def _page(result: dict, assignment: str, student: str) -> str:
    path = result["course"] / "feedback" / student / assignment / f"{assignment}.html"
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_submission_gets_the_expected_score_per_cell(graded, assignment):
    result = graded[assignment]
    expected = {
        submission.student: _expected_cells(
            assignment, submission.expected(list(LESSONS[assignment])), result["points"]
        )
        for submission in SUBMISSIONS[assignment]
    }
    assert sorted(result["scores"]) == sorted(expected), "a submission was not graded"
    wrong = {
        student: cells for student, cells in result["scores"].items() if cells != expected[student]
    }
    assert wrong == {}, {student: (cells, expected[student]) for student, cells in wrong.items()}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_notebook_logs_one_line_with_its_score_and_time(graded, assignment):
    log = graded[assignment]["log"]
    for submission in SUBMISSIONS[assignment]:
        lines = re.findall(
            rf"Graded {re.escape(submission.student)} / {assignment}: .* points in [\d.]+ s", log
        )
        assert len(lines) == 1, submission.student
    assert "NO SANDBOX" not in log


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_hidden_test_cells_log_no_checksum_change(graded, assignment):
    student = None
    complaints = set()
    for line in graded[assignment]["log"].splitlines():
        started = re.search(r"Sanitizing .*/submitted/([^/]+)/", line)
        if started:
            student = started.group(1)
        elif "checksum" in line and "has changed" in line:
            complaints.add(student)
    tampered = {"edited-tests", "stripped-metadata", "solved-then-stripped"}
    assert complaints <= tampered


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_reference_solution_runs_without_any_error(graded, assignment):
    """The instructor's answers, run by the grader's kernel, raise nowhere."""
    course = graded[assignment]["course"]
    notebook = nbformat.read(
        course / "autograded" / "reference" / assignment / f"{assignment}.ipynb", as_version=4
    )
    errors = [
        (index, output["ename"], output.get("evalue", "")[:200])
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == []
    demonstrations = [cell for cell in notebook.cells if is_demonstration(cell)]
    assert demonstrations, "the lesson's demonstrations lost their tag"
    for cell in demonstrations:  # not run: a note says so
        assert cell.execution_count is None and "Not run when graded" in cell.outputs[0]["text"]
    ran = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.execution_count]
    assert ran, "the kernel ran nothing"


def _hidden_test_source_lines() -> list[str]:
    source = (REPO_ROOT / "genenorm_edu" / "grading" / "hidden.py").read_text(encoding="utf-8")
    return [
        line.strip() for line in source.splitlines() if len(line.strip()) > 25 and "Case(" in line
    ]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_pages_show_no_hidden_test(graded, assignment):
    result = graded[assignment]
    secret_lines = _hidden_test_source_lines()
    for submission in SUBMISSIONS[assignment]:
        text = _page(result, assignment, submission.student)
        assert "check_exercise(" in text, submission.student  # the page shows the notebook's code
        assert "hidden=True" not in text, submission.student
        if (
            submission.student != "markers-in-strings"
        ):  # that student's own string holds the markers
            assert "HIDDEN TESTS" not in text, submission.student
        leaked = [line for line in secret_lines if line in text]
        assert leaked == [], (submission.student, leaked[:3])


def test_feedback_never_shows_hidden_inputs_whatever_the_student_prints(graded):
    result = graded["01-ndarray-internals"]
    visible_shapes = {repr(case.args[0]) for case in exercise("c_strides").visible}
    hidden_shapes = {repr(case.args[0]) for case in HIDDEN_CASES["c_strides"]} - visible_shapes
    text = _page(result, "01-ndarray-internals", "leaks-arguments")
    assert "LEAKED-ARGUMENTS" in text  # what the student printed in its own kernel is shown...
    assert [
        shape for shape in hidden_shapes if f"LEAKED-ARGUMENTS {shape}" in text
    ] == []  # ...hidden inputs never


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_feedback_page_quotes_a_string_built_from_hidden_inputs(graded, assignment):
    """Class names, dtype field names, exception names and messages built from the inputs."""
    result = graded[assignment]
    leaking = [s.student for s in SUBMISSIONS[assignment] if s.kind == "feedback leaks"]
    for student in leaking:
        assert "LEAK_" not in _page(result, assignment, student), student


def test_a_failed_hidden_test_names_the_case_and_the_mistake_without_values(graded):
    text = _page(graded["01-ndarray-internals"], "01-ndarray-internals", "memorized-visible")
    assert "hidden tests of c_strides failed" in text
    assert "a 1-D shape: c_strides raised KeyError." in text


def test_kernel_deaths_and_restarts_are_explained_and_grading_goes_on(graded):
    result = graded["01-ndarray-internals"]
    assert "The kernel died while running this cell" in _page(
        result, "01-ndarray-internals", "kernel-dies-after-answer"
    )
    assert "The kernel was restarted" in _page(result, "01-ndarray-internals", "ignores-interrupt")
    exits = _page(result, "01-ndarray-internals", "exits-when-called")
    assert "The kernel died" in exits and "process running the function ended" in exits


def test_damaged_files_are_graded_and_told_why(graded):
    result = graded["01-ndarray-internals"]
    assert "not valid JSON" in _page(result, "01-ndarray-internals", "truncated-file")
    assert "not valid JSON" in _page(result, "01-ndarray-internals", "empty-file")
    assert "its cells were rebuilt" in _page(result, "01-ndarray-internals", "cell-without-source")


def test_the_sandbox_keeps_student_code_away_from_the_course(graded):
    result = graded["01-ndarray-internals"]
    with sqlite3.connect(result["course"] / "gradebook.db") as gradebook:
        extra = gradebook.execute(
            "SELECT COUNT(*) FROM grade WHERE extra_credit IS NOT NULL AND extra_credit != 0"
        )
        assert extra.fetchone() == (0,)
    assert "no gradebook: OperationalError" in _page(
        result, "01-ndarray-internals", "writes-gradebook"
    )
    printed = _page(result, "01-ndarray-internals", "prints-hidden-tests")
    assert "no hidden tests" in printed and "HIDDEN_CASES" not in printed
    assert "stopped after" in _page(result, "01-ndarray-internals", "fork-bomb")
    assert "MemoryError after" in _page(result, "01-ndarray-internals", "hogs-memory-in-kernel")
    flood = (
        result["course"]
        / "autograded"
        / "floods-output"
        / "01-ndarray-internals"
        / "01-ndarray-internals.ipynb"
    )
    assert flood.stat().st_size < 5_000_000
    assert "more output was dropped" in _page(result, "01-ndarray-internals", "floods-output")


def test_a_submission_trying_to_hang_the_grader_costs_at_most_its_time_limits(graded):
    """Each costs its own limits (a cell's 8 s, a call's 2 s, the answer cell's 15 s), not the run."""
    log = graded["01-ndarray-internals"]["log"]
    hangs = [s.student for s in SUBMISSIONS["01-ndarray-internals"] if s.kind == "hangs the grader"]
    assert len(hangs) >= 4
    for student in hangs:
        (seconds,) = re.findall(rf"Graded {re.escape(student)} / .* points in ([\d.]+) s", log)
        assert float(seconds) < 15 + 8 + 40, student  # limits, plus a busy machine's slack


def test_loops_cost_bounded_time(graded):
    """Loops are cut off, a kernel ignoring interrupts is restarted, and grading goes on."""
    result = graded["01-ndarray-internals"]
    log = result["log"]
    assert "restarting it" in log
    restarts = log.count("restarting it")
    # Each notebook takes seconds; a restart costs a time limit (8 s) and a few seconds more.
    assert (
        result["autograde_seconds"] < len(SUBMISSIONS["01-ndarray-internals"]) * 10 + restarts * 20
    )

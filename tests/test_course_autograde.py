"""The course graded end to end by real nbgrader, with a real sqlite gradebook.

For each assignment, a temporary course directory gets ``nbgrader_config.py``
and the instructor notebook; nbgrader generates the student version; one
submission per case (see ``course_submissions.py``) is autograded in ONE
``nbgrader autograde`` run per assignment (nbgrader start-up costs seconds);
feedback is generated. The four assignments run in separate course
directories, two at a time.

Lesson 1 also holds the timeout cases, graded with a short per-cell timeout
(its cells run in milliseconds), so that an infinite loop costs seconds.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from course_submissions import build_submission, submissions

from genenorm_edu.course import ASSIGNMENTS, REPO_ROOT

pytestmark = pytest.mark.slow

#: Per-cell timeout (seconds) of the lesson-1 run, which has the loop cases.
SHORT_TIMEOUT = 5

V, H = "visible", "hidden"


def full(*exercises: str) -> dict[str, float]:
    """Expected scores of exercises passing both test cells (1 + 2 points)."""
    return {cell: points for name in exercises for cell, points in _cells(name, 1, 2).items()}


def zero(*exercises: str) -> dict[str, float]:
    return {cell: 0.0 for name in exercises for cell in _cells(name, 0, 0)}


def visible_only(*exercises: str) -> dict[str, float]:
    """Passes the visible tests, fails the hidden ones."""
    return {cell: points for name in exercises for cell, points in _cells(name, 1, 0).items()}


def _cells(name: str, visible: float, hidden: float) -> dict[str, float]:
    return {f"test_{name}_visible": float(visible), f"test_{name}_hidden": float(hidden)}


LESSON2 = ("closest_to", "rpkm", "outer_sum")

#: Expected score of every autograded cell, per assignment and student.
EXPECTED = {
    "01-ndarray-internals": {
        "reference": full("c_strides"),
        "untouched": zero("c_strides"),
        "fortran-order": zero("c_strides"),
        "strides-in-elements": zero("c_strides"),
        "memorized-visible": visible_only("c_strides"),
        "infinite-loop": zero("c_strides"),
        "ignores-interrupt": zero("c_strides"),
        "edited-tests": zero("c_strides"),
        "deleted-tests": zero("c_strides"),
        "stripped-metadata": zero("c_strides"),
        "solved-then-deleted-tests": full("c_strides"),
    },
    "02-axes-and-broadcasting": {
        "reference": full(*LESSON2),
        "untouched": zero(*LESSON2),
        "mistakes-a": zero(*LESSON2),
        "mistakes-b": zero(*LESSON2),
        "reuses-reference": zero(*LESSON2),
        "rpkm-overflow": {**full("closest_to", "outer_sum"), **zero("rpkm")},
    },
    "03-fancy-indexing": {
        "reference": full("qnorm"),
        "untouched": zero("qnorm"),
        "truncated-ranks": zero("qnorm"),
        "ignores-ties": zero("qnorm"),
        "patches-checks": zero("qnorm"),
        "wraps-reference": zero("qnorm"),
    },
    "04-nonzero-medians": {
        "reference": full("nonzero_normalized"),
        "untouched": zero("nonzero_normalized"),
        "keeps-zeros": zero("nonzero_normalized"),
        "gene-totals": zero("nonzero_normalized"),
        "wraps-library": zero("nonzero_normalized"),
    },
}


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
        command, cwd=course, env=_environment(), capture_output=True, text=True, timeout=900
    )
    (course / "logs").mkdir(exist_ok=True)
    (course / "logs" / f"{args[0]}.log").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stderr[-4000:]}"
    return done


def _grade_assignment(root: Path, assignment: str) -> dict:
    """Release, submit every case, autograde, generate feedback; return the facts."""
    course = root / assignment
    (course / "solutions").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", course)
    shutil.copytree(REPO_ROOT / "solutions" / assignment, course / "solutions" / assignment)
    _nbgrader(course, "generate_assignment", assignment, "--force")

    notebook_name = f"{assignment}.ipynb"
    release = nbformat.read(course / "notebooks" / assignment / notebook_name, as_version=4)
    solution = nbformat.read(course / "solutions" / assignment / notebook_name, as_version=4)
    cases = submissions(assignment, solution)
    for student, edit in cases.items():
        target = course / "submitted" / student / assignment / notebook_name
        target.parent.mkdir(parents=True)
        nbformat.write(build_submission(release, edit), target)

    options = []
    if assignment == "01-ndarray-internals":
        options = [f"--Execute.timeout={SHORT_TIMEOUT}", "--Execute.iopub_timeout=2"]
    started = time.monotonic()
    _nbgrader(course, "autograde", assignment, "--force", *options)
    autograde_seconds = time.monotonic() - started
    _nbgrader(course, "generate_feedback", assignment, "--force")
    return {
        "course": course,
        "students": sorted(cases),
        "scores": _read_scores(course, assignment),
        "autograde_seconds": autograde_seconds,
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
    table = ["assignment / student: score per test cell"]
    for assignment, result in results.items():
        table.append(f"{assignment} (autograde {result['autograde_seconds']:.0f} s)")
        for student, cells in sorted(result["scores"].items()):
            table.append(f"  {student:28s} {cells}")
    print("\n".join(table))
    return results


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_submission_gets_the_expected_score_per_cell(graded, assignment):
    scores = graded[assignment]["scores"]
    assert sorted(scores) == sorted(EXPECTED[assignment]), "a submission was not graded"
    assert scores == EXPECTED[assignment]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_solution_runs_without_any_error(graded, assignment):
    """The instructor's answers, run by nbgrader (nbclient), raise nowhere."""
    course = graded[assignment]["course"]
    notebook = nbformat.read(
        course / "autograded" / "reference" / assignment / f"{assignment}.ipynb", as_version=4
    )
    errors = [
        (index, output["ename"])
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == []


def test_timeout_cases_do_not_stop_the_run(graded):
    """Loops are cut off and the students graded after them still get graded."""
    result = graded["01-ndarray-internals"]
    assert {"infinite-loop", "ignores-interrupt"} <= set(result["scores"])
    # Every submission was autograded (a notebook written for each student).
    course = result["course"]
    for student in result["students"]:
        assert (course / "autograded" / student / "01-ndarray-internals").is_dir(), student
    log = (course / "logs" / "autograde.log").read_text()
    assert "Timeout waiting for execute reply" in log
    # The stuck kernel costs at most (timeout + iopub timeout) per remaining
    # cell; the whole lesson-1 run stays well under a minute per loop case.
    assert result["autograde_seconds"] < 11 * 10 + 2 * 60


def _visible_text(page: str) -> str:
    """The text of an HTML page, without tags and entities."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _hidden_test_lines(solution: Path) -> list[str]:
    notebook = nbformat.read(solution, as_version=4)
    lines = []
    for cell in notebook.cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(line.strip()) > 12:
                lines.append(line.strip())
    return lines


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_shows_no_hidden_test_source(graded, assignment):
    result = graded[assignment]
    course = result["course"]
    hidden = _hidden_test_lines(course / "solutions" / assignment / f"{assignment}.ipynb")
    assert hidden, "the assignment should have hidden tests"
    pages = sorted((course / "feedback").glob(f"*/{assignment}/*.html"))
    assert len(pages) == len(result["students"])
    for page in pages:
        text = _visible_text(page.read_text(encoding="utf-8"))
        # The page's code is readable as text (a visible test call is there)...
        assert "check_written_here(" in text, page
        # ...but no line of hidden-test code is, in sources or tracebacks.
        assert "HIDDEN TESTS" not in text, page
        leaked = [line for line in hidden if line in text]
        assert leaked == [], f"{page}: {leaked[:3]}"


def test_feedback_keeps_the_message_of_a_failed_hidden_test(graded):
    """Students still learn what failed, without seeing the test code."""
    course = graded["03-fancy-indexing"]["course"]
    page = course / "feedback" / "patches-checks" / "03-fancy-indexing" / "03-fancy-indexing.html"
    text = _visible_text(page.read_text(encoding="utf-8"))
    assert "hidden test: wrong values with tie blocks" in text

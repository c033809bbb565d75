"""``genenorm-edu autograde --jobs N`` grades each student exactly as ``nbgrader autograde``.

One course (lesson 1, whose notebook runs in seconds) is generated once and
copied twice, submissions included: ``nbgrader autograde`` grades one copy,
``genenorm-edu autograde --jobs 3`` the other. Both must leave the same
gradebook rows, the same autograded notebooks and the same exit status; one
submission is not valid JSON, and both runs grade it as an empty notebook
(with a warning naming it) instead of leaving the student without a grade. Feedback is compared the same way.
The merge of a worker's rows into the real gradebook is tested on its own,
without running notebooks.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from course_copies import REPO_ROOT, grade_cell_points
from catalog.answers import WRONG
from catalog.submissions import Context, Submission, answer, build
from nbgrader.api import Gradebook

from genenorm_edu.grading.parallel import pool as parallel
from genenorm_edu.grading.environment import ensure_alembic_on_path
from genenorm_edu.grading.parallel import (
    CommentRow,
    GradeRow,
    StudentOutcome,
    SubmissionRows,
    read_submission_rows,
    write_submission_rows,
)

LESSON = "01-ndarray-internals"
NOTEBOOK = f"{LESSON}.ipynb"


_MAX_SCORE = sum(
    grade_cell_points(nbformat.read(REPO_ROOT / "solutions" / LESSON / NOTEBOOK, as_version=4)).values()
)


def _environment() -> dict[str, str]:
    from genenorm_edu.data import DATA_DIR_ENV, data_dir

    environment = dict(os.environ)
    environment["PATH"] = str(Path(sys.executable).parent) + os.pathsep + environment.get("PATH", "")
    environment[DATA_DIR_ENV] = str(data_dir())
    return environment


def _run(course: Path, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(command), cwd=course, env=_environment(), capture_output=True, text=True, timeout=900)


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    return _run(course, sys.executable, "-m", "nbgrader", *args)


def genenorm_edu(course: Path, *args: str) -> subprocess.CompletedProcess:
    return _run(course, sys.executable, "-m", "genenorm_edu.cli", *args)


def _course_with_submissions(root: Path) -> Path:
    course = root / "course"
    (course / "solutions").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", course)
    shutil.copytree(REPO_ROOT / "solutions" / LESSON, course / "solutions" / LESSON)
    done = nbgrader(course, "generate_assignment", LESSON, "--force")
    assert done.returncode == 0, done.stderr[-3000:]
    release = nbformat.read(course / "notebooks" / LESSON / NOTEBOOK, as_version=4)
    solution = nbformat.read(course / "solutions" / LESSON / NOTEBOOK, as_version=4)
    context = Context(course=course, assignment=LESSON, solution=solution)
    submissions = [
        Submission("reference", "correct", "solved"),
        Submission("untouched", "no work", "untouched"),
        Submission("fortran-order", "wrong", "solved", (answer("c_strides", WRONG["c_strides"]["Fortran order"][0]),)),
        Submission("submitted-late", "correct", "solved"),
    ]
    for submission in submissions:
        target = course / "submitted" / submission.student / LESSON / NOTEBOOK
        target.parent.mkdir(parents=True)
        nbformat.write(build(release, submission, context), target)
    (course / "submitted" / "submitted-late" / LESSON / "timestamp.txt").write_text("2031-05-04 12:00:00 UTC")
    corrupt = course / "submitted" / "not-json" / LESSON / NOTEBOOK
    corrupt.parent.mkdir(parents=True)
    corrupt.write_text('{"cells": [')  # the upload broke off
    return course


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    """The same course graded serially by nbgrader and in parallel by genenorm-edu."""
    root = tmp_path_factory.mktemp("parity")
    course = _course_with_submissions(root)
    serial, parallel = root / "serial", root / "parallel"
    shutil.copytree(course, serial)
    shutil.copytree(course, parallel)
    runs = {
        "serial": nbgrader(serial, "autograde", LESSON),
        "parallel": genenorm_edu(parallel, "autograde", LESSON, "--jobs", "3"),
    }
    runs["serial-feedback"] = nbgrader(serial, "generate_feedback", LESSON)
    runs["parallel-feedback"] = genenorm_edu(parallel, "generate-feedback", LESSON, "--jobs", "2")
    return {"serial": serial, "parallel": parallel, "runs": runs}


def gradebook_rows(course: Path) -> dict:
    """Every gradebook row of the lesson's submissions, by names (ids are random)."""
    rows = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in gradebook.students:
            rows[("student", student.id)] = (student.first_name, student.last_name, student.email, student.lms_user_id)
        for submission in gradebook.assignment_submissions(LESSON):
            key = submission.student_id
            rows[("submission", key)] = (submission.timestamp, submission.extension)
            for notebook in submission.notebooks:
                rows[("notebook", key, notebook.name)] = (notebook.flagged, notebook.late_submission_penalty)
                for grade in notebook.grades:
                    rows[("grade", key, grade.name)] = (
                        grade.auto_score, grade.manual_score, grade.extra_credit, grade.needs_manual_grade
                    )  # fmt: skip
                for comment in notebook.comments:
                    rows[("comment", key, comment.name)] = (comment.auto_comment, comment.manual_comment)
    return rows


def _comparable(path: Path) -> nbformat.NotebookNode:
    """A notebook without what differs between two runs of the same kernel code.

    Wall-clock times go, and consecutive stream outputs are joined: how
    printed text is cut into messages depends on ipykernel's flush timer
    (two runs of ``nbgrader autograde`` differ there too). The lesson's own
    cells print timings and memory addresses, which differ from run to run:
    outside the answer and test cells only each output's kind (and an
    error's name) is kept. Cell ids go: nbgrader gives the cells it adds
    back to a damaged submission random ones.
    """
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.pop("id", None)  # cells added back to a damaged submission get random ids
        outputs = []
        for output in cell.get("outputs", []):
            previous = outputs[-1] if outputs else None
            if output.output_type == "stream" and previous is not None and previous.get("name") == output.name:
                previous.text += output.text
            else:
                outputs.append(output)
        grading = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and not (grading.get("grade") or grading.get("solution")):
            outputs = [(output.output_type, output.get("ename")) for output in outputs]
        if cell.cell_type == "code":
            cell.outputs = outputs
    return notebook


def _page_text(path: Path) -> str:
    """A feedback page's text, whitespace collapsed (see :func:`_comparable`).

    The lesson's cells print timings and memory addresses: those become
    ``<time>`` and ``<address>`` (the scores are compared by :func:`_scores`).
    """
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))).split())
    text = re.sub(r"0x[0-9a-f]+", "<address>", text)
    text = re.sub(r"\d+(\.\d+)? ?(ns|µs|us|ms|s)\b", "<time>", text)
    return re.sub(r"1/\d+ of Python's time", "<ratio>", text)


def _scores(path: Path) -> list[str]:
    """Every "Score: x / y" on a feedback page: the notebook's and each test cell's."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))
    return re.findall(r"Score:\s*[\d.]+\s*/\s*[\d.]+", text)


def _files(course: Path, directory: str) -> list[str]:
    return sorted(path.relative_to(course / directory).as_posix() for path in (course / directory).rglob("*") if path.is_file())


@pytest.mark.slow
def test_both_grade_the_damaged_submission_as_an_empty_notebook(graded):
    serial, parallel = graded["runs"]["serial"], graded["runs"]["parallel"]
    assert serial.returncode == 0, serial.stdout[-3000:] + serial.stderr[-3000:]
    assert parallel.returncode == 0, parallel.stdout[-3000:] + parallel.stderr[-3000:]
    for run in (serial, parallel):
        assert "not a notebook (not valid JSON). It was graded as an empty notebook." in run.stdout + run.stderr
    assert re.search(r"^not-json\s+done\s+0 / \d+", parallel.stdout, re.MULTILINE)
    assert "5 students: 5 done, 0 skipped, 0 FAILED" in parallel.stdout
    assert "database is locked" not in parallel.stdout + parallel.stderr


@pytest.mark.slow
def test_same_gradebook_rows_as_nbgrader(graded):
    serial, parallel = gradebook_rows(graded["serial"]), gradebook_rows(graded["parallel"])
    assert len(serial) > 20  # 5 students' submissions, grades and comments
    assert serial[("grade", "reference", "test_c_strides_hidden")][0] == 2.0
    assert serial[("submission", "submitted-late")][0] == datetime(2031, 5, 4, 12)
    assert parallel == serial


@pytest.mark.slow
def test_same_autograded_notebooks_as_nbgrader(graded):
    serial, parallel = graded["serial"], graded["parallel"]
    files = _files(serial, "autograded")
    assert len(files) >= 4 and files == _files(parallel, "autograded")
    for name in files:
        if name.endswith(".ipynb"):
            assert _comparable(parallel / "autograded" / name) == _comparable(serial / "autograded" / name), name


@pytest.mark.slow
def test_same_feedback_as_nbgrader(graded):
    assert graded["runs"]["serial-feedback"].returncode == 0
    assert graded["runs"]["parallel-feedback"].returncode == 0, graded["runs"]["parallel-feedback"].stderr
    files = _files(graded["serial"], "feedback")
    pages = [name for name in files if name.endswith(".html")]
    assert len(pages) == 5 and files == _files(graded["parallel"], "feedback")
    for name in pages:
        serial, parallel = graded["serial"] / "feedback" / name, graded["parallel"] / "feedback" / name
        assert len(_scores(serial)) > 1 and _scores(parallel) == _scores(serial), name
        assert _page_text(parallel) == _page_text(serial), name


@pytest.mark.slow
def test_graded_students_are_skipped_unless_forced(graded):
    course = graded["parallel"]
    skipped = genenorm_edu(course, "autograde", LESSON, "--student", "reference", "--student", "untouched")
    assert skipped.returncode == 0, skipped.stderr
    assert "2 students: 0 done, 2 skipped, 0 FAILED" in skipped.stdout
    before = gradebook_rows(course)
    forced = genenorm_edu(course, "autograde", LESSON, "--student", "reference", "--force", "--jobs", "1")
    assert forced.returncode == 0, forced.stderr
    assert re.search(rf"^reference\s+done\s+{_MAX_SCORE:g} / {_MAX_SCORE:g}", forced.stdout, re.MULTILINE)
    assert gradebook_rows(course) == before


@pytest.mark.slow
def test_unknown_student_and_ungenerated_assignment_are_named(graded):
    course = graded["parallel"]
    done = genenorm_edu(course, "autograde", LESSON, "--student", "nobody")
    assert done.returncode == 2 and "nobody" in done.stderr
    done = genenorm_edu(course, "autograde", "02-axes-and-broadcasting")
    assert done.returncode == 2 and "nbgrader generate_assignment 02-axes-and-broadcasting" in done.stderr


# --- the merge alone -------------------------------------------------------------

# nbgrader's own add_submission triggers this SQLAlchemy warning; it changes nothing.
_NBGRADER_SESSION_WARNING = "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"


@pytest.fixture(scope="module")
def empty_gradebook(tmp_path_factory) -> Path:
    """A gradebook with one assignment: a notebook with one answer cell and two test cells."""
    ensure_alembic_on_path()  # nbgrader runs `alembic` to create a gradebook (seconds)
    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    with Gradebook(f"sqlite:///{path}") as book:
        book.add_assignment("a1")
        book.add_notebook("nb", "a1")
        book.add_solution_cell("answer", "nb", "a1")
        book.add_source_cell("answer", "nb", "a1", cell_type="code")
        for name in ("test_visible", "test_hidden"):
            book.add_grade_cell(name, "nb", "a1", max_score=1, cell_type="code")
            book.add_source_cell(name, "nb", "a1", cell_type="code")
    return path


@pytest.fixture
def gradebook(empty_gradebook, tmp_path) -> str:
    shutil.copy(empty_gradebook, tmp_path / "gradebook.db")
    return f"sqlite:///{tmp_path / 'gradebook.db'}"


def _rows(student: str, visible: float, hidden: float | None) -> SubmissionRows:
    return SubmissionRows(
        assignment="a1",
        student=student,
        timestamp=datetime(2030, 1, 2, 3, 4, 5),
        late_penalties={"nb": 0.0},
        grades=(
            GradeRow("nb", "test_visible", visible, False),
            GradeRow("nb", "test_hidden", hidden, hidden is None),
        ),
        comments=(CommentRow("nb", "answer", "No response."),),
    )


@pytest.mark.filterwarnings(_NBGRADER_SESSION_WARNING)
def test_written_rows_read_back_the_same(gradebook):
    rows = _rows("ada", 1.0, None)
    with Gradebook(gradebook) as book:
        write_submission_rows(book, rows)
    with Gradebook(gradebook) as book:
        assert read_submission_rows(book, "a1", "ada") == rows
        assert book.find_submission("a1", "ada").score == 1.0


@pytest.mark.filterwarnings(_NBGRADER_SESSION_WARNING)
def test_writing_rows_again_updates_the_scores_and_keeps_manual_ones(gradebook):
    with Gradebook(gradebook) as book:
        write_submission_rows(book, _rows("ada", 0.0, 0.0))
        book.find_grade("test_hidden", "nb", "a1", "ada").manual_score = 0.5
        book.db.commit()
        write_submission_rows(book, _rows("ada", 1.0, 1.0))
    with Gradebook(gradebook) as book:
        grade = book.find_grade("test_hidden", "nb", "a1", "ada")
        assert (grade.auto_score, grade.manual_score) == (1.0, 0.5)
        assert read_submission_rows(book, "a1", "nobody") is None


# --- a worker that dies ----------------------------------------------------------


def _no_setup(*args) -> None:
    """Stands in for the worker's nbgrader set-up."""


def _grade_or_die(assignment: str, student: str, force: bool) -> StudentOutcome:
    """Stands in for grading: "flaky" kills its worker once, "doomed" every time."""
    marker = Path(os.environ["MARKERS"]) / student
    if student == "doomed" or (student == "flaky" and not marker.exists()):
        marker.touch()
        os._exit(1)  # the worker process dies (as if killed for memory)
    return StudentOutcome(student, "done", 0.1)


@pytest.mark.skipif(sys.platform != "linux", reason="the stand-ins reach workers by fork")
def test_a_dead_worker_costs_a_retry_and_then_only_its_student(monkeypatch, tmp_path):
    monkeypatch.setenv("MARKERS", str(tmp_path))
    monkeypatch.setattr(parallel, "_start_worker", _no_setup)
    monkeypatch.setattr(parallel, "_run_one", _grade_or_die)
    students = ("ada", "flaky", "doomed", "zoe")
    run = parallel.StepRun("autograde", "a1", students, jobs=2)
    outcomes = parallel.run_students(run, gradebook=tmp_path / "gradebook.db", root=tmp_path, progress=False)
    assert [outcome.student for outcome in outcomes] == list(students)
    assert {outcome.student: outcome.status for outcome in outcomes} == {
        "ada": "done", "flaky": "done", "doomed": "failed", "zoe": "done"
    }  # fmt: skip
    assert "not the submission" in outcomes[2].error


def _grade_slowly_or_die(assignment: str, student: str, force: bool) -> StudentOutcome:
    """Stands in for grading: students named "doomed..." kill their worker every time; the others take a while."""
    if student.startswith("doomed"):
        os._exit(1)
    time.sleep(0.2)
    return StudentOutcome(student, "done", 0.2)


@pytest.mark.skipif(sys.platform != "linux", reason="the stand-ins reach workers by fork")
def test_students_pending_while_others_kill_workers_are_graded_not_failed(monkeypatch, tmp_path):
    """Every breakdown cuts off the innocent students pending with the culprit; they are graded alone, not failed."""
    monkeypatch.setattr(parallel, "_start_worker", _no_setup)
    monkeypatch.setattr(parallel, "_run_one", _grade_slowly_or_die)
    students = ("ada", "doomed-1", "bo", "cy", "doomed-2", "di", "ed")
    run = parallel.StepRun("autograde", "a1", students, jobs=2)
    outcomes = parallel.run_students(run, gradebook=tmp_path / "gradebook.db", root=tmp_path, progress=False)
    assert [outcome.student for outcome in outcomes] == list(students)
    statuses = {outcome.student: outcome.status for outcome in outcomes}
    assert statuses == {student: "failed" if student.startswith("doomed") else "done" for student in students}
    assert all("alone" in outcome.error for outcome in outcomes if outcome.status == "failed")

"""``genenorm-edu report`` on a class graded by the real nbgrader pipeline.

Lesson 3 (its exercises recognize named mistakes) is released in a temporary
course; six submissions built from the catalog (correct, untouched, two
wrong qnorm answers the spec recognizes, one that kills its kernel and ends
the runner, one that loops past the cell time limit) are graded by
``genenorm-edu autograde --jobs 2`` (each worker writes its own students'
records); then one student is added to the gradebook without a submission
and one submission arrives after grading. The report must count exactly what
those submissions are: who has full marks, which mistake each wrong answer
makes, which cases failed how often, each student's flags, who is missing and
who is not graded yet.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from catalog.answers import WRONG
from catalog.submissions import KILLS_KERNEL, Context, Submission, answer, build, insert_cell
from course_copies import REPO_ROOT

from genenorm_edu.exercises import LESSONS, exercise
from genenorm_edu.grading.class_record import (
    KERNEL_RESTARTED,
    RECORDS_FOLDER,
    SANDBOX_REFUSAL,
    TIME_LIMIT,
    UNGRADED,
    mistake_id,
)
from genenorm_edu.grading.hidden import hidden_cases
from genenorm_edu.grading.report.aggregate import GRADED, MISSING, PARTLY_GRADED, SUBMITTED, class_report
from genenorm_edu.grading.report.gradebook import read_scores
from genenorm_edu.grading.report.records import read_records

pytestmark = pytest.mark.slow

LESSON = "03-fancy-indexing"
NOTEBOOK = f"{LESSON}.ipynb"
QNORM_MISTAKES = [mistake.explanation for mistake in exercise("qnorm").mistakes]
#: The catalog's wrong qnorm answers and the spec mistake each one is.
SORTED = 1 + next(i for i, text in enumerate(QNORM_MISTAKES) if text.startswith("you returned the sorted columns"))
NO_TIES = 1 + next(i for i, text in enumerate(QNORM_MISTAKES) if text.startswith("tied values got different targets"))

TOP_GENES_EXITS = """
import os

def top_genes(x, k):
    os._exit(3)
"""

#: The cell time limit of this run (lesson 3's cells take well under a second when graded).
CELL_SECONDS = "6"

SUBMISSIONS = (
    Submission("reference", "correct", "solved"),
    Submission("untouched", "no work", "untouched"),
    Submission("sorted-columns", "wrong", "solved", (answer("qnorm", WRONG["qnorm"]["returns the sorted columns"][0]),)),
    Submission("ignores-ties", "wrong", "solved", (answer("qnorm", WRONG["qnorm"]["ignores ties"][0]),)),
    # Kills its kernel after qnorm's answer; its top_genes ends the process that calls it.
    Submission(
        "kills-things",
        "hostile",
        "solved",
        (insert_cell("qnorm", KILLS_KERNEL), answer("top_genes", TOP_GENES_EXITS)),
    ),
    # Solved, with a cell that loops past the cell time limit (CELL_SECONDS).
    Submission("loops", "hostile", "solved", (insert_cell("qnorm", "while True:\n    pass"),)),
)


def _environment() -> dict[str, str]:
    from genenorm_edu.data import DATA_DIR_ENV, data_dir

    environment = dict(os.environ)
    environment["PATH"] = str(Path(sys.executable).parent) + os.pathsep + environment.get("PATH", "")
    environment[DATA_DIR_ENV] = str(data_dir())
    environment["MPLBACKEND"] = "Agg"
    return environment


def _run(course: Path, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(command), cwd=course, env=_environment(), capture_output=True, text=True, timeout=900)


def _submit(course: Path, release, context: Context, submission: Submission) -> None:
    target = course / "submitted" / submission.student / LESSON / NOTEBOOK
    target.parent.mkdir(parents=True)
    target.write_text(submission.file_text(build(release, submission, context)), encoding="utf-8")


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> dict:
    """The class graded, one student missing, one submission not graded yet, the report written."""
    course = tmp_path_factory.mktemp("report") / "course"
    (course / "solutions").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", course)
    shutil.copytree(REPO_ROOT / "solutions" / LESSON, course / "solutions" / LESSON)
    nbgrader = (sys.executable, "-m", "nbgrader")
    done = _run(course, *nbgrader, "generate_assignment", LESSON, "--force")
    assert done.returncode == 0, done.stderr[-3000:]
    release = nbformat.read(course / "notebooks" / LESSON / NOTEBOOK, as_version=4)
    solution = nbformat.read(course / "solutions" / LESSON / NOTEBOOK, as_version=4)
    context = Context(course=course, assignment=LESSON, solution=solution)
    for submission in SUBMISSIONS:
        _submit(course, release, context, submission)
    graded = _run(course, sys.executable, "-m", "genenorm_edu.cli", "autograde", LESSON, "--jobs", "2", f"--Execute.timeout={CELL_SECONDS}")
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
    added = _run(course, *nbgrader, "db", "student", "add", "ghost")
    assert added.returncode == 0, added.stderr[-3000:]
    _submit(course, release, context, Submission("late-comer", "correct", "solved"))
    report = _run(course, sys.executable, "-m", "genenorm_edu.cli", "report", LESSON)
    return {"course": course, "report": report}


def test_the_report_command_writes_the_page_and_the_table(course):
    done = course["report"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{LESSON}: partly graded, 6 of 8 students graded" in done.stdout
    page = (course["course"] / "class_report" / f"{LESSON}.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == len(LESSONS[LESSON]) + 1  # one per exercise, timings
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_every_graded_student_has_one_record_per_notebook(course):
    folder = course["course"] / RECORDS_FOLDER / LESSON
    found = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.json"))
    assert found == sorted(f"{s.student}/{LESSON}.json" for s in SUBMISSIONS)
    for path in folder.rglob("*.json"):
        record = json.loads(path.read_text())
        for name, item in record["exercises"].items():
            assert [case["label"] for case in item["visible"]] == [case.label for case in exercise(name).visible]
            assert [case["label"] for case in item["hidden"]] == [case.label for case in hidden_cases(name)]


def test_the_report_counts_exactly_what_the_class_did(course):
    root = course["course"]
    report = class_report(read_scores(f"sqlite:///{root / 'gradebook.db'}", LESSON, root), read_records(root, LESSON))
    assert report.state == PARTLY_GRADED
    assert sorted(report.students_in(GRADED)) == sorted(s.student for s in SUBMISSIONS)
    assert report.students_in(MISSING) == ("ghost",)
    assert report.students_in(SUBMITTED) == ("late-comer",)
    rows = {row.student: row for row in report.students}
    assert rows["late-comer"].flags == (UNGRADED,)
    exercises = {item.name: item for item in report.exercises}
    assert set(exercises) == set(LESSONS[LESSON])
    qnorm = exercises["qnorm"]
    assert qnorm.full_marks == 3 and len(qnorm.scores) == 6  # reference, kills-things, loops
    assert {m.id: m.students for m in qnorm.mistakes} == {mistake_id("qnorm", SORTED): 1, mistake_id("qnorm", NO_TIES): 1}
    assert {m.explanation for m in qnorm.mistakes} == {QNORM_MISTAKES[SORTED - 1], QNORM_MISTAKES[NO_TIES - 1]}
    top_genes = exercises["top_genes"]
    assert top_genes.full_marks == 4 and [case.failed for case in top_genes.cases] == [2] * len(top_genes.cases)
    for name, item in exercises.items():
        if name not in ("qnorm", "top_genes"):  # all solved but the untouched one
            assert item.full_marks == 5, name
            assert [case.failed for case in item.cases] == [1] * len(item.cases), name
        if name != "qnorm":
            assert not item.mistakes, name
        # The untouched notebook fails every case; at most the wrong answers add to that.
        assert all(case.failed >= 1 and case.run == 6 for case in item.cases), name
    assert max(case.failed for case in qnorm.cases) >= 3  # untouched and both wrong answers
    assert len(report.seconds) == 6 and all(seconds > 0 for seconds in report.seconds)
    assert rows["kills-things"].flags == (KERNEL_RESTARTED, SANDBOX_REFUSAL)
    assert rows["loops"].flags == (TIME_LIMIT,)
    assert all(rows[s.student].flags == () for s in SUBMISSIONS if s.student not in ("kills-things", "loops"))
    assert rows["untouched"].total == 0 and rows["reference"].total == rows["reference"].max_total


def test_the_csv_has_one_row_per_student_with_the_gradebook_scores(course):
    root = course["course"]
    with open(root / "class_report" / f"{LESSON}.csv", newline="") as file:
        rows = {row["student"]: row for row in csv.DictReader(file)}
    assert set(rows) == {s.student for s in SUBMISSIONS} | {"ghost", "late-comer"}
    assert rows["kills-things"]["flags"] == f"{KERNEL_RESTARTED};{SANDBOX_REFUSAL}"
    assert rows["ghost"]["state"] == MISSING and rows["ghost"]["total"] == ""
    assert rows["late-comer"]["flags"] == UNGRADED
    assert rows["reference"]["total"] == rows["reference"]["max_total"]
    assert rows["untouched"]["total"] == "0"
    assert all(rows["sorted-columns"][name] == rows["reference"][name] for name in LESSONS[LESSON] if name != "qnorm")


def test_an_unknown_assignment_is_a_usage_error_and_all_reports_every_assignment(course):
    root = course["course"]
    unknown = _run(root, sys.executable, "-m", "genenorm_edu.cli", "report", "no-such-lesson")
    assert unknown.returncode == 2  # as genenorm-edu autograde's
    assert unknown.stderr.strip() == (
        f"genenorm-edu report: error: 'no-such-lesson' is not in the gradebook {root / 'gradebook.db'} (it has: {LESSON})"
    )
    damaged = root / RECORDS_FOLDER / LESSON / "untouched" / f"{LESSON}.json"
    good = damaged.read_bytes()
    try:
        damaged.write_text("{")
        bad = _run(root, sys.executable, "-m", "genenorm_edu.cli", "report", LESSON)
    finally:
        damaged.write_bytes(good)
    assert bad.returncode == 1 and str(damaged) in bad.stderr and bad.stderr.startswith("genenorm-edu report: error: ")
    every = _run(root, sys.executable, "-m", "genenorm_edu.cli", "report", "--all", "--out", "elsewhere")
    assert every.returncode == 0, every.stderr
    assert (root / "elsewhere" / f"{LESSON}.html").is_file()
    index = (root / "elsewhere" / "index.html").read_text()
    assert f'<a href="{LESSON}.html">{LESSON}</a></td><td>partly graded</td>' in index


def test_a_regrade_replaces_that_students_record_only(course):
    """Runs last: the untouched student hands in the solved notebook and is regraded with --force."""
    root = course["course"]
    folder = root / RECORDS_FOLDER / LESSON
    others = {path: path.read_bytes() for path in folder.rglob("*.json") if path.parent.name != "untouched"}
    release = nbformat.read(root / "notebooks" / LESSON / NOTEBOOK, as_version=4)
    solution = nbformat.read(root / "solutions" / LESSON / NOTEBOOK, as_version=4)
    shutil.rmtree(root / "submitted" / "untouched")
    _submit(root, release, Context(course=root, assignment=LESSON, solution=solution), Submission("untouched", "correct", "solved"))
    done = _run(root, sys.executable, "-m", "genenorm_edu.cli", "autograde", LESSON, "--force", "--student", "untouched")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert {path: path.read_bytes() for path in others} == others
    record = json.loads((folder / "untouched" / f"{LESSON}.json").read_text())
    assert record["score"] == record["max_score"] > 0
    assert all(case["passed"] for item in record["exercises"].values() for case in item["visible"] + item["hidden"])
    report = class_report(read_scores(f"sqlite:///{root / 'gradebook.db'}", LESSON, root), read_records(root, LESSON))
    assert next(row for row in report.students if row.student == "untouched").total == record["max_score"]

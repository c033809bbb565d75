"""A term of a graded class, run from the README guides' own commands.

An instructor (a copy of the course, as a clone has it) and two students
(alice and bob, each with a copy of the student bundle in their own folder
and their own home) run the ``<!-- round-trip: NAME -->`` blocks of
README.md and of the student copy's README.md, in order, with bash:

instructor-setup, instructor-bundle, instructor-release
    set up, write the student copy, record lesson 2 in the gradebook and
    release it to the exchange;
student-fetch, (work), student-submit
    each student fetches lesson 2, answers (alice all three exercises, bob
    one: the only step the test does itself), checks and submits;
instructor-grade
    collect, autograde in parallel, feedback, release it, export grades.csv;
student-feedback
    each student fetches their feedback page.

A new terminal runs instructor-setup again before each instructor block
(``source .venv/bin/activate``). The only departure from the guides: the
student copies' ``make setup`` (a pip install of what this test run already
has) is replaced by :func:`course_copies.student_environment`.
"""

from __future__ import annotations

import csv
import html
import re
import shutil

import nbformat
import pytest
from course_copies import (
    REPO_ROOT,
    grade_cell_points,
    instructor_course,
    readme_blocks,
    run_block,
    shell_environment,
    student_environment,
)
from catalog.submissions import Context, answer, solve

pytestmark = pytest.mark.slow

LESSON = "02-axes-and-broadcasting"
NOTEBOOK = f"{LESSON}.ipynb"
STUDENTS = ("alice", "bob")


def _work(student: str, notebook_path) -> None:
    """What the student writes: alice answers everything, bob only closest_to."""
    solution = nbformat.read(REPO_ROOT / "solutions" / LESSON / NOTEBOOK, as_version=4)
    notebook = nbformat.read(notebook_path, as_version=4)
    context = Context(course=REPO_ROOT, assignment=LESSON, solution=solution)
    if student == "alice":
        solve(notebook, context)
    else:
        source = next(cell.source for cell in solution.cells if cell.get("id") == "closest_to")
        answer("closest_to", source)(notebook, context)
    nbformat.write(notebook, notebook_path)


@pytest.fixture(scope="module")
def term(tmp_path_factory) -> dict:
    """Run the whole term; return every command's output and the folders."""
    root = tmp_path_factory.mktemp("term")
    course = instructor_course(root / "course")
    instructor_env = shell_environment(home=root / "instructor-home")
    blocks = readme_blocks(course / "README.md")
    outputs: dict[str, str] = {}

    def instructor(name: str) -> None:
        setup = blocks["instructor-setup"] if name != "instructor-setup" else ""
        outputs[name] = run_block(f"{setup}\n{blocks[name]}", course, instructor_env)

    instructor("instructor-setup")
    instructor("instructor-bundle")
    instructor("instructor-release")

    bundle = root / "genenorm-edu-student"  # where the README's command writes it
    student_blocks = readme_blocks(bundle / "README.md")
    folders = {}
    for student in STUDENTS:
        home = root / student
        folder = home / bundle.name
        shutil.copytree(bundle, folder)  # the student gets the folder
        student_environment(folder)
        folders[student] = folder
        env = shell_environment(home=home, STUDENT=student)
        outputs[f"{student}-fetch"] = run_block(student_blocks["student-fetch"], folder, env)
        _work(student, folder / "notebooks" / LESSON / NOTEBOOK)
        outputs[f"{student}-submit"] = run_block(student_blocks["student-submit"], folder, env)

    instructor("instructor-grade")

    for student in STUDENTS:
        env = shell_environment(home=root / student, STUDENT=student)
        outputs[f"{student}-feedback"] = run_block(student_blocks["student-feedback"], folders[student], env)
    return {"course": course, "bundle": bundle, "students": folders, "outputs": outputs, "blocks": blocks}


def test_the_guides_have_every_step(term):
    assert {"instructor-setup", "instructor-bundle", "instructor-release", "instructor-grade"} <= set(term["blocks"])
    assert "nbgrader collect" in term["blocks"]["instructor-grade"]


# alice answers every exercise; bob only closest_to (its visible and hidden tests).
_POINTS = grade_cell_points(nbformat.read(REPO_ROOT / "solutions" / LESSON / NOTEBOOK, as_version=4))
_MAX_SCORE = sum(_POINTS.values())
EXPECTED_SCORES = {
    "alice": (_MAX_SCORE, _MAX_SCORE),
    "bob": (sum(points for name, points in _POINTS.items() if name.startswith("test_closest_to_")), _MAX_SCORE),
}


def test_grades_csv_has_each_students_score(term):
    with open(term["course"] / "grades.csv", newline="") as file:
        rows = [row for row in csv.DictReader(file) if row["assignment"] == LESSON]
    scores = {row["student_id"]: (float(row["score"]), float(row["max_score"])) for row in rows}
    assert 0 < EXPECTED_SCORES["bob"][0] < EXPECTED_SCORES["bob"][1]
    assert scores == EXPECTED_SCORES


def test_students_fetched_their_lesson_and_checked_it(term):
    for student in STUDENTS:
        assert f"Fetched as: genenorm-edu {LESSON}" in term["outputs"][f"{student}-fetch"]
    assert "Success! Your notebook passes all the tests." in term["outputs"]["alice-submit"]
    assert "VALIDATION FAILED" in term["outputs"]["bob-submit"]


def test_each_student_gets_their_own_feedback_page(term):
    for student, folder in term["students"].items():
        pages = sorted((folder / "notebooks" / LESSON / "feedback").glob(f"*/{LESSON}.html"))
        assert len(pages) == 1, f"{student}: {pages}"
        text = html.unescape(re.sub(r"<[^>]+>", " ", pages[0].read_text(encoding="utf-8")))
        score, max_score = EXPECTED_SCORES[student]
        expected = f"{score:.1f} / {max_score:.1f}"
        assert re.search(rf"Score:\s*{re.escape(expected)}", text), f"{student}: no score {expected}"


def test_no_command_misses_its_nbgrader_config(term):
    for name, output in term["outputs"].items():
        assert "No nbgrader_config.py" not in output, name


def test_autograde_reports_every_student(term):
    output = term["outputs"]["instructor-grade"]
    table = output[output.index("student  result") :]
    for student, (score, max_score) in EXPECTED_SCORES.items():
        assert re.search(rf"^{student}\s+done\s+{score:g} / {max_score:g}", table, re.MULTILINE), student
    assert "2 students: 2 done, 0 skipped, 0 FAILED" in table

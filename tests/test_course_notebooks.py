"""The course notebooks: layout, nbgrader metadata, release contents."""

from __future__ import annotations

import json

import nbformat
import pytest

from genenorm_edu.course import ASSIGNMENTS, REPO_ROOT
from genenorm_edu.exercises import LESSONS
from genenorm_edu.grading.release import stale_notebooks, strip_notebook

#: Autograded answer cells (grade ids) each assignment must have.
EXERCISES = LESSONS


def _read(kind: str, assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(REPO_ROOT / kind / assignment / f"{assignment}.ipynb", as_version=4)


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
@pytest.mark.parametrize("kind", ["solutions", "notebooks"])
def test_notebook_is_valid_and_stored_without_outputs(kind, assignment):
    path = REPO_ROOT / kind / assignment / f"{assignment}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert path.read_text(encoding="utf-8") == nbformat.writes(strip_notebook(notebook)) + "\n"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_exercise_has_an_answer_cell_defining_that_function(assignment):
    notebook = _read("solutions", assignment)
    answers = {
        _nbgrader(c)["grade_id"]: c.source
        for c in notebook.cells
        if _nbgrader(c).get("solution") and not _nbgrader(c).get("grade")
    }
    assert sorted(answers) == sorted(EXERCISES[assignment])
    for name, source in answers.items():
        assert source.startswith(f"def {name}("), name
        assert source.count("\ndef ") == 0, f"{name}: one function per answer cell"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_exercise_has_locked_visible_and_hidden_tests_with_points(assignment):
    notebook = _read("solutions", assignment)
    tests = {_nbgrader(c)["grade_id"]: c for c in notebook.cells if _nbgrader(c).get("grade")}
    for name in EXERCISES[assignment]:
        visible, hidden = tests[f"test_{name}_visible"], tests[f"test_{name}_hidden"]
        for cell in (visible, hidden):
            assert _nbgrader(cell)["locked"] and _nbgrader(cell)["points"] > 0
        # The grader decides both cells out of the kernel's reach, from the
        # exercise's cases (genenorm_edu.exercises, genenorm_edu.grading.hidden):
        # the cells only run the same checks for the student and the instructor.
        assert visible.source == f'check_exercise("{name}", {name})'
        hidden_code = hidden.source.split("### BEGIN HIDDEN TESTS\n")[1]
        assert hidden_code == f'check_exercise("{name}", {name}, hidden=True)\n### END HIDDEN TESTS'


def _solution_lines(solution: nbformat.NotebookNode) -> list[str]:
    """Lines of solutions and hidden tests that the lesson text does not show anyway."""
    lines, public = [], set()
    for cell in solution.cells:
        region = None
        for line in cell.source.splitlines():
            if "### BEGIN SOLUTION" in line or "### BEGIN HIDDEN TESTS" in line:
                region = True
            elif "### END SOLUTION" in line or "### END HIDDEN TESTS" in line:
                region = None
            elif region and len(line.strip()) > 10:
                lines.append(line.strip())
            elif not region:
                public.add(line.strip())
    return [line for line in lines if line not in public]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_contains_no_solution_and_no_hidden_test_code(assignment):
    released = json.dumps(_read("notebooks", assignment))
    secret_lines = _solution_lines(_read("solutions", assignment))
    assert secret_lines, "the instructor notebook should have solutions and hidden tests"
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in released
    release = _read("notebooks", assignment)
    release_lines = {line.strip() for cell in release.cells for line in cell.source.splitlines()}
    assert [line for line in secret_lines if line in release_lines] == []
    for name in EXERCISES[assignment]:
        answer = next(c for c in release.cells if _nbgrader(c).get("grade_id") == name)
        assert "raise NotImplementedError()" in answer.source


@pytest.mark.slow
def test_notebooks_directory_equals_a_fresh_release():
    """notebooks/ is exactly what nbgrader generate_assignment makes, stripped."""
    assert stale_notebooks(REPO_ROOT / "solutions", REPO_ROOT / "notebooks") == []

"""The course notebooks: layout, nbgrader metadata, release contents."""

from __future__ import annotations

import ast
import json
import re

import nbformat
import pytest

from genenorm_edu.course import ASSIGNMENTS, REPO_ROOT
from genenorm_edu.exercises import LESSONS
from genenorm_edu.grading.cells import DEMONSTRATION_TAG, is_demonstration
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


# --- what a student sees: figures, dependencies, a clean run ---------------------------

#: Code that draws a figure.
_DRAWS = re.compile(r"plot_col_density\(|draw_memory\(|plt\.subplots\(|sns\.\w+plot\(")
#: The one-line note of a cell that needs an earlier exercise's function.
DEPENDENCY_NOTE = "# Uses your "


def _ends_with_memory_picture(source: str) -> bool:
    last = ast.parse(source).body[-1]
    return (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and getattr(last.value.func, "id", "") == "draw_memory"
    )


def _next_cell(cells, index):
    return next((cell for cell in cells[index + 1:]), None)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_figure_has_alternative_text(assignment):
    """A figure is followed by a Markdown description, or is a memory picture whose text shows under it."""
    cells = _read("solutions", assignment).cells
    for index, cell in enumerate(cells):
        if cell.cell_type != "code" or not _DRAWS.search(cell.source):
            continue
        if _ends_with_memory_picture(cell.source):
            continue  # its MemoryPicture's repr, the description, is the cell's output
        following = _next_cell(cells, index)
        assert following is not None and following.cell_type == "markdown", cell.source[:80]
        assert following.source.startswith("**Figure.**"), cell.source[:80]


def _exercise_cell_ids(assignment: str) -> set[str]:
    names = EXERCISES[assignment]
    return {*names, *(f"test_{name}_visible" for name in names), *(f"test_{name}_hidden" for name in names)}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_cells_calling_an_exercise_function_carry_a_note(assignment):
    cells = _read("solutions", assignment).cells
    own_cells = _exercise_cell_ids(assignment)
    for cell in cells:
        if cell.cell_type != "code" or _nbgrader(cell).get("grade_id") in own_cells:
            continue
        called = [name for name in EXERCISES[assignment] if re.search(rf"\b{name}\(", cell.source)]
        if called:
            assert cell.source.startswith(DEPENDENCY_NOTE), (called, cell.source[:80])
            assert all(name in cell.source.splitlines()[0] for name in called), cell.source[:80]


def _execute(notebook: nbformat.NotebookNode, workdir, allow_errors: bool) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", allow_errors=allow_errors,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()
    return notebook


def _errors(notebook: nbformat.NotebookNode) -> list[tuple[nbformat.NotebookNode, dict]]:
    return [
        (cell, output)
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_notebook_runs_clean_top_to_bottom(assignment, synthetic_data_dir, monkeypatch, tmp_path):
    """Restart and Run All of the instructor notebook, outside the grader (full plots and timings)."""
    monkeypatch.setenv("GENENORM_EDU_DATA_DIR", str(synthetic_data_dir))
    monkeypatch.delenv("GENENORM_EDU_GRADING", raising=False)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    notebook = _execute(_read("solutions", assignment), tmp_path, allow_errors=False)
    assert _errors(notebook) == []
    images = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, "no figure was displayed"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_demonstrations_are_plain_code_cells_after_the_set_up(assignment):
    """The grader skips cells tagged as demonstrations: never an answer, a test or the imports."""
    code = [cell for cell in _read("solutions", assignment).cells if cell.cell_type == "code"]
    tagged = [cell for cell in code if DEMONSTRATION_TAG in cell.metadata.get("tags", [])]
    assert tagged, "a lesson without timings, pictures or plots?"
    assert all(is_demonstration(cell) for cell in tagged)
    assert not is_demonstration(code[0])


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_notebook_runs_clean_without_its_demonstrations(
    assignment, synthetic_data_dir, monkeypatch, tmp_path
):
    """As the grader runs it: no cell needs a name that only a demonstration defines."""
    monkeypatch.setenv("GENENORM_EDU_DATA_DIR", str(synthetic_data_dir))
    monkeypatch.setenv("GENENORM_EDU_GRADING", "1")
    notebook = _read("solutions", assignment)
    notebook.cells = [cell for cell in notebook.cells if not is_demonstration(cell)]
    assert _errors(_execute(notebook, tmp_path, allow_errors=True)) == []


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_notebook_fails_only_at_unanswered_exercises(assignment, synthetic_data_dir, monkeypatch, tmp_path):
    """Run as released: only the exercises' visible tests and cells noted as needing them fail."""
    monkeypatch.setenv("GENENORM_EDU_DATA_DIR", str(synthetic_data_dir))
    monkeypatch.setenv("GENENORM_EDU_GRADING", "1")  # quick plots and timings: only errors matter here
    notebook = _execute(_read("notebooks", assignment), tmp_path, allow_errors=True)
    failed_tests = set()
    for cell, output in _errors(notebook):
        grade_id = _nbgrader(cell).get("grade_id", "")
        if grade_id.endswith("_visible"):
            assert "is not written yet" in output["evalue"], output["evalue"]
            failed_tests.add(grade_id)
        else:
            assert cell.source.startswith(DEPENDENCY_NOTE), (cell.source[:80], output["ename"])
    assert failed_tests == {f"test_{name}_visible" for name in EXERCISES[assignment]}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_solution_answer_cell_passes_on_its_own(assignment):
    """As the grader runs it: the answer cell alone, with only the exercise's modules."""
    import importlib

    from genenorm_edu.exercises import EXERCISES as BY_NAME
    from genenorm_edu.exercises import run_case
    from genenorm_edu.exercises.spec import judge
    from genenorm_edu.grading.hidden import hidden_cases

    for cell in _read("solutions", assignment).cells:
        name = _nbgrader(cell).get("grade_id")
        if name not in EXERCISES[assignment]:
            continue
        item = BY_NAME[name]
        namespace = {"__name__": "__main__"}
        namespace.update({alias: importlib.import_module(module) for alias, module in item.modules.items()})
        exec(compile(cell.source, f"<answer {name}>", "exec"), namespace)  # noqa: S102 -- our notebook
        for case in (*item.visible, *hidden_cases(name)):
            verdict = judge(item, case, run_case(namespace[name], case), case.expected)
            assert verdict.passed, (name, verdict.message)

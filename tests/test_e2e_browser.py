"""End to end: the course in JupyterLab, in a real browser (Chromium).

Everything else in the suite runs notebooks headless through nbclient; these
tests take the path students and instructors take. One JupyterLab server,
started on a copy of the course, serves all tests of this module:

* a student opens the broadcasting lesson from ``notebooks/`` and runs all
  cells: only the visible tests of the unanswered exercises fail (saying so),
  and the cells noted as using them; the density plot appears as an image and
  the kernel ends idle;
* the instructor's solution notebook from ``solutions/`` runs without any
  error, so its visible (and hidden) tests pass;
* the instructor opens nbgrader's Formgrader from JupyterLab's menu and sees
  the course's assignments.

Screenshots land in ``test-artifacts/e2e/`` (git-ignored), together with the
server log. Run these tests alone with ``pytest -m e2e``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from e2e_support import (
    ARTIFACT_DIR,
    REPO_ROOT,
    JupyterLabServer,
    NotebookPage,
    copy_course,
    launch_chromium,
)
from genenorm_edu.exercises import LESSONS

pytestmark = pytest.mark.e2e

LESSON = "02-axes-and-broadcasting"
STUDENT_NOTEBOOK = f"notebooks/{LESSON}/{LESSON}.ipynb"
SOLUTION_NOTEBOOK = f"solutions/{LESSON}/{LESSON}.ipynb"
#: nbgrader grade_ids of the lesson's answer cells.
LESSON_EXERCISES = LESSONS[LESSON]
#: How a visible test says that its exercise is not answered yet.
NOT_WRITTEN = "is not written yet"
#: The first line of a cell that needs an earlier exercise (it fails until that is answered).
DEPENDENCY_NOTE = "# Uses your "
#: What a student may see failing in an unanswered lesson: visible tests (their
#: message) and cells that call an unanswered function, or use what it made.
STUDENT_ERRORS = ("Mismatch", "NotImplementedError", "NameError")
#: Every plot in the lessons goes through this function of the library.
DENSITY_PLOT_CALL = "plot_col_density("

SERVER_START_TIMEOUT_S = 120
RUN_ALL_TIMEOUT_MS = 180_000
KERNEL_IDLE_TIMEOUT_S = 30
PAGE_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def course_root(tmp_path_factory):
    """A throw-away copy of the course: checkpoints and gradebook go there."""
    return copy_course(REPO_ROOT, tmp_path_factory.mktemp("e2e-course"))


@pytest.fixture(scope="module")
def jupyter_server(course_root, tmp_path_factory, chromium_executable):
    server = JupyterLabServer(
        root_dir=course_root,
        state_dir=tmp_path_factory.mktemp("e2e-jupyter-state"),
        log_path=ARTIFACT_DIR / "jupyter-server.log",
        extra_env={
            "GENENORM_EDU_DATA_DIR": str(tmp_path_factory.mktemp("e2e-data")),
        },
    )
    try:
        server.start(timeout=SERVER_START_TIMEOUT_S)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(chromium_executable):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium_executable)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def lab_page(browser, request):
    """A fresh browser page; its last state is saved as a screenshot."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    console_errors: list[str] = []
    page.on(
        "console",
        lambda message: console_errors.append(message.text)
        if message.type == "error"
        else None,
    )
    try:
        yield page
    finally:
        ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"\W+", "-", request.node.name).strip("-")
        try:
            page.screenshot(path=str(ARTIFACT_DIR / f"last-{name}.png"))
        finally:
            if console_errors:
                (ARTIFACT_DIR / f"console-errors-{name}.txt").write_text(
                    "\n".join(console_errors) + "\n"
                )
            context.close()


def _shut_down_kernels(server: JupyterLabServer) -> None:
    """Free the 2-core CI machine from kernels of finished tests."""
    for kernel in server.api("kernels"):
        server.api(f"kernels/{kernel['id']}", method="DELETE")


def test_student_runs_broadcasting_lesson(jupyter_server, lab_page):
    notebook = NotebookPage(lab_page, jupyter_server, STUDENT_NOTEBOOK)
    notebook.open(timeout_ms=PAGE_TIMEOUT_MS)
    notebook.screenshot("01-student-lesson-opened")

    cells = notebook.run_all_like_a_student(
        allowed_errors=STUDENT_ERRORS, timeout_ms=RUN_ALL_TIMEOUT_MS
    )
    code_cells = [cell for cell in cells if cell.is_code]

    # The server, too, sees the kernel go idle (raises TimeoutError otherwise).
    jupyter_server.wait_for_idle_kernels(timeout=KERNEL_IDLE_TIMEOUT_S)

    visible_tests = {f"test_{name}_visible" for name in LESSON_EXERCISES}
    unexpected = [
        (cell.describe(), cell.errors)
        for cell in code_cells
        if cell.errors
        and not (cell.grade_id in visible_tests and all(NOT_WRITTEN in e["evalue"] for e in cell.errors))
        and not (cell.source.startswith(DEPENDENCY_NOTE) and set(cell.error_names) <= set(STUDENT_ERRORS))
    ]
    assert not unexpected, f"errors other than unanswered exercises: {unexpected}"

    not_run = [cell.describe() for cell in code_cells if cell.execution_count is None]
    assert not not_run, f"cells without an execution count: {not_run}"

    unanswered = [cell for cell in code_cells if cell.grade_id in visible_tests and cell.errors]
    assert {cell.grade_id for cell in unanswered} == visible_tests
    hidden = [cell.describe() for cell in unanswered if not any(
        NOT_WRITTEN in text for text in cell.shown_stderr
    )]
    assert not hidden, f"the unanswered-exercise message is not shown on the page in {hidden}"
    notebook.scroll_to_cell(unanswered[0].index)
    notebook.screenshot("02-student-unanswered-exercise")

    density_cells = [cell for cell in code_cells if DENSITY_PLOT_CALL in cell.source]
    assert density_cells, f"no cell of {STUDENT_NOTEBOOK} calls {DENSITY_PLOT_CALL}...)"
    plotted = [cell for cell in density_cells if cell.images > 0]
    assert plotted, (
        "no density plot appeared as an image; cells calling it: "
        f"{[cell.describe() for cell in density_cells]}"
    )
    notebook.scroll_to_cell(plotted[0].index)
    notebook.screenshot("03-student-density-plot")
    _shut_down_kernels(jupyter_server)


def test_solution_notebook_passes_its_tests(jupyter_server, lab_page):
    notebook = NotebookPage(lab_page, jupyter_server, SOLUTION_NOTEBOOK)
    notebook.open(timeout_ms=PAGE_TIMEOUT_MS)
    cells = notebook.run_all_like_a_student(
        allowed_errors=(), timeout_ms=RUN_ALL_TIMEOUT_MS
    )
    code_cells = [cell for cell in cells if cell.is_code]

    failed = [(cell.describe(), cell.errors) for cell in code_cells if cell.errors]
    assert not failed, f"the solution notebook raised errors: {failed}"
    not_run = [cell.describe() for cell in code_cells if cell.execution_count is None]
    assert not not_run, f"cells without an execution count: {not_run}"

    # Every exercise's answer cell is followed by at least one nbgrader test
    # cell (visible tests, then hidden ones), and all of them ran without
    # error above: the tests pass.
    answers = [cell for cell in code_cells if (cell.nbgrader or {}).get("solution")]
    missing = set(LESSON_EXERCISES) - {cell.grade_id for cell in answers}
    assert not missing, f"answer cells missing from {SOLUTION_NOTEBOOK}: {sorted(missing)}"
    boundaries = [cell.index for cell in answers] + [len(cells)]
    for answer, next_answer in zip(answers, boundaries[1:]):
        tests = [
            cell for cell in code_cells
            if answer.index < cell.index < next_answer and cell.is_autograder_test
        ]
        assert tests, f"no nbgrader test cell after the answer cell {answer.grade_id!r}"
        assert all(cell.execution_count is not None for cell in tests)

    density_cells = [cell for cell in code_cells if DENSITY_PLOT_CALL in cell.source]
    no_image = [cell.describe() for cell in density_cells if cell.images == 0]
    assert density_cells and not no_image, f"density plots without an image: {no_image}"

    first_test = next(cell for cell in code_cells if cell.is_autograder_test)
    notebook.scroll_to_cell(first_test.index)
    notebook.screenshot("04-solution-visible-tests-passed")
    _shut_down_kernels(jupyter_server)


def test_instructor_sees_assignments_in_formgrader(jupyter_server, course_root, lab_page):
    assignments = sorted(path.name for path in (course_root / "solutions").iterdir()
                         if path.is_dir() and not path.name.startswith("."))
    assert LESSON in assignments

    lab_page.goto(jupyter_server.lab_url())
    lab_page.wait_for_function("() => window.jupyterapp !== undefined")
    notebook = NotebookPage(lab_page, jupyter_server, path="")
    notebook.click_menu("Nbgrader", "nbgrader:open-formgrader")

    formgrader = lab_page.frame_locator("#formgrader-iframe iframe")
    names = formgrader.locator("#main-table td.name")
    try:
        expect(names).to_have_count(len(assignments), timeout=PAGE_TIMEOUT_MS)
    except AssertionError as error:
        raise AssertionError(
            f"Formgrader did not list the {len(assignments)} assignments "
            f"{assignments}; end of the server log:\n{jupyter_server.log_tail()}"
        ) from error
    for assignment in assignments:
        expect(names.filter(has_text=re.compile(rf"^\s*{re.escape(assignment)}\s*$"))
               ).to_have_count(1)
    notebook.screenshot("05-instructor-formgrader")

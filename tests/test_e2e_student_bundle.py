"""End to end: the JupyterLab of the students' copy of the course, in Chromium.

JupyterLab runs as the student copy's ``make lab`` runs it: the copy's
Python environment, ``JUPYTER_CONFIG_PATH`` at its ``jupyter/`` folder,
``notebooks/`` as the root. The student sees nbgrader's Assignment List and
the Validate button, and no Formgrader, Course List or Create Assignment;
the server does not serve Formgrader at all.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from course_copies import make_student_bundle, student_environment
from e2e_support import ARTIFACT_DIR, JupyterLabServer, NotebookPage, launch_chromium
from playwright.sync_api import expect, sync_playwright

pytestmark = pytest.mark.e2e

LESSON = "02-axes-and-broadcasting"
PAGE_TIMEOUT_MS = 60_000


@dataclass
class StudentLabServer(JupyterLabServer):
    """JupyterLab started from the student copy's own Python, as its Makefile does."""

    python: Path | None = None

    def command(self) -> list[str]:
        lab_options = super().command()[4:]  # after: python -m jupyter lab
        return [str(self.python), "-m", "jupyterlab", *lab_options]


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory, chromium_executable):
    bundle = make_student_bundle(tmp_path_factory.mktemp("student-lab"))
    python = student_environment(bundle)
    server = StudentLabServer(
        root_dir=bundle / "notebooks",
        state_dir=tmp_path_factory.mktemp("student-lab-state"),
        log_path=ARTIFACT_DIR / "student-lab-server.log",
        extra_env={"JUPYTER_CONFIG_PATH": str(bundle / "jupyter")},
        python=python,
    )
    try:
        server.start(timeout=120)
        yield server
    finally:
        server.stop()


def _status(server: JupyterLabServer, path: str) -> int:
    request = urllib.request.Request(f"{server.base_url}/{path}", headers={"Authorization": f"token {server.token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_server_has_no_formgrader(student_lab):
    assert _status(student_lab, "formgrader") == 404
    assert _status(student_lab, "assignments?course_id=genenorm-edu") == 200


def test_the_student_sees_assignment_list_and_validate_only(student_lab, chromium_executable):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium_executable)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            notebook = NotebookPage(page, student_lab, f"{LESSON}/{LESSON}.ipynb")
            notebook.open(timeout_ms=PAGE_TIMEOUT_MS)
            # The Validate button is in the notebook's toolbar.
            expect(page.locator(".validate-button")).to_have_count(1)
            label = page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$"))
            page.locator(".lm-MenuBar-item", has=label).click()
            menu = page.locator("#jp-mainmenu-nbgrader")
            expect(menu).to_be_visible()
            items = [text.strip() for text in menu.locator(".lm-Menu-itemLabel").all_inner_texts()]
            notebook.screenshot("student-copy-nbgrader-menu")
            assert [item for item in items if item] == ["Assignment List"], items
            # No Create Assignment panel in the right sidebar.
            assert page.locator("#nbgrader-create_assignemnt").count() == 0
            menu.locator('.lm-Menu-item[data-command="nbgrader:open-assignment-list"]').click()
            expect(page.locator("#nbgrader-assignment-list")).to_be_visible()
            notebook.screenshot("student-copy-assignment-list")
        finally:
            browser.close()

"""End to end: ``make lab``, as the README says, opens the course in a browser.

A student's machine is simulated: a copy of the repository's ``Makefile``,
``pyproject.toml`` and ``notebooks/``; a ``PATH`` without ``bwrap``,
``sudo``, ``apt-get`` or Chromium; not root where it can (the user
``nobody`` where the tests run as root and the environment's Python is
readable by others). ``make lab`` runs there for real, with the project's
already-built environment (``VENV=``, so the copy does not spend minutes in
pip: the stamp is newer than the copied ``pyproject.toml``). Then Chromium
opens the printed address:

* JupyterLab shows the course (every lesson folder) and opens lesson 1 with
  a running kernel;
* the student runs all of lesson 1: every cell runs, the only errors are the
  unanswered exercises (and the cells that use them);
* nothing on the way -- make's output, the server's log, the notebook's
  outputs -- asks for bubblewrap (only grading needs it) or for root.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from e2e_support import (
    ARTIFACT_DIR,
    REPO_ROOT,
    JupyterLabServer,
    NotebookPage,
    launch_chromium,
)
from fresh_machine import path_without, scratch_folder
from genenorm_edu.course import ASSIGNMENTS

pytestmark = pytest.mark.e2e

#: Words that would ask the student for a system package or for root.
ASKS_FOR = re.compile(r"bubblewrap|bwrap|apt-get|sudo|NO SANDBOX", re.IGNORECASE)
#: Errors a student sees in an unanswered lesson (as in test_e2e_browser.py).
STUDENT_ERRORS = ("Mismatch", "NotImplementedError", "NameError")
LESSON = ASSIGNMENTS[0]
NOTEBOOK = f"{LESSON}/{LESSON}.ipynb"  # relative to notebooks/, where make lab serves
SERVER_START_TIMEOUT_S = 240
RUN_ALL_TIMEOUT_MS = 300_000
PAGE_TIMEOUT_MS = 60_000

_OUTPUTS_JS = """
(path) => {
  for (const widget of window.jupyterapp.shell.widgets('main')) {
    if (widget.context && widget.context.path === path) {
      return JSON.stringify(widget.content.widgets
        .filter((cell) => cell.model.type === 'code')
        .map((cell) => cell.model.outputs.toJSON()));
    }
  }
  return null;
}
"""


def as_student() -> list[str]:
    """Run as ``nobody`` when the tests run as root and this environment lets it.

    A student is not root; but a venv whose Python lives in root's home
    (pyenv under /root) cannot run as another user: then make lab runs as
    root (with --allow-root, as the Makefile does for containers).
    """
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        return []
    prefix = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
    probe = subprocess.run(
        [*prefix, "/bin/sh", "-c", f"'{sys.executable}' -c 'import genenorm_edu'"], capture_output=True, timeout=60
    )  # through a shell, as make runs it (a direct exec may keep root's capabilities)
    return prefix if probe.returncode == 0 else []


@dataclass
class MakeLabServer(JupyterLabServer):
    """``make lab`` in a copy of the repository: JupyterLab as the README starts it."""

    venv: Path | None = None
    prefix: tuple[str, ...] = ()

    def command(self) -> list[str]:
        return [*self.prefix, "make", "lab", f"PORT={self.port}", f"VENV={self.venv}"]


@pytest.fixture(scope="module")
def scratch():
    """A folder the user ``nobody`` can write (pytest's tmp_path is root's only)."""
    with scratch_folder("genenorm-edu-make-lab-", 0o777) as folder:
        yield folder


@pytest.fixture(scope="module")
def make_lab(scratch, chromium_executable):
    venv = Path(sys.prefix)
    if not (venv / ".installed").is_file():
        pytest.skip(f"{venv} was not made by `make setup` (no .installed stamp): make lab would reinstall")
    prefix = tuple(as_student())
    clone = scratch / "genenorm-edu"
    clone.mkdir()
    shutil.copy2(REPO_ROOT / "Makefile", clone / "Makefile")
    shutil.copy2(REPO_ROOT / "pyproject.toml", clone / "pyproject.toml")
    stamp = (venv / ".installed").stat().st_mtime
    os.utime(clone / "pyproject.toml", (stamp - 1, stamp - 1))  # older than the stamp: no reinstall
    shutil.copytree(REPO_ROOT / ".ci", clone / ".ci")
    shutil.copytree(
        REPO_ROOT / "notebooks", clone / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints")
    )
    home, state = scratch / "home", scratch / "jupyter-state"
    for folder in (home, state):
        folder.mkdir()
    for path in (clone, *clone.rglob("*"), home, state):
        path.chmod(0o777 if path.is_dir() else 0o666 | (path.stat().st_mode & 0o111))
    server = MakeLabServer(
        root_dir=clone,
        state_dir=state,
        log_path=ARTIFACT_DIR / "make-lab.log",
        venv=venv,
        prefix=prefix,
        extra_env={
            "PATH": path_without(scratch / "student-bin"),
            "HOME": str(home),
            "GENENORM_EDU_DATA_DIR": str(scratch / "data"),
            "GENENORM_EDU_SYSTEM_PACKAGES": "",  # as on a student's machine: nothing skipped
        },
    )
    # `make lab` chooses no token; JupyterLab takes this one (the server prints it too).
    server.extra_env["JUPYTER_TOKEN"] = server.token
    for name in ("config", "runtime", "lab-settings", "workspaces", "ipython"):
        (state / name).mkdir(mode=0o777, exist_ok=True)
        (state / name).chmod(0o777)
    # What the test reads in the page (cell models) and no update checks: set in
    # Jupyter's config folder, since `make lab` has its own command line.
    (state / "config" / "jupyter_lab_config.json").write_text(json.dumps({
        "LabApp": {
            "expose_app_in_browser": True,
            "news_url": None,
            "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
        }
    }))  # fmt: skip
    try:
        server.start(timeout=SERVER_START_TIMEOUT_S)
        yield server
    finally:
        server.stop()


def test_make_lab_opens_the_course_and_never_asks_for_bubblewrap(make_lab, chromium_executable):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium_executable)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            page = context.new_page()

            page.goto(make_lab.lab_url())
            page.wait_for_function("() => window.jupyterapp !== undefined")
            listing = page.locator(".jp-DirListing-content .jp-DirListing-itemText")
            listing.first.wait_for(state="visible")
            page.wait_for_function(
                "(names) => names.every((name) => Array.from(document.querySelectorAll("
                "'.jp-DirListing-content .jp-DirListing-itemText')).some((node) => "
                "node.textContent.trim() === name))",
                arg=list(ASSIGNMENTS),
            )
            ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACT_DIR / "make-lab-01-course.png"))

            notebook = NotebookPage(page, make_lab, NOTEBOOK)
            notebook.open(timeout_ms=PAGE_TIMEOUT_MS)
            cells = notebook.run_all_like_a_student(
                allowed_errors=STUDENT_ERRORS, timeout_ms=RUN_ALL_TIMEOUT_MS
            )
            notebook.screenshot("make-lab-02-lesson-1-run")
            outputs = page.evaluate(_OUTPUTS_JS, NOTEBOOK)
        finally:
            browser.close()

    code_cells = [cell for cell in cells if cell.is_code]
    assert code_cells and not [cell.describe() for cell in code_cells if cell.execution_count is None]
    assert not code_cells[0].errors, code_cells[0].errors  # the imports and the data load
    unexpected = [(cell.describe(), cell.error_names) for cell in code_cells
                  if not set(cell.error_names) <= set(STUDENT_ERRORS)]  # fmt: skip
    assert not unexpected, unexpected

    shown = json.dumps(json.loads(outputs))
    log = make_lab.log_path.read_text(errors="replace")
    assert "make: ***" not in log and "JupyterLab on http://localhost" in log
    for where, text in (("the notebook's outputs", shown), ("make lab's output", log)):
        asked = sorted(set(match.group(0) for match in ASKS_FOR.finditer(text)))
        assert not asked, f"{where} mention {asked}"

"""Support code for the browser tests in ``test_e2e_browser.py``.

Three pieces, each usable on its own:

* :class:`JupyterLabServer` starts ``jupyter lab`` as a subprocess on a free
  loopback port with a random token, waits for ``/api/status`` to answer and
  shuts the server *and its kernels* down again, even after a failed test.
* :func:`launch_chromium` starts Debian's ``chromium`` through Playwright (the
  browser Playwright downloads itself does not work on our machines).
* :class:`NotebookPage` drives one open notebook the way a student does (menu
  clicks) and reads back what the page shows, cell by cell.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import psutil
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPO_ROOT = Path(__file__).resolve().parents[1]
ARTIFACT_DIR = REPO_ROOT / "test-artifacts" / "e2e"

#: Command-line switches for Chromium in a headless container without GPU,
#: sandbox or general network access.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)

#: What the course copy needs: nbgrader's config, its source and release dirs.
COURSE_PATHS = ("nbgrader_config.py", "solutions", "notebooks")


#: Why the browser tests are skipped where Chromium is missing (the last line
#: of the test run repeats it, with the number of tests).
CHROMIUM_MISSING = (
    "Debian's chromium is not installed, the browser tests need it (`make test` "
    "installs it as root; or: sudo apt-get install -y chromium chromium-driver)"
)


def find_chromium() -> str | None:
    """Return the path of the system Chromium, or None if it is not installed."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path is not None:
            return path
    return None


def launch_chromium(playwright, executable_path: str):
    """Launch headless Chromium from ``executable_path`` through Playwright."""
    return playwright.chromium.launch(
        executable_path=executable_path,
        headless=True,
        args=list(CHROMIUM_ARGS),
    )


def free_loopback_port() -> int:
    """Ask the OS for a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_course(source_root: Path, target_root: Path) -> Path:
    """Copy the nbgrader course (config, ``solutions/``, ``notebooks/``).

    The copy keeps the repository clean: JupyterLab writes checkpoints and
    nbgrader writes its gradebook into the course root.
    """
    target_root.mkdir(parents=True, exist_ok=True)
    for name in COURSE_PATHS:
        source = source_root / name
        if not source.exists():
            raise FileNotFoundError(f"course path {source} is missing")
        if source.is_dir():
            shutil.copytree(
                source,
                target_root / name,
                ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
            )
        else:
            shutil.copy2(source, target_root / name)
    return target_root


def _write_quiet_lab_settings(settings_dir: Path) -> None:
    """Turn off JupyterLab's news and update toasts (no network, no noise)."""
    notification = settings_dir / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )


@dataclass
class JupyterLabServer:
    """A JupyterLab server running as a subprocess, for one test session.

    Parameters
    ----------
    root_dir : Path
        Directory the server serves and runs in (the course root, so that
        nbgrader's formgrader finds ``nbgrader_config.py``).
    state_dir : Path
        Scratch directory for Jupyter's config, runtime and settings files,
        so that nothing from the user's home leaks into the test.
    log_path : Path
        File that receives the server's stdout and stderr.
    extra_env : dict
        Additional environment variables for the server and its kernels.
    """

    root_dir: Path
    state_dir: Path
    log_path: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_loopback_port)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, **query: str) -> str:
        """Browser URL for ``path`` with the token appended."""
        query = {"token": self.token, **query}
        return f"{self.base_url}/{quote(path.lstrip('/'))}?{urlencode(query)}"

    def lab_url(self, relative_path: str = "") -> str:
        """URL of JupyterLab, opening ``relative_path`` (relative to root_dir).

        ``reset`` starts from a fresh workspace, so notebooks of earlier tests
        are not reopened (each would start a kernel).
        """
        path = f"lab/tree/{relative_path}" if relative_path else "lab"
        return self.url(path, reset="")

    def _environment(self) -> dict[str, str]:
        # PATH stays as the caller has it, activated virtualenv or not, as for
        # `make lab`. (nbgrader runs the `alembic` command from PATH when it
        # creates a gradebook; the course's nbgrader_config.py must see to it.)
        env = dict(os.environ)
        # Plots must go to the notebook's inline backend, as for a student.
        env.pop("MPLBACKEND", None)
        settings_dir = self.state_dir / "lab-settings"
        _write_quiet_lab_settings(settings_dir)
        env.update(
            JUPYTER_CONFIG_DIR=str(self.state_dir / "config"),
            JUPYTER_RUNTIME_DIR=str(self.state_dir / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
            JUPYTERLAB_WORKSPACES_DIR=str(self.state_dir / "workspaces"),
            IPYTHONDIR=str(self.state_dir / "ipython"),
        )
        env.update(self.extra_env)
        return env

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            # Lets the tests read cell models (execution counts, error
            # names, nbgrader metadata) in the page, as JupyterLab's own
            # Galata tests do.
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]

    def start(self, timeout: float = 90.0) -> None:
        """Start the server and return once ``/api/status`` answers."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log_file = open(self.log_path, "wb")
        try:
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.root_dir,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log_file.close()
        self.wait_until_ready(timeout)

    def api(self, path: str, method: str = "GET", timeout: float = 10.0):
        """Call the server's REST API with the token; return the decoded JSON."""
        request = urllib.request.Request(
            f"{self.base_url}/api/{path.lstrip('/')}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method == "POST" else None,
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def wait_until_ready(self, timeout: float) -> None:
        """Poll ``/api/status`` until it answers, the process dies, or timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"jupyter lab exited with code {self.process.returncode} "
                    f"before it was ready:\n{self.log_tail()}"
                )
            try:
                status = self.api("status", timeout=2.0)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                status = None
            if isinstance(status, dict) and "started" in status:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"jupyter lab did not answer /api/status within {timeout} s:\n"
                    f"{self.log_tail()}"
                )
            time.sleep(0.2)  # poll interval, not a wait for a state

    def wait_for_idle_kernels(self, timeout: float = 30.0) -> list[dict]:
        """Poll ``/api/kernels`` until every kernel reports ``idle``.

        The browser sees the kernel's status messages before the server's
        own record of them is updated, so one snapshot right after a run can
        still say ``busy``. Returns the kernel records; raises TimeoutError.
        """
        deadline = time.monotonic() + timeout
        while True:
            kernels = self.api("kernels")
            states = {kernel["execution_state"] for kernel in kernels}
            if kernels and states == {"idle"}:
                return kernels
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"kernels did not reach idle within {timeout} s: {sorted(states)}"
                )
            time.sleep(0.2)  # poll interval, not a wait for a state

    def stop(self, timeout: float = 20.0) -> None:
        """Shut down the server and every kernel it started.

        First ask politely (``POST /api/shutdown`` also shuts down kernels),
        then terminate, then kill every remaining descendant process. Kernels
        run in their own process sessions, so the server's process group alone
        would not reach them.
        """
        if self.process is None:
            return
        try:
            descendants = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            descendants = []
        if self.process.poll() is None:
            try:
                self.api("shutdown", method="POST", timeout=5.0)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGTERM)
                try:
                    self.process.wait(timeout=5.0)
                except subprocess.TimeoutExpired:
                    self._signal_group(signal.SIGKILL)
                    self.process.wait(timeout=5.0)
        for child in descendants:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(descendants, timeout=5.0)

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass


# --- reading and driving a notebook in the page -----------------------------

#: JavaScript run in the page: one record per cell of the open notebook at
#: ``path``, combining the model (what the kernel returned) with the DOM (what
#: the student sees).
_CELL_REPORT_JS = """
(path) => {
  const app = window.jupyterapp;
  let panel = null;
  for (const widget of app.shell.widgets('main')) {
    if (widget.context && widget.context.path === path) { panel = widget; }
  }
  if (panel === null) { return null; }
  return panel.content.widgets.map((cell, index) => {
    const model = cell.model;
    const outputs = model.type === 'code' ? model.outputs.toJSON() : [];
    const prompt = cell.node.querySelector('.jp-InputPrompt');
    const shownStderr = Array.from(cell.node.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
    )).map((node) => node.textContent);
    return {
      index: index,
      type: model.type,
      source: model.sharedModel.getSource(),
      execution_count: model.type === 'code' ? model.executionCount : null,
      prompt: prompt ? prompt.textContent.trim() : '',
      errors: outputs.filter((o) => o.output_type === 'error')
                     .map((o) => ({ename: o.ename, evalue: o.evalue})),
      shown_stderr: shownStderr,
      images: Array.from(cell.node.querySelectorAll('.jp-OutputArea-output img'))
                   .filter((img) => img.complete && img.naturalWidth > 0).length,
      nbgrader: model.getMetadata('nbgrader') || null,
    };
  });
}
"""

#: True once the kernel of the notebook at ``path`` is idle and no cell is
#: queued or running (no ``[*]`` prompt), and more than ``executed`` cells
#: have an execution count.
_RUN_FINISHED_JS = """
([path, executed]) => {
  const app = window.jupyterapp;
  for (const widget of app.shell.widgets('main')) {
    if (!(widget.context && widget.context.path === path)) { continue; }
    const kernel = widget.sessionContext.session?.kernel;
    if (!kernel || kernel.status !== 'idle') { return false; }
    const cells = widget.content.widgets.filter((c) => c.model.type === 'code');
    const running = (c) => {
      const prompt = c.node.querySelector('.jp-InputPrompt');
      return !!prompt && prompt.textContent.includes('*');
    };
    if (cells.some(running)) {
      return false;
    }
    const counts = cells.map((c) => c.model.executionCount ?? 0);
    return Math.max(0, ...counts) > executed;
  }
  return false;
}
"""

_SELECT_CELL_JS = """
([path, index]) => {
  for (const widget of window.jupyterapp.shell.widgets('main')) {
    if (widget.context && widget.context.path === path) {
      widget.content.activeCellIndex = index;
      widget.content.deselectAll();
      return widget.content.activeCellIndex;
    }
  }
  return null;
}
"""

_PANEL_ID_JS = """
(path) => {
  for (const widget of window.jupyterapp.shell.widgets('main')) {
    if (widget.context && widget.context.path === path) { return widget.id; }
  }
  return null;
}
"""

_KERNEL_IDLE_JS = """
(path) => {
  for (const widget of window.jupyterapp.shell.widgets('main')) {
    if (widget.context && widget.context.path === path) {
      const kernel = widget.sessionContext.session?.kernel;
      return !!kernel && kernel.status === 'idle';
    }
  }
  return false;
}
"""


@dataclass
class CellReport:
    """What one cell holds after a run (model) and shows (DOM)."""

    index: int
    type: str
    source: str
    execution_count: int | None
    prompt: str
    errors: list[dict]
    shown_stderr: list[str]
    images: int
    nbgrader: dict | None

    @property
    def is_code(self) -> bool:
        return self.type == "code"

    @property
    def error_names(self) -> list[str]:
        return [error["ename"] for error in self.errors]

    @property
    def is_autograder_test(self) -> bool:
        """An nbgrader test cell: graded, but not a student's answer."""
        meta = self.nbgrader or {}
        return bool(meta.get("grade")) and not meta.get("solution")

    @property
    def grade_id(self) -> str | None:
        return (self.nbgrader or {}).get("grade_id")

    def describe(self) -> str:
        first_line = self.source.strip().splitlines()[0] if self.source.strip() else ""
        return f"cell {self.index} {self.prompt or self.type} {first_line[:60]!r}"


class NotebookPage:
    """One notebook opened in JupyterLab in a Playwright ``page``.

    Parameters
    ----------
    page : playwright.sync_api.Page
    server : JupyterLabServer
    path : str
        Notebook path relative to the server root, with forward slashes.
    """

    def __init__(self, page, server: JupyterLabServer, path: str):
        self.page = page
        self.server = server
        self.path = path
        self.panel_id: str | None = None

    def open(self, timeout_ms: float = 60_000) -> None:
        """Open the notebook by URL and wait until its kernel is idle."""
        self.page.goto(self.server.lab_url(self.path))
        self.page.wait_for_function(
            "() => window.jupyterapp !== undefined", timeout=timeout_ms
        )
        self.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(
            state="visible", timeout=timeout_ms
        )
        self.page.wait_for_function(
            _KERNEL_IDLE_JS, arg=self.path, timeout=timeout_ms, polling=250
        )
        self.panel_id = self.page.evaluate(_PANEL_ID_JS, self.path)

    def cell_locator(self, index: int):
        """The DOM node of cell ``index`` in this notebook's panel."""
        return self.page.locator(
            f'#{self.panel_id} .jp-Cell[data-windowed-list-index="{index}"]'
        )

    def cells(self) -> list[CellReport]:
        records = self.page.evaluate(_CELL_REPORT_JS, self.path)
        if records is None:
            raise AssertionError(f"notebook {self.path} is not open in JupyterLab")
        return [CellReport(**record) for record in records]

    def last_execution_count(self) -> int:
        """The kernel's latest execution count shown in this notebook (0 if none)."""
        counts = [cell.execution_count for cell in self.cells() if cell.is_code]
        return max((count for count in counts if count is not None), default=0)

    def click_menu(self, menu_label: str, command: str) -> None:
        """Click ``menu_label`` in the menu bar, then the item for ``command``."""
        label = self.page.locator(
            ".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{re.escape(menu_label)}$")
        )
        self.page.locator(".lm-MenuBar-item", has=label).click()
        item = self.page.locator(f'.lm-Menu-item[data-command="{command}"]').first
        item.wait_for(state="visible")
        item.click()

    def _run_via_menu(self, command: str, timeout_ms: float) -> None:
        before = self.last_execution_count()
        self.click_menu("Run", command)
        try:
            self.page.wait_for_function(
                _RUN_FINISHED_JS,
                arg=[self.path, before],
                timeout=timeout_ms,
                polling=250,
            )
        except PlaywrightTimeoutError:
            state = [
                f"{cell.describe()} errors={cell.error_names}"
                for cell in self.cells()
                if cell.is_code
            ]
            raise AssertionError(
                f"{self.path}: run via {command!r} did not finish within "
                f"{timeout_ms / 1000:.0f} s (kernel busy or cells still queued):\n"
                + "\n".join(state)
            ) from None

    def run_all(self, timeout_ms: float = 120_000) -> None:
        """Run > Run All Cells, then wait until the run has stopped."""
        self._run_via_menu("runmenu:run-all", timeout_ms)

    def run_from_cell(self, index: int, timeout_ms: float = 120_000) -> None:
        """Select cell ``index`` and use Run > Run Selected Cell and All Below.

        JupyterLab disables that item on the last cell; there the student uses
        Run > Run Selected Cell and Do not Advance.
        """
        cell = self.cell_locator(index)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputPrompt").click()
        # Outputs above that finish rendering can move the cell under the
        # click: make sure the cell the student meant is the active one.
        active = self.page.evaluate(_SELECT_CELL_JS, [self.path, index])
        assert active == index, f"could not select cell {index} of {self.path}"
        is_last = index == len(self.cells()) - 1
        command = "notebook:run-cell" if is_last else "notebook:run-all-below"
        self._run_via_menu(command, timeout_ms)

    def run_all_like_a_student(
        self, allowed_errors: tuple[str, ...] = ("NotImplementedError",),
        timeout_ms: float = 120_000,
    ) -> list[CellReport]:
        """Run all cells; after an allowed error, go on below it.

        JupyterLab stops Run All at the first error, as a student sees when an
        exercise is not done yet. The student then carries on with the next
        cell; so does this method, as long as the error that stopped the run
        is one of ``allowed_errors``. Returns the final cell reports.
        """
        self.run_all(timeout_ms)
        while True:
            cells = self.cells()
            pending = [c for c in cells if c.is_code and c.execution_count is None]
            if not pending:
                return cells
            failed = [c for c in cells if c.errors and c.index < pending[0].index]
            if not failed:
                raise AssertionError(
                    f"run stopped before {pending[0].describe()} without an error"
                )
            stopper = failed[-1]
            if not set(stopper.error_names) <= set(allowed_errors):
                return cells  # the caller's assertions report the bad error
            self.run_from_cell(pending[0].index, timeout_ms)

    def scroll_to_cell(self, index: int) -> None:
        """Scroll the notebook so that cell ``index`` starts at the top."""
        self.cell_locator(index).evaluate(
            "(node) => node.scrollIntoView({block: 'start', behavior: 'instant'})"
        )

    def screenshot(self, name: str) -> Path:
        ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
        path = ARTIFACT_DIR / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

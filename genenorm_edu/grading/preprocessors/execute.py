"""Run a submitted notebook in a sandboxed kernel, and keep going whatever it does."""

from __future__ import annotations

import math
import time

from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute, LimitOutput
from traitlets import Bool, Float, Integer

from genenorm_edu.grading.kernel import SandboxedKernelManager
from genenorm_edu.grading.output_cap import OutputCap
from genenorm_edu.grading.plan import SubmissionPlan
from genenorm_edu.grading.preprocessors.out_of_reach import OutOfReachGrades
from genenorm_edu.grading.preprocessors.state import GRADING_KEY, NotebookGrading, plan_of
from genenorm_edu.grading.sandbox import sandbox_support

__all__ = ["GradingExecute"]

_warned_about_sandbox = False

_NOT_RUN_DEMONSTRATION = (
    "Not run when graded: a demonstration (timings, pictures or plots) that earns no points. "
    "It runs in your own notebook."
)


def _note(text: str) -> dict:
    return new_output("stream", name="stdout", text=f"[grader] {text}\n")


class GradingExecute(Execute):
    """nbgrader's Execute, made for grading students' notebooks.

    - The kernel runs sandboxed (:class:`SandboxedKernelManager`): no access
      to the course files, the gradebook, other submissions or the network;
      limited memory, CPU and processes.
    - Hidden-test cells are not sent to the kernel at all: their verdicts
      come from :class:`~genenorm_edu.grading.preprocessors.OutOfReachGrades`.
    - The lesson's demonstrations (cells tagged ``demonstration``: timings,
      memory pictures, plots) are not run either, unless
      ``run_demonstrations`` is set: no score depends on them, and they
      are most of a notebook's running time.
    - A kernel that dies (``os._exit``, a crash, the memory limit) is
      restarted, the cell says what happened, and the next cells run.
    - A cell that runs past its time limit is interrupted; if the kernel
      still does not answer (a loop that catches ``KeyboardInterrupt``), it
      is restarted, so later cells do not each wait for their own time limit.
    """

    stuck_kernel_seconds = Float(
        3.0, help="After a timeout and an interrupt, how long to wait for the kernel to answer."
    ).tag(config=True)

    max_output_bytes = Integer(
        1_000_000,
        help="Output a cell may produce while graded; the rest is dropped, with a note. Lines "
        "are capped too, below nbgrader's LimitOutput.max_lines, so that the note is kept.",
    ).tag(config=True)

    notebook_seconds = Float(
        600.0,
        help="Wall-clock seconds the kernel may spend on one notebook in all; the cells left "
        "when they are spent are not run (each with a note). The time limit of each cell "
        "(Execute.timeout) is cut to what is left.",
    ).tag(config=True)

    run_demonstrations = Bool(
        False,
        help="Also run the cells tagged 'demonstration' (timings, pictures, plots; no points).",
    ).tag(config=True)

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(**kwargs)

    def preprocess(self, nb, resources=None, km=None):
        """Plan the notebook, start its out-of-reach grading, then execute it."""
        global _warned_about_sandbox
        support = sandbox_support()
        if not support.isolated and not _warned_about_sandbox:
            _warned_about_sandbox = True
            banner = "!" * 78
            self.log.warning(
                "%s\nNO SANDBOX: students' code runs with the grader's permissions and can read "
                "the course files (solutions, gradebook, hidden tests).\n%s\n%s",
                banner,
                "\n".join(support.problems),
                banner,
            )
        grading = NotebookGrading(plan=plan_of(nb), started=time.monotonic())
        self._plan: SubmissionPlan = grading.plan
        self._grading = grading
        # Grade the exercises out of reach while the kernel runs the notebook.
        grading.pending = OutOfReachGrades(parent=self.parent).start(grading.plan)
        if resources is None:
            resources = {}
        resources[GRADING_KEY] = grading
        self._output_caps: dict[int, OutputCap] = {}
        # nbgrader's LimitOutput (run later) cuts streams past its line limit, notes included.
        self._max_output_lines = LimitOutput(config=self.config).max_lines
        self._notebook_deadline = time.monotonic() + self.notebook_seconds
        self._kernel_lost = False
        return super().preprocess(nb, resources, km)

    def _seconds_left(self) -> float:
        return getattr(self, "_notebook_deadline", float("inf")) - time.monotonic()

    def _get_timeout(self, cell):
        """The cell's time limit, cut to what is left of the notebook's."""
        timeout = super()._get_timeout(cell)
        left = self._seconds_left()
        if left == float("inf"):
            return timeout
        left = max(1, math.ceil(left))
        return left if timeout is None else min(timeout, left)

    def output(self, outs, msg, display_id, cell_index):
        """Keep a cell's outputs while they fit (:class:`OutputCap`); then one note, no more.

        A loop that prints for a minute would otherwise fill the grader's
        memory with gigabytes of text. The note always survives nbgrader's
        own line limit (``LimitOutput``), however the kernel cut the output
        into messages.
        """
        cap = self._output_caps.setdefault(
            cell_index,
            OutputCap(max_bytes=self.max_output_bytes, max_lines=getattr(self, "_max_output_lines", None)),
        )
        verdict = cap.take(msg.get("msg_type", ""), msg.get("content", {}))
        shown = None
        if verdict.content is not None:
            shown = self._show(outs, {**msg, "content": verdict.content}, display_id, cell_index)
        if verdict.note:
            limits = f"{self.max_output_bytes:,} bytes"
            if cap.max_lines is not None and cap.max_lines >= 0:
                limits += f" and {cap.max_lines:,} lines"
            outs.append(_note(f"more output was dropped: a cell may show {limits}."))
        return shown

    def _show(self, outs, msg, display_id, cell_index):
        """Add an output; a stream continues the stream output before it, as Jupyter shows it.

        The kernel sends what a cell prints in pieces cut by time, not by
        line (``print("a", x)`` can arrive as ``"a"`` and ``" x\n"``): kept
        apart, a line would be split across the feedback page.
        """
        content = msg.get("content", {})
        previous = outs[-1] if outs else None
        if (
            msg.get("msg_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == content.get("name")
            and isinstance(previous.get("text"), str)
            and not previous["text"].startswith("[grader] ")
            and isinstance(content.get("text"), str)
            and not getattr(self, "clear_before_next_output", False)
            and not self.output_hook_stack[msg.get("parent_header", {}).get("msg_id")]
        ):
            previous["text"] += content["text"]
            return previous
        return super().output(outs, msg, display_id, cell_index)

    def preprocess_cell(self, cell, resources, index):
        """Execute one cell, unless it holds hidden tests or a demonstration; recover the kernel if needed."""
        plan = self._plan
        if index in plan.hidden_cells:
            cell.outputs = []
            cell.execution_count = None
            return cell, resources
        if index in plan.demonstrations and not self.run_demonstrations:
            cell.outputs = [_note(_NOT_RUN_DEMONSTRATION)]
            cell.execution_count = None
            return cell, resources
        if cell.cell_type == "code" and getattr(self, "_kernel_lost", False):
            cell.outputs = [
                _note("Not run: the kernel could not be restarted after it died or hung above.")
            ]
            cell.execution_count = None
            return cell, resources
        if cell.cell_type == "code" and self._seconds_left() <= 0:
            self._flag("time_limit_hit")
            cell.outputs = [
                _note(
                    f"Not run: the notebook used up its time limit ({self.notebook_seconds:g} s "
                    "in all) in the cells above."
                )
            ]
            cell.execution_count = None
            return cell, resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self.log.warning("The kernel died in cell %d; restarting it", index)
            cell.outputs.append(
                new_output(
                    "error",
                    ename="DeadKernelError",
                    evalue="The kernel died while running this cell.",
                    traceback=[
                        "DeadKernelError: The kernel died while running this cell.",
                        "The kernel (the Python process running this notebook) ended: os._exit, "
                        "a crash, or the memory limit. It was restarted: the cells below ran in "
                        "a fresh kernel, without the names defined above.",
                    ],
                )
            )
            self._restart_kernel()
            return cell, resources
        timed_out = any(
            output.get("ename") == "CellTimeoutError" for output in cell.get("outputs", [])
        )
        if timed_out:
            self._flag("time_limit_hit")
        if timed_out and not self._kernel_answers():
            self.log.warning("The kernel ignores interrupts after cell %d; restarting it", index)
            cell.outputs.append(
                _note(
                    "This cell did not stop when interrupted (does it catch KeyboardInterrupt?). "
                    "The kernel was restarted: the cells below ran in a fresh kernel, without "
                    "the names defined above."
                )
            )
            self._restart_kernel()
        return cell, resources

    def _kernel_answers(self) -> bool:
        """Whether the kernel replies to a request within ``stuck_kernel_seconds``."""
        request = self.kc.kernel_info()
        deadline = time.monotonic() + self.stuck_kernel_seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                reply = run_sync(self.kc.shell_channel.get_msg)(timeout=remaining)
            except Exception:  # queue.Empty: no reply in time
                return False
            if reply.get("parent_header", {}).get("msg_id") == request:
                return True

    def _flag(self, name: str) -> None:
        """Note on the notebook's grading what happened (for the class record)."""
        grading = getattr(self, "_grading", None)
        if grading is not None:
            setattr(grading, name, True)

    def _restart_kernel(self) -> None:
        """Restart the kernel; if it does not come back, run no more cells (grading goes on)."""
        self._flag("kernel_restarted")
        try:
            run_sync(self.km.restart_kernel)(now=True)
            run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
        except Exception as error:  # noqa: BLE001 -- whatever the student's code did to it
            self.log.warning("The kernel could not be restarted (%s); no more cells run", type(error).__name__)
            self._kernel_lost = True

"""The worker processes that run nbgrader on one student at a time, and the parent that feeds them."""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from genenorm_edu.grading.parallel.outcome import StudentOutcome, parse_log
from genenorm_edu.grading.parallel.rows import read_submission_rows, snapshot_gradebook, write_submission_rows

#: What nbgrader logs when it leaves an already processed student alone.
_SKIPPED = "Skipping existing assignment"


# --- the worker processes --------------------------------------------------------


@dataclass
class _Worker:
    """A worker process's nbgrader application and its private gradebook."""

    step: str
    app: object
    gradebook_url: str


_worker: _Worker | None = None


def _app_class(step: str):
    if step == "autograde":
        from nbgrader.apps.autogradeapp import AutogradeApp

        return AutogradeApp
    from nbgrader.apps.generatefeedbackapp import GenerateFeedbackApp

    return GenerateFeedbackApp


def nbgrader_app(step: str, options: Sequence[str]):
    """nbgrader's application for ``step``, configured as its command line would be."""
    app = _app_class(step)()
    app.initialize(list(options))
    return app


def _start_worker(step: str, root: str, options: Sequence[str], gradebook: str, scratch: str) -> None:
    global _worker
    os.chdir(root)
    copy = Path(scratch) / f"gradebook-{os.getpid()}.db"
    snapshot_gradebook(Path(gradebook), copy)
    app = nbgrader_app(step, options)
    # nbgrader's log goes to each student's outcome, not to the terminal.
    app.log.handlers = []
    app.log.propagate = False
    app.coursedir.db_url = f"sqlite:///{copy}"
    _worker = _Worker(step=step, app=app, gradebook_url=app.coursedir.db_url)


def _run_one(assignment: str, student: str, force: bool) -> StudentOutcome:
    """Run the worker's nbgrader step on one student (as ``--student ID`` would)."""
    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde, GenerateFeedback
    from nbgrader.utils import capture_log, temp_attrs

    worker = _worker
    converter_class = Autograde if worker.step == "autograde" else GenerateFeedback
    started = time.monotonic()
    coursedir = worker.app.coursedir
    with temp_attrs(coursedir, assignment_id=assignment, student_id=student):
        converter = converter_class(coursedir=coursedir, parent=worker.app)
        if force:
            converter.force = True
        result = capture_log(converter)
    seconds = time.monotonic() - started
    log = result.get("log", "")
    rows = None
    if worker.step == "autograde" and _SKIPPED not in log:
        with Gradebook(worker.gradebook_url) as gradebook:
            rows = read_submission_rows(gradebook, assignment, student)
    if not result["success"]:
        status = "failed"
    elif _SKIPPED in log:
        status = "skipped"
    else:
        status = "done"
    return StudentOutcome(student, status, seconds, log=log, error=result.get("error", ""), rows=rows)


def _context():
    """How workers start: forked on Linux (nbgrader and the course config are imported
    already: a worker is ready in milliseconds, where a fresh interpreter takes
    seconds), a fresh interpreter elsewhere. :func:`run_students` runs no
    thread of its own and keeps no gradebook open when it starts them."""
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


# --- the parent process ----------------------------------------------------------


@dataclass(frozen=True)
class StepRun:
    """One parallel run of an nbgrader step over the students of an assignment.

    Attributes
    ----------
    step : str
        ``"autograde"`` or ``"feedback"``.
    assignment : str
    students : tuple of str
    jobs : int
        Worker processes.
    force : bool
        Redo students already done.
    options : tuple of str
        nbgrader options (``--Execute.timeout=120``), as on its command line.
    """

    step: str
    assignment: str
    students: tuple[str, ...]
    jobs: int
    force: bool = False
    options: tuple[str, ...] = field(default=())


def _notable(outcome: StudentOutcome) -> list[str]:
    """The lines of a student's log worth showing while the run goes on."""
    lines = []
    for level, message in parse_log(outcome.log):
        if level in ("WARNING", "ERROR", "CRITICAL"):
            lines.append(f"{outcome.student}: [{level}] {message}")
    if outcome.status == "failed" and outcome.error:
        lines.append(f"{outcome.student}: {outcome.error.strip().splitlines()[-1]}")
    return lines


def _worker_died(student: str, error: BaseException) -> StudentOutcome:
    return StudentOutcome(
        student, "failed", 0.0,
        error=f"a grading process died while grading this student alone, after dying twice while it was "
        f"pending ({error}): the machine, not the submission (students' code runs in a separate, limited "
        "kernel); rerun this student",
    )  # fmt: skip


@dataclass(frozen=True)
class _CutOff:
    """The students a pool's breakdown left undone (in the order given), and the pool's error."""

    students: list[str]
    error: BaseException | None = None


def _run_pool(run: StepRun, students: list[str], workers: int, root: Path, gradebook: Path, scratch: str, record) -> _CutOff:
    """Run the step on ``students`` in one pool of ``workers`` processes.

    ``record(outcome)`` is called for each student done. If a worker dies
    the pool breaks: every student not done yet is cut off.
    """
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_context(),
        initializer=_start_worker,
        initargs=(run.step, str(root), tuple(run.options), str(gradebook), scratch),
    )
    cut_off: set[str] = set()
    error: BaseException | None = None
    with pool:
        futures = {pool.submit(_run_one, run.assignment, student, run.force): student for student in students}
        try:
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except BrokenProcessPool as broken:
                    cut_off.add(futures[future])
                    error = broken
                    continue
                record(outcome)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return _CutOff([student for student in students if student in cut_off], error)


def run_students(run: StepRun, *, gradebook: Path, root: Path, progress: bool | None = None) -> list[StudentOutcome]:
    """Run ``run.step`` on every student of ``run``, ``run.jobs`` at a time.

    Autograde results are written into ``gradebook`` as each student
    finishes. If a worker process dies (killed for memory, say: students'
    code runs in kernels of its own, so this is the machine's doing), the
    pool stops and the students not done yet are run again in a new pool.
    Which student's grading killed the worker is not known then, so a
    student pending in two breakdowns is not failed: it is graded again
    alone, one student at a time in one worker, where a death names its
    student. Only a student whose grading kills the worker while it runs
    alone is reported failed; the others are graded as usual.

    Parameters
    ----------
    run : StepRun
    gradebook : Path
        The course's sqlite gradebook (written by this process only).
    root : Path
        The course root; workers run there, as nbgrader does.
    progress : bool or None
        Show a progress bar (None: when stderr is a terminal).

    Returns
    -------
    list of StudentOutcome
        In the order of ``run.students``.
    """
    from nbgrader.api import Gradebook
    from tqdm import tqdm

    outcomes: dict[str, StudentOutcome] = {}
    breakdowns = dict.fromkeys(run.students, 0)
    shared = list(run.students)  # graded run.jobs at a time
    alone: list[str] = []  # pending in two breakdowns: graded one at a time
    # No monitor thread: workers are forked from this process, which must have no other threads.
    tqdm.monitor_interval = 0
    bar = tqdm(total=len(shared), unit="student", desc=f"{run.step} {run.assignment}", disable=None if progress is None else not progress)

    def record(outcome: StudentOutcome) -> None:
        if outcome.rows is not None:
            with Gradebook(f"sqlite:///{gradebook}") as real:
                write_submission_rows(real, outcome.rows)
        outcomes[outcome.student] = outcome
        for line in _notable(outcome):
            bar.write(line)
        bar.set_postfix_str(f"last: {outcome.student} {outcome.status}", refresh=False)
        bar.update(1)

    with tempfile.TemporaryDirectory(prefix="genenorm-edu-gradebooks-") as scratch, bar:
        while shared:
            cut_off = _run_pool(run, shared, max(1, min(run.jobs, len(shared))), root, gradebook, scratch, record)
            for student in cut_off.students:
                breakdowns[student] += 1
            shared = [student for student in cut_off.students if breakdowns[student] < 2]
            alone += [student for student in cut_off.students if breakdowns[student] >= 2]
        while alone:
            cut_off = _run_pool(run, alone, 1, root, gradebook, scratch, record)
            if cut_off.students:  # one worker, students in order: the first cut off is the one it was grading
                record(_worker_died(cut_off.students[0], cut_off.error))
            alone = cut_off.students[1:]
    return [outcomes[student] for student in run.students]

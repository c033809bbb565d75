"""Autograde (and generate feedback for) every student of an assignment at once.

``nbgrader autograde`` grades one notebook after another in one process, and
nbgrader's sqlite gradebook does not take concurrent writers ("database is
locked"). ``genenorm-edu autograde ASSIGNMENT --jobs N`` grades N students
at a time:

- each worker process runs nbgrader's own ``Autograde`` converter, with the
  course's ``nbgrader_config.py`` loaded as ``nbgrader autograde`` loads it,
  on one student at a time (as ``nbgrader autograde ASSIGNMENT --student
  ID`` would), writing the autograded notebook where nbgrader writes it;
- each worker writes into **its own copy of the gradebook**, made when the
  worker starts; after each student, the worker reads that student's rows
  back (:class:`SubmissionRows`: submission time, late penalties, automatic
  scores and comments) and the parent process writes them into the real
  gradebook with nbgrader's :class:`~nbgrader.api.Gradebook` API, one
  student at a time. Only the parent ever writes the real gradebook, so
  there is nothing to lock, and a student's grades are saved as soon as that
  student is done: stopping the run loses nothing already graded.

``genenorm-edu generate-feedback ASSIGNMENT --jobs N`` runs nbgrader's
``GenerateFeedback`` the same way (it only reads the gradebook).

The run shows a progress bar with an estimate of the time left, the
warnings of each student's grading as they come, and a table at the end. The
exit status is 1 only when some student could not be graded (or fed back).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from glob import glob
from pathlib import Path

from genenorm_edu.command_error import CommandError
from genenorm_edu.cores import usable_cores

__all__ = [
    "CommentRow",
    "GradeRow",
    "StudentOutcome",
    "SubmissionRows",
    "parse_log",
    "read_submission_rows",
    "register_commands",
    "run_students",
    "snapshot_gradebook",
    "summary_table",
    "write_submission_rows",
]

#: The two nbgrader steps that can run in parallel.
STEPS = ("autograde", "feedback")

#: What nbgrader logs when it leaves an already processed student alone.
_SKIPPED = "Skipping existing assignment"


# --- the gradebook rows of one student's submission ------------------------------


@dataclass(frozen=True)
class GradeRow:
    """The automatic part of one grade: what ``nbgrader autograde`` writes.

    Attributes
    ----------
    notebook, cell : str
        Notebook name and grade id of the graded cell.
    auto_score : float or None
    needs_manual_grade : bool
    """

    notebook: str
    cell: str
    auto_score: float | None
    needs_manual_grade: bool


@dataclass(frozen=True)
class CommentRow:
    """The automatic comment on one answer cell ("No response." when left unchanged)."""

    notebook: str
    cell: str
    auto_comment: str | None


@dataclass(frozen=True)
class SubmissionRows:
    """Everything ``nbgrader autograde`` records about one student's submission.

    Attributes
    ----------
    assignment, student : str
    timestamp : datetime or None
        When it was submitted (from ``timestamp.txt``).
    late_penalties : dict of str to float or None
        Late-submission penalty of each notebook.
    grades : tuple of GradeRow
    comments : tuple of CommentRow
    """

    assignment: str
    student: str
    timestamp: datetime | None
    late_penalties: dict[str, float | None]
    grades: tuple[GradeRow, ...]
    comments: tuple[CommentRow, ...]


def read_submission_rows(gradebook, assignment: str, student: str) -> SubmissionRows | None:
    """The rows ``nbgrader autograde`` wrote for ``student``, or None if it wrote none.

    Parameters
    ----------
    gradebook : nbgrader.api.Gradebook
        An open gradebook (a worker's copy).
    """
    from nbgrader.api import MissingEntry

    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return None
    grades, comments, penalties = [], [], {}
    for notebook in submission.notebooks:
        penalties[notebook.name] = notebook.late_submission_penalty
        grades += [
            GradeRow(notebook.name, grade.name, grade.auto_score, bool(grade.needs_manual_grade))
            for grade in notebook.grades
        ]
        comments += [CommentRow(notebook.name, comment.name, comment.auto_comment) for comment in notebook.comments]
    return SubmissionRows(
        assignment=assignment,
        student=student,
        timestamp=submission.timestamp,
        late_penalties=penalties,
        grades=tuple(grades),
        comments=tuple(comments),
    )


def write_submission_rows(gradebook, rows: SubmissionRows) -> None:
    """Record ``rows`` in ``gradebook`` as ``nbgrader autograde`` would have.

    The student and the submission are created if missing (as autograde
    does); only the fields autograde writes are set, so manual scores and
    comments in the gradebook stay as they are.
    """
    gradebook.update_or_create_student(rows.student)
    details = {"timestamp": rows.timestamp} if rows.timestamp is not None else {}
    gradebook.update_or_create_submission(rows.assignment, rows.student, **details)
    for notebook, penalty in rows.late_penalties.items():
        gradebook.find_submission_notebook(notebook, rows.assignment, rows.student).late_submission_penalty = penalty
    for row in rows.grades:
        grade = gradebook.find_grade(row.cell, row.notebook, rows.assignment, rows.student)
        grade.auto_score = row.auto_score
        grade.needs_manual_grade = row.needs_manual_grade
    for row in rows.comments:
        comment = gradebook.find_comment(row.cell, row.notebook, rows.assignment, rows.student)
        comment.auto_comment = row.auto_comment
    gradebook.db.commit()


def snapshot_gradebook(source: Path, target: Path) -> None:
    """Copy the sqlite gradebook ``source`` to ``target``, consistently, without writing to it."""
    with contextlib.closing(sqlite3.connect(f"{Path(source).resolve().as_uri()}?mode=ro", uri=True)) as reader:
        with contextlib.closing(sqlite3.connect(target)) as writer:
            reader.backup(writer)


def sqlite_path(db_url: str) -> Path:
    """The file of a ``sqlite:///...`` gradebook URL.

    Raises
    ------
    ValueError
        For a gradebook that is not a sqlite file (a database server takes
        concurrent writers itself: use ``nbgrader autograde`` there).

    Examples
    --------
    >>> sqlite_path("sqlite:////srv/course/gradebook.db").as_posix()
    '/srv/course/gradebook.db'
    """
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise ValueError(f"the gradebook {db_url!r} is not a sqlite file; --jobs needs one")
    return Path(url.database)


# --- what happened to one student ------------------------------------------------


@dataclass(frozen=True)
class StudentOutcome:
    """One student's run of an nbgrader step.

    Attributes
    ----------
    student : str
    status : str
        ``"done"``, ``"skipped"`` (already done; ``--force`` redoes it) or
        ``"failed"``.
    seconds : float
        Wall time of the step for this student.
    log : str
        nbgrader's log of this student.
    error : str
        Why it failed (traceback, or what ended the worker), if it did.
    rows : SubmissionRows or None
        What autograde recorded, to be written into the real gradebook.
    """

    student: str
    status: str
    seconds: float
    log: str = ""
    error: str = ""
    rows: SubmissionRows | None = None


_LOG_LINE = re.compile(r"^\[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\] ", re.MULTILINE)


def parse_log(log: str) -> list[tuple[str, str]]:
    """Split a log captured by nbgrader (``[LEVEL] message`` lines) into ``(level, message)``.

    A message's continuation lines stay with it.

    Examples
    --------
    >>> parse_log("[INFO] start\\n[WARNING] two\\nlines\\n[ERROR] bad\\n")
    [('INFO', 'start'), ('WARNING', 'two\\nlines'), ('ERROR', 'bad')]
    """
    starts = list(_LOG_LINE.finditer(log))
    messages = []
    for match, following in zip(starts, [*starts[1:], None]):
        end = following.start() if following is not None else len(log)
        messages.append((match.group(1), log[match.end() : end].rstrip("\n")))
    return messages


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


def _nbgrader_app(step: str, options: Sequence[str]):
    """nbgrader's application for ``step``, configured as its command line would be."""
    app = _app_class(step)()
    app.initialize(list(options))
    return app


def _start_worker(step: str, root: str, options: Sequence[str], gradebook: str, scratch: str) -> None:
    global _worker
    os.chdir(root)
    copy = Path(scratch) / f"gradebook-{os.getpid()}.db"
    snapshot_gradebook(Path(gradebook), copy)
    app = _nbgrader_app(step, options)
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
        error=f"a grading process died twice while this student was pending ({error}): the machine, "
        "not the submission (students' code runs in a separate, limited kernel); rerun this student",
    )  # fmt: skip


def run_students(run: StepRun, *, gradebook: Path, root: Path, progress: bool | None = None) -> list[StudentOutcome]:
    """Run ``run.step`` on every student of ``run``, ``run.jobs`` at a time.

    Autograde results are written into ``gradebook`` as each student
    finishes. If a worker process dies (killed for memory, say: students'
    code runs in kernels of its own, so this is the machine's doing), the
    pool stops; the students not done yet are run again in a new pool, and a
    student pending in two such breakdowns is reported failed.

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
    from concurrent.futures.process import BrokenProcessPool

    from nbgrader.api import Gradebook
    from tqdm import tqdm

    outcomes: dict[str, StudentOutcome] = {}
    breakdowns = dict.fromkeys(run.students, 0)
    pending = list(run.students)
    # No monitor thread: workers are forked from this process, which must have no other threads.
    tqdm.monitor_interval = 0
    bar = tqdm(total=len(pending), unit="student", desc=f"{run.step} {run.assignment}", disable=None if progress is None else not progress)
    with tempfile.TemporaryDirectory(prefix="genenorm-edu-gradebooks-") as scratch, bar:
        while pending:
            pool = ProcessPoolExecutor(
                max_workers=max(1, min(run.jobs, len(pending))),
                mp_context=_context(),
                initializer=_start_worker,
                initargs=(run.step, str(root), tuple(run.options), str(gradebook), scratch),
            )
            retry = []
            with pool:
                futures = {pool.submit(_run_one, run.assignment, student, run.force): student for student in pending}
                try:
                    for future in as_completed(futures):
                        student = futures[future]
                        try:
                            outcome = future.result()
                        except BrokenProcessPool as error:
                            breakdowns[student] += 1
                            if breakdowns[student] < 2:
                                retry.append(student)
                                continue
                            outcome = _worker_died(student, error)
                        if outcome.rows is not None:
                            with Gradebook(f"sqlite:///{gradebook}") as real:
                                write_submission_rows(real, outcome.rows)
                        outcomes[student] = outcome
                        for line in _notable(outcome):
                            bar.write(line)
                        bar.set_postfix_str(f"last: {student} {outcome.status}", refresh=False)
                        bar.update(1)
                except KeyboardInterrupt:
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
            pending = [student for student in run.students if student in retry]
    return [outcomes[student] for student in run.students]


def _scores(gradebook: Path, assignment: str, students: Iterable[str]) -> dict[str, tuple[float, float]]:
    from nbgrader.api import Gradebook, MissingEntry

    scores = {}
    with Gradebook(f"sqlite:///{gradebook}") as real:
        for student in students:
            try:
                submission = real.find_submission(assignment, student)
            except MissingEntry:
                continue
            scores[student] = (submission.score, submission.max_score)
    return scores


def summary_table(outcomes: Sequence[StudentOutcome], scores: dict[str, tuple[float, float]] | None = None) -> str:
    """A table of the outcomes, one line per student, and a line of totals.

    Examples
    --------
    >>> table = summary_table(
    ...     [StudentOutcome("ada", "done", 4.0), StudentOutcome("bob", "failed", 1.0, error="x")],
    ...     {"ada": (3.0, 9.0)},
    ... )
    >>> print(table)  # doctest: +NORMALIZE_WHITESPACE
    student  result  score  seconds
    ada      done    3 / 9      4.0
    bob      FAILED  -          1.0
    2 students: 1 done, 0 skipped, 1 FAILED
    """
    scores = scores or {}
    rows = [("student", "result", "score", "seconds")]
    for outcome in outcomes:
        score = scores.get(outcome.student)
        shown = f"{score[0]:g} / {score[1]:g}" if score else "-"
        status = "FAILED" if outcome.status == "failed" else outcome.status
        rows.append((outcome.student, status, shown, f"{outcome.seconds:.1f}"))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]:>{widths[3]}}"
        for row in rows
    ]
    counts = {status: sum(outcome.status == status for outcome in outcomes) for status in ("done", "skipped", "failed")}
    lines.append(
        f"{len(outcomes)} students: {counts['done']} done, {counts['skipped']} skipped, {counts['failed']} FAILED"
    )
    return "\n".join(lines)


def _submitted_students(coursedir, directory: str, assignment: str) -> list[str]:
    """Students with a folder for ``assignment`` in ``directory`` (submitted/ or autograded/)."""
    pattern = coursedir.format_path(directory, "*", assignment)
    prefix, suffix = pattern.split("*", 1)
    found = []
    for path in glob(pattern):
        if os.path.isdir(path) and path.startswith(prefix) and path.endswith(suffix):
            found.append(path[len(prefix) : len(path) - len(suffix)])
    excluded = set(filter(None, coursedir.student_id_exclude.split(",")))
    return sorted(set(found) - excluded)


def _run_command(args: argparse.Namespace) -> int:
    from nbgrader.api import Gradebook, MissingEntry

    step = args.step
    root = Path.cwd()
    app = _nbgrader_app(step, args.nbgrader_options)
    coursedir = app.coursedir
    try:
        gradebook = sqlite_path(coursedir.db_url)
    except ValueError as error:
        raise CommandError(error) from error
    with Gradebook(coursedir.db_url) as real:
        try:
            real.find_assignment(args.assignment)
        except MissingEntry:
            raise CommandError(
                f"{args.assignment!r} is not in the gradebook {gradebook}: run "
                f"`nbgrader generate_assignment {args.assignment} --force` first"
            ) from None
    directory = coursedir.submitted_directory if step == "autograde" else coursedir.autograded_directory
    available = _submitted_students(coursedir, directory, args.assignment)
    students = available if not args.student else sorted(set(args.student))
    missing = sorted(set(students) - set(available))
    if missing:
        where = coursedir.format_path(directory, "<student>", args.assignment)
        raise CommandError(f"nothing in {where} for {', '.join(missing)}")
    if not students:
        where = coursedir.format_path(directory, "*", args.assignment)
        raise CommandError(f"no student has a folder {where}")
    run = StepRun(
        step=step,
        assignment=args.assignment,
        students=tuple(students),
        jobs=args.jobs or usable_cores(),
        force=args.force,
        options=tuple(args.nbgrader_options),
    )
    started = time.monotonic()
    outcomes = run_students(run, gradebook=gradebook, root=root)
    seconds = time.monotonic() - started
    for outcome in outcomes:
        if outcome.status == "failed":
            print(f"\n--- {outcome.student}: could not be processed; nbgrader's log:", file=sys.stderr)
            print(outcome.log.strip()[-6000:] or outcome.error.strip()[-6000:], file=sys.stderr)
    scores = _scores(gradebook, args.assignment, students) if step == "autograde" else {}
    print(summary_table(outcomes, scores))
    done = [outcome for outcome in outcomes if outcome.status == "done"]
    per_notebook = f", {sum(o.seconds for o in done) / len(done):.1f} s per student" if done else ""
    print(f"{seconds:.1f} s with {min(run.jobs, len(students))} parallel jobs{per_notebook}")
    return 1 if any(outcome.status == "failed" for outcome in outcomes) else 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def register_commands(subparsers) -> None:
    """Add ``autograde`` and ``generate-feedback`` to the ``genenorm-edu`` parser."""
    helps = {
        "autograde": (
            "autograde",
            "autograde every collected submission, several students at a time",
            "Run nbgrader's autograde on every student with a folder in submitted/ for "
            "ASSIGNMENT, --jobs students at a time, each exactly as `nbgrader autograde "
            "ASSIGNMENT --student ID` would; the scores go into the gradebook as each "
            "student is done. Run it from the course root. nbgrader options "
            "(--Execute.timeout=120) are passed on. Exit status 1 if some student could not be graded.",
        ),
        "feedback": (
            "generate-feedback",
            "generate the feedback pages of every autograded student, several at a time",
            "Run nbgrader's generate_feedback on every student with a folder in autograded/ "
            "for ASSIGNMENT, --jobs students at a time. Run it from the course root.",
        ),
    }
    for step, (name, short, long) in helps.items():
        parser = subparsers.add_parser(name, help=short, description=long)
        parser.add_argument("assignment", metavar="ASSIGNMENT")
        parser.add_argument(
            "--jobs", "-j", type=_positive_int, default=None, metavar="N",
            help="students processed at a time (default: all usable cores)",
        )  # fmt: skip
        parser.add_argument("--force", action="store_true", help="redo students already done")
        parser.add_argument(
            "--student", action="append", metavar="ID", help="only this student (repeatable)"
        )
        parser.set_defaults(func=_run_command, step=step, passes_nbgrader_options=True)

"""The ``genenorm-edu autograde`` and ``generate-feedback`` subcommands."""

from __future__ import annotations

import argparse
import os
import sys
import time
from glob import glob
from pathlib import Path

from genenorm_edu.command_error import CommandError
from genenorm_edu.cores import usable_cores
from genenorm_edu.grading.parallel.pool import StepRun, nbgrader_app, run_students
from genenorm_edu.grading.parallel.rows import sqlite_path
from genenorm_edu.grading.parallel.summary import gradebook_scores, summary_table


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
    app = nbgrader_app(step, args.nbgrader_options)
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
    scores = gradebook_scores(gradebook, args.assignment, students) if step == "autograde" else {}
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

"""``genenorm-edu report ASSIGNMENT`` (or ``--all``): the class report of an assignment.

Run from the course root (where ``gradebook.db`` is), after ``genenorm-edu
autograde``. Writes ``class_report/<assignment>.html`` (one self-contained
page), ``class_report/<assignment>.csv`` (one row per student) and
``class_report/<assignment>-exercises.csv`` (per exercise: full marks, each
case's failures, each recognized mistake). This
module only defines the arguments; the report's modules (nbgrader,
matplotlib) are imported when the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from genenorm_edu.command_error import BadInputError, CommandError

__all__ = ["register_command", "run_report"]

SUMMARY = "write a class report (HTML page + CSV): scores, failed cases and mistakes per exercise"


def register_command(subparsers) -> None:
    """Add ``report`` to the ``genenorm-edu`` subcommands."""
    parser = subparsers.add_parser(
        "report",
        help=SUMMARY,
        description=(
            "Class report of an autograded assignment, from the gradebook and the records "
            "autograde keeps in class_report/records/: per exercise the score distribution, "
            "the share with full marks, the visible and hidden cases by failure rate and the "
            "recognized mistakes; per student the scores and flags; grading times. Run from "
            "the course root."
        ),
    )
    parser.add_argument("assignment", nargs="?", help="the assignment (e.g. 01-ndarray-internals)")
    parser.add_argument("--all", action="store_true", help="every assignment in the gradebook")
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for the .html and .csv (default: class_report/)"
    )
    parser.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Write the report(s) asked for by ``args``; print where each went."""
    if bool(args.assignment) == bool(args.all):
        raise CommandError("name one assignment, or --all (not both)")
    root = Path.cwd()
    database = root / "gradebook.db"
    if not database.is_file():
        raise CommandError(
            f"no gradebook.db in {root}: run this from the course root, after genenorm-edu autograde"
        )
    from genenorm_edu.atomic import atomic_write
    from genenorm_edu.grading.class_record import RECORDS_FOLDER
    from genenorm_edu.grading.report.aggregate import GRADED, PARTLY_GRADED, class_report
    from genenorm_edu.grading.report.gradebook import UnknownAssignment, assignment_names, read_scores
    from genenorm_edu.grading.report.page import exercises_csv, index_html, report_csv, report_html
    from genenorm_edu.grading.report.records import RecordError, read_records

    url = f"sqlite:///{database}"
    names = assignment_names(url) if args.all else [args.assignment]
    if not names:
        raise CommandError(f"{database}: the gradebook has no assignment yet")
    out = args.out if args.out is not None else root / RECORDS_FOLDER.parent
    reports = []
    for name in names:
        try:
            scores = read_scores(url, name, root)
        except UnknownAssignment:
            known = ", ".join(assignment_names(url)) or "none"
            raise CommandError(f"{name!r} is not in the gradebook {database} (it has: {known})") from None
        try:
            records = read_records(root, name)
        except RecordError as error:
            raise BadInputError(str(error)) from None
        report = class_report(scores, records)
        reports.append(report)
        try:
            outputs = (
                (".html", report_html(report)),
                (".csv", report_csv(report)),
                ("-exercises.csv", exercises_csv(report)),
            )
            for suffix, text in outputs:
                with atomic_write(out / f"{name}{suffix}") as file:
                    file.write(text.encode("utf-8"))
        except OSError as error:
            raise CommandError(f"{out}: cannot write the report ({error.strerror or error})") from None
        graded = len(report.students_in(GRADED)) + len(report.students_in(PARTLY_GRADED))
        print(f"{name}: {report.state}, {graded} of {len(report.students)} students graded -> {out / name}.html, .csv, -exercises.csv")
    if args.all:
        try:
            with atomic_write(out / "index.html") as file:
                file.write(index_html(reports).encode("utf-8"))
        except OSError as error:
            raise CommandError(f"{out}: cannot write the report ({error.strerror or error})") from None
        print(f"index of {len(reports)} assignments -> {out / 'index.html'}")
    return 0

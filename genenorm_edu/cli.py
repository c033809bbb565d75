"""The ``genenorm-edu`` command line.

Each subcommand lives next to the code it drives; this module only wires them
into one parser. The instructor's commands (``release``, ``student-bundle``,
``autograde``, ``generate-feedback``) come from :mod:`genenorm_edu.grading`,
which the students' copy of the course does not have
(``genenorm-edu student-bundle``): there, the command has the student's
subcommands only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from genenorm_edu.command_error import CommandError, format_error


def _register_instructor_commands(subparsers) -> None:
    """Add the grading commands, where the instructor's tooling is installed."""
    try:
        from genenorm_edu.grading import bundle, parallel, release
    except ModuleNotFoundError as error:
        if error.name != "genenorm_edu.grading":
            raise
        return  # a student's copy of the course
    release.register_command(subparsers)
    bundle.register_command(subparsers)
    parallel.register_commands(subparsers)
    from genenorm_edu.grading.report import command as report_command  # arguments only

    report_command.register_command(subparsers)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``genenorm-edu`` command with all subcommands.

    Examples
    --------
    >>> sorted(build_parser()._subparsers._group_actions[0].choices)  # doctest: +NORMALIZE_WHITESPACE
    ['autograde', 'data', 'generate-feedback', 'make-corpus', 'medians', 'release',
     'report', 'student-bundle']
    """
    from genenorm_edu import data
    from genenorm_edu.medians import command as medians_command

    parser = argparse.ArgumentParser(
        prog="genenorm-edu",
        description="Advanced NumPy course data and the non-zero median workflow.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    data.register_command(subparsers)
    medians_command.register_commands(subparsers)
    _register_instructor_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    # The grading commands pass nbgrader's own options on (``--Execute.timeout=120``).
    if unknown and not getattr(args, "passes_nbgrader_options", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.nbgrader_options = unknown
    try:
        return int(args.func(args) or 0)
    except CommandError as error:
        print(format_error(args.command, error), file=sys.stderr)
        return error.status


if __name__ == "__main__":
    sys.exit(main())

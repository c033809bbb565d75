"""The ``genenorm-edu`` command line.

Each subcommand lives next to the code it drives, in a module with a
``register_command(s)(subparsers)`` function; this module only wires them
into one parser, from the table :data:`SUBCOMMANDS`. A run imports only the
module of the subcommand it runs: ``genenorm-edu --help`` lists the
subcommands from the table without importing any of them (NumPy, nbformat,
Dask), so it answers at once (``benchmarks/bench_cli.py``).

The instructor's commands (``release``, ``student-bundle``, ``autograde``,
``generate-feedback``) come from :mod:`genenorm_edu.grading`, which the
students' copy of the course does not have (``genenorm-edu student-bundle``):
there, the command has the student's subcommands only.

Errors follow one convention (:mod:`genenorm_edu.command_error`): a message
on stderr, ``genenorm-edu COMMAND: error: MESSAGE``; exit status 1 for bad
input, 2 for usage and environment errors.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from genenorm_edu.command_error import EXIT_STATUS_EPILOG, CommandError, format_error

__all__ = ["SUBCOMMANDS", "Subcommand", "build_parser", "main"]


@dataclass(frozen=True)
class Subcommand:
    """One ``genenorm-edu`` subcommand: its one-line summary and where it is defined.

    Parameters
    ----------
    name
        The subcommand, as typed.
    summary
        The line ``genenorm-edu --help`` shows (the module's ``help=``; a test
        keeps the two equal).
    module
        The module whose ``register`` function adds the subcommand (and maybe
        others) to the parser; imported only when the subcommand runs.
    register
        The name of that function; it takes the ``add_subparsers()`` object.
    instructor
        Part of the instructor's tooling (:mod:`genenorm_edu.grading`), absent
        from the students' copy of the course.
    """

    name: str
    summary: str
    module: str
    register: str
    instructor: bool = False


#: Every subcommand, in the order ``genenorm-edu --help`` lists them.
SUBCOMMANDS = (
    Subcommand(
        "data",
        "generate (or download with --real) and verify the course data",
        "genenorm_edu.data.command",
        "register_command",
    ),
    Subcommand(
        "medians",
        "non-zero median expression of each gene over .loom/.h5ad files (Geneformer)",
        "genenorm_edu.medians.command",
        "register_commands",
    ),
    Subcommand(
        "make-corpus",
        "write a synthetic corpus of .loom or .h5ad files for the medians workflow",
        "genenorm_edu.medians.command",
        "register_commands",
    ),
    Subcommand(
        "release",
        "regenerate the student notebooks (notebooks/) from solutions/",
        "genenorm_edu.grading.release",
        "register_command",
        instructor=True,
    ),
    Subcommand(
        "student-bundle",
        "write the students' copy of the course (no solutions, no hidden tests)",
        "genenorm_edu.grading.bundle",
        "register_command",
        instructor=True,
    ),
    Subcommand(
        "autograde",
        "autograde every collected submission, several students at a time",
        "genenorm_edu.grading.parallel.command",
        "register_commands",
        instructor=True,
    ),
    Subcommand(
        "generate-feedback",
        "generate the feedback pages of every autograded student, several at a time",
        "genenorm_edu.grading.parallel.command",
        "register_commands",
        instructor=True,
    ),
    Subcommand(
        "report",
        "write a class report (HTML page + CSV): scores, failed cases and mistakes per exercise",
        "genenorm_edu.grading.report.command",
        "register_command",
        instructor=True,
    ),
)


def _is_installed(module: str) -> bool:
    """Whether this installation has ``module``'s file, found without importing anything.

    The students' copy of the course leaves out the grading tooling and the
    median workflow's command line; importing the package that would hold
    them (``importlib.util.find_spec``) would cost the workflow's imports.
    """
    package_dir = Path(__file__).resolve().parent
    path = package_dir.joinpath(*module.split(".")[1:])
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def available_subcommands() -> tuple[Subcommand, ...]:
    """The subcommands of this installation (none whose module the student copy leaves out)."""
    return tuple(command for command in SUBCOMMANDS if _is_installed(command.module))


def build_parser(load: Collection[str] | None = None) -> argparse.ArgumentParser:
    """Return the parser of the ``genenorm-edu`` command.

    Parameters
    ----------
    load
        The subcommands whose modules are imported to define their arguments
        (the one about to run); the others get a placeholder with their
        summary only. None (the default): all of them.

    Examples
    --------
    >>> sorted(build_parser()._subparsers._group_actions[0].choices)  # doctest: +NORMALIZE_WHITESPACE
    ['autograde', 'data', 'generate-feedback', 'make-corpus', 'medians', 'release', 'report',
     'student-bundle']
    >>> parser = build_parser(load=["data"])  # imports genenorm_edu.data.command only
    >>> parser.parse_args(["data", "--real"]).real
    True
    """
    commands = available_subcommands()
    parser = argparse.ArgumentParser(
        prog="genenorm-edu",
        description="Advanced NumPy course data and the non-zero median workflow.",
        epilog=EXIT_STATUS_EPILOG,
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    registered: set[tuple[str, str]] = set()
    for command in commands:
        if (load is None or command.name in load) and (command.module, command.register) not in registered:
            registered.add((command.module, command.register))
            register = getattr(importlib.import_module(command.module), command.register)
            register(subparsers)
    for command in commands:
        if command.name not in subparsers.choices:
            # Not run now: listed with its summary; its module is not imported.
            subparsers.add_parser(command.name, help=command.summary, add_help=False)
    for subparser in subparsers.choices.values():
        if subparser.epilog is None:
            subparser.epilog = EXIT_STATUS_EPILOG
    # ``genenorm-edu --help`` lists the subcommands in the table's order.
    order = {command.name: index for index, command in enumerate(commands)}
    subparsers._choices_actions.sort(key=lambda action: order.get(action.dest, len(order)))
    return parser


def _requested_subcommand(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line: its first word that is not an option.

    ``genenorm-edu`` itself has no options but ``-h``/``--help``, so the
    first word that does not start with ``-`` is the one argparse will take
    as the subcommand.

    Examples
    --------
    >>> _requested_subcommand(["--help"]) is None
    True
    >>> _requested_subcommand(["medians", "corpus/", "--out", "results/"])
    'medians'
    """
    for word in argv:
        if not word.startswith("-"):
            return word
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit status.

    A :class:`~genenorm_edu.command_error.CommandError` raised by the
    subcommand is printed to stderr (``genenorm-edu COMMAND: error:
    MESSAGE``) and gives the exit status (1 bad input, 2 usage or
    environment); argparse's own usage errors exit with 2 as well.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    requested = _requested_subcommand(argv)
    parser = build_parser(load=() if requested is None else (requested,))
    args, unknown = parser.parse_known_args(argv)
    # The grading commands pass nbgrader's own options on (``--Execute.timeout=120``).
    if unknown and not getattr(args, "passes_nbgrader_options", False):
        subparser = parser._subparsers._group_actions[0].choices[args.command]
        subparser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.nbgrader_options = unknown
    try:
        return int(args.func(args) or 0)
    except CommandError as error:
        print(format_error(args.command, error), file=sys.stderr)
        return error.status


if __name__ == "__main__":
    sys.exit(main())

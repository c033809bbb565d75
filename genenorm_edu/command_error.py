"""How a ``genenorm-edu`` subcommand reports an error: one convention for all.

A subcommand raises :class:`CommandError` (usage and environment errors: a
missing folder, a file that already exists, a network or disk failure, a
command run from the wrong place) or :class:`BadInputError` (an input file or
value that is wrong); :func:`genenorm_edu.cli.main` prints the message to
stderr as ``genenorm-edu COMMAND: error: MESSAGE`` -- the form argparse uses
for its own usage errors -- and exits with the error's status.

Examples
--------
>>> error = BadInputError("counts.npy: not a .npy file")
>>> error.status, str(error)
(1, 'counts.npy: not a .npy file')
>>> format_error("data", error)
'genenorm-edu data: error: counts.npy: not a .npy file'
"""

from __future__ import annotations

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_STATUS_EPILOG",
    "EXIT_USAGE",
    "BadInputError",
    "CommandError",
    "format_error",
]

#: Exit status of a run stopped by bad input (an input file or value is wrong).
EXIT_BAD_INPUT = 1
#: Exit status of a usage or environment error (argparse uses 2 too).
EXIT_USAGE = 2

#: The ``--help`` epilog of ``genenorm-edu`` and each subcommand.
EXIT_STATUS_EPILOG = (
    "Errors go to stderr as 'genenorm-edu COMMAND: error: MESSAGE'. Exit status: 0 "
    "done; 1 bad input (an input file or value is wrong); 2 usage or environment "
    "error (wrong arguments, a missing or existing folder, no network, disk full)."
)


class CommandError(Exception):
    """A usage or environment error of a subcommand (exit status 2)."""

    status: int = EXIT_USAGE


class BadInputError(CommandError):
    """A subcommand's input file or value is wrong (exit status 1)."""

    status: int = EXIT_BAD_INPUT


def format_error(command: str, error: CommandError) -> str:
    """The line printed to stderr for ``error`` raised by ``command``."""
    return f"genenorm-edu {command}: error: {error}"

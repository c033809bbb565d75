"""The ``genenorm-edu`` command line.

Each subcommand lives next to the code it drives; this module only wires them
into one parser.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``genenorm-edu`` command with all subcommands."""
    from genenorm_edu import data
    from genenorm_edu.grading import release
    from genenorm_edu.medians import command as medians_command

    parser = argparse.ArgumentParser(
        prog="genenorm-edu",
        description="Advanced NumPy course data and the non-zero median workflow.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    data.register_command(subparsers)
    medians_command.register(subparsers)
    release.register_command(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

"""How fast the ``genenorm-edu`` command answers, as ratios against ``import numpy``.

Each time is the best of several runs of a fresh process, the commands
interleaved, measured in this one run on this machine: the ratios hold on a
busy shared machine where absolute times do not. Run with ``make benchmark``
or ``python benchmarks/bench_cli.py``.

Target (issue #18):

- ``genenorm-edu --help`` / ``python -c "import numpy"``    <= 2.5

``genenorm-edu --help`` imports no subcommand's module (``genenorm_edu/cli.py``);
a subcommand's ``--help`` imports its own module (and so the libraries it
needs): those ratios are printed for information.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

#: Target ratio of ``genenorm-edu --help`` to ``python -c "import numpy"``.
HELP_TARGET = 2.5

#: Subcommands whose ``--help`` is timed for information.
SUBCOMMANDS = ("data", "medians", "make-corpus", "release", "student-bundle", "autograde")


def genenorm_edu_command() -> list[str]:
    """The installed ``genenorm-edu`` script next to this Python (as a user runs it)."""
    script = Path(sys.executable).parent / "genenorm-edu"
    if script.is_file():
        return [str(script)]
    found = shutil.which("genenorm-edu")
    if found is None:
        raise SystemExit("genenorm-edu is not installed: run `make setup` first")
    return [found]


def best_times(commands: dict[str, list[str]], repeats: int) -> dict[str, float]:
    """The fastest of ``repeats`` runs of each command, runs interleaved (seconds)."""
    best = {name: float("inf") for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def row(name: str, value: float, target: str) -> None:
    print(f"{name:<46} {value:8.2f}   (target {target})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs of each command (default: 7)")
    parser.add_argument(
        "--subcommands", action="store_true", help="also time each subcommand's --help (information)"
    )
    args = parser.parse_args()
    tool = genenorm_edu_command()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
        "genenorm-edu --help": [*tool, "--help"],
    }
    if args.subcommands:
        commands.update({f"genenorm-edu {name} --help": [*tool, name, "--help"] for name in SUBCOMMANDS})
    times = best_times(commands, args.repeats)
    numpy_time = times["python -c 'import numpy'"]
    print(f"best of {args.repeats} fresh processes each:")
    for name, seconds in times.items():
        print(f"  {name:<44} {seconds * 1000:8.1f} ms")
    row("genenorm-edu --help / import numpy", times["genenorm-edu --help"] / numpy_time, f"<= {HELP_TARGET}")
    if args.subcommands:
        for name in SUBCOMMANDS:
            key = f"genenorm-edu {name} --help"
            row(f"  {name} --help / import numpy", times[key] / numpy_time, "info")


if __name__ == "__main__":
    main()

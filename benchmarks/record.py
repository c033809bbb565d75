"""Run one benchmark and keep its latest output in ``benchmarks/RESULTS.md``.

    python benchmarks/record.py [--note TEXT] SCRIPT [ARGS...]

runs ``python SCRIPT ARGS...``, shows its output as it comes, and when it
succeeds replaces SCRIPT's section of ``RESULTS.md`` (or appends one) with
the output, the command, the date, the commit and the machine (CPU, cores,
load average, Python and NumPy versions). A benchmark that fails leaves the
file as it was. ``make benchmark`` runs every benchmark through it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
RESULTS = BENCHMARKS / "RESULTS.md"

HEADER = """# Benchmark results

The latest output of each benchmark, written by `make benchmark`
(`benchmarks/record.py` replaces a benchmark's section after each successful
run). Times are the best of several repeats; the ratios compare two things
measured in the same run on the same machine, so they are what to compare
across machines, absolute times are not. Targets are in each script's
docstring and printed next to each ratio.
"""


def machine() -> str:
    """One line on the machine: CPU model, cores, load, OS, Python and NumPy."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        load = "unknown"
    try:
        import numpy

        numpy_version = numpy.__version__
    except ImportError:
        numpy_version = "not installed"
    return (
        f"{cpu}, {os.cpu_count()} logical cores, load average {load} (1, 5, 15 min); "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"NumPy {numpy_version}"
    )


def commit() -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(BENCHMARKS), "describe", "--always", "--dirty"],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


def section(script: str, command: str, output: str, note: str | None) -> str:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## {script}",
        "",
        f"- command: `{command}`",
        f"- date: {now}; commit {commit()}",
        f"- machine: {machine()}",
    ]
    if note:
        lines.append(f"- note: {note}")
    fence = "````" if "```" in output else "```"
    lines += ["", fence + "text", output.rstrip("\n"), fence, ""]
    return "\n".join(lines)


def replace_section(document: str, script: str, new: str) -> str:
    """``document`` with the section ``## script`` replaced by ``new`` (appended if absent).

    Examples
    --------
    >>> text = "# R\\n\\n## a.py\\n\\nold\\n\\n## b.py\\n\\nkept\\n"
    >>> print(replace_section(text, "a.py", "## a.py\\n\\nnew\\n"))
    # R
    <BLANKLINE>
    ## a.py
    <BLANKLINE>
    new
    <BLANKLINE>
    ## b.py
    <BLANKLINE>
    kept
    <BLANKLINE>
    >>> replace_section("# R\\n", "c.py", "## c.py\\n\\nfirst\\n").endswith("## c.py\\n\\nfirst\\n")
    True
    >>> replace_section("# R\\n\\n## a.py\\n\\nold\\n", "b.py", "## b.py\\n\\nnew\\n")
    '# R\\n\\n## a.py\\n\\nold\\n\\n## b.py\\n\\nnew\\n'
    """
    parts = re.split(r"(?m)^(?=## )", document)
    head, sections = parts[0], parts[1:]
    new = new.rstrip("\n") + "\n\n"
    sections = [part.rstrip("\n") + "\n\n" for part in sections]
    for index, part in enumerate(sections):
        if part.splitlines()[0] == f"## {script}":
            sections[index] = new
            break
    else:
        sections.append(new)
    if not head.endswith("\n\n"):
        head = head.rstrip("\n") + "\n\n"
    return (head + "".join(sections)).rstrip("\n") + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--note", default=None, help="a line to keep with the results")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the file (default: %(default)s)")
    parser.add_argument("script", help="the benchmark, e.g. benchmarks/bench_cli.py")
    parser.add_argument("arguments", nargs=argparse.REMAINDER, help="its arguments")
    args = parser.parse_args()
    script = Path(args.script)
    process = subprocess.Popen(
        [sys.executable, str(script), *args.arguments],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output = []
    for line in process.stdout:
        print(line, end="", flush=True)
        output.append(line)
    if process.wait() != 0:
        print(f"record.py: {script.name} failed (exit status {process.returncode}); "
              f"{args.results.name} not changed", file=sys.stderr)
        return process.returncode
    command = " ".join(["python", f"benchmarks/{script.name}", *args.arguments])
    document = args.results.read_text() if args.results.exists() else HEADER
    updated = replace_section(document, script.name, section(script.name, command, "".join(output), args.note))
    scratch = args.results.with_name(args.results.name + ".tmp")
    scratch.write_text(updated)
    scratch.replace(args.results)  # whole or not at all
    print(f"record.py: {script.name} -> {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

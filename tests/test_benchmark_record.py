"""benchmarks/record.py keeps each benchmark's latest output in RESULTS.md; a failed run changes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RECORD = Path(__file__).resolve().parents[1] / "benchmarks" / "record.py"


def record(results: Path, script: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RECORD), "--results", str(results), "--note", "test run", str(script), *arguments],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_run_writes_then_replaces_its_section_and_keeps_the_others(tmp_path):
    results = tmp_path / "RESULTS.md"
    first, second = tmp_path / "bench_a.py", tmp_path / "bench_b.py"
    first.write_text("import sys; print('ratio a', sys.argv[1])\n")
    second.write_text("print('ratio b 0.50')\n")
    assert record(results, first, "1.00").returncode == 0
    assert record(results, second).returncode == 0
    assert record(results, first, "2.00").returncode == 0
    text = results.read_text()
    assert text.startswith("# Benchmark results")
    assert text.count("## bench_a.py") == 1 and text.count("## bench_b.py") == 1
    assert "ratio a 2.00" in text and "ratio a 1.00" not in text and "ratio b 0.50" in text
    assert text.index("## bench_a.py") < text.index("## bench_b.py")  # its place is kept
    assert "- machine: " in text and "logical cores" in text and "- note: test run" in text
    assert "`python benchmarks/bench_a.py 2.00`" in text


def test_a_failed_benchmark_leaves_the_results_as_they_were(tmp_path):
    results = tmp_path / "RESULTS.md"
    script = tmp_path / "bench_a.py"
    script.write_text("print('ratio a 1.00')\n")
    assert record(results, script).returncode == 0
    before = results.read_text()
    script.write_text("print('half a result'); raise SystemExit(3)\n")
    done = record(results, script)
    assert done.returncode == 3 and "not changed" in done.stderr
    assert results.read_text() == before


def test_the_repository_carries_results_of_the_cli_benchmark():
    text = (RECORD.parent / "RESULTS.md").read_text()
    assert "## bench_cli.py" in text and "genenorm-edu --help / import numpy" in text

"""Shared pytest fixtures.

Each fixture is named after what it provides; add new ones below with their
own docstring.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import settings

# No per-example time limit (Hypothesis' default deadline is 200 ms): machines
# are shared and noisy, and speed targets live in benchmarks/, not in tests.
settings.register_profile("genenorm-edu", deadline=None)
settings.load_profile("genenorm-edu")


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium, for the browser tests (skipped, and said so at the end, without it)."""
    from e2e_support import CHROMIUM_MISSING, find_chromium

    path = find_chromium()
    if path is None:
        pytest.skip(CHROMIUM_MISSING)
    return path


@pytest.fixture(scope="session")
def synthetic_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the synthetic course data, generated once per session.

    Point the loaders at it with ``directory=synthetic_data_dir`` or by
    setting ``GENENORM_EDU_DATA_DIR`` (``monkeypatch.setenv``) -- e.g. for a
    notebook run in a subprocess. Treat its files as read-only.
    """
    from genenorm_edu import data

    directory = tmp_path_factory.mktemp("synthetic-data")
    data.load_gene_lengths("synthetic", directory=directory)
    data.load_counts("synthetic", directory=directory)
    return directory


@pytest.fixture(scope="session")
def median_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic ``.loom`` corpus (2 databases x 3 files, 120 genes x 250 cells).

    Made once per session with ``genenorm_edu.medians.make_corpus``; holds
    ``gene_info.csv``. Treat it as read-only (copy it to change files).
    """
    from genenorm_edu.medians import make_corpus

    directory = tmp_path_factory.mktemp("median-corpus")
    make_corpus(directory, databases=2, files_per_database=3, genes=120, cells=250, seed=1)
    return directory


@pytest.fixture(scope="session")
def median_reference_out(median_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output directory of one uninterrupted serial run over ``median_corpus``.

    Run with ``gene_info=median_corpus / "gene_info.csv"``; compare result
    files byte for byte against it. Treat it as read-only.
    """
    from genenorm_edu.medians import run_workflow

    out = tmp_path_factory.mktemp("median-reference-out")
    result = run_workflow(
        [median_corpus], out, gene_info=median_corpus / "gene_info.csv", workers=1, quiet=True
    )
    assert result.ok and len(result.digested) == 6
    return out


# --- what this run could not test -----------------------------------------------


def _skip_reason(report: pytest.TestReport) -> str:
    """The reason a skipped test gave (``pytest.skip``, ``skipif``, ``importorskip``)."""
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        reason = str(report.longrepr[2])
    else:
        reason = str(report.longrepr)
    return reason.removeprefix("Skipped: ").strip()


def not_tested_line(reports: list[pytest.TestReport]) -> str | None:
    """One line saying which tests were skipped and why, grouped by reason; None if none.

    A whole feature's tests skip for one reason (the browser tests: no
    Chromium; the sandbox tests: no working bubblewrap), so each reason is one
    entry with its number of tests and the test modules they are in.
    """
    modules: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for report in reports:
        reason = _skip_reason(report)
        modules[reason].add(Path(report.nodeid.split("::")[0]).name)
        counts[reason] += 1
    if not counts:
        return None
    entries = [
        f"{counts[reason]} test(s) in {', '.join(sorted(modules[reason]))}: {reason}"
        for reason in sorted(counts, key=lambda reason: (-counts[reason], reason))
    ]
    return f"NOT TESTED ({sum(counts.values())} skipped): " + "; ".join(entries)


def pytest_unconfigure(config: pytest.Config) -> None:
    """End the run with one line on what was not tested here and why (never a silent skip).

    Written after pytest's own summary (``-ra`` lists each skip, the last
    line counts them), so that it is the run's last line.
    """
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    line = not_tested_line(reporter.stats.get("skipped", []))
    if line is not None:
        reporter.write_line(line, yellow=True, bold=True)

"""Shared pytest fixtures.

Each fixture is named after what it provides; add new ones below with their
own docstring.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# No per-example time limit (Hypothesis' default deadline is 200 ms): machines
# are shared and noisy, and speed targets live in benchmarks/, not in tests.
settings.register_profile("genenorm-edu", deadline=None)
settings.load_profile("genenorm-edu")


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

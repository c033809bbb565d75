"""The class report's plots, each a PNG inlined as a ``data:`` URI (the page needs no other file)."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np

__all__ = ["png_data_uri", "score_histogram", "timing_histogram"]


def png_data_uri(figure) -> str:
    """``figure`` as a ``data:image/png;base64,...`` URI; the figure is closed."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure():
    # A Figure without pyplot: no GUI backend, no global state between reports.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4.2, 2.4))
    return figure, figure.add_subplot()


def score_histogram(name: str, scores: Sequence[float], max_score: float) -> str:
    """Bar chart of how many students got each score of exercise ``name`` (PNG data URI)."""
    figure, ax = _figure()
    values, counts = np.unique(np.round(np.asarray(scores, dtype=float), 6), return_counts=True)
    possible = np.union1d(values, [0.0, float(max_score)])
    heights = [int(counts[values == value].sum()) for value in possible]
    colors = ["#2a9d8f" if value >= max_score else "#e76f51" if value == 0 else "#e9c46a" for value in possible]
    ax.bar([f"{value:g}" for value in possible], heights, color=colors)
    ax.set_xlabel(f"points (of {max_score:g})")
    ax.set_ylabel("students")
    ax.set_title(name, fontsize=10)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return png_data_uri(figure)


def timing_histogram(seconds: Sequence[float]) -> str:
    """Histogram of the grading time of each notebook (PNG data URI)."""
    figure, ax = _figure()
    data = np.asarray(seconds, dtype=float)
    ax.hist(data, bins=max(1, min(20, data.size)), color="#264653")
    ax.set_xlabel("seconds to grade one notebook")
    ax.set_ylabel("notebooks")
    ax.yaxis.get_major_locator().set_params(integer=True)
    return png_data_uri(figure)

"""Tests of genenorm_edu.measure (timings and peak memory for the lessons and benchmarks)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from genenorm_edu.course import GRADING_ENV
from genenorm_edu.measure import Timing, format_seconds, peak_memory, time_call


class CountingCall:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1


def test_time_call_keeps_the_best_of_its_calls(monkeypatch):
    monkeypatch.delenv(GRADING_ENV, raising=False)
    function = CountingCall()
    timing = time_call(function, "nothing", calls=4)
    assert function.calls == 4
    assert timing == Timing("nothing", timing.seconds, 4)
    assert 0 <= timing.seconds < 1


def test_time_call_calls_once_under_the_grader(monkeypatch):
    monkeypatch.setenv(GRADING_ENV, "1")
    function = CountingCall()
    assert time_call(function, calls=7).calls == 1
    assert function.calls == 1


def test_time_call_needs_a_call():
    with pytest.raises(ValueError, match="calls must be at least 1"):
        time_call(CountingCall(), calls=0)


def test_a_timing_prints_and_compares():
    slow, fast = Timing("loop", 0.25, 3), Timing("NumPy", 0.0025, 5)
    assert str(slow) == "loop: 250 ms (best of 3)"
    assert slow.times(fast) == pytest.approx(100)


@pytest.mark.parametrize(
    ("seconds", "text"), [(12.5, "12.5 s"), (1.0, "1 s"), (0.5, "500 ms"), (2e-6, "2 µs")]
)
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text


def test_peak_memory_sees_a_temporary_and_not_an_in_place_update():
    x = np.ones(1_000_000)
    with_temporary = peak_memory(lambda: x * 2.0)
    in_place = peak_memory(lambda: np.multiply(x, 2.0, out=x))
    assert x.nbytes <= with_temporary < 2 * x.nbytes
    assert in_place < x.nbytes / 100


def test_peak_memory_leaves_a_running_trace_running():
    tracemalloc.start()
    try:
        assert peak_memory(lambda: np.zeros(100_000) + 1) >= 800_000
        assert tracemalloc.is_tracing()
    finally:
        tracemalloc.stop()
    assert not tracemalloc.is_tracing()

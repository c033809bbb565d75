"""Generators of the hidden cases' inputs (instructors only): seeded, so every run grades alike.

:mod:`genenorm_edu.grading.hidden` builds the hidden cases from them.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "cells_block",
    "constant_float_rows",
    "counts_with_runs",
    "medians_with_gaps",
    "random_bytes",
    "random_shapes",
    "sparse_block",
    "strided_bytes",
    "gene_transcripts",
]


def random_shapes() -> list[tuple[int, ...]]:
    return [
        tuple(int(n) for n in np.random.default_rng(seed).integers(1, 9, size=seed % 4 + 1))
        for seed in range(5)
    ]


def sparse_block(seed: int, shape: tuple[int, int], dtype, detected: float = 0.2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    is_detected = rng.random(shape) < detected
    return (is_detected * rng.integers(1, 50, size=shape)).astype(dtype)


def random_bytes(seed: int, size: int, top: int | None = None) -> np.ndarray:
    raw = np.random.default_rng(seed).integers(0, 256, size=size).astype(np.uint8)
    if top is not None:
        raw[-1] = top
    return raw


def strided_bytes(seed: int) -> np.ndarray:
    """8 bytes, every other byte of 16 (a view), the last one above 127."""
    raw = np.random.default_rng(seed).integers(0, 256, size=16).astype(np.uint8)
    raw[14] = 222
    return raw[::2]


def constant_float_rows() -> np.ndarray:
    """Genes whose values are all equal, non-integer floats (np.std of such a row is about 1e-17)."""
    rows = np.array([[0.1] * 7, [0.7] * 7, [2.675] * 7, [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0]])
    assert (rows[:3].std(axis=1) > 0).any()  # the case is only useful while this holds
    return rows


def medians_with_gaps(seed: int, size: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    medians = rng.lognormal(1.0, 0.8, size=size)
    medians[rng.random(size) < 0.1] = np.nan
    return medians


def counts_with_runs(seed: int, size: int) -> np.ndarray:
    """Counts along genes, like a column sorted by gene length: noisy, rising."""
    rng = np.random.default_rng(seed)
    return rng.poisson(np.linspace(1, 40, size)).astype(np.uint32)


def gene_transcripts(seed: int, transcripts: int, genes: int, dtype, top: int = 50):
    """Transcripts mapped to genes at random (many per gene), with their counts."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, genes, size=transcripts), rng.integers(0, top, size=transcripts).astype(dtype)


def cells_block(seed: int, shape: tuple[int, int], dtype, detected: float = 0.4) -> tuple[np.ndarray, np.ndarray]:
    """A block of counts (genes x cells) and medians with gaps, for encode_cells."""
    return sparse_block(seed, shape, dtype, detected=detected), medians_with_gaps(seed + 1, shape[0])

"""The exact state of crick t-digests, as flat arrays: saved, sent, validated.

``crick.TDigest`` pickles itself as its centroids (means and weights), the
total weight, min and max. :class:`PackedDigests` holds that state for many
digests in a few flat arrays (what digest files hold and what parallel
tasks pass on); :func:`digest_from_state` rebuilds a digest with crick's own
``__setstate__``, so the rebuilt digest is the digest that was saved.

crick trusts a state blindly (it copies as many centroids as it is told):
:func:`validate_packed` checks a state read from disk before any of it
reaches crick.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from crick import TDigest
from crick.tdigest import CENTROID_DTYPE


# crick's TDigest clips its compression to [20, 1000] and holds at most
# 2 * ceil(compression) centroids (tdigest_new in crick/tdigest_stubs.c).
_CRICK_COMPRESSION_RANGE = (20.0, 1000.0)


def digest_state(digest: TDigest) -> tuple[np.ndarray, float, float, float]:
    """Return ``(centroids, total_weight, min, max)``, the state crick pickles."""
    centroids, total_weight, minimum, maximum = digest.__getstate__()
    return centroids, float(total_weight), float(minimum), float(maximum)


def crick_capacity(compression: float) -> int:
    """Most centroids a ``crick.TDigest(compression)`` can hold.

    Examples
    --------
    >>> crick_capacity(100.0), crick_capacity(5.0), crick_capacity(1e6)
    (200, 40, 2000)
    """
    low, high = _CRICK_COMPRESSION_RANGE
    return 2 * math.ceil(min(max(compression, low), high))


def digest_from_state(
    means: np.ndarray,
    weights: np.ndarray,
    total_weight: float,
    minimum: float,
    maximum: float,
    compression: float = 100.0,
) -> TDigest:
    """Rebuild a ``crick.TDigest`` from its saved state.

    Uses crick's own unpickling hook (``__setstate__``), so the result is the
    digest that was saved, not an approximation of it. The state must be
    valid (:func:`validate_packed`); only the centroid count is checked
    here, because crick copies that many centroids without a bounds check.

    Examples
    --------
    >>> original = TDigest()
    >>> original.update(np.arange(1.0, 1001.0))
    >>> centroids, total, low, high = digest_state(original)
    >>> copy = digest_from_state(centroids["mean"], centroids["weight"], total, low, high)
    >>> bool(copy.quantile(0.5) == original.quantile(0.5)), copy.size()
    (True, 1000.0)
    """
    if len(means) != len(weights) or len(means) > crick_capacity(compression):
        raise ValueError(
            f"{len(means)} centroid means and {len(weights)} weights do not fit a "
            f"digest of compression {compression}"
        )
    digest = TDigest(compression)
    centroids = np.empty(len(means), dtype=CENTROID_DTYPE)
    centroids["mean"] = means
    centroids["weight"] = weights
    digest.__setstate__((centroids, total_weight, minimum, maximum))
    return digest




@dataclass(frozen=True)
class PackedDigests:
    """The exact state of many digests in a few flat arrays.

    Gene ``i``'s centroids are ``means[offsets[i] - offsets[0]:offsets[i + 1]
    - offsets[0]]`` (and ``weights``); the other arrays have one value per
    digest. This is what the digest files hold and what parallel tasks
    pass on (a few arrays travel much faster than many small objects).

    Examples
    --------
    >>> digest = TDigest()
    >>> digest.update(np.array([1.0, 2.0, 4.0]))
    >>> packed = PackedDigests.from_digests([digest, TDigest()])
    >>> packed.offsets.tolist(), packed.total_weight.tolist()
    ([0, 3, 3], [3.0, 0.0])
    >>> rebuilt = packed.to_digests()
    >>> bool(rebuilt[0].quantile(0.5) == digest.quantile(0.5)), rebuilt[1].size()
    (True, 0.0)
    """

    offsets: np.ndarray
    means: np.ndarray
    weights: np.ndarray
    total_weight: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    compression: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def from_digests(cls, digests: Sequence[TDigest]) -> PackedDigests:
        """Pack ``digests`` (their exact crick state)."""
        states = [digest_state(digest) for digest in digests]
        lengths = np.array([len(state[0]) for state in states], dtype=np.int64)
        offsets = np.zeros(len(states) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        if states:
            centroids = np.concatenate([state[0] for state in states])
        else:
            centroids = np.empty(0, dtype=CENTROID_DTYPE)
        return cls(
            offsets=offsets,
            means=np.ascontiguousarray(centroids["mean"]),
            weights=np.ascontiguousarray(centroids["weight"]),
            total_weight=np.array([state[1] for state in states], dtype=np.float64),
            minimum=np.array([state[2] for state in states], dtype=np.float64),
            maximum=np.array([state[3] for state in states], dtype=np.float64),
            compression=np.array([digest.compression for digest in digests], dtype=np.float64),
        )

    @classmethod
    def concatenate(cls, parts: Sequence[PackedDigests]) -> PackedDigests:
        """One :class:`PackedDigests` holding ``parts`` one after the other."""
        lengths = np.concatenate([np.diff(part.offsets) for part in parts] or [np.zeros(0, np.int64)])
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])

        def joined(name):
            return np.concatenate([getattr(part, name) for part in parts] or [np.zeros(0)])

        return cls(
            offsets=offsets,
            means=joined("means"),
            weights=joined("weights"),
            total_weight=joined("total_weight"),
            minimum=joined("minimum"),
            maximum=joined("maximum"),
            compression=joined("compression"),
        )

    def take(self, order: np.ndarray) -> PackedDigests:
        """The digests ``order[0], order[1], ...`` (a permutation or subset)."""
        order = np.asarray(order, dtype=np.int64)
        base = self.offsets[0]
        starts, stops = self.offsets[order] - base, self.offsets[order + 1] - base
        lengths = stops - starts
        offsets = np.zeros(len(order) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        # index of every centroid kept, digest after digest
        positions = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
        return PackedDigests(
            offsets=offsets,
            means=self.means[positions],
            weights=self.weights[positions],
            total_weight=self.total_weight[order],
            minimum=self.minimum[order],
            maximum=self.maximum[order],
            compression=self.compression[order],
        )

    def digest(self, index: int) -> TDigest:
        """Rebuild digest ``index`` (validate first: :func:`validate_packed`)."""
        base = self.offsets[0]
        start, stop = self.offsets[index] - base, self.offsets[index + 1] - base
        return digest_from_state(
            self.means[start:stop],
            self.weights[start:stop],
            self.total_weight[index],
            self.minimum[index],
            self.maximum[index],
            self.compression[index],
        )

    def to_digests(self) -> list[TDigest]:
        """Rebuild all digests, exactly."""
        return [self.digest(index) for index in range(len(self))]


def validate_packed(packed: PackedDigests) -> None:
    """Check that ``packed`` is a state crick could have written.

    Raises
    ------
    ValueError
        Naming the first problem: array lengths that disagree, offsets that
        are not non-decreasing or do not cover the centroids, more
        centroids than a digest of that compression holds, weights that are
        not finite and positive, means that are not finite or not sorted,
        ``min > max`` or centroids outside ``[min, max]``, or a total weight
        different from the sum of the weights.

    Examples
    --------
    >>> digest = TDigest()
    >>> digest.update(np.array([1.0, 2.0, 4.0]))
    >>> packed = PackedDigests.from_digests([digest])
    >>> validate_packed(packed)
    >>> packed.means[:] = packed.means[::-1].copy()
    >>> validate_packed(packed)
    Traceback (most recent call last):
    ...
    ValueError: centroid means are not sorted (digest 0)
    """
    n = len(packed.offsets) - 1
    if n < 0 or packed.offsets.ndim != 1:
        raise ValueError("offsets must be a 1-D array of at least one value")
    for name in ("total_weight", "minimum", "maximum", "compression"):
        if getattr(packed, name).shape != (n,):
            raise ValueError(f"{name} has shape {getattr(packed, name).shape}, expected ({n},)")
    lengths = np.diff(packed.offsets)
    if (lengths < 0).any():
        raise ValueError("offsets are not non-decreasing")
    n_centroids = int(packed.offsets[-1] - packed.offsets[0]) if n else 0
    if packed.means.shape != (n_centroids,) or packed.weights.shape != (n_centroids,):
        raise ValueError(
            f"offsets claim {n_centroids} centroids, the file holds "
            f"{packed.means.shape} means and {packed.weights.shape} weights"
        )
    compression = packed.compression
    if not (np.isfinite(compression) & (compression > 0)).all():
        raise ValueError("compression must be finite and positive")
    capacity = 2 * np.ceil(np.clip(compression, *_CRICK_COMPRESSION_RANGE))
    over = np.flatnonzero(lengths > capacity)
    if len(over):
        raise ValueError(
            f"digest {over[0]} claims {lengths[over[0]]} centroids, more than the "
            f"{int(capacity[over[0]])} a digest of compression {compression[over[0]]} holds"
        )
    if not (np.isfinite(packed.weights) & (packed.weights > 0)).all():
        raise ValueError("centroid weights must be finite and positive")
    if not np.isfinite(packed.means).all():
        raise ValueError("centroid means must be finite")
    if n_centroids:
        starts = packed.offsets[:-1] - packed.offsets[0]
        step_down = np.diff(packed.means) < 0
        step_down[starts[(starts > 0) & (starts < n_centroids)] - 1] = False  # across digests
        if step_down.any():
            digest = int(np.searchsorted(starts, np.argmax(step_down), side="right") - 1)
            raise ValueError(f"centroid means are not sorted (digest {digest})")
    sums = np.zeros(n)
    filled = lengths > 0
    if n_centroids:
        sums[filled] = np.add.reduceat(packed.weights, (packed.offsets[:-1] - packed.offsets[0])[filled])
    if not np.allclose(sums, packed.total_weight, rtol=1e-12, atol=0):
        bad = int(np.argmax(~np.isclose(sums, packed.total_weight, rtol=1e-12, atol=0)))
        raise ValueError(
            f"total weight {packed.total_weight[bad]} of digest {bad} is not the sum "
            f"of its centroid weights ({sums[bad]})"
        )
    if filled.any():
        low, high = packed.minimum[filled], packed.maximum[filled]
        first = packed.means[(packed.offsets[:-1] - packed.offsets[0])[filled]]
        last = packed.means[(packed.offsets[1:] - packed.offsets[0])[filled] - 1]
        if not (np.isfinite(low) & np.isfinite(high) & (low <= first) & (last <= high)).all():
            raise ValueError("min and max must be finite, with the centroids between them")

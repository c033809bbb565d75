"""What genenorm_edu.medians.state relies on in crick, pinned.

``state`` saves and rebuilds digests through crick's pickling hooks
(``TDigest.__getstate__`` / ``__setstate__``), the unexported
``crick.tdigest.CENTROID_DTYPE``, and crick's centroid capacity (its
``__setstate__`` copies centroids without a bounds check, so ``state``
checks the count first). pyproject.toml caps crick below 0.1; if a crick
release changes any of this, these tests fail before any digest file is
misread.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from crick import TDigest
from crick import tdigest as crick_tdigest

from genenorm_edu.medians.state import crick_capacity, digest_from_state, digest_state


def test_centroid_dtype_is_two_float64_fields():
    assert crick_tdigest.CENTROID_DTYPE == np.dtype([("mean", "<f8"), ("weight", "<f8")])


def test_getstate_layout():
    digest = TDigest()
    digest.update(np.array([3.0, 1.0, 2.0, 2.0]))
    state = digest.__getstate__()
    assert isinstance(state, tuple) and len(state) == 4
    centroids, total_weight, minimum, maximum = state
    assert isinstance(centroids, np.ndarray) and centroids.dtype == crick_tdigest.CENTROID_DTYPE
    assert total_weight == centroids["weight"].sum() == digest.size() == 4
    assert (minimum, maximum) == (digest.min(), digest.max()) == (1.0, 3.0)
    assert (np.diff(centroids["mean"]) >= 0).all()
    assert digest.__reduce__()[:2] == (TDigest, (digest.compression,))


def test_setstate_rebuilds_the_same_digest():
    original = TDigest(50)
    original.update(np.random.default_rng(0).lognormal(size=5_000))
    rebuilt = TDigest(50)
    rebuilt.__setstate__(original.__getstate__())
    quantiles = np.linspace(0, 1, 21)
    np.testing.assert_array_equal(rebuilt.quantile(quantiles), original.quantile(quantiles))
    np.testing.assert_array_equal(rebuilt.centroids(), original.centroids())
    via_store = digest_from_state(*[part for part in _unpacked(original)], compression=50)
    np.testing.assert_array_equal(via_store.centroids(), original.centroids())


def _unpacked(digest):
    centroids, total, low, high = digest_state(digest)
    return centroids["mean"], centroids["weight"], total, low, high


@pytest.mark.parametrize("compression", [5, 20, 37.5, 100, 400, 5_000])
def test_digests_never_hold_more_centroids_than_the_capacity_store_assumes(compression):
    rng = np.random.default_rng(int(compression))
    digest = TDigest(compression)
    for _ in range(20):
        digest.update(rng.standard_normal(2_000) * rng.uniform(1, 1e6))
        assert len(digest.centroids()) <= crick_capacity(compression)
    merged = TDigest(compression)
    for _ in range(5):
        merged.merge(digest)
        assert len(merged.centroids()) <= crick_capacity(compression)
    low, high = 20, 1000  # crick clips the compression to this range
    assert digest.compression == min(max(compression, low), high)
    assert crick_capacity(compression) == 2 * math.ceil(digest.compression)

"""Saving and loading digests and results, without pickle for the digests.

A file's digests go to one ``.npz`` file holding, for all its genes, the
exact state that ``crick.TDigest`` itself pickles: the centroids (means and
weights, concatenated with ``offsets``), the total weight, min and max, and
the compression. A digest rebuilt from it with ``TDigest.__setstate__`` is
the same digest (same quantiles, same merges), exactly as the reference's
``pickle.load`` would rebuild it. The ``.npz`` also records the source
file's size and modification time, so a rerun can tell whether it is still
current.

All files are written with :func:`genenorm_edu.atomic.atomic_write`: a
killed run leaves either the old file or the new one.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from crick import TDigest
from crick.tdigest import CENTROID_DTYPE

from genenorm_edu.atomic import atomic_write
from genenorm_edu.medians.digest import FileDigests

#: Bumped when the layout of the digest files changes; older files are redone.
DIGEST_FORMAT_VERSION = 1

DIGEST_SUFFIX = ".digest.npz"


def digest_state(digest: TDigest) -> tuple[np.ndarray, float, float, float]:
    """Return ``(centroids, total_weight, min, max)``, the state crick pickles."""
    centroids, total_weight, minimum, maximum = digest.__getstate__()
    return centroids, float(total_weight), float(minimum), float(maximum)


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
    digest that was saved, not an approximation of it.

    Examples
    --------
    >>> original = TDigest()
    >>> original.update(np.arange(1.0, 1001.0))
    >>> centroids, total, low, high = digest_state(original)
    >>> copy = digest_from_state(centroids["mean"], centroids["weight"], total, low, high)
    >>> bool(copy.quantile(0.5) == original.quantile(0.5)), copy.size()
    (True, 1000.0)
    """
    digest = TDigest(compression)
    centroids = np.empty(len(means), dtype=CENTROID_DTYPE)
    centroids["mean"] = means
    centroids["weight"] = weights
    digest.__setstate__((centroids, total_weight, minimum, maximum))
    return digest


def source_signature(path: str | Path) -> tuple[int, int]:
    """Return ``(size in bytes, modification time in ns)`` of a file."""
    status = os.stat(path)
    return status.st_size, status.st_mtime_ns


def digest_file_name(source: str | Path) -> str:
    """Name of the digest file of ``source``: unique per absolute path.

    Examples
    --------
    >>> name = digest_file_name("/data/database1/study1.loom")
    >>> name.startswith("study1-") and name.endswith(".digest.npz")
    True
    >>> name == digest_file_name("/data/database2/study1.loom")
    False
    """
    absolute = os.path.abspath(source)
    tag = hashlib.sha1(absolute.encode()).hexdigest()[:12]
    return f"{Path(source).stem}-{tag}{DIGEST_SUFFIX}"


def pack_digests(digests: Sequence[TDigest]) -> dict[str, np.ndarray]:
    """Put the exact state of many digests into a few flat arrays.

    Gene ``i``'s centroids are ``means[offsets[i]:offsets[i + 1]]`` (and
    ``weights``); ``total_weight``, ``min``, ``max`` and ``compression`` have
    one value per digest. This is what the digest files hold, and what
    parallel tasks send back (a few arrays travel much faster than many
    small objects).

    Examples
    --------
    >>> digest = TDigest()
    >>> digest.update(np.array([1.0, 2.0, 4.0]))
    >>> packed = pack_digests([digest, TDigest()])
    >>> packed["offsets"].tolist(), packed["total_weight"].tolist()
    ([0, 3, 3], [3.0, 0.0])
    >>> rebuilt = unpack_digests(packed)
    >>> bool(rebuilt[0].quantile(0.5) == digest.quantile(0.5)), rebuilt[1].size()
    (True, 0.0)
    """
    states = [digest_state(digest) for digest in digests]
    lengths = np.array([len(state[0]) for state in states], dtype=np.int64)
    offsets = np.zeros(len(states) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if states:
        centroids = np.concatenate([state[0] for state in states])
    else:
        centroids = np.empty(0, dtype=CENTROID_DTYPE)
    return {
        "compression": np.array([digest.compression for digest in digests], dtype=np.float64),
        "offsets": offsets,
        "means": np.ascontiguousarray(centroids["mean"]),
        "weights": np.ascontiguousarray(centroids["weight"]),
        "total_weight": np.array([state[1] for state in states], dtype=np.float64),
        "min": np.array([state[2] for state in states], dtype=np.float64),
        "max": np.array([state[3] for state in states], dtype=np.float64),
    }


def unpack_digests(packed: Mapping[str, np.ndarray]) -> list[TDigest]:
    """Rebuild the digests packed by :func:`pack_digests`, exactly."""
    offsets = packed["offsets"]
    return [
        digest_from_state(
            packed["means"][offsets[gene] : offsets[gene + 1]],
            packed["weights"][offsets[gene] : offsets[gene + 1]],
            packed["total_weight"][gene],
            packed["min"][gene],
            packed["max"][gene],
            packed["compression"][gene],
        )
        for gene in range(len(offsets) - 1)
    ]


def save_digests(file_digests: FileDigests, path: str | Path) -> Path:
    """Write a file's digests to ``path`` (``.npz``, atomically).

    The source's size and modification time are recorded as they are now.
    """
    size, mtime_ns = source_signature(file_digests.source)
    arrays = {
        "format_version": np.int64(DIGEST_FORMAT_VERSION),
        "source": np.str_(os.path.abspath(file_digests.source)),
        "source_size": np.int64(size),
        "source_mtime_ns": np.int64(mtime_ns),
        "gene_types": np.array(file_digests.gene_types, dtype=str),
        "ensembl_ids": np.array(file_digests.ensembl_ids, dtype=str),
        **pack_digests(file_digests.digests),
        "cells_used": np.int64(file_digests.cells_used),
        "failed_filter_cells": np.int64(file_digests.failed_filter_cells),
        "zero_count_cells": np.int64(file_digests.zero_count_cells),
    }
    with atomic_write(path) as output:
        np.savez(output, **arrays)
    return Path(path)


def load_digests(path: str | Path) -> FileDigests:
    """Read a digest file written by :func:`save_digests` (no pickle involved).

    Examples
    --------
    >>> import tempfile
    >>> from genenorm_edu.medians.corpus import make_loom
    >>> from genenorm_edu.medians.digest import digest_loom
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     computed = digest_loom(make_loom(f"{tmp}/a.loom", genes=20, cells=30))
    ...     loaded = load_digests(save_digests(computed, f"{tmp}/a.digest.npz"))
    >>> loaded.ensembl_ids == computed.ensembl_ids
    True
    >>> [d.size() for d in loaded.digests] == [d.size() for d in computed.digests]
    True
    """
    with np.load(path, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}  # read each array once
    digests = unpack_digests(arrays)
    return FileDigests(
        source=str(arrays["source"]),
        ensembl_ids=arrays["ensembl_ids"].tolist(),
        digests=digests,
        cells_used=int(arrays["cells_used"]),
        failed_filter_cells=int(arrays["failed_filter_cells"]),
        zero_count_cells=int(arrays["zero_count_cells"]),
        gene_types=tuple(arrays["gene_types"].tolist()),
    )


def digests_are_current(
    digest_path: str | Path, source: str | Path, gene_types: Sequence[str]
) -> bool:
    """True if ``digest_path`` is a complete digest of the unchanged ``source``.

    Checks the format version, the source path, its size and modification
    time, and the gene types; any unreadable file counts as not current.
    """
    try:
        with np.load(digest_path, allow_pickle=False) as stored:
            return (
                int(stored["format_version"]) == DIGEST_FORMAT_VERSION
                and str(stored["source"]) == os.path.abspath(source)
                and (int(stored["source_size"]), int(stored["source_mtime_ns"]))
                == source_signature(source)
                and tuple(stored["gene_types"].tolist()) == tuple(gene_types)
            )
    except (OSError, KeyError, ValueError, EOFError):
        return False


def write_pickle(obj: object, path: str | Path) -> Path:
    """Pickle ``obj`` to ``path`` atomically (for Geneformer's median dicts)."""
    with atomic_write(path) as output:
        pickle.dump(obj, output)
    return Path(path)


def write_median_results(
    out_dir: str | Path,
    medians: Mapping[str, float],
    detection_counts: Mapping[str, int],
) -> dict[str, Path]:
    """Write the three result files into ``out_dir``.

    ``total_gene_median_dict.pickle`` (every gene, NaN if undetected),
    ``detected_gene_median_dict.pickle`` (detected genes only), both plain
    ``dict[str, float]`` as Geneformer's tokenizer expects, and
    ``gene_medians.tsv`` (``ensembl_id``, ``median``, ``detection_count``).

    Returns
    -------
    dict
        ``{"total": path, "detected": path, "tsv": path}``.
    """
    out_dir = Path(out_dir)
    total = {str(gene): float(value) for gene, value in medians.items()}
    detected = {gene: value for gene, value in total.items() if not math.isnan(value)}
    paths = {
        "total": write_pickle(total, out_dir / "total_gene_median_dict.pickle"),
        "detected": write_pickle(detected, out_dir / "detected_gene_median_dict.pickle"),
    }
    lines = ["ensembl_id\tmedian\tdetection_count"]
    for gene, value in total.items():
        lines.append(f"{gene}\t{value!r}\t{int(detection_counts.get(gene, 0))}")
    with atomic_write(out_dir / "gene_medians.tsv") as output:
        output.write(("\n".join(lines) + "\n").encode())
    paths["tsv"] = out_dir / "gene_medians.tsv"
    return paths


def read_gene_medians_tsv(path: str | Path) -> dict[str, tuple[float, int]]:
    """Read ``gene_medians.tsv`` back: ``{ensembl_id: (median, detection_count)}``."""
    result = {}
    lines = Path(path).read_text().splitlines()
    for line in lines[1:]:
        gene, median, count = line.split("\t")
        result[gene] = (float(median), int(count))
    return result

"""Digest files and result files: written atomically, read back validated.

A file's digests go to one HDF5 file (``*.digest.h5``) holding, for all its
genes, the exact state that ``crick.TDigest`` itself pickles: the centroids
(means and weights, concatenated, with ``offsets``), the total weight, min
and max, and the compression. A digest rebuilt from it with
``TDigest.__setstate__`` is the same digest (same quantiles, same merges),
exactly as the reference's ``pickle.load`` would rebuild it; no pickle is
involved.

The genes of a digest file are stored grouped by *shard* (a fixed hash of
the gene id, :data:`N_SHARDS` shards), so that a merge task working on a
range of shards reads only its part of every file. Every dataset carries an
HDF5 checksum (Fletcher-32) and the file's metadata is checksummed too
(``libver="latest"``): a flipped bit is an error, not a wrong median.

What is read is validated before it reaches crick's C code (which trusts
the centroid count blindly): see :func:`validate_packed`. A digest file
that fails is not used; the workflow digests its source again.

All files are written with :func:`genenorm_edu.atomic.atomic_write`: a
killed run leaves either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import pickle
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
from crick import TDigest
from crick.tdigest import CENTROID_DTYPE

from genenorm_edu.atomic import atomic_write
from genenorm_edu.medians.digest import FileDigests, SourceSignature, source_signature
from genenorm_edu.medians.errors import DigestFileError, OutputError

#: Bumped when the layout of the digest files changes; older files are redone.
DIGEST_FORMAT_VERSION = 2

DIGEST_SUFFIX = ".digest.h5"

#: Genes are grouped into this many shards (by a hash of their id) in every
#: digest file; a merge task reads a contiguous range of shards.
N_SHARDS = 256

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


def digest_file_name(source: str | Path) -> str:
    """Name of the digest file of ``source``: unique per absolute path.

    Examples
    --------
    >>> name = digest_file_name("/data/database1/study1.loom")
    >>> name.startswith("study1-") and name.endswith(".digest.h5")
    True
    >>> name == digest_file_name("/data/database2/study1.loom")
    False
    """
    absolute = os.path.abspath(source)
    tag = hashlib.sha1(absolute.encode()).hexdigest()[:12]
    return f"{Path(source).stem}-{tag}{DIGEST_SUFFIX}"


def gene_shards(ensembl_ids: Sequence[str]) -> np.ndarray:
    """Shard of each gene id: ``crc32(id) % N_SHARDS`` (the same in every process).

    Examples
    --------
    >>> gene_shards(["ENSG00000000003", "ENSG00000000005"]).tolist()
    [134, 179]
    """
    return np.array([zlib.crc32(str(gene).encode()) % N_SHARDS for gene in ensembl_ids], dtype=np.int64)


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


@dataclass(frozen=True)
class DigestSummary:
    """What a digest file says about its source (small: sent to the client).

    Attributes
    ----------
    source : str
        The input file.
    n_genes : int
        Genes digested.
    cells_used, failed_filter_cells, zero_count_cells : int
        Cell counts, see ``FileLayout``.
    notes : tuple of str
        Facts about the source worth reporting (e.g. where gene ids came from).
    """

    source: str
    n_genes: int
    cells_used: int
    failed_filter_cells: int
    zero_count_cells: int
    notes: tuple[str, ...] = ()


def _dataset(file: h5py.File, name: str, values: np.ndarray) -> None:
    values = np.ascontiguousarray(values)
    if values.size:
        file.create_dataset(name, data=values, fletcher32=True, chunks=True)
    else:  # HDF5 cannot guess chunks for an empty dataset
        file.create_dataset(name, data=values, fletcher32=True, chunks=(1024,), maxshape=(None,))


def write_digest_file(
    path: str | Path,
    summary: DigestSummary,
    ensembl_ids: Sequence[str],
    packed: PackedDigests,
    *,
    gene_types: Sequence[str],
    signature: SourceSignature,
) -> Path:
    """Write one source's digests to ``path`` (HDF5, atomically), grouped by shard.

    Raises
    ------
    OutputError
        If the file cannot be written (permissions, full disk, ...).
    """
    ids = np.asarray(list(ensembl_ids), dtype=str)
    if len(ids) != len(packed):
        raise ValueError(f"{len(ids)} gene ids for {len(packed)} digests")
    shards = gene_shards(ids)
    order = np.lexsort((ids, shards))  # by shard, then id
    shard_offsets = np.searchsorted(shards[order], np.arange(N_SHARDS + 1)).astype(np.int64)
    stored = packed.take(order)
    try:
        with atomic_write(path) as output, h5py.File(output, "w", libver="latest") as file:
            file.attrs["format_version"] = DIGEST_FORMAT_VERSION
            file.attrs["n_shards"] = N_SHARDS
            file.attrs["source"] = os.path.abspath(summary.source)
            file.attrs["source_size"] = signature.size
            file.attrs["source_mtime_ns"] = signature.mtime_ns
            file.attrs["source_inode"] = signature.inode
            file.attrs["gene_types"] = "\n".join(gene_types)
            file.attrs["notes"] = "\n".join(summary.notes)
            for name in ("cells_used", "failed_filter_cells", "zero_count_cells"):
                file.attrs[name] = getattr(summary, name)
            _dataset(file, "ensembl_ids", np.char.encode(ids[order], "utf-8") if len(ids) else np.zeros(0, "S1"))
            _dataset(file, "file_order", order)
            _dataset(file, "shard_offsets", shard_offsets)
            _dataset(file, "offsets", stored.offsets)
            for name in ("means", "weights", "total_weight", "minimum", "maximum", "compression"):
                _dataset(file, name, getattr(stored, name))
    except OSError as error:
        raise OutputError(path, error.strerror or str(error)) from error
    return Path(path)


def save_digests(file_digests: FileDigests, path: str | Path) -> Path:
    """Write a file's digests to ``path`` (see :func:`write_digest_file`).

    The source's signature is the one taken before it was read
    (``file_digests.signature``), or taken now if there is none.
    """
    signature = file_digests.signature or source_signature(file_digests.source)
    summary = DigestSummary(
        source=file_digests.source,
        n_genes=len(file_digests.digests),
        cells_used=file_digests.cells_used,
        failed_filter_cells=file_digests.failed_filter_cells,
        zero_count_cells=file_digests.zero_count_cells,
    )
    return write_digest_file(
        path,
        summary,
        file_digests.ensembl_ids,
        PackedDigests.from_digests(file_digests.digests),
        gene_types=file_digests.gene_types,
        signature=signature,
    )


@dataclass(frozen=True)
class StoredDigests:
    """Digests read back from a digest file (all genes or a range of shards).

    Attributes
    ----------
    ensembl_ids : list of str
        Gene ids, in stored order (by shard, then id).
    packed : PackedDigests
        Their validated state.
    summary : DigestSummary
        The source and its cell counts.
    signature : SourceSignature
        The source's signature when it was digested.
    gene_types : tuple of str
        Gene types selected when digesting.
    file_order : ndarray of int64
        Position of each gene in the source file (only for whole reads).
    """

    ensembl_ids: list[str]
    packed: PackedDigests
    summary: DigestSummary
    signature: SourceSignature
    gene_types: tuple[str, ...]
    file_order: np.ndarray | None = None


def _read_attributes(file: h5py.File):
    attrs = file.attrs
    version = int(attrs["format_version"])
    if version != DIGEST_FORMAT_VERSION or int(attrs["n_shards"]) != N_SHARDS:
        raise ValueError(f"digest format {version} with {int(attrs['n_shards'])} shards is not current")
    notes = str(attrs["notes"])
    summary = DigestSummary(
        source=str(attrs["source"]),
        n_genes=int(file["offsets"].shape[0] - 1),
        cells_used=int(attrs["cells_used"]),
        failed_filter_cells=int(attrs["failed_filter_cells"]),
        zero_count_cells=int(attrs["zero_count_cells"]),
        notes=tuple(notes.split("\n")) if notes else (),
    )
    signature = SourceSignature(
        size=int(attrs["source_size"]),
        mtime_ns=int(attrs["source_mtime_ns"]),
        inode=int(attrs["source_inode"]),
    )
    gene_types_text = str(attrs["gene_types"])
    gene_types = tuple(gene_types_text.split("\n")) if gene_types_text else ()
    return summary, signature, gene_types


def _read_range(file: h5py.File, first_gene: int, stop_gene: int) -> tuple[list[str], PackedDigests]:
    """Read genes ``first_gene:stop_gene`` of an open digest file and validate them."""
    n_genes = file["offsets"].shape[0] - 1
    for name in ("ensembl_ids", "total_weight", "minimum", "maximum", "compression"):
        if file[name].shape != (n_genes,):
            raise ValueError(f"dataset '{name}' has shape {file[name].shape}, expected ({n_genes},)")
    if not 0 <= first_gene <= stop_gene <= n_genes:
        raise ValueError(f"shard offsets point outside the {n_genes} genes")
    offsets = file["offsets"][first_gene : stop_gene + 1]
    if (np.diff(offsets) < 0).any() or offsets[0] < 0 or offsets[-1] > file["means"].shape[0]:
        raise ValueError("offsets are not non-decreasing within the stored centroids")
    if file["weights"].shape != file["means"].shape:
        raise ValueError("means and weights differ in length")
    low, high = int(offsets[0]), int(offsets[-1])
    packed = PackedDigests(
        offsets=offsets.astype(np.int64),
        means=file["means"][low:high].astype(np.float64),
        weights=file["weights"][low:high].astype(np.float64),
        total_weight=file["total_weight"][first_gene:stop_gene].astype(np.float64),
        minimum=file["minimum"][first_gene:stop_gene].astype(np.float64),
        maximum=file["maximum"][first_gene:stop_gene].astype(np.float64),
        compression=file["compression"][first_gene:stop_gene].astype(np.float64),
    )
    validate_packed(packed)
    ids = [gene.decode("utf-8") for gene in file["ensembl_ids"][first_gene:stop_gene]]
    if len(set(ids)) != len(ids):
        raise ValueError("gene ids repeat")
    return ids, packed


def _shard_offsets(file: h5py.File) -> np.ndarray:
    shard_offsets = file["shard_offsets"][:]
    if shard_offsets.shape != (N_SHARDS + 1,) or shard_offsets[0] != 0 or (np.diff(shard_offsets) < 0).any():
        raise ValueError("shard offsets are not non-decreasing from 0")
    return shard_offsets


def read_digest_shards(path: str | Path, first_shard: int = 0, stop_shard: int = N_SHARDS) -> StoredDigests:
    """Read and validate the digests of shards ``first_shard:stop_shard`` of a digest file.

    Raises
    ------
    DigestFileError
        If the file cannot be read (truncated, checksum error, missing
        parts) or holds a state crick could not have written; nothing of
        it has reached crick then.
    """
    if not 0 <= first_shard <= stop_shard <= N_SHARDS:
        raise ValueError(f"shard range {first_shard}:{stop_shard} is outside 0:{N_SHARDS}")
    try:
        with h5py.File(path, "r") as file:
            summary, signature, gene_types = _read_attributes(file)
            shard_offsets = _shard_offsets(file)
            first_gene, stop_gene = int(shard_offsets[first_shard]), int(shard_offsets[stop_shard])
            ids, packed = _read_range(file, first_gene, stop_gene)
            expected = gene_shards(ids)
            bounds = shard_offsets[first_shard : stop_shard + 1] - first_gene
            actual = np.repeat(np.arange(first_shard, stop_shard), np.diff(bounds))
            if not np.array_equal(expected, actual):
                raise ValueError("genes are not stored in their shards")
            whole = first_shard == 0 and stop_shard == N_SHARDS
            file_order = file["file_order"][:] if whole else None
            if file_order is not None and not np.array_equal(np.sort(file_order), np.arange(len(ids))):
                raise ValueError("file order is not a permutation of the genes")
    except FileNotFoundError:
        raise DigestFileError(path, "no such file") from None
    except Exception as error:  # any failure to read or validate: the file is unusable
        raise DigestFileError(path, f"{type(error).__name__}: {error}") from None
    return StoredDigests(ids, packed, summary, signature, gene_types, file_order)


def load_digests(path: str | Path) -> FileDigests:
    """Read a whole digest file (validated), genes in the source file's order.

    Raises
    ------
    DigestFileError
        See :func:`read_digest_shards`.

    Examples
    --------
    >>> import tempfile
    >>> from genenorm_edu.medians.corpus import make_loom
    >>> from genenorm_edu.medians.digest import digest_loom
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     computed = digest_loom(make_loom(f"{tmp}/a.loom", genes=20, cells=30))
    ...     loaded = load_digests(save_digests(computed, f"{tmp}/a.digest.h5"))
    >>> loaded.ensembl_ids == computed.ensembl_ids
    True
    >>> [d.size() for d in loaded.digests] == [d.size() for d in computed.digests]
    True
    """
    stored = read_digest_shards(path)
    back = np.argsort(stored.file_order)  # stored position of each file position
    packed = stored.packed.take(back)
    return FileDigests(
        source=stored.summary.source,
        ensembl_ids=[stored.ensembl_ids[index] for index in back],
        digests=packed.to_digests(),
        cells_used=stored.summary.cells_used,
        failed_filter_cells=stored.summary.failed_filter_cells,
        zero_count_cells=stored.summary.zero_count_cells,
        gene_types=stored.gene_types,
        signature=stored.signature,
    )


@dataclass(frozen=True)
class DigestCheck:
    """Whether a saved digest file can be reused for a source.

    Attributes
    ----------
    status : str
        ``"current"`` (reuse it), ``"missing"``, ``"stale"`` (the source or
        the gene types changed) or ``"invalid"`` (unreadable or corrupt:
        redo it, with a warning).
    summary : DigestSummary or None
        For a current file.
    problem : str
        Why the file is stale or invalid.
    """

    status: str
    summary: DigestSummary | None = None
    problem: str = ""


def check_digest_file(
    digest_path: str | Path, source: str | Path, gene_types: Sequence[str]
) -> DigestCheck:
    """Tell whether ``digest_path`` is a complete, valid digest of the unchanged ``source``.

    Reads and validates the whole file (one parallel task per file in the
    workflow), so that a corrupt file is found here, and redone, rather
    than in the merge.

    Examples
    --------
    >>> check_digest_file("/nonexistent.digest.h5", "/nonexistent.loom", ["miRNA"]).status
    'missing'
    """
    if not os.path.exists(digest_path):
        return DigestCheck("missing")
    try:
        stored = read_digest_shards(digest_path)
    except DigestFileError as error:
        return DigestCheck("invalid", problem=error.problem)
    if stored.summary.source != os.path.abspath(source):
        return DigestCheck("stale", problem="digest of another source path")
    if stored.gene_types != tuple(gene_types):
        return DigestCheck("stale", problem="digested for other gene types")
    try:
        current = source_signature(source)
    except OSError as error:
        return DigestCheck("stale", problem=f"source cannot be examined: {error}")
    if current != stored.signature:
        return DigestCheck("stale", problem="source changed since it was digested")
    return DigestCheck("current", summary=stored.summary)


def write_pickle(obj: object, path: str | Path) -> Path:
    """Pickle ``obj`` to ``path`` atomically (for Geneformer's median dicts)."""
    with atomic_write(path) as output:
        pickle.dump(obj, output)
    return Path(path)


RESULT_NAMES = {
    "total": "total_gene_median_dict.pickle",
    "detected": "detected_gene_median_dict.pickle",
    "tsv": "gene_medians.tsv",
}
BAD_FILES_NAME = "bad_files.tsv"


def _result_contents(
    medians: Mapping[str, float],
    detection_counts: Mapping[str, int],
    bad_files: Mapping[Path, str],
) -> dict[str, bytes]:
    total = {str(gene): float(value) for gene, value in medians.items()}
    detected = {gene: value for gene, value in total.items() if not math.isnan(value)}
    lines = ["ensembl_id\tmedian\tdetection_count"]
    for gene, value in total.items():
        lines.append(f"{gene}\t{value!r}\t{int(detection_counts.get(gene, 0))}")
    contents = {
        "total": pickle.dumps(total),
        "detected": pickle.dumps(detected),
        "tsv": ("\n".join(lines) + "\n").encode(),
    }
    if bad_files:
        rows = ["path\tproblem"] + [f"{source}\t{problem}" for source, problem in sorted(bad_files.items())]
        contents["bad_files"] = ("\n".join(rows) + "\n").encode()
    return contents


def write_median_results(
    out_dir: str | Path,
    medians: Mapping[str, float],
    detection_counts: Mapping[str, int],
    bad_files: Mapping[Path, str] | None = None,
) -> dict[str, Path]:
    """Write the result files into ``out_dir``, all of them or none.

    ``total_gene_median_dict.pickle`` (every gene, NaN if undetected),
    ``detected_gene_median_dict.pickle`` (detected genes only: the one to
    give Geneformer's tokenizer), both plain ``dict[str, float]``,
    ``gene_medians.tsv`` (``ensembl_id``, ``median``, ``detection_count``)
    and, if ``bad_files`` is not empty, ``bad_files.tsv`` (an old one is
    removed otherwise).

    Every file is first written and synced under a temporary name; only
    when all are on disk do they replace the old ones, so a full disk or a
    permission error leaves the previous results as they were.

    Returns
    -------
    dict
        ``{"total": path, "detected": path, "tsv": path}`` (and
        ``"bad_files"`` when written).

    Raises
    ------
    OutputError
        If a file cannot be written; no result file has changed then.
    """
    out_dir = Path(out_dir)
    contents = _result_contents(medians, detection_counts, bad_files or {})
    paths = {key: out_dir / RESULT_NAMES.get(key, BAD_FILES_NAME) for key in contents}
    current = None
    try:
        with contextlib.ExitStack() as stack:
            for key, data in contents.items():
                current = paths[key]
                output = stack.enter_context(atomic_write(current))
                output.write(data)
                output.flush()
                os.fsync(output.fileno())  # a full disk shows here, before any rename
            current = out_dir
        # all renamed into place when the stack closed
        if "bad_files" not in contents:
            current = out_dir / BAD_FILES_NAME
            current.unlink(missing_ok=True)
    except OSError as error:
        raise OutputError(current, error.strerror or str(error)) from error
    return paths


def read_gene_medians_tsv(path: str | Path) -> dict[str, tuple[float, int]]:
    """Read ``gene_medians.tsv`` back: ``{ensembl_id: (median, detection_count)}``."""
    result = {}
    lines = Path(path).read_text().splitlines()
    for line in lines[1:]:
        gene, median, count = line.split("\t")
        result[gene] = (float(median), int(count))
    return result

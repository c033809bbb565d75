"""Digest files: one input file's digests on disk, written atomically, read back validated.

A file's digests go to one HDF5 file (``*.digest.h5``) holding, for all its
genes, the exact state that ``crick.TDigest`` itself pickles
(:class:`~genenorm_edu.medians.state.PackedDigests`) and the file's
:class:`~genenorm_edu.medians.records.FileRecord`. A digest rebuilt from it
is the same digest, exactly as the reference's ``pickle.load`` would
rebuild it; no pickle is involved.

The genes of a digest file are stored grouped by *shard* (a fixed hash of
the gene id, :data:`N_SHARDS` shards), so that a merge task working on a
range of shards reads only its part of every file. Every dataset carries an
HDF5 checksum (Fletcher-32) and the file's metadata is checksummed too
(``libver="latest"``): a flipped bit is an error, not a wrong median. What
is read is validated before it reaches crick's C code
(:func:`~genenorm_edu.medians.state.validate_packed`); a digest file that
fails is not used, and the workflow digests its source again.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from genenorm_edu.atomic import atomic_write
from genenorm_edu.medians.errors import DigestFileError, OutputError
from genenorm_edu.medians.records import CellCounts, FileDigests, FileRecord, SourceSignature, source_signature
from genenorm_edu.medians.state import PackedDigests, validate_packed

#: Bumped when the layout of the digest files changes; older files are redone.
DIGEST_FORMAT_VERSION = 2

DIGEST_SUFFIX = ".digest.h5"

#: Genes are grouped into this many shards (by a hash of their id) in every
#: digest file; a merge task reads a contiguous range of shards.
N_SHARDS = 256

_CELL_ATTRIBUTES = {"used": "cells_used", "failed_filter": "failed_filter_cells", "zero_count": "zero_count_cells"}


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


def _dataset(file: h5py.File, name: str, values: np.ndarray) -> None:
    values = np.ascontiguousarray(values)
    if values.size:
        file.create_dataset(name, data=values, fletcher32=True, chunks=True)
    else:  # HDF5 cannot guess chunks for an empty dataset
        file.create_dataset(name, data=values, fletcher32=True, chunks=(1024,), maxshape=(None,))


def write_digest_file(path: str | Path, digests: FileDigests) -> Path:
    """Write one source's digests to ``path`` (HDF5, atomically), grouped by shard.

    Raises
    ------
    OutputError
        If the file cannot be written (permissions, full disk, ...).
    """
    record, packed = digests.record, digests.packed
    ids = np.asarray(list(digests.ensembl_ids), dtype=str)
    if len(ids) != len(packed):
        raise ValueError(f"{len(ids)} gene ids for {len(packed)} digests")
    shards = gene_shards(ids)
    order = np.lexsort((ids, shards))  # by shard, then id
    shard_offsets = np.searchsorted(shards[order], np.arange(N_SHARDS + 1)).astype(np.int64)
    stored = packed.take(order)
    try:
        with atomic_write(path) as output, h5py.File(output, "w", libver="latest") as file:
            attrs = file.attrs
            attrs["format_version"] = DIGEST_FORMAT_VERSION
            attrs["n_shards"] = N_SHARDS
            attrs["source"] = os.path.abspath(record.source)
            attrs["source_size"] = record.signature.size
            attrs["source_mtime_ns"] = record.signature.mtime_ns
            attrs["source_inode"] = record.signature.inode
            attrs["gene_types"] = "\n".join(record.gene_types)
            attrs["notes"] = "\n".join(record.notes)
            for field_name, attribute in _CELL_ATTRIBUTES.items():
                attrs[attribute] = getattr(record.cells, field_name)
            _dataset(file, "ensembl_ids", np.char.encode(ids[order], "utf-8") if len(ids) else np.zeros(0, "S1"))
            _dataset(file, "file_order", order)
            _dataset(file, "shard_offsets", shard_offsets)
            _dataset(file, "offsets", stored.offsets)
            for name in ("means", "weights", "total_weight", "minimum", "maximum", "compression"):
                _dataset(file, name, getattr(stored, name))
    except OSError as error:
        raise OutputError(path, error.strerror or str(error)) from error
    return Path(path)


def save_digests(digests: FileDigests, path: str | Path) -> Path:
    """Write a file's digests to ``path`` (see :func:`write_digest_file`)."""
    return write_digest_file(path, digests)


def _read_record(file: h5py.File) -> FileRecord:
    attrs = file.attrs
    version = int(attrs["format_version"])
    if version != DIGEST_FORMAT_VERSION or int(attrs["n_shards"]) != N_SHARDS:
        raise ValueError(f"digest format {version} with {int(attrs['n_shards'])} shards is not current")

    def lines(name: str) -> tuple[str, ...]:
        text = str(attrs[name])
        return tuple(text.split("\n")) if text else ()

    return FileRecord(
        source=str(attrs["source"]),
        signature=SourceSignature(
            size=int(attrs["source_size"]), mtime_ns=int(attrs["source_mtime_ns"]), inode=int(attrs["source_inode"])
        ),
        gene_types=lines("gene_types"),
        cells=CellCounts(**{name: int(attrs[attribute]) for name, attribute in _CELL_ATTRIBUTES.items()}),
        notes=lines("notes"),
    )


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


def read_digest_shards(path: str | Path, first_shard: int = 0, stop_shard: int = N_SHARDS) -> FileDigests:
    """Read and validate the digests of shards ``first_shard:stop_shard`` of a digest file.

    The genes come in stored order (by shard, then id); a whole read also
    gives ``file_order``, each gene's position in the source file.

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
            record = _read_record(file)
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
    return FileDigests(record, ids, packed, file_order)


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
    return FileDigests(stored.record, [stored.ensembl_ids[index] for index in back], stored.packed.take(back))


@dataclass(frozen=True)
class DigestCheck:
    """Whether a saved digest file can be reused for a source.

    Attributes
    ----------
    status : str
        ``"current"`` (reuse it), ``"missing"``, ``"stale"`` (the source or
        the gene types changed) or ``"invalid"`` (unreadable or corrupt:
        redo it, with a warning).
    record : FileRecord or None
        For a current file.
    problem : str
        Why the file is stale or invalid.
    """

    status: str
    record: FileRecord | None = None
    problem: str = ""


def check_digest_file(digest_path: str | Path, source: str | Path, gene_types: Sequence[str]) -> DigestCheck:
    """Tell whether ``digest_path`` is a digest of the unchanged ``source`` for ``gene_types``.

    Reads the file's record only (its attributes): the digests themselves
    are read, and validated, once, by the merge; a file found damaged there
    is digested again (see the workflow).

    Examples
    --------
    >>> check_digest_file("/nonexistent.digest.h5", "/nonexistent.loom", ["miRNA"]).status
    'missing'
    """
    if not os.path.exists(digest_path):
        return DigestCheck("missing")
    try:
        with h5py.File(digest_path, "r") as file:
            record = _read_record(file)
    except Exception as error:  # any failure to read: the file is unusable
        return DigestCheck("invalid", problem=f"{type(error).__name__}: {error}")
    if record.source != os.path.abspath(source):
        return DigestCheck("stale", problem="digest of another source path")
    if record.gene_types != tuple(gene_types):
        return DigestCheck("stale", problem="digested for other gene types")
    try:
        current = source_signature(source)
    except OSError as error:
        return DigestCheck("stale", problem=f"source cannot be examined: {error}")
    if current != record.signature:
        return DigestCheck("stale", problem="source changed since it was digested")
    return DigestCheck("current", record=record)

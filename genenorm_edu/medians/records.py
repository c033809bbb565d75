"""The records every step shares: a source's identity, its cell counts, one file's digests.

* :class:`SourceSignature`: an input file's identity as the file system
  sees it (size, modification time, inode), taken before it is read;
* :class:`CellCounts`: how many cells a file contributed or left out;
* :class:`FileRecord`: what is known of a digested file besides its
  digests (source, signature, gene types, cell counts, notes): small, it is
  what travels back to the workflow's client;
* :class:`FileDigests`: one file's digests: its record, the gene ids and
  the exact crick state of one digest per gene (:class:`PackedDigests`).
  The per-file step returns it, digest files hold it, the merge reads it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from crick import TDigest

from genenorm_edu.medians.defaults import DEFAULT_GENE_TYPES
from genenorm_edu.medians.state import PackedDigests

__all__ = ["CellCounts", "FileDigests", "FileRecord", "SourceSignature", "source_signature"]


@dataclass(frozen=True)
class SourceSignature:
    """Identity of an input file's contents as the file system sees them.

    Taken before a file is read and compared after: a digest is only kept
    if the file did not change (size, modification time, inode) meanwhile.
    """

    size: int
    mtime_ns: int
    inode: int


def source_signature(path: str | Path) -> SourceSignature:
    """Return the :class:`SourceSignature` of ``path`` now.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile() as file:
    ...     _ = file.write(b"abc"); file.flush()
    ...     source_signature(file.name).size
    3
    """
    status = os.stat(path)
    return SourceSignature(size=status.st_size, mtime_ns=status.st_mtime_ns, inode=status.st_ino)


@dataclass(frozen=True)
class CellCounts:
    """How a file's cells were used.

    Attributes
    ----------
    used : int
        Cells that contributed (passing the filter, ``n_counts > 0``).
    failed_filter : int
        Cells left out because ``filter_pass != 1``.
    zero_count : int
        Cells passing the filter but left out because ``n_counts == 0``.
    """

    used: int = 0
    failed_filter: int = 0
    zero_count: int = 0


@dataclass(frozen=True)
class FileRecord:
    """What is known of a digested file besides its digests.

    Attributes
    ----------
    source : str
        The input file (absolute path when written by the workflow).
    signature : SourceSignature
        Its signature before it was read.
    gene_types : tuple of str
        Gene types selected when digesting.
    cells : CellCounts
    notes : tuple of str
        Facts worth telling the user (e.g. where the gene ids came from).
    """

    source: str
    signature: SourceSignature
    gene_types: tuple[str, ...] = DEFAULT_GENE_TYPES
    cells: CellCounts = field(default_factory=CellCounts)
    notes: tuple[str, ...] = ()


@dataclass
class FileDigests:
    """One input file's digests: one t-digest per selected gene.

    Attributes
    ----------
    record : FileRecord
    ensembl_ids : list of str
        One id per digest.
    packed : PackedDigests
        The digests' exact state, same order as ``ensembl_ids``.
    file_order : ndarray of int64, optional
        Position of each gene in the source file (set when read back from a
        digest file, whose genes are stored by shard).

    Examples
    --------
    >>> digest = TDigest()
    >>> digest.update(np.array([1.0, 2.0, 4.0]))
    >>> record = FileRecord("a.loom", SourceSignature(1, 2, 3))
    >>> one = FileDigests.from_digests(record, ["ENSG1"], [digest])
    >>> bool(one.as_dict()["ENSG1"].quantile(0.5) == digest.quantile(0.5))
    True
    """

    record: FileRecord
    ensembl_ids: list[str]
    packed: PackedDigests
    file_order: np.ndarray | None = None
    _digests: list[TDigest] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_digests(cls, record: FileRecord, ensembl_ids, digests) -> FileDigests:
        """Pack ``digests`` (crick objects) with their ids."""
        result = cls(record, list(ensembl_ids), PackedDigests.from_digests(digests))
        result._digests = list(digests)
        return result

    @property
    def digests(self) -> list[TDigest]:
        """The digests as ``crick.TDigest`` objects (rebuilt once, exactly)."""
        if self._digests is None:
            self._digests = self.packed.to_digests()
        return self._digests

    def as_dict(self) -> dict[str, TDigest]:
        """Return ``{ensembl_id: digest}`` like the reference pickles."""
        return dict(zip(self.ensembl_ids, self.digests))

    # The record's fields, for reading convenience.
    @property
    def source(self) -> str:
        return self.record.source

    @property
    def signature(self) -> SourceSignature:
        return self.record.signature

    @property
    def gene_types(self) -> tuple[str, ...]:
        return self.record.gene_types

    @property
    def cells_used(self) -> int:
        return self.record.cells.used

    @property
    def failed_filter_cells(self) -> int:
        return self.record.cells.failed_filter

    @property
    def zero_count_cells(self) -> int:
        return self.record.cells.zero_count

"""The workflow's tasks: what a worker does for one file, or for a part of one.

Module-level functions (Dask and process pools send them by reference).
With enough files, :func:`file_task` does a whole file on one worker and
nothing but a small :class:`FileOutcome` travels. A big file split across
workers goes through :func:`inspect_task`, :func:`plan_task` (the block
bounds: the only thing the client reads), :func:`block_task` (one group of
blocks each, packed for the trip) and :func:`write_task`, which gathers the
blocks on one worker and writes the digest file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crick import TDigest

from genenorm_edu.medians.digest import check_unchanged, digest_gene_block, file_digests, inspect_file
from genenorm_edu.medians.digestfile import check_digest_file, write_digest_file
from genenorm_edu.medians.layout import FileLayout, ReadOptions
from genenorm_edu.medians.planning import group_blocks, plan_blocks
from genenorm_edu.medians.records import FileDigests, FileRecord
from genenorm_edu.medians.state import PackedDigests

__all__ = ["FileOutcome", "block_task", "file_task", "inspect_task", "plan_task", "write_task"]


@dataclass(frozen=True)
class FileOutcome:
    """What became of one input file (sent back to the client).

    Attributes
    ----------
    reused : bool
        Its saved digests were current; nothing was read.
    record : FileRecord
    redo_problem : str
        Why saved digests were unusable and redone ("" if they were not).
    """

    reused: bool
    record: FileRecord
    redo_problem: str = ""


def inspect_task(source: str, options: ReadOptions) -> FileLayout:
    """Read a file's attributes."""
    return inspect_file(source, options=options)


def plan_task(layout: FileLayout, n_tasks: int) -> list[list[tuple[int, int]]]:
    """The gene blocks of a file, grouped into at most ``n_tasks`` tasks; every gene in exactly one."""
    return group_blocks(plan_blocks(layout, layout.options.block_genes), n_tasks)


def _digest_blocks(layout: FileLayout, blocks: Sequence[tuple[int, int]]) -> list[TDigest]:
    digests: list[TDigest] = []
    for start, stop in blocks:
        digests.extend(digest_gene_block(layout, start, stop))
    return digests


def block_task(layout: FileLayout, blocks: Sequence[tuple[int, int]]) -> PackedDigests:
    """Digest some gene blocks of a file; packed for the trip to the writing worker."""
    return PackedDigests.from_digests(_digest_blocks(layout, blocks))


def write_task(layout: FileLayout, digest_path: str, *blocks: PackedDigests) -> FileRecord:
    """Check the file did not change while read, and write its digests.

    Raises
    ------
    InputFileError
        If the source changed since it was inspected.
    OutputError
        If the digest file cannot be written.
    """
    check_unchanged(layout)
    digests = FileDigests(layout.record(), layout.ensembl_ids.tolist(), PackedDigests.concatenate(blocks))
    write_digest_file(digest_path, digests)
    return digests.record


def file_task(source: str, digest_path: str, options: ReadOptions) -> FileOutcome:
    """Everything for one file in one task: reuse its digests, or digest and write them.

    The whole file is digested by this worker, block after block, so
    nothing travels between workers.
    """
    check = check_digest_file(digest_path, source, options.gene_types)
    if check.status == "current":
        return FileOutcome(reused=True, record=check.record)
    layout = inspect_task(source, options)
    digests = _digest_blocks(layout, plan_blocks(layout, options.block_genes))
    check_unchanged(layout)
    result = file_digests(layout, digests)
    write_digest_file(digest_path, result)
    return FileOutcome(reused=False, record=result.record, redo_problem=check.problem if check.status == "invalid" else "")

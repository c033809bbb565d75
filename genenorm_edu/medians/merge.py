"""Merge per-file digests and read medians and detection counts off them.

t-digest merges are not order-free: merging A then B may give slightly
different centroids than B then A. To make runs reproducible, every gene
starts from an empty digest and the files are merged in one fixed order
(the workflow uses sorted paths), exactly like the reference merge step.

Genes are independent, so the merge of a corpus runs in parallel over
ranges of gene shards (:func:`merge_digest_files`, one task per range):
each gene is still merged by one task, file after file in the given order,
so the result does not depend on how many tasks there are.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from crick import TDigest

from genenorm_edu.medians.defaults import DEFAULT_GENE_TYPES
from genenorm_edu.medians.digestfile import N_SHARDS, read_digest_shards


def merge_digests(
    digest_maps: Iterable[Mapping[str, TDigest]],
    gene_list: Sequence[str] | None = None,
) -> dict[str, TDigest]:
    """Merge ``{ensembl_id: digest}`` maps, one per file, in the given order.

    Parameters
    ----------
    digest_maps : iterable of mapping
        Per-file digests, in merge order. Not modified.
    gene_list : sequence of str, optional
        Genes of the result, in this order; genes missing from every file
        keep an empty digest, genes not in the list are ignored. Default:
        the sorted union of the genes of all maps.

    Returns
    -------
    dict of str to crick.TDigest
        New digests (the inputs are left untouched).

    Examples
    --------
    >>> import numpy as np
    >>> first, second = TDigest(), TDigest()
    >>> first.update(np.array([1.0, 2.0]))
    >>> second.update(np.array([3.0]))
    >>> merged = merge_digests([{"ENSG1": first}, {"ENSG1": second}], ["ENSG1", "ENSG2"])
    >>> merged["ENSG1"].size(), merged["ENSG2"].size()
    (3.0, 0.0)
    """
    total: dict[str, TDigest] = (
        {gene: TDigest() for gene in gene_list} if gene_list is not None else {}
    )
    for digest_map in digest_maps:
        for gene, digest in digest_map.items():
            if gene not in total:
                if gene_list is not None:
                    continue
                total[gene] = TDigest()
            total[gene].merge(digest)
    if gene_list is None:
        total = {gene: total[gene] for gene in sorted(total)}
    return total


def medians_from_digests(digests: Mapping[str, TDigest]) -> dict[str, float]:
    """Return ``{gene: digest.quantile(0.5)}`` as Python floats (NaN if empty).

    Examples
    --------
    >>> import numpy as np
    >>> digest = TDigest()
    >>> digest.update(np.array([1.0, 2.0, 10.0]))
    >>> medians_from_digests({"ENSG1": digest, "ENSG2": TDigest()})
    {'ENSG1': 2.0, 'ENSG2': nan}
    """
    return {gene: float(digest.quantile(0.5)) for gene, digest in digests.items()}


def detection_counts(digests: Mapping[str, TDigest]) -> dict[str, int]:
    """Return ``{gene: number of non-zero values seen}`` (the digest size).

    Examples
    --------
    >>> import numpy as np
    >>> digest = TDigest()
    >>> digest.update(np.array([1.0, 2.0, 10.0]))
    >>> detection_counts({"ENSG1": digest, "ENSG2": TDigest()})
    {'ENSG1': 3, 'ENSG2': 0}
    """
    return {gene: int(round(digest.size())) for gene, digest in digests.items()}


def read_gene_list(
    gene_info_csv: str | Path, gene_types: Iterable[str] = DEFAULT_GENE_TYPES
) -> list[str]:
    """Read the gene list: ``ensembl_id`` of rows whose ``gene_type`` is wanted.

    Parameters
    ----------
    gene_info_csv : str or Path
        CSV with (at least) the columns ``ensembl_id`` and ``gene_type``;
        an unnamed index column, as in Geneformer's table, is fine.
    gene_types : iterable of str
        Gene types to keep.

    Raises
    ------
    ValueError
        If a column is missing or an ``ensembl_id`` is repeated.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "genes.csv"
    ...     _ = path.write_text("ensembl_id,gene_type\\nENSG1,protein_coding\\nENSG2,lncRNA\\n")
    ...     read_gene_list(path)
    ['ENSG1']
    """
    import pandas as pd  # only here: worker processes never need it

    table = pd.read_csv(gene_info_csv, dtype=str)
    missing = [name for name in ("ensembl_id", "gene_type") if name not in table.columns]
    if missing:
        raise ValueError(f"{gene_info_csv}: missing column(s) {missing} in gene info CSV")
    wanted = table[table["gene_type"].isin(list(gene_types))]["ensembl_id"]
    duplicated = wanted[wanted.duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(f"{gene_info_csv}: repeated ensembl_id {duplicated[:3]}")
    return wanted.tolist()


@dataclass(frozen=True)
class MergedGenes:
    """Medians and detection counts of some genes (the result of one merge task).

    Attributes
    ----------
    ensembl_ids : list of str
    medians : ndarray of float64
        NaN for genes never detected.
    detection_counts : ndarray of int64
    """

    ensembl_ids: list[str]
    medians: np.ndarray
    detection_counts: np.ndarray


def shard_ranges(n_tasks: int) -> list[tuple[int, int]]:
    """Split the shards into ``n_tasks`` contiguous ranges (fewer if there are fewer shards).

    Examples
    --------
    >>> shard_ranges(3)
    [(0, 85), (85, 171), (171, 256)]
    >>> len(shard_ranges(10_000))
    256
    """
    n_tasks = max(1, min(n_tasks, N_SHARDS))
    bounds = np.linspace(0, N_SHARDS, n_tasks + 1).round().astype(int).tolist()
    return list(zip(bounds[:-1], bounds[1:]))


def merge_digest_files(
    digest_paths: Sequence[str | Path],
    first_shard: int = 0,
    stop_shard: int = N_SHARDS,
    genes: Collection[str] | None = None,
) -> MergedGenes:
    """Merge the genes of shards ``first_shard:stop_shard`` of digest files, in the given order.

    Every gene starts from an empty digest and takes each file's digest in
    turn, like :func:`merge_digests`; only this range of shards is read
    from each file.

    Parameters
    ----------
    digest_paths : sequence of str or Path
        Digest files (``digestfile.write_digest_file``), in merge order.
    first_shard, stop_shard : int
        The shard range of this task.
    genes : collection of str, optional
        Genes wanted; others are skipped. Default: every gene seen.

    Returns
    -------
    MergedGenes
        Genes sorted by id.

    Raises
    ------
    DigestFileError
        If a digest file is unreadable or invalid (validated before any of
        it reaches crick).
    """
    total: dict[str, TDigest] = {}
    for path in digest_paths:
        stored = read_digest_shards(path, first_shard, stop_shard)
        packed = stored.packed
        lengths = np.diff(packed.offsets)
        for index, gene in enumerate(stored.ensembl_ids):
            if genes is not None and gene not in genes:
                continue
            merged = total.get(gene)
            if merged is None:
                merged = total[gene] = TDigest()
            if lengths[index]:
                merged.merge(packed.digest(index))
    ids = sorted(total)
    return MergedGenes(
        ensembl_ids=ids,
        medians=np.array([total[gene].quantile(0.5) for gene in ids], dtype=np.float64),
        detection_counts=np.array([round(total[gene].size()) for gene in ids], dtype=np.int64),
    )

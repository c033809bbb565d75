"""The whole job: find files, digest them in parallel, merge, write results.

Work is split into tasks of one gene block of one file
(:func:`~genenorm_edu.medians.digest.digest_gene_block`), so that both many
small files and a few large ones keep every core busy. Each gene's digest is
still fed by a single task in cell order, so the digests do not depend on
how the work was split or scheduled.

Tasks run on a Dask cluster: an existing one (``scheduler="tcp://host:port"``
or a ``client``), or a ``LocalCluster`` of worker processes started for the
run. With ``workers=1`` everything runs in this process, without Dask.

Resumability: each file's digests are written atomically to
``out_dir/digests/`` together with the source's size and modification time;
a rerun reuses those that are complete and current. The merge always reads
the saved digests, in sorted source path order, so an interrupted and
resumed run gives exactly the result of an uninterrupted one.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from genenorm_edu.atomic import atomic_write
from genenorm_edu.cores import usable_cores
from genenorm_edu.medians.digest import (
    DEFAULT_BLOCK_GENES,
    DEFAULT_GENE_TYPES,
    DEFAULT_MAX_BLOCK_BYTES,
    LoomFileError,
    assemble_file_digests,
    digest_gene_block,
    gene_blocks,
    inspect_loom,
)
from genenorm_edu.medians.merge import (
    detection_counts,
    medians_from_digests,
    merge_digests,
    read_gene_list,
)
from genenorm_edu.medians.store import (
    digest_file_name,
    digests_are_current,
    load_digests,
    pack_digests,
    save_digests,
    unpack_digests,
    write_median_results,
)

DIGEST_DIR_NAME = "digests"
BAD_FILES_NAME = "bad_files.tsv"


@dataclass
class WorkflowResult:
    """What :func:`run_workflow` did and found.

    Attributes
    ----------
    medians : dict of str to float
        Median of every gene of the gene list (NaN if never detected).
    detection_counts : dict of str to int
        Number of non-zero values seen per gene.
    digested, reused : list of Path
        Loom files digested in this run / skipped because their saved
        digests were current.
    bad_files : dict of Path to str
        Files that could not be used and why; they are left out.
    zero_count_cells : int
        Cells passing the filter but skipped because ``n_counts == 0``.
    outputs : dict of str to Path
        Result files written.
    """

    medians: dict[str, float] = field(default_factory=dict)
    detection_counts: dict[str, int] = field(default_factory=dict)
    digested: list[Path] = field(default_factory=list)
    reused: list[Path] = field(default_factory=list)
    bad_files: dict[Path, str] = field(default_factory=dict)
    zero_count_cells: int = 0
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True if every file could be used."""
        return not self.bad_files


def find_loom_files(inputs: Iterable[str | Path]) -> list[Path]:
    """Expand files and directories (searched recursively) to sorted ``.loom`` paths.

    Raises
    ------
    FileNotFoundError
        If an input does not exist.
    ValueError
        If no ``.loom`` file is found (the message names the inputs).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for name in ["b/x.loom", "a/y.loom", "a/notes.txt"]:
    ...         (Path(tmp) / name).parent.mkdir(exist_ok=True)
    ...         (Path(tmp) / name).touch()
    ...     print([p.relative_to(tmp).as_posix() for p in find_loom_files([tmp])])
    ['a/y.loom', 'b/x.loom']
    """
    inputs = [Path(item) for item in inputs]
    found: set[Path] = set()
    for item in inputs:
        if item.is_dir():
            found.update(path.absolute() for path in item.rglob("*.loom") if path.is_file())
        elif item.is_file():
            found.add(item.absolute())
        else:
            raise FileNotFoundError(f"{item}: no such file or directory")
    if not found:
        names = ", ".join(str(item) for item in inputs)
        raise ValueError(f"no .loom files found in {names}")
    return sorted(found)


def _digest_path(out_dir: Path, source: Path) -> Path:
    return out_dir / DIGEST_DIR_NAME / digest_file_name(source)


def _describe(error: BaseException) -> str:
    if isinstance(error, LoomFileError):
        return error.problem
    return f"{type(error).__name__}: {error}"


class _Progress:
    """Two tqdm bars: files done and genes digested."""

    def __init__(self, n_files: int, quiet: bool) -> None:
        self.files = tqdm(total=n_files, desc="files", unit="file", disable=quiet)
        self.genes = tqdm(total=0, desc="genes", unit="gene", disable=quiet)

    def add_genes(self, n_genes: int) -> None:
        self.genes.total += n_genes
        self.genes.refresh()

    def close(self) -> None:
        self.genes.close()
        self.files.close()


def _run_serial(pending, gene_types, block_genes, max_block_bytes, save, report_bad, progress):
    """Digest ``pending`` files one after the other in this process."""
    for source in pending:
        try:
            layout = inspect_loom(source, gene_types)
            progress.add_genes(layout.n_selected_genes)
            digests = []
            for start, stop in gene_blocks(layout.gene_rows, block_genes):
                digests.extend(digest_gene_block(layout, start, stop, max_block_bytes=max_block_bytes))
                progress.genes.update(stop - start)
            save(source, assemble_file_digests(layout, digests, gene_types))
        except (LoomFileError, OSError, ValueError) as error:
            report_bad(source, error)
        progress.files.update(1)


def digest_gene_block_packed(layout, start: int, stop: int, max_block_bytes: int) -> dict:
    """:func:`digest_gene_block`, returned as :func:`pack_digests` arrays (a Dask task).

    A few flat arrays cross process boundaries far faster than a list of
    many small digest objects.
    """
    return pack_digests(digest_gene_block(layout, start, stop, max_block_bytes=max_block_bytes))


def _run_dask(client, pending, gene_types, block_genes, max_block_bytes, save, report_bad, progress):
    """Digest ``pending`` files as gene-block tasks on a Dask cluster.

    One ``inspect_loom`` task per file; when it is done, one
    ``digest_gene_block`` task per gene block (the layout stays on the
    cluster as the tasks' input). Blocks are put back together in order and
    saved here as soon as a file is complete.
    """
    from distributed import as_completed

    role = {}  # future -> ("inspect", source) or ("block", source, index)
    for source in pending:
        future = client.submit(inspect_loom, str(source), gene_types, pure=False)
        role[future] = ("inspect", source)
    tasks = as_completed(list(role))
    files = {}  # source -> {"layout", "blocks", "missing"} while in progress
    for future in tasks:
        kind, source, *index = role.pop(future)
        try:
            outcome = future.result()
        except Exception as error:  # reported; the other files go on
            if kind == "inspect" or source in files:
                report_bad(source, error)
                files.pop(source, None)  # drops the layout future too
                progress.files.update(1)
            continue
        if kind == "inspect":
            layout = outcome
            blocks = gene_blocks(layout.gene_rows, block_genes)
            progress.add_genes(layout.n_selected_genes)
            if not blocks:
                save(source, assemble_file_digests(layout, [], gene_types))
                progress.files.update(1)
                continue
            files[source] = {
                "layout": layout, "layout_future": future,  # kept on the cluster for the blocks
                "blocks": [None] * len(blocks), "missing": len(blocks),
            }
            for block_index, (start, stop) in enumerate(blocks):
                block = client.submit(
                    digest_gene_block_packed, future, start, stop, max_block_bytes, pure=False
                )
                role[block] = ("block", source, block_index)
                tasks.add(block)
            continue
        state = files.get(source)
        if state is None:  # another block of this file already failed
            continue
        state["blocks"][index[0]] = unpack_digests(outcome)
        state["missing"] -= 1
        progress.genes.update(len(state["blocks"][index[0]]))
        if state["missing"] == 0:
            del files[source]
            digests = [digest for block in state["blocks"] for digest in block]
            try:
                save(source, assemble_file_digests(state["layout"], digests, gene_types))
            except (OSError, ValueError) as error:
                report_bad(source, error)
            progress.files.update(1)


#: Dask settings for the workers of :func:`local_cluster`. Dask's statistical
#: profiler samples each worker thread's stack every 10 ms while holding the
#: GIL, and the nanny's default ``MALLOC_TRIM_THRESHOLD_=65536`` makes glibc
#: hand every freed tile back to the OS, so the next tile page-faults again.
#: Each costs about a tenth of a file's digest time (measured: 1.18 s per
#: benchmark file in a default worker, 0.96 s with both off, 0.93 s in-process).
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


def local_cluster(workers: int | None = None):
    """Start a ``distributed.LocalCluster`` tuned for digesting loom files.

    One single-threaded worker process per core (``workers``: how many;
    default all cores), no dashboard, and :data:`LOCAL_CLUSTER_CONFIG`.
    Use it as a context manager; pass it to ``distributed.Client``.

    Examples
    --------
    >>> from distributed import Client
    >>> with local_cluster(1) as cluster, Client(cluster) as client:  # doctest: +SKIP
    ...     result = run_workflow(["corpus/"], "results/", client=client)
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        return LocalCluster(
            n_workers=workers or usable_cores(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )


def _digest_pending(arguments, *, client, scheduler, workers) -> None:
    """Digest the pending files where asked: client, scheduler, in process, or a new cluster."""
    if client is not None:
        _run_dask(client, *arguments)
    elif scheduler is not None:
        from distributed import Client

        with Client(scheduler) as connected:
            _run_dask(connected, *arguments)
    elif workers == 1:
        _run_serial(*arguments)
    else:
        from distributed import Client

        with local_cluster(workers) as cluster, Client(cluster) as connected:
            _run_dask(connected, *arguments)


def run_workflow(
    inputs: Iterable[str | Path],
    out_dir: str | Path,
    *,
    gene_info: str | Path | None = None,
    gene_types: Sequence[str] = DEFAULT_GENE_TYPES,
    workers: int | None = None,
    scheduler: str | None = None,
    client=None,
    block_genes: int = DEFAULT_BLOCK_GENES,
    max_block_bytes: int = DEFAULT_MAX_BLOCK_BYTES,
    quiet: bool = False,
) -> WorkflowResult:
    """Compute non-zero medians over all ``.loom`` files of ``inputs``.

    Parameters
    ----------
    inputs : iterable of str or Path
        ``.loom`` files and directories (searched recursively).
    out_dir : str or Path
        Output directory: ``digests/*.digest.npz`` (one per file),
        ``total_gene_median_dict.pickle``, ``detected_gene_median_dict.pickle``,
        ``gene_medians.tsv`` and, if some files failed, ``bad_files.tsv``.
    gene_info : str or Path, optional
        CSV with ``ensembl_id`` and ``gene_type``: the gene list of the
        results. Default: the sorted union of the genes seen.
    gene_types : sequence of str
        Gene types to digest (row attribute ``gene_type``).
    workers : int, optional
        Worker processes of the local cluster (default: all cores). ``1``
        runs in this process without Dask.
    scheduler : str, optional
        Address of an existing Dask scheduler, e.g. ``tcp://host:8786``;
        its workers must see the files and ``out_dir`` paths.
    client : distributed.Client, optional
        An already connected client (takes precedence over the above).
    block_genes : int
        Matrix rows (genes) per task, rounded up to whole 64-row chunks.
    max_block_bytes : int
        Upper bound of the matrix bytes one task reads at once.
    quiet : bool
        No progress bars.

    Returns
    -------
    WorkflowResult
        Bad files are listed there (and in ``bad_files.tsv``) rather than
        raised, so that the good files still give results.

    Raises
    ------
    FileNotFoundError, ValueError
        If an input is missing or no ``.loom`` file is found.
    """
    gene_types = tuple(gene_types)
    out_dir = Path(out_dir)
    sources = find_loom_files(inputs)
    gene_list = read_gene_list(gene_info, gene_types) if gene_info is not None else None
    (out_dir / DIGEST_DIR_NAME).mkdir(parents=True, exist_ok=True)

    result = WorkflowResult()
    pending = []
    for source in sources:
        if digests_are_current(_digest_path(out_dir, source), source, gene_types):
            result.reused.append(source)
        else:
            pending.append(source)

    def save(source, file_digests):
        save_digests(file_digests, _digest_path(out_dir, source))
        result.digested.append(source)

    def report_bad(source, error):
        result.bad_files[source] = _describe(error)
        if not quiet:
            tqdm.write(f"bad file: {source}: {_describe(error)}", file=sys.stderr)

    progress = _Progress(len(sources), quiet)
    progress.files.update(len(result.reused))
    arguments = (pending, gene_types, block_genes, max_block_bytes, save, report_bad, progress)
    try:
        if pending:
            _digest_pending(arguments, client=client, scheduler=scheduler, workers=workers)
    finally:
        progress.close()

    result.digested.sort()
    good = [source for source in sources if source not in result.bad_files]

    def saved_digests():  # one file in memory at a time, sorted path order
        for source in tqdm(good, desc="merge", unit="file", disable=quiet):
            file_digests = load_digests(_digest_path(out_dir, source))
            result.zero_count_cells += file_digests.zero_count_cells
            yield file_digests.as_dict()

    merged = merge_digests(saved_digests(), gene_list)
    result.medians = medians_from_digests(merged)
    result.detection_counts = detection_counts(merged)
    result.outputs = write_median_results(out_dir, result.medians, result.detection_counts)
    _write_bad_files(out_dir, result.bad_files)
    return result


def _write_bad_files(out_dir: Path, bad_files: dict[Path, str]) -> None:
    path = out_dir / BAD_FILES_NAME
    if not bad_files:
        path.unlink(missing_ok=True)
        return
    lines = ["path\tproblem"] + [f"{source}\t{problem}" for source, problem in sorted(bad_files.items())]
    with atomic_write(path) as output:
        output.write(("\n".join(lines) + "\n").encode())

"""The whole job: find files, digest them in parallel, merge in parallel, write results.

The client (this process) only schedules and reports; the work is done
where the data is:

1. **Digest.** For every input file, a worker checks a saved digest file
   (reused if valid and current), or reads the file's attributes
   (:func:`~genenorm_edu.medians.digest.inspect_file`), digests it in
   tasks of one gene block each, and a worker writes the file's digests to
   ``out_dir/digests/`` (:func:`~genenorm_edu.medians.store.write_digest_file`).
   Only small summaries come back to the client. Each gene is fed by one
   task in cell order, so the digests do not depend on the split.
2. **Merge.** Tasks over ranges of gene shards read their part of every
   digest file and merge it, file after file in sorted path order
   (:func:`~genenorm_edu.medians.merge.merge_digest_files`), returning only
   medians and detection counts. Results are the same for any number of
   workers.
3. **Results** are written by the client, all or none
   (:func:`~genenorm_edu.medians.store.write_median_results`), and only
   when every input file was either digested or reported bad for a reason
   of its own.

Tasks run on a Dask cluster: an existing one (``scheduler="tcp://host:port"``
or a ``client``; its workers must see the input files and ``out_dir``), or
a ``LocalCluster`` started for the run (:func:`local_cluster`). With
``workers=1`` everything runs in this process, without Dask.

Faults: a bad input file is reported (``bad_files.tsv``) and the others
go on. Anything that is not an input file's fault (an unwritable or full
output directory, a lost scheduler, workers dying) stops the run with
:class:`WorkflowAborted`; digests already written are kept for the rerun
and the previous results stay as they were.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import tempfile
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from tqdm.auto import tqdm

from genenorm_edu.cores import usable_cores
from genenorm_edu.medians.digest import (
    DEFAULT_BLOCK_GENES,
    DEFAULT_GENE_TYPES,
    DEFAULT_MAX_BLOCK_BYTES,
    FileLayout,
    check_unchanged,
    digest_gene_block,
    inspect_file,
    plan_blocks,
)
from genenorm_edu.medians.errors import DigestFileError, InputFileError, OutputError, WorkflowAborted
from genenorm_edu.medians.merge import MergedGenes, merge_digest_files, read_gene_list, shard_ranges
from genenorm_edu.medians.store import (
    BAD_FILES_NAME,
    DigestCheck,
    DigestSummary,
    PackedDigests,
    check_digest_file,
    digest_file_name,
    write_digest_file,
    write_median_results,
)

DIGEST_DIR_NAME = "digests"

#: File name endings the workflow reads, and the reader used for each.
INPUT_SUFFIXES: tuple[str, ...] = (".loom", ".h5ad")

__all__ = [
    "BAD_FILES_NAME",
    "DigestOptions",
    "InputSearch",
    "StaleDigestWarning",
    "WorkflowAborted",
    "WorkflowResult",
    "connect_to_scheduler",
    "find_input_files",
    "local_cluster",
    "run_workflow",
]


class StaleDigestWarning(UserWarning):
    """A saved digest file was unreadable or invalid; its source is digested again."""


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
        Input files digested in this run / whose saved digests were
        current (sorted).
    redone : dict of Path to str
        Input files whose saved digests were unreadable or invalid, and
        why; they were digested again (and are in ``digested``).
    bad_files : dict of Path to str
        Files (or directory entries) that could not be used and why; they
        are left out.
    zero_count_cells : int
        Cells passing the filter but skipped because ``n_counts == 0``.
    notes : dict of Path to tuple of str
        Facts about some inputs (e.g. an ``.h5ad`` file's gene ids taken
        from the ``var`` index).
    outputs : dict of str to Path
        Result files written.
    """

    medians: dict[str, float] = field(default_factory=dict)
    detection_counts: dict[str, int] = field(default_factory=dict)
    digested: list[Path] = field(default_factory=list)
    reused: list[Path] = field(default_factory=list)
    redone: dict[Path, str] = field(default_factory=dict)
    bad_files: dict[Path, str] = field(default_factory=dict)
    zero_count_cells: int = 0
    notes: dict[Path, tuple[str, ...]] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True if every file could be used."""
        return not self.bad_files


@dataclass(frozen=True)
class InputSearch:
    """Input files found under the inputs, and entries that could not be read.

    Attributes
    ----------
    files : list of Path
        Real paths (links resolved, each file once), sorted: the merge order.
    problems : dict of Path to str
        Directories that could not be listed, broken links, ...
    """

    files: list[Path]
    problems: dict[Path, str]


def _walk(directory: Path, suffixes: tuple[str, ...], found: set[Path], problems: dict[Path, str]) -> None:
    """Collect files ending in ``suffixes`` under ``directory``, following links once."""
    visited: set[str] = set()
    pending = [directory]
    while pending:
        current = pending.pop()
        real = os.path.realpath(current)
        if real in visited:  # a link back up the tree, or two links to one place
            continue
        visited.add(real)
        try:
            with os.scandir(current) as entries:
                entries = list(entries)
        except OSError as error:
            problems[current] = f"cannot list directory: {error.strerror or error}"
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_dir():  # follows links
                    pending.append(path)
                elif entry.name.endswith(suffixes):
                    if entry.is_file():
                        found.add(Path(os.path.realpath(path)))
                    elif entry.is_symlink() and not path.exists():
                        problems[path] = "broken symbolic link"
            except OSError as error:
                problems[path] = f"cannot examine: {error.strerror or error}"


def find_input_files(
    inputs: Iterable[str | Path], suffixes: Sequence[str] = INPUT_SUFFIXES
) -> InputSearch:
    """Expand files and directories (searched recursively) to input files.

    Directories are searched for names ending in ``suffixes``, following
    symbolic links (each directory once). Files are identified by their
    real path, so a file reached by two paths counts once. Directory
    entries that cannot be read are reported, not skipped silently.

    Raises
    ------
    FileNotFoundError
        If an input does not exist.
    ValueError
        If no input file is found (the message names the inputs).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     root = Path(tmp).resolve()
    ...     for name in ["b/x.loom", "a/y.h5ad", "a/notes.txt"]:
    ...         (root / name).parent.mkdir(exist_ok=True)
    ...         (root / name).touch()
    ...     (root / "link").symlink_to(root / "b")
    ...     search = find_input_files([root])
    ...     print([p.relative_to(root).as_posix() for p in search.files], search.problems)
    ['a/y.h5ad', 'b/x.loom'] {}
    """
    suffixes = tuple(suffixes)
    inputs = [Path(item) for item in inputs]
    found: set[Path] = set()
    problems: dict[Path, str] = {}
    for item in inputs:
        if item.is_dir():
            _walk(item, suffixes, found, problems)
        elif item.is_file():
            found.add(Path(os.path.realpath(item)))
        else:
            raise FileNotFoundError(f"{item}: no such file or directory")
    if not found:
        names = ", ".join(str(item) for item in inputs)
        kinds = " or ".join(f"{suffix}" for suffix in suffixes)
        detail = "".join(f"; {path}: {problem}" for path, problem in sorted(problems.items()))
        raise ValueError(f"no {kinds} files found in {names}{detail}")
    return InputSearch(files=sorted(found), problems=problems)


@dataclass(frozen=True)
class DigestOptions:
    """How input files are read and split (the same for every file of a run).

    Attributes
    ----------
    gene_types : tuple of str
    block_genes : int
        Genes per task of gene-major storage.
    max_block_bytes : int
        Upper bound of the matrix bytes one task reads at once.
    layer : str or None
        ``.h5ad`` files: read the counts from this layer instead of ``X``.
    compute_n_counts : bool
        ``.h5ad`` files: without an ``obs`` column ``n_counts``, use the
        row sums of the counts.
    """

    gene_types: tuple[str, ...] = DEFAULT_GENE_TYPES
    block_genes: int = DEFAULT_BLOCK_GENES
    max_block_bytes: int = DEFAULT_MAX_BLOCK_BYTES
    layer: str | None = None
    compute_n_counts: bool = False

    def reader_options(self) -> dict:
        """Keyword arguments of ``inspect_file`` beyond the gene types."""
        if self.layer is None and not self.compute_n_counts:
            return {}
        return {"layer": self.layer, "compute_n_counts": self.compute_n_counts}


# ---------------------------------------------------------------- tasks
# Module-level functions: Dask sends them to the workers by reference.


def inspect_task(source: str, options: DigestOptions) -> FileLayout:
    """Read a file's attributes (a worker task)."""
    return inspect_file(source, options.gene_types, **options.reader_options())


def plan_task(layout: FileLayout, block_genes: int, n_tasks: int) -> list[list[tuple[int, int]]]:
    """The gene blocks of a file, grouped into at most ``n_tasks`` tasks (a worker task).

    Only this small list goes to the client. Each group is a run of
    consecutive blocks; every gene is in exactly one.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> layout = SimpleNamespace(storage="loom", gene_rows=np.arange(300))
    >>> plan_task(layout, 64, 2)
    [[(0, 64), (64, 128)], [(128, 192), (192, 256), (256, 300)]]
    """
    blocks = plan_blocks(layout, block_genes)
    n_tasks = max(1, min(n_tasks, len(blocks)))
    bounds = np.linspace(0, len(blocks), n_tasks + 1).round().astype(int)
    return [blocks[start:stop] for start, stop in zip(bounds[:-1], bounds[1:]) if stop > start]


def block_task(layout: FileLayout, blocks: Sequence[tuple[int, int]], max_block_bytes: int) -> PackedDigests:
    """Digest some gene blocks of a file; packed for the trip to the writing worker."""
    digests = []
    for start, stop in blocks:
        digests.extend(digest_gene_block(layout, start, stop, max_block_bytes=max_block_bytes))
    return PackedDigests.from_digests(digests)


def write_task(layout: FileLayout, digest_path: str, gene_types: tuple[str, ...], *blocks: PackedDigests) -> DigestSummary:
    """Check the file did not change while read, and write its digests (a worker task).

    Raises
    ------
    InputFileError
        If the source changed since it was inspected.
    OutputError
        If the digest file cannot be written.
    """
    check_unchanged(layout)
    packed = PackedDigests.concatenate(blocks)
    summary = DigestSummary(
        source=layout.path,
        n_genes=layout.n_selected_genes,
        cells_used=len(layout.cell_columns),
        failed_filter_cells=layout.failed_filter_cells,
        zero_count_cells=layout.zero_count_cells,
        notes=layout.notes,
    )
    write_digest_file(
        digest_path, summary, layout.ensembl_ids.tolist(), packed,
        gene_types=gene_types, signature=layout.signature,
    )
    return summary


@dataclass(frozen=True)
class FileOutcome:
    """What became of one input file (sent back to the client).

    Attributes
    ----------
    reused : bool
        Its saved digests were current; nothing was read.
    summary : DigestSummary
    redo_problem : str
        Why saved digests were unusable and redone ("" if they were not).
    """

    reused: bool
    summary: DigestSummary
    redo_problem: str = ""


def file_task(source: str, digest_path: str, options: DigestOptions) -> FileOutcome:
    """Everything for one file in one task: reuse its digests, or digest and write them.

    The whole file is digested by this worker, block after block, so
    nothing travels between workers; the workflow uses it whenever there
    are enough files to keep every worker busy.
    """
    check = check_digest_file(digest_path, source, options.gene_types)
    if check.status == "current":
        return FileOutcome(reused=True, summary=check.summary)
    layout = inspect_task(source, options)
    blocks = [block_task(layout, [block], options.max_block_bytes) for block in plan_blocks(layout, options.block_genes)]
    summary = write_task(layout, digest_path, options.gene_types, *blocks)
    return FileOutcome(reused=False, summary=summary, redo_problem=check.problem if check.status == "invalid" else "")


# ---------------------------------------------------------------- local cluster

#: Dask settings for the workers of :func:`local_cluster`. Dask's statistical
#: profiler samples each worker thread's stack every 10 ms while holding the
#: GIL, and the nanny's default ``MALLOC_TRIM_THRESHOLD_=65536`` makes glibc
#: hand every freed tile back to the OS, so the next tile page-faults again.
#: Each costs about a tenth of a file's digest time (measured: 1.18 s per
#: benchmark file in a default worker, 0.96 s with both off, 0.93 s in-process).
#: The event-loop tick monitor (every 20 ms), the memory monitors (every
#: 100 ms) and the system monitor (every 0.5 s) of the scheduler, nannies
#: and workers are slowed down: with Dask's defaults an idle 2-worker
#: cluster used 38 ms of CPU per second in this process, with these 12 ms
#: (a core shared with the workers on a small machine). Memory use is
#: bounded by the tile size, so a memory check every second is enough.
#: Worker processes are forked from a server process that has already
#: imported the modules the tasks need (see :data:`WORKER_PRELOAD`), instead
#: of each starting a fresh interpreter and importing them again.
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.multiprocessing-method": "forkserver",
    "distributed.admin.tick.interval": "100ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}

#: Modules imported once by the fork server, before any worker starts.
WORKER_PRELOAD = ("distributed", "genenorm_edu.medians.workflow")


def _preload_fork_server() -> None:
    """Have the multiprocessing fork server import only what the workers need.

    Dask's own list also imports pandas and more (in the fork server and,
    to check them, in this process): about a second of the cluster's start.
    Has an effect only before the fork server starts (the first local
    cluster of a process).
    """
    import multiprocessing
    import multiprocessing.forkserver

    import distributed.utils

    server = multiprocessing.forkserver._forkserver
    if getattr(server, "_forkserver_pid", None) is not None:
        return
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(WORKER_PRELOAD))
    if hasattr(distributed.utils, "_forkserver_preload_set"):
        distributed.utils._forkserver_preload_set = True  # keep Dask from replacing the list


def local_cluster(workers: int | None = None):
    """Start a ``distributed.LocalCluster`` tuned for digesting files.

    One single-threaded worker process per core (``workers``: how many;
    default :func:`~genenorm_edu.cores.usable_cores`), no dashboard, and
    :data:`LOCAL_CLUSTER_CONFIG`. Use it as a context manager; pass it to
    ``distributed.Client``.

    Examples
    --------
    >>> from distributed import Client
    >>> with local_cluster(1) as cluster, Client(cluster) as client:  # doctest: +SKIP
    ...     result = run_workflow(["corpus/"], "results/", client=client)
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        _preload_fork_server()
        return LocalCluster(
            n_workers=workers or usable_cores(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )


def connect_to_scheduler(address: str, timeout: float = 10.0):
    """Connect a ``distributed.Client`` to ``address``, or fail within ``timeout`` seconds.

    A TCP address is probed first, so that a scheduler that is not there
    gives a one-line error at once instead of Dask's retries.

    Raises
    ------
    WorkflowAborted
        If the scheduler cannot be reached.
    """
    from distributed import Client

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme in ("tcp", "tls") and parts.hostname and parts.port:
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=timeout):
                pass
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise WorkflowAborted(f"cannot reach the Dask scheduler at {address}: {reason}") from None
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError) as error:
        raise WorkflowAborted(f"cannot connect to the Dask scheduler at {address}: {error}") from None


# ---------------------------------------------------------------- running


@dataclass
class _Run:
    """State of one run shared by the digest and merge phases (client side)."""

    out_dir: Path
    options: DigestOptions
    result: WorkflowResult
    quiet: bool
    summaries: dict[Path, DigestSummary] = field(default_factory=dict)
    checks: dict[Path, DigestCheck] = field(default_factory=dict)  # of files being redone

    def digest_path(self, source: Path) -> Path:
        return self.out_dir / DIGEST_DIR_NAME / digest_file_name(source)

    def report_bad(self, source: Path, problem: str) -> None:
        self.result.bad_files[source] = problem
        if not self.quiet:
            tqdm.write(f"bad file: {source}: {problem}", file=sys.stderr)

    def note_outcome(self, source: Path, outcome: FileOutcome) -> None:
        """Record a file's digests as reused or (re)written."""
        if outcome.redo_problem:
            self.result.redone[source] = outcome.redo_problem
            warnings.warn(
                f"{self.digest_path(source)}: saved digests unusable ({outcome.redo_problem}); "
                f"digested {source} again",
                StaleDigestWarning,
                stacklevel=4,
            )
        (self.result.reused if outcome.reused else self.result.digested).append(source)
        self.summaries[source] = outcome.summary


def _aborted_message(problem: str) -> str:
    return (
        f"{problem}. This is not a problem of the input files; digests already "
        "written are kept (a rerun reuses them) and no result file was changed."
    )


def _output_failure(error: OutputError) -> WorkflowAborted:
    return WorkflowAborted(_aborted_message(str(error)))


def _prepare_output(out_dir: Path) -> None:
    """Create ``out_dir/digests`` and make sure files can be created there."""
    for directory in (out_dir, out_dir / DIGEST_DIR_NAME):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            descriptor, probe = tempfile.mkstemp(prefix=".write-test-", dir=directory)
            os.close(descriptor)
            os.unlink(probe)
        except OSError as error:
            problem = error.strerror or str(error)
            raise WorkflowAborted(_aborted_message(f"cannot write to {directory}: {problem}")) from None


def _digest_serial(run: _Run, pending: list[Path]) -> None:
    """Reuse or digest ``pending`` files one after the other in this process."""
    progress = tqdm(total=len(pending), desc="files", unit="file", disable=run.quiet)
    try:
        for source in pending:
            try:
                run.note_outcome(source, file_task(str(source), str(run.digest_path(source)), run.options))
            except InputFileError as error:
                run.report_bad(source, error.problem)
            except OutputError as error:
                raise _output_failure(error) from error
            finally:
                progress.update(1)
    finally:
        progress.close()


def _task_failure(error: BaseException, source: Path | None) -> WorkflowAborted:
    """The :class:`WorkflowAborted` for a task failure that is not an input file's fault."""
    where = f" while working on {source}" if source is not None else ""
    if isinstance(error, OutputError):
        return _output_failure(error)
    name = type(error).__name__
    if name == "KilledWorker":
        problem = (
            f"worker processes died repeatedly{where} (a crash or too little memory); "
            "if it happens again, move that file out of the inputs"
        )
    elif isinstance(error, (CancelledError, OSError, TimeoutError)) or "CancelledError" in name:
        problem = f"lost the Dask cluster{where} ({name}: {error})"
    else:
        problem = f"unexpected {name}{where}: {error}"
    return WorkflowAborted(_aborted_message(problem))


def tasks_per_file(n_files: int, n_workers: int) -> int:
    """How many tasks to split each file into: enough to keep every worker busy.

    With at least twice as many files as workers, one task per file (no
    data moves between workers); with fewer, each file is split so that
    there are about two tasks per worker.

    Examples
    --------
    >>> tasks_per_file(16, 4), tasks_per_file(8, 16), tasks_per_file(1, 16)
    (1, 4, 32)
    """
    return max(1, -(-2 * n_workers // max(1, n_files)))


def _digest_dask(client, run: _Run, pending: list[Path]) -> None:
    """Reuse or digest ``pending`` files as tasks on a Dask cluster.

    One :func:`file_task` per file when there are enough files; otherwise
    per file a check task (if a digest file exists), then an inspect task, a
    plan task (the block bounds: the only thing the client reads), the
    block tasks, and a write task that gathers the blocks on a worker and
    writes the digest file. Only small outcomes reach the client.
    """
    from distributed import as_completed

    options = run.options
    n_workers = max(1, sum(client.nthreads().values()))
    split = tasks_per_file(len(pending), n_workers)
    role: dict = {}  # future -> (kind, source)
    layouts: dict[Path, object] = {}  # source -> layout future, while it is planned
    tasks = as_completed()

    def submit(kind, source, function, *arguments):
        future = client.submit(function, *arguments, pure=False)
        role[future] = (kind, source)
        tasks.add(future)

    def start_split(source: Path) -> None:
        layout = client.submit(inspect_task, str(source), options, pure=False)
        layouts[source] = layout
        submit("plan", source, plan_task, layout, options.block_genes, split)

    for source in pending:
        digest_path = str(run.digest_path(source))
        if split == 1:
            submit("file", source, file_task, str(source), digest_path, options)
        elif os.path.exists(digest_path):
            submit("check", source, check_digest_file, digest_path, str(source), options.gene_types)
        else:
            start_split(source)
    progress = tqdm(total=len(pending), desc="files", unit="file", disable=run.quiet)
    try:
        for future in tasks:
            kind, source = role.pop(future)
            try:
                outcome = future.result()
            except InputFileError as error:
                layouts.pop(source, None)
                run.report_bad(source, error.problem)
                progress.update(1)
                continue
            except Exception as error:  # not the input's fault: stop here
                raise _task_failure(error, source) from error
            if kind == "check" and outcome.status != "current":
                run.checks[source] = outcome
                start_split(source)
                continue
            if kind == "plan":
                layout = layouts.pop(source)
                blocks = [
                    client.submit(block_task, layout, group, options.max_block_bytes, pure=False)
                    for group in outcome
                ]
                submit("write", source, write_task, layout, str(run.digest_path(source)), options.gene_types, *blocks)
                continue
            if kind == "check":
                outcome = FileOutcome(reused=True, summary=outcome.summary)
            elif kind == "write":
                check = run.checks.pop(source, None)
                redo = check.problem if check is not None and check.status == "invalid" else ""
                outcome = FileOutcome(reused=False, summary=outcome, redo_problem=redo)
            run.note_outcome(source, outcome)
            progress.update(1)
    except BaseException:
        for future in list(role):
            future.cancel()
        raise
    finally:
        progress.close()


def _merge_failure(error: DigestFileError) -> WorkflowAborted:
    return WorkflowAborted(_aborted_message(f"a digest file became unreadable during the merge: {error}"))


def _merge(run: _Run, good: list[Path], genes, client, n_tasks: int) -> list[MergedGenes]:
    """Merge the digest files of ``good`` (sorted), in ``n_tasks`` shard ranges."""
    paths = [str(run.digest_path(source)) for source in good]
    ranges = shard_ranges(n_tasks)
    progress = tqdm(total=len(ranges), desc="merge", unit="task", disable=run.quiet)
    try:
        if client is None:
            merged = []
            for first, stop in ranges:
                try:
                    merged.append(merge_digest_files(paths, first, stop, genes))
                except DigestFileError as error:
                    raise _merge_failure(error) from error
                progress.update(1)
            return merged
        from distributed import as_completed

        genes_future = None
        if genes is not None:  # one copy per worker, not one per task
            [genes_future] = client.scatter([genes], broadcast=True)
        futures = [
            client.submit(merge_digest_files, paths, first, stop, genes_future, pure=False)
            for first, stop in ranges
        ]
        order = {future: index for index, future in enumerate(futures)}
        merged = [None] * len(futures)
        try:
            for future in as_completed(futures):
                try:
                    merged[order[future]] = future.result()
                except DigestFileError as error:
                    raise _merge_failure(error) from error
                except Exception as error:
                    raise _task_failure(error, None) from error
                progress.update(1)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return merged
    finally:
        progress.close()


def _digest_and_merge(run: _Run, sources: list[Path], gene_list, client, workers) -> list[MergedGenes]:
    """Both phases for ``sources`` (sorted), on the cluster asked for (or in this process)."""
    genes = frozenset(gene_list) if gene_list is not None else None

    def good() -> list[Path]:
        return [source for source in sources if source not in run.result.bad_files]

    if client is None and workers == 1:
        _digest_serial(run, sources)
        return _merge(run, good(), genes, None, 1)

    def on(connected) -> list[MergedGenes]:
        _digest_dask(connected, run, sources)
        n_workers = max(1, sum(connected.nthreads().values()))
        return _merge(run, good(), genes, connected, 2 * n_workers)

    if client is not None:
        return on(client)
    if workers is None or workers > 1:
        from distributed import Client

        with local_cluster(workers) as cluster, Client(cluster) as connected:
            return on(connected)
    raise ValueError(f"workers must be at least 1, got {workers}")


def _run_on_scheduler(address: str, function):
    client = connect_to_scheduler(address)
    try:
        return function(client)
    finally:
        try:
            client.close(timeout=5)
        except Exception:  # a lost scheduler: nothing left to close
            pass


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
    layer: str | None = None,
    compute_n_counts: bool = False,
    quiet: bool = False,
) -> WorkflowResult:
    """Compute non-zero medians over all ``.loom`` and ``.h5ad`` files of ``inputs``.

    Parameters
    ----------
    inputs : iterable of str or Path
        Input files and directories (searched recursively, links followed).
    out_dir : str or Path
        Output directory: ``digests/*.digest.h5`` (one per file),
        ``total_gene_median_dict.pickle``, ``detected_gene_median_dict.pickle``,
        ``gene_medians.tsv`` and, if some files failed, ``bad_files.tsv``.
    gene_info : str or Path, optional
        CSV with ``ensembl_id`` and ``gene_type``: the gene list of the
        results. Default: the sorted union of the genes seen.
    gene_types : sequence of str
        Gene types to digest.
    workers : int, optional
        Worker processes of the local cluster (default: all usable cores).
        ``1`` runs in this process without Dask.
    scheduler : str, optional
        Address of an existing Dask scheduler, e.g. ``tcp://127.0.0.1:8786``;
        its workers must see the input files and ``out_dir`` at the same paths.
    client : distributed.Client, optional
        An already connected client (takes precedence over the above).
    block_genes : int
        Genes per task of gene-major files (loom, CSC), rounded up to whole
        64-row chunks.
    max_block_bytes : int
        Upper bound of the matrix bytes one task reads at once.
    layer : str, optional
        ``.h5ad`` files: read the raw counts from this layer, not ``X``.
    compute_n_counts : bool
        ``.h5ad`` files without an ``obs`` column ``n_counts``: use the
        row sums of the counts instead of reporting the file as bad.
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
        If an input is missing or no input file is found.
    WorkflowAborted
        If the run cannot finish for a reason that is not an input file's
        fault; no result file was written or changed.
    """
    options = DigestOptions(
        gene_types=tuple(gene_types),
        block_genes=block_genes,
        max_block_bytes=max_block_bytes,
        layer=layer,
        compute_n_counts=compute_n_counts,
    )
    out_dir = Path(out_dir)
    search = find_input_files(inputs)
    gene_list = read_gene_list(gene_info, options.gene_types) if gene_info is not None else None
    _prepare_output(out_dir)
    run = _Run(out_dir=out_dir, options=options, result=WorkflowResult(), quiet=quiet)
    for path, problem in search.problems.items():
        run.report_bad(path, problem)
    sources = search.files

    def both(connected=None):
        return _digest_and_merge(run, sources, gene_list, connected, workers)

    if client is None and scheduler is not None:
        merged = _run_on_scheduler(scheduler, both)
    else:
        merged = both(client)

    result = run.result
    result.digested.sort()
    result.reused.sort()
    good = [source for source in sources if source not in result.bad_files]
    for source in good:
        summary = run.summaries[source]
        result.zero_count_cells += summary.zero_count_cells
        if summary.notes:
            result.notes[source] = summary.notes
    medians: dict[str, float] = {}
    counts: dict[str, int] = {}
    for part in merged:
        medians.update(zip(part.ensembl_ids, part.medians.tolist()))
        counts.update(zip(part.ensembl_ids, part.detection_counts.tolist()))
    genes = gene_list if gene_list is not None else sorted(medians)
    result.medians = {gene: medians.get(gene, float("nan")) for gene in genes}
    result.detection_counts = {gene: counts.get(gene, 0) for gene in genes}
    try:
        result.outputs = write_median_results(out_dir, result.medians, result.detection_counts, result.bad_files)
    except OutputError as error:
        raise _output_failure(error) from error
    return result


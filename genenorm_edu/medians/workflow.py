"""The whole job: find files, digest them in parallel, merge in parallel, write results.

The client (this process) only schedules and reports; the work is done by
the tasks of :mod:`~genenorm_edu.medians.tasks`:

1. **Digest.** For every input file, a task checks a saved digest file
   (reused if valid and current), or reads the file's attributes, digests
   it and writes its digests to ``out_dir/digests/``. Only a small
   :class:`~genenorm_edu.medians.records.FileRecord` comes back. With fewer
   files than workers, files are split into tasks of whole gene blocks;
   each gene is still fed by one task in cell order, so the digests do not
   depend on the split.
2. **Merge.** Tasks over ranges of gene shards read their part of every
   digest file and merge it, file after file in sorted path order
   (:func:`~genenorm_edu.medians.merge.merge_digest_files`), returning only
   medians and detection counts. Results are the same for any number of
   workers.
3. **Results** are written by the client, all or none
   (:func:`~genenorm_edu.medians.results.write_median_results`), and only
   when every input file was either digested or reported bad for a reason
   of its own.

Tasks run through one :mod:`~genenorm_edu.medians.executors` interface:
in this process (``workers=1``), on local worker processes (``workers=N``,
default all usable cores), or on a Dask cluster (``scheduler`` address or
``client``; its workers must see the input files and ``out_dir``). One
loop handles them all.

Faults: a bad input file is reported (``bad_files.tsv``) and the others
go on. Anything that is not an input file's fault (an unwritable or full
output directory, a lost scheduler, workers dying) stops the run with
:class:`WorkflowAborted`; digests already written are kept for the rerun
and the previous results stay as they were.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm.auto import tqdm

from genenorm_edu.medians.cluster import local_cluster, open_executor
from genenorm_edu.medians.defaults import DEFAULT_BLOCK_GENES, DEFAULT_GENE_TYPES, DEFAULT_MAX_BLOCK_BYTES
from genenorm_edu.medians.digestfile import DigestCheck, check_digest_file, digest_file_name
from genenorm_edu.medians.discovery import InputSearch, find_input_files
from genenorm_edu.medians.errors import DigestFileError, InputFileError, OutputError, WorkflowAborted, task_failure
from genenorm_edu.medians.executors import Completions, Executor
from genenorm_edu.medians.layout import ReadOptions
from genenorm_edu.medians.merge import MergedGenes, merge_digest_files, read_gene_list, shard_ranges
from genenorm_edu.medians.planning import tasks_per_file
from genenorm_edu.medians.records import FileRecord
from genenorm_edu.medians.results import BAD_FILES_NAME, prepare_output, write_median_results
from genenorm_edu.medians.tasks import FileOutcome, file_task, inspect_task, plan_task, block_task, write_task

DIGEST_DIR_NAME = "digests"

__all__ = [
    "BAD_FILES_NAME",
    "InputSearch",
    "StaleDigestWarning",
    "WorkflowAborted",
    "WorkflowResult",
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


@dataclass
class _Run:
    """State of one run shared by the digest and merge phases (client side)."""

    out_dir: Path
    options: ReadOptions
    sources: list[Path]
    result: WorkflowResult
    quiet: bool
    digest_paths: dict[Path, Path] = field(default_factory=dict)
    records: dict[Path, FileRecord] = field(default_factory=dict)
    checks: dict[Path, DigestCheck] = field(default_factory=dict)  # of files being redone
    redo: dict[Path, str] = field(default_factory=dict)  # reused digest files the merge found damaged

    def __post_init__(self) -> None:
        self.digest_paths = {source: self.out_dir / DIGEST_DIR_NAME / digest_file_name(source) for source in self.sources}

    def good(self) -> list[Path]:
        """The sources not reported bad, in merge order."""
        return [source for source in self.sources if source not in self.result.bad_files]

    def report_bad(self, source: Path, problem: str) -> None:
        self.result.bad_files[source] = problem
        if not self.quiet:
            tqdm.write(f"bad file: {source}: {problem}", file=sys.stderr)

    def note_outcome(self, source: Path, outcome: FileOutcome) -> None:
        """Record a file's digests as reused or (re)written."""
        if outcome.redo_problem:
            self.result.redone[source] = outcome.redo_problem
            warnings.warn(
                f"{self.digest_paths[source]}: saved digests unusable ({outcome.redo_problem}); "
                f"digested {source} again",
                StaleDigestWarning,
                stacklevel=4,
            )
        (self.result.reused if outcome.reused else self.result.digested).append(source)
        self.records[source] = outcome.record


class _Quiet:
    """A progress bar that shows nothing (and starts no tqdm monitor thread)."""

    def update(self, _: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(run: _Run, total: int, desc: str, unit: str):
    return _Quiet() if run.quiet else tqdm(total=total, desc=desc, unit=unit)


def _digest(run: _Run, executor: Executor, sources: list[Path]) -> None:
    """Reuse or digest every source: one loop over task completions, whatever the executor.

    One :func:`~genenorm_edu.medians.tasks.file_task` per file when there
    are enough files (or one worker); otherwise per file a check task (if a
    digest file exists), an inspect task, a plan task, block tasks and a
    write task.
    """
    options = run.options
    split = 1 if executor.n_workers == 1 else tasks_per_file(len(sources), executor.n_workers)
    done = Completions(executor)
    layouts: dict[Path, object] = {}  # source -> layout future, while it is planned

    def start_split(source: Path) -> None:
        layouts[source] = executor.submit(inspect_task, str(source), replace(options, tasks_per_file=split))
        done.add(executor.submit(plan_task, layouts[source], split), ("plan", source))

    for source in sources:
        digest_path = run.digest_paths[source]
        if split == 1:
            done.add(executor.submit(file_task, str(source), str(digest_path), options), ("file", source))
        elif digest_path.exists():
            done.add(executor.submit(check_digest_file, str(digest_path), str(source), options.gene_types),
                     ("check", source))
        else:
            start_split(source)
    progress = _progress(run, len(sources), "files", "file")
    try:
        for future, (kind, source) in done:
            try:
                outcome = future.result()
            except InputFileError as error:
                layouts.pop(source, None)
                run.report_bad(source, error.problem)
                progress.update(1)
                continue
            except Exception as error:  # not the input's fault: stop here
                raise task_failure(error, source) from error
            if kind == "check" and outcome.status != "current":
                run.checks[source] = outcome
                start_split(source)
                continue
            if kind == "plan":
                layout = layouts.pop(source)
                blocks = [executor.submit(block_task, layout, group) for group in outcome]
                done.add(executor.submit(write_task, layout, str(run.digest_paths[source]), *blocks), ("write", source))
                continue
            if kind == "check":
                outcome = FileOutcome(reused=True, record=outcome.record)
            elif kind == "write":
                check = run.checks.pop(source, None)
                redo = check.problem if check is not None and check.status == "invalid" else ""
                outcome = FileOutcome(reused=False, record=outcome, redo_problem=redo)
            if source in run.redo:  # a reused digest file found damaged by the merge
                outcome = FileOutcome(reused=False, record=outcome.record, redo_problem=run.redo.pop(source))
            run.note_outcome(source, outcome)
            progress.update(1)
    except BaseException:
        done.cancel_all()
        raise
    finally:
        progress.close()


def _merge(run: _Run, executor: Executor, genes) -> list[MergedGenes] | dict[Path, str]:
    """Merge the digest files of the good sources (sorted), in shard ranges, one task each.

    Returns the merged genes, or, if digest files reused from an earlier run
    turn out damaged (they are validated here, read once), ``{source:
    problem}`` of those files: digest them again and merge again.
    """
    paths = [str(run.digest_paths[source]) for source in run.good()]
    reused = {str(run.digest_paths[source]): source for source in run.result.reused}
    ranges = shard_ranges(1 if executor.n_workers == 1 else 2 * executor.n_workers)
    shared_genes = executor.share(genes) if genes is not None and executor.n_workers > 1 else genes
    done = Completions(executor)
    for index, (first, stop) in enumerate(ranges):
        done.add(executor.submit(merge_digest_files, paths, first, stop, shared_genes), index)
    merged: list = [None] * len(ranges)
    damaged: dict[Path, str] = {}
    progress = _progress(run, len(ranges), "merge", "task")
    try:
        for future, index in done:
            try:
                merged[index] = future.result()
            except DigestFileError as error:
                if error.path not in reused:  # written in this run: not the saved digests' fault
                    raise task_failure(error, None) from error
                damaged[reused[error.path]] = error.problem
            except Exception as error:
                raise task_failure(error, None) from error
            progress.update(1)
    except BaseException:
        done.cancel_all()
        raise
    finally:
        progress.close()
    return damaged or merged


def _digest_and_merge(run: _Run, executor: Executor, genes) -> list[MergedGenes]:
    """Both phases; reused digest files the merge finds damaged are redone, with a warning."""
    _digest(run, executor, run.sources)
    while True:
        merged = _merge(run, executor, genes)
        if not isinstance(merged, dict):
            return merged
        for source, problem in merged.items():  # each round redoes at least one file
            run.result.reused.remove(source)
            run.digest_paths[source].unlink(missing_ok=True)
            run.redo[source] = problem
        _digest(run, executor, sorted(merged))


def _collect(run: _Run, merged: list[MergedGenes], gene_list) -> WorkflowResult:
    """Fill the run's result from the file records and the merged genes."""
    result = run.result
    result.digested.sort()
    result.reused.sort()
    for source in run.good():
        record = run.records[source]
        result.zero_count_cells += record.cells.zero_count
        if record.notes:
            result.notes[source] = record.notes
    medians: dict[str, float] = {}
    counts: dict[str, int] = {}
    for part in merged:
        medians.update(zip(part.ensembl_ids, part.medians.tolist()))
        counts.update(zip(part.ensembl_ids, part.detection_counts.tolist()))
    genes = gene_list if gene_list is not None else sorted(medians)
    result.medians = {gene: medians.get(gene, float("nan")) for gene in genes}
    result.detection_counts = {gene: counts.get(gene, 0) for gene in genes}
    return result


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
        Local worker processes (default: all usable cores); ``1`` runs in
        this process.
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
    options = ReadOptions(
        gene_types=tuple(gene_types),
        block_genes=block_genes,
        max_block_bytes=max_block_bytes,
        layer=layer,
        compute_n_counts=compute_n_counts,
    )
    out_dir = Path(out_dir)
    search = find_input_files(inputs)
    gene_list = read_gene_list(gene_info, options.gene_types) if gene_info is not None else None
    try:
        prepare_output(out_dir, DIGEST_DIR_NAME)
    except OutputError as error:
        raise WorkflowAborted.because(f"cannot write to {error.path}: {error.problem}") from None
    run = _Run(out_dir=out_dir, options=options, sources=search.files, result=WorkflowResult(), quiet=quiet)
    for path, problem in search.problems.items():
        run.report_bad(path, problem)
    with open_executor(workers, scheduler, client) as executor:
        merged = _digest_and_merge(run, executor, frozenset(gene_list) if gene_list is not None else None)
    result = _collect(run, merged, gene_list)
    try:
        result.outputs = write_median_results(out_dir, result.medians, result.detection_counts, result.bad_files)
    except OutputError as error:
        raise WorkflowAborted.because(str(error)) from error
    return result

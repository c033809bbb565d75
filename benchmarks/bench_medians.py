"""Benchmark: the non-zero median workflow against the seed algorithm's own parallel form.

All numbers are ratios measured in one run on this machine (best of
``--repeat`` interleaved rounds). Sections:

1. **Corpus** of ``--files`` loom files (``--genes`` x ``--cells``, about
   90% zeros). Baseline: the seed notebook run as it says, one process per
   file (``multiprocessing`` with fork, each pickling its digests), then the
   seed's merge of the pickles. Contenders: the workflow with 1, 2, 4, ...
   usable-cores workers, on a cluster already running and with the cluster
   start included (in a new process, as for the command line; 1 worker
   with start included runs in process, without Dask). Also printed: the client's CPU seconds per file (the client only
   schedules; this is what would limit scaling to many workers).
2. **One big file** (``--big-genes`` x ``--cells``): the seed in one process
   against the workflow with 1 worker and all workers (start included).
3. **Merge alone** on ``--merge-files`` small digest files: the seed's merge
   of pickles against the workflow's merge (one task, and all workers).
4. **h5ad CSR** against the same data as loom (2,000 genes x 20,000 cells by
   default): digest time of one file, in process.
5. **Corpora we did not write** (``independent_corpus.py``): ``loompy.create``
   files with the gene order permuted per file, int32 / float32 / uint16
   counts at 3% to 25% non-zero, and ``AnnData.write_h5ad`` CSR files
   (``--ind-files`` x ``--ind-genes`` x ``--ind-cells``). Baselines, measured
   in the same run: the seed's per-file process run file after file (one
   forked process per file, as the notebook's script), and the seed's
   parallel form (one process per file, ``cores`` at a time); the seed
   reads the loompy twin of an h5ad corpus (same data). Contenders: the
   workflow with 1 worker and with all cores, start included. Also printed:
   crick's floor, the time of ``TDigest.update`` alone on the same values
   in the same order (no reading, no normalisation), and what the files
   look like (chunks, filters, dtypes), which is what makes ratios differ
   between corpora. What was found: loompy writes every loom file alike
   (64 x 64 chunks, gzip level 2), the project's generator included, and a
   permuted gene order costs neither side anything (both read every row
   block and keep the wanted rows), so the differences come from the data:
   the seed normalises the whole dense block (int32 counts over a float
   ``n_counts`` become float64, 8 bytes per cell; float32 stay 4 bytes, so
   the seed is cheaper on float32 files), while the workflow's cost follows
   the non-zero counts, most of it crick's own ``update`` (the floor): the
   denser the file the closer to the floor and the higher the ratio. The
   whole-run ratios with workers also carried a fixed start-up: a Dask
   ``LocalCluster`` (a second or more on 2 cores) and, for ``.h5ad``,
   anndata's import in every worker, which weigh more the smaller the
   corpus.

Targets (issue 21, 2 cores, section 5): all workers <= 0.5x the seed's
parallel form and <= 0.6x one worker; one worker <= 0.4x the seed's per-file
process. Targets (issue 11, 2 cores): 2 workers <= 0.55x of 1 worker (cluster
running); whole run with start <= 0.6x the seed's parallel form on 8 files.
16 cores: start included <= 0.7x, running <= 0.4x, 16 workers >= 12x
faster than 1, big file <= 0.2x the seed. Issue 12: CSR digest <= 0.5x loom.

Run: ``python benchmarks/bench_medians.py [--files 8 --genes 4000 --cells 25000]``
(``--workdir DIR`` keeps the generated files for the next run). Section 5
alone, before/after a change, on a small machine::

    git archive HEAD~1 genenorm_edu | tar -x -C /tmp/before
    python benchmarks/bench_medians.py --sections 5 --ind-files 4 --ind-genes 2000 \
        --ind-cells 10000 --before /tmp/before

On a busy machine trust the CPU-second ratios of section 5 more than wall
time: they count the work, not the waiting.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from distributed import Client

sys.path.insert(0, str(Path(__file__).resolve().parent))
import seed_algorithm  # noqa: E402  (benchmarks/seed_algorithm.py)

from genenorm_edu.cores import usable_cores  # noqa: E402
from genenorm_edu.medians import make_loom, run_workflow  # noqa: E402
from genenorm_edu.medians.cluster import local_cluster  # noqa: E402
from genenorm_edu.medians.digest import digest_file  # noqa: E402
from genenorm_edu.medians.digestfile import write_digest_file  # noqa: E402
from genenorm_edu.medians.merge import merge_digest_files, shard_ranges  # noqa: E402
from genenorm_edu.medians.records import FileDigests  # noqa: E402


def timed(function):
    """``function`` made to return ``(seconds, result)``, as the self-timing contenders do."""

    def run():
        start = time.perf_counter()
        result = function()
        return time.perf_counter() - start, result

    return run


def interleaved_best_times(contenders: dict, rounds: int):
    """Run each contender once per round; return (best seconds, last result) dicts.

    Contenders return ``(seconds, result)`` (wrap plain functions in
    :func:`timed`). Interleaving the rounds lets a busy moment of a shared
    machine hit every contender alike; the best round counts.
    """
    best = {name: math.inf for name in contenders}
    results = {}
    for _ in range(rounds):
        for name, function in contenders.items():
            seconds, results[name] = function()
            best[name] = min(best[name], seconds)
    return best, results


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def interleaved_best_times_and_cpu(contenders: dict, rounds: int, cpu_offsets: dict | None = None):
    """:func:`interleaved_best_times`, plus each contender's least CPU seconds (all its processes).

    CPU seconds hardly depend on what else a busy machine runs, unlike wall
    time; ``cpu_offsets`` are subtracted (a fresh interpreter's imports).
    """
    best, cpu, results = {name: math.inf for name in contenders}, {name: math.inf for name in contenders}, {}
    for _ in range(rounds):
        for name, function in contenders.items():
            before = cpu_seconds()
            seconds, results[name] = function()
            used = cpu_seconds() - before - (cpu_offsets or {}).get(name, 0.0)
            best[name], cpu[name] = min(best[name], seconds), min(cpu[name], used)
    return best, cpu, results


def import_cpu(checkout: Path | None, rounds: int = 2) -> float:
    """CPU seconds of a fresh interpreter importing ``run_workflow`` (not timed in :func:`ours_fresh`)."""
    import os
    import subprocess

    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(checkout), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    code = "from genenorm_edu.medians import run_workflow\nimport genenorm_edu.medians.workflow"
    least = math.inf
    for _ in range(rounds):
        before = cpu_seconds()
        subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=checkout)
        least = min(least, cpu_seconds() - before)
    return least


def make_files(directory: Path, names_and_genes: list[tuple[str, int]], cells: int) -> list[Path]:
    """Write the benchmark's loom files (kept between runs in ``--workdir``)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, (name, genes) in enumerate(names_and_genes):
        path = directory / f"{name}.loom"
        stamp = path.with_suffix(".json")
        wanted = {"genes": genes, "cells": cells, "seed": 100 + index, "writer": "loompy"}
        if not (path.exists() and stamp.exists() and json.loads(stamp.read_text()) == wanted):
            # written by loompy itself: the benchmark reads files another tool wrote
            make_loom(path, genes=genes, cells=cells, seed=100 + index, gene_fraction=0.9, writer="loompy")
            stamp.write_text(json.dumps(wanted))
        paths.append(path)
    return paths


def seed_parallel(files: list[Path], scratch: Path) -> dict:
    """The seed's natural parallel form: one forked process per file, then the seed's merge."""
    scratch.mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("fork")
    pickles = [scratch / f"{path.stem}.gene_median_digest_dict.pickle" for path in files]
    processes = [
        context.Process(target=seed_algorithm.seed_file_to_pickle, args=(path, pickle))
        for path, pickle in zip(files, pickles)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"seed process failed with status {process.exitcode}")
    import pickle

    genes = set()
    for path in pickles:
        with open(path, "rb") as file:
            genes.update(pickle.load(file))
    total = seed_algorithm.seed_merge_pickles(sorted(pickles), sorted(genes))
    return {gene: digest.quantile(0.5) for gene, digest in total.items()}


def ours(inputs, scratch: Path, **options):
    """A fresh output directory per call, so nothing is reused."""
    counter = iter(range(10**9))

    def run():
        out = scratch / f"out-{next(counter)}-{time.perf_counter_ns()}"
        result = run_workflow(inputs, out, quiet=True, **options)
        shutil.rmtree(out)
        return result.medians

    return run


FRESH_RUN = """
import pickle, sys, time
from genenorm_edu.medians import run_workflow
inputs, out, workers = sys.argv[1:-2], sys.argv[-2], int(sys.argv[-1])
start = time.perf_counter()
result = run_workflow(inputs, out, workers=workers, quiet=True)
seconds = time.perf_counter() - start
sys.stdout.buffer.write(pickle.dumps((seconds, result.medians)))
"""


def ours_fresh(inputs, scratch: Path, workers: int, checkout: Path | None = None):
    """``run_workflow`` in a new Python process, cluster start included.

    A new process has no multiprocessing fork server yet, as for the
    command line; the time counted starts at the ``run_workflow`` call
    (imports excluded, as for the seed, whose modules are imported here).
    ``checkout``: run the project's code found there instead (e.g. an
    earlier commit, for before/after ratios measured in the same run).
    Returns a function giving ``(seconds, medians)``.
    """
    import os
    import pickle
    import subprocess

    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(checkout), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)

    def run():
        out = scratch / f"fresh-{workers}-{time.perf_counter_ns()}"
        completed = subprocess.run(  # `python -c` puts its working directory first on sys.path
            [sys.executable, "-c", FRESH_RUN, *(str(Path(path).resolve()) for path in inputs), str(out.resolve()),
             str(workers)],
            check=True, capture_output=True, env=env, cwd=checkout,
        )
        shutil.rmtree(out, ignore_errors=True)
        return pickle.loads(completed.stdout)

    return run


def report(title: str, timings: dict, baseline: str) -> None:
    print(f"\n{title}")
    for name, seconds in timings.items():
        print(f"  {name:<46} {seconds:8.2f} s  {seconds / timings[baseline]:6.2f}x")


def worker_counts(cores: int) -> list[int]:
    counts = [1]
    while counts[-1] * 2 < cores:
        counts.append(counts[-1] * 2)
    return sorted(set(counts + [cores]))


def worker_cpu(client) -> float:
    """CPU seconds used so far by the cluster's worker processes."""
    return sum(client.run(time.process_time).values())


def corpus_section(files: list[Path], scratch: Path, cores: int, rounds: int) -> tuple[dict, bool]:
    """Section 1: returns the timings and whether every run equalled the seed.

    Every contender, clusters of every size included, runs once per round,
    so that a busy moment of a shared machine hits all of them alike. CPU
    seconds per file (workers, and the client process with its in-process
    scheduler) are printed too: unlike wall time, they do not depend on
    what else the machine is doing, and they tell how the run will scale.
    """
    contenders = {"seed, one process per file (fork)": timed(lambda: seed_parallel(files, scratch / "seed"))}
    counts = worker_counts(cores)
    for workers in counts:
        contenders[f"project, {workers} worker(s), start included"] = ours_fresh(files, scratch, workers)
    with contextlib.ExitStack() as stack:
        clients = {}
        for workers in counts:
            cluster = stack.enter_context(local_cluster(workers))
            clients[workers] = stack.enter_context(Client(cluster))
            clients[workers].run(lambda: __import__("genenorm_edu.medians.tasks"))
        for workers in counts:
            contenders[f"project, {workers} worker(s), cluster running"] = timed(
                ours(files, scratch, client=clients[workers])
            )
        timings, results = interleaved_best_times(contenders, rounds)
    cpu = {}  # one cluster at a time: the client process hosts its scheduler and nannies
    for workers in counts:
        with local_cluster(workers) as cluster, Client(cluster) as client:
            run = ours(files, scratch, client=client)
            run()  # warm
            worker_before, client_before = worker_cpu(client), time.process_time()
            run()
            cpu[workers] = (worker_cpu(client) - worker_before, time.process_time() - client_before)
    reference = results["seed, one process per file (fork)"]
    equal = all(not seed_algorithm.median_differences(reference, medians) for medians in results.values())
    report(f"1. corpus of {len(files)} files", timings, "seed, one process per file (fork)")
    for workers, (worker_seconds, client_seconds) in cpu.items():
        per_file = 1000 / len(files)
        print(f"  CPU per file, {workers} worker(s), cluster running: workers {worker_seconds * per_file:.0f} ms, "
              f"client and scheduler {client_seconds * per_file:.0f} ms")
    return timings, equal


def big_file_section(big: Path, scratch: Path, cores: int, rounds: int) -> tuple[dict, bool]:
    contenders = {
        "seed, 1 process": timed(lambda: seed_algorithm.seed_medians([big])[0]),
        "project, 1 worker": ours_fresh([big], scratch, 1),
        f"project, {cores} workers, start included": ours_fresh([big], scratch, cores),
    }
    timings, results = interleaved_best_times(contenders, rounds)
    reference = results["seed, 1 process"]
    equal = all(not seed_algorithm.median_differences(reference, medians) for medians in results.values())
    report(f"2. one big file ({big.name})", timings, "seed, 1 process")
    return timings, equal


def merge_section(sample: Path, scratch: Path, n_files: int, cores: int, rounds: int) -> tuple[dict, bool]:
    """Section 3: many small digest files made from one digested file."""
    import pickle

    digested = digest_file(sample)
    directory = scratch / "merge"
    directory.mkdir(parents=True, exist_ok=True)
    paths, pickles = [], []
    for index in range(n_files):
        record = dataclasses.replace(digested.record, source=f"/corpus/study{index:05d}.loom")
        paths.append(directory / f"study{index:05d}.digest.h5")
        write_digest_file(paths[-1], FileDigests(record, digested.ensembl_ids, digested.packed))
        pickles.append(directory / f"study{index:05d}.gene_median_digest_dict.pickle")
        with open(pickles[-1], "wb") as file:
            pickle.dump(digested.as_dict(), file)
    genes = sorted(digested.ensembl_ids)

    def seed_merge():
        total = seed_algorithm.seed_merge_pickles(pickles, genes)
        return {gene: digest.quantile(0.5) for gene, digest in total.items()}

    def project_serial():
        merged = merge_digest_files(paths)
        return dict(zip(merged.ensembl_ids, merged.medians.tolist()))

    with local_cluster(cores) as cluster, Client(cluster) as client:
        def project_parallel():
            futures = [client.submit(merge_digest_files, [str(p) for p in paths], first, stop, pure=False)
                       for first, stop in shard_ranges(2 * cores)]
            medians = {}
            for part in client.gather(futures):
                medians.update(zip(part.ensembl_ids, part.medians.tolist()))
            return {gene: medians[gene] for gene in sorted(medians)}

        project_parallel()  # warm
        timings, results = interleaved_best_times(
            {"seed merge of pickles": timed(seed_merge), "project merge, 1 task": timed(project_serial),
             f"project merge, {cores} workers": timed(project_parallel)},
            rounds,
        )
    reference = results["seed merge of pickles"]
    equal = all(not seed_algorithm.median_differences(reference, medians) for medians in results.values())
    report(f"3. merge alone: {n_files} digest files of {len(genes)} genes", timings, "seed merge of pickles")
    return timings, equal


def h5ad_section(scratch: Path, genes: int, cells: int, rounds: int) -> tuple[dict, bool]:
    """Section 4: the same data as loom and as CSR h5ad, one file digested in process.

    The loom file is read two ways: with libdeflate (the workflow's reader)
    and with h5py's own zlib filter (the reader before libdeflate). The
    crick updates (same values, same order) cost the same in every case and
    bound every ratio from below.
    """
    from genenorm_edu.medians import chunks
    from genenorm_edu.medians.corpus import loom_to_h5ad

    loom = make_files(scratch / "h5ad", [("same-data", genes)], cells)[0]
    h5ad = loom_to_h5ad(loom, loom.with_suffix(".h5ad"), storage="csr")

    def loom_with_h5py():
        reader = chunks.ChunkReader.for_dataset
        chunks.ChunkReader.for_dataset = classmethod(lambda cls, dataset: None)
        try:
            return digest_file(loom)
        finally:
            chunks.ChunkReader.for_dataset = reader

    timings, results = interleaved_best_times(
        {"loom (libdeflate)": timed(lambda: digest_file(loom)), "loom (h5py, zlib)": timed(loom_with_h5py),
         "h5ad, CSR": timed(lambda: digest_file(h5ad))},
        rounds,
    )
    sizes = {name: [digest.size() for digest in result.digests] for name, result in results.items()}
    equal = all(value == sizes["loom (libdeflate)"] for value in sizes.values())
    report(f"4. one file of {genes} genes x {cells} cells, loom and CSR h5ad (digest, 1 process)",
           timings, "loom (libdeflate)")
    return timings, equal


def seed_processes(files: list[Path], scratch: Path, at_once: int) -> dict:
    """The seed's per-file script, one forked process per file, ``at_once`` at a time; then its merge.

    ``at_once=1`` is the seed's per-file process run file after file;
    ``at_once=cores`` its parallel form.
    """
    import pickle

    scratch.mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("fork")
    pickles = [scratch / f"{index}-{path.stem}.pickle" for index, path in enumerate(files)]
    running: list = []
    for path, target in zip(files, pickles):
        if len(running) == at_once:
            _join_seed(running.pop(0))
        running.append(context.Process(target=seed_algorithm.seed_file_to_pickle, args=(path, target)))
        running[-1].start()
    for process in running:
        _join_seed(process)
    genes = set()
    for path in pickles:
        with open(path, "rb") as file:
            genes.update(pickle.load(file))
    total = seed_algorithm.seed_merge_pickles(pickles, sorted(genes))
    return {gene: digest.quantile(0.5) for gene, digest in total.items()}


def _join_seed(process) -> None:
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"seed process failed with status {process.exitcode}")


def crick_floor(files: list[Path]) -> float:
    """CPU seconds of ``TDigest.update`` alone on the values the workflow feeds, in the same order.

    The values are prepared beforehand (whole matrix read, normalised,
    zeros dropped), so only crick's own work is timed: no reader can go
    below this.
    """
    import numpy as np
    from crick import TDigest

    from genenorm_edu.medians import nonzero_normalized
    from genenorm_edu.medians.digest import inspect_file

    total = 0.0
    for path in files:
        layout = inspect_file(path)
        rows = _dense_counts(path, layout)
        values = [row for row in nonzero_normalized(rows, layout.n_counts) if len(row)]
        start = time.process_time()  # CPU time: what a busy machine hardly changes
        for row in values:
            TDigest().update(row)
        total += time.process_time() - start
        del rows, values
    return total


def _dense_counts(path: Path, layout):
    """The selected genes x used cells of a file, read whole (for :func:`crick_floor`)."""
    import h5py
    import numpy as np

    with h5py.File(path, "r") as file:
        node = file[layout.matrix]
        if isinstance(node, h5py.Dataset):
            matrix = node[:]
            matrix = matrix if layout.storage == "loom" else matrix.T
        else:
            import scipy.sparse

            kind = scipy.sparse.csr_matrix if layout.storage == "csr" else scipy.sparse.csc_matrix
            cells, genes = layout.shape[1], layout.shape[0]
            matrix = kind((node["data"][:], node["indices"][:], node["indptr"][:]), shape=(cells, genes)).toarray().T
    return np.ascontiguousarray(matrix[layout.gene_rows][:, layout.cell_columns])


def describe_files(files: list[Path]) -> str:
    """How a corpus's first file is stored: what makes reading it cheap or dear."""
    import h5py

    from genenorm_edu.medians.digest import inspect_file

    layout = inspect_file(files[0])
    with h5py.File(files[0], "r") as file:
        node = file[layout.matrix]
        dataset = node if isinstance(node, h5py.Dataset) else node["data"]
        plist = dataset.id.get_create_plist()
        filters = [plist.get_filter(index)[0] for index in range(plist.get_nfilters())]
        level = dataset.compression_opts
        n_counts_dtype = layout.n_counts.dtype
    selected = layout.n_selected_genes / layout.shape[0]
    rows = layout.gene_rows
    runs = 1 + int((rows[1:] != rows[:-1] + 1).sum()) if len(rows) else 0
    return (f"{layout.storage}, counts {layout.dtype}, n_counts {n_counts_dtype}, chunks {dataset.chunks}, "
            f"filters {filters} (level {level}); {selected:.0%} of genes wanted in {runs} runs of rows")


def independent_section(args, workdir: Path, scratch: Path, cores: int, rounds: int) -> tuple[dict, bool]:
    """Section 5: corpora written by loompy and anndata (``independent_corpus.py``)."""
    import independent_corpus

    equal = True
    summary = {}
    imports = {False: import_cpu(None), True: import_cpu(args.before) if args.before is not None else 0.0}
    specs = independent_corpus.standard_specs(args.ind_files, args.ind_genes, args.ind_cells)
    wanted = {name for name in args.ind_corpora.split(",") if name} or {spec.name for spec in specs}
    for spec in specs:
        if spec.name not in wanted:
            continue
        files = independent_corpus.write_corpus(spec, workdir / "independent")
        seed_files = files
        if spec.writer == "anndata":  # the seed reads loom only: its loompy twin holds the same data
            twin = dataclasses.replace(spec, name=spec.name + "-loompy-twin", writer="loompy")
            seed_files = independent_corpus.write_corpus(twin, workdir / "independent")
        contenders = {
            "seed, per-file process, file after file": timed(
                lambda: seed_processes(seed_files, scratch / "seed-serial", 1)),
            f"seed, parallel form ({cores} at a time)": timed(
                lambda: seed_processes(seed_files, scratch / "seed-parallel", cores)),
        }
        for workers in sorted({1, cores}):
            contenders[f"project, {workers} worker(s), start included"] = ours_fresh(files, scratch, workers)
            if args.before is not None:
                contenders[f"before: project, {workers} worker(s), start included"] = ours_fresh(
                    files, scratch, workers, args.before)
        offsets = {name: imports[name.startswith("before")] for name in contenders if "project" in name}
        load_before = os.getloadavg()[0]
        timings, cpu, results = interleaved_best_times_and_cpu(contenders, rounds, offsets)
        load_after = os.getloadavg()[0]
        floor = crick_floor(files)
        reference = results["seed, per-file process, file after file"]
        same = all(not seed_algorithm.median_differences(reference, medians) for medians in results.values())
        equal = equal and same
        serial, parallel = timings["seed, per-file process, file after file"], timings[f"seed, parallel form ({cores} at a time)"]
        one, many = timings["project, 1 worker(s), start included"], timings[f"project, {cores} worker(s), start included"]
        report(f"5. {spec.label()}: {spec.files} files of {spec.genes} genes x {spec.cells} cells",
               timings, "seed, per-file process, file after file")
        print("  CPU seconds, all processes waited for (least of the rounds; the project's without a fresh "
              f"interpreter's imports, {imports[False]:.2f} s; a Dask LocalCluster's workers, children of its fork "
              "server, are not counted):")
        for name, seconds in cpu.items():
            print(f"    {name:<50} {seconds:6.2f} s  {seconds / cpu['seed, per-file process, file after file']:5.2f}x")
        print(f"  files: {describe_files(files)}")
        print(f"  load average (1 min) before / after the timed rounds: {load_before:.2f} / {load_after:.2f} "
              f"(anything near or above {cores} means other work shared the cores: trust CPU ratios, not wall time)")
        one_cpu, seed_cpu = cpu["project, 1 worker(s), start included"], cpu["seed, per-file process, file after file"]
        print(f"  crick floor (TDigest.update alone on the same values, CPU): {floor:.2f} s = {floor / seed_cpu:.2f}x "
              f"the seed's CPU; 1 worker's CPU = {one_cpu / seed_cpu:.2f}x the seed's, {one_cpu / floor:.1f}x the floor")
        print(f"  targets: 1 worker / seed per-file = {one / serial:.2f} (<= 0.4); {cores} workers / seed parallel = "
              f"{many / parallel:.2f} (<= 0.5); {cores} workers / 1 worker = {many / one:.2f} (<= 0.6); "
              f"equal to the seed: {same}")
        if args.before is not None:
            old_one = timings["before: project, 1 worker(s), start included"]
            old_many = timings[f"before: project, {cores} worker(s), start included"]
            print(f"  before ({args.before}): 1 worker / seed per-file = {old_one / serial:.2f}; {cores} workers / "
                  f"seed parallel = {old_many / parallel:.2f}; {cores} workers / 1 worker = {old_many / old_one:.2f}")
        summary[spec.name] = {"one/seed cpu": one_cpu / seed_cpu, "one/seed": one / serial, "many/seed-parallel": many / parallel, "many/one": many / one,
                              "floor/seed": floor / serial}
    return summary, equal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--genes", type=int, default=4_000)
    parser.add_argument("--cells", type=int, default=25_000)
    parser.add_argument("--big-genes", type=int, default=20_000)
    parser.add_argument("--merge-files", type=int, default=200)
    parser.add_argument("--h5ad-genes", type=int, default=2_000)
    parser.add_argument("--h5ad-cells", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=2, help="best of R interleaved rounds")
    parser.add_argument("--ind-files", type=int, default=8)
    parser.add_argument("--ind-genes", type=int, default=3_000)
    parser.add_argument("--ind-cells", type=int, default=20_000)
    parser.add_argument("--ind-corpora", default="", help="comma-separated names (default: all)")
    parser.add_argument("--before", type=Path, default=None, metavar="CHECKOUT",
                        help="section 5: also run the project's code found in CHECKOUT (e.g. git archive of an "
                        "earlier commit), for before/after ratios in the same run")
    parser.add_argument("--sections", default="1,2,3,4,5")
    parser.add_argument("--workdir", type=Path, default=None, help="keep generated files here")
    args = parser.parse_args()
    cores = usable_cores()
    sections = {int(item) for item in args.sections.split(",")}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        scratch = Path(tmp) / "scratch"
        print(f"{cores} usable cores; {args.files} files of {args.genes} genes x {args.cells} cells")
        checks = {}
        if 1 in sections:
            files = make_files(workdir / "corpus", [(f"study{i}", args.genes) for i in range(args.files)], args.cells)
            corpus, checks["corpus"] = corpus_section(files, scratch, cores, args.repeat)
            seed = corpus["seed, one process per file (fork)"]
            one = corpus["project, 1 worker(s), cluster running"]
            print(f"  targets: {cores} workers running / 1 worker running = "
                  f"{corpus[f'project, {cores} worker(s), cluster running'] / one:.2f} (2 cores: <= 0.55); "
                  f"start included / seed = {corpus[f'project, {cores} worker(s), start included'] / seed:.2f} "
                  f"(2 cores: <= 0.6; 16 cores: <= 0.7); running / seed = "
                  f"{corpus[f'project, {cores} worker(s), cluster running'] / seed:.2f} (16 cores: <= 0.4); "
                  f"speed-up over 1 worker = {one / corpus[f'project, {cores} worker(s), cluster running']:.1f}x "
                  f"(16 cores: >= 12)")
        if 2 in sections:
            big = make_files(workdir / "big", [("big", args.big_genes)], args.cells)[0]
            timings, checks["big file"] = big_file_section(big, scratch, cores, args.repeat)
            print(f"  target: all workers / seed = "
                  f"{timings[f'project, {cores} workers, start included'] / timings['seed, 1 process']:.2f} "
                  f"(16 cores: <= 0.2)")
        if 3 in sections:
            sample = make_files(workdir / "merge-sample", [("sample", args.genes)], 2_000)[0]
            _, checks["merge"] = merge_section(sample, scratch, args.merge_files, cores, args.repeat)
        if 4 in sections:
            timings, checks["h5ad"] = h5ad_section(workdir, args.h5ad_genes, args.h5ad_cells, args.repeat)
            print(f"  target: CSR / loom = {timings['h5ad, CSR'] / timings['loom (libdeflate)']:.2f} (<= 0.5); "
                  f"CSR / loom read by h5py = {timings['h5ad, CSR'] / timings['loom (h5py, zlib)']:.2f}")
        if 5 in sections:
            _, checks["independent corpora"] = independent_section(args, workdir, scratch, cores, args.repeat)
        for name, equal in checks.items():
            print(f"results equal to the seed ({name}): {equal}")


if __name__ == "__main__":
    main()

"""The whole workflow: resumability, bad files, the commands, Dask."""

from __future__ import annotations

import math
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from genenorm_edu.cli import main
from genenorm_edu.medians import find_input_files, make_corpus, run_workflow
from genenorm_edu.medians import tasks as tasks_module
from genenorm_edu.medians import workflow as workflow_module
from genenorm_edu.medians.digestfile import digest_file_name

RESULT_FILES = ["total_gene_median_dict.pickle", "detected_gene_median_dict.pickle", "gene_medians.tsv"]


@pytest.fixture
def corpus(median_corpus) -> Path:
    return median_corpus


@pytest.fixture
def reference_out(median_reference_out) -> Path:
    return median_reference_out


def result_bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in RESULT_FILES}


def test_results_cover_the_gene_list(corpus, reference_out):
    with open(reference_out / "total_gene_median_dict.pickle", "rb") as file:
        total = pickle.load(file)
    with open(reference_out / "detected_gene_median_dict.pickle", "rb") as file:
        detected = pickle.load(file)
    gene_info = (corpus / "gene_info.csv").read_text().splitlines()[1:]
    wanted = [line.split(",")[0] for line in gene_info if line.split(",")[1] in ("protein_coding", "miRNA")]
    assert list(total) == wanted
    assert detected == {gene: value for gene, value in total.items() if not math.isnan(value)}
    assert 0 < len(detected) < len(total)


def test_rerun_reuses_every_unchanged_file(corpus, reference_out, tmp_path, monkeypatch):
    """Reused digest files: their digests are read once in the run (by the merge), their record checked."""
    from genenorm_edu.medians import digestfile

    out = tmp_path / "out"
    shutil.copytree(reference_out, out)
    digest_times = {path: path.stat().st_mtime_ns for path in (out / "digests").iterdir()}
    reads = []
    real_read_range = digestfile._read_range

    def counted(file, first, stop):
        reads.append(Path(file.filename).name)
        return real_read_range(file, first, stop)

    monkeypatch.setattr(digestfile, "_read_range", counted)
    result = run_workflow([corpus], out, gene_info=corpus / "gene_info.csv", workers=1, quiet=True)
    assert sorted(reads) == sorted(path.name for path in digest_times)  # each once
    assert result.digested == [] and len(result.reused) == 6
    assert {path: path.stat().st_mtime_ns for path in (out / "digests").iterdir()} == digest_times
    assert result_bytes(out) == result_bytes(reference_out)


def test_changed_source_is_digested_again(corpus, reference_out, tmp_path):
    copied = tmp_path / "corpus"
    shutil.copytree(corpus, copied)
    out = tmp_path / "out"
    run_workflow([copied], out, workers=1, quiet=True)
    changed = sorted(copied.rglob("*.loom"))[2]
    status = changed.stat()
    os.utime(changed, ns=(status.st_atime_ns, status.st_mtime_ns + 10**9))
    result = run_workflow([copied], out, workers=1, quiet=True)
    assert result.digested == [changed.absolute()]
    assert len(result.reused) == 5


def test_run_interrupted_after_some_files_resumes_to_identical_results(
    corpus, reference_out, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    real_save = tasks_module.write_digest_file
    saved = []

    def save_then_crash(path, *args, **kwargs):
        if len(saved) == 2:
            raise KeyboardInterrupt("simulated crash")
        saved.append(path)
        return real_save(path, *args, **kwargs)

    monkeypatch.setattr(tasks_module, "write_digest_file", save_then_crash)
    with pytest.raises(KeyboardInterrupt):
        run_workflow([corpus], out, gene_info=corpus / "gene_info.csv", workers=1, quiet=True)
    assert len(list((out / "digests").iterdir())) == 2
    assert not (out / "gene_medians.tsv").exists()
    monkeypatch.setattr(tasks_module, "write_digest_file", real_save)
    result = run_workflow([corpus], out, gene_info=corpus / "gene_info.csv", workers=1, quiet=True)
    assert len(result.reused) == 2 and len(result.digested) == 4
    assert result_bytes(out) == result_bytes(reference_out)


@pytest.fixture
def corpus_with_bad_files(corpus, tmp_path) -> Path:
    copied = tmp_path / "corpus"
    shutil.copytree(corpus, copied)
    good = sorted(copied.rglob("*.loom"))[0]
    truncated = copied / "database1" / "truncated.loom"
    truncated.write_bytes(good.read_bytes()[:5000])
    no_counts = copied / "database2" / "no_counts.loom"
    shutil.copy(good, no_counts)
    with h5py.File(no_counts, "r+") as file:
        del file["/col_attrs/n_counts"]
    return copied


def test_bad_files_are_reported_and_good_files_still_give_results(corpus_with_bad_files, corpus, tmp_path):
    out = tmp_path / "out"
    result = run_workflow([corpus_with_bad_files], out, workers=1, quiet=True)
    assert {path.name: problem for path, problem in result.bad_files.items()}.keys() == {
        "truncated.loom", "no_counts.loom"
    }
    problems = {path.name: problem for path, problem in result.bad_files.items()}
    assert "HDF5" in problems["truncated.loom"]
    assert "n_counts" in problems["no_counts.loom"]
    assert len(result.digested) == 6
    report = (out / "bad_files.tsv").read_text()
    assert "truncated.loom" in report and "no_counts.loom" in report
    clean = run_workflow([corpus], tmp_path / "clean", workers=1, quiet=True)
    assert result.medians.keys() == clean.medians.keys()
    assert all(
        (math.isnan(a) and math.isnan(b)) or a == b
        for a, b in zip(result.medians.values(), clean.medians.values())
    )


def test_medians_command_exit_status_and_messages(corpus_with_bad_files, tmp_path, capsys):
    status = main(["medians", str(corpus_with_bad_files), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"])
    captured = capsys.readouterr()
    assert status == 1
    assert "truncated.loom" in captured.err and "no_counts.loom" in captured.err
    assert (tmp_path / "out" / "gene_medians.tsv").exists()

    empty = tmp_path / "empty"
    empty.mkdir()
    status = main(["medians", str(empty), "--out", str(tmp_path / "out2"), "--quiet"])
    assert status == 2
    assert f"no .loom or .h5ad files found in {empty}" in capsys.readouterr().err


def test_find_input_files_refuses_missing_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing"):
        find_input_files([tmp_path / "missing"])


def test_make_corpus_command_is_deterministic(tmp_path, capsys):
    for name, seed in [("a", "4"), ("b", "4"), ("c", "5")]:
        assert main(["make-corpus", str(tmp_path / name), "--databases", "2", "--files-per-database", "1",
                     "--genes", "40", "--cells", "60", "--seed", seed]) == 0
        assert main(["medians", str(tmp_path / name), "--out", str(tmp_path / f"out-{name}"),
                     "--workers", "1", "--quiet"]) == 0
    assert "wrote 2 loom file(s)" in capsys.readouterr().out
    tsv = {name: (tmp_path / f"out-{name}" / "gene_medians.tsv").read_text() for name in "abc"}
    assert tsv["a"] == tsv["b"]
    assert tsv["a"] != tsv["c"]
    with h5py.File(tmp_path / "a" / "database1" / "study1.loom", "r") as file:
        matrix = file["/matrix"][:]
        gene_types = set(file["/row_attrs/gene_type"].asstr()[:])
        filter_pass = file["/col_attrs/filter_pass"][:]
        n_counts = file["/col_attrs/n_counts"][:]
    assert 0.8 < (matrix == 0).mean() < 0.97
    assert {"protein_coding", "miRNA"} < gene_types and len(gene_types) > 2
    assert 0 < (filter_pass == 0).sum() < len(filter_pass) / 2
    assert (n_counts == matrix.sum(axis=0)).all()


# ---------------------------------------------------------------- Dask (slow)


@pytest.fixture(scope="module")
def dask_cluster():
    from genenorm_edu.medians.cluster import local_cluster

    with local_cluster(2) as cluster:
        yield cluster


@pytest.mark.slow
def test_local_cluster_gives_the_serial_results(corpus, reference_out, dask_cluster, tmp_path):
    from distributed import Client

    with Client(dask_cluster) as client:
        result = run_workflow(
            [corpus], tmp_path / "client", gene_info=corpus / "gene_info.csv",
            client=client, block_genes=64, quiet=True,
        )
    assert len(result.digested) == 6
    assert result_bytes(tmp_path / "client") == result_bytes(reference_out)
    # the same through the command line and the scheduler address
    status = main([
        "medians", str(corpus), "--out", str(tmp_path / "cli"), "--gene-info", str(corpus / "gene_info.csv"),
        "--scheduler", dask_cluster.scheduler_address, "--quiet",
    ])
    assert status == 0
    assert result_bytes(tmp_path / "cli") == result_bytes(reference_out)


@pytest.mark.slow
def test_local_cluster_reports_bad_files(corpus_with_bad_files, dask_cluster, tmp_path):
    from distributed import Client

    with Client(dask_cluster) as client:
        result = run_workflow([corpus_with_bad_files], tmp_path / "out", client=client, quiet=True)
    assert sorted(path.name for path in result.bad_files) == ["no_counts.loom", "truncated.loom"]
    assert len(result.digested) == 6


@pytest.mark.slow
def test_killed_command_resumes_to_identical_results(tmp_path):
    corpus = tmp_path / "corpus"
    make_corpus(corpus, databases=4, files_per_database=4, genes=600, cells=1500, seed=2)
    command = [sys.executable, "-m", "genenorm_edu.cli", "medians", str(corpus), "--workers", "1", "--quiet"]
    subprocess.run([*command, "--out", str(tmp_path / "uninterrupted")], check=True, capture_output=True)

    out = tmp_path / "killed"
    process = subprocess.Popen([*command, "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("digests/*.digest.h5"))) < 3:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done_before_kill = len(list(out.glob("digests/*.digest.h5")))
    assert 3 <= done_before_kill < 16, "the kill should land mid-way"
    assert not (out / "gene_medians.tsv").exists()

    rerun = subprocess.run([*command, "--out", str(out)], check=True, capture_output=True, text=True)
    assert f"{done_before_kill} reused" in rerun.stdout
    assert result_bytes(out) == result_bytes(tmp_path / "uninterrupted")


@pytest.mark.slow
def test_few_large_files_are_split_across_workers_with_the_same_results(corpus, dask_cluster, tmp_path):
    """Fewer files than workers: each file is split into gene-block tasks (inspect, plan, blocks, write)."""
    from distributed import Client

    from genenorm_edu.medians.planning import tasks_per_file

    sources = sorted(corpus.rglob("*.loom"))[:2]
    serial = run_workflow(sources, tmp_path / "serial", workers=1, block_genes=64, quiet=True)
    with Client(dask_cluster) as client:
        assert tasks_per_file(len(sources), sum(client.nthreads().values())) == 2
        out = tmp_path / "split"
        split = run_workflow(sources, out, client=client, block_genes=64, quiet=True)
        assert result_bytes(out) == result_bytes(tmp_path / "serial")
        assert split.digested == serial.digested
        # rerun: one digest file damaged, checked and redone in split mode too
        damaged = sorted((out / "digests").iterdir())[0]
        damaged.write_bytes(damaged.read_bytes()[:100])
        with pytest.warns(workflow_module.StaleDigestWarning):
            rerun = run_workflow(sources, out, client=client, block_genes=64, quiet=True)
        assert len(rerun.redone) == 1 and len(rerun.reused) == 1
        assert result_bytes(out) == result_bytes(tmp_path / "serial")
        # a bad file among few: reported, the other still digested
        bad = tmp_path / "bad.loom"
        bad.write_bytes(sources[0].read_bytes()[:4000])
        mixed = run_workflow([bad, sources[1]], tmp_path / "mixed", client=client, quiet=True)
    assert list(mixed.bad_files) == [bad.resolve()] and "HDF5" in mixed.bad_files[bad.resolve()]
    assert mixed.digested == [sources[1].resolve()]


@pytest.mark.parametrize("n_files", [1, 6], ids=["one-file-split", "six-files"])
def test_local_worker_processes_give_the_serial_results_byte_for_byte(corpus, tmp_path, n_files):
    """``workers=2``: local processes; with one file, split into gene-block tasks across them."""
    sources = sorted(corpus.rglob("*.loom"))[:n_files]
    serial = run_workflow(sources, tmp_path / "serial", workers=1, block_genes=64, quiet=True)
    parallel = run_workflow(sources, tmp_path / "parallel", workers=2, block_genes=64, quiet=True)
    assert result_bytes(tmp_path / "parallel") == result_bytes(tmp_path / "serial")
    assert parallel.digested == serial.digested and parallel.ok
    for source in sources:  # the digest files themselves hold the same states
        name = f"digests/{digest_file_name(source.resolve())}"
        with h5py.File(tmp_path / "serial" / name) as one, h5py.File(tmp_path / "parallel" / name) as two:
            for dataset in ("means", "weights", "offsets", "ensembl_ids"):
                assert np.array_equal(one[dataset][:], two[dataset][:])

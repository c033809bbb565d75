"""Faults: damaged digest files, changing sources, output failures, odd directories.

Each test injects one fault found by fault injection (issue 11) and checks
that nothing is lost or hidden: damaged digests are redone with a warning,
failures that are not an input file's fault stop the run (exit status 2)
without touching the previous results, and odd directory trees are read
completely.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
from crick import TDigest

from genenorm_edu.cli import main
from genenorm_edu.medians import digestfile as digestfile_module
from genenorm_edu.medians import discovery as discovery_module
from genenorm_edu.medians import results as results_module
from genenorm_edu.medians import tasks as tasks_module
from genenorm_edu.medians import (
    WorkflowAborted,
    digest_loom,
    find_input_files,
    make_corpus,
    make_loom,
    run_workflow,
    save_digests,
)
from genenorm_edu.medians.cluster import connect_to_scheduler
from genenorm_edu.medians.digestfile import DigestFileError, check_digest_file, read_digest_shards
from genenorm_edu.medians.state import PackedDigests, digest_from_state, validate_packed
from genenorm_edu.medians.workflow import StaleDigestWarning

RESULT_FILES = ["total_gene_median_dict.pickle", "detected_gene_median_dict.pickle", "gene_medians.tsv"]


def result_bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in RESULT_FILES}


def run(corpus: Path, out: Path, **options):
    return run_workflow([corpus], out, gene_info=corpus / "gene_info.csv", workers=1, quiet=True, **options)


@pytest.fixture
def finished_out(median_reference_out, tmp_path) -> Path:
    """A writable copy of a finished run's output directory."""
    out = tmp_path / "out"
    shutil.copytree(median_reference_out, out)
    return out


def digest_files(out: Path) -> list[Path]:
    return sorted((out / "digests").glob("*.digest.h5"))


# ---------------------------------------------------------------- damaged digest files


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_damaged_digest_file_is_redone_with_a_warning(median_corpus, median_reference_out, finished_out, damage):
    target = digest_files(finished_out)[1]
    data = bytearray(target.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[len(data) // 2] ^= 0x10
    elif damage == "garbage":
        data = bytearray(b"not a digest file" * 10)
    else:
        data = bytearray()
    target.write_bytes(bytes(data))
    with pytest.warns(StaleDigestWarning, match="saved digests unusable"):
        result = run(median_corpus, finished_out)
    assert len(result.digested) == 1 and len(result.reused) == 5
    assert list(result.redone) == result.digested
    assert result_bytes(finished_out) == result_bytes(median_reference_out)
    assert check_digest_file(target, result.digested[0], ("protein_coding", "miRNA")).status == "current"


@pytest.fixture(scope="module")
def small_digest_file(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("small-digest")
    loom = make_loom(directory / "a.loom", genes=12, cells=200, seed=3)
    return save_digests(digest_loom(loom), directory / "a.digest.h5")


def test_no_flipped_byte_gives_different_digests(small_digest_file, tmp_path):
    """Checksums on data and metadata: every flip is an error or touches unused bytes."""
    original = small_digest_file.read_bytes()
    expected = read_digest_shards(small_digest_file)
    flipped = tmp_path / "flipped.digest.h5"
    undetected = 0
    for position in range(0, len(original), max(1, len(original) // 400)):
        data = bytearray(original)
        data[position] ^= 0x04
        flipped.write_bytes(bytes(data))
        try:
            stored = read_digest_shards(flipped)
        except DigestFileError:
            continue
        undetected += 1
        assert stored.ensembl_ids == expected.ensembl_ids, position
        for name in ("offsets", "means", "weights", "total_weight", "minimum", "maximum", "compression"):
            np.testing.assert_array_equal(getattr(stored.packed, name), getattr(expected.packed, name))
    assert undetected < 200  # most bytes of the file matter


def edit_dataset(path: Path, name: str, edit) -> None:
    """Rewrite dataset ``name`` of a digest file with ``edit(values)``, checksums recomputed."""
    with h5py.File(path, "r+") as file:
        values = file[name][:]
        values = edit(values)
        del file[name]
        file.create_dataset(name, data=values, fletcher32=True, chunks=True)


EDITS = {
    "offsets claim more centroids than stored": ("offsets", lambda v: np.concatenate([v[:-1], [v[-1] + 500]])),
    "offsets claim more centroids than a digest holds": (
        "offsets", lambda v: np.concatenate([[0], np.full(len(v) - 1, 10_000)])
    ),
    "offsets decrease": ("offsets", lambda v: v[::-1].copy()),
    "negative weight": ("weights", lambda v: np.where(np.arange(len(v)) == 3, -1.0, v)),
    "infinite weight": ("weights", lambda v: np.where(np.arange(len(v)) == 3, np.inf, v)),
    "NaN mean": ("means", lambda v: np.where(np.arange(len(v)) == 2, np.nan, v)),
    "unsorted means": ("means", lambda v: v[::-1].copy()),
    "min above max": ("minimum", lambda v: v + 1e9),
    "total weight not the sum": ("total_weight", lambda v: v + 1),
    "compression not finite": ("compression", lambda v: np.full_like(v, np.inf)),
    "repeated gene ids": ("ensembl_ids", lambda v: np.full_like(v, v[0])),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_edited_digest_file_is_refused_before_crick_sees_it(small_digest_file, tmp_path, edit):
    """An edit with valid checksums (e.g. by hand) is caught by validation; no segfault."""
    path = tmp_path / "edited.digest.h5"
    shutil.copy(small_digest_file, path)
    name, change = EDITS[edit]
    edit_dataset(path, name, change)
    with pytest.raises(DigestFileError):
        read_digest_shards(path)


def test_edited_offsets_in_a_run_are_redone_not_a_crash(median_corpus, median_reference_out, finished_out):
    target = digest_files(finished_out)[0]
    edit_dataset(target, "offsets", EDITS["offsets claim more centroids than a digest holds"][1])
    with pytest.warns(StaleDigestWarning, match="centroids"):
        result = run(median_corpus, finished_out)
    assert len(result.redone) == 1
    assert result_bytes(finished_out) == result_bytes(median_reference_out)


def test_crick_state_checks_reject_overfull_and_inconsistent_states():
    with pytest.raises(ValueError, match="do not fit"):
        digest_from_state(np.arange(201.0), np.ones(201), 201.0, 0.0, 200.0, compression=100.0)
    digest = TDigest()
    digest.update(np.arange(1.0, 50.0))
    packed = PackedDigests.from_digests([digest, TDigest(), digest])
    validate_packed(packed)  # valid, with an empty digest between
    broken = PackedDigests(**{**packed.__dict__, "maximum": packed.maximum - 10})
    with pytest.raises(ValueError, match="between them"):
        validate_packed(broken)


# ---------------------------------------------------------------- changing sources


def test_source_replaced_while_digested_is_not_kept(median_corpus, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(median_corpus, corpus)
    victim = sorted(corpus.rglob("*.loom"))[1]
    replacement = make_loom(tmp_path / "replacement.loom", genes=120, cells=250, seed=99, gene_fraction=0.9)
    real_block = tasks_module.digest_gene_block
    replaced = []

    def replace_during_read(layout, start, stop, **options):
        digests = real_block(layout, start, stop, **options)
        if Path(layout.path) == victim.resolve() and not replaced:
            os.replace(shutil.copy(replacement, tmp_path / "incoming.loom"), victim)
            replaced.append(True)
        return digests

    monkeypatch.setattr(tasks_module, "digest_gene_block", replace_during_read)
    out = tmp_path / "out"
    result = run(corpus, out)
    assert replaced
    assert list(result.bad_files) == [victim.resolve()]
    assert "changed while being digested" in result.bad_files[victim.resolve()]
    assert not (out / "digests" / digestfile_module.digest_file_name(victim.resolve())).exists()
    monkeypatch.undo()
    rerun = run(corpus, out)
    assert rerun.ok and rerun.digested == [victim.resolve()]
    fresh = run(corpus, tmp_path / "fresh")
    assert result_bytes(out) == result_bytes(tmp_path / "fresh")
    assert fresh.ok


# ---------------------------------------------------------------- output-side failures


def test_unwritable_digest_directory_stops_with_status_2(median_corpus, finished_out, median_reference_out, capsys):
    shutil.rmtree(finished_out / "digests")
    (finished_out / "digests").write_text("a file where the digest directory should be")
    status = main(["medians", str(median_corpus), "--out", str(finished_out), "--workers", "1", "--quiet",
                   "--gene-info", str(median_corpus / "gene_info.csv")])
    err = capsys.readouterr().err
    assert status == 2
    assert "cannot write to" in err and "not a problem of the input files" in err
    assert ".loom" not in err  # no input file is blamed
    assert result_bytes(finished_out) == result_bytes(median_reference_out)
    assert not (finished_out / "bad_files.tsv").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_output_directory_stops_with_status_2(median_corpus, finished_out, median_reference_out, capsys):
    for directory in (finished_out, finished_out / "digests"):
        directory.chmod(0o555)
    try:
        status = main(["medians", str(median_corpus), "--out", str(finished_out), "--workers", "1", "--quiet"])
    finally:
        for directory in (finished_out, finished_out / "digests"):
            directory.chmod(0o755)
    assert status == 2
    assert "cannot write to" in capsys.readouterr().err
    assert result_bytes(finished_out) == result_bytes(median_reference_out)


def disk_full_after(monkeypatch, module, writes: int) -> list:
    """Make ``module.atomic_write`` fail with ENOSPC after ``writes`` successful files."""
    real = module.atomic_write
    done = []

    def atomic_write(path):
        if len(done) >= writes:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        done.append(path)
        return real(path)

    monkeypatch.setattr(module, "atomic_write", atomic_write)
    return done


def test_disk_full_while_digesting_keeps_old_results_and_blames_no_input(
    median_corpus, median_reference_out, tmp_path, monkeypatch, capsys
):
    corpus = tmp_path / "corpus"
    shutil.copytree(median_corpus, corpus)
    out = tmp_path / "out"
    run(corpus, out)
    finished = result_bytes(out)
    assert finished == result_bytes(median_reference_out)
    for path in sorted(corpus.rglob("*.loom"))[:4]:  # four sources touched: digested again
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    done = disk_full_after(monkeypatch, digestfile_module, writes=2)
    status = main(["medians", str(corpus), "--out", str(out), "--workers", "1", "--quiet",
                   "--gene-info", str(corpus / "gene_info.csv")])
    err = capsys.readouterr().err
    assert status == 2 and len(done) == 2
    assert "No space left on device" in err and "not a problem of the input files" in err
    assert "bad file" not in err
    assert result_bytes(out) == finished
    assert not (out / "bad_files.tsv").exists()
    monkeypatch.undo()
    result = run(corpus, out)  # space again: the two digests written before are reused
    assert len(result.digested) == 2 and len(result.reused) == 4
    assert result_bytes(out) == finished


def test_disk_full_while_writing_results_changes_no_result_file(
    median_corpus, median_reference_out, finished_out, monkeypatch
):
    tsv = finished_out / "gene_medians.tsv"
    tsv.write_text("results of an earlier run\n")
    before = result_bytes(finished_out)
    done = disk_full_after(monkeypatch, results_module, writes=2)  # the third result file fails
    with pytest.raises(WorkflowAborted, match="No space left on device"):
        run(median_corpus, finished_out)
    assert len(done) == 2
    assert result_bytes(finished_out) == before
    assert sorted(path.name for path in finished_out.iterdir()) == sorted(["digests", *RESULT_FILES])


@pytest.mark.slow
def test_output_failure_on_dask_workers_stops_the_run(median_corpus, median_reference_out, tmp_path, monkeypatch):
    """Digest files are written by the workers: their failure is not blamed on the input."""
    from distributed import Client, LocalCluster

    disk_full_after(monkeypatch, digestfile_module, writes=1)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            with pytest.raises(WorkflowAborted, match="No space left on device") as caught:
                run_workflow([median_corpus], tmp_path / "out", client=client, quiet=True)
    assert "not a problem of the input files" in str(caught.value)
    assert not (tmp_path / "out" / "gene_medians.tsv").exists()


# ---------------------------------------------------------------- directories and attributes


def test_links_are_followed_and_each_file_counted_once(median_corpus, tmp_path):
    root = tmp_path / "inputs"
    root.mkdir()
    (root / "linked-database").symlink_to(median_corpus / "database1", target_is_directory=True)
    (root / "again").symlink_to(median_corpus / "database1", target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    one = sorted((median_corpus / "database2").glob("*.loom"))[0]
    (root / "one.loom").symlink_to(one)
    search = find_input_files([root, one])
    expected = sorted([*(median_corpus / "database1").resolve().glob("*.loom"), one.resolve()])
    assert search.files == expected
    assert search.problems == {}


def test_unreadable_directory_is_reported_not_skipped(median_corpus, tmp_path, monkeypatch, capsys):
    corpus = tmp_path / "corpus"
    shutil.copytree(median_corpus, corpus)
    locked = corpus / "database2"
    real_scandir = os.scandir

    def scandir(path):
        if Path(path) == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_scandir(path)

    monkeypatch.setattr(discovery_module.os, "scandir", scandir)
    status = main(["medians", str(corpus), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"])
    err = capsys.readouterr().err
    assert status == 1
    assert f"{locked}: cannot list directory: Permission denied" in err
    assert "database2" in (tmp_path / "out" / "bad_files.tsv").read_text()
    assert (tmp_path / "out" / "gene_medians.tsv").exists()


def test_broken_link_is_reported(median_corpus, tmp_path):
    root = tmp_path / "inputs"
    shutil.copytree(median_corpus / "database1", root)
    (root / "gone.loom").symlink_to(tmp_path / "missing.loom")
    search = find_input_files([root])
    assert search.problems == {root / "gone.loom": "broken symbolic link"}
    assert len(search.files) == 3


def test_infinite_n_counts_is_a_bad_attribute(tmp_path):
    path = make_loom(tmp_path / "inf.loom", genes=30, cells=40, seed=1, dtype="float32")
    with h5py.File(path, "r+") as file:
        n_counts = file["/col_attrs/n_counts"][:].astype(np.float64)
        n_counts[np.flatnonzero(file["/col_attrs/filter_pass"][:] == 1)[0]] = np.inf
        del file["/col_attrs/n_counts"]
        file["/col_attrs/n_counts"] = n_counts
    with pytest.raises(ValueError, match=r"inf\.loom: column attribute 'n_counts' contains infinite values"):
        digest_loom(path)
    result = run_workflow([tmp_path / "inf.loom", make_loom(tmp_path / "ok.loom", genes=30, cells=40)],
                          tmp_path / "out", workers=1, quiet=True)
    assert list(result.bad_files) == [path.resolve()]


# ---------------------------------------------------------------- the scheduler


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_scheduler_is_a_one_line_error_without_waiting(median_corpus, tmp_path, monkeypatch, capsys):
    import distributed

    def no_client(*args, **kwargs):  # Dask's own connect would retry for 30 s
        raise AssertionError("the probe should have failed first")

    monkeypatch.setattr(distributed, "Client", no_client)
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(WorkflowAborted, match="cannot reach the Dask scheduler"):
        connect_to_scheduler(address)
    status = main(["medians", str(median_corpus), "--out", str(tmp_path / "out"), "--scheduler", address, "--quiet"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and address in err and "Connection refused" in err


@pytest.mark.slow
def test_lost_scheduler_stops_the_run_and_keeps_old_results(tmp_path):
    corpus = tmp_path / "corpus"
    make_corpus(corpus, databases=2, files_per_database=6, genes=600, cells=1500, seed=4)
    out = tmp_path / "out"
    out.mkdir()
    (out / "gene_medians.tsv").write_text("results of an earlier run\n")
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
         "--dashboard-address", ":0", "--scheduler-file", str(scheduler_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", str(scheduler_file),
         "--nthreads", "1", "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        import json

        address = json.loads(scheduler_file.read_text())["address"]
        command = subprocess.Popen(
            [sys.executable, "-m", "genenorm_edu.cli", "medians", str(corpus), "--out", str(out),
             "--scheduler", address, "--quiet"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        while time.monotonic() < deadline and len(list(out.glob("digests/*.digest.h5"))) < 2:
            time.sleep(0.02)
        scheduler.send_signal(signal.SIGKILL)
        stdout, stderr = command.communicate(timeout=120)
    finally:
        for process in (worker, scheduler):
            process.kill()
            process.wait()
    assert command.returncode == 2, stderr
    assert "lost the Dask cluster" in stderr and "not a problem of the input files" in stderr
    assert "bad file" not in stderr
    assert (out / "gene_medians.tsv").read_text() == "results of an earlier run\n"
    assert not (out / "bad_files.tsv").exists()
    assert 2 <= len(list(out.glob("digests/*.digest.h5"))) < 12

"""Tests of genenorm_edu.data: generator, cache, verified real files, CLI."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pooch
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from genenorm_edu import data

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA_DIR = REPOSITORY_ROOT.parent / "shared" / "data"
REAL_GENE_LENGTHS_PATH = SHARED_DATA_DIR / "gene-lens.npy"
REAL_LIBRARY_SIZES_PATH = SHARED_DATA_DIR / "tcga_skcm_library_sizes.txt"
needs_real_gene_lengths = pytest.mark.skipif(
    not REAL_GENE_LENGTHS_PATH.is_file(), reason=f"{REAL_GENE_LENGTHS_PATH} not present"
)

# Facts about the real data, from the public data README (not from our code).
REAL_TOTAL_READS = 19_873_220_752
REAL_LOG_LENGTH_MEAN, REAL_LOG_LENGTH_SD = 7.912, 0.848
REAL_MEDIAN_LENGTH = 2986.5


@pytest.fixture(scope="module")
def synthetic_counts(synthetic_data_dir: Path) -> np.ndarray:
    return data.load_counts("synthetic", directory=synthetic_data_dir)


@pytest.fixture(scope="module")
def synthetic_gene_lengths(synthetic_data_dir: Path) -> np.ndarray:
    return data.load_gene_lengths("synthetic", directory=synthetic_data_dir)


def _copy_synthetic_cache(source: Path, destination: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    for name in (data.COUNTS.synthetic_name, data.GENE_LENGTHS.synthetic_name):
        shutil.copyfile(source / name, destination / name)
    return destination


def _refuse_download(url, output_file, pooch_instance):
    raise AssertionError(f"tried to download {url}")


# --------------------------------------------------------------------------
# Library sizes and data directory
# --------------------------------------------------------------------------


def test_real_library_sizes_are_the_published_facts():
    sizes = data.real_library_sizes()
    assert sizes.dtype == np.int64
    assert sizes.shape == (data.N_SAMPLES,)
    assert int(sizes.sum()) == REAL_TOTAL_READS
    assert (sizes > 0).all()


@pytest.mark.skipif(not REAL_LIBRARY_SIZES_PATH.is_file(), reason="shared data absent")
def test_real_library_sizes_equal_the_shared_file():
    expected = np.loadtxt(REAL_LIBRARY_SIZES_PATH, dtype=np.int64)
    np.testing.assert_array_equal(data.real_library_sizes(), expected)


def test_data_dir_follows_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("GENENORM_EDU_DATA_DIR", str(tmp_path / "elsewhere"))
    assert data.data_dir() == tmp_path / "elsewhere"


def test_data_dir_expands_the_home_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GENENORM_EDU_DATA_DIR", "~/course-data")
    assert data.data_dir() == tmp_path / "course-data"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_data_dir_defaults_to_the_checkout_data_folder(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("GENENORM_EDU_DATA_DIR", raising=False)
    else:
        monkeypatch.setenv("GENENORM_EDU_DATA_DIR", value)
    assert data.data_dir() == REPOSITORY_ROOT / "data"


def test_data_dir_outside_a_checkout_is_a_user_cache(monkeypatch):
    monkeypatch.delenv("GENENORM_EDU_DATA_DIR", raising=False)
    monkeypatch.setattr(data.files, "_source_checkout_root", lambda: None)
    assert data.data_dir() == Path(pooch.os_cache("genenorm-edu"))


def test_loaders_use_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("GENENORM_EDU_DATA_DIR", str(tmp_path))
    gene_lengths = data.load_gene_lengths()
    assert (tmp_path / data.GENE_LENGTHS.synthetic_name).is_file()
    assert gene_lengths.shape == (data.N_GENES,)


# --------------------------------------------------------------------------
# Gene lengths generator
# --------------------------------------------------------------------------


def test_synthetic_gene_lengths_follow_the_real_distribution():
    gene_lengths = data.generate_gene_lengths()
    assert gene_lengths.dtype == np.int64
    assert gene_lengths.shape == (data.N_GENES,)
    log_lengths = np.log(gene_lengths)
    assert abs(log_lengths.mean() - REAL_LOG_LENGTH_MEAN) < 0.05
    assert abs(log_lengths.std() - REAL_LOG_LENGTH_SD) < 0.05
    assert abs(np.median(gene_lengths) - REAL_MEDIAN_LENGTH) < 200
    assert gene_lengths.min() >= 33
    assert gene_lengths.max() <= 115_549


@needs_real_gene_lengths
def test_synthetic_gene_lengths_resemble_the_real_ones():
    real = np.load(REAL_GENE_LENGTHS_PATH)
    synthetic = data.generate_gene_lengths()
    # Two-sample Kolmogorov-Smirnov distance between the distributions.
    assert stats.ks_2samp(np.log(real), np.log(synthetic)).statistic < 0.05


@settings(max_examples=25, deadline=None)
@given(n_genes=st.integers(1, 3000), seed=st.integers(0, 2**32))
def test_gene_lengths_are_deterministic_and_in_range(n_genes, seed):
    first = data.generate_gene_lengths(n_genes, seed=seed)
    assert first.shape == (n_genes,)
    assert first.dtype == np.int64
    assert first.min() >= 33 and first.max() <= 115_549
    np.testing.assert_array_equal(first, data.generate_gene_lengths(n_genes, seed=seed))


def test_gene_lengths_depend_on_the_seed():
    assert not np.array_equal(
        data.generate_gene_lengths(500, seed=1), data.generate_gene_lengths(500, seed=2)
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_genes": 0}, ValueError, "n_genes must be positive"),
        ({"n_genes": -5}, ValueError, "n_genes must be positive"),
        ({"n_genes": 2.5}, TypeError, "n_genes must be an integer"),
        ({"n_genes": True}, TypeError, "n_genes must be an integer"),
        ({"n_genes": 10, "seed": -1}, TypeError, "seed must be a non-negative integer"),
        ({"n_genes": 10, "seed": "abc"}, TypeError, "seed must be a non-negative integer"),
        ({"n_genes": 10, "seed": 1.5}, TypeError, "seed must be a non-negative integer"),
    ],
)
def test_gene_lengths_reject_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.generate_gene_lengths(**kwargs)


# --------------------------------------------------------------------------
# Counts generator: properties on small inputs
# --------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    gene_lengths=st.lists(st.integers(1, 200_000), min_size=1, max_size=40),
    library_sizes=st.lists(st.integers(0, 10**8), min_size=1, max_size=6),
    seed=st.integers(0, 2**32),
)
def test_counts_have_exact_library_sizes_dtype_and_order(gene_lengths, library_sizes, seed):
    counts = data.generate_counts(gene_lengths, library_sizes, seed=seed)
    assert counts.shape == (len(gene_lengths), len(library_sizes))
    assert counts.dtype == np.uint32
    assert counts.flags.f_contiguous
    np.testing.assert_array_equal(counts.sum(axis=0, dtype=np.int64), library_sizes)


def test_counts_accept_the_largest_uint32_library_size():
    largest = int(np.iinfo(np.uint32).max)
    counts = data.generate_counts([1000, 2000], [largest, 7], seed=3)
    assert counts.sum(axis=0, dtype=np.int64).tolist() == [largest, 7]


def test_counts_are_deterministic_for_a_seed_and_change_with_it():
    gene_lengths = data.generate_gene_lengths(300, seed=5)
    sizes = [100_000, 250_000, 50_000, 1_000_000]
    first = data.generate_counts(gene_lengths, sizes, seed=11)
    np.testing.assert_array_equal(first, data.generate_counts(gene_lengths, sizes, seed=11))
    assert not np.array_equal(first, data.generate_counts(gene_lengths, sizes, seed=12))


@pytest.mark.parametrize(
    ("gene_lengths", "library_sizes", "error", "message"),
    [
        ([1.5, 2.0], [10], TypeError, "gene_lengths must hold integers"),
        (["a", "b"], [10], TypeError, "gene_lengths must hold integers"),
        ([100, 200], [10.0], TypeError, "library_sizes must hold integers"),
        ([[100, 200]], [10], ValueError, "gene_lengths must be a 1-D array"),
        ([100, 200], [[10]], ValueError, "library_sizes must be a 1-D array"),
        (np.array([], dtype=np.int64), [10], ValueError, "gene_lengths is empty"),
        ([100, 200], np.array([], dtype=np.int64), ValueError, "library_sizes is empty"),
        ([100, 0], [10], ValueError, "gene_lengths must be positive, found 0 at index 1"),
        ([100, -3], [10], ValueError, "gene_lengths must be positive"),
        ([100, 200], [10, -1], ValueError, "library_sizes must not be negative"),
        ([100, 200], [2**32], ValueError, "fit in uint32"),
        ([100, 200], np.array([2**63], dtype=np.uint64), ValueError, "too large"),
    ],
)
def test_counts_reject_bad_input(gene_lengths, library_sizes, error, message):
    with pytest.raises(error, match=message):
        data.generate_counts(gene_lengths, library_sizes, seed=0)


@pytest.mark.parametrize("too_large", [2**63, 2**63 + 1, 2**64 - 1])
def test_counts_reject_uint64_values_beyond_int64(too_large):
    # NumPy 1.x compares a uint64 with the int64 bound in float64, where
    # 2**63 - 1 and 2**63 are equal: 2**63 used to slip through and wrap to a
    # "negative" library size.
    library_sizes = np.array([10, too_large], dtype=np.uint64)
    expected = f"library_sizes holds values too large for int64: largest {too_large}"
    with pytest.raises(ValueError, match=expected):
        data.generate_counts([100, 200], library_sizes, seed=0)


def test_counts_take_uint64_values_that_fit():
    largest_int64 = np.array([10, 2**63 - 1], dtype=np.uint64)
    with pytest.raises(ValueError, match="fit in uint32, found 9223372036854775807 at index 1"):
        data.generate_counts([100, 200], largest_int64, seed=0)
    counts = data.generate_counts([100, 200], np.array([5, 7], dtype=np.uint64), seed=0)
    assert counts.sum(axis=0, dtype=np.int64).tolist() == [5, 7]


def test_counts_reject_a_bad_seed():
    with pytest.raises(TypeError, match="seed"):
        data.generate_counts([100], [10], seed=None)


# --------------------------------------------------------------------------
# The full synthetic matrix
# --------------------------------------------------------------------------


def test_synthetic_counts_have_the_course_layout(synthetic_counts):
    assert synthetic_counts.shape == (20_500, 375)
    assert synthetic_counts.dtype == np.uint32
    assert synthetic_counts.flags.f_contiguous
    column_sums = synthetic_counts.sum(axis=0, dtype=np.int64)
    np.testing.assert_array_equal(column_sums, data.real_library_sizes())
    assert int(column_sums.sum()) == REAL_TOTAL_READS


def test_synthetic_counts_look_like_rna_seq(synthetic_counts):
    zero_fraction = np.mean(synthetic_counts == 0)
    assert 0.01 < zero_fraction < 0.3, "expected a spike of zeros"
    log_counts = np.log1p(synthetic_counts[:, :50])
    quartile_1, median, quartile_3 = np.percentile(log_counts, [25, 50, 75])
    assert 3 < median < 9
    assert quartile_3 - quartile_1 > 2, "expected a broad body of log counts"
    # Gene means are shared: samples are strongly correlated gene by gene.
    correlation = np.corrcoef(log_counts.T)
    assert correlation[np.triu_indices(50, k=1)].min() > 0.7


def test_synthetic_samples_differ_before_normalization(synthetic_counts):
    counts = synthetic_counts[:, :50].astype(np.float64)
    log_cpm = np.log1p(counts / counts.sum(axis=0) * 1e6)
    quartiles = np.percentile(log_cpm, [25, 50, 75], axis=0)
    # Even after dividing by the library sizes the samples' distributions
    # differ visibly -- what quantile normalization is for.
    assert (np.ptp(quartiles, axis=1) > 0.3).all()
    zero_fractions = np.mean(synthetic_counts == 0, axis=0)
    assert zero_fractions.max() - zero_fractions.min() > 0.02


def test_synthetic_counts_are_overdispersed(synthetic_counts):
    library_sizes = synthetic_counts.sum(axis=0, dtype=np.int64)
    scaled = synthetic_counts / library_sizes * np.median(library_sizes)
    mean, variance = scaled.mean(axis=1), scaled.var(axis=1)
    well_expressed = mean > 100
    assert well_expressed.sum() > 1000
    # Poisson noise alone would give a variance close to the mean.
    assert np.median(variance[well_expressed] / mean[well_expressed]) > 5


def test_longer_genes_get_more_reads(synthetic_counts, synthetic_gene_lengths):
    mean_counts = synthetic_counts.mean(axis=1)
    assert stats.spearmanr(synthetic_gene_lengths, mean_counts).statistic > 0.2


def test_cached_gene_lengths_are_the_generated_ones(synthetic_gene_lengths):
    np.testing.assert_array_equal(synthetic_gene_lengths, data.generate_gene_lengths())


def test_generation_is_safe_and_identical_across_concurrent_processes(
    synthetic_data_dir, tmp_path
):
    """Two processes generate the same cache at once; both succeed, same bytes.

    Also checks determinism: the files equal the session fixture's, which
    were generated in this process.
    """
    directory = tmp_path / "shared-cache"
    script = textwrap.dedent(
        f"""
        from genenorm_edu import data
        counts = data.load_counts("synthetic", directory={str(directory)!r})
        print(counts.shape)
        """
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (stdout, stderr) in zip(processes, outputs):
        assert process.returncode == 0, stderr.decode()
        assert b"(20500, 375)" in stdout
    assert sorted(path.name for path in directory.iterdir()) == [data.COUNTS.synthetic_name]
    generated = (directory / data.COUNTS.synthetic_name).read_bytes()
    reference = (synthetic_data_dir / data.COUNTS.synthetic_name).read_bytes()
    assert hashlib.sha256(generated).digest() == hashlib.sha256(reference).digest()


# --------------------------------------------------------------------------
# Cache: reuse, validation, regeneration, atomic writes
# --------------------------------------------------------------------------


def test_loader_reuses_the_cache_without_generating(synthetic_data_dir, monkeypatch):
    def refuse():
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(data.generate, "generate_counts", lambda *args, **kwargs: refuse())
    monkeypatch.setattr(data.generate, "generate_gene_lengths", lambda *args, **kwargs: refuse())
    counts = data.load_counts("synthetic", directory=synthetic_data_dir)
    gene_lengths = data.load_gene_lengths("synthetic", directory=synthetic_data_dir)
    assert counts.shape == (20_500, 375)
    assert gene_lengths.shape == (20_500,)


def _write_npy_variant(path: Path, variant: str, counts: np.ndarray) -> None:
    """Write a broken counts file; ``variant`` says how it is broken."""
    if variant == "not npy":
        path.write_bytes(b"this is not a numpy file at all")
    elif variant == "empty file":
        path.write_bytes(b"")
    elif variant == "wrong shape":
        np.save(path, np.asfortranarray(counts[:, :10]))
    elif variant == "wrong dtype":
        np.save(path, counts.astype(np.int64, order="F"))
    elif variant == "C order":
        np.save(path, np.ascontiguousarray(counts))
    elif variant == "truncated":
        np.save(path, counts)
        with open(path, "r+b") as file:
            file.truncate(path.stat().st_size - 1000)
    elif variant == "too long":
        np.save(path, counts)
        with open(path, "ab") as file:
            file.write(b"\0" * 8)
    elif variant == "wrong library size":
        changed = counts.copy(order="F")
        changed[5, 7] += 1
        np.save(path, changed)
    else:  # pragma: no cover
        raise ValueError(variant)


COUNTS_CORRUPTIONS = {
    "not npy": "not a readable .npy file",
    "empty file": "not a readable .npy file",
    "wrong shape": r"shape \(20500, 10\), expected \(20500, 375\)",
    "wrong dtype": "dtype int64, expected uint32",
    "C order": "not stored in Fortran order",
    "truncated": "truncated",
    "too long": "too long",
    "wrong library size": "library sizes differ .* in 1 sample.*sample 7",
}


@pytest.mark.parametrize("variant", sorted(COUNTS_CORRUPTIONS))
def test_counts_reader_names_the_problem(variant, synthetic_counts, tmp_path):
    path = tmp_path / "counts.npy"
    _write_npy_variant(path, variant, synthetic_counts)
    with pytest.raises(ValueError, match=COUNTS_CORRUPTIONS[variant]):
        data.COUNTS.read(path)


@pytest.mark.parametrize(
    ("gene_lengths", "message"),
    [
        (np.arange(1, 101, dtype=np.int64), r"shape \(100,\), expected \(20500,\)"),
        (np.ones(20_500, dtype=np.float64), "dtype float64, expected int64"),
        (np.zeros(20_500, dtype=np.int64), "gene lengths must be positive"),
    ],
)
def test_gene_lengths_reader_names_the_problem(gene_lengths, message, tmp_path):
    path = tmp_path / "lengths.npy"
    np.save(path, gene_lengths)
    with pytest.raises(ValueError, match=message):
        data.GENE_LENGTHS.read(path)


def test_corrupt_counts_cache_is_regenerated_with_a_warning(
    synthetic_data_dir, synthetic_counts, tmp_path, monkeypatch
):
    directory = _copy_synthetic_cache(synthetic_data_dir, tmp_path / "cache")
    cached = directory / data.COUNTS.synthetic_name
    with open(cached, "r+b") as file:
        file.truncate(1000)
    # Stand in for the (slower) generator: the regeneration flow is under test.
    monkeypatch.setattr(data.generate, "generate_counts", lambda *args, **kwargs: synthetic_counts)
    with pytest.warns(RuntimeWarning, match="regenerating the synthetic data cache.*truncated"):
        counts = data.load_counts("synthetic", directory=directory)
    np.testing.assert_array_equal(counts, synthetic_counts)
    np.testing.assert_array_equal(data.COUNTS.read(cached), synthetic_counts)


def test_corrupt_gene_lengths_cache_is_regenerated(synthetic_gene_lengths, tmp_path):
    cached = tmp_path / data.GENE_LENGTHS.synthetic_name
    cached.write_bytes(b"garbage")
    with pytest.warns(RuntimeWarning, match="not a readable .npy file"):
        gene_lengths = data.load_gene_lengths("synthetic", directory=tmp_path)
    np.testing.assert_array_equal(gene_lengths, synthetic_gene_lengths)
    np.testing.assert_array_equal(np.load(cached), synthetic_gene_lengths)


def test_an_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    def fail_halfway(file, array, allow_pickle):
        file.write(b"\x93NUMPY partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(data.load.np, "save", fail_halfway)
    target = tmp_path / "array.npy"
    with pytest.raises(KeyboardInterrupt):
        data.load._save_npy(target, np.arange(5))
    assert list(tmp_path.iterdir()) == []


def test_atomic_save_replaces_an_existing_file(tmp_path):
    target = tmp_path / "sub" / "array.npy"
    data.load._save_npy(target, np.arange(3))
    data.load._save_npy(target, np.arange(7))
    np.testing.assert_array_equal(np.load(target), np.arange(7))
    assert [path.name for path in target.parent.iterdir()] == ["array.npy"]


def test_cache_files_get_ordinary_permissions(tmp_path):
    previous = os.umask(0o022)
    try:
        data.load._save_npy(tmp_path / "array.npy", np.arange(3))
    finally:
        os.umask(previous)
    assert (tmp_path / "array.npy").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("loader", [data.load_counts, data.load_gene_lengths])
@pytest.mark.parametrize("source", ["Synthetic", "download", ""])
def test_loaders_reject_an_unknown_source(loader, source, tmp_path):
    with pytest.raises(ValueError, match="source must be one of 'auto', 'synthetic', 'real'"):
        loader(source, directory=tmp_path)


def test_auto_source_prefers_real_files_when_both_are_present(tmp_path):
    assert data.load._choose_source("auto", tmp_path) == "synthetic"
    (tmp_path / "gene-lens.npy").write_bytes(b"x")
    assert data.load._choose_source("auto", tmp_path) == "synthetic"
    (tmp_path / "expr.npy").write_bytes(b"not the real file")
    assert data.load._choose_source("auto", tmp_path) == "real"
    # ... and then verifies them instead of silently using a bad file.
    with pytest.raises(ValueError, match="not the published expr.npy"):
        data.load_counts(directory=tmp_path)


# --------------------------------------------------------------------------
# Real files: git blob ids, verification, download through pooch
# --------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
@pytest.mark.parametrize(
    "content",
    [b"", b"hello\n", bytes(range(256)) * 400, np.random.default_rng(0).bytes(70_000)],
    # Short ids: the default id of a long bytes value goes into the environment
    # (PYTEST_CURRENT_TEST) and makes ``git`` fail with "Argument list too long"
    # on pytest 7.
    ids=["empty", "hello", "all-bytes", "random"],
)
def test_git_blob_id_matches_git_hash_object(content, tmp_path):
    path = tmp_path / "file.bin"
    path.write_bytes(content)
    expected = subprocess.run(
        ["git", "hash-object", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert data.git_blob_id(path) == expected


@pytest.fixture
def real_gene_lengths_copy(tmp_path) -> Path:
    """A private copy of the real gene-lens.npy in an otherwise empty directory."""
    if not REAL_GENE_LENGTHS_PATH.is_file():
        pytest.skip(f"{REAL_GENE_LENGTHS_PATH} not present")
    directory = tmp_path / "real"
    directory.mkdir()
    copy = directory / "gene-lens.npy"
    shutil.copyfile(REAL_GENE_LENGTHS_PATH, copy)
    return copy


def _corrupt_one_byte(path: Path) -> None:
    content = bytearray(path.read_bytes())
    content[-100] ^= 0xFF
    path.write_bytes(bytes(content))


def _truncate(path: Path, n_bytes: int = 4000) -> None:
    with open(path, "r+b") as file:
        file.truncate(path.stat().st_size - n_bytes)


# SHA-256 of gene-lens.npy as published in the data notes.
PUBLISHED_GENE_LENGTHS_SHA256 = "15de134607f77b2c8ebacf7470735df5fe1fe19762c07de3e9e11eca292ba623"


def test_real_gene_lengths_pass_verification(real_gene_lengths_copy):
    # The local file is the published one (its SHA-256 says so) ...
    content = real_gene_lengths_copy.read_bytes()
    assert hashlib.sha256(content).hexdigest() == PUBLISHED_GENE_LENGTHS_SHA256
    assert data.REAL_GENE_LENGTHS.sha256 == PUBLISHED_GENE_LENGTHS_SHA256
    # ... so its git blob id is the one to pin.
    assert data.git_blob_id(real_gene_lengths_copy) == data.REAL_GENE_LENGTHS.git_blob_id
    data.verify_real_file(real_gene_lengths_copy, data.REAL_GENE_LENGTHS)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_pinned_gene_lengths_blob_id_is_what_git_computes(real_gene_lengths_copy):
    computed_by_git = subprocess.run(
        ["git", "hash-object", str(real_gene_lengths_copy)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert computed_by_git == data.REAL_GENE_LENGTHS.git_blob_id


def test_verification_rejects_a_corrupted_copy(real_gene_lengths_copy):
    _corrupt_one_byte(real_gene_lengths_copy)
    with pytest.raises(ValueError) as raised:
        data.verify_real_file(real_gene_lengths_copy, data.REAL_GENE_LENGTHS)
    message = str(raised.value)
    assert "is not the published gene-lens.npy" in message
    assert data.REAL_GENE_LENGTHS.git_blob_id in message
    assert data.git_blob_id(real_gene_lengths_copy) in message
    assert "genenorm-edu data --real" in message


def test_verification_says_a_copy_is_truncated(real_gene_lengths_copy):
    _truncate(real_gene_lengths_copy)
    with pytest.raises(ValueError, match="It is truncated: 160000 of 164000 data bytes"):
        data.verify_real_file(real_gene_lengths_copy, data.REAL_GENE_LENGTHS)


def test_verification_rejects_a_file_that_is_not_npy(tmp_path):
    path = tmp_path / "expr.npy"
    path.write_text("<html>404: Not Found</html>")
    with pytest.raises(ValueError, match="not the published expr.npy.*not even a readable .npy"):
        data.verify_real_file(path, data.REAL_COUNTS)


def test_verification_tells_a_same_layout_impostor_apart(synthetic_data_dir, tmp_path):
    """The synthetic matrix has the real layout and library sizes, not its bytes."""
    impostor = tmp_path / "expr.npy"
    shutil.copyfile(synthetic_data_dir / data.COUNTS.synthetic_name, impostor)
    data.COUNTS.read(impostor)  # passes every content check ...
    with pytest.raises(ValueError, match="not the published expr.npy.*pass the content checks"):
        data.verify_real_file(impostor, data.REAL_COUNTS)  # ... but not the blob id


def test_verification_of_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file at"):
        data.verify_real_file(tmp_path / "expr.npy", data.REAL_COUNTS)


def test_real_file_urls_point_at_the_pinned_commit():
    for real_file in (data.REAL_COUNTS, data.REAL_GENE_LENGTHS):
        assert real_file.url == (
            "https://raw.githubusercontent.com/scikit-image/skimage-tutorials/"
            "28cf4d9b9e94caace953541d7f830291ee59b3a0/data/" + real_file.name
        )


def test_fetch_uses_a_verified_local_copy_without_downloading(real_gene_lengths_copy):
    path = data.fetch_real_file(
        data.REAL_GENE_LENGTHS,
        directory=real_gene_lengths_copy.parent,
        downloader=_refuse_download,
    )
    assert path == real_gene_lengths_copy


def test_fetch_refuses_a_corrupted_local_copy_and_keeps_it(real_gene_lengths_copy):
    _corrupt_one_byte(real_gene_lengths_copy)
    with pytest.raises(ValueError, match="not the published gene-lens.npy"):
        data.fetch_real_file(
            data.REAL_GENE_LENGTHS,
            directory=real_gene_lengths_copy.parent,
            downloader=_refuse_download,
        )
    assert real_gene_lengths_copy.exists()


def _serving(content: bytes):
    """A pooch downloader that 'downloads' the given bytes."""
    requested = []

    def downloader(url, output_file, pooch_instance):
        requested.append(url)
        if isinstance(output_file, (str, os.PathLike)):
            Path(output_file).write_bytes(content)
        else:
            output_file.write(content)

    downloader.requested = requested
    return downloader


def test_fetch_downloads_and_verifies_through_pooch(real_gene_lengths_copy, tmp_path):
    directory = tmp_path / "fresh"
    downloader = _serving(real_gene_lengths_copy.read_bytes())
    path = data.fetch_real_file(data.REAL_GENE_LENGTHS, directory=directory, downloader=downloader)
    assert downloader.requested == [data.REAL_GENE_LENGTHS.url]
    assert path == directory / "gene-lens.npy"
    np.testing.assert_array_equal(np.load(path), np.load(real_gene_lengths_copy))


@pytest.mark.parametrize("damage", [_corrupt_one_byte, _truncate])
def test_fetch_rejects_a_damaged_download_and_deletes_it(damage, real_gene_lengths_copy, tmp_path):
    damage(real_gene_lengths_copy)
    directory = tmp_path / "fresh"
    downloader = _serving(real_gene_lengths_copy.read_bytes())
    with pytest.raises(ValueError, match="(?i)hash"):
        data.fetch_real_file(data.REAL_GENE_LENGTHS, directory=directory, downloader=downloader)
    assert not (directory / "gene-lens.npy").exists()


def test_fetch_rejects_a_wrong_counts_download_by_git_blob_id(tmp_path):
    """expr.npy has no published SHA-256: our git-blob check must catch it."""
    downloader = _serving(b"<html>rate limited</html>")
    with pytest.raises(ValueError, match="not the published expr.npy"):
        data.fetch_real_file(data.REAL_COUNTS, directory=tmp_path, downloader=downloader)
    assert not (tmp_path / "expr.npy").exists()


def test_fetch_reports_a_network_failure(tmp_path):
    def offline(url, output_file, pooch_instance):
        raise ConnectionError("network unreachable")

    expected = "could not download expr.npy from https://.*network unreachable"
    with pytest.raises(OSError, match=expected):
        data.fetch_real_file(data.REAL_COUNTS, directory=tmp_path, downloader=offline)
    assert not (tmp_path / "expr.npy").exists()


def test_real_gene_lengths_loader(real_gene_lengths_copy):
    gene_lengths = data.load_gene_lengths("real", directory=real_gene_lengths_copy.parent)
    assert gene_lengths.dtype == np.int64
    assert gene_lengths.shape == (20_500,)
    assert gene_lengths.min() == 33 and gene_lengths.max() == 115_549
    assert np.median(gene_lengths) == REAL_MEDIAN_LENGTH


def test_real_loader_refuses_a_truncated_file(real_gene_lengths_copy):
    _truncate(real_gene_lengths_copy)
    with pytest.raises(ValueError, match="truncated"):
        data.load_gene_lengths("real", directory=real_gene_lengths_copy.parent)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def _run(argv: list[str]) -> int:
    from genenorm_edu import cli

    return cli.main(argv)


def test_data_command_generates_and_summarizes(synthetic_data_dir, tmp_path, capsys):
    directory = _copy_synthetic_cache(synthetic_data_dir, tmp_path / "cache")
    assert _run(["data", "--data-dir", str(directory)]) == 0
    output = capsys.readouterr().out
    assert f"data directory: {directory}" in output
    assert "uint32 (20500, 375), Fortran order" in output
    assert "19,873,220,752 reads" in output
    assert "int64 (20500,)" in output
    assert "genenorm-edu data --real" in output


def test_data_command_uses_the_environment_variable(synthetic_data_dir, monkeypatch, capsys):
    monkeypatch.setenv("GENENORM_EDU_DATA_DIR", str(synthetic_data_dir))
    assert _run(["data"]) == 0
    assert f"data directory: {synthetic_data_dir}" in capsys.readouterr().out


def test_data_command_real_fails_cleanly_on_a_bad_file(tmp_path, capsys):
    (tmp_path / "expr.npy").write_bytes(b"not the real file")
    assert _run(["data", "--real", "--data-dir", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "genenorm-edu data: error:" in captured.err
    assert "not the published expr.npy" in captured.err
    assert captured.out == ""


def test_data_command_reports_network_failures(tmp_path, monkeypatch, capsys):
    def offline(real_file, *, directory=None, downloader=None):
        raise ConnectionError(f"cannot reach {real_file.url}")

    monkeypatch.setattr(data.download, "fetch_real_file", offline)
    assert _run(["data", "--real", "--data-dir", str(tmp_path)]) == 2  # environment, not input
    error = capsys.readouterr().err
    assert error.startswith("genenorm-edu data: error: ")
    assert "cannot reach https://raw.githubusercontent.com" in error


def test_data_command_through_the_real_cli(synthetic_data_dir, capsys):
    pytest.importorskip("genenorm_edu.medians.command")
    from genenorm_edu import cli

    assert cli.main(["data", "--data-dir", str(synthetic_data_dir)]) == 0
    assert "(20500, 375)" in capsys.readouterr().out

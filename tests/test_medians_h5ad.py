"""AnnData ``.h5ad`` input: same digests as loom, bad input named, bounded reads."""

from __future__ import annotations

import shutil

import h5py
import numpy as np
import pytest

from genenorm_edu.cli import main
from genenorm_edu.medians import (
    H5adFileError,
    digest_file,
    inspect_h5ad,
    make_corpus,
    make_loom,
    run_workflow,
    write_h5ad,
)
from genenorm_edu.medians.corpus import loom_to_h5ad

STORAGES = ["csr", "csc", "dense"]


def exact_states(file_digests):
    return [
        (digest.centroids().tobytes(), digest.size(), digest.min().hex(), digest.max().hex())
        for digest in file_digests.digests
    ]


@pytest.fixture(scope="module", params=["int32", "float32"])
def loom(request, tmp_path_factory):
    directory = tmp_path_factory.mktemp(f"h5ad-{request.param}")
    return make_loom(directory / "study.loom", genes=150, cells=700, seed=8, dtype=request.param)


@pytest.mark.parametrize("storage", STORAGES)
def test_same_data_as_h5ad_gives_the_loom_digests(loom, tmp_path, storage):
    """Files written by anndata itself; every gene's values in cell order, whatever the pieces."""
    expected = digest_file(loom)
    h5ad = loom_to_h5ad(loom, tmp_path / f"study-{storage}.h5ad", storage=storage)
    for max_block_bytes in (2**30, 2_000):
        actual = digest_file(h5ad, block_genes=64, max_block_bytes=max_block_bytes)
        assert actual.ensembl_ids == expected.ensembl_ids
        assert exact_states(actual) == exact_states(expected)
        assert (actual.cells_used, actual.failed_filter_cells) == (expected.cells_used, expected.failed_filter_cells)


def test_counts_from_a_layer(tmp_path):
    counts = np.array([[0, 2, 1], [4, 0, 3]], dtype=np.int32)
    path = write_h5ad(tmp_path / "layer.h5ad", counts, ["E1", "E2"], ["miRNA", "protein_coding"],
                      storage="csc", layer="counts")
    with pytest.raises(H5adFileError, match="no layer 'raw' \\(layers: counts\\)"):
        inspect_h5ad(path, layer="raw")
    from_layer = digest_file(path, layer="counts")
    assert [digest.size() for digest in from_layer.digests] == [2.0, 2.0]
    assert from_layer.digests[0].min() == 1 / 4 * 10_000  # n_counts 4, 2, 4
    assert from_layer.digests[1].quantile(0.5) == pytest.approx((3 / 4 + 4 / 4) / 2 * 10_000)
    from_x = digest_file(path)  # X holds normalised values: other digests
    assert exact_states(from_x) != exact_states(from_layer)


def test_mixed_loom_and_h5ad_corpus_gives_the_loom_results(median_corpus, median_reference_out, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(median_corpus, corpus)
    for index, loom in enumerate(sorted((corpus / "database2").glob("*.loom"))):
        loom_to_h5ad(loom, loom.with_suffix(".h5ad"), storage=STORAGES[index % 3])
        loom.unlink()
    out = tmp_path / "out"
    result = run_workflow([corpus], out, gene_info=corpus / "gene_info.csv", workers=1, quiet=True)
    assert sorted(path.suffix for path in result.digested) == [".h5ad"] * 3 + [".loom"] * 3
    for name in ("total_gene_median_dict.pickle", "gene_medians.tsv"):
        assert (out / name).read_bytes() == (median_reference_out / name).read_bytes()


def test_make_corpus_h5ad_command(tmp_path, capsys):
    arguments = ["--databases", "2", "--files-per-database", "1", "--genes", "40", "--cells", "60", "--seed", "3"]
    assert main(["make-corpus", str(tmp_path / "h5ad"), "--format", "h5ad", *arguments]) == 0
    assert main(["make-corpus", str(tmp_path / "loom"), *arguments]) == 0
    assert "wrote 2 h5ad file(s)" in capsys.readouterr().out
    import anndata

    data = anndata.read_h5ad(tmp_path / "h5ad" / "database1" / "study1.h5ad")
    assert data.shape == (60, 36) and type(data.X).__name__.startswith("csr")
    for name in ("h5ad", "loom"):
        assert main(["medians", str(tmp_path / name), "--out", str(tmp_path / f"out-{name}"),
                     "--workers", "1", "--quiet"]) == 0
    tsv = {name: (tmp_path / f"out-{name}" / "gene_medians.tsv").read_text() for name in ("h5ad", "loom")}
    assert tsv["h5ad"] == tsv["loom"]


# ---------------------------------------------------------------- fields


def small_h5ad(path, counts=None, **options):
    counts = np.array([[0, 2, 1], [4, 0, 3]], dtype=np.int32) if counts is None else counts
    arguments = dict(ensembl_ids=[f"E{i}" for i in range(counts.shape[0])],
                     gene_types=["protein_coding"] * counts.shape[0], storage="csr")
    arguments.update(options)
    return write_h5ad(path, counts, **arguments)


def test_gene_ids_from_the_var_index_when_no_ensembl_id_column(tmp_path):
    path = small_h5ad(tmp_path / "index.h5ad")
    with h5py.File(path, "r+") as file:
        del file["var/ensembl_id"]
        order = [name for name in file["var"].attrs["column-order"] if name != "ensembl_id"]
        file["var"].attrs["column-order"] = np.array(order, dtype=h5py.string_dtype())
    layout = inspect_h5ad(path)
    assert layout.ensembl_ids.tolist() == ["gene0", "gene1"]
    assert layout.notes == ("gene ids taken from the var index (no var column 'ensembl_id')",)
    result = run_workflow([path], tmp_path / "out", workers=1, quiet=True)
    assert list(result.medians) == ["gene0", "gene1"]
    assert result.notes[path.resolve()] == layout.notes


def drop_obs_n_counts(path):
    with h5py.File(path, "r+") as file:
        del file["obs/n_counts"]
        order = [name for name in file["obs"].attrs["column-order"] if name != "n_counts"]
        file["obs"].attrs["column-order"] = np.array(order, dtype=h5py.string_dtype())


@pytest.mark.parametrize("storage", STORAGES)
def test_missing_n_counts_is_refused_unless_computed(tmp_path, storage):
    counts = np.array([[0, 2, 1, 0], [4, 0, 3, 0], [1, 1, 1, 0]], dtype=np.int32)
    with_totals = small_h5ad(tmp_path / "with.h5ad", counts, storage=storage)
    without = small_h5ad(tmp_path / "without.h5ad", counts, storage=storage)
    drop_obs_n_counts(without)
    with pytest.raises(H5adFileError, match=r"without\.h5ad: missing obs column 'n_counts'.*--compute-n-counts"):
        inspect_h5ad(without)
    computed = digest_file(without, compute_n_counts=True, max_block_bytes=40)
    assert exact_states(computed) == exact_states(digest_file(with_totals))
    assert computed.zero_count_cells == 1


def replace_obs_n_counts(file, values):
    del file["obs/n_counts"]
    column = file["obs"].create_dataset("n_counts", data=values)
    column.attrs.update({"encoding-type": "array", "encoding-version": "0.2.0"})


@pytest.mark.parametrize(
    ("name", "damage", "message"),
    [
        ("no-gene-type", lambda f: f.__delitem__("var/gene_type"), "missing var column 'gene_type'"),
        ("short-obs", lambda f: replace_obs_n_counts(f, [3, 3]), "obs column 'n_counts' has 2 values, expected 3"),
        ("bad-shape", lambda f: f["X"].attrs.__setitem__("shape", np.array([5, 2])), "indptr has 4 values for 5 cells"),
        ("negative", lambda f: f["X/data"].__setitem__(0, -2), "must not be negative"),
        ("out-of-range", lambda f: f["X/indices"].__setitem__(0, 7), "gene index out of range"),
        ("no-matrix", lambda f: f.__delitem__("X"), "no count matrix 'X'"),
    ],
)
def test_bad_h5ad_files_name_file_and_problem(tmp_path, name, damage, message):
    path = small_h5ad(tmp_path / f"{name}.h5ad")
    with h5py.File(path, "r+") as file:
        damage(file)
    with pytest.raises(H5adFileError, match=rf"{name}\.h5ad: .*{message}"):
        digest_file(path)


def test_nan_counts_are_refused_and_other_files_finish(tmp_path):
    counts = np.array([[0, 2.5, 1], [4, 0, 3]], dtype=np.float32)
    bad = small_h5ad(tmp_path / "nan.h5ad", counts, storage="dense")
    with h5py.File(bad, "r+") as file:
        file["X"][1, 0] = np.nan
    truncated = tmp_path / "truncated.h5ad"
    truncated.write_bytes(small_h5ad(tmp_path / "whole.h5ad").read_bytes()[:3000])
    good = small_h5ad(tmp_path / "good.h5ad", counts)
    (tmp_path / "whole.h5ad").unlink()
    result = run_workflow([tmp_path], tmp_path / "out", workers=1, quiet=True)
    problems = {path.name: problem for path, problem in result.bad_files.items()}
    assert set(problems) == {"nan.h5ad", "truncated.h5ad"}
    assert "NaN" in problems["nan.h5ad"] and "HDF5" in problems["truncated.h5ad"]
    assert result.digested == [good.resolve()]
    assert result.detection_counts == {"E0": 2, "E1": 2}  # non-integer counts are fine


# ---------------------------------------------------------------- memory


@pytest.mark.parametrize("compute_n_counts", [False, True], ids=["n_counts-stored", "n_counts-summed"])
@pytest.mark.parametrize("storage", STORAGES)
def test_reads_are_bounded_by_the_block_size_not_the_cell_count(tmp_path, monkeypatch, storage, compute_n_counts):
    """The budget bounds every read, the sums of ``--compute-n-counts`` included."""
    loom = make_loom(tmp_path / "many-cells.loom", genes=100, cells=3_000, seed=2)
    h5ad = loom_to_h5ad(loom, tmp_path / "many-cells.h5ad", storage=storage)
    if compute_n_counts:
        with h5py.File(h5ad, "r+") as file:
            del file["obs/n_counts"]
            order = [name for name in file["obs"].attrs["column-order"] if name != "n_counts"]
            file["obs"].attrs["column-order"] = np.array(order, dtype=object)
    reads = []
    real_getitem = h5py.Dataset.__getitem__

    def recording_getitem(self, selection):
        values = real_getitem(self, selection)
        if self.name in ("/X", "/X/data", "/X/indices"):
            reads.append(np.asarray(values).nbytes)
        return values

    monkeypatch.setattr(h5py.Dataset, "__getitem__", recording_getitem)
    budget = 8_000
    digest_file(h5ad, max_block_bytes=budget, compute_n_counts=compute_n_counts)
    with h5py.File(h5ad, "r") as file:
        whole = file["X"].nbytes if storage == "dense" else file["X/data"].nbytes
    one_gene_column = 3_000 * 8  # CSC reads whole gene columns; a column at most
    limit = {"dense": max(budget, 100 * 64 * 4), "csr": budget, "csc": max(budget, one_gene_column)}[storage]
    assert len(reads) > 3
    assert max(reads) <= limit < whole


def test_columns_read_without_anndata_equal_anndata_reads(tmp_path):
    """The h5py decoding of obs/var columns gives what anndata.io.read_elem gives, missing values too."""
    anndata = pytest.importorskip("anndata")
    import pandas as pd
    from anndata.io import read_elem

    from genenorm_edu.medians.h5ad_columns import _decoded, _plain

    obs = pd.DataFrame(
        {
            "n_counts": np.array([3.0, 0.0, 7.5, 2.0], dtype=np.float32),
            "filter_pass": pd.array([1, None, 0, 1], dtype="Int64"),
            "passes": pd.array([True, False, None, True], dtype="boolean"),
            "kind": pd.Categorical(["a", None, "b", "a"]),
            "name": ["x", "y", "z", "w"],
            "count": np.array([1, 2, 3, 4], dtype=np.int64),
        },
        index=[f"c{i}" for i in range(4)],
    )
    path = tmp_path / "columns.h5ad"
    anndata.AnnData(X=np.zeros((4, 2), dtype=np.float32), obs=obs).write_h5ad(path)
    with h5py.File(path, "r") as file:
        for name in [*obs.columns, "_index"]:
            ours = _decoded(file["obs"][name])
            assert ours is not None, name
            theirs = _plain(read_elem(file["obs"][name]))
            assert ours.shape == theirs.shape
            assert pd.Series(ours).equals(pd.Series(theirs)) or all(
                (a == b) or (a != a and b != b) for a, b in zip(ours, theirs)
            ), name


def test_category_codes_out_of_range_name_the_file(tmp_path):
    anndata = pytest.importorskip("anndata")
    import pandas as pd

    path = tmp_path / "codes.h5ad"
    var = pd.DataFrame({"gene_type": pd.Categorical(["protein_coding", "miRNA"]), "ensembl_id": ["G1", "G2"]},
                       index=["G1", "G2"])
    obs = pd.DataFrame({"n_counts": [1.0, 2.0]}, index=["c1", "c2"])
    anndata.AnnData(X=np.ones((2, 2), dtype=np.float32), obs=obs, var=var).write_h5ad(path)
    with h5py.File(path, "r+") as file:
        file["var/gene_type/codes"][0] = 7
    with pytest.raises(H5adFileError, match=r"codes\.h5ad: cannot read var column 'gene_type': category codes"):
        inspect_h5ad(path)

"""Loom tiles inflated with libdeflate equal h5py's reads; damage is an error."""

from __future__ import annotations

import os

import h5py
import numpy as np
import pytest

from genenorm_edu.medians import LoomFileError, digest_loom, make_loom
from genenorm_edu.medians import chunks
from genenorm_edu.medians.chunks import ChunkReader
from genenorm_edu.medians.digest import digest_gene_block, inspect_file
from genenorm_edu.medians.layout import ReadOptions


@pytest.fixture
def matrix_file(tmp_path):
    path = tmp_path / "m.h5"
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as file:
        data = np.where(rng.random((200, 150)) < 0.2, rng.integers(1, 100, (200, 150)), 0).astype(np.uint16)
        file.create_dataset("gzip", data=data, chunks=(64, 64), compression="gzip", compression_opts=2)
        file.create_dataset("shuffled", data=data, chunks=(64, 64), compression="gzip", shuffle=True)
        sparse = file.create_dataset("sparse", shape=(200, 150), dtype=np.float32, chunks=(64, 64),
                                     compression="gzip")
        sparse[:64, :64] = 1.5  # the other chunks are never written
    return path, data


def test_tiles_equal_h5py_reads_including_edge_and_unwritten_chunks(matrix_file):
    path, data = matrix_file
    rng = np.random.default_rng(1)
    with h5py.File(path, "r") as file:
        reader = ChunkReader.for_dataset(file["gzip"])
        assert ChunkReader.for_dataset(file["shuffled"]) is None  # other filters: h5py reads them
        for _ in range(30):
            rows = np.sort(rng.choice(200, size=rng.integers(1, 200), replace=False))
            left = int(rng.integers(0, 3)) * 64
            right = int(rng.integers(left + 1, 151))
            tile = reader.read_rows(rows, left, right)
            assert tile.shape[1] % 64 == 0 and tile.shape[1] >= right - left
            np.testing.assert_array_equal(tile[:, : right - left], data[rows, left:right])
        with pytest.raises(ValueError, match="multiple of the chunk width"):
            reader.read_rows(np.array([0]), 10, 20)
        sparse = ChunkReader.for_dataset(file["sparse"])
        np.testing.assert_array_equal(sparse.read_rows(np.arange(200), 0, 150)[:, :150], file["sparse"][:])


def _damaged_loom(tmp_path):
    """A loom file whose fourth stored chunk has eight bytes zeroed."""
    path = make_loom(tmp_path / "damaged.loom", genes=130, cells=150, seed=1)
    with h5py.File(path, "r") as file:
        offset = file["/matrix"].id.get_chunk_info(3).byte_offset
    data = bytearray(path.read_bytes())
    data[offset + 20 : offset + 28] = b"\x00" * 8
    path.write_bytes(bytes(data))
    return path


def test_corrupt_chunk_is_an_error_naming_the_loom_file(tmp_path):
    path = _damaged_loom(tmp_path)
    with pytest.raises(LoomFileError, match=r"damaged\.loom: cannot read '/matrix'"):
        digest_loom(path)


@pytest.fixture(params=[False, True], ids=["read_direct_chunk", "chunk index"])
def chunk_lookup(request, monkeypatch):
    """Both ways of finding a stored chunk: asked one by one, or through the index built once."""
    monkeypatch.setattr(chunks, "_RECENT", {})
    return request.param


def test_both_chunk_lookups_equal_h5py_reads(matrix_file, chunk_lookup):
    path, data = matrix_file
    rng = np.random.default_rng(2)
    with h5py.File(path, "r") as file:
        with ChunkReader.for_dataset(file["gzip"], chunk_lookup) as reader:
            for _ in range(20):
                rows = np.sort(rng.choice(200, size=rng.integers(1, 200), replace=False))
                left = int(rng.integers(0, 3)) * 64
                right = int(rng.integers(left + 1, 151))
                np.testing.assert_array_equal(reader.read_rows(rows, left, right)[:, : right - left],
                                              data[rows, left:right])
        with ChunkReader.for_dataset(file["sparse"], chunk_lookup) as reader:  # unwritten chunks: h5py fills them
            np.testing.assert_array_equal(reader.read_rows(np.arange(200), 0, 150)[:, :150], file["sparse"][:])
    assert len(chunks._RECENT) == int(chunk_lookup)  # the index of the file read last


def test_a_chunk_whose_filter_was_skipped_is_left_to_h5py(tmp_path, chunk_lookup):
    path = tmp_path / "raw-chunk.h5"
    data = np.arange(128 * 128, dtype=np.int32).reshape(128, 128)
    with h5py.File(path, "w") as file:
        dataset = file.create_dataset("m", data=data, chunks=(64, 64), compression="gzip")
        replaced = data[64:, :64] * 3
        dataset.id.write_direct_chunk((64, 0), replaced.tobytes(), filter_mask=1)  # the gzip filter skipped
    with h5py.File(path, "r") as file, ChunkReader.for_dataset(file["m"], chunk_lookup) as reader:
        np.testing.assert_array_equal(reader.read_rows(np.arange(64), 0, 128), data[:64])  # plain chunks
        expected = file["m"][:]
        assert (expected[64:, :64] == replaced).all()  # h5py takes the chunk as stored
        np.testing.assert_array_equal(reader.read_rows(np.arange(128), 0, 128), expected)


def test_a_rewritten_file_is_not_read_through_the_old_files_index(tmp_path, monkeypatch):
    """The index is kept per process for the file last read; a new version of the file gets its own."""
    monkeypatch.setattr(chunks, "_RECENT", {})
    path = tmp_path / "m.h5"
    for version in range(3):
        data = np.random.default_rng(version).integers(0, 5, (130, 200 + 64 * version)).astype(np.int32)
        with h5py.File(path, "w") as file:  # a new file at the same path: other chunk places
            file.create_dataset("junk", data=np.arange(version * 5000))
            file.create_dataset("m", data=data, chunks=(64, 64), compression="gzip")
        os.utime(path, ns=(version * 10**9, version * 10**9))
        with h5py.File(path, "r") as file, ChunkReader.for_dataset(file["m"], chunk_index=True) as reader:
            tile = reader.read_rows(np.arange(130), 0, data.shape[1])
        np.testing.assert_array_equal(tile[:, : data.shape[1]], data)


def test_a_chunk_index_pointing_past_the_end_is_an_error(tmp_path):
    path = make_loom(tmp_path / "short.loom", genes=130, cells=150, seed=1)
    with h5py.File(path, "r") as file:
        dataset = file["/matrix"]
        with pytest.raises(OSError, match="outside the file"):
            chunks.ChunkIndex.of(dataset, file_size=dataset.id.get_chunk_info(0).byte_offset + 1)


@pytest.mark.parametrize("tasks_per_file", [1, 2])
def test_corrupt_chunk_is_an_error_with_either_lookup(tmp_path, monkeypatch, tasks_per_file):
    monkeypatch.setattr(chunks, "_RECENT", {})
    path = _damaged_loom(tmp_path)
    layout = inspect_file(path, options=ReadOptions(tasks_per_file=tasks_per_file))
    with pytest.raises(LoomFileError, match=r"damaged\.loom: cannot read '/matrix'"):
        digest_gene_block(layout, 0, len(layout.gene_rows))
    assert len(chunks._RECENT) == (tasks_per_file == 1)

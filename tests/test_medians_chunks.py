"""Loom tiles inflated with libdeflate equal h5py's reads; damage is an error."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from genenorm_edu.medians import LoomFileError, digest_loom, make_loom
from genenorm_edu.medians.chunks import ChunkReader


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


def test_corrupt_chunk_is_an_error_naming_the_loom_file(tmp_path):
    path = make_loom(tmp_path / "damaged.loom", genes=130, cells=150, seed=1)
    with h5py.File(path, "r") as file:
        offset = file["/matrix"].id.get_chunk_info(3).byte_offset
    data = bytearray(path.read_bytes())
    data[offset + 20 : offset + 28] = b"\x00" * 8
    path.write_bytes(bytes(data))
    with pytest.raises(LoomFileError, match=r"damaged\.loom: cannot read '/matrix'"):
        digest_loom(path)

"""Read tiles of a gzip-chunked HDF5 matrix with libdeflate (loom files).

loom files store their matrix in 64 x 64 chunks compressed with gzip
(zlib). Decompressing them is most of the time of reading a loom file, and
HDF5's own filter uses zlib. :class:`ChunkReader` takes each stored chunk
as it is on disk, inflates it with libdeflate (the ``deflate`` package;
about 3x faster than zlib, and it checks the stream's Adler-32 checksum),
and copies the rows wanted into the tile, one row of chunks at a time.

A stored chunk is found by asking HDF5 for it (h5py's
``read_direct_chunk``, a few microseconds a chunk) or, when the process
reads the whole file, through an index of every chunk's place in the file
(:class:`ChunkIndex`, one pass over HDF5's chunk index, about half the cost
of asking for each chunk once), read with ``os.pread``. The index is kept
for the file this process read last, so the blocks of one file share it;
a task given only a part of a big file does not build it.

Only the plainest layout is read this way: a 2-D chunked dataset whose only
filter is gzip, in native byte order, in a plain file (the default file
driver, no user block). Anything else (other filters, missing chunks,
chunks whose filter was skipped) is
read by h5py as usual, so the result is always what ``dataset[rows,
columns]`` returns (padded to whole chunks of columns). The chunk index is
checked against the file's size before any byte is read through it, and
every inflated chunk must have exactly the chunk's size.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import h5py
import numpy as np

__all__ = ["ChunkIndex", "ChunkReader"]

_GZIP_FILTER = 1  # HDF5's H5Z_FILTER_DEFLATE

@dataclass(frozen=True)
class ChunkIndex:
    """Where each stored chunk of a 2-D dataset lies in its file.

    Element ``[i, j]`` describes the chunk whose first value is at
    ``(i * chunk_rows, j * chunk_columns)``.

    Attributes
    ----------
    offsets : ndarray of int64
        Byte offset of the stored chunk in the file; -1 if it was never
        written or its filter was skipped (h5py reads those).
    sizes : ndarray of int64
        Stored (compressed) bytes.
    """

    offsets: np.ndarray
    sizes: np.ndarray

    @classmethod
    def of(cls, dataset: h5py.Dataset, file_size: int) -> ChunkIndex:
        """Ask HDF5 where the chunks of ``dataset`` lie (one pass over its chunk index).

        Raises
        ------
        OSError
            If a chunk lies outside the file's ``file_size`` bytes.
        """
        grid = tuple(-(-length // chunk) for length, chunk in zip(dataset.shape, dataset.chunks))
        offsets = np.full(grid, -1, dtype=np.int64)
        sizes = np.zeros(grid, dtype=np.int64)
        infos: list = []
        if hasattr(dataset.id, "chunk_iter"):
            try:
                dataset.id.chunk_iter(infos.append)
            except NotImplementedError:  # built against HDF5 before 1.14
                infos = []
        if not infos:
            infos = [dataset.id.get_chunk_info(index) for index in range(dataset.id.get_num_chunks())]
        if infos:
            table = np.array(
                [(*info.chunk_offset, info.byte_offset, info.size, info.filter_mask) for info in infos],
                dtype=np.int64,
            )
            where = (table[:, 0] // dataset.chunks[0], table[:, 1] // dataset.chunks[1])
            offsets[where], sizes[where] = np.where(table[:, 4] == 0, table[:, 2], -1), table[:, 3]
        stored = offsets >= 0
        if (sizes[stored] <= 0).any() or (offsets[stored] + sizes[stored] > file_size).any():
            raise OSError("the chunk index points outside the file (truncated or corrupt)")
        return cls(offsets, sizes)


#: The chunk index of the dataset this process read last, by file identity
#: (path, dataset, inode, size, modification time): a worker reads one file at a time.
_RECENT: dict[tuple, ChunkIndex] = {}


def _chunk_index(dataset: h5py.Dataset, file_status: os.stat_result) -> ChunkIndex:
    key = (dataset.file.filename, dataset.name, file_status.st_ino, file_status.st_size, file_status.st_mtime_ns)
    if key not in _RECENT:
        index = ChunkIndex.of(dataset, file_status.st_size)
        _RECENT.clear()
        _RECENT[key] = index
    return _RECENT[key]


class ChunkReader:
    """Tiles of one gzip-chunked 2-D dataset, inflated with libdeflate.

    Use :meth:`for_dataset`, which returns None for datasets this reader
    does not handle; ``chunk_index=True`` when the process will read most
    of the dataset (see the module docstring). Close the reader (or use it
    in a ``with`` block) to close the file descriptor it reads through.

    Examples
    --------
    A dataset with other filters is left to h5py (see :meth:`read_rows` for a read):

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with h5py.File(f"{tmp}/m.h5", "w") as file:
    ...         shuffled = file.create_dataset("m", data=np.ones((70, 70)), chunks=(64, 64), shuffle=True)
    ...         print(ChunkReader.for_dataset(shuffled))
    None
    """

    def __init__(self, dataset: h5py.Dataset, chunk_index: bool = False) -> None:
        import deflate  # only when a loom matrix is read

        self._decompress = deflate.zlib_decompress
        self._dataset = dataset
        self.dtype = dataset.dtype
        self.chunk_shape = dataset.chunks
        self.chunk_bytes = int(np.prod(self.chunk_shape)) * self.dtype.itemsize
        self._fd = -1  # opened only to read through the index
        self._index: ChunkIndex | None = None
        if chunk_index:
            self._fd = os.open(dataset.file.filename, os.O_RDONLY)
            try:
                self._index = _chunk_index(dataset, os.fstat(self._fd))
            except BaseException:
                self.close()
                raise

    @classmethod
    def for_dataset(cls, dataset: h5py.Dataset, chunk_index: bool = False) -> ChunkReader | None:
        """A reader for ``dataset``, or None if it is not a plain gzip-chunked 2-D array in a plain file."""
        if dataset.ndim != 2 or dataset.chunks is None or not dataset.dtype.isnative:
            return None
        if dataset.dtype.kind not in "iuf" or dataset.file.driver != "sec2" or dataset.file.userblock_size:
            return None
        plist = dataset.id.get_create_plist()
        filters = [plist.get_filter(index)[0] for index in range(plist.get_nfilters())]
        if filters != [_GZIP_FILTER]:
            return None
        return cls(dataset, chunk_index)

    def close(self) -> None:
        """Close the file descriptor (the dataset's file stays open)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> ChunkReader:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def _inflate(self, stored: bytes, where: str) -> bytes:
        """One stored chunk inflated (always the full chunk's bytes)."""
        try:
            data = self._decompress(stored, self.chunk_bytes)
        except Exception as error:  # deflate.DeflateError: corrupt data
            raise OSError(f"corrupt chunk {where}: {error}") from None
        if len(data) != self.chunk_bytes:
            raise OSError(f"chunk {where} holds {len(data)} bytes, expected {self.chunk_bytes}")
        return data

    def _stored_by_h5py(self, strip: int, chunks: range) -> list[tuple[bytes, str]] | None:
        """The stored chunks, each asked of HDF5 (None if one is not a plain gzip stream)."""
        chunk_rows, chunk_columns = self.chunk_shape
        stored = []
        for chunk in chunks:
            where = (strip * chunk_rows, chunk * chunk_columns)
            try:
                filter_mask, data = self._dataset.id.read_direct_chunk(where)
            except RuntimeError:  # a chunk never written (fill value)
                return None
            if filter_mask:
                return None
            stored.append((data, f"at {where}"))
        return stored

    def _stored_by_index(self, strip: int, chunks: range) -> list[tuple[bytes, str]] | None:
        """The stored chunks, read at the places the index gives (None if one is not a plain gzip stream)."""
        offsets = self._index.offsets[strip, chunks.start : chunks.stop].tolist()
        if min(offsets) < 0:
            return None
        sizes = self._index.sizes[strip, chunks.start : chunks.stop].tolist()
        stored = []
        for offset, size in zip(offsets, sizes):
            data = os.pread(self._fd, size, offset)
            if len(data) != size:
                raise OSError(f"chunk at byte {offset} is cut short (truncated file?)")
            stored.append((data, f"at byte {offset}"))
        return stored

    def _strip(self, strip: int, chunks: range) -> bytes | None:
        """The chunks ``chunks`` of row of chunks ``strip``, inflated and joined.

        None if one of them is not a plain gzip stream (never written, or
        its filter skipped): h5py then reads the tile.
        """
        find = self._stored_by_h5py if self._index is None else self._stored_by_index
        stored = find(strip, chunks)
        if stored is None:
            return None
        return b"".join([self._inflate(data, where) for data, where in stored])

    def read_rows(self, rows: np.ndarray, column_start: int, column_stop: int) -> np.ndarray:
        """The matrix rows ``rows`` (ascending) from ``column_start`` on, in whole chunks of columns.

        ``column_start`` must be a multiple of the chunk width; the tile
        reaches ``column_stop`` rounded up to whole chunks, and the columns
        past ``column_stop`` hold no cells of the request (the caller masks
        them). Each row of chunks is inflated once, whatever the rows chosen
        in it, and only the chosen rows are copied, with one NumPy copy per
        row of chunks.

        Raises
        ------
        OSError
            If a chunk is corrupt or lies outside the file.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     with h5py.File(f"{tmp}/m.h5", "w") as file:
        ...         data = np.arange(150 * 70, dtype=np.int32).reshape(150, 70)
        ...         _ = file.create_dataset("m", data=data, chunks=(64, 64), compression="gzip")
        ...     with h5py.File(f"{tmp}/m.h5", "r") as file, ChunkReader.for_dataset(file["m"]) as reader:
        ...         tile = reader.read_rows(np.array([3, 70, 149]), 0, 70)
        >>> tile.shape, bool((tile[:, :70] == data[[3, 70, 149]]).all())
        ((3, 128), True)
        """
        chunk_rows, chunk_columns = self.chunk_shape
        if column_start % chunk_columns:
            raise ValueError(f"column_start {column_start} is not a multiple of the chunk width {chunk_columns}")
        rows = np.asarray(rows)
        n_chunks = -(-(column_stop - column_start) // chunk_columns)
        chunks = range(column_start // chunk_columns, column_start // chunk_columns + n_chunks)
        tile = np.empty((len(rows), n_chunks * chunk_columns), dtype=self.dtype)
        by_chunk = tile.reshape(len(rows), n_chunks, chunk_columns)
        strips = rows // chunk_rows
        bounds = [0, *(np.flatnonzero(np.diff(strips)) + 1).tolist(), len(rows)]
        for first, stop in zip(bounds[:-1], bounds[1:]):
            strip = int(strips[first])
            inflated = self._strip(strip, chunks)
            if inflated is None:  # a chunk never written: let HDF5 fill it in
                end = min(column_stop, self._dataset.shape[1])
                tile[:, : end - column_start] = self._dataset[rows, column_start:end]
                return tile
            values = np.frombuffer(inflated, dtype=self.dtype).reshape(n_chunks, chunk_rows, chunk_columns)
            np.copyto(by_chunk[first:stop], values[:, rows[first:stop] - strip * chunk_rows, :].transpose(1, 0, 2))
        return tile

"""Read tiles of a gzip-chunked HDF5 matrix with libdeflate (loom files).

loom files store their matrix in 64 x 64 chunks compressed with gzip
(zlib). Decompressing them is most of the time of reading a loom file, and
HDF5's own filter uses zlib. :class:`ChunkReader` takes each stored chunk
as it is on disk (h5py's ``read_direct_chunk``), inflates it with
libdeflate (the ``deflate`` package; about 3x faster than zlib, and it
checks the stream's Adler-32 checksum), and copies the rows wanted into
the tile, one row of chunks at a time.

Only the plainest layout is read this way: a 2-D chunked dataset whose only
filter is gzip, in native byte order. Anything else (other filters, missing
chunks) is read by h5py as usual, so the result is always what
``dataset[rows, columns]`` returns (padded to whole chunks of columns).
"""

from __future__ import annotations

import h5py
import numpy as np

__all__ = ["ChunkReader"]

_GZIP_FILTER = 1  # HDF5's H5Z_FILTER_DEFLATE


class ChunkReader:
    """Tiles of one gzip-chunked 2-D dataset, inflated with libdeflate.

    Use :meth:`for_dataset`, which returns None for datasets this reader
    does not handle.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with h5py.File(f"{tmp}/m.h5", "w") as file:
    ...         data = np.arange(150 * 70, dtype=np.int32).reshape(150, 70)
    ...         _ = file.create_dataset("m", data=data, chunks=(64, 64), compression="gzip")
    ...     with h5py.File(f"{tmp}/m.h5", "r") as file:
    ...         reader = ChunkReader.for_dataset(file["m"])
    ...         tile = reader.read_rows(np.arange(10, 140), 64, 70)
    >>> bool((tile[:, :6] == data[10:140, 64:70]).all())
    True
    """

    def __init__(self, dataset: h5py.Dataset) -> None:
        import deflate  # only when a loom matrix is read

        self._decompress = deflate.zlib_decompress
        self._dataset = dataset
        self._id = dataset.id
        self.dtype = dataset.dtype
        self.chunk_shape = dataset.chunks
        self.chunk_bytes = int(np.prod(self.chunk_shape)) * self.dtype.itemsize

    @classmethod
    def for_dataset(cls, dataset: h5py.Dataset) -> ChunkReader | None:
        """A reader for ``dataset``, or None if it is not a plain gzip-chunked 2-D array."""
        if dataset.ndim != 2 or dataset.chunks is None or not dataset.dtype.isnative:
            return None
        if dataset.dtype.kind not in "iuf":
            return None
        plist = dataset.id.get_create_plist()
        filters = [plist.get_filter(index)[0] for index in range(plist.get_nfilters())]
        if filters != [_GZIP_FILTER]:
            return None
        return cls(dataset)

    def _raw(self, row: int, column: int) -> bytes:
        """One stored chunk, inflated, as bytes (always the full chunk shape)."""
        filter_mask, stored = self._id.read_direct_chunk((row, column))
        if filter_mask & 1:  # the gzip filter was skipped for this chunk: stored as is
            raw = stored
        else:
            try:
                raw = self._decompress(stored, self.chunk_bytes)
            except Exception as error:  # deflate.DeflateError: corrupt data
                raise OSError(f"corrupt chunk at ({row}, {column}): {error}") from None
        if len(raw) != self.chunk_bytes:
            raise OSError(f"chunk at ({row}, {column}) holds {len(raw)} bytes, expected {self.chunk_bytes}")
        return raw

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
            If a chunk is corrupt.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     with h5py.File(f"{tmp}/m.h5", "w") as file:
        ...         data = np.arange(150 * 70, dtype=np.int32).reshape(150, 70)
        ...         _ = file.create_dataset("m", data=data, chunks=(64, 64), compression="gzip")
        ...     with h5py.File(f"{tmp}/m.h5", "r") as file:
        ...         tile = ChunkReader.for_dataset(file["m"]).read_rows(np.array([3, 70, 149]), 0, 70)
        >>> tile.shape, bool((tile[:, :70] == data[[3, 70, 149]]).all())
        ((3, 128), True)
        """
        chunk_rows, chunk_columns = self.chunk_shape
        if column_start % chunk_columns:
            raise ValueError(f"column_start {column_start} is not a multiple of the chunk width {chunk_columns}")
        n_chunks = -(-(column_stop - column_start) // chunk_columns)
        tile = np.empty((len(rows), n_chunks * chunk_columns), dtype=self.dtype)
        by_chunk = tile.reshape(len(rows), n_chunks, chunk_columns)
        strips = np.asarray(rows) // chunk_rows
        bounds = [0, *(np.flatnonzero(np.diff(strips)) + 1).tolist(), len(rows)]
        columns = range(column_start, column_start + n_chunks * chunk_columns, chunk_columns)
        try:
            for first, stop in zip(bounds[:-1], bounds[1:]):
                top = int(strips[first]) * chunk_rows
                raw = b"".join([self._raw(top, column) for column in columns])
                strip = np.frombuffer(raw, dtype=self.dtype).reshape(n_chunks, chunk_rows, chunk_columns)
                np.copyto(by_chunk[first:stop], strip[:, rows[first:stop] - top, :].transpose(1, 0, 2))
        except RuntimeError:  # a chunk never written (fill value): let HDF5 handle it
            stop = min(column_stop, self._dataset.shape[1])
            tile[:, : stop - column_start] = self._dataset[np.asarray(rows), column_start:stop]
        return tile

    def read(self, row_start: int, row_stop: int, column_start: int, column_stop: int) -> np.ndarray:
        """``dataset[row_start:row_stop, column_start:column_stop]``.

        Raises
        ------
        OSError
            If a chunk is corrupt.
        """
        rows, columns = self.chunk_shape
        tile = np.empty((row_stop - row_start, column_stop - column_start), dtype=self.dtype)
        try:
            for chunk_row in range(row_start // rows * rows, row_stop, rows):
                top, bottom = max(row_start, chunk_row), min(row_stop, chunk_row + rows)
                for chunk_column in range(column_start // columns * columns, column_stop, columns):
                    left, right = max(column_start, chunk_column), min(column_stop, chunk_column + columns)
                    chunk = self._chunk(chunk_row, chunk_column)
                    tile[top - row_start : bottom - row_start, left - column_start : right - column_start] = chunk[
                        top - chunk_row : bottom - chunk_row, left - chunk_column : right - chunk_column
                    ]
        except RuntimeError:  # a chunk never written (fill value): let HDF5 handle it
            return self._dataset[row_start:row_stop, column_start:column_stop]
        return tile

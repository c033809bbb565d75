"""Write a file so that readers see the old file or the new one, never half of it.

Every result file of the package (cached data, digests, median tables,
gradebook exports) is written through :func:`atomic_write`: the bytes go to a
temporary file next to the target, are flushed to disk, and the temporary
file replaces the target in one ``os.replace``; the directory is then synced
so that the rename itself survives a crash. A failure at any point (an
exception, a full disk, a killed process) leaves the previous file as it was.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write"]


def _sync_directory(directory: Path) -> None:
    """Flush a directory entry change (a rename) to disk, where the OS allows it."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open directories
        return
    try:
        os.fsync(descriptor)
    except OSError:  # some file systems refuse fsync on directories
        pass
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Open a temporary file for writing; on success it replaces ``path``.

    The temporary file is created next to ``path`` (same file system, so the
    final rename is atomic) with ordinary permissions (``0o666`` minus the
    umask), under a name no other writer uses: two processes writing the
    same target at once both succeed, and the last one wins.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write. Its parent directories are created.

    Yields
    ------
    file : binary file object
        Write the new contents here (``np.save(file, ...)``,
        ``file.write(text.encode())``).

    Raises
    ------
    OSError
        If the directory cannot be created or written, or the disk is full;
        ``path`` is then left untouched and no temporary file remains.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     target = Path(tmp) / "result.txt"
    ...     with atomic_write(target) as file:
    ...         _ = file.write(b"done")
    ...     print(target.read_text(), sorted(p.name for p in Path(tmp).iterdir()))
    done ['result.txt']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "xb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)

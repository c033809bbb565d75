"""Input discovery: the files and directories given, expanded to the input files, in merge order."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from genenorm_edu.medians.formats import input_suffixes

__all__ = ["InputSearch", "find_input_files"]


@dataclass(frozen=True)
class InputSearch:
    """Input files found under the inputs, and entries that could not be read.

    Attributes
    ----------
    files : list of Path
        Real paths (links resolved, each file once), sorted: the merge order.
    problems : dict of Path to str
        Directories that could not be listed, broken links, ...
    """

    files: list[Path]
    problems: dict[Path, str]


def _walk(directory: Path, suffixes: tuple[str, ...], found: set[Path], problems: dict[Path, str]) -> None:
    """Collect files ending in ``suffixes`` under ``directory``, following links once."""
    visited: set[str] = set()
    pending = [directory]
    while pending:
        current = pending.pop()
        real = os.path.realpath(current)
        if real in visited:  # a link back up the tree, or two links to one place
            continue
        visited.add(real)
        try:
            with os.scandir(current) as entries:
                entries = list(entries)
        except OSError as error:
            problems[current] = f"cannot list directory: {error.strerror or error}"
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_dir():  # follows links
                    pending.append(path)
                elif entry.name.endswith(suffixes):
                    if entry.is_file():
                        found.add(Path(os.path.realpath(path)))
                    elif entry.is_symlink() and not path.exists():
                        problems[path] = "broken symbolic link"
            except OSError as error:
                problems[path] = f"cannot examine: {error.strerror or error}"


def find_input_files(
    inputs: Iterable[str | Path], suffixes: Sequence[str] | None = None
) -> InputSearch:
    """Expand files and directories (searched recursively) to input files.

    Directories are searched for names ending in ``suffixes`` (default:
    those of the readers, :func:`~genenorm_edu.medians.formats.input_suffixes`), following
    symbolic links (each directory once). Files are identified by their
    real path, so a file reached by two paths counts once. Directory
    entries that cannot be read are reported, not skipped silently.

    Raises
    ------
    FileNotFoundError
        If an input does not exist.
    ValueError
        If no input file is found (the message names the inputs).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     root = Path(tmp).resolve()
    ...     for name in ["b/x.loom", "a/y.h5ad", "a/notes.txt"]:
    ...         (root / name).parent.mkdir(exist_ok=True)
    ...         (root / name).touch()
    ...     (root / "link").symlink_to(root / "b")
    ...     search = find_input_files([root])
    ...     print([p.relative_to(root).as_posix() for p in search.files], search.problems)
    ['a/y.h5ad', 'b/x.loom'] {}
    """
    suffixes = tuple(suffixes) if suffixes is not None else input_suffixes()
    inputs = [Path(item) for item in inputs]
    found: set[Path] = set()
    problems: dict[Path, str] = {}
    for item in inputs:
        if item.is_dir():
            _walk(item, suffixes, found, problems)
        elif item.is_file():
            found.add(Path(os.path.realpath(item)))
        else:
            raise FileNotFoundError(f"{item}: no such file or directory")
    if not found:
        names = ", ".join(str(item) for item in inputs)
        kinds = " or ".join(f"{suffix}" for suffix in suffixes)
        detail = "".join(f"; {path}: {problem}" for path, problem in sorted(problems.items()))
        raise ValueError(f"no {kinds} files found in {names}{detail}")
    return InputSearch(files=sorted(found), problems=problems)

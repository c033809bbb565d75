"""The median workflow's exceptions, by whose fault a failure is.

* :class:`InputFileError` (and its per-format subclasses): an input file
  cannot be used. The workflow reports the file as bad and goes on.
* :class:`DigestFileError`: a saved digest file is unreadable or invalid.
  The workflow digests its source again.
* :class:`OutputError`: an output file cannot be written (permissions, full
  disk). Not the input's fault: the run stops.
* :class:`WorkflowAborted`: the run stopped for a reason that is not an
  input file's fault; nothing of the previous results was changed.

All name a path and a problem, and keep both when sent between Dask
processes.
"""

from __future__ import annotations

from concurrent.futures import CancelledError
from pathlib import Path

__all__ = [
    "DigestFileError",
    "FileProblem",
    "H5adFileError",
    "InputFileError",
    "LoomFileError",
    "OutputError",
    "WorkflowAborted",
    "task_failure",
]


class FileProblem(Exception):
    """A problem with one file: ``str(error)`` is ``"<path>: <problem>"``.

    Examples
    --------
    >>> error = InputFileError("study1.loom", "missing row attribute 'gene_type'")
    >>> str(error)
    "study1.loom: missing row attribute 'gene_type'"
    >>> error.path, error.problem
    ('study1.loom', "missing row attribute 'gene_type'")
    >>> import pickle
    >>> pickle.loads(pickle.dumps(error)).problem
    "missing row attribute 'gene_type'"
    """

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"

    def __reduce__(self):
        # keep the two-argument constructor when sent between Dask processes
        return (type(self), (self.path, self.problem))


class InputFileError(FileProblem, ValueError):
    """An input file cannot be used (unreadable, corrupt, missing or invalid fields)."""


class LoomFileError(InputFileError):
    """A ``.loom`` file cannot be used."""


class H5adFileError(InputFileError):
    """An ``.h5ad`` file cannot be used."""


class DigestFileError(FileProblem, ValueError):
    """A digest file cannot be used (unreadable, corrupt or inconsistent)."""


class OutputError(FileProblem, OSError):
    """An output file or directory cannot be written (not the input's fault).

    Examples
    --------
    >>> str(OutputError("results/gene_medians.tsv", "No space left on device"))
    'cannot write results/gene_medians.tsv: No space left on device'
    """

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.problem}"


class WorkflowAborted(RuntimeError):
    """The run stopped for a reason that is not an input file's fault.

    Digests already written are kept (a rerun reuses them); no result file
    was written or changed.
    """

    @classmethod
    def because(cls, problem: str) -> WorkflowAborted:
        """The run stops because of ``problem``; the message says what was kept."""
        return cls(
            f"{problem}. This is not a problem of the input files; digests already "
            "written are kept (a rerun reuses them) and no result file was changed."
        )


def task_failure(error: BaseException, source: Path | None) -> WorkflowAborted:
    """The :class:`WorkflowAborted` for a task failure that is not an input file's fault.

    Examples
    --------
    >>> str(task_failure(OutputError("out/x.digest.h5", "No space left on device"), None)).split(".")[0]
    'cannot write out/x'
    """
    where = f" while working on {source}" if source is not None else ""
    if isinstance(error, OutputError):
        return WorkflowAborted.because(str(error))
    if isinstance(error, DigestFileError):
        return WorkflowAborted.because(f"a digest file became unreadable during the merge: {error}")
    name = type(error).__name__
    if name in ("KilledWorker", "BrokenProcessPool"):
        problem = (
            f"worker processes died{where} (a crash or too little memory); "
            "if it happens again, move that file out of the inputs"
        )
    elif isinstance(error, (CancelledError, OSError, TimeoutError)) or "CancelledError" in name:
        problem = f"lost the Dask cluster{where} ({name}: {error})"
    else:
        problem = f"unexpected {name}{where}: {error}"
    return WorkflowAborted.because(problem)

"""Result files: Geneformer's median dicts and a table, written all or none.

All files are written with :func:`genenorm_edu.atomic.atomic_write`: a
killed run leaves either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import tempfile
from collections.abc import Mapping
from pathlib import Path

from genenorm_edu.atomic import atomic_write
from genenorm_edu.medians.errors import OutputError

__all__ = [
    "BAD_FILES_NAME",
    "RESULT_NAMES",
    "prepare_output",
    "read_gene_medians_tsv",
    "write_median_results",
    "write_pickle",
]


def prepare_output(out_dir: str | Path, *subdirectories: str) -> None:
    """Create ``out_dir`` (and its ``subdirectories``) and make sure files can be created there.

    Raises
    ------
    OutputError
        Naming the directory that cannot be created or written to.
    """
    out_dir = Path(out_dir)
    for directory in (out_dir, *(out_dir / name for name in subdirectories)):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            descriptor, probe = tempfile.mkstemp(prefix=".write-test-", dir=directory)
            os.close(descriptor)
            os.unlink(probe)
        except OSError as error:
            raise OutputError(directory, error.strerror or str(error)) from None


def write_pickle(obj: object, path: str | Path) -> Path:
    """Pickle ``obj`` to ``path`` atomically (for Geneformer's median dicts)."""
    with atomic_write(path) as output:
        pickle.dump(obj, output)
    return Path(path)


RESULT_NAMES = {
    "total": "total_gene_median_dict.pickle",
    "detected": "detected_gene_median_dict.pickle",
    "tsv": "gene_medians.tsv",
}
BAD_FILES_NAME = "bad_files.tsv"


def _result_contents(
    medians: Mapping[str, float],
    detection_counts: Mapping[str, int],
    bad_files: Mapping[Path, str],
) -> dict[str, bytes]:
    total = {str(gene): float(value) for gene, value in medians.items()}
    detected = {gene: value for gene, value in total.items() if not math.isnan(value)}
    lines = ["ensembl_id\tmedian\tdetection_count"]
    for gene, value in total.items():
        lines.append(f"{gene}\t{value!r}\t{int(detection_counts.get(gene, 0))}")
    contents = {
        "total": pickle.dumps(total),
        "detected": pickle.dumps(detected),
        "tsv": ("\n".join(lines) + "\n").encode(),
    }
    if bad_files:
        rows = ["path\tproblem"] + [f"{source}\t{problem}" for source, problem in sorted(bad_files.items())]
        contents["bad_files"] = ("\n".join(rows) + "\n").encode()
    return contents


def write_median_results(
    out_dir: str | Path,
    medians: Mapping[str, float],
    detection_counts: Mapping[str, int],
    bad_files: Mapping[Path, str] | None = None,
) -> dict[str, Path]:
    """Write the result files into ``out_dir``, all of them or none.

    ``total_gene_median_dict.pickle`` (every gene, NaN if undetected),
    ``detected_gene_median_dict.pickle`` (detected genes only: the one to
    give Geneformer's tokenizer), both plain ``dict[str, float]``,
    ``gene_medians.tsv`` (``ensembl_id``, ``median``, ``detection_count``)
    and, if ``bad_files`` is not empty, ``bad_files.tsv`` (an old one is
    removed otherwise).

    Every file is first written and synced under a temporary name; only
    when all are on disk do they replace the old ones, so a full disk or a
    permission error leaves the previous results as they were.

    Returns
    -------
    dict
        ``{"total": path, "detected": path, "tsv": path}`` (and
        ``"bad_files"`` when written).

    Raises
    ------
    OutputError
        If a file cannot be written; no result file has changed then.
    """
    out_dir = Path(out_dir)
    contents = _result_contents(medians, detection_counts, bad_files or {})
    paths = {key: out_dir / RESULT_NAMES.get(key, BAD_FILES_NAME) for key in contents}
    current = None
    try:
        with contextlib.ExitStack() as stack:
            for key, data in contents.items():
                current = paths[key]
                output = stack.enter_context(atomic_write(current))
                output.write(data)
                output.flush()
                os.fsync(output.fileno())  # a full disk shows here, before any rename
            current = out_dir
        # all renamed into place when the stack closed
        if "bad_files" not in contents:
            current = out_dir / BAD_FILES_NAME
            current.unlink(missing_ok=True)
    except OSError as error:
        raise OutputError(current, error.strerror or str(error)) from error
    return paths


def read_gene_medians_tsv(path: str | Path) -> dict[str, tuple[float, int]]:
    """Read ``gene_medians.tsv`` back: ``{ensembl_id: (median, detection_count)}``."""
    result = {}
    lines = Path(path).read_text().splitlines()
    for line in lines[1:]:
        gene, median, count = line.split("\t")
        result[gene] = (float(median), int(count))
    return result

"""The ``genenorm-edu data`` command: make (or download) the course data and say where it is."""

from __future__ import annotations

import argparse

import numpy as np

from genenorm_edu.command_error import BadInputError, CommandError
from genenorm_edu.data.files import (
    COUNTS,
    DATA_DIR_ENV,
    DATA_FILES,
    GENE_LENGTHS,
    resolve_data_dir,
)
from genenorm_edu.data.generate import SYNTHETIC_SEED
from genenorm_edu.data.load import load_file, real_files_present

__all__ = ["register_command"]


def _summary(counts: np.ndarray, gene_lengths: np.ndarray) -> list[str]:
    order = "Fortran" if counts.flags.f_contiguous else "C"
    zero_fraction = float(np.count_nonzero(counts == 0)) / counts.size
    return [
        f"  counts:       {counts.dtype} {counts.shape}, {order} order, "
        f"{int(counts.sum(dtype=np.int64)):,} reads, {zero_fraction:.1%} zeros",
        f"  gene lengths: {gene_lengths.dtype} {gene_lengths.shape}, "
        f"{int(gene_lengths.min()):,} to {int(gene_lengths.max()):,} bases "
        f"(median {float(np.median(gene_lengths)):,.0f})",
    ]


def _run_data_command(args: argparse.Namespace) -> int:
    folder = resolve_data_dir(args.data_dir)
    if args.real:
        source = "real"
        files = [data_file.published.name for data_file in DATA_FILES]
        label = "real data (verified against the published git blob ids)"
    else:
        source = "synthetic"
        files = [data_file.synthetic_name for data_file in DATA_FILES]
        label = f"synthetic data (seed {SYNTHETIC_SEED})"
    try:
        counts = load_file(COUNTS, source, directory=folder)
        gene_lengths = load_file(GENE_LENGTHS, source, directory=folder)
    except ValueError as error:  # a file that fails verification
        raise BadInputError(error) from error
    except OSError as error:  # no network, folder not writable, disk full
        raise CommandError(error) from error
    print(f"data directory: {folder}")
    print(f"{label}: {', '.join(files)}")
    for line in _summary(counts, gene_lengths):
        print(line)
    if real_files_present(folder):
        print("load_counts() and load_gene_lengths() use the real files (they are present).")
    else:
        print(
            "load_counts() and load_gene_lengths() use the synthetic files; "
            "`genenorm-edu data --real` downloads the real ones."
        )
    return 0


def register_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``data`` subcommand to the ``genenorm-edu`` command line.

    ``genenorm-edu data`` generates the synthetic data cache (or, with
    ``--real``, downloads and verifies the real files) and prints where it
    is with a short summary. The subparser's ``func`` returns 0 on success;
    it raises :class:`~genenorm_edu.command_error.BadInputError` (exit
    status 1) if a file fails verification and
    :class:`~genenorm_edu.command_error.CommandError` (exit status 2) if a
    file cannot be downloaded or written.

    Parameters
    ----------
    subparsers
        The object returned by ``ArgumentParser.add_subparsers()``.

    Returns
    -------
    parser : argparse.ArgumentParser
        The new subparser.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="genenorm-edu")
    >>> _ = register_command(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["data", "--data-dir", "/tmp/course-data", "--real"])
    >>> args.data_dir, args.real
    ('/tmp/course-data', True)
    """
    parser = subparsers.add_parser(
        "data",
        help="generate (or download with --real) and verify the course data",
        description=(
            "Generate the synthetic count matrix and gene lengths into the data "
            f"directory (${DATA_DIR_ENV}, or data/ in a source checkout), or with "
            "--real download the tutorial's real files and verify them; print "
            "where they are and a summary."
        ),
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=None,
        help=f"data directory (default: ${DATA_DIR_ENV}, else data/ in a source checkout, "
        "else a per-user cache directory)",
    )
    parser.add_argument(
        "--real",
        action="store_true",
        help="download the real TCGA files from scikit-image/skimage-tutorials and verify them",
    )
    parser.set_defaults(func=_run_data_command)
    return parser

"""The ``genenorm-edu medians`` and ``genenorm-edu make-corpus`` commands.

Examples
--------
.. code-block:: console

    $ genenorm-edu make-corpus corpus/
    $ genenorm-edu medians corpus/ --out results/ --gene-info corpus/gene_info.csv
"""

from __future__ import annotations

import argparse
import sys
import warnings

# Only the defaults at import time: the workflow (NumPy, h5py, crick, Dask)
# is imported when a command runs, so that `genenorm-edu --help` stays fast.
from genenorm_edu.medians.defaults import DEFAULT_BLOCK_GENES, DEFAULT_GENE_TYPES

#: Exit status when some files could not be used (results of the others written).
EXIT_BAD_FILES = 1
#: Exit status when no results were written: no input files, bad arguments, or
#: a failure that is not an input file's fault (output not writable, disk
#: full, lost scheduler).
EXIT_USAGE = 2


def _positive_int(text: str) -> int:
    """The command lines' parser of counts (``--workers``, ``--genes``, ...): an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def run_medians(args: argparse.Namespace) -> int:
    """Run the ``medians`` subcommand; return the exit status."""
    from genenorm_edu.medians.errors import WorkflowAborted
    from genenorm_edu.medians.workflow import StaleDigestWarning, run_workflow

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", StaleDigestWarning)
            result = run_workflow(
                args.inputs,
                args.out,
                gene_info=args.gene_info,
                gene_types=[name.strip() for name in args.gene_types.split(",") if name.strip()],
                workers=args.workers,
                scheduler=args.scheduler,
                block_genes=args.block_genes,
                layer=args.layer,
                compute_n_counts=args.compute_n_counts,
                quiet=args.quiet,
            )
    except (FileNotFoundError, ValueError, WorkflowAborted) as error:
        print(f"genenorm-edu medians: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    for warning in caught:
        print(f"genenorm-edu medians: warning: {warning.message}", file=sys.stderr)
    for source, notes in sorted(result.notes.items()):
        for note in notes:
            print(f"note: {source}: {note}")
    detected = sum(1 for count in result.detection_counts.values() if count > 0)
    print(
        f"{len(result.digested)} file(s) digested, {len(result.reused)} reused, "
        f"{len(result.bad_files)} bad; {detected} of {len(result.medians)} genes detected; "
        f"{result.zero_count_cells} cell(s) with n_counts == 0 skipped"
    )
    print(f"results in {args.out} (give Geneformer's tokenizer detected_gene_median_dict.pickle)")
    if result.bad_files:
        print(f"genenorm-edu medians: {len(result.bad_files)} file(s) could not be used:", file=sys.stderr)
        for source, problem in sorted(result.bad_files.items()):
            print(f"  {source}: {problem}", file=sys.stderr)
        return EXIT_BAD_FILES
    return 0


def run_make_corpus(args: argparse.Namespace) -> int:
    """Run the ``make-corpus`` subcommand; return the exit status."""
    from genenorm_edu.medians.corpus import make_corpus

    try:
        paths = make_corpus(
            args.out_dir,
            databases=args.databases,
            files_per_database=args.files_per_database,
            genes=args.genes,
            cells=args.cells,
            seed=args.seed,
            file_format=args.format,
            storage=args.storage,
        )
    except ValueError as error:
        print(f"genenorm-edu make-corpus: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {len(paths)} {args.format} file(s) and gene_info.csv to {args.out_dir}")
    return 0


def register_commands(subparsers) -> None:
    """Add the ``medians`` and ``make-corpus`` subcommands to ``subparsers``."""
    medians = subparsers.add_parser(
        "medians",
        help="non-zero median expression of each gene over .loom/.h5ad files (Geneformer)",
        description=(
            "Digest every .loom and .h5ad file (directories are searched recursively, "
            "links followed) into per-gene t-digests, merge them in sorted path order and write "
            "total_gene_median_dict.pickle, detected_gene_median_dict.pickle (the one "
            "for Geneformer's tokenizer) and gene_medians.tsv to --out. Rerunning with "
            "the same --out reuses the digests of unchanged files. Exit status 1 if some "
            "files could not be used (results of the others written); 2 if no results "
            "were written (no input files, or a failure that is not the input files' "
            "fault: output not writable, disk full, lost scheduler)."
        ),
    )
    medians.add_argument("inputs", nargs="+", metavar="FILE_OR_DIR")
    medians.add_argument("--out", required=True, metavar="DIR", help="output directory")
    medians.add_argument(
        "--workers", type=_positive_int, default=None, metavar="N",
        help="local worker processes (default: all cores; 1: this process only)",
    )
    medians.add_argument(
        "--scheduler", default=None, metavar="ADDRESS",
        help="use an existing Dask cluster, e.g. tcp://127.0.0.1:8786 (its workers "
        "must see the inputs and --out at the same paths)",
    )
    medians.add_argument(
        "--gene-info", default=None, metavar="CSV",
        help="CSV with ensembl_id and gene_type columns: the gene list "
        "(default: all genes seen)",
    )
    medians.add_argument(
        "--gene-types", default=",".join(DEFAULT_GENE_TYPES), metavar="TYPES",
        help="comma-separated gene types to use (default: %(default)s)",
    )
    medians.add_argument(
        "--block-genes", type=_positive_int, default=DEFAULT_BLOCK_GENES, metavar="N",
        help="genes read together from a loom or CSC file, rounded up to a multiple of 64 "
        "(default: %(default)s); with fewer files than twice the workers, files are split "
        "into tasks of whole blocks",
    )
    medians.add_argument(
        "--layer", default=None, metavar="NAME",
        help=".h5ad files: read the raw counts from this layer (e.g. counts) instead of X",
    )
    medians.add_argument(
        "--compute-n-counts", action="store_true",
        help=".h5ad files without an obs column n_counts: use each cell's sum of the raw counts",
    )
    medians.add_argument("--quiet", action="store_true", help="no progress bars")
    medians.set_defaults(func=run_medians)

    corpus = subparsers.add_parser(
        "make-corpus",
        help="write a synthetic corpus of .loom or .h5ad files for the medians workflow",
        description=(
            "Write OUT_DIR/databaseD/studyS.loom (or .h5ad) files (about 90% zeros, some "
            "failing cells, mixed gene types) and OUT_DIR/gene_info.csv."
        ),
    )
    corpus.add_argument("out_dir", metavar="OUT_DIR")
    corpus.add_argument("--databases", type=_positive_int, default=3, metavar="N")
    corpus.add_argument("--files-per-database", type=_positive_int, default=2, metavar="N")
    corpus.add_argument("--genes", type=_positive_int, default=300, metavar="N")
    corpus.add_argument("--cells", type=_positive_int, default=400, metavar="N")
    corpus.add_argument("--seed", type=int, default=0, metavar="S")
    corpus.add_argument("--format", choices=["loom", "h5ad"], default="loom", help="file format (default: loom)")
    corpus.add_argument(
        "--storage", choices=["csr", "csc", "dense"], default="csr",
        help="h5ad only: how the counts are stored (default: csr)",
    )
    corpus.set_defaults(func=run_make_corpus)

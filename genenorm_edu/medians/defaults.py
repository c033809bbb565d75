"""The workflow's defaults, in one place (no imports: the command line reads them cheaply)."""

#: Gene types whose medians Geneformer uses.
DEFAULT_GENE_TYPES: tuple[str, ...] = ("protein_coding", "miRNA")

#: Each cell's counts are scaled to this total ("counts per 10k").
NORMALIZATION_TARGET = 10_000

#: Upper bound of the bytes of matrix read at once by one task.
DEFAULT_MAX_BLOCK_BYTES = 32 * 2**20

#: Matrix rows (genes) handled by one task, a multiple of the 64-row loom chunk.
DEFAULT_BLOCK_GENES = 256

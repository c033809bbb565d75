"""Answer cells for every exercise: correct ones in many styles, and common mistakes.

``CORRECT[name]`` maps a style to an answer cell that must pass every visible
and hidden case. ``WRONG[name]`` maps a mistake to ``(answer cell, text)``:
the cell must fail, and ``text`` must appear in what the student is told
(the visible message, or the hidden summary when only hidden cases fail).
Answer cells are written as a student would: the lesson's modules (``np``,
``stats``) are available without importing them.
"""

from __future__ import annotations

CORRECT: dict[str, dict[str, str]] = {
    "c_strides": {
        "a lambda": """
c_strides = lambda shape, itemsize: tuple(itemsize * int(np.prod(shape[axis + 1:], dtype=np.int64)) for axis in range(len(shape)))
""",
        "reversed loop": """
def c_strides(shape, itemsize):
    strides = []
    step = itemsize
    for length in reversed(shape):
        strides.append(step)
        step *= length
    return tuple(reversed(strides))
""",
        "products of the trailing lengths": """
import math

def c_strides(shape, itemsize):
    return tuple(itemsize * math.prod(shape[axis + 1:]) for axis in range(len(shape)))
""",
        "numpy cumprod, cast to int": """
def c_strides(shape, itemsize):
    if len(shape) == 0:
        return ()
    trailing = np.cumprod([1, *reversed(shape[1:])])[::-1]
    return tuple(int(n) * itemsize for n in trailing)
""",
        "a helper and printing": """
def _block(shape, axis):
    size = 1
    for length in shape[axis + 1:]:
        size *= length
    return size

def c_strides(shape, itemsize):
    print("computing strides for", shape)
    return tuple(_block(shape, axis) * itemsize for axis in range(len(shape)))
""",
    },
    "byte_offset": {
        "a loop over the axes": """
def byte_offset(index, strides):
    offset = 0
    for position, stride in zip(index, strides):
        offset += position * stride
    return offset
""",
        "a dot product": """
def byte_offset(index, strides):
    return int(np.dot(index, strides)) if len(index) else 0
""",
        "sum of a generator": """
def byte_offset(index, strides):
    return sum(i * s for i, s in zip(index, strides))
""",
    },
    "stepped_view": {
        "ceiling by integer arithmetic": """
def stepped_view(shape, strides, steps):
    new_shape, new_strides = [], []
    for n, s, k in zip(shape, strides, steps):
        new_shape.append((n + abs(k) - 1) // abs(k))
        new_strides.append(s * k)
    return tuple(new_shape), tuple(new_strides)
""",
        "math.ceil": """
import math

def stepped_view(shape, strides, steps):
    lengths = tuple(math.ceil(n / abs(k)) for n, k in zip(shape, steps))
    return lengths, tuple(s * k for s, k in zip(strides, steps))
""",
        "len of a range": """
def stepped_view(shape, strides, steps):
    lengths = tuple(len(range(n)[::k]) for n, k in zip(shape, steps))
    return lengths, tuple(int(s) * int(k) for s, k in zip(strides, steps))
""",
    },
    "little_endian_value": {
        "python ints in a loop": """
def little_endian_value(raw):
    value = 0
    for k, byte in enumerate(raw):
        value += int(byte) * 256**k
    return value
""",
        "int.from_bytes": """
def little_endian_value(raw):
    return int.from_bytes(bytes(raw), "little")
""",
        "uint64 arithmetic": """
def little_endian_value(raw):
    weights = np.uint64(256) ** np.arange(len(raw), dtype=np.uint64)
    return int(np.sum(raw.astype(np.uint64) * weights, dtype=np.uint64))
""",
    },
    "closest_to": {
        "argmin and fancy indexing": """
def closest_to(x, value):
    column = np.argmin(np.abs(x - value), axis=1)
    return x[np.arange(x.shape[0]), column]
""",
        "take_along_axis": """
def closest_to(x, value):
    column = np.abs(x - value).argmin(axis=1)
    return np.take_along_axis(x, column[:, np.newaxis], axis=1)[:, 0]
""",
        "a loop over rows": """
def closest_to(x, value):
    result = np.empty(x.shape[0], dtype=x.dtype)
    for row in range(x.shape[0]):
        result[row] = x[row, np.argmin(np.abs(x[row] - value))]
    return result
""",
        "warnings and a progress bar": """
import warnings
from tqdm import tqdm

def closest_to(x, value):
    warnings.warn("this is slow")
    rows = [x[i, np.argmin(np.abs(x[i] - value))] for i in tqdm(range(len(x)))]
    return np.array(rows, dtype=x.dtype)
""",
    },
    "rpkm": {
        "float factors": """
def rpkm(counts, gene_lengths):
    library_size = counts.sum(axis=0)
    per_kilobase = 1e3 / gene_lengths.astype(np.float64)
    per_million = 1e6 / library_size.astype(np.float64)
    return counts * per_kilobase[:, np.newaxis] * per_million[np.newaxis, :]
""",
        "float64 first, then one expression": """
def rpkm(counts, gene_lengths):
    counts = counts.astype(np.float64)
    return 1e9 * counts / (gene_lengths[:, None] * counts.sum(axis=0)[None, :])
""",
        "in-place on a copy": """
def rpkm(counts, gene_lengths):
    result = np.array(counts, dtype=np.float64)
    result *= 1e9
    result /= gene_lengths[:, np.newaxis]
    result /= counts.sum(axis=0)
    return result
""",
    },
    "outer_sum": {
        "float64 for any input (the dtype is not graded)": """
def outer_sum(x, y):
    return np.add.outer(np.asarray(x, dtype=np.float64), y)
""",
        "reshape": """
def outer_sum(x, y):
    x, y = np.asarray(x), np.asarray(y)
    return x.reshape(x.shape + (1,) * y.ndim) + y
""",
        "np.add.outer": """
def outer_sum(x, y):
    return np.add.outer(x, y)
""",
        "expand_dims in a loop": """
def outer_sum(x, y):
    x = np.asarray(x)
    for _ in range(np.ndim(y)):
        x = x[..., np.newaxis]
    return x + y
""",
    },
    "gene_zscores": {
        "keepdims and np.ptp for constant genes": """
def gene_zscores(x):
    x = x.astype(np.float64)
    constant = np.ptp(x, axis=1, keepdims=True) == 0
    spread = np.where(constant, 1, x.std(axis=1, keepdims=True))
    return np.where(constant, 0, (x - x.mean(axis=1, keepdims=True)) / spread)
""",
        "newaxis, np.divide with where, constant rows by their first value": """
def gene_zscores(x):
    x = np.asarray(x, dtype=float)
    centred = x - x.mean(axis=1)[:, np.newaxis]
    spread = x.std(axis=1)[:, np.newaxis]
    varies = ~(x == x[:, :1]).all(axis=1, keepdims=True)
    return np.divide(centred, spread, out=np.zeros_like(centred), where=varies)
""",
        "a loop over genes": """
def gene_zscores(x):
    result = np.zeros(x.shape)
    for g, row in enumerate(x.astype(float)):
        if row.min() != row.max():
            result[g] = (row - row.mean()) / row.std()
    return result
""",
        "a lambda": """
gene_zscores = lambda x: (lambda x, flat: np.where(flat, 0.0, (x - x.mean(axis=1, keepdims=True)) / np.where(flat, 1.0, x.std(axis=1, keepdims=True))))(
    x.astype(np.float64), np.ptp(x, axis=1, keepdims=True) == 0
)
""",    },
    "rolling_mean": {
        "sliding_window_view": """
def rolling_mean(values, window):
    return np.lib.stride_tricks.sliding_window_view(values, window).mean(axis=1)
""",
        "cumulative sums": """
def rolling_mean(values, window):
    totals = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    return (totals[window:] - totals[:-window]) / window
""",
        "np.convolve valid": """
def rolling_mean(values, window):
    return np.convolve(values.astype(float), np.ones(window) / window, mode="valid")
""",
    },
    "qnorm": {
        "computed in the input's float32, returned as float64": """
def qnorm(x):
    work = x.copy() if x.dtype.kind == "f" else x.astype(np.float64)
    target = np.sort(work, axis=0).mean(axis=1, dtype=work.dtype)
    position = stats.rankdata(work, axis=0) - 1
    lower = np.floor(position).astype(int)
    upper = np.ceil(position).astype(int)
    return ((target[lower] + target[upper]) / work.dtype.type(2)).astype(np.float64)
""",
        "rankdata, floor and ceil": """
def qnorm(x):
    x = np.asarray(x, dtype=np.float64)
    target = np.sort(x, axis=0).mean(axis=1)
    position = stats.rankdata(x, axis=0) - 1
    lower = np.floor(position).astype(int)
    upper = np.ceil(position).astype(int)
    return (target[lower] + target[upper]) / 2
""",
        "interpolation at the average rank": """
def qnorm(x):
    x = np.asarray(x, dtype=np.float64)
    target = np.sort(x, axis=0).mean(axis=1)
    ranks = stats.rankdata(x, axis=0) - 1
    return np.interp(ranks, np.arange(len(target)), target)
""",
        "a loop over columns with scipy imported inside": """
def qnorm(x):
    from scipy.stats import rankdata
    x = np.array(x, dtype=float)
    target = np.sort(x, axis=0).mean(axis=1)
    result = np.empty_like(x)
    for column in range(x.shape[1]):
        position = rankdata(x[:, column]) - 1
        result[:, column] = (target[np.floor(position).astype(int)] + target[np.ceil(position).astype(int)]) / 2
    return result
""",
    },
    "ordinal_ranks": {
        "argsort twice": """
def ordinal_ranks(x):
    order = np.argsort(x, axis=0, kind="stable")
    return np.argsort(order, axis=0, kind="stable")
""",
        "put_along_axis": """
def ordinal_ranks(x):
    order = np.argsort(x, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(x.shape[0])[:, None], axis=0)
    return ranks
""",
        "rankdata ordinal": """
def ordinal_ranks(x):
    return (stats.rankdata(x, method="ordinal", axis=0) - 1).astype(np.int64)
""",
    },
    "top_genes": {
        "argsort reversed and take_along_axis": """
def top_genes(x, k):
    rows = np.argsort(x, axis=0)[::-1][:k]
    return rows, np.take_along_axis(x, rows, axis=0)
""",
        "a loop over samples": """
def top_genes(x, k):
    rows = np.empty((k, x.shape[1]), dtype=int)
    for j in range(x.shape[1]):
        rows[:, j] = np.argsort(x[:, j], kind="stable")[::-1][:k]
    values = x[rows, np.arange(x.shape[1])]
    return rows, values
""",
        "argsort of a float copy, negated": """
def top_genes(x, k):
    rows = np.argsort(-x.astype(np.float64), axis=0, kind="stable")[:k]
    return rows, np.take_along_axis(x, rows, axis=0)
""",
    },
    "tie_blocks": {
        "np.unique with counts": """
def tie_blocks(column):
    values, counts = np.unique(column, return_counts=True)
    tied = counts > 1
    return values[tied], counts[tied]
""",
        "sort and compare neighbours": """
def tie_blocks(column):
    ordered = np.sort(column)
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    sizes = np.diff(np.append(starts, len(ordered)))
    keep = sizes > 1
    return ordered[starts][keep], sizes[keep]
""",
    },
    "nonzero_normalized": {
        "broadcast then mask per row": """
def nonzero_normalized(counts_block, n_counts):
    normalized = counts_block / n_counts[np.newaxis, :] * 10_000
    return [row[row != 0] for row in normalized]
""",
        "mask first, per row": """
def nonzero_normalized(counts_block, n_counts):
    result = []
    for row in counts_block:
        keep = row != 0
        result.append(row[keep] / n_counts[keep] * 10_000)
    return result
""",
    },
    "nonzero_medians": {
        "nan mask and nanmedian": """
import warnings

def nonzero_medians(block):
    masked = np.where(block == 0, np.nan, block)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(masked, axis=1)
""",
        "a loop over genes": """
def nonzero_medians(block):
    medians = []
    for row in block:
        values = row[row != 0]
        medians.append(np.median(values) if len(values) else np.nan)
    return np.array(medians, dtype=float)
""",
        "masked_equal as in Geneformer's notebook": """
def nonzero_medians(block):
    masked = np.ma.masked_equal(block.astype(np.float64), 0.0)
    return np.ma.median(masked, axis=1).filled(np.nan)
""",
    },
    "rank_value_encoding": {
        "flatnonzero then argsort": """
def rank_value_encoding(cell_counts, medians):
    normalized = cell_counts / medians
    genes = np.flatnonzero((cell_counts != 0) & ~np.isnan(medians))
    return genes[np.argsort(-normalized[genes])]
""",
        "Geneformer's tokenizer, with n_counts scaling": """
def rank_value_encoding(cell_counts, medians):
    normalized = cell_counts / cell_counts.sum() * 10_000 / medians
    keep = np.nonzero((cell_counts > 0) & np.isfinite(medians))[0]
    order = np.argsort(normalized[keep])[::-1]
    return keep[order]
""",
    },
}

WRONG: dict[str, dict[str, tuple[str, str]]] = {
    "c_strides": {
        "int32 products": (
            """
def c_strides(shape, itemsize):
    if len(shape) == 0:
        return ()
    sizes = np.array([*shape[1:], 1][::-1], dtype=np.int32)
    return tuple(int(size) * itemsize for size in np.cumprod(sizes, dtype=np.int32)[::-1])
""",
            "",
        ),
        "Fortran order": (
            """
def c_strides(shape, itemsize):
    strides, step = [], itemsize
    for length in shape:
        strides.append(step)
        step *= length
    return tuple(strides)
""",
            "Fortran-order strides",
        ),
        "counts elements": (
            """
def c_strides(shape, itemsize):
    strides, step = [], 1
    for length in reversed(shape):
        strides.append(step)
        step *= length
    return tuple(reversed(strides))
""",
            "count elements, not bytes",
        ),
        "floats (8.0 for 8)": (
            """
def c_strides(shape, itemsize):
    return tuple(float(s) for s in np.zeros(shape, dtype=f"V{itemsize}").strides)
""",
            "return integers (8, not 8.0)",
        ),
        "a list": (
            """
def c_strides(shape, itemsize):
    return list(np.empty(shape, dtype=f"V{itemsize}").strides)
""",
            "is a list, expected a tuple",
        ),
    },
    "byte_offset": {
        "int32 arithmetic": (
            """
def byte_offset(index, strides):
    return int(np.dot(np.array(index, dtype=np.int32), np.array(strides, dtype=np.int32)))
""",
            "",
        ),
        "strides paired in reverse": (
            """
def byte_offset(index, strides):
    return sum(i * s for i, s in zip(index, reversed(strides)))
""",
            "another axis's stride",
        ),
        "one offset per axis": (
            """
def byte_offset(index, strides):
    return tuple(i * s for i, s in zip(index, strides))
""",
            "one offset per axis",
        ),
        "a float": (
            """
def byte_offset(index, strides):
    return float(np.dot(index, strides)) if len(index) else 0.0
""",
            "return an int",
        ),
    },
    "stepped_view": {
        "int32 strides": (
            """
def stepped_view(shape, strides, steps):
    new_shape = tuple(-(-n // abs(k)) for n, k in zip(shape, steps))
    new_strides = np.array(strides, dtype=np.int32) * np.array(steps, dtype=np.int32)
    return new_shape, tuple(int(s) for s in new_strides)
""",
            "",
        ),
        "floor division": (
            """
def stepped_view(shape, strides, steps):
    return tuple(n // abs(k) for n, k in zip(shape, steps)), tuple(s * k for s, k in zip(strides, steps))
""",
            "not n // k",
        ),
        "strides unchanged": (
            """
def stepped_view(shape, strides, steps):
    return tuple(-(-n // abs(k)) for n, k in zip(shape, steps)), tuple(strides)
""",
            "you kept the old strides",
        ),
        "negative lengths": (
            """
def stepped_view(shape, strides, steps):
    return tuple(-(-n // k) for n, k in zip(shape, steps)), tuple(s * k for s, k in zip(strides, steps))
""",
            "a length came out negative",
        ),
        "lists": (
            """
def stepped_view(shape, strides, steps):
    return [-(-n // abs(k)) for n, k in zip(shape, steps)], [s * k for s, k in zip(strides, steps)]
""",
            "expected a tuple of ints",
        ),
    },
    "little_endian_value": {
        "assumes contiguous memory": (
            """
def little_endian_value(raw):
    return int.from_bytes(memoryview(raw).cast("B"), "little")
""",
            "",
        ),
        "big-endian": (
            """
def little_endian_value(raw):
    return int.from_bytes(bytes(raw), "big")
""",
            "most significant first",
        ),
        "int64 overflow": (
            """
def little_endian_value(raw):
    return int(np.sum(raw * 256 ** np.arange(len(raw))))
""",
            "overflowed int64",
        ),
        "no weights": (
            """
def little_endian_value(raw):
    return int(raw.sum())
""",
            "without their weights",
        ),
    },
    "closest_to": {
        "positions": (
            """
def closest_to(x, value):
    return np.argmin(np.abs(x - value), axis=1)
""",
            "you returned positions",
        ),
        "argmax": (
            """
def closest_to(x, value):
    return x[np.arange(len(x)), np.argmax(np.abs(x - value), axis=1)]
""",
            "farthest",
        ),
        "float result for integer input": (
            """
def closest_to(x, value):
    column = np.argmin(np.abs(x - value), axis=1)
    return x[np.arange(len(x)), column].astype(np.float64)
""",
            "has dtype float64, expected int32",
        ),
        "sorts its input": (
            """
def closest_to(x, value):
    x.sort(axis=1)
    return x[np.arange(len(x)), np.argmin(np.abs(x - value), axis=1)]
""",
            "changed its argument `x`",
        ),
        "a list": (
            """
def closest_to(x, value):
    return [row[np.argmin(np.abs(row - value))] for row in x]
""",
            "is a list, not a NumPy array",
        ),
        "distances": (
            """
def closest_to(x, value):
    return np.abs(x - value).min(axis=1).astype(x.dtype)
""",
            "you returned the distances",
        ),
        "wrong axis": (
            """
def closest_to(x, value):
    row = np.argmin(np.abs(x - value), axis=0)
    return x[row, np.arange(x.shape[1])]
""",
            "wrong axis",
        ),
    },
    "rpkm": {
        "uint32 overflow": (
            """
def rpkm(counts, gene_lengths):
    totals = counts.sum(axis=0)
    return counts * 10**9 / (gene_lengths[:, np.newaxis] * totals[np.newaxis, :])
""",
            "overflowed",
        ),
        "gene totals": (
            """
def rpkm(counts, gene_lengths):
    return 1e9 * counts / (gene_lengths[:, np.newaxis] * counts.sum(axis=1)[:, np.newaxis])
""",
            "row sums",
        ),
        "missing 1e3": (
            """
def rpkm(counts, gene_lengths):
    return 1e6 * counts / (gene_lengths[:, np.newaxis] * counts.sum(axis=0)[np.newaxis, :])
""",
            "a constant factor is missing",
        ),
        "float32 result": (
            """
def rpkm(counts, gene_lengths):
    result = 1e9 * counts / (gene_lengths[:, np.newaxis] * counts.sum(axis=0)[np.newaxis, :])
    return result.astype(np.float32)
""",
            "has dtype float32",
        ),
        "divides in place": (
            """
def rpkm(counts, gene_lengths):
    counts = counts.astype(np.float64, copy=False)
    counts *= 1e9
    counts /= gene_lengths[:, np.newaxis]
    counts /= counts.sum(axis=0) / 1e9 * 1e9
    return counts
""",
            "",
        ),
    },
    "outer_sum": {
        "result made in the dtype of x": (
            """
def outer_sum(x, y):
    result = np.empty(x.shape + y.shape, dtype=x.dtype)
    result[...] = x.reshape(x.shape + (1,) * y.ndim) + y
    return result
""",
            "",
        ),
        "axes swapped": (
            """
def outer_sum(x, y):
    x, y = np.asarray(x), np.asarray(y)
    return y.reshape(y.shape + (1,) * x.ndim) + x
""",
            "the axes of y come first",
        ),
        "only 2-D x and 1-D y": (
            """
def outer_sum(x, y):
    return x[:, :, np.newaxis] + y
""",
            "",
        ),
    },
    "gene_zscores": {
        "std compared to 0 (rounding noise on equal floats)": (
            """
def gene_zscores(x):
    x = x.astype(np.float64)
    spread = x.std(axis=1, keepdims=True)
    spread[spread == 0] = 1
    return (x - x.mean(axis=1, keepdims=True)) / spread
""",
            "all equal",
        ),
        "variance from squares in the input dtype": (
            """
def gene_zscores(x):
    mean = x.mean(axis=1, keepdims=True)
    variance = (x * x).mean(axis=1, keepdims=True) - mean ** 2
    constant = np.ptp(x, axis=1, keepdims=True) == 0
    spread = np.where(constant, 1.0, np.sqrt(np.abs(variance)))
    return np.where(constant, 0.0, (x - mean) / spread)
""",
            "",
        ),
        "per sample": (
            """
def gene_zscores(x):
    x = x.astype(float)
    spread = x.std(axis=0)
    spread[spread == 0] = 1
    return (x - x.mean(axis=0)) / spread
""",
            "each sample (column)",
        ),
        "ddof=1": (
            """
def gene_zscores(x):
    x = x.astype(float)
    spread = x.std(axis=1, ddof=1, keepdims=True)
    spread[spread == 0] = 1
    return (x - x.mean(axis=1, keepdims=True)) / spread
""",
            "ddof=1",
        ),
        "NaN for constant genes": (
            """
def gene_zscores(x):
    x = x.astype(float)
    return (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
""",
            "all equal",
        ),
        "constant genes set to one": (
            """
def gene_zscores(x):
    x = x.astype(float)
    spread = x.std(axis=1, keepdims=True)
    result = (x - x.mean(axis=1, keepdims=True)) / np.where(spread == 0, 1, spread)
    result[spread[:, 0] == 0] = 1.0
    return result
""",
            "their z-scores must be 0",
        ),
        "without keepdims": (
            """
def gene_zscores(x):
    x = x.astype(float)
    return (x - x.mean(axis=1)) / x.std(axis=1)
""",
            "could not be broadcast",
        ),
    },
    "rolling_mean": {
        "running sums in the input dtype": (
            """
def rolling_mean(values, window):
    totals = np.concatenate(([0], np.cumsum(values, dtype=values.dtype)))
    return (totals[window:] - totals[:-window]) / window
""",
            "",
        ),
        "the windows": (
            """
def rolling_mean(values, window):
    return np.lib.stride_tricks.sliding_window_view(values, window).astype(float)
""",
            "you returned the windows themselves",
        ),
        "sums": (
            """
def rolling_mean(values, window):
    return np.lib.stride_tricks.sliding_window_view(values, window).sum(axis=1).astype(float)
""",
            "you summed each window",
        ),
        "mode same": (
            """
def rolling_mean(values, window):
    return np.convolve(values.astype(float), np.ones(window) / window, mode="same")
""",
            "one value per input value",
        ),
        "off by one": (
            """
def rolling_mean(values, window):
    return np.array([values[i:i + window].mean() for i in range(len(values) - window)])
""",
            "has shape",
        ),
    },
    "qnorm": {
        "ranks rounded down": (
            """
def qnorm(x):
    x = np.asarray(x, dtype=np.float64)
    target = np.sort(x, axis=0).mean(axis=1)
    return target[(stats.rankdata(x, axis=0) - 1).astype(int)]
""",
            "rounded down",
        ),
        "returns the sorted columns": (
            """
def qnorm(x):
    return np.sort(np.asarray(x, dtype=np.float64), axis=0)
""",
            "you returned the sorted columns",
        ),
        "ignores ties": (
            """
def qnorm(x):
    x = np.asarray(x, dtype=np.float64)
    target = np.sort(x, axis=0).mean(axis=1)
    return target[np.argsort(np.argsort(x, axis=0), axis=0)]
""",
            "tied values got different targets",
        ),
        "sorts the caller's array": (
            """
def qnorm(x):
    x.sort(axis=0)
    return np.asarray(x, dtype=np.float64)
""",
            "changed its argument `x`",
        ),
        "integer result for integer input": (
            """
def qnorm(x):
    target = np.sort(x, axis=0).mean(axis=1)
    position = stats.rankdata(x, axis=0) - 1
    result = (target[np.floor(position).astype(int)] + target[np.ceil(position).astype(int)]) / 2
    return result.astype(x.dtype)
""",
            "dtype",
        ),
    },
    "ordinal_ranks": {
        "argsort once": (
            """
def ordinal_ranks(x):
    return np.argsort(x, axis=0, kind="stable")
""",
            "you returned the order that sorts each column",
        ),
        "ranks from 1": (
            """
def ordinal_ranks(x):
    return np.argsort(np.argsort(x, axis=0, kind="stable"), axis=0, kind="stable") + 1
""",
            "these ranks start at 1",
        ),
        "along rows": (
            """
def ordinal_ranks(x):
    return np.argsort(np.argsort(x, axis=1, kind="stable"), axis=1, kind="stable")
""",
            "within each row",
        ),
        "ties in reverse": (
            """
def ordinal_ranks(x):
    n = x.shape[0]
    flipped = x[::-1]
    ranks = np.argsort(np.argsort(flipped, axis=0, kind="stable"), axis=0, kind="stable")
    return ranks[::-1]
""",
            "kind='stable'",
        ),
        "average ranks from rankdata": (
            """
def ordinal_ranks(x):
    return stats.rankdata(x, axis=0) - 1
""",
            "expected a signed integer or unsigned integer dtype",
        ),
    },
    "top_genes": {
        "positions as values": (
            """
def top_genes(x, k):
    rows = np.argsort(x, axis=0)[::-1][:k]
    return rows, rows
""",
            "you returned positions, not values",
        ),
        "smallest first": (
            """
def top_genes(x, k):
    rows = np.argsort(x, axis=0)[:k]
    return rows, np.take_along_axis(x, rows, axis=0)
""",
            "the smallest values came first",
        ),
        "minus on unsigned": (
            """
def top_genes(x, k):
    rows = np.argsort(-x, axis=0, kind="stable")[:k]
    return rows, np.take_along_axis(x, rows, axis=0)
""",
            "wraps around",
        ),
        "values not at the rows": (
            """
def top_genes(x, k):
    rows = np.argsort(x, axis=0)[::-1][:k]
    return rows[:, ::-1], np.take_along_axis(x, rows, axis=0)
""",
            "the rows do not point at the values",
        ),
    },
    "tie_blocks": {
        "keeps singletons": (
            """
def tie_blocks(column):
    return np.unique(column, return_counts=True)
""",
            "you kept the values that occur only once",
        ),
        "swapped": (
            """
def tie_blocks(column):
    values, counts = np.unique(column, return_counts=True)
    return counts[counts > 1], values[counts > 1]
""",
            "values and counts are swapped",
        ),
        "a list of pairs": (
            """
def tie_blocks(column):
    values, counts = np.unique(column, return_counts=True)
    return [(v, c) for v, c in zip(values, counts) if c > 1]
""",
            "not a pair (values, counts)",
        ),
    },
    "nonzero_normalized": {
        "multiplies first, in the input dtype": (
            """
def nonzero_normalized(counts_block, n_counts):
    scaled = counts_block * 10_000 / n_counts
    return [row[row != 0].astype(np.float64) for row in scaled]
""",
            "",
        ),
        "keeps zeros": (
            """
def nonzero_normalized(counts_block, n_counts):
    return list(counts_block / n_counts[np.newaxis, :] * 10_000)
""",
            "zeros are still in the result",
        ),
        "gene totals": (
            """
def nonzero_normalized(counts_block, n_counts):
    normalized = counts_block / counts_block.sum(axis=1)[:, np.newaxis] * 10_000
    return [row[row != 0] for row in normalized]
""",
            "each gene's total",
        ),
        "an array, not a list": (
            """
def nonzero_normalized(counts_block, n_counts):
    normalized = counts_block / n_counts[np.newaxis, :] * 10_000
    return np.array([row[row != 0] for row in normalized], dtype=object)
""",
            "expected a list",
        ),
    },
    "nonzero_medians": {
        "positive values only": (
            """
def nonzero_medians(block):
    return np.array([np.median(row[row > 0]) if (row > 0).any() else np.nan for row in block])
""",
            "",
        ),
        "midpoint in the input dtype": (
            """
def nonzero_medians(block):
    result = []
    for row in block:
        values = np.sort(row[row != 0])
        n = len(values)
        if n == 0:
            result.append(np.nan)
        elif n % 2:
            result.append(float(values[n // 2]))
        else:
            result.append(float((values[n // 2 - 1] + values[n // 2]) / 2))
    return np.array(result)
""",
            "",
        ),
        "zeros counted": (
            """
def nonzero_medians(block):
    return np.median(block, axis=1).astype(float)
""",
            "zeros are still in the result",
        ),
        "zero for undetected genes": (
            """
def nonzero_medians(block):
    medians = np.zeros(block.shape[0])
    for g, row in enumerate(block):
        if (row != 0).any():
            medians[g] = np.median(row[row != 0])
    return medians
""",
            "must get NaN, not 0",
        ),
        "per cell": (
            """
def nonzero_medians(block):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.nanmedian(np.where(block == 0, np.nan, block), axis=0)
""",
            "one median per cell",
        ),
        "NaN written into an integer block": (
            """
def nonzero_medians(block):
    block[block == 0] = np.nan
    return np.nanmedian(block, axis=1)
""",
            "raised ValueError",
        ),
    },
    "rank_value_encoding": {
        "increasing": (
            """
def rank_value_encoding(cell_counts, medians):
    genes = np.flatnonzero((cell_counts != 0) & ~np.isnan(medians))
    return genes[np.argsort((cell_counts / medians)[genes], kind="stable")]
""",
            "you ranked in increasing order",
        ),
        "raw counts": (
            """
def rank_value_encoding(cell_counts, medians):
    genes = np.flatnonzero((cell_counts != 0) & ~np.isnan(medians))
    return genes[np.argsort(-cell_counts[genes].astype(float), kind="stable")]
""",
            "you ranked the raw counts",
        ),
        "keeps undetected genes": (
            """
def rank_value_encoding(cell_counts, medians):
    genes = np.flatnonzero(~np.isnan(medians))
    return genes[np.argsort(-(cell_counts / medians)[genes], kind="stable")]
""",
            "zeros are still in the result",
        ),
        "keeps genes without a median": (
            """
def rank_value_encoding(cell_counts, medians):
    genes = np.flatnonzero(cell_counts != 0)
    normalized = np.nan_to_num(cell_counts / medians, nan=-1.0)
    return genes[np.argsort(-normalized[genes], kind="stable")]
""",
            "genes without a median (NaN) are in the result",
        ),
        "values, not genes": (
            """
def rank_value_encoding(cell_counts, medians):
    normalized = cell_counts / medians
    keep = (cell_counts != 0) & ~np.isnan(medians)
    return -np.sort(-normalized[keep])
""",
            "you returned the normalized values",
        ),
    },
}


# --- Mistakes the lessons warn about that raise instead of returning (third edition) -----------

WRONG["rpkm"]["gene lengths on the samples' axis"] = (
    """
def rpkm(counts, gene_lengths):
    return counts * 1e9 / gene_lengths / counts.sum(axis=0)
""",
    "lined up with the wrong axis",
)
WRONG["rpkm"]["library sizes on the genes' axis"] = (
    """
def rpkm(counts, gene_lengths):
    library_size = counts.sum(axis=0)
    return counts * 1e9 / gene_lengths[:, np.newaxis] / library_size[:, np.newaxis]
""",
    "lined up with the wrong axis",
)
WRONG["nonzero_normalized"]["n_counts on the genes' axis"] = (
    """
def nonzero_normalized(counts_block, n_counts):
    normalized = counts_block / n_counts[:, np.newaxis] * 10_000
    return [row[row != 0] for row in normalized]
""",
    "lined up with the genes",
)
WRONG["little_endian_value"]["numpy bytes times their weights"] = (
    """
def little_endian_value(raw):
    return int(sum(raw[k] * 256**k for k in range(len(raw))))
""",
    "compute with Python ints",
)


# --- Third edition: the new exercises ---------------------------------------------------

CORRECT["reshape_copies"] = {
    "grouping the axes": """
def reshape_copies(shape, strides, new_shape):
    if 0 in shape:
        return False
    old = [(n, s) for n, s in zip(shape, strides) if n != 1]
    new = [n for n in new_shape if n != 1]
    i = j = 0
    while i < len(old) and j < len(new):
        i_end, j_end = i + 1, j + 1
        size_old, size_new = old[i][0], new[j]
        while size_old != size_new:
            if size_old < size_new:
                size_old *= old[i_end][0]
                i_end += 1
            else:
                size_new *= new[j_end]
                j_end += 1
        if any(old[a][1] != old[a + 1][0] * old[a + 1][1] for a in range(i, i_end - 1)):
            return True
        i, j = i_end, j_end
    return False
""",
    "ask NumPy on a real buffer": """
def reshape_copies(shape, strides, new_shape):
    from numpy.lib.stride_tricks import as_strided
    if 0 in shape:
        return False
    low = sum(min(0, (n - 1) * s) for n, s in zip(shape, strides))
    high = sum(max(0, (n - 1) * s) for n, s in zip(shape, strides))
    buffer = np.zeros(high - low + 1, dtype=np.int8)
    x = as_strided(buffer[-low:], shape=shape, strides=strides, writeable=False)
    return not np.shares_memory(x.reshape(new_shape), buffer)
""",
    "cumulative products per group": """
import math

def reshape_copies(shape, strides, new_shape):
    if math.prod(shape) == 0:
        return False
    axes = [(n, s) for n, s in zip(shape, strides) if n > 1]
    cuts, total = set(), 1
    for n in reversed([n for n in new_shape if n > 1]):
        total *= n
        cuts.add(total)
    block = 1
    for k in range(len(axes) - 1, 0, -1):
        block *= axes[k][0]
        if block not in cuts and axes[k - 1][1] != axes[k][1] * axes[k][0]:
            return True
    return False
""",
}
WRONG["reshape_copies"] = {
    "not C-contiguous": (
        """
def reshape_copies(shape, strides, new_shape):
    step = 1
    for n, s in zip(reversed(shape), reversed(strides)):
        if n != 1 and s != step:
            return True
        step *= n
    return False
""",
        "you answered whether the array is C-contiguous",
    ),
    "always a view": (
        """
def reshape_copies(shape, strides, new_shape):
    return False
""",
        "this reshape must copy",
    ),
    "a string": (
        """
def reshape_copies(shape, strides, new_shape):
    return "copy"
""",
        "answer True (reshape must copy) or False",
    ),
}

CORRECT["broadcast_shape"] = {
    "pad and compare": """
def broadcast_shape(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            return None
        out.append(y if x == 1 else x)
    return tuple(out)
""",
    "numpy's own rule": """
def broadcast_shape(shape_a, shape_b):
    try:
        return np.broadcast_shapes(tuple(shape_a), tuple(shape_b))
    except ValueError:
        return None
""",
    "zip_longest from the right": """
from itertools import zip_longest

def broadcast_shape(shape_a, shape_b):
    result = []
    for x, y in zip_longest(reversed(shape_a), reversed(shape_b), fillvalue=1):
        if x == 1:
            result.append(y)
        elif y == 1 or x == y:
            result.append(x)
        else:
            return None
    return tuple(reversed(result))
""",
}
WRONG["broadcast_shape"] = {
    "left-aligned": (
        """
def broadcast_shape(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = tuple(shape_a) + (1,) * (n - len(shape_a))
    b = tuple(shape_b) + (1,) * (n - len(shape_b))
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return tuple(out)
""",
        "from the last axis backwards",
    ),
    "no compatibility check": (
        """
def broadcast_shape(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    return tuple(max(x, y) for x, y in zip(a, b))
""",
        "return None then",
    ),
    "empty axes stretched": (
        """
def broadcast_shape(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
        return None
    return tuple(max(x, y) for x, y in zip(a, b))
""",
        "even to 0",
    ),
    "a list": (
        """
def broadcast_shape(shape_a, shape_b):
    try:
        return list(np.broadcast_shapes(shape_a, shape_b))
    except ValueError:
        return None
""",
        "not a tuple of ints",
    ),
}

CORRECT["gene_totals"] = {
    "np.add.at": """
def gene_totals(transcript_gene, transcript_counts, n_genes):
    totals = np.zeros(n_genes, dtype=np.int64)
    np.add.at(totals, transcript_gene, transcript_counts.astype(np.int64))
    return totals
""",
    "bincount with weights": """
def gene_totals(transcript_gene, transcript_counts, n_genes):
    sums = np.bincount(transcript_gene.astype(np.intp), weights=transcript_counts, minlength=n_genes)
    return sums.astype(np.int64)
""",
    "a boolean mask per gene": """
def gene_totals(transcript_gene, transcript_counts, n_genes):
    counts = transcript_counts.astype(np.int64)
    return np.array([counts[transcript_gene == g].sum() for g in range(n_genes)], dtype=np.int64)
""",
    "sort and reduceat": """
def gene_totals(transcript_gene, transcript_counts, n_genes):
    totals = np.zeros(n_genes, dtype=np.int64)
    if len(transcript_gene) == 0:
        return totals
    order = np.argsort(transcript_gene, kind="stable")
    genes = transcript_gene[order]
    starts = np.flatnonzero(np.r_[True, genes[1:] != genes[:-1]])
    totals[genes[starts]] = np.add.reduceat(transcript_counts[order].astype(np.int64), starts)
    return totals
""",
}
WRONG["gene_totals"] = {
    "repeated indices": (
        """
def gene_totals(transcript_gene, transcript_counts, n_genes):
    totals = np.zeros(n_genes, dtype=np.int64)
    totals[transcript_gene] += transcript_counts
    return totals
""",
        "adds only one transcript per gene",
    ),
    "no minlength": (
        """
def gene_totals(transcript_gene, transcript_counts, n_genes):
    return np.bincount(transcript_gene, weights=transcript_counts).astype(np.int64)
""",
        "minlength=n_genes",
    ),
    "float totals": (
        """
def gene_totals(transcript_gene, transcript_counts, n_genes):
    return np.bincount(transcript_gene, weights=transcript_counts, minlength=n_genes)
""",
        "returns floats",
    ),
    "the counts' dtype": (
        """
def gene_totals(transcript_gene, transcript_counts, n_genes):
    totals = np.zeros(n_genes, dtype=transcript_counts.dtype)
    np.add.at(totals, transcript_gene, transcript_counts)
    return totals
""",
        "a dtype too small",
    ),
}

CORRECT["encode_cells"] = {
    "scores with -inf": """
def encode_cells(block, medians, k):
    counted = (block != 0) & ~np.isnan(medians)[:, np.newaxis]
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(counted, block / medians[:, np.newaxis], -np.inf)
    order = np.argsort(-score, axis=0)[:k]
    best = np.take_along_axis(score, order, axis=0)
    genes = np.full((k, block.shape[1]), -1)
    genes[:len(order)] = np.where(np.isfinite(best), order, -1)
    return genes.T
""",
    "a loop over cells": """
def encode_cells(block, medians, k):
    result = np.full((block.shape[1], k), -1, dtype=np.int64)
    usable = np.flatnonzero(~np.isnan(medians))
    for cell in range(block.shape[1]):
        genes = usable[block[usable, cell] != 0]
        ranked = genes[np.argsort(-(block[genes, cell] / medians[genes]), kind="stable")][:k]
        result[cell, :len(ranked)] = ranked
    return result
""",
    "cells as rows, NaN sorted last": """
def encode_cells(block, medians, k):
    cells = np.asarray(block, dtype=np.float64).T
    score = np.where(cells != 0, cells / medians, np.nan)
    order = np.argsort(-score, axis=1)[:, :k]
    picked = np.take_along_axis(score, order, axis=1)
    out = np.where(np.isnan(picked), -1, order)
    return np.pad(out, ((0, 0), (0, k - out.shape[1])), constant_values=-1)
""",
}
WRONG["encode_cells"] = {
    "one column per cell": (
        """
def encode_cells(block, medians, k):
    counted = (block != 0) & ~np.isnan(medians)[:, np.newaxis]
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(counted, block / medians[:, np.newaxis], -np.inf)
    order = np.argsort(-score, axis=0)[:k]
    best = np.take_along_axis(score, order, axis=0)
    genes = np.full((k, block.shape[1]), -1)
    genes[:len(order)] = np.where(np.isfinite(best), order, -1)
    return genes
""",
        "you returned one column per cell",
    ),
    "no padding": (
        """
def encode_cells(block, medians, k):
    with np.errstate(divide="ignore", invalid="ignore"):
        score = block / medians[:, np.newaxis]
    return np.argsort(-score, axis=0, kind="stable")[:k].T
""",
        "were ranked",
    ),
    "medians on the cells' axis": (
        """
def encode_cells(block, medians, k):
    score = np.where(block != 0, block / medians, -np.inf)
    order = np.argsort(-score, axis=0)[:k]
    return np.where(np.isfinite(np.take_along_axis(score, order, axis=0)), order, -1).T
""",
        "line it up with the rows",
    ),
}

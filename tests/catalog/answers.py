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
    "qnorm": {
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
}

WRONG: dict[str, dict[str, tuple[str, str]]] = {
    "c_strides": {
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
    "nonzero_normalized": {
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
}

"""The reference solutions of the third edition's exercises, each against an independent oracle.

NumPy itself for reshape_copies (does the reshape share memory?) and
broadcast_shape (np.broadcast_shapes), Python integers for gene_totals, and
the one-cell rank_value_encoding for encode_cells.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from genenorm_edu import reference


def _factorizations(size: int, draw) -> tuple[int, ...]:
    """A shape of ``size`` elements, drawn as a product of divisors."""
    lengths, left = [], size
    for _ in range(draw(st.integers(0, 3))):
        length = draw(st.sampled_from([d for d in range(1, left + 1) if left % d == 0]))
        lengths.append(length)
        left //= length
    lengths.append(left)
    return tuple(draw(st.permutations(lengths)))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_reshape_copies_is_what_numpy_does(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    base = np.arange(int(np.prod([2 * n for n in shape]))).reshape([2 * n for n in shape])
    steps = tuple(data.draw(st.sampled_from([1, 2, -1])) for _ in shape)
    view = base[tuple(slice(None, None, step) for step in steps)][tuple(slice(0, n) for n in shape)]
    view = view.transpose(data.draw(st.permutations(range(len(shape)))))
    if data.draw(st.booleans()):
        view = np.broadcast_to(view[..., :1], view.shape)  # a stride of 0
    new_shape = _factorizations(view.size, data.draw)
    in_elements = tuple(stride // view.itemsize for stride in view.strides)
    copies = not np.shares_memory(view.reshape(new_shape), base)
    assert reference.reshape_copies(view.shape, in_elements, new_shape) == copies


shape_lists = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)


@given(shape_lists, shape_lists)
def test_broadcast_shape_is_numpys(shape_a, shape_b):
    try:
        expected = np.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        expected = None
    assert reference.broadcast_shape(shape_a, shape_b) == expected


@given(st.integers(1, 12), st.data())
def test_gene_totals_add_up_like_python_ints(n_genes, data):
    genes = np.array(data.draw(st.lists(st.integers(0, n_genes - 1), max_size=40)), dtype=np.int64)
    counts = np.array(data.draw(st.lists(st.integers(0, 2**32 - 1), min_size=len(genes), max_size=len(genes))),
                      dtype=np.uint32)
    totals = Counter()
    for gene, count in zip(genes.tolist(), counts.tolist()):
        totals[gene] += count
    result = reference.gene_totals(genes, counts, n_genes)
    assert result.dtype == np.int64
    assert result.tolist() == [totals[gene] for gene in range(n_genes)]


@given(hnp.arrays(np.uint32, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=9),
                  elements=st.integers(0, 6)), st.integers(1, 12), st.data())
def test_encode_cells_encodes_each_cell_like_rank_value_encoding(block, k, data):
    medians = np.array(data.draw(st.lists(st.sampled_from([np.nan, 0.5, 1.0, 2.0, 3.0]),
                                          min_size=block.shape[0], max_size=block.shape[0])))
    result = reference.encode_cells(block, medians, k)
    assert result.shape == (block.shape[1], k)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = block / medians[:, np.newaxis]
    for cell, row in enumerate(result):
        one = reference.rank_value_encoding(block[:, cell], medians)[:k]
        assert row[len(one):].tolist() == [-1] * (k - len(one))
        assert np.array_equal(scores[row[:len(one)], cell], scores[one, cell])

"""Product sums: a sum of many `a_i^T @ g_i` products becomes one big product.

An unrolled RNN (`tf.nn.static_rnn`, or a Python loop over time steps as TF1's PTB
tutorial writes it) uses each weight at every step, so the weight's gradient is an AddN
of one `MatMul(x_t, g_t, transpose_a=True)` per step: 50 products of 32 rows each, and
49 additions. Small products keep BLAS far from its speed, and each addition is a pass
over the weight-sized sum. Stacking the operands instead, `[x_1; ...; x_T]^T @ [g_1;
...; g_T]` is the same sum as one product over all the rows (measured, 50 products of
32 x 256 by 32 x 512: 3.75 ms one by one plus the additions, 2.9 ms stacked on one
thread, and the stacked product splits over the kernel threads). As TF's grappler
rewrites graphs, the pass groups them: the AddN's step reads the products' operands,
and the products make no step of their own. Each element of the result sums the same
terms in another order (float rounding differs by a few ulps, as across BLAS builds).

A group is an op with the `sums_inputs` trait (AddN) of at least `MIN_TERMS` float
inputs, each the only use of an op with the `matrix_product` trait (MatMul) that
transposes its first operand and not its second, of 2-D operands of static widths
(the products' columns at least `MIN_WIDTH`). At run time the operands' row counts
must pair up; otherwise the step runs the ops one by one (and they raise TF's errors).
`TFGRAPH_FUSE=0` turns the pass off with the other fusions.
"""

from __future__ import annotations

import numpy as np

from tfgraph.client.passes import fuse
from tfgraph.framework.ops import Operation
from tfgraph.platform import parallel

__all__ = ["MIN_TERMS", "ProductSum", "product_sums"]

# Fewer terms than this are left alone (the stacking copy does not pay for two).
MIN_TERMS = 4
# Products narrower than this on either side are memory-bound: stacking would only add
# a copy.
MIN_WIDTH = 16
_FLOATS = frozenset((np.dtype(np.float32), np.dtype(np.float64)))


class ProductSum:
    """One group: the summing op and its products, in the summing op's input order."""

    __slots__ = ("products", "total")

    def __init__(self, total: Operation, products: list[Operation]) -> None:
        self.total = total
        self.products = products

    def operands(self) -> list:
        """The tensors the group's step reads: every product's two operands."""
        return [t for p in self.products for t in p._inputs]


def _stacked_product(op: Operation) -> bool:
    """Whether `op` is a^T @ g of 2-D float operands with static widths of at least
    MIN_WIDTH."""
    op_def = op._op_def
    if not op_def.matrix_product or not op._attrs.get("transpose_a"):
        return False
    if op._attrs.get("transpose_b"):
        return False
    if np.dtype(op._outputs[0]._dtype._base.as_numpy_dtype) not in _FLOATS:
        return False
    for t in op._inputs:
        dims = t._shape._dims
        if t._dtype._base is not t._dtype or dims is None or len(dims) != 2:
            return False
        if dims[1] is None or dims[1] < MIN_WIDTH:
            return False
    return True


def product_sums(ordered: list[Operation], slots, anchors: dict, fed: set) -> list[ProductSum]:
    """The groups of `ordered` (see the module docstring)."""
    if not fuse.ENABLED:
        return []
    uses: dict = {}
    for op in ordered:
        if op in anchors:
            continue
        for t in op._inputs:
            uses[t] = uses.get(t, 0) + 1
    position = {op: i for i, op in enumerate(ordered)}
    excluded = set(slots.aliased) | set(slots.live_of) | set(slots.lazy_inputs)
    keep = set(slots.fetch_slots) | set(slots.feed_slots)
    groups = []
    for op in ordered:
        if not op._op_def.sums_inputs or op in excluded or op in anchors:
            continue
        if len(op._inputs) < MIN_TERMS or op._outputs[0] in fed:
            continue
        products = []
        for t in op._inputs:
            p = _product_of(t, slots, uses, fed, keep)
            if p is None or p not in position or p in anchors or p in excluded:
                break
            products.append(p)
        else:
            groups.append(ProductSum(op, products))
    return groups


def _product_of(t, slots, uses: dict, fed: set, keep: set):
    """The stacked product (see `_stacked_product`) whose value `t` is, through ops that
    forward their input (the Identities `tf.gradients` puts after each gradient), when
    nothing else reads it; else None."""
    while True:
        if uses.get(t) != 1 or t in fed or slots.slot_of.get(t) in keep or t in slots.snapshot_of:
            return None
        op = t._op
        if op not in slots.aliased:
            return op if _stacked_product(op) else None
        t = op._inputs[0]


def product_sum_step(group: ProductSum, slots, fallback, dead: tuple):
    """The group's step: `v[out] = stack(a_i)^T @ stack(g_i)`, freeing `dead` after.
    `fallback(v)` runs the products and the sum one by one (operands whose rows do not
    pair up: the ops raise their errors)."""
    slot_of = slots.slot_of
    a_slots = tuple(slot_of[p._inputs[0]] for p in group.products)
    g_slots = tuple(slot_of[p._inputs[1]] for p in group.products)
    out = slot_of.get(group.total._outputs[0], -1)

    def step(v):
        a = [v[s] for s in a_slots]
        g = [v[s] for s in g_slots]
        if _pairs_up(a, g):
            total = parallel.matmul(np.concatenate(a).T, np.concatenate(g))
        else:
            total = fallback(v)
        if out >= 0:
            v[out] = total
        for s in dead:
            v[s] = None

    step.fused_ops = (*group.products, group.total)  # type: ignore[attr-defined]
    return step


def _pairs_up(a: list, g: list) -> bool:
    first_a, first_g = a[0], g[0]
    if first_a.__class__ is not np.ndarray or first_g.__class__ is not np.ndarray:
        return False
    width_a, width_g, dtype = first_a.shape[-1], first_g.shape[-1], first_a.dtype
    for x, y in zip(a, g):
        if (
            x.__class__ is not np.ndarray
            or y.__class__ is not np.ndarray
            or x.ndim != 2
            or y.ndim != 2
            or x.shape[0] != y.shape[0]
            or x.shape[1] != width_a
            or y.shape[1] != width_g
            or x.dtype != dtype
            or y.dtype != dtype
        ):
            return False
    return True

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

import functools

import numpy as np

from tfgraph import errors
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


def _product_of(t, slots, uses: dict, fed: set, keep: set, in_loop: bool = False):
    """The stacked product (see `_stacked_product`) whose value `t` is, through ops that
    forward their input (the Identities `tf.gradients` puts after each gradient: in a
    loop, ops with the `forwards_input` trait, which run as steps there; elsewhere the
    ops sharing their input's slot), when nothing else reads it; else None."""
    while True:
        if uses.get(t) != 1 or t in fed or slots.slot_of.get(t) in keep or t in slots.snapshot_of:
            return None
        op = t._op
        forwards = op._op_def.forwards_input if in_loop else op in slots.aliased
        if not forwards or len(op._inputs) != 1:
            return op if _stacked_product(op) else None
        t = op._inputs[0]


def product_sum_step(group: ProductSum, slots, ctx, dead: tuple):
    """The group's step: `v[out] = stack(a_i)^T @ stack(g_i)`, freeing `dead` after.
    Operands whose rows do not pair up run the ops one by one (they raise their errors)."""
    from tfgraph.client.passes.lower import bind_kernel

    slot_of = slots.slot_of
    a_slots = tuple(slot_of[p._inputs[0]] for p in group.products)
    g_slots = tuple(slot_of[p._inputs[1]] for p in group.products)
    out = slot_of.get(group.total._outputs[0], -1)
    kernels = [(bind_kernel(p, ctx), p) for p in group.products]
    add_n = bind_kernel(group.total, ctx)

    def step(v):
        a = [v[s] for s in a_slots]
        g = [v[s] for s in g_slots]
        total = _stacked(a, g)
        if total is None:
            total = add_n(*_one_by_one(kernels, zip(a, g)))
        if out >= 0:
            v[out] = total
        for s in dead:
            v[s] = None

    step.fused_ops = (*group.products, group.total)  # type: ignore[attr-defined]
    return step


def _stacked(a: list, g: list):
    """stack(a)^T @ stack(g), split over the kernel threads; None when the operands do
    not pair up."""
    if not _pairs_up(a, g):
        return None
    return parallel.matmul(np.concatenate(a).T, np.concatenate(g))


def _one_by_one(kernels, pairs) -> list:
    """Each pair's product by its op's kernel (`kernels`: (kernel, op) per pair), an
    error raised as TF names it (after the op)."""
    from tfgraph.client.passes.lower import as_op_error

    terms = []
    for (fn, op), (a, g) in zip(kernels, pairs):
        try:
            terms.append(fn(a, g))
        except Exception as e:
            raise as_op_error(e, op) from e
    return terms


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


# -- loop accumulators ---------------------------------------------------------------------
# In a TF1 gradient loop (`tf.gradients` of a `tf.while_loop`, `dynamic_rnn`), a loop
# invariant's gradient is summed over the iterations by an accumulator: Enter(zeros) ->
# Merge -> Switch -> AddV2(acc, value) -> NextIteration back to the Merge, and the
# Switch's false output -> Exit. When the value is a stacked product (an RNN weight's
# per-step `x_t^T @ g_t`), each iteration's product and addition are deferred: the
# product's kernel hands on its operands, the addition collects them in a `_Pending`
# sum that flows around the loop in the accumulator's place, and the Exit computes it
# as one product of the stacked operands (plus the initial value).


class _Pending:
    """An accumulator's value while its loop runs: `base` plus the sum of a^T @ g over
    the collected operand pairs."""

    __slots__ = ("base", "pairs")

    def __init__(self, base, pairs: list) -> None:
        self.base = base
        self.pairs = pairs

    def value(self, kernel):
        """The sum; `kernel`: (the product's kernel, its op) for pairs that do not
        stack."""
        total = _stacked([p[0] for p in self.pairs], [p[1] for p in self.pairs])
        if total is None:
            terms = _one_by_one([kernel] * len(self.pairs), self.pairs)
            total = functools.reduce(np.add, terms)
        return np.add(self.base, total)


class LoopAccumulator:
    """One deferred accumulator: its product, its addition and its Exit."""

    __slots__ = ("add", "exit", "product")

    def __init__(self, product: Operation, add: Operation, exit_op: Operation) -> None:
        self.product = product
        self.add = add
        self.exit = exit_op


def loop_accumulators(ordered: list[Operation], frame_of: dict, slots, fed: set, ctx):
    """The accumulators of `ordered`'s loops whose value is a stacked product (see
    above), in loops without a cond inside (their values are never dead mid-loop)."""
    if not fuse.ENABLED or not frame_of:
        return []
    uses: dict = {}
    for op in ordered:
        for t in op._inputs:
            uses[t] = uses.get(t, 0) + 1
    with_cond = {
        frame_of.get(op)
        for op in ordered
        if op._op_def.control_flow == "switch"
        and op._inputs[1]._op._op_def.control_flow != "loop_cond"
    }
    keep = set(slots.fetch_slots) | set(slots.feed_slots)
    found = []
    for op in ordered:
        if op._op_def.control_flow != "exit" or frame_of.get(op) in with_cond:
            continue
        acc = _accumulator(op, uses, slots, fed, keep, ctx)
        if acc is not None and frame_of.get(acc.product) is frame_of.get(op):
            found.append(acc)
    return found


def _accumulator(exit_op: Operation, uses: dict, slots, fed: set, keep: set, ctx):
    def only_use(t) -> bool:
        return uses.get(t) == 1 and t not in fed and slots.slot_of.get(t) not in keep

    switch_false = exit_op._inputs[0]
    switch = switch_false._op
    if switch._op_def.control_flow != "switch" or switch._outputs[0] is not switch_false:
        return None
    if switch._inputs[1]._op._op_def.control_flow != "loop_cond":
        return None
    switch_true = switch._outputs[1]
    merge = switch._inputs[0]._op
    if merge._op_def.control_flow != "merge" or len(merge._inputs) != 2:
        return None
    enter, next_iteration = (t._op for t in merge._inputs)
    if enter._op_def.control_flow != "enter" or enter._attrs.get("is_constant"):
        return None
    if next_iteration._op_def.control_flow != "next_iteration":
        return None
    add = next_iteration._inputs[0]._op
    if len(add._inputs) != 2 or add._inputs[0] is not switch_true or len(add._outputs) != 1:
        return None
    value = add._inputs[1]
    if not all(only_use(t) for t in (switch_false, switch_true, value, add._outputs[0])):
        return None
    if not only_use(merge._outputs[0]) or merge._outputs[1] in uses:
        return None
    if not add._op_def.sums_inputs:
        return None
    product = _product_of(value, slots, uses, fed, keep, in_loop=True)
    if product is None:
        return None
    return LoopAccumulator(product, add, exit_op)


def deferred_kernels(acc: LoopAccumulator, ctx) -> dict:
    """{op: the kernel it runs instead} for one accumulator."""
    from tfgraph.client.passes.lower import as_op_error, bind_kernel

    kernel = (bind_kernel(acc.product, ctx), acc.product)
    exit_kernel = bind_kernel(acc.exit, ctx)
    add_op = acc.add

    def operands(a, g):
        return (a, g)

    def collect(acc_value, pair):
        if acc_value.__class__ is _Pending:
            acc_value.pairs.append(pair)
            return acc_value
        return _Pending(acc_value, [pair])

    def finish(x):
        x = exit_kernel(x)
        if x.__class__ is not _Pending:
            return x
        try:
            return x.value(kernel)
        except errors.OpError:
            raise
        except Exception as e:  # (the initial value and the sum do not broadcast)
            raise as_op_error(e, add_op) from e

    return {acc.product: operands, acc.add: collect, acc.exit: finish}

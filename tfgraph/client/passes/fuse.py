"""Fusion: chains of elementwise ops become one step that runs them chunk by chunk.

A chain of ops whose kernels are numpy ufuncs (`y * 0.999 + 0.001`, a hand-written
activation) costs one pass over memory and one new array per op when run op by op. As
TF's grappler fuses such chains, this pass groups them: each run, if the chain's values
are big float arrays of one shape (and 0-d operands), the step runs every op of the
chain on a cache-sized chunk before going to the next chunk, into a few reused chunk
buffers, with chunks shared by the kernel threads (platform/parallel.py). Each element
goes through the same ufuncs in the same order as op by op, so results are identical;
otherwise (small or mixed values) the step runs the ops one by one as before.

A group is a run of consecutive steps of the plan's order (only constants and folded
ops between them), each reading the one before it, whose intermediate values nothing else reads or
fetches: deferring its ops to the group's step therefore changes no value any other
step sees. `TFGRAPH_FUSE=0` turns the pass off.
"""

from __future__ import annotations

import math
import os
import re
import threading

import numpy as np

from tfgraph import errors
from tfgraph.framework.ops import Operation
from tfgraph.ops.common_shapes import raise_if_incompatible
from tfgraph.platform import parallel

__all__ = ["ENABLED", "MIN_ELEMENTS", "FusedChain", "elementwise_groups"]

ENABLED = os.environ.get("TFGRAPH_FUSE", "1") != "0"
# Below this many elements a chain runs op by op (a chunked pass does not pay).
MIN_ELEMENTS = 1 << 16
# A chunk per kernel thread, up to this size: measured, each ufunc call costs more (a few
# microseconds, and the GIL) than cache-sized chunks save; the values fit in L3 anyway.
_MAX_CHUNK_BYTES = 1 << 22
# From this many elements a chain's chunks are shared by the kernel threads.
_PARALLEL_ELEMENTS = 1 << 19
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
# ufuncs whose loops are several times slower with a 0-d operand than with a full one
# (numpy 2.x: no SIMD path for a broadcast scalar; measured 4x for maximum)
_SLOW_WITH_0D = frozenset({np.maximum, np.minimum, np.fmax, np.fmin})


def _ufunc_of(op: Operation, ctx, anchors: dict, fed: set, excluded) -> np.ufunc | None:
    """The op's bound kernel if it is a one-output numpy ufunc on float values (an
    elementwise op; a ufunc checked for shapes that may not broadcast counts, as its
    ufunc), else None."""
    op_def = op._op_def
    if (
        not op_def.is_pure
        or op_def.constant
        or op in anchors
        or op in excluded
        or len(op._outputs) != 1
        or op._outputs[0] in fed
        or op._outputs[0]._dtype._base.as_numpy_dtype not in _FLOATS
        or not 1 <= len(op._inputs) <= 2
    ):
        return None
    for t in op._inputs:
        if t._dtype._base is not t._dtype:  # (a reference input)
            return None
    dims = op._outputs[0]._shape._dims
    if (
        dims is not None
        and None not in dims
        and math.prod(int(d or 0) for d in dims) < MIN_ELEMENTS
    ):
        return None  # (known to be small: it would run op by op anyway)
    if op_def.kernel is None and op_def.make_kernel is None:
        return None
    from tfgraph.client.passes.lower import bind_kernel

    if op_def.ufunc_form is not None:  # (a kernel that is a ufunc against a constant)
        return op_def.ufunc_form[0]
    fn = bind_kernel(op, ctx)  # (a pure op's kernel: binding it has no effect)
    # (a ufunc checked for shapes that may not broadcast: fused, its failure is checked
    # the same way, `_one_by_one`)
    fn = getattr(fn, "broadcasting", fn)
    if isinstance(fn, np.ufunc) and fn.nout == 1 and fn.nin == len(op._inputs):
        return fn
    return None


def elementwise_groups(
    ordered, slots, anchors: dict, fed: set, ctx, taken=frozenset(), no_heads=frozenset()
) -> tuple[dict, dict, set]:
    """The fusable chains of `ordered` ({position: its chain, a list of at least two
    positions}), the ufunc of each of their ops, and the positions that are heads; ops in
    `taken` (fused otherwise) join no chain.

    A chain's head is the step before its first op when that op is the only reader of
    the head's one value (and the head not an op in `no_heads`): any pure op, such as a
    product or a sum, run by the chain's step before its ufuncs. A plan of tiny ops then
    makes one step where it made two (each step costs a call, a slot written, read and
    freed; see `_small_values_step`). A head and one op make a chain too."""
    ufuncs: dict = {}
    heads: set = set()
    if not ENABLED:
        return {}, ufuncs, heads
    slot_of = slots.slot_of
    excluded = set(slots.aliased) | set(slots.live_of) | set(slots.lazy_inputs) | set(taken)
    keep = set(slots.fetch_slots) | set(slots.snapshot_of)
    uses: dict = {}
    for op in ordered:
        if op in anchors:
            continue
        for t in op._inputs:
            uses[t] = uses.get(t, 0) + 1

    def only_reader(op, t) -> bool:  # (op reads t, nothing else does or keeps it)
        return (
            t in op._inputs
            and uses.get(t) == 1
            and slot_of.get(t) not in keep
            and t not in slots.snapshot_of
        )

    groups: list[list[int]] = []
    current: list[int] = []
    previous = -1  # position of the last op that makes a step
    head = -1  # position of the last op that may head a chain
    for i, op in enumerate(ordered):
        if op in anchors or op._op_def.constant:  # (no step: its value is in the template)
            continue
        fn = _ufunc_of(op, ctx, anchors, fed, excluded)
        if fn is None:
            if len(current) > 1 and _worth_a_step(current, ordered, heads):
                groups.append(current)
            current, previous = [], i
            head = i if op not in no_heads and _may_head(op, fed, excluded) else -1
            continue
        joins = bool(current) and current[-1] == previous
        joins = joins and only_reader(op, ordered[previous]._outputs[0])
        ufuncs[op] = fn
        if joins:
            current.append(i)
        else:
            if len(current) > 1 and _worth_a_step(current, ordered, heads):
                groups.append(current)
            current = [i]
            if head == previous >= 0 and only_reader(op, ordered[head]._outputs[0]):
                current = [head, i]
                heads.add(head)
        previous = i
    if len(current) > 1 and _worth_a_step(current, ordered, heads):
        groups.append(current)
    return {p: g for g in groups for p in g}, ufuncs, heads


def _worth_a_step(group: list[int], ordered, heads: set) -> bool:
    """False for a head and one op that may write into a dying input (`overwrites_input`)
    unless its operands surely broadcast (a bias of lower rank): its own step keeps that
    (the chain's big values get a new array). The head is dropped from `heads` then."""
    if len(group) != 2 or group[0] not in heads:
        return True
    op = ordered[group[1]]
    if not op._op_def.overwrites_input:
        return True
    ranks = [t._shape.ndims for t in (*op._inputs, *op._outputs)]
    if None not in ranks and min(ranks) < max(ranks):
        return True
    heads.discard(group[0])
    return False


def _may_head(op: Operation, fed: set, excluded: set) -> bool:
    """Whether `op` may run as a chain's head: a pure op of one value, read from plain
    slots (no reference, no dead value), whose step would be a plain call of its kernel
    (not one that writes into a dying input: `overwrites_input`)."""
    op_def = op._op_def
    if (
        not op_def.is_pure
        or op_def.variable
        or op_def.control_flow
        or op_def.overwrites_input
        or op in excluded
        or len(op._outputs) != 1
        or op._outputs[0] in fed
        or (op_def.kernel is None and op_def.make_kernel is None)
    ):
        return False
    return all(t._dtype._base is t._dtype for t in op._inputs)


class FusedChain:
    """The step running the chain `members` (in order; each reads the one before it),
    whose kernels are the ufuncs `fns`; `fused_ops` names them for step stats. Inputs in
    `constants` (values the same at every run) are operands of the step itself, not read
    from their slots. `head`: None, or (op, its bound kernel) run first by the step (see
    `elementwise_groups`); its value is the first op's input, written to its slot only
    where the chain needs it there (big values, a failure)."""

    def __init__(
        self,
        members: list[Operation],
        fns: list,
        slots,
        out_slot: int,
        dead,
        constants=None,
        head=None,
    ) -> None:
        constants = constants or {}
        slot_of = slots.slot_of
        self.head = head
        # the head's operands: ("s", slot) or ("c", a constant's value)
        self.head_args = (
            [("c", constants[t]) if t in constants else ("s", slot_of[t]) for t in head[0]._inputs]
            if head
            else []
        )
        self.head_slot = slot_of[head[0]._outputs[0]] if head else -1
        # the head's small form (the registry's `small_form`): (fn, limit, args), or None
        self.head_form = None
        if head and head[0]._op_def.small_form is not None:
            known = {k: value for k, (kind, value) in enumerate(self.head_args) if kind == "c"}
            self.head_form = head[0]._op_def.small_form(head[0], known)
        self.fused_ops = tuple(members)
        self.fns = fns
        self.ext_slots: list[int] = []
        self.dtype = np.dtype(members[-1]._outputs[0]._dtype._base.as_numpy_dtype)
        # the constant operands: of ops with a ufunc_form, and constant inputs (external
        # values after the slots')
        self.consts: list = []
        const_index: dict = {}
        # each member's arguments: ("e", k) external value k, or ("p",) the previous result
        args: list[tuple] = []
        for k, m in enumerate(members):
            spec: list[tuple] = []
            for t in m._inputs:
                if k and t is members[k - 1]._outputs[0]:
                    spec.append(("p",))
                elif t in constants:
                    if t not in const_index:
                        const_index[t] = len(self.consts)
                        self.consts.append(constants[t])
                    spec.append(("c", const_index[t]))
                else:
                    s = slot_of[t]
                    if s not in self.ext_slots:
                        self.ext_slots.append(s)
                    spec.append(("e", self.ext_slots.index(s)))
            form = m._op_def.ufunc_form
            if form is not None:
                self.consts.append(np.asarray(form[1], self.dtype))
                spec.append(("c", len(self.consts) - 1))
            args.append(tuple(spec))
        n_ext = len(self.ext_slots)  # (constants are numbered after the slots' values)
        self.args = [
            tuple(("e", n_ext + a[1]) if a[0] == "c" else a for a in spec) for spec in args
        ]
        # each member as (ufunc, first operand, second operand or None): an external
        # value's index, or -1 for the previous result
        self.calls = [
            (fn, *[-1 if a[0] == "p" else a[1] for a in spec], *([None] * (2 - len(spec))))
            for fn, spec in zip(fns, self.args, strict=True)
        ]
        self.max_chunk = _MAX_CHUNK_BYTES // self.dtype.itemsize
        self.out_slot = out_slot
        self.dead = tuple(dead)
        self.step = _small_values_step(self)
        self.step.fused_ops = (head[0], *self.fused_ops) if head else self.fused_ops

    def _head_again(self, v):
        """The head's value by its kernel (its small form failed, or the kernel did: it
        raises its error again, naming the head's op)."""
        try:
            return self.head[1](*[v[x] if kind == "s" else x for kind, x in self.head_args])
        except Exception as e:
            raise _op_error(e, self.head[0]) from e

    def __call__(self, v) -> None:
        ext = [v[s] for s in self.ext_slots]
        ext += self.consts
        result = None
        for x in ext:  # (small values, the common case with an unknown batch: no checks)
            if x.__class__ is np.ndarray and x.size >= MIN_ELEMENTS:
                layout = self._chunkable(ext)
                if layout is not None:
                    result = self._chunked(ext, *layout)
                break
        if result is None:
            # The ops one by one, as unfused steps run them (as fast: a plan of tiny ops
            # must not pay for chains that only pay on big values; 3.7 -> 2.8 us for
            # three ops on 4 x 16 values, against 1.7-1.9 us for the ufuncs alone).
            try:
                for fn, a, b in self.calls:
                    x = result if a < 0 else ext[a]
                    result = fn(x) if b is None else fn(x, result if b < 0 else ext[b])
            except Exception:
                result = self._one_by_one(ext)  # (ufuncs are pure: again, naming the op)
        if self.out_slot >= 0:
            v[self.out_slot] = result
        for d in self.dead:
            v[d] = None

    def _failed(self, v):
        """The small values' way failed: the ops again one by one, naming the op."""
        return self._one_by_one([*(v[s] for s in self.ext_slots), *self.consts])

    def _one_by_one(self, ext):
        """The ops one by one, an error raised as TF names it (after its op)."""
        prev = None
        k = 0
        try:
            for k, (fn, a, b) in enumerate(self.calls):  # noqa: B007 - k names the failing op
                x = prev if a < 0 else ext[a]
                if b is None:
                    prev = fn(x)
                else:
                    prev = fn(x, prev if b < 0 else ext[b])
        except ValueError as e:
            if b is not None:  # (TF's error for shapes that do not broadcast)
                try:
                    raise_if_incompatible(np.shape(x), np.shape(prev if b < 0 else ext[b]))
                except errors.InvalidArgumentError as incompatible:
                    raise _op_error(incompatible, self.fused_ops[k]) from e
            raise _op_error(e, self.fused_ops[k]) from e
        except Exception as e:
            raise _op_error(e, self.fused_ops[k]) from e
        return prev

    def _chunkable(self, ext) -> tuple | None:
        """(shape, period) of the chain's values if every external value is a C-contiguous
        array of the chain's dtype, of that shape, 0-d, or of a trailing part of it (a
        row such as a bias, all of one size: the period), the first op reads one of the
        full shape, and it has at least MIN_ELEMENTS elements; else None."""
        shape: tuple = ()
        for x in ext:
            if type(x) is not np.ndarray or x.dtype != self.dtype:
                return None
            if x.ndim > len(shape):
                shape = x.shape
        if not shape or math.prod(shape) < MIN_ELEMENTS:
            return None
        period = 1
        for x in ext:
            if not x.ndim:
                continue
            if not x.flags.c_contiguous:
                return None
            if x.shape != shape:
                if x.shape != shape[len(shape) - x.ndim :] or period not in (1, x.size):
                    return None
                period = x.size
        if period == 0 or not any(a[0] == "e" and ext[a[1]].shape == shape for a in self.args[0]):
            return None
        return shape, period

    def _chunked(self, ext, shape, period):
        size = math.prod(shape)
        out = np.empty(shape, self.dtype)
        flat_out = out.reshape(-1)
        fns, args = self.fns, self.args
        threads = parallel.num_threads() if size >= _PARALLEL_ELEMENTS else 1
        chunk = min(-(-size // threads), self.max_chunk)
        chunk = max(chunk // period, 1) * period  # (chunks start at a row's start)
        # rows (biases) repeated over a chunk, so every op runs on flat contiguous pieces
        # (numpy's loop over a broadcast row of 32 is 2-3x slower than over a flat one)
        flat = [
            x
            if not x.ndim
            else x.reshape(-1)
            if x.shape == shape
            else np.tile(x.reshape(-1), chunk // period)
            for x in ext
        ]
        blocks = [(lo, min(lo + chunk, size)) for lo in range(0, size, chunk)]
        # 0-d operands of ufuncs that are slow with them: read from a filled buffer
        slow = [
            {j for j, a in enumerate(args[k]) if a[0] == "e" and not ext[a[1]].ndim}
            if fn in _SLOW_WITH_0D
            else None
            for k, fn in enumerate(fns)
        ]

        def work(block, _state):
            lo, hi = block
            dst = flat_out[lo:hi]  # (every op writes the output's chunk: it stays in cache)
            parts = [x[lo:hi] if x.size == size else x[: hi - lo] if x.ndim else x for x in flat]
            for k, fn in enumerate(fns):
                vals = [dst if a[0] == "p" else parts[a[1]] for a in args[k]]
                if slow[k]:
                    _with_filled(fn, vals, slow[k], dst)
                else:
                    fn(*vals, out=dst)

        try:
            parallel.run_blocks(blocks, work, blas=False)
        except Exception as e:
            raise _op_error(e, self.fused_ops[-1]) from e
        return out


# -- the step of a chain: its ops' calls written out --------------------------------------
# Plans of many tiny ops run a chain's ops on small values nearly always (an unknown
# batch of 4 rows): there each op's call is the whole cost, and walking the chain's
# description (its operands' kinds, the previous result) cost more than the ufuncs
# (a 20,000-op graph's chain of three: 3.9 us in its plan, the ufuncs 1.2 us). So each
# chain's step is a function written for its shape: the ufunc calls one after another
# on its slots, after a check that the first op's values are small; big values go to
# `FusedChain.__call__`. The source holds only names and numbers made here (never a
# user's text); one function maker per shape of chain is compiled and kept.
_makers: dict = {}
_makers_lock = threading.Lock()
_SHARED: dict = {}  # (a step's int and tuple values, one object per value)
_WORD = re.compile(r"\w+")


def _small_values_step(chain: FusedChain):
    """The plan's step for `chain` (see above)."""
    n_ext = len(chain.ext_slots)
    first_ext = sorted({a for a in chain.calls[0][1:] if a is not None and a >= 0})
    if any(a >= n_ext and np.size(chain.consts[a - n_ext]) >= MIN_ELEMENTS for a in first_ext):
        return _with_head(chain) if chain.head else chain  # (a big constant: may chunk)
    # the head's value: the local `h`, the external value `hx` (k of ext_slots)
    hx = chain.ext_slots.index(chain.head_slot) if chain.head else -1
    form = chain.head_form
    key = (
        n_ext, tuple(first_ext), hx, tuple((a, b) for _, a, b in chain.calls),
        len(chain.consts), len(chain.dead), chain.out_slot >= 0,
        tuple(kind for kind, _ in chain.head_args) if chain.head else None,
        tuple(a if a[0] == "in" else "value" for a in form[2]) if form else None,
    )  # fmt: skip
    values = {"chain": chain, "nd": np.ndarray, "min_elements": MIN_ELEMENTS, "out": chain.out_slot}
    if chain.head:
        values.update(hd=chain.head[1], hs=chain.head_slot)
        if form:
            values.update(hf=form[0], hlim=form[1])
            values.update((f"hv{j}", a[1]) for j, a in enumerate(form[2]) if a[0] == "value")
        values.update(
            (f"hc{k}" if kind == "c" else f"hs{k}", value)
            for k, (kind, value) in enumerate(chain.head_args)
        )
    values.update((f"f{k}", fn) for k, (fn, _, _) in enumerate(chain.calls))
    values.update((f"s{k}", s) for k, s in enumerate(chain.ext_slots))
    values.update((f"c{k}", c) for k, c in enumerate(chain.consts))
    values.update((f"d{k}", d) for k, d in enumerate(chain.dead))
    with _makers_lock:
        made = _makers.get(key)
        if made is None:
            made = _makers[key] = _chain_maker(chain, n_ext, first_ext, hx, values)
    make, names = made
    args = []
    for name in names:
        value = values[name]
        if value.__class__ in (int, tuple) and len(_SHARED) < 4096:
            value = _SHARED.setdefault(value, value)  # (equal ones: one object, in cache)
        args.append(value)
    return make(*args)


def _chain_maker(chain: FusedChain, n_ext: int, first_ext: list, hx: int, values) -> tuple:
    """(the function making steps of `chain`'s shape, the names of its values): its
    source written out and compiled. A step's values are defaults (see lower.make_step),
    only those of `values` its body uses."""
    store = "v[hs] = h; " if chain.head else ""

    def operand(a):
        if a < 0:
            return "r"
        if a == hx:
            return "h"
        return f"v[s{a}]" if a < n_ext else f"c{a - n_ext}"

    body = []
    if chain.head:
        body.append(_head_source(chain))
    body.extend(
        f"    x = {operand(a)}\n    if x.__class__ is nd and x.size >= min_elements:\n"
        f"        {store}return chain(v)"
        for a in first_ext
        if a < n_ext
    )
    body.append("    try:")
    for k, (_, a, b) in enumerate(chain.calls):
        args = operand(a) if b is None else f"{operand(a)}, {operand(b)}"
        body.append(f"        r = f{k}({args})")
    body.append(f"    except Exception:\n        {store}r = chain._failed(v)")
    if chain.out_slot >= 0:
        body.append("    v[out] = r")
    body.extend(f"    v[d{k}] = None" for k in range(len(chain.dead)))
    used = set(_WORD.findall("\n".join(body)))
    names = ["chain", *sorted((used & values.keys()) - {"chain"})]
    defaults = ", ".join(f"{n}={n}" for n in names)
    source = f"def make({', '.join(names)}):\n  def fused_chain(v, {defaults}):\n"
    lines = [line for entry in body for line in entry.split("\n")]
    source += "\n".join("  " + line for line in lines) + "\n  return fused_chain\n"
    namespace: dict = {}
    exec(compile(source, "<tfgraph fused chain>", "exec"), namespace)
    return namespace["make"], names


def _head_source(chain: FusedChain) -> str:
    """The lines computing the head's value `h`: its small form where its first input
    is a small array (see `small_form` in framework/registry.py), else its kernel; if
    either fails, the kernel again (`_head_again`: the kernel's value, or its error)."""
    inputs = [f"hc{k}" if kind == "c" else f"v[hs{k}]" for k, (kind, _) in
              enumerate(chain.head_args)]  # fmt: skip
    if not chain.head_form:
        call = f"        h = hd({', '.join(inputs)})"
    else:
        fargs = ", ".join(
            ("x" if a[1] == 0 else inputs[a[1]]) if a[0] == "in" else f"hv{j}"
            for j, a in enumerate(chain.head_form[2])
        )
        call = (
            f"        x = {inputs[0]}\n"
            "        if x.__class__ is nd and x.size < hlim:\n"
            f"            h = hf({fargs})\n"
            "        else:\n"
            f"            h = hd(x, {', '.join(inputs[1:])})"
        )
    return f"    try:\n{call}\n    except Exception:\n        h = chain._head_again(v)"


def _with_head(chain: FusedChain):
    """A step running the chain's head into its slot, then the chain."""
    hs = chain.head_slot

    def step(v):
        v[hs] = chain._head_again(v)
        chain(v)

    return step


# Elements of a filled buffer: a whole chunk of the biggest (_MAX_CHUNK_BYTES of float32), as
# a maximum over pieces costs a call per piece (measured 1.4x slower with 32K pieces).
_FILL = _MAX_CHUNK_BYTES // 4
_MAX_FILLS = 8  # filled buffers kept per thread
_fills = threading.local()


def _with_filled(fn, vals: list, zero_d: set, dst) -> None:
    """`fn(*vals, out=dst)`, the 0-d operands at positions `zero_d` read from buffers
    filled with their value (this thread's, cached by value), piece by piece."""
    cache = getattr(_fills, "cache", None)
    if cache is None:
        cache = _fills.cache = {}
    for j in zero_d:
        key = (vals[j].dtype.char, vals[j].tobytes())  # (bytes: -0.0 is not 0.0)
        buf = cache.get(key)
        if buf is None or buf.shape[0] < _FILL:
            if len(cache) >= _MAX_FILLS:
                cache.clear()
            buf = cache[key] = np.full(_FILL, vals[j])
        vals[j] = buf
    n = dst.shape[0]
    for lo in range(0, n, _FILL):
        hi = min(lo + _FILL, n)
        fn(*[v[: hi - lo] if j in zero_d else v[lo:hi] for j, v in enumerate(vals)], out=dst[lo:hi])


def _op_error(e: Exception, op: Operation):
    from tfgraph.client.passes.lower import as_op_error  # (lower imports this module)

    return as_op_error(e, op)

"""`ExecutionPlan`: a pruned, ordered, slot-indexed program for one kind of `Session.run`.

A plan is built once per (fetches, targets, fed tensors) and cached by the session.
Building it runs the passes of `tfgraph.client.passes` (prune, schedule, control,
fold, slots, liveness, lower): it prunes the graph to what the fetches need, orders the
ops deterministically, computes once what is the same at every run (constants, static
shapes and pure ops on them, as TF's graph optimizer folds them), gives every live
value a slot in a flat list (a forwarding op shares its input's slot), binds every
kernel to its op's attrs and the session's resources, and records where each slot
dies. Running it is a loop of pre-bound closures over that list, one per op that
computes something (each frees the values that die with it): no graph walking, no
name lookups. Ops downstream of a Switch run as dead-checking steps; the rest of the
plan is unaffected by them.
"""

from __future__ import annotations

import gc
import time

import numpy as np

from tfgraph import errors
from tfgraph.client import passes
from tfgraph.client.passes import KernelContext
from tfgraph.client.passes.lower import as_op_error
from tfgraph.framework.ops import Operation, Tensor
from tfgraph.framework.resources import DEAD
from tfgraph.platform import denormal, heap, parallel

__all__ = ["ExecutionPlan", "KernelContext"]


class ExecutionPlan:
    """The compiled form of one `Session.run` signature."""

    __slots__ = (
        "feed_slots",
        "feed_tensors",
        "fetch_slots",
        "fetch_tensors",
        "fp_enter",
        "fp_exit",
        "has_dead",
        "mutation_count",
        "n_slots",
        "ops",
        "ref_fetches",
        "step_ops",
        "steps",
        "template",
    )

    def __init__(
        self,
        graph,
        fetch_tensors: list[Tensor],
        target_ops: list[Operation],
        feed_tensors: list[Tensor],
        ctx: KernelContext,
    ) -> None:
        # Building a plan allocates a burst of closures and tuples that all survive; the
        # cyclic GC would rescan the whole graph over and over meanwhile (it doubled the
        # time to initialize 5,000 variables), so it pauses, as `timeit` does.
        heap.keep_freed_memory()  # (once per process: big values reuse freed memory)
        gc_enabled = gc.isenabled()
        gc.disable()
        try:
            self._build(graph, fetch_tensors, target_ops, feed_tensors, ctx)
        finally:
            if gc_enabled:
                gc.enable()

    def _build(self, graph, fetch_tensors, target_ops, feed_tensors, ctx) -> None:
        self.mutation_count = graph._mutation_count
        self.fetch_tensors = fetch_tensors
        self.feed_tensors = feed_tensors
        fed = set(feed_tensors)
        keep = {t._op for t in fetch_tensors}
        keep.update(target_ops)

        ordered, region, frame_of = _prune_and_order(fetch_tensors, target_ops, fed, {}, keep, None)
        folded, anchors = passes.fold_constants(ordered, fed, ctx, exclude=region)
        if folded:  # prune again above the folded ops (their anchors stay)
            ordered, region, frame_of = _prune_and_order(
                fetch_tensors, target_ops, fed, anchors, keep, ordered
            )
        self.ops = ordered
        # (a fetch may be dead: a Switch's untaken output, or anything downstream of it)
        self.has_dead = bool(region) or any(op._op_def.control_flow for op in ordered)

        slots = passes.assign_slots(ordered, feed_tensors, fetch_tensors, fed, anchors, region)
        sums = [] if frame_of else passes.product_sums(ordered, slots, anchors, fed)
        dead_after = {} if frame_of else passes.frees(ordered, slots, anchors, sums)
        self.template, self.steps, self.step_ops = passes.lower(
            ordered, slots, dead_after, folded, anchors, fed, ctx, frame_of, sums
        )
        self.feed_slots = slots.feed_slots
        self.fetch_slots = slots.fetch_slots
        self.ref_fetches = slots.ref_fetches
        self.n_slots = slots.n_slots
        self.fp_enter, self.fp_exit = denormal.run_hooks({op.type for op in ordered})
        threads = getattr(ctx.config, "intra_op_parallelism_threads", 0) or 0
        if threads > 0:  # (the session's ConfigProto limits its kernels' threads)
            self.fp_enter, self.fp_exit = _limited(self.fp_enter, self.fp_exit, threads)

    def run(self, feed_values) -> list:
        """Runs the plan; `feed_values` are already converted, in `feed_tensors` order.
        Returns the raw values of `fetch_tensors`."""
        vals = self.template.copy()
        for s, value in zip(self.feed_slots, feed_values):
            vals[s] = value
        step = None
        fp = self.fp_enter()  # TF's FTZ/DAZ while the kernels run (platform/denormal.py)
        try:
            for step in self.steps:  # (no counter: the failing step is found by identity)
                step(vals)
        except Exception as e:
            vals.clear()  # (a failed run drops its values now: a held mutex lock, ...)
            i = next(k for k, s in enumerate(self.steps) if s is step)
            raise as_op_error(e, self.step_ops[i]) from e
        finally:
            self.fp_exit(fp)
        return self._outputs(vals)

    def run_traced(self, feed_values, records: list) -> list:
        """`run`, timing each step: appends (op, start ns, end ns) to `records` (for
        `RunMetadata.step_stats`; a loop's step times the whole loop)."""
        vals = self.template.copy()
        for s, value in zip(self.feed_slots, feed_values):
            vals[s] = value
        clock = time.perf_counter_ns
        offset = time.time_ns() - clock()
        i = 0
        fp = self.fp_enter()
        try:
            for i, step in enumerate(self.steps):
                start = clock()
                step(vals)
                end = clock() + offset
                fused = getattr(step, "fused_ops", None)  # (a fused chain: each of its ops)
                for op in fused or (self.step_ops[i],):
                    records.append((op, start + offset, end))
        except Exception as e:
            vals.clear()  # (a failed run drops its values now: a held mutex lock, ...)
            raise as_op_error(e, self.step_ops[i]) from e
        finally:
            self.fp_exit(fp)
        return self._outputs(vals)

    def _outputs(self, vals: list) -> list:
        out = [vals[s] for s in self.fetch_slots]
        for k in self.ref_fetches:
            ref = out[k]
            if ref is None:  # (a reference made inside a loop: no value once it ends)
                raise errors.InvalidArgumentError(
                    None, self.fetch_tensors[k].op, f"Retval[{k}] does not have value"
                )
            if ref is not DEAD:
                out[k] = ref.value
        if self.has_dead:
            for k, value in enumerate(out):
                if value is DEAD:
                    raise errors.InvalidArgumentError(
                        None, self.fetch_tensors[k].op, f"Retval[{k}] does not have value"
                    )
        return out


def _limited(fp_enter, fp_exit, threads: int):
    """Run hooks that also limit the run's kernels to `threads` threads
    (`parallel.limit_run`), restoring the limit they found on exit."""

    def enter():
        return fp_enter(), parallel.limit_run(threads)

    def exit_(token) -> None:
        fp, previous = token
        parallel.limit_run(previous)
        fp_exit(fp)

    return enter, exit_


def _prune_and_order(fetch_tensors, target_ops, fed: set, anchors: dict, keep: set, previous):
    """The needed ops in order, the ops that may see dead values (downstream of a
    Switch, and every op of a loop) and each loop op's frame (see passes). Pure ops
    nothing reads are dropped, except those in `keep`, the anchors of needed folded
    ops, and ops that may see dead values (their deadness orders what they guard).
    Pruning again (after folding) keeps the `previous` order of the ops that remain."""
    needed = passes.needed_ops(fetch_tensors, target_ops, fed, anchors)
    frame_of = passes.assign_frames(needed)
    if previous is None:
        ordered = passes.order(needed, frame_of)
    else:
        ordered = [op for op in previous if op in needed]
    region = passes.dead_region(ordered)
    if frame_of:
        in_region = set(region).union(frame_of)
        region = [op for op in ordered if op in in_region]
    if region or anchors:
        keep = keep.union(region)
        for op in needed:
            keep.update(anchors.get(op, ()))
    pruned = passes.drop_unused_pure_ops(needed, keep)
    if pruned is not needed:  # (the region is kept whole, so it stays as it is)
        ordered = [op for op in ordered if op in pruned]  # (still topological)
    return ordered, region, frame_of


def fetch_value(value):
    """A fetched value as TF returns it: numpy scalars for 0-d, a private copy for values
    the session keeps (variables, constants)."""
    cls = value.__class__
    if cls is np.ndarray:
        if value.ndim == 0:
            return value[()]
        if not value.flags.writeable:
            return value.copy()
        return value
    return value

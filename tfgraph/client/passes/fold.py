"""Constant folding, as TF's graph optimizer does it."""

from __future__ import annotations

from tfgraph.client.passes.lower import bind_kernel
from tfgraph.client.passes.prune import is_pure
from tfgraph.framework.ops import Operation, Tensor
from tfgraph.framework.resources import freeze
from tfgraph.platform import denormal

__all__ = ["FOLD_MAX_BYTES", "fold_constants"]

# The largest value folded (TF's limit).
FOLD_MAX_BYTES = 10 * 1024 * 1024


def fold_constants(ordered: list[Operation], fed: set, ctx, exclude=()):
    """The values of the outputs that are the same at every run, computed once here:
    constants (`constant` trait), static shapes (`static_value` trait) and the outputs
    of pure ops (`is_pure`, no reference inputs, no control inputs) whose inputs are
    all such values. A value over `FOLD_MAX_BYTES`, an op whose kernel fails (its error
    surfaces at run time) and the ops in `exclude` (those that may see dead values)
    are left to run. Folded values are frozen: runs share them.

    Returns ({tensor: value}, {folded op: anchors}); constants themselves are left out
    of both (plans pre-fill them anyway). As in TF, where a materialized shape keeps a
    control dependency on the shaped tensor's op, a folded value's anchors are the ops
    whose static shapes it used: they still run (reading an uninitialized variable
    still fails), though their values are not needed for it.
    Kernels run with TF's FTZ/DAZ, as at run time (platform/denormal.py)."""
    fp = denormal.enter()
    try:
        return _fold(ordered, fed, ctx, exclude)
    finally:
        denormal.exit(fp)


def _fold(ordered: list[Operation], fed: set, ctx, exclude):
    values: dict[Tensor, object] = {}
    anchors: dict[Operation, tuple[Operation, ...]] = {}
    constants: list[Operation] = []
    cache: dict = {}
    known = values.__contains__
    excluded = set(exclude)
    for op in ordered:
        # (cheap tests first: most ops of a big graph have an input that is not known)
        if op._control_inputs:
            continue  # (a constant with control inputs too: what it waits for must run)
        op_def = op._op_def
        inputs = op._inputs
        value = None  # (a static shape's)
        if op_def.static_value is not None:
            value = op_def.static_value(op)
            if value is None:
                continue
        elif not op_def.constant and not (inputs and all(map(known, inputs))):
            continue
        outputs = op._outputs
        if not outputs or (fed and any(t in fed for t in outputs)) or op in excluded:
            continue
        if op_def.constant:
            values[outputs[0]] = bind_kernel(op, ctx)()
            anchors[op] = ()
            constants.append(op)
            continue
        if not is_pure(op, cache) or any(t._dtype.is_ref_dtype for t in inputs):
            continue
        if value is not None:
            results = [value]
            shaped = inputs[0]._op
            anchored = anchors.get(shaped, (shaped,))
        else:
            try:
                result = bind_kernel(op, ctx)(*[values[t] for t in inputs])
            except Exception:  # the run will raise it, with its context
                continue
            results = [result] if op_def.single_output else list(result)
            anchored = tuple({a: None for t in inputs for a in anchors[t._op]})
        if len(results) != len(outputs) or any(
            getattr(v, "nbytes", 0) > FOLD_MAX_BYTES for v in results
        ):
            continue
        for t, v in zip(outputs, results):
            values[t] = freeze(v)
        anchors[op] = anchored
    for op in constants:
        del anchors[op]
        del values[op._outputs[0]]
    return values, anchors

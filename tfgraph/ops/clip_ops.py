"""Clipping by norm: `clip_by_norm`, `global_norm`, `clip_by_global_norm` (TF's graphs).

`clip_by_value` lives in math_ops. IndexedSlices are clipped on their values and stay
sparse, as in TF.
"""

from __future__ import annotations

import collections.abc

import numpy as np

from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops.apply import op_output

__all__ = ["clip_by_global_norm", "clip_by_norm", "global_norm"]


def clip_by_norm(t, clip_norm, axes=None, name: str | None = None):
    """`t * clip_norm / max(l2norm(t, axes), clip_norm)`: `t` rescaled so that its L2
    norm (over `axes`, default all) is at most `clip_norm`."""
    g = get_default_graph()
    with g.name_scope(name or "clip_by_norm") as scope:
        values = convert_to_tensor(t.values if isinstance(t, IndexedSlices) else t, name="t")
        if np.isscalar(clip_norm):
            if clip_norm < 0:  # type: ignore[operator]  # a number (isscalar admits str too)
                clip_norm = 0
        else:
            clip_norm = array_ops.cast(math_ops.maximum(clip_norm, 0), values.dtype._base)
        l2sum = math_ops.reduce_sum(values * values, axes, keepdims=True)
        pred = l2sum > 0
        l2sum_safe = array_ops.where(pred, l2sum, array_ops.ones_like(l2sum))
        l2norm = array_ops.where(pred, math_ops.sqrt(l2sum_safe), l2sum)
        intermediate = values * clip_norm
        values.shape.assert_is_compatible_with(intermediate.shape)
        values_clip = array_ops.identity(
            intermediate / math_ops.maximum(l2norm, clip_norm), name=scope
        )
        if isinstance(t, IndexedSlices):
            return IndexedSlices(values_clip, t.indices, t.dense_shape)
        return values_clip


def _check_sequence(t_list) -> list:
    if not isinstance(t_list, collections.abc.Sequence) or isinstance(t_list, str):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    return list(t_list)


def global_norm(t_list, name: str | None = None):
    """sqrt(sum of the squared L2 norms of all tensors in `t_list`); None entries are
    ignored."""
    t_list = _check_sequence(t_list)
    g = get_default_graph()
    with g.name_scope(name or "global_norm"):
        values = [
            convert_to_tensor(t.values if isinstance(t, IndexedSlices) else t, name=f"t_{i}")
            if t is not None
            else t
            for i, t in enumerate(t_list)
        ]
        half_squared_norms = []
        for v in values:
            if v is not None:
                with g.colocate_with(v._op):
                    half_squared_norms.append(op_output("L2Loss", None, [v]))
        half_squared_norm = math_ops.reduce_sum(array_ops.stack(half_squared_norms))
        return math_ops.sqrt(
            half_squared_norm * constant(2.0, dtype=half_squared_norm.dtype._base),
            name="global_norm",
        )


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name: str | None = None):
    """(list of tensors scaled by clip_norm / max(global_norm, clip_norm), the global
    norm). A non-finite global norm makes every result NaN, as in TF."""
    t_list = _check_sequence(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    g = get_default_graph()
    with g.name_scope(name or "clip_by_global_norm") as scope:
        scale_for_finite = clip_norm * math_ops.minimum(
            1.0 / use_norm, constant(1.0, dtype=use_norm.dtype._base) / clip_norm
        )
        scale = scale_for_finite + (use_norm - use_norm)
        values = [
            convert_to_tensor(t.values if isinstance(t, IndexedSlices) else t, name=f"t_{i}")
            if t is not None
            else t
            for i, t in enumerate(t_list)
        ]
        clipped: list = []  # a Tensor per value, None for a None
        for i, v in enumerate(values):
            if v is None:
                clipped.append(None)
                continue
            with g.colocate_with(v._op):
                clipped.append(
                    array_ops.identity(
                        v * array_ops.cast(scale, v.dtype._base), name=f"{scope}_{i}"
                    )
                )
        out = [
            IndexedSlices(c, t.indices, t.dense_shape) if isinstance(t, IndexedSlices) else c
            for c, t in zip(clipped, t_list)
        ]
    return out, use_norm

"""Batch slicing of LinearOperators (`operator[1:, 0]`), as TF's slicing.batch_slice:
each parameter is broadcast to the operator's batch rank, sliced in its batch
dimensions (a dimension it broadcasts along keeps its single entry), and the operator
is rebuilt from its parameters."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.ops import array_ops
from tfgraph.ops.common_shapes import constant_value

__all__ = ["batch_slice"]


def _prefer_static_where(condition, x, y):
    values = [constant_value(a) if hasattr(a, "op") else a for a in (condition, x, y)]
    if all(v is not None for v in values):
        return int(np.where(*values))
    return array_ops.where(condition, x, y)


def _map_up_to(fn, param, ndims):
    """nest.map_structure_up_to(param, fn, param, ndims) for lists of parameters."""
    if isinstance(ndims, (list, tuple)):
        return [_map_up_to(fn, p, n) for p, n in zip(param, ndims, strict=True)]
    return fn(param, ndims)


def _broadcast_parameter(param, ndims, batch_shape):
    from tfgraph.ops.manip_ops import broadcast_dynamic_shape

    if hasattr(param, "batch_shape_tensor"):
        overrides = {}
        for name, sub_ndims in param._experimental_parameter_ndims_to_matrix_ndims.items():
            sub = getattr(param, name)
            overrides[name] = _map_up_to(
                lambda p, n: _broadcast_parameter(p, n, batch_shape), sub, sub_ndims
            )
        return type(param)(**dict(param.parameters, **overrides))
    base = array_ops.concat([batch_shape, array_ops.ones([ndims], dtype=dtypes.int32)], axis=0)
    return array_ops.broadcast_to(param, broadcast_dynamic_shape(base, array_ops.shape(param)))


def _sanitize_slices(slices, intended_shape, deficient_shape):
    """Slices for a parameter: along a dimension it broadcasts, take its one entry."""
    out = []
    idx = 0
    for slc in slices:
        if slc is Ellipsis:
            if idx < 0:
                raise ValueError(f"Found multiple `...` in slices {slices}")
            rest = slices[slices.index(Ellipsis) + 1 :]
            idx = -sum(s is not array_ops.newaxis for s in rest)
        elif slc is not array_ops.newaxis:
            is_broadcast = intended_shape[idx] > deficient_shape[idx]
            if isinstance(slc, slice):
                start, stop, step = slc.start, slc.stop, slc.step
                if start is not None:
                    start = _prefer_static_where(is_broadcast, 0, start)
                if stop is not None:
                    stop = _prefer_static_where(is_broadcast, 1, stop)
                if step is not None:
                    step = _prefer_static_where(is_broadcast, 1, step)
                slc = slice(start, stop, step)
            else:
                slc = _prefer_static_where(is_broadcast, 0, slc)
            idx += 1
        out.append(slc)
    return out


def _slice_single_param(param, ndims, slices, batch_shape):
    param = _broadcast_parameter(param, ndims, array_ops.ones_like(batch_shape))
    if hasattr(param, "batch_shape_tensor"):
        param_batch_shape = param.batch_shape_tensor()
    else:
        param_batch_shape = array_ops.shape(param)
    rank = array_ops.size(param_batch_shape)
    param_batch_shape = param_batch_shape[: rank - ndims]
    if (
        constant_value(array_ops.size(batch_shape)) != 0
        and constant_value(array_ops.size(param_batch_shape)) == 0
    ):
        return param
    param_slices = _sanitize_slices(slices, batch_shape, param_batch_shape)
    if ndims > 0:
        if Ellipsis not in [s for s in slices if not hasattr(s, "op")]:
            param_slices.append(Ellipsis)
        param_slices += [slice(None)] * ndims
    return param.__getitem__(tuple(param_slices))


def batch_slice(linop, params_overrides, slices):
    """A new operator of the same type over the sliced batch of `linop`."""
    if not isinstance(slices, (tuple, list)):
        slices = (slices,)
    overrides = {}
    if not (len(slices) == 1 and slices[0] is Ellipsis):
        batch_shape = linop.batch_shape_tensor()
        for name, ndims in linop._experimental_parameter_ndims_to_matrix_ndims.items():
            param = getattr(linop, name)
            if param is not None:
                overrides[name] = _map_up_to(
                    lambda p, n: _slice_single_param(p, n, slices, batch_shape), param, ndims
                )
    overrides.update(params_overrides)
    return type(linop)(**dict(linop.parameters, **overrides))

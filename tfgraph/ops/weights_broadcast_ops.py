"""Weights broadcast to values, as losses and metrics use them: `assert_broadcastable`
(static checks when shapes are known, else an Assert built from set ops, as TF builds
it) and `broadcast_weights`."""

from __future__ import annotations

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops, check_ops, common_shapes, control_flow_ops, math_ops, set_ops

__all__ = ["assert_broadcastable", "broadcast_weights"]

_ERROR_PREFIX = "weights can not be broadcast to values."


def _has_valid_dims(weights_shape, values_shape):
    g = get_default_graph()
    with g.name_scope("has_invalid_dims") as scope:
        values_shape_2d = array_ops.expand_dims(values_shape, -1)
        valid_dims = array_ops.concat(
            (values_shape_2d, array_ops.ones_like(values_shape_2d)), axis=1
        )
        weights_shape_2d = array_ops.expand_dims(weights_shape, -1)
        _, invalid_values, _ = set_ops.dense_to_dense_set_operation(
            weights_shape_2d, valid_dims, "a-b"
        )
        num_invalid_dims = array_ops.size(invalid_values, name="num_invalid_dims")
        return math_ops.equal(0, num_invalid_dims, name=scope)


def _has_valid_nonscalar_shape(weights_rank, weights_shape, values_rank, values_shape):
    g = get_default_graph()
    with g.name_scope("has_valid_nonscalar_shape") as scope:
        is_same_rank = math_ops.equal(values_rank, weights_rank, name="is_same_rank")
        return control_flow_ops.cond(
            is_same_rank,
            lambda: _has_valid_dims(weights_shape, values_shape),
            lambda: is_same_rank,
            name=scope,
        )


def assert_broadcastable(weights, values):
    """An op checking that `weights` broadcast to `values` (scalar, or same rank with
    each dim 1 or equal): a NoOp when the shapes settle it statically (ValueError when
    they rule it out), else an Assert."""
    g = get_default_graph()
    with g.name_scope("assert_broadcastable") as scope:
        with g.name_scope("weights") as weights_scope:
            weights = convert_to_tensor(weights, name=weights_scope)
            weights_shape = array_ops.shape(weights, name="shape")
            weights_rank = array_ops.rank(weights, name="rank")
        weights_rank_static = common_shapes.constant_value(weights_rank)
        with g.name_scope("values") as values_scope:
            values = convert_to_tensor(values, name=values_scope)
            values_shape = array_ops.shape(values, name="shape")
            values_rank = array_ops.rank(values, name="rank")
        values_rank_static = common_shapes.constant_value(values_rank)
        if weights_rank_static is not None and values_rank_static is not None:
            if weights_rank_static == 0:
                return control_flow_ops.no_op(name="static_scalar_check_success")
            if weights_rank_static != values_rank_static:
                raise ValueError(
                    f"{_ERROR_PREFIX} values.rank={values_rank_static}. "
                    f"weights.rank={weights_rank_static}. values.shape={values.shape}. "
                    f"weights.shape={weights.shape}. Received weights={weights}, "
                    f"values={values}"
                )
            weights_shape_static = common_shapes.constant_value(weights_shape)
            values_shape_static = common_shapes.constant_value(values_shape)
            if weights_shape_static is not None and values_shape_static is not None:
                for i in range(len(values_shape_static)):
                    if weights_shape_static[i] not in (1, values_shape_static[i]):
                        raise ValueError(
                            f"{_ERROR_PREFIX} Mismatch at dim {i}. "
                            f"values.shape={values_shape_static}, "
                            f"weights.shape={weights_shape_static}. Received weights={weights}, "
                            f"values={values}"
                        )
                return control_flow_ops.no_op(name="static_dims_check_success")
        is_scalar = math_ops.equal(0, weights_rank, name="is_scalar")
        data = (
            _ERROR_PREFIX,
            "weights.shape=",
            weights.name,
            weights_shape,
            "values.shape=",
            values.name,
            values_shape,
            "is_scalar=",
            is_scalar,
        )
        is_valid_shape = control_flow_ops.cond(
            is_scalar,
            lambda: is_scalar,
            lambda: _has_valid_nonscalar_shape(
                weights_rank, weights_shape, values_rank, values_shape
            ),
            name="is_valid_shape",
        )
        return check_ops.Assert(is_valid_shape, data, name=scope)


def broadcast_weights(weights, values):
    """`weights` broadcast to the shape of `values` (checked by assert_broadcastable)."""
    g = get_default_graph()
    with g.name_scope("broadcast_weights") as scope:
        values = convert_to_tensor(values, name="values")
        weights = convert_to_tensor(weights, dtype=values.dtype.base_dtype, name="weights")
        weights_shape = weights.get_shape()
        values_shape = values.get_shape()
        if (
            weights_shape.is_fully_defined()
            and values_shape.is_fully_defined()
            and weights_shape.is_compatible_with(values_shape)
        ):
            return weights
        with g.control_dependencies((assert_broadcastable(weights, values),)):
            return math_ops.multiply(weights, array_ops.ones_like(values), name=scope)

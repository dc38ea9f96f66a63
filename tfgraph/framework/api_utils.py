"""Python-level TF1 APIs that build no op of their own: version constants, tf.is_tensor,
tf.get_static_value, tf.broadcast_static_shape, tf.container, tf.op_scope,
QUANTIZED_DTYPES."""

from __future__ import annotations

import contextlib

from tfgraph.framework import dtypes
from tfgraph.framework.graph import (
    GRAPH_DEF_VERSION,
    GRAPH_DEF_VERSION_MIN_CONSUMER,
    get_default_graph,
    name_scope,
)
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape, as_shape

__all__ = [
    "GIT_VERSION",
    "GRAPH_DEF_VERSION",
    "GRAPH_DEF_VERSION_MIN_CONSUMER",
    "GRAPH_DEF_VERSION_MIN_PRODUCER",
    "QUANTIZED_DTYPES",
    "VERSION",
    "broadcast_static_shape",
    "container",
    "convert_to_tensor_or_indexed_slices",
    "get_static_value",
    "is_numeric_tensor",
    "is_symbolic_tensor",
    "is_tensor",
    "op_scope",
]

# The TensorFlow release whose behaviour tfgraph follows (tf.VERSION); tfgraph's own
# version is tfgraph.__version__. No TensorFlow build, so no git description.
VERSION = "2.21.0"
GIT_VERSION = "unknown"
GRAPH_DEF_VERSION_MIN_PRODUCER = 0

QUANTIZED_DTYPES = frozenset(
    d
    for base in (dtypes.qint8, dtypes.quint8, dtypes.qint16, dtypes.quint16, dtypes.qint32)
    for d in (base, base._as_ref)
)


def is_tensor(x) -> bool:
    """Whether `x` is a graph tensor or tensor-like TF object (Tensor, Variable,
    IndexedSlices), not a Python or numpy value."""
    return isinstance(x, (Tensor, IndexedSlices)) or getattr(type(x), "_is_tensor_like", False)


def get_static_value(tensor, partial: bool = False):
    """The value of `tensor` if it is known when the graph is built, else None."""
    from tfgraph.ops.common_shapes import constant_value

    if not isinstance(tensor, Tensor):
        return tensor
    return constant_value(tensor, partial=partial)


def broadcast_static_shape(shape_x, shape_y) -> TensorShape:
    """The broadcast of two static shapes; ValueError as TF when they do not broadcast."""
    x, y = as_shape(shape_x), as_shape(shape_y)
    if x.ndims is None or y.ndims is None:
        return TensorShape(None)
    a, b = list(x.as_list()), list(y.as_list())
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + a
    b = [1] * (n - len(b)) + b
    out: list = []
    for p, q in zip(a, b):
        if p == 1:
            out.append(q)
        elif q == 1 or p == q:
            out.append(p)
        elif p is None or q is None:
            out.append(p if q is None else q)
        else:
            raise ValueError(
                "Incompatible shapes for broadcasting. Two shapes are compatible if for each "
                "dimension pair they are either equal or one of them is 1. Received: "
                f"{_tuple(x)} and {_tuple(y)}."
            )
    return TensorShape(out)


def _tuple(shape: TensorShape) -> str:
    return str(tuple(shape.as_list()))


@contextlib.contextmanager
def container(container_name: str):
    """Variables and other stateful ops created inside go into `container_name`."""
    with get_default_graph().container(container_name) as name:
        yield name


def op_scope(values, name, default_name=None):
    """Deprecated TF1 alias: `name_scope(name, default_name, values)`."""
    return name_scope(name, default_name, values)


def is_numeric_tensor(tensor) -> bool:
    """Whether `tensor` is a Tensor of a numeric (integer, float or complex) dtype."""
    if not isinstance(tensor, Tensor):
        return False
    dtype = tensor.dtype._base
    return bool(
        (dtype.is_integer or dtype.is_floating or dtype.is_complex or dtype.is_quantized)
        and dtype != dtypes.bool
    )


def is_symbolic_tensor(tensor) -> bool:
    """Whether `tensor` is a graph tensor (every tfgraph Tensor is)."""
    return isinstance(tensor, Tensor)


def convert_to_tensor_or_indexed_slices(value, dtype=None, name=None):
    """`value` itself if it is IndexedSlices, else `convert_to_tensor(value)`."""
    from tfgraph.framework.convert import convert_to_tensor

    if isinstance(value, IndexedSlices):
        if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(value.dtype):
            raise ValueError(
                f"Incompatible tensor conversion requested to `dtype` {dtypes.as_dtype(dtype).name}"
                f" for IndexedSlices ({value}) with dtype {value.dtype.name}"
            )
        return value
    return convert_to_tensor(value, dtype=dtype, name=name)

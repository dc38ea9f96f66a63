"""An iterator's position as a value: `SerializeIterator` / `DeserializeIterator` (TF's
op types), what `tf.data.experimental.make_saveable_from_iterator` saves in a checkpoint.

The state is a variant vector of `VariantTensorDataProto`s, stored in checkpoint bundles
the way TF stores variant tensors. Its content is tfgraph's own (TF's is the internal
state of each of its C++ dataset kernels): one element, type name
`tfgraph::IteratorState`, holding the number of elements the iterator has given since it
was initialized; restoring re-iterates the iterator's dataset up to that point."""

from __future__ import annotations

import numpy as np

from tfgraph import errors, proto
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape

__all__: list[str] = []

_TYPE_NAME = "tfgraph::IteratorState"
_KEY = b"Iterator::produced"


def _not_initialized(op):
    return errors.FailedPreconditionError(
        None,
        op,
        "Iterator has not been initialized: run its initializer (or get an element from a "
        "one-shot iterator) before saving or restoring its state.",
    )


def _serialize(op, ctx):
    def kernel(iterator):
        with iterator.lock:
            if iterator.dataset is None:
                raise _not_initialized(op)
            produced = iterator.produced
        data = proto.VariantTensorDataProto(type_name=_TYPE_NAME, metadata=_KEY)
        count = data.tensors.add()
        count.dtype = 9  # DT_INT64
        count.int64_val.append(produced)
        out = np.empty(1, dtype=object)
        out[0] = data
        return out

    return kernel


def _produced(op, serialized) -> int:
    items = np.asarray(serialized, dtype=object).reshape(-1)
    if items.size != 1:
        raise errors.InvalidArgumentError(None, op, _foreign())
    item = items[0]
    if isinstance(item, bytes):
        item = proto.VariantTensorDataProto.FromString(item)
    if (
        getattr(item, "type_name", None) != _TYPE_NAME
        or item.metadata != _KEY
        or len(item.tensors) != 1
        or len(item.tensors[0].int64_val) != 1
    ):
        raise errors.InvalidArgumentError(None, op, _foreign())
    return int(item.tensors[0].int64_val[0])


def _foreign() -> str:
    return (
        "The iterator state is not one tfgraph saved (TF's iterator checkpoints hold the "
        "state of TF's C++ dataset kernels): restore a checkpoint tfgraph wrote."
    )


def _deserialize(op, ctx):
    def kernel(iterator, serialized):
        produced = _produced(op, serialized)
        if iterator.dataset is None:
            raise _not_initialized(op)
        iterator.seek(produced)

    return kernel


register_op(
    "SerializeIterator",
    inputs=["resource_handle: resource"],
    outputs=["serialized: variant"],
    attrs=["external_state_policy: int = 0"],
    shape=lambda op: [TensorShape([None])],
    make_kernel=_serialize,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "DeserializeIterator",
    inputs=["resource_handle: resource", "serialized: variant"],
    make_kernel=_deserialize,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)

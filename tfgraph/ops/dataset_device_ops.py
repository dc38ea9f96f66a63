"""The ops `tf.data.experimental.copy_to_device` builds around its GeneratorDataset.

`WrapDatasetVariant` boxes a dataset so a function can take it as an argument and
`UnwrapDatasetVariant` takes it out again (here both pass the `DatasetValue` on: a
dataset value is already shareable). `AnonymousIterator` makes a fresh iterator resource
each time it runs, owned by nobody but its handle: copy_to_device's init function makes
one, starts it with `MakeIterator` and returns its string handle, which the next and
finalize functions turn back into the iterator (`IteratorFromStringHandleV2`).
"""

from __future__ import annotations

import itertools

from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.dataset_ops import IteratorResource

__all__: list[str] = []


def _scalar_shape(op):
    return [TensorShape([])]


for _name in ("WrapDatasetVariant", "UnwrapDatasetVariant"):
    register_op(
        _name,
        inputs=["input_handle: variant"],
        outputs=["output_handle: variant"],
        shape=_scalar_shape,
        kernel=lambda handle: handle,
        grad=NOT_DIFFERENTIABLE,
    )


_anonymous = itertools.count()


def _anonymous_iterator_kernel(op, ctx):
    types = op._attrs["output_types"]

    def kernel():
        return IteratorResource(f"{op._name}_{next(_anonymous)}", types)

    return kernel


register_op(
    "AnonymousIterator",
    outputs=["handle: resource"],
    attrs=["output_types: list(type) >= 1", "output_shapes: list(shape) >= 1"],
    shape=_scalar_shape,
    make_kernel=_anonymous_iterator_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)

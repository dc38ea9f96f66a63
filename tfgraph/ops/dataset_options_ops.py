"""OptionsDataset: the op `Dataset.with_options` adds (tfgraph/data/options.py). Its
`serialized_options` attr carries TF's `tensorflow.data.Options` proto; the dataset's
elements pass through unchanged (tfgraph runs pipelines as written)."""

from __future__ import annotations

from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.ops.dataset_ops import _META, _SHAPES, _TYPES, _variant_shape


def _options_dataset_kernel(op, ctx):
    def kernel(dataset):
        return dataset

    return kernel


register_op(
    "OptionsDataset",
    inputs=["input_dataset: variant"],
    outputs=["handle: variant"],
    attrs=["serialized_options: string", _TYPES, _SHAPES, _META],
    shape=_variant_shape,
    make_kernel=_options_dataset_kernel,
    grad=NOT_DIFFERENTIABLE,
)

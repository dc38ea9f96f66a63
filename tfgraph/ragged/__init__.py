"""`tf.ragged` (TF 2.21 compat.v1): RaggedTensor factories, ops and the
RaggedTensorValue class. Importing it also installs RaggedTensor's operators and the
dispatch of tf.math / tf.concat / tf.gather ... for ragged arguments (see
ragged_dispatch.py)."""

from tfgraph.ops import ragged_ops as _ragged_ops  # (registers the op types)
from tfgraph.ragged import ragged_install as _install
from tfgraph.ragged.ragged_array_ops import boolean_mask, stack, stack_dynamic_partitions
from tfgraph.ragged.ragged_factory_ops import constant, constant_value, placeholder
from tfgraph.ragged.ragged_functional_ops import map_flat_values
from tfgraph.ragged.ragged_math_ops import range
from tfgraph.ragged.ragged_tensor_value import RaggedTensorValue
from tfgraph.ragged.ragged_unicode_ops import cross, cross_hashed
from tfgraph.ragged.segment_id_ops import row_splits_to_segment_ids, segment_ids_to_row_splits

_install.install_methods()

__all__ = [
    "RaggedTensorValue",
    "boolean_mask",
    "constant",
    "constant_value",
    "cross",
    "cross_hashed",
    "map_flat_values",
    "placeholder",
    "range",
    "row_splits_to_segment_ids",
    "segment_ids_to_row_splits",
    "stack",
    "stack_dynamic_partitions",
]

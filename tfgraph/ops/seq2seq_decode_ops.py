"""GatherTree, the op behind TF 1.15's `tf.contrib.seq2seq.gather_tree`: beam search's
per-step ids and parent pointers ([max_time, batch, beam]) traced back from each final
beam into whole sequences. Entries past a batch entry's `max_sequence_lengths` (and
every step after a beam's first `end_token`) are `end_token`. TF registers no gradient.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import shape_error

__all__ = ["gather_tree"]


def _gather_tree_shape(op):
    step, parent, lengths, end = (t._shape for t in op._inputs)
    for what, shape, rank in (
        ("step_ids", step, 3),
        ("parent_ids", parent, 3),
        ("max_sequence_lengths", lengths, 1),
        ("end_token", end, 0),
    ):
        if shape.ndims is not None and shape.ndims != rank:
            raise shape_error(op, f"Shape must be rank {rank} but is rank {shape.ndims} ({what})")
    if not step.is_compatible_with(parent):
        raise shape_error(op, "Dimensions must be equal (step_ids, parent_ids)")
    merged = step.merge_with(parent)
    if merged.ndims is not None and lengths.ndims is not None:
        if not merged[1:2].is_compatible_with(lengths):
            raise shape_error(op, "Dimensions must be equal (batch, max_sequence_lengths)")
        merged = TensorShape([merged[0], merged[1].merge_with(lengths[0]), merged[2]])
    return [merged]


def _gather_tree_kernel(op, ctx):
    def kernel(step_ids, parent_ids, max_sequence_lengths, end_token):
        if step_ids.ndim != 3:
            raise errors.InvalidArgumentError(
                None, op, f"step_ids must be a 3-tensor, saw shape: {list(step_ids.shape)}"
            )
        if max_sequence_lengths.ndim != 1:
            raise errors.InvalidArgumentError(
                None,
                op,
                "max_sequence_lengths must be a vector, saw shape: "
                f"{list(max_sequence_lengths.shape)}",
            )
        if np.ndim(end_token) != 0:
            raise errors.InvalidArgumentError(
                None, op, f"end_token must be a scalar, saw shape: {list(np.shape(end_token))}"
            )
        max_time, batch_size, beam_width = step_ids.shape
        if parent_ids.shape != step_ids.shape or max_sequence_lengths.shape[0] != batch_size:
            raise errors.InvalidArgumentError(
                None,
                op,
                "Inconsistent shapes: step_ids.shape: "
                f"{list(step_ids.shape)} parent_ids.shape: {list(parent_ids.shape)} "
                f"max_sequence_lengths.shape: {list(max_sequence_lengths.shape)}",
            )
        end = end_token.item()
        beams = np.full(step_ids.shape, end, dtype=step_ids.dtype)
        for b in range(batch_size):
            length = min(max_time, int(max_sequence_lengths[b]))
            if length <= 0:
                continue
            for k in range(beam_width):
                beams[length - 1, b, k] = step_ids[length - 1, b, k]
                parent = int(parent_ids[length - 1, b, k])
                for level in range(length - 2, -1, -1):
                    if parent < 0 or parent >= beam_width:
                        raise errors.InvalidArgumentError(
                            None,
                            op,
                            f"Saw invalid parent id {parent} at (batch, time, beam) == "
                            f"({b}, {level}, {k})",
                        )
                    beams[level, b, k] = step_ids[level, b, parent]
                    parent = int(parent_ids[level, b, parent])
                column = beams[:length, b, k]
                hits = np.flatnonzero(column == end)
                if hits.size:
                    column[hits[0] + 1 :] = end
        return beams

    return kernel


register_op(
    "GatherTree",
    inputs=[
        "step_ids: T",
        "parent_ids: T",
        "max_sequence_lengths: int32",
        "end_token: T",
    ],
    outputs=["beams: T"],
    attrs=["T: {int32}"],
    shape=_gather_tree_shape,
    make_kernel=_gather_tree_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def gather_tree(step_ids, parent_ids, max_sequence_lengths, end_token, name=None):
    """The full beams ([max_time, batch, beam]) traced back through `parent_ids`."""
    step_ids = convert_to_tensor(step_ids, dtype=dtypes.int32, name="step_ids")
    parent_ids = convert_to_tensor(parent_ids, dtype=dtypes.int32, name="parent_ids")
    max_sequence_lengths = convert_to_tensor(
        max_sequence_lengths, dtype=dtypes.int32, name="max_sequence_lengths"
    )
    end_token = convert_to_tensor(end_token, dtype=dtypes.int32, name="end_token")
    return op_output("GatherTree", name, [step_ids, parent_ids, max_sequence_lengths, end_token])

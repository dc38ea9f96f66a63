"""TF 1.15's `tf.contrib.training.bucket` and `bucket_by_sequence_length`: queue-based
bucketing of single examples.

Each bucket has its own queue (`bucket_queue_<i>`, a PaddingFIFOQueue with
`dynamic_pad`); a queue runner per bucket moves full batches (`read_bucket_<i>`) into a
PaddingFIFOQueue `top_queue` of `(bucket index, batch...)`, and the returned tensors
dequeue from it (`dequeue_top`). Sparse tensors are not supported (as tfgraph's
`tf.train.batch`).
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import name_scope
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, control_flow_ops, data_flow_ops, math_ops
from tfgraph.ops.common_shapes import constant_value
from tfgraph.ops.summary_ops import scalar as _summary_scalar
from tfgraph.training import input as input_py
from tfgraph.training.queue_runner import QueueRunner, add_queue_runner

__all__ = ["bucket", "bucket_by_sequence_length"]


def _smart_cond(pred, if_true, if_false):
    static = constant_value(pred)
    if static is not None:
        return if_true() if bool(static) else if_false()
    return control_flow_ops.cond(pred, if_true, if_false)


def bucket(
    tensors, which_bucket, batch_size, num_buckets, num_threads=1, capacity=32,
    bucket_capacities=None, shapes=None, dynamic_pad=False, allow_smaller_final_batch=False,
    keep_input=True, shared_name=None, name=None,
):  # fmt: skip
    """Puts each example `tensors` (a list or dict) in bucket `which_bucket`; a bucket
    holding `batch_size` examples becomes a batch of the returned tensors.

    Returns:
      `(bucket index, batched tensors)`, the batch as a list or dict like `tensors`.

    Raises:
      ValueError: if `batch_size` or `bucket_capacities` is a list whose length is not
        `num_buckets`, or shapes cannot be inferred.
    """
    per_bucket = isinstance(batch_size, (list, tuple))
    if per_bucket:
        if len(batch_size) != num_buckets:
            raise ValueError("If batch_size is a list it must have num_buckets elements")
        batch_size = list(batch_size)
    else:
        batch_size = [batch_size] * num_buckets
    if bucket_capacities is None:
        bucket_capacities = [capacity] * num_buckets
    if len(bucket_capacities) != num_buckets:
        raise ValueError(
            f"The list bucket_capacities ({bucket_capacities!s}) must have exactly "
            f"num_buckets ({num_buckets}) elements."
        )
    tensor_list = input_py._as_tensor_list(tensors)
    with name_scope(name, "bucket", tensor_list):
        tensor_list = input_py._validate(tensor_list, "bucket()")
        keep_input = input_py._keep_input(keep_input, enqueue_many=False)
        static_batch_size = None
        for i, size in enumerate(batch_size):
            size = convert_to_tensor(size, dtype=dtypes.int32, name="batch_size")
            static_batch_size = constant_value(size)
            batch_size[i] = int(static_batch_size) if static_batch_size is not None else size
        types = input_py._dtypes([tensor_list])
        shapes = input_py._shapes([tensor_list], shapes, enqueue_many=False)
        which_bucket = convert_to_tensor(which_bucket, dtype=dtypes.int32, name="which_bucket")
        queue_cls = data_flow_ops.PaddingFIFOQueue if dynamic_pad else data_flow_ops.FIFOQueue
        bucket_queues = [
            queue_cls(
                capacity=bucket_capacities[i],
                dtypes=types,
                shapes=shapes,
                shared_name=None if shared_name is None else f"{shared_name}_{i}",
                name=f"bucket_queue_{i}",
            )
            for i in range(num_buckets)
        ]
        lead = None if (allow_smaller_final_batch or per_bucket) else static_batch_size
        lead = None if lead is None else int(lead)
        bucket_shapes = [TensorShape([lead]).concatenate(s) for s in bucket_queues[0].shapes]
        top_queue = data_flow_ops.PaddingFIFOQueue(
            capacity=capacity,
            dtypes=[dtypes.int32, *types],
            shapes=[TensorShape([]), *bucket_shapes],
            shared_name=shared_name,
            name="top_queue",
        )

        def enqueue_which():
            def enqueue_single(i):
                return bucket_queues[i].enqueue(tensor_list)

            enqueues = [
                control_flow_ops.cond(
                    math_ops.equal(which_bucket, i),
                    functools.partial(enqueue_single, i),
                    control_flow_ops.no_op,
                )
                for i in range(num_buckets)
            ]
            return control_flow_ops.group(*enqueues, name="group_enqueues")

        maybe_enqueue = _smart_cond(keep_input, enqueue_which, control_flow_ops.no_op)
        enqueues_to_top = []
        for i, (q, size) in enumerate(zip(bucket_queues, batch_size)):
            read = q.dequeue_up_to if allow_smaller_final_batch else q.dequeue_many
            batch = read(size, name=f"read_bucket_{i}")
            batch = batch if isinstance(batch, (list, tuple)) else [batch]
            enqueues_to_top.append(
                top_queue.enqueue([constant(i), *batch], name=f"enqueue_from_bucket_{i}")
            )
        closed = (errors.OutOfRangeError, errors.CancelledError)
        for i, q in enumerate(bucket_queues):
            add_queue_runner(
                QueueRunner(q, [enqueues_to_top[i]], queue_closed_exception_types=closed)
            )
        add_queue_runner(
            QueueRunner(
                top_queue, [maybe_enqueue] * num_threads, queue_closed_exception_types=closed
            )
        )
        for q in bucket_queues:
            _summary_scalar(
                f"bucket/{q.name}/size", array_ops.cast(top_queue.size(), dtypes.float32)
            )
        _summary_scalar(
            f"bucket/{top_queue.name}/fraction_of_{capacity}_full",
            array_ops.cast(top_queue.size(), dtypes.float32) * (1.0 / capacity),
        )
        dequeued = top_queue.dequeue(name="dequeue_top")
        return dequeued[0], input_py._as_original_type(tensors, list(dequeued[1:]))


def bucket_by_sequence_length(
    input_length, tensors, batch_size, bucket_boundaries, num_threads=1, capacity=32,
    bucket_capacities=None, shapes=None, dynamic_pad=False, allow_smaller_final_batch=False,
    keep_input=True, shared_name=None, name=None,
):  # fmt: skip
    """`bucket` by `input_length`: bucket 0 holds lengths below `bucket_boundaries[0]`,
    bucket i lengths in [b[i-1], b[i]), the last lengths >= b[-1].

    Returns:
      `(batched lengths, batched tensors)`.

    Raises:
      TypeError: if `bucket_boundaries` is not a list/tuple of Python ints.
      ValueError: if it is empty or not strictly increasing.
    """
    tensor_list = input_py._as_tensor_list(tensors)
    if not isinstance(bucket_boundaries, (list, tuple)):
        raise TypeError(
            f"bucket_boundaries must be a list or tuple, but received: {bucket_boundaries}"
        )
    if not bucket_boundaries:
        raise ValueError("bucket_boundaries must not be empty")
    for s, e in itertools.pairwise(bucket_boundaries):
        if not isinstance(s, int) or not isinstance(e, int):
            raise TypeError(f"bucket boundaries must be integers, but saw: {s} and {e}")
        if s >= e:
            raise ValueError(
                f"Buckets must contain sequential increasing lengths, but saw: {s} before {e}"
            )
    with name_scope(name, "bucket_by_sequence_length", [input_length, *tensor_list]):
        input_length = convert_to_tensor(input_length, dtype=dtypes.int32, name="input_length")
        buckets_min = [np.iinfo(np.int32).min, *bucket_boundaries]
        buckets_max = [*bucket_boundaries, np.iinfo(np.int32).max]
        conditions = math_ops.logical_and(
            math_ops.less_equal(buckets_min, input_length), math_ops.less(input_length, buckets_max)
        )
        which_bucket = math_ops.reduce_min(array_ops.where(conditions))
        which_bucket = array_ops.cast(which_bucket, dtypes.int32)
        if shapes is not None:
            shapes = [TensorShape([]), *shapes]
        _, dequeued = bucket(
            tensors=[input_length, *tensor_list],
            which_bucket=which_bucket,
            batch_size=batch_size,
            num_buckets=len(bucket_boundaries) + 1,
            num_threads=num_threads,
            capacity=capacity,
            bucket_capacities=bucket_capacities,
            shapes=shapes,
            dynamic_pad=dynamic_pad,
            allow_smaller_final_batch=allow_smaller_final_batch,
            keep_input=keep_input,
            shared_name=shared_name,
        )
        return dequeued[0], input_py._as_original_type(tensors, dequeued[1:])

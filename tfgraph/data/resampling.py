"""`Dataset.rejection_resample` / `tf.data.experimental.rejection_resample`: elements
re-sampled so their classes follow a target distribution, built from the same dataset
ops as TF's (map, zip, filter with a seeded uniform draw, scan, sample_from_datasets)."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor

__all__ = ["rejection_resample", "rejection_resample_dataset"]


def rejection_resample(class_func, target_dist, initial_dist=None, seed=None):
    """The transformation `dataset.rejection_resample(class_func, target_dist,
    initial_dist, seed)`: (class, element) pairs whose classes follow `target_dist`."""

    def _apply(dataset):
        return rejection_resample_dataset(dataset, class_func, target_dist, initial_dist, seed)

    return _apply


def _ops():
    from tfgraph.ops import array_ops, math_ops

    return array_ops, math_ops


def _acceptance_probs_with_mixing(initial_probs, target_probs):
    """(per-class acceptance probabilities, probability of drawing from the original
    dataset): a_i = (r_i - min r) / (max r - min r), r = target / initial."""
    _, math_ops = _ops()
    tiny = np.finfo(initial_probs.dtype.as_numpy_dtype).tiny
    ratio = target_probs / (initial_probs + tiny)
    max_ratio = math_ops.reduce_max(ratio)
    min_ratio = math_ops.reduce_min(ratio)
    return (ratio - min_ratio) / (max_ratio - min_ratio), min_ratio


def _estimate_initial_dist_ds(target_dist_t, class_values_ds, batch=32, smoothing=10):
    """The running class distribution of `class_values_ds` (counts start at
    `smoothing`), one estimate per element, updated every `batch` elements."""
    array_ops, math_ops = _ops()
    num_classes = target_dist_t.shape[0] or array_ops.shape(target_dist_t)[0]
    initial_seen = array_ops.fill([num_classes], np.int64(smoothing))

    def update_estimate_and_tile(seen, c):
        n = seen.get_shape()[0]
        seen = math_ops.add(
            seen, math_ops.reduce_sum(array_ops.one_hot(c, n, dtype=dtypes.int64), 0)
        )
        dist = array_ops.cast(math_ops.truediv(seen, math_ops.reduce_sum(seen)), dtypes.float32)
        return seen, array_ops.tile(array_ops.expand_dims(dist, 0), [batch, 1])

    return class_values_ds.batch(batch).scan(initial_seen, update_estimate_and_tile).unbatch()


def _filter_ds(dataset, acceptance_dist_ds, initial_dist_ds, class_func, seed):
    from tfgraph.ops import check_ops, control_flow_ops, random_ops

    array_ops, math_ops = _ops()
    lib = _lib()

    def maybe_warn_on_large_rejection(accept_dist, initial_dist):
        rejected = math_ops.reduce_sum((1 - accept_dist) * initial_dist)
        return control_flow_ops.cond(
            math_ops.less(rejected, 0.5),
            lambda: accept_dist,
            lambda: check_ops.Print(
                accept_dist,
                [rejected, initial_dist, accept_dist],
                message="Proportion of examples rejected by sampler is high: ",
                summarize=100,
                first_n=10,
            ),
        )

    acceptance_dist_ds = lib.Dataset.zip((acceptance_dist_ds, initial_dist_ds)).map(
        maybe_warn_on_large_rejection
    )

    def gather_and_copy(acceptance_prob, data):
        class_val = class_func(*data) if isinstance(data, tuple) else class_func(data)
        return class_val, array_ops.gather(acceptance_prob, class_val), data

    def reject(unused_class_val, p, unused_data):
        return random_ops.random_uniform([], seed=seed, dtype=p.dtype) < p

    pairs = lib.Dataset.zip((acceptance_dist_ds, dataset)).map(gather_and_copy)
    return pairs.filter(reject).map(lambda class_value, _, data: (class_value, data))


def _lib():
    from tfgraph.data import dataset_ops

    return dataset_ops


def rejection_resample_dataset(dataset, class_func, target_dist, initial_dist=None, seed=None):
    """See `rejection_resample`."""
    from tfgraph.ops.common_shapes import constant_value

    array_ops, _ = _ops()
    lib = _lib()
    target_dist_t = array_ops.cast(
        convert_to_tensor(target_dist, name="target_dist"), dtypes.float32
    )
    if initial_dist is not None:
        initial_dist_t = array_ops.cast(
            convert_to_tensor(initial_dist, name="initial_dist"), dtypes.float32
        )
        acceptance, prob_of_original = _acceptance_probs_with_mixing(initial_dist_t, target_dist_t)
        initial_dist_ds = lib.Dataset.from_tensors(initial_dist_t).repeat()
        acceptance_dist_ds = lib.Dataset.from_tensors(acceptance).repeat()
        prob_of_original_ds = lib.Dataset.from_tensors(prob_of_original).repeat()
    else:
        initial_dist_ds = _estimate_initial_dist_ds(target_dist_t, dataset.map(class_func))
        both = initial_dist_ds.map(lambda p: _acceptance_probs_with_mixing(p, target_dist_t))
        acceptance_dist_ds = both.map(lambda accept, _: accept)
        prob_of_original_ds = both.map(lambda _, original: original)
    filtered_ds = _filter_ds(dataset, acceptance_dist_ds, initial_dist_ds, class_func, seed)
    filtered_ds = filtered_ds.prefetch(3)
    prob_original_static = None
    if initial_dist is not None:
        init_static = constant_value(initial_dist_t)
        target_static = constant_value(target_dist_t)
        if init_static is not None and target_static is not None:
            prob_original_static = np.min(target_static / init_static)

    def add_class_value(*x):
        return (class_func(*x), x[0]) if len(x) == 1 else (class_func(*x), x)

    if prob_original_static == 1:
        return dataset.map(add_class_value)
    if prob_original_static == 0:
        return filtered_ds
    return lib.Dataset.sample_from_datasets(
        [dataset.map(add_class_value), filtered_ds],
        weights=prob_of_original_ds.map(lambda prob: [(prob, 1.0 - prob)]),
        seed=seed,
        stop_on_empty_dataset=True,
    )

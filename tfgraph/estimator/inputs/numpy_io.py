"""`tf.estimator.inputs.numpy_input_fn` (TF 1.15): an input_fn reading numpy arrays
through a feeding queue, `batch_size` rows at a time, for `num_epochs` epochs."""

from __future__ import annotations

import collections

import numpy as np

from tfgraph.estimator.inputs import _feeding

__all__ = ["numpy_input_fn"]

_TARGET_KEY = "__target_key__"


def _unique_target_key(features) -> str:
    key = _TARGET_KEY
    while key in features:
        key += "_n"
    return key


def _validate_and_convert_features(x):
    if isinstance(x, dict):
        if not x:
            raise ValueError("x cannot be an empty dict")
        return collections.OrderedDict(sorted(x.items(), key=lambda t: t[0]))
    if isinstance(x, np.ndarray):
        if x.size == 0:
            raise ValueError("x cannot be an empty array")
        return collections.OrderedDict({"__direct_np_input__": x})
    raise TypeError(f"x must be a dict or array; got {type(x).__name__}")


def numpy_input_fn(
    x, y=None, batch_size=128, num_epochs=1, shuffle=None, queue_capacity=1000, num_threads=1
):
    """An input_fn returning (features, target) batches from numpy arrays.

    `x`: an array (the features are then one tensor) or a dict of arrays; `y`: None
    (features only), an array or a dict of arrays; `shuffle` must be given (a bool).
    With `num_epochs` None batches come forever (exactly `batch_size` each); otherwise
    the last batch may be smaller and then the input ends (OutOfRangeError)."""
    if not isinstance(shuffle, bool):
        raise ValueError(
            "shuffle must be provided and explicitly set as boolean (it is recommended to set "
            f"it as True for training); got {shuffle}"
        )

    def input_fn():
        data = _validate_and_convert_features(x)
        feature_keys = list(data.keys())
        if y is None:
            target_keys = None
        elif isinstance(y, dict):
            if not y:
                raise ValueError("y cannot be empty dict, use None instead.")
            ordered_y = collections.OrderedDict(sorted(y.items(), key=lambda t: t[0]))
            target_keys = list(ordered_y.keys())
            duplicates = set(feature_keys).intersection(set(target_keys))
            if duplicates:
                raise ValueError(
                    f"{len(duplicates)} duplicate keys are found in both x and y: {duplicates}"
                )
            data.update(ordered_y)
        else:
            target_keys = _unique_target_key(data)
            data[target_keys] = y
        if len({v.shape[0] for v in data.values()}) != 1:
            shapes_x = {k: data[k].shape for k in feature_keys}
            if target_keys is None:
                shape_y = None
            elif isinstance(target_keys, str):
                shape_y = y.shape
            else:
                shape_y = {k: data[k].shape for k in target_keys}
            raise ValueError(
                "Length of tensors in x and y is mismatched. All elements in x and y must have "
                f"the same length.\nShapes in x: {shapes_x}\nShapes in y: {shape_y}\n"
            )
        queue = _feeding.enqueue_data(
            data,
            queue_capacity,
            shuffle=shuffle,
            num_threads=num_threads,
            enqueue_size=batch_size,
            num_epochs=num_epochs,
        )
        batch = (
            queue.dequeue_many(batch_size)
            if num_epochs is None
            else queue.dequeue_up_to(batch_size)
        )
        batch = list(batch)
        if batch:
            batch.pop(0)
        if isinstance(x, np.ndarray):
            features = batch[0]
        else:
            features = dict(zip(feature_keys, batch[: len(feature_keys)]))
        if target_keys is None:
            return features
        if isinstance(target_keys, str):
            return features, batch[-1]
        return features, dict(zip(target_keys, batch[-len(target_keys) :]))

    return input_fn

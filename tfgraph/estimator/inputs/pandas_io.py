"""`tf.estimator.inputs.pandas_input_fn` (TF 1.15): as numpy_input_fn, from a pandas
DataFrame (pandas is optional: without it the function raises TypeError)."""

from __future__ import annotations

import uuid

import numpy as np

from tfgraph.estimator.inputs import _feeding

__all__ = ["pandas_input_fn"]


def _unique_target_key(features, name: str) -> str:
    if name in features:
        name += "_" + str(uuid.uuid4())
    return name


def pandas_input_fn(
    x,
    y=None,
    batch_size=128,
    num_epochs=1,
    shuffle=None,
    queue_capacity=1000,
    num_threads=1,
    target_column="target",
):
    """An input_fn returning ({column: batch}, target) from DataFrame `x` and Series (or
    DataFrame) `y`, whose index must match `x`'s."""
    if not _feeding.HAS_PANDAS:
        raise TypeError("pandas_input_fn should not be called without pandas installed")
    import pandas as pd

    if not isinstance(shuffle, bool):
        raise ValueError(
            "shuffle must be provided and explicitly set as boolean (it is recommended to set "
            f"it as True for training); got {shuffle}"
        )
    if not isinstance(target_column, str):
        raise TypeError(f"target_column must be a string type; got {target_column}")
    x = x.copy()
    y_columns = None
    if y is not None:
        if target_column in x:
            raise ValueError(
                f"Cannot use name {target_column} for target column: DataFrame already has a "
                f"column with that name: {x.columns}"
            )
        if not np.array_equal(x.index, y.index):
            raise ValueError(
                f"Index for x and y are mismatched.\nIndex for x: {x.index}\n"
                f"Index for y: {y.index}\n"
            )
        if isinstance(y, pd.DataFrame):
            y_columns = [(column, _unique_target_key(x, column)) for column in list(y)]
            target_column = [v for _, v in y_columns]
            x[target_column] = y
        else:
            x[target_column] = y
    if queue_capacity is None:
        queue_capacity = 4 * len(x) if shuffle else len(x)
    min_after_dequeue = max(queue_capacity / 4, 1)

    def input_fn():
        queue = _feeding.enqueue_data(
            x,
            queue_capacity,
            shuffle=shuffle,
            min_after_dequeue=min_after_dequeue,
            num_threads=num_threads,
            enqueue_size=batch_size,
            num_epochs=num_epochs,
        )
        if num_epochs is None:
            features = queue.dequeue_many(batch_size)
        else:
            features = queue.dequeue_up_to(batch_size)
        features = dict(zip(list(x.columns), list(features)[1:]))
        if y is None:
            return features
        if isinstance(target_column, list):
            keys = [k for k, _ in y_columns]
            values = [features.pop(column) for column in target_column]
            return features, dict(zip(keys, values))
        return features, features.pop(target_column)

    return input_fn

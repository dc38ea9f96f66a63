"""tf.estimator.inputs.numpy_input_fn and pandas_input_fn: batches, epochs, shuffling and
the OutOfRangeError that ends the input (TF 1.15's queue-fed input functions)."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.estimator.inputs import _feeding


def _batches(input_fn, limit=100):
    """Runs `input_fn()`'s tensors in a MonitoredSession until the input ends."""
    out = []
    with tf.Graph().as_default():
        result = input_fn()
        with tf.train.MonitoredSession() as sess:
            while not sess.should_stop() and len(out) < limit:
                out.append(sess.run(result))
    return out


def test_batches_and_epochs_in_order():
    x = {"a": np.arange(10, dtype=np.float32), "b": np.arange(10, 20, dtype=np.int64)}
    y = np.arange(100, 110, dtype=np.int32)
    fn = tf.estimator.inputs.numpy_input_fn(x, y, batch_size=4, shuffle=False)
    batches = _batches(fn)
    assert [b[0]["a"].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [b[1].tolist() for b in batches] == [
        [100, 101, 102, 103],
        [104, 105, 106, 107],
        [108, 109],
    ]
    assert batches[0][0]["b"].dtype == np.int64 and batches[0][1].dtype == np.int32
    # two epochs: the rows run on across the epoch boundary, 20 rows in all
    two = _batches(
        tf.estimator.inputs.numpy_input_fn(x, y, batch_size=4, num_epochs=2, shuffle=False)
    )
    rows = np.concatenate([b[0]["a"] for b in two])
    assert rows.tolist() == list(range(10)) * 2 and [len(b[1]) for b in two] == [4] * 5


def test_forever_shuffled_and_feature_forms():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    fn = tf.estimator.inputs.numpy_input_fn(x, batch_size=4, num_epochs=None, shuffle=False)
    with tf.Graph().as_default():
        features = fn()  # an array x: one tensor; no y: features only
        assert isinstance(features, tf.Tensor)
        assert features.shape.as_list() == [4, 2]
        with tf.train.MonitoredSession() as sess:
            got = [sess.run(features) for _ in range(3)]
    rows = np.concatenate(got)[:, 0] / 2
    assert rows.tolist() == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]
    shuffled = _batches(
        tf.estimator.inputs.numpy_input_fn(
            {"v": np.arange(50)}, {"t": np.arange(50) * 2}, batch_size=8, shuffle=True
        )
    )
    values = np.concatenate([f["v"] for f, _ in shuffled])
    assert sorted(values.tolist()) == list(range(50))  # every row once, in another order
    assert values.tolist() != list(range(50))
    labels = np.concatenate([t["t"] for _, t in shuffled])
    assert (labels == values * 2).all()  # rows stay together


def test_queue_and_summary_in_the_graph():
    fn = tf.estimator.inputs.numpy_input_fn(
        {"v": np.arange(5.0)}, batch_size=2, shuffle=True, queue_capacity=100
    )
    with tf.Graph().as_default() as g:
        fn()
        types = {op.type for op in g.get_operations()}
        assert "RandomShuffleQueueV2" in types and "QueueDequeueUpToV2" in types
        (qr,) = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
        assert qr.queue.name == "enqueue_input/random_shuffle_queue"
        summaries = [op.name for op in g.get_operations() if op.type == "ScalarSummary"]
        assert summaries == [
            "enqueue_input/queue/enqueue_input/random_shuffle_queuefraction_over_25_of_75_full"
        ]
    with tf.Graph().as_default() as g:
        tf.estimator.inputs.numpy_input_fn(
            {"v": np.arange(5.0)}, batch_size=2, shuffle=False, num_epochs=None
        )()
        types = {op.type for op in g.get_operations()}
        assert "FIFOQueueV2" in types and "QueueDequeueManyV2" in types


def test_next_batch_indices():
    # rows 0..4 from a random start 3: the epoch ends at row 2
    assert _feeding.next_batch_indices(3, 4, 2, 5, 0, 1) == ([3, 4, 0, 1], 0)
    assert _feeding.next_batch_indices(2, 4, 2, 5, 0, 1) == ([2], 1)
    assert _feeding.next_batch_indices(2, 4, 2, 5, 0, None) == ([2, 3, 4, 0], 1)
    with pytest.raises(tf.errors.OutOfRangeError, match="Already emitted 1 epochs."):
        _feeding.next_batch_indices(3, 4, 2, 5, 1, 1)


def test_numpy_input_fn_errors():
    x = {"a": np.arange(3)}
    with pytest.raises(ValueError, match="shuffle must be provided and explicitly set as boolean"):
        tf.estimator.inputs.numpy_input_fn(x)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="x cannot be an empty dict"):
            tf.estimator.inputs.numpy_input_fn({}, shuffle=False)()
        with pytest.raises(ValueError, match="x cannot be an empty array"):
            tf.estimator.inputs.numpy_input_fn(np.zeros([0]), shuffle=False)()
        with pytest.raises(TypeError, match="x must be a dict or array; got list"):
            tf.estimator.inputs.numpy_input_fn([1, 2], shuffle=False)()
        with pytest.raises(ValueError, match="Length of tensors in x and y is mismatched."):
            tf.estimator.inputs.numpy_input_fn(x, np.arange(4), shuffle=False)()
        with pytest.raises(ValueError, match="1 duplicate keys are found in both x and y"):
            tf.estimator.inputs.numpy_input_fn(x, {"a": np.arange(3)}, shuffle=False)()
        with pytest.raises(ValueError, match="y cannot be empty dict, use None instead."):
            tf.estimator.inputs.numpy_input_fn(x, {}, shuffle=False)()


def test_pandas_input_fn():
    if not _feeding.HAS_PANDAS:
        with pytest.raises(TypeError, match="should not be called without pandas installed"):
            tf.estimator.inputs.pandas_input_fn(None, shuffle=False)
        return
    import pandas as pd

    x = pd.DataFrame({"a": np.arange(5.0), "b": np.arange(5, 10)})
    y = pd.Series(np.arange(10, 15))
    batches = _batches(tf.estimator.inputs.pandas_input_fn(x, y, batch_size=2, shuffle=False))
    assert [f["a"].tolist() for f, _ in batches] == [[0, 1], [2, 3], [4]]
    assert [t.tolist() for _, t in batches] == [[10, 11], [12, 13], [14]]

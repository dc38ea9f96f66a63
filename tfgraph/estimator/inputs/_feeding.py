"""The queue behind numpy_input_fn and pandas_input_fn (TF 1.15's feeding functions):
a FIFOQueue (or RandomShuffleQueue when shuffling) of (row index, columns...), filled by
a queue runner whose threads feed batches of rows through placeholders, epoch by epoch;
after the last epoch the queue closes and readers end with OutOfRangeError."""

from __future__ import annotations

import collections
import random

import numpy as np

from tfgraph import errors
from tfgraph.platform import tf_logging as logging
from tfgraph.training.queue_runner import QueueRunner, add_queue_runner

try:  # pandas is optional
    import pandas as pd

    HAS_PANDAS = True
except ImportError:  # pragma: no cover - depends on the environment
    pd = None
    HAS_PANDAS = False


def next_batch_indices(start, batch_size, epoch_end, length, epoch, total_epochs):
    """The row indices of the next batch from `start` (wrapping around) and the epochs
    emitted after it; the last batch stops at the end of the last epoch.

    Raises:
        OutOfRangeError: all `total_epochs` were emitted."""
    if total_epochs is not None and epoch >= total_epochs:
        raise errors.OutOfRangeError(None, None, f"Already emitted {epoch} epochs.")
    indices = [j % length for j in range(start, start + batch_size)]
    ends = [i for i, x in enumerate(indices) if x == epoch_end]
    epoch += len(ends)
    if total_epochs is None or epoch < total_epochs:
        return indices, epoch
    last = ends[-(epoch - total_epochs + 1)]
    return indices[: last + 1], total_epochs


class _FeedFn:
    """Feeds the next `batch_size` rows of some columns (plus their row index)."""

    def __init__(self, placeholders, length, batch_size, random_start, seed, num_epochs):
        self._placeholders = placeholders
        self._max = length
        self._batch_size = batch_size
        self._num_epochs = num_epochs
        self._epoch = 0
        rng = random.Random(seed)
        self._trav = rng.randrange(self._max) if random_start else 0
        self._epoch_end = (self._trav - 1) % self._max

    def _next(self):
        indices, self._epoch = next_batch_indices(
            self._trav, self._batch_size, self._epoch_end, self._max, self._epoch, self._num_epochs
        )
        self._trav = (indices[-1] + 1) % self._max
        return indices


class _ArrayFeedFn(_FeedFn):
    def __init__(
        self, placeholders, array, batch_size, random_start=False, seed=None, num_epochs=None
    ):
        if len(placeholders) != 2:
            raise ValueError(f"_array_feed_fn expects 2 placeholders; got {len(placeholders)}.")
        super().__init__(placeholders, len(array), batch_size, random_start, seed, num_epochs)
        self._array = array

    def __call__(self):
        indices = self._next()
        return {self._placeholders[0]: indices, self._placeholders[1]: self._array[indices]}


class _OrderedDictNumpyFeedFn(_FeedFn):
    def __init__(
        self, placeholders, arrays, batch_size, random_start=False, seed=None, num_epochs=None
    ):
        if len(placeholders) != len(arrays) + 1:
            raise ValueError(f"Expected {len(arrays)} placeholders; got {len(placeholders)}.")
        length = len(next(iter(arrays.values())))
        for v in arrays.values():
            if len(v) != length:
                raise ValueError("Array lengths must match.")
        super().__init__(placeholders, length, batch_size, random_start, seed, num_epochs)
        self._arrays = arrays

    def __call__(self):
        indices = self._next()
        feed = {self._placeholders[0]: indices}
        for ph, column in zip(self._placeholders[1:], self._arrays.values()):
            feed[ph] = column[indices]
        return feed


class _PandasFeedFn(_FeedFn):
    def __init__(
        self, placeholders, dataframe, batch_size, random_start=False, seed=None, num_epochs=None
    ):
        if len(placeholders) != len(dataframe.columns) + 1:
            raise ValueError(
                f"Expected {len(dataframe.columns) + 1} placeholders; got {len(placeholders)}."
            )
        super().__init__(placeholders, len(dataframe), batch_size, random_start, seed, num_epochs)
        self._dataframe = dataframe

    def __call__(self):
        indices = self._next()
        result = self._dataframe.iloc[indices]
        feed = {self._placeholders[0]: result.index.values}
        for ph, col in zip(self._placeholders[1:], result.columns):
            feed[ph] = result[col].values
        return feed


class _FeedingQueueRunner(QueueRunner):
    """A QueueRunner whose threads each feed their enqueue op from a feed function."""

    def __init__(self, queue, enqueue_ops, feed_fns) -> None:
        super().__init__(queue=queue, enqueue_ops=enqueue_ops)
        if len(feed_fns) != len(enqueue_ops):
            raise ValueError("If feed_fns is not None, it must match the length of enqueue_ops.")
        self._feed_fns = list(feed_fns)

    def _run(self, sess, enqueue_op, coord=None) -> None:
        feed_fn = next(f for op, f in zip(self._enqueue_ops, self._feed_fns) if op is enqueue_op)
        decremented = False
        try:
            while True:
                if coord and coord.should_stop():
                    break
                try:
                    sess.run(enqueue_op, feed_dict=feed_fn())
                except (errors.OutOfRangeError, errors.CancelledError):
                    with self._lock:
                        self._runs_per_session[sess] -= 1
                        decremented = True
                        if self._runs_per_session[sess] == 0:
                            try:
                                sess.run(self._close_op)
                            except Exception as e:
                                logging.vlog(1, "Ignored exception: %s", str(e))
                        return
        except Exception as e:
            if coord:
                coord.request_stop(e)
            else:
                logging.error("Exception in QueueRunner: %s", str(e))
                with self._lock:
                    self._exceptions_raised.append(e)
                raise
        finally:
            if not decremented:
                with self._lock:
                    self._runs_per_session[sess] -= 1


def enqueue_data(
    data,
    capacity,
    shuffle=False,
    min_after_dequeue=None,
    num_threads=1,
    seed=None,
    name="enqueue_input",
    enqueue_size=1,
    num_epochs=None,
):
    """A queue of the rows of `data` (an array, an OrderedDict of arrays or a
    DataFrame), row index first, filled by a feeding queue runner."""
    import tfgraph as tf
    from tfgraph.framework import dtypes
    from tfgraph.framework.graph import name_scope

    with name_scope(name):
        if isinstance(data, np.ndarray):
            types = [dtypes.int64, dtypes.as_dtype(data.dtype)]
            shapes = [(), data.shape[1:]]
            feed_fn_class = _ArrayFeedFn
        elif isinstance(data, collections.OrderedDict):
            types = [dtypes.int64] + [dtypes.as_dtype(c.dtype) for c in data.values()]
            shapes = [()] + [c.shape[1:] for c in data.values()]
            feed_fn_class = _OrderedDictNumpyFeedFn
        elif HAS_PANDAS and isinstance(data, pd.DataFrame):
            types = [dtypes.as_dtype(dt) for dt in [data.index.dtype] + list(data.dtypes)]
            shapes = [() for _ in types]
            feed_fn_class = _PandasFeedFn
        else:
            raise TypeError(
                "data must be either a numpy array or pandas DataFrame if pandas is "
                f"installed; got {type(data).__name__}"
            )
        if num_threads > 1 and num_epochs is not None:
            logging.warning(
                "enqueue_data was called with num_epochs and num_threads > 1. num_epochs is "
                "applied per thread, so this will produce more epochs than you probably "
                "intend. If you want to limit epochs, use one thread."
            )
        if not shuffle and num_threads > 1:
            logging.warning(
                "enqueue_data was called with shuffle=False and num_threads > 1. This will "
                "create multiple threads, all reading the array/dataframe in order. If you "
                "want examples read in order, use one thread; if you want multiple threads, "
                "enable shuffling."
            )
        if shuffle:
            min_after_dequeue = int(
                capacity / 4 if min_after_dequeue is None else min_after_dequeue
            )
            queue = tf.RandomShuffleQueue(
                capacity, min_after_dequeue, dtypes=types, shapes=shapes, seed=seed
            )
        else:
            min_after_dequeue = 0
            queue = tf.FIFOQueue(capacity, dtypes=types, shapes=shapes)
        enqueue_ops = []
        feed_fns = []
        for i in range(num_threads):
            placeholders = [tf.placeholder(t) for t in types]
            enqueue_ops.append(queue.enqueue_many(placeholders))
            seed_i = None if seed is None else (i + 1) * seed
            feed_fns.append(
                feed_fn_class(
                    placeholders,
                    data,
                    enqueue_size,
                    random_start=shuffle,
                    seed=seed_i,
                    num_epochs=num_epochs,
                )
            )
        add_queue_runner(_FeedingQueueRunner(queue, enqueue_ops, feed_fns))
        full = tf.cast(tf.maximum(0, queue.size() - min_after_dequeue), dtypes.float32) * (
            1.0 / (capacity - min_after_dequeue)
        )
        tf.summary.scalar(
            f"queue/{queue.name}fraction_over_{int(min_after_dequeue)}_of_"
            f"{int(capacity - min_after_dequeue)}_full",
            full,
        )
        return queue

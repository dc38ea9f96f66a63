"""`slim.queues`: a context running the graph's queue runners."""

from __future__ import annotations

import contextlib
import threading

from tfgraph.framework.graph import GraphKeys, get_collection
from tfgraph.training.coordinator import Coordinator

__all__ = ["NestedQueueRunnerError", "QueueRunners"]

_queue_runner_lock = threading.Lock()


class NestedQueueRunnerError(Exception):
    """A QueueRunners context entered inside another."""


@contextlib.contextmanager
def QueueRunners(session):
    """Runs the graph's QUEUE_RUNNERS (daemon threads) for the duration of the context,
    then stops and joins them.

    Raises:
        NestedQueueRunnerError: if entered within another QueueRunners context.
    """
    if not _queue_runner_lock.acquire(False):
        raise NestedQueueRunnerError("QueueRunners cannot be nested")
    coord = Coordinator()
    threads = []
    for qr in get_collection(GraphKeys.QUEUE_RUNNERS):
        threads.extend(qr.create_threads(session, coord=coord, daemon=True, start=True))
    try:
        yield
    finally:
        coord.request_stop()
        try:
            coord.join(threads, stop_grace_period_secs=120)
        except RuntimeError:
            session.close()
        _queue_runner_lock.release()

"""The scheduling of a QueueRunner's threads (their results are tested with the input
pipelines in test_input.py)."""

from __future__ import annotations

import threading

from tfgraph.training import queue_runner


def test_short_runs_go_in_turns_of_many_runs(monkeypatch):
    """Threads running a short (Python-bound) enqueue take turns: the thread holding the
    turn runs again and again until its slice ends or the coordinator stops, instead of
    handing over after every run."""
    monkeypatch.setattr(queue_runner._Gate, "SLICE", 60.0)
    gate = queue_runner._Gate()
    runs: list[int] = []
    started = threading.Barrier(2)

    def enqueue():
        runs.append(threading.get_ident())

    def stopping():
        return len(runs) >= 20

    def thread():
        started.wait()
        gate.run(enqueue, stopping)

    threads = [threading.Thread(target=thread) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(runs) == 21  # (a turn runs the op at least once, even when stopping)
    assert len(set(runs[:20])) == 1, "the first turn was handed over before it ended"
    assert runs[20] != runs[0]


def test_long_runs_are_not_serialized(monkeypatch):
    """Runs dominated by kernels that release the GIL go concurrently: two threads can
    both be inside the op at once."""
    monkeypatch.setattr(queue_runner._Gate, "SHORT", 0.0)  # (every run counts as long)
    gate = queue_runner._Gate()
    inside = threading.Barrier(2, timeout=30)

    def enqueue():
        inside.wait()  # (both threads must be in the op together to get past this)

    gate.run(lambda: None, lambda: False)  # (a first measured run makes the mean >= SHORT)
    threads = [threading.Thread(target=gate.run, args=(enqueue, lambda: False)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not inside.broken

"""One big kernel over the machine's cores: blocks of work shared by the calling thread
and a small pool of tfgraph's own threads.

tfgraph runs BLAS single-threaded inside its calling thread (platform/denormal.py: so
that flush-to-zero applies to every product, and so that OpenBLAS's spinning workers do
not fight other processes). Kernels whose work splits into independent blocks (im2col
convolutions) hand the blocks to `run_blocks`: every participating thread takes the next
block when it is done with one, so a thread that the OS deschedules on a busy machine
delays at most the block it holds, and on a quiet machine all cores work. Pool threads
run each task with FTZ|DAZ and single-threaded BLAS, like the calling thread in a run.

`TFGRAPH_NUM_THREADS` sets how many threads a kernel may use (default: the CPUs this
process may run on; 1 turns the pool off). A session's `ConfigProto(
intra_op_parallelism_threads=N)` limits the kernels of its runs to N of them
(`limit_run`), and `tf.config.threading.set_intra_op_parallelism_threads(N)` every
kernel's that no session limits (`set_default_limit`); 1 runs every kernel in the
calling thread, as TF's single-threaded recipe for reproducible results does.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from tfgraph.platform import blas, denormal

__all__ = ["FasterOfTwo", "limit_run", "num_threads", "run_blocks", "set_default_limit"]


def _default_threads() -> int:
    env = os.environ.get("TFGRAPH_NUM_THREADS")
    if env:
        return max(int(env), 1)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


_THREADS = _default_threads()
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


_run = threading.local()  # .limit: the running session's intra-op threads (0: none)
_default_limit = 0


def num_threads() -> int:
    """How many threads (the caller's included) a kernel may use in this thread now."""
    limit = getattr(_run, "limit", 0) or _default_limit
    return _THREADS if limit <= 0 or limit >= _THREADS else limit


def limit_run(threads: int) -> int:
    """Limits the kernels this thread runs to `threads` threads (0: no limit) until it
    is called again; returns the limit it replaces."""
    previous = getattr(_run, "limit", 0)
    _run.limit = threads
    return previous


def set_default_limit(threads: int) -> None:
    """The limit of kernels run outside a limited session (0: none)."""
    global _default_limit
    _default_limit = max(int(threads), 0)


def _get_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(
                    max_workers=_THREADS - 1,
                    thread_name_prefix="tfgraph-kernel",
                )
    return _pool


def run_blocks(
    blocks: Sequence, work: Callable[[Any, Any], None], make_state=None, blas: bool = True
) -> list:
    """Calls `work(block, state)` for every block, on this thread and pool threads;
    `state` is each thread's own (`make_state()`, or None). Returns the states of the
    threads that took part (this thread's first). Exceptions propagate. `blas=False`:
    the work calls no BLAS, so pool threads set only FTZ|DAZ (setting OpenBLAS's
    per-thread count from a pool thread was measured to slow the caller's later
    products)."""
    global _late, _solo
    make = make_state or (lambda: None)
    helpers = min(num_threads() - 1, len(blocks) - 1)
    if helpers > 0 and _solo > 0:  # (helpers were late lately: see _LATE_STRIKES)
        _solo -= 1
        helpers = 0
    if helpers <= 0:
        state = make()
        for block in blocks:
            work(block, state)
        return [state]
    remaining = iter(blocks)
    lock = threading.Lock()
    failed: list[BaseException] = []

    def loop():
        state = make()
        while not failed:
            with lock:
                block = next(remaining, None)
            if block is None:
                break
            try:
                work(block, state)
            except BaseException as e:
                failed.append(e)
                raise
        return state

    def helper():
        # FTZ|DAZ and single-threaded BLAS for this task (OpenBLAS may reset a new
        # thread's count on its first call, so the pool's initializer is not enough)
        enter, exit_ = (denormal.enter, denormal.exit) if blas else denormal.fp_hooks()
        token = enter()
        try:
            return loop()
        finally:
            exit_(token)

    futures = [_get_pool().submit(helper) for _ in range(helpers)]
    start = time.perf_counter()
    try:
        states = [loop()]
    finally:
        done = time.perf_counter()
        others = []
        for f in futures:
            if f.cancel():  # (not started yet, and every block is done: do not wait)
                continue
            others.append(f.result() if not f.exception() else None)
    if failed:
        raise failed[0]
    if time.perf_counter() - done > done - start:  # (waited longer than it worked)
        _late += 1
        if _late >= _LATE_STRIKES:
            _late, _solo = 0, _SOLO_CALLS
    else:
        _late = 0
    return states + others


# On a busy machine a helper may wait a whole time slice to be scheduled, while the
# caller, done with its own blocks, waits for the block the helper holds. After this
# many calls in a row in which the caller waited longer than it worked, the next
# _SOLO_CALLS calls run on the caller alone; then helpers are tried again. (Measured
# with 3 busy processes on 2 cores, bench_tutorial_mlp: 7.8 -> 5.9-6.5 ms per step.)
_LATE_STRIKES = 3
_SOLO_CALLS = 64
_late = 0
_solo = 0


# A product of at least this many multiply-adds is split over the kernel threads. Handing
# a piece to a kernel thread and getting it back costs ~60-70 us here (the thread needs
# the interpreter lock back, and a CPU that went idle wakes slowly), and two pieces run
# at once go slower than one alone: measured quiet, 128x256 @ 256x256 (8.4M) took
# 147 us whole and 182 us split, 128x784 @ 784x256 (25.7M) 436 us and 409-483 us,
# 128x1024 @ 1024x1024 (134M) 2.5 ms and 1.6 ms. (The tutorial MLP's step: 3.2-3.4 ms
# with 8M, 2.85-2.93 ms with 32M.)
_MIN_PARALLEL_MACS = 32 << 20


def matmul(a, b):
    """`a @ b` for 2-D `a` and `b`: on the private OpenBLAS's threads, or split over the
    kernel threads, or in this thread, whichever pays (see `shared_matmul`)."""
    macs = a.size * b.shape[1]
    if macs < _MIN_SHARED_MACS and macs < _MIN_PARALLEL_MACS:  # (most products: small)
        return np.dot(a, b)
    if (
        macs < _MIN_SHARED_COLUMN_MACS
        and blas.cuts_columns(a.shape[0], b.shape[1])
        and not blas.shares_few_rows()
    ):
        return np.dot(a, b)
    return shared_matmul(a, b, _split_matmul)


# A product of few rows (an RNN's batch of 32) is cut into column ranges, which give
# other bits than the whole product, so the one-thread way `shared_matmul` weighs runs
# them one by one; below this many multiply-adds numpy's whole product beat both ways on
# an AMD EPYC Zen 3 (measured in loops, 32 x 128 @ 128 x 512: 80 us whole, 101 us shared,
# 149 us piece by piece; char_rnn's training step 4-6% faster, paired in one process),
# but not on a Zen 4: each process measures which (`blas.shares_few_rows`).
_MIN_SHARED_COLUMN_MACS = 8 << 20


def _split_matmul(a, b):
    """`a @ b` split over the kernel threads when it is big enough to pay for it (each
    thread runs single-threaded BLAS on its piece): by rows, or by columns when the rows
    are few. Every piece has at least _MIN_PIECE rows (columns): a piece of few rows
    repacks all of `b` for little work (measured: a fully connected layer's 128 x 3136 @
    3136 x 1024 in 4 row pieces took 1.3x the time of 2)."""
    m, k = a.shape
    n = b.shape[1]
    threads = num_threads()
    if threads == 1 or m * n * k < _MIN_PARALLEL_MACS or max(m, n) < 2 * _MIN_PIECE:
        return np.dot(a, b)  # (np.dot: transposed operands go to BLAS as flags)
    # one piece per thread for mid-sized products (smaller pieces lose BLAS efficiency);
    # two per thread for big ones, so a descheduled thread delays less of the work
    pieces = threads if m * n * k < 8 * _MIN_PARALLEL_MACS else 2 * threads
    if m >= 2 * _MIN_PIECE:
        pieces = min(pieces, m // _MIN_PIECE)
        out = np.empty((m, n), np.result_type(a.dtype, b.dtype))
        step = -(-m // pieces)
        rows = [slice(r, min(r + step, m)) for r in range(0, m, step)]
        run_blocks(rows, lambda r, _: np.dot(a[r], b, out=out[r]))
        return out
    pieces = min(pieces, n // _MIN_PIECE)
    step = -(-n // pieces)
    cols = list(enumerate(slice(c, min(c + step, n)) for c in range(0, n, step)))
    parts: list = [None] * len(cols)

    def work(piece, _):
        i, c = piece
        parts[i] = np.dot(a, b[:, c])

    run_blocks(cols, work)
    return np.concatenate(parts, axis=1)


def shared_matmul(a, b, fallback):
    """`a @ b` of 2-D arrays by the private OpenBLAS (platform/blas.py), in pieces of one
    thread each: on its threads at once, or one after another in this thread, whichever
    has been faster for this shape lately; `fallback(a, b)` where it does not apply.

    On a quiet machine the shared product wins from a few million multiply-adds on; on a
    busy one the caller, done with its part, waits for a worker that got no CPU (the
    tutorial MLP beside 3 busy processes: 5.9 ms per step in one thread, 9.9 ms shared).
    So each shape keeps a moving average of both ways' times and takes the faster,
    trying the other every 16th call (`FasterOfTwo`). Both ways compute the same pieces
    with the same kernel, so the choice never changes a bit of the result."""
    m, k = a.shape
    n = b.shape[1]
    threads = num_threads()
    if (
        m * n * k < _MIN_SHARED_MACS
        or threads == 1
        or a.dtype != b.dtype
        or b.shape[0] != k
        or not blas.available()
        or a.dtype not in blas.DTYPES
    ):
        return fallback(a, b)
    times, shared = _shared_ways.pick((m, k, n, a.dtype.char, threads))
    start = time.perf_counter()
    out = blas.matmul(a, b, shared, threads)
    if out is None:
        return fallback(a, b)
    _shared_ways.record(times, shared, time.perf_counter() - start)
    return out


# A product of at least this many multiply-adds may run on the private OpenBLAS's
# threads. A call costs ~6 us more than numpy's (ctypes, the operands' addresses);
# measured quiet against numpy's BLAS on one thread: 32x128 @ 128x512 (2.1M) 41 / 40 us,
# 32x256 @ 256x512 (4.2M) 72 / 64 us, 128x784 @ 784x256 (25.7M) 369 / 254 us, 128x3136 @
# 3136x1024 (411M, split over tfgraph's threads) 4.4 / 3.3 ms.
_MIN_SHARED_MACS = 2 << 20


class FasterOfTwo:
    """Per key (a shape), which of two ways of doing a job has been faster lately: each
    way is tried twice first (the first try of each warms up and is not kept), then the
    faster by a moving average of its times, and the other way now and then (a probe),
    so a change (the machine got busy, or quiet again) is noticed.

    A probe is two calls of the other way: the first warms it up and is not kept (the
    private OpenBLAS's threads, idle since the last probe, wake up slowly: measured, a
    hand-written LSTM loop's 32 x 128 @ 128 x 512 products took ~4 ms shared after an
    idle spell, ~0.15 ms in this thread), the second is its time. Probes come every
    `probe_every` calls; a probe pair that cost more than 1.5x two calls of the faster
    way doubles the wait before the next (up to `max_wait` calls), so a way that loses
    by far costs little, and a probe that wins brings the wait back."""

    def __init__(self, probe_every: int = 16, max_keys: int = 4096, max_wait: int = 1024) -> None:
        self.times: dict = {}  # key -> its _Ways
        self.probe_every = probe_every
        self.max_keys = max_keys
        self.max_wait = max_wait

    def pick(self, key) -> tuple[_Ways, bool]:
        """(the key's record for `record`, whether to take the first way this call)."""
        ways = self.times.get(key)
        if ways is None:
            if len(self.times) >= self.max_keys:
                self.times.clear()
            ways = self.times[key] = _Ways(self.probe_every)
        calls = ways.calls = ways.calls + 1
        if calls <= 4:
            return ways, calls % 2 == 1
        probing = ways.probe <= calls <= ways.probe + 1
        return ways, (ways.took[0] <= ways.took[1]) != probing

    def record(self, ways: _Ways, first: bool, took: float) -> None:
        """A probe's kept call replaces that way's time: blended in, a probe after a
        slow spell of that way needed several probes to win back (measured, a quiet
        tutorial MLP: its 128 x 784 @ 784 x 256 product took the one-thread way, 606
        against 375 us, in 54 of 200 steps). The way taken lately has its time blended,
        so a wrong switch is undone at the next call."""
        i = 0 if first else 1
        times = ways.took
        calls = ways.calls
        if calls <= 4:
            times[i] = took
        elif calls == ways.probe:  # (a probe's warm-up)
            ways.warm_up = took
        elif calls == ways.probe + 1:  # (a probe)
            other = times[1 - i]
            times[i] = took
            if took < other:  # (it won: this way is taken now)
                ways.wait = self.probe_every
            elif ways.warm_up + took > 3.0 * other:  # (it cost more than 1.5x the other)
                ways.wait = min(2 * ways.wait, self.max_wait)
            ways.probe = calls + ways.wait
        else:
            times[i] += 0.25 * (took - times[i])


class _Ways:
    """One key's record in a `FasterOfTwo`: each way's time, the calls so far, the next
    probe's first call, the wait between probes and the last probe's warm-up time."""

    __slots__ = ("calls", "probe", "took", "wait", "warm_up")

    def __init__(self, wait: int) -> None:
        self.took = [0.0, 0.0]
        self.calls = 0
        self.probe = wait
        self.wait = wait
        self.warm_up = 0.0


_shared_ways = FasterOfTwo()


# A split product's pieces have at least this many rows (or columns).
_MIN_PIECE = 64


# An elementwise kernel over at least this many elements is split over the kernel threads.
_MIN_PARALLEL_ELEMENTS = 1 << 19


def elementwise(fn, out, *inputs) -> None:
    """`fn(*inputs, out=out)` for C-contiguous arrays of `out`'s shape, in flat pieces
    over the kernel threads when they are big enough to pay for it. `fn` works
    elementwise and calls no BLAS."""
    size = out.size
    threads = num_threads()
    if threads == 1 or size < _MIN_PARALLEL_ELEMENTS:
        fn(*inputs, out=out)
        return
    flat_out = out.reshape(-1)
    flat = [x.reshape(-1) for x in inputs]
    step = -(-size // (2 * threads))
    pieces = [slice(lo, min(lo + step, size)) for lo in range(0, size, step)]
    run_blocks(pieces, lambda s, _: fn(*[x[s] for x in flat], out=flat_out[s]), blas=False)

"""`tf.train.Coordinator`: stops a group of threads together and reports the first
exception one of them hit; `tf.train.LooperThread`."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from typing import Any

from tfgraph import errors
from tfgraph.platform import tf_logging as logging

__all__ = ["Coordinator", "LooperThread"]


class Coordinator:
    """A coordinator for threads: any of them may request a stop (with an exception,
    which `join` re-raises), the others check `should_stop()`."""

    def __init__(self, clean_stop_exception_types=None) -> None:
        if clean_stop_exception_types is None:
            clean_stop_exception_types = (errors.OutOfRangeError,)
        self._clean_stop_exception_types = tuple(clean_stop_exception_types)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info_to_raise: Any = None
        self._joined = False
        self._registered_threads: set = set()

    def _filter_exception(self, ex):
        if isinstance(ex, tuple):
            ex2 = ex[1]
        else:
            ex2 = ex
        if isinstance(ex2, self._clean_stop_exception_types):
            ex = None  # (a clean stop: nothing to re-raise)
        return ex

    def request_stop(self, ex=None) -> None:
        """Asks every thread to stop. `ex` (an exception or an exc_info tuple) is the
        reason; the first one reported is re-raised by `join`, unless it is one of the
        clean stop types (OutOfRangeError by default)."""
        with self._lock:
            ex = self._filter_exception(ex)
            if self._joined:  # (after join, a new error is only logged)
                if isinstance(ex, tuple):
                    logging.info("Error reported to Coordinator: %s", ex[1])
                elif ex is not None:
                    logging.info("Error reported to Coordinator: %s", ex)
                return
            if not self._stop_event.is_set():
                if ex and self._exc_info_to_raise is None:
                    if isinstance(ex, tuple):
                        logging.info("Error reported to Coordinator: %s", ex[1])
                        self._exc_info_to_raise = ex
                    else:
                        logging.info("Error reported to Coordinator: %s, %s", type(ex), ex)
                        self._exc_info_to_raise = (type(ex), ex, ex.__traceback__)
                    if (
                        len(self._exc_info_to_raise) != 3
                        or not self._exc_info_to_raise[0]
                        or not self._exc_info_to_raise[1]
                    ):
                        raise ValueError(
                            "ex must be a tuple or sys.exc_info must return the current "
                            f"exception: {self._exc_info_to_raise}"
                        )
                self._stop_event.set()

    def clear_stop(self) -> None:
        """Clears the stop flag (and the recorded exception): the threads may run again."""
        with self._lock:
            self._joined = False
            self._exc_info_to_raise = None
            if self._stop_event.is_set():
                self._stop_event.clear()

    def should_stop(self) -> bool:
        return self._stop_event.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self):
        """A context manager requesting a stop when its block raises."""
        try:
            yield
        except:  # noqa: E722 - (as TF: any exception, reported to the coordinator)
            self.request_stop(ex=sys.exc_info())

    def wait_for_stop(self, timeout=None) -> bool:
        """Waits until a stop is requested (at most `timeout` seconds); True if it was."""
        return self._stop_event.wait(timeout)

    def register_thread(self, thread) -> None:
        with self._lock:
            self._registered_threads.add(thread)

    def join(self, threads=None, stop_grace_period_secs: float = 120, ignore_live_threads=False):
        """Waits for `threads` (and the registered ones) to end; once a stop is
        requested they get `stop_grace_period_secs` more. Re-raises the exception
        passed to `request_stop`; RuntimeError if threads are still running."""
        with self._lock:
            if threads is None:
                threads = self._registered_threads
            else:
                threads = self._registered_threads.union(set(threads))
            threads = list(threads)
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(1.0):
            pass
        stop_wait_secs = 0.001
        while any(t.is_alive() for t in threads) and stop_grace_period_secs >= 0.0:
            time.sleep(stop_wait_secs)
            stop_grace_period_secs -= stop_wait_secs
            stop_wait_secs = 2 * stop_wait_secs
            stop_wait_secs = max(min(stop_wait_secs, stop_grace_period_secs), 0.001)
        stragglers = [t.name for t in threads if t.is_alive()]
        with self._lock:
            self._joined = True
            self._registered_threads = set()
            if self._exc_info_to_raise:
                _, ex, tb = self._exc_info_to_raise
                raise ex.with_traceback(tb)
            if stragglers:
                if ignore_live_threads:
                    logging.info(
                        "Coordinator stopped with threads still running: %s", " ".join(stragglers)
                    )
                else:
                    raise RuntimeError(
                        "Coordinator stopped with threads still running: " + " ".join(stragglers)
                    )

    @property
    def joined(self) -> bool:
        return self._joined

    def raise_requested_exception(self) -> None:
        """Raises the exception passed to `request_stop`, if any."""
        with self._lock:
            if self._exc_info_to_raise:
                _, ex, tb = self._exc_info_to_raise
                raise ex.with_traceback(tb)


class LooperThread(threading.Thread):
    """A thread calling `target(*args, **kwargs)` (or `run_loop`) every `timer_interval_secs`
    seconds (or as fast as it can for None) until the coordinator stops."""

    def __init__(self, coord, timer_interval_secs, target=None, args=None, kwargs=None):
        if not isinstance(coord, Coordinator):
            raise ValueError(f"'coord' argument must be a Coordinator: {coord}")
        super().__init__()
        self.daemon = True
        self._coord = coord
        self._timer_interval_secs = timer_interval_secs
        self._target = target
        if self._target:
            self._args = args or ()
            self._kwargs = kwargs or {}
        elif args or kwargs:
            raise ValueError("'args' and 'kwargs' argument require that you also pass 'target'")
        self._coord.register_thread(self)

    @staticmethod
    def loop(coord, timer_interval_secs, target, args=None, kwargs=None):
        looper = LooperThread(coord, timer_interval_secs, target=target, args=args, kwargs=kwargs)
        looper.start()
        return looper

    def run(self) -> None:
        with self._coord.stop_on_exception():
            self.start_loop()
            if self._timer_interval_secs is None:
                while not self._coord.should_stop():
                    self.run_loop()
            else:
                next_timer_time = time.time()
                while not self._coord.wait_for_stop(next_timer_time - time.time()):
                    next_timer_time += self._timer_interval_secs
                    self.run_loop()
            self.stop_loop()

    def start_loop(self) -> None:
        """Called once when the thread starts."""

    def stop_loop(self) -> None:
        """Called once when the thread stops."""

    def run_loop(self) -> None:
        if self._target:
            self._target(*self._args, **self._kwargs)

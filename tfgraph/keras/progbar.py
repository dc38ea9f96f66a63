"""`tf.keras.utils.Progbar` and the interactive-logging switch Keras 2's progress output
obeys (`enable/disable_interactive_logging`: stdout when on, the `logging` module when off)."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

import numpy as np

__all__ = [
    "Progbar",
    "disable_interactive_logging",
    "enable_interactive_logging",
    "is_interactive_logging_enabled",
    "print_msg",
]

_INTERACTIVE = threading.local()


def enable_interactive_logging() -> None:
    """Progress bars and messages go to stdout (the default)."""
    _INTERACTIVE.enable = True


def disable_interactive_logging() -> None:
    """Progress bars and messages go to the `logging` module (INFO) instead of stdout."""
    _INTERACTIVE.enable = False


def is_interactive_logging_enabled() -> bool:
    """Whether Keras messages are written to stdout (per thread; True by default)."""
    return bool(getattr(_INTERACTIVE, "enable", True))


def print_msg(message, line_break=True) -> None:
    """`message` on stdout when interactive logging is on, else logged at INFO."""
    if is_interactive_logging_enabled():
        sys.stdout.write(message + "\n" if line_break else message)
        sys.stdout.flush()
    else:
        logging.getLogger("tfgraph").info(message)


def _format_time(seconds: float, unit: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit}"
    return f" {seconds * 1e6:.0f}us/{unit}"


def _format_eta(eta: float) -> str:
    if eta > 3600:
        return f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{int(eta)}s"


def _format_average(total, count, signed: bool) -> str:
    avg = np.mean(total / max(1, count))
    big = abs(avg) > 1e-3 if signed else avg > 1e-3
    return f" {avg:.4f}" if big else f" {avg:.4e}"


class Progbar:
    """A text progress bar: `update(current, values=[("loss", v), ...])` shows
    `current/target`, an ETA and the running averages of the values (metrics named in
    `stateful_metrics` are shown as given). verbose 1: a live bar; 2: a line at the end;
    0: silent."""

    def __init__(
        self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None, unit_name="step"
    ) -> None:
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        self._dynamic_display = (
            (hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
            or "ipykernel" in sys.modules
            or "posix" in sys.modules
            or "PYCHARM_HOSTED" in os.environ
        )
        self._total_width = 0
        self._seen_so_far = 0
        self._values: dict = {}
        self._values_order: list = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_at_epoch_start = self._start
        self._time_at_epoch_end: float | None = None
        self._time_after_first_step: float | None = None

    def _accumulate(self, current, values) -> None:
        for key, value in values or []:
            if key not in self._values_order:
                self._values_order.append(key)
            if key in self.stateful_metrics:
                self._values[key] = [value, 1]
                continue
            weight = max(current - self._seen_so_far, 1)
            if key not in self._values:
                self._values[key] = [value * weight, weight]
            else:
                self._values[key][0] += value * weight
                self._values[key][1] += weight
        self._seen_so_far = current

    def update(self, current, values=None, finalize=None) -> None:
        """Moves the bar to step `current`, averaging `values` (name, value) pairs over
        the steps since the last update."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._accumulate(current, values)
        now = time.time()
        if current == self.target:
            self._time_at_epoch_end = now
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            print_msg(self._live_line(current, now, finalize), line_break=False)
        elif self.verbose == 2 and finalize:
            print_msg(self._final_line(current, now), line_break=False)
        self._last_update = now

    def _bar(self, current) -> str:
        if self.target is None:
            return f"{current:7d}/Unknown"
        digits = int(np.log10(self.target)) + 1
        bar = f"{current:{digits}d}/{self.target} ["
        filled = int(self.width * float(current) / self.target)
        if filled > 0:
            bar += "=" * (filled - 1) + (">" if current < self.target else "=")
        return bar + "." * (self.width - filled) + "]"

    def _live_line(self, current, now, finalize) -> str:
        previous = self._total_width
        message = "\b" * previous + "\r" if self._dynamic_display else "\n"
        bar = self._bar(current)
        self._total_width = len(bar)
        per_step = self._estimate_step_duration(current, now)
        if self.target is None or finalize:
            info = f" - {now - self._start:.0f}s" + _format_time(per_step, self.unit_name)
        else:
            info = f" - ETA: {_format_eta(per_step * (self.target - current))}"
        for key in self._values_order:
            info += f" - {key}:"
            entry = self._values[key]
            info += _format_average(entry[0], entry[1], True)
        self._total_width += len(info)
        if previous > self._total_width:
            info += " " * (previous - self._total_width)
        return message + bar + info + ("\n" if finalize else "")

    def _final_line(self, current, now) -> str:
        digits = int(np.log10(self.target)) + 1
        info = f"{current:{digits}d}/{self.target} - {now - self._start:.0f}s"
        for key in self._values_order:
            entry = self._values[key]
            info += f" - {key}:" + _format_average(entry[0], entry[1], False)
        if self._time_at_epoch_end:
            per_epoch = self._time_at_epoch_end - self._time_at_epoch_start
            self._time_at_epoch_start = now
            self._time_at_epoch_end = None
            info += " -" + _format_time(per_epoch, "epoch")
            info += " -" + _format_time(per_epoch / self.target, self.unit_name) + "\n"
        return info

    def add(self, n, values=None) -> None:
        """Advances the bar by `n` steps."""
        self.update(self._seen_so_far + n, values)

    def _estimate_step_duration(self, current, now) -> float:
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step

    def _update_stateful_metrics(self, stateful_metrics) -> None:
        self.stateful_metrics = self.stateful_metrics.union(stateful_metrics)

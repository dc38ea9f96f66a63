"""Big values reuse freed memory instead of fresh pages, as TF's CPU allocator pools them.

numpy allocates arrays with the C library's malloc. glibc serves blocks from 128 KB up
(its threshold rises to at most 32 MB as such blocks are freed) with fresh `mmap`s, and
hands them back to the kernel when freed, so a training step whose activations are
bigger than that (the MNIST convnet at batch 512: 51 MB per layer) maps fresh pages for
each of them at every step, and the kernel zeroes each page at its first touch: ~2,100
page faults per step there, 10-20% of its time on a 2-vCPU VM (measured: 170-198 ms ->
141-156 ms per step, and a lower peak resident size). TF's CPU allocator (oneDNN's
pooled allocator in TF 2.x) keeps such blocks for the next step.

`keep_freed_memory()`, called when tfgraph first builds a plan, sets glibc's mmap
threshold and trim threshold to 1 GB (`mallopt`): blocks under 1 GB come from the heap,
and freed ones stay there for the next allocation. This applies to the whole process,
as any allocator choice does: memory a program frees (below 1 GB per block) is kept for
its reuse, not returned to the system. `TFGRAPH_KEEP_FREED_MEMORY=0` leaves malloc as it
was; on C libraries without glibc's `mallopt` nothing changes.
"""

from __future__ import annotations

import ctypes
import os
import threading

__all__ = ["KEEP_BYTES", "keep_freed_memory"]

# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# Blocks up to this size come from the heap and are kept when freed.
KEEP_BYTES = 1 << 30

_lock = threading.Lock()
_state: list = []  # [whether the thresholds were set], once decided


def keep_freed_memory() -> bool:
    """Sets the thresholds once per process (see the module docstring); whether they
    are set."""
    if _state:
        return _state[0]
    with _lock:
        if not _state:
            _state.append(_apply())
    return _state[0]


def _apply() -> bool:
    if os.environ.get("TFGRAPH_KEEP_FREED_MEMORY", "1") == "0":
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018 - glibc only (musl's mallopt does nothing)
    except (OSError, AttributeError, TypeError):  # (TypeError: no C library by that name)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # (both or neither: a trim threshold alone only makes freed blocks linger)
    return bool(mallopt(_M_MMAP_THRESHOLD, KEEP_BYTES) and mallopt(_M_TRIM_THRESHOLD, KEEP_BYTES))

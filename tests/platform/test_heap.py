"""Big values reuse freed memory (platform/heap.py): after tfgraph's first plan, a
64 MB array allocated again after it was freed maps no fresh pages, as TF's pooled
CPU allocator gives; `TFGRAPH_KEEP_FREED_MEMORY=0` leaves malloc as it was."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys

import pytest

SCRIPT = """
import json, resource
import numpy as np
import tfgraph as tf
from tfgraph.platform import heap

with tf.Session() as sess:
    sess.run(tf.constant(1.0) + 1.0)   # (the first plan)
faults = []
for _ in range(4):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    a = np.ones(16 << 20, np.float32)   # 64 MB, every page touched
    del a
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(json.dumps({"kept": heap.keep_freed_memory(), "faults": faults}))
"""


def _run(env_value=None) -> dict:
    env = dict(os.environ)
    env.pop("TFGRAPH_KEEP_FREED_MEMORY", None)
    if env_value is not None:
        env["TFGRAPH_KEEP_FREED_MEMORY"] = env_value
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _glibc() -> bool:
    try:
        ctypes.CDLL(None).gnu_get_libc_version  # noqa: B018
    except AttributeError:
        return False
    return True


@pytest.mark.skipif(not _glibc(), reason="glibc's mallopt only")
def test_a_freed_big_array_is_reused_without_new_pages():
    result = _run()
    assert result["kept"] is True
    # (the later allocations reuse the first one's pages)
    assert max(result["faults"][1:]) < 100, result


def test_tfgraph_keep_freed_memory_0_leaves_malloc_alone():
    result = _run("0")
    assert result["kept"] is False
    if _glibc():  # (glibc maps such a block afresh each time, and returns it when freed)
        assert min(result["faults"]) > 100, result

"""Big tensors are checksummed on a worker thread; results and errors are unchanged."""

from __future__ import annotations

import multiprocessing
import os

import numpy as np
import pytest

from tfgraph import errors
from tfgraph.io import bundle


def _write(prefix, n=6, size=600_000):
    values = {f"t{i}": np.full(size, i, np.float32) for i in range(n)}
    with bundle.BundleWriter(prefix) as w:
        for k, v in values.items():
            w.add(k, v)
    return values


def test_read_many_matches_read(tmp_path):
    prefix = str(tmp_path / "big")
    values = _write(prefix)
    with bundle.BundleReader(prefix) as r:
        got = r.read_many(list(values))
        for (k, v), g in zip(values.items(), got):
            np.testing.assert_array_equal(g, v)
            assert g.base is None  # owns its memory
            np.testing.assert_array_equal(r.read(k), v)


def test_read_many_still_verifies_every_checksum(tmp_path):
    prefix = str(tmp_path / "big")
    _write(prefix)
    data = tmp_path / "big.data-00000-of-00001"
    raw = bytearray(data.read_bytes())
    raw[4 * 600_000 * 3 + 7] ^= 1  # inside t3
    data.write_bytes(bytes(raw))
    with bundle.BundleReader(prefix) as r:
        with pytest.raises(errors.DataLossError, match="tensor 't3'"):
            r.read_many([f"t{i}" for i in range(6)])


def _child(prefix, queue):
    with bundle.BundleReader(prefix) as r:
        queue.put(float(r.read_many([f"t{i}" for i in range(6)])[5][0]))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_worker_pool_survives_fork(tmp_path):
    prefix = str(tmp_path / "big")
    _write(prefix)
    with bundle.BundleReader(prefix) as r:
        r.read_many([f"t{i}" for i in range(6)])  # the parent's pool exists now
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(prefix, queue))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0 and queue.get(timeout=5) == 5.0

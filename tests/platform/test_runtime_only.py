"""Eager-runtime and debugger names in TF1 graph mode: they fail or do nothing as TF does."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
import tempfile

def attempt(f):
    try:
        out = f()
        return ["ok", None if out is None else type(out).__name__ != "NoneType"]
    except Exception as e:
        return [type(e).__name__, str(e)]

root = tempfile.mkdtemp()
dbg = tf.debugging.experimental
results = [
    attempt(tf.test.experimental.sync_devices),
    attempt(lambda: tf.config.experimental_connect_to_host("localhost:1234")),
    attempt(lambda: tf.config.experimental_connect_to_cluster(None)),
    attempt(lambda: dbg.enable_dump_debug_info(root, tensor_debug_mode="BAD")),
    attempt(lambda: dbg.enable_dump_debug_info(root, tensor_debug_mode="FULL_HEALTH")),
    attempt(lambda: dbg.enable_dump_debug_info(root, circular_buffer_size=5)),
    attempt(lambda: dbg.enable_dump_debug_info(root)),
    attempt(dbg.disable_dump_debug_info),
    attempt(dbg.disable_dump_debug_info),
    attempt(lambda: dbg.enable_dump_debug_info(root, circular_buffer_size=5)),
    attempt(dbg.disable_dump_debug_info),
]
print(json.dumps([[r[0], r[1].replace(root, "ROOT") if isinstance(r[1], str) else r[1]]
                  for r in results]))
"""


@pytest.mark.tf
@requires_tf
def test_graph_mode_behaviour_equals_tf():
    ours = run_here_json(PROGRAM.replace("json.dumps", "__import__('json').dumps"))
    assert ours == run_tf_json(PROGRAM)


def test_dump_root_is_created(tmp_path):
    root = tmp_path / "dumps"
    config = tf.debugging.experimental.enable_dump_debug_info(str(root))
    try:
        assert root.is_dir() and config.tensor_debug_mode == "NO_TENSOR"
    finally:
        tf.debugging.experimental.disable_dump_debug_info()

"""tf.config: one CPU, and the switches TF2 scripts set; tf.nest."""

from __future__ import annotations

import json

import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf

PROGRAM = """
result = [
    [list(d) for d in tf.config.list_physical_devices()],
    [list(d) for d in tf.config.list_logical_devices()],
    tf.config.list_physical_devices('GPU'),
    tf.config.get_soft_device_placement(),
    tf.config.functions_run_eagerly(),
    tf.nest.flatten({'b': [1, (2, 3)], 'a': 4}),
]
"""


def _ours():
    scope = {"tf": tf}
    exec(PROGRAM, scope)
    return scope["result"]


def test_devices_and_switches():
    devices, logical, gpus, soft, eager_functions, flat = _ours()
    assert devices == [["/physical_device:CPU:0", "CPU"]]
    assert logical == [["/device:CPU:0", "CPU"]] and gpus == []
    assert soft is True and eager_functions is False
    assert flat == [4, 1, 2, 3]
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.experimental.set_memory_growth(cpu, True)
    assert tf.config.experimental.get_memory_growth(cpu)
    tf.config.threading.set_inter_op_parallelism_threads(2)
    assert tf.config.threading.get_inter_op_parallelism_threads() == 2
    tf.config.threading.set_inter_op_parallelism_threads(0)


@pytest.mark.tf
@requires_tf
def test_matches_tensorflow():
    theirs = json.loads(run_tf(PROGRAM + "print(json.dumps(result))\n", v1=False))
    assert _ours() == theirs


def test_run_functions_eagerly_runs_the_python_body_each_call():
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return x + 1

    tf.config.run_functions_eagerly(True)
    try:
        f(tf.constant(1))
        f(tf.constant(2))
    finally:
        tf.config.run_functions_eagerly(False)
    assert len(calls) == 2

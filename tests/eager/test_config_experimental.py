"""tf.config.experimental's runtime switches and memory queries, as TF answers on a
CPU-only machine (values, error class and message)."""

from __future__ import annotations

import pytest

from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
import json
E = tf.config.experimental
def attempt(f):
    try:
        return ["ok", f()]
    except Exception as e:
        return [type(e).__name__, str(e)]

cpu = tf.config.list_physical_devices("CPU")[0]
out = [attempt(lambda: E.get_device_details(cpu)),
       attempt(lambda: E.get_device_details("CPU:0")),
       attempt(lambda: E.get_device_details(
           tf.config.PhysicalDevice("/physical_device:GPU:0", "GPU")))]
for policy in ["warn", "explicit", "silent_for_int32", None, "bad", "SILENT"]:
    out.append([attempt(lambda: E.set_device_policy(policy)), E.get_device_policy()])
for sync in [False, None, 0, True]:
    out.append([attempt(lambda: E.set_synchronous_execution(sync)), E.get_synchronous_execution()])
out.append(E.tensor_float_32_execution_enabled())
E.enable_tensor_float_32_execution(False)
out.append(E.tensor_float_32_execution_enabled())
E.enable_tensor_float_32_execution(True)
out.append([E.enable_mlir_bridge(), E.disable_mlir_bridge()])
for device in ["CPU:0", "/cpu:0", "/device:CPU:0", "/job:localhost/replica:0/task:0/device:CPU:0",
               "", "GPU:0", "cpu:0", "CPU:1", "/device:GPU:0", "TPU:0", "CPU", "bad"]:
    out.append([attempt(lambda: E.get_memory_info(device)),
                attempt(lambda: E.reset_memory_stats(device))])
out.append(attempt(lambda: E.get_memory_usage("CPU:0")))
filters = E.ClusterDeviceFilters()
out.append(attempt(lambda: filters.set_device_filters("worker", 0, ["/job:ps"])))
out.append(attempt(lambda: filters.set_device_filters("worker", 1, [1])))
print(json.dumps(out))
"""


def test_switches_and_memory_queries_on_a_cpu():
    out = run_here_json(PROGRAM)
    assert out[0] == ["ok", {}]
    assert out[1][0] == "ValueError" and "tf.config.PhysicalDevice" in out[1][1]
    assert out[7] == [["ValueError", out[7][0][1]], "silent"]
    assert "Invalid argument `device_policy`" in out[7][0][1]
    assert out[-1][0] == "AssertionError"


@pytest.mark.tf
@requires_tf
def test_matches_tensorflow():
    assert run_here_json(PROGRAM) == run_tf_json(PROGRAM)

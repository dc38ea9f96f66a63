"""Session state containers: per-task resource stores, cells, per-op kernel state."""

from __future__ import annotations

import numpy as np

import tfgraph as tf
from tfgraph.client.passes import KernelContext, bind_kernel
from tfgraph.framework.resources import DeviceStores


def test_each_task_named_by_a_device_gets_its_own_store():
    stores = DeviceStores()
    local = stores.for_device("")
    assert stores.for_device("/device:CPU:0") is local
    assert stores.for_device("/job:localhost/replica:0/task:0/device:CPU:0") is local
    ps0 = stores.for_device("/job:ps/task:0")
    assert ps0 is not local
    assert stores.for_device("/job:ps/replica:0/task:0/device:CPU:0") is ps0
    assert stores.for_device("/job:ps/task:1") is not ps0
    assert set(stores.tasks()) == {("ps", 0, 0), ("ps", 0, 1)}


def test_a_variable_on_another_task_keeps_its_state_in_that_tasks_store():
    with tf.device("/job:ps/task:0"):
        v = tf.Variable(1.0, name="v")
    w = tf.Variable(2.0, name="w")
    stores = DeviceStores()
    ctx = KernelContext(stores, None, tf.get_default_graph())
    bind_kernel(v.op, ctx)()
    bind_kernel(w.op, ctx)()
    assert ("", "v") in stores.for_device("/job:ps/task:0").cells
    assert ("", "v") not in stores.local.cells and ("", "w") in stores.local.cells
    stores.reset()
    assert not stores.for_device("/job:ps/task:0").cells and not stores.local.cells


def test_random_streams_are_keyed_by_op_name():
    """A kernel bound again for an op of the same name (as eager execution or a
    re-imported graph does) continues the session's stream instead of restarting it."""

    def draw(stores):
        with tf.Graph().as_default() as g:
            r = tf.random_uniform([3], seed=1, name="r")
            return bind_kernel(r.op, KernelContext(stores, None, g))(np.array([3]))

    stores = DeviceStores()
    first, second = draw(stores), draw(stores)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(draw(DeviceStores()), first)

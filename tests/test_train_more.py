"""tf.train extras compared with TF: AdagradDAOptimizer (dense/sparse, ref/resource
variables, l1/l2; graphs, slots and values over several steps)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.ops.test_data_flow_ops import run_both
from tests.tfrun import requires_tf

ADAGRAD_DA = r"""
def build(use_resource, l1, l2, sparse, dtype=tf.float32):
    gs = tf.train.get_or_create_global_step()
    if sparse:
        gs = tf.Variable(3, dtype=tf.int64, name="step")
    v = tf.get_variable("w", initializer=tf.constant([[0.5, -1.0], [2.0, 0.25], [1.0, 1.0]], dtype),
                        use_resource=use_resource)
    x = tf.constant([[1.0, 2.0], [-3.0, 0.5]], dtype)
    if sparse:
        loss = tf.reduce_sum(tf.square(tf.gather(v, [2, 0])) * x)
    else:
        w = tf.constant([[1.0, 2.0], [-3.0, 0.5], [0.3, -0.7]], dtype)
        loss = tf.reduce_sum(tf.square(v) * w)
    opt = tf.train.AdagradDAOptimizer(0.1, gs, 0.2, l1, l2)
    train = opt.minimize(loss, global_step=gs if not sparse else None)
    return v, opt, train
result = {}
for k, (res, l1, l2, sp) in enumerate([(False, 0.0, 0.0, False), (False, 0.05, 0.1, False),
                                       (True, 0.01, 0.2, False), (False, 0.05, 0.1, True),
                                       (True, 0.0, 0.3, True)]):
    with tf.Graph().as_default():
        v, opt, train = build(res, l1, l2, sp)
        names = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()
                       if o.type != "ReadVariableOp")
        slot_names = sorted(opt.get_slot_names())
        slots = slot_names + [opt.get_slot(v, n).name for n in slot_names]
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            vals = []
            for _ in range(3):
                s.run(train)
                vals.append(s.run([v] + [opt.get_slot(v, n) for n in sorted(opt.get_slot_names())]))
        result[str(k)] = {"ops": names, "slots": slots, "vals": vals,
                          "vars": sorted(x.name for x in tf.global_variables())}
try:
    tf.train.AdagradDAOptimizer(0.1, None, 0.0)
except ValueError as e:
    result["err"] = str(e)
"""


@pytest.mark.tf
@requires_tf
def test_adagrad_da_matches_tf():
    here, theirs = run_both(ADAGRAD_DA)
    assert here["err"] == theirs["err"]
    for k in range(5):
        mine, tf_run = here[str(k)], theirs[str(k)]
        for key in ("ops", "slots", "vars"):
            assert mine[key] == tf_run[key], (k, key)
        for a, b in zip(mine["vals"], tf_run["vals"]):
            for x, y in zip(a, b):
                np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-7)

"""tf.train extras compared with TF: AdagradDAOptimizer (dense/sparse, ref/resource
variables, l1/l2; graphs, slots and values over several steps), warm_start and VocabInfo
(plain, renamed and vocabulary-remapped variables from a Saver checkpoint)."""

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


WARM_START = r"""
import os, tempfile
d = tempfile.mkdtemp()
ckpt = os.path.join(d, "model")
old_vocab = os.path.join(d, "old.txt"); new_vocab = os.path.join(d, "new.txt")
open(old_vocab, "w").write("apple\nbanana\ncherry\ndate\n")
open(new_vocab, "w").write("cherry\nfig\napple\ndate\nbanana\n")
with tf.Graph().as_default():
    a = tf.get_variable("a", initializer=tf.constant([[1.0, 2.0], [3.0, 4.0]]))
    emb = tf.get_variable("emb", initializer=tf.reshape(tf.range(12.0), [4, 3]))
    emb2 = tf.get_variable("emb2", initializer=tf.reshape(tf.range(8.0), [4, 2]))
    out = tf.get_variable("out", initializer=tf.reshape(tf.range(8.0), [2, 4]) * 10)
    b = tf.get_variable("scope/b", initializer=tf.constant([5.0, 6.0]))
    old_name = tf.get_variable("old_name", initializer=tf.constant([7.0, 8.0, 9.0]))
    bias = tf.get_variable("bias", initializer=tf.constant([0.5, 1.5, 2.5, 3.5]))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        tf.train.Saver().save(s, ckpt)
result = {}


def minus_one(shape, dtype=None, partition_info=None):
    return tf.fill(shape, -1.0)


with tf.Graph().as_default():
    a = tf.get_variable("a", shape=[2, 2], initializer=tf.zeros_initializer())
    emb = tf.get_variable("emb", shape=[6, 3], initializer=tf.zeros_initializer())
    emb2 = tf.get_variable("emb2", shape=[4, 2], initializer=tf.ones_initializer())
    out = tf.get_variable("out", shape=[2, 5], initializer=tf.zeros_initializer())
    b = tf.get_variable("scope/b", shape=[2], initializer=tf.zeros_initializer())
    new_name = tf.get_variable("new_name", shape=[3], initializer=tf.zeros_initializer())
    bias = tf.get_variable("bias", shape=[4], initializer=tf.zeros_initializer())
    untouched = tf.get_variable("untouched", shape=[2], initializer=tf.ones_initializer(),
                                trainable=False)
    tf.train.warm_start(
        ckpt, vars_to_warm_start=".*",
        var_name_to_vocab_info={
            "emb": tf.train.VocabInfo(new_vocab, 5, 1, old_vocab, backup_initializer=minus_one),
            "emb2": tf.train.VocabInfo(new_vocab, 4, 0, old_vocab, old_vocab_size=2),
            "out": tf.train.VocabInfo(new_vocab, 5, 0, old_vocab, old_vocab_size=3, axis=1),
        },
        var_name_to_prev_var_name={"new_name": "old_name"})
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        result["values"] = s.run([a, emb, emb2, out, b, new_name, bias, untouched])
with tf.Graph().as_default():
    a = tf.get_variable("a", shape=[2, 2], initializer=tf.zeros_initializer())
    b = tf.get_variable("scope/b", shape=[2], initializer=tf.zeros_initializer())
    tf.train.warm_start(ckpt, vars_to_warm_start=["scope"])
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        result["partial"] = s.run([a, b])
errs = []
for kw in [dict(var_name_to_prev_var_name={"nope": "a"}),
           dict(vars_to_warm_start=3)]:
    with tf.Graph().as_default():
        tf.get_variable("a", shape=[2, 2])
        try:
            tf.train.warm_start(ckpt, **kw)
        except ValueError as e:
            errs.append(str(e).split(".")[0])
try:
    tf.train.VocabInfo("x", 1, 0, "y", axis=2)
except ValueError as e:
    errs.append(str(e))
result["errs"] = errs
result["fields"] = list(tf.train.VocabInfo._fields)
"""


@pytest.mark.tf
@requires_tf
def test_warm_start_matches_tf():
    here, theirs = run_both(WARM_START)
    for key in theirs:
        assert here[key] == theirs[key], key

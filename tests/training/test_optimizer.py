"""tf.train.Optimizer and its subclasses: slots, names, collections, minimize /
compute_gradients / apply_gradients, learning rates as tensors, errors."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf


def _quadratic():
    w = tf.Variable([1.0, -2.0], name="w")
    b = tf.get_variable("b", [], initializer=tf.constant_initializer(3.0))
    loss = tf.reduce_sum(tf.square(w)) + tf.square(b)
    return w, b, loss


OPTIMIZERS = {
    "GradientDescent": lambda: tf.train.GradientDescentOptimizer(0.1),
    "Momentum": lambda: tf.train.MomentumOptimizer(0.1, 0.9),
    "Adam": lambda: tf.train.AdamOptimizer(0.1),
    "Adagrad": lambda: tf.train.AdagradOptimizer(0.5),
    "Adadelta": lambda: tf.train.AdadeltaOptimizer(10.0),
    "RMSProp": lambda: tf.train.RMSPropOptimizer(0.05),
    "CenteredRMSProp": lambda: tf.train.RMSPropOptimizer(0.05, momentum=0.5, centered=True),
    "Ftrl": lambda: tf.train.FtrlOptimizer(0.5),
    "ProximalGradientDescent": lambda: tf.train.ProximalGradientDescentOptimizer(0.1),
    "ProximalAdagrad": lambda: tf.train.ProximalAdagradOptimizer(0.5),
}

SLOTS = {
    "GradientDescent": ([], []),
    "Momentum": (["momentum"], ["w/Momentum"]),
    "Adam": (["m", "v"], ["w/Adam", "w/Adam_1"]),
    "Adagrad": (["accumulator"], ["w/Adagrad"]),
    "Adadelta": (["accum", "accum_update"], ["w/Adadelta", "w/Adadelta_1"]),
    "RMSProp": (["momentum", "rms"], ["w/RMSProp", "w/RMSProp_1"]),
    "CenteredRMSProp": (["mg", "momentum", "rms"], ["w/RMSProp", "w/RMSProp_1", "w/RMSProp_2"]),
    "Ftrl": (["accum", "linear"], ["w/Ftrl", "w/Ftrl_1"]),
    "ProximalGradientDescent": ([], []),
    "ProximalAdagrad": (["accumulator"], ["w/ProximalAdagrad"]),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_minimize_decreases_the_loss_and_counts_steps(name):
    w, _, loss = _quadratic()
    opt = OPTIMIZERS[name]()
    gs = tf.train.get_or_create_global_step()
    train = opt.minimize(loss, global_step=gs)
    assert train.type == "AssignAdd" and train.name == opt.get_name()
    assert tf.get_collection(tf.GraphKeys.TRAIN_OP) == [train]
    slot_names, slot_vars = SLOTS[name]
    assert opt.get_slot_names() == slot_names
    assert sorted(opt.get_slot(w, n).op.name for n in slot_names) == slot_vars
    assert opt.get_slot(w, "nope") is None
    for slot in (opt.get_slot(w, n) for n in slot_names):
        assert not slot.trainable and slot in tf.global_variables()
        assert slot.op.colocation_groups() == [b"loc:@w"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss)
        for _ in range(20):
            sess.run(train)
        assert sess.run(loss) < first
        assert sess.run(gs) == 20


def test_adam_non_slot_variables_and_variables():
    _, _, loss = _quadratic()
    opt = tf.train.AdamOptimizer()
    opt.minimize(loss)
    names = [v.op.name for v in opt.variables()]
    assert names == ["b/Adam", "b/Adam_1", "beta1_power", "beta2_power", "w/Adam", "w/Adam_1"]
    beta1_power = next(v for v in opt.variables() if v.op.name == "beta1_power")
    assert beta1_power.op.colocation_groups() == [b"loc:@b"]  # the first variable by name
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(beta1_power), 0.9)
    # a second optimizer in another graph has no variables here
    with tf.Graph().as_default():
        assert opt.variables() == []


def test_apply_gradients_reuses_slots_and_names_scopes():
    w = tf.Variable([1.0, 2.0], name="w")
    opt = tf.train.MomentumOptimizer(0.1, 0.9)
    a = opt.apply_gradients([(tf.constant([1.0, 1.0]), w)])
    b = opt.apply_gradients([(tf.constant([1.0, 1.0]), w)], name="second")
    assert (a.name, b.name) == ("Momentum", "second")
    assert [v.op.name for v in tf.global_variables()] == ["w", "w/Momentum"]
    assert b.control_inputs[0].name == "second/update_w/ApplyMomentum"


def test_var_list_and_none_gradients():
    w = tf.Variable(1.0, name="w")
    unused = tf.Variable(5.0, name="unused")
    opt = tf.train.GradientDescentOptimizer(0.5)
    gv = opt.compute_gradients(w * w, var_list=[w, unused])
    assert gv[1] == (None, unused)
    train = opt.apply_gradients(gv)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run([w, unused]) == [0.0, 5.0]


def test_learning_rate_tensor_and_callable():
    w = tf.Variable(1.0, name="w")
    lr = tf.placeholder(tf.float32, [], name="lr")
    train = tf.train.GradientDescentOptimizer(lr).minimize(w * w)
    train2 = tf.train.GradientDescentOptimizer(lambda: tf.constant(0.25)).minimize(w * w)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {lr: 0.5})  # w -= 0.5 * 2w
        assert sess.run(w) == 0.0
        sess.run(w.initializer)
        sess.run(train2)
        assert sess.run(w) == 0.5


def test_gate_graph_and_grad_loss():
    w = tf.Variable([1.0, 2.0], name="w")
    opt = tf.train.GradientDescentOptimizer(1.0)
    gv = opt.compute_gradients(
        tf.reduce_sum(w), gate_gradients=opt.GATE_GRAPH, grad_loss=tf.constant(3.0)
    )
    train = opt.apply_gradients(gv)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_array_equal(sess.run(w), [-2.0, -1.0])


def test_constraint_is_applied_after_the_update():
    w = tf.Variable([1.0, -1.0], name="w", constraint=lambda t: tf.clip_by_value(t, 0.0, 0.5))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [0.5, 0.0])


def test_sparse_gradients_from_embedding_lookup():
    emb = tf.Variable(np.ones((4, 2), np.float32), name="emb")
    loss = tf.reduce_sum(tf.nn.embedding_lookup(emb, [1, 1, 3]))
    opt = tf.train.GradientDescentOptimizer(0.5)
    ((grad, _),) = opt.compute_gradients(loss)
    assert isinstance(grad, tf.IndexedSlices)
    train = opt.apply_gradients([(grad, emb)])
    assert train.control_inputs[0].type == "ScatterSub"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_array_equal(sess.run(emb)[:, 0], [1.0, 0.0, 1.0, 0.5])


def test_sparse_adagrad_sums_duplicate_rows_first():
    emb = tf.Variable(np.ones((3, 1), np.float32), name="emb")
    loss = tf.reduce_sum(tf.nn.embedding_lookup(emb, [0, 0]))
    train = tf.train.AdagradOptimizer(1.0, initial_accumulator_value=1.0).minimize(loss)
    ops = [op.type for op in tf.get_default_graph().get_operations()]
    assert "Unique" in ops and "UnsortedSegmentSum" in ops and "SparseApplyAdagrad" in ops
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        # one row update with the summed gradient 2: accum 1 + 4, var 1 - 2 / sqrt(5)
        np.testing.assert_allclose(sess.run(emb)[:, 0], [1 - 2 / np.sqrt(5), 1.0, 1.0], 1e-6)


def test_errors():
    w = tf.Variable(1.0, name="w")
    opt = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(ValueError, match="No variables provided."):
        opt.apply_gradients([])
    with pytest.raises(ValueError, match="No gradients provided for any variable: "):
        opt.apply_gradients([(None, w)])
    with pytest.raises(ValueError, match="gate_gradients must be one of"):
        opt.compute_gradients(w * 2.0, gate_gradients=7)
    with pytest.raises(ValueError, match="Invalid type tf.int32 for"):
        opt.minimize(tf.cast(w, tf.int32))
    with pytest.raises(ValueError, match="No gradients provided for any variable, check"):
        opt.minimize(tf.constant(2.0) * 3.0, var_list=[w])
    with pytest.raises(NotImplementedError, match="Trying to optimize unsupported type"):
        opt.compute_gradients(w * 2.0, var_list=["w"])
    with pytest.raises(ValueError, match="Must specify the optimizer name"):
        tf.train.Optimizer(False, "")
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=-1.0)
    with pytest.raises(ValueError, match="l1_regularization_strength -1.000000 needs"):
        tf.train.FtrlOptimizer(0.1, l1_regularization_strength=-1.0)
    t = tf.constant(1.0)
    ((g, v),) = opt.compute_gradients(t * 2.0, var_list=[t])  # gradients wrt a tensor...
    assert v is t
    with pytest.raises(NotImplementedError, match="Trying to update a Tensor"):
        opt.apply_gradients([(g, t)])  # ...cannot be applied


def test_use_locking_is_recorded_on_the_update_ops():
    w = tf.Variable([1.0], name="w")
    opt = tf.train.AdamOptimizer(use_locking=True)
    train = opt.minimize(tf.reduce_sum(w))
    apply = tf.get_default_graph().get_operation_by_name("Adam/update_w/ApplyAdam")
    assert apply.get_attr("use_locking") is True
    assert train in tf.get_collection(tf.GraphKeys.TRAIN_OP)

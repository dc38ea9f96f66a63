"""Resource variables in graphs (use_resource=True, tf.enable_resource_variables()):
TF's op structure, reads that see updates, optimizers, checkpoints and meta graphs
both ways with TensorFlow."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf

STRUCTURE = """
v = tf.Variable([1.0, 2.0], name="v", use_resource=True)
ops = [[o.type, o.name, [i.name for i in o.inputs], sorted(o.node_def.attr)]
       for o in tf.get_default_graph().get_operations()]
result = [ops, repr(v), v.initializer.name, str(v.to_proto())]
"""

TRAINING = """
w = tf.get_variable("w", [3, 2], use_resource=True,
                    initializer=tf.constant_initializer([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]]))
emb = tf.get_variable("emb", [5, 2], use_resource=True, initializer=tf.ones_initializer())
loss = tf.reduce_sum(w * w) + tf.reduce_sum(tf.gather(emb, [1, 1, 3]) * [2.0, 3.0])
steps = [tf.train.AdamOptimizer(0.1).minimize(loss),
         tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True).minimize(loss),
         tf.train.RMSPropOptimizer(0.01).minimize(loss),
         tf.train.AdagradOptimizer(0.1).minimize(loss),
         tf.train.GradientDescentOptimizer(0.1).minimize(loss)]
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        for s in steps:
            sess.run(s)
    values = sess.run([w, emb])
types = sorted(set(o.type for o in tf.get_default_graph().get_operations()
                   if o.type.startswith("Resource")))
result = [[x.tolist() for x in values], types, [v.name for v in tf.global_variables()]]
"""


def _run(program):
    scope = {"tf": tf, "np": np}
    exec(program, scope)
    return scope["result"]


def test_graph_structure_is_tensorflows():
    ops, text, init, _ = _run(STRUCTURE)
    assert [o[:2] for o in ops] == [
        ["Const", "v/Initializer/initial_value"],
        ["VarHandleOp", "v"],
        ["VarIsInitializedOp", "v/IsInitialized/VarIsInitializedOp"],
        ["AssignVariableOp", "v/Assign"],
        ["ReadVariableOp", "v/Read/ReadVariableOp"],
    ]
    assert text == "<tf.Variable 'v:0' shape=(2,) dtype=float32>" and init == "v/Assign"


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("program", [STRUCTURE, TRAINING], ids=["structure", "training"])
def test_matches_tensorflow(program):
    theirs = json.loads(run_tf(program + "print(json.dumps(result))\n").strip().splitlines()[-1])
    ours = _run(program)
    if program is TRAINING:
        np.testing.assert_allclose(ours[0][0], theirs[0][0], rtol=1e-5)
        np.testing.assert_allclose(ours[0][1], theirs[0][1], rtol=1e-5)
        assert ours[1:] == theirs[1:]
    else:
        assert ours == theirs


def test_reads_see_updates_and_uninitialized_reads_fail():
    v = tf.Variable([1.0, 2.0], name="v", use_resource=True)
    doubled = v * 2.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="Could not find variable v"):
            sess.run(doubled)
        sess.run(v.initializer)
        assert sess.run(v.assign([3.0, 4.0])).tolist() == [3.0, 4.0]
        assert sess.run(doubled).tolist() == [6.0, 8.0]
        assert sess.run(v.assign_add([1.0, 1.0])).tolist() == [4.0, 5.0]
        sess.run(v.scatter_sub(tf.IndexedSlices(tf.constant([1.0]), tf.constant([1]))))
        assert sess.run(v).tolist() == [4.0, 4.0]
        assert sess.run(tf.is_variable_initialized(v))
    with pytest.raises(ValueError, match="Shape mismatch"):
        v.assign([1.0, 2.0, 3.0])


def test_enable_resource_variables_switches_tf_variable():
    tf.enable_resource_variables()
    assert tf.resource_variables_enabled()
    v = tf.Variable(1.0)
    w = tf.get_variable("w", [2])
    assert v.op.type == "VarHandleOp" and w.op.type == "VarHandleOp"
    tf.disable_resource_variables()
    assert tf.Variable(1.0).op.type == "VariableV2"


def test_gradients_and_gather():
    w = tf.get_variable("w", [3, 2], use_resource=True, initializer=tf.ones_initializer())
    g = tf.gather(w, [0, 0])
    assert g.op.type == "ResourceGather"
    sparse = tf.gradients(tf.reduce_sum(g), w)[0]
    dense = tf.gradients(tf.reduce_sum(w * 2.0), w)[0]
    assert isinstance(sparse, tf.IndexedSlices)
    with tf.Session() as sess:
        sess.run(w.initializer)
        s, d = sess.run([sparse, dense])
    assert s.indices.tolist() == [0, 0] and d.tolist() == [[2.0, 2.0]] * 3


def _save_program(prefix):
    return f"""
w = tf.get_variable("w", [3, 2], use_resource=True, initializer=tf.ones_initializer())
v = tf.Variable([1.0, 2.0], name="v", use_resource=True)
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(w.assign(w * 3.0))
    saver.save(sess, {prefix!r})
"""


def _restore_program(prefix):
    return f"""
saver = tf.train.import_meta_graph({prefix!r} + ".meta")
names = [v.name for v in tf.global_variables()]
with tf.Session() as sess:
    saver.restore(sess, {prefix!r})
    values = [x.tolist() for x in sess.run(tf.global_variables())]
result = [names, values]
"""


def test_checkpoints_and_meta_graphs_round_trip(tmp_path):
    exec(_save_program(str(tmp_path / "m")), {"tf": tf})
    tf.reset_default_graph()
    names, values = _run(_restore_program(str(tmp_path / "m")))
    assert names == ["w:0", "v:0"] and values == [[[3.0, 3.0]] * 3, [1.0, 2.0]]
    assert dict(tf.train.list_variables(str(tmp_path / "m"))) == {"v": [2], "w": [3, 2]}


@pytest.mark.tf
@requires_tf
def test_checkpoints_cross_read_with_tensorflow(tmp_path):
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "theirs")
    exec(_save_program(ours), {"tf": tf})
    got = json.loads(
        run_tf(_restore_program(ours) + "print(json.dumps(result))\n").strip().splitlines()[-1]
    )
    assert got == [["w:0", "v:0"], [[[3.0, 3.0]] * 3, [1.0, 2.0]]]
    run_tf(_save_program(theirs))
    tf.reset_default_graph()
    assert _run(_restore_program(theirs)) == got


# -- behaviours checked one by one with TF 2.21 (compat.v1 graph mode) --------------------------
def test_updates_chained_on_an_assign_run_after_it():
    tf.reset_default_graph()
    v = tf.Variable([1.0, 2.0], use_resource=True)
    a = v.assign([3.0, 4.0]).assign_add([1.0, 1.0])
    b = v.assign([0.0, 0.0]).scatter_add(tf.IndexedSlices(tf.constant([2.0]), tf.constant([1])))
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(a), [4.0, 5.0])  # TF: [4, 5]
        np.testing.assert_array_equal(sess.run(v), [4.0, 5.0])
        np.testing.assert_array_equal(sess.run(b), [0.0, 2.0])


def test_on_read_variables_may_be_trainable():
    tf.reset_default_graph()
    sync = tf.VariableSynchronization.ON_READ
    assert tf.Variable(1.0, use_resource=True, trainable=True, synchronization=sync).trainable
    assert not tf.Variable(1.0, use_resource=True, synchronization=sync).trainable


def test_invalid_synchronization_and_aggregation_messages():
    tf.reset_default_graph()
    with pytest.raises(
        ValueError, match="Invalid variable synchronization mode: 5 for variable: None"
    ):
        tf.Variable(1.0, use_resource=True, synchronization=5)
    with pytest.raises(ValueError, match="Invalid variable aggregation mode: x for variable: None"):
        tf.Variable(1.0, use_resource=True, aggregation="x")


def test_conversion_to_another_dtype_fails_as_tf():
    tf.reset_default_graph()
    v = tf.Variable([1.0, 2.0], use_resource=True)
    with pytest.raises(ValueError) as err:
        tf.convert_to_tensor(v, dtype=tf.int32)
    assert str(err.value) == (
        "Incompatible type conversion requested to type int32 for `tf.Variable of type "
        "float32. (Variable: <tf.Variable 'Variable:0' shape=(2,) dtype=float32>)"
    )


def test_handle_debug_name_and_caching_device_read():
    tf.reset_default_graph()
    v = tf.Variable([1.0, 2.0], use_resource=True, name="a/b")
    assert v.handle.op.get_attr("debug_name") == b"a/b/"
    w = tf.Variable(1.0, use_resource=True, caching_device="/cpu:0")
    ops = [
        (o.name, o.type) for o in tf.get_default_graph().get_operations() if "Variable" in o.name
    ]
    assert ops[-2:] == [
        ("Variable/Read/ReadVariableOp", "ReadVariableOp"),
        ("Variable/Read/Identity", "Identity"),
    ]
    assert w.to_proto().snapshot_name == "Variable/Read/Identity:0"
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(w) == 1.0


def test_saver_saves_the_graph_element_and_restores_through_identity(tmp_path):
    tf.reset_default_graph()
    v = tf.Variable([1.0, 2.0], use_resource=True, name="v")
    saver = tf.train.Saver()
    g = tf.get_default_graph()
    save = g.get_operation_by_name("save/SaveV2")
    assert save.inputs[3].name == "v/Read/ReadVariableOp:0"  # as TF
    assign = g.get_operation_by_name("save/AssignVariableOp")
    assert [i.name for i in assign.inputs] == ["v:0", "save/Identity:0"]
    assert g.get_operation_by_name("save/Identity").inputs[0].name == "save/RestoreV2:0"
    with tf.Session() as sess:
        sess.run(v.initializer)
        path = saver.save(sess, str(tmp_path / "m"))
        sess.run(v.assign([0.0, 0.0]))
        saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])


def test_init_from_checkpoint_into_a_resource_variable(tmp_path):
    tf.reset_default_graph()
    v = tf.Variable([1.0, 2.0], use_resource=True, name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(v.initializer)
        saver.save(sess, str(tmp_path / "m"))
    tf.reset_default_graph()
    w = tf.get_variable("w", [2], use_resource=True)
    tf.train.init_from_checkpoint(str(tmp_path), {"v": "w"})
    assert w.initializer.type == "AssignVariableOp"  # as TF
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(w), [1.0, 2.0])


def test_minimize_with_a_resource_global_step_returns_the_increment_op():
    tf.reset_default_graph()
    with tf.variable_scope("", use_resource=True):
        step = tf.train.get_or_create_global_step()
    v = tf.Variable(1.0, use_resource=True)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(v * v, global_step=step)
    assert isinstance(train, tf.Operation)
    assert (train.type, train.name) == ("AssignAddVariableOp", "GradientDescent")  # as TF
    assert train in tf.get_collection(tf.GraphKeys.TRAIN_OP)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run(step) == 1
        assert sess.run(v) == pytest.approx(0.8)


def test_convert_variables_to_constants_freezes_resource_variables():
    tf.reset_default_graph()
    v = tf.Variable([1.0, 2.0], use_resource=True, name="v")
    y = tf.identity(v * 3.0, name="y")
    with tf.Session() as sess:
        sess.run(v.initializer)
        frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph_def, ["y"])
    # TF: the handle becomes a Const named v, its read an Identity
    assert sorted((n.name, n.op) for n in frozen.node) == [
        ("ReadVariableOp", "Identity"),
        ("mul", "Mul"),
        ("mul/y", "Const"),
        ("v", "Const"),
        ("y", "Identity"),
    ]
    with tf.Graph().as_default():
        tf.import_graph_def(frozen, name="")
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run("y:0"), [3.0, 6.0])
    del y


OPTIMIZERS = {
    "gd": "tf.train.GradientDescentOptimizer(0.1)",
    "momentum": "tf.train.MomentumOptimizer(0.1, 0.9)",
    "nesterov": "tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True)",
    "adam": "tf.train.AdamOptimizer(0.1)",
    "adagrad": "tf.train.AdagradOptimizer(0.1)",
    "adadelta": "tf.train.AdadeltaOptimizer(1.0)",
    "rmsprop": "tf.train.RMSPropOptimizer(0.1)",
    "centered_rmsprop": "tf.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True)",
    "ftrl": "tf.train.FtrlOptimizer(0.1)",
    "ftrl_v2": "tf.train.FtrlOptimizer(0.1, l2_shrinkage_regularization_strength=0.1)",
    "proximal_gd": "tf.train.ProximalGradientDescentOptimizer(0.1, l1_regularization_strength=.01)",
    "proximal_adagrad": "tf.train.ProximalAdagradOptimizer(0.1, l1_regularization_strength=0.01)",
}

OPTIMIZER_PROGRAM = """
v = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], use_resource=True, name="v")
dense = tf.reduce_sum(v * v)
sparse = tf.reduce_sum(tf.gather(v, [0, 2, 0]) ** 2)
train = {optimizer}.minimize(dense if {dense} else sparse)
types = sorted({{o.type for o in tf.get_default_graph().get_operations()
                 if o.type.startswith("Resource")}})
slots = sorted((x.name, type(x).__name__) for x in tf.global_variables())
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        sess.run(train)
    value = sess.run(v).tolist()
result = [types, slots, value]
"""


def _all_optimizer_programs() -> dict:
    return {
        f"{name}-{'dense' if dense else 'sparse'}": OPTIMIZER_PROGRAM.format(
            optimizer=OPTIMIZERS[name], dense=dense
        )
        for name in sorted(OPTIMIZERS)
        for dense in (True, False)
    }


@pytest.mark.tf
@requires_tf
def test_every_optimizer_applies_resource_ops_as_tensorflow():
    programs = _all_optimizer_programs()
    driver = (
        f"programs = {programs!r}\nresults = {{}}\n"
        "for key, program in programs.items():\n"
        "    tf.reset_default_graph()\n"
        "    scope = {'tf': tf, 'np': np}\n"
        "    exec(program, scope)\n"
        "    results[key] = scope['result']\n"
        "print(json.dumps(results))\n"
    )
    theirs = json.loads(run_tf(driver).strip().splitlines()[-1])
    for key, program in programs.items():
        tf.reset_default_graph()
        ours = json.loads(json.dumps(_run(program)))
        # the ResourceApply*/ResourceSparseApply* ops, the slots, the values
        assert ours[:2] == theirs[key][:2], key
        np.testing.assert_allclose(ours[2], theirs[key][2], rtol=1e-5, atol=1e-6, err_msg=key)


TF_WRITES_META_GRAPH = """
v = tf.Variable([1.0, 2.0], use_resource=True, name="v")
w = tf.get_variable("w", [2, 2], use_resource=True, initializer=tf.ones_initializer())
y = tf.identity(tf.reduce_sum(v * v) + tf.reduce_sum(w), name="y")
train = tf.train.AdamOptimizer(0.1).minimize(y, name="train")
tf.add_to_collection("train", train)
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train)
    saver.save(sess, {path!r})
tf.io.write_graph(tf.get_default_graph().as_graph_def(), {folder!r}, "graph.pb", as_text=False)
with tf.Session() as sess:
    saver.restore(sess, {path!r})
    sess.run(train)
    print(json.dumps([sess.run(v).tolist(), sess.run(w).tolist()]))
"""


@pytest.mark.tf
@requires_tf
def test_tensorflow_written_meta_graph_and_graph_def_run(tmp_path):
    path = str(tmp_path / "model")
    out = run_tf(TF_WRITES_META_GRAPH.format(path=path, folder=str(tmp_path)))
    theirs = json.loads(out.strip().splitlines()[-1])
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(path + ".meta")
    variables = tf.global_variables()
    assert [(x.name, type(x).__name__) for x in variables][:2] == [
        ("v:0", "ResourceVariable"),
        ("w:0", "ResourceVariable"),
    ]
    with tf.Session() as sess:
        saver.restore(sess, path)
        sess.run(tf.get_collection("train"))
        np.testing.assert_allclose(sess.run(variables[0]), theirs[0], rtol=1e-6)
        np.testing.assert_allclose(sess.run(variables[1]), theirs[1], rtol=1e-6)
    graph_def = tf.GraphDef()
    graph_def.ParseFromString((tmp_path / "graph.pb").read_bytes())
    with tf.Graph().as_default():
        tf.import_graph_def(graph_def, name="")
        with tf.Session() as sess:
            sess.run(["v/Assign", "w/Assign"])
            assert sess.run("y:0") == pytest.approx(9.0)


def test_sliced_assign_on_resource_and_reference_variables():
    tf.reset_default_graph()
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]], use_resource=True)
    a = v[0].assign([9.0, 9.0])
    b = v[:, 1:].assign([[7.0], [8.0]], name="foo")
    assert (a.op.type, a.op.name, b.op.name) == (
        "ResourceStridedSliceAssign",
        "strided_slice/_assign",
        "foo",
    )  # as TF
    assert [i.name for i in a.op.inputs][:4] == [
        "Variable:0",
        "strided_slice/stack:0",
        "strided_slice/stack_1:0",
        "strided_slice/stack_2:0",
    ]
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
    c = w[0].assign([5.0, 6.0])
    d = w[1, 1:].assign([9.0])
    assert (c.op.type, c.op.name, c.dtype) == (
        "StridedSliceAssign",
        "strided_slice_2/_assign",
        tf.float32._as_ref,
    )
    assert not hasattr(tf.constant([1.0])[0], "assign")
    with tf.Session() as sess:
        sess.run([v.initializer, w.initializer])
        np.testing.assert_array_equal(sess.run(a), [[9.0, 9.0], [3.0, 4.0]])
        np.testing.assert_array_equal(sess.run(b), [[9.0, 7.0], [3.0, 8.0]])
        np.testing.assert_array_equal(sess.run(c), [[5.0, 6.0], [3.0, 4.0]])
        np.testing.assert_array_equal(sess.run(d), [[5.0, 6.0], [3.0, 9.0]])

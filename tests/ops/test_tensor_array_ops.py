"""tf.TensorArray and the TensorArrayV3 ops: values of every method (compared with real
TF, one TF process for all programs), gradients outside loops (numerical check and TF's
values), TF's errors for bad use, and GraphDefs with TensorArray loops both ways."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests import tfrun

# Each program builds a graph and sets `out` (a list of fetches) and optionally `feed`.
PROGRAMS = {
    "write_read_size": """
ta = tf.TensorArray(tf.float32, 3)
ta = ta.write(0, [1., 2.]).write(1, [3., 4.]).write(2, tf.constant([5., 6.]) * 2.)
out = [ta.read(1), ta.read(2), ta.size(), ta.read(0)]
""",
    "unstack_stack": """
x = tf.constant(np.arange(6.).reshape(3, 2), tf.float64)
ta = tf.TensorArray(tf.float64, 3).unstack(x)
out = [ta.stack()]
""",
    "scatter_gather_unwritten_zeros": """
ta = tf.TensorArray(tf.float32, 4, clear_after_read=False, element_shape=[2])
ta = ta.scatter([3, 0], [[1., 2.], [3., 4.]])
out = [ta.gather([3, 0, 3]), ta.stack()]
""",
    "split_concat": """
ta = tf.TensorArray(tf.int32, 3, infer_shape=False, clear_after_read=False)
ta = ta.split(tf.range(6), [1, 2, 3])
c = ta.concat()
out = [c, c.op.outputs[1], ta.read(2)]
""",
    "dynamic_size": """
ta = tf.TensorArray(tf.float32, 1, dynamic_size=True)
ta = ta.write(0, [1., 1.]).write(3, [2., 3.])
out = [ta.size(), ta.stack()]
""",
    "identity_and_placeholder_size": """
n = tf.placeholder(tf.int32, [])
ta = tf.TensorArray(tf.float32, n).unstack(tf.ones([4, 2]) * 3.)
out = [ta.identity().read(3), ta.size()]
feed = {n: 4}
""",
    "while_loop_accumulates": """
x = tf.constant([1., 2., 3., 4.])
src = tf.TensorArray(tf.float32, 4).unstack(x)
acc = tf.TensorArray(tf.float32, 4)
def body(i, total, acc):
    v = src.read(i)
    return i + 1, total + v, acc.write(i, total + v)
i, total, acc = tf.while_loop(lambda i, t, a: i < 4, body, [0, 0., acc])
out = [i, total, acc.stack()]
""",
    "close_after_reads": """
ta = tf.TensorArray(tf.float32, 2).write(0, 1.).write(1, 2.)
r = ta.read(0) + ta.read(1)
with tf.control_dependencies([r]):
    c = ta.close()
with tf.control_dependencies([c]):
    out = [tf.identity(r)]
""",
    "dynamic_size_while_loop": """
ta = tf.TensorArray(tf.int32, 0, dynamic_size=True)
def body(i, ta):
    return i + 1, ta.write(i, i * i)
_, ta = tf.while_loop(lambda i, ta: i < 5, body, [0, ta])
out = [ta.stack(), ta.size()]
""",
    # what a gradient loop does: TensorArrayGradV3 once per iteration, the forward handle
    # entering the loop as an invariant, every call giving the one gradient array
    "loop_calls_tensor_array_grad_per_iteration": """
ta = tf.TensorArray(tf.float32, 3).unstack(tf.ones([3, 2]))
def body(i, flow):
    g = tf.TensorArray(tf.float32, handle=ta.handle, flow=flow).grad("gradients", flow)
    g = g.write(i, tf.fill([2], tf.cast(i, tf.float32))).write(2 - i, tf.ones([2]))
    return i + 1, g.flow
_, flow = tf.while_loop(lambda i, f: i < 3, body, [0, ta.flow])
out = [ta.grad("gradients", flow).stack()]
""",
}

GRAD_PROGRAMS = {
    "read": """
x = tf.placeholder(tf.float64, [3])
ta = tf.TensorArray(tf.float64, 3).unstack(x)
loss = ta.read(1) * 3. + ta.read(2) ** 2
feed = {x: [1., 2., 3.]}
""",
    "write_stack": """
x = tf.placeholder(tf.float64, [2, 2])
ta = tf.TensorArray(tf.float64, 2).write(0, x[0] * 2.).write(1, tf.sin(x[1]))
y = ta.stack()
loss = tf.reduce_sum(y * y * [[1., 2.], [3., 4.]])
feed = {x: [[1., 2.], [3., 4.]]}
""",
    "scatter_gather": """
x = tf.placeholder(tf.float64, [3, 2])
ta = tf.TensorArray(tf.float64, 4, element_shape=[2]).scatter([3, 0, 1], x * x)
loss = tf.reduce_sum(ta.gather([0, 3, 2]) * [[1., 2.], [3., 4.], [5., 6.]])
feed = {x: [[1., 2.], [3., 4.], [5., 6.]]}
""",
    "split_concat": """
x = tf.placeholder(tf.float64, [6])
ta = tf.TensorArray(tf.float64, 3, infer_shape=False).split(tf.exp(x), [1, 2, 3])
loss = tf.reduce_sum(ta.concat() * tf.range(6, dtype=tf.float64))
feed = {x: [0.1, 0.2, 0.3, -0.1, -0.2, 0.5]}
""",
    "unstack_read_some": """
x = tf.placeholder(tf.float64, [4, 2])
ta = tf.TensorArray(tf.float64, 4).unstack(x)
loss = tf.reduce_sum(ta.read(2) * ta.read(0))
feed = {x: [[1., 2.], [3., 4.], [5., 6.], [7., 8.]]}
""",
    "unstack_stack_while_loop_forward": """
x = tf.placeholder(tf.float64, [3])
ta = tf.TensorArray(tf.float64, 3).unstack(x * 2.)
loss = tf.reduce_sum(tf.square(ta.stack()))
feed = {x: [1., -2., 3.]}
""",
}


def _exec(code: str):
    ns = {"tf": tf, "np": np, "feed": None}
    exec(code, ns)
    return ns


def _run_program(code: str):
    g = tf.Graph()
    with g.as_default():
        ns = _exec(code)
        with tf.Session() as sess:
            return sess.run(ns["out"], ns["feed"])


def _grad_program(code: str) -> str:
    return code + "out = [loss, tf.gradients(loss, x)[0]]\n"


_GRAPH_OF = """
def graph_of(g):
    out = []
    for o in g.get_operations():
        cls = o.get_attr("_class") if "_class" in o.node_def.attr else []
        out.append([o.name, o.type, [t.name for t in o.inputs],
                    sorted(c.name for c in o.control_inputs), o.device,
                    [c.decode() if isinstance(c, bytes) else c for c in cls]])
    return out
"""
_TF_RUNNER = (
    _GRAPH_OF
    + """
results = {}
for name, code in PROGRAMS.items():
    g = tf.Graph()
    with g.as_default():
        ns = {"tf": tf, "np": np, "feed": None}
        exec(code, ns)
        with tf.Session() as sess:
            values = sess.run(ns["out"], ns["feed"])
    results[name] = [[np.asarray(v).tolist(), np.asarray(v).dtype.name] for v in values]
    results[name + "/graph"] = graph_of(g)
print(json.dumps(results))
"""
)
_graph_ns: dict = {}
exec(_GRAPH_OF, _graph_ns)


def _graph(code: str) -> list:
    """(name, type, inputs, control inputs, device, colocation) of each op, in order."""
    g = tf.Graph()
    with g.as_default():
        _exec(code)
    return _graph_ns["graph_of"](g)


def _tf_values(programs: dict) -> dict:
    return tfrun.run_tf_json(f"PROGRAMS = {programs!r}\n" + _TF_RUNNER)


@pytest.fixture(scope="module")
def tf_results():
    programs = dict(PROGRAMS)
    programs.update({f"grad_{k}": _grad_program(v) for k, v in GRAD_PROGRAMS.items()})
    return _tf_values(programs)


def _assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for mine, (value, dtype) in zip(ours, theirs):
        mine = np.asarray(mine)
        assert mine.dtype.name == dtype
        np.testing.assert_allclose(mine, np.asarray(value, dtype=dtype), rtol=1e-6, atol=1e-9)


@pytest.mark.tf
@tfrun.requires_tf
@pytest.mark.parametrize("name", sorted(PROGRAMS) + [f"grad_{k}" for k in sorted(GRAD_PROGRAMS)])
def test_graph_equals_tfs_op_for_op(name, tf_results):
    """Names, types, inputs, control inputs and colocation (first write, handle) as TF's."""
    if name.startswith("grad_"):
        code = _grad_program(GRAD_PROGRAMS[name[len("grad_") :]])
    else:
        code = PROGRAMS[name]
    assert _graph(code) == tf_results[name + "/graph"]


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_runs(name):
    assert all(v is not None for v in _run_program(PROGRAMS[name]))


@pytest.mark.tf
@tfrun.requires_tf
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_values_equal_tf(name, tf_results):
    _assert_same(_run_program(PROGRAMS[name]), tf_results[name])


def test_method_values():
    out = _run_program(PROGRAMS["scatter_gather_unwritten_zeros"])
    np.testing.assert_array_equal(out[0], [[1, 2], [3, 4], [1, 2]])
    np.testing.assert_array_equal(out[1], [[3, 4], [0, 0], [0, 0], [1, 2]])
    c, lengths, last = _run_program(PROGRAMS["split_concat"])
    np.testing.assert_array_equal(c, np.arange(6))
    np.testing.assert_array_equal(lengths, [1, 2, 3])
    assert lengths.dtype == np.int64
    np.testing.assert_array_equal(last, [3, 4, 5])


# -- gradients outside loops ------------------------------------------------------------------
def _numerical_gradient(code: str, eps: float = 1e-6) -> np.ndarray:
    g = tf.Graph()
    with g.as_default():
        ns = _exec(code)
        x, loss, feed = ns["x"], ns["loss"], ns["feed"]
        base = np.asarray(feed[x], np.float64)
        grad = np.zeros_like(base)
        with tf.Session() as sess:
            for idx in np.ndindex(base.shape):
                up, down = base.copy(), base.copy()
                up[idx] += eps
                down[idx] -= eps
                grad[idx] = (sess.run(loss, {x: up}) - sess.run(loss, {x: down})) / (2 * eps)
    return grad


@pytest.mark.parametrize("name", sorted(GRAD_PROGRAMS))
def test_gradient_matches_numerical(name):
    code = GRAD_PROGRAMS[name]
    _, grad = _run_program(_grad_program(code))
    np.testing.assert_allclose(grad, _numerical_gradient(code), rtol=1e-5, atol=1e-6)


@pytest.mark.tf
@tfrun.requires_tf
@pytest.mark.parametrize("name", sorted(GRAD_PROGRAMS))
def test_gradient_equals_tf(name, tf_results):
    _assert_same(_run_program(_grad_program(GRAD_PROGRAMS[name])), tf_results[f"grad_{name}"])


def test_gradient_graph_has_tfs_ops():
    x = tf.constant([1.0, 2.0, 3.0])
    ta = tf.TensorArray(tf.float32, 3).unstack(x)
    y = ta.read(1) * 3.0 + ta.read(2)
    (gx,) = tf.gradients(y, x)
    g = tf.get_default_graph()
    grad_name = "gradients/TensorArrayReadV3_grad/TensorArrayGrad/TensorArrayGradV3"
    grad_op = g.get_operation_by_name(grad_name)
    assert grad_op.type == "TensorArrayGradV3" and grad_op.get_attr("source") == b"gradients"
    assert grad_op.inputs[0] is ta.handle
    names = {op.name: op.type for op in g.get_operations()}
    prefix = "gradients/TensorArrayUnstack/TensorArrayScatter/TensorArrayScatterV3_grad/"
    assert names[prefix + "flow_out"] == "Identity"
    assert names[prefix + "write_barrier"] == "Identity"
    assert names[prefix + "TensorArrayGatherV3"] == "TensorArrayGatherV3"
    assert names["gradients/TensorArrayReadV3_grad/TensorArrayWrite/TensorArrayWriteV3"] == (
        "TensorArrayWriteV3"
    )
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(gx), [0.0, 3.0, 1.0])  # (TF: [0, 3, 1])


def test_two_gradient_calls_get_separate_gradient_arrays():
    x = tf.constant([1.0, 2.0])
    ta = tf.TensorArray(tf.float32, 2).unstack(x)
    y = ta.read(0) * 2.0 + ta.read(1) * 5.0
    (g1,) = tf.gradients(y, x)
    (g2,) = tf.gradients(y * 3.0, x)
    sources = {
        op.get_attr("source")
        for op in tf.get_default_graph().get_operations()
        if op.type == "TensorArrayGradV3"
    }
    assert sources == {b"gradients", b"gradients_1"}
    with tf.Session() as sess:
        a, b = sess.run([g1, g2])
    np.testing.assert_array_equal(a, [2.0, 5.0])
    np.testing.assert_array_equal(b, [6.0, 15.0])


def test_grad_array_is_the_same_each_time_it_runs_in_a_step():
    """TensorArrayGradV3 run twice in one step (as once per iteration of a gradient loop)
    returns one gradient array: writes through either add up."""
    ta = tf.TensorArray(tf.float32, 2).write(0, [1.0, 1.0]).write(1, [2.0, 2.0])
    g1 = ta.grad("gradients")
    g2 = ta.grad("gradients", flow=g1.write(0, [1.0, 2.0]).flow)
    w = g2.write(0, [10.0, 20.0])
    with tf.Session() as sess:
        first = sess.run(w.read(0))
        np.testing.assert_array_equal(first, [11.0, 22.0])
        # a new run: a new forward array, a new gradient array
        np.testing.assert_array_equal(sess.run(g1.write(1, [5.0, 5.0]).read(1)), [5.0, 5.0])
        # an unwritten gradient element reads as zeros of the forward element's shape
        np.testing.assert_array_equal(sess.run(g1.read(1)), [0.0, 0.0])


def test_grad_with_shape_prepends_the_shape():
    from tfgraph.ops.apply import apply_op

    ta = tf.TensorArray(tf.float32, 2).write(0, [1.0, 1.0]).write(1, [2.0, 2.0])
    op = apply_op(
        "TensorArrayGradWithShape",
        None,
        [ta.handle, ta.flow, tf.constant([3])],
        {"source": b"gradients"},
    )
    g = tf.TensorArray(tf.float32, handle=op.outputs[0], flow=op.outputs[1])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(g.read(1)), np.zeros([3, 2]))


# -- errors (TF's classes and messages, checked with TF 2.21) ----------------------------------
def _error(fetch, feed=None):
    with tf.Session() as sess:
        with pytest.raises(tf.errors.OpError) as info:
            sess.run(fetch, feed)
    return info.value


def test_reading_twice_with_clear_after_read():
    ta = tf.TensorArray(tf.float32, 2).write(0, 1.0)
    e = _error([ta.read(0), ta.read(0)])
    assert isinstance(e, tf.errors.InvalidArgumentError)
    assert "Could not read index 0 twice because it was cleared after a previous read" in str(e)
    assert "(perhaps try setting clear_after_read = false?)" in str(e)
    ok = tf.TensorArray(tf.float32, 2, clear_after_read=False).write(0, 1.0)
    with tf.Session() as sess:
        assert sess.run([ok.read(0), ok.read(0)]) == [1.0, 1.0]


def test_writing_twice_and_out_of_range():
    e = _error(tf.TensorArray(tf.float32, 2).write(0, 1.0).write(0, 2.0).flow)
    assert isinstance(e, tf.errors.InvalidArgumentError)
    assert "Could not write to TensorArray index 0 because it has already been written to." in (
        str(e)
    )
    assert e.op.type == "TensorArrayWriteV3"
    e = _error(tf.TensorArray(tf.float32, 2).write(2, 1.0).flow)
    assert "Tried to write to index 2 but array is not resizeable and size is: 2" in str(e)
    e = _error(tf.TensorArray(tf.float32, 2).write(-1, 1.0).flow)
    assert "Tried to write to index -1 but array is not resizeable and size is: 2" in str(e)
    e = _error(tf.TensorArray(tf.float32, 2).write(0, 1.0).read(5))
    assert isinstance(e, tf.errors.InvalidArgumentError)
    assert "Tried to read from index 5 but array size is: 2" in str(e)


def test_reading_unwritten_elements():
    e = _error(tf.TensorArray(tf.float32, 2, infer_shape=False).write(0, 1.0).read(1))
    assert isinstance(e, tf.errors.InvalidArgumentError)
    assert "Could not read from TensorArray index 1.  Furthermore, the element shape is not " in (
        str(e)
    )
    assert "fully defined: <unknown>." in str(e)
    e = _error(tf.TensorArray(tf.float32, 2, element_shape=[None]).read(1))
    assert "fully defined: [?]." in str(e)
    # a fully known (or inferred) element shape reads as zeros, as in TF
    inferred = tf.TensorArray(tf.float32, 3).write(0, [1.0, 2.0])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(inferred.read(2)), [0.0, 0.0])


def test_shape_mismatches():
    x = tf.placeholder_with_default(np.zeros(3, np.float32), [None])
    e = _error(tf.TensorArray(tf.float32, 2).write(0, [1.0, 2.0]).write(1, x).flow)
    assert isinstance(e, tf.errors.InvalidArgumentError)
    assert (
        "Could not write to TensorArray index 1 because the value shape is [3] which is "
        "incompatible with the TensorArray's inferred element shape: [2] (consider setting "
        "infer_shape=False)."
    ) in str(e)
    stacked = tf.TensorArray(tf.float32, 2, infer_shape=False).write(0, [1.0, 2.0]).write(1, x)
    e = _error(stacked.stack())
    assert "TensorArray has inconsistent shapes.  Index 0 has shape: [2] but index 1 has " in (
        str(e)
    )
    with pytest.raises(ValueError, match=r"Inconsistent shapes: saw \(3,\) but expected \(2,\)"):
        tf.TensorArray(tf.float32, 2).write(0, [1.0, 2.0]).write(1, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        tf.TensorArray(tf.float32, 2).scatter([0, 1], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf.TensorArray(tf.float32, 2).write([0], 1.0)


def test_scatter_split_and_size_errors():
    e = _error(tf.TensorArray(tf.float32, 2).scatter([0, 3], [1.0, 2.0]).flow)
    assert "Max scatter index must be < array size (3 vs. 2)" in str(e)
    e = _error(tf.TensorArray(tf.float32, 2).unstack([1.0, 2.0, 3.0]).flow)
    assert "Max scatter index must be < array size (2 vs. 2)" in str(e)
    e = _error(tf.TensorArray(tf.float32, 2).split([1.0, 2.0, 3.0], [1, 1]).flow)
    assert (
        "Expected sum of lengths to be equal to values.shape[0], but sum of lengths is 2 and "
        "value's shape is: [3]"
    ) in str(e)
    e = _error(tf.TensorArray(tf.float32, 2).split([1.0, 2.0, 3.0], [1, 1, 1]).flow)
    assert "TensorArray's size is not equal to the size of lengths (2 vs. 3)" in str(e)
    e = _error(tf.TensorArray(tf.float32, 0).stack())
    assert isinstance(e, tf.errors.UnimplementedError)
    assert "TensorArray has size zero, but element shape <unknown> is not fully defined." in (
        str(e)
    )
    with tf.Session() as sess:
        empty = sess.run(tf.TensorArray(tf.float32, 0, element_shape=[2]).stack())
    assert empty.shape == (0, 2)


def test_closed_array_and_write_after_read():
    ta = tf.TensorArray(tf.float32, 2).write(0, 1.0)
    c = ta.close()
    with tf.control_dependencies([c]):
        r = ta.read(0)
    e = _error(r)
    assert isinstance(e, tf.errors.InvalidArgumentError)
    assert "has already been closed." in str(e)
    ta = tf.TensorArray(tf.float32, 2, clear_after_read=False).write(0, 1.0)
    r = ta.read(0)
    with tf.control_dependencies([r]):
        w = ta.write(0, 2.0).flow
    e = _error(w)
    assert "Could not write to TensorArray index 0 because it has already been read." in str(e)


def test_constructor_errors():
    with pytest.raises(ValueError, match="`size` must be provided"):
        tf.TensorArray(tf.float32)
    ta = tf.TensorArray(tf.float32, 2)
    with pytest.raises(ValueError, match="Cannot provide both a `handle` and `size`"):
        tf.TensorArray(tf.float32, 2, handle=ta.handle, flow=ta.flow)
    with pytest.raises(ValueError, match="flow must not be None"):
        tf.TensorArray(tf.float32, handle=ta.handle)
    with pytest.raises(TypeError, match="Expected `handle` to be a Tensor"):
        tf.TensorArray(tf.float32, handle=3, flow=ta.flow)


def test_static_shapes_and_graph():
    ta = tf.TensorArray(tf.float32, 3)
    assert ta.handle.op.type == "TensorArrayV3" and ta.handle.op.name == "TensorArray"
    assert ta.handle.dtype == tf.resource and ta.flow.dtype == tf.float32
    assert ta.handle.op.get_attr("identical_element_shapes") is True
    w = ta.write(0, [1.0, 2.0])
    assert w.flow.op.name == "TensorArrayWrite/TensorArrayWriteV3"
    assert w.element_shape.as_list() == [2] and ta.element_shape.as_list() == [2]
    assert w.read(0).shape.as_list() == [2]
    assert w.stack().shape.as_list() == [3, 2]
    assert w.gather([1]).shape.as_list() == [None, 2]  # (TF: [?, 2], [1, 2], [2, 2])
    known = tf.TensorArray(tf.float32, 3, element_shape=[2])
    assert known.gather([1]).shape.as_list() == [1, 2]
    assert known.write(0, [1.0, 2.0]).gather([0, 1]).shape.as_list() == [2, 2]
    assert w.concat().shape.as_list() == [6]
    assert ta.size().op.type == "Const"
    dyn = tf.TensorArray(tf.float32, 3, dynamic_size=True)
    assert dyn.size().op.type == "TensorArraySizeV3"
    assert dyn.write(0, [1.0]).stack().shape.as_list() == [None, 1]


# -- GraphDefs both ways ----------------------------------------------------------------------
_LOOP_PROGRAM = """
x = tf.placeholder(tf.float32, [4, 3], name="x")
src = tf.TensorArray(tf.float32, 4).unstack(x)
acc = tf.TensorArray(tf.float32, 4)
def body(i, h, acc):
    h = tf.tanh(h * 0.5 + src.read(i))
    return i + 1, h, acc.write(i, h)
_, h, acc = tf.while_loop(lambda i, h, a: i < 4, body, [0, tf.zeros([3]), acc])
y = tf.identity(acc.stack(), name="y")
z = tf.identity(tf.map_fn(lambda r: tf.reduce_sum(r * r), x), name="z")
"""
_X = (np.arange(12, dtype=np.float32).reshape(4, 3) - 5.0) / 4.0


@pytest.mark.tf
@tfrun.requires_tf
def test_tf_graph_def_with_tensor_array_loop_runs_here(tmp_path):
    pb = tmp_path / "tf.pb"
    values = tfrun.run_tf_json(
        _LOOP_PROGRAM
        + f"""
open({str(pb)!r}, "wb").write(tf.get_default_graph().as_graph_def().SerializeToString())
xv = np.array({_X.tolist()!r}, np.float32)
with tf.Session() as sess:
    a, b = sess.run([y, z], {{x: xv}})
print(json.dumps([a.tolist(), b.tolist()]))
"""
    )
    gd = tf.GraphDef()
    gd.ParseFromString(pb.read_bytes())
    y, z = tf.import_graph_def(gd, return_elements=["y:0", "z:0"], name="")
    with tf.Session() as sess:
        a, b = sess.run([y, z], {"x:0": _X})
    np.testing.assert_allclose(a, values[0], rtol=1e-6)
    np.testing.assert_allclose(b, values[1], rtol=1e-6)


@pytest.mark.tf
@tfrun.requires_tf
def test_our_graph_def_with_tensor_array_loop_runs_in_tf(tmp_path):
    ns = _exec(_LOOP_PROGRAM)
    with tf.Session() as sess:
        a, b = sess.run([ns["y"], ns["z"]], {ns["x"]: _X})
    pb = tmp_path / "ours.pb"
    pb.write_bytes(tf.get_default_graph().as_graph_def().SerializeToString())
    values = tfrun.run_tf_json(
        f"""
gd = tf.GraphDef()
gd.ParseFromString(open({str(pb)!r}, "rb").read())
y, z = tf.import_graph_def(gd, return_elements=["y:0", "z:0"], name="")
xv = np.array({_X.tolist()!r}, np.float32)
with tf.Session() as sess:
    a, b = sess.run([y, z], {{"x:0": xv}})
print(json.dumps([a.tolist(), b.tolist()]))
"""
    )
    np.testing.assert_allclose(a, values[0], rtol=1e-6)
    np.testing.assert_allclose(b, values[1], rtol=1e-6)


def test_writing_another_dtype_is_logged_and_rejected(caplog):
    ta = tf.TensorArray(tf.float32, 2)
    with caplog.at_level("ERROR", logger="tfgraph"):
        w = ta.write(0, tf.constant(1))
    assert "has dtype <dtype: 'int32'>, but expected dtype <dtype: 'float32'>" in caplog.text
    e = _error(w.flow)
    assert isinstance(e, tf.errors.InvalidArgumentError)
    assert "TensorArray dtype is float but Op is trying to write dtype int32." in str(e)

"""TensorList ops (TF2's TensorArrays): values and errors, compared with TF 2.21's
raw ops in graph mode."""

from __future__ import annotations

import base64

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

TF_OP = """
def op(op_type, **kw):
    out = getattr(tf.raw_ops, op_type)(**kw)
    return list(out) if isinstance(out, tuple) else out
"""

OUR_OP = """
from tfgraph.framework import registry
from tfgraph.ops.apply import apply_op
def op(op_type, **kw):
    od = registry.get(op_type)
    inputs = [kw.pop(a.name) for a in od.inputs]
    outputs = apply_op(op_type, None, inputs, kw).outputs
    return outputs[0] if len(outputs) == 1 else list(outputs)
"""

PROGRAM = """
import json
f32 = tf.float32
x = tf.placeholder(tf.float32, [None, 2], name="x")
xv = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
unknown = tf.constant(-1)
two = tf.constant([2])
out = {}
lst = op("TensorListFromTensor", tensor=x, element_shape=two)
fetch = {
    "length": op("TensorListLength", input_handle=lst),
    "item": op("TensorListGetItem", input_handle=lst, index=1, element_shape=two,
               element_dtype=f32),
    "stack": op("TensorListStack", input_handle=lst, element_shape=two, element_dtype=f32),
    "gather": op("TensorListGather", input_handle=lst, indices=[2, 0], element_shape=two,
                 element_dtype=f32),
    "element_shape": op("TensorListElementShape", input_handle=lst, shape_type=tf.int32),
}
set_ = op("TensorListSetItem", input_handle=lst, index=0, item=tf.constant([9.0, 9.0]))
fetch["set"] = op("TensorListStack", input_handle=set_, element_shape=two, element_dtype=f32)
fetch["original"] = op("TensorListStack", input_handle=lst, element_shape=two, element_dtype=f32)
pushed = op("TensorListPushBack", input_handle=lst, tensor=tf.constant([7.0, 8.0]))
popped, last = op("TensorListPopBack", input_handle=pushed, element_shape=two, element_dtype=f32)
fetch["pop"] = last
fetch["after_pop"] = op("TensorListLength", input_handle=popped)
reserved = op("TensorListReserve", element_shape=two, num_elements=3, element_dtype=f32)
one = op("TensorListSetItem", input_handle=reserved, index=1, item=tf.constant([1.0, 1.0]))
fetch["reserve_stack"] = op("TensorListStack", input_handle=one, element_shape=two,
                            element_dtype=f32)
fetch["resize"] = op("TensorListLength", input_handle=op("TensorListResize",
                                                         input_handle=lst, size=5))
scattered = op("TensorListScatterIntoExistingList", input_handle=reserved,
               tensor=tf.constant([[1.0, 2.0], [3.0, 4.0]]), indices=[2, 0])
fetch["scatter"] = op("TensorListStack", input_handle=scattered, element_shape=two,
                      element_dtype=f32)
empty = op("EmptyTensorList", element_shape=unknown, max_num_elements=-1, element_dtype=f32)
fetch["empty_length"] = op("TensorListLength", input_handle=empty)
fetch["empty_pushed"] = op("TensorListStack", element_dtype=f32, element_shape=unknown,
    input_handle=op("TensorListPushBack", input_handle=empty, tensor=tf.constant([1.0])))
fetch["empty_known"] = op("TensorListStack", element_dtype=f32, element_shape=two,
    input_handle=op("EmptyTensorList", element_shape=two, max_num_elements=-1,
                    element_dtype=f32))
out["shapes"] = {k: (None if v.shape.ndims is None else v.shape.as_list())
                 for k, v in sorted(fetch.items())}
errors = {
    "out_of_range": op("TensorListGetItem", input_handle=lst, index=5, element_shape=two,
                       element_dtype=f32),
    "pop_empty": op("TensorListPopBack", input_handle=empty, element_shape=unknown,
                    element_dtype=f32)[1],
    "stack_empty_unknown": op("TensorListStack", input_handle=empty, element_shape=unknown,
                              element_dtype=f32),
    "unset_unknown": op("TensorListGetItem", element_dtype=f32, index=0, element_shape=unknown,
        input_handle=op("TensorListReserve", element_shape=unknown, num_elements=2,
                        element_dtype=f32)),
}
with tf.Session() as sess:
    values = sess.run(fetch, {x: xv})
    out["values"] = {k: np.asarray(v).tolist() for k, v in sorted(values.items())}
    out["errors"] = {}
    for k, t in sorted(errors.items()):
        try:
            sess.run(t, {x: xv})
            out["errors"][k] = None
        except tf.errors.OpError as e:
            out["errors"][k] = [type(e).__name__, e.message]
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_list_ops_match_tf():
    theirs = run_tf_json(TF_OP + PROGRAM)
    ours = run_here_json(OUR_OP + PROGRAM)
    assert ours["values"] == theirs["values"]
    assert sorted(ours["errors"]) == sorted(theirs["errors"])
    for k, (cls, message) in theirs["errors"].items():
        assert ours["errors"][k][0] == cls, k
        # (the key phrase: ours is TF's first line, before TF's traceback of the node)
        assert ours["errors"][k][1].split("\n")[0][:40] in message, k
    for k, shape in theirs["shapes"].items():
        assert ours["shapes"][k] in (shape, None), k


FROZEN_LSTM = """
import base64
import tensorflow as tf2
from tensorflow.python.framework.convert_to_constants import (
    convert_variables_to_constants_v2,
)
tf2.random.set_seed(0)
inp = tf2.keras.Input((5, 3))
out = tf2.keras.layers.Dense(2)(tf2.keras.layers.LSTM(4)(inp))
model = tf2.keras.Model(inp, out)
fn = tf2.function(lambda x: model(x)).get_concrete_function(
    tf2.TensorSpec([None, 5, 3], tf2.float32)
)
frozen = convert_variables_to_constants_v2(fn)
x = np.random.RandomState(0).randn(2, 5, 3).astype(np.float32)
print(json.dumps({
    "gd": base64.b64encode(frozen.graph.as_graph_def().SerializeToString()).decode(),
    "x": x.tolist(),
    "y": frozen(tf2.constant(x))[0].numpy().tolist(),
}))
"""


@pytest.mark.tf
@requires_tf
def test_a_frozen_tf2_keras_lstm_runs():
    """TF2's freezing lowers the LSTM's loop to Enter/Exit frames over TensorLists."""
    theirs = run_tf_json(FROZEN_LSTM, v1=False)
    gd = tf.GraphDef.FromString(base64.b64decode(theirs["gd"]))
    assert "TensorListReserve" in {n.op for n in gd.node}
    with tf.Graph().as_default():
        tf.import_graph_def(gd, name="")
        with tf.Session() as sess:
            y = sess.run("Identity:0", {"x:0": theirs["x"]})
    np.testing.assert_allclose(y, theirs["y"], rtol=1e-5, atol=1e-6)


# -- gradients -----------------------------------------------------------------------------

TF2_LOOP = """
import base64
tf.enable_control_flow_v2()
xs = tf.placeholder(tf.float32, [4, 3], name="xs")
h0 = tf.placeholder(tf.float32, [3], name="h0")
w = tf.placeholder(tf.float32, [3], name="w")
inputs = tf.TensorArray(tf.float32, size=4).unstack(xs)
outputs = tf.TensorArray(tf.float32, size=4, element_shape=[3])


def body(i, out, h):
    h = tf.tanh(h * w + inputs.read(i))
    return i + 1, out.write(i, h), h


_, outputs, h = tf.while_loop(lambda i, out, h: i < 4, body, [0, outputs, h0])
tf.identity(outputs.stack(), name="y")
tf.identity(h, name="h")
gd = tf.get_default_graph().as_graph_def()
"""

LOOP_GRADIENTS = """
g = tf.get_default_graph()
y, h = g.get_tensor_by_name("y:0"), g.get_tensor_by_name("h:0")
xs, h0, w = (g.get_tensor_by_name(n + ":0") for n in ("xs", "h0", "w"))
loss = tf.reduce_sum(y * np.arange(12.0, dtype=np.float32).reshape(4, 3)) + tf.reduce_sum(h)
grads = tf.gradients(loss, [xs, h0, w])
feed = {xs: np.linspace(-1, 1, 12).reshape(4, 3), h0: [0.1, -0.2, 0.3], w: [0.5, 1.5, -1.0]}
with tf.Session() as sess:
    values = sess.run(grads, feed)
out = {"grads": [v.tolist() for v in values]}
"""


@pytest.mark.tf
@requires_tf
def test_gradients_through_a_tf2_tensor_list_loop_match_tf():
    """A TensorArray loop TF writes as a StatelessWhile over TensorLists (reserve, set
    items, from-tensor, get items, stack): tf.gradients of the imported GraphDef give TF's
    values (TF's own gradients of the same graph)."""
    theirs = run_tf_json(
        TF2_LOOP
        + LOOP_GRADIENTS
        + 'out["gd"] = base64.b64encode(gd.SerializeToString()).decode()\n'
        + "print(json.dumps(out))"
    )
    gd = tf.GraphDef.FromString(base64.b64decode(theirs["gd"]))
    types = {n.op for n in gd.node} | {n.op for f in gd.library.function for n in f.node_def}
    assert {"StatelessWhile", "TensorListReserve", "TensorListSetItem"} <= types
    assert {"TensorListFromTensor", "TensorListGetItem", "TensorListStack"} <= types
    with tf.Graph().as_default():
        tf.import_graph_def(gd, name="")
        scope: dict = {"tf": tf, "np": np}
        exec(LOOP_GRADIENTS, scope)
    for ours, tfs in zip(scope["out"]["grads"], theirs["grads"]):
        np.testing.assert_allclose(ours, tfs, rtol=1e-5, atol=1e-6)


GRAD_PROGRAM = """
import json
f32 = tf.float32
two = tf.constant([2])
x = tf.placeholder(tf.float32, [3, 2], name="x")
y = tf.placeholder(tf.float32, [2], name="y")
lst = op("TensorListFromTensor", tensor=x, element_shape=two)
item = op("TensorListGetItem", input_handle=lst, index=1, element_shape=two, element_dtype=f32)
set_ = op("TensorListSetItem", input_handle=lst, index=0, item=item * y)
grown = op("TensorListSetItem", input_handle=set_, index=4, item=tf.sin(y),
           resize_if_index_out_of_bounds=True)
pushed = op("TensorListPushBack", input_handle=set_, tensor=tf.sin(item))
popped, last = op("TensorListPopBack", input_handle=pushed, element_shape=two, element_dtype=f32)
scattered = op("TensorListScatterIntoExistingList", input_handle=set_,
               tensor=tf.stack([y, 2.0 * y]), indices=[2, 0])
ys = {
    "stack": op("TensorListStack", input_handle=pushed, element_shape=two, element_dtype=f32),
    "grown": op("TensorListStack", input_handle=grown, element_shape=two, element_dtype=f32),
    "pop": last,
    "popped": op("TensorListStack", input_handle=popped, element_shape=two, element_dtype=f32),
    "gather_repeated": op("TensorListGather", input_handle=set_, indices=[2, 0, 2],
                          element_shape=two, element_dtype=f32),
    "scatter": op("TensorListStack", input_handle=scattered, element_shape=two,
                  element_dtype=f32),
    "resize": op("TensorListStack", element_shape=two, element_dtype=f32,
                 input_handle=op("TensorListResize", input_handle=set_, size=2)),
    "scatter": op("TensorListStack", element_shape=two, element_dtype=f32,
                  input_handle=op("TensorListScatter", tensor=tf.stack([y, 2.0 * y, x[0]]),
                                  indices=[3, 1, 0], element_shape=two)),
    "scatter_v2_repeated": op("TensorListStack", element_shape=two, element_dtype=f32,
                              input_handle=op("TensorListScatterV2", tensor=x[:2] * y,
                                              indices=[1, 1], element_shape=two,
                                              num_elements=3)),
    "split_concat": op("TensorListConcatV2", element_shape=tf.constant([-1, 2]),
                       leading_dims=tf.constant([], tf.int64), element_dtype=f32,
                       input_handle=op("TensorListSplit", tensor=tf.sin(x) * y,
                                       element_shape=tf.constant([-1, 2]),
                                       lengths=tf.constant([1, 2], tf.int64)))[0],
    "concat_v1": op("TensorListConcat", element_dtype=f32, element_shape=[None, 2],
                    input_handle=op("TensorListSplit", tensor=x * x,
                                    element_shape=tf.constant(-1),
                                    lengths=tf.constant([2, 0, 1], tf.int64)))[0],
}
grads = {}
for k, t in sorted(ys.items()):
    weights = tf.reshape(tf.sin(tf.range(tf.cast(tf.size(t), tf.float32)) + 0.3), tf.shape(t))
    grads[k] = [g for g in tf.gradients(tf.reduce_sum(t * weights), [x, y]) if g is not None]
with tf.Session() as sess:
    values = sess.run(grads, {x: [[1.0, 2.0], [3.0, -4.0], [0.5, 6.0]], y: [0.3, -0.7]})
print(json.dumps({k: [np.asarray(g).tolist() for g in v] for k, v in sorted(values.items())}))
"""


@pytest.mark.tf
@requires_tf
def test_list_op_gradients_match_tf():
    """Each list op's gradient as TF's, including TF's repeated indices: a gather's
    gradient keeps only the last repeat's (TF scatters it into a list: no sum), and a
    scatter's gives every repeat the gradient of the one element that stayed."""
    theirs = run_tf_json(TF_OP + GRAD_PROGRAM)
    ours = run_here_json(OUR_OP + GRAD_PROGRAM)
    assert sorted(ours) == sorted(theirs)
    for k in theirs:
        assert len(ours[k]) == len(theirs[k]), k
        for a, b in zip(ours[k], theirs[k]):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=k)


SPLIT_CONCAT_PROGRAM = """
import json
f32, i64 = tf.float32, tf.int64
t = tf.placeholder(tf.float32, [6, 2], name="t")
tv = np.arange(12.0).reshape(6, 2)
two, tail = tf.constant([2]), tf.constant([-1, 2])
unknown = tf.constant(-1)
none = tf.constant([], i64)


def shape_of(h):
    return op("TensorListElementShape", input_handle=h, shape_type=tf.int32)


def stack(h):
    return op("TensorListStack", input_handle=h, element_shape=two, element_dtype=f32)


def split(lengths, element_shape=tail):
    return op("TensorListSplit", tensor=t, element_shape=element_shape,
              lengths=tf.constant(lengths, i64))


def concat(h, element_shape=tail, leading=none):
    return op("TensorListConcatV2", input_handle=h, element_shape=element_shape,
              leading_dims=leading, element_dtype=f32)


reserved = op("TensorListReserve", element_shape=tail, num_elements=3, element_dtype=f32)
one_set = op("TensorListSetItem", input_handle=reserved, index=1, item=t[:2])
fetch = {
    "scatter": stack(op("TensorListScatter", tensor=t[:2], indices=[3, 1], element_shape=unknown)),
    "scatter_shape": shape_of(op("TensorListScatter", tensor=t[:2], indices=[3, 1],
                                 element_shape=unknown)),
    "scatter_v2": stack(op("TensorListScatterV2", tensor=t[:2], indices=[3, 3],
                           element_shape=two, num_elements=5)),
    "from_tensor_shape": shape_of(op("TensorListFromTensor", tensor=t, element_shape=unknown)),
    "split_item": op("TensorListGetItem", input_handle=split([1, 3, 2]), index=1,
                     element_shape=tail, element_dtype=f32),
    "split_shape": shape_of(split([1, 3, 2])),
    "split_unknown_shape": shape_of(split([1, 3, 2], unknown)),
    "concat": concat(split([1, 3, 2]))[0],
    "concat_lengths": concat(split([1, 3, 2]))[1],
    "concat_unset": concat(one_set, tail, tf.constant([1, 0, 3], i64))[0],
    "concat_unset_lengths": concat(one_set, tail, tf.constant([1, 0, 3], i64))[1],
    "concat_unset_no_leading": concat(one_set)[0],
    "concat_empty": concat(op("EmptyTensorList", element_shape=tail, max_num_elements=-1,
                              element_dtype=f32))[0],
    "concat_v1": op("TensorListConcat", input_handle=split([2, 4]), element_dtype=f32,
                    element_shape=[None, 2])[0],
}
out = {"shapes": {k: (None if v.shape.ndims is None else v.shape.as_list())
                  for k, v in sorted(fetch.items())}}
scalars = op("TensorListFromTensor", tensor=[1.0, 2.0], element_shape=unknown)
unequal = op("TensorListPushBack", tensor=tf.ones([2, 3]),
             input_handle=op("TensorListFromTensor", tensor=t[None], element_shape=unknown))
errors = {
    "scatter_small": op("TensorListScatterV2", tensor=t[:2], indices=[3, 1], element_shape=two,
                        num_elements=2),
    "scatter_rows": op("TensorListScatter", tensor=t[:3], indices=[3, 1], element_shape=unknown),
    "scatter_negative": op("TensorListScatter", tensor=t[:2], indices=[-1, 1],
                           element_shape=unknown),
    "scatter_shape": op("TensorListScatter", tensor=t[:2], indices=[0, 1],
                        element_shape=tf.constant([3])),
    "split_short": split([1, 3, 1]),
    "split_long": split([4, 3]),
    "split_negative": split([-1, 7]),
    "concat_empty_unknown": concat(op("EmptyTensorList", element_shape=unknown,
                                      max_num_elements=-1, element_dtype=f32), unknown)[0],
    "concat_scalars": concat(scalars, unknown)[0],
    "concat_unequal": concat(unequal, unknown)[0],
}
with tf.Session() as sess:
    values = sess.run(fetch, {t: tv})
    out["values"] = {k: np.asarray(v).tolist() for k, v in sorted(values.items())}
    out["errors"] = {}
    for k, e in sorted(errors.items()):
        try:
            sess.run(op("TensorListLength", input_handle=e) if e.dtype == tf.variant else e,
                     {t: tv})
            out["errors"][k] = None
        except tf.errors.OpError as err:
            out["errors"][k] = [type(err).__name__, err.message]
build_errors = {}
for k, fn in {
    "split_scalar": lambda: op("TensorListSplit", tensor=1.0, element_shape=unknown,
                               lengths=tf.constant([1], i64)),
    "split_mismatch": lambda: split([1, 3, 2], tf.constant([-1, 3])),
}.items():
    try:
        fn()
        build_errors[k] = None
    except ValueError as err:
        build_errors[k] = str(err)
out["build_errors"] = build_errors
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_scatter_split_and_concat_match_tf():
    theirs = run_tf_json(TF_OP + SPLIT_CONCAT_PROGRAM)
    ours = run_here_json(OUR_OP + SPLIT_CONCAT_PROGRAM)
    assert ours["values"] == theirs["values"]
    for k, shape in theirs["shapes"].items():
        assert ours["shapes"][k] in (shape, None), k
    assert sorted(ours["errors"]) == sorted(theirs["errors"])
    for k, (cls, message) in theirs["errors"].items():
        assert ours["errors"][k][0] == cls, k
        assert ours["errors"][k][1].split("\n")[0][:40] in message, k
    for k, message in theirs["build_errors"].items():
        assert ours["build_errors"][k].split(" for ")[0] in message, k


TF2_TENSOR_ARRAYS = """
import base64


@tf.function
def f(x, w):
    mapped = tf.map_fn(lambda row: tf.tanh(row * w), x)
    pieces = tf.TensorArray(tf.float32, size=0, dynamic_size=True, infer_shape=False)
    joined = pieces.split(x * w, tf.constant([1, 2], tf.int64)).concat()
    rows = tf.TensorArray(tf.float32, size=3, element_shape=[2]).scatter([2, 0, 1], tf.sin(x))

    def body(i, acc):
        return i + 1, acc.write(i, rows.read(i) * w)

    _, acc = tf.while_loop(lambda i, acc: i < 3, body, [0, tf.TensorArray(tf.float32, size=3)])
    total = tf.reduce_sum(mapped * mapped) + tf.reduce_sum(joined**2)
    total += tf.reduce_sum(rows.gather([1, 2]) * 3.0) + tf.reduce_sum(tf.cos(acc.stack()))
    return tf.identity(total, name="out")


specs = [tf.TensorSpec([3, 2], tf.float32, name="x"), tf.TensorSpec([2], tf.float32, name="w")]
gd = f.get_concrete_function(*specs).graph.as_graph_def()
xv = np.array([[0.1, -0.4], [0.7, 0.2], [-0.3, 0.5]], np.float32)
wv = np.array([0.9, -1.3], np.float32)
x, w = tf.constant(xv), tf.constant(wv)
with tf.GradientTape() as tape:
    tape.watch([x, w])
    out = f(x, w)
grads = tape.gradient(out, [x, w])
print(json.dumps({
    "gd": base64.b64encode(gd.SerializeToString()).decode(),
    "x": xv.tolist(), "w": wv.tolist(),
    "out": float(out), "grads": [g.numpy().tolist() for g in grads],
}))
"""


@pytest.mark.tf
@requires_tf
def test_gradients_through_tf2_tensor_arrays_match_tf():
    """A tf.function with tf.map_fn and TensorArray split/concat/scatter/gather/read/write
    (TensorListSplit, ConcatV2, ScatterIntoExistingList, Gather, GetItem, SetItem in and
    around StatelessWhile loops): the imported graph's value and tf.gradients equal TF 2's
    GradientTape."""
    theirs = run_tf_json(TF2_TENSOR_ARRAYS, v1=False)
    gd = tf.GraphDef.FromString(base64.b64decode(theirs["gd"]))
    types = {n.op for n in gd.node} | {n.op for f in gd.library.function for n in f.node_def}
    assert {"TensorListSplit", "TensorListConcatV2", "TensorListGather"} <= types
    with tf.Graph().as_default() as g:
        tf.import_graph_def(gd, name="")
        out, x, w = (g.get_tensor_by_name(n + ":0") for n in ("out", "x", "w"))
        grads = tf.gradients(out, [x, w])
        with tf.Session() as sess:
            value, *ours = sess.run([out, *grads], {x: theirs["x"], w: theirs["w"]})
    np.testing.assert_allclose(value, theirs["out"], rtol=1e-6)
    for a, b in zip(ours, theirs["grads"]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


BATCHED = """
import json
f32 = tf.float32
two = tf.constant([2])
out = {"values": {}, "errors": {}, "build_errors": {}}
def from_tensor(value):
    return op("TensorListFromTensor", tensor=tf.constant(value), element_shape=two)
def stacked(batch, n):
    return [op("TensorListStack", input_handle=h, element_shape=two, element_dtype=f32)
            for h in tf.unstack(batch, num=n)]
l1, l2 = from_tensor([[1.0, 2.0], [3.0, 4.0]]), from_tensor([[5.0, 6.0]])
l3 = from_tensor([[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]])
ab, cd = tf.stack([l1, l2]), tf.stack([l3, l1])
cat = op("TensorListConcatLists", input_a=ab, input_b=cd, element_dtype=f32)
pushed = op("TensorListPushBackBatch", input_handles=ab,
            tensor=tf.constant([[0.5, 0.5], [0.25, 0.25]]))
one = op("TensorListConcatLists", input_a=l1, input_b=l2, element_dtype=f32)
fetch = {"concat": stacked(cat, 2), "push": stacked(pushed, 2),
         "scalar": op("TensorListStack", input_handle=one, element_shape=two, element_dtype=f32)}
out["shapes"] = [cat.shape.as_list(), pushed.shape.as_list(), one.shape.as_list()]
out["types"] = [cat.op.type, pushed.op.type]
def build(key, fn):
    try:
        fn()
        out["build_errors"][key] = None
    except ValueError as e:
        out["build_errors"][key] = str(e).split(" for ")[0]
build("push_batch", lambda: op("TensorListPushBackBatch", input_handles=ab,
                               tensor=tf.constant([[0.5, 0.5]])))
build("push_scalar", lambda: op("TensorListPushBackBatch", input_handles=l1,
                                tensor=tf.constant([[0.5, 0.5]])))
build("concat_batch", lambda: op("TensorListConcatLists", input_a=ab,
                                 input_b=tf.stack([l1, l2, l3]), element_dtype=f32))
vary = lambda t: tf.placeholder_with_default(t, [None] * t.shape.ndims)
ints = op("TensorListFromTensor", tensor=tf.constant([[1, 2]]), element_shape=two)
errors = {
    "push_batch": stacked(op("TensorListPushBackBatch", input_handles=ab,
                             tensor=vary(tf.constant([[0.5, 0.5]]))), 2),
    "push_shape": stacked(op("TensorListPushBackBatch", input_handles=ab,
                             tensor=vary(tf.constant([[0.5, 0.5, 1.0], [1.0, 1.0, 1.0]]))), 2),
    "concat_batch": stacked(op("TensorListConcatLists", input_a=ab,
                               input_b=vary(tf.stack([l1, l2, l3])), element_dtype=f32), 2),
    "concat_dtype": op("TensorListLength", input_handle=op(
        "TensorListConcatLists", input_a=vary(l1), input_b=vary(ints), element_dtype=f32)),
}
with tf.Session() as sess:
    for k, v in sorted(sess.run(fetch).items()):
        out["values"][k] = np.asarray(v).tolist() if k == "scalar" else [a.tolist() for a in v]
    for k, t in sorted(errors.items()):
        try:
            sess.run(t)
            out["errors"][k] = None
        except tf.errors.OpError as e:
            out["errors"][k] = [type(e).__name__, e.message]
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_batched_list_ops_match_tf():
    """TensorListConcatLists / TensorListPushBackBatch: the batches of lists that
    tf.vectorized_map's graphs hold (a variant tensor of lists, built here by tf.stack)."""
    theirs = run_tf_json(TF_OP + BATCHED)
    ours = run_here_json(OUR_OP + BATCHED)
    assert ours["values"] == theirs["values"]
    assert ours["shapes"] == theirs["shapes"] and ours["types"] == theirs["types"]
    assert ours["build_errors"] == theirs["build_errors"]
    for k, (cls, message) in theirs["errors"].items():
        assert ours["errors"][k][0] == cls, k
        assert ours["errors"][k][1].split("\n")[0] in message, k

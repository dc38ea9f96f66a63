"""TF2 programs against TF 2.21 itself: `import tfgraph.compat.v2 as tf` runs eagerly and
its functions take TF2's parameters, so arguments passed by position land where TF2's
do (`tf.nn.conv2d(x, w, 1, "SAME", "NHWC")`: TF1's 5th parameter is use_cudnn_on_gpu)
and give TF2's values. tfgraph runs in a subprocess (compat.v2 turns TF2 behaviour on)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests import tfrun


def _tfgraph_v2(code: str):
    program = "import json\nimport numpy as np\nimport tfgraph.compat.v2 as tf\n" + code
    proc = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        cwd=tfrun.REPO_ROOT,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _close(a, b, path="") -> None:
    if isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, dict):
        assert sorted(a) == sorted(b), path
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-5, abs=1e-6), path
    else:
        assert a == b, path


_HELPERS = """
def v(t):
    if isinstance(t, (list, tuple)):
        return [v(x) for x in t]
    if hasattr(t, "values") and hasattr(t, "dense_shape"):
        return {"indices": v(t.indices), "values": v(t.values), "shape": v(t.dense_shape)}
    a = np.asarray(t.numpy() if hasattr(t, "numpy") else t)
    if a.dtype == object:
        return [x.decode() for x in a.reshape(-1)]
    return {"dtype": str(a.dtype), "shape": list(a.shape), "v": a.astype(float).round(5).tolist()
            if a.dtype.kind in "fc" else a.tolist()}
rng = np.random.RandomState(0)
x4 = rng.rand(2, 5, 5, 3).astype(np.float32)
w4 = rng.rand(3, 3, 3, 4).astype(np.float32)
out = {}
"""

_POSITIONAL = (
    _HELPERS
    + """
out["conv2d"] = v(tf.nn.conv2d(x4, w4, 1, "SAME", "NHWC", [1, 1, 1, 1]))
out["conv2d_dil"] = v(tf.nn.conv2d(x4, w4, [1, 1], "VALID", "NHWC", 2))
out["conv1d"] = v(tf.nn.conv1d(x4[0], w4[0], 1, "SAME", "NWC"))
out["convolution"] = v(tf.nn.convolution(x4, w4, 2))
out["conv2d_t"] = v(tf.nn.conv2d_transpose(x4, w4[..., :3].transpose(0, 1, 3, 2)[..., :3],
                                           [2, 10, 10, 3], 2, "SAME"))
out["depthwise"] = v(tf.nn.depthwise_conv2d(x4, w4[..., :1], [1, 1, 1, 1], "SAME", "NHWC",
                                            [2, 2]))
out["pool"] = v(tf.nn.pool(x4, [2, 2], "MAX", [2, 2]))
out["avg_pool"] = v(tf.nn.avg_pool(x4, 2, 2, "VALID"))
out["max_pool"] = v(tf.nn.max_pool(x4[:, :, 0], 2, 1, "SAME"))
out["poisson"] = v(tf.shape(tf.random.poisson([4, 2], [1.0, 5.0, 9.0])))
out["sum"] = v(tf.reduce_sum(x4, 1, True))
out["mean"] = v(tf.math.reduce_mean(x4, [1, 2], False))
out["max"] = v(tf.reduce_max(x4, None, True))
out["lse"] = v(tf.reduce_logsumexp(x4, -1))
out["any"] = v(tf.reduce_any(x4 > 0.5, 0, True))
out["argmax"] = v(tf.argmax(x4, 3, tf.int32))
out["argmin"] = v(tf.math.argmin(x4, 1))
out["count"] = v(tf.math.count_nonzero(x4 > 0.5, 1, True))
out["moments"] = v(tf.nn.moments(x4, [0, 1, 2], None, True))
out["softmax"] = v(tf.nn.softmax(x4, 1))
out["log_softmax"] = v(tf.nn.log_softmax(x4, 2))
labels = tf.one_hot([1, 0], 3)
logits = tf.constant([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]])
out["xent"] = v(tf.nn.softmax_cross_entropy_with_logits(labels, logits, -1))
out["sxent"] = v(tf.nn.sparse_softmax_cross_entropy_with_logits([1, 2], logits))
out["wxent"] = v(tf.nn.weighted_cross_entropy_with_logits(labels, logits, 2.0))
out["in_top_k"] = v(tf.math.in_top_k([1, 2], logits, 1))
out["squeeze"] = v(tf.squeeze(tf.zeros([1, 2, 1]), [0]))
out["expand"] = v(tf.expand_dims([1, 2], 0))
out["gather"] = v(tf.gather([[1, 2], [3, 4]], [1, 0], None, 1, 0))
out["gather_nd"] = v(tf.gather_nd([[1, 2], [3, 4]], [[1], [0]], 0))
out["mask"] = v(tf.boolean_mask([[1, 2], [3, 4]], [True, False], 1))
out["pad"] = v(tf.pad([[1, 2]], [[1, 0], [0, 1]], "CONSTANT", 7))
out["shape"] = v(tf.shape(x4, tf.int64))
out["size"] = v(tf.size(x4, tf.int64))
out["transpose"] = v(tf.transpose([[1, 2, 3]], None, False))
out["rev"] = v(tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 3], 1, 0))
out["b2s"] = v(tf.batch_to_space(tf.reshape(tf.range(8), [4, 1, 2, 1]), [2, 2], [[0, 0], [0, 1]]))
out["s2b"] = v(tf.space_to_batch(tf.reshape(tf.range(8), [1, 2, 4, 1]), [2, 2], [[0, 0], [0, 0]]))
out["dropout"] = v(tf.nn.dropout(tf.ones([3]), 0.0))
out["norm"] = v(tf.norm([[3.0, 4.0]], "euclidean", 1, True))
out["crelu"] = v(tf.nn.crelu([[1.0, -2.0]], 0))
out["d2s"] = v(tf.nn.depth_to_space(tf.reshape(tf.range(8.0), [1, 1, 2, 4]), 2, "NHWC"))
out["s2d"] = v(tf.nn.space_to_depth(tf.reshape(tf.range(8.0), [1, 2, 4, 1]), 2, "NHWC"))
out["ones_like"] = v(tf.ones_like([[1, 2]], tf.float32))
out["constant"] = v(tf.constant(3.0, tf.float32, [2, 2]))
out["convert"] = v(tf.convert_to_tensor(1, None, tf.float32))
out["tuple"] = v(tf.tuple([tf.constant(1), tf.constant(2)]))
out["while"] = v(tf.while_loop(lambda i: i < 3, lambda i: (i + 1,), [tf.constant(0)]))
out["cond"] = v(tf.cond(tf.constant(True), lambda: [tf.constant(1)], lambda: [tf.constant(2)]))
out["gelu"] = v(tf.nn.gelu([-1.0, 0.5, 2.0]))
out["gelu_tanh"] = v(tf.nn.gelu([-1.0, 0.5, 2.0], True))
out["resize"] = v(tf.image.resize(x4, [3, 7]))
out["resize_nearest"] = v(tf.image.resize(x4, [7, 3], "nearest"))
out["resize_same"] = v(tf.image.resize(tf.constant(x4[:1, :2, :2, :1] * 10, tf.int32), [2, 2],
                                       "bicubic"))
sp = tf.sparse.SparseTensor([[0, 0], [1, 2]], [1.0, 5.0], [2, 3])
out["sparse_sum"] = v(tf.sparse.reduce_sum(sp, 1, True))
out["sparse_max_sp"] = v(tf.sparse.reduce_max(sp, 0, False, True))
out["sparse_add"] = v(tf.sparse.add(sp, sp))
out["map_values"] = v(tf.sparse.map_values(tf.add, sp, sp))
out["map_values_one"] = v(tf.sparse.map_values(tf.ones_like, sp))
out["decode_raw"] = v(tf.io.decode_raw(tf.constant([b"\\x01\\x00\\x02\\x00"]), tf.int16))
offsets = [[0.0, 0.0], [-1.0, 1.0]]
out["glimpse"] = v(tf.image.extract_glimpse(x4, [2, 2], offsets, True, True, "zero"))
box = [[[0.1, 0.1, 0.8, 0.9]]]
out["sdbb"] = v(tf.image.sample_distorted_bounding_box([20, 30, 3], box, 5, 0.3))
out["seg"] = v(tf.sparse.segment_sum([[1.0], [2.0], [3.0]], [0, 2], [0, 1], 3))
out["strings_len"] = v(tf.strings.length(["héllo"], "UTF8_CHAR"))
out["substr"] = v(tf.strings.substr(["héllo"], 1, 2, "UTF8_CHAR"))
out["to_number"] = v(tf.strings.to_number(["1.5"], tf.float64))
out["reduce_join"] = v(tf.strings.reduce_join([["a", "b"], ["c", "d"]], 1, False, "-"))
out["split"] = [[x.decode() for x in r] for r in tf.strings.split(["a b", "c"]).to_list()]
with tf.name_scope("outer"):
    out["name_scope"] = tf.get_current_name_scope()
traced = tf.function(lambda: tf.constant(tf.inside_function()))
out["inside_function"] = [tf.inside_function(), bool(traced())]
print(json.dumps(out))
"""
)


@tfrun.requires_tf
@pytest.mark.tf
def test_positional_arguments_land_where_tf2_puts_them():
    got = _tfgraph_v2(_POSITIONAL)
    want = tfrun.run_tf_json(_POSITIONAL, v1=False)
    _close(got, want)


_SEEDS = """
out = []
for _ in range(2):
    tf.random.set_seed(7)
    out.append([tf.random.uniform([3]).numpy().tolist(), tf.random.normal([2]).numpy().tolist(),
                tf.random.uniform([2], seed=3).numpy().tolist(),
                tf.random.uniform([2], seed=3).numpy().tolist()])
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_set_seed_gives_tf2_values_and_restarts_them():
    """Eagerly, op seeds come from random.Random(global seed) and set_seed restarts the
    random ops' streams: TF2's values, bit for bit, the same after each set_seed."""
    got = _tfgraph_v2(_SEEDS)
    assert got == tfrun.run_tf_json(_SEEDS, v1=False)
    assert got[0] == got[1] and got[0][2] != got[0][3]


_ERRORS = (
    _HELPERS
    + """
for name, fn in [
    ("device_fn", lambda: tf.device(lambda op: "/cpu:0")),
    ("constant_shape", lambda: tf.constant([1, 2], shape=[3])),
]:
    try:
        fn()
        out[name] = None
    except Exception as e:
        out[name] = [type(e).__name__]
print(json.dumps(out))
"""
)


@tfrun.requires_tf
@pytest.mark.tf
def test_tf2_errors():
    assert _tfgraph_v2(_ERRORS) == tfrun.run_tf_json(_ERRORS, v1=False)


_GRAPHS = """
from collections import Counter
SKIP = {"Placeholder", "Identity", "NoOp", "Const"}
def types(fn, *specs):
    g = tf.function(fn).get_concrete_function(*specs).graph
    ops = g.get_operations()
    out = {}
    for op in ops:
        if op.type in SKIP:
            continue
        attrs = {}
        for k in ("output_type", "keep_dims", "padding", "data_format", "half_pixel_centers",
                  "align_corners", "Tidx", "dilations", "strides", "seed", "seed2"):
            try:
                v = op.get_attr(k)
            except Exception:
                continue
            if isinstance(v, bytes):
                v = v.decode()
            elif hasattr(v, "name") and not isinstance(v, (int, list)):
                v = v.name
            attrs[k] = v
        out.setdefault(op.type, []).append(attrs)
    return out
S = tf.TensorSpec
x4 = S([2, 5, 5, 3], tf.float32)
w4 = S([3, 3, 3, 4], tf.float32)
out = {}
out["conv2d"] = types(lambda x, w: tf.nn.conv2d(x, w, 1, "SAME", "NHWC", 2), x4, w4)
out["sum"] = types(lambda x: tf.reduce_sum(x, 1, True), x4)
out["argmax"] = types(lambda x: tf.argmax(x, 1), x4)
out["argmax32"] = types(lambda x: tf.math.argmax(x, 1, tf.int32), x4)
xent = tf.nn.softmax_cross_entropy_with_logits
out["xent"] = types(lambda a, b: xent(a, b), S([2, 3]), S([2, 3]))
out["gelu"] = types(lambda x: tf.nn.gelu(x), S([3]))
out["gelu_t"] = types(lambda x: tf.nn.gelu(x, True), S([3]))
out["resize"] = types(lambda x: tf.image.resize(x, [3, 7]), x4)
out["poisson"] = types(lambda l: tf.random.poisson([4], l, seed=5), S([2]))
out["moments"] = types(lambda x: tf.nn.moments(x, [0, 1]), x4)
out["b2s"] = types(lambda x: tf.batch_to_space(x, [2, 2], [[0, 0], [0, 0]]), S([4, 1, 1, 1]))
out["shape"] = types(lambda x: tf.shape(x, tf.int64), x4)
out["squeeze"] = types(lambda x: tf.squeeze(x, [0]), S([1, 2]))
out["dropout"] = types(lambda x: tf.nn.dropout(x, 0.5, seed=1), x4)
out["pool"] = types(lambda x: tf.nn.pool(x, [2, 2], "AVG", [2, 2]), x4)
out["convolution"] = types(lambda x, w: tf.nn.convolution(x, w, 2), x4, w4)
depthwise = tf.nn.depthwise_conv2d
out["depthwise"] = types(lambda x, w: depthwise(x, w, [1, 1, 1, 1], "SAME"), x4, w4)
out["pad"] = types(lambda x: tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], "REFLECT"), x4)
out["count"] = types(lambda x: tf.math.count_nonzero(x, 1), x4)
out["lse"] = types(lambda x: tf.reduce_logsumexp(x, 1), x4)
out["log_softmax"] = types(lambda x: tf.nn.log_softmax(x, 1), x4)
out["in_top_k"] = types(lambda p: tf.math.in_top_k([1, 0], p, 1), S([2, 3]))
out["norm"] = types(lambda x: tf.norm(x, 2, 1), S([2, 3]))
sxent = tf.nn.sparse_softmax_cross_entropy_with_logits
out["sxent"] = types(lambda a, b: sxent(a, b), S([2], tf.int32), S([2, 3]))
out["max_pool"] = types(lambda x: tf.nn.max_pool(x, 2, 2, "SAME"), x4)
out["avg_pool2d"] = types(lambda x: tf.nn.avg_pool2d(x, 2, 2, "SAME"), x4)
out["conv3d"] = types(lambda x, w: tf.nn.conv3d(x, w, [1, 1, 1, 1, 1], "SAME"),
                      S([1, 3, 4, 4, 2]), S([2, 2, 2, 2, 3]))
out["s2d"] = types(lambda x: tf.nn.space_to_depth(x, 2), S([1, 4, 4, 1]))
out["gather"] = types(lambda x: tf.gather(x, [1, 0], axis=1), S([2, 3]))
out["mask"] = types(lambda x: tf.boolean_mask(x, [True, False], axis=0), S([2, 3]))
out["size"] = types(lambda x: tf.size(x, tf.int64), x4)
out["transpose"] = types(lambda x: tf.transpose(x), S([2, 3]))
out["expand"] = types(lambda x: tf.expand_dims(x, 0), S([2, 3]))
out["to_number"] = types(lambda s: tf.strings.to_number(s), S([2], tf.string))
out["length"] = types(lambda s: tf.strings.length(s, "UTF8_CHAR"), S([2], tf.string))
out["crelu"] = types(lambda x: tf.nn.crelu(x), S([2, 3]))
wxent = tf.nn.weighted_cross_entropy_with_logits
out["wxent"] = types(lambda a, b: wxent(a, b, 2.0), S([2, 3]), S([2, 3]))
print(json.dumps(out, sort_keys=True, default=str))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_tf_function_graphs_are_tf2s():
    """Traced by tf.function, TF2's functions build TF2's ops and attrs (TF2's argmax
    output_type, keep_dims, half-pixel resize, BatchToSpaceND, gelu's erfc form, ...)."""
    assert _tfgraph_v2(_GRAPHS) == tfrun.run_tf_json(_GRAPHS, v1=False)


_JACOBIANS = """
import json
import numpy as np

def f(a, b):
    return tf.reduce_sum(a * a, 1) + tf.sin(b)

t, n = tf.test.compute_gradient(f, [np.array([[1.0, 2.0], [3.0, 4.0]], np.float32),
                                    np.array([0.5, -1.0], np.float32)])
t64, n64 = tf.test.compute_gradient(lambda x: tf.exp(x), [np.array([0.1, 0.2])], delta=1e-3)
out = [[a.dtype.name, a.shape, a.round(4).tolist()] for a in (*t, *n, *t64, *n64)]
try:
    tf.test.compute_gradient(f, np.ones(2))
except ValueError as e:
    out.append(type(e).__name__)
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_compute_gradient_gives_tf2s_jacobians():
    assert _tfgraph_v2(_JACOBIANS) == tfrun.run_tf_json(_JACOBIANS, v1=False)


_STATELESS_IMAGES = (
    _HELPERS
    + """
img = rng.rand(4, 6, 3).astype(np.float32)
batch = rng.rand(3, 4, 6, 3).astype(np.float32)
seed = [3, 11]
im = tf.image
for s in ([1, 2], [5, 7], seed):
    out[f"flip_lr{s}"] = v(im.stateless_random_flip_left_right(img, s))
out["flip_ud"] = v(im.stateless_random_flip_up_down(batch, seed))
out["flip_lr_batch"] = v(im.stateless_random_flip_left_right(batch, [9, 9]))
out["brightness"] = v(im.stateless_random_brightness(img, 0.3, seed))
out["contrast"] = v(im.stateless_random_contrast(img, 0.2, 1.5, seed))
out["hue"] = v(im.stateless_random_hue(img, 0.2, seed))
out["saturation"] = v(im.stateless_random_saturation(img, 0.5, 1.5, seed))
out["crop"] = v(im.stateless_random_crop(batch, [2, 2, 3, 3], seed))
out["jpeg"] = v(tf.shape(im.stateless_random_jpeg_quality(img, 50, 90, seed)))
out["pad"] = v(im.resize_with_pad(img, 8, 8))
out["pad_nearest"] = v(im.resize_with_pad(batch, 3, 9, "nearest"))
print(json.dumps(out))
"""
)


@tfrun.requires_tf
@pytest.mark.tf
def test_stateless_random_image_ops_give_tf2s_values():
    _close(_tfgraph_v2(_STATELESS_IMAGES), tfrun.run_tf_json(_STATELESS_IMAGES, v1=False))


_KERAS_NAMESPACES = """
y = np.array([[0.0, 1.0], [1.0, 0.0]], np.float32)
p = np.array([[0.2, 0.7], [0.6, 0.1]], np.float32)
out = {}
out["mse"] = tf.losses.mse(y, p).numpy().round(5).tolist()
out["MSE"] = float(tf.losses.MeanSquaredError()(y, p).numpy().round(5))
out["bce"] = float(tf.losses.BinaryCrossentropy(from_logits=True)(y, p).numpy().round(5))
out["cce"] = tf.losses.categorical_crossentropy(y, p).numpy().round(5).tolist()
out["acc"] = tf.metrics.binary_accuracy(y, p).numpy().round(5).tolist()
out["get"] = tf.losses.get("mse").__name__
out["init"] = tf.initializers.GlorotUniform(seed=1)([2, 3]).shape.as_list()
out["zeros"] = tf.initializers.Zeros()([2]).numpy().tolist()
v = tf.Variable([1.0, 2.0])
opt = tf.optimizers.SGD(0.1, momentum=0.9)
for _ in range(2):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(v * v)
    opt.apply_gradients(zip(tape.gradient(loss, [v]), [v]))
out["sgd"] = v.numpy().round(5).tolist()
out["classes"] = [type(tf.optimizers.Adam()).__name__, type(tf.losses.Huber()).__name__]
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_losses_metrics_optimizers_initializers_are_keras():
    """TF2's tf.losses, tf.metrics, tf.optimizers and tf.initializers are tf.keras's."""
    assert _tfgraph_v2(_KERAS_NAMESPACES) == tfrun.run_tf_json(_KERAS_NAMESPACES, v1=False)

"""tf.saturate_cast (ClipByValue + Cast) and tf.confusion_matrix, compared with TF."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
def run(s, t):
    try:
        return s.run(t)
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines()
                 if ln.strip() and "[[{{node" not in ln and not ln.startswith(("Node:", "  "))]
        return [type(e).__name__, [ln for ln in lines if "assertion failed" in ln][:1]]
casts = [
    tf.saturate_cast(tf.constant([1.5, 300., -7., np.nan]), tf.uint8),
    tf.saturate_cast(tf.constant([70000, -70000, 5]), tf.int16),
    tf.saturate_cast(tf.constant([1e10, -1e10], tf.float64), tf.int32),
    tf.saturate_cast(tf.constant([3, -2], tf.int64), tf.float32),
    tf.saturate_cast(tf.constant([1e40, -2.5], tf.float64), tf.float32),
]
cm = tf.confusion_matrix([0, 1, 2, 2], [0, 2, 2, 1])
cm2 = tf.math.confusion_matrix([1, 3], [1, 0], num_classes=5, weights=[0.5, 2.], dtype=tf.float32)
x = tf.constant([-2., 0.5, 3.])
lo = tf.constant(-1.)
hi = tf.constant([1., 1., 2.])
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "dtypes": [c.dtype.name for c in casts + [cm, cm2]],
    "shapes": [str(c.shape) for c in casts + [cm, cm2]],
}
with tf.Session() as s:
    result["values"] = s.run(casts[1:] + [cm, cm2])
    result["nan_cast"] = s.run(casts[0])[:3]
    bad = tf.placeholder_with_default([0, -1], [2])
    big = tf.placeholder_with_default([0, 4], [2])
    result["errors"] = [run(s, tf.confusion_matrix(bad, [0, 1])),
                        run(s, tf.confusion_matrix(big, [0, 1], num_classes=3))]
"""


@pytest.mark.tf
@requires_tf
def test_misc_names_match_tf():
    here, theirs = run_both(PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_misc_names():
    r = run_here(PROGRAM)
    assert r["values"][0] == [32767, -32768, 5]
    assert r["values"][4] == [[1, 0, 0], [0, 0, 1], [0, 1, 1]]


def test_clip_by_value_op_gradient():
    from tfgraph.ops.apply import op_output

    x0 = np.array([-2.0, 0.5, 3.0, 0.9])
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [4])
        lo = tf.placeholder(tf.float64, [])
        hi = tf.placeholder(tf.float64, [4])
        y = op_output("ClipByValue", None, [x, lo, hi])
        loss = tf.reduce_sum(y * tf.constant([1.0, 2.0, 3.0, 4.0], tf.float64))
        grads = tf.gradients(loss, [x, lo, hi])
        with tf.Session() as s:
            feed = {x: x0, lo: -1.0, hi: np.array([1.0, 1.0, 2.0, 1.0])}
            gx, glo, ghi = s.run(grads, feed)
    assert gx.tolist() == [0.0, 2.0, 0.0, 4.0]
    assert glo == 1.0
    assert ghi.tolist() == [0.0, 0.0, 3.0, 0.0]


BYTES_PROGRAM = """
def run(s, t):
    try:
        return s.run(t)
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines()
                 if ln.strip() and "[[{{node" not in ln and not ln.startswith(("Node:", "  "))]
        return [type(e).__name__, lines[-1]]
words = tf.constant(["hello", "ab?>", "", "\\xff\\xfe~"])
enc = tf.encode_base64(words)
enc_pad = tf.io.encode_base64(words, pad=True) if hasattr(tf, "io") and hasattr(
    tf.io, "encode_base64") else tf.encode_base64(words, pad=True)
dec = tf.decode_base64(enc)
dec_pad = tf.decode_base64(enc_pad)
f = tf.constant([1.0, -2.5], tf.float32)
b1 = tf.bitcast(f, tf.int32)
b2 = tf.bitcast(f, tf.uint8)
b3 = tf.bitcast(tf.constant([[1, 0, 0, 0], [0, 0, 128, 63]], tf.uint8), tf.float32)
b4 = tf.bitcast(tf.constant([1.5], tf.float64), tf.int32)
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "shapes": [str(t.shape) for t in (enc, dec, b1, b2, b3, b4)],
}
try:
    tf.bitcast(tf.constant([1, 2, 3], tf.uint8), tf.int32)
except ValueError as e:
    result["bitcast_error"] = str(e).split(" for '")[0]
with tf.Session() as s:
    out = s.run([enc, enc_pad, dec, dec_pad])
    result["base64"] = [[v.hex() for v in vs] for vs in out]
    result["bitcast"] = s.run([b1, b2, b3, b4])
    result["errors"] = [run(s, tf.decode_base64(tf.constant(["a$b"]))),
                        run(s, tf.decode_base64(tf.constant(["abcde"])))]
"""


@pytest.mark.tf
@requires_tf
def test_base64_bitcast_match_tf():
    here, theirs = run_both(BYTES_PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_base64_bitcast():
    r = run_here(BYTES_PROGRAM)
    assert bytes.fromhex(r["base64"][0][0]) == b"aGVsbG8"
    assert r["bitcast"][0] == [1065353216, -1071644672]


HIST_PROGRAM = """
v = tf.constant([[0.5, 1.5, 9.], [-3., 4.99, 5.]])
h = tf.histogram_fixed_width_bins(v, [0., 5.], nbins=5)
h2 = tf.histogram_fixed_width_bins(tf.constant([1., 7., 3., 8.]), [0., 8.], nbins=4)
proper = []
for value in ([1, 2], (3,), {"a": 1}, tf.constant([1]), np.array([1]), "ab", b"ab", 3):
    try:
        tf.debugging.assert_proper_iterable(value)
        proper.append(None)
    except TypeError as e:
        proper.append(str(e).replace(str(type(value)), "<type>"))
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "shapes": [str(h.shape), str(h2.shape)],
    "proper": proper,
}
with tf.Session() as s:
    result["values"] = s.run([h, h2])
"""


@pytest.mark.tf
@requires_tf
def test_histogram_bins_and_proper_iterable_match_tf():
    here, theirs = run_both(HIST_PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_histogram_bins():
    r = run_here(HIST_PROGRAM)
    assert r["values"][0] == [[0, 1, 4], [0, 4, 4]]
    assert r["proper"][:3] == [None, None, None]


GATHER_PROGRAM = """
p = tf.reshape(tf.range(24.), [2, 3, 4])
bg = tf.batch_gather(p, tf.constant([[0, 2], [1, 1]]))
bg3 = tf.batch_gather(tf.reshape(tf.range(24), [2, 3, 4]), tf.constant([[[3], [0], [1]],
                                                                         [[2], [2], [0]]]))
ph = tf.placeholder_with_default(p, [None, None, 4])
bg_dyn = tf.batch_gather(ph, tf.placeholder_with_default(tf.constant([[2], [0]]), [None, 1]))
g = tf.gradients(tf.reduce_sum(bg * bg), [p])
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "shapes": [str(t.shape) for t in (bg, bg3, bg_dyn)],
}
with tf.Session() as s:
    result["values"] = s.run([bg, bg3, bg_dyn, g])
"""


@pytest.mark.tf
@requires_tf
def test_batch_gather_matches_tf():
    here, theirs = run_both(GATHER_PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_batch_gather():
    r = run_here(GATHER_PROGRAM)
    assert r["values"][0][1] == [[16.0, 17.0, 18.0, 19.0], [16.0, 17.0, 18.0, 19.0]]


CHECKS_PROGRAM = """
def run(s, t, feed=None):
    try:
        s.run(t, feed)
        return None
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines()
                 if ln.strip() and "[[{{node" not in ln and not ln.startswith(("Node:", "  "))]
        return [type(e).__name__,
                [ln for ln in lines if "Tensor had" in ln or "assertion failed" in ln][:1]]
x = tf.placeholder(tf.float32, [2])
y = tf.log(x) * 2.0
n = tf.constant([1, 2])
check = tf.add_check_numerics_ops()
img = tf.reshape(tf.range(60.), [3, 4, 5])
crop = tf.random_crop(img, [2, 2, 5], seed=3)
crop2 = tf.image.random_crop(tf.reshape(tf.range(12), [3, 4]), [3, 1])
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "check_inputs": sorted(i.name for i in check.control_inputs),
    "shapes": [str(crop.shape), str(crop2.shape)],
}
with tf.Session() as s:
    result["ok"] = run(s, check, {x: [1., 2.]})
    result["bad"] = run(s, check, {x: [1., -2.]})
    crops = [s.run(crop) for _ in range(20)]
    result["crops_valid"] = all(
        c[0, 0, 0] % 5 == 0 and int(c[0, 0, 0]) // 20 <= 1 and (int(c[0, 0, 0]) % 20) // 5 <= 2
        and (c[1, 1] - c[0, 0] == 25).all() for c in crops)
    result["crop2"] = [int(v) for v in s.run(crop2)[:, 0] - np.array([0, 4, 8])][:1]
    result["crop_error"] = run(s, tf.random_crop(
        tf.placeholder_with_default(img, [None, 4, 5]), [4, 2, 5]))
"""


@pytest.mark.tf
@requires_tf
def test_check_numerics_ops_and_random_crop_match_tf():
    here, theirs = run_both(CHECKS_PROGRAM)
    for key in theirs:
        if key == "crop2":
            assert 0 <= here[key][0] <= 3
            continue
        assert here[key] == theirs[key], key


def test_check_numerics_ops_and_random_crop():
    r = run_here(CHECKS_PROGRAM)
    assert r["ok"] is None
    assert r["bad"] == ["InvalidArgumentError", ["Log:0 : Tensor had NaN values"]]
    assert r["crops_valid"]


PASS_THROUGH_PROGRAM = """
x = tf.Variable(1.0, name="x")
y = tf.constant(3.0)
z = tf.grad_pass_through(x.assign)(y)
w = tf.grad_pass_through(lambda a, b: (a * a, tf.floor(b)))(y, tf.constant(2.5))
g = tf.gradients(z * 2.0, [y])
g2 = tf.gradients(w[0] + 3.0 * w[1], [y])
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
}
with tf.Session() as s:
    s.run(x.initializer)
    result["values"] = s.run([g, g2, z, w])
    result["x"] = s.run(x)
"""


@pytest.mark.tf
@requires_tf
def test_grad_pass_through_matches_tf():
    here, theirs = run_both(PASS_THROUGH_PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_grad_pass_through():
    r = run_here(PASS_THROUGH_PROGRAM)
    assert r["values"][0] == [2.0]
    assert r["values"][1] == [1.0]


POISSON_PROGRAM = """
p = tf.random_poisson([1.5, 3.0], [4, 2], seed=3)
p2 = tf.random.poisson(tf.constant([[2.0]], tf.float64), [3], dtype=tf.int32)
big = tf.random_poisson([0.5, 20.0], [20000], seed=7)
means = tf.reduce_mean(big, axis=0)
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "attrs": [sorted((k, str(v)) for k, v in (("S", o.get_attr("S")), ("R", o.get_attr("R")),
                                              ("dtype", o.get_attr("dtype"))))
              for o in (p.op, p2.op)],
    "shapes": [str(p.shape), str(p2.shape)],
    "dtypes": [p.dtype.name, p2.dtype.name],
}
with tf.Session() as s:
    a, b, m = s.run([p, p2, means])
    result["integral"] = bool((a == np.round(a)).all() and (a >= 0).all() and (b >= 0).all())
    result["means_close"] = bool(abs(m[0] - 0.5) < 0.05 and abs(m[1] - 20.0) < 0.3)
"""


@pytest.mark.tf
@requires_tf
def test_random_poisson_matches_tf():
    here, theirs = run_both(POISSON_PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_random_poisson():
    r = run_here(POISSON_PROGRAM)
    assert r["shapes"] == ["(4, 2, 2)", "(3, 1, 1)"]
    assert r["integral"] and r["means_close"]

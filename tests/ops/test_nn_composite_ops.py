"""tf.nn's max_pool_v2/avg_pool_v2, conv1d_transpose/conv_transpose,
atrous_conv2d_transpose, dilation2d/erosion2d (Dilation2D and its backprop ops),
batch_norm_with_global_normalization, compute_average_loss, scale_regularization_loss
and the depthwise backprop aliases, against TF: ops, static shapes, values, gradients."""

from __future__ import annotations

import numpy as np
import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
rng = np.random.RandomState(3)
x = tf.constant(rng.randn(2, 7, 6, 3).astype(np.float32), name="x")
x1 = tf.constant(rng.randn(2, 9, 3).astype(np.float32), name="x1")
outs = {
    "max_v2": tf.nn.max_pool_v2(x, 2, 2, "SAME"),
    "avg_v2": tf.nn.avg_pool_v2(x, [3, 2], [1, 2], "VALID"),
    "max_v2_1d": tf.nn.max_pool_v2(x1, 3, 2, "SAME"),
    "avg_v2_1d": tf.nn.avg_pool_v2(x1, 2, 1, "VALID", name="a1"),
    "c1t": tf.nn.conv1d_transpose(x1, tf.constant(rng.randn(3, 4, 3).astype(np.float32)),
                                  [2, 18, 4], 2),
    "ct": tf.nn.conv_transpose(x, tf.constant(rng.randn(3, 3, 5, 3).astype(np.float32)),
                               [2, 14, 12, 5], 2),
    "ct1": tf.nn.conv_transpose(x1, tf.constant(rng.randn(2, 4, 3).astype(np.float32)),
                                [2, 9, 4], 1, padding="SAME"),
    "act": tf.nn.atrous_conv2d_transpose(x, tf.constant(rng.randn(3, 3, 4, 3).astype(np.float32)),
                                         [2, 7, 6, 4], 2, "SAME"),
    "act_valid": tf.nn.atrous_conv2d_transpose(
        x, tf.constant(rng.randn(2, 2, 4, 3).astype(np.float32)), [2, 9, 8, 4], 2, "VALID"),
    "bngn": tf.nn.batch_norm_with_global_normalization(
        x, tf.constant([0.1, 0.2, 0.3]), tf.constant([1.0, 2.0, 0.5]), tf.constant([0., 1., 2.]),
        tf.constant([2., 3., 4.]), 0.001, True),
    "bngn_noscale": tf.nn.batch_norm_with_global_normalization(
        x, tf.constant([0.1, 0.2, 0.3]), tf.constant([1.0, 2.0, 0.5]), tf.constant([0., 1., 2.]),
        tf.constant([2., 3., 4.]), 0.001, False),
    "cal": tf.nn.compute_average_loss(tf.constant([1.0, 2.0, 3.0, 6.0])),
    "cal_w": tf.nn.compute_average_loss(tf.constant([1.0, 2.0, 3.0, 6.0]),
                                        sample_weight=tf.constant([1.0, 0.0, 2.0, 0.5]),
                                        global_batch_size=8),
    "srl": tf.nn.scale_regularization_loss(tf.constant([1.5, 2.5])),
    "dwbf": tf.nn.depthwise_conv2d_backprop_filter(
        x, [3, 3, 3, 2], tf.constant(rng.randn(2, 7, 6, 6).astype(np.float32)), [1, 1, 1, 1],
        "SAME"),
    "dwbi": tf.nn.depthwise_conv2d_backprop_input(
        [2, 7, 6, 3], tf.constant(rng.randn(3, 3, 3, 2).astype(np.float32)),
        tf.constant(rng.randn(2, 7, 6, 6).astype(np.float32)), [1, 1, 1, 1], "SAME"),
}
k = tf.constant(rng.randn(3, 2, 3).astype(np.float32) * 0.5, name="k")
morph = {
    "dil_same": tf.nn.dilation2d(x, k, [1, 1, 1, 1], [1, 1, 1, 1], "SAME"),
    "dil_valid_strided": tf.nn.dilation2d(x, k, [1, 2, 2, 1], [1, 1, 2, 1], "VALID", name="dv"),
    "dil_rate": tf.nn.dilation2d(x, k, [1, 1, 1, 1], [1, 2, 2, 1], "SAME"),
    "ero": tf.nn.erosion2d(x, k, [1, 1, 1, 1], [1, 1, 1, 1], "SAME"),
    "ero_strided": tf.nn.erosion2d(x, k, [1, 2, 1, 1], [1, 1, 1, 1], "VALID"),
}
outs.update(morph)
w = tf.constant(rng.randn(2, 7, 6, 3).astype(np.float32))
loss = sum(tf.reduce_sum(v * w[:, :v.shape[1], :v.shape[2]]) for v in
           [morph["dil_same"], morph["dil_valid_strided"], morph["ero"]])
grads = tf.gradients(loss, [x, k])
result = {"ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()
                        if o.type != "Const" and not o.name.startswith("gradients")),
          "grad_ops": sorted(o.type for o in tf.get_default_graph().get_operations()
                             if o.name.startswith("gradients") and "Dilation" in o.type),
          "shapes": {n: str(v.shape) for n, v in outs.items()}}
with tf.Session() as s:
    vals = s.run(outs)
    result["values"] = {n: np.round(np.asarray(v, np.float64), 4).tolist() for n, v in vals.items()}
    result["grads"] = [np.round(g, 4).tolist() for g in s.run(grads)]
errors = []
for bad in (lambda: tf.nn.compute_average_loss(tf.constant(1.0)),
            lambda: tf.nn.max_pool_v2(tf.ones([2, 2]), 2, 2, "SAME"),
            lambda: tf.nn.atrous_conv2d_transpose(x, k[..., None], [2, 7, 6, 3], 0, "SAME")):
    try:
        bad()
    except ValueError as e:
        errors.append(str(e).split(".")[0])
result["errors"] = errors
"""


def _strip_ops(r):
    # compute_average_loss: tfgraph's statically decided asserts build no ops where TF
    # builds its (unused) Assert subgraph for assert_non_negative; the values agree.
    return [o for o in r["ops"] if "assert_" not in o]


@pytest.mark.tf
@requires_tf
def test_nn_composites_match_tf():
    here, theirs = run_both(PROGRAM)
    assert here["values"].keys() == theirs["values"].keys()
    for key in here["values"]:
        np.testing.assert_allclose(here["values"][key], theirs["values"][key], atol=2e-3)
    np.testing.assert_allclose(here["grads"][0], theirs["grads"][0], atol=2e-3)
    np.testing.assert_allclose(here["grads"][1], theirs["grads"][1], atol=2e-3)
    assert here["shapes"] == theirs["shapes"]
    assert here["errors"] == theirs["errors"]
    assert here["grad_ops"] == theirs["grad_ops"]
    assert _strip_ops(here) == _strip_ops(theirs)


def test_dilation_and_erosion():
    r = run_here(PROGRAM)
    v = r["values"]
    assert r["shapes"]["dil_valid_strided"] == "(2, 3, 2, 3)"
    assert r["shapes"]["ct"] == "(2, 14, 12, 5)" and r["shapes"]["c1t"] == "(2, 18, 4)"
    assert v["cal"] == pytest.approx(3.0) and v["srl"] == pytest.approx(4.0)
    assert v["cal_w"] == pytest.approx((1 + 6 + 3) / 8)
    assert r["grad_ops"] == ["Dilation2DBackpropFilter"] * 3 + ["Dilation2DBackpropInput"] * 3

"""`tf.conv2d_backprop_input_v2` / `tf.conv2d_backprop_filter_v2` (ops
Conv2DBackpropInputV2 / Conv2DBackpropFilterV2) compared with TF: the graph, static
shapes and attrs, and the values (TF 2.21 registers these ops for GPUs only, so its values
are taken from the V1 ops with the same geometry; tfgraph computes the V2 ops on the CPU)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
rng = np.random.RandomState(0)
xv = rng.rand(2, 6, 5, 3).astype(np.float32)
wv = rng.rand(3, 2, 3, 4).astype(np.float32)
cases = [([1, 1, 1, 1], "SAME", [], [1, 1, 1, 1]),
         ([1, 2, 2, 1], "VALID", [], [1, 1, 1, 1]),
         ([1, 1, 2, 1], "EXPLICIT", [0, 0, 1, 2, 0, 1, 0, 0], [1, 1, 1, 1])]
out = {"graphs": [], "vals": [], "grad": None}


def build(v2):
    x = tf.constant(xv)
    w = tf.constant(wv)
    fetch = []
    for i, (strides, padding, explicit, dil) in enumerate(cases):
        pad = padding if padding != "EXPLICIT" else [[0, 0], [1, 2], [0, 1], [0, 0]]
        y = tf.nn.conv2d(x, w, strides, pad, dilations=dil)
        dy = tf.constant(np.random.RandomState(i).rand(*y.shape.as_list()).astype(np.float32))
        if not v2:
            fetch += tf.gradients(y, [w, x], dy)
            continue
        fi = tf.conv2d_backprop_filter_v2(x, w, dy, strides, padding,
                                          explicit_paddings=explicit, dilations=dil)
        ii = tf.conv2d_backprop_input_v2(x, w, dy, strides, padding,
                                         explicit_paddings=explicit, dilations=dil, name="bi")
        out["graphs"].append([
            [t.op.type, t.op.name, t.shape.as_list(), t.op.get_attr("padding").decode(),
             t.op.get_attr("explicit_paddings"), t.op.get_attr("strides"),
             t.op.get_attr("dilations"), t.op.get_attr("use_cudnn_on_gpu"),
             t.op.get_attr("data_format").decode()]
            for t in (fi, ii)])
        fetch += [fi, ii]
    if v2:
        try:
            tf.gradients(fetch[0], x)
        except LookupError as e:
            out["grad"] = "No gradient defined for operation" in str(e)
        try:
            tf.conv2d_backprop_input_v2(x, w, dy, 1, "SAME")
        except TypeError as e:
            out["strides_error"] = str(e)
    return fetch


with tf.Graph().as_default():
    fetch = build(True)
    if not IS_TF:  # (TF has no CPU kernel for the V2 ops: its values come from V1 ops)
        with tf.Session() as s:
            out["vals"] = [v.tolist() for v in s.run(fetch)]
if IS_TF:
    with tf.Graph().as_default():
        fetch = build(False)
        with tf.Session() as s:
            out["vals"] = [v.tolist() for v in s.run(fetch)]
"""


def _ours():
    scope = {"tf": tf, "np": np, "IS_TF": False}
    exec(PROGRAM, scope)
    return scope["out"]


def test_v2_backprops_build_and_run():
    out = _ours()
    assert out["grad"] is True
    assert out["graphs"][0][0][:3] == [
        "Conv2DBackpropFilterV2",
        "Conv2DBackpropFilterV2",
        [3, 2, 3, 4],
    ]
    assert out["graphs"][0][1][:3] == ["Conv2DBackpropInputV2", "bi", [2, 6, 5, 3]]


@pytest.mark.tf
@requires_tf
def test_v2_backprops_match_tf():
    theirs = run_tf_json("IS_TF = True\n" + PROGRAM + "\nprint(json.dumps(out))")
    ours = json.loads(json.dumps(_ours()))
    assert ours["graphs"] == theirs["graphs"]
    assert ours["grad"] == theirs["grad"] is True
    assert ours["strides_error"] == theirs["strides_error"]
    for a, b in zip(ours["vals"], theirs["vals"]):
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-5, atol=1e-5)

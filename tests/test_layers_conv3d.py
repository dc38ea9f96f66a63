"""tf.layers.conv3d/Conv3D, conv3d_transpose/Conv3DTranspose, max_pooling3d/MaxPooling3D,
average_pooling3d/AveragePooling3D: graphs (op names and types), variables, static
shapes, values and gradients against TF."""

from __future__ import annotations

import json

import numpy as np

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
rng = np.random.RandomState(0)
out = {}
with tf.Graph().as_default() as g:
    tf.set_random_seed(1)
    xv = rng.randn(2, 5, 6, 7, 3).astype(np.float32)
    x = tf.placeholder(tf.float32, (2, 5, 6, 7, 3))
    init = tf.constant_initializer
    y = tf.layers.conv3d(x, 4, (2, 3, 2), strides=(1, 2, 1), padding="same",
                         activation=tf.nn.relu,
                         kernel_initializer=init(rng.randn(2, 3, 2, 3, 4) * 0.3),
                         bias_initializer=init(rng.randn(4)))
    z = tf.layers.conv3d_transpose(y, 2, 2, strides=2, padding="valid",
                                   kernel_initializer=init(rng.randn(2, 2, 2, 2, 4) * 0.3))
    m = tf.layers.max_pooling3d(z, 2, 2)
    a = tf.layers.average_pooling3d(z, (2, 1, 2), 1, padding="same")
    xc = tf.placeholder(tf.float32, (2, 3, 5, 6, 7))
    c = tf.layers.Conv3D(2, 2, data_format="channels_first", name="cf",
                         kernel_initializer=init(rng.randn(2, 2, 2, 3, 2) * 0.3),
                         bias_initializer=init(rng.randn(2)))(xc)
    ct = tf.layers.Conv3DTranspose(2, (2, 3, 2), (1, 2, 1), padding="same",
                                   data_format="channels_first",
                                   kernel_initializer=init(rng.randn(2, 3, 2, 2, 3) * 0.3),
                                   bias_initializer=init(rng.randn(2)))(xc)
    mc = tf.layers.MaxPooling3D(2, 2, data_format="channels_first")(xc)
    ac = tf.layers.AveragePooling3D(2, (1, 2, 1), padding="same",
                                    data_format="channels_first")(xc)
    outs = [y, z, m, a, c, ct, mc, ac]
    run = [y, z, m, a, mc, ac]  # (TF's CPU kernels run NCDHW convolutions not at all)
    loss = sum(tf.reduce_sum(t * t) for t in run)
    grads = tf.gradients(loss, [x, xc] + tf.trainable_variables()[:4])
    out["ops"] = [o.name + ":" + o.type for o in g.get_operations()]
    out["vars"] = [v.name + str(v.shape) for v in tf.global_variables()]
    out["shapes"] = [str(t.shape) for t in outs]
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        xcv = rng.randn(2, 3, 5, 6, 7).astype(np.float32)
        vals = s.run(run + grads, {x: xv, xc: xcv})
    out["values"] = [v.tolist() for v in vals]
"""


def _here():
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_variable_names():
    out = _here()
    assert out["vars"][:2] == ["conv3d/kernel:0(2, 3, 2, 3, 4)", "conv3d/bias:0(4,)"]


@requires_tf
def test_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))\n")
    ours = _here()
    for key in ("ops", "vars", "shapes"):
        assert ours[key] == theirs[key], key
    for i, (a, b) in enumerate(zip(ours["values"], theirs["values"])):
        scale = max(np.abs(np.asarray(b)).max(), 1.0)
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5 * scale, err_msg=str(i))

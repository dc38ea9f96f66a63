"""ExtractVolumePatches (tf.extract_volume_patches): patches, shapes, graph and gradients
(VALID/SAME, strides) compared with TF."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
rng = np.random.RandomState(5)
x = tf.constant(rng.randn(2, 4, 5, 6, 3).astype(np.float32))
p = [tf.extract_volume_patches(x, [1, 2, 2, 2, 1], [1, 1, 1, 1, 1], "VALID"),
     tf.extract_volume_patches(x, [1, 2, 3, 2, 1], [1, 2, 1, 3, 1], "SAME"),
     tf.extract_volume_patches(x, ksizes=[1, 3, 1, 4, 1], strides=[1, 3, 2, 2, 1],
                               padding="SAME", name="vol"),
     tf.extract_volume_patches(x, [1, 1, 5, 2, 1], [1, 2, 2, 5, 1], "VALID"),
     tf.extract_volume_patches(tf.cast(x * 10, tf.int32), [1, 2, 2, 1, 1], [1, 1, 2, 1, 1],
                               "SAME")]
shapes = [tf.extract_volume_patches(tf.placeholder(tf.float64, [None, 4, None, 6, 3]),
                                    [1, 2, 2, 2, 1], [1, 1, 1, 1, 1], "SAME"),
          tf.extract_volume_patches(tf.placeholder(tf.float64), [1, 2, 2, 2, 1],
                                    [1, 1, 1, 1, 1], "SAME")]
g = [tf.gradients(tf.reduce_sum(q * q), x)[0] for q in p[:4]]
result = {"ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
          "shapes": [str(t.shape) for t in p + shapes]}
with tf.Session() as s:
    result["values"] = [np.asarray(v).tolist() for v in s.run(p + g)]
"""

ERRORS = """
def run(f):
    try:
        with tf.Graph().as_default():
            t = f()
            with tf.Session() as s:
                s.run(t)
        return "ok"
    except (tf.errors.OpError, ValueError) as e:
        if not isinstance(e, tf.errors.OpError):
            return "ValueError"
        return type(e).__name__ + ": " + [l for l in e.message.splitlines() if l][-2]
x = np.zeros([1, 3, 3, 3, 1], np.float32)
result = [
    run(lambda: tf.extract_volume_patches(x, [2, 2, 2, 2, 1], [1, 1, 1, 1, 1], "SAME")),
    run(lambda: tf.extract_volume_patches(x, [1, 2, 2, 2, 1], [1, 1, 1, 1, 2], "SAME")),
    run(lambda: tf.extract_volume_patches(x, [1, 2, 2, 2], [1, 1, 1, 1, 1], "SAME")),
    run(lambda: tf.extract_volume_patches(x[0], [1, 2, 2, 2, 1], [1, 1, 1, 1, 1], "SAME")),
]
"""


@pytest.mark.tf
@requires_tf
def test_extract_volume_patches_matches_tf():
    here, theirs = run_both(PROGRAM)
    assert here["shapes"] == theirs["shapes"]
    assert here["ops"] == theirs["ops"]
    for i, (a, b) in enumerate(zip(here["values"], theirs["values"])):
        assert a == b, i


@pytest.mark.tf
@requires_tf
def test_extract_volume_patches_errors_match_tf():
    here, theirs = run_both(ERRORS)
    assert here == theirs


def test_extract_volume_patches():
    import numpy as np

    import tfgraph as tf

    x = np.arange(2 * 3 * 3 * 3 * 2, dtype=np.float32).reshape(2, 3, 3, 3, 2)
    with tf.Graph().as_default(), tf.Session() as s:
        p = s.run(tf.extract_volume_patches(x, [1, 2, 2, 2, 1], [1, 1, 1, 1, 1], "VALID"))
    assert p.shape == (2, 2, 2, 2, 16)
    assert p[1, 1, 0, 1].tolist() == x[1, 1:3, 0:2, 1:3].reshape(-1).tolist()
    assert run_here(ERRORS)[0].startswith("UnimplementedError: Only support ksizes")

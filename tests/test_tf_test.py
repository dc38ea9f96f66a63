"""`tf.test` (tfgraph/platform/test_util.py): TestCase sessions and assertions, and the
gradient checker compared with TF 2.21's tf.test.compute_gradient."""

from __future__ import annotations

import json
import unittest

import numpy as np
import pytest

import tfgraph as tf
from tests import tfrun


class _Example(tf.test.TestCase):
    def test_sessions_and_asserts(self):
        x = tf.constant([1.0, 2.0])
        y = x * 2
        with self.cached_session() as sess:
            self.assertAllClose(sess.run(y), [2.0, 4.0])
            self.assertIs(tf.get_default_session(), sess)
        with self.cached_session() as again:
            self.assertIs(again, sess)
        with self.test_session():
            self.assertAllEqual(y.eval(), [2.0, 4.0])
        with self.session() as fresh:
            self.assertIsNot(fresh, sess)
        self.assertAllClose(self.evaluate({"a": y}), {"a": np.array([2.0, 4.0])})
        self.assertAllClose(y, [2.0, 4.0])
        self.assertAllGreater(y, 1.0)
        self.assertAllInRange(y, 2.0, 4.0)
        self.assertNotAllClose(y, [2.0, 5.0])
        self.assertArrayNear([1.0, 2.0], [1.0, 2.0001], 1e-3)
        self.assertShapeEqual(np.zeros(2), y)
        with self.assertRaises(AssertionError):
            self.assertAllClose(y, [2.0, 4.1])
        with self.assertRaises(AssertionError):
            self.assertAllEqual([1, 2], [1, 2, 3])

    def test_each_test_has_a_fresh_graph(self):
        self.assertEqual(tf.get_default_graph().get_operations(), [])
        tf.constant(1.0, name="c")
        self.assertEqual(len(tf.get_default_graph().get_operations()), 1)

    def test_gradient_checker(self):
        with self.cached_session():
            x = tf.placeholder(tf.float64, [2, 3])
            y = tf.reduce_sum(tf.square(x) * tf.sin(x), axis=1)
            err = tf.test.compute_gradient_error(x, [2, 3], y, [2])
            self.assertLess(err, 1e-6)
            jt, jn = tf.test.compute_gradient(x, [2, 3], y, [2])
            self.assertEqual(jt.shape, (6, 2))
            self.assertAllClose(jt, jn, atol=1e-6)


def test_testcase_runs_under_unittest():
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(_Example)
    result = unittest.TextTestRunner(verbosity=0).run(suite)
    assert result.wasSuccessful(), result.failures + result.errors


def test_compute_gradient_needs_a_session_and_float_types():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2])
        with pytest.raises(ValueError, match="default session"):
            tf.test.compute_gradient(x, [2], x * 2, [2])
        with tf.Session().as_default():
            i = tf.placeholder(tf.int32, [2])
            with pytest.raises(TypeError, match="int32"):
                tf.test.compute_gradient(i, [2], i * 2, [2])


def test_environment_queries():
    assert tf.test.is_gpu_available() is False and tf.test.gpu_device_name() == ""
    assert tf.test.is_built_with_cuda() is False and tf.test.get_temp_dir()


_PROGRAM = """
import json
x = tf.placeholder(tf.float64, [2, 3])
w = tf.constant([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]], tf.float64)
y = tf.nn.softmax(tf.matmul(tf.tanh(x), w))
x0 = np.array([[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]])
with tf.Session() as s, s.as_default():
    jt, jn = tf.test.compute_gradient(x, [2, 3], y, [2, 2], x_init_value=x0)
    pairs = tf.test.compute_gradient([x, w], [[2, 3], [3, 2]], y, [2, 2],
                                     x_init_value=[x0, s.run(w)], extra_feed_dict={x: x0})
    err = tf.test.compute_gradient_error(x, [2, 3], y, [2, 2], x_init_value=x0)
print(json.dumps({"jt": jt.tolist(), "jn": jn.tolist(), "n": len(pairs),
                  "shapes": [list(p[0].shape) for p in pairs], "err": err}))
"""


@pytest.mark.tf
@tfrun.requires_tf
def test_compute_gradient_against_tf():
    import contextlib
    import io

    want = json.loads(tfrun.run_tf(_PROGRAM))
    buf = io.StringIO()
    with tf.Graph().as_default(), contextlib.redirect_stdout(buf):
        exec(_PROGRAM, {"tf": tf, "np": np})
    got = json.loads(buf.getvalue())
    np.testing.assert_allclose(got["jt"], want["jt"], rtol=1e-10)
    np.testing.assert_allclose(got["jn"], want["jn"], rtol=1e-8, atol=1e-12)
    assert got["n"] == want["n"] == 2 and got["shapes"] == want["shapes"]
    assert got["err"] == pytest.approx(want["err"], rel=1e-3, abs=1e-12)

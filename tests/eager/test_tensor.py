"""Eager tensors: values, printing exactly as TensorFlow prints, numpy interop."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf

# Expressions whose str() and repr() are compared with TF 2.21's.
PRINTED = [
    "tf.constant([[1.0, 2.0], [3.0, 4.0]])",
    "tf.constant([1.0, 2.0, 3.0]) + 1",
    "tf.constant(2.5)",
    "tf.constant(3)",
    "tf.constant(True)",
    "tf.constant(1 + 2j)",
    "tf.constant('ab')",
    "tf.constant([b'a', b'bc'])",
    "tf.argmax(tf.constant([[1.0, 2.0], [3.0, 4.0]]))",
    "tf.reshape(tf.constant([[1.0, 2.0], [3.0, 4.0]]), [1, 4])",
    "tf.constant(np.arange(2000.0))",
    "tf.constant(np.zeros((2, 0, 3), np.float32))",
    "tf.constant([[1, 2], [3, 4]]) == tf.constant([[1, 0], [3, 0]])",
]


def _printed(namespace) -> list:
    out = []
    for expr in PRINTED:
        value = eval(expr, {"tf": namespace, "np": np})
        out.append([str(value), repr(value)])
    return out


def test_printing_is_tensorflows():
    ours = _printed(tf)
    assert ours[0] == [
        "tf.Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)",
        "<tf.Tensor: shape=(2, 2), dtype=float32, numpy=\narray([[1., 2.],\n       [3., 4.]], "
        "dtype=float32)>",
    ]
    assert ours[2] == [
        "tf.Tensor(2.5, shape=(), dtype=float32)",
        "<tf.Tensor: shape=(), dtype=float32, numpy=2.5>",
    ]
    assert ours[6][1] == "<tf.Tensor: shape=(), dtype=string, numpy=b'ab'>"
    assert ours[8][0] == "tf.Tensor([1 1], shape=(2,), dtype=int64)"


@pytest.mark.tf
@requires_tf
def test_printing_matches_tensorflow():
    code = (
        "import tensorflow as tf2, numpy as np\n"
        f"exprs = {PRINTED!r}\n"
        "print(json.dumps([[str(v), repr(v)] for v in "
        "(eval(e, {'tf': tf2, 'np': np}) for e in exprs)]))\n"
    )
    theirs = json.loads(run_tf(code, v1=False))
    assert _printed(tf) == theirs


def test_values_and_numpy_interop():
    x = tf.constant([1.0, 2.0, 3.0])
    assert x.numpy().tolist() == [1.0, 2.0, 3.0]
    assert type(tf.constant(2.5).numpy()) is np.float32
    assert np.asarray(x).dtype == np.float32
    assert (np.asarray(x) * 2).tolist() == [2.0, 4.0, 6.0]
    assert float(x[0]) == 1.0 and int(tf.constant(7)) == 7
    assert len(x) == 3 and [float(v) for v in x] == [1.0, 2.0, 3.0]
    assert x.shape == (3,) and x.dtype == tf.float32 and x.ndim == 1
    assert x.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    assert bool(tf.constant(True)) and not bool(tf.constant(0))
    assert [1, 2, 3][tf.constant(1)] == 2
    assert f"{tf.constant(2.5):.2f}" == "2.50"
    n = x.numpy()
    n[0] = 100.0  # a copy: the tensor keeps its value
    assert x.numpy()[0] == 1.0


def test_name_and_graph_are_undefined_as_in_tensorflow():
    x = tf.constant(1.0)
    assert x.op.type == "Const"  # (TF raises here; tfgraph's own code reads constants)
    for attr in ("name", "graph"):
        with pytest.raises(AttributeError, match=f"Tensor.{attr} is undefined when eager"):
            getattr(x, attr)


def test_tf2_equality_and_hashing():
    a, b = tf.constant([1, 2]), tf.constant([1, 3])
    assert (a == b).numpy().tolist() == [True, False]
    assert (a != b).numpy().tolist() == [False, True]
    assert (a == "x") is False
    assert {a.ref(): 1}[a.ref()] == 1
    assert {a: 1}[a] == 1  # (TF2 raises TypeError; tfgraph hashes by identity)


def test_tf1_eager_keeps_identity_equality():
    tf.disable_v2_behavior()
    tf.enable_eager_execution()
    a = tf.constant([1, 2])
    assert a == a and a != tf.constant([1, 2])
    assert {a: 1}[a] == 1

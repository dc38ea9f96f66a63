"""tf.data in eager mode: datasets iterate as Python iterables (TF2's `for x in ds`)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf

PROGRAM = """
c = tf.constant(100)
ds = (tf.data.Dataset.from_tensor_slices(({'a': [1, 2, 3]}, [4.0, 5.0, 6.0]))
      .map(lambda d, y: (d['a'] + c, y)).shuffle(3, seed=1).repeat(2))
pairs = [[int(a), float(b)] for a, b in ds]
batches = [b.numpy().tolist() for b in tf.data.Dataset.range(7).batch(3)]
result = [pairs, batches]
"""


def _ours():
    scope = {"tf": tf}
    exec(PROGRAM, scope)
    return scope["result"]


def test_datasets_iterate_eagerly():
    pairs, batches = _ours()
    assert sorted(pairs[:3]) == [[101, 4.0], [102, 5.0], [103, 6.0]]
    assert batches == [[0, 1, 2], [3, 4, 5], [6]]
    ds = tf.data.Dataset.from_tensor_slices([1, 2])
    assert [int(x) for x in ds] == [1, 2]
    assert [int(x) for x in ds] == [1, 2]  # every iter() starts again
    assert list(tf.data.Dataset.range(3).as_numpy_iterator()) == [0, 1, 2]


@pytest.mark.tf
@requires_tf
def test_eager_iteration_matches_tensorflow():
    theirs = json.loads(run_tf(PROGRAM + "print(json.dumps(result))\n", v1=False))
    assert _ours() == theirs


def test_iterating_in_graph_mode_says_how():
    tf.disable_v2_behavior()
    with pytest.raises(RuntimeError, match="only supports Python-style iteration in eager mode"):
        iter(tf.data.Dataset.range(3))


NUMPY_PROGRAM = """
def enc(x):
    if isinstance(x, dict):
        return {k: enc(v) for k, v in sorted(x.items())}
    if isinstance(x, (tuple, list)):
        return [enc(v) for v in x]
    a = np.asarray(x)
    v = a.tolist()
    return [type(x).__name__, str(a.dtype), v.decode() if isinstance(v, bytes) else v,
            bool(a.flags.writeable) if isinstance(x, np.ndarray) else None]
ds = tf.data.Dataset.from_tensor_slices({"a": [1, 2], "b": (["x", "y"], [[1.5, 2.0], [3.0, 4.0]])})
it = ds.as_numpy_iterator()
result = {"type": type(it).__name__, "is_public": it.__class__ is tf.data.NumpyIterator,
          "repr": repr(it).startswith("NumpyIterator(iterator="), "iter_self": iter(it) is it,
          "first": enc(next(it)), "second": enc(it.next())}
try:
    next(it)
except StopIteration:
    result["stop"] = True
result["batches"] = enc(list(tf.data.Dataset.range(5).batch(2).as_numpy_iterator()))
result["direct"] = enc(list(tf.data.NumpyIterator(tf.data.Dataset.range(2).map(lambda x: x * 3))))
g = tf.Graph()
with g.as_default():
    for f in (lambda: tf.data.Dataset.range(2).as_numpy_iterator(),
              lambda: tf.data.NumpyIterator(tf.data.Dataset.range(2))):
        try:
            f()
        except RuntimeError as e:
            result.setdefault("graph_errors", []).append(str(e))
"""


def test_numpy_iterator():
    scope = {"tf": tf, "np": np}
    exec(NUMPY_PROGRAM, scope)
    result = scope["result"]
    assert result["type"] == "NumpyIterator" and result["is_public"] and result["stop"]
    assert result["first"] == {
        "a": ["int32", "int32", 1, None],
        "b": [["bytes", "|S1", "x", None], ["ndarray", "float32", [1.5, 2.0], False]],
    }
    assert result["batches"] == [
        ["ndarray", "int64", [0, 1], False],
        ["ndarray", "int64", [2, 3], False],
        ["ndarray", "int64", [4], False],
    ]


@pytest.mark.tf
@requires_tf
def test_numpy_iterator_matches_tensorflow():
    scope = {"tf": tf, "np": np}
    exec(NUMPY_PROGRAM, scope)
    theirs = json.loads(run_tf(NUMPY_PROGRAM + "print(json.dumps(result))\n", v1=False))
    assert json.loads(json.dumps(scope["result"])) == theirs


def test_numpy_iterator_in_graph_mode_raises_as_tf():
    tf.disable_v2_behavior()
    with pytest.raises(RuntimeError, match="as_numpy_iterator\\(\\)` is only supported in eager"):
        tf.data.Dataset.range(2).as_numpy_iterator()
    with pytest.raises(RuntimeError, match="only supports Python-style iteration in eager mode"):
        tf.data.NumpyIterator(tf.data.Dataset.range(2))

"""tf.data in eager mode: datasets iterate as Python iterables (TF2's `for x in ds`)."""

from __future__ import annotations

import json

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
    with pytest.raises(RuntimeError, match="only supported inside of tf.function or when eager"):
        iter(tf.data.Dataset.range(3))

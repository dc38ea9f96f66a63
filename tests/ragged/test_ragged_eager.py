"""RaggedTensors under TF2 behaviour (eager execution): values, repr, to_list and numpy,
as TF 2.21 gives them."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
r = tf.ragged.constant([[1, 2], [3], []])
out = {
    "repr": repr(r),
    "list": r.to_list(),
    "plus": (r + 1).to_list(),
    "sum": tf.reduce_sum(r, axis=1).numpy().tolist(),
    "dense": r.to_tensor().numpy().tolist(),
    "row": r[0].numpy().tolist(),
    "nested": repr(tf.ragged.constant([[[1.5]], []])),
    "numpy": [a.tolist() for a in r.numpy()],
}
"""


@pytest.fixture
def eager():
    tf.enable_v2_behavior()
    yield
    tf.disable_v2_behavior()


@requires_tf
def test_eager_ragged_as_tf(eager):
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    theirs = run_tf_json(PROGRAM + "import json\nprint(json.dumps(out))\n", v1=False)
    assert scope["out"] == theirs

"""tf.errors.raise_exception_on_not_ok_status against TF 2.21: the block yields a
status; leaving it raises the OpError class of the status's code (none when OK)."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests import tfrun

_PROGRAM = """
import json
out = {}
with tf.errors.raise_exception_on_not_ok_status() as status:
    out["ok"] = True
try:
    with tf.errors.raise_exception_on_not_ok_status():
        raise KeyError("inner")
except KeyError as e:
    out["passes_through"] = str(e)
out["cls"] = tf.errors.raise_exception_on_not_ok_status.__name__
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_ok_status_and_other_exceptions_match_tf():
    assert tfrun.run_here_json(_PROGRAM) == tfrun.run_tf_json(_PROGRAM)


@pytest.mark.parametrize(
    "code, cls",
    [
        (tf.errors.INVALID_ARGUMENT, tf.errors.InvalidArgumentError),
        (tf.errors.NOT_FOUND, tf.errors.NotFoundError),
        (tf.errors.RESOURCE_EXHAUSTED, tf.errors.ResourceExhaustedError),
        (99, tf.errors.UnknownError),
    ],
)
def test_a_failed_status_raises_its_error_class(code, cls):
    with pytest.raises(cls, match="went wrong") as info:
        with tf.errors.raise_exception_on_not_ok_status() as status:
            status.set(code, "went wrong")
    assert info.value.op is None and info.value.node_def is None

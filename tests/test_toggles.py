"""TF1/TF2 behaviour switches at top level, and the message for TF names tfgraph lacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import tfgraph as tf
import tfgraph.compat.v1 as v1
from tests.tfrun import REPO_ROOT, requires_tf, run_tf

NO_OPS = [
    "disable_v2_behavior",
    "disable_eager_execution",
    "disable_resource_variables",
    "disable_control_flow_v2",
    "disable_v2_tensorshape",
    "disable_tensor_equality",
]
QUERIES = [
    "executing_eagerly",
    "executing_eagerly_outside_functions",
    "resource_variables_enabled",
    "control_flow_v2_enabled",
]
EAGER_SWITCHES = [
    "enable_v2_behavior",
    "enable_eager_execution",
    "enable_tensor_equality",
    "enable_resource_variables",
]
UNSUPPORTED = [
    "enable_control_flow_v2",
    "enable_v2_tensorshape",
]


@pytest.mark.parametrize("name", NO_OPS + QUERIES + UNSUPPORTED + EAGER_SWITCHES)
def test_same_function_at_top_level_and_in_compat_v1(name):
    assert getattr(tf, name) is getattr(v1, name)


def test_disable_switches_leave_graph_mode_working():
    for name in NO_OPS:
        assert getattr(tf, name)() is None
    x = tf.constant(2.0) * 3.0
    with tf.Session() as sess:
        assert sess.run(x) == 6.0


@pytest.mark.parametrize("name", QUERIES)
def test_queries_answer_false(name):
    assert getattr(tf, name)() is False


def test_eager_switches_turn_eager_execution_on_and_off():
    tf.enable_eager_execution()
    assert tf.executing_eagerly() and tf.executing_eagerly_outside_functions()
    assert (tf.constant(2.0) * 3.0).numpy() == 6.0
    with tf.Graph().as_default():  # a graph being built: not eager inside
        assert not tf.executing_eagerly()
    tf.disable_eager_execution()
    assert not tf.executing_eagerly()
    tf.enable_v2_behavior()
    assert tf.executing_eagerly()
    assert (tf.constant([1, 2]) == tf.constant([1, 3])).numpy().tolist() == [True, False]
    tf.disable_v2_behavior()
    assert not tf.executing_eagerly()
    test_disable_switches_leave_graph_mode_working()


@pytest.mark.parametrize("name", UNSUPPORTED)
def test_enable_switches_say_plainly_they_are_unsupported(name):
    with pytest.raises(NotImplementedError, match=rf"tfgraph does not support tf\.{name} "):
        getattr(tf, name)()


@pytest.mark.tf
@requires_tf
def test_queries_answer_as_tensorflow_in_v1_mode():
    theirs = json.loads(run_tf(f"print(json.dumps([getattr(tf, n)() for n in {QUERIES!r}]))"))
    assert theirs == [getattr(tf, n)() for n in QUERIES]


@pytest.mark.parametrize("module", [tf, v1], ids=["tfgraph", "compat.v1"])
def test_missing_name_says_tfgraph_does_not_implement_it(module):
    with pytest.raises(AttributeError) as info:
        module.Sesion  # noqa: B018
    assert str(info.value) == (
        "tfgraph does not implement tf.Sesion yet (module 'tfgraph' has no attribute 'Sesion')"
    )
    assert not hasattr(module, "Sesion")
    assert hasattr(module, "Session")


def test_missing_name_has_no_did_you_mean_hint():
    code = "import tfgraph as tf\ntf.Sesion\n"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1] == (
        "AttributeError: tfgraph does not implement tf.Sesion yet "
        "(module 'tfgraph' has no attribute 'Sesion')"
    )


def test_missing_dunder_keeps_pythons_message():
    with pytest.raises(AttributeError, match="module 'tfgraph' has no attribute '__nothing__'"):
        tf.__nothing__  # noqa: B018

"""tf.variable_creator_scope and Variable.SaveSliceInfo.from_spec, against TF."""

from __future__ import annotations

import json

import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

CREATORS = """
calls = []

def rename(next_creator, **kwargs):
    calls.append(["rename", kwargs["name"], sorted(kwargs)])
    kwargs["name"] = "renamed"
    return next_creator(**kwargs)

def untrainable(next_creator, **kwargs):
    calls.append(["untrainable", kwargs["name"], kwargs["trainable"]])
    kwargs["trainable"] = False
    return next_creator(**kwargs)

with tf.variable_creator_scope(rename):
    with tf.variable_creator_scope(untrainable):
        v = tf.Variable(1.0, name="a")
        w = tf.get_variable("b", shape=[2])
    u = tf.Variable(2.0, name="c")
x = tf.Variable(3.0, name="d")
out = {
    "calls": calls,
    "names": [t.name for t in (v, w, u, x)],
    "trainable": [t.name for t in tf.trainable_variables()],
    "global": [t.name for t in tf.global_variables()],
}
"""

SPECS = [
    "4 10 1,2:0,10", "10 0,5", " 4 10 0,2:-", "a b", "4 10 0,2", "", "4 10 -", "nospace",
    "4 10 a,2:0,10", "4 10 0,b:0,10", "4 10 0,2,3:0,10", "4.5 10 0,2", "4 10 0:2",
]  # fmt: skip

PARSE = f"""
out = []
for spec in {SPECS!r}:
    try:
        s = tf.Variable.SaveSliceInfo.from_spec(spec)
        out.append([s.full_name, s.full_shape, s.var_offset, s.var_shape])
    except Exception as e:
        out.append([type(e).__name__, str(e)])
"""


def _here(code: str):
    scope = {"tf": tf}
    with tf.Graph().as_default():
        exec(code, scope)
    return json.loads(json.dumps(scope["out"]))


def test_creators_run_innermost_first_and_change_the_variable():
    out = _here(CREATORS)
    assert [c[:2] for c in out["calls"]] == [
        ["untrainable", "a"],
        ["rename", "a"],
        ["untrainable", "b"],
        ["rename", "b"],
        ["rename", "c"],
    ]
    assert out["names"] == ["renamed:0", "renamed_1:0", "renamed_2:0", "d:0"]
    assert out["trainable"] == ["renamed_2:0", "d:0"]


def test_a_creator_may_return_something_else():
    with tf.Graph().as_default():
        with tf.variable_creator_scope(lambda next_creator, **kw: "not a variable"):
            assert tf.Variable(1.0) == "not a variable"
        assert isinstance(tf.Variable(1.0), tf.Variable)


def test_from_spec_parses_and_rejects_as_tf():
    out = _here(PARSE)
    assert out[0] == [None, [4, 10], [1, 0], [2, 10]]
    assert out[5] == [None, None, None, None]
    assert out[3] == [
        "ValueError",
        "Spec string full_shape must be a sequence of integers. "
        "Found 'a', which is not an integer.",
    ]
    with pytest.raises(ValueError, match="space-separated full_shape"):
        tf.Variable.SaveSliceInfo.from_spec("nospace")


def test_from_spec_round_trips_spec():
    info = tf.Variable.SaveSliceInfo("v", [4, 3, 5], [0, 1, 3], [4, 1, 2])
    again = tf.Variable.SaveSliceInfo.from_spec(info.spec)
    assert (again.full_shape, again.var_offset, again.var_shape) == (
        [4, 3, 5],
        [0, 1, 3],
        [4, 1, 2],
    )


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("code", [CREATORS, PARSE], ids=["creators", "from_spec"])
def test_matches_tf(code):
    theirs = run_tf_json(code + "\nprint(json.dumps(out))\n")
    assert _here(code) == theirs

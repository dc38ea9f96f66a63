"""Session behaviours that TF's own unit tests pin down: re-entry, bad targets, empty
graphs, InteractiveSession's pruned placement; each checked against real TF."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

# Runs unchanged under tfgraph and under TF; records each case's value or error.
PROGRAM = """
def outcome(fn):
    try:
        return ["ok", repr(fn())]
    except Exception as e:
        return [type(e).__name__, str(e).split("\\n")[0]]


def reenter():
    g = tf.Graph()
    s = tf.Session(graph=g)
    with s:
        with s:
            pass


def graph_left_pushed():
    g = tf.Graph()
    s = tf.Session(graph=g)
    try:
        with s:
            with s:
                pass
    except RuntimeError:
        pass
    return tf.get_default_graph() is g


def empty_graph():
    with tf.Session(graph=tf.Graph()) as s:
        return s.run([])


def interactive_runs_placeable_part():
    g = tf.Graph()
    with g.as_default():
        with g.device("/job:foo"):
            a = tf.constant(1.0)
        b = tf.constant(2.0)
        s = tf.InteractiveSession()
        try:
            value = float(s.run(b))
            try:
                s.run(a)
                return value, "no error"
            except tf.errors.InvalidArgumentError as e:
                return value, "Cannot assign a device for operation Const" in str(e)
        finally:
            s.close()


def plain_session_places_whole_graph():
    g = tf.Graph()
    with g.as_default():
        with g.device("/job:foo"):
            tf.constant(1.0)
        b = tf.constant(2.0)
        with tf.Session() as s:
            return s.run(b)


out = {
    "reenter": outcome(reenter),
    "graph_left_pushed": outcome(graph_left_pushed),
    "target_int": outcome(lambda: tf.Session(37)),
    "empty_graph": outcome(empty_graph),
    "interactive": outcome(interactive_runs_placeable_part),
    "plain": outcome(plain_session_places_whole_graph)[0],
}
"""


def _run_here() -> dict:
    scope = {"tf": tf}
    exec(PROGRAM, scope)
    return scope["out"]


def test_session_behaviours():
    out = _run_here()
    assert out["reenter"] == [
        "RuntimeError",
        "Session context managers are not re-entrant. Use `Session.as_default()` if you "
        "want to enter a session multiple times.",
    ]
    assert out["graph_left_pushed"] == ["ok", "False"]
    assert out["target_int"] == ["TypeError", 'Argument `target` must be a string, but got "int"']
    assert out["empty_graph"] == [
        "RuntimeError",
        "The Session graph is empty. Add operations to the graph before calling run().",
    ]
    assert out["interactive"] == ["ok", "(2.0, True)"]
    assert out["plain"] == "InvalidArgumentError"


def test_session_reentered_stays_usable():
    c = tf.constant(3.0)
    sess = tf.Session()
    with sess:
        with pytest.raises(RuntimeError, match="not re-entrant"):
            sess.__enter__()
        assert sess.run(c) == 3.0
        assert tf.get_default_session() is sess
    assert tf.get_default_session() is None


@pytest.mark.tf
@requires_tf
def test_session_behaviours_match_tensorflow():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))")
    assert _run_here() == theirs

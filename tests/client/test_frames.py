"""TF1 while loops run as frames (tfgraph/client/passes/frames.py): GraphDefs real TF
wrote with `tf.while_loop` (tests/data/golden/tf_loops, made by
tools/make_loop_goldens.py) import and compute TF's values, nested loops, loops in
conds and conds in loops included; errors inside a loop name the op; the rest of a
plan with a loop is still folded."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests import tfrun
from tests.golden import golden
from tfgraph import proto
from tfgraph.client import passes
from tfgraph.ops.apply import op_output

EXPECTED = json.loads(golden("tf_loops", "expected.json").read_text())


def _import(name: str):
    graph_def = proto.GraphDef.FromString(golden("tf_loops", f"{name}.pb").read_bytes())
    tf.import_graph_def(graph_def, name="")
    return graph_def


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tf_written_loops_compute_tfs_values(name):
    case = EXPECTED[name]
    _import(name)
    with tf.Session() as sess:
        for init in case["init"]:
            sess.run(init)
        values = sess.run(case["fetches"], case["feed"])
        again = sess.run(case["fetches"], case["feed"])  # (the cached plan)
    for mine, theirs, second in zip(values, case["values"], again):
        np.testing.assert_allclose(np.asarray(mine), np.asarray(theirs))
        np.testing.assert_array_equal(mine, second)


def test_a_loop_in_the_untaken_branch_of_a_cond_does_not_run():
    _import("cond_in_loop_and_loop_in_cond")
    with tf.Session() as sess:
        assert sess.run("cond/Merge:0", {"p:0": False}) == -1.0
        assert sess.run("cond/Merge:0", {"p:0": True}) == 21.0


def test_loop_graphs_export_as_they_were_imported():
    graph_def = _import("nested")
    again = tf.get_default_graph().as_graph_def()
    inputs = {n.name: list(n.input) for n in graph_def.node}
    assert {n.name: list(n.input) for n in again.node} == inputs
    merge = tf.get_default_graph().get_operation_by_name("while/Merge")
    assert [t.name for t in merge.inputs] == ["while/Enter:0", "while/NextIteration:0"]


def test_frames_are_assigned_as_tfs_executor_does():
    _import("nested")
    g = tf.get_default_graph()
    needed = passes.needed_ops([g.get_tensor_by_name("while/Exit_1:0")], [], set(), {})
    frame_of = passes.assign_frames(needed)
    outer = frame_of[g.get_operation_by_name("while/Merge")]
    inner = frame_of[g.get_operation_by_name("while/while/Merge")]
    assert outer.parent is None and inner.parent is outer
    assert frame_of[g.get_operation_by_name("while/Exit_1")] is outer
    assert g.get_operation_by_name("Const") not in frame_of  # the root frame
    ordered = passes.order(needed, frame_of)
    blocks = [frame_of.get(op) for op in ordered]
    outer_positions = [i for i, f in enumerate(blocks) if f is not None]
    assert outer_positions == list(range(outer_positions[0], outer_positions[-1] + 1))


# -- loops built op by op (tf.while_loop itself comes with the control-flow issue) -------
def _counting_loop(limit, body=lambda i: i + 1, frame="loop"):
    """i = 0; while i < limit: i = body(i); returns the Exit's output."""
    start = tf.constant(0, name="start")
    enter = op_output("Enter", "enter", [start], {"frame_name": frame.encode()})
    limit_in = op_output(
        "Enter", "limit", [limit], {"frame_name": frame.encode(), "is_constant": True}
    )
    merge = op_output("Merge", "merge", [[enter, enter]])  # (input 1 set below)
    cond = op_output("LoopCond", "cond", [tf.less(merge, limit_in)])
    exit_value, body_value = _switch(merge, cond)
    done = op_output("Exit", "exit", [exit_value])
    nxt = op_output("NextIteration", "next", [body(tf.identity(body_value))])
    merge.op._update_input(1, nxt)
    return done


def _switch(data, pred):
    from tfgraph.ops import control_flow_ops

    return control_flow_ops.switch(data, pred)


def test_a_hand_built_loop_runs_and_feeds_reach_it():
    limit = tf.placeholder(tf.int32, [], name="limit")
    done = _counting_loop(limit)
    with tf.Session() as sess:
        assert sess.run(done, {limit: 5}) == 5
        assert sess.run(done, {limit: 0}) == 0
        assert sess.run(done, {limit: -3}) == 0


@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_an_error_inside_a_loop_names_the_op():
    limit = tf.placeholder(tf.int32, [], name="limit")

    def failing(i):
        return tf.cast(tf.check_numerics(tf.cast(i, tf.float32) / 0.0, "inside"), tf.int32)

    done = _counting_loop(limit, body=failing)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(done, {limit: 3})
    assert info.value.op is not None and info.value.op.type == "CheckNumerics"
    assert "inside : Tensor had NaN values" in info.value.message  # 0 / 0.0


def test_the_rest_of_a_plan_with_a_loop_is_still_folded():
    limit = tf.constant(4) * 2  # folded: a constant once the plan is built
    done = _counting_loop(limit) + tf.constant(1) * 3
    with tf.Session() as sess:
        assert sess.run(done) == 11
        plan = list(sess._cache.values())[-1].plan
        names = {op.name for op in plan.step_ops if op is not None}
        assert "mul" not in names and "mul_1" not in names


@pytest.mark.tf
@tfrun.requires_tf
def test_tf_runs_the_loop_graphs_tfgraph_writes(tmp_path):
    """Imported into tfgraph and written out again, the loops still run in TF."""
    names = sorted(EXPECTED)
    for name in names:
        with tf.Graph().as_default() as g:
            _import(name)
            (tmp_path / f"{name}.pb").write_bytes(g.as_graph_def().SerializeToString())
    out = json.loads(
        tfrun.run_tf(
            f"""
expected = json.loads(open({str(golden("tf_loops", "expected.json"))!r}).read())
result = {{}}
for name in {names!r}:
    with tf.Graph().as_default():
        gd = tf.GraphDef()
        gd.ParseFromString(open(name + ".pb", "rb").read())
        tf.import_graph_def(gd, name="")
        case = expected[name]
        with tf.Session() as sess:
            for init in case["init"]:
                sess.run(init)
            result[name] = [np.asarray(v).tolist() for v in sess.run(case["fetches"], case["feed"])]
print(json.dumps(result))
""",
            cwd=tmp_path,
        )
    )
    for name in names:
        for mine, theirs in zip(out[name], EXPECTED[name]["values"]):
            np.testing.assert_allclose(np.asarray(mine), np.asarray(theirs))


def test_the_body_runs_once_per_iteration_and_not_after_the_last():
    """Only the head (Merges, condition, Switches) runs at the last check; side effects
    in the body happen once per iteration, as in TF."""
    v = tf.Variable(0, name="count")
    x = tf.placeholder(tf.float32, [], name="x")

    def body(i, a):
        with tf.control_dependencies([v.assign_add(1)]):
            # a cond in the body: its ops check for dead values, the rest run plain
            b = tf.cond(a > 4.0, lambda: a - 1.0, lambda: a * x)
            return i + 1, b

    r = tf.while_loop(lambda i, a: i < 5, body, [0, x])
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(r, {x: 2.0}) == (5, 5.0)  # 2 -> 4 -> 8 -> 7 -> 6 -> 5
        assert sess.run(v) == 5
        assert sess.run(r, {x: 2.0})[1] == 5.0
        assert sess.run(v) == 10


def test_a_cond_ops_control_input_from_the_body_keeps_it_alive():
    def body(i, a):
        c = tf.identity(a * 2.0, name="plain")
        with tf.control_dependencies([c]):
            d = tf.cond(i > 1, lambda: c + 1.0, lambda: c - 1.0)
        return i + 1, d

    # run twice in one plan: the loop in an untaken branch, then in the taken one
    p = tf.placeholder(tf.bool, [], name="p")
    out = tf.cond(
        p,
        lambda: tf.while_loop(lambda i, a: i < 4, body, [0, 1.0])[1],
        lambda: tf.constant(-1.0),
    )
    with tf.Session() as sess:
        assert sess.run(out, {p: False}) == -1.0
        assert sess.run(out, {p: True}) == 7.0  # 1 -> 1 -> 1 -> 3 -> 7


# -- the plain iteration routes loop variables without steps --------------------------
def _frame_steps(sess):
    plan = list(sess._cache.values())[-1].plan
    return [s for s in plan.steps if hasattr(s, "iteration_ops")]


def test_a_plain_iteration_runs_no_merge_switch_identity_or_next_iteration_step():
    """A loop variable's Merge, Switch, NextIteration and the body's Identities (with
    control inputs, as TF1's gradients write them) only route values: the plain
    iteration reads their sources and runs only the ops that compute."""
    x = tf.placeholder(tf.float32, [3], name="x")

    def body(i, a):
        b = tf.identity(a, name="plain_identity")
        with tf.control_dependencies([b]):
            c = tf.identity(b * 2.0, name="ordered_identity")
        return i + 1, c

    r = tf.while_loop(lambda i, a: i < 4, body, [0, x])
    with tf.Session() as sess:
        i, a = sess.run(r, {x: [1.0, 2.0, 3.0]})
        (frame,) = _frame_steps(sess)
    assert i == 4
    np.testing.assert_array_equal(a, [16.0, 32.0, 48.0])
    types = {op.type for op in frame.iteration_ops}
    assert not types & {"Merge", "Switch", "Identity", "NextIteration", "Enter"}
    assert {"Mul", "AddV2", "Less", "LoopCond"} <= types


def test_loop_variables_that_swap_or_pass_unchanged_keep_their_values():
    """Every Merge takes the value its NextIteration had at the end of the previous
    iteration, even when that is another loop variable's."""

    def body(i, a, b, c):
        return i + 1, tf.identity(b), tf.identity(a), c

    r = tf.while_loop(lambda i, a, b, c: i < 3, body, [0, 1.0, 2.0, 7.0])
    with tf.Session() as sess:
        assert sess.run(r) == (3, 2.0, 1.0, 7.0)
        assert sess.run(r) == (3, 2.0, 1.0, 7.0)  # (the cached plan)


def test_an_identity_read_under_a_cond_or_by_an_inner_loop_still_runs():
    """Values that an op checking for dead values reads (under a cond in the body) or
    that a nested loop's Enter reads are still written by their Identity's step."""

    def body(i, a):
        b = tf.identity(a * 2.0, name="read_by_cond")
        c = tf.cond(i > 1, lambda: b + 1.0, lambda: b - 1.0)
        d = tf.identity(c, name="read_by_inner")
        inner = tf.while_loop(lambda j, e: j < 2, lambda j, e: (j + 1, e + d), [0, 0.0])
        return i + 1, inner[1]

    r = tf.while_loop(lambda i, a: i < 3, body, [0, 1.0])
    with tf.Session() as sess:
        # a: 1 -> (2-1)*2=2 -> (4-1)*2=6 -> (12+1)*2=26
        assert sess.run(r) == (3, 26.0)
        names = {op.name for f in _frame_steps(sess) for op in f.iteration_ops}
    assert any(n.endswith("read_by_cond") for n in names)
    assert any(n.endswith("read_by_inner") for n in names)


def test_a_loop_that_never_iterates_returns_its_inputs_and_runs_no_body():
    v = tf.Variable(0, name="count")

    def body(i):
        with tf.control_dependencies([v.assign_add(1)]):
            return tf.identity(i + 1)

    limit = tf.placeholder(tf.int32, [], name="limit")
    r = tf.while_loop(lambda i: i < limit, body, [tf.constant(5)])
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(r, {limit: 2}) == 5
        assert sess.run(v) == 0
        assert sess.run(r, {limit: 8}) == 8
        assert sess.run(v) == 3

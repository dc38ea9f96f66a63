"""Each plan pass on its own (tfgraph/client/passes), and the plan they build together:
traits, not op-type names, decide what is folded, aliased, dropped or dead-checked."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.client import passes
from tfgraph.client.passes import KernelContext
from tfgraph.framework.resources import DEAD, DeviceStores
from tfgraph.ops import array_ops, control_flow_ops


def _ctx():
    return KernelContext(DeviceStores(), None, tf.get_default_graph())


def _plan(sess):
    return list(sess._cache.values())[-1].plan


# -- prune ----------------------------------------------------------------------------
def test_needed_ops_stop_at_feeds_and_skip_unrelated_ops():
    x = tf.placeholder(tf.float32, [], name="x")
    a = tf.add(x, 1.0, name="a")
    b = tf.multiply(a, 2.0, name="b")
    tf.negative(x, name="unrelated")
    names = {op.name for op in passes.needed_ops([b], [], set(), {})}
    assert names == {"x", "a", "a/y", "b", "b/y"}
    fed = {op.name for op in passes.needed_ops([b], [], {a}, {})}
    assert fed == {"b", "b/y"}


def test_a_control_dependency_on_a_fed_placeholder_is_met_by_the_feed():
    x = tf.placeholder(tf.float32, [], name="x")
    with tf.control_dependencies([x.op]):
        y = tf.constant(1.0, name="y")
    assert {op.name for op in passes.needed_ops([y], [], {x}, {})} == {"y"}
    assert {op.name for op in passes.needed_ops([y], [], set(), {})} == {"x", "y"}


def test_anchors_replace_a_folded_ops_inputs():
    x = tf.placeholder(tf.float32, [2], name="x")
    s = array_ops._shape_internal(tf.square(x, name="sq"), optimize=False)
    anchors = {s.op: (x.op,)}
    assert {op.name for op in passes.needed_ops([s], [], set(), anchors)} == {s.op.name, "x"}


def test_purity_reads_traits_and_control_inputs():
    v = tf.Variable(1.0, name="v")
    c = tf.constant(2.0)
    pure = tf.add(c, c)
    with tf.control_dependencies([v.assign(3.0)]):
        guarded = tf.add(c, c)
    cache: dict = {}
    assert passes.is_pure(pure.op, cache)
    assert not passes.is_pure(guarded.op, cache)  # an update among its control inputs
    assert not passes.is_pure(v.op, cache)  # variable trait
    assert not passes.is_pure(tf.placeholder(tf.float32).op, cache)  # placeholder trait
    assert not passes.is_pure(tf.random_uniform([2]).op, cache)  # stateful


def test_purity_of_a_long_control_chain_needs_no_recursion():
    prev = tf.no_op()
    for _ in range(5000):
        with tf.control_dependencies([prev]):
            prev = tf.no_op()
    assert passes.is_pure(prev, {})


def test_unused_pure_ops_are_dropped_unless_kept_or_effectful():
    x = tf.placeholder(tf.float32, [], name="x")
    y = tf.square(x, name="y")
    side = tf.negative(x, name="side")  # pure, reached only through a control edge
    check = tf.Assert(tf.greater(x, 0.0), [x], name="check")  # stateful: never dropped
    with tf.control_dependencies([side.op, check]):
        out = tf.identity(y, name="out")
    needed = passes.needed_ops([out], [], set(), {})
    kept = {op.name for op in passes.drop_unused_pure_ops(needed, {out.op})}
    assert "side" not in kept and "y" in kept
    assert "check/AssertGuard/Assert" in kept  # stateful
    kept = passes.drop_unused_pure_ops(needed, {out.op, side.op})
    assert side.op in kept


# -- schedule -------------------------------------------------------------------------
def test_order_is_creation_order_when_that_is_topological():
    a = tf.constant(1.0, name="a")
    b = tf.add(a, a, name="b")
    c = tf.negative(b, name="c")
    ordered = passes.order({c.op, a.op, b.op})
    assert [op.name for op in ordered] == ["a", "b", "c"]


def test_order_follows_edges_added_after_creation():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    b.op._add_control_input(tf.negative(a, name="late").op)  # made after b, runs before
    late = tf.get_default_graph().get_operation_by_name("late")
    names = [op.name for op in passes.order({a.op, b.op, late})]
    assert names.index("late") < names.index("b")


def test_reads_of_state_made_after_an_update_are_ordered_before_it():
    """As TF's executor runs them (as soon as ready): at the start of the step."""
    v = tf.get_variable("v", initializer=1.0, use_resource=True)
    update = v.assign_add(1.0, name="update")
    after = tf.multiply(v.read_value(), 2.0, name="after")  # made later, needs no update
    with tf.control_dependencies([update]):
        waits = tf.multiply(v.read_value(), 3.0, name="waits")
    needed = passes.needed_ops([after, waits], [update.op], set(), {})
    names = [op.name for op in passes.order(needed)]
    assert names.index("after") < names.index("update") < names.index("waits")
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run([update, after, waits])[1:] == [2.0, 6.0]


def test_writes_state_reads_traits():
    v = tf.Variable(1.0, name="ref")
    r = tf.get_variable("res", initializer=1.0, use_resource=True)
    writers = {
        "assign": tf.assign(v, 2.0).op,
        "assign_resource": r.assign(2.0, read_value=False),
        "queue": tf.FIFOQueue(2, tf.float32).enqueue(1.0),
    }
    readers = {
        "ref_read": v.value().op,
        "resource_read": r.read_value().op,
        "initialized": tf.is_variable_initialized(v).op,
        "math_on_ref": tf.add(v, 1.0).op,
        "random": tf.random_uniform([2]).op,
    }
    assert {k: passes.writes_state(op) for k, op in writers.items()} == dict.fromkeys(writers, True)
    assert {k: passes.writes_state(op) for k, op in readers.items()} == dict.fromkeys(
        readers, False
    )


# -- control --------------------------------------------------------------------------
def test_the_dead_region_is_what_lies_downstream_of_a_switch():
    x = tf.placeholder(tf.float32, [], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    before = tf.square(x, name="before")
    f, t = control_flow_ops.switch(before, p)
    after = tf.add(t, 1.0, name="after")
    with tf.control_dependencies([f.op]):
        guarded = tf.constant(0.0, name="guarded")
    merged = control_flow_ops.merge([after, guarded])[0]
    ordered = passes.order(passes.needed_ops([merged], [], set(), {}))
    region = {op.name for op in passes.dead_region(ordered)}
    assert {"after", merged.op.name} <= region
    # (a control edge from a Switch that ran is live, as in TF's executor)
    assert not {"before", f.op.name, "guarded"} & region


def test_what_follows_a_conds_merge_is_live_again():
    x = tf.placeholder(tf.float32, [], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    q = tf.placeholder(tf.bool, [], name="q")

    def inner():
        return tf.cond(q, lambda: x * 2.0, lambda: x * 3.0)

    nested = tf.cond(p, inner, lambda: x - 1.0)
    outer_then = tf.add(nested, 1.0, name="outer_then")
    inner_merge = next(
        op
        for op in tf.get_default_graph().get_operations()
        if op.type == "Merge" and op.name.startswith("cond/cond")
    )
    inner_after = tf.negative(inner_merge.outputs[0], name="inner_after")
    ordered = passes.order(passes.needed_ops([outer_then, inner_after], [], set(), {}))
    region = {op.name for op in passes.dead_region(ordered)}
    assert "outer_then" not in region
    assert nested.op.name in region and inner_merge.name in region
    # (after the inner Merge, still inside the outer cond's true branch)
    assert "inner_after" in region
    with tf.Session() as sess:
        for pv, qv, want in ((True, True, 9.0), (True, False, 13.0), (False, True, 4.0)):
            assert sess.run(outer_then, {x: 4.0, p: pv, q: qv}) == want


# -- fold -----------------------------------------------------------------------------
def test_folding_computes_pure_ops_on_constants_and_known_shapes_once():
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    c = tf.constant([1.0, 2.0], name="c")
    doubled = tf.multiply(c, 2.0, name="doubled")
    shape = array_ops._shape_internal(x, optimize=False)
    rand = tf.random_uniform([2], name="rand")
    mixed = tf.add(doubled, rand, name="mixed")
    ordered = passes.order(passes.needed_ops([doubled, shape, mixed], [], set(), {}))
    values, anchors = passes.fold_constants(ordered, set(), _ctx())
    np.testing.assert_array_equal(values[doubled], [2.0, 4.0])
    np.testing.assert_array_equal(values[shape], [2, 3])
    assert anchors[shape.op] == (x.op,)  # the shaped op still runs
    assert c not in values  # constants are pre-filled, not folded
    assert mixed not in values and rand not in values  # stateful: computed every run
    assert not values[doubled].flags.writeable


def test_folding_leaves_excluded_ops_and_fed_outputs_alone():
    c = tf.constant(3.0)
    sq = tf.square(c, name="sq")
    ordered = passes.order(passes.needed_ops([sq], [], set(), {}))
    assert sq not in passes.fold_constants(ordered, set(), _ctx(), exclude=[sq.op])[0]
    assert sq not in passes.fold_constants(ordered, {sq}, _ctx())[0]


# -- slots and liveness ---------------------------------------------------------------
def test_forwarding_ops_share_their_inputs_slot_but_reads_of_variables_do_not():
    v = tf.Variable([1.0], name="v")
    x = tf.placeholder(tf.float32, [1], name="x")
    a = tf.identity(x, name="a")
    s = tf.stop_gradient(a, name="s")
    r = array_ops.identity(v.op.outputs[0], name="r")  # reads the variable: a step
    out = tf.add(s, r, name="out")
    ordered = passes.order(passes.needed_ops([out], [], {x}, {}))
    slots = passes.assign_slots(ordered, [x], [out, v.op.outputs[0], r], {x}, {}, [])
    assert slots.slot_of[a] == slots.slot_of[x] == slots.slot_of[s]
    assert {op.name for op in slots.aliased} == {"a", "s"}
    assert slots.slot_of[r] != slots.slot_of[v.op.outputs[0]]
    assert slots.ref_fetches == (1, 2) and slots.fetch_slots[1] in slots.snapshot_of.values()
    # a fetched read is the variable's value at the end of the run (its cell's slot)
    assert slots.fetch_slots[2] == slots.slot_of[v.op.outputs[0]]
    assert slots.lazy_inputs == {}  # (nothing updates v)


def test_ops_ordered_after_an_update_read_the_variable_late():
    v = tf.Variable(1.0, name="v")
    update = v.assign_add(1.0)
    early = tf.multiply(v, 3.0, name="early")
    with tf.control_dependencies([update]):
        late = tf.multiply(v, 10.0, name="late")
    ordered = passes.order(passes.needed_ops([early, late], [], set(), {}))
    slots = passes.assign_slots(ordered, [], [early, late], set(), {}, [])
    assert slots.lazy_inputs == {late.op: {0: slots.slot_of[v.op.outputs[0]]}}


def test_a_read_of_a_variable_sees_updates_made_before_its_consumer_runs():
    """As in TF, where the read aliases the variable's buffer and updates are in place."""
    w = tf.Variable(1.0, name="w")
    step = w.assign_add(1.0)
    with tf.control_dependencies([step]):
        y = w * 10.0
    ema = tf.train.ExponentialMovingAverage(0.5)
    with tf.control_dependencies([step]):
        track = ema.apply([w])
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(y) == 20.0
        assert sess.run([w.value(), step]) == [3.0, 3.0]  # (a fetched read: after the run)
        sess.run(tf.variables_initializer([ema.average(w)]))  # = w's value: 3
        sess.run(track)  # w: 4, average: 3 + (4 - 3) / 2
        assert sess.run(ema.average(w)) == 3.5
    fresh = tf.Variable(0.0, name="fresh")
    with tf.Session() as sess, pytest.raises(tf.errors.FailedPreconditionError) as info:
        sess.run(fresh * 2.0)
    assert info.value.op.name == "fresh/read"


def test_ops_that_may_see_dead_values_get_liveness_slots_and_no_alias():
    x = tf.placeholder(tf.float32, [], name="x")
    _, t = control_flow_ops.switch(x, tf.constant(True))
    i = tf.identity(t, name="i")
    ordered = passes.order(passes.needed_ops([i], [], set(), {}))
    region = passes.dead_region(ordered)
    slots = passes.assign_slots(ordered, [], [i], set(), {}, region)
    assert i.op in slots.live_of and i.op not in slots.aliased


def test_each_value_dies_at_its_last_reader():
    x = tf.placeholder(tf.float32, [None], name="x")
    a = tf.multiply(x, 2.0, name="a")
    b = tf.add(a, 1.0, name="b")
    out = tf.reduce_sum(b, name="out")
    ordered = passes.order(passes.needed_ops([out], [], {x}, {}))
    slots = passes.assign_slots(ordered, [x], [out], {x}, {}, [])
    dead = passes.frees(ordered, slots, {})
    position = {op.name: i for i, op in enumerate(ordered)}
    assert slots.slot_of[a] in dead[position["b"]]
    assert slots.slot_of[b] in dead[position["out"]]
    freed = {s for ss in dead.values() for s in ss}
    assert slots.slot_of[x] not in freed and slots.slot_of[out] not in freed
    assert slots.slot_of[ordered[position["a"] - 1]._outputs[0]] not in freed  # a constant


# -- lower, and the passes together ---------------------------------------------------
def test_lowering_makes_no_step_for_noops_constants_and_forwarding_ops():
    x = tf.placeholder(tf.float32, [], name="x")
    y = tf.identity(tf.add(x, 1.0, name="add"), name="y")
    done = tf.group(y, name="done")
    with tf.Session() as sess:
        assert sess.run([y, done], {x: 1.0}) == [2.0, None]
        assert [op.name for op in _plan(sess).step_ops] == ["add"]


def test_a_cond_only_dead_checks_its_own_region():
    """Dropout-style graphs: a tf.cond no longer turns folding, aliasing and frees off
    for the whole plan."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    training = tf.placeholder_with_default(False, [], name="training")
    h = tf.identity(tf.matmul(x, tf.ones([3, 3]) * 2.0), name="h")
    y = tf.cond(training, lambda: h * 0.5, lambda: h)
    out = tf.reduce_sum(y, name="out")
    feed = {x: np.ones((2, 3), np.float32)}
    with tf.Session() as sess:
        assert sess.run(out, feed) == 36.0
        assert sess.run(out, {**feed, training: True}) == 18.0
        plan = _plan(sess)
        names = [op.name if op is not None else None for op in plan.step_ops]
        assert "h" not in names  # aliased
        assert not any(n and n.startswith("mul") for n in names)  # ones * 2 is folded
        assert plan.has_dead


def test_a_switch_output_fetched_while_dead_raises_tfs_error():
    x = tf.constant(1.0)
    f, _ = control_flow_ops.switch(x, tf.constant(True))
    with (
        tf.Session() as sess,
        pytest.raises(tf.errors.InvalidArgumentError, match="does not have value"),
    ):
        sess.run(f)
    assert DEAD is not None


def test_a_loops_pure_ops_nothing_reads_run_only_where_values_may_be_dead():
    """The gradient of a constant in a loop body, which only the control edges of an
    optimizer's gated gradients wait for, is no step while the loop runs plain; in an
    untaken branch (every op checked) it still passes deadness on. Values are the same."""
    from tfgraph.client.passes.lower import _unread_in_frames

    w = tf.Variable([1.0, 2.0, 3.0], name="w")
    take = tf.placeholder_with_default(True, [], name="take")

    def looped(v):  # (the body's constant 0.5 broadcasts: its gradient is a Sum, reshaped)
        return tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * 2.0 + 0.5), [0, v])[1]

    y = tf.cond(take, lambda: looped(w), lambda: w * 0.0)
    opt = tf.train.GradientDescentOptimizer(0.1)
    g = opt.compute_gradients(tf.reduce_sum(y), [w])[0][0]
    needed = passes.needed_ops([g], [], set(), {})
    frame_of = passes.assign_frames(needed)
    ordered = passes.order(needed, frame_of)
    slots = passes.assign_slots(ordered, [], [g], set(), {}, ordered)
    unread = _unread_in_frames(ordered, frame_of, slots)
    assert {"NoOp", "Sum", "Reshape"} <= {op.type for op in unread}
    assert all(op in frame_of and op._op_def.is_pure for op in unread)
    with tf.Session() as sess:
        sess.run(w.initializer)
        np.testing.assert_array_equal(sess.run([y, g]), [[11.5, 19.5, 27.5], [8.0] * 3])
        np.testing.assert_array_equal(sess.run(g, {take: False}), [0.0] * 3)


def test_a_loops_invariant_ops_run_at_its_first_iteration_only(monkeypatch):
    """A body's pure ops of constants and constant Enters (here `k * 10`, with `k` an
    outer loop's value entering the inner loop) run once per run of their loop; an outer
    iteration recomputes them for its run of the inner loop."""
    from tfgraph.client.passes import frames

    hoisted: list = []
    original = frames._invariant

    def spy(block, sides, skipped):
        found = original(block, sides, skipped)
        hoisted.extend(op.name for op in found)
        return found

    monkeypatch.setattr(frames, "_invariant", spy)
    w = tf.Variable(1.0, name="w")

    def outer_body(i, acc):
        k = tf.cast(i, tf.float32) * 2.0 + w

        def inner_body(j, a):
            return j + 1, a + tf.multiply(k, 10.0, name="k10") * tf.constant(1.0, name="one")

        return i + 1, tf.while_loop(lambda j, a: j < 2, inner_body, [0, acc])[1]

    total = tf.while_loop(lambda i, acc: i < 3, outer_body, [0, 0.0])[1]
    g = tf.gradients(total, w)[0]
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run([total, g]) == [180.0, 60.0]
    assert any(n.endswith("/k10") for n in hoisted) and any(n.endswith("/one") for n in hoisted)
    assert not any("Merge" in n or "Switch" in n for n in hoisted)

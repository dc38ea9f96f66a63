"""Dataset.window / rebatch / random / sample_from_datasets against real TF: elements,
static shapes, the ops built, cardinalities, seeded orders and errors (see common.py)."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.data_api.common import run_both

_GRAPH = """
        def graph():
            g = tf.get_default_graph()
            return [[op.name, op.type, [t.name for t in op.inputs]] for op in g.get_operations()]
"""

CASES = {
    "window_flat_map": _GRAPH
    + """
        a = tf.data.Dataset.range(7).window(3, shift=2)
        b = tf.data.Dataset.range(7).window(3, shift=1, stride=2, drop_remainder=True)
        c = tf.data.Dataset.range(7).window(3, shift=1, stride=2)
        d = tf.data.Dataset.range(5).window(2, shift=4)
        out = [str(a.element_spec)]
        a, b, c, d = [x.flat_map(lambda w: w.batch(3)) for x in (a, b, c, d)]
        out.append(graph())
        with tf.Session() as s:
            out += [drain(s, tf.data.make_one_shot_iterator(x).get_next()) for x in (a, b, c, d)]
    """,
    "window_structure": """
        ds = tf.data.Dataset.from_tensor_slices(({"a": [1, 2, 3, 4, 5]}, [5., 6, 7, 8, 9]))
        w = ds.window(2)
        out = [str(w.element_spec)]
        z = w.flat_map(lambda d, y: tf.data.Dataset.zip((d["a"].batch(2), y.batch(2))))
        with tf.Session() as s:
            out.append(drain(s, tf.data.make_one_shot_iterator(z).get_next()))
    """,
    "window_cardinality_and_errors": """
        r = tf.data.Dataset.range(10)
        cards = [r.window(3, 2).cardinality(), r.window(3, 2, drop_remainder=True).cardinality(),
                 r.window(3, 1, 2, True).cardinality(), r.repeat().window(2).cardinality()]
        out = []
        with tf.Session() as s:
            out.append(s.run(cards))
            for kw in [dict(size=0), dict(size=2, shift=0), dict(size=2, stride=0)]:
                ds = r.window(**kw).flat_map(lambda w: w.batch(2))
                try:
                    drain(s, tf.data.make_one_shot_iterator(ds).get_next())
                except tf.errors.InvalidArgumentError as e:
                    what = [w for w in ("size", "shift", "stride")
                            if f"Window {w} must be greater than zero." in e.message]
                    out.append(what)
    """,
    "rebatch": _GRAPH
    + """
        a = tf.data.Dataset.range(10).batch(4).rebatch(3)
        b = tf.data.Dataset.range(10).batch(4, drop_remainder=True).rebatch(
            [1, 2], drop_remainder=True)
        c = tf.data.Dataset.range(10).batch(4).rebatch(3, drop_remainder=True)
        d = tf.data.Dataset.from_tensor_slices(
            (tf.reshape(tf.range(12), [6, 2]), tf.range(6))).batch(4).rebatch(5)
        out = [graph(), [str(x.element_spec) for x in (a, b, c, d)]]
        with tf.Session() as s:
            out += [drain(s, tf.data.make_one_shot_iterator(x).get_next()) for x in (a, b, c, d)]
    """,
    "random": _GRAPH
    + """
        a = tf.data.Dataset.random(seed=7).take(6)
        b = tf.data.experimental.RandomDataset(seed=123456789).take(3)
        out = [graph(), str(a.element_spec)]
        with tf.Session() as s:
            out += [drain(s, tf.data.make_one_shot_iterator(x).get_next()) for x in (a, b)]
            out.append(s.run(tf.data.Dataset.random(1).cardinality()))
        with tf.Graph().as_default():
            tf.set_random_seed(3)
            c = tf.data.Dataset.random().take(3)
            with tf.Session() as s:
                out.append(drain(s, tf.data.make_one_shot_iterator(c).get_next()))
    """,
    "sample_from_datasets": _GRAPH
    + """
        a = tf.data.Dataset.from_tensors(0).repeat(20)
        b = tf.data.Dataset.from_tensors(1).repeat(20)
        c = tf.data.Dataset.range(100, 105)
        x = tf.data.Dataset.sample_from_datasets([a, b], weights=[0.3, 0.7], seed=42)
        y = tf.data.experimental.sample_from_datasets(
            [c, c.map(lambda v: -v)], seed=5, stop_on_empty_dataset=True)
        out = [graph()]
        with tf.Session() as s:
            out += [drain(s, tf.data.make_one_shot_iterator(d).get_next()) for d in (x, y)]
    """,
    "sample_from_datasets_weights": _GRAPH
    + """
        a = tf.data.Dataset.from_tensors(0).repeat(12)
        b = tf.data.Dataset.from_tensors(1).repeat(12)
        c = tf.data.Dataset.from_tensors(2).repeat(12)
        w = tf.data.Dataset.from_tensor_slices([[0.9, 0.1, 0.0], [0.1, 0.1, 0.8]]).repeat(9)
        x = tf.data.Dataset.sample_from_datasets([a, b, c], weights=w, seed=3)
        y = tf.data.Dataset.sample_from_datasets([a, b, c], weights=[0.5, 0.0, 0.5], seed=7)
        z = tf.data.Dataset.sample_from_datasets([a], weights=[1.0], seed=7)
        t = tf.data.Dataset.sample_from_datasets(
            [a, b], weights=tf.constant([0.25, 0.75], tf.float64), seed=1)
        out = [graph(), str(z.element_spec), z is a]
        with tf.Session() as s:
            out += [drain(s, tf.data.make_one_shot_iterator(d).get_next()) for d in (x, y, z, t)]
    """,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_as_tf(name, tmp_path):
    mine, theirs = run_both(CASES[name], tmp_path)
    assert mine == theirs


def test_window_elements_are_datasets():
    with tf.Graph().as_default():
        ds = tf.data.Dataset.range(4).window(2)
        spec = ds.element_spec
        assert isinstance(spec, tf.data.DatasetSpec)
        assert ds.output_types is spec
        seen = []
        ds.map(lambda w: seen.append(w) or tf.constant(0))
        assert isinstance(seen[0], tf.data.Dataset)


def test_sample_from_datasets_checks_arguments():
    with tf.Graph().as_default():
        a = tf.data.Dataset.range(3)
        with pytest.raises(ValueError, match="should not be empty"):
            tf.data.Dataset.sample_from_datasets([])
        with pytest.raises(ValueError, match="weights"):
            tf.data.Dataset.sample_from_datasets([a, a], weights=[1.0, 2.0, 3.0])
        with pytest.raises(TypeError, match="`weights` type must be either"):
            tf.data.Dataset.sample_from_datasets([a, a], weights=tf.constant([1, 2]))

"""SparseTensor dataset elements against real TF: from_tensor_slices / from_tensors of
a SparseTensor, batch and unbatch, map taking and returning SparseTensors, get_next
giving SparseTensorValues; element specs and the get_next tensors' static shapes."""

from __future__ import annotations

import pytest

from tests.data_api.common import run_both

CASES = {
    "sparse_slices_batch_unbatch": """
        st = tf.SparseTensor([[0, 0], [1, 2], [2, 1], [4, 3]], [1., 2., 3., 4.], [5, 4])
        ds = tf.data.Dataset.from_tensor_slices(st)
        b = ds.batch(2)
        u = b.unbatch()
        out = [str(ds.element_spec), str(b.element_spec), str(u.element_spec),
               b.output_classes.__name__, str(b.output_shapes)]
        def sp(v):
            return [v.indices, v.values, v.dense_shape]
        with tf.Session() as s:
            for d in (ds, b, u):
                n = tf.data.make_one_shot_iterator(d).get_next()
                out.append([str(n.indices.shape), str(n.dense_shape.shape)])
                out.append([sp(v) for v in drain(s, n)])
    """,
    "sparse_map_and_structure": """
        st = tf.SparseTensor([[0, 1], [2, 0]], [7, 8], [3, 2])
        ds = tf.data.Dataset.from_tensor_slices(({"s": st, "d": tf.range(3)}))
        m = ds.map(lambda e: (tf.sparse.to_dense(e["s"]) * 2, e["d"], e["s"]))
        f = tf.data.Dataset.from_tensors(st).map(
            lambda x: tf.SparseTensor(x.indices, x.values * 10, x.dense_shape))
        out = [str(ds.element_spec), str(m.element_spec)]
        with tf.Session() as s:
            got = drain(s, tf.data.make_one_shot_iterator(m).get_next())
            out.append([[a, b, [c.indices, c.values, c.dense_shape]] for a, b, c in got])
            v = s.run(tf.data.make_one_shot_iterator(f).get_next())
            out.append([v.indices, v.values, v.dense_shape])
    """,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_as_tf(name, tmp_path):
    mine, theirs = run_both(CASES[name], tmp_path)
    assert mine == theirs


SPARSE_BATCH = """
    ds = tf.data.Dataset.range(1, 6).map(lambda x: tf.fill([x], x))
    b = ds.sparse_batch(3, [5])
    c = ds.apply(tf.data.experimental.dense_to_sparse_batch(2, [None]))
    g = tf.get_default_graph()
    out = [str(b.element_spec), str(c.element_spec)]
    out.append([[op.name, op.type, [t.name for t in op.inputs]] for op in g.get_operations()])
    with tf.Session() as s:
        for d in (b, c):
            n = tf.data.make_one_shot_iterator(d).get_next()
            out.append([str(n.indices.shape), str(n.dense_shape.shape)])
            out.append([[v.indices, v.values, v.dense_shape] for v in drain(s, n)])
        n = tf.data.make_one_shot_iterator(ds.sparse_batch(2, [2])).get_next()
        out.append(s.run(n).dense_shape)
        try:
            s.run(n)
        except tf.errors.DataLossError as e:
            out.append("had shape ([3]) that is larger than the row shape ([2])" in e.message)
"""


def test_sparse_batch_as_tf(tmp_path):
    mine, theirs = run_both(SPARSE_BATCH, tmp_path)
    assert mine == theirs


RAGGED = """
    rt = tf.ragged.constant([[1, 2], [], [3, 4, 5], [6]])
    ds = tf.data.Dataset.from_tensor_slices(rt)
    b = ds.batch(2)
    m = tf.data.Dataset.range(3).map(lambda x: tf.ragged.range(x + 1))
    mb = m.batch(2)
    u = b.unbatch()
    r = tf.data.Dataset.range(1, 5).map(
        lambda x: (tf.fill([x], x), x, tf.fill([x, 2], x))).ragged_batch(2)
    out = [str(d.element_spec) for d in (ds, b, m, mb, u, r)]
    kinds = ("RaggedTensorToVariant", "RaggedTensorFromVariant")
    def ragged(v):
        if hasattr(v, "flat_values"):
            return [v.flat_values, [s for s in v.nested_row_splits]]
        return v
    with tf.Session() as s:
        for d in (ds, b, mb, u, r):
            n = tf.data.make_one_shot_iterator(d).get_next()
            got = drain(s, n)
            out.append([[ragged(x) for x in v] if isinstance(v, tuple) else ragged(v)
                        for v in got])
    g = tf.get_default_graph()
    out.append([[op.name, op.get_attr("input_ragged_rank"), op.get_attr("output_ragged_rank")]
                for op in g.get_operations() if op.type == kinds[1]])
    out.append([[op.name, op.get_attr("RAGGED_RANK"), op.get_attr("batched_input")]
                for op in g.get_operations() if op.type == kinds[0]])
"""


def test_ragged_elements_as_tf(tmp_path):
    mine, theirs = run_both(RAGGED, tmp_path)
    assert mine == theirs


def test_sparse_tensor_value_slices():
    import tfgraph as tf

    with tf.Graph().as_default():
        v = tf.SparseTensorValue([[0, 0], [1, 1]], [1.0, 2.0], [2, 2])
        ds = tf.data.Dataset.from_tensor_slices(({"a": v}, [1, 2]))
        assert isinstance(ds.element_spec[0]["a"], tf.SparseTensorSpec)
        n = tf.data.make_one_shot_iterator(ds).get_next()
        with tf.Session() as s:
            first, second = s.run(n), s.run(n)
    assert first[0]["a"].indices.tolist() == [[0]] and second[0]["a"].values.tolist() == [2.0]

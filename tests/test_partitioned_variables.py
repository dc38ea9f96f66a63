"""Partitioned variables: partitioners, shard names and SaveSliceInfo (compared with the
VariableDefs real TF wrote to tests/data/golden/tf_part), the concatenated value in ops,
reuse, and TF's error messages."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.golden import golden
from tfgraph.partitioned_variables import PartitionedVariable


def _init_and_run(*fetches):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(list(fetches))


def test_fixed_size_partitioner_shards_and_slice_info():
    p = tf.get_variable(
        "p", [4, 3], initializer=tf.ones_initializer(), partitioner=tf.fixed_size_partitioner(2)
    )
    assert isinstance(p, PartitionedVariable)
    assert (p.name, p.shape.as_list(), p.dtype, len(p)) == ("p", [4, 3], tf.float32, 2)
    assert p._get_partitions() == [2, 1]
    assert [v.name for v in p] == ["p/part_0:0", "p/part_1:0"]
    infos = [v._get_save_slice_info() for v in p]
    assert [(i.full_name, i.full_shape, i.var_offset, i.var_shape) for i in infos] == [
        ("p", [4, 3], [0, 0], [2, 3]),
        ("p", [4, 3], [2, 0], [2, 3]),
    ]
    assert [i.spec for i in infos] == ["4 3 0,2:0,3", "4 3 2,2:0,3"]
    assert tf.global_variables() == list(p)
    assert tf.trainable_variables() == list(p)
    names = [o.name for o in tf.get_default_graph().get_operations()]
    assert names == [
        "p/part_0/Initializer/ones", "p/part_0", "p/part_0/Assign", "p/part_0/read",
        "p/part_1/Initializer/ones", "p/part_1", "p/part_1/Assign", "p/part_1/read",
    ]  # fmt: skip


def test_variable_defs_match_tf_golden():
    from tfgraph import proto

    text = golden("tf_part", "vardefs.txt").read_text()
    expected = []
    for chunk in text.split("# ")[1:]:
        body = chunk.split("\n", 1)[1]
        expected.append(proto.text_format.Parse(body, proto.VariableDef()))
    p = tf.get_variable(
        "p", [4, 3], initializer=tf.ones_initializer(), partitioner=tf.fixed_size_partitioner(2)
    )
    ours = [v.to_proto() for v in p]
    assert [proto.text_format.MessageToString(m) for m in ours] == [
        proto.text_format.MessageToString(m) for m in expected
    ]


def test_partitioned_variable_reads_as_concatenation():
    init = np.arange(12, dtype=np.float32).reshape(4, 3)
    p = tf.get_variable(
        "p", initializer=tf.constant(init), partitioner=tf.fixed_size_partitioner(2)
    )
    x = tf.ones([2, 4])
    y = tf.matmul(x, p)
    ops = [(o.name, o.type) for o in tf.get_default_graph().get_operations()]
    assert ("p/ConcatPartitions/concat", "ConcatV2") in ops
    assert ("p", "Identity") in ops
    assert y.op.inputs[1].name == "p:0"
    value, full = _init_and_run(y, tf.convert_to_tensor(p))
    np.testing.assert_array_equal(full, init)
    np.testing.assert_array_equal(value, np.ones([2, 4]) @ init)
    assert tf.convert_to_tensor(p).name == "p_2:0"  # a new concat each conversion, as TF


def test_partition_sizes_and_uneven_splits():
    q = tf.get_variable("q", [7, 2], partitioner=tf.fixed_size_partitioner(3))
    assert [v.shape.as_list() for v in q] == [[3, 2], [2, 2], [2, 2]]
    r = tf.get_variable("r", [2, 9], partitioner=tf.fixed_size_partitioner(5, axis=1))
    assert r._get_partitions() == [1, 5]
    assert [v._get_save_slice_info().var_offset for v in r] == [
        [0, 0],
        [0, 2],
        [0, 4],
        [0, 6],
        [0, 8],
    ]
    few = tf.get_variable("few", [2, 3], partitioner=tf.fixed_size_partitioner(5))
    assert few._get_partitions() == [2, 1]  # at most one shard per row of the axis
    one = tf.get_variable("one", [3], partitioner=tf.fixed_size_partitioner(1))
    assert len(one) == 1
    assert tf.convert_to_tensor(one).op.type == "Identity"


def test_variable_axis_size_partitioner():
    part = tf.variable_axis_size_partitioner(48)
    with tf.variable_scope("s", partitioner=part):
        q = tf.get_variable("q", [10, 4])  # 16 bytes/row -> 3 rows/shard -> 4 shards
    assert q._get_partitions() == [4, 1]
    assert [v.shape.as_list() for v in q] == [[3, 4], [3, 4], [2, 4], [2, 4]]
    assert tf.variable_axis_size_partitioner(48, max_shards=2)(
        shape=tf.TensorShape([10, 4]), dtype=tf.float32
    ) == [2, 1]
    # strings count 16 bytes per element: 64 bytes a row, one row per 100-byte shard
    assert tf.variable_axis_size_partitioner(100)(
        shape=tf.TensorShape([10, 4]), dtype=tf.string
    ) == [10, 1]
    with pytest.raises(ValueError, match="Both max_shard_bytes and bytes_per_string_element"):
        tf.variable_axis_size_partitioner(0)
    with pytest.raises(ValueError, match="max_shards must be positive."):
        tf.variable_axis_size_partitioner(10, max_shards=-1)
    with pytest.raises(ValueError, match="shape is not fully defined"):
        part(shape=tf.TensorShape([None, 2]), dtype=tf.float32)


def test_min_max_variable_partitioner():
    part = tf.min_max_variable_partitioner(max_partitions=3, min_slice_size=16)
    r = tf.get_variable("r", [7, 3], partitioner=part)
    assert r._get_partitions() == [3, 1]
    assert [v.shape.as_list() for v in r] == [[3, 3], [2, 3], [2, 3]]
    big = tf.min_max_variable_partitioner(max_partitions=10)
    assert big(shape=tf.TensorShape([1000, 10]), dtype=tf.float32) == [1, 1]
    with pytest.raises(ValueError, match="Cannot partition variable along axis 1 when shape"):
        tf.get_variable("m", [4], partitioner=tf.min_max_variable_partitioner(axis=1))


def test_scalar_is_not_partitioned():
    with tf.variable_scope("s", partitioner=tf.fixed_size_partitioner(2)):
        s = tf.get_variable("scalar", [])
    assert isinstance(s, tf.Variable) and s.name == "s/scalar:0"


def test_reuse_rules_and_errors():
    fx2 = tf.fixed_size_partitioner(2)
    p = tf.get_variable("p", [4, 3], partitioner=fx2)
    with tf.variable_scope("", reuse=True):
        assert tf.get_variable("p", [4, 3], partitioner=fx2) is p
        assert tf.get_variable("p", [4, 3]) is p  # reuse without a partitioner
        with pytest.raises(
            ValueError,
            match=r"Trying to reuse partitioned variable p, but specified partitions \[3, 1\] "
            r"and found partitions \[2, 1\].",
        ):
            tf.get_variable("p", [4, 3], partitioner=tf.fixed_size_partitioner(3))
        with pytest.raises(
            ValueError,
            match=r"Trying to reuse partitioned variable p, but specified shape \(4, 4\) and "
            r"found shape \(4, 3\).",
        ):
            tf.get_variable("p", [4, 4], partitioner=fx2)
        with pytest.raises(ValueError, match="PartitionedVariable nope does not exist"):
            tf.get_variable("nope", [4], partitioner=fx2)
    with tf.variable_scope("", reuse=tf.AUTO_REUSE):
        assert tf.get_variable("p", [4, 3], partitioner=fx2) is p
    with pytest.raises(
        ValueError,
        match="Partitioned variable with name p already exists. Did you mean to set reuse=True "
        "or reuse=tf.AUTO_REUSE in VarScope?",
    ):
        tf.get_variable("p", [4, 3], partitioner=fx2)
    with pytest.raises(
        ValueError, match="No partitioner was provided, but a partitioned version of the variable"
    ):
        tf.get_variable("p", [4, 3])
    with pytest.raises(
        ValueError, match="A partitioner was provided, but an unpartitioned version of the"
    ):
        tf.get_variable("p/part_0", [2, 3], partitioner=fx2)


def test_partitioner_errors():
    with pytest.raises(ValueError, match="Can only slice a variable along one dimension"):
        tf.get_variable("a", [4, 3], partitioner=lambda shape, dtype: [2, 2])
    with pytest.raises(ValueError, match="does not match the Variable's rank"):
        tf.get_variable("b", [4, 3], partitioner=lambda shape, dtype: [2])
    with pytest.raises(ValueError, match="Partitioner returned zero partitions for some axes"):
        tf.get_variable("c", [4, 3], partitioner=lambda shape, dtype: [0, 1])
    with pytest.raises(ValueError, match="Shape of a new partitioned variable must be fully"):
        tf.get_variable("d", [None, 3], partitioner=tf.fixed_size_partitioner(2))
    with pytest.raises(ValueError, match="Partitioner must be callable, but received: 3"):
        tf.get_variable("e", [4], partitioner=3)


def test_callable_initializers_get_partition_info():
    seen = []

    def init(shape, dtype=None, partition_info=None):
        seen.append((shape, partition_info.full_shape, partition_info.var_offset))
        return tf.zeros(shape, dtype)

    tf.get_variable("v", [5, 2], initializer=init, partitioner=tf.fixed_size_partitioner(2))
    assert seen == [([3, 2], [5, 2], [0, 0]), ([2, 2], [5, 2], [3, 0])]


def test_python_value_initializer_is_sliced():
    # A Python value needs the shape (TF only takes it from a Tensor initializer).
    p = tf.get_variable(
        "p",
        [3, 2],
        initializer=[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
        partitioner=tf.fixed_size_partitioner(2),
    )
    names = [o.name for o in tf.get_default_graph().get_operations()]
    assert "p/part_0/PartitionedInitializer/Slice" in names
    (value,) = _init_and_run(tf.convert_to_tensor(p))
    assert value.tolist() == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]


def test_assign_to_partitioned_variable():
    p = tf.get_variable("p", [4, 2], partitioner=tf.fixed_size_partitioner(2))
    new = np.arange(8, dtype=np.float32).reshape(4, 2)
    ops = p.assign(new)
    assert len(ops) == 2
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(ops)
        np.testing.assert_array_equal(sess.run(tf.convert_to_tensor(p)), new)
        sess.run(p.assign([np.ones([2, 2], np.float32), np.zeros([2, 2], np.float32)]))
        assert sess.run(tf.convert_to_tensor(p)).tolist() == [[1, 1], [1, 1], [0, 0], [0, 0]]


@pytest.mark.parametrize("fn", ["gather", "nn.embedding_lookup"])
def test_lookups_on_partitioned_variable(fn):
    owner = tf.nn if fn.startswith("nn.") else tf
    lookup = getattr(owner, fn.split(".")[-1])
    p = tf.get_variable(
        "emb",
        initializer=tf.constant(np.arange(10, dtype=np.float32).reshape(5, 2)),
        partitioner=tf.fixed_size_partitioner(2),
    )
    out = lookup(p, [0, 4, 2])
    (value,) = _init_and_run(out)
    if fn == "gather":
        assert value.tolist() == [[0, 1], [8, 9], [4, 5]]
    else:
        # embedding_lookup's default partition_strategy is "mod": id 4 is row 4 // 2 of
        # partition 4 % 2 (what TF 2.21 returns for this program).
        assert value.tolist() == [[0, 1], [4, 5], [2, 3]]


def test_create_partitioned_variables():
    shards = tf.create_partitioned_variables([4, 2], [2, 1], tf.zeros_initializer(), name="cpv")
    assert [v.name for v in shards] == ["cpv/part_0:0", "cpv/part_1:0"]
    with pytest.raises(ValueError, match="must have the length"):
        tf.create_partitioned_variables([4, 2], [2], tf.zeros_initializer())

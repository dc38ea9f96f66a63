"""tf.io.RaggedFeature in tf.io.parse_example / parse_single_example (ParseExampleV2's
ragged outputs and the partitions built over them) against TF 2.21 (compat.v1 graph
mode): values, static shapes, the graph's ops and errors."""

from __future__ import annotations

import pytest

from tests.ragged import harness
from tests.tfrun import requires_tf

CASES = r"""
def ex(**kw):
    f = {}
    for k, v in kw.items():
        if isinstance(v[0], int):
            f[k] = tf.train.Feature(int64_list=tf.train.Int64List(value=v))
        elif isinstance(v[0], float):
            f[k] = tf.train.Feature(float_list=tf.train.FloatList(value=v))
        else:
            f[k] = tf.train.Feature(bytes_list=tf.train.BytesList(value=v))
    return tf.train.Example(features=tf.train.Features(feature=f)).SerializeToString()
E1 = ex(v=[3, 1, 4, 1, 5, 9], s1=[0, 2, 3, 3, 6], s2=[0, 2, 3, 4], w=[b"a", b"b"],
        l=[2, 1, 0, 3], r=[0, 0, 1, 3, 3, 3], x=[1.5, 2.5])
E2 = ex(v=[2, 7], s1=[0, 1, 2], s2=[0, 2], w=[b"c"], l=[1, 1], r=[0, 1], x=[0.5])
E3 = ex(v=[5], s1=[0, 1], s2=[0, 1], l=[1], r=[2])
RF = tf.io.RaggedFeature
def _out(d):
    return [d[k] for k in sorted(d)]
def batch(features, data=(E1, E2, E3)):
    return _out(tf.io.parse_example(list(data), features))
def single(features, data=E1):
    return _out(tf.io.parse_single_example(data, features))
cases = {
  "plain": lambda: batch({"v": RF(tf.int64), "w": RF(tf.string, row_splits_dtype=tf.int64),
                          "x": RF(tf.float32)}),
  "value_key": lambda: batch({"f": RF(tf.int64, value_key="v")}),
  "with_dense_sparse": lambda: batch({"v": RF(tf.int64), "w": tf.io.VarLenFeature(tf.string),
                                      "x": tf.io.FixedLenSequenceFeature([], tf.float32,
                                                                         allow_missing=True)}),
  "row_splits": lambda: batch({"f": RF(tf.int64, value_key="v",
                                       partitions=[RF.RowSplits("s1")])}, (E1, E2)),
  "row_splits_2": lambda: batch({"f": RF(tf.int64, value_key="v",
                                         partitions=[RF.RowSplits("s2"), RF.RowSplits("s1")])},
                                (E1, E2)),
  "row_lengths": lambda: batch({"f": RF(tf.int64, value_key="v",
                                        partitions=[RF.RowLengths("l")])}),
  "row_limits": lambda: batch({"f": RF(tf.int64, value_key="v",
                                       partitions=[RF.RowLimits("s1")])}, (E1,)),
  "row_starts": lambda: batch({"f": RF(tf.int64, value_key="v",
                                       partitions=[RF.RowStarts("s1")])}, (E1,)),
  "value_rowids": lambda: batch({"f": RF(tf.int64, value_key="v",
                                         partitions=[RF.ValueRowIds("r")])}, (E1, E2)),
  "uniform": lambda: batch({"f": RF(tf.int64, value_key="v",
                                    partitions=[RF.UniformRowLength(2)])}, (E1, E2)),
  "single_plain": lambda: single({"v": RF(tf.int64), "w": RF(tf.string)}),
  "single_row_splits": lambda: single({"f": RF(tf.int64, value_key="v",
                                               partitions=[RF.RowSplits("s1")])}),
  "single_two": lambda: single({"f": RF(tf.int64, value_key="v", row_splits_dtype=tf.int64,
                                        partitions=[RF.RowSplits("s2"), RF.RowSplits("s1")])}),
  "single_lengths_rowids": lambda: single({
      "a": RF(tf.int64, value_key="v", partitions=[RF.RowLengths("l")]),
      "b": RF(tf.int64, value_key="v", partitions=[RF.ValueRowIds("r")])}),
  "single_uniform": lambda: single({"f": RF(tf.int64, value_key="v",
                                            partitions=[RF.UniformRowLength(3)])}),
  "fed": lambda: _out(tf.io.parse_example(tf.placeholder_with_default([E1], [None]),
                                          {"v": RF(tf.int64)})),
  "unknown_rank": lambda: tf.io.parse_example(tf.placeholder(tf.string), {"v": RF(tf.int64)}),
  "wrong_type": lambda: batch({"v": RF(tf.float32)}),
  "conflict": lambda: batch({"a": RF(tf.int64, value_key="v"), "b": RF(tf.float32, value_key="v")}),
  "dense_ragged": lambda: batch({"v": RF(tf.int64), "w": tf.io.FixedLenFeature([2], tf.string)},
                                (E1,)),
  "dense_ragged_same_key": lambda: batch({"v": RF(tf.int64),
                                          "w": tf.io.FixedLenFeature([2], tf.string),
                                          "x": RF(tf.float32, value_key="w")}),
  "bad_dtype": lambda: RF(tf.int32),
  "bad_partitions": lambda: RF(tf.int64, partitions="x"),
}
"""


@pytest.fixture(scope="module")
def both():
    return harness.run_here(CASES), harness.run_tf(CASES)


# TF's shape refiner runs the parse op of constant Examples while building the graph, so
# its `tf.repeat`s of batched partitions see static shapes (Shape ops become Consts) and a
# single example's ValueRowIds know their row count; tfgraph folds no parse op (its Python
# graph building would then differ from TF's elsewhere): same ops but for those Shapes,
# and the same values.
OPS_DIFFER = {"row_splits", "row_splits_2", "value_rowids"}
STATIC_DIFFERS = {"single_lengths_rowids"}


@requires_tf
@pytest.mark.parametrize("name", harness.case_names(CASES))
def test_ragged_feature_as_tf(both, name):
    here, theirs = both
    if name in STATIC_DIFFERS:
        assert here[name]["value"] == theirs[name]["value"]
        assert here[name]["ops"] == theirs[name]["ops"]
        return
    harness.compare(here, theirs, name, ops=name not in OPS_DIFFER)

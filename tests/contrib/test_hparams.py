"""TF 1.15's tf.contrib.training.HParams (tfgraph/legacy_contrib/hparam.py): parsing,
JSON, typed overrides and TF's error classes and messages (TF 2.21 has no HParams; the
expected behaviour is TF 1.15's hparam.py and hparam_test.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf

HParams = tf.contrib.training.HParams


def test_values_parse_and_lists():
    hp = HParams(aaa=1, b=2.0, c_c="relu6", d="/a/b=c/d", lst=[1, 2], flag=False)
    assert hp.values() == {
        "aaa": 1,
        "b": 2.0,
        "c_c": "relu6",
        "d": "/a/b=c/d",
        "lst": [1, 2],
        "flag": False,
    }
    assert hp.parse("aaa=12,c_c=relu4,lst=[3, 4,5],flag=true") is hp
    assert (hp.aaa, hp.b, hp.c_c, hp.lst, hp.flag) == (12, 2.0, "relu4", [3, 4, 5], True)
    hp.parse("b=-.5e2,d=/x/y=z,flag=0")
    assert (hp.b, hp.d, hp.flag) == (-50.0, "/x/y=z", False)
    hp.parse("flag=False")
    assert hp.flag is False
    hp.parse("")
    assert hp.aaa == 12
    assert "aaa" in hp and "zzz" not in hp
    assert str(HParams(a=1, b=[2, 3])) == "a=1,b=[2, 3]"
    assert repr(HParams(b=2, a=1)) == "HParams([('a', 1), ('b', 2)])"


def test_index_assignments_are_parsed_as_dicts():
    values = tf.contrib.training.parse_values("arr[1]=3,arr[0]=2,x=5", {"arr": int, "x": int})
    assert values == {"arr": {1: 3, 0: 2}, "x": 5}
    assert tf.contrib.training.parse_values("x=1,y=2", {"x": int}, ignore_unknown=True) == {"x": 1}


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "aaa=poipoi",
            "Could not parse hparam 'aaa' of type 'int' with value 'poipoi' in aaa=poipoi",
        ),
        ("aaa=1.0", "Could not parse hparam 'aaa' of type 'int' with value '1.0' in aaa=1.0"),
        ("b=12x", "Could not parse hparam 'b' of type 'float' with value '12x' in b=12x"),
        ("flag=yes", "Could not parse hparam 'flag' of type 'bool' with value 'yes' in flag=yes"),
        ("aaa=[123]", "Must not pass a list for single-valued parameter: aaa"),
        ("lst=1", "Must pass a list for multi-valued parameter: lst."),
        ("zzz=1", "Unknown hyperparameter type for zzz"),
        ("aaa=1,aaa=2", "Multiple assignments to variable 'aaa' in aaa=1,aaa=2"),
        ("lst[0]=[1]", "Assignment of a list to a list index."),
        ("=1", "Malformed hyperparameter value: =1"),
        ("aaa=1 b=2", "Could not parse hparam 'aaa' of type 'int' with value '1 b=2' in aaa=1 b=2"),
    ],
)
def test_parse_errors(text, message):
    hp = HParams(aaa=1, b=2.0, lst=[1], flag=True)
    with pytest.raises(ValueError) as err:
        hp.parse(text)
    assert str(err.value) == message


def test_json_round_trip_and_override_from_dict():
    hp = HParams(aaa=1, b=2.0, c_c="relu6", lst=["a", "b"])
    text = hp.to_json(sort_keys=True)
    assert json.loads(text) == hp.values()
    assert hp.to_json(indent=2, sort_keys=True).startswith('{\n  "aaa": 1,')
    hp.parse_json('{"aaa": 3, "b": 4, "lst": ["x"]}')
    assert (hp.aaa, hp.b, hp.lst) == (3, 4.0, ["x"]) and type(hp.b) is float
    hp.override_from_dict({"c_c": "tanh"})
    assert hp.c_c == "tanh"
    with pytest.raises(KeyError):
        hp.parse_json('{"nope": 1}')
    with pytest.raises(KeyError):
        hp.override_from_dict({"nope": 1})


def test_set_add_del_get():
    hp = HParams(aaa=1, b=2.0, s="x", lst=[1.0], flag=True)
    hp.set_hparam("b", 3)
    assert hp.b == 3.0 and type(hp.b) is float
    hp.set_hparam("lst", [1, 2])
    assert hp.lst == [1.0, 2.0]
    for name, value, message in [
        ("aaa", 1.5, "Could not cast hparam 'aaa' of type '<class 'int'>' from value 1.5"),
        ("s", 3, "Could not cast hparam 's' of type '<class 'str'>' from value 3"),
        ("flag", 1, "Could not cast hparam 'flag' of type '<class 'bool'>' from value 1"),
        ("aaa", True, "Could not cast hparam 'aaa' of type '<class 'int'>' from value True"),
        ("b", "1", "Could not cast hparam 'b' of type '<class 'float'>' from value '1'"),
        ("aaa", [1], "Must not pass a list for single-valued parameter: aaa"),
    ]:
        with pytest.raises(ValueError) as err:
            hp.set_hparam(name, value)
        assert str(err.value) == message
    with pytest.raises(KeyError):
        hp.set_hparam("missing", 1)
    hp.add_hparam("extra", "v")
    assert hp.extra == "v" and "extra" in hp.values()
    with pytest.raises(ValueError, match="Hyperparameter name is reserved: aaa"):
        hp.add_hparam("aaa", 2)
    with pytest.raises(ValueError, match="Hyperparameter name is reserved: values"):
        hp.add_hparam("values", 2)
    with pytest.raises(ValueError, match="Multi-valued hyperparameters cannot be empty: e"):
        hp.add_hparam("e", [])
    hp.del_hparam("extra")
    hp.del_hparam("never_there")
    assert "extra" not in hp and not hasattr(hp, "extra")
    assert hp.get("aaa") == 1 and hp.get("zzz", 7) == 7 and hp.get("zzz") is None
    assert hp.get("aaa", 5) == 1 and hp.get("lst", [0.5]) == [1.0, 2.0]
    with pytest.raises(ValueError) as err:
        hp.get("aaa", "x")
    assert str(err.value) == (
        "Hparam 'aaa' of type '<class 'int'>' is incompatible with default=x. "
        "Could not cast hparam 'aaa' of type '<class 'int'>' from value 'x'"
    )
    with pytest.raises(ValueError, match="is incompatible with default=1.0$"):
        hp.get("lst", 1.0)


def test_bucket_by_sequence_length_batches_each_bucket_padded():
    lengths = np.array([1, 5, 2, 6, 3, 7, 2, 8, 1, 4, 6, 2], np.int32)
    data = np.zeros([12, 8], np.int32)
    for i, n in enumerate(lengths):
        data[i, :n] = i + 1
    (idx,) = tf.train.slice_input_producer([tf.range(12)], shuffle=False)
    length = tf.gather(lengths, idx)
    seq = tf.slice(tf.gather(data, idx), [0], [length])
    out_len, (out_seq,) = tf.contrib.training.bucket_by_sequence_length(
        length, [seq], batch_size=2, bucket_boundaries=[3, 6], dynamic_pad=True
    )
    assert out_len.shape.as_list() == [2] and out_seq.shape.as_list() == [2, None]
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert {
        "bucket_by_sequence_length/bucket/top_queue",
        "bucket_by_sequence_length/bucket/bucket_queue_2",
    } <= set(names)
    seen = []
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        for _ in range(6):
            got_len, got_seq = sess.run([out_len, out_seq])
            buckets = {int(np.searchsorted([3, 6], n, side="right")) for n in got_len}
            assert len(buckets) == 1, got_len  # one bucket per batch
            assert got_seq.shape == (2, got_len.max())
            for n, row in zip(got_len, got_seq):
                assert (row[:n] == row[0]).all() and (row[n:] == 0).all()
                assert lengths[row[0] - 1] == n
                seen.append(int(row[0]))
        coord.request_stop()
        coord.join(threads)
    assert len(seen) == 12


def test_bucket_argument_errors():
    x = tf.constant([1.0])
    bucket = tf.contrib.training.bucket_by_sequence_length
    with pytest.raises(TypeError, match="bucket_boundaries must be a list or tuple"):
        bucket(1, [x], 2, 3)
    with pytest.raises(ValueError, match="bucket_boundaries must not be empty"):
        bucket(1, [x], 2, [])
    with pytest.raises(ValueError, match="increasing lengths, but saw: 4 before 4"):
        bucket(1, [x], 2, [2, 4, 4])
    with pytest.raises(TypeError, match="must be integers, but saw: 2.0 and 4"):
        bucket(1, [x], 2, [2.0, 4])
    with pytest.raises(ValueError, match="If batch_size is a list it must have num_buckets"):
        bucket(1, [x], [2, 2, 2], [3])
    with pytest.raises(ValueError, match=r"must have exactly num_buckets \(2\) elements"):
        bucket(1, [x], 2, [3], bucket_capacities=[4])

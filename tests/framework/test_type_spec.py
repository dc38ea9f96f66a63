"""tf.TypeSpec and its subclasses: TensorSpec, SparseTensorSpec, IndexedSlicesSpec,
NoneTensorSpec, type_spec_from_value; tf.data's element specs are tf.TensorSpecs."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

# The same program in both: each line's result as a string (repr, bool or error class).
PROGRAM = r"""
import numpy as np
out = []
S, SS, F32, IS = tf.TensorSpec, tf.SparseTensorSpec, tf.float32, tf.IndexedSlices
spec_of = tf.type_spec_from_value
def rec(f):
    try:
        out.append(str(f()))
    except Exception as e:
        out.append(type(e).__name__)
a = S([1], F32, name="a")
b = S([1], F32)
rec(lambda: a)
rec(lambda: a == b)
rec(lambda: hash(a) == hash(b))
rec(lambda: S([None, 2], tf.int64) == S([None, 2], tf.int64))
rec(lambda: S(None, tf.int64) == S(None, tf.int64))
rec(lambda: S([None], tf.int64) == S(None, tf.int64))
rec(lambda: S([2, None], F32).is_compatible_with(S([2, 5], F32)))
rec(lambda: S([2, None], F32).is_compatible_with(S([3, 5], F32)))
rec(lambda: S([2], F32).is_compatible_with(S([2], tf.float64)))
rec(lambda: S([2, 3], F32).most_specific_common_supertype([S([2, 4], F32)]))
rec(lambda: S([2, 3], F32, "x").most_specific_common_supertype([S([2, 3], F32, "x")]))
rec(lambda: S([2, 3], F32).most_specific_common_supertype([S([2], F32)]))
rec(lambda: S([2, 3], F32).most_specific_common_supertype([S([2, 3], tf.int32)]))
rec(lambda: S([2, 3], F32).most_specific_compatible_type(S([2, 4], F32)))
rec(lambda: S([2, 3], F32).most_specific_compatible_type(S([2], F32)))
rec(lambda: S([2, 3], F32).is_subtype_of(S([2, None], F32)))
rec(lambda: S([2, None], F32).is_subtype_of(S([2, 3], F32)))
rec(lambda: tf.TensorSpec.from_spec(S([3], tf.int32, name="q")))
rec(lambda: tf.TensorSpec.from_spec(S([3], tf.int32, name="q"), name="r"))
rec(lambda: tf.TensorSpec.from_tensor(tf.constant([1.0], name="c")))
rec(lambda: S([2], tf.int64).value_type.__name__)
rec(lambda: isinstance(a, tf.TypeSpec))
rec(lambda: SS([2, None], tf.int64))
rec(lambda: SS([2, None], tf.int64) == SS([2, None], tf.int64))
rec(lambda: SS([2, 3], tf.int64).is_compatible_with(SS([2, None], tf.int64)))
rec(lambda: SS([2, 3], tf.int64).most_specific_common_supertype([SS([2, 4], tf.int64)]))
rec(lambda: SS([2], tf.int64).value_type.__name__)
rec(lambda: tf.SparseTensorSpec.from_value(tf.SparseTensor([[0, 1]], [1.0], [2, 3])))
rec(lambda: tf.IndexedSlicesSpec([5, 3], F32))
rec(lambda: tf.IndexedSlicesSpec([5, 3], F32, tf.int32, tf.int64, [4]))
rec(lambda: tf.IndexedSlicesSpec([5, 3], F32).value_type.__name__)
rec(lambda: tf.NoneTensorSpec())
rec(lambda: tf.NoneTensorSpec() == tf.NoneTensorSpec())
rec(lambda: spec_of(tf.SparseTensor([[0, 0]], [1.0], [2, 3])))
rec(lambda: spec_of(tf.constant([1, 2])))
rec(lambda: spec_of(tf.placeholder(F32, [None, 3])))
rec(lambda: spec_of(IS(tf.constant([[1.0]]), tf.constant([0]), tf.constant([3, 1]))))
rec(lambda: spec_of(IS(tf.constant([[1.0]]), tf.constant([0], tf.int64))))
for v in ([1, 2], 1.5, np.array([1, 2]), np.float32(2), "ab", [b"a"], [[1], [2, 3]], object()):
    rec(lambda: spec_of(v))
ds = tf.data.Dataset.from_tensors((1, {"b": [1.5, 2.0]}))
rec(lambda: ds.element_spec)
rec(lambda: ds.element_spec[0] == S([], tf.int32))
rec(lambda: isinstance(ds.element_spec[1]["b"], tf.TensorSpec))
"""


def _ours() -> list:
    env = {"tf": tf, "np": np}
    with tf.Graph().as_default():
        exec(PROGRAM, env)
    return env["out"]


def _normalized(lines: list) -> list:
    # TF's object repr carries an address
    return ["<object>" if "object object at" in line else line for line in lines]


def test_specs_behave_as_documented():
    got = dict(enumerate(_ours()))
    assert got[0] == "TensorSpec(shape=(1,), dtype=tf.float32, name='a')"
    assert got[1] == "False" and got[2] == "True"  # (the name is compared, not hashed)
    assert got[9] == "TensorSpec(shape=(2, ?), dtype=tf.float32, name=None)"
    assert got[11] == "TensorSpec(shape=<unknown>, dtype=tf.float32, name=None)"  # (ranks differ)
    assert got[22] == "SparseTensorSpec(TensorShape([Dimension(2), Dimension(None)]), tf.int64)"
    assert got[36] == (
        "IndexedSlicesSpec(TensorShape([Dimension(3), Dimension(1)]), tf.float32, tf.int32,"
        " tf.int32, TensorShape([Dimension(1)]))"
    )
    assert got[45] == "TypeError"  # (object())
    assert got[47] == got[48] == "True"  # (tf.data's element specs are tf.TensorSpecs)


@pytest.mark.tf
@requires_tf
def test_specs_match_tf():
    theirs = run_tf_json(PROGRAM + "\nimport json\nprint(json.dumps(out))")
    ours = _ours()
    assert len(ours) == len(theirs)
    mismatches = [
        (i, o, t)
        for i, (o, t) in enumerate(zip(_normalized(ours), _normalized(theirs), strict=True))
        if o != t
    ]
    assert not mismatches, json.dumps(mismatches, indent=1)

"""`tf.TensorArraySpec` against TF 2.21: construction, from_value and
type_spec_from_value, equality, hashing, compatibility and subtyping."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
import json
from_value = tf.TensorArraySpec.from_value
s = tf.TensorArraySpec([2, None], tf.int32, dynamic_size=True)
fixed = tf.TensorArraySpec([2, 3], tf.int32)
ta = tf.TensorArray(tf.float32, size=3, element_shape=[4])
grows = tf.TensorArray(tf.float32, size=0, dynamic_size=True, infer_shape=False)
out = [repr(s), repr(tf.TensorArraySpec()), repr(from_value(ta)), repr(from_value(grows)),
       s == tf.TensorArraySpec([2, None], tf.int32, dynamic_size=True),
       hash(s) == hash(tf.TensorArraySpec([2, None], tf.int32, dynamic_size=True)),
       s.is_compatible_with(tf.TensorArraySpec([2, 3], tf.int32, dynamic_size=True)),
       s.is_compatible_with(fixed), s.is_compatible_with(ta),
       fixed.is_subtype_of(s), s.is_subtype_of(tf.TensorArraySpec([2, 3], tf.int32, True)),
       repr(s.most_specific_common_supertype([fixed])),
       s.value_type.__name__]
try:
    from_value(3)
except TypeError as e:
    out.append(str(e))
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_tensor_array_spec_matches_tf():
    assert run_here_json(PROGRAM) == run_tf_json(PROGRAM)


def test_type_spec_from_value_and_common_supertype():
    ta = tf.TensorArray(tf.float32, size=3, element_shape=[4])
    assert tf.type_spec_from_value(ta) == tf.TensorArraySpec([4], tf.float32)
    a = tf.TensorArraySpec([2, None], tf.int32, dynamic_size=True)
    b = tf.TensorArraySpec([3, 3], tf.int32, dynamic_size=True)
    # (TF 2.21 answers `a` itself here: it reads a generator of the shapes twice)
    assert a.most_specific_common_supertype([b]) == tf.TensorArraySpec(
        [None, None], tf.int32, dynamic_size=True
    )

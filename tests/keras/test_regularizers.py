"""tf.keras.regularizers' `serialize`, `deserialize` and `get` against tf_keras (TF1
graph mode): configs (strengths rounded to float32), round trips, penalties, errors."""

from __future__ import annotations

import pytest

from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

PROGRAM = """
R = tf.keras.regularizers
w = tf.constant([[1.0, -2.0], [0.5, 3.0]])
result = {}
regs = [R.L1L2(0.1, 0.2), R.l2(0.3), R.L1(0.05), R.l1_l2(), R.L1L2(l2=0.7)]
with tf.Session() as s:
    for i, reg in enumerate(regs):
        ser = R.serialize(reg)
        copy = R.deserialize(ser)
        result[str(i)] = [ser, R.serialize(copy), s.run(copy(w))]
    for name in ["l1", "l2", "l1_l2", "L1", "L2", "L1L2"]:
        reg = R.deserialize(name)
        result[name] = [type(reg).__name__, reg.get_config(), s.run(reg(w))]
    result["get"] = R.get({"class_name": "L2", "config": {"l2": 0.5}}).get_config()
for bad in ["nope", {"class_name": "Nope", "config": {}}]:
    try:
        R.deserialize(bad)
    except ValueError as e:
        result[str(bad)] = str(e)
"""


@pytest.mark.tf
@requires_tf
def test_regularizer_serialization_matches_tf_keras():
    assert_same(ours(PROGRAM), theirs(PROGRAM), rtol=1e-6, atol=1e-7)

"""tf.CriticalSection executing eagerly (TF2 behaviour) against TF 2.21: `execute` runs
`fn` at once with the mutex held and returns its results."""

from __future__ import annotations

import pytest

from tests import tfrun

_PROGRAM = """
import json
v = tf.Variable(1.0)
cs = tf.CriticalSection()
a = cs.execute(lambda: v.assign_add(2.0))
b = cs.execute(lambda: {"twice": v.read_value() * 2, "none": None})
try:
    cs.execute(lambda: cs.execute(lambda: v.read_value()))
except ValueError as e:
    nested = "Attempting to lock a CriticalSection" in str(e)
c = cs.execute(lambda: v.assign_add(1.0))
print(json.dumps([float(a), float(b["twice"]), b["none"], nested, float(c)]))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_matches_tf():
    assert tfrun.run_here_json(_PROGRAM) == tfrun.run_tf_json(_PROGRAM, v1=False)

"""tf.summary.initialize and tf.summary.all_v2_summary_ops (TF1 meaning) against TF 2.21:
a TF1 graph has no default TF2 summary writer."""

from __future__ import annotations

import pytest

from tests import tfrun

_PROGRAM = """
import json
out = {"ops": tf.summary.all_v2_summary_ops()}
tf.summary.scalar("loss", tf.constant(1.0))  # (a TF1 summary: not a v2 summary op)
out["after_v1"] = tf.summary.all_v2_summary_ops()
tf.add_to_collection("_SUMMARY_V2", tf.no_op(name="v2_summary"))
out["collected"] = [op.name for op in tf.summary.all_v2_summary_ops()]
for kwargs in ({}, {"graph": tf.get_default_graph()}):
    try:
        with tf.Session() as sess:
            tf.summary.initialize(session=sess, **kwargs)
    except RuntimeError as e:
        out.setdefault("errors", []).append(str(e))
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_matches_tf():
    assert tfrun.run_here_json(_PROGRAM) == tfrun.run_tf_json(_PROGRAM)

"""`tf.summary.experimental` under TF2 (re-exports only)."""

from tfgraph.ops.summary_v2_ops import get_step, set_step, summary_scope

"""`tf.train`: training utilities — optimizers, savers, checkpoints, device setters
(re-exports only)."""

from tfgraph.summary_writer import summary_iterator  # noqa: F401

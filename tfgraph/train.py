"""`tf.train`: training utilities — optimizers, savers, checkpoints, device setters
(re-exports only)."""

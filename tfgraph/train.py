"""`tf.train`: training utilities — optimizers, savers, checkpoints, device setters
(re-exports only)."""


def __getattr__(name):
    if name in ("SaverDef", "CheckpointState"):
        from tfgraph import proto

        return getattr(proto, name)
    raise AttributeError(f"module 'tfgraph.train' has no attribute {name!r}")

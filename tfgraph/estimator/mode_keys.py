"""`tf.estimator.ModeKeys`: the three modes a `model_fn` is called in."""

from __future__ import annotations

__all__ = ["ModeKeys"]


class ModeKeys:
    """The mode strings TF 1.15 passes to a `model_fn`."""

    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"

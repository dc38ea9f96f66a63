"""`tf.keras.constraints`: projections applied to a weight after each optimizer step
(MaxNorm, MinMaxNorm, NonNeg, UnitNorm), as Keras 2 defines them."""

from __future__ import annotations

from tfgraph.keras import backend
from tfgraph.ops import array_ops, math_ops

__all__ = [
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "get",
    "max_norm",
    "min_max_norm",
    "non_neg",
    "unit_norm",
]


def _norms(w, axis):
    return math_ops.sqrt(math_ops.reduce_sum(math_ops.square(w), axis=axis, keepdims=True))


class Constraint:
    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        return {}


class MaxNorm(Constraint):
    """Scales the slices along `axis` whose norm exceeds `max_value` down to it."""

    def __init__(self, max_value=2, axis=0) -> None:
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = math_ops.clip_by_value(norms, 0, self.max_value)
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves the slices' norms toward [min_value, max_value] by `rate`."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0) -> None:
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = (
            self.rate * math_ops.clip_by_value(norms, self.min_value, self.max_value)
            + (1 - self.rate) * norms
        )
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


class NonNeg(Constraint):
    """Zeroes the negative entries."""

    def __call__(self, w):
        return w * array_ops.cast(math_ops.greater_equal(w, 0.0), w.dtype.base_dtype)


class UnitNorm(Constraint):
    """Scales the slices along `axis` to norm 1."""

    def __init__(self, axis=0) -> None:
        self.axis = axis

    def __call__(self, w):
        return w / (backend.epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm


def get(identifier):
    """A constraint from its name, a config dict, or itself."""
    if identifier is None:
        return None
    classes = {
        "MaxNorm": MaxNorm,
        "MinMaxNorm": MinMaxNorm,
        "NonNeg": NonNeg,
        "UnitNorm": UnitNorm,
        "max_norm": MaxNorm,
        "min_max_norm": MinMaxNorm,
        "non_neg": NonNeg,
        "unit_norm": UnitNorm,
    }
    if isinstance(identifier, str):
        if identifier not in classes:
            raise ValueError(f"Unknown constraint: '{identifier}'.")
        return classes[identifier]()
    if isinstance(identifier, dict):
        return classes[identifier["class_name"]](**identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier}")

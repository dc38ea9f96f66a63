"""`tf.keras.constraints`: projections applied to a weight after each optimizer step
(MaxNorm, MinMaxNorm, NonNeg, UnitNorm, RadialConstraint), with `serialize` and
`deserialize`, as Keras 2 defines them."""

from __future__ import annotations

from tfgraph.keras import backend
from tfgraph.ops import array_ops, math_ops

__all__ = [
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "RadialConstraint",
    "UnitNorm",
    "deserialize",
    "get",
    "max_norm",
    "min_max_norm",
    "non_neg",
    "radial_constraint",
    "serialize",
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


class RadialConstraint(Constraint):
    """Makes each (height, width) slice of a 4-D convolution kernel radially symmetric:
    every square ring around the centre takes one diagonal entry of the slice, as Keras
    2's loop picks them (centre ring `[c-1, c-1]`, then `[c+d-1, c+d-1]` for odd sizes
    and `[c+d, c+d]` for even ones, c = size // 2).

    Raises:
        ValueError: for a weight that is not of rank 4.
        InvalidArgumentError: for a kernel that is not square or is 1x1 (TF fails there).
    """

    def __call__(self, w):
        import numpy as np

        shape = w.shape
        if shape.ndims is None or shape.ndims != 4:
            raise ValueError(
                f"The weight tensor must have rank 4. Received weight tensor with shape: {shape}"
            )
        height, width = shape.as_list()[:2]
        if height is None or width is None:
            raise NotImplementedError(
                "tfgraph's RadialConstraint needs the kernel's height and width statically"
            )
        if height != width or height < 2:
            from tfgraph.errors import InvalidArgumentError

            raise InvalidArgumentError(
                None, None,
                f"RadialConstraint needs a square kernel of size 2 or more; got {height}x{width}",
            )  # fmt: skip
        half = height // 2
        ring = np.maximum.outer(*[_ring_distance(height)] * 2)
        if height % 2:
            source = half - 1 + ring
        else:
            source = np.where(ring == 0, half - 1, half + ring)
        indices = np.stack([source, source], axis=-1).astype(np.int32)
        return array_ops.gather_nd(w, indices)


def _ring_distance(size: int):
    """How many rings from the centre each of `size` positions is (the central one or
    two positions are ring 0)."""
    import numpy as np

    half = size // 2
    positions = np.arange(size)
    if size % 2:
        return np.abs(positions - half)
    return np.where(positions < half, half - 1 - positions, positions - half)


max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
radial_constraint = RadialConstraint
unit_norm = UnitNorm

_BY_NAME = {
    "Constraint": Constraint,
    "MaxNorm": MaxNorm,
    "MinMaxNorm": MinMaxNorm,
    "NonNeg": NonNeg,
    "RadialConstraint": RadialConstraint,
    "UnitNorm": UnitNorm,
    "max_norm": MaxNorm,
    "min_max_norm": MinMaxNorm,
    "non_neg": NonNeg,
    "radial_constraint": RadialConstraint,
    "unit_norm": UnitNorm,
}


def serialize(constraint, use_legacy_format=False) -> dict:
    """`{"class_name": ..., "config": get_config()}` of a constraint."""
    return {"class_name": type(constraint).__name__, "config": constraint.get_config()}


def deserialize(config, custom_objects=None, use_legacy_format=False):
    """The constraint a `serialize` dict or a name ('max_norm', 'NonNeg') describes.

    Raises:
        ValueError: if the name is unknown.
    """
    from tfgraph.keras.saving.serialization import deserialize_keras_object

    return deserialize_keras_object(config, _BY_NAME, custom_objects, "constraint")


def get(identifier):
    """A constraint from its name, a config dict, or itself."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier}")

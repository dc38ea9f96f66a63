"""`tf.keras.regularizers`: L1, L2 and L1L2 penalties (Keras 2, strengths kept as
float32 values), `get`, `serialize` and `deserialize`."""

from __future__ import annotations

from tfgraph.ops import array_ops, math_ops

__all__ = [
    "L1",
    "L1L2",
    "L2",
    "Regularizer",
    "deserialize",
    "get",
    "l1",
    "l1_l2",
    "l2",
    "serialize",
]


def _floatx(value) -> float:
    """A strength as Keras keeps it: rounded to float32."""
    import numpy as np

    return float(np.float32(value))


class Regularizer:
    """A callable from a weight to a scalar penalty."""

    def __call__(self, x):
        return 0.0

    def get_config(self) -> dict:
        return {}


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x^2)`, starting from a constant 0."""

    def __init__(self, l1=0.0, l2=0.0) -> None:
        self.l1 = _floatx(l1)
        self.l2 = _floatx(l2)

    def __call__(self, x):
        regularization = array_ops.constant(0.0, dtype=x.dtype.base_dtype)
        if self.l1:
            regularization += self.l1 * math_ops.reduce_sum(math_ops.abs(x))
        if self.l2:
            regularization += self.l2 * math_ops.reduce_sum(math_ops.square(x))
        return regularization

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """`l1 * sum(|x|)` (l1 = 0.01 by default)."""

    def __init__(self, l1=0.01, **kwargs) -> None:
        self.l1 = _floatx(kwargs.pop("l", l1))

    def __call__(self, x):
        return self.l1 * math_ops.reduce_sum(math_ops.abs(x))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """`l2 * sum(x^2)` (l2 = 0.01 by default)."""

    def __init__(self, l2=0.01, **kwargs) -> None:
        self.l2 = _floatx(kwargs.pop("l", l2))

    def __call__(self, x):
        return self.l2 * math_ops.reduce_sum(math_ops.square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


l1 = L1
l2 = L2


def l1_l2(l1=0.01, l2=0.01) -> L1L2:
    return L1L2(l1=l1, l2=l2)


_BY_NAME = {"L1": L1, "L2": L2, "L1L2": L1L2, "Regularizer": Regularizer, "l1": L1, "l2": L2}


def serialize(regularizer, use_legacy_format=False) -> dict:
    """`{"class_name": ..., "config": get_config()}` of a regularizer."""
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}


def deserialize(config, custom_objects=None, use_legacy_format=False):
    """The regularizer a `serialize` dict or a name ('l1', 'l2', 'l1_l2') describes
    ('l1_l2' is both strengths at 0.01).

    Raises:
        ValueError: if the name is unknown.
    """
    from tfgraph.keras.saving.serialization import deserialize_keras_object

    if config == "l1_l2":
        return L1L2(l1=0.01, l2=0.01)
    return deserialize_keras_object(config, _BY_NAME, custom_objects, "regularizer")


def get(identifier):
    """A regularizer from 'l1', 'l2', 'l1_l2', a config dict, or itself."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")

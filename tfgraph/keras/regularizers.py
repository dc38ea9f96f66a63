"""`tf.keras.regularizers`: L1, L2 and L1L2 penalties (Keras 2), and `get`."""

from __future__ import annotations

from tfgraph.ops import array_ops, math_ops

__all__ = ["L1", "L1L2", "L2", "Regularizer", "get", "l1", "l1_l2", "l2"]


class Regularizer:
    """A callable from a weight to a scalar penalty."""

    def __call__(self, x):
        return 0.0

    def get_config(self) -> dict:
        return {}


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x^2)`, starting from a constant 0."""

    def __init__(self, l1=0.0, l2=0.0) -> None:
        self.l1 = float(l1)
        self.l2 = float(l2)

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
        self.l1 = float(kwargs.pop("l", l1))

    def __call__(self, x):
        return self.l1 * math_ops.reduce_sum(math_ops.abs(x))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """`l2 * sum(x^2)` (l2 = 0.01 by default)."""

    def __init__(self, l2=0.01, **kwargs) -> None:
        self.l2 = float(kwargs.pop("l", l2))

    def __call__(self, x):
        return self.l2 * math_ops.reduce_sum(math_ops.square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


l1 = L1
l2 = L2


def l1_l2(l1=0.01, l2=0.01) -> L1L2:
    return L1L2(l1=l1, l2=l2)


def get(identifier):
    """A regularizer from 'l1', 'l2', 'l1_l2', a config dict, or itself."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        makers = {"l1": L1, "l2": L2, "l1_l2": l1_l2, "L1": L1, "L2": L2, "L1L2": L1L2}
        if identifier not in makers:
            raise ValueError(
                f"Unknown regularizer: '{identifier}'. Please ensure you are using "
                "a `keras.utils.custom_object_scope` and that this object is "
                "included in the scope."
            )
        return makers[identifier]()
    if isinstance(identifier, dict):
        classes = {"L1": L1, "L2": L2, "L1L2": L1L2}
        return classes[identifier["class_name"]](**identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")

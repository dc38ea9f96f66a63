"""`tf.keras.activations`: Keras 2's activation functions on TF ops, `get`, `serialize`
and `deserialize`."""

from __future__ import annotations

from tfgraph.keras.engine import keras_tensor
from tfgraph.ops import array_ops, math_ops, nn_ops

__all__ = [
    "deserialize",
    "elu",
    "exponential",
    "gelu",
    "get",
    "hard_sigmoid",
    "linear",
    "mish",
    "relu",
    "selu",
    "serialize",
    "sigmoid",
    "softmax",
    "softplus",
    "softsign",
    "swish",
    "tanh",
]


def softmax(x, axis=-1):
    """Softmax over `axis` (the last by default); rank-1 inputs are refused as in Keras."""
    if x.shape.ndims is not None and x.shape.ndims <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    out = nn_ops.softmax(x, axis=axis)
    keras_tensor.set_logits(out, x)  # what the losses use instead of the probabilities
    return out


def elu(x, alpha=1.0):
    res = nn_ops.elu(x)
    if alpha == 1:
        return res
    return array_ops.where(x > 0, res, alpha * res)


def selu(x):
    return nn_ops.selu(x)


def softplus(x):
    return nn_ops.softplus(x)


def softsign(x):
    return nn_ops.softsign(x)


def swish(x):
    return x * math_ops.sigmoid(x)


def gelu(x, approximate=False):
    """Gaussian error linear unit: x * P(X <= x), X ~ N(0, 1) (TF's tanh form when
    `approximate`)."""
    from tfgraph.ops import array_ops, special_math_ops

    if approximate:
        coeff = array_ops.cast(0.044715, x.dtype)
        inner = 0.7978845608028654 * (x + coeff * math_ops.pow(x, 3))
        return 0.5 * x * (1.0 + math_ops.tanh(inner))
    return 0.5 * x * special_math_ops.erfc(-x * array_ops.cast(0.7071067811865476, x.dtype))


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit; `alpha`, `max_value` and `threshold` as Keras 2."""
    if alpha == 0.0 and max_value is None and threshold == 0.0:
        return nn_ops.relu(x)
    negative = nn_ops.relu(-x + threshold) if alpha != 0.0 else None
    if threshold != 0.0:
        x = x * array_ops.cast(math_ops.greater(x, threshold), x.dtype)
    elif max_value == 6.0:
        x = nn_ops.relu6(x)
        max_value = None
    else:
        x = nn_ops.relu(x)
    if max_value is not None:
        zero = array_ops.constant(0.0, x.dtype)
        x = math_ops.clip_by_value(x, zero, array_ops.constant(max_value, x.dtype))
    if negative is not None:
        x = x - alpha * negative
    return x


def mish(x):
    """`x * tanh(softplus(x))` (Misra 2019)."""
    return x * math_ops.tanh(nn_ops.softplus(x))


def tanh(x):
    return math_ops.tanh(x)


def sigmoid(x):
    out = math_ops.sigmoid(x)
    keras_tensor.set_logits(out, x)
    return out


def exponential(x):
    return math_ops.exp(x)


def hard_sigmoid(x):
    return math_ops.clip_by_value(x * 0.2 + 0.5, 0.0, 1.0)


def linear(x):
    return x


_BY_NAME = {
    "softmax": softmax,
    "elu": elu,
    "selu": selu,
    "softplus": softplus,
    "softsign": softsign,
    "swish": swish,
    "gelu": gelu,
    "relu": relu,
    "tanh": tanh,
    "sigmoid": sigmoid,
    "exponential": exponential,
    "hard_sigmoid": hard_sigmoid,
    "linear": linear,
    "mish": mish,
}


def get(identifier):
    """The activation function named `identifier`; None is linear."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        from tfgraph.keras.saving import object_registration

        fn = _BY_NAME.get(identifier) or object_registration.get_registered_object(identifier)
        if fn is None:
            raise ValueError(
                f"Unknown activation function: '{identifier}'. Please ensure you "
                "are using a `keras.utils.custom_object_scope` and that this "
                "object is included in the scope."
            )
        return fn
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret activation function identifier: {identifier}")


def serialize(activation) -> str:
    return getattr(activation, "__name__", str(activation))


def deserialize(name, custom_objects=None, use_legacy_format=False):
    """The activation function named `name` ('relu'), or the advanced activation layer
    a class name or `serialize`d layer dict describes ('LeakyReLU').

    Raises:
        ValueError: if the name is unknown.
    """
    from tfgraph.keras import layers
    from tfgraph.keras.saving.serialization import deserialize_keras_object

    objects = dict(_BY_NAME)
    for cls in ("ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax", "ThresholdedReLU"):
        objects[cls] = getattr(layers, cls)
    return deserialize_keras_object(name, objects, custom_objects, "activation function")

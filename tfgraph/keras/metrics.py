"""`tf.keras.metrics`: Keras 2's per-sample metric functions (accuracies, the loss
functions) and `get`, which `Model.compile(metrics=[...])` resolves names with."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.keras import backend, losses
from tfgraph.ops import array_ops, math_ops, nn_ops

__all__ = [
    "MAE",
    "MSE",
    "binary_accuracy",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "cosine",
    "cosine_proximity",
    "get",
    "hinge",
    "kl_divergence",
    "kld",
    "kullback_leibler_divergence",
    "log_cosh",
    "logcosh",
    "mae",
    "mape",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "mse",
    "msle",
    "poisson",
    "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy",
    "sparse_top_k_categorical_accuracy",
    "squared_hinge",
    "top_k_categorical_accuracy",
]

binary_crossentropy = losses.binary_crossentropy
categorical_crossentropy = losses.categorical_crossentropy
sparse_categorical_crossentropy = losses.sparse_categorical_crossentropy
mean_squared_error = mse = MSE = losses.mean_squared_error
mean_absolute_error = mae = MAE = losses.mean_absolute_error
mean_absolute_percentage_error = mape = losses.mean_absolute_percentage_error
mean_squared_logarithmic_error = msle = losses.mean_squared_logarithmic_error
binary_focal_crossentropy = losses.binary_focal_crossentropy
categorical_focal_crossentropy = losses.categorical_focal_crossentropy
hinge = losses.hinge
squared_hinge = losses.squared_hinge
kl_divergence = kld = kullback_leibler_divergence = losses.kl_divergence
log_cosh = logcosh = losses.log_cosh
poisson = losses.poisson
cosine = cosine_proximity = losses.cosine_similarity


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """The fraction of the last axis where `y_pred > threshold` equals `y_true`."""
    y_pred = convert_to_tensor(y_pred)
    y_true = array_ops.cast(y_true, y_pred.dtype.base_dtype)
    pred = array_ops.cast(y_pred > threshold, y_pred.dtype.base_dtype)
    return math_ops.reduce_mean(
        array_ops.cast(math_ops.equal(y_true, pred), backend.floatx()), axis=-1
    )


def categorical_accuracy(y_true, y_pred):
    """1 where the argmax of `y_pred` is the argmax of the one-hot `y_true`, else 0."""
    return array_ops.cast(
        math_ops.equal(math_ops.argmax(y_true, -1), math_ops.argmax(y_pred, -1)),
        backend.floatx(),
    )


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where the argmax of `y_pred` is the label (labels [n, ..., 1] are squeezed)."""
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if y_true.shape.ndims is not None and y_true.shape.ndims == y_pred.shape.ndims:
        y_true = array_ops.squeeze(y_true, [-1])
    pred = math_ops.argmax(y_pred, -1)
    if pred.dtype.base_dtype != y_true.dtype.base_dtype:
        pred = array_ops.cast(pred, y_true.dtype.base_dtype)
    return array_ops.cast(math_ops.equal(y_true, pred), backend.floatx())


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the one-hot label is among the `k` largest predictions."""
    labels = math_ops.argmax(y_true, -1)
    return sparse_top_k_categorical_accuracy(labels, y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the label is among the `k` largest predictions."""
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if y_true.shape.ndims is not None and y_true.shape.ndims == y_pred.shape.ndims:
        y_true = array_ops.squeeze(y_true, [-1])
    return array_ops.cast(
        nn_ops.in_top_k(y_pred, array_ops.cast(y_true, dtypes.int32), k), backend.floatx()
    )


_BY_NAME = {
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
}


def get(identifier):
    """A metric function from its name (an accuracy or a loss name) or itself."""
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier)
        if fn is not None:
            return fn
        try:
            return losses.get(identifier)
        except ValueError:
            raise ValueError(
                f"Unknown metric function: '{identifier}'. Please ensure you are "
                "using a `keras.utils.custom_object_scope` and that this object "
                "is included in the scope."
            ) from None
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier}")

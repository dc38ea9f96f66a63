"""`tf.keras.metrics`: Keras 2's per-sample metric functions (accuracies, the loss
functions), the stateful metric classes (`tfgraph.keras.metric_classes`,
`tfgraph.keras.metric_confusion`), `serialize`/`deserialize`, and `get`, which
`Model.compile(metrics=[...])` resolves names with."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.keras import backend, losses
from tfgraph.keras.metric_classes import (
    Accuracy,
    BinaryAccuracy,
    BinaryCrossentropy,
    CategoricalAccuracy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    KLDivergence,
    LogCoshError,
    Mean,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanMetricWrapper,
    MeanRelativeError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    MeanTensor,
    Metric,
    Poisson,
    RootMeanSquaredError,
    SparseCategoricalAccuracy,
    SparseCategoricalCrossentropy,
    SparseTopKCategoricalAccuracy,
    SquaredHinge,
    Sum,
    TopKCategoricalAccuracy,
)
from tfgraph.keras.metric_confusion import (
    AUC,
    BinaryIoU,
    FalseNegatives,
    FalsePositives,
    IoU,
    MeanIoU,
    OneHotIoU,
    OneHotMeanIoU,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from tfgraph.keras.metric_scores import F1Score, FBetaScore, R2Score
from tfgraph.ops import array_ops, math_ops, nn_ops

__all__ = [
    "AUC",
    "KLD",
    "MAE",
    "MAPE",
    "MSE",
    "MSLE",
    "Accuracy",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "BinaryIoU",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "CosineSimilarity",
    "F1Score",
    "FBetaScore",
    "FalseNegatives",
    "FalsePositives",
    "Hinge",
    "IoU",
    "KLDivergence",
    "LogCoshError",
    "Mean",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanIoU",
    "MeanMetricWrapper",
    "MeanRelativeError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "MeanTensor",
    "Metric",
    "OneHotIoU",
    "OneHotMeanIoU",
    "Poisson",
    "Precision",
    "PrecisionAtRecall",
    "R2Score",
    "Recall",
    "RecallAtPrecision",
    "RootMeanSquaredError",
    "SensitivityAtSpecificity",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SpecificityAtSensitivity",
    "SquaredHinge",
    "Sum",
    "TopKCategoricalAccuracy",
    "TrueNegatives",
    "TruePositives",
    "binary_accuracy",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "cosine",
    "cosine_proximity",
    "deserialize",
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
    "serialize",
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
mean_absolute_percentage_error = mape = MAPE = losses.mean_absolute_percentage_error
mean_squared_logarithmic_error = msle = MSLE = losses.mean_squared_logarithmic_error
binary_focal_crossentropy = losses.binary_focal_crossentropy
categorical_focal_crossentropy = losses.categorical_focal_crossentropy
hinge = losses.hinge
squared_hinge = losses.squared_hinge
kl_divergence = kld = KLD = kullback_leibler_divergence = losses.kl_divergence
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


def _unknown(name):
    return ValueError(
        f"Unknown metric function: '{name}'. Please ensure you are using a "
        "`keras.utils.custom_object_scope` and that this object is included in the scope."
    )


def _metric_class(name: str, custom_objects=None):
    found = (custom_objects or {}).get(name)
    if found is None and name in __all__ and name[:1].isupper():
        found = globals()[name]
    return found if isinstance(found, type) and issubclass(found, Metric) else None


def serialize(metric, use_legacy_format=False):
    """A metric as config: {"class_name", "config"} for a `Metric`, the name of a
    metric function."""
    if metric is None:
        return None
    if isinstance(metric, Metric):
        config = dict(metric.get_config())
        if "fn" in config and callable(config["fn"]):
            config["fn"] = config["fn"].__name__
        return {"class_name": type(metric).__name__, "config": config}
    if callable(metric) and hasattr(metric, "__name__"):
        return metric.__name__
    raise ValueError(f"Cannot serialize {metric!r}: it is not a metric.")


def deserialize(config, custom_objects=None, use_legacy_format=False):
    """A metric from `serialize`'s config: a `Metric` from {"class_name", "config"} or
    a class name, a metric function from its name."""
    if isinstance(config, dict):
        name = config.get("class_name")
        cls = _metric_class(name, custom_objects)
        if cls is None:
            raise _unknown(name)
        return cls.from_config(dict(config.get("config", {})))
    if isinstance(config, str):
        found = (custom_objects or {}).get(config)
        if found is not None and not isinstance(found, type):
            return found
        cls = _metric_class(config, custom_objects)
        if cls is not None:
            return cls()
        return get(config)
    if callable(config):
        return config
    raise ValueError(f"Could not interpret metric identifier: {config}")


def get(identifier):
    """A metric function from its name (an accuracy or a loss name), a `Metric` from a
    class name or a config dict, or `identifier` itself."""
    if isinstance(identifier, dict) or (
        isinstance(identifier, str) and _metric_class(identifier) is not None
    ):
        return deserialize(identifier)
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

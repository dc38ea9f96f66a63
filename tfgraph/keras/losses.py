"""`tf.keras.losses` as Keras 2 computes them: the per-sample functions
(`categorical_crossentropy`, `mean_squared_error`, ...) and the loss classes reducing
them (by default the sum over the batch divided by its number of elements).

As in Keras, a probability output made by a softmax (sigmoid) op or activation is
replaced by its logits, so the cross-entropy is computed from logits."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.keras import backend
from tfgraph.keras.engine import keras_tensor
from tfgraph.ops import array_ops, math_ops, nn_ops

__all__ = [
    "MAE",
    "MSE",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "Reduction",
    "SparseCategoricalCrossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "get",
    "mae",
    "mean_absolute_error",
    "mean_squared_error",
    "mse",
    "sparse_categorical_crossentropy",
]


class Reduction:
    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls) -> tuple:
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key) -> None:
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


def _get_logits(output, from_logits: bool, op_type: str):
    logits = keras_tensor.logits(output)
    if logits is not None:
        return logits, True
    if getattr(output, "op", None) is not None and output.op.type == op_type:
        return output.op.inputs[0], True
    return output, from_logits


def _epsilon(dtype):
    return array_ops.constant(backend.epsilon(), dtype)


def _mean(x, axis=-1):
    return math_ops.reduce_mean(x, axis=axis)


def backend_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target = convert_to_tensor(target)
    output = convert_to_tensor(output)
    target.shape.assert_is_compatible_with(output.shape)
    output, from_logits = _get_logits(output, from_logits, "Softmax")
    if from_logits:
        return nn_ops.softmax_cross_entropy_with_logits_v2(labels=target, logits=output, axis=axis)
    output = output / math_ops.reduce_sum(output, axis, True)
    eps = _epsilon(output.dtype.base_dtype)
    output = math_ops.clip_by_value(output, eps, 1.0 - eps)
    return -math_ops.reduce_sum(target * math_ops.log(output), axis)


def backend_sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target = convert_to_tensor(target)
    output = convert_to_tensor(output)
    output, from_logits = _get_logits(output, from_logits, "Softmax")
    if not from_logits:
        eps = _epsilon(output.dtype.base_dtype)
        output = math_ops.log(math_ops.clip_by_value(output, eps, 1 - eps))
    output_rank = output.shape.ndims
    if output_rank is not None:
        axis %= output_rank
        if axis != output_rank - 1:
            perm = [*range(axis), *range(axis + 1, output_rank), axis]
            output = array_ops.transpose(output, perm=perm)
    target = array_ops.cast(target, dtypes.int64)
    output_shape = array_ops.shape(output)
    target_rank = target.shape.ndims
    update_shape = (
        target_rank is not None
        and output_rank is not None
        and (target_rank != output_rank - 1 or output_rank >= 3)
    )
    if update_shape:
        target = array_ops.reshape(target, [-1])
        output = array_ops.reshape(output, [-1, output_shape[-1]])
    res = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)
    if update_shape and output_rank >= 3:
        res = array_ops.reshape(res, output_shape[:-1])
    return res


def backend_binary_crossentropy(target, output, from_logits=False):
    target = convert_to_tensor(target)
    output = convert_to_tensor(output)
    output, from_logits = _get_logits(output, from_logits, "Sigmoid")
    if from_logits:
        return nn_ops.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = _epsilon(output.dtype.base_dtype)
    output = math_ops.clip_by_value(output, eps, 1.0 - eps)
    bce = target * math_ops.log(output + backend.epsilon())
    bce += (1 - target) * math_ops.log(1 - output + backend.epsilon())
    return -bce


def _prepare(y_true, y_pred):
    y_pred = convert_to_tensor(y_pred)
    y_true = array_ops.cast(y_true, y_pred.dtype)
    return y_true, y_pred


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample cross-entropy of one-hot `y_true` and probabilities (or logits)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    if label_smoothing:
        num_classes = array_ops.cast(array_ops.shape(y_true)[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)
    return backend_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """Per-sample cross-entropy of integer labels `y_true` and probabilities (or logits)."""
    return backend_sparse_categorical_crossentropy(y_true, y_pred, from_logits, axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample binary cross-entropy, averaged over `axis`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return _mean(backend_binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis)


def mean_squared_error(y_true, y_pred):
    """mean((y_pred - y_true)^2) over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return _mean(math_ops.squared_difference(y_pred, y_true), -1)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_pred - y_true|) over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return _mean(math_ops.abs(y_pred - y_true), -1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


def _squeeze_or_expand(y_pred, y_true):
    """Ranks made equal as Keras does when they differ by one (a trailing 1 dropped)."""
    pred_rank, true_rank = y_pred.shape.ndims, y_true.shape.ndims
    if pred_rank is None or true_rank is None:
        return y_pred, y_true
    if pred_rank - true_rank == 1 and y_pred.shape.as_list()[-1] in (1, None):
        y_pred = array_ops.squeeze(y_pred, [-1])
    elif true_rank - pred_rank == 1 and y_true.shape.as_list()[-1] in (1, None):
        y_true = array_ops.squeeze(y_true, [-1])
    return y_pred, y_true


def compute_weighted_loss(losses, sample_weight=None, reduction=Reduction.SUM_OVER_BATCH_SIZE):
    """Weights per-sample `losses` and reduces them (`Reduction`)."""
    if reduction == Reduction.AUTO:
        reduction = Reduction.SUM_OVER_BATCH_SIZE
    losses = convert_to_tensor(losses)
    if sample_weight is not None:
        sample_weight = array_ops.cast(convert_to_tensor(sample_weight), losses.dtype)
        if sample_weight.shape.ndims is not None and losses.shape.ndims is not None:
            while sample_weight.shape.ndims > losses.shape.ndims:
                sample_weight = array_ops.squeeze(sample_weight, [-1])
        losses = math_ops.multiply(losses, sample_weight)
    if reduction == Reduction.NONE:
        return losses
    total = math_ops.reduce_sum(losses)
    if reduction == Reduction.SUM:
        return total
    count = array_ops.cast(array_ops.size(losses), losses.dtype)
    return math_ops.div_no_nan(total, count)


class Loss:
    """A loss: `loss(y_true, y_pred, sample_weight=None)` reduces `call`'s per-sample
    values."""

    def __init__(self, reduction=Reduction.AUTO, name=None) -> None:
        Reduction.validate(reduction)
        self.reduction = reduction
        self.name = name

    def call(self, y_true, y_pred):
        raise NotImplementedError("Must be implemented in subclasses.")

    def __call__(self, y_true, y_pred, sample_weight=None):
        g = get_default_graph()
        with g.name_scope(self.name or type(self).__name__):
            losses = self.call(y_true, y_pred)
            return compute_weighted_loss(losses, sample_weight, self.reduction)

    def get_config(self) -> dict:
        return {"reduction": self.reduction, "name": self.name}


class LossFunctionWrapper(Loss):
    def __init__(self, fn, reduction=Reduction.AUTO, name=None, **kwargs) -> None:
        super().__init__(reduction=reduction, name=name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_pred = convert_to_tensor(y_pred)
        y_true = convert_to_tensor(y_true)
        y_pred, y_true = _squeeze_or_expand(y_pred, y_true)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        """Keras 2's config: reduction and name, the wrapped function's arguments
        (`from_logits`, ...) and its name as `fn`."""
        return {**super().get_config(), **self._fn_kwargs, "fn": self.fn.__name__}

    @classmethod
    def from_config(cls, config: dict):
        """The loss `get_config` describes (`fn` names the function a subclass wraps)."""
        config = dict(config)
        if cls is LossFunctionWrapper:
            config["fn"] = get(config["fn"])
        else:
            config.pop("fn", None)
        return cls(**config)


class CategoricalCrossentropy(LossFunctionWrapper):
    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction=Reduction.AUTO,
        name="categorical_crossentropy",
    ) -> None:
        super().__init__(
            categorical_crossentropy,
            reduction=reduction,
            name=name,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    def __init__(
        self, from_logits=False, reduction=Reduction.AUTO, name="sparse_categorical_crossentropy"
    ) -> None:
        super().__init__(
            sparse_categorical_crossentropy, reduction=reduction, name=name, from_logits=from_logits
        )

    def call(self, y_true, y_pred):  # labels keep their rank: no squeezing
        return self.fn(y_true, y_pred, **self._fn_kwargs)


class BinaryCrossentropy(LossFunctionWrapper):
    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction=Reduction.AUTO,
        name="binary_crossentropy",
    ) -> None:
        super().__init__(
            binary_crossentropy,
            reduction=reduction,
            name=name,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class MeanSquaredError(LossFunctionWrapper):
    def __init__(self, reduction=Reduction.AUTO, name="mean_squared_error") -> None:
        super().__init__(mean_squared_error, reduction=reduction, name=name)


class MeanAbsoluteError(LossFunctionWrapper):
    def __init__(self, reduction=Reduction.AUTO, name="mean_absolute_error") -> None:
        super().__init__(mean_absolute_error, reduction=reduction, name=name)


_BY_NAME = {
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy,
    "mean_squared_error": mean_squared_error,
    "mse": mean_squared_error,
    "MSE": mean_squared_error,
    "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error,
    "MAE": mean_absolute_error,
}


def get(identifier):
    """A loss function from its name, or the callable itself."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier)
        if fn is None:
            raise ValueError(
                f"Unknown loss function: '{identifier}'. Please ensure you are "
                "using a `keras.utils.custom_object_scope` and that this object "
                "is included in the scope."
            )
        return fn
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss function identifier: {identifier}")

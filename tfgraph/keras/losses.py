"""`tf.keras.losses` as Keras 2 computes them: the per-sample functions
(`categorical_crossentropy`, `mean_squared_error`, ...) and the loss classes reducing
them (by default the sum over the batch divided by its number of elements).

As in Keras, a probability output made by a softmax (sigmoid) op or activation is
replaced by its logits, so the cross-entropy is computed from logits."""

from __future__ import annotations

import contextlib
import threading
import warnings

from tfgraph.framework import api_utils, dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.keras import backend
from tfgraph.keras.engine import keras_tensor
from tfgraph.keras.saving.serialization import (
    deserialize_keras_object,
    from_keras_format,
    serialize_keras_object,
)
from tfgraph.ops import array_ops, math_ops, nn_ops

__all__ = [
    "KLD",
    "MAE",
    "MAPE",
    "MSE",
    "MSLE",
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "CategoricalHinge",
    "CosineSimilarity",
    "Hinge",
    "Huber",
    "KLDivergence",
    "LogCosh",
    "Loss",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "Reduction",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "cosine",
    "cosine_proximity",
    "cosine_similarity",
    "deserialize",
    "get",
    "hinge",
    "huber",
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
    "sparse_categorical_crossentropy",
    "squared_hinge",
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


def backend_sparse_categorical_crossentropy(
    target, output, from_logits=False, axis=-1, ignore_class=None
):
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
    if ignore_class is not None:
        return _ignoring_class(target, output, output_shape, ignore_class)
    res = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)
    if update_shape and output_rank >= 3:
        res = array_ops.reshape(res, output_shape[:-1])
    return res


def _ignoring_class(target, output, output_shape, ignore_class):
    """Sparse cross-entropy that is 0 where the label is `ignore_class`; the losses carry
    the mask of valid labels (which `Loss` reduces over, as Keras 2 does)."""
    valid = math_ops.not_equal(target, array_ops.cast(ignore_class, target.dtype))
    safe = array_ops.where_v2(valid, target, array_ops.zeros_like(target))
    res = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=safe, logits=output)
    res = array_ops.where_v2(valid, res, array_ops.zeros_like(res))
    res_shape = output_shape[:-1]
    res = array_ops.reshape(res, res_shape)
    keras_tensor.set_mask(res, array_ops.reshape(valid, res_shape))
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


def backend_categorical_focal_crossentropy(
    target, output, alpha=0.25, gamma=2.0, from_logits=False, axis=-1
):
    """Per-sample focal cross-entropy: `alpha * (1 - p)^gamma * -target * log(p)` summed
    over `axis` (p the normalized, clipped probabilities)."""
    target = convert_to_tensor(target)
    output = convert_to_tensor(output)
    target.shape.assert_is_compatible_with(output.shape)
    output, from_logits = _get_logits(output, from_logits, "Softmax")
    if from_logits:
        output = nn_ops.softmax(output, axis=axis)
    output = output / math_ops.reduce_sum(output, axis, True)
    eps = _epsilon(output.dtype.base_dtype)
    output = math_ops.clip_by_value(output, eps, 1.0 - eps)
    cce = -target * math_ops.log(output)
    weighting = math_ops.multiply(math_ops.pow(1.0 - output, gamma), alpha)
    return math_ops.reduce_sum(math_ops.multiply(weighting, cce), axis)


def backend_binary_focal_crossentropy(
    target, output, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False
):
    """Per-element binary cross-entropy scaled by `(1 - p_t)^gamma` (and by `alpha` for
    positives, `1 - alpha` for negatives when `apply_class_balancing`)."""
    target = convert_to_tensor(target)
    output = convert_to_tensor(output)
    sigmoidal = math_ops.sigmoid(output) if from_logits else output
    p_t = target * sigmoidal + (1 - target) * (1 - sigmoidal)
    focal = math_ops.pow(1.0 - p_t, gamma)
    focal_bce = focal * backend_binary_crossentropy(target, output, from_logits=from_logits)
    if apply_class_balancing:
        focal_bce = (target * alpha + (1 - target) * (1 - alpha)) * focal_bce
    return focal_bce


def _check_axis(axis) -> None:
    if isinstance(axis, bool):
        raise ValueError(
            f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}"
        )


def _prepare(y_true, y_pred):
    y_pred = convert_to_tensor(y_pred)
    y_true = array_ops.cast(y_true, y_pred.dtype)
    return y_true, y_pred


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample cross-entropy of one-hot `y_true` and probabilities (or logits)."""
    _check_axis(axis)
    y_true, y_pred = _prepare(y_true, y_pred)
    if label_smoothing:
        num_classes = array_ops.cast(array_ops.shape(y_true)[axis], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)
    return backend_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1, ignore_class=None):
    """Per-sample cross-entropy of integer labels `y_true` and probabilities (or logits);
    labels equal to `ignore_class` give 0 and are left out of a `Loss`'s mean."""
    return backend_sparse_categorical_crossentropy(y_true, y_pred, from_logits, axis, ignore_class)


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


def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing=False,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """Per-sample binary focal cross-entropy, averaged over `axis`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    focal = backend_binary_focal_crossentropy(
        y_true, y_pred, apply_class_balancing, alpha, gamma, from_logits
    )
    return _mean(focal, axis)


def categorical_focal_crossentropy(
    y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1
):
    """Per-sample categorical focal cross-entropy of one-hot `y_true`."""
    _check_axis(axis)
    y_true, y_pred = _prepare(y_true, y_pred)
    if label_smoothing:
        num_classes = array_ops.cast(array_ops.shape(y_true)[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)
    return backend_categorical_focal_crossentropy(
        y_true, y_pred, alpha=alpha, gamma=gamma, from_logits=from_logits, axis=axis
    )


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|y_true - y_pred| / max(|y_true|, epsilon)) over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    denom = math_ops.maximum(math_ops.abs(y_true), _epsilon(y_pred.dtype.base_dtype))
    return 100.0 * _mean(math_ops.abs((y_true - y_pred) / denom), -1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2) over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    eps = _epsilon(y_pred.dtype.base_dtype)
    first = math_ops.log(math_ops.maximum(y_pred, eps) + 1.0)
    second = math_ops.log(math_ops.maximum(y_true, eps) + 1.0)
    return _mean(math_ops.squared_difference(first, second), -1)


def _maybe_convert_labels(y_true):
    """Labels that are all 0 or 1 mapped to -1 and 1 (others kept)."""
    is_binary = math_ops.reduce_all(
        math_ops.logical_or(math_ops.equal(y_true, 0), math_ops.equal(y_true, 1))
    )
    return array_ops.where_v2(is_binary, 2.0 * y_true - 1.0, y_true)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)^2) over the last axis (0/1 labels become -1/1)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _maybe_convert_labels(y_true)
    return _mean(math_ops.square(math_ops.maximum(1.0 - y_true * y_pred, 0.0)), -1)


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)) over the last axis (0/1 labels become -1/1)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _maybe_convert_labels(y_true)
    return _mean(math_ops.maximum(1.0 - y_true * y_pred, 0.0), -1)


def categorical_hinge(y_true, y_pred):
    """max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0) per sample."""
    y_true, y_pred = _prepare(y_true, y_pred)
    pos = math_ops.reduce_sum(y_true * y_pred, axis=-1)
    neg = math_ops.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return math_ops.maximum(neg - pos + 1.0, array_ops.constant(0.0, y_pred.dtype))


def huber(y_true, y_pred, delta=1.0):
    """mean over the last axis of 0.5 * e^2 where |e| <= delta, else
    delta * |e| - 0.5 * delta^2 (e = y_pred - y_true, computed in floatx)."""
    floatx = backend.floatx()
    y_pred = array_ops.cast(y_pred, floatx)
    y_true = array_ops.cast(y_true, floatx)
    delta = array_ops.cast(delta, floatx)
    error = math_ops.subtract(y_pred, y_true)
    abs_error = math_ops.abs(error)
    half = convert_to_tensor(0.5, dtype=abs_error.dtype)
    quadratic = half * math_ops.square(error)
    linear = delta * abs_error - half * math_ops.square(delta)
    return _mean(array_ops.where_v2(abs_error <= delta, quadratic, linear), -1)


def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true))) over the last axis, computed stably as
    x + softplus(-2x) - log 2."""
    y_true, y_pred = _prepare(y_true, y_pred)
    x = y_pred - y_true
    log2 = array_ops.cast(math_ops.log(2.0), x.dtype)
    return _mean(x + nn_ops.softplus(-2.0 * x) - log2, -1)


def kl_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred)) over the last axis, both clipped to [eps, 1]."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = backend.clip(y_true, backend.epsilon(), 1)
    y_pred = backend.clip(y_pred, backend.epsilon(), 1)
    return math_ops.reduce_sum(y_true * math_ops.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + epsilon)) over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return _mean(y_pred - y_true * math_ops.log(y_pred + backend.epsilon()), -1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Minus the cosine of the angle between `y_true` and `y_pred` along `axis`."""
    y_true = nn_ops.l2_normalize(y_true, axis=axis)
    y_pred = nn_ops.l2_normalize(y_pred, axis=axis)
    return -math_ops.reduce_sum(y_true * y_pred, axis=axis)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
bce = BCE = binary_crossentropy
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
huber_loss = huber
cosine = cosine_proximity = cosine_similarity


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


def _match_weight_rank(sample_weight, losses):
    """`sample_weight` squeezed or expanded by one trailing axis to the rank of
    `losses`, as Keras 2 does (scalars and other ranks left alone)."""
    w_rank, l_rank = sample_weight.shape.ndims, losses.shape.ndims
    if w_rank is None or l_rank is None or w_rank == 0:
        return sample_weight
    if w_rank - l_rank == 1:
        return array_ops.squeeze(sample_weight, [-1])
    if l_rank - w_rank == 1:
        return array_ops.expand_dims(sample_weight, -1)
    return sample_weight


def compute_weighted_loss(losses, sample_weight=None, reduction=Reduction.SUM_OVER_BATCH_SIZE):
    """Weights per-sample `losses` and reduces them (`Reduction`), in Keras 2's
    `weighted_loss` scope (the mean is `weighted_loss/value`)."""
    if reduction == Reduction.AUTO:
        reduction = Reduction.SUM_OVER_BATCH_SIZE
    g = get_default_graph()
    with g.name_scope("weighted_loss"):
        losses = convert_to_tensor(losses)
        sample_weight = convert_to_tensor(1.0 if sample_weight is None else sample_weight)
        sample_weight = array_ops.cast(sample_weight, losses.dtype)
        sample_weight = _match_weight_rank(sample_weight, losses)
        weighted = math_ops.multiply(losses, sample_weight)
        if reduction == Reduction.NONE:
            return weighted
        total = math_ops.reduce_sum(weighted)
        if reduction == Reduction.SUM:
            return total
        with g.name_scope("num_elements") as scope:
            count = array_ops.cast(array_ops.size(weighted, name=scope), losses.dtype)
        return math_ops.div_no_nan(math_ops.reduce_sum(total), count, name="value")


_COMPILED = threading.local()


@contextlib.contextmanager
def compiled_loss_scope():
    """Inside, losses are reduced as `Model.compile` reduces them in Keras 2's graph
    mode: the mask of the per-sample losses (`ignore_class`) is not applied, so ignored
    entries count as zeros in the mean."""
    saved = getattr(_COMPILED, "value", False)
    _COMPILED.value = True
    try:
        yield
    finally:
        _COMPILED.value = saved


def _apply_valid_mask(losses, sample_weight, reduction):
    """Sample weights zero where the losses' mask is False; for a mean, the valid ones
    scaled so the mean is over the valid entries only."""
    mask = keras_tensor.mask(losses)
    if mask is None or getattr(_COMPILED, "value", False):
        return sample_weight
    mask = array_ops.cast(mask, losses.dtype)
    if reduction in (Reduction.AUTO, Reduction.SUM_OVER_BATCH_SIZE):
        total = array_ops.cast(array_ops.size(mask), losses.dtype)
        mask = mask * (total / math_ops.reduce_sum(mask))
    if sample_weight is None:
        return mask
    sample_weight = array_ops.cast(convert_to_tensor(sample_weight), losses.dtype)
    return _match_weight_rank(sample_weight, mask) * mask


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
        with g.name_scope(self._scope_name()):
            losses = self.call(y_true, y_pred)
            sample_weight = _apply_valid_mask(losses, sample_weight, self.reduction)
            return compute_weighted_loss(losses, sample_weight, self.reduction)

    def _scope_name(self) -> str:
        """Keras 2's name scope for the loss: its name (or class name) without leading
        and trailing underscores; a lambda's is `lambda`."""
        if self.name is None:
            return type(self).__name__.strip("_")
        if self.name == "<lambda>":
            return "lambda"
        return self.name.strip("_")

    def get_config(self) -> dict:
        return {"reduction": self.reduction, "name": self.name}


class LossFunctionWrapper(Loss):
    def __init__(self, fn, reduction=Reduction.AUTO, name=None, **kwargs) -> None:
        super().__init__(reduction=reduction, name=name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        """The wrapped function's per-sample losses (ranks made equal first when both
        arguments are tensors, as Keras 2 does)."""
        if api_utils.is_tensor(y_pred) and api_utils.is_tensor(y_true):
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
        self,
        from_logits=False,
        ignore_class=None,
        reduction=Reduction.AUTO,
        name="sparse_categorical_crossentropy",
    ) -> None:
        super().__init__(
            sparse_categorical_crossentropy,
            reduction=reduction,
            name=name,
            from_logits=from_logits,
            ignore_class=ignore_class,
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


class MeanAbsolutePercentageError(LossFunctionWrapper):
    def __init__(self, reduction=Reduction.AUTO, name="mean_absolute_percentage_error") -> None:
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    def __init__(self, reduction=Reduction.AUTO, name="mean_squared_logarithmic_error") -> None:
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name)


class BinaryFocalCrossentropy(LossFunctionWrapper):
    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction=Reduction.AUTO,
        name="binary_focal_crossentropy",
    ) -> None:
        super().__init__(
            binary_focal_crossentropy,
            reduction=reduction,
            name=name,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction=Reduction.AUTO,
        name="categorical_focal_crossentropy",
    ) -> None:
        super().__init__(
            categorical_focal_crossentropy,
            reduction=reduction,
            name=name,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.alpha = alpha
        self.gamma = gamma


class CosineSimilarity(LossFunctionWrapper):
    def __init__(self, axis=-1, reduction=Reduction.AUTO, name="cosine_similarity") -> None:
        super().__init__(cosine_similarity, reduction=reduction, name=name, axis=axis)


class Hinge(LossFunctionWrapper):
    def __init__(self, reduction=Reduction.AUTO, name="hinge") -> None:
        super().__init__(hinge, reduction=reduction, name=name)


class SquaredHinge(LossFunctionWrapper):
    def __init__(self, reduction=Reduction.AUTO, name="squared_hinge") -> None:
        super().__init__(squared_hinge, reduction=reduction, name=name)


class CategoricalHinge(LossFunctionWrapper):
    def __init__(self, reduction=Reduction.AUTO, name="categorical_hinge") -> None:
        super().__init__(categorical_hinge, reduction=reduction, name=name)


class Poisson(LossFunctionWrapper):
    def __init__(self, reduction=Reduction.AUTO, name="poisson") -> None:
        super().__init__(poisson, reduction=reduction, name=name)


class LogCosh(LossFunctionWrapper):
    def __init__(self, reduction=Reduction.AUTO, name="log_cosh") -> None:
        super().__init__(log_cosh, reduction=reduction, name=name)


class KLDivergence(LossFunctionWrapper):
    def __init__(self, reduction=Reduction.AUTO, name="kl_divergence") -> None:
        super().__init__(kl_divergence, reduction=reduction, name=name)


class Huber(LossFunctionWrapper):
    def __init__(self, delta=1.0, reduction=Reduction.AUTO, name="huber_loss") -> None:
        super().__init__(huber, reduction=reduction, name=name, delta=delta)


def _module_objects() -> dict:
    """What `get`/`deserialize` resolve names in: the loss classes, the functions and
    their aliases (as Keras 2 looks names up in its losses module)."""
    names = [n for n in __all__ if n not in ("get", "serialize", "deserialize")]
    found = {n: globals()[n] for n in names}
    found.update(bce=bce, BCE=BCE, huber_loss=huber_loss)
    for alias in ("cosine", "cosine_proximity"):  # (Keras 2's v1 aliases it cannot resolve)
        found.pop(alias, None)
    return found


def serialize(loss, use_legacy_format=False):
    """`loss` as Keras 2 writes it: {"class_name", "config"} for a `Loss`, the name of
    a loss function. (This is Keras 2's legacy format, which TF1 programs get whatever
    `use_legacy_format` says; TF2's `deserialize` reads it.)"""
    if loss is None:
        return None
    if not isinstance(loss, Loss):
        warnings.warn(
            "The `keras.losses.serialize()` API should only be used for objects of type "
            f"`keras.losses.Loss`. Found an instance of type {type(loss)}, which may lead "
            "to improper serialization.",
            stacklevel=2,
        )
    return serialize_keras_object(loss)


def deserialize(name, custom_objects=None, use_legacy_format=False):
    """The loss a name or {"class_name", "config"} describes (a class named by a string
    is built with its defaults); configs in TF2's format ({"module", "class_name",
    "config", "registered_name"}) are read too, whatever `use_legacy_format` says.

    Raises:
        ValueError: the name is neither a Keras loss nor in `custom_objects` or the
            custom-object scope.
    """
    return deserialize_keras_object(
        from_keras_format(name),
        module_objects=_module_objects(),
        custom_objects=custom_objects,
        printable_module_name="loss function",
    )


def get(identifier):
    """A loss from its name (a function, or a `Loss` built with its defaults for a class
    name), from a serialized config, or the callable itself.

    Raises:
        ValueError: an unknown name or an identifier of another kind.
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss function identifier: {identifier}")

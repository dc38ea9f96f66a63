"""Keras 2's stateful metrics (`tf.keras.metrics.Metric` and the reducing metrics) as
they run in TF1 graph mode.

A metric is a layer holding non-trainable resource variables (`total:0`, `count:0`,
...) that belong to no collection. `update_state(...)` returns the op that adds a
batch to them, `result()` a tensor reading them, and calling the metric does both (the
result depends on the update). `reset_state()` zeroes the variables in the Keras session.
"""

from __future__ import annotations

import functools

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Operation
from tfgraph.keras import backend, losses
from tfgraph.keras.engine.base_layer import Layer
from tfgraph.legacy_layers.base import to_snake_case
from tfgraph.ops import array_ops, control_flow_ops, math_ops

__all__ = [
    "Mean",
    "MeanMetricWrapper",
    "MeanRelativeError",
    "MeanTensor",
    "Metric",
    "Reduce",
    "RootMeanSquaredError",
    "Sum",
]


def _as_op(value, new_ops=()):
    """What `update_state` returns in graph mode: an op (a tensor's op, a group); when
    it returns nothing, the variable updates it made (`new_ops`), grouped."""
    if isinstance(value, Operation):
        return value
    if value is None:
        updates = [op for op in new_ops if op.type.startswith(("Assign", "ScatterAdd"))]
        return control_flow_ops.group(*updates)
    if isinstance(value, (list, tuple)):
        return control_flow_ops.group(*value)
    return value.op


class Metric(Layer):
    """Base class of Keras metrics: `update_state` adds a batch to the metric's
    variables (made with `add_weight`), `result` computes the value from them."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        update = cls.__dict__.get("update_state")
        if update is not None and not getattr(update, "_returns_op", False):

            @functools.wraps(update)
            def update_state(self, *args, **kw):
                graph = get_default_graph()
                before = len(graph.get_operations())
                value = update(self, *args, **kw)
                return _as_op(value, graph.get_operations()[before:] if value is None else ())

            update_state._returns_op = True  # type: ignore[attr-defined]
            cls.update_state = update_state  # type: ignore[method-assign]
        result = cls.__dict__.get("result")
        if result is not None and not getattr(result, "_identity", False):

            @functools.wraps(result)
            def result_fn(self):
                value = result(self)
                return array_ops.identity(value) if not isinstance(value, dict) else value

            result_fn._identity = True  # type: ignore[attr-defined]
            cls.result = result_fn  # type: ignore[method-assign]

    def __init__(self, name=None, dtype=None, **kwargs) -> None:
        if not name:
            name = backend.unique_object_name(to_snake_case(type(self).__name__))
        super().__init__(name=name, dtype=dtype or backend.floatx(), **kwargs)
        self.stateful = True
        self.built = True

    @property
    def dtype(self):
        return self._dtype.name

    def __call__(self, *args, **kwargs):
        """Updates the state with the batch and returns the result after the update."""
        update = self.update_state(*args, **kwargs)
        with get_default_graph().control_dependencies([update]):
            return self.result()

    def update_state(self, *args, **kwargs):
        raise NotImplementedError("Must be implemented in subclasses.")

    def result(self):
        raise NotImplementedError("Must be implemented in subclasses.")

    def reset_state(self) -> None:
        """All the variables back to zero, in the Keras session."""
        backend.batch_set_value(
            [
                (v, np.zeros(v.shape.as_list(), v.dtype.base_dtype.as_numpy_dtype))
                for v in self.variables
            ]
        )

    def reset_states(self) -> None:
        return self.reset_state()

    def add_weight(
        self, name, shape=(), aggregation=None, synchronization=None, initializer=None, dtype=None
    ):
        """A non-trainable resource variable `name` in no collection (zeros unless told)."""
        from tfgraph.keras import backend, initializers
        from tfgraph.variables import Variable

        dtype = dtypes.as_dtype(dtype or self._dtype).base_dtype
        init = initializers.get(initializer or "zeros")
        shape = [int(d) for d in shape]
        variable = Variable(
            lambda: init(shape, dtype=dtype),
            name=name,
            trainable=False,
            collections=[],
            dtype=dtype,
            use_resource=True,
        )
        self._non_trainable_weights.append(variable)
        self._named_weights.setdefault(name, variable)
        backend.track_variable(variable)
        return variable

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


def _broadcast_weights(values, sample_weight, reduce_sum: bool):
    """(values, weights) with the weights matched to the values' rank and broadcast to
    their shape, or the values reduced to the weights' rank when that is impossible."""
    sample_weight = losses._match_weight_rank(sample_weight, values)
    w_shape, v_shape = sample_weight.shape, values.shape
    if w_shape.ndims is not None and v_shape.ndims is not None and w_shape.ndims > 0:
        ws, vs = w_shape.as_list(), v_shape.as_list()
        compatible = len(ws) == len(vs) and all(
            a is None or b is None or a in (1, b) for a, b in zip(ws, vs, strict=True)
        )
        if not compatible:
            if len(ws) >= len(vs):  # (the product then says why the shapes do not fit)
                return values, sample_weight
            axes = list(range(len(ws), len(vs)))
            reduce = math_ops.reduce_sum if reduce_sum else math_ops.reduce_mean
            values = reduce(values, axis=axes)
            return values, sample_weight
    return values, sample_weight * array_ops.ones_like(values)


class Reduce(Metric):
    """Sums values (reduction 'sum') or averages them ('weighted_mean',
    'sum_over_batch_size') over the batches."""

    def __init__(self, reduction, name, dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.reduction = reduction
        self.total = self.add_weight("total", initializer="zeros")
        if reduction in ("sum_over_batch_size", "weighted_mean"):
            self.count = self.add_weight("count", initializer="zeros")

    def update_state(self, values, sample_weight=None):
        values = array_ops.cast(convert_to_tensor(values), self._dtype)
        if sample_weight is not None:
            sample_weight = array_ops.cast(convert_to_tensor(sample_weight), self._dtype)
            values, sample_weight = _broadcast_weights(
                values, sample_weight, self.reduction == "sum"
            )
            values = math_ops.multiply(values, sample_weight)
        update_total = self.total.assign_add(math_ops.reduce_sum(values))
        if self.reduction == "sum":
            return update_total
        if self.reduction == "weighted_mean" and sample_weight is not None:
            num_values = math_ops.reduce_sum(sample_weight)
        else:
            num_values = array_ops.cast(array_ops.size(values), self._dtype)
        with get_default_graph().control_dependencies([update_total]):
            return self.count.assign_add(num_values)

    def result(self):
        if self.reduction == "sum":
            return array_ops.identity(self.total.read_value())
        return math_ops.div_no_nan(self.total.read_value(), self.count.read_value())


class Sum(Reduce):
    """The (weighted) sum of the values over the batches."""

    def __init__(self, name="sum", dtype=None) -> None:
        super().__init__(reduction="sum", name=name, dtype=dtype)


class Mean(Reduce):
    """The (weighted) mean of the values over the batches."""

    def __init__(self, name="mean", dtype=None) -> None:
        super().__init__(reduction="weighted_mean", name=name, dtype=dtype)


class MeanMetricWrapper(Mean):
    """The weighted mean of `fn(y_true, y_pred, **kwargs)` over the batches."""

    def __init__(self, fn, name=None, dtype=None, **kwargs) -> None:
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = array_ops.cast(convert_to_tensor(y_true), self._dtype)
        y_pred = array_ops.cast(convert_to_tensor(y_pred), self._dtype)
        y_pred, y_true = losses._squeeze_or_expand(y_pred, y_true)
        matches = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(matches, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = {}
        if type(self) is MeanMetricWrapper:
            config["fn"] = self._fn
        config.update(self._fn_kwargs)
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict):
        from tfgraph.keras import metrics

        config = dict(config)
        fn = config.pop("fn", None)
        if cls is MeanMetricWrapper:
            return cls(metrics.get(fn), **config)
        return cls(**config)


class RootMeanSquaredError(Mean):
    """The square root of the (weighted) mean squared error over the batches."""

    def __init__(self, name="root_mean_squared_error", dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = array_ops.cast(convert_to_tensor(y_true), self._dtype)
        y_pred = array_ops.cast(convert_to_tensor(y_pred), self._dtype)
        y_pred, y_true = losses._squeeze_or_expand(y_pred, y_true)
        error_sq = math_ops.squared_difference(y_pred, y_true)
        return super().update_state(error_sq, sample_weight=sample_weight)

    def result(self):
        return math_ops.sqrt(math_ops.div_no_nan(self.total.read_value(), self.count.read_value()))


class MeanRelativeError(Mean):
    """The (weighted) mean of |y_pred - y_true| / normalizer over the batches."""

    def __init__(self, normalizer, name=None, dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.normalizer = array_ops.cast(convert_to_tensor(normalizer), self._dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = array_ops.cast(convert_to_tensor(y_true), self._dtype)
        y_pred = array_ops.cast(convert_to_tensor(y_pred), self._dtype)
        y_pred, y_true = losses._squeeze_or_expand(y_pred, y_true)
        y_pred, normalizer = losses._squeeze_or_expand(y_pred, self.normalizer)
        relative = math_ops.div_no_nan(math_ops.abs(y_true - y_pred), normalizer)
        return super().update_state(relative, sample_weight=sample_weight)

    def get_config(self) -> dict:
        return {**super().get_config(), "normalizer": backend.eval(self.normalizer)}


class MeanTensor(Metric):
    """The element-wise (weighted) mean of tensors of one shape over the batches; its
    variables `total` and `count` are made by the first update (or `shape`)."""

    def __init__(self, name="mean_tensor", dtype=None, shape=None) -> None:
        super().__init__(name=name, dtype=dtype)
        self._shape: object = None
        self._built = False
        if shape is not None:
            self._build(shape)

    def _build(self, shape) -> None:
        from tfgraph.framework.tensor_shape import TensorShape

        full = TensorShape(shape)
        self._shape = full
        self._total = self.add_weight("total", shape=full.as_list())
        self._count = self.add_weight("count", shape=full.as_list())
        self._built = True

    @property
    def total(self):
        return self._total if self._built else None

    @property
    def count(self):
        return self._count if self._built else None

    def update_state(self, values, sample_weight=None):
        values = array_ops.cast(convert_to_tensor(values), self._dtype)
        if not self._built:
            self._build(values.shape)
        elif values.shape != self._shape:
            raise ValueError(
                "MeanTensor input values must always have the same shape. Expected "
                f"shape (set during the first call): {self._shape}. Got: {values.shape}."
            )
        num_values = array_ops.ones_like(values)
        if sample_weight is not None:
            sample_weight = array_ops.cast(convert_to_tensor(sample_weight), self._dtype)
            values, sample_weight = _broadcast_weights(values, sample_weight, False)
            num_values = math_ops.multiply(num_values, sample_weight)
            values = math_ops.multiply(values, sample_weight)
        update_total = self._total.assign_add(values)
        with get_default_graph().control_dependencies([update_total]):
            return self._count.assign_add(num_values)

    def result(self):
        if not self._built:
            raise ValueError(
                "MeanTensor does not have any value yet. Please call the MeanTensor "
                "instance or use `.update_state(value)` before retrieving the result."
            )
        return math_ops.div_no_nan(self._total.read_value(), self._count.read_value())

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()


def _metrics_module():
    from tfgraph.keras import metrics

    return metrics


def _accuracy(y_true, y_pred):
    """1 where `y_pred` equals `y_true` (cast to its dtype), else 0."""
    if y_true.dtype.base_dtype != y_pred.dtype.base_dtype:
        y_pred = array_ops.cast(y_pred, y_true.dtype.base_dtype)
    return array_ops.cast(math_ops.equal(y_true, y_pred), backend.floatx())


class Accuracy(MeanMetricWrapper):
    """How often the predictions equal the labels."""

    def __init__(self, name="accuracy", dtype=None) -> None:
        super().__init__(_accuracy, name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` equals the binary labels."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5) -> None:
        super().__init__(_metrics_module().binary_accuracy, name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of the predictions is the one-hot label's."""

    def __init__(self, name="categorical_accuracy", dtype=None) -> None:
        super().__init__(_metrics_module().categorical_accuracy, name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of the predictions is the integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None) -> None:
        super().__init__(_metrics_module().sparse_categorical_accuracy, name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label is among the `k` largest predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None) -> None:
        super().__init__(_metrics_module().top_k_categorical_accuracy, name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the `k` largest predictions."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None) -> None:
        super().__init__(
            _metrics_module().sparse_top_k_categorical_accuracy, name, dtype=dtype, k=k
        )


class BinaryCrossentropy(MeanMetricWrapper):
    """The mean binary crossentropy between labels and predictions."""

    def __init__(
        self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0
    ) -> None:
        super().__init__(
            losses.binary_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )


class CategoricalCrossentropy(MeanMetricWrapper):
    """The mean crossentropy between one-hot labels and predictions."""

    def __init__(
        self,
        name="categorical_crossentropy",
        dtype=None,
        from_logits=False,
        label_smoothing=0,
        axis=-1,
    ) -> None:
        super().__init__(
            losses.categorical_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The mean crossentropy between integer labels and predictions."""

    def __init__(
        self,
        name="sparse_categorical_crossentropy",
        dtype=None,
        from_logits=False,
        ignore_class=None,
        axis=-1,
    ) -> None:
        super().__init__(
            losses.sparse_categorical_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )


def _wrapper(class_name: str, fn_name: str, default_name: str, doc: str):
    """A MeanMetricWrapper class of the loss function `fn_name` (no extra arguments)."""

    def __init__(self, name=default_name, dtype=None) -> None:
        MeanMetricWrapper.__init__(self, getattr(losses, fn_name), name, dtype=dtype)

    cls = type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc})
    cls.__module__ = __name__
    return cls


MeanSquaredError = _wrapper(
    "MeanSquaredError", "mean_squared_error", "mean_squared_error", "The mean squared error."
)
MeanAbsoluteError = _wrapper(
    "MeanAbsoluteError", "mean_absolute_error", "mean_absolute_error", "The mean absolute error."
)
MeanAbsolutePercentageError = _wrapper(
    "MeanAbsolutePercentageError",
    "mean_absolute_percentage_error",
    "mean_absolute_percentage_error",
    "The mean absolute percentage error.",
)
MeanSquaredLogarithmicError = _wrapper(
    "MeanSquaredLogarithmicError",
    "mean_squared_logarithmic_error",
    "mean_squared_logarithmic_error",
    "The mean squared logarithmic error.",
)
Hinge = _wrapper("Hinge", "hinge", "hinge", "The mean hinge loss.")
SquaredHinge = _wrapper("SquaredHinge", "squared_hinge", "squared_hinge", "The mean squared hinge.")
CategoricalHinge = _wrapper(
    "CategoricalHinge", "categorical_hinge", "categorical_hinge", "The mean categorical hinge."
)
KLDivergence = _wrapper(
    "KLDivergence",
    "kl_divergence",
    "kullback_leibler_divergence",
    "The mean Kullback-Leibler divergence.",
)
Poisson = _wrapper("Poisson", "poisson", "poisson", "The mean Poisson loss.")
LogCoshError = _wrapper("LogCoshError", "log_cosh", "logcosh", "The mean log-cosh error.")


class CosineSimilarity(MeanMetricWrapper):
    """The mean cosine similarity between labels and predictions along `axis`."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1) -> None:
        super().__init__(_cosine_similarity, name, dtype=dtype, axis=axis)


def _cosine_similarity(y_true, y_pred, axis=-1):
    from tfgraph.ops import nn_ops

    y_true = nn_ops.l2_normalize(y_true, axis=axis)
    y_pred = nn_ops.l2_normalize(y_pred, axis=axis)
    return math_ops.reduce_sum(y_true * y_pred, axis=axis)

"""Keras 2's MultiHeadAttention: query, key and value projected per head by
EinsumDense layers, scaled dot-product attention over `attention_axes`, the heads
projected back (`attention_output`)."""

from __future__ import annotations

import math

from tfgraph.keras.engine import keras_tensor
from tfgraph.keras.engine.base_layer import Layer
from tfgraph.keras.layers.advanced import Softmax
from tfgraph.keras.layers.attention import (
    EinsumDense,
    _attention_equations,
    _lower_triangular,
    _projection_equation,
    _shape_with,
)
from tfgraph.keras.layers.core import Dropout
from tfgraph.ops import array_ops, einsum_ops, math_ops, nn_ops

__all__ = ["MultiHeadAttention"]


class _MaskedSoftmax(Softmax):
    """Softmax over several axes (as Keras' Softmax does for a tuple axis)."""

    def call(self, inputs, mask=None):
        if mask is not None:
            inputs = inputs + (1.0 - array_ops.cast(mask, inputs.dtype)) * -1e9
        if len(self.axis) > 1:
            return math_ops.exp(
                inputs - math_ops.reduce_logsumexp(inputs, axis=self.axis, keepdims=True)
            )
        return nn_ops.softmax(inputs, axis=self.axis[0])


class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al.): `num_heads` heads of size `key_dim`
    (values `value_dim`), sublayers `query`, `key`, `value` and `attention_output`."""

    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        dropout=0.0,
        use_bias=True,
        output_shape=None,
        attention_axes=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._output_shape = output_shape
        self._common = {
            "kernel_initializer": kernel_initializer,
            "bias_initializer": bias_initializer,
            "kernel_regularizer": kernel_regularizer,
            "bias_regularizer": bias_regularizer,
            "kernel_constraint": kernel_constraint,
            "bias_constraint": bias_constraint,
        }
        if attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            attention_axes = (attention_axes,)
        self._attention_axes = tuple(attention_axes) if attention_axes is not None else None
        self._sublayers: list = []
        self._query_shape = self._key_shape = self._value_shape = None
        self._built_from_signature = False

    def _dense(self, rank: int, bound: int, last: list, name: str) -> EinsumDense:
        equation, bias_axes, out_rank = _projection_equation(
            rank - 1 - (bound - 1), bound, len(last)
        )
        layer = EinsumDense(
            equation,
            output_shape=_shape_with(out_rank - 1, last),
            bias_axes=bias_axes if self._use_bias else None,
            name=name,
            **self._common,
        )
        self._sublayers.append(layer)
        return layer

    def _build_from_signature(self, query, value, key=None) -> None:
        self._built_from_signature = True
        self._query_shape = query.shape
        self._value_shape = value.shape
        self._key_shape = (key if key is not None else value).shape
        q_rank = query.shape.ndims
        k_rank = (key if key is not None else value).shape.ndims
        heads = self._num_heads
        self._query_dense = self._dense(q_rank, 1, [heads, self._key_dim], "query")
        self._key_dense = self._dense(k_rank, 1, [heads, self._key_dim], "key")
        self._value_dense = self._dense(value.shape.ndims, 1, [heads, self._value_dim], "value")
        rank = q_rank + 1
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        axes = tuple(a % rank for a in self._attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = _attention_equations(
            rank, axes
        )
        norm_axes = tuple(range(scores_rank - len(axes), scores_rank))
        self._softmax = _MaskedSoftmax(axis=norm_axes)
        self._dropout_layer = Dropout(rate=self._dropout)
        if self._output_shape:
            last = (
                list(self._output_shape)
                if isinstance(self._output_shape, (list, tuple))
                else [self._output_shape]
            )
        else:
            last = [query.shape.as_list()[-1]]
        self._output_dense = self._dense(q_rank + 1, 2, last, "attention_output")

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        return [w for layer in self._sublayers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self) -> list:
        if not self.trainable:
            return [w for layer in self._sublayers for w in layer.weights]
        return [w for layer in self._sublayers for w in layer.non_trainable_weights]

    @property
    def losses(self) -> list:
        return list(self._losses) + [loss for layer in self._sublayers for loss in layer.losses]

    def _attention_mask(self, query, value, key, attention_mask, use_causal_mask):
        auto = None
        q_mask = keras_tensor.mask(query)
        if q_mask is not None:
            auto = array_ops.expand_dims(array_ops.cast(q_mask, "bool"), -1)
        for other in (value, key):
            m = keras_tensor.mask(other)
            if m is not None:
                m = array_ops.expand_dims(array_ops.cast(m, "bool"), 1)
                auto = m if auto is None else math_ops.logical_and(auto, m)
        if use_causal_mask:
            q_len = array_ops.shape(query)[1]
            causal = _lower_triangular(q_len, array_ops.shape(value)[1])
            auto = causal if auto is None else math_ops.logical_and(auto, causal)
        if auto is None:
            return attention_mask
        if attention_mask is None:
            return auto
        return math_ops.logical_and(array_ops.cast(attention_mask, "bool"), auto)

    def _compute_attention(self, query, key, value, attention_mask=None, training=None):
        query = math_ops.multiply(query, 1.0 / math.sqrt(float(self._key_dim)))
        scores = einsum_ops.einsum(self._dot_product_equation, key, query)
        if attention_mask is not None:
            expand_at = -len(self._attention_axes) * 2 - 1
            for _ in range(scores.shape.ndims - attention_mask.shape.ndims):
                attention_mask = array_ops.expand_dims(attention_mask, axis=expand_at)
        scores = self._softmax(scores, mask=attention_mask)
        dropped = self._dropout_layer(scores, training=training)
        return einsum_ops.einsum(self._combine_equation, dropped, value), scores

    def call(
        self,
        query,
        value,
        key=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        if not self._built_from_signature:
            self._build_from_signature(query=query, value=value, key=key)
        if key is None:
            key = value
        attention_mask = self._attention_mask(query, value, key, attention_mask, use_causal_mask)
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        output, scores = self._compute_attention(q, k, v, attention_mask, training)
        output = self._output_dense(output)
        return (output, scores) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        return mask

    def get_config(self) -> dict:
        """Keras 2's keys: the arguments as the layer holds them (attention axes once
        built) and the shapes it was built for."""
        config = super().get_config()
        config["value_dim"] = self._value_dim
        axes = self._attention_axes
        config["attention_axes"] = list(axes) if axes is not None else None
        for key in ("query_shape", "key_shape", "value_shape"):
            shape = getattr(self, "_" + key, None)
            config[key] = None if shape is None else shape.as_list()
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        for key in ("query_shape", "key_shape", "value_shape"):
            config.pop(key, None)
        return super().from_config(config)

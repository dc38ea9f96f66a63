"""Keras 2's attention layers: Attention (dot-product, Luong), AdditiveAttention
(Bahdanau), EinsumDense and MultiHeadAttention (built from EinsumDense projections)."""

from __future__ import annotations

import re
import string

from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.keras import activations
from tfgraph.keras.engine.base_layer import Layer, as_shape
from tfgraph.legacy_layers.core import _smart_cond
from tfgraph.ops import array_ops, einsum_ops, math_ops, nn_ops

__all__ = ["AdditiveAttention", "Attention", "EinsumDense"]


def _lower_triangular(q_len, v_len):
    """[1, q_len, v_len] booleans: row i sees columns 0..i."""
    ones = array_ops.ones(array_ops.stack([1, q_len, v_len]), dtype="int32")
    rows = math_ops.cumsum(ones, axis=-2)
    cols = math_ops.cumsum(ones, axis=-1)
    return math_ops.greater_equal(rows, cols)


class _BaseDenseAttention(Layer):
    """Scores of a query against keys, softmax over the keys, weights times values."""

    def __init__(self, dropout=0.0, **kwargs) -> None:
        self._causal = kwargs.pop("causal", False)
        super().__init__(**kwargs)
        self.dropout = dropout
        self.supports_masking = True

    def _calculate_scores(self, query, key):
        raise NotImplementedError

    def _apply_scores(self, scores, value, scores_mask=None, training=None):
        if scores_mask is not None:
            padding = math_ops.logical_not(scores_mask)
            big = 65504.0 if scores.dtype.name == "float16" else 1.0e9
            scores = scores - big * array_ops.cast(padding, scores.dtype)
        weights = nn_ops.softmax(scores)
        if self.dropout > 0:
            weights = _smart_cond(
                training,
                lambda: nn_ops.dropout(weights, rate=self.dropout),
                lambda: array_ops.identity(weights),
            )
        return math_ops.matmul(weights, value), weights

    def call(
        self,
        inputs,
        mask=None,
        training=None,
        return_attention_scores=False,
        use_causal_mask=False,
    ):
        _check_inputs("Attention", inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._calculate_scores(query=q, key=k)
        scores_mask = None if v_mask is None else array_ops.expand_dims(v_mask, axis=-2)
        if use_causal_mask or self._causal:
            shape = array_ops.shape(scores)
            causal = _lower_triangular(shape[-2], shape[-1])
            scores_mask = (
                causal if scores_mask is None else math_ops.logical_and(scores_mask, causal)
            )
        result, weights = self._apply_scores(scores, v, scores_mask, training)
        if q_mask is not None:
            result = result * array_ops.cast(array_ops.expand_dims(q_mask, -1), result.dtype)
        return [result, weights] if return_attention_scores else result

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return array_ops.identity(mask[0])

    def get_config(self) -> dict:
        config = super().get_config()
        config["dropout"] = self.dropout
        return config

    def compute_output_shape(self, input_shape):
        query, value = as_shape(input_shape[0]), as_shape(input_shape[1])
        return TensorShape(query.as_list()[:-1] + value.as_list()[-1:])


def _check_inputs(layer: str, inputs, mask) -> None:
    if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
        raise ValueError(
            f"{layer} layer must be called on a list of inputs, namely [query, value] or "
            f"[query, value, key]. Received: {inputs}."
        )
    if mask is not None and (not isinstance(mask, (list, tuple)) or len(mask) not in (2, 3)):
        raise ValueError(
            f"{layer} layer mask must be a list of length 2, namely [query_mask, "
            f"value_mask]. Received: {mask}."
        )


class Attention(_BaseDenseAttention):
    """Dot-product attention: scores `query . key` (times a learned `scale` with
    `use_scale`), or with score_mode='concat' `sum(tanh(query + key))`."""

    def __init__(self, use_scale=False, score_mode="dot", **kwargs) -> None:
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                f"Received: score_mode={score_mode}. Acceptable values are: ['dot', 'concat']"
            )

    def build(self, input_shape) -> None:
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        self.concat_score_weight = None
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                name="concat_score_weight", shape=(), initializer="ones"
            )
        self.built = True

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = math_ops.matmul(query, key, transpose_b=True)
            return scores * self.scale if self.scale is not None else scores
        summed = array_ops.expand_dims(query, -2) + array_ops.expand_dims(key, -3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * math_ops.reduce_sum(math_ops.tanh(summed), axis=-1)


class AdditiveAttention(_BaseDenseAttention):
    """Additive (Bahdanau) attention: scores `sum(scale * tanh(query + key))` with a
    learned `scale` vector (with `use_scale`)."""

    def __init__(self, use_scale=True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.use_scale = use_scale

    def build(self, input_shape) -> None:
        dim = as_shape(input_shape[1]).as_list()[-1]
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=[dim], initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        summed = math_ops.tanh(array_ops.expand_dims(query, -2) + array_ops.expand_dims(key, -3))
        if self.scale is not None:
            summed = self.scale * summed
        return math_ops.reduce_sum(summed, axis=-1)


_EINSUM_FORMS = (
    (r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False),
    (r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True),
    (r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False),
)


def _analyze_einsum(equation: str, bias_axes, input_shape: list, partial: list) -> tuple:
    """(kernel shape, bias shape or None, full output shape) of an EinsumDense."""
    dotted = re.sub(r"\.\.\.", "0", equation)
    for pattern, left in _EINSUM_FORMS:
        match = re.match(pattern, dotted)
        if match:
            ins, weights, outs = match.groups()
            return _analyze_split(ins, weights, outs, bias_axes, input_shape, partial, left)
    raise ValueError(
        f"Invalid einsum equation '{equation}'. Equations must be in the form [X],[Y]->[Z], "
        "...[X],[Y]->...[Z], or [X]...,[Y]->[Z]...."
    )


def _full_output_shape(input_spec, input_shape, partial, left) -> tuple[list, int]:
    elided = len(input_shape) - len(input_spec)
    output = [input_shape[0], *partial]
    if elided > 0 and left:
        for i in range(1, elided):
            output.insert(1, input_shape[i])
    elif elided > 0:
        output.extend(input_shape[len(input_shape) - elided :])
    return output, elided


def _analyze_split(input_spec, weight_spec, output_spec, bias_axes, input_shape, partial, left):
    output, elided = _full_output_shape(input_spec, input_shape, partial, left)
    shift = elided if left else 0
    in_at = {d: (i + elided - len(input_shape) if left else i) for i, d in enumerate(input_spec)}
    out_at = {d: i + shift for i, d in enumerate(output_spec)}
    for d in input_spec:
        if (
            d in out_at
            and output[out_at[d]] is not None
            and output[out_at[d]] != input_shape[in_at[d]]
        ):
            raise ValueError(
                f"Input shape and output shape do not match at shared dimension '{d}'. Input "
                f"shape is {input_shape[in_at[d]]}, and output shape is {output[out_at[d]]}."
            )
    for d in output_spec:
        if d not in input_spec and d not in weight_spec:
            raise ValueError(
                f"Dimension '{d}' was specified in the output '{output_spec}' but has no "
                f"corresponding dim in the input spec '{input_spec}' or weight spec "
                f"'{output_spec}'"
            )
    kernel = []
    for d in weight_spec:
        if d in in_at:
            kernel.append(input_shape[in_at[d]])
        elif d in out_at:
            kernel.append(output[out_at[d]])
        else:
            raise ValueError(
                f"Weight dimension '{d}' did not have a match in either the input spec "
                f"'{input_spec}' or the output spec '{output_spec}'. For this layer, the "
                "weight must be fully specified."
            )
    if bias_axes is None:
        return kernel, None, output
    for c in bias_axes:
        if c not in output_spec:
            raise ValueError(
                f"Bias dimension '{c}' was requested, but is not part of the output spec "
                f"'{output_spec}'"
            )
    first = min(output_spec.find(c) for c in bias_axes)
    bias = [output[out_at[c]] if c in bias_axes else 1 for c in output_spec[first:]]
    if not left:
        bias.extend([1] * elided)
    return kernel, bias, output


class EinsumDense(Layer):
    """A dense layer as one einsum: `einsum(equation, inputs, kernel) + bias`, the
    kernel's shape read from the equation, the input shape and `output_shape`."""

    def __init__(
        self,
        equation,
        output_shape,
        activation=None,
        bias_axes=None,
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
        self.equation = equation
        if isinstance(output_shape, int):
            self.partial_output_shape = [output_shape]
        else:
            self.partial_output_shape = list(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint

    def build(self, input_shape) -> None:
        shape = as_shape(input_shape).as_list()
        kernel, bias, self.full_output_shape = _analyze_einsum(
            self.equation, self.bias_axes, shape, self.partial_output_shape
        )
        self.kernel = self.add_weight(
            "kernel",
            shape=kernel,
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.bias = None
        if bias is not None:
            self.bias = self.add_weight(
                "bias",
                shape=bias,
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    def compute_output_shape(self, _):
        return TensorShape(self.full_output_shape)

    def call(self, inputs):
        ret = einsum_ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            ret = ret + self.bias
        return self.activation(ret)

    def get_config(self) -> dict:
        config = super().get_config()
        config["output_shape"] = list(self.partial_output_shape)
        return config


_CHR = string.ascii_lowercase


def _projection_equation(free: int, bound: int, out: int) -> tuple[str, str, int]:
    """(equation, bias axes, output rank) of a projection keeping `free` dims,
    contracting `bound` dims and adding `out` dims."""
    inp, ker, outp = _CHR[:free], "", _CHR[:free]
    inp += _CHR[free : free + bound]
    ker += _CHR[free : free + bound]
    added = _CHR[free + bound : free + bound + out]
    return f"{inp},{ker + added}->{outp + added}", added, len(outp + added)


def _attention_equations(rank: int, axes: tuple) -> tuple[str, str, int]:
    """(dot-product equation, combine equation, scores rank) over attention `axes`."""
    target = _CHR[:rank]
    batch = [i for i in range(rank) if i not in (*axes, rank - 1)]
    source, offset = "", rank
    for i in range(rank):
        if i in batch or i == rank - 1:
            source += target[i]
        else:
            source += _CHR[offset]
            offset += 1
    product = "".join(
        [target[i] for i in batch] + [target[i] for i in axes] + [source[i] for i in axes]
    )
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def _shape_with(rank: int, known: list) -> list:
    return [None] * (rank - len(known)) + list(known)

"""Keras 2's merge layers: Add and Concatenate (and their functional forms)."""

from __future__ import annotations

from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.keras.engine.base_layer import Layer
from tfgraph.ops import array_ops

__all__ = [
    "Add",
    "Average",
    "Concatenate",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]


def _shape_list(shape) -> list | None:
    return None if shape.ndims is None else shape.as_list()


class _Merge(Layer):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        """The positions unmasked in every input."""
        if mask is None or all(m is None for m in mask):
            return None
        from tfgraph.ops import math_ops

        masks = [array_ops.expand_dims(m, 0) for m in mask if m is not None]
        return math_ops.reduce_all(array_ops.concat(masks, axis=0), axis=0)

    def _check_list(self, input_shape) -> list:
        if not isinstance(input_shape, (list, tuple)):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape} (not a list of shapes)"
            )
        if len(input_shape) < 1:
            raise ValueError(
                "A merge layer should be called on a list of at least 1 input. "
                f"Got {len(input_shape)} inputs. Full input_shape received: {input_shape}"
            )
        return [_shape_list(TensorShape(s)) for s in input_shape]


class Add(_Merge):
    """The elementwise sum of its inputs (shapes must match)."""

    def build(self, input_shape) -> None:
        shapes = self._check_list(input_shape)
        first = shapes[0]
        for other in shapes[1:]:
            if first is None or other is None:
                continue
            if len(first) == len(other):
                for a, b in zip(first[1:], other[1:], strict=True):
                    if a is not None and b is not None and a != b and a != 1 and b != 1:
                        raise ValueError(
                            "Inputs have incompatible shapes. Received shapes "
                            f"{tuple(first)} and {tuple(other)}"
                        )
        self.built = True

    def call(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output

    def compute_output_shape(self, input_shape):
        return input_shape[0]


class Subtract(Add):
    """The difference of exactly two inputs."""

    def build(self, input_shape) -> None:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2:
            raise ValueError(
                "A `Subtract` layer should be called on exactly 2 inputs. "
                f"Received: input_shape={input_shape}"
            )
        super().build(input_shape)

    def call(self, inputs):
        return inputs[0] - inputs[1]


class Multiply(Add):
    """The elementwise product of its inputs."""

    def call(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output * x
        return output


class Average(Add):
    """The elementwise mean of its inputs."""

    def call(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output / len(inputs)


class Maximum(Add):
    """The elementwise maximum of its inputs."""

    def call(self, inputs):
        from tfgraph.ops import math_ops

        output = inputs[0]
        for x in inputs[1:]:
            output = math_ops.maximum(output, x)
        return output


class Minimum(Add):
    """The elementwise minimum of its inputs."""

    def call(self, inputs):
        from tfgraph.ops import math_ops

        output = inputs[0]
        for x in inputs[1:]:
            output = math_ops.minimum(output, x)
        return output


class Concatenate(_Merge):
    """Concatenates its inputs along `axis` (the other dimensions must match)."""

    def __init__(self, axis=-1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def build(self, input_shape) -> None:
        shapes = self._check_list(input_shape)
        known = [s for s in shapes if s is not None]
        if len(known) > 1:
            ranks = {len(s) for s in known}
            if len(ranks) > 1:
                raise ValueError(
                    "A `Concatenate` layer should be called on a list of inputs with matching "
                    "shapes except for the concatenation axis. Received: input_shape="
                    f"{[tuple(s) for s in known]}"
                )
            rank = ranks.pop()
            axis = self.axis % rank
            for i in range(rank):
                if i == axis:
                    continue
                dims = {s[i] for s in known if s[i] is not None}
                if len(dims) > 1:
                    raise ValueError(
                        "A `Concatenate` layer requires inputs with matching shapes except for "
                        f"the concatenation axis. Received: input_shape="
                        f"{[tuple(s) for s in known]}"
                    )
        self.built = True

    def call(self, inputs):
        return array_ops.concat(list(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        from tfgraph.ops import math_ops

        masks = []
        for x, m in zip(inputs, mask, strict=True):
            if m is None:
                masks.append(array_ops.ones_like(x, dtype="bool"))
            elif m.shape.ndims < x.shape.ndims:
                masks.append(array_ops.expand_dims(m, -1))
            else:
                masks.append(m)
        return math_ops.reduce_all(array_ops.concat(masks, axis=self.axis), axis=-1)

    def compute_output_shape(self, input_shape):
        shapes = [TensorShape(s).as_list() for s in input_shape]
        out = list(shapes[0])
        axis = self.axis % len(out)
        for s in shapes[1:]:
            if out[axis] is None or s[axis] is None:
                out[axis] = None
                break
            out[axis] += s[axis]
        return TensorShape(out)


def add(inputs, **kwargs):
    """`Add()(inputs)`."""
    return Add(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """`Concatenate(axis)(inputs)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def subtract(inputs, **kwargs):
    """`Subtract()(inputs)`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """`Multiply()(inputs)`."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """`Average()(inputs)`."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """`Maximum()(inputs)`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """`Minimum()(inputs)`."""
    return Minimum(**kwargs)(inputs)

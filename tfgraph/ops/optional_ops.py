"""Optional values (a value that may be missing), as `tf.data` uses them:
OptionalFromValue, OptionalNone, OptionalHasValue, OptionalGetValue, and
IteratorGetNextAsOptional (an iterator's next element, or nothing at its end).

An optional is a variant: in a run, an `OptionalValue` holding the components or None.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op, op_output

__all__ = ["OptionalValue"]


class OptionalValue:
    """An optional's value in a run: its components (a tuple), or None for no value."""

    __slots__ = ("components",)

    def __init__(self, components) -> None:
        self.components = components

    def __repr__(self) -> str:
        return f"OptionalValue({self.components!r})"

    def zeros_like(self) -> OptionalValue:
        """TF's ZerosLike of an optional: zeros like each component (none stays none)."""
        if self.components is None:
            return self
        return OptionalValue(tuple(np.zeros_like(c) for c in self.components))

    def __add__(self, other: OptionalValue) -> OptionalValue:
        """TF's AddN of two optionals: their components added (none + none is none)."""
        if not isinstance(other, OptionalValue):
            return NotImplemented
        if self.components is None and other.components is None:
            return self
        if self.components is None or other.components is None:
            raise errors.InvalidArgumentError(
                None, None, "Cannot add optionals because one has a value and the other doesn't."
            )
        return OptionalValue(tuple(np.add(a, b) for a, b in zip(self.components, other.components)))


_NONE = OptionalValue(None)
_TYPES = "output_types: list(type) >= 1"
_SHAPES = "output_shapes: list(shape) >= 1"


def _scalar(op):
    return [TensorShape([])]


def _from_value_grad(op, grad):
    # (the gradient of an optional is an optional of the components' gradients)
    types = [t.dtype._base for t in op._inputs]
    return list(
        apply_op(
            "OptionalGetValue",
            None,
            [grad],
            {"output_types": types, "output_shapes": [t.shape for t in op._inputs]},
        )._outputs
    )


register_op(
    "OptionalFromValue",
    inputs=["components: Toutput_types"],
    outputs=["optional: variant"],
    attrs=["Toutput_types: list(type) >= 1"],
    shape=_scalar,
    kernel=lambda *components: OptionalValue(tuple(components)),
    grad=_from_value_grad,
)
register_op(
    "OptionalNone",
    outputs=["optional: variant"],
    shape=_scalar,
    kernel=lambda: _NONE,
    grad=None,
)
register_op(
    "OptionalHasValue",
    inputs=["optional: variant"],
    outputs=["has_value: bool"],
    shape=_scalar,
    kernel=lambda optional: np.array(optional.components is not None),
    grad=None,
)


def _get_value_kernel(op, ctx):
    types = [t.np_dtype for t in op._attrs["output_types"]]

    def kernel(optional):
        components = optional.components
        if components is None:
            raise errors.InvalidArgumentError(None, op, "The given optional does not have a value.")
        if len(components) != len(types):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Number of components does not match: expected {len(types)} types but got "
                f"{len(components)}.",
            )
        return list(components)

    return kernel


def _get_value_shape(op):
    return [TensorShape(s) for s in op._attrs["output_shapes"]]


def _get_value_grad(op, *grads):
    return [op_output("OptionalFromValue", None, [list(grads)])]


register_op(
    "OptionalGetValue",
    inputs=["optional: variant"],
    outputs=["components: output_types"],
    attrs=[_TYPES, _SHAPES],
    shape=_get_value_shape,
    make_kernel=_get_value_kernel,
    grad=_get_value_grad,
)


def _get_next_as_optional_kernel(op, ctx):
    def kernel(iterator):
        try:
            return OptionalValue(tuple(iterator.get_next()))
        except errors.OutOfRangeError:
            return _NONE

    return kernel


register_op(
    "IteratorGetNextAsOptional",
    inputs=["iterator: resource"],
    outputs=["optional: variant"],
    attrs=[_TYPES, _SHAPES],
    shape=_scalar,
    make_kernel=_get_next_as_optional_kernel,
    grad=None,
    stateful=True,
)

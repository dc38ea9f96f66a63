"""The narrow view of an op that shape rules and kernel factories receive.

A shape rule (`shape(node)`) and a kernel factory (`make_kernel(node, ctx)`) may read
only these fields of the op they serve:

    node._type, node._name, node._attrs, node._op_def, node._device,
    node._inputs   each with _dtype, _shape, _op (its producer, a node: constant
                   folding of shape arguments reads a Const producer's value) and
                   _value_index
    node._outputs  each with _dtype, _shape
    (and the public spellings name, type, dtype, shape of the same fields)

An `Operation` has all of them, so graphs pass their ops as they are. `NodeView` holds
the same fields without a Graph: `NodeView.from_operation` detaches an op (the contract
test runs every kernel through such a view, so a kernel that reads anything else
fails), and `NodeView.for_values` describes an op on concrete input values, as eager
execution will call kernels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tfgraph.framework import dtypes, registry
from tfgraph.framework.tensor_shape import TensorShape

__all__ = ["NodeView", "TensorView"]


class TensorView:
    """An input or output of a `NodeView`: dtype, static shape, producer."""

    __slots__ = ("_dtype", "_op", "_shape", "_value_index")

    def __init__(self, dtype, shape: TensorShape, op: NodeView | None, value_index: int) -> None:
        self._dtype = dtype
        self._shape = shape
        self._op = op
        self._value_index = value_index

    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    @property
    def op(self):
        return self._op

    @property
    def name(self) -> str:
        producer = self._op._name if self._op is not None else "?"
        return f"{producer}:{self._value_index}"

    def __repr__(self) -> str:
        return f"<TensorView {self.name} shape={self._shape} dtype={self._dtype.name}>"


class NodeView:
    """An op's type, name, attrs, device and typed inputs/outputs, with no Graph."""

    __slots__ = ("_attrs", "_device", "_inputs", "_name", "_op_def", "_outputs", "_type")

    def __init__(
        self,
        op_type: str,
        name: str,
        attrs: dict[str, Any],
        inputs: list[TensorView],
        output_specs: Sequence[tuple[Any, TensorShape]] = (),
        device: str = "",
    ) -> None:
        self._type = op_type
        self._name = name
        self._attrs = dict(attrs)
        self._op_def = registry.get(op_type)
        self._device = device
        self._inputs = list(inputs)
        self._outputs = [TensorView(d, s, self, i) for i, (d, s) in enumerate(output_specs)]

    # -- public spellings -----------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def type(self) -> str:
        return self._type

    @property
    def inputs(self) -> list[TensorView]:
        return list(self._inputs)

    @property
    def outputs(self) -> list[TensorView]:
        return list(self._outputs)

    @property
    def device(self) -> str:
        return self._device

    def get_attr(self, name: str):
        return self._attrs[name]

    def __repr__(self) -> str:
        return f"<NodeView '{self._name}' type={self._type}>"

    # -- constructors ---------------------------------------------------------------------
    @classmethod
    def from_operation(cls, op, _memo: dict | None = None) -> NodeView:
        """A detached copy of `op`'s view (its producers' views too, for constant
        folding of shape arguments)."""
        memo = {} if _memo is None else _memo
        view = memo.get(op)
        if view is not None:
            return view
        # producers first, iteratively (a chain thousands of ops long is no recursion); a
        # loop's back edge (NextIteration -> Merge) leads to an op being detached: that
        # input's producer is left out (None)
        stack = [op]
        on_path = {op}
        while stack:
            top = stack[-1]
            for t in top._inputs:
                producer = t._op
                if producer not in memo and producer not in on_path:
                    stack.append(producer)
                    on_path.add(producer)
                    break
            else:
                stack.pop()
                on_path.discard(top)
                if top in memo:
                    continue
                inputs = [
                    TensorView(t._dtype, t._shape, memo.get(t._op), t._value_index)
                    for t in top._inputs
                ]
                memo[top] = cls(
                    top._type,
                    top._name,
                    top._attrs,
                    inputs,
                    [(t._dtype, t._shape) for t in top._outputs],
                    top._device,
                )
        return memo[op]

    @classmethod
    def for_values(
        cls, op_type: str, attrs: dict[str, Any], values: list, name: str | None = None
    ) -> NodeView:
        """A view of an op of type `op_type` applied to concrete `values` (numpy arrays):
        each input's producer is a Const view holding its value, so shape rules that fold
        shape arguments see them. Output specs come from the op's shape rule."""
        inputs = []
        for k, value in enumerate(values):
            array = np.asarray(value)
            dtype = dtypes.as_dtype(array.dtype)
            shape = TensorShape(array.shape)
            const = cls(
                "Const",
                f"{name or op_type}/input_{k}",
                {"value": array, "dtype": dtype},
                [],
                [(dtype, shape)],
            )
            inputs.append(const._outputs[0])
        node = cls(op_type, name or op_type, attrs, inputs)
        shapes = node._op_def.shape(node) if node._op_def.shape is not None else []
        dtypes_out = _output_dtypes(node)
        node._outputs = [
            TensorView(d, s, node, i) for i, (d, s) in enumerate(zip(dtypes_out, shapes))
        ]
        return node


def _output_dtypes(node: NodeView) -> list:
    """The output dtypes the op's signature gives for `node`'s attrs."""
    out = []
    attrs = node._attrs
    for arg in node._op_def.outputs:
        if arg.dtype is not None:
            base = [arg.dtype]
        elif arg.type_list_attr is not None:
            base = list(attrs[arg.type_list_attr])
        else:
            assert arg.type_attr is not None  # an output has a dtype, a type list or a type attr
            base = [attrs[arg.type_attr]]
        count = attrs[arg.number_attr] if arg.number_attr is not None else 1
        out.extend(base * count)
    return out

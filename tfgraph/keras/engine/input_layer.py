"""`tf.keras.Input` and `InputLayer`: the placeholder a functional model starts from."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.keras import backend
from tfgraph.keras.engine import keras_tensor
from tfgraph.keras.engine.base_layer import Layer, Node
from tfgraph.ops import array_ops

__all__ = ["Input", "InputLayer"]


class InputLayer(Layer):
    """A layer holding a placeholder named after the layer (`input_1`, ...), or the
    tensor given."""

    def __init__(
        self,
        input_shape=None,
        batch_size=None,
        dtype=None,
        input_tensor=None,
        sparse=None,
        name=None,
        ragged=None,
        batch_input_shape=None,
        **kwargs,
    ) -> None:
        if sparse or ragged:
            raise NotImplementedError("tfgraph's InputLayer makes dense placeholders only")
        if not name:
            name = backend.unique_object_name("input", zero_based=False)
        if batch_input_shape is None and input_shape is not None:
            batch_input_shape = (batch_size, *tuple(input_shape))
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.built = True
        if input_tensor is None:
            if batch_input_shape is None:
                raise ValueError("You should provide either `input_shape` or `batch_input_shape`")
            dtype = dtypes.as_dtype(dtype or backend.floatx())
            input_tensor = array_ops.placeholder(dtype, shape=batch_input_shape, name=self.name)
        else:
            batch_input_shape = tuple(input_tensor.shape.as_list())
        self._dtype = input_tensor.dtype.base_dtype
        self._batch_input_shape = tuple(batch_input_shape)
        self.is_placeholder = True
        node = Node(self, [], input_tensor, {})
        self._inbound_nodes.append(node)
        keras_tensor.set_history(input_tensor, self, 0, 0)

    def get_config(self) -> dict:
        return {
            "batch_input_shape": list(self._batch_input_shape or ()),
            "dtype": self.dtype,
            "sparse": False,
            "ragged": False,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict):
        config = {k: v for k, v in config.items() if k not in ("optional",)}
        return cls(**config)


def Input(
    shape=None,
    batch_size=None,
    name=None,
    dtype=None,
    sparse=None,
    tensor=None,
    ragged=None,
    type_spec=None,
    optional=False,
    **kwargs,
):
    """A placeholder (or `tensor`) to start a functional model from: `shape` excludes the
    batch dimension (`batch_shape`, a keyword, includes it). tfgraph does not support
    `type_spec` or `optional=True`."""
    batch_shape = kwargs.pop("batch_shape", None)
    if type_spec is not None or optional:
        raise NotImplementedError(
            "tfgraph's tf.keras.Input does not support `type_spec` or `optional=True`; "
            "pass `shape` (and `dtype`, `sparse` or `ragged`) instead"
        )
    if shape is not None and batch_shape is not None:
        raise ValueError(
            "Only provide the `shape` OR `batch_shape` argument to Input, not both at the "
            "same time."
        )
    if shape is None and batch_shape is None and tensor is None:
        raise ValueError(
            "Please provide to Input a `shape` or a `tensor` or a `type_spec` argument. Note "
            "that `shape` does not include the batch dimension."
        )
    if isinstance(shape, int):
        shape = (shape,)
    layer = InputLayer(
        input_shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        input_tensor=tensor,
        sparse=sparse,
        name=name,
        ragged=ragged,
        batch_input_shape=batch_shape,
        **kwargs,
    )
    return layer._inbound_nodes[0].outputs

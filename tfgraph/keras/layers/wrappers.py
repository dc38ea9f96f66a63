"""Keras 2's layer wrappers: Bidirectional (a forward and a backward copy of a recurrent
layer, outputs merged) and TimeDistributed (a layer applied to every time step)."""

from __future__ import annotations

from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.keras.engine.base_layer import Layer, as_shape
from tfgraph.ops import array_ops

__all__ = ["Bidirectional", "TimeDistributed"]


class Bidirectional(Layer):
    """Runs `layer` forwards and a copy of it backwards (`forward_lstm`,
    `backward_lstm`) and merges their outputs: 'concat' (default), 'sum', 'mul', 'ave'
    or None (a list)."""

    def __init__(
        self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs
    ) -> None:
        if merge_mode not in ("sum", "mul", "ave", "concat", None):
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}'
            )
        if not hasattr(layer, "go_backwards"):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a `tf.keras.layers.Layer` "
                f"instance. Received: {layer}"
            )
        super().__init__(**kwargs)
        self.forward_layer = layer._copy(name="forward_" + layer.name)
        if backward_layer is None:
            self.backward_layer = layer._copy(
                name="backward_" + layer.name, go_backwards=not layer.go_backwards
            )
        else:
            self.backward_layer = backward_layer
        # (masked steps of the two directions give zeros, as Keras 2's Bidirectional sets)
        self.forward_layer.zero_output_for_mask = layer.return_sequences
        self.backward_layer.zero_output_for_mask = layer.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self._initial_weights = weights
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.merge_mode is None:
            output_mask = [output_mask, output_mask]
        if self.return_state:
            n = 2 * len(self.forward_layer._state_sizes())
            return [*(output_mask if isinstance(output_mask, list) else [output_mask])] + [None] * n
        return output_mask

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        return self.forward_layer.trainable_weights + self.backward_layer.trainable_weights

    @property
    def non_trainable_weights(self) -> list:
        if not self.trainable:
            return self.forward_layer.weights + self.backward_layer.weights
        return self.forward_layer.non_trainable_weights + self.backward_layer.non_trainable_weights

    @property
    def losses(self) -> list:
        return self.forward_layer.losses + self.backward_layer.losses

    def call(self, inputs, training=None, mask=None, initial_state=None):
        kwargs = {} if training is None else {"training": training}
        if mask is not None:
            kwargs["mask"] = mask
        y = self.forward_layer(inputs, **kwargs)
        y_rev = self.backward_layer(inputs, **kwargs)
        states: list = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = array_ops.reverse(y_rev, [1])
        if self.merge_mode == "concat":
            output = array_ops.concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            if self.merge_mode is None:
                return output + states
            return [output, *states]
        return output


class TimeDistributed(Layer):
    """Applies `layer` to every step of [batch, time, ...] inputs (its weights live in
    this wrapper's scope: `time_distributed/kernel`)."""

    def __init__(self, layer, **kwargs) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a `tf.keras.layers.Layer` "
                f"instance. Received: {layer}"
            )
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    @property
    def trainable_weights(self) -> list:
        return self.layer.trainable_weights if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        return self.layer.non_trainable_weights if self.trainable else self.layer.weights

    @property
    def losses(self) -> list:
        return self.layer.losses

    def build(self, input_shape) -> None:
        shape = as_shape(input_shape)
        if shape.ndims is not None and shape.ndims < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape ` with at least 3 "
                f"dimensions, received: {shape}"
            )
        child = TensorShape([shape.as_list()[0], *shape.as_list()[2:]])
        if not self.layer.built:
            self.layer.build(child)
            self.layer.built = True
        self.built = True

    def call(self, inputs, training=None, mask=None):
        static = inputs.shape.as_list()
        dynamic = array_ops.shape(inputs)
        flat = array_ops.reshape(inputs, array_ops.concat([[-1], dynamic[2:]], axis=0))
        kwargs = {}
        if self.layer._expects_training_arg and training is not None:
            kwargs["training"] = training
        y = self.layer(flat, **kwargs)
        y_static = y.shape.as_list()
        out_shape = array_ops.concat([dynamic[:2], array_ops.shape(y)[1:]], axis=0)
        outputs = array_ops.reshape(y, out_shape)
        outputs.set_shape([static[0], static[1], *y_static[1:]])
        return outputs

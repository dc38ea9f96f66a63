"""`tf.keras.experimental.WideDeepModel`: a linear model and a DNN model whose
outputs are summed (then the activation); `inputs` may be one input for both or a
[linear_inputs, dnn_inputs] pair."""

from __future__ import annotations

from tfgraph.keras import activations, backend
from tfgraph.keras.engine.base_layer import Layer
from tfgraph.keras.engine.functional import Model
from tfgraph.nest import map_structure

__all__ = ["WideDeepModel"]


class WideDeepModel(Model):
    """`activation(linear_model(x_linear) + dnn_model(x_dnn))`."""

    def __init__(self, linear_model, dnn_model, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.linear_model = linear_model
        self.dnn_model = dnn_model
        self.activation = activations.get(activation)

    def call(self, inputs, training=None):
        if not isinstance(inputs, (tuple, list)) or len(inputs) != 2:
            linear_inputs = dnn_inputs = inputs
        else:
            linear_inputs, dnn_inputs = inputs
        linear_output = self.linear_model(linear_inputs)
        if self.dnn_model._expects_training_arg:
            if training is None:
                training = backend.learning_phase()
            dnn_output = self.dnn_model(dnn_inputs, training=training)
        else:
            dnn_output = self.dnn_model(dnn_inputs)
        output = map_structure(lambda x, y: x + y, linear_output, dnn_output)
        if self.activation:
            return map_structure(self.activation, output)
        return output

    def get_config(self) -> dict:
        from tfgraph.keras.saving.serialization import serialize_keras_object

        config = {
            "linear_model": serialize_keras_object(self.linear_model),
            "dnn_model": serialize_keras_object(self.dnn_model),
            "activation": activations.serialize(self.activation),
        }
        return {**Layer.get_config(self), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tfgraph.keras.engine.serialization import deserialize_layer

        config = dict(config)
        linear_model = deserialize_layer(config.pop("linear_model"), custom_objects)
        dnn_model = deserialize_layer(config.pop("dnn_model"), custom_objects)
        activation = activations.get(config.pop("activation", None))
        return cls(linear_model=linear_model, dnn_model=dnn_model, activation=activation,
                   **config)  # fmt: skip

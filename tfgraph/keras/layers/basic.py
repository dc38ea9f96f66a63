"""Small Keras 2 layers and helpers: Identity, AlphaDropout, SpatialDropout3D, the
`dot` function and `serialize` / `deserialize` of layers."""

from __future__ import annotations

from tfgraph.keras.engine.base_layer import InputSpec, Layer
from tfgraph.keras.layers.extra import Dot, _SpatialDropout
from tfgraph.legacy_layers.core import _smart_cond
from tfgraph.ops import array_ops, math_ops, random_ops

__all__ = [
    "AbstractRNNCell",
    "AlphaDropout",
    "Identity",
    "SpatialDropout3D",
    "Wrapper",
    "deserialize",
    "disable_v2_dtype_behavior",
    "dot",
    "enable_v2_dtype_behavior",
    "serialize",
]

# SELU's constants: alpha * scale is the value a dropped unit takes
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class Identity(Layer):
    """Returns its inputs unchanged (a placeholder layer)."""

    def call(self, inputs):
        return inputs


class AlphaDropout(Layer):
    """Dropout that keeps SELU activations' mean and variance: dropped units take
    -alpha * scale, then an affine correction; identity at test time."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def get_config(self) -> dict:
        return tf_config(self, super().get_config(), drop=("noise_shape",))

    def call(self, inputs, training=None):
        if not 0 < self.rate < 1:
            return inputs

        def dropped():
            alpha_p = -_SELU_ALPHA * _SELU_SCALE
            keep_prob = 1 - self.rate
            shape = self.noise_shape if self.noise_shape is not None else array_ops.shape(inputs)
            noise = random_ops.random_uniform(shape, seed=self.seed)
            kept = array_ops.cast(math_ops.greater_equal(noise, self.rate), inputs.dtype)
            a = (keep_prob + alpha_p**2 * keep_prob * self.rate) ** -0.5
            b = -a * alpha_p * self.rate
            return a * (inputs * kept + alpha_p * (1 - kept)) + b

        return _smart_cond(training, dropped, lambda: array_ops.identity(inputs))


class SpatialDropout3D(_SpatialDropout):
    """Drops whole feature volumes of [batch, d, h, w, channels] in training."""

    def __init__(self, rate, data_format=None, **kwargs) -> None:
        super().__init__(rate, data_format=data_format, **kwargs)
        self.input_spec = InputSpec(ndim=5)

    def get_config(self) -> dict:
        config = super().get_config()
        return tf_config(self, config, drop=("data_format",), noise_shape=None, seed=None)

    def _noise_shape(self, inputs):
        shape = array_ops.shape(inputs)
        if self.data_format == "channels_first":
            return array_ops.stack([shape[0], shape[1], 1, 1, 1])
        return array_ops.stack([shape[0], 1, 1, 1, shape[4]])


def dot(inputs, axes, normalize=False, **kwargs):
    """`Dot(axes, normalize)(inputs)`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


def serialize(layer) -> dict:
    """`layer` as {"class_name", "config"} (Keras 2's legacy format)."""
    from tfgraph.keras.saving.serialization import serialize_keras_object

    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """A layer from `serialize()` output.

    Raises:
        ValueError: the class name is not a known layer.
    """
    from tfgraph.keras.engine import serialization
    from tfgraph.keras.saving import object_registration
    from tfgraph.keras.saving.serialization import _UNKNOWN

    classes = serialization.layer_classes()
    classes.update(object_registration.all_custom_objects(custom_objects))
    if config.get("class_name") not in classes:
        raise ValueError(_UNKNOWN.format(what="layer", name=config.get("class_name")))
    return serialization.deserialize_layer(config, custom_objects)


class Wrapper(Layer):
    """The base of layers that wrap another layer (`self.layer`): subclasses define
    `call`; the wrapped layer's weights and losses are the wrapper's."""

    def __init__(self, layer, **kwargs) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Layer {layer} supplied to wrapper is not a supported layer type. Please "
                "ensure wrapped layer is a valid TF-Keras layer."
            )
        self.layer = layer
        super().__init__(**kwargs)

    def build(self, input_shape=None) -> None:
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    @property
    def activity_regularizer(self):
        return getattr(self.layer, "activity_regularizer", None)

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        return self._trainable_weights + self.layer.trainable_weights

    @property
    def non_trainable_weights(self) -> list:
        if not self.trainable:
            return self._trainable_weights + self._non_trainable_weights + self.layer.weights
        return self._non_trainable_weights + self.layer.non_trainable_weights

    @property
    def losses(self) -> list:
        return list(self._losses) + list(self._weight_losses) + self.layer.losses

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)


class AbstractRNNCell(Layer):
    """The base of RNN cells: subclasses give `state_size`, `output_size` and
    `call(inputs, states) -> (output, new_states)`."""

    def call(self, inputs, states):
        raise NotImplementedError

    @property
    def state_size(self):
        raise NotImplementedError

    @property
    def output_size(self):
        raise NotImplementedError

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """Zero states [batch, n] for each of `state_size` (flattened)."""
        if inputs is not None:
            batch_size = array_ops.shape(inputs)[0]
            dtype = inputs.dtype
        sizes = self.state_size
        flat = list(sizes) if isinstance(sizes, (list, tuple)) else [sizes]
        zeros = [
            array_ops.zeros(array_ops.stack([batch_size, int(n)]), dtype=dtype or "float32")
            for n in flat
        ]
        return zeros if isinstance(sizes, (list, tuple)) else zeros[0]


def with_defaults(config: dict, base_init) -> dict:
    """`config` completed with the defaults of `base_init`'s arguments it lacks (a
    subclass whose __init__ names only some arguments records only those)."""
    import inspect

    from tfgraph.keras.engine.serialization import serialize_value

    for name, p in inspect.signature(base_init).parameters.items():
        if name == "self" or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        if name not in config and p.default is not p.empty:
            value = "linear" if name == "activation" and p.default is None else p.default
            config[name] = serialize_value(value)
    return config


def enable_v2_dtype_behavior() -> None:
    """Layers made from now on default to floatx and cast floating inputs to their
    dtype (TF2's behaviour; a TF1 program infers a layer's dtype from its input)."""
    from tfgraph.keras.engine import base_layer

    base_layer.V2_DTYPE_BEHAVIOR[0] = True


def disable_v2_dtype_behavior() -> None:
    """Layers made from now on take their dtype from their first input (TF1)."""
    from tfgraph.keras.engine import base_layer

    base_layer.V2_DTYPE_BEHAVIOR[0] = False


_NORMALIZED = (
    "kernel_size",
    "strides",
    "dilation_rate",
    "pool_size",
    "cropping",
    "padding",
    "size",
    "data_format",
)


def tf_config(layer, config: dict, base_init=None, drop=(), **extra) -> dict:
    """`config` as Keras 2 writes it: the defaults of `base_init` it lacks, the
    normalized values the layer holds (kernel_size as a tuple, ...), `extra` keys,
    without `drop`."""
    from tfgraph.keras.engine.serialization import serialize_value

    if base_init is not None:
        with_defaults(config, base_init)
    for key in _NORMALIZED:
        if key in config and getattr(layer, key, None) is not None:
            config[key] = serialize_value(getattr(layer, key))
    for key, value in extra.items():
        config.setdefault(key, value)
    for key in drop:
        config.pop(key, None)
    return config

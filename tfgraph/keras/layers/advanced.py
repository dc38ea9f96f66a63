"""Keras 2's small layers: Lambda, LeakyReLU, ReLU, Softmax, ZeroPadding2D, Permute,
RepeatVector, UpSampling2D, and the 1-D/global pooling layers."""

from __future__ import annotations

from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.keras import activations
from tfgraph.keras.engine.base_layer import InputSpec, Layer, as_shape
from tfgraph.legacy_layers import base as legacy_base
from tfgraph.legacy_layers import convolutional as legacy_conv
from tfgraph.ops import array_ops, conv_ops, math_ops, nn_ops

__all__ = [
    "AveragePooling1D",
    "GlobalAveragePooling1D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "Lambda",
    "LeakyReLU",
    "Permute",
    "ReLU",
    "RepeatVector",
    "Softmax",
    "UpSampling2D",
    "ZeroPadding2D",
]


class Lambda(Layer):
    """Wraps a function of tensors as a layer (`arguments` are extra keyword args)."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.function = function
        self.arguments = arguments or {}
        self._output_shape = output_shape

    def call(self, inputs, mask=None, training=None):
        import inspect

        kwargs = dict(self.arguments)
        params = inspect.signature(self.function).parameters
        if "training" in params:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def get_config(self) -> dict:
        """Keras 2's Lambda config: the function as marshalled bytecode ("lambda"), so
        Keras 2 reads the file; tfgraph never loads the bytecode back (see
        `_function_by_name`)."""
        config = {key: value for key, value in super().get_config().items() if key in _BASE}
        config.update(_function_config(self.function))
        config.update(
            output_shape=self._output_shape,
            output_shape_type="raw",
            output_shape_module=None,
            arguments=dict(self.arguments),
        )
        return config

    @classmethod
    def from_config(cls, config: dict):
        """A Lambda from its config: a function named in the custom objects; for one
        saved as bytecode, the custom object under the layer's name (never the
        bytecode: loading a file runs no code)."""
        config = dict(config)
        kind = config.pop("function_type", "raw")
        function = config.pop("function")
        config.pop("module", None)
        for key in ("output_shape_type", "output_shape_module"):
            config.pop(key, None)
        if kind == "lambda":
            function = _function_by_name(config.get("name", "lambda"))
        elif kind == "function":
            from tfgraph.keras.saving.serialization import deserialize_keras_object

            function = deserialize_keras_object(function, None, None, "function in Lambda layer")
        elif kind != "raw":
            raise TypeError(f"Unknown function type: {kind}")
        return cls(function, **config)


_BASE = ("name", "trainable", "dtype", "batch_input_shape")


def _function_config(function) -> dict:
    import base64
    import marshal

    code = base64.encodebytes(marshal.dumps(function.__code__)).decode("ascii")
    closure = None
    if function.__closure__:
        closure = tuple(cell.cell_contents for cell in function.__closure__)
    return {
        "function": [code, function.__defaults__, closure],
        "function_type": "lambda",
        "module": function.__module__,
    }


def _function_by_name(layer_name: str):
    """The function a loaded Lambda layer runs: tfgraph never runs code read from a file,
    so a Lambda saved as Python bytecode takes its function from the custom objects,
    under the layer's name (`custom_objects={"lambda": fn}`)."""
    from tfgraph.keras.saving import object_registration

    function = object_registration.get_registered_object(layer_name)
    if callable(function):
        return function
    raise ValueError(
        f"Lambda layer {layer_name!r} was saved as Python bytecode, and tfgraph never runs "
        "code read from a file (whatever `safe_mode` says). Pass the function under the "
        f"layer's name: load_model(path, custom_objects={{{layer_name!r}: fn}}), or build "
        "the model in Python and read the file with model.load_weights(path)."
    )


class LeakyReLU(Layer):
    """`max(x, alpha * x)` (alpha 0.3 by default)."""

    def __init__(self, alpha=0.3, **kwargs) -> None:
        super().__init__(**kwargs)
        if alpha is None:
            raise ValueError(
                f"The alpha value of a Leaky ReLU layer cannot be None. Received: {alpha}"
            )
        self.alpha = float(alpha)
        self.supports_masking = True

    def call(self, inputs):
        return nn_ops.leaky_relu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape


class ReLU(Layer):
    """Rectified linear unit with optional `max_value`, `negative_slope` and `threshold`."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(
                f"max_value of a ReLU layer cannot be a negative value. Received: {max_value}"
            )
        self.supports_masking = True
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs):
        return activations.relu(
            inputs, alpha=self.negative_slope, max_value=self.max_value, threshold=self.threshold
        )

    def compute_output_shape(self, input_shape):
        return input_shape


class Softmax(Layer):
    """Softmax over `axis` (the last by default)."""

    def __init__(self, axis=-1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:  # masked positions get a large negative logit
            adder = (1.0 - array_ops.cast(mask, inputs.dtype)) * -1e9
            inputs = inputs + adder
        return activations.softmax(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        return input_shape


class ZeroPadding2D(Layer):
    """Pads rows and columns with zeros: an int, ((top, bottom), (left, right)) or
    (rows, cols)."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = legacy_base.normalize_data_format(data_format)
        self.padding: tuple
        if isinstance(padding, int):
            self.padding = ((padding, padding), (padding, padding))
        elif all(isinstance(p, int) for p in padding):
            rows, cols = padding
            self.padding = ((rows, rows), (cols, cols))
        else:
            self.padding = tuple(tuple(p) for p in padding)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        (top, bottom), (left, right) = self.padding
        if self.data_format == "channels_last":
            pattern = [[0, 0], [top, bottom], [left, right], [0, 0]]
        else:
            pattern = [[0, 0], [0, 0], [top, bottom], [left, right]]
        return array_ops.pad(inputs, pattern)


class UpSampling2D(Layer):
    """Repeats rows and columns `size` times (nearest-neighbour upsampling)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs) -> None:
        super().__init__(**kwargs)
        if interpolation != "nearest":
            raise NotImplementedError("tfgraph's UpSampling2D supports nearest only")
        self.data_format = legacy_base.normalize_data_format(data_format)
        self.size = legacy_base.normalize_tuple(size, 2, "size")
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first":
            x = array_ops.transpose(x, [0, 2, 3, 1])
        shape = x.shape.as_list()
        dyn = array_ops.shape(x)
        sh, sw = self.size
        x = array_ops.expand_dims(array_ops.expand_dims(x, 2), 4)  # [b, h, 1, w, 1, c]
        x = array_ops.tile(x, [1, 1, sh, 1, sw, 1])
        x = array_ops.reshape(x, array_ops.stack([dyn[0], dyn[1] * sh, dyn[2] * sw, dyn[3]]))
        x.set_shape(
            [
                shape[0],
                None if shape[1] is None else shape[1] * sh,
                None if shape[2] is None else shape[2] * sw,
                shape[3],
            ]
        )
        if self.data_format == "channels_first":
            x = array_ops.transpose(x, [0, 3, 1, 2])
        return x


class Permute(Layer):
    """Permutes the non-batch dimensions: `dims` counts from 1."""

    def __init__(self, dims, **kwargs) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The set of indices in "
                f"`dims` must be consecutive and start from 1. Received dims={dims}"
            )

    def call(self, inputs):
        return array_ops.transpose(inputs, perm=(0, *self.dims))


class RepeatVector(Layer):
    """[batch, features] -> [batch, n, features]."""

    def __init__(self, n, **kwargs) -> None:
        super().__init__(**kwargs)
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return array_ops.tile(array_ops.expand_dims(inputs, 1), [1, self.n, 1])


class AveragePooling1D(Layer):
    """Average pooling over [batch, steps, channels] windows of `pool_size` steps."""

    def __init__(
        self, pool_size=2, strides=None, padding="valid", data_format="channels_last", **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.pool_size = legacy_base.normalize_tuple(pool_size, 1, "pool_size")
        self.strides = legacy_base.normalize_tuple(
            pool_size if strides is None else strides, 1, "strides"
        )
        self.padding = legacy_base.normalize_padding(padding)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        x = array_ops.expand_dims(inputs, 1)
        y = conv_ops.avg_pool(
            x,
            ksize=[1, 1, self.pool_size[0], 1],
            strides=[1, 1, self.strides[0], 1],
            padding=self.padding.upper(),
        )
        return array_ops.squeeze(y, [1])

    def compute_output_shape(self, input_shape):
        shape = as_shape(input_shape).as_list()
        steps = legacy_conv._conv_output_length(
            shape[1], self.pool_size[0], self.padding, self.strides[0]
        )
        return TensorShape([shape[0], steps, shape[2]])


class _GlobalPooling(Layer):
    _rank = 2
    _reduce = staticmethod(math_ops.reduce_mean)

    def __init__(self, data_format=None, keepdims=False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = legacy_base.normalize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config

    def call(self, inputs):
        if self.data_format == "channels_last":
            axes = list(range(1, self._rank + 1))
        else:
            axes = list(range(2, self._rank + 2))
        return type(self)._reduce(inputs, axes, keepdims=self.keepdims)


class GlobalMaxPooling2D(_GlobalPooling):
    """The maximum over the spatial dimensions."""

    _reduce = staticmethod(math_ops.reduce_max)


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over the steps: [batch, steps, c] -> [batch, c] (over the unmasked steps
    only, given a mask)."""

    _rank = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs) -> None:
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        steps_axis = 1 if self.data_format == "channels_last" else 2
        if mask is None:
            return math_ops.reduce_mean(inputs, steps_axis, keepdims=self.keepdims)
        mask = array_ops.cast(mask, inputs.dtype)
        mask = array_ops.expand_dims(mask, 2 if self.data_format == "channels_last" else 1)
        inputs = inputs * mask
        return math_ops.reduce_sum(inputs, steps_axis, keepdims=self.keepdims) / (
            math_ops.reduce_sum(mask, steps_axis, keepdims=self.keepdims)
        )

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(_GlobalPooling):
    """The maximum over the steps: [batch, steps, c] -> [batch, c]."""

    _rank = 1
    _reduce = staticmethod(math_ops.reduce_max)

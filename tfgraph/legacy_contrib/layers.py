"""contrib.layers / slim layer functions, built as tf-slim builds them: each opens a
variable scope (`fully_connected`, `Conv`, `BatchNorm`, ...) whose variables are model
variables named `weights` / `biases` (`beta`, `moving_mean`, ... for batch norm), runs
the core layer (tf.layers) inside it, then the normalizer and the activation."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import (
    GraphKeys,
    add_to_collection,
    add_to_collections,
    control_dependencies,
    get_collection,
    name_scope,
)
from tfgraph.legacy_contrib import variables as slim_variables
from tfgraph.legacy_contrib.arg_scope import add_arg_scope
from tfgraph.legacy_contrib.initializers import xavier_initializer
from tfgraph.legacy_layers import convolutional, convolutional3d, core, pooling
from tfgraph.legacy_layers.core import _smart_cond as smart_cond
from tfgraph.ops import array_ops, common_shapes, conv_ops, init_ops, nn_ops
from tfgraph.training.moving_averages import assign_moving_average
from tfgraph.variable_scope import get_variable_scope, variable_scope

__all__ = [
    "avg_pool2d",
    "batch_norm",
    "bias_add",
    "conv1d",
    "conv2d",
    "conv3d",
    "convolution",
    "convolution1d",
    "convolution2d",
    "convolution3d",
    "dropout",
    "flatten",
    "fully_connected",
    "layer_norm",
    "linear",
    "max_pool2d",
    "one_hot_encoding",
    "relu",
    "repeat",
    "softmax",
    "stack",
]

_NHWC, _NCHW = "NHWC", "NCHW"
# slim's defaults: one initializer object shared by every call, as in tf-slim
_XAVIER = xavier_initializer()
_ZEROS = init_ops.zeros_initializer()


_MODEL_VARIABLE_ARGS = (
    "dtype",
    "initializer",
    "regularizer",
    "trainable",
    "collections",
    "caching_device",
    "partitioner",
    "use_resource",
)


def _rename_getter(rename: dict):
    """A custom getter making the core layer's variables model variables under slim's
    names (`kernel` -> `weights`, `bias` -> `biases`)."""

    def layer_getter(getter, name, shape=None, **kwargs):
        head, _, short = name.rpartition("/")
        if short in rename:
            name = f"{head}/{rename[short]}" if head else rename[short]
        passed = {k: kwargs[k] for k in _MODEL_VARIABLE_ARGS if k in kwargs}
        return slim_variables.model_variable(name, shape=shape, custom_getter=getter, **passed)

    return layer_getter


def _collections(variables_collections, name: str):
    if isinstance(variables_collections, dict):
        found = variables_collections.get(name)
        return None if found is None else list(found)
    return variables_collections


def _add_to_collections(var, variables_collections, name: str) -> None:
    for collection in _collections(variables_collections, name) or []:
        if var not in get_collection(collection):
            add_to_collection(collection, var)


def collect_named_outputs(collections, alias, outputs):
    """Adds `outputs` to `collections` (tfgraph tensors carry no alias attribute)."""
    if collections:
        add_to_collections(collections, outputs)
    return outputs


def _finish(outputs, normalizer_fn, normalizer_params, activation_fn):
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return outputs


def _apply_weights_layer(
    layer_class,
    inputs,
    sc,
    reuse,
    *,
    normalizer_fn,
    weights_initializer,
    weights_regularizer,
    biases_initializer,
    biases_regularizer,
    trainable,
    variables_collections,
    **layer_args,
):
    """`layer_class` (a tf.layers layer with a kernel and a bias) built in scope `sc` from
    slim's weights/biases arguments, applied to `inputs`, its variables added to
    `variables_collections`: the output before the normalizer and the activation."""
    layer = layer_class(
        activation=None,
        use_bias=not normalizer_fn and biases_initializer is not None,
        kernel_initializer=weights_initializer,
        bias_initializer=biases_initializer,
        kernel_regularizer=weights_regularizer,
        bias_regularizer=biases_regularizer,
        trainable=trainable,
        name=sc.name,
        dtype=inputs.dtype.base_dtype,
        _scope=sc,
        _reuse=reuse,
        **layer_args,
    )
    outputs = layer.apply(inputs)
    _add_to_collections(layer.kernel, variables_collections, "weights")
    if layer.bias is not None:
        _add_to_collections(layer.bias, variables_collections, "biases")
    return outputs


@add_arg_scope
def fully_connected(
    inputs,
    num_outputs,
    activation_fn=nn_ops.relu,
    normalizer_fn=None,
    normalizer_params=None,
    weights_initializer=_XAVIER,
    weights_regularizer=None,
    biases_initializer=_ZEROS,
    biases_regularizer=None,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    scope=None,
):
    """A dense layer: `activation_fn(normalizer_fn(inputs @ weights + biases))`."""
    if not isinstance(num_outputs, int):
        raise ValueError(f"num_outputs type should be one of (int,), got {type(num_outputs)}.")
    getter = _rename_getter({"bias": "biases", "kernel": "weights"})
    with variable_scope(
        scope, "fully_connected", [inputs], reuse=reuse, custom_getter=getter
    ) as sc:
        inputs = convert_to_tensor(inputs)
        outputs = _apply_weights_layer(
            core.Dense,
            inputs,
            sc,
            reuse,
            normalizer_fn=normalizer_fn,
            weights_initializer=weights_initializer,
            weights_regularizer=weights_regularizer,
            biases_initializer=biases_initializer,
            biases_regularizer=biases_regularizer,
            trainable=trainable,
            variables_collections=variables_collections,
            units=num_outputs,
        )
        outputs = _finish(outputs, normalizer_fn, normalizer_params, activation_fn)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def convolution(
    inputs,
    num_outputs,
    kernel_size,
    stride=1,
    padding="SAME",
    data_format=None,
    rate=1,
    activation_fn=nn_ops.relu,
    normalizer_fn=None,
    normalizer_params=None,
    weights_initializer=_XAVIER,
    weights_regularizer=None,
    biases_initializer=_ZEROS,
    biases_regularizer=None,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    scope=None,
    conv_dims=None,
):
    """An N-D convolution layer (N = rank(inputs) - 2, from 1 to 3: `Conv/weights`,
    `Conv/biases`), then the normalizer and the activation."""
    if data_format not in (None, "NWC", "NCW", "NHWC", "NCHW", "NDHWC", "NCDHW"):
        raise ValueError(f"Invalid data_format: {data_format!r}")
    getter = _rename_getter({"bias": "biases", "kernel": "weights"})
    with variable_scope(scope, "Conv", [inputs], reuse=reuse, custom_getter=getter) as sc:
        inputs = convert_to_tensor(inputs)
        rank = inputs.get_shape().ndims
        if conv_dims is not None and conv_dims + 2 != rank:
            raise ValueError(f"Convolution expects input with rank {conv_dims + 2}, got {rank}")
        layer_class = _CONV_CLASSES.get(rank)
        if layer_class is None:
            raise ValueError("Convolution not supported for input with rank", rank)
        outputs = _apply_weights_layer(
            layer_class,
            inputs,
            sc,
            reuse,
            normalizer_fn=normalizer_fn,
            weights_initializer=weights_initializer,
            weights_regularizer=weights_regularizer,
            biases_initializer=biases_initializer,
            biases_regularizer=biases_regularizer,
            trainable=trainable,
            variables_collections=variables_collections,
            filters=num_outputs,
            kernel_size=kernel_size,
            strides=stride,
            padding=padding,
            data_format="channels_first"
            if data_format and data_format.startswith("NC")
            else "channels_last",
            dilation_rate=rate,
        )
        outputs = _finish(outputs, normalizer_fn, normalizer_params, activation_fn)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


class _SlimConv1D(convolutional.Conv1D):
    """tf.layers' Conv1D as slim's copy of it builds it: the op is `conv1d`."""

    def call(self, inputs):
        if self.padding == "causal":
            return super().call(inputs)
        outputs = conv_ops.conv1d(
            inputs,
            self.kernel,
            stride=self.strides[0],
            padding=self.padding.upper(),
            data_format=self._tf_data_format,
            dilations=self.dilation_rate[0],
            name="conv1d",
        )
        if self.use_bias:
            fmt = _NCHW if self.data_format == "channels_first" else _NHWC
            outputs = conv_ops.bias_add(outputs, self.bias, data_format=fmt)
        return outputs


_CONV_CLASSES = {
    3: _SlimConv1D,
    4: convolutional.Conv2D,
    5: convolutional3d.Conv3D,
}


def _fixed_rank_convolution(conv_dims: int, name: str):
    """`convolution` for inputs of rank `conv_dims + 2` only (an arg-scoped function
    of its own, as slim's `convolution1d` / `2d` / `3d`)."""

    def conv(
        inputs,
        num_outputs,
        kernel_size,
        stride=1,
        padding="SAME",
        data_format=None,
        rate=1,
        activation_fn=nn_ops.relu,
        normalizer_fn=None,
        normalizer_params=None,
        weights_initializer=_XAVIER,
        weights_regularizer=None,
        biases_initializer=_ZEROS,
        biases_regularizer=None,
        reuse=None,
        variables_collections=None,
        outputs_collections=None,
        trainable=True,
        scope=None,
    ):
        return convolution(
            inputs,
            num_outputs,
            kernel_size,
            stride,
            padding,
            data_format,
            rate,
            activation_fn,
            normalizer_fn,
            normalizer_params,
            weights_initializer,
            weights_regularizer,
            biases_initializer,
            biases_regularizer,
            reuse,
            variables_collections,
            outputs_collections,
            trainable,
            scope,
            conv_dims=conv_dims,
        )

    conv.__name__ = conv.__qualname__ = name
    conv.__doc__ = f"`convolution` of rank-{conv_dims + 2} inputs ({conv_dims}-D)."
    return add_arg_scope(conv)


convolution1d = _fixed_rank_convolution(1, "convolution1d")
convolution2d = _fixed_rank_convolution(2, "convolution2d")
convolution3d = _fixed_rank_convolution(3, "convolution3d")
conv1d = convolution1d
conv2d = convolution2d
conv3d = convolution3d


def _pool2d(
    layer_class, default_name, inputs, kernel_size, stride, padding, data_format, oc, scope
):
    if data_format not in (_NCHW, _NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with name_scope(scope, default_name, [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        layer = layer_class(
            pool_size=kernel_size,
            strides=stride,
            padding=padding,
            data_format="channels_first" if data_format.startswith("NC") else "channels_last",
            _scope=sc,
        )
        return collect_named_outputs(oc, sc, layer.apply(inputs))


@add_arg_scope
def max_pool2d(
    inputs,
    kernel_size,
    stride=2,
    padding="VALID",
    data_format=_NHWC,
    outputs_collections=None,
    scope=None,
):
    """2-D max pooling (`MaxPool2D/MaxPool`)."""
    return _pool2d(
        pooling.MaxPooling2D,
        "MaxPool2D",
        inputs,
        kernel_size,
        stride,
        padding,
        data_format,
        outputs_collections,
        scope,
    )


@add_arg_scope
def avg_pool2d(
    inputs,
    kernel_size,
    stride=2,
    padding="VALID",
    data_format=_NHWC,
    outputs_collections=None,
    scope=None,
):
    """2-D average pooling (`AvgPool2D/AvgPool`)."""
    return _pool2d(
        pooling.AveragePooling2D,
        "AvgPool2D",
        inputs,
        kernel_size,
        stride,
        padding,
        data_format,
        outputs_collections,
        scope,
    )


@add_arg_scope
def flatten(inputs, outputs_collections=None, scope=None):
    """[batch, ...] -> [batch, k] (`Flatten/flatten/Reshape`)."""
    with name_scope(scope, "Flatten", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        return collect_named_outputs(outputs_collections, sc, core.flatten(inputs))


@add_arg_scope
def dropout(
    inputs,
    keep_prob=0.5,
    noise_shape=None,
    is_training=True,
    outputs_collections=None,
    scope=None,
    seed=None,
):
    """Dropout keeping `keep_prob` of the inputs while `is_training` (identity else)."""
    with variable_scope(scope, "Dropout", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        layer = core.Dropout(
            rate=1 - keep_prob, noise_shape=noise_shape, seed=seed, name=sc.name, _scope=sc
        )
        outputs = layer.apply(inputs, training=is_training)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def bias_add(
    inputs,
    activation_fn=None,
    initializer=_ZEROS,
    regularizer=None,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    data_format=_NHWC,
    scope=None,
):
    """Adds a `BiasAdd/biases` model variable along the channel axis."""
    if data_format not in (_NCHW, _NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with variable_scope(scope, "BiasAdd", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        shape = inputs.get_shape()
        if shape.ndims is None:
            raise ValueError("Dims of shape must be known but is None")
        if shape.ndims != 4 and data_format == _NCHW:
            raise ValueError("Data format NCHW only supports 4D Tensor")
        channels = shape.as_list()[1 if data_format == _NCHW else -1]
        if channels is None:
            raise ValueError("`C` dimension must be known but is None")
        biases = slim_variables.model_variable(
            "biases",
            shape=[channels],
            dtype=inputs.dtype.base_dtype,
            initializer=initializer,
            regularizer=regularizer,
            collections=_collections(variables_collections, "biases"),
            trainable=trainable,
        )
        outputs = conv_ops.bias_add(inputs, biases, data_format=data_format)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def one_hot_encoding(
    labels, num_classes, on_value=1.0, off_value=0.0, outputs_collections=None, scope=None
):
    """One-hot rows of `labels` (int32 labels are cast to int64 first, as slim does)."""
    with name_scope(scope, "OneHotEncoding", [labels, num_classes]) as sc:
        labels = convert_to_tensor(labels)
        if labels.dtype == dtypes.int32:
            labels = array_ops.cast(labels, dtypes.int64, name="ToInt64")
        outputs = array_ops.one_hot(labels, num_classes, on_value=on_value, off_value=off_value)
        return collect_named_outputs(outputs_collections, sc, outputs)


def _layer_name(layer, default: str) -> str:
    name = getattr(layer, "__name__", None)
    if name is None:
        name = getattr(getattr(layer, "func", None), "__name__", None)  # (a partial)
    return name or default


def repeat(inputs, repetitions, layer, *args, **kwargs):
    """`layer` applied `repetitions` times, in scopes `<name>_1`, `<name>_2`, ..."""
    scope = kwargs.pop("scope", None)
    with variable_scope(scope, "Repeat", [inputs]):
        outputs = convert_to_tensor(inputs)
        scope = scope or _layer_name(layer, "repeat")
        for i in range(repetitions):
            kwargs["scope"] = f"{scope}_{i + 1}"
            outputs = layer(outputs, *args, **kwargs)
        return outputs


def stack(inputs, layer, stack_args, **kwargs):
    """`layer` applied once per entry of `stack_args` (its positional arguments)."""
    scope = kwargs.pop("scope", None)
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError("stack_args need to be a list or tuple")
    with variable_scope(scope, "Stack", [inputs]):
        outputs = convert_to_tensor(inputs)
        scope = scope or _layer_name(layer, "stack")
        for i, layer_args in enumerate(stack_args):
            kwargs["scope"] = f"{scope}_{i + 1}"
            if not isinstance(layer_args, (list, tuple)):
                layer_args = [layer_args]
            outputs = layer(outputs, *layer_args, **kwargs)
        return outputs


@add_arg_scope
def softmax(logits, scope=None):
    """Softmax over the last dimension of logits of any rank >= 2."""
    with variable_scope(scope, "softmax", [logits]):
        shape = logits.get_shape()
        if shape.ndims is None or shape.ndims < 2:
            raise ValueError(f"rank of shape must be at least 2 not: {shape.ndims}")
        num_logits = shape.as_list()[-1]
        if num_logits is None:
            raise ValueError("last dimension shape must be known but is None")
        predictions = nn_ops.softmax(array_ops.reshape(logits, [-1, num_logits]))
        predictions = array_ops.reshape(predictions, array_ops.shape(logits))
        predictions.set_shape(shape)
        return predictions


def linear(inputs, num_outputs, **kwargs):
    """`fully_connected` without activation."""
    return fully_connected(inputs, num_outputs, activation_fn=None, **kwargs)


def relu(inputs, num_outputs, **kwargs):
    """`fully_connected` with a ReLU."""
    return fully_connected(inputs, num_outputs, activation_fn=nn_ops.relu, **kwargs)


# -- batch normalization ------------------------------------------------------------------
def _bn_variable(name, shape, initializer, regularizer, collections, trainable):
    return slim_variables.model_variable(
        name,
        shape=shape,
        dtype=dtypes.float32,
        initializer=initializer,
        regularizer=regularizer,
        collections=collections,
        trainable=trainable,
    )


@add_arg_scope
def batch_norm(
    inputs,
    decay=0.999,
    center=True,
    scale=False,
    epsilon=0.001,
    activation_fn=None,
    param_initializers=None,
    param_regularizers=None,
    updates_collections=GraphKeys.UPDATE_OPS,
    is_training=True,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    batch_weights=None,
    fused=None,
    data_format=_NHWC,
    zero_debias_moving_mean=False,
    scope=None,
    renorm=False,
    renorm_clipping=None,
    renorm_decay=0.99,
    adjustment=None,
):
    """Batch normalization of rank-2 or rank-4 inputs with a FusedBatchNormV3 op:
    model variables `BatchNorm/beta` (center), `BatchNorm/gamma` (scale),
    `moving_mean`, `moving_variance`; while training, the moving averages' updates go
    to `updates_collections` (or run with the output when it is None).

    tfgraph builds slim's fused graph for every case it supports; the values equal
    tf-slim's (whose default for rank-4 inputs goes through the Keras layer, a
    different op graph). Not supported: `fused=False`, `batch_weights`, `renorm`,
    `adjustment`, `zero_debias_moving_mean`, other ranks."""
    unsupported = {
        "fused=False": fused is False,
        "batch_weights": batch_weights is not None,
        "renorm": bool(renorm),
        "adjustment": adjustment is not None,
        "zero_debias_moving_mean": bool(zero_debias_moving_mean),
    }
    for what, used in unsupported.items():
        if used:
            raise NotImplementedError(f"batch_norm({what}) is not supported by tfgraph yet")
    if data_format not in (_NCHW, _NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        original_shape = inputs.get_shape()
        original_inputs = inputs
        rank = original_shape.ndims
        if rank is None:
            raise ValueError(f"Inputs {inputs.name} has undefined rank")
        if rank not in (2, 4):
            raise ValueError(
                f"Inputs {inputs.name} has unsupported rank. Expected 2 or 4 but got {rank}"
            )
        if rank == 2:
            channels = original_shape.as_list()[-1]
            if channels is None:
                raise ValueError("`C` dimension must be known but is None")
            new_shape = [-1, channels, 1, 1] if data_format == _NCHW else [-1, 1, 1, channels]
            inputs = array_ops.reshape(inputs, new_shape)
        inputs_shape = inputs.get_shape()
        params_shape = inputs_shape[-1:] if data_format == _NHWC else inputs_shape[1:2]
        if not params_shape.is_fully_defined():
            raise ValueError(f"Inputs {inputs.name} has undefined `C` dimension {params_shape}.")
        inits = param_initializers or {}
        regs = param_regularizers or {}
        if center:
            beta = _bn_variable(
                "beta",
                params_shape,
                inits.get("beta", init_ops.zeros_initializer()),
                regs.get("beta"),
                _collections(variables_collections, "beta"),
                trainable,
            )
        else:
            beta = array_ops.constant(0.0, dtype=dtypes.float32, shape=params_shape)
        if scale:
            gamma = _bn_variable(
                "gamma",
                params_shape,
                inits.get("gamma", init_ops.ones_initializer()),
                regs.get("gamma"),
                _collections(variables_collections, "gamma"),
                trainable,
            )
        else:
            gamma = array_ops.constant(1.0, dtype=dtypes.float32, shape=params_shape)
        with variable_scope(get_variable_scope()) as local_scope:
            local_scope.set_partitioner(None)
            moving_mean = _bn_variable(
                "moving_mean",
                params_shape,
                inits.get("moving_mean", init_ops.zeros_initializer()),
                None,
                _collections(variables_collections, "moving_mean"),
                False,
            )
            moving_variance = _bn_variable(
                "moving_variance",
                params_shape,
                inits.get("moving_variance", init_ops.ones_initializer()),
                None,
                _collections(variables_collections, "moving_variance"),
                False,
            )

        def training():
            return nn_ops.fused_batch_norm(
                inputs, gamma, beta, epsilon=epsilon, data_format=data_format
            )

        def inference():
            return nn_ops.fused_batch_norm(
                inputs,
                gamma,
                beta,
                mean=moving_mean,
                variance=moving_variance,
                epsilon=epsilon,
                is_training=False,
                data_format=data_format,
            )

        outputs, mean, variance = smart_cond(is_training, training, inference)
        training_value = (
            is_training
            if isinstance(is_training, bool)
            else common_shapes.constant_value(is_training)
        )
        if training_value is None or training_value:

            def updates():
                return (
                    assign_moving_average(moving_mean, mean, decay, zero_debias=False),
                    assign_moving_average(moving_variance, variance, decay, zero_debias=False),
                )

            if updates_collections is None:

                def forced():
                    with control_dependencies(list(updates())):
                        return array_ops.identity(outputs)

                outputs = smart_cond(is_training, forced, lambda: outputs)
            else:
                update_mean, update_variance = smart_cond(
                    is_training, updates, lambda: (moving_mean, moving_variance)
                )
                add_to_collections(updates_collections, update_mean)
                add_to_collections(updates_collections, update_variance)
        outputs.set_shape(inputs_shape)
        if rank == 2:
            dims = original_shape.as_list()
            if dims.count(None) <= 1:
                outputs = array_ops.reshape(outputs, [-1 if d is None else d for d in dims])
            else:
                outputs = array_ops.reshape(outputs, array_ops.shape(original_inputs))
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


# -- layer normalization ------------------------------------------------------------------
@add_arg_scope
def layer_norm(
    inputs,
    center=True,
    scale=True,
    activation_fn=None,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    begin_norm_axis=1,
    begin_params_axis=-1,
    scope=None,
):
    """Layer normalization (Ba et al., 2016): each example normalized by the mean and
    variance of its dimensions from `begin_norm_axis` on, then scaled by the model
    variable `LayerNorm/gamma` and shifted by `LayerNorm/beta` (shaped like the
    dimensions from `begin_params_axis` on), with `tf.nn.moments` and
    `tf.nn.batch_normalization` as contrib builds it (epsilon 1e-12, 1e-3 in float16).

    Raises:
        ValueError: if the rank of `inputs` is unknown, an axis is out of range, or the
            parameters' shape is not fully defined.
    """
    with variable_scope(scope, "LayerNorm", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        inputs_shape = inputs.shape
        rank = inputs_shape.ndims
        if rank is None:
            raise ValueError(f"Inputs {inputs.name} has undefined rank.")
        dtype = inputs.dtype.base_dtype
        if begin_norm_axis < 0:
            begin_norm_axis = rank + begin_norm_axis
        if begin_params_axis >= rank or begin_norm_axis >= rank:
            raise ValueError(
                f"begin_params_axis ({begin_params_axis}) and begin_norm_axis "
                f"({begin_norm_axis}) must be < rank(inputs) ({rank})"
            )
        params_shape = inputs_shape[begin_params_axis:]
        if not params_shape.is_fully_defined():
            raise ValueError(
                f"Inputs {inputs.name}: shape(inputs)[{begin_params_axis}:] is not fully "
                f"defined: {params_shape}"
            )
        params = {}
        for name, wanted, init in (
            ("beta", center, init_ops.zeros_initializer()),
            ("gamma", scale, init_ops.ones_initializer()),
        ):
            if wanted:
                params[name] = slim_variables.model_variable(
                    name,
                    shape=params_shape,
                    dtype=dtype,
                    initializer=init,
                    collections=_collections(variables_collections, name),
                    trainable=trainable,
                )
        mean, variance = nn_ops.moments(inputs, list(range(begin_norm_axis, rank)), keep_dims=True)
        outputs = nn_ops.batch_normalization(
            inputs,
            mean,
            variance,
            offset=params.get("beta"),
            scale=params.get("gamma"),
            variance_epsilon=1e-3 if dtype == dtypes.float16 else 1e-12,
        )
        outputs.set_shape(inputs_shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)

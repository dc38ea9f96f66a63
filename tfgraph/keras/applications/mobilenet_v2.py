"""`tf.keras.applications.mobilenet_v2`: MobileNetV2 (Sandler et al. 2018), inverted
residual blocks with linear bottlenecks, as Keras builds it."""

from __future__ import annotations

from tfgraph import logging
from tfgraph.keras import backend, layers
from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.engine.functional import Model

__all__ = ["MobileNetV2", "decode_predictions", "preprocess_input"]

BASE_WEIGHT_PATH = iu.WEIGHTS_BASE + "mobilenet_v2/"
# (filters, stride, expansion) of inverted residual blocks 0..16
_BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6),
           (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6),
           (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6), (320, 1, 6))  # fmt: skip
_SIZES = (96, 128, 160, 192, 224)


def _rows_cols(shape):
    if backend.image_data_format() == "channels_first":
        return shape[1], shape[2]
    return shape[0], shape[1]


def _default_size(input_shape, input_tensor) -> int:
    if input_shape is None and input_tensor is not None and backend.is_keras_tensor(input_tensor):
        rows, cols = _rows_cols(backend.int_shape(input_tensor)[1:])
    elif input_shape is not None:
        rows, cols = _rows_cols(input_shape)
    else:
        return 224
    return rows if rows == cols and rows in _SIZES else 224


def _imagenet_rows(weights, alpha, rows, cols):
    if weights != "imagenet":
        return rows
    if alpha not in [0.35, 0.5, 0.75, 1.0, 1.3, 1.4]:
        raise ValueError(
            "If imagenet weights are being loaded, alpha must be one of `0.35`, `0.50`, "
            f"`0.75`, `1.0`, `1.3` or `1.4` only; Received `alpha={alpha}`"
        )
    if rows != cols or rows not in _SIZES:
        logging.warning(
            "`input_shape` is undefined or non-square, or `rows` is not in [96, 128, 160, "
            "192, 224]. Weights for input shape (224, 224) will be loaded as the default."
        )
        return 224
    return rows


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights="imagenet",
                input_tensor=None, pooling=None, classes=1000,
                classifier_activation="softmax", **kwargs):  # fmt: skip
    """MobileNetV2: a strided 3x3 convolution, 17 inverted residual blocks, a 1x1
    convolution to 1280 channels (more when `alpha` > 1), then the classifier."""
    if kwargs:
        raise ValueError(f"Unknown argument(s): {kwargs}")
    iu.check_weights(weights, include_top, classes)
    input_shape = iu.obtain_input_shape(
        input_shape,
        _default_size(input_shape, input_tensor),
        32,
        backend.image_data_format(),
        include_top,
        weights,
    )
    rows = _imagenet_rows(weights, alpha, *_rows_cols(input_shape))
    img_input = iu.image_input(input_tensor, input_shape)
    axis = _channel_axis()
    x = layers.Conv2D(_make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2),
                      padding="same", use_bias=False, name="Conv1")(img_input)  # fmt: skip
    x = layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999, name="bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, expansion, stride, alpha, filters, block_id)
    last = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999, name="Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    x = iu.top_or_pooling(x, include_top, pooling, classes, classifier_activation, weights,
                          top_name=None, pool_names=False)  # fmt: skip
    model = Model(
        iu.source_inputs(input_tensor, img_input), x, name=f"mobilenetv2_{alpha:0.2f}_{rows}"
    )
    fname = (f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
             f"{'' if include_top else '_no_top'}.h5")  # fmt: skip
    return iu.load_weights(model, weights, fname, BASE_WEIGHT_PATH + fname)


def _channel_axis() -> int:
    return 1 if backend.image_data_format() == "channels_first" else -1


def _bn(name: str):
    return layers.BatchNormalization(axis=_channel_axis(), epsilon=1e-3, momentum=0.999,
                                     name=name)  # fmt: skip


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    in_channels = backend.int_shape(inputs)[_channel_axis()]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same",
                          use_bias=False, activation=None, name=prefix + "expand")(x)  # fmt: skip
        x = _bn(prefix + "expand_BN")(x)
        x = layers.ReLU(6.0, name=prefix + "expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=iu.correct_pad(x, 3), name=prefix + "pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=prefix + "depthwise")(x)  # fmt: skip
    x = _bn(prefix + "depthwise_BN")(x)
    x = layers.ReLU(6.0, name=prefix + "depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False,
                      activation=None, name=prefix + "project")(x)  # fmt: skip
    x = _bn(prefix + "project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=prefix + "add")([inputs, x])
    return x


def _make_divisible(v, divisor, min_value=None):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def preprocess_input(x, data_format=None):
    """Scaled to [-1, 1] ("tf" mode)."""
    return iu.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

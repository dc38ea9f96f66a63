"""`tf.keras.applications.mobilenet`: MobileNet (Howard et al. 2017) with width
multiplier `alpha` and depth multiplier, as Keras builds it."""

from __future__ import annotations

from tfgraph import logging
from tfgraph.keras import backend, layers
from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.engine.functional import Model

__all__ = ["MobileNet", "decode_predictions", "preprocess_input"]

BASE_WEIGHT_PATH = iu.WEIGHTS_BASE + "mobilenet/"
# (pointwise filters, strides) of depthwise-separable blocks 1..13
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))  # fmt: skip
_SIZES = (128, 160, 192, 224)


def _rows_cols(input_shape):
    if backend.image_data_format() == "channels_first":
        return input_shape[1], input_shape[2]
    return input_shape[0], input_shape[1]


def _check_imagenet(weights, depth_multiplier, alpha, rows, cols):
    if weights != "imagenet":
        return rows
    if depth_multiplier != 1:
        raise ValueError(
            "If imagenet weights are being loaded, depth multiplier must be 1.  "
            f"Received depth_multiplier={depth_multiplier}"
        )
    if alpha not in [0.25, 0.5, 0.75, 1.0]:
        raise ValueError(
            "If imagenet weights are being loaded, alpha can be one of`0.25`, `0.50`, "
            f"`0.75` or `1.0` only.  Received alpha={alpha}"
        )
    if rows != cols or rows not in _SIZES:
        logging.warning(
            "`input_shape` is undefined or non-square, or `rows` is not in [128, 160, "
            "192, 224]. Weights for input shape (224, 224) will be loaded as the default."
        )
        return 224
    return rows


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True,
              weights="imagenet", input_tensor=None, pooling=None, classes=1000,
              classifier_activation="softmax", **kwargs):  # fmt: skip
    """MobileNet: a strided 3x3 convolution, then 13 depthwise-separable blocks, then a
    1x1-convolution classifier (`dropout` before it)."""
    if kwargs:
        raise ValueError(f"Unknown argument(s): {(kwargs,)}")
    iu.check_weights(weights, include_top, classes)
    default_size = 224
    if input_shape is not None:
        rows, cols = _rows_cols(input_shape)
        default_size = rows if rows == cols and rows in _SIZES else 224
    input_shape = iu.obtain_input_shape(
        input_shape, default_size, 32, backend.image_data_format(), include_top, weights
    )
    rows = _check_imagenet(weights, depth_multiplier, alpha, *_rows_cols(input_shape))
    img_input = iu.image_input(input_tensor, input_shape)
    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier, (stride, stride), block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        iu.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = iu.top_or_pooling(x, False, pooling, classes, None, weights, pool_names=False)
    model = Model(
        iu.source_inputs(input_tensor, img_input), x, name=f"mobilenet_{alpha:0.2f}_{rows}"
    )
    alpha_text = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0"}.get(alpha, "2_5")
    fname = f"mobilenet_{alpha_text}_{rows}_tf{'' if include_top else '_no_top'}.h5"
    return iu.load_weights(model, weights, fname, BASE_WEIGHT_PATH + fname)


def _channel_axis() -> int:
    return 1 if backend.image_data_format() == "channels_first" else -1


def _conv_block(inputs, filters, alpha, kernel=(3, 3), strides=(1, 1)):
    x = layers.Conv2D(int(filters * alpha), kernel, padding="same", use_bias=False,
                      strides=strides, name="conv1")(inputs)  # fmt: skip
    x = layers.BatchNormalization(axis=_channel_axis(), name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(inputs, pointwise_conv_filters, alpha, depth_multiplier=1,
                          strides=(1, 1), block_id=1):  # fmt: skip
    x = inputs
    if strides != (1, 1):
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == (1, 1) else "valid",
                               depth_multiplier=depth_multiplier, strides=strides,
                               use_bias=False, name=f"conv_dw_{block_id}")(x)  # fmt: skip
    x = layers.BatchNormalization(axis=_channel_axis(), name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(pointwise_conv_filters * alpha), (1, 1), padding="same",
                      use_bias=False, strides=(1, 1), name=f"conv_pw_{block_id}")(x)  # fmt: skip
    x = layers.BatchNormalization(axis=_channel_axis(), name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def preprocess_input(x, data_format=None):
    """Scaled to [-1, 1] ("tf" mode)."""
    return iu.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

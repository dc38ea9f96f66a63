"""`tf.keras.applications.xception`: Xception (Chollet 2016) as Keras builds it."""

from __future__ import annotations

from tfgraph.keras import backend, layers
from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.engine.functional import Model

__all__ = ["Xception", "decode_predictions", "preprocess_input"]

WEIGHTS_PATH = iu.WEIGHTS_BASE + "xception/xception_weights_tf_dim_ordering_tf_kernels"
WEIGHTS_HASHES = ("0a58e3b7378bc2990ea3b43d5981f1f6", "b0042744bf5b25fce3cb969f33bebb97")


def _axis() -> int:
    return 1 if backend.image_data_format() == "channels_first" else -1


def _sep_bn(x, filters, name):
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=_axis(), name=name + "_bn")(x)


def _entry_block(x, filters, block, first_relu=True):
    """Two separable convolutions and a strided max pool, plus a strided 1x1 shortcut."""
    residual = layers.Conv2D(filters[1], (1, 1), strides=(2, 2), padding="same",
                             use_bias=False)(x)  # fmt: skip
    residual = layers.BatchNormalization(axis=_axis())(residual)
    if first_relu:
        x = layers.Activation("relu", name=f"block{block}_sepconv1_act")(x)
    x = _sep_bn(x, filters[0], f"block{block}_sepconv1")
    x = layers.Activation("relu", name=f"block{block}_sepconv2_act")(x)
    x = _sep_bn(x, filters[1], f"block{block}_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(x)
    return layers.add([x, residual])


def _middle_block(x, block):
    residual = x
    for i in (1, 2, 3):
        x = layers.Activation("relu", name=f"block{block}_sepconv{i}_act")(x)
        x = _sep_bn(x, 728, f"block{block}_sepconv{i}")
    return layers.add([x, residual])


def _body(x):
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(x)
    x = layers.BatchNormalization(axis=_axis(), name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=_axis(), name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    x = _entry_block(x, (128, 128), 2, first_relu=False)
    x = _entry_block(x, (256, 256), 3)
    x = _entry_block(x, (728, 728), 4)
    for block in range(5, 13):
        x = _middle_block(x, block)
    x = _entry_block(x, (728, 1024), 13)
    x = _sep_bn(x, 1536, "block14_sepconv1")
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = _sep_bn(x, 2048, "block14_sepconv2")
    return layers.Activation("relu", name="block14_sepconv2_act")(x)


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax"):  # fmt: skip
    """Xception (299x299 inputs by default, at least 71x71)."""
    iu.check_weights(weights, include_top, classes)
    input_shape = iu.obtain_input_shape(
        input_shape, 299, 71, backend.image_data_format(), include_top, weights
    )
    img_input = iu.image_input(input_tensor, input_shape)
    x = _body(img_input)
    x = iu.top_or_pooling(x, include_top, pooling, classes, classifier_activation, weights,
                          pool_names=False)  # fmt: skip
    model = Model(iu.source_inputs(input_tensor, img_input), x, name="xception")
    fname = f"xception_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    origin = WEIGHTS_PATH + ("" if include_top else "_notop") + ".h5"
    return iu.load_weights(model, weights, fname, origin, WEIGHTS_HASHES[0 if include_top else 1])


def preprocess_input(x, data_format=None):
    """Scaled to [-1, 1] ("tf" mode)."""
    return iu.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

"""`tf.keras.applications.inception_v3`: Inception V3 (Szegedy et al. 2015) as Keras
builds it (its convolutions and batch norms keep Keras's automatic names)."""

from __future__ import annotations

from tfgraph.keras import backend, layers
from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.engine.functional import Model

__all__ = ["InceptionV3", "decode_predictions", "preprocess_input"]

WEIGHTS_PATH = iu.WEIGHTS_BASE + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels"
WEIGHTS_HASHES = ("9a0d58056eeedaa3f26cb7ebd46da564", "bcbd6486424b2319ff4ef7d526e38f63")


def _axis() -> int:
    return 1 if backend.image_data_format() == "channels_first" else 3


def conv2d_bn(x, filters, num_row, num_col, padding="same", strides=(1, 1), name=None):
    """Convolution (no bias), batch norm without scale, ReLU."""
    bn_name = None if name is None else name + "_bn"
    conv_name = None if name is None else name + "_conv"
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides, padding=padding,
                      use_bias=False, name=conv_name)(x)  # fmt: skip
    x = layers.BatchNormalization(axis=_axis(), scale=False, name=bn_name)(x)
    return layers.Activation("relu", name=name)(x)


def _avg_branch(x, filters):
    pool = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(pool, filters, 1, 1)


def _block_35(x, pool_filters, name):
    branch1x1 = conv2d_bn(x, 64, 1, 1)
    branch5x5 = conv2d_bn(conv2d_bn(x, 48, 1, 1), 64, 5, 5)
    branch3x3dbl = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
    branch_pool = _avg_branch(x, pool_filters)
    return layers.concatenate([branch1x1, branch5x5, branch3x3dbl, branch_pool],
                              axis=_axis(), name=name)  # fmt: skip


def _block_17(x, width, name):
    branch1x1 = conv2d_bn(x, 192, 1, 1)
    branch7x7 = conv2d_bn(x, width, 1, 1)
    branch7x7 = conv2d_bn(branch7x7, width, 1, 7)
    branch7x7 = conv2d_bn(branch7x7, 192, 7, 1)
    dbl = conv2d_bn(x, width, 1, 1)
    dbl = conv2d_bn(dbl, width, 7, 1)
    dbl = conv2d_bn(dbl, width, 1, 7)
    dbl = conv2d_bn(dbl, width, 7, 1)
    dbl = conv2d_bn(dbl, 192, 1, 7)
    branch_pool = _avg_branch(x, 192)
    return layers.concatenate([branch1x1, branch7x7, dbl, branch_pool], axis=_axis(), name=name)


def _block_8(x, i):
    branch1x1 = conv2d_bn(x, 320, 1, 1)
    branch3x3 = conv2d_bn(x, 384, 1, 1)
    branch3x3 = layers.concatenate([conv2d_bn(branch3x3, 384, 1, 3),
                                    conv2d_bn(branch3x3, 384, 3, 1)],
                                   axis=_axis(), name=f"mixed9_{i}")  # fmt: skip
    dbl = conv2d_bn(conv2d_bn(x, 448, 1, 1), 384, 3, 3)
    dbl = layers.concatenate([conv2d_bn(dbl, 384, 1, 3), conv2d_bn(dbl, 384, 3, 1)],
                             axis=_axis())  # fmt: skip
    branch_pool = _avg_branch(x, 192)
    return layers.concatenate([branch1x1, branch3x3, dbl, branch_pool], axis=_axis(),
                              name=f"mixed{9 + i}")  # fmt: skip


def _body(x):
    x = conv2d_bn(x, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _block_35(x, 32, "mixed0")
    x = _block_35(x, 64, "mixed1")
    x = _block_35(x, 64, "mixed2")
    branch3x3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    dbl = conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3)
    dbl = conv2d_bn(dbl, 96, 3, 3, strides=(2, 2), padding="valid")
    branch_pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([branch3x3, dbl, branch_pool], axis=_axis(), name="mixed3")
    for width, name in ((128, "mixed4"), (160, "mixed5"), (160, "mixed6"), (192, "mixed7")):
        x = _block_17(x, width, name)
    branch3x3 = conv2d_bn(conv2d_bn(x, 192, 1, 1), 320, 3, 3, strides=(2, 2), padding="valid")
    b7 = conv2d_bn(conv2d_bn(conv2d_bn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1)
    b7 = conv2d_bn(b7, 192, 3, 3, strides=(2, 2), padding="valid")
    branch_pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([branch3x3, b7, branch_pool], axis=_axis(), name="mixed8")
    for i in range(2):
        x = _block_8(x, i)
    return x


def InceptionV3(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):  # fmt: skip
    """Inception V3 (299x299 inputs by default, at least 75x75)."""
    iu.check_weights(weights, include_top, classes)
    input_shape = iu.obtain_input_shape(
        input_shape, 299, 75, backend.image_data_format(), include_top, weights
    )
    img_input = iu.image_input(input_tensor, input_shape)
    x = _body(img_input)
    x = iu.top_or_pooling(x, include_top, pooling, classes, classifier_activation, weights,
                          pool_names=False)  # fmt: skip
    model = Model(iu.source_inputs(input_tensor, img_input), x, name="inception_v3")
    fname = f"inception_v3_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    origin = WEIGHTS_PATH + ("" if include_top else "_notop") + ".h5"
    return iu.load_weights(model, weights, fname, origin, WEIGHTS_HASHES[0 if include_top else 1])


def preprocess_input(x, data_format=None):
    """Scaled to [-1, 1] ("tf" mode)."""
    return iu.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

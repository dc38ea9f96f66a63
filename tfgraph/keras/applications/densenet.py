"""`tf.keras.applications.densenet`: DenseNet121/169/201 (Huang et al. 2016) as Keras
builds them."""

from __future__ import annotations

from tfgraph.keras import backend, layers
from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.engine.functional import Model

__all__ = [
    "DenseNet121",
    "DenseNet169",
    "DenseNet201",
    "decode_predictions",
    "preprocess_input",
]

BASE_WEIGHTS_PATH = iu.WEIGHTS_BASE + "densenet/"
_NAMES = {(6, 12, 24, 16): "densenet121", (6, 12, 32, 32): "densenet169",
          (6, 12, 48, 32): "densenet201"}  # fmt: skip
WEIGHTS_HASHES = {
    "densenet121": ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    "densenet169": ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    "densenet201": ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
_EPS = 1.001e-5


def _bn_axis() -> int:
    return 3 if backend.image_data_format() == "channels_last" else 1


def dense_block(x, blocks, name):
    """`blocks` conv blocks, each concatenating 32 new channels."""
    for i in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{i + 1}")
    return x


def transition_block(x, reduction, name):
    """BN-ReLU, a 1x1 convolution to `reduction` of the channels, 2x2 average pool."""
    x = layers.BatchNormalization(axis=_bn_axis(), epsilon=_EPS, name=name + "_bn")(x)
    x = layers.Activation("relu", name=name + "_relu")(x)
    filters = int(backend.int_shape(x)[_bn_axis()] * reduction)
    x = layers.Conv2D(filters, 1, use_bias=False, name=name + "_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=name + "_pool")(x)


def conv_block(x, growth_rate, name):
    """BN-ReLU-1x1 conv, BN-ReLU-3x3 conv, concatenated to the input."""
    x1 = layers.BatchNormalization(axis=_bn_axis(), epsilon=_EPS, name=name + "_0_bn")(x)
    x1 = layers.Activation("relu", name=name + "_0_relu")(x1)
    x1 = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=name + "_1_conv")(x1)
    x1 = layers.BatchNormalization(axis=_bn_axis(), epsilon=_EPS, name=name + "_1_bn")(x1)
    x1 = layers.Activation("relu", name=name + "_1_relu")(x1)
    x1 = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=name + "_2_conv")(x1)
    return layers.Concatenate(axis=_bn_axis(), name=name + "_concat")([x, x1])


def DenseNet(blocks, include_top=True, weights="imagenet", input_tensor=None,
             input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax"):  # fmt: skip
    """A DenseNet with `blocks` conv blocks in its four dense blocks."""
    iu.check_weights(weights, include_top, classes)
    input_shape = iu.obtain_input_shape(
        input_shape, 224, 32, backend.image_data_format(), include_top, weights
    )
    img_input = iu.image_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1/conv")(x)
    x = layers.BatchNormalization(axis=_bn_axis(), epsilon=_EPS, name="conv1/bn")(x)
    x = layers.Activation("relu", name="conv1/relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage in range(3):
        x = dense_block(x, blocks[stage], name=f"conv{stage + 2}")
        x = transition_block(x, 0.5, name=f"pool{stage + 2}")
    x = dense_block(x, blocks[3], name="conv5")
    x = layers.BatchNormalization(axis=_bn_axis(), epsilon=_EPS, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = iu.top_or_pooling(x, include_top, pooling, classes, classifier_activation, weights)
    name = _NAMES.get(tuple(blocks), "densenet")
    model = Model(iu.source_inputs(input_tensor, img_input), x, name=name)
    fname = origin = file_hash = None
    if name in WEIGHTS_HASHES:
        fname = f"{name}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
        origin = BASE_WEIGHTS_PATH + fname
        file_hash = WEIGHTS_HASHES[name][0 if include_top else 1]
    return iu.load_weights(model, weights, fname, origin, file_hash)


def DenseNet121(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):  # fmt: skip
    """DenseNet121 (dense blocks of 6, 12, 24, 16)."""
    return DenseNet([6, 12, 24, 16], include_top, weights, input_tensor, input_shape,
                    pooling, classes, classifier_activation)  # fmt: skip


def DenseNet169(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):  # fmt: skip
    """DenseNet169 (dense blocks of 6, 12, 32, 32)."""
    return DenseNet([6, 12, 32, 32], include_top, weights, input_tensor, input_shape,
                    pooling, classes, classifier_activation)  # fmt: skip


def DenseNet201(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):  # fmt: skip
    """DenseNet201 (dense blocks of 6, 12, 48, 32)."""
    return DenseNet([6, 12, 48, 32], include_top, weights, input_tensor, input_shape,
                    pooling, classes, classifier_activation)  # fmt: skip


def preprocess_input(x, data_format=None):
    """Torch-style: scaled to [0, 1], then standardized by the ImageNet mean and std."""
    return iu.preprocess_input(x, data_format=data_format, mode="torch")


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

"""`tf.keras.applications.inception_resnet_v2`: Inception-ResNet-v2 (Szegedy et al.
2016) as Keras builds it."""

from __future__ import annotations

from tfgraph.keras import backend, layers
from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.engine.base_layer import Layer
from tfgraph.keras.engine.functional import Model
from tfgraph.keras.saving.object_registration import register_keras_serializable

__all__ = ["InceptionResNetV2", "decode_predictions", "preprocess_input"]

BASE_WEIGHT_URL = iu.WEIGHTS_BASE + "inception_resnet_v2/"
WEIGHTS_HASHES = ("e693bd0210a403b3192acc6073ad2e96", "d19885ff4a710c122648d3b5c3b684e4")


def _axis() -> int:
    return 1 if backend.image_data_format() == "channels_first" else 3


def conv2d_bn(x, filters, kernel_size, strides=1, padding="same", activation="relu",
              use_bias=False, name=None):  # fmt: skip
    """Convolution, batch norm without scale (when no bias), activation."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                      use_bias=use_bias, name=name)(x)  # fmt: skip
    if not use_bias:
        bn_name = None if name is None else name + "_bn"
        x = layers.BatchNormalization(axis=_axis(), scale=False, name=bn_name)(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else name + "_ac")(x)
    return x


@register_keras_serializable()
class CustomScaleLayer(Layer):
    """inputs[0] + inputs[1] * scale (the scaled residual)."""

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale


_BRANCHES = {
    "block35": [[(32, 1)], [(32, 1), (32, 3)], [(32, 1), (48, 3), (64, 3)]],
    "block17": [[(192, 1)], [(128, 1), (160, [1, 7]), (192, [7, 1])]],
    "block8": [[(192, 1)], [(192, 1), (224, [1, 3]), (256, [3, 1])]],
}


def inception_resnet_block(x, scale, block_type, block_idx, activation="relu"):
    """Parallel conv branches, concatenated, projected back and added, scaled."""
    if block_type not in _BRANCHES:
        raise ValueError(
            'Unknown Inception-ResNet block type. Expects "block35", "block17" or "block8", '
            f"but got: {block_type}"
        )
    branches = []
    for spec in _BRANCHES[block_type]:
        branch = x
        for filters, kernel in spec:
            branch = conv2d_bn(branch, filters, kernel)
        branches.append(branch)
    block_name = f"{block_type}_{block_idx}"
    mixed = layers.Concatenate(axis=_axis(), name=block_name + "_mixed")(branches)
    up = conv2d_bn(mixed, backend.int_shape(x)[_axis()], 1, activation=None, use_bias=True,
                   name=block_name + "_conv")  # fmt: skip
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=block_name + "_ac")(x)
    return x


def _reduction(x, branch_specs, name):
    branches = []
    for spec in branch_specs:
        branch = x
        for i, (filters, kernel) in enumerate(spec):
            last = i == len(spec) - 1
            branch = conv2d_bn(branch, filters, kernel, strides=2 if last else 1,
                               padding="valid" if last else "same")  # fmt: skip
        branches.append(branch)
    branches.append(layers.MaxPooling2D(3, strides=2, padding="valid")(x))
    return layers.Concatenate(axis=_axis(), name=name)(branches)


def _body(x):
    x = conv2d_bn(x, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)
    branch_0 = conv2d_bn(x, 96, 1)
    branch_1 = conv2d_bn(conv2d_bn(x, 48, 1), 64, 5)
    branch_2 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1), 96, 3), 96, 3)
    branch_pool = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    branch_pool = conv2d_bn(branch_pool, 64, 1)
    x = layers.Concatenate(axis=_axis(), name="mixed_5b")(
        [branch_0, branch_1, branch_2, branch_pool]
    )
    for block_idx in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=block_idx)
    x = _reduction(x, [[(384, 3)], [(256, 1), (256, 3), (384, 3)]], "mixed_6a")
    for block_idx in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type="block17", block_idx=block_idx)
    x = _reduction(x, [[(256, 1), (384, 3)], [(256, 1), (288, 3)],
                       [(256, 1), (288, 3), (320, 3)]], "mixed_7a")  # fmt: skip
    for block_idx in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type="block8", block_idx=block_idx)
    x = inception_resnet_block(x, scale=1.0, activation=None, block_type="block8", block_idx=10)
    return conv2d_bn(x, 1536, 1, name="conv_7b")


def InceptionResNetV2(include_top=True, weights="imagenet", input_tensor=None,
                      input_shape=None, pooling=None, classes=1000,
                      classifier_activation="softmax", **kwargs):  # fmt: skip
    """Inception-ResNet-v2 (299x299 inputs by default, at least 75x75)."""
    if kwargs:
        raise ValueError(f"Unknown argument(s): {kwargs}")
    iu.check_weights(weights, include_top, classes)
    input_shape = iu.obtain_input_shape(
        input_shape, 299, 75, backend.image_data_format(), include_top, weights
    )
    img_input = iu.image_input(input_tensor, input_shape)
    x = _body(img_input)
    x = iu.top_or_pooling(x, include_top, pooling, classes, classifier_activation, weights,
                          pool_names=False)  # fmt: skip
    model = Model(iu.source_inputs(input_tensor, img_input), x, name="inception_resnet_v2")
    suffix = "" if include_top else "_notop"
    fname = f"inception_resnet_v2_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    file_hash = WEIGHTS_HASHES[0 if include_top else 1]
    return iu.load_weights(model, weights, fname, BASE_WEIGHT_URL + fname, file_hash)


def preprocess_input(x, data_format=None):
    """Scaled to [-1, 1] ("tf" mode)."""
    return iu.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

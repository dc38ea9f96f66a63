"""`tf.keras.applications.resnet_rs`: ResNet-RS 50-420 (Bello et al. 2021) as Keras
builds them: a four-conv stem, bottleneck groups with squeeze-and-excitation, and the
inputs rescaled and normalized inside the model."""

from __future__ import annotations

import os

from tfgraph.keras import backend, layers
from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.applications._preprocessing import Normalization, Rescaling
from tfgraph.keras.engine.functional import Model

__all__ = [
    "ResNetRS50",
    "ResNetRS101",
    "ResNetRS152",
    "ResNetRS200",
    "ResNetRS270",
    "ResNetRS350",
    "ResNetRS420",
    "decode_predictions",
    "preprocess_input",
]

BASE_WEIGHTS_URL = iu.WEIGHTS_BASE + "resnet_rs/"
WEIGHT_HASHES = {
    "resnet-rs-101-i160.h5": "544b3434d00efc199d66e9058c7f3379",
    "resnet-rs-101-i160_notop.h5": "82d5b90c5ce9d710da639d6216d0f979",
    "resnet-rs-101-i192.h5": "eb285be29ab42cf4835ff20a5e3b5d23",
    "resnet-rs-101-i192_notop.h5": "f9a0f6b85faa9c3db2b6e233c4eebb5b",
    "resnet-rs-152-i192.h5": "8d72a301ed8a6f11a47c4ced4396e338",
    "resnet-rs-152-i192_notop.h5": "5fbf7ac2155cb4d5a6180ee9e3aa8704",
    "resnet-rs-152-i224.h5": "31a46a92ab21b84193d0d71dd8c3d03b",
    "resnet-rs-152-i224_notop.h5": "dc8b2cba2005552eafa3167f00dc2133",
    "resnet-rs-152-i256.h5": "ba6271b99bdeb4e7a9b15c05964ef4ad",
    "resnet-rs-152-i256_notop.h5": "fa79794252dbe47c89130f65349d654a",
    "resnet-rs-200-i256.h5": "a76930b741884e09ce90fa7450747d5f",
    "resnet-rs-200-i256_notop.h5": "bbdb3994718dfc0d1cd45d7eff3f3d9c",
    "resnet-rs-270-i256.h5": "20d575825ba26176b03cb51012a367a8",
    "resnet-rs-270-i256_notop.h5": "2c42ecb22e35f3e23d2f70babce0a2aa",
    "resnet-rs-350-i256.h5": "f4a039dc3c421321b7fc240494574a68",
    "resnet-rs-350-i256_notop.h5": "6e44b55025bbdff8f51692a023143d66",
    "resnet-rs-350-i320.h5": "7ccb858cc738305e8ceb3c0140bee393",
    "resnet-rs-350-i320_notop.h5": "ab0c1f9079d2f85a9facbd2c88aa6079",
    "resnet-rs-420-i320.h5": "ae0eb9bed39e64fc8d7e0db4018dc7e8",
    "resnet-rs-420-i320_notop.h5": "fe6217c32be8305b1889657172b98884",
    "resnet-rs-50-i160.h5": "69d9d925319f00a8bdd4af23c04e4102",
    "resnet-rs-50-i160_notop.h5": "90daa68cd26c95aa6c5d25451e095529",
}
DEPTH_TO_WEIGHT_VARIANTS = {50: [160], 101: [160, 192], 152: [192, 224, 256], 200: [256],
                            270: [256], 350: [256, 320], 420: [320]}  # fmt: skip
# depth -> (input filters, repeats) of the four block groups
_GROUPS = {
    50: ((64, 3), (128, 4), (256, 6), (512, 3)),
    101: ((64, 3), (128, 4), (256, 23), (512, 3)),
    152: ((64, 3), (128, 8), (256, 36), (512, 3)),
    200: ((64, 3), (128, 24), (256, 36), (512, 3)),
    270: ((64, 4), (128, 29), (256, 53), (512, 4)),
    350: ((64, 4), (128, 36), (256, 72), (512, 4)),
    420: ((64, 4), (128, 44), (256, 87), (512, 4)),
}
BLOCK_ARGS = {
    depth: [{"input_filters": f, "num_repeats": r} for f, r in groups]
    for depth, groups in _GROUPS.items()
}
CONV_KERNEL_INITIALIZER = {"class_name": "VarianceScaling", "config": {
    "scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}}  # fmt: skip


def _bn_axis() -> int:
    return 3 if backend.image_data_format() == "channels_last" else 1


def _bn(momentum, epsilon, name):
    return layers.BatchNormalization(axis=_bn_axis(), momentum=momentum, epsilon=epsilon,
                                     name=name)  # fmt: skip


def fixed_padding(inputs, kernel_size):
    """Zero padding of kernel_size - 1 split before/after (for strided convolutions)."""
    pad_total = kernel_size - 1
    beg, end = pad_total // 2, pad_total - pad_total // 2
    return layers.ZeroPadding2D(padding=((beg, end), (beg, end)))(inputs)


def _conv(x, filters, kernel_size, strides, name):
    if strides > 1:
        x = fixed_padding(x, kernel_size)
    return layers.Conv2D(filters=filters, kernel_size=kernel_size, strides=strides,
                         padding="same" if strides == 1 else "valid", use_bias=False,
                         kernel_initializer=CONV_KERNEL_INITIALIZER, name=name)(x)  # fmt: skip


def _stem(x, momentum, epsilon, activation, name="stem_1"):
    for i, (filters, strides) in enumerate(((32, 2), (32, 1), (64, 1), (64, 2)), start=1):
        x = _conv(x, filters, 3, strides, f"{name}_stem_conv_{i}")
        x = _bn(momentum, epsilon, f"{name}_stem_batch_norm_{i}")(x)
        x = layers.Activation(activation, name=f"{name}_stem_act_{i}")(x)
    return x


def _se(inputs, in_filters, se_ratio, name):
    x = layers.GlobalAveragePooling2D(name=name + "_se_squeeze")(inputs)
    channels = backend.int_shape(x)[-1]
    se_shape = (channels, 1, 1) if _bn_axis() == 1 else (1, 1, channels)
    x = layers.Reshape(se_shape, name=name + "_se_reshape")(x)
    x = layers.Conv2D(max(1, int(in_filters * 4 * se_ratio)), [1, 1], strides=[1, 1],
                      kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                      use_bias=True, activation="relu", name=name + "_se_reduce")(x)  # fmt: skip
    x = layers.Conv2D(4 * in_filters, [1, 1], strides=[1, 1],
                      kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                      use_bias=True, activation="sigmoid", name=name + "_se_expand")(x)  # fmt: skip
    return layers.multiply([inputs, x], name=name + "_se_excite")


def _bottleneck(inputs, filters, strides, use_projection, momentum, epsilon, activation,
                se_ratio, survival_probability, name):  # fmt: skip
    shortcut = inputs
    if use_projection:
        if strides == 2:
            shortcut = layers.AveragePooling2D(
                pool_size=(2, 2), strides=(2, 2), padding="same", name=name + "_projection_pooling"
            )(inputs)
            shortcut = _conv(shortcut, filters * 4, 1, 1, name + "_projection_conv")
        else:
            shortcut = _conv(inputs, filters * 4, 1, strides, name + "_projection_conv")
        shortcut = _bn(momentum, epsilon, name + "_projection_batch_norm")(shortcut)
    x = _conv(inputs, filters, 1, 1, name + "_conv_1")
    x = _bn(momentum, epsilon, name + "batch_norm_1")(x)
    x = layers.Activation(activation, name=name + "_act_1")(x)
    x = _conv(x, filters, 3, strides, name + "_conv_2")
    x = _bn(momentum, epsilon, name + "_batch_norm_2")(x)
    x = layers.Activation(activation, name=name + "_act_2")(x)
    x = _conv(x, filters * 4, 1, 1, name + "_conv_3")
    x = _bn(momentum, epsilon, name + "_batch_norm_3")(x)
    if 0 < se_ratio < 1:
        x = _se(x, filters, se_ratio, name + "_se")
    if survival_probability:
        x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1),
                           name=name + "_drop")(x)  # fmt: skip
    x = layers.Add()([x, shortcut])
    return layers.Activation(activation, name=name + "_output_act")(x)


def _groups(x, block_args, momentum, epsilon, activation, se_ratio, drop_connect_rate):
    for i, args in enumerate(block_args):
        survival = drop_connect_rate * float(i + 2) / (len(block_args) + 1)
        name = f"BlockGroup{i + 2}_"
        for j in range(args["num_repeats"]):
            x = _bottleneck(x, args["input_filters"], (1 if i == 0 else 2) if j == 0 else 1,
                            j == 0, momentum, epsilon, activation, se_ratio, survival,
                            f"{name}_block_{j}_")  # fmt: skip
    return x


def _resolve_weights(depth, weights, include_top, classes):
    variants = DEPTH_TO_WEIGHT_VARIANTS[depth]
    if weights == "imagenet":
        weights = f"imagenet-i{max(variants)}"
    allowed = [f"imagenet-i{v}" for v in variants]
    if not (weights in {*allowed, None} or os.path.exists(weights)):
        raise ValueError(
            "The `weights` argument should be either `None` (random initialization), "
            f"`'imagenet'` (pre-training on ImageNet, with highest available input shape), "
            f"or the path to the weights file to be loaded. For ResNetRS{depth} the "
            f"following weight variants are available {allowed} (default=highest). "
            f"Received weights={weights}"
        )
    if weights in allowed and include_top and classes != 1000:
        raise ValueError(
            "If using `weights` as `'imagenet'` or any of "
            f"{allowed} with `include_top` as true, `classes` should be 1000. "
            f"Received classes={classes}"
        )
    return weights, allowed


def ResNetRS(depth, input_shape=None, bn_momentum=0.0, bn_epsilon=1e-5, activation="relu",
             se_ratio=0.25, dropout_rate=0.25, drop_connect_rate=0.2, include_top=True,
             block_args=None, model_name="resnet-rs", pooling=None, weights="imagenet",
             input_tensor=None, classes=1000, classifier_activation="softmax",
             include_preprocessing=True):  # fmt: skip
    """A ResNet-RS of `depth` layers."""
    weights, allowed = _resolve_weights(depth, weights, include_top, classes)
    input_shape = iu.obtain_input_shape(
        input_shape, 224, 32, backend.image_data_format(), include_top, weights
    )
    img_input = iu.image_input(input_tensor, input_shape)
    x = img_input
    if include_preprocessing:
        x = Rescaling(scale=1.0 / 255)(x)
        if input_shape[_bn_axis() - 1] == 3:
            x = Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229**2, 0.224**2, 0.225**2],
                              axis=_bn_axis())(x)  # fmt: skip
    x = _stem(x, bn_momentum, bn_epsilon, activation)
    x = _groups(x, block_args or BLOCK_ARGS[depth], bn_momentum, bn_epsilon, activation,
                se_ratio, drop_connect_rate)  # fmt: skip
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        iu.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = iu.top_or_pooling(x, False, pooling, classes, None, weights)
    model = Model(iu.source_inputs(input_tensor, img_input), x, name=model_name)
    if weights in allowed:
        weights_name = f"{model_name}-{weights.split('-')[-1]}"
        filename = f"{weights_name}{'' if include_top else '_notop'}.h5"
        return iu.load_weights(model, "imagenet", filename, BASE_WEIGHTS_URL + filename,
                               WEIGHT_HASHES[filename])  # fmt: skip
    return iu.load_weights(model, weights, None, None)


def _variant(depth, drop_connect_rate, dropout_rate):
    def builder(include_top=True, weights="imagenet", classes=1000, input_shape=None,
                input_tensor=None, pooling=None, classifier_activation="softmax",
                include_preprocessing=True):  # fmt: skip
        return ResNetRS(depth=depth, include_top=include_top,
                        drop_connect_rate=drop_connect_rate, dropout_rate=dropout_rate,
                        weights=weights, classes=classes, input_shape=input_shape,
                        input_tensor=input_tensor, pooling=pooling,
                        classifier_activation=classifier_activation,
                        model_name=f"resnet-rs-{depth}",
                        include_preprocessing=include_preprocessing)  # fmt: skip

    builder.__name__ = builder.__qualname__ = f"ResNetRS{depth}"
    builder.__doc__ = f"ResNet-RS with {depth} layers."
    return builder


ResNetRS50 = _variant(50, 0.0, 0.25)
ResNetRS101 = _variant(101, 0.0, 0.25)
ResNetRS152 = _variant(152, 0.0, 0.25)
ResNetRS200 = _variant(200, 0.1, 0.25)
ResNetRS270 = _variant(270, 0.1, 0.25)
ResNetRS350 = _variant(350, 0.1, 0.4)
ResNetRS420 = _variant(420, 0.1, 0.4)


def preprocess_input(x, data_format=None):
    """`x` unchanged: ResNet-RS rescales and normalizes inside the model."""
    return x


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

"""`tf.keras.applications.efficientnet_v2`: EfficientNetV2 B0-B3, S, M, L (Tan and Le
2021) as Keras builds them: fused MBConv blocks early, MBConv blocks with
squeeze-and-excitation later, the inputs rescaled inside the model."""

from __future__ import annotations

import copy
import math

from tfgraph.keras import backend, layers
from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.applications._preprocessing import Normalization, Rescaling
from tfgraph.keras.engine.functional import Model

__all__ = [
    "EfficientNetV2B0",
    "EfficientNetV2B1",
    "EfficientNetV2B2",
    "EfficientNetV2B3",
    "EfficientNetV2L",
    "EfficientNetV2M",
    "EfficientNetV2S",
    "decode_predictions",
    "preprocess_input",
]

BASE_WEIGHTS_PATH = iu.WEIGHTS_BASE + "efficientnet_v2/"
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
# kernel, repeats, filters in, filters out, expand ratio, se ratio, strides, fused (1)
_B = ((3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1), (3, 2, 32, 48, 4, 0, 2, 1),
      (3, 3, 48, 96, 4, 0.25, 2, 0), (3, 5, 96, 112, 6, 0.25, 1, 0),
      (3, 8, 112, 192, 6, 0.25, 2, 0))  # fmt: skip
_STAGES = {
    "efficientnetv2-s": ((3, 2, 24, 24, 1, 0, 1, 1), (3, 4, 24, 48, 4, 0, 2, 1),
                         (3, 4, 48, 64, 4, 0, 2, 1), (3, 6, 64, 128, 4, 0.25, 2, 0),
                         (3, 9, 128, 160, 6, 0.25, 1, 0), (3, 15, 160, 256, 6, 0.25, 2, 0)),
    "efficientnetv2-m": ((3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1),
                         (3, 5, 48, 80, 4, 0, 2, 1), (3, 7, 80, 160, 4, 0.25, 2, 0),
                         (3, 14, 160, 176, 6, 0.25, 1, 0), (3, 18, 176, 304, 6, 0.25, 2, 0),
                         (3, 5, 304, 512, 6, 0.25, 1, 0)),
    "efficientnetv2-l": ((3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1),
                         (3, 7, 64, 96, 4, 0, 2, 1), (3, 10, 96, 192, 4, 0.25, 2, 0),
                         (3, 19, 192, 224, 6, 0.25, 1, 0), (3, 25, 224, 384, 6, 0.25, 2, 0),
                         (3, 7, 384, 640, 6, 0.25, 1, 0)),
    **{f"efficientnetv2-b{i}": _B for i in range(4)},
}  # fmt: skip
_KEYS = ("kernel_size", "num_repeat", "input_filters", "output_filters", "expand_ratio",
         "se_ratio", "strides", "conv_type")  # fmt: skip
DEFAULT_BLOCKS_ARGS = {
    name: [dict(zip(_KEYS, stage, strict=True)) for stage in stages]
    for name, stages in _STAGES.items()
}
CONV_KERNEL_INITIALIZER = {"class_name": "VarianceScaling", "config": {
    "scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}}  # fmt: skip
DENSE_KERNEL_INITIALIZER = {"class_name": "VarianceScaling", "config": {
    "scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"}}  # fmt: skip


def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    filters *= width_coefficient
    minimum_depth = min_depth or depth_divisor
    return int(
        max(minimum_depth, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor)
    )


def round_repeats(repeats, depth_coefficient):
    return math.ceil(depth_coefficient * repeats)


def _bn_axis() -> int:
    return 3 if backend.image_data_format() == "channels_last" else 1


def _conv(filters, kernel, name, **kwargs):
    return layers.Conv2D(filters, kernel, kernel_initializer=CONV_KERNEL_INITIALIZER,
                         name=name, **kwargs)  # fmt: skip


def _bn(momentum, name):
    return layers.BatchNormalization(axis=_bn_axis(), momentum=momentum, name=name)


def _squeeze_excite(x, filters, input_filters, se_ratio, activation, name):
    filters_se = max(1, int(input_filters * se_ratio))
    se = layers.GlobalAveragePooling2D(name=name + "se_squeeze")(x)
    se_shape = (filters, 1, 1) if _bn_axis() == 1 else (1, 1, filters)
    se = layers.Reshape(se_shape, name=name + "se_reshape")(se)
    se = _conv(filters_se, 1, name + "se_reduce", padding="same", activation=activation)(se)
    se = _conv(filters, 1, name + "se_expand", padding="same", activation="sigmoid")(se)
    return layers.multiply([x, se], name=name + "se_excite")


def _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name):
    if strides == 1 and input_filters == output_filters:
        if survival_probability:
            x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1),
                               name=name + "drop")(x)  # fmt: skip
        x = layers.add([x, inputs], name=name + "add")
    return x


def MBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1,
                se_ratio=0.0, bn_momentum=0.9, activation="swish", survival_probability=0.8,
                name=None):  # fmt: skip
    """An inverted residual block (1x1 expand, depthwise, squeeze-excite, 1x1 project)."""
    name = name or f"block0{backend.get_uid('block0')}"

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = _conv(filters, 1, name + "expand_conv", strides=1, padding="same",
                      use_bias=False)(x)  # fmt: skip
            x = _bn(bn_momentum, name + "expand_bn")(x)
            x = layers.Activation(activation, name=name + "expand_activation")(x)
        x = layers.DepthwiseConv2D(kernel_size=kernel_size, strides=strides, padding="same",
                                   depthwise_initializer=CONV_KERNEL_INITIALIZER,
                                   use_bias=False, name=name + "dwconv2")(x)  # fmt: skip
        x = _bn(bn_momentum, name + "bn")(x)
        x = layers.Activation(activation, name=name + "activation")(x)
        if 0 < se_ratio <= 1:
            x = _squeeze_excite(x, filters, input_filters, se_ratio, activation, name)
        x = _conv(output_filters, 1, name + "project_conv", strides=1, padding="same",
                  use_bias=False)(x)  # fmt: skip
        x = _bn(bn_momentum, name + "project_bn")(x)
        return _residual(x, inputs, strides, input_filters, output_filters,
                         survival_probability, name)  # fmt: skip

    return apply


def FusedMBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1,
                     se_ratio=0.0, bn_momentum=0.9, activation="swish",
                     survival_probability=0.8, name=None):  # fmt: skip
    """A fused block: one kxk convolution in place of expand + depthwise."""
    name = name or f"block0{backend.get_uid('block0')}"

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = _conv(filters, kernel_size, name + "expand_conv", strides=strides,
                      padding="same", use_bias=False)(x)  # fmt: skip
            x = _bn(bn_momentum, name + "expand_bn")(x)
            x = layers.Activation(activation=activation, name=name + "expand_activation")(x)
        if 0 < se_ratio <= 1:
            x = _squeeze_excite(x, filters, input_filters, se_ratio, activation, name)
        fused = expand_ratio != 1
        x = _conv(output_filters, 1 if fused else kernel_size, name + "project_conv",
                  strides=1 if fused else strides, padding="same", use_bias=False)(x)  # fmt: skip
        x = _bn(bn_momentum, name + "project_bn")(x)
        if not fused:
            x = layers.Activation(activation=activation, name=name + "project_activation")(x)
        return _residual(x, inputs, strides, input_filters, output_filters,
                         survival_probability, name)  # fmt: skip

    return apply


def _preprocess(x, model_name, num_channels):
    if model_name.split("-")[-1].startswith("b") and num_channels == 3:
        x = Rescaling(scale=1.0 / 255)(x)
        variance = [0.229**2, 0.224**2, 0.225**2]
        return Normalization(mean=[0.485, 0.456, 0.406], variance=variance, axis=_bn_axis())(x)
    return Rescaling(scale=1.0 / 128.0, offset=-1)(x)


def _blocks(x, blocks_args, width, depth, min_depth, divisor, momentum, activation, rate):
    blocks_args = copy.deepcopy(blocks_args)
    b = 0
    blocks = float(sum(args["num_repeat"] for args in blocks_args))
    for i, args in enumerate(blocks_args):
        for key in ("input_filters", "output_filters"):
            args[key] = round_filters(args[key], width, min_depth, divisor)
        block = {0: MBConvBlock, 1: FusedMBConvBlock}[args.pop("conv_type")]
        for j in range(round_repeats(args.pop("num_repeat"), depth)):
            if j > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = block(activation=activation, bn_momentum=momentum,
                      survival_probability=rate * b / blocks,
                      name=f"block{i + 1}{chr(j + 97)}_", **args)(x)  # fmt: skip
            b += 1
    return x


def _top(x, include_top, pooling, classes, classifier_activation, weights, dropout_rate):
    if not include_top:
        return iu.top_or_pooling(x, False, pooling, classes, None, weights)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if dropout_rate > 0:
        x = layers.Dropout(dropout_rate, name="top_dropout")(x)
    iu.validate_activation(classifier_activation, weights)
    return layers.Dense(classes, activation=classifier_activation,
                        kernel_initializer=DENSE_KERNEL_INITIALIZER,
                        bias_initializer="zeros", name="predictions")(x)  # fmt: skip


def EfficientNetV2(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,
                   drop_connect_rate=0.2, depth_divisor=8, min_depth=8, bn_momentum=0.9,
                   activation="swish", blocks_args="default", model_name="efficientnetv2",
                   include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                   pooling=None, classes=1000, classifier_activation="softmax",
                   include_preprocessing=True):  # fmt: skip
    """An EfficientNetV2 scaled by width and depth coefficients."""
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS[model_name]
    iu.check_weights(weights, include_top, classes)
    input_shape = iu.obtain_input_shape(
        input_shape, default_size, 32, backend.image_data_format(), include_top, weights
    )
    img_input = iu.image_input(input_tensor, input_shape)
    x = img_input
    if include_preprocessing:
        x = _preprocess(x, model_name, input_shape[_bn_axis() - 1])
    stem = round_filters(blocks_args[0]["input_filters"], width_coefficient, min_depth,
                         depth_divisor)  # fmt: skip
    x = _conv(stem, 3, "stem_conv", strides=2, padding="same", use_bias=False)(x)
    x = _bn(bn_momentum, "stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)
    x = _blocks(x, blocks_args, width_coefficient, depth_coefficient, min_depth, depth_divisor,
                bn_momentum, activation, drop_connect_rate)  # fmt: skip
    top = round_filters(1280, width_coefficient, min_depth, depth_divisor)
    x = _conv(top, 1, "top_conv", strides=1, padding="same", use_bias=False)(x)
    x = _bn(bn_momentum, "top_bn")(x)
    x = layers.Activation(activation=activation, name="top_activation")(x)
    x = _top(x, include_top, pooling, classes, classifier_activation, weights, dropout_rate)
    model = Model(iu.source_inputs(input_tensor, img_input), x, name=model_name)
    file_name = model_name + (".h5" if include_top else "_notop.h5")
    hashes = WEIGHTS_HASHES.get(model_name[-2:], (None, None))
    return iu.load_weights(model, weights, file_name, BASE_WEIGHTS_PATH + file_name,
                           hashes[0 if include_top else 1])  # fmt: skip


def _variant(width, depth, size, name):
    def builder(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                include_preprocessing=True):  # fmt: skip
        return EfficientNetV2(width_coefficient=width, depth_coefficient=depth,
                              default_size=size, model_name=name, include_top=include_top,
                              weights=weights, input_tensor=input_tensor,
                              input_shape=input_shape, pooling=pooling, classes=classes,
                              classifier_activation=classifier_activation,
                              include_preprocessing=include_preprocessing)  # fmt: skip

    suffix = name.split("-")[-1].upper()
    builder.__name__ = builder.__qualname__ = f"EfficientNetV2{suffix}"
    builder.__doc__ = f"EfficientNetV2{suffix}: {size}x{size} inputs by default."
    return builder


EfficientNetV2B0 = _variant(1.0, 1.0, 224, "efficientnetv2-b0")
EfficientNetV2B1 = _variant(1.0, 1.1, 240, "efficientnetv2-b1")
EfficientNetV2B2 = _variant(1.1, 1.2, 260, "efficientnetv2-b2")
EfficientNetV2B3 = _variant(1.2, 1.4, 300, "efficientnetv2-b3")
EfficientNetV2S = _variant(1.0, 1.0, 384, "efficientnetv2-s")
EfficientNetV2M = _variant(1.0, 1.0, 480, "efficientnetv2-m")
EfficientNetV2L = _variant(1.0, 1.0, 480, "efficientnetv2-l")


def preprocess_input(x, data_format=None):
    """`x` unchanged: EfficientNetV2 rescales inside the model."""
    return x


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

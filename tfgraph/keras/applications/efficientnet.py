"""`tf.keras.applications.efficientnet`: EfficientNetB0-B7 (Tan and Le 2019) as Keras
builds them (the inputs rescaled and normalized inside the model)."""

from __future__ import annotations

import copy
import math

from tfgraph.keras import backend, layers
from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.applications._preprocessing import (
    Normalization,
    Rescaling,
    TensorFlowOpLayer,
)
from tfgraph.keras.engine.functional import Model

__all__ = [f"EfficientNetB{i}" for i in range(8)] + ["decode_predictions", "preprocess_input"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/"
WEIGHTS_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}
# kernel, repeats, filters in, filters out, expand ratio, strides (all id_skip, se 0.25)
_STAGES = ((3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
           (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2),
           (3, 1, 192, 320, 6, 1))  # fmt: skip
DEFAULT_BLOCKS_ARGS = [
    {"kernel_size": k, "repeats": r, "filters_in": fi, "filters_out": fo, "expand_ratio": e,
     "id_skip": True, "strides": s, "se_ratio": 0.25}
    for k, r, fi, fo, e, s in _STAGES
]  # fmt: skip
CONV_KERNEL_INITIALIZER = {"class_name": "VarianceScaling", "config": {
    "scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}}  # fmt: skip
DENSE_KERNEL_INITIALIZER = {"class_name": "VarianceScaling", "config": {
    "scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"}}  # fmt: skip
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]


def _bn_axis() -> int:
    return 3 if backend.image_data_format() == "channels_last" else 1


def _conv(filters, kernel, name, **kwargs):
    return layers.Conv2D(filters, kernel, kernel_initializer=CONV_KERNEL_INITIALIZER,
                         name=name, **kwargs)  # fmt: skip


def _stem(img_input, weights, activation, round_filters):
    x = Rescaling(1.0 / 255.0)(img_input)
    x = Normalization(axis=_bn_axis())(x)
    if weights == "imagenet":  # (Keras: tf.math.multiply on the Keras tensor)
        from tfgraph.ops import array_ops

        shape = [1, 3, 1, 1] if _bn_axis() == 1 else [1, 1, 1, 3]
        factors = [1.0 / math.sqrt(s) for s in IMAGENET_STDDEV_RGB]
        x = TensorFlowOpLayer(lambda t: t * array_ops.reshape(factors, shape), "Mul")(x)
    x = layers.ZeroPadding2D(padding=iu.correct_pad(x, 3), name="stem_conv_pad")(x)
    x = _conv(round_filters(32), 3, "stem_conv", strides=2, padding="valid", use_bias=False)(x)
    x = layers.BatchNormalization(axis=_bn_axis(), name="stem_bn")(x)
    return layers.Activation(activation, name="stem_activation")(x)


def EfficientNet(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,
                 drop_connect_rate=0.2, depth_divisor=8, activation="swish",
                 blocks_args="default", model_name="efficientnet", include_top=True,
                 weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                 classes=1000, classifier_activation="softmax"):  # fmt: skip
    """An EfficientNet scaled by width and depth coefficients."""
    blocks_args = DEFAULT_BLOCKS_ARGS if blocks_args == "default" else blocks_args
    iu.check_weights(weights, include_top, classes)
    input_shape = iu.obtain_input_shape(
        input_shape, default_size, 32, backend.image_data_format(), include_top, weights
    )
    img_input = iu.image_input(input_tensor, input_shape)

    def round_filters(filters, divisor=depth_divisor):
        filters *= width_coefficient
        new_filters = max(divisor, int(filters + divisor / 2) // divisor * divisor)
        return int(new_filters + divisor if new_filters < 0.9 * filters else new_filters)

    def round_repeats(repeats):
        return math.ceil(depth_coefficient * repeats)

    x = _stem(img_input, weights, activation, round_filters)
    blocks_args = copy.deepcopy(blocks_args)
    b = 0
    blocks = float(sum(round_repeats(args["repeats"]) for args in blocks_args))
    for i, args in enumerate(blocks_args):
        args["filters_in"] = round_filters(args["filters_in"])
        args["filters_out"] = round_filters(args["filters_out"])
        for j in range(round_repeats(args.pop("repeats"))):
            if j > 0:
                args["strides"] = 1
                args["filters_in"] = args["filters_out"]
            x = block(x, activation, drop_connect_rate * b / blocks,
                      name=f"block{i + 1}{chr(j + 97)}_", **args)  # fmt: skip
            b += 1
    x = _conv(round_filters(1280), 1, "top_conv", padding="same", use_bias=False)(x)
    x = layers.BatchNormalization(axis=_bn_axis(), name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    x = _top(x, include_top, pooling, classes, classifier_activation, weights, dropout_rate)
    model = Model(iu.source_inputs(input_tensor, img_input), x, name=model_name)
    file_name = model_name + (".h5" if include_top else "_notop.h5")
    hashes = WEIGHTS_HASHES.get(model_name[-2:], (None, None))
    return iu.load_weights(model, weights, file_name, BASE_WEIGHTS_PATH + file_name,
                           hashes[0 if include_top else 1])  # fmt: skip


def _top(x, include_top, pooling, classes, classifier_activation, weights, dropout_rate):
    if not include_top:
        return iu.top_or_pooling(x, False, pooling, classes, None, weights)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if dropout_rate > 0:
        x = layers.Dropout(dropout_rate, name="top_dropout")(x)
    iu.validate_activation(classifier_activation, weights)
    return layers.Dense(
        classes,
        activation=classifier_activation,
        kernel_initializer=DENSE_KERNEL_INITIALIZER,
        name="predictions",
    )(x)


def _squeeze_excite(x, filters, filters_in, se_ratio, activation, name):
    filters_se = max(1, int(filters_in * se_ratio))
    se = layers.GlobalAveragePooling2D(name=name + "se_squeeze")(x)
    se_shape = (filters, 1, 1) if _bn_axis() == 1 else (1, 1, filters)
    se = layers.Reshape(se_shape, name=name + "se_reshape")(se)
    se = _conv(filters_se, 1, name + "se_reduce", padding="same", activation=activation)(se)
    se = _conv(filters, 1, name + "se_expand", padding="same", activation="sigmoid")(se)
    return layers.multiply([x, se], name=name + "se_excite")


def block(inputs, activation="swish", drop_rate=0.0, name="", filters_in=32, filters_out=16,
          kernel_size=3, strides=1, expand_ratio=1, se_ratio=0.0, id_skip=True):  # fmt: skip
    """An inverted residual block with squeeze-and-excitation."""
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _conv(filters, 1, name + "expand_conv", padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(axis=_bn_axis(), name=name + "expand_bn")(x)
        x = layers.Activation(activation, name=name + "expand_activation")(x)
    conv_pad = "same"
    if strides == 2:
        x = layers.ZeroPadding2D(padding=iu.correct_pad(x, kernel_size),
                                 name=name + "dwconv_pad")(x)  # fmt: skip
        conv_pad = "valid"
    x = layers.DepthwiseConv2D(kernel_size, strides=strides, padding=conv_pad, use_bias=False,
                               depthwise_initializer=CONV_KERNEL_INITIALIZER,
                               name=name + "dwconv")(x)  # fmt: skip
    x = layers.BatchNormalization(axis=_bn_axis(), name=name + "bn")(x)
    x = layers.Activation(activation, name=name + "activation")(x)
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, filters_in, se_ratio, activation, name)
    x = _conv(filters_out, 1, name + "project_conv", padding="same", use_bias=False)(x)
    x = layers.BatchNormalization(axis=_bn_axis(), name=name + "project_bn")(x)
    if id_skip and strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=name + "drop")(x)
        x = layers.add([x, inputs], name=name + "add")
    return x


def _variant(width, depth, size, dropout, name):
    def builder(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax", **kwargs):  # fmt: skip
        return EfficientNet(width, depth, size, dropout, model_name=name,
                            include_top=include_top, weights=weights, input_tensor=input_tensor,
                            input_shape=input_shape, pooling=pooling, classes=classes,
                            classifier_activation=classifier_activation, **kwargs)  # fmt: skip

    builder.__name__ = builder.__qualname__ = name.replace("efficientnetb", "EfficientNetB")
    builder.__doc__ = f"{builder.__name__}: {size}x{size} inputs by default."
    return builder


EfficientNetB0 = _variant(1.0, 1.0, 224, 0.2, "efficientnetb0")
EfficientNetB1 = _variant(1.0, 1.1, 240, 0.2, "efficientnetb1")
EfficientNetB2 = _variant(1.1, 1.2, 260, 0.3, "efficientnetb2")
EfficientNetB3 = _variant(1.2, 1.4, 300, 0.3, "efficientnetb3")
EfficientNetB4 = _variant(1.4, 1.8, 380, 0.4, "efficientnetb4")
EfficientNetB5 = _variant(1.6, 2.2, 456, 0.4, "efficientnetb5")
EfficientNetB6 = _variant(1.8, 2.6, 528, 0.5, "efficientnetb6")
EfficientNetB7 = _variant(2.0, 3.1, 600, 0.5, "efficientnetb7")


def preprocess_input(x, data_format=None):
    """`x` unchanged: EfficientNets rescale and normalize inside the model."""
    return x


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

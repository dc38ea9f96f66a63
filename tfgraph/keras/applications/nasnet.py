"""`tf.keras.applications.nasnet`: NASNet-A (Zoph et al. 2017), NASNetMobile and
NASNetLarge, as Keras builds them (channels_last only, as in Keras)."""

from __future__ import annotations

from tfgraph import logging
from tfgraph.framework.graph import name_scope
from tfgraph.keras import backend, layers
from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.engine.functional import Model

__all__ = ["NASNetLarge", "NASNetMobile", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_PATH = iu.WEIGHTS_BASE + "nasnet/"
# default size -> (file name, URL name, hash) with and without the classifier
_WEIGHTS = {
    224: (("nasnet_mobile.h5", "NASNet-mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
          ("nasnet_mobile_no_top.h5", "NASNet-mobile-no-top.h5",
           "1ed92395b5b598bdda52abe5c0dbfd63")),
    331: (("nasnet_large.h5", "NASNet-large.h5", "11577c9a518f0070763c2b964a382f17"),
          ("nasnet_large_no_top.h5", "NASNet-large-no-top.h5",
           "d81d89dc07e6e56530c4e77faddd61b5")),
}  # fmt: skip


def _bn(name):
    return layers.BatchNormalization(axis=-1, momentum=0.9997, epsilon=1e-3, name=name)


def _conv1x1(filters, name, strides=(1, 1)):
    return layers.Conv2D(filters, (1, 1), strides=strides, padding="same", use_bias=False,
                         name=name, kernel_initializer="he_normal")  # fmt: skip


def _check_args(input_shape, weights, include_top, classes, penultimate_filters, multiplier):
    iu.check_weights(weights, include_top, classes)
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError(
            "When specifying the input shape of a NASNet and loading `ImageNet` weights, the "
            "input_shape argument must be static (no None entries). Got: `input_shape="
            f"{input_shape}`."
        )
    if penultimate_filters % (24 * multiplier**2) != 0:
        raise ValueError(
            "For NASNet-A models, the `penultimate_filters` must be a multiple of 24 * "
            f"(`filter_multiplier` ** 2). Current value: {penultimate_filters}"
        )


def _cells(x, filters, num_blocks, skip_reduction, multiplier):
    p = None
    x, p = _reduction_a_cell(x, p, filters // multiplier**2, block_id="stem_1")
    x, p = _reduction_a_cell(x, p, filters // multiplier, block_id="stem_2")
    for stage in range(3):
        width = filters * multiplier**stage
        if stage:
            x, p0 = _reduction_a_cell(x, p, width, block_id=f"reduce_{stage * num_blocks}")
            p = p if skip_reduction else p0
        first = 0 if stage == 0 else stage * num_blocks + 1
        for i in range(num_blocks):
            x, p = _normal_a_cell(x, p, width, block_id=f"{first + i}")
    return x


def NASNet(input_shape=None, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
           skip_reduction=True, filter_multiplier=2, include_top=True, weights="imagenet",
           input_tensor=None, pooling=None, classes=1000, default_size=None,
           classifier_activation="softmax"):  # fmt: skip
    """A NASNet-A: a strided stem, two reduction cells, then three stages of
    `num_blocks` normal cells separated by reduction cells."""
    _check_args(input_shape, weights, include_top, classes, penultimate_filters,
                filter_multiplier)  # fmt: skip
    default_size = 331 if default_size is None else default_size
    input_shape = iu.obtain_input_shape(
        input_shape, default_size, 32, backend.image_data_format(), include_top, weights
    )
    old_format = None
    if backend.image_data_format() != "channels_last":
        logging.warning(
            "The NASNet family of models is only available for the input data format "
            '"channels_last"; the model returned expects channels_last inputs.'
        )
        backend.set_image_data_format("channels_last")
        old_format = "channels_first"
    img_input = iu.image_input(input_tensor, input_shape)
    x = layers.Conv2D(stem_block_filters, (3, 3), strides=(2, 2), padding="valid",
                      use_bias=False, name="stem_conv1",
                      kernel_initializer="he_normal")(img_input)  # fmt: skip
    x = _bn("stem_bn1")(x)
    x = _cells(x, penultimate_filters // 24, num_blocks, skip_reduction, filter_multiplier)
    x = layers.Activation("relu")(x)
    x = iu.top_or_pooling(x, include_top, pooling, classes, classifier_activation, weights,
                          top_name=None, pool_names=False)  # fmt: skip
    model = Model(iu.source_inputs(input_tensor, img_input), x, name="NASNet")
    if weights == "imagenet":
        if default_size not in _WEIGHTS:
            raise ValueError("ImageNet weights can only be loaded with NASNetLarge or NASNetMobile")
        fname, url_name, file_hash = _WEIGHTS[default_size][0 if include_top else 1]
        iu.load_weights(model, weights, fname, BASE_WEIGHTS_PATH + url_name, file_hash)
    else:
        iu.load_weights(model, weights, None, None)
    if old_format:
        backend.set_image_data_format(old_format)
    return model


def NASNetMobile(input_shape=None, include_top=True, weights="imagenet", input_tensor=None,
                 pooling=None, classes=1000, classifier_activation="softmax"):  # fmt: skip
    """NASNet-A (4 @ 1056), 224x224 inputs by default."""
    return NASNet(input_shape, penultimate_filters=1056, num_blocks=4, stem_block_filters=32,
                  skip_reduction=False, filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor, pooling=pooling, classes=classes,
                  default_size=224, classifier_activation=classifier_activation)  # fmt: skip


def NASNetLarge(input_shape=None, include_top=True, weights="imagenet", input_tensor=None,
                pooling=None, classes=1000, classifier_activation="softmax"):  # fmt: skip
    """NASNet-A (6 @ 4032), 331x331 inputs by default."""
    return NASNet(input_shape, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
                  skip_reduction=True, filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor, pooling=pooling, classes=classes,
                  default_size=331, classifier_activation=classifier_activation)  # fmt: skip


def _separable_conv_block(ip, filters, kernel_size=(3, 3), strides=(1, 1), block_id=None):
    with name_scope(f"separable_conv_block_{block_id}"):
        x = layers.Activation("relu")(ip)
        conv_pad = "same"
        if strides == (2, 2):
            x = layers.ZeroPadding2D(padding=iu.correct_pad(x, kernel_size),
                                     name=f"separable_conv_1_pad_{block_id}")(x)  # fmt: skip
            conv_pad = "valid"
        x = layers.SeparableConv2D(filters, kernel_size, strides=strides,
                                   name=f"separable_conv_1_{block_id}", padding=conv_pad,
                                   use_bias=False)(x)  # fmt: skip
        x = _bn(f"separable_conv_1_bn_{block_id}")(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, kernel_size, name=f"separable_conv_2_{block_id}",
                                   padding="same", use_bias=False)(x)  # fmt: skip
        return _bn(f"separable_conv_2_bn_{block_id}")(x)


def _adjust_reduction(p, filters, block_id):
    with name_scope(f"adjust_reduction_block_{block_id}"):
        p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name=f"adjust_avg_pool_1_{block_id}")(p)  # fmt: skip
        p1 = _conv1x1(filters // 2, f"adjust_conv_1_{block_id}")(p1)
        p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name=f"adjust_avg_pool_2_{block_id}")(p2)  # fmt: skip
        p2 = _conv1x1(filters // 2, f"adjust_conv_2_{block_id}")(p2)
        p = layers.concatenate([p1, p2], axis=-1)
        return _bn(f"adjust_bn_{block_id}")(p)


def _adjust_block(p, ip, filters, block_id=None):
    """`p` (the previous cell's input) made to match `ip`'s size and width."""
    with name_scope("adjust_block"):
        if p is None:
            return ip
        if backend.int_shape(p)[-2] != backend.int_shape(ip)[-2]:
            return _adjust_reduction(p, filters, block_id)
        if backend.int_shape(p)[-1] != filters:
            with name_scope(f"adjust_projection_block_{block_id}"):
                p = layers.Activation("relu")(p)
                p = _conv1x1(filters, f"adjust_conv_projection_{block_id}")(p)
                p = _bn(f"adjust_bn_{block_id}")(p)
        return p


def _avg3(name, strides=(1, 1), padding="same"):
    return layers.AveragePooling2D((3, 3), strides=strides, padding=padding, name=name)


def _normal_a_cell(ip, p, filters, block_id=None):
    with name_scope(f"normal_A_block_{block_id}"):
        p = _adjust_block(p, ip, filters, block_id)
        h = layers.Activation("relu")(ip)
        h = _conv1x1(filters, f"normal_conv_1_{block_id}")(h)
        h = _bn(f"normal_bn_1_{block_id}")(h)
        with name_scope("block_1"):
            x1_1 = _separable_conv_block(h, filters, (5, 5), block_id=f"normal_left1_{block_id}")
            x1_2 = _separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}")
            x1 = layers.add([x1_1, x1_2], name=f"normal_add_1_{block_id}")
        with name_scope("block_2"):
            x2_1 = _separable_conv_block(p, filters, (5, 5), block_id=f"normal_left2_{block_id}")
            x2_2 = _separable_conv_block(p, filters, (3, 3), block_id=f"normal_right2_{block_id}")
            x2 = layers.add([x2_1, x2_2], name=f"normal_add_2_{block_id}")
        with name_scope("block_3"):
            x3 = _avg3(f"normal_left3_{block_id}")(h)
            x3 = layers.add([x3, p], name=f"normal_add_3_{block_id}")
        with name_scope("block_4"):
            x4_1 = _avg3(f"normal_left4_{block_id}")(p)
            x4_2 = _avg3(f"normal_right4_{block_id}")(p)
            x4 = layers.add([x4_1, x4_2], name=f"normal_add_4_{block_id}")
        with name_scope("block_5"):
            x5 = _separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}")
            x5 = layers.add([x5, h], name=f"normal_add_5_{block_id}")
        x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=-1,
                               name=f"normal_concat_{block_id}")  # fmt: skip
    return x, ip


def _reduction_a_cell(ip, p, filters, block_id=None):
    with name_scope(f"reduction_A_block_{block_id}"):
        p = _adjust_block(p, ip, filters, block_id)
        h = layers.Activation("relu")(ip)
        h = _conv1x1(filters, f"reduction_conv_1_{block_id}")(h)
        h = _bn(f"reduction_bn_1_{block_id}")(h)
        h3 = layers.ZeroPadding2D(padding=iu.correct_pad(h, 3),
                                  name=f"reduction_pad_1_{block_id}")(h)  # fmt: skip
        s2 = (2, 2)
        with name_scope("block_1"):
            x1_1 = _separable_conv_block(h, filters, (5, 5), s2, f"reduction_left1_{block_id}")
            x1_2 = _separable_conv_block(p, filters, (7, 7), s2, f"reduction_right1_{block_id}")
            x1 = layers.add([x1_1, x1_2], name=f"reduction_add_1_{block_id}")
        with name_scope("block_2"):
            x2_1 = layers.MaxPooling2D((3, 3), strides=s2, padding="valid",
                                       name=f"reduction_left2_{block_id}")(h3)  # fmt: skip
            x2_2 = _separable_conv_block(p, filters, (7, 7), s2, f"reduction_right2_{block_id}")
            x2 = layers.add([x2_1, x2_2], name=f"reduction_add_2_{block_id}")
        with name_scope("block_3"):
            x3_1 = _avg3(f"reduction_left3_{block_id}", s2, "valid")(h3)
            x3_2 = _separable_conv_block(p, filters, (5, 5), s2, f"reduction_right3_{block_id}")
            x3 = layers.add([x3_1, x3_2], name=f"reduction_add3_{block_id}")
        with name_scope("block_4"):
            x4 = _avg3(f"reduction_left4_{block_id}")(x1)
            x4 = layers.add([x2, x4])
        with name_scope("block_5"):
            x5_1 = _separable_conv_block(
                x1, filters, (3, 3), block_id=f"reduction_left4_{block_id}"
            )
            x5_2 = layers.MaxPooling2D((3, 3), strides=s2, padding="valid",
                                       name=f"reduction_right5_{block_id}")(h3)  # fmt: skip
            x5 = layers.add([x5_1, x5_2], name=f"reduction_add4_{block_id}")
        x = layers.concatenate([x2, x3, x4, x5], axis=-1, name=f"reduction_concat_{block_id}")
        return x, ip


def preprocess_input(x, data_format=None):
    """Scaled to [-1, 1] ("tf" mode)."""
    return iu.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

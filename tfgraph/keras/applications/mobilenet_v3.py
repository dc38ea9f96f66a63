"""`tf.keras.applications.mobilenet_v3`: MobileNetV3Small / MobileNetV3Large (Howard
et al. 2019) as Keras builds them (hard-swish's `x + 3` and `* 1/6` are TF ops on
Keras tensors, which a TF1 graph wraps as layers "tf_op_layer_add", "tf_op_layer_mul")."""

from __future__ import annotations

from tfgraph import logging
from tfgraph.keras import backend, layers
from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.applications._preprocessing import Rescaling, TensorFlowOpLayer
from tfgraph.keras.engine.functional import Model

__all__ = ["MobileNetV3Large", "MobileNetV3Small", "decode_predictions", "preprocess_input"]

BASE_WEIGHT_PATH = iu.WEIGHTS_BASE + "mobilenet_v3/"
WEIGHTS_HASHES = {
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb",
                             "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7",
                            "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c",
                                         "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7",
                             "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862",
                            "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37",
                                         "cde8136e733e811080d9fcd8a252f7e4"),
}  # fmt: skip
# expansion, filters, kernel ("k": the model's), stride, squeeze-excite, activation ("a")
_SMALL = ((1, 16, 3, 2, True, "relu"), (72.0 / 16, 24, 3, 2, False, "relu"),
          (88.0 / 24, 24, 3, 1, False, "relu"), (4, 40, "k", 2, True, "a"),
          (6, 40, "k", 1, True, "a"), (6, 40, "k", 1, True, "a"), (3, 48, "k", 1, True, "a"),
          (3, 48, "k", 1, True, "a"), (6, 96, "k", 2, True, "a"), (6, 96, "k", 1, True, "a"),
          (6, 96, "k", 1, True, "a"))  # fmt: skip
_LARGE = ((1, 16, 3, 1, False, "relu"), (4, 24, 3, 2, False, "relu"),
          (3, 24, 3, 1, False, "relu"), (3, 40, "k", 2, True, "relu"),
          (3, 40, "k", 1, True, "relu"), (3, 40, "k", 1, True, "relu"),
          (6, 80, 3, 2, False, "a"), (2.5, 80, 3, 1, False, "a"), (2.3, 80, 3, 1, False, "a"),
          (2.3, 80, 3, 1, False, "a"), (6, 112, 3, 1, True, "a"), (6, 112, 3, 1, True, "a"),
          (6, 160, "k", 2, True, "a"), (6, 160, "k", 1, True, "a"),
          (6, 160, "k", 1, True, "a"))  # fmt: skip


def relu(x):
    return layers.ReLU()(x)


def hard_sigmoid(x):
    x = TensorFlowOpLayer(lambda t: t + 3.0, "add")(x)
    x = layers.ReLU(6.0)(x)
    return TensorFlowOpLayer(lambda t: t * (1.0 / 6.0), "mul")(x)


def hard_swish(x):
    return layers.Multiply()([x, hard_sigmoid(x)])


def _depth(v, divisor=8, min_value=None):
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def _axis() -> int:
    return 1 if backend.image_data_format() == "channels_first" else -1


def _bn(name):
    return layers.BatchNormalization(axis=_axis(), epsilon=1e-3, momentum=0.999, name=name)


def _se_block(inputs, filters, se_ratio, prefix):
    x = layers.GlobalAveragePooling2D(keepdims=True, name=prefix + "squeeze_excite/AvgPool")(inputs)
    x = layers.Conv2D(_depth(filters * se_ratio), kernel_size=1, padding="same",
                      name=prefix + "squeeze_excite/Conv")(x)  # fmt: skip
    x = layers.ReLU(name=prefix + "squeeze_excite/Relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same",
                      name=prefix + "squeeze_excite/Conv_1")(x)  # fmt: skip
    x = hard_sigmoid(x)
    return layers.Multiply(name=prefix + "squeeze_excite/Mul")([inputs, x])


def _inverted_res_block(x, expansion, filters, kernel_size, stride, se_ratio, activation,
                        block_id):  # fmt: skip
    shortcut = x
    prefix = "expanded_conv/"
    infilters = backend.int_shape(x)[_axis()]
    if block_id:
        prefix = f"expanded_conv_{block_id}/"
        x = layers.Conv2D(_depth(infilters * expansion), kernel_size=1, padding="same",
                          use_bias=False, name=prefix + "expand")(x)  # fmt: skip
        x = _bn(prefix + "expand/BatchNorm")(x)
        x = activation(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=iu.correct_pad(x, kernel_size),
                                 name=prefix + "depthwise/pad")(x)  # fmt: skip
    x = layers.DepthwiseConv2D(kernel_size, strides=stride,
                               padding="same" if stride == 1 else "valid", use_bias=False,
                               name=prefix + "depthwise")(x)  # fmt: skip
    x = _bn(prefix + "depthwise/BatchNorm")(x)
    x = activation(x)
    if se_ratio:
        x = _se_block(x, _depth(infilters * expansion), se_ratio, prefix)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False,
                      name=prefix + "project")(x)  # fmt: skip
    x = _bn(prefix + "project/BatchNorm")(x)
    if stride == 1 and infilters == filters:
        x = layers.Add(name=prefix + "Add")([shortcut, x])
    return x


def _stack(spec, alpha):
    def stack_fn(x, kernel, activation, se_ratio):
        for block_id, (exp, filters, k, stride, se, act) in enumerate(spec):
            x = _inverted_res_block(x, exp, _depth(filters * alpha), kernel if k == "k" else k,
                                    stride, se_ratio if se else None,
                                    relu if act == "relu" else activation, block_id)  # fmt: skip
        return x

    return stack_fn


def _input_shape(input_shape, input_tensor):
    if input_shape is None and input_tensor is not None and backend.is_keras_tensor(input_tensor):
        shape = backend.int_shape(input_tensor)
        if backend.image_data_format() == "channels_first":
            return (3, shape[3], shape[2])
        return (shape[2], shape[1], 3)
    if input_shape is None:
        return (
            (None, None, 3) if backend.image_data_format() == "channels_last" else (3, None, None)
        )
    return input_shape


def _check_size(input_shape, weights, alpha, minimalistic):
    first = backend.image_data_format() == "channels_first"
    rows, cols = input_shape[1:3] if first else input_shape[0:2]
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(f"Input size must be at least 32x32; Received `input_shape={input_shape}`")
    if weights == "imagenet":
        if (not minimalistic and alpha not in [0.75, 1.0]) or (minimalistic and alpha != 1.0):
            raise ValueError(
                "If imagenet weights are being loaded, alpha can be one of `0.75`, `1.0` for "
                f"non minimalistic or `1.0` for minimalistic only. Received: alpha={alpha}"
            )
        if rows != cols or rows != 224:
            logging.warning(
                "`input_shape` is undefined or non-square, or `rows` is not 224. Weights "
                "for input shape (224, 224) will be loaded as the default."
            )


def _head(x, include_top, pooling, classes, last_point_ch, activation, dropout_rate,
          classifier_activation, weights):  # fmt: skip
    if not include_top:
        return iu.top_or_pooling(x, False, pooling, classes, None, weights)
    x = layers.GlobalAveragePooling2D(keepdims=True)(x)
    x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True,
                      name="Conv_2")(x)  # fmt: skip
    x = activation(x)
    if dropout_rate > 0:
        x = layers.Dropout(dropout_rate)(x)
    x = layers.Conv2D(classes, kernel_size=1, padding="same", name="Logits")(x)
    x = layers.Flatten()(x)
    iu.validate_activation(classifier_activation, weights)
    return layers.Activation(activation=classifier_activation, name="Predictions")(x)


def MobileNetV3(stack_fn, last_point_ch, input_shape=None, alpha=1.0, model_type="large",
                minimalistic=False, include_top=True, weights="imagenet", input_tensor=None,
                classes=1000, pooling=None, dropout_rate=0.2, classifier_activation="softmax",
                include_preprocessing=True):  # fmt: skip
    """A MobileNetV3: stem, `stack_fn`'s blocks, a 1x1 conv, then the head."""
    iu.check_weights(weights, include_top, classes)
    input_shape = _input_shape(input_shape, input_tensor)
    _check_size(input_shape, weights, alpha, minimalistic)
    img_input = iu.image_input(input_tensor, input_shape)
    kernel, activation, se_ratio = (3, relu, None) if minimalistic else (5, hard_swish, 0.25)
    x = img_input
    if include_preprocessing:
        x = Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False,
                      name="Conv")(x)  # fmt: skip
    x = activation(_bn("Conv/BatchNorm")(x))
    x = stack_fn(x, kernel, activation, se_ratio)
    last_conv_ch = _depth(backend.int_shape(x)[_axis()] * 6)
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha)
    x = layers.Conv2D(last_conv_ch, kernel_size=1, padding="same", use_bias=False,
                      name="Conv_1")(x)  # fmt: skip
    x = activation(_bn("Conv_1/BatchNorm")(x))
    x = _head(x, include_top, pooling, classes, last_point_ch, activation, dropout_rate,
              classifier_activation, weights)  # fmt: skip
    model = Model(iu.source_inputs(input_tensor, img_input), x, name="MobilenetV3" + model_type)
    name = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
    suffix = ".h5" if include_top else "_no_top_v2.h5"
    file_name = f"weights_mobilenet_v3_{name}{suffix}"
    file_hash = WEIGHTS_HASHES.get(name, (None, None))[0 if include_top else 1]
    return iu.load_weights(model, weights, file_name, BASE_WEIGHT_PATH + file_name, file_hash)


def MobileNetV3Small(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,
                     weights="imagenet", input_tensor=None, classes=1000, pooling=None,
                     dropout_rate=0.2, classifier_activation="softmax",
                     include_preprocessing=True):  # fmt: skip
    """MobileNetV3Small (11 inverted residual blocks)."""
    return MobileNetV3(_stack(_SMALL, alpha), 1024, input_shape, alpha, "small", minimalistic,
                       include_top, weights, input_tensor, classes, pooling, dropout_rate,
                       classifier_activation, include_preprocessing)  # fmt: skip


def MobileNetV3Large(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,
                     weights="imagenet", input_tensor=None, classes=1000, pooling=None,
                     dropout_rate=0.2, classifier_activation="softmax",
                     include_preprocessing=True):  # fmt: skip
    """MobileNetV3Large (15 inverted residual blocks)."""
    return MobileNetV3(_stack(_LARGE, alpha), 1280, input_shape, alpha, "large", minimalistic,
                       include_top, weights, input_tensor, classes, pooling, dropout_rate,
                       classifier_activation, include_preprocessing)  # fmt: skip


def preprocess_input(x, data_format=None):
    """`x` unchanged: MobileNetV3 rescales inside the model."""
    return x


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

"""`tf.keras.applications.convnext`: ConvNeXt Tiny/Small/Base/Large/XLarge (Liu et al.
2022) as Keras builds them: a patchify stem and downsampling blocks (small Sequential
models), blocks of depthwise 7x7 convolution, LayerNorm, pointwise MLP and layer scale,
the inputs normalized inside the model."""

from __future__ import annotations

import numpy as np

from tfgraph.keras import backend, layers
from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.applications._preprocessing import Normalization, TensorFlowOpLayer
from tfgraph.keras.engine.base_layer import Layer
from tfgraph.keras.engine.functional import Model, Sequential
from tfgraph.keras.initializers import Constant

__all__ = [
    "ConvNeXtBase",
    "ConvNeXtLarge",
    "ConvNeXtSmall",
    "ConvNeXtTiny",
    "ConvNeXtXLarge",
    "decode_predictions",
    "preprocess_input",
]

BASE_WEIGHTS_PATH = iu.WEIGHTS_BASE + "convnext/"
WEIGHTS_HASHES = {
    "convnext_tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
                      "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "convnext_small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
                       "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "convnext_base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
                      "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "convnext_large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
                       "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "convnext_xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}  # fmt: skip
MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3], "projection_dims": [96, 192, 384, 768]},
    "small": {"depths": [3, 3, 27, 3], "projection_dims": [96, 192, 384, 768]},
    "base": {"depths": [3, 3, 27, 3], "projection_dims": [128, 256, 512, 1024]},
    "large": {"depths": [3, 3, 27, 3], "projection_dims": [192, 384, 768, 1536]},
    "xlarge": {"depths": [3, 3, 27, 3], "projection_dims": [256, 512, 1024, 2048]},
}


class StochasticDepth(Layer):
    """Drops the whole residual branch per example with `drop_path_rate` in training."""

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if not training:
            return x
        from tfgraph.ops import array_ops, math_ops, random_ops

        keep_prob = 1 - self.drop_path_rate
        shape = array_ops.concat([array_ops.shape(x)[:1], [1] * (x.shape.ndims - 1)], 0)
        random_tensor = math_ops.floor(keep_prob + random_ops.random_uniform(shape, 0, 1))
        return x / keep_prob * random_tensor

    def get_config(self):
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}


class LayerScale(Layer):
    """Multiplies by a learned per-channel `gamma` (initially `init_values`)."""

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape):
        self.gamma = self.add_weight(
            name="gamma",
            shape=(self.projection_dim,),
            initializer=Constant(self.init_values),
            trainable=True,
        )
        self.built = True

    def call(self, x):
        return x * self.gamma

    def get_config(self):
        return {**super().get_config(), "init_values": self.init_values,
                "projection_dim": self.projection_dim}  # fmt: skip


def ConvNeXtBlock(projection_dim, drop_path_rate=0.0, layer_scale_init_value=1e-6, name=None):
    """Depthwise 7x7 conv, LayerNorm, 4x pointwise MLP with GELU, layer scale, residual."""
    name = name or f"prestem{backend.get_uid('prestem')}"

    def apply(inputs):
        x = layers.Conv2D(filters=projection_dim, kernel_size=7, padding="same",
                          groups=projection_dim, name=name + "_depthwise_conv")(inputs)  # fmt: skip
        x = layers.LayerNormalization(epsilon=1e-6, name=name + "_layernorm")(x)
        x = layers.Dense(4 * projection_dim, name=name + "_pointwise_conv_1")(x)
        x = layers.Activation("gelu", name=name + "_gelu")(x)
        x = layers.Dense(projection_dim, name=name + "_pointwise_conv_2")(x)
        if layer_scale_init_value is not None:
            x = LayerScale(layer_scale_init_value, projection_dim, name=name + "_layer_scale")(x)
        if drop_path_rate:
            layer = StochasticDepth(drop_path_rate, name=name + "_stochastic_depth")
        else:
            layer = layers.Activation("linear", name=name + "_identity")
        branch = layer(x)
        return TensorFlowOpLayer(lambda t: t[0] + t[1], "add")([inputs, branch])

    return apply


def _prestem(x, name):
    mean = [0.485 * 255, 0.456 * 255, 0.406 * 255]
    variance = [(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2]
    return Normalization(mean=mean, variance=variance, name=name + "_prestem_normalization")(x)


def _head(x, classes, classifier_activation, name):
    x = layers.GlobalAveragePooling2D(name=name + "_head_gap")(x)
    x = layers.LayerNormalization(epsilon=1e-6, name=name + "_head_layernorm")(x)
    return layers.Dense(classes, activation=classifier_activation, name=name + "_head_dense")(x)


def _downsampling(projection_dims, name):
    stem = Sequential([
        layers.Conv2D(projection_dims[0], kernel_size=4, strides=4, name=name + "_stem_conv"),
        layers.LayerNormalization(epsilon=1e-6, name=name + "_stem_layernorm"),
    ], name=name + "_stem")  # fmt: skip
    blocks = [stem]
    for i in range(3):
        blocks.append(Sequential([
            layers.LayerNormalization(epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"),
            layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2,
                          name=f"{name}_downsampling_conv_{i}"),
        ], name=f"{name}_downsampling_block_{i}"))  # fmt: skip
    return blocks


def ConvNeXt(depths, projection_dims, drop_path_rate=0.0, layer_scale_init_value=1e-6,
             default_size=224, model_name="convnext", include_preprocessing=True,
             include_top=True, weights=None, input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax"):  # fmt: skip
    """A ConvNeXt with `depths` blocks of `projection_dims` channels per stage."""
    iu.check_weights(weights, include_top, classes)
    input_shape = iu.obtain_input_shape(
        input_shape, default_size, 32, backend.image_data_format(), include_top, weights
    )
    img_input = iu.image_input(input_tensor, input_shape)
    inputs = iu.source_inputs(input_tensor, img_input)
    inputs = inputs[0] if isinstance(inputs, list) else inputs
    x = inputs
    channel_axis = 3 if backend.image_data_format() == "channels_last" else 1
    if include_preprocessing and input_shape[channel_axis - 1] == 3:
        x = _prestem(x, model_name)
    rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    cur = 0
    for i, downsample in enumerate(_downsampling(projection_dims, model_name)):
        x = downsample(x)
        for j in range(depths[i]):
            x = ConvNeXtBlock(projection_dims[i], rates[cur + j], layer_scale_init_value,
                              name=f"{model_name}_stage_{i}_block_{j}")(x)  # fmt: skip
        cur += depths[i]
    if include_top:
        iu.validate_activation(classifier_activation, weights)
        x = _head(x, classes, classifier_activation, model_name)
    else:
        x = iu.top_or_pooling(x, False, pooling, classes, None, weights, pool_names=False)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    model = Model(inputs=inputs, outputs=x, name=model_name)
    file_name = model_name + (".h5" if include_top else "_notop.h5")
    file_hash = WEIGHTS_HASHES.get(model_name, (None, None))[0 if include_top else 1]
    return iu.load_weights(model, weights, file_name, BASE_WEIGHTS_PATH + file_name, file_hash)


def _variant(size):
    def builder(model_name=f"convnext_{size}", include_top=True, include_preprocessing=True,
                weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax"):  # fmt: skip
        config = MODEL_CONFIGS[size]
        return ConvNeXt(depths=config["depths"], projection_dims=config["projection_dims"],
                        drop_path_rate=0.0, layer_scale_init_value=1e-6, default_size=224,
                        model_name=model_name, include_top=include_top,
                        include_preprocessing=include_preprocessing, weights=weights,
                        input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
                        classes=classes, classifier_activation=classifier_activation)  # fmt: skip

    title = {"xlarge": "XLarge"}.get(size, size.capitalize())
    builder.__name__ = builder.__qualname__ = f"ConvNeXt{title}"
    builder.__doc__ = f"ConvNeXt{title} (224x224 inputs by default)."
    return builder


ConvNeXtTiny = _variant("tiny")
ConvNeXtSmall = _variant("small")
ConvNeXtBase = _variant("base")
ConvNeXtLarge = _variant("large")
ConvNeXtXLarge = _variant("xlarge")


def preprocess_input(x, data_format=None):
    """`x` unchanged: ConvNeXt normalizes inside the model."""
    return x


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

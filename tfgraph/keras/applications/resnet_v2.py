"""`tf.keras.applications.resnet_v2`: the pre-activation ResNets (He et al. 2016)."""

from __future__ import annotations

from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.applications import resnet

__all__ = [
    "ResNet50V2",
    "ResNet101V2",
    "ResNet152V2",
    "decode_predictions",
    "preprocess_input",
]


def _v2_stages(depths):
    def stack_fn(x):
        x = resnet.stack2(x, 64, depths[0], name="conv2")
        x = resnet.stack2(x, 128, depths[1], name="conv3")
        x = resnet.stack2(x, 256, depths[2], name="conv4")
        return resnet.stack2(x, 512, depths[3], stride1=1, name="conv5")

    return stack_fn


def _build(depths, name, include_top, weights, input_tensor, input_shape, pooling, classes,
           classifier_activation):  # fmt: skip
    return resnet.ResNet(_v2_stages(depths), True, True, name, include_top, weights,
                         input_tensor, input_shape, pooling, classes,
                         classifier_activation=classifier_activation)  # fmt: skip


def ResNet50V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
               pooling=None, classes=1000, classifier_activation="softmax"):  # fmt: skip
    """ResNet50V2 (stages of 3, 4, 6, 3 pre-activation blocks)."""
    return _build((3, 4, 6, 3), "resnet50v2", include_top, weights, input_tensor,
                  input_shape, pooling, classes, classifier_activation)  # fmt: skip


def ResNet101V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):  # fmt: skip
    """ResNet101V2 (stages of 3, 4, 23, 3 pre-activation blocks)."""
    return _build((3, 4, 23, 3), "resnet101v2", include_top, weights, input_tensor,
                  input_shape, pooling, classes, classifier_activation)  # fmt: skip


def ResNet152V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):  # fmt: skip
    """ResNet152V2 (stages of 3, 8, 36, 3 pre-activation blocks)."""
    return _build((3, 8, 36, 3), "resnet152v2", include_top, weights, input_tensor,
                  input_shape, pooling, classes, classifier_activation)  # fmt: skip


def preprocess_input(x, data_format=None):
    """Scaled to [-1, 1] ("tf" mode)."""
    return iu.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

"""`tf.keras.applications.vgg16`: VGG16 (Simonyan and Zisserman 2014)."""

from __future__ import annotations

from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.applications._vgg import vgg

__all__ = ["VGG16", "decode_predictions", "preprocess_input"]

WEIGHTS_HASHES = ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc")


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax"):  # fmt: skip
    """VGG16: blocks of 2, 2, 3, 3, 3 3x3 convolutions."""
    return vgg((2, 2, 3, 3, 3), "vgg16", WEIGHTS_HASHES, include_top, weights, input_tensor,
               input_shape, pooling, classes, classifier_activation)  # fmt: skip


def preprocess_input(x, data_format=None):
    """Caffe-style: RGB -> BGR, minus the ImageNet channel means, no scaling."""
    return iu.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

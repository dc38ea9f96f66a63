"""`tf.keras.applications.vgg19`: VGG19 (Simonyan and Zisserman 2014)."""

from __future__ import annotations

from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.applications._vgg import vgg

__all__ = ["VGG19", "decode_predictions", "preprocess_input"]

WEIGHTS_HASHES = ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6")


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax"):  # fmt: skip
    """VGG19: blocks of 2, 2, 4, 4, 4 3x3 convolutions."""
    return vgg((2, 2, 4, 4, 4), "vgg19", WEIGHTS_HASHES, include_top, weights, input_tensor,
               input_shape, pooling, classes, classifier_activation)  # fmt: skip


def preprocess_input(x, data_format=None):
    """Caffe-style: RGB -> BGR, minus the ImageNet channel means, no scaling."""
    return iu.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes per row of `preds`, as (id, name, score)."""
    return iu.decode_predictions(preds, top=top)

"""`tf.layers`: TF1 layers (re-exports only)."""

from tfgraph import layers_experimental as experimental
from tfgraph.legacy_layers.base import InputSpec, Layer
from tfgraph.legacy_layers.convolutional import (
    Conv1D,
    Conv2D,
    Conv2DTranspose,
    conv1d,
    conv2d,
    conv2d_transpose,
)
from tfgraph.legacy_layers.convolutional3d import (
    AveragePooling3D,
    Conv3D,
    Conv3DTranspose,
    MaxPooling3D,
    average_pooling3d,
    conv3d,
    conv3d_transpose,
    max_pooling3d,
)
from tfgraph.legacy_layers.core import Dense, Dropout, Flatten, dense, dropout, flatten
from tfgraph.legacy_layers.normalization import BatchNormalization, batch_normalization
from tfgraph.legacy_layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    MaxPooling1D,
    MaxPooling2D,
    average_pooling1d,
    average_pooling2d,
    max_pooling1d,
    max_pooling2d,
)
from tfgraph.legacy_layers.separable import (
    SeparableConv1D,
    SeparableConv2D,
    separable_conv1d,
    separable_conv2d,
)

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "BatchNormalization",
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "Dense",
    "Dropout",
    "Flatten",
    "InputSpec",
    "Layer",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "SeparableConv1D",
    "SeparableConv2D",
    "average_pooling1d",
    "average_pooling2d",
    "average_pooling3d",
    "batch_normalization",
    "conv1d",
    "conv2d",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "dense",
    "dropout",
    "experimental",
    "flatten",
    "max_pooling1d",
    "max_pooling2d",
    "max_pooling3d",
    "separable_conv1d",
    "separable_conv2d",
]

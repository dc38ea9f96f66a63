"""`tf.keras.layers` (re-exports only)."""

from tfgraph.keras.engine.base_layer import InputSpec, Layer
from tfgraph.keras.engine.input_layer import Input, InputLayer
from tfgraph.keras.layers.convolutional import (
    AveragePooling2D,
    Conv1D,
    Conv2D,
    GlobalAveragePooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from tfgraph.keras.layers.core import (
    Activation,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Reshape,
)
from tfgraph.keras.layers.merge import Add, Concatenate, add, concatenate
from tfgraph.keras.layers.normalization import BatchNormalization
from tfgraph.keras.layers.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell

AvgPool2D = AveragePooling2D
MaxPool2D = MaxPooling2D
MaxPool1D = MaxPooling1D
Convolution2D = Conv2D

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "Activation",
    "Add",
    "AveragePooling2D",
    "AvgPool2D",
    "BatchNormalization",
    "Concatenate",
    "Conv1D",
    "Conv2D",
    "Convolution2D",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "GRUCell",
    "GlobalAveragePooling2D",
    "Input",
    "InputLayer",
    "InputSpec",
    "LSTMCell",
    "Layer",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "Reshape",
    "add",
    "concatenate",
]

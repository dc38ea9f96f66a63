"""`tf.keras.layers` (re-exports only)."""

from tfgraph.keras.engine.base_layer import InputSpec, Layer
from tfgraph.keras.engine.input_layer import Input, InputLayer
from tfgraph.keras.layers.advanced import (
    AveragePooling1D,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    Lambda,
    LeakyReLU,
    Permute,
    ReLU,
    RepeatVector,
    Softmax,
    UpSampling2D,
    ZeroPadding2D,
)
from tfgraph.keras.layers.convolutional import (
    AveragePooling2D,
    Conv1D,
    Conv2D,
    Conv2DTranspose,
    Cropping2D,
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
    Masking,
    Reshape,
)
from tfgraph.keras.layers.merge import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from tfgraph.keras.layers.normalization import BatchNormalization
from tfgraph.keras.layers.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell
from tfgraph.keras.layers.wrappers import Bidirectional, TimeDistributed

AvgPool2D = AveragePooling2D
AvgPool1D = AveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
MaxPool2D = MaxPooling2D
MaxPool1D = MaxPooling1D
Convolution2D = Conv2D
Convolution2DTranspose = Conv2DTranspose

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "Activation",
    "Add",
    "Average",
    "AveragePooling1D",
    "AveragePooling2D",
    "AvgPool1D",
    "AvgPool2D",
    "BatchNormalization",
    "Bidirectional",
    "Concatenate",
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Convolution2D",
    "Convolution2DTranspose",
    "Cropping2D",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "GRUCell",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAvgPool2D",
    "GlobalMaxPool2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "Input",
    "InputLayer",
    "InputSpec",
    "LSTMCell",
    "Lambda",
    "Layer",
    "LeakyReLU",
    "Masking",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "Maximum",
    "Minimum",
    "Multiply",
    "Permute",
    "ReLU",
    "RepeatVector",
    "Reshape",
    "Softmax",
    "Subtract",
    "TimeDistributed",
    "UpSampling2D",
    "ZeroPadding2D",
    "add",
    "average",
    "concatenate",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]

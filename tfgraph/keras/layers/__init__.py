"""`tf.keras.layers` (re-exports only)."""

from tfgraph.keras.engine.base_layer import InputSpec, Layer
from tfgraph.keras.engine.input_layer import Input, InputLayer
from tfgraph.keras.layers import experimental
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
from tfgraph.keras.layers.attention import AdditiveAttention, Attention, EinsumDense
from tfgraph.keras.layers.basic import (
    AbstractRNNCell,
    AlphaDropout,
    Identity,
    SpatialDropout3D,
    Wrapper,
    deserialize,
    disable_v2_dtype_behavior,
    dot,
    enable_v2_dtype_behavior,
    serialize,
)
from tfgraph.keras.layers.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
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
from tfgraph.keras.layers.dense_features import DenseFeatures
from tfgraph.keras.layers.extra import (
    ELU,
    ActivityRegularization,
    Cropping1D,
    DepthwiseConv2D,
    Dot,
    GaussianDropout,
    GaussianNoise,
    LayerNormalization,
    PReLU,
    SeparableConv2D,
    SpatialDropout1D,
    SpatialDropout2D,
    ThresholdedReLU,
    UpSampling1D,
    ZeroPadding1D,
)
from tfgraph.keras.layers.locally_connected import LocallyConnected1D, LocallyConnected2D
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
from tfgraph.keras.layers.multi_head_attention import MultiHeadAttention
from tfgraph.keras.layers.normalization import BatchNormalization
from tfgraph.keras.layers.preprocessing import (
    CategoryEncoding,
    CenterCrop,
    Discretization,
    Hashing,
    Normalization,
    Rescaling,
    Resizing,
)
from tfgraph.keras.layers.recurrent import (
    GRU,
    LSTM,
    RNN,
    GRUCell,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
)
from tfgraph.keras.layers.separable1d import DepthwiseConv1D, SeparableConv1D
from tfgraph.keras.layers.volumetric import (
    AveragePooling3D,
    Conv1DTranspose,
    Conv3D,
    Conv3DTranspose,
    Cropping3D,
    GlobalAveragePooling3D,
    GlobalMaxPooling3D,
    MaxPooling3D,
    UpSampling3D,
    ZeroPadding3D,
)
from tfgraph.keras.layers.wrappers import Bidirectional, TimeDistributed

AvgPool2D = AveragePooling2D
AvgPool1D = AveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
MaxPool2D = MaxPooling2D
MaxPool1D = MaxPooling1D
Convolution2D = Conv2D
SeparableConvolution2D = SeparableConv2D
SeparableConvolution1D = SeparableConv1D
Convolution2DTranspose = Conv2DTranspose
Convolution1D = Conv1D
Convolution1DTranspose = Conv1DTranspose
Convolution3D = Conv3D
Convolution3DTranspose = Conv3DTranspose
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalMaxPool1D = GlobalMaxPooling1D
AvgPool3D = AveragePooling3D
MaxPool3D = MaxPooling3D
GlobalAvgPool3D = GlobalAveragePooling3D
GlobalMaxPool3D = GlobalMaxPooling3D

__all__ = [
    "ELU",
    "GRU",
    "LSTM",
    "RNN",
    "AbstractRNNCell",
    "Activation",
    "ActivityRegularization",
    "Add",
    "AdditiveAttention",
    "AlphaDropout",
    "Attention",
    "Average",
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "AvgPool1D",
    "AvgPool2D",
    "AvgPool3D",
    "BatchNormalization",
    "Bidirectional",
    "CategoryEncoding",
    "CenterCrop",
    "Concatenate",
    "Conv1D",
    "Conv1DTranspose",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "ConvLSTM1D",
    "ConvLSTM2D",
    "ConvLSTM3D",
    "Convolution1D",
    "Convolution1DTranspose",
    "Convolution2D",
    "Convolution2DTranspose",
    "Convolution3D",
    "Convolution3DTranspose",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "Dense",
    "DenseFeatures",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "Discretization",
    "Dot",
    "Dropout",
    "EinsumDense",
    "Embedding",
    "Flatten",
    "GRUCell",
    "GaussianDropout",
    "GaussianNoise",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAveragePooling3D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalAvgPool3D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPool3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
    "Hashing",
    "Identity",
    "Input",
    "InputLayer",
    "InputSpec",
    "LSTMCell",
    "Lambda",
    "Layer",
    "LayerNormalization",
    "LeakyReLU",
    "LocallyConnected1D",
    "LocallyConnected2D",
    "Masking",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPool3D",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "Maximum",
    "Minimum",
    "MultiHeadAttention",
    "Multiply",
    "Normalization",
    "PReLU",
    "Permute",
    "ReLU",
    "RepeatVector",
    "Rescaling",
    "Reshape",
    "Resizing",
    "SeparableConv1D",
    "SeparableConv2D",
    "SeparableConvolution1D",
    "SeparableConvolution2D",
    "SimpleRNN",
    "SimpleRNNCell",
    "Softmax",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "StackedRNNCells",
    "Subtract",
    "ThresholdedReLU",
    "TimeDistributed",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "Wrapper",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
    "add",
    "average",
    "concatenate",
    "deserialize",
    "disable_v2_dtype_behavior",
    "dot",
    "enable_v2_dtype_behavior",
    "experimental",
    "maximum",
    "minimum",
    "multiply",
    "serialize",
    "subtract",
]

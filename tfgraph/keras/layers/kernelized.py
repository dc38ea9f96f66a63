"""Keras 2's RandomFourierFeatures (layers.experimental): `cos(x W / scale + b)` with
W drawn for a Gaussian (normal) or Laplacian (Cauchy) kernel and b uniform in
[0, 2 pi); only the kernel scale can learn."""

from __future__ import annotations

import numpy as np

from tfgraph.keras import initializers
from tfgraph.keras.engine.base_layer import InputSpec, Layer, as_shape
from tfgraph.ops import array_ops, conv_ops, math_ops

__all__ = ["RandomFourierFeatures"]

_KERNELS = ["gaussian", "laplacian"]


def _features_initializer(initializer, shape):
    if not isinstance(initializer, str):
        return initializer
    if initializer.lower() == "gaussian":
        return initializers.RandomNormal(stddev=1.0)
    probs = np.random.uniform(low=0.0, high=1.0, size=shape)
    return initializers.Constant(np.tan(np.pi * (probs - 0.5)))


class RandomFourierFeatures(Layer):
    """Random Fourier features approximating a shift-invariant kernel: weights
    `unscaled_kernel` [in, output_dim], `bias` [output_dim] (fixed) and `kernel_scale`
    [1] (non-negative)."""

    def __init__(
        self, output_dim, kernel_initializer="gaussian", scale=None, trainable=False, name=None,
        **kwargs,
    ) -> None:  # fmt: skip
        if output_dim <= 0:
            raise ValueError(f"`output_dim` should be a positive integer. Received: {output_dim}")
        if isinstance(kernel_initializer, str) and kernel_initializer.lower() not in _KERNELS:
            raise ValueError(
                f"Unsupported `kernel_initializer`: {kernel_initializer} Expected one of: "
                f"{_KERNELS}"
            )
        if scale is not None and scale <= 0.0:
            raise ValueError(
                f"When provided, `scale` should be a positive float. Received: {scale}"
            )
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.output_dim = output_dim
        self.kernel_initializer = kernel_initializer
        self.scale = scale

    def build(self, input_shape) -> None:
        shape = as_shape(input_shape)
        if shape.ndims != 2:
            raise ValueError(
                "The rank of the input tensor should be 2. Received input with rank "
                f"{shape.ndims} instead. Full input shape received: {shape}"
            )
        input_dim = shape.as_list()[1]
        if input_dim is None:
            raise ValueError(
                "The last dimension of the input tensor should be defined. Found `None`. "
                f"Full input shape received: {shape}"
            )
        self.input_spec = InputSpec(ndim=2, axes={1: input_dim})
        self.unscaled_kernel = self.add_weight(
            name="unscaled_kernel",
            shape=(input_dim, self.output_dim),
            dtype="float32",
            initializer=_features_initializer(
                self.kernel_initializer, (input_dim, self.output_dim)
            ),
            trainable=False,
        )
        self.bias = self.add_weight(
            name="bias",
            shape=(self.output_dim,),
            dtype="float32",
            initializer=initializers.RandomUniform(minval=0.0, maxval=2 * np.pi),
            trainable=False,
        )
        if self.scale is None:
            gaussian = isinstance(self.kernel_initializer, str) and (
                self.kernel_initializer.lower() == "gaussian"
            )
            self.scale = float(np.sqrt(input_dim / 2.0)) if gaussian else 1.0
        self.kernel_scale = self.add_weight(
            name="kernel_scale",
            shape=(1,),
            dtype="float32",
            initializer=initializers.Constant(self.scale),
            trainable=True,
            constraint="NonNeg",
        )
        self.built = True

    def call(self, inputs):
        inputs = array_ops.cast(inputs, "float32")
        kernel = (1.0 / self.kernel_scale) * self.unscaled_kernel
        outputs = conv_ops.bias_add(math_ops.matmul(inputs, kernel), self.bias)
        return math_ops.cos(outputs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["scale"] = self.scale
        return config

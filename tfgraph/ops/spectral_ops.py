"""FFT, IFFT, FFT2D, IFFT2D, FFT3D, IFFT3D: discrete Fourier transforms over the innermost
1, 2 or 3 dimensions of a complex tensor, with TF's gradients (spectral_grad.py)."""

from __future__ import annotations

import numpy as np

from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import register_op
from tfgraph.ops import array_ops, common_shapes, math_ops
from tfgraph.ops.apply import op_output

__all__ = ["fft", "fft2d", "fft3d", "ifft", "ifft2d", "ifft3d"]

_SUFFIX = {1: "", 2: "2D", 3: "3D"}


def _fft_shape(rank: int):
    def shape(op):
        dims = op._inputs[0]._shape._dims
        if dims is not None and len(dims) < rank:
            raise common_shapes.shape_error(
                op, f"Shape must be at least rank {rank} but is rank {len(dims)}"
            )
        return [op._inputs[0]._shape]

    return shape


def _fft_kernel(rank: int, inverse: bool):
    fn = np.fft.ifftn if inverse else np.fft.fftn
    axes = tuple(range(-rank, 0))

    def kernel(x):
        x = np.asarray(x)
        if x.size == 0:
            return x.copy()
        return fn(x, axes=axes).astype(x.dtype, copy=False)

    return kernel


def _fft_size_for_grad(grad, rank: int):
    return math_ops.reduce_prod(array_ops.shape(grad)[-rank:])


def _fft_grad(rank: int):
    def grad_fn(op, grad):
        size = array_ops.cast(_fft_size_for_grad(grad, rank), grad.dtype)
        return [_IFFT[rank](grad) * size]

    return grad_fn


def _ifft_grad(rank: int):
    def grad_fn(op, grad):
        rsize = 1.0 / array_ops.cast(_fft_size_for_grad(grad, rank), grad.dtype.real_dtype)
        rsize = array_ops.cast(rsize, grad.dtype)
        return [_FFT[rank](grad) * rsize]

    return grad_fn


for _rank in (1, 2, 3):
    for _inverse in (False, True):
        register_op(
            ("IFFT" if _inverse else "FFT") + _SUFFIX[_rank],
            inputs=["input: Tcomplex"],
            outputs=["output: Tcomplex"],
            attrs=["Tcomplex: {complex64, complex128} = complex64"],
            shape=_fft_shape(_rank),
            kernel=_fft_kernel(_rank, _inverse),
            grad=_ifft_grad(_rank) if _inverse else _fft_grad(_rank),
        )


def _transform(op_type: str, doc: str):
    def transform(input, name=None) -> Tensor:
        return op_output(op_type, name, [input])

    transform.__name__ = op_type.lower()
    transform.__doc__ = doc
    return transform


fft = _transform("FFT", "The discrete Fourier transform over the innermost dimension.")
ifft = _transform("IFFT", "The inverse discrete Fourier transform over the innermost dimension.")
fft2d = _transform("FFT2D", "The 2-D discrete Fourier transform over the innermost 2 dimensions.")
ifft2d = _transform(
    "IFFT2D", "The inverse 2-D discrete Fourier transform over the innermost 2 dimensions."
)
fft3d = _transform("FFT3D", "The 3-D discrete Fourier transform over the innermost 3 dimensions.")
ifft3d = _transform(
    "IFFT3D", "The inverse 3-D discrete Fourier transform over the innermost 3 dimensions."
)
_FFT = {1: fft, 2: fft2d, 3: fft3d}
_IFFT = {1: ifft, 2: ifft2d, 3: ifft3d}

"""FFT, IFFT, FFT2D, IFFT2D, FFT3D, IFFT3D: discrete Fourier transforms over the innermost
1, 2 or 3 dimensions of a complex tensor, with TF's gradients (spectral_grad.py)."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
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


# -- FFTND, IFFTND, RFFTND, IRFFTND: transforms over the given axes, with fft_length ----------
# TF 2.21's static shape for these is the input's shape whatever fft_length says, it registers
# no gradient for them, and it has GPU kernels only; tfgraph computes them on the CPU.
def _nd_kernel(fn, out_dtype_attr: str):
    def make(op, ctx):
        dtype = op._attrs[out_dtype_attr].as_numpy_dtype

        def kernel(x, fft_length, axes):
            s = [int(v) for v in np.reshape(fft_length, -1)]
            ax = [int(v) for v in np.reshape(axes, -1)]
            return np.asarray(fn(np.asarray(x), s=s, axes=ax)).astype(dtype, copy=False)

        return kernel

    return make


_COMPLEX_ATTR = "Tcomplex: {complex64, complex128} = complex64"
_REAL_ATTR = "Treal: {float32, float64} = float32"
for _op_type, _fn, _in, _out in (
    ("FFTND", np.fft.fftn, "Tcomplex", "Tcomplex"),
    ("IFFTND", np.fft.ifftn, "Tcomplex", "Tcomplex"),
    ("RFFTND", np.fft.rfftn, "Treal", "Tcomplex"),
    ("IRFFTND", np.fft.irfftn, "Tcomplex", "Treal"),
):
    register_op(
        _op_type,
        inputs=[f"input: {_in}", "fft_length: int32", "axes: int32"],
        outputs=[f"output: {_out}"],
        attrs=[_REAL_ATTR, _COMPLEX_ATTR] if "Treal" in (_in, _out) else [_COMPLEX_ATTR],
        shape=lambda op: [op._inputs[0]._shape],
        make_kernel=_nd_kernel(_fn, _out),
    )


def fftnd(input, fft_length, axes, name=None) -> Tensor:
    """The N-D discrete Fourier transform over `axes` of a complex tensor, each axis cropped
    or zero-padded to `fft_length` (TF1 `tf.fftnd`, op FFTND)."""
    return op_output("FFTND", name, [input, fft_length, axes])


def ifftnd(input, fft_length, axes, name=None) -> Tensor:
    """The inverse N-D discrete Fourier transform over `axes` (TF1 `tf.ifftnd`, op IFFTND)."""
    return op_output("IFFTND", name, [input, fft_length, axes])


def rfftnd(input, fft_length, axes, Tcomplex=None, name=None) -> Tensor:
    """The N-D discrete Fourier transform of a real tensor over `axes`; the last axis keeps
    fft_length[-1] // 2 + 1 frequencies (TF1 `tf.rfftnd`, op RFFTND)."""
    attrs = {} if Tcomplex is None else {"Tcomplex": dtypes.as_dtype(Tcomplex)}
    return op_output("RFFTND", name, [input, fft_length, axes], attrs)


def irfftnd(input, fft_length, axes, Treal=None, name=None) -> Tensor:
    """The inverse of `rfftnd`: a real tensor with `fft_length` along `axes` (TF1
    `tf.irfftnd`, op IRFFTND)."""
    attrs = {} if Treal is None else {"Treal": dtypes.as_dtype(Treal)}
    return op_output("IRFFTND", name, [input, fft_length, axes], attrs)

"""FFT, IFFT, FFT2D, IFFT2D, FFT3D, IFFT3D: discrete Fourier transforms over the innermost
1, 2 or 3 dimensions of a complex tensor, with TF's gradients (spectral_grad.py)."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import name_scope
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, common_shapes, manip_ops, math_ops
from tfgraph.ops.apply import op_output

__all__ = [
    "fft",
    "fft2d",
    "fft3d",
    "fftnd",
    "fftshift",
    "ifft",
    "ifft2d",
    "ifft3d",
    "ifftnd",
    "ifftshift",
    "irfft",
    "irfft2d",
    "irfft3d",
    "irfftnd",
    "rfft",
    "rfft2d",
    "rfft3d",
    "rfftnd",
]

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


def rfftnd(input, fft_length, axes, Tcomplex=dtypes.complex64, name=None) -> Tensor:
    """The N-D discrete Fourier transform of a real tensor over `axes`; the last axis keeps
    fft_length[-1] // 2 + 1 frequencies (TF1 `tf.rfftnd`, op RFFTND)."""
    attrs = {} if Tcomplex is None else {"Tcomplex": dtypes.as_dtype(Tcomplex)}
    return op_output("RFFTND", name, [input, fft_length, axes], attrs)


def irfftnd(input, fft_length, axes, Treal=dtypes.float32, name=None) -> Tensor:
    """The inverse of `rfftnd`: a real tensor with `fft_length` along `axes` (TF1
    `tf.irfftnd`, op IRFFTND)."""
    attrs = {} if Treal is None else {"Treal": dtypes.as_dtype(Treal)}
    return op_output("IRFFTND", name, [input, fft_length, axes], attrs)


# -- RFFT, IRFFT (1-3D): real-input transforms with an fft_length input --------------------
# The static shape replaces the innermost `rank` dimensions by fft_length (RFFT's last one by
# fft_length // 2 + 1); the kernels crop or zero-pad each transformed axis as TF's do.
def _rfft_shape(rank: int, inverse: bool):
    def shape(op):
        in_shape = op._inputs[0]._shape
        dims = in_shape._dims
        if dims is not None and len(dims) < rank:
            raise common_shapes.shape_error(
                op, f"Shape must be at least rank {rank} but is rank {len(dims)}"
            )
        if dims is None:
            return [common_shapes.UNKNOWN]
        lengths = common_shapes.constant_value(op._inputs[1])
        if lengths is None:
            tail = [None] * rank
        else:
            tail = [int(v) for v in np.reshape(lengths, -1)]
            if not inverse and tail:
                tail[-1] = tail[-1] // 2 + 1
        return [TensorShape(list(dims[: len(dims) - rank]) + tail)]

    return shape


def _rfft_kernel(rank: int, inverse: bool, out_attr: str):
    axes = tuple(range(-rank, 0))

    def make(op, ctx):
        dtype = op._attrs[out_attr].as_numpy_dtype

        def kernel(x, fft_length):
            x = np.asarray(x)
            s = [int(v) for v in np.reshape(fft_length, -1)]
            out_shape = list(x.shape[: x.ndim - rank]) + s
            if not inverse:
                out_shape[-1] = s[-1] // 2 + 1
            if 0 in out_shape or 0 in s or x.size == 0:
                return np.zeros(out_shape, dtype)
            fn = np.fft.irfftn if inverse else np.fft.rfftn
            if inverse:  # TF reads only the first fft_length // 2 + 1 bins of the last axis
                x = x[..., : s[-1] // 2 + 1]
            return np.asarray(fn(x, s=s, axes=axes)).astype(dtype, copy=False)

        return kernel

    return make


def _rfft_grad(rank: int):
    def grad_fn(op, grad):
        fft_length = op._inputs[1]
        complex_dtype = grad.dtype
        real_dtype = complex_dtype.real_dtype
        input_shape = array_ops.shape(op._inputs[0])
        is_even = array_ops.cast(1 - fft_length[-1] % 2, complex_dtype)

        def ymask(length):
            return array_ops.cast(1 - 2 * (math_ops.range(length) % 2), complex_dtype)

        def mask_matrix(length):
            a = array_ops.tile(array_ops.expand_dims(math_ops.range(length), 0), (length, 1))
            b = array_ops.transpose(a, [1, 0])
            return math_ops.exp(
                -2j
                * np.pi
                * array_ops.cast(a * b, complex_dtype)
                / array_ops.cast(length, complex_dtype)
            )

        def tile_for_broadcasting(matrix, t):
            ones = array_ops.ones([array_ops.rank(t) - 2], dtypes.int32)
            expanded = array_ops.reshape(
                matrix, array_ops.concat([ones, array_ops.shape(matrix)], 0)
            )
            return array_ops.tile(expanded, array_ops.concat([array_ops.shape(t)[:-2], [1, 1]], 0))

        y0 = grad[..., 0:1]
        ym = grad[..., -1:]
        if rank == 1:
            extra_terms = y0 + is_even * ym * ymask(input_shape[-1])
        else:
            tiled_mask = tile_for_broadcasting(mask_matrix(input_shape[-2]), y0)
            extra_terms = math_ops.matmul(tiled_mask, math_ops.conj(y0))
            ym_term = math_ops.matmul(tiled_mask, math_ops.conj(ym))
            inner_dim = input_shape[-1]
            ones = array_ops.ones([array_ops.rank(grad) - 1], dtypes.int32)
            ym_term = array_ops.tile(ym_term, array_ops.concat([ones, [inner_dim]], 0)) * ymask(
                inner_dim
            )
            extra_terms += is_even * ym_term
        input_size = array_ops.cast(_fft_size_for_grad(op._inputs[0], rank), real_dtype)
        the_irfft = _IRFFT[rank](grad, fft_length)
        return [0.5 * (the_irfft * input_size + math_ops.real(extra_terms)), None]

    return grad_fn


def _irfft_grad(rank: int):
    def grad_fn(op, grad):
        fft_length = op._inputs[1]
        static = common_shapes.constant_value(fft_length)
        if static is not None:
            fft_length = static
        real_dtype = grad.dtype
        complex_dtype = dtypes.complex64 if real_dtype == dtypes.float32 else dtypes.complex128
        is_odd = math_ops.mod(fft_length[-1], 2, name="mod")
        last = array_ops.shape(op._inputs[0])[-1]
        mask = array_ops.concat(
            [
                [1.0],
                2.0 * array_ops.ones([last - 2 + is_odd], real_dtype),
                array_ops.ones([1 - is_odd], real_dtype),
            ],
            0,
        )
        rsize = math_ops.reciprocal(array_ops.cast(_fft_size_for_grad(grad, rank), real_dtype))
        the_rfft = _RFFT[rank](grad, fft_length)
        return [the_rfft * array_ops.cast(rsize * mask, complex_dtype), None]

    return grad_fn


for _rank in (1, 2, 3):
    for _inverse in (False, True):
        _in, _out = ("Tcomplex", "Treal") if _inverse else ("Treal", "Tcomplex")
        _grad = None
        if _rank < 3:
            _grad = _irfft_grad(_rank) if _inverse else _rfft_grad(_rank)
        register_op(
            ("IRFFT" if _inverse else "RFFT") + _SUFFIX[_rank],
            inputs=[f"input: {_in}", "fft_length: int32"],
            outputs=[f"output: {_out}"],
            attrs=[_REAL_ATTR, _COMPLEX_ATTR],
            shape=_rfft_shape(_rank, _inverse),
            make_kernel=_rfft_kernel(_rank, _inverse, _out),
            grad=_grad,
        )


def _infer_fft_length(input_tensor, rank: int, inverse: bool):
    fft_shape = input_tensor.shape[-rank:]
    if not fft_shape.is_fully_defined():
        if not inverse:
            return array_ops.shape(input_tensor)[-rank:]
        lengths = array_ops.unstack(array_ops.shape(input_tensor)[-rank:])
        lengths[-1] = math_ops.maximum(0, 2 * (lengths[-1] - 1))
        return array_ops.stack(lengths)
    lengths = fft_shape.as_list()
    if inverse and lengths:
        lengths[-1] = max(0, 2 * (lengths[-1] - 1))
    return convert_to_tensor(lengths, dtypes.int32)


def _maybe_pad_for_rfft(input_tensor, rank: int, fft_length, inverse: bool = False):
    """Zero-pads the transformed axes up to fft_length (TF's kernels only crop)."""
    fft_shape = common_shapes.constant_value_as_shape(fft_length)
    in_shape = input_tensor.shape
    if in_shape.ndims is not None and 0 in in_shape.as_list():
        return input_tensor
    if fft_shape.is_fully_defined() and in_shape.ndims is not None:
        input_fft_shape = in_shape[-int(fft_shape.ndims or 0) :]
        if input_fft_shape.is_fully_defined():
            want = fft_shape.as_list()
            if inverse:
                want[-1] = want[-1] // 2 + 1
            have = input_fft_shape.as_list()
            paddings = [[0, max(w - h, 0)] for w, h in zip(want, have)]
            if any(p > 0 for _, p in paddings):
                outer = [[0, 0]] * max(in_shape.ndims - fft_shape.ndims, 0)
                return array_ops.pad(input_tensor, outer + paddings)
            return input_tensor
    input_rank = array_ops.rank(input_tensor)
    input_fft_shape = array_ops.shape(input_tensor)[-rank:]
    outer_dims = math_ops.maximum(0, input_rank - rank)
    outer_paddings = array_ops.zeros([outer_dims], fft_length.dtype)
    if inverse:
        fft_length = array_ops.concat([fft_length[:-1], fft_length[-1:] // 2 + 1], 0)
    fft_paddings = math_ops.maximum(0, fft_length - input_fft_shape)
    pad_after = array_ops.concat([outer_paddings, fft_paddings], 0)
    pads = array_ops.stack([array_ops.zeros_like(pad_after), pad_after], axis=1)
    return array_ops.pad(input_tensor, pads)


def _real_transform(rank: int, inverse: bool):
    op_type = ("IRFFT" if inverse else "RFFT") + _SUFFIX[rank]
    default_name = op_type.lower()

    def transform(input_tensor, fft_length=None, name=None) -> Tensor:
        with name_scope(name, default_name, [input_tensor, fft_length]) as scope:
            if inverse:
                x = convert_to_tensor(input_tensor, preferred_dtype=dtypes.complex64)
                x.shape.with_rank_at_least(rank)
                if x.dtype not in (dtypes.complex64, dtypes.complex128):
                    raise ValueError(
                        f"IRFFT requires tf.complex64 or tf.complex128 inputs, got: {x}"
                    )
                attrs = {"Treal": x.dtype.real_dtype, "Tcomplex": x.dtype}
            else:
                x = convert_to_tensor(input_tensor, preferred_dtype=dtypes.float32)
                if x.dtype not in (dtypes.float32, dtypes.float64):
                    raise ValueError(f"RFFT requires tf.float32 or tf.float64 inputs, got: {x}")
                complex_dtype = dtypes.complex64 if x.dtype == dtypes.float32 else dtypes.complex128
                attrs = {"Treal": x.dtype, "Tcomplex": complex_dtype}
                x.shape.with_rank_at_least(rank)
            if fft_length is None:
                fft_length = _infer_fft_length(x, rank, inverse)
            else:
                fft_length = convert_to_tensor(fft_length, dtypes.int32)
            x = _maybe_pad_for_rfft(x, rank, fft_length, inverse)
            static = common_shapes.constant_value(fft_length)
            if static is not None:  # TF hands the gen op a constant named after its input
                fft_length = convert_to_tensor(static, dtypes.int32, name="fft_length")
            return op_output(op_type, scope, [x, fft_length], attrs)

    transform.__name__ = default_name
    transform.__doc__ = (
        f"TF's `tf.signal.{default_name}`: the {'inverse ' if inverse else ''}real "
        f"{rank}-D discrete Fourier transform over the innermost {rank} dimension(s)."
    )
    return transform


rfft = _real_transform(1, False)
irfft = _real_transform(1, True)
rfft2d = _real_transform(2, False)
irfft2d = _real_transform(2, True)
rfft3d = _real_transform(3, False)
irfft3d = _real_transform(3, True)
_RFFT = {1: rfft, 2: rfft2d, 3: rfft3d}
_IRFFT = {1: irfft, 2: irfft2d, 3: irfft3d}


# -- fftshift, ifftshift ---------------------------------------------------------------------
def _shift(x, axes, name, default_name, sign):
    with name_scope(name, default_name) as scope:
        x = convert_to_tensor(x)
        if axes is None:
            axes = tuple(range(x.shape.ndims))
            shift = array_ops.shape(x) // 2
        elif isinstance(axes, int):
            shift = array_ops.shape(x)[axes] // 2
        else:
            rank = array_ops.rank(x)
            axes = array_ops.where(math_ops.less(axes, 0), axes + rank, axes)
            shift = array_ops.gather(array_ops.shape(x), axes) // 2
        if sign < 0:
            shift = -shift
        return manip_ops.roll(x, shift, axes, scope)


def fftshift(x, axes=None, name=None) -> Tensor:
    """Rolls the zero-frequency term of `x` to the centre of `axes` (all by default)."""
    return _shift(x, axes, name, "fftshift", 1)


def ifftshift(x, axes=None, name=None) -> Tensor:
    """The inverse of `fftshift`."""
    return _shift(x, axes, name, "ifftshift", -1)


# -- tf.signal.fftnd, ifftnd, rfftnd, irfftnd: TF's wrappers (default axes, fft_length, norm) --
def _nd_setup(input_tensor, fft_length, axes, preferred, inverse_real: bool):
    if axes is None:
        axes = convert_to_tensor(np.arange(len(input_tensor.shape)), dtypes.int32)
    else:
        axes = convert_to_tensor(axes, dtypes.int32)
    fft_rank = axes.shape.as_list()[0]
    x = convert_to_tensor(input_tensor, preferred_dtype=preferred)
    return x, axes, fft_rank


def _nd_length(x, fft_length, inverse_real: bool):
    if fft_length is not None:
        return convert_to_tensor(fft_length, dtypes.int32)
    if not inverse_real:
        return array_ops.shape(x)[-len(x.shape) :]
    lengths = x.shape[-len(x.shape) :].as_list()
    lengths[-1] = max(0, 2 * (lengths[-1] - 1))
    return convert_to_tensor(lengths, dtypes.int32)


def _nd_normalize(x, fft_length, norm, forward: bool):
    norm = "backward" if norm is None else norm
    if norm == "backward":
        return x
    n = 1
    for length in fft_length:
        n *= length
    scale = n if norm == "forward" else np.sqrt(n)
    return x / scale if forward else x * scale


def _nd_wrapper(op_fn, default_name: str, real_in: bool, real_out: bool, forward: bool):
    def transform(input_tensor, fft_length=None, axes=None, norm=None, name=None) -> Tensor:
        with name_scope(name, default_name, [input_tensor, fft_length, axes]) as scope:
            preferred = dtypes.float32 if real_in else dtypes.complex64
            x, axes, fft_rank = _nd_setup(input_tensor, fft_length, axes, preferred, real_out)
            attrs = {}
            if real_in:
                if x.dtype not in (dtypes.float32, dtypes.float64):
                    raise ValueError(f"RFFT requires tf.float32 or tf.float64 inputs, got: {x}")
                complex_dtype = dtypes.complex64 if x.dtype == dtypes.float32 else dtypes.complex128
                attrs = {"Tcomplex": complex_dtype}
            x.shape.with_rank_at_least(fft_rank)
            if real_out:
                if x.dtype not in (dtypes.complex64, dtypes.complex128):
                    raise ValueError(
                        f"IRFFT requires tf.complex64 or tf.complex128 inputs, got: {x}"
                    )
                attrs = {"Treal": x.dtype.real_dtype}
            given = fft_length is not None or real_out
            fft_length = _nd_length(x, fft_length, real_out)
            x = _maybe_pad_for_rfft(x, fft_rank, fft_length, real_out)
            # TF cannot fold the default (a slice of the input's Shape) into a constant
            static = common_shapes.constant_value(fft_length) if given else None
            if static is not None:
                fft_length = static
            x = _nd_normalize(x, fft_length, norm, forward)
            return op_fn(x, fft_length, axes, name=scope, **attrs)

    transform.__name__ = default_name
    transform.__doc__ = (
        f"TF's `tf.signal.{default_name}`: the op over `axes` (all by default), fft_length "
        "defaulting to the input's shape, `norm` 'backward' (default), 'forward' or 'ortho'."
    )
    return transform


signal_fftnd = _nd_wrapper(fftnd, "fftnd", False, False, True)
signal_ifftnd = _nd_wrapper(ifftnd, "ifftnd", False, False, False)
signal_rfftnd = _nd_wrapper(rfftnd, "rfftnd", True, False, True)
signal_irfftnd = _nd_wrapper(irfftnd, "irfftnd", False, True, False)

"""`tf.signal` (TF1 `tf.compat.v1.signal`): framing, overlap-add, windows, STFTs, mel
matrices, MFCCs and DCTs, built from existing ops as TF's Python builds them
(tensorflow/python/ops/signal), so graphs and gradients follow TF's."""

from __future__ import annotations

import math

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import name_scope
from tfgraph.ops import (
    array_ops,
    common_shapes,
    control_flow_ops,
    manip_ops,
    math_ops,
    nn_ops,
    special_math_ops,
    spectral_ops,
)
from tfgraph.ops.while_loop import while_loop

__all__ = [
    "dct",
    "frame",
    "hamming_window",
    "hann_window",
    "idct",
    "inverse_mdct",
    "inverse_stft",
    "inverse_stft_window_fn",
    "kaiser_bessel_derived_window",
    "kaiser_window",
    "linear_to_mel_weight_matrix",
    "mdct",
    "mfccs_from_log_mel_spectrograms",
    "overlap_and_add",
    "stft",
    "vorbis_window",
]


def _static(t):
    return common_shapes.constant_value(t)


def _gcd(a, b, name=None):
    """The greatest common divisor of two integer scalars (TF's util_ops.gcd)."""
    with name_scope(name, "gcd", [a, b]):
        a = convert_to_tensor(a)
        b = convert_to_tensor(b)
        a.shape.with_rank(0)
        b.shape.with_rank(0)
        if not a.dtype.is_integer:
            raise ValueError(f"a must be an integer type. Got: {a.dtype}")
        if not b.dtype.is_integer:
            raise ValueError(f"b must be an integer type. Got: {b.dtype}")
        const_a, const_b = _static(a), _static(b)
        if const_a is not None and const_b is not None:
            return convert_to_tensor(math.gcd(int(const_a), int(const_b)))
        a, b = while_loop(
            lambda _, b: math_ops.greater(b, array_ops.zeros_like(b)),
            lambda a, b: [b, math_ops.mod(a, b)],
            [a, b],
            back_prop=False,
        )
        return a


# -- frame -----------------------------------------------------------------------------------
def _infer_frame_shape(signal, frame_length, frame_step, pad_end, axis):
    frame_length, frame_step, axis = _static(frame_length), _static(frame_step), _static(axis)
    if signal.shape.ndims is None:
        return None
    if axis is None:
        return [None] * (signal.shape.ndims + 1)
    axis = int(axis)
    frame_length = None if frame_length is None else int(frame_length)
    frame_step = None if frame_step is None else int(frame_step)
    signal_shape = signal.shape.as_list()
    num_frames = None
    frame_axis = signal_shape[axis]
    outer_dimensions = signal_shape[:axis]
    inner_dimensions = signal_shape[axis:][1:]
    if signal_shape and frame_axis is not None:
        if frame_step is not None and pad_end:
            num_frames = max(0, -(-frame_axis // frame_step))
        elif frame_step is not None and frame_length is not None:
            num_frames = max(0, (frame_axis - frame_length + frame_step) // frame_step)
    return outer_dimensions + [num_frames, frame_length] + inner_dimensions


def _maybe_constant(val):
    static = _static(val)
    return (static, True) if static is not None else (val, False)


def _split_signal_shape(signal, axis):
    signal_shape, shape_static = _maybe_constant(array_ops.shape(signal))
    axis, axis_static = _maybe_constant(axis)
    if shape_static and axis_static:
        axis = range(len(signal_shape))[int(axis)]
        outer, length, inner = np.split(signal_shape, indices_or_sections=[axis, axis + 1])
        return signal_shape, axis, outer, length.item(), inner
    signal_rank = array_ops.rank(signal)
    axis = math_ops.range(signal_rank)[axis]
    outer, length, inner = array_ops.split(signal_shape, [axis, 1, signal_rank - 1 - axis])
    return signal_shape, axis, outer, array_ops.reshape(length, []), inner


def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """Expands `signal`'s `axis` dimension into frames of `frame_length` samples taken every
    `frame_step` samples (`[..., num_frames, frame_length, ...]`); with `pad_end` the last
    frames are padded with `pad_value`."""
    with name_scope(name, "frame", [signal, frame_length, frame_step, pad_value]):
        signal = convert_to_tensor(signal, name="signal")
        frame_length = convert_to_tensor(frame_length, name="frame_length")
        frame_step = convert_to_tensor(frame_step, name="frame_step")
        axis = convert_to_tensor(axis, name="axis")
        signal.shape.with_rank_at_least(1)
        frame_length.shape.with_rank(0)
        frame_step.shape.with_rank(0)
        axis.shape.with_rank(0)
        result_shape = _infer_frame_shape(signal, frame_length, frame_step, pad_end, axis)
        signal_shape, axis, outer, length_samples, inner = _split_signal_shape(signal, axis)
        num_outer = array_ops.size(outer)
        num_inner = array_ops.size(inner)
        if pad_end:
            pad_value = convert_to_tensor(pad_value, signal.dtype)
            pad_value.shape.with_rank(0)
            num_frames = -(-length_samples // frame_step)
            pad_samples = math_ops.maximum(
                0, frame_length + frame_step * (num_frames - 1) - length_samples
            )
            paddings = array_ops.concat(
                [
                    array_ops.zeros([num_outer, 2], dtype=pad_samples.dtype),
                    convert_to_tensor([[0, pad_samples]]),
                    array_ops.zeros([num_inner, 2], dtype=pad_samples.dtype),
                ],
                0,
            )
            signal = array_ops.pad(signal, paddings, constant_values=pad_value)
            signal_shape = array_ops.shape(signal)
            length_samples = signal_shape[axis]
        else:
            num_frames = math_ops.maximum(
                convert_to_tensor(0, dtype=frame_length.dtype),
                1 + (length_samples - frame_length) // frame_step,
            )
        frames = _gather_frames(
            signal, signal_shape, axis, outer, inner, length_samples, num_frames,
            frame_length, frame_step,
        )  # fmt: skip
        if result_shape:
            frames.set_shape(result_shape)
        return frames


def _gather_frames(
    signal, signal_shape, axis, outer, inner, length_samples, num_frames, frame_length, step
):
    subframe_length, _ = _maybe_constant(_gcd(frame_length, step))
    subframes_per_frame = frame_length // subframe_length
    subframes_per_hop = step // subframe_length
    num_subframes = length_samples // subframe_length
    slice_shape = array_ops.concat([outer, [num_subframes * subframe_length], inner], 0)
    subframe_shape = array_ops.concat([outer, [num_subframes, subframe_length], inner], 0)
    subframes = array_ops.reshape(
        array_ops.strided_slice(signal, array_ops.zeros_like(signal_shape), slice_shape),
        subframe_shape,
    )
    frame_selector = array_ops.reshape(
        math_ops.range(num_frames, dtype=frame_length.dtype) * subframes_per_hop,
        [num_frames, 1],
    )
    subframe_selector = array_ops.reshape(
        math_ops.range(subframes_per_frame, dtype=frame_length.dtype), [1, subframes_per_frame]
    )
    selector = frame_selector + subframe_selector
    outer = convert_to_tensor(outer)
    inner = convert_to_tensor(inner, dtype=outer.dtype)
    mid = convert_to_tensor([num_frames, frame_length], dtype=outer.dtype)
    return array_ops.reshape(
        array_ops.gather(subframes, selector, axis=axis),
        array_ops.concat([outer, mid, inner], 0),
    )


# -- overlap_and_add -------------------------------------------------------------------------
def overlap_and_add(signal, frame_step, name=None):
    """Sums `[..., frames, frame_length]` frames placed `frame_step` samples apart into a
    `[..., output_size]` signal, output_size = (frames - 1) * frame_step + frame_length."""
    with name_scope(name, "overlap_and_add", [signal, frame_step]):
        signal = convert_to_tensor(signal, name="signal")
        signal.shape.with_rank_at_least(2)
        frame_step = convert_to_tensor(frame_step, name="frame_step")
        frame_step.shape.with_rank(0)
        if not frame_step.dtype.is_integer:
            raise ValueError(f"frame_step must be an integer. Got {frame_step.dtype}")
        frame_step, frame_step_is_static = _maybe_constant(frame_step)
        signal_shape, _ = _maybe_constant(array_ops.shape(signal))
        outer_dimensions = signal_shape[:-2]
        outer_rank, _ = _maybe_constant(array_ops.size(outer_dimensions))

        def full_shape(inner_shape):
            return array_ops.concat([outer_dimensions, inner_shape], 0)

        frame_length = signal_shape[-1]
        frames = signal_shape[-2]
        output_length = frame_length + frame_step * (frames - 1)
        dims = signal.shape.as_list() if signal.shape.ndims is not None else None
        if frame_step_is_static and dims is not None and frame_step == dims[-1]:
            return array_ops.reshape(signal, full_shape([output_length]), name="fast_path")
        segments = -(-frame_length // frame_step)
        paddings = [[0, segments], [0, segments * frame_step - frame_length]]
        outer_paddings = array_ops.zeros([outer_rank, 2], dtypes.int32)
        signal = array_ops.pad(signal, array_ops.concat([outer_paddings, paddings], 0))
        signal = array_ops.reshape(signal, full_shape([frames + segments, segments, frame_step]))
        perm = array_ops.concat([math_ops.range(outer_rank), outer_rank + [1, 0, 2]], 0)
        perm_static = _static(perm)
        signal = array_ops.transpose(signal, perm if perm_static is None else perm_static)
        signal = array_ops.reshape(signal, full_shape([(frames + segments) * segments, frame_step]))
        signal = signal[..., : (frames + segments - 1) * segments, :]
        signal = array_ops.reshape(
            signal, full_shape([segments, frames + segments - 1, frame_step])
        )
        signal = math_ops.reduce_sum(signal, -3)
        signal = array_ops.reshape(signal, full_shape([(frames + segments - 1) * frame_step]))
        return signal[..., :output_length]


# -- windows ---------------------------------------------------------------------------------
def _raised_cosine_window(name, default_name, window_length, periodic, dtype, a, b):
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Found {dtype}")
    with name_scope(name, default_name, [window_length, periodic]):
        window_length = convert_to_tensor(window_length, dtype=dtypes.int32, name="window_length")
        window_length.shape.with_rank(0)
        window_length_const = _static(window_length)
        if window_length_const is not None and int(window_length_const) == 1:
            return array_ops.ones([1], dtype=dtype)
        periodic = array_ops.cast(
            convert_to_tensor(periodic, dtype=dtypes.bool, name="periodic"), dtypes.int32
        )
        periodic.shape.with_rank(0)
        even = 1 - math_ops.mod(window_length, 2, name="mod")
        n = array_ops.cast(window_length + periodic * even - 1, dtype=dtype)
        count = array_ops.cast(math_ops.range(window_length), dtype)
        cos_arg = convert_to_tensor(2 * np.pi, dtype=dtype) * count / n
        if window_length_const is not None:
            return array_ops.cast(a - b * math_ops.cos(cos_arg), dtype=dtype)
        return control_flow_ops.cond(
            math_ops.equal(window_length, 1),
            lambda: array_ops.ones([window_length], dtype=dtype),
            lambda: array_ops.cast(a - b * math_ops.cos(cos_arg), dtype=dtype),
        )


def hann_window(window_length, periodic=True, dtype=dtypes.float32, name=None):
    """A Hann window, 0.5 - 0.5 cos(2 pi n / N) (N = window_length when `periodic`, else
    window_length - 1)."""
    return _raised_cosine_window(name, "hann_window", window_length, periodic, dtype, 0.5, 0.5)


def hamming_window(window_length, periodic=True, dtype=dtypes.float32, name=None):
    """A Hamming window, 0.54 - 0.46 cos(2 pi n / N)."""
    return _raised_cosine_window(name, "hamming_window", window_length, periodic, dtype, 0.54, 0.46)


def _check_params(window_length, dtype):
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Found {dtype}")
    window_length = convert_to_tensor(window_length, dtype=dtypes.int32)
    window_length.shape.with_rank(0)
    return window_length


def vorbis_window(window_length, dtype=dtypes.float32, name=None):
    """The Vorbis power-complementary window, sin(pi/2 sin^2(pi (n + 0.5) / N))."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "vorbis_window"):
        window_length = _check_params(window_length, dtype)
        arg = array_ops.cast(math_ops.range(window_length), dtype=dtype)
        inner = math_ops.sin(np.pi / array_ops.cast(window_length, dtype=dtype) * (arg + 0.5))
        return math_ops.sin(np.pi / 2.0 * math_ops.pow(inner, 2.0))


# -- stft, inverse_stft ----------------------------------------------------------------------
def _enclosing_power_of_two(value):
    """The smallest power of 2 >= `value` (static when `value` is)."""
    value_static = _static(value)
    if value_static is not None:
        return convert_to_tensor(int(2 ** np.ceil(np.log(value_static) / np.log(2.0))), value.dtype)
    return array_ops.cast(
        math_ops.pow(
            2.0,
            math_ops.ceil(math_ops.log(array_ops.cast(value, dtypes.float32)) / math_ops.log(2.0)),
        ),
        value.dtype,
    )


def _scalar_args(frame_length, frame_step):
    frame_length = convert_to_tensor(frame_length, name="frame_length")
    frame_length.shape.with_rank(0)
    frame_step = convert_to_tensor(frame_step, name="frame_step")
    frame_step.shape.with_rank(0)
    return frame_length, frame_step


def stft(
    signals, frame_length, frame_step, fft_length=None, window_fn=hann_window, pad_end=False,
    name=None,
):  # fmt: skip
    """The short-time Fourier transform of `signals` `[..., samples]`: windowed frames
    transformed by `rfft` (fft_length defaults to the enclosing power of 2 of
    frame_length), `[..., frames, fft_length // 2 + 1]`."""
    with name_scope(name, "stft", [signals, frame_length, frame_step]):
        signals = convert_to_tensor(signals, name="signals")
        signals.shape.with_rank_at_least(1)
        frame_length, frame_step = _scalar_args(frame_length, frame_step)
        if fft_length is None:
            fft_length = _enclosing_power_of_two(frame_length)
        else:
            fft_length = convert_to_tensor(fft_length, name="fft_length")
        framed_signals = frame(signals, frame_length, frame_step, pad_end=pad_end)
        if window_fn is not None:
            window = window_fn(frame_length, dtype=framed_signals.dtype)
            framed_signals *= window
        return spectral_ops.rfft(framed_signals, [fft_length])


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """A window function for `inverse_stft` that makes it invert `stft` with
    `forward_window_fn`: the forward window divided by the overlapped sum of its squares."""

    def inverse_stft_window_fn_inner(frame_length, dtype):
        with name_scope(name, "inverse_stft_window_fn", [forward_window_fn]):
            frame_step_ = convert_to_tensor(frame_step, name="frame_step")
            frame_step_.shape.with_rank(0)
            frame_length = convert_to_tensor(frame_length, name="frame_length")
            frame_length.shape.with_rank(0)
            forward_window = forward_window_fn(frame_length, dtype=dtype)
            denom = math_ops.square(forward_window)
            overlaps = -(-frame_length // frame_step_)
            denom = array_ops.pad(denom, [(0, overlaps * frame_step_ - frame_length)])
            denom = array_ops.reshape(denom, [overlaps, frame_step_])
            denom = math_ops.reduce_sum(denom, 0, keepdims=True)
            denom = array_ops.tile(denom, [overlaps, 1])
            denom = array_ops.reshape(denom, [overlaps * frame_step_])
            denom = denom[:frame_length]
            return array_ops.where(
                math_ops.equal(denom, 0.0),
                array_ops.zeros_like(forward_window),
                forward_window / denom,
            )

    return inverse_stft_window_fn_inner


def _fit_frame_length(real_frames, frame_length):
    """Crops or zero-pads the innermost dimension of `real_frames` to frame_length."""
    static = _static(frame_length)
    dims = real_frames.shape.as_list() if real_frames.shape.ndims is not None else None
    if static is None or dims is None or dims[-1] is None:
        real_frames = real_frames[..., :frame_length]
        rank = array_ops.rank(real_frames)
        shape = array_ops.shape(real_frames)
        paddings = array_ops.concat(
            [
                array_ops.zeros([rank - 1, 2], dtype=frame_length.dtype),
                [[0, math_ops.maximum(0, frame_length - shape[-1])]],
            ],
            0,
        )
        real_frames = array_ops.pad(real_frames, paddings)
    elif dims[-1] > static:
        real_frames = real_frames[..., : int(static)]
    elif dims[-1] < static:
        pad = int(static) - dims[-1]
        real_frames = array_ops.pad(real_frames, [[0, 0]] * (len(dims) - 1) + [[0, pad]])
    if static is not None and real_frames.shape.ndims is not None:
        real_frames.set_shape([None] * (real_frames.shape.ndims - 1) + [int(static)])
    return real_frames


def inverse_stft(
    stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window, name=None
):
    """The inverse of `stft` (with `inverse_stft_window_fn` as `window_fn`): `irfft` of each
    frame, cut or padded to frame_length, windowed and overlap-added."""
    with name_scope(name, "inverse_stft", [stfts]):
        stfts = convert_to_tensor(stfts, name="stfts")
        stfts.shape.with_rank_at_least(2)
        frame_length, frame_step = _scalar_args(frame_length, frame_step)
        if fft_length is None:
            fft_length = _enclosing_power_of_two(frame_length)
        else:
            fft_length = convert_to_tensor(fft_length, name="fft_length")
            fft_length.shape.with_rank(0)
        real_frames = spectral_ops.irfft(stfts, [fft_length])
        real_frames = _fit_frame_length(real_frames, frame_length)
        if window_fn is not None:
            window = window_fn(frame_length, dtype=stfts.dtype.real_dtype)
            real_frames *= window
        return overlap_and_add(real_frames, frame_step)


# -- dct, idct -------------------------------------------------------------------------------
def _validate_dct_arguments(input_tensor, dct_type, n, axis, norm):
    if axis != -1:
        raise NotImplementedError(f"axis must be -1. Got: {axis}")
    if n is not None and n < 1:
        raise ValueError("n should be a positive integer or None")
    if dct_type not in (1, 2, 3, 4):
        raise ValueError("Types I, II, III and IV (I)DCT are supported.")
    if dct_type == 1:
        if norm == "ortho":
            raise ValueError("Normalization is not supported for the Type-I DCT.")
        shape = getattr(input_tensor, "shape", None)
        if shape is not None and not isinstance(shape, tuple):
            shape = shape.as_list() if shape.ndims else None
        last = shape[-1] if shape else None
        if last is not None and last < 2:
            raise ValueError("Type-I DCT requires the dimension to be greater than one.")
    if norm not in (None, "ortho"):
        raise ValueError(f"Unknown normalization. Expected None or 'ortho', got: {norm}")


def _smart_cond(pred, true_fn, false_fn):
    if not hasattr(pred, "dtype"):
        return true_fn() if pred else false_fn()
    static = _static(pred)
    if static is not None:
        return true_fn() if bool(static) else false_fn()
    return control_flow_ops.cond(pred, true_fn, false_fn)


def _last_dim(x):
    dims = x.shape.as_list() if x.shape.ndims is not None else None
    return (dims[-1] if dims else None) or array_ops.shape(x)[-1]


def _resize_last(x, n, seq_len):
    def pad_input():
        rank = x.shape.ndims
        padding = [[0, 0] for _ in range(rank)]
        padding[rank - 1][1] = n - seq_len
        return array_ops.pad(x, paddings=convert_to_tensor(padding, dtype=dtypes.int32))

    return _smart_cond(n <= seq_len, lambda: x[..., 0:n], pad_input)


def _ortho_weights(first, rest, axis_dim):
    return array_ops.pad(array_ops.expand_dims(first, 0), [[0, axis_dim - 1]], constant_values=rest)


def _dct_internal(input, type=2, n=None, axis=-1, norm=None, name=None):
    with name_scope(name, "dct", [input]):
        input = convert_to_tensor(input)
        zero = convert_to_tensor(0.0, dtype=input.dtype)
        seq_len = _last_dim(input)  # (TF builds it whether or not n is given)
        if n is not None:
            input = _resize_last(input, n, seq_len)
        axis_dim = _last_dim(input)
        axis_dim_float = array_ops.cast(axis_dim, input.dtype)
        if type == 1:
            dct1_input = array_ops.concat([input, input[..., -2:0:-1]], axis=-1)
            return math_ops.real(spectral_ops.rfft(dct1_input))
        if type == 2:
            arg = -math_ops.range(axis_dim_float) * math.pi * 0.5 / axis_dim_float
            scale = 2.0 * math_ops.exp(math_ops.complex(zero, arg))
            spectrum = spectral_ops.rfft(input, fft_length=[2 * axis_dim])
            dct2 = math_ops.real(spectrum[..., :axis_dim] * scale)
            if norm == "ortho":
                n1 = 0.5 * math_ops.rsqrt(axis_dim_float)
                dct2 *= _ortho_weights(n1, n1 * math.sqrt(2.0), axis_dim)
            return dct2
        if type == 3:
            if norm == "ortho":
                n1 = math_ops.sqrt(axis_dim_float)
                input *= _ortho_weights(n1, n1 * math.sqrt(0.5), axis_dim)
            else:
                input *= axis_dim_float
            arg = math_ops.range(axis_dim_float) * math.pi * 0.5 / axis_dim_float
            scale = 2.0 * math_ops.exp(math_ops.complex(zero, arg))
            frames = spectral_ops.irfft(
                scale * math_ops.complex(input, zero), fft_length=[2 * axis_dim]
            )
            return math_ops.real(frames)[..., :axis_dim]
        dct2 = _dct_internal(input, type=2, n=2 * axis_dim, axis=axis, norm=None)
        dct4 = dct2[..., 1::2]
        if norm == "ortho":
            dct4 *= math.sqrt(0.5) * math_ops.rsqrt(axis_dim_float)
        return dct4


def dct(input, type=2, n=None, axis=-1, norm=None, name=None):
    """The discrete cosine transform (types I-IV, `norm=None` or `"ortho"`) of the
    innermost dimension, computed through `rfft`/`irfft` as TF's is."""
    _validate_dct_arguments(input, type, n, axis, norm)
    return _dct_internal(input, type, n, axis, norm, name)


def idct(input, type=2, n=None, axis=-1, norm=None, name=None):
    """The inverse DCT: the DCT of the inverse type (II <-> III; I and IV are their own)."""
    _validate_dct_arguments(input, type, n, axis, norm)
    inverse_type = {1: 1, 2: 3, 3: 2, 4: 4}[type]
    return _dct_internal(input, type=inverse_type, n=n, axis=axis, norm=norm, name=name)


# -- mel, mfcc -------------------------------------------------------------------------------
_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def _hertz_to_mel(frequencies_hertz, name=None):
    with name_scope(name, "hertz_to_mel", [frequencies_hertz]):
        frequencies_hertz = convert_to_tensor(frequencies_hertz)
        return _MEL_HIGH_FREQUENCY_Q * math_ops.log(
            1.0 + frequencies_hertz / _MEL_BREAK_FREQUENCY_HERTZ
        )


def _validate_mel_arguments(num_mel_bins, sample_rate, lower_edge_hertz, upper_edge_hertz, dtype):
    if num_mel_bins <= 0:
        raise ValueError(f"num_mel_bins must be positive. Got: {num_mel_bins}")
    if lower_edge_hertz < 0.0:
        raise ValueError(f"lower_edge_hertz must be non-negative. Got: {lower_edge_hertz}")
    if lower_edge_hertz >= upper_edge_hertz:
        raise ValueError(
            f"lower_edge_hertz {lower_edge_hertz:.1f} >= upper_edge_hertz {upper_edge_hertz:.1f}"
        )
    if not hasattr(sample_rate, "op"):
        if sample_rate <= 0.0:
            raise ValueError(f"sample_rate must be positive. Got: {sample_rate}")
        if upper_edge_hertz > sample_rate / 2:
            raise ValueError(
                "upper_edge_hertz must not be larger than the Nyquist frequency (sample_rate / "
                f"2). Got {upper_edge_hertz} for sample_rate: {sample_rate}"
            )
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Got: {dtype}")


def linear_to_mel_weight_matrix(
    num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000, lower_edge_hertz=125.0,
    upper_edge_hertz=3800.0, dtype=dtypes.float32, name=None,
):  # fmt: skip
    """A `[num_spectrogram_bins, num_mel_bins]` matrix of triangular mel filters (HTK mel
    scale) that maps linear-frequency spectrogram bins to mel bins; the DC bin is zero."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "linear_to_mel_weight_matrix") as scope:
        if hasattr(sample_rate, "op"):
            const = _static(sample_rate)
            if const is not None:
                sample_rate = const
        _validate_mel_arguments(
            num_mel_bins, sample_rate, lower_edge_hertz, upper_edge_hertz, dtype
        )
        sample_rate = array_ops.cast(sample_rate, dtype, name="sample_rate")
        lower_edge_hertz = convert_to_tensor(lower_edge_hertz, dtype, name="lower_edge_hertz")
        upper_edge_hertz = convert_to_tensor(upper_edge_hertz, dtype, name="upper_edge_hertz")
        zero = convert_to_tensor(0.0, dtype)
        bands_to_zero = 1
        nyquist_hertz = sample_rate / 2.0
        linear_frequencies = manip_ops.linspace(zero, nyquist_hertz, num_spectrogram_bins)[
            bands_to_zero:
        ]
        spectrogram_bins_mel = array_ops.expand_dims(_hertz_to_mel(linear_frequencies), 1)
        band_edges_mel = frame(
            manip_ops.linspace(
                _hertz_to_mel(lower_edge_hertz), _hertz_to_mel(upper_edge_hertz), num_mel_bins + 2
            ),
            frame_length=3,
            frame_step=1,
        )
        lower_edge_mel, center_mel, upper_edge_mel = (
            array_ops.reshape(t, [1, num_mel_bins])
            for t in array_ops.split(band_edges_mel, 3, axis=1)
        )
        lower_slopes = (spectrogram_bins_mel - lower_edge_mel) / (center_mel - lower_edge_mel)
        upper_slopes = (upper_edge_mel - spectrogram_bins_mel) / (upper_edge_mel - center_mel)
        weights = math_ops.maximum(zero, math_ops.minimum(lower_slopes, upper_slopes))
        return array_ops.pad(weights, [[bands_to_zero, 0], [0, 0]], name=scope)


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None):
    """MFCCs: the orthonormal type-II DCT of log-mel spectrograms `[..., num_mel_bins]`."""
    with name_scope(name, "mfccs_from_log_mel_spectrograms", [log_mel_spectrograms]):
        log_mel_spectrograms = convert_to_tensor(log_mel_spectrograms)
        dims = log_mel_spectrograms.shape.as_list() if log_mel_spectrograms.shape.ndims else None
        if dims and dims[-1] is not None:
            num_mel_bins = dims[-1]
            if num_mel_bins == 0:
                raise ValueError(f"num_mel_bins must be positive. Got: {log_mel_spectrograms}")
        else:
            num_mel_bins = array_ops.shape(log_mel_spectrograms)[-1]
        dct2 = dct(log_mel_spectrograms, type=2)
        return dct2 * math_ops.rsqrt(array_ops.cast(num_mel_bins, dct2.dtype) * 2.0)


# -- mdct, inverse_mdct ----------------------------------------------------------------------
def mdct(signals, frame_length, window_fn=vorbis_window, pad_end=False, norm=None, name=None):
    """The modified discrete cosine transform of `signals` `[..., samples]`: frames of
    frame_length (a multiple of 4) every frame_length / 2 samples, windowed, folded and
    transformed by a type-IV DCT, `[..., frames, frame_length / 2]`."""
    with name_scope(name, "mdct", [signals, frame_length]):
        signals = convert_to_tensor(signals, name="signals")
        signals.shape.with_rank_at_least(1)
        frame_length = convert_to_tensor(frame_length, name="frame_length")
        frame_length.shape.with_rank(0)
        frame_length_static = _static(frame_length)
        if frame_length_static is not None:
            if int(frame_length_static) % 4 != 0:
                raise ValueError("The frame length must be a multiple of 4.")
            frame_step = convert_to_tensor(int(frame_length_static) // 2, dtype=frame_length.dtype)
        else:
            frame_step = frame_length // 2
        framed_signals = frame(signals, frame_length, frame_step, pad_end=pad_end)
        if window_fn is not None:
            framed_signals *= window_fn(frame_length, dtype=framed_signals.dtype)
        else:
            framed_signals *= 1.0 / np.sqrt(2)
        split_frames = array_ops.split(framed_signals, 4, axis=-1)
        frame_firsthalf = -array_ops.reverse(split_frames[2], [-1]) - split_frames[3]
        frame_secondhalf = split_frames[0] - array_ops.reverse(split_frames[1], [-1])
        frames_rearranged = array_ops.concat((frame_firsthalf, frame_secondhalf), axis=-1)
        return dct(frames_rearranged, type=4, norm=norm)


def inverse_mdct(mdcts, window_fn=vorbis_window, norm=None, name=None):
    """The inverse of `mdct`: type-IV DCT of each frame, unfolded, windowed and
    overlap-added."""
    with name_scope(name, "inverse_mdct", [mdcts]):
        mdcts = convert_to_tensor(mdcts, name="mdcts")
        mdcts.shape.with_rank_at_least(2)
        half_len = array_ops.cast(mdcts.shape[-1], dtype=dtypes.int32)
        if norm is None:
            half_len_float = array_ops.cast(half_len, dtype=mdcts.dtype)
            result_idct4 = 0.5 / half_len_float * dct(mdcts, type=4)
        elif norm == "ortho":
            result_idct4 = dct(mdcts, type=4, norm="ortho")
        split_result = array_ops.split(result_idct4, 2, axis=-1)
        real_frames = array_ops.concat(
            (
                split_result[1],
                -array_ops.reverse(split_result[1], [-1]),
                -array_ops.reverse(split_result[0], [-1]),
                -split_result[0],
            ),
            axis=-1,
        )
        if window_fn is not None:
            real_frames *= window_fn(2 * half_len, dtype=mdcts.dtype)
        else:
            real_frames *= 1.0 / np.sqrt(2)
        return overlap_and_add(real_frames, half_len)


# -- kaiser windows --------------------------------------------------------------------------
def kaiser_window(window_length, beta=12.0, dtype=dtypes.float32, name=None):
    """A Kaiser window, I0(beta sqrt(1 - (2n / (N - 1) - 1)^2)) / I0(beta), computed with
    the exponentially scaled Bessel function as TF's is."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "kaiser_window"):
        window_length = _check_params(window_length, dtype)
        window_length_const = _static(window_length)
        if window_length_const is not None and int(window_length_const) == 1:
            return array_ops.ones([1], dtype=dtype)
        halflen_float = (array_ops.cast(window_length, dtype=dtypes.float32) - 1.0) / 2.0
        arg = math_ops.range(-halflen_float, halflen_float + 0.1, dtype=dtypes.float32)
        arg = array_ops.cast(arg, dtype=dtype)
        beta = array_ops.cast(beta, dtype=dtype)
        one = array_ops.cast(1.0, dtype=dtype)
        halflen_float = array_ops.cast(halflen_float, dtype=dtype)
        num = beta * math_ops.sqrt(nn_ops.relu(one - math_ops.square(arg / halflen_float)))
        return math_ops.exp(num - beta) * (
            special_math_ops.bessel_i0e(num) / special_math_ops.bessel_i0e(beta)
        )


def kaiser_bessel_derived_window(window_length, beta=12.0, dtype=dtypes.float32, name=None):
    """A Kaiser-Bessel-derived window: square roots of the normalized cumulative sums of a
    Kaiser window of window_length // 2 + 1, mirrored."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "kaiser_bessel_derived_window"):
        window_length = _check_params(window_length, dtype)
        halflen = window_length // 2
        kaiserw = kaiser_window(halflen + 1, beta, dtype=dtype)
        kaiserw_csum = math_ops.cumsum(kaiserw)
        halfw = math_ops.sqrt(kaiserw_csum[:-1] / kaiserw_csum[-1])
        return array_ops.concat((halfw, halfw[::-1]), axis=0)

"""Convolution and pooling ops: Conv2D, MaxPool, AvgPool, BiasAdd (NHWC and NCHW).

Shape rules follow TensorFlow's (output sizes for SAME/VALID/EXPLICIT padding, strides
and dilations, grouped convolution when the input depth is a multiple of the filter's),
raising ValueError with TF's phrases at graph-construction time.

Kernels work on NHWC arrays (NCHW is transposed in and out). Conv2D gathers the
(dilated, strided) input patches with `sliding_window_view` and contracts them with the
filter in one BLAS matrix product per group; pooling reduces one strided slice per
window offset. No gradients are registered here yet.
"""

from __future__ import annotations

import collections.abc

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import UNKNOWN, fmt_shape

__all__ = [
    "avg_pool",
    "avg_pool2d",
    "bias_add",
    "conv2d",
    "convolution",
    "max_pool",
    "max_pool2d",
]


def _suffix(op) -> str:
    shapes = ", ".join(fmt_shape(t._shape) for t in op._inputs)
    return f" for '{op.name}' (op: '{op.type}') with input shapes: {shapes}."


def _spatial_axes(data_format: bytes) -> tuple[int, int, int]:
    """(height axis, width axis, channel axis) of a 4-D layout."""
    if data_format.startswith(b"NC"):
        return 2, 3, 1
    return 1, 2, 3


def _output_size(op, in_size, k, stride, dilation, padding, pad_pair) -> int | None:
    """TF's windowed output size for one spatial dimension (None if unknown)."""
    if in_size is None or k is None:
        return None
    eff = (k - 1) * dilation + 1
    if padding == b"SAME":
        return -(-in_size // stride)
    if padding == b"EXPLICIT":
        in_size = in_size + pad_pair[0] + pad_pair[1]
    out = (in_size - eff + stride) // stride
    if out < 0 or in_size - eff < 0:
        raise ValueError(
            f"Negative dimension size caused by subtracting {eff} from {in_size}{_suffix(op)}"
        )
    return out


def _check_list_attr(op, name: str, what: str) -> list:
    value = op._attrs[name]
    if len(value) != 4:
        raise ValueError(
            f"{op.type} requires the {what} attribute to contain 4 values, but got: "
            f"{len(value)}{_suffix(op)}"
        )
    return list(value)


def _explicit_pairs(op, data_format: bytes) -> tuple[tuple[int, int], tuple[int, int]]:
    pads = list(op._attrs.get("explicit_paddings") or [])
    if op._attrs["padding"] != b"EXPLICIT":
        return (0, 0), (0, 0)
    if len(pads) != 8:
        raise ValueError(
            f"explicit_paddings attribute must contain 8 values, but got: {len(pads)}{_suffix(op)}"
        )
    h, w, c = _spatial_axes(data_format)
    if pads[0] or pads[1] or pads[2 * c] or pads[2 * c + 1]:
        raise ValueError(
            "Nonzero explicit padding in the batch or depth dimensions is not supported"
            f"{_suffix(op)}"
        )
    return (pads[2 * h], pads[2 * h + 1]), (pads[2 * w], pads[2 * w + 1])


def _rank4(op, t, what: str):
    dims = t._shape._dims
    if dims is not None and len(dims) != 4:
        raise ValueError(f"Shape must be rank 4 but is rank {len(dims)}{_suffix(op)}")
    return dims


# -- Conv2D -------------------------------------------------------------------------------------
def _conv2d_shape(op):
    x = _rank4(op, op._inputs[0], "input")
    f = _rank4(op, op._inputs[1], "filter")
    strides = _check_list_attr(op, "strides", "stride")
    dilations = _check_list_attr(op, "dilations", "dilation")
    fmt = op._attrs["data_format"]
    h, w, c = _spatial_axes(fmt)
    if strides[0] != 1 or strides[c] != 1:
        raise ValueError(
            "Current implementation does not yet support strides in the batch and depth "
            f"dimensions.{_suffix(op)}"
        )
    if x is None:
        x = (None, None, None, None)
    if f is None:
        f = (None, None, None, None)
    in_depth, f_in, f_out = x[c], f[2], f[3]
    if in_depth is not None and f_in is not None:
        if f_in == 0 or in_depth % f_in:
            raise ValueError(
                f"Depth of input ({in_depth}) is not a multiple of input depth of filter "
                f"({f_in}){_suffix(op)}"
            )
        groups = in_depth // f_in
        if f_out is not None and f_out % groups:
            raise ValueError(
                f"Depth of output ({f_out}) is not a multiple of the number of groups "
                f"({groups}){_suffix(op)}"
            )
    padding = op._attrs["padding"]
    pad_h, pad_w = _explicit_pairs(op, fmt)
    out_h = _output_size(op, x[h], f[0], strides[h], dilations[h], padding, pad_h)
    out_w = _output_size(op, x[w], f[1], strides[w], dilations[w], padding, pad_w)
    out = [x[0], None, None, None]
    out[h], out[w], out[c] = out_h, out_w, f_out
    return [TensorShape._from_tuple(tuple(out))]


def _same_pads(in_size: int, k: int, stride: int, dilation: int) -> tuple[int, int]:
    eff = (k - 1) * dilation + 1
    out = -(-in_size // stride)
    total = max((out - 1) * stride + eff - in_size, 0)
    return total // 2, total - total // 2


def _to_nhwc(x: np.ndarray, fmt: bytes) -> np.ndarray:
    return np.transpose(x, (0, 2, 3, 1)) if fmt.startswith(b"NC") else x


def _from_nhwc(x: np.ndarray, fmt: bytes) -> np.ndarray:
    return np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2))) if fmt.startswith(b"NC") else x


def _nhwc_list(values: list, fmt: bytes) -> list:
    """A per-dimension attr (strides...) reordered to NHWC."""
    if fmt.startswith(b"NC"):
        return [values[0], values[2], values[3], values[1]]
    return list(values)


def _pad_pairs(op, x_nhwc_shape, kh, kw, sh, sw, dh, dw) -> tuple:
    fmt = op._attrs["data_format"]
    padding = op._attrs["padding"]
    if padding == b"SAME":
        return (
            _same_pads(x_nhwc_shape[1], kh, sh, dh),
            _same_pads(x_nhwc_shape[2], kw, sw, dw),
        )
    if padding == b"EXPLICIT":
        return _explicit_pairs(op, fmt)
    return (0, 0), (0, 0)


def _conv2d_kernel(op, ctx):
    fmt = op._attrs["data_format"]
    _, sh, sw, _ = _nhwc_list(op._attrs["strides"], fmt)
    _, dh, dw, _ = _nhwc_list(op._attrs["dilations"], fmt)
    out_dtype = op._attrs["T"].np_dtype

    def kernel(x, f):
        x = _to_nhwc(np.asarray(x), fmt)
        f = np.asarray(f)
        work = np.float32 if x.dtype == np.float16 else x.dtype
        if x.dtype != work:
            x, f = x.astype(work), f.astype(work)
        kh, kw, cin_g, cout = f.shape
        n, _, _, cin = x.shape
        (pt, pb), (pl, pr) = _pad_pairs(op, x.shape, kh, kw, sh, sw, dh, dw)
        if pt or pb or pl or pr:
            x = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
        eff_h, eff_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
        oh = (x.shape[1] - eff_h) // sh + 1
        ow = (x.shape[2] - eff_w) // sw + 1
        if oh <= 0 or ow <= 0 or n == 0:
            out = np.zeros((n, max(oh, 0), max(ow, 0), cout), dtype=work)
            return _from_nhwc(out.astype(out_dtype, copy=False), fmt)
        # (n, oh, ow, cin, kh, kw) view of the dilated, strided patches.
        win = sliding_window_view(x, (eff_h, eff_w), axis=(1, 2))
        win = win[:, : (oh - 1) * sh + 1 : sh, : (ow - 1) * sw + 1 : sw, :, ::dh, ::dw]
        groups = cin // cin_g
        if groups == 1:
            out = np.tensordot(win, f, axes=([3, 4, 5], [2, 0, 1]))
        else:
            g_out = cout // groups
            parts = []
            for g in range(groups):
                wg = win[:, :, :, g * cin_g : (g + 1) * cin_g]
                fg = f[:, :, :, g * g_out : (g + 1) * g_out]
                parts.append(np.tensordot(wg, fg, axes=([3, 4, 5], [2, 0, 1])))
            out = np.concatenate(parts, axis=3)
        return _from_nhwc(out.astype(out_dtype, copy=False), fmt)

    return kernel


_FORMAT_4D = "data_format: {'NHWC', 'NCHW'} = 'NHWC'"

register_op(
    "Conv2D",
    inputs=["input: T", "filter: T"],
    outputs=["output: T"],
    attrs=[
        "T: {half, bfloat16, float, double, int32}",
        "strides: list(int)",
        "use_cudnn_on_gpu: bool = true",
        "padding: {'SAME', 'VALID', 'EXPLICIT'}",
        "explicit_paddings: list(int) = []",
        _FORMAT_4D,
        "dilations: list(int) = [1, 1, 1, 1]",
    ],
    shape=_conv2d_shape,
    make_kernel=_conv2d_kernel,
)


# -- MaxPool, AvgPool -------------------------------------------------------------------------
def _pool_shape(op):
    x = _rank4(op, op._inputs[0], "input")
    ksize = _check_list_attr(op, "ksize", "ksize")
    strides = _check_list_attr(op, "strides", "stride")
    fmt = op._attrs["data_format"]
    h, w, c = _spatial_axes(fmt)
    if ksize[0] != 1 or strides[0] != 1:
        raise ValueError(f"Pooling is not yet supported on the batch dimension.{_suffix(op)}")
    if x is None:
        return [TensorShape._from_tuple((None,) * 4)]
    padding = op._attrs["padding"]
    pad_h, pad_w = _explicit_pairs(op, fmt) if "explicit_paddings" in op._attrs else ((0, 0),) * 2
    out = [x[0], None, None, None]
    out[h] = _output_size(op, x[h], ksize[h], strides[h], 1, padding, pad_h)
    out[w] = _output_size(op, x[w], ksize[w], strides[w], 1, padding, pad_w)
    out[c] = _output_size(op, x[c], ksize[c], strides[c], 1, padding, (0, 0))
    return [TensorShape._from_tuple(tuple(out))]


def _window_index(offset, out_shape, strides) -> tuple:
    return tuple(
        slice(o, o + (n - 1) * s + 1, s) for o, n, s in zip(offset, out_shape, strides, strict=True)
    )


def _valid_counts(in_shape, out_shape, ksize, strides, pads) -> np.ndarray:
    """How many input (non-padding) values each pooling window covers (broadcastable)."""
    counts = np.ones((1, 1, 1, 1))
    for d in range(4):
        starts = np.arange(out_shape[d]) * strides[d]
        lo = np.maximum(starts, pads[d][0])
        hi = np.minimum(starts + ksize[d], pads[d][0] + in_shape[d])
        shape = [1, 1, 1, 1]
        shape[d] = out_shape[d]
        counts = counts * (hi - lo).reshape(shape)
    return counts


def _pool_kernel(mode: str):
    def make(op, ctx):
        fmt = op._attrs["data_format"]
        ksize = _nhwc_list(op._attrs["ksize"], fmt)
        strides = _nhwc_list(op._attrs["strides"], fmt)
        padding = op._attrs["padding"]
        out_dtype = op._attrs["T"].np_dtype

        def kernel(x):
            x = _to_nhwc(np.asarray(x), fmt)
            pads = [(0, 0)] * 4
            if padding == b"SAME":
                pads = [_same_pads(x.shape[d], ksize[d], strides[d], 1) for d in range(4)]
            elif padding == b"EXPLICIT":
                (pt, pb), (pl, pr) = _explicit_pairs(op, fmt)
                pads = [(0, 0), (pt, pb), (pl, pr), (0, 0)]
            out_shape = [
                (x.shape[d] + pads[d][0] + pads[d][1] - ksize[d]) // strides[d] + 1
                for d in range(4)
            ]
            if min(out_shape) <= 0:
                empty = np.zeros([max(n, 0) for n in out_shape], dtype=out_dtype)
                return _from_nhwc(empty, fmt)
            padded = any(p != (0, 0) for p in pads)
            if mode == "max":
                if padded:
                    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
                    x = np.pad(x, pads, constant_values=low)
                out = None
                for offset in np.ndindex(*ksize):
                    part = x[_window_index(offset, out_shape, strides)]
                    if out is None:
                        out = part.copy()
                    else:
                        np.maximum(out, part, out=out)
                return _from_nhwc(out, fmt)
            in_shape = x.shape
            work = np.float32 if x.dtype == np.float16 else x.dtype
            x = x.astype(work, copy=False)
            if padded:
                x = np.pad(x, pads)
            total = None
            for offset in np.ndindex(*ksize):
                part = x[_window_index(offset, out_shape, strides)]
                if total is None:
                    total = part.copy()
                else:
                    total += part
            if padded:
                counts = _valid_counts(in_shape, out_shape, ksize, strides, pads)
            else:
                counts = float(np.prod(ksize))
            return _from_nhwc((total / counts).astype(out_dtype, copy=False), fmt)

        return kernel

    return make


register_op(
    "MaxPool",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=[
        "T: {half, bfloat16, float, double, int32, int64, uint8, int16, int8, uint16} = float",
        "ksize: list(int) >= 4",
        "strides: list(int) >= 4",
        "padding: {'SAME', 'VALID', 'EXPLICIT'}",
        "explicit_paddings: list(int) = []",
        _FORMAT_4D,
    ],
    shape=_pool_shape,
    make_kernel=_pool_kernel("max"),
)

register_op(
    "AvgPool",
    inputs=["value: T"],
    outputs=["output: T"],
    attrs=[
        "ksize: list(int) >= 4",
        "strides: list(int) >= 4",
        "padding: {'SAME', 'VALID'}",
        _FORMAT_4D,
        "T: {half, bfloat16, float, double}",
    ],
    shape=_pool_shape,
    make_kernel=_pool_kernel("avg"),
)


# -- BiasAdd ------------------------------------------------------------------------------------
def _bias_add_shape(op):
    value, bias = op._inputs[0]._shape._dims, op._inputs[1]._shape._dims
    if bias is not None and len(bias) != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {len(bias)}{_suffix(op)}")
    if value is None:
        return [UNKNOWN]
    if len(value) < 2:
        raise ValueError(f"Shape must be at least rank 2 but is rank {len(value)}{_suffix(op)}")
    c = 1 if op._attrs["data_format"] == b"NCHW" else len(value) - 1
    out = list(value)
    if bias is not None:
        vc, bc = value[c], bias[0]
        if vc is not None and bc is not None and vc != bc:
            raise ValueError(f"Dimensions must be equal, but are {vc} and {bc}{_suffix(op)}")
        if vc is None:
            out[c] = bc
    return [TensorShape._from_tuple(tuple(out))]


def _bias_add_kernel(op, ctx):
    nchw = op._attrs["data_format"] == b"NCHW"

    def kernel(value, bias):
        value = np.asarray(value)
        if nchw and value.ndim > 2:
            bias = np.reshape(bias, (-1,) + (1,) * (value.ndim - 2))
        return (value + bias).astype(value.dtype, copy=False)

    return kernel


register_op(
    "BiasAdd",
    inputs=["value: T", "bias: T"],
    outputs=["output: T"],
    attrs=["T: numbertype", _FORMAT_4D],
    shape=_bias_add_shape,
    make_kernel=_bias_add_kernel,
)


# -- public functions ---------------------------------------------------------------------------
def _get_sequence(value, n: int, channel_index: int, name: str) -> list:
    """A per-dimension attr of length n+2 from an int or a list of length 1, n or n+2."""
    if value is None:
        return [1] * (n + 2)
    if isinstance(value, list):
        pass
    elif isinstance(value, tuple):
        value = list(value)
    elif isinstance(value, int) or not isinstance(value, collections.abc.Sized):
        value = [value]
    else:
        value = list(value)
    length = len(value)
    if length == n + 2:
        return [int(v) for v in value]
    if length == 1:
        value = value * n
    elif length != n:
        raise ValueError(
            f"{name} should be of length 1, {n} or {n + 2}. Received: {name}={value} of "
            f"length {length}"
        )
    value = [int(v) for v in value]
    if channel_index == 1:
        return [1, 1, *value]
    return [1, *value, 1]


def _convert_padding(padding, expected_length: int = 4) -> tuple:
    explicit: list[int] = []
    if padding == "EXPLICIT":
        raise ValueError(
            '"EXPLICIT" is not a valid value for `padding`. To use explicit padding, `padding` '
            "must be a list."
        )
    if isinstance(padding, (list, tuple)):
        for i, pair in enumerate(padding):
            if not isinstance(pair, (list, tuple)):
                raise ValueError(
                    "When `padding` is a list, each element of `padding` must be a list/tuple "
                    f"of size 2. Received: padding={padding} with element at index {i} of type "
                    f"{type(pair)}"
                )
            if len(pair) != 2:
                raise ValueError(
                    "When `padding` is a list, each element of `padding` must be a list/tuple "
                    f"of size 2. Received: padding={padding} with element at index {i} of size "
                    f"{len(pair)}"
                )
            explicit.extend(int(p) for p in pair)
        if len(padding) != expected_length:
            raise ValueError(
                f"When padding is a list, it must be of size {expected_length}. Received: "
                f"padding={padding} of size {len(padding)}"
            )
        padding = "EXPLICIT"
    return padding, explicit


def _format(data_format) -> str:
    return "NHWC" if data_format is None else data_format


def conv2d(
    input,
    filter=None,
    strides=None,
    padding=None,
    use_cudnn_on_gpu: bool = True,
    data_format: str = "NHWC",
    dilations=(1, 1, 1, 1),
    name: str | None = None,
    filters=None,
):
    """2-D convolution of `input` [batch, in_h, in_w, in_c] (NHWC) with `filter`
    [f_h, f_w, in_c / groups, out_c] (TF1 `tf.nn.conv2d`).

    Args:
        input: the input tensor (NHWC, or NCHW with `data_format="NCHW"`).
        filter: the filter; `filters` is the TF2 name.
        strides: an int or a list of 1, 2 or 4 ints.
        padding: "SAME", "VALID", or explicit [[0, 0], [top, bottom], [left, right],
            [0, 0]] pairs.
        use_cudnn_on_gpu: accepted for compatibility.
        data_format: "NHWC" or "NCHW".
        dilations: an int or a list of 1, 2 or 4 ints.
        name: the op name (default "Conv2D").
    """
    if filters is not None:
        if filter is not None:
            raise ValueError("Cannot specify both 'filters' and 'filter'")
        filter = filters
    data_format = _format(data_format)
    padding, explicit = _convert_padding(padding)
    channel_index = 1 if data_format.startswith("NC") else 3
    attrs = {
        "strides": _get_sequence(strides, 2, channel_index, "strides"),
        "padding": padding.encode() if isinstance(padding, str) else padding,
        "explicit_paddings": explicit,
        "use_cudnn_on_gpu": bool(use_cudnn_on_gpu),
        "data_format": data_format.encode(),
        "dilations": _get_sequence(dilations, 2, channel_index, "dilations"),
    }
    return op_output("Conv2D", name, [input, filter], attrs)


def convolution(
    input,
    filter=None,
    padding=None,
    strides=None,
    dilation_rate=None,
    name: str | None = None,
    data_format=None,
    filters=None,
    dilations=None,
):
    """N-D convolution (TF1 `tf.nn.convolution`); tfgraph supports the 2-D case."""
    if filters is not None:
        filter = filters
    if dilations is not None:
        dilation_rate = dilations
    g = get_default_graph()
    with g.name_scope(name or "convolution") as scope:
        input = convert_to_tensor(input, name="input")
        filter = convert_to_tensor(filter, name="filter")
        rank = filter.shape.ndims
        if rank is None:
            rank = input.shape.ndims
        if rank != 4:
            raise NotImplementedError(
                "tfgraph's tf.nn.convolution supports 2-D convolution (rank-4 inputs and "
                f"filters) only; got rank {rank}."
            )
        if isinstance(padding, str):
            padding = padding.upper()
        data_format = _format(data_format)
        return conv2d(
            input,
            filter,
            strides=strides if strides is not None else 1,
            padding=padding,
            data_format=data_format,
            dilations=dilation_rate if dilation_rate is not None else 1,
            name=scope,
        )


def _pool(op_type, default, value, ksize, strides, padding, data_format, name, explicit_ok):
    g = get_default_graph()
    with g.name_scope(name or default) as scope:
        data_format = _format(data_format)
        channel_index = 1 if data_format.startswith("NC") else 3
        ksize = _get_sequence(ksize, 2, channel_index, "ksize")
        strides = _get_sequence(strides, 2, channel_index, "strides")
        if any(v == 0 for v in ksize):
            raise ValueError(f"`ksize` cannot be zero. Received: ksize={ksize}")
        if any(v == 0 for v in strides):
            raise ValueError(f"`strides` cannot be zero. Received: strides={strides}")
        value = convert_to_tensor(value, name="input")
        attrs = {"ksize": ksize, "strides": strides, "data_format": data_format.encode()}
        if explicit_ok:
            padding, explicit = _convert_padding(padding)
            attrs["explicit_paddings"] = explicit
        attrs["padding"] = padding.encode() if isinstance(padding, str) else padding
        return op_output(op_type, scope, [value], attrs)


def max_pool(
    value,
    ksize,
    strides,
    padding,
    data_format="NHWC",
    name=None,
    input=None,
):
    """Max pooling over windows `ksize` moved by `strides` (TF1 `tf.nn.max_pool`)."""
    if input is not None:
        value = input
    return _pool("MaxPool", "MaxPool", value, ksize, strides, padding, data_format, name, True)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """`max_pool` for 4-D inputs (default name "MaxPool2d", as in TF)."""
    return _pool("MaxPool", "MaxPool2d", input, ksize, strides, padding, data_format, name, True)


def avg_pool(
    value,
    ksize,
    strides,
    padding,
    data_format="NHWC",
    name=None,
    input=None,
):
    """Average pooling (TF1 `tf.nn.avg_pool`); SAME padding averages only the values
    inside the input."""
    if input is not None:
        value = input
    return _pool("AvgPool", "AvgPool", value, ksize, strides, padding, data_format, name, False)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """`avg_pool` for 4-D inputs."""
    return _pool("AvgPool", "AvgPool", input, ksize, strides, padding, data_format, name, False)


def bias_add(value, bias, data_format=None, name: str | None = None):
    """`value + bias` with the 1-D `bias` on the channel dimension (TF `tf.nn.bias_add`).

    Args:
        value: a tensor of rank >= 2.
        bias: a 1-D tensor matching the channel dimension.
        data_format: None/"N...C" (channels last) or "NC..." (channels first).
        name: the op name (default "BiasAdd").
    """
    g = get_default_graph()
    with g.name_scope(name or "BiasAdd") as scope:
        attrs = {}
        if data_format is not None:
            if data_format.startswith("NC"):
                attrs["data_format"] = b"NCHW"
            elif data_format.startswith("N") and data_format.endswith("C"):
                attrs["data_format"] = b"NHWC"
            else:
                raise ValueError(
                    "`data_format` must be of the form `N...C` or `NC...`. Received: "
                    f"data_format={data_format}"
                )
        value = convert_to_tensor(value, name="input")
        bias = convert_to_tensor(bias, dtype=value.dtype._base, name="bias")
        return op_output("BiasAdd", scope, [value, bias], attrs)

"""Convolution and pooling ops with their gradients (NHWC and NCHW).

Registered here, each with its shape rule, kernel and gradient: Conv2D,
Conv2DBackpropInput, Conv2DBackpropFilter, DepthwiseConv2dNative and its two backprops,
MaxPool, MaxPoolGrad, MaxPoolGradGrad, MaxPoolWithArgmax, MaxPoolGradWithArgmax,
AvgPool, AvgPoolGrad, BiasAdd and BiasAddGrad. Gradients build the same ops TF's do
(`Conv2D` -> `Conv2DBackpropInput` + `Conv2DBackpropFilter`, `MaxPool` -> `MaxPoolGrad`,
...), and the backprop ops are differentiable again (second order).

Shape rules follow TensorFlow's (output sizes for SAME/VALID/EXPLICIT padding, strides
and dilations, grouped convolution when the input depth is a multiple of the filter's),
raising ValueError with TF's phrases at graph-construction time; kernels raise TF's
run-time errors for inconsistent sizes.

Kernels (tfgraph.ops.conv_kernels) work on NHWC arrays; NCHW is transposed in and out.
Unlike TF's CPU kernels, they also run NCHW, dilated backprops and grouped-convolution
gradients (which TF supports on GPU only).
"""

from __future__ import annotations

import collections.abc

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops
from tfgraph.ops import conv_kernels as ck
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.common_shapes import UNKNOWN, constant_value, fmt_shape

__all__ = [
    "atrous_conv2d",
    "avg_pool",
    "avg_pool2d",
    "bias_add",
    "conv1d",
    "conv2d",
    "conv2d_backprop_filter",
    "conv2d_backprop_input",
    "conv2d_transpose",
    "convolution",
    "depthwise_conv2d",
    "depthwise_conv2d_native",
    "depthwise_conv2d_native_backprop_filter",
    "depthwise_conv2d_native_backprop_input",
    "max_pool",
    "max_pool2d",
    "max_pool_with_argmax",
    "separable_conv2d",
]

_UNKNOWN4 = TensorShape._from_tuple((None, None, None, None))


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


def _check_list_attr(op, name: str, what: str, label: str | None = None) -> list:
    value = op._attrs[name]
    if len(value) != 4:
        raise ValueError(
            f"{label or op.type} requires the {what} attribute to contain 4 values, but got: "
            f"{len(value)}{_suffix(op)}"
        )
    return list(value)


def _check_windows(op, strides, axes, dilations=None) -> None:
    """TF's shape functions reject a stride < 1 (and a dilation < 1) along `axes`, even
    when the input shape is unknown; other axes are the kernels' business."""
    for a in axes:
        if strides[a] < 1:
            raise ValueError(f"Stride must be > 0, but got {strides[a]}{_suffix(op)}")
    if dilations is not None:
        for a in axes:
            if dilations[a] < 1:
                raise ValueError(f"Dilation rate must be >= 1, but got {dilations[a]}{_suffix(op)}")


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


def _dims(op, t, rank: int = 4) -> tuple:
    """The static dims of `t` (all None when unknown), checking that it has rank `rank`."""
    dims = t._shape._dims
    if dims is None:
        return (None,) * rank
    if len(dims) != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {len(dims)}{_suffix(op)}")
    return dims


def _layout(dims: list, fmt: bytes) -> tuple:
    """An NHWC-ordered list of 4 values placed in `fmt`'s order."""
    n, hh, ww, cc = dims
    return (n, cc, hh, ww) if fmt.startswith(b"NC") else (n, hh, ww, cc)


def _merge_dim(op, a, b):
    """TF's Merge of two dimensions: the known one, ValueError when both differ."""
    if a is not None and b is not None and a != b:
        raise ValueError(f"Dimensions must be equal, but are {a} and {b}{_suffix(op)}")
    return a if a is not None else b


def _sizes_value(op, t) -> list | None:
    """The static value of a 1-D int sizes input, as a list (None if not static)."""
    value = constant_value(t)
    if value is None:
        return None
    return [int(v) for v in np.reshape(value, -1)]


def _shape_from_sizes(op, t) -> TensorShape:
    """Output shape given by a 4-element sizes tensor (filter_sizes, orig_input_shape)."""
    sizes = _sizes_value(op, t)
    if sizes is None:
        return _UNKNOWN4
    if len(sizes) != 4:
        raise ValueError(f"Shape must be rank 4 but is rank {len(sizes)}{_suffix(op)}")
    return TensorShape._from_tuple(tuple(s if s >= 0 else None for s in sizes))


def _to_nhwc(x: np.ndarray, fmt: bytes) -> np.ndarray:
    return np.transpose(x, (0, 2, 3, 1)) if fmt.startswith(b"NC") else x


def _from_nhwc(x: np.ndarray, fmt: bytes) -> np.ndarray:
    return np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2))) if fmt.startswith(b"NC") else x


def _nhwc_list(values: list, fmt: bytes) -> list:
    """A per-dimension attr (strides...) reordered to NHWC."""
    if fmt.startswith(b"NC"):
        return [values[0], values[2], values[3], values[1]]
    return list(values)


def _attrs_of(op, names) -> dict:
    """A fresh dict of `op`'s attrs named in `names` (those it has)."""
    return {k: op._attrs[k] for k in names if k in op._attrs}


def _invalid(op, message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, op, message)


# -- convolution: shared attrs, geometry and checks ---------------------------------------------
class _ConvSpec:
    """The attrs of one convolution op, in NHWC order, and its run-time checks."""

    __slots__ = ("dilations", "error", "explicit", "fmt", "label", "op", "padding", "strides")

    def __init__(self, op, label: str, stride_error=errors.InvalidArgumentError) -> None:
        self.op = op
        self.label = label
        self.fmt = op._attrs["data_format"]
        self.padding = op._attrs["padding"]
        self.error: errors.OpError | None = None
        strides = list(op._attrs["strides"])
        dilations = list(op._attrs.get("dilations") or [1, 1, 1, 1])
        self.strides = self.dilations = (1, 1)
        self.explicit = ((0, 0), (0, 0))
        if len(strides) != 4:
            self.error = _invalid(op, "Sliding window strides field must specify 4 dimensions")
            return
        if len(dilations) != 4:
            self.error = _invalid(op, "Sliding window dilations field must specify 4 dimensions")
            return
        n, sh, sw, c = _nhwc_list(strides, self.fmt)
        if n != 1 or c != 1:
            self.error = stride_error(
                None,
                op,
                "Current implementation does not yet support strides in the batch and depth "
                "dimensions.",
            )
            return
        dn, dh, dw, dc = _nhwc_list(dilations, self.fmt)
        if dn != 1 or dc != 1:
            self.error = _invalid(
                op,
                "Current implementation does not yet support dilations in the batch and "
                "depth dimensions.",
            )
            return
        if min(sh, sw, dh, dw) < 1:
            self.error = _invalid(op, "Sliding window strides and dilations must be positive")
            return
        self.strides, self.dilations = (sh, sw), (dh, dw)
        if self.padding == b"EXPLICIT":
            try:
                self.explicit = _explicit_pairs(op, self.fmt)
            except ValueError as e:
                self.error = _invalid(op, str(e))

    def geometry(self, in_hw, k_hw, out_hw=None, what: str = "") -> tuple:
        """((out_h, out_w), (pad_top, pad_bottom, pad_left, pad_right)); with `out_hw`
        (a backprop's out_backprop sizes), checks they match, in TF's words."""
        if self.error is not None:
            raise self.error
        outs, pads = [], []
        for d in range(2):
            out, pair = ck.conv_output_size(
                in_hw[d],
                k_hw[d],
                self.strides[d],
                self.dilations[d],
                self.padding,
                self.explicit[d],
            )
            if out_hw is not None and out != out_hw[d]:
                if what.startswith("Depthwise"):
                    raise _invalid(
                        self.op,
                        f"{what}: Number of {('rows', 'cols')[d]} of out_backprop doesn't match "
                        f"computed: actual = {out_hw[d]}, computed = {out}",
                    )
                spatial = _spatial_axes(self.fmt)[d]
                raise _invalid(
                    self.op,
                    f"{what}: Size of out_backprop doesn't match computed: actual = {out_hw[d]}, "
                    f"computed = {out} spatial_dim: {spatial} input: {in_hw[d]} filter: "
                    f"{k_hw[d]} output: {out_hw[d]} stride: {self.strides[d]} dilation: "
                    f"{self.dilations[d]}",
                )
            if out < 0:
                eff = (k_hw[d] - 1) * self.dilations[d] + 1
                raise _invalid(
                    self.op,
                    f"Computed output size would be negative: {out} [input_size: {in_hw[d]}, "
                    f"effective_filter_size: {eff}, stride: {self.strides[d]}]",
                )
            outs.append(out)
            pads.extend(pair)
        return tuple(outs), tuple(pads)


def _prepare(arrays, op):
    """The arrays in the kernel's working dtype (float32 for half precision), and the
    declared output dtype."""
    out_dtype = op._attrs["T"].np_dtype
    work = ck.work_dtype(out_dtype)
    return [np.asarray(a).astype(work, copy=False) for a in arrays], out_dtype


def _rank4(op, value: np.ndarray, what: str, label: str) -> None:
    if value.ndim != 4:
        if label in ("Conv2D", "DepthwiseConv2dNative"):  # TF's forward kernels' words
            what = "convolution input" if what == "input" and label == "Conv2D" else what
            raise _invalid(op, f"{what} must be 4-dimensional: {_dims_str(value.shape)}")
        raise _invalid(op, f"{label}: {what} must be 4-dimensional")


# -- Conv2D and DepthwiseConv2dNative -----------------------------------------------------------
def _conv_shape(op, depthwise: bool = False):
    x = _dims(op, op._inputs[0])
    f = _dims(op, op._inputs[1])
    label = "DepthwiseConv2D" if depthwise else None
    strides = _check_list_attr(op, "strides", "stride", label)
    dilations = _check_list_attr(op, "dilations", "dilation", label)
    fmt = op._attrs["data_format"]
    h, w, c = _spatial_axes(fmt)
    # (batch and depth strides other than 1 fail when the kernel runs, as in TF)
    _check_windows(op, strides, (h, w), dilations)
    in_depth, f_in, f_out = x[c], f[2], f[3]
    if depthwise:
        in_depth = _merge_dim(op, in_depth, f_in)
        out_depth = None if in_depth is None or f_out is None else in_depth * f_out
    else:
        out_depth = f_out
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
    out = [x[0], None, None, None]
    out[h] = _output_size(op, x[h], f[0], strides[h], dilations[h], padding, pad_h)
    out[w] = _output_size(op, x[w], f[1], strides[w], dilations[w], padding, pad_w)
    out[c] = out_depth
    return [TensorShape._from_tuple(tuple(out))]


def _conv_kernel(depthwise: bool):
    label = "DepthwiseConv2dNative" if depthwise else "Conv2D"
    compute = ck.depthwise_conv2d if depthwise else ck.conv2d

    def make(op, ctx):
        spec = _ConvSpec(op, label, errors.UnimplementedError)
        fmt = spec.fmt

        def kernel(x, f):
            (x, f), out_dtype = _prepare((x, f), op)
            _rank4(op, x, "input", label)
            _rank4(op, f, "filter", label)
            x = _to_nhwc(x, fmt)
            _, h, w, c = x.shape
            kh, kw, cg, co = f.shape
            if depthwise:
                if c != cg:
                    raise _invalid(op, f"input and filter must have the same depth: {c} vs {cg}")
            elif cg == 0 or c % cg or co % (c // cg):
                raise _invalid(
                    op, f"input depth must be evenly divisible by filter depth: {c} vs {cg}"
                )
            (oh, ow), pads = spec.geometry((h, w), (kh, kw))
            y = compute(x, f, spec.strides, spec.dilations, pads, (oh, ow))
            return _from_nhwc(y.astype(out_dtype, copy=False), fmt)

        return kernel

    return make


def _fused_conv_kernel(depthwise: bool):
    """The `fused_epilogue` trait of Conv2D and DepthwiseConv2dNative: a kernel computing
    the convolution with its `epilogue` ("bias", then an activation) in one pass over
    memory, which returns None where it does not apply (the plan then runs the ops one
    by one, with their own checks and errors); None for ops it never applies to (NCHW,
    not float32)."""
    compute = ck.depthwise_conv2d_fused if depthwise else ck.conv2d_fused

    def make(op, ctx, epilogue: tuple):
        if op._attrs["data_format"] != b"NHWC" or op._attrs["T"] is not dtypes.float32:
            return None
        spec = _ConvSpec(op, "DepthwiseConv2dNative" if depthwise else "Conv2D")
        if spec.error is not None:
            return None
        activation = epilogue[-1] if epilogue and epilogue[-1] != "bias" else None

        def kernel(x, f, bias=None):
            if not (
                x.__class__ is np.ndarray
                and f.__class__ is np.ndarray
                and x.ndim == f.ndim == 4
                and x.dtype == f.dtype == np.float32
            ):
                return None
            _, h, w, c = x.shape
            kh, kw, cg, co = f.shape
            if c != cg if depthwise else (cg == 0 or c % cg or co % (c // cg)):
                return None
            try:
                (oh, ow), pads = spec.geometry((h, w), (kh, kw))
            except errors.OpError:
                return None
            return compute(x, f, spec.strides, spec.dilations, pads, (oh, ow), bias, activation)

        return kernel

    return make


_CONV_ATTRS = (
    "strides",
    "use_cudnn_on_gpu",
    "padding",
    "explicit_paddings",
    "data_format",
    "dilations",
)
_DEPTHWISE_ATTRS = ("strides", "padding", "explicit_paddings", "data_format", "dilations")


def _conv2d_grad(op, grad):
    x, f = op._inputs
    shape_0, shape_1 = array_ops.shape_n([x, f])
    return [
        op_output("Conv2DBackpropInput", None, [shape_0, f, grad], _attrs_of(op, _CONV_ATTRS)),
        op_output("Conv2DBackpropFilter", None, [x, shape_1, grad], _attrs_of(op, _CONV_ATTRS)),
    ]


def _backprop_grads(forward: str, input_op: str, filter_op: str, attr_names):
    """The gradients of a convolution's two backprop ops (TF's second-order rules): the
    backprop-input op's gradient is (None, filter backprop, forward conv), the
    backprop-filter op's (input backprop, None, forward conv)."""

    def input_grad(op, grad):
        _, f, dy = op._inputs
        return [
            None,
            op_output(filter_op, None, [grad, array_ops.shape(f), dy], _attrs_of(op, attr_names)),
            op_output(forward, None, [grad, f], _attrs_of(op, attr_names)),
        ]

    def filter_grad(op, grad):
        x, _, dy = op._inputs
        return [
            op_output(input_op, None, [array_ops.shape(x), grad, dy], _attrs_of(op, attr_names)),
            None,
            op_output(forward, None, [x, grad], _attrs_of(op, attr_names)),
        ]

    return input_grad, filter_grad


_conv2d_backprop_input_grad, _conv2d_backprop_filter_grad = _backprop_grads(
    "Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", _CONV_ATTRS
)


def _depthwise_grad(op, grad):
    x, f = op._inputs
    return [
        op_output(
            "DepthwiseConv2dNativeBackpropInput",
            None,
            [array_ops.shape(x), f, grad],
            _attrs_of(op, _DEPTHWISE_ATTRS),
        ),
        op_output(
            "DepthwiseConv2dNativeBackpropFilter",
            None,
            [x, array_ops.shape(f), grad],
            _attrs_of(op, _DEPTHWISE_ATTRS),
        ),
    ]


_depthwise_backprop_input_grad, _depthwise_backprop_filter_grad = _backprop_grads(
    "DepthwiseConv2dNative",
    "DepthwiseConv2dNativeBackpropInput",
    "DepthwiseConv2dNativeBackpropFilter",
    _DEPTHWISE_ATTRS,
)


# -- backprops: shape rules and kernels ---------------------------------------------------------
def _backprop_input_shape(op, depthwise: bool = False):
    sizes_t, f_t, dy_t = op._inputs
    _dims(op, sizes_t, rank=1)
    f = _dims(op, f_t)
    dy = _dims(op, dy_t)
    fmt = op._attrs["data_format"]
    h, w, c = _spatial_axes(fmt)
    sizes = _sizes_value(op, sizes_t)
    n_sizes = len(sizes) if sizes is not None else (sizes_t._shape._dims or (None,))[0]
    if depthwise:
        if sizes is None:
            return [_UNKNOWN4]
        if len(sizes) != 4:
            raise ValueError(f"Shape must be rank 4 but is rank {len(sizes)}{_suffix(op)}")
        return [TensorShape._from_tuple(tuple(s if s >= 0 else None for s in sizes))]
    if n_sizes is not None and n_sizes not in (2, 4):
        raise ValueError(
            f"Conv2DBackpropInput requires input_sizes to contain 4 values or 2 values, but got: "
            f"{n_sizes}{_suffix(op)}"
        )
    out = [dy[0], None, None, None]
    if n_sizes == 2:
        out[c] = f[2]
        if sizes is not None:
            out[h], out[w] = sizes
    elif sizes is not None:
        out = [s if s >= 0 else None for s in sizes]
        out[0] = _merge_dim(op, out[0], dy[0])
    _merge_dim(op, dy[c], f[3])
    return [TensorShape._from_tuple(tuple(out))]


def _backprop_input_kernel(depthwise: bool):
    label = "DepthwiseConv2DBackpropInput" if depthwise else "Conv2DCustomBackpropInput"
    compute = ck.depthwise_conv2d_backprop_input if depthwise else ck.conv2d_backprop_input

    def make(op, ctx):
        spec = _ConvSpec(op, label, errors.UnimplementedError)
        fmt = spec.fmt

        def kernel(input_sizes, f, dy):
            (f, dy), out_dtype = _prepare((f, dy), op)
            _rank4(op, f, "filter", label)
            _rank4(op, dy, "out_backprop", label)
            dy = _to_nhwc(dy, fmt)
            sizes = [int(v) for v in np.reshape(input_sizes, -1)]
            if len(sizes) == 4:
                in_shape = _nhwc_list(sizes, fmt)
            elif len(sizes) == 2 and not depthwise:
                in_shape = [dy.shape[0], sizes[0], sizes[1], f.shape[2]]
            else:
                raise _invalid(
                    op,
                    f"{label}: input_sizes input must be 1-dim with 4 elements (or 2), got "
                    f"{len(sizes)}",
                )
            if min(in_shape) < 0:
                raise _invalid(op, f"{label}: input_sizes must be non-negative")
            n, h, w, c = in_shape
            kh, kw, cg, co = f.shape
            if depthwise:
                if c != cg:
                    raise _invalid(op, f"{label}: input and filter must have the same in_depth")
                if dy.shape[3] != c * co:
                    raise _invalid(
                        op, f"{label}: depth_multiplier * in_depth not equal to out_depth"
                    )
            else:
                if cg == 0 or c % cg or co % (c // cg):
                    raise _invalid(
                        op, f"{label}: input depth must be evenly divisible by filter depth"
                    )
                if dy.shape[3] != co:
                    raise _invalid(
                        op, f"{label}: filter and out_backprop must have the same out_depth"
                    )
            if dy.shape[0] != n:
                raise _invalid(op, f"{label}: input and out_backprop must have the same batch size")
            _, pads = spec.geometry((h, w), (kh, kw), dy.shape[1:3], label)
            dx = compute(in_shape, f, dy, spec.strides, spec.dilations, pads)
            return _from_nhwc(np.ascontiguousarray(dx).astype(out_dtype, copy=False), fmt)

        return kernel

    return make


def _backprop_filter_shape(op):
    _dims(op, op._inputs[1], rank=1)
    return [_shape_from_sizes(op, op._inputs[1])]


def _backprop_filter_kernel(depthwise: bool):
    label = "DepthwiseConv2DBackpropFilter" if depthwise else "Conv2DCustomBackpropFilter"
    compute = ck.depthwise_conv2d_backprop_filter if depthwise else ck.conv2d_backprop_filter

    def make(op, ctx):
        spec = _ConvSpec(op, label)
        fmt = spec.fmt

        def kernel(x, filter_sizes, dy):
            (x, dy), out_dtype = _prepare((x, dy), op)
            _rank4(op, x, "input", label)
            _rank4(op, dy, "out_backprop", label)
            x = _to_nhwc(x, fmt)
            dy = _to_nhwc(dy, fmt)
            sizes = [int(v) for v in np.reshape(filter_sizes, -1)]
            if len(sizes) != 4:
                raise _invalid(
                    op,
                    f"{label}: filter_sizes input must be 1-dim with 4 elements, got {len(sizes)}",
                )
            n, h, w, c = x.shape
            kh, kw, cg, co = sizes
            if depthwise:
                if c != cg:
                    raise _invalid(op, f"{label}: input and filter must have the same in_depth")
                if dy.shape[3] != c * co:
                    raise _invalid(
                        op, f"{label}: depth_multiplier * in_depth not equal to out_depth"
                    )
            else:
                if cg <= 0 or c % cg or co % (c // cg):
                    raise _invalid(
                        op, f"{label}: input depth must be evenly divisible by filter depth"
                    )
                if dy.shape[3] != co:
                    raise _invalid(
                        op, f"{label}: filter and out_backprop must have the same out_depth"
                    )
            if dy.shape[0] != n:
                raise _invalid(op, f"{label}: input and out_backprop must have the same batch size")
            _, pads = spec.geometry((h, w), (kh, kw), dy.shape[1:3], label)
            df = compute(x, sizes, dy, spec.strides, spec.dilations, pads)
            return df.astype(out_dtype, copy=False)

        return kernel

    return make


_FORMAT_4D = "data_format: {'NHWC', 'NCHW'} = 'NHWC'"
_CONV_TYPES = "T: {half, bfloat16, float, double, int32}"
_CONV_ATTR_DECLS = [
    "strides: list(int)",
    "use_cudnn_on_gpu: bool = true",
    "padding: {'SAME', 'VALID', 'EXPLICIT'}",
    "explicit_paddings: list(int) = []",
    _FORMAT_4D,
    "dilations: list(int) = [1, 1, 1, 1]",
]
_DEPTHWISE_ATTR_DECLS = [
    "T: {half, bfloat16, float, double}",
    "strides: list(int)",
    "padding: {'SAME', 'VALID', 'EXPLICIT'}",
    "explicit_paddings: list(int) = []",
    _FORMAT_4D,
    "dilations: list(int) = [1, 1, 1, 1]",
]

register_op(
    "Conv2D",
    inputs=["input: T", "filter: T"],
    outputs=["output: T"],
    attrs=[_CONV_TYPES, *_CONV_ATTR_DECLS],
    shape=_conv_shape,
    make_kernel=_conv_kernel(depthwise=False),
    grad=_conv2d_grad,
    fused_epilogue=_fused_conv_kernel(depthwise=False),
)
register_op(
    "Conv2DBackpropInput",
    inputs=["input_sizes: int32", "filter: T", "out_backprop: T"],
    outputs=["output: T"],
    attrs=[_CONV_TYPES, *_CONV_ATTR_DECLS],
    shape=_backprop_input_shape,
    make_kernel=_backprop_input_kernel(depthwise=False),
    grad=_conv2d_backprop_input_grad,
)
register_op(
    "Conv2DBackpropFilter",
    inputs=["input: T", "filter_sizes: int32", "out_backprop: T"],
    outputs=["output: T"],
    attrs=["T: {half, bfloat16, float, double}", *_CONV_ATTR_DECLS],
    shape=_backprop_filter_shape,
    make_kernel=_backprop_filter_kernel(depthwise=False),
    grad=_conv2d_backprop_filter_grad,
)


# -- the V2 backprops: the conv's input (or filter) tensor in place of its sizes ------------------
def _v2_kernel(make_v1, sizes_at: int):
    """A V2 backprop kernel: the V1 kernel given the shape of input `sizes_at` (TF itself
    registers these ops for GPUs only; tfgraph computes them on the CPU)."""

    def make(op, ctx):
        v1 = make_v1(op, ctx)

        def kernel(*args):
            args = list(args)
            args[sizes_at] = np.asarray(np.shape(args[sizes_at]), np.int32)
            return v1(*args)

        return kernel

    return make


def _v2_shape(at: int):
    def shape(op):
        _dims(op, op._inputs[at])
        return [op._inputs[at]._shape]

    return shape


register_op(
    "Conv2DBackpropInputV2",
    inputs=["input: T", "filter: T", "out_backprop: T"],
    outputs=["output: T"],
    attrs=[_CONV_TYPES, *_CONV_ATTR_DECLS],
    shape=_v2_shape(0),
    make_kernel=_v2_kernel(_backprop_input_kernel(depthwise=False), 0),
)
register_op(
    "Conv2DBackpropFilterV2",
    inputs=["input: T", "filter: T", "out_backprop: T"],
    outputs=["output: T"],
    attrs=["T: {half, bfloat16, float, double}", *_CONV_ATTR_DECLS],
    shape=_v2_shape(1),
    make_kernel=_v2_kernel(_backprop_filter_kernel(depthwise=False), 1),
)

register_op(
    "DepthwiseConv2dNative",
    inputs=["input: T", "filter: T"],
    outputs=["output: T"],
    attrs=_DEPTHWISE_ATTR_DECLS,
    shape=lambda op: _conv_shape(op, depthwise=True),
    make_kernel=_conv_kernel(depthwise=True),
    grad=_depthwise_grad,
    fused_epilogue=_fused_conv_kernel(depthwise=True),
)
register_op(
    "DepthwiseConv2dNativeBackpropInput",
    inputs=["input_sizes: int32", "filter: T", "out_backprop: T"],
    outputs=["output: T"],
    attrs=_DEPTHWISE_ATTR_DECLS,
    shape=lambda op: _backprop_input_shape(op, depthwise=True),
    make_kernel=_backprop_input_kernel(depthwise=True),
    grad=_depthwise_backprop_input_grad,
)
register_op(
    "DepthwiseConv2dNativeBackpropFilter",
    inputs=["input: T", "filter_sizes: int32", "out_backprop: T"],
    outputs=["output: T"],
    attrs=_DEPTHWISE_ATTR_DECLS,
    shape=_backprop_filter_shape,
    make_kernel=_backprop_filter_kernel(depthwise=True),
    grad=_depthwise_backprop_filter_grad,
)


# -- pooling ------------------------------------------------------------------------------------
def _pool_shape(op):
    x = _dims(op, op._inputs[0])
    ksize = _check_list_attr(op, "ksize", "ksize")
    strides = _check_list_attr(op, "strides", "stride")
    fmt = op._attrs.get("data_format", b"NHWC")
    h, w, c = _spatial_axes(fmt)
    # (pooling over the batch dimension, or a window < 1, fails when the kernel runs)
    _check_windows(op, strides, (h, w, c))
    padding = op._attrs["padding"]
    pad_h, pad_w = _explicit_pairs(op, fmt) if "explicit_paddings" in op._attrs else ((0, 0),) * 2
    out = [x[0], None, None, None]
    for axis, pair in ((h, pad_h), (w, pad_w), (c, (0, 0))):
        if ksize[axis] >= 0:  # TF leaves the size unknown for a negative window
            out[axis] = _output_size(op, x[axis], ksize[axis], strides[axis], 1, padding, pair)
    shape = TensorShape._from_tuple(tuple(out))
    return [shape] * len(op._outputs)


class _PoolSpec:
    """The attrs of one pooling op in NHWC order, and its geometry for an input shape."""

    __slots__ = ("error", "explicit", "fmt", "ksize", "op", "padding", "strides")

    def __init__(self, op) -> None:
        self.op = op
        self.fmt = op._attrs.get("data_format", b"NHWC")
        self.ksize = _nhwc_list(op._attrs["ksize"], self.fmt)
        self.strides = _nhwc_list(op._attrs["strides"], self.fmt)
        self.padding = op._attrs["padding"]
        self.explicit = None
        self.error = self._check(op, self.ksize, self.strides)
        if self.padding == b"EXPLICIT":
            (pt, pb), (pl, pr) = _explicit_pairs(op, self.fmt)
            self.explicit = [(0, 0), (pt, pb), (pl, pr), (0, 0)]

    @staticmethod
    def _check(op, ksize, strides) -> errors.OpError | None:
        """The error TF's pooling kernels raise for these attrs, if any."""
        if ksize[0] != 1 or strides[0] != 1:
            return errors.UnimplementedError(
                None, op, "Pooling is not yet supported on the batch dimension."
            )
        if min(ksize) < 1 and op._type == "AvgPool":  # (TF's AvgPool kernel words it so)
            k = next(k for k in op._attrs["ksize"] if k < 1)
            return _invalid(op, f"ksize must be a positive int32 value, got:{k}")
        if min(ksize) < 1:
            return _invalid(
                op,
                "Sliding window ksize must be positive. The specified or inferred ksize is: "
                + ",".join(map(str, op._attrs["ksize"])),
            )
        if min(strides) < 1:
            return _invalid(
                op,
                "Sliding window stride must be positive. The specified or inferred stride is: "
                + ",".join(map(str, op._attrs["strides"])),
            )
        return None

    def geometry(self, in_shape) -> tuple:
        if self.error is not None:
            raise self.error
        pads, out = ck.pool_geometry(
            in_shape, self.ksize, self.strides, self.padding, self.explicit
        )
        return pads, [max(n, 0) for n in out]


def _max_pool_kernel(op, ctx):
    spec = _PoolSpec(op)
    fmt = spec.fmt

    def kernel(x):
        x = _to_nhwc(np.asarray(x), fmt)
        pads, out_shape = spec.geometry(x.shape)
        if min(out_shape) == 0:
            return _from_nhwc(np.zeros(out_shape, x.dtype), fmt)
        return _from_nhwc(ck.max_pool(x, spec.ksize, spec.strides, pads, out_shape), fmt)

    return kernel


def _avg_pool_kernel(op, ctx):
    spec = _PoolSpec(op)
    fmt = spec.fmt

    def kernel(x):
        (x,), out_dtype = _prepare((x,), op)
        x = _to_nhwc(x, fmt)
        pads, out_shape = spec.geometry(x.shape)
        if min(out_shape) == 0:
            return _from_nhwc(np.zeros(out_shape, out_dtype), fmt)
        y = ck.avg_pool(x, spec.ksize, spec.strides, pads, out_shape)
        return _from_nhwc(y.astype(out_dtype, copy=False), fmt)

    return kernel


def _check_pooled(op, what: str, expected, got) -> None:
    if list(expected) != list(got):
        raise _invalid(
            op,
            f"Expected {what} shape to be [{','.join(map(str, expected))}], but got "
            f"[{','.join(map(str, got))}]",
        )


def _max_pool_grad_kernel(op, ctx):
    spec = _PoolSpec(op)
    fmt = spec.fmt

    def kernel(x, y, dy):
        (x, y, dy), out_dtype = _prepare((x, y, dy), op)
        for value, what in ((x, "orig_input"), (y, "orig_output"), (dy, "grad")):
            _rank4(op, value, what, "MaxPoolGrad")
        x, y, dy = (_to_nhwc(v, fmt) for v in (x, y, dy))
        pads, out_shape = spec.geometry(x.shape)
        _check_pooled(op, "orig_output", _layout(out_shape, fmt), _layout(y.shape, fmt))
        _check_pooled(op, "grad", _layout(out_shape, fmt), _layout(dy.shape, fmt))
        if min(out_shape) == 0:
            return _from_nhwc(np.zeros(x.shape, out_dtype), fmt)
        dx = ck.max_pool_grad(x, dy, spec.ksize, spec.strides, pads, out_shape, y)
        return _from_nhwc(np.ascontiguousarray(dx).astype(out_dtype, copy=False), fmt)

    return kernel


def _max_pool_grad_grad_kernel(op, ctx):
    spec = _PoolSpec(op)
    fmt = spec.fmt

    def kernel(x, y, g):
        (x, y, g), out_dtype = _prepare((x, y, g), op)
        for value, what in ((x, "orig_input"), (y, "orig_output"), (g, "grad")):
            _rank4(op, value, what, "MaxPoolGradGrad")
        x, y, g = (_to_nhwc(v, fmt) for v in (x, y, g))
        pads, out_shape = spec.geometry(x.shape)
        _check_pooled(op, "orig_output", _layout(out_shape, fmt), _layout(y.shape, fmt))
        _check_pooled(op, "grad", _layout(x.shape, fmt), _layout(g.shape, fmt))
        if min(out_shape) == 0:
            return _from_nhwc(np.zeros(out_shape, out_dtype), fmt)
        out = ck.max_pool_grad_grad(x, g, spec.ksize, spec.strides, pads, out_shape)
        return _from_nhwc(out.astype(out_dtype, copy=False), fmt)

    return kernel


def _avg_pool_grad_shape(op):
    _dims(op, op._inputs[0], rank=1)
    return [_shape_from_sizes(op, op._inputs[0])]


def _avg_pool_grad_kernel(op, ctx):
    spec = _PoolSpec(op)
    fmt = spec.fmt

    def kernel(orig_input_shape, dy):
        (dy,), out_dtype = _prepare((dy,), op)
        sizes = [int(v) for v in np.reshape(orig_input_shape, -1)]
        if len(sizes) != 4:
            raise _invalid(op, "orig_input_shape must have 4 elements")
        if dy.ndim != 4:
            raise _invalid(op, "out_backprop must be 4-dimensional")
        in_shape = _nhwc_list(sizes, fmt)
        dy = _to_nhwc(dy, fmt)
        pads, out_shape = spec.geometry(in_shape)
        _check_pooled(op, "grad", _layout(out_shape, fmt), _layout(dy.shape, fmt))
        if min(out_shape) == 0:
            return _from_nhwc(np.zeros(in_shape, out_dtype), fmt)
        dx = ck.avg_pool_grad(in_shape, dy, spec.ksize, spec.strides, pads, out_shape)
        return _from_nhwc(np.ascontiguousarray(dx).astype(out_dtype, copy=False), fmt)

    return kernel


_POOL_ATTRS = ("ksize", "strides", "padding", "explicit_paddings", "data_format")


def _max_pool_grad(op, grad):
    return op_output(
        "MaxPoolGrad", None, [op._inputs[0], op._outputs[0], grad], _attrs_of(op, _POOL_ATTRS)
    )


def _max_pool_grad_grad(op, grad):
    x, y, _ = op._inputs
    attrs = _attrs_of(op, ("ksize", "strides", "padding", "data_format"))
    return (
        array_ops.zeros_like(x),
        array_ops.zeros_like(y),
        op_output("MaxPoolGradGrad", None, [x, y, grad], attrs),
    )


def _max_pool_grad_grad_grad(op, grad):
    x, y, _ = op._inputs
    attrs = _attrs_of(op, ("ksize", "strides", "padding", "data_format"))
    return (
        array_ops.zeros_like(x),
        array_ops.zeros_like(y),
        op_output("MaxPoolGrad", None, [x, y, grad], attrs),
    )


def _avg_pool_grad(op, grad):
    shape = array_ops.shape(op._inputs[0], out_type=dtypes.int32)
    return op_output("AvgPoolGrad", None, [shape, grad], _attrs_of(op, _POOL_ATTRS))


def _avg_pool_grad_grad(op, grad):
    return (
        array_ops.stop_gradient(op._inputs[0]),
        op_output("AvgPool", None, [grad], _attrs_of(op, _POOL_ATTRS)),
    )


_POOL_ATTR_DECLS = [
    "ksize: list(int) >= 4",
    "strides: list(int) >= 4",
    "padding: {'SAME', 'VALID', 'EXPLICIT'}",
    "explicit_paddings: list(int) = []",
    _FORMAT_4D,
]

register_op(
    "MaxPool",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=[
        "T: {half, bfloat16, float, double, int32, int64, uint8, int16, int8, uint16} = float",
        *_POOL_ATTR_DECLS,
    ],
    shape=_pool_shape,
    make_kernel=_max_pool_kernel,
    grad=_max_pool_grad,
)
register_op(
    "MaxPoolGrad",
    inputs=["orig_input: T", "orig_output: T", "grad: T"],
    outputs=["output: T"],
    attrs=[*_POOL_ATTR_DECLS, "T: realnumbertype = float"],
    shape=lambda op: [TensorShape._from_tuple(_dims(op, op._inputs[0]))],
    make_kernel=_max_pool_grad_kernel,
    grad=_max_pool_grad_grad,
)
register_op(
    "MaxPoolGradGrad",
    inputs=["orig_input: T", "orig_output: T", "grad: T"],
    outputs=["output: T"],
    attrs=[
        "ksize: list(int) >= 4",
        "strides: list(int) >= 4",
        "padding: {'SAME', 'VALID'}",
        _FORMAT_4D,
        "T: realnumbertype",
    ],
    shape=_pool_shape,
    make_kernel=_max_pool_grad_grad_kernel,
    grad=_max_pool_grad_grad_grad,
)
_AVG_POOL_ATTR_DECLS = [
    "ksize: list(int) >= 4",
    "strides: list(int) >= 4",
    "padding: {'SAME', 'VALID'}",
    _FORMAT_4D,
    "T: {half, bfloat16, float, double}",
]
register_op(
    "AvgPool",
    inputs=["value: T"],
    outputs=["output: T"],
    attrs=_AVG_POOL_ATTR_DECLS,
    shape=_pool_shape,
    make_kernel=_avg_pool_kernel,
    grad=_avg_pool_grad,
)
register_op(
    "AvgPoolGrad",
    inputs=["orig_input_shape: int32", "grad: T"],
    outputs=["output: T"],
    attrs=_AVG_POOL_ATTR_DECLS,
    shape=_avg_pool_grad_shape,
    make_kernel=_avg_pool_grad_kernel,
    grad=_avg_pool_grad_grad,
)


# -- MaxPoolWithArgmax --------------------------------------------------------------------------
def _max_pool_with_argmax_kernel(op, ctx):
    spec = _PoolSpec(op)
    include_batch = bool(op._attrs["include_batch_in_index"])
    index_dtype = op._attrs["Targmax"].np_dtype

    def kernel(x):
        x = np.asarray(x)
        _rank4(op, x, "input", "MaxPoolWithArgmax")
        pads, out_shape = spec.geometry(x.shape)
        if min(out_shape) == 0:
            return np.zeros(out_shape, x.dtype), np.zeros(out_shape, index_dtype)
        y, index = ck.max_pool_with_argmax(
            x, spec.ksize, spec.strides, pads, out_shape, include_batch
        )
        return y, index.astype(index_dtype, copy=False)

    return kernel


def _max_pool_grad_with_argmax_kernel(op, ctx):
    spec = _PoolSpec(op)
    include_batch = bool(op._attrs["include_batch_in_index"])

    def kernel(x, dy, argmax):
        x, dy = np.asarray(x), np.asarray(dy)
        _, out_shape = spec.geometry(x.shape)
        _check_pooled(op, "grad", out_shape, dy.shape)
        _check_pooled(op, "argmax", out_shape, np.shape(argmax))
        return ck.max_pool_grad_with_argmax(x.shape, dy, argmax, include_batch)

    return kernel


def _max_pool_with_argmax_grad(op, grad, unused_argmax_grad):
    del unused_argmax_grad
    return op_output(
        "MaxPoolGradWithArgmax",
        None,
        [op._inputs[0], grad, op._outputs[1]],
        _attrs_of(op, ("ksize", "strides", "padding", "include_batch_in_index")),
    )


_ARGMAX_ATTR_DECLS = [
    "ksize: list(int) >= 4",
    "strides: list(int) >= 4",
    "padding: {'SAME', 'VALID'}",
    "include_batch_in_index: bool = false",
]
register_op(
    "MaxPoolWithArgmax",
    inputs=["input: T"],
    outputs=["output: T", "argmax: Targmax"],
    attrs=[
        "ksize: list(int) >= 4",
        "strides: list(int) >= 4",
        "Targmax: {int32, int64} = int64",
        "padding: {'SAME', 'VALID'}",
        "include_batch_in_index: bool = false",
        "T: realnumbertype",
    ],
    shape=_pool_shape,
    make_kernel=_max_pool_with_argmax_kernel,
    grad=_max_pool_with_argmax_grad,
)
# TF registers no gradient for MaxPoolGradWithArgmax.
register_op(
    "MaxPoolGradWithArgmax",
    inputs=["input: T", "grad: T", "argmax: Targmax"],
    outputs=["output: T"],
    attrs=[*_ARGMAX_ATTR_DECLS, "Targmax: {int32, int64}", "T: realnumbertype"],
    shape=lambda op: [TensorShape._from_tuple(_dims(op, op._inputs[0]))],
    make_kernel=_max_pool_grad_with_argmax_kernel,
)


# -- BiasAdd, BiasAddGrad -----------------------------------------------------------------------
def _bias_add_shape(op):
    value, bias = op._inputs[0]._shape._dims, op._inputs[1]._shape._dims
    if bias is not None and len(bias) != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {len(bias)}{_suffix(op)}")
    if value is None:
        return [UNKNOWN]
    nchw = op._attrs["data_format"] == b"NCHW"
    min_rank = 3 if nchw else 2
    if len(value) < min_rank:
        raise ValueError(
            f"Shape must be at least rank {min_rank} but is rank {len(value)}{_suffix(op)}"
        )
    c = 1 if nchw else len(value) - 1
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

    value_dims, bias_dims = op._inputs[0]._shape._dims, op._inputs[1]._shape._dims
    if value_dims is not None and bias_dims is not None and len(value_dims) >= 2:
        channel = value_dims[1] if nchw and len(value_dims) > 2 else value_dims[-1]
        if channel is not None and bias_dims[0] is not None:
            if not nchw:  # (value + bias along the last dimension: the ufunc, fusable)
                kernel.broadcasting = np.add
            return kernel  # the shape rule has checked them

    def checked(value, bias):
        shape, bias_shape = np.shape(value), np.shape(bias)
        if len(shape) < 2:
            raise _invalid(op, f"Input tensor must be at least 2D: {_dims_str(shape)}")
        if len(bias_shape) != 1:
            raise _invalid(op, f"Biases must be 1D: {_dims_str(bias_shape)}")
        channels = shape[1] if nchw and len(shape) > 2 else shape[-1]
        if channels != bias_shape[0]:
            raise _invalid(
                op,
                "Must provide as many biases as the last dimension of the input tensor: "
                f"{_dims_str(bias_shape)} vs. {_dims_str(shape)}",
            )
        return kernel(value, bias)

    return checked


def _dims_str(shape) -> str:
    return "[" + ",".join(map(str, shape)) + "]"


def _bias_add_grad_shape(op):
    dims = op._inputs[0]._shape._dims
    if dims is None:
        return [TensorShape._from_tuple((None,))]
    nchw = op._attrs["data_format"] == b"NCHW"
    min_rank = 3 if nchw else 2
    if len(dims) < min_rank:
        raise ValueError(
            f"Shape must be at least rank {min_rank} but is rank {len(dims)}{_suffix(op)}"
        )
    return [TensorShape._from_tuple((dims[1] if nchw else dims[-1],))]


def _bias_add_grad_kernel(op, ctx):
    nchw = op._attrs["data_format"] == b"NCHW"

    def kernel(dy):
        dy = np.asarray(dy)
        if nchw and dy.ndim > 2:
            work = ck.work_dtype(dy.dtype) if dy.dtype.kind == "f" else dy.dtype
            rows = dy.reshape(dy.shape[0], dy.shape[1], -1)
            return rows.sum(axis=2, dtype=work).sum(axis=0).astype(dy.dtype, copy=False)
        rows = dy.reshape(-1, dy.shape[-1])
        if rows.dtype in (np.float32, np.float64) and rows.flags.c_contiguous:
            # a sum over all leading dimensions as one BLAS vector-matrix product
            return np.ones(rows.shape[0], rows.dtype) @ rows
        work = ck.work_dtype(dy.dtype) if dy.dtype.kind == "f" else dy.dtype
        return rows.sum(axis=0, dtype=work).astype(dy.dtype, copy=False)

    return kernel


def _bias_add_grad(op, grad):
    attrs = {"data_format": op._attrs["data_format"]}
    return grad, op_output("BiasAddGrad", None, [grad], attrs)


def _bias_add_grad_grad(op, grad):
    shape = array_ops.shape(op._inputs[0])
    bias_shape = array_ops.shape(grad)
    if op._attrs["data_format"] == b"NCHW":
        expanded_shape = array_ops.concat(
            [array_ops.ones_like(shape[:1]), bias_shape, array_ops.ones_like(shape[2:])], 0
        )
        tile_mults = array_ops.concat([shape[:1], [1], shape[2:]], 0)
    else:
        expanded_shape = array_ops.concat([array_ops.ones_like(shape[:-1]), bias_shape], 0)
        tile_mults = array_ops.concat([shape[:-1], [1]], 0)
    return array_ops.tile(array_ops.reshape(grad, expanded_shape), tile_mults)


register_op(
    "BiasAdd",
    inputs=["value: T", "bias: T"],
    outputs=["output: T"],
    attrs=["T: numbertype", _FORMAT_4D],
    shape=_bias_add_shape,
    make_kernel=_bias_add_kernel,
    grad=_bias_add_grad,
    epilogue=lambda op: None if op._attrs["data_format"] == b"NCHW" else "bias",
)
register_op(
    "BiasAddGrad",
    inputs=["out_backprop: T"],
    outputs=["output: T"],
    attrs=["T: numbertype", _FORMAT_4D],
    shape=_bias_add_grad_shape,
    make_kernel=_bias_add_grad_kernel,
    grad=_bias_add_grad_grad,
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
        value = list(value)  # type: ignore[call-overload]  # a sized sequence of ints
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
    filter,
    padding,
    strides=None,
    dilation_rate=None,
    name: str | None = None,
    data_format=None,
    filters=None,
    dilations=None,
):
    """N-D convolution (TF1 `tf.nn.convolution`): 1-D, 2-D or 3-D (no atrous
    SpaceToBatchND graph: dilations go to the op)."""
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
        if isinstance(padding, str):
            padding = padding.upper()
        if rank == 3:  # (as TF: conv1d's ExpandDims / Conv2D / Squeeze under this scope)
            return conv1d(
                input,
                filter,
                stride=strides if strides is not None else 1,
                padding=padding,
                data_format=data_format,
                dilations=dilation_rate if dilation_rate is not None else 1,
                name=scope,
            )
        if rank == 5:  # (one Conv3D op named as the scope)
            from tfgraph.ops import conv3d_ops

            first = data_format is not None and data_format.startswith("NC")

            def full(value):
                value = [1] * 3 if value is None else value
                value = [value] * 3 if isinstance(value, int) else list(value)
                return [1, 1, *value] if first else [1, *value, 1]

            return conv3d_ops.conv3d(
                input,
                filter,
                strides=full(strides),
                padding=padding,
                data_format="NCDHW" if first else "NDHWC",
                dilations=full(dilation_rate),
                name=scope,
            )
        if rank != 4:
            raise NotImplementedError(
                "tfgraph's tf.nn.convolution supports 1-D to 3-D convolution (rank-3 to "
                f"rank-5 inputs and filters) only; got rank {rank}."
            )
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
        if op_type == "MaxPool" and default == "MaxPool" and any(v == 0 for v in ksize):
            raise ValueError(f"`ksize` cannot be zero. Received: ksize={ksize}")
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


avg_pool2d = avg_pool  # (TF1's tf.nn.avg_pool2d is tf.nn.avg_pool)


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


def _padding_attrs(padding) -> dict:
    padding, explicit = _convert_padding(padding)
    return {
        "padding": padding.encode() if isinstance(padding, str) else padding,
        "explicit_paddings": explicit,
    }


def _require_list(value, arg: str, fn: str) -> list:
    """TF's generated wrappers reject a non-list for list attrs."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"Expected list for '{arg}' argument to '{fn}' Op, not {value!r}.")
    return [int(v) for v in value]


def _native_conv_attrs(
    fn: str, strides, padding, data_format, dilations, use_cudnn_on_gpu=None
) -> dict:
    """The attrs of a Conv2D-family op built from a raw wrapper `fn` (TF's order)."""
    attrs: dict[str, object] = {"strides": _require_list(strides, "strides", fn)}
    if use_cudnn_on_gpu is not None:
        attrs["use_cudnn_on_gpu"] = bool(use_cudnn_on_gpu)
    attrs.update(_padding_attrs(padding))
    attrs["data_format"] = _format(data_format).encode()
    attrs["dilations"] = _require_list(dilations, "dilations", fn)
    return attrs


def conv2d_backprop_input(
    input_sizes,
    filter=None,
    out_backprop=None,
    strides=None,
    padding=None,
    use_cudnn_on_gpu: bool = True,
    data_format: str = "NHWC",
    dilations=(1, 1, 1, 1),
    name: str | None = None,
    filters=None,
):
    """The gradient of `conv2d` with respect to its input (TF1
    `tf.nn.conv2d_backprop_input`, op Conv2DBackpropInput).

    Args:
        input_sizes: int32 [4] (or [2]: height and width) shape of the conv input.
        filter: the conv filter [f_h, f_w, in_c, out_c]; `filters` is the TF2 name.
        out_backprop: the gradient of the conv output.
        strides, padding, use_cudnn_on_gpu, data_format, dilations: as for `conv2d`
            (strides and dilations as lists of 4).
        name: the op name (default "Conv2DBackpropInput").
    """
    if filters is not None:
        filter = filters
    attrs = _native_conv_attrs(
        "conv2d_backprop_input", strides, padding, data_format, dilations, use_cudnn_on_gpu
    )
    return op_output("Conv2DBackpropInput", name, [input_sizes, filter, out_backprop], attrs)


def conv2d_backprop_filter(
    input,
    filter_sizes,
    out_backprop,
    strides,
    padding,
    use_cudnn_on_gpu: bool = True,
    data_format: str = "NHWC",
    dilations=(1, 1, 1, 1),
    name: str | None = None,
):
    """The gradient of `conv2d` with respect to its filter (TF1
    `tf.nn.conv2d_backprop_filter`, op Conv2DBackpropFilter)."""
    attrs = _native_conv_attrs(
        "conv2d_backprop_filter", strides, padding, data_format, dilations, use_cudnn_on_gpu
    )
    return op_output("Conv2DBackpropFilter", name, [input, filter_sizes, out_backprop], attrs)


def _v2_attrs(fn, strides, padding, use_cudnn_on_gpu, explicit_paddings, data_format, dilations):
    return {
        "strides": _require_list(strides, "strides", fn),
        "use_cudnn_on_gpu": bool(use_cudnn_on_gpu),
        "padding": padding.encode() if isinstance(padding, str) else padding,
        "explicit_paddings": _require_list(explicit_paddings, "explicit_paddings", fn),
        "data_format": data_format.encode() if isinstance(data_format, str) else data_format,
        "dilations": _require_list(dilations, "dilations", fn),
    }


def conv2d_backprop_input_v2(
    input,
    filter,
    out_backprop,
    strides,
    padding,
    use_cudnn_on_gpu: bool = True,
    explicit_paddings=(),
    data_format: str = "NHWC",
    dilations=(1, 1, 1, 1),
    name: str | None = None,
):
    """The gradient of `conv2d` with respect to its input, given the input tensor itself
    rather than its shape (TF1 `tf.conv2d_backprop_input_v2`, op Conv2DBackpropInputV2).
    TF has no gradient for it."""
    attrs = _v2_attrs(
        "conv2d_backprop_input_v2",
        strides,
        padding,
        use_cudnn_on_gpu,
        list(explicit_paddings),
        data_format,
        dilations,
    )
    return op_output("Conv2DBackpropInputV2", name, [input, filter, out_backprop], attrs)


def conv2d_backprop_filter_v2(
    input,
    filter,
    out_backprop,
    strides,
    padding,
    use_cudnn_on_gpu: bool = True,
    explicit_paddings=(),
    data_format: str = "NHWC",
    dilations=(1, 1, 1, 1),
    name: str | None = None,
):
    """The gradient of `conv2d` with respect to its filter, given the filter tensor itself
    rather than its shape (TF1 `tf.conv2d_backprop_filter_v2`, op Conv2DBackpropFilterV2).
    TF has no gradient for it."""
    attrs = _v2_attrs(
        "conv2d_backprop_filter_v2",
        strides,
        padding,
        use_cudnn_on_gpu,
        list(explicit_paddings),
        data_format,
        dilations,
    )
    return op_output("Conv2DBackpropFilterV2", name, [input, filter, out_backprop], attrs)


def conv2d_transpose(
    value=None,
    filter=None,
    output_shape=None,
    strides=None,
    padding="SAME",
    data_format: str = "NHWC",
    name: str | None = None,
    input=None,
    filters=None,
    dilations=None,
):
    """The transpose of `conv2d` (the gradient of conv2d with respect to its input),
    built as TF builds it: one Conv2DBackpropInput named "conv2d_transpose".

    Args:
        value: the input [batch, h, w, in_c] (NHWC) or NCHW; `input` is the TF2 name.
        filter: [f_h, f_w, out_c, in_c]; `filters` is the TF2 name.
        output_shape: the 1-D shape of the output (a list or an int32 tensor).
        strides: an int or a list of 1, 2 or 4 ints.
        padding: "SAME", "VALID" or explicit pairs.
        data_format: "NHWC" or "NCHW".
        name: the op name (default "conv2d_transpose").
        dilations: an int or a list of 1, 2 or 4 ints.
    """
    if input is not None:
        value = input
    if filters is not None:
        filter = filters
    g = get_default_graph()
    with g.name_scope(name or "conv2d_transpose") as scope:
        data_format = _format(data_format)
        channel_index = 1 if data_format.startswith("NC") else 3
        attrs = {
            "strides": _get_sequence(strides, 2, channel_index, "strides"),
            "use_cudnn_on_gpu": True,
            **_padding_attrs(padding),
            "data_format": data_format.encode(),
            "dilations": _get_sequence(dilations, 2, channel_index, "dilations"),
        }
        return op_output("Conv2DBackpropInput", scope, [output_shape, filter, value], attrs)


def depthwise_conv2d_native(
    input,
    filter,
    strides,
    padding,
    data_format: str = "NHWC",
    dilations=(1, 1, 1, 1),
    name: str | None = None,
):
    """Depthwise 2-D convolution (op DepthwiseConv2dNative): filter [f_h, f_w, in_c,
    multiplier] gives in_c * multiplier output channels."""
    attrs = _native_conv_attrs("depthwise_conv2d_native", strides, padding, data_format, dilations)
    return op_output("DepthwiseConv2dNative", name, [input, filter], attrs)


def depthwise_conv2d_native_backprop_input(
    input_sizes,
    filter,
    out_backprop,
    strides,
    padding,
    data_format: str = "NHWC",
    dilations=(1, 1, 1, 1),
    name: str | None = None,
):
    """The gradient of `depthwise_conv2d_native` with respect to its input."""
    attrs = _native_conv_attrs(
        "depthwise_conv2d_native_backprop_input", strides, padding, data_format, dilations
    )
    return op_output(
        "DepthwiseConv2dNativeBackpropInput", name, [input_sizes, filter, out_backprop], attrs
    )


def depthwise_conv2d_native_backprop_filter(
    input,
    filter_sizes,
    out_backprop,
    strides,
    padding,
    data_format: str = "NHWC",
    dilations=(1, 1, 1, 1),
    name: str | None = None,
):
    """The gradient of `depthwise_conv2d_native` with respect to its filter."""
    attrs = _native_conv_attrs(
        "depthwise_conv2d_native_backprop_filter", strides, padding, data_format, dilations
    )
    return op_output(
        "DepthwiseConv2dNativeBackpropFilter", name, [input, filter_sizes, out_backprop], attrs
    )


def _rate_pair(rate) -> list:
    """`rate` (None, an int or 2 ints) as 2 positive ints, checked as TF checks it."""
    rate = [1, 1] if rate is None else [int(r) for r in np.broadcast_to(rate, (2,))]
    if min(rate) < 1:
        raise ValueError(f"`dilation_rate` must be positive. Received: dilation_rate={rate}")
    return rate


def _depthwise(input, filter, strides, padding, rate, data_format, op_name):
    """The depthwise step of depthwise_conv2d/separable_conv2d inside the current scope:
    TF's `Shape` and `dilation_rate` constants, then a DepthwiseConv2dNative named
    `op_name`. A rate > 1 becomes the op's dilations (TF wraps a rate-1 op in
    SpaceToBatchND/BatchToSpaceND instead; the values are the same)."""
    array_ops.shape(filter)
    rate = _rate_pair(rate)
    constant(np.array(rate, np.int32), name="dilation_rate")
    nchw = data_format is not None and data_format.startswith("NC")
    dilations = [1, 1, *rate] if nchw else [1, *rate, 1]
    attrs = _native_conv_attrs("depthwise_conv2d_native", strides, padding, data_format, dilations)
    return op_output("DepthwiseConv2dNative", op_name, [input, filter], attrs)


def depthwise_conv2d(
    input,
    filter,
    strides,
    padding,
    rate=None,
    name: str | None = None,
    data_format=None,
    dilations=None,
):
    """Depthwise 2-D convolution (TF1 `tf.nn.depthwise_conv2d`): each input channel is
    convolved with its own `channel_multiplier` filters.

    Args:
        input: [batch, h, w, in_c] (NHWC) or NCHW.
        filter: [f_h, f_w, in_c, channel_multiplier].
        strides: a list of 4 ints.
        padding: "SAME", "VALID" or explicit pairs.
        rate: 2 ints, the dilation rate (`dilations` is its alias).
        name: the op name (default "depthwise").
        data_format: "NHWC" (default) or "NCHW".
    """
    if dilations is not None:
        rate = dilations
    g = get_default_graph()
    with g.name_scope(name or "depthwise") as scope:
        input = convert_to_tensor(input, name="tensor_in")
        filter = convert_to_tensor(filter, name="filter_in")
        return _depthwise(input, filter, strides, padding, rate, data_format, scope)


def separable_conv2d(
    input,
    depthwise_filter,
    pointwise_filter,
    strides,
    padding,
    rate=None,
    name: str | None = None,
    data_format=None,
    dilations=None,
):
    """A depthwise convolution followed by a 1x1 (pointwise) Conv2D (TF1
    `tf.nn.separable_conv2d`): ops `separable_conv2d/depthwise` and `separable_conv2d`.

    Args:
        input: [batch, h, w, in_c] (NHWC) or NCHW.
        depthwise_filter: [f_h, f_w, in_c, channel_multiplier].
        pointwise_filter: [1, 1, in_c * channel_multiplier, out_c].
        strides: a list of 4 ints (for the depthwise step).
        padding: "SAME", "VALID" or explicit pairs (for the depthwise step).
        rate: 2 ints, the depthwise dilation rate (`dilations` is its alias).
        name: the op name (default "separable_conv2d").
        data_format: "NHWC" (default) or "NCHW".
    """
    if dilations is not None:
        rate = dilations
    g = get_default_graph()
    with g.name_scope(name or "separable_conv2d") as scope:
        input = convert_to_tensor(input, name="tensor_in")
        depthwise_filter = convert_to_tensor(depthwise_filter, name="depthwise_filter")
        pointwise_filter = convert_to_tensor(pointwise_filter, name="pointwise_filter")
        dims = pointwise_filter.shape.with_rank(4).dims
        for d in dims[:2]:
            if d.value is not None and d.value != 1:
                raise ValueError(f"Dimensions {d.value} and 1 are not compatible")
        depthwise = _depthwise(
            input, depthwise_filter, strides, padding, rate, data_format, "depthwise"
        )
        return conv2d(
            depthwise,
            pointwise_filter,
            [1, 1, 1, 1],
            padding="VALID",
            data_format=_format(data_format),
            name=scope,
        )


def atrous_conv2d(value, filters, rate, padding, name: str | None = None):
    """Dilated ("atrous") 2-D convolution with the same `rate` in height and width (TF1
    `tf.nn.atrous_conv2d`); one Conv2D with dilations here."""
    return convolution(
        value, filters, padding=padding, dilation_rate=[int(rate), int(rate)], name=name
    )


def conv1d(
    value=None,
    filters=None,
    stride=None,
    padding=None,
    use_cudnn_on_gpu=None,
    data_format=None,
    name: str | None = None,
    input=None,
    dilations=None,
):
    """1-D convolution built as TF builds it: ExpandDims of the input and the filter, a
    Conv2D named "conv1d" and a Squeeze.

    Args:
        value: [batch, width, in_c] ("NWC") or [batch, in_c, width] ("NCW"); `input` is
            the TF2 name.
        filters: [f_w, in_c, out_c].
        stride: an int or a list of 1 or 3 ints.
        padding: "SAME" or "VALID".
        use_cudnn_on_gpu: accepted for compatibility.
        data_format: "NWC" (default) or "NCW".
        name: the op name (default "conv1d").
        dilations: an int or a list of 1 or 3 ints.
    """
    if input is not None:
        value = input
    g = get_default_graph()
    with g.name_scope(name or "conv1d") as scope:
        if data_format is None or data_format in ("NHWC", "NWC"):
            data_format, spatial_start_dim, channel_index = "NHWC", -3, 2
        elif data_format in ("NCHW", "NCW"):
            data_format, spatial_start_dim, channel_index = "NCHW", -2, 1
        else:
            raise ValueError(
                f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}"
            )
        strides = [1, *_get_sequence(stride, 1, channel_index, "stride")]
        dilations = [1, *_get_sequence(dilations, 1, channel_index, "dilations")]
        value = array_ops.expand_dims(value, spatial_start_dim)
        filters = array_ops.expand_dims(filters, 0)
        attrs = {
            "strides": strides,
            "padding": padding.encode() if isinstance(padding, str) else padding,
            "explicit_paddings": [],
            "use_cudnn_on_gpu": True if use_cudnn_on_gpu is None else bool(use_cudnn_on_gpu),
            "data_format": data_format.encode(),
            "dilations": dilations,
        }
        result = op_output("Conv2D", scope, [value, filters], attrs)
        return array_ops.squeeze(result, [spatial_start_dim])


def max_pool_with_argmax(
    input,
    ksize,
    strides,
    padding,
    data_format: str = "NHWC",
    Targmax=None,
    name: str | None = None,
    output_dtype=None,
    include_batch_in_index: bool = False,
):
    """Max pooling that also returns the flat index of each maximum (TF1
    `tf.nn.max_pool_with_argmax`): `(output, argmax)`; with `include_batch_in_index` the
    index counts from the start of the batch, else from the start of each image."""
    if data_format != "NHWC":
        raise ValueError(
            "`data_format` values other  than 'NHWC' are not supported. Received: "
            f"data_format={data_format}"
        )
    if output_dtype is not None:
        Targmax = output_dtype
    attrs = {
        "ksize": _require_list(ksize, "ksize", "max_pool_with_argmax"),
        "strides": _require_list(strides, "strides", "max_pool_with_argmax"),
        "Targmax": dtypes.int64 if Targmax is None else dtypes.as_dtype(Targmax),
        "padding": padding.encode() if isinstance(padding, str) else padding,
        "include_batch_in_index": bool(include_batch_in_index),
    }
    op = apply_op("MaxPoolWithArgmax", name, [input], attrs)
    return op._outputs[0], op._outputs[1]


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def conv2d_tf2(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):
    """TF2's `tf.nn.conv2d`: (input, filters, strides, padding, data_format, dilations,
    name); TF1's 5th parameter is use_cudnn_on_gpu."""
    if dilations is None:
        dilations = [1, 1, 1, 1]
    return conv2d(
        input, filters, strides, padding, data_format=data_format, dilations=dilations, name=name
    )


def conv1d_v2(input, filters, stride, padding, data_format="NWC", dilations=None, name=None):
    """TF2's `tf.nn.conv1d` (no use_cudnn_on_gpu)."""
    return conv1d(
        input, filters, stride, padding, data_format=data_format, name=name, dilations=dilations
    )


def conv2d_transpose_v2(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format="NHWC",
    dilations=None,
    name=None,
):
    """TF2's `tf.nn.conv2d_transpose` (input, filters, ..., dilations before name)."""
    return conv2d_transpose(
        input,
        filters,
        output_shape,
        strides,
        padding=padding,
        data_format=data_format,
        name=name,
        dilations=dilations,
    )


def convolution_v2(
    input, filters, strides=None, padding="VALID", data_format=None, dilations=None, name=None
):
    """TF2's `tf.nn.convolution`: strides before padding, padding defaults to VALID."""
    return convolution(
        input,
        filters,
        padding,
        strides=strides,
        dilation_rate=dilations,
        name=name,
        data_format=data_format,
    )


def avg_pool2d_v2(input, ksize, strides, padding, data_format="NHWC", name=None):
    """TF2's `tf.nn.avg_pool2d` (first parameter `input`)."""
    return avg_pool(input, ksize, strides, padding, data_format=data_format, name=name)


def depthwise_conv2d_v2(
    input, filter, strides, padding, data_format=None, dilations=None, name=None
):
    """TF2's `tf.nn.depthwise_conv2d` (`dilations` for TF1's `rate`)."""
    return depthwise_conv2d(
        input, filter, strides, padding, rate=dilations, name=name, data_format=data_format
    )


def separable_conv2d_v2(
    input,
    depthwise_filter,
    pointwise_filter,
    strides,
    padding,
    data_format=None,
    dilations=None,
    name=None,
):
    """TF2's `tf.nn.separable_conv2d` (`dilations` for TF1's `rate`)."""
    return separable_conv2d(
        input,
        depthwise_filter,
        pointwise_filter,
        strides,
        padding,
        rate=dilations,
        name=name,
        data_format=data_format,
    )


def max_pool_with_argmax_v2(
    input,
    ksize,
    strides,
    padding,
    data_format="NHWC",
    output_dtype=dtypes.int64,
    include_batch_in_index=False,
    name=None,
):
    """TF2's `tf.nn.max_pool_with_argmax` (no Targmax)."""
    return max_pool_with_argmax(
        input,
        ksize,
        strides,
        padding,
        data_format=data_format,
        name=name,
        output_dtype=output_dtype,
        include_batch_in_index=include_batch_in_index,
    )

"""The generic `Conv` op (`tf.conv`): a 2-D or 3-D convolution chosen by the input's rank,
with `batch_dims` leading batch dimensions, as TF 2.21's raw op.

TF's CPU kernel takes channels-last data and one group only; other settings build but
fail at run time with TF's UnimplementedError. TF registers no gradient for it.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import common_shapes
from tfgraph.ops import conv3d_kernels as k3
from tfgraph.ops import conv_kernels as ck
from tfgraph.ops.apply import op_output

__all__ = ["conv"]


def _node(op) -> str:
    return f"\n\t [[{{{{node {op.name}}}}}]]"


def _spatial_count(op, rank) -> int:
    """2 or 3: the convolution's spatial rank, from the input's rank."""
    extra = op._attrs["batch_dims"] - 1
    n = rank - extra
    if n not in (4, 5):
        raise common_shapes.shape_error(
            op,
            f"Input tensor must be rank 4 or 5, excluding extra batch dimensions, but got: {n}",
        )
    return n - 2


def _out_size(size, k, stride, dilation, padding: bytes, pair):
    if size is None or k is None:
        return None
    eff = (k - 1) * dilation + 1
    if padding == b"SAME":
        return -(-size // stride)
    if padding == b"EXPLICIT":
        size += pair[0] + pair[1]
    return (size - eff) // stride + 1 if size >= eff else 0


def _params(op, spatial: int):
    """(strides, dilations, explicit pairs) of the spatial dimensions, channels last."""
    a = op._attrs
    strides = list(a["strides"])
    dilations = list(a["dilations"]) or [1] * (spatial + 2)
    pads = list(a["explicit_paddings"])
    pairs = [(pads[2 * i], pads[2 * i + 1]) for i in range(1, spatial + 1)] if pads else []
    for name, v in (("strides", strides), ("dilations", dilations)):
        if len(v) != spatial + 2:
            raise common_shapes.shape_error(
                op, f"{name} must have {spatial + 2} values (one per dimension), got {len(v)}"
            )
    if a["padding"] == b"EXPLICIT" and len(pads) != 2 * (spatial + 2):
        raise common_shapes.shape_error(
            op, f"explicit_paddings must have {2 * (spatial + 2)} values, got {len(pads)}"
        )
    return strides[1:-1], dilations[1:-1], pairs or [(0, 0)] * spatial


def _conv_shape(op):
    x = op._inputs[0]._shape._dims
    f = op._inputs[1]._shape._dims
    if x is None:
        return [common_shapes.UNKNOWN]
    spatial = _spatial_count(op, len(x))
    if f is not None and len(f) != spatial + 2:
        raise common_shapes.shape_error(
            op, f"Shape must be rank {spatial + 2} but is rank {len(f)}"
        )
    strides, dilations, pairs = _params(op, spatial)
    channels_last = op._attrs["data_format"] == b"CHANNELS_LAST"
    batch = x[: len(x) - spatial - 1]
    sizes = x[-spatial - 1 : -1] if channels_last else x[-spatial:]
    ks = (None,) * spatial if f is None else f[:spatial]
    outs = [
        _out_size(s, k, st, d, op._attrs["padding"], p)
        for s, k, st, d, p in zip(sizes, ks, strides, dilations, pairs)
    ]
    depth = None if f is None else f[-1]
    dims = [*batch, *outs, depth] if channels_last else [*batch, depth, *outs]
    return [TensorShape(dims)]


def _conv_kernel(op, ctx):
    a = op._attrs
    padding = a["padding"]
    dtype = a["T"].np_dtype
    work = ck.work_dtype(dtype)

    def kernel(x, f):
        x, f = np.asarray(x, work), np.asarray(f, work)
        spatial = x.ndim - a["batch_dims"] - 1
        if a["data_format"] != b"CHANNELS_LAST":
            raise errors.UnimplementedError(
                None,
                op,
                f"The Conv{spatial}D op currently only supports the NHWC tensor format on the "
                f"CPU. The op was given the format: {'NCHW' if spatial == 2 else 'NCDHW'}"
                + _node(op),
            )
        if a["groups"] != 1:
            raise errors.UnimplementedError(
                None, op, "Grouped/Depthwise Convolutions are not supported yet." + _node(op)
            )
        if x.shape[-1] != f.shape[-2]:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"input depth must be evenly divisible by filter depth: {x.shape[-1]} vs "
                f"{f.shape[-2]}{_node(op)}",
            )
        strides, dilations, pairs = _params(op, spatial)
        batch_shape = x.shape[: x.ndim - spatial - 1]
        x = x.reshape(-1, *x.shape[x.ndim - spatial - 1 :])
        if padding == b"SAME":
            pairs = [ck.same_pads(s, k, st, d) for s, k, st, d in
                     zip(x.shape[1:-1], f.shape[:spatial], strides, dilations)]  # fmt: skip
        elif padding == b"VALID":
            pairs = [(0, 0)] * spatial
        outs = tuple(
            _out_size(s, k, st, d, b"EXPLICIT", p)
            for s, k, st, d, p in zip(x.shape[1:-1], f.shape[:spatial], strides, dilations, pairs)
        )
        if spatial == 2:
            flat = [p for pair in pairs for p in pair]
            y = ck.conv2d(x, f, tuple(strides), tuple(dilations), flat, outs)
        else:
            y = k3.conv3d(x, f, strides, dilations, tuple(pairs), outs)
        return y.reshape(*batch_shape, *y.shape[1:]).astype(dtype, copy=False)

    return kernel


register_op(
    "Conv",
    inputs=["input: T", "filter: T"],
    outputs=["output: T"],
    attrs=[
        "T: {half, bfloat16, float, double, int32}",
        "strides: list(int)",
        "padding: {'SAME', 'VALID', 'EXPLICIT'}",
        "explicit_paddings: list(int) = []",
        "data_format: {'CHANNELS_FIRST', 'CHANNELS_LAST'} = 'CHANNELS_LAST'",
        "dilations: list(int) = []",
        "batch_dims: int = 1",
        "groups: int = 1",
    ],
    shape=_conv_shape,
    make_kernel=_conv_kernel,
)


def conv(
    input,
    filter,
    strides,
    padding,
    explicit_paddings=(),
    data_format="CHANNELS_LAST",
    dilations=(),
    batch_dims=1,
    groups=1,
    name=None,
):
    """N-D convolution (TF's raw `Conv` op): 2-D for inputs of rank `batch_dims` + 3,
    3-D for rank `batch_dims` + 4; `filter` is [spatial..., in_channels, out_channels].

    Args:
        input: the input, `batch_dims` batch dimensions, then spatial, then channels
            (channels-last).
        filter: the filter.
        strides: one stride per dimension of a one-batch-dimension input.
        padding: "SAME", "VALID" or "EXPLICIT" (`explicit_paddings` gives before/after
            pairs for each of those dimensions).
        data_format: "CHANNELS_LAST" or "CHANNELS_FIRST" (TF's CPU kernel: last only).
        dilations: one rate per dimension (default 1).
        batch_dims: the number of leading batch dimensions.
        groups: the number of feature groups (TF's CPU kernel: 1 only).
        name: the op's name (default "Conv").
    """

    def _bytes(s):
        return s.encode() if isinstance(s, str) else s

    return op_output(
        "Conv",
        name,
        [input, filter],
        {
            "strides": list(strides),
            "padding": _bytes(padding),
            "explicit_paddings": list(explicit_paddings),
            "data_format": _bytes(data_format),
            "dilations": list(dilations),
            "batch_dims": int(batch_dims),
            "groups": int(groups),
        },
    )

"""`tf.nn.pool` and `tf.nn.with_space_to_batch`, built as TF's Python builds them: a
dilated (atrous) window op runs on the SpaceToBatchND form of its input and the result
goes back through BatchToSpaceND; pooling calls MaxPool/AvgPool(3D) underneath."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops
from tfgraph.ops.batch_space_ops import (
    batch_to_space_nd,
    required_space_to_batch_paddings,
    space_to_batch_nd,
)
from tfgraph.ops.common_shapes import constant_value
from tfgraph.ops.conv3d_ops import avg_pool3d, max_pool3d
from tfgraph.ops.conv_ops import _convert_padding, avg_pool, max_pool

__all__ = ["pool", "with_space_to_batch"]


def _base_paddings(filter_shape, num_spatial_dims, rate):
    extra = (np.asarray(filter_shape[:num_spatial_dims]) - 1) * rate
    start = extra // 2
    end = extra - start
    return np.stack([[start[i], end[i]] for i in range(num_spatial_dims)])


def _adjust(orig, fill_value, spatial_dims):
    """`orig` ([len(spatial_dims), ...]) spread to [max(spatial_dims), ...], with
    `fill_value` for the dimensions that are not spatial."""
    const = orig if isinstance(orig, np.ndarray) else constant_value(orig)
    source = const if const is not None else orig
    if isinstance(source, np.ndarray):
        fill_dims, dtype = list(source.shape[1:]), source.dtype
    else:
        fill_dims, dtype = orig.shape.as_list()[1:], orig.dtype.as_numpy_dtype
    parts, prev, i = [], 0, 0
    while i < len(spatial_dims):
        start_i, start_dim = i, spatial_dims[i]
        if start_dim > 1:
            parts.append(np.full([start_dim - 1 - prev, *fill_dims], fill_value, dtype=dtype))
        while i + 1 < len(spatial_dims) and spatial_dims[i + 1] == spatial_dims[i] + 1:
            i += 1
        parts.append(source[start_i : i + 1])
        prev = spatial_dims[i]
        i += 1
    if const is not None:
        return np.concatenate(parts)
    return array_ops.concat(parts, 0)


def _spatial_dims(spatial_dims, num_spatial_dims, data_format, input_shape):
    start = 2 if data_format is not None and data_format.startswith("NC") else 1
    if spatial_dims is None:
        spatial_dims = range(start, num_spatial_dims + start)
    orig = list(spatial_dims)
    spatial_dims = sorted({int(x) for x in orig})
    if spatial_dims != orig or any(x < 1 for x in spatial_dims):
        raise ValueError(
            "`spatial_dims` must be a monotonically increasing sequence of positive "
            f"integers. Received: spatial_dims={orig}"
        )
    rank = spatial_dims[-1] + (0 if start == 2 else 1)
    try:
        input_shape.with_rank_at_least(rank)
    except ValueError:
        raise ValueError(
            f"`input.shape.rank` must be at least {rank}. Received: "
            f"input.shape={input_shape} with rank {input_shape.rank}"
        ) from None
    return spatial_dims


def _padding_base(padding, filter_shape, num_spatial_dims, rate, data_format):
    padding, explicit = _convert_padding(padding)
    if padding == "SAME":
        if filter_shape is None:
            raise ValueError(
                "`filter_shape` must be specified for `padding='SAME'`. "
                f"Received: filter_shape={filter_shape} and padding={padding}"
            )
        filter_shape = convert_to_tensor(filter_shape, name="filter_shape")
        const_filter = constant_value(filter_shape)
        if const_filter is None:
            raise NotImplementedError(
                "tfgraph's with_space_to_batch needs a constant `filter_shape`"
            )
        # TF stacks the (numpy) values: one Const named "stack"
        base = _base_paddings(const_filter, num_spatial_dims, rate)
        return constant(base.astype(np.int32), name="stack")
    if padding == "VALID":
        return np.zeros([num_spatial_dims, 2], np.int32)
    if padding == "EXPLICIT":
        base = np.array(explicit).reshape([num_spatial_dims + 2, 2])
        return base[2:] if data_format is not None and data_format.startswith("NC") else base[1:-1]
    raise ValueError(f"`padding` must be one of 'SAME' or 'VALID'. Received: padding={padding}")


def with_space_to_batch(
    input, dilation_rate, padding, op, filter_shape=None, spatial_dims=None, data_format=None
):
    """Runs `op(converted_input, num_spatial_dims, padding)` on the space-to-batch form
    of `input` for `dilation_rate` (the "atrous" form of a window op), and maps the
    result back; with rate 1 everywhere it is just `op(input, num_spatial_dims, padding)`."""
    input = convert_to_tensor(input, name="input")
    input_shape = input.shape
    dilation_rate = convert_to_tensor(dilation_rate, dtypes.int32, name="dilation_rate")
    if dilation_rate.shape.ndims not in (None, 1):
        raise ValueError(
            "`dilation_rate.shape.rank` must be 1. Received: "
            f"dilation_rate={dilation_rate} of rank {dilation_rate.shape.rank}"
        )
    if not dilation_rate.shape.is_fully_defined():
        raise ValueError(
            "`dilation_rate.shape` must be fully defined. Received: "
            f"dilation_rate={dilation_rate} with shape {dilation_rate.shape}"
        )
    num_spatial_dims = dilation_rate.shape.as_list()[0]
    spatial_dims = _spatial_dims(spatial_dims, num_spatial_dims, data_format, input_shape)
    const_rate = constant_value(dilation_rate)
    rate = dilation_rate
    if const_rate is not None:
        rate = const_rate
        if np.any(const_rate < 1):
            raise ValueError(
                f"`dilation_rate` must be positive. Received: dilation_rate={const_rate}"
            )
        if np.all(const_rate == 1):
            return op(input, num_spatial_dims, padding)
    base = _padding_base(padding, filter_shape, num_spatial_dims, rate, data_format)
    return _space_to_batch_call(
        input,
        input_shape,
        spatial_dims,
        base,
        dilation_rate,
        lambda x: op(x, num_spatial_dims, "VALID"),
    )


def _space_to_batch_call(inp, input_shape, spatial_dims, base_paddings, dilation_rate, op):
    spatial_shape = None
    if input_shape.ndims is not None:
        shape_list = input_shape.as_list()
        spatial_shape = [shape_list[i] for i in spatial_dims]
    if spatial_shape is None or None in spatial_shape:
        shape_tensor = array_ops.shape(inp)
        spatial_shape = array_ops.stack([shape_tensor[i] for i in spatial_dims])
    paddings, crops = required_space_to_batch_paddings(
        input_shape=spatial_shape, base_paddings=base_paddings, block_shape=dilation_rate
    )
    rate = _adjust(dilation_rate, 1, spatial_dims)
    paddings = _adjust(paddings, 0, spatial_dims)
    crops = _adjust(crops, 0, spatial_dims)
    converted = space_to_batch_nd(input=inp, block_shape=rate, paddings=paddings)
    result = op(converted)
    return batch_to_space_nd(input=result, block_shape=rate, crops=crops)


def _strides_and_rate(num_spatial_dims, strides, dilation_rate):
    if dilation_rate is None:
        dilation_rate = [1] * num_spatial_dims
    elif len(dilation_rate) != num_spatial_dims:
        raise ValueError(
            f"`len(dilation_rate)` should be {num_spatial_dims}. Received: "
            f"dilation_rate={dilation_rate} of length {len(dilation_rate)}"
        )
    dilation_rate = np.array(dilation_rate, dtype=np.int32)
    if np.any(dilation_rate < 1):
        raise ValueError(
            "all values of `dilation_rate` must be positive. "
            f"Received: dilation_rate={dilation_rate}"
        )
    if strides is None:
        strides = [1] * num_spatial_dims
    elif len(strides) != num_spatial_dims:
        raise ValueError(
            f"`len(strides)` should be {num_spatial_dims}. Received: strides={strides} "
            f"of length {len(strides)}"
        )
    strides = np.array(strides, dtype=np.int32)
    if np.any(strides < 1):
        raise ValueError(f"all values of `strides` must be positive. Received: strides={strides}")
    if np.any(strides > 1) and np.any(dilation_rate > 1):
        raise ValueError(
            "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
            f"Received: strides={strides} and dilation_rate={dilation_rate}"
        )
    return strides, dilation_rate


_POOLS = {
    ("MAX", 1): max_pool,
    ("MAX", 2): max_pool,
    ("MAX", 3): max_pool3d,
    ("AVG", 1): avg_pool,
    ("AVG", 2): avg_pool,
    ("AVG", 3): avg_pool3d,
}


def _check_pool_args(input, window_shape, padding, strides, dilation_rate):
    n = len(window_shape)
    if n < 1 or n > 3:
        raise ValueError(
            "`len(window_shape)` must be 1, 2, or 3. Received: "
            f"window_shape={window_shape} of length {n}"
        )
    input.shape.with_rank(n + 2)
    strides, dilation_rate = _strides_and_rate(n, strides, dilation_rate)
    if padding == "SAME" and np.any(dilation_rate > 1):
        raise ValueError(
            "pooling with 'SAME' padding is not implemented for `dilation_rate` > 1. "
            f"Received: padding={padding} and dilation_rate={dilation_rate}"
        )
    if np.any(strides > window_shape):
        raise ValueError(
            "`strides` > `window_shape` not supported due to inconsistency between CPU and "
            f"GPU implementations. Received: strides={strides} and window_shape={window_shape}"
        )
    return n, strides, dilation_rate


def pool(
    input,
    window_shape,
    pooling_type,
    padding,
    dilation_rate=None,
    strides=None,
    name=None,
    data_format=None,
    dilations=None,
):
    """N-D (1-3) max or average pooling ("MAX"/"AVG") over `window_shape`, with
    `strides` or (dilated windows) `dilation_rate` (TF1 `tf.nn.pool`)."""
    if dilations is not None:
        if dilation_rate is not None:
            raise ValueError("Cannot specify both 'dilations' and 'dilation_rate'")
        dilation_rate = dilations
    with get_default_graph().name_scope(name or f"{pooling_type.lower()}_pool") as scope:
        input = convert_to_tensor(input, name="input")
        n, strides, dilation_rate = _check_pool_args(
            input, window_shape, padding, strides, dilation_rate
        )
        op_key = (pooling_type, n)
        if op_key not in _POOLS:
            raise ValueError(f"{n}-D {pooling_type} pooling is not supported.")
        channels_first = data_format is not None and data_format.startswith("NC")
        if not channels_first:
            window = [1, *window_shape, 1]
            adj_strides = [1, *strides.tolist(), 1]
            spatial_dims = range(1, n + 1)
        else:
            window = [1, 1, *window_shape]
            adj_strides = [1, 1, *strides.tolist()]
            spatial_dims = range(2, n + 2)
        fmt = {"data_format": data_format}
        if n == 1:
            if data_format is None or data_format == "NWC":
                fmt = {"data_format": "NHWC"}
            elif data_format == "NCW":
                fmt = {"data_format": "NCHW"}
            else:
                raise ValueError(
                    "data_format must be either 'NWC' or 'NCW'. "
                    f"Received: data_format={data_format}"
                )
            window, adj_strides = [1, *window], [1, *adj_strides]
        elif data_format is None:
            fmt = {}

        def op(converted, _, converted_padding):
            if n == 1:
                converted = array_ops.expand_dims(converted, spatial_dims[0])
            result = _POOLS[op_key](
                converted, window, adj_strides, converted_padding, name=scope, **fmt
            )
            if n == 1:
                result = array_ops.squeeze(result, [spatial_dims[0]])
            return result

        return with_space_to_batch(
            input=input,
            dilation_rate=dilation_rate,
            padding=padding,
            op=op,
            spatial_dims=spatial_dims,
            filter_shape=window_shape,
        )


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def pool_v2(
    input,
    window_shape,
    pooling_type,
    strides=None,
    padding="VALID",
    data_format=None,
    dilations=None,
    name=None,
):
    """TF2's `tf.nn.pool`: strides before padding, padding defaults to VALID."""
    return pool(
        input,
        window_shape,
        pooling_type,
        padding,
        dilation_rate=dilations,
        strides=strides,
        name=name,
        data_format=data_format,
    )

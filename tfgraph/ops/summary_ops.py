"""Summary ops: serialized `Summary` protocol buffers for TensorBoard (TF1 `tf.summary`).

Every summary op outputs a scalar string tensor holding a serialized `Summary`, as
TensorFlow's kernels do, so its value can be merged (`MergeSummary`), fetched, and
passed to `FileWriter.add_summary`. The op types, input names, attrs and the node
names the public functions create are TensorFlow's:

    tf.summary.scalar("loss", x)   ->  loss/tags (Const "loss") + loss (ScalarSummary)
    tf.summary.merge_all()         ->  Merge/MergeSummary

Tags follow TF's `summary_scope`: the tag is the op's name scope (so summaries made
inside `tf.name_scope("a")` get tag `a/...`, and a repeated name gets `loss_1`), an
optional `family` is prefixed to it, and characters outside `[-/\\w.]` become `_`.

Kernels write the protobuf wire format directly (a few tag/length bytes around numpy
buffers), which keeps a scalar summary to a couple of microseconds per run. The
histogram buckets are TensorFlow's: limits growing by 10% from 1e-12 to 1e20 on both
sides of 0, ±DBL_MAX at the ends, and runs of empty buckets collapsed into one.
Images are encoded as PNG and audio as 16-bit WAV with the standard library only.
"""

from __future__ import annotations

import contextlib
import re
import struct
import zlib

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import GraphKeys, add_to_collection, get_collection
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.ops.apply import graph_of, op_output
from tfgraph.ops.common_shapes import scalar_shape

__all__ = [
    "audio",
    "default_bucket_limits",
    "encode_png",
    "encode_wav",
    "get_summary_description",
    "histogram",
    "histogram_proto_bytes",
    "image",
    "merge",
    "merge_all",
    "scalar",
    "summary_scope",
    "tensor_summary",
    "text",
]

_DBL_MAX = float(np.finfo(np.float64).max)


# -- protobuf wire helpers ----------------------------------------------------------------
def _varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _len_field(key: int, payload: bytes) -> bytes:
    """A length-delimited field; `key` is the field's tag byte (number << 3 | 2)."""
    return bytes((key,)) + _varint(len(payload)) + payload


def _string_field(key: int, data: bytes) -> bytes:
    """A proto3 string/bytes field: omitted when empty."""
    return _len_field(key, data) if data else b""


def _double_field(key: int, x: float) -> bytes:
    """A proto3 double field: omitted when its bits are all zero (+0.0)."""
    packed = struct.pack("<d", x)
    return bytes((key,)) + packed if packed != b"\0" * 8 else b""


def _int_field(key: int, n: int) -> bytes:
    """A proto3 int32/int64 field (varint): omitted when 0."""
    if n == 0:
        return b""
    if n < 0:
        n += 1 << 64
    return bytes((key,)) + _varint(n)


def _summary_value(tag: bytes, body: bytes) -> bytes:
    """`Summary{value: [Value{tag, <body>}]}`; `body` holds the value's other fields."""
    return _len_field(0x0A, _string_field(0x0A, tag) + body)


def _as_bytes(value) -> bytes:
    if isinstance(value, np.ndarray):
        value = value.item() if value.ndim == 0 else value
    if isinstance(value, str):
        return value.encode()
    return bytes(value)


def _string_result(data: bytes) -> np.ndarray:
    out = np.empty((), dtype=object)
    out[()] = data
    return out


def _shape_str(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _as_float64(values) -> np.ndarray:
    """`values` as float64, as TF's kernels cast them (bfloat16 bits included)."""
    arr = np.asarray(values)
    if arr.dtype.names:  # tfgraph's bfloat16 storage: the upper 16 bits of a float32
        bits = arr.view(np.uint16).astype(np.uint32) << 16
        return bits.view(np.float32).astype(np.float64)
    return arr.astype(np.float64)


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


_REAL_TYPES = (
    "{float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, half, uint32, uint64}"
)


# -- ScalarSummary ------------------------------------------------------------------------
def _scalar_summary_kernel(op, ctx):
    heads: dict = {}

    def head(tag) -> bytes:
        h = heads.get(tag)
        if h is None:
            tag_field = _string_field(0x0A, _as_bytes(tag))
            h = b"\x0a" + _varint(len(tag_field) + 5) + tag_field + b"\x15"
            if len(heads) < 1024:
                heads[tag] = h
        return h

    def kernel(tags, values):
        t_shape = np.shape(tags)
        v_shape = np.shape(values)
        if t_shape != v_shape:
            message = (
                f"tags and values are not the same shape: {_shape_str(t_shape)} != "
                f"{_shape_str(v_shape)}"
            )
            if not t_shape:
                message += f" (tag '{_as_bytes(tags).decode(errors='replace')}')"
            raise _invalid(message)
        arr = np.asarray(values)
        with np.errstate(over="ignore"):  # float64 beyond float32's range becomes inf
            f32 = _as_float64(arr).astype("<f4") if arr.dtype.names else arr.astype("<f4")
        if not t_shape:
            key = tags.item() if isinstance(tags, np.ndarray) else tags
            return _string_result(head(key) + f32.tobytes())
        flat = f32.reshape(-1)
        parts = [
            head(t) + flat[i : i + 1].tobytes()
            for i, t in enumerate(np.asarray(tags, dtype=object).reshape(-1))
        ]
        return _string_result(b"".join(parts))

    return kernel


register_op(
    "ScalarSummary",
    inputs=["tags: string", "values: T"],
    outputs=["summary: string"],
    attrs=[f"T: {_REAL_TYPES}"],
    shape=scalar_shape,
    make_kernel=_scalar_summary_kernel,
    grad=NOT_DIFFERENTIABLE,
)


# -- HistogramSummary ---------------------------------------------------------------------
def _make_bucket_limits() -> np.ndarray:
    positive = []
    v = 1.0e-12
    while v < 1.0e20:  # each limit 10% above the previous one, in double arithmetic
        positive.append(v)
        v *= 1.1
    positive.append(_DBL_MAX)
    limits = [-x for x in reversed(positive)] + [0.0] + positive
    arr = np.array(limits, dtype=np.float64)
    arr.flags.writeable = False
    return arr


_BUCKET_LIMITS = _make_bucket_limits()


def default_bucket_limits() -> np.ndarray:
    """The right edges of TF's default histogram buckets (read-only, ascending)."""
    return _BUCKET_LIMITS


# Bucket counts without a binary search per value: a double's sign, exponent and top 6
# mantissa bits (its "key") pin it to a range of doubles at most 1/64 of an octave wide,
# while bucket limits are 10% apart, so each key's range holds at most one limit. Keys
# whose range holds none give the bucket through a table; only values of the other keys
# (about a tenth) are searched.
_KEY_SHIFT = 52 - 6
_KEY_OFFSET = 1 << (63 - _KEY_SHIFT)
_SEARCH_BELOW = 256  # smaller inputs: searching costs less than the table lookups
_key_table: np.ndarray | None = None


def _bucket_key_table() -> np.ndarray:
    """For each key, the bucket of every value in its range, or -1 where the range
    holds a limit (built once, on the first histogram that uses it: ~10 ms)."""
    global _key_table
    if _key_table is None:
        keys = np.arange(-_KEY_OFFSET, _KEY_OFFSET, dtype=np.int64)
        first = (keys << _KEY_SHIFT).view(np.float64)
        last = ((keys << _KEY_SHIFT) | ((1 << _KEY_SHIFT) - 1)).view(np.float64)
        top = _BUCKET_LIMITS.size - 1
        with np.errstate(invalid="ignore"):
            a = np.minimum(np.searchsorted(_BUCKET_LIMITS, first, side="right"), top)
            b = np.minimum(np.searchsorted(_BUCKET_LIMITS, last, side="right"), top)
        table = np.where(a == b, a, -1)
        table[np.isnan(first) | np.isnan(last)] = -1  # (never finite values)
        # zeros and subnormals are searched: where they go depends on the caller's
        # floating-point mode (TF's kernels treat subnormals as zeros)
        table[(keys << _KEY_SHIFT) & 0x7FF0000000000000 == 0] = -1
        _key_table = table.astype(np.int16)
    return _key_table


def _bucket_counts(x: np.ndarray) -> np.ndarray:
    """How many of the finite float64 values `x` fall in each of TF's buckets (a value
    belongs to the first bucket whose right edge is above it; the last takes the rest)."""
    top = _BUCKET_LIMITS.size - 1
    if x.size < _SEARCH_BELOW:
        buckets = np.searchsorted(_BUCKET_LIMITS, x, side="right")
        np.minimum(buckets, top, out=buckets)
    else:
        buckets = _bucket_key_table()[(x.view(np.int64) >> _KEY_SHIFT) + _KEY_OFFSET]
        searched = buckets < 0
        if searched.any():
            index = np.searchsorted(_BUCKET_LIMITS, x[searched], side="right")
            buckets[searched] = np.minimum(index, top)
    return np.bincount(buckets, minlength=_BUCKET_LIMITS.size).astype(np.float64)


def histogram_proto_bytes(values) -> bytes:
    """A serialized `HistogramProto` of `values` with TF's bucket layout.

    Like TF's `Histogram::EncodeToProto(preserve_zero_buckets=false)`: every non-empty
    bucket is written, each run of empty buckets becomes one entry with the right edge of
    the run's last bucket, and the sums are accumulated in order in double precision.
    Values must be finite.
    """
    x = np.ascontiguousarray(_as_float64(values).reshape(-1))
    limits = _BUCKET_LIMITS
    n = x.size
    if n:
        counts = _bucket_counts(x)
        nonzero = counts > 0
        keep = nonzero.copy()
        keep[:-1] |= nonzero[1:]  # the last bucket of each empty run
        keep[-1] = True
        lo, hi = float(x.min()), float(x.max())
        with np.errstate(over="ignore"):  # sums of huge values are inf, as in TF
            # (in order, as TF adds them; one scratch array for both running sums)
            scratch = np.multiply(x, x)
            squares = float(np.cumsum(scratch, out=scratch)[-1])
            total = float(np.cumsum(x, out=scratch)[-1]) + 0.0  # TF starts from +0.0
        bucket_limit, bucket = limits[keep], counts[keep]
    else:
        lo, hi, total, squares = _DBL_MAX, -_DBL_MAX, 0.0, 0.0
        bucket_limit = np.array([_DBL_MAX])
        bucket = np.zeros(1)
    return b"".join(
        (
            _double_field(0x09, lo),
            _double_field(0x11, hi),
            _double_field(0x19, float(n)),
            _double_field(0x21, total),
            _double_field(0x29, squares),
            _len_field(0x32, bucket_limit.astype("<f8").tobytes()),
            _len_field(0x3A, bucket.astype("<f8").tobytes()),
        )
    )


def _histogram_summary_kernel(op, ctx):
    node = op.name

    def kernel(tag, values):
        if np.ndim(tag) != 0:
            raise _invalid("tags must be scalar")
        arr = np.asarray(values)
        if arr.dtype.kind in "fcV":
            finite = np.isfinite(_as_float64(arr))
            if not finite.all():
                bad = _as_float64(arr).reshape(-1)[int(np.argmin(finite.reshape(-1)))]
                if np.isnan(bad):
                    raise _invalid(f"Nan in summary histogram for: {node}")
                raise _invalid(f"Infinity in Histogram for: {node}")
        histo = histogram_proto_bytes(arr)
        return _string_result(_summary_value(_as_bytes(tag), _len_field(0x2A, histo)))

    return kernel


register_op(
    "HistogramSummary",
    inputs=["tag: string", "values: T"],
    outputs=["summary: string"],
    attrs=[f"T: {_REAL_TYPES} = float"],
    shape=scalar_shape,
    make_kernel=_histogram_summary_kernel,
    grad=NOT_DIFFERENTIABLE,
)


# -- ImageSummary -------------------------------------------------------------------------
_PNG_COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> gray, gray+alpha, RGB, RGBA


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)) & 0xFFFFFFFF)
    )


def encode_png(image: np.ndarray, compression: int = 6) -> bytes:
    """PNG bytes of a uint8 image of shape [height, width, channels] (1 to 4 channels)."""
    image = np.asarray(image, dtype=np.uint8)
    if image.ndim == 2:
        image = image[:, :, None]
    height, width, channels = image.shape
    if channels not in _PNG_COLOR_TYPES:
        raise ValueError(f"PNG images have 1 to 4 channels, got {channels}")
    rows = np.zeros((height, 1 + width * channels), dtype=np.uint8)  # filter type 0 (None)
    rows[:, 1:] = image.reshape(height, width * channels)
    header = struct.pack(">IIBBBBB", width, height, 8, _PNG_COLOR_TYPES[channels], 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), compression)),
            _png_chunk(b"IEND", b""),
        )
    )


def _normalize_image(image: np.ndarray, bad_color: np.ndarray) -> np.ndarray:
    """One float image [h, w, c] mapped to uint8 as TF's ImageSummary kernel does.

    Pixels with a non-finite channel get `bad_color`. The finite range is found in
    float32; if any value is negative the image is scaled so that the largest
    magnitude maps to 127 and shifted by 128, otherwise the maximum maps to 255 (an
    all-zero scale when that value is below 1e-6). Arithmetic is in the image's dtype
    and the cast to uint8 truncates.
    """
    dtype = image.dtype
    finite = np.isfinite(image).all(axis=-1)
    good = image[finite].astype(np.float32)
    lo = good.min() if good.size else np.float32(np.inf)
    hi = good.max() if good.size else np.float32(-np.inf)
    if lo < 0:
        max_val = max(abs(lo), abs(hi))
        scale = np.float32(0.0) if max_val < 1e-6 else np.float32(127.0) / np.float32(max_val)
        offset = 128.0
    else:
        scale = np.float32(0.0) if hi < 1e-6 else np.float32(255.0) / np.float32(hi)
        offset = 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        mapped = image * dtype.type(scale) + dtype.type(offset)
        out = np.where(finite[..., None], mapped, 0).astype(np.uint8)
    if not finite.all():
        out[~finite] = bad_color[: image.shape[-1]]
    return out


def _image_summary_kernel(op, ctx):
    max_images = op._attrs["max_images"]
    bad_color = np.asarray(op._attrs["bad_color"])

    def kernel(tag, tensor):
        if np.ndim(tag) != 0:
            raise _invalid("Tags must be a scalar")
        arr = np.asarray(tensor)
        if arr.ndim != 4 or arr.shape[-1] not in (1, 3, 4):
            raise _invalid(
                f"Tensor must be 4-D with last dim 1, 3, or 4, not {_shape_str(arr.shape)}"
            )
        depth = arr.shape[-1]
        if arr.dtype != np.uint8:
            if bad_color.ndim != 1:
                raise _invalid(
                    "bad_color must be a vector, got shape " + _shape_str(bad_color.shape)
                )
            if bad_color.size < depth:
                raise _invalid(
                    f"bad_color has {bad_color.size} channels but image has {depth} channels"
                )
        if arr.dtype.names:  # bfloat16 is not an allowed type; be safe anyway
            arr = _as_float64(arr)
        base = _as_bytes(tag)
        batch = min(arr.shape[0], max_images)
        height, width = arr.shape[1], arr.shape[2]
        parts = []
        for i in range(batch):
            img = arr[i] if arr.dtype == np.uint8 else _normalize_image(arr[i], bad_color)
            name = base + (b"/image" if max_images == 1 else b"/image/%d" % i)
            body = b"".join(
                (
                    _int_field(0x08, height),
                    _int_field(0x10, width),
                    _int_field(0x18, depth),
                    _string_field(0x22, encode_png(img)),
                )
            )
            parts.append(_summary_value(name, _len_field(0x22, body)))
        return _string_result(b"".join(parts))

    return kernel


_IMAGE_SUMMARY = register_op(
    "ImageSummary",
    inputs=["tag: string", "tensor: T"],
    outputs=["summary: string"],
    attrs=[
        "max_images: int >= 1 = 3",
        "T: {uint8, float, half, double} = float",
        "bad_color: tensor",
    ],
    shape=scalar_shape,
    make_kernel=_image_summary_kernel,
    grad=NOT_DIFFERENTIABLE,
)
# The registry's signature language has no tensor literals; TF's default is opaque red.
_BAD_COLOR = np.array([255, 0, 0, 255], dtype=np.uint8)
_BAD_COLOR.flags.writeable = False
_IMAGE_SUMMARY.attrs["bad_color"].has_default = True
_IMAGE_SUMMARY.attrs["bad_color"].default = _BAD_COLOR


# -- AudioSummaryV2 / AudioSummary --------------------------------------------------------
def encode_wav(samples: np.ndarray, sample_rate: float) -> bytes:
    """16-bit PCM WAV bytes of float samples in [-1, 1], shape [frames, channels].

    Samples are scaled by 32768, rounded half away from zero and clipped to int16; the
    header's rate is `sample_rate` rounded to the nearest integer (ties to even), at
    least 1.
    """
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim == 1:
        samples = samples[:, None]
    channels = samples.shape[1]
    scaled = samples * np.float32(32768.0)
    rounded = np.trunc(scaled + np.copysign(np.float32(0.5), scaled))
    pcm = np.clip(rounded, -32768, 32767).astype("<i2").tobytes()
    rate = max(1, round(sample_rate))  # as TF: nearest integer (ties to even), at least 1
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * 2, channels * 2, 16)
    return b"".join(
        (
            b"RIFF",
            struct.pack("<I", 36 + len(pcm)),
            b"WAVEfmt ",
            struct.pack("<I", len(fmt)),
            fmt,
            b"data",
            struct.pack("<I", len(pcm)),
            pcm,
        )
    )


def _audio_values(tag, tensor, sample_rate, max_outputs) -> np.ndarray:
    if np.ndim(tag) != 0:
        raise _invalid("Tag must be a scalar")
    arr = np.asarray(tensor, dtype=np.float32)
    if arr.ndim not in (2, 3):
        raise _invalid(f"Tensor must be 3-D or 2-D, got: {_shape_str(arr.shape)}")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    base = _as_bytes(tag)
    batch, frames, channels = arr.shape
    rate = np.float32(sample_rate)
    parts = []
    for i in range(min(batch, max_outputs)):
        name = base + (b"/audio" if max_outputs == 1 else b"/audio/%d" % i)
        body = b"".join(
            (
                b"\x0d" + rate.astype("<f4").tobytes() if rate != 0 else b"",
                _int_field(0x10, channels),
                _int_field(0x18, frames),
                _string_field(0x22, encode_wav(arr[i], float(rate))),
                _string_field(0x2A, b"audio/wav"),
            )
        )
        parts.append(_summary_value(name, _len_field(0x32, body)))
    return _string_result(b"".join(parts))


def _audio_summary_v2_kernel(op, ctx):
    max_outputs = op._attrs["max_outputs"]

    def kernel(tag, tensor, sample_rate):
        rate = np.asarray(sample_rate)
        if rate.size != 1:
            raise _invalid(
                "sample_rate must be rank-0 or contain a single value, got shape "
                + _shape_str(rate.shape)
            )
        return _audio_values(tag, tensor, rate.reshape(()), max_outputs)

    return kernel


register_op(
    "AudioSummaryV2",
    inputs=["tag: string", "tensor: float", "sample_rate: float"],
    outputs=["summary: string"],
    attrs=["max_outputs: int >= 1 = 3"],
    shape=scalar_shape,
    make_kernel=_audio_summary_v2_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _audio_summary_kernel(op, ctx):
    max_outputs = op._attrs["max_outputs"]
    rate = op._attrs["sample_rate"]
    return lambda tag, tensor: _audio_values(tag, tensor, rate, max_outputs)


register_op(
    "AudioSummary",
    inputs=["tag: string", "tensor: float"],
    outputs=["summary: string"],
    attrs=["sample_rate: float", "max_outputs: int >= 1 = 3"],
    shape=scalar_shape,
    make_kernel=_audio_summary_kernel,
    grad=NOT_DIFFERENTIABLE,
)


# -- TensorSummaryV2 / TensorSummary ------------------------------------------------------
def _tensor_proto_bytes(value, dtype: dtypes.DType) -> bytes:
    """A serialized `TensorProto` as TF's summary kernels write it: `string_val` for
    strings, raw little-endian `tensor_content` for everything else (scalars too)."""
    from tfgraph import proto
    from tfgraph.io.tensor_proto import shape_to_proto

    arr = np.asarray(value)
    tp = proto.TensorProto()
    tp.dtype = dtype.as_datatype_enum
    tp.tensor_shape.CopyFrom(shape_to_proto(list(arr.shape)))
    if dtype is dtypes.string:
        tp.string_val.extend(_as_bytes(s) for s in arr.reshape(-1))
    elif arr.dtype == object or dtype.np_dtype is None:
        raise errors.UnimplementedError(None, None, f"cannot summarize a {dtype.name} tensor")
    else:
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        tp.tensor_content = np.ascontiguousarray(arr).tobytes()
    return tp.SerializeToString()


def _canonical_metadata(serialized: bytes) -> bytes:
    """Re-serializes `SummaryMetadata` bytes; bytes that do not parse give an empty one
    (TF's kernel ignores the parse failure)."""
    from google.protobuf.message import DecodeError

    from tfgraph import proto

    try:
        return proto.SummaryMetadata.FromString(serialized).SerializeToString()
    except DecodeError:
        return b""


def _tensor_summary_body(value, dtype, metadata: bytes) -> bytes:
    return _len_field(0x42, _tensor_proto_bytes(value, dtype)) + _len_field(0x4A, metadata)


def _tensor_summary_v2_kernel(op, ctx):
    dtype = op._attrs["T"]
    cache: dict = {}

    def kernel(tag, tensor, serialized_summary_metadata):
        if np.ndim(tag) != 0:
            raise _invalid("tag must be scalar")
        raw = _as_bytes(serialized_summary_metadata)
        metadata = cache.get(raw)
        if metadata is None:
            metadata = cache[raw] = _canonical_metadata(raw)
        body = _tensor_summary_body(tensor, dtype, metadata)
        return _string_result(_summary_value(_as_bytes(tag), body))

    return kernel


register_op(
    "TensorSummaryV2",
    inputs=["tag: string", "tensor: T", "serialized_summary_metadata: string"],
    outputs=["summary: string"],
    attrs=["T: type"],
    shape=scalar_shape,
    make_kernel=_tensor_summary_v2_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _tensor_summary_kernel(op, ctx):
    # The deprecated op names its value by `node_name` (no tag, no metadata).
    dtype = op._attrs["T"]
    node_name = _len_field(0x3A, op.name.encode())
    return lambda tensor: _string_result(
        _len_field(0x0A, node_name + _len_field(0x42, _tensor_proto_bytes(tensor, dtype)))
    )


register_op(
    "TensorSummary",
    inputs=["tensor: T"],
    outputs=["summary: string"],
    attrs=[
        "T: type",
        "description: string = ''",
        "labels: list(string) = []",
        "display_name: string = ''",
    ],
    shape=scalar_shape,
    make_kernel=_tensor_summary_kernel,
    grad=NOT_DIFFERENTIABLE,
)


# -- MergeSummary -------------------------------------------------------------------------
def _merge_summary_kernel(op, ctx):
    from google.protobuf.message import DecodeError

    from tfgraph import proto

    summary_cls = proto.Summary

    def kernel(*inputs):
        seen: set = set()
        parts = []
        for value in inputs:
            items = (value,) if isinstance(value, bytes) else np.asarray(value, dtype=object).flat
            for item in items:
                data = _as_bytes(item)
                try:
                    parsed = summary_cls.FromString(data)
                except DecodeError:
                    raise _invalid("Could not parse one of the summary inputs") from None
                for v in parsed.value:
                    if v.tag in seen:
                        raise _invalid(f"Duplicate tag {v.tag} found in summary inputs ")
                    seen.add(v.tag)
                parts.append(data)
        # A serialized Summary is its repeated `value` field, so concatenating the inputs
        # serializes their union in input order.
        return _string_result(b"".join(parts))

    return kernel


register_op(
    "MergeSummary",
    inputs=["inputs: N * string"],
    outputs=["summary: string"],
    attrs=["N: int >= 1"],
    shape=scalar_shape,
    make_kernel=_merge_summary_kernel,
    grad=NOT_DIFFERENTIABLE,
)


# -- public functions ---------------------------------------------------------------------
_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w\.]")


def _clean_tag(name):
    """Replaces characters TF does not allow in tags by `_` and strips leading `/`."""
    if name is not None:
        name = _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")
    return name


@contextlib.contextmanager
def summary_scope(name, family=None, default_name=None, values=None):
    """TF's `summary_op_util.summary_scope`: yields `(tag, scope)` for a summary op.

    The scope is `name` (or `family/name`) opened as a name scope (`default_name` when
    `name` is None; an empty name opens the root scope, as TF1's `name_scope` does);
    the tag is that scope without its trailing slash, prefixed with `family/`.
    """
    name = _clean_tag(name)
    family = _clean_tag(family)
    base = name if family is None else f"{family}/{name}"
    scope_name = default_name if base is None else base
    if scope_name is None and values is not None:
        raise ValueError(
            f"At least one of name ({scope_name}) and default_name ({default_name}) must be "
            "provided."
        )
    g = graph_of(values or ())
    with g.as_default(), g.name_scope(scope_name) as scope:
        tag = scope.rstrip("/")
        if family is not None:
            tag = f"{family}/{tag}"
        yield tag, scope


def _collect(value: Tensor, collections, default_collections) -> None:
    for key in default_collections if collections is None else collections:
        add_to_collection(key, value)


def scalar(name: str, tensor, collections=None, family: str | None = None) -> Tensor:
    """Outputs a `Summary` protocol buffer containing a single scalar value.

    Args:
        name: a name for the op; also the series name (tag) in TensorBoard.
        tensor: a real numeric tensor holding one value.
        collections: graph collections to add the op to (default `[GraphKeys.SUMMARIES]`).
        family: optional tag prefix (the TensorBoard tab).

    Returns:
        A scalar string tensor: the serialized `Summary`.
    """
    with summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = op_output("ScalarSummary", scope, [tag, tensor])
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def histogram(name: str, values, collections=None, family: str | None = None) -> Tensor:
    """Outputs a `Summary` protocol buffer with a histogram of `values` (any shape).

    Running it fails with InvalidArgumentError if a value is not finite.

    Args:
        name: a name for the op; also the tag in TensorBoard.
        values: a real numeric tensor.
        collections: graph collections to add the op to (default `[GraphKeys.SUMMARIES]`).
        family: optional tag prefix (the TensorBoard tab).

    Returns:
        A scalar string tensor: the serialized `Summary`.
    """
    with summary_scope(name, family, values=[values], default_name="HistogramSummary") as (
        tag,
        scope,
    ):
        val = op_output("HistogramSummary", scope, [tag, values])
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def image(name: str, tensor, max_outputs: int = 3, collections=None, family=None) -> Tensor:
    """Outputs a `Summary` protocol buffer with images (PNG).

    `tensor` is 4-D `[batch, height, width, channels]` with 1 (grayscale), 3 (RGB) or 4
    (RGBA) channels, uint8 or float. Float images are normalized one at a time: all
    non-negative images are scaled so their maximum is 255; images with negative values
    are scaled so the largest magnitude is 127 and shifted by 128. Tags are
    `name/image` for `max_outputs == 1`, else `name/image/0`, `name/image/1`, ...

    Args:
        name: a name for the op; also the series name in TensorBoard.
        tensor: the images.
        max_outputs: the number of batch elements to make images of.
        collections: graph collections to add the op to (default `[GraphKeys.SUMMARIES]`).
        family: optional tag prefix (the TensorBoard tab).

    Returns:
        A scalar string tensor: the serialized `Summary`.
    """
    with summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = op_output("ImageSummary", scope, [tag, tensor], {"max_images": max_outputs})
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def audio(
    name: str, tensor, sample_rate, max_outputs: int = 3, collections=None, family=None
) -> Tensor:
    """Outputs a `Summary` protocol buffer with audio (16-bit WAV).

    Args:
        name: a name for the op; also the series name in TensorBoard.
        tensor: float32 `[batch, frames, channels]` or `[batch, frames]`, values in [-1, 1].
        sample_rate: scalar float32 tensor, the sample rate in hertz.
        max_outputs: the number of batch elements to make clips of.
        collections: graph collections to add the op to (default `[GraphKeys.SUMMARIES]`).
        family: optional tag prefix (the TensorBoard tab).

    Returns:
        A scalar string tensor: the serialized `Summary`.
    """
    with summary_scope(name, family=family, values=[tensor]) as (tag, scope):
        sample_rate = convert_to_tensor(sample_rate, dtype=dtypes.float32, name="sample_rate")
        val = op_output(
            "AudioSummaryV2", scope, [tag, tensor, sample_rate], {"max_outputs": max_outputs}
        )
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def tensor_summary(
    name: str,
    tensor,
    summary_description: str | None = None,
    collections=None,
    summary_metadata=None,
    family: str | None = None,
    display_name: str | None = None,
) -> Tensor:
    """Outputs a `Summary` protocol buffer with a serialized `TensorProto` of `tensor`.

    Args:
        name: a name for the op; also the tag unless `display_name` is set.
        tensor: a tensor of any type and shape.
        summary_description: a long description of the series (Markdown).
        collections: graph collections to add the op to (default `[GraphKeys.SUMMARIES]`).
        summary_metadata: an optional `SummaryMetadata` proto (plugin data).
        family: optional tag prefix.
        display_name: the name shown in TensorBoard.

    Returns:
        A scalar string tensor: the serialized `Summary`.
    """
    from tfgraph import proto

    if summary_metadata is None:
        summary_metadata = proto.SummaryMetadata()
    else:
        summary_metadata = proto.SummaryMetadata.FromString(summary_metadata.SerializeToString())
    if summary_description is not None:
        summary_metadata.summary_description = summary_description
    if display_name is not None:
        summary_metadata.display_name = display_name
    serialized = summary_metadata.SerializeToString()
    with summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = op_output("TensorSummaryV2", scope, [tag, tensor, serialized])
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def text(name: str, tensor, collections=None) -> Tensor:
    """Summarizes a string tensor for TensorBoard's Text dashboard (Markdown).

    Args:
        name: a name for the op; also the tag in TensorBoard.
        tensor: a string tensor.
        collections: graph collections to add the op to (default `[GraphKeys.SUMMARIES]`).

    Returns:
        A scalar string tensor: a serialized `Summary` holding the strings, with
        `plugin_name: "text"` metadata.

    Raises:
        ValueError: if `tensor` is not a string tensor.
    """
    from tfgraph import proto

    if not isinstance(tensor, Tensor):
        tensor = convert_to_tensor(tensor)
    if tensor.dtype != dtypes.string:
        raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got {tensor.dtype}")
    metadata = proto.SummaryMetadata()
    metadata.plugin_data.plugin_name = "text"
    return tensor_summary(
        name=name, tensor=tensor, summary_metadata=metadata, collections=collections
    )


def merge(inputs, collections=None, name: str | None = None) -> Tensor:
    """Merges summaries: a `Summary` holding the values of all `inputs`, in order.

    Running it fails with InvalidArgumentError if two values have the same tag.

    Args:
        inputs: string tensors holding serialized `Summary` protocol buffers.
        collections: graph collections to add the op to (default none).
        name: a name for the op.

    Returns:
        A scalar string tensor: the serialized merged `Summary`.
    """
    name = _clean_tag(name)
    g = graph_of(inputs)
    with g.as_default(), g.name_scope("Merge" if name is None else name):
        val = op_output("MergeSummary", name, [list(inputs)])
        _collect(val, collections, [])
    return val


def merge_all(key: str = GraphKeys.SUMMARIES, scope=None, name: str | None = None):
    """Merges all summaries collected in the default graph under `key`.

    Args:
        key: the collection holding the summaries (default `GraphKeys.SUMMARIES`).
        scope: optional regex filtering the summaries by name (`re.match`).
        name: a name for the op.

    Returns:
        None if no summaries were collected, else the merged summary tensor.
    """
    summary_ops = get_collection(key, scope=scope)
    if not summary_ops:
        return None
    return merge(summary_ops, name=name)


def get_summary_description(node_def):
    """The `SummaryDescription` stored in a (legacy) `TensorSummary` NodeDef.

    Raises:
        ValueError: if `node_def` is not a TensorSummary op.
    """
    from google.protobuf import json_format

    from tfgraph import proto

    if node_def.op != "TensorSummary":
        raise ValueError(f"Can't get_summary_description on {node_def.op}")
    description = node_def.attr["description"].s.decode()
    return json_format.Parse(description, proto.SummaryDescription())

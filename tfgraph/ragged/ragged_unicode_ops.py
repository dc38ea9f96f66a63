"""`tf.strings.unicode_decode`, `unicode_decode_with_offsets`, `unicode_split`,
`unicode_split_with_offsets`, `unicode_encode`, `bytes_split` and `ngrams`, and
`tf.ragged.cross` / `cross_hashed`: RaggedTensor front ends over the UnicodeDecode,
UnicodeEncode, StringSplit, StringNGrams and RaggedCross ops, built as TF's
ragged_string_ops / ragged_array_ops build them (same scopes and ops)."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.graph import name_scope
from tfgraph.framework.sparse_tensor import SparseTensor, SparseTensorValue
from tfgraph.ops import array_ops
from tfgraph.ops import ngram_ops as _ngram_ops  # noqa: F401  (registers StringNGrams)
from tfgraph.ops import ragged_cross_ops as _cross_ops  # noqa: F401  (registers RaggedCross)
from tfgraph.ops import unicode_ops as _unicode_ops  # noqa: F401  (registers the ops)
from tfgraph.ops.apply import apply_op
from tfgraph.ops.unicode_ops import string_attr
from tfgraph.ragged import ragged_array_ops
from tfgraph.ragged.ragged_string_ops import _ragged_from_sparse_rows
from tfgraph.ragged.ragged_tensor import (
    RaggedTensor,
    convert_to_tensor_or_ragged_tensor,
    is_ragged,
)

__all__ = [
    "bytes_split",
    "cross",
    "cross_hashed",
    "ngrams",
    "unicode_decode",
    "unicode_decode_with_offsets",
    "unicode_encode",
    "unicode_split",
    "unicode_split_with_offsets",
]

_DEFAULT_CROSS_HASH_KEY = 0xDECAFCAFFE
_CROSS_TYPE_ATTRS = (
    "ragged_values_types",
    "ragged_splits_types",
    "sparse_values_types",
    "dense_types",
)


# -- decoding -------------------------------------------------------------------------------
def _as_ragged_rows(input, ndims: int):
    """`input` (rank > 1) as a RaggedTensor with ragged_rank ndims - 1."""
    if not is_ragged(input):
        return RaggedTensor.from_tensor(input, ragged_rank=ndims - 1)
    if input.ragged_rank < ndims - 1:
        return input.with_flat_values(
            RaggedTensor.from_tensor(input.flat_values, ragged_rank=ndims - input.ragged_rank - 1)
        )
    return input


def _unicode_decode(
    input, input_encoding, errors, replacement_char, replace_control_characters, with_offsets
):
    input = convert_to_tensor_or_ragged_tensor(input, name="input")
    ndims = input.shape.ndims
    if ndims is None:
        raise ValueError("Rank of `input` must be statically known.")
    if ndims > 1:
        input = _as_ragged_rows(input, ndims)
    flat = array_ops.reshape(input.flat_values if is_ragged(input) else input, [-1])
    op_type = "UnicodeDecodeWithOffsets" if with_offsets else "UnicodeDecode"
    attrs = {
        "input_encoding": string_attr(op_type, "input_encoding", input_encoding),
        "errors": string_attr(op_type, "errors", errors),
        "replacement_char": int(replacement_char),
        "replace_control_characters": bool(replace_control_characters),
        "Tsplits": dtypes.int64,
    }
    outs = apply_op(op_type, None, [flat], attrs)._outputs
    results = []
    for values in outs[1:]:
        if ndims == 0:
            results.append(values)
            continue
        rt = RaggedTensor.from_row_splits(values, outs[0], validate=False)
        results.append(input.with_flat_values(rt) if ndims > 1 else rt)
    return tuple(results) if with_offsets else results[0]


def unicode_decode(
    input,
    input_encoding,
    errors="replace",
    replacement_char=65533,
    replace_control_characters=False,
    name=None,
):
    """The code points (int32) of each string of `input` (rank N): a RaggedTensor of rank
    N+1 (a Tensor for a scalar). Invalid input is `replacement_char` ("replace"),
    dropped ("ignore") or an InvalidArgumentError ("strict")."""
    with name_scope(name, "UnicodeDecode", [input]):
        return _unicode_decode(
            input, input_encoding, errors, replacement_char, replace_control_characters, False
        )


def unicode_decode_with_offsets(
    input,
    input_encoding,
    errors="replace",
    replacement_char=65533,
    replace_control_characters=False,
    name=None,
):
    """(code points, the byte offset where each starts), as `unicode_decode`."""
    with name_scope(name, "UnicodeDecodeWithOffsets", [input]):
        return _unicode_decode(
            input, input_encoding, errors, replacement_char, replace_control_characters, True
        )


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533, name=None):
    """Each string of `input` split into its characters (each one string, in
    `input_encoding`): a RaggedTensor of rank N+1."""
    with name_scope(name, "UnicodeSplit", [input]):
        codepoints = _unicode_decode(
            input, input_encoding, errors, replacement_char, False, with_offsets=False
        )
        return unicode_encode(
            ragged_array_ops.expand_dims(codepoints, -1),
            output_encoding=input_encoding,
            errors=errors,
            replacement_char=replacement_char,
        )


def unicode_split_with_offsets(
    input, input_encoding, errors="replace", replacement_char=65533, name=None
):
    """(characters, the byte offset where each starts), as `unicode_split`."""
    with name_scope(name, "UnicodeSplitWithOffsets", [input]):
        codepoints, offsets = _unicode_decode(
            input, input_encoding, errors, replacement_char, False, with_offsets=True
        )
        chars = unicode_encode(
            ragged_array_ops.expand_dims(codepoints, -1),
            output_encoding=input_encoding,
            errors=errors,
            replacement_char=replacement_char,
        )
        return chars, offsets


# -- encoding -------------------------------------------------------------------------------
def _encode_op(values, splits, output_encoding, errors, replacement_char):
    attrs = {
        "output_encoding": string_attr("UnicodeEncode", "output_encoding", output_encoding),
        "errors": string_attr("UnicodeEncode", "errors", errors),
        "replacement_char": int(replacement_char),
    }
    return apply_op("UnicodeEncode", None, [values, splits], attrs)._outputs[0]


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533, name=None):
    """Each innermost sequence of code points of `input` (rank N+1, possibly ragged)
    encoded as one string in `output_encoding`: a Tensor of rank N."""
    with name_scope(name, "UnicodeEncode", [input]):
        rt = convert_to_tensor_or_ragged_tensor(input)
        if rt.shape.ndims is None:
            raise ValueError("Rank of input_tensor must be statically known.")
        again = lambda x: unicode_encode(x, output_encoding, errors, replacement_char)  # noqa: E731
        if is_ragged(rt):
            if rt.flat_values.shape.ndims > 1:
                return rt.with_flat_values(again(rt.flat_values))
            if rt.ragged_rank > 1:
                return rt.with_values(again(rt.values))
            return _encode_op(rt.values, rt.row_splits, output_encoding, errors, replacement_char)
        ndims = rt.shape.ndims
        if ndims == 2:
            return again(RaggedTensor.from_tensor(rt))
        if ndims > 2:
            flat = array_ops.reshape(rt, array_ops.stack([-1, array_ops.shape(rt)[-1]]))
            encoded = again(flat)
            outer = rt.shape[:-1]
            if not outer.is_fully_defined():  # (TF reshapes to the static shape, and fails)
                raise ValueError(
                    "Tried to convert 'shape' to a tensor and failed. Error: Cannot convert a "
                    f"partially known TensorShape {outer} to a Tensor."
                )
            return array_ops.reshape(encoded, outer)
        if ndims == 0:
            raise ValueError("input_tensor's rank must be at least 1.")
        ragged = RaggedTensor.from_row_splits(
            rt,
            array_ops.stack([0, array_ops.shape(rt, out_type=dtypes.int32)[0]]),
            validate=False,
        )
        return array_ops.reshape(again(ragged), [])


# -- bytes_split ----------------------------------------------------------------------------
def bytes_split(input, name=None):
    """The bytes of each string of `input` (rank N): a RaggedTensor of rank N+1 (a Tensor
    of bytes for a scalar)."""
    with name_scope(name, "StringsByteSplit", [input]):
        input = convert_to_tensor_or_ragged_tensor(input, name="input")
        if is_ragged(input):
            return input.with_flat_values(bytes_split(input.flat_values))
        rank = input.shape.ndims
        if rank is None:
            raise ValueError("input must have a statically-known rank.")
        if rank == 0:
            return bytes_split(array_ops.stack([input]))[0]
        if rank == 1:
            indices, values, shape = apply_op(
                "StringSplit", None, [input, ""], {"skip_empty": False}
            )._outputs
            return _ragged_from_sparse_rows(SparseTensor(indices, values, shape), input)
        return bytes_split(RaggedTensor.from_tensor(input))


# -- ngrams ---------------------------------------------------------------------------------
def _bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def _pads(pad_values, padding_width):
    if pad_values is None:
        left = right = ""
    elif isinstance(pad_values, (list, tuple)):
        if not all(isinstance(v, (bytes, str)) for v in pad_values[:2]):
            raise TypeError("pad_values must be a string, tuple of strings, or None.")
        left, right = pad_values[0], pad_values[1]
    else:
        if not isinstance(pad_values, (bytes, str)):
            raise TypeError("pad_values must be a string, tuple of strings, or None.")
        left = right = pad_values
    if padding_width is not None and padding_width < 1:
        raise ValueError("padding_width must be greater than 0.")
    if padding_width is not None and pad_values is None:
        raise ValueError("pad_values must be provided if padding_width is set.")
    return left, right


def ngrams(
    data,
    ngram_width,
    separator=" ",
    pad_values=None,
    padding_width=None,
    preserve_short_sequences=False,
    name=None,
):
    """The n-grams of the innermost axis of `data` (strings, rank >= 1, possibly ragged):
    windows of `ngram_width` (or of each width in a list) adjacent strings joined by
    `separator`, optionally padded with `pad_values` (`padding_width` on each side)."""
    with name_scope(name, "StringNGrams", [data]):
        left, right = _pads(pad_values, padding_width)
        data = convert_to_tensor_or_ragged_tensor(data, name="data", dtype=dtypes.string)
        dense_shape = None
        if not is_ragged(data):
            dense_shape = array_ops.concat([array_ops.shape(data)[:-1], [-1]], axis=0)
            if data.shape.ndims is None:
                raise ValueError("Rank of data must be known.")
            if data.shape.ndims == 0:
                raise ValueError("Data must have rank>0")
            if data.shape.ndims == 1:
                rt = RaggedTensor.from_row_starts(data, [0], validate=False)
                args = (ngram_width, separator, pad_values, padding_width)
                return ngrams(rt, *args, preserve_short_sequences, name)[0]
            data = RaggedTensor.from_tensor(data, ragged_rank=data.shape.ndims - 1)
        if data.ragged_rank > 1:
            args = (ngram_width, separator, pad_values, padding_width, preserve_short_sequences)
            output = data.with_values(ngrams(data.values, *args, name))
            return output if dense_shape is None else array_ops.reshape(
                output.flat_values, dense_shape)  # fmt: skip
        width = 0 if pad_values is None else (-1 if padding_width is None else padding_width)
        widths = list(ngram_width) if isinstance(ngram_width, (list, tuple)) else [ngram_width]
        if any(w < 1 for w in widths):
            raise ValueError(f"All ngram_widths must be greater than 0. Got {ngram_width}")
        attrs = {
            "separator": _bytes(separator),
            "ngram_widths": [int(w) for w in widths],
            "left_pad": _bytes(left),
            "right_pad": _bytes(right),
            "pad_width": int(width),
            "preserve_short_sequences": bool(preserve_short_sequences),
        }
        values, splits = apply_op(
            "StringNGrams", None, [data.flat_values, data.row_splits], attrs
        )._outputs
        output = RaggedTensor.from_row_splits(values, splits, validate=False)
        return output if dense_shape is None else array_ops.reshape(
            output.flat_values, dense_shape)  # fmt: skip


# -- cross ----------------------------------------------------------------------------------
def _cross_feature(i, t):
    if isinstance(t, (SparseTensor, SparseTensorValue)):
        t = SparseTensor.from_value(t)
    else:
        t = convert_to_tensor_or_ragged_tensor(t)
    if t.dtype.is_integer:
        t = _cast(t, dtypes.int64)
    elif t.dtype != dtypes.string:
        raise ValueError(f"Unexpected dtype for inputs[{i}]: {t.dtype}")
    return t


def _cast(t, dtype):
    if isinstance(t, SparseTensor):
        return SparseTensor(t.indices, array_ops.cast(t.values, dtype), t.dense_shape)
    if is_ragged(t):
        return t.with_flat_values(array_ops.cast(t.flat_values, dtype))
    return array_ops.cast(t, dtype)


def _cross(inputs, hashed_output=False, num_buckets=0, hash_key=None, name=None):
    if not isinstance(inputs, (tuple, list)):
        raise TypeError("Inputs must be a list")
    if hash_key is None:
        hash_key = _DEFAULT_CROSS_HASH_KEY
    ragged, sparse, dense, order = [], [], [], []
    with name_scope(name, "RaggedCross", inputs):
        for i, t in enumerate(inputs):
            t = _cross_feature(i, t)
            if is_ragged(t):
                if t.ragged_rank != 1:
                    raise ValueError("tf.ragged.cross only supports inputs with rank=2")
                ragged.append(t)
                order.append("R")
            elif isinstance(t, SparseTensor):
                sparse.append(t)
                order.append("S")
            else:
                dense.append(t)
                order.append("D")
        int32_splits = ragged and all(t.row_splits.dtype == dtypes.int32 for t in ragged)
        if hash_key > 2**63:
            hash_key -= 2**64
        attrs = {
            "input_order": "".join(order).encode(),
            "hashed_output": bool(hashed_output),
            "num_buckets": int(num_buckets),
            "hash_key": int(hash_key),
            "out_values_type": dtypes.int64 if hashed_output else dtypes.string,
            "out_row_splits_type": dtypes.int32 if int32_splits else dtypes.int64,
        }
        ins = [
            [t.values for t in ragged],
            [t.row_splits for t in ragged],
            [t.indices for t in sparse],
            [t.values for t in sparse],
            [t.dense_shape for t in sparse],
            dense,
        ]
        attrs["Nsparse"] = len(sparse)
        for key, group in zip(_CROSS_TYPE_ATTRS, (ins[0], ins[1], ins[3], ins[5])):
            attrs[key] = [t.dtype._base for t in group]
        values, splits = apply_op("RaggedCross", name, ins, attrs)._outputs
        return RaggedTensor.from_row_splits(values, splits, validate=False)


def cross(inputs, name=None):
    """The feature cross of rank-2 ragged, sparse or dense string/integer tensors: row by
    row, every combination of one value of each input joined by "_X_"."""
    return _cross(inputs, hashed_output=False, name=name)


def cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """As `cross`, each combination's FingerprintCat64 hash (modulo `num_buckets` when it
    is positive)."""
    return _cross(inputs, hashed_output=True, num_buckets=num_buckets, hash_key=hash_key,
                  name=name)  # fmt: skip

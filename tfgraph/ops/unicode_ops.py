"""Unicode ops: UnicodeDecode, UnicodeDecodeWithOffsets, UnicodeEncode, UnicodeTranscode
and UnicodeScript (their ragged front ends are in tfgraph/ragged/ragged_unicode_ops.py),
with `tf.strings.unicode_transcode` and `tf.strings.unicode_script`.

Strings are decoded as TF's ICU converters do (see unicode_codecs.py); script codes are
ICU's UScriptCode values, from the generated table in unicode_script_table.py. TF
registers no gradient for any of them.
"""

from __future__ import annotations

import functools

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import common_shapes, unicode_codecs
from tfgraph.ops.apply import op_output

__all__ = ["string_attr", "unicode_script", "unicode_transcode"]

_CHOICES = {
    "errors": ("strict", "replace", "ignore"),
    "output_encoding": ("UTF-8", "UTF-16-BE", "UTF-32-BE"),
}

_ERRORS = "errors: {'strict', 'replace', 'ignore'} = 'replace'"
_ENCODINGS = "output_encoding: {'UTF-8', 'UTF-16-BE', 'UTF-32-BE'}"
_DECODE_ATTRS = [
    "input_encoding: string",
    _ERRORS,
    "replacement_char: int = 65533",
    "replace_control_characters: bool = false",
]
_SPLITS = "Tsplits: {int32, int64} = int64"


def string_attr(op_type: str, attr: str, value) -> bytes:
    """`value` for string attr `attr` of `op_type`, as bytes; a ValueError worded as TF's
    when the attr allows only some values and `value` is not one of them."""
    text = value.decode() if isinstance(value, bytes) else str(value)
    choices = _CHOICES.get(attr)
    if op_type == "UnicodeEncode" and attr == "errors":
        choices = ("ignore", "replace", "strict")
    if choices is not None and text not in choices:
        allowed = ", ".join(f'"{c}"' for c in choices)
        raise ValueError(
            f"Attr '{attr}' of '{op_type}' Op passed string '{text}' not in: {allowed}."
        )
    return text.encode()


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _decode_settings(op) -> tuple:
    """(encoding, errors, replacement, replace_control) of a decoding op, checked."""
    name = _text(op._attrs["input_encoding"])
    encoding = unicode_codecs.canonical_encoding(name)
    if encoding is None:
        raise errors.InvalidArgumentError(
            None, op, f"Could not create converter for input encoding: {name}"
        )
    _check_replacement(op)
    return (
        encoding,
        _text(op._attrs["errors"]),
        int(op._attrs["replacement_char"]),
        bool(op._attrs["replace_control_characters"]),
    )


def _check_replacement(op) -> None:
    if not 0 <= int(op._attrs["replacement_char"]) <= unicode_codecs.MAX_CODE_POINT:
        raise errors.InvalidArgumentError(
            None, op, "replacement_char out of unicode codepoint range"
        )


# -- UnicodeDecode(WithOffsets) -------------------------------------------------------------
def _decode_shape(op) -> list[TensorShape]:
    n = op._inputs[0]._shape.num_elements()
    splits = TensorShape([None if n is None else n + 1])
    shapes = [splits, TensorShape([None])]
    if op._type == "UnicodeDecodeWithOffsets":
        shapes.append(TensorShape([None]))
    return shapes


def _decode_kernel(op, ctx):
    splits_dtype = dtypes.as_dtype(op._attrs["Tsplits"]).as_numpy_dtype
    with_offsets = op._type == "UnicodeDecodeWithOffsets"

    def kernel(x):
        settings = _decode_settings(op)
        cps: list[int] = []
        starts: list[int] = []
        splits = [0]
        for s in np.asarray(x, dtype=object).reshape(-1):
            try:
                c, o = unicode_codecs.decode(bytes(s), *settings)
            except unicode_codecs.DecodeError as e:
                raise errors.InvalidArgumentError(None, op, str(e)) from None
            cps.extend(c)
            starts.extend(o)
            splits.append(len(cps))
        out = [np.array(splits, splits_dtype), np.array(cps, np.int32)]
        if with_offsets:
            out.append(np.array(starts, np.int64))
        return tuple(out)

    return kernel


register_op(
    "UnicodeDecode",
    inputs=["input: string"],
    outputs=["row_splits: Tsplits", "char_values: int32"],
    attrs=[*_DECODE_ATTRS, _SPLITS],
    shape=_decode_shape,
    make_kernel=_decode_kernel,
)
register_op(
    "UnicodeDecodeWithOffsets",
    inputs=["input: string"],
    outputs=["row_splits: Tsplits", "char_values: int32", "char_to_byte_starts: int64"],
    attrs=[*_DECODE_ATTRS, _SPLITS],
    shape=_decode_shape,
    make_kernel=_decode_kernel,
)


# -- UnicodeEncode --------------------------------------------------------------------------
def _encode_shape(op) -> list[TensorShape]:
    values, splits = (t._shape for t in op._inputs)
    if values.ndims is not None and values.ndims != 1:
        raise common_shapes.shape_error(op, f"Shape must be rank 1 but is rank {values.ndims}")
    if splits.ndims is not None and splits.ndims != 1:
        raise common_shapes.shape_error(op, f"Shape must be rank 1 but is rank {splits.ndims}")
    n = splits.num_elements() if splits.ndims == 1 else None
    return [TensorShape([None if n is None else max(n - 1, 0)])]


def _encode_kernel(op, ctx):
    encoding = _text(op._attrs["output_encoding"])
    errs = _text(op._attrs["errors"])
    replacement = int(op._attrs["replacement_char"])

    def kernel(values, splits):
        _check_replacement(op)
        values = np.asarray(values).reshape(-1)
        splits = np.asarray(splits).reshape(-1)
        _check_splits(op, splits, values.shape[0])
        out = np.empty(max(splits.shape[0] - 1, 0), dtype=object)
        try:
            out[:] = unicode_codecs.encode_rows(values, splits, encoding, errs, replacement)
        except unicode_codecs.DecodeError as e:
            raise errors.InvalidArgumentError(None, op, str(e)) from None
        return out

    return kernel


def _check_splits(op, splits, nvals: int) -> None:
    if splits.shape[0] == 0:
        return
    if splits[0] != 0 or splits[-1] != nvals or np.any(np.diff(splits) < 0):
        raise errors.InvalidArgumentError(
            None,
            op,
            "input_splits must start with 0, be non-decreasing and end with the number of "
            f"input_values ({nvals}); got {splits.tolist()}",
        )


register_op(
    "UnicodeEncode",
    inputs=["input_values: int32", "input_splits: Tsplits"],
    outputs=["output: string"],
    attrs=[_ERRORS, _ENCODINGS, "replacement_char: int = 65533", _SPLITS],
    shape=_encode_shape,
    make_kernel=_encode_kernel,
)


# -- UnicodeTranscode -----------------------------------------------------------------------
def _transcode_kernel(op, ctx):
    out_encoding = _text(op._attrs["output_encoding"])

    def kernel(x):
        encoding, errs, replacement, control = _decode_settings(op)
        arr = np.asarray(x, dtype=object)
        out = np.empty(arr.shape, dtype=object)
        try:
            for idx, s in np.ndenumerate(arr):
                cps, _ = unicode_codecs.decode(bytes(s), encoding, errs, replacement, control)
                out[idx] = unicode_codecs.encode(cps, out_encoding, "replace", replacement)
        except unicode_codecs.DecodeError as e:
            raise errors.InvalidArgumentError(None, op, str(e)) from None
        return out

    return kernel


register_op(
    "UnicodeTranscode",
    inputs=["input: string"],
    outputs=["output: string"],
    attrs=[
        "input_encoding: string",
        _ENCODINGS,
        _ERRORS,
        "replacement_char: int = 65533",
        "replace_control_characters: bool = false",
    ],
    shape=common_shapes.unchanged_shape,
    make_kernel=_transcode_kernel,
)


def unicode_transcode(
    input,
    input_encoding,
    output_encoding,
    errors="replace",
    replacement_char=65533,
    replace_control_characters=False,
    name=None,
):
    """Re-encodes each string of `input` from `input_encoding` to `output_encoding`
    ("UTF-8", "UTF-16-BE" or "UTF-32-BE"); invalid input is replaced with
    `replacement_char` ("replace"), dropped ("ignore") or an error ("strict")."""
    attrs = {
        "input_encoding": string_attr("UnicodeTranscode", "input_encoding", input_encoding),
        "output_encoding": string_attr("UnicodeTranscode", "output_encoding", output_encoding),
        "errors": string_attr("UnicodeTranscode", "errors", errors),
        "replacement_char": int(replacement_char),
        "replace_control_characters": bool(replace_control_characters),
    }
    return op_output("UnicodeTranscode", name, [input], attrs)


# -- UnicodeScript --------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _script_runs() -> tuple[list[int], np.ndarray]:
    from tfgraph.ops.unicode_script_table import RUNS

    pairs = [tok.split(":") for tok in RUNS.split()]
    return [int(s, 16) for s, _ in pairs], np.array([int(c) for _, c in pairs], np.int32)


def _script_kernel(x):
    x = np.asarray(x, dtype=np.int32)
    starts, codes = _script_runs()
    idx = np.searchsorted(np.asarray(starts), x, side="right") - 1
    valid = (x >= 0) & (x <= unicode_codecs.MAX_CODE_POINT)
    return np.where(valid, codes[np.clip(idx, 0, len(codes) - 1)], -1).astype(np.int32)


register_op(
    "UnicodeScript",
    inputs=["input: int32"],
    outputs=["output: int32"],
    shape=common_shapes.unchanged_shape,
    kernel=_script_kernel,
)


def unicode_script(input, name=None):
    """The ICU script code (UScriptCode: 0 Common, 25 Latin, 17 Han, ...) of each code
    point in `input` (int32); -1 for values that are no code point."""
    return op_output("UnicodeScript", name, [input])

"""String ops: `tf.strings` and their TF1 top-level names (`tf.string_split`, ...).

Strings are numpy object arrays of `bytes`, as everywhere in tfgraph. Regular
expressions use RE2 (TF's engine: linear time, no backreferences in patterns).
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.io_ops import _compile_re2, static_regex_full_match

__all__ = [
    "as_string",
    "decode_base64",
    "encode_base64",
    "length",
    "lower",
    "reduce_join",
    "regex_full_match",
    "regex_replace",
    "split",
    "string_split",
    "string_to_number",
    "strip",
    "substr",
    "unsorted_segment_join",
    "upper",
]


def _objects(x) -> np.ndarray:
    return np.asarray(x, dtype=object)


def _map_strings(fn, out_dtype=object):
    """A kernel applying `fn` to every string element."""

    def kernel(x):
        arr = _objects(x)
        flat = [fn(bytes(s)) for s in arr.reshape(-1)]
        return np.array(flat, dtype=out_dtype).reshape(arr.shape)

    return kernel


def _unary(op_type, attrs=(), make_kernel=None, out="output: string", shape=None):
    register_op(
        op_type,
        inputs=["input: string"],
        outputs=[out],
        attrs=list(attrs),
        shape=shape or common_shapes.unchanged_shape,
        make_kernel=make_kernel,
        grad=NOT_DIFFERENTIABLE,
    )


# -- case and whitespace ----------------------------------------------------------------------
_unary(
    "StringUpper",
    ["encoding: string = ''"],
    lambda op, ctx: _map_strings(lambda s: s.upper()),
)
_unary(
    "StringLower",
    ["encoding: string = ''"],
    lambda op, ctx: _map_strings(lambda s: s.lower()),
)
_unary("StringStrip", make_kernel=lambda op, ctx: _map_strings(lambda s: s.strip()))


def _length_kernel(op, ctx):
    if op._attrs["unit"] == b"UTF8_CHAR":
        return _map_strings(lambda s: len(s.decode("utf-8", "replace")), np.int32)
    return _map_strings(len, np.int32)


_unary(
    "StringLength",
    ["unit: {'BYTE', 'UTF8_CHAR'} = 'BYTE'"],
    _length_kernel,
    out="output: int32",
)


def upper(input, encoding: str = "", name=None):
    """Upper-cases each string (ASCII letters)."""
    return op_output("StringUpper", name, [input], {"encoding": encoding.encode()})


def lower(input, encoding: str = "", name=None):
    """Lower-cases each string (ASCII letters)."""
    return op_output("StringLower", name, [input], {"encoding": encoding.encode()})


def strip(input, name=None):
    """Strips leading and trailing whitespace from each string."""
    return op_output("StringStrip", name, [input])


def length(input, name=None, unit: str = "BYTE"):
    """The length of each string, in bytes or UTF-8 characters."""
    return op_output("StringLength", name, [input], {"unit": unit.encode()})


# -- Substr -----------------------------------------------------------------------------------
def _substr_kernel(op, ctx):
    utf8 = op._attrs["unit"] == b"UTF8_CHAR"

    def kernel(x, pos, ln):
        arr, pos, ln = np.broadcast_arrays(_objects(x), np.asarray(pos), np.asarray(ln))
        out = np.empty(arr.shape, dtype=object)
        for idx in np.ndindex(arr.shape):
            s = bytes(arr[idx])
            seq = s.decode("utf-8") if utf8 else s
            p, n = int(pos[idx]), int(ln[idx])
            if p < 0:
                p += len(seq)
            if not 0 <= p <= len(seq):
                raise errors.InvalidArgumentError(
                    None, None, f"pos {int(pos[idx])} out of range for string at index {idx}"
                )
            piece = seq[p : p + max(n, 0)]
            out[idx] = piece.encode("utf-8") if utf8 else piece
        return out

    return kernel


register_op(
    "Substr",
    inputs=["input: string", "pos: T", "len: T"],
    outputs=["output: string"],
    attrs=["T: {int32, int64}", "unit: {'BYTE', 'UTF8_CHAR'} = 'BYTE'"],
    shape=common_shapes.broadcast_shape,
    make_kernel=_substr_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def substr(input, pos, len, name=None, unit: str = "BYTE"):
    """The substring of each string starting at `pos` of length `len`."""
    return op_output("Substr", name, [input, pos, len], {"unit": unit.encode()})


# -- StringToNumber / AsString ----------------------------------------------------------------
def _to_number_kernel(op, ctx):
    out_type = op._attrs["out_type"]
    np_type = out_type.np_dtype
    parse = float if out_type.is_floating else int

    def convert(s: bytes):
        try:
            return parse(s.decode("utf-8").strip())
        except ValueError:
            raise errors.InvalidArgumentError(
                None, None, f"StringToNumberOp could not correctly convert string: {s.decode()}"
            ) from None

    return _map_strings(convert, np_type)


register_op(
    "StringToNumber",
    inputs=["string_tensor: string"],
    outputs=["output: out_type"],
    attrs=["out_type: {float, double, int32, int64, uint32, uint64} = float"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_to_number_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def string_to_number(string_tensor=None, out_type=dtypes.float32, name=None, input=None):
    """Parses each string as a number of `out_type` (`input`: TF1's alias of
    `string_tensor`)."""
    if input is not None:
        string_tensor = input
    return op_output(
        "StringToNumber", name, [string_tensor], {"out_type": dtypes.as_dtype(out_type)._base}
    )


def _as_string_kernel(op, ctx):
    a = op._attrs
    dtype = op._attrs["T"]
    precision, scientific, shortest = a["precision"], a["scientific"], a["shortest"]
    width, fill = a["width"], a["fill"].decode()
    if scientific and shortest:
        raise errors.InvalidArgumentError(
            None, None, "Cannot select both scientific and shortest notation"
        )
    flags = "0" if fill == "0" else ""
    if fill not in ("", " ", "0"):
        raise errors.InvalidArgumentError(None, None, f'Fill argument not supported: "{fill}"')
    w = str(width) if width > -1 else ""
    if dtype.is_floating or dtype.is_complex:
        conv = "e" if scientific else "g" if shortest else "f"
        prec = f".{precision}" if precision > -1 else ""
        spec = f"%{flags}{w}{prec}{conv}"
    elif dtype._base is dtypes.bool:
        spec = None
    else:
        spec = f"%{flags}{w}d"

    def one(v) -> bytes:
        if spec is None:
            return b"true" if v else b"false"
        if dtype.is_complex:
            return f"({spec % v.real},{spec % v.imag})".encode()
        return (spec % v).encode()

    def kernel(x):
        arr = np.asarray(x)
        flat = [one(v) for v in arr.reshape(-1)]
        return np.array(flat, dtype=object).reshape(arr.shape)

    return kernel


register_op(
    "AsString",
    inputs=["input: T"],
    outputs=["output: string"],
    attrs=[
        "T: {float, double, int8, int16, int32, int64, uint8, uint16, uint32, uint64, "
        "complex64, complex128, bool, half, bfloat16}",
        "precision: int = -1",
        "scientific: bool = false",
        "shortest: bool = false",
        "width: int = -1",
        "fill: string = ''",
    ],
    shape=common_shapes.unchanged_shape,
    make_kernel=_as_string_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="", name=None):
    """Formats each element as a string (printf-style, as TF's AsString)."""
    attrs = {
        "precision": int(precision),
        "scientific": bool(scientific),
        "shortest": bool(shortest),
        "width": int(width),
        "fill": fill.encode(),
    }
    return op_output("AsString", name, [input], attrs)


# -- regular expressions ----------------------------------------------------------------------
def _replace(pattern, rewrite: bytes, replace_global: bool):
    template = rewrite.decode("utf-8")

    def sub(s: bytes) -> bytes:
        text = s.decode("utf-8", "surrogateescape")
        out = pattern.sub(_re2_template(template), text, count=0 if replace_global else 1)
        return out.encode("utf-8", "surrogateescape")

    return sub


def _re2_template(rewrite: str) -> str:
    """An RE2 rewrite string (`\\0`..`\\9`, `\\\\`) as a Python `re`-style template."""
    out = []
    i = 0
    while i < len(rewrite):
        c = rewrite[i]
        if c == "\\" and i + 1 < len(rewrite):
            nxt = rewrite[i + 1]
            if nxt.isdigit():
                out.append(f"\\g<{nxt}>")
                i += 2
                continue
            if nxt == "\\":
                out.append("\\\\")
                i += 2
                continue
        out.append(c)
        i += 1
    return "".join(out)


def _compile_text(pattern: bytes, op):
    import re2

    _compile_re2(pattern, op)  # TF's message for a bad pattern
    return re2.compile(pattern.decode("utf-8"))


def _static_replace_kernel(op, ctx):
    pattern = _compile_text(op._attrs["pattern"], op)
    return _map_strings(_replace(pattern, op._attrs["rewrite"], op._attrs["replace_global"]))


_unary(
    "StaticRegexReplace",
    ["pattern: string", "rewrite: string", "replace_global: bool = true"],
    _static_replace_kernel,
)


def _regex_replace_kernel(op, ctx):
    replace_global = op._attrs["replace_global"]

    def kernel(x, pattern, rewrite):
        p = _compile_text(bytes(np.asarray(pattern, dtype=object)[()]), op)
        rw = bytes(np.asarray(rewrite, dtype=object)[()])
        return _map_strings(_replace(p, rw, replace_global))(x)

    return kernel


register_op(
    "RegexReplace",
    inputs=["input: string", "pattern: string", "rewrite: string"],
    outputs=["output: string"],
    attrs=["replace_global: bool = true"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_regex_replace_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _regex_full_match_kernel(op, ctx):
    def kernel(x, pattern):
        p = _compile_re2(bytes(np.asarray(pattern, dtype=object)[()]), op)
        arr = _objects(x)
        out = [p.fullmatch(bytes(s)) is not None for s in arr.reshape(-1)]
        return np.array(out, dtype=bool).reshape(arr.shape)

    return kernel


register_op(
    "RegexFullMatch",
    inputs=["input: string", "pattern: string"],
    outputs=["output: bool"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_regex_full_match_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _is_python_string(value) -> bool:
    return isinstance(value, (str, bytes))


def regex_replace(input, pattern, rewrite, replace_global: bool = True, name=None):
    """Replaces matches of `pattern` (RE2) with `rewrite` (`\\1` for groups)."""
    if _is_python_string(pattern) and _is_python_string(rewrite):
        attrs = {
            "pattern": pattern.encode() if isinstance(pattern, str) else pattern,
            "rewrite": rewrite.encode() if isinstance(rewrite, str) else rewrite,
            "replace_global": bool(replace_global),
        }
        return op_output("StaticRegexReplace", name, [input], attrs)
    return op_output(
        "RegexReplace", name, [input, pattern, rewrite], {"replace_global": bool(replace_global)}
    )


def regex_full_match(input, pattern, name=None):
    """Whether each string matches `pattern` (RE2) entirely."""
    if _is_python_string(pattern):
        return static_regex_full_match(input, pattern, name=name)
    return op_output("RegexFullMatch", name, [input, pattern])


# -- splitting --------------------------------------------------------------------------------
def _sparse_split(rows: list[list[bytes]]):
    lengths = np.fromiter((len(r) for r in rows), np.int64, len(rows))
    total = int(lengths.sum())
    starts = np.cumsum(lengths) - lengths
    indices = np.empty((total, 2), np.int64)
    indices[:, 0] = np.repeat(np.arange(len(rows), dtype=np.int64), lengths)
    indices[:, 1] = np.arange(total, dtype=np.int64) - np.repeat(starts, lengths)
    values = np.empty(total, dtype=object)
    values[:] = [piece for row in rows for piece in row]
    width = int(lengths.max()) if len(rows) else 0
    return indices, values, np.array([len(rows), width], dtype=np.int64)


def _string_split_kernel(op, ctx):
    skip_empty = op._attrs["skip_empty"]

    def kernel(x, delimiter):
        delims = bytes(np.asarray(delimiter, dtype=object)[()])
        rows = []
        for s in _objects(x).reshape(-1):
            s = bytes(s)
            if not delims:
                pieces = [s[i : i + 1] for i in range(len(s))]
            else:
                pieces, cur = [], bytearray()
                for c in s:
                    if c in delims:
                        pieces.append(bytes(cur))
                        cur = bytearray()
                    else:
                        cur.append(c)
                pieces.append(bytes(cur))
            if skip_empty or not s:  # (TF splits an empty string into nothing)
                pieces = [p for p in pieces if p]
            rows.append(pieces)
        return _sparse_split(rows)

    return kernel


register_op(
    "StringSplit",
    inputs=["input: string", "delimiter: string"],
    outputs=["indices: int64", "values: string", "shape: int64"],
    attrs=["skip_empty: bool = true"],
    shape=lambda op: [TensorShape([None, 2]), TensorShape([None]), TensorShape([2])],
    make_kernel=_string_split_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _string_split_v2_kernel(op, ctx):
    maxsplit = op._attrs["maxsplit"]

    def kernel(x, sep):
        sep = bytes(np.asarray(sep, dtype=object)[()])
        limit = -1 if maxsplit < 0 else maxsplit
        rows = []
        for s in _objects(x).reshape(-1):
            s = bytes(s)
            rows.append(s.split(sep, limit) if sep else s.split(None, limit))
        return _sparse_split(rows)

    return kernel


register_op(
    "StringSplitV2",
    inputs=["input: string", "sep: string"],
    outputs=["indices: int64", "values: string", "shape: int64"],
    attrs=["maxsplit: int = -1"],
    shape=lambda op: [TensorShape([None, 2]), TensorShape([None]), TensorShape([2])],
    make_kernel=_string_split_v2_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def string_split(source, sep=None, skip_empty: bool = True, delimiter=None, name=None):
    """TF1 `tf.string_split`: splits each string of a vector at any byte of `delimiter`
    (default " "; "" splits into bytes); a SparseTensor of the pieces."""
    if delimiter is None:
        delimiter = " " if sep is None else sep
    op = apply_op("StringSplit", name, [source, delimiter], {"skip_empty": bool(skip_empty)})
    return SparseTensor(*op._outputs)


def split(input=None, sep=None, maxsplit: int = -1, result_type="SparseTensor", source=None,
          name=None):  # fmt: skip
    """`tf.strings.split` (TF1): splits each string at `sep` (a whole string; None: runs
    of whitespace), at most `maxsplit` times; a SparseTensor of the pieces."""
    if input is None:
        input = source
    if result_type != "SparseTensor":
        raise errors.UnimplementedError(
            None, None, "tf.strings.split: tfgraph has no RaggedTensor; use result_type="
            "'SparseTensor'"
        )  # fmt: skip
    op = apply_op("StringSplitV2", name, [input, sep or ""], {"maxsplit": int(maxsplit)})
    return SparseTensor(*op._outputs)


# -- ReduceJoin -------------------------------------------------------------------------------
def _reduce_join_shape(op):
    from tfgraph.ops.common_shapes import constant_value

    shape = op._inputs[0]._shape
    axes = constant_value(op._inputs[1])
    if shape.ndims is None or axes is None:
        return [TensorShape(None)]
    axes = np.asarray(axes).reshape(-1)
    if axes.size == 0:
        axes = np.arange(shape.ndims)
    axes = {int(a) % shape.ndims for a in axes} if shape.ndims else set()
    dims = shape.as_list()
    keep = op._attrs["keep_dims"]
    kept = [1 if i in axes else d for i, d in enumerate(dims) if keep or i not in axes]
    return [TensorShape(kept)]


def _reduce_join_kernel(op, ctx):
    keep = op._attrs["keep_dims"]
    sep = op._attrs["separator"]

    def kernel(x, axes):
        arr = _objects(x)
        axes = np.asarray(axes).reshape(-1)
        if axes.size == 0:
            axes = np.arange(arr.ndim)
        axes = tuple(sorted({int(a) % max(arr.ndim, 1) for a in axes})) if arr.ndim else ()
        rest = [i for i in range(arr.ndim) if i not in axes]
        moved = np.transpose(arr, rest + list(axes)) if arr.ndim else arr
        lead = moved.shape[: len(rest)]
        flat = moved.reshape((*lead, -1)) if arr.ndim else moved.reshape(1, 1)
        out = np.empty(lead, dtype=object)
        for idx in np.ndindex(*lead):
            out[idx] = sep.join(bytes(s) for s in flat[idx])
        if keep:
            out = out.reshape([1 if i in axes else arr.shape[i] for i in range(arr.ndim)])
        return out

    return kernel


register_op(
    "ReduceJoin",
    inputs=["inputs: string", "reduction_indices: int32"],
    outputs=["output: string"],
    attrs=["keep_dims: bool = false", "separator: string = ''"],
    shape=_reduce_join_shape,
    make_kernel=_reduce_join_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def reduce_join(inputs, axis=None, keep_dims=None, separator: str = "", name=None,
                reduction_indices=None, keepdims=None):  # fmt: skip
    """Joins the strings along `axis` (all axes by default) with `separator`."""
    if axis is None:
        axis = reduction_indices
    keep = bool(keepdims if keepdims is not None else keep_dims)
    g = get_default_graph()
    with g.name_scope(name or "ReduceJoin") as scope:
        inputs = convert_to_tensor(inputs, dtype=dtypes.string)
        if axis is None:
            rank = inputs.shape.ndims
            axis = list(range(rank)) if rank is not None else []
        return op_output(
            "ReduceJoin",
            scope,
            [inputs, convert_to_tensor(axis, dtype=dtypes.int32, name="reduction_indices")],
            {"keep_dims": keep, "separator": separator.encode()},
        )


# -- EncodeBase64 / DecodeBase64 (web-safe alphabet, as TF) ---------------------------------
def _encode_base64_kernel(op, ctx):
    import base64

    pad = bool(op._attrs["pad"])

    def encode(s: bytes) -> bytes:
        out = base64.urlsafe_b64encode(s)
        return out if pad else out.rstrip(b"=")

    return _map_strings(encode)


def _decode_base64_kernel(op, ctx):
    import base64
    import re

    valid = re.compile(rb"^[A-Za-z0-9_-]*={0,2}$")

    def decode(s: bytes) -> bytes:
        body = s.rstrip(b"=")
        if not valid.match(s) or (len(s) != len(body) and len(s) % 4 != 0):
            raise errors.InvalidArgumentError(None, op, "Invalid character found in base64.")
        if len(body) % 4 == 1:
            raise errors.InvalidArgumentError(
                None, op, "Base64 string length cannot be 1 modulo 4."
            )
        try:
            return base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4))
        except ValueError:
            raise errors.InvalidArgumentError(
                None, op, "Invalid character found in base64."
            ) from None

    return _map_strings(decode)


_unary("EncodeBase64", ["pad: bool = false"], _encode_base64_kernel)
_unary("DecodeBase64", make_kernel=_decode_base64_kernel)


def encode_base64(input, pad=False, name=None):
    """Each string encoded in web-safe base64 (`-` and `_`), padded with `=` if `pad`."""
    return op_output("EncodeBase64", name, [input], {"pad": bool(pad)})


def decode_base64(input, name=None):
    """Each web-safe base64 string decoded."""
    return op_output("DecodeBase64", name, [input])


# -- UnsortedSegmentJoin (tf.strings.unsorted_segment_join) ---------------------------------
def _unsorted_segment_join_shape(op):
    inputs, ids, _ = (t._shape for t in op._inputs)
    n = common_shapes.constant_value(op._inputs[2])
    n = None if n is None else int(n)
    if inputs._dims is None or ids._dims is None:
        return [common_shapes.UNKNOWN]
    if len(ids._dims) > len(inputs._dims):
        raise common_shapes.shape_error(
            op,
            f"Shape must be at least rank {len(ids._dims)} but is rank {len(inputs._dims)}",
        )
    for a, b in zip(inputs._dims, ids._dims):
        if a is not None and b is not None and a != b:
            raise common_shapes.shape_error(op, f"Dimensions must be equal, but are {a} and {b}")
    return [TensorShape._from_tuple((n,) + inputs._dims[len(ids._dims) :])]


def _unsorted_segment_join_kernel(op, ctx):
    separator = op._attrs["separator"]
    separator = separator if isinstance(separator, bytes) else separator.encode()

    def kernel(inputs, segment_ids, num_segments):
        inputs = np.asarray(inputs, dtype=object)
        ids = np.asarray(segment_ids).astype(np.int64, copy=False)
        n = int(num_segments)
        for d, (a, b) in enumerate(zip(inputs.shape, ids.shape)):
            if a != b:
                # (TF's message gives the input's rank as its "dimension")
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Segment dimension is {b} while input dimension is {inputs.ndim} in rank {d}",
                )
        if ids.ndim > inputs.ndim:
            raise errors.InvalidArgumentError(
                None, op, "Shape of segment_ids must be a prefix of the shape of inputs"
            )
        flat_ids = ids.reshape(-1)
        if flat_ids.size and (flat_ids.min() < 0 or flat_ids.max() >= n):
            raise errors.InvalidArgumentError(
                None,
                op,
                "segment_ids are not allowed to exceed num_segments or to have negative values.",
            )
        inner = inputs.shape[ids.ndim :]
        width = int(np.prod(inner, dtype=np.int64))
        rows = inputs.reshape((flat_ids.size, width))
        parts: list = [[[] for _ in range(width)] for _ in range(n)]
        for row, segment in enumerate(flat_ids.tolist()):
            for k, value in enumerate(rows[row]):
                parts[segment][k].append(value)
        out = np.empty((n, width), dtype=object)
        for s in range(n):
            for k in range(width):
                out[s, k] = separator.join(parts[s][k])
        return out.reshape((n, *inner))

    return kernel


register_op(
    "UnsortedSegmentJoin",
    inputs=["inputs: string", "segment_ids: Tindices", "num_segments: Tnumsegments"],
    outputs=["output: string"],
    attrs=[
        "separator: string = ''",
        "Tindices: {int32, int64}",
        "Tnumsegments: {int32, int64} = int32",
    ],
    shape=_unsorted_segment_join_shape,
    make_kernel=_unsorted_segment_join_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def unsorted_segment_join(inputs, segment_ids, num_segments, separator: str = "", name=None):
    """Joins the strings of each segment (`tf.strings.unsorted_segment_join`): row `i` of
    the output joins, in order, the rows of `inputs` whose segment id is `i`, with
    `separator`; segments without rows are empty strings."""
    with get_default_graph().name_scope(name or "UnsortedSegmentJoin") as scope:
        inputs = convert_to_tensor(inputs, dtype=dtypes.string, name="inputs")
        segment_ids = convert_to_tensor(segment_ids, name="segment_ids")
        num_segments = convert_to_tensor(num_segments, name="num_segments")
        attrs = {"separator": separator.encode() if isinstance(separator, str) else separator}
        return op_output("UnsortedSegmentJoin", scope, [inputs, segment_ids, num_segments], attrs)


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def length_v2(input, unit="BYTE", name=None):
    """TF2's `tf.strings.length` (unit before name)."""
    return length(input, name=name, unit=unit)


def substr_v2(input, pos, len, unit="BYTE", name=None):
    """TF2's `tf.strings.substr` (unit before name)."""
    return substr(input, pos, len, name=name, unit=unit)


def string_to_number_v2(input, out_type=dtypes.float32, name=None):
    """TF2's `tf.strings.to_number` (first parameter `input`)."""
    return string_to_number(input, out_type=out_type, name=name)


def reduce_join_v2(inputs, axis=None, keepdims=False, separator="", name=None):
    """TF2's `tf.strings.reduce_join` (keepdims before separator)."""
    return reduce_join(inputs, axis=axis, separator=separator, name=name, keepdims=keepdims)

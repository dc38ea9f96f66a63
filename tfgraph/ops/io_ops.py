"""Checkpoint I/O ops: SaveV2, RestoreV2, MergeV2Checkpoints, and the string ops a
TF1 `Saver` graph uses to build file names (StringJoin, StaticRegexFullMatch,
ShardedFilename, ShardedFilespec).

The kernels read and write V2 bundles with `tfgraph.io.bundle`: `SaveV2` writes the
data and index files under temporary names and renames them into place; `RestoreV2`
opens the bundle once per call and reads every requested key from it. Errors carry
TensorFlow's texts ("Key v not found in checkpoint", "Unsuccessful
TensorSliceReader constructor: Failed to find any matching files for ...", "expected
dtype ... does not equal original dtype ...").
"""

from __future__ import annotations

import os

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.array_ops import _cpp_name as _cpp

__all__ = [
    "merge_v2_checkpoints",
    "parse_shape_and_slice",
    "restore_v2",
    "save_v2",
    "sharded_filename",
    "sharded_filespec",
    "static_regex_full_match",
    "string_join",
]


def _text(value) -> str:
    """A scalar string tensor value as `str`."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise errors.InvalidArgumentError(
                None, None, f"Expected a scalar string, got a tensor of shape {list(value.shape)}"
            )
        value = value.reshape(-1)[0]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="surrogateescape")
    return str(value)


def _strings(value) -> list[str]:
    return [_text(v) for v in np.asarray(value, dtype=object).reshape(-1)]


def _file_path(value) -> str:
    """A scalar string tensor value naming a file (a `file://` URL or a path)."""
    from tfgraph.io.gfile import local_path

    return local_path(_text(value))


def parse_shape_and_slice(spec: str):
    """Parses a SaveV2/RestoreV2 shape-and-slice string such as "4 3 0,2:0,3".

    Returns:
        None for "" (the whole tensor), else (full shape, [(start, length), ...]) with
        length -1 for a whole dimension ("-").

    Raises:
        InvalidArgumentError: for a malformed spec.
    """
    if not spec:
        return None
    parts = spec.split(" ")
    try:
        full = [int(p) for p in parts[:-1]]
        extents = []
        for piece in parts[-1].split(":") if parts[-1] else []:
            if piece == "-":
                extents.append((0, -1))
            else:
                start, length = piece.split(",")
                extents.append((int(start), int(length)))
    except ValueError:
        raise errors.InvalidArgumentError(
            None, None, f"Could not parse a shape and slice specification: {spec!r}"
        ) from None
    if len(parts) < 2 or len(extents) != len(full) or any(d < 0 for d in full):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Expected a shape and slice specification like '4 3 0,2:-', got {spec!r}",
        )
    return full, extents


def _check_name_count(op, names, slices, n: int) -> None:
    if names.size != n or slices.size != n:
        raise errors.InvalidArgumentError(
            None,
            op,
            f"Expected tensor_names and shape_and_slices to have {n} elements, got "
            f"{names.size} and {slices.size}",
        )


def _vector_shape_rule(op, first: int, n: int) -> None:
    """Build-time checks of SaveV2/RestoreV2 inputs: scalar prefix, [n] names/slices."""
    prefix = op._inputs[0]._shape
    if prefix._dims is not None and len(prefix._dims) != 0:
        raise ValueError(
            f"Shape must be rank 0 but is rank {len(prefix._dims)} for '{{{{node {op.name}}}}} "
            f"= {op.type}[]' (input prefix)"
        )
    for t in op._inputs[first : first + 2]:
        dims = t._shape._dims
        if dims is not None and (len(dims) != 1 or (dims[0] is not None and dims[0] != n)):
            raise ValueError(
                f"Shape of {t.name} must be [{n}] for '{{{{node {op.name}}}}} = {op.type}[]', "
                f"got {t._shape}"
            )


def _listed(value):
    """Python sequences become lists (converted to one string tensor); tensors pass."""
    return list(value) if isinstance(value, (list, tuple)) else value


# -- SaveV2 ---------------------------------------------------------------------------------
def _save_v2_shape(op):
    _vector_shape_rule(op, 1, len(op._attrs["dtypes"]))
    return []


def _ensure_directory(op, prefix: str) -> None:
    """TF's bundle writer creates the prefix's directory, but not its parents."""
    dirname = os.path.dirname(prefix)
    if not dirname or os.path.isdir(dirname):
        return
    try:
        os.mkdir(dirname)
    except FileExistsError:
        pass
    except FileNotFoundError:
        raise errors.NotFoundError(None, op, f"{dirname}; No such file or directory") from None
    except OSError as e:
        raise errors.PermissionDeniedError(None, op, f"{dirname}; {e.strerror}") from None


def _save_v2_kernel(op, ctx):
    from tfgraph.io.bundle import BundleWriter

    types = list(op._attrs["dtypes"])

    def save(prefix, names, slices, *tensors):
        names = np.asarray(names, dtype=object)
        slices = np.asarray(slices, dtype=object)
        _check_name_count(op, names, slices, len(tensors))
        path = _file_path(prefix)
        _ensure_directory(op, path)
        try:
            writer = BundleWriter(path)
        except FileNotFoundError as e:
            raise errors.NotFoundError(None, op, f"{path}; {e.strerror}") from None
        try:
            for name, spec, value, dtype in zip(_strings(names), _strings(slices), tensors, types):
                parsed = parse_shape_and_slice(spec)
                if parsed is None:
                    writer.add(name, value, dtype)
                else:
                    writer.add_slice(name, parsed[0], parsed[1], value, dtype)
            writer.finish()
        except BaseException:
            writer.abort()
            raise

    return save


register_op(
    "SaveV2",
    inputs=[
        "prefix: string",
        "tensor_names: string",
        "shape_and_slices: string",
        "tensors: dtypes",
    ],
    attrs=["dtypes: list(type) >= 1"],
    shape=_save_v2_shape,
    make_kernel=_save_v2_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def save_v2(prefix, tensor_names, shape_and_slices, tensors, name: str | None = None):
    """An op saving `tensors` under `tensor_names` to the V2 checkpoint `prefix`."""
    return apply_op(
        "SaveV2",
        name,
        [prefix, _listed(tensor_names), _listed(shape_and_slices), list(tensors)],
    )


# -- RestoreV2 ------------------------------------------------------------------------------
def _restore_v2_shape(op):
    n = len(op._attrs["dtypes"])
    _vector_shape_rule(op, 1, n)
    specs = common_shapes.constant_value(op._inputs[2])
    out = [common_shapes.UNKNOWN] * n
    if specs is not None and np.size(specs) == n:
        for i, spec in enumerate(_strings(specs)):
            try:
                parsed = parse_shape_and_slice(spec)
            except errors.InvalidArgumentError as e:
                raise ValueError(e.message) from None
            if parsed is not None:
                full, extents = parsed
                out[i] = TensorShape([d if n_ < 0 else n_ for d, (_, n_) in zip(full, extents)])
    return out


def _restore_v2_kernel(op, ctx):
    types = list(op._attrs["dtypes"])
    # How the plan takes a kernel's result: one value for single-output ops, else a
    # sequence (registries that know `single_output` treat list outputs as sequences).
    single = getattr(op._op_def, "single_output", len(op._outputs) <= 1)

    def restore(prefix, names, slices):
        from tfgraph.io.bundle import BundleReader

        names = np.asarray(names, dtype=object)
        slices = np.asarray(slices, dtype=object)
        _check_name_count(op, names, slices, len(types))
        path = _file_path(prefix)
        out = []
        names, specs = _strings(names), _strings(slices)
        with BundleReader(path) as reader:
            for name, dtype in zip(names, types):
                stored = dtypes.as_dtype(reader.entry(name).dtype)
                if stored.base_dtype is not dtype.base_dtype:
                    raise errors.InvalidArgumentError(
                        None,
                        op,
                        f"tensor_name = {name}; expected dtype {_cpp(dtype)} does not equal "
                        f"original dtype {_cpp(stored)}",
                    )
            values = reader.read_many(names)
        out = []
        for name, spec, value in zip(names, specs, values):
            parsed = parse_shape_and_slice(spec)
            if parsed is not None:
                value = _take_slice(op, name, value, *parsed)
            # Fresh, read-only and owning its memory: Assign can keep it without a copy.
            if value.__class__ is np.ndarray and value.base is None:
                value.flags.writeable = False
            out.append(value)
        return out[0] if single else tuple(out)

    return restore


def _take_slice(op, name: str, value: np.ndarray, full, extents) -> np.ndarray:
    if list(value.shape) != list(full):
        raise errors.InvalidArgumentError(
            None,
            op,
            f"tensor_name = {name}; shape in shape_and_slice spec {full} does not match the "
            f"shape stored in checkpoint: {list(value.shape)}",
        )
    index = tuple(
        slice(None) if length < 0 else slice(start, start + length) for start, length in extents
    )
    return np.ascontiguousarray(value[index])


register_op(
    "RestoreV2",
    inputs=["prefix: string", "tensor_names: string", "shape_and_slices: string"],
    outputs=["tensors: dtypes"],
    attrs=["dtypes: list(type) >= 1"],
    shape=_restore_v2_shape,
    make_kernel=_restore_v2_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def restore_v2(prefix, tensor_names, shape_and_slices, dtypes_, name: str | None = None):
    """Ops restoring `tensor_names` from the V2 checkpoint `prefix`; returns the tensors."""
    op = apply_op(
        "RestoreV2",
        name,
        [prefix, _listed(tensor_names), _listed(shape_and_slices)],
        {"dtypes": [dtypes.as_dtype(d).base_dtype for d in dtypes_]},
    )
    return list(op._outputs)


# -- MergeV2Checkpoints -----------------------------------------------------------------------
def _merge_kernel(op, ctx):
    delete_old_dirs = bool(op._attrs["delete_old_dirs"])
    allow_missing = bool(op._attrs["allow_missing_files"])

    def merge(prefixes, destination):
        from tfgraph.io.bundle import merge_bundles

        merge_bundles(
            [_file_path(p) for p in _strings(prefixes)],
            _file_path(destination),
            delete_old_dirs=delete_old_dirs,
            allow_missing_files=allow_missing,
        )

    return merge


register_op(
    "MergeV2Checkpoints",
    inputs=["checkpoint_prefixes: string", "destination_prefix: string"],
    attrs=["delete_old_dirs: bool = true", "allow_missing_files: bool = false"],
    shape=lambda op: [],
    make_kernel=_merge_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def merge_v2_checkpoints(
    checkpoint_prefixes,
    destination_prefix,
    delete_old_dirs: bool = True,
    allow_missing_files: bool = False,
    name: str | None = None,
):
    """An op merging the V2 checkpoints `checkpoint_prefixes` into `destination_prefix`."""
    return apply_op(
        "MergeV2Checkpoints",
        name,
        [checkpoint_prefixes, destination_prefix],
        {
            "delete_old_dirs": bool(delete_old_dirs),
            "allow_missing_files": bool(allow_missing_files),
        },
    )


# -- ShardedFilename, ShardedFilespec -------------------------------------------------------
def _scalar_int(value) -> int:
    return int(np.asarray(value).reshape(-1)[0])


def _sharded_filename(basename, shard, num_shards):
    name = f"{_text(basename)}-{_scalar_int(shard):05d}-of-{_scalar_int(num_shards):05d}"
    return np.array(name.encode("utf-8", errors="surrogateescape"), dtype=object)


def _sharded_filespec(basename, num_shards):
    name = f"{_text(basename)}-?????-of-{_scalar_int(num_shards):05d}"
    return np.array(name.encode("utf-8", errors="surrogateescape"), dtype=object)


register_op(
    "ShardedFilename",
    inputs=["basename: string", "shard: int32", "num_shards: int32"],
    outputs=["filename: string"],
    shape=common_shapes.scalar_shape,
    kernel=_sharded_filename,
    grad=NOT_DIFFERENTIABLE,
)

register_op(
    "ShardedFilespec",
    inputs=["basename: string", "num_shards: int32"],
    outputs=["filename: string"],
    shape=common_shapes.scalar_shape,
    kernel=_sharded_filespec,
    grad=NOT_DIFFERENTIABLE,
)


def sharded_filename(basename, shard, num_shards, name: str | None = None):
    """`basename-SSSSS-of-NNNNN`."""
    return op_output("ShardedFilename", name, [basename, shard, num_shards])


def sharded_filespec(basename, num_shards, name: str | None = None):
    """`basename-?????-of-NNNNN`."""
    return op_output("ShardedFilespec", name, [basename, num_shards])


# -- StringJoin ------------------------------------------------------------------------------
def _string_join_shape(op):
    shape = common_shapes.SCALAR
    for t in op._inputs:
        s = t._shape
        if s._dims is None:
            return [common_shapes.UNKNOWN]
        if s._dims:
            if not shape.is_compatible_with(s) and shape._dims:
                raise ValueError(
                    f"Input shapes of '{op.name}' do not match: {shape} vs. {s} (StringJoin "
                    "joins scalars and tensors of one shape)"
                )
            shape = s if not shape._dims else shape.merge_with(s)
    return [shape]


def _string_join_kernel(op, ctx):
    separator = op._attrs["separator"]

    def join(*inputs):
        arrays = [np.asarray(x, dtype=object) for x in inputs]
        shapes = {a.shape for a in arrays if a.ndim}
        if len(shapes) > 1:
            first, second = sorted(shapes)[:2]
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Input shapes do not match: {list(first)} vs. {list(second)}",
            )
        shape = shapes.pop() if shapes else ()
        flat = [np.broadcast_to(a, shape).reshape(-1) for a in arrays]
        n = int(np.prod(shape, dtype=np.int64))
        out = np.empty(n, dtype=object)
        for i in range(n):
            out[i] = separator.join(bytes(f[i]) for f in flat)
        return out.reshape(shape)

    return join


register_op(
    "StringJoin",
    inputs=["inputs: N * string"],
    outputs=["output: string"],
    attrs=["N: int >= 0", "separator: string = ''"],
    shape=_string_join_shape,
    make_kernel=_string_join_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def string_join(inputs, separator: str = "", name: str | None = None):
    """Joins string tensors elementwise (scalars broadcast) with `separator`."""
    sep = separator.encode() if isinstance(separator, str) else bytes(separator)
    return op_output("StringJoin", name, [list(inputs)], {"separator": sep})


# -- StaticRegexFullMatch ----------------------------------------------------------------------
def _compile_re2(pattern: bytes, op):
    """`pattern` compiled by RE2 with TF's options (UTF-8, `.` does not match a newline;
    linear-time matching, no backreferences or lookaround)."""
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as e:
        detail = e.args[0] if e.args else e
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", errors="replace")
        shown = pattern.decode("utf-8", errors="replace")
        raise errors.InvalidArgumentError(
            None, op, f"Invalid pattern: {shown}, error: {detail}"
        ) from None


def _regex_kernel(op, ctx):
    pat = op._attrs["pattern"]
    pattern = _compile_re2(pat.encode("utf-8") if isinstance(pat, str) else bytes(pat), op)

    def match(x):
        arr = np.asarray(x, dtype=object)
        out = np.fromiter(
            (pattern.fullmatch(s if isinstance(s, bytes) else bytes(s)) is not None
             for s in arr.reshape(-1)),
            dtype=bool,
            count=arr.size,
        )  # fmt: skip
        return out.reshape(arr.shape)

    return match


register_op(
    "StaticRegexFullMatch",
    inputs=["input: string"],
    outputs=["output: bool"],
    attrs=["pattern: string"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_regex_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def static_regex_full_match(input, pattern: str, name: str | None = None):
    """Whether each string of `input` matches `pattern` entirely."""
    pat = pattern.encode() if isinstance(pattern, str) else bytes(pattern)
    return op_output("StaticRegexFullMatch", name, [input], {"pattern": pat})

"""SparseCross, SparseCrossV2 and SparseCrossHashed: the crosses (cartesian products per
batch row) of sparse and dense string/int64 features, as joined strings or as
FingerprintCat64 hashes, and `tf.sparse.cross` / `tf.sparse.cross_hashed` over them.

Columns are the sparse inputs first, then the dense ones; in each row the last column
varies fastest (TF's ProductIterator). Hashes follow TF's sparse_cross_op.cc exactly,
including its keyed columns hashing only the first 4 bytes of an int64 feature.
"""

from __future__ import annotations

import itertools
import struct

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.registry import register_op
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops
from tfgraph.ops.apply import apply_op
from tfgraph.ops.hash_ops import fingerprint64, siphash24

__all__ = ["fingerprint_cat64", "sparse_cross", "sparse_cross_hashed"]

_MASK = (1 << 64) - 1
_KMUL = 0xC6A4A7935BD1E995
_INT64_MAX = (1 << 63) - 1
_DEFAULT_HASH_KEY = 0xDECAFCAFFE


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def fingerprint_cat64(fp1: int, fp2: int) -> int:
    """TF's FingerprintCat64: the fingerprint of two fingerprints, order-dependent."""
    result = fp1 ^ _KMUL
    result ^= (_shift_mix((fp2 * _KMUL) & _MASK) * _KMUL) & _MASK
    result = (result * _KMUL) & _MASK
    result = (_shift_mix(result) * _KMUL) & _MASK
    return _shift_mix(result)


# -- validation and the columns of a batch --------------------------------------------------
def _shape_str(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _validate(op, indices, values, shapes, dense, check_internal) -> int:
    bad = errors.InvalidArgumentError
    for i, ind in enumerate(indices):
        if ind.ndim != 2:
            raise bad(
                None,
                op,
                f"Input indices should be a matrix but received shape {_shape_str(ind.shape)}"
                f" at position {i}",
            )
        if ind.shape[1] != 2:
            raise bad(None, op, f"Expected D2 of index to be 2 got {ind.shape[1]} at position {i}")
    for i, val in enumerate(values):
        if check_internal == "string" and val.dtype != object:
            raise bad(None, op, "Input values should be of internal type string but received int64")
        if val.ndim != 1:
            raise bad(
                None,
                op,
                f"Input values should be a vector but received shape {_shape_str(val.shape)} "
                f"at position {i}",
            )
        if indices[i].shape[0] != val.shape[0]:
            raise bad(
                None,
                op,
                f"Expected size of values to be {indices[i].shape[0]} got {val.shape[0]} "
                f"at position {i}",
            )
    for i, shp in enumerate(shapes):
        if shp.ndim != 1:
            raise bad(
                None,
                op,
                f"Input shapes should be a vector but received shape {_shape_str(shp.shape)} "
                f"at position {i}",
            )
        if shp.shape[0] != 2:
            raise bad(
                None,
                op,
                f"shape should imply a 2D tensor, but got {_shape_str(shp.shape)} at position {i}",
            )
    for i, den in enumerate(dense):
        if check_internal == "string" and den.dtype != object:
            raise bad(None, op, "Dense inputs should be of internal type string but received int64")
        if den.ndim != 2:
            raise bad(
                None,
                op,
                f"Dense inputs should be a matrix but received shape {_shape_str(den.shape)} "
                f"at position {i}",
            )
    batch = int(shapes[0][0]) if shapes else (dense[0].shape[0] if dense else 0)
    for i, shp in enumerate(shapes):
        if int(shp[0]) != batch:
            raise bad(None, op, f"Expected batch size {batch} got {int(shp[0])} at position {i}")
    for i, den in enumerate(dense):
        if den.shape[0] != batch:
            raise bad(
                None, op, f"Expected batch size {batch} got {den.shape[0]} at dense tensor {i}"
            )
    return batch


def _rows(indices, values, dense, batch: int, feature):
    """Per batch row, one list of features per column (sparse columns first).
    `feature(value, is_sparse)` converts one raw value."""
    columns = []
    for ind, val in zip(indices, values):
        per_row: list[list] = [[] for _ in range(batch)]
        pos = 0
        for b in range(batch):  # (TF reads each row's run of entries in order)
            while pos < ind.shape[0] and ind[pos, 0] == b:
                per_row[b].append(feature(val[pos], True))
                pos += 1
        columns.append(per_row)
    for den in dense:
        columns.append([[feature(v, False) for v in den[b]] for b in range(batch)])
    return [[col[b] for col in columns] for b in range(batch)]


def _assemble(rows, combine, out_dtype):
    out_indices, out_values, width = [], [], 0
    for b, feats in enumerate(rows):
        count = 0
        for combo in itertools.product(*feats):
            out_indices.append((b, count))
            out_values.append(combine(combo))
            count += 1
        width = max(width, count)
    indices = np.array(out_indices, np.int64).reshape(-1, 2)
    values = np.empty(len(out_values), dtype=object) if out_dtype is object else None
    if values is not None:
        values[:] = out_values
    else:
        values = np.array(out_values, np.int64).reshape(-1)
    return indices, values, np.array([len(rows), width], np.int64)


def _split(op, args):
    n = int(op._attrs["N"])
    n_dense = len(op._attrs["dense_types"])
    indices = [np.asarray(a) for a in args[:n]]
    values = [np.asarray(a) for a in args[n : 2 * n]]
    shapes = [np.asarray(a) for a in args[2 * n : 3 * n]]
    dense = [np.asarray(a) for a in args[3 * n : 3 * n + n_dense]]
    return indices, values, shapes, dense, args[3 * n + n_dense :]


def _as_string(value) -> bytes:
    return bytes(value) if isinstance(value, (bytes, bytearray)) else str(int(value)).encode()


def _as_fingerprint(value) -> int:
    if isinstance(value, (bytes, bytearray)):
        return fingerprint64(bytes(value))
    return int(value) & _MASK


def _bucket(hashed: int, num_buckets: int) -> int:
    return hashed % num_buckets if num_buckets > 0 else hashed % _INT64_MAX


# -- kernels --------------------------------------------------------------------------------
def _sparse_cross_kernel(op, ctx):
    hashed = bool(op._attrs["hashed_output"])
    num_buckets = int(op._attrs["num_buckets"])
    hash_key = int(op._attrs["hash_key"]) & _MASK
    internal = "string" if op._attrs["internal_type"] == dtypes.string else "int64"

    def combine_hashed(combo):
        out = hash_key
        for fp in combo:
            out = fingerprint_cat64(out, fp)
        return _bucket(out, num_buckets)

    def kernel(*args):
        indices, values, shapes, dense, _ = _split(op, args)
        batch = _validate(op, indices, values, shapes, dense, internal)
        if hashed:
            rows = _rows(indices, values, dense, batch, lambda v, s: _as_fingerprint(v))
            return _assemble(rows, combine_hashed, np.int64)
        rows = _rows(indices, values, dense, batch, lambda v, s: _as_string(v))
        return _assemble(rows, b"_X_".join, object)

    return kernel


def _sparse_cross_v2_kernel(op, ctx):
    def kernel(*args):
        indices, values, shapes, dense, (sep,) = _split(op, args)
        batch = _validate(op, indices, values, shapes, dense, None)
        sep = np.asarray(sep, dtype=object)
        if sep.ndim != 0:
            raise errors.InvalidArgumentError(
                None, op, "Input separator should be a scalar. Received: " + repr(sep)
            )
        rows = _rows(indices, values, dense, batch, lambda v, s: _as_string(v))
        return _assemble(rows, bytes(sep[()]).join, object)

    return kernel


def _keyed_feature(strong: bool, key: tuple[int, int]):
    def feature(value, is_sparse):
        if isinstance(value, (bytes, bytearray)):
            data = bytes(value)
            return siphash24(key[0], key[1], data) if strong else fingerprint64(data)
        # (TF hashes sizeof(DataType) = 4 bytes of the int64: its low half)
        low = struct.pack("<q", int(value))[:4]
        if strong:
            return siphash24(key[0], key[1], low)
        return fingerprint64(low) if is_sparse else int(value) & _MASK

    return feature


def _sparse_cross_hashed_kernel(op, ctx):
    def kernel(*args):
        indices, values, shapes, dense, (num_buckets, strong, salt) = _split(op, args)
        batch = _validate(op, indices, values, shapes, dense, None)
        salt = np.asarray(salt).reshape(-1)
        if salt.size != 2:
            raise errors.InvalidArgumentError(
                None, op, f'Input "salt" must have length 2 but has length {salt.size}'
            )
        key = (int(salt[0]) & _MASK, int(salt[1]) & _MASK)
        buckets = int(np.asarray(num_buckets))

        def combine(combo):
            out = combo[0]
            for fp in combo[1:]:
                out = fingerprint_cat64(out, fp)
            return _bucket(out, buckets)

        rows = _rows(indices, values, dense, batch, _keyed_feature(bool(strong), key))
        return _assemble(rows, combine, np.int64)

    return kernel


def _cross_shape(op):
    return [TensorShape([None, 2]), TensorShape([None]), TensorShape([2])]


_LIST_INPUTS = [
    "indices: N * int64",
    "values: sparse_types",
    "shapes: N * int64",
    "dense_inputs: dense_types",
]
_LIST_ATTRS = [
    "N: int >= 0",
    "sparse_types: list({int64, string}) >= 0",
    "dense_types: list({int64, string}) >= 0",
]
_OUTPUTS = ["output_indices: int64", "output_values: {out}", "output_shape: int64"]

register_op(
    "SparseCross",
    inputs=_LIST_INPUTS,
    outputs=[o.format(out="out_type") for o in _OUTPUTS],
    attrs=[
        "N: int >= 0",
        "hashed_output: bool",
        "num_buckets: int >= 0",
        "hash_key: int",
        *_LIST_ATTRS[1:],
        "out_type: {int64, string}",
        "internal_type: {int64, string}",
    ],
    shape=_cross_shape,
    make_kernel=_sparse_cross_kernel,
)
register_op(
    "SparseCrossV2",
    inputs=[*_LIST_INPUTS, "sep: string"],
    outputs=[o.format(out="string") for o in _OUTPUTS],
    attrs=_LIST_ATTRS,
    shape=_cross_shape,
    make_kernel=_sparse_cross_v2_kernel,
)
register_op(
    "SparseCrossHashed",
    inputs=[*_LIST_INPUTS, "num_buckets: int64", "strong_hash: bool", "salt: int64"],
    outputs=[o.format(out="int64") for o in _OUTPUTS],
    attrs=_LIST_ATTRS,
    shape=_cross_shape,
    make_kernel=_sparse_cross_hashed_kernel,
)


# -- Python API -----------------------------------------------------------------------------
def _cross_inputs(inputs, what: str):
    """(indices, values, shapes, dense_inputs) with non-string values cast to int64, as
    TF's _sparse_cross_internal(_v2); also whether any input is an integer."""
    from tfgraph.framework.ops import Tensor

    if not isinstance(inputs, (tuple, list)):
        raise TypeError("Inputs must be a list")
    if not all(isinstance(i, (SparseTensor, Tensor)) for i in inputs):
        raise TypeError(what)
    sparse = [i for i in inputs if isinstance(i, SparseTensor)]
    dense = [i for i in inputs if not isinstance(i, SparseTensor)]
    values = [sp.values for sp in sparse]
    has_int = False
    for group in (values, dense):
        for i, t in enumerate(group):
            if t.dtype._base != dtypes.string:
                group[i] = array_ops.cast(t, dtypes.int64)
                has_int = True
    return [sp.indices for sp in sparse], values, [sp.dense_shape for sp in sparse], dense, has_int


def _sparse_out(op) -> SparseTensor:
    return SparseTensor(op._outputs[0], op._outputs[1], op._outputs[2])


def _cross_op(op_type, name, indices, values, shapes, dense, extra, attrs):
    attrs = dict(attrs)
    attrs["N"] = len(indices)
    attrs["sparse_types"] = [v.dtype._base for v in values]
    attrs["dense_types"] = [d.dtype._base for d in dense]
    return apply_op(op_type, name, [indices, values, shapes, dense, *extra], attrs)


def sparse_cross(inputs, name=None, separator=None):
    """The crosses of `inputs` (SparseTensors and dense [batch, k] Tensors) as string
    SparseTensor: each row's features of every input joined with `separator` ("_X_")."""
    if separator is None:
        separator = "_X_"
    separator = convert_to_tensor(separator, dtypes.string)
    indices, values, shapes, dense, _ = _cross_inputs(
        inputs, "All inputs must be Tensor or SparseTensor."
    )
    return _sparse_out(
        _cross_op("SparseCrossV2", name, indices, values, shapes, dense, [separator], {})
    )


def sparse_cross_v1(inputs, name=None):
    """`sparse_cross` through the v1 op SparseCross (separator "_X_")."""
    return _sparse_cross_internal(inputs, hashed_output=False, name=name)


def sparse_cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """The crosses of `inputs` as int64 SparseTensor: FingerprintCat64 of the
    features' fingerprints from `hash_key`, modulo `num_buckets` (if > 0)."""
    return _sparse_cross_internal(
        inputs, hashed_output=True, num_buckets=num_buckets, hash_key=hash_key, name=name
    )


def _sparse_cross_internal(inputs, hashed_output=False, num_buckets=0, hash_key=None, name=None):
    indices, values, shapes, dense, has_int = _cross_inputs(
        inputs, "All inputs must be SparseTensors"
    )
    attrs = {
        "hashed_output": bool(hashed_output),
        "num_buckets": int(num_buckets),
        "hash_key": int(hash_key or _DEFAULT_HASH_KEY),
        "out_type": dtypes.int64 if hashed_output else dtypes.string,
        "internal_type": dtypes.int64 if has_int else dtypes.string,
    }
    return _sparse_out(_cross_op("SparseCross", name, indices, values, shapes, dense, [], attrs))

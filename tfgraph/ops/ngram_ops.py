"""StringNGrams: the n-grams of each row of a ragged string vector (values + splits), with
optional padding, as TF's string_ngrams_op computes them. `tf.strings.ngrams` is in
tfgraph/ragged/ragged_unicode_ops.py. TF registers no gradient for it."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import common_shapes

__all__: list[str] = []


def _shape(op) -> list[TensorShape]:
    data, splits = (t._shape for t in op._inputs)
    for s in (data, splits):
        if s.ndims is not None and s.ndims != 1:
            raise common_shapes.shape_error(op, f"Shape must be rank 1 but is rank {s.ndims}")
    return [TensorShape([None]), splits if splits.ndims == 1 else TensorShape([None])]


class _NGrammer:
    """The n-grams of one row, for the op's attrs."""

    def __init__(self, attrs) -> None:
        as_bytes = lambda v: v if isinstance(v, bytes) else str(v).encode()  # noqa: E731
        self.sep = as_bytes(attrs["separator"])
        self.left = as_bytes(attrs["left_pad"])
        self.right = as_bytes(attrs["right_pad"])
        self.pad = int(attrs["pad_width"])
        self.widths = [int(w) for w in attrs["ngram_widths"]]
        self.preserve = bool(attrs["preserve_short_sequences"])

    def pad_width(self, width: int) -> int:
        return min(width - 1 if self.pad < 0 else self.pad, width - 1)

    def count(self, length: int, width: int) -> int:
        return max(0, length + 2 * self.pad_width(width) - width + 1)

    def grams(self, row: list, width: int, count: int) -> list[bytes]:
        pad = self.pad_width(width)
        out = []
        for k in range(count):
            left = max(0, pad - k)
            right = max(0, pad - (count - (k + 1)))
            n_tokens = width - (left + right)
            start = 0 if left > 0 else k - pad
            pieces = [self.left] * left + row[start : start + n_tokens] + [self.right] * right
            out.append(self.sep.join(pieces))
        return out

    def row(self, row: list) -> list[bytes]:
        out: list[bytes] = []
        for width in self.widths:
            out.extend(self.grams(row, width, self.count(len(row), width)))
        if self.preserve and row and not out:
            width = len(row) + 2 * self.pad
            out = self.grams(row, width, 1)
        return out


def _kernel(op, ctx):
    grammer = _NGrammer(op._attrs)
    splits_dtype = dtypes.as_dtype(op._attrs["Tsplits"]).as_numpy_dtype

    def kernel(data, splits):
        data = [bytes(s) for s in np.asarray(data, dtype=object).reshape(-1)]
        splits = np.asarray(splits).reshape(-1)
        if splits.shape[0] > 0 and (
            splits[0] != 0 or splits[-1] != len(data) or np.any(np.diff(splits) < 0)
        ):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Invalid data_splits: must start with 0, be non-decreasing and end with the "
                f"number of data values ({len(data)}); got {splits.tolist()}",
            )
        out: list[bytes] = []
        out_splits = [0]
        for i in range(max(splits.shape[0] - 1, 0)):
            out.extend(grammer.row(data[int(splits[i]) : int(splits[i + 1])]))
            out_splits.append(len(out))
        values = np.empty(len(out), dtype=object)
        values[:] = out
        return values, np.array(out_splits, splits_dtype)

    return kernel


register_op(
    "StringNGrams",
    inputs=["data: string", "data_splits: Tsplits"],
    outputs=["ngrams: string", "ngrams_splits: Tsplits"],
    attrs=[
        "separator: string",
        "ngram_widths: list(int) >= 0",
        "left_pad: string",
        "right_pad: string",
        "pad_width: int",
        "preserve_short_sequences: bool",
        "Tsplits: {int32, int64} = int64",
    ],
    shape=_shape,
    make_kernel=_kernel,
)

"""`tf.experimental.DynamicRaggedShape`: the shape of a ragged or dense tensor.

A shape is a tuple of RowPartitions (one per ragged or partitioned dimension after the
first) and the `inner_shape` of the flat values (a 1-D tensor whose first entry is the
number of values of the last partition). `static_lengths()` gives what is known when
the graph is built: ints for uniform dimensions, tuples of row lengths for ragged ones
whose lengths are constants, None for the rest.

Not in tfgraph: broadcasting (`broadcast_dynamic_shape`, `broadcast_to`), `_merge_dims`,
`_slice_shape`, its TypeSpec (it is not a composite value here, so it cannot be a
tf.cond/while_loop loop variable) and `from_tensor` of a SparseTensor.
"""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops
from tfgraph.ops.common_shapes import tf_constant_value as constant_value
from tfgraph.ops.common_shapes import tf_constant_value_as_shape
from tfgraph.ragged.row_partition import RowPartition

__all__ = ["DynamicRaggedShape"]


def _static_row_lengths(partition: RowPartition):
    lengths = partition._row_lengths
    if lengths is None or lengths.op.type != "Const":
        return None
    value = constant_value(lengths)
    return None if value is None else tuple(int(v) for v in value.reshape(-1))


class DynamicRaggedShape:
    """The (possibly ragged) shape of a tensor: row partitions plus an inner shape."""

    def __init__(
        self, row_partitions, inner_shape, dtype=None, validate=False, static_inner_shape=None
    ) -> None:
        row_partitions = tuple(row_partitions)
        if dtype is None:
            dtype = row_partitions[0].dtype if row_partitions else None
        inner_shape = convert_to_tensor(inner_shape, dtype=dtype, dtype_hint=dtypes.int64)
        dtype = inner_shape.dtype
        if dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError("DynamicRaggedShape dtype must be int32 or int64")
        self._row_partitions = tuple(p.with_dtype(dtype) for p in row_partitions)
        self._inner_shape = inner_shape
        n = inner_shape.shape.as_list()[0] if inner_shape.shape.rank else None
        static = (
            TensorShape(None) if static_inner_shape is None else TensorShape(static_inner_shape)
        )
        if static.rank is None and n is not None:
            static = tf_constant_value_as_shape(inner_shape)
            if static.rank is None:
                static = TensorShape([None] * n)
        self._static_inner_shape = static

    # -- factories -----------------------------------------------------------------------
    @classmethod
    def from_lengths(cls, lengths, num_row_partitions=None, dtype=dtypes.int64):
        """A shape from per-dimension lengths: an int for a uniform dimension, a tuple or
        list of row lengths for a ragged one."""
        lengths = list(lengths)
        if not lengths:
            return cls((), constant([], dtype=dtype), dtype=dtype)
        if isinstance(lengths[0], (tuple, list)):
            raise ValueError("First dimension must be uniform (an int).")
        ragged = [i for i, x in enumerate(lengths) if isinstance(x, (tuple, list))]
        if num_row_partitions is None:
            num_row_partitions = ragged[-1] if ragged else 0
        if ragged and num_row_partitions < ragged[-1]:
            raise ValueError("num_row_partitions is too small for the ragged dimensions.")
        partitions, nrows = [], lengths[0]
        for dim in lengths[1 : num_row_partitions + 1]:
            if isinstance(dim, (tuple, list)):
                if len(dim) != nrows:
                    raise ValueError("Shape not consistent.")
                rp = RowPartition.from_row_lengths(constant(list(dim), dtype=dtype), validate=False)
                nrows = sum(dim)
            else:
                rp = RowPartition.from_uniform_row_length(
                    constant(dim, dtype=dtype),
                    nvals=constant(nrows * dim, dtype=dtype),
                    nrows=constant(nrows, dtype=dtype),
                    validate=False,
                )
                nrows = nrows * dim
            partitions.append(rp)
        inner = [nrows, *lengths[num_row_partitions + 1 :]]
        if any(isinstance(x, (tuple, list)) for x in inner):
            raise ValueError("Shape not consistent.")
        inner_shape = constant(inner, dtype=dtype, name="inner_dim_sizes")
        return cls(partitions, inner_shape, dtype=dtype)

    @classmethod
    def from_row_partitions(cls, row_partitions, dtype=None):
        """The shape of a ragged tensor with these row partitions and 1-D flat values."""
        if not row_partitions:
            raise ValueError("row_partitions cannot be empty")
        last = row_partitions[-1]
        return cls(row_partitions, array_ops.reshape(last.nvals(), [1]), dtype=dtype)

    @classmethod
    def from_tensor(cls, t, dtype=None):
        """The shape of a Tensor or RaggedTensor `t`."""
        from tfgraph.ragged.ragged_tensor import RaggedTensor

        if isinstance(t, RaggedTensor):
            partitions = t._nested_row_partitions
            flat = t.flat_values
            out_type = dtype or partitions[0].dtype
            inner = array_ops.shape(flat, out_type=out_type)
            return cls(partitions, inner, dtype=out_type, static_inner_shape=flat.shape)
        t = convert_to_tensor(t)
        out_type = dtypes.as_dtype(dtype) if dtype is not None else dtypes.int32
        return cls((), array_ops.shape(t, out_type=out_type), static_inner_shape=t.shape)

    # -- accessors -----------------------------------------------------------------------
    @property
    def row_partitions(self) -> tuple:
        return self._row_partitions

    @property
    def num_row_partitions(self) -> int:
        return len(self._row_partitions)

    @property
    def inner_shape(self) -> Tensor:
        return self._inner_shape

    @property
    def inner_rank(self):
        return self._static_inner_shape.rank

    @property
    def rank(self):
        inner = self.inner_rank
        return None if inner is None else inner + self.num_row_partitions

    @property
    def dtype(self):
        return self._inner_shape.dtype

    def with_dtype(self, dtype) -> DynamicRaggedShape:
        dtype = dtypes.as_dtype(dtype)
        if dtype == self.dtype:
            return self
        return DynamicRaggedShape(
            [p.with_dtype(dtype) for p in self._row_partitions],
            array_ops.cast(self._inner_shape, dtype),
            dtype=dtype,
            static_inner_shape=self._static_inner_shape,
        )

    def _static_dims(self) -> list:
        """Per dimension: an int, a tuple of row lengths, or None."""
        parts = self._row_partitions
        inner = self._static_inner_shape
        if not parts:
            return [] if inner.rank is None else list(inner.as_list())
        dims: list = [parts[0].static_nrows]
        for p in parts:
            if p.is_uniform():
                dims.append(p.static_uniform_row_length)
                continue
            dims.append(_static_row_lengths(p))
        if inner.rank is not None:
            dims.extend(inner.as_list()[1:])
        return dims

    def static_lengths(self, ragged_lengths=True) -> list:
        """The lengths known when the graph is built (see the module docstring)."""
        dims = self._static_dims()
        if not ragged_lengths:
            dims = [None if isinstance(d, tuple) else d for d in dims]
        return dims

    def is_uniform(self, axis) -> bool:
        """Whether dimension `axis` has one length for every row."""
        if axis < 0:
            raise IndexError("Negative axis values are not supported")
        if axis == 0 or axis > self.num_row_partitions:
            return True
        return self._row_partitions[axis - 1].is_uniform()

    def __getitem__(self, index):
        if not isinstance(index, int):
            raise TypeError("DynamicRaggedShape indices must be ints (slices are not in tfgraph)")
        rank = self.rank
        if index < 0 and rank is not None:
            index += rank
        if rank is not None and not 0 <= index < rank:
            raise IndexError("Index is too big: " + str(index) + ">=" + str(rank))
        if not self.is_uniform(index):
            raise ValueError("Index " + str(index) + " is not uniform")
        static = self._static_dims()
        if index < len(static) and isinstance(static[index], int):
            return constant(static[index], dtype=self.dtype)
        if index == 0:
            parts = self._row_partitions
            return parts[0].nrows() if parts else self._inner_shape[0]
        if index <= self.num_row_partitions:
            partition = self._row_partitions[index - 1]
            uniform = partition.uniform_row_length()
            return uniform if uniform is not None else partition.row_lengths()[0]
        return self._inner_shape[index - self.num_row_partitions]

    def __repr__(self) -> str:
        dims = self._static_dims() if self.rank is not None else None
        lengths = "<unknown>" if dims is None else "[" + ", ".join(map(str, dims)) + "]"
        return (
            f"<DynamicRaggedShape lengths={lengths} num_row_partitions={self.num_row_partitions}>"
        )

"""`tf.ConditionalAccumulator`: gradients from several replicas averaged (or summed)
for one update, as TF's resource accumulator ops do (what `SyncReplicasOptimizer`
aggregates with).

An accumulator keeps a global step. `apply_grad(g, local_step)` adds `g` unless
`local_step` is older than that step (a stale gradient, dropped). `take_grad(n)` waits
until `n` gradients have arrived, returns their mean (or sum), starts over and moves
the step on by one. `set_global_step` sets it.
"""

from __future__ import annotations

import collections
import threading
import time

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.run_deadline import remaining
from tfgraph.framework.tensor_shape import TensorShape, as_shape
from tfgraph.ops import array_ops, common_shapes
from tfgraph.ops.apply import apply_op, op_output

__all__ = [
    "ConditionalAccumulator",
    "ConditionalAccumulatorBase",
    "SparseConditionalAccumulator",
]


class _Accumulator:
    """One accumulator's state (in its task's resource store)."""

    def __init__(self, name: str, dtype, shape: TensorShape, reduction: str) -> None:
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.mean = reduction == "MEAN"
        self.cond = threading.Condition()
        self.total: np.ndarray | None = None
        self.count = 0
        self.global_step = 0
        self.cancelled = False

    def cancel(self) -> None:
        with self.cond:
            self.cancelled = True
            self.cond.notify_all()

    def apply(self, op, local_step: int, grad: np.ndarray) -> None:
        with self.cond:
            if local_step < self.global_step:
                return  # (a stale gradient: TF drops it)
            if not self.shape.is_compatible_with(grad.shape):
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Shape mismatch: expected shape {_dims(self.shape)}, got "
                    f"{_dims(TensorShape(grad.shape))}",
                )
            if self.total is None:
                self.total = np.array(grad, dtype=self.dtype.np_dtype, copy=True)
            else:
                if self.total.shape != grad.shape:
                    raise errors.InvalidArgumentError(
                        None,
                        op,
                        f"Shape mismatch: expected shape {list(self.total.shape)}, got "
                        f"{list(grad.shape)}",
                    )
                self.total += grad
            self.count += 1
            self.cond.notify_all()

    def take(self, op, num_required: int):
        """Waits (within the run's deadline) for `num_required` gradients, then returns
        their mean (or sum), starts over and moves the global step on by one."""
        if num_required < 1:
            raise errors.InvalidArgumentError(
                None, op, f"Argument num_required must be positive, but was {num_required}"
            )
        left = remaining()
        deadline = None if left is None else time.monotonic() + left
        with self.cond:
            while self.count < num_required:
                if self.cancelled:
                    raise errors.CancelledError(
                        None, op, f"TakeGrad operation on {self.name} was cancelled"
                    )
                wait = None if deadline is None else deadline - time.monotonic()
                if wait is not None and wait <= 0:
                    raise errors.DeadlineExceededError(
                        None, None, "Timed out waiting for notification"
                    )
                self.cond.wait(wait)
            self.global_step += 1
            out = self._result()
            self.total, self.count = None, 0
            return out

    def _result(self):
        total = self.total
        assert total is not None  # (count >= 1)
        out = total / self.count if self.mean else total
        return np.asarray(out, dtype=self.dtype.np_dtype)

    # A fetched Ref(string) handle (a SparseConditionalAccumulator's) reads as TF's
    # [container, name] pair.
    def read(self, retval: str) -> None:
        pass

    @property
    def value(self) -> np.ndarray:
        return np.array([b"localhost", self.name.encode()], dtype=object)


class _SparseAccumulator(_Accumulator):
    """A SparseConditionalAccumulator's state: the rows (indices, values) summed so far
    and, per row, how many gradients added to it (MEAN divides each row by its own
    count, as TF does)."""

    def __init__(self, name: str, dtype, shape: TensorShape, reduction: str) -> None:
        super().__init__(name, dtype, shape, reduction)
        self.indices: list[int] = []
        self.counts = np.zeros(0, np.int64)

    def apply_sparse(self, op, local_step: int, indices, values, dense_shape) -> None:
        with self.cond:
            if local_step < self.global_step:
                return  # (a stale gradient: TF drops it unchecked)
            indices = np.asarray(indices)
            values = np.asarray(values)
            if values.dtype != self.dtype.np_dtype:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"{op.type} got gradient values of type "
                    f"{dtypes.as_dtype(values.dtype).name} for an accumulator of "
                    f"{self.dtype.name}: cast them to {self.dtype.name} first",
                )
            _check_sparse_gradient(op, self, indices, values, dense_shape)
            if self.count == 0:
                self.indices = [int(i) for i in indices]
                self.total = np.array(values, copy=True)
                self.counts = np.ones(len(indices), np.int64)
            else:
                self._add(indices, values)
            self.count += 1
            self.cond.notify_all()

    def _add(self, indices, values) -> None:
        """Merges the gradient's rows into the sum the way TF does: one ordered walk
        over both index lists (so sorted, unique indices give their union)."""
        old = self.indices
        new = [int(k) for k in indices]
        i = j = 0
        rows: list[int] = []
        src: list[tuple[int, int]] = []  # (row of the sum, row of the gradient)
        while i < len(old) and j < len(new):
            if old[i] < new[j]:
                src.append((i, -1))
                rows.append(old[i])
                i += 1
            elif old[i] > new[j]:
                src.append((-1, j))
                rows.append(new[j])
                j += 1
            else:
                src.append((i, j))
                rows.append(old[i])
                i += 1
                j += 1
        src.extend((k, -1) for k in range(i, len(old)))
        rows.extend(old[i:])
        src.extend((-1, k) for k in range(j, len(new)))
        rows.extend(new[j:])
        a = np.array([p for p, _ in src], np.int64).reshape(-1)
        b = np.array([q for _, q in src], np.int64).reshape(-1)
        total = self.total
        assert total is not None  # (count >= 1)
        out = np.zeros((len(rows),) + values.shape[1:], dtype=total.dtype)
        out[a >= 0] = total[a[a >= 0]]
        out[b >= 0] += values[b[b >= 0]]
        counts = np.zeros(len(rows), np.int64)
        counts[a >= 0] = self.counts[a[a >= 0]]
        counts[b >= 0] += 1
        self.indices, self.total, self.counts = rows, out, counts

    def _result(self):
        total = self.total
        assert total is not None  # (count >= 1)
        if self.mean:
            counts = self.counts.astype(total.dtype).reshape((-1,) + (1,) * (total.ndim - 1))
            total = total / counts
        first = self.shape.as_list()[0] if self.shape.rank else None
        dense = [-1 if first is None else first, *total.shape[1:]]
        return (
            np.array(self.indices, np.int64).reshape(-1),
            total,
            np.array(dense, np.int64),
        )


def _check_sparse_gradient(op, acc: _SparseAccumulator, indices, values, dense_shape) -> None:
    """TF's checks of a sparse gradient against the accumulator, in its order."""

    def fail(message: str):
        raise errors.InvalidArgumentError(None, op, message)

    if indices.ndim != 1:
        fail(
            "Input indices should be vector but received shape: "
            f"{_dims(TensorShape(indices.shape))}"
        )
    if values.ndim == 0:
        fail("Values cannot be 0-dimensional.")
    if values.shape[0] != indices.shape[0]:
        fail(f"Expected {indices.shape[0]} non-empty input values, got {values.shape[0]}")
    shape = acc.shape.as_list() if acc.shape.rank is not None else None
    if dense_shape is not None and shape is not None:
        dense_shape = np.asarray(dense_shape).reshape(-1)
        if len(shape) > dense_shape.size:
            fail(
                f"Shape mismatch: expected shape rank at least {len(shape)}, got {dense_shape.size}"
            )
        for i, d in enumerate(shape):
            if d is not None and d != dense_shape[i]:
                fail(f"Shape mismatch: expected shape dim {i} to be {d}, got {dense_shape[i]}")
    if shape and shape[0] is not None:
        for i, k in enumerate(indices.tolist()):
            if k >= shape[0]:
                fail(
                    f"Shape mismatch: index of slice {i} exceeded limits of shape; index is "
                    f"{k} exceeded {shape[0]}"
                )
    if acc.count > 0:
        total = acc.total
        assert total is not None  # (count >= 1)
        if total.ndim != values.ndim:
            fail(f"Shape mismatch: expected values rank {total.ndim}, got {values.ndim}")
        for i in range(1, total.ndim):
            if total.shape[i] != values.shape[i]:
                fail(
                    f"Shape mismatch: expected values dim {i} to be {total.shape[i]}, "
                    f"got {values.shape[i]}"
                )
    elif shape is not None:
        if len(shape) > values.ndim:
            fail(f"Shape mismatch: expected values rank at least {len(shape)}, got {values.ndim}")
        for i in range(1, len(shape)):
            if shape[i] is not None and shape[i] != values.shape[i]:
                fail(
                    f"Shape mismatch: expected values dim {i} to be {shape[i]}, "
                    f"got {values.shape[i]}"
                )


def _dims(shape: TensorShape) -> str:
    if shape.rank is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_list()) + "]"


def _accumulator_kernel(op, ctx):
    store = ctx.resources_for(op)
    attrs = op._attrs
    shared = attrs["shared_name"].decode() if attrs["shared_name"] else ""
    key = ("accumulator", attrs["container"], shared or op._name)
    reduction = attrs["reduction_type"]
    reduction = reduction.decode() if isinstance(reduction, bytes) else reduction

    def factory():
        return _Accumulator(shared or op._name, attrs["dtype"], attrs["shape"], reduction)

    def kernel():
        return store.state(key, factory)

    return kernel


# TF's CPU kernels of the Ref(string) accumulators. (TF registers no gradient for the
# Ref(string) accumulator ops: tf.gradients raises LookupError through them.)
_SPARSE_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64)


def _sparse_accumulator_kernel(op, ctx):
    store = ctx.resources_for(op)
    attrs = op._attrs
    shared = attrs["shared_name"].decode() if attrs["shared_name"] else ""
    key = ("sparse_accumulator", attrs["container"], shared or op._name)
    reduction = attrs["reduction_type"]
    reduction = reduction.decode() if isinstance(reduction, bytes) else reduction
    dtype = attrs["dtype"]

    def factory():
        name = shared or f"_0_{op._name}"  # (TF's name for an unshared one)
        return _SparseAccumulator(name, dtype, attrs["shape"], reduction)

    def kernel():
        if dtype not in _SPARSE_DTYPES:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"No OpKernel was registered to support Op '{op.type}' with dtype "
                f"{dtype.name}: a SparseConditionalAccumulator holds float16, float32 or "
                "float64 gradients",
            )
        return store.state(key, factory)

    return kernel


register_op(
    "ResourceConditionalAccumulator",
    outputs=["handle: resource"],
    attrs=[
        "dtype: numbertype",
        "shape: shape",
        "container: string = ''",
        "shared_name: string = ''",
        "reduction_type: {'MEAN', 'SUM'} = 'MEAN'",
    ],
    shape=common_shapes.scalar_shape,
    make_kernel=_accumulator_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _apply_kernel(op, ctx):
    def apply(acc, local_step, grad):
        acc.apply(op, int(local_step), np.asarray(grad))

    return apply


def _take_kernel(op, ctx):
    def take(acc, num_required):
        return acc.take(op, int(num_required))

    return take


def _take_shape(op):
    return [op._inputs[0].op._attrs.get("shape", TensorShape(None))]


register_op(
    "ResourceAccumulatorApplyGradient",
    inputs=["handle: resource", "local_step: int64", "gradient: dtype"],
    attrs=["dtype: numbertype"],
    shape=lambda op: [],
    make_kernel=_apply_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "ResourceAccumulatorTakeGradient",
    inputs=["handle: resource", "num_required: int32"],
    outputs=["average: dtype"],
    attrs=["dtype: numbertype"],
    shape=lambda op: [TensorShape(None)],
    make_kernel=_take_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "ResourceAccumulatorNumAccumulated",
    inputs=["handle: resource"],
    outputs=["num_accumulated: int32"],
    shape=common_shapes.scalar_shape,
    kernel=lambda acc: np.int32(acc.count),
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _set_step(acc, step):
    with acc.cond:
        acc.global_step = int(step)  # (TF sets it even when it goes back, with a warning)


register_op(
    "ResourceAccumulatorSetGlobalStep",
    inputs=["handle: resource", "new_global_step: int64"],
    shape=lambda op: [],
    kernel=_set_step,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


register_op(
    "SparseConditionalAccumulator",
    outputs=["handle: Ref(string)"],
    attrs=[
        "dtype: numbertype",
        "shape: shape",
        "container: string = ''",
        "shared_name: string = ''",
        "reduction_type: {'MEAN', 'SUM'} = 'MEAN'",
    ],
    shape=lambda op: [TensorShape([2])],
    make_kernel=_sparse_accumulator_kernel,
    stateful=True,
)


def _sparse_apply_kernel(op, ctx):
    known = bool(op._attrs["has_known_shape"])

    def apply(acc, local_step, indices, values, dense_shape):
        acc.apply_sparse(op, int(local_step), indices, values, dense_shape if known else None)

    return apply


register_op(
    "SparseAccumulatorApplyGradient",
    inputs=[
        "handle: Ref(string)",
        "local_step: int64",
        "gradient_indices: int64",
        "gradient_values: dtype",
        "gradient_shape: int64",
    ],
    attrs=["dtype: numbertype", "has_known_shape: bool"],
    shape=lambda op: [],
    make_kernel=_sparse_apply_kernel,
)
register_op(
    "SparseAccumulatorTakeGradient",
    inputs=["handle: Ref(string)", "num_required: int32"],
    outputs=["indices: int64", "values: dtype", "shape: int64"],
    attrs=["dtype: numbertype"],
    shape=lambda op: [TensorShape(None)] * 3,
    make_kernel=_take_kernel,
)
register_op(
    "AccumulatorNumAccumulated",
    inputs=["handle: Ref(string)"],
    outputs=["num_accumulated: int32"],
    shape=common_shapes.scalar_shape,
    kernel=lambda acc: np.int32(acc.count),
)
register_op(
    "AccumulatorSetGlobalStep",
    inputs=["handle: Ref(string)", "new_global_step: int64"],
    shape=lambda op: [],
    kernel=_set_step,
)


class ConditionalAccumulatorBase:
    """An accumulator's handle, name and dtype, its count and its global step."""

    def __init__(self, dtype, shape, accumulator_ref) -> None:
        self._dtype = dtypes.as_dtype(dtype)
        self._shape = as_shape(shape) if shape is not None else TensorShape(None)
        self._accumulator_ref = accumulator_ref
        self._name = accumulator_ref.op.name.split("/")[-1]

    @property
    def accumulator_ref(self):
        return self._accumulator_ref

    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self):
        return self._dtype

    def num_accumulated(self, name=None):
        """The number of gradients accumulated since the last take (int32)."""
        return op_output(
            self._op_type("AccumulatorNumAccumulated"),
            name or f"{self._name}_NumAccumulated",
            [self._accumulator_ref],
        )

    def set_global_step(self, new_global_step, name=None):
        """An op setting the accumulator's global step."""
        step = array_ops.cast(convert_to_tensor(new_global_step), dtypes.int64)
        return apply_op(
            self._op_type("AccumulatorSetGlobalStep"), name, [self._accumulator_ref, step]
        )

    def _op_type(self, op_type: str) -> str:
        """The op on this handle: the Resource* one on a resource handle."""
        resource = self._accumulator_ref.dtype._base is dtypes.resource
        return "Resource" + op_type if resource else op_type


class ConditionalAccumulator(ConditionalAccumulatorBase):
    """Averages (or sums) gradients of one dense variable across replicas (TF1
    `tf.ConditionalAccumulator`)."""

    def __init__(
        self,
        dtype,
        shape=None,
        shared_name=None,
        name: str = "conditional_accumulator",
        reduction_type: str = "MEAN",
    ) -> None:
        dtype = dtypes.as_dtype(dtype)
        shape = as_shape(shape) if shape is not None else TensorShape(None)
        attrs = {
            "dtype": dtype,
            "shape": shape,
            "shared_name": (shared_name or "").encode(),
            "reduction_type": reduction_type.encode(),
        }
        ref = op_output("ResourceConditionalAccumulator", name, [], attrs)
        super().__init__(dtype, shape, ref)

    def apply_grad(self, grad, local_step=0, name=None):
        """An op adding `grad` unless `local_step` is older than the global step."""
        grad = convert_to_tensor(grad, dtype=self._dtype)
        grad.shape.assert_is_compatible_with(self._shape)
        local_step = array_ops.cast(convert_to_tensor(local_step), dtypes.int64)
        return apply_op(
            "ResourceAccumulatorApplyGradient", name, [self._accumulator_ref, local_step, grad]
        )

    def take_grad(self, num_required, name=None):
        """The mean (or sum) of `num_required` gradients, once they have arrived."""
        from tfgraph.framework.graph import get_default_graph

        g = get_default_graph()
        with g.name_scope(name or "ResourceAccumulatorTakeGradient") as scope:
            required = convert_to_tensor(num_required, dtype=dtypes.int32, name="num_required")
            out = op_output(
                "ResourceAccumulatorTakeGradient",
                scope,
                [self._accumulator_ref, required],
                {"dtype": self._dtype},
            )
        out.set_shape(self._shape)
        return out


# What TF's generated wrapper returns: a namedtuple named after the op.
SparseAccumulatorTakeGradientOutput = collections.namedtuple(  # type: ignore[name-match]
    "SparseAccumulatorTakeGradient", ["indices", "values", "shape"]
)


class SparseConditionalAccumulator(ConditionalAccumulatorBase):
    """Averages (or sums) sparse gradients (`IndexedSlices`) of one variable across
    replicas (TF1 `tf.SparseConditionalAccumulator`). MEAN divides each row by the
    number of gradients that had it."""

    def __init__(
        self,
        dtype,
        shape=None,
        shared_name=None,
        name: str = "sparse_conditional_accumulator",
        reduction_type: str = "MEAN",
    ) -> None:
        dtype = dtypes.as_dtype(dtype)
        attrs = {
            "dtype": dtype,
            "shape": as_shape(shape) if shape is not None else TensorShape(None),
            "shared_name": (shared_name or "").encode(),
            "reduction_type": reduction_type.encode(),
        }
        ref = op_output("SparseConditionalAccumulator", name, [], attrs)
        super().__init__(dtype, shape, ref)

    def apply_indexed_slices_grad(self, grad, local_step=0, name=None):
        """An op adding the `IndexedSlices` `grad` unless `local_step` is stale."""
        return self.apply_grad(
            grad_indices=grad.indices,
            grad_values=grad.values,
            grad_shape=grad.dense_shape,
            local_step=local_step,
            name=name,
        )

    def apply_grad(self, grad_indices, grad_values, grad_shape=None, local_step=0, name=None):
        """An op adding the rows `grad_values` at `grad_indices` (of a tensor of shape
        `grad_shape`, checked against the accumulator's when given) unless `local_step`
        is older than the global step."""
        local_step = array_ops.cast(convert_to_tensor(local_step), dtypes.int64)
        indices = array_ops.cast(grad_indices, dtypes.int64)
        dense_shape = array_ops.cast([] if grad_shape is None else grad_shape, dtypes.int64)
        return apply_op(
            "SparseAccumulatorApplyGradient",
            name,
            [self._accumulator_ref, local_step, indices, grad_values, dense_shape],
            {"has_known_shape": grad_shape is not None},
        )

    def take_grad(self, num_required, name=None):
        """(indices, values, shape) of the mean (or sum) of `num_required` gradients,
        once they have arrived."""
        op = apply_op(
            "SparseAccumulatorTakeGradient",
            name,
            [self._accumulator_ref, num_required],
            {"dtype": self._dtype},
        )
        return SparseAccumulatorTakeGradientOutput(*op._outputs)

    def take_indexed_slices_grad(self, num_required, name=None):
        """`take_grad` as an `IndexedSlices`."""
        from tfgraph.framework.indexed_slices import IndexedSlices

        indices, values, shape = self.take_grad(num_required, name=name)
        return IndexedSlices(values, indices, shape)

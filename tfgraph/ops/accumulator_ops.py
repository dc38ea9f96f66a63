"""`tf.ConditionalAccumulator`: gradients from several replicas averaged (or summed)
for one update, as TF's resource accumulator ops do (what `SyncReplicasOptimizer`
aggregates with).

An accumulator keeps a global step. `apply_grad(g, local_step)` adds `g` unless
`local_step` is older than that step (a stale gradient, dropped). `take_grad(n)` waits
until `n` gradients have arrived, returns their mean (or sum), starts over and moves
the step on by one. `set_global_step` sets it.
"""

from __future__ import annotations

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

__all__ = ["ConditionalAccumulator", "ConditionalAccumulatorBase"]


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

    def take(self, op, num_required: int) -> np.ndarray:
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
            total = self.total
            assert total is not None  # (count >= 1)
            out = total / self.count if self.mean else total
            self.total, self.count = None, 0
            self.global_step += 1
            return np.asarray(out, dtype=self.dtype.np_dtype)


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
            "ResourceAccumulatorNumAccumulated",
            name or f"{self._name}_NumAccumulated",
            [self._accumulator_ref],
        )

    def set_global_step(self, new_global_step, name=None):
        """An op setting the accumulator's global step."""
        step = array_ops.cast(convert_to_tensor(new_global_step), dtypes.int64)
        return apply_op("ResourceAccumulatorSetGlobalStep", name, [self._accumulator_ref, step])


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

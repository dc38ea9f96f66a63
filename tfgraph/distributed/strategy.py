"""`tf.distribute` as TF1 graph programs use it: strategies, their scope, replica
contexts, reductions and distributed datasets.

Every strategy here runs its replicas in one graph on this process's devices; on a
CPU-only machine that is one replica, as in TF. Variables made in a strategy's scope
are resource variables on the strategy's parameter device (TF's MirroredVariable for
MirroredStrategy). Which strategy is current is graph-building state, kept per graph
like name scopes; values live in the session as always.
"""

from __future__ import annotations

import contextlib
import enum
import weakref

from tfgraph.framework.device import DeviceSpec
from tfgraph.framework.graph import get_default_graph

__all__ = [
    "InputContext",
    "InputReplicationMode",
    "ReduceOp",
    "ReplicaContext",
    "RunOptions",
    "Strategy",
    "StrategyExtended",
    "experimental_set_strategy",
    "get_loss_reduction",
    "get_replica_context",
    "get_strategy",
    "has_strategy",
    "in_cross_replica_context",
]


class ReduceOp(enum.Enum):
    """How values of the replicas are combined: `SUM` or `MEAN`."""

    SUM = "SUM"
    MEAN = "MEAN"

    @staticmethod
    def from_variable_aggregation(aggregation) -> ReduceOp:
        name = getattr(aggregation, "name", str(aggregation)).upper()
        if name in ("SUM", "MEAN"):
            return ReduceOp[name]
        raise ValueError(
            f"Could not convert from `tf.VariableAggregation` {aggregation} to"
            "`tf.distribute.ReduceOp` type"
        )


class InputReplicationMode(enum.Enum):
    """How an input function is replicated: once per worker or once per replica."""

    PER_WORKER = "PER_WORKER"
    PER_REPLICA = "PER_REPLICA"


class InputContext:
    """What an input pipeline needs to know to shard itself: how many pipelines there
    are, which one this is, and how many replicas consume them."""

    def __init__(self, num_input_pipelines=1, input_pipeline_id=0, num_replicas_in_sync=1):
        self._num_input_pipelines = num_input_pipelines
        self._input_pipeline_id = input_pipeline_id
        self._num_replicas_in_sync = num_replicas_in_sync

    @property
    def num_replicas_in_sync(self) -> int:
        return self._num_replicas_in_sync

    @property
    def input_pipeline_id(self) -> int:
        return self._input_pipeline_id

    @property
    def num_input_pipelines(self) -> int:
        return self._num_input_pipelines

    def get_per_replica_batch_size(self, global_batch_size: int) -> int:
        if global_batch_size % self._num_replicas_in_sync != 0:
            raise ValueError(
                f"The `global_batch_size` {global_batch_size!r} is not divisible by "
                f"`num_replicas_in_sync` {self._num_replicas_in_sync!r} "
            )
        return global_batch_size // self._num_replicas_in_sync

    def __str__(self) -> str:
        return (
            f"tf.distribute.InputContext(input pipeline id {self._input_pipeline_id}, "
            f"total: {self._num_input_pipelines})"
        )


class RunOptions:
    """Options for `Strategy.run` (accepted; they tune TPU compilation in TF)."""

    __slots__ = (
        "experimental_bucketizing_dynamic_shape",
        "experimental_enable_dynamic_batch_size",
        "experimental_xla_options",
    )

    def __init__(
        self,
        experimental_enable_dynamic_batch_size=True,
        experimental_bucketizing_dynamic_shape=False,
        experimental_xla_options=None,
    ):
        self.experimental_enable_dynamic_batch_size = experimental_enable_dynamic_batch_size
        self.experimental_bucketizing_dynamic_shape = experimental_bucketizing_dynamic_shape
        self.experimental_xla_options = experimental_xla_options

    def __repr__(self) -> str:
        return (
            "RunOptions(experimental_enable_dynamic_batch_size="
            f"{self.experimental_enable_dynamic_batch_size}, "
            "experimental_bucketizing_dynamic_shape="
            f"{self.experimental_bucketizing_dynamic_shape}, "
            f"experimental_xla_options={self.experimental_xla_options})"
        )


def canonical_device(device: str) -> str:
    """'/cpu:0' -> '/replica:0/task:0/device:CPU:0', as TF's strategies name devices."""
    spec = DeviceSpec.from_string(device)
    return DeviceSpec(
        job=spec.job,
        replica=0 if spec.replica is None else spec.replica,
        task=0 if spec.task is None else spec.task,
        device_type=spec.device_type or "CPU",
        device_index=0 if spec.device_index is None else spec.device_index,
    ).to_string()


# -- which strategy / replica context is current (per graph) ------------------------------
_stacks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _stack() -> list:
    return _stacks.setdefault(get_default_graph(), [])


@contextlib.contextmanager
def _entered(strategy, replica_context):
    stack = _stack()
    stack.append((strategy, replica_context))
    try:
        yield
    finally:
        stack.pop()


def get_strategy() -> Strategy:
    """The current strategy: the innermost `strategy.scope()` (or `run`), else the
    default strategy."""
    stack = _stack()
    return stack[-1][0] if stack else _default_strategy()


def has_strategy() -> bool:
    """Whether a strategy other than the default one is current."""
    return get_strategy() is not _default_strategy()


def in_cross_replica_context() -> bool:
    """True inside `strategy.scope()` (outside `run`) and inside a `merge_call`."""
    stack = _stack()
    return bool(stack) and stack[-1][1] is None


def get_replica_context():
    """The ReplicaContext inside `strategy.run`, None in a cross-replica context, and the
    default strategy's replica context outside any strategy."""
    stack = _stack()
    if not stack:
        return _default_strategy()._default_replica_context
    return stack[-1][1]


def get_loss_reduction() -> ReduceOp:
    """`ReduceOp.SUM`: TF1's `tf.losses` reduce by summing over replicas."""
    return ReduceOp.SUM


def experimental_set_strategy(strategy) -> None:
    """Make `strategy` current for the default graph until it is set again (None goes
    back to the default strategy)."""
    graph = get_default_graph()
    old = _set_global.pop(graph, None)
    if old is not None:
        old.__exit__(None, None, None)
    if strategy is not None:
        scope = strategy.scope()
        scope.__enter__()
        _set_global[graph] = scope


_set_global: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class ReplicaContext:
    """What a function sees of its replica inside `strategy.run`."""

    def __init__(self, strategy, replica_id_in_sync_group=0) -> None:
        self._strategy = strategy
        self._replica_id = replica_id_in_sync_group
        self._replica_id_tensor = None

    @property
    def strategy(self):
        return self._strategy

    @property
    def num_replicas_in_sync(self) -> int:
        return self._strategy.num_replicas_in_sync

    @property
    def replica_id_in_sync_group(self):
        if self._strategy is _default_strategy():
            return self._replica_id
        if self._replica_id_tensor is None:
            from tfgraph.ops.array_ops import constant

            self._replica_id_tensor = constant(self._replica_id, name="replica_id_in_sync_group")
        return self._replica_id_tensor

    @property
    def devices(self) -> tuple:
        return self._strategy.extended.worker_devices[self._replica_id : self._replica_id + 1]

    def merge_call(self, merge_fn, args=(), kwargs=None):
        """Call `merge_fn(strategy, *args, **kwargs)` in the cross-replica context."""
        with _entered(self._strategy, None):
            return merge_fn(self._strategy, *args, **(kwargs or {}))

    def all_reduce(self, reduce_op, value, options=None):
        """The sum (or mean) of `value` (a nest of tensors) over the replicas."""
        from tfgraph import nest
        from tfgraph.ops.array_ops import identity_n

        _reduce_op(reduce_op)
        _check_local(self._strategy, "all_reduce")
        flat = nest.flatten(value)
        if not flat:
            return value
        return nest.pack_sequence_as(value, identity_n(flat))


def _reduce_op(reduce_op) -> ReduceOp:
    if isinstance(reduce_op, ReduceOp):
        return reduce_op
    if isinstance(reduce_op, str) and reduce_op.upper() in ("SUM", "MEAN"):
        return ReduceOp[reduce_op.upper()]
    raise ValueError(
        f"Strategy.reduce: reduce_op must be tf.distribute.ReduceOp.SUM or MEAN, got {reduce_op!r}"
    )


def _check_local(strategy, what: str) -> None:
    if strategy.num_replicas_in_sync > len(strategy.extended.worker_devices):
        raise NotImplementedError(
            f"{type(strategy).__name__}.{what} over {strategy.num_replicas_in_sync} replicas "
            "on several workers needs cross-worker collective ops, which tfgraph does not "
            "build; use tf.train.SyncReplicasOptimizer with tf.train.Server on the Ray runtime"
        )


def _default_strategy():
    from tfgraph.distributed.strategies import default_strategy

    return default_strategy()


# Strategy and StrategyExtended live in strategy_base.py (they are long); re-export.
from tfgraph.distributed.strategy_base import Strategy, StrategyExtended  # noqa: E402

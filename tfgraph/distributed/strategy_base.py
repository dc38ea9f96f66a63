"""`tf.distribute.Strategy` (TF1's StrategyV1) and `StrategyExtended`: one graph, one
replica per device of `extended.worker_devices`, variables on `parameter_devices`."""

from __future__ import annotations

import contextlib

from tfgraph.distributed.strategy import (
    InputContext,
    InputReplicationMode,
    ReplicaContext,
    _check_local,
    _entered,
    _reduce_op,
    _stack,
)
from tfgraph.framework.graph import get_default_graph


class StrategyExtended:
    """The lower-level half of a strategy: devices, variable placement, updates and
    reductions to devices."""

    def __init__(self, strategy, worker_devices, parameter_devices, update_scope=None):
        self._container_strategy = strategy
        self._worker_devices = tuple(worker_devices)
        self._parameter_devices = tuple(parameter_devices)
        self._update_scope = update_scope  # TF's MirroredStrategy names updates "update_0"
        self._colocate_device = None
        self.experimental_enable_get_next_as_optional = False

    @property
    def worker_devices(self) -> tuple:
        return self._worker_devices

    @property
    def parameter_devices(self) -> tuple:
        return self._parameter_devices

    @property
    def experimental_require_static_shapes(self) -> bool:
        return False

    @property
    def experimental_between_graph(self) -> bool:
        return False

    @property
    def experimental_should_init(self) -> bool:
        return True

    @property
    def should_checkpoint(self) -> bool:
        return True

    @property
    def should_save_summary(self) -> bool:
        return True

    def _variable_device(self) -> str:
        return self._colocate_device or self._parameter_devices[0]

    @contextlib.contextmanager
    def colocate_vars_with(self, colocate_with_variable):
        """Variables created inside are placed on `colocate_with_variable`'s device."""
        old = self._colocate_device
        self._colocate_device = colocate_with_variable.device or old
        try:
            yield
        finally:
            self._colocate_device = old

    def variable_created_in_scope(self, v) -> bool:
        return getattr(v, "_distribute_strategy", None) is self._container_strategy

    def update(self, var, fn, args=(), kwargs=None, group=True):
        """`fn(var, *args, **kwargs)` on `var`'s device, in the cross-replica context."""
        graph = get_default_graph()
        with _entered(self._container_strategy, None), graph.device(var.device):
            if self._update_scope is None:
                return fn(var, *args, **(kwargs or {}))
            with graph.name_scope(self._update_scope):
                return fn(var, *args, **(kwargs or {}))

    def update_non_slot(self, colocate_with, fn, args=(), kwargs=None, group=True):
        graph = get_default_graph()
        first = colocate_with[0] if isinstance(colocate_with, (list, tuple)) else colocate_with
        device = first if isinstance(first, str) else getattr(first, "device", None)
        with _entered(self._container_strategy, None), graph.device(device):
            return fn(*args, **(kwargs or {}))

    def non_slot_devices(self, var_list) -> tuple:
        return self._parameter_devices

    def value_container(self, value):
        return value

    def read_var(self, v):
        from tfgraph.ops.array_ops import identity

        return v.read_value() if hasattr(v, "read_value") else identity(v)

    def broadcast_to(self, tensor, destinations):
        return tensor

    def reduce_to(self, reduce_op, value, destinations, options=None):
        """Reduce the replicas' `value` to `destinations` (one replica: `value`)."""
        _reduce_op(reduce_op)
        return value

    def batch_reduce_to(self, reduce_op, value_destination_pairs, options=None):
        return [self.reduce_to(reduce_op, v, d, options) for v, d in value_destination_pairs]

    def experimental_make_numpy_dataset(self, numpy_input, session=None):
        """A dataset over `numpy_input` (a nest of arrays) kept in non-trainable
        variables, loaded through `session` (a graph needs one), as TF does."""
        return _numpy_dataset(numpy_input, session)

    def call_for_each_replica(self, fn, args=(), kwargs=None):
        return self._container_strategy.run(fn, args, kwargs)

    def _make_variable(self, next_creator, **kwargs):
        kwargs["use_resource"] = True
        with get_default_graph().device(self._variable_device()):
            v = next_creator(**kwargs)
        v._distribute_strategy = self._container_strategy
        return self._container_strategy._wrap_variable(v)


class Strategy:
    """A way to run a computation on several devices (TF1's `tf.distribute.Strategy`).

    Build variables inside `scope()`, run the per-replica step with `run(fn, args)`,
    and combine per-replica results with `reduce`."""

    def __init__(self, extended: StrategyExtended) -> None:
        self._extended = extended
        self._default_replica_context = ReplicaContext(self, 0)
        self.cluster_resolver = None

    @property
    def extended(self) -> StrategyExtended:
        return self._extended

    @property
    def num_replicas_in_sync(self) -> int:
        return len(self._extended.worker_devices)

    def _wrap_variable(self, v):
        return v

    @contextlib.contextmanager
    def scope(self):
        """Inside, variables are created by this strategy and it is the current one."""
        from tfgraph.variables import variable_creator_scope

        stack = _stack()
        if stack and stack[-1][0] is not self:
            raise RuntimeError(
                "Mixing different tf.distribute.Strategy objects: "
                f"{self} is not {stack[-1][0]}: leave the other strategy's scope() first"
            )

        def creator(next_creator, **kwargs):
            return self._extended._make_variable(next_creator, **kwargs)

        with _entered(self, None), variable_creator_scope(creator):
            yield self

    def run(self, fn, args=(), kwargs=None, options=None):
        """Call `fn(*args, **kwargs)` once per replica in a replica context; with one
        replica the result is `fn`'s, as in TF."""
        results = []
        graph = get_default_graph()
        for i, device in enumerate(self._extended.worker_devices):
            context = ReplicaContext(self, i)
            with self.scope(), _entered(self, context), graph.device(device):
                results.append(fn(*args, **(kwargs or {})))
        return results[0]

    def experimental_run(self, fn, input_iterator=None):
        args = () if input_iterator is None else (input_iterator.get_next(),)
        return self.run(fn, args)

    def reduce(self, reduce_op, value, axis=None):
        """Combine a per-replica `value` over the replicas; with `axis`, also over that
        axis of each replica's value (MEAN divides by the total element count)."""
        from tfgraph.ops.array_ops import cast, identity, shape
        from tfgraph.ops.math_ops import reduce_sum, truediv

        op = _reduce_op(reduce_op)
        _check_local(self, "reduce")
        if axis is None:
            return identity(value)
        total = reduce_sum(value, axis=axis)
        if op.name == "SUM":
            return total
        count = cast(shape(value, out_type="int64")[axis], total.dtype)
        return truediv(total, count)

    def experimental_local_results(self, value) -> tuple:
        return (value,)

    def unwrap(self, value) -> tuple:
        return (value,)

    def experimental_distribute_dataset(self, dataset, options=None):
        """The dataset split over the replicas (one replica: the whole batch)."""
        return DistributedDataset(dataset, self)

    def distribute_datasets_from_function(self, dataset_fn, options=None):
        ctx = InputContext(1, 0, self.num_replicas_in_sync)
        return DistributedDataset(dataset_fn(ctx), self)

    experimental_distribute_datasets_from_function = distribute_datasets_from_function

    def make_dataset_iterator(self, dataset):
        return DistributedDataset(dataset, self).make_initializable_iterator()

    def make_input_fn_iterator(self, input_fn, replication_mode=InputReplicationMode.PER_WORKER):
        ctx = InputContext(1, 0, self.num_replicas_in_sync)
        return DistributedDataset(input_fn(ctx), self).make_initializable_iterator()

    def experimental_make_numpy_dataset(self, numpy_input, session=None):
        """A dataset of `numpy_input`'s rows (TF1 feeds them through placeholders)."""
        return self._extended.experimental_make_numpy_dataset(numpy_input, session)

    def colocate_vars_with(self, colocate_with_variable):
        return self._extended.colocate_vars_with(colocate_with_variable)

    def group(self, value, name=None):
        """One op that runs every op or tensor of the (nested) `value`."""
        from tfgraph import nest
        from tfgraph.ops.control_flow_ops import group

        flat = nest.flatten(value)
        if len(flat) == 1 and name is None:  # one op (or a tensor's op) is returned as TF
            return getattr(flat[0], "op", flat[0])
        return group(*flat, name=name)

    def configure(self, session_config=None, cluster_spec=None, task_type=None, task_id=None):
        return None

    def update_config_proto(self, config_proto):
        from tfgraph import proto

        out = proto.ConfigProto()
        out.CopyFrom(config_proto)
        return out

    def __deepcopy__(self, memo):
        raise RuntimeError("Must only deepcopy DistributionStrategy.")


class DistributedIterator:
    """An iterator over a distributed dataset: `initializer`, `get_next()`."""

    def __init__(self, iterator, strategy) -> None:
        self._iterator = iterator
        self._strategy = strategy

    @property
    def initializer(self):
        return self._iterator.initializer

    def initialize(self) -> list:
        return [self._iterator.initializer]

    @property
    def element_spec(self):
        return self._iterator.element_spec

    def get_next(self, name=None):
        device = self._strategy.extended.worker_devices[0]
        with get_default_graph().device(device):
            return self._iterator.get_next() if name is None else self._iterator.get_next(name)


class DistributedDataset:
    """TF1's DistributedDatasetV1: make an iterator with `make_initializable_iterator()`."""

    def __init__(self, dataset, strategy) -> None:
        self._dataset = dataset
        self._strategy = strategy

    @property
    def element_spec(self):
        return self._dataset.element_spec

    def make_initializable_iterator(self):
        from tfgraph.data.iterator_ops import make_initializable_iterator

        return DistributedIterator(make_initializable_iterator(self._dataset), self._strategy)

    def make_one_shot_iterator(self):
        raise ValueError(
            "Cannot create a one shot iterator. Please use `make_initializable_iterator()` instead."
        )

    def __iter__(self):
        raise RuntimeError(
            "__iter__() is only supported inside of tf.function or when eager execution is "
            "enabled; in a graph use make_initializable_iterator()."
        )


def _numpy_dataset(numpy_input, session):
    import numpy as np

    from tfgraph import nest
    from tfgraph.data.dataset_ops import Dataset
    from tfgraph.ops.array_ops import placeholder, zeros
    from tfgraph.variables import Variable

    if session is None:
        raise ValueError(
            "experimental_make_numpy_dataset in a graph needs `session=`: the arrays are "
            "loaded into variables through that session"
        )
    arrays = [np.asarray(a) for a in nest.flatten(numpy_input)]
    holders = [Variable(zeros(a.shape, a.dtype), trainable=False) for a in arrays]
    for var, array in zip(holders, arrays):
        value = placeholder(var.dtype.base_dtype, array.shape)
        session.run(var.assign(value), feed_dict={value: array})
    return Dataset.from_tensor_slices(nest.pack_sequence_as(numpy_input, holders))

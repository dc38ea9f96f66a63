"""`tf.train.SyncReplicasOptimizer`: synchronous data-parallel training, as TF1 builds it.

Each variable's gradients go to a ConditionalAccumulator on the variable's device
(shared name `<var>:0/grad_accum`). A worker's train op applies its gradients, tagged
with its local step, then takes a token from the `sync_token_q` queue, and the token is
the global step it may work on next. The chief runs a queue runner whose op takes
`replicas_to_aggregate` gradients from every accumulator (stale ones were dropped),
applies their mean with the wrapped optimizer, moves the global step on and enqueues
the next step's tokens. `make_session_run_hook(is_chief)` does the setup: local step
initialisation, the first tokens and the chief's queue runner.
"""

from __future__ import annotations

from typing import Any

from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.ops import array_ops, control_flow_ops, state_ops
from tfgraph.ops.accumulator_ops import ConditionalAccumulator, SparseConditionalAccumulator
from tfgraph.ops.data_flow_ops import FIFOQueue
from tfgraph.training import queue_runner
from tfgraph.training.optimizer import Optimizer
from tfgraph.training.session_run_hook import SessionRunHook

__all__ = ["SyncReplicasOptimizer"]


class SyncReplicasOptimizer(Optimizer):
    """Aggregates gradients from `replicas_to_aggregate` replicas for each update.

    Args:
        opt: the optimizer that applies the aggregated gradients.
        replicas_to_aggregate: gradients averaged per update.
        total_num_replicas: workers (default: `replicas_to_aggregate`); with more
            workers than that, the fastest ones' gradients are used.
        variable_averages, variables_to_average: not supported (must be None).
    """

    def __init__(
        self,
        opt,
        replicas_to_aggregate,
        total_num_replicas=None,
        variable_averages=None,
        variables_to_average=None,
        use_locking: bool = False,
        name: str = "sync_replicas",
    ) -> None:
        if total_num_replicas is None:
            total_num_replicas = replicas_to_aggregate
        super().__init__(use_locking, name)
        if variable_averages is not None or variables_to_average is not None:
            raise NotImplementedError(
                "SyncReplicasOptimizer: variable_averages is not supported by tfgraph."
            )
        self._opt = opt
        self._replicas_to_aggregate = replicas_to_aggregate
        self._total_num_replicas = total_num_replicas
        self._tokens_per_step = max(total_num_replicas, replicas_to_aggregate)
        self._gradients_applied = False
        self._global_step: Any = None
        self._sync_token_queue: Any = None
        self._chief_queue_runner = None
        self._accumulator_list: list = []

    def compute_gradients(self, *args, **kwargs):
        """The wrapped optimizer's gradients (aggregation happens in apply_gradients)."""
        return self._opt.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """The replica's train op: apply to the accumulators, then wait for a token."""
        if not grads_and_vars:
            raise ValueError("Must supply at least one variable")
        if global_step is None:
            raise ValueError("Global step is required to check staleness")
        from tfgraph.variables import Variable, global_variables, report_uninitialized_variables

        g = get_default_graph()
        self._global_step = global_step
        train_ops = []
        aggregated = []
        var_list = []
        # (a no-op on this worker: the local step, colocated with it, stays off the ps)
        local_anchor = control_flow_ops.no_op()
        with g.colocate_with(local_anchor):
            self._local_step = Variable(
                0,
                trainable=False,
                collections=[GraphKeys.LOCAL_VARIABLES],
                dtype=global_step.dtype._base,
                name="sync_rep_local_step",
            )
        self.local_step_init_op = state_ops.assign(self._local_step, global_step)
        chief_init_ops = [self.local_step_init_op]
        self.ready_for_local_init_op = report_uninitialized_variables(global_variables())
        with g.name_scope(self._name):
            for grad, var in grads_and_vars:
                var_list.append(var)
                with g.device(var.device):
                    if grad is None:
                        aggregated.append(None)
                        continue
                    if isinstance(grad, IndexedSlices):
                        # (TF's shape=(): the taken slices' dense_shape[0] is -1)
                        sparse = SparseConditionalAccumulator(
                            grad.dtype, shape=(), shared_name=var.name + "/grad_accum"
                        )
                        train_ops.append(
                            sparse.apply_indexed_slices_grad(grad, local_step=self._local_step)
                        )
                        aggregated.append(
                            sparse.take_indexed_slices_grad(self._replicas_to_aggregate)
                        )
                        self._accumulator_list.append((sparse, var.device))
                        continue
                    accumulator = ConditionalAccumulator(
                        grad.dtype, shape=var.get_shape(), shared_name=var.name + "/grad_accum"
                    )
                    train_ops.append(accumulator.apply_grad(grad, local_step=self._local_step))
                    aggregated.append(accumulator.take_grad(self._replicas_to_aggregate))
                    self._accumulator_list.append((accumulator, var.device))
            with g.device(global_step.device), g.name_scope(""):
                update_op = self._opt.apply_gradients(list(zip(aggregated, var_list)), global_step)
            with g.device(global_step.device), g.name_scope(""):
                self._sync_token_queue = FIFOQueue(
                    -1,
                    global_step.dtype._base,
                    shapes=(),
                    name="sync_token_q",
                    shared_name="sync_token_q",
                )
                with g.control_dependencies(train_ops):
                    token = self._sync_token_queue.dequeue()
                train_op = state_ops.assign(self._local_step, token)
                with g.control_dependencies([update_op]):
                    tokens = array_ops.fill([self._tokens_per_step], global_step)
                    sync_op = self._sync_token_queue.enqueue_many((tokens,))
                self._chief_queue_runner = queue_runner.QueueRunner(
                    self._sync_token_queue, [sync_op]
                )
            for accumulator, device in self._accumulator_list:
                with g.device(device):
                    chief_init_ops.append(
                        accumulator.set_global_step(global_step, name="SetGlobalStep")
                    )
            self.chief_init_op = control_flow_ops.group(*chief_init_ops)
            self._gradients_applied = True
            return train_op

    def get_chief_queue_runner(self):
        """The queue runner the chief runs: it applies the updates and hands out tokens."""
        if not self._gradients_applied:
            raise ValueError("Should be called after apply_gradients().")
        return self._chief_queue_runner

    def get_slot(self, *args, **kwargs):
        return self._opt.get_slot(*args, **kwargs)

    def variables(self):
        return self._opt.variables()

    def get_slot_names(self, *args, **kwargs):
        return self._opt.get_slot_names(*args, **kwargs)

    def get_init_tokens_op(self, num_tokens: int = -1):
        """An op enqueueing the first tokens (the chief runs it once)."""
        if not self._gradients_applied:
            raise ValueError("get_init_tokens_op() should be called after apply_gradients().")
        tokens_needed = self._replicas_to_aggregate - self._total_num_replicas
        if num_tokens == -1:
            num_tokens = self._replicas_to_aggregate
        elif num_tokens < tokens_needed:
            raise ValueError(
                f"Too few tokens to finish the first step: {num_tokens} (given) vs "
                f"{tokens_needed} (needed)"
            )
        g = get_default_graph()
        if num_tokens > 0:
            with g.device(self._global_step.device), g.name_scope(""):
                tokens = array_ops.fill([num_tokens], self._global_step)
                return self._sync_token_queue.enqueue_many((tokens,))
        return control_flow_ops.no_op(name="no_init_tokens")

    def make_session_run_hook(self, is_chief: bool, num_tokens: int = -1):
        """The hook that initialises a replica (and, on the chief, runs the updates)."""
        return _SyncReplicasOptimizerHook(self, is_chief, num_tokens)


class _SyncReplicasOptimizerHook(SessionRunHook):
    def __init__(self, sync_optimizer, is_chief: bool, num_tokens: int) -> None:
        self._sync_optimizer = sync_optimizer
        self._is_chief = is_chief
        self._num_tokens = num_tokens

    def begin(self) -> None:
        opt = self._sync_optimizer
        if not opt._gradients_applied:
            raise ValueError(
                "SyncReplicasOptimizer.apply_gradient should be called before using the hook."
            )
        self._ready_for_local_init_op = opt.ready_for_local_init_op
        if self._is_chief:
            self._local_init_op = opt.chief_init_op
            self._q_runner = opt.get_chief_queue_runner()
            self._init_tokens_op = opt.get_init_tokens_op(self._num_tokens)
        else:
            self._local_init_op = opt.local_step_init_op
            self._q_runner = None
            self._init_tokens_op = None

    def after_create_session(self, session, coord) -> None:
        from tfgraph.training.monitored_session import _ready

        ready, message = _ready(session, self._ready_for_local_init_op)
        if not ready:
            raise RuntimeError(
                "Init operations did not make model ready for SyncReplicasOptimizer local_init. "
                f"Init op: {self._local_init_op.name}, error: {message}"
            )
        session.run(self._local_init_op)
        if self._init_tokens_op is not None:
            session.run(self._init_tokens_op)
        if self._q_runner is not None:
            self._q_runner.create_threads(session, coord=coord, daemon=True, start=True)

"""TF 1.15's `tf.contrib.opt` optimizers most TF1 programs use.

- `LazyAdamOptimizer`: Adam whose sparse updates touch only the gradient's rows
  (moments included); dense gradients as `AdamOptimizer`.
- `DecoupledWeightDecayExtension`, `extend_with_decoupled_weight_decay`,
  `AdamWOptimizer`, `MomentumWOptimizer`: decay the weights (`var -= wd * var`) before
  the base optimizer's update (Loshchilov & Hutter); `minimize`/`apply_gradients` take
  `decay_var_list`.
- `NadamOptimizer`: Adam with Nesterov momentum (`ApplyAdam(use_nesterov=True)`).
- `AddSignOptimizer`, `PowerSignOptimizer` (Bello et al. 2017), slot `m`.
- `MovingAverageOptimizer`: an optimizer wrapper keeping zero-debiased moving averages
  of the trained variables, with `swapping_saver`.
- `ScipyOptimizerInterface`: runs `scipy.optimize.minimize` on a session's loss
  (L-BFGS-B by default; equalities, inequalities, variable bounds).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.default_session import get_default_session
from tfgraph.framework.graph import get_default_graph
from tfgraph.gradients import gradients
from tfgraph.logging import info
from tfgraph.ops import array_ops, control_flow_ops, math_ops, state_ops, training_ops
from tfgraph.partitioned_variables import PartitionedVariable
from tfgraph.training import optimizer
from tfgraph.training.adam import AdamOptimizer
from tfgraph.training.momentum import MomentumOptimizer
from tfgraph.training.moving_averages import ExponentialMovingAverage
from tfgraph.training.saver import Saver, op_list_to_dict
from tfgraph.variables import global_variables, trainable_variables

__all__ = [
    "AdamWOptimizer",
    "AddSignOptimizer",
    "DecoupledWeightDecayExtension",
    "ExternalOptimizerInterface",
    "LazyAdamOptimizer",
    "MomentumWOptimizer",
    "MovingAverageOptimizer",
    "NadamOptimizer",
    "PowerSignOptimizer",
    "ScipyOptimizerInterface",
    "extend_with_decoupled_weight_decay",
]


def _hyper(opt, var, *names):
    dtype = var.dtype.base_dtype
    return [array_ops.cast(getattr(opt, n), dtype) for n in names]


class LazyAdamOptimizer(AdamOptimizer):
    """Adam that, for sparse gradients, updates the moments and the variable only in
    the rows the gradient names (m and v elsewhere keep their values)."""

    def _apply_sparse(self, grad, var):
        beta1_power, beta2_power = self._get_beta_accumulators()
        dtype = var.dtype.base_dtype
        beta1_power = array_ops.cast(beta1_power, dtype)
        beta2_power = array_ops.cast(beta2_power, dtype)
        lr_t, beta1_t, beta2_t, epsilon_t = _hyper(
            self, var, "_lr_t", "_beta1_t", "_beta2_t", "_epsilon_t"
        )
        lr = lr_t * math_ops.sqrt(1 - beta2_power) / (1 - beta1_power)
        rows = grad.indices
        m = self.get_slot(var, "m")
        m_t = state_ops.scatter_update(
            m,
            rows,
            beta1_t * array_ops.gather(m, rows) + (1 - beta1_t) * grad.values,
            use_locking=self._use_locking,
        )
        v = self.get_slot(var, "v")
        v_t = state_ops.scatter_update(
            v,
            rows,
            beta2_t * array_ops.gather(v, rows) + (1 - beta2_t) * math_ops.square(grad.values),
            use_locking=self._use_locking,
        )
        m_rows = array_ops.gather(m_t, rows)
        v_rows = array_ops.gather(v_t, rows)
        var_update = state_ops.scatter_sub(
            var,
            rows,
            lr * m_rows / (math_ops.sqrt(v_rows) + epsilon_t),
            use_locking=self._use_locking,
        )
        return control_flow_ops.group(var_update, m_t, v_t)


class DecoupledWeightDecayExtension:
    """Mix-in (first base) adding decoupled weight decay to an optimizer class: each
    step first does `var -= weight_decay * var` (only for `decay_var_list` when given),
    then the base optimizer's update."""

    def __init__(self, weight_decay, **kwargs):
        self._decay_var_list = None
        self._weight_decay = weight_decay
        self._weight_decay_tensor = None
        super().__init__(**kwargs)

    def minimize(
        self,
        loss,
        global_step=None,
        var_list=None,
        gate_gradients=optimizer.Optimizer.GATE_OP,
        aggregation_method=None,
        colocate_gradients_with_ops=False,
        name=None,
        grad_loss=None,
        decay_var_list=None,
    ):
        self._decay_var_list = set(decay_var_list) if decay_var_list else False
        return super().minimize(
            loss,
            global_step=global_step,
            var_list=var_list,
            gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops,
            name=name,
            grad_loss=grad_loss,
        )

    def apply_gradients(self, grads_and_vars, global_step=None, name=None, decay_var_list=None):
        self._decay_var_list = set(decay_var_list) if decay_var_list else False
        return super().apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def _prepare(self):
        weight_decay = self._weight_decay
        if callable(weight_decay):
            weight_decay = weight_decay()
        self._weight_decay_tensor = convert_to_tensor(weight_decay, name="weight_decay")
        super()._prepare()

    def _decays(self, var) -> bool:
        return not self._decay_var_list or var in self._decay_var_list

    def _decay_weights_op(self, var):
        if self._decays(var):
            return var.assign_sub(self._weight_decay * var, self._use_locking)
        return control_flow_ops.no_op()

    def _decay_weights_sparse_op(self, var, indices):
        if self._decays(var):
            update = -self._weight_decay * array_ops.gather(var, indices)
            return state_ops.scatter_add(var, indices, update, self._use_locking)
        return control_flow_ops.no_op()

    def _apply_dense(self, grad, var):
        with get_default_graph().control_dependencies([self._decay_weights_op(var)]):
            return super()._apply_dense(grad, var)

    def _apply_sparse(self, grad, var):
        decay = self._decay_weights_sparse_op(var, grad.indices)
        with get_default_graph().control_dependencies([decay]):
            return super()._apply_sparse(grad, var)


def extend_with_decoupled_weight_decay(base_optimizer):
    """A subclass of `base_optimizer` with decoupled weight decay: its constructor
    takes `weight_decay` first, and `minimize`/`apply_gradients` accept
    `decay_var_list`."""

    class OptimizerWithDecoupledWeightDecay(DecoupledWeightDecayExtension, base_optimizer):
        """`base_optimizer` whose steps also decay the variables."""

        def __init__(self, weight_decay, *args, **kwargs):
            # as TF 1.15: the base optimizer's arguments must be passed by keyword
            # (positional ones reach the extension's __init__, a TypeError)
            super().__init__(weight_decay, *args, **kwargs)

    return OptimizerWithDecoupledWeightDecay


class MomentumWOptimizer(DecoupledWeightDecayExtension, MomentumOptimizer):
    """Momentum with decoupled weight decay (SGDW); slot "momentum"."""

    def __init__(
        self,
        weight_decay,
        learning_rate,
        momentum,
        use_locking=False,
        name="MomentumW",
        use_nesterov=False,
    ):
        super().__init__(
            weight_decay,
            learning_rate=learning_rate,
            momentum=momentum,
            use_locking=use_locking,
            name=name,
            use_nesterov=use_nesterov,
        )


class AdamWOptimizer(DecoupledWeightDecayExtension, AdamOptimizer):
    """Adam with decoupled weight decay; slots "m", "v"."""

    def __init__(
        self,
        weight_decay,
        learning_rate=0.001,
        beta1=0.9,
        beta2=0.999,
        epsilon=1e-8,
        use_locking=False,
        name="AdamW",
    ):
        super().__init__(
            weight_decay,
            learning_rate=learning_rate,
            beta1=beta1,
            beta2=beta2,
            epsilon=epsilon,
            use_locking=use_locking,
            name=name,
        )


class NadamOptimizer(AdamOptimizer):
    """Adam with Nesterov momentum (Dozat, 2015); slots "m", "v"."""

    def __init__(
        self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08, use_locking=False,
        name="Adam",
    ):  # fmt: skip
        super().__init__(
            learning_rate=learning_rate,
            beta1=beta1,
            beta2=beta2,
            epsilon=epsilon,
            use_locking=use_locking,
            name=name,
        )

    def _apply_dense(self, grad, var):
        m = self.get_slot(var, "m")
        v = self.get_slot(var, "v")
        beta1_power, beta2_power = self._get_beta_accumulators()
        dtype = var.dtype.base_dtype
        return training_ops.op_of(
            training_ops.apply_adam(
                var,
                m,
                v,
                array_ops.cast(beta1_power, dtype),
                array_ops.cast(beta2_power, dtype),
                *_hyper(self, var, "_lr_t", "_beta1_t", "_beta2_t", "_epsilon_t"),
                grad,
                use_locking=self._use_locking,
                use_nesterov=True,
            )
        )

    def _apply_sparse_shared(self, grad, var, indices, scatter_add):
        beta1_power, beta2_power = self._get_beta_accumulators()
        dtype = var.dtype.base_dtype
        beta1_power = array_ops.cast(beta1_power, dtype)
        beta2_power = array_ops.cast(beta2_power, dtype)
        lr_t, beta1_t, beta2_t, epsilon_t = _hyper(
            self, var, "_lr_t", "_beta1_t", "_beta2_t", "_epsilon_t"
        )
        lr = lr_t * math_ops.sqrt(1 - beta2_power) / (1 - beta1_power)
        g = get_default_graph()
        m = self.get_slot(var, "m")
        m_scaled = grad * (1 - beta1_t)
        m_t = state_ops.assign(m, m * beta1_t, use_locking=self._use_locking)
        with g.control_dependencies([m_t]):
            m_t = scatter_add(m, indices, m_scaled)
            m_bar = m_scaled + beta1_t * array_ops.gather(m_t, indices)
        v = self.get_slot(var, "v")
        v_scaled = (grad * grad) * (1 - beta2_t)
        v_t = state_ops.assign(v, v * beta2_t, use_locking=self._use_locking)
        with g.control_dependencies([v_t]):
            v_t = scatter_add(v, indices, v_scaled)
        v_sqrt = math_ops.sqrt(array_ops.gather(v_t, indices))
        var_update = scatter_add(var, indices, -lr * m_bar / (v_sqrt + epsilon_t))
        return control_flow_ops.group(*[var_update, m_bar, v_t])


class _SignOptimizer(optimizer.Optimizer):
    """Shared by AddSign and PowerSign: slot "m" (moving average of gradients) and an
    optional `sign_decay_fn(global_step)`."""

    def __init__(self, learning_rate, beta, sign_decay_fn, use_locking, name):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._beta = beta
        self._sign_decay_fn = sign_decay_fn
        self._lr_t = None
        self._beta_t = None
        self._sign_decay_t = None

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        if self._sign_decay_fn is not None:
            self._sign_decay_t = convert_to_tensor(
                self._sign_decay_fn(global_step), name="sign_decay"
            )
        return super().apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "m", self._name)

    def _prepare(self):
        self._lr_t = convert_to_tensor(self._lr, name="learning_rate")
        self._beta_t = convert_to_tensor(self._beta, name="beta")
        if self._sign_decay_fn is None:
            self._sign_decay_t = convert_to_tensor(1.0, name="sign_decay")

    def _multiplier(self, sign_gm, var):
        raise NotImplementedError

    def _update(self, grad_dense, grad_values, rows, var):
        """m = beta m + (1 - beta) g; var -= lr * multiplier(sign(g) sign(m)) * g (in
        `rows` only when `rows` is given)."""
        lr_t, beta_t = _hyper(self, var, "_lr_t", "_beta_t")
        m = self.get_slot(var, "m")
        m_t = state_ops.assign(
            m, m * beta_t + grad_dense * (1 - beta_t), use_locking=self._use_locking
        )
        sign_m = math_ops.sign(m_t) if rows is None else array_ops.gather(math_ops.sign(m_t), rows)
        sign_gm = sign_m * math_ops.sign(grad_values)
        step = lr_t * self._multiplier(sign_gm, var) * grad_values
        if rows is None:
            var_update = state_ops.assign_sub(var, step, use_locking=self._use_locking)
        else:
            var_update = state_ops.scatter_sub(var, rows, step, use_locking=self._use_locking)
        return control_flow_ops.group(*[var_update, m_t])

    def _apply_dense(self, grad, var):
        return self._update(grad, grad, None, var)

    def _apply_sparse(self, grad, var):
        dense = math_ops.unsorted_segment_sum(grad.values, grad.indices, array_ops.shape(var)[0])
        return self._update(dense, grad.values, grad.indices, var)


class AddSignOptimizer(_SignOptimizer):
    """AddSign: `var -= lr * (alpha + sign_decay * sign(g) * sign(m)) * g`."""

    def __init__(
        self, learning_rate=0.1, alpha=1.0, beta=0.9, sign_decay_fn=None, use_locking=False,
        name="AddSignOptimizer",
    ):  # fmt: skip
        super().__init__(learning_rate, beta, sign_decay_fn, use_locking, name)
        self._alpha = alpha
        self._alpha_t = None

    def _prepare(self):
        super()._prepare()
        self._alpha_t = convert_to_tensor(self._alpha, name="alpha")

    def _multiplier(self, sign_gm, var):
        alpha_t, decay_t = _hyper(self, var, "_alpha_t", "_sign_decay_t")
        return alpha_t + decay_t * sign_gm


class PowerSignOptimizer(_SignOptimizer):
    """PowerSign: `var -= lr * base ** (sign_decay * sign(g) * sign(m)) * g`."""

    def __init__(
        self, learning_rate=0.1, base=math.e, beta=0.9, sign_decay_fn=None, use_locking=False,
        name="PowerSignOptimizer",
    ):  # fmt: skip
        super().__init__(learning_rate, beta, sign_decay_fn, use_locking, name)
        self._logbase = math.log(base)
        self._logbase_t = None

    def _prepare(self):
        super()._prepare()
        self._logbase_t = convert_to_tensor(self._logbase, name="logbase")

    def _multiplier(self, sign_gm, var):
        logbase_t, decay_t = _hyper(self, var, "_logbase_t", "_sign_decay_t")
        return math_ops.exp(logbase_t * decay_t * sign_gm)


class MovingAverageOptimizer(optimizer.Optimizer):
    """Wraps `opt`; `apply_gradients` also maintains zero-debiased exponential moving
    averages of the updated variables (after the update when `sequential_update`)."""

    def __init__(self, opt, average_decay=0.9999, num_updates=None, sequential_update=True):
        self._optimizer = opt
        self._ema = ExponentialMovingAverage(
            average_decay, num_updates=num_updates, zero_debias=True
        )
        self._swapped_variable_name_map = None
        self._sequential_update = sequential_update

    def compute_gradients(self, *args, **kwargs):
        return self._optimizer.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        train_op = self._optimizer.apply_gradients(
            grads_and_vars, global_step=global_step, name=name
        )
        var_list = [v for g, v in grads_and_vars if g is not None]
        self._swapped_variable_name_map = {}
        if self._sequential_update:
            with get_default_graph().control_dependencies([train_op]):
                ma_op = self._ema.apply(var_list)
        else:
            ma_op = self._ema.apply(var_list)
        for v in var_list:
            v_avg = self._ema.average(v)
            self._swapped_variable_name_map[v.op.name] = v_avg.op.name
            self._swapped_variable_name_map[v_avg.op.name] = v.op.name
        return control_flow_ops.group(train_op, ma_op, name="train_with_avg")

    def _find_swapped_variable(self, by_name, name, tensor):
        swapped = self._swapped_variable_name_map.get(name)
        if swapped is None:
            return tensor
        if swapped in by_name:
            return by_name[swapped]
        raise ValueError(
            f"Variable to swap {swapped} is not part of variables to save. "
            "This breaks MovingAverageOptimizer."
        )

    def swapping_saver(self, var_list=None, name="swapping_saver", **kwargs):
        """A Saver storing each trained variable's moving average under the variable's
        name (and the variable under its average's name).

        Raises:
          RuntimeError: before `apply_gradients` or `minimize` was called.
        """
        if self._swapped_variable_name_map is None:
            raise RuntimeError(
                "Must call apply_gradients or minimize before creating the swapping_saver"
            )
        if var_list is None:
            var_list = global_variables()
        if not isinstance(var_list, dict):
            var_list = op_list_to_dict(var_list)
        by_name = {}
        for key, item in var_list.items():
            if isinstance(item, (list, PartitionedVariable)):
                for part in item:
                    by_name[part.op.name] = part
            else:
                by_name[key] = item
        swapped = {}
        for key, item in var_list.items():
            if isinstance(item, list):
                swapped[key] = [
                    self._find_swapped_variable(by_name, part.op.name, part) for part in item
                ]
            else:
                swapped[key] = self._find_swapped_variable(by_name, key, item)
        return Saver(swapped, name=name, **kwargs)


def _shape_tuple(tensor):
    return tuple(tensor.shape.as_list())


def _compute_gradients(tensor, var_list):
    grads = gradients(tensor, var_list)
    return [g if g is not None else array_ops.zeros_like(v) for v, g in zip(var_list, grads)]


class ExternalOptimizerInterface:
    """Base of interfaces to optimizers outside the graph: the variables are packed in
    one vector, fed by value while the external algorithm evaluates the loss,
    constraints and their gradients, and assigned at the end. Subclasses implement
    `_minimize`."""

    def __init__(
        self, loss, var_list=None, equalities=None, inequalities=None, var_to_bounds=None,
        **optimizer_kwargs,
    ):  # fmt: skip
        self._loss = loss
        self._equalities = equalities or []
        self._inequalities = inequalities or []
        self._vars = trainable_variables() if var_list is None else list(var_list)
        packed_bounds = None
        if var_to_bounds is not None:
            lows, highs = [], []
            for var in self._vars:
                shape = var.get_shape().as_list()
                bounds = var_to_bounds.get(var, (-np.inf, np.inf))
                lows.extend(list(np.broadcast_to(bounds[0], shape).flat))
                highs.extend(list(np.broadcast_to(bounds[1], shape).flat))
            packed_bounds = list(zip(lows, highs))
        self._packed_bounds = packed_bounds
        self._update_placeholders = [array_ops.placeholder(var.dtype) for var in self._vars]
        self._var_updates = [
            var.assign(array_ops.reshape(ph, _shape_tuple(var)))
            for var, ph in zip(self._vars, self._update_placeholders)
        ]
        loss_grads = _compute_gradients(loss, self._vars)
        eq_grads = [_compute_gradients(e, self._vars) for e in self._equalities]
        ineq_grads = [_compute_gradients(i, self._vars) for i in self._inequalities]
        self.optimizer_kwargs = optimizer_kwargs
        self._packed_var = self._pack(self._vars)
        self._packed_loss_grad = self._pack(loss_grads)
        self._packed_equality_grads = [self._pack(g) for g in eq_grads]
        self._packed_inequality_grads = [self._pack(g) for g in ineq_grads]
        sizes = [int(np.prod(_shape_tuple(var), dtype=np.int64)) for var in self._vars]
        ends = np.cumsum([0, *sizes])
        self._packing_slices = [slice(int(a), int(b)) for a, b in itertools.pairwise(ends)]

    def minimize(
        self, session=None, feed_dict=None, fetches=None, step_callback=None,
        loss_callback=None, **run_kwargs,
    ):  # fmt: skip
        """Runs the external optimizer to convergence, then assigns the variables.

        `loss_callback(*fetched)` runs after every loss evaluation with the values of
        `fetches`; `step_callback(packed_values)` after every step.
        """
        session = session or get_default_session()
        feed_dict = feed_dict or {}
        fetches = fetches or []
        loss_callback = loss_callback or (lambda *fetched: None)
        step_callback = step_callback or (lambda xk: None)
        loss_grad_func = self._make_eval_func(
            [self._loss, self._packed_loss_grad], session, feed_dict, fetches, loss_callback
        )
        eq_funcs = self._make_eval_funcs(self._equalities, session, feed_dict, fetches)
        eq_grad_funcs = self._make_eval_funcs(
            self._packed_equality_grads, session, feed_dict, fetches
        )
        ineq_funcs = self._make_eval_funcs(self._inequalities, session, feed_dict, fetches)
        ineq_grad_funcs = self._make_eval_funcs(
            self._packed_inequality_grads, session, feed_dict, fetches
        )
        initial = session.run(self._packed_var)
        packed = self._minimize(
            initial_val=initial,
            loss_grad_func=loss_grad_func,
            equality_funcs=eq_funcs,
            equality_grad_funcs=eq_grad_funcs,
            inequality_funcs=ineq_funcs,
            inequality_grad_funcs=ineq_grad_funcs,
            packed_bounds=self._packed_bounds,
            step_callback=step_callback,
            optimizer_kwargs=self.optimizer_kwargs,
        )
        values = [packed[s] for s in self._packing_slices]
        session.run(
            self._var_updates,
            feed_dict=dict(zip(self._update_placeholders, values)),
            **run_kwargs,
        )

    def _minimize(
        self, initial_val, loss_grad_func, equality_funcs, equality_grad_funcs,
        inequality_funcs, inequality_grad_funcs, packed_bounds, step_callback, optimizer_kwargs,
    ):  # fmt: skip
        raise NotImplementedError(
            "To use ExternalOptimizerInterface, subclass from it and implement "
            "the _minimize() method."
        )

    @classmethod
    def _pack(cls, tensors):
        if not tensors:
            return None
        if len(tensors) == 1:
            return array_ops.reshape(tensors[0], [-1])
        return array_ops.concat([array_ops.reshape(t, [-1]) for t in tensors], 0)

    def _make_eval_func(self, tensors, session, feed_dict, fetches, callback=None):
        if not isinstance(tensors, list):
            tensors = [tensors]
        count = len(tensors)

        def eval_func(x):
            feeds = {
                var: x[s].reshape(_shape_tuple(var))
                for var, s in zip(self._vars, self._packing_slices)
            }
            feeds.update(feed_dict)
            values = session.run(tensors + list(fetches), feed_dict=feeds)
            if callable(callback):
                callback(*values[count:])
            return values[:count]

        return eval_func

    def _make_eval_funcs(self, tensors, session, feed_dict, fetches, callback=None):
        return [self._make_eval_func(t, session, feed_dict, fetches, callback) for t in tensors]


class ScipyOptimizerInterface(ExternalOptimizerInterface):
    """`scipy.optimize.minimize` driving a session (method "L-BFGS-B" unless given as
    `method=`; other keyword arguments go to scipy):

        opt = ScipyOptimizerInterface(loss, options={"maxiter": 100})
        opt.minimize(sess)
    """

    _DEFAULT_METHOD = "L-BFGS-B"

    def _minimize(
        self, initial_val, loss_grad_func, equality_funcs, equality_grad_funcs,
        inequality_funcs, inequality_grad_funcs, packed_bounds, step_callback, optimizer_kwargs,
    ):  # fmt: skip
        def loss_and_grad(x):
            loss, grad = loss_grad_func(x)
            return np.float64(loss), grad.astype("float64")

        def as_float64(func):
            # scipy's SLSQP accepts only float64 constraint values and jacobians
            return lambda x: np.asarray(func(x), dtype=np.float64)

        optimizer_kwargs = dict(optimizer_kwargs.items())
        method = optimizer_kwargs.pop("method", self._DEFAULT_METHOD)
        constraints = [
            {"type": "eq", "fun": as_float64(f), "jac": as_float64(g)}
            for f, g in zip(equality_funcs, equality_grad_funcs)
        ]
        constraints += [
            {"type": "ineq", "fun": as_float64(f), "jac": as_float64(g)}
            for f, g in zip(inequality_funcs, inequality_grad_funcs)
        ]
        kwargs = {
            "jac": True,
            "callback": step_callback,
            "method": method,
            "constraints": constraints,
            "bounds": packed_bounds,
        }
        for key in kwargs:
            if key in optimizer_kwargs:
                if key == "bounds":
                    raise ValueError("Bounds must be set using the var_to_bounds argument")
                raise ValueError(
                    f"Optimizer keyword arg '{key}' is set automatically and cannot be "
                    "injected manually"
                )
        kwargs.update(optimizer_kwargs)
        import scipy.optimize

        if not kwargs["constraints"] and method.upper() not in ("COBYLA", "SLSQP", "TRUST-CONSTR"):
            kwargs.pop("constraints")  # newer scipy warns about constraints it ignores
        x0 = np.asarray(initial_val, dtype=np.float64)
        result = scipy.optimize.minimize(loss_and_grad, x0, **kwargs)
        lines = [
            "Optimization terminated with:",
            "  Message: %s",
            "  Objective function value: %f",
        ]
        args = [result.message, result.fun]
        if hasattr(result, "nit"):
            lines.append("  Number of iterations: %d")
            args.append(result.nit)
        if hasattr(result, "nfev"):
            lines.append("  Number of functions evaluations: %d")
            args.append(result.nfev)
        info("\n".join(lines), *args)
        return result["x"]

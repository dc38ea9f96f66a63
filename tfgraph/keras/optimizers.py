"""`tf.keras.optimizers` as TF 2.21's Keras 2 (tf_keras) defines them: SGD, Adam, RMSprop,
Adagrad, Adadelta, Adamax, Ftrl and Nadam with its update formulas and defaults (epsilon
1e-7), `serialize`/`deserialize`/`get`, and the `legacy` and `schedules` namespaces, for
gradients from a `tf.GradientTape` (`apply_gradients`, `minimize` with a callable loss)
eagerly or in a `tf.function`, and for graph-mode losses in a session
(`minimize(loss_tensor, var_list)`).

Slot variables (`m`, `v`, `momentum`, ...) are made on a variable's first update, and
`iterations` counts the steps. Sparse (IndexedSlices) gradients are applied densely,
except as said below.

Building a TF1 graph (not eagerly, not in a tf.function), `tf.keras.optimizers` are Keras
2's legacy optimizers, and so are these: the variables are named as theirs
(`<scope>/Adam/iter`, `beta_1`, `decay`, `learning_rate`, `<scope>/Adam/<var>/m`), the
hyperparameters are read from them, RMSprop without momentum and Adagrad add epsilon
after the square root, and slot updates run before the variable's update reads them.
A dense gradient of a resource variable is applied by one of TF's fused ResourceApply*
kernels, as there (all but Nadam, and RMSprop without momentum). Unlike TF there,
`minimize` also takes a loss tensor (TF asks for a tape); `get_updates` is the legacy way.
There Adadelta, Adamax, Ftrl and Nadam update only the rows of a sparse (IndexedSlices)
gradient, and Nadam's `decay` (0.004) slows its momentum schedule.
"""

from __future__ import annotations

from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.keras import optimizers_schedules as schedules
from tfgraph.keras.optimizer_base import Optimizer, _legacy_graph, _variable

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "Adamax",
    "Ftrl",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]


class SGD(Optimizer):
    """Gradient descent, with momentum and Nesterov momentum."""

    _config_keys = ("momentum", "nesterov")

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD", **kwargs):
        super().__init__(learning_rate, name, **kwargs)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError("`momentum` must be between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov
        self._slot_names = ("m",) if momentum else ()

    def _legacy_hyper_values(self) -> dict:
        return {**super()._legacy_hyper_values(), "momentum": float(self.momentum)}

    def _legacy_slot_name(self, name: str) -> str:
        return "momentum"

    def update_step(self, grad, var, lr):
        if self._fused(grad, var):
            return self._fused_update(grad, var, lr)
        lr = self._hyper(lr, var)
        if not self.momentum:
            return var.assign_add(-grad * lr, read_value=False)
        m = self._slot(var, "m")
        momentum = self._hyper_value("momentum", self.momentum, var)
        update = m.assign(-grad * lr + m * momentum, read_value=False)
        with self._after(update):
            if self.nesterov:
                return var.assign_add(-grad * lr + m * momentum, read_value=False)
            return var.assign_add(m.read_value(), read_value=False)

    def _fused_update(self, grad, var, lr):
        """ResourceApplyGradientDescent, or ResourceApplyKerasMomentum with momentum."""
        from tfgraph.ops import training_ops as T

        lr = self._hyper(lr, var)
        if not self.momentum:
            return T.op_of(T.apply_gradient_descent(var, lr, grad))
        momentum = self._hyper_value("momentum", self.momentum, var)
        return T.resource_apply_keras_momentum(
            var, self._slot(var, "m"), lr, grad, momentum, use_nesterov=self.nesterov
        )


class Adam(Optimizer):
    """Adam (Kingma & Ba), Keras's formulation (epsilon 1e-7)."""

    _config_keys = ("beta_1", "beta_2", "epsilon", "amsgrad")

    _slot_names = ("m", "v")

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        name="Adam",
        **kwargs,
    ):
        super().__init__(learning_rate, name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad
        if amsgrad:
            self._slot_names = ("m", "v", "vhat")

    def _legacy_hyper_values(self) -> dict:
        return {
            **super()._legacy_hyper_values(),
            "beta_1": float(self.beta_1),
            "beta_2": float(self.beta_2),
        }

    def update_step(self, grad, var, lr):
        from tfgraph.ops import array_ops, math_ops

        if not self.amsgrad and self._fused(grad, var):
            return self._resource_apply_adam(grad, var, lr)
        lr = self._hyper(lr, var)
        step = array_ops.cast(self.iterations.value() + 1, var.dtype)
        beta_1 = self._hyper_value("beta_1", self.beta_1, var)
        beta_2 = self._hyper_value("beta_2", self.beta_2, var)
        beta_1_power = math_ops.pow(beta_1, step)
        beta_2_power = math_ops.pow(beta_2, step)
        m, v = self._slot(var, "m"), self._slot(var, "v")
        alpha = lr * math_ops.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m_update = m.assign_add((grad - m) * (1 - beta_1), read_value=False)
        v_update = v.assign_add((math_ops.square(grad) - v) * (1 - beta_2), read_value=False)
        if self.amsgrad:
            vhat = self._slot(var, "vhat")
            with self._after(v_update):
                v_update = vhat.assign(math_ops.maximum(vhat, v.read_value()), read_value=False)
            v = vhat
        eps = self._hyper(self.epsilon, var)
        with self._after(m_update, v_update):
            m_t, v_t = m.read_value(), v.read_value()
            return var.assign_sub((m_t * alpha) / (math_ops.sqrt(v_t) + eps), read_value=False)

    def _resource_apply_adam(self, grad, var, lr):
        """Keras 2's legacy Adam in a TF1 graph: one ResourceApplyAdam (TF's fused kernel)
        on the powers of beta_1 and beta_2 at step `iterations + 1`."""
        from tfgraph.ops import array_ops, math_ops, training_ops

        step = array_ops.cast(self.iterations.value() + 1, var.dtype)
        beta_1 = array_ops.identity(self._hyper_value("beta_1", self.beta_1, var))
        beta_2 = array_ops.identity(self._hyper_value("beta_2", self.beta_2, var))
        m, v = self._slot(var, "m"), self._slot(var, "v")
        return training_ops.op_of(
            training_ops.apply_adam(
                var, m, v, math_ops.pow(beta_1, step), math_ops.pow(beta_2, step),
                self._hyper(lr, var), beta_1, beta_2, self._hyper(self.epsilon, var), grad,
            )
        )  # fmt: skip


class RMSprop(Optimizer):
    """RMSprop with optional momentum and centering (Keras's formulation)."""

    _config_keys = ("rho", "momentum", "epsilon", "centered")

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-7,
        centered=False,
        name="RMSprop",
        **kwargs,
    ):
        super().__init__(learning_rate, name, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered
        names = ["velocity"]
        if momentum:
            names.append("momentum")
        if centered:
            names.append("average_gradient")
        self._slot_names = tuple(names)

    def _legacy_hyper_values(self) -> dict:
        return {
            **super()._legacy_hyper_values(),
            "momentum": float(self.momentum),
            "rho": float(self.rho),
        }

    def _legacy_slot_name(self, name: str) -> str:
        return {"velocity": "rms", "average_gradient": "mg"}.get(name, name)

    def update_step(self, grad, var, lr):
        from tfgraph.ops import math_ops

        if self.momentum and self._fused(grad, var):
            return self._fused_update(grad, var, lr)
        lr = self._hyper(lr, var)
        rho = self._hyper_value("rho", self.rho, var)
        velocity = self._slot(var, "velocity")
        updates = [
            velocity.assign(rho * velocity + (1 - rho) * math_ops.square(grad), read_value=False)
        ]
        eps = self._hyper(self.epsilon, var)
        if self.centered:
            average = self._slot(var, "average_gradient")
            updates.append(average.assign(rho * average + (1 - rho) * grad, read_value=False))
            with self._after(*updates):
                denominator = velocity.read_value() - math_ops.square(average.read_value())
        else:
            with self._after(*updates):
                denominator = velocity.read_value()
        if _legacy_graph() and not self.momentum:
            # TF1 graph mode runs Keras 2's legacy RMSprop: epsilon outside the root
            step = lr * grad / (math_ops.sqrt(denominator) + eps)
            return var.assign_sub(step, read_value=False)
        denominator = denominator + eps
        increment = lr * grad * math_ops.rsqrt(denominator)
        if self.momentum:
            momentum = self._slot(var, "momentum")
            update = momentum.assign(self._hyper(self.momentum, var) * momentum + increment, False)
            with self._after(update):
                return var.assign_add(-momentum.read_value(), read_value=False)
        return var.assign_add(-increment, read_value=False)

    def _fused_update(self, grad, var, lr):
        """With momentum, Keras 2's legacy RMSprop is ResourceApply(Centered)RMSProp."""
        from tfgraph.ops import training_ops as T

        args = (
            self._slot(var, "velocity"),
            self._slot(var, "momentum"),
            self._hyper(lr, var),
            self._hyper_value("rho", self.rho, var),
            self._hyper_value("momentum", self.momentum, var),
            self._hyper(self.epsilon, var),
            grad,
        )
        if self.centered:
            average = self._slot(var, "average_gradient")
            return T.op_of(T.apply_centered_rms_prop(var, average, *args))
        return T.op_of(T.apply_rms_prop(var, *args))


class Adagrad(Optimizer):
    """Adagrad: per-element learning rates from accumulated squared gradients."""

    _config_keys = ("initial_accumulator_value", "epsilon")

    _slot_names = ("accumulator",)

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value=0.1,
        epsilon=1e-7,
        name="Adagrad",
        **kwargs,
    ):
        super().__init__(learning_rate, name, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _slot_initial(self, slot: str) -> float:
        return self.initial_accumulator_value

    def update_step(self, grad, var, lr):
        from tfgraph.ops import math_ops

        lr = self._hyper(lr, var)
        acc = self._slot(var, "accumulator", self.initial_accumulator_value)
        if self._fused(grad, var):  # (Keras 2's legacy Adagrad: ResourceApplyAdagradV2)
            from tfgraph.ops import training_ops as T

            return T.op_of(T.apply_adagrad_v2(var, acc, lr, self._hyper(self.epsilon, var), grad))
        update = acc.assign_add(grad * grad, read_value=False)
        eps = self._hyper(self.epsilon, var)
        with self._after(update):
            if _legacy_graph():  # Keras 2's legacy Adagrad (TF1 graph mode)
                return var.assign_sub(lr * grad / (math_ops.sqrt(acc.read_value()) + eps), False)
            return var.assign_sub(lr * grad / math_ops.sqrt(acc.read_value() + eps), False)


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012) scaled by `learning_rate`: running averages of the squared
    gradients (`accum_grad`) and of the squared updates (`accum_var`)."""

    _config_keys = ("rho", "epsilon")
    _row_wise = True
    _slot_names = ("accumulated_grad", "accumulated_delta_var")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name="Adadelta", **kwargs):
        super().__init__(learning_rate, name, **kwargs)
        self.rho, self.epsilon = rho, epsilon or 1e-7

    def _legacy_hyper_values(self) -> dict:
        return {**super()._legacy_hyper_values(), "rho": float(self.rho)}

    def _legacy_slot_name(self, name: str) -> str:
        return {"accumulated_grad": "accum_grad", "accumulated_delta_var": "accum_var"}[name]

    def update_step(self, grad, var, lr):
        from tfgraph.ops import math_ops

        lr = self._hyper(lr, var)
        rho = self._hyper_value("rho", self.rho, var)
        eps = self._hyper(self.epsilon, var)
        if self._fused(grad, var):  # (Keras 2's legacy Adadelta: ResourceApplyAdadelta)
            from tfgraph.ops import training_ops as T

            slots = [self._slot(var, name, self._slot_initial(name)) for name in self._slot_names]
            return T.op_of(T.apply_adadelta(var, *slots, lr, rho, eps, grad))

        def rows(grad, w, slots):
            accum, accum_update = slots
            accum = rho * accum + (1 - rho) * math_ops.square(grad)
            step = math_ops.sqrt(accum_update + eps) / math_ops.sqrt(accum + eps) * grad
            accum_update = rho * accum_update + (1 - rho) * math_ops.square(step)
            return w - lr * step, [accum, accum_update]

        return self._update_rows(grad, var, self._slot_names, rows)


class Adamax(Optimizer):
    """Adamax (Adam with the infinity norm): `m` the moving mean of the gradients, `u`
    the decaying maximum of their magnitudes (`v` in a TF1 graph, as Keras 2 names it)."""

    _config_keys = ("beta_1", "beta_2", "epsilon")
    _row_wise = True
    _slot_names = ("m", "u")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="Adamax", **kwargs):  # fmt: skip
        super().__init__(learning_rate, name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon or 1e-7

    def _legacy_hyper_values(self) -> dict:
        values = {"beta_1": float(self.beta_1), "beta_2": float(self.beta_2)}
        return {**super()._legacy_hyper_values(), **values}

    def _legacy_slot_name(self, name: str) -> str:
        return "v" if name == "u" else name

    def update_step(self, grad, var, lr):
        from tfgraph.ops import array_ops, math_ops

        lr = self._hyper(lr, var)
        step = array_ops.cast(self.iterations.value() + 1, var.dtype)
        beta_1 = self._hyper_value("beta_1", self.beta_1, var)
        beta_2 = self._hyper_value("beta_2", self.beta_2, var)
        eps = self._hyper(self.epsilon, var)
        if self._fused(grad, var):  # (Keras 2's legacy Adamax: ResourceApplyAdaMax)
            from tfgraph.ops import training_ops as T

            m, u = self._slot(var, "m"), self._slot(var, "u")
            beta_1_power = math_ops.pow(beta_1, step)
            return T.op_of(T.apply_ada_max(var, m, u, beta_1_power, lr, beta_1, beta_2, eps, grad))
        scale = lr / (1 - math_ops.pow(beta_1, step))

        def rows(grad, w, slots):
            m = beta_1 * slots[0] + (1 - beta_1) * grad
            u = math_ops.maximum(beta_2 * slots[1], math_ops.abs(grad))
            return w - scale * m / (u + eps), [m, u]

        return self._update_rows(grad, var, ("m", "u"), rows)


class Ftrl(Optimizer):
    """FTRL-proximal (McMahan et al. 2013) with L1, L2 and L2-shrinkage penalties;
    `beta` adds `beta / (2 * learning_rate)` to the L2 strength.

    Raises:
        ValueError: for a negative accumulator value or strength, or a positive
            `learning_rate_power`.
    """

    _row_wise = True
    _slot_names = ("accumulator", "linear")
    _slots_per_variable = True
    _config_keys = ("initial_accumulator_value", "learning_rate_power",
                    "l1_regularization_strength", "l2_regularization_strength", "beta",
                    "l2_shrinkage_regularization_strength")  # fmt: skip

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, name="Ftrl",
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, **kwargs):  # fmt: skip
        super().__init__(learning_rate, name, **kwargs)
        checks = [
            ("initial_accumulator_value", initial_accumulator_value, "positive or zero"),
            ("learning_rate_power", -learning_rate_power, "negative or zero"),
            ("l1_regularization_strength", l1_regularization_strength, "positive or zero"),
            ("l2_regularization_strength", l2_regularization_strength, "positive or zero"),
            ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
             "positive or zero"),
        ]  # fmt: skip
        for key, value, what in checks:
            if value < 0.0:
                raise ValueError(f"`{key}` needs to be {what}. Received: {key}={locals()[key]}.")
        self.initial_accumulator_value = initial_accumulator_value
        self.learning_rate_power = learning_rate_power
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def _slot_initial(self, slot: str) -> float:
        return self.initial_accumulator_value if slot == "accumulator" else 0.0

    def _legacy_hyper_values(self) -> dict:
        keys = ("learning_rate_power", "l1_regularization_strength",
                "l2_regularization_strength", "beta")  # fmt: skip
        return {**super()._legacy_hyper_values(), **{k: float(getattr(self, k)) for k in keys}}

    def update_step(self, grad, var, lr):
        from tfgraph.ops import math_ops

        lr = self._hyper(lr, var)
        power = self._hyper_value("learning_rate_power", self.learning_rate_power, var)
        l1 = self._hyper_value("l1_regularization_strength", self.l1_regularization_strength, var)
        l2 = self._hyper_value("l2_regularization_strength", self.l2_regularization_strength, var)
        l2 = l2 + self._hyper_value("beta", self.beta, var) / (2.0 * lr)
        shrinkage = self.l2_shrinkage_regularization_strength
        shrinkage_t = self._hyper(shrinkage, var)
        if self._fused(grad, var):  # (Keras 2's legacy Ftrl: ResourceApplyFtrl(V2))
            from tfgraph.ops import training_ops as T

            accum, linear = (self._slot(var, name, self._slot_initial(name))
                             for name in self._slot_names)  # fmt: skip
            if shrinkage <= 0.0:
                return T.op_of(T.apply_ftrl(var, accum, linear, grad, lr, l1, l2, power))
            return T.op_of(
                T.apply_ftrl_v2(var, accum, linear, grad, lr, l1, l2, shrinkage_t, power)
            )

        def rows(grad, w, slots):
            accum, linear = slots
            new_accum = accum + math_ops.square(grad)
            new_pow, old_pow = math_ops.pow(new_accum, -power), math_ops.pow(accum, -power)
            shrunk = grad + 2.0 * shrinkage_t * w if shrinkage > 0.0 else grad
            linear = linear + shrunk - (new_pow - old_pow) / lr * w
            x = math_ops.clip_by_value(linear, -l1, l1) - linear
            return x / (new_pow / lr + 2.0 * l2), [new_accum, linear]

        return self._update_rows(grad, var, self._slot_names, rows)


class Nadam(Optimizer):
    """Nesterov Adam (Dozat 2015) with its momentum schedule `beta_1 * (1 - 0.5 *
    0.96 ^ (decay * step))` whose running product a variable holds. In a TF1 graph (Keras
    2's legacy Nadam) `decay` is 0.004 (set by `schedule_decay`) and the product is the
    `momentum_cache` variable; eagerly (the newer Nadam) `decay` is 1 and the product is
    no listed variable. The learning rate itself is not decayed.

    Raises:
        ValueError: for a learning-rate schedule (Nadam takes none).
    """

    _config_keys = ("beta_1", "beta_2", "epsilon")
    _row_wise = True
    _slot_names = ("m", "v")
    _decays_learning_rate = False

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="Nadam", **kwargs):  # fmt: skip
        from tfgraph.keras.learning_rate_schedule import LearningRateSchedule

        kwargs["decay"] = kwargs.pop("schedule_decay", 0.004)
        if isinstance(kwargs.get("lr", learning_rate), LearningRateSchedule):
            raise ValueError(
                "The Nadam optimizer does not support tf.keras.optimizers."
                "LearningRateSchedules as the learning rate."
            )
        super().__init__(learning_rate, name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon or 1e-7
        self._m_cache = None
        self._coefficients: dict | None = None

    def _legacy_hyper_values(self) -> dict:
        values = {"beta_1": float(self.beta_1), "beta_2": float(self.beta_2)}
        return {**super()._legacy_hyper_values(), **values}

    def build(self, var_list) -> None:
        if self._m_cache is None:
            dtype = var_list[0].dtype.base_dtype
            if not _legacy_graph():
                self._m_cache = _variable(1.0, "Variable", dtype)
            else:
                self._legacy_hypers()
                from tfgraph.eager.function import init_scope
                from tfgraph.framework.graph import get_default_graph

                with init_scope(), get_default_graph().name_scope(self._legacy_scope):
                    self._m_cache = _variable(1.0, "momentum_cache", dtype)
        super().build(var_list)

    @property
    def variables(self) -> list:
        out = super().variables
        if self._m_cache is not None and self._hyper_variables is not None:
            out.insert(1, self._m_cache)  # (Keras 2's legacy Nadam lists it)
        return out

    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False):
        self._coefficients = None  # (the momentum schedule advances once per step)
        return super().apply_gradients(grads_and_vars, name, skip_gradients_aggregation)

    def _schedule_coefficients(self, var) -> dict:
        from tfgraph.ops import array_ops, math_ops

        if self._coefficients is None:
            dtype = var.dtype.base_dtype
            beta_1 = self._hyper_value("beta_1", self.beta_1, var)
            step = array_ops.cast(self.iterations.value() + 1, dtype)
            decay_base = array_ops.constant(0.96, dtype)
            decay = self._initial_decay if _legacy_graph() else 1.0
            m_t = beta_1 * (1.0 - 0.5 * math_ops.pow(decay_base, decay * step))
            m_t_1 = beta_1 * (1.0 - 0.5 * math_ops.pow(decay_base, decay * (step + 1.0)))
            m_schedule_new = self._m_cache.read_value() * m_t
            m_schedule_new = self._m_cache.assign(m_schedule_new)
            self._coefficients = {
                "m_t": m_t, "m_t_1": m_t_1, "step": step, "beta_1": beta_1,
                "m_schedule_new": m_schedule_new, "m_schedule_next": m_schedule_new * m_t_1,
            }  # fmt: skip
        return self._coefficients

    def update_step(self, grad, var, lr):
        from tfgraph.ops import math_ops

        c = self._schedule_coefficients(var)
        lr = self._hyper(lr, var)
        beta_1 = c["beta_1"]
        beta_2 = self._hyper_value("beta_2", self.beta_2, var)
        m, v = self._slot(var, "m"), self._slot(var, "v")
        if isinstance(grad, IndexedSlices):
            g = grad.values
            m_t, v_t = self._sparse_moments(grad, m, v, beta_1, beta_2)
        else:
            g = grad
            m_t = beta_1 * m + (1 - beta_1) * grad
            v_t = beta_2 * v + (1 - beta_2) * math_ops.square(grad)
        g_prime = g / (1.0 - c["m_schedule_new"])
        m_t_prime = m_t / (1.0 - c["m_schedule_next"])
        v_t_prime = v_t / (1.0 - math_ops.pow(beta_2, c["step"]))
        m_t_bar = (1.0 - c["m_t"]) * g_prime + c["m_t_1"] * m_t_prime
        eps = self._hyper(self.epsilon, var)
        step = lr * m_t_bar / (math_ops.sqrt(v_t_prime) + eps)
        if isinstance(grad, IndexedSlices):
            return var.scatter_sub(IndexedSlices(step, grad.indices))
        updates = [m.assign(m_t, read_value=False), v.assign(v_t, read_value=False)]
        with self._after(*updates):
            return var.assign_sub(step, read_value=False)

    def _sparse_moments(self, grad, m, v, beta_1, beta_2):
        """Keras 2's sparse Nadam: both moments decay everywhere, the gradient's rows
        get its share; returns their new rows."""
        from tfgraph.ops import array_ops, math_ops

        rows = []
        for slot, beta, g in [(m, beta_1, grad.values), (v, beta_2, math_ops.square(grad.values))]:
            decayed = slot.assign(slot.read_value() * beta, read_value=False)
            with self._after(decayed):
                added = slot.scatter_add(IndexedSlices(g * (1 - beta), grad.indices))
            with self._after(added):
                rows.append(array_ops.gather(slot.read_value(), grad.indices))
        return rows


_BY_NAME = {
    "sgd": SGD,
    "adadelta": Adadelta,
    "adagrad": Adagrad,
    "adam": Adam,
    "adamax": Adamax,
    "ftrl": Ftrl,
    "nadam": Nadam,
    "rmsprop": RMSprop,
}


def serialize(optimizer, use_legacy_format=False) -> dict:
    """`{"class_name": ..., "config": get_config()}` of an optimizer."""
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config, custom_objects=None, use_legacy_format=False, **kwargs):
    """The optimizer a `serialize` dict describes (class names matched in any case;
    custom classes from `custom_objects` or the registered objects).

    Raises:
        ValueError: if the class is unknown.
    """
    from tfgraph.keras.saving.serialization import deserialize_keras_object

    objects = {cls.__name__: cls for cls in _BY_NAME.values()}
    objects.update(_BY_NAME)
    if isinstance(config, dict) and str(config.get("class_name", "")).lower() in _BY_NAME:
        config = {**config, "class_name": str(config["class_name"]).lower()}
    return deserialize_keras_object(config, objects, custom_objects, "optimizer")


def get(identifier, **kwargs):
    """An optimizer from its name ("adam", "sgd", ...), a `serialize` dict, or itself.
    The one keyword argument, `use_legacy_optimizer`, changes nothing: tfgraph's Keras
    optimizers are Keras 2's legacy ones (as TF1 graph mode uses).

    Raises:
        TypeError: another keyword argument.
        ValueError: an identifier that names no optimizer.
    """
    kwargs.pop("use_legacy_optimizer", False)
    if kwargs:
        raise TypeError(
            f"Invalid keyword arguments: {kwargs} (tf.keras.optimizers.get takes only "
            "use_legacy_optimizer)"
        )
    if isinstance(identifier, Optimizer) or hasattr(identifier, "inner_optimizer"):
        return identifier  # (a LossScaleOptimizer wraps one)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")


def __getattr__(name):  # (`legacy` is no `__all__` name: it is made on first use)
    if name == "legacy":  # (imported on first use: it re-exports this module's classes)
        from tfgraph.keras import optimizers_legacy

        return optimizers_legacy
    raise AttributeError(f"module 'tfgraph.keras.optimizers' has no attribute {name!r}")

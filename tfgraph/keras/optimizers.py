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
Unlike TF there, `minimize` also takes a loss tensor (TF asks for a tape); `get_updates`
is the legacy way. There Adadelta, Adamax, Ftrl and Nadam update only the rows of a sparse
(IndexedSlices) gradient, and Nadam's `decay` (0.004) slows its momentum schedule.
"""

from __future__ import annotations

from tfgraph.eager import context
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.keras import optimizers_schedules as schedules

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


def _variable(value, name: str, dtype=None):
    from tfgraph.eager.function import init_scope
    from tfgraph.variables import Variable

    with init_scope():
        return Variable(value, name=name, dtype=dtype, trainable=False, use_resource=True)


class Optimizer:
    """The base of the Keras optimizers: slots per variable, `iterations`, updates."""

    _slot_names: tuple[str, ...] = ()
    # whether `decay` divides the rate by (1 + decay * iterations) (not Nadam's)
    _decays_learning_rate = True
    # Keras 2's legacy optimizers make each slot for every variable, except Ftrl
    _slots_per_variable = False
    # whether sparse (IndexedSlices) gradients update only their rows in a TF1 graph
    # (Keras 2's legacy optimizers; the newer ones apply them densely)
    _row_wise = False
    # the optimizers made only as Keras 2's legacy ones (TF1 graph mode)
    _legacy_only = False

    def __init__(self, learning_rate=0.001, name: str = "Optimizer", **kwargs) -> None:
        allowed = {"lr", "decay", "clipnorm", "clipvalue", "global_clipnorm"}
        for key in kwargs:
            if key not in allowed:
                raise TypeError(
                    f"Unexpected keyword argument passed to optimizer: {key}. Allowed kwargs "
                    f"are {sorted(allowed)}."
                )
        for key in ("clipnorm", "clipvalue", "global_clipnorm"):
            if kwargs.get(key) is not None:
                raise NotImplementedError(f"tfgraph's Keras optimizers have no `{key}` yet")
        if "lr" in kwargs:  # Keras 2's deprecated alias
            learning_rate = kwargs["lr"]
        self._initial_decay = float(kwargs.get("decay", 0.0))
        self.name = name
        self._learning_rate = learning_rate
        self._lr_variable = None
        self._iterations = None
        self._slots: dict[int, dict[str, object]] = {}
        self._built_vars: list = []
        self._hyper_variables: dict | None = None
        self._legacy_scope = ""

    # hyperparameters Keras 2's legacy optimizers keep as variables (TF1 graph mode)
    def _schedule(self):
        """The learning-rate schedule given as `learning_rate`, else None."""
        from tfgraph.keras.learning_rate_schedule import LearningRateSchedule

        lr = self._learning_rate
        return lr if isinstance(lr, LearningRateSchedule) else None

    def _legacy_hyper_values(self) -> dict:
        if self._schedule() is not None:  # (a schedule is no variable, as in Keras 2)
            return {"decay": self._initial_decay}
        return {"decay": self._initial_decay, "learning_rate": float(self._learning_rate)}

    def _legacy_hypers(self) -> dict:
        """In a TF1 graph, Keras 2's legacy optimizer variables: `<scope>/<name>/iter`,
        then the hyperparameters sorted by name (`beta_1`, `decay`, `learning_rate`...),
        so that checkpoints name them as TF does."""
        if self._hyper_variables is None:
            from tfgraph.eager.function import init_scope
            from tfgraph.framework.graph import get_default_graph

            with init_scope(), get_default_graph().name_scope(self.name) as scope:
                self._legacy_scope = scope  # (where Nadam's momentum_cache goes too)
                self._iterations = _variable(0, "iter", dtypes.int64)
                self._hyper_variables = {
                    key: _variable(float(value), key)
                    for key, value in sorted(self._legacy_hyper_values().items())
                }
            self._lr_variable = self._hyper_variables.get("learning_rate")
        return self._hyper_variables

    def _hyper_value(self, name: str, value, var):
        """A hyperparameter for an update: its variable in a TF1 graph, else the value."""
        if _legacy_graph():
            return array_ops_cast(self._legacy_hypers()[name].value(), var.dtype)
        return self._hyper(value, var)

    # -- state ------------------------------------------------------------------------------
    @property
    def iterations(self):
        if self._iterations is None:
            if _legacy_graph():
                self._legacy_hypers()
            else:
                self._iterations = _variable(0, "iteration", dtypes.int64)
        return self._iterations

    @property
    def learning_rate(self):
        if self._schedule() is not None:
            return self._schedule()
        if self._lr_variable is None:
            if _legacy_graph():
                self._legacy_hypers()
            else:
                self._lr_variable = _variable(float(self._learning_rate), "learning_rate")
        return self._lr_variable

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self.learning_rate.assign(value)

    lr = learning_rate

    @property
    def variables(self) -> list:
        """`iterations` and the slots: per variable, or (built in a TF1 graph, as Keras
        2's legacy optimizers keep them) each slot for every variable. Also callable,
        `variables()`, as the legacy optimizers' method is."""
        out = [self.iterations]
        if self._hyper_variables is not None and not self._slots_per_variable:
            for name in self._slot_names:
                out.extend(self._slots[id(v)][name] for v in self._built_vars)
        else:
            for var in self._built_vars:
                out.extend(self._slots[id(var)].values())
        return _VariableList(out)

    @property
    def weights(self) -> list:
        """`variables` (Keras 2's legacy name)."""
        return self.variables

    def get_slot_names(self) -> list:
        """The slot names, as Keras 2's legacy optimizers name them in a TF1 graph."""
        return [self._legacy_slot_name(name) for name in self._slot_names]

    def get_slot(self, var, slot_name):
        """`var`'s slot variable named `slot_name` (a `get_slot_names()` name).

        Raises:
            KeyError: if `var` has no such slot.
        """
        for name, slot in self._slots.get(id(var), {}).items():
            if self._legacy_slot_name(name) == slot_name or name == slot_name:
                return slot
        raise KeyError(slot_name)

    def get_weights(self) -> list:
        """The values of `weights` (`iterations` first), read in the Keras session."""
        from tfgraph.keras import backend

        return backend.batch_get_value(list(self.weights))

    def set_weights(self, weights) -> None:
        """Assigns `weights` (as `get_weights` gives them) to `weights`.

        Raises:
            ValueError: if the count or a shape differs.
        """
        params = list(self.weights)
        if len(params) != len(weights):
            raise ValueError(
                f"You called `set_weights(weights)` on optimizer {self.name} with a weight "
                f"list of length {len(weights)}, but the optimizer was expecting "
                f"{len(params)} weights. Provided weights: {str(weights)[:50]}..."
            )
        from tfgraph.keras import backend

        backend.batch_set_value(list(zip(params, weights)))

    def _slot(self, var, name: str, initial=0.0):
        slots = self._slots.setdefault(id(var), {})
        slot = slots.get(name)
        if slot is None:
            from tfgraph.ops import array_ops

            shape, dtype = var.shape.as_list(), var.dtype

            def value():  # (made where the slot is: eagerly, out of a function trace)
                return array_ops.fill(shape, array_ops.constant(initial, dtype))

            if _legacy_graph():  # (TF1 graph: Keras 2's legacy `<name>/<var>/<slot>`)
                slot_name = f"{self.name}/{var.name[:-2]}/{self._legacy_slot_name(name)}"
            else:
                slot_name = f"{self.name}/{name}/{var.name[:-2]}"
            slot = slots[name] = _variable(value, slot_name)
        return slot

    def build(self, var_list) -> None:
        if _legacy_graph():  # (Keras 2 makes `iter` and the hyperparameters first)
            self._legacy_hypers()
        new = [var for var in var_list if id(var) not in self._slots]
        if _legacy_graph() and not self._slots_per_variable:  # (Keras 2's order)
            for slot in self._slot_names:
                for var in new:
                    self._slot(var, slot, self._slot_initial(slot))
        for var in new:
            for slot in self._slot_names:
                self._slot(var, slot, self._slot_initial(slot))
            self._slots.setdefault(id(var), {})
            self._built_vars.append(var)

    def _slot_initial(self, slot: str) -> float:
        return 0.0

    def _legacy_slot_name(self, name: str) -> str:
        return name

    # -- updates ----------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False):
        """Applies one step: each (gradient, variable) pair, then `iterations` += 1."""
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not pairs:
            raise ValueError("No gradients provided for any variable.")
        if self._legacy_only and not _legacy_graph():
            raise NotImplementedError(
                f"tfgraph's {type(self).__name__} is Keras 2's legacy optimizer, the one TF1 "
                "graph mode uses; build the training step in a tf.Graph (not eagerly or in "
                "a tf.function)"
            )
        self.build([v for _, v in pairs])
        lr = self._current_learning_rate()
        if self._initial_decay > 0 and self._decays_learning_rate:  # lr / (1 + decay * t)
            from tfgraph.ops import array_ops

            t = array_ops.cast(self.iterations.value(), lr.dtype)
            decay = self._hyper_value("decay", self._initial_decay, lr)
            lr = lr / (1.0 + decay * t)
        updates = []
        for grad, var in pairs:
            if isinstance(grad, IndexedSlices) and self._row_wise and _legacy_graph():
                from tfgraph.training.optimizer import _deduplicate_indexed_slices

                values, indices = _deduplicate_indexed_slices(grad.values, grad.indices)
                grad = IndexedSlices(convert_to_tensor(values, dtype=var.dtype), indices)
            else:
                grad = convert_to_tensor(convert_to_tensor(grad), dtype=var.dtype)
            update = self.update_step(grad, var, lr)
            if getattr(var, "constraint", None) is not None:  # projected after the step
                with self._after(update):
                    update = var.assign(var.constraint(var.read_value()), read_value=False)
            updates.append(update)
        ops = [u for u in updates if u is not None]
        with self._after(*ops):  # (in a graph: counted after the updates read the count)
            step = self.iterations.assign_add(1, read_value=False)
        if context.executing_eagerly():
            return self.iterations
        from tfgraph.ops import control_flow_ops

        return control_flow_ops.group(*ops, *([step] if step is not None else []))

    def _current_learning_rate(self):
        """The rate for this step: the schedule at `iterations`, or the variable."""
        schedule = self._schedule()
        if schedule is None:
            return self.learning_rate.value()
        from tfgraph.ops import array_ops

        step = array_ops.cast(self.iterations.value(), dtypes.float32)
        return array_ops.cast(schedule(step), dtypes.float32)

    def minimize(self, loss, var_list, tape=None):
        """Computes the gradients of `loss` (a callable when executing eagerly, else a
        tensor) for `var_list` and applies them."""
        grads_and_vars = self.compute_gradients(loss, var_list, tape)
        return self.apply_gradients(grads_and_vars)

    def compute_gradients(self, loss, var_list, tape=None):
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        if callable(loss):
            from tfgraph.eager.tape import GradientTape

            with GradientTape() if tape is None else tape as t:
                value = loss()
            grads = t.gradient(value, var_list)
        else:
            if context.executing_eagerly():
                raise TypeError(
                    "`loss` must be a callable (a function returning the loss) when "
                    "executing eagerly, or pass the `tape` that recorded it."
                )
            from tfgraph.gradients import gradients

            grads = gradients(loss, var_list)
        return list(zip(grads, var_list))

    def get_gradients(self, loss, params):
        """The gradients of the `loss` tensor for `params` (TF1 graph mode), built in
        the `<name>/gradients` name scope.

        Raises:
            ValueError: if a parameter has no gradient.
        """
        from tfgraph.framework.graph import get_default_graph
        from tfgraph.gradients import gradients
        from tfgraph.nest import flatten

        params = flatten(params)
        with get_default_graph().name_scope(self.name + "/gradients"):
            grads = gradients(loss, params)
        for grad, param in zip(grads, params):
            if grad is None:
                raise ValueError(
                    f"Variable {param} has `None` for gradient. Please make sure that all "
                    "of your ops have a gradient defined (i.e. are differentiable). Common "
                    "ops without gradient: K.argmax, K.round, K.eval."
                )
        return grads

    def get_updates(self, loss, params):
        """`[apply_gradients(...)]` for the gradients of `loss` (Keras 2's TF1 API)."""
        grads = self.get_gradients(loss, params)
        return [self.apply_gradients(list(zip(grads, flatten_params(params))))]

    @staticmethod
    def _after(*updates):
        """In a graph, the reads built in this block see `updates` (slot assignments):
        they run first. Eagerly they already ran."""
        import contextlib

        ops = [u for u in updates if u is not None]
        if context.executing_eagerly() or not ops:
            return contextlib.nullcontext()
        from tfgraph.framework.graph import get_default_graph

        return get_default_graph().control_dependencies(ops)

    def update_step(self, grad, var, lr):  # pragma: no cover - every optimizer defines it
        raise NotImplementedError

    def _update_rows(self, grad, var, slot_names, rows):
        """Applies `rows(grad, var_value, slot_values) -> (new_var, new_slots)`: to the
        whole variable for a dense gradient, to the gradient's rows (gathered, then
        scattered back) for an IndexedSlices one, as Keras 2's sparse updates do."""
        from tfgraph.ops import array_ops

        slots = [self._slot(var, name, self._slot_initial(name)) for name in slot_names]
        if not isinstance(grad, IndexedSlices):
            new_var, new_slots = rows(grad, var.read_value(), [s.read_value() for s in slots])
            updates = [s.assign(v, read_value=False) for s, v in zip(slots, new_slots)]
            with self._after(*updates):
                return var.assign(new_var, read_value=False)
        indices = grad.indices
        taken = [array_ops.gather(v.read_value(), indices) for v in [var, *slots]]
        new_var, new_slots = rows(grad.values, taken[0], taken[1:])
        updates = [s.scatter_update(IndexedSlices(v, indices)) for s, v in zip(slots, new_slots)]
        with self._after(*updates):
            return var.scatter_update(IndexedSlices(new_var, indices))

    def _hyper(self, value, var):
        return convert_to_tensor(value, dtype=var.dtype)

    # the constructor arguments `get_config` adds after name, learning_rate and decay
    _config_keys: tuple[str, ...] = ()

    def get_config(self) -> dict:
        """The constructor arguments, as Keras 2's legacy optimizers give them."""
        schedule = self._schedule()
        lr: dict | float
        if schedule is not None:
            lr = {"class_name": type(schedule).__name__, "config": schedule.get_config()}
        else:
            lr = float(self._learning_rate)
        config = {"name": self.name, "learning_rate": lr, "decay": self._initial_decay}
        config.update((key, getattr(self, key)) for key in self._config_keys)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """The optimizer `get_config` describes (a schedule given as its config)."""
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            from tfgraph.keras import learning_rate_schedule
            from tfgraph.keras.saving.serialization import deserialize_keras_object

            objects = vars(learning_rate_schedule)
            config["learning_rate"] = deserialize_keras_object(lr, objects, custom_objects)
        return cls(**config)


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
        scale = lr / (1 - math_ops.pow(beta_1, step))
        eps = self._hyper(self.epsilon, var)

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


class _VariableList(list):
    """A list of variables that calling returns (`opt.variables` and `opt.variables()`)."""

    def __call__(self) -> list:
        return list(self)


def flatten_params(params) -> list:
    from tfgraph.nest import flatten

    return flatten(params)


def array_ops_cast(value, dtype):
    from tfgraph.ops import array_ops

    return array_ops.cast(value, dtype) if value.dtype.base_dtype != dtype.base_dtype else value


def _legacy_graph() -> bool:
    """True when building a TF1 graph (not eagerly, not tracing a tf.function): there
    `tf.keras.optimizers` are Keras 2's legacy optimizers, whose RMSprop (without
    momentum) and Adagrad add epsilon after the square root."""
    if context.executing_eagerly():
        return False
    from tfgraph.framework.graph import get_default_graph

    return not getattr(get_default_graph(), "_traces_function", False)


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


def get(identifier):
    """An optimizer from its name ("adam", "sgd", ...), a `serialize` dict, or itself."""
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

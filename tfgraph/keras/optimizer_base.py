"""The base of `tf.keras.optimizers` (Keras 2): `Optimizer` with its slots, `iterations`,
the hyperparameter variables Keras 2's legacy optimizers keep in a TF1 graph, updates of
whole variables or of a sparse gradient's rows, and the configs; the optimizers themselves
are in `tfgraph.keras.optimizers`."""

from __future__ import annotations

from tfgraph.eager import context
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.indexed_slices import IndexedSlices

__all__ = ["Optimizer"]


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
        self._check_clipping(kwargs)
        self.clipnorm = kwargs.get("clipnorm")
        self.global_clipnorm = kwargs.get("global_clipnorm")
        self.clipvalue = kwargs.get("clipvalue")
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

    @staticmethod
    def _check_clipping(kwargs: dict) -> None:
        """The errors of the constructor's clipping arguments: made eagerly, as the newer
        Keras optimizers raise them; else (TF1 graph mode) as Keras 2's legacy ones.

        Raises:
            ValueError: if both `clipnorm` and `global_clipnorm` are set, or (TF1 graph
                mode) if a keyword argument is negative.
        """
        clipnorm, global_clipnorm = kwargs.get("clipnorm"), kwargs.get("global_clipnorm")
        both = clipnorm is not None and global_clipnorm is not None
        if context.executing_eagerly():
            if both:
                raise ValueError(
                    "At most one of `clipnorm` and `global_clipnorm` can be set. "
                    f"Received: clipnorm={clipnorm}, global_clipnorm={global_clipnorm}."
                )
            return
        for key, value in kwargs.items():
            if isinstance(value, (int, float)) and value < 0:
                raise ValueError(f"Expected {key} >= 0, received: {value}")
        if both:
            raise ValueError(
                "Cannot accept both `clipnorm` and `global_clipnorm`. Received: "
                f"`clipnorm`={clipnorm}, `global_clipnorm`={global_clipnorm}."
            )

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
        pairs = self._clip_gradients(pairs)
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

    def _clip_gradients(self, pairs: list) -> list:
        """`pairs` with their gradients clipped. In a TF1 graph as Keras 2's legacy
        optimizers clip them, in the optimizer's name scope: by value, then each by its
        norm, then all by their global norm; else as the newer optimizers do: by one of
        clipnorm, global_clipnorm, clipvalue (the first set). IndexedSlices gradients
        are clipped on their values (before duplicate rows are summed)."""
        from tfgraph.ops import clip_ops, math_ops

        clipnorm, global_clipnorm, clipvalue = self.clipnorm, self.global_clipnorm, self.clipvalue
        if clipnorm is None and global_clipnorm is None and clipvalue is None:
            return pairs
        if not _legacy_graph():  # (the newer optimizers clip one way, if positive)
            clipnorm = clipnorm if clipnorm else None
            global_clipnorm = global_clipnorm if global_clipnorm and not clipnorm else None
            clipvalue = clipvalue if clipvalue and not (clipnorm or global_clipnorm) else None
        grads, variables = [g for g, _ in pairs], [v for _, v in pairs]
        with self._clip_scope():
            if clipvalue is not None:
                grads = [math_ops.clip_by_value(g, -clipvalue, clipvalue) for g in grads]
            if clipnorm is not None:
                grads = [clip_ops.clip_by_norm(g, clipnorm) for g in grads]
            if global_clipnorm is not None:
                grads = list(clip_ops.clip_by_global_norm(grads, global_clipnorm)[0])
        return list(zip(grads, variables))

    def _clip_scope(self):
        """Where a TF1 graph's clipping ops go: the optimizer's scope (`SGD/...`)."""
        import contextlib

        if not _legacy_graph():
            return contextlib.nullcontext()
        from tfgraph.framework.graph import get_default_graph

        self._legacy_hypers()
        return get_default_graph().name_scope(self._legacy_scope)

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

    def _fused(self, grad, var) -> bool:
        """Whether this update is one of TF's fused ResourceApply kernels, as in Keras 2's
        legacy optimizers: in a TF1 graph, for a dense gradient of a resource variable."""
        return (
            _legacy_graph()
            and not isinstance(grad, IndexedSlices)
            and getattr(var, "handle", None) is not None
        )

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
        config: dict = {"name": self.name}
        for key in ("clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, key) is not None:
                config[key] = getattr(self, key)
        config.update(learning_rate=lr, decay=self._initial_decay)
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

"""`tf.keras.layers.Layer` as Keras 2 runs in TF1 graph mode.

A layer's name is unique per graph (`dense`, `dense_1`, ...). Each call opens a name
scope of that name (so its ops are `dense/MatMul`, or `sequential/dense/MatMul` inside a
model), builds the layer on the first call, and records the call (a node) so that
functional models can be traced from their outputs. Weights are resource variables
(`VarHandleOp`) made with `tf.Variable` in the layer's scope: `dense/kernel:0`.

Layers whose `call` takes `training` get the Keras learning phase (a placeholder with
default False, `tf.keras.backend.learning_phase()`) unless it is given.
"""

from __future__ import annotations

import functools
import inspect

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.keras import backend
from tfgraph.keras.engine import keras_tensor
from tfgraph.legacy_layers import base as legacy_base
from tfgraph.ops import array_ops

__all__ = ["InputSpec", "Layer"]

InputSpec = legacy_base.InputSpec

V2_DTYPE_BEHAVIOR = [False]  # (set by tf.keras.layers.enable_v2_dtype_behavior)
_ALLOWED_KWARGS = {
    "input_shape",
    "batch_input_shape",
    "batch_size",
    "weights",
    "activity_regularizer",
    "autocast",
    "input_dim",
    "implementation",
}


def _flatten(x) -> list:
    if isinstance(x, dict):  # (by sorted key, as tf.nest)
        return _flatten([x[k] for k in sorted(x)])
    if isinstance(x, (list, tuple)):
        out: list = []
        for item in x:
            out.extend(_flatten(item))
        return out
    return [x]


def _map(fn, x):
    if isinstance(x, dict):
        return {k: _map(fn, v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_map(fn, item) for item in x)
    return fn(x)


def _shape_of(x):
    return _map(lambda t: t.shape, x)


class Node:
    """One call of a layer: its input and output tensors and keyword arguments."""

    def __init__(self, layer, inputs, outputs, kwargs) -> None:
        self.layer = layer
        self.inputs = inputs
        self.outputs = outputs
        self.kwargs = kwargs
        self.updates: list = []


class Layer(legacy_base.Layer):
    """Base class of Keras layers: `build(input_shape)` makes weights with `add_weight`,
    `call(inputs, ...)` builds the computation."""

    def __init_subclass__(cls, **kwargs) -> None:
        """Each layer class records the arguments it is made with (its config)."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None or getattr(init, "_records_arguments", False):
            return

        @functools.wraps(init)
        def recording_init(self, *args, **kw):
            if "_init_args" not in self.__dict__:
                signature = inspect.signature(init)
                bound = signature.bind(self, *args, **kw)
                bound.apply_defaults()
                arguments = dict(bound.arguments)
                arguments.pop(next(iter(signature.parameters)))
                for name, p in signature.parameters.items():
                    if p.kind is p.VAR_KEYWORD:
                        arguments.update(arguments.pop(name, {}))
                    elif p.kind is p.VAR_POSITIONAL:
                        arguments.pop(name, None)
                self.__dict__["_init_args"] = arguments
                self.__dict__["_init_named"] = {
                    n for n, p in signature.parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD
                }
            init(self, *args, **kw)

        recording_init._records_arguments = True  # type: ignore[attr-defined]
        cls.__init__ = recording_init  # type: ignore[method-assign]

    def __init__(self, trainable=True, name=None, dtype=None, dynamic=False, **kwargs) -> None:
        for kwarg in kwargs:
            if kwarg not in _ALLOWED_KWARGS:
                raise TypeError("Keyword argument not understood:", kwarg)
        self._activity_regularizer = kwargs.pop("activity_regularizer", None)
        self.trainable = trainable
        self.built = False
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        # TF2's dtype behaviour (layers.enable_v2_dtype_behavior): floatx by default and
        # floating inputs cast to the layer's dtype
        self._autocast = V2_DTYPE_BEHAVIOR[0]
        if self._dtype is None and self._autocast:
            self._dtype = dtypes.as_dtype(backend.floatx())
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []
        self._losses: list = []
        self._weight_losses: list = []  # the weights' regularization, after the others
        self._named_weights: dict = {}  # add_weight's names: what checkpoints call them
        self._updates: list = []
        self._inbound_nodes: list[Node] = []
        self._current_node: Node | None = None
        self.input_spec: InputSpec | None = None
        self.supports_masking = False
        self._reuse = None
        self._scope = None
        self._current_scope = None
        if not name:
            name = backend.unique_object_name(legacy_base.to_snake_case(type(self).__name__))
        elif not isinstance(name, str):
            raise TypeError(f"Layer name must be a string, got {name!r}")
        self._name = name
        self._base_name = name
        if "input_dim" in kwargs and "input_shape" not in kwargs:
            kwargs["input_shape"] = (kwargs["input_dim"],)
        self._batch_input_shape = None
        if "batch_input_shape" in kwargs:
            self._batch_input_shape = tuple(kwargs["batch_input_shape"])
        elif "input_shape" in kwargs:
            self._batch_input_shape = (kwargs.get("batch_size"), *tuple(kwargs["input_shape"]))
        self._initial_weights = kwargs.get("weights")
        params = inspect.signature(self.call).parameters
        self._expects_training_arg = "training" in params
        self._expects_mask_arg = "mask" in params
        self._call_arg_names = [
            name
            for name, p in params.items()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ][1:]
        self._call_takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in params.values())

    # -- weights ------------------------------------------------------------------------
    def add_weight(
        self,
        name=None,
        shape=None,
        dtype=None,
        initializer=None,
        regularizer=None,
        trainable=None,
        constraint=None,
        use_resource=None,
        partitioner=None,
        **kwargs,
    ):
        """Makes the resource variable `<layer scope>/<name>` (trainable unless told)."""
        from tfgraph.keras import initializers
        from tfgraph.variables import Variable

        for kwarg in kwargs:
            if kwarg not in ("experimental_autocast", "synchronization", "aggregation", "getter"):
                raise TypeError("Unknown keyword argument:", kwarg)
        if shape is None:
            shape = ()
        if trainable is None:
            trainable = True
        if dtype is None:
            dtype = self._dtype or backend.floatx()
        dtype = dtypes.as_dtype(dtype)
        if initializer is None:
            if dtype.is_floating:
                initializer = initializers.get("glorot_uniform")
            elif dtype.is_integer or dtype.is_unsigned or dtype.is_bool:
                initializer = initializers.get("zeros")
            else:
                raise ValueError(
                    f"An initializer for variable {name} of type {dtype.name} is required for "
                    f"layer {self.name}. Received: {initializer}."
                )
        else:
            initializer = initializers.get(initializer)
        shape = [int(d) for d in shape]

        def initial_value():
            try:
                return initializer(shape, dtype=dtype, partition_info=None)
            except TypeError:
                return initializer(shape, dtype=dtype)

        if constraint is not None:
            from tfgraph.keras import constraints

            constraint = constraints.get(constraint)
        variable = Variable(
            initial_value,
            name=name,
            trainable=bool(trainable),  # (a frozen layer's weights stay in the collection)
            dtype=dtype,
            constraint=constraint,
            use_resource=True,
        )
        if regularizer is not None:
            from tfgraph.keras import regularizers

            regularizer = regularizers.get(regularizer)
            with get_default_graph().name_scope(name + "/Regularizer"):
                loss = regularizer(variable)
            if loss is not None:
                self._weight_losses.append(loss)
        self._named_weights.setdefault(name, variable)
        if trainable:
            self._trainable_weights.append(variable)
        else:
            self._non_trainable_weights.append(variable)
        return variable

    @property
    def weights(self) -> list:
        return self.trainable_weights + self.non_trainable_weights

    def _trackable_children(self) -> dict:
        """What object-based checkpoints save under this layer, as Keras 2 tracks it:
        its weights by their `add_weight` names, then the layers and variables it holds
        as (public) attributes."""
        from tfgraph.variables import Variable

        children = dict(self._named_weights)
        for key, value in vars(self).items():
            if key.startswith("_") or key in children:
                continue
            if isinstance(value, (Layer, Variable)) and value is not self:
                children[key] = value
        return children

    variables = weights

    @property
    def trainable_variables(self) -> list:
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list:
        return self.non_trainable_weights

    def get_weights(self) -> list:
        """The weights' values (numpy arrays) in the Keras session."""
        return backend.batch_get_value(self.weights)

    def set_weights(self, weights) -> None:
        """Assigns numpy arrays to the weights, in the order of `weights`."""
        params = self.weights
        weights = list(weights)
        if len(params) != len(weights):
            raise ValueError(
                f'You called `set_weights(weights)` on layer "{self.name}" with a weight list '
                f"of length {len(weights)}, but the layer was expecting {len(params)} weights. "
                f"Provided weights: {str(weights)[:50]}..."
            )
        pairs = []
        for param, value in zip(params, weights, strict=True):
            shape = tuple(param.shape.as_list())
            got = tuple(getattr(value, "shape", ()))
            if got != shape:
                raise ValueError(
                    f"Layer {self.name} weight shape {shape} is not compatible with provided "
                    f"weight shape {got}."
                )
            pairs.append((param, value))
        backend.batch_set_value(pairs)

    # -- losses and updates -------------------------------------------------------------
    @property
    def losses(self) -> list:
        """Losses added by `add_loss` and activity regularizers, then the weights'
        regularization losses."""
        return list(self._losses) + list(self._weight_losses)

    def add_loss(self, losses, inputs=None) -> None:
        new = list(losses) if isinstance(losses, (list, tuple)) else [losses]
        for loss in new:
            if callable(loss):
                loss = loss()
            if loss is not None:
                self._losses.append(loss)

    @property
    def updates(self) -> list:
        return [u for u, _ in self._updates] if self.trainable else []

    def add_update(self, updates, inputs=None) -> None:
        """Records update ops (or callables making them, called now) of the current call."""
        new = list(updates) if isinstance(updates, (list, tuple)) else [updates]
        for update in new:
            if callable(update):
                update = update()
            if isinstance(update, Tensor):
                update = update.op
            self._updates.append((update, self._current_node))

    def get_updates_for(self, nodes) -> list:
        return [u for u, node in self._updates if node in nodes]

    # -- calling ------------------------------------------------------------------------
    @property
    def input(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no input to return.")
        return self._inbound_nodes[0].inputs

    @property
    def output(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has no inbound nodes.")
        return self._inbound_nodes[0].outputs

    @property
    def input_shape(self):
        return _map(lambda t: tuple(t.shape.as_list()), self.input)

    @property
    def output_shape(self):
        return _map(lambda t: tuple(t.shape.as_list()), self.output)

    def _assert_input_compatibility(self, inputs) -> None:
        spec = self.input_spec
        if spec is None or isinstance(inputs, (list, tuple)):
            return
        shape = inputs.shape
        ndim = shape.ndims
        prefix = f'Input 0 of layer "{self.name}" is incompatible with the layer: '
        full = str(tuple(shape.as_list())) if ndim is not None else str(shape)
        if spec.ndim is not None and ndim is not None and ndim != spec.ndim:
            raise ValueError(
                f"{prefix}expected ndim={spec.ndim}, found ndim={ndim}. Full shape received: {full}"
            )
        if spec.max_ndim is not None and ndim is not None and ndim > spec.max_ndim:
            raise ValueError(
                f"{prefix}expected max_ndim={spec.max_ndim}, found ndim={ndim}. Full shape "
                f"received: {full}"
            )
        if spec.min_ndim is not None and ndim is not None and ndim < spec.min_ndim:
            raise ValueError(
                f"{prefix}expected min_ndim={spec.min_ndim}, found ndim={ndim}. Full shape "
                f"received: {full}"
            )
        if spec.axes and ndim is not None:
            for axis, value in spec.axes.items():
                dim = shape.as_list()[int(axis)]
                if value is not None and dim is not None and dim != value:
                    raise ValueError(
                        f"{prefix}expected axis {axis} of input shape to have value {value}, but "
                        f"received input with shape {full}"
                    )

    def _training_value(self, kwargs) -> None:
        if not self._expects_training_arg:
            kwargs.pop("training", None)
            return
        training = kwargs.get("training")
        if training is None:
            fixed = backend._fixed_learning_phase()
            training = bool(fixed) if fixed is not None else backend.learning_phase()
        elif isinstance(training, int):
            training = bool(training)
        kwargs["training"] = training

    def __call__(self, inputs, *args, **kwargs):
        """Calls the layer on a tensor (or a list of tensors), building it first."""

        def convert(x):
            if isinstance(x, Tensor):
                if self._autocast and x.dtype.is_floating and x.dtype != self._dtype:
                    return array_ops.cast(x, self._dtype)
                return x
            return convert_to_tensor(x, dtype=self._dtype if self._dtype else None)

        inputs = _map(convert, inputs)
        if args:  # (positional arguments after the inputs, e.g. `layer(x, True)`)
            if len(args) > len(self._call_arg_names):
                raise TypeError(
                    f"{type(self).__name__}.call() takes {len(self._call_arg_names) + 1} "
                    f"positional arguments but {len(args) + 1} were given"
                )
            kwargs.update(zip(self._call_arg_names, args, strict=False))
            args = ()
        self._training_value(kwargs)
        masks = _map(keras_tensor.mask, inputs)
        if all(m is None for m in _flatten(masks)):
            masks = None
        if masks is not None and self._expects_mask_arg and kwargs.get("mask") is None:
            kwargs["mask"] = masks
        g = get_default_graph()
        node = Node(self, inputs, None, dict(kwargs))
        self._current_node = node
        try:
            with g.name_scope(self.name):
                if not self.built:
                    self._assert_input_compatibility(inputs)
                    if self._dtype is None:
                        first = _flatten(inputs)[0]
                        if first.dtype.is_floating:
                            self._dtype = first.dtype.base_dtype
                    self._maybe_build(_shape_of(inputs))
                    if self._initial_weights is not None:
                        self.set_weights(self._initial_weights)
                        self._initial_weights = None
                self._assert_input_compatibility(inputs)
                outputs = self.call(inputs, *args, **kwargs)
                flat_in = {id(t) for t in _flatten(inputs)}
                outputs = _map(lambda t: array_ops.identity(t) if id(t) in flat_in else t, outputs)
                # as Keras 2: masks the outputs already have stay; a layer computes output
                # masks if it supports masking or defines compute_mask, else drops them
                already = all(keras_tensor.mask(t) is not None for t in _flatten(outputs))
                should = self.supports_masking or (
                    type(self).compute_mask is not Layer.compute_mask
                )
                out_mask = self.compute_mask(inputs, masks) if should and not already else None
                if out_mask is not None:
                    flat_out = _flatten(outputs)
                    flat_masks = (
                        _flatten(out_mask)
                        if isinstance(out_mask, (list, tuple))
                        else [out_mask] * len(flat_out)
                    )
                    for t, m in zip(flat_out, flat_masks, strict=False):
                        if m is not None:
                            keras_tensor.set_mask(t, m)
                if self._activity_regularizer is not None:
                    from tfgraph.keras import regularizers

                    regularizer = regularizers.get(self._activity_regularizer)
                    for output in _flatten(outputs):
                        with g.name_scope("ActivityRegularizer"):
                            activity_loss = regularizer(output)
                            batch_size = array_ops.cast(
                                array_ops.shape(output)[0], activity_loss.dtype
                            )
                            self.add_loss(activity_loss / batch_size)
        finally:
            self._current_node = None
        node.outputs = outputs
        node_index = len(self._inbound_nodes)
        self._inbound_nodes.append(node)
        if all(keras_tensor.history(t) is not None for t in _flatten(inputs)):
            for i, t in enumerate(_flatten(outputs)):
                keras_tensor.set_history(t, self, node_index, i)
        return outputs

    apply = __call__

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: the input mask passed on by layers that support
        masking; a layer that does not refuses a mask (TypeError, as Keras 2)."""
        if not self.supports_masking:
            if mask is not None and any(m is not None for m in _flatten(mask)):
                raise TypeError(
                    f"Layer {self.name} does not support masking, but was passed an "
                    f"input_mask: {mask}"
                )
            return None
        return mask

    def _maybe_build(self, input_shapes) -> None:
        self.build(input_shapes)
        self.built = True

    def build(self, input_shape) -> None:
        self.built = True

    def compute_output_shape(self, input_shape):
        raise NotImplementedError(
            f"Please run in eager mode or implement the compute_output_shape method on your "
            f"layer ({type(self).__name__})."
        )

    def count_params(self) -> int:
        total = 0
        for w in self.weights:
            n = 1
            for d in w.shape.as_list():
                n *= d
            total += n
        return total

    def get_config(self) -> dict:
        """The layer's config (Keras 2's keys): name, trainable, batch_input_shape, dtype,
        then the arguments it was made with."""
        from tfgraph.keras.engine import serialization

        config: dict = {"name": self.name, "trainable": self.trainable}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        config["dtype"] = self.dtype or backend.floatx()
        named = self.__dict__.get("_init_named", set())
        for key, value in self.__dict__.get("_init_args", {}).items():
            if key in serialization._BASE_KEYS and key not in named:
                continue
            if key == "activation" and value is None:
                value = "linear"
            config[key] = serialization.serialize_value(value)
        return config

    @classmethod
    def from_config(cls, config: dict):
        """A new layer from `get_config()` output (here or in Keras 2)."""
        from tfgraph.keras.engine import serialization

        return serialization.layer_from_config(cls, config)

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object at {hex(id(self))}>"


def as_shape(shape) -> TensorShape:
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)

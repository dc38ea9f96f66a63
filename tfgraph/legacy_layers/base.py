"""`tf.layers.Layer`: the TF1 layer base class (TensorFlow's legacy `tf.layers` on
Keras 2's `Layer`), reduced to what graph mode uses.

Naming follows TensorFlow: a layer without a name gets the snake-case class name as
its base name; on first use it opens `variable_scope(None, default_name=base_name)`
(so `dense`, `dense_1`, ..., unique in the enclosing variable scope) and keeps that
scope: its variables are `<scope>/kernel`, `<scope>/bias` (made with `get_variable`,
reused on later calls) and its ops live in the scope's original name scope
(`dense/MatMul`). A layer given `name` uses `variable_scope(name)` instead; with
`reuse=True` it shares the variables already in that scope.
"""

from __future__ import annotations

import re
import weakref

from tfgraph.framework import dtypes, nest
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import GraphKeys, get_collection_ref, get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.legacy_layers.keras_style import keras_style_enabled
from tfgraph.ops import array_ops, init_ops, math_ops
from tfgraph.variable_scope import VariableScope, get_variable, variable_scope
from tfgraph.variables import Variable, global_variables, trainable_variables

__all__ = ["InputSpec", "Layer"]

# Per-graph counters of layer object names (Keras's `unique_object_name`).
_NAME_UIDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def to_snake_case(name: str) -> str:
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    if insecure[0] != "_":
        return insecure
    return "private" + insecure


def _unique_object_name(base_name: str, one_based: bool = False) -> str:
    uids = _NAME_UIDS.setdefault(get_default_graph(), {})
    n = uids.get(base_name, 0)
    uids[base_name] = n + 1
    if one_based:  # (Keras-style layers: dense_1, dense_2, ...)
        return f"{base_name}_{n + 1}"
    return base_name if n == 0 else f"{base_name}_{n}"


def _check_keras_style(scope, reuse) -> None:
    if scope is not None:
        raise ValueError(
            f"scope argument not allowed when keras style layers are enabled, but saw: {scope}"
        )
    if reuse:
        raise ValueError(
            f"reuse argument not allowed when keras style layers are enabled, but saw: {reuse}"
        )


class InputSpec:
    """Constraints on a layer's input: dtype, rank (ndim, min_ndim, max_ndim) and sizes
    of given axes."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None):
        self.dtype = dtypes.as_dtype(dtype).name if dtype is not None else None
        self.shape = shape
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = axes or {}

    def __repr__(self) -> str:
        spec = [
            f"{k}={v}"
            for k, v in (
                ("dtype", self.dtype),
                ("shape", self.shape),
                ("ndim", self.ndim),
                ("max_ndim", self.max_ndim),
                ("min_ndim", self.min_ndim),
                ("axes", self.axes or None),
            )
            if v is not None
        ]
        return f"InputSpec({', '.join(spec)})"


def _add_elements_to_collection(elements, collection_name: str) -> None:
    collection = get_collection_ref(collection_name)
    present = {id(e) for e in collection}
    for element in elements:
        if id(element) not in present:
            collection.append(element)
            present.add(id(element))


class Layer:
    """Base class of TF1 layers: `build(input_shape)` creates the weights with
    `add_weight`, `call(inputs)` builds the computation."""

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs) -> None:
        scope = kwargs.pop("_scope", None)
        self._reuse = kwargs.pop("_reuse", None)
        self._activity_regularizer = kwargs.pop("activity_regularizer", None)
        allowed = {"input_shape", "batch_input_shape", "batch_size", "weights", "autocast"}
        for kwarg in kwargs:
            if kwarg not in allowed:
                raise TypeError("Keyword argument not understood:", kwarg)
        self._keras_style = keras_style_enabled()
        self.trainable = trainable
        self.built = False
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []
        self._losses: list = []
        self._updates: list = []
        self.input_spec: InputSpec | None = None
        self._init_set_name(name)
        if self._keras_style:  # (after naming: TF's refused layers use up their names)
            _check_keras_style(scope, self._reuse)
        if scope:
            with variable_scope(scope) as captured_scope:
                self._scope: VariableScope | None = captured_scope
        else:
            self._scope = None
        self._current_scope = None

    # -- naming ------------------------------------------------------------------------
    def _init_set_name(self, name) -> None:
        if isinstance(name, VariableScope):
            base_name = name.name
            self._name = _unique_object_name(to_snake_case(type(self).__name__))
        else:
            base_name = name
            self._name = name
        if not name:
            base_name = to_snake_case(type(self).__name__)
            self._name = _unique_object_name(base_name, one_based=self._keras_style)
        self._base_name = base_name

    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self):
        return None if self._dtype is None else self._dtype.name

    @property
    def scope_name(self) -> str:
        if not self._scope:
            raise ValueError(
                'No name available for layer scope because the layer "' + self._name + '" has '
                "not been used yet. The scope name  is determined the first time the layer "
                "instance is called. You must therefore call the layer before querying "
                "`scope_name`."
            )
        return self._scope.name

    def _set_scope(self, scope=None) -> None:
        if self._scope is None:
            if self._reuse:
                with variable_scope(
                    scope if scope is not None else self._base_name
                ) as captured_scope:
                    self._scope = captured_scope
            else:
                with variable_scope(scope, default_name=self._base_name) as captured_scope:
                    self._scope = captured_scope

    # -- weights and losses --------------------------------------------------------------
    @property
    def trainable_weights(self) -> list:
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    @property
    def weights(self) -> list:
        return self.trainable_weights + self.non_trainable_weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    @property
    def losses(self) -> list:
        return list(self._losses)

    @property
    def updates(self) -> list:
        return list(self._updates)

    def add_loss(self, losses, inputs=None) -> None:
        """Adds loss tensors to the layer and to the REGULARIZATION_LOSSES collection."""
        new = list(losses) if isinstance(losses, (list, tuple)) else [losses]
        new = [loss for loss in new if loss is not None]
        self._losses.extend(new)
        _add_elements_to_collection(new, GraphKeys.REGULARIZATION_LOSSES)

    def add_update(self, updates, inputs=None) -> None:
        new = list(updates) if isinstance(updates, (list, tuple)) else [updates]
        self._updates.extend(new)

    def add_weight(
        self,
        name,
        shape,
        dtype=None,
        initializer=None,
        regularizer=None,
        trainable=None,
        constraint=None,
        use_resource=None,
        partitioner=None,
        **kwargs,
    ):
        """Creates (or, on reuse, gets) the weight `<layer scope>/<name>` with
        `get_variable`; a regularizer's loss goes to REGULARIZATION_LOSSES."""
        for kwarg in kwargs:
            if kwarg not in ("experimental_autocast", "synchronization", "aggregation"):
                raise TypeError("Unknown keyword argument:", kwarg)
        if trainable is None:
            trainable = True
        if self._keras_style:
            return self._add_keras_weight(
                name, shape, dtype, initializer, regularizer, trainable, constraint
            )
        existing_variables = set(global_variables())
        if dtype is None:
            dtype = self._dtype or dtypes.float32
        dtype = dtypes.as_dtype(dtype)
        self._set_scope(None)
        reuse = self.built or self._reuse
        g = get_default_graph()
        with variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as scope:
            self._current_scope = scope
            with g.name_scope(scope.original_name_scope):
                if initializer is None:
                    initializer = scope.initializer
                if initializer is None:
                    if dtype.is_floating:
                        initializer = init_ops.glorot_uniform_initializer()
                    elif dtype.is_integer or dtype.is_unsigned or dtype.is_bool:
                        initializer = init_ops.zeros_initializer()
                    else:
                        raise ValueError(
                            f"An initializer for variable {name} of type {dtype.name} is "
                            f"required for layer {self.name}"
                        )
                variable = get_variable(
                    name,
                    shape=shape,
                    dtype=dtype,
                    initializer=initializer,
                    trainable=trainable and self.trainable,
                    constraint=constraint,
                    partitioner=partitioner,
                )
                if regularizer is not None and variable not in existing_variables:
                    with g.name_scope(name + "/Regularizer"):
                        loss = regularizer(variable)
                    if loss is not None:
                        self.add_loss(loss)
        if variable in trainable_variables():
            if variable not in self._trainable_weights:
                self._trainable_weights.append(variable)
        elif variable not in self._non_trainable_weights:
            self._non_trainable_weights.append(variable)
        return variable

    def _add_keras_weight(
        self, name, shape, dtype, initializer, regularizer, trainable, constraint
    ):
        """A Keras-style weight: a new variable `<current name scope>/<name>`."""
        dtype = dtypes.as_dtype(dtype or self._dtype or dtypes.float32)
        if initializer is None:
            if dtype.is_floating:
                initializer = init_ops.glorot_uniform_initializer()
            elif dtype.is_integer or dtype.is_unsigned or dtype.is_bool:
                initializer = init_ops.zeros_initializer()
            else:
                raise ValueError(
                    f"An initializer for variable {name} of type {dtype.name} is required "
                    f"for layer {self.name}"
                )
        variable = Variable(
            lambda: initializer(shape, dtype=dtype),
            name=name,
            dtype=dtype,
            trainable=trainable and self.trainable,
            constraint=constraint,
            use_resource=True,  # (Keras makes resource variables, as TF 2.21 does here)
        )
        if regularizer is not None:
            with get_default_graph().name_scope(variable.op.name + "/Regularizer"):
                loss = regularizer(variable)
            if loss is not None:
                self.add_loss(loss)
        weights = self._trainable_weights if trainable and self.trainable else None
        (weights if weights is not None else self._non_trainable_weights).append(variable)
        return variable

    def _keras_call(self, inputs, *args, **kwargs):
        """`__call__` of a Keras-style layer: everything under the layer's name scope."""
        g = get_default_graph()
        with g.name_scope(self._name):
            if isinstance(inputs, Variable):
                inputs = convert_to_tensor(inputs)
            if not self.built:
                self._assert_input_compatibility(inputs)
                if self._dtype is None:
                    self._dtype = inputs.dtype.base_dtype
                self.build(inputs.shape)
                self.built = True
            self._assert_input_compatibility(inputs)
            outputs = self.call(inputs, *args, **kwargs)
        _add_elements_to_collection(self._updates, GraphKeys.UPDATE_OPS)
        return outputs

    # -- calling -------------------------------------------------------------------------
    def build(self, input_shape) -> None:
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        raise NotImplementedError

    def _assert_input_compatibility(self, inputs) -> None:
        spec = self.input_spec
        if spec is None:
            return
        shape = inputs.shape
        ndim = shape.ndims
        prefix = f"Input 0 of layer {self.name} is incompatible with the layer: "
        full = str(tuple(shape.as_list())) if ndim is not None else str(shape)
        if spec.ndim is not None and ndim is not None and ndim != spec.ndim:
            raise ValueError(
                f"{prefix}expected ndim={spec.ndim}, found ndim={ndim}. Full shape received: {full}"
            )
        if spec.max_ndim is not None and ndim is not None and ndim > spec.max_ndim:
            raise ValueError(f"{prefix}expected max_ndim={spec.max_ndim}, found ndim={ndim}")
        if spec.min_ndim is not None and ndim is not None and ndim < spec.min_ndim:
            raise ValueError(
                f"{prefix}: expected min_ndim={spec.min_ndim}, found ndim={ndim}. Full shape "
                f"received: {full}"
            )
        if spec.axes and ndim is not None:
            for axis, value in spec.axes.items():
                dim = shape.as_list()[int(axis)]
                if value is not None and dim is not None and dim != value:
                    raise ValueError(
                        f"{prefix}expected axis {axis} of input shape to have value {value} but "
                        f"received input with shape {full}"
                    )

    def __call__(self, inputs, *args, **kwargs):
        scope = kwargs.pop("scope", None)
        if isinstance(inputs, tuple) and any(isinstance(x, (Tensor, tuple)) for x in inputs):
            # a structure of inputs (a cell's `(time, features)`), as TF's layers take
            return self._call_nested(inputs, scope, *args, **kwargs)
        if not isinstance(inputs, (Tensor, Variable)):
            inputs = convert_to_tensor(inputs)
        if self._keras_style:
            if scope is not None:
                _check_keras_style(scope, None)
            return self._keras_call(inputs, *args, **kwargs)
        self._set_scope(scope)
        reuse = True if self.built else self._reuse
        g = get_default_graph()
        with variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as vs:
            self._current_scope = vs
            with g.name_scope(vs.original_name_scope):
                if isinstance(inputs, Variable):
                    inputs = convert_to_tensor(inputs)
                if not self.built:
                    self._assert_input_compatibility(inputs)
                    if self._dtype is None:
                        self._dtype = inputs.dtype.base_dtype
                    self.build(inputs.shape)
                    self.built = True
                self._assert_input_compatibility(inputs)
                outputs = self.call(inputs, *args, **kwargs)
                if self._activity_regularizer is not None:
                    with g.name_scope("ActivityRegularizer"):
                        activity_loss = self._activity_regularizer(outputs)
                        batch_size = array_ops.cast(
                            array_ops.shape(outputs)[0], activity_loss.dtype
                        )
                        self.add_loss(math_ops.truediv(activity_loss, batch_size))
        _add_elements_to_collection(self._updates, GraphKeys.UPDATE_OPS)
        return outputs

    apply = __call__

    def _call_nested(self, inputs, scope, *args, **kwargs):
        """`__call__` on a tuple of inputs: `build` gets the structure of their shapes,
        the dtype comes from the first (input specs check single inputs only)."""
        inputs = nest.map_structure(
            lambda x: x if isinstance(x, Tensor) else convert_to_tensor(x), inputs
        )
        self._set_scope(scope)
        reuse = True if self.built else self._reuse
        with variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as vs:
            self._current_scope = vs
            with get_default_graph().name_scope(vs.original_name_scope):
                if not self.built:
                    if self._dtype is None:
                        self._dtype = nest.flatten(inputs)[0].dtype.base_dtype
                    self.build(nest.map_structure(lambda x: x.shape, inputs))
                    self.built = True
                outputs = self.call(inputs, *args, **kwargs)
        _add_elements_to_collection(self._updates, GraphKeys.UPDATE_OPS)
        return outputs

    def get_weights(self):
        raise NotImplementedError("tfgraph layers keep no values; run the variables in a Session")


def normalize_tuple(value, n: int, name: str) -> tuple:
    """An int or an iterable of n ints as a tuple of n ints (ValueError otherwise)."""
    if isinstance(value, int):
        return (value,) * n
    try:
        value_tuple = tuple(value)
    except TypeError:
        raise ValueError(
            f"The `{name}` argument must be a tuple of {n} integers. Received: {value}"
        ) from None
    if len(value_tuple) != n:
        raise ValueError(
            f"The `{name}` argument must be a tuple of {n} integers. Received: {value}"
        )
    for single in value_tuple:
        try:
            int(single)
        except (ValueError, TypeError):
            raise ValueError(
                f"The `{name}` argument must be a tuple of {n} integers. Received: {value} "
                f"including element {single} of type {type(single)}"
            ) from None
    return value_tuple


def normalize_data_format(value) -> str:
    if value is None:
        value = "channels_last"
    data_format = value.lower()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(
            'The `data_format` argument must be one of "channels_first", "channels_last". '
            f"Received: {value}"
        )
    return data_format


def normalize_padding(value) -> str:
    padding = value.lower()
    if padding not in {"valid", "same", "causal"}:
        raise ValueError(
            'The `padding` argument must be a list/tuple or one of "valid", "same" (or '
            f'"causal", only for `Conv1D). Received: {padding}'
        )
    return padding


def convert_data_format(data_format: str, ndim: int) -> str:
    if data_format == "channels_last":
        return {3: "NWC", 4: "NHWC", 5: "NDHWC"}[ndim]
    return {3: "NCW", 4: "NCHW", 5: "NCDHW"}[ndim]


def shape_of(input_shape) -> TensorShape:
    return input_shape if isinstance(input_shape, TensorShape) else TensorShape(input_shape)

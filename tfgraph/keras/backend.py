"""`tf.keras.backend` as Keras 2 (tf_keras) behaves in TF1 graph mode: the per-graph
learning phase placeholder, the Keras session (`get_session` initializes the variables
it finds uninitialized), layer-name counters per graph, `get_value` / `set_value`."""

from __future__ import annotations

import weakref

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.default_session import get_default_session
from tfgraph.framework.graph import get_default_graph, reset_default_graph

__all__ = [
    "abs",
    "argmax",
    "batch_get_value",
    "batch_set_value",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "cast",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "clear_session",
    "clip",
    "concatenate",
    "constant",
    "dot",
    "dtype",
    "epsilon",
    "equal",
    "eval",
    "exp",
    "expand_dims",
    "floatx",
    "function",
    "get_graph",
    "get_session",
    "get_uid",
    "get_value",
    "gradients",
    "image_data_format",
    "int_shape",
    "is_keras_tensor",
    "learning_phase",
    "log",
    "manual_variable_initialization",
    "max",
    "mean",
    "min",
    "ndim",
    "placeholder",
    "relu",
    "reset_uids",
    "reshape",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "set_learning_phase",
    "set_session",
    "set_value",
    "shape",
    "sigmoid",
    "softmax",
    "sparse_categorical_crossentropy",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "stop_gradient",
    "sum",
    "tanh",
    "transpose",
    "variable",
]

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"

# Per-graph Keras state. The graph is the key (weakly): Keras 2 keeps these per graph too.
_LEARNING_PHASES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_UIDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_ASSIGNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_INITIALIZED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Variables in no collection that the Keras session initializes too (metrics' state).
_TRACKED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_SESSION: list = [None]
_EAGER_LEARNING_PHASE: list = [0]
_MANUAL_VAR_INIT: list = [False]


def floatx() -> str:
    """The default float type, 'float32'."""
    return _FLOATX


def set_floatx(value: str) -> None:
    global _FLOATX
    if value not in {"float16", "bfloat16", "float32", "float64"}:
        raise ValueError(
            f"Unknown `floatx` value: {value}. Expected one of {{'float16', "
            "'bfloat16', 'float32', 'float64'}"
        )
    _FLOATX = str(value)


def epsilon() -> float:
    """The fuzz factor of numeric expressions, 1e-7."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    global _IMAGE_DATA_FORMAT
    if data_format not in {"channels_last", "channels_first"}:
        raise ValueError(f"Unknown `data_format`: {data_format}")
    _IMAGE_DATA_FORMAT = str(data_format)


def get_graph():
    return get_default_graph()


def get_uid(prefix: str = "") -> int:
    """Counts calls per prefix in the default graph: 1, 2, ..."""
    uids = _UIDS.setdefault(get_default_graph(), {})
    uids[prefix] = uids.get(prefix, 0) + 1
    return uids[prefix]


def reset_uids() -> None:
    _UIDS.pop(get_default_graph(), None)
    from tfgraph.legacy_layers import base

    base._NAME_UIDS.pop(get_default_graph(), None)


def unique_object_name(name: str, zero_based: bool = True) -> str:
    """`name`, `name_1`, ... unique per graph (shared with tf.layers, as in Keras 2);
    with `zero_based=False` the first is `name_1`."""
    from tfgraph.legacy_layers import base

    uids = base._NAME_UIDS.setdefault(get_default_graph(), {})
    n = uids.get(name, 0)
    uids[name] = n + 1
    if zero_based:
        return name if n == 0 else f"{name}_{n}"
    return f"{name}_{n + 1}"


# -- learning phase ----------------------------------------------------------------------
def learning_phase():
    """The learning phase of the default graph: a bool placeholder named
    `keras_learning_phase` defaulting to False (test), or the value given to
    `set_learning_phase`."""
    from tfgraph.eager import context

    if context.executing_eagerly():  # (eagerly there is no placeholder: 0, test mode)
        return _EAGER_LEARNING_PHASE[0]
    g = get_default_graph()
    phase = _LEARNING_PHASES.get(g)
    if phase is None:
        from tfgraph.ops import array_ops

        with g.name_scope(""):
            phase = array_ops.placeholder_with_default(False, shape=(), name="keras_learning_phase")
        _LEARNING_PHASES[g] = phase
    return phase


def set_learning_phase(value) -> None:
    """Fixes the learning phase of the default graph: 0 (test) or 1 (train)."""
    if value not in {0, 1}:
        raise ValueError("Expected learning phase to be 0 or 1.")
    from tfgraph.eager import context

    if context.executing_eagerly():
        _EAGER_LEARNING_PHASE[0] = value
        return
    _LEARNING_PHASES[get_default_graph()] = value


def _fixed_learning_phase():
    """The learning phase if `set_learning_phase` fixed it (or eagerly), else None."""
    from tfgraph.eager import context

    if context.executing_eagerly():
        return _EAGER_LEARNING_PHASE[0]
    phase = _LEARNING_PHASES.get(get_default_graph())
    return phase if isinstance(phase, int) else None


# -- sessions ----------------------------------------------------------------------------
def get_session(op_input_list=()):
    """The default session if there is one, else the Keras session of the default graph
    (made on first use); the variables of the graph not yet initialized are initialized."""
    session = get_default_session()
    if session is None:
        session = _SESSION[0]
        if session is None or session.graph is not get_default_graph() or session._closed:
            from tfgraph.client.session import Session

            session = Session()
            _SESSION[0] = session
    if not _MANUAL_VAR_INIT[0]:
        _initialize_variables(session)
    return session


def manual_variable_initialization(value) -> None:
    """With True, `get_session` no longer initializes the variables it finds
    uninitialized (the program runs the initializers itself)."""
    _MANUAL_VAR_INIT[0] = value


def set_session(session) -> None:
    """Makes `session` the Keras session."""
    _SESSION[0] = session


def clear_session() -> None:
    """Resets the default graph, the layer name counters and the Keras session."""
    _SESSION[0] = None
    reset_default_graph()
    reset_uids()


def track_variable(v) -> None:
    """Makes the Keras session initialize `v` like a global variable (as Keras does for
    the variables of its metrics, which are in no collection)."""
    _TRACKED.setdefault(v.graph, []).append(v)


def _initialize_variables(session) -> None:
    from tfgraph.variables import (
        global_variables,
        is_variable_initialized,
        variables_initializer,
    )

    graph = session.graph
    done = _INITIALIZED.setdefault(graph, set())
    with graph.as_default():
        tracked = _TRACKED.get(graph, [])
        candidates = [v for v in global_variables() + tracked if v.name not in done]
        if not candidates:
            return
        flags = session.run([is_variable_initialized(v) for v in candidates])
        for v in candidates:
            done.add(v.name)
        uninitialized = [v for v, flag in zip(candidates, flags, strict=True) if not flag]
        if uninitialized:
            session.run(variables_initializer(uninitialized))


# -- values ------------------------------------------------------------------------------
def get_value(x):
    """The value of variable `x` in the Keras session."""
    return get_session().run(x)


def batch_get_value(tensors) -> list:
    if not tensors:
        return []
    return list(get_session().run(list(tensors)))


def set_value(x, value) -> None:
    batch_set_value([(x, value)])


def batch_set_value(tuples) -> None:
    """Assigns numpy values to variables in the Keras session, through one cached
    placeholder and assign op per variable."""
    tuples = list(tuples)
    if not tuples:
        return
    from tfgraph.ops import array_ops

    graph = tuples[0][0].graph
    cache = _ASSIGNS.setdefault(graph, {})
    ops, feeds = [], {}
    with graph.as_default():
        for x, value in tuples:
            dtype = dtypes.as_dtype(x.dtype).base_dtype
            value = np.asarray(value, dtype=dtype.as_numpy_dtype)
            entry = cache.get(x.name)
            if entry is None:
                placeholder = array_ops.placeholder(dtype, shape=value.shape)
                entry = cache[x.name] = (placeholder, x.assign(placeholder))
            ops.append(entry[1])
            feeds[entry[0]] = value
    get_session().run(ops, feed_dict=feeds)


# -- graph functions and tensor helpers (Keras 2's backend API on TF ops) ---------------
class GraphExecutionFunction:
    """`function(inputs, outputs, updates)`: called with a list of input values, runs
    the outputs (and the updates) in the Keras session and returns the output values."""

    def __init__(self, inputs, outputs, updates=None, name=None, **session_kwargs) -> None:
        from tfgraph.framework.graph import control_dependencies
        from tfgraph.ops import control_flow_ops

        self.inputs = list(inputs)
        self._single = not isinstance(outputs, (list, tuple))
        self.outputs = [outputs] if self._single else list(outputs)
        self.name = name
        self.feed_dict = session_kwargs.pop("feed_dict", None) or {}
        updates = list(updates or [])
        self.updates_op = None
        if updates:
            with control_dependencies(self.outputs):
                ops = [u[0].assign(u[1]) if isinstance(u, tuple) else u for u in updates]
                self.updates_op = control_flow_ops.group(*ops)

    def __call__(self, inputs):
        values = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        feed = dict(self.feed_dict)
        for tensor, value in zip(self.inputs, values, strict=False):
            if value is None:
                continue
            feed[tensor] = np.asarray(value, dtype=tensor.dtype.base_dtype.as_numpy_dtype)
        fetches = self.outputs + ([self.updates_op] if self.updates_op is not None else [])
        results = get_session().run(fetches, feed)[: len(self.outputs)]
        return results[0] if self._single else results


def function(inputs, outputs, updates=None, name=None, **kwargs) -> GraphExecutionFunction:
    """A callable running `outputs` (and `updates`) for values fed to `inputs`."""
    return GraphExecutionFunction(inputs, outputs, updates=updates, name=name, **kwargs)


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None, ragged=False):
    """A placeholder of `shape` (or of rank `ndim`, every size unknown), dtype floatx."""
    from tfgraph.ops import array_ops

    if sparse or ragged:
        raise NotImplementedError("tfgraph's keras placeholders are dense")
    if shape is None and ndim is not None:
        shape = (None,) * ndim
    return array_ops.placeholder(dtypes.as_dtype(dtype or floatx()), shape=shape, name=name)


def variable(value, dtype=None, name=None, constraint=None):
    """A resource variable holding `value` (initialized by `get_session`)."""
    from tfgraph.variables import Variable

    value = np.asarray(value, dtype=dtypes.as_dtype(dtype or floatx()).as_numpy_dtype)
    return Variable(value, name=name, constraint=constraint, use_resource=True)


def constant(value, dtype=None, shape=None, name=None):
    from tfgraph.ops import array_ops

    return array_ops.constant(
        value, dtype=dtypes.as_dtype(dtype or floatx()), shape=shape, name=name
    )


def eval(x):
    """The value of `x` in the Keras session."""
    return get_session().run(x)


def int_shape(x):
    """The static shape of `x` as a tuple of ints and Nones."""
    shape = x.shape
    return None if shape.ndims is None else tuple(shape.as_list())


def ndim(x):
    return x.shape.ndims


def dtype(x) -> str:
    return x.dtype.base_dtype.name


def shape(x):
    from tfgraph.ops import array_ops

    return array_ops.shape(x)


def cast(x, dtype):
    from tfgraph.ops import array_ops

    return array_ops.cast(x, dtype)


def _reduce(fn_name):
    def reduce(x, axis=None, keepdims=False):
        from tfgraph.ops import array_ops, math_ops

        if fn_name == "reduce_mean" and x.dtype.base_dtype == dtypes.bool:
            x = array_ops.cast(x, floatx())
        return getattr(math_ops, fn_name)(x, axis, keepdims=keepdims)

    reduce.__name__ = fn_name.replace("reduce_", "")
    return reduce


mean = _reduce("reduce_mean")
sum = _reduce("reduce_sum")
max = _reduce("reduce_max")
min = _reduce("reduce_min")


def square(x):
    from tfgraph.ops import math_ops

    return math_ops.square(x)


def sqrt(x):
    from tfgraph.ops import array_ops, math_ops

    zero = array_ops.constant(0.0, x.dtype.base_dtype)
    return math_ops.sqrt(math_ops.maximum(x, zero))


def exp(x):
    from tfgraph.ops import math_ops

    return math_ops.exp(x)


def log(x):
    from tfgraph.ops import math_ops

    return math_ops.log(x)


def abs(x):
    from tfgraph.ops import math_ops

    return math_ops.abs(x)


def dot(x, y):
    """Matrix product; for ranks above 2 the last axis of x with the second-to-last of y."""
    from tfgraph.ops import math_ops

    if x.shape.ndims is not None and y.shape.ndims is not None:
        if x.shape.ndims > 2 or y.shape.ndims > 2:
            return math_ops.tensordot(x, y, [[x.shape.ndims - 1], [y.shape.ndims - 2]])
    return math_ops.matmul(x, y)


def concatenate(tensors, axis=-1):
    from tfgraph.ops import array_ops

    return array_ops.concat(list(tensors), axis)


def reshape(x, shape):
    from tfgraph.ops import array_ops

    return array_ops.reshape(x, shape)


def expand_dims(x, axis=-1):
    from tfgraph.ops import array_ops

    return array_ops.expand_dims(x, axis)


def squeeze(x, axis):
    from tfgraph.ops import array_ops

    return array_ops.squeeze(x, [axis])


def stack(x, axis=0):
    from tfgraph.ops import array_ops

    return array_ops.stack(x, axis=axis)


def transpose(x):
    from tfgraph.ops import array_ops

    return array_ops.transpose(x)


def clip(x, min_value, max_value):
    from tfgraph.ops import math_ops

    if max_value is not None and max_value < min_value:
        max_value = min_value
    return math_ops.clip_by_value(x, min_value, max_value)


def argmax(x, axis=-1):
    from tfgraph.ops import math_ops

    return math_ops.argmax(x, axis)


def equal(x, y):
    from tfgraph.ops import math_ops

    return math_ops.equal(x, y)


def gradients(loss, variables):
    from tfgraph.gradients import gradients as tf_gradients

    return tf_gradients(loss, variables, colocate_gradients_with_ops=True)


def stop_gradient(variables):
    from tfgraph.ops import array_ops

    if isinstance(variables, (list, tuple)):
        return [array_ops.stop_gradient(v) for v in variables]
    return array_ops.stop_gradient(variables)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    from tfgraph.keras import activations

    return activations.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def sigmoid(x):
    from tfgraph.ops import math_ops

    return math_ops.sigmoid(x)


def tanh(x):
    from tfgraph.ops import math_ops

    return math_ops.tanh(x)


def softmax(x, axis=-1):
    from tfgraph.ops import nn_ops

    return nn_ops.softmax(x, axis=axis)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    from tfgraph.keras import losses

    return losses.backend_categorical_crossentropy(target, output, from_logits, axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1, ignore_class=None):
    from tfgraph.keras import losses

    return losses.backend_sparse_categorical_crossentropy(
        target, output, from_logits, axis, ignore_class
    )


def categorical_focal_crossentropy(
    target, output, alpha=0.25, gamma=2.0, from_logits=False, axis=-1
):
    from tfgraph.keras import losses

    return losses.backend_categorical_focal_crossentropy(
        target, output, alpha, gamma, from_logits, axis
    )


def binary_focal_crossentropy(
    target, output, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False
):
    from tfgraph.keras import losses

    return losses.backend_binary_focal_crossentropy(
        target, output, apply_class_balancing, alpha, gamma, from_logits
    )


def binary_crossentropy(target, output, from_logits=False):
    from tfgraph.keras import losses

    return losses.backend_binary_crossentropy(target, output, from_logits)


def is_keras_tensor(x) -> bool:
    """True for tensors made by Keras layers or `Input`."""
    from tfgraph.keras.engine import keras_tensor

    return keras_tensor.history(x) is not None


from tfgraph.keras import backend_conv as _conv  # noqa: E402
from tfgraph.keras import backend_ops as _ops  # noqa: E402
from tfgraph.keras import backend_rnn as _rnn  # noqa: E402

# The tensor functions (kept in their own modules, re-exported here as tf_keras has them).
from tfgraph.keras.backend_conv import *  # noqa: E402,F403
from tfgraph.keras.backend_ops import *  # noqa: E402,F403
from tfgraph.keras.backend_rnn import *  # noqa: E402,F403

__all__ += [*_conv.__all__, *_ops.__all__, *_rnn.__all__]

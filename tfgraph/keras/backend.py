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
    "batch_get_value",
    "batch_set_value",
    "clear_session",
    "epsilon",
    "floatx",
    "get_graph",
    "get_session",
    "get_uid",
    "get_value",
    "image_data_format",
    "learning_phase",
    "reset_uids",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "set_learning_phase",
    "set_session",
    "set_value",
]

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"

# Per-graph Keras state. The graph is the key (weakly): Keras 2 keeps these per graph too.
_LEARNING_PHASES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_UIDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_ASSIGNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_INITIALIZED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_SESSION: list = [None]


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
    _LEARNING_PHASES[get_default_graph()] = value


def _fixed_learning_phase():
    """The learning phase if `set_learning_phase` fixed it, else None."""
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
    _initialize_variables(session)
    return session


def set_session(session) -> None:
    """Makes `session` the Keras session."""
    _SESSION[0] = session


def clear_session() -> None:
    """Resets the default graph, the layer name counters and the Keras session."""
    _SESSION[0] = None
    reset_default_graph()
    reset_uids()


def _initialize_variables(session) -> None:
    from tfgraph.variables import (
        global_variables,
        is_variable_initialized,
        variables_initializer,
    )

    graph = session.graph
    done = _INITIALIZED.setdefault(graph, set())
    with graph.as_default():
        candidates = [v for v in global_variables() if v.name not in done]
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

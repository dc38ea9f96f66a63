"""`tf.keras.utils`: numpy helpers (`to_categorical`, `to_ordinal`, `normalize`), the
Sequence base class, and re-exports of Keras 2's utilities (Progbar, image helpers,
enqueuers, serialization)."""

from __future__ import annotations

import numpy as np

from tfgraph.keras import utils_legacy as legacy
from tfgraph.keras.data_utils import (
    GeneratorEnqueuer,
    OrderedEnqueuer,
    Sequence,
    SequenceEnqueuer,
    get_file,
)
from tfgraph.keras.image_utils import array_to_img, img_to_array, load_img, save_img
from tfgraph.keras.layer_utils import get_source_inputs, warmstart_embedding_matrix
from tfgraph.keras.migration_utils import DeterministicRandomTestTool
from tfgraph.keras.preprocessing.sequence import pad_sequences
from tfgraph.keras.progbar import (
    Progbar,
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from tfgraph.keras.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from tfgraph.keras.saving.serialization import deserialize_keras_object, serialize_keras_object
from tfgraph.keras.variable_scope_shim import get_or_create_layer, track_tf1_style_variables
from tfgraph.keras.vis_utils import model_to_dot, plot_model

__all__ = [
    "CustomObjectScope",
    "DeterministicRandomTestTool",
    "GeneratorEnqueuer",
    "OrderedEnqueuer",
    "Progbar",
    "Sequence",
    "SequenceEnqueuer",
    "array_to_img",
    "custom_object_scope",
    "deserialize_keras_object",
    "disable_interactive_logging",
    "enable_interactive_logging",
    "get_custom_objects",
    "get_file",
    "get_or_create_layer",
    "get_registered_name",
    "get_registered_object",
    "get_source_inputs",
    "img_to_array",
    "is_interactive_logging_enabled",
    "legacy",
    "load_img",
    "model_to_dot",
    "normalize",
    "pad_sequences",
    "plot_model",
    "register_keras_serializable",
    "save_img",
    "serialize_keras_object",
    "to_categorical",
    "to_ordinal",
    "track_tf1_style_variables",
    "warmstart_embedding_matrix",
]


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot rows for integer class labels `y` (a trailing axis of 1 is dropped)."""
    y = np.array(y, dtype="int")
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(y)) + 1
    n = y.shape[0]
    categorical = np.zeros((n, num_classes), dtype=dtype)
    categorical[np.arange(n), y] = 1
    return np.reshape(categorical, (*input_shape, num_classes))


def to_ordinal(y, num_classes=None, dtype="float32"):
    """Ordinal rows for integer labels `y`: label k has ones in its first k columns
    (of `num_classes - 1`); a trailing axis of 1 is dropped."""
    y = np.array(y, dtype="int")
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(y)) + 1
    ordinal = (np.arange(num_classes - 1)[None, :] < y[:, None]).astype(dtype)
    return np.reshape(ordinal, (*input_shape, num_classes - 1))


def normalize(x, axis=-1, order=2):
    """`x` divided by its `order`-norm along `axis` (zero norms left as they are)."""
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)

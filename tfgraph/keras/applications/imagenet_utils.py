"""What the Keras ImageNet models share: `preprocess_input` in its three modes (caffe:
RGB->BGR minus the channel means; tf: scaled to [-1, 1]; torch: [0, 1] then
standardized), `decode_predictions` (the class index JSON kept in ~/.keras/models),
and the input-shape, weights and classifier checks the model builders run."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np

from tfgraph.keras import backend
from tfgraph.keras.data_utils import get_file

__all__ = ["decode_predictions", "preprocess_input"]

CLASS_INDEX = None
CLASS_INDEX_PATH = (
    "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
)
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"

_CAFFE_MEAN = [103.939, 116.779, 123.68]
_TORCH_MEAN = [0.485, 0.456, 0.406]
_TORCH_STD = [0.229, 0.224, 0.225]


def preprocess_input(x, data_format=None, mode="caffe"):
    """`x` (numpy array or tensor, 3 or 4 dimensions, RGB) prepared for a model trained
    with `mode` "caffe", "tf" or "torch".

    Raises:
        ValueError: an unknown `mode` or `data_format`.
    """
    if mode not in {"caffe", "tf", "torch"}:
        raise ValueError(
            f"Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode={mode}"
        )
    if data_format is None:
        data_format = backend.image_data_format()
    elif data_format not in {"channels_first", "channels_last"}:
        raise ValueError(
            "Expected data_format to be one of `channels_first` or `channels_last`. "
            f"Received: data_format={data_format}"
        )
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, data_format, mode)
    return _preprocess_symbolic(x, data_format, mode)


def _channels_flipped(x, data_format: str, ndim: int):
    if data_format == "channels_first":
        return x[::-1, ...] if ndim == 3 else x[:, ::-1, ...]
    return x[..., ::-1]


def _preprocess_numpy(x, data_format: str, mode: str):
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(backend.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = _channels_flipped(x, data_format, x.ndim)
        mean, std = _CAFFE_MEAN, None
    for c in range(3):
        index: tuple
        if data_format == "channels_first":
            index = (c,) if x.ndim == 3 else (slice(None), c)
        else:
            index = (Ellipsis, c)
        x[index] -= mean[c]
        if std is not None:
            x[index] /= std[c]
    return x


def _preprocess_symbolic(x, data_format: str, mode: str):
    from tfgraph.ops import conv_ops

    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = _channels_flipped(x, data_format, backend.ndim(x))
        mean, std = _CAFFE_MEAN, None
    mean_tensor = backend.constant(-np.array(mean))
    if backend.dtype(x) != backend.dtype(mean_tensor):
        mean_tensor = backend.cast(mean_tensor, backend.dtype(x))
    fmt = "NCHW" if data_format == "channels_first" and backend.ndim(x) == 4 else None
    x = conv_ops.bias_add(x, mean_tensor, data_format=fmt)
    if std is not None:
        std_tensor = backend.constant(np.array(std), dtype=backend.dtype(x))
        if data_format == "channels_first":
            std_tensor = backend.reshape(std_tensor, (-1, 1, 1))
        x /= std_tensor
    return x


def decode_predictions(preds, top=5):
    """Per row of `preds` (samples, 1000), the `top` classes as (class id, name,
    score), best first. The class index is read from ~/.keras/models (downloaded once).

    Raises:
        ValueError: `preds` is not (samples, 1000).
    """
    global CLASS_INDEX
    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError(
            "`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape "
            f"(samples, 1000)). Found array with shape: {preds.shape}"
        )
    if CLASS_INDEX is None:
        fpath = get_file(
            "imagenet_class_index.json",
            CLASS_INDEX_PATH,
            cache_subdir="models",
            file_hash=CLASS_INDEX_HASH,
        )
        with open(fpath) as f:
            CLASS_INDEX = json.load(f)
    results = []
    for pred in preds:
        top_indices = pred.argsort()[-top:][::-1]
        result = [(*CLASS_INDEX[str(i)], pred[i]) for i in top_indices]
        result.sort(key=lambda r: r[2], reverse=True)
        results.append(result)
    return results


def _default_shape(input_shape, default_size: int, data_format: str, weights):
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if data_format == "channels_first" else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn(
                "This model usually expects 1 or 3 input channels. However, it was passed "
                f"an input_shape with {channels} input channels.",
                stacklevel=3,
            )
        if data_format == "channels_first":
            return (input_shape[0], default_size, default_size)
        return (default_size, default_size, input_shape[-1])
    if data_format == "channels_first":
        return (3, default_size, default_size)
    return (default_size, default_size, 3)


def _check_given_shape(input_shape, min_size: int, data_format: str, weights) -> None:
    if len(input_shape) != 3:
        raise ValueError("`input_shape` must be a tuple of three integers.")
    first = data_format == "channels_first"
    channels = input_shape[0] if first else input_shape[-1]
    if channels != 3 and weights == "imagenet":
        raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
    rows, cols = input_shape[1:3] if first else input_shape[0:2]
    if (rows is not None and rows < min_size) or (cols is not None and cols < min_size):
        raise ValueError(
            f"Input size must be at least {min_size}x{min_size}; "
            f"Received: input_shape={input_shape}"
        )


def obtain_input_shape(
    input_shape, default_size, min_size, data_format, require_flatten, weights=None
):
    """The model's input shape (without batch) from the user's `input_shape`: the
    default size with a classifier on top, else any size of at least `min_size`."""
    default_shape = _default_shape(input_shape, default_size, data_format, weights)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError(
                "When setting `include_top=True` and loading `imagenet` weights, "
                f"`input_shape` should be {default_shape}.  Received: input_shape={input_shape}"
            )
        return default_shape
    if input_shape:
        _check_given_shape(input_shape, min_size, data_format, weights)
    elif require_flatten:
        input_shape = default_shape
    elif data_format == "channels_first":
        input_shape = (3, None, None)
    else:
        input_shape = (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError(
            "If `include_top` is True, you should specify a static `input_shape`. "
            f"Received: input_shape={input_shape}"
        )
    return input_shape


def correct_pad(inputs, kernel_size):
    """The ((top, bottom), (left, right)) zero padding before a strided 'valid'
    convolution of `kernel_size` that makes it match TF's 'same' output."""
    img_dim = 2 if backend.image_data_format() == "channels_first" else 1
    input_size = backend.int_shape(inputs)[img_dim : img_dim + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    if input_size[0] is None:
        adjust = (1, 1)
    else:
        adjust = (1 - input_size[0] % 2, 1 - input_size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights) -> None:
    """With pretrained weights the classifier must end in softmax or nothing."""
    if weights is None:
        return
    from tfgraph.keras import activations

    fn = activations.get(classifier_activation)
    if fn not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError(
            "Only `None` and `softmax` activations are allowed for the "
            "`classifier_activation` argument when using pretrained weights, with "
            f"`include_top=True`; Received: classifier_activation={classifier_activation}"
        )


def check_weights(weights, include_top: bool, classes: int) -> None:
    """`weights` is None, "imagenet" or an existing file; 1000 classes with ImageNet's
    classifier."""
    if not (weights in {"imagenet", None} or os.path.exists(weights)):
        raise ValueError(
            "The `weights` argument should be either `None` (random initialization), "
            "`imagenet` (pre-training on ImageNet), or the path to the weights file to be "
            f"loaded.  Received: weights={weights}"
        )
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(
            'If using `weights` as `"imagenet"` with `include_top` as true, `classes` '
            f"should be 1000.  Received: classes={classes}"
        )


def image_input(input_tensor, input_shape):
    """The model's input: a new `Input`, or `input_tensor` (wrapped when it is a plain
    tensor)."""
    from tfgraph.keras.engine.input_layer import Input

    if input_tensor is None:
        return Input(shape=input_shape)
    if not backend.is_keras_tensor(input_tensor):
        return Input(tensor=input_tensor, shape=input_shape)
    return input_tensor


def source_inputs(input_tensor, img_input):
    """The inputs of the model: the Input layers `input_tensor` comes from."""
    if input_tensor is None:
        return img_input
    from tfgraph.keras.engine import keras_tensor
    from tfgraph.keras.engine.base_layer import _map
    from tfgraph.keras.engine.input_layer import InputLayer

    found: list = []

    def visit(t) -> None:
        layer, node_index, _ = keras_tensor.history(t)
        if isinstance(layer, InputLayer):
            if not any(t is f for f in found):
                found.append(t)
            return
        _map(visit, layer._inbound_nodes[node_index].inputs)

    visit(input_tensor)
    return found if len(found) > 1 else found[0]


def top_or_pooling(x, include_top, pooling, classes, activation, weights, top_name="avg_pool",
                   pool_names=True):  # fmt: skip
    """The classifier (global average pool `top_name` + Dense "predictions") or the
    requested global pooling ("avg_pool"/"max_pool", or auto-named if not `pool_names`)."""
    from tfgraph.keras import layers

    if include_top:
        x = layers.GlobalAveragePooling2D(name=top_name)(x)
        validate_activation(activation, weights)
        return layers.Dense(classes, activation=activation, name="predictions")(x)
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name="avg_pool" if pool_names else None)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name="max_pool" if pool_names else None)(x)
    return x


def load_weights(model, weights, fname: str | None, origin: str | None, file_hash=None):
    """`weights`="imagenet": the file `fname` from `origin`, cached in ~/.keras/models
    (downloaded once), loaded into `model`; a path: that file."""
    if weights == "imagenet" and fname is not None:
        path = get_file(fname, origin, cache_subdir="models", file_hash=file_hash)
        model.load_weights(path)  # (Keras's HDF5 weights files need h5py)
    elif weights is not None and weights != "imagenet":
        model.load_weights(weights)
    return model

"""Keras 2's preprocessing layers as TF1 graph mode runs them: Rescaling, Resizing,
CenterCrop, Normalization (given mean and variance; `adapt` needs TF2 in Keras too),
Discretization (given bin boundaries), Hashing and CategoryEncoding."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.graph import control_dependencies, name_scope
from tfgraph.keras import backend
from tfgraph.keras.engine.base_layer import Layer, as_shape
from tfgraph.ops import (
    array_ops,
    check_ops,
    control_flow_ops,
    hash_ops,
    manip_ops,
    math_more_ops,
    math_ops,
    resize_ops,
    string_ops,
)

__all__ = [
    "CategoryEncoding",
    "CenterCrop",
    "Discretization",
    "Hashing",
    "Normalization",
    "Rescaling",
    "Resizing",
]

_RESIZERS = {
    "bilinear": lambda x, size: resize_ops.resize_bilinear(x, size, half_pixel_centers=True),
    "nearest": lambda x, size: resize_ops.resize_nearest_neighbor(x, size, half_pixel_centers=True),
    "bicubic": lambda x, size: resize_ops.resize_bicubic(x, size, half_pixel_centers=True),
    "area": lambda x, size: resize_ops.resize_area(x, size),
}


def _adapt_refused(layer) -> None:
    raise RuntimeError(
        f"`adapt` is only supported in tensorflow v2. ({type(layer).__name__} in a TF1 "
        "graph takes its statistics as constructor arguments.)"
    )


def _resize(images, size: list, interpolation: str):
    """tf.image.resize (TF2's: half-pixel centres) of [h, w, c] or [n, h, w, c]."""
    single = images.shape.ndims == 3
    if single:
        images = array_ops.expand_dims(images, 0)
    with name_scope("resize"):
        out = _RESIZERS[interpolation](images, size)
    return array_ops.squeeze(out, [0]) if single else out


def _smart_resize(images, size: list, interpolation: str = "bilinear"):
    """The largest centred crop of `images` with `size`'s aspect ratio, resized to it."""
    shape = array_ops.shape(images)
    height, width = shape[-3], shape[-2]
    target_h, target_w = size

    def ratio(n, num, den):
        return array_ops.cast(array_ops.cast(n * num, "float32") / den, "int32")

    crop_h = math_ops.minimum(height, ratio(width, target_h, target_w))
    crop_w = math_ops.minimum(width, ratio(height, target_w, target_h))
    start_h = array_ops.cast(array_ops.cast(height - crop_h, "float32") / 2, "int32")
    start_w = array_ops.cast(array_ops.cast(width - crop_w, "float32") / 2, "int32")
    if images.shape.ndims == 4:
        begin = array_ops.stack([0, start_h, start_w, 0])
        sizes = array_ops.stack([-1, crop_h, crop_w, -1])
    else:
        begin = array_ops.stack([start_h, start_w, 0])
        sizes = array_ops.stack([crop_h, crop_w, -1])
    cropped = array_ops.slice(images, begin, sizes)
    out = _resize(cropped, list(size), interpolation)
    static = images.shape.as_list()
    out.set_shape([*static[:-3], target_h, target_w, static[-1]])
    return out


class Rescaling(Layer):
    """`inputs * scale + offset`."""

    def __init__(self, scale, offset=0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset

    def call(self, inputs):
        dtype = self._dtype or backend.floatx()
        scale = array_ops.cast(self.scale, dtype)
        offset = array_ops.cast(self.offset, dtype)
        return array_ops.cast(inputs, dtype) * scale + offset

    def compute_output_shape(self, input_shape):
        return input_shape


class Resizing(Layer):
    """Resizes images to (height, width): 'bilinear' (default), 'nearest', 'bicubic'
    or 'area'; with `crop_to_aspect_ratio` the centred crop of the target's ratio."""

    def __init__(
        self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        if interpolation not in _RESIZERS:
            raise NotImplementedError(
                f"tfgraph's Resizing supports interpolation in {sorted(_RESIZERS)}; "
                f"received {interpolation!r}"
            )
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio

    def call(self, inputs):
        inputs = array_ops.cast(inputs, self._dtype or backend.floatx())
        size = [self.height, self.width]
        if self.crop_to_aspect_ratio:
            outputs = _smart_resize(inputs, size, self.interpolation)
        else:
            outputs = _resize(inputs, size, self.interpolation)
        return array_ops.cast(outputs, self._dtype or backend.floatx())


class CenterCrop(Layer):
    """The centred (height, width) crop of images; smaller images are resized up
    (after cropping to the target's aspect ratio)."""

    def __init__(self, height, width, **kwargs) -> None:
        super().__init__(**kwargs)
        self.height = height
        self.width = width

    def call(self, inputs):
        dtype = self._dtype or backend.floatx()
        inputs = array_ops.cast(inputs, dtype)
        shape = array_ops.shape(inputs)
        h_diff = shape[-3] - self.height
        w_diff = shape[-2] - self.width

        def crop():
            begin = [h_diff // 2, w_diff // 2, 0]
            size = [self.height, self.width, -1]
            if inputs.shape.ndims == 4:
                begin, size = [0, *begin], [-1, *size]
            return array_ops.slice(inputs, array_ops.stack(begin), size)

        def upsize():
            return array_ops.cast(_smart_resize(inputs, [self.height, self.width]), dtype)

        fits = math_ops.logical_and(h_diff >= 0, w_diff >= 0)
        out = control_flow_ops.cond(fits, crop, upsize)
        static = inputs.shape.as_list()
        out.set_shape([*static[:-3], self.height, self.width, static[-1]])
        return out


def _listify(value):
    if value is None:
        return None
    return np.asarray(value).tolist()


class Normalization(Layer):
    """`(inputs - mean) / sqrt(variance)` per feature along `axis` (floored at
    epsilon); `invert` undoes it. Without mean and variance it holds weights `mean`,
    `variance`, `count` (zeros, ones, 0) as Keras does before `adapt`."""

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs) -> None:
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        if (mean is not None) != (variance is not None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be set. "
                f"Got mean: {mean} and variance: {variance}"
            )
        self.input_mean = _listify(mean)
        self.input_variance = _listify(variance)
        self.invert = invert

    def adapt(self, data, batch_size=None, steps=None):
        _adapt_refused(self)

    def build(self, input_shape) -> None:
        shape = as_shape(input_shape).as_list()
        ndim = len(shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                "All `axis` values must be in the range [-ndim, ndim). "
                f"Found ndim: `{ndim}`, axis: {self.axis}"
            )
        keep = sorted(d if d >= 0 else d + ndim for d in self.axis)
        for d in keep:
            if shape[d] is None:
                raise ValueError(
                    "All `axis` values to be kept must have known shape. Got axis: "
                    f"{self.axis}, input shape: {shape}, with unknown axis at index: {d}"
                )
        broadcast = [shape[d] if d in keep else 1 for d in range(ndim)]
        stats_shape = tuple(shape[d] for d in keep)
        dtype = self._dtype or backend.floatx()
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean", shape=stats_shape, initializer="zeros", trainable=False
            )
            self.adapt_variance = self.add_weight(
                name="variance", shape=stats_shape, initializer="ones", trainable=False
            )
            self.count = self.add_weight(
                name="count", shape=(), dtype="int64", initializer="zeros", trainable=False
            )
            self.mean = array_ops.reshape(self.adapt_mean, broadcast)
            self.variance = array_ops.reshape(self.adapt_variance, broadcast)
        else:
            mean = np.asarray(self.input_mean) * np.ones(stats_shape)
            variance = np.asarray(self.input_variance) * np.ones(stats_shape)
            self.mean = array_ops.cast(array_ops.reshape(mean, broadcast), dtype)
            self.variance = array_ops.cast(array_ops.reshape(variance, broadcast), dtype)
        self.built = True

    def call(self, inputs):
        inputs = array_ops.cast(inputs, self._dtype or backend.floatx())
        spread = math_ops.maximum(math_ops.sqrt(self.variance), backend.epsilon())
        if self.invert:
            return self.mean + inputs * spread
        return (inputs - self.mean) / spread

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = list(self.axis)
        return config


_MODES = ("int", "one_hot", "multi_hot", "count")


def _check_mode(layer: str, output_mode, sparse, allowed=_MODES) -> None:
    if output_mode not in allowed:
        raise ValueError(
            f"Unknown value for `output_mode`. Allowed values are: {list(allowed)}. "
            f"Received: {output_mode}"
        )
    if sparse:
        raise NotImplementedError(f"tfgraph's {layer} has no sparse output (sparse=False)")


def _encode(inputs, output_mode: str, depth: int, dtype, count_weights=None):
    """Keras' encode_categorical_inputs for dense inputs."""
    if output_mode == "int":
        return array_ops.identity(array_ops.cast(inputs, dtype))
    original = inputs.shape
    if inputs.shape.ndims == 0:
        inputs = array_ops.expand_dims(inputs, -1)
    last = inputs.shape.as_list()[-1]
    # (as in TF1 graph mode, where an unknown Dimension compares as unknown, not unequal)
    if output_mode == "one_hot" and last is not None and last != 1:
        inputs = array_ops.expand_dims(inputs, -1)
    if inputs.shape.ndims > 2:
        raise ValueError(
            "When output_mode is not `'int'`, maximum supported output rank is 2. Received "
            f"output_mode {output_mode} and input shape {original}, which would result in "
            f"output rank {inputs.shape.ndims}."
        )
    result = manip_ops.bincount(
        inputs,
        weights=count_weights,
        minlength=depth,
        maxlength=depth,
        dtype=dtype,
        axis=-1,
        binary_output=output_mode in ("multi_hot", "one_hot"),
    )
    if inputs.shape.ndims == 1:
        result.set_shape([depth])
    else:
        result.set_shape([inputs.shape.as_list()[0], depth])
    return result


class Discretization(Layer):
    """Bucket indices of `inputs` by `bin_boundaries` (as ints, or one-hot / multi-hot
    / counts). Learning boundaries (`num_bins`) needs `adapt`, TF2 only."""

    def __init__(
        self,
        bin_boundaries=None,
        num_bins=None,
        epsilon=0.01,
        output_mode="int",
        sparse=False,
        **kwargs,
    ) -> None:
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else backend.floatx()
        elif output_mode == "int" and not dtypes.as_dtype(kwargs["dtype"]).is_integer:
            kwargs["dtype"] = "int64"
        super().__init__(**kwargs)
        _check_mode("Discretization", output_mode, sparse)
        if num_bins is not None and num_bins < 0:
            raise ValueError(
                f"`num_bins` must be greater than or equal to 0. You passed `num_bins={num_bins}`"
            )
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                "Both `num_bins` and `bin_boundaries` should not be set. You passed "
                f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`"
            )
        self.bin_boundaries = _listify(bin_boundaries) or []
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse

    def adapt(self, data, batch_size=None, steps=None):
        _adapt_refused(self)

    def call(self, inputs):
        indices = math_more_ops.bucketize(inputs, self.bin_boundaries)
        return _encode(indices, self.output_mode, len(self.bin_boundaries) + 1, self._dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config["bin_boundaries"] = list(self.bin_boundaries) or None
        return config


class Hashing(Layer):
    """Hashes values (strings, or ints as strings) into `num_bins` bins: FarmHash, or
    SipHash keyed by `salt`; `mask_value` gets bin 0."""

    def __init__(
        self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs
    ) -> None:
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else backend.floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError(
                "The `num_bins` for `Hashing` cannot be `None` or non-positive values. "
                f"Received: num_bins={num_bins}."
            )
        _check_mode("Hashing", output_mode, sparse)
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = sparse
        self.salt = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                self.salt = list(salt)
            elif isinstance(salt, int):
                self.salt = [salt, salt]
            else:
                raise ValueError(
                    "The `salt` argument for `Hashing` can only be a tuple of size 2 "
                    f"integers, or a single integer. Received: salt={salt}."
                )

    def _hash(self, values):
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = math_ops.equal(values, self.mask_value)
        if values.dtype.is_integer:
            values = string_ops.as_string(values)
        if self.strong_hash:
            values = hash_ops.string_to_hash_bucket_strong(values, bins, self.salt, name="hash")
        else:
            values = hash_ops.string_to_hash_bucket_fast(values, bins, name="hash")
        if mask is not None:
            values = values + array_ops.ones_like(values)
            values = array_ops.where(mask, array_ops.zeros_like(values), values)
        return values

    def call(self, inputs):
        return _encode(self._hash(inputs), self.output_mode, self.num_bins, self._dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config["salt"] = self.salt
        return config


class CategoryEncoding(Layer):
    """Integer category ids in [0, num_tokens) as one-hot, multi-hot or count vectors
    (`count_weights` weighting the counts)."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        if "max_tokens" in kwargs:
            num_tokens = kwargs.pop("max_tokens")
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        _check_mode("CategoryEncoding", output_mode, sparse, ("count", "one_hot", "multi_hot"))
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number of tokens is not "
                "known beforehand, use the IntegerLookup layer instead."
            )
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(
                "`count_weights` is not used when `output_mode` is not `'count'`. "
                f"Received `count_weights={count_weights}`."
            )
        dtype = self._dtype or backend.floatx()
        if count_weights is not None:
            count_weights = array_ops.cast(count_weights, dtype)
        depth = self.num_tokens
        largest = math_ops.reduce_max(inputs)
        smallest = math_ops.reduce_min(inputs)
        ok = math_ops.logical_and(
            math_ops.greater(array_ops.cast(depth, largest.dtype), largest),
            math_ops.greater_equal(smallest, array_ops.cast(0, smallest.dtype)),
        )
        check = check_ops.Assert(
            ok,
            [f"Input values must be in the range 0 <= values < num_tokens with num_tokens={depth}"],
        )
        with control_dependencies([check]):
            return _encode(inputs, self.output_mode, depth, dtype, count_weights)

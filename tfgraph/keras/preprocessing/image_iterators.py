"""The batch iterators of `tf.keras.preprocessing.image` (Keras 2): Iterator (index
order, seeding), NumpyArrayIterator (arrays) and DirectoryIterator (image files)."""

from __future__ import annotations

import os
import threading
import warnings
from typing import Any

import numpy as np

from tfgraph.keras import image_utils
from tfgraph.keras.data_utils import Sequence
from tfgraph.keras.progbar import print_msg

__all__ = ["DirectoryIterator", "Iterator", "NumpyArrayIterator"]


def _defaults(data_format, dtype):
    from tfgraph.keras import backend

    return data_format or backend.image_data_format(), dtype or backend.floatx()


class Iterator(Sequence):
    """Batches of indices into `n` samples: `it[i]` (a Sequence) or `next(it)` (forever,
    wrapping round). With `shuffle`, each epoch's order is a np.random permutation;
    `seed` reseeds np.random with `seed + batches seen` before each batch."""

    white_list_formats = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")

    def __init__(self, n, batch_size, shuffle, seed) -> None:
        self.n = n
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array: Any = None
        self.index_generator = self._flow_index()

    def _set_index_array(self) -> None:
        self.index_array = np.random.permutation(self.n) if self.shuffle else np.arange(self.n)

    def __getitem__(self, idx):
        if idx >= len(self):
            raise ValueError(
                f"Asked to retrieve element {idx}, but the Sequence has length {len(self)}"
            )
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        assert self.index_array is not None
        start = self.batch_size * idx
        return self._get_batches_of_transformed_samples(
            self.index_array[start : start + self.batch_size]
        )

    def __len__(self) -> int:
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self) -> None:
        self._set_index_array()

    def reset(self) -> None:
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            current = 0 if self.n == 0 else (self.batch_index * self.batch_size) % self.n
            self.batch_index = self.batch_index + 1 if self.n > current + self.batch_size else 0
            self.total_batches_seen += 1
            assert self.index_array is not None
            yield self.index_array[current : current + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self, *args, **kwargs):
        return self.next(*args, **kwargs)

    def next(self):
        """The next batch."""
        with self.lock:
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def _get_batches_of_transformed_samples(self, index_array):
        raise NotImplementedError


def _save_batch(batch_x, index_array, it, high) -> None:
    for i, j in enumerate(index_array):
        img = image_utils.array_to_img(batch_x[i], it.data_format, scale=True)
        name = f"{it.save_prefix}_{j}_{np.random.randint(high)}.{it.save_format}"
        img.save(os.path.join(it.save_to_dir, name))


def _split_misc(x):
    if not isinstance(x, (tuple, list)):
        return x, []
    misc = [np.asarray(x[1])] if not isinstance(x[1], list) else [np.asarray(a) for a in x[1]]
    for extra in misc:
        if len(x[0]) != len(extra):
            raise ValueError(
                "All of the arrays in `x` should have the same length. Found a pair with: "
                f"len(x[0]) = {len(x[0])}, len(x[?]) = {len(extra)}"
            )
    return x[0], misc


class NumpyArrayIterator(Iterator):
    """Batches of a rank-4 image array `x` (with labels `y`, `sample_weight`, extra
    arrays as `x=(images, [more])`), each image passed through the generator's random
    transform and standardization."""

    def __init__(
        self,
        x,
        y,
        image_data_generator,
        batch_size=32,
        shuffle=False,
        sample_weight=None,
        seed=None,
        data_format=None,
        save_to_dir=None,
        save_prefix="",
        save_format="png",
        subset=None,
        ignore_class_split=False,
        dtype=None,
    ) -> None:
        data_format, self.dtype = _defaults(data_format, dtype)
        x, x_misc = _split_misc(x)
        if y is not None and len(x) != len(y):
            raise ValueError(
                "`x` (images tensor) and `y` (labels) should have the same length. Found: "
                f"x.shape = {np.asarray(x).shape}, y.shape = {np.asarray(y).shape}"
            )
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError(
                "`x` (images tensor) and `sample_weight` should have the same length. Found: "
                f"x.shape = {np.asarray(x).shape}, "
                f"sample_weight.shape = {np.asarray(sample_weight).shape}"
            )
        if subset is not None:
            x, x_misc, y = self._subset(x, x_misc, y, subset, image_data_generator,
                                        ignore_class_split)  # fmt: skip
        self.x = np.asarray(x, dtype=self.dtype)
        self.x_misc = x_misc
        if self.x.ndim != 4:
            raise ValueError(
                "Input data in `NumpyArrayIterator` should have rank 4. You passed an array "
                "with shape",
                self.x.shape,
            )
        channels_axis = 3 if data_format == "channels_last" else 1
        if self.x.shape[channels_axis] not in {1, 3, 4}:
            warnings.warn(
                f'NumpyArrayIterator is set to use the data format convention "{data_format}" '
                f"(channels on axis {channels_axis}), i.e. expected either 1, 3, or 4 channels "
                f"on axis {channels_axis}. However, it was passed an array with shape "
                f"{self.x.shape} ({self.x.shape[channels_axis]} channels)."
            )
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        super().__init__(x.shape[0], batch_size, shuffle, seed)

    @staticmethod
    def _subset(x, x_misc, y, subset, generator, ignore_class_split):
        if subset not in {"training", "validation"}:
            raise ValueError(
                "Invalid subset name:", subset, '; expected "training" or "validation".'
            )
        cut = int(len(x) * generator._validation_split)
        if (
            y is not None
            and not ignore_class_split
            and not np.array_equal(np.unique(y[:cut]), np.unique(y[cut:]))
        ):
            raise ValueError(
                "Training and validation subsets have different number of classes after the "
                "split. If your numpy arrays are sorted by the label, you might want to "
                "shuffle them."
            )
        part = slice(None, cut) if subset == "validation" else slice(cut, None)
        return x[part], [np.asarray(a[part]) for a in x_misc], (None if y is None else y[part])

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array), *self.x.shape[1:]), dtype=self.dtype)
        generator = self.image_data_generator
        for i, j in enumerate(index_array):
            x = self.x[j]
            params = generator.get_random_transform(x.shape)
            x = generator.apply_transform(x.astype(self.dtype), params)
            batch_x[i] = generator.standardize(x)
        if self.save_to_dir:
            _save_batch(batch_x, index_array, self, 1e4)
        miscs = [a[index_array] for a in self.x_misc]
        output: tuple = (batch_x if not miscs else [batch_x, *miscs],)
        if self.y is None:
            return output[0]
        output += (self.y[index_array],)
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output


def _valid_files(directory, formats, follow_links):
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda w: w[0]):
        for name in sorted(files):
            if name.lower().endswith(".tiff"):
                warnings.warn(
                    'Using ".tiff" files with multiple bands will cause distortion. '
                    "Please verify your output."
                )
            if name.lower().endswith(formats):
                yield root, name


def _class_files(directory, formats, split, class_indices, follow_links):
    dirname = os.path.basename(directory)
    files = list(_valid_files(directory, formats, follow_links))
    if split:
        files = files[int(split[0] * len(files)) : int(split[1] * len(files))]
    names = [
        os.path.join(dirname, os.path.relpath(os.path.join(r, f), directory)) for r, f in files
    ]
    return [class_indices[dirname]] * len(names), names


def _image_shape(color_mode, data_format, target_size) -> tuple:
    if color_mode not in {"rgb", "rgba", "grayscale"}:
        raise ValueError(
            "Invalid color mode:", color_mode, '; expected "rgb", "rgba", or "grayscale".'
        )
    channels = {"rgba": 4, "rgb": 3, "grayscale": 1}[color_mode]
    if data_format == "channels_last":
        return (*target_size, channels)
    return (channels, *target_size)


def _split(generator, subset):
    if subset is None:
        return None
    fraction = generator._validation_split
    if subset == "validation":
        return (0, fraction)
    if subset == "training":
        return (fraction, 1)
    raise ValueError(f'Invalid subset name: {subset};expected "training" or "validation"')


def _labels(it, batch_x, index_array):
    mode = it.class_mode
    if mode == "input":
        return batch_x.copy()
    if mode in {"binary", "sparse"}:
        return np.asarray([it.classes[j] for j in index_array], dtype=it.dtype)
    if mode == "categorical":
        batch_y = np.zeros((len(batch_x), len(it.class_indices)), dtype=it.dtype)
        for i, j in enumerate(index_array):
            batch_y[i, it.classes[j]] = 1.0
        return batch_y
    return None


class DirectoryIterator(Iterator):
    """Batches of the images under `directory/<class>/...` (classes: the sorted
    subdirectories, or `classes`), loaded with `load_img` at `target_size`, labelled
    by `class_mode` ("categorical", "binary", "sparse", "input" or None)."""

    allowed_class_modes = {"categorical", "binary", "sparse", "input", None}

    def __init__(
        self,
        directory,
        image_data_generator,
        target_size=(256, 256),
        color_mode="rgb",
        classes=None,
        class_mode="categorical",
        batch_size=32,
        shuffle=True,
        seed=None,
        data_format=None,
        save_to_dir=None,
        save_prefix="",
        save_format="png",
        follow_links=False,
        subset=None,
        interpolation="nearest",
        keep_aspect_ratio=False,
        dtype=None,
    ) -> None:
        data_format, self.dtype = _defaults(data_format, dtype)
        self.image_data_generator = image_data_generator
        self.target_size = tuple(target_size)
        self.keep_aspect_ratio = keep_aspect_ratio
        self.image_shape = _image_shape(color_mode, data_format, self.target_size)
        self.color_mode = color_mode
        self.data_format = data_format
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.interpolation = interpolation
        self.split = _split(image_data_generator, subset)
        self.subset = subset
        self.directory = directory
        if class_mode not in self.allowed_class_modes:
            raise ValueError(
                f"Invalid class_mode: {class_mode}; expected one of: {self.allowed_class_modes}"
            )
        self.class_mode = class_mode
        if not classes:
            classes = [
                d
                for d in sorted(os.listdir(directory))
                if os.path.isdir(os.path.join(directory, d))
            ]
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes)), strict=True))
        labels: list = []
        self.filenames: list = []
        for name in classes:
            found = _class_files(os.path.join(directory, name), self.white_list_formats,
                                 self.split, self.class_indices, follow_links)  # fmt: skip
            labels += found[0]
            self.filenames += found[1]
        self.samples = len(self.filenames)
        self.classes = np.asarray(labels, dtype="int32").reshape(self.samples)
        print_msg(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        self._filepaths = [os.path.join(directory, f) for f in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    @property
    def filepaths(self) -> list:
        return self._filepaths

    @property
    def labels(self):
        return self.classes

    @property
    def sample_weight(self):
        return None

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array), *self.image_shape), dtype=self.dtype)
        generator = self.image_data_generator
        for i, j in enumerate(index_array):
            img = image_utils.load_img(
                self.filepaths[j],
                color_mode=self.color_mode,
                target_size=self.target_size,
                interpolation=self.interpolation,
                keep_aspect_ratio=self.keep_aspect_ratio,
            )
            x = image_utils.img_to_array(img, data_format=self.data_format)
            img.close()
            if generator:
                x = generator.apply_transform(x, generator.get_random_transform(x.shape))
                x = generator.standardize(x)
            batch_x[i] = x
        if self.save_to_dir:
            _save_batch(batch_x, index_array, self, 1e7)
        batch_y = _labels(self, batch_x, index_array)
        return batch_x if batch_y is None else (batch_x, batch_y)

"""`tf.keras.preprocessing.image` (re-exports only): Keras 2's image augmentation on
numpy arrays (SciPy for affine transforms and Pillow for files and brightness, both
imported on first use)."""

from tfgraph.keras.image_utils import array_to_img, img_to_array, load_img, save_img
from tfgraph.keras.preprocessing.image_generator import ImageDataGenerator
from tfgraph.keras.preprocessing.image_iterators import (
    DirectoryIterator,
    Iterator,
    NumpyArrayIterator,
)
from tfgraph.keras.preprocessing.image_transforms import (
    apply_affine_transform,
    apply_brightness_shift,
    apply_channel_shift,
    random_brightness,
    random_channel_shift,
    random_rotation,
    random_shear,
    random_shift,
    random_zoom,
)

__all__ = [
    "DirectoryIterator",
    "ImageDataGenerator",
    "Iterator",
    "NumpyArrayIterator",
    "apply_affine_transform",
    "apply_brightness_shift",
    "apply_channel_shift",
    "array_to_img",
    "img_to_array",
    "load_img",
    "random_brightness",
    "random_channel_shift",
    "random_rotation",
    "random_shear",
    "random_shift",
    "random_zoom",
    "save_img",
]

"""Keras 2's preprocessing layers in a TF1 graph (Rescaling, Resizing, CenterCrop,
Normalization, Discretization, Hashing, CategoryEncoding) against TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

L = tf.keras.layers

PROGRAM = """
rng = np.random.RandomState(9)
K = tf.keras
L = tf.keras.layers
result = {}
img = tf.placeholder(tf.float32, [None, 6, 8, 2])
img3 = tf.placeholder(tf.float32, [5, 7, 3])
x = tf.placeholder(tf.float32, [None, 3])
x3 = tf.placeholder(tf.float32, [None, 2, 3])
ids = tf.placeholder(tf.int32, [None, 3])
ids1 = tf.placeholder(tf.int64, [None])
words = tf.placeholder(tf.string, [None, 2])
nums = tf.placeholder(tf.int64, [None, 2])
vimg = rng.uniform(0, 255, (2, 6, 8, 2)).astype("float32")
vimg3 = rng.uniform(0, 1, (5, 7, 3)).astype("float32")
vx = rng.standard_normal((4, 3)).astype("float32")
vx3 = rng.standard_normal((4, 2, 3)).astype("float32")
layers = {
    "rescale": (L.Rescaling(1.0 / 255, offset=-0.5), img),
    "resize": (L.Resizing(4, 5), img),
    "resize_up": (L.Resizing(9, 11), img),
    "resize_nearest": (L.Resizing(3, 5, interpolation="nearest"), img),
    "resize_bicubic": (L.Resizing(5, 4, interpolation="bicubic"), img),
    "resize_area": (L.Resizing(3, 4, interpolation="area"), img),
    "resize_crop": (L.Resizing(4, 4, crop_to_aspect_ratio=True), img),
    "resize_single": (L.Resizing(3, 3), img3),
    "center": (L.CenterCrop(4, 5), img),
    "center_up": (L.CenterCrop(7, 6), img),
    "center_single": (L.CenterCrop(3, 3), img3),
    "norm": (L.Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 0.0]), x),
    "norm_inv": (L.Normalization(mean=0.5, variance=4.0, invert=True), x),
    "norm_axes": (
        L.Normalization(axis=(1, 2), mean=np.ones((2, 3)), variance=np.full((2, 3), 9.0)), x3
    ),
    "norm_none": (L.Normalization(axis=None, mean=2.0, variance=4.0), x3),
    "norm_unadapted": (L.Normalization(axis=1), x3),
    "disc": (L.Discretization(bin_boundaries=[-0.5, 0.0, 0.5]), x),
    "disc_onehot": (L.Discretization(bin_boundaries=[0.0], output_mode="one_hot"), x[:, 0]),
    "disc_multi": (L.Discretization(bin_boundaries=[-1.0, 0.0, 1.0], output_mode="multi_hot"), x),
    "disc_count": (L.Discretization(bin_boundaries=[0.0, 1.0], output_mode="count"), x),
    "hash": (L.Hashing(7), words),
    "hash_salt": (L.Hashing(7, salt=133), words),
    "hash_salt2": (L.Hashing(11, salt=(3, 9)), words),
    "hash_mask": (L.Hashing(5, mask_value="b"), words),
    "hash_int": (L.Hashing(6, mask_value=0), nums),
    "hash_multi": (L.Hashing(6, output_mode="multi_hot"), words),
    "cat_multi": (L.CategoryEncoding(5), ids),
    "cat_count": (L.CategoryEncoding(5, output_mode="count"), ids),
    "cat_onehot": (L.CategoryEncoding(4, output_mode="one_hot"), ids1),
}
outs = {k: la(t) for k, (la, t) in layers.items()}
outs["cat_weighted"] = L.CategoryEncoding(5, output_mode="count")(ids, count_weights=ids * 2)
sess = K.backend.get_session()
feed = {img: vimg, img3: vimg3, x: vx, x3: vx3, ids: [[0, 4, 4], [1, 2, 3]], ids1: [3, 0, 1],
        words: [[b"a", b"b"], [b"hello", b""]], nums: [[0, 5], [17, -3]]}
result["values"] = sess.run(outs, feed)
result["shapes"] = {k: str(v.shape) for k, v in outs.items()}
result["dtypes"] = {k: v.dtype.name for k, v in outs.items()}
result["names"] = {k: [w.name for w in la.weights] for k, (la, _) in layers.items()}
configs = {}
for k, (la, _) in layers.items():
    config = la.get_config()
    config.pop("name")
    config.pop("dtype")
    configs[k] = {key: (list(v) if isinstance(v, tuple) else v) for key, v in config.items()}
    again = L.deserialize(L.serialize(la))
    configs[k]["again"] = str(again(layers[k][1]).shape)
result["configs"] = configs
try:
    sess.run(outs["cat_multi"], {ids: [[0, 5, 1]]})
except tf.errors.InvalidArgumentError as e:
    result["range_error"] = "Input values must be in the range" in str(e)
"""


@pytest.mark.tf
@requires_tf
def test_preprocessing_layers_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected, rtol=1e-4, atol=1e-4)


def test_adapt_needs_tf2():
    with pytest.raises(RuntimeError, match="`adapt` is only supported in tensorflow v2"):
        L.Normalization().adapt(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="`adapt` is only supported in tensorflow v2"):
        L.Discretization(num_bins=3).adapt(np.zeros((2, 3)))


def test_preprocessing_argument_errors():
    with pytest.raises(ValueError, match="both `mean` and `variance` must be set"):
        L.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="should not be set"):
        L.Discretization(bin_boundaries=[0.0], num_bins=2)
    with pytest.raises(ValueError, match="cannot be `None` or non-positive"):
        L.Hashing(0)
    with pytest.raises(ValueError, match="num_tokens must be set"):
        L.CategoryEncoding()

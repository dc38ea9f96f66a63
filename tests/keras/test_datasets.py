"""Model.fit / evaluate / predict on tf.data datasets in graph mode (to the end of a
finite dataset each epoch, or `steps_per_epoch` batches of a repeated one; values are
means over the steps, as Keras 2) against TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras
L = tf.keras.layers

PROGRAM = """
rng = np.random.RandomState(15)
K = tf.keras
L = tf.keras.layers
result = {}
xv = rng.standard_normal((10, 3)).astype("float32")
yv = rng.standard_normal((10, 1)).astype("float32")
model = K.Sequential([L.Dense(1, input_shape=(3,))])
model.set_weights([rng.standard_normal((3, 1)).astype("float32"), np.zeros(1, "float32")])
model.compile(K.optimizers.SGD(0.1), "mse")
ds = tf.data.Dataset.from_tensor_slices((xv, yv)).batch(4)
h = model.fit(ds, epochs=2, verbose=0)
result["finite"] = [h.history, model.get_weights()]
rep = tf.data.Dataset.from_tensor_slices((xv, yv)).batch(3).repeat()
h = model.fit(rep, epochs=2, steps_per_epoch=2, verbose=0)
result["repeat"] = [h.history, model.get_weights()]
result["evaluate"] = model.evaluate(ds, verbose=0)
result["predict"] = model.predict(tf.data.Dataset.from_tensor_slices(xv).batch(4))
"""


@pytest.mark.tf
@requires_tf
def test_datasets_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected)


def test_dataset_predict_equals_arrays():
    out = ours(PROGRAM)
    assert len(out["predict"]) == 10
    x = np.arange(12, dtype="float32").reshape(4, 3)
    model = K.Sequential([L.Dense(2, input_shape=(3,))])
    from_arrays = model.predict(x)
    from_dataset = model.predict(tf.data.Dataset.from_tensor_slices(x).batch(3))
    # A batch of 1 row and one of 4 may take different BLAS kernels (gemv, gemm) that sum
    # in different orders, as in TF; [3, 0] is a difference of terms near 5, so a float32
    # rounding of those terms (~5e-7) is allowed, not a relative 1e-6 of the small result.
    np.testing.assert_allclose(from_dataset, from_arrays, rtol=1e-6, atol=1e-6)
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="dataset of `\\(x, y\\)`"):
        model.fit(tf.data.Dataset.from_tensor_slices(x).batch(2), verbose=0)

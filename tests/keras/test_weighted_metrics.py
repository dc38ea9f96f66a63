"""Model.compile's `weighted_metrics` and `sample_weight_mode` (and class_weight, which
weighs the weighted metrics too), against TensorFlow's Keras 2 in graph mode: history
keys, metrics_names, values after a few epochs from the same weights, per-output
weights, temporal weights, TF's errors for wrong sample weights, and the HDF5 round
trip of the compile config."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras
L = tf.keras.layers

PRELUDE = """
rng = np.random.RandomState(3)
K = tf.keras
L = tf.keras.layers
result = {}


def err(f):
    try:
        f()
        return "no error"
    except Exception as e:
        return [type(e).__name__, str(e).replace("founssd", "found")]
"""

SAMPLEWISE = """
xv = rng.standard_normal((12, 3)).astype("float32")
yv = (xv[:, 0] > 0.2).astype("float32")
sw = rng.uniform(0.2, 2.0, 12).astype("float32")


def dense(weighted, metrics=("acc",)):
    m = K.Sequential([L.Dense(1, activation="sigmoid", input_shape=(3,))])
    m.set_weights([np.full((3, 1), 0.1, "float32"), np.zeros(1, "float32")])
    m.compile(K.optimizers.SGD(0.5), "binary_crossentropy", metrics=list(metrics),
              weighted_metrics=weighted)
    return m


m = dense(["acc", "mae", K.metrics.AUC(name="auc")])
result["names_before"] = m.metrics_names
h = m.fit(xv, yv, epochs=2, batch_size=5, verbose=0, shuffle=False, sample_weight=sw)
result["fit"] = [h.history, m.metrics_names, m.get_weights()]
result["evaluate"] = m.evaluate(xv, yv, sample_weight=sw, verbose=0)
result["evaluate_noweights"] = m.evaluate(xv, yv, verbose=0)
m = dense(["acc", "mae"])
result["train_on_batch"] = [m.train_on_batch(xv[:4], yv[:4], sample_weight=sw[:4]),
                            m.train_on_batch(xv[:4], yv[:4], sample_weight=sw[:4]),
                            m.get_weights()]
result["test_on_batch"] = m.test_on_batch(xv[4:8], yv[4:8], sample_weight=sw[4:8])
m = dense(["accuracy", "binary_crossentropy"], metrics=["accuracy", "mean_squared_error"])
h = m.fit(xv, yv, epochs=1, batch_size=6, verbose=0, shuffle=False, sample_weight=sw,
          validation_data=(xv[:4], yv[:4], sw[:4]))
result["names_and_validation"] = [m.metrics_names, h.history]
m = dense(["acc"])
h = m.fit(xv, yv, epochs=1, batch_size=6, verbose=0, shuffle=False, class_weight={0: 1.0, 1: 2.5})
result["class_weight"] = h.history
"""

TEMPORAL = """
xs = rng.standard_normal((6, 4, 2)).astype("float32")
ys = (rng.uniform(size=(6, 4, 1)) > 0.5).astype("float32")
tw = rng.uniform(0.0, 2.0, (6, 4)).astype("float32")


def seq(mode="temporal"):
    inp = L.Input((4, 2))
    out = L.TimeDistributed(L.Dense(1, activation="sigmoid"), name="td")(inp)
    m = K.Model(inp, out)
    m.set_weights([np.full((2, 1), 0.2, "float32"), np.zeros(1, "float32")])
    m.compile(K.optimizers.SGD(0.3), "binary_crossentropy", metrics=["acc"],
              weighted_metrics=["acc", "mse"], sample_weight_mode=mode)
    return m


m = seq()
h = m.fit(xs, ys, epochs=2, batch_size=4, verbose=0, shuffle=False, sample_weight=tw)
result["temporal"] = [m.metrics_names, h.history, m.get_weights(),
                      m.evaluate(xs, ys, verbose=0, sample_weight=tw)]
result["temporal_noweights"] = m.evaluate(xs, ys, verbose=0)
result["err_1d_temporal"] = err(lambda: m.fit(xs, ys, verbose=0, sample_weight=tw[:, 0]))
result["err_1d_temporal_eval"] = err(
    lambda: m.evaluate(xs, ys, verbose=0, sample_weight=tw[:, 0]))
m2 = seq(mode=None)
result["err_2d_samplewise"] = err(lambda: m2.fit(xs, ys, verbose=0, sample_weight=tw))
result["err_wrong_length"] = err(lambda: m2.fit(xs, ys, verbose=0, sample_weight=tw[:3, 0]))
result["err_bad_mode"] = err(lambda: seq(mode="foo"))[0]
d = K.Sequential([L.Dense(1, input_shape=(2,))])
d.compile("sgd", "mse", sample_weight_mode="temporal")
result["err_temporal_2d_output"] = err(
    lambda: d.fit(np.ones((3, 2)), np.ones((3, 1)), verbose=0, sample_weight=np.ones((3, 1))))
"""

MASKED = """
xs = rng.standard_normal((6, 4, 2)).astype("float32")
xs[0, 2:] = 0.0
xs[3, 1:] = 0.0
ys = (rng.uniform(size=(6, 4, 1)) > 0.5).astype("float32")
tw = rng.uniform(0.0, 2.0, (6, 4)).astype("float32")
for mode, w in (("temporal", tw), (None, tw[:, 0])):
    inp = L.Input((4, 2))
    out = L.TimeDistributed(L.Dense(1, activation="sigmoid"), name="td")(L.Masking()(inp))
    m = K.Model(inp, out)
    m.set_weights([np.full((2, 1), 0.2, "float32"), np.zeros(1, "float32")])
    m.compile(K.optimizers.SGD(0.3), "binary_crossentropy", metrics=["acc"],
              weighted_metrics=["acc", "mse", K.metrics.MeanAbsoluteError()],
              sample_weight_mode=mode)
    h = m.fit(xs, ys, epochs=2, batch_size=4, verbose=0, shuffle=False, sample_weight=w)
    result[f"masked_{mode}"] = [m.metrics_names, h.history, m.get_weights(),
                                m.evaluate(xs, ys, sample_weight=w, verbose=0)]
"""

MULTI = """
inp = L.Input((3,))
a = L.Dense(1, activation="sigmoid", name="a")(inp)
b = L.Dense(2, name="b")(inp)
mm = K.Model(inp, [a, b])
mm.set_weights([np.full((3, 1), 0.1, "float32"), np.zeros(1, "float32"),
                np.full((3, 2), -0.1, "float32"), np.zeros(2, "float32")])
mm.compile(K.optimizers.SGD(0.2), ["binary_crossentropy", "mse"], metrics=["acc"],
           weighted_metrics={"a": ["acc"], "b": ["mae", K.metrics.MeanSquaredError()]})
xv = rng.standard_normal((10, 3)).astype("float32")
ya = (xv[:, :1] > 0).astype("float32")
yb = xv[:, :2] * 2
swa = rng.uniform(0.1, 2, 10).astype("float32")
swb = rng.uniform(0.1, 2, 10).astype("float32")
h = mm.fit(xv, [ya, yb], epochs=2, batch_size=4, verbose=0, shuffle=False,
           sample_weight=[swa, swb])
result["multi"] = [mm.metrics_names, h.history, mm.get_weights(),
                   mm.evaluate(xv, {"a": ya, "b": yb}, sample_weight={"a": swa, "b": swb},
                               verbose=0)]
result["multi_one_array"] = err(lambda: mm.evaluate(xv, [ya, yb], sample_weight=swa, verbose=0))
result["multi_dict_partial"] = mm.evaluate(xv, [ya, yb], sample_weight={"a": swa}, verbose=0)
"""

CLASS_WEIGHTS = """
inp = L.Input((3,))
a = L.Dense(1, activation="sigmoid", name="a")(inp)
b = L.Dense(3, activation="softmax", name="b")(inp)
def make():
    mm = K.Model(inp, [a, b])
    mm.set_weights([np.full((3, 1), 0.1, "float32"), np.zeros(1, "float32"),
                    np.full((3, 3), -0.1, "float32"), np.zeros(3, "float32")])
    mm.compile(K.optimizers.SGD(0.2), ["binary_crossentropy", "sparse_categorical_crossentropy"],
               metrics=["acc"], weighted_metrics=["acc"])
    return mm
xv = rng.standard_normal((10, 3)).astype("float32")
ya = (xv[:, :1] > 0).astype("float32")
yb = rng.randint(0, 3, (10, 1)).astype("float32")
swa = rng.uniform(0.1, 2, 10).astype("float32")
mm = make()
h = mm.fit(xv, [ya, yb], epochs=2, batch_size=4, verbose=0, shuffle=False,
           class_weight={"a": {0: 1.0, 1: 3.0}, "b": {0: 0.5, 1: 1.0, 2: 2.0}})
result["cw_dict"] = [h.history, mm.get_weights()]
mm = make()
h = mm.fit(xv, [ya, yb], epochs=1, batch_size=4, verbose=0, shuffle=False,
           class_weight=[None, {0: 0.5, 1: 1.0, 2: 2.0}], sample_weight=[swa, swa])
result["cw_list_sw"] = [h.history, mm.get_weights()]
mm = make()
result["cw_flat"] = err(lambda: mm.fit(xv, [ya, yb], epochs=1, batch_size=4, verbose=0,
                                       shuffle=False, class_weight={0: 1.0, 1: 3.0}))
def gen():
    while True:
        for i in range(0, 10, 5):
            yield xv[i:i+5], [ya[i:i+5], yb[i:i+5]]
mm = make()
h = mm.fit_generator(gen(), steps_per_epoch=2, epochs=2, verbose=0,
                     class_weight={"a": {0: 1.0, 1: 3.0}, "b": {0: 0.5, 1: 1.0, 2: 2.0}})
result["gen_cw"] = [h.history, mm.get_weights()]
"""

MORE = """
xv = rng.standard_normal((8, 3)).astype("float32")
yv = (xv[:, :1] > 0).astype("float32")
sw = rng.uniform(0.1, 2, 8).astype("float32")
m = K.Sequential([L.Dense(1, activation="sigmoid")])
m.compile(K.optimizers.SGD(0.1), "binary_crossentropy", metrics=["acc"],
          weighted_metrics=["acc", K.metrics.AUC(name="auc")])
result["deferred_names"] = m.metrics_names
h = m.fit(xv, yv, epochs=1, batch_size=4, verbose=0, shuffle=False, sample_weight=sw)
result["deferred_after"] = [m.metrics_names, sorted(h.history)]
inp = L.Input((4, 2))
a = L.TimeDistributed(L.Dense(1, activation="sigmoid"), name="a")(inp)
b = L.Dense(1, name="b")(L.Flatten()(inp))
mm = K.Model(inp, [a, b])
mm.set_weights([np.full((2, 1), 0.1, "float32"), np.zeros(1, "float32"),
                np.full((8, 1), 0.1, "float32"), np.zeros(1, "float32")])
mm.compile(K.optimizers.SGD(0.1), ["binary_crossentropy", "mse"], weighted_metrics=["mae"],
           sample_weight_mode={"a": "temporal", "b": None})
xs = rng.standard_normal((6, 4, 2)).astype("float32")
ya = (rng.uniform(size=(6, 4, 1)) > 0.5).astype("float32")
yb = rng.standard_normal((6, 1)).astype("float32")
tw = rng.uniform(0.0, 2.0, (6, 4)).astype("float32")
h = mm.fit(xs, [ya, yb], epochs=2, batch_size=3, verbose=0, shuffle=False,
           sample_weight={"a": tw, "b": tw[:, 0]})
result["mode_dict"] = [mm.metrics_names, h.history, mm.get_weights()]
ds = tf.data.Dataset.from_tensor_slices((xv, yv, sw)).batch(4)
m = K.Sequential([L.Dense(1, activation="sigmoid", input_shape=(3,))])
m.set_weights([np.full((3, 1), 0.1, "float32"), np.zeros(1, "float32")])
m.compile(K.optimizers.SGD(0.1), "binary_crossentropy", weighted_metrics=["mae"])
h = m.fit(ds, epochs=2, verbose=0)
result["dataset"] = [h.history, m.evaluate(ds, verbose=0)]
missing = err(lambda: mm.compile("sgd", ["mse", "mse"], sample_weight_mode={"a": "temporal"}))
result["mode_missing"] = [missing[0],
                          "missing from `_sample_weight_modes` dictionary" in missing[1]]
"""

SAVING = """
import h5py
inp = L.Input((4, 2))
out = L.TimeDistributed(L.Dense(1, activation="sigmoid"), name="td")(inp)
m = K.Model(inp, out)
m.compile("sgd", "binary_crossentropy", metrics=["acc"],
          weighted_metrics=["acc", "mae", K.metrics.AUC(name="auc")], sample_weight_mode="temporal")
m.save(PATH)
with h5py.File(PATH, "r") as f:
    cfg = json.loads(f.attrs["training_config"])
auc = cfg["weighted_metrics"][2]
result["config"] = [cfg["loss"], cfg["metrics"], cfg["sample_weight_mode"],
                    cfg["weighted_metrics"][:2], auc["class_name"], auc["config"]["name"]]
m2 = K.models.load_model(PATH)
result["loaded_names"] = m2.metrics_names
x, y = np.ones((2, 4, 2), "float32"), np.ones((2, 4, 1), "float32")
result["loaded_2d_weights"] = err(lambda: m2.evaluate(x, y, sample_weight=np.ones((2, 4)),
                                                      verbose=0))
"""


def _compare(program: str) -> None:
    expected = theirs(PRELUDE + program)
    tf.reset_default_graph()
    K.backend.clear_session()
    assert_same(ours(PRELUDE + program), expected)


@pytest.mark.tf
@requires_tf
def test_weighted_metrics_with_sample_and_class_weights_match_tensorflow():
    _compare(SAMPLEWISE)


@pytest.mark.tf
@requires_tf
def test_temporal_sample_weights_and_their_errors_match_tensorflow():
    _compare(TEMPORAL)


@pytest.mark.tf
@requires_tf
def test_weighted_metrics_with_masked_outputs_match_tensorflow():
    _compare(MASKED)


@pytest.mark.tf
@requires_tf
def test_weighted_metrics_per_output_match_tensorflow():
    _compare(MULTI)


@pytest.mark.tf
@requires_tf
def test_class_weight_per_output_and_in_fit_generator_match_tensorflow():
    _compare(CLASS_WEIGHTS)


@pytest.mark.tf
@requires_tf
def test_deferred_models_datasets_and_modes_by_output_match_tensorflow():
    _compare(MORE)


@pytest.mark.tf
@requires_tf
def test_compile_config_round_trips_through_hdf5_as_tensorflow(tmp_path):
    (tmp_path / "tf").mkdir()
    (tmp_path / "ours").mkdir()
    expected = theirs(f"PATH = {str(tmp_path / 'tf' / 'm.h5')!r}\n" + PRELUDE + SAVING)
    tf.reset_default_graph()
    K.backend.clear_session()
    assert_same(ours(f"PATH = {str(tmp_path / 'ours' / 'm.h5')!r}\n" + PRELUDE + SAVING), expected)


def test_weighted_metric_names_by_hand():
    import numpy as np

    model = K.Sequential([L.Dense(1, activation="sigmoid", input_shape=(2,))])
    model.compile("sgd", "binary_crossentropy", metrics=["acc"], weighted_metrics=["acc", "mae"])
    assert model.metrics_names == ["loss", "acc", "weighted_acc", "weighted_mean_absolute_error"]
    model.set_weights([np.array([[2.0], [1.0]], "float32"), np.zeros(1, "float32")])
    x = np.array([[1.0, 0.0], [0.0, 1.0]], "float32")
    y = np.array([1.0, 0.0], "float32")
    # a weight of zero drops the second sample (wrongly classified) from the weighted
    # metrics only
    _, acc, weighted_acc, weighted_mae = model.evaluate(
        x, y, sample_weight=np.array([1.0, 0.0]), verbose=0
    )
    assert acc == 0.5
    assert weighted_acc == 1.0
    np.testing.assert_allclose(weighted_mae, 1.0 - 1.0 / (1.0 + np.exp(-2.0)), rtol=1e-5)


def test_sample_weight_mode_must_be_none_or_temporal():
    model = K.Sequential([L.Dense(1, input_shape=(2,))])
    with pytest.raises(AssertionError, match='should be None or "temporal"'):
        model.compile("sgd", "mse", sample_weight_mode="foo")

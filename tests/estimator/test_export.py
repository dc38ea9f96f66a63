"""Estimator.export_saved_model / export_savedmodel with serving input receivers and
export outputs; the SavedModels are loaded and run by tfgraph and by real TensorFlow."""

from __future__ import annotations

import os

import numpy as np
import pytest

import tfgraph as tf
from tests.estimator.models import data, train_input
from tests.tfrun import requires_tf, run_tf_json


def export_model_fn(features, labels, mode):
    """A regression whose PREDICT spec exports predict, regress and classify outputs."""
    pred = tf.layers.dense(features["x"], 1, name="dense")
    if mode == tf.estimator.ModeKeys.PREDICT:
        scores = tf.concat([tf.sigmoid(-pred), tf.sigmoid(pred)], 1)
        classes = tf.tile(tf.constant([["neg", "pos"]]), [tf.shape(pred)[0], 1])
        value = tf.reshape(pred, [-1])
        outputs = {
            "serving_default": tf.estimator.export.PredictOutput({"y": pred}),
            "regression": tf.estimator.export.RegressionOutput(value),
            "classification": tf.estimator.export.ClassificationOutput(scores, classes),
        }
        return tf.estimator.EstimatorSpec(mode, predictions={"y": pred}, export_outputs=outputs)
    loss = tf.losses.mean_squared_error(labels, pred)
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(
        loss, global_step=tf.train.get_global_step()
    )
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def _example(row):
    return tf.train.Example(
        features=tf.train.Features(
            feature={"x": tf.train.Feature(float_list=tf.train.FloatList(value=list(row)))}
        )
    ).SerializeToString()


def _trained(tmp_path):
    x, y = data()
    est = tf.estimator.Estimator(export_model_fn, model_dir=str(tmp_path / "model"))
    est.train(train_input(x, y), steps=20)
    return est, x


def _exports(est, tmp_path):
    raw_fn = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 3], name="x")}
    )
    raw = est.export_saved_model(str(tmp_path / "raw"), raw_fn)
    spec = {"x": tf.io.FixedLenFeature([3], tf.float32)}
    parsing_fn = tf.estimator.export.build_parsing_serving_input_receiver_fn(spec)
    parsed = est.export_savedmodel(str(tmp_path / "parsed"), parsing_fn)
    return raw.decode(), parsed.decode()


def test_export_round_trip_in_tfgraph(tmp_path):
    est, x = _trained(tmp_path)
    raw, parsed = _exports(est, tmp_path)
    assert os.path.dirname(raw) == str(tmp_path / "raw")
    assert os.path.basename(raw).isdigit()
    assert sorted(os.listdir(raw)) == ["saved_model.pb", "variables"]
    assert not [d for d in os.listdir(tmp_path / "raw") if d.startswith("temp-")]
    w = est.get_variable_value("dense/kernel")
    b = est.get_variable_value("dense/bias")
    expected = x[:4] @ w + b
    with tf.Graph().as_default(), tf.Session() as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], raw)
        # raw receivers are no string examples: only the Predict signature fits
        assert sorted(meta.signature_def) == ["serving_default"]
        sig = meta.signature_def["serving_default"]
        assert sig.method_name == "tensorflow/serving/predict"
        out = sess.run(sig.outputs["y"].name, {sig.inputs["x"].name: x[:4]})
        np.testing.assert_allclose(out, expected, rtol=1e-5)
    with tf.Graph().as_default(), tf.Session() as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], parsed)
        assert sorted(meta.signature_def) == ["classification", "regression", "serving_default"]
        sig = meta.signature_def["regression"]
        assert list(sig.inputs) == ["inputs"] and list(sig.outputs) == ["outputs"]
        got = sess.run(
            sig.outputs["outputs"].name, {sig.inputs["inputs"].name: [_example(r) for r in x[:4]]}
        )
        np.testing.assert_allclose(got, expected.ravel(), rtol=1e-5)


def test_export_checks(tmp_path):
    est = tf.estimator.Estimator(export_model_fn, model_dir=str(tmp_path))
    fn = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 3])}
    )
    with pytest.raises(ValueError, match="Couldn't find trained model at"):
        est.export_saved_model(str(tmp_path / "e"), fn)
    with pytest.raises(ValueError, match="An input_receiver_fn must be defined."):
        est.export_saved_model(str(tmp_path / "e"), None)
    with tf.Graph().as_default():
        t = tf.placeholder(tf.float32, [None])
        s = tf.placeholder(tf.string, [None])
        r = tf.estimator.export.ServingInputReceiver(t, s)
        assert list(r.features) == ["feature"] and list(r.receiver_tensors) == ["input"]
        with pytest.raises(ValueError, match="feature keys must be strings: 1."):
            tf.estimator.export.ServingInputReceiver({1: t}, s)
        with pytest.raises(ValueError, match="Regression output value must be a float32 Tensor"):
            tf.estimator.export.RegressionOutput(s)
        with pytest.raises(ValueError, match="At least one of scores and classes must be set."):
            tf.estimator.export.ClassificationOutput()
        with pytest.raises(ValueError, match="Classification classes must be a string Tensor"):
            tf.estimator.export.ClassificationOutput(classes=t)
        assert list(tf.estimator.export.PredictOutput(t).outputs) == ["output"]
        with pytest.raises(ValueError, match="Prediction output value must be a Tensor; got 3."):
            tf.estimator.export.PredictOutput({"a": 3})
        with pytest.raises(ValueError, match="Multiple export_outputs were provided, but none"):
            tf.estimator.EstimatorSpec(
                "infer",
                predictions=t,
                export_outputs={
                    "a": tf.estimator.export.PredictOutput(t),
                    "b": tf.estimator.export.PredictOutput(t),
                },
            )


TF_LOAD_PROGRAM = """
out = {}
x = np.array(ROWS, np.float32)
def example(row):
    return tf.train.Example(features=tf.train.Features(feature={
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=list(row)))})
    ).SerializeToString()
with tf.Graph().as_default(), tf.Session() as sess:
    meta = tf.saved_model.loader.load(sess, ["serve"], RAW)
    sig = meta.signature_def["serving_default"]
    out["raw_signatures"] = sorted(meta.signature_def)
    out["raw_y"] = sess.run(sig.outputs["y"].name, {sig.inputs["x"].name: x}).tolist()
with tf.Graph().as_default(), tf.Session() as sess:
    meta = tf.saved_model.loader.load(sess, ["serve"], PARSED)
    out["parsed_signatures"] = sorted(meta.signature_def)
    out["methods"] = {k: v.method_name for k, v in meta.signature_def.items()}
    feed = [example(r) for r in x]
    s = meta.signature_def["classification"]
    scores, classes = sess.run([s.outputs["scores"].name, s.outputs["classes"].name],
                               {s.inputs["inputs"].name: feed})
    out["scores"] = scores.tolist()
    out["classes"] = [[c.decode() for c in row] for row in classes]
    s = meta.signature_def["serving_default"]
    out["parsed_y"] = sess.run(s.outputs["y"].name, {s.inputs["examples"].name: feed}).tolist()
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_exports_load_and_run_in_tensorflow(tmp_path):
    est, x = _trained(tmp_path)
    raw, parsed = _exports(est, tmp_path)
    program = (
        TF_LOAD_PROGRAM.replace("ROWS", repr(x[:4].tolist()))
        .replace("RAW", repr(raw))
        .replace("PARSED", repr(parsed))
    )
    out = run_tf_json(program)
    expected = x[:4] @ est.get_variable_value("dense/kernel") + est.get_variable_value("dense/bias")
    assert out["raw_signatures"] == ["serving_default"]
    assert out["parsed_signatures"] == ["classification", "regression", "serving_default"]
    assert out["methods"] == {
        "classification": "tensorflow/serving/classify",
        "regression": "tensorflow/serving/regress",
        "serving_default": "tensorflow/serving/predict",
    }
    np.testing.assert_allclose(out["raw_y"], expected, rtol=1e-5)
    np.testing.assert_allclose(out["parsed_y"], expected, rtol=1e-5)
    sig = 1 / (1 + np.exp(-expected))
    np.testing.assert_allclose(out["scores"], np.concatenate([1 - sig, sig], 1), rtol=1e-5)
    assert out["classes"] == [["neg", "pos"]] * 4

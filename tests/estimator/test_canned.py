"""The v1 canned estimators (DNN and Linear classifiers and regressors): variable and
slot names, heads (loss summed over the batch, metrics, predictions, export outputs),
and checkpoints that restore into the same graph built by real TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

fc = tf.feature_column


def _data(n=300, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 2).astype(np.float32)
    return x, (x[:, 0] - x[:, 1] > 0).astype(np.int64)


def _inputs(x, y, batch_size=32, num_epochs=None, shuffle=True):
    return tf.estimator.inputs.numpy_input_fn(
        {"a": x[:, 0], "b": x[:, 1]},
        y,
        batch_size=batch_size,
        num_epochs=num_epochs,
        shuffle=shuffle,
    )


COLUMNS = [fc.numeric_column("a"), fc.numeric_column("b")]
DNN_NAMES = [
    "dnn/hiddenlayer_0/bias",
    "dnn/hiddenlayer_0/bias/t_0/Adagrad",
    "dnn/hiddenlayer_0/kernel",
    "dnn/hiddenlayer_0/kernel/t_0/Adagrad",
    "dnn/hiddenlayer_1/bias",
    "dnn/hiddenlayer_1/bias/t_0/Adagrad",
    "dnn/hiddenlayer_1/kernel",
    "dnn/hiddenlayer_1/kernel/t_0/Adagrad",
    "dnn/logits/bias",
    "dnn/logits/bias/t_0/Adagrad",
    "dnn/logits/kernel",
    "dnn/logits/kernel/t_0/Adagrad",
    "global_step",
]
LINEAR_NAMES = [
    "global_step",
    "linear/linear_model/a/weights",
    "linear/linear_model/a/weights/part_0/Ftrl",
    "linear/linear_model/a/weights/part_0/Ftrl_1",
    "linear/linear_model/b/weights",
    "linear/linear_model/b/weights/part_0/Ftrl",
    "linear/linear_model/b/weights/part_0/Ftrl_1",
    "linear/linear_model/bias_weights",
    "linear/linear_model/bias_weights/part_0/Ftrl",
    "linear/linear_model/bias_weights/part_0/Ftrl_1",
]


def _dnn_classifier(tmp_path):
    x, y = _data()
    est = tf.estimator.DNNClassifier(
        hidden_units=[8, 4], feature_columns=COLUMNS, model_dir=str(tmp_path / "dnn")
    )
    est.train(_inputs(x, y), steps=100)
    return est, x, y


def _linear_regressor(tmp_path):
    x, _ = _data()
    target = (2.0 * x[:, 0] - x[:, 1] + 0.5).astype(np.float32)
    est = tf.estimator.LinearRegressor(COLUMNS, model_dir=str(tmp_path / "linear"))
    est.train(_inputs(x, target), steps=200)
    return est, x, target


def test_dnn_classifier(tmp_path):
    est, x, y = _dnn_classifier(tmp_path)
    assert est.get_variable_names() == DNN_NAMES
    assert est.get_variable_value("dnn/hiddenlayer_0/kernel").shape == (2, 8)
    res = est.evaluate(_inputs(x, y, batch_size=100, num_epochs=1, shuffle=False))
    assert set(res) == {
        "accuracy",
        "accuracy_baseline",
        "auc",
        "auc_precision_recall",
        "average_loss",
        "label/mean",
        "loss",
        "precision",
        "prediction/mean",
        "recall",
        "global_step",
    }
    assert res["accuracy"] > 0.95 and res["global_step"] == 100
    # v1 heads sum the loss over the batch: 'loss' is the mean of 3 batch sums of 100
    np.testing.assert_allclose(res["loss"], 100 * res["average_loss"], rtol=1e-4)
    np.testing.assert_allclose(res["label/mean"], y.mean(), rtol=1e-6)
    np.testing.assert_allclose(res["accuracy_baseline"], max(y.mean(), 1 - y.mean()), rtol=1e-6)
    preds = list(est.predict(_inputs(x[:3], None, batch_size=3, num_epochs=1, shuffle=False)))
    assert sorted(preds[0]) == [
        "all_class_ids",
        "all_classes",
        "class_ids",
        "classes",
        "logistic",
        "logits",
        "probabilities",
    ]
    for p in preds:
        np.testing.assert_allclose(p["logistic"], 1 / (1 + np.exp(-p["logits"])), rtol=1e-5)
        np.testing.assert_allclose(
            p["probabilities"], [1 - p["logistic"][0], p["logistic"][0]], atol=1e-6
        )
        assert p["classes"] == [str(p["class_ids"][0]).encode()]
        assert p["all_classes"].tolist() == [b"0", b"1"]
    assert [p["class_ids"][0] for p in preds] == y[:3].tolist()


def test_multiclass_with_vocabulary_and_export(tmp_path):
    x, _ = _data()
    vocab = ["lo", "mid", "hi"]
    labels = np.array(vocab)[(x[:, 0] > -0.5).astype(int) + (x[:, 0] > 0.5).astype(int)]
    est = tf.estimator.DNNClassifier(
        [8],
        COLUMNS,
        n_classes=3,
        label_vocabulary=vocab,
        model_dir=str(tmp_path),
        optimizer=tf.train.AdamOptimizer(0.05),
    )
    est.train(_inputs(x, labels), steps=150)
    res = est.evaluate(_inputs(x, labels, batch_size=100, num_epochs=1, shuffle=False))
    assert set(res) == {"accuracy", "average_loss", "loss", "global_step"}
    assert res["accuracy"] > 0.9
    pred = next(est.predict(_inputs(x[:1], None, num_epochs=1, shuffle=False)))
    assert pred["all_classes"].tolist() == [b"lo", b"mid", b"hi"]
    assert pred["classes"][0] == vocab[int(pred["class_ids"][0])].encode()
    spec = fc.make_parse_example_spec(COLUMNS)
    path = est.export_saved_model(
        str(tmp_path / "export"), tf.estimator.export.build_parsing_serving_input_receiver_fn(spec)
    )
    with tf.Graph().as_default(), tf.Session() as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], path)
        sigs = {k: v.method_name for k, v in meta.signature_def.items()}
        assert sigs == {
            "serving_default": "tensorflow/serving/classify",
            "classification": "tensorflow/serving/classify",
            "predict": "tensorflow/serving/predict",
        }
        sig = meta.signature_def["serving_default"]
        example = tf.train.Example(
            features=tf.train.Features(
                feature={
                    "a": tf.train.Feature(float_list=tf.train.FloatList(value=[x[0, 0]])),
                    "b": tf.train.Feature(float_list=tf.train.FloatList(value=[x[0, 1]])),
                }
            )
        ).SerializeToString()
        scores, classes = sess.run(
            [sig.outputs["scores"].name, sig.outputs["classes"].name],
            {sig.inputs["inputs"].name: [example]},
        )
    np.testing.assert_allclose(scores[0], pred["probabilities"], rtol=1e-5)
    assert classes.tolist() == [[b"lo", b"mid", b"hi"]]


def test_linear_regressor_and_classifier(tmp_path):
    est, x, target = _linear_regressor(tmp_path)
    assert est.get_variable_names() == LINEAR_NAMES
    res = est.evaluate(_inputs(x, target, batch_size=100, num_epochs=1, shuffle=False))
    assert set(res) == {"average_loss", "label/mean", "loss", "prediction/mean", "global_step"}
    assert res["average_loss"] < 0.05
    np.testing.assert_allclose(res["loss"], 100 * res["average_loss"], rtol=1e-4)
    w = [est.get_variable_value(f"linear/linear_model/{c}/weights")[0, 0] for c in "ab"]
    np.testing.assert_allclose(w, [2.0, -1.0], atol=0.2)
    pred = next(est.predict(_inputs(x[:1], None, num_epochs=1, shuffle=False)))
    assert list(pred) == ["predictions"]
    x2, y2 = _data(seed=1)
    clf = tf.estimator.LinearClassifier(COLUMNS, model_dir=str(tmp_path / "clf"))
    clf.train(_inputs(x2, y2), steps=100)
    assert clf.get_variable_names() == LINEAR_NAMES
    assert (
        clf.evaluate(_inputs(x2, y2, batch_size=100, num_epochs=1, shuffle=False))["accuracy"] > 0.9
    )
    with pytest.raises(ValueError, match="n_classes must be > 1"):
        tf.estimator.LinearClassifier(COLUMNS, n_classes=1)
    with pytest.raises(ValueError, match="Unsupported optimizer name: Nope"):
        tf.estimator.LinearRegressor(COLUMNS, optimizer="Nope", model_dir=str(tmp_path)).train(
            _inputs(x, target), steps=1
        )


# TF 1.15's canned graphs, built with TF 2.21's tf.compat.v1 as the estimator builds them:
# the variable names of a checkpoint, and tfgraph's checkpoints restored into them.
TF_CANNED_PROGRAM = """
import tempfile
cols = [tf.feature_column.numeric_column("a"), tf.feature_column.numeric_column("b")]
x = np.array(X, np.float32)
out = {}


def inputs():
    return {"a": tf.constant(x[:, :1]), "b": tf.constant(x[:, 1:])}, tf.constant([[0.0]] * len(x))

def dnn():
    feats, labels = inputs()
    gs = tf.train.get_or_create_global_step()
    part = tf.min_max_variable_partitioner(max_partitions=0)
    with tf.variable_scope("dnn", values=tuple(feats.values()), partitioner=part):
        with tf.variable_scope("input_from_feature_columns",
                               partitioner=tf.min_max_variable_partitioner(
                                   max_partitions=0, min_slice_size=64 << 20)):
            net = tf.feature_column.input_layer(feats, cols)
        for i, n in enumerate([8, 4]):
            with tf.variable_scope("hiddenlayer_%d" % i) as scope:
                net = tf.layers.dense(net, n, activation=tf.nn.relu,
                                      kernel_initializer=tf.glorot_uniform_initializer(),
                                      name=scope)
        with tf.variable_scope("logits") as scope:
            logits = tf.layers.dense(net, 1, kernel_initializer=tf.glorot_uniform_initializer(),
                                     name=scope)
        loss = tf.losses.compute_weighted_loss(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits),
            reduction=tf.losses.Reduction.SUM)
        tf.train.AdagradOptimizer(0.05).minimize(loss, global_step=gs)
    return logits

def linear():
    feats, labels = inputs()
    gs = tf.train.get_or_create_global_step()
    part = tf.min_max_variable_partitioner(max_partitions=0, min_slice_size=64 << 20)
    with tf.variable_scope("linear", values=tuple(feats.values()), partitioner=part):
        logits = tf.feature_column.linear_model(feats, cols, units=1)
        loss = tf.losses.compute_weighted_loss(
            tf.losses.mean_squared_error(labels, logits, reduction=tf.losses.Reduction.NONE),
            reduction=tf.losses.Reduction.SUM)
        tf.train.FtrlOptimizer(0.2).minimize(loss, global_step=gs)
    return logits

for name, build, ours in [("dnn", dnn, DNN_DIR), ("linear", linear, LINEAR_DIR)]:
    with tf.Graph().as_default():
        logits = build()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = saver.save(sess, os.path.join(tempfile.mkdtemp(), "model.ckpt"))
            out[name + "_names"] = sorted(n for n, _ in tf.train.list_variables(path))
            saver.restore(sess, tf.train.latest_checkpoint(ours))
            out[name + "_logits"] = sess.run(logits).ravel().tolist()
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_canned_checkpoints_match_tensorflow_graphs(tmp_path):
    dnn, x, _ = _dnn_classifier(tmp_path)
    lin, _, _ = _linear_regressor(tmp_path)
    rows = x[:5]
    program = (
        TF_CANNED_PROGRAM.replace("X", repr(rows.tolist()))
        .replace("DNN_DIR", repr(dnn.model_dir))
        .replace("LINEAR_DIR", repr(lin.model_dir))
    )
    out = run_tf_json(program)
    assert out["dnn_names"] == DNN_NAMES
    assert out["linear_names"] == LINEAR_NAMES
    fn = _inputs(rows, None, batch_size=5, num_epochs=1, shuffle=False)
    ours_dnn = [p["logits"][0] for p in dnn.predict(fn)]
    ours_lin = [p["predictions"][0] for p in lin.predict(fn)]
    np.testing.assert_allclose(out["dnn_logits"], ours_dnn, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["linear_logits"], ours_lin, rtol=1e-5, atol=1e-6)

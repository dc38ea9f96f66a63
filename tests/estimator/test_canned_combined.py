"""The v1 canned DNNLinearCombined ("wide & deep") and Baseline classifiers and
regressors: variable and slot names, each part trained by its own optimizer on its own
variables (one step checked against a hand-computed FTRL + Adagrad step), the census
tutorial's wide & deep model, and checkpoints that restore into, and train the same as,
the same graph built by real TensorFlow."""

from __future__ import annotations

import os

import numpy as np
import pytest

import tfgraph as tf
from tests.estimator.test_canned import COLUMNS, _data, _inputs
from tests.tfrun import requires_tf, run_tf_json

fc = tf.feature_column


def _eval(x, y, batch_size=100):
    return _inputs(x, y, batch_size=batch_size, num_epochs=1, shuffle=False)


# Unlike the DNN and Linear estimators, which minimize inside their variable scope (the
# slots of their partitioned variables are named ".../t_0/Adagrad", ".../part_0/Ftrl"),
# the combined model minimizes outside it: the slots are ".../Adagrad", ".../Ftrl".
COMBINED_DNN_NAMES = [
    "dnn/hiddenlayer_0/bias",
    "dnn/hiddenlayer_0/bias/Adagrad",
    "dnn/hiddenlayer_0/kernel",
    "dnn/hiddenlayer_0/kernel/Adagrad",
    "dnn/hiddenlayer_1/bias",
    "dnn/hiddenlayer_1/bias/Adagrad",
    "dnn/hiddenlayer_1/kernel",
    "dnn/hiddenlayer_1/kernel/Adagrad",
    "dnn/logits/bias",
    "dnn/logits/bias/Adagrad",
    "dnn/logits/kernel",
    "dnn/logits/kernel/Adagrad",
]
COMBINED_LINEAR_NAMES = [
    "linear/linear_model/a/weights",
    "linear/linear_model/a/weights/Ftrl",
    "linear/linear_model/a/weights/Ftrl_1",
    "linear/linear_model/b/weights",
    "linear/linear_model/b/weights/Ftrl",
    "linear/linear_model/b/weights/Ftrl_1",
    "linear/linear_model/bias_weights",
    "linear/linear_model/bias_weights/Ftrl",
    "linear/linear_model/bias_weights/Ftrl_1",
]
COMBINED_NAMES = COMBINED_DNN_NAMES + ["global_step"] + COMBINED_LINEAR_NAMES
BASELINE_NAMES = ["baseline/bias", "baseline/bias/Ftrl", "baseline/bias/Ftrl_1", "global_step"]

CLASSIFIER_METRICS = {
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
REGRESSOR_METRICS = {"average_loss", "label/mean", "loss", "prediction/mean", "global_step"}
BINARY_PREDICTIONS = [
    "all_class_ids",
    "all_classes",
    "class_ids",
    "classes",
    "logistic",
    "logits",
    "probabilities",
]


def _config(seed=1):
    return tf.estimator.RunConfig(tf_random_seed=seed)


def _combined_classifier(model_dir, **kwargs):
    kwargs.setdefault("dnn_hidden_units", [8, 4])
    kwargs.setdefault("config", _config())
    return tf.estimator.DNNLinearCombinedClassifier(
        model_dir=str(model_dir),
        linear_feature_columns=COLUMNS,
        dnn_feature_columns=COLUMNS,
        **kwargs,
    )


def test_combined_classifier(tmp_path):
    x, y = _data()
    est = _combined_classifier(
        tmp_path,
        linear_optimizer=tf.train.FtrlOptimizer(0.1),
        dnn_optimizer=tf.train.AdagradOptimizer(0.1),
    )
    est.train(_inputs(x, y), steps=1)
    first = est.evaluate(_eval(x, y))
    est.train(_inputs(x, y), steps=99)
    assert est.get_variable_names() == COMBINED_NAMES
    # two optimizers, one increment of the global step per training step
    assert est.get_variable_value("global_step") == 100
    assert est.get_variable_value("dnn/hiddenlayer_0/kernel").shape == (2, 8)
    assert est.get_variable_value("linear/linear_model/a/weights").shape == (1, 1)
    res = est.evaluate(_eval(x, y))
    assert set(res) == CLASSIFIER_METRICS and res["global_step"] == 100
    assert res["loss"] < 0.5 * first["loss"] and res["accuracy"] > 0.95
    np.testing.assert_allclose(res["loss"], 100 * res["average_loss"], rtol=1e-4)
    preds = list(est.predict(_inputs(x[:5], None, batch_size=5, num_epochs=1, shuffle=False)))
    assert sorted(preds[0]) == BINARY_PREDICTIONS
    for p in preds:
        np.testing.assert_allclose(p["logistic"], 1 / (1 + np.exp(-p["logits"])), rtol=1e-5)
    assert [p["class_ids"][0] for p in preds] == y[:5].tolist()


def test_batch_norm_in_the_dnn_part(tmp_path):
    """The batch-normalized hidden layers: the moving statistics are not partitioned
    (under the dnn scope's partitioner, as TF builds them) and move while training."""
    x, y = _data()
    est = _combined_classifier(
        tmp_path,
        batch_norm=True,
        dnn_hidden_units=[8],
        linear_optimizer=tf.train.FtrlOptimizer(0.1),
        dnn_optimizer=tf.train.AdagradOptimizer(0.1),
    )
    est.train(_inputs(x, y), steps=100)
    names = est.get_variable_names()
    stats = [n for n in names if "/batchnorm_0/moving_" in n]
    assert stats == [
        "dnn/hiddenlayer_0/batchnorm_0/moving_mean",
        "dnn/hiddenlayer_0/batchnorm_0/moving_variance",
    ]
    assert "dnn/hiddenlayer_0/batchnorm_0/gamma" in names
    assert np.abs(est.get_variable_value(stats[0])).max() > 0
    # (evaluation normalizes with the moving statistics, which move slowly: momentum 0.999)
    res = est.evaluate(_eval(x, y))
    assert res["global_step"] == 100 and np.isfinite(res["loss"])


def test_combined_logits_are_the_sum_of_the_two_parts(tmp_path):
    x, y = _data()
    est = _combined_classifier(tmp_path, dnn_hidden_units=[3])
    est.train(_inputs(x, y), steps=20)
    v = est.get_variable_value
    h = np.maximum(x @ v("dnn/hiddenlayer_0/kernel") + v("dnn/hiddenlayer_0/bias"), 0)
    dnn = h @ v("dnn/logits/kernel") + v("dnn/logits/bias")
    w = np.concatenate([v("linear/linear_model/a/weights"), v("linear/linear_model/b/weights")])
    linear = x @ w + v("linear/linear_model/bias_weights")
    preds = est.predict(_inputs(x[:10], None, batch_size=10, num_epochs=1, shuffle=False))
    logits = [p["logits"][0] for p in preds]
    np.testing.assert_allclose(logits, (dnn + linear)[:10, 0], rtol=1e-5, atol=1e-6)


def test_combined_regressor_and_single_parts(tmp_path):
    x, _ = _data()
    target = (2.0 * x[:, 0] - x[:, 1] + 0.5 + np.maximum(x[:, 0], 0)).astype(np.float32)
    est = tf.estimator.DNNLinearCombinedRegressor(
        model_dir=str(tmp_path / "both"),
        linear_feature_columns=COLUMNS,
        dnn_feature_columns=COLUMNS,
        dnn_hidden_units=[8, 4],
        linear_optimizer=tf.train.FtrlOptimizer(0.3),
        dnn_optimizer=tf.train.AdagradOptimizer(0.1),
        config=_config(),
    )
    est.train(_inputs(x, target), steps=1)
    first = est.evaluate(_eval(x, target))
    est.train(_inputs(x, target), steps=199)
    assert est.get_variable_names() == COMBINED_NAMES
    res = est.evaluate(_eval(x, target))
    assert set(res) == REGRESSOR_METRICS
    assert res["average_loss"] < 0.05 * first["average_loss"]
    np.testing.assert_allclose(res["loss"], 100 * res["average_loss"], rtol=1e-4)
    pred = next(est.predict(_inputs(x[:1], None, num_epochs=1, shuffle=False)))
    assert list(pred) == ["predictions"]

    # either part alone: only its variables
    dnn_only = tf.estimator.DNNLinearCombinedRegressor(
        model_dir=str(tmp_path / "dnn"), dnn_feature_columns=COLUMNS, dnn_hidden_units=[8, 4]
    )
    dnn_only.train(_inputs(x, target), steps=2)
    assert dnn_only.get_variable_names() == COMBINED_DNN_NAMES + ["global_step"]
    assert dnn_only.get_variable_value("global_step") == 2
    linear_only = tf.estimator.DNNLinearCombinedRegressor(
        model_dir=str(tmp_path / "linear"), linear_feature_columns=COLUMNS, label_dimension=2
    )
    target2 = np.stack([target, -target], 1)
    linear_only.train(_inputs(x, target2), steps=2)
    assert linear_only.get_variable_names() == ["global_step"] + COMBINED_LINEAR_NAMES
    assert linear_only.get_variable_value("linear/linear_model/a/weights").shape == (1, 2)
    assert linear_only.get_variable_value("global_step") == 2


def _values(path, names):
    return {n: tf.train.load_variable(path, n) for n in names}


def test_each_optimizer_updates_only_its_own_variables(tmp_path):
    """With one part's optimizer at learning rate 0, that part's variables do not move:
    the other part's optimizer does not touch them."""
    x, y = _data()
    dnn_vars = [n for n in COMBINED_DNN_NAMES if not n.endswith("Adagrad")]
    linear_vars = [n for n in COMBINED_LINEAR_NAMES if not n.endswith(("Ftrl", "Ftrl_1"))]
    sgd = tf.train.GradientDescentOptimizer
    for frozen, moving, kwargs in [
        (dnn_vars, linear_vars, {"dnn_optimizer": sgd(0.0), "linear_optimizer": sgd(0.1)}),
        (linear_vars, dnn_vars, {"dnn_optimizer": sgd(0.1), "linear_optimizer": sgd(0.0)}),
    ]:
        model_dir = tmp_path / moving[0].split("/")[0]
        est = _combined_classifier(model_dir, **kwargs)
        est.train(_inputs(x, y), steps=5)
        assert est.get_variable_names() == sorted(dnn_vars + linear_vars + ["global_step"])
        assert est.get_variable_value("global_step") == 5
        before = _values(str(model_dir / "model.ckpt-0"), dnn_vars + linear_vars)
        after = _values(est.latest_checkpoint(), dnn_vars + linear_vars)
        for name in frozen:
            np.testing.assert_array_equal(after[name], before[name], err_msg=name)
        for name in moving:
            assert not np.array_equal(after[name], before[name]), name


def test_one_step_equals_hand_computed_ftrl_and_adagrad_step(tmp_path):
    """One step of DNNLinearCombinedRegressor with the default optimizers (Adagrad with
    learning rate 0.001 on the DNN, FTRL with min(0.005, 1/sqrt(2)) on the linear part,
    both with initial accumulator 0.1) on a full batch, computed by hand in numpy."""
    x, _ = _data(n=16, seed=3)
    y = (x[:, :1] * 3.0 - 1.0).astype(np.float32)
    est = tf.estimator.DNNLinearCombinedRegressor(
        model_dir=str(tmp_path),
        linear_feature_columns=COLUMNS,
        dnn_feature_columns=COLUMNS,
        dnn_hidden_units=[3],
    )
    est.train(_inputs(x, y[:, 0], batch_size=16, shuffle=False), steps=1)
    names = [n for n in COMBINED_NAMES if "hiddenlayer_1" not in n and n != "global_step"]
    v0 = _values(str(tmp_path / "model.ckpt-0"), names)
    v1 = _values(str(tmp_path / "model.ckpt-1"), names)
    assert tf.train.load_variable(str(tmp_path / "model.ckpt-1"), "global_step") == 1

    xd = x.astype(np.float64)
    k0, b0 = v0["dnn/hiddenlayer_0/kernel"], v0["dnn/hiddenlayer_0/bias"]
    k1, b1 = v0["dnn/logits/kernel"], v0["dnn/logits/bias"]
    wa, wb = v0["linear/linear_model/a/weights"], v0["linear/linear_model/b/weights"]
    bl = v0["linear/linear_model/bias_weights"]
    pre = xd @ k0 + b0
    h = np.maximum(pre, 0)
    logits = h @ k1 + b1 + xd[:, :1] @ wa + xd[:, 1:] @ wb + bl
    d = 2 * (logits - y)  # the gradient of the summed squared error
    dh = (d @ k1.T) * (pre > 0)
    grads = {
        "dnn/hiddenlayer_0/kernel": xd.T @ dh,
        "dnn/hiddenlayer_0/bias": dh.sum(0),
        "dnn/logits/kernel": h.T @ d,
        "dnn/logits/bias": d.sum(0),
        "linear/linear_model/a/weights": xd[:, :1].T @ d,
        "linear/linear_model/b/weights": xd[:, 1:].T @ d,
        "linear/linear_model/bias_weights": d.sum(0),
    }
    for name, g in grads.items():
        if name.startswith("dnn/"):
            accum = 0.1 + g**2
            expected = {name: v0[name] - 0.001 * g / np.sqrt(accum), name + "/Adagrad": accum}
        else:
            lr = min(0.005, 1 / np.sqrt(2))
            accum = 0.1 + g**2
            linear = g - (np.sqrt(accum) - np.sqrt(0.1)) / lr * v0[name]
            expected = {
                name: -linear / (np.sqrt(accum) / lr),
                name + "/Ftrl": accum,
                name + "/Ftrl_1": linear,
            }
        for key, value in expected.items():
            np.testing.assert_allclose(v1[key], value, rtol=2e-5, atol=1e-7, err_msg=key)
        assert not np.allclose(v1[name], v0[name])


def test_errors(tmp_path):
    msg = "Either linear_feature_columns or dnn_feature_columns must be defined."
    with pytest.raises(ValueError, match=msg):
        tf.estimator.DNNLinearCombinedClassifier()
    with pytest.raises(ValueError, match=msg):
        tf.estimator.DNNLinearCombinedRegressor(linear_feature_columns=[], dnn_feature_columns=[])
    with pytest.raises(ValueError, match="n_classes must be > 1"):
        tf.estimator.DNNLinearCombinedClassifier(linear_feature_columns=COLUMNS, n_classes=1)
    x, y = _data(n=20)
    est = tf.estimator.DNNLinearCombinedClassifier(
        model_dir=str(tmp_path / "a"), dnn_feature_columns=COLUMNS
    )
    with pytest.raises(
        ValueError,
        match="dnn_hidden_units must be defined when dnn_feature_columns is specified.",
    ):
        est.train(_inputs(x, y), steps=1)
    sync = tf.train.SyncReplicasOptimizer(
        tf.train.GradientDescentOptimizer(0.1), replicas_to_aggregate=1
    )
    est = _combined_classifier(tmp_path / "b", linear_optimizer=sync)
    with pytest.raises(ValueError, match="SyncReplicasOptimizer does not support multi"):
        est.train(_inputs(x, y), steps=1)
    est = _combined_classifier(tmp_path / "c", dnn_optimizer="Nope")
    with pytest.raises(ValueError, match="Unsupported optimizer name: Nope"):
        est.train(_inputs(x, y), steps=1)

    def not_a_dict():
        return tf.constant(x), tf.constant(y)

    est = _combined_classifier(tmp_path / "d")
    with pytest.raises(ValueError, match="features should be a dictionary of `Tensor`s"):
        est.train(not_a_dict, steps=1)
    # as in TF, a column may feed both parts (the linear weights and the DNN input)
    shared = _combined_classifier(tmp_path / "e")
    shared.train(_inputs(x, y), steps=1)
    assert shared.get_variable_names() == COMBINED_NAMES


# The census tutorial's wide & deep model (TF 1.x `wide_deep/census_main.py`, shrunk).
EDUCATION = ["Bachelors", "HS-grad", "Masters", "Doctorate", "Some-college"]
OCCUPATION = ["Tech-support", "Sales", "Exec-managerial", "Craft-repair", "Prof-specialty"]
CSV_COLUMNS = ["age", "education", "occupation", "hours_per_week", "income_bracket"]


def _census(n=400, seed=0):
    rng = np.random.RandomState(seed)
    age = rng.randint(18, 70, n).astype(np.float32)
    education = rng.choice(EDUCATION, n)
    occupation = rng.choice(OCCUPATION, n)
    hours = rng.randint(10, 70, n).astype(np.float32)
    score = (
        (age - 40) / 10
        + 2.0 * np.isin(education, ["Masters", "Doctorate"])
        + 1.5 * (occupation == "Exec-managerial")
        + (hours - 40) / 20
        - 0.5
    )
    features = {"age": age, "education": education, "occupation": occupation}
    features["hours_per_week"] = hours
    return features, np.where(score > 0, ">50K", "<=50K")


def _census_columns():
    age = fc.numeric_column("age")
    age_buckets = fc.bucketized_column(age, boundaries=[25, 35, 45, 55, 65])
    education = fc.categorical_column_with_vocabulary_list("education", EDUCATION)
    occupation = fc.categorical_column_with_hash_bucket("occupation", hash_bucket_size=20)
    wide = [
        age_buckets,
        education,
        occupation,
        fc.crossed_column([age_buckets, "education", "occupation"], hash_bucket_size=50),
    ]
    deep = [
        age,
        fc.numeric_column("hours_per_week"),
        fc.indicator_column(education),
        fc.embedding_column(occupation, dimension=4),
    ]
    return wide, deep


EMBEDDING = "dnn/input_from_feature_columns/input_layer/occupation_embedding/embedding_weights"
CENSUS_NAMES = [
    ("dnn/hiddenlayer_0/bias", [16]),
    ("dnn/hiddenlayer_0/bias/Adagrad", [16]),
    ("dnn/hiddenlayer_0/kernel", [11, 16]),
    ("dnn/hiddenlayer_0/kernel/Adagrad", [11, 16]),
    ("dnn/hiddenlayer_1/bias", [8]),
    ("dnn/hiddenlayer_1/bias/Adagrad", [8]),
    ("dnn/hiddenlayer_1/kernel", [16, 8]),
    ("dnn/hiddenlayer_1/kernel/Adagrad", [16, 8]),
    (EMBEDDING, [20, 4]),
    (EMBEDDING + "/Adagrad", [20, 4]),
    ("dnn/logits/bias", [1]),
    ("dnn/logits/bias/Adagrad", [1]),
    ("dnn/logits/kernel", [8, 1]),
    ("dnn/logits/kernel/Adagrad", [8, 1]),
    ("global_step", []),
    ("linear/linear_model/age_bucketized/weights", [6, 1]),
    ("linear/linear_model/age_bucketized/weights/Ftrl", [6, 1]),
    ("linear/linear_model/age_bucketized/weights/Ftrl_1", [6, 1]),
    ("linear/linear_model/age_bucketized_X_education_X_occupation/weights", [50, 1]),
    ("linear/linear_model/age_bucketized_X_education_X_occupation/weights/Ftrl", [50, 1]),
    ("linear/linear_model/age_bucketized_X_education_X_occupation/weights/Ftrl_1", [50, 1]),
    ("linear/linear_model/bias_weights", [1]),
    ("linear/linear_model/bias_weights/Ftrl", [1]),
    ("linear/linear_model/bias_weights/Ftrl_1", [1]),
    ("linear/linear_model/education/weights", [5, 1]),
    ("linear/linear_model/education/weights/Ftrl", [5, 1]),
    ("linear/linear_model/education/weights/Ftrl_1", [5, 1]),
    ("linear/linear_model/occupation/weights", [20, 1]),
    ("linear/linear_model/occupation/weights/Ftrl", [20, 1]),
    ("linear/linear_model/occupation/weights/Ftrl_1", [20, 1]),
]


def _census_estimator(model_dir, **kwargs):
    wide, deep = _census_columns()
    return tf.estimator.DNNLinearCombinedClassifier(
        model_dir=str(model_dir),
        linear_feature_columns=wide,
        dnn_feature_columns=deep,
        dnn_hidden_units=[16, 8],
        label_vocabulary=["<=50K", ">50K"],
        config=_config(),
        **kwargs,
    )


def _write_csv(path, features, labels):
    with open(path, "w") as f:
        for i in range(len(labels)):
            row = [features[c][i] for c in CSV_COLUMNS[:-1]] + [labels[i]]
            f.write(",".join(str(int(v)) if isinstance(v, np.floating) else v for v in row))
            f.write("\n")


def _csv_input_fn(path, num_epochs, shuffle, batch_size):
    """The census tutorial's input_fn: a TextLineDataset parsed with decode_csv."""

    def input_fn():
        def parse_csv(line):
            values = tf.decode_csv(line, record_defaults=[[0.0], [""], [""], [0.0], [""]])
            features = dict(zip(CSV_COLUMNS, values))
            return features, features.pop("income_bracket")

        dataset = tf.data.TextLineDataset(path)
        if shuffle:
            dataset = dataset.shuffle(buffer_size=1000, seed=1)
        dataset = dataset.map(parse_csv).repeat(num_epochs).batch(batch_size)
        return dataset

    return input_fn


def test_census_wide_and_deep(tmp_path):
    features, labels = _census()
    est = _census_estimator(
        tmp_path / "numpy",
        linear_optimizer=tf.train.FtrlOptimizer(0.1),
        dnn_optimizer=tf.train.AdagradOptimizer(0.1),
    )
    train = tf.estimator.inputs.numpy_input_fn(
        features, labels, batch_size=40, num_epochs=None, shuffle=True
    )
    evaluate = tf.estimator.inputs.numpy_input_fn(
        features, labels, batch_size=100, num_epochs=1, shuffle=False
    )
    est.train(train, steps=1)
    first = est.evaluate(evaluate)
    est.train(train, steps=299)
    assert [(n, list(s)) for n, s in tf.train.list_variables(est.model_dir)] == CENSUS_NAMES
    res = est.evaluate(evaluate)
    assert set(res) == CLASSIFIER_METRICS
    assert res["loss"] < first["loss"]
    assert res["average_loss"] < 0.35 and res["accuracy"] > 0.85
    np.testing.assert_allclose(res["label/mean"], np.mean(labels == ">50K"), rtol=1e-6)
    rows = {k: v[:8] for k, v in features.items()}
    predict = tf.estimator.inputs.numpy_input_fn(rows, batch_size=8, shuffle=False)
    preds = list(est.predict(predict))
    assert sorted(preds[0]) == BINARY_PREDICTIONS
    assert preds[0]["all_classes"].tolist() == [b"<=50K", b">50K"]
    classes = [p["classes"][0].decode() for p in preds]
    assert classes == [["<=50K", ">50K"][p["class_ids"][0]] for p in preds]
    assert np.mean(np.array(classes) == labels[:8]) >= 0.75

    # the tutorial's own input: CSV lines through TextLineDataset and decode_csv
    csv = str(tmp_path / "adult.data")
    _write_csv(csv, features, labels)
    from_csv = _census_estimator(tmp_path / "csv")
    from_csv.train(_csv_input_fn(csv, None, True, 40), steps=3)
    assert from_csv.get_variable_value("global_step") == 3
    assert [n for n, _ in tf.train.list_variables(from_csv.model_dir)] == [
        n for n, _ in CENSUS_NAMES
    ]
    res = from_csv.evaluate(_csv_input_fn(csv, 1, False, 100))
    assert set(res) == CLASSIFIER_METRICS and res["global_step"] == 3


def test_baseline_classifier_and_regressor(tmp_path):
    x, y = _data()
    clf = tf.estimator.BaselineClassifier(model_dir=str(tmp_path / "clf"), config=_config())
    clf.train(_inputs(x, y, batch_size=300, shuffle=False), steps=200)
    assert clf.get_variable_names() == BASELINE_NAMES
    p = y.mean()
    # the bias learns the log-odds of the labels' mean
    np.testing.assert_allclose(
        clf.get_variable_value("baseline/bias"), [np.log(p / (1 - p))], atol=0.05
    )
    res = clf.evaluate(_eval(x, y))
    assert set(res) == CLASSIFIER_METRICS
    np.testing.assert_allclose(res["prediction/mean"], p, atol=0.02)
    preds = list(clf.predict(_inputs(x[:4], None, batch_size=4, num_epochs=1, shuffle=False)))
    assert sorted(preds[0]) == BINARY_PREDICTIONS
    assert len({float(q["logits"][0]) for q in preds}) == 1  # the features are ignored

    labels3 = np.array(["lo", "mid", "hi"])[(x[:, 0] > -0.5).astype(int) + (x[:, 0] > 0.5)]
    multi = tf.estimator.BaselineClassifier(
        model_dir=str(tmp_path / "multi"),
        n_classes=3,
        label_vocabulary=["lo", "mid", "hi"],
        optimizer=tf.train.GradientDescentOptimizer(0.002),
    )
    multi.train(_inputs(x, labels3, batch_size=300, shuffle=False), steps=100)
    assert multi.get_variable_names() == ["baseline/bias", "global_step"]
    assert multi.get_variable_value("baseline/bias").shape == (3,)
    pred = next(multi.predict(_inputs(x[:1], None, num_epochs=1, shuffle=False)))
    freq = [np.mean(labels3 == c) for c in ["lo", "mid", "hi"]]
    np.testing.assert_allclose(pred["probabilities"], freq, atol=1e-4)

    target = (3.0 + x[:, 0]).astype(np.float32)
    reg = tf.estimator.BaselineRegressor(model_dir=str(tmp_path / "reg"), config=_config())
    reg.train(_inputs(x, target, batch_size=300, shuffle=False), steps=200)
    assert reg.get_variable_names() == BASELINE_NAMES
    np.testing.assert_allclose(reg.get_variable_value("baseline/bias"), [target.mean()], atol=0.1)
    res = reg.evaluate(_eval(x, target))
    assert set(res) == REGRESSOR_METRICS
    pred = next(reg.predict(_inputs(x[:1], None, num_epochs=1, shuffle=False)))
    assert list(pred) == ["predictions"]
    np.testing.assert_allclose(pred["predictions"], reg.get_variable_value("baseline/bias"))


# TF 1.15's combined and baseline graphs, built with TF 2.21's tf.compat.v1 as
# `_dnn_linear_combined_model_fn` and `_baseline_model_fn` build them (TF 2.21 has no
# tf.estimator): their checkpoints' variable names, and tfgraph's checkpoints restored
# into them; the census model also takes one training step from tfgraph's initial
# checkpoint, to compare with tfgraph's step.
TF_COMBINED_PROGRAM = """
import tempfile
fc = tf.feature_column
out = {}
SUM = tf.losses.Reduction.SUM


def combined(feats, labels, wide, deep, hidden, dnn_opt, linear_opt):
    gs = tf.train.get_or_create_global_step()
    input_part = tf.min_max_variable_partitioner(max_partitions=0, min_slice_size=64 << 20)
    with tf.variable_scope("dnn", values=tuple(feats.values()),
                           partitioner=tf.min_max_variable_partitioner(max_partitions=0)):
        with tf.variable_scope("input_from_feature_columns", partitioner=input_part):
            net = tf.feature_column.input_layer(feats, deep)
        for i, n in enumerate(hidden):
            with tf.variable_scope("hiddenlayer_%d" % i) as scope:
                net = tf.layers.dense(net, n, activation=tf.nn.relu,
                                      kernel_initializer=tf.glorot_uniform_initializer(),
                                      name=scope)
        with tf.variable_scope("logits") as scope:
            dnn_logits = tf.layers.dense(net, 1, name=scope,
                                         kernel_initializer=tf.glorot_uniform_initializer())
    with tf.variable_scope("linear", values=tuple(feats.values()), partitioner=input_part):
        linear_logits = tf.feature_column.linear_model(feats, wide, units=1)
    logits = dnn_logits + linear_logits
    with tf.name_scope("head"):
        loss = tf.losses.compute_weighted_loss(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits),
            reduction=SUM)
        ops = [dnn_opt.minimize(loss, var_list=tf.get_collection(
                   tf.GraphKeys.TRAINABLE_VARIABLES, scope="dnn")),
               linear_opt.minimize(loss, var_list=tf.get_collection(
                   tf.GraphKeys.TRAINABLE_VARIABLES, scope="linear"))]
        with tf.control_dependencies([tf.group(*ops)]):
            train_op = tf.assign_add(gs, 1).op
    return logits, train_op


def baseline(feats, labels):
    gs = tf.train.get_or_create_global_step()
    batch = tf.shape(feats["a"])[0]
    with tf.variable_scope("baseline"):
        bias = tf.get_variable("bias", shape=[1], initializer=tf.zeros_initializer())
        logits = bias * tf.ones([batch, 1])
    with tf.name_scope("head"):
        loss = tf.losses.compute_weighted_loss(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits),
            reduction=SUM)
        train_op = tf.train.FtrlOptimizer(0.3).minimize(loss, global_step=gs)
    return logits, train_op


def names(sess, saver):
    path = saver.save(sess, os.path.join(tempfile.mkdtemp(), "model.ckpt"))
    return [[n, s] for n, s in tf.train.list_variables(path)]


x = np.array(ROWS, np.float32)
simple = {"a": tf.constant(x[:, 0]), "b": tf.constant(x[:, 1])}
cols = [fc.numeric_column("a"), fc.numeric_column("b")]
for name, ckpt in [("simple", SIMPLE_CKPT), ("baseline", BASELINE_CKPT)]:
    with tf.Graph().as_default():
        feats = {k: tf.constant(v) for k, v in [("a", x[:, 0]), ("b", x[:, 1])]}
        labels = tf.zeros([len(x), 1])
        if name == "simple":
            logits, _ = combined(feats, labels, cols, cols, [8, 4],
                                 tf.train.AdagradOptimizer(0.001), tf.train.FtrlOptimizer(0.005))
        else:
            logits, _ = baseline(feats, labels)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out[name + "_names"] = names(sess, saver)
            saver.restore(sess, ckpt)
            out[name + "_logits"] = sess.run(logits).ravel().tolist()

EDU = CENSUS_EDU
census = CENSUS_DATA
age = fc.numeric_column("age")
age_b = fc.bucketized_column(age, boundaries=[25, 35, 45, 55, 65])
edu = fc.categorical_column_with_vocabulary_list("education", EDU)
occ = fc.categorical_column_with_hash_bucket("occupation", hash_bucket_size=20)
wide = [age_b, edu, occ, fc.crossed_column([age_b, "education", "occupation"], 50)]
deep = [age, fc.numeric_column("hours_per_week"), fc.indicator_column(edu),
        fc.embedding_column(occ, dimension=4)]
with tf.Graph().as_default():
    feats = {
        "age": tf.constant(np.array(census["age"], np.float32)),
        "hours_per_week": tf.constant(np.array(census["hours_per_week"], np.float32)),
        "education": tf.constant(census["education"]),
        "occupation": tf.constant(census["occupation"]),
    }
    labels = tf.constant(np.array(census["label_ids"], np.float32)[:, None])
    logits, train_op = combined(feats, labels, wide, deep, [16, 8],
                                tf.train.AdagradOptimizer(0.1), tf.train.FtrlOptimizer(0.1))
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
        out["census_names"] = names(sess, saver)
        saver.restore(sess, os.path.join(CENSUS_DIR, "model.ckpt-0"))
        sess.run(train_op)
        path = saver.save(sess, os.path.join(tempfile.mkdtemp(), "model.ckpt"))
        out["census_step"] = {
            n: tf.train.load_variable(path, n).tolist() for n, _ in tf.train.list_variables(path)
        }
        out["census_logits"] = sess.run(logits).ravel().tolist()
print(json.dumps(out))
"""


def _ckpt_values(path):
    return {n: tf.train.load_variable(path, n) for n, _ in tf.train.list_variables(path)}


@pytest.mark.tf
@requires_tf
def test_checkpoints_and_one_step_match_tensorflow_graphs(tmp_path):
    x, y = _data()
    simple = _combined_classifier(tmp_path / "simple")
    simple.train(_inputs(x, y), steps=30)
    base = tf.estimator.BaselineClassifier(model_dir=str(tmp_path / "baseline"))
    base.train(_inputs(x, y), steps=30)
    features, labels = _census(n=64, seed=1)
    census = _census_estimator(
        tmp_path / "census",
        linear_optimizer=tf.train.FtrlOptimizer(0.1),
        dnn_optimizer=tf.train.AdagradOptimizer(0.1),
    )
    full_batch = tf.estimator.inputs.numpy_input_fn(
        features, labels, batch_size=64, num_epochs=None, shuffle=False
    )
    census.train(full_batch, steps=1)
    rows = x[:6]
    census_json = {k: v.tolist() for k, v in features.items()}
    census_json["label_ids"] = (labels == ">50K").astype(int).tolist()
    program = (
        TF_COMBINED_PROGRAM.replace("CENSUS_EDU", repr(EDUCATION))
        .replace("CENSUS_DIR", repr(census.model_dir))
        .replace("CENSUS_DATA", repr(census_json))
        .replace("SIMPLE_CKPT", repr(simple.latest_checkpoint()))
        .replace("BASELINE_CKPT", repr(base.latest_checkpoint()))
        .replace("ROWS", repr(rows.tolist()))
    )
    out = run_tf_json(program)
    assert [n for n, _ in out["simple_names"]] == COMBINED_NAMES
    assert [n for n, _ in out["baseline_names"]] == BASELINE_NAMES
    assert [tuple(r) for r in out["census_names"]] == CENSUS_NAMES
    for ours, name in [(simple, "simple"), (base, "baseline")]:
        assert [[n, list(s)] for n, s in tf.train.list_variables(ours.model_dir)] == out[
            name + "_names"
        ]
    fn = _inputs(rows, None, batch_size=6, num_epochs=1, shuffle=False)
    for ours, name in [(simple, "simple"), (base, "baseline")]:
        logits = [p["logits"][0] for p in ours.predict(fn)]
        np.testing.assert_allclose(out[name + "_logits"], logits, rtol=1e-5, atol=1e-6)

    # one step from the same initial checkpoint: every variable and slot as TF's
    ours = _ckpt_values(census.latest_checkpoint())
    assert sorted(ours) == sorted(out["census_step"])
    before = _ckpt_values(os.path.join(census.model_dir, "model.ckpt-0"))
    for name, value in out["census_step"].items():
        np.testing.assert_allclose(ours[name], value, rtol=1e-5, atol=1e-6, err_msg=name)
        if not name.endswith(("Adagrad", "Ftrl", "global_step")):
            assert not np.array_equal(before[name], ours[name]), name
    predict = tf.estimator.inputs.numpy_input_fn(features, batch_size=64, shuffle=False)
    logits = [p["logits"][0] for p in census.predict(predict)]
    np.testing.assert_allclose(out["census_logits"], logits, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("make", "arg"),
    [
        (lambda **kw: tf.estimator.DNNClassifier([4, 3], COLUMNS, **kw), "activation_fn"),
        (lambda **kw: tf.estimator.DNNRegressor([4, 3], COLUMNS, **kw), "activation_fn"),
        (
            lambda **kw: tf.estimator.DNNLinearCombinedClassifier(
                linear_feature_columns=COLUMNS,
                dnn_feature_columns=COLUMNS,
                dnn_hidden_units=[4, 3],
                **kw,
            ),
            "dnn_activation_fn",
        ),
    ],
)
def test_activation_defaults_to_relu_and_none_means_linear_as_in_tf(make, arg):
    """TF's default is `tf.nn.relu`; an explicit None gives linear hidden layers."""

    def hidden_relus(**kw):
        with tf.Graph().as_default() as g:
            est = make(**kw)
            tf.train.get_or_create_global_step()
            features = {"a": tf.constant([1.0, 2.0]), "b": tf.constant([0.5, -1.0])}
            est._call_model_fn(features, tf.constant([[1], [0]]), "train", est.config)
            return sorted(op.name for op in g.get_operations() if op.type == "Relu")

    relus = ["dnn/hiddenlayer_0/Relu", "dnn/hiddenlayer_1/Relu"]
    assert hidden_relus() == relus
    assert hidden_relus(**{arg: tf.nn.relu}) == relus
    assert hidden_relus(**{arg: None}) == []

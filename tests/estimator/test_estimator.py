"""tf.estimator.Estimator with a custom model_fn: train (steps, max_steps, hooks,
listeners), evaluate, predict, model_dir contents, and the checkpoints and events files
it writes, read by real TensorFlow."""

from __future__ import annotations

import os

import numpy as np
import pytest

import tfgraph as tf
from tests.estimator.models import data, estimator, regression_model_fn, train_input
from tests.tfrun import requires_tf, run_tf_json


def _eval_input(x, y, batch_size=50):
    return tf.estimator.inputs.numpy_input_fn(
        {"x": x}, y, batch_size=batch_size, num_epochs=1, shuffle=False
    )


class LossRecorder(tf.train.SessionRunHook):
    """Records the loss and global step of every training step."""

    def __init__(self):
        self.losses, self.steps = [], []

    def begin(self):
        self._loss = tf.get_collection(tf.GraphKeys.LOSSES)[-1]
        self._gs = tf.train.get_global_step()

    def before_run(self, run_context):
        return tf.train.SessionRunArgs([self._loss, self._gs])

    def after_run(self, run_context, run_values):
        loss, step = run_values.results
        self.losses.append(float(loss))
        self.steps.append(int(step))


def test_train_evaluate_predict(tmp_path):
    x, y = data()
    est = estimator(tmp_path, save_summary_steps=5)
    rec = LossRecorder()
    assert est.train(train_input(x, y), hooks=[rec], steps=30) is est
    assert len(rec.losses) == 30 and rec.steps == list(range(1, 31))
    assert np.mean(rec.losses[-5:]) < 0.01 * np.mean(rec.losses[:5])
    assert est.latest_checkpoint() == os.path.join(str(tmp_path), "model.ckpt-30")
    assert est.get_variable_names() == ["dense/bias", "dense/kernel", "global_step"]
    assert est.get_variable_value("global_step") == 30
    kernel = est.get_variable_value("dense/kernel")
    np.testing.assert_allclose(kernel, [[1.0], [-2.0], [0.5]], atol=0.05)

    results = est.evaluate(_eval_input(x, y))
    assert list(results) == ["loss", "mae", "global_step"]
    assert results["global_step"] == 30
    assert isinstance(results["loss"], np.float32)
    w, b = kernel, est.get_variable_value("dense/bias")
    pred = x @ w + b
    # the mean of four batch means of 50 (equal batches: the overall mean)
    np.testing.assert_allclose(results["loss"], np.mean((pred - y) ** 2), rtol=1e-4)
    np.testing.assert_allclose(results["mae"], np.mean(np.abs(pred - y)), rtol=1e-4)
    assert est.evaluate(_eval_input(x, y), steps=1)["global_step"] == 30

    pfn = tf.estimator.inputs.numpy_input_fn({"x": x[:5]}, batch_size=2, shuffle=False)
    preds = list(est.predict(pfn))
    assert len(preds) == 5 and set(preds[0]) == {"y", "x0"}
    np.testing.assert_allclose(np.stack([p["y"] for p in preds]), pred[:5], rtol=1e-5)
    np.testing.assert_allclose([p["x0"] for p in preds], x[:5, 0])
    only_y = list(est.predict(pfn, predict_keys=["y"]))
    assert [set(p) for p in only_y] == [{"y"}] * 5
    batches = list(est.predict(pfn, yield_single_examples=False))
    assert [b["y"].shape for b in batches] == [(2, 1), (2, 1), (1, 1)]
    with pytest.raises(ValueError, match="Expected to run at least one output from"):
        list(est.predict(pfn, predict_keys=["nope"]))

    files = sorted(os.listdir(tmp_path))
    assert [f for f in files if not f.startswith("events.out.tfevents.")] == [
        "checkpoint",
        "eval",
        "graph.pbtxt",
        "model.ckpt-0.data-00000-of-00001",
        "model.ckpt-0.index",
        "model.ckpt-0.meta",
        "model.ckpt-30.data-00000-of-00001",
        "model.ckpt-30.index",
        "model.ckpt-30.meta",
    ]
    assert len([f for f in os.listdir(tmp_path / "eval") if f.startswith("events.")]) == 1


def test_steps_are_incremental_and_max_steps_absolute(tmp_path):
    x, y = data()
    est = estimator(tmp_path)
    est.train(train_input(x, y), steps=7)
    est.train(train_input(x, y), steps=5)
    assert est.get_variable_value("global_step") == 12
    est.train(train_input(x, y), max_steps=20)
    assert est.get_variable_value("global_step") == 20
    rec = LossRecorder()
    est.train(train_input(x, y), max_steps=15, hooks=[rec])  # already past: no step
    assert rec.steps == [] and est.get_variable_value("global_step") == 20
    with pytest.raises(ValueError, match="Can not provide both steps and max_steps."):
        est.train(train_input(x, y), steps=1, max_steps=30)
    with pytest.raises(ValueError, match=r"Must specify steps > 0, given: 0"):
        est.train(train_input(x, y), steps=0)
    with pytest.raises(ValueError, match=r"Must specify max_steps > 0, given: -1"):
        est.train(train_input(x, y), max_steps=-1)
    with pytest.raises(TypeError, match="Hooks must be a SessionRunHook"):
        est.train(train_input(x, y), steps=1, hooks=[object()])


def test_training_ends_when_the_input_ends(tmp_path):
    x, y = data(100)
    est = estimator(tmp_path)
    rec = LossRecorder()
    # 100 rows, 2 epochs, batches of 30: 30 30 30 30 30 30 20 -> 7 steps
    est.train(train_input(x, y, batch_size=30, num_epochs=2, shuffle=False), hooks=[rec])
    assert rec.steps == list(range(1, 8))
    assert est.latest_checkpoint().endswith("model.ckpt-7")
    # evaluation without steps reads the input to its end: 100 rows in 4 batches
    counter = LossRecorder()
    results = est.evaluate(_eval_input(x, y, batch_size=30), hooks=[])
    assert results["global_step"] == 7
    del counter


def test_checkpoint_and_summary_frequency(tmp_path):
    x, y = data()
    est = estimator(tmp_path, save_checkpoints_steps=10, keep_checkpoint_max=2)
    est.train(train_input(x, y), steps=25)
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == [
        "model.ckpt-20",
        "model.ckpt-25",
    ]


def test_saving_listeners(tmp_path):
    class Listener(tf.train.CheckpointSaverListener):
        def __init__(self):
            self.saved = []

        def after_save(self, session, global_step_value):
            self.saved.append(int(global_step_value))

    x, y = data()
    listener = Listener()
    est = estimator(tmp_path, save_checkpoints_steps=4)
    est.train(train_input(x, y), steps=10, saving_listeners=[listener])
    assert listener.saved == [0, 4, 8, 10]
    no_ckpt = estimator(tmp_path / "b", save_checkpoints_steps=None, save_checkpoints_secs=None)
    with pytest.raises(ValueError, match="There should be a CheckpointSaverHook"):
        no_ckpt.train(train_input(x, y), steps=1, saving_listeners=[Listener()])
    with pytest.raises(TypeError, match="saving_listeners must be a list of"):
        est.train(train_input(x, y), steps=1, saving_listeners=[object()])


def test_model_fn_signatures_and_input_fn_forms(tmp_path):
    seen = {}

    def model_fn(features, labels, mode, config):
        seen["mode"], seen["config"] = mode, config
        w = tf.get_variable("w", [], initializer=tf.zeros_initializer())
        loss = tf.reduce_mean(tf.square(features * w - labels))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.train.get_global_step()
        )
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train, predictions=features * w)

    def input_fn(params, mode):
        seen["params"], seen["input_mode"] = params, mode
        ds = tf.data.Dataset.from_tensor_slices(
            (np.arange(8, dtype=np.float32), 3.0 * np.arange(8, dtype=np.float32))
        )
        return ds.batch(4)

    est = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    est.train(input_fn)  # a Dataset: two batches, then the input ends
    assert est.get_variable_value("global_step") == 2
    assert seen["mode"] == "train" and seen["input_mode"] == "train" and seen["params"] == {}
    assert seen["config"].model_dir == str(tmp_path)
    ev = est.evaluate(input_fn)
    assert seen["mode"] == "eval" and ev["global_step"] == 2

    def predict_input():  # features only
        return tf.data.Dataset.from_tensor_slices(np.arange(3, dtype=np.float32)).batch(2)

    def predict_fn(features, mode):  # no labels, no params
        w = tf.get_variable("w", [], initializer=tf.zeros_initializer())
        return tf.estimator.EstimatorSpec(mode, predictions=features * w)

    w = est.get_variable_value("w")
    preds = list(tf.estimator.Estimator(predict_fn, model_dir=str(tmp_path)).predict(predict_input))
    np.testing.assert_allclose(preds, np.arange(3) * w, rtol=1e-6)

    def no_labels(features):
        return None

    with pytest.raises(ValueError, match="model_fn does not take labels, but input_fn returns"):
        tf.estimator.Estimator(no_labels, model_dir=str(tmp_path)).train(input_fn, steps=1)

    def returns_none(features, labels):
        return None

    with pytest.raises(ValueError, match="model_fn should return an EstimatorSpec."):
        tf.estimator.Estimator(returns_none, model_dir=str(tmp_path / "c")).train(input_fn, steps=1)


def test_constructor_checks(tmp_path):
    with pytest.raises(ValueError, match="model_fn must be provided to Estimator."):
        tf.estimator.Estimator(None)
    with pytest.raises(ValueError, match="must include features argument"):
        tf.estimator.Estimator(lambda x, labels: None)
    with pytest.raises(ValueError, match="does not include params argument"):
        tf.estimator.Estimator(lambda features: None, params={"a": 1})
    with pytest.raises(ValueError, match="has following not expected args: \\['foo'\\]"):
        tf.estimator.Estimator(lambda features, foo: None)
    with pytest.raises(ValueError, match="config must be an instance of `RunConfig`"):
        tf.estimator.Estimator(regression_model_fn, config={"model_dir": "x"})
    with pytest.raises(ValueError, match="`model_dir` are set both in constructor and"):
        tf.estimator.Estimator(
            regression_model_fn, model_dir="a", config=tf.estimator.RunConfig(model_dir="b")
        )
    temp = tf.estimator.Estimator(regression_model_fn, params={})
    assert os.path.isdir(temp.model_dir) and temp.config.model_dir == temp.model_dir
    assert temp.latest_checkpoint() is None
    with pytest.raises(ValueError, match="Could not find trained model in model_dir"):
        temp.get_variable_names()
    from_config = tf.estimator.Estimator(
        regression_model_fn, params={}, config=tf.estimator.RunConfig(model_dir=str(tmp_path))
    )
    assert from_config.model_dir == str(tmp_path)
    assert from_config.config.session_config.allow_soft_placement
    assert from_config.eval_dir() == os.path.join(str(tmp_path), "eval")
    assert from_config.eval_dir("test") == os.path.join(str(tmp_path), "eval_test")


def test_subclasses_may_not_override_members():
    class Custom(tf.estimator.Estimator):
        def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
            return self

    with pytest.raises(ValueError, match="Subclasses of Estimator cannot override members"):
        Custom(regression_model_fn, params={})

    class Fine(tf.estimator.Estimator):
        def helper(self):
            return 1

    assert Fine(regression_model_fn, params={}).helper() == 1


def test_run_config():
    c = tf.estimator.RunConfig()
    assert (c.save_checkpoints_secs, c.save_checkpoints_steps) == (600, None)
    assert (c.save_summary_steps, c.keep_checkpoint_max, c.log_step_count_steps) == (100, 5, 100)
    assert c.model_dir is None and c.tf_random_seed is None and c.is_chief
    c2 = c.replace(save_checkpoints_steps=50, tf_random_seed=3)
    assert (c2.save_checkpoints_secs, c2.save_checkpoints_steps, c2.tf_random_seed) == (None, 50, 3)
    assert c.save_checkpoints_secs == 600
    with pytest.raises(ValueError, match="cannot be both set"):
        tf.estimator.RunConfig(save_checkpoints_steps=1, save_checkpoints_secs=1)
    with pytest.raises(ValueError, match="Replacing is_chief is not supported"):
        c.replace(is_chief=False)
    with pytest.raises(ValueError, match="tf_random_seed must be integer."):
        tf.estimator.RunConfig(tf_random_seed=1.5)
    with pytest.raises(ValueError, match="log_step_count_steps should be > 0"):
        c.replace(log_step_count_steps=0)


def test_estimator_spec_validation():
    with tf.Graph().as_default():
        loss = tf.constant(1.0)
        x = tf.constant([1.0, 2.0])
        train = tf.no_op()
        with pytest.raises(ValueError, match="Missing train_op."):
            tf.estimator.EstimatorSpec("train", loss=loss)
        with pytest.raises(ValueError, match="Missing loss."):
            tf.estimator.EstimatorSpec("eval")
        with pytest.raises(ValueError, match="Missing predictions."):
            tf.estimator.EstimatorSpec("infer")
        with pytest.raises(ValueError, match="Loss must be scalar"):
            tf.estimator.EstimatorSpec("eval", loss=x)
        with pytest.raises(TypeError, match="loss must be Tensor, given: 1.0"):
            tf.estimator.EstimatorSpec("eval", loss=1.0)
        with pytest.raises(TypeError, match="Values of eval_metric_ops must be"):
            tf.estimator.EstimatorSpec("eval", loss=loss, eval_metric_ops={"a": loss})
        with pytest.raises(TypeError, match="All hooks must be SessionRunHook instances"):
            tf.estimator.EstimatorSpec("train", loss=loss, train_op=train, training_hooks=[1])
        spec = tf.estimator.EstimatorSpec("eval", loss=tf.reshape(loss, [1]))
        assert spec.loss.shape.as_list() == [] and spec.predictions == {}
        assert spec.eval_metric_ops == {} and spec.training_hooks == ()
        assert isinstance(spec.scaffold, tf.train.Scaffold)
        p = tf.estimator.EstimatorSpec("infer", predictions={"x": x})
        assert list(p.export_outputs) == ["serving_default"]
        with pytest.raises(ValueError, match="mode of EstimatorSpec cannot be changed."):
            p._replace(mode="train")
    other = tf.Graph()
    with other.as_default():
        foreign = tf.constant(2.0)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match='loss with "Const:0" must be from the default graph'):
            tf.estimator.EstimatorSpec("eval", loss=foreign)
    assert tf.estimator.ModeKeys.PREDICT == "infer"


def test_evaluate_errors_and_named_eval(tmp_path):
    x, y = data()
    est = estimator(tmp_path)

    def zero_model_fn(features, labels, mode):
        pred = tf.layers.dense(features["x"], 1, kernel_initializer=tf.zeros_initializer())
        return tf.estimator.EstimatorSpec(mode, loss=tf.losses.mean_squared_error(labels, pred))

    # no checkpoint: evaluates freshly initialized variables (zero kernel, zero bias)
    fresh = tf.estimator.Estimator(zero_model_fn, model_dir=str(tmp_path))
    res = fresh.evaluate(_eval_input(x, y), name="fresh")
    np.testing.assert_allclose(res["loss"], np.mean(y**2), rtol=1e-5)
    assert res["global_step"] == 0
    assert os.path.isdir(tmp_path / "eval_fresh")
    with pytest.raises(ValueError, match=r"Must specify steps > 0, given: 0"):
        est.evaluate(_eval_input(x, y), steps=0)

    def loss_metric_fn(features, labels, mode):
        loss = tf.reduce_mean(labels)
        return tf.estimator.EstimatorSpec(
            mode, loss=loss, eval_metric_ops={"loss": tf.metrics.mean(loss)}
        )

    bad = tf.estimator.Estimator(loss_metric_fn, model_dir=str(tmp_path))
    with pytest.raises(ValueError, match='Metric with name "loss" is not allowed'):
        bad.evaluate(_eval_input(x, y))


TF_READ_PROGRAM = """
d = DIRECTORY
out = {}
reader = tf.train.load_checkpoint(d)
out["variables"] = sorted(name for name, _ in tf.train.list_variables(d))
out["kernel"] = reader.get_tensor("dense/kernel").tolist()
out["step"] = int(reader.get_tensor("global_step"))
def events(sub):
    path = os.path.join(d, sub)
    files = sorted(f for f in os.listdir(path) if f.startswith("events."))
    tags = {}
    for e in tf.compat.v1.train.summary_iterator(os.path.join(path, files[0])):
        for v in e.summary.value:
            kind = "tensor" if v.HasField("tensor") else "simple"
            tags.setdefault(v.tag, []).append(
                [int(e.step), v.simple_value if kind == "simple" else
                 tf.make_ndarray(v.tensor).item().decode()])
    return tags
out["train"] = events("")
out["eval"] = events("eval")
with tf.Graph().as_default():
    saver = tf.train.import_meta_graph(os.path.join(d, "model.ckpt-30.meta"))
    with tf.Session() as sess:
        saver.restore(sess, os.path.join(d, "model.ckpt-30"))
        out["restored"] = sess.run("dense/kernel:0").tolist()
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_files_read_by_tensorflow(tmp_path):
    x, y = data()
    est = estimator(tmp_path, save_summary_steps=5)
    est.train(train_input(x, y), steps=30)
    results = est.evaluate(_eval_input(x, y))
    out = run_tf_json(TF_READ_PROGRAM.replace("DIRECTORY", repr(str(tmp_path))))
    assert out["variables"] == ["dense/bias", "dense/kernel", "global_step"]
    assert out["step"] == 30
    np.testing.assert_allclose(out["kernel"], est.get_variable_value("dense/kernel"))
    np.testing.assert_allclose(out["restored"], out["kernel"])
    train = out["train"]
    assert [s for s, _ in train["loss"]] == [1, 6, 11, 16, 21, 26]
    assert train["loss"][-1][1] < train["loss"][0][1]
    assert [s for s, _ in train["global_step/sec"]] == [11, 21]
    queue_tags = [t for t in train if t.startswith("enqueue_input/queue/")]
    assert len(queue_tags) == 1 and "fraction_over_250_of_750_full" in queue_tags[0]
    ev = out["eval"]
    assert set(ev) == {"loss", "mae", "checkpoint_path"}
    assert ev["loss"][0][0] == 30
    np.testing.assert_allclose(ev["loss"][0][1], results["loss"], rtol=1e-6)
    np.testing.assert_allclose(ev["mae"][0][1], results["mae"], rtol=1e-6)
    assert ev["checkpoint_path"] == [[30, os.path.join(str(tmp_path), "model.ckpt-30")]]


def test_warm_start_and_random_seed(tmp_path):
    x, y = data()
    first = estimator(tmp_path / "a", tf_random_seed=7)
    first.train(train_input(x, y), steps=10)
    # a fresh estimator with lr 0 keeps what it was warm-started with
    warm = tf.estimator.Estimator(
        regression_model_fn,
        model_dir=str(tmp_path / "b"),
        params={"lr": 0.0},
        warm_start_from=first.model_dir,
    )
    warm.train(train_input(x, y), steps=1)
    np.testing.assert_array_equal(
        warm.get_variable_value("dense/kernel"), first.get_variable_value("dense/kernel")
    )
    assert warm.get_variable_value("global_step") == 1  # (only trainables are warm-started)
    settings = tf.estimator.WarmStartSettings(first.model_dir, vars_to_warm_start="dense/bias")
    partial = tf.estimator.Estimator(
        regression_model_fn,
        model_dir=str(tmp_path / "c"),
        params={"lr": 0.0},
        warm_start_from=settings,
    )
    partial.train(train_input(x, y), steps=1)
    np.testing.assert_array_equal(
        partial.get_variable_value("dense/bias"), first.get_variable_value("dense/bias")
    )
    assert not np.array_equal(
        partial.get_variable_value("dense/kernel"), first.get_variable_value("dense/kernel")
    )
    # the same tf_random_seed: the same initial kernel
    s1 = estimator(tmp_path / "s1", lr=0.0, tf_random_seed=11)
    s2 = estimator(tmp_path / "s2", lr=0.0, tf_random_seed=11)
    for e in (s1, s2):
        e.train(train_input(x, y), steps=1)
    np.testing.assert_array_equal(
        s1.get_variable_value("dense/kernel"), s2.get_variable_value("dense/kernel")
    )
    with pytest.raises(ValueError, match="warm_start_from must be a string or a WarmStartSettings"):
        tf.estimator.Estimator(regression_model_fn, params={}, warm_start_from=3)

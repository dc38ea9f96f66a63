"""tf.estimator.train_and_evaluate run locally: evaluations after checkpoints (throttled),
after the last one, the exporters they call, and the specs' checks."""

from __future__ import annotations

import os

import numpy as np
import pytest

import tfgraph as tf
from tests.estimator.models import data, estimator, train_input


def _eval_input(x, y):
    return tf.estimator.inputs.numpy_input_fn({"x": x}, y, batch_size=50, shuffle=False)


def _eval_steps(model_dir, name="eval"):
    path = os.path.join(str(model_dir), name)
    tf.summary.FileWriterCache.get(path).flush()
    (events,) = [f for f in os.listdir(path) if f.startswith("events.")]
    steps = []
    for e in tf.train.summary_iterator(os.path.join(path, events)):
        if any(v.tag == "loss" for v in e.summary.value):
            steps.append(int(e.step))
    return steps


class RecordingExporter:
    name = "recorder"

    def __init__(self):
        self.calls = []

    def export(self, estimator, export_path, checkpoint_path, eval_result, is_the_final_export):
        self.calls.append(
            (
                export_path,
                os.path.basename(checkpoint_path),
                int(eval_result["global_step"]),
                is_the_final_export,
            )
        )
        return export_path


@pytest.mark.parametrize("throttle_secs, expected", [(0, [10, 20, 30]), (600, [10, 30])])
def test_evaluates_after_checkpoints(tmp_path, throttle_secs, expected):
    x, y = data()
    est = estimator(tmp_path, save_checkpoints_steps=10)
    exporter = RecordingExporter()
    train_spec = tf.estimator.TrainSpec(train_input(x, y), max_steps=30)
    eval_spec = tf.estimator.EvalSpec(
        _eval_input(x, y), steps=None, name="val", exporters=exporter, throttle_secs=throttle_secs
    )
    metrics, exports = tf.estimator.train_and_evaluate(est, train_spec, eval_spec)
    assert metrics["global_step"] == 30 and set(metrics) == {"loss", "mae", "global_step"}
    assert _eval_steps(tmp_path, "eval_val") == expected
    export_dir = os.path.join(str(tmp_path), "export", "recorder")
    assert exporter.calls == [(export_dir, f"model.ckpt-{s}", s, s == 30) for s in expected]
    assert exports == [export_dir]
    final = est.evaluate(_eval_input(x, y))
    np.testing.assert_allclose(final["loss"], metrics["loss"], rtol=1e-6)


def test_train_and_evaluate_stops_at_end_of_input(tmp_path):
    x, y = data(100)
    est = estimator(tmp_path, save_checkpoints_steps=100)
    train_spec = tf.estimator.TrainSpec(train_input(x, y, batch_size=25, num_epochs=2))
    eval_spec = tf.estimator.EvalSpec(_eval_input(x, y), steps=1)
    metrics, exports = tf.estimator.train_and_evaluate(est, train_spec, eval_spec)
    assert metrics["global_step"] == 8 and exports == []
    assert _eval_steps(tmp_path) == [8]


def test_spec_checks(tmp_path):
    fn = train_input(*data(10))
    with pytest.raises(TypeError, match="`input_fn` must be callable, given: 3"):
        tf.estimator.TrainSpec(3)
    with pytest.raises(ValueError, match="Must specify max_steps > 0, given: 0"):
        tf.estimator.TrainSpec(fn, max_steps=0)
    with pytest.raises(TypeError, match="All hooks must be `SessionRunHook` instances"):
        tf.estimator.TrainSpec(fn, hooks=[1])
    with pytest.raises(ValueError, match="Must specify steps > 0, given: 0"):
        tf.estimator.EvalSpec(fn, steps=0)
    with pytest.raises(TypeError, match="`name` must be string, given: 1"):
        tf.estimator.EvalSpec(fn, name=1)
    with pytest.raises(ValueError, match="Must specify throttle_secs >= 0, given: -1"):
        tf.estimator.EvalSpec(fn, throttle_secs=-1)
    with pytest.raises(ValueError, match="Must specify start_delay_secs >= 0, given: -1"):
        tf.estimator.EvalSpec(fn, start_delay_secs=-1)
    spec = tf.estimator.EvalSpec(fn)
    assert (spec.steps, spec.throttle_secs, spec.start_delay_secs, spec.hooks) == (
        100,
        600,
        120,
        (),
    )
    est = estimator(tmp_path)
    with pytest.raises(TypeError, match="`eval_spec` must have type `tf.estimator.EvalSpec`"):
        tf.estimator.train_and_evaluate(est, tf.estimator.TrainSpec(fn), None)
    with pytest.raises(TypeError, match="`train_spec` must have type `tf.estimator.TrainSpec`"):
        tf.estimator.train_and_evaluate(est, None, spec)
    with pytest.raises(TypeError, match="`estimator` must have type `tf.estimator.Estimator`"):
        tf.estimator.train_and_evaluate(None, tf.estimator.TrainSpec(fn), spec)


def test_final_latest_and_best_exporters(tmp_path):
    x, y = data()
    est = estimator(tmp_path, save_checkpoints_steps=10)
    receiver = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 3])}
    )
    exporters = [
        tf.estimator.LatestExporter("latest", receiver, exports_to_keep=1),
        tf.estimator.FinalExporter("final", receiver),
        tf.estimator.BestExporter("best", receiver),
    ]
    eval_spec = tf.estimator.EvalSpec(_eval_input(x, y), steps=None, exporters=exporters)
    metrics, exports = tf.estimator.train_and_evaluate(
        est, tf.estimator.TrainSpec(train_input(x, y), max_steps=30), eval_spec
    )
    assert _eval_steps(tmp_path) == [10, 30]  # (throttled: the first and the last)
    base = tmp_path / "export"
    versions = {name: sorted(os.listdir(base / name)) for name in ("latest", "final", "best")}
    # latest: exported twice, one kept; final: at the end only; best: the step-10 result
    # is already in the events it reads first, so only step 30 (a smaller loss) beats it
    assert all(len(v) == 1 for v in versions.values())
    assert [os.path.basename(p) for p in exports] == [
        versions["latest"][0].encode(),
        versions["final"][0].encode(),
        versions["best"][0].encode(),
    ]
    with pytest.raises(ValueError, match="`exports_to_keep`, if provided, must be a positive"):
        tf.estimator.LatestExporter("x", receiver, exports_to_keep=0)
    with pytest.raises(ValueError, match="must include best_eval_result argument"):
        tf.estimator.BestExporter("x", receiver, compare_fn=lambda a, b: True)
    assert metrics["global_step"] == 30

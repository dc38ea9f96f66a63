"""Small models and data shared by the estimator tests."""

from __future__ import annotations

import numpy as np

import tfgraph as tf

W_TRUE = np.array([[1.0], [-2.0], [0.5]], np.float32)


def data(n=200, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 3).astype(np.float32)
    y = (x @ W_TRUE + 0.3).astype(np.float32)
    return x, y


def regression_model_fn(features, labels, mode, params):
    """A linear regression on features["x"], with an MAE metric and two predictions."""
    pred = tf.layers.dense(features["x"], 1, name="dense")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": pred, "x0": features["x"][:, 0]})
    loss = tf.losses.mean_squared_error(labels, pred)
    train_op = tf.train.GradientDescentOptimizer(params["lr"]).minimize(
        loss, global_step=tf.train.get_global_step()
    )
    return tf.estimator.EstimatorSpec(
        mode,
        loss=loss,
        train_op=train_op,
        eval_metric_ops={"mae": tf.metrics.mean_absolute_error(labels, pred)},
    )


def estimator(model_dir, lr=0.1, **config):
    config.setdefault("log_step_count_steps", 10)
    return tf.estimator.Estimator(
        regression_model_fn,
        model_dir=str(model_dir),
        params={"lr": lr},
        config=tf.estimator.RunConfig(**config),
    )


def train_input(x, y, batch_size=20, num_epochs=None, shuffle=True):
    return tf.estimator.inputs.numpy_input_fn(
        {"x": x}, y, batch_size=batch_size, num_epochs=num_epochs, shuffle=shuffle
    )

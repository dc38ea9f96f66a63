"""Linear regression in TF1 style, logging to TensorBoard (runs unchanged on tfgraph).

    python examples/tensorboard_demo.py --logdir /tmp/tfgraph_demo
    tensorboard --logdir /tmp/tfgraph_demo

The model is fit by plain gradient descent written out with `tf.assign_sub` (the
gradient of the mean squared error of y = X w + b is 2 mean(x (X w + b - y))). Every
step logs the loss (`tf.summary.scalar`) and the weights and predictions
(`tf.summary.histogram`); the graph is written when the FileWriter is created.
"""

from __future__ import annotations

import argparse

import numpy as np

import tfgraph as tf  # on real TF: import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()


def make_data(n: int = 256, features: int = 3, seed: int = 0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, features)).astype(np.float32)
    true_w = np.array([[2.0], [-3.0], [0.5]], dtype=np.float32)[:features]
    y = x @ true_w + 1.25 + 0.1 * rng.randn(n, 1).astype(np.float32)
    return x, y.astype(np.float32)


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logdir", default="/tmp/tfgraph_demo")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--learning_rate", type=float, default=0.1)
    args = parser.parse_args(argv)

    x_data, y_data = make_data()
    with tf.Graph().as_default() as graph:
        with tf.name_scope("input"):
            x = tf.placeholder(tf.float32, [None, x_data.shape[1]], name="x")
            y = tf.placeholder(tf.float32, [None, 1], name="y")
        with tf.name_scope("model"):
            w = tf.Variable(tf.zeros([x_data.shape[1], 1]), name="weights")
            b = tf.Variable(0.0, name="bias")
            prediction = tf.add(tf.matmul(x, w), b, name="prediction")
        with tf.name_scope("objective"):
            error = prediction - y
            loss = tf.reduce_mean(tf.square(error), name="mse")
        with tf.name_scope("train"):
            grad_w = 2.0 * tf.reshape(tf.reduce_mean(x * error, axis=0), [-1, 1])
            grad_b = 2.0 * tf.reduce_mean(error)
            train_op = tf.group(
                tf.assign_sub(w, args.learning_rate * grad_w),
                tf.assign_sub(b, args.learning_rate * grad_b),
                name="step",
            )
        tf.summary.scalar("loss", loss)
        tf.summary.histogram("weights", w)
        tf.summary.histogram("predictions", prediction)
        summaries = tf.summary.merge_all()

        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            writer = tf.summary.FileWriter(args.logdir, sess.graph)
            feed = {x: x_data, y: y_data}
            for step in range(args.steps):
                summary, value, _ = sess.run([summaries, loss, train_op], feed)
                writer.add_summary(summary, step)
                if step % 50 == 0:
                    print(f"step {step:4d}  loss {value:.5f}")
            writer.close()
            final = float(sess.run(loss, feed))
    print(f"final loss {final:.5f}; logs in {args.logdir}")
    return final


if __name__ == "__main__":
    main()

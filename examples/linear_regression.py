"""Linear regression in classic TF1 style (runs unchanged on tfgraph).

    python examples/linear_regression.py

Fits y = X w + b to noisy samples of a known plane with `tf.train.GradientDescentOptimizer`
minimizing `tf.losses.mean_squared_error`, with an exponentially decaying learning rate
driven by the global step, and prints the recovered coefficients.
"""

from __future__ import annotations

import argparse

import numpy as np

import tfgraph as tf  # on real TF: import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()

TRUE_W = np.array([[2.0], [-3.0], [0.5]], dtype=np.float32)
TRUE_B = 1.25


def make_data(n: int = 500, seed: int = 0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, TRUE_W.shape[0])).astype(np.float32)
    y = x @ TRUE_W + TRUE_B + 0.05 * rng.randn(n, 1).astype(np.float32)
    return x, y.astype(np.float32)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--learning_rate", type=float, default=0.5)
    args = parser.parse_args(argv)

    x_data, y_data = make_data()
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, x_data.shape[1]], name="x")
        y = tf.placeholder(tf.float32, [None, 1], name="y")
        w = tf.Variable(tf.zeros([x_data.shape[1], 1]), name="weights")
        b = tf.Variable(0.0, name="bias")
        prediction = tf.matmul(x, w) + b
        loss = tf.losses.mean_squared_error(labels=y, predictions=prediction)

        global_step = tf.train.get_or_create_global_step()
        learning_rate = tf.train.exponential_decay(
            args.learning_rate, global_step, decay_steps=100, decay_rate=0.5
        )
        train_op = tf.train.GradientDescentOptimizer(learning_rate).minimize(
            loss, global_step=global_step
        )
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            feed = {x: x_data, y: y_data}
            for _ in range(args.steps):
                _, step, current = sess.run([train_op, global_step, loss], feed)
                if step % 50 == 0 or step == 1:
                    lr = sess.run(learning_rate)
                    print(f"step {step:4d}  loss {current:.6f}  learning rate {lr:.4f}")
            w_value, b_value, final_loss = sess.run([w, b, loss], feed)
    print("weights:", np.round(w_value.ravel(), 3), " true:", TRUE_W.ravel())
    print(f"bias: {b_value:.3f}  true: {TRUE_B}")
    print(f"final loss: {final_loss:.6f}")
    return w_value, float(b_value), float(final_loss)


if __name__ == "__main__":
    main()

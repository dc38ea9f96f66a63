"""Variable sharing with `tf.variable_scope` in classic TF1 style (runs unchanged on
tfgraph).

    python examples/variable_sharing.py

A siamese ranking model: one scoring tower, built twice with `tf.get_variable` in the
variable scope `tower` (the second time with `reuse=True`), scores both items of a pair;
the logistic loss of the score difference teaches it which item has the larger
(hidden) target. Both branches train the same variables: the graph has exactly one set.
"""

from __future__ import annotations

import argparse

import numpy as np

import tfgraph as tf  # on real TF: import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()

FEATURES = 5


def target(x: np.ndarray) -> np.ndarray:
    """The hidden quantity the ranking follows (nonlinear in the features)."""
    return np.sin(2.0 * x[:, 0]) + x[:, 1] * x[:, 2] - 0.5 * x[:, 3] + 0.1 * x[:, 4]


def make_pairs(n: int, seed: int):
    rng = np.random.RandomState(seed)
    a = rng.uniform(-1, 1, (n, FEATURES)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, FEATURES)).astype(np.float32)
    label = (target(a) > target(b)).astype(np.float32)
    return a, b, label


def tower(x, hidden: int = 32):
    """score(x): a one-hidden-layer network whose variables come from get_variable."""
    w1 = tf.get_variable("w1", [FEATURES, hidden])  # glorot-uniform by default
    b1 = tf.get_variable("b1", [hidden], initializer=tf.zeros_initializer())
    w2 = tf.get_variable("w2", [hidden, 1])
    h = tf.nn.relu(tf.matmul(x, w1) + b1)
    return tf.squeeze(tf.matmul(h, w2), axis=1)


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    a_train, b_train, l_train = make_pairs(2000, args.seed)
    a_test, b_test, l_test = make_pairs(1000, args.seed + 1)
    with tf.Graph().as_default():
        tf.set_random_seed(args.seed)
        a = tf.placeholder(tf.float32, [None, FEATURES], name="a")
        b = tf.placeholder(tf.float32, [None, FEATURES], name="b")
        label = tf.placeholder(tf.float32, [None], name="label")
        with tf.variable_scope("tower"):
            score_a = tower(a)
        with tf.variable_scope("tower", reuse=True):
            score_b = tower(b)  # the same variables: tower/w1, tower/b1, tower/w2
        margin = score_a - score_b
        loss = tf.losses.sigmoid_cross_entropy(multi_class_labels=label, logits=margin)
        correct = tf.equal(tf.cast(margin > 0, tf.float32), label)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
        train_op = tf.train.MomentumOptimizer(0.05, 0.9).minimize(loss)

        names = [v.name for v in tf.trainable_variables()]
        print("trainable variables:", names)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            rng = np.random.RandomState(args.seed)
            for step in range(1, args.steps + 1):
                idx = rng.randint(0, len(a_train), 128)
                feed = {a: a_train[idx], b: b_train[idx], label: l_train[idx]}
                current, _ = sess.run([loss, train_op], feed)
                if step % 100 == 0:
                    print(f"step {step:4d}  loss {current:.4f}")
            test_accuracy = sess.run(accuracy, {a: a_test, b: b_test, label: l_test})
    print(f"pairwise ranking accuracy on held-out pairs: {test_accuracy:.4f}")
    return float(test_accuracy)


if __name__ == "__main__":
    main()

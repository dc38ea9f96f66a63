"""Handwritten digits classifier in classic TF1 style (runs unchanged on tfgraph).

    python examples/digits.py                  # about 5 seconds, ~97% test accuracy
    tensorboard --logdir /tmp/tfgraph_digits   # loss and accuracy curves, the graph

Each run replaces the event files an earlier run left in `--logdir` (only the
`events.out.tfevents.*` files directly in it), so running the example again shows one
run in TensorBoard, not two identical ones; give each run its own `--logdir` to compare
runs.

Data: scikit-learn's bundled `load_digits` (1797 8x8 images, no download; install the
`examples` extra). A two-layer network (`tf.layers.dense`, dropout while training) is
trained with Adam on the sparse softmax cross-entropy (`tf.losses`), the global step
counts the updates, and `tf.metrics.accuracy` measures the held-out test set.
"""

from __future__ import annotations

import argparse
import glob
import os
import time

import numpy as np

import tfgraph as tf  # on real TF: import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()


def load_data(test_fraction: float = 0.2, seed: int = 0):
    """(x_train, y_train, x_test, y_test): pixels scaled to [0, 1], a shuffled split."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    order = np.random.RandomState(seed).permutation(len(x))
    n_test = int(len(x) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def build_model(n_features: int, n_classes: int, hidden: int, learning_rate: float):
    """The graph: placeholders, the network, the loss, the train op, metrics, summaries."""
    x = tf.placeholder(tf.float32, [None, n_features], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    training = tf.placeholder_with_default(False, [], name="training")

    h = tf.layers.dense(x, hidden, activation=tf.nn.relu, name="hidden")
    h = tf.layers.dropout(h, rate=0.2, training=training)
    logits = tf.layers.dense(h, n_classes, name="logits")

    loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss, global_step=global_step)

    predictions = tf.argmax(logits, axis=1, name="predictions")
    accuracy, accuracy_update = tf.metrics.accuracy(labels=y, predictions=predictions)

    summaries = tf.summary.merge(
        [tf.summary.scalar("loss", loss), tf.summary.histogram("logits", logits)]
    )
    return {
        "x": x,
        "y": y,
        "training": training,
        "loss": loss,
        "train_op": train_op,
        "global_step": global_step,
        "accuracy": accuracy,
        "accuracy_update": accuracy_update,
        "summaries": summaries,
    }


def evaluate(sess, m, x_data, y_data, batch_size: int = 256) -> float:
    """Accuracy over the whole set with the streaming metric (reset first)."""
    sess.run(tf.local_variables_initializer())
    for start in range(0, len(x_data), batch_size):
        batch = slice(start, start + batch_size)
        sess.run(m["accuracy_update"], {m["x"]: x_data[batch], m["y"]: y_data[batch]})
    return float(sess.run(m["accuracy"]))


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--learning_rate", type=float, default=0.003)
    parser.add_argument(
        "--logdir",
        default="/tmp/tfgraph_digits",
        help="TensorBoard directory; replaces an earlier run's event files in it ('' to "
        "write nothing)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    x_train, y_train, x_test, y_test = load_data(seed=args.seed)
    print(f"digits: {len(x_train)} training and {len(x_test)} test images, 8x8 pixels")
    start = time.time()
    with tf.Graph().as_default() as graph:
        tf.set_random_seed(args.seed)
        m = build_model(x_train.shape[1], 10, args.hidden, args.learning_rate)
        writer = None
        if args.logdir:
            for old in glob.glob(os.path.join(glob.escape(args.logdir), "events.out.tfevents.*")):
                os.remove(old)  # an earlier run of this example: replaced, not duplicated
            writer = tf.summary.FileWriter(args.logdir, graph)
        rng = np.random.RandomState(args.seed)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            for epoch in range(1, args.epochs + 1):
                order = rng.permutation(len(x_train))
                losses = []
                for begin in range(0, len(order), args.batch_size):
                    idx = order[begin : begin + args.batch_size]
                    feed = {m["x"]: x_train[idx], m["y"]: y_train[idx], m["training"]: True}
                    if writer is not None:
                        loss, _, step, summary = sess.run(
                            [m["loss"], m["train_op"], m["global_step"], m["summaries"]], feed
                        )
                        writer.add_summary(summary, step)
                    else:
                        loss, _ = sess.run([m["loss"], m["train_op"]], feed)
                    losses.append(loss)
                if epoch == 1 or epoch % 5 == 0 or epoch == args.epochs:
                    train_acc = evaluate(sess, m, x_train, y_train)
                    test_acc = evaluate(sess, m, x_test, y_test)
                    print(
                        f"epoch {epoch:3d}  step {sess.run(m['global_step']):5d}  "
                        f"loss {np.mean(losses):.4f}  train accuracy {train_acc:.4f}  "
                        f"test accuracy {test_acc:.4f}"
                    )
            accuracy = evaluate(sess, m, x_test, y_test)
        if writer is not None:
            writer.close()
            print(f"TensorBoard logdir: {args.logdir}")
    print(f"final test accuracy: {accuracy:.4f}  ({time.time() - start:.1f} s)")
    return accuracy


if __name__ == "__main__":
    main()

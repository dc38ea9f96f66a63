"""A tf.data input pipeline in classic TF1 style (runs unchanged on tfgraph).

    python examples/tfdata_pipeline.py [--epochs 20] [--data_dir DIR]

Writes noisy samples of a known plane as `tf.train.Example` records to two TFRecord
shards, then trains a linear model on them through a pipeline
TFRecordDataset -> map(parse_single_example) -> shuffle(seed) -> batch -> repeat ->
prefetch, pulling batches from a one-shot iterator in a Session loop until the
dataset ends with `tf.errors.OutOfRangeError`.
"""

from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np

import tfgraph as tf  # on real TF: import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()

TRUE_W = np.array([2.0, -3.0, 0.5], dtype=np.float32)
TRUE_B = 1.25


def write_shards(data_dir: str, n: int = 400, shards: int = 2, seed: int = 0) -> list[str]:
    """Writes `n` examples (features `x`: 3 floats, `y`: 1 float) to `shards` files."""
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 3)).astype(np.float32)
    y = x @ TRUE_W + TRUE_B + 0.05 * rng.randn(n).astype(np.float32)
    paths = [
        os.path.join(data_dir, f"train-{k:05d}-of-{shards:05d}.tfrecord") for k in range(shards)
    ]
    for k, path in enumerate(paths):
        with tf.io.TFRecordWriter(path) as writer:
            for i in range(k, n, shards):
                example = tf.train.Example(
                    features=tf.train.Features(
                        feature={
                            "x": tf.train.Feature(float_list=tf.train.FloatList(value=x[i])),
                            "y": tf.train.Feature(float_list=tf.train.FloatList(value=[y[i]])),
                        }
                    )
                )
                writer.write(example.SerializeToString())
    return paths


def parse(record):
    features = tf.io.parse_single_example(
        record,
        {
            "x": tf.io.FixedLenFeature([3], tf.float32),
            "y": tf.io.FixedLenFeature([1], tf.float32),
        },
    )
    return features["x"], features["y"]


def input_fn(paths, batch_size: int, epochs: int):
    dataset = tf.data.TFRecordDataset(paths)
    dataset = dataset.map(parse, num_parallel_calls=tf.data.experimental.AUTOTUNE)
    dataset = dataset.shuffle(buffer_size=100, seed=1)
    dataset = dataset.batch(batch_size)
    dataset = dataset.repeat(epochs)
    dataset = dataset.prefetch(1)
    return tf.data.make_one_shot_iterator(dataset).get_next()


def main(argv=None):
    parser = argparse.ArgumentParser(description="A tf.data input pipeline, TF1 style.")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--data_dir", default=None)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        paths = write_shards(args.data_dir or scratch)
        with tf.Graph().as_default():
            x, y = input_fn(paths, args.batch_size, args.epochs)
            w = tf.Variable(tf.zeros([3, 1]), name="weights")
            b = tf.Variable(0.0, name="bias")
            loss = tf.losses.mean_squared_error(labels=y, predictions=tf.matmul(x, w) + b)
            global_step = tf.train.get_or_create_global_step()
            train_op = tf.train.GradientDescentOptimizer(0.1).minimize(
                loss, global_step=global_step
            )
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                while True:
                    try:
                        _, step, current = sess.run([train_op, global_step, loss])
                    except tf.errors.OutOfRangeError:
                        break
                    if step % 50 == 0 or step == 1:
                        print(f"step {step:4d}  loss {current:.6f}")
                w_value, b_value, steps = sess.run([w, b, global_step])
    print(f"{steps} steps; the dataset is exhausted")
    print("weights:", np.round(w_value.ravel(), 3), " true:", TRUE_W)
    print("bias:", round(float(b_value), 3), " true:", TRUE_B)
    return w_value.ravel(), float(b_value), int(steps)


if __name__ == "__main__":
    main()

"""A TF1 training script in the classic shape: tf.app + tf.flags, TFRecords, queue-free
tf.data input, MonitoredTrainingSession with hooks, and resuming from the checkpoint on
a rerun (runs unchanged on tfgraph and on TensorFlow's compat.v1).

    python examples/monitored_training.py --train_dir /tmp/mts --last_step 200
    python examples/monitored_training.py --train_dir /tmp/mts --last_step 400  # resumes

The first run writes a TFRecord file of noisy samples of a known plane into
`--train_dir`; every run trains a linear model on it until the global step reaches
`--last_step`, saving checkpoints every 50 steps and at the end. A rerun restores the
latest checkpoint and goes on from its global step.
"""

from __future__ import annotations

import os

import numpy as np

import tfgraph as tf  # on real TF: import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()

FLAGS = tf.flags.FLAGS
tf.flags.DEFINE_string("train_dir", "/tmp/tfgraph_monitored", "Checkpoints and data go here.")
tf.flags.DEFINE_integer("last_step", 200, "Train until the global step reaches this.")
tf.flags.DEFINE_integer("batch_size", 32, "Examples per step.")
tf.flags.DEFINE_float("learning_rate", 0.1, "Gradient descent step size.")

TRUE_W = np.array([2.0, -3.0, 0.5], dtype=np.float32)
TRUE_B = 1.25


def write_records(path: str, n: int = 512, seed: int = 0) -> None:
    """`n` tf.train.Examples with features `x` (3 floats) and `y` (1 float)."""
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 3)).astype(np.float32)
    y = x @ TRUE_W + TRUE_B + 0.05 * rng.randn(n).astype(np.float32)
    tmp = path + ".tmp"
    with tf.io.TFRecordWriter(tmp) as writer:
        for i in range(n):
            example = tf.train.Example(
                features=tf.train.Features(
                    feature={
                        "x": tf.train.Feature(float_list=tf.train.FloatList(value=x[i])),
                        "y": tf.train.Feature(float_list=tf.train.FloatList(value=[y[i]])),
                    }
                )
            )
            writer.write(example.SerializeToString())
    os.replace(tmp, path)


def inputs(path: str, batch_size: int):
    def parse(record):
        features = tf.io.parse_single_example(
            record,
            {
                "x": tf.io.FixedLenFeature([3], tf.float32),
                "y": tf.io.FixedLenFeature([1], tf.float32),
            },
        )
        return features["x"], features["y"]

    dataset = tf.data.TFRecordDataset([path]).map(parse).shuffle(256, seed=1).repeat()
    return tf.data.make_one_shot_iterator(dataset.batch(batch_size)).get_next()


def train(train_dir: str, last_step: int, batch_size: int, learning_rate: float):
    """Trains until `last_step`; returns (first step of this run, weights, bias, loss)."""
    tf.gfile.MakeDirs(train_dir)
    data = os.path.join(train_dir, "train.tfrecord")
    if not tf.gfile.Exists(data):
        write_records(data)
    with tf.Graph().as_default():
        global_step = tf.train.get_or_create_global_step()
        x, y = inputs(data, batch_size)
        w = tf.get_variable("weights", [3, 1], initializer=tf.zeros_initializer())
        b = tf.get_variable("bias", [], initializer=tf.zeros_initializer())
        loss = tf.losses.mean_squared_error(labels=y, predictions=tf.matmul(x, w) + b)
        tf.summary.scalar("loss", loss)
        train_op = tf.train.GradientDescentOptimizer(learning_rate).minimize(
            loss, global_step=global_step
        )
        hooks = [
            tf.train.StopAtStepHook(last_step=last_step),
            tf.train.NanTensorHook(loss),
            tf.train.LoggingTensorHook({"step": global_step, "loss": loss}, every_n_iter=100),
        ]
        first = None
        with tf.train.MonitoredTrainingSession(
            checkpoint_dir=train_dir,
            hooks=hooks,
            save_checkpoint_steps=50,
            save_summaries_steps=50,
            log_step_count_steps=None,
        ) as sess:
            while not sess.should_stop():
                step, current, _ = sess.run([global_step, loss, train_op])
                if first is None:
                    first = int(step)
        # the session saved a last checkpoint when it closed: read the model from it
        reader = tf.train.NewCheckpointReader(tf.train.latest_checkpoint(train_dir))
        w_value = reader.get_tensor("weights")
        b_value = reader.get_tensor("bias")
    print(f"trained steps {first}..{last_step}; loss {current:.5f}")
    print("weights:", np.round(w_value.ravel(), 3), " true:", TRUE_W)
    print("bias:", round(float(b_value), 3), " true:", TRUE_B)
    return first, w_value.ravel(), float(b_value), float(current)


def main(_argv):
    train(FLAGS.train_dir, FLAGS.last_step, FLAGS.batch_size, FLAGS.learning_rate)


if __name__ == "__main__":
    tf.app.run(main)

"""A TF1 queue-based input pipeline trained with MonitoredTrainingSession.

The script writes CSV shards of a noisy plane y = 2*x1 - 3*x2 + 0.5, then reads them
back the TF1 way: `string_input_producer` (the file names, `num_epochs` times) ->
`TextLineReader` -> `decode_csv` -> `shuffle_batch` (two reader threads), all driven
by queue runners. `MonitoredTrainingSession` starts those runners, restores the
latest checkpoint of `--model_dir` if there is one, saves checkpoints and summaries,
and ends the loop when the input runs out of epochs (OutOfRangeError).

    python examples/queue_pipeline.py --model_dir=/tmp/qp --num_epochs=20

Run it again with the same --model_dir and it continues from the saved global step.
The same file runs on TensorFlow 1.x (`import tensorflow.compat.v1 as tf;
tf.disable_v2_behavior()`).
"""

import os
import tempfile

import numpy as np

import tfgraph as tf

tf.flags.DEFINE_string("data_dir", "", "Where to write the CSV shards (default: a temp dir).")
tf.flags.DEFINE_string("model_dir", "", "Checkpoints and summaries (default: a temp dir).")
tf.flags.DEFINE_integer("num_epochs", 20, "Passes over the data.")
tf.flags.DEFINE_integer("batch_size", 20, "Examples per step.")
tf.flags.DEFINE_integer("shards", 3, "CSV files to write.")
tf.flags.DEFINE_integer("rows", 100, "Rows per CSV file.")
tf.flags.DEFINE_float("learning_rate", 0.1, "SGD learning rate.")
FLAGS = tf.flags.FLAGS

TRUE_W = np.array([2.0, -3.0])
TRUE_B = 0.5


def write_shards(data_dir, shards, rows, seed=0):
    """Writes `shards` CSV files of `rows` lines `x1,x2,y`; returns their paths."""
    rng = np.random.default_rng(seed)
    tf.gfile.MakeDirs(data_dir)
    paths = []
    for i in range(shards):
        x = rng.uniform(-1, 1, size=(rows, 2))
        y = x @ TRUE_W + TRUE_B + rng.normal(0, 0.01, size=rows)
        path = os.path.join(data_dir, f"part-{i:05d}.csv")
        with open(path, "w") as f:
            for (x1, x2), target in zip(x, y):
                f.write(f"{x1:.6f},{x2:.6f},{target:.6f}\n")
        paths.append(path)
    return paths


def input_fn(paths, num_epochs, batch_size):
    """The TF1 queue pipeline: file names -> lines -> columns -> shuffled batches."""
    filename_queue = tf.train.string_input_producer(paths, num_epochs=num_epochs, seed=1)
    reader = tf.TextLineReader()
    _, line = reader.read(filename_queue)
    x1, x2, y = tf.decode_csv(line, record_defaults=[[0.0], [0.0], [0.0]])
    features = tf.stack([x1, x2])
    return tf.train.shuffle_batch(
        [features, y],
        batch_size=batch_size,
        capacity=10 * batch_size,
        min_after_dequeue=2 * batch_size,
        num_threads=2,
        seed=2,
        allow_smaller_final_batch=True,
    )


def main(argv):
    del argv
    tf.logging.set_verbosity(tf.logging.INFO)
    data_dir = FLAGS.data_dir or tempfile.mkdtemp(prefix="queue_pipeline_data_")
    model_dir = FLAGS.model_dir or tempfile.mkdtemp(prefix="queue_pipeline_model_")
    paths = write_shards(data_dir, FLAGS.shards, FLAGS.rows)

    tf.reset_default_graph()
    tf.set_random_seed(0)
    global_step = tf.train.get_or_create_global_step()
    features, y = input_fn(paths, FLAGS.num_epochs, FLAGS.batch_size)
    w = tf.get_variable("w", [2, 1], initializer=tf.zeros_initializer())
    b = tf.get_variable("b", [], initializer=tf.zeros_initializer())
    prediction = tf.squeeze(tf.matmul(features, w), 1) + b
    loss = tf.reduce_mean(tf.square(prediction - y), name="loss")
    tf.summary.scalar("loss", loss)
    train_op = tf.train.GradientDescentOptimizer(FLAGS.learning_rate).minimize(
        loss, global_step=global_step
    )

    hooks = [
        tf.train.NanTensorHook(loss),
        tf.train.LoggingTensorHook({"step": global_step, "loss": loss}, every_n_iter=100),
    ]
    with tf.train.MonitoredTrainingSession(
        checkpoint_dir=model_dir,
        hooks=hooks,
        save_checkpoint_steps=200,
        save_summaries_steps=50,
        log_step_count_steps=100,
    ) as sess:
        while not sess.should_stop():
            sess.run(train_op)
    # (the `with` ended on the input's OutOfRangeError and saved a last checkpoint)

    checkpoint = tf.train.latest_checkpoint(model_dir)
    reader = tf.train.load_checkpoint(checkpoint)
    w_val = reader.get_tensor("w").ravel()
    b_val = float(reader.get_tensor("b"))
    step = int(reader.get_tensor("global_step"))
    print(f"finished at step {step}: w = [{w_val[0]:.3f}, {w_val[1]:.3f}], b = {b_val:.3f}")
    print(f"last checkpoint: {checkpoint}")


if __name__ == "__main__":
    tf.app.run(main)

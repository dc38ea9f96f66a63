"""Input pipelines feeding an MNIST-style MLP (784-256-10, Adam, batch 128), as TF1
tutorials write them, on tfgraph and on real TF in one run: images/sec of

* tf.data: TFRecordDataset -> map(parse_single_example) -> map(scale) -> shuffle ->
  batch(128) -> repeat -> prefetch, through a one-shot iterator;
* queue runners: string_input_producer -> TFRecordReader -> parse_single_example ->
  shuffle_batch(128, 2 threads), with a Coordinator.

    python benchmarks/bench_input_pipeline.py        # TFGRAPH_TF_PYTHON=... adds TF

Target (issue 13): tfgraph/TF images/sec >= 1.0 for both (time ratio <= 1.0).
"""

from __future__ import annotations

from _common import run_tf, run_tfgraph

CODE = """
import tempfile
N, BATCH, STEPS = 6400, 128, 60
rng = np.random.RandomState(0)
path = os.path.join(tempfile.mkdtemp(), "train.tfrecord")
images = rng.randint(0, 256, size=(N, 784)).astype(np.float32)
labels = rng.randint(0, 10, size=N)
with tf.io.TFRecordWriter(path) as writer:
    for img, lab in zip(images, labels):
        writer.write(tf.train.Example(features=tf.train.Features(feature={
            "image": tf.train.Feature(float_list=tf.train.FloatList(value=img)),
            "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[lab])),
        })).SerializeToString())
FEATURES = {"image": tf.io.FixedLenFeature([784], tf.float32),
            "label": tf.io.FixedLenFeature([], tf.int64)}

def mlp(x, y):
    w1 = tf.Variable(tf.truncated_normal([784, 256], stddev=0.05))
    b1 = tf.Variable(tf.zeros([256]))
    w2 = tf.Variable(tf.truncated_normal([256, 10], stddev=0.05))
    b2 = tf.Variable(tf.zeros([10]))
    logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    return tf.train.AdamOptimizer(1e-3).minimize(loss)

def timed(sess, train):
    for _ in range(5):
        sess.run(train)
    t = time.perf_counter()
    for _ in range(STEPS):
        sess.run(train)
    return STEPS * BATCH / (time.perf_counter() - t)

out = {}
with tf.Graph().as_default():
    def parse(record):
        f = tf.io.parse_single_example(record, FEATURES)
        return f["image"], f["label"]
    ds = (tf.data.TFRecordDataset(path).map(parse).map(lambda x, y: (x / 255.0, y))
          .shuffle(1000, seed=1).batch(BATCH).repeat().prefetch(1))
    x, y = tf.data.make_one_shot_iterator(ds).get_next()
    train = mlp(x, y)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out["tf.data"] = timed(sess, train)
with tf.Graph().as_default():
    files = tf.train.string_input_producer([path])
    _, record = tf.TFRecordReader().read(files)
    f = tf.io.parse_single_example(record, FEATURES)
    x, y = tf.train.shuffle_batch([f["image"] / 255.0, f["label"]], batch_size=BATCH,
                                  capacity=2000, min_after_dequeue=1000, num_threads=2, seed=1)
    train = mlp(x, y)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        out["queue runners"] = timed(sess, train)
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)
print(json.dumps(out))
"""


def main() -> None:
    ours = run_tfgraph(CODE)
    theirs = run_tf(CODE)
    print("MLP fed by an input pipeline (batch 128): images/sec")
    for key, value in ours.items():
        line = f"  {key:14s} tfgraph {value:9.0f}"
        if theirs:
            line += f"   TF {theirs[key]:9.0f}   time ratio tfgraph/TF {theirs[key] / value:.2f}"
        print(line)


if __name__ == "__main__":
    main()

"""The classic TF1 ps/worker script: between-graph replication with one parameter
server and two workers (runs unchanged on tfgraph, over Ray, and on TensorFlow).

Start a Ray cluster once (`ray start --head`), then the same script once per task:

    python examples/distributed_ps_worker.py --job_name ps --task_index 0 &
    python examples/distributed_ps_worker.py --job_name worker --task_index 0 &
    python examples/distributed_ps_worker.py --job_name worker --task_index 1

Each worker builds the model under `tf.train.replica_device_setter`, so the variables
(weights, `global_step` and a shared `counter`) live on the parameter server; the chief
(worker 0) initialises them, the other worker waits until they are. Both train a linear
model on their own half of the data with asynchronous SGD and count their steps in the
shared counter. Each worker prints one JSON line with what it saw at the end.
(`TFGRAPH_USE_TF=1` runs the script on TensorFlow's compat.v1 and its gRPC runtime.)
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

if os.environ.get("TFGRAPH_USE_TF"):
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
else:
    import tfgraph as tf

TRUE_W = np.array([[2.0], [-3.0]], dtype=np.float32)
TRUE_B = 0.5


def worker_data(task_index: int, n: int = 64):
    rng = np.random.RandomState(task_index)
    x = rng.uniform(-1.0, 1.0, size=(n, 2)).astype(np.float32)
    return x, (x @ TRUE_W + TRUE_B).astype(np.float32)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--job_name", choices=["ps", "worker"], required=True)
    parser.add_argument("--task_index", type=int, default=0)
    parser.add_argument("--ps_hosts", default="localhost:2222")
    parser.add_argument("--worker_hosts", default="localhost:2223,localhost:2224")
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args(argv)

    cluster = tf.train.ClusterSpec(
        {"ps": args.ps_hosts.split(","), "worker": args.worker_hosts.split(",")}
    )
    server = tf.train.Server(cluster, job_name=args.job_name, task_index=args.task_index)
    if args.job_name == "ps":
        server.join()
        return None

    is_chief = args.task_index == 0
    worker_device = f"/job:worker/task:{args.task_index}"
    with tf.device(tf.train.replica_device_setter(worker_device=worker_device, cluster=cluster)):
        global_step = tf.train.get_or_create_global_step()
        counter = tf.Variable(0, name="counter", trainable=False)
        w = tf.Variable(tf.zeros([2, 1]), name="weights")
        b = tf.Variable(0.0, name="bias")
        x_data, y_data = worker_data(args.task_index)
        loss = tf.reduce_mean(tf.square(tf.matmul(x_data, w) + b - y_data))
        train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=global_step)
        count = tf.assign_add(counter, 1)
        init = tf.global_variables_initializer()
        not_ready = tf.report_uninitialized_variables()

    # (a worker talks to the ps and itself only: it need not wait for the other worker)
    config = tf.ConfigProto(device_filters=["/job:ps", worker_device])
    with tf.Session(server.target, config=config) as sess:
        if is_chief:
            sess.run(init)
        else:
            while len(sess.run(not_ready)):
                time.sleep(0.1)
        for _ in range(args.steps):
            sess.run([train_op, count])
        result = {
            "task": args.task_index,
            "devices": sorted({w.device, b.device, global_step.device, counter.device}),
            "counter": int(sess.run(counter)),
            "global_step": int(sess.run(global_step)),
            "weights": sess.run(w).ravel().tolist(),
            "bias": float(sess.run(b)),
            "loss": float(sess.run(loss)),
        }
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main()

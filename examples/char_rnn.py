"""Character-level LSTM language model in classic TF1 style (runs unchanged on tfgraph).

    python examples/char_rnn.py               # ~25 s: the loss falls from 3.9, then a sampled line
    python examples/char_rnn.py --dynamic     # the same model unrolled by tf.nn.dynamic_rnn

Data: `examples/data/lighthouse.txt`, two short stories (25 KB) written for
this repository; the vocabulary is the set of characters in it. The model: one-hot
characters, a two-layer `tf.nn.rnn_cell.MultiRNNCell` of `BasicLSTMCell`s (hidden 128)
unrolled over 50 steps with `tf.nn.static_rnn` (or, with `--dynamic`, run by
`tf.nn.dynamic_rnn`'s while_loop: the same variables), a dense softmax layer, the loss from
`tf.contrib.seq2seq.sequence_loss`, trained with Adam and gradient clipping. A second,
one-step graph shares the variables (`reuse=True`) and samples text character by
character, carrying the LSTM state between `Session.run` calls.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import tfgraph as tf  # on real TF: import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "lighthouse.txt")


def load_text(path: str = DATA):
    """(ids, chars): the text as int32 character ids and the sorted vocabulary."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    return np.array([index[c] for c in text], dtype=np.int32), chars


def make_cell(hidden: int, layers: int):
    return tf.nn.rnn_cell.MultiRNNCell(
        [tf.nn.rnn_cell.BasicLSTMCell(hidden) for _ in range(layers)]
    )


def build_model(
    vocab: int, hidden: int, layers: int, steps: int, learning_rate: float, dynamic=False
):
    """The training graph and the one-step sampling graph, sharing variables."""
    x = tf.placeholder(tf.int32, [None, steps], name="x")
    y = tf.placeholder(tf.int32, [None, steps], name="y")
    cell = make_cell(hidden, layers)
    with tf.variable_scope("model"):
        if dynamic:
            sequence, _ = tf.nn.dynamic_rnn(cell, tf.one_hot(x, vocab), dtype=tf.float32)
        else:
            inputs = tf.unstack(tf.one_hot(x, vocab), axis=1)
            outputs, _ = tf.nn.static_rnn(cell, inputs, dtype=tf.float32)
            sequence = tf.stack(outputs, axis=1)
        flat = tf.reshape(sequence, [-1, hidden])
        logits = tf.layers.dense(flat, vocab, name="softmax")
        logits = tf.reshape(logits, [-1, steps, vocab])
        loss = tf.contrib.seq2seq.sequence_loss(logits, y, tf.ones_like(y, dtype=tf.float32))
    optimizer = tf.train.AdamOptimizer(learning_rate)
    grads, variables = zip(*optimizer.compute_gradients(loss))
    grads, _ = tf.clip_by_global_norm(grads, 5.0)
    global_step = tf.train.get_or_create_global_step()
    train_op = optimizer.apply_gradients(zip(grads, variables), global_step=global_step)

    # Sampling: one character at a time, the state fed back in.
    char = tf.placeholder(tf.int32, [1], name="char")
    state_in = cell.zero_state(1, tf.float32)
    with tf.variable_scope("model", reuse=True):
        out, state_out = tf.nn.static_rnn(cell, [tf.one_hot(char, vocab)], initial_state=state_in)
        probs = tf.nn.softmax(tf.layers.dense(out[0], vocab, name="softmax"))
    return {
        "x": x,
        "y": y,
        "loss": loss,
        "train_op": train_op,
        "char": char,
        "state_in": state_in,
        "state_out": state_out,
        "probs": probs,
    }


def _flatten(state):
    """The tensors (or arrays) of a nested LSTM state, in order."""
    if isinstance(state, (list, tuple)):
        return [t for s in state for t in _flatten(s)]
    return [state]


def sample(sess, m, chars, prime: str, length: int, rng, temperature: float = 0.8) -> str:
    """`prime` followed by `length` characters drawn from the model."""
    index = {c: i for i, c in enumerate(chars)}
    state_in = _flatten(m["state_in"])
    state = sess.run(state_in)
    text = prime
    fetches = [m["probs"], _flatten(m["state_out"])]
    probs = None
    for c in prime:
        feed = dict(zip(state_in, state))
        feed[m["char"]] = [index[c]]
        probs, state = sess.run(fetches, feed)
    for _ in range(length):
        p = np.log(probs[0] + 1e-9) / temperature
        p = np.exp(p - p.max())
        c = int(rng.choice(len(chars), p=p / p.sum()))
        text += chars[c]
        feed = dict(zip(state_in, state))
        feed[m["char"]] = [c]
        probs, state = sess.run(fetches, feed)
    return text


def main(argv=None) -> list[float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--learning_rate", type=float, default=0.01)
    parser.add_argument("--sample_length", type=int, default=120)
    parser.add_argument("--print_every", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dynamic", action="store_true", help="unroll with tf.nn.dynamic_rnn")
    args = parser.parse_args(argv)

    ids, chars = load_text()
    print(f"text: {len(ids)} characters, vocabulary of {len(chars)}")
    rng = np.random.RandomState(args.seed)
    start = time.time()
    losses = []
    with tf.Graph().as_default() as graph:
        tf.set_random_seed(args.seed)
        m = build_model(
            len(chars), args.hidden, args.layers, args.steps, args.learning_rate, args.dynamic
        )
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            for it in range(1, args.iterations + 1):
                begins = rng.randint(0, len(ids) - args.steps - 1, size=args.batch_size)
                xb = np.stack([ids[b : b + args.steps] for b in begins])
                yb = np.stack([ids[b + 1 : b + args.steps + 1] for b in begins])
                loss, _ = sess.run([m["loss"], m["train_op"]], {m["x"]: xb, m["y"]: yb})
                losses.append(float(loss))
                if it == 1 or it % args.print_every == 0 or it == args.iterations:
                    recent = np.mean(losses[-args.print_every :])
                    print(f"iteration {it:4d}  loss {recent:.3f}  ({time.time() - start:.1f} s)")
            line = sample(sess, m, chars, "The ", args.sample_length, rng).split("\n")[0]
    print(f"sample: {line}")
    return losses


if __name__ == "__main__":
    main()

"""`tf.keras` in a TF1 program: `Sequential` MNIST-style MLP (784-256 relu, dropout 0.2,
10 softmax), `compile("adam", sparse_categorical_crossentropy, accuracy)`, then `fit`
on numpy arrays (batch 128, shuffled), `evaluate` and `predict`: the same code on
tfgraph and on real TF (Keras 2, tf_keras) in one run, ms per fit step and the ratios.

    python benchmarks/bench_keras_fit.py            # TFGRAPH_TF_PYTHON=... adds TF
"""

from __future__ import annotations

import json

from _common import TF_PRELUDE, run_json, run_tfgraph, tf_python

ROUNDS = 2

CODE = """
rng = np.random.RandomState(0)
x = rng.rand(20000, 784).astype(np.float32)
y = rng.randint(0, 10, 20000)
model = tf.keras.Sequential([
    tf.keras.layers.Dense(256, activation="relu", input_shape=(784,)),
    tf.keras.layers.Dropout(0.2),
    tf.keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x[:1280], y[:1280], batch_size=128, epochs=1, verbose=0)
fit = []
for _ in range(3):
    t = time.perf_counter()
    model.fit(x, y, batch_size=128, epochs=1, verbose=0)
    fit.append((time.perf_counter() - t) / 157 * 1e3)
t = time.perf_counter()
model.evaluate(x, y, batch_size=256, verbose=0)
evaluate = (time.perf_counter() - t) * 1e3
t = time.perf_counter()
model.predict(x, batch_size=256)
predict = (time.perf_counter() - t) * 1e3
print(json.dumps({"fit step": min(fit), "evaluate": evaluate, "predict": predict}))
"""


def main() -> None:
    ours, theirs = [], []
    python = tf_python()
    for _ in range(ROUNDS):
        ours.append(run_tfgraph(CODE))
        if python is not None:
            theirs.append(run_json(python, TF_PRELUDE, CODE, env={"TF_USE_LEGACY_KERAS": "1"}))
    print("tf.keras MLP (784-256-dropout-10, Adam, batch 128): ms, best of runs")
    out = {}
    for key in ("fit step", "evaluate", "predict"):
        mine = min(r[key] for r in ours)
        line = f"  {key:10s} tfgraph {mine:8.2f}"
        out[key] = {"tfgraph": mine}
        if theirs:
            tf_ms = min(r[key] for r in theirs)
            line += f"   TF {tf_ms:8.2f}   tfgraph/TF {mine / tf_ms:.2f}"
            out[key].update(TF=tf_ms, ratio=mine / tf_ms)
        print(line)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

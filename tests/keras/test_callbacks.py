"""tf.keras.callbacks (LearningRateScheduler, ReduceLROnPlateau, ModelCheckpoint with
weights only) and fit's class_weight, against TensorFlow's Keras 2."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras
L = tf.keras.layers

PROGRAM = """
import os
rng = np.random.RandomState(10)
K = tf.keras
L = tf.keras.layers
result = {}
xv = rng.standard_normal((20, 3)).astype("float32")
yv = (xv[:, 0] > 0.3).astype("float32")


def make():
    m = K.Sequential([L.Dense(1, activation="sigmoid", input_shape=(3,))])
    m.set_weights([np.full((3, 1), 0.1, "float32"), np.zeros(1, "float32")])
    m.compile(K.optimizers.SGD(0.5), "binary_crossentropy", metrics=["acc"])
    return m


m = make()
h = m.fit(xv, yv, epochs=2, batch_size=6, verbose=0, shuffle=False, class_weight={0: 1.0, 1: 3.0})
result["class_weight"] = [h.history, m.get_weights()]
m = make()
sched = K.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
h = m.fit(xv, yv, epochs=3, batch_size=20, verbose=0, shuffle=False, callbacks=[sched])
result["scheduler"] = [h.history, m.get_weights()]
m = make()
plateau = K.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=10.0)
h = m.fit(xv, yv, epochs=4, batch_size=20, verbose=0, shuffle=False, callbacks=[plateau])
result["plateau"] = [h.history, m.get_weights()]
m = make()
ckpt = K.callbacks.ModelCheckpoint(os.path.join(DIR, "w-{epoch:02d}"), save_weights_only=True)
m.fit(xv, yv, epochs=2, batch_size=20, verbose=0, shuffle=False, callbacks=[ckpt])
result["checkpoint_files"] = sorted(os.listdir(DIR))
"""


def _program(directory) -> str:
    return f"DIR = {str(directory)!r}\n" + PROGRAM


@pytest.mark.tf
@requires_tf
def test_callbacks_and_class_weight_match_tensorflow(tmp_path):
    (tmp_path / "tf").mkdir()
    (tmp_path / "ours").mkdir()
    expected = theirs(_program(tmp_path / "tf"))
    tf.reset_default_graph()
    assert_same(ours(_program(tmp_path / "ours")), expected)


def test_callbacks_by_hand(tmp_path):
    out = ours(_program(tmp_path))
    assert out["scheduler"][0]["lr"] == [0.25, 0.125, 0.0625]
    assert out["plateau"][0]["lr"] == [0.5, 0.5, 0.25, 0.125]  # (logged before reducing)
    assert out["checkpoint_files"] == [
        "checkpoint",
        "w-01.data-00000-of-00001",
        "w-01.index",
        "w-02.data-00000-of-00001",
        "w-02.index",
    ]


def test_unsupported_callback_arguments():
    with pytest.raises(NotImplementedError, match="save_weights_only=True"):
        K.callbacks.ModelCheckpoint("x")
    with pytest.raises(ValueError, match="factor >= 1.0"):
        K.callbacks.ReduceLROnPlateau(factor=2.0)
    model = K.Sequential([L.Dense(1, input_shape=(1,))])
    model.compile("sgd", "mse")
    import numpy as np

    with pytest.raises(ValueError, match="must contain all classes"):
        model.fit(np.zeros((2, 1)), np.array([0.0, 1.0]), class_weight={0: 1.0}, verbose=0)


SAVE_FREQ = """
import os, shutil
K = tf.keras
L = tf.keras.layers
result = {}
rng = np.random.RandomState(10)
xv = rng.standard_normal((20, 3)).astype("float32")
yv = (xv[:, 0] > 0.3).astype("float32")


def make():
    m = K.Sequential([L.Dense(1, activation="sigmoid", input_shape=(3,))])
    m.set_weights([np.full((3, 1), 0.1, "float32"), np.zeros(1, "float32")])
    m.compile(K.optimizers.SGD(0.5), "binary_crossentropy")
    return m


def saved(sub):
    files = sorted(f[:-6] for f in os.listdir(os.path.join(DIR, sub)) if f.endswith(".index"))
    weights = {}
    for name in files:
        probe = make()
        probe.load_weights(os.path.join(DIR, sub, name))
        weights[name] = probe.get_weights()
    return weights


for sub, kwargs in [
    ("every2", dict(save_freq=2)),
    ("every3", dict(save_freq=3)),
    ("best", dict(save_freq=1, save_best_only=True, monitor="loss")),
    ("bestval", dict(save_freq=1, save_best_only=True)),
]:
    os.makedirs(os.path.join(DIR, sub))
    m = make()
    pattern = os.path.join(DIR, sub, "w-{epoch:02d}-{batch}-{loss:.3f}")
    ckpt = K.callbacks.ModelCheckpoint(pattern, save_weights_only=True, **kwargs)
    m.fit(xv, yv, epochs=2, batch_size=6, verbose=0, shuffle=False, callbacks=[ckpt])
    result[sub] = saved(sub)
try:
    K.callbacks.ModelCheckpoint("x", save_weights_only=True, save_freq="batch")
except ValueError as e:
    result["bad"] = str(e)
"""


def _save_freq(directory) -> str:
    return f"DIR = {str(directory)!r}\n" + SAVE_FREQ


@pytest.mark.tf
@requires_tf
def test_checkpoint_save_freq_matches_tensorflow(tmp_path):
    (tmp_path / "tf").mkdir()
    (tmp_path / "ours").mkdir()
    expected = theirs(_save_freq(tmp_path / "tf"))
    tf.reset_default_graph()
    assert_same(ours(_save_freq(tmp_path / "ours")), expected, atol=1e-4)


def test_checkpoint_save_freq_by_hand(tmp_path):
    out = ours(_save_freq(tmp_path))
    # 4 batches an epoch; `{batch}` is the batch index from the batch logs (from 0).
    assert list(out["every2"]) == ["w-01-1-0.589", "w-01-3-0.580", "w-02-1-0.382", "w-02-3-0.367"]
    assert list(out["every3"]) == ["w-01-2-0.607", "w-02-1-0.382"]
    assert "w-01-2-0.607" not in out["best"] and len(out["best"]) == 5
    assert out["bestval"] == {}  # no val_loss in the batch logs: warns and skips
    assert out["bad"].startswith("Unrecognized save_freq: batch")


LOGGERS = """
import csv, io, sys
K = tf.keras
result = {}
rng = np.random.RandomState(3)
xv = rng.standard_normal((12, 3)).astype("float32")
yv = (xv[:, 0] > 0).astype("float32")
m = K.Sequential([K.layers.Dense(1, activation="sigmoid", input_shape=(3,))])
m.set_weights([np.full((3, 1), 0.2, "float32"), np.zeros(1, "float32")])
m.compile(K.optimizers.SGD(0.3), "binary_crossentropy", metrics=["acc"])
path = os.path.join(DIR, "log.csv")
m.fit(xv, yv, epochs=2, batch_size=4, verbose=0, shuffle=False,
      callbacks=[K.callbacks.CSVLogger(path, separator=";")])
m.fit(xv, yv, epochs=1, batch_size=4, verbose=0, shuffle=False, validation_data=(xv, yv),
      callbacks=[K.callbacks.CSVLogger(path, separator=";", append=True)])
with open(path) as f:
    rows = list(csv.reader(f, delimiter=";"))
result["csv_header"] = rows[0]
result["csv_rows"] = [[float(v) if v != "NA" else v for v in row] for row in rows[1:]]

calls = []


class Recorder(K.callbacks.Callback):
    def __init__(self, tag):
        super().__init__()
        self.tag = tag

    def on_batch_begin(self, batch, logs=None):
        calls.append([self.tag, "batch_begin", batch])

    def on_batch_end(self, batch, logs=None):
        calls.append([self.tag, "batch_end", batch, sorted(logs)])

    def on_epoch_end(self, epoch, logs=None):
        calls.append([self.tag, "epoch_end", epoch, sorted(logs)])

    def on_test_batch_end(self, batch, logs=None):
        calls.append([self.tag, "test_batch_end", batch])


cl = K.callbacks.CallbackList([Recorder("a"), [Recorder("b")]], add_history=True,
                              model=m, verbose=0, epochs=3)
result["list_types"] = [type(c).__name__ for c in cl]
result["list_params"] = [c.params for c in cl]
result["history_is_models"] = m.history is cl.callbacks[-1]
cl.on_train_begin()
cl.on_epoch_begin(0)
cl.on_batch_begin(0)
cl.on_train_batch_end(0, {"loss": 1.0})
cl.on_test_batch_end(1)
cl.on_epoch_end(0, {"loss": 0.5})
cl.on_train_end()
result["calls"] = calls
result["history"] = cl.callbacks[-1].history
bl = K.callbacks.BaseLogger(stateful_metrics=["acc"])
bl.set_params({"metrics": ["loss", "acc", "other"]})
bl.on_epoch_begin(0)
bl.on_batch_end(0, {"size": 2, "loss": 1.0, "acc": 0.5})
bl.on_batch_end(1, {"size": 6, "loss": 3.0, "acc": 0.25})
logs = {"other": 7}
bl.on_epoch_end(0, logs)
result["base_logger"] = [logs, bl.seen]
try:
    K.callbacks.ProgbarLogger(count_mode="bad")
except ValueError as e:
    result["progbar_error"] = str(e)
buf, old = io.StringIO(), sys.stdout
sys.stdout = buf
try:
    pl = K.callbacks.ProgbarLogger(count_mode="steps")
    pl.set_params({"verbose": 2, "epochs": 2, "steps": 3})
    pl.on_train_begin()
    for epoch in range(2):
        pl.on_epoch_begin(epoch)
        for b in range(3):
            pl.on_train_batch_end(b, {"loss": float(b)})
        pl.on_epoch_end(epoch, {"loss": 1.5})
finally:
    sys.stdout = old
result["progbar_logger"] = re.sub(r"[0-9]+(s|ms|us)", "T", buf.getvalue())
"""


def _loggers(directory) -> str:
    return f"import os, re\nDIR = {str(directory)!r}\n" + LOGGERS


@pytest.mark.tf
@requires_tf
def test_loggers_and_callback_list_match_tensorflow(tmp_path):
    (tmp_path / "tf").mkdir()
    (tmp_path / "ours").mkdir()
    expected = theirs(_loggers(tmp_path / "tf"))
    tf.reset_default_graph()
    assert_same(ours(_loggers(tmp_path / "ours")), expected)


def test_loggers_by_hand(tmp_path):
    out = ours(_loggers(tmp_path))
    assert out["csv_header"] == ["epoch", "acc", "loss", "val_acc", "val_loss"]
    assert out["csv_rows"][0][3:] == ["NA", "NA"]
    assert len(out["csv_rows"]) == 3  # (the appended run writes no second header)
    assert out["base_logger"] == [{"other": 7, "loss": 2.5, "acc": 0.25}, 8]
    assert out["list_types"] == ["Recorder", "Recorder", "History"]


def _serve(handler_log):
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            handler_log.append([self.path, self.headers["Content-Type"], body.decode()])
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_remote_monitor_posts_epoch_logs():
    import json
    import urllib.parse

    import numpy as np

    received: list = []
    server = _serve(received)
    try:
        root = f"http://127.0.0.1:{server.server_port}"
        K.callbacks.RemoteMonitor(root=root).on_epoch_end(2, {"loss": np.float32(0.5)})
        K.callbacks.RemoteMonitor(root=root, path="/j", send_as_json=True).on_epoch_end(
            0, {"acc": 1.0}
        )
    finally:
        server.shutdown()
    path, kind, body = received[0]
    assert path == "/publish/epoch/end/" and kind == "application/x-www-form-urlencoded"
    assert json.loads(urllib.parse.parse_qs(body)["data"][0]) == {"epoch": 2, "loss": 0.5}
    assert received[1] == ["/j", "application/json", json.dumps({"epoch": 0, "acc": 1.0})]


def test_remote_monitor_unreachable_server_warns(caplog):
    monitor = K.callbacks.RemoteMonitor(root="http://127.0.0.1:9")
    with caplog.at_level("WARNING"):
        monitor.on_epoch_end(0, {"loss": 1.0})
    assert "could not reach RemoteMonitor root server at http://127.0.0.1:9" in caplog.text


BOARD = """
import glob
K = tf.keras
result = {}
rng = np.random.RandomState(5)
xv = rng.standard_normal((8, 2)).astype("float32")
yv = xv.sum(axis=1, keepdims=True)
m = K.Sequential([K.layers.Dense(1, input_shape=(2,))])
m.set_weights([np.ones((2, 1), "float32") * 0.5, np.zeros(1, "float32")])
m.compile(K.optimizers.SGD(0.1), "mse")
for sub, freq in [("epochs", "epoch"), ("batches", "batch")]:
    board = K.callbacks.TensorBoard(os.path.join(DIR, sub), update_freq=freq,
                                    write_graph=sub == "epochs", profile_batch=0)
    m.fit(xv, yv, epochs=2, batch_size=4, verbose=0, shuffle=False, callbacks=[board])
    events = []
    for path in sorted(glob.glob(os.path.join(DIR, sub, "events.out.tfevents.*"))):
        for event in tf.train.summary_iterator(path):
            for value in event.summary.value:
                events.append([event.step, value.tag, value.simple_value])
            if event.graph_def:
                events.append(["graph", len(event.graph_def) > 0])
    result[sub] = events
"""


def _board(directory) -> str:
    return f"import os\nDIR = {str(directory)!r}\n" + BOARD


@pytest.mark.tf
@requires_tf
def test_tensorboard_scalars_match_tensorflow(tmp_path):
    (tmp_path / "tf").mkdir()
    (tmp_path / "ours").mkdir()
    expected = theirs(_board(tmp_path / "tf"))
    tf.reset_default_graph()
    assert_same(ours(_board(tmp_path / "ours")), expected)


def test_tensorboard_by_hand(tmp_path):
    out = ours(_board(tmp_path))
    assert [e[:2] for e in out["epochs"]] == [["graph", True], [0, "epoch_loss"], [1, "epoch_loss"]]
    assert [e[1] for e in out["batches"]].count("batch_loss") == 4
    with pytest.raises(NotImplementedError, match="embeddings_freq=0"):
        K.callbacks.TensorBoard(str(tmp_path), embeddings_freq=1)


SIDECAR = """
import os
K = tf.keras
result = {}
m = K.Sequential([K.layers.Dense(1, input_shape=(2,))])
m.compile("sgd", "mse")
ckdir = os.path.join(DIR, "ck")
os.makedirs(ckdir)
saver_cb = K.callbacks.ModelCheckpoint(os.path.join(ckdir, "ckpt-{epoch}"), save_weights_only=True)
xv = np.ones((4, 2), "float32")
m.fit(xv, np.zeros((4, 1)), epochs=3, verbose=0, callbacks=[saver_cb])
export = K.callbacks.SidecarEvaluatorModelExport(
    os.path.join(DIR, "best", "model-{epoch:02d}-{loss:.1f}"), os.path.join(ckdir, "ckpt-{epoch}"),
    save_weights_only=True, monitor="loss", verbose=1)
export.set_model(m)
for loss in [3.0, 2.0, 2.5]:
    export.on_test_begin()
    export.on_test_end({"loss": loss})
result["index"] = export.export_index
result["best"] = export.best
result["files"] = sorted(os.listdir(os.path.join(DIR, "best")))
os.makedirs(os.path.join(DIR, "none"))
other = K.callbacks.SidecarEvaluatorModelExport(
    os.path.join(DIR, "x"), os.path.join(DIR, "none", "ckpt-{epoch}"), save_weights_only=True)
other.on_test_begin()
result["no_checkpoint_index"] = other.export_index
"""


def _sidecar(directory) -> str:
    return f"DIR = {str(directory)!r}\n" + SIDECAR


@pytest.mark.tf
@requires_tf
def test_sidecar_evaluator_model_export_matches_tensorflow(tmp_path):
    (tmp_path / "tf").mkdir()
    (tmp_path / "ours").mkdir()
    expected = theirs(_sidecar(tmp_path / "tf"))
    tf.reset_default_graph()
    assert_same(ours(_sidecar(tmp_path / "ours")), expected)


def test_sidecar_evaluator_model_export_by_hand(tmp_path):
    out = ours(_sidecar(tmp_path))
    assert out["index"] == 2 and out["best"] == 2.0
    assert "model-03-2.0.index" in out["files"]


BATCH_HOOKS = """
K = tf.keras
result = {"batches": []}
m = K.Sequential([K.layers.Dense(1, input_shape=(2,))])
m.compile(K.optimizers.SGD(1e30), "mse")
xv = np.full((6, 2), 1e10, "float32")
hook = K.callbacks.LambdaCallback(on_batch_end=lambda b, logs: result["batches"].append(b))
h = m.fit(xv, xv[:, :1], epochs=3, batch_size=2, verbose=0, shuffle=False,
          callbacks=[hook, K.callbacks.TerminateOnNaN()])
result["epochs"] = len(h.history["loss"])
"""


@pytest.mark.tf
@requires_tf
def test_batch_hooks_and_terminate_on_nan_match_tensorflow():
    expected = theirs(BATCH_HOOKS)
    tf.reset_default_graph()
    assert ours(BATCH_HOOKS) == expected

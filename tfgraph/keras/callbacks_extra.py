"""The rest of `tf.keras.callbacks` (Keras 2): CallbackList, BaseLogger, CSVLogger,
ProgbarLogger, RemoteMonitor and TF1's TensorBoard (scalars, the graph and histograms)."""

from __future__ import annotations

import collections
import copy
import csv
import json
import logging
import os
from typing import Any

import numpy as np

from tfgraph.keras.callbacks import Callback, History, ModelCheckpoint
from tfgraph.keras.progbar import Progbar, print_msg

__all__ = [
    "BaseLogger",
    "CSVLogger",
    "CallbackList",
    "ProgbarLogger",
    "RemoteMonitor",
    "SidecarEvaluatorModelExport",
    "TensorBoard",
]


def _flatten(items) -> list:
    if isinstance(items, (list, tuple)):
        return [leaf for item in items for leaf in _flatten(item)]
    return [items]


class CallbackList:
    """Several callbacks called as one: each `on_...` call goes to every callback in
    order. `add_history` / `add_progbar` append a History / a ProgbarLogger("steps")
    unless one is there; `model` and `**params` are passed to all of them."""

    def __init__(
        self, callbacks=None, add_history=False, add_progbar=False, model=None, **params
    ) -> None:
        self.callbacks = _flatten(callbacks) if callbacks else []
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger(count_mode="steps")
            self.callbacks.append(self._progbar)
        self.model = None
        self.params: dict = {}
        if model:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback) -> None:
        self.callbacks.append(callback)

    def set_params(self, params) -> None:
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model) -> None:
        self.model = model
        if self._history:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def _call(self, hook: str, *args) -> None:
        *head, logs = args
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            getattr(callback, hook)(*head, logs)

    def on_batch_begin(self, batch, logs=None) -> None:
        self._call("on_train_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None) -> None:
        self._call("on_train_batch_end", batch, logs)

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None) -> None:
        self._call("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None) -> None:
        self._call("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None) -> None:
        self._call("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None) -> None:
        self._call("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None) -> None:
        self._call("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None) -> None:
        self._call("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None) -> None:
        self._call("on_predict_batch_end", batch, logs)

    def on_train_begin(self, logs=None) -> None:
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None) -> None:
        self._call("on_train_end", logs)

    def on_test_begin(self, logs=None) -> None:
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None) -> None:
        self._call("on_test_end", logs)

    def on_predict_begin(self, logs=None) -> None:
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs=None) -> None:
        self._call("on_predict_end", logs)

    def __iter__(self):
        return iter(self.callbacks)


class BaseLogger(Callback):
    """Averages the batch logs over an epoch, weighted by each batch's `size` (metrics in
    `stateful_metrics` keep their last value), into the epoch logs of `params["metrics"]`."""

    def __init__(self, stateful_metrics=None) -> None:
        super().__init__()
        self.stateful_metrics = set(stateful_metrics or [])

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self.seen = 0
        self.totals: dict = {}

    def on_batch_end(self, batch, logs=None) -> None:
        logs = logs or {}
        size = logs.get("size", 0)
        self.seen += size * logs.get("num_steps", 1)
        for key, value in logs.items():
            if key in self.stateful_metrics:
                self.totals[key] = value
            else:
                self.totals[key] = self.totals.get(key, 0) + value * size

    def on_epoch_end(self, epoch, logs=None) -> None:
        if logs is None:
            return
        for key in self.params["metrics"]:
            if key in self.totals:
                stateful = key in self.stateful_metrics
                logs[key] = self.totals[key] if stateful else self.totals[key] / self.seen


def _csv_value(value):
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (
        isinstance(value, np.ndarray) and value.ndim == 0
    ):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Writes each epoch's logs as a row of a CSV file: an `epoch` column, then the log
    keys sorted (with their `val_` twins when the first epoch has no validation)."""

    def __init__(self, filename, separator=",", append=False) -> None:
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer: Any = None
        self.keys: list | None = None
        self.append_header = True

    def on_train_begin(self, logs=None) -> None:
        if self.append and os.path.exists(self.filename):
            with open(self.filename) as f:
                self.append_header = not f.readline()
        self.csv_file = open(self.filename, "a" if self.append else "w")  # noqa: SIM115

    def on_epoch_end(self, epoch, logs=None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if not any(k.startswith("val_") for k in self.keys):
                self.keys.extend(["val_" + k for k in self.keys])
        if not self.writer:
            dialect = type("Dialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(
                self.csv_file, fieldnames=["epoch", *self.keys], dialect=dialect
            )
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((k, _csv_value(logs.get(k, "NA"))) for k in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None) -> None:
        self.csv_file.close()
        self.writer = None


class ProgbarLogger(Callback):
    """Prints a Progbar of the batches (`count_mode="steps"`) or samples
    (`"samples"`, from the batch logs' `size`) of each epoch, and `Epoch i/n` lines."""

    def __init__(self, count_mode="samples", stateful_metrics=None) -> None:
        super().__init__()
        if count_mode not in ("samples", "steps"):
            raise ValueError(
                f'Unknown `count_mode`: {count_mode}. Expected values are ["samples", "steps"]'
            )
        self.use_steps = count_mode == "steps"
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        self.seen = 0
        self.progbar: Progbar | None = None
        self.target: Any = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params) -> None:
        self.params = params
        self.verbose = params["verbose"]
        self.epochs = params["epochs"]
        key = "steps" if self.use_steps else "samples"
        self.target = params.get(key)

    def on_train_begin(self, logs=None) -> None:
        self._called_in_fit = True

    def on_test_begin(self, logs=None) -> None:
        if not self._called_in_fit:
            self._reset()

    def on_predict_begin(self, logs=None) -> None:
        self._reset()

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._reset()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None) -> None:
        self._batch_update(batch, logs)

    def on_test_batch_end(self, batch, logs=None) -> None:
        if not self._called_in_fit:
            self._batch_update(batch, logs)

    def on_predict_batch_end(self, batch, logs=None) -> None:
        self._batch_update(batch, None)

    def on_epoch_end(self, epoch, logs=None) -> None:
        self._finalize(logs)

    def on_test_end(self, logs=None) -> None:
        if not self._called_in_fit:
            self._finalize(logs)

    def on_predict_end(self, logs=None) -> None:
        self._finalize(logs)

    def _reset(self) -> None:
        self.seen = 0
        self.progbar = None
        self._bar()

    def _bar(self) -> Progbar:
        if self.model is not None:
            names = {m.name for m in getattr(self.model, "metrics", [])}
            self.stateful_metrics = self.stateful_metrics | names
        if self.progbar is None:
            self.progbar = Progbar(
                target=self.target,
                verbose=self.verbose,
                stateful_metrics=self.stateful_metrics,
                unit_name="step" if self.use_steps else "sample",
            )
        self.progbar._update_stateful_metrics(self.stateful_metrics)
        return self.progbar

    def _batch_update(self, batch, logs) -> None:
        logs = dict(logs or {})
        bar = self._bar()
        if self.use_steps:
            self.seen = batch + 1
        else:
            size = logs.pop("size", 0)
            self.seen += logs.pop("num_steps", 1) * size
            logs.pop("batch", None)
        if self.verbose == 1:
            bar.update(self.seen, list(logs.items()), finalize=False)

    def _finalize(self, logs) -> None:
        bar = self._bar()
        if self.target is None:
            self.target = self.seen
            bar.target = self.target
        bar.update(self.target, list(copy.copy(logs or {}).items()), finalize=True)


class RemoteMonitor(Callback):
    """POSTs each epoch's logs (with `epoch`) as JSON to `root + path`: as the form field
    `field`, or as the request body with `send_as_json`. Needs `requests`; a server that
    cannot be reached only logs a warning."""

    def __init__(
        self,
        root="http://localhost:9000",
        path="/publish/epoch/end/",
        field="data",
        headers=None,
        send_as_json=False,
    ) -> None:
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch, logs=None) -> None:
        try:
            import requests
        except ImportError:
            raise ImportError("RemoteMonitor requires the `requests` library.") from None
        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            send[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        url = self.root + self.path
        try:
            if self.send_as_json:
                requests.post(url, json=send, headers=self.headers)
            else:
                requests.post(url, {self.field: json.dumps(send)}, headers=self.headers)
        except requests.exceptions.RequestException:
            logging.getLogger("tfgraph").warning(
                "Warning: could not reach RemoteMonitor root server at " + str(self.root)
            )


class TensorBoard(Callback):
    """Writes the epoch logs (`epoch_loss`, ...) as scalar summaries to an event file in
    `log_dir` (with the graph when `write_graph`), and the batch logs (`batch_loss`, ...)
    every `update_freq` samples ("batch": every batch), as TF1's Keras TensorBoard.

    With `histogram_freq=N`, every N epochs from the first, each validation batch
    writes all the graph's summaries (`merge_all`): a histogram of each layer's weights
    ("dense/kernel_0") and outputs ("dense_out"), with `write_grads` of the gradients of
    the loss ("dense/kernel_0_grad"), with `write_images` the weights as images; the step
    counts the validation batches run with histograms. No validation data: no histograms.

    Embeddings (`embeddings_freq`) are not supported (a non-zero one raises
    NotImplementedError); `profile_batch` is accepted and writes no trace."""

    def __init__(
        self,
        log_dir="./logs",
        histogram_freq=0,
        batch_size=32,
        write_graph=True,
        write_grads=False,
        write_images=False,
        embeddings_freq=0,
        embeddings_layer_names=None,
        embeddings_metadata=None,
        embeddings_data=None,
        update_freq="epoch",
        profile_batch=2,
    ) -> None:
        super().__init__()
        if embeddings_freq:
            raise NotImplementedError(
                "tfgraph's TensorBoard callback writes no embeddings: use embeddings_freq=0 "
                "(save the embedding variables with a tf.train.Saver and a projector config "
                "yourself)"
            )
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.batch_size = batch_size
        self.write_graph = write_graph
        self.write_grads = write_grads
        self.write_images = write_images
        self.embeddings_freq = embeddings_freq
        self.embeddings_layer_names = embeddings_layer_names
        self.embeddings_metadata = embeddings_metadata
        self.embeddings_data = embeddings_data
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self._profile_batch = profile_batch
        self._total_batches_seen = 0
        self._samples_seen = 0
        self._samples_seen_at_last_write = 0
        self._total_val_batches_seen = 0
        self.merged: Any = None
        self.writer: Any = None

    def set_model(self, model) -> None:
        from tfgraph.keras import backend
        from tfgraph.summary_writer import FileWriter

        self.model = model
        graph = backend.get_session().graph if self.write_graph else None
        self.writer = FileWriter(self.log_dir, graph)
        if self.histogram_freq and self.merged is None:
            from tfgraph.ops.summary_ops import merge_all

            for layer in model.layers:
                _histogram_ops(model, layer, self.write_grads, self.write_images)
            self.merged = merge_all()

    def _fetch_callback(self, summary) -> None:
        self.writer.add_summary(summary, self._total_val_batches_seen)
        self._total_val_batches_seen += 1

    def on_epoch_begin(self, epoch, logs=None) -> None:
        if self.histogram_freq and epoch % self.histogram_freq == 0 and self.merged is not None:
            self.model._test_fetch_callbacks[self.merged] = self._fetch_callback

    def _write_scalars(self, step, logs) -> None:
        from tfgraph.proto import Summary

        for name, value in logs.items():
            if isinstance(value, np.ndarray):
                value = value.item()
            summary = Summary()
            entry = summary.value.add()
            entry.simple_value = value
            entry.tag = name
            self.writer.add_summary(summary, step)
        self.writer.flush()

    def on_batch_end(self, batch, logs=None) -> None:
        logs = logs or {}
        self._samples_seen += logs.get("size", 1)
        since = self._samples_seen - self._samples_seen_at_last_write
        if self.update_freq != "epoch" and since >= self.update_freq:
            batch_logs = {
                "batch_" + k: v for k, v in logs.items() if k not in ("batch", "size", "num_steps")
            }
            self._write_scalars(self._total_batches_seen, batch_logs)
            self._samples_seen_at_last_write = self._samples_seen
        self._total_batches_seen += 1

    def on_epoch_end(self, epoch, logs=None) -> None:
        logs = {
            "epoch_" + k: v
            for k, v in (logs or {}).items()
            if k not in ("batch", "size", "num_steps")
        }
        step = epoch if self.update_freq == "epoch" else self._samples_seen
        self._write_scalars(step, logs)
        if self.merged is not None:
            self.model._test_fetch_callbacks.pop(self.merged, None)

    def on_train_end(self, logs=None) -> None:
        self.writer.close()


def _histogram_ops(model, layer, write_grads: bool, write_images: bool) -> None:
    """TF1 Keras TensorBoard's summaries of one layer: its weights' histograms (and
    images), its trainable weights' gradients, its output(s)."""
    from tfgraph.ops.summary_ops import histogram, image

    for weight in layer.weights:
        name = weight.name.replace(":", "_")
        histogram(name, weight)
        if write_images:
            picture = _weight_image(weight)
            if picture is not None:
                image(name, picture)
    if write_grads:
        for weight in layer.trainable_weights:
            name = weight.name.replace(":", "_")
            grads = model.optimizer.get_gradients(model.total_loss, weight)
            grads = [getattr(g, "values", g) for g in grads]  # (IndexedSlices: the values)
            histogram(f"{name}_grad", grads)
    output = getattr(layer, "output", None)
    if isinstance(output, list):
        for i, out in enumerate(output):
            histogram(f"{layer.name}_out_{i}", out)
    elif output is not None:
        histogram(f"{layer.name}_out", output)


def _weight_image(weight):
    """A weight as a [N, H, W, 1] image batch, as TF1 Keras TensorBoard draws it: a
    kernel [1, rows, cols, 1] (the longer side across), a conv kernel one image per
    output channel, a bias one column; None for others (scalars, 3-D convolutions)."""
    from tfgraph.keras import backend
    from tfgraph.ops import array_ops

    w = array_ops.squeeze(weight)
    shape = tuple(w.shape.as_list())
    if len(shape) == 2:
        if shape[0] > shape[1]:
            w = array_ops.transpose(w)
            shape = tuple(w.shape.as_list())
        return array_ops.reshape(w, [1, shape[0], shape[1], 1])
    if len(shape) == 3:
        if backend.image_data_format() == "channels_last":
            w = array_ops.transpose(w, perm=[2, 0, 1])
            shape = tuple(w.shape.as_list())
        return array_ops.reshape(w, [shape[0], shape[1], shape[2], 1])
    if len(shape) == 1:
        return array_ops.reshape(w, [1, shape[0], 1, 1])
    return None


def _latest_matching(pattern: str):
    """The newest file matching a ModelCheckpoint path pattern ("ckpt-{epoch}"): the
    directory's latest TF checkpoint if it matches, else the file modified last (the
    largest name when several share that time)."""
    import re

    from tfgraph.training.checkpoint_management import latest_checkpoint

    directory, base = os.path.dirname(pattern), os.path.basename(pattern)
    regex = "^" + re.sub(r"{.*}", r".*", base) + "$"
    latest = latest_checkpoint(directory)
    if latest is not None and re.match(regex, os.path.basename(latest)):
        return latest
    if not os.path.exists(directory):
        return None
    paths = [os.path.join(directory, f) for f in os.listdir(directory) if re.match(regex, f)]
    if not paths:
        return None
    newest = max(os.path.getmtime(p) for p in paths)
    at_newest = [p for p in paths if os.path.getmtime(p) == newest]
    return at_newest[0] if len(at_newest) == 1 else max(paths)


class SidecarEvaluatorModelExport(ModelCheckpoint):
    """Saves the weights after an evaluation (`on_test_end`) when `monitor` improved, to
    `export_filepath` formatted with the epoch of the newest checkpoint matching
    `checkpoint_filepath` ("ckpt-{epoch}" files a training job writes). Weights only
    here: pass `save_weights_only=True`."""

    def __init__(self, export_filepath, checkpoint_filepath, **kwargs) -> None:
        super().__init__(filepath=export_filepath, save_best_only=True, **kwargs)
        self._checkpoint_filepath = checkpoint_filepath
        self.export_index = 0

    def on_test_begin(self, logs=None) -> None:
        import re

        newest = _latest_matching(self._checkpoint_filepath)
        match = re.match(r".*ckpt-(?P<ckpt>\d+)", newest) if newest else None
        self.export_index = int(match["ckpt"]) - 1 if match else 0

    def on_test_end(self, logs=None) -> None:
        self.on_epoch_end(self.export_index, logs)

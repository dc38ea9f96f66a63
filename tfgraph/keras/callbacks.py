"""`tf.keras.callbacks`: hooks `Model.fit` calls around epochs and batches (Keras 2):
Callback, History, LambdaCallback, EarlyStopping, TerminateOnNaN."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

__all__ = [
    "BaseLogger",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "RemoteMonitor",
    "SidecarEvaluatorModelExport",
    "TensorBoard",
    "TerminateOnNaN",
]


class Callback:
    """Base class: override the `on_...` methods; `self.model` is the model trained."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params) -> None:
        self.params = params

    def on_train_begin(self, logs=None) -> None: ...
    def on_train_end(self, logs=None) -> None: ...
    def on_epoch_begin(self, epoch, logs=None) -> None: ...
    def on_epoch_end(self, epoch, logs=None) -> None: ...
    def on_batch_begin(self, batch, logs=None) -> None: ...
    def on_batch_end(self, batch, logs=None) -> None: ...
    def on_test_batch_begin(self, batch, logs=None) -> None: ...
    def on_test_batch_end(self, batch, logs=None) -> None: ...
    def on_predict_batch_begin(self, batch, logs=None) -> None: ...
    def on_predict_batch_end(self, batch, logs=None) -> None: ...
    def on_test_begin(self, logs=None) -> None: ...
    def on_test_end(self, logs=None) -> None: ...
    def on_predict_begin(self, logs=None) -> None: ...
    def on_predict_end(self, logs=None) -> None: ...

    def on_train_batch_begin(self, batch, logs=None) -> None:
        """Before a training batch (by default: `on_batch_begin`, as Keras 2)."""
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None) -> None:
        """After a training batch (by default: `on_batch_end`, as Keras 2)."""
        self.on_batch_end(batch, logs)


class History(Callback):
    """Records each epoch's logs: `history.history['loss']`, one value per epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


class LambdaCallback(Callback):
    """A callback from functions: on_epoch_end(epoch, logs), on_batch_end(batch, logs), ..."""

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_batch_begin=None,
        on_batch_end=None,
        on_train_begin=None,
        on_train_end=None,
        **kwargs,
    ) -> None:
        super().__init__()
        for name, fn in [
            ("on_epoch_begin", on_epoch_begin),
            ("on_epoch_end", on_epoch_end),
            ("on_batch_begin", on_batch_begin),
            ("on_batch_end", on_batch_end),
            ("on_train_begin", on_train_begin),
            ("on_train_end", on_train_end),
        ]:
            if fn is not None:
                setattr(self, name, fn)


class TerminateOnNaN(Callback):
    """Stops training when a batch's loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class EarlyStopping(Callback):
    """Stops training when `monitor` has not improved by `min_delta` for `patience`
    epochs (optionally restoring the best weights)."""

    def __init__(
        self,
        monitor="val_loss",
        min_delta=0,
        patience=0,
        verbose=0,
        mode="auto",
        baseline=None,
        restore_best_weights=False,
        start_from_epoch=0,
    ) -> None:
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        if mode not in ("auto", "min", "max"):
            mode = "auto"
        if mode == "min" or (mode == "auto" and not monitor.endswith(("acc", "accuracy", "auc"))):
            self.monitor_op: Any = np.less
            self.min_delta *= -1
        else:
            self.monitor_op = np.greater

    def on_train_begin(self, logs=None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf if self.monitor_op == np.less else -np.inf
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None) -> None:
        current = (logs or {}).get(self.monitor)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self.monitor_op(current - self.min_delta, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self.monitor_op(current - self.min_delta, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


def _monitor_op(monitor: str, mode: str):
    if mode == "min" or (mode == "auto" and not monitor.endswith(("acc", "accuracy", "auc"))):
        return np.less, np.inf
    return np.greater, -np.inf


class ModelCheckpoint(Callback):
    """Saves the weights after each epoch (or when `monitor` improved, with
    `save_best_only`) to `filepath`, formatted with the epoch and the logs
    (`"ckpt-{epoch:02d}"`). An integer `save_freq` saves every `save_freq` training
    batches instead, formatting with the batch logs (`{batch}` is the batch index
    within the epoch, from 0, as TF1's Keras). Only `save_weights_only=True` is
    supported here."""

    def __init__(
        self,
        filepath,
        monitor="val_loss",
        verbose=0,
        save_best_only=False,
        save_weights_only=False,
        mode="auto",
        save_freq="epoch",
        **kwargs,
    ) -> None:
        super().__init__()
        if not save_weights_only:
            raise NotImplementedError(
                "tfgraph saves no whole models (SavedModel or HDF5): use "
                "ModelCheckpoint(..., save_weights_only=True)"
            )
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(
                f'Unrecognized save_freq: {save_freq}. Expected save_freq are "epoch" or integer'
            )
        self.filepath = str(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_freq = save_freq
        self.monitor_op, self.best = _monitor_op(monitor, mode)
        self._current_epoch = 0
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = -1

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None) -> None:
        if self.save_freq == "epoch":
            return
        # A batch index not above the last one starts a new epoch.
        seen = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen
        self._batches_seen_since_last_saving += seen
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            self._save(self._current_epoch, batch, logs or {})

    def on_epoch_end(self, epoch, logs=None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _save(self, epoch, batch, logs) -> None:
        logs = {k: v.item() if isinstance(v, np.ndarray) else v for k, v in logs.items()}
        if batch is None or "batch" in logs:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        else:
            path = self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                logging.getLogger("tfgraph").warning(
                    "Can save best model only with %s available, skipping.", self.monitor
                )
                return
            if not self.monitor_op(current, self.best):
                if self.verbose > 0:
                    print(
                        f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}"
                    )
                return
            if self.verbose > 0:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                    f"{current:.5f}, saving model to {path}"
                )
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        self.model.save_weights(path)


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate to `schedule(epoch, lr)` at each epoch start."""

    def __init__(self, schedule, verbose=0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None) -> None:
        from tfgraph.keras import backend

        lr_var = self.model.optimizer.learning_rate
        lr = float(backend.get_value(lr_var))
        try:
            new = self.schedule(epoch, lr)
        except TypeError:  # a schedule of the epoch only
            new = self.schedule(epoch)
        backend.set_value(lr_var, float(new))
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {new}.")

    def on_epoch_end(self, epoch, logs=None) -> None:
        from tfgraph.keras import backend

        if logs is not None:
            logs["lr"] = float(backend.get_value(self.model.optimizer.learning_rate))


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by `factor` when `monitor` stopped improving for
    `patience` epochs (not below `min_lr`; then waits `cooldown` epochs)."""

    def __init__(
        self,
        monitor="val_loss",
        factor=0.1,
        patience=10,
        verbose=0,
        mode="auto",
        min_delta=1e-4,
        cooldown=0,
        min_lr=0,
        **kwargs,
    ) -> None:
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Got {factor}")
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.min_delta = min_delta
        self.cooldown = cooldown
        self.min_lr = min_lr
        self.mode = mode
        self._reset()

    def _reset(self) -> None:
        op, self.best = _monitor_op(self.monitor, self.mode)
        if op is np.less:
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None) -> None:
        self._reset()

    def on_epoch_end(self, epoch, logs=None) -> None:
        from tfgraph.keras import backend

        logs = logs if logs is not None else {}
        lr_var = self.model.optimizer.learning_rate
        logs["lr"] = float(backend.get_value(lr_var))
        current = logs.get(self.monitor)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(backend.get_value(lr_var))
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    backend.set_value(lr_var, new_lr)
                    if self.verbose > 0:
                        print(
                            f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                            f"to {new_lr}."
                        )
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


from tfgraph.keras.callbacks_extra import (  # noqa: E402  (they subclass Callback above)
    BaseLogger,
    CallbackList,
    CSVLogger,
    ProgbarLogger,
    RemoteMonitor,
    SidecarEvaluatorModelExport,
    TensorBoard,
)

"""`Model.compile`, `fit`, `evaluate` and `predict` as Keras 2 runs them in TF1 graph
mode: one target placeholder per output, the loss averaged over the batch (plus the
layers' regularization losses), an optimizer step and the layers' update ops (batch
normalization statistics) run together with the learning phase fed True, batches in
order (or shuffled each epoch), and per-epoch values averaged over the samples."""

from __future__ import annotations

from typing import Any

import numpy as np

from tfgraph.keras import backend
from tfgraph.keras.callbacks import History

__all__ = ["History", "TrainingMixin"]


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    if isinstance(x, dict):
        return list(x.values())
    return [x]


def _accuracy_fn(loss_fn, output):
    """The accuracy Keras picks for 'accuracy' from the loss and the output shape."""
    from tfgraph.keras import losses, metrics

    name = getattr(loss_fn, "__name__", "")
    if isinstance(loss_fn, losses.LossFunctionWrapper):
        name = loss_fn.fn.__name__
    last = output.shape.as_list()[-1] if output.shape.ndims else None
    if name == "sparse_categorical_crossentropy":
        return metrics.sparse_categorical_accuracy
    if name == "binary_crossentropy" or last == 1:
        return metrics.binary_accuracy
    return metrics.categorical_accuracy


class TrainingMixin:
    """compile / fit / evaluate / predict for graph-mode Keras models."""

    # (provided by the model)
    inputs: Any
    outputs: Any
    build: Any
    _is_graph_network: Any
    _network_updates: Any
    _all_layers: Any
    _call_updates: Any
    __call__: Any
    optimizer: Any
    _train_op: Any
    history: Any
    stop_training: bool

    def _init_training(self) -> None:
        self.optimizer = None
        self._compiled = False
        self._train_op = None
        self.history: History | None = None

    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        metrics=None,
        loss_weights=None,
        sample_weight_mode=None,
        weighted_metrics=None,
        **kwargs,
    ) -> None:
        """Chooses the optimizer, the loss (a name, function or Loss) and the metrics
        ('accuracy', or a loss name)."""
        from tfgraph.keras import losses, optimizers

        if isinstance(optimizer, str):
            optimizer = optimizers.get(optimizer)
        self.optimizer = optimizer
        self._loss_fn = loss if isinstance(loss, losses.Loss) else losses.get(loss)
        if self._loss_fn is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        self._metric_names: list[str] = []
        self._metric_specs: list = []
        for metric in metrics or []:
            name = _metric_name(metric)
            if name not in self._metric_names:  # (Keras 2 keeps one metric per name)
                self._metric_names.append(name)
                self._metric_specs.append(metric)
        self._compiled = True
        self._graph_built = False

    @property
    def metrics_names(self) -> list:
        """'loss' and the compiled metrics' history keys."""
        if not getattr(self, "_compiled", False):
            return []
        return ["loss", *self._metric_names]

    # -- the graph -----------------------------------------------------------------------
    def _ensure_inputs(self, x) -> None:
        """A model without a graph of Keras inputs (a subclassed model, a Sequential with
        no input shape) is called, in its name scope, on placeholders `input_1`, ...
        shaped like the arrays, as Keras 2's v1 training does."""
        if getattr(self, "_is_graph_network", False) or self.inputs:
            return
        from tfgraph.ops import array_ops

        arrays = [np.asarray(a) for a in _as_list(x)]
        placeholders = []
        for i, a in enumerate(arrays):
            dtype = backend.floatx() if a.dtype.kind == "f" else a.dtype.name
            placeholders.append(
                array_ops.placeholder(dtype, shape=(None, *a.shape[1:]), name=f"input_{i + 1}")
            )
        before = {id(la): len(la._updates) for la in self._all_layers()}
        outputs = self(placeholders[0] if len(placeholders) == 1 else placeholders)
        self._call_updates = [
            update
            for la in self._all_layers()
            if la.trainable
            for update, _ in la._updates[before.get(id(la), 0) :]
        ]
        self.inputs = placeholders
        self.outputs = _as_list(outputs)

    def _build_training_graph(self) -> None:
        if self._graph_built:
            return
        from tfgraph.framework import dtypes
        from tfgraph.framework.graph import get_default_graph
        from tfgraph.keras import losses
        from tfgraph.keras import metrics as metrics_module
        from tfgraph.ops import array_ops, control_flow_ops, math_ops

        g = get_default_graph()
        output = self.outputs[0]
        if len(self.outputs) != 1:
            raise NotImplementedError("tfgraph's Model.fit supports one output")
        out_layer = _history_layer(output)
        name = out_layer.name if out_layer is not None else "output"
        loss_fn = self._loss_fn
        sparse = getattr(loss_fn, "__name__", "") == "sparse_categorical_crossentropy" or (
            isinstance(loss_fn, losses.LossFunctionWrapper)
            and loss_fn.fn is losses.sparse_categorical_crossentropy
        )
        rank = output.shape.ndims
        target_shape = [None] * rank
        self._target = array_ops.placeholder(
            output.dtype.base_dtype, shape=target_shape, name=f"{name}_target"
        )
        self._sample_weights = array_ops.placeholder_with_default(
            array_ops.ones([array_ops.shape(output)[0]], dtype=output.dtype.base_dtype),
            shape=[None],
            name=f"{name}_sample_weights",
        )
        target = self._target
        weights = self._sample_weights
        from tfgraph.keras.engine import keras_tensor

        out_mask = keras_tensor.mask(output)
        mask_weights = None
        if out_mask is not None:  # masked steps weigh nothing in the loss and metrics
            mask_weights = array_ops.cast(out_mask, output.dtype.base_dtype)
            # the valid entries weigh total / valid, so the mean is over them (Keras 2's
            # apply_valid_mask)
            total = array_ops.cast(array_ops.size(mask_weights), mask_weights.dtype)
            scale = total / math_ops.reduce_sum(mask_weights)
            weights = array_ops.expand_dims(weights, -1) * (mask_weights * scale)
        with g.name_scope("loss"):
            if isinstance(loss_fn, losses.Loss):
                loss = loss_fn(target, output, sample_weight=weights)
            else:
                wrapper = losses.LossFunctionWrapper(loss_fn, name=loss_fn.__name__)
                if sparse:
                    wrapper.call = lambda yt, yp: loss_fn(yt, yp)  # type: ignore[method-assign]
                loss = wrapper(target, output, sample_weight=weights)
            extra = getattr(self, "losses", [])
            if extra:
                loss = math_ops.add_n([loss, *extra])
        self.total_loss = loss
        self._metric_tensors = []
        for spec in self._metric_specs:
            if spec in ("accuracy", "acc"):
                fn = _accuracy_fn(loss_fn, output)
            elif isinstance(spec, str):
                fn = metrics_module.get(spec)
            else:
                fn = spec
            with g.name_scope("metrics"):
                values = array_ops.cast(fn(target, output), dtypes.float32)
                w = array_ops.ones_like(values)
                if mask_weights is not None:
                    w = w * array_ops.cast(mask_weights, dtypes.float32)
                # (the weighted sum and the weight of this batch: means over the epoch)
                self._metric_tensors.append(
                    array_ops.stack([math_ops.reduce_sum(values * w), math_ops.reduce_sum(w)])
                )
        var_list = getattr(self, "trainable_weights")  # noqa: B009
        with g.name_scope("training"):
            step = self.optimizer.minimize(loss, var_list=var_list)
            updates = self._network_updates()
            self._train_op = control_flow_ops.group(step, *updates)
        self._graph_built = True

    def _feed(self, xs, y=None, training=False) -> dict:
        feed = dict(zip(self.inputs, xs, strict=True))
        if y is not None:
            feed[self._target] = y
        phase = backend.learning_phase()
        if not isinstance(phase, int):
            feed[phase] = training
        return feed

    def _standardize(self, x, y=None):
        xs = [np.asarray(a) for a in _as_list(x)]
        if len(xs) != len(self.inputs):
            raise ValueError(
                f"Error when checking model input: the list of Numpy arrays that you are "
                f"passing to your model is not the size the model expected. Expected to see "
                f"{len(self.inputs)} array(s), but instead got {len(xs)} arrays."
            )
        for arr, t in zip(xs, self.inputs, strict=True):
            want = t.shape.as_list()
            if arr.ndim != len(want) or any(
                w is not None and w != s for w, s in zip(want[1:], arr.shape[1:], strict=True)
            ):
                raise ValueError(
                    f"Error when checking input: expected {t.name.split(':')[0]} to have shape "
                    f"{tuple(want[1:])} but got array with shape {arr.shape[1:]}"
                )
        if y is None:
            return xs, None
        y = np.asarray(y)
        out_rank = self.outputs[0].shape.ndims
        if y.ndim == out_rank - 1:
            y = y.reshape((*y.shape, 1))
        n = xs[0].shape[0]
        if y.shape[0] != n:
            raise ValueError(
                "Input arrays should have the same number of samples as target arrays. Found "
                f"{n} input samples and {y.shape[0]} target samples."
            )
        return xs, y.astype(self.outputs[0].dtype.as_numpy_dtype)

    # -- the loops -----------------------------------------------------------------------
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose=1,
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        **kwargs,
    ) -> History:
        """Trains for `epochs` passes over (x, y) in batches of `batch_size` (32)."""
        if not self._compiled:
            raise RuntimeError(
                "You must compile your model before training/testing. "
                "Use `model.compile(optimizer, loss)`."
            )
        self._ensure_inputs(x)
        self._build_training_graph()
        xs, y = self._standardize(x, y)
        if validation_split and validation_data is None:
            split = int(xs[0].shape[0] * (1.0 - validation_split))
            validation_data = ([a[split:] for a in xs], y[split:])
            xs, y = [a[:split] for a in xs], y[:split]
            if sample_weight is not None:
                sample_weight = np.asarray(sample_weight)[:split]
        if steps_per_epoch is not None:
            raise NotImplementedError("tfgraph's Model.fit takes no steps_per_epoch yet")
        if class_weight is not None:
            sample_weight = _class_sample_weight(y, class_weight, sample_weight)
        batch_size = batch_size or 32
        session = backend.get_session()
        history = History()
        callback_list = [*(callbacks or []), history]  # (history last: it sees their logs)
        params = {"verbose": verbose, "epochs": epochs, "steps": None}
        for callback in callback_list:
            callback.set_model(self)
            callback.set_params(params)
        self.stop_training = False
        for callback in callback_list:
            callback.on_train_begin({})
        n = xs[0].shape[0]
        for epoch in range(initial_epoch, epochs):
            for callback in callback_list:
                callback.on_epoch_begin(epoch, {})
            index = np.arange(n)
            if shuffle:
                np.random.shuffle(index)
            totals = np.zeros(1 + len(self._metric_tensors))
            counts = np.zeros(len(self._metric_tensors))
            for batch, start in enumerate(range(0, n, batch_size)):
                idx = index[start : start + batch_size]
                for callback in callback_list:
                    callback.on_train_batch_begin(batch, {"batch": batch, "size": len(idx)})
                feed = self._feed([a[idx] for a in xs], y[idx], training=True)
                if sample_weight is not None:
                    feed[self._sample_weights] = np.asarray(sample_weight)[idx]
                loss, metrics, _ = session.run(
                    [self.total_loss, self._metric_tensors, self._train_op], feed
                )
                totals[0] += float(loss) * len(idx)
                batch_logs = {"batch": batch, "size": len(idx), "loss": float(loss)}
                for i, m in enumerate(metrics):
                    totals[1 + i] += float(m[0])
                    counts[i] += float(m[1])
                    batch_logs[self._metric_names[i]] = float(m[0] / m[1])
                for callback in callback_list:
                    callback.on_train_batch_end(batch, batch_logs)
                if self.stop_training:
                    break
            logs = {"loss": float(totals[0] / n)}
            for i, name in enumerate(self._metric_names):
                logs[name] = float(totals[1 + i] / counts[i])
            if validation_data is not None:
                val_x, val_y = validation_data[0], validation_data[1]
                val = self.evaluate(val_x, val_y, batch_size=batch_size, verbose=0)
                for key, value in zip(["loss", *self._metric_names], _as_list(val), strict=True):
                    logs["val_" + key] = value
            if verbose:
                print(
                    f"Epoch {epoch + 1}/{epochs} - "
                    + " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())
                )
            for callback in callback_list:
                callback.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        for callback in callback_list:
            callback.on_train_end({})
        history.model = self
        history.params = params
        self.history = history
        return history

    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, **kw):
        """The loss (and metrics) over (x, y), averaged over the samples."""
        if not self._compiled:
            raise RuntimeError(
                "You must compile your model before training/testing. "
                "Use `model.compile(optimizer, loss)`."
            )
        self._ensure_inputs(x)
        self._build_training_graph()
        xs, y = self._standardize(x, y)
        batch_size = batch_size or 32
        session = backend.get_session()
        n = xs[0].shape[0]
        totals = np.zeros(1 + len(self._metric_tensors))
        counts = np.ones(1 + len(self._metric_tensors)) * n
        counts[1:] = 0
        for start in range(0, n, batch_size):
            sl = slice(start, start + batch_size)
            feed = self._feed([a[sl] for a in xs], y[sl], training=False)
            if sample_weight is not None:
                feed[self._sample_weights] = np.asarray(sample_weight)[sl]
            loss, metrics = session.run([self.total_loss, self._metric_tensors], feed)
            count = xs[0][sl].shape[0]
            totals[0] += float(loss) * count
            for i, m in enumerate(metrics):
                totals[1 + i] += float(m[0])
                counts[1 + i] += float(m[1])
        results = [float(v / c) for v, c in zip(totals, counts, strict=True)]
        if verbose:
            print(
                " - ".join(
                    f"{k}: {v:.4f}"
                    for k, v in zip(["loss", *self._metric_names], results, strict=True)
                )
            )
        return results[0] if len(results) == 1 else results

    def predict(self, x, batch_size=None, verbose=0, steps=None, **kwargs):
        """The model's outputs for `x`, computed in batches (learning phase False)."""
        self._ensure_inputs(x)
        xs, _ = self._standardize(x)
        batch_size = batch_size or 32
        session = backend.get_session()
        n = xs[0].shape[0]
        outs = []
        for start in range(0, n, batch_size):
            sl = slice(start, start + batch_size)
            outs.append(session.run(self.outputs, self._feed([a[sl] for a in xs])))
        results = [np.concatenate([o[i] for o in outs]) for i in range(len(self.outputs))]
        return results[0] if len(results) == 1 else results

    def train_on_batch(self, x, y, sample_weight=None, **kwargs):
        """One optimizer step on (x, y); returns the loss (and metrics) before it."""
        self._ensure_inputs(x)
        self._build_training_graph()
        xs, y = self._standardize(x, y)
        feed = self._feed(xs, y, training=True)
        if sample_weight is not None:
            feed[self._sample_weights] = np.asarray(sample_weight)
        loss, metrics, _ = backend.get_session().run(
            [self.total_loss, self._metric_tensors, self._train_op], feed
        )
        values = [float(loss)] + [float(m[0] / m[1]) for m in metrics]
        return values[0] if len(values) == 1 else values


def _class_sample_weight(y, class_weight: dict, sample_weight):
    """Per-sample weights from `class_weight` (class -> weight) for one-hot, [n, 1] or
    [n] targets, times `sample_weight` if given (Keras 2's standardize_weights)."""
    y = np.asarray(y)
    if y.ndim > 2:
        raise ValueError("`class_weight` not supported for 3+ dimensional targets.")
    if y.ndim == 2 and y.shape[1] > 1:
        classes = np.argmax(y, axis=1)
    elif y.ndim == 2:
        classes = y.reshape(y.shape[0])
    else:
        classes = y
    missing = {c.item() for c in np.unique(classes)} - set(class_weight)
    if missing:
        raise ValueError(
            "`class_weight` must contain all classes in the data. The classes "
            f"{missing} exist in the data but not in `class_weight`."
        )
    weights = np.asarray([class_weight[c.item()] for c in classes], dtype=np.float64)
    if sample_weight is not None:
        weights = weights * np.asarray(sample_weight)
    return weights


def _metric_name(metric) -> str:
    """The history key Keras 2 (v1 graph training) gives a metric: 'acc' for
    'accuracy', the function's name for a loss name ('mae' -> 'mean_absolute_error')."""
    from tfgraph.keras import metrics

    if metric in ("accuracy", "acc"):
        return "acc"
    if isinstance(metric, str):
        return metrics.get(metric).__name__
    return getattr(metric, "name", None) or metric.__name__


def _history_layer(tensor):
    from tfgraph.keras.engine import keras_tensor

    hist = keras_tensor.history(tensor)
    return None if hist is None else hist[0]

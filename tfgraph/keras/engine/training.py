"""`Model.compile`, `fit`, `evaluate` and `predict` as Keras 2 runs them in TF1 graph
mode: one target placeholder per output, the loss averaged over the batch (plus the
layers' regularization losses), an optimizer step and the layers' update ops (batch
normalization statistics) run together with the learning phase fed True, batches in
order (or shuffled each epoch), and per-epoch values averaged over the samples."""

from __future__ import annotations

import functools
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
        # summary tensor -> callback, fetched with each validation batch (TensorBoard)
        self._test_fetch_callbacks: dict = {}

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
        """Chooses the optimizer, the loss (a name, function or Loss; a list or a dict by
        output name for several outputs, weighed by `loss_weights`) and the metrics
        ('accuracy', metric or loss names; a dict by output name)."""
        from tfgraph.keras import optimizers

        for mode in _as_list(sample_weight_mode):
            if mode not in (None, "temporal", "samplewise"):
                raise AssertionError(  # (TF's class: Keras 2 asserts it)
                    f'sample_weight_mode should be None or "temporal" (or a list or a dict '
                    f"of them, by output). Found: {mode!r}"
                )
        if isinstance(optimizer, str):
            optimizer = optimizers.get(optimizer)
        if loss is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        self.optimizer = optimizer
        self._loss_spec = loss
        self._loss_weights_spec = loss_weights
        self._metrics_spec = _metric_objects(metrics)
        self._weighted_metrics_spec = _metric_objects(weighted_metrics)
        self._sample_weight_mode = sample_weight_mode
        self._compiled = True
        self._graph_built = False
        if getattr(self, "_is_graph_network", False):
            self._build_training_graph()  # (a functional model: its loss and metrics now)

    @property
    def metrics_names(self) -> list:
        """'loss', each output's loss (with several outputs), then the metrics' history
        keys (only 'loss' until a model without inputs is first called, as Keras 2)."""
        if not getattr(self, "_compiled", False):
            return []
        if getattr(self, "_graph_built", False):
            return ["loss", *self._log_names]
        return ["loss"]

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

    def _output_names(self) -> list[str]:
        names = []
        for i, output in enumerate(self.outputs):
            layer = _history_layer(output)
            names.append(layer.name if layer is not None else f"output_{i + 1}")
        return names

    def _per_output(self, spec, names, what: str, default=None) -> list:
        """`spec` for each output: a dict by output name, a list in output order, or
        one value for all."""
        if isinstance(spec, dict):
            unknown = set(spec) - set(names)
            if unknown:
                raise ValueError(
                    f"Unknown entries in {what} dictionary: {sorted(unknown)}. Only expected "
                    f"following keys: {names}"
                )
            return [spec.get(n, default) for n in names]
        if isinstance(spec, (list, tuple)) and what != "metrics":
            if len(spec) != len(names):
                raise ValueError(
                    f"When passing a list as {what}, it should have one entry per model "
                    f"outputs. The model has {len(names)} outputs, but you passed "
                    f"{what}={spec}"
                )
            return list(spec)
        return [spec if spec is not None else default] * len(names)

    def _build_training_graph(self) -> None:
        if self._graph_built:
            return
        from tfgraph.framework.graph import get_default_graph
        from tfgraph.keras import losses
        from tfgraph.keras.engine import keras_tensor
        from tfgraph.ops import array_ops, control_flow_ops, math_ops

        g = get_default_graph()
        names = self._output_names()
        multi = len(self.outputs) > 1
        loss_specs = self._per_output(self._loss_spec, names, "loss")
        loss_weights = self._per_output(self._loss_weights_spec, names, "loss_weights", 1.0)
        metric_specs = self._per_output(self._metrics_spec, names, "metrics", [])
        weighted_specs = self._per_output(
            getattr(self, "_weighted_metrics_spec", None), names, "metrics", []
        )
        modes = getattr(self, "_sample_weight_mode", None)
        for name in names:
            if isinstance(modes, dict) and name not in modes:
                raise ValueError(
                    f"Output {name} missing from `_sample_weight_modes` dictionary: give "
                    'every output its sample_weight_mode (None or "temporal").'
                )
        self._weight_modes = self._per_output(modes, names, "sample_weight_mode")
        self._targets, self._sample_weights_list = [], []
        output_losses, output_masks, loss_fns = [], [], []
        for output, name, spec, mode in zip(
            self.outputs, names, loss_specs, self._weight_modes, strict=True
        ):
            if spec is None:
                raise ValueError(f"No loss for output {name}: give one in `compile()`.")
            loss_fn = spec if isinstance(spec, losses.Loss) else losses.get(spec)
            loss_fns.append(loss_fn)
            sparse = getattr(loss_fn, "__name__", "") == "sparse_categorical_crossentropy" or (
                isinstance(loss_fn, losses.LossFunctionWrapper)
                and loss_fn.fn is losses.sparse_categorical_crossentropy
            )
            target = array_ops.placeholder(
                output.dtype.base_dtype, shape=[None] * output.shape.ndims, name=f"{name}_target"
            )
            rank = 2 if mode == "temporal" else 1  # (temporal: a weight per time step)
            weights = array_ops.placeholder_with_default(
                array_ops.ones(array_ops.shape(output)[:rank], dtype=output.dtype.base_dtype),
                shape=[None] * rank,
                name=f"{name}_sample_weights",
            )
            self._targets.append(target)
            self._sample_weights_list.append(weights)
            out_mask = keras_tensor.mask(output)
            mask_weights = None
            if out_mask is not None:  # masked steps weigh nothing in the loss and metrics
                mask_weights = array_ops.cast(out_mask, output.dtype.base_dtype)
                # the valid entries weigh total / valid, so the mean is over them (Keras
                # 2's apply_valid_mask)
                total = array_ops.cast(array_ops.size(mask_weights), mask_weights.dtype)
                scale = total / math_ops.reduce_sum(mask_weights)
                if rank < (mask_weights.shape.ndims or 0):
                    weights = array_ops.expand_dims(weights, -1)
                weights = weights * (mask_weights * scale)
            output_masks.append(mask_weights)
            with g.name_scope("loss"), losses.compiled_loss_scope():
                if isinstance(loss_fn, losses.Loss):
                    output_losses.append(loss_fn(target, output, sample_weight=weights))
                else:
                    wrapper = losses.LossFunctionWrapper(loss_fn, name=loss_fn.__name__)
                    if sparse:
                        fn = loss_fn
                        wrapper.call = functools.partial(_call_loss, fn)  # type: ignore[method-assign]
                    output_losses.append(wrapper(target, output, sample_weight=weights))
        with g.name_scope("loss"):
            terms = [
                loss if not multi and w == 1.0 else loss * float(w)
                for loss, w in zip(output_losses, loss_weights, strict=True)
            ]
            total_loss = terms[0] if len(terms) == 1 else math_ops.add_n(terms)
            extra = getattr(self, "losses", [])
            if extra:
                total_loss = math_ops.add_n([total_loss, *extra])
        self.total_loss = total_loss
        # what the loops report: each output's loss (several outputs), then the metrics
        self._log_names, self._log_tensors = [], []
        self._log_pairs: list = []  # True: a (sum, weight) pair; False: a loss; 'state'
        if multi:
            for name, loss in zip(names, output_losses, strict=True):
                self._log_names.append(f"{name}_loss")
                self._log_tensors.append(loss)
                self._log_pairs.append(False)
        stateful: list = []  # (the metric objects' variables, zeroed before each loop)
        for i, (name, loss_fn, mask_weights) in enumerate(
            zip(names, loss_fns, output_masks, strict=True)
        ):
            for specs, weighted in ((metric_specs[i], False), (weighted_specs[i], True)):
                metric_weights = mask_weights
                if weighted:  # (the sample weights, times the output's mask if any)
                    metric_weights = _times_mask(self._sample_weights_list[i], mask_weights)
                prefix = name if multi else None
                stateful.extend(
                    self._add_metrics(i, prefix, loss_fn, specs, metric_weights, weighted)
                )
        self._metrics_reset = None
        if stateful:
            from tfgraph.variables import variables_initializer

            self._metrics_reset = variables_initializer(stateful)
        var_list = getattr(self, "trainable_weights")  # noqa: B009
        with g.name_scope("training"):
            step = self.optimizer.minimize(total_loss, var_list=var_list)
            updates = self._network_updates()
            self._train_op = control_flow_ops.group(step, *updates)
        self._graph_built = True

    def _add_metrics(self, index, prefix, loss_fn, specs, weights, weighted) -> list:
        """Adds one output's metrics (or weighted metrics, named 'weighted_...') to the
        logs: a metric object's result so far, or a function's (weighted sum, weight)
        pair for this batch, weighed by `weights` (None: every value weighs 1)."""
        from tfgraph.framework import dtypes
        from tfgraph.framework.graph import get_default_graph
        from tfgraph.keras import metrics as metrics_module
        from tfgraph.ops import array_ops, math_ops

        output, target = self.outputs[index], self._targets[index]
        new_variables: list = []
        seen: set = set()
        for spec in _as_list(specs):
            metric_name = _metric_name(spec, weighted)
            if metric_name in seen:  # (Keras 2 keeps one metric per name and list)
                continue
            seen.add(metric_name)
            log_name = f"{prefix}_{metric_name}" if prefix else metric_name
            unique, j = log_name, 1
            while unique in self._log_names:  # (Keras 2's unique metric names)
                unique, j = f"{log_name}_{j}", j + 1
            self._log_names.append(unique)
            if isinstance(spec, metrics_module.Metric):  # stateful: its result so far
                spec._name = unique  # (Keras 2 renames the object to its history key)
                self._log_tensors.append(spec(target, output, sample_weight=weights))
                self._log_pairs.append("state")
                new_variables.extend(spec.variables)
                continue
            if spec in ("accuracy", "acc"):
                fn = _accuracy_fn(loss_fn, output)
            elif isinstance(spec, str):
                fn = metrics_module.get(spec)
            else:
                fn = spec
            with get_default_graph().name_scope("metrics"):
                values = array_ops.cast(fn(target, output), dtypes.float32)
                w = array_ops.ones_like(values)
                if weights is not None:
                    w = w * _broadcast_like(array_ops.cast(weights, dtypes.float32), values)
                # (the weighted sum and the weight of this batch: means over the epoch)
                pair = array_ops.stack([math_ops.reduce_sum(values * w), math_ops.reduce_sum(w)])
            self._log_tensors.append(pair)
            self._log_pairs.append(True)
        return new_variables  # (the metric objects' variables)

    def _feed(self, xs, ys=None, training=False, sample_weight=None) -> dict:
        feed = dict(zip(self.inputs, xs, strict=True))
        if ys is not None:
            feed.update(zip(self._targets, ys, strict=True))
        if isinstance(sample_weight, list):  # (one array, or None, per output)
            for placeholder, weights in zip(self._sample_weights_list, sample_weight, strict=True):
                if weights is not None:
                    feed[placeholder] = weights
        elif sample_weight is not None:
            for placeholder in self._sample_weights_list:
                feed[placeholder] = sample_weight
        phase = backend.learning_phase()
        if not isinstance(phase, int):
            feed[phase] = training
        return feed

    def _standardize(self, x, y=None):
        """Input arrays checked against the inputs; targets as a list, one per output
        (a dict by output name, a list, or one array), with a trailing axis added when
        the output has one more dimension."""
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
        if isinstance(y, dict):
            ys = [y[name] for name in self._output_names()]
        elif isinstance(y, (list, tuple)) and len(self.outputs) > 1:
            ys = list(y)
        else:
            ys = [y]
        if len(ys) != len(self.outputs):
            raise ValueError(
                f"Error when checking model target: expected {len(self.outputs)} arrays but "
                f"got {len(ys)}."
            )
        n = xs[0].shape[0]
        out = []
        for arr, output in zip(ys, self.outputs, strict=True):
            arr = np.asarray(arr)
            if arr.ndim == output.shape.ndims - 1:
                arr = arr.reshape((*arr.shape, 1))
            if arr.shape[0] != n:
                raise ValueError(
                    "Input arrays should have the same number of samples as target arrays. "
                    f"Found {n} input samples and {arr.shape[0]} target samples."
                )
            out.append(arr.astype(output.dtype.as_numpy_dtype))
        return xs, out

    def _weights_per_output(self, sample_weight, ys, class_weight=None) -> list | None:
        """`sample_weight` (an array; a list or a dict by output name for several
        outputs) as one array or None per output, checked against the targets and each
        output's sample_weight_mode as Keras 2's standardize_weights does, times the
        weights of the targets' classes in `class_weight` (class -> weight; a list or a
        dict by output name of those for several outputs)."""
        if class_weight is not None:
            weights = self._weights_per_output(sample_weight, ys) or [None] * len(ys)
            return [
                w if cw is None else _class_sample_weight(y, cw, w)
                for cw, y, w in zip(self._class_weights(class_weight), ys, weights, strict=True)
            ]
        if sample_weight is None:
            return None
        names = self._output_names()
        if isinstance(sample_weight, dict):
            per_output = [sample_weight.get(name) for name in names]
        elif isinstance(sample_weight, (list, tuple)):
            per_output = list(sample_weight)
        elif len(names) > 1:
            raise TypeError(
                "The model has multiple outputs, so `sample_weight` should be either a list "
                f"or a dict. Provided `sample_weight` type not understood: {sample_weight}"
            )
        else:
            per_output = [sample_weight]
        if len(per_output) != len(names):
            raise ValueError(
                f"Error when checking model sample weights: the model has {len(names)} "
                f"outputs, but `sample_weight` has {len(per_output)} entries."
            )
        modes = getattr(self, "_weight_modes", [None] * len(names))
        return [
            None if w is None else _checked_weights(np.asarray(w), y, mode)
            for w, y, mode in zip(per_output, ys, modes, strict=True)
        ]

    def _class_weights(self, class_weight) -> list:
        """`class_weight` for each output (Keras 2's standardize_class_weights)."""
        names = self._output_names()
        if len(names) > 1:
            return self._per_output(class_weight, names, "class_weight")
        if isinstance(class_weight, (list, tuple)) and len(class_weight) == 1:
            return list(class_weight)
        if isinstance(class_weight, dict) and names[0] in class_weight:
            return [class_weight[names[0]]]
        return [class_weight]

    def _run_batches(self, session, batches, training, on_batch=None, use_steps=False):
        """Runs the batches ((inputs, targets, sample weights) each); returns the logs:
        the loss averaged over the samples (over the steps with `use_steps`, as Keras 2's
        generator loops), each output's loss over the batches, metrics over their
        weights."""
        fetches = [self.total_loss, self._log_tensors]
        # tensors a callback (TensorBoard's histograms) fetches with each test batch
        extra = {} if training else dict(self._test_fetch_callbacks)
        if training:
            fetches.append(self._train_op)
        elif extra:
            fetches.append(list(extra))
        totals = np.zeros(1 + len(self._log_tensors))
        counts = np.zeros(1 + len(self._log_tensors))
        if getattr(self, "_metrics_reset", None) is not None:
            session.run(self._metrics_reset)  # (Keras resets the metric objects per loop)
        for batch, (bx, by, weights) in enumerate(batches):
            results = session.run(fetches, self._feed(bx, by, training, weights))
            loss, logs = results[0], results[1]
            for callback, value in zip(extra.values(), results[2] if extra else [], strict=True):
                callback(value)
            size = len(bx[0])
            totals[0] += float(loss) * (1 if use_steps else size)
            counts[0] += 1 if use_steps else size
            batch_logs = {"batch": batch, "size": size, "loss": float(loss)}
            for i, (value, pair) in enumerate(zip(logs, self._log_pairs, strict=True)):
                if pair == "state":  # a metric object: its result over the loop so far
                    totals[1 + i], counts[1 + i] = float(value), 1.0
                    batch_logs[self._log_names[i]] = float(value)
                elif pair:
                    totals[1 + i] += float(value[0])
                    counts[1 + i] += float(value[1])
                    batch_logs[self._log_names[i]] = float(value[0] / value[1])
                else:  # an output's loss: the mean over the batches (a Keras Mean metric)
                    totals[1 + i] += float(value)
                    counts[1 + i] += 1
                    batch_logs[self._log_names[i]] = float(value)
            if on_batch is not None and on_batch(batch, batch_logs):
                break
        names = ["loss", *self._log_names]
        return {k: float(t / c) for k, t, c in zip(names, totals, counts, strict=True)}

    @staticmethod
    def _array_batches(xs, ys, sample_weight, index, batch_size):
        for start in range(0, len(index), batch_size):
            idx = index[start : start + batch_size]
            weights = None
            if sample_weight is not None:
                weights = [None if w is None else w[idx] for w in sample_weight]
            yield [a[idx] for a in xs], [a[idx] for a in ys], weights

    def _train(
        self, epoch_batches, epochs, initial_epoch, callbacks, verbose, validate, use_steps=False
    ) -> History:
        """The epoch loop shared by fit and fit_generator: callbacks, batches, logs."""
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

        def on_batch(batch, logs) -> bool:
            for callback in callback_list:
                callback.on_train_batch_end(batch, logs)
            return self.stop_training

        for epoch in range(initial_epoch, epochs):
            for callback in callback_list:
                callback.on_epoch_begin(epoch, {})
            logs = self._run_batches(session, epoch_batches(), True, on_batch, use_steps)
            if validate is not None:
                for key, value in zip(self.metrics_names, _as_list(validate()), strict=True):
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
        """Trains for `epochs` passes over (x, y) in batches of `batch_size` (32), or over
        a tf.data dataset of (x, y) batches (`steps_per_epoch` of them per epoch, else to
        its end)."""
        self._check_compiled()
        if _is_dataset(x):
            if class_weight is not None or sample_weight is not None:
                raise NotImplementedError("with a dataset, give sample weights in it")
            return self._fit_dataset(
                x, epochs, steps_per_epoch, callbacks, verbose, initial_epoch, validation_data
            )
        self._ensure_inputs(x)
        self._build_training_graph()
        xs, ys = self._standardize(x, y)
        if steps_per_epoch is not None:
            raise NotImplementedError("tfgraph's Model.fit takes no steps_per_epoch yet")
        sample_weight = self._weights_per_output(sample_weight, ys, class_weight)
        if validation_split and validation_data is None:
            split = int(xs[0].shape[0] * (1.0 - validation_split))
            val_ys = [a[split:] for a in ys]
            validation_data = ([a[split:] for a in xs], val_ys if len(val_ys) > 1 else val_ys[0])
            xs, ys = [a[:split] for a in xs], [a[:split] for a in ys]
            if sample_weight is not None:
                sample_weight = [None if w is None else w[:split] for w in sample_weight]
        batch_size = batch_size or 32
        n = xs[0].shape[0]

        def epoch_batches():
            index = np.arange(n)
            if shuffle:
                np.random.shuffle(index)
            return self._array_batches(xs, ys, sample_weight, index, batch_size)

        validate = None
        if validation_data is not None:
            val_x, val_y = validation_data[0], validation_data[1]
            val_weights = validation_data[2] if len(validation_data) > 2 else None

            def validate():
                # TF1 Keras's fit shuffles the validation samples too (np.random), even
                # with shuffle=False: the same means, other batches (TensorBoard's)
                vx, vy = self._standardize(val_x, val_y)
                weights = self._weights_per_output(val_weights, vy)
                index = np.arange(len(vx[0]))
                np.random.shuffle(index)
                batches = self._array_batches(vx, vy, weights, index, batch_size)
                return list(self._run_batches(backend.get_session(), batches, False).values())

        return self._train(epoch_batches, epochs, initial_epoch, callbacks, verbose, validate)

    def _check_compiled(self) -> None:
        if not self._compiled:
            raise RuntimeError(
                "You must compile your model before training/testing. "
                "Use `model.compile(optimizer, loss)`."
            )

    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, **kw):
        """The loss (and the outputs' losses and metrics) over (x, y), averaged over the
        samples (or over a tf.data dataset of (x, y) batches)."""
        self._check_compiled()
        if _is_dataset(x):
            steps = kw.get("steps")
            items = self._dataset_batches(x, steps, reinitialize=True)
            logs = self._run_batches(
                backend.get_session(), self._standardized(items), False, use_steps=True
            )
            values = list(logs.values())
            return values[0] if len(values) == 1 else values
        self._ensure_inputs(x)
        self._build_training_graph()
        xs, ys = self._standardize(x, y)
        batch_size = batch_size or 32
        sample_weight = self._weights_per_output(sample_weight, ys)
        batches = self._array_batches(xs, ys, sample_weight, np.arange(len(xs[0])), batch_size)
        logs = self._run_batches(backend.get_session(), batches, False)
        results = list(logs.values())
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        return results[0] if len(results) == 1 else results

    def predict(self, x, batch_size=None, verbose=0, steps=None, **kwargs):
        """The model's outputs for `x`, computed in batches (learning phase False); `x`
        may be a tf.data dataset of input batches."""
        if _is_dataset(x):
            outs = []
            for item in self._dataset_batches(x, steps, reinitialize=True):
                batch = item[0] if isinstance(item, tuple) else item
                outs.append(_as_list(self.predict(batch, batch_size=len(_as_list(batch)[0]))))
            results = [np.concatenate([o[i] for o in outs]) for i in range(len(outs[0]))]
            return results[0] if len(results) == 1 else results
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
        self._check_compiled()
        self._ensure_inputs(x)
        self._build_training_graph()
        xs, ys = self._standardize(x, y)
        weights = self._weights_per_output(sample_weight, ys)
        logs = self._run_batches(backend.get_session(), [(xs, ys, weights)], True)
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # -- datasets ------------------------------------------------------------------------
    def _dataset_batches(self, dataset, steps, reinitialize: bool):
        """Batches (x, y[, sample_weight]) fetched from a tf.data dataset in the Keras
        session: to its end (the iterator restarted, `reinitialize`) or `steps` of them
        (the iterator continuing across epochs)."""
        from tfgraph import errors
        from tfgraph.data.iterator_ops import make_initializable_iterator

        cache = self.__dict__.setdefault("_dataset_iterators", {})
        entry = cache.get(id(dataset))
        if entry is None or entry[0] is not dataset:
            iterator = make_initializable_iterator(dataset)
            entry = cache[id(dataset)] = [dataset, iterator, iterator.get_next(), False]
        session = backend.get_session()
        if reinitialize or not entry[3]:
            session.run(entry[1].initializer)
            entry[3] = True
        count = 0
        while steps is None or count < steps:
            try:
                item = session.run(entry[2])
            except errors.OutOfRangeError:
                entry[3] = False
                return
            count += 1
            yield item

    def _standardized(self, items):
        for item in items:
            if not isinstance(item, tuple) or len(item) not in (2, 3):
                raise ValueError(
                    "Please provide model inputs as a dataset of `(x, y)` or "
                    f"`(x, y, sample_weight)` tuples. Received: {item}"
                )
            self._ensure_inputs(item[0])
            self._build_training_graph()
            xs, ys = self._standardize(item[0], item[1])
            yield xs, ys, (None if len(item) == 2 else np.asarray(item[2]))

    def _fit_dataset(
        self, dataset, epochs, steps_per_epoch, callbacks, verbose, initial_epoch, validation_data
    ) -> History:
        def epoch_batches():
            items = self._dataset_batches(
                dataset, steps_per_epoch, reinitialize=steps_per_epoch is None
            )
            return self._standardized(items)

        validate = None
        if validation_data is not None:

            def validate():
                if _is_dataset(validation_data):
                    return self.evaluate(validation_data, verbose=0)
                return self.evaluate(validation_data[0], validation_data[1], verbose=0)

        # (an epoch's values are means over its steps, as Keras 2's loops over datasets)
        return self._train(
            epoch_batches, epochs, initial_epoch, callbacks, verbose, validate, use_steps=True
        )

    # -- generators ----------------------------------------------------------------------
    def _generator_batches(self, generator, steps, class_weight=None):
        """`steps` batches (x, y[, sample_weight]) from a generator or a Sequence (the
        sample weights times the weights of the targets' classes in `class_weight`)."""
        indexable = hasattr(generator, "__getitem__") and hasattr(generator, "__len__")
        iterator = None if indexable else iter(generator)
        for step in range(steps):
            item = generator[step] if indexable else next(iterator)
            if not isinstance(item, tuple) or len(item) not in (2, 3):
                raise ValueError(
                    "Output of generator should be a tuple `(x, y, sample_weight)` or "
                    f"`(x, y)`. Found: {item}"
                )
            x, y = item[0], item[1]
            self._ensure_inputs(x)
            self._build_training_graph()
            xs, ys = self._standardize(x, y)
            weights = None if len(item) == 2 else item[2]
            if class_weight is not None:
                weights = self._weights_per_output(weights, ys, class_weight)
            elif weights is not None:
                weights = np.asarray(weights)
            yield xs, ys, weights

    @staticmethod
    def _steps(generator, steps, what: str) -> int:
        if steps is not None:
            return int(steps)
        if hasattr(generator, "__len__"):
            return len(generator)
        raise ValueError(
            f"`{what}=None` is only valid for a generator based on the "
            f"`keras.utils.Sequence` class. Please specify `{what}` or use the "
            "`keras.utils.Sequence` class."
        )

    def fit_generator(
        self,
        generator,
        steps_per_epoch=None,
        epochs=1,
        verbose=1,
        callbacks=None,
        validation_data=None,
        validation_steps=None,
        class_weight=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        shuffle=True,
        initial_epoch=0,
    ) -> History:
        """Trains on batches a generator yields, `steps_per_epoch` per epoch (an epoch's
        loss is averaged over the samples; evaluate_generator's over the steps, as
        Keras 2)."""
        self._check_compiled()
        steps = self._steps(generator, steps_per_epoch, "steps_per_epoch")
        validate = None
        if isinstance(validation_data, tuple):
            val_x, val_y = validation_data[0], validation_data[1]

            def validate():
                return self.evaluate(val_x, val_y, verbose=0)

        elif validation_data is not None:
            val_steps = self._steps(validation_data, validation_steps, "validation_steps")

            def validate():
                return self.evaluate_generator(validation_data, val_steps)

        def epoch_batches():
            yield from self._generator_batches(generator, steps, class_weight)
            if hasattr(generator, "on_epoch_end"):  # a Sequence: e.g. reshuffles
                generator.on_epoch_end()

        return self._train(
            epoch_batches,
            epochs,
            initial_epoch,
            callbacks,
            verbose,
            validate,
        )

    def evaluate_generator(
        self,
        generator,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        """The loss (and metrics) over `steps` generated batches (mean over the steps)."""
        self._check_compiled()
        steps = self._steps(generator, steps, "steps")
        batches = self._generator_batches(generator, steps)
        logs = self._run_batches(backend.get_session(), batches, False, use_steps=True)
        results = list(logs.values())
        return results[0] if len(results) == 1 else results

    def predict_generator(
        self,
        generator,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        """The outputs for `steps` generated batches (x, or (x, ...))."""
        steps = self._steps(generator, steps, "steps")
        indexable = hasattr(generator, "__getitem__") and hasattr(generator, "__len__")
        iterator = None if indexable else iter(generator)
        outs = []
        for step in range(steps):
            item = generator[step] if indexable else next(iterator)
            x = item[0] if isinstance(item, tuple) else item
            outs.append(_as_list(self.predict(x, batch_size=len(np.asarray(_as_list(x)[0])))))
        results = [np.concatenate([o[i] for o in outs]) for i in range(len(outs[0]))]
        return results[0] if len(results) == 1 else results

    def test_on_batch(self, x, y, sample_weight=None, **kwargs):
        """The loss (and metrics) on one batch, without training."""
        return self.evaluate(
            x, y, batch_size=len(np.asarray(_as_list(x)[0])), verbose=0, sample_weight=sample_weight
        )

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=len(np.asarray(_as_list(x)[0])))


def _is_dataset(x) -> bool:
    from tfgraph.data.dataset_ops import Dataset

    return isinstance(x, Dataset)


def _call_loss(fn, y_true, y_pred):
    return fn(y_true, y_pred)


def _checked_weights(weights, y, mode):
    """One output's sample weights, checked against its targets `y` and its
    sample_weight_mode (TF's messages)."""
    if mode == "temporal":
        if y.ndim < 3:
            raise ValueError(
                f"Found a sample_weight array for an input with shape {y.shape}. Timestep-wise "
                'sample weighting (use of sample_weight_mode="temporal") is restricted to '
                "outputs that are at least 3D, i.e. that have a time dimension."
            )
        if weights.ndim != 2:
            raise ValueError(
                f"Found a sample_weight array with shape {weights.shape}. In order to use "
                "timestep-wise sample weighting, you should pass a 2D sample_weight array."
            )
    elif weights.ndim != 1:
        raise ValueError(
            f"Found a sample_weight array with shape {weights.shape}. In order to use "
            'timestep-wise sample weights, you should specify sample_weight_mode="temporal" '
            f'in compile(); found "{mode}" instead. If you just mean to use sample-wise '
            "weights, make sure your sample_weight array is 1D."
        )
    if y.shape[: weights.ndim] != weights.shape:
        raise ValueError(
            f"Found a sample_weight array with shape {weights.shape} for an input with shape "
            f"{y.shape}. sample_weight cannot be broadcast."
        )
    return weights


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


def _times_mask(weights, mask):
    """Sample weights times an output's mask (0/1 per step), if it has one."""
    from tfgraph.ops import array_ops

    if mask is None:
        return weights
    if weights.shape.ndims < mask.shape.ndims:
        weights = array_ops.expand_dims(weights, -1)
    return weights * mask


def _broadcast_like(weights, values):
    """`weights` with trailing axes added (or a trailing 1 dropped) to broadcast
    against a metric's `values`, as Keras 2's squeeze_or_expand_dimensions."""
    from tfgraph.ops import array_ops

    rank, want = weights.shape.ndims, values.shape.ndims
    if rank is None or want is None:
        return weights
    while rank < want:
        weights, rank = array_ops.expand_dims(weights, -1), rank + 1
    if rank == want + 1 and weights.shape.as_list()[-1] == 1:
        weights = array_ops.squeeze(weights, [-1])
    return weights


def _metric_objects(spec):
    """`compile`'s metrics with the names of metric classes ('AUC') made into metric
    objects, once, as Keras 2 does."""
    from tfgraph.keras import metrics

    if isinstance(spec, dict):
        return {key: _metric_objects(value) for key, value in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_metric_objects(item) for item in spec]
    if (
        isinstance(spec, str)
        and spec[:1].isupper()
        and isinstance(getattr(metrics, spec, None), type)
    ):
        return metrics.deserialize(spec)
    return spec


def _metric_name(metric, weighted: bool = False) -> str:
    """The history key Keras 2 (v1 graph training) gives a metric: 'acc' for
    'accuracy', the function's name for a loss name ('mae' -> 'mean_absolute_error'),
    with 'weighted_' before it for a weighted metric."""
    from tfgraph.keras import metrics

    if metric in ("accuracy", "acc"):
        name = "acc"
    elif isinstance(metric, str):
        name = metrics.get(metric).__name__
    else:
        name = getattr(metric, "name", None) or metric.__name__
    return f"weighted_{name}" if weighted else name


def _history_layer(tensor):
    from tfgraph.keras.engine import keras_tensor

    hist = keras_tensor.history(tensor)
    return None if hist is None else hist[0]

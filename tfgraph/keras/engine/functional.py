"""`tf.keras.Model`: a functional model (`Model(inputs, outputs)`, traced back from the
outputs through the layer calls that made them) or a subclassed model (`call`), and
`tf.keras.Sequential`.

Calling a model on new tensors replays its layers in the model's name scope
(`model/dense/MatMul`), sharing their weights."""

from __future__ import annotations

from tfgraph.keras import backend
from tfgraph.keras.engine import keras_tensor
from tfgraph.keras.engine.base_layer import Layer, _flatten
from tfgraph.keras.engine.input_layer import Input, InputLayer
from tfgraph.keras.engine.training import TrainingMixin

__all__ = ["Model", "Sequential", "clone_model", "model_from_config", "model_from_json"]


def _first_node(layer) -> int:
    """The index a layer's first call in a model config gets: 1 for a nested functional
    model or Sequential made on its own Input (Keras counts that Input's node), else 0."""
    return 1 if isinstance(layer, Model) and layer._is_graph_network else 0


def _nest_like(structure, flat: list):
    it = iter(flat)

    def rebuild(x):
        if isinstance(x, (list, tuple)):
            return type(x)(rebuild(item) for item in x)
        return next(it)

    return rebuild(structure)


class Model(TrainingMixin, Layer):
    """A model: `Model(inputs, outputs)` (functional) or a subclass defining `call`."""

    def __init__(self, *args, **kwargs) -> None:
        inputs = kwargs.pop("inputs", args[0] if len(args) > 0 else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        name = kwargs.pop("name", None)
        trainable = kwargs.pop("trainable", True)
        if not name:
            name = backend.unique_object_name(
                "model" if type(self) in (Model,) else _snake(type(self).__name__)
            )
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._is_graph_network = False
        self._layers: list = []
        self._network_nodes: list = []
        self._call_updates: list = []
        self.inputs: list = []
        self.outputs: list = []
        self._init_training()
        if inputs is not None and outputs is not None:
            self._init_graph_network(inputs, outputs)

    # -- the functional graph ---------------------------------------------------------
    def _init_graph_network(self, inputs, outputs) -> None:
        self._nested_inputs = inputs
        self._nested_outputs = outputs
        self.inputs = _flatten(inputs)
        self.outputs = _flatten(outputs)
        for t in self.inputs:
            hist = keras_tensor.history(t)
            if hist is None or not isinstance(hist[0], InputLayer):
                raise ValueError(
                    "Input tensors to a Functional must come from `tf.keras.Input`. "
                    f"Received: {t} (missing previous layer metadata)."
                )
        nodes: list = []
        seen: set = set()
        layer_indices: dict = {}

        def visit(t) -> None:
            hist = keras_tensor.history(t)
            if hist is None:
                raise ValueError(
                    "Output tensors of a Functional model must be the output of a TensorFlow "
                    f"`Layer` (thus holding past layer metadata). Found: {t}"
                )
            layer, node_index, _ = hist
            key = (id(layer), node_index)
            if key in seen:
                return
            seen.add(key)
            layer_indices.setdefault(id(layer), len(layer_indices))  # (pre-order, as Keras)
            node = layer._inbound_nodes[node_index]
            if not isinstance(layer, InputLayer):
                for x in _flatten(node.inputs):
                    visit(x)
            nodes.append((layer, node_index, node))

        for t in self.outputs:
            visit(t)
        input_ids = {id(t) for t in self.inputs}
        for layer, _, node in nodes:
            if isinstance(layer, InputLayer) and id(node.outputs) not in input_ids:
                raise ValueError(
                    f"Graph disconnected: cannot obtain value for tensor {node.outputs} at "
                    f'layer "{layer.name}". The following previous layers were accessed '
                    "without issue: []"
                )
        self._network_nodes = nodes
        # Keras 2's layer order: by decreasing depth (the outputs at depth 0, a node one
        # deeper than the nodes it feeds, a layer as deep as its deepest node), ties in
        # the order the traversal from the outputs first met them
        node_depth: dict = {}
        layer_depth: dict = {}
        by_key = {(id(la), i): (la, i, node) for la, i, node in nodes}
        for layer, index, node in reversed(nodes):
            depth = max(node_depth.get((id(layer), index), 0), layer_depth.get(id(layer), 0))
            layer_depth[id(layer)] = depth
            node_depth[(id(layer), index)] = depth
            if isinstance(layer, InputLayer):
                continue
            for x in _flatten(node.inputs):
                parent_layer, parent_index, _ = keras_tensor.history(x)
                key = (id(parent_layer), parent_index)
                node_depth[key] = max(depth + 1, node_depth.get(key, 0))
        layers_by_id = {id(la): la for la, _, _ in by_key.values()}
        order = sorted(layers_by_id, key=lambda i: (-layer_depth[i], layer_indices[i]))
        self._layers = [layers_by_id[i] for i in order]
        self._is_graph_network = True
        self.built = True

    @property
    def layers(self) -> list:
        if self._is_graph_network:
            return list(self._layers)
        return self._sublayers()

    @property
    def input(self):
        """The input tensor (or list of tensors) of a functional model."""
        if self._is_graph_network:
            return self._nested_inputs
        return super().input

    @property
    def output(self):
        """The output tensor (or list of tensors) of a functional model."""
        if self._is_graph_network:
            return self._nested_outputs
        return super().output

    def get_layer(self, name=None, index=None):
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(self.layers)} layers."
                )
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"No such layer: {name}. Existing layers are: {[la.name for la in self.layers]}."
        )

    def call(self, inputs, training=None, mask=None):
        if not self._is_graph_network:
            raise NotImplementedError(
                "Unimplemented `tf.keras.Model.call()`: if you intend to create a `Model` "
                "with the Functional API, please provide `inputs` and `outputs` arguments. "
                "Otherwise, subclass `Model` with an overridden `call()` method."
            )
        flat = _flatten(inputs)
        if len(flat) != len(self.inputs):
            raise ValueError(
                f'Layer "{self.name}" expects {len(self.inputs)} input(s), but it received '
                f"{len(flat)} input tensors. Inputs received: {flat}"
            )
        values = {id(t): v for t, v in zip(self.inputs, flat, strict=True)}
        for layer, _, node in self._network_nodes:
            if isinstance(layer, InputLayer):
                continue
            args = _nest_like(node.inputs, [values[id(t)] for t in _flatten(node.inputs)])
            kwargs = {k: v for k, v in node.kwargs.items() if k != "training"}
            if layer._expects_training_arg and training is not None:
                kwargs["training"] = training
            out = layer(args, **kwargs)
            for t, v in zip(_flatten(node.outputs), _flatten(out), strict=True):
                values[id(t)] = v
        return _nest_like(self._nested_outputs, [values[id(t)] for t in self.outputs])

    def build(self, input_shape) -> None:
        self.built = True

    def _maybe_build(self, input_shapes) -> None:
        self.built = True  # called on tensors: the layers build as they are called

    def compute_mask(self, inputs, mask=None):
        """A functional model's output masks are those its layers set while replayed."""
        if self._is_graph_network:
            return None
        return super().compute_mask(inputs, mask)

    # -- configs ----------------------------------------------------------------------
    def get_config(self) -> dict:
        """A functional model's config as Keras 2 writes it: its layers with their
        inbound nodes ([layer name, node index, tensor index, kwargs]), the input and
        output layers."""
        if not self._is_graph_network:
            raise NotImplementedError(
                "Subclassed models have no config: implement get_config in your model"
            )
        node_index: dict = {}  # (layer id, node index in the layer) -> index in this model
        counters: dict = {}
        for layer, index, _ in self._network_nodes:
            counters.setdefault(id(layer), _first_node(layer))
            node_index[(id(layer), index)] = counters[id(layer)]
            counters[id(layer)] += 1

        def ref(tensor) -> list:
            layer, index, tensor_index = keras_tensor.history(tensor)
            return [layer.name, node_index[(id(layer), index)], tensor_index]

        layers = []
        for layer in self.layers:
            nodes = [
                [[*ref(t), {}] for t in _flatten(node.inputs)]
                for la, _, node in self._network_nodes
                if la is layer and not isinstance(la, InputLayer)
            ]
            layers.append(
                {
                    "class_name": _class_name(layer),
                    "config": layer.get_config(),
                    "name": layer.name,
                    "inbound_nodes": nodes,
                }
            )
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layers,
            "input_layers": [ref(t) for t in self.inputs],
            "output_layers": [ref(t) for t in self.outputs],
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """A functional model rebuilt from its config: its layers made and called in
        order on the tensors their inbound nodes name."""
        from tfgraph.keras.engine import serialization

        if "layers" not in config:
            raise NotImplementedError("tfgraph rebuilds functional models and Sequential only")
        created: dict = {}
        tensors: dict = {}  # (layer name, node index, tensor index) -> tensor
        pending: list = []
        for entry in config["layers"]:
            layer = serialization.deserialize_layer(
                {"class_name": entry["class_name"], "config": entry["config"]}, custom_objects
            )
            created[entry["name"]] = layer
            if isinstance(layer, InputLayer):
                tensors[(entry["name"], 0, 0)] = layer._inbound_nodes[0].outputs
            pending.extend((entry["name"], node) for node in entry["inbound_nodes"])
        counts: dict = {}
        while pending:
            progress = False
            for item in list(pending):
                name, node = item
                refs = [tuple(r[:3]) for r in node]
                if not all(r in tensors for r in refs):
                    continue
                inputs = [tensors[r] for r in refs]
                outputs = created[name](inputs if len(inputs) > 1 else inputs[0])
                index = counts.get(name, _first_node(created[name]))
                counts[name] = index + 1
                for i, t in enumerate(_flatten(outputs)):
                    tensors[(name, index, i)] = t
                pending.remove(item)
                progress = True
            if not progress:
                raise ValueError("Could not rebuild the model: some layer inputs never appear")
        inputs = [tensors[tuple(r)] for r in config["input_layers"]]
        outputs = [tensors[tuple(r)] for r in config["output_layers"]]
        return cls(
            inputs if len(inputs) > 1 else inputs[0],
            outputs if len(outputs) > 1 else outputs[0],
            name=config.get("name"),
        )

    def to_json(self, **kwargs) -> str:
        """The model's architecture as Keras 2's JSON (no weights)."""
        import json

        return json.dumps(
            {
                "class_name": _class_name(self),
                "config": self.get_config(),
                "keras_version": "2.21.0",
                "backend": "tensorflow",
            },
            **kwargs,
        )

    # -- checkpoints ------------------------------------------------------------------
    def _trackable_children(self) -> dict:
        """A functional model's layers as Keras 2 names them in checkpoints:
        `layer_with_weights-<k>` (those with weights, first) and `layer-<i>`."""
        children: dict = {}
        if self._is_graph_network:
            with_weights = 0
            for i, layer in enumerate(self.layers):
                if layer.weights:
                    children[f"layer_with_weights-{with_weights}"] = layer
                    with_weights += 1
                children[f"layer-{i}"] = layer
        for key, value in super()._trackable_children().items():
            children.setdefault(key, value)
        return children

    def save_weights(self, filepath, overwrite=True, save_format=None, options=None) -> None:
        """Writes the weights as an object-based TensorFlow checkpoint at `filepath`
        (`filepath.index`, `filepath.data-00000-of-00001`, and the directory's
        `checkpoint` file), readable by TF's `load_weights`; or, for a path ending in
        .h5 (or `save_format="h5"`), as Keras 2's HDF5 weights file."""
        import os

        from tfgraph.training import checkpoint_management
        from tfgraph.training.tracking import Checkpoint

        filepath = os.fspath(filepath)
        if filepath.endswith(".keras"):
            raise NotImplementedError(
                "tfgraph writes no .keras (Keras 3) files: save the weights to a path "
                "ending in .h5 (HDF5) or to a checkpoint prefix"
            )
        if save_format in ("h5", "hdf5") or filepath.endswith((".h5", ".hdf5")):
            from tfgraph.keras.saving import hdf5_format

            hdf5_format.save_weights_to_hdf5(self, filepath, overwrite)
            return
        directory = os.path.dirname(filepath) or "."
        os.makedirs(directory, exist_ok=True)
        Checkpoint(root=self).write(filepath, session=backend.get_session())
        checkpoint_management.update_checkpoint_state_internal(
            directory, filepath, all_model_checkpoint_paths=[filepath], save_relative_paths=True
        )

    def save(self, filepath, overwrite=True, save_format=None, **kwargs) -> None:
        """Saves the whole model (`tf.keras.models.save_model`): Keras 2's HDF5 file
        (`include_optimizer=False` leaves out the training config and optimizer state)."""
        from tfgraph.keras.saving import saving_api

        saving_api.save_model(self, filepath, overwrite, save_format, **kwargs)

    def load_weights(self, filepath, skip_mismatch=False, by_name=False, options=None):
        """Restores weights written by `save_weights` (here or in TensorFlow) into the
        Keras session: a TensorFlow checkpoint by structure, or an HDF5 file (.h5) by
        layer order or, with `by_name`, by layer name (`skip_mismatch` leaves layers whose
        weights differ in count or shape as they are)."""
        import os

        from tfgraph.training.tracking import Checkpoint

        filepath = os.fspath(filepath)
        if filepath.endswith((".h5", ".hdf5")):
            from tfgraph.keras.saving import hdf5_format

            hdf5_format.load_weights_from_hdf5(self, filepath, by_name, skip_mismatch)
            return None
        if by_name or skip_mismatch:
            raise NotImplementedError(
                "tfgraph's load_weights matches TensorFlow checkpoints by structure only: "
                "by_name and skip_mismatch are for HDF5 (.h5) weight files"
            )
        status = Checkpoint(root=self).restore(filepath)
        status.run_restore_ops(backend.get_session())
        return status

    # -- weights ---------------------------------------------------------------------
    def _sublayers(self) -> list:
        out = list(self._layers)
        for value in vars(self).values():  # layers set as attributes of subclassed models
            if isinstance(value, Layer) and value is not self and value not in out:
                out.append(value)
        return out

    @staticmethod
    def _dedup(weights) -> list:
        out, seen = [], set()
        for w in weights:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        return out

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        found = list(self._trainable_weights)
        for layer in self._sublayers():
            found += layer.trainable_weights
        return self._dedup(found)

    @property
    def non_trainable_weights(self) -> list:
        found = list(self._non_trainable_weights)
        for layer in self._sublayers():
            found += layer.non_trainable_weights
        if not self.trainable:
            found = self._dedup(self._all_weights()) if found is not None else found
        return self._dedup(found)

    def _all_weights(self) -> list:
        found: list = []
        for layer in self._sublayers():
            found += layer.weights
        return found + self._trainable_weights + self._non_trainable_weights

    @property
    def weights(self) -> list:
        """Every weight, layer by layer (each layer's trainable weights first)."""
        return self._dedup(self._all_weights())

    variables = weights

    @property
    def trainable_variables(self) -> list:
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list:
        return self.non_trainable_weights

    @property
    def losses(self) -> list:
        found = list(self._losses) + list(self._weight_losses)
        for layer in self._sublayers():
            found += layer.losses
        return found

    @property
    def updates(self) -> list:
        if not self.trainable:
            return []
        found = [u for u, _ in self._updates]
        for layer in self._sublayers():
            found += layer.updates
        return found

    def _all_layers(self) -> list:
        """This model's layers and those of the models among them, recursively."""
        found: list = []
        for layer in self._sublayers():
            found.append(layer)
            if isinstance(layer, Model):
                found += layer._all_layers()
        return found

    def _network_updates(self) -> list:
        """The update ops of the layer calls that make up this functional model (or of
        the call `fit` made on a model without a functional graph)."""
        if not self._is_graph_network:
            return list(getattr(self, "_call_updates", []))
        found = []
        for layer, _, node in self._network_nodes:
            if isinstance(layer, Model) and layer.trainable:
                found += layer._network_updates()
            elif layer.trainable:
                found += layer.get_updates_for([node])
        return found

    def summary(self, line_length=None, positions=None, print_fn=None) -> None:
        """Prints the layers, their output shapes and parameter counts."""
        print_fn = print_fn or print
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        cols = [int(line_length * p) for p in positions]

        def row(fields) -> str:
            line = ""
            for field, end in zip(fields, cols, strict=True):
                line = (line + str(field))[: end - 1].ljust(end)
            return line.rstrip()

        print_fn(f'Model: "{self.name}"')
        print_fn("_" * line_length)
        print_fn(row(["Layer (type)", "Output Shape", "Param #"]))
        print_fn("=" * line_length)
        layers = self.layers
        if isinstance(self, Sequential) and not self._is_graph_network and not self.built:
            raise ValueError(
                "This model has not yet been built. Build the model first by calling `build()`"
                " or by calling the model on a batch of data."
            )
        for i, layer in enumerate(layers):
            try:
                shape = layer.output_shape
            except AttributeError:
                shape = "multiple"
            if isinstance(shape, tuple):
                shape = str(shape).replace("None", "None")
            print_fn(row([f"{layer.name} ({type(layer).__name__})", shape, layer.count_params()]))
            print_fn(("=" if i == len(layers) - 1 else "_") * line_length)
        trainable = self.trainable_weights
        ids = {id(w) for w in trainable}
        rest = [w for w in self.weights if id(w) not in ids]
        counts = [sum(_count(w) for w in ws) for ws in (self.weights, trainable, rest)]
        sizes = [
            sum(_count(w) * w.dtype.size for w in ws) for ws in (self.weights, trainable, rest)
        ]
        for label, count, size in zip(("Total", "Trainable", "Non-trainable"), counts, sizes):
            print_fn(f"{label} params: {count} ({_readable_size(size)})")
        print_fn("_" * line_length)


def _class_name(layer) -> str:
    if type(layer) is Model:
        return "Functional"
    return type(layer).__name__


def _readable_size(size: float) -> str:
    for unit in ("Byte", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _count(w) -> int:
    n = 1
    for d in w.shape.as_list():
        n *= d
    return n


def _snake(name: str) -> str:
    from tfgraph.legacy_layers.base import to_snake_case

    return to_snake_case(name)


class Sequential(Model):
    """A stack of layers, each called on the previous one's output."""

    def __init__(self, layers=None, name=None) -> None:
        super().__init__(name=name or backend.unique_object_name("sequential"))
        self._stack: list = []
        self._input_layer = None
        for layer in layers or ():
            self.add(layer)

    @property
    def layers(self) -> list:
        return list(self._stack)

    def _sublayers(self) -> list:
        return list(self._stack)

    def add(self, layer) -> None:
        """Appends `layer`; with a known input shape the model is built as it grows."""
        if isinstance(layer, InputLayer) or keras_tensor.history(layer) is not None:
            if isinstance(layer, InputLayer):
                tensor = layer._inbound_nodes[0].outputs
            else:
                tensor = layer
            if self._stack or self._input_layer is not None:
                raise ValueError("An InputLayer must be the first layer of a Sequential model.")
            self._input_layer = keras_tensor.history(tensor)[0]
            self._init_graph_network(tensor, tensor)
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                "The added layer must be an instance of class Layer. "
                f"Received: layer={layer} of type {type(layer)}."
            )
        if any(existing.name == layer.name for existing in self._stack):
            raise ValueError(
                f"All layers added to a Sequential model should have unique names. Name "
                f'"{layer.name}" is already the name of a layer in this model. Update the '
                "`name` argument to pass a unique name."
            )
        self._stack.append(layer)
        if self._is_graph_network:
            output = layer(self.outputs[0])
            self._init_graph_network(self.inputs[0], output)
        elif len(self._stack) == 1 and layer._batch_input_shape is not None:
            dtype = layer._dtype.name if layer._dtype is not None else None
            tensor = Input(
                batch_shape=layer._batch_input_shape, dtype=dtype, name=f"{layer.name}_input"
            )
            self._input_layer = keras_tensor.history(tensor)[0]
            self._init_graph_network(tensor, layer(tensor))

    def get_config(self) -> dict:
        layers = []
        if self._input_layer is not None:
            layers.append({"class_name": "InputLayer", "config": self._input_layer.get_config()})
        for layer in self._stack:
            layers.append({"class_name": _class_name(layer), "config": layer.get_config()})
        return {"name": self.name, "layers": layers}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from tfgraph.keras.engine import serialization

        model = cls(name=config.get("name"))
        for entry in config["layers"]:
            model.add(serialization.deserialize_layer(entry, custom_objects))
        return model

    def pop(self) -> None:
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        self._stack.pop()
        if self._is_graph_network:
            if self._stack:
                last = self._stack[-1]._inbound_nodes[0].outputs
                self._init_graph_network(self.inputs[0], last)
            else:
                self._init_graph_network(self.inputs[0], self.inputs[0])

    def build(self, input_shape=None) -> None:
        if not self._is_graph_network and input_shape is not None:
            from tfgraph.framework.tensor_shape import TensorShape

            shape = tuple(TensorShape(input_shape).as_list())
            tensor = Input(batch_shape=shape, name=f"{self._stack[0].name}_input")
            self._input_layer = keras_tensor.history(tensor)[0]
            out = tensor
            for layer in self._stack:
                out = layer(out)
            self._init_graph_network(tensor, out)
        self.built = True

    def _init_graph_network(self, inputs, outputs) -> None:
        super()._init_graph_network(inputs, outputs)
        self._layers = list(self._stack)

    def call(self, inputs, training=None, mask=None):
        if self._is_graph_network:
            return super().call(inputs, training=training, mask=mask)
        outputs = inputs
        for layer in self._stack:
            kwargs = {}
            if layer._expects_training_arg and training is not None:
                kwargs["training"] = training
            outputs = layer(outputs, **kwargs)
        return outputs


def model_from_config(config: dict, custom_objects=None):
    """A model (or layer) from {"class_name", "config"}."""
    from tfgraph.keras.engine import serialization

    return serialization.deserialize_layer(config, custom_objects)


def model_from_json(json_string: str, custom_objects=None):
    """A model from `to_json()` output (here or in Keras 2): new layers, fresh weights."""
    import json

    return model_from_config(json.loads(json_string), custom_objects)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture (new layers and weights)."""
    if input_tensors is not None or clone_function is not None:
        raise NotImplementedError("tfgraph's clone_model takes no input_tensors/clone_function")
    return model_from_config({"class_name": _class_name(model), "config": model.get_config()})

"""`tf.keras.export.ExportArchive`: a TF2 SavedModel holding chosen serving endpoints
(tf.functions) and the variables they use, written by `tf.saved_model.save` for TF
Serving or `tf.saved_model.load`. Like the SavedModel writer, it needs eager execution
(`tf.enable_v2_behavior()`)."""

from __future__ import annotations

from tfgraph.eager.function import Function
from tfgraph.framework.api_utils import VERSION
from tfgraph.saved_model._save_v2 import save
from tfgraph.training import tracking
from tfgraph.variables import Variable

__all__ = ["ExportArchive"]

_BOOKKEEPING = ("_endpoint_names", "_endpoint_signatures", "_tracked", "tensorflow_version")


class ExportArchive:
    """Collects endpoints and variables, then `write_out(path)` saves them as a SavedModel.

    Example:

    ```python
    archive = tf.keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        name="serve",
        fn=model.call,
        input_signature=[tf.TensorSpec(shape=(None, 3), dtype=tf.float32)],
    )
    archive.write_out("path/to/location")
    ```
    """

    def __init__(self) -> None:
        self._endpoint_names: list[str] = []
        self._endpoint_signatures: dict = {}
        self._tracked: list = []
        self.tensorflow_version = VERSION
        self.variables: list = []
        self.trainable_variables: list = []
        self.non_trainable_variables: list = []

    def track(self, resource) -> None:
        """Tracks the variables of a layer, model or other trackable for saving."""
        from tfgraph.keras.engine.base_layer import Layer

        if not tracking._is_trackable(resource) or isinstance(resource, (list, tuple, dict)):
            raise ValueError(
                "Invalid resource type. Expected an instance of a TensorFlow `Trackable` "
                "(such as a TF-Keras `Layer` or `Model`). Received instead an object of "
                f"type '{type(resource)}'. Object received: {resource}"
            )
        if isinstance(resource, Layer):
            if not resource.built:
                raise ValueError(
                    "The layer provided has not yet been built. It must be built before export."
                )
            self.variables += resource.variables
            self.trainable_variables += resource.trainable_variables
            self.non_trainable_variables += resource.non_trainable_variables
        self._tracked.append(resource)

    def add_endpoint(self, name: str, fn, input_signature=None):
        """Registers `fn` as the serving endpoint `name`: a `tf.function` already called at
        least once, or any callable with an `input_signature` (a list of TensorSpecs)."""
        from tfgraph.eager.function import function

        if name in self._endpoint_names:
            raise ValueError(f"Endpoint name '{name}' is already taken.")
        if input_signature:
            decorated = function(fn, input_signature=input_signature)
            self._endpoint_signatures[name] = input_signature
        elif isinstance(fn, Function):
            if not list(fn._traces.values()):
                raise ValueError(
                    f"The provided tf.function '{fn}' has never been called. To specify the "
                    "expected shape and dtype of the function's arguments, you must either "
                    "provide a function that has been called at least once, or alternatively "
                    "pass an `input_signature` argument in `add_endpoint()`."
                )
            decorated = fn
        else:
            raise ValueError(
                "If the `fn` argument provided is not a `tf.function`, you must provide an "
                "`input_signature` argument to specify the shape and dtype of the function "
                "arguments."
            )
        setattr(self, name, decorated)
        self._endpoint_names.append(name)
        return decorated

    def add_variable_collection(self, name: str, variables) -> None:
        """Saves `variables` (a list/tuple/set of tf.Variables) as the attribute `name`
        of the reloaded object."""
        if not isinstance(variables, (list, tuple, set)):
            raise ValueError(
                "Expected `variables` to be a list/tuple/set. Received instead object of "
                f"type '{type(variables)}'."
            )
        if not all(isinstance(v, Variable) for v in variables):
            raise ValueError(
                "Expected all elements in `variables` to be `tf.Variable` instances. Found "
                f"instead the following types: {list({type(v) for v in variables})}"
            )
        setattr(self, name, list(variables))

    def write_out(self, filepath, options=None) -> None:
        """Writes the SavedModel: every endpoint is a signature, and the first one is also
        `serving_default` (unless an endpoint has that name)."""
        if not self._endpoint_names:
            raise ValueError("No endpoints have been set yet. Call add_endpoint().")
        concretes = [self._concrete(name) for name in self._endpoint_names]
        self._all_variables = self._variables_used(concretes)
        signatures = dict(zip(self._endpoint_names, concretes))
        if "serving_default" not in signatures:
            signatures["serving_default"] = concretes[0]
        save(self, str(filepath), signatures=signatures, options=options)
        names = ", ".join(f"'{n}'" for n in self._endpoint_names)
        print(f"Saved artifact at '{filepath}'. The following endpoints are available: {names}")

    def _concrete(self, name: str):
        fn = getattr(self, name)
        if name in self._endpoint_signatures:
            return fn.get_concrete_function()
        return next(iter(fn._traces.values()))

    def _variables_used(self, concretes) -> list:
        """The tracked variables whose handles the endpoints capture, in capture order."""
        known: dict = {}
        stack = list(self._tracked) + [getattr(self, k) for k in vars(self)]
        seen: set[int] = set()
        while stack:
            obj = stack.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if isinstance(obj, Variable):
                known.setdefault(id(obj.handle), obj)  # type: ignore[attr-defined]
                continue
            if isinstance(obj, (str, bytes, Function)) or obj is None:
                continue
            if isinstance(obj, (list, tuple, dict)) or tracking._is_trackable(obj):
                stack.extend(v for _, v in tracking._children(obj))
        used: list = []
        for concrete in concretes:
            for value, _ in concrete.graph.captures:
                var = known.get(id(value))
                if var is not None and all(var is not u for u in used):
                    used.append(var)
        return used

    def _trackable_children(self, save_type="checkpoint", **kwargs) -> dict:
        out = {}
        for name, value in vars(self).items():
            if name in _BOOKKEEPING or isinstance(value, Function):
                continue  # (endpoints are saved as the object's functions)
            if isinstance(value, list) or tracking._is_trackable(value):
                out[name] = value
        return out

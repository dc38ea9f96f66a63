"""`tf.saved_model.SaveOptions`, `experimental.VariablePolicy`, `Asset` and
`experimental.TrackableResource`: the objects TF2 SavedModel export takes.

`SaveOptions` stores every option TF's accepts and validates them as TF does; tfgraph's
`save` acts on `function_aliases` (written to the MetaGraphDef) and `extra_tags`, and
ignores the rest (device placement, debug info, sharding and custom gradients change
nothing a numpy runtime writes).
"""

from __future__ import annotations

import enum
import os

__all__ = ["Asset", "LoadOptions", "SaveOptions", "TrackableResource", "VariablePolicy"]


class VariablePolicy(enum.Enum):
    """How variables are saved: with their devices, distributed ones expanded."""

    NONE = None
    SAVE_VARIABLE_DEVICES = "save_variable_devices"
    EXPAND_DISTRIBUTED_VARIABLES = "expand_distributed_variables"

    def _save_variable_devices(self) -> bool:
        return self != VariablePolicy.NONE

    def _expand_distributed_variables(self) -> bool:
        return self == VariablePolicy.EXPAND_DISTRIBUTED_VARIABLES

    @staticmethod
    def from_obj(obj) -> VariablePolicy:
        """`obj` (None, a VariablePolicy or its value's string) as a VariablePolicy."""
        if obj is None:
            return VariablePolicy.NONE
        if isinstance(obj, VariablePolicy):
            return obj
        key = str(obj).lower()
        for policy in VariablePolicy:
            if key == policy.value:
                return policy
        raise ValueError(f"Received invalid VariablePolicy value: {obj}.")


def _validate_namespace_whitelist(namespace_whitelist):
    if namespace_whitelist is None:
        return None
    if not isinstance(namespace_whitelist, list):
        raise TypeError(
            "`namespace_whitelist` must be a list of strings. Got: "
            f"{namespace_whitelist} with type {type(namespace_whitelist)}."
        )
    for namespace in namespace_whitelist:
        if not isinstance(namespace, str):
            raise ValueError(
                f"Whitelisted namespace must be a string. Got: {namespace} of type "
                f"{type(namespace)}."
            )
    return list(namespace_whitelist)


class SaveOptions:
    """Options for `tf.saved_model.save`."""

    __slots__ = (
        "experimental_custom_gradients",
        "experimental_debug_stripper",
        "experimental_image_format",
        "experimental_io_device",
        "experimental_sharding_callback",
        "experimental_skip_saver",
        "experimental_variable_policy",
        "extra_tags",
        "function_aliases",
        "namespace_whitelist",
        "save_debug_info",
    )

    def __init__(
        self,
        namespace_whitelist=None,
        save_debug_info=False,
        function_aliases=None,
        experimental_debug_stripper=False,
        experimental_io_device=None,
        experimental_variable_policy=None,
        experimental_custom_gradients=True,
        experimental_image_format=False,
        experimental_skip_saver=False,
        experimental_sharding_callback=None,
        extra_tags=None,
    ) -> None:
        self.namespace_whitelist = _validate_namespace_whitelist(namespace_whitelist)
        self.save_debug_info = save_debug_info
        self.function_aliases = function_aliases if function_aliases else {}
        self.experimental_custom_gradients = experimental_custom_gradients
        self.experimental_debug_stripper = experimental_debug_stripper
        self.experimental_io_device = experimental_io_device
        self.experimental_variable_policy = VariablePolicy.from_obj(experimental_variable_policy)
        self.experimental_skip_saver = experimental_skip_saver
        if experimental_image_format:
            raise ValueError("The option `experimental_image_format` is disabled in OSS.")
        self.experimental_image_format = experimental_image_format
        if experimental_sharding_callback is not None:
            raise ValueError(
                "The experimental_sharding_callback checkpoint option must be of type "
                f"ShardingCallback. The option provided was of type "
                f"{type(experimental_sharding_callback)}. (tfgraph does not shard "
                "SavedModel checkpoints.)"
            )
        self.experimental_sharding_callback = experimental_sharding_callback
        self.extra_tags = extra_tags


class LoadOptions:
    """Options for `tf.saved_model.load` (TF2). tfgraph acts on
    `experimental_skip_checkpoint` (no variable is read from `variables/`); the others
    are stored and validated as TF does (device placement and partial checkpoints change
    nothing tfgraph's loader does)."""

    __slots__ = (
        "allow_partial_checkpoint",
        "experimental_io_device",
        "experimental_load_function_aliases",
        "experimental_skip_checkpoint",
        "experimental_variable_policy",
    )

    def __init__(
        self,
        allow_partial_checkpoint=False,
        experimental_io_device=None,
        experimental_skip_checkpoint=False,
        experimental_variable_policy=None,
        experimental_load_function_aliases=False,
    ) -> None:
        self.experimental_io_device = experimental_io_device
        self.allow_partial_checkpoint = allow_partial_checkpoint
        self.experimental_skip_checkpoint = experimental_skip_checkpoint
        self.experimental_variable_policy = VariablePolicy.from_obj(experimental_variable_policy)
        self.experimental_load_function_aliases = experimental_load_function_aliases


class Asset:
    """A file a SavedModel carries in its `assets/` directory.

    `asset_path` is a string tensor holding the file's path; a function that uses it is
    saved with the path bound to the asset, so it names the copy in `assets/` once the
    SavedModel is loaded.
    """

    def __init__(self, path) -> None:
        from tfgraph.eager import context
        from tfgraph.framework.convert import convert_to_tensor

        if isinstance(path, Asset):
            path = path.asset_path
        if not context.executing_eagerly():
            raise RuntimeError(
                "tf.saved_model.Asset needs eager execution in tfgraph (enable TF2 behaviour "
                "with tf.enable_v2_behavior()); TF1 SavedModels take assets through "
                "SavedModelBuilder's assets_collection."
            )
        if hasattr(path, "numpy"):
            path = path.numpy()
        self._path = os.fsdecode(path)
        self._asset_path = convert_to_tensor(self._path.encode())

    @property
    def asset_path(self):
        """The path as a string tensor."""
        return self._asset_path


class TrackableResource:
    """Base class for a resource a SavedModel re-creates on load (a lookup table,
    ...): subclasses define `_create_resource()` returning its handle, and may define
    `_initialize()` and `_destroy_resource()`.

    tfgraph tracks these objects and creates their handle on first use of
    `resource_handle`; saving one with `tf.saved_model.save` is not supported (its
    functions must be re-created in the loading program) and raises ValueError.
    """

    def __init__(self, device: str = "") -> None:
        self._resource_handle_value = None
        self._resource_device = device

    def _create_resource(self):
        raise NotImplementedError("TrackableResource._create_resource not implemented.")

    def _initialize(self):
        pass

    def _destroy_resource(self):
        pass

    @property
    def resource_handle(self):
        """The resource's handle, created (`_create_resource`) on first use."""
        if self._resource_handle_value is None:
            self._resource_handle_value = self._create_resource()
        return self._resource_handle_value

    @property
    def _resource_handle(self):
        return self._resource_handle_value

    @_resource_handle.setter
    def _resource_handle(self, value) -> None:
        self._resource_handle_value = value

"""TF1 `tf.train.Saver`: save and restore variables in V2 checkpoints.

The constructor adds TensorFlow's saver subgraph under a `save` name scope (same op
names, inputs and SaverDef as TF builds, so real TF can `import_meta_graph` a
tfgraph graph and restore through its saver, and the other way round):

    save/filename/input, save/filename, save/Const     the prefix (fed on save/restore)
    save/SaveV2 (+ tensor_names, shape_and_slices)     writes the bundle
    save/control_dependency                            save_tensor_name
    save/RestoreV2 (on /device:CPU:0), save/Assign*    restore
    save/restore_all                                   restore_op_name

`save()` runs the save tensor, writes the `.meta` file, then updates the
`checkpoint` state file and finally deletes checkpoints beyond `max_to_keep`; every
file is written under a temporary name and renamed, so a process killed in the
middle of a save leaves the previous checkpoint and state file intact.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping

import numpy as np

from tfgraph import errors
from tfgraph.framework import meta_graph as _meta_graph
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.device import DeviceSpec, canonical_name
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, control_flow_ops, io_ops, state_ops
from tfgraph.ops.apply import op_output
from tfgraph.training import checkpoint_management

__all__ = [
    "Saver",
    "export_meta_graph",
    "import_meta_graph",
]

_log = logging.getLogger("tfgraph")

_V1 = 1
_V2 = 2


def _saver_def_class():
    from tfgraph import proto

    return proto.SaverDef


# -- what gets saved ------------------------------------------------------------------------
class _Saveable:
    """One tensor in the checkpoint: a variable (or a slice of a partitioned one)."""

    __slots__ = ("dtype", "name", "op", "slice_spec", "tensor")

    def __init__(self, tensor: Tensor, slice_spec: str, name: str) -> None:
        self.tensor = tensor  # the variable's reference tensor
        self.op = tensor
        self.slice_spec = slice_spec
        self.name = name
        self.dtype = tensor.dtype._base

    @property
    def device(self) -> str:
        return self.tensor.device

    def restore(self, restored: Tensor, shape):
        if shape is not None:
            restored = array_ops.reshape(restored, shape)
        return state_ops.assign(
            self.tensor,
            restored,
            validate_shape=shape is None and self.tensor.shape.is_fully_defined(),
        )


class _ResourceSaveable(_Saveable):
    """A resource variable in the checkpoint: saved from a read of its handle, restored
    with an AssignVariableOp."""

    __slots__ = ("handle",)

    def __init__(self, var, slice_spec: str, name: str) -> None:
        self.handle = var.handle
        g = get_default_graph()
        element = var._as_graph_element()  # TF saves the `v/Read/ReadVariableOp` read
        if element is None or element.graph is not g:
            with g.device(var.device):
                element = var.value()
        self.tensor = element
        self.op = var.handle
        self.slice_spec = slice_spec
        self.name = name
        self.dtype = var.dtype._base

    @property
    def device(self) -> str:
        return self.handle.device

    def restore(self, restored: Tensor, shape):
        from tfgraph.ops import resource_variable_ops as rv

        if shape is not None:
            restored = array_ops.reshape(restored, shape)
        with get_default_graph().device(self.handle.device):
            restored = array_ops.identity(restored)  # (as TF's ResourceVariableSaveable)
        return rv.assign_variable_op(self.handle, restored)


class _SpecSaveable:
    """One `SaveSpec` of a `SaveableObject` (TF's interface: `op`, `specs`, `name`,
    `restore(restored_tensors, restored_shapes)`), e.g. an iterator's state from
    `tf.data.experimental.make_saveable_from_iterator`: saved under the spec's name;
    restored through its owner once every spec of it is read."""

    __slots__ = ("dtype", "index", "name", "op", "owner", "slice_spec", "tensor")

    def __init__(self, owner, index: int) -> None:
        spec = owner.specs[index]
        self.owner = owner
        self.index = index
        self.tensor = spec.tensor
        self.op = owner.op
        self.slice_spec = spec.slice_spec
        self.name = spec.name
        self.dtype = spec.dtype

    @property
    def device(self) -> str:
        return getattr(self.tensor, "device", "") or ""

    def restore(self, restored: Tensor, shape):
        raise AssertionError("restored through its owner")  # (see _add_restore_ops)


def _is_saveable_object(x) -> bool:
    return hasattr(x, "specs") and hasattr(x, "restore") and not _is_variable(x)


def _is_resource_variable(x) -> bool:
    return _is_variable(x) and getattr(x, "handle", None) is not None


def _is_variable(x) -> bool:
    from tfgraph.variables import Variable

    return isinstance(x, Variable)


def _is_partitioned(x) -> bool:
    return not _is_variable(x) and hasattr(x, "_get_variable_list")


def _ref_tensor(var) -> Tensor:
    t = convert_to_tensor(var, as_ref=True)
    return t


def _flatten(items):
    for x in items:
        if isinstance(x, (list, tuple)):
            yield from _flatten(x)
        else:
            yield x


def op_list_to_dict(op_list) -> dict:
    """{checkpoint key: variable, ref tensor or list of slices} for a list of variables.

    Raises:
        TypeError: for something that is not a variable.
        ValueError: when two variables would be saved under one name.
    """
    if not isinstance(op_list, (list, tuple, set)):
        raise TypeError(f"Variables to save should be passed in a dict or a list. Got {op_list}")
    items = sorted(_flatten(list(op_list)), key=lambda x: x.name)
    out: dict = {}
    for var in items:
        if _is_saveable_object(var) or _is_partitioned(var):
            if var.name in out:
                raise ValueError(f"At least two variables have the same name: {var.name}")
            out[var.name] = var
        elif _is_variable(var) and var._save_slice_info is not None:
            name = var._save_slice_info.full_name
            if name in out:
                if not isinstance(out[name], list):
                    raise ValueError(f"Mixing slices and non-slices with the same name: {name}")
                out[name].append(var)
            else:
                out[name] = [var]
        elif _is_resource_variable(var):
            name = var.op.name
            if name in out:
                raise ValueError(f"At least two variables have the same name: {name}")
            out[name] = var
        else:
            t = _ref_tensor(var) if _is_variable(var) else var
            if not isinstance(t, Tensor) or not t.op._op_def.variable:
                raise TypeError(f"Variable to save is not a Variable: {t}")
            name = t.op.name
            if name in out:
                raise ValueError(f"At least two variables have the same name: {name}")
            out[name] = t
    return out


def _saveables_for(op, name: str):
    if not isinstance(name, str):
        raise TypeError(
            "names_to_saveables must be a dict mapping string names to trackable operations. "
            f"Name is not a string: {name}"
        )
    if _is_saveable_object(op):
        for i in range(len(op.specs)):
            yield _SpecSaveable(op, i)
        return
    if isinstance(op, (list, tuple)) or _is_partitioned(op):
        variables = list(op._get_variable_list()) if _is_partitioned(op) else list(op)
        slice_name = None
        for v in variables:
            if not _is_variable(v):
                raise ValueError(f"Slices must all be Variables: {v}")
            info = v._save_slice_info
            if info is None:
                raise ValueError(f"Slices must all be slices: {v}")
            if slice_name is None:
                slice_name = info.full_name
            elif slice_name != info.full_name:
                raise ValueError(
                    f"Slices must all be from the same tensor: {slice_name} != {info.full_name}"
                )
            if _is_resource_variable(v):
                yield _ResourceSaveable(v, info.spec, name)
            else:
                yield _Saveable(_ref_tensor(v), info.spec, name)
        return
    if _is_resource_variable(op):
        yield _ResourceSaveable(op, "", name)
        return
    t = _ref_tensor(op) if _is_variable(op) else op
    if not isinstance(t, Tensor) or not t.op._op_def.variable:
        raise TypeError(
            "names_to_saveables must be a dict mapping string names to Tensors/Variables. "
            f"Not a variable: {t}"
        )
    yield _Saveable(t, "", name)


def validate_and_slice_inputs(names_to_saveables: Mapping) -> list[_Saveable]:
    """The saveables of a {name: variable} dict, sorted by name.

    Raises:
        ValueError: if one variable is given under two names.
    """
    out: list = []
    seen: set = set()
    for name, op in sorted(names_to_saveables.items(), key=lambda kv: kv[0]):
        for saveable in _saveables_for(op, name):
            key = (
                (id(saveable.owner), saveable.index)
                if isinstance(saveable, _SpecSaveable)
                else id(saveable.op.op)
            )
            if key in seen:
                raise ValueError(
                    f"The same saveable will be restored with two names: {saveable.name}"
                )
            seen.add(key)
            out.append(saveable)
    return out


def _all_saveable_objects(scope=None) -> list:
    g = get_default_graph()
    return g.get_collection(GraphKeys.GLOBAL_VARIABLES, scope) + g.get_collection(
        GraphKeys.SAVEABLE_OBJECTS, scope
    )


def _set_cpu0(device: str) -> str:
    spec = DeviceSpec.from_string(device or "")
    return spec.replace(device_type="CPU", device_index=0).to_string()


# -- building the saver subgraph --------------------------------------------------------------
class BaseSaverBuilder:
    """Builds the save/restore ops of a `Saver` (TF's `BulkSaverBuilder`: one
    RestoreV2 op reads every tensor)."""

    def __init__(self, write_version=_V2) -> None:
        self._write_version = int(write_version)

    # save ----------------------------------------------------------------------------------
    def save_op(self, filename_tensor, saveables):
        return io_ops.save_v2(
            filename_tensor,
            [s.name for s in saveables],
            [s.slice_spec for s in saveables],
            [s.tensor for s in saveables],
        )

    def _add_save_ops(self, filename_tensor, saveables):
        save = self.save_op(filename_tensor, saveables)
        return control_flow_ops.with_dependencies([save], filename_tensor)

    def _add_sharded_save_ops(self, checkpoint_prefix, per_device):
        g = get_default_graph()
        with g.device("/device:CPU:*"):
            from tfgraph.framework import registry

            if registry.lookup("Select") is None:  # pragma: no cover - until Select is merged
                raise NotImplementedError(
                    "Saver(sharded=True) needs the Select op, which is not registered in "
                    "this build of tfgraph."
                )
            is_s3 = io_ops.static_regex_full_match(checkpoint_prefix, "^s3://.*")
            part = array_ops.constant(".part")
            temp = array_ops.constant(os.path.normpath("_temp/part"))
            suffix = g._create_op("Select", [is_s3, part, temp], {}, None)._outputs[0]
            tmp_prefix = io_ops.string_join([checkpoint_prefix, suffix])
        num_shards = array_ops.constant(len(per_device), name="num_shards")
        saves, prefixes = [], []
        last_device = None
        for shard, (device, saveables) in enumerate(per_device):
            last_device = device
            with g.device(_set_cpu0(device)):
                filename = io_ops.sharded_filename(tmp_prefix, shard, num_shards)
                prefixes.append(filename)
                saves.append(self._add_save_ops(filename, saveables))
        with g.control_dependencies([x.op for x in saves]):
            with g.device(_set_cpu0(last_device)):
                merge = io_ops.merge_v2_checkpoints(
                    prefixes, checkpoint_prefix, delete_old_dirs=True
                )
                with g.control_dependencies([merge]):
                    return array_ops.identity(checkpoint_prefix)

    # restore -------------------------------------------------------------------------------
    def bulk_restore(self, filename_tensor, saveables, preferred_shard, restore_sequentially):
        del preferred_shard, restore_sequentially
        g = get_default_graph()
        with g.device("cpu:0"):
            return io_ops.restore_v2(
                filename_tensor,
                [s.name for s in saveables],
                [s.slice_spec for s in saveables],
                [s.dtype for s in saveables],
            )

    def _add_restore_ops(
        self,
        filename_tensor,
        saveables,
        restore_sequentially,
        reshape,
        preferred_shard=-1,
        name="restore_all",
    ):
        tensors = self.bulk_restore(
            filename_tensor, saveables, preferred_shard, restore_sequentially
        )
        assigns = []
        owned: dict = {}
        for saveable, restored in zip(saveables, tensors):
            if isinstance(saveable, _SpecSaveable):
                got = owned.setdefault(id(saveable.owner), {})
                got[saveable.index] = restored
                if len(got) == len(saveable.owner.specs):
                    parts = [got[i] for i in range(len(got))]
                    assigns.append(saveable.owner.restore(parts, None))
                continue
            shape = None
            if reshape:
                var_shape = saveable.tensor.shape
                shape = (
                    var_shape.as_list()
                    if var_shape.is_fully_defined()
                    else array_ops.shape(saveable.tensor)
                )
            assigns.append(saveable.restore(restored, shape))
        return control_flow_ops.group(*assigns, name=name)

    def _add_sharded_restore_ops(self, filename_tensor, per_device, restore_sequentially, reshape):
        g = get_default_graph()
        restores = []
        for shard, (device, saveables) in enumerate(per_device):
            with g.device(device or None):
                restores.append(
                    self._add_restore_ops(
                        filename_tensor,
                        saveables,
                        restore_sequentially,
                        reshape,
                        preferred_shard=shard,
                        name="restore_shard",
                    )
                )
        return control_flow_ops.group(*restores, name="restore_all")

    @staticmethod
    def _group_by_devices(saveables):
        per_device: dict[str, list] = {}
        for s in saveables:
            per_device.setdefault(canonical_name(s.device) if s.device else "", []).append(s)
        return sorted(per_device.items(), key=lambda kv: kv[0])

    # the whole subgraph --------------------------------------------------------------------
    def _build_internal(
        self,
        names_to_saveables,
        reshape=False,
        sharded=False,
        max_to_keep=5,
        keep_checkpoint_every_n_hours=10000.0,
        name=None,
        restore_sequentially=False,
        filename="model",
        build_save=True,
        build_restore=True,
    ):
        if not (build_save and build_restore):
            raise ValueError(
                "save and restore operations need to be built together  when eager execution "
                "is not enabled."
            )
        if not isinstance(names_to_saveables, Mapping):
            names_to_saveables = op_list_to_dict(names_to_saveables)
        saveables = validate_and_slice_inputs(names_to_saveables)
        if max_to_keep is None:
            max_to_keep = 0
        g = get_default_graph()
        with g.name_scope(name or "save"):
            filename_tensor = op_output(
                "PlaceholderWithDefault",
                "filename",
                [filename or "model"],
                {"shape": TensorShape([])},
            )
            filename_tensor = op_output(
                "PlaceholderWithDefault", "Const", [filename_tensor], {"shape": TensorShape([])}
            )
            if sharded:
                per_device = self._group_by_devices(saveables)
                save_tensor = self._add_sharded_save_ops(filename_tensor, per_device)
                restore_op = self._add_sharded_restore_ops(
                    filename_tensor, per_device, restore_sequentially, reshape
                )
            else:
                save_tensor = self._add_save_ops(filename_tensor, saveables)
                restore_op = self._add_restore_ops(
                    filename_tensor, saveables, restore_sequentially, reshape
                )
        return _saver_def_class()(
            filename_tensor_name=filename_tensor.name,
            save_tensor_name=save_tensor.name,
            restore_op_name=restore_op.name,
            max_to_keep=max_to_keep,
            sharded=sharded,
            keep_checkpoint_every_n_hours=keep_checkpoint_every_n_hours,
            version=self._write_version,
        )

    def build(self, names_to_saveables, reshape=False, sharded=False, max_to_keep=5,
              keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
              filename="model"):  # fmt: skip
        """Adds the save/restore ops; returns the `SaverDef`."""
        return self._build_internal(
            names_to_saveables,
            reshape=reshape,
            sharded=sharded,
            max_to_keep=max_to_keep,
            keep_checkpoint_every_n_hours=keep_checkpoint_every_n_hours,
            name=name,
            restore_sequentially=restore_sequentially,
            filename=filename,
        )


BulkSaverBuilder = BaseSaverBuilder


def _nonempty(var_list) -> bool:
    """`bool(var_list)` without asking a Variable for its truth value."""
    if var_list is None:
        return False
    if isinstance(var_list, (list, tuple, set, dict, Mapping)):
        return len(var_list) > 0
    return True


# -- Saver ------------------------------------------------------------------------------------
def _is_session(sess) -> bool:
    from tfgraph.client.session import BaseSession

    return isinstance(sess, BaseSession)


def _wrap_restore_error(err: errors.OpError, extra: str) -> errors.OpError:
    message = (
        f"Restoring from checkpoint failed. This is most likely due to {extra} from the "
        "checkpoint. Please ensure that you have not altered the graph expected based on the "
        f"checkpoint. Original error:\n\n{err.message}"
    )
    return err.__class__(err.node_def, err.op, message)


class Saver:
    """Saves and restores variables (TF1 `tf.compat.v1.train.Saver`).

    Args:
        var_list: a list of variables (saved under their op names) or a dict
            {checkpoint key: variable}; None = all global variables and saveable
            objects.
        reshape: allow restoring into variables of another shape with the same number
            of elements.
        sharded: one data shard per device, merged into one checkpoint on save.
        max_to_keep: number of recent checkpoints kept on disk (None or 0: all).
        keep_checkpoint_every_n_hours: also keep one checkpoint per this many hours.
        name: name scope of the saver's ops (default "save"); with `saver_def`, the
            import scope prepended to its names.
        restore_sequentially: accepted (restores are one op in tfgraph).
        saver_def: rebuild a Saver for an existing graph from its `SaverDef`.
        builder: a `BaseSaverBuilder` (default: one RestoreV2 for all tensors).
        defer_build: build the ops in `build()` instead of the constructor.
        allow_empty: with no variables, make a no-op saver instead of raising.
        write_version: `SaverDef.V2` (the only format tfgraph writes).
        pad_step_number: zero-pad the global step in file names to 8 digits.
        save_relative_paths: store relative paths in the `checkpoint` file.
        filename: default prefix baked into the graph (`save/filename/input`).

    Raises:
        ValueError: no variables to save (unless `allow_empty`), duplicate names, a
            `var_list` with `defer_build`, or a V1 `write_version`.
        TypeError: `var_list` holds something other than variables.
    """

    def __init__(
        self,
        var_list=None,
        reshape: bool = False,
        sharded: bool = False,
        max_to_keep: int | None = 5,
        keep_checkpoint_every_n_hours: float = 10000.0,
        name: str | None = None,
        restore_sequentially: bool = False,
        saver_def=None,
        builder=None,
        defer_build: bool = False,
        allow_empty: bool = False,
        write_version=_V2,
        pad_step_number: bool = False,
        save_relative_paths: bool = False,
        filename: str | None = None,
    ) -> None:
        # Saves from several threads (a Supervisor's checkpoint thread and the training
        # loop) run one at a time: the state file names the last save to start.
        self._save_lock = threading.Lock()
        if defer_build and _nonempty(var_list):
            raise ValueError(
                "If `var_list` is provided then build cannot be deferred. Either set "
                "defer_build=False or var_list=None."
            )
        if int(write_version) != _V2 and saver_def is None:
            raise ValueError(
                "tfgraph writes V2 checkpoints only: use write_version=tf.train.SaverDef.V2 "
                f"(got {write_version})."
            )
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._name = name
        self._restore_sequentially = restore_sequentially
        self.saver_def = saver_def
        self._builder = builder
        self._is_built = False
        self._allow_empty = allow_empty
        self._is_empty: bool | None = None
        self._write_version = int(write_version)
        self._pad_step_number = pad_step_number
        self._filename = filename
        self._last_checkpoints: list[tuple[str, float]] = []
        self._checkpoints_to_be_deleted: list[tuple[str, float]] = []
        if not defer_build:
            self.build()
        if self.saver_def is not None:
            self._check_saver_def()
            self._write_version = int(self.saver_def.version)
        self._save_relative_paths = save_relative_paths

    # -- building ----------------------------------------------------------------------------
    def build(self) -> None:
        """Adds the save and restore ops (done by the constructor unless deferred)."""
        self._build(self._filename)

    def _build(self, checkpoint_path) -> None:
        if self._is_built:
            return
        self._is_built = True
        if self.saver_def is None:
            if self._builder is None:
                self._builder = BaseSaverBuilder(self._write_version)
            if self._var_list is None:
                self._var_list = _all_saveable_objects()
            if not _nonempty(self._var_list):
                if self._allow_empty:
                    self._is_empty = True
                    return
                raise ValueError("No variables to save")
            self._is_empty = False
            self.saver_def = self._builder._build_internal(
                self._var_list,
                reshape=self._reshape,
                sharded=self._sharded,
                max_to_keep=self._max_to_keep,
                keep_checkpoint_every_n_hours=self._keep_checkpoint_every_n_hours,
                name=self._name,
                restore_sequentially=self._restore_sequentially,
                filename=checkpoint_path,
            )
        elif self._name:
            sd = self.saver_def
            sd.filename_tensor_name = _meta_graph.prepend_name_scope(
                sd.filename_tensor_name, self._name
            )
            sd.save_tensor_name = _meta_graph.prepend_name_scope(sd.save_tensor_name, self._name)
            sd.restore_op_name = _meta_graph.prepend_name_scope(sd.restore_op_name, self._name)
        self._check_saver_def()
        self._next_checkpoint_time = (
            time.time() + self.saver_def.keep_checkpoint_every_n_hours * 3600
        )

    def _check_saver_def(self) -> None:
        if not isinstance(self.saver_def, _saver_def_class()):
            raise ValueError(f"saver_def must be a saver_pb2.SaverDef: {self.saver_def}")
        if not self.saver_def.save_tensor_name:
            raise ValueError(f"saver_def must specify the save_tensor_name: {self.saver_def}")
        if not self.saver_def.restore_op_name:
            raise ValueError(f"saver_def must specify the restore_op_name: {self.saver_def}")

    # -- protos ------------------------------------------------------------------------------
    def as_saver_def(self):
        """The `SaverDef` of this saver."""
        return self.saver_def

    def to_proto(self, export_scope=None):
        """The `SaverDef` with `export_scope` stripped (None if a name is outside it)."""
        if export_scope is None:
            return self.saver_def
        sd = self.saver_def
        if not (
            sd.filename_tensor_name.startswith(export_scope)
            and sd.save_tensor_name.startswith(export_scope)
            and sd.restore_op_name.startswith(export_scope)
        ):
            return None
        out = _saver_def_class()()
        out.CopyFrom(sd)
        out.filename_tensor_name = _meta_graph.strip_name_scope(
            out.filename_tensor_name, export_scope
        )
        out.save_tensor_name = _meta_graph.strip_name_scope(out.save_tensor_name, export_scope)
        out.restore_op_name = _meta_graph.strip_name_scope(out.restore_op_name, export_scope)
        return out

    @staticmethod
    def from_proto(saver_def, import_scope=None) -> Saver:
        """A Saver for an existing graph, from its `SaverDef`."""
        return Saver(saver_def=saver_def, name=import_scope)

    # -- checkpoint bookkeeping --------------------------------------------------------------
    @property
    def last_checkpoints(self) -> list[str]:
        """The not-yet-deleted checkpoint prefixes, oldest first."""
        return [p for p, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints) -> None:
        """Sets the list of old checkpoint prefixes (deprecated in TF)."""
        if not isinstance(last_checkpoints, list):
            raise AssertionError("last_checkpoints must be a list")
        self._last_checkpoints = [(s, np.inf) for s in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time) -> None:
        """Sets the list of old (prefix, timestamp) pairs."""
        if not isinstance(last_checkpoints_with_time, list):
            raise AssertionError("last_checkpoints_with_time must be a list")
        self._last_checkpoints = list(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths) -> None:
        """After a restart: takes `checkpoint_paths` that still exist (with their file
        times) as the saver's recent checkpoints."""
        pairs = []
        for path in checkpoint_paths:
            mtimes = checkpoint_management.get_checkpoint_mtimes([path])
            if mtimes:
                pairs.append((path, mtimes[0]))
        self.set_last_checkpoints_with_time(pairs)

    def _record_last_checkpoint(self, latest_save_path: str) -> None:
        if not self.saver_def.max_to_keep:
            return
        self._last_checkpoints = [p for p in self._last_checkpoints if p[0] != latest_save_path]
        self._last_checkpoints.append((latest_save_path, time.time()))
        if len(self._last_checkpoints) > self.saver_def.max_to_keep:
            self._checkpoints_to_be_deleted.append(self._last_checkpoints.pop(0))

    def _maybe_delete_old_checkpoints(self, meta_graph_suffix: str = "meta") -> None:
        if not self._checkpoints_to_be_deleted:
            return
        path, stamp = self._checkpoints_to_be_deleted.pop(0)
        if stamp > self._next_checkpoint_time:
            self._next_checkpoint_time += self.saver_def.keep_checkpoint_every_n_hours * 3600
            return
        try:
            checkpoint_management.remove_checkpoint(path, self.saver_def.version, meta_graph_suffix)
        except OSError as e:
            _log.warning("Ignoring: %s", e)

    # -- save / restore ----------------------------------------------------------------------
    def save(
        self,
        sess,
        save_path,
        global_step=None,
        latest_filename: str | None = None,
        meta_graph_suffix: str = "meta",
        write_meta_graph: bool = True,
        write_state: bool = True,
        strip_default_attrs: bool = False,
        save_debug_info: bool = False,
    ):
        """Saves the variables; returns the checkpoint prefix (None for an empty saver).

        Args:
            sess: the session holding the variable values.
            save_path: prefix of the checkpoint files.
            global_step: appended to the prefix (`model-7`): an int, or a tensor /
                variable / tensor name evaluated in `sess`.
            latest_filename: the state file's name (default "checkpoint").
            meta_graph_suffix: extension of the MetaGraphDef file.
            write_meta_graph: also write `PREFIX.meta`.
            write_state: update the state file (and delete old checkpoints).
            strip_default_attrs: drop default-valued attrs from the `.meta` graph.
            save_debug_info: ignored.

        Raises:
            TypeError: `sess` is not a Session.
            ValueError: the prefix collides with the state file, or its parent
                directory does not exist ("Parent directory of ... doesn't exist,
                can't save.").
            RuntimeError: the saver was deferred and not built yet.
        """
        del save_debug_info
        if not self._is_built:
            raise RuntimeError("`build()` should be called before save if defer_build==True")
        if latest_filename is None:
            latest_filename = "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        save_path = os.fspath(save_path)
        if isinstance(save_path, bytes):
            save_path = save_path.decode()
        with self._save_lock:
            return self._save(
                sess, save_path, global_step, latest_filename, meta_graph_suffix,
                write_meta_graph, write_state, strip_default_attrs,
            )  # fmt: skip

    def _save(
        self, sess, save_path, global_step, latest_filename, meta_graph_suffix,
        write_meta_graph, write_state, strip_default_attrs,
    ):  # fmt: skip
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = _global_step_value(sess, global_step)
            if self._pad_step_number:
                checkpoint_file = f"{save_path}-{int(global_step):08d}"
            else:
                checkpoint_file = f"{save_path}-{int(global_step)}"
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename and not self._sharded:
                raise ValueError(
                    f"'latest_filename' collides with 'save_path': '{latest_filename}' and "
                    f"'{save_path}'"
                )
        if not _is_session(sess):
            raise TypeError(f"'sess' must be a Session; {sess}")
        from tfgraph.io.gfile import local_path

        save_path_parent = os.path.dirname(save_path)
        model_checkpoint_path = None
        if not self._is_empty:
            try:
                result = sess.run(
                    self.saver_def.save_tensor_name,
                    {self.saver_def.filename_tensor_name: checkpoint_file},
                )
            except (errors.FailedPreconditionError, errors.NotFoundError) as exc:
                if save_path_parent and not os.path.isdir(local_path(save_path_parent)):
                    raise ValueError(
                        f"Parent directory of {save_path} doesn't exist, can't save."
                    ) from exc
                raise
            model_checkpoint_path = result.decode() if isinstance(result, bytes) else str(result)
        if write_meta_graph:
            # Before the state file: a checkpoint the state names always has its .meta.
            meta_file = checkpoint_management.meta_graph_filename(
                checkpoint_file, meta_graph_suffix=meta_graph_suffix
            )
            with sess.graph.as_default():
                self.export_meta_graph(meta_file, strip_default_attrs=strip_default_attrs)
        if model_checkpoint_path is not None and write_state:
            self._record_last_checkpoint(model_checkpoint_path)
            checkpoint_management.update_checkpoint_state_internal(
                save_path_parent,
                model_checkpoint_path,
                self.last_checkpoints,
                latest_filename=latest_filename,
                save_relative_paths=self._save_relative_paths,
            )
            self._maybe_delete_old_checkpoints(meta_graph_suffix=meta_graph_suffix)
        return model_checkpoint_path

    def restore(self, sess, save_path) -> None:
        """Restores the variables from the checkpoint `save_path` (a prefix).

        Raises:
            ValueError: `save_path` is None or names no checkpoint ("The passed save_path
                is not a valid checkpoint").
            NotFoundError: a variable's key is not in the checkpoint.
            InvalidArgumentError: a shape or dtype does not match the checkpoint.
        """
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        prefix = os.fspath(save_path)
        if isinstance(prefix, bytes):
            prefix = prefix.decode()
        if not checkpoint_management.checkpoint_exists(prefix):
            raise ValueError(
                f"The passed save_path is not a valid checkpoint: {prefix} (Restore called "
                "with invalid save path: no such checkpoint)"
            )
        _log.info("Restoring parameters from %s", prefix)
        try:
            sess.run(self.saver_def.restore_op_name, {self.saver_def.filename_tensor_name: prefix})
        except errors.NotFoundError as err:
            raise _wrap_restore_error(
                err, "a Variable name or other graph key that is missing"
            ) from None
        except errors.InvalidArgumentError as err:
            raise _wrap_restore_error(
                err, "a mismatch between the current graph and the graph"
            ) from None

    def export_meta_graph(
        self,
        filename=None,
        collection_list=None,
        as_text: bool = False,
        export_scope=None,
        clear_devices: bool = False,
        clear_extraneous_savers: bool = False,
        strip_default_attrs: bool = False,
        save_debug_info: bool = False,
    ):
        """Writes (and returns) the default graph's `MetaGraphDef` with this saver."""
        return export_meta_graph(
            filename=filename,
            graph_def=get_default_graph().as_graph_def(add_shapes=True),
            saver_def=self.saver_def,
            collection_list=collection_list,
            as_text=as_text,
            export_scope=export_scope,
            clear_devices=clear_devices,
            clear_extraneous_savers=clear_extraneous_savers,
            strip_default_attrs=strip_default_attrs,
            save_debug_info=save_debug_info,
        )


def _global_step_value(sess, global_step) -> int:
    if isinstance(global_step, str):
        global_step = sess.graph.as_graph_element(global_step)
    return int(sess.run(global_step))


_meta_graph.register_proto_function(
    GraphKeys.SAVERS,
    proto_type=_saver_def_class,
    to_proto=Saver.to_proto,
    from_proto=Saver.from_proto,
)


# -- meta graphs --------------------------------------------------------------------------------
def export_meta_graph(
    filename=None,
    meta_info_def=None,
    graph_def=None,
    saver_def=None,
    collection_list=None,
    as_text: bool = False,
    graph=None,
    export_scope=None,
    clear_devices: bool = False,
    clear_extraneous_savers: bool = False,
    strip_default_attrs: bool = False,
    save_debug_info: bool = False,
    **kwargs,
):
    """Returns the `MetaGraphDef` of `graph` (default graph), also written to `filename`
    if given (binary, or text with `as_text`)."""
    mgd, _ = _meta_graph.export_scoped_meta_graph(
        filename=filename,
        meta_info_def=meta_info_def,
        graph_def=graph_def,
        saver_def=saver_def,
        collection_list=collection_list,
        as_text=as_text,
        graph=graph,
        export_scope=export_scope,
        clear_devices=clear_devices,
        clear_extraneous_savers=clear_extraneous_savers,
        strip_default_attrs=strip_default_attrs,
        save_debug_info=save_debug_info,
        **kwargs,
    )
    return mgd


def import_meta_graph(meta_graph_or_file, clear_devices: bool = False, import_scope=None, **kwargs):
    """Imports a `MetaGraphDef` (proto or `.meta` / text file) into the default graph.

    Returns:
        A `Saver` built from the MetaGraphDef's `saver_def` (or a default Saver when
        it has none but defines variables), or None when there is nothing to restore.
    """
    return _import_meta_graph_with_return_elements(
        meta_graph_or_file, clear_devices, import_scope, **kwargs
    )[0]


def _import_meta_graph_with_return_elements(
    meta_graph_or_file, clear_devices=False, import_scope=None, return_elements=None, **kwargs
):
    from tfgraph import proto

    if isinstance(meta_graph_or_file, proto.MetaGraphDef):
        mgd = meta_graph_or_file
    else:
        mgd = _meta_graph.read_meta_graph_file(meta_graph_or_file)
    imported_vars, returned = _meta_graph.import_scoped_meta_graph_with_return_elements(
        mgd,
        clear_devices=clear_devices,
        import_scope=import_scope,
        return_elements=return_elements,
        **kwargs,
    )
    return _saver_from_imported(mgd, import_scope, imported_vars), returned


def _saver_from_imported(mgd, import_scope, imported_vars):
    if mgd.HasField("saver_def"):
        scope = import_scope
        if imported_vars:
            key = next(iter(imported_vars))
            scope = imported_vars[key].name[: -len(key)]
        saver_def = _saver_def_class()()
        saver_def.CopyFrom(mgd.saver_def)
        return Saver(saver_def=saver_def, name=scope)
    if _all_saveable_objects(scope=import_scope):
        return Saver()
    _log.info("Saver not created because there are no variables in the graph to restore")
    return None

"""Reading checkpoints without a graph (`tf.train.load_checkpoint`, `list_variables`,
`load_variable`, `NewCheckpointReader`) and `tf.train.init_from_checkpoint`.

`CheckpointReader` is TF's `py_checkpoint_reader.CheckpointReader` on top of
`tfgraph.io.bundle.BundleReader`: every read is size- and CRC-checked (DataLossError
naming the file on corruption), partitioned tensors come back whole, and a scalar
comes back as a numpy scalar as in TF.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.training import checkpoint_management

__all__ = [
    "CheckpointReader",
    "NewCheckpointReader",
    "checkpoints_iterator",
    "init_from_checkpoint",
    "list_variables",
    "load_checkpoint",
    "load_variable",
    "wait_for_new_checkpoint",
]

_log = logging.getLogger("tfgraph")


class CheckpointReader:
    """Reads the tensors of a V2 checkpoint (TF's `CheckpointReader`).

    Args:
        filepattern: the checkpoint prefix (`/ckpt/model-7`).

    Raises:
        NotFoundError: "Unsuccessful TensorSliceReader constructor: Failed to find any
            matching files for ..." when there is no such checkpoint.
        DataLossError: if the index is corrupt.
    """

    def __init__(self, filepattern) -> None:
        from tfgraph.io.bundle import BundleReader

        prefix = os.fspath(filepattern)
        if isinstance(prefix, bytes):
            prefix = prefix.decode()
        if not os.path.exists(prefix + ".index") and os.path.isfile(prefix):
            raise errors.UnimplementedError(
                None,
                None,
                f"{prefix} looks like a V1 checkpoint (one file, no .index); tfgraph reads V2 "
                "checkpoints only.",
            )
        self._reader = BundleReader(prefix)
        self._prefix = prefix

    def has_tensor(self, tensor_str) -> bool:
        """Whether the checkpoint holds `tensor_str`."""
        return _text(tensor_str) in self._reader

    def get_tensor(self, tensor_str):
        """The value of `tensor_str` (NotFoundError "Key ... not found in checkpoint")."""
        value = self._reader.read(_text(tensor_str))
        if value.ndim == 0:
            return value[()]
        return value

    def get_variable_to_shape_map(self) -> dict[str, list[int]]:
        """{key: shape as a list} of every tensor."""
        return self._reader.variable_to_shape_map()

    def get_variable_to_dtype_map(self) -> dict:
        """{key: DType} of every tensor."""
        return self._reader.variable_to_dtype_map()

    def debug_string(self) -> bytes:
        """One line per tensor: `name (DT_FLOAT) [2,3]`, as TF prints them."""
        from tfgraph import proto

        lines = []
        for key in self._reader:
            entry = self._reader.entry(key)
            dims = ",".join(str(d.size) for d in entry.shape.dim)
            lines.append(f"{key} ({proto.DataType.Name(entry.dtype)}) [{dims}]\n")
        return "".join(lines).encode("utf-8")

    def close(self) -> None:
        self._reader.close()

    def __repr__(self) -> str:
        return f"<CheckpointReader {self._prefix}>"


def _text(name) -> str:
    return name.decode("utf-8") if isinstance(name, bytes) else str(name)


def NewCheckpointReader(filepattern) -> CheckpointReader:
    """A `CheckpointReader` for the checkpoint prefix `filepattern`."""
    return CheckpointReader(filepattern)


def _get_checkpoint_filename(ckpt_dir_or_file):
    path = os.fspath(ckpt_dir_or_file)
    if isinstance(path, bytes):
        path = path.decode()
    if os.path.isdir(path):
        return checkpoint_management.latest_checkpoint(path)
    return path


def load_checkpoint(ckpt_dir_or_file) -> CheckpointReader:
    """A `CheckpointReader` for a checkpoint prefix, or for the latest checkpoint of a
    directory.

    Raises:
        ValueError: a directory without a (valid) `checkpoint` state file.
    """
    filename = _get_checkpoint_filename(ckpt_dir_or_file)
    if filename is None:
        raise ValueError(
            f"Couldn't find 'checkpoint' file or checkpoints in given directory {ckpt_dir_or_file}"
        )
    return CheckpointReader(filename)


def load_variable(ckpt_dir_or_file, name: str):
    """The value of variable `name` (a trailing ":0" is ignored) in the checkpoint."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def list_variables(ckpt_dir_or_file) -> list[tuple[str, list[int]]]:
    """Sorted (key, shape) pairs of the tensors in the checkpoint."""
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return [(name, shapes[name]) for name in sorted(shapes)]


def wait_for_new_checkpoint(
    checkpoint_dir, last_checkpoint=None, seconds_to_sleep: float = 1, timeout=None
):
    """Waits until `checkpoint_dir` has a checkpoint other than `last_checkpoint`;
    returns its prefix, or None after `timeout` seconds."""
    stop_time = time.time() + timeout if timeout is not None else None
    while True:
        path = checkpoint_management.latest_checkpoint(checkpoint_dir)
        if path is None or path == last_checkpoint:
            if stop_time is not None and time.time() + seconds_to_sleep > stop_time:
                return None
            time.sleep(seconds_to_sleep)
        else:
            _log.info("Found new checkpoint at %s", path)
            return path


def checkpoints_iterator(checkpoint_dir, min_interval_secs=0, timeout=None, timeout_fn=None):
    """Yields new checkpoint prefixes of `checkpoint_dir` as they appear."""
    path = None
    while True:
        new = wait_for_new_checkpoint(checkpoint_dir, path, timeout=timeout)
        if new:
            start = time.time()
            path = new
            yield path
            wait = start + min_interval_secs - time.time()
            if wait > 0:
                time.sleep(wait)
        elif timeout_fn is None:
            _log.info("Timed-out waiting for a checkpoint (without timeout_fn).")
            return
        if timeout_fn is not None and timeout_fn():
            _log.info("Done. No new checkpoints will be generated.")
            return


# -- init_from_checkpoint -------------------------------------------------------------------
def _is_variable(x) -> bool:
    from tfgraph.variables import Variable

    return isinstance(x, Variable)


def _store_variables() -> dict:
    """{name: variable} of the default graph: the get_variable store, else globals."""
    g = get_default_graph()
    store = getattr(g, "_variable_store", None)
    found = getattr(store, "_vars", None)
    if isinstance(found, Mapping) and found:
        return dict(found)
    out: dict = {}
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES):
        for v in g.get_collection(key):
            if _is_variable(v):
                out.setdefault(v.op.name, v)
    return out


def _collect_partitioned_variable(name: str, all_vars: dict):
    if name + "/part_0" not in all_vars:
        return None
    out = []
    i = 0
    while f"{name}/part_{i}" in all_vars:
        out.append(all_vars[f"{name}/part_{i}"])
        i += 1
    return out


def _set_checkpoint_initializer(variable, ckpt_file: str, tensor_name: str, slice_spec: str):
    """Makes `variable`'s initializer restore `tensor_name` from `ckpt_file`."""
    from tfgraph.ops import io_ops, state_ops

    g = get_default_graph()
    base = variable.dtype.base_dtype
    with g.device(variable.device or None), g.device("/cpu:0"):
        restored = io_ops.restore_v2(
            ckpt_file, [tensor_name], [slice_spec], [base], name="checkpoint_initializer"
        )[0]
    ref = variable._variable
    if ref.dtype._base is dtypes.resource:  # a resource variable: as its saver restores
        from tfgraph.ops import array_ops, resource_variable_ops

        with g.device(ref.device):
            value = array_ops.identity(restored)
        variable._initializer_op = resource_variable_ops.assign_variable_op(ref, value)
    else:
        init = state_ops.assign(ref, restored, validate_shape=ref.shape.is_fully_defined())
        variable._initializer_op = init.op
    restored.set_shape(variable.shape)
    variable._initial_value = restored


def _set_variable_or_list_initializer(var_or_list, ckpt_file: str, tensor_name: str) -> None:
    if isinstance(var_or_list, (list, tuple)):
        slice_name = None
        for v in var_or_list:
            info = v._save_slice_info
            if slice_name is None:
                slice_name = info.full_name
            elif slice_name != info.full_name:
                raise ValueError(
                    f"Slices must all be from the same tensor: {slice_name} != {info.full_name}"
                )
            _set_checkpoint_initializer(v, ckpt_file, tensor_name, info.spec)
    else:
        _set_checkpoint_initializer(var_or_list, ckpt_file, tensor_name, "")


def init_from_checkpoint(ckpt_dir_or_file, assignment_map) -> None:
    """Replaces variables' initializers so they load values from a checkpoint.

    `assignment_map` maps checkpoint names to variables (or variable names, or lists
    of partition variables), or checkpoint scopes to scopes: `{"old/": "new/"}`,
    `{"/": "scope/"}` (the checkpoint's root into `scope`).

    Raises:
        ValueError: a tensor missing from the checkpoint, a shape mismatch, a scope
            mapped to a non-scope, or no checkpoint found.
    """
    ckpt_file = _get_checkpoint_filename(ckpt_dir_or_file)
    reader = load_checkpoint(ckpt_dir_or_file)
    variable_map = reader.get_variable_to_shape_map()
    if isinstance(assignment_map, Mapping):
        assignment_map = assignment_map.items()
    store_vars = None
    for tensor_name_in_ckpt, current in sorted(assignment_map, key=lambda p: p[0]):
        var = None
        if _is_variable(current) or (
            isinstance(current, list) and all(_is_variable(v) for v in current)
        ):
            var = current
        else:
            if store_vars is None:
                store_vars = _store_variables()
            var = store_vars.get(current)
            if var is None:
                var = _collect_partitioned_variable(current, store_vars)
        if var is not None:
            if tensor_name_in_ckpt not in variable_map:
                raise ValueError(
                    f"Tensor {tensor_name_in_ckpt} is not found in {ckpt_dir_or_file} "
                    f"checkpoint {variable_map}"
                )
            if _is_variable(var):
                if not var.shape.is_compatible_with(variable_map[tensor_name_in_ckpt]):
                    raise ValueError(
                        f"Shape of variable {var.name} ({var.shape}) doesn't match with shape "
                        f"of tensor {tensor_name_in_ckpt} "
                        f"({variable_map[tensor_name_in_ckpt]}) from checkpoint reader."
                    )
            _set_variable_or_list_initializer(var, ckpt_file, tensor_name_in_ckpt)
            continue
        scopes = ""
        if "/" in current:
            scopes = current[: current.rindex("/")]
        if not tensor_name_in_ckpt.endswith("/"):
            raise ValueError(
                f"Assignment map with scope only name {scopes} should map to scope only "
                f"{tensor_name_in_ckpt}. Should be 'scope/': 'other_scope/'."
            )
        assert store_vars is not None  # looked up above: only a name can leave var None
        scope_variables = set()
        for var_name in store_vars:
            if not scopes or var_name.startswith(scopes + "/"):
                if "/part_" in var_name:
                    var_name = var_name[: var_name.index("/part_")]
                scope_variables.add(var_name)
        for var_name in sorted(scope_variables):
            full = var_name[len(scopes) :]
            if current != "/":
                full = full[1:]
            if tensor_name_in_ckpt != "/":
                full = tensor_name_in_ckpt + full
            if full.endswith("/"):
                full = full[:-1]
            if full not in variable_map:
                raise ValueError(
                    f"Tensor {full} ({var_name[len(scopes) + 1 :]} in {tensor_name_in_ckpt}) is "
                    f"not found in {ckpt_dir_or_file} checkpoint"
                )
            var = store_vars.get(var_name)
            if var is None:
                var = _collect_partitioned_variable(var_name, store_vars)
            _set_variable_or_list_initializer(var, ckpt_file, full)

"""`tf.train.warm_start` and `tf.train.VocabInfo` (TF1): initialize variables of the
current graph from a checkpoint, as TF's warm_starting_util does.

Variables without vocabulary go through `init_from_checkpoint` (their initializers
restore the checkpoint's tensors, as in TF). Variables with a `VocabInfo` get their
rows (axis 0) or columns (axis 1) remapped from the old vocabulary to the new one;
tfgraph computes the remapped values when `warm_start` is called (TF reads them when
the initializer runs, with its LoadAndRemapMatrix op) and initializes entries missing
from the old vocabulary and the OOV buckets with `backup_initializer` (default zeros).
Partitioned variables with a vocabulary are not supported.
"""

from __future__ import annotations

import collections

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.training import checkpoint_utils
from tfgraph.training.saver import op_list_to_dict

__all__ = ["VocabInfo", "warm_start"]


class VocabInfo(
    collections.namedtuple(
        "VocabInfo",
        [
            "new_vocab",
            "new_vocab_size",
            "num_oov_buckets",
            "old_vocab",
            "old_vocab_size",
            "backup_initializer",
            "axis",
        ],
    )
):
    """How to remap a variable's rows (axis 0) or columns (axis 1) from the vocabulary
    file `old_vocab` (its first `old_vocab_size` entries, -1 for all) to `new_vocab`
    (`new_vocab_size` entries, then `num_oov_buckets` OOV rows)."""

    def __new__(
        cls,
        new_vocab,
        new_vocab_size,
        num_oov_buckets,
        old_vocab,
        old_vocab_size=-1,
        backup_initializer=None,
        axis=0,
    ):
        if axis != 0 and axis != 1:
            raise ValueError(
                "The only supported values for the axis argument are 0 and 1.  "
                f"Provided axis: {axis}"
            )
        return super().__new__(
            cls,
            new_vocab,
            new_vocab_size,
            num_oov_buckets,
            old_vocab,
            old_vocab_size,
            backup_initializer,
            axis,
        )


def _infer_var_name(var) -> str:
    names = op_list_to_dict(var)
    if len(names) > 1:
        raise TypeError(
            f"`var` = {var} passed as arg violates the constraints.  name_to_var_dict = {names}"
        )
    return next(iter(names))


def _get_var_info(var, prev_tensor_name=None):
    from tfgraph.partitioned_variables import PartitionedVariable

    if checkpoint_utils._is_variable(var):
        current = _infer_var_name([var])
    elif isinstance(var, list) and all(checkpoint_utils._is_variable(v) for v in var):
        current = _infer_var_name(var)
    elif isinstance(var, PartitionedVariable):
        current = _infer_var_name([var])
        var = var._get_variable_list()
    else:
        raise TypeError(
            "var MUST be one of the following: a Variable, list of Variable or "
            f"PartitionedVariable, but is {type(var)}"
        )
    return prev_tensor_name or current, var


def _get_grouped_variables(vars_to_warm_start) -> dict:
    g = get_default_graph()
    if isinstance(vars_to_warm_start, str) or vars_to_warm_start is None:
        found = g.get_collection(GraphKeys.TRAINABLE_VARIABLES, scope=vars_to_warm_start)
    elif isinstance(vars_to_warm_start, list):
        if all(isinstance(v, str) for v in vars_to_warm_start):
            found = []
            for v in vars_to_warm_start:
                found += g.get_collection(GraphKeys.GLOBAL_VARIABLES, scope=v)
        elif all(checkpoint_utils._is_variable(v) for v in vars_to_warm_start):
            found = vars_to_warm_start
        else:
            raise ValueError(
                "If `vars_to_warm_start` is a list, it must be all `Variable` or all `str`.  "
                f"Given types are {[type(v) for v in vars_to_warm_start]}"
            )
    else:
        raise ValueError(
            "`vars_to_warm_start must be a `list` or `str`.  Given type is "
            f"{type(vars_to_warm_start)}"
        )
    grouped: dict = {}
    for v in found:
        grouped.setdefault(_infer_var_name(v if isinstance(v, list) else [v]), []).append(v)
    return grouped


def _read_vocab(path, size) -> list[str]:
    with open(path, encoding="utf-8") as f:
        words = f.read().splitlines()
    return words if size is None or size < 0 else words[:size]


def _remap(old_value, info: VocabInfo, shape):
    """(values, found): the remapped array and where it came from the checkpoint."""
    # (TF limits the old vocabulary to old_vocab_size for rows only)
    old_words = _read_vocab(info.old_vocab, info.old_vocab_size if info.axis == 0 else -1)
    new_words = _read_vocab(info.new_vocab, info.new_vocab_size)
    old_index: dict = {}
    for i, w in enumerate(old_words):
        old_index.setdefault(w, i)
    old = np.asarray(old_value)
    if info.axis == 1:
        old = old.T
    rows = shape[info.axis]
    width = old.shape[1]
    values = np.zeros((rows, width), old.dtype)
    found = np.zeros((rows, width), bool)
    for i, w in enumerate(new_words[:rows]):
        j = old_index.get(w)
        if j is not None and j < old.shape[0]:
            values[i] = old[j]
            found[i] = True
    if info.axis == 1:
        values, found = values.T, found.T
    return values, found


def _warm_start_var_with_vocab(var, ckpt, prev_tensor_name, info: VocabInfo) -> None:
    from tfgraph.ops import array_ops

    if isinstance(var, list):
        if len(var) != 1:
            raise NotImplementedError(
                "tfgraph's warm_start does not remap vocabularies of partitioned variables"
            )
        var = var[0]
    if not checkpoint_utils._is_variable(var):
        raise ValueError(f"var must be a Variable or a list of Variables; got {type(var)}")
    shape = var.shape.as_list()
    if len(shape) != 2 or None in shape:  # (TF fails on other ranks too)
        raise ValueError(f"Invalid shape {var.shape} for vocab-remapped variable {var.name}")
    name = prev_tensor_name or _infer_var_name([var])
    old_value = checkpoint_utils.load_variable(ckpt, name)
    values, found = _remap(old_value, info, shape)
    dtype = var.dtype.base_dtype
    g = get_default_graph()
    with g.name_scope(var.op.name + "/warm_start"):
        value = constant(values.astype(dtype.as_numpy_dtype), name="remapped")
        if not found.all():
            if info.backup_initializer is None:
                backup = array_ops.zeros(shape, dtype)
            else:
                backup = info.backup_initializer(shape, dtype=dtype)
            value = array_ops.where(constant(found), value, backup)
    _set_initial_value(var, value)


def _set_initial_value(variable, value) -> None:
    from tfgraph.ops import state_ops

    ref = variable._variable
    if ref.dtype._base is dtypes.resource:
        from tfgraph.ops import resource_variable_ops

        variable._initializer_op = resource_variable_ops.assign_variable_op(ref, value)
    else:
        variable._initializer_op = state_ops.assign(ref, value).op
    variable._initial_value = value


def _check_unused(kind, unused, grouped) -> None:
    if unused:
        raise ValueError(
            f"You provided the following variables in {kind} that were not used: {unused}.  "
            f"Perhaps you misspelled them?  Here is the list of viable variable names: "
            f"{grouped.keys()}"
        )


def warm_start(
    ckpt_to_initialize_from,
    vars_to_warm_start=".*",
    var_name_to_vocab_info=None,
    var_name_to_prev_var_name=None,
):
    """Makes the initializers of the chosen variables load them from a checkpoint.

    `vars_to_warm_start`: a regex over TRAINABLE_VARIABLES, or a list of regexes
    (over GLOBAL_VARIABLES) or of variables. `var_name_to_vocab_info`: {name:
    VocabInfo} for embedding-like variables whose vocabulary changed.
    `var_name_to_prev_var_name`: {name: name in the checkpoint}.
    """
    grouped = _get_grouped_variables(vars_to_warm_start)
    vocab_infos = var_name_to_vocab_info or {}
    prev_names = var_name_to_prev_var_name or {}
    prev_used, vocab_used = set(), set()
    vocabless: dict = {}
    for var_name, variable in grouped.items():
        prev_name = prev_names.get(var_name)
        if prev_name:
            prev_used.add(var_name)
        info = vocab_infos.get(var_name)
        if info:
            vocab_used.add(var_name)
            _warm_start_var_with_vocab(variable, ckpt_to_initialize_from, prev_name, info)
        elif vars_to_warm_start:
            if len(variable) == 1:
                variable = variable[0]
            prev_tensor_name, var = _get_var_info(variable, prev_name)
            if prev_tensor_name in vocabless:
                checkpoint_utils.init_from_checkpoint(ckpt_to_initialize_from, vocabless)
                vocabless.clear()
            vocabless[prev_tensor_name] = var
    if vocabless:
        checkpoint_utils.init_from_checkpoint(ckpt_to_initialize_from, vocabless)
    _check_unused("var_name_to_prev_var_name", set(prev_names) - prev_used, grouped)
    _check_unused("var_name_to_vocab_info", set(vocab_infos) - vocab_used, grouped)

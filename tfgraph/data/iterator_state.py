"""`tf.data.experimental.make_saveable_from_iterator`: an iterator's position as a
SaveableObject, so a `tf.train.Saver` saves and restores it (checkpoint key
`<iterator resource tensor name>_STATE`, as TF's; a SerializeIterator op saved, a
DeserializeIterator op restoring; see ops/iterator_state_ops.py for the state itself)."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import iterator_state_ops as _ops  # noqa: F401 - registers the op types
from tfgraph.ops.apply import apply_op, op_output

__all__ = ["make_saveable_from_iterator"]

_POLICIES = {None: 2, "WARN": 0, "IGNORE": 1, "FAIL": 2}


class SaveSpec:
    """One tensor a SaveableObject saves: `tensor` under `name` (`slice_spec` "")."""

    def __init__(self, tensor, slice_spec: str, name: str, dtype=None, device=None) -> None:
        self.tensor = tensor
        self.slice_spec = slice_spec
        self.name = name
        self.dtype = dtype or tensor.dtype._base
        self.device = device


class _IteratorSaveable:
    """TF's `_IteratorSaveable`: the iterator's serialized state, one SaveSpec."""

    def __init__(self, iterator_resource, name: str, external_state_policy=None) -> None:
        policy = _policy(external_state_policy)
        serialized = op_output(
            "SerializeIterator", None, [iterator_resource], {"external_state_policy": policy}
        )
        self.op = iterator_resource
        self.name = name
        self.specs = [
            SaveSpec(serialized, "", name + "_STATE", dtypes.variant, iterator_resource.device)
        ]

    def restore(self, restored_tensors, restored_shapes):
        with get_default_graph().colocate_with(self.op):
            return apply_op("DeserializeIterator", None, [self.op, restored_tensors[0]], {})


def _policy(external_state_policy) -> int:
    key = getattr(external_state_policy, "name", external_state_policy)
    if key not in _POLICIES:
        raise ValueError(
            f"Invalid `ExternalStatePolicy.` Supported values include 'warn', 'ignore', and "
            f"'fail'. Received {external_state_policy}."
        )
    return _POLICIES[key]


def make_saveable_from_iterator(iterator, external_state_policy=None):
    """A SaveableObject for `iterator`'s position: add it to the SAVEABLE_OBJECTS
    collection (or a Saver's var_list) to save and restore the position with the
    variables. Restoring re-runs the iterator's pipeline up to the saved position, so it
    needs the iterator initialized and a deterministic pipeline."""
    resource = iterator._iterator_resource
    return _IteratorSaveable(resource, resource.name, external_state_policy)

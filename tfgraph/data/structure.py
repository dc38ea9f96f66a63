"""Element structures of datasets: nests of tuples (namedtuples too) and dicts whose
leaves are `tf.TensorSpec`s; lists are values, as tf.data treats them."""

from __future__ import annotations

from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape, as_shape
from tfgraph.framework.tensor_spec import TensorSpec  # (tf.TensorSpec: one class)

__all__ = ["TensorSpec", "flatten", "map_structure", "pack_sequence_as"]


def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def flatten(structure) -> list:
    """The leaves of `structure` in tf.data's order (dict keys sorted)."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, tuple):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack_sequence_as(structure, flat):
    """`flat` (leaves in `flatten` order) arranged as `structure`."""
    it = iter(flat)
    out = _pack(structure, it)
    return out


def _pack(structure, it):
    if isinstance(structure, dict):
        packed = {key: _pack(structure[key], it) for key in sorted(structure)}
        return type(structure)((key, packed[key]) for key in structure)
    if _is_namedtuple(structure):
        return type(structure)(*[_pack(item, it) for item in structure])
    if isinstance(structure, tuple):
        return tuple(_pack(item, it) for item in structure)
    return next(it)


def map_structure(fn, structure):
    return pack_sequence_as(structure, [fn(leaf) for leaf in flatten(structure)])


def spec_of(value) -> TensorSpec:
    """The spec of a tensor."""
    assert isinstance(value, Tensor)
    return TensorSpec(value.shape, value.dtype._base)


def shapes_from(structure, output_shapes):
    """`output_shapes` (None, or shapes nested as far as `structure` is) as TensorShapes
    laid out like `structure`."""
    if output_shapes is None:
        return map_structure(lambda _: TensorShape(None), structure)
    return _up_to(structure, output_shapes)


def _up_to(structure, shapes):
    if isinstance(structure, dict):
        return {key: _up_to(structure[key], shapes[key]) for key in structure}
    if isinstance(structure, tuple):
        if len(shapes) != len(structure):
            raise ValueError(
                f"The two structures don't have the same sequence length. Input structure "
                f"has length {len(shapes)}, while shallow structure has length "
                f"{len(structure)}."
            )
        return (
            type(structure)(*[_up_to(s, sh) for s, sh in zip(structure, shapes)])
            if (_is_namedtuple(structure))
            else tuple(_up_to(s, sh) for s, sh in zip(structure, shapes))
        )
    return as_shape(shapes)

"""Nested structures of tensors (TF's `nest`, reduced to what the RNN code uses).

Lists, tuples, namedtuples and dicts (by sorted key) are structures; anything else,
including None, is a leaf. With `expand_composites=True` a composite value
(SparseTensor, RaggedTensor, ExtensionType) is a structure too, whose children are its
component tensors (TF's order) and which is rebuilt from them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "assert_same_structure",
    "flatten",
    "flatten_up_to",
    "is_nested",
    "map_structure",
    "map_structure_up_to",
    "pack_sequence_as",
]


def _is_composite(x) -> bool:
    from tfgraph.framework.sparse_tensor import SparseTensor

    return isinstance(x, SparseTensor) or hasattr(x, "_tfgraph_components")


def is_nested(seq) -> bool:
    """Whether `seq` is a nested structure (a list, tuple or dict), as `tf.nest.is_nested`."""
    return isinstance(seq, (list, tuple, dict))


def _is_nested(x, expand_composites: bool) -> bool:
    return is_nested(x) or (expand_composites and _is_composite(x))


def _children(x) -> list:
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    if isinstance(x, (list, tuple)):
        return list(x)
    if hasattr(x, "_tfgraph_components"):
        return list(x._tfgraph_components())
    return [x.indices, x.values, x.dense_shape]  # (a SparseTensor)


def _rebuild(template, children: list):
    if not isinstance(template, (list, tuple, dict)):  # (a composite)
        if hasattr(template, "_tfgraph_rebuild"):
            return template._tfgraph_rebuild(children)
        return type(template)(*children)
    if isinstance(template, dict):
        return type(template)(zip(sorted(template), children))
    if isinstance(template, tuple) and hasattr(template, "_fields"):
        return type(template)(*children)
    return type(template)(children)


def flatten(structure, expand_composites: bool = False) -> list:
    if not _is_nested(structure, expand_composites):
        return [structure]
    out: list = []
    for child in _children(structure):
        out.extend(flatten(child, expand_composites))
    return out


def pack_sequence_as(structure, flat_sequence, expand_composites: bool = False):
    flat = list(flat_sequence)
    if not _is_nested(structure, expand_composites):
        if len(flat) != 1:
            raise ValueError(f"Structure is a scalar but len(flat_sequence) == {len(flat)} > 1")
        return flat[0]
    n = len(flatten(structure, expand_composites))
    if n != len(flat):
        raise ValueError(
            f"Could not pack sequence. Structure had {n} atoms, but flat_sequence had "
            f"{len(flat)} items.  Structure: {structure}, flat_sequence: {flat}."
        )
    it = iter(flat)

    def build(s):
        if not _is_nested(s, expand_composites):
            return next(it)
        return _rebuild(s, [build(c) for c in _children(s)])

    return build(structure)


def assert_same_structure(
    nest1, nest2, check_types: bool = True, expand_composites: bool = False
) -> None:
    def check(a, b):
        if _is_nested(a, expand_composites) != _is_nested(b, expand_composites):
            raise ValueError(
                "The two structures don't have the same nested structure.\n\nFirst structure: "
                f"{nest1}\n\nSecond structure: {nest2}"
            )
        if not _is_nested(a, expand_composites):
            return
        if check_types and type(a) is not type(b):
            raise TypeError(
                "The two structures don't have the same sequence type. Input structure has "
                f"type {type(a)}, while shallow structure has type {type(b)}."
            )
        ca, cb = _children(a), _children(b)
        if len(ca) != len(cb):
            raise ValueError(
                "The two structures don't have the same nested structure.\n\nFirst structure: "
                f"{nest1}\n\nSecond structure: {nest2}"
            )
        for x, y in zip(ca, cb):
            check(x, y)

    check(nest1, nest2)


def map_structure(func: Callable, *structure, **kwargs) -> Any:
    """`func` applied to the leaves of `structure` (keywords: check_types,
    expand_composites)."""
    check_types = kwargs.pop("check_types", True)
    expand = kwargs.pop("expand_composites", False)
    if kwargs:
        raise ValueError(
            "Only valid keyword arguments are `check_types` and `expand_composites`, "
            f"not: `{', '.join(kwargs)}`"
        )
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types, expand)
    flats = [flatten(s, expand) for s in structure]
    return pack_sequence_as(structure[0], [func(*xs) for xs in zip(*flats)], expand)


def flatten_up_to(shallow, structure) -> list:
    """The parts of `structure` at the leaves of `shallow`."""
    if not is_nested(shallow):
        return [structure]
    if not is_nested(structure):
        raise TypeError(
            "If shallow structure is a sequence, input must also be a sequence. Input has "
            f"type: {type(structure)}."
        )
    sc, ic = _children(shallow), _children(structure)
    if len(sc) != len(ic):
        raise ValueError(
            "The two structures don't have the same sequence length. Input structure has "
            f"length {len(ic)}, while shallow structure has length {len(sc)}."
        )
    out: list = []
    for s, i in zip(sc, ic):
        out.extend(flatten_up_to(s, i))
    return out


def map_structure_up_to(shallow, func: Callable, *structures) -> Any:
    flats = [flatten_up_to(shallow, s) for s in structures]
    return pack_sequence_as(shallow, [func(*xs) for xs in zip(*flats)])

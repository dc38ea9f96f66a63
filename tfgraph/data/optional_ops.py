"""`tf.data.experimental.Optional`: a value that may be missing (an iterator's next
element at the end of its dataset), its `OptionalSpec`, and `get_next_as_optional`."""

from __future__ import annotations

import numpy as np

from tfgraph.data import structure as nest
from tfgraph.data.iterator_ops import _flat as _flat_attrs  # (output_types/_shapes)
from tfgraph.data.structure import TensorSpec
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.type_spec import TypeSpec
from tfgraph.ops import optional_ops  # noqa: F401  (registers the ops)
from tfgraph.ops.apply import apply_op, op_output

__all__ = ["Optional", "OptionalSpec", "get_next_as_optional"]


class Optional:
    """A value that may be missing: `has_value()` says whether it is there, `get_value()`
    gives it (InvalidArgumentError when it is not). Make one with `from_value` or `empty`."""

    def __init__(self, variant_tensor: Tensor, element_spec) -> None:
        self._variant_tensor = variant_tensor
        self._element_spec = element_spec

    @staticmethod
    def from_value(value) -> Optional:
        """An optional holding `value` (a nest of tensors or values convertible to them)."""
        g = get_default_graph()
        with g.name_scope("optional") as scope:
            with g.name_scope("value"):
                element_spec = nest.map_structure(_spec_of_value, value)
                flat = [convert_to_tensor(v) for v in nest.flatten(value)]
            variant = op_output("OptionalFromValue", scope, [flat])
        return Optional(variant, element_spec)

    @staticmethod
    def empty(element_spec) -> Optional:
        """An optional of `element_spec` holding no value."""
        return Optional(op_output("OptionalNone", None, []), element_spec)

    def has_value(self, name=None) -> Tensor:
        """A bool tensor: whether the optional holds a value."""
        return op_output("OptionalHasValue", name, [self._variant_tensor])

    def get_value(self, name=None):
        """The value (laid out as `element_spec`); running it when there is none raises
        InvalidArgumentError."""
        g = get_default_graph()
        with g.name_scope(name or "OptionalGetValue") as scope:
            flat = apply_op(
                "OptionalGetValue",
                scope,
                [self._variant_tensor],
                _flat_attrs(self._element_spec),
            )._outputs
        return nest.pack_sequence_as(self._element_spec, list(flat))

    @property
    def element_spec(self):
        return self._element_spec

    @property
    def _type_spec(self) -> OptionalSpec:
        return OptionalSpec(self._element_spec)


def _spec_of_value(value) -> TensorSpec:
    """A component's spec, as TF takes it: numpy values directly, anything else from a
    converted tensor (so a Python number becomes two constants: this one and the
    component's own)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return TensorSpec(value.shape, dtypes.as_dtype(value.dtype))
    return nest.spec_of(convert_to_tensor(value))


def _frozen(structure):
    """`structure` (nests of dicts and tuples of specs) as a hashable key."""
    if isinstance(structure, dict):
        return ("dict", tuple((k, _frozen(structure[k])) for k in sorted(structure)))
    if isinstance(structure, tuple):
        return (type(structure).__name__, tuple(_frozen(item) for item in structure))
    return structure


class OptionalSpec(TypeSpec):
    """The type of an `Optional`: the spec of the value it may hold."""

    __slots__ = ("_element_spec",)

    def __init__(self, element_spec) -> None:
        self._element_spec = element_spec

    @property
    def value_type(self):
        return Optional

    def _serialize(self) -> tuple:
        return (self._element_spec,)

    def _key(self) -> tuple:
        return (_frozen(self._element_spec),)

    def is_compatible_with(self, spec_or_value) -> bool:
        other = spec_or_value
        if isinstance(other, Optional):
            other = other._type_spec
        if type(other) is not OptionalSpec:
            return False
        mine, theirs = self._element_spec, other._element_spec
        if nest.map_structure(lambda _: None, mine) != nest.map_structure(lambda _: None, theirs):
            return False
        return all(
            a.is_compatible_with(b)
            for a, b in zip(nest.flatten(mine), nest.flatten(theirs), strict=True)
        )

    @staticmethod
    def from_value(value) -> OptionalSpec:
        return OptionalSpec(value.element_spec)


def get_next_as_optional(iterator) -> Optional:
    """The iterator's next element as an `Optional`: empty at the end of the dataset,
    where `get_next()` would raise OutOfRangeError."""
    variant = op_output(
        "IteratorGetNextAsOptional",
        None,
        [iterator._iterator_resource],
        _flat_attrs(iterator.element_spec),
    )
    return Optional(variant, iterator.element_spec)


OptionalStructure = OptionalSpec  # (TF's deprecated name)

"""TF1 iterators over datasets: one-shot, initializable, reinitializable
(`Iterator.from_structure`) and feedable (`Iterator.from_string_handle`)."""

from __future__ import annotations

from tfgraph.data import structure as nest
from tfgraph.data.structure import TensorSpec
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.type_spec import TypeSpec
from tfgraph.ops.apply import apply_op, op_output

__all__ = [
    "EagerIterator",
    "Iterator",
    "IteratorSpec",
    "make_initializable_iterator",
    "make_one_shot_iterator",
]


class Iterator:
    """TF1's `tf.data.Iterator`: a resource tensor, its initializer (if any) and the
    element structure; `get_next()` adds an IteratorGetNext."""

    def __init__(self, iterator_resource: Tensor, initializer, element_spec) -> None:
        self._iterator_resource = iterator_resource
        self._initializer = initializer
        self._element_spec = element_spec
        self._string_handle = op_output("IteratorToStringHandle", None, [iterator_resource])
        self._get_next_call_count = 0

    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None, output_classes=None):
        types = nest.map_structure(dtypes.as_dtype, output_types)
        shapes = nest.shapes_from(types, output_shapes)
        spec = nest.pack_sequence_as(
            types, [TensorSpec(s, t) for t, s in zip(nest.flatten(types), nest.flatten(shapes))]
        )
        resource = op_output(
            "IteratorV2",
            None,
            [],
            {"shared_name": (shared_name or "").encode(), "container": b"", **_flat(spec)},
        )
        return Iterator(resource, None, spec)

    @staticmethod
    def from_string_handle(string_handle, output_types, output_shapes=None, output_classes=None):
        types = nest.map_structure(dtypes.as_dtype, output_types)
        shapes = nest.shapes_from(types, output_shapes)
        spec = nest.pack_sequence_as(
            types, [TensorSpec(s, t) for t, s in zip(nest.flatten(types), nest.flatten(shapes))]
        )
        handle = convert_to_tensor(string_handle, dtype=dtypes.string)
        resource = op_output("IteratorFromStringHandleV2", None, [handle], _flat(spec))
        return Iterator(resource, None, spec)

    @property
    def initializer(self):
        if self._initializer is None:
            raise ValueError(
                "The iterator does not have an initializer. This means it was likely created "
                "using `tf.data.Dataset.make_one_shot_iterator()`. For an initializable "
                "iterator, use `tf.data.Dataset.make_initializable_iterator()` instead."
            )
        return self._initializer

    def make_initializer(self, dataset, name=None):
        mine, theirs = nest.flatten(self._element_spec), nest.flatten(dataset.element_spec)
        if nest.map_structure(lambda s: None, self._element_spec) != nest.map_structure(
            lambda s: None, dataset.element_spec
        ) or len(mine) != len(theirs):
            raise TypeError(
                f"Expected output types {self.output_types!r} but got dataset with output "
                f"types {dataset.output_types!r}."
            )
        if [s.dtype for s in mine] != [s.dtype for s in theirs]:
            raise TypeError(
                f"Expected output types {self.output_types!r} but got dataset with output "
                f"types {dataset.output_types!r}."
            )
        for a, b in zip(mine, theirs):
            if not a.shape.is_compatible_with(b.shape):
                raise TypeError(
                    f"Expected output shapes compatible with {self.output_shapes!r} but got "
                    f"dataset with output shapes {dataset.output_shapes!r}."
                )
        g = get_default_graph()
        with g.name_scope(name or "make_initializer") as scope:
            return apply_op(
                "MakeIterator", scope, [dataset._variant_tensor, self._iterator_resource]
            )

    def get_next(self, name=None):
        self._get_next_call_count += 1
        from tfgraph.data.dataset_ops import _pack_element

        flat = apply_op(
            "IteratorGetNext", name, [self._iterator_resource], _flat(self._element_spec)
        )._outputs
        return _pack_element(self._element_spec, list(flat))

    def get_next_as_optional(self):
        """The next element as a `tf.data.experimental.Optional` (empty at the end)."""
        from tfgraph.data.optional_ops import get_next_as_optional

        return get_next_as_optional(self)

    def string_handle(self, name=None):
        if name is None:
            return self._string_handle
        return op_output("IteratorToStringHandle", name, [self._iterator_resource])

    @property
    def element_spec(self):
        return self._element_spec

    @property
    def output_types(self):
        return nest.map_structure(lambda s: s.dtype, self._element_spec)

    @property
    def output_shapes(self):
        return nest.map_structure(lambda s: s.shape, self._element_spec)

    @property
    def output_classes(self):
        return nest.map_structure(lambda s: Tensor, self._element_spec)


class EagerIterator:
    """`iter(dataset)` while executing eagerly: an iterator resource made and initialized
    at once; `next()` runs IteratorGetNext and ends at the dataset's end."""

    _ids = __import__("itertools").count(1)

    def __init__(self, dataset) -> None:
        shared_name = f"_eager_iterator_{next(EagerIterator._ids)}"
        self._iterator = make_initializable_iterator(dataset, shared_name=shared_name)
        self.element_spec = dataset.element_spec

    def __iter__(self) -> EagerIterator:
        return self

    def __next__(self):
        from tfgraph import errors

        try:
            return self._iterator.get_next()
        except errors.OutOfRangeError:
            raise StopIteration from None

    def get_next(self):
        return self._iterator.get_next()

    @property
    def _type_spec(self) -> IteratorSpec:
        return IteratorSpec(self.element_spec)


class IteratorSpec(TypeSpec):
    """`tf.data.IteratorSpec(element_spec)` (TF2): the type of an eager iterator over
    elements of `element_spec` (TF's OwnedIterator; tfgraph's `iter(dataset)` while
    executing eagerly). Its one component is the iterator's resource handle."""

    __slots__ = ("_element_spec",)

    def __init__(self, element_spec) -> None:
        self._element_spec = element_spec

    def _serialize(self) -> tuple:
        return (self._element_spec,)

    @property
    def value_type(self):
        return EagerIterator

    @property
    def _component_specs(self) -> tuple:
        return (TensorSpec([], dtypes.resource),)

    @staticmethod
    def from_value(value) -> IteratorSpec:
        return IteratorSpec(value.element_spec)

    def is_compatible_with(self, spec_or_value) -> bool:
        from tfgraph.data.options import _specs_compatible

        other = spec_or_value
        if isinstance(other, EagerIterator):
            other = other._type_spec
        if not isinstance(other, IteratorSpec):
            return False
        return _specs_compatible(self._element_spec, other._element_spec)

    def __eq__(self, other) -> bool:
        return isinstance(other, IteratorSpec) and self._element_spec == other._element_spec

    def __hash__(self) -> int:
        return hash(("IteratorSpec", repr(self._element_spec)))


def _flat(spec) -> dict:
    from tfgraph.data.dataset_ops import _flat_tensor_specs

    specs = _flat_tensor_specs(spec)
    return {"output_types": [s.dtype for s in specs], "output_shapes": [s.shape for s in specs]}


class _DatasetFactory(str):
    """The `dataset_factory` of a OneShotIterator: the dataset's variant tensor (the
    dataset's ops stay in the graph), evaluated once per session."""

    variant: Tensor

    def __new__(cls, name: str, variant: Tensor):
        self = super().__new__(cls, name)
        self.variant = variant
        return self

    def function_defs(self) -> list:
        """The dataset's ops (as TF captures them by value) as a FunctionDef with no
        arguments returning the dataset."""
        from tfgraph.data.function_def import ancestors, function_defs

        return function_defs(str(self), ancestors(self.variant), [], [self.variant])

    def make_runner(self, ctx):
        from tfgraph.client.plan import ExecutionPlan

        plan = None

        def run():
            nonlocal plan
            if plan is None:
                plan = ExecutionPlan(ctx.graph, [self.variant], [], [], ctx)
            return tuple(plan.run([]))

        return run


def _check_capturable(variant: Tensor) -> None:
    """TF's one-shot iterators capture the dataset by value: no placeholders, no
    variables."""
    seen, stack = set(), [variant._op]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        op_def = op._op_def
        if op_def.placeholder:
            raise ValueError(
                f"Cannot capture a placeholder (name:{op._name}, type:{op._type}) by value."
            )
        if op_def.variable:
            raise ValueError(
                f"Cannot capture a stateful node (name:{op._name}, type:{op._type}) by value."
            )
        stack.extend(t._op for t in op._inputs)
        stack.extend(op._control_inputs)
        for fn in _functions_of(op):
            stack.extend(t._op for t in fn.captured)


def _functions_of(op) -> list:
    return [v for v in op._attrs.values() if hasattr(v, "captured")]


def make_one_shot_iterator(dataset) -> Iterator:
    """`tf.data.make_one_shot_iterator(dataset)` / `dataset.make_one_shot_iterator()`."""
    import hashlib

    variant = dataset._variant_tensor
    _check_capturable(variant)
    digest = hashlib.sha1(f"{variant.name}{id(variant)}".encode()).hexdigest()[:11]
    factory = _DatasetFactory(f"_make_dataset_{digest}", variant)
    attrs = {"dataset_factory": factory, "container": b"", "shared_name": b""}
    attrs.update(_flat(dataset.element_spec))
    resource = op_output("OneShotIterator", None, [], attrs)
    return Iterator(resource, None, dataset.element_spec)


def make_initializable_iterator(dataset, shared_name=None) -> Iterator:
    """`tf.data.make_initializable_iterator(dataset)`: IteratorV2 + MakeIterator."""
    attrs = {"shared_name": (shared_name or "").encode(), "container": b""}
    attrs.update(_flat(dataset.element_spec))
    resource = op_output("IteratorV2", None, [], attrs)
    initializer = apply_op("MakeIterator", None, [dataset._variant_tensor, resource])
    return Iterator(resource, initializer, dataset.element_spec)

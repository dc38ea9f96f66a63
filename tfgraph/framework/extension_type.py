"""`tf.experimental.ExtensionType`: user-defined composite values with typed fields.

A subclass declares its fields as class annotations (`values: tf.Tensor`, `name: str =
"x"`, `parts: typing.Tuple[tf.Tensor, ...]`, `by_key: typing.Mapping[str, tf.Tensor]`,
`typing.Optional[...]`, `typing.Union[...]`, other ExtensionTypes, RaggedTensor,
SparseTensor, TensorShape, DType, Python scalars). The generated constructor converts
and checks each field (tensors through `convert_to_tensor`, mappings to an immutable
dict, sequences to tuples), then calls `__validate__`. Values are immutable outside a
custom `__init__`.

Each subclass gets a nested `Spec` (an `ExtensionTypeSpec`; `BatchableExtensionTypeSpec`
for `BatchableExtensionType`) whose fields are the values' fields with tensors replaced by
their `TensorSpec`. The value's tensors ("components", in field order, mapping keys
sorted, as TF's `nest.flatten(..., expand_composites=True)`) are what `tf.nest`,
`tf.cond` and `tf.while_loop` see; Python fields stay in the spec.
"""

from __future__ import annotations

import collections.abc
import inspect
import sys
import types
import typing

from tfgraph.framework import dtypes
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape, as_shape
from tfgraph.framework.tensor_spec import TensorSpec
from tfgraph.framework.type_spec import BatchableTypeSpec, TypeSpec

__all__ = [
    "BatchableExtensionType",
    "BatchableExtensionTypeSpec",
    "ExtensionType",
    "ExtensionTypeBatchEncoder",
    "ExtensionTypeSpec",
    "ImmutableDict",
    "as_dict",
]

_NO_DEFAULT = inspect.Parameter.empty
_MUTABLE = "_tfgraph_extension_type_mutable"


class ImmutableDict(collections.abc.Mapping):
    """The read-only mapping an ExtensionType keeps for a `Mapping` field."""

    __slots__ = ("_dict",)

    def __init__(self, *args, **kwargs) -> None:
        self._dict = dict(*args, **kwargs)

    def __getitem__(self, key):
        return self._dict[key]

    def __iter__(self):
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __repr__(self) -> str:
        return f"ImmutableDict({self._dict!r})"


class _Field(typing.NamedTuple):
    name: str
    value_type: typing.Any
    default: typing.Any


# -- field conversion ------------------------------------------------------------------


def _type_name(tp) -> str:
    return getattr(tp, "__name__", None) or repr(tp)


def _mismatch(path: str, expected: str, value) -> TypeError:
    return TypeError(f"{path}: expected {expected}, got {type(value).__name__!r}")


def _convert_tensor(value, path: str):
    if isinstance(value, Tensor):
        return value
    from tfgraph.framework.convert import convert_to_tensor

    if value is None or isinstance(value, (ExtensionType, TypeSpec)):
        raise _mismatch(path, "a Tensor", value)
    try:
        return convert_to_tensor(value)
    except (TypeError, ValueError):
        raise _mismatch(path, "a Tensor", value) from None


def _convert_generic(value, tp, path: str):
    """Tuple, Mapping and Union annotations (None when `tp` is none of them)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Union or (hasattr(types, "UnionType") and origin is types.UnionType):
        for option in args:
            try:
                return _convert(value, option, path)
            except (TypeError, ValueError):
                continue
        raise _mismatch(path, f"{tp}", value)
    if origin is tuple:
        if not isinstance(value, (tuple, list)):
            raise _mismatch(path, "tuple", value)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(v, args[0], f"{path}[{i}]") for i, v in enumerate(value))
        if args == ((),):
            args = ()
        if args and len(args) != len(value):
            raise TypeError(f"{path}: expected a tuple of length {len(args)}, got {value!r}")
        if not args:
            return tuple(value)
        return tuple(_convert(v, t, f"{path}[{i}]") for i, (v, t) in enumerate(zip(value, args)))
    if origin in (collections.abc.Mapping, dict):
        if not isinstance(value, collections.abc.Mapping):
            raise _mismatch(path, "mapping", value)
        kt, vt = args if args else (typing.Any, typing.Any)
        return ImmutableDict(
            (_convert(k, kt, f"{path}"), _convert(v, vt, f"{path}[{k!r}]"))
            for k, v in value.items()
        )
    return _NO_DEFAULT


def _convert(value, tp, path: str):
    """`value` as a field of annotation `tp`; TypeError naming the field if it is not."""
    if tp is typing.Any:
        return value
    if typing.get_origin(tp) is not None:
        out = _convert_generic(value, tp, path)
        if out is not _NO_DEFAULT:
            return out
    if tp is None or tp is type(None):
        if value is not None:
            raise _mismatch(path, "None", value)
        return None
    if tp is Tensor:
        return _convert_tensor(value, path)
    if tp is TensorShape:
        try:
            return as_shape(value)
        except (TypeError, ValueError):
            raise _mismatch(path, "a TensorShape", value) from None
    if tp is dtypes.DType:
        try:
            return dtypes.as_dtype(value)
        except TypeError:
            raise _mismatch(path, "a DType", value) from None
    if isinstance(tp, type):
        if tp is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            raise _mismatch(path, repr(_type_name(tp)), value)
        return value
    raise TypeError(f"{path}: unsupported type annotation {tp!r}")


# -- specs and components of field values ----------------------------------------------


def _spec_of(value):
    if isinstance(value, Tensor):
        return TensorSpec(value.shape, value.dtype)
    if isinstance(value, collections.abc.Mapping):
        return {k: _spec_of(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_spec_of(v) for v in value)
    spec = getattr(value, "_type_spec", None)
    if isinstance(value, ExtensionType) or spec is not None:
        return spec
    return value


def _components(value) -> list:
    from tfgraph.framework.sparse_tensor import SparseTensor

    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, collections.abc.Mapping):
        return [c for k in sorted(value) for c in _components(value[k])]
    if isinstance(value, tuple):
        return [c for v in value for c in _components(v)]
    if isinstance(value, SparseTensor):
        return [value.indices, value.values, value.dense_shape]
    if hasattr(value, "_tfgraph_components"):
        return list(value._tfgraph_components())
    return []


def _rebuild_like(value, it):
    """A value like `value` over the next tensors of `it` (the order of `_components`)."""
    from tfgraph.framework.sparse_tensor import SparseTensor

    if isinstance(value, Tensor):
        return next(it)
    if isinstance(value, collections.abc.Mapping):
        parts = {k: _rebuild_like(value[k], it) for k in sorted(value)}
        return ImmutableDict((k, parts[k]) for k in value)
    if isinstance(value, tuple):
        return tuple(_rebuild_like(v, it) for v in value)
    if isinstance(value, SparseTensor):
        return SparseTensor(next(it), next(it), next(it))
    if hasattr(value, "_tfgraph_components"):
        return value._tfgraph_rebuild([next(it) for _ in value._tfgraph_components()])
    return value


def _spec_components(spec) -> list:
    """The component specs of a field spec (the order of `_components`)."""
    if isinstance(spec, TensorSpec):
        return [spec]
    if isinstance(spec, dict):
        return [c for k in sorted(spec) for c in _spec_components(spec[k])]
    if isinstance(spec, tuple):
        return [c for v in spec for c in _spec_components(v)]
    if isinstance(spec, ExtensionTypeSpec):
        return list(spec._component_specs)
    if isinstance(spec, TypeSpec) or hasattr(spec, "value_type"):
        raise NotImplementedError(
            f"ExtensionType fields of spec {spec!r} cannot be rebuilt from a spec in tfgraph; "
            "use a Tensor or ExtensionType field"
        )
    return []


def _from_spec(spec, it):
    if isinstance(spec, TensorSpec):
        return next(it)
    if isinstance(spec, dict):
        parts = {k: _from_spec(spec[k], it) for k in sorted(spec)}
        return ImmutableDict((k, parts[k]) for k in spec)
    if isinstance(spec, tuple):
        return tuple(_from_spec(v, it) for v in spec)
    if isinstance(spec, ExtensionTypeSpec):
        return spec._from_components([next(it) for _ in spec._component_specs])
    return spec


def _freeze(part):
    if isinstance(part, dict):
        return ("dict", tuple((k, _freeze(part[k])) for k in sorted(part)))
    if isinstance(part, tuple):
        return ("tuple", tuple(_freeze(p) for p in part))
    if isinstance(part, TensorShape):
        return ("shape", None if part.rank is None else tuple(part.as_list()))
    return part


def _merge_parts(a, b, how: str):
    """Combines two field specs: how="compatible" -> bool, "subtype" -> bool,
    "common" -> the common supertype part (or _NO_DEFAULT when there is none)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if sorted(a) != sorted(b):
            return False if how != "common" else _NO_DEFAULT
        merged = {k: _merge_parts(a[k], b[k], how) for k in a}
        return _combine(merged.values(), how, merged)
    if isinstance(a, tuple) and isinstance(b, tuple):
        if len(a) != len(b):
            return False if how != "common" else _NO_DEFAULT
        parts = tuple(_merge_parts(x, y, how) for x, y in zip(a, b))
        return _combine(parts, how, parts)
    if isinstance(a, TypeSpec) and isinstance(b, TypeSpec):
        if how == "compatible":
            return a.is_compatible_with(b)
        if how == "subtype":
            return a.is_subtype_of(b)
        common = a.most_specific_common_supertype([b])
        return _NO_DEFAULT if common is None else common
    same = _freeze(a) == _freeze(b)
    if how == "common":
        return a if same else _NO_DEFAULT
    return same


def _combine(parts, how, structure):
    parts = list(parts)
    if how != "common":
        return all(parts)
    return _NO_DEFAULT if any(p is _NO_DEFAULT for p in parts) else structure


# -- the spec ------------------------------------------------------------------------------


class ExtensionTypeSpec(TypeSpec):
    """The TypeSpec of an ExtensionType: one attribute per field (tensors as TensorSpecs).
    Each ExtensionType subclass `T` has its own `T.Spec`."""

    _tfgraph_value_type: typing.Any = None

    def __init__(self, *args, **kwargs) -> None:
        fields = self.value_type._tfgraph_fields
        names = [f.name for f in fields]
        if len(args) > len(names):
            raise TypeError(f"{type(self).__qualname__}: too many positional arguments")
        values = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in names:
                raise TypeError(f"{type(self).__qualname__}: unexpected field {key!r}")
            values[key] = value
        for f in fields:
            value = values.get(f.name, f.default)
            if value is _NO_DEFAULT:
                raise TypeError(f"{type(self).__qualname__}: missing field {f.name!r}")
            object.__setattr__(self, f.name, value)

    def __setattr__(self, name, value):
        raise AttributeError(f"Cannot mutate attribute `{name}` of an ExtensionTypeSpec.")

    @property
    def value_type(self):
        if self._tfgraph_value_type is None:
            raise NotImplementedError("ExtensionTypeSpec is the base of each ExtensionType's Spec")
        return self._tfgraph_value_type

    @classmethod
    def from_value(cls, value):
        spec = object.__new__(cls)
        for f in value._tfgraph_fields:
            object.__setattr__(spec, f.name, _spec_of(value.__dict__[f.name]))
        return spec

    def _field_parts(self) -> list:
        return [self.__dict__[f.name] for f in self.value_type._tfgraph_fields]

    def _serialize(self) -> tuple:
        return tuple(self._field_parts())

    def _key(self) -> tuple:
        return tuple(_freeze(p) for p in self._field_parts())

    def __reduce__(self):
        return _rebuild_spec, (type(self), self._serialize())

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{f.name}={self.__dict__[f.name]!r}" for f in self.value_type._tfgraph_fields
        )
        return f"{type(self).__qualname__}({parts})"

    def _parts_with(self, other, how: str):
        if type(other) is not type(self):
            return False if how != "common" else _NO_DEFAULT
        return [
            _merge_parts(a, b, how)
            for a, b in zip(self._field_parts(), other._field_parts(), strict=True)
        ]

    def is_compatible_with(self, spec_or_value) -> bool:
        other = spec_or_value
        if isinstance(other, ExtensionType):
            other = other._type_spec
        parts = self._parts_with(other, "compatible")
        return parts is not False and all(parts)

    def is_subtype_of(self, other) -> bool:
        parts = self._parts_with(other, "subtype")
        return parts is not False and all(parts)

    def most_specific_common_supertype(self, others):
        result = self
        for other in others:
            parts = result._parts_with(other, "common")
            if parts is _NO_DEFAULT or any(p is _NO_DEFAULT for p in parts):
                return None
            result = _rebuild_spec(type(self), tuple(parts))
        return result

    # -- components -------------------------------------------------------------------
    @property
    def _component_specs(self) -> tuple:
        return tuple(c for p in self._field_parts() for c in _spec_components(p))

    @property
    def _flat_tensor_specs(self) -> list:
        return list(self._component_specs)

    def _to_tensor_list(self, value) -> list:
        return list(value._tfgraph_components())

    def _from_tensor_list(self, tensor_list):
        return self._from_components(tensor_list)

    def _to_components(self, value) -> tuple:
        return tuple(value._tfgraph_components())

    def _from_components(self, components):
        it = iter(components)
        values = {
            f.name: _from_spec(p, it)
            for f, p in zip(self.value_type._tfgraph_fields, self._field_parts())
        }
        return self.value_type._tfgraph_from_fields(values)


def _rebuild_spec(cls, parts: tuple):
    spec = object.__new__(cls)
    for f, p in zip(cls._tfgraph_value_type._tfgraph_fields, parts):
        object.__setattr__(spec, f.name, p)
    return spec


def _batch_part(part, batch_size, batch: bool):
    if isinstance(part, TensorSpec):
        if batch:
            return TensorSpec(TensorShape([batch_size]).concatenate(part.shape), part.dtype)
        if part.shape.rank == 0:
            raise ValueError("Unbatching a tensor is only supported for rank >= 1")
        return TensorSpec(part.shape[1:], part.dtype)
    if isinstance(part, dict):
        return {k: _batch_part(v, batch_size, batch) for k, v in part.items()}
    if isinstance(part, tuple):
        return tuple(_batch_part(v, batch_size, batch) for v in part)
    if isinstance(part, BatchableTypeSpec) and hasattr(part, "_batch"):
        return part._batch(batch_size) if batch else part._unbatch()  # type: ignore[attr-defined]
    if isinstance(part, TypeSpec):
        raise ValueError(f"{part!r} is not batchable")
    return part


class BatchableExtensionTypeSpec(ExtensionTypeSpec, BatchableTypeSpec):
    """The Spec of a BatchableExtensionType: `_batch(n)` and `_unbatch()` add or remove
    the leading dimension of every tensor field (as TF's default batch encoder)."""

    def _batch(self, batch_size):
        parts = tuple(_batch_part(p, batch_size, True) for p in self._field_parts())
        return _rebuild_spec(type(self), parts)

    def _unbatch(self):
        parts = tuple(_batch_part(p, None, False) for p in self._field_parts())
        return _rebuild_spec(type(self), parts)


class ExtensionTypeBatchEncoder:
    """Batches a BatchableExtensionType by batching each of its tensor fields: the
    encoding is the value's components."""

    def batch(self, spec, batch_size):
        return spec._batch(batch_size)

    def unbatch(self, spec):
        return spec._unbatch()

    def encode(self, spec, value, minimum_rank: int = 0):
        return spec._to_components(value)

    def decode(self, spec, encoded_value):
        return spec._from_components(encoded_value)

    def encoding_specs(self, spec):
        return spec._component_specs


# -- the value -------------------------------------------------------------------------


def _is_field_annotation(name: str, tp) -> bool:
    if name.startswith("_tf_extension_type") or name.startswith("_tfgraph"):
        return False
    return typing.get_origin(tp) is not typing.ClassVar and tp is not typing.ClassVar


def _type_hints(cls, scope: dict) -> dict:
    """The class's resolved annotations; string annotations that name things only
    visible where the class was defined are resolved in that `scope`."""
    try:
        return typing.get_type_hints(cls)
    except NameError:
        return typing.get_type_hints(cls, localns=scope)


def _collect_fields(cls, scope: dict) -> tuple:
    hints = _type_hints(cls, scope)
    fields: dict[str, _Field] = {}
    for klass in reversed(cls.__mro__):
        for name in inspect.get_annotations(klass):
            tp = hints.get(name)
            if not _is_field_annotation(name, tp):
                continue
            default = klass.__dict__.get(name, _NO_DEFAULT)
            if isinstance(default, (property, types.FunctionType, classmethod, staticmethod)):
                raise TypeError(f"{cls.__qualname__}: field {name!r} shadows a method")
            fields[name] = _Field(name, tp, default)
    return tuple(fields.values())


def _constructor_signature(fields) -> inspect.Signature:
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [
        inspect.Parameter(f.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=f.default)
        for f in fields
    ]
    return inspect.Signature(params)


def _finish(value) -> None:
    """Converts and checks every field of `value`, then calls its `__validate__`."""
    fields = value.__dict__
    for f in type(value)._tfgraph_fields:
        if f.name not in fields:
            if f.default is _NO_DEFAULT:
                raise ValueError(
                    f"Custom constructor of {type(value).__qualname__} did not set field {f.name!r}"
                )
            fields[f.name] = f.default
        fields[f.name] = _convert(fields[f.name], f.value_type, f.name)
    fields.pop(_MUTABLE, None)
    validate = getattr(value, "__validate__", None)
    if validate is not None:
        validate()


def _generated_init(cls):
    signature = _constructor_signature(cls._tfgraph_fields)

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        for f in type(self)._tfgraph_fields:
            self.__dict__[f.name] = bound.arguments[f.name]
        _finish(self)

    __init__.__signature__ = signature
    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _custom_init(init):
    def __init__(self, *args, **kwargs):
        self.__dict__[_MUTABLE] = True
        try:
            init(self, *args, **kwargs)
        finally:
            mutable = self.__dict__.pop(_MUTABLE, None)
        if mutable is not None:
            _finish(self)

    __init__.__wrapped__ = init
    __init__.__qualname__ = init.__qualname__
    return __init__


def _make_spec_class(cls):
    base = (
        BatchableExtensionTypeSpec if issubclass(cls, BatchableExtensionType) else ExtensionTypeSpec
    )
    user = cls.__dict__.get("Spec")
    bases: tuple = (base,)
    if isinstance(user, type) and not issubclass(user, base):
        bases = (user, base)
    elif isinstance(user, type):
        bases = (user,)
    spec = type(
        f"{cls.__name__}.Spec", bases, {"__module__": cls.__module__, "_tfgraph_value_type": cls}
    )
    spec.__qualname__ = f"{cls.__qualname__}.Spec"
    return spec


class ExtensionType:
    """Base class of user-defined composite values with typed, immutable fields.

    ```python
    class MaskedTensor(tf.experimental.ExtensionType):
        values: tf.Tensor
        mask: tf.Tensor
    ```
    """

    _tfgraph_fields: typing.ClassVar[tuple] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__ == __name__:  # (BatchableExtensionType: abstract too)
            return
        caller = sys._getframe(1)
        scope = {**caller.f_globals, **caller.f_locals}
        cls._tfgraph_fields = _collect_fields(cls, scope)
        if "__init__" in cls.__dict__:
            cls.__init__ = _custom_init(cls.__dict__["__init__"])  # type: ignore[method-assign]
        else:
            cls.__init__ = _generated_init(cls)  # type: ignore[method-assign]
        cls.Spec = _make_spec_class(cls)  # type: ignore[attr-defined]

    def __init__(self, *args, **kwargs) -> None:
        if type(self) is ExtensionType or type(self) is BatchableExtensionType:
            raise AssertionError("ExtensionType is an abstract base class: subclass it")

    @classmethod
    def _tfgraph_from_fields(cls, values: dict):
        """A value with these (already converted) fields; no `__validate__` (as TF's
        `_from_components`)."""
        value = object.__new__(cls)
        value.__dict__.update(values)
        return value

    def __setattr__(self, name, value):
        if self.__dict__.get(_MUTABLE):
            self.__dict__[name] = value
            return
        raise AttributeError(
            f"Cannot mutate attribute `{name}` outside the custom constructor of ExtensionType."
        )

    def __delattr__(self, name):
        if self.__dict__.get(_MUTABLE):
            del self.__dict__[name]
            return
        raise AttributeError(
            f"Cannot mutate attribute `{name}` outside the custom constructor of ExtensionType."
        )

    def __repr__(self) -> str:
        parts = ", ".join(f"{f.name}={self.__dict__[f.name]!r}" for f in self._tfgraph_fields)
        return f"{type(self).__qualname__}({parts})"

    @property
    def _type_spec(self):
        return type(self).Spec.from_value(self)

    # -- composite protocol (tf.nest expand_composites, tf.cond, tf.while_loop) ----------
    def _tfgraph_components(self) -> list:
        return [c for f in self._tfgraph_fields for c in _components(self.__dict__[f.name])]

    def _tfgraph_rebuild(self, parts):
        it = iter(parts)
        values = {f.name: _rebuild_like(self.__dict__[f.name], it) for f in self._tfgraph_fields}
        return type(self)._tfgraph_from_fields(values)

    def __eq__(self, other):
        """A scalar bool tensor: whether the two values' tensors have equal shapes and
        values (Python False when their types or specs differ)."""
        if type(other) is not type(self):
            return False
        if not self._type_spec.is_compatible_with(other._type_spec):
            return False
        return _components_equal(self._tfgraph_components(), other._tfgraph_components())

    def __ne__(self, other):
        result = self.__eq__(other)
        if isinstance(result, Tensor):
            from tfgraph.ops import math_ops

            return math_ops.logical_not(result)
        return not result

    __hash__ = None  # type: ignore[assignment]


def _components_equal(xs: list, ys: list):
    from tfgraph.ops import array_ops, math_ops

    if not xs:
        return True
    conditions = []
    for x, y in zip(xs, ys):
        # (as TF: incompatible_shape_error=False, so shapes that differ compare unequal)
        shape_eq = math_ops.tensor_equals(array_ops.shape(x), array_ops.shape(y))
        conditions.append(math_ops.reduce_all(shape_eq))
        conditions.append(math_ops.reduce_all(math_ops.tensor_equals(x, y)))
    return math_ops.reduce_all(array_ops.stack(conditions))


class BatchableExtensionType(ExtensionType):
    """An ExtensionType whose values can be batched and unbatched field by field (its
    Spec is a BatchableExtensionTypeSpec)."""


def as_dict(value) -> dict:
    """The fields of ExtensionType `value` as a dict."""
    return {f.name: value.__dict__[f.name] for f in value._tfgraph_fields}

"""Python structures <-> `StructuredValue` protos (struct.proto), as TF2 SavedModels
record a function's arguments (`canonicalized_input_signature`), results
(`output_signature`) and argument spec (`FunctionSpec.fullargspec`).

Supported: None, bool, int, float, str, lists, tuples, dicts with string keys,
namedtuples, `tf.TensorSpec`, `tf.DType` and `tf.TensorShape`. Anything else (composite
tensor specs, arbitrary objects) is a ValueError naming the value.
"""

from __future__ import annotations

import collections
import inspect

from tfgraph.framework import dtypes
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.framework.tensor_spec import TensorSpec

__all__ = ["decode", "encode", "fullargspec"]


def _proto():
    from tfgraph import proto

    return proto


def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def encode(value):
    """`value` as a `StructuredValue`."""
    sv = _proto().StructuredValue()
    if value is None:
        sv.none_value.SetInParent()
    elif isinstance(value, bool):
        sv.bool_value = value
    elif isinstance(value, int):
        sv.int64_value = value
    elif isinstance(value, float):
        sv.float64_value = value
    elif isinstance(value, str):
        sv.string_value = value
    elif isinstance(value, TensorSpec):
        spec = sv.tensor_spec_value
        spec.name = value.name or ""
        spec.shape.CopyFrom(value.shape.as_proto())
        spec.dtype = value.dtype.as_datatype_enum
    elif isinstance(value, dtypes.DType):
        sv.tensor_dtype_value = value.as_datatype_enum
    elif isinstance(value, TensorShape):
        sv.tensor_shape_value.CopyFrom(value.as_proto())
    elif _is_namedtuple(value):
        sv.named_tuple_value.name = type(value).__name__
        for field in value._fields:
            pair = sv.named_tuple_value.values.add()
            pair.key = field
            pair.value.CopyFrom(encode(getattr(value, field)))
    elif isinstance(value, (list, tuple)):
        target = sv.list_value if isinstance(value, list) else sv.tuple_value
        target.SetInParent()
        for item in value:
            target.values.append(encode(item))
    elif isinstance(value, dict):
        sv.dict_value.SetInParent()
        for key, item in value.items():
            sv.dict_value.fields[str(key)].CopyFrom(encode(item))
    else:
        raise ValueError(
            f"tf.saved_model.save: cannot serialize {value!r} (a {type(value).__name__}) in "
            "a function's signature; tfgraph saves tensors, TensorSpecs and Python "
            "None/bool/int/float/str in lists, tuples and dicts."
        )
    return sv


def decode(sv):
    """The Python value of a `StructuredValue` (TensorSpecs for tensor specs)."""
    kind = sv.WhichOneof("kind")
    if kind is None or kind == "none_value":
        return None
    if kind in ("bool_value", "int64_value", "float64_value", "string_value"):
        return getattr(sv, kind)
    if kind == "tensor_spec_value":
        spec = sv.tensor_spec_value
        return TensorSpec(_shape(spec.shape), dtypes.as_dtype(spec.dtype), spec.name or None)
    if kind == "tensor_dtype_value":
        return dtypes.as_dtype(sv.tensor_dtype_value)
    if kind == "tensor_shape_value":
        return _shape(sv.tensor_shape_value)
    if kind == "list_value":
        return [decode(v) for v in sv.list_value.values]
    if kind == "tuple_value":
        return tuple(decode(v) for v in sv.tuple_value.values)
    if kind == "dict_value":
        return {k: decode(sv.dict_value.fields[k]) for k in sorted(sv.dict_value.fields)}
    if kind == "named_tuple_value":
        nt = sv.named_tuple_value
        cls = collections.namedtuple(nt.name, [p.key for p in nt.values])
        return cls(*[decode(p.value) for p in nt.values])
    raise ValueError(
        f"tf.saved_model.load: tfgraph cannot decode a {kind} in a SavedModel's function "
        "signature (composite tensors and numpy values are not supported)."
    )


def _shape(shape_proto) -> TensorShape:
    if shape_proto.unknown_rank:
        return TensorShape(None)
    return TensorShape([d.size if d.size >= 0 else None for d in shape_proto.dim])


def fullargspec(python_function):
    """`inspect.getfullargspec` of the function as a namedtuple named FullArgSpec (the
    bound instance of a method left out)."""
    try:
        spec = inspect.getfullargspec(python_function)
    except TypeError:
        spec = inspect.FullArgSpec([], None, None, None, [], None, {})
    return spec._replace(annotations={})

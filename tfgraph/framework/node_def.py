"""Operations <-> `NodeDef`/`AttrValue` protos, and `Graph.as_graph_def`.

Attr values live on operations as Python values (DType, TensorShape, numpy arrays for
tensors, bytes for strings, lists); the op's registry entry says how each is encoded.
Attrs the registry does not declare (`_class`, `_output_shapes`, ...) are encoded by
their Python type. Keys starting with `__` are tfgraph-private and never exported.
"""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.tensor_shape import TensorShape

__all__ = [
    "attr_for_python",
    "attr_value_from_python",
    "attr_value_to_python",
    "graph_to_graph_def",
    "to_node_def",
    "to_op_def_proto",
]


def _proto():
    from tfgraph import proto

    return proto


def _tensor_proto():
    from tfgraph.io import tensor_proto

    return tensor_proto


def _infer_attr_type(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, (bytes, str)):
        return "string"
    if isinstance(value, dtypes.DType):
        return "type"
    if isinstance(value, TensorShape):
        return "shape"
    if isinstance(value, np.ndarray):
        return "tensor"
    if isinstance(value, _proto().AttrValue):
        return "raw"  # an undeclared attr imported as it was (see importer)
    if isinstance(value, (list, tuple)):
        if not value:
            return "list(string)"
        return f"list({_infer_attr_type(value[0])})"
    raise TypeError(f"cannot encode attr value {value!r}")


def _attr_type(op, name: str, value) -> str:
    decl = op._op_def.attrs.get(name)
    return decl.type if decl is not None else _infer_attr_type(value)


def _tensor_value_proto(op, value):
    if op is not None and "__tensor_proto" in op._attrs:  # an imported proto kept as is
        out = op._attrs["__tensor_proto"].__class__()
        out.CopyFrom(op._attrs["__tensor_proto"])
        return out
    raw = op._attrs.get("__raw_value") if op is not None else None
    if raw is not None:
        return _tensor_proto().make_tensor_proto(
            raw, dtype=op._attrs.get("dtype"), shape=value.shape
        )
    dtype = op._attrs.get("dtype") if op is not None else None
    if not isinstance(dtype, dtypes.DType):
        dtype = None
    return _tensor_proto().make_tensor_proto(value, dtype=dtype)


def attr_value_from_python(value, attr_type: str, op=None):
    """An `AttrValue` proto for `value` of TF attr type `attr_type`."""
    proto = _proto()
    av = proto.AttrValue()
    if attr_type == "raw":
        av.CopyFrom(value)
        return av
    if attr_type.startswith("list("):
        inner = attr_type[5:-1]
        lst = av.list
        lst.SetInParent()
        for item in value:
            if inner == "string":
                lst.s.append(item if isinstance(item, bytes) else str(item).encode())
            elif inner == "int":
                lst.i.append(int(item))
            elif inner == "float":
                lst.f.append(float(item))
            elif inner == "bool":
                lst.b.append(bool(item))
            elif inner == "type":
                lst.type.append(dtypes.as_dtype(item).as_datatype_enum)
            elif inner == "shape":
                lst.shape.add().CopyFrom(_shape_proto(item))
            elif inner == "tensor":
                lst.tensor.add().CopyFrom(_tensor_proto().make_tensor_proto(item))
            elif inner == "func":
                f = lst.func.add()
                f.name = item if isinstance(item, str) else item.decode()
                for k, v in getattr(item, "call_attrs", {}).items():
                    f.attr[k].CopyFrom(v)
            else:
                raise TypeError(f"unsupported list attr type {attr_type}")
        return av
    if attr_type == "string":
        av.s = value if isinstance(value, bytes) else str(value).encode()
    elif attr_type == "int":
        av.i = int(value)
    elif attr_type == "float":
        av.f = float(value)
    elif attr_type == "bool":
        av.b = bool(value)
    elif attr_type == "type":
        av.type = dtypes.as_dtype(value).as_datatype_enum
    elif attr_type == "shape":
        av.shape.CopyFrom(_shape_proto(value))
    elif attr_type == "tensor":
        av.tensor.CopyFrom(_tensor_value_proto(op, value))
    elif attr_type == "func":
        av.func.name = value if isinstance(value, str) else value.decode()
        for k, v in getattr(value, "call_attrs", {}).items():
            av.func.attr[k].CopyFrom(v)
    else:
        raise TypeError(f"unsupported attr type {attr_type}")
    return av


def _shape_proto(shape):
    shape = TensorShape(shape) if not isinstance(shape, TensorShape) else shape
    return _tensor_proto().shape_to_proto(None if shape._dims is None else list(shape._dims))


def attr_value_to_python(av, attr_type: str | None = None):
    """The Python value tfgraph keeps for an `AttrValue` (inverse of the above)."""
    which = av.WhichOneof("value")
    if which == "list":
        lst = av.list
        if attr_type is not None and attr_type.startswith("list("):
            inner = attr_type[5:-1]
        else:
            inner = next(
                (
                    k
                    for k in ("s", "i", "f", "b", "type", "shape", "tensor")
                    if len(getattr(lst, k))
                ),
                "s",
            )
            inner = {"s": "string", "i": "int", "f": "float", "b": "bool"}.get(inner, inner)
        if inner == "string":
            return list(lst.s)
        if inner == "int":
            return [int(i) for i in lst.i]
        if inner == "float":
            return [float(f) for f in lst.f]
        if inner == "bool":
            return [bool(b) for b in lst.b]
        if inner == "type":
            return [dtypes.as_dtype(t) for t in lst.type]
        if inner == "shape":
            return [TensorShape(s) for s in lst.shape]
        if inner == "tensor":
            return [_frozen(_tensor_proto().make_ndarray(t)) for t in lst.tensor]
        if inner == "func":
            return [f.name for f in lst.func]
        return []
    if which == "s":
        return av.s
    if which == "i":
        return int(av.i)
    if which == "f":
        return float(av.f)
    if which == "b":
        return bool(av.b)
    if which == "type":
        return dtypes.as_dtype(av.type)
    if which == "shape":
        return TensorShape(av.shape)
    if which == "tensor":
        return _frozen(_tensor_proto().make_ndarray(av.tensor))
    if which == "func":
        return av.func.name
    if which is None and attr_type is not None and attr_type.startswith("list("):
        return []
    return None


def _frozen(arr):
    arr = np.asarray(arr)
    arr.flags.writeable = False
    return arr


def attr_for_python(op, name: str, value):
    """`Operation.get_attr`: TF returns DTypes, bytes, and protos for shapes/tensors."""
    attr_type = _attr_type(op, name, value)
    if attr_type == "shape":
        return _shape_proto(value)
    if attr_type == "tensor":
        return _tensor_value_proto(op, value)
    if attr_type == "list(shape)":
        return [_shape_proto(v) for v in value]
    if attr_type == "list(tensor)":
        return [_tensor_proto().make_tensor_proto(v) for v in value]
    if isinstance(value, list):
        return list(value)
    return value


def to_node_def(op, add_shapes: bool = False):
    """`op` as a `NodeDef` proto."""
    proto = _proto()
    nd = proto.NodeDef()
    nd.name = op._name
    nd.op = op._type
    for t in op._inputs:
        nd.input.append(t._op._name if t._value_index == 0 else f"{t._op._name}:{t._value_index}")
    for c in op._control_inputs:
        nd.input.append("^" + c._name)
    if op._device:
        nd.device = op._device
    for name, value in op._attrs.items():
        if name.startswith("__"):
            continue
        nd.attr[name].CopyFrom(attr_value_from_python(value, _attr_type(op, name, value), op))
    if add_shapes and op._outputs:
        nd.attr["_output_shapes"].CopyFrom(
            attr_value_from_python([t._shape for t in op._outputs], "list(shape)")
        )
    return nd


def graph_to_graph_def(graph, from_version: int | None = None, add_shapes: bool = False):
    """`Graph.as_graph_def`: every op of `graph` as a `GraphDef`.

    `from_version` is accepted and, as in TensorFlow 2.x (whose C API ignores it),
    has no effect: the whole graph is returned. `add_shapes` adds an `_output_shapes`
    attr to every op that has outputs.
    """
    from tfgraph.framework.graph import GRAPH_DEF_VERSION

    proto = _proto()
    gd = proto.GraphDef()
    gd.versions.producer = GRAPH_DEF_VERSION
    for op in graph._nodes:
        if add_shapes:
            gd.node.append(to_node_def(op, add_shapes=True))
        else:
            gd.node.append(op.node_def)
        if len(op._control_inputs) > 1:
            # TF's GraphDef serialization lists control inputs sorted by name.
            nd = gd.node[-1]
            n = len(op._inputs)
            controls = sorted(nd.input[n:])
            del nd.input[n:]
            nd.input.extend(controls)
    _add_functions(gd, graph)
    return gd


def _add_functions(gd, graph) -> None:
    """The graph's function library (imported FunctionDefs) and the functions ops name
    in attrs (tf.data's traced functions, which offer `function_defs()`) into the
    GraphDef's library, each once."""
    seen: set[str] = set()
    for fn in graph._functions.values():
        _add_function(gd, fn, seen)
    for op in graph._nodes:
        for value in op._attrs.values():
            if value.__class__ is list and value and isinstance(value[0], str):
                for item in value:
                    _add_function(gd, item, seen)
            _add_function(gd, value, seen)


def _add_function(gd, value, seen: set) -> None:
    if value.__class__ is str or not isinstance(value, str):
        return  # (functions are str subclasses: cheap to rule out the rest)
    make = getattr(value, "function_defs", None)
    if make is None or not callable(make) or str(value) in seen:
        return
    for fdef in make():
        if fdef.signature.name not in seen:
            seen.add(fdef.signature.name)
            gd.library.function.append(fdef)


def to_op_def_proto(op_def):
    """An `OpDef` proto describing a registry entry (for stripped op lists)."""
    proto = _proto()
    od = proto.OpDef()
    od.name = op_def.name

    def fill_arg(arg_proto, arg):
        arg_proto.name = arg.name
        if arg.dtype is not None:
            arg_proto.type = arg.dtype.as_datatype_enum
        if arg.type_attr is not None:
            arg_proto.type_attr = arg.type_attr
        if arg.number_attr is not None:
            arg_proto.number_attr = arg.number_attr
        if arg.type_list_attr is not None:
            arg_proto.type_list_attr = arg.type_list_attr
        if arg.is_ref:
            arg_proto.is_ref = True

    for arg in op_def.inputs:
        fill_arg(od.input_arg.add(), arg)
    for arg in op_def.outputs:
        fill_arg(od.output_arg.add(), arg)
    for attr in op_def.attrs.values():
        a = od.attr.add()
        a.name = attr.name
        a.type = attr.type
        if attr.has_default:
            a.default_value.CopyFrom(attr_value_from_python(attr.default, attr.type))
        if attr.minimum is not None:
            a.has_minimum = True
            a.minimum = attr.minimum
        if attr.allowed is not None:
            if attr.type in ("type", "list(type)"):
                a.allowed_values.list.type.extend(sorted(d.as_datatype_enum for d in attr.allowed))
            else:
                a.allowed_values.list.s.extend(sorted(attr.allowed))
    if op_def.is_stateful:
        od.is_stateful = True
    if op_def.allows_uninitialized_input:
        od.allows_uninitialized_input = True
    return od

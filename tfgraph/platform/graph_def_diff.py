"""`tf.test.assert_equal_graph_def`: GraphDefs compared node by node, in any node order,
with the first difference reported in TF's words (TF's EqualGraphDef)."""

from __future__ import annotations

import numpy as np

__all__ = ["assert_equal_graph_def", "graph_def_diff"]


def _fmt_number(v) -> str:
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e16 else str(np.float32(v))
    return str(v)


_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _summarize_tensor(tensor_proto) -> str:
    from tfgraph.framework import dtypes
    from tfgraph.io.tensor_proto import make_ndarray

    dtype = dtypes.as_dtype(tensor_proto.dtype)
    dims = ", ".join(str(d.size) for d in tensor_proto.tensor_shape.dim)
    try:
        flat = np.asarray(make_ndarray(tensor_proto)).reshape(-1)
    except Exception:
        flat = np.asarray([])
    shown = []
    for x in flat[:10]:
        x = x.item() if hasattr(x, "item") else x
        shown.append(x.decode("latin-1") if isinstance(x, bytes) else _fmt_number(x))
    values = " ".join(shown) + ("..." if flat.size > 10 else "")
    type_name = _C_TYPE_NAMES.get(dtype.name, dtype.name)
    return f"Tensor<type: {type_name} shape: [{dims}] values: {values}>"


def _dt_name(enum: int) -> str:
    from tfgraph.framework import dtypes

    name = dtypes.as_dtype(enum).name
    return "DT_" + _C_TYPE_NAMES.get(name, name).upper()


def _summarize_attr(value) -> str:
    kind = value.WhichOneof("value")
    if kind == "s":
        return '"' + value.s.decode("latin-1") + '"'
    if kind in ("i", "f"):
        return _fmt_number(getattr(value, kind))
    if kind == "b":
        return "true" if value.b else "false"
    if kind == "type":
        return _dt_name(value.type)
    if kind == "shape":
        if value.shape.unknown_rank:
            return "<unknown>"
        return "[" + ",".join(str(d.size) if d.size >= 0 else "?" for d in value.shape.dim) + "]"
    if kind == "tensor":
        return _summarize_tensor(value.tensor)
    if kind == "func":
        return value.func.name
    if kind == "list":
        lst = value.list
        items = [_fmt_number(x) for x in (*lst.i, *lst.f)]
        items += ['"' + x.decode("latin-1") + '"' for x in lst.s]
        items += [_dt_name(t) for t in lst.type]
        items += ["true" if b else "false" for b in lst.b]
        return "[" + ", ".join(items) + "]"
    return ""


def _summarize_node(node) -> str:
    attrs = ", ".join(f"{k}={_summarize_attr(node.attr[k])}" for k in sorted(node.attr))
    device = f" device={node.device}" if node.device else ""
    return f"{{{{node {node.name}}}}} = {node.op}[{attrs}]({', '.join(node.input)}){device}"


def _node_diff(actual, expected) -> str | None:
    name = actual.name
    if actual.op != expected.op:
        return f"Node named '{name}' has op '{actual.op}' that is not expected '{expected.op}'"
    if actual.device != expected.device:
        return (
            f"Node named '{name}' has device '{actual.device}' that is not expected "
            f"'{expected.device}'"
        )
    a_in, e_in = list(actual.input), list(expected.input)
    if len(a_in) != len(e_in):
        return (
            f"Node named '{name}' has inputs '{', '.join(a_in)}' that don't match expected "
            f"'{', '.join(e_in)}'"
        )
    for i, (a, e) in enumerate(zip(a_in, e_in)):
        if a.startswith("^") or e.startswith("^"):
            break
        if a != e:
            return f"Node named '{name}' has input {i} '{a}' that doesn't match expected '{e}'"
    a_ctrl = {x for x in a_in if x.startswith("^")}
    e_ctrl = {x for x in e_in if x.startswith("^")}
    for x in sorted(e_ctrl - a_ctrl):
        return f"Node named '{name}' missing expected control input '{x}'"
    for x in sorted(a_ctrl - e_ctrl):
        return f"Node named '{name}' has unexpected control input '{x}'"
    return _attr_diff(actual, expected)


def _attr_diff(actual, expected) -> str | None:
    name = actual.name
    for key in sorted(actual.attr):
        if key.startswith("_"):  # (internal attrs are not compared, as in TF)
            continue
        value = actual.attr[key]
        if key not in expected.attr:
            return f"Node named '{name}' has unexpected attr '{key}' with value: " + (
                _summarize_attr(value)
            )
        if value != expected.attr[key]:
            return (
                f"Node named '{name}' has attr '{key}' with value: {_summarize_attr(value)} "
                f"that does not match expected: {_summarize_attr(expected.attr[key])}"
            )
    for key in sorted(expected.attr):
        if not key.startswith("_") and key not in actual.attr:
            return f"Node named '{name}' missing expected attr '{key}' with value: " + (
                _summarize_attr(expected.attr[key])
            )
    return None


def graph_def_diff(actual, expected) -> str | None:
    """The first difference between two GraphDefs (nodes matched by name), or None."""
    index = {node.name: node for node in actual.node}
    for node in expected.node:
        mine = index.pop(node.name, None)
        if mine is None:
            return f"Did not find expected node '{_summarize_node(node)}'"
        diff = _node_diff(mine, node)
        if diff:
            return diff
    if index:
        return f"Found unexpected node '{_summarize_node(next(iter(index.values())))}'"
    return None


def _strip(graph_def, checkpoint_v2: bool, hash_table_shared_name: bool):
    graph_def = type(graph_def).FromString(graph_def.SerializeToString())
    for node in graph_def.node:
        if checkpoint_v2 and node.op == "Const" and node.attr["dtype"].type == 7:  # string
            tensor = node.attr["value"].tensor
            if len(tensor.string_val) == 1 and b"_temp_" in tensor.string_val[0]:
                del tensor.string_val[:]  # (Saver V2's randomized temp-file suffix)
        if hash_table_shared_name and node.op.endswith("HashTableV2"):
            node.attr["shared_name"].s = b""
    return graph_def


def assert_equal_graph_def(
    actual, expected, checkpoint_v2: bool = False, hash_table_shared_name: bool = False
) -> None:
    """Raises AssertionError naming the first difference if two GraphDefs differ
    (node order aside; attrs starting with "_" are not compared).

    Args:
        actual: the GraphDef tested.
        expected: the GraphDef expected.
        checkpoint_v2: ignore the randomized temp-file names Saver V2 graphs hold.
        hash_table_shared_name: ignore hash tables' shared names.

    Raises:
        TypeError: an argument is not a GraphDef.
        AssertionError: the graphs differ.
    """
    from tfgraph.proto import GraphDef

    for what, value in (("actual", actual), ("expected", expected)):
        if not isinstance(value, GraphDef):
            raise TypeError(f"Expected tf.GraphDef for {what}, got {type(value).__name__}")
    if checkpoint_v2 or hash_table_shared_name:
        actual = _strip(actual, checkpoint_v2, hash_table_shared_name)
        expected = _strip(expected, checkpoint_v2, hash_table_shared_name)
    diff = graph_def_diff(actual, expected)
    if diff:
        raise AssertionError(diff)


def assert_equal_graph_def_v2(expected, actual) -> None:
    """TF2's `tf.test.assert_equal_graph_def`: (expected, actual), comparing V2
    checkpoint ops and hash tables' shared names too."""
    assert_equal_graph_def(actual, expected, checkpoint_v2=True, hash_table_shared_name=True)

"""GraphDef rewriting: freezing variables into constants, extracting the subgraph
that feeds given nodes, and removing training-only nodes (TF1 `tf.graph_util`).

All functions take and return `GraphDef` protos (never modify their input) and
keep the nodes in their original order, as TensorFlow does.
"""

from __future__ import annotations

import logging
import re

from tfgraph.framework import dtypes, registry

__all__ = [
    "convert_variables_to_constants",
    "extract_sub_graph",
    "must_run_on_cpu",
    "remove_training_nodes",
    "tensor_shape_from_node_def_name",
]

_log = logging.getLogger("tfgraph")


def _is_variable(op_type: str) -> bool:
    """Whether ops of type `op_type` hold a variable's storage (registry trait)."""
    op_def = registry.lookup(op_type)
    return op_def is not None and op_def.variable


def _proto():
    from tfgraph import proto

    return proto


def _check_graph_def(graph_def, what: str = "graph_def"):
    proto = _proto()
    if not isinstance(graph_def, proto.GraphDef):
        raise TypeError(
            f"{what} must be a graph_pb2.GraphDef proto, but got type {type(graph_def)}."
        )


def _node_name(n: str) -> str:
    return n[1:] if n.startswith("^") else n.split(":")[0]


def _colocated_name(value: bytes) -> str:
    text = value.decode("utf-8")
    return text[5:] if text.startswith("loc:@") else text


def _extract_graph_summary(graph_def):
    name_to_input_name: dict[str, list[str]] = {}
    name_to_node = {}
    name_to_seq_num: dict[str, int] = {}
    for seq, node in enumerate(graph_def.node):
        n = _node_name(node.name)
        name_to_node[n] = node
        name_to_input_name[n] = [_node_name(x) for x in node.input]
        if "_class" in node.attr:  # keep the ops a node is colocated with
            for group in node.attr["_class"].list.s:
                name_to_input_name[n].append(_colocated_name(group))
        name_to_seq_num[n] = seq
    return name_to_input_name, name_to_node, name_to_seq_num


def _assert_nodes_are_present(name_to_node, nodes) -> None:
    for d in nodes:
        if d not in name_to_node:
            raise AssertionError(f"{d} is not in graph")


def _bfs_for_reachable_nodes(target_nodes, name_to_input_name) -> set[str]:
    keep: set[str] = set()
    todo = list(target_nodes)
    while todo:
        node = todo.pop(0)
        if node in keep:
            continue
        keep.add(node)
        if node in name_to_input_name:
            todo += name_to_input_name[node]
    return keep


def extract_sub_graph(graph_def, dest_nodes):
    """The part of `graph_def` that `dest_nodes` (node names) depend on, including the
    nodes they are colocated with.

    Raises:
        TypeError: `graph_def` is not a GraphDef or `dest_nodes` is a string.
        AssertionError: a destination node is not in the graph ("x is not in graph").
    """
    _check_graph_def(graph_def)
    if isinstance(dest_nodes, str):
        raise TypeError(
            f"dest_nodes must be an iterable of strings, but got type {type(dest_nodes)}."
        )
    name_to_input_name, name_to_node, name_to_seq_num = _extract_graph_summary(graph_def)
    _assert_nodes_are_present(name_to_node, dest_nodes)
    keep = _bfs_for_reachable_nodes(dest_nodes, name_to_input_name)
    out = _proto().GraphDef()
    for n in sorted(keep, key=lambda n: name_to_seq_num[n]):
        out.node.append(name_to_node[n])
    out.library.CopyFrom(graph_def.library)
    out.versions.CopyFrom(graph_def.versions)
    return out


def convert_variables_to_constants(
    sess,
    input_graph_def,
    output_node_names,
    variable_names_whitelist=None,
    variable_names_blacklist=None,
):
    """Freezes a graph: replaces the variables that `output_node_names` depend on by
    `Const` nodes holding their current values in `sess`.

    Args:
        sess: a session in which the variables are initialized.
        input_graph_def: the `GraphDef` (e.g. `sess.graph.as_graph_def()`).
        output_node_names: names of the nodes the frozen graph must compute.
        variable_names_whitelist: if given, only these variables are converted.
        variable_names_blacklist: variables not to convert.

    Returns:
        The frozen `GraphDef`: the subgraph feeding the outputs, variables turned into
        constants (keeping their names, so `v/read` still reads `v`).
    """
    proto = _proto()
    from tfgraph.io.tensor_proto import make_tensor_proto

    graph_def = extract_sub_graph(input_graph_def, output_node_names)
    allow = None if variable_names_whitelist is None else set(variable_names_whitelist)
    deny = set(variable_names_blacklist or ())
    wanted = [
        node
        for node in graph_def.node
        if (_is_variable(node.op) or node.op == "VarHandleOp")
        and (allow is None or node.name in allow)
        and node.name not in deny
    ]
    to_convert = [node.name for node in wanted]
    fetches = [_value_tensor(sess.graph, node) for node in wanted]
    values = dict(zip(to_convert, sess.run(fetches))) if to_convert else {}
    out = proto.GraphDef()
    for node in graph_def.node:
        if node.op == "ReadVariableOp" and node.input and node.input[0] in values:
            # a read of a frozen resource variable: an Identity of its Const (as TF)
            read = out.node.add()
            read.CopyFrom(node)
            read.op = "Identity"
            read.attr["T"].type = node.attr["dtype"].type
            del read.attr["dtype"]
        elif node.name in values:
            const = out.node.add()
            const.name = node.name
            const.op = "Const"
            dtype = dtypes.as_dtype(node.attr["dtype"].type)
            const.attr["dtype"].type = dtype.as_datatype_enum
            const.attr["value"].tensor.CopyFrom(make_tensor_proto(values[node.name], dtype=dtype))
            if node.device:
                const.device = node.device
        else:
            out.node.append(node)
    out.library.CopyFrom(graph_def.library)
    out.versions.CopyFrom(graph_def.versions)
    _log.info("Froze %d variables.", len(values))
    return out


def _value_tensor(graph, node) -> str:
    """The tensor holding a variable node's value: the variable itself, or for a
    resource variable's handle a read of it (`v/Read/ReadVariableOp:0` as TF fetches)."""
    if node.op != "VarHandleOp":
        return node.name + ":0"
    handle = graph.get_operation_by_name(node.name)._outputs[0]
    reads = [
        op
        for op in graph.get_operations()
        if op.type == "ReadVariableOp" and op.inputs[0] is handle
    ]
    reads.sort(key=lambda op: op.name != node.name + "/Read/ReadVariableOp")
    if not reads:
        raise ValueError(f"Cannot find a read of resource variable {node.name} to freeze it.")
    return reads[0].name + ":0"


def remove_training_nodes(input_graph, protected_nodes=None):
    """Removes nodes only useful in training: CheckNumerics always, and Identity /
    StopGradient nodes that are not involved in control edges or colocation (their
    consumers read their input directly)."""
    proto = _proto()
    protected = set(protected_nodes or ())
    names_to_remove = {
        n.name for n in input_graph.node if n.op == "CheckNumerics" and n.name not in protected
    }
    after_removal = []
    for node in input_graph.node:
        if node.name in names_to_remove:
            continue
        new = proto.NodeDef()
        new.CopyFrom(node)
        del new.input[:]
        for full in node.input:
            if re.sub(r"^\^", "", full) in names_to_remove:
                continue
            new.input.append(full)
        after_removal.append(new)

    control_input_names: set[str] = set()
    with_control_input: set[str] = set()
    colocated: set[str] = set()
    for node in after_removal:
        for inp in node.input:
            if "^" in inp:
                control_input_names.add(inp.replace("^", ""))
                with_control_input.add(node.name)
        if "_class" in node.attr:
            for group in node.attr["_class"].list.s:
                colocated.add(_colocated_name(group))
    splice = {}
    for node in after_removal:
        if node.op in ("Identity", "StopGradient") and node.name not in protected:
            if node.name in colocated:
                continue
            if node.name not in with_control_input:
                splice[node.name] = node.input[0]
    splice = {k: v for k, v in splice.items() if k not in control_input_names}

    out = proto.GraphDef()
    for node in after_removal:
        if node.name in splice:
            continue
        new = proto.NodeDef()
        new.CopyFrom(node)
        del new.input[:]
        for full in node.input:
            name = re.sub(r"^\^", "", full)
            while name in splice:
                full = splice[name]
                name = re.sub(r"^\^", "", full)
            new.input.append(full)
        out.node.append(new)
    return out


def must_run_on_cpu(node, pin_variables_on_cpu: bool = False) -> bool:
    """Whether a node (Operation or NodeDef) has to run on the CPU in TF."""
    from tfgraph.framework.ops import Operation

    node_def = node.node_def if isinstance(node, Operation) else node
    if pin_variables_on_cpu and node_def.op in (
        "Variable",
        "VariableV2",
        "AutoReloadVariable",
        "MutableHashTable",
        "MutableHashTableV2",
        "MutableHashTableOfTensors",
        "MutableHashTableOfTensorsV2",
        "MutableDenseHashTable",
        "MutableDenseHashTableV2",
        "VarHandleOp",
        "VarIsInitializedOp",
        "VariableShape",
        "ReadVariableOp",
        "AssignVariableOp",
        "AssignAddVariableOp",
        "AssignSubVariableOp",
        "ResourceGather",
        "ResourceScatterAdd",
        "ResourceScatterSub",
        "ResourceScatterMul",
        "ResourceScatterDiv",
        "ResourceScatterMin",
        "ResourceScatterMax",
        "ResourceScatterUpdate",
        "ResourceScatterNdAdd",
        "ResourceScatterNdUpdate",
    ):
        return True
    if node_def.op == "Const":
        dtype = node_def.attr["dtype"].type
        return dtype in (dtypes.string.as_datatype_enum, dtypes.int32.as_datatype_enum)
    if node_def.op in ("DynamicStitch", "ParallelDynamicStitch"):
        return node_def.attr["T"].type == dtypes.int32.as_datatype_enum
    if node_def.op == "Cast":
        return node_def.attr["SrcT"].type == dtypes.int32.as_datatype_enum
    return False


def tensor_shape_from_node_def_name(graph, input_name: str):
    """The static shape of the tensor a NodeDef input string names ("x" = "x:0")."""
    name = input_name if ":" in input_name else input_name + ":0"
    return graph.get_tensor_by_name(name).get_shape()

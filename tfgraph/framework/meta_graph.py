"""`MetaGraphDef` export and import: a graph plus its collections and saver.

Export (`export_scoped_meta_graph`, behind `tf.train.export_meta_graph` and the
`.meta` file `Saver.save` writes) stores the GraphDef with `_output_shapes` on every
op that has outputs, a `meta_info_def` (the stripped OpDefs of the op types used;
`tensorflow_version` "2.21.0", the TF API tfgraph implements, and
`tensorflow_git_version` naming tfgraph as the producer), the `saver_def`, and every
collection with a string key:

* collections with registered proto functions (variables -> `VariableDef`, savers ->
  `SaverDef`, see `register_proto_function`) -> `bytes_list` of serialized protos;
* otherwise by the first item: str/bytes -> `bytes_list`, int -> `int64_list`,
  float -> `float_list`, `google.protobuf.Any` protos -> `any_list` (a SavedModel's
  assets), ops and tensors -> `node_list` of their names.

Items that cannot be serialized are skipped with a warning, as TF does. The
`cond_context` / `while_context` collections hold `CondContextDef` / `WhileContextDef`
protos (their proto functions live in ops/control_flow_io.py).

Import (`import_scoped_meta_graph`) imports the GraphDef through
`import_graph_def` and rebuilds the collections: `VariableDef`s become `Variable`s
(`Variable.from_proto`, one object per variable shared by all its collections),
node lists become ops/tensors, numbers and bytes are restored as values.
"""

from __future__ import annotations

import copy
import logging
import os
import re

from tfgraph.framework import node_def as _node_def_mod
from tfgraph.framework import registry
from tfgraph.framework.graph import Graph, GraphKeys, get_default_graph
from tfgraph.framework.ops import Operation, Tensor

__all__ = [
    "add_collection_def",
    "create_meta_graph_def",
    "export_scoped_meta_graph",
    "get_collection_proto_type",
    "get_from_proto_function",
    "get_to_proto_function",
    "import_scoped_meta_graph",
    "import_scoped_meta_graph_with_return_elements",
    "ops_used_by_graph_def",
    "prepend_name_scope",
    "read_meta_graph_file",
    "register_proto_function",
    "strip_graph_default_valued_attrs",
    "strip_name_scope",
    "stripped_op_list_for_graph",
]

_log = logging.getLogger("tfgraph")

TENSORFLOW_VERSION = "2.21.0"  # the TF API tfgraph implements (TF checks >= 1.9 on import)
PRODUCER = "tfgraph-0.1.0"
_UNBOUND_INPUT_PREFIX = "$unbound_inputs_"
_SAVE_AND_RESTORE_OPS = frozenset(
    {
        "SaveV2",
        "Save",
        "SaveSlice",
        "LegacySave",
        "LegacySaveSlice",
        "RestoreV2",
        "Restore",
        "RestoreSlice",
        "LegacyRestore",
        "LegacyRestoreSlice",
    }
)


# -- proto functions per collection ------------------------------------------------------------
_PROTO_FUNCTIONS: dict[str, tuple] = {}


def register_proto_function(collection_name, proto_type=None, to_proto=None, from_proto=None):
    """Registers how items of `collection_name` are (de)serialized in a MetaGraphDef.

    Args:
        collection_name: the collection key.
        proto_type: a callable returning the message class (classes are built lazily).
        to_proto: `fn(item, export_scope=None)` -> proto (or None to skip the item).
        from_proto: `fn(proto, import_scope=None)` -> item.
    """
    _PROTO_FUNCTIONS[collection_name] = (proto_type, to_proto, from_proto)


def get_collection_proto_type(collection_name):
    entry = _PROTO_FUNCTIONS.get(collection_name)
    return None if entry is None or entry[0] is None else entry[0]()


def get_to_proto_function(collection_name):
    entry = _PROTO_FUNCTIONS.get(collection_name)
    return None if entry is None else entry[1]


def get_from_proto_function(collection_name):
    entry = _PROTO_FUNCTIONS.get(collection_name)
    return None if entry is None else entry[2]


# -- names -------------------------------------------------------------------------------------
def strip_name_scope(name: str, export_scope) -> str:
    """`name` without the leading `export_scope/` (also after `^` and `loc:@`)."""
    if not export_scope:
        return name
    if export_scope[-1] == "/":
        export_scope = export_scope[:-1]
    if isinstance(name, bytes):
        name = name.decode("utf-8", "surrogateescape")
    return re.sub(
        r"([\^]|loc:@|^)" + re.escape(export_scope) + r"[\/]+(.*)", r"\1\2", name, count=1
    )


def prepend_name_scope(name: str, import_scope) -> str:
    """`import_scope/name` (keeping a leading `^` or `loc:@` in front)."""
    if not import_scope:
        return name
    if import_scope[-1] == "/":
        import_scope = import_scope[:-1]
    if isinstance(name, bytes):
        name = name.decode("utf-8", "surrogateescape")
    return re.sub(
        r"([\^]|loc:@|^)(.*)", lambda m: m.group(1) + import_scope + "/" + m.group(2), name
    )


def _proto():
    from tfgraph import proto

    return proto


# -- export -----------------------------------------------------------------------------------
def ops_used_by_graph_def(graph_def) -> list[str]:
    """The op types used by the nodes of `graph_def`."""
    return sorted({node.op for node in graph_def.node})


def stripped_op_list_for_graph(graph_def):
    """An `OpList` with the OpDefs (from tfgraph's registry) of the ops `graph_def` uses."""
    op_list = _proto().OpList()
    for name in ops_used_by_graph_def(graph_def):
        op_def = registry.lookup(name)
        if op_def is not None:
            op_list.op.append(_node_def_mod.to_op_def_proto(op_def))
    return op_list


def strip_graph_default_valued_attrs(meta_graph_def) -> None:
    """Removes attrs holding their registered default from every node (in place)."""
    defaults: dict[str, dict] = {}
    for node in meta_graph_def.graph_def.node:
        op_def = registry.lookup(node.op)
        if op_def is None:
            continue
        table = defaults.get(node.op)
        if table is None:
            table = defaults[node.op] = {
                a.name: _node_def_mod.attr_value_from_python(a.default, a.type)
                for a in op_def.attrs.values()
                if a.has_default
            }
        for key in [k for k, v in node.attr.items() if k in table and v == table[k]]:
            del node.attr[key]
    meta_graph_def.meta_info_def.stripped_default_attrs = True


def _should_include_node(node_or_name, export_scope, exclude_nodes) -> bool:
    if not isinstance(node_or_name, str):
        try:
            name = node_or_name.name
        except AttributeError:
            return True
    else:
        name = node_or_name
    if not isinstance(name, str):
        return True
    if exclude_nodes and (node_or_name in exclude_nodes or name in exclude_nodes):
        return False
    return (
        name.startswith(_UNBOUND_INPUT_PREFIX) or not export_scope or name.startswith(export_scope)
    )


def _kind_name(item) -> str:
    if isinstance(item, (str, bytes)):
        return "bytes_list"
    if isinstance(item, int):  # bools too, as in TF
        return "int64_list"
    if isinstance(item, float):
        return "float_list"
    if getattr(getattr(item, "DESCRIPTOR", None), "full_name", None) == "google.protobuf.Any":
        return "any_list"
    return "node_list"


def add_collection_def(
    meta_graph_def,
    key,
    graph: Graph | None = None,
    export_scope=None,
    exclude_nodes=None,
    override_contents=None,
) -> None:
    """Adds collection `key` of `graph` to `meta_graph_def.collection_def` (skipping it
    with a warning when its items cannot be serialized)."""
    if graph is not None and not isinstance(graph, Graph):
        raise TypeError(f"graph must be of type Graph. Received type: {type(graph)}.")
    if not isinstance(key, (str, bytes)):
        _log.warning(
            "Only collections with string type keys will be serialized. This key has %s",
            type(key),
        )
        return
    graph = graph or get_default_graph()
    items = override_contents if override_contents else graph.get_collection(key)
    items = [x for x in items if _should_include_node(x, export_scope, exclude_nodes)]
    if not items:
        return
    col_def = meta_graph_def.collection_def[key]
    try:
        to_proto = get_to_proto_function(key)
        if to_proto is not None:
            for x in items:
                p = to_proto(x, export_scope=export_scope)
                if p is not None:
                    col_def.bytes_list.value.append(p.SerializeToString())
            if not col_def.bytes_list.value:
                col_def.bytes_list.SetInParent()
        else:
            kind = _kind_name(items[0])
            if kind == "node_list":
                for x in items:
                    if not isinstance(x, (Tensor, Operation)) and not hasattr(
                        x, "_as_graph_element"
                    ):
                        raise TypeError(f"{type(x).__name__} is not an Operation or a Tensor")
                    name = x.name
                    if not export_scope or name.startswith(export_scope):
                        col_def.node_list.value.append(strip_name_scope(name, export_scope))
                col_def.node_list.SetInParent()
            elif kind == "any_list":
                for x in items:
                    col_def.any_list.value.add().CopyFrom(x)
            elif kind == "bytes_list":
                col_def.bytes_list.value.extend(
                    [x.encode("utf-8") if isinstance(x, str) else bytes(x) for x in items]
                )
            elif kind == "int64_list":
                for x in items:
                    if isinstance(x, float) or not isinstance(x, int):
                        raise TypeError(f"{x!r} is not an int")
                    col_def.int64_list.value.append(int(x))
            else:
                for x in items:
                    if not isinstance(x, (int, float)) or isinstance(x, bool):
                        raise TypeError(f"{x!r} is not a float")
                    col_def.float_list.value.append(float(x))
    except Exception as e:
        _log.warning(
            "Issue encountered when serializing %s.\nType is unsupported, or the types of the "
            "items don't match field type in CollectionDef. Note this is a warning and "
            "probably safe to ignore.\n%s",
            key,
            e,
        )
        if key in meta_graph_def.collection_def:
            del meta_graph_def.collection_def[key]


def create_meta_graph_def(
    meta_info_def=None,
    graph_def=None,
    saver_def=None,
    collection_list=None,
    graph: Graph | None = None,
    export_scope=None,
    exclude_nodes=None,
    clear_extraneous_savers: bool = False,
    strip_default_attrs: bool = False,
):
    """Builds a `MetaGraphDef` of `graph` (default: the default graph)."""
    proto = _proto()
    if graph is not None and not isinstance(graph, Graph):
        raise TypeError(f"graph must be of type Graph. Received type: {type(graph)}.")
    if meta_info_def is not None and not isinstance(meta_info_def, proto.MetaGraphDef.MetaInfoDef):
        raise TypeError(
            f"meta_info_def must be of type MetaInfoDef. Received type: {type(meta_info_def)}."
        )
    if graph_def is not None and not isinstance(graph_def, proto.GraphDef):
        raise TypeError(f"graph_def must be of type GraphDef. Received type: {type(graph_def)}.")
    if saver_def is not None and not isinstance(saver_def, proto.SaverDef):
        raise TypeError(f"saver_def must be of type SaverDef. Received type: {type(saver_def)}.")
    graph = graph or get_default_graph()
    mgd = proto.MetaGraphDef()
    info = proto.MetaGraphDef.MetaInfoDef()
    if meta_info_def is not None:
        info.CopyFrom(meta_info_def)
    info.tensorflow_version = TENSORFLOW_VERSION
    info.tensorflow_git_version = PRODUCER
    mgd.meta_info_def.MergeFrom(info)
    if graph_def is None:
        mgd.graph_def.MergeFrom(graph.as_graph_def(add_shapes=True))
    else:
        mgd.graph_def.MergeFrom(graph_def)
    if not mgd.meta_info_def.stripped_op_list.op:
        mgd.meta_info_def.stripped_op_list.MergeFrom(stripped_op_list_for_graph(mgd.graph_def))
    if strip_default_attrs:
        strip_graph_default_valued_attrs(mgd)
    if saver_def is not None:
        mgd.saver_def.MergeFrom(saver_def)
    keys = collection_list if collection_list is not None else graph.get_all_collection_keys()
    for key in keys:
        if clear_extraneous_savers and key == GraphKeys.SAVERS and saver_def is not None:
            from_proto = get_from_proto_function(key)
            add_collection_def(
                mgd,
                key,
                graph=graph,
                export_scope=export_scope,
                exclude_nodes=exclude_nodes,
                override_contents=[from_proto(saver_def)],
            )
        else:
            add_collection_def(
                mgd, key, graph=graph, export_scope=export_scope, exclude_nodes=exclude_nodes
            )
    return mgd


def _scoped_node_def(node, export_scope, unbound_inputs: list, clear_devices: bool):
    """A copy of `node` with `export_scope` stripped (inputs from outside the scope
    become `$unbound_inputs_...`)."""
    out = copy.deepcopy(node)
    for i, inp in enumerate(node.input):
        if export_scope and not inp.lstrip("^").startswith(export_scope):
            out.input[i] = re.sub(r"([\^]|^)(.*)", r"\1" + _UNBOUND_INPUT_PREFIX + r"\2", inp)
            unbound_inputs.append(out.input[i])
        else:
            out.input[i] = strip_name_scope(inp, export_scope)
    out.name = strip_name_scope(node.name, export_scope)
    if "_class" in node.attr:
        groups = [
            strip_name_scope(s.decode("utf-8", "surrogateescape"), export_scope).encode(
                "utf-8", "surrogateescape"
            )
            for s in node.attr["_class"].list.s
            if not export_scope
            or s.decode("utf-8", "surrogateescape").split("@")[1].startswith(export_scope)
        ]
        out.attr["_class"].Clear()
        out.attr["_class"].list.s.extend(groups)
        out.attr["_class"].list.SetInParent()
    if clear_devices:
        out.device = ""
    return out


def _get_scope(node_name: str) -> str:
    if node_name.startswith("^"):
        node_name = node_name[1:]
    return node_name.rsplit("/", 1)[0] if "/" in node_name else ""


def _find_extraneous_saver_nodes(graph_def, saver_def) -> set[str]:
    """Nodes of savers other than `saver_def`'s (each saver lives in its own scope)."""
    names = {n.name: n.op for n in graph_def.node}
    keep = set()
    if saver_def is not None:
        keep.add(_get_scope(saver_def.save_tensor_name.split(":")[0]) + "/")
        keep.add(_get_scope(saver_def.restore_op_name) + "/")
    saver_nodes = {n for n, op in names.items() if op in _SAVE_AND_RESTORE_OPS}
    scopes = {_get_scope(n) for n in saver_nodes} - saver_nodes
    extraneous = {s + "/" for s in scopes} - keep
    return {n for n in names if any(n.startswith(s) for s in extraneous)}


def export_scoped_meta_graph(
    filename=None,
    graph_def=None,
    graph: Graph | None = None,
    export_scope=None,
    as_text: bool = False,
    unbound_inputs_col_name: str = "unbound_inputs",
    clear_devices: bool = False,
    saver_def=None,
    clear_extraneous_savers: bool = False,
    strip_default_attrs: bool = False,
    save_debug_info: bool = False,
    **kwargs,
):
    """Exports `graph` (or the part under `export_scope`) as a `MetaGraphDef`, and
    writes it to `filename` if given (atomically; text format if `as_text`).

    Returns:
        (MetaGraphDef, {name: Variable} of the exported variables).
    """
    proto = _proto()
    graph = graph or get_default_graph()
    exclude_nodes = None
    unbound_inputs: list[str] = []
    if export_scope or clear_extraneous_savers or clear_devices:
        source = graph_def if graph_def is not None else graph.as_graph_def(add_shapes=True)
        new_graph_def = proto.GraphDef()
        new_graph_def.versions.CopyFrom(source.versions)
        if source.HasField("library"):
            new_graph_def.library.CopyFrom(source.library)
        if clear_extraneous_savers:
            exclude_nodes = _find_extraneous_saver_nodes(source, saver_def)
        for node in source.node:
            if _should_include_node(node.name, export_scope, exclude_nodes):
                new_graph_def.node.append(
                    _scoped_node_def(node, export_scope, unbound_inputs, clear_devices)
                )
        graph_def = new_graph_def
        if unbound_inputs_col_name:
            graph.clear_collection(unbound_inputs_col_name)
            for k in unbound_inputs:
                graph.add_to_collection(unbound_inputs_col_name, k)
    var_list = {}
    for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope=export_scope):
        if _should_include_node(v, export_scope, exclude_nodes):
            var_list[strip_name_scope(v.name, export_scope)] = v
    mgd = create_meta_graph_def(
        graph_def=graph_def,
        graph=graph,
        export_scope=export_scope,
        exclude_nodes=exclude_nodes,
        clear_extraneous_savers=clear_extraneous_savers,
        saver_def=saver_def,
        strip_default_attrs=strip_default_attrs,
        **kwargs,
    )
    if filename:
        from tfgraph.framework.graph_io import write_graph

        write_graph(mgd, os.path.dirname(filename), os.path.basename(filename), as_text=as_text)
    return mgd, var_list


# -- import -----------------------------------------------------------------------------------
def read_meta_graph_file(filename):
    """Reads a binary or text `MetaGraphDef` file.

    Raises:
        IOError: if the file does not exist or cannot be parsed.
    """
    proto = _proto()
    from tfgraph.io.gfile import local_path

    filename = local_path(filename)
    if not os.path.exists(filename):
        raise OSError(f"File does not exist. Received: {filename}.")
    with open(filename, "rb") as f:
        content = f.read()
    mgd = proto.MetaGraphDef()
    try:
        mgd.ParseFromString(content)
        return mgd
    except Exception:
        pass
    mgd = proto.MetaGraphDef()
    try:
        proto.text_format.Merge(content.decode("utf-8"), mgd)
    except (proto.text_format.ParseError, UnicodeDecodeError) as e:
        raise OSError(f"Cannot parse file {filename}: {e}.") from None
    return mgd


def import_scoped_meta_graph(
    meta_graph_or_file,
    clear_devices: bool = False,
    graph: Graph | None = None,
    import_scope=None,
    input_map=None,
    unbound_inputs_col_name: str = "unbound_inputs",
    restore_collections_predicate=lambda key: True,
):
    """Imports a `MetaGraphDef` (proto or file) into `graph`; returns {name: Variable}
    of the imported variables."""
    return import_scoped_meta_graph_with_return_elements(
        meta_graph_or_file,
        clear_devices,
        graph,
        import_scope,
        input_map,
        unbound_inputs_col_name,
        restore_collections_predicate,
    )[0]


def _version_at_least_1_9(version: str) -> bool:
    m = re.match(r"(\d+)\.(\d+)", version)
    if m is None:
        return True
    return (int(m.group(1)), int(m.group(2))) >= (1, 9)


def import_scoped_meta_graph_with_return_elements(
    meta_graph_or_file,
    clear_devices: bool = False,
    graph: Graph | None = None,
    import_scope=None,
    input_map=None,
    unbound_inputs_col_name: str = "unbound_inputs",
    restore_collections_predicate=lambda key: True,
    return_elements=None,
):
    """Like `import_scoped_meta_graph`; also returns the `return_elements` objects.

    Returns:
        ({name: Variable}, list of imported elements or None).

    Raises:
        ValueError: if the graph has unbound inputs not given in `input_map`.
    """
    proto = _proto()
    if isinstance(meta_graph_or_file, proto.MetaGraphDef):
        mgd = meta_graph_or_file
    else:
        mgd = read_meta_graph_file(meta_graph_or_file)
    if unbound_inputs_col_name:
        col = mgd.collection_def.get(unbound_inputs_col_name)
        if col is not None:
            kind = col.WhichOneof("kind")
            values = (
                [v.decode() if isinstance(v, bytes) else v for v in getattr(col, kind).value]
                if kind
                else []
            )
            if values and (not input_map or sorted(values) != sorted(input_map)):
                missing = ",".join(v for v in values if not input_map or v not in input_map)
                raise ValueError(
                    f"Graph contains unbound inputs: {missing}. Must provide these inputs "
                    "through input_map."
                )
    graph = graph or get_default_graph()
    with graph.as_default():
        producer_op_list = None
        if mgd.meta_info_def.HasField("stripped_op_list"):
            producer_op_list = mgd.meta_info_def.stripped_op_list
        input_graph_def = mgd.graph_def
        if clear_devices:
            input_graph_def = copy.deepcopy(input_graph_def)
            for node in input_graph_def.node:
                node.device = ""
        scope = graph.unique_name(import_scope or "", mark_as_used=False)
        # All or nothing: a collection that cannot be restored removes the imported ops
        # again and leaves the collections and names as they were.
        start = len(graph._nodes)
        names_in_use = dict(graph._names_in_use)
        saved_collections = {k: list(v) for k, v in graph._collections.items()}
        try:
            var_list, returned = _import_and_restore(
                graph, mgd, input_graph_def, import_scope, scope, input_map,
                producer_op_list, return_elements, unbound_inputs_col_name,
                restore_collections_predicate,
            )  # fmt: skip
        except BaseException:
            from tfgraph.framework.importer import _rollback

            _rollback(graph, start, names_in_use, {})
            graph._collections.clear()
            graph._collections.update(saved_collections)
            raise
    return var_list, returned


def _import_and_restore(
    graph,
    mgd,
    input_graph_def,
    import_scope,
    scope,
    input_map,
    producer_op_list,
    return_elements,
    unbound_inputs_col_name,
    restore_collections_predicate,
):
    from tfgraph.framework.importer import import_graph_def

    returned = import_graph_def(
        input_graph_def,
        name=import_scope or scope,
        input_map=input_map,
        producer_op_list=producer_op_list,
        return_elements=return_elements,
    )
    tf_version = mgd.meta_info_def.tensorflow_version
    have_trainable = not tf_version or _version_at_least_1_9(tf_version)
    collections = []
    if GraphKeys.TRAINABLE_VARIABLES in mgd.collection_def:
        collections.append(
            (GraphKeys.TRAINABLE_VARIABLES, mgd.collection_def[GraphKeys.TRAINABLE_VARIABLES])
        )
    for key, col in sorted(mgd.collection_def.items()):
        if key != GraphKeys.TRAINABLE_VARIABLES:
            collections.append((key, col))
    variable_objects: dict[bytes, object] = {}
    for key, col in collections:
        if key == unbound_inputs_col_name or not restore_collections_predicate(key):
            continue
        _restore_collection(graph, key, col, scope, variable_objects, have_trainable)
    var_list = {}
    for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope=scope):
        var_list[strip_name_scope(v.name, scope)] = v
    return var_list, returned


def _restore_collection(graph, key, col, scope, variable_objects, have_trainable) -> None:
    kind = col.WhichOneof("kind")
    if kind is None:
        _log.error("Cannot identify data type for collection %s. Skipping.", key)
        return
    from_proto = get_from_proto_function(key)
    if key == GraphKeys.METRIC_VARIABLES:
        from_proto = get_from_proto_function(GraphKeys.GLOBAL_VARIABLES)
    if from_proto is not None and kind == "bytes_list":
        proto_type = get_collection_proto_type(
            GraphKeys.GLOBAL_VARIABLES if key == GraphKeys.METRIC_VARIABLES else key
        )
        if key in GraphKeys._VARIABLE_COLLECTIONS or key == GraphKeys.GLOBAL_STEP:
            for value in col.bytes_list.value:
                variable = variable_objects.get(value)
                if variable is None:
                    p = proto_type.FromString(value)
                    if not have_trainable:
                        p.trainable = key == GraphKeys.TRAINABLE_VARIABLES
                    variable = from_proto(p, import_scope=scope)
                    variable_objects[value] = variable
                graph.add_to_collection(key, variable)
        else:
            for value in col.bytes_list.value:
                graph.add_to_collection(
                    key, from_proto(proto_type.FromString(value), import_scope=scope)
                )
        return
    field = getattr(col, kind)
    if kind == "node_list":
        for value in field.value:
            graph.add_to_collection(key, graph.as_graph_element(prepend_name_scope(value, scope)))
    elif kind == "int64_list":
        for value in field.value:
            graph.add_to_collection(key, int(value))
    elif kind == "float_list":
        for value in field.value:
            graph.add_to_collection(key, float(value))
    elif kind == "bytes_list":
        for value in field.value:
            graph.add_to_collection(key, prepend_name_scope(value, scope) if scope else value)
    elif kind == "any_list":
        for value in field.value:
            graph.add_to_collection(key, value)
    else:
        _log.warning("Collection %s of kind %s is not restored by tfgraph.", key, kind)

"""`tf.import_graph_def`: rebuild the ops of a `GraphDef` in the default graph.

Every node is recreated through the op registry (the same entries graph building
uses), so an imported op gets its shape rule, kernel and gradient, and attrs missing
from the NodeDef get their registered defaults. Behaviour follows TensorFlow's
importer: names are prefixed with the import scope (default "import", uniquified;
`name=""` imports at the root) and uniquified if taken, `input_map` replaces
tensors (and `^name` control inputs) of the GraphDef by tensors of this graph,
`_class` colocation groups are renamed with the nodes, devices go through the
graph's device functions, ops without inputs get the enclosing control
dependencies, and `return_elements` picks ops ("name") and tensors ("name:0").

Nodes are checked as TF's importer checks them: node names (TF's node-name
characters), input names, every attr value's kind against the OpDef's declared attr
type (and the OpDef's allowed values and minimums), and constants' TensorProtos
without decoding them first (shapes that are not fully defined or overflow are
ValueErrors; protos TF only fails to parse at run time, content of the wrong size or
too large to allocate, import and their Const raises InvalidArgumentError when run).

The GraphDef's function library is stored on the graph (framework/function_library.py;
a function already there must be identical, as in TF), and `func` attrs name its
functions; `as_graph_def` writes the library back.

Import is all-or-nothing: whatever the failure (ValueError or TypeError with TF's
message, an OpError from a shape rule, but also MemoryError or KeyboardInterrupt),
the ops already added are removed and the graph's unique-name counters and the
consumers of `input_map` tensors are restored (and the functions it added removed)
before the exception propagates.
"""

from __future__ import annotations

import heapq
import logging
import re

from tfgraph import errors
from tfgraph.framework import dtypes, function_library, node_def, registry
from tfgraph.framework.graph import GRAPH_DEF_VERSION, Graph, _DeviceEntry, get_default_graph
from tfgraph.framework.ops import Operation, Tensor

__all__ = ["import_graph_def"]

_log = logging.getLogger("tfgraph")

_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "half"}
_TENSOR_NAME = re.compile(r"^(\^?)([^:]+)(?::(\d+))?$")


class UnregisteredOpError(errors.NotFoundError, ValueError):
    """A GraphDef node uses an op type tfgraph's registry does not declare.

    TensorFlow raises NotFoundError ("Op type not registered ..."); this is both a
    NotFoundError and a ValueError (the class import errors use otherwise)."""


def _cpp(dtype: dtypes.DType) -> str:
    base = dtype._base
    name = _CPP_NAMES.get(base.name, base.name)
    return name + "_ref" if dtype.is_ref_dtype else name


def _parse_tensor_name(name: str) -> tuple[str, int]:
    m = _TENSOR_NAME.match(name)
    if m is None or m.group(1):
        raise ValueError(f"Cannot convert {name!r} to a tensor name.")
    return m.group(2), int(m.group(3) or 0)


def _as_graph_def(graph_def):
    from tfgraph import proto

    cls = proto.GraphDef
    if isinstance(graph_def, cls):
        return graph_def
    descriptor = getattr(graph_def, "DESCRIPTOR", None)
    if getattr(descriptor, "full_name", None) == "tensorflow.GraphDef":
        return cls.FromString(graph_def.SerializeToString())  # e.g. real TF's class
    raise TypeError("Argument `graph_def` must be a GraphDef proto.")


def _op_summary(op_def) -> str:
    """TF's `Op<name=...; signature=...; attr=...>` description of an op."""

    def arg(a):
        if a.number_attr:
            t = f"{a.number_attr}*{a.type_attr or (a.dtype.name if a.dtype else '')}"
        elif a.type_list_attr:
            t = a.type_list_attr
        else:
            t = a.type_attr or (a.dtype.name if a.dtype else "?")
        return f"{a.name}:{'Ref(' + t + ')' if a.is_ref else t}"

    ins = ", ".join(arg(a) for a in op_def.inputs)
    outs = ", ".join(arg(a) for a in op_def.outputs)
    attrs = "; ".join(
        f"attr={a.name}:{a.type}" + (f",min={a.minimum}" if a.minimum is not None else "")
        for a in op_def.attrs.values()
    )
    return (
        f"Op<name={op_def.name}; signature={ins} -> {outs}" + (f"; {attrs}" if attrs else "") + ">"
    )


def _expected_input_types(op_def, attrs: dict, limit: int) -> list | int | None:
    """The declared dtype of each flat input (None where it cannot be known yet), or
    just the number of inputs the attrs declare when that is more than `limit` (an
    attr such as N=10**9 does not build a list that long)."""
    out: list = []
    count = 0
    for arg in op_def.inputs:
        if arg.type_list_attr is not None:
            types = attrs.get(arg.type_list_attr)
            if types is None:
                return None
            count += len(types)
            if count <= limit:
                out.extend((t, arg.is_ref) for t in types)
            continue
        dt = arg.dtype if arg.dtype is not None else attrs.get(arg.type_attr)
        n = attrs.get(arg.number_attr) if arg.number_attr is not None else 1
        if n is None:
            return None
        count += n
        if count <= limit:
            out.extend([(dt, arg.is_ref)] * n)
    return out if count <= limit else count


# AttrValue oneof field -> TF's name of the attr kind; list fields -> list(kind).
_KIND = {
    "s": "string",
    "i": "int",
    "f": "float",
    "b": "bool",
    "type": "type",
    "shape": "shape",
    "tensor": "tensor",
    "func": "func",
    "placeholder": "placeholder",
}
_LIST_FIELDS = ("s", "i", "f", "b", "type", "shape", "tensor", "func")
# TF's node names (and the op-name part of input names).
_NODE_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_./>-]*$")


def _attr_error(what: str, op_def, final: str) -> ValueError:
    return ValueError(f"{what}\n\t; NodeDef: {{{{node {final}}}}}; {_op_summary(op_def)}")


def _check_attr_value(av, decl, op_def, final: str) -> None:
    """TF's `ValidateAttrValue`: the AttrValue's kind is the declared attr type, enums
    are valid DataTypes, and the OpDef's allowed values and minimums hold."""
    expected = decl.type
    which = av.WhichOneof("value")
    if which is None:
        if not expected.startswith("list("):
            raise _attr_error(
                f"AttrValue missing value with expected type '{expected}'\n\t for attr "
                f"'{decl.name}'",
                op_def,
                final,
            )
        kind = expected  # an empty AttrValue is an empty list
    elif which == "list":
        fields = [f for f in _LIST_FIELDS if len(getattr(av.list, f))]
        if len(fields) > 1:
            raise _attr_error(
                f"AttrValue had value with type 'list' with more than one kind of value "
                f"({', '.join(fields)})\n\t for attr '{decl.name}'",
                op_def,
                final,
            )
        if fields:
            kind = f"list({_KIND[fields[0]]})"
        elif expected.startswith("list("):
            kind = expected  # (an empty list suits any list type)
        else:  # (TF reads an empty list as no value at all)
            raise _attr_error(
                f"AttrValue missing value with expected type '{expected}'\n\t for attr "
                f"'{decl.name}'",
                op_def,
                final,
            )
    else:
        kind = _KIND[which]
    if kind != expected:
        raise _attr_error(
            f"AttrValue had value with type '{kind}' when '{expected}' expected\n\t for attr "
            f"'{decl.name}'",
            op_def,
            final,
        )
    if expected in ("type", "list(type)"):
        enums = [av.type] if expected == "type" else list(av.list.type)
        for e in enums:
            try:
                dt = dtypes.as_dtype(e)
            except TypeError:
                raise _attr_error(
                    f"AttrValue has invalid DataType enum: {e}\n\t for attr '{decl.name}'",
                    op_def,
                    final,
                ) from None
            if dt.is_ref_dtype:
                raise _attr_error(
                    f"AttrValue must not have reference type value of {_cpp(dt)}\n\t for attr "
                    f"'{decl.name}'",
                    op_def,
                    final,
                )
            if decl.allowed is not None and dt not in decl.allowed:
                allowed = ", ".join(sorted(_cpp(a) for a in decl.allowed))
                raise _attr_error(
                    f"Value for attr '{decl.name}' of {_cpp(dt)} is not in the list of allowed "
                    f"values: {allowed}",
                    op_def,
                    final,
                )
    elif expected == "string" and decl.allowed is not None and av.s not in decl.allowed:
        allowed = ", ".join(f'"{a.decode()}"' for a in sorted(decl.allowed))
        raise _attr_error(
            f"Value for attr '{decl.name}' of \"{av.s.decode('utf-8', 'replace')}\" is not in "
            f"the list of allowed values: {allowed}",
            op_def,
            final,
        )
    if decl.minimum is not None:
        if expected == "int" and av.i < decl.minimum:
            raise _attr_error(
                f"Value for attr '{decl.name}' of {av.i} must be at least minimum {decl.minimum}",
                op_def,
                final,
            )
        if expected.startswith("list("):
            n = max((len(getattr(av.list, f)) for f in _LIST_FIELDS), default=0)
            if n < decl.minimum:
                raise _attr_error(
                    f"Length for attr '{decl.name}' of {n} must be at least minimum {decl.minimum}",
                    op_def,
                    final,
                )


def _tensor_attr(tensor, key: str, op_def, final: str, attrs: dict):
    """A `tensor` attr's value. Protos TF rejects when building the graph (shapes that
    are not fully defined or too large) raise ValueError; protos TF accepts but cannot
    decode when the op runs (content of the wrong size, more memory than an array can
    have) import as a placeholder of the right shape and dtype, and the reason is kept
    in `__invalid_value` for the kernel to raise InvalidArgumentError."""
    from tfgraph.io import tensor_proto as tp

    problem = tp.check_tensor_proto(tensor)
    if problem is None:
        return node_def._frozen(tp.make_ndarray(tensor, truncate=True))
    kind, message = problem
    if kind == "graph":
        raise ValueError(f"{message} for '{{{{node {final}}}}} = {op_def.name}[...]()'")
    attrs["__invalid_value"] = f"Cannot parse tensor from proto: {message}"
    original = tensor.__class__()
    original.CopyFrom(tensor)
    attrs["__tensor_proto"] = original  # exported and returned by get_attr as it was
    return tp.placeholder_array(tensor)


def _class_groups(av, node_name: str) -> list[bytes]:
    """The `_class` colocation groups. TF reads them as a list of strings: an empty
    AttrValue means none; any other kind is a TypeError (as in TF's importer)."""
    which = av.WhichOneof("value")
    if which is None:
        return []
    if which == "list" and not any(len(getattr(av.list, f)) for f in _LIST_FIELDS if f != "s"):
        return list(av.list.s)
    raise TypeError(
        f"Node '{node_name}': the '_class' attr must be a list of strings (colocation "
        f"groups), got an AttrValue with '{which}' set"
    )


def _is_back_edge(node, source) -> bool:
    """Whether `source` -> `node` closes a TF1 while loop: a NextIteration feeding a
    Merge (the edge a topological order leaves out)."""
    merge, following = registry.lookup(node.op), registry.lookup(source.op)
    return (
        merge is not None
        and following is not None
        and merge.control_flow == "merge"
        and following.control_flow == "next_iteration"
    )


class _Importer:
    """One `import_graph_def` call."""

    def __init__(self, graph: Graph, graph_def, input_map: dict, prefix: str, producer_op_list):
        self.graph = graph
        self.graph_def = graph_def
        self.input_map = input_map
        self.prefix = prefix
        self.used_keys: set[str] = set()
        self.created: dict[str, Operation] = {}  # GraphDef name -> op
        self.new_names: dict[str, str] = {}  # GraphDef name -> final name
        self.strip_defaults = self._producer_defaults(producer_op_list)
        self.device_entries: dict[str, _DeviceEntry] = {}

    # -- preparation ---------------------------------------------------------------------
    @staticmethod
    def _producer_defaults(producer_op_list) -> dict:
        """{op type: {attr: default AttrValue}} for attrs unknown to our registry."""
        out: dict = {}
        if producer_op_list is None:
            return out
        for op in producer_op_list.op:
            ours = registry.lookup(op.name)
            if ours is None:
                continue
            for attr in op.attr:
                if attr.name not in ours.attrs and attr.HasField("default_value"):
                    out.setdefault(op.name, {})[attr.name] = attr.default_value
        return out

    def _check_versions(self) -> None:
        gd = self.graph_def
        if not gd.HasField("versions"):
            return
        v = gd.versions
        if v.min_consumer > GRAPH_DEF_VERSION:
            raise ValueError(
                f"GraphDef min consumer version {v.min_consumer} above current version "
                f"{GRAPH_DEF_VERSION} for TensorFlow 2.21.0.  Please upgrade TensorFlow."
            )
        if GRAPH_DEF_VERSION in v.bad_consumers:
            raise ValueError(
                f"GraphDef disallows consumer version {GRAPH_DEF_VERSION}.  Please upgrade "
                "TensorFlow: this version is likely buggy."
            )

    def _order(self) -> list:
        """The nodes in a topological order (GraphDef order where possible)."""
        nodes = list(self.graph_def.node)
        index: dict[str, int] = {}
        for i, n in enumerate(nodes):
            if not _NODE_NAME.match(n.name):
                raise ValueError(f"Node '{n.name}': Node name contains invalid characters")
            if n.name in index:
                raise ValueError(f"Node '{n.name}' is not unique")
            index[n.name] = i
        users: list[list[int]] = [[] for _ in nodes]
        pending = [0] * len(nodes)
        for i, n in enumerate(nodes):
            seen_control = False
            deps = set()
            for inp in n.input:
                if inp.startswith("^"):
                    seen_control = True
                    if inp in self.input_map:
                        continue
                    src = inp[1:]
                else:
                    if seen_control:
                        raise ValueError(
                            f"Node '{n.name}': Control dependencies must come after regular "
                            "dependencies"
                        )
                    m = _TENSOR_NAME.match(inp)
                    if m is None:
                        raise ValueError(f"Node '{n.name}': Unknown input node '{inp}'")
                    src = m.group(2)
                    key = f"{src}:{m.group(3) or 0}"
                    if key in self.input_map:
                        continue
                j = index.get(src)
                if j is None:
                    raise ValueError(f"Node '{n.name}': Unknown input node '{inp}'")
                if _is_back_edge(n, nodes[j]):
                    continue  # (connected once the loop's nodes exist, see run)
                deps.add(j)
            pending[i] = len(deps)
            for j in deps:
                users[j].append(i)
        ready = [i for i, p in enumerate(pending) if p == 0]
        heapq.heapify(ready)
        out = []
        while ready:
            i = heapq.heappop(ready)
            out.append(nodes[i])
            for u in users[i]:
                pending[u] -= 1
                if pending[u] == 0:
                    heapq.heappush(ready, u)
        if len(out) != len(nodes):
            stuck = len(nodes) - len(out)
            raise ValueError(
                f"{stuck} nodes in a cycle (other than a while loop's NextIteration -> Merge)"
                if stuck > 1
                else "1 node in a cycle"
            )
        return out

    # -- names ---------------------------------------------------------------------------
    def _final_name(self, name: str) -> str:
        full = f"{self.prefix}/{name}" if self.prefix else name
        taken = self.graph._nodes_by_name
        candidate, k = full, 1
        while candidate in taken:
            candidate = f"{full}_{k}"
            k += 1
        return candidate

    def _colocation_names(self, groups: list, node_name: str) -> list[bytes]:
        out = []
        for g in groups:
            text = g.decode("utf-8", "surrogateescape") if isinstance(g, bytes) else str(g)
            if text.startswith("loc:@"):
                target = text[5:]
                final = self.new_names.get(target)
                if final is None:
                    if target not in self.node_names:
                        raise ValueError(
                            f"Node '{node_name}' expects to be colocated with unknown node "
                            f"'{target}'"
                        )
                    final = f"{self.prefix}/{target}" if self.prefix else target
                text = "loc:@" + final
            out.append(text.encode("utf-8", "surrogateescape"))
        return out

    def _functions_named(self, av):
        """A func attr's function(s) as the graph's library functions, with the attrs
        the NodeDef binds (names the library does not define stay plain names: running
        the op reports them)."""
        functions = self.graph._functions

        def one(name_attrs):
            fn = functions.get(name_attrs.name)
            if fn is None:
                return name_attrs.name
            return fn.with_attrs(name_attrs.attr) if name_attrs.attr else fn

        if av.WhichOneof("value") == "func":
            return one(av.func)
        return [one(f) for f in av.list.func]

    # -- one node ------------------------------------------------------------------------
    def _attrs(self, node, op_def, final: str) -> dict:
        attrs: dict = {}
        strip = self.strip_defaults.get(node.op, {})
        for key, av in node.attr.items():
            decl = op_def.attrs.get(key)
            if decl is None:
                if key == "_output_shapes":
                    continue
                default = strip.get(key)
                if default is not None and av == default:
                    continue
                if key == "_class":
                    groups = _class_groups(av, node.name)
                    if groups:
                        attrs[key] = groups
                    continue
                try:
                    value = (
                        None
                        if av.WhichOneof("value") in (None, "func", "placeholder", "tensor")
                        or len(av.list.tensor)
                        else node_def.attr_value_to_python(av)
                    )
                except (TypeError, ValueError):
                    value = None
                if value is None:
                    # An attr the op does not declare, which TF keeps without reading
                    # it (empty, a function, a tensor, an invalid DataType enum, ...):
                    # kept as the AttrValue itself, so that it is exported as it was.
                    from tfgraph import proto

                    value = proto.AttrValue()
                    value.CopyFrom(av)
            else:
                _check_attr_value(av, decl, op_def, final)
                if decl.type == "tensor":
                    value = _tensor_attr(av.tensor, key, op_def, final, attrs)
                else:
                    value = node_def.attr_value_to_python(av, decl.type)
                if decl.type == "func" or decl.type == "list(func)":
                    value = self._functions_named(av)
                if decl.type == "tensor" and key == "value":
                    self._keep_short_encoding(av.tensor, value, attrs)
            attrs[key] = value
        for decl in op_def.attrs.values():
            if decl.name not in attrs and not decl.has_default:
                raise ValueError(
                    f"NodeDef missing attr '{decl.name}' from {_op_summary(op_def)}; NodeDef: "
                    f"{{{{node {final}}}}}"
                )
        dtype = attrs.get("dtype")
        if (
            "value" in op_def.attrs
            and op_def.attrs["value"].type == "tensor"
            and isinstance(dtype, dtypes.DType)
            and node.attr["value"].tensor.dtype != dtype.as_datatype_enum
        ):
            # TF's Const kernel rejects this, and TF's shape inference aborts the
            # process when a consumer evaluates such a constant: refuse it here.
            got = node.attr["value"].tensor.dtype
            try:
                got = _cpp(dtypes.as_dtype(got))
            except TypeError:
                pass
            raise ValueError(
                f"Type mismatch between value ({got}) and dtype ({_cpp(dtype)}) for attr "
                f"'value'; NodeDef: {{{{node {final}}}}}; {_op_summary(op_def)}"
            )
        return attrs

    @staticmethod
    def _keep_short_encoding(tensor_proto, value, attrs: dict) -> None:
        """A constant stored as fewer values than elements ("fill" constants) keeps
        that encoding when exported again (see node_def's `__raw_value`)."""
        if tensor_proto.tensor_content or value.size <= 1 or "__invalid_value" in attrs:
            return
        from tfgraph.io import tensor_proto as tp

        for field in (
            "float_val",
            "double_val",
            "int_val",
            "int64_val",
            "bool_val",
            "string_val",
            "half_val",
            "uint32_val",
            "uint64_val",
            "scomplex_val",
            "dcomplex_val",
        ):
            n = len(getattr(tensor_proto, field))
            if n:
                per = 2 if field in ("scomplex_val", "dcomplex_val") else 1
                if n // per < value.size:
                    short = tensor_proto.__class__()
                    short.CopyFrom(tensor_proto)
                    short.tensor_shape.Clear()
                    short.tensor_shape.dim.add().size = n // per
                    attrs["__raw_value"] = node_def._frozen(tp.make_ndarray(short))
                return

    def _inputs(self, node, final: str):
        data: list[Tensor] = []
        control: list[Operation] = []
        for inp in node.input:
            if inp.startswith("^"):
                mapped = self.input_map.get(inp)
                if mapped is not None:
                    self.used_keys.add(inp)
                    control.append(mapped if isinstance(mapped, Operation) else mapped.op)
                else:
                    control.append(self.created[inp[1:]])
                continue
            src, idx = _parse_tensor_name(inp)
            key = f"{src}:{idx}"
            mapped = self.input_map.get(key)
            if mapped is not None:
                self.used_keys.add(key)
                data.append(mapped)
                continue
            op = self.created.get(src)
            if op is None and data:  # a loop's back edge: the first input stands in
                self.back_edges.append((node.name, len(data), src, idx))
                data.append(data[0])
                continue
            if op is None:
                op = self.created[src]  # (raises KeyError: never for a valid order)
            if idx >= len(op._outputs):
                raise ValueError(
                    f"Node '{node.name}': Connecting to invalid output {idx} of source node "
                    f"{src} which has {len(op._outputs)} outputs."
                )
            data.append(op._outputs[idx])
        return data, control

    def _check_input_types(self, op_def, attrs: dict, inputs: list[Tensor], final: str) -> None:
        expected = _expected_input_types(op_def, attrs, len(inputs))
        if expected is None:
            return
        n_expected = expected if isinstance(expected, int) else len(expected)
        if isinstance(expected, int) or n_expected != len(inputs):
            raise ValueError(
                f"NodeDef expected inputs '{n_expected}' do not match {len(inputs)} inputs "
                f"specified; {_op_summary(op_def)}; NodeDef: {{{{node {final}}}}}"
            )
        for i, ((dt, is_ref), t) in enumerate(zip(expected, inputs)):
            if dt is None:
                continue
            actual = t._dtype
            if actual._base is not dt._base or (is_ref and not actual.is_ref_dtype):
                want = _cpp(dt._ref if is_ref else dt)
                raise ValueError(
                    f"Input {i} of node {final} was passed {_cpp(actual)} from {t.name} "
                    f"incompatible with expected {want}."
                )

    def _import_node(self, node, outer_control: list[Operation]) -> Operation:
        op_def = registry.lookup(node.op)
        if op_def is None and node.op in self.graph._functions:  # (TF1 Defun graphs)
            op_def = self.graph._functions[node.op].op_def
        if op_def is None:
            raise UnregisteredOpError(
                None,
                None,
                f"Op type not registered '{node.op}' in binary running on tfgraph (node "
                f"'{node.name}'). Make sure the Op and Kernel are registered in the binary "
                "running in this process: tfgraph's op registry has no entry for it.",
            )
        final = self._final_name(node.name)
        attrs = self._attrs(node, op_def, final)
        if "_class" in attrs:
            attrs["_class"] = self._colocation_names(list(attrs["_class"]), node.name)
        inputs, control = self._inputs(node, final)
        if not node.input and outer_control:
            control = list(outer_control)
        self._check_input_types(op_def, attrs, inputs, final)
        g = self.graph
        try:
            op = g._create_op(
                node.op, inputs, attrs, final + "/", control_inputs=control, compute_device=False
            )
        except TypeError as e:
            raise ValueError(f"{e} (importing node {final})") from None
        names = g._names_in_use
        key = final.lower()
        if names.get(key, 0) < 1:
            names[key] = 1
        self.created[node.name] = op
        self.new_names[node.name] = final
        op._device = node.device
        return op

    # -- devices -------------------------------------------------------------------------
    def _place(self, ops: list[Operation]) -> None:
        """TF's `_ProcessNewOps`: device functions for ops, colocated ops follow their
        group's device."""
        g = self.graph
        stack = g._state.device_stack
        colocated: list[tuple[Operation, list[str]]] = []
        for op in ops:
            original = op._device
            op._device = ""
            groups = [
                c[5:].decode("utf-8", "surrogateescape")
                for c in op._attrs.get("_class", ())
                if isinstance(c, bytes) and c.startswith(b"loc:@")
            ]
            names = [n for n in groups if n != op._name]
            if names:
                colocated.append((op, names))
                continue
            if original:
                entry = self.device_entries.get(original)
                if entry is None:
                    entry = self.device_entries[original] = _DeviceEntry(original)
                stack.append(entry)
                try:
                    g._apply_device_functions(op)
                finally:
                    stack.pop()
            elif stack:
                g._apply_device_functions(op)
        for op, names in colocated:
            for name in names:
                target = g._nodes_by_name.get(name)
                if target is None:
                    raise ValueError(
                        f"Specified colocation to an op: {name} that does not exist during "
                        f"import for op: {op._name}"
                    )
                if target._device:
                    op._device = target._device
                    break

    # -- the whole import ----------------------------------------------------------------
    def run(self) -> list[Operation]:
        self._check_versions()
        self.node_names = {n.name for n in self.graph_def.node}
        ordered = self._order()
        outer_control: list[Operation] = []
        for controller in self.graph._state.control_stack:
            outer_control.extend(c for c in controller._control_inputs if c not in outer_control)
        new_ops = []
        self.back_edges: list[tuple[str, int, str, int]] = []
        with self.graph.control_dependencies(None):
            for node in ordered:
                new_ops.append(self._import_node(node, outer_control))
        for name, k, src, idx in self.back_edges:  # (a Merge's NextIteration input)
            self.created[name]._update_input(k, self.created[src]._outputs[idx])
        self._place(new_ops)
        unused = [k for k in self.input_map if k not in self.used_keys]
        if unused:
            raise ValueError(
                f"Attempted to map inputs that were not found in graph_def: [{', '.join(unused)}]"
            )
        return new_ops

    def return_elements(self, names) -> list:
        out: list[Tensor | Operation] = []
        for name in names:
            if ":" in name:
                op_name, idx = _parse_tensor_name(name)
                op = self.created.get(op_name)
                if op is None:
                    raise ValueError(f"Requested return tensor '{name}' not found in graph def")
                if idx >= len(op._outputs):
                    raise ValueError(
                        f"Invalid return output {idx} of node '{op_name}', which has "
                        f"{len(op._outputs)} output(s)"
                    )
                out.append(op._outputs[idx])
            else:
                op = self.created.get(name)
                if op is None:
                    raise ValueError(f"Requested return node '{name}' not found in graph def")
                out.append(op)
        return out


def _rollback(graph: Graph, start: int, names_in_use: dict, consumers: dict) -> None:
    """Removes the ops added since `start` (a failed import leaves the graph as it was:
    ops, names, unique-name counters, consumers and control outputs of existing ops)."""
    added = graph._nodes[start:]
    added_ids = {id(op) for op in added}
    for op in reversed(added):
        for t in op._inputs:
            if t._op._id < start or id(t._op) not in added_ids:
                t._consumers[:] = [c for c in t._consumers if id(c) not in added_ids]
        for c in op._control_inputs:
            if id(c) not in added_ids and c._control_outputs:
                c._control_outputs = [o for o in c._control_outputs if id(o) not in added_ids]
        if graph._nodes_by_name.get(op._name) is op:
            del graph._nodes_by_name[op._name]
    del graph._nodes[start:]
    for tensor, before in consumers.values():
        tensor._consumers[:] = before
    graph._names_in_use.clear()
    graph._names_in_use.update(names_in_use)


def _normalize_input_map(input_map) -> dict:
    if input_map is None:
        return {}
    if not isinstance(input_map, dict):
        raise TypeError(
            f"Argument `input_map` must be a dictionary. Obtained {type(input_map).__name__}"
        )
    out = {}
    for key, value in input_map.items():
        if not isinstance(key, (str, bytes)):
            raise TypeError(
                "All keys for argument `input_map` must be strings. Obtained keys: "
                f"{list(input_map)}"
            )
        key = key.decode() if isinstance(key, bytes) else key
        if not key.startswith("^"):
            src, idx = _parse_tensor_name(key)
            key = f"{src}:{idx}"
        out[key] = value
    return out


def _import(graph, graph_def, input_map, return_elements, name, producer_op_list):
    from tfgraph.framework.convert import convert_to_tensor

    if name == "":
        prefix = ""
        if not all(isinstance(v, Tensor) for v in input_map.values()):
            raise ValueError(
                "tf.import_graph_def() requires a non-empty `name` if `input_map` contains "
                "non-Tensor values. Try calling tf.convert_to_tensor() on `input_map` values "
                "before calling tf.import_graph_def()."
            )
    else:
        with graph.name_scope(name or "import") as scope:
            prefix = scope[:-1]
            if not all(isinstance(v, Tensor) for v in input_map.values()):
                with graph.name_scope("_inputs"):
                    input_map = {k: convert_to_tensor(v) for k, v in input_map.items()}
    for key, value in input_map.items():
        if key.startswith("^") and isinstance(value, Operation) and value.graph is graph:
            continue
        if not isinstance(value, Tensor) or value.graph is not graph:
            raise ValueError(f"input_map value for {key!r} must be a Tensor of the default graph")
    importer = _Importer(graph, graph_def, input_map, prefix, producer_op_list)
    added = function_library.add_functions(graph, graph_def.library)
    try:
        importer.run()
    except BaseException:
        for fn_name in added:
            del graph._functions[fn_name]
        raise
    return None if return_elements is None else importer.return_elements(return_elements)


def import_graph_def(
    graph_def,
    input_map: dict | None = None,
    return_elements=None,
    name: str | None = None,
    op_dict=None,
    producer_op_list=None,
):
    """Imports the graph from `graph_def` into the current default `Graph`.

    Args:
        graph_def: a `GraphDef` proto.
        input_map: maps tensor names of `graph_def` ("x:0", "x" = "x:0", or "^x" for
            control inputs) to `Tensor`s of the default graph that replace them.
        return_elements: names of ops ("x") and tensors ("x:0") of `graph_def` to
            return as the imported `Operation`s / `Tensor`s.
        name: prefix for the imported names (default "import", uniquified); "" for
            none.
        op_dict: ignored (deprecated in TensorFlow).
        producer_op_list: an `OpList`; attrs unknown to tfgraph that have their
            default value there are dropped.

    Returns:
        The list of `return_elements` objects, or None.

    Raises:
        TypeError: bad argument types, or a `_class` attr that is not a list of
            strings (as in TF).
        ValueError: a node cannot be imported (unknown op type, invalid node or
            input name, unknown input, attr of the wrong kind or not allowed, type
            mismatch, shape error, ...), or `input_map` / `return_elements` names
            nodes that do not exist.
        OpError: what a shape rule raises as TF does (e.g. InternalError for a
            shape tensor of absurd length).
        In every case nothing is added to the graph.
    """
    graph_def = _as_graph_def(graph_def)
    input_map = _normalize_input_map(input_map)
    if return_elements is not None:
        if isinstance(return_elements, (str, bytes)) or not all(
            isinstance(x, (str, bytes)) for x in return_elements
        ):
            raise TypeError(
                f"Argument `return_elements` must be a list of strings. Obtained {return_elements}."
            )
        return_elements = [x.decode() if isinstance(x, bytes) else x for x in return_elements]
    graph = get_default_graph()
    with graph._lock:
        # Snapshot for the rollback: ops, unique-name counters (before the import
        # scope takes its name) and the consumers of the tensors input_map feeds in.
        start = len(graph._nodes)
        names_in_use = dict(graph._names_in_use)
        consumers = {
            id(v): (v, list(v._consumers)) for v in input_map.values() if isinstance(v, Tensor)
        }
        try:
            result = _import(graph, graph_def, input_map, return_elements, name, producer_op_list)
        except BaseException as e:
            # All or nothing, whatever the failure (MemoryError, KeyboardInterrupt too).
            _rollback(graph, start, names_in_use, consumers)
            if isinstance(e, KeyError):
                raise ValueError(str(e)) from None
            raise
    return result

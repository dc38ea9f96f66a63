"""`tf.saved_model.save`: a TF2 (object-based) SavedModel of a trackable object.

The objects reachable from the root are walked breadth first, as TF does: `tf.Module`s,
`tf.train.Checkpoint`s and plain objects holding trackables (their attributes; lists and
dicts of trackables), `tf.Variable`s, `tf.saved_model.Asset`s, and the `tf.function`s
(and concrete functions) among their attributes. Each becomes a `SavedObject` of the
MetaGraphDef's `object_graph_def`; each traced concrete function becomes a `FunctionDef`
of the graph's library taking its tensor arguments then its captures (variable handles,
bound to their variables' nodes; other captured eager tensors become constants in the
body). Signatures (`signatures=` or the root's one `tf.function` with an
`input_signature`) are wrapper functions returning a dict of named outputs, under the
root's `signatures` child. The variables' values go into `variables/variables` as an
object-based checkpoint whose object graph mirrors the SavedObjectGraph node for node.

Not supported (ValueError naming the object): `TrackableResource`s, Keras models'
extra metadata, functions capturing variables outside the saved object graph, and
composite tensors in signatures. The graph holds, besides the library, a VarHandleOp
per variable, each signature as a StatefulPartitionedCall (its `signature_def`) and a
SaveV2/RestoreV2 saver (`saver_def`), so TF1 loaders (`loader.load`, TF Serving) run
the signatures with the saved values too.
"""

from __future__ import annotations

import inspect
import itertools
import os
import shutil

import numpy as np

from tfgraph.framework import nest
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_spec import TensorSpec
from tfgraph.saved_model import _structure, constants
from tfgraph.saved_model._save_options import Asset, SaveOptions, TrackableResource

__all__ = ["save"]

_UIDS = itertools.count(1)


def _proto():
    from tfgraph import proto

    return proto


def _classes():
    """(tf.function classes, concrete function classes, Variable): traced ones and
    those `load_v2` restores (a loaded object saves again)."""
    from tfgraph.eager.function import ConcreteFunction, Function
    from tfgraph.saved_model._load_v2 import _ConcreteFunction, _RestoredFunction
    from tfgraph.variables import Variable

    return (Function, _RestoredFunction), (ConcreteFunction, _ConcreteFunction), Variable


def _restored(fn) -> bool:
    from tfgraph.saved_model._load_v2 import _ConcreteFunction, _RestoredFunction

    return isinstance(fn, (_ConcreteFunction, _RestoredFunction))


def _is_root_trackable(obj) -> bool:
    from tfgraph.module import Module
    from tfgraph.training.tracking import Checkpoint

    if isinstance(obj, (Module, Checkpoint, Asset)):
        return True
    if hasattr(obj, "_trackable_children"):
        return True
    return hasattr(obj, "__dict__") and not callable(obj) and not isinstance(obj, type)


def _function_attributes(obj) -> list[tuple[str, object]]:
    """The tf.functions and concrete functions among `obj`'s attributes, by name."""
    Function, ConcreteFunction, _ = _classes()
    names = set(getattr(obj, "__dict__", {}))
    for klass in type(obj).__mro__:
        names.update(vars(klass))
    out = []
    for name in sorted(names):
        try:
            raw = inspect.getattr_static(obj, name)
        except AttributeError:
            continue
        if isinstance(raw, (Function, ConcreteFunction)):
            out.append((name, getattr(obj, name)))
    return out


def _children(obj) -> list[tuple[str, object]]:
    from tfgraph.training import tracking

    Function, ConcreteFunction, Variable = _classes()
    if isinstance(obj, (Variable, *Function, *ConcreteFunction, Asset, _SignatureMap)):
        return list(obj.items()) if isinstance(obj, _SignatureMap) else []
    kids = list(tracking._children(obj))
    if isinstance(obj, (list, tuple, dict)):
        return kids
    if not hasattr(obj, "_trackable_children"):
        attrs = getattr(obj, "__dict__", {})
        kids += [(k, v) for k, v in attrs.items() if isinstance(v, (Asset, TrackableResource))]
    return kids + _function_attributes(obj)


def _captured_constants(obj) -> list:
    """The eager tensors (not variables) a loaded function's concrete functions bind."""
    from tfgraph.eager.tensor import EagerTensor

    if not _restored(obj):
        return []
    concretes = obj._concretes if hasattr(obj, "_concretes") else [obj]
    return [c for f in concretes for c in f._captures if isinstance(c, EagerTensor)]


class _SignatureMap(dict):
    """The root's `signatures` child: signature key -> wrapper concrete function."""


class _ObjectGraph:
    """The objects reachable from the root, breadth first (TF's node order)."""

    def __init__(self, root, signatures: _SignatureMap | None) -> None:
        self.nodes: list = [root]
        self.children: list[list[tuple[str, int]]] = []
        index = {id(root): 0}
        i = 0
        while i < len(self.nodes):
            kids = _children(self.nodes[i])
            if i == 0 and signatures is not None:
                kids.append(("signatures", signatures))
            ids = []
            for name, child in kids:
                j = index.get(id(child))
                if j is None:
                    j = index[id(child)] = len(self.nodes)
                    self.nodes.append(child)
                ids.append((name, j))
            self.children.append(ids)
            for value in _captured_constants(self.nodes[i]):
                if id(value) not in index:  # (a node of its own, no parent: TF's way)
                    index[id(value)] = len(self.nodes)
                    self.nodes.append(value)
            i += 1
        for obj in self.nodes:
            if isinstance(obj, TrackableResource):
                raise ValueError(
                    f"tf.saved_model.save: tfgraph cannot save the TrackableResource {obj!r} "
                    "(its _create_resource/_initialize functions are not exported); keep it "
                    "out of the saved object or re-create it after loading."
                )

    def node_of(self, obj) -> int | None:
        for i, o in enumerate(self.nodes):
            if o is obj:
                return i
        return None


# -- functions ---------------------------------------------------------------------------


def _spec_structure(value):
    """A traced structure with its tensors replaced by TensorSpecs."""

    def spec(v):
        if isinstance(v, Tensor):
            return TensorSpec(v.shape, v.dtype._base, None)
        return v

    return nest.map_structure(spec, value)


def _arg_names(concrete) -> list[str]:
    if _restored(concrete):
        return list(concrete._arg_keywords or _input_specs(concrete))
    return [ph.op.name for ph in concrete._arg_placeholders]


def _input_specs(concrete) -> dict:
    """A signature's inputs: keyword -> TensorSpec."""
    if _restored(concrete):
        args, kwargs = concrete.structured_input_signature
        if kwargs:
            return dict(kwargs)
        return dict(zip(concrete._arg_keywords, args))
    return {
        n: TensorSpec(ph.shape, ph.dtype._base, n)
        for n, ph in zip(_arg_names(concrete), concrete._arg_placeholders)
    }


def _signature_outputs(concrete) -> dict:
    """A signature's outputs by name, as TF names them (dict keys, else output_<i>)."""
    out = concrete.structured_outputs
    if isinstance(out, dict):
        return {str(k): v for k, v in out.items()}
    flat = [t for t in nest.flatten(out) if isinstance(t, Tensor)]
    if not flat:
        raise ValueError(
            "tf.saved_model.save: a signature function must return a tensor, or a list or "
            "dict of tensors; this one returned no tensor."
        )
    return {f"output_{i}": t for i, t in enumerate(flat)}


class _FunctionWriter:
    """Turns traced concrete functions into FunctionDefs and SavedConcreteFunctions."""

    def __init__(self, graph: _ObjectGraph) -> None:
        self.graph = graph
        self.fdefs: list = []
        self.saved: dict = {}
        self.names: dict[int, str] = {}
        self._handles = {}
        _, _, Variable = _classes()
        for i, obj in enumerate(graph.nodes):
            if isinstance(obj, Variable):
                self._handles[id(obj.handle)] = i
            elif isinstance(obj, Asset):
                self._handles[id(obj.asset_path)] = i

    def concrete_name(self, concrete) -> str:
        name = self.names.get(id(concrete))
        if name is None and _restored(concrete):
            return self._add_restored(concrete)
        if name is None:
            name = f"__inference_{_safe(concrete.graph.name)}_{next(_UIDS)}"
            self.names[id(concrete)] = name
            outputs = nest.flatten(concrete.structured_outputs)
            self._add(name, concrete, [t for t in outputs if isinstance(t, Tensor)], None)
            saved = self.saved[name]
            args = _traced_arguments(concrete)
            saved.canonicalized_input_signature.CopyFrom(_structure.encode(args))
            saved.output_signature.CopyFrom(
                _structure.encode(_spec_structure(concrete.structured_outputs))
            )
        return name

    def _add_restored(self, concrete) -> str:
        """A loaded concrete function: its FunctionDefs as they were."""
        name = concrete.name
        self.names[id(concrete)] = name
        have = {f.signature.name for f in self.fdefs}
        self.fdefs.extend(
            f for f in concrete._function.function_defs() if f.signature.name not in have
        )
        saved = self.saved[name] = _proto().SavedConcreteFunction()
        for obj in concrete._captures:
            node = self.graph.node_of(obj)
            if node is None:
                raise ValueError(
                    f"tf.saved_model.save: the loaded function {name!r} uses an object that "
                    "is not reachable from the saved object."
                )
            saved.bound_inputs.append(node)
        saved.canonicalized_input_signature.CopyFrom(
            _structure.encode(concrete.structured_input_signature)
        )
        saved.output_signature.CopyFrom(_structure.encode(concrete.structured_outputs))
        return name

    def signature_name(self, concrete) -> str:
        if _restored(concrete):
            return self.concrete_name(concrete)
        name = f"__inference_signature_wrapper_{next(_UIDS)}"
        outputs = _signature_outputs(concrete)
        keys = sorted(outputs)
        self._add(name, concrete, [outputs[k] for k in keys], sorted(_arg_names(concrete)))
        saved = self.saved[name]
        specs = _input_specs(concrete)
        saved.canonicalized_input_signature.CopyFrom(_structure.encode(((), specs)))
        saved.output_signature.CopyFrom(
            _structure.encode({k: _spec_structure(outputs[k]) for k in keys})
        )
        return name

    def _add(self, name: str, concrete, outputs: list, arg_order) -> None:
        from tfgraph.data.function_def import function_defs

        graph = concrete.graph
        captures = graph.captures
        bound, consts, capture_phs = [], [], []
        for value, ph in captures:
            node = self._handles.get(id(value))
            if node is not None:
                bound.append(node)
                capture_phs.append(ph)
            elif value._dtype._base.name == "resource":
                raise ValueError(
                    f"tf.saved_model.save: function {graph.name!r} uses a variable or "
                    "resource that is not reachable from the saved object (an 'untracked' "
                    "resource); assign it to an attribute of the object being saved."
                )
            else:
                consts.append((ph, value))
        args = list(concrete._arg_placeholders) + capture_phs
        fdef = function_defs(name, graph.get_operations(), args, outputs)[0]
        _inline_constants(fdef, consts)
        _add_control_outputs(fdef, graph)
        if arg_order is not None:
            _reorder_arguments(fdef, arg_order)
        self.fdefs.append(fdef)
        saved = _proto().SavedConcreteFunction()
        saved.bound_inputs.extend(bound)
        self.saved[name] = saved


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c == "_" else "_" for c in name)


def _traced_arguments(concrete):
    """The (args, kwargs) a concrete function was traced with, bound to its parameters
    with defaults filled in (TF's canonical form), tensors as TensorSpecs."""
    traced = getattr(concrete, "_traced_args", None)
    if traced is None:
        specs = tuple(
            TensorSpec(ph.shape, ph.dtype._base, ph.op.name) for ph in concrete._arg_placeholders
        )
        return (specs, {})
    fn, args, kwargs = traced
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
        bound.apply_defaults()
        args, kwargs = bound.args, bound.kwargs
    except (TypeError, ValueError):
        pass
    return _spec_like((tuple(args), dict(kwargs)), concrete)


def _spec_like(traced, concrete):
    from tfgraph.eager.tensor import EagerTensor

    phs = iter(concrete._arg_placeholders)

    def spec(v):
        if isinstance(v, (TensorSpec, EagerTensor, np.ndarray)):
            ph = next(phs)
            return TensorSpec(ph.shape, ph.dtype._base, getattr(v, "name", None) or ph.op.name)
        if hasattr(v, "handle") and hasattr(v, "assign"):
            raise ValueError(
                "tf.saved_model.save: tfgraph cannot save a function traced with a variable "
                "as an argument; read it inside the function instead."
            )
        return v

    return nest.map_structure(spec, traced)


def _inline_constants(fdef, consts) -> None:
    """Captured eager tensors (not variables) become Const nodes of the body, in place
    of the placeholders standing for them."""
    from tfgraph.io.tensor_proto import make_tensor_proto

    by_name = {ph.op.name: value for ph, value in consts}
    for node in fdef.node_def:
        value = by_name.get(node.name)
        if value is None:
            continue
        node.op = "Const"
        node.attr.clear()
        del node.input[:]
        node.attr["dtype"].type = value._dtype._base.as_datatype_enum
        node.attr["value"].tensor.CopyFrom(
            make_tensor_proto(np.asarray(value._value), dtype=value._dtype._base)
        )


def _add_control_outputs(fdef, graph) -> None:
    """The body's stateful ops are control outputs: TF runs them even unfetched. Ops
    inside a TF1 `cond` branch or `while_loop` body are left out (a control output there
    would be dead, or in a loop frame, which TF rejects)."""
    framed = _framed_ops(graph)
    for op in graph.get_operations():
        od = op._op_def
        if od.is_stateful and not od.placeholder and not od.variable and op not in framed:
            if op.type in ("VarHandleOp", "Placeholder"):
                continue
            fdef.control_ret[op.name] = op.name
            fdef.signature.control_output.append(op.name)


_OPENS = {"Switch", "RefSwitch", "Enter", "RefEnter"}
_CLOSES = {"Merge", "RefMerge", "Exit", "RefExit"}


def _framed_ops(graph) -> set:
    """Ops downstream of a Switch or Enter, up to the Merge or Exit closing it."""
    consumers: dict = {}
    for op in graph.get_operations():
        for t in op._inputs:
            consumers.setdefault(t._op, []).append(op)
        for c in op._control_inputs:
            consumers.setdefault(c, []).append(op)
    framed: set = set()
    stack = [op for op in graph.get_operations() if op.type in _OPENS]
    while stack:
        op = stack.pop()
        for nxt in consumers.get(op, ()):
            if nxt not in framed and nxt.type not in _CLOSES:
                framed.add(nxt)
                stack.append(nxt)
    return framed


def _reorder_arguments(fdef, first: list[str]) -> None:
    """Puts the keyword arguments `first` (sorted, as TF flattens kwargs) first."""
    args = {a.name: a for a in fdef.signature.input_arg}
    ordered = [args[n] for n in first] + [
        a for a in fdef.signature.input_arg if a.name not in set(first)
    ]
    _set_arguments(fdef, ordered)


def _set_arguments(fdef, args: list) -> None:
    copies = []
    for a in args:
        c = type(a)()
        c.CopyFrom(a)
        copies.append(c)
    del fdef.signature.input_arg[:]
    fdef.signature.input_arg.extend(copies)


# -- the object graph --------------------------------------------------------------------


class _SignatureFunction:
    """A signature: its concrete function, exported as a wrapper returning a dict."""

    def __init__(self, concrete) -> None:
        self.concrete = concrete


def _concrete_of(fn):
    Function, ConcreteFunction, _ = _classes()
    if isinstance(fn, ConcreteFunction):
        return fn
    if isinstance(fn, Function):
        if _restored(fn) and fn.input_signature is not None and len(fn._concretes) == 1:
            return fn._concretes[0]
        if fn.input_signature is None or _restored(fn):
            raise ValueError(
                "tf.saved_model.save: a tf.function given as a signature must have an "
                "input_signature (or pass f.get_concrete_function(...))."
            )
        return fn.get_concrete_function()
    raise ValueError(
        f"Expected a TensorFlow function for which to generate a signature (tf.function "
        f"with an input_signature or a concrete function), but got {fn!r}."
    )


def _signature_map(root, signatures) -> _SignatureMap:
    """`signatures=` as a map (empty when there are none, as TF writes it)."""
    Function, _, _ = _classes()
    from tfgraph.saved_model.signature_constants import DEFAULT_SERVING_SIGNATURE_DEF_KEY

    if signatures is None:
        found = [
            f
            for _, f in _function_attributes(root)
            if isinstance(f, Function) and f.input_signature is not None
        ]
        if len(found) != 1:
            return _SignatureMap()  # (TF writes an empty map)
        signatures = found[0]
    if not isinstance(signatures, dict):
        signatures = {DEFAULT_SERVING_SIGNATURE_DEF_KEY: signatures}
    out = _SignatureMap()
    for key in sorted(signatures):
        if not isinstance(key, str):
            raise ValueError(f"Signature keys must be strings; got {key!r}.")
        out[key] = _SignatureFunction(_concrete_of(signatures[key]))
    return out


def _traces(fn) -> list:
    if _restored(fn):
        return list(fn._concretes)
    if fn.input_signature is not None and not fn._traces:
        fn.get_concrete_function()
    return list(fn._traces.values())


def _identifier(obj) -> str:
    if isinstance(obj, _SignatureMap):
        return "signature_map"
    if isinstance(obj, list):
        return "trackable_list_wrapper"
    if isinstance(obj, tuple):
        return "trackable_tuple_wrapper"
    if isinstance(obj, dict):
        return "trackable_dict_wrapper"
    return "_generic_user_object"


def _function_spec(fn, signature: bool, names=()):
    spec = _proto().FunctionSpec()
    if fn is not None and _restored(fn):
        spec.CopyFrom(fn._function_spec_proto)
        return spec
    if signature:
        args = inspect.FullArgSpec([], None, None, None, list(names), None, {})
        spec.fullargspec.CopyFrom(_structure.encode(args))
        spec.input_signature.none_value.SetInParent()
        return spec
    spec.fullargspec.CopyFrom(_structure.encode(_structure.fullargspec(fn.python_function)))
    sig = fn.input_signature
    spec.input_signature.CopyFrom(_structure.encode(None if sig is None else tuple(sig)))
    return spec


def _saved_object(obj, writer: _FunctionWriter, assets: list):
    from tfgraph.eager.tensor import EagerTensor

    Function, ConcreteFunction, Variable = _classes()
    node = _proto().SavedObject()
    if isinstance(obj, Variable):
        v = node.variable
        v.dtype = obj.dtype._base.as_datatype_enum
        v.shape.CopyFrom(obj.shape.as_proto())
        v.trainable = bool(obj.trainable)
        v.synchronization = obj.synchronization.value
        v.aggregation = obj.aggregation.value
        v.name = obj.name[:-2] if obj.name.endswith(":0") else obj.name
    elif isinstance(obj, Function):
        node.function.concrete_functions.extend(writer.concrete_name(c) for c in _traces(obj))
        node.function.function_spec.CopyFrom(_function_spec(obj, False))
    elif isinstance(obj, ConcreteFunction):
        bare = node.bare_concrete_function
        bare.concrete_function_name = writer.concrete_name(obj)
        bare.argument_keywords.extend(_arg_names(obj))
    elif isinstance(obj, _SignatureFunction):
        bare = node.bare_concrete_function
        bare.concrete_function_name = writer.signature_name(obj.concrete)
        names = _arg_names(obj.concrete)
        bare.argument_keywords.extend(names)
        bare.allowed_positional_arguments = len(names)
        bare.function_spec.CopyFrom(_function_spec(None, True, names))
    elif isinstance(obj, EagerTensor):
        node.constant.operation = "constant"  # (its index is appended by the caller)
    elif isinstance(obj, Asset):
        node.asset.asset_file_def_index = len(assets)
        assets.append(obj)
    else:
        node.user_object.identifier = _identifier(obj)
        node.user_object.version.producer = 1
        node.user_object.version.min_consumer = 1
    return node


def _object_graph_protos(graph: _ObjectGraph, writer: _FunctionWriter, assets: list):
    """The SavedObjectGraph and the checkpoint's TrackableObjectGraph (node for node)."""
    from tfgraph.training.tracking import _escape

    _, _, Variable = _classes()
    proto = _proto()
    saved = proto.SavedObjectGraph()
    ckpt = proto.TrackableObjectGraph()
    paths: dict[int, list[str]] = {0: []}
    for i, obj in enumerate(graph.nodes):
        node = _saved_object(obj, writer, assets)
        if node.WhichOneof("kind") == "constant":
            node.constant.operation = f"constant_{i}"
        tnode = ckpt.nodes.add()
        for name, j in graph.children[i]:
            paths.setdefault(j, paths[i] + [name])
            for target in (node.children.add(), tnode.children.add()):
                target.node_id = j
                target.local_name = name
        if isinstance(obj, Variable):
            attr = tnode.attributes.add()
            attr.name = "VARIABLE_VALUE"
            attr.full_name = node.variable.name
            attr.checkpoint_key = "/".join(_escape(p) for p in paths[i]) + (
                "/.ATTRIBUTES/VARIABLE_VALUE"
            )
        tnode.has_checkpoint_values.value = isinstance(obj, Variable) or i == 0
        saved.nodes.append(node)
    for name, concrete in writer.saved.items():
        saved.concrete_functions[name].CopyFrom(concrete)
    return saved, ckpt


# -- the MetaGraphDef --------------------------------------------------------------------


def _variable_handles(gd, graph: _ObjectGraph) -> dict[int, str]:
    """A VarHandleOp per variable (the signatures' and the saver's); node id -> name."""
    _, _, Variable = _classes()
    handles: dict[int, str] = {}
    for i, obj in enumerate(graph.nodes):
        if isinstance(obj, Variable):
            nd = gd.node.add()
            nd.name = handles[i] = f"{_safe(obj.name[:-2])}_{i}"
            nd.op = "VarHandleOp"
            nd.attr["dtype"].type = obj.dtype._base.as_datatype_enum
            nd.attr["shape"].shape.CopyFrom(obj.shape.as_proto())
            nd.attr["shared_name"].s = nd.name.encode()
    return handles


def _constants(gd, graph: _ObjectGraph, saved_graph) -> None:
    """The Const nodes the SavedObjectGraph's constants name."""
    from tfgraph.io.tensor_proto import make_tensor_proto

    for i, node in enumerate(saved_graph.nodes):
        if node.WhichOneof("kind") == "constant":
            value = graph.nodes[i]
            dtype = value._dtype._base
            tensor = make_tensor_proto(np.asarray(value._value), dtype=dtype)
            _node(gd, node.constant.operation, "Const", dtype=dtype.as_datatype_enum, value=tensor)


def _bound_node_name(saved_graph, n: int) -> str:
    node = saved_graph.nodes[n]
    if node.WhichOneof("kind") == "constant":
        return node.constant.operation
    return f"asset_{n}"  # (written with the asset files)


def _signature_graph(mgd, handles, writer: _FunctionWriter, graph, signatures) -> None:
    """Nodes a TF1-style reader of `signature_def` finds: a Placeholder per signature
    input and a StatefulPartitionedCall per signature (its variables' VarHandleOps bound)."""
    from tfgraph.saved_model.signature_constants import PREDICT_METHOD_NAME

    gd = mgd.graph_def
    saved_graph = mgd.object_graph_def
    for k, (key, sig) in enumerate((signatures or {}).items()):
        node_id = graph.node_of(sig)
        fname = mgd.object_graph_def.nodes[node_id].bare_concrete_function.concrete_function_name
        fdef = next(f for f in writer.fdefs if f.signature.name == fname)
        call = gd.node.add()
        call.name = "StatefulPartitionedCall" + (f"_{k}" if k else "")
        call.op = "StatefulPartitionedCall"
        call.attr["f"].func.name = fname
        sdef = mgd.signature_def[key]
        sdef.method_name = PREDICT_METHOD_NAME
        specs = _input_specs(sig.concrete)
        names = sorted(specs)  # (the wrapper takes its keywords sorted, then captures)
        for arg in fdef.signature.input_arg:
            call.attr["Tin"].list.type.append(arg.type)
        for name, arg in zip(names, fdef.signature.input_arg):
            ph = gd.node.add()
            ph.name = f"{key}_{name}"
            ph.op = "Placeholder"
            ph.attr["dtype"].type = arg.type
            ph.attr["shape"].shape.CopyFrom(specs[name].shape.as_proto())
            call.input.append(ph.name)
            info = sdef.inputs[name]
            info.name, info.dtype = ph.name + ":0", arg.type
            info.tensor_shape.CopyFrom(specs[name].shape.as_proto())
        for n in writer.saved[fname].bound_inputs:
            call.input.append(handles.get(n) or _bound_node_name(saved_graph, n))
        outputs = _signature_outputs(sig.concrete)
        for j, (out_arg, name) in enumerate(zip(fdef.signature.output_arg, sorted(outputs))):
            call.attr["Tout"].list.type.append(out_arg.type)
            info = sdef.outputs[name]
            info.name, info.dtype = f"{call.name}:{j}", out_arg.type
            info.tensor_shape.CopyFrom(outputs[name].shape.as_proto())


def _meta_graph(graph, writer, signatures, saved_graph, ckpt, options: SaveOptions):
    from tfgraph.framework.api_utils import GRAPH_DEF_VERSION, VERSION
    from tfgraph.framework.meta_graph import stripped_op_list_for_graph
    from tfgraph.framework.node_def import to_op_def_proto
    from tfgraph.framework.registry import lookup
    from tfgraph.saved_model.tag_constants import SERVING

    mgd = _proto().MetaGraphDef()
    mgd.object_graph_def.CopyFrom(saved_graph)
    mgd.graph_def.versions.producer = GRAPH_DEF_VERSION
    mgd.graph_def.versions.min_consumer = 12
    mgd.graph_def.library.function.extend(writer.fdefs)
    handles = _variable_handles(mgd.graph_def, graph)
    _constants(mgd.graph_def, graph, saved_graph)
    _signature_graph(mgd, handles, writer, graph, signatures)
    _saver_graph(mgd, handles, saved_graph, ckpt)
    info = mgd.meta_info_def
    info.tags.append(SERVING)
    info.tags.extend(options.extra_tags or [])
    info.tensorflow_version = VERSION
    info.tensorflow_git_version = "tfgraph"
    ops = stripped_op_list_for_graph(mgd.graph_def)
    used = {op.name for op in ops.op}
    for fdef in writer.fdefs:
        for nd in fdef.node_def:
            op_def = lookup(nd.op) if nd.op not in used else None
            if op_def is not None:
                used.add(nd.op)
                ops.op.append(to_op_def_proto(op_def))
    info.stripped_op_list.op.extend(sorted(ops.op, key=lambda o: o.name))
    for fn, alias in _aliases(options, writer).items():
        info.function_aliases[fn] = alias
    return mgd


def _node(gd, name: str, op: str, inputs=(), **attrs):
    nd = gd.node.add()
    nd.name, nd.op = name, op
    nd.input.extend(inputs)
    for key, value in attrs.items():
        if isinstance(value, list):
            nd.attr[key].list.type.extend(value)
        elif isinstance(value, int):
            nd.attr[key].type = value
        else:
            nd.attr[key].tensor.CopyFrom(value)
    return nd


def _saver_graph(mgd, handles: dict[int, str], saved_graph, ckpt) -> None:
    """A TF1 saver over the variables (SaveV2/RestoreV2 of the checkpoint keys), so TF1
    loaders (`loader.load`, TF Serving) restore them; `saver_def` names it."""
    from tfgraph.io.tensor_proto import make_tensor_proto

    if not handles:
        return
    gd = mgd.graph_def
    ids = sorted(handles)
    keys = [ckpt.nodes[i].attributes[0].checkpoint_key for i in ids]
    types = [saved_graph.nodes[i].variable.dtype for i in ids]
    string = 7  # DT_STRING
    ph = _node(gd, "saver_filename", "Placeholder", dtype=string)
    ph.attr["shape"].shape.SetInParent()
    _node(gd, "save/tensor_names", "Const", dtype=string, value=make_tensor_proto(keys))
    _node(gd, "save/shape_and_slices", "Const", dtype=string,
          value=make_tensor_proto([""] * len(keys)))  # fmt: skip
    reads = []
    for k, (i, t) in enumerate(zip(ids, types)):
        reads.append(_node(gd, f"save/read_{k}", "ReadVariableOp", [handles[i]], dtype=t).name)
    names = ["saver_filename", "save/tensor_names", "save/shape_and_slices"]
    _node(gd, "save/SaveV2", "SaveV2", names + reads, dtypes=types)
    _node(gd, "save/Identity", "Identity", ["saver_filename", "^save/SaveV2"], T=string)
    _node(gd, "save/RestoreV2", "RestoreV2", names, dtypes=types)
    assigns = []
    for k, (i, t) in enumerate(zip(ids, types)):
        inputs = [handles[i], f"save/RestoreV2:{k}" if k else "save/RestoreV2"]
        assigns.append(
            "^" + _node(gd, f"save/Assign_{k}", "AssignVariableOp", inputs, dtype=t).name
        )
    _node(gd, "save/restore_all", "NoOp", assigns)
    saver = mgd.saver_def
    saver.filename_tensor_name = "saver_filename:0"
    saver.save_tensor_name = "save/Identity:0"
    saver.restore_op_name = "save/restore_all"
    saver.version = 2  # V2
    saver.max_to_keep = 5
    saver.keep_checkpoint_every_n_hours = 10000.0


def _aliases(options: SaveOptions, writer: _FunctionWriter) -> dict:
    out = {}
    for alias, fn in (options.function_aliases or {}).items():
        Function, _, _ = _classes()
        concretes = _traces(fn) if isinstance(fn, Function) else [fn]
        for c in concretes:
            name = writer.names.get(id(c))
            if name is not None:
                out[name] = alias
    return out


# -- writing -----------------------------------------------------------------------------


def _write_variables(export_dir: str, graph: _ObjectGraph, ckpt) -> None:
    from tfgraph.io.bundle import BundleWriter

    _, _, Variable = _classes()
    vdir = os.path.join(export_dir, constants.VARIABLES_DIRECTORY)
    os.makedirs(vdir, exist_ok=True)
    prefix = os.path.join(vdir, constants.VARIABLES_FILENAME)
    with BundleWriter(prefix) as writer:
        writer.add("_CHECKPOINTABLE_OBJECT_GRAPH", np.array(ckpt.SerializeToString(), object))
        for i, obj in enumerate(graph.nodes):
            if isinstance(obj, Variable):
                key = ckpt.nodes[i].attributes[0].checkpoint_key
                writer.add(key, np.asarray(obj.numpy()), obj.dtype._base)


def _write_assets(export_dir: str, mgd, assets: list, graph: _ObjectGraph) -> None:
    from tfgraph.io.tensor_proto import make_tensor_proto

    adir = os.path.join(export_dir, constants.ASSETS_DIRECTORY)
    os.makedirs(adir, exist_ok=True)
    used: set[str] = set()
    for asset in assets:
        source = asset._path
        if not os.path.exists(source):
            raise ValueError(f"tf.saved_model.Asset: the file {source!r} does not exist.")
        name = base = os.path.basename(source)
        n = 1
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        shutil.copyfile(source, os.path.join(adir, name))
        afd = mgd.asset_file_def.add()
        afd.filename = name
        const = f"asset_{graph.node_of(asset)}"
        afd.tensor_info.name = const + ":0"
        afd.tensor_info.dtype = 7  # DT_STRING
        value = make_tensor_proto(os.path.join(adir, name).encode())
        _node(mgd.graph_def, const, "Const", dtype=7, value=value)


def save(obj, export_dir, signatures=None, options=None) -> None:
    """Writes `obj` (a trackable object: `tf.Module`, `tf.train.Checkpoint`, ...) to
    `export_dir` as a TF2 SavedModel that `tf.saved_model.load` (TF's or tfgraph's)
    restores: its variables, its traced `tf.function`s and `signatures`.

    Raises:
      ValueError: `obj` is not trackable, a function cannot be exported, or an object
        tfgraph does not save (see the module docstring) is reachable.
      RuntimeError: eager execution is off (TF1 graph mode: use `SavedModelBuilder`).
    """
    from tfgraph.eager import context
    from tfgraph.io import atomic

    if options is not None and not isinstance(options, SaveOptions):
        raise TypeError(f"options must be a tf.saved_model.SaveOptions; got {options!r}.")
    options = options or SaveOptions()
    if not context.executing_eagerly():
        raise RuntimeError(
            "tf.saved_model.save needs eager execution in tfgraph (call "
            "tf.enable_v2_behavior() first); in TF1 graph mode write a SavedModel with "
            "tf.saved_model.simple_save or tf.saved_model.builder.SavedModelBuilder."
        )
    if not _is_root_trackable(obj) or isinstance(obj, (list, tuple, dict)):
        raise ValueError(
            "Expected an object of type `Trackable`, such as `tf.Module` or a subclass of "
            f"the `Trackable` class, for export. Got {obj} with type {type(obj)}."
        )
    export_dir = os.fspath(export_dir)
    sig_map = _signature_map(obj, signatures)
    graph = _ObjectGraph(obj, sig_map)
    writer = _FunctionWriter(graph)
    assets: list = []
    saved_graph, ckpt = _object_graph_protos(graph, writer, assets)
    mgd = _meta_graph(graph, writer, sig_map, saved_graph, ckpt, options)
    os.makedirs(export_dir, exist_ok=True)
    _write_assets(export_dir, mgd, assets, graph)
    _write_variables(export_dir, graph, ckpt)
    sm = _proto().SavedModel()
    sm.saved_model_schema_version = constants.SAVED_MODEL_SCHEMA_VERSION
    sm.meta_graphs.append(mgd)
    path = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PB)
    atomic.atomic_write(path, sm.SerializeToString(deterministic=True))

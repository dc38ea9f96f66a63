"""`tf.saved_model.load_v2` (and `tf.saved_model.load(export_dir)`): restores a TF2
SavedModel's object graph as Python objects, eagerly.

Each `SavedObject` becomes: a user object (an attribute bag; its `__call__` child makes
it callable), a list or dict for TF's list/dict wrappers, a `_SignatureMap` for
`signatures`, an eager resource `tf.Variable` (its value from `variables/variables`,
matched through the checkpoint's object graph), a `tf.saved_model.Asset` (its path in
`assets/`), a constant (an eager tensor from the graph's Const node), a restored
`tf.function` (a callable picking the concrete function whose traced arguments match the
call) or a bare concrete function (a signature: called with keyword tensors). A concrete
function runs its FunctionDef from the graph's library through a
`StatefulPartitionedCall` kernel with the call's tensors and its bound inputs (the
variables' handles): the same op TensorFlow runs, here on numpy. Restored objects and
functions can be saved again with `tf.saved_model.save` (their FunctionDefs unchanged).

Not supported (ValueError naming the node): `TrackableResource`s (lookup tables ...),
captured tensors of other functions, composite-tensor arguments, and TF1 SavedModels
(use `tf.saved_model.loader.load(sess, tags, export_dir)`).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from tfgraph.framework import nest
from tfgraph.framework.tensor_spec import TensorSpec
from tfgraph.saved_model import _structure, constants

__all__ = ["load_v2"]


class _UserObject:
    """A restored user object (TF's `_UserObject`): its children are attributes."""

    def _trackable_children(self) -> dict:
        """Its variables, assets and trackable containers (what checkpoints and a new
        `tf.saved_model.save` walk; functions are found as attributes)."""
        from tfgraph.saved_model._save_options import Asset
        from tfgraph.training.tracking import _is_trackable

        return {
            k: v
            for k, v in vars(self).items()
            if not k.startswith("_") and (isinstance(v, Asset) or _is_trackable(v))
        }

    def __repr__(self) -> str:
        return f"<restored object at {id(self):#x}>"


class _SignatureMap(dict):
    """`loaded.signatures`: signature key -> concrete function."""


def _spec_matches(spec, value) -> bool:
    from tfgraph.eager.tensor import EagerTensor
    from tfgraph.framework.ops import Tensor

    if isinstance(spec, TensorSpec):
        if not isinstance(value, (EagerTensor, Tensor)) and not hasattr(value, "__array__"):
            if not isinstance(value, (int, float, bool, list, tuple, bytes, str)):
                return False
        try:
            t = _to_tensor(value, spec.dtype)
        except (TypeError, ValueError):
            return False
        return spec.shape.is_compatible_with(t.shape)
    return (type(spec) is type(value) and spec == value) or spec == value


def _to_tensor(value, dtype):
    from tfgraph.eager.tensor import EagerTensor, eager_tensor
    from tfgraph.framework.ops import Tensor

    if isinstance(value, (EagerTensor, Tensor)):
        if value.dtype._base != dtype:
            raise TypeError(f"expected {dtype.name}, got {value.dtype.name}")
        return value
    if hasattr(value, "read_value") and hasattr(value, "handle"):
        return _to_tensor(value.read_value(), dtype)
    return eager_tensor(value, dtype)


class _ConcreteFunction:
    """A restored concrete function: its FunctionDef run by a StatefulPartitionedCall."""

    def __init__(self, name: str, function, saved, captures: list) -> None:
        self.name = name
        self._function = function
        self._captures = captures
        args, kwargs = _structure.decode(saved.canonicalized_input_signature) or ((), {})
        self.structured_input_signature = (tuple(args), dict(kwargs))
        self.structured_outputs = _structure.decode(saved.output_signature)
        self._arg_keywords: list[str] = []
        self._num_positional_args = 0
        self._runner: Any = None

    @property
    def function_def(self):
        return self._function.fdef

    def _call_op(self, inputs: list):
        """Adds the StatefulPartitionedCall to the current graph; its outputs
        in `structured_outputs`' structure."""
        from tfgraph.framework import dtypes
        from tfgraph.ops.apply import apply_op

        fdef = self._function.fdef
        tout = [dtypes.as_dtype(o.type) for o in fdef.signature.output_arg]
        op = apply_op(
            "StatefulPartitionedCall",
            None,
            [inputs],
            {"Tin": [t.dtype._base for t in inputs], "Tout": tout, "f": self._function},
        )
        outputs = list(op.outputs)
        specs = [s for s in nest.flatten(self.structured_outputs) if isinstance(s, TensorSpec)]
        if len(specs) != len(outputs):
            return op, (outputs[0] if len(outputs) == 1 else outputs)
        it = iter(outputs)
        return op, nest.map_structure(
            lambda s: next(it) if isinstance(s, TensorSpec) else s, self.structured_outputs
        )

    def _build_runner(self, tensors: list):
        """A traced graph holding the call (built once), run as a cached plan."""
        from tfgraph.eager.function import ConcreteFunction, FuncGraph
        from tfgraph.ops import array_ops

        graph = FuncGraph(self.name)
        with graph.as_default():
            phs = [
                array_ops.placeholder(t.dtype._base, spec.shape, name=f"arg{i}")
                for i, (t, spec) in enumerate(zip(tensors, self._tensor_specs()))
            ]
            caps = [graph.capture(_capture_tensor(c)) for c in self._captures]
            op, outputs = self._call_op(phs + caps)
        return ConcreteFunction(graph, phs, outputs, [op])

    def _tensor_specs(self) -> list:
        return [s for s in nest.flatten(self.structured_input_signature)
                if isinstance(s, TensorSpec)]  # fmt: skip

    def _call_flat(self, tensors: list):
        from tfgraph.eager import context

        if not context.executing_eagerly():  # (inside a tf.function being traced)
            return self._call_op(list(tensors) + [_capture_tensor(c) for c in self._captures])[1]
        runner = self._runner
        if runner is None:
            runner = self._runner = self._build_runner(tensors)
        return runner._run([t._value for t in tensors])

    def _bind(self, args, kwargs):
        """The tensors of a call by `_arg_keywords` (bare functions, signatures)."""
        sig_args, sig_kwargs = self.structured_input_signature
        if len(args) > max(self._num_positional_args, len(sig_args)):
            raise TypeError(
                f"{self.name} takes {self._num_positional_args} positional arguments, got "
                f"{len(args)}"
            )
        named = dict(zip(self._arg_keywords, args))
        for k, v in kwargs.items():
            if k in named:
                raise TypeError(f"{self.name} got two values for argument {k!r}")
            named[k] = v
        if sig_kwargs:
            missing = sorted(set(sig_kwargs) - set(named))
            extra = sorted(set(named) - set(sig_kwargs))
            if missing or extra:
                raise TypeError(
                    f"{self.name} expects arguments {sorted(sig_kwargs)}; missing {missing}, "
                    f"unexpected {extra}"
                )
            structure = ((), {k: named[k] for k in sig_kwargs})
        else:
            ordered = list(args) + [kwargs[k] for k in self._arg_keywords[len(args) :]]
            structure = (tuple(ordered), {})
        return self._tensors(structure)

    def _tensors(self, structure) -> list:
        flat_spec = nest.flatten(self.structured_input_signature)
        flat = nest.flatten_up_to(self.structured_input_signature, structure)
        out = []
        for spec, value in zip(flat_spec, flat):
            if isinstance(spec, TensorSpec):
                t = _to_tensor(value, spec.dtype)
                if not spec.shape.is_compatible_with(t.shape):
                    raise ValueError(
                        f"{self.name}: argument {spec.name!r} must have shape {spec.shape}, "
                        f"got {t.shape}"
                    )
                out.append(t)
        return out

    def __call__(self, *args, **kwargs):
        return self._call_flat(self._bind(args, kwargs))


def _capture_tensor(obj):
    from tfgraph.saved_model._save_options import Asset

    if isinstance(obj, Asset):
        return obj.asset_path
    handle = getattr(obj, "handle", None)
    return handle if handle is not None else obj


class _RestoredFunction:
    """A restored `tf.function`: calls the concrete function whose traced arguments
    match the call's (TF's `RestoredFunction`)."""

    def __init__(self, concretes: list, function_spec) -> None:
        self._concretes = concretes
        spec = _structure.decode(function_spec.fullargspec)
        self._argspec = spec
        self._function_spec_proto = function_spec
        self.input_signature = _structure.decode(function_spec.input_signature)

    def concrete_functions(self) -> list:
        return list(self._concretes)

    def _canonical(self, args, kwargs):
        spec = self._argspec
        if spec is None or spec.varargs is not None:
            return (tuple(args), dict(kwargs))
        names = list(spec.args)
        defaults = dict(zip(names[len(names) - len(spec.defaults or ()) :], spec.defaults or ()))
        bound = list(args)
        for name in names[len(args) :]:
            if name in kwargs:
                bound.append(kwargs[name])
            elif name in defaults:
                bound.append(defaults[name])
            else:
                break
        rest = {k: v for k, v in kwargs.items() if k not in names}
        return (tuple(bound), rest)

    def __call__(self, *args, **kwargs):
        if not self._concretes:
            raise ValueError(
                "Found zero restored functions for caller function (the tf.function was "
                "never traced before it was saved)."
            )
        call = self._canonical(args, kwargs)
        for concrete in self._concretes:
            sig = concrete.structured_input_signature
            try:
                flat_in = nest.flatten_up_to(sig, call)
            except (TypeError, ValueError):
                continue
            if all(_spec_matches(s, v) for s, v in zip(nest.flatten(sig), flat_in)):
                return concrete._call_flat(concrete._tensors(call))
        raise ValueError(
            "Could not find matching concrete function to call loaded from the SavedModel. "
            f"Got: args {args} and kwargs {kwargs}. Expected one of: "
            + "; ".join(str(c.structured_input_signature) for c in self._concretes)
        )


# -- loading -----------------------------------------------------------------------------


def _meta_graph(export_dir: str, tags):
    from tfgraph.saved_model._loader import parse_saved_model

    sm = parse_saved_model(export_dir)
    if tags is not None:
        wanted = {tags} if isinstance(tags, str) else set(tags)
        for mgd in sm.meta_graphs:
            if set(mgd.meta_info_def.tags) == wanted:
                return mgd
        raise RuntimeError(
            f"MetaGraphDef associated with tags {sorted(wanted)} could not be found in "
            f"SavedModel, with available tags "
            f"'{[list(m.meta_info_def.tags) for m in sm.meta_graphs]}'."
        )
    if len(sm.meta_graphs) != 1:
        raise ValueError(
            f"Importing a SavedModel with tf.saved_model.load requires a 'tags=' argument if "
            f"there is more than one MetaGraph. Got 'tags=None', but there are "
            f"{len(sm.meta_graphs)} MetaGraphs in the SavedModel."
        )
    return sm.meta_graphs[0]


def _new_user_object(proto):
    ident = proto.user_object.identifier
    if ident == "signature_map":
        return _SignatureMap()
    if ident in ("trackable_list_wrapper", "trackable_tuple_wrapper"):
        return []
    if ident == "trackable_dict_wrapper":
        return {}
    return type("_UserObject", (_UserObject,), {})()


def _new_variable(proto):
    from tfgraph.framework import dtypes
    from tfgraph.saved_model._structure import _shape
    from tfgraph.variables import Variable

    v = proto.variable
    dtype = dtypes.as_dtype(v.dtype)
    shape = _shape(v.shape)
    init = np.zeros([d or 0 for d in shape.as_list()] if shape.rank is not None else [],
                    dtype.np_dtype)  # fmt: skip
    return Variable(init, name=v.name or None, trainable=v.trainable, dtype=dtype, shape=shape)


def _new_constant(proto, graph_def):
    from tfgraph.eager.tensor import eager_tensor
    from tfgraph.io.tensor_proto import make_ndarray

    for nd in graph_def.node:
        if nd.name == proto.constant.operation:
            return eager_tensor(make_ndarray(nd.attr["value"].tensor))
    raise ValueError(f"tf.saved_model.load: constant {proto.constant.operation!r} not found")


class _Loader:
    def __init__(self, export_dir: str, mgd) -> None:
        from tfgraph.framework.function_library import add_functions
        from tfgraph.framework.graph import Graph

        self.export_dir = export_dir
        self.mgd = mgd
        self.graph = mgd.object_graph_def
        library = Graph()
        add_functions(library, mgd.graph_def.library)
        self.functions = library._functions
        self.nodes: list = [None] * len(self.graph.nodes)
        self._concretes: dict[str, _ConcreteFunction] = {}

    def load(self, restore: bool = True):
        order = _dependency_order(self.graph)
        for i in order:
            self.nodes[i] = self._recreate(i, self.graph.nodes[i])
        for i, proto in enumerate(self.graph.nodes):
            for ref in proto.children:
                _attach(self.nodes[i], ref.local_name, self.nodes[ref.node_id])
        if restore:
            self._restore_variables()
        return self.nodes[0]

    def _concrete(self, name: str) -> _ConcreteFunction:
        hit = self._concretes.get(name)
        if hit is None:
            saved = self.graph.concrete_functions[name]
            captures = []
            for node_id in saved.bound_inputs:
                obj = self.nodes[node_id]
                if obj is None:
                    raise ValueError(f"tf.saved_model.load: node {node_id} not yet restored")
                captures.append(obj)
            hit = _ConcreteFunction(name, self.functions[name], saved, captures)
            self._concretes[name] = hit
        return hit

    def _recreate(self, i: int, proto):
        from tfgraph.saved_model._save_options import Asset

        kind = proto.WhichOneof("kind")
        if kind == "user_object":
            return _new_user_object(proto)
        if kind == "variable":
            return _new_variable(proto)
        if kind == "asset":
            afd = self.mgd.asset_file_def[proto.asset.asset_file_def_index]
            return Asset(os.path.join(self.export_dir, constants.ASSETS_DIRECTORY, afd.filename))
        if kind == "constant":
            return _new_constant(proto, self.mgd.graph_def)
        if kind == "function":
            concretes = [self._concrete(n) for n in proto.function.concrete_functions]
            return _RestoredFunction(concretes, proto.function.function_spec)
        if kind == "bare_concrete_function":
            bare = proto.bare_concrete_function
            fn = self._concrete(bare.concrete_function_name)
            fn._arg_keywords = list(bare.argument_keywords)
            fn._num_positional_args = int(bare.allowed_positional_arguments)
            return fn
        raise ValueError(
            f"tf.saved_model.load: tfgraph cannot restore node {i} of kind {kind!r} "
            "(TrackableResources such as lookup tables, and captured tensors, are not "
            "supported)."
        )

    def _restore_variables(self) -> None:
        from tfgraph import proto
        from tfgraph.training.checkpoint_utils import load_checkpoint
        from tfgraph.variables import Variable

        prefix = os.path.join(
            self.export_dir, constants.VARIABLES_DIRECTORY, constants.VARIABLES_FILENAME
        )
        if not any(isinstance(o, Variable) for o in self.nodes):
            return
        reader = load_checkpoint(prefix)
        ckpt = proto.TrackableObjectGraph()
        raw = reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH")
        ckpt.ParseFromString(raw if isinstance(raw, bytes) else bytes(np.asarray(raw)[()]))
        for saved_id, ckpt_id in _match_nodes(self.graph, ckpt):
            obj = self.nodes[saved_id]
            if isinstance(obj, Variable):
                for attr in ckpt.nodes[ckpt_id].attributes:
                    if attr.name == "VARIABLE_VALUE":
                        obj.assign(reader.get_tensor(attr.checkpoint_key))


def _dependency_order(graph) -> list[int]:
    """Node ids so that a function comes after the nodes its concrete functions bind."""
    needs: dict[int, set[int]] = {}
    for i, node in enumerate(graph.nodes):
        kind = node.WhichOneof("kind")
        names: list[str] = []
        if kind == "function":
            names = list(node.function.concrete_functions)
        elif kind == "bare_concrete_function":
            names = [node.bare_concrete_function.concrete_function_name]
        needs[i] = {
            n for name in names for n in graph.concrete_functions[name].bound_inputs
        }  # fmt: skip
    order: list[int] = []
    done: set[int] = set()

    def visit(i: int, path: set) -> None:
        if i in done or i in path:
            return
        for j in sorted(needs[i]):
            visit(j, path | {i})
        done.add(i)
        order.append(i)

    for i in range(len(graph.nodes)):
        visit(i, set())
    return order


def _match_nodes(saved, ckpt) -> list[tuple[int, int]]:
    """Pairs of (SavedObjectGraph node, checkpoint node), walking children by name."""
    pairs, seen, stack = [], {0}, [(0, 0)]
    while stack:
        s, c = stack.pop()
        pairs.append((s, c))
        theirs = {ref.local_name: ref.node_id for ref in ckpt.nodes[c].children}
        for ref in saved.nodes[s].children:
            j = theirs.get(ref.local_name)
            if j is not None and ref.node_id not in seen:
                seen.add(ref.node_id)
                stack.append((ref.node_id, j))
    return pairs


def _attach(parent, name: str, child) -> None:
    if isinstance(parent, list):
        index = int(name)
        while len(parent) <= index:
            parent.append(None)
        parent[index] = child
    elif isinstance(parent, dict):
        parent[name] = child
    elif isinstance(parent, _UserObject):
        if name == "__call__":
            type(parent).__call__ = lambda self, *a, **k: child(*a, **k)  # type: ignore
        setattr(parent, name, child)


def load_v2(export_dir, tags=None, options=None):
    """Loads a TF2 SavedModel written by `tf.saved_model.save` (TensorFlow's or
    tfgraph's): returns its root object, with its variables restored, its functions
    callable and, if it has any, `signatures` (key -> function taking keyword tensors
    and returning a dict). `options` is a `tf.saved_model.LoadOptions`; with
    `experimental_skip_checkpoint` no variable is read from the checkpoint.

    Raises:
      RuntimeError: eager execution is off, or no MetaGraph has `tags`.
      ValueError: the SavedModel is a TF1 one, or holds objects tfgraph cannot restore.
    """
    from tfgraph.eager import context

    if not context.executing_eagerly():
        raise RuntimeError(
            "tf.saved_model.load_v2 needs eager execution in tfgraph (call "
            "tf.enable_v2_behavior() first); in graph mode load with "
            "tf.saved_model.loader.load(sess, tags, export_dir)."
        )
    export_dir = os.fspath(export_dir)
    mgd = _meta_graph(export_dir, tags)
    if not mgd.object_graph_def.nodes:
        raise ValueError(
            f"The SavedModel at {export_dir} is a TF1 SavedModel (no object graph): tfgraph "
            "loads it with tf.saved_model.loader.load(sess, tags, export_dir)."
        )
    skip = options is not None and options.experimental_skip_checkpoint
    return _Loader(export_dir, mgd).load(restore=not skip)


def load(*args, **kwargs):
    """`tf.saved_model.load`: TF1's `load(sess, tags, export_dir, import_scope=None,
    **saver_kwargs)` (into a session's graph; returns the MetaGraphDef), or, called with
    an export directory first (`load(export_dir, tags=None, options=None)`, TF2's
    spelling), `load_v2`."""
    from tfgraph.saved_model import _loader

    first = args[0] if args else kwargs.get("export_dir")
    if "sess" not in kwargs and isinstance(first, (str, bytes, os.PathLike)):
        return load_v2(*args, **kwargs)
    return _loader.load(*args, **kwargs)

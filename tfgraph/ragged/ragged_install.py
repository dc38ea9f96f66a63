"""Wires RaggedTensor into tfgraph: its operators and `__getitem__`, and the ragged
dispatch of the public namespaces' functions (called by tfgraph/__init__.py)."""

from __future__ import annotations

import functools
import types

from tfgraph.framework import dtypes
from tfgraph.ragged import ragged_array_ops, ragged_dispatch
from tfgraph.ragged.ragged_tensor import RaggedTensor, is_ragged

__all__ = ["install_dispatch", "install_methods"]


def install_methods() -> None:
    for name, fn in ragged_dispatch.operator_table().items():
        setattr(RaggedTensor, name, fn)
    setattr(RaggedTensor, "__getitem__", ragged_array_ops.getitem)  # noqa: B010 - (mypy: a method set late)


def _any_ragged(value) -> bool:
    if isinstance(value, (list, tuple)):
        return any(is_ragged(v) for v in value)
    return is_ragged(value)


def _api(fn, ragged_fn, arg_names):
    """`fn`, sent to `ragged_fn` when an argument named in `arg_names` (or the
    corresponding leading positional one) holds a RaggedTensor."""
    if getattr(fn, "_tfgraph_ragged_original", None) is not None:
        return fn

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        heads = list(args[: len(arg_names)]) + [kwargs.get(k) for k in arg_names[len(args) :]]
        if any(_any_ragged(h) for h in heads):
            return ragged_fn(*args, **kwargs)
        return fn(*args, **kwargs)

    wrapper._tfgraph_ragged_original = fn
    return wrapper


def _concat(values, axis, name="concat"):
    return ragged_array_ops.concat(values, axis, name=None if name == "concat" else name)


def _stack(values, axis=0, name="stack"):
    return ragged_array_ops.stack(values, axis, name=None if name == "stack" else name)


def _gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    return ragged_array_ops.gather(params, indices, validate_indices, axis, batch_dims, name)


def _size(input, name=None, out_type=None):
    return ragged_array_ops.size(input, out_type=out_type or dtypes.int32, name=name)


def _rank(input, name=None):
    return ragged_array_ops.rank(input, name=name)


def _expand_dims(input, axis=None, name=None, dim=None):
    return ragged_array_ops.expand_dims(input, dim if axis is None else axis, name=name)


def _reverse(tensor, axis, name=None):
    return ragged_array_ops.reverse(tensor, axis, name=name)


def _embedding_lookup(
    params, ids, partition_strategy="mod", name=None, validate_indices=True, max_norm=None
):
    from tfgraph.ragged.ragged_functional_ops import embedding_lookup

    return embedding_lookup(params, ids, partition_strategy, name, validate_indices, max_norm)


def _dropout_api(fn):
    def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
        from tfgraph.framework.graph import name_scope
        from tfgraph.ragged.ragged_tensor import convert_to_tensor_or_ragged_tensor

        if noise_shape is not None:
            raise ValueError("noise_shape is not supported yet for RaggedTensor x")
        with name_scope(name, "RaggedNNDropout", [x, rate]):
            x = convert_to_tensor_or_ragged_tensor(x, name="x")
            return x.with_flat_values(fn(x.flat_values, keep_prob=keep_prob, seed=seed, rate=rate))

    return dropout


def _where(condition, x=None, y=None, name=None):
    return ragged_array_ops.where(condition, x, y, name=name)


def _segment_api(name):
    def segment(data, segment_ids, num_segments, name=None, _fn=name):
        from tfgraph.ragged import ragged_math_ops

        return getattr(ragged_math_ops, _fn)(data, segment_ids, num_segments, name=name)

    return segment


def _add_n(inputs, name=None):
    from tfgraph.ragged import ragged_math_ops

    return ragged_math_ops.add_n(inputs, name=name)


_SEGMENT = (
    "unsorted_segment_sum",
    "unsorted_segment_prod",
    "unsorted_segment_min",
    "unsorted_segment_max",
    "unsorted_segment_mean",
    "unsorted_segment_sqrt_n",
)


def _squeeze(input, axis=None, name=None, squeeze_dims=None):
    return ragged_array_ops.squeeze(input, squeeze_dims if axis is None else axis, name)


def _tile(input, multiples, name=None):
    return ragged_array_ops.tile(input, multiples, name=name)


_APIS = {
    "tile": (_tile, ["input"]),
    "squeeze": (_squeeze, ["input"]),
    **{n: (_segment_api(n), ["data", "segment_ids"]) for n in _SEGMENT},
    "add_n": (_add_n, ["inputs"]),
    "where": (_where, ["condition", "x", "y"]),
    "embedding_lookup": (_embedding_lookup, ["params", "ids"]),
    "size": (_size, ["input"]),
    "rank": (_rank, ["input"]),
    "expand_dims": (_expand_dims, ["input"]),
    "reverse": (_reverse, ["tensor"]),
    "reverse_v2": (_reverse, ["tensor"]),
    "concat": (_concat, ["values"]),
    "stack": (_stack, ["values"]),
    "gather": (_gather, ["params", "indices"]),
}


def install_dispatch(*modules) -> None:
    """Ragged dispatch for the elementwise/reduce functions and concat, stack, gather,
    boolean_mask of `modules` (one wrapper per function object)."""
    ragged_dispatch.install(*modules)
    done: dict[int, object] = {}
    apis = dict(_APIS)
    for module in modules:
        fn = module.__dict__.get("dropout")
        if fn is not None and "dropout" not in apis:
            apis["dropout"] = (_dropout_api(fn), ["x"])
    for module in modules:
        for name, (ragged_fn, args) in apis.items():
            fn = module.__dict__.get(name)
            if fn is None:
                continue
            if id(fn) not in done:
                done[id(fn)] = _api(fn, ragged_fn, args)
            setattr(module, name, done[id(fn)])
    _share_wrappers(modules[0])


def _namespaces(top) -> list:
    """`top`, its public namespace modules (tf.manip, tf.dtypes, ...) and theirs that are
    re-export modules (tfgraph/<name>.py: tf.math.special, tf.nn.experimental, ...)."""
    out = {id(top): top}
    for key, module in vars(top).items():
        if isinstance(module, types.ModuleType) and module.__name__.startswith("tfgraph."):
            if not key.startswith("_"):
                out.setdefault(id(module), module)
    for module in list(out.values())[1:]:
        for key, sub in vars(module).items():
            if isinstance(sub, types.ModuleType) and not key.startswith("_"):
                if sub.__name__.count(".") == 1 and sub.__name__.startswith("tfgraph."):
                    out.setdefault(id(sub), sub)
    return list(out.values())


def _share_wrappers(top) -> None:
    """Every public namespace module of `top` (tf.manip, tf.dtypes, tf.math.special, ...)
    that holds one of the wrapped functions gets the wrapper too, so its names stay the
    same object as the wrapped namespace's (as TF's aliases are one function)."""
    modules = _namespaces(top)
    wrappers = {}
    for module in modules:
        for value in vars(module).values():
            original = getattr(value, "_tfgraph_ragged_original", None)
            if original is not None:
                wrappers[id(original)] = value
    for module in modules:
        for name, value in list(vars(module).items()):
            wrapper = wrappers.get(id(value))
            if wrapper is not None:
                setattr(module, name, wrapper)

"""`tf.map_fn`, `tf.scan`, `tf.foldl` and `tf.foldr` as TF1 builds them: a `while_loop`
reading the elements from TensorArrays (and writing map_fn's and scan's results into
TensorArrays), with TF's name scopes, so the graphs have TF's ops and names.

Inside the loop, variables made by `fn` are read through a caching device (the op's
own device), as TF sets it for the duration of the call.
"""

from __future__ import annotations

import contextlib

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import Dimension, TensorShape
from tfgraph.ops import array_ops
from tfgraph.ops.tensor_array_ops import TensorArray
from tfgraph.ops.while_loop import while_loop
from tfgraph.variable_scope import get_variable_scope

__all__ = ["foldl", "foldr", "map_fn", "scan", "vectorized_map"]


# -- nested structures (TF's nest: dicts by sorted key, namedtuples, lists, tuples) ---------
def _is_nested(x) -> bool:
    return isinstance(x, (list, tuple, dict))


def _is_batchable_extension(x) -> bool:
    from tfgraph.framework.extension_type import BatchableExtensionType

    return isinstance(x, BatchableExtensionType)


def _flatten(x) -> list:
    """Leaves; a BatchableExtensionType is its component tensors (TF batches and
    unbatches each on dimension 0, its default batch encoder)."""
    if _is_batchable_extension(x):
        return list(x._tfgraph_components())
    if isinstance(x, dict):
        return [leaf for k in sorted(x) for leaf in _flatten(x[k])]
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in _flatten(item)]
    return [x]


def _pack_sequence_as(structure, flat: list):
    it = iter(flat)

    def build(s):
        if _is_batchable_extension(s):
            return s._tfgraph_rebuild([next(it) for _ in s._tfgraph_components()])
        if isinstance(s, dict):
            built = {k: build(s[k]) for k in sorted(s)}
            return type(s)((k, built[k]) for k in s)
        if isinstance(s, (list, tuple)):
            items = [build(v) for v in s]
            if hasattr(s, "_fields"):  # (a namedtuple)
                return type(s)(*items)
            return type(s)(items)
        return next(it)

    flat = list(flat)
    if len(flat) != len(_flatten(structure)):
        raise ValueError(
            f"Could not pack sequence. Structure had {len(_flatten(structure))} atoms, but "
            f"flat_sequence had {len(flat)} items."
        )
    return build(structure)


def _assert_same_structure(a, b) -> None:
    def kind(x):
        if _is_batchable_extension(x):
            return type(x)
        if isinstance(x, dict):
            return "dict"
        if isinstance(x, (list, tuple)):
            return "sequence"
        return "leaf"

    def check(x, y):
        if kind(x) != kind(y):
            raise ValueError(
                "The two structures don't have the same nested structure.\n\n"
                f"First structure: {a}\n\nSecond structure: {b}"
            )
        if kind(x) == "dict":
            if sorted(x) != sorted(y):
                raise ValueError(
                    "The two structures don't have the same sequence of keys. First structure "
                    f"has keys {sorted(x)}, while second structure has keys {sorted(y)}."
                )
            for k in x:
                check(x[k], y[k])
        elif kind(x) == "sequence":
            if len(x) != len(y):
                raise ValueError(
                    "The two structures don't have the same number of elements.\n\n"
                    f"First structure: {a}\n\nSecond structure: {b}"
                )
            for u, v in zip(x, y):
                check(u, v)

    check(a, b)


@contextlib.contextmanager
def _caching_device():
    """As TF: variables read inside the loop are cached on the reading op's device."""
    scope = get_variable_scope()
    was_none = scope.caching_device is None
    if was_none:
        scope.set_caching_device(lambda op: op.device)
    try:
        yield
    finally:
        if was_none:
            scope.set_caching_device(None)


def _leading_dim(t) -> Dimension:
    return Dimension(t.shape.with_rank_at_least(1).as_list()[0])


def _num_elems(first):
    n = first.shape.as_list()[0] if first.shape.ndims else None
    return n if n else array_ops.shape(first)[0]


# -- map_fn -------------------------------------------------------------------------------
def map_fn(
    fn,
    elems,
    dtype=None,
    parallel_iterations=None,
    back_prop=True,
    swap_memory=False,
    infer_shape=True,
    name=None,
    fn_output_signature=None,
):
    """`fn` applied to each element of `elems` (unstacked on dimension 0), stacked.

    Args:
        fn: a callable of one (possibly nested) element.
        elems: a tensor or a nested structure of tensors, all with the same first
            dimension.
        dtype: the dtype (structure) of `fn`'s output when it differs from `elems`'.
        parallel_iterations, back_prop, swap_memory: passed to `while_loop`.
        infer_shape: whether the results must have one shape.
        name: the name scope (default "map").
        fn_output_signature: as `dtype` (TF2's spelling).

    Returns:
        The stacked results, structured as `fn`'s output.
    """
    if fn_output_signature is None:
        fn_output_signature = dtype
    if not callable(fn):
        raise TypeError(
            f"The provided function {getattr(fn, '__name__', fn)} is not callable."
            "fn must be callable."
        )
    if not parallel_iterations:
        parallel_iterations = 10
    elems_flat = _flatten(elems)
    if not elems_flat:
        raise ValueError(
            "elems must be a Tensor or (possibly nested) sequence of Tensors. "
            f"Got {elems}, which does not contain any Tensors."
        )
    g = get_default_graph()
    with g.name_scope(name or "map"), _caching_device():
        elems_flat = [convert_to_tensor(t, name="elem") for t in elems_flat]
        first = elems_flat[0]
        if first.shape.ndims is not None and first.shape.ndims < 1:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
        n_static = _leading_dim(first)
        for t in elems_flat[1:]:
            n_static.assert_is_compatible_with(_leading_dim(t))
        n = n_static.value or array_ops.shape(first)[0]
        elems_ta = [
            TensorArray(dtype=t.dtype, size=n, dynamic_size=False, infer_shape=True)
            for t in elems_flat
        ]
        elems_ta = [ta.unstack(t) for ta, t in zip(elems_ta, elems_flat)]
        i = array_ops.constant(0)
        if fn_output_signature is None:
            out_dtypes = [t.dtype for t in elems_flat]
            out_structure = elems
        else:
            out_dtypes = [dtypes.as_dtype(d) for d in _flatten(fn_output_signature)]
            out_structure = fn_output_signature
        accs_ta = [
            TensorArray(dtype=d, size=n, dynamic_size=False, infer_shape=infer_shape)
            for d in out_dtypes
        ]

        def compute(i, tas):
            values = _pack_sequence_as(elems, [ta.read(i) for ta in elems_ta])
            result = fn(values)
            _assert_same_structure(out_structure, result)
            flat = _flatten(result)
            tas = [ta.write(i, v) for ta, v in zip(tas, flat)]
            return (i + 1, tas)

        _, r_a = while_loop(
            lambda i, _: i < n,
            compute,
            (i, accs_ta),
            parallel_iterations=parallel_iterations,
            back_prop=back_prop,
            swap_memory=swap_memory,
            maximum_iterations=n,
        )
        results = [r.stack() for r in r_a]
        for r in results:
            r.set_shape(TensorShape([n_static.value]).concatenate(r.shape[1:]))
        return _pack_sequence_as(out_structure, results)


# -- folds --------------------------------------------------------------------------------
def _elems_arrays(elems, n):
    def create(elem):
        ta = TensorArray(dtype=elem.dtype, size=n, dynamic_size=False, infer_shape=True)
        return ta.unstack(elem)

    return _pack_sequence_as(elems, [create(e) for e in _flatten(elems)])


def _map_structure(f, structure):
    return _pack_sequence_as(structure, [f(x) for x in _flatten(structure)])


def _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, right):
    if not callable(fn):
        raise TypeError(
            f"{getattr(fn, '__name__', fn)} is not callable. Please provide a callable function."
        )
    g = get_default_graph()
    with g.name_scope(name or ("foldr" if right else "foldl")), _caching_device():
        elems_flat = [convert_to_tensor(e, name="elem") for e in _flatten(elems)]
        n = _num_elems(elems_flat[0])
        elems = _pack_sequence_as(elems, elems_flat)
        elems_ta = _elems_arrays(elems, n)
        if right:
            if initializer is None:
                i = n - 1
                a = _map_structure(lambda ta: ta.read(i), elems_ta)
            else:
                i, a = n, initializer

            def compute(i, a):
                i -= 1
                elem = _map_structure(lambda ta: ta.read(i), elems_ta)
                return [i, fn(a, elem)]

            def cond(i, a):
                return i > 0

        else:
            if initializer is None:
                a = _map_structure(lambda ta: ta.read(0), elems_ta)
                i = array_ops.constant(1)
            else:
                a = initializer
                i = array_ops.constant(0)

            def compute(i, a):
                elem_i = _map_structure(lambda ta: ta.read(i), elems_ta)
                a = fn(a, elem_i)  # (before i + 1, as TF builds it)
                return [i + 1, a]

            def cond(i, a):
                return i < n

        _, r_a = while_loop(
            cond,
            compute,
            [i, a],
            parallel_iterations=parallel_iterations,
            back_prop=back_prop,
            swap_memory=swap_memory,
            maximum_iterations=n,
        )
        return r_a


def foldl(
    fn,
    elems,
    initializer=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    name=None,
):
    """`fn(...fn(fn(initializer, elems[0]), elems[1])..., elems[n-1])` (left fold).

    Without `initializer`, `elems[0]` starts the fold. `elems` may be nested; `fn`
    gets the accumulator and one (nested) element."""
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, False)


def foldr(
    fn,
    elems,
    initializer=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    name=None,
):
    """The right fold: as `foldl`, from the last element to the first."""
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, True)


# -- scan ---------------------------------------------------------------------------------
def scan(
    fn,
    elems,
    initializer=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    infer_shape=True,
    reverse=False,
    name=None,
):
    """Every intermediate accumulator of a fold of `fn` over `elems`, stacked.

    Args:
        fn: `fn(accumulator, element) -> accumulator` (nested as `initializer`, or as
            `elems` without one).
        elems: a tensor or nested structure of tensors unstacked on dimension 0.
        initializer: the first accumulator (default: the first element, which is
            then also the first output).
        parallel_iterations, back_prop, swap_memory: passed to `while_loop`.
        infer_shape: whether the accumulators must have one shape.
        reverse: scan from the last element to the first.
        name: the name scope (default "scan").
    """
    if not callable(fn):
        raise TypeError(
            f"{getattr(fn, '__name__', fn)} is not callable. Please provide a callable function."
        )
    input_nested = _is_nested(elems)

    def input_flatten(x):
        return _flatten(x) if input_nested else [x]

    def input_pack(x):
        return _pack_sequence_as(elems, x) if input_nested else x[0]

    if initializer is None:
        output_flatten, output_pack = input_flatten, input_pack
    else:
        output_nested = _is_nested(initializer)

        def output_flatten(x):
            return _flatten(x) if output_nested else [x]

        def output_pack(x):
            return _pack_sequence_as(initializer, x) if output_nested else x[0]

    elems_flat = input_flatten(elems)
    g = get_default_graph()
    with g.name_scope(name or "scan"), _caching_device():
        elems_flat = [convert_to_tensor(e, name="elem") for e in elems_flat]
        n = elems_flat[0].shape.as_list()[0] if elems_flat[0].shape.ndims else None
        if n is None:
            n = array_ops.shape(elems_flat[0])[0]
        elems_ta = [
            TensorArray(
                dtype=e.dtype,
                size=n,
                dynamic_size=False,
                element_shape=e.shape[1:],
                infer_shape=True,
            )
            for e in elems_flat
        ]
        elems_ta = [ta.unstack(e) for ta, e in zip(elems_ta, elems_flat)]
        if initializer is None:
            a_flat = [ta.read(n - 1 if reverse else 0) for ta in elems_ta]
            i = 1
        else:
            a_flat = [convert_to_tensor(x) for x in output_flatten(initializer)]
            i = 0
        accs_ta = [
            TensorArray(
                dtype=a.dtype,
                size=n,
                element_shape=a.shape if infer_shape else None,
                dynamic_size=False,
                infer_shape=infer_shape,
            )
            for a in a_flat
        ]
        if initializer is None:
            accs_ta = [ta.write(n - 1 if reverse else 0, a) for ta, a in zip(accs_ta, a_flat)]

        def compute(i, a_flat, tas):
            packed_elems = input_pack([ta.read(i) for ta in elems_ta])
            a_out = fn(output_pack(a_flat), packed_elems)
            _assert_same_structure(elems if initializer is None else initializer, a_out)
            flat_a_out = output_flatten(a_out)
            tas = [ta.write(i, v) for ta, v in zip(tas, flat_a_out)]
            return (i - 1 if reverse else i + 1, flat_a_out, tas)

        if reverse:
            initial_i = n - 1 - i

            def condition(i, _1, _2):
                return i >= 0

        else:
            initial_i = i

            def condition(i, _1, _2):
                return i < n

        _, _, r_a = while_loop(
            condition,
            compute,
            (initial_i, a_flat, accs_ta),
            parallel_iterations=parallel_iterations,
            back_prop=back_prop,
            swap_memory=swap_memory,
            maximum_iterations=n,
        )
        results = [r.stack() for r in r_a]
        n_static = _leading_dim(elems_flat[0])
        for e in elems_flat[1:]:
            n_static.assert_is_compatible_with(_leading_dim(e))
        for r in results:
            r.set_shape(TensorShape([n_static.value]).concatenate(r.shape[1:]))
        return output_pack(results)


def _output_dtypes(fn, elems):
    """The dtype structure of fn(one element of elems), traced in a scratch function
    graph (outer tensors fn uses are captured there, nothing is added here)."""
    from tfgraph import nest
    from tfgraph.data.function import FuncGraph

    scratch = FuncGraph(get_default_graph(), "vectorized_map_signature")
    with scratch.as_default():
        sample = nest.map_structure(
            lambda t: array_ops.placeholder(t.dtype._base, t.shape[1:]), elems
        )
        out = fn(sample)
        return nest.map_structure(lambda t: convert_to_tensor(t).dtype._base, out)


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """`fn` applied to each element of `elems` (unstacked on dimension 0), stacked.

    TF vectorizes `fn` with pfor where it can and otherwise falls back to a while
    loop; tfgraph always runs the while loop (`map_fn`), which gives the same values.
    """
    from tfgraph import nest

    elems = nest.map_structure(lambda t: convert_to_tensor(t, name="elem"), elems)
    return map_fn(fn, elems, dtype=_output_dtypes(fn, elems), name="loop_body")

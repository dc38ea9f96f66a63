"""What converted code calls at run time (the `ag__` module of generated source).

Each statement helper receives the statement's parts as functions and the values of the
variables the statement may modify (its "state"), and returns their new values:
Python-valued conditions and iterables run the Python statement; a tensor condition or
iterable builds TF1 graph control flow (`cond`'s Switch/Merge, `while_loop`'s frame), as
TensorFlow's autograph does in graph mode.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.api_utils import is_tensor
from tfgraph.framework.convert import convert_to_tensor, register_tensor_conversion_function
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops import control_flow_ops as cf
from tfgraph.ops.while_loop import while_loop

RETURN_VALUE = "retval_"
RETURN_FLAG = "do_return"
_LOOP_OPTIONS = ("parallel_iterations", "swap_memory", "maximum_iterations", "shape_invariants")


class Undefined:
    """The value of a variable the converted code has not assigned yet."""

    __slots__ = ("message", "symbol_name")

    def __init__(self, symbol_name: str, message: str | None = None) -> None:
        self.symbol_name = symbol_name
        self.message = message

    def __repr__(self) -> str:
        return self.symbol_name

    def _fail(self):
        raise ValueError(
            self.message
            or f"'{self.symbol_name}' is used before it is assigned in this converted code; "
            "assign it before the control flow statement that sets it."
        )

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        self._fail()

    def __bool__(self):
        self._fail()


def _convert_undefined(value, dtype=None, name=None, as_ref=False):
    value._fail()


register_tensor_conversion_function(Undefined, _convert_undefined)


def _binary_fail(self, *args):
    self._fail()


_OPERATORS = (
    "add radd sub rsub mul rmul truediv rtruediv floordiv rfloordiv mod rmod pow rpow "
    "lt le gt ge and rand or ror xor rxor neg pos abs invert getitem call iter len "
    "int float index matmul rmatmul"
)
for _name in _OPERATORS.split():
    setattr(Undefined, f"__{_name}__", _binary_fail)


def undefined_return_value() -> Undefined:
    return Undefined(RETURN_VALUE)


def retval(value):
    """A value the converted function returns (None where no `return` ran); raises for a
    variable a tensor conditional left unset in one branch."""
    if isinstance(value, Undefined):
        if value.symbol_name == RETURN_VALUE and value.message is None:
            return None
        value._fail()
    if isinstance(value, (tuple, list)):
        for item in value:
            if isinstance(item, Undefined):
                item._fail()
    return value


def _is_tf(value) -> bool:
    return is_tensor(value) and not isinstance(value, Undefined)


# ---------------------------------------------------------------- logical operators


def not_(value):
    if _is_tf(value):
        return math_ops.logical_not(value)
    return not value


def and_(first_fn, second_fn):
    """`a and b`: a lazy `cond` when `a` is a tensor (b is not evaluated when a is false)."""
    first = first_fn()
    if _is_tf(first):
        return cf.cond(first, lambda: _as_bool_tensor(second_fn()), lambda: first)
    return first and second_fn()


def or_(first_fn, second_fn):
    """`a or b`: a lazy `cond` when `a` is a tensor (b is not evaluated when a is true)."""
    first = first_fn()
    if _is_tf(first):
        return cf.cond(first, lambda: first, lambda: _as_bool_tensor(second_fn()))
    return first or second_fn()


def _as_bool_tensor(value):
    return convert_to_tensor(value, dtype=dtypes.bool)


# ---------------------------------------------------------------- if


def if_stmt(cond, body, orelse, init_state: tuple, names: tuple, composites: tuple = ()):
    """`if cond: body else: orelse`; returns the new values of `names`.

    `composites` are (name, getter, setter) of the attributes the branches assign
    (`self.x`): they join the state, so a tensor condition merges them too.
    """
    if composites:
        comp = _Composites(composites, len(names))
        body, orelse = comp.wrap(body), comp.wrap(orelse)
        init_state, names = comp.extend(init_state, names)
        return comp.finish(if_stmt(cond, body, orelse, init_state, names))
    if _is_tf(cond):
        return _tf_if_stmt(cond, body, orelse, init_state, names)
    return body(*init_state) if cond else orelse(*init_state)


class _Composites:
    """Attributes a statement assigns, carried as extra state: before a part of the
    statement runs they are set from the state, after it they are read back."""

    def __init__(self, composites: tuple, n_state: int) -> None:
        self.composites = composites
        self.n = n_state

    def read(self) -> tuple:
        out = []
        for name, getter, _ in self.composites:
            try:
                out.append(getter())
            except AttributeError:
                out.append(Undefined(name))
        return tuple(out)

    def write(self, values) -> None:
        for (_, _, setter), value in zip(self.composites, values):
            if not isinstance(value, Undefined):
                setter(value)

    def extend(self, init_state, names):
        return (*init_state, *self.read()), (*names, *(c[0] for c in self.composites))

    def wrap(self, fn, leading: int = 0):
        if fn is None:
            return None

        def run(*args):
            self.write(args[leading + self.n :])
            return (*fn(*args[: leading + self.n]), *self.read())

        return run

    def wrap_test(self, fn):
        if fn is None:
            return None

        def run(*args):
            self.write(args[self.n :])
            return fn(*args[: self.n])

        return run

    def finish(self, state):
        self.write(state[self.n :])
        return tuple(state[: self.n])


def _convertible(value) -> bool:
    """Whether `value` can be a cond output or loop variable: a tensor, a number, or a
    list/tuple/dict of them (kept as a structure, as TF's nest does)."""
    if isinstance(value, Undefined) or value is None:
        return False
    if is_tensor(value) or isinstance(value, (bool, int, float, complex, np.generic, np.ndarray)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_convertible(v) for v in value)
    if isinstance(value, dict):
        return all(_convertible(v) for v in value.values())
    try:
        convert_to_tensor(value)
    except (TypeError, ValueError):
        return False
    return True


def _map(fn, value):
    """`fn` applied to the leaves of a list/tuple/dict structure."""
    if isinstance(value, (list, tuple)):
        items = [_map(fn, v) for v in value]
        if hasattr(value, "_fields"):
            return type(value)(*items)
        return type(value)(items)
    if isinstance(value, dict):
        return {k: _map(fn, v) for k, v in value.items()}
    return fn(value)


def _leaves(value) -> list:
    return list(cf._flatten_composites(cf._flatten([value])))


def _branch_outputs(names, res_t, res_f):
    """Per variable: which branch values become cond outputs, and what the others become."""
    outs_t: list = []
    outs_f: list = []
    plan: list = []  # per name: ("out", k) | ("same", value) | ("undef", message)
    for name, t, f in zip(names, res_t, res_f):
        t_ok, f_ok = _convertible(t), _convertible(f)
        if t is f and not (t_ok and f_ok):
            plan.append(("same", t))
            continue
        if t_ok and f_ok:
            plan.append(("out", len(outs_t)))
            outs_t.append(t)
            outs_f.append(f)
        elif (t_ok or f_ok) and (isinstance(t, Undefined) or isinstance(f, Undefined)):
            where = "else" if t_ok else "main"
            if name == RETURN_VALUE:
                raise ValueError(f"the {where} branch must also have a return statement.")
            plan.append(("undef", f"'{name}' must also be initialized in the {where} branch"))
        elif isinstance(t, Undefined) and isinstance(f, Undefined):
            plan.append(("same", t))
        elif (t is None and f_ok) or (f is None and t_ok):
            branch = "main" if t is None else "else"
            raise ValueError(f"'{name}' is None at the end of the {branch} branch.")
        else:
            raise TypeError(
                f"'{name}' must be a tensor or a value convertible to one after a TensorFlow "
                f"conditional (tf.cond), got {type(t).__name__} in the if branch and "
                f"{type(f).__name__} in the else branch."
            )
    return outs_t, outs_f, plan


def _tf_if_stmt(cond, body, orelse, init_state, names):
    g = get_default_graph()
    with g.name_scope("cond"):
        pred = convert_to_tensor(cond)
        if pred.dtype.base_dtype is not dtypes.bool:
            raise TypeError(
                f"The condition of an if statement converted by autograph must be a bool "
                f"tensor, got {pred.dtype.name}: compare it with a value (e.g. `x > 0`)."
            )
        p_2, p_1 = cf.switch(pred, pred)
        pivot_1 = array_ops.identity(p_1, name="switch_t")
        pivot_2 = array_ops.identity(p_2, name="switch_f")
        pred = array_ops.identity(pred, name="pred_id")
        for t in (p_1, p_2, pivot_1, pivot_2, pred):
            g.prevent_fetching(t.op)
        ctx_t = cf.CondContext(pred, pivot_1, branch=1)
        ctx_f = cf.CondContext(pred, pivot_2, branch=0)
        res_t = _in_context(ctx_t, lambda: body(*init_state))
        res_f = _in_context(ctx_f, lambda: orelse(*init_state))
        outs_t, outs_f, plan = _branch_outputs(names, res_t, res_f)
        built_t, flat_t = _build_outputs(ctx_t, outs_t)
        built_f, flat_f = _build_outputs(ctx_f, outs_f)
        outs = [n for n, p in zip(names, plan) if p[0] == "out"]
        _check_branches(built_t, built_f, flat_t, flat_f, outs)
        merges = [cf.merge([f, t])[0] for f, t in zip(flat_f, flat_t)]
        merges = cf._pack_like(built_t, merges)
        if ctx_t.outer_context is None:
            g.add_to_collection(GraphKeys.COND_CONTEXT, ctx_t)
            g.add_to_collection(GraphKeys.COND_CONTEXT, ctx_f)
    out: list = []
    for name, (kind, value) in zip(names, plan):
        if kind == "out":
            out.append(merges[value])
        elif kind == "same":
            out.append(value)
        else:
            out.append(Undefined(name, value))
    return tuple(out)


def _build_outputs(ctx, outs):
    """A branch's outputs as tensors made inside its context: (the values, the flat
    tensors bound to the branch)."""
    flat = _in_context(ctx, lambda: ctx.build_branch(lambda: list(outs))[1])
    return list(outs), flat


def _check_branches(built_t, built_f, flat_t, flat_f, names) -> None:
    """Both branches give each variable the same structure and dtypes (TF's errors)."""
    start = 0
    for name, t, f in zip(names, built_t, built_f):
        n_t, n_f = len(_leaves(t)), len(_leaves(f))
        if n_t != n_f:
            raise ValueError(
                f"'{name}' must have the same nested structure in the main and else branches "
                f"of a converted if statement: {n_t} vs {n_f} values."
            )
        for x, y in zip(flat_t[start : start + n_t], flat_f[start : start + n_t]):
            if x.dtype.base_dtype is not y.dtype.base_dtype:
                raise TypeError(
                    f"'{name}' has dtype {x.dtype.name} in the main branch, but dtype "
                    f"{y.dtype.name} in the else branch of a converted if statement: give "
                    "both branches the same dtype (tf.cast)."
                )
        start += n_t


def _in_context(ctx, fn):
    ctx.enter()
    try:
        return fn()
    finally:
        ctx.exit()


# ---------------------------------------------------------------- loops


def _loop_options(opts: dict | None, init_state, names) -> dict:
    """The keyword arguments of `while_loop` from `set_loop_options` in the loop body."""
    kwargs: dict[str, Any] = {}
    for key, value in (opts or {}).items():
        if key not in _LOOP_OPTIONS or value is _UNSPECIFIED:
            continue
        kwargs[key] = value
    return kwargs


def _check_no_return(names):
    if RETURN_VALUE in names or RETURN_FLAG in names:
        raise NotImplementedError(
            "a return statement cannot be placed inside this TensorFlow loop; this may happen "
            "if a return statement depends on a static Python condition such as a "
            "hyperparameter"
        )


def _split_state(init_state):
    """Indices of the variables that are loop variables (defined and tensor-convertible)."""
    return [i for i, v in enumerate(init_state) if _convertible(v)]


def _merge_state(init_state, loop_idx, loop_values):
    state = list(init_state)
    for i, v in zip(loop_idx, loop_values):
        state[i] = v
    return state


def _shape_invariants(kwargs, init_state, loop_idx, extra_first: bool, flag: bool = False):
    pairs = kwargs.pop("shape_invariants", None)
    if not pairs:
        return
    by_id = {id(v): shape for v, shape in pairs}
    from tfgraph.framework.tensor_shape import TensorShape

    invariants = [by_id.get(id(init_state[i])) for i in loop_idx]
    invariants = [
        s if s is not None else convert_to_tensor(init_state[i]).shape
        for s, i in zip(invariants, loop_idx)
    ]
    if extra_first:
        invariants.insert(0, TensorShape([]))
    if flag:
        invariants.insert(0, TensorShape([]))
    kwargs["shape_invariants"] = invariants


def while_stmt(
    test,
    body,
    init_state: tuple,
    names: tuple,
    opts: dict | None = None,
    composites: tuple = (),
    live_out: tuple | None = None,
):
    """`while test: body`; returns the new values of `names`."""
    if composites:
        comp = _Composites(composites, len(names))
        test, body = comp.wrap_test(test), comp.wrap(body)
        init_state, names = comp.extend(init_state, names)
        return comp.finish(while_stmt(test, body, init_state, names, opts, live_out=live_out))
    if _is_tf(_in_scratch_graph(lambda: test(*init_state))):
        return _tf_while_stmt(test, body, init_state, names, opts, live_out)
    state = tuple(init_state)
    first = test(*state)
    while first:
        state = tuple(body(*state))
        first = test(*state)
        if _is_tf(first):
            raise NotImplementedError(
                "break and return statements which depend on a TF condition are not "
                "supported in Python while loops. Did you intend to make it a TF loop? (Make "
                "the loop's condition a tensor before the loop so that it becomes a "
                "tf.while_loop.)"
            )
    return state


def _in_scratch_graph(fn):
    """`fn()` built in a throwaway graph (outer tensors captured), as TF evaluates a while
    loop's first test: to learn whether it is a tensor without adding ops."""
    from tfgraph.data.function import FuncGraph

    with FuncGraph(get_default_graph(), "autograph_test").as_default():
        return fn()


def _tf_while_stmt(test, body, init_state, names, opts, live_out=None):
    _check_no_return(names)
    init_state, gated = _initialize_undefineds(body, init_state, names, live_out, tuple)
    loop_idx = _split_state(init_state)
    kwargs = _loop_options(opts, init_state, names)
    _shape_invariants(kwargs, init_state, loop_idx, extra_first=False, flag=bool(gated))

    skip = 1 if gated else 0  # (TF's "iterated once" flag comes first)

    def cond_fn(*loop_values):
        return test(*_merge_state(init_state, loop_idx, loop_values[skip:]))

    def body_fn(*loop_values):
        new = body(*_merge_state(init_state, loop_idx, loop_values[skip:]))
        out = [_loop_value(new[i], names[i]) for i in loop_idx]
        return [True, *out] if gated else out

    init = [init_state[i] for i in loop_idx]
    if not init:
        raise NotImplementedError(
            "a while loop on a tensor condition must change at least one tensor defined "
            "before the loop (tf.while_loop needs a loop variable)."
        )
    init = [False, *init] if gated else init
    result = while_loop(cond_fn, body_fn, init, return_same_structure=True, **kwargs)
    return _after_loop(init_state, loop_idx, result, names, gated, leading=0)


def _initialize_undefineds(body, init_state, names, live_out, leading):
    """Gives the variables the loop defines and later code reads (`live_out`) a zero
    initial value of the dtype and shape one traced iteration gives them, as TF does;
    returns the new initial state and those variables' indices."""
    todo = [
        i
        for i, v in enumerate(init_state)
        if isinstance(v, Undefined) and live_out is not None and names[i] in live_out
    ]
    if not todo:
        return init_state, []
    traced = _trace_iteration(body, init_state, leading)
    state = list(init_state)
    gated = []
    for i in todo:
        value = traced[i]
        if value is None or not value.shape.is_fully_defined():
            continue
        state[i] = array_ops.zeros(value.shape.as_list(), dtype=value.dtype.base_dtype)
        gated.append(i)
    return tuple(state), gated


def _placeholder_like(value):
    def one(leaf):
        t = leaf if isinstance(leaf, Tensor) else convert_to_tensor(leaf)
        return array_ops.placeholder(t.dtype.base_dtype, t.shape)

    return _map(one, value)


def _trace_iteration(body, init_state, leading):
    """(dtype, shape) stand-ins of the body's new state: the body traced once in a scratch
    graph whose inputs are placeholders."""
    from tfgraph.data.function import FuncGraph

    loop_idx = _split_state(init_state)
    scratch = FuncGraph(get_default_graph(), "autograph_iteration")
    with scratch.as_default():
        args = [_placeholder_like(x) for x in leading()]
        state = list(init_state)
        for i in loop_idx:
            state[i] = _placeholder_like(init_state[i])
        new = body(*args, *state)
        out = []
        for v in new:
            leaf = _convertible(v) and not isinstance(v, (list, tuple, dict))
            out.append(convert_to_tensor(v) if leaf else None)
    return out


def _loop_value(value, name):
    if isinstance(value, Undefined):
        raise ValueError(f"'{name}' must be defined before the loop.")
    return value


def _after_loop(init_state, loop_idx, result, names, gated=(), leading: int = 0):
    """The state after a loop; with `gated` variables, every result waits for the check
    that the loop ran at least once (as TF)."""
    result = list(result)
    if gated:
        from tfgraph.ops.check_ops import Assert

        message = "loop must iterate at least once to initialize " + ", ".join(
            names[i] for i in gated
        )
        check = Assert(result[0], [message])
        with get_default_graph().control_dependencies([check]):
            result = [_map(array_ops.identity, v) for v in result[1:]]
    state = _merge_state(init_state, loop_idx, result[leading:])
    return tuple(state)


def for_stmt(
    iter_,
    extra_test,
    body,
    init_state: tuple,
    names: tuple,
    opts: dict | None = None,
    composites: tuple = (),
    live_out: tuple | None = None,
):
    """`for target in iter_: body` (`extra_test` stops the loop early: break, return)."""
    if composites:
        comp = _Composites(composites, len(names))
        extra_test, body = comp.wrap_test(extra_test), comp.wrap(body, leading=1)
        init_state, names = comp.extend(init_state, names)
        loop = for_stmt(iter_, extra_test, body, init_state, names, opts, live_out=live_out)
        return comp.finish(loop)
    if _is_tf(iter_):
        return _tf_for_stmt(iter_, extra_test, body, init_state, names, opts, live_out)
    if hasattr(iter_, "_variant_tensor") or type(iter_).__name__.endswith("Dataset"):
        raise NotImplementedError(
            "autograph in tfgraph does not convert a for loop over a tf.data dataset; "
            "iterate with an iterator (make_one_shot_iterator) and tf.while_loop instead."
        )
    state = tuple(init_state)
    for item in iter_:
        if extra_test is not None:
            go = extra_test(*state)
            if _is_tf(go):
                raise NotImplementedError(
                    "break and return statements which depend on a TF condition are not "
                    "supported in Python for loops. Did you intend to make it a TF loop? "
                    "(Iterate over a tensor, e.g. tf.range, so that it becomes a "
                    "tf.while_loop.)"
                )
            if not go:
                break
        state = tuple(body(item, *state))
    return state


def _tf_for_stmt(iter_, extra_test, body, init_state, names, opts, live_out=None):
    _check_no_return(names)
    iter_ = convert_to_tensor(iter_)
    if iter_.op.type == "Range":
        start, limit, delta = iter_.op.inputs
        element = None
    else:
        if iter_.shape.ndims == 0:
            raise ValueError(
                f"len requires a non-scalar tensor, got one of shape {iter_.shape}: a for "
                "loop over a tensor iterates over its first dimension."
            )
        # (as TF: the rows go through a TensorArray; the index counts from a Python 0)
        from tfgraph.ops.tensor_array_ops import TensorArray

        limit = _len(iter_)
        element = TensorArray(iter_.dtype.base_dtype, size=limit).unstack(iter_)
        start, delta = 0, 1
        row_shape = iter_.shape[1:]

    def first():
        if element is None:
            return (start,)
        return (array_ops.placeholder(iter_.dtype.base_dtype, row_shape),)

    init_state, gated = _initialize_undefineds(body, init_state, names, live_out, first)
    loop_idx = _split_state(init_state)
    kwargs = _loop_options(opts, init_state, names)
    _shape_invariants(kwargs, init_state, loop_idx, extra_first=True, flag=bool(gated))

    if element is None:
        _range_len(start, limit, delta)  # (TF computes it: a loop bound hint under XLA)
    in_range = _range_test(limit, delta) if element is None else (lambda i: i < limit)
    skip = 1 if gated else 0  # (TF's "iterated once" flag comes first)

    def cond_fn(*loop_values):
        iterate, values = loop_values[skip], loop_values[skip + 1 :]
        main = in_range(iterate)
        if extra_test is None:
            return main
        state = _merge_state(init_state, loop_idx, values)
        return cf.cond(main, lambda: _as_bool_tensor(extra_test(*state)), lambda: False)

    def body_fn(*loop_values):
        iterate, values = loop_values[skip], loop_values[skip + 1 :]
        item = iterate if element is None else element.read(iterate)
        new = body(item, *_merge_state(init_state, loop_idx, values))
        out = [iterate + delta] + [_loop_value(new[i], names[i]) for i in loop_idx]
        return [True, *out] if gated else out

    init = [start] + [init_state[i] for i in loop_idx]
    init = [False, *init] if gated else init
    result = while_loop(cond_fn, body_fn, init, return_same_structure=True, **kwargs)
    return _after_loop(init_state, loop_idx, result, names, gated, leading=1)


def _range_len(start, limit, delta):
    """How many iterations `range(start, limit, delta)` makes (the loop's bound, as TF)."""
    dist = limit - start
    unadjusted = dist // delta
    remainder = dist % delta
    adjustment = array_ops.cast(
        math_ops.not_equal(remainder, array_ops.zeros_like(unadjusted)), dist.dtype
    )
    final = unadjusted + adjustment
    length = math_ops.maximum(final, array_ops.zeros_like(final))
    if length.dtype.base_dtype is not dtypes.int32:
        length = array_ops.cast(length, dtypes.int32)
    return length


def _range_test(limit, delta):
    """`iterate < limit` (or `>` for a negative step), as TF tests a range loop."""
    from tfgraph.ops.common_shapes import constant_value

    step = constant_value(delta)
    if step is not None:
        return (lambda i: i < limit) if step >= 0 else (lambda i: i > limit)
    return lambda i: math_ops.logical_or(
        math_ops.logical_and(delta >= 0, i < limit), math_ops.logical_and(delta < 0, i > limit)
    )


# ---------------------------------------------------------------- set_loop_options


class _Unspecified:
    def __repr__(self) -> str:
        return "UNSPECIFIED"


_UNSPECIFIED = _Unspecified()


def set_loop_options(
    parallel_iterations=_UNSPECIFIED,
    swap_memory=_UNSPECIFIED,
    maximum_iterations=_UNSPECIFIED,
    shape_invariants=_UNSPECIFIED,
) -> None:
    """Specifies options for the `tf.while_loop` the enclosing loop becomes.

    A statement at the top level of a loop body in code converted by `tf.autograph.to_graph`;
    the converter reads its arguments (they are evaluated before the loop). Elsewhere it does
    nothing, as in TensorFlow.

    Args:
        parallel_iterations: as `tf.while_loop`'s.
        swap_memory: as `tf.while_loop`'s.
        maximum_iterations: as `tf.while_loop`'s.
        shape_invariants: a list of (variable, tf.TensorShape) pairs.
    """
    del parallel_iterations, swap_memory, maximum_iterations, shape_invariants


def loop_options(**kwargs) -> dict:
    return kwargs


def set_attr(target, name: str, value) -> None:
    setattr(target, name, value)


# ---------------------------------------------------------------- builtins


def _len(value):
    if _is_tf(value):
        t = convert_to_tensor(value)
        if t.shape.ndims == 0:
            raise ValueError(f"len requires a non-scalar tensor, got one of shape {t.shape}")
        if t.shape.ndims is not None and t.shape.dims[0].value is not None:
            return t.shape.dims[0].value
        array_ops.shape(t)  # (TF makes the shape twice: later op names match TF's)
        return array_ops.shape(t)[0]
    return builtins.len(value)


def _range(*args):
    if any(_is_tf(a) for a in args):
        return math_ops.range(*args)
    return builtins.range(*args)


def _abs(value):
    return math_ops.abs(value) if _is_tf(value) else builtins.abs(value)


def _cast_builtin(python_type, dtype):
    def convert(value=0, *args):
        if _is_tf(value) and not args:
            t = convert_to_tensor(value)
            if t.dtype.base_dtype is dtype:
                return t
            return array_ops.cast(t, dtype)
        return python_type(value, *args)

    return convert


BUILTINS = {
    builtins.len: _len,
    builtins.range: _range,
    builtins.abs: _abs,
    builtins.int: _cast_builtin(builtins.int, dtypes.int32),
    builtins.float: _cast_builtin(builtins.float, dtypes.float32),
}

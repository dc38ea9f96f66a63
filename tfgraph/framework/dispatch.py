"""Type-based dispatch: `tf.experimental.dispatch_for_api` and the elementwise forms.

TF decorates each dispatchable API; tfgraph wraps the public namespace entries of the
APIs TF lists (framework/dispatch_apis.py) once, at import (`install`, called by
tfgraph/__init__.py after the ragged wrappers, before `tf.compat.v1` copies the names).
A wrapper holds its list of registered targets; while the list is empty a call costs
one extra Python call and an empty-list test. With targets, the call's arguments are
bound to the API's signature and checked against each target's signature (a dict of
parameter name -> type annotation: a class, `typing.Union`/`Optional`, or
`typing.List`/`Sequence`/`Iterable` of them); the one matching target handles the
call, else the API runs as usual.
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import types
import typing

__all__ = [
    "dispatch_for_api",
    "dispatch_for_binary_elementwise_apis",
    "dispatch_for_binary_elementwise_assert_apis",
    "dispatch_for_unary_elementwise_apis",
    "install",
    "is_dispatchable",
    "unregister_dispatch_for",
]

_NOT_DISPATCHED = object()
_TARGETS = "_tfgraph_dispatch_targets"
# target function -> [(api wrapper, entry)] registered for it (what unregister removes)
_REGISTERED: dict[object, list] = {}
_SIGNATURES: dict[object, inspect.Signature] = {}


def _signature(api) -> inspect.Signature:
    sig = _SIGNATURES.get(api)
    if sig is None:
        sig = _SIGNATURES[api] = inspect.signature(api)
    return sig


def _dispatch(api, targets: list, args, kwargs):
    try:
        bound = _signature(api).bind(*args, **kwargs)
    except TypeError:
        return _NOT_DISPATCHED
    bound.apply_defaults()
    values = bound.arguments
    matches = [target for checkers, target in targets if _matches(checkers, values)]
    if not matches:
        return _NOT_DISPATCHED
    if len(matches) > 1:
        raise ValueError(
            "Multiple dispatch targets that were registered with tf.dispatch_for "
            f"({matches[0]} and {matches[1]}) match the arguments to {api.__name__}"
        )
    return matches[0](*args, **kwargs)


def _matches(checkers: dict, values: dict) -> bool:
    results = [check(values.get(name)) for name, check in checkers.items()]
    return _NO not in results and _DISPATCHABLE in results


def make_dispatchable(fn):
    """`fn` behind a wrapper that first offers the call to its registered targets."""
    if hasattr(fn, _TARGETS):
        return fn
    targets: list = []

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if targets:
            result = _dispatch(wrapper, targets, args, kwargs)
            if result is not _NOT_DISPATCHED:
                return result
        return fn(*args, **kwargs)

    setattr(wrapper, _TARGETS, targets)
    return wrapper


def is_dispatchable(api) -> bool:
    return isinstance(getattr(api, _TARGETS, None), list)


# -- installing the wrappers ---------------------------------------------------------------


def _public_modules(top) -> list:
    """`top` and the namespace modules reachable from it by public names (two levels)."""
    seen = {id(top): top}
    frontier = [top]
    for _ in range(2):
        nxt = []
        for module in frontier:
            for key, value in list(vars(module).items()):
                if (
                    isinstance(value, types.ModuleType)
                    and not key.startswith("_")
                    and value.__name__.startswith("tfgraph")
                    and id(value) not in seen
                ):
                    seen[id(value)] = value
                    nxt.append(value)
        frontier = nxt
    return list(seen.values())


def _resolve(top, dotted: str):
    owner = top
    *path, name = dotted.split(".")
    for part in path:
        owner = getattr(owner, part, None)
        if not isinstance(owner, types.ModuleType):
            return None, None
    return owner, getattr(owner, name, None)


def install(top) -> None:
    """Makes TF's dispatchable APIs dispatchable in `top` (the tfgraph module) and in every
    public namespace that holds the same function (one wrapper per function)."""
    from tfgraph.framework import dispatch_apis

    wrappers: dict[int, object] = {}
    names = set(dispatch_apis.DISPATCHABLE) | set(dispatch_apis.UNARY_ELEMENTWISE)
    names |= set(dispatch_apis.BINARY_ELEMENTWISE) | set(dispatch_apis.BINARY_ELEMENTWISE_ASSERT)
    for dotted in sorted(names):
        owner, fn = _resolve(top, dotted)
        if fn is None or not callable(fn) or isinstance(fn, type) or is_dispatchable(fn):
            continue
        wrapper = wrappers.setdefault(id(fn), make_dispatchable(fn))
        if owner.__dict__.get(dotted.rsplit(".", 1)[-1]) is not fn:  # (a lazy module attribute)
            setattr(owner, dotted.rsplit(".", 1)[-1], wrapper)
    for module in _public_modules(top):
        for key, value in list(vars(module).items()):
            wrapper = wrappers.get(id(value))
            if wrapper is not None:
                setattr(module, key, wrapper)


def _apis(top, names) -> list:
    out: dict[int, object] = {}
    for dotted in names:
        _, fn = _resolve(top, dotted)
        if fn is not None and is_dispatchable(fn):
            out.setdefault(id(fn), fn)
    return list(out.values())


def _top():
    import sys

    return sys.modules["tfgraph"]


# -- signatures -----------------------------------------------------------------------------

_LIST_ORIGINS = (list, collections.abc.Sequence, collections.abc.Iterable, tuple)


def _is_dispatchable_class(cls) -> bool:
    """Whether values of `cls` trigger dispatch: ExtensionTypes and composite tensors
    (RaggedTensor, SparseTensor), not tensors, variables or Python/numpy types (as TF)."""
    from tfgraph.framework.extension_type import ExtensionType
    from tfgraph.framework.sparse_tensor import SparseTensor

    return issubclass(cls, (ExtensionType, SparseTensor)) or hasattr(cls, "_tfgraph_components")


_NO, _MATCH, _DISPATCHABLE = 0, 1, 2


def _type_checker(annotation):
    """A function of a value: _NO, _MATCH, or _DISPATCHABLE (a match on a value of a
    dispatchable type, which a call needs at least one of to be dispatched)."""
    if annotation is typing.Any:
        return lambda value: _MATCH
    if annotation is None or annotation is type(None):
        return lambda value: _MATCH if value is None else _NO
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union or (hasattr(types, "UnionType") and origin is types.UnionType):
        options = [_type_checker(a) for a in args]
        return lambda value: max(check(value) for check in options)
    if origin in _LIST_ORIGINS:
        element = _type_checker(args[0]) if args else (lambda value: _MATCH)

        def check_list(value):
            if not isinstance(value, (list, tuple)):
                return _NO
            results = [element(v) for v in value]
            return _NO if _NO in results else max(results, default=_MATCH)

        return check_list
    if isinstance(annotation, type):
        found = _DISPATCHABLE if _is_dispatchable_class(annotation) else _MATCH
        return lambda value: found if isinstance(value, annotation) else _NO
    raise ValueError(
        f"Type annotation {annotation} is not currently supported by dispatch.  Supported "
        "annotations: type objects,  List[...], and Union[...]"
    )


def _check_signature(api_signature: inspect.Signature, func) -> None:
    """As TF: same number of parameters, each with the same name and kind (a
    `(*args, **kwargs)` target fits any API)."""
    sig = inspect.signature(func)
    kinds = [p.kind for p in sig.parameters.values()]
    if kinds == [inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD]:
        return
    ok = len(api_signature.parameters) == len(sig.parameters) and all(
        a.name == b.name and a.kind == b.kind
        for a, b in zip(api_signature.parameters.values(), sig.parameters.values())
    )
    if not ok:
        plain = api_signature.replace(
            parameters=[
                p.replace(annotation=inspect.Parameter.empty)
                for p in api_signature.parameters.values()
            ],
            return_annotation=inspect.Signature.empty,
        )
        raise ValueError(
            f"Dispatch function's signature {sig} does not match API's signature {plain}."
        )


def _checkers(api_signature: inspect.Signature, signature: dict) -> dict:
    out = {}
    for name, annotation in signature.items():
        if name not in api_signature.parameters:
            raise ValueError(f"signature includes annotation for unknown parameter {name!r}.")
        out[name] = _type_checker(annotation)
    return out


def _register(api, signature: dict, target, owner) -> None:
    entry = (_checkers(_signature(api), signature), target)
    getattr(api, _TARGETS).append(entry)
    _REGISTERED.setdefault(owner, []).append((api, entry))


def dispatch_for_api(api, *signatures):
    """Decorator: calls of `api` whose arguments match one of `signatures` (dicts of
    parameter name -> type annotation; by default the decorated function's own
    parameter annotations) run the decorated function instead."""
    if not is_dispatchable(api):
        raise ValueError(f"{api} does not support dispatch.")
    api_signature = _signature(api)

    def decorator(target):
        _check_signature(api_signature, target)
        sigs = list(signatures)
        if not sigs:
            annotations = {
                name: p.annotation
                for name, p in inspect.signature(target).parameters.items()
                if p.annotation is not inspect.Parameter.empty
            }
            if not annotations:
                raise ValueError(
                    "The dispatch_for_api decorator must be called with at least one "
                    "signature, or applied to a function that has type annotations on its "
                    "parameters."
                )
            sigs = [annotations]
        for sig in sigs:
            _register(api, sig, target, target)
        return target

    return decorator


def unregister_dispatch_for(dispatch_target) -> None:
    """Removes every registration of `dispatch_target` (by any `dispatch_for_*`)."""
    entries = _REGISTERED.pop(dispatch_target, None)
    if entries is None:
        raise ValueError(
            f"Function {dispatch_target} was not registered using a `@dispatch_for_*` decorator."
        )
    for api, entry in entries:
        targets = getattr(api, _TARGETS)
        if entry in targets:
            targets.remove(entry)


# -- elementwise APIs ------------------------------------------------------------------


def _split_name(api_signature, args, kwargs):
    """(args, kwargs, name) with the API's `name` argument taken out."""
    params = list(api_signature.parameters)
    if "name" not in params:
        return args, kwargs, None
    if "name" in kwargs:
        kwargs = dict(kwargs)
        return args, kwargs, kwargs.pop("name")
    index = params.index("name")
    if len(args) > index:
        return args[:index] + args[index + 1 :], kwargs, args[index]
    return args, kwargs, None


def _take(args, kwargs, names):
    args, kwargs = list(args), dict(kwargs)
    taken = [args.pop(0) if args else kwargs.pop(name) for name in names]
    return taken, args, kwargs


def _elementwise_target(api, handler, arity: int):
    """The dispatch target for one API: calls `handler(api_func, *operands)` with the
    API's other arguments bound in `api_func`, inside the call's name scope."""
    from tfgraph.framework.graph import name_scope

    api_signature = _signature(api)
    params = list(api_signature.parameters)
    operand_names = params[:arity]
    bind_rest = len(params) > arity + 1 or "name" not in params

    def target(*args, **kwargs):
        args, kwargs, name = _split_name(api_signature, args, kwargs)
        operands, rest, rest_kw = _take(args, kwargs, operand_names)
        api_func = (lambda *xs: api(*xs, *rest, **rest_kw)) if bind_rest else api
        if name is None:
            return handler(api_func, *operands)
        with name_scope(name, None, operands):
            return handler(api_func, *operands)

    target.__name__ = target.__qualname__ = f"elementwise_dispatch_target_for_{api.__name__}"
    return target


def _elementwise_decorator(names, types_: tuple):
    def decorator(handler):
        for api in _apis(_top(), names):
            operand_names = list(_signature(api).parameters)[: len(types_)]
            target = _elementwise_target(api, handler, len(types_))
            _register(api, dict(zip(operand_names, types_)), target, handler)
        return handler

    return decorator


def dispatch_for_unary_elementwise_apis(x_type):
    """Decorator: `handler(api_func, x)` handles every unary elementwise API (tf.math.abs,
    tf.cast, tf.nn.relu, ...) called with an `x` of type `x_type`."""
    from tfgraph.framework import dispatch_apis

    return _elementwise_decorator(dispatch_apis.UNARY_ELEMENTWISE, (x_type,))


def dispatch_for_binary_elementwise_apis(x_type, y_type):
    """Decorator: `handler(api_func, x, y)` handles every binary elementwise API
    (tf.math.add, tf.math.equal, ...) called with `x` of `x_type` and `y` of `y_type`."""
    from tfgraph.framework import dispatch_apis

    return _elementwise_decorator(dispatch_apis.BINARY_ELEMENTWISE, (x_type, y_type))


def dispatch_for_binary_elementwise_assert_apis(x_type, y_type):
    """Decorator: `handler(assert_func, x, y)` handles the binary assertions
    (tf.debugging.assert_equal, assert_less, ...) for `x_type` and `y_type` operands."""
    from tfgraph.framework import dispatch_apis

    return _elementwise_decorator(dispatch_apis.BINARY_ELEMENTWISE_ASSERT, (x_type, y_type))


# -- Tensor operators ------------------------------------------------------------------

NOT_DISPATCHED = _NOT_DISPATCHED
# The Tensor operators whose TF implementation calls a dispatchable API (`tensor * value`
# goes to tf.math.multiply's targets when `value` is no tensor); TF's `+`, `&`, `|`, `^`
# and the unary operators do not dispatch.
_OPERATOR_APIS = {
    "sub": "math.subtract",
    "mul": "math.multiply",
    "truediv": "math.truediv",
    "floordiv": "math.floordiv",
    "mod": "math.floormod",
    "pow": "math.pow",
    "Less": "math.less",
    "LessEqual": "math.less_equal",
    "Greater": "math.greater",
    "GreaterEqual": "math.greater_equal",
}


def dispatch_operator(key: str, *args, **kwargs):
    """The dispatch target's result for the operator `key` (a scope name or comparison op
    type) applied to `args`, or NOT_DISPATCHED."""
    path = _OPERATOR_APIS.get(key)
    if path is None:
        return _NOT_DISPATCHED
    _, api = _resolve(_top(), path)
    targets = getattr(api, _TARGETS, None)
    if not targets:
        return _NOT_DISPATCHED
    return _dispatch(api, targets, args, kwargs)

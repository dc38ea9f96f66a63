"""`tf.autograph`: converting Python functions whose control flow depends on tensors into
functions that build TF1 graph control flow.

`to_graph(f)` parses `f`'s source (`inspect.getsource`), rewrites it (`transformer`) and
compiles the result with `f`'s globals, closure and defaults. Functions the converted code
calls are converted the same way on first call (`recursive=True`), except library code
(tfgraph, numpy, the standard library) and functions marked `do_not_convert`; a function
that cannot be converted (no source, a generator, ...) runs unconverted with a warning,
as TensorFlow's autograph does.
"""

from __future__ import annotations

import ast
import builtins
import enum
import functools
import inspect
import linecache
import os
import sysconfig
import textwrap
import types
import warnings
from typing import Any

from tfgraph.autograph import operators, transformer
from tfgraph.platform import tf_logging

_LIBRARY_PACKAGES = frozenset(
    {"tfgraph", "numpy", "scipy", "absl", "google", "six", "ml_dtypes", "networkx", "pytest"}
)
_verbosity = {"level": 0, "alsologtostdout": False}
_cache: dict[Any, types.CodeType] = {}
_warned: set[Any] = set()


class Feature(enum.Enum):
    """Optional conversions (`to_graph(..., experimental_optional_features=...)`).

    tfgraph's converter has no optional conversions: every member is accepted and has no
    effect (TensorFlow turns none of them on by default either).
    """

    ALL = "ALL"
    AUTO_CONTROL_DEPS = "AUTO_CONTROL_DEPS"
    ASSERT_STATEMENTS = "ASSERT_STATEMENTS"
    BUILTIN_FUNCTIONS = "BUILTIN_FUNCTIONS"
    EQUALITY_OPERATORS = "EQUALITY_OPERATORS"
    LISTS = "LISTS"
    NAME_SCOPES = "NAME_SCOPES"


def do_not_convert(func=None):
    """Marks `func` so that converted code calls it as written (no conversion).

    Args:
        func: the function; when None, returns a decorator.

    Returns:
        A function that calls `func` unconverted.
    """
    if func is None:
        return do_not_convert

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    wrapper.__ag_do_not_convert__ = True
    return wrapper


def set_verbosity(level: int, alsologtostdout: bool = False) -> None:
    """Sets how much autograph logs about the functions it converts (0: nothing)."""
    _verbosity["level"] = int(level)
    _verbosity["alsologtostdout"] = bool(alsologtostdout)


def trace(*args) -> None:
    """Prints `args` when the converted code runs (while the graph is built)."""
    print(*args)


def _log(level: int, message: str) -> None:
    if _verbosity["level"] >= level:
        tf_logging.info(message)
        if _verbosity["alsologtostdout"]:
            print(message)


# ---------------------------------------------------------------- conversion


def _source_function(entity) -> ast.FunctionDef:
    """The definition of `entity` parsed from its source."""
    try:
        source = textwrap.dedent(inspect.getsource(entity))
    except (OSError, TypeError) as e:
        raise NotImplementedError(
            f"autograph could not read the source of {entity!r}: {e}"
        ) from None
    try:
        tree = ast.parse(source)
    except SyntaxError:
        if entity.__name__ != "<lambda>":
            raise NotImplementedError(
                f"autograph could not parse the source of {entity!r}"
            ) from None
        tree = ast.parse(f"(\n{source}\n)")
    if entity.__name__ == "<lambda>":
        lambdas = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)]
        if len(lambdas) != 1:
            raise NotImplementedError(
                f"autograph could not tell {entity!r} apart from the other lambdas on its "
                "source line; define it with def."
            )
        return transformer.lambda_as_function(lambdas[0], "lambda__")
    for node in ast.walk(tree):
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name == entity.__name__
        ):
            if isinstance(node, ast.AsyncFunctionDef):
                raise NotImplementedError("autograph does not convert async functions")
            return node
    raise NotImplementedError(f"autograph could not find the definition of {entity!r}")


def _converted_ast(entity) -> ast.FunctionDef:
    node = _source_function(entity)
    namer = transformer.namer_for(node)
    converted = transformer.convert_function(node, namer)
    args = converted.args
    args.defaults = []  # (the compiled function takes the original's defaults)
    args.kw_defaults = [None] * len(args.kwonlyargs)
    for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
        if a is not None:
            a.annotation = None
    return converted


def _compile(entity) -> types.CodeType:
    """The code object of `entity`'s converted version, closing over ag__ and its free
    variables."""
    converted = _converted_ast(entity)
    free = [transformer.AG, *entity.__code__.co_freevars]
    factory = ast.FunctionDef(
        name="autograph_factory",
        args=ast.arguments(
            posonlyargs=[],
            args=[ast.arg(arg=n) for n in free],
            vararg=None,
            kwonlyargs=[],
            kw_defaults=[],
            kwarg=None,
            defaults=[],
        ),
        body=[converted, ast.Return(value=ast.Name(id=converted.name, ctx=ast.Load()))],
        decorator_list=[],
        returns=None,
        lineno=1,
    )
    module = ast.fix_missing_locations(ast.Module(body=[factory], type_ignores=[]))
    source = ast.unparse(module)
    filename = f"<autograph {entity.__module__}.{entity.__qualname__} {len(_cache)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = {}
    # (runs the converted form of the caller's own function, built above from its AST:
    # nothing read from a file or from data; TF's autograph does the same)
    exec(compile(source, filename, "exec"), namespace)
    inner = namespace["autograph_factory"](*[None] * len(free))
    _log(1, f"autograph converted {entity.__qualname__}:\n{ast.unparse(converted)}")
    return inner.__code__


def _cell(value) -> types.CellType:
    return types.CellType(value)


def convert(entity):
    """`entity` (a function or bound method) converted; raises NotImplementedError when
    its source cannot be converted."""
    if inspect.ismethod(entity):
        return types.MethodType(convert(entity.__func__), entity.__self__)
    if not isinstance(entity, types.FunctionType):
        raise NotImplementedError(
            f"autograph converts Python functions and methods, got {type(entity).__name__}"
        )
    code = _cache.get(entity.__code__)
    if code is None:
        code = _compile(entity)
        _cache[entity.__code__] = code
    own = dict(zip(entity.__code__.co_freevars, entity.__closure__ or ()))
    missing = [n for n in code.co_freevars if n != transformer.AG and n not in own]
    if missing:  # (a decorator's wrapper, whose source is the function it wraps)
        raise NotImplementedError(
            f"autograph cannot convert {entity!r}: it is a wrapper around another function "
            "(convert the function it wraps instead)"
        )
    closure = tuple(
        _cell(_AG) if name == transformer.AG else own[name] for name in code.co_freevars
    )
    fn = types.FunctionType(code, entity.__globals__, entity.__name__, entity.__defaults__, closure)
    fn.__kwdefaults__ = entity.__kwdefaults__
    fn.__qualname__ = entity.__qualname__
    fn.__doc__ = entity.__doc__
    fn.__wrapped_autograph__ = entity
    return fn


_STDLIB = os.path.realpath(sysconfig.get_paths()["stdlib"]) + os.sep


def _is_library(fn) -> bool:
    """Whether converted code calls `fn` as it is: tfgraph, numpy and friends, the
    standard library, installed packages (site-packages), and code autograph generated."""
    module = getattr(fn, "__module__", None) or ""
    if module.split(".")[0] in _LIBRARY_PACKAGES:
        return True
    code = getattr(fn, "__code__", None)
    if code is None:
        return True
    filename = code.co_filename
    if filename.startswith("<autograph") or os.path.realpath(filename).startswith(_STDLIB):
        return True
    parts = filename.replace("\\", "/").split("/")
    return "site-packages" in parts or "dist-packages" in parts


def converted_call(f, args: tuple, kwargs: dict | None):
    """Calls `f(*args, **kwargs)` from converted code: builtins with tensor arguments
    become ops, user functions are converted first."""
    kwargs = kwargs or {}
    try:
        builtin = operators.BUILTINS.get(f)
    except TypeError:  # (unhashable callables)
        builtin = None
    if builtin is not None:
        return builtin(*args, **kwargs)
    target = f.__func__ if inspect.ismethod(f) else f
    if (
        not isinstance(target, types.FunctionType)
        or getattr(target, "__ag_do_not_convert__", False)
        or _is_library(target)
        or not _recursive[-1]
    ):
        return f(*args, **kwargs)
    try:
        converted = convert(f)
    except (NotImplementedError, SyntaxError) as e:
        key = getattr(target, "__code__", target)
        if key not in _warned:
            _warned.add(key)
            warnings.warn(
                f"AutoGraph could not transform {f!r} and will run it as-is. Cause: {e}",
                stacklevel=2,
            )
        return f(*args, **kwargs)
    return converted(*args, **kwargs)


_recursive = [True]


def _ag_namespace() -> types.SimpleNamespace:
    names = {n: getattr(operators, n) for n in dir(operators) if not n.startswith("__")}
    return types.SimpleNamespace(**names, converted_call=converted_call)


_AG = _ag_namespace()


def to_graph(
    entity,
    recursive: bool = True,
    arg_values=None,
    arg_types=None,
    experimental_optional_features=None,
):
    """Converts a Python function into one that builds TF1 graph control flow.

    In the result, an `if` whose condition is a tensor becomes `tf.cond`, a `while` on a
    tensor condition and a `for` over a tensor (`tf.range(n)` or a tensor's first
    dimension) become `tf.while_loop`; `break`, `continue` and `return` inside them work
    through flags; `and`/`or`/`not` on tensors become lazy logical ops; `len`, `range`,
    `abs`, `int` and `float` of tensors become ops. Python-valued conditions and iterables
    run as plain Python while the graph is built (so a Python loop is unrolled).

    Args:
        entity: a Python function or bound method.
        recursive: also convert the functions it calls (on first call).
        arg_values: unused (as in TensorFlow).
        arg_types: unused (as in TensorFlow).
        experimental_optional_features: `tf.autograph.experimental.Feature` values (accepted,
            no effect).

    Returns:
        The converted function (same arguments).

    Raises:
        NotImplementedError: `entity` cannot be converted (no source, a generator, an async
            function, `global`/`nonlocal` statements).
    """
    del arg_values, arg_types, experimental_optional_features
    converted = convert(entity)
    target = converted.__func__ if inspect.ismethod(converted) else converted

    @functools.wraps(target)
    def run(*args, **kwargs):
        _recursive.append(recursive)
        try:
            return converted(*args, **kwargs)
        finally:
            _recursive.pop()

    if inspect.ismethod(converted):
        return converted  # (recursive=False is honoured for plain functions)
    return run


def to_code(
    entity,
    recursive: bool = True,
    arg_values=None,
    arg_types=None,
    indentation: str = "  ",
    experimental_optional_features=None,
) -> str:
    """The Python source of `to_graph(entity)`'s conversion.

    The text is tfgraph's own rewrite (the `ag__` helpers of tfgraph.autograph.operators),
    not TensorFlow's; it describes the same control flow.

    Returns:
        The converted function's source, as a string.
    """
    del recursive, arg_values, arg_types, indentation, experimental_optional_features
    if inspect.ismethod(entity):
        entity = entity.__func__
    return ast.unparse(ast.fix_missing_locations(_converted_ast(entity))) + "\n"


del builtins


def to_graph_v2(entity, recursive: bool = True, experimental_optional_features=None):
    """TF2's `tf.autograph.to_graph` (no arg_values / arg_types)."""
    return to_graph(
        entity, recursive=recursive, experimental_optional_features=experimental_optional_features
    )


def to_code_v2(entity, recursive: bool = True, experimental_optional_features=None) -> str:
    """TF2's `tf.autograph.to_code` (no arg_values / arg_types / indentation)."""
    return to_code(
        entity, recursive=recursive, experimental_optional_features=experimental_optional_features
    )

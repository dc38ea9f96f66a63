"""The source transformation behind `tf.autograph.to_graph`: a Python function's AST in,
an AST out whose control flow goes through the helpers of `operators` (named `ag__`).

Three passes over a function body:
1. `break` and `continue` become flags (`break_`, `continue_`) that guard the statements
   after them and stop the loop;
2. a `return` nested in a compound statement becomes `do_return`/`retval_` assignments,
   with the statements after it guarded and loops stopped;
3. every `if`, `while` and `for` becomes a call of `if_stmt`/`while_stmt`/`for_stmt` with
   its parts as local functions taking and returning the variables the statement assigns;
   `and`/`or`/`not` become lazy `and_`/`or_`/`not_`; calls go through `converted_call`.

Not converted (NotImplementedError): generators (`yield`), `global`/`nonlocal`, `async`
functions (nested functions with them are kept as written). Left as Python, as TF's
default conversion leaves them: `print`, `==`, `assert`, list operations.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable

AG = "ag__"
RETURN_VALUE = "retval_"
RETURN_FLAG = "do_return"
_UNWRAPPED_CALLS = frozenset({"super", "locals", "globals", "vars", "eval", "exec", "print"})
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_RETURN = (ast.Return,)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class _Namer:
    """Fresh names that clash with none of the function's."""

    def __init__(self, taken) -> None:
        self._taken = set(taken)

    def new(self, base: str) -> str:
        name, i = base, 0
        while name in self._taken:
            i += 1
            name = f"{base}_{i}"
        self._taken.add(name)
        return name


def _load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def _ag(attr: str) -> ast.Attribute:
    return ast.Attribute(value=_load(AG), attr=attr, ctx=ast.Load())


def _call(func: ast.expr, *args: ast.expr, **kwargs: ast.expr) -> ast.Call:
    keywords = [ast.keyword(arg=k, value=v) for k, v in kwargs.items()]
    return ast.Call(func=func, args=list(args), keywords=keywords)


def _assign(name: str, value: ast.expr) -> ast.Assign:
    return ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=value, lineno=0)


def _const(value) -> ast.Constant:
    return ast.Constant(value=value)


def _not(expr: ast.expr) -> ast.UnaryOp:
    return ast.UnaryOp(op=ast.Not(), operand=expr)


def _names_tuple(names: list[str], ctx) -> ast.Tuple:
    return ast.Tuple(elts=[ast.Name(id=n, ctx=ctx()) for n in names], ctx=ctx())


# ---------------------------------------------------------------- analysis


class _Assigned(ast.NodeVisitor):
    def __init__(self) -> None:
        self.names: list[str] = []

    def _add(self, name: str) -> None:
        if name not in self.names:
            self.names.append(name)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self._add(node.id)

    def visit_FunctionDef(self, node) -> None:
        self._add(node.name)

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef

    def visit_Lambda(self, node) -> None:
        return

    def _skip(self, node) -> None:
        return

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _skip

    def visit_alias(self, node: ast.alias) -> None:
        self._add((node.asname or node.name).split(".")[0])

    # (an `except ... as e` name is unbound again after its handler: never state)

    def visit_Global(self, node) -> None:
        raise NotImplementedError("autograph does not convert functions with global/nonlocal")

    visit_Nonlocal = visit_Global


def assigned_names(stmts: list[ast.stmt]) -> list[str]:
    """Names the statements bind, in order, outside nested functions and comprehensions."""
    visitor = _Assigned()
    for s in stmts:
        visitor.visit(s)
    return visitor.names


def _is_name_chain(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def assigned_attributes(stmts: list[ast.stmt]) -> list[ast.Attribute]:
    """The attributes of names (`self.x`, `a.b.c`) the statements assign, outside nested
    functions, in order, once each."""
    found: dict[str, ast.Attribute] = {}
    todo: list[ast.AST] = list(reversed(stmts))
    while todo:
        node = todo.pop()
        if isinstance(node, _SCOPES + _COMPREHENSIONS):
            continue
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and _is_name_chain(node.value)
        ):
            found.setdefault(ast.unparse(node), node)
        todo.extend(reversed(list(ast.iter_child_nodes(node))))
    return list(found.values())


def _composites(stmts: list[ast.stmt]) -> dict[str, ast.expr]:
    """`composites=` of a statement helper: (name, getter, setter) per assigned attribute."""
    items: list[ast.expr] = []
    for attr in assigned_attributes(stmts):
        base = copy.deepcopy(attr.value)
        _set_load(base)
        getter = _thunk(ast.Attribute(value=base, attr=attr.attr, ctx=ast.Load()))
        value = "ag__value_"
        setter = ast.Lambda(
            args=_arguments([value]),
            body=_call(_ag("set_attr"), copy.deepcopy(base), _const(attr.attr), _load(value)),
        )
        items.append(ast.Tuple(elts=[_const(ast.unparse(attr)), getter, setter], ctx=ast.Load()))
    return {"composites": ast.Tuple(elts=items, ctx=ast.Load())} if items else {}


def _set_load(node: ast.AST) -> None:
    for n in ast.walk(node):
        if hasattr(n, "ctx"):
            n.ctx = ast.Load()


def _contains(stmts: list[ast.stmt], kinds: tuple, into_loops: bool) -> bool:
    todo: list[ast.AST] = list(stmts)
    while todo:
        node = todo.pop()
        if isinstance(node, kinds):
            return True
        if isinstance(node, _SCOPES):
            continue
        if not into_loops and isinstance(node, (ast.For, ast.While)):
            continue
        todo.extend(ast.iter_child_nodes(node))
    return False


# ---------------------------------------------------------------- passes 1 and 2: jumps


class _Jump:
    """One kind of jump statement lowered to a flag."""

    def __init__(self, kind: type, flag: str, replace: Callable, into_loops: bool) -> None:
        self.kind = kind
        self.flag = flag
        self.replace = replace
        self.into_loops = into_loops

    def block(self, stmts: list[ast.stmt]) -> tuple[list[ast.stmt], bool]:
        """The statements with each jump replaced and what follows a jump guarded."""
        out: list[ast.stmt] = []
        for i, s in enumerate(stmts):
            if isinstance(s, self.kind):
                out.extend(self.replace(s))
                return out, True
            fold = (
                isinstance(s, ast.If)
                and self.into_loops
                and _always_returns(s.body)
                and not _always_returns(s.orelse)
            )
            jumps = self.inside(s)
            out.append(s)
            if fold and isinstance(s, ast.If):
                # (as TF: what follows `if c: ...; return` runs in the else branch)
                rest, _ = self.block(stmts[i + 1 :])
                s.orelse = [*[x for x in s.orelse if not isinstance(x, ast.Pass)], *rest]
                return out, True
            if jumps:
                rest, _ = self.block(stmts[i + 1 :])
                if rest:
                    out.append(ast.If(test=_not(_load(self.flag)), body=rest, orelse=[]))
                return out, True
        return out, False

    def inside(self, s: ast.stmt) -> bool:
        if isinstance(s, (ast.For, ast.While)):
            if not self.into_loops:
                return False
            jumps = self._fields(s, ("body",))
            if jumps:
                _add_loop_test(s, _not(_load(self.flag)))
            return jumps
        if isinstance(s, ast.If):
            return self._fields(s, ("body", "orelse"))
        if isinstance(s, (ast.With, ast.AsyncWith)):
            return self._fields(s, ("body",))
        if isinstance(s, ast.Try):
            jumps = self._fields(s, ("body", "orelse", "finalbody"))
            for handler in s.handlers:
                handler.body, j = self.block(handler.body)
                jumps = jumps or j
            return jumps
        return False

    def _fields(self, s: ast.stmt, fields: tuple) -> bool:
        jumps = False
        for field in fields:
            new, j = self.block(getattr(s, field))
            setattr(s, field, new or [ast.Pass()])
            jumps = jumps or j
        return jumps


def _always_returns(stmts: list[ast.stmt]) -> bool:
    """Whether every path through the (original) block ends in a return."""
    for s in stmts:
        if isinstance(s, ast.Return):
            return True
        if isinstance(s, ast.If) and _always_returns(s.body) and _always_returns(s.orelse):
            return True
    return False


def _add_loop_test(loop: ast.stmt, test: ast.expr) -> None:
    """Stops `loop` when `test` is false (checked before each iteration)."""
    if isinstance(loop, ast.While):
        loop.test = ast.BoolOp(op=ast.And(), values=[test, loop.test])
    else:
        loop.ag_extra_tests = [*getattr(loop, "ag_extra_tests", []), test]  # type: ignore[attr-defined]


class _BreakAsContinue(ast.NodeTransformer):
    """`break` -> `break_ = True; continue` (in this loop, not in nested loops)."""

    def __init__(self, flag: str) -> None:
        self.flag = flag

    def visit_Break(self, node: ast.Break) -> list[ast.stmt]:
        return [_assign(self.flag, _const(True)), ast.Continue()]

    def _keep(self, node: ast.AST) -> ast.AST:
        return node

    visit_For = visit_While = visit_FunctionDef = visit_AsyncFunctionDef = _keep
    visit_ClassDef = visit_Lambda = _keep


def _lower_loop(loop: ast.stmt, namer: _Namer) -> list[ast.stmt]:
    """`break`/`continue` of `loop` (not of nested loops) as flags, as TF lowers them: a
    `break` sets `break_` (which stops the loop) and continues; a `continue` sets a
    `continue_` flag that guards the rest of the body. A loop `else` runs after the loop
    unless it broke."""
    before: list[ast.stmt] = []
    body = loop.body  # type: ignore[attr-defined]
    after = loop.orelse  # type: ignore[attr-defined]
    if _contains(body, (ast.Break,), into_loops=False):
        flag = namer.new("break_")
        body = [_BreakAsContinue(flag).visit(s) for s in body]
        body = [x for s in body for x in (s if isinstance(s, list) else [s])]
        before = [_assign(flag, _const(False))]
        _add_loop_test(loop, _not(_load(flag)))
        after = [ast.If(test=_not(_load(flag)), body=after, orelse=[])] if after else []
    if _contains(body, (ast.Continue,), into_loops=False):
        flag = namer.new("continue_")
        jump = _Jump(ast.Continue, flag, lambda s, f=flag: [_assign(f, _const(True))], False)
        body = [_assign(flag, _const(False)), *jump.block(body)[0]]
    loop.body = body or [ast.Pass()]  # type: ignore[attr-defined]
    loop.orelse = []  # type: ignore[attr-defined]
    return [*before, loop, *after]


def lower_loops(stmts: list[ast.stmt], namer: _Namer) -> list[ast.stmt]:
    """Pass 1 over a block (nested blocks first)."""
    out: list[ast.stmt] = []
    for s in stmts:
        if isinstance(s, _SCOPES):
            out.append(s)
            continue
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(s, field, None), list):
                setattr(s, field, lower_loops(getattr(s, field), namer))
        for handler in getattr(s, "handlers", []):
            handler.body = lower_loops(handler.body, namer)
        out.extend(_lower_loop(s, namer) if isinstance(s, (ast.For, ast.While)) else [s])
    return out


def lower_returns(stmts: list[ast.stmt]) -> list[ast.stmt]:
    """Pass 2: returns inside compound statements become `do_return`/`retval_`."""
    nested = any(
        _contains(
            [c for c in ast.iter_child_nodes(s) if isinstance(c, ast.stmt)], (ast.Return,), True
        )
        for s in stmts
        if not isinstance(s, (*_SCOPES, ast.Return))
    )
    if not nested:
        return stmts

    def replace(s: ast.Return) -> list[ast.stmt]:
        value = s.value if s.value is not None else _const(None)
        return [_assign(RETURN_FLAG, _const(True)), _assign(RETURN_VALUE, value)]

    body, _ = _Jump(ast.Return, RETURN_FLAG, replace, into_loops=True).block(stmts)
    head = [
        _assign(RETURN_FLAG, _const(False)),
        _assign(RETURN_VALUE, _call(_ag("undefined_return_value"))),
    ]
    tail = [ast.Return(value=_load(RETURN_VALUE))]
    return [*head, *body, *tail]


# ---------------------------------------------------------------- liveness


def _reads(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def annotate_live_out(
    stmts: list[ast.stmt], after: set[str], in_loop: set[str], looping: bool = False
) -> None:
    """Marks each loop with the names code after it may read (`ag_live_out`): the reads of
    the statements that follow it and, inside an enclosing loop, of that loop's header and
    of the statements before it (they run again on the next iteration)."""
    live = set(after)
    for k in range(len(stmts) - 1, -1, -1):
        s = stmts[k]
        ctx = set(in_loop)
        if looping:
            for earlier in stmts[:k]:
                ctx |= _reads(earlier)
        if isinstance(s, (ast.For, ast.While)):
            setattr(s, "ag_live_out", live | ctx)  # noqa: B010 (an annotation)
            header = _reads(s.test if isinstance(s, ast.While) else s.iter)
            annotate_live_out(s.body, live | ctx | header, ctx | header, looping=True)
        elif not isinstance(s, _SCOPES):
            for field in ("body", "orelse", "finalbody"):
                if isinstance(getattr(s, field, None), list):
                    annotate_live_out(getattr(s, field), live, ctx, looping)
            for handler in getattr(s, "handlers", []):
                annotate_live_out(handler.body, live, ctx, looping)
        live |= _reads(s)


# ---------------------------------------------------------------- pass 3: control flow


class _Expressions(ast.NodeTransformer):
    """`and`/`or`/`not` to lazy helpers; calls through `converted_call`."""

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        self.generic_visit(node)
        helper = "and_" if isinstance(node.op, ast.And) else "or_"
        result = node.values[-1]
        for value in reversed(node.values[:-1]):
            result = _call(_ag(helper), _thunk(value), _thunk(result))
        return result

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return _call(_ag("not_"), node.operand)
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in _UNWRAPPED_CALLS:
            return node
        args = ast.Tuple(elts=list(node.args), ctx=ast.Load())
        keys: list[ast.expr | None] = [_const(k.arg) if k.arg else None for k in node.keywords]
        kwargs = ast.Dict(keys=keys, values=[k.value for k in node.keywords])
        kw: ast.expr = kwargs if node.keywords else _const(None)
        return _call(_ag("converted_call"), node.func, args, kw)

    def visit_FunctionDef(self, node):
        return node  # (converted as statements)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef


def _arguments(params: list[str]) -> ast.arguments:
    return ast.arguments(
        posonlyargs=[],
        args=[ast.arg(arg=p) for p in params],
        vararg=None,
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=None,
        defaults=[],
    )


def _thunk(expr: ast.expr) -> ast.Lambda:
    return ast.Lambda(args=_arguments([]), body=expr)


def _expr(node: ast.expr) -> ast.expr:
    return _Expressions().visit(node)


def _function(name: str, params: list[str], body: list[ast.stmt]) -> ast.FunctionDef:
    return ast.FunctionDef(
        name=name,
        args=_arguments(params),
        body=body or [ast.Pass()],
        decorator_list=[],
        returns=None,
        lineno=0,
    )


class _Converter:
    def __init__(self, namer: _Namer, order: list[str]) -> None:
        self.namer = namer
        self._order = {n: i for i, n in reversed(list(enumerate(order)))}

    def _state(self, stmts: list[ast.stmt]) -> list[str]:
        """The names `stmts` assign, in the order the function first binds them (as TF
        orders a statement's state)."""
        names = assigned_names(stmts)
        return sorted(names, key=lambda n: self._order.get(n, len(self._order)))

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for s in stmts:
            out.extend(self.stmt(s))
        return out

    def stmt(self, s: ast.stmt) -> list[ast.stmt]:
        if isinstance(s, ast.If):
            return self._if(s)
        if isinstance(s, ast.While):
            return self._while(s)
        if isinstance(s, ast.For):
            return self._for(s)
        if isinstance(s, ast.FunctionDef):
            try:
                return [convert_function(s, self.namer, top=False)]
            except NotImplementedError:  # (global/nonlocal, generators: kept as written)
                return [s]
        if isinstance(s, (ast.AsyncFunctionDef, ast.AsyncFor, ast.AsyncWith)):
            raise NotImplementedError("autograph does not convert async code")
        if isinstance(s, ast.ClassDef):
            return [s]
        if isinstance(s, (ast.With, ast.Try)):
            return [self._compound(s)]
        return [_Expressions().visit(s)]

    def _compound(self, s: ast.stmt) -> ast.stmt:
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(s, field, None), list):
                setattr(s, field, self.block(getattr(s, field)) or [ast.Pass()])
        for handler in getattr(s, "handlers", []):
            handler.body = self.block(handler.body) or [ast.Pass()]
        if isinstance(s, ast.With):
            for item in s.items:
                item.context_expr = _expr(item.context_expr)
        return s

    def _state_fn(self, base: str, params: list[str], body, names: list[str]) -> ast.FunctionDef:
        ret = ast.Return(value=_names_tuple(names, ast.Load))
        return _function(self.namer.new(base), params, [*self.block(body), ret])

    def _result(self, names: list[str], call: ast.Call) -> ast.stmt:
        if not names:
            return ast.Expr(value=call)
        return ast.Assign(targets=[_names_tuple(names, ast.Store)], value=call, lineno=0)

    def _state_args(self, names: list[str]) -> tuple[ast.Tuple, ast.Tuple]:
        values = _names_tuple(names, ast.Load)
        labels = ast.Tuple(elts=[_const(n) for n in names], ctx=ast.Load())
        return values, labels

    def _if(self, s: ast.If) -> list[ast.stmt]:
        composites = _composites(s.body + s.orelse)
        names = self._state(s.body + s.orelse)
        true_fn = self._state_fn("if_body", names, s.body, names)
        false_fn = self._state_fn("else_body", names, s.orelse, names)
        values, labels = self._state_args(names)
        parts = (_expr(s.test), _load(true_fn.name), _load(false_fn.name), values, labels)
        call = _call(_ag("if_stmt"), *parts, **composites)
        return [true_fn, false_fn, self._result(names, call)]

    def _while(self, s: ast.While) -> list[ast.stmt]:
        body, opts = _loop_options(s.body)
        composites = _composites(body)
        names = self._state(body)
        test_fn = _function(self.namer.new("loop_test"), names, [ast.Return(value=_expr(s.test))])
        body_fn = self._state_fn("loop_body", names, body, names)
        values, labels = self._state_args(names)
        parts = (_load(test_fn.name), _load(body_fn.name), values, labels, opts)
        call = _call(_ag("while_stmt"), *parts, **composites, **_live_out(s, names))
        return [test_fn, body_fn, self._result(names, call)]

    def _for(self, s: ast.For) -> list[ast.stmt]:
        body, opts = _loop_options(s.body)
        composites = _composites(body)
        item = self.namer.new("itr")
        bind = ast.Assign(targets=[s.target], value=_load(item), lineno=0)
        names = self._state([bind, *body])
        body_fn = self._state_fn("loop_body", [item, *names], [bind, *body], names)
        out: list[ast.stmt] = [body_fn]
        extra: ast.expr = _const(None)
        tests = getattr(s, "ag_extra_tests", [])
        if tests:
            test = tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.And(), values=tests)
            test_fn = _function(
                self.namer.new("extra_test"), names, [ast.Return(value=_expr(test))]
            )
            out.insert(0, test_fn)
            extra = _load(test_fn.name)
        values, labels = self._state_args(names)
        parts = (_expr(s.iter), extra, _load(body_fn.name), values, labels, opts)
        call = _call(_ag("for_stmt"), *parts, **composites, **_live_out(s, names))
        return [*out, self._result(names, call)]


def _live_out(loop: ast.stmt, names: list[str]) -> dict[str, ast.expr]:
    """`live_out=`: the loop's variables that code after it may read."""
    live = [n for n in names if n in getattr(loop, "ag_live_out", ())]
    if not live:
        return {}
    return {"live_out": ast.Tuple(elts=[_const(n) for n in live], ctx=ast.Load())}


def _loop_options(body: list[ast.stmt]) -> tuple[list[ast.stmt], ast.expr]:
    """The loop body without its `set_loop_options(...)` statements, and their arguments."""
    kept: list[ast.stmt] = []
    keywords: list[ast.keyword] = []
    for s in body:
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call):
            func = s.value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == "set_loop_options":
                keywords.extend(
                    ast.keyword(arg=k.arg, value=_expr(k.value)) for k in s.value.keywords
                )
                continue
        kept.append(s)
    return kept, ast.Call(func=_ag("loop_options"), args=[], keywords=keywords)


def _params(args: ast.arguments) -> list[str]:
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    return names


def convert_function(node: ast.FunctionDef, namer: _Namer, top: bool = True) -> ast.FunctionDef:
    """The converted copy of a function definition (`tf__<name>` when `top`)."""
    node = copy.deepcopy(node)
    if any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in _walk_own(node)):
        raise NotImplementedError(f"autograph does not convert generators ({node.name})")
    body = lower_returns(lower_loops(node.body, namer))
    params = _params(node.args)
    local = [n for n in assigned_names(body) if n not in params]
    init = [_assign(n, _call(_ag("Undefined"), _const(n))) for n in local]
    # (state order: the order of the first assignments in the body, as TF's)
    annotate_live_out(body, set(), set())
    converter = _Converter(namer, assigned_names(body))
    node.body = [*init, *converter.block(body)] or [ast.Pass()]
    for ret in _walk_own(node):
        if isinstance(ret, ast.Return) and ret.value is not None:
            ret.value = _call(_ag("retval"), ret.value)
    if top:
        node.name = f"tf__{node.name}"
        node.decorator_list = []
    else:
        node.decorator_list = [_expr(d) for d in node.decorator_list]
    node.returns = None
    return node


def _walk_own(node: ast.AST):
    """The nodes of a function's own body (not of nested functions)."""
    todo = list(ast.iter_child_nodes(node))
    while todo:
        n = todo.pop()
        yield n
        if not isinstance(n, _SCOPES):
            todo.extend(ast.iter_child_nodes(n))


def lambda_as_function(node: ast.Lambda, name: str) -> ast.FunctionDef:
    return ast.FunctionDef(
        name=name,
        args=node.args,
        body=[ast.Return(value=node.body)],
        decorator_list=[],
        returns=None,
        lineno=0,
    )


def namer_for(tree: ast.AST) -> _Namer:
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    taken |= {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
    return _Namer(taken | {AG, RETURN_FLAG, RETURN_VALUE})

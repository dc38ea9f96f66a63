"""The engine's architecture rules, checked on the source (docs/architecture.md):

* lower layers (`framework`, `io`, `ops`) never import the client, training or variable
  modules, not even inside functions;
* the client layer and `gradients.py` recognise ops by registry traits, never by
  op-type names;
* no function in `client/` is over 80 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tfgraph.framework import registry

PACKAGE = Path(__file__).resolve().parents[1] / "tfgraph"
LOWER_LAYERS = ("framework", "io", "ops")
UPPER_MODULES = (
    "tfgraph.client",
    "tfgraph.training",
    "tfgraph.train",
    "tfgraph.variables",
    "tfgraph.variable_scope",
    "tfgraph.partitioned_variables",
)
MAX_CLIENT_FUNCTION_LINES = 80


def _modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (PACKAGE / folder).rglob("*.py"))


def _imported_names(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted module name) of every import anywhere in `tree`, with each
    `from package import name` also as `package.name`."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
            out.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return out


def _is_upper(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in UPPER_MODULES)


@pytest.mark.parametrize("path", _modules(*LOWER_LAYERS), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_lower_layers_never_import_upward(path):
    tree = ast.parse(path.read_text())
    bad = [f"line {line}: {name}" for line, name in _imported_names(tree) if _is_upper(name)]
    assert not bad, f"{path.relative_to(PACKAGE)} imports an upper layer: {bad}"


def _string_literals(tree: ast.AST):
    """String constants that are not docstrings."""
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.add(id(value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                yield node


@pytest.mark.parametrize(
    "path",
    [*_modules("client"), PACKAGE / "gradients.py"],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_the_engine_reads_traits_not_op_type_names(path):
    op_types = set(registry.registered_ops())
    tree = ast.parse(path.read_text())
    bad = [f"line {n.lineno}: {n.value!r}" for n in _string_literals(tree) if n.value in op_types]
    assert not bad, f"{path.relative_to(PACKAGE)} names op types: {bad}"


@pytest.mark.parametrize("path", _modules("client"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_client_functions_are_short(path):
    tree = ast.parse(path.read_text())
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > MAX_CLIENT_FUNCTION_LINES
    ]
    assert not long, f"{path.relative_to(PACKAGE)}: {long}"


def test_the_checks_catch_what_they_forbid(tmp_path):
    """The checks themselves: an upward import inside a function, an op-type literal."""
    tree = ast.parse("def f():\n    from tfgraph.client.session import Session\n")
    assert any(_is_upper(name) for _, name in _imported_names(tree))
    tree = ast.parse("from tfgraph import variables\n")
    assert any(_is_upper(name) for _, name in _imported_names(tree))
    tree = ast.parse('"""Doc mentions Switch."""\nif op.type == "Switch": pass\n')
    assert [n.value for n in _string_literals(tree)] == ["Switch"]

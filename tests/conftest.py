"""Shared fixtures: every test gets a fresh default graph and no default session."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tfgraph.eager import context as _context
from tfgraph.framework import default_session as _session
from tfgraph.framework import graph as _graph
from tfgraph.framework import tensor_shape as _tensor_shape


@pytest.fixture(autouse=True)
def fresh_graph():
    """A new, empty default graph for each test (and no leftover default session)."""
    _session._default_session_stack.stack.clear()
    _graph._default_graph_stack.stack.clear()
    _context.disable_eager_execution()  # (a test may have turned TF2 behaviour on)
    _context.resource_variables = False
    _tensor_shape.V2_REPR[0] = False
    tf.reset_default_graph()
    yield tf.get_default_graph()
    _session._default_session_stack.stack.clear()


@pytest.fixture
def two_threads(monkeypatch):
    """Kernels see a machine of 2 threads, whatever this one has: a fresh pool, helpers not
    in a solo spell, no thread limit from tf.config."""
    from tfgraph.eager import config as _config
    from tfgraph.platform import parallel

    monkeypatch.setattr(parallel, "_THREADS", 2)
    monkeypatch.setattr(parallel, "_pool", None)
    monkeypatch.setattr(parallel, "_solo", 0)
    monkeypatch.setattr(parallel, "_default_limit", 0)
    monkeypatch.setitem(_config._settings, "intra_op", 0)

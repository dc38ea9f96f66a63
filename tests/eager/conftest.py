"""Every test here runs with TF2 behaviour (eager execution) on; the shared fixture turns
it off again before the next test."""

from __future__ import annotations

import pytest

import tfgraph as tf


@pytest.fixture(autouse=True)
def eager(fresh_graph):
    tf.enable_v2_behavior()
    yield
    tf.disable_v2_behavior()

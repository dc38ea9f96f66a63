"""Every Apply*/SparseApply* op against real TF: three updates from the same values give
the same variables and slots (float32 to rtol and atol 1e-6, as TF's own tests; float64
to 1e-12)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests import tfrun

RNG = np.random.default_rng(7)
SHAPE = (4, 3)


def _pos(shape=SHAPE):
    return (RNG.random(shape) + 0.1).tolist()


def _any(shape=SHAPE):
    return RNG.standard_normal(shape).tolist()


# (case name, op type, inputs in OpDef order: ("ref", value) | ("val", value) | ("idx", value),
#  attrs)
CASES = [
    ("gd", "ApplyGradientDescent", [("ref", _any()), ("val", 0.1), ("val", _any())], {}),
    ("momentum", "ApplyMomentum",
     [("ref", _any()), ("ref", _any()), ("val", 0.05), ("val", _any()), ("val", 0.9)], {}),
    ("momentum_nesterov", "ApplyMomentum",
     [("ref", _any()), ("ref", _any()), ("val", 0.05), ("val", _any()), ("val", 0.9)],
     {"use_nesterov": True}),
    ("adam", "ApplyAdam",
     [("ref", _any()), ("ref", _any()), ("ref", _pos()), ("val", 0.9 ** 3), ("val", 0.999 ** 3),
      ("val", 0.01), ("val", 0.9), ("val", 0.999), ("val", 1e-8), ("val", _any())], {}),
    ("adam_nesterov", "ApplyAdam",
     [("ref", _any()), ("ref", _any()), ("ref", _pos()), ("val", 0.9), ("val", 0.999),
      ("val", 0.01), ("val", 0.9), ("val", 0.999), ("val", 1e-7), ("val", _any())],
     {"use_nesterov": True}),
    ("adam_scalar", "ApplyAdam",
     [("ref", 0.5), ("ref", 0.1), ("ref", 0.2), ("val", 0.9), ("val", 0.999),
      ("val", 0.01), ("val", 0.9), ("val", 0.999), ("val", 1e-8), ("val", -0.3)], {}),
    ("ftrl_scalar", "ApplyFtrl",
     [("ref", 0.5), ("ref", 0.3), ("ref", 0.1), ("val", 0.7), ("val", 0.1),
      ("val", 0.05), ("val", 0.01), ("val", -0.5)], {}),
    ("gd_scalar", "ApplyGradientDescent", [("ref", 1.5), ("val", 0.1), ("val", 2.0)], {}),
    ("adagrad", "ApplyAdagrad",
     [("ref", _any()), ("ref", _pos()), ("val", 0.1), ("val", _any())], {}),
    ("adagrad_noslots", "ApplyAdagrad",
     [("ref", _any()), ("ref", _pos()), ("val", 0.1), ("val", _any())], {"update_slots": False}),
    ("adadelta", "ApplyAdadelta",
     [("ref", _any()), ("ref", _pos()), ("ref", _pos()), ("val", 1.0), ("val", 0.95),
      ("val", 1e-6), ("val", _any())], {}),
    ("rmsprop", "ApplyRMSProp",
     [("ref", _any()), ("ref", _pos()), ("ref", _any()), ("val", 0.01), ("val", 0.9),
      ("val", 0.5), ("val", 1e-10), ("val", _any())], {}),
    ("centered_rmsprop", "ApplyCenteredRMSProp",
     [("ref", _any()), ("ref", (np.array(_any()) * 0.1).tolist()), ("ref", _pos()),
      ("ref", _any()), ("val", 0.01), ("val", 0.9), ("val", 0.5), ("val", 1e-10),
      ("val", _any())], {}),
    ("ftrl", "ApplyFtrl",
     [("ref", _any()), ("ref", _pos()), ("ref", _any()), ("val", _any()), ("val", 0.1),
      ("val", 0.05), ("val", 0.01), ("val", -0.5)], {}),
    ("ftrl_power", "ApplyFtrl",
     [("ref", _any()), ("ref", _pos()), ("ref", _any()), ("val", _any()), ("val", 0.1),
      ("val", 0.05), ("val", 0.01), ("val", -0.3)], {}),
    ("ftrl_lr_linear", "ApplyFtrl",
     [("ref", _any()), ("ref", _pos()), ("ref", _any()), ("val", _any()), ("val", 0.1),
      ("val", 0.05), ("val", 0.01), ("val", -0.5)], {"multiply_linear_by_lr": True}),
    ("ftrl_v2", "ApplyFtrlV2",
     [("ref", _any()), ("ref", _pos()), ("ref", _any()), ("val", _any()), ("val", 0.1),
      ("val", 0.05), ("val", 0.01), ("val", 0.02), ("val", -0.5)], {}),
    ("proximal_gd", "ApplyProximalGradientDescent",
     [("ref", _any()), ("val", 0.1), ("val", 0.05), ("val", 0.1), ("val", _any())], {}),
    ("proximal_gd_l2", "ApplyProximalGradientDescent",
     [("ref", _any()), ("val", 0.1), ("val", 0.0), ("val", 0.1), ("val", _any())], {}),
    ("proximal_adagrad", "ApplyProximalAdagrad",
     [("ref", _any()), ("ref", _pos()), ("val", 0.1), ("val", 0.05), ("val", 0.1),
      ("val", _any())], {}),
]  # fmt: skip

_IDX = [3, 0]
_DUP = [1, 3, 1]
CASES += [
    ("sparse_momentum", "SparseApplyMomentum",
     [("ref", _any()), ("ref", _any()), ("val", 0.05), ("val", _any((2, 3))), ("idx", _IDX),
      ("val", 0.9)], {"use_nesterov": True}),
    ("sparse_momentum_dup", "SparseApplyMomentum",
     [("ref", _any()), ("ref", _any()), ("val", 0.05), ("val", _any((3, 3))), ("idx", _DUP),
      ("val", 0.9)], {}),
    ("sparse_adagrad", "SparseApplyAdagrad",
     [("ref", _any()), ("ref", _pos()), ("val", 0.1), ("val", _any((2, 3))), ("idx", _IDX)], {}),
    ("sparse_adadelta", "SparseApplyAdadelta",
     [("ref", _any()), ("ref", _pos()), ("ref", _pos()), ("val", 1.0), ("val", 0.95),
      ("val", 1e-6), ("val", _any((2, 3))), ("idx", _IDX)], {}),
    ("sparse_rmsprop", "SparseApplyRMSProp",
     [("ref", _any()), ("ref", _pos()), ("ref", _any()), ("val", 0.01), ("val", 0.9),
      ("val", 0.5), ("val", 1e-10), ("val", _any((2, 3))), ("idx", _IDX)], {}),
    ("sparse_centered_rmsprop", "SparseApplyCenteredRMSProp",
     [("ref", _any()), ("ref", (np.array(_any()) * 0.1).tolist()), ("ref", _pos()),
      ("ref", _any()), ("val", 0.01), ("val", 0.9), ("val", 0.5), ("val", 1e-10),
      ("val", _any((2, 3))), ("idx", _IDX)], {}),
    ("sparse_ftrl", "SparseApplyFtrl",
     [("ref", _any()), ("ref", _pos()), ("ref", _any()), ("val", _any((2, 3))), ("idx", _IDX),
      ("val", 0.1), ("val", 0.05), ("val", 0.01), ("val", -0.5)], {}),
    ("sparse_ftrl_v2", "SparseApplyFtrlV2",
     [("ref", _any()), ("ref", _pos()), ("ref", _any()), ("val", _any((2, 3))), ("idx", _IDX),
      ("val", 0.1), ("val", 0.05), ("val", 0.01), ("val", 0.02), ("val", -0.5)], {}),
    ("sparse_proximal_gd", "SparseApplyProximalGradientDescent",
     [("ref", _any()), ("val", 0.1), ("val", 0.05), ("val", 0.1), ("val", _any((2, 3))),
      ("idx", _IDX)], {}),
    ("sparse_proximal_adagrad", "SparseApplyProximalAdagrad",
     [("ref", _any()), ("ref", _pos()), ("val", 0.1), ("val", 0.05), ("val", 0.1),
      ("val", _any((2, 3))), ("idx", _IDX)], {}),
]  # fmt: skip

_RUNNER = r"""
def run_case(op_type, inputs, attrs, dtype, create):
    g = tf.Graph()
    with g.as_default():
        names = input_names(op_type)
        args, refs = [], []
        for name, (kind, value) in zip(names, inputs):
            if kind == "ref":
                v = tf.Variable(np.asarray(value, dtype), name=name)
                refs.append(v)
                args.append(v)
            elif kind == "idx":
                args.append(tf.constant(value, tf.int32))
            else:
                args.append(tf.constant(np.asarray(value, dtype)))
        op = create(op_type, names, args, attrs)
        with tf.Session(graph=g) as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(op)
            return [sess.run(v).tolist() for v in refs]
"""

_TF_CREATE = r"""
from tensorflow.python.framework import op_def_registry

def input_names(op_type):
    return [a.name for a in op_def_registry.get(op_type).input_arg]

def create(op_type, names, args, attrs):
    return getattr(tf.raw_ops, op_type)(**dict(zip(names, args)), **attrs)
"""


def _tfgraph_create(op_type, names, args, attrs):
    from tfgraph.ops.apply import op_output

    return op_output(op_type, None, args, {k: v for k, v in attrs.items()}).op


def _input_names(op_type):
    from tfgraph.framework import registry

    return list(registry.get(op_type).input_names)


def _run_ours(dtype):
    ns = {"tf": tf, "np": np, "input_names": _input_names}
    exec(_RUNNER, ns)
    return {
        name: ns["run_case"](op_type, inputs, attrs, dtype, _tfgraph_create)
        for name, op_type, inputs, attrs in CASES
    }


@pytest.fixture(scope="module")
def tf_results():
    code = (
        _RUNNER
        + _TF_CREATE
        + f"CASES = json.loads({json.dumps(json.dumps(CASES))})\n"
        + "print(json.dumps({dt: {n: run_case(t, i, a, dt, create) for n, t, i, a in CASES}"
        + " for dt in ('float32', 'float64')}))\n"
    )
    return tfrun.run_tf_json(code)


@tfrun.requires_tf
@pytest.mark.tf
@pytest.mark.parametrize("in_place", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_training_ops_match_tf(tf_results, dtype, in_place, monkeypatch):
    from tfgraph.ops import training_ops

    monkeypatch.setattr(training_ops, "IN_PLACE", in_place)
    ours = _run_ours(dtype)
    # (float32: the tolerance of TF's own optimizer tests, assertAllCloseAccordingToType;
    # pow and division round differently with the CPU's SIMD paths)
    rtol, atol = (1e-6, 1e-6) if dtype == "float32" else (1e-12, 1e-14)
    problems = []
    for name, *_ in CASES:
        for k, (a, b) in enumerate(zip(ours[name], tf_results[dtype][name])):
            if not np.allclose(a, b, rtol=rtol, atol=atol):
                err = np.max(np.abs(np.array(a) - np.array(b)))
                problems.append(f"{name} ref {k}: max abs err {err}\n ours {a}\n tf   {b}")
    assert not problems, "\n".join(problems)

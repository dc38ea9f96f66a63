"""`tf.linalg.experimental.conjugate_gradient`, as TF's Python builds it: the
(preconditioned) conjugate gradient iteration in a while loop, for a self-adjoint
positive definite LinearOperator and a batch of right-hand sides."""

from __future__ import annotations

import collections

from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops, linalg_ops, math_ops
from tfgraph.ops.linalg_more_ops import matvec as _dense_matvec
from tfgraph.ops.linear_operator import LinearOperator

__all__ = ["conjugate_gradient"]

CGState = collections.namedtuple("CGState", ["i", "x", "r", "p", "gamma"])


def _matvec(a, x, adjoint_a=False):
    """tf.linalg.matvec, dispatching to a LinearOperator's matvec as TF does."""
    if isinstance(a, LinearOperator):
        return a.matvec(x, adjoint=adjoint_a)
    return _dense_matvec(a, x, adjoint_a=adjoint_a)


def _dot(x, y):
    return array_ops.squeeze(_matvec(x[..., array_ops.newaxis], y, adjoint_a=True), axis=-1)


def _initial_state(operator, rhs, preconditioner, x, tol):
    from tfgraph.ops.manip_ops import broadcast_dynamic_shape

    shape = broadcast_dynamic_shape(array_ops.shape(rhs)[:-1], operator.batch_shape_tensor())
    if preconditioner is not None:
        shape = broadcast_dynamic_shape(shape, preconditioner.batch_shape_tensor())
    rhs_shape = array_ops.concat([shape, [array_ops.shape(rhs)[-1]]], axis=-1)
    r0 = array_ops.broadcast_to(rhs, rhs_shape)
    tol *= linalg_ops.norm(r0, axis=-1)
    if x is None:
        x = array_ops.zeros(rhs_shape, dtype=rhs.dtype.base_dtype)
    else:
        r0 = rhs - _matvec(operator, x)
    p0 = r0 if preconditioner is None else _matvec(preconditioner, r0)
    i = constant(0, dtype=dtypes.int32)
    return CGState(i=i, x=x, r=r0, p=p0, gamma=_dot(r0, p0)), tol


def conjugate_gradient(
    operator, rhs, preconditioner=None, x=None, tol=1e-5, max_iter=20, name="conjugate_gradient"
):
    """Solves `operator @ x = rhs` by conjugate gradients; returns the final
    CGState(i, x, r, p, gamma)."""
    from tfgraph.ops.while_loop import while_loop

    if not (operator.is_self_adjoint and operator.is_positive_definite):
        raise ValueError("Expected a self-adjoint, positive definite operator.")

    def stopping_criterion(i, state):
        big = math_ops.reduce_any(linalg_ops.norm(state.r, axis=-1) > tol)
        return math_ops.logical_and(i < max_iter, big)

    def cg_step(i, state):
        z = _matvec(operator, state.p)
        alpha = state.gamma / _dot(state.p, z)
        x = state.x + alpha[..., array_ops.newaxis] * state.p
        r = state.r - alpha[..., array_ops.newaxis] * z
        q = r if preconditioner is None else preconditioner.matvec(r)
        gamma = _dot(r, q)
        beta = gamma / state.gamma
        p = q + beta[..., array_ops.newaxis] * state.p
        return i + 1, CGState(i + 1, x, r, p, gamma)

    with get_default_graph().name_scope(name):
        state, tol = _initial_state(operator, rhs, preconditioner, x, tol)
        _, state = while_loop(stopping_criterion, cg_step, [state.i, state])
        return CGState(state.i, x=state.x, r=state.r, p=state.p, gamma=state.gamma)

"""Learning-rate schedules of `tf.train` (TF1 functions of the global step).

Each builds the same ops TensorFlow builds, in a name scope named after the schedule
(`ExponentialDecay`, `PiecewiseConstant`, ...), and returns the decayed learning rate
as a scalar tensor that is recomputed from the step at every run.
"""

from __future__ import annotations

import math

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops, control_flow_case, control_flow_ops, math_ops, random_ops

__all__ = [
    "cosine_decay",
    "cosine_decay_restarts",
    "exponential_decay",
    "inverse_time_decay",
    "linear_cosine_decay",
    "natural_exp_decay",
    "noisy_linear_cosine_decay",
    "piecewise_constant",
    "piecewise_constant_decay",
    "polynomial_decay",
]

_cast = array_ops.cast


def _scope(name, default: str):
    return get_default_graph().name_scope(name or default)


def exponential_decay(
    learning_rate, global_step, decay_steps, decay_rate, staircase: bool = False, name=None
):
    """learning_rate * decay_rate ^ (global_step / decay_steps) (the exponent floored
    with `staircase`)."""
    with _scope(name, "ExponentialDecay") as scope:
        initial = convert_to_tensor(learning_rate, name="initial_learning_rate")
        dtype = initial.dtype
        decay_steps = _cast(decay_steps, dtype)
        decay_rate = _cast(decay_rate, dtype)
        step = _cast(global_step, dtype)
        p = step / decay_steps
        if staircase:
            p = math_ops.floor(p)
        return math_ops.multiply(initial, math_ops.pow(decay_rate, p), name=scope)


def natural_exp_decay(
    learning_rate, global_step, decay_steps, decay_rate, staircase: bool = False, name=None
):
    """learning_rate * exp(-decay_rate * global_step / decay_steps)."""
    natural_exp_rate = math_ops.exp(math_ops.negative(decay_rate))
    return exponential_decay(
        learning_rate, global_step, decay_steps, natural_exp_rate, staircase=staircase, name=name
    )


def inverse_time_decay(
    learning_rate, global_step, decay_steps, decay_rate, staircase: bool = False, name=None
):
    """learning_rate / (1 + decay_rate * global_step / decay_steps)."""
    with _scope(name, "InverseTimeDecay") as scope:
        initial = convert_to_tensor(learning_rate, name="initial_learning_rate")
        dtype = initial.dtype
        decay_steps = _cast(decay_steps, dtype)
        decay_rate = _cast(decay_rate, dtype)
        step = _cast(global_step, dtype)
        p = step / decay_steps
        if staircase:
            p = math_ops.floor(p)
        const = _cast(array_ops.constant(1), dtype)
        denom = math_ops.add(const, math_ops.multiply(decay_rate, p))
        return math_ops.divide(initial, denom, name=scope)


def polynomial_decay(
    learning_rate,
    global_step,
    decay_steps,
    end_learning_rate=0.0001,
    power=1.0,
    cycle: bool = False,
    name=None,
):
    """(learning_rate - end) * (1 - step / decay_steps) ^ power + end, with the step
    clipped at decay_steps (or, with `cycle`, decay_steps stretched to the next
    multiple)."""
    with _scope(name, "PolynomialDecay") as scope:
        initial = convert_to_tensor(learning_rate, name="initial_learning_rate")
        dtype = initial.dtype
        end = _cast(end_learning_rate, dtype)
        power = _cast(power, dtype)
        step = _cast(global_step, dtype)
        decay_steps_recomp = _cast(decay_steps, dtype)
        if cycle:
            multiplier = array_ops.where_v2(
                math_ops.equal(step, 0), 1.0, math_ops.ceil(step / decay_steps)
            )
            decay_steps_recomp = math_ops.multiply(decay_steps_recomp, multiplier)
        else:
            step = math_ops.minimum(step, decay_steps_recomp)
        p = math_ops.divide(step, decay_steps_recomp)
        return math_ops.add(
            math_ops.multiply(initial - end, math_ops.pow(1 - p, power)), end, name=scope
        )


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) /
    decay_steps)) + alpha)."""
    with _scope(name, "CosineDecay"):
        initial = convert_to_tensor(learning_rate, name="initial_learning_rate")
        dtype = initial.dtype
        decay_steps = _cast(decay_steps, dtype)
        step = _cast(global_step, dtype)
        step = math_ops.minimum(step, decay_steps)
        completed_fraction = step / decay_steps
        cosine_decayed = 0.5 * (
            1.0 + math_ops.cos(array_ops.constant(math.pi) * completed_fraction)
        )
        decayed = (1 - alpha) * cosine_decayed + alpha
        return math_ops.multiply(initial, decayed)


def cosine_decay_restarts(
    learning_rate, global_step, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name=None
):
    """Cosine decay with warm restarts (SGDR): each period `t_mul` times longer and its
    peak `m_mul` times lower."""
    with _scope(name, "SGDRDecay") as scope:
        initial = convert_to_tensor(learning_rate, name="initial_learning_rate")
        dtype = initial.dtype
        first_decay_steps = _cast(first_decay_steps, dtype)
        alpha = _cast(alpha, dtype)
        t_mul = _cast(t_mul, dtype)
        m_mul = _cast(m_mul, dtype)
        step = _cast(global_step, dtype)
        completed_fraction = step / first_decay_steps

        def compute_step(completed_fraction, geometric=False):
            if geometric:
                i_restart = math_ops.floor(
                    math_ops.log(1.0 - completed_fraction * (1.0 - t_mul)) / math_ops.log(t_mul)
                )
                sum_r = (1.0 - t_mul**i_restart) / (1.0 - t_mul)
                completed_fraction = (completed_fraction - sum_r) / t_mul**i_restart
            else:
                i_restart = math_ops.floor(completed_fraction)
                completed_fraction -= i_restart
            return i_restart, completed_fraction

        i_restart, completed_fraction = control_flow_ops.cond(
            math_ops.equal(t_mul, 1.0),
            lambda: compute_step(completed_fraction, geometric=False),
            lambda: compute_step(completed_fraction, geometric=True),
        )
        m_fac = m_mul**i_restart
        cosine_decayed = (
            0.5 * m_fac * (1.0 + math_ops.cos(array_ops.constant(math.pi) * completed_fraction))
        )
        decayed = (1 - alpha) * cosine_decayed + alpha
        return math_ops.multiply(initial, decayed, name=scope)


def linear_cosine_decay(
    learning_rate, global_step, decay_steps, num_periods=0.5, alpha=0.0, beta=0.001, name=None
):
    """Linear cosine decay (Bello et al., 2017)."""
    with _scope(name, "LinearCosineDecay") as scope:
        initial = convert_to_tensor(learning_rate, name="initial_learning_rate")
        dtype = initial.dtype
        decay_steps = _cast(decay_steps, dtype)
        num_periods = _cast(num_periods, dtype)
        alpha = _cast(alpha, dtype)
        beta = _cast(beta, dtype)
        step = _cast(global_step, dtype)
        step = math_ops.minimum(step, decay_steps)
        linear_decayed = (decay_steps - step) / decay_steps
        completed_fraction = step / decay_steps
        fraction = 2.0 * num_periods * completed_fraction
        cosine_decayed = 0.5 * (1.0 + math_ops.cos(array_ops.constant(math.pi) * fraction))
        linear_cosine_decayed = (alpha + linear_decayed) * cosine_decayed + beta
        return math_ops.multiply(initial, linear_cosine_decayed, name=scope)


def noisy_linear_cosine_decay(
    learning_rate,
    global_step,
    decay_steps,
    initial_variance=1.0,
    variance_decay=0.55,
    num_periods=0.5,
    alpha=0.0,
    beta=0.001,
    name=None,
):
    """Linear cosine decay with decaying gaussian noise on the linear term."""
    with _scope(name, "NoisyLinearCosineDecay") as scope:
        initial = convert_to_tensor(learning_rate, name="initial_learning_rate")
        dtype = initial.dtype
        decay_steps = _cast(decay_steps, dtype)
        initial_variance = _cast(initial_variance, dtype)
        variance_decay = _cast(variance_decay, dtype)
        num_periods = _cast(num_periods, dtype)
        alpha = _cast(alpha, dtype)
        beta = _cast(beta, dtype)
        step = _cast(global_step, dtype)
        step = math_ops.minimum(step, decay_steps)
        linear_decayed = (decay_steps - step) / decay_steps
        variance = initial_variance / math_ops.pow(1.0 + step, variance_decay)
        std = math_ops.sqrt(variance)
        noisy_linear_decayed = linear_decayed + random_ops.random_normal(
            linear_decayed.shape, stddev=std
        )
        completed_fraction = step / decay_steps
        fraction = 2.0 * num_periods * completed_fraction
        cosine_decayed = 0.5 * (1.0 + math_ops.cos(array_ops.constant(math.pi) * fraction))
        noisy_linear_cosine_decayed = (alpha + noisy_linear_decayed) * cosine_decayed + beta
        return math_ops.multiply(initial, noisy_linear_cosine_decayed, name=scope)


def _flat(values) -> list:
    if isinstance(values, (list, tuple)):
        out = []
        for v in values:
            out.extend(_flat(v))
        return out
    return [values]


def piecewise_constant(x, boundaries, values, name=None):
    """values[0] while x <= boundaries[0], values[i] while boundaries[i-1] < x <=
    boundaries[i], values[-1] after the last boundary (a `case` over the intervals).

    Raises:
        ValueError: if the boundaries' dtype differs from x's (int32 boundaries are cast
            for an int64 x), the values differ in dtype, or their counts do not match.
    """
    boundaries = [convert_to_tensor(b) for b in _flat(boundaries)]
    values = [convert_to_tensor(v) for v in _flat(values)]
    x_recomp = convert_to_tensor(x)
    for i, b in enumerate(boundaries):
        if b.dtype.base_dtype != x_recomp.dtype.base_dtype:
            if b.dtype.base_dtype == dtypes.int32 and x_recomp.dtype.base_dtype == dtypes.int64:
                boundaries[i] = _cast(b, x_recomp.dtype.base_dtype)
            else:
                raise ValueError(
                    f"Boundaries ({b.dtype.base_dtype}) must have the same dtype as x "
                    f"({x_recomp.dtype.base_dtype})."
                )
    for v in values[1:]:
        if v.dtype.base_dtype != values[0].dtype.base_dtype:
            raise ValueError(
                "Values must have elements all with the same dtype "
                f"({values[0].dtype.base_dtype} vs {v.dtype.base_dtype})."
            )
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with _scope(name, "PiecewiseConstant"):
        boundaries = [convert_to_tensor(b) for b in boundaries]
        values = [convert_to_tensor(v) for v in values]
        x_recomp = convert_to_tensor(x)
        for i, b in enumerate(boundaries):
            if b.dtype.base_dtype != x_recomp.dtype.base_dtype:
                boundaries[i] = _cast(b, x_recomp.dtype.base_dtype)
        pred_fn_pairs = [
            (x_recomp <= boundaries[0], lambda: values[0]),
            (x_recomp > boundaries[-1], lambda: values[-1]),
        ]
        for low, high, v in zip(boundaries[:-1], boundaries[1:], values[1:-1]):
            pred = (x_recomp > low) & (x_recomp <= high)
            pred_fn_pairs.append((pred, lambda v=v: v))
        return control_flow_case.case(pred_fn_pairs, lambda: values[0], exclusive=True)


piecewise_constant_decay = piecewise_constant

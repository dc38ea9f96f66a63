"""Keras learning-rate schedules (`tf.keras.optimizers.schedules`): objects called with
the step that return the rate as a tensor (`ExponentialDecay`, `InverseTimeDecay`,
`PiecewiseConstantDecay`, `PolynomialDecay` building the ops of their `tf.train` twins,
`CosineDecay` with optional linear warmup, `CosineDecayRestarts`, the SGDR schedule),
serializable through `get_config`, `serialize` and `deserialize`."""

from __future__ import annotations

import math

from tfgraph.framework import convert
from tfgraph.framework.graph import name_scope
from tfgraph.ops import array_ops, control_flow_ops, math_ops

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "serialize",
]


class LearningRateSchedule:
    """The base of schedules: `__call__(step)` gives the rate, `get_config()` the
    constructor arguments."""

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
            "in order to be serializable."
        )

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class CosineDecay(LearningRateSchedule):
    """`initial_learning_rate` decayed along half a cosine to `alpha` of it over
    `decay_steps` (then held); with `warmup_target`, first a linear ramp to it over
    `warmup_steps` and the cosine from there."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None,
                 warmup_target=None, warmup_steps=0):  # fmt: skip
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def _decay(self, step, decay_steps, decay_from_lr, dtype):
        with name_scope(self.name or "CosineDecay"):
            fraction = step / decay_steps
            pi = convert.constant(math.pi, dtype=dtype)
            cosine = 0.5 * (1.0 + math_ops.cos(pi * fraction))
            return math_ops.multiply(decay_from_lr, (1 - self.alpha) * cosine + self.alpha)

    def _warmup(self, step, warmup_steps, warmup_target, initial_lr):
        with name_scope(self.name or "CosineDecay"):
            return (warmup_target - initial_lr) * (step / warmup_steps) + initial_lr

    def __call__(self, step):
        with name_scope(self.name or "CosineDecay"):
            initial = convert.convert_to_tensor(
                self.initial_learning_rate, name="initial_learning_rate"
            )
            dtype = initial.dtype
            decay_steps = array_ops.cast(self.decay_steps, dtype)
            step = array_ops.cast(step, dtype)
            if self.warmup_target is None:
                step = math_ops.minimum(step, decay_steps)
                return self._decay(step, decay_steps, initial, dtype)
            target = array_ops.cast(self.warmup_target, dtype)
            warmup_steps = array_ops.cast(self.warmup_steps, dtype)
            step = math_ops.minimum(step, decay_steps + warmup_steps)
            return control_flow_ops.cond(
                step < warmup_steps,
                lambda: self._warmup(step, warmup_steps, target, initial),
                lambda: self._decay(step - warmup_steps, decay_steps, target, dtype),
            )

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


def _restart_position(fraction, t_mul, geometric: bool):
    """(restart index, fraction of the current period) for periods growing by t_mul."""
    if geometric:
        i_restart = math_ops.floor(
            math_ops.log(1.0 - fraction * (1.0 - t_mul)) / math_ops.log(t_mul)
        )
        sum_r = (1.0 - t_mul**i_restart) / (1.0 - t_mul)
        return i_restart, (fraction - sum_r) / t_mul**i_restart
    i_restart = math_ops.floor(fraction)
    return i_restart, fraction - i_restart


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): the first period lasts
    `first_decay_steps`, each next one `t_mul` times longer with a peak `m_mul` times
    lower; the rate never falls below `alpha` of the peak."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name=None):  # fmt: skip
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        with name_scope(self.name or "SGDRDecay") as name:
            initial = convert.convert_to_tensor(
                self.initial_learning_rate, name="initial_learning_rate"
            )
            dtype = initial.dtype
            first_decay_steps = array_ops.cast(self.first_decay_steps, dtype)
            alpha = array_ops.cast(self.alpha, dtype)
            t_mul = array_ops.cast(self._t_mul, dtype)
            m_mul = array_ops.cast(self._m_mul, dtype)
            fraction = array_ops.cast(step, dtype) / first_decay_steps
            i_restart, fraction = control_flow_ops.cond(
                math_ops.equal(t_mul, 1.0),
                lambda: _restart_position(fraction, t_mul, geometric=False),
                lambda: _restart_position(fraction, t_mul, geometric=True),
            )
            m_fac = m_mul**i_restart
            pi = convert.constant(math.pi, dtype=dtype)
            cosine = 0.5 * m_fac * (1.0 + math_ops.cos(pi * fraction))
            return math_ops.multiply(initial, (1 - alpha) * cosine + alpha, name=name)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


class ExponentialDecay(LearningRateSchedule):
    """`initial_learning_rate * decay_rate ^ (step / decay_steps)` (the exponent floored
    with `staircase`)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):  # fmt: skip
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        from tfgraph.training import learning_rate_decay

        return learning_rate_decay.exponential_decay(
            self.initial_learning_rate, step, self.decay_steps, self.decay_rate,
            staircase=self.staircase, name=self.name,
        )  # fmt: skip

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class InverseTimeDecay(ExponentialDecay):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)` (the quotient
    floored with `staircase`)."""

    def __call__(self, step):
        from tfgraph.training import learning_rate_decay

        return learning_rate_decay.inverse_time_decay(
            self.initial_learning_rate, step, self.decay_steps, self.decay_rate,
            staircase=self.staircase, name=self.name,
        )  # fmt: skip


class PolynomialDecay(LearningRateSchedule):
    """From `initial_learning_rate` to `end_learning_rate` along `(1 - step /
    decay_steps) ^ power`; with `cycle` the decay restarts at each multiple of
    `decay_steps`."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name=None):  # fmt: skip
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        from tfgraph.training import learning_rate_decay

        return learning_rate_decay.polynomial_decay(
            self.initial_learning_rate, step, self.decay_steps, self.end_learning_rate,
            power=self.power, cycle=self.cycle, name=self.name,
        )  # fmt: skip

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[i]` while `boundaries[i-1] < step <= boundaries[i]` (`values[0]` up to
    the first boundary, `values[-1]` after the last); the boundaries are cast to the
    step's dtype.

    Raises:
        ValueError: if there is not exactly one more value than boundaries.
    """

    def __init__(self, boundaries, values, name=None):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        from tfgraph.training import learning_rate_decay

        step = convert.convert_to_tensor(step)
        boundaries = [array_ops.cast(b, step.dtype) for b in self.boundaries]
        return learning_rate_decay.piecewise_constant(
            step, boundaries, list(self.values), name=self.name
        )

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


def serialize(learning_rate_schedule, use_legacy_format=False) -> dict:
    """`{"class_name": ..., "config": get_config()}` of a schedule."""
    return {
        "class_name": type(learning_rate_schedule).__name__,
        "config": learning_rate_schedule.get_config(),
    }


def deserialize(config, custom_objects=None, use_legacy_format=False):
    """The schedule a `serialize` dict describes (custom classes from `custom_objects`
    or the registered objects).

    Raises:
        ValueError: if the class is unknown.
    """
    from tfgraph.keras.saving.serialization import deserialize_keras_object

    objects = {
        name: value
        for name, value in globals().items()
        if isinstance(value, type) and issubclass(value, LearningRateSchedule)
    }
    return deserialize_keras_object(config, objects, custom_objects, "decay")

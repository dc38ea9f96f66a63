"""`tf.contrib.layers.optimize_loss` and `adaptive_clipping_fn`: a training op from a
loss in one call (learning-rate variable, update ops, gradient noise, multipliers and
clipping, summaries), as TF 1.x contrib built it (tf-slim keeps it: the oracle)."""

from __future__ import annotations

from collections.abc import Callable

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import GraphKeys, get_collection
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.framework.ops import Tensor
from tfgraph.ops import (
    array_ops,
    check_ops,
    clip_ops,
    control_flow_ops,
    init_ops,
    math_ops,
    random_ops,
)
from tfgraph.summary import histogram, scalar
from tfgraph.training import (
    adagrad,
    adam,
    ftrl,
    gradient_descent,
    momentum,
    rmsprop,
    training_util,
)
from tfgraph.training.moving_averages import assign_moving_average
from tfgraph.training.optimizer import Optimizer
from tfgraph.variable_scope import get_variable, variable_scope
from tfgraph.variables import trainable_variables

__all__ = ["OPTIMIZER_CLS_NAMES", "OPTIMIZER_SUMMARIES", "adaptive_clipping_fn", "optimize_loss"]

OPTIMIZER_CLS_NAMES: dict[str, Callable[..., Optimizer]] = {
    "Adagrad": adagrad.AdagradOptimizer,
    "Adam": adam.AdamOptimizer,
    "Ftrl": ftrl.FtrlOptimizer,
    "Momentum": lambda learning_rate: momentum.MomentumOptimizer(learning_rate, momentum=0.9),
    "RMSProp": rmsprop.RMSPropOptimizer,
    "SGD": gradient_descent.GradientDescentOptimizer,
}

OPTIMIZER_SUMMARIES = [
    "learning_rate",
    "loss",
    "gradients",
    "gradient_norm",
    "global_gradient_norm",
]


def _learning_rate(learning_rate):
    """The learning rate as a tensor: a scalar tensor as given, a float as the
    non-trainable variable `learning_rate` of the current scope."""
    if learning_rate is None:
        return None
    if isinstance(learning_rate, Tensor) and learning_rate.shape.ndims == 0:
        return learning_rate
    if isinstance(learning_rate, float):
        if learning_rate < 0.0:
            raise ValueError(f"Invalid learning_rate {learning_rate}.")
        return get_variable(
            "learning_rate",
            [],
            trainable=False,
            initializer=init_ops.constant_initializer(learning_rate),
        )
    raise ValueError(
        f"Learning rate should be 0d Tensor or float. Got {learning_rate} of type "
        f"{type(learning_rate)}"
    )


def _make_optimizer(optimizer, learning_rate, lr) -> Optimizer:
    """An Optimizer from a name, an Optimizer class, an instance, or a factory."""
    if isinstance(optimizer, str):
        if lr is None:
            raise ValueError(
                f"Learning rate is None, but should be specified if optimizer is string "
                f"({optimizer})."
            )
        if optimizer not in OPTIMIZER_CLS_NAMES:
            raise ValueError(
                f"Optimizer name should be one of [{', '.join(OPTIMIZER_CLS_NAMES)}], you "
                f"provided {optimizer}."
            )
        return OPTIMIZER_CLS_NAMES[optimizer](learning_rate=lr)
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        if lr is None:
            raise ValueError(
                f"Learning rate is None, but should be specified if optimizer is class "
                f"({optimizer})."
            )
        return optimizer(learning_rate=lr)  # type: ignore[call-arg]  # (its subclasses take it)
    if isinstance(optimizer, Optimizer):
        return optimizer
    if callable(optimizer):
        made = optimizer(lr) if learning_rate is not None else optimizer()
        if not isinstance(made, Optimizer):
            raise ValueError(
                f"Unrecognized optimizer: function should return subclass of Optimizer. Got {made}."
            )
        return made
    raise ValueError(
        "Unrecognized optimizer: should be string, subclass of Optimizer, instance of "
        f"subclass of Optimizer or function with one argument. Got {optimizer}."
    )


def _scale(grad, factor):
    if isinstance(grad, IndexedSlices):
        return IndexedSlices(grad.values * factor, grad.indices, grad.dense_shape)
    return grad * factor


def _gradient_values(grad):
    return grad.values if isinstance(grad, IndexedSlices) else grad


def _add_noise(grads_and_vars, scale):
    out = []
    for grad, var in grads_and_vars:
        if grad is not None:
            shape = grad.dense_shape if isinstance(grad, IndexedSlices) else grad.shape
            grad = grad + random_ops.truncated_normal(shape) * scale
        out.append((grad, var))
    return out


def _multiply(grads_and_vars, multipliers):
    out = []
    for grad, var in grads_and_vars:
        if grad is not None and (var in multipliers or var.name in multipliers):
            factor = multipliers[var] if var in multipliers else multipliers[var.name]
            if isinstance(grad, IndexedSlices):
                grad = _scale(grad, factor)
            else:
                grad = grad * array_ops.cast(factor, grad.dtype)
        out.append((grad, var))
    return out


def _global_norm(grads_and_vars):
    return clip_ops.global_norm([g for g, _ in grads_and_vars])


def optimize_loss(
    loss,
    global_step,
    learning_rate,
    optimizer,
    gradient_noise_scale=None,
    gradient_multipliers=None,
    clip_gradients=None,
    learning_rate_decay_fn=None,
    update_ops=None,
    variables=None,
    name=None,
    summaries=None,
    colocate_gradients_with_ops=False,
    increment_global_step=True,
):
    """A training op for `loss`: the loss tensor, run after the update (TF1 contrib's
    `optimize_loss`; see the module docstring and TF's reference for the arguments)."""
    loss = convert_to_tensor(loss)
    check_ops.assert_scalar(loss)
    if global_step is None:
        global_step = training_util.get_global_step()
    else:
        training_util.assert_global_step(global_step)
    with variable_scope(name, "OptimizeLoss", [loss, global_step]):
        if update_ops is None:
            update_ops = set(get_collection(GraphKeys.UPDATE_OPS))
        if update_ops:
            loss = control_flow_ops.with_dependencies(list(update_ops), loss)
        lr = _learning_rate(learning_rate)
        if summaries is None:
            summaries = ["loss", "learning_rate", "global_gradient_norm"]
        for summary_name in summaries:
            if summary_name not in OPTIMIZER_SUMMARIES:
                raise ValueError(
                    f"Summaries should be one of [{', '.join(OPTIMIZER_SUMMARIES)}], you "
                    f"provided {summary_name}."
                )
        if learning_rate is not None and learning_rate_decay_fn is not None:
            if global_step is None:
                raise ValueError("global_step is required for learning_rate_decay_fn.")
            lr = learning_rate_decay_fn(lr, global_step)
            if "learning_rate" in summaries:
                scalar("learning_rate", lr)
        opt = _make_optimizer(optimizer, learning_rate, lr)
        if variables is None:
            variables = trainable_variables()
        grads = opt.compute_gradients(
            loss, variables, colocate_gradients_with_ops=colocate_gradients_with_ops
        )
        if gradient_noise_scale is not None:
            grads = _add_noise(grads, gradient_noise_scale)
        if gradient_multipliers is not None:
            grads = _multiply(grads, gradient_multipliers)
            if not grads:
                raise ValueError(
                    "Empty list of (gradient, var) pairs encountered. This is most likely to "
                    "be caused by an improper value of gradient_multipliers."
                )
        norms = "global_gradient_norm" in summaries or "gradient_norm" in summaries
        if norms:
            scalar("global_norm/gradient_norm", _global_norm(grads))
        if isinstance(clip_gradients, float):
            clipped, _ = clip_ops.clip_by_global_norm([g for g, _ in grads], clip_gradients)
            grads = list(zip(clipped, [v for _, v in grads]))
        elif callable(clip_gradients):
            grads = clip_gradients(grads)
        elif clip_gradients is not None:
            raise ValueError(f"Unknown type {type(clip_gradients)} for clip_gradients")
        if "loss" in summaries:
            scalar("loss", loss)
        for grad, var in grads:
            values = _gradient_values(grad)
            if values is None:
                continue
            var_name = var.name.replace(":", "_")
            if "gradients" in summaries:
                histogram(f"gradients/{var_name}", values)
            if "gradient_norm" in summaries:
                scalar(f"gradient_norm/{var_name}", clip_ops.global_norm([values]))
        if clip_gradients is not None and norms:
            scalar("global_norm/clipped_gradient_norm", _global_norm(grads))
        update = opt.apply_gradients(
            grads, global_step=global_step if increment_global_step else None, name="train"
        )
        return control_flow_ops.with_dependencies([update], loss)


def adaptive_clipping_fn(
    std_factor=2.0,
    decay=0.95,
    static_max_norm=None,
    global_step=None,
    report_summary=False,
    epsilon=1e-8,
    name=None,
):
    """A `clip_gradients` function for `optimize_loss`: keeps moving averages of the
    mean and variance of log(global gradient norm); when the norm exceeds
    exp(mean + std_factor * std), rescales the gradients to norm exp(mean)."""

    def clip(grads_and_vars):
        grads = [g for g, _ in grads_and_vars]
        norm = clip_ops.global_norm(grads)
        with variable_scope(name, "AdaptiveMaxNorm", [norm]):
            log_norm = math_ops.log(norm + epsilon)
            rate = decay
            if global_step is not None:
                n = array_ops.cast(global_step, dtypes.float32)
                rate = math_ops.minimum(decay, n / (n + 1.0))

            def average(var_name, value):
                variable = get_variable(
                    var_name,
                    shape=value.shape,
                    dtype=value.dtype,
                    initializer=init_ops.zeros_initializer(),
                    trainable=False,
                )
                return assign_moving_average(variable, value, rate, zero_debias=False)

            mean = average("mean", log_norm)
            sq_mean = average("sq_mean", math_ops.square(log_norm))
            std = math_ops.sqrt(math_ops.maximum(epsilon, sq_mean - math_ops.square(mean)))
            max_norm = math_ops.exp(mean + std_factor * std)
        if report_summary:
            scalar("global_norm/adaptive_max_gradient_norm", max_norm)
        factor = array_ops.where(
            norm < max_norm, array_ops.ones_like(norm), math_ops.exp(mean) / norm
        )
        if static_max_norm is not None:
            factor = math_ops.minimum(static_max_norm / norm, factor)
        return [(None if g is None else _scale(g, factor), v) for g, v in grads_and_vars]

    return clip

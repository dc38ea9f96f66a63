"""ApplyAdagradDA / SparseApplyAdagradDA (and their Resource forms): Adagrad dual
averaging, as TF's kernels compute it:

    g_acc += grad;  gg_acc += grad^2
    var = -lr * sign(g_acc) * max(|g_acc| - l1 * step, 0) / (l2 * step * lr + sqrt(gg_acc))

(with l1 <= 0 the shrinkage is left out: var = -lr * g_acc / (...)).
"""

from __future__ import annotations

import numpy as np

from tfgraph.ops.training_ops import (
    _apply,
    _dense_kernel,
    _register,
    _reordering,
    _sparse_kernel,
)

__all__ = ["apply_adagrad_da", "sparse_apply_adagrad_da"]

_SLOTS = ("gradient_accumulator", "gradient_squared_accumulator")
_SCALARS = ("lr", "l1", "l2", "global_step")


def _adagrad_da_update(op, T):
    def update(arrays, scalars, grad):
        var, g_acc, gg_acc = arrays
        lr, l1, l2, step = scalars
        lr, l1, l2, step = T(lr), T(l1), T(l2), T(step)
        g_acc += grad
        gg_acc += np.square(grad)
        denominator = l2 * step * lr + np.sqrt(gg_acc)
        if l1 > 0:
            shrunk = np.maximum(np.abs(g_acc) - l1 * step, T(0))
            var[...] = lr * np.sign(-g_acc) * shrunk / denominator
        else:
            var[...] = lr * g_acc * T(-1) / denominator

    return update


def _sparse_adagrad_da_update(op, T):
    """The row update as TF's sparse kernel orders it (same value, other roundings)."""

    def update(arrays, scalars, grad):
        var, g_acc, gg_acc = arrays
        lr, l1, l2, step = T(scalars[0]), T(scalars[1]), T(scalars[2]), T(scalars[3])
        step_lr = T(step * lr)
        g_acc += grad
        gg_acc += np.square(grad)
        denominator = l2 + np.sqrt(gg_acc) / step_lr
        if l1 > 0:
            shrunk = np.maximum(np.abs(g_acc) / step - l1, T(0))
            var[...] = T(-1) * np.sign(g_acc) * shrunk / denominator
        else:
            var[...] = T(-1) * (g_acc / step) / denominator

    return update


_register(
    "ApplyAdagradDA",
    [
        "var: Ref(T)", "gradient_accumulator: Ref(T)", "gradient_squared_accumulator: Ref(T)",
        "grad: T", "lr: T", "l1: T", "l2: T", "global_step: int64",
    ],
    "vvvgssss",
    _reordering(_dense_kernel(_SLOTS, _SCALARS, _adagrad_da_update), 3, 3),
)  # fmt: skip
_register(
    "SparseApplyAdagradDA",
    [
        "var: Ref(T)", "gradient_accumulator: Ref(T)", "gradient_squared_accumulator: Ref(T)",
        "grad: T", "indices: Tindices", "lr: T", "l1: T", "l2: T", "global_step: int64",
    ],
    "vvvGissss",
    _sparse_kernel(_SLOTS, (), _SCALARS, _sparse_adagrad_da_update),
)  # fmt: skip


def apply_adagrad_da(
    var, gradient_accumulator, gradient_squared_accumulator, grad, lr, l1, l2, global_step,
    use_locking=False, name=None,
):  # fmt: skip
    """Adagrad dual averaging (see the module docstring)."""
    return _apply(
        "ApplyAdagradDA", name,
        [var, gradient_accumulator, gradient_squared_accumulator, grad, lr, l1, l2, global_step],
        use_locking,
    )  # fmt: skip


def sparse_apply_adagrad_da(
    var, gradient_accumulator, gradient_squared_accumulator, grad, indices, lr, l1, l2,
    global_step, use_locking=False, name=None,
):  # fmt: skip
    """Adagrad dual averaging of the rows `indices` (see the module docstring)."""
    return _apply(
        "SparseApplyAdagradDA", name,
        [
            var, gradient_accumulator, gradient_squared_accumulator, grad, indices, lr, l1, l2,
            global_step,
        ],
        use_locking,
    )  # fmt: skip

"""The optimizer argument of canned estimators: a name, an instance or a callable."""

from __future__ import annotations

__all__ = ["get_optimizer_instance"]


def _classes():
    import tfgraph as tf

    return {
        "Adagrad": tf.train.AdagradOptimizer,
        "Adam": tf.train.AdamOptimizer,
        "Ftrl": tf.train.FtrlOptimizer,
        "RMSProp": tf.train.RMSPropOptimizer,
        "SGD": tf.train.GradientDescentOptimizer,
    }


def get_optimizer_instance(opt, learning_rate=None):
    """An Optimizer from a name ('Adagrad', 'Adam', 'Ftrl', 'RMSProp', 'SGD', with
    `learning_rate`), an Optimizer, or a callable returning one."""
    import tfgraph as tf

    classes = _classes()
    if isinstance(opt, str):
        if opt in classes:
            if not learning_rate:
                raise ValueError("learning_rate must be specified when opt is string.")
            return classes[opt](learning_rate=learning_rate)
        raise ValueError(
            f"Unsupported optimizer name: {opt}. Supported names are: {tuple(sorted(classes))}"
        )
    if callable(opt):
        opt = opt()
    if not isinstance(opt, tf.train.Optimizer):
        raise ValueError(f"The given object is not an Optimizer instance. Given: {opt}")
    return opt

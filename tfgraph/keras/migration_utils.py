"""`tf.compat.v1.keras.utils.DeterministicRandomTestTool`: reproducible random ops for
comparing a TF1 graph with its TF2 rewrite (Keras 2)."""

from __future__ import annotations

import contextlib

__all__ = ["DeterministicRandomTestTool"]


class DeterministicRandomTestTool:
    """Inside `scope()`, every random op gets the seed pair (seed, operation_seed): in
    "constant" mode the same operation seed for all of them (and it is also set as the
    graph seed); in "num_random_ops" mode operation seeds 0, 1, 2, ... in creation order
    (reusing one raises ValueError)."""

    def __init__(self, seed: int = 42, mode="constant") -> None:
        if mode not in {"constant", "num_random_ops"}:
            raise ValueError(f"Mode arg must be 'constant' or 'num_random_ops'. Got: {mode}")
        self._mode = mode
        self._seed = seed
        self.operation_seed = 0
        self._observed_seeds: set = set()

    @property
    def operation_seed(self) -> int:
        return self._operation_seed

    @operation_seed.setter
    def operation_seed(self, value) -> None:
        self._operation_seed = value

    def _get_seed(self, _op_seed):
        from tfgraph.framework.random_seed import set_random_seed

        op_seed = self._operation_seed
        if self._mode == "constant":
            set_random_seed(op_seed)
        else:
            if op_seed in self._observed_seeds:
                raise ValueError(
                    "This `DeterministicRandomTestTool` object is trying to re-use the "
                    f"already-used operation seed {op_seed}. It cannot guarantee random "
                    "numbers will match between eager and sessions when an operation seed is "
                    "reused. You most likely set `operation_seed` explicitly but used a value "
                    "that caused the naturally-incrementing operation seed sequences to "
                    "overlap with an already-used seed."
                )
            self._observed_seeds.add(op_seed)
            self._operation_seed += 1
        return (self._seed, op_seed)

    @contextlib.contextmanager
    def _patched(self):
        from tfgraph.framework import random_seed

        random_seed._override.append(self._get_seed)
        try:
            yield
        finally:
            random_seed._override.remove(self._get_seed)

    def scope(self):
        """A context in which random ops take their seeds from this tool (it also sets
        the graph seed to `seed` now)."""
        from tfgraph.framework.random_seed import set_random_seed

        set_random_seed(self._seed)
        return self._patched()

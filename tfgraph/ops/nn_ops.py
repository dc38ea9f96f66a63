"""Neural-network ops: activations, softmax and friends (forward kernels, shape rules)."""

from __future__ import annotations

__all__: list[str] = []

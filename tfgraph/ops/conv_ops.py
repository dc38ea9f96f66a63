"""Convolution and pooling ops: conv2d, max_pool, avg_pool, bias_add (NHWC/NCHW)."""

from __future__ import annotations

__all__: list[str] = []

"""Random ops (RandomUniform, RandomStandardNormal, TruncatedNormal, ...) and seeding."""

from __future__ import annotations

__all__: list[str] = []

"""`tf.lookup.experimental`: mutable tables are not provided yet (see
docs/api_exclusions.md); accessing one raises AttributeError with that reason."""

__all__: list[str] = []


def __getattr__(name: str):
    if name in ("DenseHashTable", "MutableHashTable"):
        raise AttributeError(
            f"tfgraph does not implement tf.lookup.experimental.{name} yet (mutable tables)"
        )
    raise AttributeError(f"module 'tf.lookup.experimental' has no attribute {name!r}")

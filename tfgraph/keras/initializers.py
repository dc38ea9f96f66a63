"""`tf.keras.initializers` as Keras 2 defines them in TF1 graph mode: TF's v1 initializer
classes (`tfgraph.ops.init_ops`), with Keras's defaults for the random ones (stddev 0.05,
range +-0.05), and `get` resolving names such as 'glorot_uniform' or 'he_normal'."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.ops import init_ops

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "deserialize",
    "get",
    "normal",
    "serialize",
    "uniform",
]

Initializer = init_ops.Initializer
Zeros = init_ops.Zeros
Ones = init_ops.Ones
Constant = init_ops.Constant
VarianceScaling = init_ops.VarianceScaling
GlorotUniform = init_ops.GlorotUniform
GlorotNormal = init_ops.GlorotNormal
Orthogonal = init_ops.Orthogonal
Identity = init_ops.Identity


class RandomNormal(init_ops.RandomNormal):
    """Normal values, mean 0 and stddev 0.05 unless given."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype=dtypes.float32) -> None:
        super().__init__(mean=mean, stddev=stddev, seed=seed, dtype=dtype)


class RandomUniform(init_ops.RandomUniform):
    """Uniform values in [-0.05, 0.05) unless given."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None, dtype=dtypes.float32) -> None:
        super().__init__(minval=minval, maxval=maxval, seed=seed, dtype=dtype)


class TruncatedNormal(init_ops.TruncatedNormal):
    """Truncated normal values, mean 0 and stddev 0.05 unless given."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype=dtypes.float32) -> None:
        super().__init__(mean=mean, stddev=stddev, seed=seed, dtype=dtype)


class LecunNormal(init_ops.VarianceScaling):
    def get_config(self) -> dict:
        return {"seed": self.seed}

    def __init__(self, seed=None, **kwargs) -> None:
        super().__init__(scale=1.0, mode="fan_in", distribution="truncated_normal", seed=seed)


class LecunUniform(init_ops.VarianceScaling):
    def get_config(self) -> dict:
        return {"seed": self.seed}

    def __init__(self, seed=None, **kwargs) -> None:
        super().__init__(scale=1.0, mode="fan_in", distribution="uniform", seed=seed)


class HeNormal(init_ops.VarianceScaling):
    def get_config(self) -> dict:
        return {"seed": self.seed}

    def __init__(self, seed=None, **kwargs) -> None:
        super().__init__(scale=2.0, mode="fan_in", distribution="truncated_normal", seed=seed)


class HeUniform(init_ops.VarianceScaling):
    def get_config(self) -> dict:
        return {"seed": self.seed}

    def __init__(self, seed=None, **kwargs) -> None:
        super().__init__(scale=2.0, mode="fan_in", distribution="uniform", seed=seed)


_BY_NAME: dict[str, type] = {
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "random_normal": RandomNormal,
    "normal": RandomNormal,
    "random_uniform": RandomUniform,
    "uniform": RandomUniform,
    "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_normal": HeNormal,
    "he_uniform": HeUniform,
    "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform,
    "orthogonal": Orthogonal,
    "identity": Identity,
}
for _cls in list(set(_BY_NAME.values())):
    _BY_NAME[_cls.__name__] = _cls

# lower-case aliases, as `tf.keras.initializers.glorot_uniform` etc.
zeros = Zeros
ones = Ones
constant = Constant
random_normal = RandomNormal
random_uniform = RandomUniform
normal = RandomNormal
uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal
identity = Identity


def get(identifier):
    """An initializer from a name ('glorot_uniform'), a config dict, or itself."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier)
        if cls is None:
            raise ValueError(
                f"Unknown initializer: '{identifier}'. Please ensure you are "
                "using a `keras.utils.custom_object_scope` and that this object "
                "is included in the scope."
            )
        return cls()
    if callable(identifier):
        if isinstance(identifier, type):
            return identifier()
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")


def serialize(initializer, use_legacy_format=False) -> dict:
    """{"class_name", "config"}: Keras 2's legacy format (TF1's, whatever
    `use_legacy_format` says; TF2's `deserialize` reads it)."""
    config = initializer.get_config() if hasattr(initializer, "get_config") else {}
    return {"class_name": type(initializer).__name__, "config": config}


def deserialize(config, custom_objects=None, use_legacy_format=False):
    """The initializer a {"class_name", "config"} dict (or TF2's format, with "module"
    and "registered_name") or a name describes; `custom_objects` maps names to classes.

    Raises:
        ValueError: the class is neither a Keras initializer nor in `custom_objects`.
    """
    from tfgraph.keras.saving.serialization import from_keras_format

    config = from_keras_format(config)
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _BY_NAME.get(name)
    if cls is None:
        raise ValueError(
            f"Unknown initializer: '{name}'. Please ensure you are using a "
            "`keras.utils.custom_object_scope` and that this object is included in the "
            "scope (or pass it in custom_objects)."
        )
    return cls(**config.get("config", {}))

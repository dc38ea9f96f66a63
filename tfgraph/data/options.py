"""`tf.data.Options` and its parts (`tf.data.ThreadingOptions`, the `experimental_*`
option groups), `Dataset.with_options` / `Dataset.options()` as TF1 graph mode has them,
and `tf.data.DatasetSpec`.

Options are type-checked properties (TF's messages for a wrong type or an unknown
name); `with_options` adds an OptionsDataset op whose `serialized_options` attr holds
the bytes of TF's `tensorflow.data.Options` proto (written here field by field, in
field-number order as protobuf does). In graph mode `Dataset.options()` merges the
options of the dataset's inputs, then its own, later settings winning, as TF does."""

from __future__ import annotations

import enum
import weakref

__all__ = [
    "AutoShardPolicy",
    "AutotuneAlgorithm",
    "AutotuneOptions",
    "DatasetSpec",
    "DistributeOptions",
    "ExternalStatePolicy",
    "OptimizationOptions",
    "Options",
    "ServiceOptions",
    "ThreadingOptions",
]


class AutotuneAlgorithm(enum.Enum):
    DEFAULT = 0
    HILL_CLIMB = 1
    GRADIENT_DESCENT = 2
    MAX_PARALLELISM = 3
    STAGE_BASED = 4


class AutoShardPolicy(enum.IntEnum):
    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3


class ExternalStatePolicy(enum.Enum):
    WARN = 0
    IGNORE = 1
    FAIL = 2


# -- protobuf wire format (what the options' protos serialize to) -------------------------
def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, value) -> bytes:
    """One field: bools, ints and enums as varints, bytes/str/messages length-delimited."""
    if isinstance(value, (bytes, str)):
        data = value.encode() if isinstance(value, str) else value
        return _varint(number << 3 | 2) + _varint(len(data)) + data
    if isinstance(value, enum.Enum):
        value = value.value
    return _varint(number << 3) + _varint(int(value))


def _message(fields) -> bytes:
    """`fields`: (number, value) pairs with None for unset; written in number order."""
    out = b""
    for number, value in sorted(fields, key=lambda f: f[0]):
        if value is None:
            continue
        if isinstance(value, list):
            out += b"".join(_field(number, v) for v in value)
        else:
            out += _field(number, value)
    return out


# -- OptionsBase ---------------------------------------------------------------------------
class OptionsBase:
    """A set of type-checked options; unset options read as their defaults."""

    def __init__(self):
        object.__setattr__(self, "_options", {})
        object.__setattr__(self, "_mutable", True)

    def __eq__(self, other):
        if not isinstance(other, self.__class__):
            return NotImplemented
        for name in set(self._options) | set(other._options):
            if getattr(self, name) != getattr(other, name):
                return False
        return True

    def __ne__(self, other):
        if isinstance(other, self.__class__):
            return not self.__eq__(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # (mutable, compared by value)

    def __setattr__(self, name, value):
        if not self._mutable:
            raise ValueError(
                "Mutating `tf.data.Options()` returned by `tf.data.Dataset.options()` has no "
                "effect. Use `tf.data.Dataset.with_options(options)` to set or update dataset "
                "options."
            )
        if hasattr(self, name):
            object.__setattr__(self, name, value)
        else:
            raise AttributeError(f"Cannot set the property {name} on {type(self).__name__}.")

    def _set_mutable(self, mutable):
        object.__setattr__(self, "_mutable", mutable)
        for value in self._options.values():
            if isinstance(value, OptionsBase):
                value._set_mutable(mutable)


def _option(name, ty, doc, default_factory=lambda: None):
    """A type-checked property, as TF's `options_lib.create_option`."""

    def get(self):
        if name not in self._options:
            self._options[name] = default_factory()
        return self._options.get(name)

    def set_(self, value):
        if not isinstance(value, ty):
            raise TypeError(
                f'Property "{name}" must be of type {ty}, got: {value} (type: {type(value)})'
            )
        self._options[name] = value

    return property(get, set_, None, doc)


def merge_options(*options_list):
    """A new options object: the given ones merged, later settings winning (nested
    option groups merged recursively, `framework_type` lists concatenated)."""
    if not options_list:
        raise ValueError("At least one options should be provided")
    result_type = type(options_list[0])
    for options in options_list:
        if not isinstance(options, result_type):
            raise TypeError(
                f"Could not merge incompatible options of type {type(options)} and {result_type}."
            )
    if not isinstance(options_list[0], OptionsBase):
        raise TypeError(
            "All options to be merged should inherit from `OptionsBase` but found option of "
            f"type {type(options_list[0])} which does not."
        )
    default, result = result_type(), result_type()
    for options in options_list:
        for name in options._options:
            this, that, base = getattr(result, name), getattr(options, name), getattr(default, name)
            if that == base:
                continue
            if this == base:
                setattr(result, name, that)
            elif isinstance(this, OptionsBase):
                setattr(result, name, merge_options(this, that))
            elif name == "framework_type":
                setattr(result, name, this + that)
            elif this != that:
                setattr(result, name, that)
    return result


# -- the option groups ----------------------------------------------------------------------
class AutotuneOptions(OptionsBase):
    """Options for autotuning (`tf.data.Options().autotune`)."""

    enabled = _option("enabled", bool, "Whether to automatically tune performance knobs.")
    cpu_budget = _option("cpu_budget", int, "CPU budget for autotuning (0: all cores).")
    ram_budget = _option("ram_budget", int, "RAM budget in bytes for autotuning.")
    autotune_algorithm = _option(
        "autotune_algorithm", AutotuneAlgorithm, "The algorithm autotuning uses."
    )
    initial_parallelism = _option(
        "initial_parallelism", int, "Initial parallelism of autotuned transformations."
    )
    min_parallelism = _option(
        "min_parallelism", int, "Minimum parallelism of autotuned transformations."
    )

    def _to_bytes(self) -> bytes:
        return _message(
            [
                (1, self.enabled),
                (2, self.cpu_budget),
                (3, self.ram_budget),
                (4, self.autotune_algorithm),
                (5, self.initial_parallelism),
                (6, self.min_parallelism),
            ]
        )


class DistributeOptions(OptionsBase):
    """Options for distributed input pipelines (`experimental_distribute`)."""

    auto_shard_policy = _option(
        "auto_shard_policy",
        AutoShardPolicy,
        "The type of sharding to use.",
        default_factory=lambda: AutoShardPolicy.AUTO,
    )
    num_devices = _option("num_devices", int, "The number of devices of the pipeline.")

    def _to_bytes(self) -> bytes:
        policy = self.auto_shard_policy
        return _message([(1, policy.value or None), (2, self.num_devices)])


_OPTIMIZATIONS = (
    ("apply_default_optimizations", 1),
    ("filter_fusion", 6),
    ("filter_parallelization", 18),
    ("inject_prefetch", 19),
    ("seq_interleave_prefetch", 21),
    ("map_and_batch_fusion", 9),
    ("map_and_filter_fusion", 10),
    ("map_fusion", 11),
    ("map_parallelization", 12),
    ("noop_elimination", 14),
    ("parallel_batch", 15),
    ("shuffle_and_repeat_fusion", 17),
)


class OptimizationOptions(OptionsBase):
    """Which static optimizations to apply (`experimental_optimization`); tfgraph runs
    pipelines as written, so these only travel in the graph."""

    def _to_bytes(self) -> bytes:
        return _message([(number, getattr(self, name)) for name, number in _OPTIMIZATIONS])


for _name, _ in _OPTIMIZATIONS:
    setattr(OptimizationOptions, _name, _option(_name, bool, f"Whether to apply `{_name}`."))


class ServiceOptions(OptionsBase):
    """Options for the tf.data service (`experimental_service`)."""

    pinned = _option("pinned", bool, "Whether to use pinned buffers.")

    def _to_bytes(self) -> bytes:
        return _message([(1, self.pinned)])


class ThreadingOptions(OptionsBase):
    """Threading options of a dataset (`tf.data.Options().threading`)."""

    max_intra_op_parallelism = _option(
        "max_intra_op_parallelism", int, "If set, overrides the maximum intra-op parallelism."
    )
    private_threadpool_size = _option(
        "private_threadpool_size", int, "If set, the dataset uses a private threadpool."
    )

    def _to_bytes(self) -> bytes:
        return _message([(1, self.max_intra_op_parallelism), (2, self.private_threadpool_size)])


class Options(OptionsBase):
    """The options of a dataset: set them and attach with `Dataset.with_options`."""

    autotune = _option("autotune", AutotuneOptions, "Autotuning options.", AutotuneOptions)
    deterministic = _option(
        "deterministic", bool, "Whether elements must be produced in deterministic order."
    )
    experimental_deterministic = _option(
        "experimental_deterministic", bool, "Alias of `deterministic`."
    )
    experimental_distribute = _option(
        "experimental_distribute", DistributeOptions, "Distribution options.", DistributeOptions
    )
    experimental_external_state_policy = _option(
        "experimental_external_state_policy",
        ExternalStatePolicy,
        "How to handle external state when serializing the dataset.",
    )
    experimental_optimization = _option(
        "experimental_optimization",
        OptimizationOptions,
        "Static optimization options.",
        OptimizationOptions,
    )
    experimental_slack = _option("experimental_slack", bool, "Whether to introduce slack.")
    experimental_symbolic_checkpoint = _option(
        "experimental_symbolic_checkpoint", bool, "Whether to checkpoint symbolically."
    )
    experimental_service = _option(
        "experimental_service", ServiceOptions, "tf.data service options.", ServiceOptions
    )
    experimental_threading = _option(
        "experimental_threading", ThreadingOptions, "Deprecated alias of `threading`."
    )
    experimental_warm_start = _option(
        "experimental_warm_start", bool, "Whether to start background threads eagerly."
    )
    dataset_name = _option("dataset_name", str, "A name for the dataset.")
    framework_type = _option("framework_type", list, "The frameworks using the dataset.")
    threading = _option("threading", ThreadingOptions, "Threading options.", ThreadingOptions)

    _ALIASES = {
        "experimental_threading": "threading",
        "experimental_deterministic": "deterministic",
    }

    def __getattribute__(self, name):
        alias = Options._ALIASES.get(name)
        if alias is not None:
            return getattr(self, alias)
        return super().__getattribute__(name)

    def __setattr__(self, name, value):
        super().__setattr__(Options._ALIASES.get(name, name), value)

    def merge(self, options):
        """A new Options: this one merged with `options` (whose settings win)."""
        return merge_options(self, options)

    def _to_bytes(self) -> bytes:
        """The serialized `tensorflow.data.Options` proto TF puts in OptionsDataset."""
        return _message(
            [
                (1, self.deterministic),
                (2, self.experimental_distribute._to_bytes()),
                (3, self.experimental_optimization._to_bytes()),
                (4, self.experimental_slack),
                (5, self.threading._to_bytes()),
                (6, self.experimental_external_state_policy),
                (7, self.autotune._to_bytes()),
                (8, self.experimental_symbolic_checkpoint),
                (9, self.experimental_warm_start),
                (10, self.dataset_name),
                (11, list(self.framework_type) if self.framework_type else None),
                (12, self.experimental_service._to_bytes()),
            ]
        )


# -- with_options / options() -------------------------------------------------------------
_ATTACHED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # OptionsDataset op -> opts


def with_options(dataset, options, name=None):
    """`dataset` with `options` attached: an OptionsDataset op, colocated with the input."""
    from tfgraph.data.dataset_ops import Dataset, _attrs_for
    from tfgraph.ops import dataset_options_ops  # noqa: F401 - registers OptionsDataset
    from tfgraph.ops.apply import apply_op

    if not isinstance(options, Options):  # (TF fails reading the options' proto)
        raise AttributeError(f"'{type(options).__name__}' object has no attribute '_to_proto'")
    variant = dataset._variant_tensor
    attrs = _attrs_for(dataset.element_spec)
    attrs["serialized_options"] = options._to_bytes()
    with variant.graph.colocate_with(variant.op):
        op = apply_op("OptionsDataset", name, [variant], attrs)
    attached = merge_options(Options(), options)
    _ATTACHED[op] = attached
    return Dataset(op._outputs[0], dataset.element_spec)


def _options_of(tensor, memo) -> Options:
    op = tensor.op
    if op in memo:
        return memo[op]
    result = Options()
    for t in op.inputs:
        if t.dtype.name == "variant":
            result = result.merge(_options_of(t, memo))
    attached = _ATTACHED.get(op)
    if attached is not None:
        result = result.merge(attached)
    memo[op] = result
    return result


def dataset_options(dataset) -> Options:
    """The options of `dataset` (its inputs' merged, then its own), read-only."""
    result = _options_of(dataset._variant_tensor, {})
    result._set_mutable(False)
    return result


# -- DatasetSpec ----------------------------------------------------------------------------
class DatasetSpec:
    """The type of a dataset value: the spec of its elements and the dataset's shape."""

    def __init__(self, element_spec, dataset_shape=()):
        from tfgraph.framework.tensor_shape import TensorShape

        self._element_spec = element_spec
        self._dataset_shape = TensorShape(dataset_shape)

    @property
    def element_spec(self):
        return self._element_spec

    @property
    def value_type(self):
        from tfgraph.data.dataset_ops import Dataset

        return Dataset

    @staticmethod
    def from_value(value):
        return DatasetSpec(value.element_spec)

    def is_compatible_with(self, spec_or_value):
        other = spec_or_value
        if not isinstance(other, DatasetSpec):
            if not hasattr(other, "element_spec"):
                return False
            other = DatasetSpec.from_value(other)
        return self == other or (
            self._dataset_shape.is_compatible_with(other._dataset_shape)
            and _specs_compatible(self._element_spec, other._element_spec)
        )

    def __eq__(self, other):
        return (
            isinstance(other, DatasetSpec)
            and self._element_spec == other._element_spec
            and self._dataset_shape == other._dataset_shape
        )

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((repr(self._element_spec), repr(self._dataset_shape)))

    def __repr__(self):
        return f"DatasetSpec({self._element_spec!r}, {self._dataset_shape!r})"


def _specs_compatible(a, b) -> bool:
    from tfgraph.data import structure as nest

    def skeleton(structure):
        return nest.map_structure(lambda _: None, structure)

    if skeleton(a) != skeleton(b):
        return False
    return all(
        x.is_compatible_with(y) if hasattr(x, "is_compatible_with") else x == y
        for x, y in zip(nest.flatten(a), nest.flatten(b))
    )

"""`get_variable`, `variable_scope` and the per-graph variable store (TF1 semantics).

Each graph owns one `VariableStore` (kept on `graph._variable_store`): a dict from
full variable names to the variables `get_variable` created, plus the partitioned
variables, plus the per-thread variable-scope state (current `VariableScope` and how
often each scope name was opened, which uniquifies `default_name` scopes).

Names ignore name scopes: `get_variable("w")` inside `variable_scope("a")` creates
`a/w` whatever name scope is open, while ops get the (uniquified) name scope the
variable scope opened (`a/`, or `a_1/` when a scope object is re-entered).

Reuse follows TF: `reuse=None/False` creates (and fails if the variable exists),
`reuse=True` fetches (and fails if it does not), `AUTO_REUSE` does either. Reuse is
inherited by nested string scopes; re-entering a scope object uses that scope's own
reuse flag (or True if passed).
"""

from __future__ import annotations

import enum
import functools
import inspect
import os
import sys
import threading
import traceback
import types
from collections.abc import Sequence

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor, register_tensor_conversion_function
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape, as_shape
from tfgraph.ops import array_ops, init_ops
from tfgraph.partitioned_variables import PartitionedVariable
from tfgraph.variables import Variable, VariableAggregation, VariableSynchronization

__all__ = [
    "AUTO_REUSE",
    "VariableScope",
    "VariableStore",
    "get_local_variable",
    "get_variable",
    "get_variable_scope",
    "no_regularizer",
    "variable_op_scope",
    "variable_scope",
]


class _ReuseMode(enum.Enum):
    """Reuse modes beyond True/None: `AUTO_REUSE` creates or reuses as needed."""

    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE


def no_regularizer(_):
    """A regularizer that disables the scope's regularizer for one variable."""
    return None


# -- partition info -------------------------------------------------------------------------------
class _PartitionInfo:
    """Where a shard sits in the full variable; passed to initializers as
    `partition_info` so they can scale by (or slice) the full shape."""

    __slots__ = ("_full_shape", "_var_offset")

    def __init__(self, full_shape, var_offset) -> None:
        if not isinstance(full_shape, (list, tuple)):
            raise TypeError(
                "`full_shape` must be a sequence (like tuple or list) instead of "
                + type(full_shape).__name__
            )
        if not isinstance(var_offset, (list, tuple)):
            raise TypeError(
                "`var_offset` must be a sequence (like tuple or list) instead of "
                + type(var_offset).__name__
            )
        if len(var_offset) != len(full_shape):
            raise ValueError(
                f"Expected equal length, but `var_offset` is of length {len(var_offset)} while "
                f"full_shape is of length {len(full_shape)}."
            )
        for offset, dim in zip(var_offset, full_shape, strict=True):
            if offset < 0 or offset >= dim:
                raise ValueError(
                    f"Expected 0 <= offset < shape but found offset={offset}, shape={dim} for "
                    f"var_offset={var_offset}, full_shape={full_shape}"
                )
        self._full_shape = full_shape
        self._var_offset = var_offset

    @property
    def full_shape(self):
        return self._full_shape

    @property
    def var_offset(self):
        return self._var_offset

    def single_offset(self, shape) -> int:
        """The offset along the partitioned dimension (0 if not partitioned)."""
        dim = self.single_slice_dim(shape)
        return 0 if dim is None else self._var_offset[dim]

    def single_slice_dim(self, shape):
        """The dimension the variable is partitioned along, or None."""
        if not isinstance(shape, (tuple, list)):
            raise TypeError(
                "`shape` must be a sequence (like tuple or list) instead of " + type(shape).__name__
            )
        if len(shape) != len(self._full_shape):
            raise ValueError(
                f"Expected equal length, but received shape={shape} of length {len(shape)} "
                f"while self.full_shape={self._full_shape} is of length "
                f"{len(self._full_shape)}."
            )
        for i in range(len(shape)):
            if self._var_offset[i] + shape[i] > self._full_shape[i]:
                raise ValueError(
                    f"With self.var_offset={self._var_offset}, a partition of shape={shape} "
                    f"would exceed self.full_shape={self._full_shape} in dimension {i}."
                )
        slice_dim = None
        for i in range(len(shape)):
            if shape[i] == self._full_shape[i]:
                continue
            if slice_dim is not None:
                raise ValueError(
                    f"Cannot use single_slice_dim() with shape={shape} and "
                    f"self.full_shape={self._full_shape} since slice dim could be either "
                    f"dimension {i} or {slice_dim}."
                )
            slice_dim = i
        return slice_dim


# -- helpers ------------------------------------------------------------------------------------
_TFGRAPH_DIR = os.path.dirname(os.path.abspath(__file__))


def _creation_site(limit: int = 5) -> list[tuple[str, int, str]]:
    """The innermost `limit` caller frames outside tfgraph (for "Originally defined at")."""
    frames: list[tuple[str, int, str]] = []
    f: types.FrameType | None = sys._getframe(2)
    while f is not None and len(frames) < limit:
        code = f.f_code
        if not code.co_filename.startswith(_TFGRAPH_DIR):
            frames.append((code.co_filename, f.f_lineno, code.co_name))
        f = f.f_back
    return frames


def _format_site(frames) -> str:
    summary = traceback.StackSummary.from_list(
        [traceback.FrameSummary(fn, ln, name) for fn, ln, name in frames]
    )
    return "".join(summary.format())


_CALL_ARGS_CACHE: dict = {}


def _positional_args(fn) -> tuple[str, ...] | None:
    """The positional parameter names of `fn` (None if unknown)."""
    if isinstance(fn, types.FunctionType):
        code = fn.__code__
        return code.co_varnames[: code.co_argcount]
    key = type(fn) if not isinstance(fn, (functools.partial, types.MethodType)) else None
    if key is not None and key in _CALL_ARGS_CACHE:
        return _CALL_ARGS_CACHE[key]
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        result = None
    else:
        result = tuple(
            p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        )
    if key is not None:
        _CALL_ARGS_CACHE[key] = result
    return result


def _accepts_partition_info(initializer) -> bool:
    if isinstance(initializer, init_ops.Initializer) and type(initializer).__call__ in (
        _STANDARD_CALLS
    ):
        return True
    args = _positional_args(initializer)
    return args is not None and "partition_info" in args


_STANDARD_CALLS = frozenset(
    cls.__call__
    for cls in (
        init_ops.Zeros,
        init_ops.Ones,
        init_ops.Constant,
        init_ops.RandomUniform,
        init_ops.RandomNormal,
        init_ops.TruncatedNormal,
        init_ops.UniformUnitScaling,
        init_ops.VarianceScaling,
        init_ops.Orthogonal,
        init_ops.Identity,
    )
)


def _needs_no_arguments(fn) -> bool:
    """Whether `fn` can be called without arguments (all its parameters have defaults)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params
    )


def _takes_constraint(fn) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "constraint" or p.kind == p.VAR_KEYWORD for p in params)


def _validate_sync_aggregation_trainable(synchronization, aggregation, trainable, name):
    if aggregation is None:
        aggregation = VariableAggregation.NONE
    elif not isinstance(aggregation, VariableAggregation):
        try:
            aggregation = VariableAggregation(getattr(aggregation, "value", aggregation))
        except ValueError:
            raise ValueError(
                f"Invalid variable aggregation mode: {aggregation} for variable: {name}"
            ) from None
    if synchronization is None:
        synchronization = VariableSynchronization.AUTO
    elif not isinstance(synchronization, VariableSynchronization):
        try:
            synchronization = VariableSynchronization(
                getattr(synchronization, "value", synchronization)
            )
        except ValueError:
            raise ValueError(
                f"Invalid variable synchronization mode: {synchronization} for variable: {name}"
            ) from None
    if trainable is None:
        trainable = synchronization is not VariableSynchronization.ON_READ
    return synchronization, aggregation, trainable


def _call_partitioner(partitioner, shape: TensorShape, dtype) -> Sequence[int]:
    """Calls `partitioner(shape=, dtype=)` and checks its answer."""
    if not shape.is_fully_defined():
        raise ValueError(
            f"Shape of a new partitioned variable must be fully defined, but instead was {shape}."
        )
    assert shape.ndims is not None  # a fully defined shape has a rank
    if shape.ndims < 1:
        raise ValueError(f"A partitioned Variable must have rank at least 1, shape: {shape}")
    slicing = partitioner(shape=shape, dtype=dtype)
    if not isinstance(slicing, Sequence):
        raise ValueError(f"Partitioner must return a sequence, but saw: {slicing}")
    if len(slicing) != shape.ndims:
        raise ValueError(
            "Partitioner returned a partition list that does not match the Variable's rank: "
            f"{slicing} vs. {shape}"
        )
    if any(p < 1 for p in slicing):
        raise ValueError(f"Partitioner returned zero partitions for some axes: {slicing}")
    if sum(p > 1 for p in slicing) > 1:
        raise ValueError(
            f"Can only slice a variable along one dimension: shape: {shape}, partitioning: "
            f"{slicing}"
        )
    return slicing


def _get_slice_dim_and_num_slices(slicing) -> tuple[int, int]:
    for slice_dim, num_slices in enumerate(slicing):
        if num_slices > 1:
            return slice_dim, num_slices
    return 0, 1


def _iter_slices(full_shape: list, num_slices: int, slice_dim: int):
    """(offset, shape) of each shard; the first `full % num` shards get one extra row."""
    excess = full_shape[slice_dim] % num_slices
    offset = [0] * len(full_shape)
    min_len = full_shape[slice_dim] // num_slices
    for i in range(num_slices):
        shape = list(full_shape)
        shape[slice_dim] = min_len + (1 if i < excess else 0)
        yield list(offset), shape
        offset[slice_dim] += shape[slice_dim]


# -- regularization losses ----------------------------------------------------------------------
class _LazyEvalTensor:
    """A regularization loss kept in REGULARIZATION_LOSSES: it names its first copy (made
    under `<var>/Regularizer/`), and each conversion to a tensor rebuilds the loss in the
    current context, as TensorFlow does."""

    def __init__(self, thunk) -> None:
        self._thunk = thunk
        self._master_tensor = thunk()

    def _as_tensor(self, dtype=None, name=None, as_ref=False):
        return self._thunk()

    def _as_graph_element(self):
        return self._master_tensor

    name = property(lambda self: self._master_tensor.name)
    dtype = property(lambda self: self._master_tensor.dtype)
    shape = property(lambda self: self._master_tensor.shape)
    op = property(lambda self: self._master_tensor.op)
    graph = property(lambda self: self._master_tensor.graph)
    device = property(lambda self: self._master_tensor.device)
    value_index = property(lambda self: self._master_tensor.value_index)

    def get_shape(self):
        return self._master_tensor.get_shape()

    def eval(self, feed_dict=None, session=None):
        return self._master_tensor.eval(feed_dict=feed_dict, session=session)

    def __str__(self) -> str:
        return str(self._master_tensor)

    def __repr__(self) -> str:
        return f"<_LazyEvalTensor {self._master_tensor.name}>"

    def __hash__(self) -> int:
        return id(self)


def _lazy_op_method(name: str):
    def method(self, *args, **kwargs):
        return getattr(self._as_tensor(), name)(*args, **kwargs)

    method.__name__ = name
    return method


for _name in (
    "__abs__", "__add__", "__and__", "__div__", "__floordiv__", "__ge__", "__getitem__",
    "__gt__", "__invert__", "__le__", "__lt__", "__matmul__", "__mod__", "__mul__",
    "__neg__", "__or__", "__pow__", "__radd__", "__rand__", "__rdiv__", "__rfloordiv__",
    "__rmatmul__", "__rmod__", "__rmul__", "__ror__", "__rpow__", "__rsub__",
    "__rtruediv__", "__rxor__", "__sub__", "__truediv__", "__xor__",
):  # fmt: skip
    setattr(_LazyEvalTensor, _name, _lazy_op_method(_name))

register_tensor_conversion_function(
    _LazyEvalTensor, lambda v, dtype=None, name=None, as_ref=False: v._as_tensor(dtype, name)
)


# -- the variable store -----------------------------------------------------------------------
class _VariableScopeStore(threading.local):
    """Per-thread variable-scope state of one graph: the current scope and how many
    times each scope name was opened (for `default_name` uniquification)."""

    def __init__(self) -> None:
        self.current_scope = VariableScope(False)
        self.variable_scopes_count: dict[str, int] = {}
        # scope name -> the names of all scopes below it ever opened (closing a scope
        # resets their counts without scanning every scope name).
        self._descendants: dict[str, list[str]] = {}
        self._registered: set[str] = set()

    def open_variable_scope(self, scope_name: str) -> None:
        counts = self.variable_scopes_count
        n = counts.get(scope_name)
        if n is None:
            self._register(scope_name)
            n = 0
        counts[scope_name] = n + 1

    def _register(self, scope_name: str) -> None:
        if scope_name in self._registered:
            return
        self._registered.add(scope_name)
        descendants = self._descendants
        parts = scope_name.split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            descendants.setdefault(prefix, []).append(scope_name)

    def close_variable_subscopes(self, scope_name: str | None) -> None:
        counts = self.variable_scopes_count
        if scope_name is None:
            for k in counts:
                counts[k] = 0
            return
        for k in self._descendants.get(scope_name, ()):
            if k in counts:
                counts[k] = 0

    def variable_scope_count(self, scope_name: str) -> int:
        return self.variable_scopes_count.get(scope_name, 0)


class VariableStore:
    """The variables `get_variable` made in one graph, by full name."""

    def __init__(self) -> None:
        self._vars: dict[str, Variable] = {}
        self._partitioned_vars: dict[str, PartitionedVariable] = {}
        self._origins: dict[str, list] = {}
        self.scopes = _VariableScopeStore()

    @property
    def variables(self) -> dict:
        return dict(self._vars)

    def get_variable(
        self,
        name: str,
        shape=None,
        dtype=dtypes.float32,
        initializer=None,
        regularizer=None,
        reuse=None,
        trainable=None,
        collections=None,
        caching_device=None,
        partitioner=None,
        validate_shape: bool = True,
        use_resource=None,
        custom_getter=None,
        constraint=None,
        synchronization=VariableSynchronization.AUTO,
        aggregation=VariableAggregation.NONE,
    ):
        """Gets the variable `name` or creates it (see `tf.get_variable`)."""
        if custom_getter is not None and not callable(custom_getter):
            raise ValueError(f"Passed a custom_getter which is not callable: {custom_getter}")
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype)._base

        def true_getter(
            name,
            shape=None,
            dtype=dtypes.float32,
            initializer=None,
            regularizer=None,
            reuse=None,
            trainable=None,
            collections=None,
            caching_device=None,
            partitioner=None,
            validate_shape=True,
            use_resource=None,
            constraint=None,
            synchronization=VariableSynchronization.AUTO,
            aggregation=VariableAggregation.NONE,
        ):
            is_scalar = shape is not None and isinstance(shape, Sequence) and not shape
            if partitioner is not None and not is_scalar:
                if not callable(partitioner):
                    raise ValueError(f"Partitioner must be callable, but received: {partitioner}")
                with get_default_graph().name_scope(None):
                    return self._get_partitioned_variable(
                        name, partitioner, shape, dtype, initializer, regularizer, reuse,
                        trainable, collections, caching_device, validate_shape,
                        use_resource, constraint, synchronization, aggregation,
                    )  # fmt: skip
            if reuse is True and partitioner is None and name in self._partitioned_vars:
                return self._get_partitioned_variable(
                    name, None, shape, dtype, initializer, regularizer, reuse, trainable,
                    collections, caching_device, validate_shape, use_resource, constraint,
                    synchronization, aggregation,
                )  # fmt: skip
            if f"{name}/part_0" in self._vars:
                raise ValueError(
                    "No partitioner was provided, but a partitioned version of the variable "
                    f"was found: {name}/part_0. Perhaps a variable of the same name was "
                    "already created with partitioning?"
                )
            return self._get_single_variable(
                name, shape, dtype, initializer, regularizer, None, reuse, trainable,
                collections, caching_device, validate_shape, use_resource, constraint,
                synchronization, aggregation,
            )  # fmt: skip

        synchronization, aggregation, trainable = _validate_sync_aggregation_trainable(
            synchronization, aggregation, trainable, name
        )
        if custom_getter is None:
            return true_getter(
                name, shape, dtype, initializer, regularizer, reuse, trainable, collections,
                caching_device, partitioner, validate_shape, use_resource, constraint,
                synchronization, aggregation,
            )  # fmt: skip
        kwargs = {
            "getter": true_getter,
            "name": name,
            "shape": shape,
            "dtype": dtype,
            "initializer": initializer,
            "regularizer": regularizer,
            "reuse": reuse,
            "trainable": trainable,
            "collections": collections,
            "caching_device": caching_device,
            "partitioner": partitioner,
            "validate_shape": validate_shape,
            "use_resource": use_resource,
            "synchronization": synchronization,
            "aggregation": aggregation,
        }
        if _takes_constraint(custom_getter):
            kwargs["constraint"] = constraint
        return custom_getter(**kwargs)

    def _get_partitioned_variable(
        self, name, partitioner, shape=None, dtype=dtypes.float32, initializer=None,
        regularizer=None, reuse=None, trainable=None, collections=None, caching_device=None,
        validate_shape=True, use_resource=None, constraint=None,
        synchronization=VariableSynchronization.AUTO, aggregation=VariableAggregation.NONE,
    ) -> PartitionedVariable:  # fmt: skip
        """Gets or creates the shards `name/part_<i>` (see `get_variable`)."""
        initializing_from_value = initializer is not None and isinstance(initializer, Tensor)
        if name in self._vars:
            raise ValueError(
                "A partitioner was provided, but an unpartitioned version of the variable was "
                f"found: {name}.  Perhaps a variable of the same name was already created "
                "without partitioning?"
            )
        shape = as_shape(shape)
        if initializing_from_value:
            shape = shape.merge_with(initializer.get_shape())
        partitions = None
        if not reuse or partitioner:
            partitions = _call_partitioner(partitioner, shape, dtype)
        if name in self._partitioned_vars:
            if reuse is False:
                raise ValueError(
                    f"Partitioned variable with name {name} already exists. Did you mean to set "
                    "reuse=True or reuse=tf.AUTO_REUSE in VarScope?"
                )
            existing = self._partitioned_vars[name]
            if not shape.is_compatible_with(existing.get_shape()):
                raise ValueError(
                    f"Trying to reuse partitioned variable {name}, but specified shape {shape} "
                    f"and found shape {existing.get_shape()}."
                )
            if not dtype.is_compatible_with(existing.dtype):
                raise ValueError(
                    f"Trying to reuse partitioned variable {name}, but specified dtype "
                    f"{dtype.name} and found dtype {existing.dtype.name}."
                )
            if partitions is not None and list(existing._get_partitions()) != list(partitions):
                raise ValueError(
                    f"Trying to reuse partitioned variable {name}, but specified partitions "
                    f"{list(partitions)} and found partitions {existing._get_partitions()}."
                )
            return existing
        if reuse is True:
            raise ValueError(
                f"PartitionedVariable {name} does not exist, or was not created with "
                "tf.get_variable(). Did you mean to set reuse=False or reuse=tf.AUTO_REUSE in "
                "VarScope?"
            )
        slice_dim, num_slices = _get_slice_dim_and_num_slices(partitions)
        if f"{name}/part_0" in self._vars:
            if f"{name}/part_{num_slices - 1}" not in self._vars:
                raise ValueError(
                    "Partitioner returned a different partitioning than what was already "
                    f"found.  Partitioner returned {num_slices} shards, and shard "
                    f"{name}/part_0 was found, but {name}/part_{num_slices - 1} was not."
                )
            if f"{name}/part_{num_slices}" in self._vars:
                raise ValueError(
                    "Partitioner returned a different partitioning than what was already "
                    f"found.  Partitioner returned {num_slices} shards, and shard "
                    f"{name}/part_0 was found, but so was the extra shard "
                    f"{name}/part_{num_slices}."
                )
        g = get_default_graph()
        full_shape = shape.as_list()
        shards = []
        slices = _iter_slices(full_shape, num_slices, slice_dim)
        for i, (var_offset, var_shape) in enumerate(slices):
            partition_info = _PartitionInfo(full_shape=full_shape, var_offset=var_offset)
            var_full_name = f"{name}/part_{i}"
            with g.name_scope(var_full_name + "/PartitionedInitializer"):
                if initializer is None:
                    init, from_value = self._get_default_initializer(name, shape, dtype)
                    init_shape = None if from_value else var_shape
                elif callable(initializer):
                    init = initializer
                    init_shape = var_shape
                elif isinstance(initializer, Tensor):
                    init = array_ops.slice(initializer, var_offset, var_shape)
                    dtype = init.dtype._base
                    init_shape = None
                else:
                    init = convert_to_tensor(initializer, dtype=dtype)
                    init = array_ops.slice(init, var_offset, var_shape)
                    init_shape = None
            with g.name_scope(None):
                var = self._get_single_variable(
                    var_full_name, init_shape, dtype, init, regularizer, partition_info, reuse,
                    trainable, collections, caching_device, validate_shape, use_resource,
                    constraint, synchronization, aggregation,
                )  # fmt: skip
            var._set_save_slice_info(
                Variable.SaveSliceInfo(name, full_shape, var_offset, var_shape)
            )
            shards.append(var)
        partitioned = PartitionedVariable(
            name=name, shape=shape, dtype=dtype, variable_list=shards, partitions=partitions
        )
        self._partitioned_vars[name] = partitioned
        return partitioned

    def _get_single_variable(
        self, name, shape=None, dtype=dtypes.float32, initializer=None, regularizer=None,
        partition_info=None, reuse=None, trainable=None, collections=None, caching_device=None,
        validate_shape=True, use_resource=None, constraint=None,
        synchronization=VariableSynchronization.AUTO, aggregation=VariableAggregation.NONE,
    ) -> Variable:  # fmt: skip
        """Gets or creates one (unpartitioned) variable."""
        initializing_from_value = initializer is not None and not callable(initializer)
        if shape is not None and initializing_from_value:
            raise ValueError("If initializer is a constant, do not specify shape.")
        dtype = dtypes.as_dtype(dtype)
        if shape is not None:
            shape = as_shape(shape)

        found = self._vars.get(name)
        if found is not None:
            if reuse is False:
                message = (
                    f"Variable {name} already exists, disallowed. Did you mean to set reuse=True "
                    "or reuse=tf.AUTO_REUSE in VarScope?"
                )
                raise ValueError(
                    f"{message} Originally defined at:\n\n{_format_site(self._origins[name])}"
                )
            if shape is not None and not shape.is_compatible_with(found.get_shape()):
                raise ValueError(
                    f"Trying to share variable {name}, but specified shape {shape} and found "
                    f"shape {found.get_shape()}."
                )
            if not dtype.is_compatible_with(found.dtype):
                raise ValueError(
                    f"Trying to share variable {name}, but specified dtype {dtype.name} and "
                    f"found dtype {found.dtype.name}."
                )
            return found

        if reuse is True:
            raise ValueError(
                f"Variable {name} does not exist, or was not created with tf.get_variable(). "
                "Did you mean to set reuse=tf.AUTO_REUSE in VarScope?"
            )
        if initializer is None:
            if shape is None:
                raise ValueError(
                    f"Variable {name} did not get an initializer, so its `shape` argument must "
                    "be specified."
                )
            initializer, initializing_from_value = self._get_default_initializer(name, shape, dtype)
        if initializing_from_value:
            init_val = initializer
            variable_dtype = None
        else:
            if isinstance(initializer, type):
                initializer = initializer()
            if shape is not None and shape.is_fully_defined():
                dims = shape.as_list()
                if _accepts_partition_info(initializer):
                    init_val = functools.partial(
                        initializer, dims, dtype=dtype, partition_info=partition_info
                    )
                else:
                    init_val = functools.partial(initializer, dims, dtype=dtype)
                variable_dtype = dtype._base
            elif _needs_no_arguments(initializer):
                init_val = initializer
                variable_dtype = None
            else:
                raise ValueError(
                    "The initializer passed is not valid. It should be a callable with no "
                    "arguments and the shape should not be provided or an instance of "
                    "`tf.keras.initializers.*' and `shape` should be fully defined."
                )
        v = Variable(
            initial_value=init_val,
            name=name,
            trainable=trainable,
            collections=collections,
            caching_device=caching_device,
            dtype=variable_dtype,
            validate_shape=validate_shape,
            constraint=constraint,
            synchronization=synchronization,
            aggregation=aggregation,
            shape=shape,
            use_resource=use_resource,
        )
        self._vars[name] = v
        self._origins[name] = _creation_site()

        if regularizer:
            g = get_default_graph()

            def make_regularizer_op():
                with g.colocate_with(v), g.name_scope(name + "/Regularizer/"):
                    return regularizer(v)

            if regularizer(v) is not None:
                g.add_to_collection(
                    GraphKeys.REGULARIZATION_LOSSES, _LazyEvalTensor(make_regularizer_op)
                )
        return v

    def _get_default_initializer(self, name, shape=None, dtype=dtypes.float32):
        """glorot_uniform for floats, zeros for ints, bools and strings."""
        if dtype.is_floating:
            return init_ops.glorot_uniform_initializer(), False
        if dtype.is_integer or dtype.is_unsigned or dtype.is_bool or dtype._base is dtypes.string:
            return init_ops.zeros_initializer(), False
        raise ValueError(f"An initializer for variable {name} of {dtype._base} is required")


def _store_of(graph) -> VariableStore:
    store = graph._variable_store
    if store is None:
        store = graph._variable_store = VariableStore()
    return store


def _get_default_variable_store() -> VariableStore:
    return _store_of(get_default_graph())


def get_variable_scope_store() -> _VariableScopeStore:
    """The variable-scope state of the default graph for this thread."""
    return _store_of(get_default_graph()).scopes


def get_variable_scope() -> VariableScope:
    """The current variable scope (TF1 `tf.get_variable_scope`)."""
    return _store_of(get_default_graph()).scopes.current_scope


# -- VariableScope ------------------------------------------------------------------------------
class VariableScope:
    """The defaults `get_variable` applies inside a `variable_scope`: name prefix, reuse,
    initializer, regularizer, caching device, partitioner, custom getter, dtype and
    constraint."""

    def __init__(
        self,
        reuse,
        name: str = "",
        initializer=None,
        regularizer=None,
        caching_device=None,
        partitioner=None,
        custom_getter=None,
        name_scope: str = "",
        dtype=dtypes.float32,
        use_resource=None,
        constraint=None,
    ) -> None:
        self._name = name
        self._initializer = initializer
        self._regularizer = regularizer
        self._reuse = reuse
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint

    @property
    def name(self) -> str:
        return self._name

    @property
    def original_name_scope(self) -> str:
        return self._name_scope

    @property
    def reuse(self):
        return self._reuse

    @property
    def initializer(self):
        return self._initializer

    @property
    def dtype(self):
        return self._dtype

    @property
    def use_resource(self):
        return self._use_resource

    @property
    def regularizer(self):
        return self._regularizer

    @property
    def caching_device(self):
        return self._caching_device

    @property
    def partitioner(self):
        return self._partitioner

    @property
    def custom_getter(self):
        return self._custom_getter

    @property
    def constraint(self):
        return self._constraint

    def reuse_variables(self) -> None:
        """Makes `get_variable` reuse existing variables in this scope from now on."""
        self._reuse = True

    def set_initializer(self, initializer) -> None:
        self._initializer = initializer

    def set_dtype(self, dtype) -> None:
        self._dtype = dtype

    def set_use_resource(self, use_resource) -> None:
        self._use_resource = use_resource

    def set_regularizer(self, regularizer) -> None:
        self._regularizer = regularizer

    def set_caching_device(self, caching_device) -> None:
        self._caching_device = caching_device

    def set_partitioner(self, partitioner) -> None:
        self._partitioner = partitioner

    def set_custom_getter(self, custom_getter) -> None:
        self._custom_getter = custom_getter

    def get_collection(self, name) -> list:
        """The items of collection `name` whose names start with this scope's name."""
        scope = self._name + "/" if self._name else ""
        return get_default_graph().get_collection(name, scope)

    def trainable_variables(self) -> list:
        return self.get_collection(GraphKeys.TRAINABLE_VARIABLES)

    def global_variables(self) -> list:
        return self.get_collection(GraphKeys.GLOBAL_VARIABLES)

    def local_variables(self) -> list:
        return self.get_collection(GraphKeys.LOCAL_VARIABLES)

    def get_variable(
        self,
        var_store: VariableStore,
        name: str,
        shape=None,
        dtype=None,
        initializer=None,
        regularizer=None,
        reuse=None,
        trainable=None,
        collections=None,
        caching_device=None,
        partitioner=None,
        validate_shape: bool = True,
        use_resource=None,
        custom_getter=None,
        constraint=None,
        synchronization=VariableSynchronization.AUTO,
        aggregation=VariableAggregation.NONE,
    ):
        """Gets or creates `<scope name>/<name>` with this scope's defaults."""
        if regularizer is None:
            regularizer = self._regularizer
        if caching_device is None:
            caching_device = self._caching_device
        if partitioner is None:
            partitioner = self._partitioner
        if custom_getter is None:
            custom_getter = self._custom_getter
        if reuse is None:
            reuse = self._reuse
        if use_resource is None:
            use_resource = self._use_resource
        full_name = self._name + "/" + name if self._name else name
        with get_default_graph().name_scope(None):
            if dtype is not None and initializer is not None and not callable(initializer):
                init_dtype = convert_to_tensor(initializer).dtype._base
                if init_dtype != dtypes.as_dtype(dtype)._base:
                    raise ValueError(
                        f"Initializer type '{init_dtype}' and explicit dtype "
                        f"'{dtypes.as_dtype(dtype)}' don't match."
                    )
            if initializer is None:
                initializer = self._initializer
            if constraint is None:
                constraint = self._constraint
            if dtype is None:
                dtype = self._dtype
            return var_store.get_variable(
                full_name,
                shape=shape,
                dtype=dtype,
                initializer=initializer,
                regularizer=regularizer,
                reuse=reuse,
                trainable=trainable,
                collections=collections,
                caching_device=caching_device,
                partitioner=partitioner,
                validate_shape=validate_shape,
                use_resource=use_resource,
                custom_getter=custom_getter,
                constraint=constraint,
                synchronization=synchronization,
                aggregation=aggregation,
            )

    def _get_partitioned_variable(
        self,
        var_store: VariableStore,
        name,
        shape=None,
        dtype=None,
        initializer=None,
        regularizer=None,
        trainable=None,
        collections=None,
        caching_device=None,
        partitioner=None,
        validate_shape: bool = True,
        use_resource=None,
        constraint=None,
        synchronization=VariableSynchronization.AUTO,
        aggregation=VariableAggregation.NONE,
    ) -> PartitionedVariable:
        if initializer is None:
            initializer = self._initializer
        if regularizer is None:
            regularizer = self._regularizer
        if constraint is None:
            constraint = self._constraint
        if caching_device is None:
            caching_device = self._caching_device
        if partitioner is None:
            partitioner = self._partitioner
        if dtype is None:
            dtype = self._dtype
        if use_resource is None:
            use_resource = self._use_resource
        if self._custom_getter is not None:
            raise ValueError(
                "Private access to _get_partitioned_variable is not allowed when a custom "
                f"getter is set.  Current custom getter: {self._custom_getter}.  It is likely "
                "that you're using create_partitioned_variables.  If so, consider instead using "
                "get_variable with a non-empty partitioner parameter instead."
            )
        if partitioner is None:
            raise ValueError("No partitioner was specified")
        full_name = "/".join(p for p in (self._name, name) if p)
        with get_default_graph().name_scope(None):
            return var_store._get_partitioned_variable(
                full_name, partitioner, shape, dtypes.as_dtype(dtype), initializer, regularizer,
                self._reuse, trainable, collections, caching_device, validate_shape,
                use_resource, constraint, synchronization, aggregation,
            )  # fmt: skip

    def __repr__(self) -> str:
        return f"<tfgraph VariableScope '{self._name}' reuse={self._reuse}>"


# -- public functions ---------------------------------------------------------------------------
def get_variable(
    name: str,
    shape=None,
    dtype=None,
    initializer=None,
    regularizer=None,
    trainable=None,
    collections=None,
    caching_device=None,
    partitioner=None,
    validate_shape: bool = True,
    use_resource=None,
    custom_getter=None,
    constraint=None,
    synchronization=VariableSynchronization.AUTO,
    aggregation=VariableAggregation.NONE,
):
    """Gets an existing variable with these parameters or creates a new one.

    The full name is the current variable scope's name plus `name` (name scopes are
    ignored). Whether an existing variable is returned or a new one created depends on
    the scope's reuse flag (see `variable_scope`).

    Args:
        name: the variable's name within the current variable scope.
        shape: its shape (not allowed when `initializer` is a value or tensor).
        dtype: its dtype (default: the scope's, float32).
        initializer: an initializer object or class, a Tensor, a Python/numpy value, or a
            zero-argument callable; default glorot_uniform (floats) or zeros.
        regularizer: a function of the variable whose result goes into
            REGULARIZATION_LOSSES.
        trainable: whether to add it to TRAINABLE_VARIABLES (default True).
        collections: the collections to add it to (default [GLOBAL_VARIABLES]).
        caching_device: the device its reads (`<name>/read`) are placed on.
        partitioner: a partitioner; the result is then a `PartitionedVariable`.
        validate_shape: whether the initial value's shape must be fully known.
        use_resource: only False/None (tfgraph has reference variables only).
        custom_getter: `fn(getter, name, *args, **kwargs)` wrapping the real getter.
        constraint: a projection applied by optimizers after updates.
        synchronization: a `tf.VariableSynchronization`.
        aggregation: a `tf.VariableAggregation`.

    Returns:
        The `Variable` (or `PartitionedVariable`).

    Raises:
        ValueError: on reuse violations, missing or conflicting shapes and dtypes.
    """
    return get_variable_scope().get_variable(
        _get_default_variable_store(),
        name,
        shape=shape,
        dtype=dtype,
        initializer=initializer,
        regularizer=regularizer,
        trainable=trainable,
        collections=collections,
        caching_device=caching_device,
        partitioner=partitioner,
        validate_shape=validate_shape,
        use_resource=use_resource,
        custom_getter=custom_getter,
        constraint=constraint,
        synchronization=synchronization,
        aggregation=aggregation,
    )


def get_local_variable(
    name: str,
    shape=None,
    dtype=None,
    initializer=None,
    regularizer=None,
    trainable=False,
    collections=None,
    caching_device=None,
    partitioner=None,
    validate_shape: bool = True,
    use_resource=None,
    custom_getter=None,
    constraint=None,
    synchronization=VariableSynchronization.AUTO,
    aggregation=VariableAggregation.NONE,
):
    """`get_variable` for a non-trainable variable in LOCAL_VARIABLES."""
    if collections:
        collections += [GraphKeys.LOCAL_VARIABLES]
    else:
        collections = [GraphKeys.LOCAL_VARIABLES]
    return get_variable(
        name,
        shape=shape,
        dtype=dtype,
        initializer=initializer,
        regularizer=regularizer,
        trainable=False,
        collections=collections,
        caching_device=caching_device,
        partitioner=partitioner,
        validate_shape=validate_shape,
        use_resource=use_resource,
        synchronization=synchronization,
        aggregation=aggregation,
        custom_getter=custom_getter,
        constraint=constraint,
    )


def _get_partitioned_variable(
    name,
    shape=None,
    dtype=None,
    initializer=None,
    regularizer=None,
    trainable=True,
    collections=None,
    caching_device=None,
    partitioner=None,
    validate_shape=True,
    use_resource=None,
    constraint=None,
    synchronization=VariableSynchronization.AUTO,
    aggregation=VariableAggregation.NONE,
) -> PartitionedVariable:
    scope = get_variable_scope()
    if scope.custom_getter is not None:
        raise ValueError(
            "Private access to _get_partitioned_variable is not allowed when a custom getter "
            f"is set.  Current custom getter: {scope.custom_getter}.  It is likely that you're "
            "using create_partitioned_variables.  If so, consider instead using get_variable "
            "with a non-empty partitioner parameter instead."
        )
    return scope._get_partitioned_variable(
        _get_default_variable_store(),
        name,
        shape=shape,
        dtype=dtype,
        initializer=initializer,
        regularizer=regularizer,
        trainable=trainable,
        collections=collections,
        caching_device=caching_device,
        partitioner=partitioner,
        validate_shape=validate_shape,
        use_resource=use_resource,
        constraint=constraint,
        synchronization=synchronization,
        aggregation=aggregation,
    )


# -- variable_scope -----------------------------------------------------------------------------
def _maybe_wrap_custom_getter(custom_getter, old_getter):
    """Composes a scope's custom getter with the enclosing one (inner calls outer)."""
    if old_getter is None:
        return custom_getter

    def wrapped_custom_getter(getter, *args, **kwargs):
        return custom_getter(functools.partial(old_getter, getter), *args, **kwargs)

    return wrapped_custom_getter


def _get_unique_variable_scope(prefix: str) -> str:
    """`prefix`, or `prefix_<n>`, unused as a scope name in the current variable scope."""
    store = get_variable_scope_store()
    current = store.current_scope
    name = current.name + "/" + prefix if current.name else prefix
    if store.variable_scope_count(name) == 0:
        return prefix
    idx = 1
    while store.variable_scope_count(name + f"_{idx}") > 0:
        idx += 1
    return prefix + f"_{idx}"


class _pure_variable_scope:
    """Sets the current VariableScope (no name scope); see `variable_scope`."""

    def __init__(
        self,
        name_or_scope,
        reuse=None,
        initializer=None,
        regularizer=None,
        caching_device=None,
        partitioner=None,
        custom_getter=None,
        old_name_scope=None,
        dtype=dtypes.float32,
        use_resource=None,
        constraint=None,
    ) -> None:
        self._name_or_scope = name_or_scope
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._old_name_scope = old_name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint
        self._var_scope_store = get_variable_scope_store()
        self._last_variable_scope_object: VariableScope | None = None
        if isinstance(name_or_scope, VariableScope):
            self._new_name = name_or_scope.name
            scope = VariableScope(
                reuse if reuse else name_or_scope.reuse,
                name=self._new_name,
                initializer=name_or_scope.initializer,
                regularizer=name_or_scope.regularizer,
                caching_device=name_or_scope.caching_device,
                partitioner=name_or_scope.partitioner,
                dtype=name_or_scope.dtype,
                custom_getter=name_or_scope.custom_getter,
                name_scope=name_or_scope._name_scope,
                use_resource=name_or_scope.use_resource,
                constraint=constraint,
            )
            self._apply_overrides(scope, name_or_scope.custom_getter)
            self._cached_variable_scope_object = scope

    def _apply_overrides(self, scope: VariableScope, outer_getter) -> None:
        if self._initializer is not None:
            scope.set_initializer(self._initializer)
        if self._regularizer is not None:
            scope.set_regularizer(self._regularizer)
        if self._caching_device is not None:
            scope.set_caching_device(self._caching_device)
        if self._partitioner is not None:
            scope.set_partitioner(self._partitioner)
        if self._custom_getter is not None:
            scope.set_custom_getter(_maybe_wrap_custom_getter(self._custom_getter, outer_getter))
        if self._dtype is not None:
            scope.set_dtype(self._dtype)
        if self._use_resource is not None:
            scope.set_use_resource(self._use_resource)

    def __enter__(self) -> VariableScope:
        store = self._var_scope_store
        self._old = old = store.current_scope
        if isinstance(self._name_or_scope, VariableScope):
            store.open_variable_scope(self._new_name)
            self._old_subscopes = dict(store.variable_scopes_count)
            scope = self._cached_variable_scope_object
        else:
            self._new_name = (
                old.name + "/" + self._name_or_scope if old.name else self._name_or_scope
            )
            self._reuse = self._reuse or old.reuse
            name_scope = (
                self._name_or_scope if self._old_name_scope is None else self._old_name_scope
            )
            scope = VariableScope(
                self._reuse,
                name=self._new_name,
                initializer=old.initializer,
                regularizer=old.regularizer,
                caching_device=old.caching_device,
                partitioner=old.partitioner,
                dtype=old.dtype,
                use_resource=old.use_resource,
                custom_getter=old.custom_getter,
                name_scope=name_scope,
                constraint=self._constraint,
            )
            self._apply_overrides(scope, old.custom_getter)
            store.open_variable_scope(self._new_name)
        store.current_scope = scope
        self._last_variable_scope_object = scope
        return scope

    def __exit__(self, *exc) -> None:
        store = self._var_scope_store
        if store.current_scope is not self._last_variable_scope_object:
            raise RuntimeError("Improper nesting of variable_scope.")
        if isinstance(self._name_or_scope, VariableScope):
            store.variable_scopes_count = self._old_subscopes
        else:
            store.close_variable_subscopes(self._new_name)
        store.current_scope = self._old


class variable_scope:
    """A context manager opening a variable scope (and a name scope) for `get_variable`.

    Args:
        name_or_scope: a scope name, or a `VariableScope` to re-enter.
        default_name: the name to use (uniquified) when `name_or_scope` is None.
        values: tensors passed to the op function (their graph is used).
        initializer, regularizer, caching_device, partitioner, custom_getter, dtype,
            use_resource, constraint: defaults for `get_variable` in this scope (nested
            custom getters compose).
        reuse: True (reuse in this scope and sub-scopes), `tf.AUTO_REUSE` (create or
            reuse), or None/False (inherit the parent's).
        auxiliary_name_scope: whether to open a name scope for ops as well.

    Yields the `VariableScope`.
    """

    def __init__(
        self,
        name_or_scope,
        default_name=None,
        values=None,
        initializer=None,
        regularizer=None,
        caching_device=None,
        partitioner=None,
        custom_getter=None,
        reuse=None,
        dtype=None,
        use_resource=None,
        constraint=None,
        auxiliary_name_scope: bool = True,
    ) -> None:
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._values = values
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._reuse = reuse
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint
        if self._default_name is None and self._name_or_scope is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if self._reuse is False:
            self._reuse = None
        if not (self._reuse is True or self._reuse is None or self._reuse is AUTO_REUSE):
            raise ValueError("The reuse parameter must be True or False or None.")
        if self._values is None:
            self._values = []
        self._graph = _graph_from_values(self._values)
        self._cached_pure_variable_scope: _pure_variable_scope | None = None
        self._current_name_scope = None
        if not isinstance(auxiliary_name_scope, bool):
            raise TypeError(
                "The auxiliary_name_scope must be `True` or `False`, while get "
                f"{auxiliary_name_scope}"
            )
        self._auxiliary_name_scope = auxiliary_name_scope

    def __enter__(self) -> VariableScope:
        self._graph_context_manager = self._graph.as_default()
        self._graph_context_manager.__enter__()
        if self._cached_pure_variable_scope is not None:
            if self._current_name_scope is not None:
                self._current_name_scope.__enter__()
            return self._cached_pure_variable_scope.__enter__()
        try:
            return self._enter_scope_uncached()
        except BaseException:
            self._graph_context_manager.__exit__(*sys.exc_info())
            raise

    def _enter_scope_uncached(self) -> VariableScope:
        g = self._graph
        if self._auxiliary_name_scope:
            current_name_scope = None
        else:
            name_scope = g.get_name_scope()
            if name_scope:
                name_scope += "/"
            current_name_scope = g.name_scope(name_scope)

        if self._name_or_scope is not None:
            if not isinstance(self._name_or_scope, (VariableScope, str)):
                raise TypeError("VariableScope: name_or_scope must be a string or VariableScope.")
            if isinstance(self._name_or_scope, str):
                name_scope = self._name_or_scope
            else:
                name_scope = self._name_or_scope.name.split("/")[-1]
            if name_scope or current_name_scope:
                current_name_scope = current_name_scope or g.name_scope(name_scope)
                try:
                    current_name_scope_name = current_name_scope.__enter__()
                except BaseException:
                    current_name_scope.__exit__(*sys.exc_info())
                    raise
                self._current_name_scope = current_name_scope
                if isinstance(self._name_or_scope, str):
                    old_name_scope = current_name_scope_name
                else:
                    old_name_scope = self._name_or_scope.original_name_scope
                pure = _pure_variable_scope(
                    self._name_or_scope,
                    reuse=self._reuse,
                    initializer=self._initializer,
                    regularizer=self._regularizer,
                    caching_device=self._caching_device,
                    partitioner=self._partitioner,
                    custom_getter=self._custom_getter,
                    old_name_scope=old_name_scope,
                    dtype=self._dtype,
                    use_resource=self._use_resource,
                    constraint=self._constraint,
                )
            else:
                self._current_name_scope = None
                pure = _pure_variable_scope(
                    self._name_or_scope,
                    reuse=self._reuse,
                    initializer=self._initializer,
                    regularizer=self._regularizer,
                    caching_device=self._caching_device,
                    partitioner=self._partitioner,
                    custom_getter=self._custom_getter,
                    dtype=self._dtype,
                    use_resource=self._use_resource,
                    constraint=self._constraint,
                )
        else:
            if self._reuse:
                raise ValueError("reuse=True cannot be used without a name_or_scope")
            current_name_scope = current_name_scope or g.name_scope(self._default_name)
            try:
                current_name_scope_name = current_name_scope.__enter__()
            except BaseException:
                current_name_scope.__exit__(*sys.exc_info())
                raise
            self._current_name_scope = current_name_scope
            unique_default_name = _get_unique_variable_scope(self._default_name)
            pure = _pure_variable_scope(
                unique_default_name,
                initializer=self._initializer,
                regularizer=self._regularizer,
                caching_device=self._caching_device,
                partitioner=self._partitioner,
                custom_getter=self._custom_getter,
                old_name_scope=current_name_scope_name,
                dtype=self._dtype,
                use_resource=self._use_resource,
                constraint=self._constraint,
            )
        try:
            entered = pure.__enter__()
        except BaseException:
            pure.__exit__(*sys.exc_info())
            if self._current_name_scope is not None:
                self._current_name_scope.__exit__(*sys.exc_info())
            raise
        self._cached_pure_variable_scope = pure
        return entered

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self._cached_pure_variable_scope is not None  # set by __enter__
        try:
            self._cached_pure_variable_scope.__exit__(exc_type, exc, tb)
        finally:
            try:
                if self._current_name_scope is not None:
                    self._current_name_scope.__exit__(exc_type, exc, tb)
            finally:
                self._graph_context_manager.__exit__(exc_type, exc, tb)


def _graph_from_values(values):
    for v in values:
        g = getattr(v, "graph", None)
        if g is not None and hasattr(g, "_variable_store"):
            return g
    return get_default_graph()


def variable_op_scope(
    values,
    name_or_scope,
    default_name=None,
    initializer=None,
    regularizer=None,
    caching_device=None,
    partitioner=None,
    custom_getter=None,
    reuse=None,
    dtype=None,
    use_resource=None,
    constraint=None,
):
    """Deprecated: `variable_scope(name_or_scope, default_name, values, ...)`."""
    return variable_scope(
        name_or_scope,
        default_name=default_name,
        values=values,
        initializer=initializer,
        regularizer=regularizer,
        caching_device=caching_device,
        partitioner=partitioner,
        custom_getter=custom_getter,
        reuse=reuse,
        dtype=dtype,
        use_resource=use_resource,
        constraint=constraint,
    )

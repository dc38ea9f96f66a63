"""More `tf.data.Dataset` transformations (a mixin of `Dataset`): shard, enumerate,
take_while, scan, unique, reduce, get_single_element, group_by_window,
bucket_by_sequence_length, and the sources counter / choose_from_datasets. Each
builds TF's dataset op (ops/dataset_more_ops.py)."""

from __future__ import annotations

from tfgraph.data import structure as nest
from tfgraph.data.function import trace
from tfgraph.data.structure import TensorSpec
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import dataset_more_ops as _ops  # noqa: F401 - registers the op types
from tfgraph.ops.apply import apply_op, op_output

__all__ = ["DatasetTransformations", "choose_from_datasets", "counter"]


def _lib():
    from tfgraph.data import dataset_ops

    return dataset_ops


def _specs_of(tensors) -> object:
    return nest.map_structure(lambda t: TensorSpec(t.shape, t.dtype._base), tensors)


def _trace_with_state(dataset, fn, kind: str, state_spec, to_outputs):
    """Traces fn(state, element) with the state's and the element's placeholders."""
    state_flat = nest.flatten(state_spec)
    n = len(state_flat)

    def pack(flat):
        state = nest.pack_sequence_as(state_spec, flat[:n])
        element = nest.pack_sequence_as(dataset._element_spec, flat[n:])
        return (state, element)

    return trace(fn, kind, state_flat + dataset._flat_specs(), pack, to_outputs)


def _relaxed(old_spec, new_spec):
    """The state specs with each shape relaxed to the most specific one compatible
    with both (None when nothing changed), as TF re-traces state functions."""
    old, new = nest.flatten(old_spec), nest.flatten(new_spec)
    if [s.dtype for s in old] != [s.dtype for s in new]:
        raise TypeError(
            "Invalid `scan_func`/`reduce_func`. The element types for the new state must "
            f"match the initial state. Expected {[s.dtype for s in old]}, got "
            f"{[s.dtype for s in new]}."
        )
    relaxed = [o.shape.most_specific_compatible_shape(w.shape) for o, w in zip(old, new)]
    if all(
        o.shape.rank is None or (r.rank is not None and o.shape.as_list() == r.as_list())
        for o, r in zip(old, relaxed)
    ):
        return None
    return nest.pack_sequence_as(old_spec, [TensorSpec(r, o.dtype) for o, r in zip(old, relaxed)])


def _state_fn(dataset, fn, kind: str, initial_state, split_outputs):
    """(traced function, final state spec, flat initial state, output structure) for a
    function of (state, element), re-traced until the state's shapes are stable."""
    initial, flat_initial = _lib()._normalize_element(initial_state, "initial_state")
    state_spec = _specs_of(initial)
    while True:
        f = _trace_with_state(dataset, fn, kind, state_spec, split_outputs)
        new_state, outputs = f.structured_outputs
        relaxed = _relaxed(state_spec, new_state)
        if relaxed is None:
            return f, state_spec, flat_initial, outputs
        state_spec = relaxed


def _captured(dataset, f) -> list:
    return dataset._captured(f)


class DatasetTransformations:
    """Transformations TF's DatasetV1 has beyond the core ones in dataset_ops."""

    def shard(self, num_shards, index, name=None):
        """Every `num_shards`-th element, starting at `index`."""
        lib = _lib()
        return self._unary(
            "ShardDataset",
            [lib._int64(num_shards, "num_shards"), lib._int64(index, "index")],
            extra={"require_non_empty": False},
        )

    def enumerate(self, start=0, name=None):
        """(index, element) pairs, indices counting from `start`."""
        lib = _lib()
        max_value = 2**63 - 1
        return lib.Dataset.zip((lib.Dataset.range(start, max_value), self))

    def take_while(self, predicate, name=None):
        """The elements up to (not including) the first for which `predicate` is false."""
        lib = _lib()
        f = self._trace(predicate, "take_while", lib._element_outputs)
        out = nest.flatten(f.structured_outputs)
        if len(out) != 1 or out[0].dtype != dtypes.bool or out[0].shape.rank not in (0, None):
            raise ValueError(
                "Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but "
                f"its return type is {f.structured_outputs!r}."
            )
        captured = _captured(self, f)
        return self._unary(
            "TakeWhileDataset",
            [captured],
            extra={"predicate": f, "Targuments": [t.dtype._base for t in captured]},
        )

    def scan(self, initial_state, scan_func, name=None):
        """Outputs of scan_func(state, element) -> (new state, output), carrying the state."""
        lib = _lib()
        f, state_spec, flat_initial, outputs = _state_fn(
            self, scan_func, "scan", initial_state, _split_pair("scan_func")
        )
        captured = _captured(self, f)
        attrs = lib._attrs_for(outputs)
        attrs.update(
            {
                "f": f,
                "Tstate": [s.dtype for s in nest.flatten(state_spec)],
                "Targuments": [t.dtype._base for t in captured],
                "preserve_cardinality": True,
                "use_default_device": True,
            }
        )
        variant = op_output(
            "ScanDataset", None, [self._variant_tensor, flat_initial, captured], attrs
        )
        return lib.Dataset(variant, outputs)

    def unique(self, name=None):
        """The elements seen for the first time (int32, int64 or string scalars)."""
        specs = self._flat_specs()
        if len(specs) != 1 or specs[0].dtype not in (dtypes.int32, dtypes.int64, dtypes.string):
            raise TypeError(
                "`tf.data.Dataset.unique` does not support type(s) "
                f"{[s.dtype.name for s in specs]} -- only `tf.int32`, `tf.int64` or "
                "`tf.string` are supported."
            )
        return self._unary("UniqueDataset", [])

    def reduce(self, initial_state, reduce_func, name=None):
        """The state after reduce_func(state, element) over all elements (a tensor
        structure like `initial_state`)."""
        f, state_spec, flat_initial, _ = _state_fn(
            self, reduce_func, "reduce", initial_state, _state_only
        )
        captured = _captured(self, f)
        flat_spec = nest.flatten(state_spec)
        attrs = {
            "f": f,
            "Tstate": [s.dtype for s in flat_spec],
            "Targuments": [t.dtype._base for t in captured],
            "output_types": [s.dtype for s in flat_spec],
            "output_shapes": [s.shape for s in flat_spec],
            "use_inter_op_parallelism": True,
            "metadata": b"",
        }
        op = apply_op("ReduceDataset", None, [self._variant_tensor, flat_initial, captured], attrs)
        return nest.pack_sequence_as(state_spec, list(op._outputs))

    def get_single_element(self, name=None):
        """The dataset's only element (InvalidArgumentError at run time otherwise)."""
        specs = self._flat_specs()
        attrs = {
            "output_types": [s.dtype for s in specs],
            "output_shapes": [s.shape for s in specs],
            "metadata": b"",
        }
        op = apply_op("DatasetToSingleElement", None, [self._variant_tensor], attrs)
        return nest.pack_sequence_as(self._element_spec, list(op._outputs))

    def group_by_window(
        self, key_func, reduce_func, window_size=None, window_size_func=None, name=None
    ):
        """Groups elements by key_func(element) (an int64 scalar) into windows of
        `window_size` (or window_size_func(key)) and yields the elements of
        reduce_func(key, window dataset) for each full window, then each remainder."""
        return _group_by_window(self, key_func, reduce_func, window_size, window_size_func)

    def bucket_by_sequence_length(
        self,
        element_length_func,
        bucket_boundaries,
        bucket_batch_sizes,
        padded_shapes=None,
        padding_values=None,
        pad_to_bucket_boundary=False,
        no_padding=False,
        drop_remainder=False,
        name=None,
    ):
        """Batches elements of similar length (element_length_func) together, padded."""
        from tfgraph.data.bucketing import bucket_by_sequence_length

        return bucket_by_sequence_length(
            self,
            element_length_func,
            bucket_boundaries,
            bucket_batch_sizes,
            padded_shapes,
            padding_values,
            pad_to_bucket_boundary,
            no_padding,
            drop_remainder,
        )

    def rejection_resample(self, class_func, target_dist, initial_dist=None, seed=None, name=None):
        """(class, element) pairs re-sampled so that the classes `class_func` gives
        follow `target_dist` (rejection sampling mixed with the original elements)."""
        from tfgraph.data.resampling import rejection_resample_dataset

        return rejection_resample_dataset(self, class_func, target_dist, initial_dist, seed)

    def ignore_errors(self, log_warning=False, name=None):
        """The elements whose computation does not fail (errors of map, filter and CSV
        records are dropped; one IgnoreErrorsDataset op)."""
        from tfgraph.data.experimental_more import ignore_errors_dataset

        return ignore_errors_dataset(self, log_warning)

    def cardinality(self):
        """The number of elements as an int64 scalar tensor: INFINITE_CARDINALITY (-1)
        or UNKNOWN_CARDINALITY (-2) where TF's rules cannot tell."""
        return op_output(
            "DatasetCardinality", None, [self._variant_tensor], {"cardinality_options": b""}
        )

    @staticmethod
    def counter(start=0, step=1, dtype=dtypes.int64, name=None):
        return counter(start, step, dtype)

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
        return choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset)


def _split_pair(what: str):
    def split(result):
        lib = _lib()
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise TypeError(
                f"Invalid `{what}`. `{what}` should return a pair consisting of new state and "
                f"the output value but its return type is {result!r}."
            )
        state_flat, state_spec = lib._element_outputs(result[0])
        out_flat, out_spec = lib._element_outputs(result[1])
        return state_flat + out_flat, (state_spec, out_spec)

    return split


def _state_only(result):
    flat, spec = _lib()._element_outputs(result)
    return flat, (spec, None)


def counter(start=0, step=1, dtype=dtypes.int64):
    """start, start + step, ... without end (TF: a scan over a repeated constant)."""
    lib = _lib()
    with get_default_graph().name_scope("counter"):
        start = convert_to_tensor(start, dtype=dtype, name="start")
        step = convert_to_tensor(step, dtype=dtype, name="step")
        return (
            lib.Dataset.from_tensors(0)
            .repeat(None)
            .scan(start, lambda state, _: (state + step, state))
        )


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
    """Elements of `datasets[i]` for each i of the int64 scalar `choice_dataset`."""
    lib = _lib()
    if not datasets:
        raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
    spec = choice_dataset._flat_specs()
    if len(spec) != 1 or spec[0].dtype != dtypes.int64 or spec[0].shape.rank not in (0, None):
        raise TypeError(
            "Invalid `choice_dataset`. Elements of `choice_dataset` must be scalar of "
            f"`tf.int64` dtype, but got {choice_dataset.element_spec!r}."
        )
    first = datasets[0]
    attrs = lib._attrs_for(first._element_spec, N=len(datasets))
    del attrs["metadata"]
    attrs["stop_on_empty_dataset"] = bool(stop_on_empty_dataset)
    variant = op_output(
        "DirectedInterleaveDataset",
        None,
        [choice_dataset._variant_tensor, [d._variant_tensor for d in datasets]],
        attrs,
    )
    return lib.Dataset(variant, first._element_spec)


def _group_by_window(dataset, key_func, reduce_func, window_size, window_size_func):
    lib = _lib()
    if (window_size is None) == (window_size_func is None):
        raise ValueError(
            "Either the `window_size` argument or the `window_size_func` argument "
            "must be specified."
        )
    if window_size is not None:
        size = window_size

        def window_size_func(key):
            return convert_to_tensor(size, dtype=dtypes.int64, name="window_size")

    key_f = dataset._trace(key_func, "group_by_window_key", lib._element_outputs)
    key_out = nest.flatten(key_f.structured_outputs)
    if len(key_out) != 1 or key_out[0].dtype != dtypes.int64:
        raise ValueError(
            "Invalid `key_func`. `key_func` must return a single `tf.int64` scalar tensor but "
            f"its return type is {key_f.structured_outputs!r}."
        )
    scalar = [TensorSpec(TensorShape([]), dtypes.int64)]
    size_f = trace(
        window_size_func, "group_by_window_size", scalar, lambda flat: flat[0], lib._element_outputs
    )
    reduce_f = trace(
        reduce_func,
        "group_by_window_reduce",
        scalar + [TensorSpec(TensorShape([]), dtypes.variant)],
        lambda flat: (flat[0], lib.Dataset(flat[1], dataset._element_spec)),
        lib._dataset_outputs,
    )
    spec = reduce_f.structured_outputs
    fns = [key_f, reduce_f, size_f]
    captured = [_captured(dataset, f) for f in fns]
    attrs = lib._attrs_for(spec)
    for f, caps, prefix in zip(fns, captured, ("key_func", "reduce_func", "window_size_func")):
        attrs[prefix] = f
        attrs[f"T{prefix}_other_arguments"] = [t.dtype._base for t in caps]
    variant = op_output("GroupByWindowDataset", None, [dataset._variant_tensor, *captured], attrs)
    return lib.Dataset(variant, spec)

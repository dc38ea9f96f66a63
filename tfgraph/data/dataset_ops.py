"""`tf.data.Dataset` (TF1's DatasetV1): each dataset is a variant tensor made by one
dataset op (ops/dataset_ops.py), with the structure of its elements."""

from __future__ import annotations

import numpy as np

from tfgraph.data import composite, debug_mode
from tfgraph.data import structure as nest
from tfgraph.data.function import trace
from tfgraph.data.structure import TensorSpec
from tfgraph.data.transformations import DatasetTransformations
from tfgraph.data.windowing import WindowingTransformations
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.random_seed import get_seed
from tfgraph.framework.sparse_tensor import SparseTensor, SparseTensorValue
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import dataset_ops as _ops  # noqa: F401 - registers the op types
from tfgraph.ops.apply import op_output

__all__ = [
    "AUTOTUNE",
    "Dataset",
    "FixedLengthRecordDataset",
    "NumpyIterator",
    "TFRecordDataset",
    "TextLineDataset",
]

AUTOTUNE = -1
_DEFAULT_READ_BUFFER = 256 * 1024


def _int64(value, name: str) -> Tensor:
    return convert_to_tensor(value, dtype=dtypes.int64, name=name)


def _normalize_element(element, name: str = "component"):
    """A structure of tensors from `element`: tuples and dicts are structure, anything
    else (lists included) one tensor; a SparseTensorValue one SparseTensor."""
    element = _sparse_values_as_tensors(element)
    flat = nest.flatten(element)
    g = get_default_graph()
    with g.name_scope("normalize_element"):
        tensors = [
            v
            if (isinstance(v, Tensor) or composite.is_value(v))
            else convert_to_tensor(v, name=f"{name}_{i}")
            for i, v in enumerate(flat)
        ]
    return nest.pack_sequence_as(element, tensors), tensors


class Dataset(DatasetTransformations, WindowingTransformations):
    """A dataset: `_variant_tensor` and the `TensorSpec` structure of its elements."""

    def __init__(self, variant_tensor: Tensor, element_spec) -> None:
        self._variant_tensor = variant_tensor
        self._element_spec = element_spec

    # -- structure ---------------------------------------------------------------------
    @property
    def element_spec(self):
        return self._element_spec

    @property
    def output_types(self):
        return nest.map_structure(lambda s: _legacy(s, "dtype"), self._element_spec)

    @property
    def output_shapes(self):
        return nest.map_structure(lambda s: _legacy(s, "shape"), self._element_spec)

    @property
    def output_classes(self):
        return nest.map_structure(lambda s: _legacy(s, None), self._element_spec)

    def _flat_specs(self) -> list[TensorSpec]:
        return _flat_tensor_specs(self._element_spec)

    def _flat_attrs(self) -> dict:
        specs = self._flat_specs()
        return {
            "output_types": [s.dtype for s in specs],
            "output_shapes": [s.shape for s in specs],
        }

    def _unary(self, op_type: str, inputs: list, spec=None, extra=None) -> Dataset:
        spec = self._element_spec if spec is None else spec
        attrs = _attrs_for(spec)
        attrs.update(extra or {})
        variant = op_output(op_type, None, [self._variant_tensor, *inputs], attrs)
        return Dataset(variant, spec)

    def __repr__(self) -> str:
        return f"<DatasetV1Adapter element_spec={self._element_spec!r}>"

    def __iter__(self):
        from tfgraph.eager import context

        if not context.executing_eagerly():
            raise RuntimeError(
                "`tf.data.Dataset` only supports Python-style iteration in eager mode or "
                "within tf.function."
            )
        from tfgraph.data.iterator_ops import EagerIterator

        return EagerIterator(self)

    def as_numpy_iterator(self) -> NumpyIterator:
        """A `tf.data.NumpyIterator` over the elements as numpy values (eager mode),
        nested as the dataset's elements."""
        from tfgraph.eager import context

        if not context.executing_eagerly():
            raise RuntimeError(
                "`tf.data.Dataset.as_numpy_iterator()` is only supported in eager mode."
            )
        from tfgraph.framework.type_spec import NoneTensorSpec, SparseTensorSpec
        from tfgraph.ragged.ragged_tensor import RaggedTensorSpec

        for spec in nest.flatten(self.element_spec):
            if not isinstance(
                spec, (TensorSpec, RaggedTensorSpec, SparseTensorSpec, NoneTensorSpec)
            ):
                raise TypeError(
                    "`tf.data.Dataset.as_numpy_iterator()` is not supported for datasets that "
                    f"produce values of type {spec.value_type}"
                )
        return NumpyIterator(self)

    # -- sources -----------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None) -> Dataset:
        element, flat = _normalize_element(tensors)
        if not flat:
            raise ValueError("Invalid `tensors`. `tensors` should not be empty.")
        for t in flat:
            if t.shape.rank == 0:
                raise ValueError(f"Unbatching a tensor is only supported for rank >= 1, got {t}")
        first = None
        for t in flat:
            d = t.shape.dims[0].value if t.shape.rank else None
            if d is not None:
                if first is not None and d != first:
                    raise ValueError(f"Dimensions {first} and {d} are not compatible")
                first = d
        spec = nest.map_structure(
            lambda t: (
                composite.unbatched_spec(composite.spec_of(t))
                if composite.is_value(t)
                else TensorSpec(t.shape[1:], t.dtype._base)
            ),
            element,
        )
        flat = [composite.encode_rows(t) if composite.is_value(t) else t for t in flat]
        specs = _flat_tensor_specs(spec)
        variant = op_output(
            "TensorSliceDataset",
            None,
            [flat],
            {
                "Toutput_types": [s.dtype for s in specs],
                "output_shapes": [s.shape for s in specs],
                "is_files": False,
                "metadata": b"",
                "replicate_on_split": False,
            },
        )
        return Dataset(variant, spec)

    @staticmethod
    def from_tensors(tensors, name=None) -> Dataset:
        element, flat = _normalize_element(tensors)
        spec = nest.map_structure(_spec_of_value, element)
        flat = [composite.encode(t) if composite.is_value(t) else t for t in flat]
        specs = _flat_tensor_specs(spec)
        variant = op_output(
            "TensorDataset",
            None,
            [flat],
            {
                "Toutput_types": [s.dtype for s in specs],
                "output_shapes": [s.shape for s in specs],
                "metadata": b"",
            },
        )
        return Dataset(variant, spec)

    @staticmethod
    def range(*args, output_type=dtypes.int64, name=None) -> Dataset:
        if not 1 <= len(args) <= 3:
            raise ValueError(
                "Invalid `args`. The length of `args` should be between 1 and 3 but was "
                f"{len(args)}."
            )
        start, stop, step = (0, args[0], 1) if len(args) == 1 else (*args, 1)[:3]
        spec = TensorSpec([], dtypes.as_dtype(output_type))
        variant = op_output(
            "RangeDataset",
            None,
            [_int64(start, "start"), _int64(stop, "stop"), _int64(step, "step")],
            _attrs_for(spec, replicate_on_split=False),
        )
        return Dataset(variant, spec)

    @staticmethod
    def zip(*args, datasets=None, name=None) -> Dataset:
        """The datasets' elements side by side: `zip(a, b)` or `zip((a, b))` or
        `zip(datasets=...)`, any nesting of tuples and dicts."""
        if not args and datasets is None:
            raise TypeError("Must pass at least one dataset to `zip`.")
        if args and datasets is not None:
            raise TypeError("Both `*args` and `datasets` cannot be set.")
        if len(args) == 1:
            datasets = args[0]
        elif len(args) > 1:
            datasets = args
        flat = nest.flatten(datasets)
        for d in flat:
            if not isinstance(d, Dataset):
                raise TypeError(
                    "Invalid `datasets`. `datasets` is expected to be a (nested) structure "
                    f"of `tf.data.Dataset` objects. Python `list` is not supported and you "
                    f"should use `tuple` instead. Got {type(d).__name__}."
                )
        spec = nest.pack_sequence_as(datasets, [d._element_spec for d in flat])
        attrs = _attrs_for(spec)
        attrs["N"] = len(flat)
        variant = op_output("ZipDataset", None, [[d._variant_tensor for d in flat]], attrs)
        return Dataset(variant, spec)

    @staticmethod
    def from_generator(
        generator,
        output_types=None,
        output_shapes=None,
        args=None,
        output_signature=None,
        name=None,
    ) -> Dataset:
        from tfgraph.data.generator import from_generator

        return from_generator(generator, output_types, output_shapes, args, output_signature)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None) -> Dataset:
        import glob

        patterns = [file_pattern] if isinstance(file_pattern, (str, bytes)) else file_pattern
        names = sorted(
            {f for p in patterns for f in glob.glob(p.decode() if isinstance(p, bytes) else p)}
        )
        if not names:
            from tfgraph import errors

            raise errors.InvalidArgumentError(
                None,
                None,
                f"Expected 'file_pattern' to be a non-empty list of strings: {file_pattern}",
            )
        ds = Dataset.from_tensor_slices(np.array(names, dtype=object))
        if shuffle is None or shuffle:
            ds = ds.shuffle(len(names), seed=seed)
        return ds

    # -- transformations ---------------------------------------------------------------
    def concatenate(self, dataset, name=None) -> Dataset:
        a, b = self._flat_specs(), dataset._flat_specs()
        if nest.map_structure(lambda s: None, self._element_spec) != nest.map_structure(
            lambda s: None, dataset._element_spec
        ) or [s.dtype for s in a] != [s.dtype for s in b]:
            raise TypeError(
                f"Incompatible dataset elements:\n  {self._element_spec!r} vs.   "
                f"{dataset._element_spec!r}"
            )
        merged = [
            TensorSpec(x.shape.most_specific_compatible_shape(y.shape), x.dtype)
            for x, y in zip(a, b)
        ]
        spec = nest.pack_sequence_as(self._element_spec, merged)
        return self._unary("ConcatenateDataset", [dataset._variant_tensor], spec)

    def _trace(self, fn, kind: str, to_outputs):
        f = trace(
            fn,
            kind,
            self._flat_specs(),
            lambda flat: _pack_element(self._element_spec, flat),
            to_outputs,
        )
        if debug_mode.DEBUG_MODE and to_outputs is _element_outputs:
            return debug_mode.as_python_function(self, f, fn, kind)
        return f

    def _captured(self, f) -> list:
        from tfgraph.ops.array_ops import identity

        return [identity(t) if t.dtype.is_ref_dtype else t for t in f.captured]

    def map(
        self,
        map_func,
        num_parallel_calls=None,
        deterministic=None,
        synchronous=None,
        use_unbounded_threadpool=False,
        name=None,
    ) -> Dataset:
        if synchronous and num_parallel_calls is not None:
            raise ValueError(  # (two arguments, as TF raises it)
                "`synchronous` is not supported with `num_parallel_calls`, but "
                "`num_parallel_calls` was set to ",
                num_parallel_calls,
            )
        f = self._trace(map_func, "map", _element_outputs)
        spec = f.structured_outputs
        attrs = _attrs_for(spec)
        captured = self._captured(f)
        attrs.update(
            {
                "f": f,
                "Targuments": [t.dtype._base for t in captured],
                "use_inter_op_parallelism": True,
                "preserve_cardinality": False,
            }
        )
        if num_parallel_calls is None or debug_mode.DEBUG_MODE:
            attrs["force_synchronous"] = bool(synchronous)
            variant = op_output("MapDataset", None, [self._variant_tensor, captured], attrs)
        else:
            attrs["deterministic"] = (
                b"default" if deterministic is None else (b"true" if deterministic else b"false")
            )
            attrs["use_unbounded_threadpool"] = False
            variant = op_output(
                "ParallelMapDatasetV2",
                None,
                [self._variant_tensor, captured, _int64(num_parallel_calls, "num_parallel_calls")],
                attrs,
            )
        return Dataset(variant, spec)

    def filter(self, predicate, name=None) -> Dataset:
        f = self._trace(predicate, "filter", _element_outputs)
        out = nest.flatten(f.structured_outputs)
        if len(out) != 1 or out[0].dtype != dtypes.bool or out[0].shape.rank not in (0, None):
            raise ValueError(
                "Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, "
                f"but its return type is {f.structured_outputs!r}."
            )
        captured = self._captured(f)
        return self._unary(
            "FilterDataset",
            [captured],
            extra={"predicate": f, "Targuments": [t.dtype._base for t in captured]},
        )

    def _dataset_fn(self, fn, kind: str):
        f = self._trace(fn, kind, _dataset_outputs)
        return f, f.structured_outputs, self._captured(f)

    def flat_map(self, map_func, name=None) -> Dataset:
        f, spec, captured = self._dataset_fn(map_func, "flat_map")
        attrs = _attrs_for(spec)
        attrs.update({"f": f, "Targuments": [t.dtype._base for t in captured]})
        variant = op_output("FlatMapDataset", None, [self._variant_tensor, captured], attrs)
        return Dataset(variant, spec)

    def interleave(
        self,
        map_func,
        cycle_length=None,
        block_length=None,
        num_parallel_calls=None,
        deterministic=None,
        name=None,
    ) -> Dataset:
        f, spec, captured = self._dataset_fn(map_func, "interleave")
        attrs = _attrs_for(spec)
        attrs.update({"f": f, "Targuments": [t.dtype._base for t in captured]})
        cycle = _int64(AUTOTUNE if cycle_length is None else cycle_length, "cycle_length")
        block = _int64(1 if block_length is None else block_length, "block_length")
        if num_parallel_calls is None or debug_mode.DEBUG_MODE:
            inputs = [self._variant_tensor, captured, cycle, block]
            variant = op_output("InterleaveDataset", None, inputs, attrs)
        else:
            attrs["deterministic"] = (
                b"default" if deterministic is None else (b"true" if deterministic else b"false")
            )
            inputs = [
                self._variant_tensor,
                captured,
                cycle,
                block,
                _int64(AUTOTUNE, "buffer_output_elements"),
                _int64(AUTOTUNE, "prefetch_input_elements"),
                _int64(num_parallel_calls, "num_parallel_calls"),
            ]
            variant = op_output("ParallelInterleaveDatasetV4", None, inputs, attrs)
        return Dataset(variant, spec)

    def batch(
        self,
        batch_size,
        drop_remainder=False,
        num_parallel_calls=None,
        deterministic=None,
        name=None,
    ) -> Dataset:
        size = _int64(batch_size, "batch_size")
        drop = convert_to_tensor(drop_remainder, dtype=dtypes.bool, name="drop_remainder")
        static = _static_int(size)
        outer = static if drop_remainder is True and static is not None else None
        spec = nest.map_structure(
            lambda s: (
                composite.batched_spec(s, outer)
                if composite.is_spec(s)
                else TensorSpec(TensorShape([outer]).concatenate(s.shape), s.dtype)
            ),
            self._element_spec,
        )
        return self._unary("BatchDatasetV2", [size, drop], spec, {"parallel_copy": False})

    def padded_batch(
        self, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False, name=None
    ) -> Dataset:
        specs = self._flat_specs()
        if padded_shapes is None:
            for s in specs:
                if s.shape.rank is None:
                    raise ValueError(
                        "You must provide `padded_shapes` argument because component has "
                        "unknown rank."
                    )
            shapes = [s.shape for s in specs]
        else:
            shapes = nest.flatten(nest.shapes_from(self._element_spec, padded_shapes))
        shape_tensors, out_specs = [], []
        for s, want in zip(specs, shapes):
            if not want.is_compatible_with(s.shape) and not (
                want.rank == s.shape.rank
                and all(
                    w is None or d is None or d <= w
                    for w, d in zip(want.as_list(), s.shape.as_list())
                )
            ):
                raise ValueError(
                    f"The padded shape {want} is not compatible with the shape {s.shape} of "
                    "the corresponding input component."
                )
            dims = [-1 if d is None else d for d in want.as_list()]
            shape_tensors.append(convert_to_tensor(np.array(dims, np.int64), name="Const"))
            out_specs.append(TensorSpec(TensorShape([None]).concatenate(want), s.dtype))
        if padding_values is None:
            values = [
                convert_to_tensor(
                    b"" if s.dtype == dtypes.string else np.zeros((), s.dtype.np_dtype),
                    dtype=s.dtype,
                    name="padding_value",
                )
                for s in specs
            ]
        else:
            given = padding_values
            if not isinstance(given, (tuple, dict)) and isinstance(
                self._element_spec, (tuple, dict)
            ):
                given = nest.map_structure(lambda s: padding_values, self._element_spec)
            values = [
                convert_to_tensor(v, dtype=s.dtype, name="padding_value")
                for v, s in zip(nest.flatten(given), specs)
            ]
        size = _int64(batch_size, "batch_size")
        drop = convert_to_tensor(drop_remainder, dtype=dtypes.bool, name="drop_remainder")
        if drop_remainder is True and _static_int(size) is not None:
            out_specs = [
                TensorSpec(TensorShape([_static_int(size)]).concatenate(s.shape[1:]), s.dtype)
                for s in out_specs
            ]
        spec = nest.pack_sequence_as(self._element_spec, out_specs)
        attrs = {
            "parallel_copy": False,
            "Toutput_types": [s.dtype for s in out_specs],
            "output_shapes": [s.shape for s in out_specs],
            "N": len(out_specs),
            "metadata": b"",
        }
        variant = op_output(
            "PaddedBatchDatasetV2",
            None,
            [self._variant_tensor, size, shape_tensors, values, drop],
            attrs,
        )
        return Dataset(variant, spec)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None) -> Dataset:
        size = _int64(buffer_size, "buffer_size")
        seed1, seed2 = get_seed(seed)
        if seed1 is None:  # (0, 0): a fresh random pair for each session's iterator
            inputs = [size, _int64(0, "seed"), _int64(0, "seed2")]
        else:
            inputs = [size, *_seed_tensors(seed1, seed2)]
        reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        return self._unary("ShuffleDataset", inputs, extra={"reshuffle_each_iteration": reshuffle})

    def repeat(self, count=None, name=None) -> Dataset:
        return self._unary("RepeatDataset", [_int64(-1 if count is None else count, "count")])

    def take(self, count, name=None) -> Dataset:
        return self._unary("TakeDataset", [_int64(count, "count")])

    def skip(self, count, name=None) -> Dataset:
        return self._unary("SkipDataset", [_int64(count, "count")])

    def prefetch(self, buffer_size, name=None) -> Dataset:
        if debug_mode.DEBUG_MODE:  # (TF's debug mode: no asynchrony)
            return self
        if buffer_size is None:
            buffer_size = AUTOTUNE
        # (TF: legacy_autotune when buffer_size is the Python value AUTOTUNE)
        legacy = isinstance(buffer_size, int) and buffer_size == AUTOTUNE
        size = _int64(buffer_size, "buffer_size")
        extra = {"slack_period": 0, "legacy_autotune": legacy, "buffer_size_min": 0}
        variant = self._variant_tensor
        if variant.__class__ is not Tensor:
            return self._unary("PrefetchDataset", [size], extra=extra)
        with get_default_graph().colocate_with(variant.op):  # (as TF places it)
            return self._unary("PrefetchDataset", [size], extra=extra)

    def cache(self, filename="", name=None) -> Dataset:
        fname = convert_to_tensor(filename, dtype=dtypes.string, name="filename")
        return self._unary("CacheDataset", [fname])

    def apply(self, transformation_func) -> Dataset:
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError(
                f"`transformation_func` must return a `tf.data.Dataset` object. Got {type(result)}."
            )
        return result

    def unbatch(self, name=None) -> Dataset:
        """The rows of each element, one by one (an UnbatchDataset)."""
        for spec in self._flat_specs():
            if spec.shape.rank == 0:
                raise ValueError("Cannot unbatch an input with scalar components.")
        spec = nest.map_structure(
            lambda s: (
                composite.unbatched_spec(s)
                if composite.is_spec(s)
                else TensorSpec(s.shape[1:] if s.shape.rank is not None else s.shape, s.dtype)
            ),
            self._element_spec,
        )
        # TF first maps each element to its flat list of tensors (normalize_to_dense): a
        # SparseTensor or RaggedTensor as its rows' variants.
        flat = self.map(
            lambda *parts: tuple(
                composite.encode_rows(t) if composite.is_value(t) else t
                for t in nest.flatten(parts)
            )
        )
        normalized = Dataset(flat._variant_tensor, self._element_spec)
        return normalized._unary("UnbatchDataset", [], spec)

    # -- options (tfgraph/data/options.py) -----------------------------------------------
    def with_options(self, options, name=None) -> Dataset:
        from tfgraph.data.options import with_options

        return with_options(self, options, name)

    def options(self):
        from tfgraph.data.options import dataset_options

        return dataset_options(self)

    # -- iterators (TF1) ---------------------------------------------------------------
    def make_one_shot_iterator(self):
        from tfgraph.data.iterator_ops import make_one_shot_iterator

        return make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name=None):
        from tfgraph.data.iterator_ops import make_initializable_iterator

        return make_initializable_iterator(self, shared_name)


def _seed_tensors(seed1: int, seed2: int | None) -> list[Tensor]:
    """The seed pair as TF's `random_seed.get_seed` tensors build it: `seed2` becomes
    2**31 - 1 when both are 0 (the pair (0, 0) would mean nondeterministic)."""
    from tfgraph.ops.array_ops import where_v2
    from tfgraph.ops.math_ops import equal, logical_and

    seed = _int64(seed1, "seed")
    g = get_default_graph()
    with g.name_scope("seed2") as scope:
        second = convert_to_tensor(seed2, dtype=dtypes.int64, name="Const")
        both_zero = logical_and(equal(seed, 0), equal(second, 0))
        big = convert_to_tensor(2**31 - 1, dtype=dtypes.int64, name="Const")
        return [seed, where_v2(both_zero, big, second, name=scope)]


def _static_int(t: Tensor):
    from tfgraph.ops.common_shapes import constant_value

    v = constant_value(t)
    return None if v is None else int(v)


def _sparse_values_as_tensors(element):
    if isinstance(element, SparseTensorValue):
        return SparseTensor.from_value(element)
    if isinstance(element, dict):
        return type(element)((k, _sparse_values_as_tensors(v)) for k, v in element.items())
    if isinstance(element, tuple) and hasattr(element, "_fields"):
        return type(element)(*[_sparse_values_as_tensors(v) for v in element])
    if isinstance(element, tuple):
        return tuple(_sparse_values_as_tensors(v) for v in element)
    return element


def _spec_of_value(t):
    if composite.is_value(t):
        return composite.spec_of(t)
    return TensorSpec(t.shape, t.dtype._base)


def _is_dataset_spec(spec) -> bool:
    return not isinstance(spec, TensorSpec) and hasattr(spec, "_dataset_shape")


def _legacy(spec, attr):
    """TF1's output_types/shapes/classes (attr None) of a component: a DatasetSpec stands
    for itself."""
    if _is_dataset_spec(spec):
        return spec
    if attr is None:
        return spec.value_type if composite.is_spec(spec) else Tensor
    return getattr(spec, attr)


def _flat_tensor_specs(spec) -> list[TensorSpec]:
    """The flat specs of the element's tensors: a nested dataset is one variant scalar."""
    return [
        TensorSpec([], dtypes.variant)
        if _is_dataset_spec(s)
        else composite.flat_spec(s)
        if composite.is_spec(s)
        else s
        for s in nest.flatten(spec)
    ]


def _pack_element(spec, flat):
    """`flat` tensors as the element structure `spec`, variant tensors of nested
    datasets as `Dataset`s (what a window's element is in a traced function)."""
    values = [
        Dataset(t, s._element_spec)
        if _is_dataset_spec(s)
        else composite.decode(t, s)
        if composite.is_spec(s)
        else t
        for s, t in zip(nest.flatten(spec), flat)
    ]
    return nest.pack_sequence_as(spec, values)


def _attrs_for(spec, **extra) -> dict:
    specs = _flat_tensor_specs(spec)
    attrs = {
        "output_types": [s.dtype for s in specs],
        "output_shapes": [s.shape for s in specs],
        "metadata": b"",
    }
    attrs.update(extra)
    return attrs


def _element_outputs(result):
    """A map function's result as (flat tensors, TensorSpec structure); lists become
    tuples, as tf.data does."""
    if isinstance(result, list):
        result = tuple(result)
    if isinstance(result, Dataset):
        raise TypeError("A map function returning a Dataset: use flat_map or interleave.")
    leaves = [
        t if (isinstance(t, Tensor) or composite.is_value(t)) else convert_to_tensor(t)
        for t in nest.flatten(result)
    ]
    structure = nest.pack_sequence_as(result, [_spec_of_value(t) for t in leaves])
    flat = [composite.encode(t) if composite.is_value(t) else t for t in leaves]
    return flat, structure


def _dataset_outputs(result):
    if not isinstance(result, Dataset):
        raise TypeError(
            f"The `map_func` argument must return a `Dataset` object. Got {type(result)}."
        )
    return [result._variant_tensor], result._element_spec


# -- file datasets ---------------------------------------------------------------------


def _file_dataset(filenames, read_one_file, kind: str) -> Dataset:
    from tfgraph.ops.array_ops import reshape

    names = convert_to_tensor(filenames, dtype=dtypes.string)
    names = reshape(names, [-1], name="flat_filenames")
    files = Dataset(
        op_output(
            "TensorSliceDataset",
            None,
            [[names]],
            {
                "Toutput_types": [dtypes.string],
                "output_shapes": [TensorShape([])],
                "is_files": True,
                "metadata": b"",
                "replicate_on_split": False,
            },
        ),
        TensorSpec([], dtypes.string),
    )
    read_one_file.__name__ = "read_one_file"
    return files.flat_map(read_one_file)


def _reader(op_type: str, compression_type, buffer_size, *extra):
    def read_one_file(filename):
        inputs = [filename]
        if op_type == "FixedLengthRecordDatasetV2":
            header, record, footer = extra
            inputs += [
                _int64(header or 0, "header_bytes"),
                _int64(record, "record_bytes"),
                _int64(footer or 0, "footer_bytes"),
                _int64(buffer_size or _DEFAULT_READ_BUFFER, "buffer_size"),
                convert_to_tensor(
                    compression_type or "", dtype=dtypes.string, name="compression_type"
                ),
            ]
        else:
            inputs += [
                convert_to_tensor(
                    compression_type or "", dtype=dtypes.string, name="compression_type"
                ),
                _int64(buffer_size or _DEFAULT_READ_BUFFER, "buffer_size"),
            ]
        variant = op_output(op_type, None, inputs, {"metadata": b""})
        return Dataset(variant, TensorSpec([], dtypes.string))

    return read_one_file


def TFRecordDataset(
    filenames,
    compression_type=None,
    buffer_size=None,
    num_parallel_reads=None,
    name=None,
) -> Dataset:
    """TF's `tf.data.TFRecordDataset`: the records of the files, in order."""
    return _file_dataset(
        filenames, _reader("TFRecordDataset", compression_type, buffer_size), "tfrecord"
    )


def TextLineDataset(
    filenames,
    compression_type=None,
    buffer_size=None,
    num_parallel_reads=None,
    name=None,
) -> Dataset:
    """TF's `tf.data.TextLineDataset`: the lines of the files, without line ends."""
    return _file_dataset(
        filenames, _reader("TextLineDataset", compression_type, buffer_size), "text"
    )


def FixedLengthRecordDataset(
    filenames,
    record_bytes,
    header_bytes=None,
    footer_bytes=None,
    buffer_size=None,
    compression_type=None,
    num_parallel_reads=None,
    name=None,
) -> Dataset:
    """TF's `tf.data.FixedLengthRecordDataset`: fixed-size records of the files."""
    read = _reader(
        "FixedLengthRecordDatasetV2",
        compression_type,
        buffer_size,
        header_bytes,
        record_bytes,
        footer_bytes,
    )
    return _file_dataset(filenames, read, "fixed")


class NumpyIterator:
    """`tf.data.NumpyIterator` (what `Dataset.as_numpy_iterator()` returns): iterates a
    dataset eagerly, each element's tensors as numpy values (arrays read-only, as TF
    shares them with the tensors) in the element's structure."""

    __slots__ = ["_dataset", "_iterator"]

    def __init__(self, dataset) -> None:
        self._iterator = iter(dataset)
        self._dataset = dataset

    def __repr__(self) -> str:
        return f"NumpyIterator(iterator={self._iterator})"

    def __iter__(self) -> NumpyIterator:
        return self

    def __next__(self):
        return nest.map_structure(_to_numpy, next(self._iterator))

    def next(self):
        return self.__next__()


def _to_numpy(value):
    if value is None:
        return None
    out = value._numpy() if hasattr(value, "_numpy") else value.numpy()
    if isinstance(out, np.ndarray):
        out.setflags(write=False)
    return out

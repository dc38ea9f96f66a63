"""tf.data's graph ops: datasets are values of dtype variant, iterators resources.

A dataset op's kernel returns a `DatasetValue`: an immutable description of the
elements (a flat tuple of numpy values each) that makes a fresh Python iterator on
each `iterate(state)` call. Dataset ops are pure, as in TF (their inputs constant,
plans fold them once). Functions given to `map`, `filter`, `flat_map` and
`interleave` come as `f`/`predicate` attrs holding a traced function (see
`tfgraph.data.function`) that kernels bind with `make_runner(ctx)`: the function's
own plan, run with the session's resources.

Iterators are resources in the session's store (`ctx.resources_for(op)`):
`IteratorV2`/`OneShotIterator` give an `IteratorResource`, `MakeIterator` starts it
on a dataset (again at each run: re-running an initializer restarts), and
`IteratorGetNext` takes the next element, raising OutOfRangeError "End of sequence"
at the end. Two sessions iterate independently.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes, rows
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.io.tfrecord import decompress, tf_record_iterator

__all__ = ["DatasetValue", "IteratorResource"]

_META = "metadata: string = ''"
_TYPES = "output_types: list(type) >= 1"
_SHAPES = "output_shapes: list(shape) >= 1"


class DatasetValue:
    """A dataset's value: `iterate(state)` gives a fresh iterator of flat element tuples.

    `state` is a dict per iterator (MakeIterator makes a new one): shuffle keeps its
    epoch count there and cache its recorded elements, so re-initializing an iterator
    starts over as TF's does."""

    __slots__ = ("_iterate", "cardinality", "groups")

    def __init__(self, iterate, cardinality: int = -2, groups=None) -> None:
        self._iterate = iterate
        # TF's cardinality rules: the number of elements, INFINITE (-1) or UNKNOWN (-2).
        self.cardinality = cardinality
        # groups(state, n): the same elements, in order, as ("batch", components with a
        # leading dimension of up to n) or ("rows", [elements]); an error after some
        # elements comes after their group. None: only element by element.
        self.groups = groups

    def iterate(self, state: dict):
        return self._iterate(state)

    def __repr__(self) -> str:
        return "<DatasetValue>"


# Set in an iterator's state while an IgnoreErrorsDataset pulls from its input: kernels
# that fail on one element (map, filter, CSV records) then drop it and go on, as TF's
# iterators do when IgnoreErrorsDataset asks them for the next element after an error.
SKIP_ERRORS = "ignore_errors"


def skipping_errors(state: dict) -> bool:
    return bool(state.get(SKIP_ERRORS))


# -- groups of elements (framework/rows.py) -------------------------------------------------
def _string_groups(strings):
    """`groups` of a source whose elements are scalar strings, from `strings(state)`."""

    def groups(state, n):
        batch: list = []
        try:
            for value in strings(state):
                batch.append(value)
                if len(batch) == n:
                    yield "batch", (_object_vector(batch),)
                    batch = []
        except Exception:
            if batch:  # (the elements before the error first, as one by one)
                yield "batch", (_object_vector(batch),)
            raise
        if batch:
            yield "batch", (_object_vector(batch),)

    return groups


def _object_vector(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _elements(groups):
    """The elements of `groups`, each component a new array (not a view keeping its
    group alive in a shuffle buffer)."""
    for kind, group in groups:
        if kind == "rows":
            yield from group
            continue
        for i in range(len(group[0])):
            yield tuple(np.array(c[i], dtype=c.dtype) for c in group)


def _row_function(op, attr: str):
    """The record shapes of the outputs of function `attr` when it runs row-wise in its
    element inputs (its captured inputs being the same for every element), else None."""
    fn = op._attrs[attr]
    if not hasattr(fn, "graph") or not all(isinstance(t, Tensor) for t in fn.outputs):
        return None
    fixed = {t._op for t in fn.placeholders}
    if not fn.outputs or not rows.rowwise(fn.outputs, fn.inputs, fixed):
        return None
    return rows.record_shapes(fn.outputs)


def _mapped_groups(dataset, state, n, run, captured, expected):
    """`groups` of a map: each group through the function at once; a group that fails
    (or gives other shapes) goes element by element, raising where one would."""
    for kind, group in dataset.groups(state, n):
        if kind == "batch":
            size = len(group[0])
            try:
                out = run(*group, *captured)
            except Exception:
                out = None  # (one by one below: the failing element raises)
            if out is not None and rows.rows_match(out, expected, size):
                yield "batch", out
                continue
            group = [tuple(c[i] for c in group) for i in range(size)]
        for out in _mapped_elements(group, state, run, captured):
            yield "rows", [out]


def _map_value(dataset, run, captured, expected, cardinality):
    """A map's DatasetValue: in groups when its function and its input allow."""
    if expected is None or dataset.groups is None or rows.GROUP <= 1:
        return DatasetValue(lambda state: _mapped(dataset, state, run, captured), cardinality)

    def groups(state, n):
        return _mapped_groups(dataset, state, n, run, captured, expected)

    return DatasetValue(lambda state: _elements(groups(state, rows.GROUP)), cardinality, groups)


def _mapped(dataset, state, run, captured):
    yield from _mapped_elements(dataset.iterate(state), state, run, captured)


def _mapped_elements(elements, state, run, captured):
    """The function's results on `elements`, one by one; a failing element is dropped
    while an IgnoreErrorsDataset pulls (SKIP_ERRORS), else its error raised."""
    for element in elements:
        try:
            out = run(*element, *captured)
        except errors.OpError:
            if skipping_errors(state):
                continue
            raise
        yield out


class IteratorResource:
    """An iterator's state in a session: the Python iterator it is at, if any."""

    __slots__ = (
        "dataset",
        "handle",
        "init_lock",
        "it",
        "lock",
        "name",
        "output_types",
        "produced",
    )

    def __init__(self, name: str, output_types) -> None:
        self.name = name
        self.output_types = list(output_types)
        self.it = None
        self.lock = threading.Lock()
        self.init_lock = threading.Lock()
        self.handle: bytes | None = None
        self.dataset: DatasetValue | None = None
        self.produced = 0  # elements given since `start` (the iterator's saved position)

    def start(self, dataset: DatasetValue) -> None:
        it = dataset.iterate({})
        with self.lock:
            self.it = it
            self.dataset = dataset
            self.produced = 0

    def seek(self, produced: int) -> None:
        """Restarts on the same dataset and moves past `produced` elements (restoring a
        saved position: the elements are computed again, so a pipeline gives the same
        ones only when it is deterministic: seeded shuffles, no unseeded randomness)."""
        with self.lock:
            dataset = self.dataset
            assert dataset is not None, "seek() before start()"
            it = dataset.iterate({})
            for _ in range(produced):
                if next(it, None) is None:
                    break
            self.it, self.produced = it, produced

    def destroy(self) -> None:
        """DestroyResourceOp on an iterator: it forgets its position (an anonymous
        iterator's owner is done with it)."""
        with self.lock:
            self.it = None
            self.dataset = None

    def get_next(self):
        with self.lock:
            it = self.it
            if it is None:
                raise errors.FailedPreconditionError(
                    None,
                    None,
                    "GetNext() failed because the iterator has not been initialized. Ensure "
                    "that you have run the initializer operation for this iterator before "
                    "getting the next element.",
                )
            try:
                element = next(it)
            except StopIteration:
                raise errors.OutOfRangeError(None, None, "End of sequence") from None
            self.produced += 1
            return element


# -- cardinality (TF's rules) ------------------------------------------------------------
_INFINITE, _UNKNOWN = -1, -2


def _batched_cardinality(n: int, size: int, drop: bool) -> int:
    if n < 0:
        return n
    return n // size if drop else -(-n // size)


def _zip_cardinality(ns: list) -> int:
    if _UNKNOWN in ns:
        return _UNKNOWN
    finite = [n for n in ns if n != _INFINITE]
    return min(finite) if finite else _INFINITE


def _concat_cardinality(a: int, b: int) -> int:
    if _INFINITE in (a, b):
        return _INFINITE
    if _UNKNOWN in (a, b):
        return _UNKNOWN
    return a + b


def _repeat_cardinality(n: int, count: int) -> int:
    if count < 0:  # (TF: even an unknown input repeats forever)
        return 0 if n == 0 else _INFINITE
    if count == 0 or n == 0:
        return 0
    return n if n < 0 else n * count


def _take_cardinality(n: int, count: int) -> int:
    if count < 0:
        return n
    if n == _INFINITE:
        return count
    return _UNKNOWN if n == _UNKNOWN else min(n, count)


def _skip_cardinality(n: int, count: int) -> int:
    if n < 0:
        return n
    return 0 if count < 0 else max(0, n - count)


def _variant_shape(op):
    return [TensorShape([])]


def _scalar(value) -> int:
    return int(np.asarray(value).reshape(()))


def _row(c: np.ndarray, i: int):
    r = c[i]
    return r if r.__class__ is np.ndarray else np.array(r, dtype=c.dtype)


def _component_types(op, attr="output_types"):
    return list(op._attrs[attr])


def _runner(op, ctx, attr):
    fn = op._attrs[attr]
    make = getattr(fn, "make_runner", None)
    if make is None:
        raise errors.UnimplementedError(
            None,
            op,
            f"the body of function {fn!r} (attr {attr} of {op._name}) is not available: "
            "tfgraph runs dataset functions traced in this process, not imported ones",
        )
    return make(ctx)


# -- sources ---------------------------------------------------------------------------


def _tensor_slice_kernel(op, ctx):
    def kernel(*components):
        comps = [np.asarray(c) for c in components]
        n = comps[0].shape[0] if comps[0].ndim else None
        for c in comps:
            if c.ndim == 0 or c.shape[0] != n:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    "All components must have the same size in the 0th dimension",
                )

        def iterate(state):
            for i in range(n):
                yield tuple(_row(c, i) for c in comps)

        return DatasetValue(iterate, n)

    return kernel


register_op(
    "TensorSliceDataset",
    inputs=["components: Toutput_types"],
    outputs=["handle: variant"],
    attrs=[
        "Toutput_types: list(type) >= 1",
        _SHAPES,
        "is_files: bool = false",
        _META,
        "replicate_on_split: bool = false",
    ],
    shape=_variant_shape,
    make_kernel=_tensor_slice_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,  # (as TF's source datasets: never constant-folded)
)


def _tensor_dataset_kernel(op, ctx):
    def kernel(*components):
        element = tuple(np.asarray(c) for c in components)
        return DatasetValue(lambda state: iter((element,)), 1)

    return kernel


register_op(
    "TensorDataset",
    inputs=["components: Toutput_types"],
    outputs=["handle: variant"],
    attrs=["Toutput_types: list(type) >= 1", _SHAPES, _META],
    shape=_variant_shape,
    make_kernel=_tensor_dataset_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,  # (as TF's source datasets: never constant-folded)
)


def _range_kernel(op, ctx):
    np_dtype = op._attrs["output_types"][0].np_dtype

    def kernel(start, stop, step):
        start, stop, step = _scalar(start), _scalar(stop), _scalar(step)
        if step == 0:
            raise errors.InvalidArgumentError(None, None, "step must be a non-zero integer.")

        def iterate(state):
            for v in range(start, stop, step):
                yield (np_dtype.type(v),)

        return DatasetValue(iterate, len(range(start, stop, step)))

    return kernel


register_op(
    "RangeDataset",
    inputs=["start: int64", "stop: int64", "step: int64"],
    outputs=["handle: variant"],
    attrs=[_TYPES, _SHAPES, _META, "replicate_on_split: bool = false"],
    shape=_variant_shape,
    make_kernel=_range_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,  # (as TF's source datasets: never constant-folded)
)


def _generator_kernel(op, ctx):
    fn = op._attrs["next_func"]
    types = _component_types(op)
    if hasattr(fn, "generate"):  # (from_generator: next_func calls the Python generator)
        return lambda *args: DatasetValue(lambda state: fn.generate(types))
    init, step, finalize = (_runner(op, ctx, a) for a in _GENERATOR_FUNCS)
    n_init = len(op._attrs["Tinit_func_args"])
    n_next = len(op._attrs["Tnext_func_args"])

    def kernel(*args):
        init_args, next_args = args[:n_init], args[n_init : n_init + n_next]
        finalize_args = args[n_init + n_next :]

        def iterate(state):
            # (TF's semantics: init_func once per iterator, next_func until it raises
            # OutOfRangeError, finalize_func with init's results at the end.)
            handle = init(*init_args)
            try:
                while True:
                    try:
                        element = step(*handle, *next_args)
                    except errors.OutOfRangeError:
                        return
                    yield element
            finally:
                finalize(*handle, *finalize_args)

        return DatasetValue(iterate)

    return kernel


_GENERATOR_FUNCS = ("init_func", "next_func", "finalize_func")


register_op(
    "GeneratorDataset",
    inputs=[
        "init_func_other_args: Tinit_func_args",
        "next_func_other_args: Tnext_func_args",
        "finalize_func_other_args: Tfinalize_func_args",
    ],
    outputs=["handle: variant"],
    attrs=[
        "init_func: func",
        "next_func: func",
        "finalize_func: func",
        "Tinit_func_args: list(type) >= 0",
        "Tnext_func_args: list(type) >= 0",
        "Tfinalize_func_args: list(type) >= 0",
        _TYPES,
        _SHAPES,
        _META,
    ],
    shape=_variant_shape,
    make_kernel=_generator_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


# -- files -----------------------------------------------------------------------------


def _filenames(value) -> list[str]:
    return [f.decode() if isinstance(f, bytes) else str(f) for f in np.asarray(value).ravel()]


def _check_compression(compression) -> str:
    kind = _scalar_bytes(compression).decode()
    if kind not in ("", "GZIP", "ZLIB"):
        raise errors.InvalidArgumentError(None, None, f"Unsupported compression_type: {kind}.")
    return kind


def _scalar_bytes(value) -> bytes:
    v = np.asarray(value).reshape(()).item()
    return v if isinstance(v, bytes) else str(v).encode()


def _read_file(path: str, kind: str) -> bytes:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None
    except IsADirectoryError:
        raise errors.FailedPreconditionError(None, None, f"{path}; Is a directory") from None
    return decompress(data, kind, path)


def _tfrecord_kernel(op, ctx):
    def kernel(filenames, compression_type, buffer_size):
        names = _filenames(filenames)
        kind = _check_compression(compression_type)

        def records(state):
            for name in names:
                yield from tf_record_iterator(name, kind)

        def iterate(state):
            for record in records(state):
                yield (np.array(record, dtype=object),)

        return DatasetValue(iterate, groups=_string_groups(records))

    return kernel


register_op(
    "TFRecordDataset",
    inputs=["filenames: string", "compression_type: string", "buffer_size: int64"],
    outputs=["handle: variant"],
    attrs=[_META],
    shape=_variant_shape,
    make_kernel=_tfrecord_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _text_line_kernel(op, ctx):
    def kernel(filenames, compression_type, buffer_size):
        names = _filenames(filenames)
        kind = _check_compression(compression_type)

        def lines(state):
            for name in names:
                data = _read_file(name, kind)
                split = data.split(b"\n")
                if split and split[-1] == b"":
                    split.pop()
                for line in split:
                    yield line[:-1] if line.endswith(b"\r") else line

        def no_trailing(state):
            for line in lines(state):
                yield (np.array(line, dtype=object),)

        return DatasetValue(no_trailing, groups=_string_groups(lines))

    return kernel


register_op(
    "TextLineDataset",
    inputs=["filenames: string", "compression_type: string", "buffer_size: int64"],
    outputs=["handle: variant"],
    attrs=[_META],
    shape=_variant_shape,
    make_kernel=_text_line_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _fixed_length_kernel(op, ctx):
    def kernel(filenames, header_bytes, record_bytes, footer_bytes, buffer_size, compression):
        names = _filenames(filenames)
        header, size, footer = _scalar(header_bytes), _scalar(record_bytes), _scalar(footer_bytes)
        kind = _check_compression(compression)
        if size <= 0:
            raise errors.InvalidArgumentError(
                None, None, f"record_bytes must be greater than zero, got {size}"
            )

        def iterate(state):
            for name in names:
                data = _read_file(name, kind)
                body = data[header : max(header, len(data) - footer)]
                if len(body) % size:
                    raise errors.InvalidArgumentError(
                        None,
                        None,
                        f"Excluding the header ({header} bytes) and footer ({footer} bytes), "
                        f'input file "{name}" has body length {len(body)} bytes, which is not '
                        f"an exact multiple of the record length ({size} bytes).",
                    )
                for start in range(0, len(body) - size + 1, size):
                    yield (np.array(body[start : start + size], dtype=object),)

        return DatasetValue(iterate)

    return kernel


register_op(
    "FixedLengthRecordDatasetV2",
    inputs=[
        "filenames: string",
        "header_bytes: int64",
        "record_bytes: int64",
        "footer_bytes: int64",
        "buffer_size: int64",
        "compression_type: string",
    ],
    outputs=["handle: variant"],
    attrs=[_META],
    shape=_variant_shape,
    make_kernel=_fixed_length_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


# -- transformations -------------------------------------------------------------------


def _zip_kernel(op, ctx):
    def kernel(*datasets):
        def iterate(state):
            its = [d.iterate(state) for d in datasets]
            while True:
                element: tuple = ()
                for it in its:
                    try:
                        element += next(it)
                    except StopIteration:
                        return
                yield element

        return DatasetValue(iterate, _zip_cardinality([d.cardinality for d in datasets]))

    return kernel


register_op(
    "ZipDataset",
    inputs=["input_datasets: N * variant"],
    outputs=["handle: variant"],
    attrs=[_TYPES, _SHAPES, "N: int >= 1", _META],
    shape=_variant_shape,
    make_kernel=_zip_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _concatenate_kernel(op, ctx):
    def kernel(first, second):
        def iterate(state):
            yield from first.iterate(state)
            yield from second.iterate(state)

        return DatasetValue(iterate, _concat_cardinality(first.cardinality, second.cardinality))

    return kernel


register_op(
    "ConcatenateDataset",
    inputs=["input_dataset: variant", "another_dataset: variant"],
    outputs=["handle: variant"],
    attrs=[_TYPES, _SHAPES, _META],
    shape=_variant_shape,
    make_kernel=_concatenate_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _map_kernel(op, ctx):
    run = _runner(op, ctx, "f")
    expected = _row_function(op, "f")
    preserve = op._attrs.get("preserve_cardinality", False)

    def kernel(dataset, *captured):
        cardinality = dataset.cardinality if preserve else _UNKNOWN
        return _map_value(dataset, run, captured, expected, cardinality)

    return kernel


_FN_ATTRS = ["f: func", "Targuments: list(type) >= 0", _TYPES, _SHAPES]

register_op(
    "MapDataset",
    inputs=["input_dataset: variant", "other_arguments: Targuments"],
    outputs=["handle: variant"],
    attrs=[
        *_FN_ATTRS,
        "use_inter_op_parallelism: bool = true",
        "preserve_cardinality: bool = false",
        "force_synchronous: bool = false",
        _META,
    ],
    shape=_variant_shape,
    make_kernel=_map_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _parallel_map_kernel(op, ctx):
    run = _runner(op, ctx, "f")
    expected = _row_function(op, "f")
    preserve = op._attrs.get("preserve_cardinality", False)

    def kernel(dataset, *args):
        cardinality = dataset.cardinality if preserve else _UNKNOWN
        return _map_value(dataset, run, args[:-1], expected, cardinality)

    return kernel


register_op(
    "ParallelMapDatasetV2",
    inputs=["input_dataset: variant", "other_arguments: Targuments", "num_parallel_calls: int64"],
    outputs=["handle: variant"],
    attrs=[
        *_FN_ATTRS,
        "use_inter_op_parallelism: bool = true",
        "deterministic: string = 'default'",
        "preserve_cardinality: bool = false",
        "use_unbounded_threadpool: bool = false",
        _META,
    ],
    shape=_variant_shape,
    make_kernel=_parallel_map_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _filter_kernel(op, ctx):
    run = _runner(op, ctx, "predicate")

    def kernel(dataset, *captured):
        def iterate(state):
            for element in dataset.iterate(state):
                try:
                    (keep,) = run(*element, *captured)
                except errors.OpError:
                    if skipping_errors(state):
                        continue
                    raise
                keep = np.asarray(keep)
                if keep.dtype != np.bool_ or keep.shape != ():
                    raise errors.InvalidArgumentError(
                        None, None, "Filter predicate `f` must return a scalar bool."
                    )
                if keep:
                    yield element

        return DatasetValue(iterate)

    return kernel


register_op(
    "FilterDataset",
    inputs=["input_dataset: variant", "other_arguments: Targuments"],
    outputs=["handle: variant"],
    attrs=["predicate: func", "Targuments: list(type) >= 0", _TYPES, _SHAPES, _META],
    shape=_variant_shape,
    make_kernel=_filter_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _flat_map_kernel(op, ctx):
    run = _runner(op, ctx, "f")

    def kernel(dataset, *captured):
        def iterate(state):
            for element in dataset.iterate(state):
                (inner,) = run(*element, *captured)
                yield from inner.iterate(state)

        def groups(state, n):  # (each inner dataset's groups: TFRecordDataset's files)
            for element in dataset.iterate(state):
                (inner,) = run(*element, *captured)
                if inner.groups is not None:
                    yield from inner.groups(state, n)
                else:
                    for one in inner.iterate(state):
                        yield "rows", [one]

        return DatasetValue(iterate, groups=groups)

    return kernel


register_op(
    "FlatMapDataset",
    inputs=["input_dataset: variant", "other_arguments: Targuments"],
    outputs=["handle: variant"],
    attrs=[*_FN_ATTRS, _META],
    shape=_variant_shape,
    make_kernel=_flat_map_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _interleave(dataset, run, captured, cycle_length: int, block_length: int, state):
    """TF's interleave order: `cycle_length` open inner datasets, `block_length`
    elements from each in turn; an exhausted one is replaced by the next input's."""
    if cycle_length == -1:
        cycle_length = os.cpu_count() or 1
    outer = dataset.iterate(state)
    slots: list = [None] * cycle_length
    open_count = 0
    end_of_input = False
    index = block = 0
    while not end_of_input or open_count > 0:
        it = slots[index]
        if it is not None:
            try:
                element = next(it)
            except StopIteration:
                slots[index] = None
                open_count -= 1
            else:
                block += 1
                if block == block_length:
                    block, index = 0, (index + 1) % cycle_length
                yield element
                continue
            block, index = 0, (index + 1) % cycle_length
        elif not end_of_input:
            try:
                source = next(outer)
            except StopIteration:
                end_of_input = True
                continue
            (inner,) = run(*source, *captured)
            slots[index] = inner.iterate(state)
            open_count += 1
        else:
            block, index = 0, (index + 1) % cycle_length


def _check_interleave_args(cycle_length, block_length) -> tuple[int, int]:
    cycle, block = _scalar(cycle_length), _scalar(block_length)
    if cycle <= 0 and cycle != -1:
        raise errors.InvalidArgumentError(None, None, "cycle_length must be greater than zero.")
    if block <= 0:
        raise errors.InvalidArgumentError(None, None, "block_length must be greater than zero.")
    return cycle, block


def _interleave_kernel(op, ctx):
    run = _runner(op, ctx, "f")

    def kernel(dataset, *args):
        captured, (cycle_length, block_length) = args[:-2], args[-2:]
        cycle, block = _check_interleave_args(cycle_length, block_length)
        return DatasetValue(lambda state: _interleave(dataset, run, captured, cycle, block, state))

    return kernel


register_op(
    "InterleaveDataset",
    inputs=[
        "input_dataset: variant",
        "other_arguments: Targuments",
        "cycle_length: int64",
        "block_length: int64",
    ],
    outputs=["handle: variant"],
    attrs=[*_FN_ATTRS, _META],
    shape=_variant_shape,
    make_kernel=_interleave_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _parallel_interleave_kernel(op, ctx):
    run = _runner(op, ctx, "f")

    def kernel(dataset, *args):
        captured, (cycle_length, block_length) = args[:-5], args[-5:-3]
        cycle, block = _check_interleave_args(cycle_length, block_length)
        return DatasetValue(lambda state: _interleave(dataset, run, captured, cycle, block, state))

    return kernel


register_op(
    "ParallelInterleaveDatasetV4",
    inputs=[
        "input_dataset: variant",
        "other_arguments: Targuments",
        "cycle_length: int64",
        "block_length: int64",
        "buffer_output_elements: int64",
        "prefetch_input_elements: int64",
        "num_parallel_calls: int64",
    ],
    outputs=["handle: variant"],
    attrs=[*_FN_ATTRS, "deterministic: string = 'default'", _META],
    shape=_variant_shape,
    make_kernel=_parallel_interleave_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _stack(batch: list, component: int, op_name: str):
    first = batch[0][component]
    for element in batch[1:]:
        if element[component].shape != first.shape:
            raise errors.InvalidArgumentError(
                None,
                None,
                "Cannot add tensor to the batch: number of elements does not match. Shapes "
                f"are: [tensor]: {_dims(first.shape)}, [batch]: "
                f"{_dims(element[component].shape)}",
            )
    return np.stack([e[component] for e in batch])


def _dims(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _batches(dataset, size: int, drop_remainder: bool, state):
    it = dataset.iterate(state)
    while True:
        batch = []
        for element in it:
            batch.append(element)
            if len(batch) == size:
                break
        if not batch or (drop_remainder and len(batch) < size):
            return
        yield batch


def _check_batch_size(batch_size) -> int:
    size = _scalar(batch_size)
    if size <= 0:
        raise errors.InvalidArgumentError(None, None, "Batch size must be greater than zero.")
    return size


def _batch_kernel(op, ctx):
    name = op._name

    def kernel(dataset, batch_size, drop_remainder):
        size, drop = _check_batch_size(batch_size), bool(drop_remainder)

        def iterate(state):
            for batch in _batches(dataset, size, drop, state):
                yield tuple(_stack(batch, i, name) for i in range(len(batch[0])))

        return DatasetValue(iterate, _batched_cardinality(dataset.cardinality, size, drop))

    return kernel


register_op(
    "BatchDatasetV2",
    inputs=["input_dataset: variant", "batch_size: int64", "drop_remainder: bool"],
    outputs=["handle: variant"],
    attrs=["parallel_copy: bool = false", _TYPES, _SHAPES, _META],
    shape=_variant_shape,
    make_kernel=_batch_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _pad(batch: list, component: int, padded_shape, padding_value):
    shapes = [e[component].shape for e in batch]
    rank = len(padded_shape)
    for s in shapes:
        if len(s) != rank:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Cannot pad component {component}: the padded shape has rank {rank}, the "
                f"element has rank {len(s)}.",
            )
    target = []
    for d, want in enumerate(padded_shape):
        biggest = max(s[d] for s in shapes)
        if want < 0:
            want = biggest
        elif biggest > want:
            raise errors.InvalidArgumentError(
                None, None, "Attempted to pad to a smaller size than the input element."
            )
        target.append(want)
    first = batch[0][component]
    out = np.full([len(batch), *target], np.asarray(padding_value).item(), dtype=first.dtype)
    for k, e in enumerate(batch):
        value = e[component]
        out[(k,) + tuple(slice(0, n) for n in value.shape)] = value
    return out


def _padded_batch_kernel(op, ctx):
    n = op._attrs["N"]

    def kernel(dataset, batch_size, *args):
        shapes = [[int(d) for d in np.asarray(s).ravel()] for s in args[:n]]
        values, drop = args[n:-1], bool(args[-1])
        size = _check_batch_size(batch_size)

        def iterate(state):
            for batch in _batches(dataset, size, drop, state):
                yield tuple(_pad(batch, i, shapes[i], values[i]) for i in range(n))

        return DatasetValue(iterate, _batched_cardinality(dataset.cardinality, size, drop))

    return kernel


register_op(
    "PaddedBatchDatasetV2",
    inputs=[
        "input_dataset: variant",
        "batch_size: int64",
        "padded_shapes: N * int64",
        "padding_values: Toutput_types",
        "drop_remainder: bool",
    ],
    outputs=["handle: variant"],
    attrs=[
        "parallel_copy: bool = false",
        "Toutput_types: list(type) >= 1",
        _SHAPES,
        "N: int >= 1",
        _META,
    ],
    shape=_variant_shape,
    make_kernel=_padded_batch_kernel,
    grad=NOT_DIFFERENTIABLE,
)


_U32 = 0xFFFFFFFF


def _philox4x32(key0: int, key1: int, counter: list) -> list:
    """One block of the Philox4x32-10 generator (TF's `random::PhiloxRandom`)."""
    c0, c1, c2, c3 = counter
    for _ in range(10):
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = (
            ((p1 >> 32) ^ c1 ^ key0) & _U32,
            p1 & _U32,
            ((p0 >> 32) ^ c3 ^ key1) & _U32,
            p0 & _U32,
        )
        key0 = (key0 + 0x9E3779B9) & _U32
        key1 = (key1 + 0xBB67AE85) & _U32
    return [c0, c1, c2, c3]


class PhiloxStream:
    """32-bit samples one at a time from Philox seeded with (seed, seed2), as TF's
    `SingleSampleAdapter<PhiloxRandom>(PhiloxRandom(seed, seed2))` draws them."""

    __slots__ = ("_block", "_counter", "_key")

    def __init__(self, seed: int, seed2: int) -> None:
        seed &= (1 << 64) - 1
        seed2 &= (1 << 64) - 1
        self._key = (seed & _U32, seed >> 32)
        self._counter = [0, 0, seed2 & _U32, seed2 >> 32]
        self._block: list[int] = []

    def __call__(self) -> int:
        if not self._block:
            block = _philox4x32(*self._key, self._counter)
            block.reverse()
            self._block = block
            c = self._counter
            for i in range(4):
                c[i] = (c[i] + 1) & _U32
                if c[i]:
                    break
        return self._block.pop()


def _shuffled(elements, size: int, draw):
    """TF's shuffle buffer: fill to `size`, take the element at a random offset from
    the front, move the front element into its place, and refill."""
    buffer: list = [None] * size
    start = end = 0
    live = True
    while True:
        while live and end - start < size:
            try:
                buffer[end % size] = next(elements)
            except StopIteration:
                live = False
            else:
                end += 1
        if end == start:
            return
        index = (start + draw() % (end - start)) % size
        element = buffer[index]
        buffer[index] = buffer[start % size]
        buffer[start % size] = None
        start += 1
        yield element


def _shuffle_kernel(op, ctx):
    reshuffle = op._attrs.get("reshuffle_each_iteration", True)

    def kernel(dataset, buffer_size, seed, seed2):
        size, s1, s2 = _scalar(buffer_size), _scalar(seed), _scalar(seed2)
        if size <= 0:
            raise errors.InvalidArgumentError(None, None, "buffer_size must be greater than zero.")
        if s1 == 0 and s2 == 0:  # (TF's convention: nondeterministic)
            s1, s2 = (int(x) for x in np.random.SeedSequence().generate_state(2, np.uint64))
        token = object()

        def iterate(state):
            if reshuffle:  # each pass draws its seeds from one generator per iterator
                seeds = state.get(token)
                if seeds is None:
                    seeds = state[token] = PhiloxStream(s1, s2)
                draw = PhiloxStream(seeds(), seeds())
            else:
                draw = PhiloxStream(s1, s2)
            return _shuffled(dataset.iterate(state), size, draw)

        return DatasetValue(iterate, dataset.cardinality)

    return kernel


register_op(
    "ShuffleDataset",
    inputs=["input_dataset: variant", "buffer_size: int64", "seed: int64", "seed2: int64"],
    outputs=["handle: variant"],
    attrs=["reshuffle_each_iteration: bool = true", _TYPES, _SHAPES, _META],
    shape=_variant_shape,
    make_kernel=_shuffle_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _repeat_kernel(op, ctx):
    def kernel(dataset, count):
        n = _scalar(count)

        def iterate(state):
            epoch = 0
            while n < 0 or epoch < n:
                produced = False
                for element in dataset.iterate(state):
                    produced = True
                    yield element
                if not produced:
                    return
                epoch += 1

        return DatasetValue(iterate, _repeat_cardinality(dataset.cardinality, n))

    return kernel


def _take_kernel(op, ctx):
    def kernel(dataset, count):
        n = _scalar(count)

        def iterate(state):
            if n < 0:
                yield from dataset.iterate(state)
                return
            if n == 0:
                return
            for k, element in enumerate(dataset.iterate(state), 1):
                yield element
                if k == n:
                    return

        return DatasetValue(iterate, _take_cardinality(dataset.cardinality, n))

    return kernel


def _skip_kernel(op, ctx):
    def kernel(dataset, count):
        n = _scalar(count)

        def iterate(state):
            it = dataset.iterate(state)
            if n < 0:
                for _ in it:
                    pass
                return
            for _ in range(n):
                if next(it, None) is None:
                    return
            yield from it

        return DatasetValue(iterate, _skip_cardinality(dataset.cardinality, n))

    return kernel


for _type, _factory in (
    ("RepeatDataset", _repeat_kernel),
    ("TakeDataset", _take_kernel),
    ("SkipDataset", _skip_kernel),
):
    register_op(
        _type,
        inputs=["input_dataset: variant", "count: int64"],
        outputs=["handle: variant"],
        attrs=[_TYPES, _SHAPES, _META],
        shape=_variant_shape,
        make_kernel=_factory,
        grad=NOT_DIFFERENTIABLE,
    )


def _prefetch_kernel(op, ctx):
    def kernel(dataset, buffer_size):
        if _scalar(buffer_size) < -1:
            raise errors.InvalidArgumentError(
                None, None, "buffer_size must be >= 0 or set buffer_size to be AUTOTUNE."
            )
        return dataset

    return kernel


register_op(
    "PrefetchDataset",
    inputs=["input_dataset: variant", "buffer_size: int64"],
    outputs=["handle: variant"],
    attrs=[
        _TYPES,
        _SHAPES,
        "slack_period: int = 0",
        "legacy_autotune: bool = true",
        "buffer_size_min: int = 0",
        _META,
    ],
    shape=_variant_shape,
    make_kernel=_prefetch_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _cache_kernel(op, ctx):
    def kernel(dataset, filename):
        token = object()

        def iterate(state):
            cached = state.get(token)
            if cached is not None:
                yield from cached
                return
            recorded = []
            for element in dataset.iterate(state):
                recorded.append(element)
                yield element
            state[token] = recorded

        return DatasetValue(iterate, dataset.cardinality)

    return kernel


register_op(
    "CacheDataset",
    inputs=["input_dataset: variant", "filename: string"],
    outputs=["handle: variant"],
    attrs=[_TYPES, _SHAPES, _META],
    shape=_variant_shape,
    make_kernel=_cache_kernel,
    grad=NOT_DIFFERENTIABLE,
)


# -- iterators -------------------------------------------------------------------------


def _iterator_resource(op, ctx) -> IteratorResource:
    attrs = op._attrs
    name = (attrs.get("shared_name") or b"").decode() or op._name
    key = ("iterator", (attrs.get("container") or b"").decode(), name)
    types = attrs["output_types"]
    return ctx.resources_for(op).state(key, lambda: IteratorResource(name, types))


def _iterator_kernel(op, ctx):
    resource = _iterator_resource(op, ctx)
    return lambda: resource


_ITERATOR_ATTRS = ["shared_name: string", "container: string", _TYPES, _SHAPES]

register_op(
    "IteratorV2",
    outputs=["handle: resource"],
    attrs=_ITERATOR_ATTRS,
    shape=_variant_shape,
    make_kernel=_iterator_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _one_shot_kernel(op, ctx):
    resource = _iterator_resource(op, ctx)
    make_dataset = _runner(op, ctx, "dataset_factory")

    def kernel():
        if resource.it is None:
            with resource.init_lock:  # (one thread makes the dataset; the others wait)
                if resource.it is None:
                    (dataset,) = make_dataset()
                    resource.start(dataset)
        return resource

    return kernel


register_op(
    "OneShotIterator",
    outputs=["handle: resource"],
    attrs=[
        "dataset_factory: func",
        _TYPES,
        _SHAPES,
        "container: string = ''",
        "shared_name: string = ''",
    ],
    shape=_variant_shape,
    make_kernel=_one_shot_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _make_iterator(dataset, iterator):
    iterator.start(dataset)


register_op(
    "MakeIterator",
    inputs=["dataset: variant", "iterator: resource"],
    kernel=_make_iterator,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _get_next_kernel(op, ctx):
    types = [t.np_dtype for t in op._attrs["output_types"]]

    def kernel(iterator):
        element = iterator.get_next()
        if len(element) != len(types):
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Number of components does not match: expected {len(types)} types but got "
                f"{len(element)}.",
            )
        return element

    return kernel


def _get_next_shape(op):
    return [TensorShape(s) for s in op._attrs["output_shapes"]]


register_op(
    "IteratorGetNext",
    inputs=["iterator: resource"],
    outputs=["components: output_types"],
    attrs=[_TYPES, _SHAPES],
    shape=_get_next_shape,
    make_kernel=_get_next_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _handles(ctx, op) -> dict:
    return ctx.resources_for(op).state(("iterator_handles",), dict)


def _to_string_handle_kernel(op, ctx):
    handles = _handles(ctx, op)

    def kernel(iterator):
        handle = iterator.handle
        if handle is None:
            handle = f"tfgraph-iterator:{iterator.name}:{id(iterator):x}".encode()
            iterator.handle = handle
            handles[handle] = iterator
        return np.array(handle, dtype=object)

    return kernel


register_op(
    "IteratorToStringHandle",
    inputs=["resource_handle: resource"],
    outputs=["string_handle: string"],
    shape=_variant_shape,
    make_kernel=_to_string_handle_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _from_string_handle_kernel(op, ctx):
    handles = _handles(ctx, op)
    want = list(op._attrs.get("output_types") or ())

    def kernel(string_handle):
        handle = _scalar_bytes(string_handle)
        iterator = handles.get(handle)
        if iterator is None:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Could not parse string_handle {handle!r} as a handle to an iterator of "
                "this session.",
            )
        if want and [t._base for t in want] != [t._base for t in iterator.output_types]:
            raise errors.InvalidArgumentError(
                None,
                None,
                "Expected types "
                + _type_list(want)
                + " but got iterator with types "
                + _type_list(iterator.output_types)
                + ".",
            )
        return iterator

    return kernel


def _type_list(types) -> str:
    return "[" + ", ".join(dtypes.as_dtype(t).name for t in types) + "]"


register_op(
    "IteratorFromStringHandleV2",
    inputs=["string_handle: string"],
    outputs=["resource_handle: resource"],
    attrs=["output_types: list(type) >= 0 = []", "output_shapes: list(shape) >= 0 = []"],
    shape=_variant_shape,
    make_kernel=_from_string_handle_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)

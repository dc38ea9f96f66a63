"""More tf.data graph ops: ShardDataset, TakeWhileDataset, ScanDataset, UniqueDataset,
ReduceDataset, DatasetToSingleElement, DirectedInterleaveDataset and
GroupByWindowDataset (op types, inputs and attrs as TF's; kernels over
`DatasetValue`s, as in ops/dataset_ops.py)."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.dataset_ops import (
    _FN_ATTRS,
    _META,
    _SHAPES,
    _TYPES,
    DatasetValue,
    _check_interleave_args,
    _interleave,
    _runner,
    _scalar,
    _variant_shape,
)

__all__: list[str] = []

_FN = ["Targuments: list(type) >= 0", _TYPES, _SHAPES]


def _register(op_type, inputs, attrs, make_kernel, outputs=None, shape=_variant_shape, **kw):
    register_op(
        op_type,
        inputs=inputs,
        outputs=outputs or ["handle: variant"],
        attrs=attrs,
        shape=shape,
        make_kernel=make_kernel,
        grad=NOT_DIFFERENTIABLE,
        **kw,
    )


def _bool_scalar(value, what: str) -> bool:
    value = np.asarray(value)
    if value.dtype != np.bool_ or value.shape != ():
        raise errors.InvalidArgumentError(None, None, f"{what} must return a scalar bool.")
    return bool(value)


# -- shard -----------------------------------------------------------------------------
def _shard_kernel(op, ctx):
    def kernel(dataset, num_shards, index):
        n, i = _scalar(num_shards), _scalar(index)
        if n <= 0:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Number of shards must be greater than zero (currently num_shards = {n}).",
            )
        if not 0 <= i < n:
            raise errors.InvalidArgumentError(
                None, op, f"Index must be between 0 and {n - 1} (currently index = {i})."
            )

        def iterate(state):
            for k, element in enumerate(dataset.iterate(state)):
                if k % n == i:
                    yield element

        card = dataset.cardinality
        return DatasetValue(iterate, card if card < 0 else card // n + (i < card % n))

    return kernel


_register(
    "ShardDataset",
    ["input_dataset: variant", "num_shards: int64", "index: int64"],
    ["require_non_empty: bool = false", _TYPES, _SHAPES, _META],
    _shard_kernel,
)


# -- take_while, scan ------------------------------------------------------------------
def _take_while_kernel(op, ctx):
    run = _runner(op, ctx, "predicate")

    def kernel(dataset, *captured):
        def iterate(state):
            for element in dataset.iterate(state):
                (keep,) = run(*element, *captured)
                if not _bool_scalar(keep, "`predicate`"):
                    return
                yield element

        return DatasetValue(iterate)

    return kernel


_register(
    "TakeWhileDataset",
    ["input_dataset: variant", "other_arguments: Targuments"],
    ["predicate: func", *_FN, _META],
    _take_while_kernel,
)


def _scan_kernel(op, ctx):
    run = _runner(op, ctx, "f")
    n_state = len(op._attrs["Tstate"])

    def kernel(dataset, *args):
        initial, captured = args[:n_state], args[n_state:]

        def iterate(state):
            carry = tuple(initial)
            for element in dataset.iterate(state):
                out = run(*carry, *element, *captured)
                carry = tuple(out[:n_state])
                yield tuple(out[n_state:])

        return DatasetValue(iterate, dataset.cardinality)

    return kernel


_register(
    "ScanDataset",
    ["input_dataset: variant", "initial_state: Tstate", "other_arguments: Targuments"],
    [
        "f: func",
        "Tstate: list(type) >= 1",
        *_FN,
        "preserve_cardinality: bool = false",
        "use_default_device: bool = true",
        _META,
    ],
    _scan_kernel,
)


# -- unique ----------------------------------------------------------------------------
def _unique_kernel(op, ctx):
    def kernel(dataset):
        def iterate(state):
            seen: set = set()
            for element in dataset.iterate(state):
                value = np.asarray(element[0])
                key = value.item() if value.shape == () else (value.shape, value.tobytes())
                if key not in seen:
                    seen.add(key)
                    yield element

        return DatasetValue(iterate)

    return kernel


_register("UniqueDataset", ["input_dataset: variant"], [_TYPES, _SHAPES, _META], _unique_kernel)


# -- reduce, get_single_element (tensors out) -------------------------------------------
def _out_shapes(op):
    return [TensorShape(s) for s in op._attrs["output_shapes"]]


def _reduce_kernel(op, ctx):
    run = _runner(op, ctx, "f")
    n_state = len(op._attrs["Tstate"])

    def kernel(dataset, *args):
        carry, captured = tuple(args[:n_state]), args[n_state:]
        for element in dataset.iterate({}):
            carry = tuple(run(*carry, *element, *captured))
        return carry

    return kernel


_register(
    "ReduceDataset",
    ["input_dataset: variant", "initial_state: Tstate", "other_arguments: Targuments"],
    [
        "f: func",
        "Tstate: list(type) >= 1",
        *_FN,
        "use_inter_op_parallelism: bool = true",
        _META,
    ],
    _reduce_kernel,
    outputs=["components: output_types"],
    shape=_out_shapes,
    stateful=True,
)


def _single_element_kernel(op, ctx):
    def kernel(dataset):
        it = dataset.iterate({})
        first = next(it, None)
        if first is None:
            raise errors.InvalidArgumentError(None, op, "Dataset was empty.")
        if next(it, None) is not None:
            raise errors.InvalidArgumentError(None, op, "Dataset had more than one element.")
        return tuple(first)

    return kernel


_register(
    "DatasetToSingleElement",
    ["dataset: variant"],
    [_TYPES, _SHAPES, _META],
    _single_element_kernel,
    outputs=["components: output_types"],
    shape=_out_shapes,
    stateful=True,
)


# -- choose_from_datasets --------------------------------------------------------------
def _directed_interleave_kernel(op, ctx):
    stop_on_empty = op._attrs.get("stop_on_empty_dataset", False)

    def kernel(selector, *datasets):
        def iterate(state):
            its = [d.iterate(state) for d in datasets]
            alive = [True] * len(its)
            for (choice,) in selector.iterate(state):
                k = _scalar(choice)
                if not 0 <= k < len(its):
                    raise errors.InvalidArgumentError(
                        None, op, f"Selector index out of range: {k} >= {len(its)}"
                    )
                element = next(its[k], None) if alive[k] else None
                if element is None:
                    alive[k] = False
                    if stop_on_empty or not any(alive):
                        return
                    continue
                yield element

        return DatasetValue(iterate)

    return kernel


_register(
    "DirectedInterleaveDataset",
    ["selector_input_dataset: variant", "data_input_datasets: N * variant"],
    [_TYPES, _SHAPES, "N: int >= 1", "stop_on_empty_dataset: bool = false"],
    _directed_interleave_kernel,
)


# -- group_by_window -------------------------------------------------------------------
def _window_value(elements: list) -> DatasetValue:
    return DatasetValue(lambda state: iter(list(elements)))


def _group_by_window_kernel(op, ctx):
    key_fn = _runner(op, ctx, "key_func")
    reduce_fn = _runner(op, ctx, "reduce_func")
    size_fn = _runner(op, ctx, "window_size_func")
    counts = [
        len(op._attrs[a])
        for a in (
            "Tkey_func_other_arguments",
            "Treduce_func_other_arguments",
            "Twindow_size_func_other_arguments",
        )
    ]

    def kernel(dataset, *captured):
        key_args = captured[: counts[0]]
        reduce_args = captured[counts[0] : counts[0] + counts[1]]
        size_args = captured[counts[0] + counts[1] :]

        def window_size(key) -> int:
            (size,) = size_fn(key, *size_args)
            size = _scalar(size)
            if size <= 0:
                raise errors.InvalidArgumentError(
                    None, op, f"Window size must be greater than zero, but got {size}."
                )
            return size

        def flush(key, elements):
            (inner,) = reduce_fn(np.asarray(key, np.int64), _window_value(elements), *reduce_args)
            return inner

        def iterate(state):
            groups: dict[int, list] = {}
            for element in dataset.iterate(state):
                (key,) = key_fn(*element, *key_args)
                key = np.asarray(key)
                if key.dtype != np.int64 or key.shape != ():
                    raise errors.InvalidArgumentError(
                        None, op, "`key_func` must return a single tf.int64 scalar tensor."
                    )
                group = groups.setdefault(int(key), [])
                group.append(element)
                if len(group) == window_size(key):
                    del groups[int(key)]
                    yield from flush(key, group).iterate(state)
            for key in sorted(groups):
                yield from flush(key, groups[key]).iterate(state)

        return DatasetValue(iterate)

    return kernel


_register(
    "GroupByWindowDataset",
    [
        "input_dataset: variant",
        "key_func_other_arguments: Tkey_func_other_arguments",
        "reduce_func_other_arguments: Treduce_func_other_arguments",
        "window_size_func_other_arguments: Twindow_size_func_other_arguments",
    ],
    [
        "key_func: func",
        "reduce_func: func",
        "window_size_func: func",
        "Tkey_func_other_arguments: list(type) >= 0",
        "Treduce_func_other_arguments: list(type) >= 0",
        "Twindow_size_func_other_arguments: list(type) >= 0",
        _TYPES,
        _SHAPES,
        _META,
    ],
    _group_by_window_kernel,
)


# -- cardinality -----------------------------------------------------------------------
def _cardinality_kernel(op, ctx):
    def kernel(dataset):
        return np.int64(dataset.cardinality)

    return kernel


_register(
    "DatasetCardinality",
    ["input_dataset: variant"],
    ["cardinality_options: string = ''"],
    _cardinality_kernel,
    outputs=["cardinality: int64"],
    shape=lambda op: [TensorShape([])],
)


def _assert_cardinality_kernel(op, ctx):
    def kernel(dataset, cardinality):
        expected = _scalar(cardinality)

        def fail(what: str):
            raise errors.FailedPreconditionError(
                None,
                op,
                f"Input dataset was expected to contain {_elements(expected)} but contained "
                f"{what}.",
            )

        def iterate(state):
            count = 0
            for element in dataset.iterate(state):
                count += 1
                if expected >= 0 and count > expected:
                    fail(f"at least {_elements(count)}")
                yield element
            if expected == -1 or (expected >= 0 and count < expected):
                fail(f"only {_elements(count)}")

        return DatasetValue(iterate, expected)

    return kernel


def _elements(n: int) -> str:
    if n == -1:
        return "an infinite number of elements"
    return f"{n} element{'' if n == 1 else 's'}"


_register(
    "AssertCardinalityDataset",
    ["input_dataset: variant", "cardinality: int64"],
    [_TYPES, _SHAPES],
    _assert_cardinality_kernel,
)


# -- tf.data.experimental.parallel_interleave --------------------------------------------
def _legacy_parallel_interleave_kernel(op, ctx):
    run = _runner(op, ctx, "f")

    def kernel(dataset, *args):
        captured, (cycle_length, block_length) = args[:-4], args[-4:-2]
        cycle, block = _check_interleave_args(cycle_length, block_length)
        # (deterministic order; "sloppy" ordering is one of the orders TF may give)
        return DatasetValue(lambda state: _interleave(dataset, run, captured, cycle, block, state))

    return kernel


_register(
    "LegacyParallelInterleaveDatasetV2",
    [
        "input_dataset: variant",
        "other_arguments: Targuments",
        "cycle_length: int64",
        "block_length: int64",
        "buffer_output_elements: int64",
        "prefetch_input_elements: int64",
    ],
    [*_FN_ATTRS, "deterministic: string = 'default'", _META],
    _legacy_parallel_interleave_kernel,
)


# -- unbatch ---------------------------------------------------------------------------
def _unbatch_kernel(op, ctx):
    def kernel(dataset):
        def iterate(state):
            for element in dataset.iterate(state):
                parts = [np.asarray(c) for c in element]
                sizes = [p.shape[0] if p.ndim else None for p in parts]
                if None in sizes:
                    raise errors.InvalidArgumentError(
                        None, op, "Input element must have a non-scalar value in each component."
                    )
                for k, n in enumerate(sizes[1:], 1):
                    if n != sizes[0]:
                        raise errors.InvalidArgumentError(
                            None,
                            op,
                            "Input element must have the same batch size in each component. "
                            f"Component 0 had size {sizes[0]} but component {k} had size {n}.",
                        )
                for i in range(sizes[0]):
                    yield tuple(p[i] for p in parts)

        return DatasetValue(iterate)

    return kernel


_register("UnbatchDataset", ["input_dataset: variant"], [_TYPES, _SHAPES, _META], _unbatch_kernel)

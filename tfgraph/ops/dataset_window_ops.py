"""tf.data graph ops for windows, random sources and re-batching: WindowDataset (each
element a tuple of inner datasets, one per component), RandomDataset (TF's Philox
stream, bit for bit), RebatchDatasetV2 and DenseToSparseBatchDataset. Op types,
inputs and attrs are TF's; kernels work over `DatasetValue`s (ops/dataset_ops.py)."""

from __future__ import annotations

import collections

import numpy as np

from tfgraph import errors
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.ops import philox
from tfgraph.ops.dataset_ops import _META, _SHAPES, _TYPES, DatasetValue, _scalar, _variant_shape

__all__: list[str] = []


def _register(op_type, inputs, attrs, make_kernel, **kw):
    register_op(
        op_type,
        inputs=inputs,
        outputs=["handle: variant"],
        attrs=attrs,
        shape=_variant_shape,
        make_kernel=make_kernel,
        grad=NOT_DIFFERENTIABLE,
        **kw,
    )


def _positive(op, value, what: str) -> int:
    n = _scalar(value)
    if n <= 0:
        raise errors.InvalidArgumentError(None, op, f"Window {what} must be greater than zero.")
    return n


# -- window ----------------------------------------------------------------------------
def _component_dataset(rows: list) -> DatasetValue:
    return DatasetValue(lambda state: iter([(r,) for r in rows]), len(rows))


def _windows(dataset, state, size: int, shift: int, stride: int, drop: bool):
    """TF's windows: one starting at every `shift`-th element, holding `size` elements
    `stride` apart; the last ones are shorter unless `drop`."""
    span = (size - 1) * stride + 1
    buffer: collections.deque = collections.deque()
    it = dataset.iterate(state)
    done = False
    while True:
        while not done and len(buffer) < span:
            element = next(it, None)
            if element is None:
                done = True
            else:
                buffer.append(element)
        if not buffer or (drop and len(buffer) < span):
            return
        window = list(buffer)[::stride][:size]
        yield tuple(_component_dataset([e[k] for e in window]) for k in range(len(window[0])))
        for _ in range(shift):
            if not buffer:
                element = None if done else next(it, None)
                if element is None:
                    return
            else:
                buffer.popleft()


def _window_cardinality(n: int, size: int, shift: int, stride: int, drop: bool) -> int:
    if n < 0:
        return n
    if not drop:
        return -(-n // shift)
    span = (size - 1) * stride + 1
    return 0 if n < span else (n - span) // shift + 1


def _window_kernel(op, ctx):
    def kernel(dataset, size, shift, stride, drop_remainder):
        size = _positive(op, size, "size")
        shift = _positive(op, shift, "shift")
        stride = _positive(op, stride, "stride")
        drop = bool(np.asarray(drop_remainder))

        def iterate(state):
            return _windows(dataset, state, size, shift, stride, drop)

        card = _window_cardinality(dataset.cardinality, size, shift, stride, drop)
        return DatasetValue(iterate, card)

    return kernel


_register(
    "WindowDataset",
    [
        "input_dataset: variant",
        "size: int64",
        "shift: int64",
        "stride: int64",
        "drop_remainder: bool",
    ],
    [_TYPES, _SHAPES, _META],
    _window_kernel,
)


# -- random ----------------------------------------------------------------------------
def _random_kernel(op, ctx):
    def kernel(seed, seed2):
        s1, s2 = _scalar(seed) & (2**64 - 1), _scalar(seed2) & (2**64 - 1)
        key = (s1 & 0xFFFFFFFF, s1 >> 32)

        def iterate(state):
            counter = s2 << 64  # (TF's PhiloxRandom(seed, seed2): seed2 in the high words)
            while True:
                for value in philox.blocks(key, counter, 256).ravel():
                    yield (np.array(int(value), np.int64),)
                counter += 256

        return DatasetValue(iterate, -1)

    return kernel


_register(
    "RandomDataset",
    ["seed: int64", "seed2: int64"],
    [_TYPES, _SHAPES, _META],
    _random_kernel,
    stateful=True,
)


# -- rebatch ---------------------------------------------------------------------------
def _rebatch_kernel(op, ctx):
    def kernel(dataset, batch_sizes, drop_remainder):
        sizes = [int(s) for s in np.asarray(batch_sizes).reshape(-1)]
        if not sizes or any(s < 0 for s in sizes):
            raise errors.InvalidArgumentError(
                None, op, "`batch_sizes` must be a non-empty list of non-negative integers."
            )
        drop = bool(np.asarray(drop_remainder))

        def iterate(state):
            pending: list = []  # rows not yet emitted, one tuple of components each
            k = 0
            for element in dataset.iterate(state):
                parts = [np.asarray(c) for c in element]
                if any(p.ndim == 0 for p in parts):
                    raise errors.InvalidArgumentError(
                        None, op, "Cannot rebatch dataset: All components must have rank >= 1."
                    )
                pending.extend(zip(*parts))
                while len(pending) >= sizes[k % len(sizes)]:
                    n = sizes[k % len(sizes)]
                    rows, pending[:n] = pending[:n], []
                    yield _stack(rows, parts)
                    k += 1
            if pending and not drop:
                yield _stack(pending, parts)

        return DatasetValue(iterate)

    return kernel


def _stack(rows: list, like: list) -> tuple:
    if not rows:
        return tuple(np.zeros((0, *p.shape[1:]), p.dtype) for p in like)
    return tuple(np.stack([np.asarray(r[i]) for r in rows]) for i in range(len(like)))


_register(
    "RebatchDatasetV2",
    ["input_dataset: variant", "batch_sizes: int64", "drop_remainder: bool"],
    [_TYPES, _SHAPES],
    _rebatch_kernel,
)


# -- sparse_batch ----------------------------------------------------------------------
def _sparse_batch(rows: list, row_shape: list, op) -> np.ndarray:
    """A batch of dense elements as one serialized SparseTensor (a variant [3]): every
    value of element b at [b, position]; unknown (-1) row dimensions the batch's largest."""
    from tfgraph.framework import dtypes
    from tfgraph.ops.sparse_ops import _tensor_bytes

    dims = list(row_shape)
    for r in rows:
        if r.ndim != len(dims):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Input element had rank {r.ndim} but the row shape has rank {len(dims)}.",
            )
        if any(0 <= d < n for d, n in zip(dims, r.shape)):
            raise errors.DataLossError(  # (TF's error class for it)
                None,
                op,
                f"Input element had shape ([{','.join(map(str, r.shape))}]) that is larger "
                f"than the row shape ([{','.join(map(str, dims))}]).",
            )
    shape = [
        d if d >= 0 else max((r.shape[k] for r in rows), default=0) for k, d in enumerate(dims)
    ]
    indices = [
        np.concatenate([np.full((r.size, 1), b), np.argwhere(np.ones(r.shape, bool))], 1)
        for b, r in enumerate(rows)
    ]
    values = np.concatenate([r.reshape(-1) for r in rows])
    dtype = dtypes.string if values.dtype.kind in "OSU" else dtypes.as_dtype(values.dtype)
    parts = [
        _tensor_bytes(
            np.concatenate(indices).astype(np.int64).reshape(-1, 1 + len(dims)), dtypes.int64
        ),
        _tensor_bytes(values, dtype),
        _tensor_bytes(np.array([len(rows), *shape], np.int64), dtypes.int64),
    ]
    return np.array(parts, dtype=object)


def _dense_to_sparse_batch_kernel(op, ctx):
    def kernel(dataset, batch_size, row_shape):
        size = _scalar(batch_size)
        if size <= 0:
            raise errors.InvalidArgumentError(
                None, op, f"Batch size must be greater than zero, but got {size}."
            )
        dims = [int(d) for d in np.asarray(row_shape).reshape(-1)]

        def iterate(state):
            rows: list = []
            for (value,) in dataset.iterate(state):
                rows.append(np.asarray(value))
                if len(rows) == size:
                    yield (_sparse_batch(rows, dims, op),)
                    rows = []
            if rows:
                yield (_sparse_batch(rows, dims, op),)

        card = dataset.cardinality
        return DatasetValue(iterate, card if card < 0 else -(-card // size))

    return kernel


_register(
    "DenseToSparseBatchDataset",
    ["input_dataset: variant", "batch_size: int64", "row_shape: int64"],
    [_TYPES, _SHAPES],
    _dense_to_sparse_batch_kernel,
)

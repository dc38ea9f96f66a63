"""`tf.data.Dataset` transformations and sources a mixin adds to `Dataset`: window,
rebatch, random and sample_from_datasets. Each builds the ops TF 2.21 builds in graph
mode (ops/dataset_window_ops.py, ops/dataset_more_ops.py)."""

from __future__ import annotations

import numpy as np

from tfgraph.data import structure as nest
from tfgraph.data.structure import TensorSpec
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import dataset_window_ops as _ops  # noqa: F401 - registers the op types
from tfgraph.ops.apply import op_output

__all__ = ["WindowingTransformations", "random", "sample_from_datasets"]


def _lib():
    from tfgraph.data import dataset_ops

    return dataset_ops


class WindowingTransformations:
    """window / rebatch and the sources random / sample_from_datasets."""

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
        """Windows of `size` elements (`stride` apart, a new one every `shift`): each
        element is the element structure with one inner dataset per component."""
        from tfgraph.data.options import DatasetSpec

        lib = _lib()
        inputs = [
            lib._int64(size, "size"),
            lib._int64(size if shift is None else shift, "shift"),
            lib._int64(stride, "stride"),
            convert_to_tensor(drop_remainder, dtype=dtypes.bool, name="drop_remainder"),
        ]
        spec = nest.map_structure(DatasetSpec, self._element_spec)
        return self._unary("WindowDataset", inputs, spec)

    def rebatch(self, batch_size, drop_remainder=False, name=None):
        """The rows of this batched dataset re-batched to `batch_size` (a size, or a
        list of sizes used in turn), across the input's batch boundaries."""
        lib = _lib()
        for s in self._flat_specs():
            if s.shape.rank == 0:
                raise ValueError("Cannot rebatch dataset: All components must have rank >= 1.")
        sizes = np.asarray(batch_size, np.int64) if not hasattr(batch_size, "op") else None
        lib._int64(batch_size, "batch_sizes")
        convert_to_tensor(drop_remainder, dtype=dtypes.bool, name="drop_remainder")
        outer = None
        if sizes is not None and drop_remainder is True and np.unique(sizes).size == 1:
            outer = int(sizes.reshape(-1)[0])
        spec = nest.map_structure(
            lambda s: TensorSpec(TensorShape([outer]).concatenate(s.shape[1:]), s.dtype),
            self._element_spec,
        )
        flat = self.map(lambda *parts: tuple(nest.flatten(parts)))
        attrs = lib._attrs_for(spec)
        del attrs["metadata"]
        with get_default_graph().name_scope("RebatchDatasetV2") as scope:
            inputs = [
                lib._int64(batch_size, "batch_sizes"),
                convert_to_tensor(drop_remainder, dtype=dtypes.bool, name="drop_remainder"),
            ]
            variant = op_output("RebatchDatasetV2", scope, [flat._variant_tensor, *inputs], attrs)
        return lib.Dataset(variant, spec)

    def sparse_batch(self, batch_size, row_shape, name=None):
        """Batches of `batch_size` dense elements as one SparseTensor each, of dense shape
        [batch, *row_shape] (None in `row_shape`: the batch's largest)."""
        from tfgraph.framework.type_spec import SparseTensorSpec

        lib = _lib()
        specs = self._flat_specs()
        if len(specs) != 1:
            raise TypeError(
                "sparse_batch: the dataset's elements must be single tensors, got "
                f"{self._element_spec!r}."
            )
        shape = TensorShape(row_shape)
        dims = np.array([-1 if d is None else d for d in shape.as_list()], np.int64)
        row = convert_to_tensor(dims, dtype=dtypes.int64, name="Const")
        spec = SparseTensorSpec(TensorShape([None]).concatenate(shape), specs[0].dtype)
        attrs = lib._attrs_for(spec)
        del attrs["metadata"]
        with get_default_graph().name_scope("DenseToSparseBatchDataset") as scope:
            size = lib._int64(batch_size, "batch_size")
            variant = op_output(
                "DenseToSparseBatchDataset", scope, [self._variant_tensor, size, row], attrs
            )
        return lib.Dataset(variant, spec)

    def ragged_batch(
        self, batch_size, drop_remainder=False, row_splits_dtype=dtypes.int64, name=None
    ):
        """Batches whose components of partly unknown shape are RaggedTensors (elements
        of different lengths batch together); scalars and fully known shapes batch
        densely. As TF: each ragged component first becomes a ragged_rank-0 ragged
        value (RaggedTensorToVariant)."""
        from tfgraph.ragged.ragged_tensor import RaggedTensorSpec

        lib = _lib()
        splits = dtypes.as_dtype(row_splits_dtype)

        def is_dense(s) -> bool:  # (TF: fully known shapes batch densely)
            return (
                not isinstance(s, TensorSpec)
                or s.shape.rank in (None, 0)
                or s.shape.is_fully_defined()
            )

        def to_ragged(s):
            return s if is_dense(s) else RaggedTensorSpec(s.shape, s.dtype, 0, splits)

        spec = nest.map_structure(to_ragged, self._element_spec)

        originals = nest.flatten(self._element_spec)

        def encode(*parts):
            out = []
            for t, old in zip(nest.flatten(parts), originals):
                if not is_dense(old):
                    attrs = {"RAGGED_RANK": 0, "Tvalues": old.dtype, "Tsplits": splits}
                    attrs["batched_input"] = False
                    t = op_output("RaggedTensorToVariant", None, [[], t], attrs)
                out.append(t)
            return tuple(out)

        mapped = self.map(encode)
        op = mapped._variant_tensor.op
        op._set_attr("output_shapes", lib._attrs_for(spec)["output_shapes"])
        return lib.Dataset(mapped._variant_tensor, spec).batch(batch_size, drop_remainder)

    def save(self, path, compression=None, shard_func=None, checkpoint_args=None):
        """The SaveDataset op writing this dataset under `path` when run."""
        from tfgraph.data.persistence import save

        return save(self, path, compression, shard_func, checkpoint_args)

    @staticmethod
    def load(path, element_spec=None, compression=None, reader_func=None):
        """The dataset `save` wrote under `path`."""
        from tfgraph.data.persistence import load

        return load(path, element_spec, compression, reader_func)

    def snapshot(self, path, compression="AUTO", reader_func=None, shard_func=None, name=None):
        """This dataset, persisted under `path` on its first full pass and read back after."""
        from tfgraph.data.persistence import snapshot

        return snapshot(self, path, compression, reader_func, shard_func)

    @staticmethod
    def random(seed=None, rerandomize_each_iteration=None, name=None):
        return random(seed)

    @staticmethod
    def sample_from_datasets(
        datasets,
        weights=None,
        seed=None,
        stop_on_empty_dataset=False,
        rerandomize_each_iteration=None,
    ):
        return sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset)


def random(seed=None):
    """An infinite dataset of pseudorandom int64 values in [0, 2**32), TF's for a seed."""
    from tfgraph.framework.random_seed import get_seed

    lib = _lib()
    seed1, seed2 = get_seed(seed)
    if seed1 is None:
        inputs = [lib._int64(0, "seed"), lib._int64(0, "seed2")]
    else:
        inputs = lib._seed_tensors(seed1, seed2)
    spec = TensorSpec([], dtypes.int64)
    variant = op_output("RandomDataset", None, inputs, lib._attrs_for(spec))
    return lib.Dataset(variant, spec)


def _select_with_logits(logits):
    from tfgraph.ops.array_ops import squeeze
    from tfgraph.ops.stateless_random_ops import stateless_multinomial

    def select_dataset_constant_logits(seed):
        return squeeze(stateless_multinomial(logits, 1, seed=seed), axis=[0, 1])

    return select_dataset_constant_logits


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
    """Elements drawn from `datasets` at random with probabilities `weights` (uniform by
    default; a list, a tensor, or a dataset whose elements are such lists): TF's selector,
    a stateless categorical draw seeded from a RandomDataset."""
    from tfgraph.data.transformations import choose_from_datasets
    from tfgraph.ops.math_ops import log

    if not datasets:
        raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
    if isinstance(weights, _lib().Dataset):
        # Each element of `weights` is the distribution of one draw (TF never shortcuts
        # a single input here: evaluating `weights` may matter to the user).
        logits = weights.map(lambda *p: log(p, name="logits"))
        pairs = _lib().Dataset.zip((logits, random(seed).batch(2)))
        selector = pairs.map(_select_with_varying_logits)
    else:
        datasets, logits = _constant_logits(list(datasets), weights)
        if len(datasets) == 1:
            return datasets[0]
        selector = random(seed).batch(2).map(_select_with_logits(logits))
    return choose_from_datasets(datasets, _preserving(selector), stop_on_empty_dataset)


def _constant_logits(datasets: list, weights):
    """(the datasets that can be drawn, the [1, n] logits of the draw) as TF: inputs with
    a zero weight in a Python list are dropped; a tensor is taken as it is."""
    from tfgraph.ops.array_ops import expand_dims
    from tfgraph.ops.math_ops import log

    if weights is None:  # (TF: uniform logits, a constant inside the selector function)
        return datasets, [[1.0] * len(datasets)]
    if isinstance(weights, Tensor):
        if not weights.shape.is_compatible_with([len(datasets)]):
            raise ValueError(
                "Invalid `weights`. The shape of `weights` should be compatible with "
                f"`[len(datasets)]` but is {weights.shape}."
            )
    else:
        if len(datasets) != len(weights):
            raise ValueError(
                "Invalid `weights`. `weights` should have the same length as `datasets` "
                f"but got `len(weights)={len(weights)}` vs. `len(datasets)={len(datasets)}`."
            )
        kept = [(d, w) for d, w in zip(datasets, weights) if w > 0]
        datasets, weights = (
            ([d for d, _ in kept], [w for _, w in kept]) if kept else ([datasets[0].take(0)], [1.0])
        )
    weights = convert_to_tensor(weights, name="weights")
    if weights.dtype not in (dtypes.float32, dtypes.float64):
        raise TypeError(
            "Invalid `weights`. `weights` type must be either `tf.float32` or `tf.float64` "
            f"but is {weights.dtype}."
        )
    return datasets, expand_dims(log(weights, name="logits"), 0)


def _select_with_varying_logits(logits, seed):
    from tfgraph.ops.array_ops import squeeze
    from tfgraph.ops.stateless_random_ops import stateless_multinomial

    return squeeze(stateless_multinomial(logits, 1, seed=seed), axis=[0, 1])


def _preserving(selector):
    """TF maps the selector with use_inter_op_parallelism=False, preserve_cardinality=True."""
    op = selector._variant_tensor.op
    op._set_attr("use_inter_op_parallelism", False)
    op._set_attr("preserve_cardinality", True)
    return selector

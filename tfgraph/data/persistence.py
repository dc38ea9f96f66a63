"""`Dataset.save` / `Dataset.load` (`tf.data.experimental.save/load`) and
`Dataset.snapshot`: datasets written to disk in TF's snapshot layout and read back
(ops/dataset_save_ops.py). `save` writes `<path>/dataset_spec.pb` (the element
structure as a StructuredValue, as TF's) when it is called, and returns the SaveDataset
op, which writes the elements when run."""

from __future__ import annotations

import os

from tfgraph.data.function import trace
from tfgraph.data.structure import TensorSpec
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import dataset_save_ops as _ops  # noqa: F401 - registers the op types
from tfgraph.ops.apply import apply_op, op_output

__all__ = ["load", "save", "snapshot"]

_SPEC_FILE = "dataset_spec.pb"


def _lib():
    from tfgraph.data import dataset_ops

    return dataset_ops


def _no_outputs(result):
    return [], None


def _shard_function(dataset, shard_func):
    """The traced shard function (TF traces a dummy `lambda *x: None` when none is given)."""
    lib = _lib()
    if shard_func is None:
        return dataset._trace(lambda *x: None, "save_lambda", _no_outputs), False

    def to_outputs(result):
        flat, spec = lib._element_outputs(result)
        if (
            len(flat) != 1
            or flat[0].dtype._base != dtypes.int64
            or flat[0].shape.rank not in (0, None)
        ):
            raise ValueError(
                f"`shard_func` must return a scalar int64 tensor (the shard index), got {spec!r}."
            )
        return flat, spec

    return dataset._trace(shard_func, "save_shard_func", to_outputs), True


def _reader_function(element_spec, reader_func):
    """reader_func(dataset of shard datasets) -> dataset; by default the shards one
    after the other."""
    lib = _lib()
    from tfgraph.data.options import DatasetSpec

    inner = DatasetSpec(element_spec)
    fn = reader_func or (lambda datasets: datasets.flat_map(lambda shard: shard))
    return trace(
        fn,
        "load_reader_func",
        [TensorSpec([], dtypes.variant)],
        lambda flat: lib.Dataset(flat[0], inner),
        lib._dataset_outputs,
    )


def _write_spec(path: str, element_spec) -> None:
    from tfgraph.saved_model._structure import encode

    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, _SPEC_FILE), "wb") as f:
        f.write(encode(element_spec).SerializeToString())


def save(dataset, path, compression=None, shard_func=None, checkpoint_args=None):
    """The SaveDataset op writing `dataset` under `path` when run (TF1 graph mode)."""
    if checkpoint_args is not None:
        raise NotImplementedError(
            "Dataset.save(checkpoint_args=...) is not supported in tfgraph: save without "
            "checkpointing the writer."
        )
    path = os.fspath(path)
    _write_spec(path, dataset.element_spec)
    f, use = _shard_function(dataset, shard_func)
    captured = dataset._captured(f)
    attrs = {
        "compression": (compression or "").encode(),
        "shard_func": f,
        "use_shard_func": use,
        "Tshard_func_args": [t.dtype._base for t in captured],
    }
    where = convert_to_tensor(path, dtype=dtypes.string, name="path")
    return apply_op("SaveDataset", None, [dataset._variant_tensor, where, captured], attrs)


def load(path, element_spec=None, compression=None, reader_func=None):
    """The dataset `save` wrote under `path` (its element structure from
    `dataset_spec.pb` unless `element_spec` is given)."""
    lib = _lib()
    path = os.fspath(path)
    if element_spec is None:
        element_spec = _read_spec(path)
    f = _reader_function(element_spec, reader_func)
    attrs = lib._attrs_for(element_spec)
    del attrs["metadata"]
    attrs.update(
        {
            "compression": (compression or "").encode(),
            "reader_func": f,
            "Treader_func_args": [t.dtype._base for t in f.captured],
        }
    )
    with get_default_graph().name_scope("LoadDataset") as scope:
        where = convert_to_tensor(path, dtype=dtypes.string, name="path")
        variant = op_output("LoadDataset", scope, [where, list(f.captured)], attrs)
    return lib.Dataset(variant, element_spec)


def _read_spec(path: str):
    from tfgraph import proto
    from tfgraph.saved_model._structure import decode

    spec_path = os.path.join(path, _SPEC_FILE)
    try:
        with open(spec_path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"Could not find {spec_path}: pass `element_spec` to load a dataset saved without it."
        ) from None
    return _as_tuples(decode(proto.StructuredValue.FromString(data)))


def _as_tuples(value):
    """A decoded structure with lists as tuples (tf.data's structures hold tuples)."""
    if isinstance(value, list):
        return tuple(_as_tuples(v) for v in value)
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_as_tuples(v) for v in value)
    if isinstance(value, dict):
        return type(value)((k, _as_tuples(v)) for k, v in value.items())
    return value


def snapshot(dataset, path, compression="AUTO", reader_func=None, shard_func=None):
    """`dataset`, written under `path/<pipeline hash>` the first time it is iterated
    to the end and read from there afterwards."""
    lib = _lib()
    if reader_func is not None or shard_func is not None:
        raise NotImplementedError(
            "Dataset.snapshot(reader_func=..., shard_func=...) is not supported in tfgraph; "
            "snapshot without them."
        )
    reader = _reader_function(dataset.element_spec, None)
    sharder = dataset._trace(
        lambda *x: convert_to_tensor(0, dtypes.int64), "snapshot_shard", lib._element_outputs
    )
    attrs = lib._attrs_for(dataset.element_spec)
    attrs.update(
        {
            "compression": (compression or "").encode(),
            "reader_prefix": b"",
            "writer_prefix": b"",
            "hash_valid": False,
            "hash": 0,
            "reader_func": reader,
            "shard_func": sharder,
            "Treader_func_args": [],
            "Tshard_func_args": [],
        }
    )
    with get_default_graph().name_scope("SnapshotDatasetV2") as scope:
        where = convert_to_tensor(path, dtype=dtypes.string, name="path")
        variant = op_output(
            "SnapshotDatasetV2", scope, [dataset._variant_tensor, where, [], []], attrs
        )
    return lib.Dataset(variant, dataset.element_spec)

"""`tf.data.experimental.copy_to_device` / `prefetch_to_device` (TF's prefetching_ops),
and `enable_debug_mode`.

copy_to_device builds what TF 2.21 builds in graph mode: a Const naming the source
device, a `WrapDatasetVariant` of the input dataset, and a `GeneratorDataset` placed on
the target device whose init/next/finalize functions each `RemoteCall` an inner function
on the source device. The inner init function unwraps the dataset, makes an
`AnonymousIterator`, starts it and returns its string handle; the inner next function
turns the handle back into the iterator and takes its next element; the inner finalize
function destroys the iterator and returns 0. tfgraph runs every op on this process's
CPU, so the copy hands elements on unchanged; a GPU target fails at run time as any op
placed there does, unless `allow_soft_placement`.
"""

from __future__ import annotations

import itertools

from tfgraph.data.dataset_ops import Dataset
from tfgraph.data.function import DatasetFunction, FuncGraph
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import dataset_device_ops as _ops  # noqa: F401 - registers the op types
from tfgraph.ops.apply import apply_op, op_output

__all__ = ["copy_to_device", "enable_debug_mode", "prefetch_to_device"]

_counter = itertools.count(1)


def _function(kind: str, arg_specs: list, body) -> DatasetFunction:
    """Traces `body(*args) -> list of tensors` into `__inference_<kind>_<n>` whose
    arguments are placeholders named and typed by `arg_specs` ((name, dtype) pairs)."""
    from tfgraph.ops.array_ops import identity, placeholder

    g = FuncGraph(get_default_graph(), f"__inference_{kind}_{next(_counter)}")
    with g.as_default():
        args = [placeholder(dtype, [], name=name) for name, dtype in arg_specs]
        outputs = [
            identity(t, name="Identity" if i == 0 else None) for i, t in enumerate(body(*args))
        ]
    fn = DatasetFunction(g.name)
    fn.graph = g
    fn.inputs = args
    fn.outputs = outputs
    fn.structured_outputs = None
    fn.captured = []
    return fn


def _remote(kind: str, inner: DatasetFunction, arg_specs: list, source_first: bool, tout):
    """The function that RemoteCalls `inner` on the source device (its `remotecall_const`
    argument), passing its other arguments."""

    def body(*args):
        source, rest = (args[0], args[1:]) if source_first else (args[-1], args[:-1])
        attrs = {"f": inner, "Tin": [t.dtype for t in rest], "Tout": list(tout)}
        return apply_op("RemoteCall", None, [source, list(rest)], attrs)._outputs

    return _function(f"_remote_{kind}", arg_specs, body)


def _init_function(flat: dict) -> DatasetFunction:
    def body(wrapped):
        from tfgraph.framework.graph import control_dependencies

        dataset = op_output("UnwrapDatasetVariant", None, [wrapped])
        resource = op_output("AnonymousIterator", None, [], dict(flat))
        make = apply_op("MakeIterator", None, [dataset, resource])
        with control_dependencies([make]):
            return [op_output("IteratorToStringHandle", None, [resource])]

    return _function(
        "_init_func", [("unwrapdatasetvariant_wrapdatasetvariant", dtypes.variant)], body
    )


def _next_function(flat: dict, source: str) -> DatasetFunction:
    def body(handle):
        from tfgraph.framework.graph import device

        with device(source):
            iterator = op_output("IteratorFromStringHandleV2", None, [handle], dict(flat))
            return apply_op("IteratorGetNext", None, [iterator], dict(flat))._outputs

    return _function("_next_func", [("string_handle", dtypes.string)], body)


def _finalize_function(flat: dict) -> DatasetFunction:
    def body(handle):
        from tfgraph.framework.convert import constant
        from tfgraph.framework.graph import control_dependencies

        iterator = op_output("IteratorFromStringHandleV2", None, [handle], dict(flat))
        destroy = apply_op("DestroyResourceOp", None, [iterator], {"ignore_lookup_error": True})
        with control_dependencies([destroy]):
            return [constant(0, dtype=dtypes.int64)]

    return _function("_finalize_func", [("string_handle", dtypes.string)], body)


class _CopyToDeviceDataset(Dataset):
    """The input dataset's elements, made on `source_device` and handed to
    `target_device` by a GeneratorDataset placed there. (TF's class refuses
    `make_one_shot_iterator` for a GPU target, but TF 2.21's compat.v1 datasets wrap it
    in an adapter that does not ask it: one-shot iterators are made for any target.)"""

    def __init__(self, dataset: Dataset, target_device: str, source_device: str) -> None:
        flat = dataset._flat_attrs()
        source = convert_to_tensor(source_device, dtype=dtypes.string)
        wrapped = op_output("WrapDatasetVariant", None, [dataset._variant_tensor])
        types = flat["output_types"]
        init = _remote(
            "init_func",
            _init_function(flat),
            [
                ("remotecall_const", dtypes.string),
                ("remotecall_wrapdatasetvariant", dtypes.variant),
            ],
            True,
            [dtypes.string],
        )
        handle_args = [("string_handle", dtypes.string), ("remotecall_const", dtypes.string)]
        step = _remote("next_func", _next_function(flat, source_device), handle_args, False, types)
        finalize = _remote(
            "finalize_func", _finalize_function(flat), handle_args, False, [dtypes.int64]
        )
        attrs = {
            "init_func": init,
            "next_func": step,
            "finalize_func": finalize,
            "Tinit_func_args": [dtypes.string, dtypes.variant],
            "Tnext_func_args": [dtypes.string],
            "Tfinalize_func_args": [dtypes.string],
            **flat,
            "metadata": b"",
        }
        with get_default_graph().device(target_device):
            variant = op_output(
                "GeneratorDataset", None, [[source, wrapped], [source], [source]], attrs
            )
        super().__init__(variant, dataset.element_spec)


def copy_to_device(target_device: str, source_device: str = "/cpu:0"):
    """A transformation that copies dataset elements to the given `target_device`.

    Args:
      target_device: The name of a device to which elements will be copied.
      source_device: The original device on which `input_dataset` will be placed.

    Returns:
      A `Dataset` transformation function, which can be passed to
      `tf.data.Dataset.apply`.
    """

    def _apply_fn(dataset):
        return _CopyToDeviceDataset(dataset, target_device, source_device)

    return _apply_fn


def prefetch_to_device(device: str, buffer_size=None):
    """A transformation that prefetches dataset values to the given `device`.

    NOTE: the transformation must be the final `Dataset` in the input pipeline.

    Args:
      device: A string. The name of a device to which elements will be prefetched.
      buffer_size: (Optional.) The number of elements to buffer on `device`.
        Defaults to an automatically chosen value.

    Returns:
      A `Dataset` transformation function, which can be passed to
      `tf.data.Dataset.apply`.
    """

    def _apply_fn(dataset):
        return dataset.apply(copy_to_device(target_device=device)).prefetch(buffer_size)

    return _apply_fn


def enable_debug_mode() -> None:
    """Enables debug mode for tf.data (eager mode only)."""
    from tfgraph.data import debug_mode
    from tfgraph.eager import context

    if not context.executing_eagerly():
        raise ValueError("`enable_debug_mode() is only supported in eager mode.")
    debug_mode.toggle_debug_mode(True)

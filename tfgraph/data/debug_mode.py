"""tf.data's debug mode (`tf.data.experimental.enable_debug_mode`): pipelines built
after it run synchronously and sequentially (`prefetch` adds nothing, parallel `map`
and `interleave` run as their sequential forms) and user functions run as Python for
each element (wrapped in `py_function`), so their prints and breakpoints fire."""

from __future__ import annotations

__all__ = ["DEBUG_MODE", "toggle_debug_mode"]

DEBUG_MODE = False


def toggle_debug_mode(debug_mode: bool) -> None:
    global DEBUG_MODE
    DEBUG_MODE = bool(debug_mode)


def as_python_function(dataset, traced, fn, kind: str):
    """`traced` (`fn` traced on `dataset`'s elements) as TF's debug mode runs it: a
    function calling `fn` as Python in a `py_function` for each element, its results
    given the traced function's structure and shapes. Functions with composite
    (sparse, ragged, dataset) results keep their traced form."""
    from tfgraph.data import dataset_ops as lib
    from tfgraph.data import structure as nest
    from tfgraph.data.function import trace
    from tfgraph.data.structure import TensorSpec
    from tfgraph.framework.convert import convert_to_tensor
    from tfgraph.ops.script_ops import py_function

    spec = traced.structured_outputs
    specs = nest.flatten(spec)
    in_specs = dataset._flat_specs()
    if not all(type(s) is TensorSpec for s in specs + nest.flatten(dataset.element_spec)):
        return traced

    def call_python(*values):
        args = [convert_to_tensor(v) for v in values]
        element = lib._pack_element(dataset.element_spec, args)
        single = not isinstance(element, tuple) or hasattr(element, "_fields")
        result = fn(element) if single else fn(*element)
        if isinstance(result, list):
            result = tuple(result)
        return [convert_to_tensor(v, dtype=s.dtype) for v, s in zip(nest.flatten(result), specs)]

    def body(*args):
        outs = py_function(call_python, list(args), [s.dtype for s in specs])
        for t, s in zip(outs, specs):
            t.set_shape(s.shape)
        return nest.pack_sequence_as(spec, outs)

    return trace(body, kind, in_specs, tuple, lib._element_outputs)

"""`Dataset.from_generator`: a GeneratorDataset whose `next_func` calls the Python
generator (TF builds the same elements from a flat_map over a py_func)."""

from __future__ import annotations

import itertools

import numpy as np

from tfgraph import errors
from tfgraph.data import structure as nest
from tfgraph.data.structure import TensorSpec
from tfgraph.framework import dtypes
from tfgraph.framework.tensor_shape import TensorShape

__all__ = ["from_generator"]

_counter = itertools.count()


class _GeneratorFunction(str):
    """The `next_func` attr: calls the generator and checks each element it yields."""

    generator: object
    args: tuple
    spec: object

    def __new__(cls, name: str, generator, args, spec):
        self = super().__new__(cls, name)
        self.generator = generator
        self.args = args
        self.spec = spec
        return self

    def generate(self, types):
        specs = nest.flatten(self.spec)
        for value in self.generator(*self.args):
            try:
                flat = nest.flatten(_as_structure(value, self.spec))
            except (TypeError, ValueError, StopIteration):
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    "TypeError: `generator` yielded an element that did not match the "
                    f"expected structure. The expected structure was {self.spec!r}, but the "
                    f"yielded element was {value!r}.",
                ) from None
            yield tuple(_component(v, s) for v, s in zip(flat, specs))


def _as_structure(value, spec):
    if isinstance(spec, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(spec):
            raise TypeError("structure")
        return tuple(_as_structure(v, s) for v, s in zip(value, spec))
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise TypeError("structure")
        return {k: _as_structure(value[k], spec[k]) for k in spec}
    return value


def _component(value, spec: TensorSpec):
    dtype = spec.dtype
    try:
        if dtype == dtypes.string:
            arr = np.array(value, dtype=object)
            arr = (
                np.vectorize(lambda v: v.encode() if isinstance(v, str) else v, otypes=[object])(
                    arr
                )
                if arr.size
                else arr
            )
        else:  # (as TF's py_func converts: np.asarray with the expected dtype)
            arr = np.asarray(value, dtype=dtype.np_dtype)
    except (TypeError, ValueError):
        raise errors.InvalidArgumentError(
            None,
            None,
            "TypeError: `generator` yielded an element that could not be converted to the "
            f"expected type. The expected type was {dtype.name}, but the yielded element "
            f"was {value}.",
        ) from None
    if not spec.shape.is_compatible_with(TensorShape(arr.shape)):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"TypeError: `generator` yielded an element of shape {_shape_text(arr.shape)} "
            "where an "
            f"element of shape {_shape_text(_dims_of(spec.shape))} was expected.",
        )
    return arr


def _dims_of(shape):
    return shape.as_list() if shape.rank is not None else None


def _shape_text(dims) -> str:
    if dims is None:
        return "<unknown>"
    return (
        "("
        + ", ".join("None" if d is None else str(d) for d in dims)
        + (",)" if len(dims) == 1 else ")")
    )


def from_generator(generator, output_types, output_shapes, args, output_signature):
    from tfgraph.data.dataset_ops import Dataset
    from tfgraph.ops.apply import op_output

    if not callable(generator):
        raise TypeError("`generator` must be a Python callable.")
    if output_signature is not None:
        spec = output_signature
    else:
        if output_types is None:
            raise TypeError(
                "To specify the output signature you need to provide either the "
                "`output_signature` argument or the `output_types` argument."
            )
        types = nest.map_structure(dtypes.as_dtype, output_types)
        shapes = nest.shapes_from(types, output_shapes)
        spec = nest.pack_sequence_as(
            types, [TensorSpec(s, t) for t, s in zip(nest.flatten(types), nest.flatten(shapes))]
        )
    specs = nest.flatten(spec)
    n = next(_counter)
    fn = _GeneratorFunction(
        f"__inference_generator_next_fn_{n}", generator, tuple(args or ()), spec
    )
    attrs = {
        "init_func": f"__inference_generator_init_fn_{n}",
        "next_func": fn,
        "finalize_func": f"__inference_generator_finalize_fn_{n}",
        "Tinit_func_args": [],
        "Tnext_func_args": [],
        "Tfinalize_func_args": [],
        "output_types": [s.dtype for s in specs],
        "output_shapes": [s.shape for s in specs],
        "metadata": b"",
    }
    variant = op_output("GeneratorDataset", None, [[], [], []], attrs)
    return Dataset(variant, spec)

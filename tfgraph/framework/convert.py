"""`convert_to_tensor` and its conversion registry; Python/numpy values to `Const` ops.

Python values get TensorFlow's dtypes: ints are int32 (int64 when out of range),
floats float32, complex complex128, str/bytes string; numpy values keep their dtype.
With a requested dtype, lossy Python conversions (1.5 -> int32) raise TypeError
"Expected int32, but got 1.5 of type 'float'." as TF does.
"""

from __future__ import annotations

import numbers

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import Dimension, TensorShape

__all__ = [
    "constant",
    "convert_n_to_tensor",
    "convert_to_tensor",
    "numpy_value",
    "register_tensor_conversion_function",
]

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX, _UINT64_MAX = -(2**63), 2**63 - 1, 2**64 - 1

# (type, function, priority), kept sorted by priority.
_conversion_functions: list[tuple[type, object, int]] = []
_conversion_cache: dict[type, list] = {}


def register_tensor_conversion_function(base_type, conversion_func, priority: int = 100) -> None:
    """Registers `conversion_func(value, dtype=None, name=None, as_ref=False) -> Tensor`."""
    _conversion_functions.append((base_type, conversion_func, priority))
    _conversion_functions.sort(key=lambda entry: entry[2])
    _conversion_cache.clear()


def _functions_for(cls: type) -> list:
    funcs = _conversion_cache.get(cls)
    if funcs is None:
        funcs = [f for t, f, _ in _conversion_functions if issubclass(cls, t)]
        if hasattr(cls, "__tf_tensor__"):  # (TF's TensorProtocol, before any function)
            funcs.insert(0, _protocol_conversion)
        _conversion_cache[cls] = funcs
    return funcs


def convert_to_tensor(
    value,
    dtype=None,
    name: str | None = None,
    preferred_dtype=None,
    dtype_hint=None,
    as_ref: bool = False,
) -> Tensor:
    """Converts `value` (Tensor, Variable, numpy or Python value) to a `Tensor`."""
    if value.__class__ is Tensor:
        if dtype is None:
            return value
        dtype = dtypes.as_dtype(dtype)
        if not dtype.is_compatible_with(value._dtype):
            raise ValueError(
                f"Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
                f"{value._dtype.name}: {value!r}"
            )
        return value
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    preferred = preferred_dtype if preferred_dtype is not None else dtype_hint
    for func in _functions_for(value.__class__):
        if dtype is None and preferred is not None:
            try:
                result = func(value, dtype=dtypes.as_dtype(preferred), name=name, as_ref=as_ref)
            except (TypeError, ValueError):
                result = NotImplemented
            if result is not NotImplemented:
                return result
        result = func(value, dtype=dtype, name=name, as_ref=as_ref)
        if result is NotImplemented:
            continue
        if not isinstance(result, Tensor):
            raise RuntimeError(f"Conversion function {func!r} returned non-Tensor: {result!r}")
        if dtype is not None and not dtype.is_compatible_with(result.dtype):
            raise ValueError(
                f"Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
                f"{result.dtype.name}: {result!r}"
            )
        return result
    raise TypeError(
        f"Attempt to convert a value ({value!r}) with an unsupported type ({type(value)}) "
        "to a Tensor."
    )


def convert_to_tensor_v1(value, dtype=None, name=None, preferred_dtype=None, dtype_hint=None):
    """Converts `value` (Tensor, Variable, numpy or Python value) to a `Tensor`
    (`tf.convert_to_tensor`, TF1's signature: `dtype_hint` is `preferred_dtype`'s new
    name)."""
    return convert_to_tensor(value, dtype, name, preferred_dtype, dtype_hint)


def convert_n_to_tensor(values, dtype=None, name=None, preferred_dtype=None) -> list[Tensor]:
    out = []
    for i, v in enumerate(values):
        n = None if name is None else f"{name}_{i}"
        out.append(convert_to_tensor(v, dtype=dtype, name=n, preferred_dtype=preferred_dtype))
    return out


def _protocol_conversion(value, dtype=None, name=None, as_ref=False):
    """Objects with `__tf_tensor__(dtype, name)` convert themselves, as in TF."""
    return value.__tf_tensor__(dtype, name)


# -- Python and numpy values ------------------------------------------------------------------
def _leaf_error(expected: dtypes.DType, leaf) -> TypeError:
    return TypeError(f"Expected {expected.name}, but got {leaf} of type '{type(leaf).__name__}'.")


def _python_leaves(value):
    if isinstance(value, (list, tuple)):
        for v in value:
            yield from _python_leaves(v)
    else:
        yield value


def _check_python_compatible(value, dtype: dtypes.DType) -> None:
    """TF refuses lossy conversion of Python scalars (1.5 -> int32, 1 -> bool, 'a' -> float)."""
    base = dtype._base
    for leaf in _python_leaves(value):
        if isinstance(leaf, (np.ndarray, np.generic)):
            continue
        if isinstance(leaf, bool):
            if base is dtypes.string:
                raise _leaf_error(base, leaf)
        elif isinstance(leaf, numbers.Integral):
            if base is dtypes.bool or base is dtypes.string:
                raise _leaf_error(base, leaf)
        elif isinstance(leaf, numbers.Real):
            if not (base.is_floating or base.is_complex):
                raise _leaf_error(base, leaf)
        elif isinstance(leaf, numbers.Complex):
            if not base.is_complex:
                raise _leaf_error(base, leaf)
        elif isinstance(leaf, (str, bytes)):
            if base is not dtypes.string:
                raise _leaf_error(base, leaf)


def _to_bytes_array(arr: np.ndarray) -> np.ndarray:
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    for i, item in enumerate(arr.reshape(-1)):
        if isinstance(item, bytes):
            flat[i] = item
        elif isinstance(item, str):
            flat[i] = item.encode("utf-8")
        elif isinstance(item, np.bytes_):
            flat[i] = bytes(item)
        else:
            raise TypeError(f"Expected string, but got {item!r} of type '{type(item).__name__}'.")
    return out


def numpy_value(value, dtype: dtypes.DType | None = None) -> tuple[np.ndarray, dtypes.DType]:
    """`value` as a numpy array with TF's dtype inference (or `dtype`), and its DType."""
    if value is None:
        raise ValueError("None values not supported.")
    is_numpy = isinstance(value, (np.ndarray, np.generic))
    if dtype is not None and isinstance(value, (list, tuple)):
        value = _dimensions_to_ints(value)
    if not is_numpy:
        if isinstance(value, (list, tuple)):
            for leaf in _python_leaves(value):
                if isinstance(leaf, Tensor) or hasattr(leaf, "_as_graph_element"):
                    raise TypeError("Expected any non-tensor type, but got a tensor instead.")
                if leaf is None:
                    raise TypeError(_failed_to_convert(value))
        if dtype is not None:
            _check_python_compatible(value, dtype)
        try:
            if next(_python_leaves(value), None).__class__ in (bytes, str):
                # numpy's fixed-width bytes dtype would drop trailing NUL bytes
                # (serialized protos often end with them): keep the Python objects.
                arr = np.array(value, dtype=object)
            else:
                arr = np.array(value)
        except ValueError as e:
            raise ValueError(str(e)) from None
    else:
        arr = np.asarray(value)
    if dtype is None:
        kind = arr.dtype.kind
        if kind == "O" and not all(isinstance(v, (bytes, str)) for v in arr.reshape(-1)):
            raise TypeError(_failed_to_convert(value))
        if kind in "SUO":
            dtype = dtypes.string
        elif is_numpy:
            dtype = dtypes.as_dtype(arr.dtype)
        elif kind == "f":
            dtype = dtypes.float32
        elif kind in "iu":
            if arr.size == 0 or (arr.min() >= _INT32_MIN and arr.max() <= _INT32_MAX):
                dtype = dtypes.int32
            elif arr.dtype == np.uint64:  # numpy's choice when a value exceeds int64
                dtype = dtypes.uint64
            else:
                dtype = dtypes.int64
        elif kind == "c":
            dtype = dtypes.complex128
        elif kind == "b":
            dtype = dtypes.bool
        else:
            raise TypeError(f"Cannot infer a TensorFlow dtype for {value!r}")
        if arr.size == 0 and not is_numpy:
            dtype = dtypes.float32
    base = dtype._base
    if base is dtypes.string:
        arr = _to_bytes_array(arr)
    else:
        if base._np is None and base._enum in dtypes._NARROW_LIMITS:
            raise TypeError(
                f"Values of dtype {base.name} need the ml_dtypes package (pip install "
                "ml_dtypes), which provides their numpy types, as TensorFlow's do."
            )
        np_dtype = base.np_dtype
        if arr.dtype.kind in "SUO":
            raise TypeError(f"Expected {base.name}, but got {value!r} of type 'str'.")
        if arr.dtype != np_dtype:
            if np_dtype.names:  # bfloat16 stand-in: round-to-nearest-even from float32
                arr = _float_to_bfloat16_bits(arr)
            else:
                with np.errstate(all="ignore"):
                    arr = arr.astype(np_dtype)
    return arr, base


def _dimensions_to_ints(value):
    """`Dimension`s in a nested list, as ints (TF accepts them when a dtype is known)."""
    if isinstance(value, (list, tuple)):
        return [_dimensions_to_ints(v) for v in value]
    if isinstance(value, Dimension):
        if value.value is None:
            raise TypeError(
                f"Failed to convert elements of {value!r} to Tensor: the dimension is unknown."
            )
        return value.value
    return value


def _float_to_bfloat16_bits(arr: np.ndarray) -> np.ndarray:
    return dtypes.to_bfloat16(arr)


def _python_int_dtype(value: int) -> dtypes.DType:
    """TF's dtype for a Python int: int32 if it fits, else int64, else uint64."""
    if _INT32_MIN <= value <= _INT32_MAX:
        return dtypes.int32
    if _INT64_MIN <= value <= _INT64_MAX:
        return dtypes.int64
    if 0 <= value <= _UINT64_MAX:
        return dtypes.uint64
    raise TypeError(_failed_to_convert(value))


def _failed_to_convert(value) -> str:
    return (
        f"Failed to convert elements of {value} to Tensor. Consider casting elements to a "
        "supported type. See https://www.tensorflow.org/api_docs/python/tf/dtypes for "
        "supported TF dtypes."
    )


def _python_scalar(value, cls, dtype):
    """Fast path of `numpy_value` for a Python float, int or bool (the common constant)."""
    if dtype is None:
        if cls is float:
            dt = dtypes.float32
        elif cls is bool:
            dt = dtypes.bool
        else:
            dt = _python_int_dtype(value)
    else:
        dt = dtype._base
        if (
            dt is dtypes.string
            or (cls is float and not (dt.is_floating or dt.is_complex))
            or (cls is int and dt is dtypes.bool)
        ):
            raise _leaf_error(dt, value)
        if dt.np_dtype.names:  # bfloat16 stand-in
            return _frozen(_float_to_bfloat16_bits(np.array(value))), dt
    try:
        arr = np.array(value, dtype=dt.np_dtype)
    except OverflowError:  # TF wraps out-of-range ints (300 -> uint8 44)
        arr = np.array(value).astype(dt.np_dtype)
    arr.flags.writeable = False
    return arr, dt


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr, copy=True)
    arr.flags.writeable = False
    return arr


def constant(value, dtype=None, shape=None, name: str = "Const", verify_shape: bool = False):
    """Creates a `Const` op (TF1 `tf.constant`): shape reshapes, fills from a scalar, or
    pads with the last value as TensorFlow's TensorProto rules do."""
    from tfgraph.framework.graph import get_default_graph

    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    cls = value.__class__
    if shape is None and (cls is float or cls is int or cls is bool):
        arr, dt = _python_scalar(value, cls, dtype)
        return (
            get_default_graph()
            ._create_op("Const", [], {"value": arr, "dtype": dt}, name or "Const")
            ._outputs[0]
        )
    if isinstance(value, Tensor):
        raise TypeError("Expected any non-tensor type, but got a tensor instead.")
    arr, dt = numpy_value(value, dtype)
    attrs: dict[str, object] = {"dtype": dt}
    if shape is not None:
        shape = TensorShape(shape)
        if not shape.is_fully_defined():
            raise TypeError(f"Shape must be fully defined for tf.constant, got {shape}")
        dims = tuple(shape.as_list())
        n = shape.num_elements()
        if verify_shape and arr.shape != dims:
            raise TypeError(
                f"Expected Tensor's shape: {_shape_str(dims)}, but got {_shape_str(arr.shape)}."
            )
        if arr.size == n:
            full = arr.reshape(dims)
        elif n == 0:  # an empty shape takes no values (TF writes the shape only)
            full = np.zeros(dims, dtype=arr.dtype)
        elif arr.size > n:
            raise ValueError(f"Too many elements provided. Takes at most {n}, but got {arr.size}.")
        elif arr.size == 0:
            raise ValueError(
                "Cannot create a tensor proto whose content is larger than zero "
                "elements from an empty value"
            )
        else:
            flat = arr.reshape(-1)
            full = np.concatenate([flat, np.repeat(flat[-1:], n - flat.size)]).reshape(dims)
            attrs["__raw_value"] = _frozen(flat)
        arr = full
    attrs["value"] = _frozen(arr)
    return get_default_graph()._create_op("Const", [], attrs, name or "Const")._outputs[0]


def _shape_str(dims) -> str:
    dims = tuple(dims)
    return str(dims) if len(dims) != 1 else f"({dims[0]},)"


def _constant_conversion(value, dtype=None, name=None, as_ref=False):
    return constant(value, dtype=dtype, name=name or "Const")


def _tensor_conversion(value, dtype=None, name=None, as_ref=False):
    return value


def _is_nested_with_tensors(value) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_is_nested_with_tensors(v) for v in value)
    return isinstance(value, Tensor) or hasattr(value, "_as_graph_element")


def _list_conversion(value, dtype=None, name=None, as_ref=False):
    """Lists holding tensors are packed with `Pack` ops (`packed`), as TF autopacks: a
    nested list is packed in a scope named by its index, a Python element becomes a
    constant named by its index, and tensors of another dtype are cast first."""
    if not _is_nested_with_tensors(value):
        return constant(value, dtype=dtype, name=name or "Const")
    from tfgraph.framework.graph import get_default_graph

    g = get_default_graph()
    inferred = _nested_tensor_dtype(value)
    if dtype is None:
        dtype = inferred
    elif dtype._base is not inferred:
        value = _cast_nested(value, dtype._base)
    dtype = dtype._base

    def pack(items, scope_name):
        with g.name_scope(scope_name) as scope:
            elems = []
            for i, item in enumerate(items):
                if isinstance(item, Tensor):
                    if item.dtype._base is not dtype:
                        raise TypeError(
                            f"Cannot convert a list containing a tensor of dtype "
                            f"{item.dtype.name} to {dtype.name} (Tensor is: {item!r})"
                        )
                    elems.append(item)
                elif isinstance(item, (list, tuple)) and _is_nested_with_tensors(item):
                    elems.append(pack(item, str(i)))
                else:
                    elems.append(item)
            tensors = [
                e if isinstance(e, Tensor) else constant(e, dtype=dtype, name=str(i))
                for i, e in enumerate(elems)
            ]
            return g._create_op("Pack", tensors, {"axis": 0}, scope)._outputs[0]

    return pack(_as_tensors(value), name or "packed")


def _as_tensors(value):
    """Nested lists with Variables (and other tensor-likes) replaced by their tensors."""
    if isinstance(value, (list, tuple)):
        return [_as_tensors(v) for v in value]
    if not isinstance(value, Tensor) and hasattr(value, "_as_graph_element"):
        return convert_to_tensor(value)
    return value


def _nested_tensor_dtype(value):
    for v in value:
        if isinstance(v, Tensor) or hasattr(v, "_as_graph_element"):
            return dtypes.as_dtype(v.dtype)._base
        if isinstance(v, (list, tuple)):
            found = _nested_tensor_dtype(v)
            if found is not None:
                return found
    return None


def _cast_nested(value, dtype):
    if isinstance(value, (list, tuple)):
        return [_cast_nested(v, dtype) for v in value]
    if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
        value = convert_to_tensor(value)
        if value.dtype._base is not dtype:
            from tfgraph.framework.graph import get_default_graph

            g = get_default_graph()
            return g._create_op("Cast", [value], {"DstT": dtype}, "Cast")._outputs[0]
    return value


def _shape_conversion(value, dtype=None, name=None, as_ref=False):
    """A fully known TensorShape (or Dimension) as an int constant `shape_as_tensor`."""
    if isinstance(value, Dimension):
        if value.value is None:
            raise ValueError(f"Cannot convert unknown Dimension {value} to a Tensor.")
        dims = value.value
    else:
        if not value.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape {value} to a Tensor.")
        dims = value.as_list()
    if dtype is None:
        flat = dims if isinstance(dims, list) else [dims]
        dtype = dtypes.int64 if any(d >= 2**31 for d in flat) else dtypes.int32
    elif dtype._base not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"Cannot convert {value} to {dtype.name}")
    return constant(dims, dtype=dtype, name=name or "shape_as_tensor")


register_tensor_conversion_function(Tensor, _tensor_conversion, 0)
register_tensor_conversion_function((TensorShape, Dimension), _shape_conversion, 100)
register_tensor_conversion_function((list, tuple), _list_conversion, 100)
register_tensor_conversion_function(object, _constant_conversion, 200)


# TF2's spellings (`tfgraph.compat.v2`).
def constant_v2(value, dtype=None, shape=None, name: str = "Const"):
    """TF2's `tf.constant`: `shape` reshapes a value with as many elements or fills it
    from a one-element value; any other count is a TypeError (TF1 pads with the last
    value)."""
    if shape is not None and not isinstance(value, Tensor):
        arr, _ = numpy_value(value, None if dtype is None else dtypes.as_dtype(dtype))
        dims = TensorShape(shape)
        if dims.is_fully_defined() and arr.size not in (1, dims.num_elements()):
            raise TypeError(
                f"Expected Tensor's shape: {_shape_str(tuple(dims.as_list()))}, but got "
                f"{_shape_str(arr.shape)}."
            )
    return constant(value, dtype=dtype, shape=shape, name=name)


def convert_to_tensor_v2(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """TF2's `tf.convert_to_tensor` (dtype_hint, no preferred_dtype)."""
    return convert_to_tensor(value, dtype=dtype, name=name, preferred_dtype=dtype_hint)

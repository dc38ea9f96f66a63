"""Data types: `DType` <-> numpy dtype <-> the `DataType` enum of TensorFlow's protos.

Every dtype exists once as a module-level singleton, so dtypes compare by identity
on hot paths. Reference dtypes (`float32_ref`) are `base + 100` in the enum, as in
TensorFlow; they describe the output of a `VariableV2` op.
"""

from __future__ import annotations

import builtins  # `bool` below is the DType singleton; annotations use builtins.bool

import numpy as np

try:  # bfloat16 has no numpy dtype of its own; ml_dtypes provides one when present.
    import ml_dtypes as _ml_dtypes

    _BFLOAT16_NP = np.dtype(_ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover - depends on the environment
    # Raw 16-bit storage: the upper half of a float32 bit pattern, kept distinct from uint16.
    _BFLOAT16_NP = np.dtype([("bfloat16", "<u2")])

__all__ = [
    "QUANTIZED_DTYPES",
    "DType",
    "as_dtype",
    "bfloat16",
    "bool",
    "complex64",
    "complex128",
    "double",
    "float16",
    "float32",
    "float64",
    "half",
    "int8",
    "int16",
    "int32",
    "int64",
    "qint8",
    "qint16",
    "qint32",
    "quint8",
    "quint16",
    "resource",
    "string",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "variant",
]

_REF_OFFSET = 100


class DType:
    """A TensorFlow element type, e.g. `tf.float32` or the reference type `float32_ref`."""

    __slots__ = ("_base", "_enum", "_name", "_np", "_ref")

    def __init__(self, enum: int, name: str, np_dtype: np.dtype | None) -> None:
        self._enum = enum
        self._name = name
        self._np = np_dtype
        self._base: DType = self
        self._ref: DType = self

    # -- identity --------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def as_datatype_enum(self) -> int:
        return self._enum

    @property
    def as_numpy_dtype(self) -> type | np.dtype:
        if self._np is None:
            return object
        if self._name.startswith("bfloat16") and self._np.names:
            return self._np  # structured stand-in (no ml_dtypes)
        return self._np.type

    @property
    def np_dtype(self) -> np.dtype:
        """The numpy dtype used to store values of this type (object for strings; the
        underlying integer type for quantized types, as TF's Session.run returns them)."""
        if self._np is not None:
            return self._np
        return _QUANTIZED_STORAGE.get(self._base._enum, np.dtype(object))  # type: ignore[return-value]

    @property
    def base_dtype(self) -> DType:
        return self._base

    @property
    def real_dtype(self) -> DType:
        base = self._base
        if base is complex64:
            return float32
        if base is complex128:
            return float64
        return self

    @property
    def _as_ref(self) -> DType:
        return self._ref

    @property
    def is_ref_dtype(self) -> builtins.bool:
        return self._enum > _REF_OFFSET

    # -- classification ----------------------------------------------------------------
    @property
    def is_bool(self) -> builtins.bool:
        return self._base is bool

    @property
    def is_floating(self) -> builtins.bool:
        return self._base in _FLOATING

    @property
    def is_integer(self) -> builtins.bool:
        return self._base in _INTEGER

    @property
    def is_complex(self) -> builtins.bool:
        return self._base in (complex64, complex128)

    @property
    def is_unsigned(self) -> builtins.bool:
        return self._base in (uint8, uint16, uint32, uint64, uint4, uint2)

    @property
    def is_quantized(self) -> builtins.bool:
        return self._base in QUANTIZED_DTYPES

    @property
    def is_numpy_compatible(self) -> builtins.bool:
        return self._base not in (resource, variant) and not self.is_quantized

    @property
    def size(self) -> int:
        if self._base._enum in _NARROW_LIMITS:
            return 1
        if self._np is None or self._base is string:
            return 1 if self._base is not string else 0
        return self._np.itemsize

    @property
    def min(self):
        """Smallest representable value (TypeError for non-numeric types, as in TF)."""
        base = self._base
        if base._enum in _NARROW_LIMITS:
            return self._narrow_value(_NARROW_LIMITS[base._enum][0])
        if base in _FLOATING and base is not bfloat16:
            return self._np.type(np.finfo(self._np).min)
        if base is bfloat16:
            return -3.3895313892515355e38
        if base in _INTEGER or base is bool:
            return self._np.type(np.iinfo(self._np).min) if base is not bool else False
        raise TypeError(f"Cannot find minimum value of {self}.")

    @property
    def max(self):
        """Largest representable value (TypeError for non-numeric types, as in TF)."""
        base = self._base
        if base._enum in _NARROW_LIMITS:
            return self._narrow_value(_NARROW_LIMITS[base._enum][1])
        if base in _FLOATING and base is not bfloat16:
            return self._np.type(np.finfo(self._np).max)
        if base is bfloat16:
            return 3.3895313892515355e38
        if base in _INTEGER or base is bool:
            return self._np.type(np.iinfo(self._np).max) if base is not bool else True
        raise TypeError(f"Cannot find maximum value of {self}.")

    def _narrow_value(self, value):
        return value if self._base._np is None else self._base._np.type(value)

    @property
    def limits(self):
        return self.min, self.max

    def is_compatible_with(self, other) -> builtins.bool:
        """True if a value of `other` may be used where `self` is expected (TF's rule)."""
        other = as_dtype(other)
        return self._enum in (other._enum, other._base._enum)

    # -- python protocol ---------------------------------------------------------------
    def __eq__(self, other) -> builtins.bool:
        if self is other:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __ne__(self, other) -> builtins.bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return self._enum

    def __reduce__(self):
        return as_dtype, (self._name,)

    def __repr__(self) -> str:
        return f"tf.{self._name}"

    def __str__(self) -> str:
        return f"<dtype: '{self._name}'>"


def _make(enum: int, name: str, np_dtype) -> DType:
    base = DType(enum, name, None if np_dtype is None else np.dtype(np_dtype))
    ref = DType(enum + _REF_OFFSET, name + "_ref", base._np)
    base._ref = ref
    ref._base = base
    ref._ref = ref
    _BY_ENUM[enum] = base
    _BY_ENUM[enum + _REF_OFFSET] = ref
    _BY_NAME[name] = base
    _BY_NAME[name + "_ref"] = ref
    return base


_BY_ENUM: dict[int, DType] = {}
_BY_NAME: dict[str, DType] = {}

float32 = _make(1, "float32", np.float32)
float64 = _make(2, "float64", np.float64)
int32 = _make(3, "int32", np.int32)
uint8 = _make(4, "uint8", np.uint8)
int16 = _make(5, "int16", np.int16)
int8 = _make(6, "int8", np.int8)
string = _make(7, "string", None)
complex64 = _make(8, "complex64", np.complex64)
int64 = _make(9, "int64", np.int64)
bool = _make(10, "bool", np.bool_)
qint8 = _make(11, "qint8", None)
quint8 = _make(12, "quint8", None)
qint32 = _make(13, "qint32", None)
bfloat16 = _make(14, "bfloat16", _BFLOAT16_NP)
qint16 = _make(15, "qint16", None)
quint16 = _make(16, "quint16", None)
uint16 = _make(17, "uint16", np.uint16)
complex128 = _make(18, "complex128", np.complex128)
float16 = _make(19, "float16", np.float16)
resource = _make(20, "resource", None)
variant = _make(21, "variant", None)
uint32 = _make(22, "uint32", np.uint32)
uint64 = _make(23, "uint64", np.uint64)


def _narrow_np(name: str):
    """ml_dtypes' numpy type for a narrow dtype (None without ml_dtypes)."""
    try:
        import ml_dtypes
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return getattr(ml_dtypes, name, None)


# Narrow types of `tf.experimental` / `tf.dtypes.experimental`: (enum, name, min, max);
# values of them need the ml_dtypes package, as TF's do.
_NARROW = (
    (24, "float8_e5m2", -57344.0, 57344.0),
    (25, "float8_e4m3fn", -448.0, 448.0),
    (26, "float8_e4m3fnuz", -240.0, 240.0),
    (27, "float8_e4m3b11fnuz", -30.0, 30.0),
    (28, "float8_e5m2fnuz", -57344.0, 57344.0),
    (29, "int4", -8, 7),
    (30, "uint4", 0, 15),
    (31, "int2", -2, 1),
    (32, "uint2", 0, 3),
    (33, "float4_e2m1fn", -6.0, 6.0),
)
_NARROW_LIMITS = {enum: (lo, hi) for enum, _, lo, hi in _NARROW}
float8_e5m2, float8_e4m3fn, float8_e4m3fnuz, float8_e4m3b11fnuz, float8_e5m2fnuz = (
    _make(e, n, _narrow_np(n)) for e, n, _, _ in _NARROW[:5]
)
int4, uint4, int2, uint2, float4_e2m1fn = (_make(e, n, _narrow_np(n)) for e, n, _, _ in _NARROW[5:])

half = float16
double = float64

_FLOATING = frozenset({float16, float32, float64, bfloat16})
_FLOATING = _FLOATING | {float8_e5m2, float8_e4m3fn, float8_e4m3fnuz, float8_e4m3b11fnuz}
_FLOATING = _FLOATING | {float8_e5m2fnuz, float4_e2m1fn}
_INTEGER = frozenset({int8, int16, int32, int64, uint8, uint16, uint32, uint64, int4, int2})
_INTEGER = _INTEGER | {uint4, uint2}
QUANTIZED_DTYPES = frozenset({qint8, quint8, qint16, quint16, qint32})
_QUANTIZED_STORAGE = {
    11: np.dtype(np.int8),
    12: np.dtype(np.uint8),
    13: np.dtype(np.int32),
    15: np.dtype(np.int16),
    16: np.dtype(np.uint16),
}

# Aliases accepted by `as_dtype` for names TF also understands.
_BY_NAME.update({"half": float16, "double": float64, "float": float32})

_BY_NP: dict[np.dtype, DType] = {}
for _dt in _BY_ENUM.values():
    if _dt._np is not None and not _dt.is_ref_dtype and _dt._base is not bfloat16:
        _BY_NP[_dt._np] = _dt
_BY_NP[_BFLOAT16_NP] = bfloat16

_BY_PYTYPE = {
    np.float16: float16,
    np.float32: float32,
    np.float64: float64,
    np.int8: int8,
    np.int16: int16,
    np.int32: int32,
    np.int64: int64,
    np.uint8: uint8,
    np.uint16: uint16,
    np.uint32: uint32,
    np.uint64: uint64,
    np.bool_: bool,
    np.complex64: complex64,
    np.complex128: complex128,
    np.bytes_: string,
    np.str_: string,
    np.object_: string,
}
for _np_dtype, _dt in list(_BY_NP.items()):
    if _dt._enum in _NARROW_LIMITS:
        _BY_PYTYPE[_np_dtype.type] = _dt


def as_dtype(type_value) -> DType:
    """Converts `type_value` (DType, numpy dtype or type, name, or enum) to a `DType`.

    Raises:
        TypeError: if `type_value` names no TensorFlow type.
    """
    if type_value.__class__ is DType:
        return type_value
    try:
        if isinstance(type_value, str):
            return _BY_NAME[type_value]
        if isinstance(type_value, int) and not isinstance(type_value, type):
            return _BY_ENUM[type_value]
        if isinstance(type_value, np.dtype):
            if type_value.kind in "SUO":
                return string
            return _BY_NP[type_value]
        if isinstance(type_value, type):
            if type_value in _BY_PYTYPE:
                return _BY_PYTYPE[type_value]
            if _BFLOAT16_NP.names is None and type_value is _BFLOAT16_NP.type:
                return bfloat16
        as_np = getattr(type_value, "dtype", None)
        if isinstance(as_np, np.dtype) and not isinstance(type_value, np.ndarray):
            return as_dtype(as_np)
    except (KeyError, TypeError):
        pass
    raise TypeError(
        f"Cannot convert the argument `type_value`: {type_value!r} to a TensorFlow DType."
    )


def bfloat16_bits(values) -> np.ndarray:
    """bfloat16 bit patterns (uint16) of `values`, rounded to nearest even as TF rounds.

    float64 values (Python floats among them) round directly from double precision, as
    TF's numpy bfloat16 type does, so no second rounding through float32 changes a value
    just above a tie; narrower values round from float32. NaN becomes the quiet NaN
    0x7FC0 with its sign kept.
    """
    arr = np.asarray(values)
    if arr.dtype == _BFLOAT16_NP:
        return arr.view(np.uint16)
    if (arr.dtype.kind in "fc" and arr.dtype.itemsize <= 4) or arr.dtype.kind == "b":
        bits = np.asarray(arr, dtype=np.float32).view(np.uint32).astype(np.uint64)
        rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    else:
        with np.errstate(all="ignore"):
            x = np.asarray(arr, dtype=np.float64)
            # bfloat16 keeps 8 significant bits; below 2**-126 its step is 2**-133
            step = np.maximum(np.frexp(x)[1] - 8, -133)
            exact = np.ldexp(np.rint(np.ldexp(x, -step)), step)  # all exact in float64
            bits = exact.astype(np.float32).view(np.uint32).astype(np.uint64)
        rounded = bits >> 16
    nan = np.isnan(arr) if arr.dtype.kind in "fc" else None
    if nan is not None and nan.any():
        sign = (np.asarray(arr, dtype=np.float32).view(np.uint32) >> 16) & 0x8000
        rounded = np.where(nan, sign | 0x7FC0, rounded)
    return rounded.astype(np.uint16).reshape(arr.shape)


def to_bfloat16(values) -> np.ndarray:
    """`values` rounded (to nearest even) to bfloat16, in bfloat16's numpy storage."""
    arr = np.asarray(values)
    if arr.dtype == _BFLOAT16_NP:
        return arr
    if _BFLOAT16_NP.names is None:  # ml_dtypes provides the conversion
        return arr.astype(_BFLOAT16_NP)
    return bfloat16_bits(arr).view(_BFLOAT16_NP)


def from_bfloat16(values) -> np.ndarray:
    """bfloat16 values (in bfloat16's numpy storage) as float32."""
    arr = np.asarray(values)
    if _BFLOAT16_NP.names is None:
        return arr.astype(np.float32)
    bits = arr.view(np.uint16).astype(np.uint32) << 16
    return bits.view(np.float32).reshape(arr.shape)


def as_numpy(dtype: DType) -> np.dtype:
    """The numpy storage dtype for `dtype` (object for strings)."""
    return dtype._base.np_dtype


# `tf.dtypes` is this module; TF's namespace also holds these functions (PEP 562, so
# that this module, which the ops import, does not import them back).
_FUNCTIONS = {
    "as_string": "tfgraph.ops.string_ops",
    "cast": "tfgraph.ops.array_ops",
    "complex": "tfgraph.ops.math_ops",
    "saturate_cast": "tfgraph.ops.math_ops",
}


def __getattr__(name: str):
    if name == "experimental":
        import importlib

        return importlib.import_module("tfgraph.framework.dtypes_experimental")
    module = _FUNCTIONS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}", name=name)
    import importlib
    import sys

    top = sys.modules.get("tfgraph")
    if top is not None and name in vars(top):  # (TF's tf.dtypes.cast is tf.cast)
        return vars(top)[name]
    return getattr(importlib.import_module(module), name)


_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def cpp_name(dtype: DType) -> str:
    """TF's C++ spelling of a dtype in runtime error messages (DataTypeString): float,
    double, half; other types by their name."""
    return _CPP_NAMES.get(dtype.name, dtype.name)

"""Partial shapes: `Dimension` and `TensorShape` with TensorFlow 1.x semantics.

A `TensorShape` has unknown rank (`dims is None`) or a list of dimensions, each a
known non-negative int or unknown (None). Indexing returns `Dimension` objects, as
TF1 does (`x.shape[0].value`). Internally dims are a tuple of `int | None`, which
keeps shape inference cheap.
"""

from __future__ import annotations

import operator

__all__ = [
    "Dimension",
    "TensorShape",
    "as_dimension",
    "as_shape",
    "dimension_at_index",
    "dimension_value",
    "unknown_shape",
]


class Dimension:
    """One dimension of a `TensorShape`: a non-negative int, or unknown (None)."""

    __slots__ = ("_value",)

    def __init__(self, value) -> None:
        if value is None or value.__class__ is int:
            self._value = value
        elif isinstance(value, Dimension):
            self._value = value._value
        else:
            try:
                self._value = operator.index(value)
            except TypeError:
                raise TypeError(
                    "Dimension value must be integer or None or have an __index__ method, "
                    f"got value '{value!r}' with type '{type(value)}'"
                ) from None
        if self._value is not None and self._value < 0:
            raise ValueError(f"Dimension {self._value} must be >= 0")

    @property
    def value(self) -> int | None:
        return self._value

    def __repr__(self) -> str:
        return f"Dimension({self._value!r})"

    def __str__(self) -> str:
        return "?" if self._value is None else str(self._value)

    def __int__(self) -> int:
        if self._value is None:
            raise TypeError("Cannot convert an unknown Dimension to an int")
        return self._value

    def __index__(self) -> int:
        return self.__int__()

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other):
        other = _dim_or_none(other)
        if other is _NOT_A_DIM:
            return NotImplemented
        if self._value is None or other is None:
            return None
        return self._value == other

    def __ne__(self, other):
        other = _dim_or_none(other)
        if other is _NOT_A_DIM:
            return NotImplemented
        if self._value is None or other is None:
            return None
        return self._value != other

    __hash__ = None  # type: ignore[assignment]  # TF's Dimension is unhashable

    def _compare(self, other, op):
        other = _dim_or_none(other)
        if other is _NOT_A_DIM:
            return NotImplemented
        if self._value is None or other is None:
            return None
        return op(self._value, other)

    def __lt__(self, other):
        return self._compare(other, operator.lt)

    def __le__(self, other):
        return self._compare(other, operator.le)

    def __gt__(self, other):
        return self._compare(other, operator.gt)

    def __ge__(self, other):
        return self._compare(other, operator.ge)

    def _arith(self, other, op):
        other = _dim_or_none(other)
        if other is _NOT_A_DIM:
            return NotImplemented
        if self._value is None or other is None:
            return Dimension(None)
        return Dimension(op(self._value, other))

    def __add__(self, other):
        return self._arith(other, operator.add)

    __radd__ = __add__

    def __sub__(self, other):
        return self._arith(other, operator.sub)

    def __rsub__(self, other):
        return Dimension(other)._arith(self, operator.sub)

    def __mul__(self, other):
        return self._arith(other, operator.mul)

    __rmul__ = __mul__

    def __floordiv__(self, other):
        return self._arith(other, operator.floordiv)

    def __rfloordiv__(self, other):
        return Dimension(other)._arith(self, operator.floordiv)

    def __mod__(self, other):
        return self._arith(other, operator.mod)

    def is_compatible_with(self, other) -> bool:
        other = as_dimension(other)._value
        return self._value is None or other is None or self._value == other

    def assert_is_compatible_with(self, other) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Dimensions {self} and {as_dimension(other)} are not compatible")

    def merge_with(self, other) -> Dimension:
        other = as_dimension(other)
        self.assert_is_compatible_with(other)
        return Dimension(self._value if self._value is not None else other._value)

    def __reduce__(self):
        return Dimension, (self._value,)


_NOT_A_DIM = object()


def _dim_or_none(other):
    """The int value (or None) of a Dimension-like `other`, `_NOT_A_DIM` if not one."""
    if other is None or other.__class__ is int:
        return other
    if isinstance(other, Dimension):
        return other._value
    try:
        return operator.index(other)
    except TypeError:
        return _NOT_A_DIM


def as_dimension(value) -> Dimension:
    return value if isinstance(value, Dimension) else Dimension(value)


def dimension_value(dimension) -> int | None:
    """The int value of `dimension` (a Dimension, int or None)."""
    if isinstance(dimension, Dimension):
        return dimension._value
    return dimension


def dimension_at_index(shape, index: int) -> Dimension:
    shape = as_shape(shape)
    if shape._dims is None:
        return Dimension(None)
    return Dimension(shape._dims[index])


def _to_dim_value(d) -> int | None:
    if d is None or d.__class__ is int:
        if d is not None and d < 0:
            raise ValueError(f"Dimension {d} must be >= 0")
        return d
    if isinstance(d, Dimension):
        return d._value
    return Dimension(d)._value


_INTERNED: dict = {}
_MAX_INTERNED = 4096


class TensorShape:
    """The static shape of a tensor; may be partially or entirely unknown."""

    __slots__ = ("_dims",)

    def __init__(self, dims=None) -> None:
        if dims is None:
            self._dims = None
        elif isinstance(dims, TensorShape):
            self._dims = dims._dims
        elif isinstance(dims, (list, tuple)):
            self._dims = tuple([_to_dim_value(d) for d in dims])
        elif hasattr(dims, "dim") and hasattr(dims, "unknown_rank"):  # TensorShapeProto
            if dims.unknown_rank:
                self._dims = None
            else:
                self._dims = tuple(None if d.size == -1 else d.size for d in dims.dim)
        else:
            try:
                self._dims = (_to_dim_value(dims),)
            except TypeError:
                self._dims = tuple([_to_dim_value(d) for d in dims])

    @classmethod
    def _from_tuple(cls, dims: tuple | None) -> TensorShape:
        """Fast constructor for already-validated dims (ints >= 0 or None).

        Shapes are immutable, so common ones are shared: a graph of thousands of ops
        then holds a few shape objects instead of one per tensor.
        """
        s = _INTERNED.get(dims)
        if s is None:
            s = object.__new__(cls)
            s._dims = dims
            if len(_INTERNED) < _MAX_INTERNED:
                _INTERNED[dims] = s
        return s

    # -- queries ---------------------------------------------------------------------
    @property
    def dims(self) -> list[Dimension] | None:
        if self._dims is None:
            return None
        return [Dimension(d) for d in self._dims]

    @property
    def ndims(self) -> int | None:
        return None if self._dims is None else len(self._dims)

    @property
    def rank(self) -> int | None:
        return self.ndims

    def num_elements(self) -> int | None:
        if self._dims is None:
            return None
        n = 1
        for d in self._dims:
            if d is None:
                return None
            n *= d
        return n

    def is_fully_defined(self) -> bool:
        return self._dims is not None and None not in self._dims

    def assert_is_fully_defined(self) -> None:
        if not self.is_fully_defined():
            raise ValueError(f"Shape {self} is not fully defined")

    def as_list(self) -> list:
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self._dims)

    def __len__(self) -> int:
        if self._dims is None:
            raise ValueError("Cannot take the length of shape with unknown rank.")
        return len(self._dims)

    def __bool__(self) -> bool:
        return self._dims is not None

    def __iter__(self):
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return iter([Dimension(d) for d in self._dims])

    def __getitem__(self, key):
        if self._dims is not None:
            if isinstance(key, slice):
                return TensorShape._from_tuple(self._dims[key])
            return Dimension(self._dims[key])
        if isinstance(key, slice):
            start, stop = key.start, key.stop
            if (start is None or start >= 0) and stop is not None and stop >= 0 and not key.step:
                return TensorShape._from_tuple((None,) * (stop - (start or 0)))
            return TensorShape(None)
        return Dimension(None)

    # -- compatibility -----------------------------------------------------------------
    def is_compatible_with(self, other) -> bool:
        other = as_shape(other)
        a, b = self._dims, other._dims
        if a is None or b is None:
            return True
        if len(a) != len(b):
            return False
        for x, y in zip(a, b):
            if x is not None and y is not None and x != y:
                return False
        return True

    def assert_is_compatible_with(self, other) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {as_shape(other)} are incompatible")

    def merge_with(self, other) -> TensorShape:
        other = as_shape(other)
        a, b = self._dims, other._dims
        if a is None:
            return other
        if b is None:
            return self
        if len(a) != len(b):
            raise ValueError(f"Shapes {self} and {other} are not compatible")
        out = []
        for x, y in zip(a, b):
            if x is None:
                out.append(y)
            elif y is None or x == y:
                out.append(x)
            else:
                raise ValueError(f"Shapes {self} and {other} are not compatible")
        return TensorShape._from_tuple(tuple(out))

    def most_specific_compatible_shape(self, other) -> TensorShape:
        other = as_shape(other)
        a, b = self._dims, other._dims
        if a is None or b is None or len(a) != len(b):
            return TensorShape(None)
        return TensorShape._from_tuple(tuple(x if x == y else None for x, y in zip(a, b)))

    def concatenate(self, other) -> TensorShape:
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return TensorShape(None)
        return TensorShape._from_tuple(self._dims + other._dims)

    def with_rank(self, rank: int) -> TensorShape:
        if self._dims is None:
            return TensorShape._from_tuple((None,) * rank)
        if len(self._dims) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")
        return self

    def with_rank_at_least(self, rank: int) -> TensorShape:
        if self._dims is not None and len(self._dims) < rank:
            raise ValueError(f"Shape {self} must have rank at least {rank}")
        return self

    def with_rank_at_most(self, rank: int) -> TensorShape:
        if self._dims is not None and len(self._dims) > rank:
            raise ValueError(f"Shape {self} must have rank at most {rank}")
        return self

    def as_proto(self):
        from tfgraph.io import tensor_proto

        return tensor_proto.shape_to_proto(None if self._dims is None else list(self._dims))

    # -- python protocol ---------------------------------------------------------------
    def __eq__(self, other) -> bool:
        try:
            other = as_shape(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self._dims == other._dims

    def __ne__(self, other) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self._dims)

    def __add__(self, other) -> TensorShape:
        return self.concatenate(other)

    def __radd__(self, other) -> TensorShape:
        return as_shape(other).concatenate(self)

    def __reduce__(self):
        return TensorShape, (None if self._dims is None else list(self._dims),)

    def __repr__(self) -> str:
        if self._dims is None:
            return "TensorShape(None)"
        if V2_REPR[0]:  # TF2 behaviour: dimensions print as ints
            return "TensorShape([" + ", ".join(repr(d) for d in self._dims) + "])"
        return "TensorShape([" + ", ".join(f"Dimension({d!r})" for d in self._dims) + "])"

    def __str__(self) -> str:
        if self._dims is None:
            return "<unknown>"
        if len(self._dims) == 1:
            return f"({_dstr(self._dims[0])},)"
        return "(" + ", ".join(_dstr(d) for d in self._dims) + ")"


# Set by tf.enable_v2_behavior(): TensorShape's repr as TF2 prints it.
V2_REPR = [False]


def _dstr(d) -> str:
    return "?" if d is None else str(d)


def as_shape(shape) -> TensorShape:
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def unknown_shape(rank: int | None = None, **_) -> TensorShape:
    if rank is None:
        return TensorShape(None)
    return TensorShape._from_tuple((None,) * rank)


SCALAR = TensorShape._from_tuple(())
UNKNOWN = TensorShape._from_tuple(None)

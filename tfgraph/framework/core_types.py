"""`tf.types.experimental`: the typing names of TF's core types."""

from __future__ import annotations

import inspect
from typing import Protocol, Union, runtime_checkable

import numpy as np

from tfgraph.framework.ops import Tensor


@runtime_checkable
class TensorProtocol(Protocol):
    """An object that converts itself to a tensor (`__tf_tensor__`)."""

    def __tf_tensor__(self, dtype=None, name=None): ...


# Anything `tf.convert_to_tensor` may take (as TF's `tf.types.experimental.TensorLike`).
TensorLike = Union[  # noqa: UP007 (a runtime object, as TF's)
    Tensor,
    TensorProtocol,
    int,
    float,
    bool,
    str,
    bytes,
    complex,
    tuple,
    list,
    np.ndarray,
    np.generic,
]


class FunctionType(inspect.Signature):
    """The type of a polymorphic function: an `inspect.Signature` of its parameters."""

    __slots__ = ()

"""Python functions as graph ops: tf.py_func / tf.numpy_function (`PyFunc`,
`PyFuncStateless`) and tf.py_function (`EagerPyFunc`), as TF1 builds them.

The function is kept in a process-wide registry under the op's `token` attr
("pyfunc_<n>"), as TF does; a graph imported in another process has ops whose token
names no function here, and running them fails saying so. An exception the function
raises becomes TF's error class (ValueError/TypeError: InvalidArgumentError,
NotImplementedError: UnimplementedError, MemoryError: ResourceExhaustedError, anything
else: UnknownError) with the exception and its traceback in the message.
"""

from __future__ import annotations

import itertools
import threading
import traceback

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op

__all__ = ["numpy_function", "py_func", "py_function"]

_lock = threading.Lock()
_funcs: dict[str, object] = {}
_counter = itertools.count()

_ERROR_CLASSES: tuple[tuple[type, type], ...] = (
    (ValueError, errors.InvalidArgumentError),
    (TypeError, errors.InvalidArgumentError),
    (NotImplementedError, errors.UnimplementedError),
    (MemoryError, errors.ResourceExhaustedError),
)


def _register(func) -> str:
    with _lock:
        token = f"pyfunc_{next(_counter)}"
        _funcs[token] = func
    return token


class _EagerArray(np.ndarray):
    """What a tf.py_function body receives: a numpy array with `.numpy()`, as an
    EagerTensor has."""

    def numpy(self) -> np.ndarray:
        return np.asarray(self).copy()


def _error_for(exc: BaseException, op) -> errors.OpError:
    cls: type = errors.UnknownError
    for py_cls, tf_cls in _ERROR_CLASSES:
        if isinstance(exc, py_cls):
            cls = tf_cls
            break
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return cls(None, op, f"{type(exc).__name__}: {exc}\n{text}")


def _type_name(dtype) -> str:
    try:
        return dtypes.as_dtype(dtype).name.replace("float32", "float").replace("float64", "double")
    except TypeError:
        return str(dtype)


def _make_kernel(eager: bool):
    def make(op, ctx):
        token = op._attrs["token"]
        token = token.decode() if isinstance(token, bytes) else token
        tout = [dtypes.as_dtype(t) for t in op._attrs["Tout"]]
        func = _funcs.get(token)

        def kernel(*args):
            if func is None:
                raise errors.UnknownError(
                    None,
                    op,
                    f"callback {token} is not found (the graph was built in another process)",
                )
            if eager:
                args = tuple(np.asarray(a).view(_EagerArray) for a in args)
            try:
                ret = func(*args)
            except Exception as e:
                raise _error_for(e, op) from e
            if not tout:
                return ()
            values = list(ret) if isinstance(ret, (list, tuple)) else [ret]
            if len(values) != len(tout):
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"{token} returns {len(values)} values, but expects to see {len(tout)} values.",
                )
            out = []
            for i, (v, dt) in enumerate(zip(values, tout)):
                want = dt.as_numpy_dtype
                if eager:
                    out.append(np.asarray(v, dtype=want))
                    continue
                a = np.asarray(v)
                if dt == dtypes.string:
                    if a.dtype.kind in "SUO":
                        out.append(a.astype(object))
                        continue
                elif a.dtype == np.dtype(want):
                    out.append(a)
                    continue
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"{i}-th value returned by {token} is {_type_name(a.dtype)}, but expects "
                    f"{dt.name}",
                )
            return tuple(out)

        return kernel

    return make


def _unknown_shapes(op):
    return [TensorShape(None) for _ in op._attrs["Tout"]]


for _name, _stateful, _eager, _extra in (
    ("PyFunc", True, False, []),
    ("PyFuncStateless", False, False, []),
    ("EagerPyFunc", True, True, ["is_async: bool = false"]),
):
    register_op(
        _name,
        inputs=["input: Tin"],
        outputs=["output: Tout"],
        attrs=["token: string", "Tin: list(type) >= 0", "Tout: list(type) >= 0", *_extra],
        shape=_unknown_shapes,
        make_kernel=_make_kernel(_eager),
        stateful=_stateful,
        grad=NOT_DIFFERENTIABLE if not _eager else None,
    )


def _apply(op_type: str, func, inp, Tout, name, extra=None):
    single = not isinstance(Tout, (list, tuple))
    tout = [dtypes.as_dtype(t) for t in ([Tout] if single else Tout)]
    token = _register(func)
    attrs = {"token": token.encode(), "Tout": tout}
    if extra:
        attrs.update(extra)
    op = apply_op(op_type, name, [list(inp)], attrs)
    if not tout:
        return op
    return op._outputs[0] if single else list(op._outputs)


def py_func(func, inp, Tout, stateful: bool = True, name: str | None = None):
    """Runs `func` (numpy arrays in, numpy arrays out) as an op; `Tout` a dtype (one
    tensor returned) or a list of dtypes (a list returned; empty: the op)."""
    return _apply("PyFunc" if stateful else "PyFuncStateless", func, inp, Tout, name)


def numpy_function(func=None, inp=None, Tout=None, stateful: bool = True, name=None):
    """`tf.numpy_function`: as `py_func`."""
    return py_func(func, inp, Tout, stateful=stateful, name=name)


def py_function(func=None, inp=None, Tout=None, name: str | None = None):
    """Runs `func` as an op (`EagerPyFunc`): its arguments are arrays with `.numpy()`,
    its results are converted to `Tout`."""
    return _apply("EagerPyFunc", func, inp, Tout, name, {"is_async": False})

"""Training ops: the `Apply*` and `SparseApply*` updates optimizers add to the graph.

Each op takes its variable and slot variables as references (TF1 ref variables), the
hyper-parameters as scalar tensors and the gradient, updates the variables with
TensorFlow's formula for that optimizer (the order of float operations follows TF's
CPU kernels, so results agree to rounding) and outputs the variable's reference.
`SparseApply*` ops update only the rows named by `indices` (the gradient's rows).

In-place updates
----------------
TF's ref-variable training ops write into the variable's buffer. Here a variable's
value is a read-only numpy array held by its `RefCell`, and values handed out (fetches,
the `v/read` slot of a running plan) must never change afterwards. A cell that owns its
buffer keeps a private writeable handle on it (`cell.writer`) beside the read-only view
everyone reads (`cell.value`, never made writeable). A kernel writes through `writer`
in place only when, with every cell of the op locked (`cell.lock`, in a fixed order),
nothing but the cell references either handle (`sys.getrefcount`; a view of the value
references `writer` as its base): no plan slot, fetch or view holds the buffer.
Otherwise it updates a fresh copy and the cell takes that (`cell.own`), as `Assign`
does. Readers do not take the lock; like TF's ref variables read without `use_locking`,
a run reading a variable while another thread's run updates it in place may see the
update in progress, but a fetch is always copied from the read-only view, so what
`Session.run` returns is the caller's own and never changes later.
Set `IN_PLACE = False` to always copy (benchmarks measure both).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes, registry
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import register_op
from tfgraph.framework.resources import RefCell
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import shape_error
from tfgraph.platform import parallel

__all__ = [
    "apply_ada_max",
    "apply_adadelta",
    "apply_adagrad",
    "apply_adagrad_v2",
    "apply_adam",
    "apply_centered_rms_prop",
    "apply_ftrl",
    "apply_ftrl_v2",
    "apply_gradient_descent",
    "apply_momentum",
    "apply_proximal_adagrad",
    "apply_proximal_gradient_descent",
    "apply_rms_prop",
    "resource_apply_keras_momentum",
    "sparse_apply_adadelta",
    "sparse_apply_adagrad",
    "sparse_apply_centered_rms_prop",
    "sparse_apply_ftrl",
    "sparse_apply_ftrl_v2",
    "sparse_apply_momentum",
    "sparse_apply_proximal_adagrad",
    "sparse_apply_proximal_gradient_descent",
    "sparse_apply_rms_prop",
]

IN_PLACE = True

_ndarray = np.ndarray
_getrefcount = sys.getrefcount


def _refcounts(cell) -> tuple[int, int]:
    """Reference counts of the cell's writer and of its read-only view, as seen here."""
    writer = cell.writer
    return _getrefcount(writer), _getrefcount(cell.value)


def _exclusive_refcounts() -> tuple[int, int]:
    """What `_refcounts` sees for a cell whose arrays nothing but the cell references."""
    probe = RefCell("probe", None)
    probe.own(np.zeros(2))
    return _refcounts(probe)


_EXCLUSIVE_WRITER, _EXCLUSIVE_VALUE = _exclusive_refcounts()


def _writable(cell, op_name: str) -> np.ndarray:
    """An array this kernel may write holding the cell's value (call with the cell
    locked): the cell's private `writer` when nothing else references the cell's buffer,
    else a copy. The caller stores the result back with `cell.own(array)`."""
    value = cell.value
    if value is None:
        cell.read(op_name)  # raises FailedPreconditionError
    writer = cell.writer
    if IN_PLACE and writer is not None and value.base is writer:
        del value, writer  # (references of this frame would spoil the counts)
        writers, values = _refcounts(cell)
        if writers <= _EXCLUSIVE_WRITER and values <= _EXCLUSIVE_VALUE:
            return cell.writer
        value = cell.value
    return np.array(value, copy=True)


class _Locked:
    """Holds the locks of distinct cells, taken in a fixed order (no deadlocks)."""

    __slots__ = ("locks",)

    def __init__(self, locks: tuple) -> None:
        self.locks = locks

    def __enter__(self):
        for lock in self.locks:
            lock.acquire()
        return self

    def __exit__(self, *exc) -> None:
        for lock in reversed(self.locks):
            lock.release()


class _LockOrder:
    """A kernel's `_Locked` factory: the order is worked out again only when the cells
    change (a plan passes the same cells at every run)."""

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last: tuple = ((), ())

    def __call__(self, cells: tuple) -> _Locked:
        seen, locks = self.last
        if cells != seen:  # (cells compare by identity)
            unique = {id(c): c for c in cells}
            locks = tuple(unique[k].lock for k in sorted(unique))
            self.last = (cells, locks)
        return _Locked(locks)


# -- checks ---------------------------------------------------------------------------------
def _dims(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _invalid(op, message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, op, message)


def _common_shape(op, cells, names) -> tuple:
    """The shape all `cells` share: FailedPrecondition if one is uninitialized,
    InvalidArgument naming the first mismatch. Keeps no reference to the values."""
    shape = cells[0].read(op._name).shape
    for name, cell in zip(names[1:], cells[1:]):
        other = cell.read(op._name).shape
        if other != shape:
            raise _invalid(
                op,
                f"{names[0]} and {name} do not have the same shape{_dims(shape)} {_dims(other)}",
            )
    return shape


def _scalar(op, name: str, value):
    a = np.asarray(value)
    if a.ndim != 0:
        if a.size != 1 or a.ndim > 1:
            raise _invalid(op, f"{name} is not a scalar: {_dims(a.shape)}")
        a = a.reshape(())
    return a[()]


def _check_grad(op, shape, grad, var_name: str = "var") -> None:
    if np.shape(grad) != shape:
        raise _invalid(
            op,
            f"{var_name} and grad do not have the same shape{_dims(shape)} {_dims(np.shape(grad))}",
        )


def _check_sparse(op, shape, grad, indices) -> np.ndarray:
    """Checks a sparse update's operands; returns the indices as a 1-D array."""
    indices = np.asarray(indices)
    grad_shape = np.shape(grad)
    if len(shape) < 1:
        raise _invalid(op, "var must be at least 1 dimensional")
    if indices.ndim != 1:
        raise _invalid(op, f"indices must be one-dimensional, got shape {_dims(indices.shape)}")
    for d in range(1, len(shape)):
        if d >= len(grad_shape) or grad_shape[d] != shape[d]:
            raise _invalid(op, f"var and grad must match in dimension {d}")
    if len(grad_shape) != len(shape):
        raise _invalid(op, f"var and grad must match in dimension {len(grad_shape)}")
    if grad_shape[0] != indices.shape[0]:
        raise _invalid(op, "grad must be the same size as indices in the first dimension.")
    n = shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        bad = np.flatnonzero((indices < 0) | (indices >= n))[0]
        raise _invalid(
            op, f"Index {int(indices[bad])} at offset {int(bad)} in indices is out of range"
        )
    return indices


def _has_duplicates(indices: np.ndarray) -> bool:
    return indices.size > 1 and np.unique(indices).size != indices.size


def _float_kernel(op) -> None:
    dtype = op._attrs["T"]
    if not (dtype.is_floating or dtype.is_complex):
        raise errors.InvalidArgumentError(
            None,
            op,
            f"No OpKernel was registered to support Op '{op._type}' used by {{{{node "
            f"{op._name}}}}} with these attrs: [T=DT_{dtype.name.upper()}]",
        )


# -- shape rules ----------------------------------------------------------------------------
def _shape_rule(kinds: str):
    """A shape rule from one letter per input, checked in input order as TF does:
    v = merged with the variable's shape, s = scalar, g = dense gradient (merged),
    G = sparse gradient followed by its indices `i` (rows of the variable)."""

    def rule(op):
        inputs = op._inputs
        s = inputs[0]._shape
        for k, kind in enumerate(kinds):
            if k == 0:
                continue
            shape = inputs[k]._shape
            if kind in "vg":
                s = _merge(op, s, shape)
            elif kind == "s":
                if shape._dims is not None and len(shape._dims) != 0:
                    raise shape_error(op, f"Shape must be rank 0 but is rank {len(shape._dims)}")
            elif kind == "G":
                indices = inputs[k + 1]._shape
                if indices._dims is not None and len(indices._dims) != 1:
                    raise shape_error(op, f"Shape must be rank 1 but is rank {len(indices._dims)}")
                grad = shape._dims
                if grad is not None and len(grad) == 0:
                    raise shape_error(op, "Shape must be at least rank 1 but is rank 0")
                if grad is not None and indices._dims is not None:
                    a, b = indices._dims[0], grad[0]
                    if a is not None and b is not None and a != b:
                        raise shape_error(op, f"Dimensions must be equal, but are {a} and {b}")
                if grad is not None:
                    s = _merge(op, s, TensorShape._from_tuple((None, *grad[1:])))
        return [s]

    return rule


def _merge(op, a: TensorShape, b: TensorShape) -> TensorShape:
    da, db = a._dims, b._dims
    if da is None:
        return b
    if db is None:
        return a
    if len(da) != len(db):
        raise shape_error(op, f"Shapes must be equal rank, but are {len(da)} and {len(db)}")
    out = []
    for i, (x, y) in enumerate(zip(da, db)):
        if x is not None and y is not None and x != y:
            raise shape_error(
                op,
                f"Dimension {i} in both shapes must be equal, but are {x} and {y}. Shapes are "
                f"{_dims(_q(da))} and {_dims(_q(db))}.",
            )
        out.append(x if x is not None else y)
    return TensorShape._from_tuple(tuple(out))


def _q(dims):
    return ["?" if d is None else d for d in dims]


_T_ATTR = "T: numbertype"
_LOCKING = "use_locking: bool = false"


def _register(
    name: str, inputs: list[str], kinds: str, make_kernel, extra_attrs=(), ref: bool = True
):
    """Registers the Apply op on ref variables (unless `ref` is False) and its
    ResourceApply twin."""
    sparse = "G" in kinds
    attrs = [_T_ATTR]
    if sparse:
        attrs.append("Tindices: {int32, int64}")
    attrs.append(_LOCKING)
    attrs.extend(extra_attrs)
    if ref:
        register_op(
            name,
            inputs=inputs,
            outputs=["out: Ref(T)"],
            attrs=attrs,
            shape=_shape_rule(kinds),
            make_kernel=make_kernel,
        )
    # The same update on resource variables: the handles' cells, no output.
    n_cells = sum(1 for spec in inputs if "Ref(" in spec)
    register_op(
        "Resource" + name,
        inputs=[spec.replace("Ref(T)", "resource") for spec in inputs],
        outputs=[],
        attrs=attrs,
        shape=lambda op: [],
        make_kernel=_on_handles(make_kernel, n_cells),
        stateful=True,
    )


def _on_handles(make_kernel, n_cells: int):
    """An Apply kernel factory run on the cells of its first `n_cells` resource handles."""

    def make(op, ctx):
        kernel = make_kernel(op, ctx)

        def run(*args):
            kernel(*[handle.cell for handle in args[:n_cells]], *args[n_cells:])

        return run

    return make


def _store(cells, arrays) -> None:
    for cell, array in zip(cells, arrays):
        cell.own(array)


# -- dense kernels --------------------------------------------------------------------------
# Each `_*_update(op, T)` returns `update(arrays, scalars, grad)` writing `arrays`
# (var first, then the slots in input order) in place.


def _scalars(op, names, values) -> list:
    """The hyper-parameter inputs as numpy scalars (0-d arrays take the fast path)."""
    out = []
    for name, value in zip(names, values):
        if value.__class__ is _ndarray and not value.shape:
            out.append(value[()])
        else:
            out.append(_scalar(op, name, value))
    return out


# Dense updates of at least this many elements are split over the kernel threads: the
# formulas are elementwise, so each thread updates its own range of the flat arrays.
# (Measured, Adam: split, 65K elements took 1.9x the time of one thread, 200K the same,
# 800K half.)
_PARALLEL_UPDATE_ELEMENTS = 1 << 18

# An update's formula passes over its arrays a dozen times (Adam: 12 numpy calls); over
# ranges of this many bytes per array, all of them may stay in the core's cache between
# passes. Whether that pays depends on the machine: measured, Adam in float32 on one
# thread, an Intel machine (AVX-512): 200K elements 387 us whole, 320 us in 64K-element
# ranges, 3.2M elements 10.9 ms whole, 5.9 ms in ranges; an AMD EPYC Zen 3 (512 KB L2):
# 200K elements 407 us whole, 495 us in ranges. So each size takes whichever of the two
# has been faster lately (`parallel.FasterOfTwo`).
_CACHE_RANGE_BYTES = 256 << 10
_range_ways = parallel.FasterOfTwo()


def _split_update(update, arrays, scalars, grad) -> None:
    size = arrays[0].size
    span = max(_CACHE_RANGE_BYTES // arrays[0].itemsize, 1)
    if size <= span or not all(a.flags.c_contiguous for a in arrays):
        update(arrays, scalars, grad)
        return
    flat = [a.reshape(-1) for a in arrays]
    g = np.ascontiguousarray(grad).reshape(-1)
    times, in_ranges = _range_ways.pick((size, len(arrays), arrays[0].dtype.char))
    if not in_ranges:
        span = size

    def update_range(r: slice) -> None:
        for lo in range(r.start, r.stop, span):
            piece = slice(lo, min(lo + span, r.stop))
            update([f[piece] for f in flat], scalars, g[piece])

    start = time.perf_counter()
    threads = parallel.num_threads()
    if threads == 1 or size < _PARALLEL_UPDATE_ELEMENTS:
        update_range(slice(0, size))
    else:
        step = -(-size // (2 * threads))
        ranges = [slice(i, min(i + step, size)) for i in range(0, size, step)]
        parallel.run_blocks(ranges, lambda r, _: update_range(r))
    _range_ways.record(times, in_ranges, time.perf_counter() - start)


def _dense_kernel(slot_names, scalar_names, make_update):
    """A kernel factory for a dense Apply op with inputs (var, *slots, *scalars, grad).
    `make_update(op, T)` returns `update(arrays, scalars, grad)` writing `arrays` (var
    first, then the slots) in place."""
    names = ("var", *slot_names)

    def make(op, ctx):
        _float_kernel(op)
        update = make_update(op, op._attrs["T"].np_dtype.type)
        n_cells = len(names)
        op_name = op._name

        if n_cells == 1:  # gradient descent and its proximal form: the lean path

            def kernel(cell, *rest):
                grad = rest[-1]
                scalars = _scalars(op, scalar_names, rest[:-1])
                with cell.lock:
                    shape = cell.read(op_name).shape  # (keeps no reference to the array)
                    if grad.__class__ is not _ndarray or grad.shape != shape:
                        _check_grad(op, shape, grad)
                    array = _writable(cell, op_name)
                    try:
                        if shape:
                            update((array,), scalars, grad)
                        else:  # 0-d: update a 1-element view (temporaries stay arrays)
                            update((array.reshape(1),), scalars, np.reshape(grad, 1))
                    finally:
                        cell.own(array)
                return cell

            return kernel

        locked = _LockOrder()

        def kernel(*args):
            cells = args[:n_cells]
            grad = args[-1]
            scalars = _scalars(op, scalar_names, args[n_cells:-1])
            with locked(cells):
                shape = _common_shape(op, cells, names)
                if grad.__class__ is not _ndarray or grad.shape != shape:
                    _check_grad(op, shape, grad)
                arrays = [_writable(c, op_name) for c in cells]
                try:
                    if shape:
                        _split_update(update, arrays, scalars, grad)
                    else:  # 0-d: update 1-element views (temporaries stay arrays)
                        update([a.reshape(1) for a in arrays], scalars, np.reshape(grad, 1))
                finally:
                    _store(cells, arrays)
            return cells[0]

        return kernel

    return make


def _gd_update(op, T):
    def update(arrays, scalars, grad):
        (var,) = arrays
        (lr,) = scalars
        var -= grad * lr

    return update


def _momentum_update(op, T):
    nesterov = op._attrs.get("use_nesterov", False)

    def update(arrays, scalars, grad):
        var, accum = arrays
        lr, momentum = scalars
        accum *= momentum
        accum += grad
        if nesterov:
            var -= grad * lr + accum * momentum * lr
        else:
            var -= accum * lr

    return update


def _keras_momentum_update(op, T):
    nesterov = op._attrs.get("use_nesterov", False)

    def update(arrays, scalars, grad):
        var, accum = arrays
        lr, momentum = scalars
        step = grad * lr
        accum *= momentum
        accum -= step
        if nesterov:
            step -= accum * momentum
            var -= step
        else:
            var += accum

    return update


def _adam_update(op, T):
    nesterov = op._attrs.get("use_nesterov", False)
    one = T(1)

    def update(arrays, scalars, grad):
        var, m, v = arrays
        beta1_power, beta2_power, lr, beta1, beta2, epsilon = scalars
        alpha = lr * np.sqrt(one - beta2_power) / (one - beta1_power)
        t = grad - m
        t *= one - beta1
        m += t
        t = np.square(grad, out=t)
        t -= v
        t *= one - beta2
        v += t
        denom = np.sqrt(v, out=t)
        denom += epsilon
        if nesterov:
            step = grad * (one - beta1)
            step += beta1 * m
            step *= alpha
        else:
            step = m * alpha
        step /= denom
        var -= step

    return update


def _adagrad_update(op, T):
    update_slots = op._attrs.get("update_slots", True)

    def update(arrays, scalars, grad):
        var, accum = arrays
        (lr,) = scalars
        if update_slots:
            accum += np.square(grad)
        step = grad * lr
        step /= np.sqrt(accum)
        var -= step

    return update


def _adagrad_v2_update(op, T):
    update_slots = op._attrs.get("update_slots", True)

    def update(arrays, scalars, grad):
        var, accum = arrays
        lr, epsilon = scalars
        if update_slots:
            accum += np.square(grad)
        denom = np.sqrt(accum)
        denom += epsilon
        step = grad * lr
        step /= denom
        var -= step

    return update


def _ada_max_update(op, T):
    one = T(1)

    def update(arrays, scalars, grad):
        var, m, v = arrays
        beta1_power, lr, beta1, beta2, epsilon = scalars
        t = grad - m
        t *= one - beta1
        m += t
        v *= beta2
        np.maximum(v, np.abs(grad, out=t), out=v)
        denom = v + epsilon
        step = np.divide(m, denom, out=denom)
        step *= lr / (one - beta1_power)
        var -= step

    return update


def _adadelta_update(op, T):
    one = T(1)

    def update(arrays, scalars, grad):
        var, accum, accum_update = arrays
        lr, rho, epsilon = scalars
        accum *= rho
        accum += np.square(grad) * (one - rho)
        step = np.sqrt(accum_update + epsilon)
        step /= np.sqrt(accum + epsilon)
        step *= grad
        var -= step * lr
        accum_update *= rho
        accum_update += np.square(step) * (one - rho)

    return update


def _rmsprop_update(op, T):
    one = T(1)

    def update(arrays, scalars, grad):
        var, ms, mom = arrays
        lr, rho, momentum, epsilon = scalars
        t = np.square(grad)
        t -= ms
        t *= one - rho
        ms += t
        step = grad * lr
        step /= np.sqrt(ms + epsilon)
        mom *= momentum
        mom += step
        var -= mom

    return update


def _centered_rmsprop_update(op, T):
    one = T(1)

    def update(arrays, scalars, grad):
        var, mg, ms, mom = arrays
        lr, rho, momentum, epsilon = scalars
        t = np.square(grad)
        t -= ms
        t *= one - rho
        ms += t
        t = grad - mg
        t *= one - rho
        mg += t
        denom = ms - np.square(mg)
        denom += epsilon
        step = grad * lr
        step /= np.sqrt(denom)
        mom *= momentum
        mom += step
        var -= mom

    return update


def _ftrl_math(T, multiply_linear_by_lr: bool):
    """TF's FTRL step on arrays (in place): shared by the dense and sparse kernels."""
    two = T(2)

    def ftrl(var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power):
        grad_sq = np.square(grad)
        new_accum = accum + grad_sq
        if lr_power == T(-0.5):
            new_pow, old_pow = np.sqrt(new_accum), np.sqrt(accum)
        else:
            new_pow, old_pow = np.power(new_accum, -lr_power), np.power(accum, -lr_power)
        g = grad if l2_shrinkage is None else grad + two * l2_shrinkage * var
        if multiply_linear_by_lr:
            linear += g * lr - (new_pow - old_pow) * var
            l1_lr = l1 * lr
            x = np.clip(linear, -l1_lr, l1_lr) - linear
            y = new_pow + two * l2 * lr
        else:
            linear += g - (new_pow - old_pow) / lr * var
            x = np.clip(linear, -l1, l1) - linear
            y = new_pow / lr + two * l2
        var[...] = x / y
        accum[...] = new_accum

    return ftrl


def _ftrl_update(v2: bool):
    def make(op, T):
        ftrl = _ftrl_math(T, op._attrs.get("multiply_linear_by_lr", False))

        def update(arrays, scalars, grad):
            var, accum, linear = arrays
            if v2:
                lr, l1, l2, l2_shrinkage, lr_power = scalars
            else:
                (lr, l1, l2, lr_power), l2_shrinkage = scalars, None
            ftrl(var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power)

        return update

    return make


def _proximal(T):
    one, zero = T(1), T(0)

    def shrink(prox, lr, l1, l2):
        """sign(prox) * max(|prox| - lr*l1, 0) / (1 + l2*lr), or prox / (1 + l2*lr)."""
        if l1 > zero:
            out = np.abs(prox)
            out -= lr * l1
            np.maximum(out, zero, out=out)
            out *= np.sign(prox)
            out /= one + l2 * lr
            return out
        return prox / (one + l2 * lr)

    return shrink


def _proximal_gd_update(op, T):
    shrink = _proximal(T)

    def update(arrays, scalars, grad):
        (var,) = arrays
        lr, l1, l2 = scalars
        prox = var - grad * lr
        var[...] = shrink(prox, lr, l1, l2)

    return update


def _proximal_adagrad_update(op, T):
    shrink = _proximal(T)

    def update(arrays, scalars, grad):
        var, accum = arrays
        lr, l1, l2 = scalars
        accum += np.square(grad)
        rate = lr / np.sqrt(accum)
        prox = var - grad * rate
        var[...] = shrink(prox, rate, l1, l2)

    return update


# -- sparse kernels -------------------------------------------------------------------------
def _sparse_kernel(slot_names, scalar_before, scalar_after, make_update):
    """A kernel factory for a SparseApply op with inputs
    (var, *slots, *scalar_before, grad, indices, *scalar_after). `make_update(op, T)`
    returns `update(rows, scalars, grad)` updating the gathered rows (a list of arrays,
    var first) in place; rows are written back afterwards."""
    names = ("var", *slot_names)
    scalar_names = (*scalar_before, *scalar_after)

    def make(op, ctx):
        _float_kernel(op)
        update = make_update(op, op._attrs["T"].np_dtype.type)
        n_cells = len(names)
        n_before = len(scalar_before)
        locked = _LockOrder()

        def kernel(*args):
            cells = args[:n_cells]
            rest = args[n_cells:]
            grad, indices = rest[n_before], rest[n_before + 1]
            raw_scalars = rest[:n_before] + rest[n_before + 2 :]
            scalars = [_scalar(op, n, v) for n, v in zip(scalar_names, raw_scalars)]
            with locked(cells):
                shape = _common_shape(op, cells, names)
                idx = _check_sparse(op, shape, grad, indices)
                arrays = [_writable(c, op._name) for c in cells]
                try:
                    if idx.size == 0:
                        pass
                    elif _has_duplicates(idx):  # rows apply one after another, as in TF
                        for k in range(idx.size):
                            i = idx[k : k + 1]
                            rows = [a[i] for a in arrays]
                            update(rows, scalars, grad[k : k + 1])
                            for a, r in zip(arrays, rows):
                                a[i] = r
                    else:
                        rows = [a[idx] for a in arrays]
                        update(rows, scalars, np.asarray(grad))
                        for a, r in zip(arrays, rows):
                            a[idx] = r
                finally:
                    _store(cells, arrays)
            return cells[0]

        return kernel

    return make


def _sparse_momentum_update(op, T):
    nesterov = op._attrs.get("use_nesterov", False)

    def update(rows, scalars, grad):
        var, accum = rows
        lr, momentum = scalars
        accum *= momentum
        accum += grad
        if nesterov:
            var -= lr * grad + (lr * momentum) * accum
        else:
            var -= lr * accum

    return update


# Sparse Adagrad, Adadelta and Ftrl use the dense rules on the gathered rows (the same float
# operations as TF's sparse kernels); RMSProp's sparse kernel orders them differently.


def _sparse_rmsprop_update(op, T):
    one = T(1)

    def update(rows, scalars, grad):
        var, ms, mom = rows
        lr, rho, momentum, epsilon = scalars
        ms *= rho
        ms += np.square(grad) * (one - rho)
        step = lr / np.sqrt(ms + epsilon)
        step *= grad
        mom *= momentum
        mom += step
        var -= mom

    return update


def _sparse_centered_rmsprop_update(op, T):
    one = T(1)

    def update(rows, scalars, grad):
        var, mg, ms, mom = rows
        lr, rho, momentum, epsilon = scalars
        ms *= rho
        ms += np.square(grad) * (one - rho)
        mg *= rho
        mg += grad * (one - rho)
        denom = ms - np.square(mg)
        denom += epsilon
        step = lr / np.sqrt(denom)
        step *= grad
        mom *= momentum
        mom += step
        var -= mom

    return update


def _sparse_proximal_gd_update(op, T):
    shrink = _proximal(T)

    def update(rows, scalars, grad):
        (var,) = rows
        lr, l1, l2 = scalars
        prox = var - grad * lr
        var[...] = shrink(prox, lr, l1, l2)

    return update


# Momentum and FTRL take the gradient before some scalars: their kernels reorder.
def _reordering(make_dense, n_cells: int, grad_index: int):
    """Wraps a dense kernel factory for ops whose gradient is not the last input."""

    def make(op, ctx):
        kernel = make_dense(op, ctx)

        def call(*args):
            grad = args[grad_index]
            rest = args[n_cells:grad_index] + args[grad_index + 1 :]
            return kernel(*args[:n_cells], *rest, grad)

        return call

    return make


# -- registrations --------------------------------------------------------------------------
_register(
    "ApplyGradientDescent",
    ["var: Ref(T)", "alpha: T", "delta: T"],
    "vsg",
    _dense_kernel((), ("alpha",), _gd_update),
)
_register(
    "ApplyMomentum",
    ["var: Ref(T)", "accum: Ref(T)", "lr: T", "grad: T", "momentum: T"],
    "vvsgs",
    _reordering(_dense_kernel(("accum",), ("lr", "momentum"), _momentum_update), 2, 3),
    ["use_nesterov: bool = false"],
)
_register(
    "ApplyAdam",
    [
        "var: Ref(T)", "m: Ref(T)", "v: Ref(T)", "beta1_power: T", "beta2_power: T", "lr: T",
        "beta1: T", "beta2: T", "epsilon: T", "grad: T",
    ],
    "vvvssssssg",
    _dense_kernel(
        ("m", "v"),
        ("beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon"),
        _adam_update,
    ),
    ["use_nesterov: bool = false"],
)  # fmt: skip
_register(
    "ApplyAdagrad",
    ["var: Ref(T)", "accum: Ref(T)", "lr: T", "grad: T"],
    "vvsg",
    _dense_kernel(("accum",), ("lr",), _adagrad_update),
    ["update_slots: bool = true"],
)
_register(
    "ApplyAdagradV2",
    ["var: Ref(T)", "accum: Ref(T)", "lr: T", "epsilon: T", "grad: T"],
    "vvssg",
    _dense_kernel(("accum",), ("lr", "epsilon"), _adagrad_v2_update),
    ["update_slots: bool = true"],
)
_register(
    "ApplyAdaMax",
    [
        "var: Ref(T)", "m: Ref(T)", "v: Ref(T)", "beta1_power: T", "lr: T", "beta1: T",
        "beta2: T", "epsilon: T", "grad: T",
    ],
    "vvvsssssg",
    _dense_kernel(("m", "v"), ("beta1_power", "lr", "beta1", "beta2", "epsilon"), _ada_max_update),
)  # fmt: skip
_register(  # (Keras 2's SGD with momentum: TF has the resource op only)
    "ApplyKerasMomentum",
    ["var: Ref(T)", "accum: Ref(T)", "lr: T", "grad: T", "momentum: T"],
    "vvsgs",
    _reordering(_dense_kernel(("accum",), ("lr", "momentum"), _keras_momentum_update), 2, 3),
    ["use_nesterov: bool = false"],
    ref=False,
)
_register(
    "ApplyAdadelta",
    [
        "var: Ref(T)", "accum: Ref(T)", "accum_update: Ref(T)", "lr: T", "rho: T",
        "epsilon: T", "grad: T",
    ],
    "vvvsssg",
    _dense_kernel(("accum", "accum_update"), ("lr", "rho", "epsilon"), _adadelta_update),
)  # fmt: skip
_register(
    "ApplyRMSProp",
    [
        "var: Ref(T)", "ms: Ref(T)", "mom: Ref(T)", "lr: T", "rho: T", "momentum: T",
        "epsilon: T", "grad: T",
    ],
    "vvvssssg",
    _dense_kernel(("ms", "mom"), ("lr", "rho", "momentum", "epsilon"), _rmsprop_update),
)  # fmt: skip
_register(
    "ApplyCenteredRMSProp",
    [
        "var: Ref(T)", "mg: Ref(T)", "ms: Ref(T)", "mom: Ref(T)", "lr: T", "rho: T",
        "momentum: T", "epsilon: T", "grad: T",
    ],
    "vvvvssssg",
    _dense_kernel(
        ("mg", "ms", "mom"), ("lr", "rho", "momentum", "epsilon"), _centered_rmsprop_update
    ),
)  # fmt: skip
_register(
    "ApplyProximalGradientDescent",
    ["var: Ref(T)", "alpha: T", "l1: T", "l2: T", "delta: T"],
    "vsssg",
    _dense_kernel((), ("alpha", "l1", "l2"), _proximal_gd_update),
)
_register(
    "ApplyProximalAdagrad",
    ["var: Ref(T)", "accum: Ref(T)", "lr: T", "l1: T", "l2: T", "grad: T"],
    "vvsssg",
    _dense_kernel(("accum",), ("lr", "l1", "l2"), _proximal_adagrad_update),
)


_FTRL_INPUTS = ["var: Ref(T)", "accum: Ref(T)", "linear: Ref(T)", "grad: T"]
_register(
    "ApplyFtrl",
    [*_FTRL_INPUTS, "lr: T", "l1: T", "l2: T", "lr_power: T"],
    "vvvgssss",
    _reordering(
        _dense_kernel(("accum", "linear"), ("lr", "l1", "l2", "lr_power"), _ftrl_update(False)),
        3,
        3,
    ),
    ["multiply_linear_by_lr: bool = false"],
)
_register(
    "ApplyFtrlV2",
    [*_FTRL_INPUTS, "lr: T", "l1: T", "l2: T", "l2_shrinkage: T", "lr_power: T"],
    "vvvgsssss",
    _reordering(
        _dense_kernel(
            ("accum", "linear"), ("lr", "l1", "l2", "l2_shrinkage", "lr_power"), _ftrl_update(True)
        ),
        3,
        3,
    ),
    ["multiply_linear_by_lr: bool = false"],
)


_register(
    "SparseApplyMomentum",
    ["var: Ref(T)", "accum: Ref(T)", "lr: T", "grad: T", "indices: Tindices", "momentum: T"],
    "vvsGis",
    _sparse_kernel(("accum",), ("lr",), ("momentum",), _sparse_momentum_update),
    ["use_nesterov: bool = false"],
)
_register(
    "SparseApplyAdagrad",
    ["var: Ref(T)", "accum: Ref(T)", "lr: T", "grad: T", "indices: Tindices"],
    "vvsGi",
    _sparse_kernel(("accum",), ("lr",), (), _adagrad_update),
    ["update_slots: bool = true"],
)
_register(
    "SparseApplyAdadelta",
    [
        "var: Ref(T)", "accum: Ref(T)", "accum_update: Ref(T)", "lr: T", "rho: T",
        "epsilon: T", "grad: T", "indices: Tindices",
    ],
    "vvvsssGi",
    _sparse_kernel(
        ("accum", "accum_update"), ("lr", "rho", "epsilon"), (), _adadelta_update
    ),
)  # fmt: skip
_register(
    "SparseApplyRMSProp",
    [
        "var: Ref(T)", "ms: Ref(T)", "mom: Ref(T)", "lr: T", "rho: T", "momentum: T",
        "epsilon: T", "grad: T", "indices: Tindices",
    ],
    "vvvssssGi",
    _sparse_kernel(
        ("ms", "mom"), ("lr", "rho", "momentum", "epsilon"), (), _sparse_rmsprop_update
    ),
)  # fmt: skip
_register(
    "SparseApplyCenteredRMSProp",
    [
        "var: Ref(T)", "mg: Ref(T)", "ms: Ref(T)", "mom: Ref(T)", "lr: T", "rho: T",
        "momentum: T", "epsilon: T", "grad: T", "indices: Tindices",
    ],
    "vvvvssssGi",
    _sparse_kernel(
        ("mg", "ms", "mom"),
        ("lr", "rho", "momentum", "epsilon"),
        (),
        _sparse_centered_rmsprop_update,
    ),
)  # fmt: skip
_register(
    "SparseApplyFtrl",
    [*_FTRL_INPUTS, "indices: Tindices", "lr: T", "l1: T", "l2: T", "lr_power: T"],
    "vvvGissss",
    _sparse_kernel(("accum", "linear"), (), ("lr", "l1", "l2", "lr_power"), _ftrl_update(False)),
    ["multiply_linear_by_lr: bool = false"],
)
_register(
    "SparseApplyFtrlV2",
    [
        *_FTRL_INPUTS, "indices: Tindices", "lr: T", "l1: T", "l2: T", "l2_shrinkage: T",
        "lr_power: T",
    ],
    "vvvGisssss",
    _sparse_kernel(
        ("accum", "linear"),
        (),
        ("lr", "l1", "l2", "l2_shrinkage", "lr_power"),
        _ftrl_update(True),
    ),
    ["multiply_linear_by_lr: bool = false"],
)  # fmt: skip
_register(
    "SparseApplyProximalGradientDescent",
    ["var: Ref(T)", "alpha: T", "l1: T", "l2: T", "grad: T", "indices: Tindices"],
    "vsssGi",
    _sparse_kernel((), ("alpha", "l1", "l2"), (), _sparse_proximal_gd_update),
)
_register(
    "SparseApplyProximalAdagrad",
    ["var: Ref(T)", "accum: Ref(T)", "lr: T", "l1: T", "l2: T", "grad: T", "indices: Tindices"],
    "vvsssGi",
    _sparse_kernel(("accum",), ("lr", "l1", "l2"), (), _proximal_adagrad_update),
)


# -- public wrappers (as TF's generated `gen_training_ops` functions) ---------------------------
def op_of(update):
    """The op of an update: an Apply op's output's op, or a ResourceApply op itself
    (an `Operation`, or what running it eagerly left behind)."""
    return update.op if isinstance(update, Tensor) else update


def _apply(op_type: str, name, inputs, use_locking, **attrs):
    attrs = {k: bool(v) for k, v in attrs.items() if v is not None}
    attrs["use_locking"] = bool(use_locking)
    if getattr(inputs[0], "handle", None) is not None:
        # a resource variable (slots alike): ResourceApply* on the handles, no output
        from tfgraph.ops.apply import apply_op

        op_def = registry.get("Resource" + op_type)
        n_cells = sum(1 for a in op_def.inputs if a.dtype is dtypes.resource)
        handles = [v.handle for v in inputs[:n_cells]]
        return apply_op("Resource" + op_type, name, handles + list(inputs[n_cells:]), attrs)
    return op_output(op_type, name, inputs, attrs)


def apply_gradient_descent(var, alpha, delta, use_locking=False, name=None):
    """var -= alpha * delta."""
    return _apply("ApplyGradientDescent", name, [var, alpha, delta], use_locking)


def apply_momentum(
    var, accum, lr, grad, momentum, use_locking=False, use_nesterov=False, name=None
):
    """accum = accum * momentum + grad; var -= lr * accum (Nesterov: as TF's kernel)."""
    return _apply(
        "ApplyMomentum", name, [var, accum, lr, grad, momentum], use_locking,
        use_nesterov=use_nesterov,
    )  # fmt: skip


def apply_adam(
    var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad,
    use_locking=False, use_nesterov=False, name=None,
):  # fmt: skip
    """Adam: m, v moving moments; var -= lr_t * m / (sqrt(v) + epsilon)."""
    return _apply(
        "ApplyAdam", name, [var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad],
        use_locking, use_nesterov=use_nesterov,
    )  # fmt: skip


def apply_adagrad(var, accum, lr, grad, use_locking=False, update_slots=True, name=None):
    """accum += grad^2; var -= lr * grad / sqrt(accum)."""
    return _apply(
        "ApplyAdagrad", name, [var, accum, lr, grad], use_locking, update_slots=update_slots
    )


def apply_adagrad_v2(
    var, accum, lr, epsilon, grad, use_locking=False, update_slots=True, name=None
):
    """accum += grad^2; var -= lr * grad / (sqrt(accum) + epsilon)."""
    return _apply(
        "ApplyAdagradV2", name, [var, accum, lr, epsilon, grad], use_locking,
        update_slots=update_slots,
    )  # fmt: skip


def apply_ada_max(
    var, m, v, beta1_power, lr, beta1, beta2, epsilon, grad, use_locking=False, name=None
):
    """AdaMax: m moving mean, v decaying maximum of |grad|; var -= lr / (1 - beta1_power)
    * m / (v + epsilon)."""
    return _apply(
        "ApplyAdaMax", name, [var, m, v, beta1_power, lr, beta1, beta2, epsilon, grad],
        use_locking,
    )  # fmt: skip


def resource_apply_keras_momentum(
    var, accum, lr, grad, momentum, use_locking=False, use_nesterov=False, name=None
):
    """Keras's momentum on resource variables: accum = accum * momentum - lr * grad;
    var += accum (Nesterov: var += accum * momentum - lr * grad)."""
    return _apply(
        "ApplyKerasMomentum", name, [var, accum, lr, grad, momentum], use_locking,
        use_nesterov=use_nesterov,
    )  # fmt: skip


def apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, use_locking=False, name=None):
    """Adadelta (Zeiler 2012), scaled by lr."""
    return _apply(
        "ApplyAdadelta", name, [var, accum, accum_update, lr, rho, epsilon, grad], use_locking
    )


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False, name=None):
    """RMSProp with momentum."""
    return _apply(
        "ApplyRMSProp", name, [var, ms, mom, lr, rho, momentum, epsilon, grad], use_locking
    )


def apply_centered_rms_prop(
    var, mg, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False, name=None
):
    """Centered RMSProp (normalizes by the estimated variance)."""
    return _apply(
        "ApplyCenteredRMSProp", name, [var, mg, ms, mom, lr, rho, momentum, epsilon, grad],
        use_locking,
    )  # fmt: skip


def apply_ftrl(
    var, accum, linear, grad, lr, l1, l2, lr_power, use_locking=False,
    multiply_linear_by_lr=False, name=None,
):  # fmt: skip
    """FTRL-proximal."""
    return _apply(
        "ApplyFtrl", name, [var, accum, linear, grad, lr, l1, l2, lr_power], use_locking,
        multiply_linear_by_lr=multiply_linear_by_lr,
    )  # fmt: skip


def apply_ftrl_v2(
    var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power, use_locking=False,
    multiply_linear_by_lr=False, name=None,
):  # fmt: skip
    """FTRL-proximal with L2 shrinkage."""
    return _apply(
        "ApplyFtrlV2", name, [var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power],
        use_locking, multiply_linear_by_lr=multiply_linear_by_lr,
    )  # fmt: skip


def apply_proximal_gradient_descent(var, alpha, l1, l2, delta, use_locking=False, name=None):
    """FOBOS with a fixed learning rate."""
    return _apply("ApplyProximalGradientDescent", name, [var, alpha, l1, l2, delta], use_locking)


def apply_proximal_adagrad(var, accum, lr, l1, l2, grad, use_locking=False, name=None):
    """FOBOS with Adagrad learning rates."""
    return _apply("ApplyProximalAdagrad", name, [var, accum, lr, l1, l2, grad], use_locking)


def sparse_apply_momentum(
    var, accum, lr, grad, indices, momentum, use_locking=False, use_nesterov=False, name=None
):
    return _apply(
        "SparseApplyMomentum", name, [var, accum, lr, grad, indices, momentum], use_locking,
        use_nesterov=use_nesterov,
    )  # fmt: skip


def sparse_apply_adagrad(
    var, accum, lr, grad, indices, use_locking=False, update_slots=True, name=None
):
    return _apply(
        "SparseApplyAdagrad", name, [var, accum, lr, grad, indices], use_locking,
        update_slots=update_slots,
    )  # fmt: skip


def sparse_apply_adadelta(
    var, accum, accum_update, lr, rho, epsilon, grad, indices, use_locking=False, name=None
):
    return _apply(
        "SparseApplyAdadelta", name, [var, accum, accum_update, lr, rho, epsilon, grad, indices],
        use_locking,
    )  # fmt: skip


def sparse_apply_rms_prop(
    var, ms, mom, lr, rho, momentum, epsilon, grad, indices, use_locking=False, name=None
):
    return _apply(
        "SparseApplyRMSProp", name, [var, ms, mom, lr, rho, momentum, epsilon, grad, indices],
        use_locking,
    )  # fmt: skip


def sparse_apply_centered_rms_prop(
    var, mg, ms, mom, lr, rho, momentum, epsilon, grad, indices, use_locking=False, name=None
):
    return _apply(
        "SparseApplyCenteredRMSProp", name,
        [var, mg, ms, mom, lr, rho, momentum, epsilon, grad, indices], use_locking,
    )  # fmt: skip


def sparse_apply_ftrl(
    var, accum, linear, grad, indices, lr, l1, l2, lr_power, use_locking=False,
    multiply_linear_by_lr=False, name=None,
):  # fmt: skip
    return _apply(
        "SparseApplyFtrl", name, [var, accum, linear, grad, indices, lr, l1, l2, lr_power],
        use_locking, multiply_linear_by_lr=multiply_linear_by_lr,
    )  # fmt: skip


def sparse_apply_ftrl_v2(
    var, accum, linear, grad, indices, lr, l1, l2, l2_shrinkage, lr_power, use_locking=False,
    multiply_linear_by_lr=False, name=None,
):  # fmt: skip
    return _apply(
        "SparseApplyFtrlV2", name,
        [var, accum, linear, grad, indices, lr, l1, l2, l2_shrinkage, lr_power], use_locking,
        multiply_linear_by_lr=multiply_linear_by_lr,
    )  # fmt: skip


def sparse_apply_proximal_gradient_descent(
    var, alpha, l1, l2, grad, indices, use_locking=False, name=None
):
    return _apply(
        "SparseApplyProximalGradientDescent", name, [var, alpha, l1, l2, grad, indices],
        use_locking,
    )  # fmt: skip


def sparse_apply_proximal_adagrad(
    var, accum, lr, l1, l2, grad, indices, use_locking=False, name=None
):
    return _apply(
        "SparseApplyProximalAdagrad", name, [var, accum, lr, l1, l2, grad, indices], use_locking
    )

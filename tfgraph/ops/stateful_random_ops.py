"""Stateful random ops over an RNG-state resource variable (TF2's `tf.random.Generator`).

The state is an int64 variable: for Philox (algorithm 1, and 3 "auto-select", which is
Philox on CPU) three words, the 128-bit counter (low word first) and then the key. Each
op reads the state, draws as the stateless V2 ops do from that key and counter, and
moves the counter on by 256 per output (RngReadAndSkip, RngSkip: by 256 * delta), with
TF's `PhiloxRandom::Skip` arithmetic (the 64-bit step is added in 32-bit words; a
carry out of the second word is lost when that word of the step is all ones). The
values are TF's bit for bit (normals within TF's 1-2 ulp of Box-Muller, as the stateless
ops). ThreeFry (algorithm 2) is rejected as TF's CPU kernels reject it.

RngReadAndSkip returns the state before the skip: `Generator` feeds its counter and key
to StatelessRandomUniformV2 and friends, which is how TF 2.21's Generator draws.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import stateless_random_ops as srop
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.common_shapes import constant_value_as_shape
from tfgraph.ops.resource_variable_ops import _missing

__all__ = [
    "non_deterministic_ints",
    "rng_read_and_skip",
    "rng_skip",
    "stateful_random_binomial",
    "stateful_standard_normal_v2",
    "stateful_truncated_normal",
    "stateful_uniform",
    "stateful_uniform_full_int",
    "stateful_uniform_int",
]

_M32 = 0xFFFFFFFF
_M64 = (1 << 64) - 1
_PHILOX, _THREEFRY, _AUTO = 1, 2, 3
_STEP = 256  # (counter steps reserved per output, as TF's stateful kernels do)


def philox_skip(c0: int, c1: int, count: int) -> tuple[int, int]:
    """TF's PhiloxRandom::Skip on the 128-bit counter (c0 low, c1 high; unsigned words):
    `count` is added in 32-bit words, as TF does."""
    words = [c0 & _M32, c0 >> 32, c1 & _M32, c1 >> 32]
    count_lo, count_hi = count & _M32, (count >> 32) & _M32
    words[0] = (words[0] + count_lo) & _M32
    if words[0] < count_lo:
        count_hi = (count_hi + 1) & _M32
    words[1] = (words[1] + count_hi) & _M32
    if words[1] < count_hi:
        words[2] = (words[2] + 1) & _M32
        if words[2] == 0:
            words[3] = (words[3] + 1) & _M32
    return words[0] | (words[1] << 32), words[2] | (words[3] << 32)


def _check_alg(op, alg: int) -> None:
    if alg == _THREEFRY:
        raise errors.UnimplementedError(
            None, op, "Non-XLA devices don't support the ThreeFry algorithm."
        )
    if alg not in (_PHILOX, _AUTO):
        raise errors.InvalidArgumentError(None, op, f"Unsupported algorithm id: {alg}")


def _read_and_skip(op, handle, alg, delta: int) -> tuple[np.ndarray, tuple[int, int], int]:
    """Checks the state variable, moves its counter on by `delta` (TF's Skip) and
    returns (old state, Philox key, old 128-bit counter)."""
    alg = int(alg)
    _check_alg(op, alg)
    cell = handle.cell
    with cell.lock:
        state = cell.value
        if state is None:
            raise _missing(handle)
        if state.dtype != np.int64:
            raise errors.InvalidArgumentError(
                None,
                op,
                "dtype of RNG state variable must be int64, not "
                f"{dtypes.as_dtype(state.dtype).name}",
            )
        if state.ndim != 1 or state.shape[0] < 3:
            size = state.shape[0] if state.ndim == 1 else state.size
            raise errors.InvalidArgumentError(
                None,
                op,
                f"For the Philox algorithm, the size of state must be at least 3; got {size}",
            )
        words = [int(v) & _M64 for v in state[:3].tolist()]
        c0, c1 = philox_skip(words[0], words[1], delta & _M64)
        new = np.array(state, np.int64, copy=True)
        new[:2] = np.array([c0, c1], np.uint64).view(np.int64)
        cell.own(new)
    key = (words[2] & _M32, words[2] >> 32)
    return state, key, words[0] | (words[1] << 64)


# -- RngReadAndSkip, RngSkip ----------------------------------------------------------------
def _read_and_skip_kernel(op, ctx):
    def kernel(handle, alg, delta):
        state, _, _ = _read_and_skip(op, handle, alg, int(delta) * _STEP)
        return np.array(state[:3], np.int64, copy=True)

    return kernel


register_op(
    "RngReadAndSkip",
    inputs=["resource: resource", "alg: int32", "delta: uint64"],
    outputs=["value: int64"],
    shape=lambda op: [TensorShape([3])],
    make_kernel=_read_and_skip_kernel,
    stateful=True,
)


def _skip_kernel(op, ctx):
    def kernel(handle, alg, delta):
        _read_and_skip(op, handle, alg, int(delta) * _STEP)

    return kernel


register_op(
    "RngSkip",
    inputs=["resource: resource", "algorithm: int64", "delta: int64"],
    outputs=[],
    shape=lambda op: [],
    make_kernel=_skip_kernel,
    stateful=True,
)


# -- the stateful draws ----------------------------------------------------------------------
def _draw_shape(op):
    return [constant_value_as_shape(op._inputs[2])]


def _draw_kernel(fill):
    def make(op, ctx):
        dtype = op._attrs["dtype"]

        def kernel(handle, alg, shape):
            dims = srop._dims(op, shape)
            n = int(np.prod(dims))
            _, key, counter = _read_and_skip(op, handle, alg, n * _STEP)
            return srop._as_dtype(fill(key, counter, n, dtype).reshape(dims), dtype)

        return kernel

    return make


_RESOURCE_ALG_SHAPE = ["resource: resource", "algorithm: int64", "shape: shape_dtype"]
for _type, _fill, _default in (
    ("StatefulUniform", srop._uniform, "float"),
    ("StatefulStandardNormalV2", srop._normal, "float"),
    ("StatefulTruncatedNormal", srop._truncated_normal, "float"),
    ("StatefulUniformFullInt", srop._full_ints, "uint64"),
):
    register_op(
        _type,
        inputs=_RESOURCE_ALG_SHAPE,
        outputs=["output: dtype"],
        attrs=[f"dtype: type = {_default}", "shape_dtype: type = int64"],
        shape=_draw_shape,
        make_kernel=_draw_kernel(_fill),
        stateful=True,
    )


def _uniform_int_kernel(op, ctx):
    dtype = op._attrs["dtype"]

    def kernel(handle, alg, shape, lo, hi):
        dims = srop._dims(op, shape)
        n = int(np.prod(dims))
        for value, what in ((lo, "minval"), (hi, "maxval")):
            if np.ndim(value) != 0:
                raise errors.InvalidArgumentError(
                    None, op, f"{what} must be 0-D, got shape {list(np.shape(value))}"
                )
        if n and int(lo) >= int(hi):
            raise errors.InvalidArgumentError(
                None, op, f"Need minval < maxval, got {int(lo)} >= {int(hi)}"
            )
        _, key, counter = _read_and_skip(op, handle, alg, n * _STEP)
        if n == 0:
            return np.zeros(dims, dtype.np_dtype)
        return srop._bounded_ints(key, counter, n, dtype, int(lo), int(hi)).reshape(dims)

    return kernel


register_op(
    "StatefulUniformInt",
    inputs=[*_RESOURCE_ALG_SHAPE, "minval: dtype", "maxval: dtype"],
    outputs=["output: dtype"],
    attrs=["dtype: type = int64", "shape_dtype: type = int64"],
    shape=_draw_shape,
    make_kernel=_uniform_int_kernel,
    stateful=True,
)


# -- StatefulRandomBinomial -----------------------------------------------------------------
def _binomial_skip(dims: tuple, counts, probs) -> int:
    """TF's reservation: 100 * 2 samples per batch entry per 4 outputs (rounded up)."""
    batches = int(np.prod(np.broadcast_shapes(np.shape(counts), np.shape(probs))))
    n = int(np.prod(dims))
    per_batch = n // max(batches, 1)
    return batches * 2 * 100 * (per_batch + 3) // 4


def _binomial_kernel(op, ctx):
    dtype = op._attrs["dtype"]

    def kernel(handle, alg, shape, counts, probs):
        dims = srop._dims(op, shape)
        try:
            delta = _binomial_skip(dims, counts, probs)
        except ValueError:
            delta = 0  # (binomial_draws reports the incompatible batch shapes)
        _, key, counter = _read_and_skip(op, handle, alg, delta * _STEP)
        return srop.binomial_draws(op, key, counter, dims, counts, probs, dtype)

    return kernel


_BINOMIAL_TYPES = "{half, float, double, int32, int64}"
register_op(
    "StatefulRandomBinomial",
    inputs=[*_RESOURCE_ALG_SHAPE[:2], "shape: S", "counts: T", "probs: T"],
    outputs=["output: dtype"],
    attrs=[
        "S: {int32, int64}",
        f"T: {_BINOMIAL_TYPES} = double",
        f"dtype: {_BINOMIAL_TYPES} = int64",
    ],
    shape=lambda op: [constant_value_as_shape(op._inputs[2])],
    make_kernel=_binomial_kernel,
    stateful=True,
)


# -- NonDeterministicInts --------------------------------------------------------------------
def _non_deterministic_kernel(op, ctx):
    np_dtype = op._attrs["dtype"].np_dtype

    def kernel(shape):
        dims = srop._dims(op, shape)
        n = int(np.prod(dims))
        words = np.random.SeedSequence().generate_state(max(n, 1) * 2, np.uint32)
        bits = words.view(np.uint64)[:n]
        return bits.astype(np.uint64).view(np.int64).astype(np_dtype).reshape(dims)

    return kernel


register_op(
    "NonDeterministicInts",
    inputs=["shape: shape_dtype"],
    outputs=["output: dtype"],
    attrs=["dtype: type = int64", "shape_dtype: type = int64"],
    shape=lambda op: [constant_value_as_shape(op._inputs[0])],
    make_kernel=_non_deterministic_kernel,
    stateful=True,
)


# -- raw op wrappers (tf.raw_ops style) -------------------------------------------------------
def _int(value, dtype, name):
    from tfgraph.framework.convert import convert_to_tensor

    return convert_to_tensor(value, dtype=dtype, name=name)


def rng_read_and_skip(resource, alg, delta, name=None):
    """The RNG state before moving its counter on by 256 * `delta` (int64 [3])."""
    return op_output(
        "RngReadAndSkip",
        name,
        [resource, _int(alg, dtypes.int32, "alg"), _int(delta, dtypes.uint64, "delta")],
    )


def rng_skip(resource, algorithm, delta, name=None):
    """Moves the RNG state's counter on by 256 * `delta` (an op with no outputs)."""
    return apply_op(
        "RngSkip",
        name,
        [resource, _int(algorithm, dtypes.int64, "algorithm"), _int(delta, dtypes.int64, "delta")],
    )


def _stateful(op_type, resource, algorithm, shape, dtype, name, extra=()):
    attrs = {"dtype": dtypes.as_dtype(dtype)} if dtype is not None else {}
    return op_output(
        op_type, name, [resource, _int(algorithm, dtypes.int64, "algorithm"), shape, *extra], attrs
    )


def stateful_uniform(resource, algorithm, shape, dtype=dtypes.float32, name=None):
    """Uniform [0, 1) floats drawn from (and advancing) an RNG state variable."""
    return _stateful("StatefulUniform", resource, algorithm, shape, dtype, name)


def stateful_standard_normal_v2(resource, algorithm, shape, dtype=dtypes.float32, name=None):
    """Standard normal floats drawn from (and advancing) an RNG state variable."""
    return _stateful("StatefulStandardNormalV2", resource, algorithm, shape, dtype, name)


def stateful_truncated_normal(resource, algorithm, shape, dtype=dtypes.float32, name=None):
    """Truncated (|x| < 2) standard normal floats drawn from an RNG state variable."""
    return _stateful("StatefulTruncatedNormal", resource, algorithm, shape, dtype, name)


def stateful_uniform_full_int(resource, algorithm, shape, dtype=dtypes.uint64, name=None):
    """Integers over the dtype's whole range drawn from an RNG state variable."""
    return _stateful("StatefulUniformFullInt", resource, algorithm, shape, dtype, name)


def stateful_uniform_int(resource, algorithm, shape, minval, maxval, name=None):
    """Integers in [minval, maxval) drawn from an RNG state variable."""
    from tfgraph.framework.convert import convert_to_tensor

    minval = convert_to_tensor(minval, name="minval")
    maxval = convert_to_tensor(maxval, dtype=minval.dtype, name="maxval")
    return _stateful("StatefulUniformInt", resource, algorithm, shape, None, name, (minval, maxval))


def stateful_random_binomial(
    resource, algorithm, shape, counts, probs, dtype=dtypes.int64, name=None
):
    """Binomial(counts, probs) draws from (and advancing) an RNG state variable."""
    from tfgraph.framework.convert import convert_to_tensor

    counts = convert_to_tensor(counts, name="counts")
    probs = convert_to_tensor(probs, dtype=counts.dtype, name="probs")
    return _stateful(
        "StatefulRandomBinomial", resource, algorithm, shape, dtype, name, (counts, probs)
    )


def non_deterministic_ints(shape, dtype=dtypes.int64, name=None):
    """Integers from the operating system's entropy (different on every run)."""
    return op_output("NonDeterministicInts", name, [shape], {"dtype": dtypes.as_dtype(dtype)})

"""Stateless random ops: values that are a pure function of a shape-[2] seed.

TF 2.21's `tf.random.stateless_*` functions turn the seed into a Philox key and counter
(StatelessRandomGetKeyCounter: one Philox4x32-10 block of the seed under a fixed key)
and draw from the V2 ops (StatelessRandomUniformV2, ...), whose kernels fill their output
as the stateful ops do from a counter at the start of its stream. The values are TF's:
tfgraph/ops/philox.py is the generator and the conversions (uniform floats and ints bit
for bit, normal and truncated normal within 1-2 ulp). The seed-taking V1 ops
(StatelessRandomUniform, ...) are registered too, so GraphDefs that hold them run.
Poisson, binomial and gamma draws are TF's bit for bit at any size (each output has
its own counters); StatelessMultinomial and StatelessParameterizedTruncatedNormal split
their work across threads as TF's CPU pool does in a session (TF may fold an op with
constant inputs in one piece instead, drawing other values for large outputs).

RandomIndexShuffle (index_shuffle) is TF's cycle-walking Simon cipher, create_rng_state
TF's state-making graph. The public functions build TF's graphs with TF's names, e.g.
`stateless_random_uniform/StatelessRandomGetKeyCounter/seed`,
`.../StatelessRandomGetKeyCounter`, `.../StatelessRandomUniformV2/alg`,
`.../StatelessRandomUniformV2`, `.../sub`, `.../mul` and the `stateless_random_uniform` AddV2.
"""

from __future__ import annotations

import enum

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import philox
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import constant_value_as_shape
from tfgraph.ops.random_ops import parallel_blocks

__all__ = [
    "Algorithm",
    "binomial_draws",
    "create_rng_state",
    "fold_in",
    "index_shuffle",
    "poisson_draws",
    "split",
    "stateless_binomial",
    "stateless_categorical",
    "stateless_gamma",
    "stateless_multinomial",
    "stateless_normal",
    "stateless_parameterized_truncated_normal",
    "stateless_poisson",
    "stateless_shuffle",
    "stateless_truncated_normal",
    "stateless_uniform",
]

_MASK64 = (1 << 64) - 1
_SCRAMBLE_KEY = (0x3EC8F720, 0x02461E29)  # (TF's fixed key for scrambling seeds)


class Algorithm(enum.Enum):
    """A random-number-generation algorithm (`tf.random.Algorithm`): PHILOX, THREEFRY,
    or AUTO_SELECT (Philox on CPU)."""

    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


# -- seeds, keys and counters ---------------------------------------------------------------
def _seed_key_counter(op, seed) -> tuple[tuple[int, int], int]:
    """TF's GenerateKey: the Philox key and 128-bit counter for a shape-[2] seed."""
    seed = np.asarray(seed)
    if seed.shape != (2,):
        raise errors.InvalidArgumentError(
            None, op, f"seed must have shape [2], not {list(seed.shape)}"
        )
    s0, s1 = (int(v) & _MASK64 for v in seed.tolist())
    mix = [int(v) for v in philox.blocks(_SCRAMBLE_KEY, s0 | (s1 << 64), 1)[0]]
    return (mix[0], mix[1]), (mix[2] | (mix[3] << 32)) << 64


def _key_counter_from_inputs(op, key, counter, alg) -> tuple[tuple[int, int], int]:
    """The Philox key and counter of a V2 op's key/counter/alg inputs."""
    key, counter, alg = np.asarray(key), np.asarray(counter), int(alg)
    if key.shape != (1,):
        raise errors.InvalidArgumentError(
            None,
            op,
            f"key must have shape [1], not {list(key.shape)}. (Note that batched keys are "
            "not supported yet.)",
        )
    # (TF: Philox and auto-select need a counter of 2 words; other ids as many words as
    # the id's value, then fail as unsupported on CPU)
    need = 2 if alg in (1, 3) else alg
    if counter.ndim != 1 or counter.shape[0] < need:
        raise errors.InvalidArgumentError(
            None,
            op,
            f"counter must be a vector with length at least {need}; got shape: "
            f"{list(counter.shape)}. (Note that batched counters are not supported yet.)",
        )
    if alg not in (1, 3):
        raise errors.InvalidArgumentError(None, op, f"Unsupported algorithm id: {alg}")
    k = int(key[0])
    c0, c1 = (int(v) for v in counter[:2].tolist())
    return (k & 0xFFFFFFFF, k >> 32), (c0 & _MASK64) | ((c1 & _MASK64) << 64)


def _dims(op, shape) -> tuple:
    dims = tuple(int(d) for d in np.reshape(shape, -1))
    for d in dims:
        if d < 0:
            raise errors.InvalidArgumentError(None, op, f"Dimension {d} must be >= 0")
    return dims


def _check_vector(op, index: int, what: str, size: int | None) -> None:
    dims = op._inputs[index]._shape._dims
    if dims is None:
        return
    if len(dims) != 1:
        raise ValueError(
            f"Shape must be rank 1 but is rank {len(dims)} for '{op.name}' (op: "
            f"'{op.type}') ({what})"
        )
    if size is not None and dims[0] is not None and dims[0] != size:
        raise ValueError(
            f"Dimension must be {size} but is {dims[0]} for '{op.name}' (op: '{op.type}') ({what})"
        )


def _key_counter_shape(op):
    _check_vector(op, 0, "seed", 2)
    return [TensorShape([1]), TensorShape([2])]


def _key_counter_kernel(op, ctx):
    def kernel(seed):
        key, counter = _seed_key_counter(op, seed)
        packed_key = np.array([key[0] | (key[1] << 32)], np.uint64)
        return packed_key, np.array([counter & _MASK64, counter >> 64], np.uint64)

    return kernel


register_op(
    "StatelessRandomGetKeyCounter",
    inputs=["seed: Tseed"],
    outputs=["key: uint64", "counter: uint64"],
    attrs=["Tseed: {int32, int64} = int64"],
    shape=_key_counter_shape,
    make_kernel=_key_counter_kernel,
)


def _key_counter_alg_shape(op):
    _check_vector(op, 0, "seed", 2)
    return [TensorShape([1]), TensorShape([2]), TensorShape([])]


def _key_counter_alg_kernel(op, ctx):
    key_counter = _key_counter_kernel(op, ctx)

    def kernel(seed):
        return (*key_counter(seed), np.array(1, np.int32))  # (Philox on CPU)

    return kernel


register_op(
    "StatelessRandomGetKeyCounterAlg",
    inputs=["seed: Tseed"],
    outputs=["key: uint64", "counter: uint64", "alg: int32"],
    attrs=["Tseed: {int32, int64} = int64"],
    shape=_key_counter_alg_shape,
    make_kernel=_key_counter_alg_kernel,
)
register_op(
    "StatelessRandomGetAlg",
    outputs=["alg: int32"],
    shape=lambda op: [TensorShape([])],
    kernel=lambda: np.array(1, np.int32),  # (the device's algorithm: Philox on CPU)
    stateful=True,
)


# -- draws ----------------------------------------------------------------------------------
def _as_dtype(values: np.ndarray, dtype: dtypes.DType) -> np.ndarray:
    from tfgraph.ops.random_ops import _as_float

    return _as_float(values, dtype)


def _uniform(key, counter, n, dtype):
    from tfgraph.ops.random_ops import _uniform_fill

    return _uniform_fill(key, counter, n, dtype)


def _normal(key, counter, n, dtype):
    from tfgraph.ops.random_ops import _normal_fill

    return _normal_fill(key, counter, n, dtype)


def _truncated_normal(key, counter, n, dtype):
    from tfgraph.ops.random_ops import _truncated_normal_fill

    return _truncated_normal_fill(key, counter, n, dtype)


def _int_words(key, counter: int, n: int, wide: bool) -> np.ndarray:
    """n random words, 32-bit (one sample each) or 64-bit (two samples, low first)."""
    if wide:
        b = philox.blocks(key, counter, -(-n // 2)).astype(np.uint64)
        words = b[:, 0::2] | (b[:, 1::2] << np.uint64(32))
        return words.reshape(-1)[:n]
    return philox.blocks(key, counter, -(-n // 4)).reshape(-1)[:n]


def _unsigned(np_dtype) -> type:
    return np.uint64 if np.dtype(np_dtype).itemsize == 8 else np.uint32


def _full_ints(key, counter, n, dtype):
    np_dtype = dtype.np_dtype
    return _int_words(key, counter, n, np.dtype(np_dtype).itemsize == 8).view(np_dtype)


def _bounded_ints(key, counter, n, dtype, lo, hi):
    """lo + (random word % (hi - lo)) in the dtype's unsigned arithmetic (TF's
    UniformDistribution for integers)."""
    np_dtype = np.dtype(dtype.np_dtype)
    wide = np_dtype.itemsize == 8
    mask = _MASK64 if wide else 0xFFFFFFFF
    span = np.uint64((hi - lo) & mask)
    words = _int_words(key, counter, n, wide).astype(np.uint64)
    with np.errstate(over="ignore"):
        vals = (words % span + np.uint64(lo & mask)) & np.uint64(mask)
    return vals.astype(_unsigned(np_dtype)).view(np_dtype)


def _shape_from_input(op):
    return [constant_value_as_shape(op._inputs[0])]


def _v2_shape(op):
    _check_vector(op, 1, "key", 1)
    _check_vector(op, 2, "counter", None)
    return _shape_from_input(op)


def _v2_kernel(fill):
    def make(op, ctx):
        dtype = op._attrs["dtype"]

        def kernel(shape, key, counter, alg):
            dims = _dims(op, shape)
            k, c = _key_counter_from_inputs(op, key, counter, alg)
            n = int(np.prod(dims))
            return _as_dtype(fill(k, c, n, dtype).reshape(dims), dtype)

        return kernel

    return make


def _v1_kernel(fill):
    def make(op, ctx):
        dtype = op._attrs["dtype"]

        def kernel(shape, seed):
            dims = _dims(op, shape)
            k, c = _seed_key_counter(op, seed)
            n = int(np.prod(dims))
            return _as_dtype(fill(k, c, n, dtype).reshape(dims), dtype)

        return kernel

    return make


def _v1_shape(op):
    _check_vector(op, 1, "seed", 2)
    return _shape_from_input(op)


_V2_INPUTS = ["shape: Tshape", "key: uint64", "counter: uint64", "alg: int32"]
_FLOATS = "dtype: {half, bfloat16, float, double} = float"
_INTS = "{int32, int64, uint32, uint64}"

for _v2, _v1, _fill in (
    ("StatelessRandomUniformV2", "StatelessRandomUniform", _uniform),
    ("StatelessRandomNormalV2", "StatelessRandomNormal", _normal),
    ("StatelessTruncatedNormalV2", "StatelessTruncatedNormal", _truncated_normal),
):
    register_op(
        _v2,
        inputs=_V2_INPUTS,
        outputs=["output: dtype"],
        attrs=[_FLOATS, "Tshape: {int32, int64} = int32"],
        shape=_v2_shape,
        make_kernel=_v2_kernel(_fill),
        grad=NOT_DIFFERENTIABLE,
    )
    register_op(
        _v1,
        inputs=["shape: T", "seed: Tseed"],
        outputs=["output: dtype"],
        attrs=[_FLOATS, "T: {int32, int64} = int32", "Tseed: {int32, int64} = int64"],
        shape=_v1_shape,
        make_kernel=_v1_kernel(_fill),
        grad=NOT_DIFFERENTIABLE,
    )

register_op(
    "StatelessRandomUniformFullIntV2",
    inputs=_V2_INPUTS,
    outputs=["output: dtype"],
    attrs=[f"dtype: {_INTS} = uint64", "Tshape: {int32, int64} = int32"],
    shape=_v2_shape,
    make_kernel=_v2_kernel(_full_ints),
    grad=NOT_DIFFERENTIABLE,
)
register_op(
    "StatelessRandomUniformFullInt",
    inputs=["shape: T", "seed: Tseed"],
    outputs=["output: dtype"],
    attrs=[
        f"dtype: {_INTS} = uint64",
        "T: {int32, int64} = int32",
        f"Tseed: {_INTS} = int64",
    ],
    shape=_v1_shape,
    make_kernel=_v1_kernel(_full_ints),
    grad=NOT_DIFFERENTIABLE,
)


def _check_scalar(op, index: int, what: str) -> None:
    dims = op._inputs[index]._shape._dims
    if dims is not None and len(dims) != 0:
        raise ValueError(
            f"{what} must be a scalar; got a tensor of shape {list(dims)} for '{op.name}' "
            f"(op: '{op.type}')"
        )


def _int_v2_shape(op):
    _check_scalar(op, 4, "minval")
    _check_scalar(op, 5, "maxval")
    return _v2_shape(op)


def _int_v1_shape(op):
    _check_scalar(op, 2, "minval")
    _check_scalar(op, 3, "maxval")
    return _v1_shape(op)


def _bounded_draw(op, dtype, dims, k, c, lo, hi) -> np.ndarray:
    for value, what in ((lo, "minval"), (hi, "maxval")):
        if np.ndim(value) != 0:
            raise errors.InvalidArgumentError(
                None, op, f"{what} must be 0-D, got shape {list(np.shape(value))}"
            )
    n = int(np.prod(dims))
    if n == 0:
        return np.zeros(dims, dtype.np_dtype)
    lo, hi = int(lo), int(hi)
    if lo >= hi:
        raise errors.InvalidArgumentError(None, op, f"Need minval < maxval, got {lo} >= {hi}")
    return _bounded_ints(k, c, n, dtype, lo, hi).reshape(dims)


def _int_v2_kernel(op, ctx):
    dtype = op._attrs["dtype"]

    def kernel(shape, key, counter, alg, lo, hi):
        dims = _dims(op, shape)
        k, c = _key_counter_from_inputs(op, key, counter, alg)
        return _bounded_draw(op, dtype, dims, k, c, lo, hi)

    return kernel


def _int_v1_kernel(op, ctx):
    dtype = op._attrs["dtype"]

    def kernel(shape, seed, lo, hi):
        dims = _dims(op, shape)
        k, c = _seed_key_counter(op, seed)
        return _bounded_draw(op, dtype, dims, k, c, lo, hi)

    return kernel


register_op(
    "StatelessRandomUniformIntV2",
    inputs=[*_V2_INPUTS, "minval: dtype", "maxval: dtype"],
    outputs=["output: dtype"],
    attrs=[f"dtype: {_INTS}", "Tshape: {int32, int64} = int32"],
    shape=_int_v2_shape,
    make_kernel=_int_v2_kernel,
    grad=NOT_DIFFERENTIABLE,
)
register_op(
    "StatelessRandomUniformInt",
    inputs=["shape: T", "seed: Tseed", "minval: dtype", "maxval: dtype"],
    outputs=["output: dtype"],
    attrs=["dtype: {int32, int64}", "T: {int32, int64}", "Tseed: {int32, int64} = int64"],
    shape=_int_v1_shape,
    make_kernel=_int_v1_kernel,
    grad=NOT_DIFFERENTIABLE,
)


# -- StatelessMultinomial -------------------------------------------------------------------
def _multinomial_shape(op):
    logits = op._inputs[0]._shape._dims
    if logits is not None and len(logits) != 2:
        raise ValueError(
            f"Shape must be rank 2 but is rank {len(logits)} for '{op.name}' (op: "
            "'StatelessMultinomial')"
        )
    _check_vector(op, 2, "seed", 2)
    from tfgraph.ops.common_shapes import constant_value

    num = constant_value(op._inputs[1])
    batch = None if logits is None else logits[0]
    return [TensorShape._from_tuple((batch, None if num is None else int(num)))]


def _multinomial_kernel(op, ctx):
    from tfgraph.ops.random_ops import multinomial_draws

    np_dtype = op._attrs["output_dtype"].np_dtype

    def kernel(logits, num_samples, seed):
        logits = np.asarray(logits)
        n = int(num_samples)
        if logits.shape[1] <= 0:
            raise errors.InvalidArgumentError(
                None, op, f"num_classes should be positive, got {logits.shape[1]}"
            )
        if n < 0:
            raise errors.InvalidArgumentError(
                None, op, f"num_samples should be non-negative, got {n}"
            )
        key, counter = _seed_key_counter(op, seed)
        return multinomial_draws(key, counter, logits, n, np_dtype)

    return kernel


register_op(
    "StatelessMultinomial",
    inputs=["logits: T", "num_samples: int32", "seed: Tseed"],
    outputs=["output: output_dtype"],
    attrs=[
        "T: realnumbertype",
        "Tseed: {int32, int64} = int64",
        "output_dtype: {int32, int64} = int64",
    ],
    shape=_multinomial_shape,
    make_kernel=_multinomial_kernel,
    grad=NOT_DIFFERENTIABLE,
)


# -- public functions -----------------------------------------------------------------------
def _alg_to_int(alg):
    """TF's convert_alg_to_int: an int, an Algorithm, a tensor or a name."""
    if isinstance(alg, int):
        return alg
    if isinstance(alg, Algorithm):
        return alg.value
    if isinstance(alg, Tensor):
        return alg
    if isinstance(alg, str):
        canon = alg.strip().lower().replace("-", "").replace("_", "")
        names = {"philox": 1, "threefry": 2, "autoselect": 3}
        if canon in names:
            return names[canon]
        raise ValueError(_unsupported_alg(alg))
    raise TypeError(f"Can't convert argument `alg` (of value {alg} and type {type(alg)}) to int.")


def _unsupported_alg(alg) -> str:
    names: tuple
    if isinstance(alg, int):
        names = (1, 2, 3)
    elif isinstance(alg, str):
        names = ("philox", "threefry", "auto_select")
    else:
        names = (Algorithm.PHILOX, Algorithm.THREEFRY, Algorithm.AUTO_SELECT)
    return (
        f"Argument `alg` got unsupported value {alg}. Supported values are {names[0]} for "
        f"the Philox algorithm, {names[1]} for the ThreeFry algorithm, and {names[2]} for "
        "auto-selection."
    )


def _uint32s_to_uint64(x):
    from tfgraph.ops import array_ops, bitwise_ops

    low = array_ops.cast(x[0], dtypes.uint64)
    high = array_ops.cast(x[1], dtypes.uint64)
    shift = convert_to_tensor(np.array(32, np.uint64), dtype=dtypes.uint64, name="Const")
    return bitwise_ops.bitwise_or(low, bitwise_ops.left_shift(high, shift))


def _key_counter_alg(seed, alg):
    """TF's get_key_counter_alg: the key, counter and algorithm for the V2 ops."""
    from tfgraph.ops import array_ops

    alg = _alg_to_int(3 if alg is None else alg)
    if alg == 3:
        key_counter = _op_outputs("StatelessRandomGetKeyCounter", [seed])
        return key_counter[0], key_counter[1], alg
    if alg == 1:  # (the scrambling as a graph: one Philox block of the seed)
        key = convert_to_tensor(
            np.array([0x02461E293EC8F720], np.uint64), dtype=dtypes.uint64, name="Const"
        )
        counter = array_ops.cast(seed, dtypes.uint64)
        mix = op_output(
            "StatelessRandomUniformFullIntV2",
            None,
            [[4], key, counter, 1],
            {"dtype": dtypes.uint32},
        )
        key = array_ops.reshape(_uint32s_to_uint64(mix[:2]), [1])
        counter = array_ops.stack([0, _uint32s_to_uint64(mix[2:])], axis=0)
        return key, counter, alg
    if alg == 2:
        seed32 = array_ops.cast(seed, dtypes.uint32)
        key = array_ops.reshape(_uint32s_to_uint64(seed32), [1])
        return key, array_ops.zeros([1], dtypes.uint64), alg
    raise ValueError(_unsupported_alg(alg))


def _op_outputs(op_type: str, inputs, attrs=None) -> list:
    from tfgraph.ops.apply import apply_op

    return apply_op(op_type, None, inputs, attrs)._outputs


_UNIFORM_DTYPES = (
    dtypes.float16,
    dtypes.bfloat16,
    dtypes.float32,
    dtypes.float64,
    dtypes.int32,
    dtypes.int64,
    dtypes.uint32,
    dtypes.uint64,
)


def _check_uniform_args(dtype, minval, maxval):
    if dtype not in _UNIFORM_DTYPES:
        raise ValueError(
            f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are "
            f"({', '.join(repr(d) for d in _UNIFORM_DTYPES)})."
        )
    if dtype.is_integer:
        if (minval is None) != (maxval is None):
            raise ValueError(
                f"For integer `dtype` argument {dtype!r}, argument `minval` and `maxval` "
                f"must be both None or not None. Got `minval`={minval} and `maxval`={maxval}."
            )
        if minval is not None and dtype in (dtypes.uint32, dtypes.uint64):
            raise ValueError(
                f"Argument `dtype` got invalid value {dtype!r} when argument `minval` is not "
                "None. Please don't use unsigned integers in this case."
            )


def stateless_uniform(
    shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None, alg="auto_select"
) -> Tensor:
    """Uniform values in [minval, maxval) determined by `seed` (shape [2], int32/int64):
    `tf.random.stateless_uniform`. Floats default to [0, 1); integer dtypes need both
    bounds, or neither for the full range of the dtype."""
    from tfgraph.ops.random_ops import _binary, _shape_tensor

    dtype = dtypes.as_dtype(dtype)
    _check_uniform_args(dtype, minval, maxval)
    if not dtype.is_integer and maxval is None:
        maxval = 1
    with get_default_graph().name_scope(name or "stateless_random_uniform") as scope:
        shape = _shape_tensor(shape)
        if dtype.is_integer and minval is None:
            key, counter, alg = _key_counter_alg(seed, alg)
            attrs = {"dtype": dtype}
            return op_output(
                "StatelessRandomUniformFullIntV2", scope, [shape, key, counter, alg], attrs
            )
        minval = convert_to_tensor(minval, dtype=dtype, name="min")
        maxval = convert_to_tensor(maxval, dtype=dtype, name="max")
        key, counter, alg = _key_counter_alg(seed, alg)
        if dtype.is_integer:
            inputs = [shape, key, counter, alg, minval, maxval]
            return op_output("StatelessRandomUniformIntV2", scope, inputs, {})
        rnd = op_output(
            "StatelessRandomUniformV2", None, [shape, key, counter, alg], {"dtype": dtype}
        )
        scaled = _binary("Mul", rnd, _binary("Sub", maxval, minval, "sub"), "mul")
        return _binary("AddV2", scaled, minval, scope)


def _normal_like(op_type, default_name, shape, seed, mean, stddev, dtype, name, alg):
    from tfgraph.ops.random_ops import _binary, _shape_tensor

    dtype = dtypes.as_dtype(dtype)
    with get_default_graph().name_scope(name or default_name) as scope:
        shape = _shape_tensor(shape)
        mean = convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        key, counter, alg = _key_counter_alg(seed, alg)
        rnd = op_output(op_type, None, [shape, key, counter, alg], {"dtype": dtype})
        return _binary("AddV2", _binary("Mul", rnd, stddev, "mul"), mean, scope)


def stateless_normal(
    shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None, alg="auto_select"
) -> Tensor:
    """Normal values determined by `seed` (`tf.random.stateless_normal`)."""
    return _normal_like(
        "StatelessRandomNormalV2",
        "stateless_random_normal",
        shape,
        seed,
        mean,
        stddev,
        dtype,
        name,
        alg,
    )


def stateless_truncated_normal(
    shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None, alg="auto_select"
) -> Tensor:
    """Normal values within two standard deviations of the mean, determined by `seed`
    (`tf.random.stateless_truncated_normal`)."""
    return _normal_like(
        "StatelessTruncatedNormalV2",
        "stateless_truncated_normal",
        shape,
        seed,
        mean,
        stddev,
        dtype,
        name,
        alg,
    )


def _categorical(logits, num_samples, dtype, seed) -> Tensor:
    logits = convert_to_tensor(logits, name="logits")
    dtype = dtypes.as_dtype(dtype) if dtype else dtypes.int64
    if dtype not in (dtypes.int32, dtypes.int64):
        raise ValueError(
            f"Argument `dtype` got invalid value {dtype!r}. Accepted dtypes are (tf.int32, "
            "tf.int64)."
        )
    attrs = {"output_dtype": dtype}
    return op_output("StatelessMultinomial", None, [logits, num_samples, seed], attrs)


def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None) -> Tensor:
    """Class indices drawn from `logits` [batch, classes], determined by `seed`
    (`tf.random.stateless_categorical`)."""
    with get_default_graph().name_scope(name or "stateless_categorical"):
        return _categorical(logits, num_samples, dtype, seed)


def stateless_multinomial(
    logits, num_samples, seed, output_dtype=dtypes.int64, name=None
) -> Tensor:
    """TF1's deprecated name of `stateless_categorical`."""
    with get_default_graph().name_scope(name or "stateless_multinomial"):
        return _categorical(logits, num_samples, output_dtype, seed)


def split(seed, num=2, alg="auto_select") -> Tensor:
    """`num` new seeds from `seed`: shape [num, 2], seed's dtype (`tf.random.split`)."""
    seed = convert_to_tensor(seed)
    return stateless_uniform(
        [num, 2], seed=seed, dtype=seed.dtype, minval=None, maxval=None, alg=alg
    )


def fold_in(seed, data, alg="auto_select") -> Tensor:
    """A new seed from `seed` and the integer scalar `data` (`tf.random.fold_in`)."""
    from tfgraph.ops import array_ops

    data = convert_to_tensor(data)
    seed1 = stateless_uniform([], seed=seed, dtype=data.dtype, minval=None, maxval=None, alg=alg)
    return array_ops.stack([seed1, data])


# -- StatelessRandomGammaV2/V3 --------------------------------------------------------------
def _gamma_draw(op, dims: tuple, k, c, alpha) -> np.ndarray:
    """TF's gamma sampler (tfgraph/ops/philox.py) filling `dims`, whose trailing dimensions
    are alpha's: output k uses the counters from 256 * k on."""
    alpha = np.asarray(alpha)
    dtype = op._attrs["dtype"]
    if dims[len(dims) - alpha.ndim :] != alpha.shape or len(dims) < alpha.ndim:
        raise errors.InvalidArgumentError(
            None, op, "Shape passed in must end with broadcasted shape."
        )
    n = int(np.prod(dims))
    if n == 0:
        return np.zeros(dims, dtype.np_dtype)
    per_alpha = n // max(alpha.size, 1)
    values = philox.gamma(k, c, per_alpha, alpha.reshape(-1).astype(np.float64))
    if dtype is dtypes.float16:  # (via float, as Eigen's half from double)
        values = values.astype(np.float32)
    return values.astype(dtype.np_dtype).reshape(dims)


def _gamma_v3_kernel(op, ctx):
    def kernel(shape, key, counter, alg, alpha):
        dims = _dims(op, shape)
        k, c = _key_counter_from_inputs(op, key, counter, alg)
        return _gamma_draw(op, dims, k, c, alpha)

    return kernel


def _gamma_v2_kernel(op, ctx):
    def kernel(shape, seed, alpha):
        dims = _dims(op, shape)
        k, c = _seed_key_counter(op, seed)
        return _gamma_draw(op, dims, k, c, alpha)

    return kernel


def _gamma_grad_alpha(shape, alpha, sample, grad):
    """TF's: d sample / d alpha (RandomGammaGrad) summed over the leading sample
    dimensions (those of `shape` beyond alpha's rank)."""
    from tfgraph.ops import array_ops, math_ops

    num_sample_dims = array_ops.shape(shape)[0] - array_ops.rank(alpha)
    new_shape = array_ops.concat(
        [array_ops.ones([num_sample_dims], dtype=dtypes.int32), array_ops.shape(alpha)], axis=0
    )
    alpha_b = array_ops.reshape(alpha, new_shape)
    partial_a = op_output("RandomGammaGrad", None, [alpha_b, sample])
    return math_ops.reduce_sum(grad * partial_a, axis=math_ops.range(num_sample_dims))


def _gamma_v2_grad(op, grad):
    with get_default_graph().control_dependencies([grad]):
        shape, _, alpha = op._inputs
        return [None, None, _gamma_grad_alpha(shape, alpha, op._outputs[0], grad)]


def _gamma_v3_grad(op, grad):
    with get_default_graph().control_dependencies([grad]):
        shape, alpha = op._inputs[0], op._inputs[4]
        return [None] * 4 + [_gamma_grad_alpha(shape, alpha, op._outputs[0], grad)]


register_op(
    "StatelessRandomGammaV3",
    inputs=[
        "shape: shape_dtype",
        "key: uint64",
        "counter: uint64",
        "alg: int32",
        "alpha: dtype",
    ],
    outputs=["output: dtype"],
    attrs=["dtype: {half, float, double}", "shape_dtype: {int32, int64} = int32"],
    shape=_v2_shape,
    make_kernel=_gamma_v3_kernel,
    grad=_gamma_v3_grad,
)
register_op(
    "StatelessRandomGammaV2",
    inputs=["shape: T", "seed: Tseed", "alpha: dtype"],
    outputs=["output: dtype"],
    attrs=["dtype: {half, float, double}", "T: {int32, int64}", "Tseed: {int32, int64} = int64"],
    shape=_v1_shape,
    make_kernel=_gamma_v2_kernel,
    grad=_gamma_v2_grad,
)


def stateless_gamma(shape, seed, alpha, beta=None, dtype=dtypes.float32, name=None) -> Tensor:
    """Gamma(alpha, beta) values determined by `seed` (`tf.random.stateless_gamma`): `shape`
    is the whole output shape and must end with the broadcast shape of alpha and beta.
    Differentiable with respect to alpha (as TF: implicit reparameterization)."""
    from tfgraph.ops import array_ops, manip_ops, math_ops
    from tfgraph.ops.random_ops import _shape_tensor

    dtype = dtypes.as_dtype(dtype)
    with get_default_graph().name_scope(name or "stateless_random_gamma"):
        shape = _shape_tensor(shape)
        alpha = convert_to_tensor(alpha, dtype=dtype, name="alpha")
        beta = convert_to_tensor(1 if beta is None else beta, name="beta", dtype=dtype)
        broadcast = manip_ops.broadcast_dynamic_shape(array_ops.shape(alpha), array_ops.shape(beta))
        alpha_b = array_ops.broadcast_to(alpha, broadcast)
        key, counter, alg = _key_counter_alg(seed, "auto_select")
        rnd = op_output("StatelessRandomGammaV3", None, [shape, key, counter, alg, alpha_b])
        tiny = np.finfo(alpha.dtype.np_dtype).tiny
        return math_ops.maximum(tiny, rnd / beta)


# -- StatelessRandomPoisson and StatelessRandomBinomial -------------------------------------
_KNUTH_BLOCKS = 16  # (32 uniforms: enough for all but ~1e-8 of the rate < 10 outputs)
_CHUNK = 8192


def poisson_draws(key, counter: int, per_rate: int, rates: np.ndarray) -> np.ndarray:
    """TF's PoissonFunctor: [per_rate, len(rates)] float64 draws, output k (rate k //
    per_rate) from the counters at counter + 256 * k. Knuth's method (rate < 10) runs
    vectorized over the first 16 blocks of each output, the rest one output at a time."""
    import math

    rates = np.asarray(rates, np.float64).reshape(-1)
    n = per_rate * rates.size
    flat = np.empty(n, np.float64)
    rate_of = np.repeat(rates, per_rate)
    small = np.flatnonzero(rate_of < 10)
    exp_neg = {r: math.exp(-r) for r in np.unique(rates[rates < 10]).tolist()}
    for start in range(0, small.size, _CHUNK):
        idx = small[start : start + _CHUNK]
        flat[idx] = _knuth(key, counter, idx, rate_of[idx], exp_neg)
    for k in np.flatnonzero(~(rate_of < 10)).tolist():
        flat[k] = _poisson_one(philox._GammaStream(key, counter + 256 * k, []), rate_of[k])
    return flat.reshape(rates.size, per_rate).T


def _knuth(key, counter, idx: np.ndarray, rates: np.ndarray, exp_neg: dict) -> np.ndarray:
    """Knuth's count for each output: the first x with u_0 * ... * u_x <= exp(-rate)."""
    offsets = idx.astype(np.uint64)[:, None] * np.uint64(256) + np.arange(
        _KNUTH_BLOCKS, dtype=np.uint64
    )
    b = philox.blocks_at(key, counter, offsets.reshape(-1)).reshape(idx.size, _KNUTH_BLOCKS, 4)
    high = philox._uint64_to_double(b[..., 2], b[..., 3])  # (each block's doubles, last first)
    low = philox._uint64_to_double(b[..., 0], b[..., 1])
    u = np.stack([high, low], axis=2).reshape(idx.size, 2 * _KNUTH_BLOCKS)
    limit = np.array([exp_neg[r] for r in rates.tolist()])
    hit = np.cumprod(u, axis=1) <= limit[:, None]
    out = np.argmax(hit, axis=1).astype(np.float64)
    for i in np.flatnonzero(~hit.any(axis=1)).tolist():
        stream = philox._GammaStream(key, counter + 256 * int(idx[i]), [])
        out[i] = _poisson_one(stream, float(rates[i]))
    return out


def _poisson_one(stream, rate: float) -> float:
    """TF's PoissonFunctor for one output: Knuth's product of uniforms below rate 10,
    Hormann's transformed rejection above."""
    import math

    if rate < 10:
        exp_neg_rate = math.exp(-rate)
        prod, x = 1.0, 0.0
        while True:
            prod *= stream.uniform()
            if prod <= exp_neg_rate:
                return x
            x += 1
    if math.isinf(rate):
        return math.inf
    if math.isnan(rate):  # (TF's kernel never finishes; NaN here)
        return math.nan
    log_rate = math.log(rate)
    b = 0.931 + 2.53 * math.sqrt(rate)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = stream.uniform() - 0.5
        v = stream.uniform()
        u_shifted = 0.5 - abs(u)
        k = math.floor((2 * a / u_shifted + b) * u + rate + 0.43)
        if k < 0:
            continue
        if u_shifted >= 0.07 and v <= vr:
            return k
        s = math.log(v * inv_alpha / (a / (u_shifted * u_shifted) + b))
        t = -rate + k * log_rate - math.lgamma(k + 1)
        if s <= t:
            return k


def _ends_with(op, dims: tuple, batch_shape: tuple) -> None:
    if len(dims) < len(batch_shape) or dims[len(dims) - len(batch_shape) :] != batch_shape:
        raise errors.InvalidArgumentError(
            None, op, "Shape passed in must end with broadcasted shape."
        )


def _to_output(values: np.ndarray, dtype: dtypes.DType, dims) -> np.ndarray:
    if dtype.is_integer:  # (an integer's "infinity", as C++'s numeric_limits, is 0)
        values = np.where(np.isfinite(values), values, 0)
        return values.astype(dtype.np_dtype).reshape(dims)
    return (
        values.astype(np.float32 if dtype is dtypes.float16 else np.float64)
        .astype(dtype.np_dtype)
        .reshape(dims)
    )


def _poisson_kernel(op, ctx):
    dtype = op._attrs["dtype"]

    def kernel(shape, seed, lam):
        lam = np.asarray(lam)
        dims = _dims(op, shape)
        k, c = _seed_key_counter(op, seed)
        _ends_with(op, dims, lam.shape)
        n = int(np.prod(dims))
        per_rate = n // max(lam.size, 1)
        out = poisson_draws(k, c, per_rate, lam.astype(np.float64)) if n else np.zeros(dims)
        return _to_output(out, dtype, dims)

    return kernel


def _param_shape(op):
    _check_vector(op, 1, "seed", 2)
    return _shape_from_input(op)


_NUMBERS = "{half, float, double, int32, int64}"
register_op(
    "StatelessRandomPoisson",
    inputs=["shape: T", "seed: Tseed", "lam: Rtype"],
    outputs=["output: dtype"],
    attrs=[
        f"Rtype: {_NUMBERS}",
        f"dtype: {_NUMBERS}",
        "T: {int32, int64}",
        "Tseed: {int32, int64} = int64",
    ],
    shape=_param_shape,
    make_kernel=_poisson_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def stateless_poisson(shape, seed, lam, dtype=dtypes.int32, name=None) -> Tensor:
    """Poisson(lam) values determined by `seed` (`tf.random.stateless_poisson`): `shape`
    is the whole output shape and must end with lam's shape. TF's values."""
    from tfgraph.ops.random_ops import _shape_tensor

    with get_default_graph().name_scope(name or "stateless_random_poisson"):
        shape = _shape_tensor(shape)
        attrs = {"dtype": dtypes.as_dtype(dtype)}
        return op_output("StatelessRandomPoisson", None, [shape, seed, lam], attrs)


def _binomial_inversion(stream, count: float, prob: float) -> float:
    """Sums geometric draws until they pass `count`: how many fit (TF's inversion)."""
    import math

    geom_sum, num_geom = 0.0, 0
    log1p_q = math.log1p(-prob)
    while True:
        geom_sum += math.ceil(math.log(stream.uniform()) / log1p_q)
        if geom_sum > count:
            return num_geom
        num_geom += 1


_TAIL = (
    0.0810614667953272,
    0.0413406959554092,
    0.0276779256849983,
    0.02079067210376509,
    0.0166446911898211,
    0.0138761288230707,
    0.0118967099458917,
    0.0104112652619720,
    0.00925546218271273,
    0.00833056343336287,
)


def _stirling_tail(k: float) -> float:
    if k <= 9:
        return _TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _btrs(stream, count: float, prob: float) -> float:
    """Hormann's transformed rejection for count * prob >= 10 (as TF's kernel)."""
    import math

    stddev = math.sqrt(count * prob * (1 - prob))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = count * prob + 0.5
    v_r = 0.92 - 4.2 / b
    r = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = math.floor((count + 1) * prob)
    while True:
        u = stream.uniform()
        v = stream.uniform()
        u = u - 0.5
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + c)
        if us >= 0.07 and v <= v_r:
            return k
        if k < 0 or k > count:
            continue
        v = math.log(v * alpha / (a / (us * us) + b))
        upper = (
            (m + 0.5) * math.log((m + 1) / (r * (count - m + 1)))
            + (count + 1) * math.log((count - m + 1) / (count - k + 1))
            + (k + 0.5) * math.log(r * (count - k + 1) / (k + 1))
            + _stirling_tail(m)
            + _stirling_tail(count - m)
            - _stirling_tail(k)
            - _stirling_tail(count - k)
        )
        if v <= upper:
            return k


def _binomial_one(stream_at, count, prob, np_t) -> float:
    """One output of TF's RandomBinomialFunctor (count, prob of the inputs' type):
    `stream_at(skip)` is the output's uniform stream, its generator skipped by `skip`
    blocks per output index (256 for the rejection method, 42 for inversion)."""
    dcount = float(count)
    if dcount <= 0.0 or prob <= 0:
        return 0.0
    if prob >= 1:
        return dcount
    if prob <= 0.5:
        if count * prob >= np_t(10):
            return _btrs(stream_at(256), dcount, float(prob))
        return _binomial_inversion(stream_at(42), dcount, float(prob))
    if prob > 0.5:
        q = np_t(1) - prob
        if count * q >= np_t(10):
            return dcount - _btrs(stream_at(256), dcount, float(q))
        return dcount - _binomial_inversion(stream_at(42), dcount, float(q))
    return float("nan")


def binomial_draws(op, k, c, dims: tuple, counts, probs, dtype) -> np.ndarray:
    """TF's RandomBinomial outputs of shape `dims` from Philox key `k` and counter `c`
    (`dims` ends with the broadcast shape of counts and probs)."""
    counts, probs = np.asarray(counts), np.asarray(probs)
    try:
        batch_shape = np.broadcast_shapes(counts.shape, probs.shape)
    except ValueError:
        raise errors.InvalidArgumentError(
            None,
            op,
            "counts and probs must have compatible batch dimensions: "
            f"{list(counts.shape)} vs. {list(probs.shape)}",
        ) from None
    _ends_with(op, dims, tuple(batch_shape))
    n = int(np.prod(dims))
    np_t = counts.dtype.type
    counts_b = np.broadcast_to(counts, batch_shape).reshape(-1)
    probs_b = np.broadcast_to(probs, batch_shape).reshape(-1)
    per_batch = n // max(counts_b.size, 1)
    out = np.empty((per_batch, counts_b.size), np.float64)
    with np.errstate(all="ignore"):
        for i in range(n):
            b_idx, s_idx = divmod(i, per_batch)

            def stream_at(skip, i=i):
                return philox._GammaStream(k, c + skip * i, [])

            out[s_idx, b_idx] = _binomial_one(stream_at, counts_b[b_idx], probs_b[b_idx], np_t)
    return _to_output(out, dtype, dims)


def _binomial_kernel(op, ctx):
    dtype = op._attrs["dtype"]

    def kernel(shape, seed, counts, probs):
        k, c = _seed_key_counter(op, seed)
        return binomial_draws(op, k, c, _dims(op, shape), counts, probs, dtype)

    return kernel


register_op(
    "StatelessRandomBinomial",
    inputs=["shape: S", "seed: Tseed", "counts: T", "probs: T"],
    outputs=["output: dtype"],
    attrs=[
        "S: {int32, int64}",
        "Tseed: {int32, int64} = int64",
        f"T: {_NUMBERS} = double",
        f"dtype: {_NUMBERS} = int64",
    ],
    shape=_param_shape,
    make_kernel=_binomial_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def stateless_binomial(shape, seed, counts, probs, output_dtype=dtypes.int32, name=None):
    """Binomial(counts, probs) values determined by `seed` (`tf.random.stateless_binomial`):
    `shape` is the whole output shape and must end with the broadcast shape of counts and
    probs. TF's values."""
    from tfgraph.ops.random_ops import _shape_tensor

    with get_default_graph().name_scope(name or "stateless_random_binomial"):
        shape = _shape_tensor(shape)
        probs = convert_to_tensor(probs, dtype_hint=dtypes.float32, name="probs")
        counts = convert_to_tensor(counts, dtype_hint=probs.dtype, name="counts")
        attrs = {"dtype": dtypes.as_dtype(output_dtype)}
        return op_output("StatelessRandomBinomial", None, [shape, seed, counts, probs], attrs)


# -- StatelessParameterizedTruncatedNormal --------------------------------------------------
_MAX_ITERATIONS = 1000  # (TF: kMaxIterations, 2 samples each reserved per output)


class _Blocks:
    """Consecutive Philox blocks from a counter (one generator used sequentially)."""

    def __init__(self, key, counter: int) -> None:
        self._key, self._counter = key, counter
        self._buf: np.ndarray = np.empty((0, 4), np.uint32)
        self._pos = self._fetched = 0

    def next(self) -> np.ndarray:
        if self._pos == len(self._buf):
            self._buf = philox.blocks(self._key, self._counter + self._fetched, 64)
            self._fetched += 64
            self._pos = 0
        self._pos += 1
        return self._buf[self._pos - 1 : self._pos]


def _uniform_of(block: np.ndarray, t) -> list:
    """TF's UniformDistribution<T> of one block: 4 floats/halfs or 2 doubles."""
    if t is np.float64:
        return philox._uint64_to_double(block[:, 0::2], block[:, 1::2]).reshape(-1).tolist()
    if t is np.float16:
        words = block.reshape(-1).astype(np.uint32)
        bits = ((words & np.uint32(0x3FF)) | np.uint32(15 << 10)).astype(np.uint16)
        return list(bits.view(np.float16) - np.float16(1.0))
    return list(philox._uint32_to_float(block.reshape(-1)))


def _normal_of(block: np.ndarray, t) -> list:
    """TF's NormalDistribution<T> of one block (Box-Muller): 4 floats/halfs or 2 doubles."""
    b = block.reshape(-1)
    if t is np.float64:
        f0, f1 = philox._box_muller_double(*(b[i : i + 1] for i in range(4)))
        return [f0[0], f1[0]]
    f0, f1 = philox._box_muller_float(b[0:2:2], b[1:2:2])
    f2, f3 = philox._box_muller_float(b[2:3], b[3:4])
    return [t(v) for v in (f0[0], f1[0], f2[0], f3[0])]


def _fn(t, f, x):
    """f(x) in T, correctly rounded (as glibc's expf/logf/sqrtf; Eigen's half via float)."""
    return t(f(float(x)))


def _ptn_batch(blocks, t, mean, stddev, minval, maxval, count: int, op) -> list:
    """`count` samples of one (mean, stddev, minval, maxval): TF's TruncatedNormalFunctor
    (randn rejection, uniform rejection or exponential rejection) in T arithmetic."""
    import math

    if not (stddev > 0 and minval < maxval and (math.isfinite(minval) or math.isfinite(maxval))):
        raise errors.InvalidArgumentError(None, op, "Invalid parameters")
    if (math.isinf(minval) and minval < 0) or maxval < mean:
        minval, maxval, stddev = maxval, minval, -stddev
    norm_min = (minval - mean) / stddev
    norm_max = (maxval - mean) / stddev
    sqrt_factor = _fn(t, math.sqrt, norm_min * norm_min + t(4))
    cutoff = (t(2) * _fn(t, math.exp, t(0.5) + (norm_min * (norm_min - sqrt_factor)) / t(4))) / (
        norm_min + sqrt_factor
    )
    diff = norm_max - norm_min
    inside = t(1.3)
    out: list = []
    if (norm_min < -inside and norm_max >= 0) or (norm_max > inside and norm_min <= 0):
        while len(out) < count:
            for z in _normal_of(blocks.next(), t):
                if norm_min <= z <= norm_max:
                    out.append(z * stddev + mean)
                    if len(out) == count:
                        break
        return out
    if diff < cutoff:
        plus = t(0) if norm_min < 0 else norm_min * norm_min
        while len(out) < count:
            zs = [r * diff + norm_min for r in _uniform_of(blocks.next(), t)]
            us = _uniform_of(blocks.next(), t)
            for z, u in zip(zs, us):
                if u <= _fn(t, math.exp, (plus - z * z) / t(2)):
                    out.append(z * stddev + mean)
                    if len(out) == count:
                        break
        return out
    alpha = (norm_min + _fn(t, math.sqrt, norm_min * norm_min + t(4))) / t(2)
    while len(out) < count:
        rand = _uniform_of(blocks.next(), t)
        for i in range(0, len(rand), 2):
            z = -_fn(t, math.log, rand[i]) / alpha + norm_min
            x = alpha - z if norm_min < alpha else norm_min - alpha
            g = _fn(t, math.exp, -x * x / t(2))
            if rand[i + 1] <= g and z < norm_max:
                out.append(z * stddev + mean)
                if len(out) == count:
                    break
    return out


def _ptn_kernel(op, ctx):
    t = op._attrs["dtype"].np_dtype.type

    def kernel(shape, seed, means, stddevs, minvals, maxvals):
        k, c = _seed_key_counter(op, seed)
        params = [np.asarray(v) for v in (means, stddevs, minvals, maxvals)]
        try:
            batch_shape = np.broadcast_shapes(*(p.shape for p in params))
        except ValueError:
            raise errors.InvalidArgumentError(
                None,
                op,
                "means, stddevs, minvals, maxvals must have compatible batch dimensions: "
                + " vs. ".join(str(list(p.shape)) for p in params),
            ) from None
        dims = _dims(op, shape)
        _ends_with(op, dims, tuple(batch_shape))
        n = int(np.prod(dims))
        flat = [np.broadcast_to(p, batch_shape).reshape(-1) for p in params]
        batches = flat[0].size
        per_batch = n // max(batches, 1)
        out = np.empty((per_batch, batches), t)
        with np.errstate(all="ignore"):
            for start, limit in parallel_blocks(n, _PTN_COST[t]):
                _ptn_piece(op, t, k, c, flat, out, start, limit)
        return out.reshape(dims)

    return kernel


# TF's cost estimate of one output (from Eigen's per-operation costs), which decides how
# its CPU pool splits the outputs; found by where TF's values start to split.
_PTN_COST = {np.float16: 214, np.float32: 187, np.float64: 258}


def _ptn_piece(op, t, k, c, flat, out, start: int, limit: int) -> None:
    """Outputs [start, limit) (batch-major) as one of TF's worker calls draws them: its
    generator skipped by 200 samples per preceding output, batches in order."""
    per_batch = out.shape[0]
    per_block = 2 if t is np.float64 else 4
    blocks = _Blocks(k, c + (start * 2 * _MAX_ITERATIONS + per_block - 1) // per_block)
    idx = start
    while idx < limit:
        b, first = divmod(idx, per_batch)
        count = min(per_batch - first, limit - idx)
        args = (t(flat[0][b]), t(flat[1][b]), t(flat[2][b]), t(flat[3][b]))
        out[first : first + count, b] = _ptn_batch(blocks, t, *args, count, op)
        idx += count


def _ndtr(x):
    """The standard normal CDF as TF's gradient builds it (erf near 0, erfc outside)."""
    from tfgraph.ops import array_ops, math_ops, special_math_ops

    half_sqrt_2 = convert_to_tensor(
        np.array(0.5 * np.sqrt(2.0), x.dtype.np_dtype), dtype=x.dtype, name="half_sqrt_2"
    )
    w = x * half_sqrt_2
    z = math_ops.abs(w)
    y = array_ops.where(
        z < half_sqrt_2,
        1.0 + special_math_ops.erf(w),
        array_ops.where(w > 0.0, 2.0 - special_math_ops.erfc(z), special_math_ops.erfc(z)),
    )
    return 0.5 * y


def _ptn_partials(mean, stddev, minval, maxval, sample):
    """d sample / d (mean, stddev, minval, maxval) at a fixed CDF value (TF's formulas)."""
    from tfgraph.ops import array_ops, math_ops

    minval_std = (minval - mean) / stddev
    maxval_std = (maxval - mean) / stddev
    sample_std = (sample - mean) / stddev
    cdf = (_ndtr(sample_std) - _ndtr(minval_std)) / (_ndtr(maxval_std) - _ndtr(minval_std))
    info = np.finfo(mean.dtype.np_dtype)
    cdf = math_ops.clip_by_value(cdf, info.tiny, 1 - info.eps)
    dmaxval = math_ops.exp(0.5 * (sample_std**2 - maxval_std**2) + math_ops.log(cdf))
    dminval = math_ops.exp(0.5 * (sample_std**2 - minval_std**2) + math_ops.log1p(-cdf))
    return array_ops.ones_like(sample_std), sample_std, dminval, dmaxval


def _ptn_grad(op, grad):
    """TF's gradient of StatelessParameterizedTruncatedNormal wrt its four parameters:
    the partials times grad, summed over the sample dimensions and each parameter's
    broadcast dimensions."""
    from tfgraph.ops import array_ops, manip_ops, math_ops

    shape, _, mean, stddev, minval, maxval = op._inputs
    with get_default_graph().control_dependencies([grad]):
        partials = _ptn_partials(mean, stddev, minval, maxval, op._outputs[0])
        shapes = [array_ops.shape(t) for t in (mean, stddev, minval, maxval)]
        broadcast = manip_ops.broadcast_dynamic_shape(shapes[0], shapes[1])
        broadcast = manip_ops.broadcast_dynamic_shape(shapes[2], broadcast)
        broadcast = manip_ops.broadcast_dynamic_shape(shapes[3], broadcast)
        extra_dims = math_ops.range(array_ops.size(shape) - array_ops.size(broadcast))
        sums = [math_ops.reduce_sum(grad * d, axis=extra_dims) for d in partials]
        axes = [array_ops.broadcast_gradient_args(broadcast, s)[1] for s in shapes]
        return [None, None] + [
            array_ops.reshape(math_ops.reduce_sum(g, axis=r, keepdims=True), s)
            for g, r, s in zip(sums, axes, shapes)
        ]


register_op(
    "StatelessParameterizedTruncatedNormal",
    inputs=[
        "shape: S",
        "seed: Tseed",
        "means: dtype",
        "stddevs: dtype",
        "minvals: dtype",
        "maxvals: dtype",
    ],
    outputs=["output: dtype"],
    attrs=["S: {int32, int64}", "Tseed: {int32, int64} = int64", "dtype: {half, float, double}"],
    shape=_param_shape,
    make_kernel=_ptn_kernel,
    grad=_ptn_grad,
)


def stateless_parameterized_truncated_normal(
    shape, seed, means=0.0, stddevs=1.0, minvals=-2.0, maxvals=2.0, name=None
) -> Tensor:
    """Normal(means, stddevs) values within [minvals, maxvals], determined by `seed`
    (`tf.random.stateless_parameterized_truncated_normal`): the parameters broadcast
    together and `shape` must end with their broadcast shape."""
    from tfgraph.ops.random_ops import _shape_tensor

    with get_default_graph().name_scope(name or "stateless_parameterized_truncated_normal"):
        shape_t = _shape_tensor(shape)
        params = [
            convert_to_tensor(v, name=n)
            for v, n in (
                (means, "means"),
                (stddevs, "stddevs"),
                (minvals, "minvals"),
                (maxvals, "maxvals"),
            )
        ]
        return op_output("StatelessParameterizedTruncatedNormal", None, [shape_t, seed, *params])


# -- StatelessShuffle, create_rng_state -----------------------------------------------------
def _shuffle_kernel(op, ctx):
    def kernel(value, key, counter, alg):
        k, c = _key_counter_from_inputs(op, key, counter, alg)
        value = np.asarray(value)
        if value.ndim == 0 or value.shape[0] <= 1:
            return value
        return value[philox.shuffle_permutation(k, c, value.shape[0])]

    return kernel


register_op(
    "StatelessShuffle",
    inputs=["value: T", "key: uint64", "counter: uint64", "alg: int32"],
    outputs=["output: T"],
    attrs=["T: type"],
    shape=lambda op: [op._inputs[0]._shape],
    make_kernel=_shuffle_kernel,
)


def stateless_shuffle(value, seed, alg="auto_select", name=None) -> Tensor:
    """`value` with its first dimension permuted as determined by `seed`
    (`tf.random.experimental.stateless_shuffle`): TF's order."""
    with get_default_graph().name_scope(name or "stateless_shuffle"):
        key, counter, alg = _key_counter_alg(seed, alg)
        return op_output("StatelessShuffle", None, [value, key, counter, alg])


_STATE_SIZES = {1: 3, 2: 2, 3: 3}


def create_rng_state(seed, alg) -> Tensor:
    """An RNG state (int64 [3] for Philox, [2] for ThreeFry) from an integer or a vector
    (`tf.random.create_rng_state`): a Python integer is cut into 64-bit words, low first;
    a short vector is padded with zeros on the left."""
    from tfgraph.ops import array_ops, math_ops

    alg = _alg_to_int(alg)
    if alg not in _STATE_SIZES:
        raise ValueError(_unsupported_alg(alg))
    size = _STATE_SIZES[alg]
    if isinstance(seed, int):
        words = []
        for _ in range(size):
            words.append(seed & _MASK64)
            seed >>= 64
        seed = words
    if isinstance(seed, (list, tuple)):
        seed = [v - (1 << 64) if isinstance(v, int) and v > 2**63 - 1 else v for v in seed]
    seed = array_ops.cast(seed, dtypes.int64)
    seed = array_ops.reshape(seed, [-1])
    seed = seed[0:size]
    seed_size = seed.shape[0]
    if seed_size is None:
        seed_size = array_ops.shape(seed)[0]
    padding = array_ops.zeros([math_ops.maximum(size - seed_size, 0)], seed.dtype)
    seed = array_ops.concat([padding, seed], axis=0)
    seed.set_shape([size])
    return seed


# -- RandomIndexShuffle (tf.random.experimental.index_shuffle) ------------------------------
def _rotl(x: int, r: int, w: int) -> int:
    mask = (1 << w) - 1
    return ((x << r) | (x >> (w - r))) & mask


def _rotr(x: int, r: int, w: int) -> int:
    mask = (1 << w) - 1
    return ((x >> r) | (x << (w - r))) & mask


def _simon_f(x: int, w: int) -> int:
    return (_rotl(x, 1, w) & _rotl(x, 8, w)) ^ _rotl(x, 2, w)


def _simon_keys(key: tuple, rounds: int, w: int) -> list:
    """The Simon cipher's round keys for word size w (TF's simon_key_schedule)."""
    mask = (1 << w) - 1
    c = 0xFFFFFFFC & mask
    z = 0x7369F885192C0EF5 & mask
    rk = [k & mask for k in key]
    for i in range(3, rounds):
        rk.append(c ^ (z & 1) ^ rk[i - 3] ^ _rotr(rk[i - 1], 3, w) ^ _rotr(rk[i - 1], 4, w))
        z >>= 1
    return rk


def _index_shuffle_one(index: int, key: tuple, max_index: int, rounds: int) -> int:
    """The position of `index` in a permutation of [0, max_index] (TF's cycle-walking
    Simon cipher with a block of at least 16 bits)."""
    import math

    if max_index == 0:
        return 0
    block = math.ceil(math.log2(max_index))
    block = max(block + block % 2, 16)
    w = min(block, 64) // 2
    mask = (1 << w) - 1
    keys = _simon_keys(key, rounds, w)
    value = index
    while True:
        left, right = (value >> w) & mask, value & mask
        for i in range(0, len(keys), 2):
            left ^= _simon_f(right, w) ^ keys[i]
            right ^= _simon_f(left, w) ^ keys[i + 1]
        value = (left << w) | right
        if value <= max_index:
            return value


def _index_shuffle_kernel(op, ctx):
    rounds = op._attrs["rounds"]
    np_dtype = op._attrs["dtype"].np_dtype

    def kernel(index, seed, max_index):
        index, seed, max_index = np.asarray(index), np.asarray(seed), np.asarray(max_index)
        seeds = seed.reshape(-1, 3).astype(np.uint64) & np.uint64(0xFFFFFFFF)
        out = np.empty(index.shape, np_dtype)
        flat_i, flat_m = index.reshape(-1), np.broadcast_to(max_index, index.shape).reshape(-1)
        for j in range(flat_i.size):
            i, m = int(flat_i[j]), int(flat_m[j])
            if m < i:
                raise errors.InvalidArgumentError(
                    None, op, f"max_index must be >= index, but {m} < {i}"
                )
            key = tuple(int(v) for v in seeds[j if len(seeds) > 1 else 0])
            out.reshape(-1)[j] = _index_shuffle_one(i & _MASK64, key, m & _MASK64, rounds)
        return out

    return kernel


def _index_shuffle_shape(op):
    dims = op._inputs[1]._shape._dims
    if dims is not None and not (
        (len(dims) == 1 and dims[0] in (3, None)) or (len(dims) == 2 and dims[1] in (3, None))
    ):
        raise ValueError(
            f"Seed must have shape [3] or [n, 3] but got {list(dims)}. for '{op.name}' (op: "
            "'RandomIndexShuffle')"
        )
    return [op._inputs[0]._shape]


register_op(
    "RandomIndexShuffle",
    inputs=["index: dtype", "seed: Tseed", "max_index: dtype"],
    outputs=["output: dtype"],
    attrs=[
        "rounds: int = 4",
        "dtype: {int32, uint32, int64, uint64}",
        "Tseed: {int32, uint32, int64, uint64}",
    ],
    shape=_index_shuffle_shape,
    make_kernel=_index_shuffle_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def index_shuffle(index, seed, max_index) -> Tensor:
    """The position of `index` in a random permutation of [0, max_index] determined by
    the shape-[2] `seed` (`tf.random.experimental.index_shuffle`): TF's permutation."""
    from tfgraph.ops import array_ops

    seed = convert_to_tensor(seed)
    rank = seed.shape.ndims
    paddings = [[1, 0]] + ([] if rank is None else (rank - 1) * [[0, 0]])
    seed = array_ops.pad(seed, paddings, constant_values=498247692)
    attrs = {"rounds": 4}
    return op_output("RandomIndexShuffle", None, [index, seed, max_index], attrs)


def random_index_shuffle(index, seed, max_index, rounds: int = 4, name=None) -> Tensor:
    """TF's raw RandomIndexShuffle (`tf.random_index_shuffle`): the position of `index`
    in the permutation of [0, max_index] that the shape-[3] `seed` determines."""
    return op_output("RandomIndexShuffle", name, [index, seed, max_index], {"rounds": rounds})

"""Random ops (RandomUniform, RandomStandardNormal, TruncatedNormal, RandomUniformInt,
RandomShuffle, Multinomial), their TF1 public functions, and seeding.

Every random op keeps one random stream per session (in the session's resource
store), created from its `seed`/`seed2` attrs the first time the op runs: runs of
one session continue the stream, a new session restarts it (as in TensorFlow), and
an op whose seeds are both 0 draws from fresh OS entropy. RandomUniform,
RandomStandardNormal, TruncatedNormal and RandomUniformInt draw TensorFlow's values
bit for bit (TF's Philox4x32 streams and conversions, tfgraph/ops/philox.py): a seeded
TF1 program initializes its variables, drops out and samples exactly as TF does.
RandomPoissonV2 draws TF's values too, RandomShuffle gives TF's order and Multinomial TF's
draws (its rows split across threads as TF's CPU pool splits them when the op runs in a
session; TF may fold an op with constant inputs in one piece, drawing other values).

The public functions build TF's subgraphs with TF's names: `random_uniform/shape`,
`random_uniform/min`, `random_uniform/max`, `random_uniform/RandomUniform`,
`random_uniform/sub`, `random_uniform/mul` and the `random_uniform` AddV2.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import _float_to_bfloat16_bits, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.random_seed import get_seed, set_random_seed
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import Dimension, TensorShape
from tfgraph.ops import common_shapes, math_ops
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import constant_value, constant_value_as_shape

__all__ = [
    "get_seed",
    "multinomial",
    "random_crop",
    "random_gamma",
    "random_normal",
    "random_poisson",
    "random_shuffle",
    "random_uniform",
    "set_random_seed",
    "truncated_normal",
]

_SEED_ATTRS = ["seed: int = 0", "seed2: int = 0"]


# -- random streams ---------------------------------------------------------------------------
def _new_generator(seed: int, seed2: int) -> np.random.Generator:
    if seed == 0 and seed2 == 0:
        return np.random.Generator(np.random.Philox())
    key = np.array([seed & 0xFFFFFFFFFFFFFFFF, seed2 & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64)
    return np.random.Generator(np.random.Philox(key=key))


def _generator(op, ctx) -> np.random.Generator:
    """The op's random stream in the running session (created on first use). Unseeded
    ops (seed == seed2 == 0) share one entropy-seeded stream per session."""
    attrs = op._attrs
    seed, seed2 = attrs["seed"], attrs["seed2"]
    if ctx is None:
        return _new_generator(seed, seed2)
    store = ctx.resources_for(op)
    if seed == 0 and seed2 == 0:
        return store.state("rng", lambda: _new_generator(0, 0))
    # (keyed by the op's name: a kernel made without a Graph, eagerly, finds it too)
    return store.state(("rng", op._name), lambda: _new_generator(seed, seed2))


def _shape_of(op, value) -> tuple:
    dims = tuple(int(d) for d in np.reshape(value, -1))
    if any(d < 0 for d in dims):
        raise errors.InvalidArgumentError(
            None, op, f"Shape must be non-negative, got shape {list(dims)}"
        )
    return dims


def _as_float(values: np.ndarray, dtype: dtypes.DType) -> np.ndarray:
    """float32/float64 draws in `dtype` (half, bfloat16, float, double)."""
    np_dtype = dtype.np_dtype
    if values.dtype == np_dtype:
        return values
    if np_dtype.names:  # bfloat16 stand-in
        return _float_to_bfloat16_bits(values)
    return values.astype(np_dtype)


def _random_shape(op):
    return [constant_value_as_shape(op._inputs[0])]


def _tf_stream(op, ctx):
    """The op's TF Philox stream in the running session (TF's GuardedPhiloxRandom,
    created on first use from the op's seed and seed2)."""
    from tfgraph.ops.philox import PhiloxState

    attrs = op._attrs
    seed, seed2 = attrs["seed"], attrs["seed2"]
    if ctx is None:
        return PhiloxState(seed, seed2)
    store = ctx.resources_for(op)
    # (keyed by the op's name and seeds: eagerly, where names repeat, each seed pair has
    # its own stream, as each of TF's cached eager kernels has)
    return store.state(("philox", op._name, seed, seed2), lambda: PhiloxState(seed, seed2))


def _tf_random_kernel(fill):
    """A kernel drawing TF's exact values: fill(key, counter, n, dtype) -> flat values."""

    def make(op, ctx):
        stream = _tf_stream(op, ctx)
        dtype = op._attrs["dtype"]

        def kernel(shape):
            dims = _shape_of(op, shape)
            n = int(np.prod(dims))
            values = fill(stream.key, stream.reserve(n), n, dtype)
            return _as_float(values.reshape(dims), dtype)

        return kernel

    return make


def _uniform_fill(key, counter, n, dtype):
    from tfgraph.ops import philox

    if dtype in (dtypes.float16, dtypes.bfloat16):
        return philox.uniform_16bit(key, counter, n, half=dtype is dtypes.float16)
    return philox.uniform(key, counter, n, double=dtype is dtypes.float64)


def _normal_fill(key, counter, n, dtype):
    from tfgraph.ops import philox

    return philox.normal(key, counter, n, double=dtype is dtypes.float64)


def _truncated_normal_fill(key, counter, n, dtype):
    from tfgraph.ops import philox

    return philox.truncated_normal(key, counter, n, double=dtype is dtypes.float64)


_uniform_kernel = _tf_random_kernel(_uniform_fill)
_normal_kernel = _tf_random_kernel(_normal_fill)
_truncated_normal_kernel = _tf_random_kernel(_truncated_normal_fill)


_FLOAT_ATTRS = ["dtype: {half, bfloat16, float, double}", "T: {int32, int64}"]

for _op_type, _make in (
    ("RandomUniform", _uniform_kernel),
    ("RandomStandardNormal", _normal_kernel),
    ("TruncatedNormal", _truncated_normal_kernel),
):
    register_op(
        _op_type,
        inputs=["shape: T"],
        outputs=["output: dtype"],
        attrs=_SEED_ATTRS + _FLOAT_ATTRS,
        shape=_random_shape,
        make_kernel=_make,
        grad=NOT_DIFFERENTIABLE,
        stateful=True,
    )


def _uniform_int_shape(op):
    for t, what in ((op._inputs[1], "minval"), (op._inputs[2], "maxval")):
        dims = t._shape._dims
        if dims is not None and len(dims) != 0:
            raise ValueError(
                f"Shape must be rank 0 but is rank {len(dims)} for '{op.name}' (op: "
                f"'RandomUniformInt') ({what})"
            )
    return _random_shape(op)


def _uniform_int_kernel(op, ctx):
    from tfgraph.ops import philox

    stream = _tf_stream(op, ctx)
    np_dtype = op._attrs["Tout"].np_dtype

    def kernel(shape, lo, hi):
        dims = _shape_of(op, shape)
        lo, hi = int(lo), int(hi)
        n = int(np.prod(dims))
        if lo >= hi and n > 0:
            raise errors.InvalidArgumentError(None, op, f"Need minval < maxval, got {lo} >= {hi}")
        counter = stream.reserve(n)
        if lo >= hi:
            return np.zeros(dims, dtype=np_dtype)
        values = philox.uniform_int(stream.key, counter, n, lo, hi, np_dtype == np.int64)
        return values.reshape(dims).astype(np_dtype)

    return kernel


register_op(
    "RandomUniformInt",
    inputs=["shape: T", "minval: Tout", "maxval: Tout"],
    outputs=["output: Tout"],
    attrs=[*_SEED_ATTRS, "Tout: {int32, int64}", "T: {int32, int64}"],
    shape=_uniform_int_shape,
    make_kernel=_uniform_int_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _shuffle_kernel(op, ctx):
    from tfgraph.ops import philox

    stream = _tf_stream(op, ctx)

    def kernel(value):
        value = np.asarray(value)
        if value.ndim == 0:
            return value
        size = value.shape[0]
        # TF: size - 1 32-bit samples reserved (in 128-bit steps), then its swap loop.
        counter = stream.reserve((size - 1 + 3) // 4, multiplier=1)
        return value[philox.shuffle_permutation(stream.key, counter, size)]

    return kernel


register_op(
    "RandomShuffle",
    inputs=["value: T"],
    outputs=["output: T"],
    attrs=[*_SEED_ATTRS, "T: type"],
    shape=lambda op: [op._inputs[0]._shape],
    make_kernel=_shuffle_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _multinomial_shape(op):
    logits = op._inputs[0]._shape._dims
    if logits is not None and len(logits) != 2:
        raise ValueError(
            f"Shape must be rank 2 but is rank {len(logits)} for '{op.name}' (op: 'Multinomial')"
        )
    num = constant_value(op._inputs[1])
    batch = None if logits is None else logits[0]
    return [TensorShape._from_tuple((batch, None if num is None else int(num)))]


def _multinomial_kernel(op, ctx):
    stream = _tf_stream(op, ctx)
    np_dtype = op._attrs["output_dtype"].np_dtype

    def kernel(logits, num_samples):
        logits = np.asarray(logits)
        n = int(num_samples)
        if n < 0:
            raise errors.InvalidArgumentError(
                None, op, f"num_samples should be nonnegative, got {n}"
            )
        batch = logits.shape[0]
        # (TF reserves for ceil(n / 4) * 4 samples per row, two 32-bit draws each)
        counter = stream.reserve(batch * ((n + 3) // 4 * 4) * 2)
        return multinomial_draws(stream.key, counter, logits, n, np_dtype)

    return kernel


def multinomial_draws(key, counter: int, logits: np.ndarray, n: int, np_dtype) -> np.ndarray:
    """TF's Multinomial kernel from Philox `key` at `counter`: [batch, n] class indices.
    Rows are split into the blocks TF's CPU thread pool gives them (one per CPU this
    process may run on, as TF's default); each block's draws start `start_row * (n + 3)
    // 4` counters on."""
    from tfgraph.ops import philox

    batch, classes = logits.shape
    out = np.empty((batch, n), dtype=np_dtype)
    cost = int(50 * (n * np.log(classes) / np.log(2) + classes)) if classes else 50 * n
    for start, limit in parallel_blocks(batch, cost):
        # TF's kernel: per row, an unnormalized CDF of exp(logit - max finite logit) in
        # double (non-finite logits add nothing), then upper_bound(u * total) for each
        # sample, u a double from two 32-bit samples of one sequential stream per block.
        skip = start * (n + 3) // 4
        u = philox.uniform_doubles_single(key, counter + skip, (limit - start) * n)
        u = u.reshape(limit - start, n)
        for b in range(start, limit):
            row = logits[b]
            finite = np.isfinite(row)
            top = row[finite].max() if finite.any() else np.finfo(np.float64).min
            cdf = np.cumsum(np.where(finite, np.exp(row.astype(np.float64) - float(top)), 0.0))
            if classes:
                out[b] = np.searchsorted(cdf, u[b - start] * cdf[-1], side="right")
            else:
                out[b] = 0
    return out


def parallel_blocks(total: int, cost_per_unit: int, threads: int | None = None) -> list:
    """The [start, limit) pieces TF's CPU thread pool splits `total` units of work into
    (tensorflow::Shard -> Eigen's parallelFor and its cost model), `threads` the pool's
    size (default: the CPUs this process may run on, TF's default intra-op pool)."""
    import os

    if threads is None:
        threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if total <= 0:
        return []
    work = total * float(cost_per_unit)
    wanted = int(min(max((work - 100000) / 100000 + 0.9, 1), threads))
    if total == 1 or threads <= 1 or wanted == 1:
        return [(0, total)]
    block_size_f = 40000 / float(cost_per_unit) if cost_per_unit else float(total)
    size = min(total, max(-(-total // (4 * threads)), int(block_size_f)))
    max_size = min(total, 2 * size)
    count = -(-total // size)
    best = count / (-(-count // threads) * threads)
    prev = count
    while best < 1.0 and prev > 1:
        coarser = -(-total // (prev - 1))
        if coarser > max_size:
            break
        coarser_count = -(-total // coarser)
        prev = coarser_count
        efficiency = coarser_count / (-(-coarser_count // threads) * threads)
        if efficiency + 0.01 >= best:
            size, count = coarser, coarser_count
            best = max(best, efficiency)
    return [(start, min(start + size, total)) for start in range(0, total, size)]


register_op(
    "Multinomial",
    inputs=["logits: T", "num_samples: int32"],
    outputs=["output: output_dtype"],
    attrs=[*_SEED_ATTRS, "T: realnumbertype", "output_dtype: {int32, int64} = int64"],
    shape=_multinomial_shape,
    make_kernel=_multinomial_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


# -- public functions -------------------------------------------------------------------------
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_FAST_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)


def _const(g, value: np.ndarray, dtype: dtypes.DType, name: str) -> Tensor:
    """A Const op holding `value` (already of `dtype`'s numpy type)."""
    value.flags.writeable = False
    return g._create_op("Const", [], {"value": value, "dtype": dtype}, name)._outputs[0]


def _shape_tensor(shape) -> Tensor:
    """`shape` as the 1-D int tensor `shape` (TF's `shape_util.shape_tensor`)."""
    dtype = None
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    if isinstance(shape, (tuple, list)):
        if all(d.__class__ is int and _INT32_MIN <= d <= _INT32_MAX for d in shape):
            # The common case (static Python ints) without the general conversion.
            return _const(get_default_graph(), np.array(shape, np.int32), dtypes.int32, "shape")
        if not shape:
            dtype = dtypes.int32
        else:
            shape = tuple(d.value if isinstance(d, Dimension) else d for d in shape)
    return convert_to_tensor(shape, dtype=dtype, name="shape")


def _scalar(value, dtype: dtypes.DType, name: str) -> Tensor:
    """`convert_to_tensor(value, dtype, name)`, direct for Python numbers and floats."""
    cls = value.__class__
    if (cls is float or cls is int) and dtype in _FAST_FLOATS:
        return _const(get_default_graph(), np.array(value, dtype.np_dtype), dtype, name)
    return convert_to_tensor(value, dtype=dtype, name=name)


def _binary(op_type: str, x: Tensor, y: Tensor, name: str) -> Tensor:
    """`x <op> y` for two tensors, named as the operator or math function names it."""
    return x._op._graph._create_op(op_type, [x, y], {}, name)._outputs[0]


def _seed_attrs(seed) -> dict:
    seed1, seed2 = get_seed(seed)
    return {"seed": seed1 or 0, "seed2": seed2 or 0}


def random_uniform(
    shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name: str | None = None
) -> Tensor:
    """Values drawn uniformly from `[minval, maxval)` (TF1 `tf.random_uniform`).

    Floats default to `[0, 1)`; integer dtypes need `maxval`.

    Args:
        shape: the output shape (a list, TensorShape or 1-D int tensor).
        minval: the inclusive lower bound.
        maxval: the exclusive upper bound (1 for floats when None).
        dtype: float16, bfloat16, float32, float64, int32 or int64.
        seed: the op-level seed (see `tf.set_random_seed`).
        name: the name scope (default "random_uniform").
    """
    dtype = dtypes.as_dtype(dtype)
    accepted = (
        dtypes.float16,
        dtypes.bfloat16,
        dtypes.float32,
        dtypes.float64,
        dtypes.int32,
        dtypes.int64,
    )
    if dtype not in accepted:
        raise ValueError(
            f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are "
            f"({', '.join(repr(d) for d in accepted)})."
        )
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    g = get_default_graph()
    with g.name_scope(name or "random_uniform") as scope:
        shape_t = _shape_tensor(shape)
        minval_is_zero = isinstance(minval, int) and minval == 0
        maxval_is_one = isinstance(maxval, int) and maxval == 1
        if not minval_is_zero or not maxval_is_one or dtype.is_integer:
            minval = _scalar(minval, dtype, "min")
            maxval = _scalar(maxval, dtype, "max")
        attrs = _seed_attrs(seed)
        if dtype.is_integer:
            attrs["Tout"] = dtype
            return op_output("RandomUniformInt", scope, [shape_t, minval, maxval], attrs)
        attrs["dtype"] = dtype
        result = op_output("RandomUniform", None, [shape_t], attrs)
        if minval_is_zero:
            if not maxval_is_one:
                result = math_ops.multiply(result, maxval)
            return result
        # result * (maxval - minval) + minval, named as TF's operators name them.
        scaled = _binary("Mul", result, _binary("Sub", maxval, minval, "sub"), "mul")
        return _binary("AddV2", scaled, minval, scope)


def _scaled_normal(op_type, default_name, shape, mean, stddev, dtype, seed, name) -> Tensor:
    dtype = dtypes.as_dtype(dtype)
    g = get_default_graph()
    with g.name_scope(name or default_name) as scope:
        shape_t = _shape_tensor(shape)
        mean_t = _scalar(mean, dtype, "mean")
        stddev_t = _scalar(stddev, dtype, "stddev")
        attrs = _seed_attrs(seed)
        attrs["dtype"] = dtype
        rnd = op_output(op_type, None, [shape_t], attrs)
        return _binary("AddV2", _binary("Mul", rnd, stddev_t, "mul"), mean_t, scope)


def random_normal(
    shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name: str | None = None
) -> Tensor:
    """Values drawn from a normal distribution (TF1 `tf.random_normal`).

    Args:
        shape: the output shape.
        mean: the mean of the distribution.
        stddev: its standard deviation.
        dtype: a floating dtype.
        seed: the op-level seed.
        name: the name scope (default "random_normal").
    """
    return _scaled_normal(
        "RandomStandardNormal", "random_normal", shape, mean, stddev, dtype, seed, name
    )


def truncated_normal(
    shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name: str | None = None
) -> Tensor:
    """Values from a normal distribution, redrawn when more than two standard deviations
    from the mean (TF1 `tf.truncated_normal`)."""
    return _scaled_normal(
        "TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype, seed, name
    )


def random_shuffle(value, seed=None, name: str | None = None) -> Tensor:
    """`value` with its first dimension randomly permuted (TF1 `tf.random_shuffle`)."""
    attrs = _seed_attrs(seed)
    return op_output("RandomShuffle", name, [value], attrs)


def _categorical(logits, num_samples, dtype, seed) -> Tensor:
    logits = convert_to_tensor(logits, name="logits")
    dtype = dtypes.as_dtype(dtype) if dtype else dtypes.int64
    if dtype not in (dtypes.int32, dtypes.int64):
        raise ValueError(
            f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are (tf.int32, tf.int64)."
        )
    attrs = _seed_attrs(seed)
    attrs["output_dtype"] = dtype
    return op_output("Multinomial", None, [logits, num_samples], attrs)


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None) -> Tensor:
    """Samples class indices from `logits` [batch, classes] (TF1 `tf.multinomial`)."""
    g = get_default_graph()
    with g.name_scope(name or "multinomial"):
        return _categorical(logits, num_samples, output_dtype, seed)


def categorical(logits, num_samples, dtype=None, seed=None, name=None) -> Tensor:
    """Samples class indices from `logits` [batch, classes] (`tf.random.categorical`)."""
    g = get_default_graph()
    with g.name_scope(name or "categorical"):
        return _categorical(logits, num_samples, dtype, seed)


# Names kept for `tfgraph.random` and callers that import them from here.
uniform = random_uniform
normal = random_normal
shuffle = random_shuffle


def random_crop(value, size, seed=None, name=None) -> Tensor:
    """A random `size` slice of `value` (every offset equally likely), as TF builds it:
    an Assert that `size` fits, a RandomUniformInt offset, a Slice."""

    def offsets(shape, dtype):
        return random_uniform(shape, dtype=dtype, maxval=dtype.max, seed=seed)

    return _random_crop(value, size, name, offsets)


def stateless_random_crop(value, size, seed, name=None) -> Tensor:
    """TF2's `tf.image.stateless_random_crop`: random_crop's slice, its offset drawn by
    stateless_random_uniform from `seed` (shape [2])."""
    from tfgraph.ops.stateless_random_ops import stateless_uniform

    def offsets(shape, dtype):
        return stateless_uniform(shape, seed, maxval=dtype.max, dtype=dtype)

    return _random_crop(value, size, name, offsets)


def _random_crop(value, size, name, offsets) -> Tensor:
    from tfgraph.ops import array_ops, check_ops, control_flow_ops

    with get_default_graph().name_scope(name or "random_crop") as scope:
        value = convert_to_tensor(value, name="value")
        size = convert_to_tensor(size, dtype=dtypes.int32, name="size")
        shape = array_ops.shape(value)
        check = check_ops.Assert(
            math_ops.reduce_all(math_ops.greater_equal(shape, size)),
            ["Need value.shape >= size, got ", shape, size],
            summarize=1000,
        )
        checked = control_flow_ops.with_dependencies([check], shape)
        limit = checked - size + 1
        offset = offsets(array_ops.shape(checked), size.dtype) % limit
        return array_ops.slice(value, offset, size, name=scope)


# -- RandomPoissonV2 ------------------------------------------------------------------------
def _poisson_shape(op):
    sample = constant_value_as_shape(op._inputs[0])
    return [sample.concatenate(op._inputs[1]._shape)]


def _poisson_kernel(op, ctx):
    from tfgraph.ops.stateless_random_ops import poisson_draws

    stream = _tf_stream(op, ctx)
    out_dtype = op._attrs["dtype"]

    def kernel(shape, rate):
        dims = _shape_of(op, shape)
        rate = np.asarray(rate)
        per_rate = int(np.prod(dims))
        # (TF: 256 counters reserved per output; output k draws from counter + 256 * k)
        counter = stream.reserve(per_rate * rate.size)
        draws = poisson_draws(stream.key, counter, per_rate, rate.astype(np.float64))
        draws = draws.reshape(dims + rate.shape)
        if out_dtype.is_integer:  # (an integer's "infinity", as C++'s numeric_limits, is 0)
            return np.where(np.isfinite(draws), draws, 0).astype(out_dtype.np_dtype)
        if out_dtype is dtypes.float16:
            draws = draws.astype(np.float32)
        return draws.astype(out_dtype.np_dtype)

    return kernel


register_op(
    "RandomPoissonV2",
    inputs=["shape: S", "rate: R"],
    outputs=["output: dtype"],
    attrs=_SEED_ATTRS
    + [
        "S: {int32, int64}",
        "R: {half, float, double, int32, int64} = double",
        "dtype: {half, float, double, int32, int64} = int64",
    ],
    shape=_poisson_shape,
    make_kernel=_poisson_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def random_poisson(lam, shape, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """`shape` Poisson samples for each rate in `lam` (result shape `shape + lam.shape`):
    TF's values (its PoissonFunctor on the op's Philox stream)."""
    with get_default_graph().name_scope(name or "random_poisson"):
        shape = convert_to_tensor(shape, name="shape", dtype=dtypes.int32)
        attrs = _seed_attrs(seed)
        attrs["dtype"] = dtypes.as_dtype(dtype)._base
        return op_output("RandomPoissonV2", "RandomPoissonV2", [shape, lam], attrs)


# -- RandomGamma ----------------------------------------------------------------------------
def _gamma_shape(op):
    sample = constant_value_as_shape(op._inputs[0])
    return [sample.concatenate(op._inputs[1]._shape)]


def _gamma_kernel(op, ctx):
    from tfgraph.ops import philox

    stream = _tf_stream(op, ctx)
    dtype = op._attrs["T"]

    def kernel(shape, alpha):
        dims = _shape_of(op, shape)
        alpha = np.asarray(alpha)
        per_alpha = int(np.prod(dims))
        out_shape = dims + alpha.shape
        if per_alpha * alpha.size == 0:
            return np.zeros(out_shape, dtype.np_dtype)
        counter = stream.reserve(per_alpha * alpha.size)
        values = philox.gamma(stream.key, counter, per_alpha, alpha.astype(np.float64))
        if dtype is dtypes.float16:  # (via float, as Eigen's half from double)
            values = values.astype(np.float32)
        return values.astype(dtype.np_dtype).reshape(out_shape)

    return kernel


def _random_gamma_grad(op, grad):
    """TF's: d sample / d alpha (RandomGammaGrad) summed over the sample dimensions."""
    from tfgraph.ops import array_ops

    shape, alpha = op._inputs
    sample = op._outputs[0]
    with get_default_graph().control_dependencies([grad]):
        num_sample_dims = array_ops.shape(shape)[0]
        new_shape = array_ops.concat(
            [array_ops.ones([num_sample_dims], dtype=dtypes.int32), array_ops.shape(alpha)],
            axis=0,
        )
        alpha_b = array_ops.reshape(alpha, new_shape)
        partial_a = op_output("RandomGammaGrad", None, [alpha_b, sample])
        return (
            None,
            math_ops.reduce_sum(grad * partial_a, axis=math_ops.range(num_sample_dims)),
        )


register_op(
    "RandomGamma",
    inputs=["shape: S", "alpha: T"],
    outputs=["output: T"],
    attrs=[*_SEED_ATTRS, "S: {int32, int64}", "T: {half, float, double}"],
    shape=_gamma_shape,
    make_kernel=_gamma_kernel,
    grad=_random_gamma_grad,
    stateful=True,
)


def _gamma_grad_kernel(alpha, sample):
    """d sample / d alpha of a standard gamma sample at fixed CDF (implicit
    differentiation): -(dP/da) / (dP/dx), P the regularized lower incomplete gamma."""
    from tfgraph.ops.special_math_ops import _igamma_grad_a

    a64 = np.asarray(alpha, np.float64)
    x64 = np.asarray(sample, np.float64)
    with np.errstate(all="ignore"):
        from scipy import special

        log_px = -x64 + (a64 - 1) * np.log(x64) - special.gammaln(a64)
        out = -_igamma_grad_a(a64, x64) / np.exp(log_px)
    return np.asarray(out, np.result_type(alpha, sample))


register_op(
    "RandomGammaGrad",
    inputs=["alpha: T", "sample: T"],
    outputs=["output: T"],
    attrs=["T: {float, double}"],
    shape=common_shapes.broadcast_shape,
    kernel=_gamma_grad_kernel,
    grad=None,
)


def random_gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """`shape` samples from each Gamma(alpha, beta) distribution (TF1 `tf.random_gamma`):
    result shape `shape + broadcast(alpha, beta).shape`, at least the dtype's smallest
    normal number. Seeded values are TF's (its RandomGamma kernel on its Philox stream)."""
    from tfgraph.ops import array_ops, manip_ops

    dtype = dtypes.as_dtype(dtype)
    with get_default_graph().name_scope(name or "random_gamma"):
        shape = convert_to_tensor(shape, name="shape", dtype=dtypes.int32)
        alpha = convert_to_tensor(alpha, name="alpha", dtype=dtype)
        beta = convert_to_tensor(1 if beta is None else beta, name="beta", dtype=dtype)
        broadcast = manip_ops.broadcast_dynamic_shape(array_ops.shape(alpha), array_ops.shape(beta))
        alpha_b = array_ops.broadcast_to(alpha, broadcast)
        attrs = _seed_attrs(seed)
        draws = op_output("RandomGamma", None, [shape, alpha_b], attrs)
        tiny = np.finfo(alpha.dtype.np_dtype).tiny
        return math_ops.maximum(tiny, draws / beta)


gamma = random_gamma


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def random_poisson_v2(shape, lam, dtype=dtypes.float32, seed=None, name=None):
    """TF2's `tf.random.poisson`: shape first, then lam (TF1 has lam first)."""
    return random_poisson(lam, shape, dtype=dtype, seed=seed, name=name)

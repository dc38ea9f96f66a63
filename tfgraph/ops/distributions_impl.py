"""TF1's `tf.distributions` (TF's deprecated tensorflow/python/ops/distributions), built
from tfgraph ops as TF's Python builds them: Distribution, ReparameterizationType,
Normal, Bernoulli, Categorical, kl_divergence and RegisterKL. Each method's ops sit
under `<Name>/<method>/` (e.g. `Normal/sample/...`)."""

from __future__ import annotations

import contextlib
import math

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, math_ops, nn_ops, random_ops, special_math_ops

__all__ = [
    "FULLY_REPARAMETERIZED",
    "NOT_REPARAMETERIZED",
    "Bernoulli",
    "Beta",
    "Categorical",
    "Dirichlet",
    "Distribution",
    "Exponential",
    "Gamma",
    "Laplace",
    "Normal",
    "RegisterKL",
    "ReparameterizationType",
    "StudentT",
    "Uniform",
    "kl_divergence",
]


class ReparameterizationType:
    """Whether samples are differentiable in the parameters (TF's enum-like class)."""

    def __init__(self, rep_type: str) -> None:
        self._rep_type = rep_type

    def __repr__(self) -> str:
        return f"<Reparameterization Type: {self._rep_type}>"

    def __eq__(self, other) -> bool:
        return self is other

    __hash__ = object.__hash__


FULLY_REPARAMETERIZED = ReparameterizationType("FULLY_REPARAMETERIZED")
NOT_REPARAMETERIZED = ReparameterizationType("NOT_REPARAMETERIZED")


class Distribution:
    """The base class: public methods open `<name>/<method>` scopes and call the
    subclass's `_<method>`."""

    def __init__(
        self,
        dtype,
        reparameterization_type,
        validate_args,
        allow_nan_stats,
        parameters=None,
        graph_parents=None,
        name=None,
    ):
        self._dtype = dtype
        self._reparameterization_type = reparameterization_type
        self._validate_args = validate_args
        self._allow_nan_stats = allow_nan_stats
        self._parameters = dict(parameters or {})
        self._parameters.pop("self", None)
        self._graph_parents = list(graph_parents or [])
        self._name = name

    name = property(lambda self: self._name)
    dtype = property(lambda self: self._dtype)
    parameters = property(lambda self: dict(self._parameters))
    reparameterization_type = property(lambda self: self._reparameterization_type)
    allow_nan_stats = property(lambda self: self._allow_nan_stats)
    validate_args = property(lambda self: self._validate_args)

    @contextlib.contextmanager
    def _name_scope(self, name=None):
        g = get_default_graph()
        with g.name_scope(self._name), g.name_scope(name) as scope:
            yield scope

    def batch_shape_tensor(self, name="batch_shape_tensor"):
        with self._name_scope(name):
            if self.batch_shape.is_fully_defined():
                return convert_to_tensor(self.batch_shape.as_list(), dtypes.int32, "batch_shape")
            return self._batch_shape_tensor()

    @property
    def batch_shape(self) -> TensorShape:
        return self._batch_shape()  # type: ignore[attr-defined]  # (each subclass's)

    def event_shape_tensor(self, name="event_shape_tensor"):
        with self._name_scope(name):
            if self.event_shape.is_fully_defined():
                return convert_to_tensor(self.event_shape.as_list(), dtypes.int32, "event_shape")
            return self._event_shape_tensor()

    @property
    def event_shape(self) -> TensorShape:
        return self._event_shape()

    def _event_shape(self):
        return TensorShape([])

    def _event_shape_tensor(self):
        return convert_to_tensor([], dtypes.int32)

    def sample(self, sample_shape=(), seed=None, name="sample"):
        with self._name_scope(name):
            sample_shape = convert_to_tensor(sample_shape, dtypes.int32, "sample_shape")
            ndims = sample_shape._shape.ndims
            if ndims == 0:
                n = sample_shape
                sample_shape = array_ops.reshape(sample_shape, [1])
            else:
                n = math_ops.reduce_prod(sample_shape)
            samples = self._sample_n(n, seed)
            batch_event = array_ops.shape(samples)[1:]
            final = array_ops.concat([sample_shape, batch_event], 0)
            return array_ops.reshape(samples, final)

    def _call(self, method, name, *args):
        with self._name_scope(name):
            args = [convert_to_tensor(a, name="value", dtype=self._value_dtype()) for a in args]
            return getattr(self, "_" + method)(*args)

    def _value_dtype(self):
        return self.dtype

    def log_prob(self, value, name="log_prob"):
        return self._call("log_prob", name, value)

    def prob(self, value, name="prob"):
        if type(self)._prob is Distribution._prob:
            with self._name_scope(name):
                return math_ops.exp(self._log_prob(self._convert(value)))
        return self._call("prob", name, value)

    def _prob(self, x):
        raise NotImplementedError

    def _convert(self, value):
        return convert_to_tensor(value, name="value", dtype=self._value_dtype())

    def cdf(self, value, name="cdf"):
        return self._call("cdf", name, value)

    def log_cdf(self, value, name="log_cdf"):
        return self._call("log_cdf", name, value)

    def survival_function(self, value, name="survival_function"):
        with self._name_scope(name):
            return self._survival_function(self._convert(value))

    def _survival_function(self, x):
        return 1.0 - self._cdf(x)

    def _stddev(self):
        return math_ops.sqrt(self._variance())

    def log_survival_function(self, value, name="log_survival_function"):
        with self._name_scope(name):
            return math_ops.log1p(-self._cdf(self._convert(value)))

    def entropy(self, name="entropy"):
        return self._call("entropy", name)

    def mean(self, name="mean"):
        return self._call("mean", name)

    def variance(self, name="variance"):
        return self._call("variance", name)

    def stddev(self, name="stddev"):
        with self._name_scope(name):
            return self._stddev()

    def mode(self, name="mode"):
        return self._call("mode", name)

    def kl_divergence(self, other, name="kl_divergence"):
        with self._name_scope(name):
            return kl_divergence(self, other)

    def cross_entropy(self, other, name="cross_entropy"):
        with self._name_scope(name):
            return self._entropy() + kl_divergence(self, other)


def _broadcast_static(*tensors) -> TensorShape:
    from tfgraph.ops.common_shapes import broadcast_dims

    dims: tuple | None = ()
    for t in tensors:
        dims = broadcast_dims(dims, t._shape._dims)
    return TensorShape(None if dims is None else list(dims))


def _ndtr(x):
    with get_default_graph().name_scope("ndtr"):
        return _ndtr_body(x)


def _ndtr_body(x):
    half_sqrt_2 = 0.5 * math.sqrt(2.0)
    w = x * half_sqrt_2
    z = math_ops.abs(w)
    y = array_ops.where(
        math_ops.less(z, half_sqrt_2),
        1.0 + special_math_ops.erf(w),
        array_ops.where(
            math_ops.greater(w, 0.0), 2.0 - special_math_ops.erfc(z), special_math_ops.erfc(z)
        ),
    )
    return 0.5 * y


class Normal(Distribution):
    """The normal distribution N(loc, scale**2)."""

    def __init__(self, loc, scale, validate_args=False, allow_nan_stats=True, name="Normal"):
        parameters = dict(locals())
        with get_default_graph().name_scope(name) as name:
            self._loc = array_ops.identity(convert_to_tensor(loc, name="loc"), name="loc")
            self._scale = array_ops.identity(
                convert_to_tensor(scale, name="scale", dtype=self._loc.dtype), name="scale"
            )
        super().__init__(
            self._scale.dtype,
            FULLY_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            [self._loc, self._scale],
            name,
        )

    loc = property(lambda self: self._loc)
    scale = property(lambda self: self._scale)

    def _batch_shape(self):
        return _broadcast_static(self._loc, self._scale)

    def _batch_shape_tensor(self):
        from tfgraph.ops.manip_ops import broadcast_dynamic_shape

        return broadcast_dynamic_shape(array_ops.shape(self._loc), array_ops.shape(self._scale))

    def _sample_n(self, n, seed=None):
        shape = array_ops.concat([[n], self.batch_shape_tensor()], 0)
        sampled = random_ops.random_normal(shape, 0.0, 1.0, dtype=self._loc.dtype, seed=seed)
        return sampled * self._scale + self._loc

    def _z(self, x):
        with get_default_graph().name_scope("standardize"):
            return (x - self._loc) / self._scale

    def _log_prob(self, x):
        return -0.5 * math_ops.square(self._z(x)) - (
            0.5 * math.log(2.0 * math.pi) + math_ops.log(self._scale)
        )

    def _prob(self, x):
        return math_ops.exp(self._log_prob(x))

    def _cdf(self, x):
        return _ndtr(self._z(x))

    def _log_cdf(self, x):
        return math_ops.log(_ndtr(self._z(x)))

    def _survival_function(self, x):
        return _ndtr(-self._z(x))

    def _stddev(self):
        return self._scale * array_ops.ones_like(self._loc)

    def _entropy(self):
        scale = self._scale * array_ops.ones_like(self._loc)
        return 0.5 * math.log(2.0 * math.pi * math.e) + math_ops.log(scale)

    def _mean(self):
        return self._loc * array_ops.ones_like(self._scale)

    def _variance(self):
        return math_ops.square(self._scale * array_ops.ones_like(self._loc))

    _mode = _mean


def _logits_and_probs(logits, probs, multidimensional, dtype, name):
    with get_default_graph().name_scope(name):
        if (probs is None) == (logits is None):
            raise ValueError("Must pass probs or logits, but not both.")
        if probs is None:
            logits = convert_to_tensor(logits, name="logits", dtype=dtype)
            probs = nn_ops.softmax(logits) if multidimensional else math_ops.sigmoid(logits)
            return logits, probs
        probs = convert_to_tensor(probs, name="probs", dtype=dtype)
        with get_default_graph().name_scope("logits"):
            if multidimensional:
                return math_ops.log(probs), probs
            return math_ops.log(probs) - math_ops.log1p(-1.0 * probs), probs


class Bernoulli(Distribution):
    """The Bernoulli distribution over {0, 1} with P(1) = probs = sigmoid(logits)."""

    def __init__(
        self,
        logits=None,
        probs=None,
        dtype=dtypes.int32,
        validate_args=False,
        allow_nan_stats=True,
        name="Bernoulli",
    ):
        parameters = dict(locals())
        with get_default_graph().name_scope(name) as name:
            self._logits, self._probs = _logits_and_probs(
                logits, probs, False, None, "get_logits_and_probs"
            )
        super().__init__(
            dtypes.as_dtype(dtype),
            NOT_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            [self._logits, self._probs],
            name,
        )

    logits = property(lambda self: self._logits)
    probs = property(lambda self: self._probs)

    def _value_dtype(self):
        return None

    def _batch_shape(self):
        return self._logits._shape

    def _batch_shape_tensor(self):
        return array_ops.shape(self._logits)

    def _sample_n(self, n, seed=None):
        shape = array_ops.concat([[n], self.batch_shape_tensor()], 0)
        uniform = random_ops.random_uniform(shape, seed=seed, dtype=self._probs.dtype)
        return array_ops.cast(math_ops.less(uniform, self._probs), self.dtype)

    def _log_prob(self, event):
        event = array_ops.cast(event, self._logits.dtype)
        logits = self._logits * array_ops.ones_like(event)
        event = event * array_ops.ones_like(self._logits)
        return -nn_ops.sigmoid_cross_entropy_with_logits(labels=event, logits=logits)

    def _prob(self, event):
        return math_ops.exp(self._log_prob(event))

    def _entropy(self):
        return -self._logits * (math_ops.sigmoid(self._logits) - 1) + nn_ops.softplus(-self._logits)

    def _mean(self):
        return array_ops.identity(self._probs)

    def _variance(self):
        return self._probs * (1.0 - self._probs)

    def _mode(self):
        return array_ops.cast(math_ops.greater(self._probs, 0.5), self.dtype)


class Categorical(Distribution):
    """The categorical distribution over {0, ..., K-1} (logits/probs of shape
    batch + [K])."""

    def __init__(
        self,
        logits=None,
        probs=None,
        dtype=dtypes.int32,
        validate_args=False,
        allow_nan_stats=True,
        name="Categorical",
    ):
        parameters = dict(locals())
        with get_default_graph().name_scope(name) as name:
            self._logits, self._probs = _logits_and_probs(
                logits, probs, True, None, "get_logits_and_probs"
            )
        super().__init__(
            dtypes.as_dtype(dtype),
            NOT_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            [self._logits, self._probs],
            name,
        )

    logits = property(lambda self: self._logits)
    probs = property(lambda self: self._probs)

    @property
    def event_size(self):
        return array_ops.shape(self._logits)[-1]

    def _value_dtype(self):
        return None

    def _batch_shape(self):
        dims = self._logits._shape._dims
        return TensorShape(None if dims is None else list(dims[:-1]))

    def _batch_shape_tensor(self):
        return array_ops.shape(self._logits)[:-1]

    def _sample_n(self, n, seed=None):
        logits_2d = array_ops.reshape(self._logits, [-1, self.event_size])
        draws = random_ops.multinomial(logits_2d, n, seed=seed, output_dtype=self.dtype)
        draws = array_ops.reshape(
            array_ops.transpose(draws), array_ops.concat([[n], self.batch_shape_tensor()], 0)
        )
        return array_ops.cast(draws, self.dtype)

    def _log_prob(self, k):
        k = array_ops.cast(k, dtypes.int32)
        logits = self._logits * array_ops.ones_like(
            array_ops.expand_dims(array_ops.cast(k, self._logits.dtype), -1)
        )
        k = k * array_ops.ones_like(math_ops.argmax(logits, -1, output_type=dtypes.int32))
        return -nn_ops.sparse_softmax_cross_entropy_with_logits(labels=k, logits=logits)

    def _prob(self, k):
        return math_ops.exp(self._log_prob(k))

    def _entropy(self):
        return -math_ops.reduce_sum(nn_ops.log_softmax(self._logits) * self._probs, axis=-1)

    def _mode(self):
        return array_ops.cast(math_ops.argmax(self._logits, axis=-1), self.dtype)


class _TwoParam(Distribution):
    """Shared pieces of distributions with two broadcast parameters `_a`, `_b`."""

    def _init2(self, a, b, names, reparam, validate_args, allow_nan_stats, parameters, name):
        with get_default_graph().name_scope(name) as name:
            ta = array_ops.identity(convert_to_tensor(a, name=names[0]), name=names[0])
            tb = array_ops.identity(
                convert_to_tensor(b, name=names[1], dtype=ta.dtype), name=names[1]
            )
        self._a, self._b = ta, tb
        Distribution.__init__(
            self, ta.dtype, reparam, validate_args, allow_nan_stats, parameters, [ta, tb], name
        )

    def _batch_shape(self):
        return _broadcast_static(self._a, self._b)

    def _batch_shape_tensor(self):
        from tfgraph.ops.manip_ops import broadcast_dynamic_shape

        return broadcast_dynamic_shape(array_ops.shape(self._a), array_ops.shape(self._b))

    def _sample_shape(self, n):
        return array_ops.concat([[n], self.batch_shape_tensor()], 0)

    def _prob(self, x):
        return math_ops.exp(self._log_prob(x))


class Uniform(_TwoParam):
    """The uniform distribution on [low, high)."""

    def __init__(
        self, low=0.0, high=1.0, validate_args=False, allow_nan_stats=True, name="Uniform"
    ):
        parameters = dict(locals())
        self._init2(
            low,
            high,
            ("low", "high"),
            FULLY_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            name,
        )

    low = property(lambda self: self._a)
    high = property(lambda self: self._b)

    def range(self, name="range"):
        with self._name_scope(name):
            return self._b - self._a

    def _sample_n(self, n, seed=None):
        samples = random_ops.random_uniform(self._sample_shape(n), dtype=self.dtype, seed=seed)
        return self._a + (self._b - self._a) * samples

    def _prob(self, x):
        broadcasted_x = x * array_ops.ones(self.batch_shape_tensor(), dtype=x.dtype)
        zeros = array_ops.zeros_like(broadcasted_x)
        inside = array_ops.ones_like(broadcasted_x) / (self._b - self._a)
        outside = math_ops.logical_or(
            math_ops.less(broadcasted_x, self._a), math_ops.greater_equal(broadcasted_x, self._b)
        )
        return array_ops.where_v2(
            math_ops.is_nan(broadcasted_x),
            broadcasted_x,
            array_ops.where_v2(outside, zeros, inside),
        )

    def _log_prob(self, x):
        return math_ops.log(self._prob(x))

    def _cdf(self, x):
        broadcasted_x = x * array_ops.ones(self.batch_shape_tensor(), dtype=x.dtype)
        zeros = array_ops.zeros_like(broadcasted_x)
        ones = array_ops.ones_like(broadcasted_x)
        inside = (broadcasted_x - self._a) / (self._b - self._a)
        below = array_ops.where_v2(math_ops.less(broadcasted_x, self._a), zeros, inside)
        return array_ops.where_v2(math_ops.greater_equal(broadcasted_x, self._b), ones, below)

    def _log_cdf(self, x):
        return math_ops.log(self._cdf(x))

    def _entropy(self):
        return math_ops.log(self._b - self._a)

    def _mean(self):
        return (self._a + self._b) / 2.0

    def _variance(self):
        return math_ops.square(self._b - self._a) / 12.0

    def _stddev(self):
        return (self._b - self._a) / math.sqrt(12.0)


class Gamma(_TwoParam):
    """The Gamma(concentration, rate) distribution."""

    def __init__(
        self, concentration, rate, validate_args=False, allow_nan_stats=True, name="Gamma"
    ):
        parameters = dict(locals())
        self._init2(
            concentration,
            rate,
            ("concentration", "rate"),
            FULLY_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            name,
        )

    concentration = property(lambda self: self._a)
    rate = property(lambda self: self._b)

    def _sample_n(self, n, seed=None):
        return random_ops.random_gamma([n], self._a, beta=self._b, dtype=self.dtype, seed=seed)

    def _log_prob(self, x):
        unnorm = special_math_ops.xlogy(self._a - 1.0, x) - self._b * x
        norm = special_math_ops.lgamma(self._a) - self._a * math_ops.log(self._b)
        return unnorm - norm

    def _cdf(self, x):
        return special_math_ops.igamma(self._a, self._b * x)

    def _log_cdf(self, x):
        return math_ops.log(self._cdf(x))

    def _entropy(self):
        c = self._a
        return (
            c
            - math_ops.log(self._b)
            + special_math_ops.lgamma(c)
            + (1.0 - c) * special_math_ops.digamma(c)
        )

    def _mean(self):
        return self._a / self._b

    def _variance(self):
        return self._a / math_ops.square(self._b)

    def _stddev(self):
        return math_ops.sqrt(self._a) / self._b

    def _mode(self):
        mode = (self._a - 1.0) / self._b
        if not self._allow_nan_stats:
            return mode
        nan = np.array(np.nan, self.dtype.np_dtype)
        return array_ops.where_v2(
            math_ops.greater(self._a, 1.0), mode, array_ops.fill(array_ops.shape(mode), nan)
        )


class Exponential(Gamma):
    """The exponential distribution with the given rate (Gamma(1, rate))."""

    def __init__(self, rate, validate_args=False, allow_nan_stats=True, name="Exponential"):
        parameters = dict(locals())
        with get_default_graph().name_scope(name) as scope:
            rate_t = convert_to_tensor(rate, name="rate")
        super().__init__(
            _ones_like_in(scope, rate_t), rate_t, validate_args, allow_nan_stats, scope
        )
        self._parameters = parameters

    def _sample_n(self, n, seed=None):
        minval = np.finfo(self.dtype.np_dtype).tiny
        u = random_ops.random_uniform(
            self._sample_shape(n), minval=minval, maxval=1.0, seed=seed, dtype=self.dtype
        )
        return -math_ops.log(u) / self._b


def _ones_like_in(scope, t):
    with get_default_graph().name_scope(scope):
        return array_ops.ones_like(t)


class Laplace(_TwoParam):
    """The Laplace(loc, scale) distribution."""

    def __init__(self, loc, scale, validate_args=False, allow_nan_stats=True, name="Laplace"):
        parameters = dict(locals())
        self._init2(
            loc,
            scale,
            ("loc", "scale"),
            FULLY_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            name,
        )

    loc = property(lambda self: self._a)
    scale = property(lambda self: self._b)

    def _sample_n(self, n, seed=None):
        np_dtype = self.dtype.np_dtype
        minval = np.nextafter(np_dtype.type(-1.0), np_dtype.type(0.0))
        u = random_ops.random_uniform(
            self._sample_shape(n), minval=minval, maxval=1.0, dtype=self.dtype, seed=seed
        )
        return self._a - self._b * math_ops.sign(u) * math_ops.log1p(-math_ops.abs(u))

    def _z(self, x):
        return (x - self._a) / self._b

    def _log_prob(self, x):
        return -math.log(2.0) - math_ops.log(self._b) - math_ops.abs(self._z(x))

    def _cdf(self, x):
        z = self._z(x)
        return 0.5 - 0.5 * math_ops.sign(z) * math_ops.expm1(-math_ops.abs(z))

    def _log_cdf(self, x):
        return math_ops.log(self._cdf(x))

    def _entropy(self):
        scale = self._b + array_ops.zeros_like(self._a)
        return math.log(2.0) + 1.0 + math_ops.log(scale)

    def _mean(self):
        return self._a + array_ops.zeros_like(self._b)

    def _stddev(self):
        return math.sqrt(2.0) * self._b + array_ops.zeros_like(self._a)

    def _variance(self):
        return math_ops.square(self._stddev())

    _mode = _mean


def _gen_new_seed(seed, salt):
    """TF's distribution_util.gen_new_seed: a second op seed derived from `seed`."""
    import hashlib

    if seed is None:
        return None
    digest = hashlib.md5((str(seed) + salt).encode("utf-8")).hexdigest()
    return int(digest[:8], 16) & 0x7FFFFFFF


def _nan_where_not(cond, value, shape, dtype):
    nan = array_ops.fill(shape, np.array(np.nan, dtype.np_dtype), name="nan")
    return array_ops.where_v2(cond, value, nan)


class Beta(_TwoParam):
    """The Beta(concentration1, concentration0) distribution on (0, 1)."""

    def __init__(
        self,
        concentration1=None,
        concentration0=None,
        validate_args=False,
        allow_nan_stats=True,
        name="Beta",
    ):
        parameters = dict(locals())
        self._init2(
            concentration1,
            concentration0,
            ("concentration1", "concentration0"),
            FULLY_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            name,
        )
        with get_default_graph().name_scope(self._name):
            self._total = self._a + self._b

    concentration1 = property(lambda self: self._a)
    concentration0 = property(lambda self: self._b)
    total_concentration = property(lambda self: self._total)

    def _sample_n(self, n, seed=None):
        c1 = array_ops.ones_like(self._total, dtype=self.dtype) * self._a
        c0 = array_ops.ones_like(self._total, dtype=self.dtype) * self._b
        g1 = random_ops.random_gamma(shape=[n], alpha=c1, dtype=self.dtype, seed=seed)
        g2 = random_ops.random_gamma(
            shape=[n], alpha=c0, dtype=self.dtype, seed=_gen_new_seed(seed, "beta")
        )
        return g1 / (g1 + g2)

    def _log_normalization(self):
        lg = special_math_ops.lgamma
        return lg(self._a) + lg(self._b) - lg(self._total)

    def _log_prob(self, x):
        unnorm = special_math_ops.xlogy(self._a - 1.0, x) + (self._b - 1.0) * math_ops.log1p(-x)
        return unnorm - self._log_normalization()

    def _cdf(self, x):
        return special_math_ops.betainc(self._a, self._b, x)

    def _log_cdf(self, x):
        return math_ops.log(self._cdf(x))

    def _entropy(self):
        dg = special_math_ops.digamma
        return (
            self._log_normalization()
            - (self._a - 1.0) * dg(self._a)
            - (self._b - 1.0) * dg(self._b)
            + (self._total - 2.0) * dg(self._total)
        )

    def _mean(self):
        return self._a / self._total

    def _variance(self):
        return self._mean() * (1.0 - self._mean()) / (1.0 + self._total)

    def _mode(self):
        mode = (self._a - 1.0) / (self._total - 2.0)
        if not self._allow_nan_stats:
            return mode
        ok = math_ops.logical_and(math_ops.greater(self._a, 1.0), math_ops.greater(self._b, 1.0))
        return _nan_where_not(ok, mode, self.batch_shape_tensor(), self.dtype)


class StudentT(Distribution):
    """Student's t distribution with `df` degrees of freedom, location and scale."""

    def __init__(self, df, loc, scale, validate_args=False, allow_nan_stats=True, name="StudentT"):
        parameters = dict(locals())
        with get_default_graph().name_scope(name) as name:
            self._df = array_ops.identity(convert_to_tensor(df, name="df"), name="df")
            dt = self._df.dtype
            self._loc = array_ops.identity(convert_to_tensor(loc, name="loc", dtype=dt), "loc")
            self._scale = array_ops.identity(
                convert_to_tensor(scale, name="scale", dtype=dt), name="scale"
            )
        super().__init__(
            dt,
            FULLY_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            [self._df, self._loc, self._scale],
            name,
        )

    df = property(lambda self: self._df)
    loc = property(lambda self: self._loc)
    scale = property(lambda self: self._scale)

    def _batch_shape(self):
        return _broadcast_static(self._df, self._loc, self._scale)

    def _batch_shape_tensor(self):
        from tfgraph.ops.manip_ops import broadcast_dynamic_shape

        shape = array_ops.shape
        return broadcast_dynamic_shape(
            shape(self._df), broadcast_dynamic_shape(shape(self._loc), shape(self._scale))
        )

    def _ones(self):
        return array_ops.ones(self.batch_shape_tensor(), dtype=self.dtype)

    def _sample_n(self, n, seed=None):
        shape = array_ops.concat([[n], self.batch_shape_tensor()], 0)
        normal = random_ops.random_normal(shape, dtype=self.dtype, seed=seed)
        df = self._df * self._ones()
        gamma = random_ops.random_gamma(
            [n], 0.5 * df, beta=0.5, dtype=self.dtype, seed=_gen_new_seed(seed, "student_t")
        )
        samples = normal * math_ops.rsqrt(gamma / df)
        return samples * self._scale + self._loc

    def _log_prob(self, x):
        y = (x - self._loc) / self._scale
        df = self._df
        unnorm = -0.5 * (df + 1.0) * math_ops.log1p(math_ops.square(y) / df)
        lg = special_math_ops.lgamma
        norm = (
            math_ops.log(math_ops.abs(self._scale))
            + 0.5 * math_ops.log(df)
            + 0.5 * math.log(math.pi)
            + lg(0.5 * df)
            - lg(0.5 * (df + 1.0))
        )
        return unnorm - norm

    def _prob(self, x):
        return math_ops.exp(self._log_prob(x))

    def _cdf(self, x):
        y = (x - self._loc) / math_ops.abs(self._scale)
        x_t = self._df / (math_ops.square(y) + self._df)
        neg_cdf = 0.5 * special_math_ops.betainc(0.5 * self._df, 0.5, x_t)
        return array_ops.where_v2(math_ops.less(y, 0.0), neg_cdf, 1.0 - neg_cdf)

    def _log_cdf(self, x):
        return math_ops.log(self._cdf(x))

    def _entropy(self):
        df = self._df * self._ones()
        dg, lg = special_math_ops.digamma, special_math_ops.lgamma
        half = 0.5 * (df + 1.0)
        lbeta = lg(0.5 * df) + math.lgamma(0.5) - lg(half)
        return (
            half * (dg(half) - dg(0.5 * df))
            + 0.5 * math_ops.log(df)
            + lbeta
            + math_ops.log(math_ops.abs(self._scale))
        )

    def _mean(self):
        mean = self._loc * self._ones()
        if not self._allow_nan_stats:
            return mean
        return _nan_where_not(
            math_ops.greater(self._df, 1.0), mean, self.batch_shape_tensor(), self.dtype
        )

    def _variance(self):
        df = self._df * self._ones()
        denom = array_ops.where_v2(math_ops.greater(df, 2.0), df - 2.0, self._ones())
        var = self._ones() * math_ops.square(self._scale) * df / denom
        inf = np.array(np.inf, self.dtype.np_dtype)
        var = array_ops.where_v2(
            math_ops.greater(df, 2.0), var, array_ops.fill(self.batch_shape_tensor(), inf)
        )
        if not self._allow_nan_stats:
            return var
        return _nan_where_not(math_ops.greater(df, 1.0), var, self.batch_shape_tensor(), self.dtype)

    def _mode(self):
        return array_ops.identity(self._loc) * self._ones()


class Dirichlet(Distribution):
    """The Dirichlet distribution on the simplex (concentration of shape batch + [k])."""

    def __init__(self, concentration, validate_args=False, allow_nan_stats=True, name="Dirichlet"):
        parameters = dict(locals())
        with get_default_graph().name_scope(name) as name:
            self._c = array_ops.identity(
                convert_to_tensor(concentration, name="concentration"), name="concentration"
            )
            self._total = math_ops.reduce_sum(self._c, -1)
        super().__init__(
            self._c.dtype,
            FULLY_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            [self._c, self._total],
            name,
        )

    concentration = property(lambda self: self._c)
    total_concentration = property(lambda self: self._total)

    def _batch_shape(self):
        return self._total._shape

    def _batch_shape_tensor(self):
        return array_ops.shape(self._total)

    def _event_shape(self):
        dims = self._c._shape._dims
        return TensorShape(None if dims is None else list(dims[-1:]))

    def _event_shape_tensor(self):
        return array_ops.shape(self._c)[-1:]

    def _sample_n(self, n, seed=None):
        gamma = random_ops.random_gamma(shape=[n], alpha=self._c, dtype=self.dtype, seed=seed)
        return gamma / math_ops.reduce_sum(gamma, -1, keepdims=True)

    def _log_prob(self, x):
        unnorm = math_ops.reduce_sum(special_math_ops.xlogy(self._c - 1.0, x), -1)
        return unnorm - special_math_ops.lbeta(self._c)

    def _prob(self, x):
        return math_ops.exp(self._log_prob(x))

    def _entropy(self):
        k = array_ops.cast(array_ops.shape(self._c)[-1], self.dtype)
        dg = special_math_ops.digamma
        return (
            special_math_ops.lbeta(self._c)
            + (self._total - k) * dg(self._total)
            - math_ops.reduce_sum((self._c - 1.0) * dg(self._c), -1)
        )

    def _mean(self):
        return self._c / array_ops.expand_dims(self._total, -1)

    def _variance(self):
        scale = math_ops.rsqrt(1.0 + array_ops.expand_dims(self._total, -1))
        x = scale * self._mean()
        return x * (scale - x)

    def _mode(self):
        k = array_ops.cast(array_ops.shape(self._c)[-1], self.dtype)
        mode = (self._c - 1.0) / array_ops.expand_dims(self._total - k, -1)
        if not self._allow_nan_stats:
            return mode
        ok = math_ops.reduce_all(math_ops.greater(self._c, 1.0), -1)  # (as TF: no keepdims)
        return _nan_where_not(ok, mode, array_ops.shape(mode), self.dtype)


# -- KL divergence --------------------------------------------------------------------------
_DIVERGENCES: dict = {}


def _registered_kl(type_a, type_b):
    best, best_dist = None, None
    for i, a in enumerate(type_a.__mro__):
        for j, b in enumerate(type_b.__mro__):
            fn = _DIVERGENCES.get((a, b))
            if fn is not None and (best_dist is None or i + j < best_dist):
                best, best_dist = fn, i + j
    return best


def kl_divergence(distribution_a, distribution_b, allow_nan_stats=True, name=None):
    """KL(a || b) by the function registered for the two classes (RegisterKL)."""
    fn = _registered_kl(type(distribution_a), type(distribution_b))
    if fn is None:
        raise NotImplementedError(
            f"No KL(distribution_a || distribution_b) registered for distribution_a type "
            f"{type(distribution_a).__name__} and distribution_b type "
            f"{type(distribution_b).__name__}"
        )
    with get_default_graph().name_scope("KullbackLeibler"):
        return fn(distribution_a, distribution_b, name=name)


class RegisterKL:
    """Decorator registering fn(a, b, name) as KL(a || b) for two classes."""

    def __init__(self, dist_cls_a, dist_cls_b) -> None:
        self._key = (dist_cls_a, dist_cls_b)

    def __call__(self, kl_fn):
        if self._key in _DIVERGENCES:
            raise ValueError(
                f"KL({self._key[0].__name__} || {self._key[1].__name__}) has already been "
                f"registered to: {_DIVERGENCES[self._key]}"
            )
        _DIVERGENCES[self._key] = kl_fn
        return kl_fn


@RegisterKL(Normal, Normal)
def _kl_normal_normal(n_a, n_b, name=None):
    with get_default_graph().name_scope(name or "kl_normal_normal"):
        s_a, s_b = math_ops.square(n_a.scale), math_ops.square(n_b.scale)
        ratio = s_a / s_b
        return math_ops.square(n_a.loc - n_b.loc) / (2.0 * s_b) + 0.5 * (
            ratio - 1.0 - math_ops.log(ratio)
        )


@RegisterKL(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(a, b, name=None):
    with get_default_graph().name_scope(name or "kl_bernoulli_bernoulli"):
        d0 = nn_ops.softplus(-b.logits) - nn_ops.softplus(-a.logits)
        d1 = nn_ops.softplus(b.logits) - nn_ops.softplus(a.logits)
        return math_ops.sigmoid(a.logits) * d0 + math_ops.sigmoid(-a.logits) * d1


@RegisterKL(Categorical, Categorical)
def _kl_categorical_categorical(a, b, name=None):
    with get_default_graph().name_scope(name or "kl_categorical_categorical"):
        delta = nn_ops.log_softmax(a.logits) - nn_ops.log_softmax(b.logits)
        return math_ops.reduce_sum(nn_ops.softmax(a.logits) * delta, axis=-1)


_ = np

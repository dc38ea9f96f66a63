"""The distributions TF 1.15's `tf.contrib.distributions` adds to `tf.distributions`
(tensorflow/contrib/distributions/python/ops/*.py and the *WithSoftplus* variants of
tensorflow/python/ops/distributions/*.py), built from tfgraph ops on the same
Distribution base class: the multivariate normals, OneHotCategorical, the relaxed
(Concrete / Gumbel-softmax) distributions, the count distributions, HalfNormal,
Logistic, Chi2, InverseGamma, Deterministic, Independent, and their KL registrations."""

from __future__ import annotations

import math

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import (
    array_ops,
    check_ops,
    control_flow_ops,
    linalg_ops,
    math_ops,
    nn_ops,
    random_ops,
    special_math_ops,
)
from tfgraph.ops.distributions_bijectors import (
    Exp,
    Sigmoid,
    TransformedDistribution,
    softplus_inverse,
)
from tfgraph.ops.distributions_impl import (
    FULLY_REPARAMETERIZED,
    NOT_REPARAMETERIZED,
    Bernoulli,
    Beta,
    Distribution,
    Exponential,
    Gamma,
    Laplace,
    Normal,
    RegisterKL,
    StudentT,
    _broadcast_static,
    _gen_new_seed,
    _logits_and_probs,
    _nan_where_not,
    kl_divergence,
)

__all__ = [
    "BernoulliWithSigmoidProbs",
    "BetaWithSoftplusConcentration",
    "Binomial",
    "Chi2",
    "Chi2WithAbsDf",
    "Deterministic",
    "ExpRelaxedOneHotCategorical",
    "ExponentialWithSoftplusRate",
    "GammaWithSoftplusConcentrationRate",
    "Geometric",
    "HalfNormal",
    "Independent",
    "InverseGamma",
    "InverseGammaWithSoftplusConcentrationRate",
    "LaplaceWithSoftplusScale",
    "Logistic",
    "MultivariateNormalDiag",
    "MultivariateNormalDiagPlusLowRank",
    "MultivariateNormalDiagWithSoftplusScale",
    "MultivariateNormalFullCovariance",
    "MultivariateNormalTriL",
    "NegativeBinomial",
    "NormalWithSoftplusScale",
    "OneHotCategorical",
    "Poisson",
    "RelaxedBernoulli",
    "RelaxedOneHotCategorical",
    "StudentTWithAbsDfSoftplusScale",
    "fill_triangular",
    "matrix_diag_transform",
    "softplus_inverse",
]


def _g():
    return get_default_graph()


def _checked(t, checks):
    return control_flow_ops.with_dependencies(checks, t) if checks else t


def _positive(t, validate_args, message=None):
    if not validate_args:
        return t
    return _checked(t, [check_ops.assert_positive(t, message=message)])


def _dyn_broadcast(*tensors):
    from tfgraph.ops.manip_ops import broadcast_dynamic_shape

    shape = array_ops.shape(tensors[0])
    for t in tensors[1:]:
        shape = broadcast_dynamic_shape(shape, array_ops.shape(t))
    return shape


def _broadcast_all(*tensors):
    """`tensors` broadcast against each other (ops like Betainc need equal shapes)."""
    zero = array_ops.zeros_like(tensors[0])
    for t in tensors[1:]:
        zero = zero + array_ops.zeros_like(t)
    return [t + zero for t in tensors]


def _integer_form(x, validate_args, name="x"):
    """`x` with TF's checks that it is a non-negative integer (when validating)."""
    if not validate_args:
        return x
    return _checked(
        x,
        [
            check_ops.assert_non_negative(x, message=f"'{name}' must be non-negative."),
            check_ops.assert_equal(
                x, math_ops.round(x), message=f"'{name}' cannot contain fractional components."
            ),
        ],
    )


def fill_triangular(x, upper=False, name=None):
    """A batch of vectors of length n(n+1)/2 as (lower or upper) triangular n x n
    matrices, in TF's clockwise-spiral packing."""
    with _g().name_scope(name or "fill_triangular"):
        x = convert_to_tensor(x, name="x")
        m = x._shape._dims[-1] if x._shape._dims else None
        if m is None:
            raise NotImplementedError("fill_triangular needs a static last dimension.")
        n = int(np.sqrt(0.25 + 2.0 * m) - 0.5)
        if n * (n + 1) // 2 != m:
            raise ValueError(
                f"Input right-most shape ({m}) does not correspond to a triangular matrix."
            )
        if upper:
            parts = [x, array_ops.reverse(x[..., n:], axis=[-1])]
        else:
            parts = [x[..., n:], array_ops.reverse(x, axis=[-1])]
        new_shape = array_ops.concat([array_ops.shape(x)[:-1], [n, n]], 0)
        full = array_ops.reshape(array_ops.concat(parts, axis=-1), new_shape)
        full = (
            linalg_ops.matrix_band_part(full, 0, -1)
            if upper
            else linalg_ops.matrix_band_part(full, -1, 0)
        )
        dims = x._shape._dims
        full._shape = TensorShape(list(dims[:-1]) + [n, n])
        return full


class _Scalar(Distribution):
    """Shared pieces of the scalar-event distributions here: a list `_params` of
    broadcast parameters."""

    def _batch_shape(self):
        return _broadcast_static(*self._params)

    def _batch_shape_tensor(self):
        return _dyn_broadcast(*self._params)

    def _ones(self):
        return array_ops.ones(self.batch_shape_tensor(), dtype=self._params[0].dtype)

    def _sample_shape(self, n):
        return array_ops.concat([[n], self.batch_shape_tensor()], 0)

    def _prob(self, x):
        return math_ops.exp(self._log_prob(x))

    def _log_cdf(self, x):
        return math_ops.log(self._cdf(x))


# -- continuous scalar distributions ---------------------------------------------------------


class Logistic(_Scalar):
    """The logistic distribution with location `loc` and scale `scale`."""

    def __init__(self, loc, scale, validate_args=False, allow_nan_stats=True, name="Logistic"):
        parameters = dict(locals())
        with _g().name_scope(name) as name:
            self._loc = array_ops.identity(convert_to_tensor(loc, name="loc"), name="loc")
            scale = convert_to_tensor(scale, name="scale", dtype=self._loc.dtype)
            self._scale = array_ops.identity(_positive(scale, validate_args), name="scale")
        self._params = [self._loc, self._scale]
        super().__init__(
            self._loc.dtype,
            FULLY_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            self._params,
            name,
        )

    loc = property(lambda self: self._loc)
    scale = property(lambda self: self._scale)

    def _z(self, x):
        with _g().name_scope("standardize"):
            return (x - self._loc) / self._scale

    def _sample_n(self, n, seed=None):
        tiny = np.finfo(self.dtype.np_dtype).tiny
        u = random_ops.random_uniform(
            self._sample_shape(n), minval=tiny, maxval=1.0, dtype=self.dtype, seed=seed
        )
        return self._loc + self._scale * (math_ops.log(u) - math_ops.log1p(-u))

    def _log_prob(self, x):
        z = self._z(x)
        return -z - 2.0 * nn_ops.softplus(-z) - math_ops.log(self._scale)

    def _cdf(self, x):
        return math_ops.sigmoid(self._z(x))

    def _log_cdf(self, x):
        return -nn_ops.softplus(-self._z(x))

    def _survival_function(self, x):
        return math_ops.sigmoid(-self._z(x))

    def _entropy(self):
        return 2.0 + math_ops.log(self._scale) * array_ops.ones_like(self._loc)

    def _mean(self):
        return self._loc * array_ops.ones_like(self._scale)

    def _stddev(self):
        return self._scale * array_ops.ones_like(self._loc) * (math.pi / math.sqrt(3.0))

    def _variance(self):
        return math_ops.square(self._stddev())

    _mode = _mean


class HalfNormal(_Scalar):
    """The half-normal distribution |X| for X ~ N(0, scale**2)."""

    def __init__(self, scale, validate_args=False, allow_nan_stats=True, name="HalfNormal"):
        parameters = dict(locals())
        with _g().name_scope(name) as name:
            scale = convert_to_tensor(scale, name="scale")
            self._scale = array_ops.identity(_positive(scale, validate_args), name="scale")
        self._params = [self._scale]
        super().__init__(
            self._scale.dtype,
            FULLY_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            self._params,
            name,
        )

    scale = property(lambda self: self._scale)

    def _sample_n(self, n, seed=None):
        z = random_ops.random_normal(self._sample_shape(n), dtype=self.dtype, seed=seed)
        return math_ops.abs(z * self._scale)

    def _log_prob(self, x):
        lp = (
            0.5 * math.log(2.0 / math.pi)
            - math_ops.log(self._scale)
            - 0.5 * math_ops.square(x / self._scale)
        )
        ninf = np.array(-np.inf, self.dtype.np_dtype)
        return array_ops.where_v2(math_ops.less(x, 0.0), ninf * array_ops.ones_like(lp), lp)

    def _cdf(self, x):
        truncated = math_ops.maximum(x, 0.0)
        return special_math_ops.erf(truncated / self._scale / math.sqrt(2.0))

    def _entropy(self):
        return 0.5 * math_ops.log(math.pi * math_ops.square(self._scale) / 2.0) + 0.5

    def _mean(self):
        return self._scale * math.sqrt(2.0 / math.pi)

    def _variance(self):
        return math_ops.square(self._scale) * (1.0 - 2.0 / math.pi)

    def _mode(self):
        return array_ops.zeros_like(self._scale)


class InverseGamma(_Scalar):
    """The inverse-gamma distribution: 1/X for X ~ Gamma(concentration, rate)."""

    def __init__(
        self, concentration, rate, validate_args=False, allow_nan_stats=True, name="InverseGamma"
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as name:
            c = convert_to_tensor(concentration, name="concentration")
            r = convert_to_tensor(rate, name="rate", dtype=c.dtype)
            if validate_args:
                checks = [
                    check_ops.assert_positive(c, message="Concentration must be positive."),
                    check_ops.assert_positive(r, message="Rate must be positive."),
                ]
                c, r = _checked(c, checks), _checked(r, checks)
            self._concentration = array_ops.identity(c, name="concentration")
            self._rate = array_ops.identity(r, name="rate")
        self._params = [self._concentration, self._rate]
        super().__init__(
            c.dtype,
            FULLY_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            self._params,
            name,
        )

    concentration = property(lambda self: self._concentration)
    rate = property(lambda self: self._rate)

    def _sample_n(self, n, seed=None):
        return 1.0 / random_ops.random_gamma(
            [n], self._concentration, beta=self._rate, dtype=self.dtype, seed=seed
        )

    def _log_prob(self, x):
        a, b = self._concentration, self._rate
        unnorm = -(1.0 + a) * math_ops.log(x) - b / x
        return unnorm - (special_math_ops.lgamma(a) - a * math_ops.log(b))

    def _cdf(self, x):
        return special_math_ops.igammac(self._concentration, self._rate / x)

    def _entropy(self):
        a = self._concentration
        return (
            a
            + math_ops.log(self._rate)
            + special_math_ops.lgamma(a)
            - (1.0 + a) * special_math_ops.digamma(a)
        )

    def _undefined(self, ok, value, bound, what):
        """`value` where `ok`, else NaN (allow_nan_stats) or a run-time error."""
        if self._allow_nan_stats:
            return _nan_where_not(ok, value, self.batch_shape_tensor(), self.dtype)
        check = check_ops.assert_less(
            array_ops.constant(bound, dtype=self.dtype),
            self._concentration,
            message=f"{what} undefined when any concentration <= {bound}",
        )
        return _checked(value, [check])

    def _mean(self):
        a = self._concentration * self._ones()
        mean = self._rate / (a - 1.0)
        return self._undefined(math_ops.greater(a, 1.0), mean, 1.0, "mean")

    def _variance(self):
        a = self._concentration * self._ones()
        var = math_ops.square(self._rate) / (math_ops.square(a - 1.0) * (a - 2.0))
        return self._undefined(math_ops.greater(a, 2.0), var, 2.0, "variance")

    def _mode(self):
        return self._rate / (1.0 + self._concentration)


class InverseGammaWithSoftplusConcentrationRate(InverseGamma):
    """InverseGamma(softplus(concentration), softplus(rate))."""

    def __init__(
        self,
        concentration,
        rate,
        validate_args=False,
        allow_nan_stats=True,
        name="InverseGammaWithSoftplusConcentrationRate",
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as scope:
            c = nn_ops.softplus(convert_to_tensor(concentration), name="softplus_concentration")
            r = nn_ops.softplus(convert_to_tensor(rate), name="softplus_rate")
        super().__init__(c, r, validate_args, allow_nan_stats, scope)
        self._parameters = parameters


class Chi2(Gamma):
    """The chi-squared distribution with `df` degrees of freedom (Gamma(df/2, 1/2))."""

    def __init__(self, df, validate_args=False, allow_nan_stats=True, name="Chi2"):
        parameters = dict(locals())
        with _g().name_scope(name) as scope:
            self._df = convert_to_tensor(df, name="df")
            if validate_args:
                self._df = _positive(self._df, True)
            half_df = 0.5 * self._df
            half = 0.5 * array_ops.ones_like(self._df)
        super().__init__(half_df, half, validate_args, allow_nan_stats, scope)
        self._parameters = parameters

    df = property(lambda self: self._df)


class Chi2WithAbsDf(Chi2):
    """Chi2 with df = floor(|df|)."""

    def __init__(self, df, validate_args=False, allow_nan_stats=True, name="Chi2WithAbsDf"):
        parameters = dict(locals())
        with _g().name_scope(name) as scope:
            df = math_ops.floor(math_ops.abs(convert_to_tensor(df, name="df")), name="floor_abs_df")
        super().__init__(df, validate_args, allow_nan_stats, scope)
        self._parameters = parameters


class NormalWithSoftplusScale(Normal):
    """Normal(loc, softplus(scale))."""

    def __init__(
        self, loc, scale, validate_args=False, allow_nan_stats=True, name="NormalWithSoftplusScale"
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as scope:
            sp = nn_ops.softplus(convert_to_tensor(scale, name="scale"), name="softplus_scale")
        super().__init__(loc, sp, validate_args, allow_nan_stats, scope)
        self._parameters = parameters


class LaplaceWithSoftplusScale(Laplace):
    """Laplace(loc, softplus(scale))."""

    def __init__(
        self, loc, scale, validate_args=False, allow_nan_stats=True, name="LaplaceWithSoftplusScale"
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as scope:
            sp = nn_ops.softplus(convert_to_tensor(scale, name="scale"), name="softplus_scale")
        super().__init__(loc, sp, validate_args, allow_nan_stats, scope)
        self._parameters = parameters


class ExponentialWithSoftplusRate(Exponential):
    """Exponential(softplus(rate))."""

    def __init__(
        self, rate, validate_args=False, allow_nan_stats=True, name="ExponentialWithSoftplusRate"
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as scope:
            sp = nn_ops.softplus(convert_to_tensor(rate, name="rate"), name="softplus_rate")
        super().__init__(sp, validate_args, allow_nan_stats, scope)
        self._parameters = parameters


class GammaWithSoftplusConcentrationRate(Gamma):
    """Gamma(softplus(concentration), softplus(rate))."""

    def __init__(
        self,
        concentration,
        rate,
        validate_args=False,
        allow_nan_stats=True,
        name="GammaWithSoftplusConcentrationRate",
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as scope:
            c = nn_ops.softplus(convert_to_tensor(concentration), name="softplus_concentration")
            r = nn_ops.softplus(convert_to_tensor(rate), name="softplus_rate")
        super().__init__(c, r, validate_args, allow_nan_stats, scope)
        self._parameters = parameters


class BetaWithSoftplusConcentration(Beta):
    """Beta(softplus(concentration1), softplus(concentration0))."""

    def __init__(
        self,
        concentration1,
        concentration0,
        validate_args=False,
        allow_nan_stats=True,
        name="BetaWithSoftplusConcentration",
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as scope:
            c1 = nn_ops.softplus(convert_to_tensor(concentration1), name="softplus_concentration1")
            c0 = nn_ops.softplus(convert_to_tensor(concentration0), name="softplus_concentration0")
        super().__init__(c1, c0, validate_args, allow_nan_stats, scope)
        self._parameters = parameters


class StudentTWithAbsDfSoftplusScale(StudentT):
    """StudentT(floor(|df|), loc, softplus(scale))."""

    def __init__(
        self,
        df,
        loc,
        scale,
        validate_args=False,
        allow_nan_stats=True,
        name="StudentTWithAbsDfSoftplusScale",
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as scope:
            df = math_ops.floor(math_ops.abs(convert_to_tensor(df, name="df")))
            sp = nn_ops.softplus(convert_to_tensor(scale, name="scale"), name="softplus_scale")
        super().__init__(df, loc, sp, validate_args, allow_nan_stats, scope)
        self._parameters = parameters


def matrix_diag_transform(matrix, transform=None, name=None):
    """`matrix` with `transform` applied to its diagonal (e.g. softplus, exp: a
    positive-diagonal scale_tril)."""
    with _g().name_scope(name or "matrix_diag_transform"):
        matrix = convert_to_tensor(matrix, name="matrix")
        if transform is None:
            return matrix
        diag = linalg_ops.matrix_diag_part(matrix)
        return linalg_ops.matrix_set_diag(matrix, transform(diag))


class BernoulliWithSigmoidProbs(Bernoulli):
    """Bernoulli(probs=sigmoid(logits))."""

    def __init__(
        self,
        logits=None,
        dtype=dtypes.int32,
        validate_args=False,
        allow_nan_stats=True,
        name="BernoulliWithSigmoidProbs",
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as scope:
            probs = math_ops.sigmoid(convert_to_tensor(logits, name="logits"), name="sigmoid_probs")
        super().__init__(
            probs=probs,
            dtype=dtype,
            validate_args=validate_args,
            allow_nan_stats=allow_nan_stats,
            name=scope,
        )
        self._parameters = parameters


# -- discrete scalar distributions -----------------------------------------------------------


class Poisson(_Scalar):
    """The Poisson distribution with `rate` (or exp(`log_rate`))."""

    def __init__(
        self, rate=None, log_rate=None, validate_args=False, allow_nan_stats=True, name="Poisson"
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as name:
            if (rate is None) == (log_rate is None):
                raise ValueError("Must specify exactly one of `rate`, `log_rate`.")
            if log_rate is None:
                rate = convert_to_tensor(rate, name="rate")
                if not rate.dtype.is_floating:
                    raise TypeError(f"rate.dtype ({rate.dtype.name}) is a not a float-type.")
                self._rate = _positive(rate, validate_args)
                self._log_rate = math_ops.log(self._rate, name="log_rate")
            else:
                self._log_rate = convert_to_tensor(log_rate, name="log_rate")
                self._rate = math_ops.exp(self._log_rate, name="rate")
        self._params = [self._rate]
        super().__init__(
            self._rate.dtype,
            NOT_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            [self._rate],
            name,
        )

    rate = property(lambda self: self._rate)
    log_rate = property(lambda self: self._log_rate)

    def _check_x(self, x):
        return _integer_form(x, self._validate_args)

    def _log_prob(self, x):
        x = self._check_x(x)
        return x * self._log_rate - special_math_ops.lgamma(1.0 + x) - self._rate

    def _cdf(self, x):
        x = self._check_x(x)
        return special_math_ops.igammac(1.0 + math_ops.floor(x), self._rate)

    def _mean(self):
        return array_ops.identity(self._rate)

    _variance = _mean

    def _stddev(self):
        return math_ops.sqrt(self._rate)

    def _mode(self):
        return math_ops.floor(self._rate)

    def _sample_n(self, n, seed=None):
        return random_ops.random_poisson(self._rate, [n], dtype=self.dtype, seed=seed)


class Binomial(_Scalar):
    """The binomial distribution: successes in `total_count` trials with success
    probability `probs` (or sigmoid(`logits`)). As TF's, it cannot be sampled."""

    def __init__(
        self,
        total_count,
        logits=None,
        probs=None,
        validate_args=False,
        allow_nan_stats=True,
        name="Binomial",
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as name:
            n = convert_to_tensor(total_count, name="total_count")
            self._total_count = _integer_form(n, validate_args, "total_count")
            self._logits, self._probs = _logits_and_probs(
                logits, probs, False, n.dtype, "get_logits_and_probs"
            )
            if validate_args and probs is not None:
                self._probs = _checked(
                    self._probs,
                    [
                        check_ops.assert_non_negative(self._probs),
                        check_ops.assert_less_equal(
                            self._probs, 1.0, message="probs has components greater than 1."
                        ),
                    ],
                )
        self._params = [self._total_count, self._probs]
        super().__init__(
            self._probs.dtype,
            NOT_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            [self._total_count, self._logits, self._probs],
            name,
        )

    total_count = property(lambda self: self._total_count)
    logits = property(lambda self: self._logits)
    probs = property(lambda self: self._probs)

    def _check_counts(self, counts):
        if not self._validate_args:
            return counts
        counts = _integer_form(counts, True, "counts")
        return _checked(
            counts,
            [
                check_ops.assert_less_equal(
                    counts,
                    self._total_count,
                    message="counts are not less than or equal to n.",
                )
            ],
        )

    def _log_prob(self, counts):
        counts = self._check_counts(counts)
        n, p = self._total_count, self._probs
        lg = special_math_ops.lgamma
        combinations = lg(n + 1.0) - lg(counts + 1.0) - lg(n - counts + 1.0)
        unnorm = special_math_ops.xlogy(counts, p) + special_math_ops.xlog1py(n - counts, -p)
        return combinations + unnorm

    def _cdf(self, counts):
        counts = self._check_counts(counts)
        k, n, p = _broadcast_all(math_ops.floor(counts), self._total_count, self._probs)
        inner = special_math_ops.betainc(math_ops.maximum(n - k, 1e-30), k + 1.0, 1.0 - p)
        return array_ops.where_v2(math_ops.greater_equal(k, n), array_ops.ones_like(k), inner)

    def _mean(self):
        return self._total_count * self._probs

    def _variance(self):
        return self._mean() * (1.0 - self._probs)

    def _mode(self):
        return math_ops.floor((1.0 + self._total_count) * self._probs)

    def _sample_n(self, n, seed=None):
        raise NotImplementedError("sample_n is not implemented: Binomial")


class Geometric(_Scalar):
    """The geometric distribution: failures before the first success, with success
    probability `probs` (or sigmoid(`logits`))."""

    def __init__(
        self, logits=None, probs=None, validate_args=False, allow_nan_stats=True, name="Geometric"
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as name:
            self._logits, self._probs = _logits_and_probs(
                logits, probs, False, None, "get_logits_and_probs"
            )
            if validate_args:
                self._probs = _checked(
                    self._probs,
                    [
                        check_ops.assert_positive(
                            self._probs, message="probs has components <= 0."
                        ),
                        check_ops.assert_less_equal(
                            self._probs, 1.0, message="probs has components greater than 1."
                        ),
                    ],
                )
        self._params = [self._probs]
        super().__init__(
            self._probs.dtype,
            NOT_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            [self._logits, self._probs],
            name,
        )

    logits = property(lambda self: self._logits)
    probs = property(lambda self: self._probs)

    def _sample_n(self, n, seed=None):
        tiny = np.finfo(self.dtype.np_dtype).tiny
        u = random_ops.random_uniform(
            self._sample_shape(n), minval=tiny, maxval=1.0, dtype=self.dtype, seed=seed
        )
        return math_ops.floor(math_ops.log(u) / math_ops.log1p(-self._probs))

    def _log_prob(self, x):
        x = _integer_form(x, self._validate_args)
        return special_math_ops.xlog1py(x, -self._probs) + math_ops.log(self._probs)

    def _cdf(self, x):
        x = _integer_form(x, self._validate_args)
        x = math_ops.floor(x)
        return -math_ops.expm1((x + 1.0) * math_ops.log1p(-self._probs))

    def _entropy(self):
        p = self._probs
        return nn_ops.sigmoid_cross_entropy_with_logits(labels=p, logits=self._logits) / p

    def _mean(self):
        return math_ops.exp(-self._logits)

    def _variance(self):
        return self._mean() / self._probs

    def _mode(self):
        return array_ops.zeros_like(self._probs)


class NegativeBinomial(_Scalar):
    """The negative binomial distribution: successes (probability `probs`, or
    sigmoid(`logits`)) before `total_count` failures."""

    def __init__(
        self,
        total_count,
        logits=None,
        probs=None,
        validate_args=False,
        allow_nan_stats=True,
        name="NegativeBinomial",
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as name:
            self._logits, self._probs = _logits_and_probs(
                logits, probs, False, None, "get_logits_and_probs"
            )
            tc = convert_to_tensor(total_count, name="total_count", dtype=self._probs.dtype)
            self._total_count = _positive(tc, validate_args)
        self._params = [self._total_count, self._probs]
        super().__init__(
            self._probs.dtype,
            NOT_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            [self._total_count, self._probs, self._logits],
            name,
        )

    total_count = property(lambda self: self._total_count)
    logits = property(lambda self: self._logits)
    probs = property(lambda self: self._probs)

    def _sample_n(self, n, seed=None):
        rate = random_ops.random_gamma(
            [n],
            self._total_count * array_ops.ones_like(self._probs),
            beta=math_ops.exp(-self._logits) * array_ops.ones_like(self._total_count),
            dtype=self.dtype,
            seed=seed,
        )
        return random_ops.random_poisson(
            rate, [], dtype=self.dtype, seed=_gen_new_seed(seed, "negative_binom")
        )

    def _log_prob(self, x):
        x = _integer_form(x, self._validate_args)
        n = self._total_count
        unnorm = n * math_ops.log1p(-self._probs) + special_math_ops.xlogy(x, self._probs)
        lg = special_math_ops.lgamma
        return unnorm + lg(n + x) - lg(1.0 + x) - lg(n)

    def _cdf(self, x):
        x = _integer_form(x, self._validate_args)
        n, x, p = _broadcast_all(self._total_count, x, self._probs)
        return special_math_ops.betainc(n, 1.0 + x, 1.0 - p)

    def _mean(self):
        return self._total_count * math_ops.exp(self._logits)

    def _variance(self):
        return self._mean() / (1.0 - self._probs)

    def _mode(self):
        adjusted = array_ops.where_v2(
            math_ops.greater(self._total_count, 1.0),
            self._total_count - 1.0,
            array_ops.zeros_like(self._total_count),
        )
        return math_ops.floor(adjusted * math_ops.exp(self._logits))


class Deterministic(_Scalar):
    """The point mass at `loc` (prob 1 within atol + rtol * |loc| of it)."""

    def __init__(
        self,
        loc,
        atol=None,
        rtol=None,
        validate_args=False,
        allow_nan_stats=True,
        name="Deterministic",
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as name:
            self._loc = convert_to_tensor(loc, name="loc")
            dt = self._loc.dtype
            self._atol = convert_to_tensor(0 if atol is None else atol, name="atol", dtype=dt)
            self._rtol = convert_to_tensor(0 if rtol is None else rtol, name="rtol", dtype=dt)
            if validate_args:
                chk = [
                    check_ops.assert_non_negative(
                        self._atol, message="Argument 'atol' must be non-negative"
                    ),
                    check_ops.assert_non_negative(
                        self._rtol, message="Argument 'rtol' must be non-negative"
                    ),
                ]
                self._loc = _checked(self._loc, chk)
        self._params = [self._loc, self._atol, self._rtol]
        super().__init__(
            self._loc.dtype,
            NOT_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            [self._loc, self._atol, self._rtol],
            name,
        )

    loc = property(lambda self: self._loc)
    atol = property(lambda self: self._atol)
    rtol = property(lambda self: self._rtol)

    def _batch_shape(self):
        return self._loc._shape

    def _batch_shape_tensor(self):
        return array_ops.shape(self._loc)

    def _slack(self):
        return self._atol + self._rtol * math_ops.abs(self._loc)

    def _prob(self, x):
        return array_ops.cast(
            math_ops.less_equal(math_ops.abs(x - self._loc), self._slack()), self.dtype
        )

    def _log_prob(self, x):
        return math_ops.log(self._prob(x))

    def _cdf(self, x):
        return array_ops.cast(math_ops.greater_equal(x, self._loc - self._slack()), self.dtype)

    def _entropy(self):
        return array_ops.zeros_like(self._loc)

    def _mean(self):
        return array_ops.identity(self._loc)

    _mode = _mean

    def _variance(self):
        return array_ops.zeros_like(self._loc)

    def _sample_n(self, n, seed=None):
        return array_ops.expand_dims(self._loc, 0) * array_ops.ones(
            self._sample_shape(n), dtype=self.dtype
        )


# -- vector-event distributions --------------------------------------------------------------


class OneHotCategorical(Distribution):
    """The categorical distribution over one-hot vectors of length K."""

    def __init__(
        self,
        logits=None,
        probs=None,
        dtype=dtypes.int32,
        validate_args=False,
        allow_nan_stats=True,
        name="OneHotCategorical",
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as name:
            self._logits, self._probs = _logits_and_probs(
                logits, probs, True, None, "get_logits_and_probs"
            )
            ndims = self._logits._shape.ndims
            if ndims is not None and ndims < 1:
                raise ValueError("logits must have at least one dimension")
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

    def _event_shape(self):
        dims = self._logits._shape._dims
        return TensorShape(None if dims is None else list(dims[-1:]))

    def _event_shape_tensor(self):
        return array_ops.shape(self._logits)[-1:]

    def _sample_n(self, n, seed=None):
        logits_2d = array_ops.reshape(self._logits, [-1, self.event_size])
        draws = random_ops.multinomial(logits_2d, n, seed=seed)
        draws = array_ops.reshape(
            array_ops.transpose(draws), array_ops.concat([[n], self.batch_shape_tensor()], 0)
        )
        return array_ops.one_hot(draws, depth=self.event_size, dtype=self.dtype)

    def _log_prob(self, x):
        x = array_ops.cast(x, self._logits.dtype)
        return math_ops.reduce_sum(x * nn_ops.log_softmax(self._logits), -1)

    def _prob(self, x):
        return math_ops.exp(self._log_prob(x))

    def _entropy(self):
        return -math_ops.reduce_sum(nn_ops.log_softmax(self._logits) * self._probs, axis=-1)

    def _mean(self):
        return array_ops.identity(self._probs)

    def _variance(self):
        return self._probs * (1.0 - self._probs)

    def covariance(self, name="covariance"):
        with self._name_scope(name):
            p = self._probs
            outer = array_ops.expand_dims(p, -1) * array_ops.expand_dims(p, -2)
            return linalg_ops.matrix_diag(p) - outer

    def _mode(self):
        return array_ops.one_hot(
            math_ops.argmax(self._logits, axis=-1), depth=self.event_size, dtype=self.dtype
        )


class ExpRelaxedOneHotCategorical(Distribution):
    """The log of a RelaxedOneHotCategorical (Concrete) sample: a point of the
    log-simplex, reparameterized through Gumbel noise."""

    def __init__(
        self,
        temperature,
        logits=None,
        probs=None,
        dtype=None,
        validate_args=False,
        allow_nan_stats=True,
        name="ExpRelaxedOneHotCategorical",
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as name:
            self._logits, self._probs = _logits_and_probs(
                logits, probs, True, dtype, "get_logits_and_probs"
            )
            t = convert_to_tensor(temperature, name="temperature", dtype=self._logits.dtype)
            self._temperature = _positive(t, validate_args)
        super().__init__(
            self._logits.dtype,
            FULLY_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            [self._logits, self._temperature],
            name,
        )

    logits = property(lambda self: self._logits)
    probs = property(lambda self: self._probs)
    temperature = property(lambda self: self._temperature)

    @property
    def event_size(self):
        return array_ops.shape(self._logits)[-1]

    def _batch_shape(self):
        dims = self._logits._shape._dims
        lead = TensorShape(None if dims is None else list(dims[:-1]))
        from tfgraph.ops.common_shapes import broadcast_dims

        out = broadcast_dims(lead._dims, self._temperature._shape._dims)
        return TensorShape(None if out is None else list(out))

    def _batch_shape_tensor(self):
        from tfgraph.ops.manip_ops import broadcast_dynamic_shape

        return broadcast_dynamic_shape(
            array_ops.shape(self._logits)[:-1], array_ops.shape(self._temperature)
        )

    def _event_shape(self):
        dims = self._logits._shape._dims
        return TensorShape(None if dims is None else list(dims[-1:]))

    def _event_shape_tensor(self):
        return array_ops.shape(self._logits)[-1:]

    def _sample_n(self, n, seed=None):
        shape = array_ops.concat([[n], self.batch_shape_tensor(), self.event_shape_tensor()], 0)
        tiny = np.finfo(self.dtype.np_dtype).tiny
        u = random_ops.random_uniform(shape, minval=tiny, maxval=1.0, dtype=self.dtype, seed=seed)
        gumbel = -math_ops.log(-math_ops.log(u))
        noisy = (self._logits + gumbel) / array_ops.expand_dims(self._temperature, -1)
        return noisy - math_ops.reduce_logsumexp(noisy, axis=-1, keepdims=True)

    def _log_prob(self, x):
        t = array_ops.expand_dims(self._temperature, -1)
        k = array_ops.cast(self.event_size, self.dtype)
        log_norm = special_math_ops.lgamma(k) + (k - 1.0) * math_ops.log(self._temperature)
        y = self._logits - x * t
        unnorm = math_ops.reduce_sum(y, -1) - k * math_ops.reduce_logsumexp(y, axis=-1)
        return log_norm + unnorm

    def _prob(self, x):
        return math_ops.exp(self._log_prob(x))


class RelaxedOneHotCategorical(TransformedDistribution):
    """The Concrete / Gumbel-softmax relaxation of OneHotCategorical: exp of an
    ExpRelaxedOneHotCategorical sample, reparameterized."""

    def __init__(
        self,
        temperature,
        logits=None,
        probs=None,
        dtype=None,
        validate_args=False,
        allow_nan_stats=True,
        name="RelaxedOneHotCategorical",
    ):
        dist = ExpRelaxedOneHotCategorical(
            temperature,
            logits=logits,
            probs=probs,
            dtype=dtype,
            validate_args=validate_args,
            allow_nan_stats=allow_nan_stats,
        )
        super().__init__(dist, Exp(), validate_args=validate_args, name=name)

    temperature = property(lambda self: self.distribution.temperature)
    logits = property(lambda self: self.distribution.logits)
    probs = property(lambda self: self.distribution.probs)


class RelaxedBernoulli(TransformedDistribution):
    """The Concrete / binary relaxation of Bernoulli: sigmoid of a
    Logistic(logits / temperature, 1 / temperature) sample, reparameterized."""

    def __init__(
        self,
        temperature,
        logits=None,
        probs=None,
        validate_args=False,
        allow_nan_stats=True,
        name="RelaxedBernoulli",
    ):
        with _g().name_scope(name) as scope:
            self._logits, self._probs = _logits_and_probs(
                logits, probs, False, None, "get_logits_and_probs"
            )
            t = convert_to_tensor(temperature, name="temperature", dtype=self._logits.dtype)
            self._temperature = _positive(t, validate_args)
            dist = Logistic(
                self._logits / self._temperature,
                1.0 / self._temperature,
                validate_args=validate_args,
                allow_nan_stats=allow_nan_stats,
                name="Logistic",
            )
        super().__init__(dist, Sigmoid(), validate_args=validate_args, name=scope)

    temperature = property(lambda self: self._temperature)
    logits = property(lambda self: self._logits)
    probs = property(lambda self: self._probs)


class Independent(Distribution):
    """`distribution` with its rightmost `reinterpreted_batch_ndims` batch dimensions
    read as event dimensions (log_prob summed over them)."""

    def __init__(
        self, distribution, reinterpreted_batch_ndims=None, validate_args=False, name=None
    ):
        parameters = dict(locals())
        name = name or "Independent" + distribution.name
        self._distribution = distribution
        batch_ndims = distribution.batch_shape.ndims
        if reinterpreted_batch_ndims is None:
            if batch_ndims is None:
                raise NotImplementedError("The base distribution's batch rank must be known.")
            reinterpreted_batch_ndims = max(0, batch_ndims - 1)
        n = int(reinterpreted_batch_ndims)
        if n < 0:
            raise ValueError(f"reinterpreted_batch_ndims({n}) must be non-negative.")
        if batch_ndims is not None and n > batch_ndims:
            raise ValueError(
                f"reinterpreted_batch_ndims({n}) cannot exceed distribution.batch_ndims"
                f"({batch_ndims})"
            )
        self._n = n
        with _g().name_scope(name) as name:
            pass
        super().__init__(
            distribution.dtype,
            distribution.reparameterization_type,
            validate_args,
            distribution.allow_nan_stats,
            parameters,
            [],
            name,
        )

    distribution = property(lambda self: self._distribution)
    reinterpreted_batch_ndims = property(lambda self: self._n)

    def _value_dtype(self):
        return self._distribution._value_dtype()

    def _batch_shape(self):
        dims = self._distribution.batch_shape._dims
        if dims is None:
            return TensorShape(None)
        return TensorShape(list(dims[: len(dims) - self._n]))

    def _batch_shape_tensor(self):
        s = self._distribution.batch_shape_tensor()
        return s[: array_ops.size(s) - self._n]

    def _event_shape(self):
        dims = self._distribution.batch_shape._dims
        if dims is None:
            return TensorShape(None)
        return TensorShape(list(dims[len(dims) - self._n :])).concatenate(
            self._distribution.event_shape
        )

    def _event_shape_tensor(self):
        s = self._distribution.batch_shape_tensor()
        return array_ops.concat(
            [s[array_ops.size(s) - self._n :], self._distribution.event_shape_tensor()], 0
        )

    def _reduce(self, t):
        if self._n == 0:
            return array_ops.identity(t)
        return math_ops.reduce_sum(t, axis=list(range(-self._n, 0)))

    def _sample_n(self, n, seed=None):
        return self._distribution.sample(array_ops.reshape(n, [1]), seed=seed)

    def _log_prob(self, x):
        return self._reduce(self._distribution.log_prob(x))

    def _prob(self, x):
        return math_ops.exp(self._log_prob(x))

    def _entropy(self):
        return self._reduce(self._distribution.entropy())

    def _mean(self):
        return self._distribution.mean()

    def _variance(self):
        return self._distribution.variance()

    def _stddev(self):
        return self._distribution.stddev()

    def _mode(self):
        return self._distribution.mode()


# -- multivariate normals --------------------------------------------------------------------


class _MVN(Distribution):
    """A multivariate normal loc + S z with z ~ N(0, I): S is a diagonal (`_diag`,
    batch + [k]) or lower-triangular matrix (`_tril`, batch + [k, k])."""

    def _setup(self, loc, diag, tril, validate_args, allow_nan_stats, parameters, name):
        self._loc, self._diag, self._tril = loc, diag, tril
        scale_diag = self._scale_diag()
        if validate_args:
            chk = check_ops.assert_none_equal(
                scale_diag, 0.0, message="Singular operator:  Diagonal contained zero values."
            )
            if self._diag is not None:
                self._diag = _checked(self._diag, [chk])
            else:
                self._tril = _checked(self._tril, [chk])
        if self._loc is None:
            self._loc = array_ops.zeros_like(self._scale_diag())
        parents = [t for t in (self._loc, self._diag, self._tril) if t is not None]
        Distribution.__init__(
            self,
            self._loc.dtype,
            FULLY_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            parents,
            name,
        )

    loc = property(lambda self: self._loc)

    def _scale_diag(self):
        if self._diag is not None:
            return self._diag
        return linalg_ops.matrix_diag_part(self._tril)

    def _scale_dense(self):
        if self._tril is not None:
            return self._tril
        return linalg_ops.matrix_diag(self._diag)

    @property
    def scale(self):
        """The scale matrix as a dense tensor (TF returns a LinearOperator)."""
        return self._scale_dense()

    def _batch_shape(self):
        d = self._scale_diag()
        dims = [t._shape._dims for t in (self._loc, d)]
        if any(x is None for x in dims):
            return TensorShape(None)
        from tfgraph.ops.common_shapes import broadcast_dims

        out = broadcast_dims(tuple(dims[0][:-1]), tuple(dims[1][:-1]))
        return TensorShape(None if out is None else list(out))

    def _batch_shape_tensor(self):
        from tfgraph.ops.manip_ops import broadcast_dynamic_shape

        return broadcast_dynamic_shape(
            array_ops.shape(self._loc)[:-1], array_ops.shape(self._scale_diag())[:-1]
        )

    def _event_shape(self):
        for t in (self._scale_diag(), self._loc):
            dims = t._shape._dims
            if dims is not None and dims[-1] is not None:
                return TensorShape([dims[-1]])
        return TensorShape([None])

    def _event_shape_tensor(self):
        return array_ops.shape(self._scale_diag())[-1:]

    def _apply_scale(self, z):
        if self._tril is None:
            return self._diag * z
        return math_ops.reduce_sum(self._tril * array_ops.expand_dims(z, -2), -1)

    def _solve_scale(self, y):
        if self._tril is None:
            return y / self._diag
        return array_ops.squeeze(
            linalg_ops.matrix_triangular_solve(self._tril, array_ops.expand_dims(y, -1)), [-1]
        )

    def _log_abs_det(self):
        return math_ops.reduce_sum(math_ops.log(math_ops.abs(self._scale_diag())), -1)

    def _sample_n(self, n, seed=None):
        shape = array_ops.concat([[n], self.batch_shape_tensor(), self.event_shape_tensor()], 0)
        z = random_ops.random_normal(shape, dtype=self.dtype, seed=seed)
        return self._apply_scale(z) + self._loc

    def _k(self):
        return array_ops.cast(self.event_shape_tensor()[0], self.dtype)

    def _log_prob(self, x):
        w = self._solve_scale(x - self._loc)
        return (
            -0.5 * math_ops.reduce_sum(math_ops.square(w), -1)
            - 0.5 * self._k() * math.log(2.0 * math.pi)
            - self._log_abs_det()
        )

    def _prob(self, x):
        return math_ops.exp(self._log_prob(x))

    def _entropy(self):
        h = 0.5 * self._k() * (1.0 + math.log(2.0 * math.pi)) + self._log_abs_det()
        return h * array_ops.ones(self.batch_shape_tensor(), dtype=self.dtype)

    def _mean(self):
        shape = array_ops.concat([self.batch_shape_tensor(), self.event_shape_tensor()], 0)
        return self._loc * array_ops.ones(shape, dtype=self.dtype)

    _mode = _mean

    def _variance(self):
        if self._tril is None:
            v = math_ops.square(self._diag)
        else:
            v = math_ops.reduce_sum(math_ops.square(self._tril), -1)
        return v * array_ops.ones_like(self._mean())

    def _stddev(self):
        return math_ops.sqrt(self._variance())

    def covariance(self, name="covariance"):
        with self._name_scope(name):
            s = self._scale_dense()
            cov = math_ops.matmul(s, s, transpose_b=True)
            shape = array_ops.concat(
                [self.batch_shape_tensor(), self.event_shape_tensor(), self.event_shape_tensor()],
                0,
            )
            return cov * array_ops.ones(shape, dtype=self.dtype)


def _mvn_loc(loc, dtype=None):
    return None if loc is None else convert_to_tensor(loc, name="loc", dtype=dtype)


class MultivariateNormalDiag(_MVN):
    """N(loc, diag(scale)**2) with scale = scale_diag + scale_identity_multiplier
    (the identity when both are None)."""

    def __init__(
        self,
        loc=None,
        scale_diag=None,
        scale_identity_multiplier=None,
        validate_args=False,
        allow_nan_stats=True,
        name="MultivariateNormalDiag",
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as name:
            loc_t = _mvn_loc(loc)
            dt = None if loc_t is None else loc_t.dtype
            with _g().name_scope("init"):
                diag = None
                if scale_diag is not None:
                    diag = convert_to_tensor(scale_diag, name="scale_diag", dtype=dt)
                    dt = diag.dtype
                if scale_identity_multiplier is not None:
                    mult = convert_to_tensor(
                        scale_identity_multiplier, name="scale_identity_multiplier", dtype=dt
                    )
                    if diag is not None:
                        diag = diag + array_ops.expand_dims(mult, -1)
                    elif loc_t is not None:
                        diag = array_ops.expand_dims(mult, -1) * array_ops.ones_like(loc_t)
                if diag is None:
                    if loc_t is None:
                        raise ValueError("Must specify at least one of `loc`, `scale_diag`.")
                    if scale_identity_multiplier is None:
                        diag = array_ops.ones_like(loc_t)
            self._setup(loc_t, diag, None, validate_args, allow_nan_stats, parameters, name)


class MultivariateNormalDiagWithSoftplusScale(MultivariateNormalDiag):
    """MultivariateNormalDiag(loc, softplus(scale_diag))."""

    def __init__(
        self,
        loc,
        scale_diag,
        validate_args=False,
        allow_nan_stats=True,
        name="MultivariateNormalDiagWithSoftplusScale",
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as scope:
            sp = nn_ops.softplus(convert_to_tensor(scale_diag, name="scale_diag"))
        super().__init__(
            loc=loc,
            scale_diag=sp,
            validate_args=validate_args,
            allow_nan_stats=allow_nan_stats,
            name=scope,
        )
        self._parameters = parameters


class MultivariateNormalTriL(_MVN):
    """N(loc, scale_tril @ scale_tril^T) for a lower-triangular `scale_tril` (its upper
    triangle is ignored)."""

    def __init__(
        self,
        loc=None,
        scale_tril=None,
        validate_args=False,
        allow_nan_stats=True,
        name="MultivariateNormalTriL",
    ):
        parameters = dict(locals())
        if loc is None and scale_tril is None:
            raise ValueError("Must specify one or both of `loc`, `scale_tril`.")
        with _g().name_scope(name) as name:
            loc_t = _mvn_loc(loc)
            dt = None if loc_t is None else loc_t.dtype
            with _g().name_scope("init"):
                if scale_tril is None:
                    tril = linalg_ops.matrix_diag(array_ops.ones_like(loc_t))
                else:
                    tril = convert_to_tensor(scale_tril, name="scale_tril", dtype=dt)
                    tril = linalg_ops.matrix_band_part(tril, -1, 0)
            self._setup(loc_t, None, tril, validate_args, allow_nan_stats, parameters, name)


class MultivariateNormalFullCovariance(_MVN):
    """N(loc, covariance_matrix) (scale = cholesky(covariance_matrix))."""

    def __init__(
        self,
        loc=None,
        covariance_matrix=None,
        validate_args=False,
        allow_nan_stats=True,
        name="MultivariateNormalFullCovariance",
    ):
        parameters = dict(locals())
        if loc is None and covariance_matrix is None:
            raise ValueError("Must specify one or both of `loc`, `covariance_matrix`.")
        with _g().name_scope(name) as name:
            loc_t = _mvn_loc(loc)
            dt = None if loc_t is None else loc_t.dtype
            with _g().name_scope("init"):
                if covariance_matrix is None:
                    tril = linalg_ops.matrix_diag(array_ops.ones_like(loc_t))
                else:
                    cov = convert_to_tensor(covariance_matrix, name="covariance_matrix", dtype=dt)
                    tril = linalg_ops.cholesky(cov)
            self._setup(loc_t, None, tril, validate_args, allow_nan_stats, parameters, name)


class MultivariateNormalDiagPlusLowRank(_MVN):
    """N(loc, S S^T) with S = diag(scale_diag) + scale_identity_multiplier * I +
    scale_perturb_factor diag(scale_perturb_diag) scale_perturb_factor^T. Computed
    through the Cholesky factor of S S^T (same distribution; samples for a given seed
    differ from TF's)."""

    def __init__(
        self,
        loc=None,
        scale_diag=None,
        scale_identity_multiplier=None,
        scale_perturb_factor=None,
        scale_perturb_diag=None,
        validate_args=False,
        allow_nan_stats=True,
        name="MultivariateNormalDiagPlusLowRank",
    ):
        parameters = dict(locals())
        with _g().name_scope(name) as name:
            loc_t = _mvn_loc(loc)
            dt = None if loc_t is None else loc_t.dtype
            with _g().name_scope("init"):
                diag = None
                if scale_diag is not None:
                    diag = convert_to_tensor(scale_diag, name="scale_diag", dtype=dt)
                    dt = diag.dtype
                if scale_identity_multiplier is not None:
                    mult = convert_to_tensor(
                        scale_identity_multiplier, name="scale_identity_multiplier", dtype=dt
                    )
                    base = diag if diag is not None else loc_t
                    if base is None:
                        raise ValueError("Cannot infer the event size.")
                    ones = array_ops.ones_like(base)
                    diag = (0.0 if diag is None else diag) + array_ops.expand_dims(mult, -1) * ones
                if diag is None:
                    if loc_t is None:
                        raise ValueError("Must specify at least one of `loc`, `scale_diag`.")
                    diag = array_ops.ones_like(loc_t)
                dense = linalg_ops.matrix_diag(diag)
                if scale_perturb_factor is not None:
                    u = convert_to_tensor(
                        scale_perturb_factor, name="scale_perturb_factor", dtype=dt
                    )
                    if scale_perturb_diag is None:
                        ud = u
                    else:
                        v = convert_to_tensor(
                            scale_perturb_diag, name="scale_perturb_diag", dtype=dt
                        )
                        ud = u * array_ops.expand_dims(v, -2)
                    dense = dense + math_ops.matmul(ud, u, transpose_b=True)
                self._dense = dense
                tril = linalg_ops.cholesky(math_ops.matmul(dense, dense, transpose_b=True))
            self._setup(loc_t, None, tril, validate_args, allow_nan_stats, parameters, name)

    @property
    def scale(self):
        return self._dense


# -- KL divergences --------------------------------------------------------------------------


@RegisterKL(_MVN, _MVN)
def _kl_mvn_mvn(a, b, name=None):
    with _g().name_scope(name or "kl_mvn"):
        k = a._k()
        diff = b.loc - a.loc
        if a._tril is None and b._tril is None:
            ratio = a._diag / b._diag
            trace = math_ops.reduce_sum(math_ops.square(ratio), -1)
        else:
            solved = linalg_ops.matrix_triangular_solve(b._scale_dense(), a._scale_dense())
            trace = math_ops.reduce_sum(math_ops.square(solved), [-2, -1])
        mahal = math_ops.reduce_sum(math_ops.square(b._solve_scale(diff)), -1)
        kl = b._log_abs_det() - a._log_abs_det() + 0.5 * (trace + mahal - k)
        shape = _dyn_broadcast(
            array_ops.ones(a.batch_shape_tensor()), array_ops.ones(b.batch_shape_tensor())
        )
        return kl * array_ops.ones(shape, dtype=kl.dtype)


@RegisterKL(Independent, Independent)
def _kl_independent(a, b, name=None):
    if a.event_shape.ndims is None or b.event_shape.ndims is None:
        raise NotImplementedError("KL of Independents with unknown event ranks.")
    if a.event_shape.as_list() != b.event_shape.as_list():
        raise ValueError(
            f"Event shapes do not match: p.event_shape={a.event_shape} "
            f"q.event_shape={b.event_shape}"
        )
    if a.reinterpreted_batch_ndims != b.reinterpreted_batch_ndims:
        raise NotImplementedError("Different reinterpreted_batch_ndims are not supported.")
    with _g().name_scope(name or "kl_independent"):
        kl = kl_divergence(a.distribution, b.distribution)
        return a._reduce(kl)


@RegisterKL(OneHotCategorical, OneHotCategorical)
def _kl_onehot(a, b, name=None):
    with _g().name_scope(name or "kl_categorical_categorical"):
        delta = nn_ops.log_softmax(a.logits) - nn_ops.log_softmax(b.logits)
        return math_ops.reduce_sum(nn_ops.softmax(a.logits) * delta, axis=-1)


@RegisterKL(HalfNormal, HalfNormal)
def _kl_half_normal(a, b, name=None):
    with _g().name_scope(name or "kl_half_normal_half_normal"):
        ratio = math_ops.square(a.scale / b.scale)
        return 0.5 * (ratio - 1.0 - math_ops.log(ratio))

"""TF1's `tf.distributions.Multinomial` and `DirichletMultinomial`: counts of
`total_count` draws over K classes, built from tfgraph ops as TF's Python builds them
(tensorflow/python/ops/distributions/multinomial.py, dirichlet_multinomial.py)."""

from __future__ import annotations

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
from tfgraph.ops.distributions_impl import (
    NOT_REPARAMETERIZED,
    Distribution,
    _gen_new_seed,
    _logits_and_probs,
)

__all__ = ["DirichletMultinomial", "Multinomial"]


def _log_combinations(n, counts, name="log_combinations"):
    """log(n! / prod_i counts_i!): the multinomial coefficient (TF's log_combinations)."""
    with get_default_graph().name_scope(name):
        n = convert_to_tensor(n, name="n")
        counts = convert_to_tensor(counts, name="counts")
        total_permutations = special_math_ops.lgamma(n + 1)
        counts_factorial = special_math_ops.lgamma(counts + 1)
        redundant_permutations = math_ops.reduce_sum(counts_factorial, axis=[-1])
        return total_permutations - redundant_permutations


def _nonnegative_integer_form(x, name="embed_check_nonnegative_integer_form"):
    """`x` after checks that it is >= 0 and integer-valued (TF's embed check)."""
    with get_default_graph().name_scope(name):
        x = convert_to_tensor(x, name="x")
        checks = [check_ops.assert_non_negative(x, message=f"'{x.name}' must be non-negative.")]
        if not x.dtype.is_integer:
            checks.append(
                check_ops.assert_equal(
                    x,
                    math_ops.round(x),
                    message=f"'{x.name}' cannot contain fractional components.",
                )
            )
        return control_flow_ops.with_dependencies(checks, x)


def _last_dim_shape(t) -> TensorShape:
    dims = t._shape._dims
    return TensorShape(None if dims is None else list(dims[-1:]))


def _leading_shape(t) -> TensorShape:
    dims = t._shape._dims
    return TensorShape(None if dims is None else list(dims[:-1]))


class _Counts(Distribution):
    """What both count distributions share: total_count, covariance and the sample
    check."""

    total_count = property(lambda self: self._total_count)

    def covariance(self, name="covariance"):
        """The K x K covariance matrix of each batch member."""
        with self._name_scope(name):
            return self._covariance()

    def _prob(self, counts):
        return math_ops.exp(self._log_prob(counts))

    def _maybe_assert_valid_sample(self, counts):
        if not self.validate_args:
            return counts
        counts = _nonnegative_integer_form(counts)
        return control_flow_ops.with_dependencies(
            [
                check_ops.assert_equal(
                    self.total_count,
                    math_ops.reduce_sum(counts, -1),
                    message="counts must sum to `self.total_count`",
                )
            ],
            counts,
        )


class Multinomial(_Counts):
    """The multinomial distribution: counts of `total_count` draws from K classes with
    probabilities `probs` (or `softmax(logits)`), of shape batch + [K]."""

    def __init__(
        self,
        total_count,
        logits=None,
        probs=None,
        validate_args=False,
        allow_nan_stats=True,
        name="Multinomial",
    ):
        parameters = dict(locals())
        with get_default_graph().name_scope(name) as name:
            self._total_count = convert_to_tensor(total_count, name="total_count")
            if validate_args:
                self._total_count = _nonnegative_integer_form(self._total_count)
            self._logits, self._probs = _logits_and_probs(logits, probs, True, None, name)
            self._mean_val = array_ops.expand_dims(self._total_count, -1) * self._probs
        super().__init__(
            self._probs.dtype,
            NOT_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            [self._total_count, self._logits, self._probs],
            name,
        )

    logits = property(lambda self: self._logits)
    probs = property(lambda self: self._probs)

    def _batch_shape_tensor(self):
        return array_ops.shape(self._mean_val)[:-1]

    def _batch_shape(self):
        return _leading_shape(self._mean_val)

    def _event_shape_tensor(self):
        return array_ops.shape(self._mean_val)[-1:]

    def _event_shape(self):
        return _last_dim_shape(self._mean_val)

    def _sample_n(self, n, seed=None):
        from tfgraph.functional_ops import map_fn

        n_draws = array_ops.cast(self.total_count, dtypes.int32)
        k = self.event_shape_tensor()[0]
        n_draws = array_ops.ones_like(self.logits[..., 0], dtype=n_draws.dtype) * n_draws
        logits = (
            array_ops.ones_like(array_ops.expand_dims(n_draws, -1), dtype=self.logits.dtype)
            * self.logits
        )
        flat_logits = array_ops.reshape(logits, [-1, k])
        flat_ndraws = n * array_ops.reshape(n_draws, [-1])

        def _sample_single(args):
            row, n_draw = args[0], args[1]
            x = random_ops.multinomial(array_ops.expand_dims(row, 0), n_draw, seed)
            x = array_ops.reshape(x, [n, -1])
            return math_ops.reduce_sum(array_ops.one_hot(x, depth=k), axis=-2)

        x = map_fn(_sample_single, [flat_logits, flat_ndraws], dtype=self.dtype)
        x = array_ops.transpose(x, perm=[1, 0, 2])
        final_shape = array_ops.concat([[n], self.batch_shape_tensor(), [k]], 0)
        return array_ops.reshape(x, final_shape)

    def _log_prob(self, counts):
        return self._log_unnormalized_prob(counts) - self._log_normalization(counts)

    def _log_unnormalized_prob(self, counts):
        counts = self._maybe_assert_valid_sample(counts)
        return math_ops.reduce_sum(counts * nn_ops.log_softmax(self.logits), -1)

    def _log_normalization(self, counts):
        counts = self._maybe_assert_valid_sample(counts)
        return -_log_combinations(self.total_count, counts)

    def _mean(self):
        return array_ops.identity(self._mean_val)

    def _p_times_ones(self):
        return self.probs * array_ops.expand_dims(array_ops.ones_like(self.total_count), -1)

    def _covariance(self):
        outer = math_ops.matmul(
            array_ops.expand_dims(self._mean_val, -1),
            array_ops.expand_dims(self._p_times_ones(), -2),
        )
        return linalg_ops.matrix_set_diag(-outer, self._variance())

    def _variance(self):
        return self._mean_val - self._mean_val * self._p_times_ones()


class DirichletMultinomial(_Counts):
    """The Dirichlet-multinomial distribution: counts of `total_count` draws from K
    classes whose probabilities are drawn from Dirichlet(`concentration`)."""

    def __init__(
        self,
        total_count,
        concentration,
        validate_args=False,
        allow_nan_stats=True,
        name="DirichletMultinomial",
    ):
        parameters = dict(locals())
        with get_default_graph().name_scope(name) as name:
            self._total_count = convert_to_tensor(total_count, name="total_count")
            if validate_args:
                self._total_count = _nonnegative_integer_form(self._total_count)
            self._concentration = convert_to_tensor(concentration, name="concentration")
            if validate_args:
                self._concentration = control_flow_ops.with_dependencies(
                    [
                        check_ops.assert_positive(
                            self._concentration,
                            message="Concentration parameter must be positive.",
                        )
                    ],
                    self._concentration,
                )
            self._total_concentration = math_ops.reduce_sum(self._concentration, -1)
        super().__init__(
            self._concentration.dtype,
            NOT_REPARAMETERIZED,
            validate_args,
            allow_nan_stats,
            parameters,
            [self._total_count, self._concentration],
            name,
        )

    concentration = property(lambda self: self._concentration)
    total_concentration = property(lambda self: self._total_concentration)

    def _batch_shape_tensor(self):
        return array_ops.shape(self._total_concentration)

    def _batch_shape(self):
        return self._total_concentration._shape

    def _event_shape_tensor(self):
        return array_ops.shape(self._concentration)[-1:]

    def _event_shape(self):
        return _last_dim_shape(self._concentration)

    def _sample_n(self, n, seed=None):
        n_draws = array_ops.cast(self.total_count, dtypes.int32)
        k = self.event_shape_tensor()[0]
        gamma = random_ops.random_gamma(
            shape=[n], alpha=self._concentration, dtype=self.dtype, seed=seed
        )
        unnormalized_logits = array_ops.reshape(math_ops.log(gamma), [-1, k])
        draws = random_ops.multinomial(
            unnormalized_logits, n_draws, seed=_gen_new_seed(seed, "dirichlet_multinomial")
        )
        x = math_ops.reduce_sum(array_ops.one_hot(draws, depth=k), -2)
        final_shape = array_ops.concat([[n], self.batch_shape_tensor(), [k]], 0)
        return array_ops.cast(array_ops.reshape(x, final_shape), self.dtype)

    def _log_prob(self, counts):
        counts = self._maybe_assert_valid_sample(counts)
        ordered = special_math_ops.lbeta(self._concentration + counts) - special_math_ops.lbeta(
            self._concentration
        )
        return ordered + _log_combinations(self.total_count, counts)

    def _mean(self):
        return self.total_count * (
            self._concentration / array_ops.expand_dims(self._total_concentration, -1)
        )

    def _covariance(self):
        x = self._variance_scale_term() * self._mean()
        outer = math_ops.matmul(array_ops.expand_dims(x, -1), array_ops.expand_dims(x, -2))
        return linalg_ops.matrix_set_diag(-outer, self._variance())

    def _variance(self):
        scale = self._variance_scale_term()
        x = scale * self._mean()
        return x * (self.total_count * scale - x)

    def _variance_scale_term(self):
        c0 = array_ops.expand_dims(self._total_concentration, -1)
        return math_ops.sqrt((1.0 + c0 / self.total_count) / (1.0 + c0))

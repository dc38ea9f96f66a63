"""TF 1.15's `tf.contrib.distributions.bijectors` (the basic ones: Identity, Exp,
Softplus, Sigmoid, AffineScalar, Affine, Invert, Chain) and `TransformedDistribution`,
built from tfgraph ops as TF's Python builds them
(tensorflow/contrib/distributions/python/ops/bijectors/*.py,
tensorflow/python/ops/distributions/bijector_impl.py, transformed_distribution.py)."""

from __future__ import annotations

import contextlib

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
)
from tfgraph.ops.distributions_impl import Distribution

__all__ = [
    "Affine",
    "AffineScalar",
    "Bijector",
    "Chain",
    "Exp",
    "Identity",
    "Invert",
    "Sigmoid",
    "Softplus",
    "TransformedDistribution",
    "softplus_inverse",
]


def softplus_inverse(x, name=None):
    """log(exp(x) - 1), computed stably (TF's distribution_util.softplus_inverse)."""
    with get_default_graph().name_scope(name or "softplus_inverse"):
        x = convert_to_tensor(x, name="x")
        return x + math_ops.log(-math_ops.expm1(-x))


def _reduce_event(ldj, n):
    """Sum `ldj` over its `n` rightmost dimensions."""
    if n == 0:
        return ldj
    return math_ops.reduce_sum(ldj, axis=list(range(-n, 0)))


class Bijector:
    """The base class: a differentiable, invertible map with log det Jacobians.
    `event_ndims` (an int) says how many rightmost dimensions form one event; the
    log det Jacobian is summed over the dimensions beyond the bijector's minimum."""

    def __init__(
        self,
        graph_parents=None,
        is_constant_jacobian=False,
        validate_args=False,
        dtype=None,
        forward_min_event_ndims=None,
        inverse_min_event_ndims=None,
        name=None,
    ):
        if forward_min_event_ndims is None:
            raise ValueError("Must specify at least one of `forward_min_event_ndims` ")
        if inverse_min_event_ndims is None:
            inverse_min_event_ndims = forward_min_event_ndims
        self._graph_parents = list(graph_parents or [])
        self._is_constant_jacobian = is_constant_jacobian
        self._validate_args = validate_args
        self._dtype = dtype
        self._forward_min_event_ndims = forward_min_event_ndims
        self._inverse_min_event_ndims = inverse_min_event_ndims
        self._name = name or type(self).__name__.lower()

    name = property(lambda self: self._name)
    dtype = property(lambda self: self._dtype)
    graph_parents = property(lambda self: list(self._graph_parents))
    is_constant_jacobian = property(lambda self: self._is_constant_jacobian)
    validate_args = property(lambda self: self._validate_args)
    forward_min_event_ndims = property(lambda self: self._forward_min_event_ndims)
    inverse_min_event_ndims = property(lambda self: self._inverse_min_event_ndims)

    @contextlib.contextmanager
    def _name_scope(self, name):
        g = get_default_graph()
        with g.name_scope(self._name), g.name_scope(name) as scope:
            yield scope

    def _check_event_ndims(self, event_ndims, min_event_ndims):
        if not isinstance(event_ndims, int):
            event_ndims = int(event_ndims)
        if event_ndims < min_event_ndims:
            raise ValueError(
                f"event_ndims ({event_ndims}) must be larger than min_event_ndims "
                f"({min_event_ndims})"
            )
        return event_ndims

    def forward(self, x, name="forward"):
        with self._name_scope(name):
            return self._forward(convert_to_tensor(x, name="x", dtype=self._dtype))

    def inverse(self, y, name="inverse"):
        with self._name_scope(name):
            return self._inverse(convert_to_tensor(y, name="y", dtype=self._dtype))

    def inverse_log_det_jacobian(self, y, event_ndims, name="inverse_log_det_jacobian"):
        event_ndims = self._check_event_ndims(event_ndims, self._inverse_min_event_ndims)
        with self._name_scope(name):
            y = convert_to_tensor(y, name="y", dtype=self._dtype)
            ildj = self._inverse_log_det_jacobian(y)
            return _reduce_event(ildj, event_ndims - self._inverse_min_event_ndims)

    def forward_log_det_jacobian(self, x, event_ndims, name="forward_log_det_jacobian"):
        event_ndims = self._check_event_ndims(event_ndims, self._forward_min_event_ndims)
        with self._name_scope(name):
            x = convert_to_tensor(x, name="x", dtype=self._dtype)
            fldj = self._forward_log_det_jacobian(x)
            return _reduce_event(fldj, event_ndims - self._forward_min_event_ndims)

    def _forward_log_det_jacobian(self, x):
        return -self._inverse_log_det_jacobian(self._forward(x))

    def _inverse_log_det_jacobian(self, y):
        return -self._forward_log_det_jacobian(self._inverse(y))

    def forward_event_shape(self, input_shape):
        return TensorShape(input_shape)

    def inverse_event_shape(self, output_shape):
        return TensorShape(output_shape)

    def forward_event_shape_tensor(self, input_shape, name="forward_event_shape_tensor"):
        with self._name_scope(name):
            return convert_to_tensor(input_shape, dtypes.int32)

    def inverse_event_shape_tensor(self, output_shape, name="inverse_event_shape_tensor"):
        with self._name_scope(name):
            return convert_to_tensor(output_shape, dtypes.int32)


class Identity(Bijector):
    """Y = X."""

    def __init__(self, validate_args=False, name="identity"):
        super().__init__(
            is_constant_jacobian=True,
            forward_min_event_ndims=0,
            validate_args=validate_args,
            name=name,
        )

    def _forward(self, x):
        return x

    def _inverse(self, y):
        return y

    def _inverse_log_det_jacobian(self, y):
        return array_ops.zeros_like(y)

    def _forward_log_det_jacobian(self, x):
        return array_ops.zeros_like(x)


class Exp(Bijector):
    """Y = exp(X)."""

    def __init__(self, validate_args=False, name="exp"):
        super().__init__(forward_min_event_ndims=0, validate_args=validate_args, name=name)

    def _forward(self, x):
        return math_ops.exp(x)

    def _inverse(self, y):
        return math_ops.log(y)

    def _inverse_log_det_jacobian(self, y):
        return -math_ops.log(y)

    def _forward_log_det_jacobian(self, x):
        return array_ops.identity(x)


class Softplus(Bijector):
    """Y = c * log(1 + exp(X / c)) with c = hinge_softness (1 if None)."""

    def __init__(self, hinge_softness=None, validate_args=False, name="softplus"):
        with get_default_graph().name_scope(name):
            self._hinge = (
                None
                if hinge_softness is None
                else convert_to_tensor(hinge_softness, name="hinge_softness")
            )
            if validate_args and self._hinge is not None:
                self._hinge = control_flow_ops.with_dependencies(
                    [
                        check_ops.assert_none_equal(
                            self._hinge,
                            0.0,
                            message="hinge_softness must be non-zero",
                        )
                    ],
                    self._hinge,
                )
        super().__init__(
            forward_min_event_ndims=0,
            validate_args=validate_args,
            graph_parents=[] if self._hinge is None else [self._hinge],
            name=name,
        )

    hinge_softness = property(lambda self: self._hinge)

    def _forward(self, x):
        if self._hinge is None:
            return nn_ops.softplus(x)
        return self._hinge * nn_ops.softplus(x / self._hinge)

    def _inverse(self, y):
        if self._hinge is None:
            return softplus_inverse(y)
        return self._hinge * softplus_inverse(y / self._hinge)

    def _inverse_log_det_jacobian(self, y):
        if self._hinge is not None:
            y = y / self._hinge
        return -math_ops.log(-math_ops.expm1(-y))

    def _forward_log_det_jacobian(self, x):
        if self._hinge is not None:
            x = x / self._hinge
        return -nn_ops.softplus(-x)


class Sigmoid(Bijector):
    """Y = 1 / (1 + exp(-X))."""

    def __init__(self, validate_args=False, name="sigmoid"):
        super().__init__(forward_min_event_ndims=0, validate_args=validate_args, name=name)

    def _forward(self, x):
        return math_ops.sigmoid(x)

    def _inverse(self, y):
        return math_ops.log(y) - math_ops.log1p(-y)

    def _inverse_log_det_jacobian(self, y):
        return -math_ops.log(y) - math_ops.log1p(-y)

    def _forward_log_det_jacobian(self, x):
        return -nn_ops.softplus(-x) - nn_ops.softplus(x)


class AffineScalar(Bijector):
    """Y = scale * X + shift (scalar events)."""

    def __init__(self, shift=None, scale=None, validate_args=False, name="affine_scalar"):
        with get_default_graph().name_scope(name):
            self._shift = None if shift is None else convert_to_tensor(shift, name="shift")
            dt = None if self._shift is None else self._shift.dtype
            self._scale = (
                None if scale is None else convert_to_tensor(scale, name="scale", dtype=dt)
            )
            if validate_args and self._scale is not None:
                self._scale = control_flow_ops.with_dependencies(
                    [
                        check_ops.assert_none_equal(
                            self._scale, 0.0, message="Argument scale was 0."
                        )
                    ],
                    self._scale,
                )
        dtype = dt if dt is not None else (None if self._scale is None else self._scale.dtype)
        super().__init__(
            forward_min_event_ndims=0,
            is_constant_jacobian=True,
            validate_args=validate_args,
            dtype=dtype,
            graph_parents=[t for t in (self._shift, self._scale) if t is not None],
            name=name,
        )

    shift = property(lambda self: self._shift)
    scale = property(lambda self: self._scale)

    def _forward(self, x):
        y = array_ops.identity(x)
        if self._scale is not None:
            y = y * self._scale
        if self._shift is not None:
            y = y + self._shift
        return y

    def _inverse(self, y):
        x = array_ops.identity(y)
        if self._shift is not None:
            x = x - self._shift
        if self._scale is not None:
            x = x / self._scale
        return x

    def _forward_log_det_jacobian(self, x):
        if self._scale is None:
            return array_ops.zeros_like(x)
        return math_ops.log(math_ops.abs(self._scale)) * array_ops.ones_like(x)


class Affine(Bijector):
    """Y = scale @ X + shift on vector events, where
    scale = scale_tril + diag(scale_diag) + scale_identity_multiplier * I (the identity
    when none is given). `scale_perturb_factor` (the low-rank update) is not supported."""

    def __init__(
        self,
        shift=None,
        scale_identity_multiplier=None,
        scale_diag=None,
        scale_tril=None,
        scale_perturb_factor=None,
        scale_perturb_diag=None,
        adjoint=False,
        validate_args=False,
        name="affine",
        dtype=None,
    ):
        if scale_perturb_factor is not None or scale_perturb_diag is not None:
            raise NotImplementedError("tfgraph's Affine does not support scale_perturb_factor.")
        g = get_default_graph()
        with g.name_scope(name):

            def conv(v, n):
                return None if v is None else convert_to_tensor(v, name=n, dtype=dtype)

            self._shift = conv(shift, "shift")
            self._mult = conv(scale_identity_multiplier, "scale_identity_multiplier")
            self._diag = conv(scale_diag, "scale_diag")
            self._tril = conv(scale_tril, "scale_tril")
            if self._tril is not None:
                self._tril = linalg_ops.matrix_band_part(self._tril, -1, 0)
            self._adjoint = adjoint
            if validate_args:
                d = self._diag_part()
                if d is not None:
                    chk = check_ops.assert_none_equal(
                        d, 0.0, message="Singular operator:  Diagonal contained zero values."
                    )
                    self._shift = (
                        None
                        if self._shift is None
                        else control_flow_ops.with_dependencies([chk], self._shift)
                    )
                    self._check = chk
        parents = [t for t in (self._shift, self._mult, self._diag, self._tril) if t is not None]
        super().__init__(
            forward_min_event_ndims=1,
            is_constant_jacobian=True,
            validate_args=validate_args,
            dtype=dtype if dtype is None else dtypes.as_dtype(dtype),
            graph_parents=parents,
            name=name,
        )

    shift = property(lambda self: self._shift)

    def _diag_part(self):
        """The scale matrix's diagonal (None for the identity)."""
        d = None
        if self._tril is not None:
            d = linalg_ops.matrix_diag_part(self._tril)
        if self._diag is not None:
            d = self._diag if d is None else d + self._diag
        if self._mult is not None:
            d = self._mult if d is None else d + self._mult
        return d

    def _with_check(self, t):
        chk = getattr(self, "_check", None)
        return t if chk is None else control_flow_ops.with_dependencies([chk], t)

    def _dense(self):
        """The full scale matrix when it is not diagonal, else None."""
        if self._tril is None:
            return None
        d = self._diag_part() - linalg_ops.matrix_diag_part(self._tril)
        m = linalg_ops.matrix_set_diag(self._tril, linalg_ops.matrix_diag_part(self._tril) + d)
        return linalg_ops.matrix_transpose(m) if self._adjoint else m

    def _forward(self, x):
        x = self._with_check(x)
        m = self._dense()
        if m is not None:
            y = math_ops.reduce_sum(m * array_ops.expand_dims(x, -2), -1)
        else:
            d = self._diag_part()
            y = x if d is None else x * d
        return y if self._shift is None else y + self._shift

    def _inverse(self, y):
        y = self._with_check(y)
        x = y if self._shift is None else y - self._shift
        m = self._dense()
        if m is not None:
            return array_ops.squeeze(
                linalg_ops.matrix_triangular_solve(
                    m, array_ops.expand_dims(x, -1), lower=not self._adjoint
                ),
                [-1],
            )
        d = self._diag_part()
        return x if d is None else x / d

    def _forward_log_det_jacobian(self, x):
        d = self._diag_part()
        if d is None:
            return array_ops.zeros_like(x[..., 0])
        if self._diag is None and self._tril is None:  # scale_identity_multiplier * I
            k = array_ops.cast(array_ops.shape(x)[-1], x.dtype)
            ldj = k * math_ops.log(math_ops.abs(d))
        else:
            ldj = math_ops.reduce_sum(math_ops.log(math_ops.abs(d)), -1)
        return ldj * array_ops.ones_like(x[..., 0])


class Invert(Bijector):
    """The inverse of `bijector`: forward and inverse swapped."""

    def __init__(self, bijector, validate_args=False, name=None):
        self._bijector = bijector
        super().__init__(
            graph_parents=bijector.graph_parents,
            forward_min_event_ndims=bijector.inverse_min_event_ndims,
            inverse_min_event_ndims=bijector.forward_min_event_ndims,
            is_constant_jacobian=bijector.is_constant_jacobian,
            validate_args=validate_args,
            dtype=bijector.dtype,
            name=name or "_".join(["invert", bijector.name]),
        )

    bijector = property(lambda self: self._bijector)

    def _forward(self, x):
        return self._bijector._inverse(x)

    def _inverse(self, y):
        return self._bijector._forward(y)

    def _inverse_log_det_jacobian(self, y):
        return self._bijector._forward_log_det_jacobian(y)

    def _forward_log_det_jacobian(self, x):
        return self._bijector._inverse_log_det_jacobian(x)


class Chain(Bijector):
    """Y = b0(b1(...bn(X))): `bijectors` applied last first. Its log det Jacobians
    are summed, each over the event dims beyond that bijector's minimum."""

    def __init__(self, bijectors=None, validate_args=False, name=None):
        self._bijectors = list(bijectors or [])
        for a_bijector in self._bijectors:
            if not isinstance(a_bijector, Bijector):
                raise TypeError(f"Not a bijector: {a_bijector!r}")
        ndims = max([b.forward_min_event_ndims for b in self._bijectors] or [0])
        super().__init__(
            graph_parents=[t for b in self._bijectors for t in b.graph_parents],
            forward_min_event_ndims=ndims,
            inverse_min_event_ndims=ndims,
            is_constant_jacobian=all(b.is_constant_jacobian for b in self._bijectors),
            validate_args=validate_args,
            name=name
            or (
                "identity"
                if not self._bijectors
                else "_of_".join(["chain"] + [b.name for b in self._bijectors])
            ),
        )

    bijectors = property(lambda self: list(self._bijectors))

    def _forward(self, x):
        for b in reversed(self._bijectors):
            x = b.forward(x)
        return x

    def _inverse(self, y):
        for b in self._bijectors:
            y = b.inverse(y)
        return y

    def _inverse_log_det_jacobian(self, y):
        n = self._inverse_min_event_ndims
        total = _reduce_event(array_ops.zeros_like(y), n)
        for b in self._bijectors:
            total = total + b.inverse_log_det_jacobian(y, event_ndims=n)
            y = b.inverse(y)
        return total

    def _forward_log_det_jacobian(self, x):
        n = self._forward_min_event_ndims
        total = _reduce_event(array_ops.zeros_like(x), n)
        for b in reversed(self._bijectors):
            total = total + b.forward_log_det_jacobian(x, event_ndims=n)
            x = b.forward(x)
        return total


class TransformedDistribution(Distribution):
    """The distribution of Y = bijector.forward(X) for X ~ `distribution`:
    log_prob(y) = distribution.log_prob(x) + inverse_log_det_jacobian(y) with
    x = inverse(y). (The `batch_shape`/`event_shape` overrides are not supported.)"""

    def __init__(
        self,
        distribution,
        bijector=None,
        batch_shape=None,
        event_shape=None,
        validate_args=False,
        name=None,
    ):
        parameters = dict(locals())
        if batch_shape is not None or event_shape is not None:
            raise NotImplementedError(
                "tfgraph's TransformedDistribution does not support batch_shape/event_shape "
                "overrides."
            )
        if bijector is None:
            bijector = Identity(validate_args=validate_args)
        name = name or ("" if bijector is None else bijector.name) + distribution.name
        self._distribution = distribution
        self._bijector = bijector
        with get_default_graph().name_scope(name) as name:
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
    bijector = property(lambda self: self._bijector)

    def _event_ndims(self):
        ndims = self._distribution.event_shape.ndims
        if ndims is None:
            raise NotImplementedError("The base distribution's event rank must be known.")
        return ndims

    def _batch_shape(self):
        return self._distribution.batch_shape

    def _batch_shape_tensor(self):
        return self._distribution.batch_shape_tensor()

    def _event_shape(self):
        return self._bijector.forward_event_shape(self._distribution.event_shape)

    def _event_shape_tensor(self):
        return self._bijector.forward_event_shape_tensor(self._distribution.event_shape_tensor())

    def _sample_n(self, n, seed=None):
        x = self._distribution.sample(array_ops.reshape(n, [1]), seed=seed)
        return self._bijector.forward(x)

    def _log_prob(self, y):
        x = self._bijector.inverse(y)
        ildj = self._bijector.inverse_log_det_jacobian(y, event_ndims=self._event_ndims())
        return self._distribution.log_prob(x) + ildj

    def _prob(self, y):
        return math_ops.exp(self._log_prob(y))

    def _cdf(self, y):
        if self._event_ndims() != 0:
            raise NotImplementedError("cdf is not implemented when overriding event_shape")
        return self._distribution.cdf(self._bijector.inverse(y))

    def _log_cdf(self, y):
        return math_ops.log(self._cdf(y))

    def _survival_function(self, y):
        return self._distribution.survival_function(self._bijector.inverse(y))

    def _mean(self):
        if not self._bijector.is_constant_jacobian:
            raise NotImplementedError("mean is not implemented")
        return self._bijector.forward(self._distribution.mean())

    def _entropy(self):
        if not self._bijector.is_constant_jacobian:
            raise NotImplementedError("entropy is not implemented")
        base = self._distribution
        x = array_ops.zeros(
            array_ops.concat([base.batch_shape_tensor(), base.event_shape_tensor()], 0),
            dtype=base.dtype,
        )
        fldj = self._bijector.forward_log_det_jacobian(x, event_ndims=self._event_ndims())
        return base.entropy() + fldj

    def _variance(self):
        raise NotImplementedError("variance is not implemented")

    def _mode(self):
        raise NotImplementedError("mode is not implemented")

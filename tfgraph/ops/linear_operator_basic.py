"""The simple LinearOperators, as TF's Python builds them: FullMatrix, Diag,
LowerTriangular, Identity and ScaledIdentity."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.api_utils import broadcast_static_shape
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import TensorShape, dimension_value
from tfgraph.ops import array_ops, check_ops, common_shapes, control_flow_ops, linalg_ops, math_ops
from tfgraph.ops import linear_operator as lo
from tfgraph.ops.linear_operator import LinearOperator

__all__ = [
    "LinearOperatorDiag",
    "LinearOperatorFullMatrix",
    "LinearOperatorIdentity",
    "LinearOperatorLowerTriangular",
    "LinearOperatorScaledIdentity",
]


def _scope(name, values=None):
    return get_default_graph().name_scope(name)


def _hint_kwargs(is_non_singular, is_self_adjoint, is_positive_definite, is_square):
    return dict(
        is_non_singular=is_non_singular,
        is_self_adjoint=is_self_adjoint,
        is_positive_definite=is_positive_definite,
        is_square=is_square,
    )


class LinearOperatorFullMatrix(LinearOperator):
    """A [batch] matrix given as a dense tensor."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"matrix": 2}

    def __init__(
        self,
        matrix,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorFullMatrix",
    ):
        hints = _hint_kwargs(is_non_singular, is_self_adjoint, is_positive_definite, is_square)
        parameters = dict(matrix=matrix, name=name, **hints)
        with _scope(name):
            self._matrix = lo.to_tensor(matrix, name="matrix")
            allowed = [
                dtypes.float16,
                dtypes.float32,
                dtypes.float64,
                dtypes.complex64,
                dtypes.complex128,
            ]
            if self._matrix.dtype.base_dtype not in allowed:
                raise TypeError(
                    f"Argument `matrix` must have dtype in {allowed}. "
                    f"Received: {self._matrix.dtype}."
                )
            if self._matrix.shape.ndims is not None and self._matrix.shape.ndims < 2:
                raise ValueError(
                    f"Argument `matrix` must have at least 2 dimensions. Received: {self._matrix}."
                )
            super().__init__(dtype=self._matrix.dtype, parameters=parameters, name=name, **hints)

    @property
    def matrix(self):
        return self._matrix

    def _shape(self):
        return self._matrix.shape

    def _shape_tensor(self):
        return array_ops.shape(self._matrix)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return math_ops.matmul(self._matrix, x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _to_dense(self):
        return self._matrix


class LinearOperatorDiag(LinearOperator):
    """A [batch] diagonal matrix given by its diagonal."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"diag": 1}

    def __init__(
        self,
        diag,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorDiag",
    ):
        parameters = dict(
            diag=diag,
            name=name,
            **_hint_kwargs(is_non_singular, is_self_adjoint, is_positive_definite, is_square),
        )
        with _scope(name):
            self._diag = lo.to_tensor(diag, name="diag")
            if self._diag.shape.ndims is not None and self._diag.shape.ndims < 1:
                raise ValueError(
                    f"Argument diag must have at least 1 dimension.  Found: {self._diag}"
                )
            if not self._diag.dtype.is_complex:
                if is_self_adjoint is False:
                    raise ValueError("A real diagonal operator is always self adjoint.")
                is_self_adjoint = True
            if is_square is False:
                raise ValueError("Only square diagonal operators currently supported.")
            super().__init__(
                dtype=self._diag.dtype,
                parameters=parameters,
                name=name,
                **_hint_kwargs(is_non_singular, is_self_adjoint, is_positive_definite, True),
            )

    def _check_diag(self, diag):
        return None

    @property
    def diag(self):
        return self._diag

    def _shape(self):
        d = self._diag.shape
        return d.concatenate(d[-1:])

    def _shape_tensor(self):
        d = array_ops.shape(self._diag)
        return array_ops.concat((d, [d[-1]]), 0)

    def _combined(self, left, right):
        return dict(
            is_non_singular=lo.combined_non_singular_hint(left, right),
            is_self_adjoint=lo.combined_commuting_self_adjoint_hint(left, right),
            is_positive_definite=lo.combined_commuting_positive_definite_hint(left, right),
            is_square=True,
        )

    def _linop_inverse(self):
        return LinearOperatorDiag(1.0 / self.diag, **self._hints())

    def _linop_matmul(self, left, right):
        hints = self._combined(left, right)
        if isinstance(right, LinearOperatorDiag):
            return LinearOperatorDiag(diag=left.diag * right.diag, **hints)
        if isinstance(right, LinearOperatorScaledIdentity):
            return LinearOperatorDiag(diag=left.diag * right.multiplier, **hints)
        if isinstance(right, LinearOperatorLowerTriangular):
            hints["is_positive_definite"] = None
            tril = left.diag[..., None] * right.to_dense()
            return LinearOperatorLowerTriangular(tril=tril, **hints)
        return super()._linop_matmul(left, right)

    def _linop_solve(self, left, right):
        hints = self._combined(left, right)
        if isinstance(right, LinearOperatorDiag):
            return LinearOperatorDiag(diag=right.diag / left.diag, **hints)
        if isinstance(right, LinearOperatorScaledIdentity):
            return LinearOperatorDiag(diag=right.multiplier / left.diag, **hints)
        if isinstance(right, LinearOperatorLowerTriangular):
            hints["is_positive_definite"] = None
            tril = right.to_dense() / left.diag[..., None]
            return LinearOperatorLowerTriangular(tril=tril, **hints)
        return super()._linop_solve(left, right)

    def _assert_non_singular(self):
        return lo.assert_no_entries_with_modulus_zero(
            self._diag, message="Singular operator:  Diagonal contained zero values."
        )

    def _assert_positive_definite(self):
        if self.dtype.is_complex:
            message = (
                "Diagonal operator had diagonal entries with non-positive real part, thus was "
                "not positive definite."
            )
        else:
            message = (
                "Real diagonal operator had non-positive diagonal entries, thus was not "
                "positive definite."
            )
        return check_ops.assert_positive(math_ops.real(self._diag), message=message)

    def _assert_self_adjoint(self):
        return lo.assert_zero_imag_part(
            self._diag,
            message="This diagonal operator contained non-zero imaginary values.   Thus it "
            "was not self-adjoint.",
        )

    def _linop_adjoint(self):
        diag = math_ops.conj(self.diag) if self.diag.dtype.is_complex else self.diag
        hints = self._hints()
        hints["is_square"] = True
        return LinearOperatorDiag(diag=diag, **hints)

    def _linop_cholesky(self):
        return LinearOperatorDiag(math_ops.sqrt(self.diag), **_hint_kwargs(True, True, True, True))

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        diag_term = math_ops.conj(self._diag) if adjoint else self._diag
        x = lo.adjoint(x) if adjoint_arg else x
        return array_ops.expand_dims(diag_term, -1) * x

    def _matvec(self, x, adjoint=False):
        diag_term = math_ops.conj(self._diag) if adjoint else self._diag
        return diag_term * x

    def _determinant(self):
        return math_ops.reduce_prod(self._diag, axis=[-1])

    def _log_abs_determinant(self):
        log_det = math_ops.reduce_sum(math_ops.log(math_ops.abs(self._diag)), axis=[-1])
        if self.dtype.is_complex:
            log_det = array_ops.cast(log_det, dtype=self.dtype)
        return log_det

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        diag_term = math_ops.conj(self._diag) if adjoint else self._diag
        rhs = lo.adjoint(rhs) if adjoint_arg else rhs
        return rhs * array_ops.expand_dims(1.0 / diag_term, -1)

    def _to_dense(self):
        return linalg_ops.matrix_diag(self._diag)

    def _diag_part(self):
        return self.diag

    def _add_to_tensor(self, x):
        new_diag = self._diag + linalg_ops.matrix_diag_part(x)
        return linalg_ops.matrix_set_diag(x, new_diag)

    def _eigvals(self):
        return lo.to_tensor(self.diag)

    def _cond(self):
        abs_diag = math_ops.abs(self.diag)
        return math_ops.reduce_max(abs_diag, axis=-1) / math_ops.reduce_min(abs_diag, axis=-1)


class LinearOperatorLowerTriangular(LinearOperator):
    """A [batch] lower triangular matrix: the lower triangle of `tril`."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"tril": 2}

    def __init__(
        self,
        tril,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorLowerTriangular",
    ):
        hints = _hint_kwargs(is_non_singular, is_self_adjoint, is_positive_definite, is_square)
        parameters = dict(tril=tril, name=name, **hints)
        if is_square is False:
            raise ValueError("Only square lower triangular operators supported at this time.")
        hints["is_square"] = True
        with _scope(name):
            self._tril = lo.to_tensor(tril, name="tril")
            if self._tril.shape.ndims is not None and self._tril.shape.ndims < 2:
                raise ValueError(
                    f"Argument tril must have at least 2 dimensions.  Found: {self._tril}"
                )
            super().__init__(dtype=self._tril.dtype, parameters=parameters, name=name, **hints)

    @property
    def tril(self):
        return self._tril

    def _get_tril(self):
        return linalg_ops.matrix_band_part(self._tril, -1, 0)

    def _get_diag(self):
        return linalg_ops.matrix_diag_part(self._tril)

    def _shape(self):
        return self._tril.shape

    def _shape_tensor(self):
        return array_ops.shape(self._tril)

    def _assert_non_singular(self):
        return lo.assert_no_entries_with_modulus_zero(
            self._get_diag(), message="Singular operator:  Diagonal contained zero values."
        )

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return math_ops.matmul(self._get_tril(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _linop_matmul(self, left, right):
        if isinstance(right, LinearOperatorDiag):
            return LinearOperatorLowerTriangular(
                tril=left.to_dense() * right.diag,
                is_non_singular=lo.combined_non_singular_hint(right, left),
                is_self_adjoint=lo.combined_commuting_self_adjoint_hint(right, left),
                is_positive_definite=None,
                is_square=True,
            )
        return super()._linop_matmul(left, right)

    def _determinant(self):
        return math_ops.reduce_prod(self._get_diag(), axis=[-1])

    def _log_abs_determinant(self):
        return math_ops.reduce_sum(math_ops.log(math_ops.abs(self._get_diag())), axis=[-1])

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = lo.adjoint(rhs) if adjoint_arg else rhs
        return linalg_ops.matrix_triangular_solve(
            self._get_tril(), rhs, lower=True, adjoint=adjoint
        )

    def _to_dense(self):
        return self._get_tril()

    def _eigvals(self):
        return self._get_diag()


class _CountMixin:
    """What Identity, ScaledIdentity and Zeros share: num_rows checks, sizes."""

    def _check_num_rows(self, num_rows):
        self._num_rows = lo.shape_tensor(num_rows, name="num_rows")
        self._num_rows_static = common_shapes.constant_value(self._num_rows)
        if self._assert_proper_shapes:
            self._num_rows = control_flow_ops.with_dependencies(
                [
                    check_ops.assert_rank(
                        self._num_rows, 0, message="Argument num_rows must be a 0-D Tensor."
                    ),
                    check_ops.assert_non_negative(
                        self._num_rows, message="Argument num_rows must be non-negative."
                    ),
                ],
                self._num_rows,
            )
        if not self._num_rows.dtype.is_integer:
            raise TypeError(f"Argument num_rows must be integer type.  Found: {self._num_rows}")
        static = self._num_rows_static
        if static is None:
            return
        static = np.asarray(static)
        self._num_rows_static = static
        if static.ndim != 0:
            raise ValueError(f"Argument num_rows must be a 0-D Tensor.  Found: {static}")
        if static < 0:
            raise ValueError(f"Argument num_rows must be non-negative.  Found: {static}")

    def _static_rows(self):
        s = self._num_rows_static
        return None if s is None else int(s)

    def _min_matrix_dim(self):
        d = dimension_value(self.domain_dimension)
        r = dimension_value(self.range_dimension)
        if d is None or r is None:
            return None
        return min(d, r)

    def _min_matrix_dim_tensor(self):
        return math_ops.reduce_min(self.shape_tensor()[-2:])

    def _batch_ones(self):
        if self.batch_shape.is_fully_defined():
            return array_ops.ones(shape=self.batch_shape.as_list(), dtype=self.dtype)
        return array_ops.ones(shape=self.batch_shape_tensor(), dtype=self.dtype)

    def _size_times(self, ones):
        if self._min_matrix_dim() is not None:
            return self._min_matrix_dim() * ones
        return array_ops.cast(self._min_matrix_dim_tensor(), self.dtype) * ones

    def _proper(self, x):
        if self._assert_proper_shapes:
            aps = check_ops.assert_equal(
                array_ops.shape(x)[-2],
                self.domain_dimension_tensor(),
                message="Dimensions are not compatible.  shape[-2] of argument to be the same "
                "as this operator",
            )
            x = control_flow_ops.with_dependencies([aps], x)
        return x


class _BaseIdentity(_CountMixin, LinearOperator):
    """Identity and ScaledIdentity: the ones diagonal marks them (as in TF)."""

    def _ones_diag(self):
        if self.shape.is_fully_defined():
            d_shape = self.batch_shape.concatenate([self._min_matrix_dim()]).as_list()
        else:
            d_shape = array_ops.concat(
                [self.batch_shape_tensor(), [self._min_matrix_dim_tensor()]], axis=0
            )
        return array_ops.ones(shape=d_shape, dtype=self.dtype)


def _identity_hint_checks(is_non_singular, is_self_adjoint, is_positive_definite, is_square):
    if not is_self_adjoint:
        raise ValueError("An identity operator is always self adjoint.")
    if not is_non_singular:
        raise ValueError("An identity operator is always non-singular.")
    if not is_positive_definite:
        raise ValueError("An identity operator is always positive-definite.")
    if not is_square:
        raise ValueError("An identity operator is always square.")


class LinearOperatorIdentity(_BaseIdentity):
    """The [batch] identity matrix of `num_rows` rows."""

    def __getitem__(self, slices):
        new_batch_shape = array_ops.shape(array_ops.ones(self._batch_shape_arg)[slices])
        return LinearOperatorIdentity(**dict(self.parameters, batch_shape=new_batch_shape))

    def __init__(
        self,
        num_rows,
        batch_shape=None,
        dtype=None,
        is_non_singular=True,
        is_self_adjoint=True,
        is_positive_definite=True,
        is_square=True,
        assert_proper_shapes=False,
        name="LinearOperatorIdentity",
    ):
        hints = _hint_kwargs(is_non_singular, is_self_adjoint, is_positive_definite, is_square)
        parameters = dict(
            num_rows=num_rows,
            batch_shape=batch_shape,
            dtype=dtype,
            assert_proper_shapes=assert_proper_shapes,
            name=name,
            **hints,
        )
        dtype = dtypes.as_dtype(dtype or dtypes.float32)
        self._assert_proper_shapes = assert_proper_shapes
        with _scope(name):
            _identity_hint_checks(**hints)
            super().__init__(dtype=dtype, parameters=parameters, name=name, **hints)
            self._check_num_rows(num_rows)
            self._batch_shape_arg = None
            if batch_shape is not None:
                self._set_batch_shape(batch_shape)

    def _set_batch_shape(self, batch_shape):
        arg = lo.shape_tensor(batch_shape, name="batch_shape_arg")
        self._batch_shape_arg = arg
        static = common_shapes.constant_value(arg)
        self._batch_shape_static = None if static is None else np.asarray(static)
        if self._assert_proper_shapes:
            self._batch_shape_arg = control_flow_ops.with_dependencies(
                [
                    check_ops.assert_rank(
                        arg, 1, message="Argument batch_shape must be a 1-D Tensor."
                    ),
                    check_ops.assert_non_negative(
                        arg, message="Argument batch_shape must be non-negative."
                    ),
                ],
                arg,
            )
        if not arg.dtype.is_integer:
            raise TypeError(f"Argument batch_shape must be integer type.  Found: {arg}")
        static = self._batch_shape_static
        if static is None:
            return
        if static.ndim != 1:
            raise ValueError(f"Argument batch_shape must be a 1-D Tensor.  Found: {static}")
        if np.any(static < 0):
            raise ValueError(f"Argument batch_shape must be non-negative.  Found:{static}")

    def _shape(self):
        n = self._static_rows()
        matrix_shape = TensorShape((n, n))
        if self._batch_shape_arg is None:
            return matrix_shape
        static = self._batch_shape_static
        batch = TensorShape(None if static is None else [int(d) for d in static])
        return batch.concatenate(matrix_shape)

    def _shape_tensor(self):
        matrix_shape = array_ops.stack((self._num_rows, self._num_rows), axis=0)
        if self._batch_shape_arg is None:
            return matrix_shape
        return array_ops.concat((self._batch_shape_arg, matrix_shape), 0)

    def _linop_adjoint(self):
        return self

    def _linop_cholesky(self):
        return LinearOperatorIdentity(
            num_rows=self._num_rows, batch_shape=self.batch_shape, dtype=self.dtype
        )

    def _linop_inverse(self):
        return self

    def _linop_matmul(self, left, right):
        return right

    def _linop_solve(self, left, right):
        return right

    def _assert_non_singular(self):
        return control_flow_ops.no_op("assert_non_singular")

    def _assert_positive_definite(self):
        return control_flow_ops.no_op("assert_positive_definite")

    def _assert_self_adjoint(self):
        return control_flow_ops.no_op("assert_self_adjoint")

    def _possibly_broadcast_batch_shape(self, x):
        if self._batch_shape_arg is None:
            return x
        special = self.batch_shape.concatenate([1, 1])
        if special.is_fully_defined():
            if broadcast_static_shape(x.shape, special) == x.shape:
                return x
            return x + array_ops.zeros(shape=special.as_list(), dtype=self.dtype)
        special = array_ops.concat((self.batch_shape_tensor(), [1, 1]), 0)
        return x + array_ops.zeros(shape=special, dtype=self.dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = lo.adjoint(x) if adjoint_arg else x
        return self._possibly_broadcast_batch_shape(self._proper(x))

    def _determinant(self):
        return array_ops.ones(shape=self.batch_shape_tensor(), dtype=self.dtype)

    def _log_abs_determinant(self):
        return array_ops.zeros(shape=self.batch_shape_tensor(), dtype=self.dtype)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint_arg=adjoint_arg)

    def _trace(self):
        return self._size_times(self._batch_ones())

    def _diag_part(self):
        return self._ones_diag()

    def add_to_tensor(self, mat, name="add_to_tensor"):
        with self._name_scope(name):
            mat = lo.to_tensor(mat, name="mat")
            new_diag = 1 + linalg_ops.matrix_diag_part(mat)
            return linalg_ops.matrix_set_diag(mat, new_diag)

    def _eigvals(self):
        return self._ones_diag()

    def _cond(self):
        return array_ops.ones(self.batch_shape_tensor(), dtype=self.dtype)


class LinearOperatorScaledIdentity(_BaseIdentity):
    """`multiplier` times the identity; `multiplier`'s shape is the batch shape."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"multiplier": 0}

    def __init__(
        self,
        num_rows,
        multiplier,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=True,
        assert_proper_shapes=False,
        name="LinearOperatorScaledIdentity",
    ):
        parameters = dict(
            num_rows=num_rows,
            multiplier=multiplier,
            assert_proper_shapes=assert_proper_shapes,
            name=name,
            **_hint_kwargs(is_non_singular, is_self_adjoint, is_positive_definite, is_square),
        )
        self._assert_proper_shapes = assert_proper_shapes
        with _scope(name):
            self._multiplier = lo.to_tensor(multiplier, name="multiplier")
            if not self._multiplier.dtype.is_complex:
                if is_self_adjoint is False:
                    raise ValueError("A real diagonal operator is always self adjoint.")
                is_self_adjoint = True
            if not is_square:
                raise ValueError("A ScaledIdentity operator is always square.")
            hints = _hint_kwargs(is_non_singular, is_self_adjoint, is_positive_definite, True)
            super().__init__(
                dtype=self._multiplier.dtype.base_dtype,
                parameters=parameters,
                name=name,
                **hints,
            )
            self._check_num_rows(num_rows)
            self._num_rows_cast_to_dtype = array_ops.cast(self._num_rows, self.dtype)
            self._num_rows_cast_to_real_dtype = array_ops.cast(
                self._num_rows, self.dtype.real_dtype
            )

    @property
    def multiplier(self):
        return self._multiplier

    def _shape(self):
        n = self._static_rows()
        return self.multiplier.shape.concatenate(TensorShape((n, n)))

    def _shape_tensor(self):
        matrix_shape = array_ops.stack((self._num_rows, self._num_rows), axis=0)
        return array_ops.concat((array_ops.shape(self.multiplier), matrix_shape), 0)

    def _assert_non_singular(self):
        return check_ops.assert_positive(
            math_ops.abs(self.multiplier), message="LinearOperator was singular"
        )

    def _assert_positive_definite(self):
        return check_ops.assert_positive(
            math_ops.real(self.multiplier), message="LinearOperator was not positive definite."
        )

    def _assert_self_adjoint(self):
        imag = math_ops.imag(self.multiplier)
        return check_ops.assert_equal(
            array_ops.zeros_like(imag), imag, message="LinearOperator was not self-adjoint"
        )

    def _make_multiplier_matrix(self, conjugate=False):
        m = array_ops.expand_dims(array_ops.expand_dims(self.multiplier, -1), -1)
        return math_ops.conj(m) if conjugate else m

    def _new(self, multiplier, **hints):
        return LinearOperatorScaledIdentity(
            num_rows=self._num_rows, multiplier=multiplier, is_square=True, **hints
        )

    def _linop_adjoint(self):
        m = self.multiplier
        m = math_ops.conj(m) if m.dtype.is_complex else m
        h = self._hints()
        del h["is_square"]
        return self._new(m, **h)

    def _linop_cholesky(self):
        return self._new(
            math_ops.sqrt(self.multiplier),
            is_non_singular=True,
            is_self_adjoint=True,
            is_positive_definite=True,
        )

    def _linop_inverse(self):
        return self._new(
            1.0 / self.multiplier,
            is_non_singular=self.is_non_singular,
            is_self_adjoint=True,
            is_positive_definite=self.is_positive_definite,
        )

    def _pair(self, left, right, combine_scaled, combine_diag, base):
        hints = dict(
            is_non_singular=lo.combined_non_singular_hint(left, right),
            is_self_adjoint=lo.combined_commuting_self_adjoint_hint(left, right),
            is_positive_definite=lo.combined_commuting_positive_definite_hint(left, right),
            is_square=True,
        )
        if isinstance(right, LinearOperatorScaledIdentity):
            return LinearOperatorScaledIdentity(
                num_rows=left.domain_dimension_tensor(),
                multiplier=combine_scaled(left.multiplier, right.multiplier),
                **hints,
            )
        if isinstance(right, LinearOperatorDiag):
            return LinearOperatorDiag(diag=combine_diag(right.diag, left.multiplier), **hints)
        return base(left, right)

    def _linop_matmul(self, left, right):
        return self._pair(
            left, right, lambda a, b: a * b, lambda d, m: d * m, super()._linop_matmul
        )

    def _linop_solve(self, left, right):
        return self._pair(left, right, lambda a, b: b / a, lambda d, m: d / m, super()._linop_solve)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = lo.adjoint(x) if adjoint_arg else x
        return self._proper(x) * self._make_multiplier_matrix(conjugate=adjoint)

    def _determinant(self):
        return self.multiplier**self._num_rows_cast_to_dtype

    def _log_abs_determinant(self):
        return self._num_rows_cast_to_real_dtype * math_ops.log(math_ops.abs(self.multiplier))

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = lo.adjoint(rhs) if adjoint_arg else rhs
        return self._proper(rhs) / self._make_multiplier_matrix(conjugate=adjoint)

    def _trace(self):
        ones = self._batch_ones()
        if self._min_matrix_dim() is not None:
            return self.multiplier * self._min_matrix_dim() * ones
        return self.multiplier * array_ops.cast(self._min_matrix_dim_tensor(), self.dtype) * ones

    def _diag_part(self):
        return self._ones_diag() * self.multiplier[..., array_ops.newaxis]

    def add_to_tensor(self, mat, name="add_to_tensor"):
        with self._name_scope(name):
            mult = array_ops.expand_dims(self.multiplier, -1)
            mat = lo.to_tensor(mat, name="mat")
            new_diag = mult + linalg_ops.matrix_diag_part(mat)
            return linalg_ops.matrix_set_diag(mat, new_diag)

    def _eigvals(self):
        return self._ones_diag() * self.multiplier[..., array_ops.newaxis]

    def _cond(self):
        return array_ops.where_v2(
            math_ops.equal(self._multiplier, 0.0),
            array_ops.cast(np.nan, dtype=self.dtype),
            array_ops.cast(1.0, dtype=self.dtype),
        )

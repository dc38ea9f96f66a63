"""More LinearOperators, as TF's Python builds them: LowRankUpdate, Zeros, Permutation
and Householder."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.api_utils import broadcast_static_shape
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import Dimension, TensorShape, dimension_at_index
from tfgraph.framework.tensor_shape import dimension_value as dim_value
from tfgraph.ops import array_ops, check_ops, common_shapes, control_flow_ops, linalg_ops, math_ops
from tfgraph.ops import linear_operator as lo
from tfgraph.ops.linear_operator import LinearOperator
from tfgraph.ops.linear_operator_basic import (
    LinearOperatorDiag,
    LinearOperatorIdentity,
    _CountMixin,
)

__all__ = [
    "LinearOperatorHouseholder",
    "LinearOperatorLowRankUpdate",
    "LinearOperatorPermutation",
    "LinearOperatorZeros",
]


def _hints(is_non_singular, is_self_adjoint, is_positive_definite, is_square):
    return dict(
        is_non_singular=is_non_singular,
        is_self_adjoint=is_self_adjoint,
        is_positive_definite=is_positive_definite,
        is_square=is_square,
    )


def _low_rank_hints(base, v, dtype, is_diag_update_positive, hints):
    """TF's hint logic for L + U D V^H; returns (use_cholesky, hints)."""
    use_cholesky = bool(
        base.is_positive_definite and base.is_self_adjoint and is_diag_update_positive and v is None
    )
    if base.is_self_adjoint and v is None and not dtype.is_complex:
        if hints["is_self_adjoint"] is False:
            raise ValueError(
                "A = L + UDU^H, with L self-adjoint and D real diagonal.  Since UDU^H is "
                "self-adjoint, this must be a self-adjoint operator."
            )
        hints["is_self_adjoint"] = True
    if use_cholesky:
        if (
            hints["is_positive_definite"] is False
            or hints["is_self_adjoint"] is False
            or hints["is_non_singular"] is False
        ):
            raise ValueError("Arguments imply this is self-adjoint positive-definite operator.")
        hints["is_positive_definite"] = True
        hints["is_self_adjoint"] = True
    return use_cholesky, hints


class LinearOperatorLowRankUpdate(LinearOperator):
    """`L + U D V^H`: a base operator plus a low rank update."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"base_operator": 0, "u": 2, "diag_update": 1, "v": 2}

    def __init__(
        self,
        base_operator,
        u,
        diag_update=None,
        v=None,
        is_diag_update_positive=None,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorLowRankUpdate",
    ):
        hints = _hints(is_non_singular, is_self_adjoint, is_positive_definite, is_square)
        parameters = dict(
            base_operator=base_operator,
            u=u,
            diag_update=diag_update,
            v=v,
            is_diag_update_positive=is_diag_update_positive,
            name=name,
            **hints,
        )
        dtype = base_operator.dtype
        if diag_update is None:
            if is_diag_update_positive is False:
                raise ValueError(
                    "Default diagonal is the identity, which is positive.  However, user set "
                    "'is_diag_update_positive' to False."
                )
            is_diag_update_positive = True
        self._use_cholesky, hints = _low_rank_hints(
            base_operator, v, dtype, is_diag_update_positive, hints
        )
        with get_default_graph().name_scope(name):
            self._u = lo.to_tensor(u, name="u")
            self._v = self._u if v is None else lo.to_tensor(v, name="v")
            self._diag_update = (
                None if diag_update is None else lo.to_tensor(diag_update, name="diag_update")
            )
            self._base_operator = base_operator
            super().__init__(dtype=dtype, parameters=parameters, name=name, **hints)
            self._set_diag_operator(is_diag_update_positive)
            self._is_diag_update_positive = is_diag_update_positive
            self._check_shapes()

    def _check_shapes(self):
        uv_shape = broadcast_static_shape(self.u.shape, self.v.shape)
        batch = broadcast_static_shape(self.base_operator.batch_shape, uv_shape[:-2])
        Dimension(self.base_operator.domain_dimension).assert_is_compatible_with(uv_shape[-2])
        if self._diag_update is not None:
            dimension_at_index(uv_shape, -1).assert_is_compatible_with(self._diag_update.shape[-1])
            broadcast_static_shape(batch, self._diag_update.shape[:-1])

    def _set_diag_operator(self, is_diag_update_positive):
        if self._diag_update is not None:
            self._diag_operator = LinearOperatorDiag(
                self._diag_update, is_positive_definite=is_diag_update_positive
            )
            return
        r = dim_value(self.u.shape[-1])
        if r is None:
            r = array_ops.shape(self.u)[-1]
        self._diag_operator = LinearOperatorIdentity(num_rows=r, dtype=self.dtype)

    @property
    def u(self):
        return self._u

    @property
    def v(self):
        return self._v

    @property
    def is_diag_update_positive(self):
        return self._is_diag_update_positive

    @property
    def diag_update(self):
        return self._diag_update

    @property
    def diag_operator(self):
        return self._diag_operator

    @property
    def base_operator(self):
        return self._base_operator

    def _assert_self_adjoint(self):
        if self.u is self.v and self.diag_update is None:
            return self.base_operator.assert_self_adjoint()
        return super().assert_self_adjoint()

    def _shape(self):
        batch = broadcast_static_shape(
            self.base_operator.batch_shape, self.diag_operator.batch_shape
        )
        batch = broadcast_static_shape(batch, self.u.shape[:-2])
        batch = broadcast_static_shape(batch, self.v.shape[:-2])
        return batch.concatenate(self.base_operator.shape[-2:])

    def _shape_tensor(self):
        from tfgraph.ops.manip_ops import broadcast_dynamic_shape as bds

        batch = bds(
            self.base_operator.batch_shape_tensor(), self.diag_operator.batch_shape_tensor()
        )
        batch = bds(batch, array_ops.shape(self.u)[:-2])
        batch = bds(batch, array_ops.shape(self.v)[:-2])
        return array_ops.concat([batch, self.base_operator.shape_tensor()[-2:]], axis=0)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        u, v = self.u, self.v
        leading = self.base_operator.matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)
        if adjoint:
            u, v = v, u
        vh_x = math_ops.matmul(v, x, adjoint_a=True, adjoint_b=adjoint_arg)
        d_vh_x = self.diag_operator.matmul(vh_x, adjoint=adjoint)
        return leading + math_ops.matmul(u, d_vh_x)

    def _determinant(self):
        if self.is_positive_definite:
            return math_ops.exp(self.log_abs_determinant())
        det_c = linalg_ops.matrix_determinant(self._make_capacitance(self.u, self.v))
        return det_c * self.diag_operator.determinant() * self.base_operator.determinant()

    def _diag_part(self):
        product = self.u * math_ops.conj(self.v)
        if self.diag_update is not None:
            product *= array_ops.expand_dims(self.diag_update, axis=-2)
        return math_ops.reduce_sum(product, axis=-1) + self.base_operator.diag_part()

    def _log_abs_determinant(self):
        log_d = self.diag_operator.log_abs_determinant()
        log_l = self.base_operator.log_abs_determinant()
        cap = self._make_capacitance(self.u, self.v)
        if self._use_cholesky:
            chol_diag = linalg_ops.matrix_diag_part(linalg_ops.cholesky(cap))
            log_c = 2 * math_ops.reduce_sum(math_ops.log(chol_diag), axis=[-1])
        else:
            log_c = math_ops.log(math_ops.abs(linalg_ops.matrix_determinant(cap)))
            if self.dtype.is_complex:
                log_c = array_ops.cast(log_c, dtype=self.dtype)
        return log_c + log_d + log_l

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        if self.base_operator.is_non_singular is False:
            raise ValueError(
                "Solve not implemented unless this is a perturbation of a non-singular "
                "LinearOperator."
            )
        base = self.base_operator
        # (L + U D V^H)^H = L^H + V D^H U^H: swap U and V; the capacitance stays
        # D^-1 + V^H L^-1 U, solved with its adjoint.
        capacitance = self._make_capacitance(u=self.u, v=self.v)
        u, v = (self.v, self.u) if adjoint else (self.u, self.v)
        linv_rhs = base.solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        vh_linv_rhs = math_ops.matmul(v, linv_rhs, adjoint_a=True)
        if self._use_cholesky:
            cap_solved = linalg_ops.cholesky_solve(linalg_ops.cholesky(capacitance), vh_linv_rhs)
        else:
            cap_solved = lo.matrix_solve_with_broadcast(capacitance, vh_linv_rhs, adjoint=adjoint)
        correction = base.solve(math_ops.matmul(u, cap_solved), adjoint=adjoint)
        return linv_rhs - correction

    def _make_capacitance(self, u, v):
        linv_u = self.base_operator.solve(u)
        vh_linv_u = math_ops.matmul(v, linv_u, adjoint_a=True)
        return self._diag_operator.inverse().add_to_tensor(vh_linv_u)


class LinearOperatorZeros(_CountMixin, LinearOperator):
    """The [batch] zero matrix of `num_rows` x `num_columns`."""

    def __getitem__(self, slices):
        new_batch_shape = array_ops.shape(array_ops.ones(self._batch_shape_arg)[slices])
        return LinearOperatorZeros(**dict(self.parameters, batch_shape=new_batch_shape))

    def __init__(
        self,
        num_rows,
        num_columns=None,
        batch_shape=None,
        dtype=None,
        is_non_singular=False,
        is_self_adjoint=True,
        is_positive_definite=False,
        is_square=True,
        assert_proper_shapes=False,
        name="LinearOperatorZeros",
    ):
        hints = _hints(is_non_singular, is_self_adjoint, is_positive_definite, is_square)
        parameters = dict(
            num_rows=num_rows,
            num_columns=num_columns,
            batch_shape=batch_shape,
            dtype=dtype,
            assert_proper_shapes=assert_proper_shapes,
            name=name,
            **hints,
        )
        dtype = dtypes.as_dtype(dtype or dtypes.float32)
        self._assert_proper_shapes = assert_proper_shapes
        with get_default_graph().name_scope(name):
            if not is_self_adjoint and is_square:
                raise ValueError("A zero operator is always self adjoint.")
            if is_non_singular:
                raise ValueError("A zero operator is always singular.")
            if is_positive_definite:
                raise ValueError("A zero operator is always not positive-definite.")
            super().__init__(dtype=dtype, parameters=parameters, name=name, **hints)
            self._check_num_rows(num_rows)
            self._num_columns, self._num_columns_static = self._checked_count(
                num_rows if num_columns is None else num_columns, "num_columns"
            )
            rows, cols = self._num_rows_static, self._num_columns_static
            if rows is not None and cols is not None and is_square and rows != cols:
                raise ValueError(
                    "LinearOperatorZeros initialized as is_square=True, but got "
                    f"num_rows({rows}) != num_columns({cols})"
                )
            self._batch_shape_arg = None
            if batch_shape is not None:
                LinearOperatorIdentity._set_batch_shape(self, batch_shape)

    def _checked_count(self, value, what):
        t = lo.shape_tensor(value, name=what)
        static = common_shapes.constant_value(t)
        if self._assert_proper_shapes:
            t = control_flow_ops.with_dependencies(
                [
                    check_ops.assert_rank(t, 0, message=f"Argument {what} must be a 0-D Tensor."),
                    check_ops.assert_non_negative(
                        t, message=f"Argument {what} must be non-negative."
                    ),
                ],
                t,
            )
        if not t.dtype.is_integer:
            raise TypeError(f"Argument {what} must be integer type.  Found: {t}")
        if static is None:
            return t, None
        static = np.asarray(static)
        if static.ndim != 0:
            raise ValueError(f"Argument {what} must be a 0-D Tensor.  Found: {static}")
        if static < 0:
            raise ValueError(f"Argument {what} must be non-negative.  Found: {static}")
        return t, static

    def _shape(self):
        rows = None if self._num_rows_static is None else int(self._num_rows_static)
        cols = None if self._num_columns_static is None else int(self._num_columns_static)
        matrix = TensorShape((rows, cols))
        if self._batch_shape_arg is None:
            return matrix
        static = self._batch_shape_static
        batch = TensorShape(None if static is None else [int(d) for d in static])
        return batch.concatenate(matrix)

    def _shape_tensor(self):
        matrix = array_ops.stack((self._num_rows, self._num_columns), axis=0)
        if self._batch_shape_arg is None:
            return matrix
        return array_ops.concat((self._batch_shape_arg, matrix), 0)

    def _assert_non_singular(self):
        raise errors.InvalidArgumentError(None, None, "Zero operators are always non-invertible.")

    def _assert_positive_definite(self):
        raise errors.InvalidArgumentError(
            None, None, "Zero operators are always non-positive definite."
        )

    def _assert_self_adjoint(self):
        return control_flow_ops.no_op("assert_self_adjoint")

    _possibly_broadcast_batch_shape = LinearOperatorIdentity._possibly_broadcast_batch_shape

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        if self._assert_proper_shapes:
            x = self._proper(lo.adjoint(x) if adjoint_arg else x)
        shape = array_ops.shape(x)
        if self.is_square:
            if adjoint_arg:
                shape = array_ops.concat([shape[:-2], [shape[-1], shape[-2]]], axis=0)
            zeros = array_ops.zeros(shape=shape, dtype=x.dtype)
            return self._possibly_broadcast_batch_shape(zeros)
        n = self._num_columns if adjoint else self._num_rows
        m = shape[-2] if adjoint_arg else shape[-1]
        out_shape = array_ops.concat([shape[:-2], [n, m]], axis=0)
        return self._possibly_broadcast_batch_shape(array_ops.zeros(shape=out_shape, dtype=x.dtype))

    def _linop_matmul(self, left, right):
        if not left.is_square or not right.is_square:
            raise ValueError(
                "Matmul with non-square `LinearOperator`s or non-square `LinearOperatorZeros` "
                "not supported at this time."
            )
        return left

    def _batch_zeros(self):
        if self.batch_shape.is_fully_defined():
            return array_ops.zeros(shape=self.batch_shape.as_list(), dtype=self.dtype)
        return array_ops.zeros(shape=self.batch_shape_tensor(), dtype=self.dtype)

    def _determinant(self):
        return self._batch_zeros()

    def _trace(self):
        return self._batch_zeros()

    def _zeros_diag(self):
        if self.shape.is_fully_defined():
            d_shape = self.batch_shape.concatenate([self._min_matrix_dim()]).as_list()
        else:
            d_shape = array_ops.concat(
                [self.batch_shape_tensor(), [self._min_matrix_dim_tensor()]], axis=0
            )
        return array_ops.zeros(shape=d_shape, dtype=self.dtype)

    def _diag_part(self):
        return self._zeros_diag()

    def _eigvals(self):
        return self._zeros_diag()

    def add_to_tensor(self, mat, name="add_to_tensor"):
        return self._possibly_broadcast_batch_shape(mat)


class LinearOperatorPermutation(LinearOperator):
    """The [batch] permutation matrix `P` with `(P x)[i] = x[perm[i]]`."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"perm": 1}

    def __init__(
        self,
        perm,
        dtype=dtypes.float32,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorPermutation",
    ):
        hints = _hints(is_non_singular, is_self_adjoint, is_positive_definite, is_square)
        parameters = dict(perm=perm, dtype=dtype, name=name, **hints)
        with get_default_graph().name_scope(name):
            self._perm = lo.to_tensor(perm, name="perm")
            self._check_perm(self._perm)
            if is_non_singular is False:
                raise ValueError(
                    "A Permutation operator is always non-singular. Expected argument "
                    f"`is_non_singular` to be True. Received: {is_non_singular}."
                )
            if is_square is False:
                raise ValueError(
                    "A Permutation operator is always square. Expected argument `is_square` "
                    f"to be True. Received: {is_square}."
                )
            hints["is_square"] = True
            super().__init__(dtype=dtype, parameters=parameters, name=name, **hints)

    def _check_perm(self, perm):
        if perm.shape.ndims is not None and perm.shape.ndims < 1:
            raise ValueError(f"Argument `perm` must have at least 1 dimension. Received: {perm}.")
        if not perm.dtype.is_integer:
            raise TypeError(f"Argument `perm` must be integer dtype. Received: {perm}.")
        static = common_shapes.constant_value(perm)
        if static is not None:
            static = np.asarray(static)
            if np.any(np.sort(static, axis=-1) != np.arange(0, static.shape[-1])):
                raise ValueError(
                    "Argument `perm` must be a vector of unique integers from 0 to "
                    f"{static.shape[-1] - 1}."
                )

    @property
    def perm(self):
        return self._perm

    def _shape(self):
        s = self._perm.shape
        return s.concatenate(s[-1:])

    def _shape_tensor(self):
        s = array_ops.shape(self._perm)
        return array_ops.concat((s, [s[-1]]), 0)

    def _assert_non_singular(self):
        return control_flow_ops.no_op("assert_non_singular")

    def _domain_dimension_tensor(self, perm=None):
        perm = perm if perm is not None else self.perm
        return array_ops.shape(perm)[-1]

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        from tfgraph.ops.manip_ops import argsort, broadcast_dynamic_shape

        perm = lo.to_tensor(self.perm)
        if adjoint and not self.is_self_adjoint:
            perm = argsort(perm, axis=-1)
        x = lo.adjoint(x) if adjoint_arg else x
        if x.shape.is_fully_defined() and perm.shape.is_fully_defined():
            # static when it can be (TF's shape inference folds the dynamic form)
            bshape = broadcast_static_shape(x.shape[:-1], perm.shape).as_list()
            k = x.shape[-1].value
            bx_shape = bshape + [k]
        else:
            bshape = broadcast_dynamic_shape(array_ops.shape(x)[:-1], array_ops.shape(perm))
            k = array_ops.shape(x)[-1]
            bx_shape = array_ops.concat([bshape, [k]], axis=-1)
        x = array_ops.broadcast_to(x, bx_shape)
        perm = array_ops.broadcast_to(perm, bshape)
        m = dim_value(x.shape[-2])
        m = array_ops.shape(x)[-2] if m is None else m
        x = array_ops.reshape(x, [-1, k])
        perm = array_ops.reshape(perm, [-1, m])
        # TF gathers with batch_dims=1; the same rows by flat indices:
        offsets = math_ops.range(array_ops.shape(perm)[0], dtype=perm.dtype) * array_ops.cast(
            m, perm.dtype
        )
        flat = array_ops.reshape(perm + offsets[:, None], [-1])
        return array_ops.reshape(array_ops.gather(x, flat), bx_shape)

    def _log_abs_determinant(self):
        return array_ops.zeros(shape=self.batch_shape_tensor(), dtype=self.dtype)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _eq_range(self, other):
        perm = lo.to_tensor(self.perm)
        n = self._domain_dimension_tensor(perm)
        return array_ops.cast(math_ops.equal(math_ops.range(0, n), other(perm)), self.dtype)

    def _to_dense(self):
        return self._eq_range(lambda p: p[..., array_ops.newaxis])

    def _diag_part(self):
        return self._eq_range(lambda p: p)

    def _cond(self):
        return array_ops.ones(self.batch_shape_tensor(), dtype=self.dtype)


class LinearOperatorHouseholder(LinearOperator):
    """The [batch] Householder reflection `I - 2 v v^H / |v|^2`."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"reflection_axis": 1}

    def __init__(
        self,
        reflection_axis,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorHouseholder",
    ):
        parameters = dict(
            reflection_axis=reflection_axis,
            name=name,
            **_hints(is_non_singular, is_self_adjoint, is_positive_definite, is_square),
        )
        with get_default_graph().name_scope(name):
            self._reflection_axis = lo.to_tensor(reflection_axis, name="reflection_axis")
            axis = self._reflection_axis
            if axis.shape.ndims is not None and axis.shape.ndims < 1:
                raise ValueError(
                    f"Argument reflection_axis must have at least 1 dimension.  Found: {axis}"
                )
            if is_self_adjoint is False:
                raise ValueError("A Householder operator is always self adjoint.")
            if is_positive_definite is True:
                raise ValueError("A Householder operator is always non-positive definite.")
            if is_square is False:
                raise ValueError("A Householder operator is always square.")
            super().__init__(
                dtype=axis.dtype,
                parameters=parameters,
                name=name,
                **_hints(is_non_singular, True, False, True),
            )

    @property
    def reflection_axis(self):
        return self._reflection_axis

    def _shape(self):
        s = self._reflection_axis.shape
        return s.concatenate(s[-1:])

    def _shape_tensor(self):
        s = array_ops.shape(self._reflection_axis)
        return array_ops.concat((s, [s[-1]]), 0)

    def _assert_non_singular(self):
        return control_flow_ops.no_op("assert_non_singular")

    def _assert_positive_definite(self):
        raise errors.InvalidArgumentError(
            None, None, "Householder operators are always non-positive definite."
        )

    def _assert_self_adjoint(self):
        return control_flow_ops.no_op("assert_self_adjoint")

    def _linop_adjoint(self):
        return self

    def _linop_inverse(self):
        return self

    def _normalized(self):
        from tfgraph.ops.nn_ops import l2_normalize

        return l2_normalize(lo.to_tensor(self.reflection_axis), axis=-1)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = lo.adjoint(x) if adjoint_arg else x
        mat = self._normalized()[..., array_ops.newaxis]
        x_dot = math_ops.matmul(mat, x, adjoint_a=True)
        return x - 2 * mat * x_dot

    def _trace(self):
        shape = self.shape_tensor()
        n = array_ops.cast(self._domain_dimension_tensor(shape=shape) - 2, self.dtype)
        return n * array_ops.ones(shape=self._batch_shape_tensor(shape=shape), dtype=self.dtype)

    def _determinant(self):
        return -array_ops.ones(shape=self.batch_shape_tensor(), dtype=self.dtype)

    def _log_abs_determinant(self):
        return array_ops.zeros(shape=self.batch_shape_tensor(), dtype=self.dtype)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint, adjoint_arg)

    def _to_dense(self):
        mat = self._normalized()[..., array_ops.newaxis]
        matrix = -2 * math_ops.matmul(mat, mat, adjoint_b=True)
        return linalg_ops.matrix_set_diag(matrix, 1.0 + linalg_ops.matrix_diag_part(matrix))

    def _diag_part(self):
        axis = self._normalized()
        return 1.0 - 2 * axis * math_ops.conj(axis)

    def _eigvals(self):
        shape = array_ops.shape(self.reflection_axis)
        n = shape[-1]
        ones = array_ops.ones(
            shape=array_ops.concat([shape[:-1], [n - 1]], axis=-1), dtype=self.dtype
        )
        neg = -array_ops.ones(shape=array_ops.concat([shape[:-1], [1]], axis=-1), dtype=self.dtype)
        return array_ops.concat([neg, ones], axis=-1)

    def _cond(self):
        return array_ops.ones(self.batch_shape_tensor(), dtype=self.dtype)

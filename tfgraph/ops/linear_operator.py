"""`tf.linalg.LinearOperator`: the abstract base of the LinearOperator family, as TF's
Python defines it. Methods open the scope `<operator name>/<method>` and build their
result out of ordinary ops, so graphs, values and gradients follow TF's; operators
that know more (a diagonal, a triangle, ...) override the private `_method` forms."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.api_utils import broadcast_static_shape
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import (
    Dimension,
    TensorShape,
    dimension_at_index,
    dimension_value,
)
from tfgraph.ops import array_ops, check_ops, control_flow_ops, linalg_ops, math_ops

__all__ = ["LinearOperator"]


# -- helpers shared by the operators ------------------------------------------------------
def to_tensor(value, name=None, dtype=None, dtype_hint=None):
    """convert_nonref_to_tensor: variables pass through, anything else is converted."""
    if value is None:
        return None
    if _is_variable(value):
        return value
    return convert_to_tensor(value, dtype=dtype, dtype_hint=dtype_hint, name=name)


def _is_variable(value):
    return hasattr(value, "initializer") and hasattr(value, "read_value")


def shape_tensor(shape, name=None):
    """A static shape as a tensor (int32 for an empty one, as TF)."""
    dtype = dtypes.int32 if isinstance(shape, (tuple, list)) and not shape else None
    return convert_to_tensor(shape, dtype=dtype, name=name)


def adjoint(x):
    return linalg_ops.adjoint(x)


def eye(n, batch_shape=None, dtype=dtypes.float32, name=None):
    """`tf.eye(n, batch_shape=...)` for a static or dynamic `n`."""
    with get_default_graph().name_scope(name or "eye"):
        if batch_shape is None:
            batch_shape = []
        if isinstance(batch_shape, TensorShape):
            batch_shape = batch_shape.as_list()
        if isinstance(batch_shape, (list, tuple)) and isinstance(n, int):
            ones = array_ops.ones(list(batch_shape) + [n], dtype=dtype)
        else:
            ones = array_ops.ones(array_ops.concat([batch_shape, [n]], 0), dtype=dtype)
        return linalg_ops.matrix_diag(ones)


def assert_no_entries_with_modulus_zero(x, message=None, name=None):
    with get_default_graph().name_scope(name or "assert_no_entries_with_modulus_zero"):
        x = convert_to_tensor(x, name="x")
        zero = convert_to_tensor(0, dtype=x.dtype.base_dtype.real_dtype)
        return check_ops.assert_less(zero, math_ops.abs(x), message=message)


def assert_zero_imag_part(x, message=None, name=None):
    with get_default_graph().name_scope(name or "assert_zero_imag_part"):
        x = convert_to_tensor(x, name="x")
        if x.dtype.base_dtype.is_floating:
            return control_flow_ops.no_op()
        zero = convert_to_tensor(0, dtype=x.dtype.base_dtype.real_dtype)
        return check_ops.assert_equal(zero, math_ops.imag(x), message=message)


def broadcast_matrix_batch_dims(batch_matrices, name=None):
    """Broadcasts the batch dimensions of every matrix to their common batch shape."""
    with get_default_graph().name_scope(name or "broadcast_matrix_batch_dims"):
        mats = [convert_to_tensor(m) for m in batch_matrices]
        for m in mats:
            if m.shape.ndims is not None and m.shape.ndims < 2:
                raise ValueError(
                    f"Expected [batch] matrix to have at least two dimensions. Found: {m}."
                )
        if len(mats) < 2:
            return mats
        bcast = mats[0].shape[:-2]
        for m in mats[1:]:
            bcast = broadcast_static_shape(bcast, m.shape[:-2])
        if bcast.is_fully_defined():
            for i, m in enumerate(mats):
                if m.shape[:-2] != bcast:
                    shp = array_ops.concat([bcast.as_list(), array_ops.shape(m)[-2:]], axis=0)
                    mats[i] = array_ops.broadcast_to(m, shp)
            return mats
        from tfgraph.ops.manip_ops import broadcast_dynamic_shape

        dyn = array_ops.shape(mats[0])[:-2]
        for m in mats[1:]:
            dyn = broadcast_dynamic_shape(dyn, array_ops.shape(m)[:-2])
        return [
            array_ops.broadcast_to(m, array_ops.concat([dyn, array_ops.shape(m)[-2:]], axis=0))
            for m in mats
        ]


def matrix_solve_with_broadcast(matrix, rhs, adjoint=False, name=None):
    with get_default_graph().name_scope(name or "MatrixSolveWithBroadcast"):
        matrix = convert_to_tensor(matrix, name="matrix")
        rhs = convert_to_tensor(rhs, name="rhs", dtype=matrix.dtype.base_dtype)
        matrix, rhs = broadcast_matrix_batch_dims([matrix, rhs])
        return linalg_ops.matrix_solve(matrix, rhs, adjoint=adjoint)


def combined_non_singular_hint(a, b):
    if a.is_non_singular is False or b.is_non_singular is False:
        return False
    return a.is_non_singular and b.is_non_singular


def combined_commuting_self_adjoint_hint(a, b):
    if a.is_self_adjoint and b.is_self_adjoint:
        return True
    if (a.is_self_adjoint is True and b.is_self_adjoint is False) or (
        a.is_self_adjoint is False and b.is_self_adjoint is True
    ):
        return False
    return None


def combined_commuting_positive_definite_hint(a, b):
    if (
        a.is_positive_definite
        and a.is_self_adjoint
        and b.is_positive_definite
        and b.is_self_adjoint
    ):
        return True
    return None


def is_square_pair(a, b):
    if a.is_square and b.is_square:
        return True
    if a.is_square is False and b.is_square is False:
        m = a.range_dimension
        ln = b.domain_dimension
        if m is not None and ln is not None:
            return m == ln
    elif (a.is_square and b.is_square is False) or (a.is_square is False and b.is_square):
        return False
    return None


def use_operator_or_provided_hint_unless_contradicting(operator, attr, provided, message):
    op_hint = getattr(operator, attr)
    if op_hint is False and provided:
        raise ValueError(message)
    if op_hint and provided is False:
        raise ValueError(message)
    if op_hint or provided:
        return True
    if op_hint is False or provided is False:
        return False
    return None


def _check_hints(is_non_singular, is_self_adjoint, is_positive_definite, is_square):
    if is_positive_definite:
        if is_non_singular is False:
            raise ValueError("A positive definite matrix is always non-singular.")
        is_non_singular = True
    if is_non_singular:
        if is_square is False:
            raise ValueError("A non-singular matrix is always square.")
        is_square = True
    if is_self_adjoint:
        if is_square is False:
            raise ValueError("A self-adjoint matrix is always square.")
        is_square = True
    return is_non_singular, is_square


class _ShapeMixin:
    """shape/batch_shape/dimensions, statically and as tensors."""

    @property
    def shape(self):
        return self._shape()

    def _shape_tensor(self):
        raise NotImplementedError("_shape_tensor is not implemented.")

    def shape_tensor(self, name="shape_tensor"):
        with self._name_scope(name):
            if self.shape.is_fully_defined():
                return shape_tensor(self.shape.as_list())
            return self._shape_tensor()

    @property
    def batch_shape(self):
        return self.shape[:-2]

    def batch_shape_tensor(self, name="batch_shape_tensor"):
        with self._name_scope(name):
            return self._batch_shape_tensor()

    def _batch_shape_tensor(self, shape=None):
        if self.batch_shape.is_fully_defined():
            return shape_tensor(self.batch_shape.as_list(), name="batch_shape")
        shape = self.shape_tensor() if shape is None else shape
        return shape[:-2]

    @property
    def tensor_rank(self):
        return self.shape.ndims

    def tensor_rank_tensor(self, name="tensor_rank_tensor"):
        with self._name_scope(name):
            if self.tensor_rank is not None:
                return convert_to_tensor(self.tensor_rank)
            return array_ops.size(self.shape_tensor())

    @property
    def domain_dimension(self):
        if self.shape.rank is None:
            return Dimension(None)
        return self.shape.dims[-1]

    def domain_dimension_tensor(self, name="domain_dimension_tensor"):
        with self._name_scope(name):
            return self._domain_dimension_tensor()

    def _domain_dimension_tensor(self, shape=None):
        value = dimension_value(self.domain_dimension)
        if value is not None:
            return convert_to_tensor(value)
        shape = self.shape_tensor() if shape is None else shape
        return shape[-1]

    @property
    def range_dimension(self):
        if self.shape.dims:
            return self.shape.dims[-2]
        return Dimension(None)

    def range_dimension_tensor(self, name="range_dimension_tensor"):
        with self._name_scope(name):
            return self._range_dimension_tensor()

    def _range_dimension_tensor(self, shape=None):
        value = dimension_value(self.range_dimension)
        if value is not None:
            return convert_to_tensor(value)
        shape = self.shape_tensor() if shape is None else shape
        return shape[-2]


class _AssertMixin:
    """assert_non_singular / assert_positive_definite / assert_self_adjoint."""

    def _max_condition_number_to_be_non_singular(self):
        with get_default_graph().name_scope("max_nonsingular_condition_number"):
            eps = np.finfo(self.dtype.as_numpy_dtype).eps
            dims = [
                100.0,
                array_ops.cast(self.range_dimension_tensor(), self.dtype),
                array_ops.cast(self.domain_dimension_tensor(), self.dtype),
            ]
            top = array_ops.cast(math_ops.reduce_max(dims), self.dtype)
            return 1.0 / (top * eps)

    def _assert_non_singular(self):
        if self._can_use_cholesky():
            return self.assert_positive_definite()
        sv = linalg_ops.svd(self.to_dense(), compute_uv=False)
        cond = math_ops.reduce_max(sv, axis=-1) / math_ops.reduce_min(sv, axis=-1)
        return check_ops.assert_less(
            cond,
            self._max_condition_number_to_be_non_singular(),
            message="Singular matrix up to precision epsilon.",
        )

    def assert_non_singular(self, name="assert_non_singular"):
        with self._name_scope(name):
            return self._assert_non_singular()

    def _assert_positive_definite(self):
        if self.is_self_adjoint:
            return check_ops.assert_positive(
                linalg_ops.matrix_diag_part(linalg_ops.cholesky(self.to_dense())),
                message="Matrix was not positive definite.",
            )
        raise NotImplementedError("assert_positive_definite is not implemented.")

    def assert_positive_definite(self, name="assert_positive_definite"):
        with self._name_scope(name):
            return self._assert_positive_definite()

    def _assert_self_adjoint(self):
        dense = self.to_dense()
        return check_ops.assert_equal(
            dense, adjoint(dense), message="Matrix was not equal to its adjoint."
        )

    def assert_self_adjoint(self, name="assert_self_adjoint"):
        with self._name_scope(name):
            return self._assert_self_adjoint()


class LinearOperator(_ShapeMixin, _AssertMixin):
    """Base class of the operators that act like a [batch] matrix `A`."""

    _is_linear_operator = True  # tf.matmul, tf.linalg.solve, ... hand these to us

    def __init__(
        self,
        dtype,
        graph_parents=None,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name=None,
        parameters=None,
    ):
        is_non_singular, is_square = _check_hints(
            is_non_singular, is_self_adjoint, is_positive_definite, is_square
        )
        self._is_square_set_or_implied_by_hints = is_square
        self._graph_parents = []
        if graph_parents is not None:
            self._set_graph_parents(graph_parents)
        self._dtype = dtypes.as_dtype(dtype).base_dtype if dtype else dtype
        self._is_non_singular = is_non_singular
        self._is_self_adjoint = is_self_adjoint
        self._is_positive_definite = is_positive_definite
        self._parameters = dict(parameters or {})
        self._name = name or type(self).__name__

    def _name_scope(self, name=None):
        full = self.name if name is None else self.name + "/" + name
        return get_default_graph().name_scope(full)

    def _set_graph_parents(self, graph_parents):
        from tfgraph.framework.ops import Tensor

        for i, t in enumerate(graph_parents):
            if t is None or not (isinstance(t, Tensor) or _is_variable(t)):
                raise ValueError(f"Graph parent item {i} is not a Tensor; {t}.")
        self._graph_parents = list(graph_parents)

    @property
    def parameters(self):
        return dict(self._parameters)

    @property
    def dtype(self):
        return self._dtype

    @property
    def name(self):
        return self._name

    @property
    def graph_parents(self):
        return self._graph_parents

    @property
    def is_non_singular(self):
        return self._is_non_singular

    @property
    def is_self_adjoint(self):
        return self._is_self_adjoint

    @property
    def is_positive_definite(self):
        return self._is_positive_definite

    @property
    def is_square(self):
        auto = self.domain_dimension == self.range_dimension
        if self._is_square_set_or_implied_by_hints is False and auto:
            raise ValueError("User set is_square hint to False, but the operator was square.")
        if self._is_square_set_or_implied_by_hints is None:
            return auto
        return self._is_square_set_or_implied_by_hints

    def _shape(self):
        raise NotImplementedError("_shape is not implemented.")

    def _check_input_dtype(self, arg):
        if arg.dtype.base_dtype != self.dtype:
            raise TypeError(
                f"Expected argument to have dtype {self.dtype}.  Found: {arg.dtype} in tensor {arg}"
            )

    def _can_use_cholesky(self):
        return self.is_self_adjoint and self.is_positive_definite

    def __repr__(self):
        return (
            f"<tf.linalg.{type(self).__name__} '{self.name}' "
            f"batch_shape={self.batch_shape} dtype={self.dtype.name}>"
        )

    # -- products ----------------------------------------------------------------------
    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        raise NotImplementedError("_matmul is not implemented.")

    def _operands(self, x, adjoint, adjoint_arg, what):
        left = self.adjoint() if adjoint else self
        right = x.adjoint() if adjoint_arg else x
        r, d = right.range_dimension, left.domain_dimension
        if dimension_value(r) is not None and dimension_value(d) is not None and r != d:
            raise ValueError(
                f"Operators are incompatible. Expected `{what}` to have dimension {d} but got {r}."
            )
        return left, right

    def matmul(self, x, adjoint=False, adjoint_arg=False, name="matmul"):
        if isinstance(x, LinearOperator):
            left, right = self._operands(x, adjoint, adjoint_arg, "x")
            with self._name_scope(name):
                return self._linop_matmul(left, right)
        with self._name_scope(name):
            x = to_tensor(x, name="x")
            self._check_input_dtype(x)
            self_dim = -2 if adjoint else -1
            arg_dim = -1 if adjoint_arg else -2
            dimension_at_index(self.shape, self_dim).assert_is_compatible_with(x.shape[arg_dim])
            return self._matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _linop_matmul(self, left, right):
        if hasattr(right, "_ones_diag") and not hasattr(right, "multiplier"):
            return left
        if hasattr(right, "_zeros_diag"):
            if not right.is_square or not left.is_square:
                raise ValueError(
                    "Matmul with non-square `LinearOperator`s or non-square "
                    "`LinearOperatorZeros` not supported at this time."
                )
            return right
        from tfgraph.ops.linear_operator_composite import LinearOperatorComposition

        return LinearOperatorComposition(operators=[left, right], **_pair_hints(left, right))

    def __matmul__(self, other):
        return self.matmul(other)

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {}

    def __getitem__(self, slices):
        from tfgraph.ops.linear_operator_slicing import batch_slice

        return batch_slice(self, params_overrides={}, slices=slices)

    def _matvec(self, x, adjoint=False):
        y = self.matmul(array_ops.expand_dims(x, axis=-1), adjoint=adjoint)
        return array_ops.squeeze(y, axis=-1)

    def matvec(self, x, adjoint=False, name="matvec"):
        with self._name_scope(name):
            x = to_tensor(x, name="x")
            self._check_input_dtype(x)
            self_dim = -2 if adjoint else -1
            dimension_at_index(self.shape, self_dim).assert_is_compatible_with(x.shape[-1])
            return self._matvec(x, adjoint=adjoint)

    # -- determinants ------------------------------------------------------------------
    def _determinant(self):
        if self._can_use_cholesky():
            return math_ops.exp(self.log_abs_determinant())
        return linalg_ops.matrix_determinant(self.to_dense())

    def _require_square(self):
        if self.is_square is False:
            raise NotImplementedError(
                "Determinant not implemented for an operator that is expected to not be square."
            )

    def determinant(self, name="det"):
        self._require_square()
        with self._name_scope(name):
            return self._determinant()

    def _log_abs_determinant(self):
        if self._can_use_cholesky():
            diag = linalg_ops.matrix_diag_part(linalg_ops.cholesky(self.to_dense()))
            return 2 * math_ops.reduce_sum(math_ops.log(diag), axis=[-1])
        _, log_abs_det = linalg_ops.slogdet(self.to_dense())
        return log_abs_det

    def log_abs_determinant(self, name="log_abs_det"):
        self._require_square()
        with self._name_scope(name):
            return self._log_abs_determinant()

    # -- solves ------------------------------------------------------------------------
    def _dense_solve(self, rhs, adjoint=False, adjoint_arg=False):
        if self.is_square is False:
            raise NotImplementedError("Solve is not yet implemented for non-square operators.")
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        if self._can_use_cholesky():
            return linalg_ops.cholesky_solve(linalg_ops.cholesky(self.to_dense()), rhs)
        return matrix_solve_with_broadcast(self.to_dense(), rhs, adjoint=adjoint)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._dense_solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _check_solvable(self):
        if self.is_non_singular is False:
            raise NotImplementedError(
                "Exact solve not implemented for an operator that is expected to be singular."
            )
        if self.is_square is False:
            raise NotImplementedError(
                "Exact solve not implemented for an operator that is expected to not be square."
            )

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name="solve"):
        self._check_solvable()
        if isinstance(rhs, LinearOperator):
            left, right = self._operands(rhs, adjoint, adjoint_arg, "rhs")
            with self._name_scope(name):
                return self._linop_solve(left, right)
        with self._name_scope(name):
            rhs = to_tensor(rhs, name="rhs")
            self._check_input_dtype(rhs)
            self_dim = -1 if adjoint else -2
            arg_dim = -1 if adjoint_arg else -2
            dimension_at_index(self.shape, self_dim).assert_is_compatible_with(rhs.shape[arg_dim])
            return self._solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _linop_solve(self, left, right):
        if hasattr(right, "_ones_diag") and not hasattr(right, "multiplier"):
            return left.inverse()
        from tfgraph.ops.linear_operator_composite import (
            LinearOperatorComposition,
            LinearOperatorInversion,
        )

        return LinearOperatorComposition(
            operators=[LinearOperatorInversion(left), right], **_pair_hints(left, right)
        )

    def _solvevec(self, rhs, adjoint=False):
        x = self.solve(array_ops.expand_dims(rhs, axis=-1), adjoint=adjoint)
        return array_ops.squeeze(x, axis=-1)

    def solvevec(self, rhs, adjoint=False, name="solve"):
        with self._name_scope(name):
            rhs = to_tensor(rhs, name="rhs")
            self._check_input_dtype(rhs)
            self_dim = -1 if adjoint else -2
            dimension_at_index(self.shape, self_dim).assert_is_compatible_with(rhs.shape[-1])
            return self._solvevec(rhs, adjoint=adjoint)

    # -- derived operators -------------------------------------------------------------
    def adjoint(self, name="adjoint"):
        if self.is_self_adjoint is True:
            return self
        with self._name_scope(name):
            return self._linop_adjoint()

    H = property(adjoint, None)

    def _linop_adjoint(self):
        from tfgraph.ops.linear_operator_composite import LinearOperatorAdjoint

        return LinearOperatorAdjoint(self, **self._hints())

    def _hints(self):
        return dict(
            is_non_singular=self.is_non_singular,
            is_self_adjoint=self.is_self_adjoint,
            is_positive_definite=self.is_positive_definite,
            is_square=self.is_square,
        )

    def inverse(self, name="inverse"):
        if self.is_square is False:
            raise ValueError(
                "Cannot take the Inverse: This operator represents a non square matrix."
            )
        if self.is_non_singular is False:
            raise ValueError("Cannot take the Inverse: This operator represents a singular matrix.")
        with self._name_scope(name):
            return self._linop_inverse()

    def _linop_inverse(self):
        from tfgraph.ops.linear_operator_composite import LinearOperatorInversion

        return LinearOperatorInversion(self, **self._hints())

    def cholesky(self, name="cholesky"):
        if not self._can_use_cholesky():
            raise ValueError(
                "Cannot take the Cholesky decomposition: Not a positive definite self "
                "adjoint matrix."
            )
        with self._name_scope(name):
            return self._linop_cholesky()

    def _linop_cholesky(self):
        from tfgraph.ops.linear_operator_basic import LinearOperatorLowerTriangular

        return LinearOperatorLowerTriangular(
            linalg_ops.cholesky(self.to_dense()),
            is_non_singular=True,
            is_self_adjoint=False,
            is_square=True,
        )

    # -- dense views -------------------------------------------------------------------
    def _to_dense(self):
        if self.batch_shape.is_fully_defined():
            batch_shape = self.batch_shape
        else:
            batch_shape = self.batch_shape_tensor()
        n = dimension_value(self.domain_dimension)
        if n is None:
            n = self.domain_dimension_tensor()
        return self.matmul(eye(n, batch_shape=batch_shape, dtype=self.dtype))

    def to_dense(self, name="to_dense"):
        with self._name_scope(name):
            return self._to_dense()

    def _diag_part(self):
        return linalg_ops.matrix_diag_part(self.to_dense())

    def diag_part(self, name="diag_part"):
        with self._name_scope(name):
            return self._diag_part()

    def _trace(self):
        return math_ops.reduce_sum(self.diag_part(), axis=-1)

    def trace(self, name="trace"):
        with self._name_scope(name):
            return self._trace()

    def _add_to_tensor(self, x):
        return self.to_dense() + x

    def add_to_tensor(self, x, name="add_to_tensor"):
        with self._name_scope(name):
            x = to_tensor(x, name="x")
            self._check_input_dtype(x)
            return self._add_to_tensor(x)

    def _eigvals(self):
        return linalg_ops.self_adjoint_eigvals(self.to_dense())

    def eigvals(self, name="eigvals"):
        if not self.is_self_adjoint:
            raise NotImplementedError("Only self-adjoint matrices are supported.")
        with self._name_scope(name):
            return self._eigvals()

    def _cond(self):
        if not self.is_self_adjoint:
            vals = linalg_ops.svd(self.to_dense(), compute_uv=False)
        else:
            vals = math_ops.abs(self._eigvals())
        return math_ops.reduce_max(vals, axis=-1) / math_ops.reduce_min(vals, axis=-1)

    def cond(self, name="cond"):
        with self._name_scope(name):
            return self._cond()


def _pair_hints(left, right):
    """The hints TF gives the composition `left @ right` (or `left^-1 @ right`)."""
    is_square = is_square_pair(left, right)
    hints = dict(
        is_non_singular=None, is_self_adjoint=None, is_positive_definite=None, is_square=is_square
    )
    if is_square:
        hints["is_non_singular"] = combined_non_singular_hint(left, right)
    elif is_square is False:
        hints.update(is_non_singular=False, is_self_adjoint=False, is_positive_definite=False)
    return hints


def arg_is_blockwise(block_dimensions, arg, arg_split_dim):
    """Whether `arg` is a list of per-block arguments (TF's rule)."""
    if not (isinstance(arg, (tuple, list)) and len(arg) == len(block_dimensions)):
        return False
    if not any(isinstance(x, (tuple, list)) for x in arg):
        return True
    arg_dims = [convert_to_tensor(x).shape[arg_split_dim] for x in arg]
    self_dims = [dimension_value(d) for d in block_dimensions]
    if all(d is None for d in self_dims):
        if len(arg_dims) == 1:
            return False
        if any(d != arg_dims[0] for d in arg_dims):
            return True
        raise ValueError(
            "Parsing of the input structure is ambiguous. Please input a blockwise iterable "
            "of `Tensor`s or a single `Tensor`."
        )
    if all(s == a or s is None for s, a in zip(self_dims, arg_dims, strict=True)):
        return True
    total = sum(s for s in self_dims if s is not None)
    if all(s == arg_dims[0] for s in arg_dims) and arg_dims[0] >= total:
        return False
    raise ValueError("Input dimension does not match operator dimension.")


def split_arg_into_blocks(block_dims, block_dims_fn, arg, axis=-1):
    sizes = [dimension_value(d) for d in block_dims]
    if any(d is None for d in sizes):
        sizes = block_dims_fn()
    return array_ops.split(arg, sizes, axis=axis)


class BlockwiseArgs:
    """matmul/matvec/solve/solvevec taking a list of per-block arguments, for the block
    operators (BlockDiag, BlockLowerTriangular)."""

    def _block_range_dimensions(self):
        return [op.range_dimension for op in self._diagonal_operators]

    def _block_domain_dimensions(self):
        return [op.domain_dimension for op in self._diagonal_operators]

    def _block_range_dimension_tensors(self):
        return [op.range_dimension_tensor() for op in self._diagonal_operators]

    def _block_domain_dimension_tensors(self):
        return [op.domain_dimension_tensor() for op in self._diagonal_operators]

    def _prepare(self, x, block_dims, op_dim, arg_dim, what):
        """Converts `x` (or each of its blocks) and checks dtypes and dimensions."""
        if arg_is_blockwise(block_dims, x, arg_dim):
            x = list(x)
            for i, block in enumerate(x):
                if not isinstance(block, LinearOperator):
                    block = convert_to_tensor(block)
                    self._check_input_dtype(block)
                    block_dims[i].assert_is_compatible_with(block.shape[arg_dim])
                    x[i] = block
            return x, True
        x = to_tensor(x, name=what)
        self._check_input_dtype(x)
        op_dim.assert_is_compatible_with(x.shape[arg_dim])
        return x, False

    def matmul(self, x, adjoint=False, adjoint_arg=False, name="matmul"):
        if isinstance(x, LinearOperator):
            return LinearOperator.matmul(self, x, adjoint, adjoint_arg, name)
        with self._name_scope(name):
            arg_dim = -1 if adjoint_arg else -2
            dims = self._block_range_dimensions() if adjoint else self._block_domain_dimensions()
            op_dim = self.range_dimension if adjoint else self.domain_dimension
            x, _ = self._prepare(x, dims, op_dim, arg_dim, "x")
            return self._matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def matvec(self, x, adjoint=False, name="matvec"):
        with self._name_scope(name):
            dims = self._block_range_dimensions() if adjoint else self._block_domain_dimensions()
            op_dim = self.range_dimension if adjoint else self.domain_dimension
            x, blockwise = self._prepare(x, dims, op_dim, -1, "x")
            if blockwise:
                y = self.matmul([b[..., array_ops.newaxis] for b in x], adjoint=adjoint)
                return [array_ops.squeeze(b, axis=-1) for b in y]
            y = self.matmul(x[..., array_ops.newaxis], adjoint=adjoint)
            return array_ops.squeeze(y, axis=-1)

    def solvevec(self, rhs, adjoint=False, name="solve"):
        with self._name_scope(name):
            dims = self._block_domain_dimensions() if adjoint else self._block_range_dimensions()
            op_dim = self.domain_dimension if adjoint else self.range_dimension
            rhs, blockwise = self._prepare(rhs, dims, op_dim, -1, "rhs")
            if blockwise:
                y = self.solve([array_ops.expand_dims(b, -1) for b in rhs], adjoint=adjoint)
                return [array_ops.squeeze(b, axis=-1) for b in y]
            y = self.solve(array_ops.expand_dims(rhs, axis=-1), adjoint=adjoint)
            return array_ops.squeeze(y, axis=-1)

    def _blocks_out(self, results, blockwise):
        if blockwise:
            return results
        return array_ops.concat(broadcast_matrix_batch_dims(results), axis=-2)

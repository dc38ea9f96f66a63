"""`tf.linalg.LinearOperatorBlockLowerTriangular`, as TF's Python builds it: rows of
operators whose last entries are the square diagonal blocks; matmul and solve work
blockwise (forward / back substitution)."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.api_utils import broadcast_static_shape
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, control_flow_ops, math_ops
from tfgraph.ops import linear_operator as lo
from tfgraph.ops.linear_operator import LinearOperator

__all__ = ["LinearOperatorBlockLowerTriangular"]


def _sum(values):
    result = values[0]
    for v in values[1:]:
        result += v
    return result


class LinearOperatorBlockLowerTriangular(lo.BlockwiseArgs, LinearOperator):
    """A block lower triangular operator: `operators[i][j]` is block (i, j), j <= i."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"operators": [[0] * len(row) for row in self.operators]}

    def __init__(
        self,
        operators,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorBlockLowerTriangular",
    ):
        parameters = dict(
            operators=operators,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )
        operators = [list(row) for row in operators]
        if not operators:
            raise ValueError(
                f"Argument `operators` must be a list of >=1 operators. Received: {operators}."
            )
        self._operators = operators
        self._diagonal_operators = [row[-1] for row in operators]
        dtype = operators[0][0].dtype
        self._validate_dtype(dtype)
        is_non_singular = self._validate_non_singular(is_non_singular)
        self._validate_num_operators()
        self._validate_operator_dimensions()
        is_square = self._validate_square(is_square)
        with get_default_graph().name_scope(name):
            super().__init__(
                dtype=dtype,
                is_non_singular=is_non_singular,
                is_self_adjoint=is_self_adjoint,
                is_positive_definite=is_positive_definite,
                is_square=is_square,
                parameters=parameters,
                name=name,
            )

    # -- validation (TF's checks and messages) -----------------------------------------
    def _validate_num_operators(self):
        for i, row in enumerate(self.operators):
            if len(row) != i + 1:
                raise ValueError(
                    f"Argument `operators[{i}]` must contain `{i + 1}` blocks. Received: "
                    f"{len(row)} blocks."
                )

    def _validate_operator_dimensions(self):
        ops_ = self.operators
        for i in range(1, len(ops_)):
            for j in range(i):
                op, above, right = ops_[i][j], ops_[i - 1][j], ops_[i][j + 1]
                if op.domain_dimension != above.domain_dimension and None not in (
                    op.domain_dimension.value,
                    above.domain_dimension.value,
                ):
                    raise ValueError(
                        f"Argument `operators[{i}][{j}].domain_dimension` "
                        f"({op.domain_dimension}) must be the same as "
                        f"`operators[{i - 1}][{j}].domain_dimension` ({above.domain_dimension})."
                    )
                if op.range_dimension != right.range_dimension and None not in (
                    op.range_dimension.value,
                    right.range_dimension.value,
                ):
                    raise ValueError(
                        f"Argument `operators[{i}][{j}].range_dimension` ({op.range_dimension}) "
                        f"must be the same as `operators[{i}][{j + 1}].range_dimension` "
                        f"({right.range_dimension})."
                    )

    def _validate_non_singular(self, is_non_singular):
        if all(op.is_non_singular for op in self._diagonal_operators):
            if is_non_singular is False:
                raise ValueError(
                    "A blockwise lower-triangular operator with non-singular operators on the "
                    "main diagonal is always non-singular. Expected argument `is_non_singular` "
                    f"to be True. Received: {is_non_singular}."
                )
            return True
        if any(op.is_non_singular is False for op in self._diagonal_operators):
            if is_non_singular is True:
                raise ValueError(
                    "A blockwise lower-triangular operator with a singular operator on the main "
                    "diagonal is always singular. Expected argument `is_non_singular` to be "
                    f"True. Received: {is_non_singular}."
                )
            return False
        return None

    def _validate_square(self, is_square):
        if is_square is False:
            raise ValueError(
                "`LinearOperatorBlockLowerTriangular` must be square. Expected argument "
                f"`is_square` to be True. Received: {is_square}."
            )
        for i, op in enumerate(self._diagonal_operators):
            if op.is_square is False:
                raise ValueError(
                    "Matrices on the diagonal (the final elements of each row-partition in the "
                    "`operators` list) must be square. Expected argument "
                    f"`operators[{i}][-1].is_square` to be True. Received: {op.is_square}."
                )
        return True

    def _validate_dtype(self, dtype):
        for i, row in enumerate(self.operators):
            for op in row:
                if op.dtype != dtype:
                    name_type = (str((o.name, o.dtype)) for o in row)
                    raise TypeError(
                        f"Expected all operators to have the same dtype.  Found {name_type} in "
                        f"row {i} and {dtype} in row 0."
                    )

    @property
    def operators(self):
        return self._operators

    # -- shapes --------------------------------------------------------------------------
    def _all_ops(self):
        return [op for row in self.operators for op in row]

    def _shape(self):
        domain = sum(self._block_domain_dimensions())
        rng = sum(self._block_range_dimensions())
        batch = self.operators[0][0].batch_shape
        for op in self._all_ops()[1:]:
            batch = broadcast_static_shape(batch, op.batch_shape)
        return batch.concatenate(TensorShape([domain, rng]))

    def _shape_tensor(self):
        from tfgraph.ops.manip_ops import broadcast_dynamic_shape

        if self.shape.is_fully_defined():
            return convert_to_tensor(self.shape.as_list(), dtype=dtypes.int32, name="shape")
        domain = _sum(self._block_domain_dimension_tensors())
        rng = _sum(self._block_range_dimension_tensors())
        batch = self.operators[0][0].batch_shape_tensor()
        for op in self._all_ops()[1:]:
            batch = broadcast_dynamic_shape(batch, op.batch_shape_tensor())
        return array_ops.concat((batch, array_ops.stack([domain, rng])), 0)

    # -- products and solves ---------------------------------------------------------------
    def _linop_inverse(self):
        from tfgraph.ops.linear_operator_basic import (
            LinearOperatorFullMatrix,
            LinearOperatorScaledIdentity,
        )

        hints = dict(
            is_non_singular=self.is_non_singular,
            is_self_adjoint=self.is_self_adjoint,
            is_positive_definite=self.is_positive_definite,
            is_square=True,
        )
        if len(self.operators) == 1:
            return LinearOperatorBlockLowerTriangular([[self.operators[0][0].inverse()]], **hints)
        n = len(self.operators)
        upper_left_inv = LinearOperatorBlockLowerTriangular(self.operators[:-1]).inverse()
        bottom = self.operators[-1]
        bottom_right_inv = bottom[-1].inverse()
        new_row = []
        for i in range(n - 1):
            # TF adds these products with linear_operator_addition; the same sum, dense.
            dense = _sum(
                [
                    bottom[j].matmul(upper_left_inv.operators[j][i]).to_dense()
                    for j in range(i, n - 1)
                ]
            )
            block = bottom_right_inv.matmul(LinearOperatorFullMatrix(dense))
            minus = LinearOperatorScaledIdentity(
                num_rows=bottom_right_inv.domain_dimension_tensor(),
                multiplier=array_ops.cast(-1, dtype=block.dtype),
            )
            new_row.append(minus.matmul(block))
        new_row.append(bottom_right_inv)
        return LinearOperatorBlockLowerTriangular(upper_left_inv.operators + [new_row], **hints)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        arg_dim = -1 if adjoint_arg else -2
        dims = self._block_range_dimensions() if adjoint else self._block_domain_dimensions()
        blockwise = lo.arg_is_blockwise(dims, x, arg_dim)
        if blockwise:
            split = x
        else:
            split = lo.split_arg_into_blocks(
                self._block_domain_dimensions(),
                self._block_domain_dimension_tensors,
                x,
                axis=arg_dim,
            )
        ops_, n = self.operators, len(self.operators)
        kw = dict(adjoint=adjoint, adjoint_arg=adjoint_arg)
        if adjoint:
            results = [
                _sum([ops_[j][i].matmul(split[j], **kw) for j in range(i, n)]) for i in range(n)
            ]
        else:
            results = [
                _sum([op.matmul(split[j], **kw) for j, op in enumerate(row)]) for row in ops_
            ]
        return self._blocks_out(results, blockwise)

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name="solve"):
        if isinstance(rhs, LinearOperator):
            return LinearOperator.solve(self, rhs, adjoint, adjoint_arg, name)
        self._check_solvable()
        with self._name_scope(name):
            arg_dim = -1 if adjoint_arg else -2
            dims = self._block_domain_dimensions() if adjoint else self._block_range_dimensions()
            op_dim = self.domain_dimension if adjoint else self.range_dimension
            rhs, blockwise = self._prepare(rhs, dims, op_dim, arg_dim, "rhs")
            if blockwise:
                split = [lo.adjoint(y) for y in rhs] if adjoint_arg else rhs
            else:
                rhs = lo.adjoint(rhs) if adjoint_arg else rhs
                split = lo.split_arg_into_blocks(
                    self._block_domain_dimensions(),
                    self._block_domain_dimension_tensors,
                    rhs,
                    axis=-2,
                )
            solutions = self._substitute(split, adjoint)
            return self._blocks_out(solutions, blockwise)

    def _substitute(self, split, adjoint):
        ops_, n = self.operators, len(self.operators)
        solutions = []
        if adjoint:
            for index in reversed(range(n)):
                y = split[index]
                for j in reversed(range(index + 1, n)):
                    y = y - ops_[j][index].matmul(solutions[n - 1 - j], adjoint=adjoint)
                solutions.append(self._diagonal_operators[index].solve(y, adjoint=adjoint))
            solutions.reverse()
            return solutions
        for row, y in zip(ops_, split, strict=True):
            for i, op in enumerate(row[:-1]):
                y = y - op.matmul(solutions[i], adjoint=adjoint)
            solutions.append(row[-1].solve(y, adjoint=adjoint))
        return solutions

    # -- determinants and dense views ------------------------------------------------------
    def _determinant(self):
        if all(op.is_positive_definite for op in self._diagonal_operators):
            return math_ops.exp(self._log_abs_determinant())
        result = self._diagonal_operators[0].determinant()
        for op in self._diagonal_operators[1:]:
            result *= op.determinant()
        return result

    def _log_abs_determinant(self):
        return _sum([op.log_abs_determinant() for op in self._diagonal_operators])

    def _concat_vectors(self, method):
        parts = [getattr(op, method)()[..., array_ops.newaxis] for op in self._diagonal_operators]
        parts = lo.broadcast_matrix_batch_dims(parts)
        return array_ops.squeeze(array_ops.concat(parts, axis=-2), axis=-1)

    def _diag_part(self):
        return self._concat_vectors("diag_part")

    def _eigvals(self):
        return self._concat_vectors("eigvals")

    def _trace(self):
        return _sum([op.trace() for op in self._diagonal_operators])

    def _to_dense(self):
        num_cols = 0
        rows = []
        flat = lo.broadcast_matrix_batch_dims([op.to_dense() for op in self._all_ops()])
        n = len(self.operators)
        for i in range(n):
            blocks = flat[i * (i + 1) // 2 : (i + 1) * (i + 2) // 2]
            batch_row = array_ops.shape(blocks[0])[:-1]
            num_cols += array_ops.shape(blocks[-1])[-1]
            pad_shape = array_ops.concat(
                [batch_row, [self.domain_dimension_tensor() - num_cols]], axis=-1
            )
            blocks.append(array_ops.zeros(shape=pad_shape, dtype=self.dtype))
            rows.append(array_ops.concat(blocks, axis=-1))
        mat = array_ops.concat(rows, axis=-2)
        mat.set_shape(self.shape)
        return mat

    def _assert_non_singular(self):
        return control_flow_ops.group([op.assert_non_singular() for op in self._diagonal_operators])

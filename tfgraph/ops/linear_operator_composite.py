"""LinearOperators made of other operators, as TF's Python builds them: Composition,
Adjoint, Inversion, BlockDiag and Kronecker."""

from __future__ import annotations

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.api_utils import broadcast_static_shape
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import Dimension, TensorShape, dimension_value
from tfgraph.ops import array_ops, common_shapes, control_flow_ops, linalg_ops, math_ops
from tfgraph.ops import linear_operator as lo
from tfgraph.ops.linear_operator import LinearOperator

__all__ = [
    "LinearOperatorAdjoint",
    "LinearOperatorBlockDiag",
    "LinearOperatorComposition",
    "LinearOperatorInversion",
    "LinearOperatorKronecker",
]


def _operator_list(operators, what="Expected a non-empty list of operators. Found: %s"):
    if isinstance(operators, (str, bytes)) or not hasattr(operators, "__iter__"):
        raise TypeError(f"Expected argument 'operators' to be iterable. Found: {operators}")
    operators = list(operators)
    if not operators:
        raise ValueError(what % operators)
    dtype = operators[0].dtype
    for op in operators:
        if op.dtype != dtype:
            name_type = (str((o.name, o.dtype)) for o in operators)
            raise TypeError(
                "Expected all operators to have the same dtype.  Found " + "   ".join(name_type)
            )
    return operators, dtype


def _all_hint(operators, attr, given, message):
    if all(getattr(op, attr) for op in operators):
        if given is False:
            raise ValueError(message)
        return True
    return given


def _broadcast_batch(operators):
    batch = operators[0].batch_shape
    for op in operators[1:]:
        batch = broadcast_static_shape(batch, op.batch_shape)
    return batch


def _dynamic_batch(operators):
    zeros = array_ops.zeros(shape=operators[0].batch_shape_tensor())
    for op in operators[1:]:
        zeros += array_ops.zeros(shape=op.batch_shape_tensor())
    return array_ops.shape(zeros)


def _is_adjoint_pair(x, y):
    if x is y:
        if x.is_self_adjoint is False:
            return False
        if x.is_self_adjoint:
            return True
    return x.H is y or y.H is x


def _is_aat_form(operators):
    operators = list(operators)
    if len(operators) % 2:
        return False
    half = len(operators) // 2
    return all(_is_adjoint_pair(operators[i], operators[-1 - i]) for i in range(half))


def _product(values):
    result = values[0]
    for v in values[1:]:
        result *= v
    return result


def _sum(values):
    result = values[0]
    for v in values[1:]:
        result += v
    return result


class LinearOperatorComposition(LinearOperator):
    """The product `A1 @ A2 @ ... @ AJ` of operators."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"operators": [0] * len(self.operators)}

    def __init__(
        self,
        operators,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name=None,
    ):
        parameters = dict(
            operators=operators,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )
        operators, dtype = _operator_list(operators)
        self._operators = operators
        is_non_singular = _all_hint(
            operators,
            "is_non_singular",
            is_non_singular,
            "The composition of non-singular operators is always non-singular.",
        )
        aat = _is_aat_form(operators)
        if (len(operators) == 1 and operators[0].is_self_adjoint) or aat:
            if is_self_adjoint is False:
                raise ValueError(
                    "The composition was determined to be self-adjoint but user provided "
                    "incorrect `False` hint."
                )
            is_self_adjoint = True
        if aat:
            if is_square is False:
                raise ValueError(
                    "The composition was determined have the form A @ A.H, hence it must be "
                    "square. The user provided an incorrect `False` hint."
                )
            is_square = True
        if aat and is_non_singular:
            if is_positive_definite is False:
                raise ValueError(
                    "The composition was determined to be non-singular and have the form "
                    "A @ A.H, hence it must be positive-definite. The user provided an "
                    "incorrect `False` hint."
                )
            is_positive_definite = True
        if name is None:
            name = "_o_".join(op.name for op in operators)
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

    @property
    def operators(self):
        return self._operators

    def _shape(self):
        domain = self.operators[0].domain_dimension
        for op in self.operators[1:]:
            domain.assert_is_compatible_with(op.range_dimension)
            domain = op.domain_dimension
        matrix = TensorShape(
            [self.operators[0].range_dimension, self.operators[-1].domain_dimension]
        )
        return _broadcast_batch(self.operators).concatenate(matrix)

    def _shape_tensor(self):
        if self.shape.is_fully_defined():
            return convert_to_tensor(self.shape.as_list(), dtype=dtypes.int32, name="shape")
        matrix = array_ops.stack(
            [
                self.operators[0].range_dimension_tensor(),
                self.operators[-1].domain_dimension_tensor(),
            ]
        )
        return array_ops.concat((_dynamic_batch(self.operators), matrix), 0)

    def _linop_cholesky(self):
        from tfgraph.ops.linalg_ops import cholesky
        from tfgraph.ops.linear_operator_basic import LinearOperatorLowerTriangular

        ops_ = self.operators
        llt = (
            len(ops_) == 2
            and _is_aat_form(ops_)
            and isinstance(ops_[0], LinearOperatorLowerTriangular)
        )
        if not llt:
            return LinearOperatorLowerTriangular(
                cholesky(self.to_dense()),
                is_non_singular=True,
                is_self_adjoint=False,
                is_square=True,
            )
        left = ops_[0]
        if left.is_positive_definite:
            return left
        sign = array_ops.expand_dims(math_ops.sign(left.diag_part()), axis=-2)
        return LinearOperatorLowerTriangular(
            tril=left.tril / sign,
            is_non_singular=left.is_non_singular,
            is_self_adjoint=left.is_self_adjoint,
            is_positive_definite=True if left.is_positive_definite else None,
            is_square=True,
        )

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        order = self.operators if adjoint else list(reversed(self.operators))
        result = order[0].matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for op in order[1:]:
            result = op.matmul(result, adjoint=adjoint)
        return result

    def _determinant(self):
        return _product([op.determinant() for op in self.operators])

    def _log_abs_determinant(self):
        return _sum([op.log_abs_determinant() for op in self.operators])

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        order = list(reversed(self.operators)) if adjoint else self.operators
        solution = order[0].solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for op in order[1:]:
            solution = op.solve(solution, adjoint=adjoint)
        return solution

    def _assert_non_singular(self):
        if all(op.is_square for op in self.operators):
            return control_flow_ops.group([op.assert_non_singular() for op in self.operators])
        return super()._assert_non_singular()


def _mirrored_hints(operator, relation: str, *hints) -> tuple:
    """(is_square, is_non_singular, is_self_adjoint, is_positive_definite) of an operator
    that has each of them exactly when `operator` does (its adjoint, its inverse): the
    given hints combined with `operator`'s, TF's error when they contradict."""
    msg = "An operator is {0} if and only if its " + relation + " is {0}."
    names = ("square", "non-singular", "self-adjoint", "positive-definite")
    return tuple(
        _combine(operator, "is_" + word.replace("-", "_"), hint, msg.format(word))
        for word, hint in zip(names, hints, strict=True)
    )


def _combine(operator, attr, given, message):
    return lo.use_operator_or_provided_hint_unless_contradicting(operator, attr, given, message)


class LinearOperatorAdjoint(LinearOperator):
    """The adjoint `A^H` of an operator `A`."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"operator": 0}

    def __init__(
        self,
        operator,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name=None,
    ):
        parameters = dict(
            operator=operator,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )
        self._operator = operator
        is_square, is_non_singular, is_self_adjoint, is_positive_definite = _mirrored_hints(
            operator, "adjoint", is_square, is_non_singular, is_self_adjoint, is_positive_definite
        )
        name = operator.name + "_adjoint" if name is None else name
        with get_default_graph().name_scope(name):
            super().__init__(
                dtype=operator.dtype,
                is_non_singular=is_non_singular,
                is_self_adjoint=is_self_adjoint,
                is_positive_definite=is_positive_definite,
                is_square=is_square,
                parameters=parameters,
                name=name,
            )

    @property
    def operator(self):
        return self._operator

    def _linop_adjoint(self):
        return self.operator

    def _assert_non_singular(self):
        return self.operator.assert_non_singular()

    def _assert_positive_definite(self):
        return self.operator.assert_positive_definite()

    def _assert_self_adjoint(self):
        return self.operator.assert_self_adjoint()

    def _shape(self):
        shape = self.operator.shape
        return shape[:-2].concatenate([shape[-1], shape[-2]])

    def _shape_tensor(self):
        shape = self.operator.shape_tensor()
        return array_ops.concat([shape[:-2], [shape[-1], shape[-2]]], axis=-1)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self.operator.matmul(x, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _matvec(self, x, adjoint=False):
        return self.operator.matvec(x, adjoint=not adjoint)

    def _determinant(self):
        if self.is_self_adjoint:
            return self.operator.determinant()
        return math_ops.conj(self.operator.determinant())

    def _log_abs_determinant(self):
        return self.operator.log_abs_determinant()

    def _trace(self):
        if self.is_self_adjoint:
            return self.operator.trace()
        return math_ops.conj(self.operator.trace())

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self.operator.solve(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _solvevec(self, rhs, adjoint=False):
        return self.operator.solvevec(rhs, adjoint=not adjoint)

    def _to_dense(self):
        if self.is_self_adjoint:
            return self.operator.to_dense()
        return lo.adjoint(self.operator.to_dense())

    def _eigvals(self):
        eigvals = self.operator.eigvals()
        if not self.operator.is_self_adjoint:
            eigvals = math_ops.conj(eigvals)
        return eigvals

    def _cond(self):
        return self.operator.cond()


class LinearOperatorInversion(LinearOperator):
    """The inverse `A^{-1}` of a non-singular square operator `A`."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"operator": 0}

    def __init__(
        self,
        operator,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name=None,
    ):
        parameters = dict(
            operator=operator,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )
        self._operator = operator
        _check_invertible(operator, is_non_singular, is_square)
        is_square, is_non_singular, is_self_adjoint, is_positive_definite = _mirrored_hints(
            operator, "inverse", is_square, is_non_singular, is_self_adjoint, is_positive_definite
        )
        name = operator.name + "_inv" if name is None else name
        with get_default_graph().name_scope(name):
            super().__init__(
                dtype=operator.dtype,
                is_non_singular=is_non_singular,
                is_self_adjoint=is_self_adjoint,
                is_positive_definite=is_positive_definite,
                is_square=is_square,
                parameters=parameters,
                name=name,
            )

    @property
    def operator(self):
        return self._operator

    def _linop_inverse(self):
        return self.operator

    def _linop_solve(self, left, right):
        return left.operator.matmul(right)

    def _assert_non_singular(self):
        return self.operator.assert_non_singular()

    def _assert_positive_definite(self):
        return self.operator.assert_positive_definite()

    def _assert_self_adjoint(self):
        return self.operator.assert_self_adjoint()

    def _shape(self):
        return self.operator.shape

    def _shape_tensor(self):
        return self.operator.shape_tensor()

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self.operator.solve(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return 1.0 / self.operator.determinant()

    def _log_abs_determinant(self):
        return -1.0 * self.operator.log_abs_determinant()

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self.operator.matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _eigvals(self):
        return 1.0 / self.operator.eigvals()

    def _cond(self):
        return self.operator.cond()


def _check_invertible(operator, is_non_singular, is_square):
    if operator.is_non_singular is False or is_non_singular is False:
        raise ValueError(
            "Argument `is_non_singular` or argument `operator` must have supplied hint "
            "`is_non_singular` equal to `True` or `None`. Found `operator.is_non_singular`: "
            f"{operator.is_non_singular}, `is_non_singular`: {is_non_singular}."
        )
    if operator.is_square is False or is_square is False:
        raise ValueError(
            "Argument `is_square` or argument `operator` must have supplied hint `is_square` "
            f"equal to `True` or `None`. Found `operator.is_square`: {operator.is_square}, "
            f"`is_square`: {is_square}."
        )


def _sum_hints(operators, kind, is_non_singular, is_self_adjoint, is_positive_definite):
    """The hints every block/factor shares carry over to a direct sum or Kronecker product."""
    is_non_singular = _all_hint(
        operators,
        "is_non_singular",
        is_non_singular,
        f"The {kind} of non-singular operators is always non-singular.",
    )
    is_self_adjoint = _all_hint(
        operators,
        "is_self_adjoint",
        is_self_adjoint,
        f"The {kind} of self-adjoint operators is always self-adjoint.",
    )
    is_positive_definite = _all_hint(
        operators,
        "is_positive_definite",
        is_positive_definite,
        f"The {kind} of positive definite operators is always positive definite.",
    )
    return is_non_singular, is_self_adjoint, is_positive_definite


class LinearOperatorBlockDiag(lo.BlockwiseArgs, LinearOperator):
    """The block diagonal operator (direct sum) of square operators."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"operators": [0] * len(self.operators)}

    def __init__(
        self,
        operators,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=True,
        name=None,
    ):
        parameters = dict(
            operators=operators,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )
        operators, dtype = _operator_list(operators)
        self._operators = operators
        self._diagonal_operators = operators
        is_non_singular, is_self_adjoint, is_positive_definite = _sum_hints(
            operators, "direct sum", is_non_singular, is_self_adjoint, is_positive_definite
        )
        if name is None:
            name = "_ds_".join(op.name for op in operators)
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

    @property
    def operators(self):
        return self._operators

    def _shape(self):
        domain = sum(op.domain_dimension for op in self.operators)
        rng = sum(op.range_dimension for op in self.operators)
        return _broadcast_batch(self.operators).concatenate(TensorShape([rng, domain]))

    def _shape_tensor(self):
        if self.shape.is_fully_defined():
            return convert_to_tensor(self.shape.as_list(), dtype=dtypes.int32, name="shape")
        domain = _sum([op.domain_dimension_tensor() for op in self.operators])
        rng = _sum([op.range_dimension_tensor() for op in self.operators])
        matrix = array_ops.stack([rng, domain])
        return array_ops.concat((_dynamic_batch(self.operators), matrix), 0)

    def _each(self, method, **hints):
        return LinearOperatorBlockDiag(
            operators=[getattr(op, method)() for op in self.operators], is_square=True, **hints
        )

    def _linop_adjoint(self):
        h = self._hints()
        del h["is_square"]
        return self._each("adjoint", **h)

    def _linop_cholesky(self):
        return self._each("cholesky", is_non_singular=True, is_self_adjoint=None)

    def _linop_inverse(self):
        h = self._hints()
        del h["is_square"]
        return self._each("inverse", **h)

    def _blockwise(self, left, right, method):
        return LinearOperatorBlockDiag(
            operators=[
                getattr(o1, method)(o2)
                for o1, o2 in zip(left.operators, right.operators, strict=False)
            ],
            is_non_singular=lo.combined_non_singular_hint(left, right),
            is_self_adjoint=None,
            is_positive_definite=None,
            is_square=True,
        )

    def _linop_matmul(self, left, right):
        if isinstance(right, LinearOperatorBlockDiag):
            return self._blockwise(left, right, "matmul")
        return super()._linop_matmul(left, right)

    def _linop_solve(self, left, right):
        if isinstance(right, LinearOperatorBlockDiag):
            return self._blockwise(left, right, "solve")
        return super()._linop_solve(left, right)

    def _operands(self, x, adjoint, adjoint_arg, what):
        left, right = super()._operands(x, adjoint, adjoint_arg, "x")
        if isinstance(right, LinearOperatorBlockDiag):
            verb = (
                "multiply two `LinearOperatorBlockDiag`s together"
                if what == "x"
                else ("solve `LinearOperatorBlockDiag`")
            )
            if len(left.operators) != len(right.operators):
                raise ValueError(f"Can not efficiently {verb} when number of blocks differ.")
            for o1, o2 in zip(left.operators, right.operators, strict=True):
                r, d = o2.range_dimension, o1.domain_dimension
                if r.value is not None and d.value is not None and r != d:
                    raise ValueError(
                        f"Blocks are incompatible. Expected `x` to have dimension {d} but got {r}."
                    )
        return left, right

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        arg_dim = -1 if adjoint_arg else -2
        dims = self._block_range_dimensions() if adjoint else self._block_domain_dimensions()
        dims_fn = (
            self._block_range_dimension_tensors if adjoint else self._block_domain_dimension_tensors
        )
        blockwise = lo.arg_is_blockwise(dims, x, arg_dim)
        split = x if blockwise else lo.split_arg_into_blocks(dims, dims_fn, x, axis=arg_dim)
        results = [
            op.matmul(split[i], adjoint=adjoint, adjoint_arg=adjoint_arg)
            for i, op in enumerate(self.operators)
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
                split = rhs
            else:
                split = lo.split_arg_into_blocks(
                    self._block_domain_dimensions(),
                    self._block_domain_dimension_tensors,
                    rhs,
                    axis=arg_dim,
                )
            results = [
                op.solve(split[i], adjoint=adjoint, adjoint_arg=adjoint_arg)
                for i, op in enumerate(self.operators)
            ]
            return self._blocks_out(results, blockwise)

    def _determinant(self):
        return _product([op.determinant() for op in self.operators])

    def _log_abs_determinant(self):
        return _sum([op.log_abs_determinant() for op in self.operators])

    def _concat_vectors(self, method, what):
        if not all(op.is_square for op in self.operators):
            raise NotImplementedError(
                f"`{what}` not implemented for an operator whose blocks are not square."
            )
        parts = [getattr(op, method)()[..., array_ops.newaxis] for op in self.operators]
        parts = lo.broadcast_matrix_batch_dims(parts)
        return array_ops.squeeze(array_ops.concat(parts, axis=-2), axis=-1)

    def _diag_part(self):
        return self._concat_vectors("diag_part", "diag_part")

    def _eigvals(self):
        return self._concat_vectors("eigvals", "eigvals")

    def _trace(self):
        if not all(op.is_square for op in self.operators):
            raise NotImplementedError(
                "`trace` not implemented for an operator whose blocks are not square."
            )
        return _sum([op.trace() for op in self.operators])

    def _to_dense(self):
        num_cols = 0
        rows = []
        blocks = lo.broadcast_matrix_batch_dims([op.to_dense() for op in self.operators])
        for block in blocks:
            batch_row = array_ops.shape(block)[:-1]
            before = array_ops.zeros(
                shape=array_ops.concat([batch_row, [num_cols]], axis=-1), dtype=block.dtype
            )
            num_cols += array_ops.shape(block)[-1]
            after_shape = array_ops.concat(
                [batch_row, [self.domain_dimension_tensor() - num_cols]], axis=-1
            )
            after = array_ops.zeros(shape=after_shape, dtype=block.dtype)
            rows.append(array_ops.concat([before, block, after], axis=-1))
        mat = array_ops.concat(rows, axis=-2)
        mat.set_shape(self.shape)
        return mat

    def _assert_non_singular(self):
        return control_flow_ops.group([op.assert_non_singular() for op in self.operators])

    def _assert_self_adjoint(self):
        return control_flow_ops.group([op.assert_self_adjoint() for op in self.operators])

    def _assert_positive_definite(self):
        return control_flow_ops.group([op.assert_positive_definite() for op in self.operators])


def _static_or_dynamic_shape(x):
    return x.shape if x.shape.is_fully_defined() else array_ops.shape(x)


def _static_int(s):
    if isinstance(s, (int, Dimension)):
        return dimension_value(s)
    value = common_shapes.constant_value(s)
    return None if value is None else int(value)


def _concat_shape(first, second):
    static = [_static_int(s) for s in second]
    if isinstance(first, TensorShape) and all(s is not None for s in static):
        return first.concatenate([int(s) for s in static]).as_list()
    if isinstance(first, TensorShape):
        first = first.as_list()
    return array_ops.concat([first, list(second)], axis=0)


class LinearOperatorKronecker(LinearOperator):
    """The Kronecker product `A1 x A2 x ... x AJ` of operators."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"operators": [0] * len(self.operators)}

    def __init__(
        self,
        operators,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name=None,
    ):
        parameters = dict(
            operators=operators,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )
        operators, dtype = _operator_list(
            operators, "Argument `operators` must be a list of >=1 operators. Received: %s."
        )
        self._operators = operators
        is_non_singular, is_self_adjoint, is_positive_definite = _sum_hints(
            operators, "Kronecker product", is_non_singular, is_self_adjoint, is_positive_definite
        )
        if name is None:
            name = "_x_".join(op.name for op in operators)
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

    @property
    def operators(self):
        return self._operators

    def _shape(self):
        domain = _product([op.domain_dimension for op in self.operators])
        rng = _product([op.range_dimension for op in self.operators])
        return _broadcast_batch(self.operators).concatenate(TensorShape([rng, domain]))

    def _shape_tensor(self):
        from tfgraph.ops.manip_ops import broadcast_dynamic_shape

        domain = _product([op.domain_dimension_tensor() for op in self.operators])
        rng = _product([op.range_dimension_tensor() for op in self.operators])
        batch = self.operators[0].batch_shape_tensor()
        for op in self.operators[1:]:
            batch = broadcast_dynamic_shape(batch, op.batch_shape_tensor())
        return array_ops.concat((batch, [rng, domain]), 0)

    def _each(self, method, **hints):
        return LinearOperatorKronecker(
            operators=[getattr(op, method)() for op in self.operators], is_square=True, **hints
        )

    def _linop_adjoint(self):
        h = self._hints()
        del h["is_square"]
        return self._each("adjoint", **h)

    def _linop_cholesky(self):
        return self._each("cholesky", is_non_singular=True, is_self_adjoint=None)

    def _linop_inverse(self):
        h = self._hints()
        del h["is_square"]
        return self._each("inverse", **h)

    def _solve_matmul_internal(self, x, fn, adjoint=False, adjoint_arg=False):
        output = x
        if adjoint_arg:
            if self.dtype.is_complex:
                output = math_ops.conj(output)
        else:
            output = linalg_ops.matrix_transpose(output)
        for o in reversed(self.operators):
            op_dim = o.range_dimension_tensor() if adjoint else o.domain_dimension_tensor()
            out_shape = _static_or_dynamic_shape(output)
            static_dim = common_shapes.constant_value(op_dim)
            if static_dim is not None and isinstance(out_shape, TensorShape):
                op_dim = int(static_dim)
                dim = int(out_shape[-2] * out_shape[-1] // op_dim)
            else:
                dim = array_ops.cast(out_shape[-2] * out_shape[-1] // op_dim, dtype=dtypes.int32)
            output = array_ops.reshape(output, shape=_concat_shape(out_shape[:-2], [dim, op_dim]))
            if self.dtype.is_complex:
                output = math_ops.conj(output)
            output = fn(o, output, adjoint=adjoint, adjoint_arg=True)
        col_dim = _static_or_dynamic_shape(x)[-2 if adjoint_arg else -1]
        row_dim = self.domain_dimension_tensor() if adjoint else self.range_dimension_tensor()
        out_shape = _static_or_dynamic_shape(output)[:-2]
        output = array_ops.reshape(output, _concat_shape(out_shape, [row_dim, col_dim]))
        if x.shape.is_fully_defined():
            column_dim = x.shape[-2] if adjoint_arg else x.shape[-1]
            batch = broadcast_static_shape(x.shape[:-2], self.batch_shape)
            rows = self.domain_dimension if adjoint else self.range_dimension
            output.set_shape(batch.concatenate([rows, column_dim]))
        return output

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        def fn(o, x, adjoint, adjoint_arg):
            return o.matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

        return self._solve_matmul_internal(x, fn, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        def fn(o, rhs, adjoint, adjoint_arg):
            return o.solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

        return self._solve_matmul_internal(rhs, fn, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        total = self.domain_dimension_tensor()
        det = 1.0
        for op in self.operators:
            power = array_ops.cast(total / op.domain_dimension_tensor(), dtype=op.dtype)
            det = det * op.determinant() ** power
        return det

    def _log_abs_determinant(self):
        total = self.domain_dimension_tensor()
        result = 0.0
        for op in self.operators:
            factor = array_ops.cast(total / op.domain_dimension_tensor(), dtype=op.dtype)
            result += op.log_abs_determinant() * factor
        return result

    def _trace(self):
        trace = 1.0
        for op in self.operators:
            trace = trace * op.trace()
        return trace

    def _outer_flat(self, vectors):
        product = vectors[0]
        for v in vectors[1:]:
            product = product[..., :, array_ops.newaxis] * v[..., array_ops.newaxis, :]
            product = array_ops.reshape(
                product, shape=array_ops.concat([array_ops.shape(product)[:-2], [-1]], axis=0)
            )
        return product

    def _diag_part(self):
        diag = self._outer_flat([op.diag_part() for op in self.operators])
        if self.range_dimension > self.domain_dimension:
            dim = self.domain_dimension
        else:
            dim = self.range_dimension
        diag.set_shape(self.batch_shape.concatenate(dim))
        return diag

    def _to_dense(self):
        product = self.operators[0].to_dense()
        for op in self.operators[1:]:
            product = product[..., :, array_ops.newaxis, :, array_ops.newaxis]
            product = product * op.to_dense()[..., array_ops.newaxis, :, array_ops.newaxis, :]
            shp = _static_or_dynamic_shape(product)
            product = array_ops.reshape(
                product, shape=_concat_shape(shp[:-4], [shp[-4] * shp[-3], shp[-2] * shp[-1]])
            )
        product.set_shape(self.shape)
        return product

    def _eigvals(self):
        product = self._outer_flat([op.eigvals() for op in self.operators])
        product.set_shape(self.shape[:-1])
        return product

    def _all_square_or_raise(self):
        if not all(op.is_square for op in self.operators):
            raise errors.InvalidArgumentError(
                None,
                None,
                "All Kronecker factors must be square for the product to be invertible. "
                "Expected hint `is_square` to be True for every operator in argument "
                "`operators`.",
            )

    def _assert_non_singular(self):
        self._all_square_or_raise()
        return control_flow_ops.group([op.assert_non_singular() for op in self.operators])

    def _assert_self_adjoint(self):
        self._all_square_or_raise()
        return control_flow_ops.group([op.assert_self_adjoint() for op in self.operators])

"""Structured LinearOperators, as TF's Python builds them: Circulant (1-D, 2-D, 3-D:
FFT diagonalised), Toeplitz (embedded in a circulant) and Tridiag (the tridiagonal
ops)."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.api_utils import broadcast_static_shape
from tfgraph.framework.convert import constant
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import TensorShape, dimension_value
from tfgraph.ops import array_ops, check_ops, control_flow_ops, linalg_ops, math_ops
from tfgraph.ops import linear_operator as lo
from tfgraph.ops.linear_operator import LinearOperator

__all__ = [
    "LinearOperatorCirculant",
    "LinearOperatorCirculant2D",
    "LinearOperatorCirculant3D",
    "LinearOperatorToeplitz",
    "LinearOperatorTridiag",
]


def _to_complex(x):
    if x.dtype.is_complex:
        return x
    dtype = dtypes.complex128 if x.dtype.base_dtype == dtypes.float64 else dtypes.complex64
    return array_ops.cast(x, dtype)


def _rotate_transpose(x, shift):
    """distribution_util.rotate_transpose for a static rank: roll the dimensions."""
    rank = x.shape.ndims
    perm = np.roll(np.arange(rank), shift).tolist()
    return array_ops.transpose(x, perm=perm)


def _broadcast_dynamic(a, b):
    from tfgraph.ops.manip_ops import broadcast_dynamic_shape

    return broadcast_dynamic_shape(a, b)


class _BaseCirculant(LinearOperator):
    """[Nested] block circulant operators given by their spectrum."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"spectrum": self._depth}

    _depth = 1

    def __init__(
        self,
        spectrum,
        input_output_dtype=dtypes.complex64,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=True,
        name=None,
    ):
        name = name or type(self).__name__
        parameters = dict(
            spectrum=spectrum,
            input_output_dtype=input_output_dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )
        self._name = name
        with get_default_graph().name_scope(name):
            self._spectrum = lo.to_tensor(spectrum, name="spectrum")
            nd = self._spectrum.shape.ndims
            if nd is not None and nd < self._depth:
                raise ValueError(
                    f"Argument `spectrum` must have at least {self._depth} dimensions. "
                    f"Received: {self._spectrum}."
                )
            if not self.spectrum.dtype.is_complex:
                if is_self_adjoint is False:
                    raise ValueError(
                        "A real spectrum always corresponds to a self-adjoint operator. Expected "
                        "argument `is_self_adjoint` to be True when `spectrum.dtype.is_complex` "
                        f"= True. Received: {is_self_adjoint}."
                    )
                is_self_adjoint = True
            if is_square is False:
                raise ValueError(
                    "A [[nested] block] circulant operator is always square. Expected argument "
                    f"`is_square` to be True. Received: {is_square}."
                )
            super().__init__(
                dtype=dtypes.as_dtype(input_output_dtype),
                is_non_singular=is_non_singular,
                is_self_adjoint=is_self_adjoint,
                is_positive_definite=is_positive_definite,
                is_square=True,
                parameters=parameters,
                name=name,
            )

    @property
    def block_depth(self):
        return self._depth

    @property
    def spectrum(self):
        return self._spectrum

    @property
    def block_shape(self):
        return self.spectrum.shape[-self._depth :]

    def block_shape_tensor(self):
        return self._block_shape_tensor()

    def _block_shape_tensor(self, spectrum_shape=None):
        if self.block_shape.is_fully_defined():
            return lo.shape_tensor(self.block_shape.as_list(), name="block_shape")
        spectrum_shape = (
            array_ops.shape(self.spectrum) if spectrum_shape is None else spectrum_shape
        )
        return spectrum_shape[-self._depth :]

    def _pair_hints(self, left, right):
        return dict(
            is_non_singular=lo.combined_non_singular_hint(left, right),
            is_self_adjoint=lo.combined_commuting_self_adjoint_hint(left, right),
            is_positive_definite=lo.combined_commuting_positive_definite_hint(left, right),
            is_square=True,
        )

    def _linop_adjoint(self):
        spectrum = self.spectrum
        if spectrum.dtype.is_complex:
            spectrum = math_ops.conj(spectrum)
        h = self._hints()
        h["is_square"] = True
        return type(self)(spectrum=spectrum, **h)

    def _linop_inverse(self):
        h = self._hints()
        h["is_square"] = True
        return type(self)(spectrum=1.0 / self.spectrum, input_output_dtype=self.dtype, **h)

    def _linop_matmul(self, left, right):
        if not isinstance(right, type(self)) or not isinstance(left, type(right)):
            return super()._linop_matmul(left, right)
        return type(self)(spectrum=left.spectrum * right.spectrum, **self._pair_hints(left, right))

    def _linop_solve(self, left, right):
        if not isinstance(right, type(self)):
            return super()._linop_solve(left, right)
        return type(self)(spectrum=right.spectrum / left.spectrum, **self._pair_hints(left, right))

    def _vectorize_then_blockify(self, matrix):
        vec = _rotate_transpose(matrix, 1)
        if vec.shape.is_fully_defined() and self.block_shape.is_fully_defined():
            final = vec.shape[:-1].concatenate(self.block_shape).as_list()
        else:
            final = array_ops.concat((array_ops.shape(vec)[:-1], self.block_shape_tensor()), 0)
        return array_ops.reshape(vec, final)

    def _unblockify(self, x):
        d = self._depth
        if x.shape.is_fully_defined():
            shape = x.shape.as_list()
            flat = shape[:-d] + [int(np.prod(shape[-d:]))]
        else:
            shape = array_ops.shape(x)
            flat = array_ops.concat((shape[:-d], [math_ops.reduce_prod(shape[-d:])]), 0)
        return array_ops.reshape(x, flat)

    def _unblockify_then_matricize(self, vec):
        return _rotate_transpose(self._unblockify(vec), -1)

    def _fft(self, x):
        from tfgraph.ops.spectral_ops import _FFT

        return _FFT[self._depth](_to_complex(x))

    def _ifft(self, x):
        from tfgraph.ops.spectral_ops import _IFFT

        return _IFFT[self._depth](_to_complex(x))

    def convolution_kernel(self, name="convolution_kernel"):
        with self._name_scope(name):
            h = self._ifft(_to_complex(self.spectrum))
            return array_ops.cast(h, self.dtype)

    def _shape(self):
        s = self._spectrum.shape
        trailing = s[-self._depth :]
        n = int(np.prod(trailing.as_list())) if trailing.is_fully_defined() else None
        return s[: -self._depth].concatenate(TensorShape([n, n]))

    def _shape_tensor(self, spectrum=None):
        spectrum = self.spectrum if spectrum is None else spectrum
        s = array_ops.shape(spectrum)
        n = math_ops.reduce_prod(s[-self._depth :])
        return array_ops.concat((s[: -self._depth], [n, n]), 0)

    def assert_hermitian_spectrum(self, name="assert_hermitian_spectrum"):
        eps = np.finfo(self.dtype.real_dtype.as_numpy_dtype).eps
        with self._name_scope(name):
            max_err = eps * self.domain_dimension_tensor()
            imag = math_ops.imag(self.convolution_kernel())
            return check_ops.assert_less(
                math_ops.abs(imag), max_err, message="Spectrum was not Hermitian"
            )

    def _assert_non_singular(self):
        return lo.assert_no_entries_with_modulus_zero(
            self.spectrum, message="Singular operator:  Spectrum contained zero values."
        )

    def _assert_positive_definite(self):
        return check_ops.assert_positive(
            math_ops.real(self.spectrum),
            message="Not positive definite:  Real part of spectrum was not all positive.",
        )

    def _assert_self_adjoint(self):
        return lo.assert_zero_imag_part(
            self.spectrum,
            message="Not self-adjoint:  The spectrum contained non-zero imaginary part.",
        )

    def _broadcast_batch_dims(self, x, spectrum):
        spectrum = lo.to_tensor(spectrum, name="spectrum")
        batch = self._batch_shape_tensor(shape=self._shape_tensor(spectrum=spectrum))
        spec_mat = array_ops.reshape(spectrum, array_ops.concat((batch, [-1, 1]), axis=0))
        x, spec_mat = lo.broadcast_matrix_batch_dims((x, spec_mat))
        x_batch = array_ops.shape(x)[:-2]
        block = self._block_shape_tensor(spectrum_shape=array_ops.shape(spectrum))
        spectrum = array_ops.reshape(spec_mat, array_ops.concat((x_batch, block), axis=0))
        return x, spectrum

    def _cond(self):
        sv = math_ops.abs(self._unblockify(self.spectrum))
        return math_ops.reduce_max(sv, axis=-1) / math_ops.reduce_min(sv, axis=-1)

    def _eigvals(self):
        return lo.to_tensor(self._unblockify(self.spectrum))

    def _apply(self, x, adjoint, solve):
        spectrum = _to_complex(self.spectrum)
        if adjoint:
            spectrum = math_ops.conj(spectrum)
        if not solve:
            x = array_ops.cast(x, spectrum.dtype)
        x, spectrum = self._broadcast_batch_dims(x, spectrum)
        fft_x = self._fft(self._vectorize_then_blockify(x))
        result = self._ifft(fft_x / spectrum if solve else spectrum * fft_x)
        return array_ops.cast(self._unblockify_then_matricize(result), self.dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = lo.adjoint(x) if adjoint_arg else x
        return self._apply(x, adjoint, solve=False)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = lo.adjoint(rhs) if adjoint_arg else rhs
        return self._apply(rhs, adjoint, solve=True)

    def _block_axes(self):
        return [-(i + 1) for i in range(self._depth)]

    def _determinant(self):
        det = math_ops.reduce_prod(self.spectrum, axis=self._block_axes())
        return array_ops.cast(det, self.dtype)

    def _log_abs_determinant(self):
        lad = math_ops.reduce_sum(
            math_ops.log(math_ops.abs(self.spectrum)), axis=self._block_axes()
        )
        return array_ops.cast(lad, self.dtype)

    def _diag_part(self):
        if self.shape.is_fully_defined():
            diag_shape = self.shape[:-1].as_list()
            size = self.domain_dimension.value
        else:
            diag_shape = self.shape_tensor()[:-1]
            size = self.domain_dimension_tensor()
        ones = array_ops.ones(diag_shape, dtype=self.dtype)
        value = self.trace() / array_ops.cast(size, self.dtype)
        return value[..., array_ops.newaxis] * ones

    def _trace(self):
        if self.spectrum.shape.is_fully_defined():
            rank = self.spectrum.shape.ndims
            axis = np.arange(rank - self._depth, rank, dtype=np.int32)
        else:
            rank = array_ops.rank(self.spectrum)
            axis = math_ops.range(rank - self._depth, rank)
        re = math_ops.reduce_sum(math_ops.real(self.spectrum), axis=axis)
        if not self.dtype.is_complex:
            return array_ops.cast(re, self.dtype)
        if self.is_self_adjoint:
            im = array_ops.zeros_like(re)
        else:
            im = math_ops.reduce_sum(math_ops.imag(self.spectrum), axis=axis)
        return array_ops.cast(math_ops.complex(re, im), self.dtype)


class LinearOperatorCirculant(_BaseCirculant):
    """A [batch] circulant matrix: its spectrum is the FFT of its first column."""

    _depth = 1

    def __init__(
        self,
        spectrum,
        input_output_dtype=dtypes.complex64,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=True,
        name="LinearOperatorCirculant",
    ):
        super().__init__(
            spectrum,
            input_output_dtype,
            is_non_singular,
            is_self_adjoint,
            is_positive_definite,
            is_square,
            name,
        )


class LinearOperatorCirculant2D(_BaseCirculant):
    """A [batch] block circulant matrix with circulant blocks (2-D FFT spectrum)."""

    _depth = 2

    def __init__(
        self,
        spectrum,
        input_output_dtype=dtypes.complex64,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=True,
        name="LinearOperatorCirculant2D",
    ):
        super().__init__(
            spectrum,
            input_output_dtype,
            is_non_singular,
            is_self_adjoint,
            is_positive_definite,
            is_square,
            name,
        )


class LinearOperatorCirculant3D(_BaseCirculant):
    """A [batch] doubly nested block circulant matrix (3-D FFT spectrum)."""

    _depth = 3

    def __init__(
        self,
        spectrum,
        input_output_dtype=dtypes.complex64,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=True,
        name="LinearOperatorCirculant3D",
    ):
        super().__init__(
            spectrum,
            input_output_dtype,
            is_non_singular,
            is_self_adjoint,
            is_positive_definite,
            is_square,
            name,
        )


class LinearOperatorToeplitz(LinearOperator):
    """A [batch] Toeplitz matrix given by its first column and first row."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"col": 1, "row": 1}

    def __init__(
        self,
        col,
        row,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorToeplitz",
    ):
        parameters = dict(
            col=col,
            row=row,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )
        with get_default_graph().name_scope(name):
            self._row = lo.to_tensor(row, name="row")
            self._col = lo.to_tensor(col, name="col")
            self._check_row_col(self._row, self._col)
            if is_square is False:
                raise ValueError("Only square Toeplitz operators currently supported.")
            super().__init__(
                dtype=self._row.dtype,
                is_non_singular=is_non_singular,
                is_self_adjoint=is_self_adjoint,
                is_positive_definite=is_positive_definite,
                is_square=True,
                parameters=parameters,
                name=name,
            )

    def _check_row_col(self, row, col):
        for name, t in [["row", row], ["col", col]]:
            if t.shape.ndims is not None and t.shape.ndims < 1:
                raise ValueError(f"Argument {name} must have at least 1 dimension.  Found: {t}")
        r, c = dimension_value(row.shape[-1]), dimension_value(col.shape[-1])
        if r is not None and c is not None and r != c:
            raise ValueError("Expected square matrix, got row and col with mismatched dimensions.")

    @property
    def col(self):
        return self._col

    @property
    def row(self):
        return self._row

    def _shape(self):
        v = broadcast_static_shape(self.row.shape, self.col.shape)
        return v.concatenate(v[-1:])

    def _shape_tensor(self, row=None, col=None):
        row = self.row if row is None else row
        col = self.col if col is None else col
        v = _broadcast_dynamic(array_ops.shape(row), array_ops.shape(col))
        return array_ops.concat((v, [v[-1]]), 0)

    def _assert_self_adjoint(self):
        return check_ops.assert_equal(
            self.row,
            self.col,
            message="row and col are not the same, and so this operator is not self-adjoint.",
        )

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        from tfgraph.ops.spectral_ops import fft

        x = lo.adjoint(x) if adjoint_arg else x
        expanded = array_ops.concat([x, array_ops.zeros_like(x)], axis=-2)
        col, row = lo.to_tensor(self.col), lo.to_tensor(self.row)
        circulant_col = array_ops.concat(
            [col, array_ops.zeros_like(col[..., 0:1]), array_ops.reverse(row[..., 1:], axis=[-1])],
            axis=-1,
        )
        circulant = LinearOperatorCirculant(
            fft(_to_complex(circulant_col)), input_output_dtype=row.dtype
        )
        result = circulant.matmul(expanded, adjoint=adjoint, adjoint_arg=False)
        shape = self._shape_tensor(row=row, col=col)
        n = self._domain_dimension_tensor(shape=shape)
        return array_ops.cast(result[..., :n, :], self.dtype)

    def _trace(self):
        n = array_ops.cast(self.domain_dimension_tensor(), dtype=self.dtype)
        return n * self.col[..., 0]

    def _diag_part(self):
        return self.col[..., 0:1] * array_ops.ones([self.domain_dimension_tensor()], self.dtype)

    def _to_dense(self):
        row, col = lo.to_tensor(self.row), lo.to_tensor(self.col)
        total = _broadcast_dynamic(array_ops.shape(row), array_ops.shape(col))
        n = array_ops.shape(row)[-1]
        row = array_ops.broadcast_to(row, total)
        col = array_ops.broadcast_to(col, total)
        elements = array_ops.concat([array_ops.reverse(col, axis=[-1]), row[..., 1:]], axis=-1)
        indices = math_ops.mod(
            math_ops.range(0, n) + math_ops.range(n - 1, -1, -1)[..., array_ops.newaxis],
            2 * n - 1,
        )
        return array_ops.gather(elements, indices, axis=-1)


_FORMATS = ("compact", "matrix", "sequence")


class LinearOperatorTridiag(LinearOperator):
    """A [batch] tridiagonal matrix in compact, matrix or sequence format."""

    @property
    def _experimental_parameter_ndims_to_matrix_ndims(self):
        return {"diagonals": [1, 1, 1] if self.diagonals_format == "sequence" else 2}

    def __init__(
        self,
        diagonals,
        diagonals_format="compact",
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorTridiag",
    ):
        parameters = dict(
            diagonals=diagonals,
            diagonals_format=diagonals_format,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )
        with get_default_graph().name_scope(name):
            if diagonals_format not in _FORMATS:
                raise ValueError(
                    "Argument `diagonals_format` must be one of compact, matrix, or sequence. "
                    f"Received : {diagonals_format}."
                )
            if diagonals_format == "sequence":
                self._diagonals = [
                    lo.to_tensor(d, name=f"diag_{i}") for i, d in enumerate(diagonals)
                ]
                dtype = self._diagonals[0].dtype
            else:
                self._diagonals = lo.to_tensor(diagonals, name="diagonals")
                dtype = self._diagonals.dtype
            self._diagonals_format = diagonals_format
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
    def diagonals(self):
        return self._diagonals

    @property
    def diagonals_format(self):
        return self._diagonals_format

    def _shape(self):
        if self.diagonals_format == "matrix":
            return self.diagonals.shape
        if self.diagonals_format == "compact":
            d = self.diagonals.shape[:-2].concatenate(self.diagonals.shape[-1])
        else:
            b = broadcast_static_shape(self.diagonals[0].shape[:-1], self.diagonals[1].shape[:-1])
            b = broadcast_static_shape(b, self.diagonals[2].shape[:-1])
            d = b.concatenate(self.diagonals[1].shape[-1])
        return d.concatenate(d[-1])

    def _shape_tensor(self, diagonals=None):
        diagonals = diagonals if diagonals is not None else self.diagonals
        if self.diagonals_format == "matrix":
            return array_ops.shape(diagonals)
        if self.diagonals_format == "compact":
            d = array_ops.shape(diagonals[..., 0, :])
        else:
            ds = self.diagonals
            b = _broadcast_dynamic(array_ops.shape(ds[0])[:-1], array_ops.shape(ds[1])[:-1])
            b = _broadcast_dynamic(b, array_ops.shape(ds[2])[:-1])
            d = array_ops.concat([b, [array_ops.shape(ds[1])[-1]]], axis=0)
        return array_ops.concat([d, [d[-1]]], axis=-1)

    def _assert_self_adjoint(self):
        from tfgraph.ops.manip_ops import roll

        diag_msg = "This tridiagonal operator contained non-zero imaginary values on the diagonal."
        off_msg = "This tridiagonal operator has non-conjugate subdiagonal and superdiagonal."
        if self.diagonals_format == "matrix":
            return control_flow_ops.group(
                [
                    check_ops.assert_equal(
                        self.diagonals,
                        lo.adjoint(self.diagonals),
                        message="Matrix was not equal to its adjoint.",
                    )
                ]
            )
        if self.diagonals_format == "compact":
            d = lo.to_tensor(self.diagonals)
            sup, main, sub = d[..., 0, :], d[..., 1, :], d[..., 2, :]
        else:
            sup, main, sub = self.diagonals
        asserts = [lo.assert_zero_imag_part(main, message=diag_msg)]
        sub = roll(sub, shift=-1, axis=-1)
        asserts.append(
            check_ops.assert_equal(math_ops.conj(sub[..., :-1]), sup[..., :-1], message=off_msg)
        )
        return control_flow_ops.group(asserts)

    def _construct_adjoint_diagonals(self, diagonals):
        from tfgraph.ops.manip_ops import roll

        if self.diagonals_format == "sequence":
            diagonals = [math_ops.conj(d) for d in reversed(diagonals)]
            diagonals[0] = roll(diagonals[0], shift=-1, axis=-1)
            diagonals[2] = roll(diagonals[2], shift=1, axis=-1)
            return diagonals
        if self.diagonals_format == "matrix":
            return lo.adjoint(diagonals)
        diagonals = math_ops.conj(diagonals)
        sup, diag, sub = array_ops.unstack(diagonals, num=3, axis=-2)
        new_sup = roll(sub, shift=-1, axis=-1)
        new_sub = roll(sup, shift=1, axis=-1)
        return array_ops.stack([new_sup, diag, new_sub], axis=-2)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        from tfgraph.ops.tridiagonal_ops import tridiagonal_matmul

        diagonals = self.diagonals
        if adjoint:
            diagonals = self._construct_adjoint_diagonals(diagonals)
        x = lo.adjoint(x) if adjoint_arg else x
        return tridiagonal_matmul(diagonals, x, diagonals_format=self.diagonals_format)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        from tfgraph.ops.tridiagonal_ops import tridiagonal_solve

        diagonals = self.diagonals
        if adjoint:
            diagonals = self._construct_adjoint_diagonals(diagonals)
        rhs_shape = array_ops.shape(rhs)
        shape = self._shape_tensor(diagonals)
        k = shape[-1]
        bshape = _broadcast_dynamic(shape[:-2], rhs_shape[:-2])
        rhs = array_ops.broadcast_to(rhs, array_ops.concat([bshape, rhs_shape[-2:]], axis=-1))
        if self.diagonals_format == "matrix":
            diagonals = array_ops.broadcast_to(
                diagonals, array_ops.concat([bshape, [k, k]], axis=-1)
            )
        elif self.diagonals_format == "compact":
            diagonals = array_ops.broadcast_to(
                diagonals, array_ops.concat([bshape, [3, k]], axis=-1)
            )
        else:
            diagonals = [
                array_ops.broadcast_to(d, array_ops.concat([bshape, [k]], axis=-1))
                for d in diagonals
            ]
        return tridiagonal_solve(
            diagonals,
            rhs,
            diagonals_format=self.diagonals_format,
            transpose_rhs=adjoint_arg,
            conjugate_rhs=adjoint_arg,
        )

    def _diag_part(self):
        if self.diagonals_format == "matrix":
            return linalg_ops.matrix_diag_part(self.diagonals)
        if self.diagonals_format == "sequence":
            return array_ops.broadcast_to(self.diagonals[1], self.shape_tensor()[:-1])
        return self.diagonals[..., 1, :]

    def _to_dense(self):
        if self.diagonals_format == "matrix":
            return self.diagonals
        if self.diagonals_format == "compact":
            d = lo.to_tensor(self.diagonals)
            sup, main, sub = d[..., 0, :], d[..., 1, :], d[..., 2, :]
        else:
            ds = array_ops.stack([lo.to_tensor(d) for d in self.diagonals], axis=-2)
            sup, main, sub = ds[..., 0, :], ds[..., 1, :], ds[..., 2, :]
        # TF: matrix_diag_v3(k=(-1, 1), align="LEFT_RIGHT"); the same matrix as a sum of
        # the three bands placed by padding.
        return (
            linalg_ops.matrix_diag(main)
            + _pad_matrix(linalg_ops.matrix_diag(sup[..., :-1]), [[0, 1], [1, 0]])
            + _pad_matrix(linalg_ops.matrix_diag(sub[..., 1:]), [[1, 0], [0, 1]])
        )


def _pad_matrix(x, last_two):
    rank = x.shape.ndims
    if rank is not None:
        return array_ops.pad(x, [[0, 0]] * (rank - 2) + last_two)
    zeros = array_ops.zeros((array_ops.rank(x) - 2, 2), dtype=dtypes.int32)
    return array_ops.pad(x, array_ops.concat((zeros, constant(last_two)), axis=0))

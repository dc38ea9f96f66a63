"""`tf.linalg.eigh_tridiagonal`, as TF's Python builds it: eigenvalues of a Hermitian
tridiagonal matrix by Sturm-sequence bisection, eigenvectors by inverse iteration
(tridiagonal solves) with re-orthogonalisation of clustered eigenvalues.

TF draws the starting vectors with `stateless_random_normal((k, n), seed=[7, 42])`;
that op is not used here: the same float32 values come from TF's Philox stream for
that seed (key and counter as TF's StatelessRandomGetKeyCounter gives them), computed
once when the graph is built."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops, check_ops, linalg_ops, math_ops, philox
from tfgraph.ops.tridiagonal_ops import tridiagonal_solve

__all__ = ["eigh_tridiagonal"]

# StatelessRandomGetKeyCounter(seed=[7, 42]): key 4705588757021300537, counter (0, c1).
_KEY = 4705588757021300537
_COUNTER = 17398396715820405659 << 64


def _scope(name):
    return get_default_graph().name_scope(name)


def _sturm(alpha, beta_sq, pivmin, alpha0_perturbation, x):
    """The number of eigenvalues below each x (Sturm sequence sign changes)."""
    from tfgraph.ops.while_loop import while_loop

    with _scope("sturm"):
        n = alpha.shape[0].value
        zeros = array_ops.zeros(array_ops.shape(x), dtype=dtypes.int32)
        ones = array_ops.ones(array_ops.shape(x), dtype=dtypes.int32)
        q = alpha[0] - x
        count = array_ops.where(q < 0, ones, zeros)
        q = array_ops.where(math_ops.equal(alpha[0], x), alpha0_perturbation, q)

        def step(i, q, count):
            q = alpha[i] - beta_sq[i - 1] / q - x
            count = array_ops.where(q <= pivmin, count + 1, count)
            q = array_ops.where(q <= pivmin, math_ops.minimum(q, -pivmin), q)
            return q, count

        blocksize = 16
        unroll = [(n - 1) % blocksize]

        def unrolled_steps(start, q, count):
            for j in range(unroll[0]):
                q, count = step(start + j, q, count)
            return start + unroll[0], q, count

        i, q, count = unrolled_steps(1, q, count)
        unroll[0] = blocksize
        _, _, count = while_loop(
            lambda i, q, count: math_ops.less(i, n),
            unrolled_steps,
            [i, q, count],
            back_prop=False,
        )
        return count


def _bounds(alpha, beta):
    """Gershgorin bounds, pivmin, the alpha[0] perturbation and TF's tolerances."""
    if alpha.dtype.is_complex:
        alpha = math_ops.real(alpha)
        beta_sq = math_ops.real(math_ops.conj(beta) * beta)
        beta_abs = math_ops.sqrt(beta_sq)
    else:
        beta_sq = math_ops.square(beta)
        beta_abs = math_ops.abs(beta)
    finfo = np.finfo(alpha.dtype.as_numpy_dtype)
    row_sum = array_ops.concat([beta_abs[:1], beta_abs[:-1] + beta_abs[1:], beta_abs[-1:]], axis=0)
    est_max = math_ops.minimum(finfo.max, math_ops.reduce_max(alpha + row_sum))
    est_min = math_ops.maximum(finfo.min, math_ops.reduce_min(alpha - row_sum))
    t_norm = math_ops.maximum(math_ops.abs(est_min), math_ops.abs(est_max))
    one = np.ones([], dtype=alpha.dtype.as_numpy_dtype)
    safemin = np.maximum(one / finfo.max, (one + finfo.eps) * finfo.tiny)
    pivmin = safemin * math_ops.maximum(one, math_ops.reduce_max(beta_sq))
    alpha0_perturbation = math_ops.square(finfo.eps * beta_abs[0])
    return alpha, beta_sq, finfo, est_min, est_max, t_norm, pivmin, alpha0_perturbation


def _targets(select, select_range, n, alpha):
    """The eigenvalue indices wanted ('a', 'i'), and the assertion on select_range."""
    asserts = None
    target_counts = None
    if select == "a":
        target_counts = math_ops.range(n)
    elif select == "i":
        asserts = check_ops.assert_less_equal(
            select_range[0], select_range[1], message="Got empty index range in select_range."
        )
        target_counts = math_ops.range(select_range[0], select_range[1] + 1)
    elif select == "v":
        asserts = check_ops.assert_less(
            select_range[0], select_range[1], message="Got empty interval in select_range."
        )
    else:
        raise ValueError("'select must have a value in {'a', 'i', 'v'}.")
    if asserts:
        from tfgraph.ops.control_flow_ops import with_dependencies

        alpha = with_dependencies([asserts], alpha)
    return target_counts, alpha


def _compute_eigenvalues(alpha, beta, select, select_range, tol):
    from tfgraph.ops.while_loop import while_loop

    with _scope("compute_eigenvalues"):
        n = alpha.shape[0].value
        alpha, beta_sq, finfo, est_min, est_max, t_norm, pivmin, alpha0 = _bounds(alpha, beta)
        abs_tol = finfo.eps * t_norm
        if tol:
            abs_tol = math_ops.maximum(tol, abs_tol)
        max_it = finfo.nmant + 1
        target_counts, alpha = _targets(select, select_range, n, alpha)
        fudge = 2.1
        norm_slack = array_ops.cast(n, alpha.dtype) * fudge * finfo.eps * t_norm
        if select in {"a", "i"}:
            lower = est_min - norm_slack - 2 * fudge * pivmin
            upper = est_max + norm_slack + fudge * pivmin
        else:
            lower = select_range[0] - norm_slack - 2 * fudge * pivmin
            upper = select_range[1] + norm_slack + fudge * pivmin
            first = _sturm(alpha, beta_sq, pivmin, alpha0, lower)
            last = _sturm(alpha, beta_sq, pivmin, alpha0, upper)
            target_counts = math_ops.range(first, last)
        upper = math_ops.minimum(upper, finfo.max)
        lower = math_ops.maximum(lower, finfo.min)
        shape = array_ops.shape(target_counts)
        lower = array_ops.broadcast_to(lower, shape=shape)
        upper = array_ops.broadcast_to(upper, shape=shape)
        pivmin = array_ops.broadcast_to(pivmin, shape)
        alpha0 = array_ops.broadcast_to(alpha0, shape)

        def midpoint(lower, upper):
            return 0.5 * lower + 0.5 * upper

        def cont(i, lower, upper):
            return math_ops.logical_and(
                math_ops.less(i, max_it), math_ops.less(abs_tol, math_ops.reduce_max(upper - lower))
            )

        def step(i, lower, upper):
            mid = midpoint(lower, upper)
            counts = _sturm(alpha, beta_sq, pivmin, alpha0, mid)
            lower = array_ops.where(counts <= target_counts, mid, lower)
            upper = array_ops.where(counts > target_counts, mid, upper)
            return i + 1, lower, upper

        _, lower, upper = while_loop(cont, step, [0, lower, upper])
        return midpoint(lower, upper)


def _start_vectors(k, n, dtype):
    """TF's stateless_random_normal((k, n), seed=[7, 42]) (float32), cast to dtype."""
    flat = philox.normal((_KEY & 0xFFFFFFFF, _KEY >> 32), _COUNTER, n * n).astype(np.float32)
    v0 = array_ops.reshape(constant(flat)[: k * n], array_ops.stack([k, n]))
    return array_ops.cast(v0, dtype=dtype)


def _clusters(eigvals):
    """Start and end indices of runs of eigenvalues closer than sqrt(eps) * norm."""
    gap = eigvals[1:] - eigvals[:-1]
    eps = np.finfo(eigvals.dtype.as_numpy_dtype).eps
    t_norm = math_ops.maximum(math_ops.abs(eigvals[0]), math_ops.abs(eigvals[-1]))
    close = math_ops.less(gap, np.sqrt(eps) * t_norm)
    left = array_ops.concat([[False], close], axis=0)
    right = array_ops.concat([close, [False]], axis=0)
    start = math_ops.logical_and(math_ops.logical_not(left), right)
    start = array_ops.squeeze(array_ops.where_v2(start), axis=-1)
    end = math_ops.logical_and(left, math_ops.logical_not(right))
    end = array_ops.squeeze(array_ops.where_v2(end), axis=-1) + 1
    return start, end


def _compute_eigenvectors(alpha, beta, eigvals):
    from tfgraph.ops.manip_ops import tensor_scatter_nd_update
    from tfgraph.ops.while_loop import while_loop

    with _scope("compute_eigenvectors"):
        k = array_ops.size(eigvals)
        n = alpha.shape[0].value
        alpha = array_ops.cast(alpha, dtype=beta.dtype)
        starts, ends = _clusters(eigvals)
        num_clusters = array_ops.size(ends)
        v0 = _start_vectors(k, n, beta.dtype)
        nrm_v = linalg_ops.norm(v0, axis=1)
        v0 = v0 / nrm_v[:, array_ops.newaxis]
        zero_nrm = constant(0, shape=nrm_v.shape.as_list(), dtype=nrm_v.dtype)
        eigvals_cast = array_ops.cast(eigvals, dtype=beta.dtype)
        alpha_shifted = alpha[array_ops.newaxis, :] - eigvals_cast[:, array_ops.newaxis]
        beta = array_ops.tile(beta[array_ops.newaxis, :], [k, 1])
        diags = [beta, alpha_shifted, math_ops.conj(beta)]

        def orthogonalize(vectors):
            def cluster(idx, vectors):
                start, end = starts[idx], ends[idx]
                update = array_ops.expand_dims(math_ops.range(start, end), -1)
                q, _ = linalg_ops.qr(array_ops.transpose(vectors[start:end, :]))
                return idx + 1, tensor_scatter_nd_update(vectors, update, array_ops.transpose(q))

            _, vectors = while_loop(
                lambda i, ev: math_ops.less(i, num_clusters), cluster, [0, vectors]
            )
            return vectors

        def cont(i, _, nrm_v, nrm_v_old):
            growth = constant(1 + 0.1, dtype=nrm_v.dtype)
            grown = math_ops.greater_equal(math_ops.real(nrm_v), math_ops.real(growth * nrm_v_old))
            return math_ops.logical_and(math_ops.less(i, 5), math_ops.reduce_any(grown))

        def step(i, v, nrm_v, nrm_v_old):
            v = tridiagonal_solve(
                diags, v, diagonals_format="sequence", partial_pivoting=True, perturb_singular=True
            )
            nrm_v_old = nrm_v
            nrm_v = linalg_ops.norm(v, axis=1)
            v = orthogonalize(v / nrm_v[:, array_ops.newaxis])
            return i + 1, v, nrm_v, nrm_v_old

        _, v, _, _ = while_loop(cont, step, [0, v0, nrm_v, zero_nrm])
        return array_ops.transpose(v)


def eigh_tridiagonal(
    alpha, beta, eigvals_only=True, select="a", select_range=None, tol=None, name=None
):
    """Eigenvalues (and with `eigvals_only=False` eigenvectors) of the Hermitian
    tridiagonal matrix with diagonal `alpha` and off-diagonal `beta`."""
    with _scope(name or "eigh_tridiagonal"):
        alpha = convert_to_tensor(alpha, name="alpha")
        n = alpha.shape[0].value
        if n <= 1:
            return math_ops.real(alpha)
        beta = convert_to_tensor(beta, name="beta")
        if alpha.dtype != beta.dtype:
            raise ValueError("'alpha' and 'beta' must have the same type.")
        eigvals = _compute_eigenvalues(alpha, beta, select, select_range, tol)
        if eigvals_only:
            return eigvals
        return eigvals, _compute_eigenvectors(alpha, beta, eigvals)

"""Stochastic dual coordinate ascent (SDCA) for linear models: SdcaOptimizer(V2), which
runs one pass of dual coordinate ascent over a mini-batch and returns the new example
state and the weight deltas, SdcaShrinkL1 (the L1 proximal step applied to weights in
place) and SdcaFprint (128-bit FarmHash fingerprints of example ids).

TF shuffles the examples with an unseeded generator and updates them on several threads
at once, so its deltas for examples that share features vary from run to run; here the
examples are visited once each in batch order, which is one of TF's possible orders."""

from __future__ import annotations

import math

import numpy as np

from tfgraph import errors
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.hash_ops import fingerprint128

__all__ = ["sdca_fprint", "sdca_optimizer", "sdca_shrink_l1"]

_LOSSES = ("logistic_loss", "squared_loss", "hinge_loss", "smooth_hinge_loss", "poisson_loss")
_F32 = np.float32
_BIG = float(np.finfo(np.float64).max)


# -- the dual updates, one per loss --------------------------------------------------------
def _logistic_dual(nlp, y, w, dual, wx, norm):
    x = 0.0
    for _ in range(10):  # Newton steps on the dual, as TF takes
        t = math.tanh(x)
        num = -2 * y * x - wx - nlp * norm * w * (0.5 * (1 + t) / y - dual)
        den = -2 * y - nlp * norm * w * (1 - t * t) * 0.5 / y
        x -= num / den
    return 0.5 * (1 + math.tanh(x)) / y


def _poisson_dual(nlp, y, w, dual, wx, norm):
    x = math.log(y - dual) if y - dual > 0 else 0.0
    for _ in range(10):
        e = math.exp(x)
        num = x - wx - nlp * norm * w * (y - dual - e)
        x -= num / (1 + nlp * norm * w * e)
    return y - math.exp(x)


def _squared_dual(nlp, y, w, dual, wx, norm):
    return dual + (y - dual - wx) / (1 + nlp * norm * w)


def _smooth_hinge_dual(nlp, y, w, dual, wx, norm):
    return _hinge_dual(nlp, y, w, dual, wx, norm, 1.0)


def _hinge_dual(nlp, y, w, dual, wx, norm, gamma=None):
    if gamma is None:
        cand = dual + (y - wx) / (nlp * w * norm)
    else:
        cand = dual + (y - wx - gamma * dual) / (nlp * w * norm + gamma)
    if y * cand < 0:
        return 0.0
    return y if y * cand > 1.0 else cand


def _logistic_primal(wx, y, w):
    ywx = y * wx
    return (math.log1p(math.exp(-ywx)) if ywx > 0 else math.log1p(math.exp(ywx)) - ywx) * w


def _logistic_dual_loss(a, y, w):
    ay = a * y
    log_ay = math.log(ay) if ay > 0 else 0.0
    rest = 1 - ay
    return (ay * log_ay + rest * (math.log(rest) if rest > 0 else 0.0)) * w


def _hinge_dual_loss(a, y, w, gamma=0.0):
    ya = a * y
    if ya < 0 or ya > 1.0:
        return _BIG
    return (-ya + 0.5 * gamma * a * a) * w


def _smooth_hinge_primal(wx, y, w):
    ywx = y * wx
    if ywx >= 1:
        return 0.0
    if ywx <= 0.0:
        return (1 - ywx - 0.5) * w
    return (1 - ywx) * (1 - ywx) * w * 0.5


def _poisson_dual_loss(a, y, w):
    d = y - a
    if d == 0.0:
        return 0.0
    return _BIG if d < 0.0 else d * (math.log(d) - 1) * w


# loss -> (binary labels?, dual update, primal loss, dual loss)
_LOSS_RULES = {
    "logistic_loss": (True, _logistic_dual, _logistic_primal, _logistic_dual_loss),
    "squared_loss": (
        False,
        _squared_dual,
        lambda wx, y, w: (wx - y) * (wx - y) * w * 0.5,
        lambda a, y, w: a * (0.5 * a - y) * w,
    ),
    "hinge_loss": (
        True,
        _hinge_dual,
        lambda wx, y, w: max(0.0, 1 - y * wx) * w,
        _hinge_dual_loss,
    ),
    "smooth_hinge_loss": (
        True,
        _smooth_hinge_dual,
        _smooth_hinge_primal,
        lambda a, y, w: _hinge_dual_loss(a, y, w, gamma=1.0),
    ),
    "poisson_loss": (
        False,
        _poisson_dual,
        lambda wx, y, w: (math.exp(wx) - wx * y) * w,
        _poisson_dual_loss,
    ),
}


def _convert_label(op, loss: str, label: float) -> float:
    if loss == "poisson_loss":
        if label < 0.0:
            raise errors.InvalidArgumentError(
                None,
                op,
                "Only non-negative labels can be used with the Poisson log loss. "
                f"Found example with label: {label:g}",
            )
        return label
    if not _LOSS_RULES[loss][0]:
        return label
    if label == 0.0:
        return -1.0
    if label == 1.0:
        return 1.0
    raise errors.InvalidArgumentError(
        None,
        op,
        f"Only labels of 0.0 or 1.0 are supported right now. Found example with label: {label:g}",
    )


# -- reading the mini-batch ----------------------------------------------------------------
def _split(args, counts):
    out, at = [], 0
    for n in counts:
        out.append(list(args[at : at + n]))
        at += n
    return out


def _sparse_groups(op, n, ex_idx, feat_idx, feat_vals, weight_ids):
    """Per sparse group, per example: (positions into the group's weights, values)."""
    groups = []
    for g, (ei, fi) in enumerate(zip(ex_idx, feat_idx)):
        ei = np.asarray(ei, np.int64).reshape(-1)
        fi = np.asarray(fi, np.int64).reshape(-1)
        if ei.size != fi.size:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Found mismatched example_indices and feature_indices [{ei}] vs [{fi}]",
            )
        vals = None if g >= len(feat_vals) else np.asarray(feat_vals[g], _F32).reshape(-1)
        lookup = {int(k): p for p, k in enumerate(np.asarray(weight_ids[g]).reshape(-1))}
        per_example, end = [], 0
        for e in range(n):
            start = end
            while end < ei.size and ei[end] == e:
                end += 1
            ids = fi[start:end]
            for k in ids:
                if int(k) not in lookup:
                    raise errors.InvalidArgumentError(
                        None, op, f"Found sparse feature indices out of valid range: {int(k)}"
                    )
            values = np.ones(len(ids)) if vals is None else vals[start:end].astype(np.float64)
            per_example.append((np.array([lookup[int(k)] for k in ids], np.int64), values))
        groups.append(per_example)
    return groups


def _squared_norms(op, n, sparse, dense):
    norms = []
    for e in range(n):
        total = 0.0
        for group in sparse:
            pos, values = group[e]
            if len(set(pos.tolist())) != len(pos):
                raise errors.InvalidArgumentError(None, op, "Duplicate index in sparse vector.")
            total += float(np.sum(values * values))
        for matrix in dense:
            total += float(np.sum(np.square(matrix[e]), dtype=_F32))
        norms.append(total)
    return norms


def _check_batch(op, n, labels, dense, dense_weights, state):
    if labels.size != n:
        raise errors.InvalidArgumentError(
            None, op, f"Expected {n} example labels but got {labels.size}"
        )
    for i, matrix in enumerate(dense):
        if matrix.ndim != 2:
            raise errors.InvalidArgumentError(
                None, op, f"Dense features at index {i} must be rank 2 but is rank {matrix.ndim}"
            )
        if matrix.shape[1] > dense_weights[i].size:
            raise errors.InvalidArgumentError(
                None, op, f"More dense features than we have parameters for: {matrix.shape[1]}"
            )
    if state.ndim != 2:
        raise errors.InvalidArgumentError(
            None, op, f"example_state_data must be rank 2 but is rank {state.ndim}"
        )
    if state.shape != (n, 4):
        raise errors.InvalidArgumentError(
            None,
            op,
            f"Expected shape [{n},4] for example_state_data, got "
            f"[{','.join(str(d) for d in state.shape)}]",
        )


# -- one pass of dual coordinate ascent ----------------------------------------------------
def _shrink(w, shrinkage):
    """sign(w) * max(|w| - shrinkage, 0), in w's precision."""
    w = np.asarray(w)
    return np.sign(w) * np.maximum(np.abs(w) - w.dtype.type(shrinkage), w.dtype.type(0))


class _Model:
    """The nominal weights and the deltas this pass accumulates (float32, as TF)."""

    def __init__(self, sparse_weights, dense_weights, nlp, shrinkage):
        self.sw = [np.asarray(w, _F32).reshape(-1) for w in sparse_weights]
        self.dw = [np.asarray(w, _F32).reshape(-1) for w in dense_weights]
        self.sd = [np.zeros_like(w) for w in self.sw]
        self.dd = [np.zeros_like(w) for w in self.dw]
        self.nlp, self.shrinkage = nlp, shrinkage

    def wx(self, e, sparse, dense):
        """(prev_wx, wx): the example's logit under the nominal and the updated weights."""
        prev = cur = 0.0
        for g, group in enumerate(sparse):
            pos, values = group[e]
            nominal = self.sw[g][pos]
            full = nominal + self.sd[g][pos] * _F32(self.nlp)
            prev += float(np.sum(values * _shrink(nominal.astype(np.float64), self.shrinkage)))
            cur += float(np.sum(values * _shrink(full.astype(np.float64), self.shrinkage)))
        for j, matrix in enumerate(dense):
            row = matrix[e]
            k = row.size
            full = self.dw[j][:k] + self.dd[j][:k] * _F32(self.nlp)
            prev += float(np.sum(row * _shrink(self.dw[j][:k], self.shrinkage), dtype=_F32))
            cur += float(np.sum(row * _shrink(full, self.shrinkage), dtype=_F32))
        return prev, cur

    def update(self, e, sparse, dense, delta):
        for g, group in enumerate(sparse):
            pos, values = group[e]
            self.sd[g][pos] = (self.sd[g][pos].astype(np.float64) + values * delta).astype(_F32)
        for j, matrix in enumerate(dense):
            row = matrix[e]
            self.dd[j][: row.size] += row * _F32(delta)


def _sdca_kernel(op, ctx):
    attrs = op._attrs
    loss = attrs["loss_type"]
    loss = loss.decode() if isinstance(loss, bytes) else loss
    ns, nsv = int(attrs["num_sparse_features"]), int(attrs["num_sparse_features_with_values"])
    nd, nlp = int(attrs["num_dense_features"]), int(attrs["num_loss_partitions"])
    l2 = _F32(attrs["l2"])
    shrinkage = float(_F32(attrs["l1"]) / l2) if l2 else math.inf
    _, dual_update, primal, dual_loss = _LOSS_RULES[loss]

    def kernel(*args):
        if ns + nd == 0:
            raise errors.InvalidArgumentError(None, op, "Requires at least one feature to train.")
        ex_idx, feat_idx, feat_vals, dense, rest = _split(args, [ns, ns, nsv, nd, 2])
        weights_in, labels = (np.asarray(a, _F32).reshape(-1) for a in rest)
        sp_ids, sp_w, dn_w, (state,) = _split(args[2 * ns + nsv + nd + 2 :], [ns, ns, nd, 1])
        dense = [np.asarray(d, _F32) for d in dense]
        state = np.array(state, _F32)
        n = weights_in.size
        dn_w = [np.asarray(w, _F32) for w in dn_w]
        _check_batch(op, n, labels, dense, dn_w, state)
        sparse = _sparse_groups(op, n, ex_idx, feat_idx, feat_vals, sp_ids)
        norms = _squared_norms(op, n, sparse, dense)
        model = _Model(sp_w, dn_w, nlp, shrinkage)
        for e in range(n):
            dual, w = float(state[e, 0]), float(weights_in[e])
            y = _convert_label(op, loss, float(labels[e]))
            prev_wx, wx = model.wx(e, sparse, dense)
            new_dual = dual_update(nlp, y, w, dual, wx, norms[e] / float(l2))
            model.update(e, sparse, dense, (new_dual - dual) * w / float(l2))
            state[e] = (new_dual, primal(prev_wx, y, w), dual_loss(dual, y, w), w)
        deltas = [d.reshape(np.shape(w)) for d, w in zip(model.sd, sp_w)]
        deltas += [d.reshape(np.shape(w)) for d, w in zip(model.dd, dn_w)]
        return (state, *deltas)

    return kernel


def _sdca_shape(op):
    attrs = op._attrs
    ns, nsv = int(attrs["num_sparse_features"]), int(attrs["num_sparse_features_with_values"])
    nd = int(attrs["num_dense_features"])
    shapes = [t._shape for t in op._inputs]
    start = 2 * ns + nsv + nd + 2
    sparse_w = shapes[start + ns : start + 2 * ns]
    dense_w = shapes[start + 2 * ns : start + 2 * ns + nd]
    return [TensorShape([None, 4]), *sparse_w, *dense_w]  # (TF: [?, 4] whatever comes in)


_SDCA_INPUTS = [
    "sparse_example_indices: num_sparse_features * int64",
    "sparse_feature_indices: num_sparse_features * int64",
    "sparse_feature_values: num_sparse_features_with_values * float",
    "dense_features: num_dense_features * float",
    "example_weights: float",
    "example_labels: float",
    "sparse_indices: num_sparse_features * int64",
    "sparse_weights: num_sparse_features * float",
    "dense_weights: num_dense_features * float",
    "example_state_data: float",
]
_SDCA_OUTPUTS = [
    "out_example_state_data: float",
    "out_delta_sparse_weights: num_sparse_features * float",
    "out_delta_dense_weights: num_dense_features * float",
]


def _sdca_attrs(adaptive: str) -> list[str]:
    return [
        "loss_type: {" + ", ".join(f"'{n}'" for n in _LOSSES) + "}",
        f"{adaptive}: bool = false",
        "num_sparse_features: int >= 0",
        "num_sparse_features_with_values: int >= 0",
        "num_dense_features: int >= 0",
        "l1: float",
        "l2: float",
        "num_loss_partitions: int >= 1",
        "num_inner_iterations: int >= 1",
    ]


for _name, _adaptive in (("SdcaOptimizer", "adaptative"), ("SdcaOptimizerV2", "adaptive")):
    register_op(
        _name,
        inputs=_SDCA_INPUTS,
        outputs=_SDCA_OUTPUTS,
        attrs=_sdca_attrs(_adaptive),
        shape=_sdca_shape,
        make_kernel=_sdca_kernel,
        grad=NOT_DIFFERENTIABLE,
    )


def sdca_optimizer(
    sparse_example_indices,
    sparse_feature_indices,
    sparse_feature_values,
    dense_features,
    example_weights,
    example_labels,
    sparse_indices,
    sparse_weights,
    dense_weights,
    example_state_data,
    loss_type,
    l1,
    l2,
    num_loss_partitions,
    num_inner_iterations,
    adaptative=True,
    name=None,
):
    """One pass of stochastic dual coordinate ascent over a mini-batch (the
    `SdcaOptimizer` op). Returns (out_example_state_data, out_delta_sparse_weights,
    out_delta_dense_weights): the new [N, 4] example state (dual, primal loss, dual loss,
    weight) and the deltas to add to each sparse and dense weight tensor."""
    groups = [
        list(sparse_example_indices),
        list(sparse_feature_indices),
        list(sparse_feature_values),
        list(dense_features),
    ]
    ns, nd = len(groups[0]), len(groups[3])
    for label, given, want in (
        ("sparse_feature_indices", len(groups[1]), ns),
        ("sparse_indices", len(sparse_indices), ns),
        ("sparse_weights", len(sparse_weights), ns),
        ("dense_weights", len(dense_weights), nd),
    ):
        if given != want:
            raise ValueError(
                f"List argument '{label}' to 'sdca_optimizer' Op with length {given} must "
                f"match length {want} of argument "
                f"'{'dense_features' if label == 'dense_weights' else 'sparse_example_indices'}'."
            )
    attrs = {
        "loss_type": loss_type.encode() if isinstance(loss_type, str) else loss_type,
        "adaptative": bool(adaptative),
        "num_sparse_features": ns,
        "num_sparse_features_with_values": len(groups[2]),
        "num_dense_features": nd,
        "l1": float(l1),
        "l2": float(l2),
        "num_loss_partitions": int(num_loss_partitions),
        "num_inner_iterations": int(num_inner_iterations),
    }
    inputs = [*groups, example_weights, example_labels]
    inputs += [list(sparse_indices), list(sparse_weights), list(dense_weights)]
    op = apply_op("SdcaOptimizer", name, [*inputs, example_state_data], attrs)
    outs = op._outputs
    return outs[0], list(outs[1 : 1 + ns]), list(outs[1 + ns :])


# -- SdcaShrinkL1 --------------------------------------------------------------------------
def _shrink_kernel(op, ctx):
    l2 = _F32(op._attrs["l2"])
    shrinkage = float(_F32(op._attrs["l1"]) / l2) if l2 else math.inf
    name = op._name

    def kernel(*cells):
        for cell in cells:
            with cell.lock:
                old = cell.read(name)
                cell.set(_shrink(np.asarray(old, _F32), shrinkage).astype(_F32))

    return kernel


register_op(
    "SdcaShrinkL1",
    inputs=["weights: num_features * Ref(float)"],
    outputs=[],
    attrs=["num_features: int >= 0", "l1: float", "l2: float"],
    shape=lambda op: [],
    make_kernel=_shrink_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def sdca_shrink_l1(weights, l1, l2, name=None):
    """Applies the L1 proximal step sign(w) * max(|w| - l1 / l2, 0) to each variable in
    `weights` in place (the `SdcaShrinkL1` op); returns the op."""
    weights = list(weights)
    attrs = {"num_features": len(weights), "l1": float(l1), "l2": float(l2)}
    return apply_op("SdcaShrinkL1", name, [weights], attrs)


# -- SdcaFprint ----------------------------------------------------------------------------
def _fprint_kernel(op, ctx):
    def kernel(strings):
        arr = np.asarray(strings, dtype=object)
        if arr.ndim != 1:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Input must be a vector, got shape [{','.join(str(d) for d in arr.shape)}]",
            )
        out = np.zeros((arr.size, 2), np.uint64)
        for i, s in enumerate(arr):
            low, high = fingerprint128(bytes(s))
            # (TF never gives 0 or 1 first, so those stay free as sentinel keys)
            out[i] = (low if low >= 2 else (low + (1 << 64) - 2) & ((1 << 64) - 1), high)
        return out.view(np.int64)

    return kernel


def _fprint_shape(op):
    shape = op._inputs[0]._shape
    if shape._dims is not None and len(shape._dims) != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {len(shape._dims)}")
    n = None if shape._dims is None else shape._dims[0]
    return [TensorShape([n, 2])]


register_op(
    "SdcaFprint",
    inputs=["input: string"],
    outputs=["output: int64"],
    shape=_fprint_shape,
    make_kernel=_fprint_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def sdca_fprint(input, name=None):
    """Each example id's 128-bit FarmHash fingerprint as an [N, 2] int64 tensor (the
    `SdcaFprint` op)."""
    return op_output("SdcaFprint", name, [input])

"""CTC (Connectionist Temporal Classification): `tf.nn.ctc_loss` and the CTC decoders,
built as TF1's `tf.compat.v1.nn` builds them.

The CTCLoss kernel follows TF's CPU kernel (core/util/ctc/ctc_loss_calculator.h): the
forward and backward variables in log space over l' (the labels with blanks around
them, blank = num_classes - 1), vectorised over the batch (label sequences padded to
the longest l', time masked by each sequence length); the loss is -log p(z|x) and the
gradient output is softmax - (posterior of each class), zero past a sequence's end.
Its registered gradient multiplies that output (behind a PreventGradient) by the
incoming gradient, as TF's ctc_ops.py does.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.registry import register_op
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, common_shapes, math_ops
from tfgraph.ops.apply import apply_op

__all__ = ["ctc_loss"]

_NEG_INF = -np.inf


# -- CTCLoss ------------------------------------------------------------------------------
def _ctc_loss_shape(op):
    inputs, indices, values, seq_len = (t._shape for t in op._inputs)
    for t, rank in ((inputs, 3), (indices, 2), (values, 1), (seq_len, 1)):
        if t._dims is not None and len(t._dims) != rank:
            raise common_shapes.shape_error(
                op, f"Shape must be rank {rank} but is rank {len(t._dims)}"
            )
    dims = inputs._dims or (None, None, None)
    batch = dims[1]
    if seq_len._dims is not None:
        other = seq_len._dims[0]
        if batch is not None and other is not None and batch != other:
            raise common_shapes.shape_error(
                op, f"Dimensions must be equal, but are {batch} and {other}"
            )
        if batch is None:
            batch = other
    return [TensorShape._from_tuple((batch,)), TensorShape._from_tuple((dims[0], batch, dims[2]))]


def _invalid(message: str):
    return errors.InvalidArgumentError(None, None, message)


def _check_ctc_inputs(inputs, indices, values, seq_len):
    if inputs.ndim != 3:
        raise _invalid("inputs is not a 3-Tensor")
    if seq_len.ndim != 1:
        raise _invalid("sequence_length is not a vector")
    if indices.ndim != 2:
        raise _invalid("labels_indices is not a matrix")
    if values.ndim != 1:
        raise _invalid("labels_values is not a vector")
    max_time, batch, _ = inputs.shape
    if batch != seq_len.shape[0]:
        raise _invalid(
            f"len(sequence_length) != batch_size.  len(sequence_length):  {seq_len.shape[0]}"
            f" batch_size: {batch}"
        )
    if indices.shape[0] != values.shape[0]:
        raise _invalid(
            "labels_indices and labels_values must contain the same number of rows, but saw "
            f"shapes: {list(indices.shape)} vs. {list(values.shape)}"
        )
    if batch == 0:
        raise _invalid("batch_size must not be 0")
    for b in range(batch):
        if seq_len[b] > max_time:
            raise _invalid(f"sequence_length({b}) <= {max_time}")


def _label_sequences(indices, values, batch):
    """The label sequence of each batch entry (the sparse labels grouped by row)."""
    if indices.shape[0]:
        order = np.lexsort((indices[:, 1], indices[:, 0]))
        indices, values = indices[order], values[order]
        bad = indices[(indices[:, 0] < 0) | (indices[:, 0] >= batch), 0]
        if bad.size:
            raise _invalid(
                f"labels batch index must be between 0 and {batch} but saw: {int(bad[0])}"
            )
    rows = indices[:, 0] if indices.shape[0] else np.zeros(0, np.int64)
    return [values[rows == b].tolist() for b in range(batch)]


def _l_primes(labels, seq_len, num_classes, collapse, ignore_longer):
    """TF's PopulateLPrimes: l' of each batch entry (blank-separated targets), with its
    checks and errors."""
    blank = num_classes - 1
    out = []
    for b, label in enumerate(labels):
        if not label:
            raise _invalid(f"Labels length is zero in batch {b}")
        target, finished = [], False
        for i, v in enumerate(label):
            if i == 0 or not collapse or v != label[i - 1]:
                if v >= num_classes - 1:
                    finished = True
                elif finished:
                    raise _invalid(
                        "Saw a non-null label (index >= num_classes - 1) following a null "
                        f"label, batch: {b} num_classes: {num_classes} labels: "
                        f"{','.join(map(str, label))} labels seen so far: "
                        f"{','.join(map(str, target))}"
                    )
                else:
                    target.append(v)
        if any(v < 0 for v in target):
            raise _invalid(
                f"All labels must be nonnegative integers, batch: {b} labels: "
                f"{','.join(map(str, target))}"
            )
        if not ignore_longer and len(label) > seq_len[b]:
            raise _invalid(
                f"Not enough time for target transition sequence (required: {len(label)}, "
                f"available: {seq_len[b]}){b}You can turn this error into a warning by using "
                "the flag ignore_longer_outputs_than_inputs"
            )
        lp = [blank] * (2 * len(target) + 1)
        lp[1::2] = target
        out.append(lp)
    return out


def _softmax_time_major(inputs):
    shifted = inputs - inputs.max(axis=2, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=2, keepdims=True)


def _transitions(lp, lengths, blank, merge):
    """Masks over padded l' [B, U]: may stay on u, may skip from u - 2 to u."""
    u_max = lp.shape[1]
    valid = np.arange(u_max)[None, :] < lengths[:, None]
    stay = valid & ((lp == blank) | merge)
    prev2 = np.full_like(lp, -1)
    prev2[:, 2:] = lp[:, :-2]
    skip = valid & (lp != blank) & ~(merge & (lp == prev2))
    skip[:, :2] = False
    return valid, stay, skip


def _forward(log_y, valid, stay, skip, seq_len):
    """log alpha [T, B, U] (TF's CalculateForwardVariables, windowed by each length)."""
    t_max, batch, u_max = log_y.shape
    dtype = log_y.dtype
    alpha = np.full((t_max, batch, u_max), _NEG_INF, dtype)
    if t_max == 0:
        return alpha
    first = np.full((batch, u_max), _NEG_INF, dtype)
    first[:, :2] = log_y[0, :, :2]
    alpha[0] = np.where(valid, first, _NEG_INF)
    ninf = np.array(_NEG_INF, dtype)
    for t in range(1, t_max):
        prev = alpha[t - 1]
        s = np.where(stay, prev, ninf)
        s[:, 1:] = np.logaddexp(s[:, 1:], prev[:, :-1])
        s[:, 2:] = np.logaddexp(s[:, 2:], np.where(skip[:, 2:], prev[:, :-2], ninf))
        alpha[t] = np.where(valid, s + log_y[t], ninf)
    return alpha


def _backward(log_y, valid, stay, skip, seq_len, lengths):
    """log beta [T, B, U] (TF's CalculateBackwardVariables): 0 on the last two states of
    l' at each sequence's last step, -inf past it."""
    t_max, batch, u_max = log_y.shape
    dtype = log_y.dtype
    ninf = np.array(_NEG_INF, dtype)
    beta = np.full((t_max, batch, u_max), _NEG_INF, dtype)
    u = np.arange(u_max)[None, :]
    last = valid & (u >= lengths[:, None] - 2)
    for t in range(t_max - 1, -1, -1):
        init = np.where(last, np.array(0, dtype), ninf)
        if t + 1 < t_max:
            nxt = beta[t + 1] + log_y[t + 1]
            s = np.where(stay, nxt, ninf)
            s[:, :-1] = np.logaddexp(s[:, :-1], nxt[:, 1:])
            s[:, :-2] = np.logaddexp(s[:, :-2], np.where(skip[:, 2:], nxt[:, 2:], ninf))
            s = np.where(valid, s, ninf)
        else:
            s = init
        at_end = (seq_len == t + 1)[:, None]
        beyond = (seq_len <= t)[:, None]
        beta[t] = np.where(at_end, init, np.where(beyond, ninf, s))
    return beta


def _window(seq_len, lengths, t_max, u_max):
    """TF's window of reachable states: u < 2(t + 1) and u >= U - 2(T_b - t)."""
    t = np.arange(t_max)[:, None, None]
    u = np.arange(u_max)[None, None, :]
    return (u < 2 * (t + 1)) & (u >= lengths[None, :, None] - 2 * (seq_len[None, :, None] - t))


def _ctc_core(inputs, l_primes, seq_len, active, merge):
    """Loss [B] and gradient [T, B, C] for the batch entries in `active`."""
    t_max, batch, num_classes = inputs.shape
    dtype = inputs.dtype
    blank = num_classes - 1
    lengths = np.array([len(lp) for lp in l_primes], np.int64)
    u_max = int(lengths.max())
    lp = np.full((batch, u_max), blank, np.int64)
    for b, seq in enumerate(l_primes):
        lp[b, : len(seq)] = seq
    y = _softmax_time_major(inputs)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_y = np.log(y)
        log_y_l = np.take_along_axis(log_y, np.broadcast_to(lp[None], (t_max, batch, u_max)), 2)
        valid, stay, skip = _transitions(lp, lengths, blank, merge)
        window = _window(seq_len, lengths, t_max, u_max)
        alpha = _forward(log_y_l, valid, stay, skip, seq_len)
        alpha = np.where(window, alpha, _NEG_INF).astype(dtype, copy=False)
        beta = _backward(log_y_l, valid, stay, skip, seq_len, lengths)
        beta = np.where(window, beta, _NEG_INF).astype(dtype, copy=False)
        ab = alpha + beta
        log_p = np.logaddexp.reduce(ab[0], axis=1) if t_max else np.zeros(batch, dtype)
        post = np.exp(ab - log_p[None, :, None])
    onehot = (lp[:, :, None] == np.arange(num_classes)[None, None, :]).astype(dtype)
    neg = np.einsum("tbu,buc->tbc", np.nan_to_num(post, nan=0.0), onehot)
    grad = (y - neg).astype(dtype, copy=False)
    no_path = np.isneginf(log_p)
    grad[:, no_path] = y[:, no_path]
    in_seq = np.arange(t_max)[:, None] < seq_len[None, :]
    grad = np.where((in_seq & active[None, :])[:, :, None], grad, 0).astype(dtype, copy=False)
    loss = np.where(active, -log_p, 0).astype(dtype, copy=False)
    return loss, grad


def _ctc_loss_kernel(op, ctx):
    collapse = bool(op._attrs.get("preprocess_collapse_repeated", False))
    merge = bool(op._attrs.get("ctc_merge_repeated", True))
    ignore_longer = bool(op._attrs.get("ignore_longer_outputs_than_inputs", False))

    def kernel(inputs, indices, values, seq_len):
        inputs, indices = np.asarray(inputs), np.asarray(indices)
        values, seq_len = np.asarray(values), np.asarray(seq_len)
        _check_ctc_inputs(inputs, indices, values, seq_len)
        _, batch, num_classes = inputs.shape
        for b in range(batch):
            if seq_len[b] < 0:
                raise _invalid(f"seq_len({b}) < 0")
        labels = _label_sequences(indices, values, batch)
        l_primes = _l_primes(labels, seq_len, num_classes, collapse, ignore_longer)
        sizes = np.array([len(label) for label in labels])
        active = seq_len > 0
        if ignore_longer:
            active &= sizes <= seq_len
        return _ctc_core(inputs, l_primes, seq_len.astype(np.int64), active, merge)

    return kernel


def _ctc_loss_grad(op, grad_loss, _):
    grad = array_ops.prevent_gradient(
        op._outputs[1],
        message="Currently there is no way to take the second  derivative of ctc_loss due "
        "to the fused implementation's interaction  with tf.gradients()",
    )
    return [array_ops.expand_dims(grad_loss, -1) * grad, None, None, None]


register_op(
    "CTCLoss",
    inputs=["inputs: T", "labels_indices: int64", "labels_values: int32", "sequence_length: int32"],
    outputs=["loss: T", "gradient: T"],
    attrs=[
        "preprocess_collapse_repeated: bool = false",
        "ctc_merge_repeated: bool = true",
        "ignore_longer_outputs_than_inputs: bool = false",
        "T: {float, double} = float",
    ],
    shape=_ctc_loss_shape,
    make_kernel=_ctc_loss_kernel,
    grad=_ctc_loss_grad,
)


def ctc_loss(
    labels,
    inputs=None,
    sequence_length=None,
    preprocess_collapse_repeated=False,
    ctc_merge_repeated=True,
    ignore_longer_outputs_than_inputs=False,
    time_major=True,
    logits=None,
):
    """The CTC loss (negative log-probability of each label sequence), as TF1's
    `tf.nn.ctc_loss` builds it: one CTCLoss op over time-major logits."""
    if not isinstance(labels, SparseTensor):
        raise TypeError(
            "Expected argument `labels` to be a SparseTensor. "
            f"Received labels={labels} of type: {type(labels).__name__}"
        )
    if logits is not None:
        if inputs is not None:
            raise ValueError("Cannot specify both 'logits' and 'inputs'.")
        inputs = logits
    inputs = convert_to_tensor(inputs, name="logits")
    if not time_major:
        inputs = array_ops.transpose(inputs, [1, 0, 2])
    orig_dtype = inputs.dtype._base
    if orig_dtype in (dtypes.float16, dtypes.bfloat16):
        inputs = math_ops.cast(inputs, dtypes.float32)
    attrs = {
        "preprocess_collapse_repeated": bool(preprocess_collapse_repeated),
        "ctc_merge_repeated": bool(ctc_merge_repeated),
        "ignore_longer_outputs_than_inputs": bool(ignore_longer_outputs_than_inputs),
    }
    op = apply_op("CTCLoss", None, [inputs, labels.indices, labels.values, sequence_length], attrs)
    loss = op._outputs[0]
    if orig_dtype in (dtypes.float16, dtypes.bfloat16):
        loss = math_ops.cast(loss, orig_dtype)
    return loss

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
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, common_shapes, math_ops, sparse_ops
from tfgraph.ops.apply import apply_op

__all__ = [
    "collapse_repeated",
    "ctc_beam_search_decoder",
    "ctc_beam_search_decoder_v2",
    "ctc_greedy_decoder",
    "ctc_loss",
    "ctc_loss_v2",
]

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


# -- decoders -----------------------------------------------------------------------------
def _decoder_shape(op):
    inputs, seq_len = op._inputs[0]._shape, op._inputs[1]._shape
    for t, rank in ((inputs, 3), (seq_len, 1)):
        if t._dims is not None and len(t._dims) != rank:
            raise common_shapes.shape_error(
                op, f"Shape must be rank {rank} but is rank {len(t._dims)}"
            )
    batch = (inputs._dims or (None, None, None))[1]
    if seq_len._dims is not None:
        other = seq_len._dims[0]
        if batch is not None and other is not None and batch != other:
            raise common_shapes.shape_error(
                op, f"Dimensions must be equal, but are {batch} and {other}"
            )
        if batch is None:
            batch = other
    n = int(op._attrs.get("top_paths", 1))
    return (
        [TensorShape._from_tuple((None, 2))] * n
        + [TensorShape._from_tuple((None,))] * n
        + [TensorShape._from_tuple((2,))] * n
        + [TensorShape._from_tuple((batch, n))]
    )


def _check_decoder_inputs(inputs, seq_len):
    """TF's CTCDecodeHelper::ValidateInputsGenerateOutputs."""
    if inputs.ndim != 3:
        raise _invalid("inputs is not a 3-Tensor")
    if inputs.size == 0:
        raise _invalid("inputs must not be empty")
    max_time, batch, _ = inputs.shape
    if seq_len.ndim != 1:
        raise _invalid("sequence_length is not a vector")
    if batch != seq_len.shape[0]:
        raise errors.FailedPreconditionError(
            None,
            None,
            f"len(sequence_length) != batch_size.  len(sequence_length):  {seq_len.shape[0]}"
            f" batch_size: {batch}",
        )
    for b in range(batch):
        if not seq_len[b] <= max_time:
            raise errors.FailedPreconditionError(None, None, f"sequence_length({b}) <= {max_time}")


def _store_sequences(sequences, batch, top_paths):
    """TF's StoreAllDecodedSequences: per path, (indices, values, dense_shape)."""
    out_i, out_v, out_s = [], [], []
    for p in range(top_paths):
        seqs = [sequences[b][p] for b in range(batch)]
        lens = [len(s) for s in seqs]
        rows = np.repeat(np.arange(batch, dtype=np.int64), lens)
        cols = np.concatenate([np.arange(n, dtype=np.int64) for n in lens]) if batch else rows
        out_i.append(np.stack([rows, cols], axis=1).reshape(-1, 2))
        out_v.append(np.asarray([v for s in seqs for v in s], np.int64))
        out_s.append(np.array([batch, max(lens, default=0)], np.int64))
    return out_i, out_v, out_s


def _greedy_kernel(op, ctx):
    merge = bool(op._attrs.get("merge_repeated", False))
    blank_attr = int(op._attrs.get("blank_index", -1))

    def kernel(inputs, seq_len):
        inputs, seq_len = np.asarray(inputs), np.asarray(seq_len)
        _check_decoder_inputs(inputs, seq_len)
        max_time, batch, num_classes = inputs.shape
        blank = num_classes + blank_attr if blank_attr < 0 else blank_attr
        if not 0 <= blank < num_classes:
            raise _invalid(
                f"blank_index expected to be between {-num_classes} and {num_classes - 1} "
                f"but was {blank_attr}"
            )
        best = inputs.argmax(axis=2)  # [T, B] (the first maximum, as TF's RowMax)
        top = np.take_along_axis(inputs, best[:, :, None], 2)[:, :, 0]
        valid = np.arange(max_time)[:, None] < seq_len[None, :]
        log_prob = -np.where(valid, top, 0).sum(axis=0, dtype=inputs.dtype)
        prev = np.full_like(best, -1)
        prev[1:] = best[:-1]
        keep = valid & (best != blank)
        if merge:
            keep &= best != prev
        sequences = [[best[keep[:, b], b].tolist()] for b in range(batch)]
        out_i, out_v, out_s = _store_sequences(sequences, batch, 1)
        log_prob = log_prob.reshape(batch, 1).astype(inputs.dtype, copy=False)
        return out_i[0], out_v[0], out_s[0], log_prob

    return kernel


register_op(
    "CTCGreedyDecoder",
    inputs=["inputs: T", "sequence_length: int32"],
    outputs=[
        "decoded_indices: int64",
        "decoded_values: int64",
        "decoded_shape: int64",
        "log_probability: T",
    ],
    attrs=["merge_repeated: bool = false", "blank_index: int = -1", "T: {float, double} = float"],
    shape=_decoder_shape,
    make_kernel=_greedy_kernel,
    grad=NOT_DIFFERENTIABLE,
)


class _Beam:
    """A beam entry of TF's CTC beam search tree (ctc_beam_entry.h): probabilities in
    float32 log space, [total, blank, label] now (new) and at the previous step (old)."""

    __slots__ = ("children", "label", "new", "old", "parent")

    def __init__(self, parent, label):
        self.parent, self.label, self.children = parent, label, {}
        self.new = [_NEG_INF, _NEG_INF, _NEG_INF]
        self.old = [_NEG_INF, _NEG_INF, _NEG_INF]

    def active(self):
        return self.new[0] != _NEG_INF

    def child(self, label):
        c = self.children.get(label)
        if c is None:
            c = self.children[label] = _Beam(self, label)
        return c

    def label_seq(self, merge):
        labels, prev, c = [], -1, self
        while c.parent is not None:
            if not merge or c.label != prev:
                labels.append(c.label)
            prev, c = c.label, c.parent
        return labels[::-1]


def _lse(a, b, dt):
    if a == _NEG_INF:
        return b
    if b == _NEG_INF:
        return a
    return float(np.logaddexp(dt(a), dt(b)))


class _Leaves:
    """gtl::TopN of beam entries by their new total probability (its bottom cached until
    the leaves or an entry's probability change)."""

    def __init__(self, width):
        self.width, self.items, self._bottom = width, [], None

    def push(self, e):
        self._bottom = None
        if len(self.items) < self.width:
            self.items.append(e)
            return
        worst = self.bottom()
        self._bottom = None
        if e.new[0] > worst.new[0]:
            self.items[self.items.index(worst)] = e

    def bottom(self):
        if self._bottom is None:
            self._bottom = min(self.items, key=lambda e: e.new[0])
        return self._bottom

    def extract(self):
        items, self.items = sorted(self.items, key=lambda e: -e.new[0]), []
        self._bottom = None
        return items


def _beam_step(leaves, row, blank):
    """One step of TF's CTCBeamSearchDecoder::Step with the default scorer: the inputs
    normalised to log-probabilities (offset max + log(sum(exp(x - max)))), in the inputs'
    precision."""
    dt = row.dtype.type
    max_coeff = row.max()
    logp = (row - (max_coeff + np.log(np.exp(row - max_coeff).sum()))).tolist()
    branches = leaves.extract()
    for b in branches:
        b.old = list(b.new)
    for b in branches:
        if b.parent is not None:
            if b.parent.active():
                prev = b.parent.old[1] if b.label == b.parent.label else b.parent.old[0]
                b.new[2] = _lse(b.new[2], prev, dt)
            b.new[2] = float(dt(b.new[2] + logp[b.label]))
        b.new[1] = float(dt(b.old[0] + logp[blank]))
        b.new[0] = _lse(b.new[1], b.new[2], dt)
        leaves.push(b)

    def candidate(total):
        return total > _NEG_INF and (
            len(leaves.items) < leaves.width or total > leaves.bottom().new[0]
        )

    for b in branches:
        if not candidate(b.old[0]):
            continue
        children, old_total, old_blank = b.children, b.old[0], b.old[1]
        for label in range(blank):
            c = children.get(label)
            if c is not None and c.new[0] != _NEG_INF:
                continue  # (active: already updated as a branch)
            total = float(dt(logp[label] + (old_blank if label == b.label else old_total)))
            if c is not None and c is leaves._bottom:
                leaves._bottom = None
            if candidate(total):
                if c is None:  # (TF makes every child; one never a candidate stays unset)
                    c = children[label] = _Beam(b, label)
                c.new = [total, _NEG_INF, total]
                if len(leaves.items) == leaves.width:
                    leaves.bottom().new = [_NEG_INF, _NEG_INF, _NEG_INF]
                leaves.push(c)
            elif c is not None:
                c.old = [_NEG_INF, _NEG_INF, _NEG_INF]
                c.new = [_NEG_INF, _NEG_INF, _NEG_INF]


def _beam_search_kernel(op, ctx):
    width = int(op._attrs["beam_width"])
    top_paths = int(op._attrs["top_paths"])
    merge = bool(op._attrs.get("merge_repeated", True))

    def kernel(inputs, seq_len):
        inputs, seq_len = np.asarray(inputs), np.asarray(seq_len)
        _check_decoder_inputs(inputs, seq_len)
        _, batch, num_classes = inputs.shape
        log_prob = np.zeros((batch, top_paths), inputs.dtype)
        sequences = []
        for b in range(batch):
            root = _Beam(None, -1)
            root.new = [0.0, 0.0, _NEG_INF]
            leaves = _Leaves(width)
            leaves.push(root)
            for t in range(int(seq_len[b])):
                _beam_step(leaves, inputs[t, b], num_classes - 1)
            if top_paths > width:
                raise _invalid("requested more paths than the beam width.")
            if top_paths > len(leaves.items):
                raise _invalid("Less leaves in the beam search than requested.")
            best = sorted(leaves.items, key=lambda e: -e.new[0])[:top_paths]
            sequences.append([e.label_seq(merge) for e in best])
            log_prob[b] = [e.new[0] for e in best]
        out_i, out_v, out_s = _store_sequences(sequences, batch, top_paths)
        return (*out_i, *out_v, *out_s, log_prob)

    return kernel


register_op(
    "CTCBeamSearchDecoder",
    inputs=["inputs: T", "sequence_length: int32"],
    outputs=[
        "decoded_indices: top_paths * int64",
        "decoded_values: top_paths * int64",
        "decoded_shape: top_paths * int64",
        "log_probability: T",
    ],
    attrs=[
        "beam_width: int >= 1",
        "top_paths: int >= 1",
        "merge_repeated: bool = true",
        "T: {float, double} = float",
    ],
    shape=_decoder_shape,
    make_kernel=_beam_search_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, blank_index=None):
    """Greedy (best path) decoding, as TF's `tf.nn.ctc_greedy_decoder`: ([decoded
    SparseTensor], neg_sum_logits [batch, 1])."""
    attrs = {"merge_repeated": bool(merge_repeated)}
    attrs["blank_index"] = -1 if blank_index is None else int(blank_index)
    outs = apply_op("CTCGreedyDecoder", None, [inputs, sequence_length], attrs)._outputs
    return [SparseTensor(outs[0], outs[1], outs[2])], outs[3]


def ctc_beam_search_decoder(
    inputs, sequence_length, beam_width=100, top_paths=1, merge_repeated=True
):
    """Beam search decoding, as TF1's `tf.nn.ctc_beam_search_decoder`: ([top_paths
    decoded SparseTensors], log_probabilities [batch, top_paths])."""
    attrs = {
        "beam_width": int(beam_width),
        "top_paths": int(top_paths),
        "merge_repeated": bool(merge_repeated),
    }
    outs = apply_op("CTCBeamSearchDecoder", None, [inputs, sequence_length], attrs)._outputs
    n = int(top_paths)
    return [SparseTensor(outs[i], outs[n + i], outs[2 * n + i]) for i in range(n)], outs[3 * n]


def ctc_beam_search_decoder_v2(inputs, sequence_length, beam_width=100, top_paths=1):
    """TF's `tf.nn.ctc_beam_search_decoder_v2`: the v1 decoder with merge_repeated=False."""
    return ctc_beam_search_decoder(
        inputs,
        sequence_length=sequence_length,
        beam_width=beam_width,
        top_paths=top_paths,
        merge_repeated=False,
    )


# -- label helpers ------------------------------------------------------------------------
def _get_dim(tensor, i):
    """tensor's dimension i: its static value when known, else from its shape."""
    dims = tensor._shape._dims
    if dims is not None and dims[i] is not None:
        return dims[i]
    return array_ops.shape(tensor)[i]


def collapse_repeated(labels, seq_length, name=None):
    """Merges repeated labels into one, as TF's `tf.nn.collapse_repeated`:
    (collapsed labels padded with 0 [batch, new max length], new lengths)."""
    g = get_default_graph()
    with g.name_scope(name or "collapse_repeated_labels"):
        labels = convert_to_tensor(labels, name="labels")
        seq_length = convert_to_tensor(seq_length, name="seq_length")
        label_mask = array_ops.concat(
            [
                array_ops.ones_like(labels[:, :1], dtypes.bool),
                math_ops.not_equal(labels[:, 1:], labels[:, :-1]),
            ],
            axis=1,
        )
        maxlen = _get_dim(labels, 1)
        seq_mask = array_ops.sequence_mask(seq_length, maxlen=maxlen)
        label_mask = math_ops.logical_and(label_mask, seq_mask)
        new_seq_len = math_ops.reduce_sum(array_ops.cast(label_mask, dtypes.int32), axis=1)
        new_maxlen = math_ops.reduce_max(new_seq_len)
        idx_mask = array_ops.sequence_mask(new_seq_len, maxlen=new_maxlen)
        flat_labels = array_ops.reshape(labels, [-1])
        flat_label_mask = array_ops.reshape(label_mask, [-1])
        flat_idx_mask = array_ops.reshape(idx_mask, [-1])
        idx = math_ops.range(_get_dim(flat_idx_mask, 0))
        flat = array_ops.scatter_nd(
            indices=array_ops.expand_dims(array_ops.boolean_mask(idx, flat_idx_mask), axis=1),
            updates=array_ops.boolean_mask(flat_labels, flat_label_mask),
            shape=array_ops.shape(flat_idx_mask),
        )
        batch_size = _get_dim(labels, 0)
        new_shape = [batch_size, new_maxlen]
        return (
            array_ops.reshape(flat, new_shape),
            array_ops.cast(new_seq_len, seq_length.dtype),
        )


def _dense_labels_to_sparse(dense, length):
    """TF's dense_labels_to_sparse: the first length[b] labels of each row, as an int32
    SparseTensor [batch, max(length)]."""
    flat_values = array_ops.reshape(dense, [-1])
    flat_indices = math_ops.range(array_ops.shape(flat_values, out_type=dtypes.int64)[0])
    mask = array_ops.sequence_mask(length, maxlen=array_ops.shape(dense)[1])
    flat_mask = array_ops.reshape(mask, [-1])
    indices = array_ops.expand_dims(array_ops.boolean_mask(flat_indices, flat_mask), 1)
    values = array_ops.boolean_mask(flat_values, flat_mask)
    sparse = SparseTensor(
        indices=indices,
        values=array_ops.cast(values, dtypes.int32),
        dense_shape=array_ops.shape(flat_values, out_type=dtypes.int64),
    )
    reshaped = sparse_ops.sparse_reshape(sparse, array_ops.shape(dense))
    max_length = math_ops.reduce_max(length)
    return SparseTensor(
        indices=reshaped.indices,
        values=reshaped.values,
        dense_shape=[
            array_ops.cast(reshaped.dense_shape[0], dtypes.int64),
            array_ops.cast(max_length, dtypes.int64),
        ],
    )


def _ctc_loss_v2_sparse(labels, logits, logit_length, logits_time_major, blank_index):
    if blank_index < 0:
        blank_index += _get_dim(logits, 2)
    if blank_index != _get_dim(logits, 2) - 1:
        logits = array_ops.concat(
            [
                logits[:, :, :blank_index],
                logits[:, :, blank_index + 1 :],
                logits[:, :, blank_index : blank_index + 1],
            ],
            axis=2,
        )
        labels = SparseTensor(
            labels.indices,
            array_ops.where(labels.values < blank_index, labels.values, labels.values - 1),
            labels.dense_shape,
        )
    return ctc_loss(
        labels=labels, inputs=logits, sequence_length=logit_length, time_major=logits_time_major
    )


def ctc_loss_v2(
    labels,
    logits,
    label_length,
    logit_length,
    logits_time_major=True,
    unique=None,
    blank_index=None,
    name=None,
):
    """TF1's `tf.nn.ctc_loss_v2`. Sparse labels: as TF builds it (the blank rotated to
    the last class, then CTCLoss). Dense labels: TF computes them with its own log-space
    forward-backward graph (ctc_loss_dense); here they are made sparse (as TF's
    dense_labels_to_sparse does) and go through CTCLoss, whose values and gradients are
    the same, except that labels longer than their logits raise (TF: a huge finite loss,
    ~709) and empty labels raise (TF: the all-blank path's loss). `unique` only speeds TF up
    and is not needed here."""
    if isinstance(labels, SparseTensor):
        if blank_index is None:
            raise ValueError(
                "Argument `blank_index` must be provided when labels is a SparseTensor."
            )
        return _ctc_loss_v2_sparse(labels, logits, logit_length, logits_time_major, blank_index)
    if blank_index is None:
        blank_index = 0
    g = get_default_graph()
    with g.name_scope(name or "ctc_loss_dense"):
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        label_length = convert_to_tensor(label_length, name="label_length")
        logit_length = convert_to_tensor(logit_length, name="logit_length")
        sparse = _dense_labels_to_sparse(labels, label_length)
        return _ctc_loss_v2_sparse(sparse, logits, logit_length, logits_time_major, blank_index)

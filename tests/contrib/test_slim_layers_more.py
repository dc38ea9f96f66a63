"""The further slim / contrib.layers layers (tfgraph/legacy_contrib/layers_more.py):
1-D / 3-D / transposed / separable / in-plane convolutions, 3-D and N-D pooling,
instance and group norm, the small layers, summaries and variable helpers, against
tf-slim on TF 2.21 (one TF subprocess runs every case of slim_more_program.txt)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

slim = tf.contrib.slim
layers = tf.contrib.layers
PROGRAM = (Path(__file__).parent / "slim_more_program.txt").read_text()
# tf-slim 1.1 on TF 2.21 (oracle-side shims only): `ops.Tensor` moved, and
# `variable_scope.variable` (which slim.local_variable calls) is now VariableV1, and
# GDN's lower bound lost the gradient registration TF 1.15's contrib.layers made.
_TF_SLIM = """
from tensorflow.python.framework import ops as _ops, tensor as _tensor
_ops.Tensor = _tensor.Tensor
from tensorflow.python.ops import variable_scope as _vs, variable_v1 as _variable_v1
_vs.variable = _variable_v1.VariableV1
import tf_slim as slim
from tf_slim.layers import layers as _slim_layers
try:
    tf.RegisterGradient("GDNLowerBound")(_slim_layers.GDN._lower_bound_grad)
except KeyError:
    pass
"""
# Where tfgraph's tf.layers build the same values with fewer ops than TF's Keras copy
# (a dilated separable convolution: TF adds a SpaceToBatchND / BatchToSpaceND pair; a
# channels-first transposed convolution: TF adds shape slices, transposes and an
# initialization check): there, tfgraph's ops must be a subset of TF's.
_FEWER_OPS = {
    "conv2d_transpose_valid_nchw": {"StridedSlice", "Const", "Pack", "Transpose", "NoOp",
                                    "IsVariableInitialized"},
    "separable_rate": {"SpaceToBatchND", "BatchToSpaceND", "Const"},
    "separable_rate_nchw": {"SpaceToBatchND", "BatchToSpaceND", "Const"},
}  # fmt: skip


def _run_program() -> dict:
    ns = {"tf": tf, "np": np, "json": json, "slim": slim}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(PROGRAM, ns)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.fixture(scope="module")
def both():
    return _run_program(), run_tf_json(_TF_SLIM + PROGRAM)


_LAYER_CASES = [
    "conv1d",
    "conv1d_valid_stride",
    "conv3d",
    "conv3d_valid_collections",
    "conv2d_generic_rank5",
    "conv2d_transpose",
    "conv2d_transpose_valid_nchw",
    "conv2d_transpose_bn_untrainable",
    "conv3d_transpose",
    "conv3d_transpose_valid_ncdhw",
    "conv3d_transpose_valid",
    "conv2d_in_plane",
    "conv2d_in_plane_stride_bn",
    "separable_rate",
    "separable",
    "separable_rate_nchw",
    "separable_depthwise_only",
    "separable_depthwise_only_nchw_bn",
    "reuse_and_arg_scope",
    "max_pool3d",
    "avg_pool3d_same_ncdhw",
    "avg_pool3d_same",
    "pool_max_2d",
    "pool_avg_1d_same",
    "pool_dilated",
    "instance_norm",
    "instance_norm_nchw_relu",
    "instance_norm_rank3",
    "group_norm",
    "group_norm_nchw",
    "group_norm_untrainable",
    "elu_relu6",
    "unit_norm",
    "unit_norm_last",
    "maxout",
    "maxout_axis",
    "scale_gradient",
    "spatial_softmax",
    "spatial_softmax_nchw",
    "images_to_sequence",
    "images_to_sequence_nchw",
    "sequence_to_images",
    "sequence_to_images_nchw",
    "legacy_fully_connected",
    "legacy_relu",
    "legacy_linear_nobias",
    "gdn",
    "gdn_inverse_rank3",
    "gdn_rank5",
    "gdn_channels_first",
]


@pytest.mark.tf
@requires_tf
def test_layers_are_tf_slims_op_for_op_with_its_values_and_gradients(both):
    """Each case: op names and types, model / trainable / global variables and their
    shapes, custom collections, the output's shape, and the output and the gradients
    of a weighted sum with respect to the inputs and every variable (TF's CPU kernels
    run no channels-first convolution: those cases compare graphs only; the NCHW
    values are checked against the NHWC layers in the next test)."""
    ours, theirs = both
    assert sorted(ours) == sorted(theirs)
    assert sorted(_LAYER_CASES) == sorted(
        k
        for k in theirs
        if k not in ("dense_to_sparse", "summaries", "variables", "errors", "evaluation")
    )
    for case in _LAYER_CASES:
        a, b = ours[case], theirs[case]
        for key in ("model", "trainable", "globals", "extra", "shape", "grads_none"):
            assert a[key] == b[key], (case, key)
        if case in _FEWER_OPS:
            extra = {tuple(n) for n in b["nodes"]} - {tuple(n) for n in a["nodes"]}
            assert {tuple(n) for n in a["nodes"]} <= {tuple(n) for n in b["nodes"]}, case
            assert extra and {t for _, t in extra} <= _FEWER_OPS[case], (case, extra)
        else:
            assert a["nodes"] == b["nodes"], case
        assert len(a["values"]) == len(b["values"]), case
        for i, (x, y) in enumerate(zip(a["values"], b["values"], strict=True)):
            np.testing.assert_allclose(x, y, atol=3e-5, rtol=1e-5, err_msg=f"{case}[{i}]")
    ran = [c for c in _LAYER_CASES if theirs[c]["values"]]
    assert len(ran) == len(_LAYER_CASES) - 6


@pytest.mark.tf
@requires_tf
def test_dense_to_sparse_bucketize_summaries_and_variable_helpers(both):
    """dense_to_sparse and bucketize (ops and values); every summarize_* function's
    summaries (op names, types, tags, the relu zero / relu6 six fractions); the variable
    helpers (collections, values, VariableDeviceChooser's devices, global steps)."""
    ours, theirs = both
    assert ours["dense_to_sparse"] == theirs["dense_to_sparse"]
    assert ours["summaries"] == theirs["summaries"]
    assert ours["variables"] == theirs["variables"]
    assert len(theirs["summaries"]["tags"]) == 14 and theirs["summaries"]["made"][5] is None


@pytest.mark.tf
@requires_tf
def test_evaluation_and_queues_are_tf_slims(both):
    """slim.evaluation: evaluate_once (dict / list / single eval ops, final ops, summary
    at the end, variables_to_restore), evaluation_loop (one checkpoint; timing out),
    wait_for_new_checkpoint, checkpoints_iterator; slim.queues.QueueRunners (running,
    not nested); slim.metrics' streaming_mean: results, local variables, events."""
    ours, theirs = both
    assert ours["evaluation"] == theirs["evaluation"]
    assert theirs["evaluation"]["once"]["step"] == 7.0 and theirs["evaluation"]["events"]


@pytest.mark.tf
@requires_tf
def test_errors_are_tf_slims(both):
    """Bad arguments: the same error class and message as tf-slim, case by case."""
    ours, theirs = both
    assert all(v is not None for v in theirs["errors"].values())
    assert ours["errors"] == theirs["errors"]


def _same_weights(sess, src_scope, dst_scope):
    for v in tf.global_variables(dst_scope):
        twin = tf.global_variables(src_scope + v.op.name[len(dst_scope) :])
        assert len(twin) == 1, v.op.name
        v.load(sess.run(twin[0]), sess)


@pytest.mark.parametrize(
    "build, rank",
    [
        (lambda x, fmt, s: slim.conv2d_transpose(x, 3, [2, 3], stride=2, data_format=fmt,
                                                 scope=s), 4),
        (lambda x, fmt, s: slim.conv2d_transpose(x, 2, 3, padding="VALID", data_format=fmt,
                                                 activation_fn=None, scope=s), 4),
        (lambda x, fmt, s: slim.separable_conv2d(x, 4, 3, depth_multiplier=2, rate=2,
                                                 data_format=fmt, scope=s), 4),
        (lambda x, fmt, s: slim.separable_conv2d(x, None, [3, 2], stride=2,
                                                 data_format=fmt, scope=s), 4),
        (lambda x, fmt, s: slim.conv3d_transpose(x, 2, 2, stride=[1, 2, 1],
                                                 data_format=fmt, scope=s), 5),
        (lambda x, fmt, s: slim.avg_pool3d(x, 2, stride=1, padding="SAME",
                                           data_format=fmt, scope=s), 5),
        (lambda x, fmt, s: slim.conv3d(x, 2, 2, data_format=fmt, scope=s), 5),
    ],
)  # fmt: skip
def test_channels_first_layers_equal_their_channels_last_twins(build, rank):
    """(TF's CPU kernels cannot run these: tfgraph's NCHW / NCDHW results must be its
    NHWC / NDHWC results transposed, with the same weights, gradients included.)"""
    value = np.random.RandomState(3).standard_normal((2, 4, 5, 3) if rank == 4 else (1, 3, 4, 3, 2))
    to_first = (0, 3, 1, 2) if rank == 4 else (0, 4, 1, 2, 3)
    to_last = tuple(int(i) for i in np.argsort(to_first))
    last, first = ("NHWC", "NCHW") if rank == 4 else ("NDHWC", "NCDHW")
    x_last = tf.constant(value.astype(np.float32))
    x_first = tf.constant(value.transpose(to_first).astype(np.float32))
    y_last = build(x_last, last, "last")
    y_first = build(x_first, first, "first")
    g_last = tf.gradients(tf.reduce_sum(y_last * y_last), x_last)[0]
    g_first = tf.gradients(tf.reduce_sum(y_first * y_first), x_first)[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i, v in enumerate(tf.global_variables("last")):
            v.load(np.random.RandomState(i).standard_normal(v.shape.as_list()), sess)
        _same_weights(sess, "last", "first")
        a, b, ga, gb = sess.run([y_last, y_first, g_last, g_first])
    np.testing.assert_allclose(b.transpose(to_last), a, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gb.transpose(to_last), ga, rtol=1e-5, atol=1e-4)


def test_legacy_fully_connected_flattens_higher_ranks():
    x = tf.constant(np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 10)
    y = slim.legacy_relu(x, 5, weight_init=tf.constant_initializer(0.1),
                         bias_init=tf.constant_initializer(-1.0))  # fmt: skip
    assert y.shape.as_list() == [2, 3, 5]
    assert tf.get_collection(tf.GraphKeys.ACTIVATIONS) == [y]
    assert [v.op.name for v in tf.get_collection(tf.GraphKeys.WEIGHTS)] == [
        "fully_connected/weights"
    ]
    assert [v.op.name for v in tf.get_collection(tf.GraphKeys.BIASES)] == ["fully_connected/bias"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(y)
    expected = np.maximum(np.arange(24).reshape(2, 3, 4).sum(-1, keepdims=True) / 100 - 1.0, 0)
    np.testing.assert_allclose(out, np.repeat(expected, 5, -1), rtol=1e-5, atol=1e-6)


def test_embed_sequence_as_tf_1_15_builds_it():
    """contrib.layers.embed_sequence (TF 1.15 contrib/layers/encoders.py): a model
    variable `EmbedSequence/embeddings` [vocab_size, embed_dim], an embedding lookup;
    `reuse` finds it again (sizes optional), `unique` looks each id up once."""
    ids = tf.constant([[1, 2, 1], [0, 3, 3]])
    init = tf.constant_initializer(np.arange(12).reshape(4, 3))
    emb = layers.embed_sequence(ids, vocab_size=4, embed_dim=3, initializer=init)
    again = layers.embed_sequence(ids, scope="EmbedSequence", reuse=True)
    unique = layers.embed_sequence(ids, scope="EmbedSequence", reuse=True, unique=True)
    assert [v.op.name for v in tf.global_variables()] == ["EmbedSequence/embeddings"]
    assert slim.get_model_variables() == tf.global_variables() == tf.trainable_variables()
    assert tf.global_variables()[0].shape.as_list() == [4, 3]
    assert emb.shape.as_list() == [2, 3, 3] and unique.shape.as_list() == [2, 3, 3]
    assert emb.op.type == "Identity" or "embedding_lookup" in emb.op.name
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b, c = sess.run([emb, again, unique])
    table = np.arange(12).reshape(4, 3)
    np.testing.assert_array_equal(a, table[[[1, 2, 1], [0, 3, 3]]])
    np.testing.assert_array_equal(b, a)
    np.testing.assert_array_equal(c, a)
    layers.embed_sequence(ids, vocab_size=5, embed_dim=2, scope="other", trainable=False)
    assert [v.op.name for v in tf.trainable_variables()] == ["EmbedSequence/embeddings"]
    with pytest.raises(ValueError, match="Must specify vocab size and embedding dimension"):
        layers.embed_sequence(ids, vocab_size=4)
    with pytest.raises(ValueError, match="already exists"):
        layers.embed_sequence(ids, vocab_size=4, embed_dim=3, scope="EmbedSequence")


def test_contrib_layers_and_slim_export_the_same_functions():
    names = [
        "avg_pool3d", "bucketize", "conv1d", "conv2d_in_plane", "conv2d_transpose", "conv3d",
        "conv3d_transpose", "convolution1d", "convolution2d_in_plane",
        "convolution2d_transpose", "convolution3d", "convolution3d_transpose",
        "dense_to_sparse", "elu", "group_norm", "images_to_sequence", "instance_norm",
        "legacy_fully_connected", "legacy_linear", "legacy_relu", "max_pool3d", "maxout",
        "pool", "relu6", "scale_gradient", "separable_conv2d", "separable_convolution2d",
        "sequence_to_images", "spatial_softmax", "unit_norm", "summarize_activation",
        "summarize_activations", "summarize_biases", "summarize_collection",
        "summarize_tensor", "summarize_tensors", "summarize_variables", "summarize_weights",
    ]  # fmt: skip
    for name in names:
        assert getattr(layers, name) is getattr(slim, name), name
    assert layers.conv2d_transpose is layers.convolution2d_transpose
    assert layers.separable_conv2d is layers.separable_convolution2d
    assert layers.conv1d is layers.convolution1d and layers.conv3d is layers.convolution3d
    for name in ("local_variable", "global_variable", "VariableDeviceChooser",
                 "assert_or_get_global_step"):  # fmt: skip
        assert callable(getattr(slim, name)), name
    assert callable(layers.embed_sequence) and not hasattr(slim, "embed_sequence")
    # (tf-slim's aliases: slim.losses / slim.metrics are contrib's modules)
    assert slim.losses is tf.contrib.losses and slim.metrics is tf.contrib.metrics
    assert callable(slim.evaluation.evaluate_once) and callable(slim.queues.QueueRunners)
    assert slim.has_arg_scope(slim.conv3d_transpose) and slim.has_arg_scope(slim.group_norm)

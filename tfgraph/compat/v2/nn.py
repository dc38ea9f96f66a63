"""`tf.nn` under TF2 (`tfgraph.compat.v2.nn`, re-exports only):
`tfgraph.nn`, with TF2's functions where their parameters differ from TF1's."""

import tfgraph.nn as _v1
from tfgraph.ops.batch_space_ops import (
    space_to_batch_v2 as space_to_batch,
)
from tfgraph.ops.conv3d_ops import (
    conv3d_transpose_v2 as conv3d_transpose,
)
from tfgraph.ops.conv3d_ops import (
    conv3d_v2 as conv3d,
)
from tfgraph.ops.conv_ops import (
    avg_pool2d_v2 as avg_pool2d,
)
from tfgraph.ops.conv_ops import (
    conv1d_v2 as conv1d,
)
from tfgraph.ops.conv_ops import (
    conv2d_tf2 as conv2d,
)
from tfgraph.ops.conv_ops import (
    conv2d_transpose_v2 as conv2d_transpose,
)
from tfgraph.ops.conv_ops import (
    convolution_v2 as convolution,
)
from tfgraph.ops.conv_ops import (
    depthwise_conv2d_v2 as depthwise_conv2d,
)
from tfgraph.ops.conv_ops import (
    max_pool_with_argmax_v2 as max_pool_with_argmax,
)
from tfgraph.ops.conv_ops import (
    separable_conv2d_v2 as separable_conv2d,
)
from tfgraph.ops.ctc_ops import (
    ctc_beam_search_decoder_v2 as ctc_beam_search_decoder,
)
from tfgraph.ops.ctc_ops import (
    ctc_loss_v2 as ctc_loss,
)
from tfgraph.ops.embedding_ops import (
    embedding_lookup_sparse_v2 as embedding_lookup_sparse,
)
from tfgraph.ops.embedding_ops import (
    safe_embedding_lookup_sparse_v2 as safe_embedding_lookup_sparse,
)
from tfgraph.ops.fractional_pool_ops import (
    fractional_avg_pool_v2 as fractional_avg_pool,
)
from tfgraph.ops.fractional_pool_ops import (
    fractional_max_pool_v2 as fractional_max_pool,
)
from tfgraph.ops.isotonic_ops import isotonic_regression
from tfgraph.ops.manip_ops import (
    depth_to_space_v2 as depth_to_space,
)
from tfgraph.ops.manip_ops import (
    space_to_depth_v2 as space_to_depth,
)
from tfgraph.ops.nn_composite_ops import (
    avg_pool_v2 as avg_pool,
)
from tfgraph.ops.nn_composite_ops import (
    batch_norm_with_global_normalization_v2 as batch_norm_with_global_normalization,
)
from tfgraph.ops.nn_composite_ops import (
    dilation2d_v2 as dilation2d,
)
from tfgraph.ops.nn_composite_ops import (
    erosion2d_v2 as erosion2d,
)
from tfgraph.ops.nn_composite_ops import (
    max_pool_v2 as max_pool,
)
from tfgraph.ops.nn_extra_ops import (
    crelu_v2 as crelu,
)
from tfgraph.ops.nn_extra_ops import (
    gelu,
)
from tfgraph.ops.nn_extra_ops import (
    sufficient_statistics_v2 as sufficient_statistics,
)
from tfgraph.ops.nn_extra_ops import (
    weighted_moments_v2 as weighted_moments,
)
from tfgraph.ops.nn_ops import (
    dropout_v2 as dropout,
)
from tfgraph.ops.nn_ops import (
    embedding_lookup_v2 as embedding_lookup,
)
from tfgraph.ops.nn_ops import (
    in_top_k_v2 as in_top_k,
)
from tfgraph.ops.nn_ops import (
    log_softmax_v2 as log_softmax,
)
from tfgraph.ops.nn_ops import (
    moments_v2 as moments,
)
from tfgraph.ops.nn_ops import (
    softmax_cross_entropy_with_logits_tf2 as softmax_cross_entropy_with_logits,
)
from tfgraph.ops.nn_ops import (
    softmax_v2 as softmax,
)
from tfgraph.ops.nn_ops import (
    sparse_softmax_cross_entropy_with_logits_v2 as sparse_softmax_cross_entropy_with_logits,
)
from tfgraph.ops.nn_ops import (
    weighted_cross_entropy_with_logits_v2 as weighted_cross_entropy_with_logits,
)
from tfgraph.ops.nn_pool_ops import (
    pool_v2 as pool,
)
from tfgraph.ops.sampled_loss_ops import (
    nce_loss_v2 as nce_loss,
)
from tfgraph.ops.sampled_loss_ops import (
    sampled_softmax_loss_v2 as sampled_softmax_loss,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))

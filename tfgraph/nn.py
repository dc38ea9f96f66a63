"""`tf.nn`: neural-network functions (re-exports only)."""

from tfgraph import nn_experimental as experimental  # noqa: F401
from tfgraph import rnn_cell  # noqa: F401
from tfgraph.ctc_impl import ctc_unique_labels  # noqa: F401
from tfgraph.legacy_layers.dynamic_rnn import bidirectional_dynamic_rnn, dynamic_rnn  # noqa: F401
from tfgraph.legacy_layers.raw_rnn import raw_rnn  # noqa: F401
from tfgraph.legacy_layers.rnn import (  # noqa: F401
    static_bidirectional_rnn,
    static_rnn,
    static_state_saving_rnn,
)
from tfgraph.ops import isotonic_ops as _isotonic_ops  # noqa: F401  (registers the TF2 op)
from tfgraph.ops.approx_top_k_ops import approx_max_k, approx_min_k  # noqa: F401
from tfgraph.ops.batch_space_ops import space_to_batch  # noqa: F401
from tfgraph.ops.candidate_sampling_ops import (  # noqa: F401
    compute_accidental_hits,
    log_uniform_candidate_sampler,
    uniform_candidate_sampler,
)
from tfgraph.ops.conv3d_ops import *
from tfgraph.ops.conv_ops import *
from tfgraph.ops.conv_ops import (  # noqa: F401
    depthwise_conv2d_native_backprop_filter as depthwise_conv2d_backprop_filter,
)
from tfgraph.ops.conv_ops import (  # noqa: F401
    depthwise_conv2d_native_backprop_input as depthwise_conv2d_backprop_input,
)
from tfgraph.ops.ctc_ops import *
from tfgraph.ops.embedding_ops import embedding_lookup_sparse, safe_embedding_lookup_sparse  # noqa: F401
from tfgraph.ops.fractional_pool_ops import fractional_avg_pool, fractional_max_pool  # noqa: F401
from tfgraph.ops.manip_ops import depth_to_space, space_to_depth  # noqa: F401
from tfgraph.ops.nn_composite_ops import *
from tfgraph.ops.nn_extra_ops import *
from tfgraph.ops.nn_ops import *
from tfgraph.ops.nn_pool_ops import pool, with_space_to_batch  # noqa: F401
from tfgraph.ops.quantized_nn_ops import (  # noqa: F401
    quantized_avg_pool,
    quantized_conv2d,
    quantized_max_pool,
    quantized_relu_x,
)
from tfgraph.ops.sampled_loss_ops import nce_loss, sampled_softmax_loss  # noqa: F401
from tfgraph.ops.unigram_sampler_ops import (  # noqa: F401
    all_candidate_sampler,
    fixed_unigram_candidate_sampler,
    learned_unigram_candidate_sampler,
)

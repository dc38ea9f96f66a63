"""`tf.contrib.layers` (re-exports only)."""

from tfgraph.legacy_contrib.initializers import (
    variance_scaling_initializer,
    xavier_initializer,
    xavier_initializer_conv2d,
)
from tfgraph.legacy_contrib.layers import (
    avg_pool2d,
    batch_norm,
    bias_add,
    conv2d,
    convolution,
    convolution2d,
    dropout,
    flatten,
    fully_connected,
    layer_norm,
    linear,
    max_pool2d,
    one_hot_encoding,
    relu,
    repeat,
    softmax,
    stack,
)
from tfgraph.legacy_contrib.optimizers import (
    OPTIMIZER_CLS_NAMES,
    OPTIMIZER_SUMMARIES,
    adaptive_clipping_fn,
    optimize_loss,
)
from tfgraph.legacy_contrib.regularizers import (
    apply_regularization,
    l1_l2_regularizer,
    l1_regularizer,
    l2_regularizer,
    sum_regularizer,
)

"""`import tfgraph.compat.v2 as tf` (or `import tfgraph.v2 as tf`): TensorFlow 2 behaviour.

Importing it turns eager execution on for the process, as importing TensorFlow 2 does
(`tf.compat.v1.disable_v2_behavior()` turns it off again). The names are tfgraph's, with
TF2's functions where TF2 changed a signature (`tf.nn.conv2d(input, filters, strides,
padding, data_format, dilations)`, `tf.random.poisson(shape, lam)`, `tf.reduce_sum`
without keep_dims, ...) and TF2's namespaces (`tf.summary` writes through a default
writer; `tf.losses`, `tf.metrics`, `tf.optimizers` and `tf.initializers` are Keras's).
This package and its modules only re-export; `import tfgraph as tf` stays TF1.
"""

import sys as _sys

import tfgraph as _tfgraph
from tfgraph.custom_gradient import hessians_v2 as hessians
from tfgraph.framework.convert import constant_v2 as constant
from tfgraph.framework.convert import convert_to_tensor_v2 as convert_to_tensor
from tfgraph.framework.graph import device_v2 as device
from tfgraph.framework.graph import get_current_name_scope, inside_function
from tfgraph.gradients import gradients_v2 as gradients
from tfgraph.ops.array_ops import (
    boolean_mask_v2 as boolean_mask,
)
from tfgraph.ops.array_ops import (
    expand_dims_v2 as expand_dims,
)
from tfgraph.ops.array_ops import (
    gather_nd_v2 as gather_nd,
)
from tfgraph.ops.array_ops import (
    gather_v2 as gather,
)
from tfgraph.ops.array_ops import (
    ones_like_v2 as ones_like,
)
from tfgraph.ops.array_ops import (
    pad_v2 as pad,
)
from tfgraph.ops.array_ops import (
    reverse_sequence_v2 as reverse_sequence,
)
from tfgraph.ops.array_ops import (
    shape_v2 as shape,
)
from tfgraph.ops.array_ops import (
    size_v2 as size,
)
from tfgraph.ops.array_ops import (
    squeeze_v2 as squeeze,
)
from tfgraph.ops.array_ops import (
    transpose_v2 as transpose,
)
from tfgraph.ops.array_ops import (
    zeros_like_v2 as zeros_like,
)
from tfgraph.ops.batch_space_ops import (
    batch_to_space_v2 as batch_to_space,
)
from tfgraph.ops.batch_space_ops import (
    space_to_batch_v2 as space_to_batch,
)
from tfgraph.ops.check_ops import (
    assert_equal_v2 as assert_equal,
)
from tfgraph.ops.check_ops import (
    assert_greater_v2 as assert_greater,
)
from tfgraph.ops.check_ops import (
    assert_less_v2 as assert_less,
)
from tfgraph.ops.check_ops import (
    assert_rank_v2 as assert_rank,
)
from tfgraph.ops.control_flow_ops import cond_for_tf_v2 as cond
from tfgraph.ops.control_flow_ops import tuple_v2 as tuple
from tfgraph.ops.linalg_more_ops import eig, eigvals
from tfgraph.ops.linalg_ops import norm_v2 as norm
from tfgraph.ops.math_ops import (
    argmax_v2 as argmax,
)
from tfgraph.ops.math_ops import (
    argmin_v2 as argmin,
)
from tfgraph.ops.math_ops import (
    reduce_all_v2 as reduce_all,
)
from tfgraph.ops.math_ops import (
    reduce_any_v2 as reduce_any,
)
from tfgraph.ops.math_ops import (
    reduce_logsumexp_v2 as reduce_logsumexp,
)
from tfgraph.ops.math_ops import (
    reduce_max_v2 as reduce_max,
)
from tfgraph.ops.math_ops import (
    reduce_mean_v2 as reduce_mean,
)
from tfgraph.ops.math_ops import (
    reduce_min_v2 as reduce_min,
)
from tfgraph.ops.math_ops import (
    reduce_prod_v2 as reduce_prod,
)
from tfgraph.ops.math_ops import (
    reduce_sum_v2 as reduce_sum,
)
from tfgraph.ops.while_loop import while_loop_v2 as while_loop
from tfgraph.platform.v2_toggles import enable_v2_behavior as _enable_v2_behavior

_enable_v2_behavior()

# TF2's own namespaces (below) and Keras's, built on first use (see __getattr__).
_V2_NAMESPACES = frozenset(
    {"debugging", "image", "io", "linalg", "math", "nn", "random", "sparse", "strings"}
)
_V2_NAMESPACES |= {"autodiff", "autograph", "feature_column", "saved_model", "summary", "test"}
_V2_NAMESPACES |= {"data", "errors", "train"}
_KERAS_NAMESPACES = frozenset({"initializers", "losses", "metrics", "optimizers"})

_self = _sys.modules[__name__]
for _name in dir(_tfgraph):
    if (
        not _name.startswith("__")
        and _name not in ("compat", "v2")
        and _name not in _V2_NAMESPACES | _KERAS_NAMESPACES
        and _name not in globals()  # TF2's functions, imported above
    ):
        setattr(_self, _name, getattr(_tfgraph, _name))
compat = _sys.modules["tfgraph.compat"]


def __getattr__(name):
    import importlib

    if name in _V2_NAMESPACES:
        return importlib.import_module(f"tfgraph.compat.v2.{name}")
    if name in _KERAS_NAMESPACES:
        return importlib.import_module(f"tfgraph.keras.{name}")
    return getattr(_tfgraph, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_tfgraph)) | _V2_NAMESPACES | _KERAS_NAMESPACES)

"""`tf.math` under TF2 (`tfgraph.compat.v2.math`, re-exports only): `tfgraph.math`,
with TF2's functions where their parameters differ from TF1's."""

import tfgraph.math as _v1
from tfgraph.ops.confusion_matrix import (  # noqa: F401
    confusion_matrix_v2 as confusion_matrix,
)
from tfgraph.ops.math_ops import (  # noqa: F401
    argmax_v2 as argmax,
    argmin_v2 as argmin,
    count_nonzero_v2 as count_nonzero,
    reduce_all_v2 as reduce_all,
    reduce_any_v2 as reduce_any,
    reduce_logsumexp_v2 as reduce_logsumexp,
    reduce_max_v2 as reduce_max,
    reduce_mean_v2 as reduce_mean,
    reduce_min_v2 as reduce_min,
    reduce_prod_v2 as reduce_prod,
    reduce_sum_v2 as reduce_sum,
)
from tfgraph.ops.nn_ops import (  # noqa: F401
    in_top_k_v2 as in_top_k,
    log_softmax_v2 as log_softmax,
    softmax_v2 as softmax,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))

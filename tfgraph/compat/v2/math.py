"""`tf.math` under TF2 (`tfgraph.compat.v2.math`, re-exports only):
`tfgraph.math`, with TF2's functions where their parameters differ from TF1's."""

import tfgraph.math as _v1
from tfgraph.ops.confusion_matrix import (
    confusion_matrix_v2 as confusion_matrix,
)
from tfgraph.ops.math_ops import (
    argmax_v2 as argmax,
)
from tfgraph.ops.math_ops import (
    argmin_v2 as argmin,
)
from tfgraph.ops.math_ops import (
    count_nonzero_v2 as count_nonzero,
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
from tfgraph.ops.nn_ops import (
    in_top_k_v2 as in_top_k,
)
from tfgraph.ops.nn_ops import (
    log_softmax_v2 as log_softmax,
)
from tfgraph.ops.nn_ops import (
    softmax_v2 as softmax,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))

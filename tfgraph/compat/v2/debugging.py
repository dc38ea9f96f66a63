"""`tf.debugging` under TF2 (`tfgraph.compat.v2.debugging`, re-exports only):
`tfgraph.debugging`, with TF2's functions where their parameters differ from TF1's."""

import tfgraph.debugging as _v1
from tfgraph.ops.check_ops import (
    assert_all_finite_v2 as assert_all_finite,
)
from tfgraph.ops.check_ops import (
    assert_equal_v2 as assert_equal,
)
from tfgraph.ops.check_ops import (
    assert_greater_equal_v2 as assert_greater_equal,
)
from tfgraph.ops.check_ops import (
    assert_greater_v2 as assert_greater,
)
from tfgraph.ops.check_ops import (
    assert_less_equal_v2 as assert_less_equal,
)
from tfgraph.ops.check_ops import (
    assert_less_v2 as assert_less,
)
from tfgraph.ops.check_ops import (
    assert_near_v2 as assert_near,
)
from tfgraph.ops.check_ops import (
    assert_negative_v2 as assert_negative,
)
from tfgraph.ops.check_ops import (
    assert_non_negative_v2 as assert_non_negative,
)
from tfgraph.ops.check_ops import (
    assert_non_positive_v2 as assert_non_positive,
)
from tfgraph.ops.check_ops import (
    assert_none_equal_v2 as assert_none_equal,
)
from tfgraph.ops.check_ops import (
    assert_positive_v2 as assert_positive,
)
from tfgraph.ops.check_ops import (
    assert_rank_at_least_v2 as assert_rank_at_least,
)
from tfgraph.ops.check_ops import (
    assert_rank_in_v2 as assert_rank_in,
)
from tfgraph.ops.check_ops import (
    assert_rank_v2 as assert_rank,
)
from tfgraph.ops.check_ops import (
    assert_scalar_v2 as assert_scalar,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))

"""`tf.debugging`: runtime assertions and eager placement logging (re-exports only)."""

from tfgraph.eager.context import set_log_device_placement
from tfgraph.ops.check_ops import (
    Assert,
    Print,
    assert_equal,
    assert_greater,
    assert_greater_equal,
    assert_less,
    assert_less_equal,
    assert_negative,
    assert_non_negative,
    assert_non_positive,
    assert_positive,
    assert_proper_iterable,
    assert_rank,
    assert_type,
    check_numerics,
)

__all__ = [
    "Assert",
    "Print",
    "assert_equal",
    "assert_greater",
    "assert_greater_equal",
    "assert_less",
    "assert_less_equal",
    "assert_negative",
    "assert_non_negative",
    "assert_non_positive",
    "assert_positive",
    "assert_proper_iterable",
    "assert_rank",
    "assert_type",
    "check_numerics",
    "set_log_device_placement",
]

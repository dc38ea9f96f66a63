"""The TF1/TF2 behaviour switches scripts call at startup.

tfgraph is always TensorFlow 1.x graph mode with reference variables and v1 control flow,
so the `disable_*` switches are no-ops, the queries answer False, and the `enable_*`
switches say plainly that the TF2 behaviour is not implemented.
"""

from __future__ import annotations


def _unsupported(what: str):
    return NotImplementedError(
        f"tfgraph does not support {what} yet: it runs TensorFlow 1.x graph programs "
        "(graph mode, reference variables, v1 control flow) only."
    )


def disable_v2_behavior() -> None:
    """No-op: tfgraph always behaves as TensorFlow 1.x."""


def enable_v2_behavior() -> None:
    raise _unsupported("tf.enable_v2_behavior (TensorFlow 2 behaviour)")


def disable_eager_execution() -> None:
    """No-op: tfgraph always builds graphs."""


def enable_eager_execution(config=None, device_policy=None, execution_mode=None) -> None:
    raise _unsupported("tf.enable_eager_execution (eager execution)")


def executing_eagerly() -> bool:
    return False


def executing_eagerly_outside_functions() -> bool:
    return False


def disable_resource_variables() -> None:
    """No-op: tfgraph's variables are reference variables (VariableV2)."""


def enable_resource_variables() -> None:
    raise _unsupported("tf.enable_resource_variables (resource variables)")


def resource_variables_enabled() -> bool:
    return False


def disable_control_flow_v2() -> None:
    """No-op: tfgraph builds v1 control flow (Switch/Merge, Enter/Exit)."""


def enable_control_flow_v2() -> None:
    raise _unsupported("tf.enable_control_flow_v2 (control flow v2)")


def control_flow_v2_enabled() -> bool:
    return False


def disable_v2_tensorshape() -> None:
    """No-op: tfgraph's TensorShape indexes to Dimension objects, as TF1's does."""


def enable_v2_tensorshape() -> None:
    raise _unsupported("tf.enable_v2_tensorshape (TensorShape indexing to ints)")


def disable_tensor_equality() -> None:
    """No-op: tfgraph's Tensor `==` compares identity and tensors are hashable, as in TF1."""


def enable_tensor_equality() -> None:
    raise _unsupported("tf.enable_tensor_equality (element-wise Tensor ==)")

"""The TF1/TF2 behaviour switches scripts call at startup.

tfgraph starts in TensorFlow 1.x graph mode. `enable_eager_execution()` and
`enable_v2_behavior()` turn eager execution on (tfgraph/eager/), `disable_*` turn it off
again; v1 control flow is what tfgraph builds in every mode.
"""

from __future__ import annotations

from tfgraph.eager import context
from tfgraph.framework import tensor_shape


def _unsupported(what: str):
    return NotImplementedError(
        f"tfgraph does not support {what} yet: it runs TensorFlow 1.x graph programs "
        "(graph mode, reference variables, v1 control flow) only."
    )


def disable_v2_behavior() -> None:
    """TensorFlow 1.x behaviour: graph mode, reference variables, identity `==`."""
    context.disable_eager_execution()
    context.resource_variables = False
    tensor_shape.V2_REPR[0] = False


def enable_v2_behavior() -> None:
    """TensorFlow 2 behaviour: eager execution, resource variables, element-wise `==`."""
    context.enable_eager_execution(equality=True)
    context.resource_variables = True
    tensor_shape.V2_REPR[0] = True


def disable_eager_execution() -> None:
    """Ops build graphs again (TF1 graph mode)."""
    context.disable_eager_execution()


def enable_eager_execution(config=None, device_policy=None, execution_mode=None) -> None:
    """Ops run as they are called (TF1's way into eager mode; `==` stays identity)."""
    context.enable_eager_execution()


def executing_eagerly() -> bool:
    """True when ops run at once: eager mode on and no graph being built."""
    return context.executing_eagerly()


def executing_eagerly_outside_functions() -> bool:
    return context.eager_enabled()


def disable_resource_variables() -> None:
    """`tf.Variable` makes TF1 reference variables (VariableV2) again."""
    context.resource_variables = False


def enable_resource_variables() -> None:
    """`tf.Variable` and `tf.get_variable` make resource variables (VarHandleOp)."""
    context.resource_variables = True


def resource_variables_enabled() -> bool:
    return context.resource_variables


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
    """Tensor `==` compares identity and tensors are hashable, as in TF1."""
    context.tensor_equality = False


def enable_tensor_equality() -> None:
    """`==` on eager tensors is element-wise and they are unhashable, as in TF2 (graph
    tensors keep identity equality: tfgraph's graph code hashes them)."""
    context.tensor_equality = True

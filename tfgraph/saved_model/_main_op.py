"""`tf.saved_model.main_op`: the init op a TF1 SavedModel runs after restoring."""

from __future__ import annotations


def main_op():
    """One op that initialises global and local variables and tables."""
    from tfgraph.ops.control_flow_ops import group
    from tfgraph.ops.init_ops import tables_initializer
    from tfgraph.variables import global_variables_initializer, local_variables_initializer

    return group(
        global_variables_initializer(), local_variables_initializer(), tables_initializer()
    )


def main_op_with_restore(restore_op_name):
    """`main_op()` followed (by a control dependency) by the restore op."""
    from tfgraph.framework.graph import control_dependencies
    from tfgraph.ops.control_flow_ops import group

    with control_dependencies([main_op()]):
        return group(restore_op_name)

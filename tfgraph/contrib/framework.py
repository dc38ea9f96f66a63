"""`tf.contrib.framework` (re-exports only)."""

from tfgraph import nest
from tfgraph.framework.api_utils import is_tensor
from tfgraph.framework.graph import get_name_scope
from tfgraph.legacy_contrib.arg_scope import (
    add_arg_scope,
    arg_scope,
    arg_scope_func_key,
    arg_scoped_arguments,
    current_arg_scope,
    has_arg_scope,
)
from tfgraph.legacy_contrib.framework_more import (
    get_placeholders,
    reduce_sum_n,
    remove_squeezable_dimensions,
    smart_case,
    smart_cond,
    smart_constant_value,
    with_same_shape,
    with_shape,
)
from tfgraph.legacy_contrib.variables import (
    VariableDeviceChooser,
    add_model_variable,
    assert_or_get_global_step,
    assign_from_checkpoint,
    assign_from_checkpoint_fn,
    assign_from_values,
    assign_from_values_fn,
    filter_variables,
    get_local_variables,
    get_model_variables,
    get_trainable_variables,
    get_unique_variable,
    get_variable_full_name,
    get_variables,
    get_variables_by_name,
    get_variables_by_suffix,
    get_variables_to_restore,
    global_variable,
    local_variable,
    model_variable,
    variable,
)
from tfgraph.ops.check_ops import assert_same_float_dtype
from tfgraph.ops.manip_ops import argsort, sort
from tfgraph.ops.script_ops import py_func
from tfgraph.ops.sparse_ops import convert_to_tensor_or_sparse_tensor
from tfgraph.training.checkpoint_utils import (
    init_from_checkpoint,
    list_variables,
    load_checkpoint,
    load_variable,
)
from tfgraph.training.training_util import (
    assert_global_step,
    create_global_step,
    get_global_step,
    get_or_create_global_step,
)

"""tfgraph: TensorFlow 1.x graph programs on numpy.

`import tfgraph as tf` (or `import tfgraph.compat.v1 as tf`) and a TF1 script —
graphs, sessions, variables, scopes, optimizers, savers, summaries — runs unchanged
without TensorFlow installed. This module only re-exports; the implementation lives
in the subpackages (see DESIGN.md).
"""

import warnings as _warnings

# Kernels compute with numpy; TF returns inf/nan silently where numpy would warn.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"tfgraph(\..*)?$")

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.dtypes import (
    DType,
    as_dtype,
    bfloat16,
    bool,
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    qint8,
    qint16,
    qint32,
    quint8,
    quint16,
    resource,
    string,
    uint8,
    uint16,
    uint32,
    uint64,
    variant,
)
from tfgraph.framework.tensor_shape import Dimension, TensorShape, dimension_at_index, dimension_value
from tfgraph.framework.ops import Operation, Tensor, OperatorNotAllowedInGraphError
from tfgraph.framework.graph import (
    Graph,
    GraphKeys,
    add_to_collection,
    add_to_collections,
    colocate_with,
    control_dependencies,
    device,
    get_collection,
    get_collection_ref,
    get_default_graph,
    init_scope,
    name_scope,
    reset_default_graph,
)
from tfgraph.framework.device import DeviceSpec
from tfgraph.framework.convert import (
    convert_to_tensor,
    register_tensor_conversion_function,
)
from tfgraph.framework.indexed_slices import IndexedSlices, IndexedSlicesValue
from tfgraph.ops.array_ops import (
    cast,
    concat,
    constant,
    expand_dims,
    fill,
    identity,
    ones,
    ones_like,
    placeholder,
    placeholder_with_default,
    rank,
    reshape,
    shape,
    size,
    squeeze,
    stack,
    transpose,
    zeros,
    zeros_like,
)
from tfgraph.ops.math_ops import (
    abs,
    acos,
    add,
    add_n,
    asin,
    atan,
    atan2,
    ceil,
    conj,
    cos,
    cosh,
    div,
    div_no_nan,
    divide,
    equal,
    exp,
    expm1,
    floor,
    floordiv,
    floormod,
    greater,
    greater_equal,
    is_finite,
    is_inf,
    is_nan,
    less,
    less_equal,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    matmul,
    maximum,
    minimum,
    mod,
    multiply,
    negative,
    not_equal,
    pow,
    range,
    reciprocal,
    reduce_all,
    reduce_any,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_sum,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    squared_difference,
    subtract,
    tan,
    tanh,
    truediv,
    truncatediv,
)
from tfgraph.ops.array_ops import (
    boolean_mask,
    broadcast_to,
    gather,
    newaxis,
    one_hot,
    pad,
    reverse,
    reverse_v2,
    sequence_mask,
    shape_n,
    slice,
    split,
    stop_gradient,
    strided_slice,
    tile,
    unique,
    unstack,
    where,
    where_v2,
)
from tfgraph.ops.math_ops import (
    argmax,
    argmin,
    clip_by_value,
    count_nonzero,
    cumsum,
    reduce_logsumexp,
    tensordot,
)
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
    assert_rank,
    assert_type,
)
from tfgraph.ops.control_flow_ops import cond, group, no_op, tuple
from tfgraph.ops.state_ops import (
    assign,
    assign_add,
    assign_sub,
    count_up_to,
    is_variable_initialized,
    scatter_add,
    scatter_sub,
    scatter_update,
)
from tfgraph.variables import (
    Variable,
    VariableAggregation,
    VariableSynchronization,
    all_variables,
    assert_variables_initialized,
    global_variables,
    global_variables_initializer,
    initialize_all_variables,
    initialize_local_variables,
    initialize_variables,
    local_variables,
    local_variables_initializer,
    model_variables,
    moving_average_variables,
    report_uninitialized_variables,
    trainable_variables,
    variables_initializer,
)
from tfgraph.client.session import InteractiveSession, Session, get_default_session
from tfgraph.module import Module
from tfgraph import train
from tfgraph.ops.random_ops import *
from tfgraph import debugging, nn
from tfgraph.framework.random_seed import get_seed, set_random_seed
from tfgraph.ops.init_ops import (
    constant_initializer,
    glorot_normal_initializer,
    glorot_uniform_initializer,
    ones_initializer,
    orthogonal_initializer,
    random_normal_initializer,
    random_uniform_initializer,
    tables_initializer,
    truncated_normal_initializer,
    uniform_unit_scaling_initializer,
    variance_scaling_initializer,
    zeros_initializer,
)
from tfgraph.partitioned_variables import (
    create_partitioned_variables,
    fixed_size_partitioner,
    min_max_variable_partitioner,
    variable_axis_size_partitioner,
)
from tfgraph.variable_scope import (
    AUTO_REUSE,
    VariableScope,
    get_local_variable,
    get_variable,
    get_variable_scope,
    no_regularizer,
    variable_op_scope,
    variable_scope,
)
from tfgraph import initializers, random
from tfgraph.gradients import (
    AggregationMethod,
    NotDifferentiable,
    RegisterGradient,
    UnconnectedGradients,
    gradients,
    no_gradient,
)
from tfgraph.ops.clip_ops import clip_by_global_norm, clip_by_norm, global_norm
from tfgraph.ops.math_ops import (
    complex,
    cumprod,
    imag,
    real,
    realdiv,
    scalar_mul,
    unsorted_segment_sum,
)
from tfgraph.ops.array_ops import (
    dynamic_partition,
    dynamic_stitch,
    gather_nd,
    invert_permutation,
    scatter_nd,
    setdiff1d,
)

from tfgraph import layers, losses, metrics  # tf.layers, tf.losses, tf.metrics (issue 4)
from tfgraph.ops.control_flow_case import case

__version__ = "0.1.0"

from tfgraph import compat  # noqa: E402  (tfgraph.compat.v1 re-exports this module)

# Protocol buffer classes TF exposes at top level, built lazily on first use so that
# `import tfgraph` does not load protobuf.
_PROTO_EXPORTS = frozenset(
    {
        "AttrValue",
        "ConfigProto",
        "Event",
        "GPUOptions",
        "GraphDef",
        "GraphOptions",
        "HistogramProto",
        "LogMessage",
        "MetaGraphDef",
        "NameAttrList",
        "NodeDef",
        "OptimizerOptions",
        "RunMetadata",
        "RunOptions",
        "SessionLog",
        "Summary",
        "SummaryMetadata",
        "TensorInfo",
        "TensorShapeProto",
        "TensorProto",
        "VariableDef",
    }
)


def __getattr__(name):
    if name in _PROTO_EXPORTS:
        from tfgraph import proto

        return getattr(proto, name)
    raise AttributeError(f"module 'tfgraph' has no attribute {name!r}")

# TensorBoard summaries: tf.summary (ops, FileWriter) and tf.train.summary_iterator.
from tfgraph import summary  # noqa: E402

# Files TensorFlow reads and writes: GraphDef import, graph utilities, gfile, tf.io.
from tfgraph.framework.importer import import_graph_def
from tfgraph import graph_util
from tfgraph import gfile
from tfgraph import io
